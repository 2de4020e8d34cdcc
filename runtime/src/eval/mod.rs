//! Evaluation of a plan on a loaded snapshot.
//!
//! Every check is independent; rules run over their asset type's rows and alarms over their
//! event type's rows with rayon. Results are collected in input order and sorted at the
//! end, so the output is the same at any thread count.

mod admission;
mod alarm;
mod budget;
mod dispatch;
mod exec;
mod explain;
mod interp;
mod lookups;
mod memo;
mod native_reads;
mod natives;
mod paths;
mod profile;
mod shortcut;
mod stream;
mod survey;
mod window;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use budget::{Budget, CANCELLED, Cancel, exceeded_budget};
pub use exec::PrepareError;
pub use explain::{ExplainError, Explanation, Outcome as TraceOutcome, Trace, Verdict};
pub use interp::EvalError;
pub use native_reads::native_reads;
pub use profile::{CheckCost, Profile};
pub use stream::{AlarmStream, Emitted, StreamFinding, StreamOptions, StreamStats};
pub use survey::Survey;

use budget::Scope;
use exec::{Preparer, TemplatePart, X};
use interp::{Env, Function};
use natives::Natives;
use paths::Paths;

use crate::plan::{Check, CheckKind, Plan, TypeIdx};
use crate::report::{Finding, FindingKind, Subject};
use crate::snapshot::Store;
use crate::value::{Record, Value};

/// A check prepared for execution.
#[derive(Debug)]
struct Prepared {
    filter: Option<X>,
    lets: Vec<X>,
    /// Which `let`s `when` (and an alarm's grouping) needs: only these are evaluated for
    /// every subject; the rest wait until the subject is a finding.
    eager: Vec<bool>,
    when: Option<X>,
    message: Option<Vec<TemplatePart>>,
    /// The `fix` template; `None` when the check has no fix or a plan predates templates.
    fix: Option<Vec<TemplatePart>>,
    evidence: Vec<(String, X)>,
    group: Option<alarm::Grouping>,
    /// An alarm's: the subject fields its verdict depends on, so that a pass can remember
    /// refusals (`admission`); `None` for rules and for alarms whose verdict depends on more.
    admission: Option<admission::Admission>,
}

/// A subject whose evaluation failed: reported, and the run is incomplete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckError {
    pub rule: String,
    pub subject: Subject,
    pub message: String,
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rule `{}` on {}/{}: {}", self.rule, self.subject.ty, self.subject.id, self.message)
    }
}

/// What a run produced: findings (unsorted) and evaluation errors.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<CheckError>,
    /// The checks that ran, by id, with how many subjects each judged: the assets of a rule's
    /// `for` type, the events of an alarm's `on` type. A compliance control passes only on
    /// judged subjects.
    pub subjects: BTreeMap<String, usize>,
    /// What each check cost, when [`Engine::profile`] asked for it.
    pub profile: Option<Profile>,
}

pub struct Engine<'a> {
    plan: &'a Plan,
    store: &'a Store,
    natives: Natives<'a>,
    paths: Paths,
    /// Per check, whether it searches paths (itself or through the functions it calls): the
    /// graph is then built before the selected checks run, and not at all when none does.
    uses_paths: Vec<bool>,
    /// Per check, the natives it reaches (through the functions it calls): the indexes over
    /// events they read are built before the selected checks run.
    natives_used: Vec<Vec<exec::Native>>,
    functions: Vec<Function>,
    consts: Vec<Value>,
    checks: Vec<Prepared>,
    /// Per event type, which alarms each event can interest.
    dispatch: BTreeMap<TypeIdx, dispatch::Dispatch>,
    memo: memo::Memo,
    budget: Budget,
    profiler: profile::Profiler,
}

impl std::fmt::Debug for Engine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("checks", &self.checks.len()).finish()
    }
}

/// Why an engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    #[error("constant `{name}` cannot be evaluated: {message}")]
    Const { name: String, message: String },
}

impl<'a> Engine<'a> {
    /// An engine with the default [`crate::limits::Limits`] and no way to cancel it.
    pub fn new(plan: &'a Plan, store: &'a Store) -> Result<Self, StartError> {
        Engine::with_budget(plan, store, Budget::default())
    }

