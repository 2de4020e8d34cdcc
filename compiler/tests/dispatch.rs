//! Alarm dispatch (runtime `eval/dispatch.rs`): an alarm whose `where` requires
//! `events.is_call_to(e, LIST)` is shown only the calls of LIST. Each gated alarm below has an
//! ungated twin (`not not` hides the list from the dispatch) with the same condition; on
//! generated logs — services and actions in any letter case, lists with an entry lacking a
//! service — every pair must report the same findings, and the gated ones must be gated.

use std::path::PathBuf;
use std::sync::Arc;

mod support;

use proptest::prelude::*;
use rulec_compiler::compilation::Compilation;
use rulec_compiler::packs;
use rulec_runtime::eval::{AlarmStream, Engine, StreamOptions};
use rulec_runtime::plan::{CheckKind, Plan};
use rulec_runtime::snapshot::{self, Format};

const PACK: &str = r#"
package dispatchtest

use std.events

const keys: [string] = ["cam:CreateAccessKey", "RAM:createaccesskey", "DeleteBucket"]
const grants: [string] = ["cam:AttachUserPolicy"]

fn is_key_creation(call: ApiCall) -> bool = events.is_call_to(call, keys)

alarm G_CONST {
  title "key created"
  severity low
  on e: ApiCall where e.success and events.is_call_to(e, keys)
  message "{e.access_key_id} {e.service}:{e.action}"
}
alarm P_CONST {
  title "key created"
  severity low
  on e: ApiCall where not not (e.success and events.is_call_to(e, keys))
  message "{e.access_key_id} {e.service}:{e.action}"
}

alarm G_OR {
  title "key or grant"
  severity low
  on e: ApiCall where is_key_creation(e) or events.is_call_to(e, grants)
  group by e.access_key_id within 1m
  threshold count >= 2
  message "{e.access_key_id} {e.service}:{e.action}"
}
alarm P_OR {
  title "key or grant"
  severity low
  on e: ApiCall where not not (is_key_creation(e) or events.is_call_to(e, grants))
  group by e.access_key_id within 1m
  threshold count >= 2
  message "{e.access_key_id} {e.service}:{e.action}"
}

alarm G_AND {
  title "both"
  severity low
  on e: ApiCall where events.is_call_to(e, ["cam:CreateAccessKey", "cam:AttachUserPolicy"]) and is_key_creation(e)
  message "{e.access_key_id} {e.service}:{e.action}"
}
alarm P_AND {
  title "both"
  severity low
  on e: ApiCall where not not (events.is_call_to(e, ["cam:CreateAccessKey", "cam:AttachUserPolicy"]) and is_key_creation(e))
  message "{e.access_key_id} {e.service}:{e.action}"
}

alarm U_OTHER {
  title "not a list"
  severity low
  on e: ApiCall where e.success or events.is_call_to(e, keys)
}
"#;

fn plan() -> Arc<Plan> {
    support::plan_with_pack("dispatchtest", PACK)
}

fn log(calls: &[(usize, i64, usize, bool)]) -> String {
    const APIS: [(&str, &str); 7] = [
        ("cam", "CreateAccessKey"),
        ("CAM", "createACCESSkey"),
        ("ram", "CreateAccessKey"),
        ("cam", "AttachUserPolicy"),
        ("cos", "DeleteBucket"),
        ("cvm", "DescribeInstances"),
        ("cam:CreateAccessKey", ""),
    ];
    let events: Vec<serde_json::Value> = calls
        .iter()
        .map(|&(key, at, api, ok)| {
            let (service, action) = APIS[api % APIS.len()];
            let key = ["ak-1", "ak-2"][key % 2];
            serde_json::json!({
                "type": "ApiCall",
                "time": rulec_runtime::value::format_time((1_795_000_000 + at) * 1_000_000),
                "access_key_id": key,
                "source_ip": "10.0.0.1",
                "user_agent": "tccli/3.0",
                "service": service,
                "action": action,
                "success": ok,
            })
        })
        .collect();
    serde_json::json!({ "format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": [], "events": events })
        .to_string()
}

/// The findings of the alarms whose id starts with `prefix`: the id's rest and the finding as
/// JSON without the rule id.
fn findings_of(findings: &[rulec_runtime::report::Finding], prefix: char) -> Vec<(String, String)> {
    findings
        .iter()
        .filter(|f| f.rule.starts_with(prefix))
        .map(|f| {
            let mut json = serde_json::to_value(f).expect("json");
            json.as_object_mut().expect("an object").remove("rule");
            (f.rule[1..].to_owned(), json.to_string())
        })
        .collect()
}

