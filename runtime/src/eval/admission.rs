//! Remembered "no" answers of alarms' `where` and `when`.
//!
//! An alarm judges a million events, but what it asks of each usually depends on one or two
//! of the event's fields: `events.access_key(e.access_key_id)?.owner_kind == "root"` has one
//! answer per key, `data.is_enumeration(e)` one per service and action. The snapshot does not
//! change during a run, so two events that agree on those fields get the same verdict. When
//! the engine starts, each alarm's `where`, eager `let`s and `when` are searched for the
//! subject's fields they read ([`Admission::of`]); while a pass runs, an event that was turned
//! away is remembered by those fields' values, and the next event with the same values is
//! turned away without evaluating anything ([`Verdicts`]).
//!
//! Only refusals are remembered: an admitted event still needs its `let`s and grouping key,
//! and alarms admit few events. A remembered refusal spends the steps its first judgement
//! spent, so steps, budgets and errors are the same with or without it.
//!
//! The search gives up (and the alarm is judged as before) when the subject is used other
//! than by reading a field: passed to a native other than `events.is_call_to`, compared
//! whole, given to a method, or when `when` reads a `let`. A subject passed whole to a
//! function is followed into it. An admission that reads the subject's `time` is not
//! remembered: every event has its own.

use std::collections::{BTreeSet, HashMap};

use smallvec::SmallVec;

use super::Verdict;
use super::exec::{Native, X, visit};
use super::interp::Function;
use crate::snapshot::Seeded;
use crate::value::{Record, Value};

/// How deep calls are followed from an alarm's expressions before the search gives up.
const MAX_CALL_DEPTH: usize = 8;
/// Judgements of one alarm in one part of a pass before its hit rate is looked at.
const SAMPLE: u32 = 4096;
/// Below one remembered refusal in this many judgements, remembering stops for the part.
const RARE: u32 = 8;
/// Refusals kept per alarm and part of a pass; past it the table starts over.
const CAPACITY: usize = 1 << 16;

/// What an alarm's refusals depend on: the fields `where` reads (a refusal by `where`), and
/// the fields `where`, the eager `let`s and `when` read (a refusal by `when`). Two tables,
/// because `when` often reads a field with many values (the source address) that `where`
/// does not: most events are refused by `where`, by few values.
#[derive(Debug)]
pub(super) struct Admission {
    excluded: Option<Fields>,
    quiet: Option<Fields>,
}

impl Admission {
    pub(super) fn new(excluded: Option<Fields>, quiet: Option<Fields>) -> Option<Admission> {
        (excluded.is_some() || quiet.is_some()).then_some(Admission { excluded, quiet })
    }
}

/// Subject fields (positions) some expressions read.
#[derive(Debug)]
pub(super) struct Fields {
    at: Box<[usize]>,
}

/// Where the search stands: which locals hold the subject, and which other locals it may read.
struct Context<'a> {
    subject: &'a [u32],
    /// `None` in a function body, where every local is an argument or a lambda's parameter,
    /// computed from what the search has already looked at; else the lambda parameters of the
    /// alarm's own expression (anything else there is a `let`).
    bound: Option<&'a BTreeSet<u32>>,
}

struct Search<'a> {
    functions: &'a [Function],
    /// `ApiCall.service` and `.action` in the subject type, which `events.is_call_to` reads.
    call_fields: Option<[usize; 2]>,
    reads: BTreeSet<usize>,
}

impl Fields {
    /// The subject fields `exprs` read, when they depend on nothing of the subject but fields
    /// other than `time`, and on something.
    pub(super) fn of(
        exprs: &[&X],
        functions: &[Function],
        call_fields: Option<[usize; 2]>,
        time: Option<usize>,
    ) -> Option<Fields> {
        let mut search = Search { functions, call_fields, reads: BTreeSet::new() };
        for x in exprs {
            let bound = lambda_slots(x);
            search.expr(x, &Context { subject: &[0], bound: Some(&bound) }, 0)?;
        }
        if search.reads.is_empty() || time.is_some_and(|t| search.reads.contains(&t)) {
            return None;
        }
        Some(Fields { at: search.reads.into_iter().collect() })
    }
}