    /// An engine whose every evaluation (each subject of a check, each edge-pair test, each
    /// constant) spends at most `budget.limits`, and stops when `budget.cancel` is raised.
    pub fn with_budget(plan: &'a Plan, store: &'a Store, budget: Budget) -> Result<Self, StartError> {
        let mut preparer = Preparer::new(plan);
        let functions = plan
            .functions
            .iter()
            .map(|f| Ok(Function { locals: f.locals, body: preparer.expr(&f.body)? }))
            .collect::<Result<Vec<_>, PrepareError>>()?;
        let checks = plan.checks.iter().map(|c| prepare_check(&mut preparer, c)).collect::<Result<Vec<_>, _>>()?;
        let paths = Paths::prepare(&mut preparer, plan)?;
        let uses_paths = path_users(&functions, &checks);
        let natives_used = plan
            .checks
            .iter()
            .map(|c| {
                crate::uses::Uses::of_check(plan, c).natives.iter().filter_map(|n| exec::Native::from_name(n)).collect()
            })
            .collect();
        let memo = memo::Memo::new(plan, &functions);
        let mut engine = Engine {
            plan,
            store,
            natives: Natives::new(plan, store),
            paths,
            uses_paths,
            natives_used,
            functions,
            consts: Vec::new(),
            checks,
            dispatch: BTreeMap::new(),
            memo,
            budget,
            profiler: profile::Profiler::default(),
        };
        engine.consts = engine.evaluate_consts(&mut preparer)?;
        engine.find_admissions();
        engine.dispatch = dispatch::Dispatch::for_plan(&engine);
        Ok(engine)
    }

    /// Constants may refer to each other, directly or through the functions they call, in
    /// any order: each is evaluated after every constant it reaches. The compiler rejects
    /// cycles; a plan that has one is refused here.
    fn evaluate_consts(&self, preparer: &mut Preparer) -> Result<Vec<Value>, StartError> {
        let prepared: Vec<X> = self.plan.consts.iter().map(|c| preparer.expr(&c.value)).collect::<Result<_, _>>()?;
        let order = const_order(&prepared, &self.functions).map_err(|i| StartError::Const {
            name: self.plan.consts[i].name.clone(),
            message: "it depends on itself".into(),
        })?;
        let mut values = vec![Value::None; prepared.len()];
        for i in order {
            let env = Env { consts: &values, memo: None, ..self.env() };
            let mut frame = vec![Value::None; self.plan.consts[i].locals as usize];
            let value = env
                .eval(&prepared[i], &mut frame)
                .map_err(|e| StartError::Const { name: self.plan.consts[i].name.clone(), message: e.0 })?;
            values[i] = value;
        }
        Ok(values)
    }

    /// Each alarm's [`admission::Admission`], now that functions and field positions are known.
    fn find_admissions(&mut self) {
        for (check, prepared) in self.plan.checks.iter().zip(self.checks.iter_mut()) {
            if check.kind != CheckKind::Alarm {
                continue;
            }
            let ty = check.subject_type;
            let eager_lets = prepared.lets.iter().zip(&prepared.eager).filter(|(_, eager)| **eager).map(|(x, _)| x);
            let call_fields = self
                .natives
                .field_index(ty, "service")
                .zip(self.natives.field_index(ty, "action"))
                .map(|(s, a)| [s, a]);
            let fields = |exprs: Vec<&X>| {
                admission::Fields::of(&exprs, &self.functions, call_fields, self.natives.field_index(ty, "time"))
            };
            prepared.admission = admission::Admission::new(
                fields(prepared.filter.iter().collect()),
                fields(prepared.filter.iter().chain(eager_lets).chain(&prepared.when).collect()),
            );
        }
    }

