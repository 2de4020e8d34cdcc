//! `rulec explain`: why a rule fired on an asset, or did not — the value of every
//! sub-expression of its `where`, `let`s and `when` for that one asset.
//!
//! This is a tracing mode built on the interpreter, not a second interpreter: each
//! sub-expression of the plan is prepared and evaluated on its own with [`Env::eval`] in the
//! subject's frame (slot 0 the asset, then the `let`s as they are computed). Evaluating a
//! node and then its operands again costs a factor of the depth, nothing for one asset.
//!
//! What is shown follows the evaluation: the operand `and` / `or` / `??` skip is marked
//! "not evaluated", only the branch `if` takes is opened, lambda bodies are not opened (their
//! parameter is bound per element), and literals are not listed as parts (their value is
//! their text). The plan keeps no source text, so expressions are written back from the
//! plan: locals by the names the caller supplies (the compiler knows them), lambda
//! parameters as `x<slot>`.

use std::fmt::{self, Write as _};

use super::exec::Preparer;
use super::{Engine, EvalError};
use crate::plan::{BinaryOp, Check, CheckKind, Expr, Literal, UnaryOp};
use crate::report::Subject;
use crate::value::{Record, Value};

/// One sub-expression: its text, what it evaluated to, and its parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    pub text: String,
    pub outcome: Outcome,
    pub parts: Vec<Trace>,
}

/// What a sub-expression came to.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Value(String),
    /// The evaluation failed (the run would report an evaluation error).
    Error(String),
    /// Short-circuited away: `false and …`, `true or …`, `x ?? …` with `x` present.
    Skipped,
}

/// The whole story for one rule and one asset.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub rule: String,
    pub subject: Subject,
    /// `where`, if the rule has one.
    pub filter: Option<Trace>,
    /// The `let`s with their names, evaluated only when the filter holds.
    pub lets: Vec<(String, Trace)>,
    /// `when`, evaluated only when the filter holds.
    pub when: Option<Trace>,
    pub verdict: Verdict,
}

/// Whether the rule reports the asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `where` and `when` hold: a finding (before any allowlist).
    Fires,
    /// `where` holds, `when` does not.
    Quiet,
    /// `where` does not hold: the asset is not considered.
    Excluded,
    /// An evaluation error: the run would report it and no finding.
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fires => "fires",
            Verdict::Quiet => "does not fire: `when` is not true",
            Verdict::Excluded => "does not fire: excluded by `where`",
            Verdict::Error => "does not fire: evaluation error",
        }
    }
}

/// Why there is nothing to explain.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    #[error("no check named `{rule}`")]
    UnknownRule { rule: String, suggestion: Option<String> },
    #[error("`{rule}` is an alarm: it counts events, not one asset")]
    NotARule { rule: String },
    #[error("no {ty} with id `{id}` in the snapshot")]
    UnknownAsset { ty: String, id: String, suggestion: Option<String> },
    #[error("the plan cannot be prepared: {0}")]
    Prepare(String),
}

