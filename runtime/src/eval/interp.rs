//! The interpreter: evaluates an executable expression in a frame of local slots.
//!
//! The checker guarantees types, so a value of an unexpected shape here means a plan that
//! does not match this runtime: it is an [`EvalError`], never a panic.

use std::cmp::Ordering;
use std::sync::Arc;

use super::budget::{self, Budget, Scope};
use super::exec::{Method, X};
use super::memo::Memo;
use super::natives::Natives;
use super::paths::Paths;
use crate::graph::Node;
use crate::plan::{BinaryOp, UnaryOp};
use crate::snapshot::Store;
use crate::value::{MICROS_PER_SECOND, Map, Record, Value};

/// A failure while evaluating one subject: division by zero, overflow, a malformed plan.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(pub String);

pub(crate) type Eval = Result<Value, EvalError>;

fn err<T>(message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError(message.into()))
}

thread_local! {
    /// Frames of finished calls, kept for the next call on this thread: a rule calls small
    /// functions for every subject, and allocating a frame each time dominated their cost.
    static FRAMES: std::cell::RefCell<Vec<Vec<Value>>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn spare_frame() -> Vec<Value> {
    FRAMES.with(|f| f.borrow_mut().pop()).unwrap_or_default()
}

fn return_frame(mut frame: Vec<Value>) {
    frame.clear();
    FRAMES.with(|f| {
        let mut spare = f.borrow_mut();
        if spare.len() < 64 {
            spare.push(frame);
        }
    });
}

/// A user-defined function, prepared.
#[derive(Debug)]
pub(crate) struct Function {
    pub locals: u32,
    pub body: X,
}

/// Everything expressions can read: functions, constants, natives, the resource graph, the
/// snapshot's `now`; and the budget they spend.
pub(crate) struct Env<'a> {
    pub functions: &'a [Function],
    pub consts: &'a [Value],
    pub natives: &'a Natives<'a>,
    pub paths: &'a Paths,
    pub store: &'a Store,
    pub now: i64,
    pub budget: &'a Budget,
    /// Results of function calls, shared by the checks of a run; none while constants are
    /// evaluated (their functions may read constants not yet known).
    pub memo: Option<&'a Memo>,
}

/// A native call's arguments.
type NativeArgs = smallvec::SmallVec<[Value; 5]>;

