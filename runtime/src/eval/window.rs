//! The sliding window of one alarm group: the one state machine both the batch evaluator
//! (`alarm`: a group's hits sorted, fed, flushed) and the stream evaluator (`stream`: hits fed
//! as the watermark releases them) cut bursts with, so the two cannot disagree.
//!
//! Semantics (the module doc of `alarm` states them for users): hits arrive in time order. A
//! window of length `W` is any closed interval `[t, t + W]`. The first hit at which the hits
//! within `W` before it reach the threshold opens a burst that starts at the window's first
//! hit; every later hit within `W` of that start joins it; the first hit past it closes the
//! burst and starts afresh (bursts never overlap). Without `within`, `W` is unbounded: a
//! group has at most one burst.

use std::collections::{HashMap, VecDeque};

use super::alarm::{EVIDENCE_CAP, Grouping, Hit};
use crate::snapshot::Seeded;
use crate::value::{ArcStr, Micros, Record};

/// A burst: its first hits (as many as a finding lists), how many it has, and its last time.
/// Later hits are counted, not kept, so an open burst holds bounded memory.
#[derive(Debug)]
pub(crate) struct Burst<E = Record> {
    pub(crate) hits: Vec<Hit<E>>,
    pub(crate) count: usize,
    pub(crate) last: Micros,
    /// The count when the stream last reported this burst (`None`: never reported).
    pub(crate) reported: Option<usize>,
}

impl<E> Burst<E> {
    fn open(hits: impl ExactSizeIterator<Item = Hit<E>>) -> Burst<E> {
        let count = hits.len();
        let hits: Vec<Hit<E>> = hits.collect();
        let last = hits.last().map_or(0, |h| h.time);
        let mut burst = Burst { hits, count, last, reported: None };
        burst.hits.truncate(EVIDENCE_CAP);
        burst
    }

    /// The one-event "burst" of an alarm without grouping.
    pub(crate) fn single(hit: Hit<E>) -> Burst<E> {
        Burst::open(std::iter::once(hit))
    }

    /// The time of its first hit: with the rule and group key, what identifies it.
    pub(crate) fn start(&self) -> Micros {
        self.hits.first().map_or(0, |h| h.time)
    }

    fn add(&mut self, hit: Hit<E>) {
        self.count += 1;
        self.last = hit.time;
        if self.hits.len() < EVIDENCE_CAP {
            self.hits.push(hit);
        }
    }
}

/// One group's state: the hits that may still start a burst (all within `W` of the first),
/// their distinct values with multiplicities, and the open burst. While a burst is open no
/// hit is pending: the scan resumes only after it closes.
#[derive(Debug)]
pub(crate) struct Window<E = Record> {
    pending: VecDeque<Hit<E>>,
    distinct: HashMap<ArcStr, usize, Seeded>,
    open: Option<Burst<E>>,
}

impl<E> Default for Window<E> {
    fn default() -> Self {
        Window { pending: VecDeque::new(), distinct: HashMap::default(), open: None }
    }
}

/// Whether time `t` falls in the window that starts at `start`.
fn within(start: Micros, t: Micros, window: Micros) -> bool {
    t.saturating_sub(start) <= window
}

impl<E> Window<E> {
    /// Feeds the next hit (not earlier than any fed before); the burst it closes, if any.
    pub(crate) fn push(&mut self, hit: Hit<E>, grouping: &Grouping) -> Option<Burst<E>> {
        let closed = match &mut self.open {
            Some(burst) if within(burst.start(), hit.time, grouping.window) => {
                burst.add(hit);
                return None;
            }
            Some(_) => self.open.take(),
            None => None,
        };
        self.slide(hit.time, grouping.window);
        if let Some(d) = &hit.distinct {
            *self.distinct.entry(d.clone()).or_insert(0) += 1;
        }
        self.pending.push_back(hit);
        let measure = if grouping.distinct.is_some() { self.distinct.len() } else { self.pending.len() };
        if measure >= grouping.at_least {
            self.distinct.clear();
            self.open = Some(Burst::open(self.pending.drain(..)));
        }
        closed
    }

    /// Drops the pending hits no hit at `time` or later can share a window with.
    fn slide(&mut self, time: Micros, window: Micros) {
        while let Some(front) = self.pending.front()
            && !within(front.time, time, window)
        {
            if let Some(old) = self.pending.pop_front()
                && let Some(d) = old.distinct
                && let Some(n) = self.distinct.get_mut(&d)
            {
                *n -= 1;
                if *n == 0 {
                    self.distinct.remove(&d);
                }
            }
        }
    }

    /// Moves the window to `clock`, when every later hit will be at `clock` or after: the open
    /// burst closes if `clock` is past its window (returned), and pending hits too old to
    /// share a window with a later hit are dropped. What the next `push` would do anyway, done
    /// early so memory and emission do not wait for the group's next hit.
    pub(crate) fn advance(&mut self, clock: Micros, grouping: &Grouping) -> Option<Burst<E>> {
        if self.open.as_ref().is_some_and(|b| !within(b.start(), clock, grouping.window)) {
            return self.open.take();
        }
        self.slide(clock, grouping.window);
        None
    }

    /// End of input: the open burst, if any; pending hits never reached the threshold.
    pub(crate) fn flush(&mut self) -> Option<Burst<E>> {
        self.pending.clear();
        self.distinct.clear();
        self.open.take()
    }