impl ExplainError {
    /// A suggested fix, for the CLI's `help:` line.
    pub fn help(&self) -> Option<String> {
        match self {
            ExplainError::UnknownRule { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            ExplainError::UnknownRule { suggestion: None, .. } => Some("list the checks with `rulec rules`".into()),
            ExplainError::UnknownAsset { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            ExplainError::UnknownAsset { ty, suggestion: None, .. } => {
                Some(format!("the rule looks at {ty} assets; give the id of one"))
            }
            ExplainError::NotARule { .. } => Some("explain a rule; `rulec rules` lists each check's kind".into()),
            ExplainError::Prepare(_) => None,
        }
    }
}

/// The closest of `candidates` to `given`, if any is close enough to be a likely misspelling.
fn closest<'c>(given: &str, candidates: impl Iterator<Item = &'c str>) -> Option<String> {
    candidates
        .map(|c| (strsim::jaro_winkler(&c.to_lowercase(), &given.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_owned())
}

impl Engine<'_> {
    /// The check `rule` with its index in the plan, if it is a rule (alarms judge groups of
    /// events, not one subject).
    pub(super) fn find_rule(&self, rule: &str) -> Result<(usize, &Check), ExplainError> {
        let (index, check) = self.plan.checks.iter().enumerate().find(|(_, c)| c.id == rule).ok_or_else(|| {
            ExplainError::UnknownRule {
                rule: rule.to_owned(),
                suggestion: closest(rule, self.plan.checks.iter().map(|c| c.id.as_str())),
            }
        })?;
        if check.kind != CheckKind::Rule {
            return Err(ExplainError::NotARule { rule: rule.to_owned() });
        }
        Ok((index, check))
    }

    /// Explains rule `rule` on the asset of its subject type with id `asset`. `names` names
    /// the check's local slots: the subject binding, then the `let`s (missing names are
    /// written `x<slot>`).
    pub fn explain(&self, rule: &str, asset: &str, names: &[String]) -> Result<Explanation, ExplainError> {
        let (_, check) = self.find_rule(rule)?;
        let ty = check.subject_type;
        let ty_name = self.plan.types.get(ty as usize).map_or_else(String::new, |t| t.name.clone());
        let Some(record) = self.store.get(ty, asset) else {
            let ids: Vec<String> = self.store.rows(ty).iter().map(|r| self.subject_of(r).id).collect();
            return Err(ExplainError::UnknownAsset {
                ty: ty_name,
                id: asset.to_owned(),
                suggestion: closest(asset, ids.iter().map(String::as_str)),
            });
        };
        let mut tracer = Tracer {
            engine: self,
            preparer: Preparer::new(self.plan),
            names,
            frame: vec![Value::None; check.locals.max(1) as usize],
            lambdas: std::cell::RefCell::new(Vec::new()),
        };
        tracer.frame[0] = Value::Record(record.clone());
        let filter = check.filter.as_ref().map(|f| tracer.trace(f)).transpose()?;
        let mut explanation = Explanation {
            rule: check.id.clone(),
            subject: self.subject_of(record),
            filter,
            lets: Vec::new(),
            when: None,
            verdict: Verdict::Excluded,
        };
        match explanation.filter.as_ref().map(|f| &f.outcome) {
            Some(Outcome::Error(_)) => {
                explanation.verdict = Verdict::Error;
                return Ok(explanation);
            }
            Some(Outcome::Value(v)) if v != "true" => return Ok(explanation),
            _ => {}
        }
        for (i, x) in check.lets.iter().enumerate() {
            let slot = 1 + i;
            let trace = tracer.trace(x)?;
            let failed = matches!(trace.outcome, Outcome::Error(_));
            explanation.lets.push((tracer.name(slot as u32), trace));
            if failed {
                explanation.verdict = Verdict::Error;
                return Ok(explanation);
            }
            let value = tracer.eval(x)?.unwrap_or(Value::None);
            if let Some(cell) = tracer.frame.get_mut(slot) {
                *cell = value;
            }
        }
        let when = check.when.as_ref().map(|w| tracer.trace(w)).transpose()?;
        explanation.verdict = match when.as_ref().map(|w| &w.outcome) {
            None => Verdict::Fires,
            Some(Outcome::Value(v)) if v == "true" => Verdict::Fires,
            Some(Outcome::Error(_)) => Verdict::Error,
            Some(_) => Verdict::Quiet,
        };
        explanation.when = when;
        Ok(explanation)
    }
}

/// Evaluates sub-expressions one by one in the subject's frame.
struct Tracer<'e, 'a> {
    engine: &'e Engine<'a>,
    preparer: Preparer,
    names: &'e [String],
    frame: Vec<Value>,
    /// Slots bound by the lambdas being written: a lambda may reuse a `let`'s slot, so its
    /// parameter is written `x<slot>`, not the `let`'s name.
    lambdas: std::cell::RefCell<Vec<u32>>,
}

/// Values longer than this are cut with `…` (a whole asset or policy document says nothing
/// at a glance).
const MAX_VALUE: usize = 160;

impl Tracer<'_, '_> {
    /// The value of `x`, or the evaluation error.
    fn eval(&mut self, x: &Expr) -> Result<Result<Value, EvalError>, ExplainError> {
        let prepared = self.preparer.expr(x).map_err(|e| ExplainError::Prepare(e.to_string()))?;
        Ok(self.engine.env().eval(&prepared, &mut self.frame))
    }

    fn trace(&mut self, x: &Expr) -> Result<Trace, ExplainError> {
        let outcome = match self.eval(x)? {
            Ok(value) => Outcome::Value(self.show(&value)),
            Err(e) => Outcome::Error(e.0),
        };
        let mut parts: Vec<Trace> = Vec::new();
        for (i, part) in operands(x).into_iter().enumerate() {
            // Whether evaluation reached this operand, from the first operand's outcome.
            let first = parts.first().map(|p: &Trace| &p.outcome);
            let reached = i == 0 || reached(x, i, first);
            if matches!(part, Expr::Literal(_)) || (!reached && matches!(x, Expr::If { .. })) {
                continue;
            }
            parts.push(if reached {
                self.trace(part)?
            } else {
                Trace { text: self.text(part), outcome: Outcome::Skipped, parts: Vec::new() }
            });
        }
        Ok(Trace { text: self.text(x), outcome, parts })
    }

    /// A value as the explanation shows it: strings quoted, assets as `Type/id`, `none`.
    fn show(&self, value: &Value) -> String {
        let mut out = String::new();
        self.write_value(value, &mut out);
        if out.chars().count() > MAX_VALUE {
            out = out.chars().take(MAX_VALUE - 1).collect();
            out.push('…');
        }
        out
    }

    fn write_value(&self, value: &Value, out: &mut String) {
        match value {
            Value::Str(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
            Value::Record(record) => out.push_str(&self.record_name(record)),
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_value(item, out);
                    if out.len() > 4 * MAX_VALUE {
                        break;
                    }
                }
                out.push(']');
            }
            Value::Map(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{k}: ");
                    self.write_value(v, out);
                    if out.len() > 4 * MAX_VALUE {
                        break;
                    }
                }
                out.push('}');
            }
            Value::Json(json) => out.push_str(&json.to_string()),
            other => {
                let _ = write!(out, "{other}");
            }
        }
    }