#[test]
fn alarms_that_name_their_calls_are_gated_and_the_others_are_not() {
    let plan = plan();
    let store = snapshot::load_str(&plan, "log.json", &log(&[]), Format::Json).expect("valid").store;
    let engine = Engine::new(&plan, &store).expect("engine");
    let gated = engine.gated_alarms();
    let keys = vec!["cam:createaccesskey", "ram:createaccesskey"];
    assert_eq!(gated.get("G_CONST"), Some(&keys), "a constant list, lower-cased, without `DeleteBucket`");
    assert_eq!(
        gated.get("G_OR"),
        Some(&vec!["cam:attachuserpolicy", "cam:createaccesskey", "ram:createaccesskey"]),
        "through a function, and the union of `or`"
    );
    assert_eq!(gated.get("G_AND"), Some(&vec!["cam:createaccesskey"]), "the intersection of `and`");
    for ungated in ["P_CONST", "P_OR", "P_AND", "U_OTHER"] {
        assert!(!gated.contains_key(ungated), "{ungated} must see every call");
    }
}

#[test]
fn the_built_in_alarms_that_list_their_calls_are_gated() {
    let packs = packs::assemble(&[]).expect("built-in packs");
    let plan = Compilation::new(&packs).plan().expect("a plan");
    let store = snapshot::load_str(&plan, "empty.json", &log(&[]), Format::Json).expect("valid").store;
    let engine = Engine::new(&plan, &store).expect("engine");
    let gated = engine.gated_alarms();
    for id in [
        "AK_ALARM_SENSITIVE_API_ABNORMAL_IP",
        "AK_ALARM_KEY_CREATED_AND_GRANTED",
        "LOG_ALARM_TRAIL_CHANGED",
        "NET_ALARM_SG_OPENED_FROM_EXTERNAL_IP",
    ] {
        assert!(gated.contains_key(id), "{id} is not gated: {:?}", gated.keys().collect::<Vec<_>>());
    }
    assert!(gated["AK_ALARM_SENSITIVE_API_ABNORMAL_IP"].contains(&"cam:createaccesskey"));
    assert!(!gated.contains_key("AK_ALARM_HACKER_TOOL"), "a user-agent alarm sees every call");
}

fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

/// The gated and the ungated twins' findings, from the batch and from the stream.
fn twins(calls: &[(usize, i64, usize, bool)]) {
    let plan = plan();
    let store = snapshot::load_str(&plan, "log.json", &log(calls), Format::Json).expect("valid log").store;
    let engine = Engine::new(&plan, &store).expect("engine");
    let outcome = engine.run(|c| c.kind == CheckKind::Alarm);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(findings_of(&outcome.findings, 'G'), findings_of(&outcome.findings, 'P'), "batch");

    // The stream evaluator dispatches the same way.
    let mut stream = AlarmStream::new(&plan, |_| true, StreamOptions::default());
    let api_call = plan.types.iter().position(|t| t.name == "ApiCall").expect("ApiCall") as u32;
    let mut streamed = Vec::new();
    for row in store.rows(api_call) {
        streamed.extend(stream.push(&engine, row.clone()).findings.into_iter().map(|f| f.finding));
    }
    streamed.extend(stream.flush(&engine).findings.into_iter().map(|f| f.finding));
    let (mut gated, mut plain) = (findings_of(&streamed, 'G'), findings_of(&streamed, 'P'));
    gated.sort();
    plain.sort();
    assert_eq!(gated, plain, "stream");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_gated_alarm_finds_what_its_ungated_twin_finds(
        calls in prop::collection::vec((0usize..2, 0i64..200, 0usize..7, prop::bool::weighted(0.8)), 0..50),
    ) {
        twins(&calls);
    }
}

#[test]
fn gated_built_in_alarms_fire_on_the_example_estate() {
    // The example snapshot's events reach the gated built-in alarms: at least one finding.
    let packs = packs::assemble(&[]).expect("built-in packs");
    let plan = Compilation::new(&packs).plan().expect("a plan");
    let text = std::fs::read_to_string(fixture("examples/snapshot.json")).expect("example snapshot");
    let store = snapshot::load_str(&plan, "snapshot.json", &text, Format::Json).expect("valid").store;
    let engine = Engine::new(&plan, &store).expect("engine");
    let gated = engine.gated_alarms();
    let outcome = engine.run(|c| c.kind == CheckKind::Alarm);
    assert!(
        outcome.findings.iter().any(|f| gated.contains_key(f.rule.as_str())),
        "no gated alarm fired on the example"
    );
}
