//! Alarms: per-event conditions, grouping, and sliding windows.
//!
//! Window semantics: within a group, events are ordered by time. A window of length `W` is
//! any closed interval `[t, t + W]`; the alarm fires for the group when some window holds
//! enough matching events (`count >= N`) or enough distinct values (`distinct(e) >= N`) —
//! not fixed clock buckets. Bursts do not overlap: scanning in time order, the first event
//! at which a window ending there reaches the threshold closes a burst that starts at that
//! window's first event and takes every event within `W` of that start; the scan resumes
//! after it. Each burst is one finding. The window itself is `window::Window`, shared with the
//! stream evaluator (`stream`).

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::admission::{Recall, Verdicts};
use super::budget::Scope;
use super::dispatch::Scratch;
use super::exec::{PrepareError, Preparer, X};
use super::window::{Burst, Window};
use super::{CheckError, Engine, EvalError, Prepared, Verdict};
use crate::plan::{self, Check};
use crate::pool::Pool;
use crate::report::{Finding, FindingKind, Subject};
use crate::snapshot::Seeded;
use crate::value::{ArcStr, MICROS_PER_SECOND, Micros, Record, Value};

/// How many triggering events a finding lists; the total is always given.
pub(crate) const EVIDENCE_CAP: usize = 20;

#[derive(Debug)]
pub(crate) struct Grouping {
    pub(super) key: X,
    /// `Micros::MAX` without `within`.
    pub(super) window: Micros,
    pub(super) distinct: Option<X>,
    pub(super) at_least: usize,
}

impl Grouping {
    pub(crate) fn prepare(preparer: &mut Preparer, g: &plan::Grouping) -> Result<Grouping, PrepareError> {
        Ok(Grouping {
            key: preparer.expr(&g.key)?,
            window: g.window_seconds.map_or(Micros::MAX, |s| s.saturating_mul(MICROS_PER_SECOND)),
            distinct: match &g.threshold.measure {
                plan::Measure::Count => None,
                plan::Measure::Distinct(e) => Some(preparer.expr(e)?),
            },
            at_least: usize::try_from(g.threshold.at_least.max(1)).unwrap_or(usize::MAX),
        })
    }
}

impl Grouping {
    pub(crate) fn visit(&self, f: &mut impl FnMut(&X)) {
        super::exec::visit(&self.key, f);
        if let Some(d) = &self.distinct {
            super::exec::visit(d, f);
        }
    }
}

/// One event that passed `where` and `when`, named by an [`Event`].
#[derive(Clone, Debug)]
pub(crate) struct Hit<E = Record> {
    pub(super) event: E,
    pub(super) time: Micros,
    pub(super) key: ArcStr,
    pub(super) distinct: Option<ArcStr>,
}

/// How a hit names its event. The batch evaluator names it by its row in the store: holding
/// the record would write its reference count when the hit is made and again when it is
/// dropped, a cache miss per hit on a million scattered events. The stream evaluator holds
/// the record, which no store keeps.
pub(crate) trait Event {
    /// The event's record, given the rows of its type.
    fn record<'a>(&'a self, rows: &'a [Record]) -> &'a Record;
}

impl Event for Record {
    fn record<'a>(&'a self, _: &'a [Record]) -> &'a Record {
        self
    }
}

/// A row of the store.
impl Event for u32 {
    fn record<'a>(&'a self, rows: &'a [Record]) -> &'a Record {
        &rows[*self as usize]
    }
}

/// The grouping keys and distinct values of one part of a pass, each text kept once. A
/// distinct value is often computed per event (`e.service + ":" + e.action`): a million hits
/// of a hundred actions then share a hundred strings instead of holding a million.
#[derive(Default)]
pub(super) struct Texts {
    known: HashSet<ArcStr, Seeded>,
}

/// Texts kept per part of a pass; past it, new texts are used as they come.
const TEXTS_CAPACITY: usize = 1 << 16;

