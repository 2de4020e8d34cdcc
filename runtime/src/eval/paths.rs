//! Attack paths: the resource graph built from the plan's `edge` items, and the searches
//! `path(..)` / `reaches(..)` run over it.
//!
//! The graph is built once per run, before any check runs, and only when a selected check
//! searches paths. An edge's condition is split into its `and`-ed parts, sorted once by the
//! ends they read, so pairs are not enumerated blindly:
//! - a part that ties the two ends by id — `source.role_id == target.id`, `target.id in
//!   source.security_group_ids`, or the same with the ends swapped — lets each node look its
//!   partners up by id: one evaluation per node instead of one per pair;
//! - otherwise parts that read one end are judged once per node; the first equality of a
//!   source key with a target key (`source.provider == target.provider`) is a hash join, each
//!   source meeting only the targets of its own key; only the remaining parts that read both
//!   ends are judged per pair.
//!
//! Edges from `Internet` have a single source. Searches from one source over one set of edges
//! are run once and shared by every target asked about.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use super::exec::{PrepareError, Preparer, X, reads_local};
use super::interp::{Env, EvalError};
use crate::graph::{EdgeSet, Hops, Node, ResourceGraph, Search};
use crate::plan::{BinaryOp, Plan, TypeIdx};
use crate::snapshot::Store;
use crate::value::{ArcStr, Value};

/// An `edge` item, prepared.
#[derive(Debug)]
struct PreparedEdge {
    name: String,
    from: Option<TypeIdx>,
    to: TypeIdx,
    /// The condition's `and`-ed parts, left to right; none when the edge has no condition.
    parts: Vec<X>,
    /// Which parts are judged where: per source, per target, or per pair.
    plan: PartPlan,
    locals: usize,
    join: Option<Join>,
}

/// The parts of an edge's condition sorted by the ends they read, decided once when the edge
/// is prepared rather than for every pair.
#[derive(Debug, Default, PartialEq, Eq)]
struct PartPlan {
    /// Parts that read no target: judged once per source.
    source: Vec<usize>,
    /// Parts that read no source: judged once per target.
    target: Vec<usize>,
    /// Parts that read both ends, except the hashed one: judged per candidate pair.
    pair: Vec<usize>,
    /// An equality `key(source) == key(target)` (either way round): targets are grouped by
    /// their key once, and each source meets only the targets of its own key.
    hashed: Option<HashedPart>,
}

/// A part `lhs == rhs` whose sides each read one end only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HashedPart {
    part: usize,
    /// Whether the source's key is the left operand.
    source_on_lhs: bool,
}

/// How an edge's ends are tied by id, found in its condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// `target.id == key(source)` or `target.id in key(source)`: the key side is
    /// `conjunct`'s other operand.
    TargetBySource { conjunct: usize, key_on_rhs: bool },
    /// `source.id == key(target)` or `source.id in key(target)`.
    SourceByTarget { conjunct: usize, key_on_rhs: bool },
}

impl Join {
    /// The end whose key is computed (its slot), the conjunct holding the key, and whether the
    /// key is that conjunct's right operand.
    fn ends(self) -> (u32, usize, bool) {
        match self {
            Join::TargetBySource { conjunct, key_on_rhs } => (SOURCE, conjunct, key_on_rhs),
            Join::SourceByTarget { conjunct, key_on_rhs } => (TARGET, conjunct, key_on_rhs),
        }
    }
}

const SOURCE: u32 = 0;
const TARGET: u32 = 1;

pub(crate) struct Paths {
    edges: Vec<PreparedEdge>,
    graph: OnceLock<ResourceGraph>,
    searches: Mutex<HashMap<(Node, EdgeSet), SharedSearch>>,
}

/// A search run once, by the first check that asks, and read by every other.
type SharedSearch = Arc<OnceLock<Search>>;

impl std::fmt::Debug for Paths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paths").field("edges", &self.edges.len()).finish()
    }
}

impl Paths {
    pub(crate) fn prepare(preparer: &mut Preparer, plan: &Plan) -> Result<Self, PrepareError> {
        let edges = plan
            .edges
            .iter()
            .map(|e| {
                let parts = match &e.condition {
                    Some(c) => split_conjuncts(preparer.expr(c)?),
                    None => Vec::new(),
                };
                let join = if e.from.is_some() { find_join(&parts) } else { None };
                Ok(PreparedEdge {
                    name: e.name.clone(),
                    from: e.from,
                    to: e.to,
                    plan: PartPlan::new(&parts),
                    parts,
                    locals: e.locals.max(2) as usize,
                    join,
                })
            })
            .collect::<Result<_, PrepareError>>()?;
        Ok(Paths { edges, graph: OnceLock::new(), searches: Mutex::new(HashMap::new()) })
    }

