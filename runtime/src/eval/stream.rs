//! Alarms on a live event stream: the same compiled `alarm` items, fed one event at a time.
//!
//! Each event is judged on arrival (`where`, `when`, key, distinct value) exactly as the batch
//! evaluator judges it. An alarm without grouping reports at once: it needs no order. Hits of
//! a grouped alarm wait in a buffer ordered by event time until the watermark (the newest
//! event time seen minus the allowed lateness) passes them, then feed their group's
//! [`Window`] — the state machine the batch evaluator uses — in time order.
//!
//! Emission: a burst is reported when it opens (reaches its threshold), and reported again,
//! with the same id, when it closes (the watermark passes its window, or end of input) if
//! events joined it since. Keeping the last record per id gives exactly the batch findings;
//! the first record comes as soon as the alarm fires, which is what a live key leak needs.
//!
//! Memory: a group holds the hits within one window of its oldest (at most the threshold's
//! worth for `count`), and an open burst only its first [`super::alarm::EVIDENCE_CAP`] hits.
//! A group is dropped once the watermark is a window past it; past `max_groups`, the group
//! whose window ends first is evicted (its open burst reported if it grew) and counted.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use super::alarm::{self, Hit, Texts};
use super::budget::Scope;
use super::dispatch::Scratch;
use super::window::{Burst, Window};
use super::{CheckError, Engine};
use crate::plan::{Check, CheckKind, Plan};
use crate::report::Finding;
use crate::value::{ArcStr, Micros, Record, Value};

/// How far out of order events may arrive, and how many groups may be held.
#[derive(Clone, Copy, Debug)]
pub struct StreamOptions {
    /// An event older than the newest seen by more than this is late: it still raises the
    /// alarms without grouping, but joins no window (counted in [`StreamStats::late`]).
    pub lateness: Micros,
    /// Groups held at most; beyond, the group whose window ends first is evicted.
    pub max_groups: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions { lateness: 0, max_groups: 100_000 }
    }
}

/// Counters for an operator's stats line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    pub events: u64,
    pub late: u64,
    /// Groups holding window state now.
    pub groups: usize,
    /// Events waiting for the watermark.
    pub buffered: usize,
    pub evicted: u64,
    /// Findings reported (an update of a burst counts again).
    pub emitted: u64,
}

/// An alarm finding with its id: a hash of the rule, the group key (the event itself for an
/// alarm without grouping) and the burst's start, equal for every report of one burst.
#[derive(Clone, Debug)]
pub struct StreamFinding {
    pub id: String,
    pub finding: Finding,
}

/// What one step of the stream produced.
#[derive(Debug, Default)]
pub struct Emitted {
    pub findings: Vec<StreamFinding>,
    pub errors: Vec<CheckError>,
    /// The event pushed was late (see [`StreamOptions::lateness`]).
    pub late: bool,
}

struct Group {
    window: Window,
    /// When the watermark passing it changes the window: its oldest time plus the window.
    deadline: Option<Micros>,
}

type GroupKey = (usize, ArcStr);

/// The incremental evaluator. It holds no engine: each call is given the engine of the
/// current context snapshot, which may be replaced between calls (same plan).
pub struct AlarmStream {
    /// The selected alarms, as indexes of the plan's checks, ascending.
    alarms: Vec<usize>,
    /// Memory for picking the alarms an event can interest.
    scratch: Scratch,
    texts: Texts,
    options: StreamOptions,
    /// Grouped hits by (event time, arrival), waiting for the watermark.
    buffer: BTreeMap<(Micros, u64), Vec<(usize, Hit)>>,
    arrivals: u64,
    newest: Option<Micros>,
    watermark: Micros,
    groups: HashMap<GroupKey, Group>,
    /// Groups by deadline: what to expire as the watermark moves, and whom to evict first.
    deadlines: BTreeSet<(Micros, usize, ArcStr)>,
    stats: StreamStats,
}

impl std::fmt::Debug for AlarmStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlarmStream").field("alarms", &self.alarms).field("stats", &self.stats()).finish()
    }
}