    /// `Type/id` for an asset; `{..}` for a record without an id (a policy statement).
    fn record_name(&self, record: &Record) -> String {
        let subject = self.engine.subject_of(record);
        if subject.id.is_empty() || subject.id == "none" {
            format!("{} {{..}}", subject.ty)
        } else {
            format!("{}/{}", subject.ty, subject.id)
        }
    }

    /// The name of local `slot`.
    fn name(&self, slot: u32) -> String {
        if self.lambdas.borrow().contains(&slot) {
            return format!("x{slot}");
        }
        self.names.get(slot as usize).cloned().unwrap_or_else(|| format!("x{slot}"))
    }

    /// `x` written back as rule-language text.
    fn text(&self, x: &Expr) -> String {
        let mut out = String::new();
        self.write(x, &mut out);
        out
    }

    fn write(&self, x: &Expr, out: &mut String) {
        let plan = self.engine.plan;
        let last = |name: &str| name.rsplit('.').next().unwrap_or(name).to_owned();
        match x {
            Expr::Literal(l) => out.push_str(&literal(l)),
            Expr::Local(slot) => out.push_str(&self.name(*slot)),
            Expr::Const(i) => out.push_str(&plan.consts.get(*i as usize).map_or_else(|| "?".into(), |c| last(&c.name))),
            Expr::List(items) => {
                out.push('[');
                self.write_list(items, out);
                out.push(']');
            }
            Expr::Record(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{k}: ");
                    self.write(v, out);
                }
                out.push('}');
            }
            Expr::Field { base, name, optional, .. } => {
                self.write_operand(base, out);
                out.push_str(if *optional { "?." } else { "." });
                out.push_str(name);
            }
            Expr::Index { base, index } => {
                self.write_operand(base, out);
                out.push('[');
                self.write(index, out);
                out.push(']');
            }
            Expr::Call { function, args } => {
                out.push_str(&plan.functions.get(*function as usize).map_or_else(|| "?".into(), |f| last(&f.name)));
                out.push('(');
                self.write_list(args, out);
                out.push(')');
            }
            Expr::Native { name, args } => {
                out.push_str(&last(name));
                out.push('(');
                self.write_list(args, out);
                out.push(')');
            }
            Expr::Method { name, receiver, args, optional } => {
                self.write_operand(receiver, out);
                out.push_str(if *optional { "?." } else { "." });
                out.push_str(name);
                out.push('(');
                self.write_list(args, out);
                out.push(')');
            }
            Expr::Deref { reference, .. } => {
                self.write_operand(reference, out);
                out.push_str(".deref()");
            }
            Expr::Path { from, to, via, reaches } => {
                out.push_str(if *reaches { "reaches(" } else { "path(" });
                match from {
                    Some(from) => self.write(from, out),
                    None => out.push_str("Internet"),
                }
                out.push_str(", ");
                self.write(to, out);
                let via: Vec<String> = via.iter().map(|v| last(v)).collect();
                let _ = write!(out, ", via: [{}])", via.join(", "));
            }
            Expr::Lambda { slot, body } => {
                self.lambdas.borrow_mut().push(*slot);
                let _ = write!(out, "{} => ", self.name(*slot));
                self.write(body, out);
                self.lambdas.borrow_mut().pop();
            }
            Expr::Unary { op, operand } => {
                out.push_str(match op {
                    UnaryOp::Not => "not ",
                    UnaryOp::Neg => "-",
                });
                self.write_operand(operand, out);
            }
            Expr::Binary { op, lhs, rhs } => {
                self.write_side(lhs, *op, false, out);
                let _ = write!(out, " {} ", op.symbol());
                self.write_side(rhs, *op, true, out);
            }
            Expr::If { cond, then, otherwise } => {
                out.push_str("if ");
                self.write(cond, out);
                out.push_str(" then ");
                self.write(then, out);
                out.push_str(" else ");
                self.write(otherwise, out);
            }
            Expr::Now => out.push_str("now()"),
        }
    }

    fn write_list(&self, items: &[Expr], out: &mut String) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write(item, out);
        }
    }

    /// An operand of `.`, `[]` or a unary operator: parenthesised unless it binds tighter.
    fn write_operand(&self, x: &Expr, out: &mut String) {
        let loose = matches!(x, Expr::Binary { .. } | Expr::Unary { .. } | Expr::If { .. } | Expr::Lambda { .. });
        self.write_grouped(x, loose, out);
    }

    /// An operand of a binary operator: parenthesised when it binds no tighter than `op`.
    fn write_side(&self, x: &Expr, op: BinaryOp, right: bool, out: &mut String) {
        let loose = match x {
            Expr::Binary { op: inner, .. } => {
                let (inner, outer) = (inner.binding(), op.binding());
                inner < outer || (right && inner == outer)
            }
            Expr::If { .. } | Expr::Lambda { .. } => true,
            _ => false,
        };
        self.write_grouped(x, loose, out);
    }

    fn write_grouped(&self, x: &Expr, group: bool, out: &mut String) {
        if group {
            out.push('(');
        }
        self.write(x, out);
        if group {
            out.push(')');
        }
    }
}