    /// Whether edge `edge` holds from `source` to `target`, judged pair by pair without any of
    /// the shortcuts the graph is built with.
    pub(crate) fn edge_holds(
        &self,
        env: &Env<'_>,
        store: &Store,
        edge: u16,
        source: Node,
        target: Node,
    ) -> Result<bool, EvalError> {
        let edge = self.edges.get(edge as usize).ok_or_else(|| EvalError(format!("no edge {edge}")))?;
        let record = |n: Node| match n.ty {
            Some(ty) => store
                .rows(ty)
                .get(n.row as usize)
                .map(|r| Value::Record(r.clone()))
                .ok_or_else(|| EvalError("no such node".into())),
            None => Ok(Value::None),
        };
        edge.holds(env, record(source)?, record(target)?)
    }

    /// The edge names, by index (qualified: `paths.assumes`).
    pub(crate) fn edge_names(&self) -> impl Iterator<Item = &str> {
        self.edges.iter().map(|e| e.name.as_str())
    }

    /// The graph, built on first use.
    pub(crate) fn graph(&self, env: &Env<'_>, store: &Store) -> Result<&ResourceGraph, EvalError> {
        if let Some(g) = self.graph.get() {
            return Ok(g);
        }
        let built = self.build(env, store)?;
        Ok(self.graph.get_or_init(|| built))
    }

    fn build(&self, env: &Env<'_>, store: &Store) -> Result<ResourceGraph, EvalError> {
        let mut types: Vec<TypeIdx> = self.edges.iter().flat_map(|e| e.from.into_iter().chain([e.to])).collect();
        types.sort_unstable();
        types.dedup();
        let counts: Vec<(TypeIdx, u32)> = types.iter().map(|t| (*t, store.rows(*t).len() as u32)).collect();
        let mut all = Vec::new();
        for (kind, edge) in self.edges.iter().enumerate() {
            let kind = kind as u16;
            all.extend(edge.pairs(env, store)?.into_iter().map(|(a, b)| (a, b, kind)));
        }
        Ok(ResourceGraph::new(&counts, all))
    }

    /// `path(from, to, via)`: the hops of the shortest path, or `None`.
    pub(crate) fn path(
        &self,
        env: &Env<'_>,
        store: &Store,
        from: Node,
        to: Node,
        via: &[u16],
    ) -> Result<Option<Hops>, EvalError> {
        let graph = self.graph(env, store)?;
        let key = (from, EdgeSet::new(via.iter().copied(), self.edges.len()));
        let cell = {
            let mut searches = self.searches.lock().map_err(|_| EvalError("a path search failed earlier".into()))?;
            searches.entry(key.clone()).or_default().clone()
        };
        let search = cell.get_or_init(|| graph.search(key.0, &key.1));
        Ok(graph.path(search, to))
    }
}