impl Texts {
    /// `value` as text, sharing the storage of an equal text seen before.
    fn text(&mut self, value: Value) -> ArcStr {
        let text = match value {
            // Already shared (a field of the event): kept as it is, without a lookup.
            Value::Str(s) if ArcStr::strong_count(&s).is_some_and(|n| n > 1) => return s,
            Value::Str(s) => s,
            other => ArcStr::from(other.to_string()),
        };
        if let Some(known) = self.known.get(&text) {
            return known.clone();
        }
        if self.known.len() < TEXTS_CAPACITY {
            self.known.insert(text.clone());
        }
        text
    }
}

/// Runs alarms that share an event type (`unit`: check indices, ascending) in one pass over
/// the events: each event is read once and judged by every alarm of `unit` that can fire on it
/// (`dispatch`), then each alarm groups its own hits. The answer per alarm is the one a pass of
/// its own would give (hits keep event order).
pub(super) fn run_all(engine: &Engine<'_>, unit: &[usize]) -> Vec<(Vec<Finding>, Vec<CheckError>)> {
    let Some(&first) = unit.first() else { return Vec::new() };
    let ty = engine.plan.checks[first].subject_type;
    debug_assert!(unit.iter().all(|&i| engine.plan.checks[i].subject_type == ty), "one event type per pass");
    let Some(dispatch) = engine.dispatch.get(&ty) else { return Vec::new() };
    // Check index → position in `unit`, for the alarms this pass runs.
    let mut position = vec![None; engine.plan.checks.len()];
    for (k, &i) in unit.iter().enumerate() {
        position[i] = Some(k);
    }
    let rows = engine.store.rows(ty);
    let time_index = engine.natives.field_index(ty, "time");
    // One empty piece per alarm to push into; `append` drops the pieces left empty.
    let piece = || PassHits {
        hits: unit.iter().map(|_| vec![Vec::new()]).collect(),
        errors: unit.iter().map(|_| Vec::new()).collect(),
    };
    // What a part of the pass learns (refusals, shared texts) is handed to the next part
    // rather than learnt again: rayon cuts a million events into dozens of parts.
    let learnt = Pool::default();
    let passed = rows
        .par_iter()
        .enumerate()
        .fold(
            || {
                let (frames, verdicts, scratch, texts) = learnt.take().unwrap_or_else(|| {
                    let frames = unit
                        .iter()
                        .map(|&i| vec![Value::None; engine.plan.checks[i].locals.max(1) as usize])
                        .collect::<Vec<_>>();
                    let verdicts =
                        unit.iter().map(|&i| Verdicts::new(engine.checks[i].admission.as_ref())).collect::<Vec<_>>();
                    (frames, verdicts, Scratch::default(), Texts::default())
                });
                (frames, verdicts, scratch, texts, piece())
            },
            |(mut frames, mut verdicts, mut scratch, mut texts, mut acc), (n, row)| {
                for k in dispatch.candidates(row, &mut scratch).iter().filter_map(|&i| position[i]) {
                    let check = &engine.plan.checks[unit[k]];
                    let started = engine.profiler.start();
                    let budget = Scope::enter(&engine.budget);
                    let judged = match verdicts[k].recall(row) {
                        // Refused before: spend what that judgement spent, and refuse.
                        Recall::Refused(steps) => engine.env().spend(steps).map(|()| None),
                        Recall::Judge(keys) => {
                            let before = super::budget::left();
                            let judged = judged_hit(
                                engine,
                                &engine.checks[unit[k]],
                                row,
                                || n as u32,
                                time_index,
                                &mut frames[k],
                                &mut texts,
                            );
                            if let Ok(Err(verdict)) = &judged {
                                verdicts[k].refused(keys, *verdict, before.saturating_sub(super::budget::left()));
                            }
                            judged.map(Result::ok)
                        }
                    };
                    engine.profiler.record(unit[k], started, &budget);
                    match judged {
                        Ok(Some(h)) => acc.hits[k].last_mut().expect("INVARIANT: a part starts with a piece").push(h),
                        Ok(None) => {}
                        Err(e) => acc.errors[k].push(CheckError {
                            rule: check.id.clone(),
                            subject: event_subject(engine, row),
                            message: e.0,
                        }),
                    }
                }
                (frames, verdicts, scratch, texts, acc)
            },
        )
        .map(|(frames, verdicts, scratch, texts, acc)| {
            learnt.give((frames, verdicts, scratch, texts));
            acc
        })
        .reduce(piece, PassHits::append);
    // Alarms build their findings side by side: an alarm's evidence can call costly natives
    // (`iam.recommended_policy`) and its grouping sorts hundreds of thousands of hits.
    unit.par_iter()
        .zip(passed.hits.into_par_iter().zip(passed.errors))
        .map(|(&i, (hits, errors))| findings(engine, i, hits, errors))
        .collect()
}