/// The operands of `x` worth opening, in evaluation order; lambdas are left closed.
fn operands(x: &Expr) -> Vec<&Expr> {
    match x {
        Expr::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        Expr::Unary { operand, .. } => vec![operand],
        Expr::Call { args, .. } | Expr::Native { args, .. } | Expr::List(args) => args.iter().collect(),
        Expr::Method { receiver, args, .. } => std::iter::once(receiver.as_ref())
            .chain(args.iter().filter(|a| !matches!(a, Expr::Lambda { .. })))
            .collect(),
        Expr::Index { base, index } => vec![base, index],
        Expr::Deref { reference, .. } => vec![reference],
        Expr::If { cond, then, otherwise } => vec![cond, then, otherwise],
        Expr::Path { from, to, .. } => from.iter().map(AsRef::as_ref).chain([to.as_ref()]).collect(),
        _ => Vec::new(),
    }
}

/// Whether evaluating `x` reaches an operand after the first, given the first's outcome:
/// `and`, `or` and `??` short-circuit, `if` takes one branch (operand 1 when the condition
/// is true, else operand 2).
fn reached(x: &Expr, operand: usize, first: Option<&Outcome>) -> bool {
    let first = match first {
        Some(Outcome::Value(v)) => v.as_str(),
        Some(Outcome::Error(_) | Outcome::Skipped) => return false,
        // The first operand was a literal, not traced: nothing is known to skip.
        None => return true,
    };
    match x {
        Expr::Binary { op: BinaryOp::And, .. } => first != "false",
        Expr::Binary { op: BinaryOp::Or, .. } => first != "true",
        Expr::Binary { op: BinaryOp::Coalesce, .. } => first == "none",
        Expr::If { .. } => (first == "true") == (operand == 1),
        _ => true,
    }
}