impl Search<'_> {
    /// `Some` when `x` uses the subject only through fields (now in `reads`).
    fn expr(&mut self, x: &X, scope: &Context<'_>, depth: usize) -> Option<()> {
        let is_subject = |x: &X| matches!(x, X::Local(s) if scope.subject.contains(s));
        match x {
            X::Field { base, index, .. } if is_subject(base) => {
                self.reads.insert((*index)? as usize);
                Some(())
            }
            X::Local(slot) => {
                let derived = !scope.subject.contains(slot) && scope.bound.is_none_or(|b| b.contains(slot));
                derived.then_some(())
            }
            X::Native { native: Native::IsCallTo, args } if args.first().is_some_and(is_subject) => {
                self.reads.extend(self.call_fields?);
                args[1..].iter().try_for_each(|a| self.expr(a, scope, depth))
            }
            X::Call { function, args } => {
                let body = &self.functions.get(*function as usize)?.body;
                if depth >= MAX_CALL_DEPTH {
                    return None;
                }
                let mut subject = Vec::new();
                for (slot, arg) in args.iter().enumerate() {
                    if is_subject(arg) {
                        subject.push(slot as u32);
                    } else {
                        self.expr(arg, scope, depth)?;
                    }
                }
                self.expr(body, &Context { subject: &subject, bound: None }, depth + 1)
            }
            X::Value(_) | X::Const(_) | X::Now => Some(()),
            X::List(items) => items.iter().try_for_each(|i| self.expr(i, scope, depth)),
            X::Record(entries) => entries.iter().try_for_each(|(_, v)| self.expr(v, scope, depth)),
            X::Field { base, .. } => self.expr(base, scope, depth),
            X::Index { base, index } => {
                self.expr(base, scope, depth)?;
                self.expr(index, scope, depth)
            }
            X::Native { args, .. } => args.iter().try_for_each(|a| self.expr(a, scope, depth)),
            X::Method { receiver, args, .. } => {
                self.expr(receiver, scope, depth)?;
                args.iter().try_for_each(|a| self.expr(a, scope, depth))
            }
            X::Lambda { body, .. } => self.expr(body, scope, depth),
            X::Deref { reference, .. } => self.expr(reference, scope, depth),
            X::Unary { operand, .. } => self.expr(operand, scope, depth),
            X::Binary { lhs, rhs, .. } => {
                self.expr(lhs, scope, depth)?;
                self.expr(rhs, scope, depth)
            }
            X::If { cond, then, otherwise } => {
                self.expr(cond, scope, depth)?;
                self.expr(then, scope, depth)?;
                self.expr(otherwise, scope, depth)
            }
            X::Path { from, to, .. } => {
                if let Some(from) = from {
                    self.expr(from, scope, depth)?;
                }
                self.expr(to, scope, depth)
            }
        }
    }
}

/// The slots of the lambdas within `x`.
fn lambda_slots(x: &X) -> BTreeSet<u32> {
    let mut slots = BTreeSet::new();
    visit(x, &mut |x| {
        if let X::Lambda { slot, .. } = x {
            slots.insert(*slot);
        }
    });
    slots
}

/// The values of the fields an admission reads, as bytes; `None` for a value that is not a
/// plain scalar (a list, a map, a record), which is judged without remembering. A string is
/// keyed by its storage, not its text: the loader keeps one copy of each repeated text of a
/// field (`snapshot/intern.rs`), so events with the same user agent or key id share it and the
/// key is eight bytes to hash instead of the text. Equal texts stored apart (a field whose
/// values seldom repeat, or one copy per loading thread) are only judged again, never mistaken
/// for one another: the store keeps every event's strings alive while the pass runs, so an
/// address is never reused for another text.
type Key = SmallVec<[u8; 32]>;