    /// The open burst, to report it when it opens or grows.
    pub(crate) fn open_burst(&mut self) -> Option<&mut Burst<E>> {
        self.open.as_mut()
    }

    /// The earliest time the window still depends on (the open burst's start, else the
    /// oldest pending hit); `None` when it holds nothing.
    pub(crate) fn oldest(&self) -> Option<Micros> {
        match &self.open {
            Some(burst) => Some(burst.start()),
            None => self.pending.front().map(|h| h.time),
        }
    }

    /// The bursts of a group's hits, sorted by time first (stable: equal times keep input
    /// order): the batch evaluator's whole use of the window.
    pub(crate) fn bursts(mut hits: Vec<Hit<E>>, grouping: &Grouping) -> Vec<Burst<E>> {
        hits.sort_by_key(|h| h.time);
        let mut window = Window::default();
        let mut out: Vec<Burst<E>> = hits.into_iter().filter_map(|h| window.push(h, grouping)).collect();
        out.extend(window.flush());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::exec::X;
    use crate::value::MICROS_PER_SECOND;

    fn hits(times: &[i64]) -> Vec<Hit> {
        times
            .iter()
            .map(|t| Hit {
                event: Record::new(0, [], None),
                time: t * MICROS_PER_SECOND,
                key: "k".into(),
                distinct: None,
            })
            .collect()
    }

    fn grouping(window_secs: i64, at_least: usize) -> Grouping {
        Grouping { key: X::Now, window: window_secs * MICROS_PER_SECOND, distinct: None, at_least }
    }

    fn sizes(hits: Vec<Hit>, g: &Grouping) -> Vec<usize> {
        Window::bursts(hits, g).iter().map(|b| b.count).collect()
    }

    fn burst_sizes(times: &[i64], window: i64, n: usize) -> Vec<usize> {
        sizes(hits(times), &grouping(window, n))
    }

    #[test]
    fn exactly_at_the_threshold_fires_and_one_short_does_not() {
        assert_eq!(burst_sizes(&[0, 10, 20], 60, 3), vec![3]);
        assert_eq!(burst_sizes(&[0, 10], 60, 3), Vec::<usize>::new());
    }

    #[test]
    fn windows_slide_rather_than_bucket() {
        // 58..62 straddles a minute boundary: still one 60-second window.
        assert_eq!(burst_sizes(&[58, 59, 61, 62], 60, 4), vec![4]);
        // Spread wider than the window never fires.
        assert_eq!(burst_sizes(&[0, 40, 80, 120], 60, 3), Vec::<usize>::new());
    }

    #[test]
    fn the_window_edge_is_inclusive_and_bursts_do_not_overlap() {
        assert_eq!(burst_sizes(&[0, 60], 60, 2), vec![2]);
        assert_eq!(burst_sizes(&[0, 1, 2, 3, 500, 501], 60, 2), vec![4, 2]);
    }

    #[test]
    fn unsorted_hits_are_ordered_by_time_first() {
        // 500 and 0..3 arrive interleaved: sorted, 0..3 is one burst and 500 stays alone.
        let found = Window::bursts(hits(&[3, 500, 0, 2, 1]), &grouping(60, 4));
        let times: Vec<Vec<i64>> =
            found.iter().map(|b| b.hits.iter().map(|h| h.time / MICROS_PER_SECOND).collect()).collect();
        assert_eq!(times, vec![vec![0, 1, 2, 3]]);
    }

    #[test]
    fn without_within_the_whole_log_is_one_window() {
        let g = Grouping { window: Micros::MAX, ..grouping(0, 3) };
        assert_eq!(sizes(hits(&[0, 86_400, 864_000]), &g), vec![3]);
    }

    #[test]
    fn distinct_counts_values_in_the_window() {
        let mut owned = hits(&[0, 1, 2, 3]);
        for (h, v) in owned.iter_mut().zip(["a", "a", "b", "c"]) {
            h.distinct = Some(v.into());
        }
        let g = Grouping { key: X::Now, window: 60 * MICROS_PER_SECOND, distinct: Some(X::Now), at_least: 3 };
        let again: Vec<Hit> = owned.iter().map(Hit::clone).collect();
        assert_eq!(sizes(owned, &g), vec![4]);
        assert!(sizes(again, &Grouping { at_least: 4, ..g }).is_empty());
    }

    #[test]
    fn a_burst_keeps_the_evidence_cap_and_counts_the_rest() {
        let times: Vec<i64> = (0..50).collect();
        let found = Window::bursts(hits(&times), &grouping(3600, 2));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].count, found[0].hits.len(), found[0].last), (50, EVIDENCE_CAP, 49 * MICROS_PER_SECOND));
    }

    #[test]
    fn advancing_the_clock_closes_what_a_later_hit_would() {
        let g = grouping(60, 2);
        let mut w = Window::default();
        for h in hits(&[0, 10]) {
            assert!(w.push(h, &g).is_none());
        }
        assert!(w.advance(60 * MICROS_PER_SECOND, &g).is_none(), "the edge is inclusive");
        let closed = w.advance(61 * MICROS_PER_SECOND, &g).map(|b| b.count);
        assert_eq!(closed, Some(2));
        assert_eq!(w.oldest(), None);
        // A lone pending hit is dropped once no later hit can share its window.
        let mut w = Window::default();
        let _ = w.push(hits(&[0]).remove(0), &g);
        let _ = w.advance(61 * MICROS_PER_SECOND, &g);
        assert_eq!(w.oldest(), None);
    }
}
