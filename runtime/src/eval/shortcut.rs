//! Shortcuts for the lambda shapes rules use on every event: `parts.any(p => text.contains(p))`,
//! `prefixes.any(p => s.starts_with(p))`, `xs.any(x => x == y)`. Evaluated in general, each
//! item is cloned into the lambda's slot and read back, and the other operand is evaluated
//! again for every item; here the other operand is evaluated once and the items are compared
//! in place. The answer is always the general evaluation's.

use super::exec::{Method, X, reads_local};
use super::interp::{Env, Eval, equal};
use crate::plan::BinaryOp;
use crate::value::Value;

/// `items.any(slot => body)` when `body` has one of the shapes above; `None` otherwise.
pub(super) fn any(env: &Env<'_>, slot: u32, body: &X, items: &[Value], frame: &mut Vec<Value>) -> Option<Eval> {
    let is_item = |x: &X| matches!(x, X::Local(s) if *s == slot);
    match body {
        X::Method { method: method @ (Method::Contains | Method::StartsWith | Method::EndsWith), receiver, args }
            if matches!(args.as_slice(), [arg] if is_item(arg)) && !reads_local(receiver, slot) =>
        {
            if items.is_empty() {
                return Some(Ok(Value::Bool(false)));
            }
            Some(env.eval(receiver, frame).and_then(|text| match &text {
                Value::Str(text) => {
                    // The steps the general evaluation would take, one per item at least.
                    env.spend(items.len() as u64)?;
                    Ok(Value::Bool(items.iter().any(|item| match item {
                        Value::Str(part) => match method {
                            Method::Contains => text.contains(part.as_str()),
                            Method::StartsWith => text.starts_with(part.as_str()),
                            _ => text.ends_with(part.as_str()),
                        },
                        _ => false,
                    })))
                }
                // A method on `none` gives `none`, never `true`.
                Value::None => Ok(Value::Bool(false)),
                // Another receiver (a list, a CIDR): the method in general, the receiver
                // still evaluated once.
                _ => any_method(env, slot, *method, &text, args, items, frame),
            }))
        }
        X::Binary { op: BinaryOp::Eq, lhs, rhs } => {
            let other = match (is_item(lhs), is_item(rhs)) {
                (true, false) => rhs,
                (false, true) => lhs,
                _ => return None,
            };
            if reads_local(other, slot) {
                return None;
            }
            if items.is_empty() {
                return Some(Ok(Value::Bool(false)));
            }
            Some(env.eval(other, frame).and_then(|v| {
                env.spend(items.len() as u64)?;
                Ok(Value::Bool(items.iter().any(|item| equal(item, &v))))
            }))
        }
        _ => None,
    }
}

/// `items.any(slot => receiver.method(slot))` with the receiver already evaluated.
fn any_method(
    env: &Env<'_>,
    slot: u32,
    method: Method,
    receiver: &Value,
    args: &[X],
    items: &[Value],
    frame: &mut Vec<Value>,
) -> Eval {
    let at = slot as usize;
    if frame.len() <= at {
        frame.resize(at + 1, Value::None);
    }
    for item in items {
        frame[at] = item.clone();
        if matches!(env.method(method, receiver, args, frame)?, Value::Bool(true)) {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Engine;
    use crate::snapshot::{Format, load_str};

    /// Runs `test` with the environment of an empty plan and snapshot: the shapes under test
    /// read nothing else.
    fn with_env(test: impl FnOnce(&Env<'_>)) {
        let plan = crate::plan::test_plan(Vec::new());
        let snapshot = r#"{"format": "rulec.snapshot/v1", "taken_at": "2026-01-01T00:00:00Z", "assets": []}"#;
        let loaded = load_str(&plan, "empty.json", snapshot, Format::Json).expect("empty snapshot");
        let engine = Engine::new(&plan, &loaded.store).expect("engine");
        test(&engine.env());
    }

    /// Every shape, over receivers and items of every kind the checker lets through: the
    /// shortcut answers exactly what judging the lambda item by item answers.
    #[test]
    fn the_shortcut_answers_what_the_general_evaluation_answers() {
        with_env(|env| {
            let net: ipnet::IpNet = "10.0.0.0/8".parse().expect("cidr");
            let receivers = [
                Value::str("Mozilla/5.0 sqlmap/1.7"),
                Value::str(""),
                Value::list(vec![Value::str("sqlmap"), Value::Int(3)]),
                Value::from_cidr(net),
                Value::None,
                Value::Int(3),
            ];
            let item_lists = [
                vec![],
                vec![Value::str("sqlmap")],
                vec![Value::str("curl"), Value::str("Mozilla"), Value::str("1.7")],
                vec![Value::Int(3), Value::Float(3.0), Value::None, Value::str("")],
                vec![Value::from_ip("10.1.2.3".parse().expect("ip")), Value::str("x")],
            ];
            const SLOT: u32 = 1;
            let item = || Box::new(X::Local(SLOT));
            let mut shapes = Vec::new();
            for method in [Method::Contains, Method::StartsWith, Method::EndsWith] {
                for receiver in &receivers {
                    shapes.push(X::Method {
                        method,
                        receiver: Box::new(X::Value(receiver.clone())),
                        args: vec![*item()],
                    });
                }
            }
            for other in &receivers {
                let other = || Box::new(X::Value(other.clone()));
                shapes.push(X::Binary { op: BinaryOp::Eq, lhs: item(), rhs: other() });
                shapes.push(X::Binary { op: BinaryOp::Eq, lhs: other(), rhs: item() });
            }
            // As inside a rule: the shortcut runs within the subject's budget.
            let _scope = crate::eval::budget::Scope::enter(env.budget);
            for body in &shapes {
                for items in &item_lists {
                    let mut frame = vec![Value::None; 2];
                    let fast = any(env, SLOT, body, items, &mut frame).expect("a shortcut shape");
                    let general: Result<bool, _> = items.iter().try_fold(false, |found, item| {
                        frame[SLOT as usize] = item.clone();
                        Ok::<_, crate::eval::EvalError>(
                            found || matches!(env.eval(body, &mut frame)?, Value::Bool(true)),
                        )
                    });
                    match (fast, general) {
                        (Ok(Value::Bool(f)), Ok(g)) => assert_eq!(f, g, "{body:?} over {items:?}"),
                        (f, g) => assert_eq!(f.is_err(), g.is_err(), "{body:?} over {items:?}: {f:?} vs {g:?}"),
                    }
                }
            }
        });
    }

    #[test]
    fn other_shapes_are_left_to_the_general_evaluation() {
        with_env(|env| {
            let items = [Value::str("a")];
            let mut frame = vec![Value::None; 2];
            // The receiver reads the item itself: `p => p.contains(p)`.
            let reads_item =
                X::Method { method: Method::Contains, receiver: Box::new(X::Local(1)), args: vec![X::Local(1)] };
            assert!(any(env, 1, &reads_item, &items, &mut frame).is_none());
            // A different method, and an equality not against the item.
            let lower = X::Method { method: Method::Lower, receiver: Box::new(X::Local(1)), args: Vec::new() };
            assert!(any(env, 1, &lower, &items, &mut frame).is_none());
            let unrelated = X::Binary { op: BinaryOp::Eq, lhs: Box::new(X::Local(0)), rhs: Box::new(X::Now) };
            assert!(any(env, 1, &unrelated, &items, &mut frame).is_none());
        });
    }
}