/// Per alarm of a pass, its hits and errors in event order. Hits stay in the pieces the
/// parts of the pass made (in order): joining them into one list would copy them all, and an
/// alarm of a million calls can have hundreds of thousands.
struct PassHits {
    hits: Vec<Vec<Vec<Hit<u32>>>>,
    errors: Vec<Vec<CheckError>>,
}

impl PassHits {
    /// `self` then `later`: rayon reduces adjacent parts in order, so event order is kept.
    fn append(mut self, later: PassHits) -> PassHits {
        for (mine, theirs) in self.hits.iter_mut().zip(later.hits) {
            mine.extend(theirs.into_iter().filter(|piece| !piece.is_empty()));
        }
        for (mine, theirs) in self.errors.iter_mut().zip(later.errors) {
            mine.extend(theirs);
        }
        self
    }
}

/// One alarm's findings from its hits: one per hit without grouping, else one per burst of
/// each group, groups in the order of their keys. Groups (or hits) are made into findings in
/// parallel; the order is the sequential one.
fn findings(
    engine: &Engine<'_>,
    index: usize,
    pieces: Vec<Vec<Hit<u32>>>,
    mut errors: Vec<CheckError>,
) -> (Vec<Finding>, Vec<CheckError>) {
    let prepared = &engine.checks[index];
    let made: Vec<Result<Finding, CheckError>> = match &prepared.group {
        None => pieces
            .into_par_iter()
            .flat_map_iter(|piece| piece.into_iter().map(|h| finding(engine, index, &Burst::single(h))))
            .collect(),
        Some(grouping) => {
            // Each piece is freed once its hits have moved into their groups.
            let mut groups: HashMap<ArcStr, Vec<Hit<u32>>, Seeded> = HashMap::default();
            for h in pieces.into_iter().flatten() {
                groups.entry(h.key.clone()).or_default().push(h);
            }
            let mut groups: Vec<(ArcStr, Vec<Hit<u32>>)> = groups.into_iter().collect();
            groups.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
            groups
                .into_par_iter()
                .flat_map_iter(|(_, members)| {
                    Window::bursts(members, grouping).into_iter().map(|burst| finding(engine, index, &burst))
                })
                .collect()
        }
    };
    let mut findings = Vec::with_capacity(made.len());
    for result in made {
        match result {
            Ok(f) => findings.push(f),
            Err(e) => errors.push(e),
        }
    }
    (findings, errors)
}

/// The event's hit for this alarm, naming the event by what `name` gives, or which of
/// `where` and `when` turned it away.
pub(super) fn judged_hit<E>(
    engine: &Engine<'_>,
    prepared: &Prepared,
    row: &Record,
    name: impl FnOnce() -> E,
    time_index: Option<usize>,
    frame: &mut Vec<Value>,
    texts: &mut Texts,
) -> Result<Result<Hit<E>, Verdict>, EvalError> {
    let verdict = engine.judge(prepared, row, frame)?;
    if verdict != Verdict::Fires {
        return Ok(Err(verdict));
    }
    let env = engine.env();
    let time = match time_index.and_then(|i| row.fields().get(i)) {
        Some(Value::Time(t)) => *t,
        _ => 0,
    };
    let (key, distinct) = match &prepared.group {
        Some(g) => {
            let key = texts.text(env.eval(&g.key, frame)?);
            (key, g.distinct.as_ref().map(|d| env.eval(d, frame)).transpose()?.map(|d| texts.text(d)))
        }
        None => (ArcStr::new(), None),
    };
    Ok(Ok(Hit { event: name(), time, key, distinct }))
}