impl PreparedEdge {
    /// Every (source, target) pair the edge holds for, in no particular order.
    fn pairs(&self, env: &Env<'_>, store: &Store) -> Result<Vec<(Node, Node)>, EvalError> {
        let targets = store.rows(self.to);
        let node = |ty: TypeIdx, row: usize| Node { ty: Some(ty), row: row as u32 };
        let Some(from) = self.from else {
            let hits = par_filter(targets.len(), |t| self.holds(env, Value::None, Value::Record(targets[t].clone())))?;
            return Ok(hits.into_iter().map(|t| (Node::INTERNET, node(self.to, t))).collect());
        };
        let sources = store.rows(from);
        let lists: Vec<Result<Vec<(Node, Node)>, EvalError>> = match self.join {
            Some(join) => {
                // One end (the anchor) computes its partners' ids; each partner is looked up.
                let (slot, conjunct, key_on_rhs) = join.ends();
                let (anchors, partner_ty) = if slot == SOURCE { (sources, self.to) } else { (targets, from) };
                anchors
                    .par_iter()
                    .enumerate()
                    .map(|(a, anchor)| {
                        let keys = self.key(env, conjunct, key_on_rhs, slot, Value::Record(anchor.clone()))?;
                        let mut out = Vec::new();
                        for p in keys.iter().filter_map(|k| store.row_of(partner_ty, k)) {
                            let (s, t) = if slot == SOURCE { (a, p as usize) } else { (p as usize, a) };
                            if self.holds(env, Value::Record(sources[s].clone()), Value::Record(targets[t].clone()))? {
                                out.push((node(from, s), node(self.to, t)));
                            }
                        }
                        Ok(out)
                    })
                    .collect()
            }
            None => {
                // Parts that read one end only are judged once per node, so a source that
                // fails its own parts skips every target; a hashed equality pairs each source
                // with the targets of its key only.
                let target_ok = par_filter(targets.len(), |t| {
                    self.all_hold(
                        env,
                        &self.plan.target,
                        &mut self.frame(Value::None, Value::Record(targets[t].clone())),
                    )
                })?;
                let groups = self.plan.hashed.map(|h| self.group_targets(env, h, targets, &target_ok)).transpose()?;
                sources
                    .par_iter()
                    .enumerate()
                    .map(|(s, source)| {
                        let mut out = Vec::new();
                        let mut frame = self.frame(Value::Record(source.clone()), Value::None);
                        if !self.all_hold(env, &self.plan.source, &mut frame)? {
                            return Ok(out);
                        }
                        let (equal, unknown) = self.candidates(env, groups.as_ref(), &target_ok, &mut frame)?;
                        let hashed: &[usize] = match &self.plan.hashed {
                            Some(h) => std::slice::from_ref(&h.part),
                            None => &[],
                        };
                        let judged = equal.iter().map(|&t| (t, &[][..])).chain(unknown.iter().map(|&t| (t, hashed)));
                        for (t, first) in judged {
                            frame[TARGET as usize] = Value::Record(targets[t].clone());
                            if self.all_hold(env, first, &mut frame)?
                                && self.all_hold(env, &self.plan.pair, &mut frame)?
                            {
                                out.push((node(from, s), node(self.to, t)));
                            }
                        }
                        Ok(out)
                    })
                    .collect()
            }
        };
        let mut pairs = Vec::new();
        for list in lists {
            pairs.extend(list?);
        }
        Ok(pairs)
    }

