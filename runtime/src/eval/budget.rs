//! The step meter and the value-size check that enforce [`Limits`] while the interpreter
//! runs, and the cancellation flag a `--timeout` watchdog raises.
//!
//! The meter lives in a thread-local: `Env` is shared by rayon workers, and a counter there
//! would be an atomic every worker contends on. Each step costs one decrement and one compare
//! of that thread's fuel. Fuel is handed out in chunks of [`CHUNK`] steps from the evaluation's
//! reserve; refilling is the slow path, and it is also where the cancellation flag is read, so
//! a cancelled run stops within a chunk of steps on every worker.
//!
//! A [`Scope`] is one evaluation's budget: the engine opens one per subject of a check (its
//! filter, `let`s, `when`, message and evidence together), and `Env::eval` opens one for any
//! evaluation that starts outside a scope (an edge-pair test, a constant, an explanation).

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::interp::EvalError;
use crate::limits::{Limits, Size};

/// Steps handed out between two looks at the reserve and the cancellation flag: a few
/// milliseconds of evaluation.
const CHUNK: u64 = 1 << 16;

/// The message of every evaluation a [`Cancel`] stopped.
pub const CANCELLED: &str = "evaluation cancelled: the time limit passed";

/// When an evaluation error is a spent budget, which a user may raise, rather than a fault of
/// the rule or the data: the budget's key under `limits:` (`max_steps`, `max_value_size`).
pub fn exceeded_budget(message: &str) -> Option<&'static str> {
    if message.starts_with("evaluation step budget of ") {
        Some("max_steps")
    } else if message.starts_with("value size budget of ") {
        Some("max_value_size")
    } else {
        None
    }
}

/// Shared by the engine and whoever may stop it: once raised, every evaluation in progress or
/// to come fails with "evaluation cancelled".
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What an engine's evaluations may spend, and the flag that stops them all.
#[derive(Clone, Debug, Default)]
pub struct Budget {
    pub limits: Limits,
    pub cancel: Cancel,
}

struct Meter {
    /// Steps left in the current chunk.
    fuel: Cell<u64>,
    /// Steps left beyond the current chunk.
    reserve: Cell<u64>,
    max_bytes: Cell<u64>,
    /// Whether an evaluation's scope is open on this thread.
    active: Cell<bool>,
}

thread_local! {
    static METER: Meter = const {
        Meter {
            fuel: Cell::new(0),
            reserve: Cell::new(0),
            max_bytes: Cell::new(Limits::DEFAULT_MAX_VALUE_BYTES),
            active: Cell::new(false),
        }
    };
}

/// One evaluation's budget on this thread; dropping it restores the budget it interrupted
/// (rayon may run another subject on this thread while one waits).
pub(crate) struct Scope {
    saved: (u64, u64, u64, bool),
    granted: u64,
}

impl Scope {
    /// A fresh budget. When the run is already cancelled it starts empty, so the first step
    /// reports the cancellation.
    pub(crate) fn enter(budget: &Budget) -> Scope {
        let steps = if budget.cancel.is_cancelled() { 0 } else { budget.limits.max_steps };
        Scope::install(steps, budget.limits.max_value_bytes, true)
    }

    /// No budget open: work started here that is shared by every subject (building the
    /// resource graph) opens its own scopes instead of spending the caller's.
    pub(crate) fn detached() -> Scope {
        Scope::install(0, Limits::DEFAULT_MAX_VALUE_BYTES, false)
    }

    fn install(steps: u64, max_bytes: u64, active: bool) -> Scope {
        METER.with(|m| {
            let saved = (m.fuel.get(), m.reserve.get(), m.max_bytes.get(), m.active.get());
            let fuel = steps.min(CHUNK);
            m.fuel.set(fuel);
            m.reserve.set(steps - fuel);
            m.max_bytes.set(max_bytes);
            m.active.set(active);
            Scope { saved, granted: steps }
        })
    }

    /// The steps spent in this scope so far (`rulec check --profile`).
    pub(crate) fn spent(&self) -> u64 {
        self.granted.saturating_sub(left())
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let (fuel, reserve, max_bytes, active) = self.saved;
        METER.with(|m| {
            m.fuel.set(fuel);
            m.reserve.set(reserve);
            m.max_bytes.set(max_bytes);
            m.active.set(active);
        });
    }
}

/// Whether an evaluation's scope is open on this thread.
pub(crate) fn active() -> bool {
    METER.with(|m| m.active.get())
}

/// The steps this thread's evaluation may still spend: what a computation spent is the
/// difference of two readings.
pub(crate) fn left() -> u64 {
    METER.with(|m| m.fuel.get().saturating_add(m.reserve.get()))
}

/// Spends one step; `false` when the chunk is used up and [`Budget::refill`] must decide.
#[inline]
pub(crate) fn step() -> bool {
    METER.with(|m| {
        let fuel = m.fuel.get();
        if fuel == 0 {
            return false;
        }
        m.fuel.set(fuel - 1);
        true
    })
}

