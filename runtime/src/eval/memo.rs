//! Remembered results of function calls. Functions are pure and the snapshot does not change
//! while an engine runs, so a call of the same function on the same assets and scalars gives
//! the same value every time: thirty service-port rules each ask `net.is_world_open_all(sg)` of
//! every security group, and an alarm asks `std.ak.is_hacker_tool(ua)` of the same few user
//! agents a million times. The first call computes; the others copy its value.
//!
//! Steps stay what they were: a remembered call spends the steps its first computation took,
//! so budgets, `--profile` steps and every error are the same with or without the memo, at any
//! thread count. Only calls whose arguments are all assets (by identity), strings, integers,
//! booleans or none are remembered, and only of functions that do real work (a loop, a path
//! search or a native, directly or through the functions they call): an event argument would
//! fill the memo with entries asked for once.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use smallvec::SmallVec;

use super::exec::{X, visit};
use super::interp::{Eval, Function};
use crate::plan::{Plan, TypeKind};
use crate::snapshot::Seeded;
use crate::value::{Record, Value};

/// Independent locks, so that threads remembering different calls seldom wait on each other.
const SHARDS: usize = 32;
/// Entries per shard; past it new calls are computed and not kept, bounding the memory.
const SHARD_CAPACITY: usize = 1 << 15;
/// Strings longer than this are not keys: hashing them could cost more than the call.
const MAX_KEY_TEXT: usize = 512;

pub(crate) struct Memo {
    /// Per function, whether its calls are worth remembering.
    worth: Vec<bool>,
    /// Per type, whether its records are assets (kept for the whole run, one per id).
    asset: Vec<bool>,
    hasher: Seeded,
    shards: Box<[Mutex<HashMap<Key, Remembered, Seeded>>]>,
}

struct Remembered {
    value: Value,
    steps: u64,
}

/// One call: the function and its arguments.
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct Key {
    function: u32,
    args: SmallVec<[Part; 3]>,
}

enum Part {
    /// By identity: the store holds one record per asset, and the key keeps it alive.
    Asset(Arc<Record>),
    Str(Arc<str>),
    Int(i64),
    Bool(bool),
    None,
}

impl PartialEq for Part {
    fn eq(&self, other: &Part) -> bool {
        match (self, other) {
            (Part::Asset(a), Part::Asset(b)) => Arc::ptr_eq(a, b),
            (Part::Str(a), Part::Str(b)) => a == b,
            (Part::Int(a), Part::Int(b)) => a == b,
            (Part::Bool(a), Part::Bool(b)) => a == b,
            (Part::None, Part::None) => true,
            _ => false,
        }
    }
}

impl Eq for Part {}

impl Hash for Part {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Part::Asset(r) => std::ptr::hash(Arc::as_ptr(r), state),
            Part::Str(s) => s.hash(state),
            Part::Int(i) => i.hash(state),
            Part::Bool(b) => b.hash(state),
            Part::None => {}
        }
    }
}

impl Memo {
    pub(crate) fn new(plan: &Plan, functions: &[Function]) -> Memo {
        Memo {
            worth: worth_remembering(functions),
            asset: plan.types.iter().map(|t| t.kind == TypeKind::Asset).collect(),
            hasher: Seeded::default(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::with_hasher(Seeded::default()))).collect(),
        }
    }

    /// The value of the call `key`: remembered, or computed by `compute` (which reports the
    /// steps it spent) and remembered when it succeeds. `spend` charges a remembered call's
    /// steps.
    pub(crate) fn call(
        &self,
        key: Key,
        compute: impl FnOnce() -> (Eval, u64),
        spend: impl FnOnce(u64) -> Result<(), super::EvalError>,
    ) -> Eval {
        let shard = &self.shards[(self.hasher.hash_one(&key) as usize) % SHARDS];
        let known = shard.lock().unwrap_or_else(PoisonError::into_inner).get(&key).map(|r| (r.value.clone(), r.steps));
        if let Some((value, steps)) = known {
            spend(steps)?;
            return Ok(value);
        }
        // Computed without holding the lock: the body may call remembered functions too.
        let (result, steps) = compute();
        if let Ok(value) = &result {
            let mut map = shard.lock().unwrap_or_else(PoisonError::into_inner);
            if map.len() < SHARD_CAPACITY {
                map.insert(key, Remembered { value: value.clone(), steps });
            }
        }
        result
    }

    /// The memo's key for calling `function` with `args`; none when such a call is not
    /// remembered.
    pub(crate) fn key(&self, function: u32, args: &[Value]) -> Option<Key> {
        if !self.worth.get(function as usize).copied().unwrap_or(false) {
            return None;
        }
        let args = args
            .iter()
            .map(|v| match v {
                Value::Record(r) if self.asset.get(r.ty as usize).copied().unwrap_or(false) => {
                    Some(Part::Asset(r.clone()))
                }
                Value::Str(s) if s.len() <= MAX_KEY_TEXT => Some(Part::Str(s.clone())),
                Value::Int(i) => Some(Part::Int(*i)),
                Value::Bool(b) => Some(Part::Bool(*b)),
                Value::None => Some(Part::None),
                _ => None,
            })
            .collect::<Option<_>>()?;
        Some(Key { function, args })
    }
}

/// Per function, whether its body loops (a lambda), searches paths or calls a native, itself
/// or through the functions it calls: smaller bodies cost less than a lookup.
fn worth_remembering(functions: &[Function]) -> Vec<bool> {
    let mut worth = vec![false; functions.len()];
    let mut calls: Vec<Vec<usize>> = vec![Vec::new(); functions.len()];
    for (i, f) in functions.iter().enumerate() {
        visit(&f.body, &mut |x| match x {
            X::Lambda { .. } | X::Path { .. } | X::Native { .. } => worth[i] = true,
            X::Call { function, .. } => calls[i].push(*function as usize),
            _ => {}
        });
    }
    // Through calls, to a fixed point: at most one round per function.
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..functions.len() {
            if !worth[i] && calls[i].iter().any(|&g| worth.get(g).copied().unwrap_or(false)) {
                worth[i] = true;
                changed = true;
            }
        }
    }
    worth
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(body: X) -> Function {
        Function { locals: 1, body }
    }

    #[test]
    fn only_functions_that_work_are_remembered() {
        let native = X::Native { native: super::super::exec::Native::IsPrivate, args: vec![X::Local(0)] };
        let functions = [
            function(X::Local(0)),
            function(native),
            function(X::Call { function: 1, args: vec![X::Local(0)] }),
            function(X::Call { function: 0, args: vec![X::Local(0)] }),
        ];
        assert_eq!(worth_remembering(&functions), vec![false, true, true, false]);
    }
}