fn key(fields: &Fields, event: &Record) -> Option<Key> {
    let mut key = Key::new();
    for &at in fields.at.iter() {
        match event.fields().get(at)? {
            Value::None => key.push(0),
            Value::Bool(b) => key.extend_from_slice(&[1, u8::from(*b)]),
            Value::Int(i) => {
                key.push(2);
                key.extend_from_slice(&i.to_le_bytes());
            }
            Value::Str(s) => {
                key.push(3);
                key.extend_from_slice(&(s.as_ptr() as usize).to_le_bytes());
            }
            Value::Ip4(ip) => {
                key.push(4);
                key.extend_from_slice(&ip.octets());
            }
            Value::Ip6(ip) => {
                key.push(6);
                key.extend_from_slice(&ip.octets());
            }
            Value::Time(t) => {
                key.push(7);
                key.extend_from_slice(&t.to_le_bytes());
            }
            Value::Duration(d) => {
                key.push(8);
                key.extend_from_slice(&d.to_le_bytes());
            }
            _ => return None,
        }
    }
    Some(key)
}

/// One alarm's remembered refusals within one part of a pass: no locks, no sharing.
pub(super) struct Verdicts<'a> {
    excluded: Table<'a>,
    quiet: Table<'a>,
}

/// What is known of an event before judging it.
pub(super) enum Recall<K> {
    /// An event with the same fields was refused after spending this many steps.
    Refused(u64),
    /// Judge it; the key(s) to remember a refusal by.
    Judge(K),
}

/// The keys of an event that was judged, to remember a refusal by.
pub(super) struct Keys {
    excluded: Option<Key>,
    quiet: Option<Key>,
}

impl<'a> Verdicts<'a> {
    pub(super) fn new(admission: Option<&'a Admission>) -> Self {
        Verdicts {
            excluded: Table::new(admission.and_then(|a| a.excluded.as_ref())),
            quiet: Table::new(admission.and_then(|a| a.quiet.as_ref())),
        }
    }

    /// The steps the judgement of an event with the same fields spent, if it was refused;
    /// else the keys to remember this event's judgement by.
    pub(super) fn recall(&mut self, event: &Record) -> Recall<Keys> {
        let excluded = match self.excluded.recall(event) {
            Recall::Refused(steps) => return Recall::Refused(steps),
            Recall::Judge(key) => key,
        };
        match self.quiet.recall(event) {
            Recall::Refused(steps) => Recall::Refused(steps),
            Recall::Judge(quiet) => Recall::Judge(Keys { excluded, quiet }),
        }
    }

    /// Remembers that the event `keys` came from was refused (`verdict`) after spending `steps`.
    pub(super) fn refused(&mut self, keys: Keys, verdict: Verdict, steps: u64) {
        match verdict {
            Verdict::Excluded => self.excluded.remember(keys.excluded, steps),
            Verdict::Quiet => self.quiet.remember(keys.quiet, steps),
            Verdict::Fires | Verdict::Error => {}
        }
    }
}

/// Refusals of one kind, by the values of the fields they depend on.
struct Table<'a> {
    /// `None` when the verdict depends on more than fields, or remembering did not pay.
    fields: Option<&'a Fields>,
    refused: HashMap<Key, u64, Seeded>,
    tries: u32,
    hits: u32,
}

impl<'a> Table<'a> {
    fn new(fields: Option<&'a Fields>) -> Self {
        Table { fields, refused: HashMap::default(), tries: 0, hits: 0 }
    }

    fn recall(&mut self, event: &Record) -> Recall<Option<Key>> {
        let Some(key) = self.fields.and_then(|f| key(f, event)) else { return Recall::Judge(None) };
        self.tries = self.tries.saturating_add(1);
        if let Some(&steps) = self.refused.get(&key) {
            self.hits += 1;
            return Recall::Refused(steps);
        }
        if self.tries == SAMPLE && self.hits.saturating_mul(RARE) < self.tries {
            // Mostly new values (addresses, times): remembering costs more than it saves.
            self.fields = None;
            self.refused = HashMap::default();
            return Recall::Judge(None);
        }
        Recall::Judge(Some(key))
    }