/// Spends `steps` at once from the chunk; `false` when it holds fewer.
#[inline]
pub(crate) fn spend(steps: u64) -> bool {
    METER.with(|m| {
        let fuel = m.fuel.get();
        if fuel < steps {
            return false;
        }
        m.fuel.set(fuel - steps);
        true
    })
}

impl Budget {
    /// The slow path of [`step`] and [`spend`]: takes `steps` from the reserve and a new
    /// chunk, unless the run is cancelled or the budget is spent.
    #[cold]
    pub(crate) fn refill(&self, steps: u64) -> Result<(), EvalError> {
        if self.cancel.is_cancelled() {
            return Err(EvalError(CANCELLED.into()));
        }
        METER.with(|m| {
            let left = m.fuel.get().saturating_add(m.reserve.get());
            if left < steps {
                m.fuel.set(0);
                m.reserve.set(0);
                return Err(EvalError(format!("evaluation step budget of {} exceeded", self.limits.max_steps)));
            }
            let left = left - steps;
            let fuel = left.min(CHUNK);
            m.fuel.set(fuel);
            m.reserve.set(left - fuel);
            Ok(())
        })
    }
}

/// Fails, before it is built, a value of `bytes` larger than the evaluation allows; `what`
/// describes it for the message ("string", "list of 3000000 items").
pub(crate) fn check_size(bytes: u64, what: impl FnOnce() -> String) -> Result<(), EvalError> {
    if fits(bytes) {
        return Ok(());
    }
    let max = METER.with(|m| m.max_bytes.get());
    Err(EvalError(format!("value size budget of {} exceeded: {} of {}", Size(max), what(), Size(bytes))))
}

/// Whether a value of `bytes` is within the evaluation's size budget.
pub(crate) fn fits(bytes: u64) -> bool {
    bytes <= METER.with(|m| m.max_bytes.get())
}

/// The bytes a list of `items` values occupies (its elements are shared, not copied).
pub(crate) fn list_bytes(items: usize) -> u64 {
    (items as u64).saturating_mul(std::mem::size_of::<crate::value::Value>() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(max_steps: u64) -> Budget {
        Budget { limits: Limits { max_steps, max_value_bytes: 1024 }, cancel: Cancel::default() }
    }

    /// Spends steps as the interpreter does; how many succeeded before an error.
    fn run(budget: &Budget, steps: u64) -> (u64, Option<String>) {
        for done in 0..steps {
            if !step()
                && let Err(e) = budget.refill(1)
            {
                return (done, Some(e.0));
            }
        }
        (steps, None)
    }

    #[test]
    fn a_scope_allows_exactly_its_steps() {
        let b = budget(3 * CHUNK + 5);
        let _scope = Scope::enter(&b);
        assert_eq!(run(&b, 3 * CHUNK + 5), (3 * CHUNK + 5, None));
        let (done, error) = run(&b, 1);
        assert_eq!(done, 0);
        assert_eq!(error.as_deref(), Some("evaluation step budget of 196613 exceeded"));
    }

    #[test]
    fn each_scope_starts_afresh_and_restores_the_one_it_interrupted() {
        let b = budget(10);
        let outer = Scope::enter(&b);
        assert_eq!(run(&b, 7).0, 7);
        {
            let _inner = Scope::enter(&b);
            assert_eq!(run(&b, 10).0, 10);
        }
        assert_eq!(run(&b, 5), (3, Some("evaluation step budget of 10 exceeded".into())));
        drop(outer);
        assert!(!active());
    }

    #[test]
    fn bulk_spending_takes_from_the_reserve() {
        let b = budget(2 * CHUNK);
        let _scope = Scope::enter(&b);
        assert!(!spend(CHUNK + 1));
        assert!(b.refill(CHUNK + 1).is_ok());
        assert!(b.refill(CHUNK).is_err());
    }

    #[test]
    fn cancellation_stops_the_next_refill_and_every_new_scope() {
        let b = budget(u64::MAX);
        let _scope = Scope::enter(&b);
        b.cancel.cancel();
        assert!(step(), "the current chunk is still spent without looking at the flag");
        let error = b.refill(1).unwrap_err().0;
        assert_eq!(error, "evaluation cancelled: the time limit passed");
        let _next = Scope::enter(&b);
        assert!(!step());
    }

    #[test]
    fn values_over_the_size_budget_are_refused_with_their_size() {
        let b = budget(1);
        let _scope = Scope::enter(&b);
        assert!(check_size(1024, || "string".into()).is_ok());
        let error = check_size(3 << 20, || "string".into()).unwrap_err().0;
        assert_eq!(error, "value size budget of 1 KiB exceeded: string of 3 MiB");
        assert_eq!(exceeded_budget(&error), Some("max_value_size"));
        assert_eq!(exceeded_budget(&b.refill(2).unwrap_err().0), Some("max_steps"));
        assert_eq!(exceeded_budget("division by zero"), None);
    }
}