    fn env(&self) -> Env<'_> {
        Env {
            functions: &self.functions,
            consts: &self.consts,
            natives: &self.natives,
            paths: &self.paths,
            store: self.store,
            now: self.store.taken_at(),
            budget: &self.budget,
            memo: Some(&self.memo),
        }
    }

    /// The alarms that are shown only some events, by rule id, with the lower-cased
    /// `service:action`s their `where` clauses require (docs/performance.md); the other alarms
    /// judge every event of their type.
    pub fn gated_alarms(&self) -> BTreeMap<&str, Vec<&str>> {
        self.dispatch
            .values()
            .flat_map(|d| d.gated())
            .map(|(i, apis)| (self.plan.checks[i].id.as_str(), apis.into_iter().collect()))
            .collect()
    }

    /// The resource graph of the plan's edges (built on first use) and the edge names by kind.
    pub fn graph(&self) -> Result<(&crate::graph::ResourceGraph, Vec<&str>), EvalError> {
        Ok((self.paths.graph(&self.env(), self.store)?, self.paths.edge_names().collect()))
    }

    /// Whether edge `edge` (an index of [`Engine::graph`]'s names) holds from `source` to
    /// `target`, judged straightforwardly: what the graph's joins and shortcuts must agree with.
    pub fn edge_holds(
        &self,
        edge: u16,
        source: crate::graph::Node,
        target: crate::graph::Node,
    ) -> Result<bool, EvalError> {
        self.paths.edge_holds(&self.env(), self.store, edge, source, target)
    }

    /// The type name and id of a graph node, as path hops show them.
    pub fn describe(&self, node: crate::graph::Node) -> (String, String) {
        self.natives.describe(node)
    }

    /// Calls a standard-library native function by its qualified name (`std.net.is_internal`),
    /// so the report's views judge data exactly as the rules do.
    pub fn call_native(&self, name: &str, args: &[Value]) -> Result<Value, EvalError> {
        let native = exec::Native::from_name(name).ok_or_else(|| EvalError(format!("no native function `{name}`")))?;
        self.natives.call(native, &args.iter().collect::<Vec<_>>())
    }

    /// Counts from now on what each check costs (steps and time), for [`Outcome::profile`]; the
    /// clock read around every evaluation makes the run slightly slower.
    pub fn profile(&mut self) {
        self.profiler = profile::Profiler::on(self.plan.checks.len());
    }

    /// Runs every check `select` keeps.
    pub fn run(&self, select: impl Fn(&Check) -> bool + Sync) -> Outcome {
        // Build the graph before checks run in parallel: a check waiting on it inside rayon
        // could otherwise be asked to help build it.
        let needs_graph = self.plan.checks.iter().zip(&self.uses_paths).any(|(c, uses)| *uses && select(c));
        let started = self.profiler.start();
        let graph = if needs_graph { self.paths.graph(&self.env(), self.store).map(|_| ()) } else { Ok(()) };
        self.profiler.record_graph(started);
        if let Err(e) = graph {
            return Outcome {
                errors: vec![CheckError {
                    rule: "edge".to_owned(),
                    subject: Subject::new("graph".to_owned(), String::new()),
                    message: format!("the resource graph cannot be built: {e}"),
                }],
                ..Outcome::default()
            };
        }
        let started = self.profiler.start();
        self.natives.prepare_lookups(
            self.plan
                .checks
                .iter()
                .zip(&self.natives_used)
                .filter(|(c, _)| select(c))
                .flat_map(|(_, natives)| natives.iter().copied()),
        );
        self.profiler.record_indexes(started);
        // Each rule is one unit of work; the alarms of one event type are another, run in
        // one pass over the events.
        let mut units: Vec<Vec<usize>> = Vec::new();
        let mut alarm_units: BTreeMap<TypeIdx, usize> = BTreeMap::new();
        for (i, check) in self.plan.checks.iter().enumerate().filter(|(_, c)| select(c)) {
            match check.kind {
                CheckKind::Rule => units.push(vec![i]),
                CheckKind::Alarm => {
                    let unit = *alarm_units.entry(check.subject_type).or_insert_with(|| {
                        units.push(Vec::new());
                        units.len() - 1
                    });
                    units[unit].push(i);
                }
            }
        }
        let mut results: Vec<(usize, Vec<Finding>, Vec<CheckError>)> = units
            .par_iter()
            .flat_map_iter(|unit| {
                let done: Vec<(Vec<Finding>, Vec<CheckError>)> = match self.plan.checks[unit[0]].kind {
                    CheckKind::Rule => vec![self.run_rule(unit[0])],
                    CheckKind::Alarm => alarm::run_all(self, unit),
                };
                unit.iter().copied().zip(done).map(|(i, (findings, errors))| (i, findings, errors))
            })
            .collect();
        results.sort_by_key(|(i, _, _)| *i);
        let mut outcome = Outcome {
            profile: self.profiler.report(
                results.iter().map(|(i, _, _)| (*i, self.plan.checks[*i].id.as_str(), self.plan.checks[*i].kind)),
            ),
            ..Outcome::default()
        };
        for (i, findings, errors) in results {
            let check = &self.plan.checks[i];
            outcome.subjects.insert(check.id.clone(), self.store.rows(check.subject_type).len());
            outcome.findings.extend(findings);
            outcome.errors.extend(errors);
        }
        outcome
    }

    fn run_rule(&self, index: usize) -> (Vec<Finding>, Vec<CheckError>) {
        let (check, prepared) = (&self.plan.checks[index], &self.checks[index]);
        let rows = self.store.rows(check.subject_type);
        let results: Vec<Result<Option<Finding>, CheckError>> = rows
            .par_iter()
            .map_init(
                || vec![Value::None; check.locals.max(1) as usize],
                |frame, row| {
                    let started = self.profiler.start();
                    let budget = Scope::enter(&self.budget);
                    let judged = self.evaluate_subject(check, prepared, row, frame).map_err(|e| CheckError {
                        rule: check.id.clone(),
                        subject: self.subject_of(row),
                        message: e.0,
                    });
                    self.profiler.record(index, started, &budget);
                    judged
                },
            )
            .collect();
        split(results)
    }

    /// Filter, lets, `when`; a finding when it holds.
    fn evaluate_subject(
        &self,
        check: &Check,
        prepared: &Prepared,
        row: &Record,
        frame: &mut Vec<Value>,
    ) -> Result<Option<Finding>, EvalError> {
        if !self.admit(prepared, row, frame)? {
            return Ok(None);
        }
        self.deferred_lets(prepared, frame)?;
        self.finding(check, prepared, frame, FindingKind::Rule, self.subject_of(row), Vec::new()).map(Some)
    }

    /// Binds `row` as the subject (slot 0), then the filter, the `let`s (slots `1..`) and
    /// `when`: whether the subject is a finding (rules) or a matching event (alarms).
    fn admit(&self, prepared: &Prepared, row: &Record, frame: &mut Vec<Value>) -> Result<bool, EvalError> {
        Ok(self.judge(prepared, row, frame)? == Verdict::Fires)
    }

    /// [`Engine::admit`], telling a subject `where` excludes from one `when` leaves quiet
    /// (`rulec explain RULE` counts both). Never [`Verdict::Error`]: errors are `Err`.
    fn judge(&self, prepared: &Prepared, row: &Record, frame: &mut Vec<Value>) -> Result<Verdict, EvalError> {
        let env = self.env();
        frame.fill(Value::None);
        frame[0] = Value::Record(row.clone());
        if !self.holds(&env, prepared.filter.as_ref(), frame)? {
            return Ok(Verdict::Excluded);
        }
        for (i, x) in prepared.lets.iter().enumerate().filter(|(i, _)| prepared.eager[*i]) {
            frame[1 + i] = env.eval(x, frame)?;
        }
        Ok(if self.holds(&env, prepared.when.as_ref(), frame)? { Verdict::Fires } else { Verdict::Quiet })
    }

    /// The `let`s `admit` skipped, for the message and evidence of a finding.
    fn deferred_lets(&self, prepared: &Prepared, frame: &mut Vec<Value>) -> Result<(), EvalError> {
        let env = self.env();
        for (i, x) in prepared.lets.iter().enumerate().filter(|(i, _)| !prepared.eager[*i]) {
            frame[1 + i] = env.eval(x, frame)?;
        }
        Ok(())
    }

    fn holds(&self, env: &Env<'_>, x: Option<&X>, frame: &mut Vec<Value>) -> Result<bool, EvalError> {
        match x {
            None => Ok(true),
            Some(x) => Ok(matches!(env.eval(x, frame)?, Value::Bool(true))),
        }
    }

    fn message(&self, check: &Check, prepared: &Prepared, frame: &mut Vec<Value>) -> Result<String, EvalError> {
        match &prepared.message {
            Some(parts) => self.fill(parts, frame),
            None => Ok(check.title.clone()),
        }
    }

    /// The remediation with the finding's own values in its holes.
    fn fix(&self, check: &Check, prepared: &Prepared, frame: &mut Vec<Value>) -> Result<Option<String>, EvalError> {
        match &prepared.fix {
            Some(parts) => self.fill(parts, frame).map(Some),
            None => Ok(check.fix.clone()),
        }
    }

    fn fill(&self, parts: &[TemplatePart], frame: &mut Vec<Value>) -> Result<String, EvalError> {
        let env = self.env();
        let mut out = String::new();
        for part in parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Hole(x) => out.push_str(&env.eval(x, frame)?.to_string()),
            }
        }
        Ok(out)
    }

    /// A finding of `check` on `subject`: message, fix and evidence from the bound `frame`.
    fn finding(
        &self,
        check: &Check,
        prepared: &Prepared,
        frame: &mut Vec<Value>,
        kind: FindingKind,
        subject: Subject,
        extra: Vec<(String, serde_json::Value)>,
    ) -> Result<Finding, EvalError> {
        Ok(Finding {
            rule: check.id.clone(),
            kind,
            severity: check.severity,
            title: check.title.clone(),
            subject,
            message: self.message(check, prepared, frame)?,
            fix: self.fix(check, prepared, frame)?,
            evidence: self.evidence(prepared, frame, extra)?,
            controls: check.controls.clone(),
            history: None,
        })
    }

    /// The evidence object: the check's entries, then any `extra` the runner adds.
    fn evidence(
        &self,
        prepared: &Prepared,
        frame: &mut Vec<Value>,
        extra: Vec<(String, serde_json::Value)>,
    ) -> Result<serde_json::Value, EvalError> {
        let env = self.env();
        let mut map = serde_json::Map::new();
        for (key, x) in &prepared.evidence {
            map.insert(key.clone(), self.to_json(&env.eval(x, frame)?));
        }
        map.extend(extra);
        Ok(serde_json::Value::Object(map))
    }

    fn to_json(&self, value: &Value) -> serde_json::Value {
        value.to_json(&|ty| self.field_names(ty))
    }

    fn field_names(&self, ty: TypeIdx) -> Vec<String> {
        self.plan.types.get(ty as usize).map(|t| t.fields.iter().map(|f| f.name.clone()).collect()).unwrap_or_default()
    }

    fn subject_of(&self, record: &Record) -> Subject {
        let ty = self.plan.types.get(record.ty() as usize).map_or_else(String::new, |t| t.name.clone());
        let id = self
            .natives
            .field_index(record.ty(), "id")
            .and_then(|i| record.fields().get(i))
            .map_or_else(String::new, |v| v.to_string());
        Subject::new(ty, id)
    }
}