impl AlarmStream {
    /// A stream over the plan's alarms that `select` keeps.
    pub fn new(plan: &Plan, select: impl Fn(&Check) -> bool, options: StreamOptions) -> AlarmStream {
        let alarms = plan
            .checks
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == CheckKind::Alarm && select(c))
            .map(|(i, _)| i)
            .collect();
        AlarmStream {
            alarms,
            scratch: Scratch::default(),
            texts: Texts::default(),
            options,
            buffer: BTreeMap::new(),
            arrivals: 0,
            newest: None,
            watermark: Micros::MIN,
            groups: HashMap::new(),
            deadlines: BTreeSet::new(),
            stats: StreamStats::default(),
        }
    }

    /// An event's time as the stream orders it (0 when it has none).
    pub fn time_of(engine: &Engine<'_>, event: &Record) -> Micros {
        match engine.natives.field_index(event.ty(), "time").and_then(|i| event.fields().get(i)) {
            Some(Value::Time(t)) => *t,
            _ => 0,
        }
    }

    /// The event time every hit at or before which has been released into its window: an
    /// event no later than this has raised all it will on arrival, so a source may consider it
    /// done (a Kafka source commits up to it).
    pub fn watermark(&self) -> Micros {
        self.watermark
    }

    /// The counters now.
    pub fn stats(&self) -> StreamStats {
        StreamStats { groups: self.groups.len(), buffered: self.buffer.values().map(Vec::len).sum(), ..self.stats }
    }

    /// Judges one event (a record of the engine's plan) and moves the watermark to it.
    pub fn push(&mut self, engine: &Engine<'_>, event: Record) -> Emitted {
        self.stats.events += 1;
        let time_index = engine.natives.field_index(event.ty(), "time");
        let time = AlarmStream::time_of(engine, &event);
        let mut out = Emitted { late: time < self.watermark, ..Emitted::default() };
        if out.late {
            self.stats.late += 1;
        }
        let mut held = Vec::new();
        let candidates = match engine.dispatch.get(&event.ty()) {
            Some(dispatch) => dispatch.candidates(&event, &mut self.scratch),
            None => &[],
        };
        for &i in candidates.iter().filter(|i| self.alarms.binary_search(i).is_ok()) {
            let check = &engine.plan.checks[i];
            let prepared = &engine.checks[i];
            let mut frame = vec![Value::None; check.locals.max(1) as usize];
            let judged = {
                let _budget = Scope::enter(&engine.budget);
                alarm::judged_hit(engine, prepared, &event, || event.clone(), time_index, &mut frame, &mut self.texts)
                    .map(Result::ok)
            };
            match judged {
                Ok(None) => {}
                Ok(Some(hit)) if prepared.group.is_none() => {
                    let id = burst_id(&check.id, &engine.to_json(&Value::Record(hit.event.clone())).to_string(), time);
                    report(engine, i, id, &mut Burst::single(hit), &mut out);
                }
                Ok(Some(hit)) => {
                    if !out.late {
                        held.push((i, hit));
                    }
                }
                Err(e) => out.errors.push(CheckError {
                    rule: check.id.clone(),
                    subject: alarm::event_subject(engine, &event),
                    message: e.0,
                }),
            }
        }
        if !held.is_empty() {
            self.buffer.insert((time, self.arrivals), held);
            self.arrivals += 1;
        }
        if !out.late && self.newest.is_none_or(|n| time > n) {
            self.newest = Some(time);
            self.watermark = self.watermark.max(time.saturating_sub(self.options.lateness));
        }
        self.release(engine, &mut out);
        self.stats.emitted += out.findings.len() as u64;
        out
    }

    /// The source is quiet: stop waiting for stragglers and move the watermark to the newest
    /// event seen, releasing every buffered hit. A live stream calls this after a pause, so an
    /// alarm does not wait for the next event to be released; an event older than the newest
    /// arriving afterwards is late.
    pub fn idle(&mut self, engine: &Engine<'_>) -> Emitted {
        let mut out = Emitted::default();
        if let Some(newest) = self.newest
            && newest > self.watermark
        {
            self.watermark = newest;
            self.release(engine, &mut out);
            self.stats.emitted += out.findings.len() as u64;
        }
        out
    }

    /// End of input: every buffered hit is fed and every open burst reported (if it grew
    /// since it was). The stream is empty afterwards.
    pub fn flush(&mut self, engine: &Engine<'_>) -> Emitted {
        let mut out = Emitted::default();
        while let Some((_, hits)) = self.buffer.pop_first() {
            for (i, hit) in hits {
                self.feed(engine, i, hit, &mut out);
            }
        }
        while let Some((_, i, key)) = self.deadlines.pop_first() {
            if let Some(mut group) = self.groups.remove(&(i, key.clone()))
                && let Some(mut burst) = group.window.flush()
            {
                report(engine, i, group_id(engine, i, &key, &burst), &mut burst, &mut out);
            }
        }
        self.groups.clear();
        self.stats.emitted += out.findings.len() as u64;
        out
    }

    /// Feeds the buffered hits the watermark has passed, in time order, then closes what the
    /// watermark has moved past.
    fn release(&mut self, engine: &Engine<'_>, out: &mut Emitted) {
        while let Some(entry) = self.buffer.first_entry()
            && entry.key().0 <= self.watermark
        {
            for (i, hit) in entry.remove() {
                self.feed(engine, i, hit, out);
            }
        }
        while self.deadlines.first().is_some_and(|(deadline, _, _)| *deadline < self.watermark) {
            let Some((_, i, key)) = self.deadlines.pop_first() else { break };
            let Some(group) = self.groups.get_mut(&(i, key.clone())) else { continue };
            group.deadline = None;
            if let Some(grouping) = engine.checks[i].group.as_ref()
                && let Some(mut burst) = group.window.advance(self.watermark, grouping)
            {
                report(engine, i, group_id(engine, i, &key, &burst), &mut burst, out);
            }
            self.reindex(engine, (i, key));
        }
    }

    /// One released hit into its group's window; reports the burst it closes or opens.
    fn feed(&mut self, engine: &Engine<'_>, i: usize, hit: Hit, out: &mut Emitted) {
        let Some(grouping) = engine.checks[i].group.as_ref() else { return };
        let key: GroupKey = (i, hit.key.clone());
        let fresh = !self.groups.contains_key(&key);
        let group = self.groups.entry(key.clone()).or_insert(Group { window: Window::default(), deadline: None });
        if let Some(mut closed) = group.window.push(hit, grouping) {
            report(engine, i, group_id(engine, i, &key.1, &closed), &mut closed, out);
        }
        if let Some(open) = group.window.open_burst()
            && open.reported.is_none()
        {
            let id = group_id(engine, i, &key.1, open);
            report(engine, i, id, open, out);
        }
        self.reindex(engine, key);
        if fresh && self.groups.len() > self.options.max_groups {
            self.evict(engine, out);
        }
    }

    /// Drops the group whose window ends first, reporting its open burst if it grew.
    fn evict(&mut self, engine: &Engine<'_>, out: &mut Emitted) {
        let Some((_, i, key)) = self.deadlines.pop_first() else { return };
        if let Some(mut group) = self.groups.remove(&(i, key.clone()))
            && let Some(mut burst) = group.window.flush()
        {
            report(engine, i, group_id(engine, i, &key, &burst), &mut burst, out);
        }
        self.stats.evicted += 1;
    }

    /// Files a group under its new deadline, or drops it when its window holds nothing.
    fn reindex(&mut self, engine: &Engine<'_>, key: GroupKey) {
        let Some(group) = self.groups.get_mut(&key) else { return };
        if let Some(old) = group.deadline.take() {
            self.deadlines.remove(&(old, key.0, key.1.clone()));
        }
        let window = engine.checks[key.0].group.as_ref().map_or(0, |g| g.window);
        match group.window.oldest() {
            Some(oldest) => {
                let deadline = oldest.saturating_add(window);
                group.deadline = Some(deadline);
                self.deadlines.insert((deadline, key.0, key.1));
            }
            None => {
                self.groups.remove(&key);
            }
        }
    }
}

/// Reports a burst unless it was already reported at its present size.
fn report(engine: &Engine<'_>, i: usize, id: String, burst: &mut Burst, out: &mut Emitted) {
    if burst.reported == Some(burst.count) {
        return;
    }
    burst.reported = Some(burst.count);
    match alarm::finding(engine, i, burst) {
        Ok(finding) => out.findings.push(StreamFinding { id, finding }),
        Err(e) => out.errors.push(e),
    }
}

fn group_id(engine: &Engine<'_>, i: usize, key: &str, burst: &Burst) -> String {
    burst_id(&engine.plan.checks[i].id, key, burst.start())
}

/// The id of a burst: 32 hex digits of SHA-256 over the rule, the key and the start time.
/// A hash rather than the parts, so a key that IP hiding masks is not spelled out in it.
fn burst_id(rule: &str, key: &str, start: Micros) -> String {
    let mut hash = Sha256::new();
    hash.update(rule.as_bytes());
    hash.update([0]);
    hash.update(key.as_bytes());
    hash.update([0]);
    hash.update(start.to_be_bytes());
    hex::encode(&hash.finalize()[..16])
}
