//! Showing each event only to the alarms that can fire on it.
//!
//! Most alarms over API calls name the calls they watch in their `where` clause:
//! `where e.success and events.is_call_to(e, trail_changes)`. Such a clause is false for every
//! call outside the list, so the alarm need not be judged on it. When the engine starts, each
//! alarm's `where` is searched for the `service:action` lists it requires (through `and`, `or`
//! and the functions it calls, `std.ak.is_sensitive` among them); at run time a call's own
//! `service:action` picks, with one hash lookup, the few alarms its API can interest, and the
//! alarms that name no list see every event as before. The findings are those of judging
//! every alarm on every event: a skipped judgement could only have said "no".

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Engine;
use super::exec::{Native, X};
use crate::plan::{BinaryOp, CheckKind, TypeIdx};
use crate::snapshot::Seeded;
use crate::value::{Record, Value};

/// How deep the search follows function calls (the language has no recursion; this only
/// bounds the work on very deep call chains).
const CALL_DEPTH: usize = 16;

/// For the alarms of one event type, which of them each event can interest.
#[derive(Debug)]
pub(super) struct Dispatch {
    /// Lower-cased `service:action` → the gated alarms (check indices, ascending) whose lists
    /// hold it.
    by_api: HashMap<Box<str>, Vec<usize>, Seeded>,
    /// Alarms whose `where` names no list: shown every event.
    ungated: Vec<usize>,
    /// The event type's `service` and `action` fields; `None` when no alarm is gated.
    api_fields: Option<(usize, usize)>,
}

/// A thread's reusable memory for [`Dispatch::candidates`].
#[derive(Debug, Default)]
pub(super) struct Scratch {
    api: String,
    chosen: Vec<usize>,
}

impl Dispatch {
    /// A dispatch per event type over the plan's alarms, once the engine's constants are
    /// known (the lists are constants).
    pub(super) fn for_plan(engine: &Engine<'_>) -> BTreeMap<TypeIdx, Dispatch> {
        let mut alarms: BTreeMap<TypeIdx, Vec<(usize, Option<&X>)>> = BTreeMap::new();
        for (i, check) in engine.plan.checks.iter().enumerate().filter(|(_, c)| c.kind == CheckKind::Alarm) {
            alarms.entry(check.subject_type).or_default().push((i, engine.checks[i].filter.as_ref()));
        }
        alarms.into_iter().map(|(ty, filters)| (ty, Dispatch::new(engine, ty, filters))).collect()
    }

    /// The dispatch for `filters`: the `where` clauses of alarms over `ty`, by check index.
    fn new(engine: &Engine<'_>, ty: TypeIdx, filters: Vec<(usize, Option<&X>)>) -> Self {
        let fields = engine.natives.field_index(ty, "service").zip(engine.natives.field_index(ty, "action"));
        let mut by_api: HashMap<Box<str>, Vec<usize>, Seeded> = HashMap::default();
        let mut ungated = Vec::new();
        for (i, filter) in filters {
            let apis = fields.and(filter).and_then(|x| required_apis(engine, x, &|slot| slot == 0, CALL_DEPTH));
            match apis {
                Some(apis) => {
                    for api in apis {
                        by_api.entry(api.into_boxed_str()).or_default().push(i);
                    }
                }
                None => ungated.push(i),
            }
        }
        let api_fields = if by_api.is_empty() { None } else { fields };
        Dispatch { by_api, ungated, api_fields }
    }

    /// The gated alarms (check indices) with the `service:action`s each is shown, sorted.
    pub(super) fn gated(&self) -> BTreeMap<usize, BTreeSet<&str>> {
        let mut gated: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
        for (api, alarms) in &self.by_api {
            for &i in alarms {
                gated.entry(i).or_default().insert(api);
            }
        }
        gated
    }

    /// The alarms (check indices, ascending) that must judge `event`.
    pub(super) fn candidates<'s>(&self, event: &Record, scratch: &'s mut Scratch) -> &'s [usize] {
        scratch.chosen.clear();
        scratch.chosen.extend_from_slice(&self.ungated);
        if let Some((service, action)) = self.api_fields
            && let (Some(Value::Str(service)), Some(Value::Str(action))) =
                (event.fields().get(service), event.fields().get(action))
        {
            scratch.api.clear();
            scratch.api.push_str(service);
            scratch.api.push(':');
            scratch.api.push_str(action);
            scratch.api.make_ascii_lowercase();
            if let Some(gated) = self.by_api.get(scratch.api.as_str()) {
                scratch.chosen.extend_from_slice(gated);
                scratch.chosen.sort_unstable();
            }
        }
        &scratch.chosen
    }
}

/// The lower-cased `service:action`s one of which the event must call for `x` to hold, when
/// `x` says so; `None` when it does not. `is_event` tells which local slots hold the event.
fn required_apis(engine: &Engine<'_>, x: &X, is_event: &dyn Fn(u32) -> bool, depth: usize) -> Option<BTreeSet<String>> {
    match x {
        X::Native { native: Native::IsCallTo, args } => match args.as_slice() {
            [X::Local(slot), list] if is_event(*slot) => api_list(engine, list),
            _ => None,
        },
        X::Binary { op: BinaryOp::And, lhs, rhs } => {
            match (required_apis(engine, lhs, is_event, depth), required_apis(engine, rhs, is_event, depth)) {
                (Some(a), Some(b)) => Some(a.intersection(&b).cloned().collect()),
                (one, None) | (None, one) => one,
            }
        }
        X::Binary { op: BinaryOp::Or, lhs, rhs } => {
            let mut a = required_apis(engine, lhs, is_event, depth)?;
            a.extend(required_apis(engine, rhs, is_event, depth)?);
            Some(a)
        }
        X::Call { function, args } if depth > 0 => {
            let body = &engine.functions.get(*function as usize)?.body;
            let event_params: Vec<u32> = args
                .iter()
                .enumerate()
                .filter(|(_, a)| matches!(a, X::Local(slot) if is_event(*slot)))
                .map(|(p, _)| p as u32)
                .collect();
            if event_params.is_empty() {
                return None;
            }
            required_apis(engine, body, &|slot| event_params.contains(&slot), depth - 1)
        }
        _ => None,
    }
}

/// The entries of a constant list of `service:action` texts, lower-cased; entries without a
/// service name nothing (as `is_call_to` reads them) and are left out.
fn api_list(engine: &Engine<'_>, list: &X) -> Option<BTreeSet<String>> {
    let items: Vec<&Value> = match list {
        X::Const(i) => match engine.consts.get(*i as usize)? {
            Value::List(items) => items.iter().collect(),
            _ => return None,
        },
        X::Value(Value::List(items)) => items.iter().collect(),
        X::List(items) => {
            items.iter().map(|x| if let X::Value(v) = x { Some(v) } else { None }).collect::<Option<_>>()?
        }
        _ => return None,
    };
    let mut apis = BTreeSet::new();
    for item in items {
        let text = item.as_str()?;
        if text.contains(':') {
            apis.insert(text.to_ascii_lowercase());
        }
    }
    Some(apis)
}