impl Prepared {
    fn visit(&self, f: &mut impl FnMut(&X)) {
        let parts =
            self.filter.iter().chain(&self.lets).chain(self.when.iter()).chain(self.evidence.iter().map(|(_, x)| x));
        for x in parts {
            exec::visit(x, f);
        }
        for part in self.message.iter().chain(&self.fix).flatten() {
            if let TemplatePart::Hole(x) = part {
                exec::visit(x, f);
            }
        }
        if let Some(g) = &self.group {
            g.visit(f);
        }
    }
}

fn prepare_check(preparer: &mut Preparer, check: &Check) -> Result<Prepared, PrepareError> {
    let lets = preparer.all(&check.lets)?;
    let when = check.when.as_ref().map(|w| preparer.expr(w)).transpose()?;
    let group = check.group.as_ref().map(|g| alarm::Grouping::prepare(preparer, g)).transpose()?;
    let mut needed = std::collections::HashSet::new();
    let mut note = |x: &X| {
        if let X::Local(slot) = x {
            needed.insert(*slot);
        }
    };
    if let Some(w) = &when {
        exec::visit(w, &mut note);
    }
    if let Some(g) = &group {
        g.visit(&mut note);
    }
    // A needed `let` needs the `let`s it reads; they come before it.
    let mut eager = vec![false; lets.len()];
    for i in (0..lets.len()).rev() {
        if needed.contains(&(1 + i as u32)) {
            eager[i] = true;
            exec::visit(&lets[i], &mut |x| {
                if let X::Local(slot) = x {
                    needed.insert(*slot);
                }
            });
        }
    }
    Ok(Prepared {
        filter: check.filter.as_ref().map(|f| preparer.expr(f)).transpose()?,
        lets,
        eager,
        when,
        message: check.message.as_ref().map(|m| preparer.template(m)).transpose()?,
        fix: check.fix_template.as_ref().map(|m| preparer.template(m)).transpose()?,
        evidence: check
            .evidence
            .iter()
            .map(|(k, v)| Ok((k.clone(), preparer.expr(v)?)))
            .collect::<Result<_, PrepareError>>()?,
        group,
        admission: None,
    })
}

