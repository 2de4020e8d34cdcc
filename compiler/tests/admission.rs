//! Remembered refusals of alarms (runtime `eval/admission.rs`): an event turned away by
//! `where` or `when` is remembered by the fields the verdict depends on. What must not change:
//! which events fire (values that differ in a field the verdict reads, `time` read through a
//! function or a `let`), and the steps each alarm spends (`--profile`; budgets spend the same
//! steps, through the same `Env::spend`).

use std::sync::Arc;

mod support;

use rulec_runtime::eval::{Budget, Engine};
use rulec_runtime::plan::Plan;
use rulec_runtime::snapshot::{self, Format};

const PACK: &str = r#"
package admtest

use std.events

/// A call to a made-up service.
event Ping {
  key: string
  code: int
}

const codes: [int] = [1, 2]

fn is_late(p: Ping) -> bool = p.time >= time("2026-11-20T08:30:00Z")

alarm BY_KEY {
  title "by key"
  severity low
  on p: Ping where p.code in codes
  when p.key == "bad"
  message "{p.key} {p.time}"
}

alarm LATE_BY_FUNCTION {
  title "late, asked of the event"
  severity low
  on p: Ping where p.code == 1 and is_late(p)
  message "{p.time}"
}

alarm NATIVE_OF_A_LOCAL {
  title "a native given a local"
  severity low
  on p: Ping
  let k = p.key
  when events.calls_of(k).is_empty()
  message "{k}"
}

alarm LATE_BY_LET {
  title "late, through a let"
  severity low
  on p: Ping where p.code == 1
  let late = p.time >= time("2026-11-20T08:30:00Z")
  when late
  message "{p.time}"
}
"#;

fn plan() -> Arc<Plan> {
    support::plan_with_pack("admtest", PACK)
}

/// `pings` (key, code), one a minute from 08:00.
fn snapshot(pings: &[(&str, i64)]) -> String {
    let events: Vec<serde_json::Value> = pings
        .iter()
        .enumerate()
        .map(|(i, (key, code))| {
            let time = format!("2026-11-20T{:02}:{:02}:00Z", 8 + i / 60, i % 60);
            serde_json::json!({ "type": "Ping", "time": time, "key": key, "code": code })
        })
        .collect();
    serde_json::json!({ "format": "rulec.snapshot/v1", "taken_at": "2026-11-20T12:00:00Z", "assets": [], "events": events })
        .to_string()
}

fn run(pings: &[(&str, i64)], rule: &str, budget: Budget) -> rulec_runtime::eval::Outcome {
    let plan = plan();
    let store = snapshot::load_str(&plan, "pings.json", &snapshot(pings), Format::Json).expect("valid").store;
    let mut engine = Engine::with_budget(&plan, &store, budget).expect("engine");
    engine.profile();
    engine.run(|c| c.id == rule)
}

fn steps(outcome: &rulec_runtime::eval::Outcome) -> u64 {
    outcome.profile.as_ref().expect("profiled").checks[0].steps
}

#[test]
fn events_that_differ_in_what_the_verdict_reads_are_judged_apart() {
    // Refused by `where` (code 3) and by `when` (key "ok") many times over, then the one
    // event that fires.
    let mut pings = vec![("ok", 3); 40];
    pings.extend([("ok", 1); 40]);
    pings.push(("bad", 1));
    pings.extend([("ok", 2); 10]);
    let outcome = run(&pings, "BY_KEY", Budget::default());
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let messages: Vec<&str> = outcome.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages, ["bad 2026-11-20T09:20:00Z"]);
}

#[test]
fn time_read_through_a_function_or_a_let_is_never_remembered() {
    // Every ping has the same key and code; only the time tells the late ones.
    let pings = vec![("k", 1); 60];
    for rule in ["LATE_BY_FUNCTION", "LATE_BY_LET"] {
        let outcome = run(&pings, rule, Budget::default());
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        assert_eq!(outcome.findings.len(), 30, "{rule}");
    }
}

#[test]
fn a_remembered_refusal_spends_the_steps_of_its_judgement() {
    let one = steps(&run(&[("ok", 1)], "BY_KEY", Budget::default()));
    let many = run(&[("ok", 1); 500], "BY_KEY", Budget::default());
    assert!(one > 0);
    assert_eq!(steps(&many), 500 * one);
}

#[test]
fn reading_a_field_of_the_event_spends_a_step_for_the_field_and_one_for_the_event() {
    // `where p.code in codes` on one event: `in` 1, `p.code` 2 (the field and `p`), `codes` 1,
    // and one per item of the list (2). A field of a local is read in place, without
    // evaluating the local, but its step is spent all the same.
    let outcome = run(&[("ok", 3)], "BY_KEY", Budget::default());
    assert_eq!(steps(&outcome), 6);
}

#[test]
fn a_local_given_to_a_native_spends_its_step() {
    // Judging: `let k = p.key` 2 (the field and `p`), `when events.calls_of(k).is_empty()` 3
    // (the method, the native, `k`); the finding: the `let` again 2, the message's `{k}` 1. A
    // local given to a native is lent, not evaluated, but its step is spent all the same.
    let outcome = run(&[("ok", 3)], "NATIVE_OF_A_LOCAL", Budget::default());
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.findings.len(), 1);
    assert_eq!(steps(&outcome), 8);
}