/// The grouping key resolved to its asset when one has that id (e.g. the AccessKey),
/// else the key itself under the type `group`.
fn group_subject(engine: &Engine<'_>, key: &str) -> Subject {
    for (i, t) in engine.plan.types.iter().enumerate() {
        if t.kind == plan::TypeKind::Asset && engine.store.get(i as u32, key).is_some() {
            return Subject::new(t.name.clone(), key.to_owned());
        }
    }
    Subject::new("group".to_owned(), key.to_owned())
}

pub(super) fn event_subject(engine: &Engine<'_>, event: &Record) -> Subject {
    let ty = engine.plan.types.get(event.ty() as usize).map_or_else(String::new, |t| t.name.clone());
    let time = engine
        .natives
        .field_index(event.ty(), "time")
        .and_then(|i| event.fields().get(i))
        .map_or_else(String::new, |v| v.to_string());
    Subject::new(ty, time)
}

/// One finding for a burst: message and evidence from its first event, plus the events. The
/// subject is the group (its key), or the event itself for an alarm without grouping.
pub(super) fn finding<E: Event>(engine: &Engine<'_>, index: usize, burst: &Burst<E>) -> Result<Finding, CheckError> {
    let started = engine.profiler.start();
    let budget = Scope::enter(&engine.budget);
    let made = burst_finding(engine, &engine.plan.checks[index], &engine.checks[index], burst);
    engine.profiler.record(index, started, &budget);
    made
}

/// [`finding`] within the budget scope it opened.
fn burst_finding<E: Event>(
    engine: &Engine<'_>,
    check: &Check,
    prepared: &Prepared,
    burst: &Burst<E>,
) -> Result<Finding, CheckError> {
    let Some(first) = burst.hits.first() else {
        return Err(CheckError {
            rule: check.id.clone(),
            subject: Subject::new("group".to_owned(), String::new()),
            message: "an empty burst".to_owned(),
        });
    };
    let rows = engine.store.rows(check.subject_type);
    let subject = match prepared.group {
        Some(_) => group_subject(engine, &first.key),
        None => event_subject(engine, first.event.record(rows)),
    };
    let error = |e: EvalError| CheckError { rule: check.id.clone(), subject: subject.clone(), message: e.0 };
    let mut frame = vec![Value::None; check.locals.max(1) as usize];
    frame[0] = Value::Record(first.event.record(rows).clone());
    let env = engine.env();
    for (i, x) in prepared.lets.iter().enumerate() {
        frame[1 + i] = env.eval(x, &mut frame).map_err(error)?;
    }
    let events: Vec<serde_json::Value> = burst
        .hits
        .iter()
        .take(EVIDENCE_CAP)
        .map(|h| engine.to_json(&Value::Record(h.event.record(rows).clone())))
        .collect();
    let name = if engine.plan.types.get(check.subject_type as usize).is_some_and(|t| t.name == "ApiCall") {
        "calls"
    } else {
        "events"
    };
    let extra = vec![
        (name.to_owned(), serde_json::Value::Array(events)),
        ("count".to_owned(), serde_json::Value::from(burst.count)),
        ("first_seen".to_owned(), serde_json::Value::String(crate::value::format_time(first.time))),
        ("last_seen".to_owned(), serde_json::Value::String(crate::value::format_time(burst.last))),
    ];
    engine.finding(check, prepared, &mut frame, FindingKind::Alarm, subject.clone(), extra).map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_string() {
        let mut texts = Texts::default();
        let first = texts.text(Value::str("cvm:DescribeInstances"));
        let again = texts.text(Value::str("cvm:DescribeInstances"));
        assert!(ArcStr::ptr_eq(&first, &again), "the second, computed apart, is the first's storage");
        assert_eq!(&*texts.text(Value::Int(7)), "7", "other values as their text");
        let other = texts.text(Value::str("cos:GetObject"));
        assert!(!ArcStr::ptr_eq(&first, &other));
        assert_eq!(&*other, "cos:GetObject");
    }
}