/// Per check, whether it searches paths directly or through the functions it calls.
fn path_users(functions: &[Function], checks: &[Prepared]) -> Vec<bool> {
    let scanned: Vec<PathScan> = functions
        .iter()
        .map(|f| {
            let mut scan = PathScan::default();
            exec::visit(&f.body, &mut |x| scan.see(x));
            scan
        })
        .collect();
    let mut searches: Vec<bool> = scanned.iter().map(|s| s.searches).collect();
    // A function searches when a function it calls does: propagate until nothing changes.
    let mut changed = true;
    while changed {
        changed = false;
        for (f, scan) in scanned.iter().enumerate() {
            if !searches[f] && scan.reaches(&searches) {
                searches[f] = true;
                changed = true;
            }
        }
    }
    checks
        .iter()
        .map(|c| {
            let mut scan = PathScan::default();
            c.visit(&mut |x| scan.see(x));
            scan.searches || scan.reaches(&searches)
        })
        .collect()
}

/// What one expression does that matters to [`path_users`].
#[derive(Default)]
struct PathScan {
    /// It searches paths itself.
    searches: bool,
    /// The functions it calls.
    calls: Vec<usize>,
}

impl PathScan {
    fn see(&mut self, x: &X) {
        match x {
            X::Path { .. } => self.searches = true,
            X::Call { function, .. } => self.calls.push(*function as usize),
            _ => {}
        }
    }