/// A literal as it is written in a rule.
fn literal(l: &Literal) -> String {
    let quoted = |s: &str| serde_json::Value::from(s).to_string();
    match l {
        Literal::None => "none".to_owned(),
        Literal::Bool(b) => b.to_string(),
        Literal::Int(i) => i.to_string(),
        Literal::Float(x) => x.to_string(),
        Literal::String(s) | Literal::Time(s) | Literal::Ip(s) | Literal::Cidr(s) => quoted(s),
        Literal::Duration(seconds) => {
            crate::value::Value::Duration(seconds.saturating_mul(crate::value::MICROS_PER_SECOND)).to_string()
        }
        Literal::Regex { pattern, flags } => format!("/{pattern}/{flags}"),
    }
}

impl fmt::Display for Explanation {
    /// The explanation as `rulec explain` prints it: the verdict, then each clause as a tree
    /// of `text = value` lines, parts indented under the expression they make up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} on {}/{}: {}", self.rule, self.subject.ty, self.subject.id, self.verdict.as_str())?;
        if let Some(filter) = &self.filter {
            writeln!(f, "\nwhere")?;
            write_trace(f, filter, 1)?;
        }
        for (name, trace) in &self.lets {
            writeln!(f, "\nlet {name}")?;
            write_trace(f, trace, 1)?;
        }
        if let Some(when) = &self.when {
            writeln!(f, "\nwhen")?;
            write_trace(f, when, 1)?;
        }
        Ok(())
    }
}

fn write_trace(f: &mut fmt::Formatter<'_>, trace: &Trace, depth: usize) -> fmt::Result {
    let indent = "  ".repeat(depth);
    match &trace.outcome {
        Outcome::Value(v) => writeln!(f, "{indent}{} = {v}", trace.text)?,
        Outcome::Error(e) => writeln!(f, "{indent}{} = error: {e}", trace.text)?,
        Outcome::Skipped => writeln!(f, "{indent}{} (not evaluated)", trace.text)?,
    }
    for part in &trace.parts {
        write_trace(f, part, depth + 1)?;
    }
    Ok(())
}