impl Env<'_> {
    /// Evaluates `x` within the budget of the evaluation in progress on this thread, or within
    /// a fresh one when none is (an edge-pair test, a constant, an explanation).
    pub(crate) fn eval(&self, x: &X, frame: &mut Vec<Value>) -> Eval {
        if budget::active() {
            return self.expr(x, frame);
        }
        let _scope = Scope::enter(self.budget);
        self.expr(x, frame)
    }

    /// Spends `steps` for work done without evaluating an expression per element (a
    /// membership test, `distinct`, a concatenation).
    pub(super) fn spend(&self, steps: u64) -> Result<(), EvalError> {
        if budget::spend(steps) { Ok(()) } else { self.budget.refill(steps) }
    }

    /// One step per expression node: the cost of a rule grows with what it evaluates.
    fn expr(&self, x: &X, frame: &mut Vec<Value>) -> Eval {
        if !budget::step() {
            self.budget.refill(1)?;
        }
        match x {
            X::Value(v) => Ok(v.clone()),
            X::Local(slot) => Ok(local(frame, *slot).clone()),
            X::Const(i) => self.consts.get(*i as usize).cloned().map_or_else(|| err("constant out of range"), Ok),
            X::Now => Ok(Value::Time(self.now)),
            X::List(items) => {
                let values = items.iter().map(|i| self.expr(i, frame)).collect::<Result<Vec<_>, _>>()?;
                Ok(Value::list(values))
            }
            X::Record(entries) => {
                let mut map = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    map.push((k.clone(), self.expr(v, frame)?));
                }
                Ok(Value::Map(Arc::new(map.into_iter().collect())))
            }
            // A field of a local (`e.access_key_id`) is read in place: evaluating the local
            // would clone the record, two atomic writes to every event an alarm reads. The
            // local's step is spent all the same.
            X::Field { base, name, index } => match **base {
                X::Local(slot) => {
                    self.spend(1)?;
                    Ok(self.field(local(frame, slot), name, *index))
                }
                _ => {
                    let base = self.expr(base, frame)?;
                    Ok(self.field(&base, name, *index))
                }
            },
            X::Index { base, index } => {
                let base = self.expr(base, frame)?;
                let index = self.expr(index, frame)?;
                Ok(match (&base, &index) {
                    (Value::List(items), Value::Int(i)) => {
                        usize::try_from(*i).ok().and_then(|i| items.get(i)).cloned().unwrap_or(Value::None)
                    }
                    (Value::Map(map), Value::Str(k)) => map.get(k).cloned().unwrap_or(Value::None),
                    (Value::Json(j), Value::Str(k)) => {
                        j.get(k.as_str()).map_or(Value::None, |v| Value::Json(Arc::new(v.clone())))
                    }
                    (Value::Json(j), Value::Int(i)) => usize::try_from(*i)
                        .ok()
                        .and_then(|i| j.get(i))
                        .map_or(Value::None, |v| Value::Json(Arc::new(v.clone()))),
                    _ => Value::None,
                })
            }
            X::Call { function, args } => {
                let f =
                    self.functions.get(*function as usize).ok_or_else(|| EvalError("function out of range".into()))?;
                let mut callee = spare_frame();
                callee.resize(f.locals.max(args.len() as u32) as usize, Value::None);
                let mut result = Ok(Value::None);
                for (slot, arg) in args.iter().enumerate() {
                    match self.expr(arg, frame) {
                        Ok(v) => callee[slot] = v,
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                if result.is_ok() {
                    let remembered = self.memo.and_then(|m| Some((m, m.key(*function, &callee[..args.len()])?)));
                    result = match remembered {
                        Some((memo, key)) => memo.call(
                            key,
                            || {
                                let before = budget::left();
                                let value = self.expr(&f.body, &mut callee);
                                (value, before.saturating_sub(budget::left()))
                            },
                            |steps| self.spend(steps),
                        ),
                        None => self.expr(&f.body, &mut callee),
                    };
                }
                return_frame(callee);
                result
            }
            X::Native { native, args } => {
                // Natives take one to five arguments: kept on the stack, not allocated per call.
                // A local (the subject, an edge's ends) is lent rather than cloned: an edge
                // asks a native for every (source, target) pair, and cloning its ends wrote the
                // reference counts of records every thread reads. Its step is spent all the same.
                let mut values = NativeArgs::new();
                for arg in args {
                    values.push(match arg {
                        X::Local(_) => {
                            self.spend(1)?;
                            Value::None
                        }
                        _ => self.expr(arg, frame)?,
                    });
                }
                let lent: smallvec::SmallVec<[&Value; 5]> = args
                    .iter()
                    .zip(&values)
                    .map(|(arg, value)| match arg {
                        X::Local(slot) => local(frame, *slot),
                        _ => value,
                    })
                    .collect();
                self.natives.call(*native, &lent)
            }
            X::Method { method, receiver, args } => {
                let recv = self.expr(receiver, frame)?;
                if recv.is_none() {
                    return Ok(Value::None);
                }
                self.method(*method, &recv, args, frame)
            }
            X::Lambda { .. } => err("a lambda outside a method call"),
            X::Deref { reference, types } => match self.expr(reference, frame)? {
                Value::Str(id) => Ok(self.natives.deref(types, &id).map_or(Value::None, Value::Record)),
                _ => Ok(Value::None),
            },
            X::Unary { op, operand } => {
                let v = self.expr(operand, frame)?;
                match (op, v) {
                    (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
                    (UnaryOp::Neg, Value::Int(i)) => i.checked_neg().map(Value::Int).ok_or_else(overflow),
                    (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
                    (UnaryOp::Neg, Value::Duration(d)) => d.checked_neg().map(Value::Duration).ok_or_else(overflow),
                    (_, Value::None) => Ok(Value::None),
                    (op, v) => err(format!("cannot apply {op:?} to {v}")),
                }
            }
            X::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, frame),
            X::Path { from, to, via, reaches } => {
                let from = match from {
                    None => Some(Node::INTERNET),
                    Some(x) => self.node(&self.expr(x, frame)?),
                };
                let to = self.node(&self.expr(to, frame)?);
                let (Some(from), Some(to)) = (from, to) else {
                    return Ok(if *reaches { Value::Bool(false) } else { Value::None });
                };
                {
                    // The graph is shared by every subject: building it is not this one's cost.
                    let _detached = Scope::detached();
                    self.paths.graph(self, self.store)?;
                }
                let path = self.paths.path(self, self.store, from, to, via)?;
                Ok(match (reaches, path) {
                    (true, path) => Value::Bool(path.is_some()),
                    (false, None) => Value::None,
                    (false, Some(hops)) => self.path_value(&hops),
                })
            }
            X::If { cond, then, otherwise } => match self.expr(cond, frame)? {
                Value::Bool(true) => self.expr(then, frame),
                _ => self.expr(otherwise, frame),
            },
        }
    }

    /// The graph node of an asset value.
    fn node(&self, value: &Value) -> Option<Node> {
        let Value::Record(record) = value else { return None };
        let id = self.field(value, "id", None);
        let row = self.store.row_of(record.ty(), id.as_str()?)?;
        Some(Node { ty: Some(record.ty()), row })
    }

    /// A path as the language sees it: `{hops: [{type, id, edge}]}`, `edge` naming the edge
    /// that led to the hop (none for the start).
    fn path_value(&self, hops: &[(Node, Option<u16>)]) -> Value {
        let edge_names: Vec<&str> = self.paths.edge_names().collect();
        let hops = hops
            .iter()
            .map(|(node, kind)| {
                let (ty, id) = self.natives.describe(*node);
                let edge = kind.and_then(|k| edge_names.get(k as usize)).map_or(Value::None, |n| Value::str(n));
                let entries: Map =
                    [("type".into(), Value::str(&ty)), ("id".into(), Value::str(&id)), ("edge".into(), edge)]
                        .into_iter()
                        .collect();
                Value::Map(Arc::new(entries))
            })
            .collect();
        Value::Map(Arc::new([("hops".into(), Value::list(hops))].into_iter().collect()))
    }

    pub(crate) fn field(&self, base: &Value, name: &str, index: Option<u32>) -> Value {
        match base {
            Value::Record(record) => {
                let slot = index.map(|i| i as usize).or_else(|| self.natives.field_index(record.ty(), name));
                slot.and_then(|i| record.fields().get(i)).cloned().unwrap_or(Value::None)
            }
            Value::Json(j) => j.get(name).map_or(Value::None, |v| Value::Json(Arc::new(v.clone()))),
            Value::Map(map) => map.get(name).cloned().unwrap_or(Value::None),
            _ => Value::None,
        }
    }

    fn truthy(&self, x: &X, frame: &mut Vec<Value>) -> Result<bool, EvalError> {
        Ok(matches!(self.expr(x, frame)?, Value::Bool(true)))
    }

    fn binary(&self, op: BinaryOp, lhs: &X, rhs: &X, frame: &mut Vec<Value>) -> Eval {
        match op {
            BinaryOp::And => return Ok(Value::Bool(self.truthy(lhs, frame)? && self.truthy(rhs, frame)?)),
            BinaryOp::Or => return Ok(Value::Bool(self.truthy(lhs, frame)? || self.truthy(rhs, frame)?)),
            BinaryOp::Coalesce => {
                let l = self.expr(lhs, frame)?;
                return if l.is_none() { self.expr(rhs, frame) } else { Ok(l) };
            }
            _ => {}
        }
        let a = self.expr(lhs, frame)?;
        let b = self.expr(rhs, frame)?;
        match (op, &b) {
            (BinaryOp::In | BinaryOp::NotIn, Value::List(items)) => self.spend(items.len() as u64)?,
            (BinaryOp::Add, _) => self.spend(concat_cost(&a, &b))?,
            _ => {}
        }
        Ok(match op {
            BinaryOp::Eq => Value::Bool(equal(&a, &b)),
            BinaryOp::Ne => Value::Bool(!equal(&a, &b)),
            BinaryOp::Lt => Value::Bool(compare(&a, &b) == Some(Ordering::Less)),
            BinaryOp::Le => Value::Bool(matches!(compare(&a, &b), Some(Ordering::Less | Ordering::Equal))),
            BinaryOp::Gt => Value::Bool(compare(&a, &b) == Some(Ordering::Greater)),
            BinaryOp::Ge => Value::Bool(matches!(compare(&a, &b), Some(Ordering::Greater | Ordering::Equal))),
            BinaryOp::In => Value::Bool(contains(&b, &a)),
            BinaryOp::NotIn => Value::Bool(!contains(&b, &a)),
            BinaryOp::Matches => match (&a, &b) {
                (Value::Str(s), Value::Regex(r)) => Value::Bool(r.is_match(s)),
                _ => Value::Bool(false),
            },
            BinaryOp::Like => match (&a, &b) {
                (Value::Str(s), Value::Str(p)) => Value::Bool(wildmatch::WildMatch::new(p).matches(s)),
                _ => Value::Bool(false),
            },
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => arithmetic(op, &a, &b)?,
            BinaryOp::And | BinaryOp::Or | BinaryOp::Coalesce => Value::None,
        })
    }

    fn lambda<'x>(&self, args: &'x [X]) -> Result<(u32, &'x X), EvalError> {
        match args.first() {
            Some(X::Lambda { slot, body }) => Ok((*slot, body)),
            _ => err("expected a lambda argument"),
        }
    }

    fn apply(&self, slot: u32, body: &X, item: &Value, frame: &mut Vec<Value>) -> Eval {
        let slot = slot as usize;
        if frame.len() <= slot {
            frame.resize(slot + 1, Value::None);
        }
        frame[slot] = item.clone();
        self.expr(body, frame)
    }

    pub(super) fn method(&self, method: Method, recv: &Value, args: &[X], frame: &mut Vec<Value>) -> Eval {
        use Method::*;
        let arg = |env: &Self, frame: &mut Vec<Value>| match args.first() {
            Some(a) => env.expr(a, frame),
            None => err("missing argument"),
        };
        Ok(match (method, recv) {
            (Len, Value::List(items)) => Value::Int(items.len() as i64),
            (Len, Value::Map(map)) => Value::Int(map.len() as i64),
            (Len, Value::Str(s)) => Value::Int(s.chars().count() as i64),
            (IsEmpty, Value::List(items)) => Value::Bool(items.is_empty()),
            (IsEmpty, Value::Map(map)) => Value::Bool(map.is_empty()),
            (Any | All | Filter | Count | Map | FlatMap, Value::List(items)) => {
                let (slot, body) = self.lambda(args)?;
                if method == Any
                    && let Some(answer) = super::shortcut::any(self, slot, body, items, frame)
                {
                    return answer;
                }
                let mut kept = Vec::new();
                let mut count = 0i64;
                for item in items.iter() {
                    let out = self.apply(slot, body, item, frame)?;
                    match method {
                        Any if matches!(out, Value::Bool(true)) => return Ok(Value::Bool(true)),
                        All if !matches!(out, Value::Bool(true)) => return Ok(Value::Bool(false)),
                        Filter if matches!(out, Value::Bool(true)) => kept.push(item.clone()),
                        Count if matches!(out, Value::Bool(true)) => count += 1,
                        Map => kept.push(out),
                        FlatMap => match out {
                            Value::List(inner) => {
                                let items = kept.len().saturating_add(inner.len());
                                budget::check_size(budget::list_bytes(items), || format!("list of {items} items"))?;
                                self.spend(inner.len() as u64)?;
                                kept.extend(inner.iter().cloned());
                            }
                            Value::None => {}
                            other => kept.push(other),
                        },
                        _ => {}
                    }
                }
                match method {
                    Any => Value::Bool(false),
                    All => Value::Bool(true),
                    Count => Value::Int(count),
                    _ => Value::list(kept),
                }
            }
            (Sum, Value::List(items)) => {
                let mut total = Value::Int(0);
                for item in items.iter() {
                    self.spend(1 + concat_cost(&total, item))?;
                    total = match (&total, item) {
                        (Value::Int(0), Value::Duration(_)) => item.clone(),
                        _ => arithmetic(BinaryOp::Add, &total, item)?,
                    };
                }
                total
            }
            (Min | Max, Value::List(items)) => {
                self.spend(items.len() as u64)?;
                let want = if method == Min { Ordering::Less } else { Ordering::Greater };
                let mut best: Option<&Value> = None;
                for item in items.iter() {
                    if best.is_none_or(|b| compare(item, b) == Some(want)) {
                        best = Some(item);
                    }
                }
                best.cloned().unwrap_or(Value::None)
            }
            (Contains, Value::List(items)) => {
                let needle = arg(self, frame)?;
                self.spend(items.len() as u64)?;
                Value::Bool(items.iter().any(|i| equal(i, &needle)))
            }
            (Contains, Value::Str(s)) => match arg(self, frame)? {
                Value::Str(n) => Value::Bool(s.contains(n.as_str())),
                _ => Value::Bool(false),
            },
            (Contains, Value::Cidr(net)) => Value::Bool(arg(self, frame)?.ip().is_some_and(|ip| net.contains(&ip))),
            (First, Value::List(items)) => items.first().cloned().unwrap_or(Value::None),
            (Take, Value::List(items)) => match arg(self, frame)? {
                Value::Int(n) if n >= 0 && (n as u64) < items.len() as u64 => {
                    self.spend(n as u64)?;
                    Value::list(items[..n as usize].to_vec())
                }
                Value::Int(n) if n >= 0 => recv.clone(),
                Value::Int(n) => return err(format!("`take` needs a count of at least 0, got {n}")),
                _ => Value::None,
            },
            (Distinct, Value::List(items)) => {
                let mut out: Vec<Value> = Vec::new();
                for item in items.iter() {
                    self.spend(1 + out.len() as u64)?;
                    if !out.iter().any(|o| equal(o, item)) {
                        out.push(item.clone());
                    }
                }
                Value::list(out)
            }
            (Sort, Value::List(items)) => {
                let n = items.len() as u64;
                self.spend(n.saturating_mul(u64::from(n.max(1).ilog2() + 1)))?;
                let mut out = items.to_vec();
                out.sort_by(|a, b| compare(a, b).unwrap_or(Ordering::Equal));
                Value::list(out)
            }
            (Keys | Values, Value::Map(map)) => {
                self.spend(map.len() as u64)?;
                if method == Keys {
                    Value::list(map.keys().map(|k| Value::Str(k.clone())).collect())
                } else {
                    Value::list(map.values().cloned().collect())
                }
            }
            (ContainsKey | Get, Value::Map(map)) => {
                let key = arg(self, frame)?;
                let found = key.as_str().and_then(|k| map.get(k));
                if method == ContainsKey { Value::Bool(found.is_some()) } else { found.cloned().unwrap_or(Value::None) }
            }
            (Lower, Value::Str(s)) => Value::str(&s.to_lowercase()),
            (Upper, Value::Str(s)) => Value::str(&s.to_uppercase()),
            (Trim, Value::Str(s)) => Value::str(s.trim()),
            (StartsWith | EndsWith, Value::Str(s)) => match arg(self, frame)? {
                Value::Str(p) if method == StartsWith => Value::Bool(s.starts_with(p.as_str())),
                Value::Str(p) => Value::Bool(s.ends_with(p.as_str())),
                _ => Value::Bool(false),
            },
            (Split, Value::Str(s)) => match arg(self, frame)? {
                Value::Str(sep) => {
                    // At most one piece per byte, and one more: count them only when that
                    // bound is over the budget.
                    if !budget::fits(budget::list_bytes(s.len() + 1)) {
                        let pieces = s.split(sep.as_str()).count();
                        budget::check_size(budget::list_bytes(pieces), || format!("list of {pieces} items"))?;
                    }
                    self.spend(s.len() as u64 / 64)?;
                    Value::list(s.split(sep.as_str()).map(Value::str).collect())
                }
                _ => Value::None,
            },
            (PrefixLen, Value::Cidr(net)) => Value::Int(i64::from(net.prefix_len())),
            (IsIpv4, Value::Cidr(net)) => Value::Bool(matches!(**net, ipnet::IpNet::V4(_))),
            (IsIpv4, Value::Ip4(_)) => Value::Bool(true),
            (IsIpv4, Value::Ip6(_)) => Value::Bool(false),
            (Days, Value::Duration(d)) => Value::Int(d / (86_400 * MICROS_PER_SECOND)),
            (Hours, Value::Duration(d)) => Value::Int(d / (3_600 * MICROS_PER_SECOND)),
            (Minutes, Value::Duration(d)) => Value::Int(d / (60 * MICROS_PER_SECOND)),
            (Seconds, Value::Duration(d)) => Value::Int(d / MICROS_PER_SECOND),
            (m, v) => return err(format!("method {m:?} does not apply to {v}")),
        })
    }
}