    fn remember(&mut self, key: Option<Key>, steps: u64) {
        let Some(key) = key else { return };
        if self.refused.len() >= CAPACITY {
            self.refused.clear();
        }
        self.refused.insert(key, steps);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::plan::BinaryOp;

    fn field(slot: u32, at: u32) -> X {
        X::Field { base: Box::new(X::Local(slot)), name: Arc::from("f"), index: Some(at) }
    }

    fn eq(lhs: X, rhs: X) -> X {
        X::Binary { op: BinaryOp::Eq, lhs: Box::new(lhs), rhs: Box::new(rhs) }
    }

    fn fields_of(x: &X, functions: &[Function]) -> Option<Vec<usize>> {
        Fields::of(&[x], functions, Some([6, 7]), Some(1)).map(|f| f.at.to_vec())
    }

    #[test]
    fn fields_read_of_the_subject_are_found_through_calls_and_natives() {
        let body = eq(field(0, 3), X::Value(Value::str("bad")));
        let functions = [Function { locals: 1, body }];
        let call = X::Call { function: 0, args: vec![X::Local(0)] };
        let is_call_to = X::Native { native: Native::IsCallTo, args: vec![X::Local(0), X::Value(Value::None)] };
        let lambda = X::Lambda { slot: 5, body: Box::new(eq(X::Local(5), field(0, 4))) };
        let x = X::Binary { op: BinaryOp::And, lhs: Box::new(call), rhs: Box::new(is_call_to) };
        assert_eq!(fields_of(&x, &functions), Some(vec![3, 6, 7]));
        assert_eq!(fields_of(&lambda, &functions), Some(vec![4]));
    }

    #[test]
    fn anything_but_field_reads_other_than_time_gives_up() {
        let late = Function { locals: 1, body: eq(field(0, 1), X::Value(Value::Time(0))) };
        let functions = [late];
        // The subject whole, a `let` (slot 1, no lambda binds it), `time` through a function,
        // the subject given to a native that reads who knows what, nothing read at all.
        for x in [
            eq(X::Local(0), X::Value(Value::None)),
            eq(X::Local(1), field(0, 3)),
            X::Call { function: 0, args: vec![X::Local(0)] },
            X::Native { native: Native::CallsOf, args: vec![X::Local(0)] },
            X::Value(Value::Bool(true)),
        ] {
            assert_eq!(fields_of(&x, &functions), None, "{x:?}");
        }
    }

    fn event(values: Vec<Value>) -> Record {
        Record::new(0, values, None)
    }

    #[test]
    fn a_refusal_is_recalled_for_the_same_values_only() {
        let admission = Admission::new(Some(Fields { at: Box::new([0]) }), None).expect("an admission");
        let mut verdicts = Verdicts::new(Some(&admission));
        // As loaded: events with the same text share its storage.
        let text_a = Value::str("a");
        let a = event(vec![text_a.clone(), Value::Int(1)]);
        let Recall::Judge(keys) = verdicts.recall(&a) else { panic!("nothing is known yet") };
        verdicts.refused(keys, Verdict::Excluded, 7);
        assert!(matches!(verdicts.recall(&event(vec![text_a, Value::Int(2)])), Recall::Refused(7)));
        assert!(matches!(verdicts.recall(&event(vec![Value::str("b"), Value::Int(1)])), Recall::Judge(_)));
        // The same text stored apart is judged again, never taken for another.
        assert!(matches!(verdicts.recall(&event(vec![Value::str("a"), Value::Int(1)])), Recall::Judge(_)));
        // `when` refusals go to the other table, which this admission does not have.
        let Recall::Judge(keys) = verdicts.recall(&event(vec![Value::str("c")])) else { panic!() };
        verdicts.refused(keys, Verdict::Quiet, 3);
        assert!(matches!(verdicts.recall(&event(vec![Value::str("c")])), Recall::Judge(_)));
    }

    #[test]
    fn remembering_stops_when_values_seldom_repeat() {
        let admission = Admission::new(Some(Fields { at: Box::new([0]) }), None).expect("an admission");
        let mut verdicts = Verdicts::new(Some(&admission));
        for i in 0..SAMPLE {
            let Recall::Judge(keys) = verdicts.recall(&event(vec![Value::Int(i.into())])) else { panic!() };
            verdicts.refused(keys, Verdict::Excluded, 1);
        }
        assert!(verdicts.excluded.fields.is_none() && verdicts.excluded.refused.is_empty());
        assert!(matches!(verdicts.recall(&event(vec![Value::Int(0)])), Recall::Judge(_)));
    }
}