    /// Whether the whole condition holds for a pair (`source` is `None` for `Internet`): the
    /// definition every shortcut of [`Self::pairs`] must agree with.
    fn holds(&self, env: &Env<'_>, source: Value, target: Value) -> Result<bool, EvalError> {
        let mut frame = self.frame(source, target);
        for part in &self.parts {
            if !matches!(env.eval(part, &mut frame)?, Value::Bool(true)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A frame with the two ends bound (`Value::None` for an end not read).
    fn frame(&self, source: Value, target: Value) -> Vec<Value> {
        let mut frame = vec![Value::None; self.locals];
        frame[SOURCE as usize] = source;
        frame[TARGET as usize] = target;
        frame
    }

    /// Whether every part of `which` holds in `frame`.
    fn all_hold(&self, env: &Env<'_>, which: &[usize], frame: &mut Vec<Value>) -> Result<bool, EvalError> {
        for &i in which {
            if !matches!(env.eval(&self.parts[i], frame)?, Value::Bool(true)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The targets that passed their own parts, grouped by the hashed part's target key when
    /// it is a string; targets with any other key are kept apart and judged in full.
    fn group_targets(
        &self,
        env: &Env<'_>,
        hashed: HashedPart,
        targets: &[crate::value::Record],
        target_ok: &[usize],
    ) -> Result<TargetGroups, EvalError> {
        let X::Binary { lhs, rhs, .. } = &self.parts[hashed.part] else { return Ok(TargetGroups::default()) };
        let key = if hashed.source_on_lhs { rhs } else { lhs };
        let mut groups = TargetGroups::default();
        for &t in target_ok {
            let mut frame = self.frame(Value::None, Value::Record(targets[t].clone()));
            match env.eval(key, &mut frame)? {
                Value::Str(k) => groups.by_key.entry(k).or_default().push(t),
                _ => groups.other.push(t),
            }
        }
        Ok(groups)
    }

    /// The targets a source (bound in `frame`) is judged against, as two lists: those for
    /// which the hashed part is known to hold (the targets of the source's string key, or
    /// every target when nothing is hashed), and those for which it must still be judged
    /// (targets without a string key, or every target when the source has none).
    fn candidates<'t>(
        &self,
        env: &Env<'_>,
        groups: Option<&'t TargetGroups>,
        target_ok: &'t [usize],
        frame: &mut Vec<Value>,
    ) -> Result<(&'t [usize], &'t [usize]), EvalError> {
        let (Some(groups), Some(hashed)) = (groups, self.plan.hashed) else { return Ok((target_ok, &[])) };
        let X::Binary { lhs, rhs, .. } = &self.parts[hashed.part] else { return Ok((&[], target_ok)) };
        let key = if hashed.source_on_lhs { lhs } else { rhs };
        Ok(match env.eval(key, frame)? {
            Value::Str(k) => (groups.by_key.get(&k).map_or(&[][..], Vec::as_slice), &groups.other),
            _ => (&[], target_ok),
        })
    }

    /// The ids the join's key side gives for one end (`slot` holds `end`): one id or a list.
    fn key(
        &self,
        env: &Env<'_>,
        conjunct: usize,
        key_on_rhs: bool,
        slot: u32,
        end: Value,
    ) -> Result<Vec<ArcStr>, EvalError> {
        let Some(X::Binary { lhs, rhs, .. }) = self.parts.get(conjunct) else {
            return Ok(Vec::new());
        };
        let key = if key_on_rhs { rhs } else { lhs };
        let mut frame = vec![Value::None; self.locals];
        frame[slot as usize] = end;
        Ok(match env.eval(key, &mut frame)? {
            Value::Str(s) => vec![s],
            Value::List(items) => {
                items.iter().filter_map(|v| if let Value::Str(s) = v { Some(s.clone()) } else { None }).collect()
            }
            _ => Vec::new(),
        })
    }
}

/// Targets grouped by the string key of an edge's hashed equality.
#[derive(Default)]
struct TargetGroups {
    by_key: HashMap<ArcStr, Vec<usize>>,
    /// Targets whose key is not a string (none, or JSON text that compares equal to strings).
    other: Vec<usize>,
}

impl PartPlan {
    fn new(parts: &[X]) -> Self {
        let reads = |x: &X| (reads_local(x, SOURCE), reads_local(x, TARGET));
        let hashed = parts.iter().enumerate().find_map(|(part, x)| {
            let X::Binary { op: BinaryOp::Eq, lhs, rhs } = x else { return None };
            match (reads(lhs), reads(rhs)) {
                ((true, false), (false, true)) => Some(HashedPart { part, source_on_lhs: true }),
                ((false, true), (true, false)) => Some(HashedPart { part, source_on_lhs: false }),
                _ => None,
            }
        });
        let mut plan = PartPlan { hashed, ..PartPlan::default() };
        for (i, x) in parts.iter().enumerate() {
            match reads(x) {
                (_, false) => plan.source.push(i),
                (false, true) => plan.target.push(i),
                (true, true) if hashed.map(|h| h.part) != Some(i) => plan.pair.push(i),
                (true, true) => {}
            }
        }
        plan
    }
}

/// The indices in `0..n` for which `keep` holds, in order, judged in parallel.
fn par_filter(n: usize, keep: impl Fn(usize) -> Result<bool, EvalError> + Sync) -> Result<Vec<usize>, EvalError> {
    let judged: Vec<Result<Option<usize>, EvalError>> =
        (0..n).into_par_iter().map(|i| Ok(keep(i)?.then_some(i))).collect();
    let mut out = Vec::new();
    for j in judged {
        out.extend(j?);
    }
    Ok(out)
}

/// The `and`-ed parts of a condition, left to right.
fn split_conjuncts(x: X) -> Vec<X> {
    match x {
        X::Binary { op: BinaryOp::And, lhs, rhs } => {
            let mut out = split_conjuncts(*lhs);
            out.extend(split_conjuncts(*rhs));
            out
        }
        other => vec![other],
    }
}

/// The first part that ties the two ends by id.
fn find_join(parts: &[X]) -> Option<Join> {
    parts.iter().enumerate().find_map(|(i, c)| {
        let X::Binary { op, lhs, rhs } = c else { return None };
        let sides: &[(bool, &X, &X)] = match op {
            BinaryOp::Eq => &[(true, lhs, rhs), (false, rhs, lhs)],
            // `end.id in key`: the id must be on the left.
            BinaryOp::In => &[(true, lhs, rhs)],
            _ => return None,
        };
        sides.iter().find_map(|&(key_on_rhs, id_side, key_side)| {
            if is_id_of(id_side, TARGET) && !reads_local(key_side, TARGET) {
                Some(Join::TargetBySource { conjunct: i, key_on_rhs })
            } else if is_id_of(id_side, SOURCE) && !reads_local(key_side, SOURCE) {
                Some(Join::SourceByTarget { conjunct: i, key_on_rhs })
            } else {
                None
            }
        })
    })
}

fn is_id_of(x: &X, slot: u32) -> bool {
    matches!(x, X::Field { base, name, .. } if name.as_ref() == "id" && matches!(base.as_ref(), X::Local(s) if *s == slot))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(slot: u32) -> Box<X> {
        Box::new(X::Local(slot))
    }

    fn field(slot: u32, name: &str) -> Box<X> {
        Box::new(X::Field { base: local(slot), name: Arc::from(name), index: None })
    }

    fn binary(op: BinaryOp, lhs: Box<X>, rhs: Box<X>) -> X {
        X::Binary { op, lhs, rhs }
    }

    fn and(lhs: X, rhs: X) -> X {
        binary(BinaryOp::And, Box::new(lhs), Box::new(rhs))
    }

    #[test]
    fn equality_on_either_side_is_a_join() {
        let c = binary(BinaryOp::Eq, field(SOURCE, "role_id"), field(TARGET, "id"));
        assert_eq!(find_join(&split_conjuncts(c)), Some(Join::TargetBySource { conjunct: 0, key_on_rhs: false }));
        let c = binary(BinaryOp::Eq, field(SOURCE, "id"), field(TARGET, "owner_id"));
        assert_eq!(find_join(&split_conjuncts(c)), Some(Join::SourceByTarget { conjunct: 0, key_on_rhs: true }));
    }

    #[test]
    fn membership_and_conjunctions_are_joins() {
        let member = binary(BinaryOp::In, field(TARGET, "id"), field(SOURCE, "security_group_ids"));
        let other = binary(BinaryOp::Eq, field(SOURCE, "provider"), field(TARGET, "provider"));
        let parts = split_conjuncts(and(other, member));
        assert_eq!(find_join(&parts), Some(Join::TargetBySource { conjunct: 1, key_on_rhs: true }));
    }

    #[test]
    fn each_part_is_judged_once_per_end_or_per_pair() {
        // `controls`: a source-only grant check, a provider match, a target-only check and a
        // pairwise bucket check.
        let source_only = binary(BinaryOp::Eq, field(SOURCE, "provider"), field(SOURCE, "provider"));
        let equal_keys = binary(BinaryOp::Eq, field(TARGET, "provider"), field(SOURCE, "provider"));
        let target_only = binary(BinaryOp::Eq, field(TARGET, "acl"), field(TARGET, "acl"));
        let both = binary(BinaryOp::In, field(TARGET, "name"), field(SOURCE, "names"));
        let parts = split_conjuncts(and(and(source_only, equal_keys), and(target_only, both)));
        assert_eq!(parts.len(), 4);
        assert_eq!(
            PartPlan::new(&parts),
            PartPlan {
                source: vec![0],
                target: vec![2],
                pair: vec![3],
                hashed: Some(HashedPart { part: 1, source_on_lhs: false }),
            }
        );
    }

    #[test]
    fn only_the_first_equality_of_one_end_against_the_other_is_hashed() {
        // `source.a == source.b` reads one end; `f(source, target) == x` reads both on one side.
        let one_end = binary(BinaryOp::Eq, field(SOURCE, "a"), field(SOURCE, "b"));
        let mixed = binary(
            BinaryOp::Eq,
            Box::new(binary(BinaryOp::Add, field(SOURCE, "a"), field(TARGET, "b"))),
            field(TARGET, "c"),
        );
        let first = binary(BinaryOp::Eq, field(SOURCE, "x"), field(TARGET, "x"));
        let second = binary(BinaryOp::Eq, field(SOURCE, "y"), field(TARGET, "y"));
        let plan = PartPlan::new(&split_conjuncts(and(and(one_end, mixed), and(first, second))));
        assert_eq!(plan.hashed, Some(HashedPart { part: 2, source_on_lhs: true }));
        assert_eq!(plan.pair, vec![1, 3]);
        assert_eq!(plan.source, vec![0]);
    }

    #[test]
    fn conditions_that_do_not_tie_ids_are_not_joins() {
        // Both ends on the key side, `or`, and an id compared with itself are all pairwise.
        let c = binary(BinaryOp::Eq, field(TARGET, "id"), field(TARGET, "name"));
        assert_eq!(find_join(&split_conjuncts(c)), None);
        let c = binary(
            BinaryOp::Or,
            field(SOURCE, "a"),
            Box::new(binary(BinaryOp::Eq, field(SOURCE, "x"), field(TARGET, "id"))),
        );
        assert_eq!(find_join(&split_conjuncts(c)), None);
        let c = binary(BinaryOp::In, field(SOURCE, "ids"), field(TARGET, "id"));
        assert_eq!(find_join(&split_conjuncts(c)), None);
    }
}