/// Local `slot` of `frame`, borrowed: a field of the event or a native's argument reads it in
/// place, where evaluating it would clone the record and write its reference count (those
/// callers spend the local's step themselves).
fn local(frame: &[Value], slot: u32) -> &Value {
    frame.get(slot as usize).unwrap_or(&Value::None)
}

fn overflow() -> EvalError {
    EvalError("integer overflow".into())
}

/// Equality as the language defines it: numbers across int/float, records by identity.
pub(crate) fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Time(x), Value::Time(y)) | (Value::Duration(x), Value::Duration(y)) => x == y,
        (Value::Ip4(x), Value::Ip4(y)) => x == y,
        (Value::Ip6(x), Value::Ip6(y)) => x == y,
        (Value::Cidr(x), Value::Cidr(y)) => x == y,
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| equal(a, b)),
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| a.0 == b.0 && equal(a.1, b.1))
        }
        (Value::Record(x), Value::Record(y)) => Record::ptr_eq(x, y) || same_record(x, y),
        (Value::Json(x), Value::Json(y)) => x == y,
        (Value::Json(j), Value::Str(s)) | (Value::Str(s), Value::Json(j)) => j.as_str() == Some(s.as_ref()),
        _ => false,
    }
}

fn same_record(x: &Record, y: &Record) -> bool {
    x.ty() == y.ty()
        && x.fields().len() == y.fields().len()
        && x.fields().iter().zip(y.fields().iter()).all(|(a, b)| equal(a, b))
}

