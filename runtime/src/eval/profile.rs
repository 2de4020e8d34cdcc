//! What each check cost, for `rulec check --profile` (docs/performance.md, "Finding slow
//! checks"): the evaluation steps it spent (the budget's unit: the same on every machine and
//! thread count) and the time its evaluations took, summed over threads.
//!
//! Off by default: reading the clock around every subject's evaluation costs about 50 ns, too
//! much to pay when nobody asked.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::budget::Scope;
use crate::plan::CheckKind;

/// One check's cost in a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckCost {
    pub id: String,
    pub kind: CheckKind,
    /// Evaluation steps: every expression node evaluated, plus the elements of membership
    /// tests and concatenations (docs/budgets.md).
    pub steps: u64,
    /// Time in the check's evaluations, summed over the threads that ran them: for an alarm,
    /// judging its events and building its findings within the shared pass.
    pub time: Duration,
}

/// A run's costs: per check, and building what checks share: the resource graph of path
/// checks and the indexes over events (calls by key) that alarms and natives read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    pub checks: Vec<CheckCost>,
    pub graph: Duration,
    pub indexes: Duration,
}

#[derive(Default)]
struct Counter {
    steps: AtomicU64,
    nanos: AtomicU64,
}

/// Per check index, what its evaluations spent; nothing when profiling is off.
#[derive(Default)]
pub(crate) struct Profiler {
    counters: Option<Vec<Counter>>,
    graph_nanos: AtomicU64,
    index_nanos: AtomicU64,
}

impl Profiler {
    pub(crate) fn on(checks: usize) -> Profiler {
        Profiler { counters: Some((0..checks).map(|_| Counter::default()).collect()), ..Profiler::default() }
    }

    /// The clock when profiling, to pass to [`Profiler::record`].
    #[inline]
    pub(crate) fn start(&self) -> Option<Instant> {
        self.counters.as_ref().map(|_| Instant::now())
    }

    /// Adds an evaluation of check `check` begun at `started` within `scope`.
    #[inline]
    pub(crate) fn record(&self, check: usize, started: Option<Instant>, scope: &Scope) {
        if let (Some(counters), Some(started)) = (&self.counters, started)
            && let Some(counter) = counters.get(check)
        {
            counter.nanos.fetch_add(nanos(started.elapsed()), Ordering::Relaxed);
            counter.steps.fetch_add(scope.spent(), Ordering::Relaxed);
        }
    }

    /// Adds time spent building the resource graph.
    pub(crate) fn record_graph(&self, started: Option<Instant>) {
        add_since(&self.graph_nanos, started);
    }

    /// Adds time spent building the indexes over events before the checks ran.
    pub(crate) fn record_indexes(&self, started: Option<Instant>) {
        add_since(&self.index_nanos, started);
    }

    /// The costs of the checks `ran` (`(index, id, kind)`), or `None` when profiling is off.
    pub(crate) fn report<'a>(&self, ran: impl Iterator<Item = (usize, &'a str, CheckKind)>) -> Option<Profile> {
        let counters = self.counters.as_ref()?;
        let checks = ran
            .map(|(i, id, kind)| CheckCost {
                id: id.to_owned(),
                kind,
                steps: counters[i].steps.load(Ordering::Relaxed),
                time: Duration::from_nanos(counters[i].nanos.load(Ordering::Relaxed)),
            })
            .collect();
        let total = |phase: &AtomicU64| Duration::from_nanos(phase.load(Ordering::Relaxed));
        Some(Profile { checks, graph: total(&self.graph_nanos), indexes: total(&self.index_nanos) })
    }
}

fn add_since(phase: &AtomicU64, started: Option<Instant>) {
    if let Some(started) = started {
        phase.fetch_add(nanos(started.elapsed()), Ordering::Relaxed);
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
