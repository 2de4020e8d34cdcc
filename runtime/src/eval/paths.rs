//! Attack paths: the resource graph built from the plan's `edge` items, and the searches
//! `path(..)` / `reaches(..)` run over it.
//!
//! The graph is built once per run, before any check runs, and only when a check uses paths.
//! An edge's condition is judged per (source, target) pair, but pairs are not enumerated
//! blindly: when the condition (or one of its `and`-ed parts) ties the two ends by id —
//! `source.role_id == target.id`, `target.id in source.security_group_ids`, or the same with
//! the ends swapped — each node looks its partners up by id, so the edge costs one evaluation
//! per node instead of one per pair. Edges from `Internet` have a single source. Any other
//! condition is judged for every pair, in parallel, but only its conjuncts that read both ends:
//! those that read one end were judged once per node before. Searches from one source over one set of
//! edges are run once and shared by every target asked about.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use super::exec::{PrepareError, Preparer, X};
use super::interp::{Env, EvalError};
use crate::graph::{EdgeSet, Hops, Node, ResourceGraph, Search};
use crate::plan::{BinaryOp, Plan, TypeIdx};
use crate::snapshot::Store;
use crate::value::Value;

/// An `edge` item, prepared.
#[derive(Debug)]
struct PreparedEdge {
    name: String,
    from: Option<TypeIdx>,
    to: TypeIdx,
    condition: Option<X>,
    locals: usize,
    join: Option<Join>,
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
    fn parts(self) -> (u32, usize, bool) {
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
                let condition = e.condition.as_ref().map(|c| preparer.expr(c)).transpose()?;
                let join = if e.from.is_some() { condition.as_ref().and_then(find_join) } else { None };
                Ok(PreparedEdge {
                    name: e.name.clone(),
                    from: e.from,
                    to: e.to,
                    condition,
                    locals: e.locals.max(2) as usize,
                    join,
                })
            })
            .collect::<Result<_, PrepareError>>()?;
        Ok(Paths { edges, graph: OnceLock::new(), searches: Mutex::new(HashMap::new()) })
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
                let (slot, conjunct, key_on_rhs) = join.parts();
                let (anchors, partner_ty) = if slot == SOURCE { (sources, self.to) } else { (targets, from) };
                anchors
                    .par_iter()
                    .enumerate()
                    .map(|(a, anchor)| {
                        let keys = self.key(env, conjunct, key_on_rhs, slot, Value::Record(anchor.clone()))?;
                        let mut out = Vec::new();
                        for p in keys.iter().filter_map(|k| store.row_of(partner_ty, k)) {
                            let (s, t) = if slot == SOURCE { (a, p as usize) } else { (p as usize, a) };
                            let (source, target) =
                                (Value::Record(sources[s].clone()), Value::Record(targets[t].clone()));
                            if self.holds(env, source, target)? {
                                out.push((node(from, s), node(self.to, t)));
                            }
                        }
                        Ok(out)
                    })
                    .collect()
            }
            None => {
                // Parts of the condition that read one end only are judged once per node, so
                // a source that fails its own part skips every target.
                let target_ok = par_filter(targets.len(), |t| {
                    self.part_holds(env, TARGET, Value::None, Value::Record(targets[t].clone()))
                })?;
                sources
                    .par_iter()
                    .enumerate()
                    .map(|(s, source)| {
                        let mut out = Vec::new();
                        if !self.part_holds(env, SOURCE, Value::Record(source.clone()), Value::None)? {
                            return Ok(out);
                        }
                        for &t in &target_ok {
                            let target = Value::Record(targets[t].clone());
                            if self.pair_holds(env, Value::Record(source.clone()), target)? {
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

    /// Whether the condition holds for a pair (`source` is `None` for `Internet`).
    fn holds(&self, env: &Env<'_>, source: Value, target: Value) -> Result<bool, EvalError> {
        let Some(condition) = &self.condition else { return Ok(true) };
        let mut frame = vec![Value::None; self.locals];
        frame[SOURCE as usize] = source;
        frame[TARGET as usize] = target;
        env.eval(condition, &mut frame).map(|v| matches!(v, Value::Bool(true)))
    }

    /// Whether the conjuncts that read both ends hold for a pair whose ends already passed
    /// their own conjuncts ([`Self::part_holds`]): a source-only conjunct such as
    /// `may_write_storage(source, ..)` is then not judged again for every target.
    fn pair_holds(&self, env: &Env<'_>, source: Value, target: Value) -> Result<bool, EvalError> {
        let Some(condition) = &self.condition else { return Ok(true) };
        let mut frame = vec![Value::None; self.locals];
        frame[SOURCE as usize] = source;
        frame[TARGET as usize] = target;
        for part in pair_parts(condition) {
            if !matches!(env.eval(part, &mut frame)?, Value::Bool(true)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether the conjuncts that read only the `end` slot (`SOURCE` or `TARGET`) hold; the
    /// other slot is `none` and unread.
    fn part_holds(&self, env: &Env<'_>, end: u32, source: Value, target: Value) -> Result<bool, EvalError> {
        let Some(condition) = &self.condition else { return Ok(true) };
        let other = if end == SOURCE { TARGET } else { SOURCE };
        let mut frame = vec![Value::None; self.locals];
        frame[SOURCE as usize] = source;
        frame[TARGET as usize] = target;
        for part in conjuncts(condition).into_iter().filter(|c| !mentions(c, other)) {
            if !matches!(env.eval(part, &mut frame)?, Value::Bool(true)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The ids the join's key side gives for one end (`slot` holds `end`): one id or a list.
    fn key(
        &self,
        env: &Env<'_>,
        conjunct: usize,
        key_on_rhs: bool,
        slot: u32,
        end: Value,
    ) -> Result<Vec<Arc<str>>, EvalError> {
        let Some(X::Binary { lhs, rhs, .. }) =
            self.condition.as_ref().and_then(|c| conjuncts(c).get(conjunct).copied())
        else {
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
fn conjuncts(x: &X) -> Vec<&X> {
    match x {
        X::Binary { op: BinaryOp::And, lhs, rhs } => {
            let mut out = conjuncts(lhs);
            out.extend(conjuncts(rhs));
            out
        }
        other => vec![other],
    }
}

/// The conjuncts that read both ends: the only ones judged per pair once each end has passed
/// the conjuncts that read it alone (or neither end).
fn pair_parts(condition: &X) -> Vec<&X> {
    conjuncts(condition).into_iter().filter(|c| mentions(c, SOURCE) && mentions(c, TARGET)).collect()
}

/// The first conjunct that ties the two ends by id.
fn find_join(condition: &X) -> Option<Join> {
    conjuncts(condition).into_iter().enumerate().find_map(|(i, c)| {
        let X::Binary { op, lhs, rhs } = c else { return None };
        let sides: &[(bool, &X, &X)] = match op {
            BinaryOp::Eq => &[(true, lhs, rhs), (false, rhs, lhs)],
            // `end.id in key`: the id must be on the left.
            BinaryOp::In => &[(true, lhs, rhs)],
            _ => return None,
        };
        sides.iter().find_map(|&(key_on_rhs, id_side, key_side)| {
            if is_id_of(id_side, TARGET) && !mentions(key_side, TARGET) {
                Some(Join::TargetBySource { conjunct: i, key_on_rhs })
            } else if is_id_of(id_side, SOURCE) && !mentions(key_side, SOURCE) {
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

fn mentions(x: &X, slot: u32) -> bool {
    let mut found = false;
    super::exec::visit(x, &mut |node| found |= matches!(node, X::Local(s) if *s == slot));
    found
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

    #[test]
    fn equality_on_either_side_is_a_join() {
        let c = binary(BinaryOp::Eq, field(SOURCE, "role_id"), field(TARGET, "id"));
        assert_eq!(find_join(&c), Some(Join::TargetBySource { conjunct: 0, key_on_rhs: false }));
        let c = binary(BinaryOp::Eq, field(SOURCE, "id"), field(TARGET, "owner_id"));
        assert_eq!(find_join(&c), Some(Join::SourceByTarget { conjunct: 0, key_on_rhs: true }));
    }

    #[test]
    fn membership_and_conjunctions_are_joins() {
        let member = binary(BinaryOp::In, field(TARGET, "id"), field(SOURCE, "security_group_ids"));
        let other = binary(BinaryOp::Eq, field(SOURCE, "provider"), field(TARGET, "provider"));
        let c = binary(BinaryOp::And, Box::new(other), Box::new(member));
        assert_eq!(find_join(&c), Some(Join::TargetBySource { conjunct: 1, key_on_rhs: true }));
    }

    #[test]
    fn only_conjuncts_reading_both_ends_are_judged_per_pair() {
        // `controls`: a source-only grant check, a provider match, a pairwise bucket check.
        let source_only = binary(BinaryOp::Eq, field(SOURCE, "provider"), field(SOURCE, "provider"));
        let both = binary(BinaryOp::Eq, field(SOURCE, "provider"), field(TARGET, "provider"));
        let target_only = binary(BinaryOp::Eq, field(TARGET, "acl"), field(TARGET, "acl"));
        let c = binary(
            BinaryOp::And,
            Box::new(source_only),
            Box::new(binary(BinaryOp::And, Box::new(both), Box::new(target_only))),
        );
        let parts = pair_parts(&c);
        assert_eq!(parts.len(), 1);
        assert!(mentions(parts[0], SOURCE) && mentions(parts[0], TARGET));
        // Every conjunct is judged somewhere: per source, per target or per pair.
        let judged =
            |x: &X| !mentions(x, TARGET) || !mentions(x, SOURCE) || pair_parts(&c).iter().any(|p| std::ptr::eq(*p, x));
        assert!(conjuncts(&c).into_iter().all(judged));
    }

    #[test]
    fn conditions_that_do_not_tie_ids_are_not_joins() {
        // Both ends on the key side, `or`, and an id compared with itself are all pairwise.
        let c = binary(BinaryOp::Eq, field(TARGET, "id"), field(TARGET, "name"));
        assert_eq!(find_join(&c), None);
        let c = binary(
            BinaryOp::Or,
            field(SOURCE, "a"),
            Box::new(binary(BinaryOp::Eq, field(SOURCE, "x"), field(TARGET, "id"))),
        );
        assert_eq!(find_join(&c), None);
        let c = binary(BinaryOp::In, field(SOURCE, "ids"), field(TARGET, "id"));
        assert_eq!(find_join(&c), None);
    }
}