/// Ordering where the language defines one; `None` otherwise (comparisons are then false).
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => (*x as f64).partial_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) | (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        (Value::Ip4(_) | Value::Ip6(_), Value::Ip4(_) | Value::Ip6(_)) => Some(a.ip().cmp(&b.ip())),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `item in container`: list membership, map keys, CIDR containment.
fn contains(container: &Value, item: &Value) -> bool {
    match (container, item) {
        (Value::Cidr(net), Value::Ip4(_) | Value::Ip6(_)) => item.ip().is_some_and(|ip| net.contains(&ip)),
        (Value::List(items), Value::Ip4(_) | Value::Ip6(_)) if items.iter().any(|i| matches!(i, Value::Cidr(_))) => {
            item.ip().is_some_and(|ip| items.iter().any(|i| matches!(i, Value::Cidr(net) if net.contains(&ip))))
        }
        (Value::List(items), _) => items.iter().any(|i| equal(i, item)),
        (Value::Map(map), Value::Str(k)) => map.contains_key(k),
        _ => false,
    }
}

fn arithmetic(op: BinaryOp, a: &Value, b: &Value) -> Eval {
    use Value::*;
    let int = |r: Option<i64>| r.map(Int).ok_or_else(overflow);
    Ok(match (op, a, b) {
        (_, None, _) | (_, _, None) => None,
        (BinaryOp::Add, Int(x), Int(y)) => int(x.checked_add(*y))?,
        (BinaryOp::Sub, Int(x), Int(y)) => int(x.checked_sub(*y))?,
        (BinaryOp::Mul, Int(x), Int(y)) => int(x.checked_mul(*y))?,
        (BinaryOp::Div | BinaryOp::Rem, Int(_), Int(0)) => return err("division by zero"),
        (BinaryOp::Div, Int(x), Int(y)) => int(x.checked_div(*y))?,
        (BinaryOp::Rem, Int(x), Int(y)) => int(x.checked_rem(*y))?,
        (_, Int(_) | Float(_), Int(_) | Float(_)) => {
            let (x, y) = (as_f64(a), as_f64(b));
            Float(match op {
                BinaryOp::Add => x + y,
                BinaryOp::Sub => x - y,
                BinaryOp::Mul => x * y,
                BinaryOp::Div if y == 0.0 => return err("division by zero"),
                BinaryOp::Div => x / y,
                _ => x % y,
            })
        }
        (BinaryOp::Add, Str(x), Str(y)) => {
            budget::check_size((x.len() + y.len()) as u64, || "string".to_owned())?;
            Value::str(&format!("{x}{y}"))
        }
        (BinaryOp::Add, Duration(x), Duration(y)) => Duration(x.checked_add(*y).ok_or_else(overflow)?),
        (BinaryOp::Sub, Duration(x), Duration(y)) => Duration(x.checked_sub(*y).ok_or_else(overflow)?),
        (BinaryOp::Add, Time(t), Duration(d)) | (BinaryOp::Add, Duration(d), Time(t)) => {
            Time(t.checked_add(*d).ok_or_else(overflow)?)
        }
        (BinaryOp::Sub, Time(t), Duration(d)) => Time(t.checked_sub(*d).ok_or_else(overflow)?),
        (BinaryOp::Sub, Time(x), Time(y)) => Duration(x.checked_sub(*y).ok_or_else(overflow)?),
        (BinaryOp::Mul, Duration(d), Int(k)) | (BinaryOp::Mul, Int(k), Duration(d)) => {
            Duration(d.checked_mul(*k).ok_or_else(overflow)?)
        }
        (BinaryOp::Div, Duration(_), Int(0)) => return err("division by zero"),
        (BinaryOp::Div, Duration(d), Int(k)) => Duration(d / k),
        (BinaryOp::Add, List(x), List(y)) => {
            let items = x.len() + y.len();
            budget::check_size(budget::list_bytes(items), || format!("list of {items} items"))?;
            Value::list(x.iter().chain(y.iter()).cloned().collect())
        }
        _ => return err(format!("cannot apply {op:?} to {a} and {b}")),
    })
}

/// The steps a `+` of `a` and `b` costs beyond its own: copying a list's elements, or a
/// string's bytes 64 at a time.
fn concat_cost(a: &Value, b: &Value) -> u64 {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => (x.len() + y.len()) as u64 / 64,
        (Value::List(x), Value::List(y)) => (x.len() + y.len()) as u64,
        _ => 0,
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_follows_the_types() {
        let secs = |s: i64| Value::Duration(s * MICROS_PER_SECOND);
        assert!(matches!(arithmetic(BinaryOp::Sub, &Value::Time(100), &Value::Time(40)), Ok(Value::Duration(60))));
        assert!(
            matches!(arithmetic(BinaryOp::Add, &Value::Int(2), &Value::Float(0.5)), Ok(Value::Float(f)) if f == 2.5)
        );
        assert!(arithmetic(BinaryOp::Div, &Value::Int(1), &Value::Int(0)).is_err());
        assert!(arithmetic(BinaryOp::Add, &Value::Int(i64::MAX), &Value::Int(1)).is_err());
        assert!(
            matches!(arithmetic(BinaryOp::Mul, &secs(60), &Value::Int(2)), Ok(Value::Duration(d)) if d == 120 * MICROS_PER_SECOND)
        );
        assert!(matches!(arithmetic(BinaryOp::Add, &Value::None, &Value::Int(1)), Ok(Value::None)));
    }

    #[test]
    fn concatenation_is_refused_before_it_outgrows_the_value_size_budget() {
        let limits = crate::limits::Limits { max_steps: 10, max_value_bytes: 8 };
        let budget = Budget { limits, ..Budget::default() };
        let _scope = Scope::enter(&budget);
        assert!(arithmetic(BinaryOp::Add, &Value::str("abcd"), &Value::str("efgh")).is_ok());
        let error = arithmetic(BinaryOp::Add, &Value::str("abcde"), &Value::str("fghi")).unwrap_err();
        assert_eq!(error.0, "value size budget of 8 bytes exceeded: string of 9 bytes");
        let list = Value::list(vec![Value::Int(1)]);
        let error = arithmetic(BinaryOp::Add, &list, &list).unwrap_err();
        assert!(error.0.starts_with("value size budget of 8 bytes exceeded: list of 2 items"), "{}", error.0);
        assert_eq!(concat_cost(&Value::str(&"x".repeat(640)), &Value::str("")), 10);
    }

    #[test]
    fn membership_and_containment() {
        let net: ipnet::IpNet = "10.0.0.0/8".parse().unwrap();
        let ip = Value::from_ip("10.1.2.3".parse().unwrap());
        assert!(contains(&Value::from_cidr(net), &ip));
        assert!(contains(&Value::list(vec![Value::from_cidr(net)]), &ip));
        assert!(contains(&Value::list(vec![Value::Int(22), Value::Int(3389)]), &Value::Float(22.0)));
        assert!(!contains(&Value::list(vec![Value::str("a")]), &Value::str("b")));
    }

    #[test]
    fn comparisons_across_numbers_only() {
        assert_eq!(compare(&Value::Int(1), &Value::Float(1.5)), Some(Ordering::Less));
        assert_eq!(compare(&Value::Int(1), &Value::str("1")), None);
        assert!(equal(&Value::Int(3), &Value::Float(3.0)));
        assert!(!equal(&Value::None, &Value::Int(0)));
    }
}
