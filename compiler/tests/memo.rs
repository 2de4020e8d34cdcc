//! Remembered function calls (runtime `eval/memo.rs`): a function asked the same question by
//! several checks computes once. What must not change: the answer for every argument, the
//! steps each check spends (`--profile`, budgets), and a budget that a remembered call would
//! exceed.

use std::sync::Arc;

mod support;

use rulec_runtime::eval::{Budget, Engine};
use rulec_runtime::limits::Limits;
use rulec_runtime::plan::Plan;
use rulec_runtime::snapshot::{self, Format};

const PACK: &str = r#"
package memotest

/// A box of items, each with a size.
asset Crate {
  sizes: [int]
}

/// Loops over the crate, so its calls are remembered; `bound` and `label` are part of the key.
fn count_over(c: Crate, bound: int, label: string) -> int =
  c.sizes.filter(s => s > bound and label != "").len()

rule FIRST {
  title "first"
  severity low
  for c: Crate
  when count_over(c, 2, "x") > 0
  message "{c.id} {count_over(c, 2, "x")} {count_over(c, 5, "x")}"
}

rule SECOND {
  title "second"
  severity low
  for c: Crate
  when count_over(c, 2, "x") > 0
  message "{c.id} {count_over(c, 2, "x")} {count_over(c, 5, "x")}"
}

rule EMPTY_LABEL {
  title "empty label"
  severity low
  for c: Crate
  when count_over(c, 2, "") == 0
  message "{c.id}"
}

rule ONCE {
  title "once"
  severity low
  for c: Crate
  when count_over(c, 0, "y") > 0
}

rule TWICE {
  title "twice"
  severity low
  for c: Crate
  when count_over(c, 0, "y") + count_over(c, 0, "y") > 0
  message "{c.id}"
}
"#;

fn plan() -> Arc<Plan> {
    support::plan_with_pack("memotest", PACK)
}

fn snapshot(crates: &[(&str, &[i64])]) -> String {
    let assets: Vec<serde_json::Value> = crates
        .iter()
        .map(|(id, sizes)| {
            serde_json::json!({
                "type": "Crate", "id": id, "provider": "tencent", "account": "1", "tags": {}, "sizes": sizes,
            })
        })
        .collect();
    serde_json::json!({ "format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": assets })
        .to_string()
}

/// Messages of `rule`, sorted.
fn messages(findings: &[rulec_runtime::report::Finding], rule: &str) -> Vec<String> {
    let mut out: Vec<String> = findings.iter().filter(|f| f.rule == rule).map(|f| f.message.clone()).collect();
    out.sort();
    out
}

#[test]
fn every_argument_gets_its_own_answer_and_every_check_the_same_steps() {
    let plan = plan();
    let text = snapshot(&[("a", &[1, 3, 6, 9]), ("b", &[1, 2]), ("c", &[7])]);
    let store = snapshot::load_str(&plan, "crates.json", &text, Format::Json).expect("valid").store;
    let mut engine = Engine::new(&plan, &store).expect("engine");
    engine.profile();
    let outcome = engine.run(|c| ["FIRST", "SECOND", "EMPTY_LABEL"].contains(&c.id.as_str()));
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    // The bound and the label are part of the question: (a, 2) and (a, 5) differ, and the empty
    // label answers 0 for every crate.
    assert_eq!(messages(&outcome.findings, "FIRST"), ["a 3 2", "c 1 1"]);
    assert_eq!(messages(&outcome.findings, "SECOND"), messages(&outcome.findings, "FIRST"));
    assert_eq!(messages(&outcome.findings, "EMPTY_LABEL"), ["a", "b", "c"]);
    // SECOND asks exactly what FIRST asked, after it or at the same time: it spends the same.
    let steps = |id: &str| {
        let profile = outcome.profile.as_ref().expect("profiled");
        profile.checks.iter().find(|c| c.id == id).map(|c| c.steps).expect("a profiled check")
    };
    assert!(steps("FIRST") > 0);
    assert_eq!(steps("FIRST"), steps("SECOND"));
}

#[test]
fn a_remembered_call_still_spends_its_steps() {
    let plan = plan();
    let sizes: Vec<i64> = (0..40).collect();
    let text = snapshot(&[("big", &sizes)]);
    let store = snapshot::load_str(&plan, "crates.json", &text, Format::Json).expect("valid").store;
    let mut engine = Engine::new(&plan, &store).expect("engine");
    engine.profile();
    let once = engine.run(|c| c.id == "ONCE").profile.expect("profiled").checks[0].steps;
    // Enough for one count, not for two: TWICE fails although its second call is remembered
    // from its first (and from ONCE's).
    let max_steps = once + once / 2;
    let budget = Budget { limits: Limits { max_steps, ..Limits::default() }, ..Budget::default() };
    let engine = Engine::with_budget(&plan, &store, budget).expect("engine");
    let outcome = engine.run(|c| c.id == "ONCE" || c.id == "TWICE");
    let failed: Vec<&str> = outcome.errors.iter().map(|e| e.rule.as_str()).collect();
    assert_eq!(failed, ["TWICE"], "{:?}", outcome.errors);
    let expected = format!("evaluation step budget of {max_steps}");
    assert!(outcome.errors[0].message.starts_with(&expected), "{}", outcome.errors[0].message);
}
