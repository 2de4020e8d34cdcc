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
//!
//! A function whose calls seldom repeat stops being remembered: `network.world_open(sg,
//! protocol, port)` is asked once per group and port (270 000 questions at 10^5 assets, none
//! asked twice), and keeping its answers cost 60 MB for nothing. After [`SAMPLE`] remembered
//! calls of a function, if fewer than one in [`RARE`] has been asked again, its later calls are
//! computed without the memo.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

use smallvec::SmallVec;

use super::exec::{X, visit};
use super::interp::{Eval, Function};
use crate::plan::{Plan, TypeKind};
use crate::snapshot::Seeded;
use crate::value::{ArcStr, Record, Value};

/// Independent locks, so that threads remembering different calls seldom wait on each other.
const SHARDS: usize = 32;
/// Entries per shard; past it new calls are computed and not kept, bounding the memory.
const SHARD_CAPACITY: usize = 1 << 15;
/// Strings longer than this are not keys: hashing them could cost more than the call.
const MAX_KEY_TEXT: usize = 512;
/// Remembered calls of a function before its hit rate is judged.
const SAMPLE: u32 = 4096;
/// A function stays remembered while at least one in this many remembered calls is asked again.
const RARE: u32 = 8;

pub(crate) struct Memo {
    /// Per function, whether its calls are worth remembering.
    worth: Vec<bool>,
    /// Per function, how often its calls were remembered and asked again.
    usage: Box<[Usage]>,
    /// Per type, whether its records are assets (kept for the whole run, one per id).
    asset: Vec<bool>,
    hasher: Seeded,
    shards: Box<[Mutex<HashMap<Key, Remembered, Seeded>>]>,
}

struct Remembered {
    value: Value,
    steps: u64,
}

/// How one function's calls fare in the memo. Counted without ordering: a count off by a few
/// only moves the moment a function is judged, never an answer.
#[derive(Default)]
struct Usage {
    remembered: AtomicU32,
    repeated: AtomicU32,
    /// Set once the function's calls were seen not to repeat; never cleared.
    off: AtomicBool,
}

impl Usage {
    fn repeated(&self) {
        self.repeated.fetch_add(1, Ordering::Relaxed);
    }

    fn remembered(&self) {
        let remembered = self.remembered.fetch_add(1, Ordering::Relaxed) + 1;
        if remembered == SAMPLE && self.repeated.load(Ordering::Relaxed).saturating_mul(RARE) < remembered {
            self.off.store(true, Ordering::Relaxed);
        }
    }

    fn is_off(&self) -> bool {
        self.off.load(Ordering::Relaxed)
    }
}

/// One call: the function and its arguments.
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct Key {
    function: u32,
    args: SmallVec<[Part; 3]>,
}

enum Part {
    /// By identity: the store holds one record per asset, and the key keeps it alive.
    Asset(Record),
    Str(ArcStr),
    Int(i64),
    Bool(bool),
    None,
}

impl PartialEq for Part {
    fn eq(&self, other: &Part) -> bool {
        match (self, other) {
            (Part::Asset(a), Part::Asset(b)) => Record::ptr_eq(a, b),
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
            Part::Asset(r) => std::ptr::hash(r.as_ptr(), state),
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
            usage: functions.iter().map(|_| Usage::default()).collect(),
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
        let usage = &self.usage[key.function as usize];
        if let Some((value, steps)) = known {
            usage.repeated();
            spend(steps)?;
            return Ok(value);
        }
        // Computed without holding the lock: the body may call remembered functions too.
        let (result, steps) = compute();
        if let Ok(value) = &result {
            let mut map = shard.lock().unwrap_or_else(PoisonError::into_inner);
            if map.len() < SHARD_CAPACITY {
                map.insert(key, Remembered { value: value.clone(), steps });
                drop(map);
                usage.remembered();
            }
        }
        result
    }

    /// The memo's key for calling `function` with `args`; none when such a call is not
    /// remembered.
    pub(crate) fn key(&self, function: u32, args: &[Value]) -> Option<Key> {
        let index = function as usize;
        if !self.worth.get(index).copied().unwrap_or(false) || self.usage[index].is_off() {
            return None;
        }
        let args = args
            .iter()
            .map(|v| match v {
                Value::Record(r) if self.asset.get(r.ty() as usize).copied().unwrap_or(false) => {
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

    /// Remembers `calls` calls of function 0, each asked `asked` times, and tells whether the
    /// function is still remembered afterwards.
    fn still_remembered(calls: i64, asked: u32) -> bool {
        let native = X::Native { native: super::super::exec::Native::IsPrivate, args: vec![X::Local(0)] };
        let memo = Memo::new(&crate::plan::test_plan(Vec::new()), &[function(native)]);
        for n in 0..calls {
            for _ in 0..asked {
                let Some(key) = memo.key(0, &[Value::Int(n)]) else { return false };
                let value = memo.call(key, || (Ok(Value::Int(n)), 1), |_| Ok(())).expect("no error");
                assert!(matches!(value, Value::Int(v) if v == n), "the memo answers the call it was asked");
            }
        }
        memo.key(0, &[Value::Int(-1)]).is_some()
    }

    #[test]
    fn calls_that_never_repeat_stop_being_remembered() {
        assert!(still_remembered(i64::from(SAMPLE) - 1, 1), "judged only after the sample");
        assert!(!still_remembered(i64::from(SAMPLE), 1));
        assert!(still_remembered(i64::from(SAMPLE) * 2, 2), "every call asked twice");
    }
}