    /// Whether it calls a function `searches` marks.
    fn reaches(&self, searches: &[bool]) -> bool {
        self.calls.iter().any(|&g| searches.get(g).copied().unwrap_or(false))
    }
}

/// An order in which every constant comes after the constants it reads, directly or through
/// the functions it calls (transitively). `Err` names the constant whose dependencies loop.
fn const_order(consts: &[X], functions: &[Function]) -> Result<Vec<usize>, usize> {
    // One graph over constants (nodes `0..consts.len()`) and functions (after them).
    let node = |i: usize| if i < consts.len() { &consts[i] } else { &functions[i - consts.len()].body };
    let nodes = consts.len() + functions.len();
    let deps = |i: usize| {
        let mut out = Vec::new();
        exec::visit(node(i), &mut |x| match x {
            X::Const(c) => out.push(*c as usize),
            X::Call { function, .. } => out.push(consts.len() + *function as usize),
            _ => {}
        });
        out.retain(|&d| d < nodes);
        out
    };
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnStack,
        Done,
    }
    let mut marks = vec![Mark::New; nodes];
    let mut order = Vec::with_capacity(consts.len());
    for root in 0..consts.len() {
        if marks[root] == Mark::Done {
            continue;
        }
        marks[root] = Mark::OnStack;
        // Depth-first, each entry a node and the dependencies it has left to visit.
        let mut stack = vec![(root, deps(root))];
        while let Some((n, pending)) = stack.last_mut() {
            let n = *n;
            match pending.pop() {
                Some(d) => match marks[d] {
                    Mark::OnStack => return Err(root),
                    Mark::Done => {}
                    Mark::New => {
                        marks[d] = Mark::OnStack;
                        stack.push((d, deps(d)));
                    }
                },
                None => {
                    marks[n] = Mark::Done;
                    if n < consts.len() {
                        order.push(n);
                    }
                    stack.pop();
                }
            }
        }
    }
    Ok(order)
}

/// Separates what per-subject evaluation produced from what failed, keeping order.
fn split<T>(results: Vec<Result<Option<T>, CheckError>>) -> (Vec<T>, Vec<CheckError>) {
    let mut kept = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(Some(t)) => kept.push(t),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    (kept, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(function: u32) -> X {
        X::Call { function, args: Vec::new() }
    }

    fn function(body: X) -> Function {
        Function { locals: 0, body }
    }

    #[test]
    fn a_constant_comes_after_the_constants_its_functions_read() {
        // const b = has(); fn has() = zz; const zz = 1 — in both index orders.
        let functions = [function(X::Const(1))];
        assert_eq!(const_order(&[call(0), X::Value(Value::Int(1))], &functions), Ok(vec![1, 0]));
        let functions = [function(X::Const(0))];
        assert_eq!(const_order(&[X::Value(Value::Int(1)), call(0)], &functions), Ok(vec![0, 1]));
        // Through a chain of functions.
        let functions = [function(call(1)), function(X::Const(1))];
        assert_eq!(const_order(&[call(0), X::Value(Value::Int(1))], &functions), Ok(vec![1, 0]));
    }

    #[test]
    fn a_cycle_through_a_function_is_refused() {
        let functions = [function(X::Const(0))];
        assert_eq!(const_order(&[call(0)], &functions), Err(0));
        assert_eq!(const_order(&[X::Const(0)], &[]), Err(0));
    }
}
