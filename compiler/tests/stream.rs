//! The stream evaluator against the batch evaluator: feeding a snapshot's events one at a
//! time (in time order, or shuffled within the allowed lateness), then flushing, and keeping
//! the last report of each alarm id gives exactly the findings `Engine::run` gives — same
//! set, same evidence. On generated logs (several keys, bursts at window edges, count and
//! distinct thresholds, no window, no grouping), the built-in packs' fixtures and synth output.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

mod support;

use proptest::prelude::*;
use rulec_runtime::eval::{AlarmStream, Engine, StreamOptions};
use rulec_runtime::plan::{CheckKind, Plan, TypeKind};
use rulec_runtime::snapshot::{self, Format, Store};
use rulec_runtime::value::{MICROS_PER_SECOND, Micros, Record, Value};

const TEST_PACK: &str = r#"
package streamtest

alarm ST_COUNT {
  title    "three calls of a key in a minute"
  severity low
  on e: ApiCall
  group by e.access_key_id within 1m
  threshold count >= 3
  message  "{e.access_key_id} called {e.action}"
}

alarm ST_DISTINCT {
  title    "three distinct actions of a key in five minutes"
  severity medium
  on e: ApiCall where e.success
  group by e.access_key_id within 5m
  threshold distinct(e.action) >= 3
}

alarm ST_FOREVER {
  title    "an address seen four times"
  severity low
  on e: ApiCall
  group by e.source_ip
  threshold count >= 4
}

alarm ST_SINGLE {
  title    "a delete"
  severity high
  on e: ApiCall where e.action == "DeleteBucket"
}
"#;

/// The built-in packs plus the test pack above.
fn plan() -> Arc<Plan> {
    support::plan_with_pack("streamtest", TEST_PACK)
}

/// The batch answer: every alarm finding as JSON, sorted. Two identical events raise two
/// identical findings of an alarm without grouping in a batch; to the stream they are one
/// event delivered twice, with one id, so the comparison is of sets.
fn batch(plan: &Plan, store: &Store) -> Vec<String> {
    let engine = Engine::new(plan, store).expect("engine");
    let outcome = engine.run(|c| c.kind == CheckKind::Alarm);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let mut out: Vec<String> = outcome.findings.iter().map(|f| serde_json::to_string(f).expect("json")).collect();
    out.sort();
    out.dedup();
    out
}

fn time_of(plan: &Plan, record: &Record) -> Micros {
    let ty = &plan.types[record.ty() as usize];
    match ty.fields.iter().position(|f| f.name == "time").and_then(|i| record.fields().get(i)) {
        Some(Value::Time(t)) => *t,
        _ => 0,
    }
}

/// The store's events in time order (ties in input order), all event types merged.
fn events(plan: &Plan, store: &Store) -> Vec<Record> {
    let mut all: Vec<Record> = (0..plan.types.len())
        .filter(|&i| plan.types[i].kind == TypeKind::Event)
        .flat_map(|i| store.rows(i as u32).iter().cloned())
        .collect();
    all.sort_by_key(|r| time_of(plan, r));
    all
}

/// The streamed answer: the events pushed in `order`, then a flush; the last report per id.
fn streamed(plan: &Plan, store: &Store, order: &[Record], lateness: Micros) -> Vec<String> {
    let engine = Engine::new(plan, store).expect("engine");
    let mut stream = AlarmStream::new(plan, |_| true, StreamOptions { lateness, ..StreamOptions::default() });
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    for event in order {
        let out = stream.push(&engine, event.clone());
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert!(!out.late, "an event within the lateness was called late");
        for f in out.findings {
            last.insert(f.id, serde_json::to_string(&f.finding).expect("json"));
        }
    }
    let out = stream.flush(&engine);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    for f in out.findings {
        last.insert(f.id, serde_json::to_string(&f.finding).expect("json"));
    }
    assert_eq!(stream.stats().groups, 0, "a flushed stream holds nothing");
    let mut out: Vec<String> = last.into_values().collect();
    out.sort();
    out
}

/// `events` reordered so each arrives at most `lateness` after its time: sorted by time plus
/// a jitter that is a function of the time (equal times keep their order, as the batch does).
fn shuffled(plan: &Plan, events: &[Record], lateness: Micros, seed: u64) -> Vec<Record> {
    let mut keyed: Vec<(Micros, Record)> = events
        .iter()
        .map(|e| {
            let t = time_of(plan, e);
            let jitter = fastrand::Rng::with_seed(seed ^ t as u64).i64(0..=lateness);
            (t.saturating_add(jitter), e.clone())
        })
        .collect();
    keyed.sort_by_key(|(k, _)| *k);
    keyed.into_iter().map(|(_, e)| e).collect()
}

fn assert_stream_equals_batch(plan: &Plan, store: &Store, lateness: Micros, seed: u64) {
    let expected = batch(plan, store);
    let in_order = events(plan, store);
    assert_eq!(streamed(plan, store, &in_order, 0), expected, "in time order");
    let late = shuffled(plan, &in_order, lateness, seed);
    assert_eq!(streamed(plan, store, &late, lateness), expected, "shuffled within {lateness}µs");
}

/// A generated API-call log: `calls` of (key, second offset, action, success, ip).
fn log(calls: &[(usize, i64, usize, bool, usize)]) -> String {
    const KEYS: [&str; 3] = ["ak-1", "ak-2", "ak-3"];
    const ACTIONS: [&str; 5] = ["DescribeInstances", "GetUser", "ListBuckets", "DeleteBucket", "GetObject"];
    const IPS: [&str; 3] = ["45.1.1.1", "10.0.0.1", "198.51.100.9"];
    let start = 1_795_000_000_i64;
    let events: Vec<serde_json::Value> = calls
        .iter()
        .map(|&(k, at, a, ok, ip)| {
            serde_json::json!({
                "type": "ApiCall",
                "time": rulec_runtime::value::format_time((start + at) * MICROS_PER_SECOND),
                "access_key_id": KEYS[k % KEYS.len()],
                "source_ip": IPS[ip % IPS.len()],
                "user_agent": "tccli/3.0",
                "service": "cvm",
                "action": ACTIONS[a % ACTIONS.len()],
                "success": ok,
            })
        })
        .collect();
    serde_json::json!({ "format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": [], "events": events })
        .to_string()
}

/// Offsets that cluster on the windows' edges (multiples of 60 and 300 seconds, ±1).
fn offset() -> impl Strategy<Value = i64> {
    prop_oneof![
        0i64..1_200,
        (0i64..20).prop_map(|m| m * 60),
        (0i64..20).prop_map(|m| m * 60 + 1),
        (0i64..5).prop_map(|m| m * 300 - 1)
    ]
    .prop_map(|t| t.max(0))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_logs_stream_to_the_batch_findings(
        calls in prop::collection::vec((0usize..3, offset(), 0usize..5, prop::bool::weighted(0.8), 0usize..3), 0..60),
        lateness in 0i64..400,
        seed in any::<u64>(),
    ) {
        let plan = plan();
        let store = snapshot::load_str(&plan, "log.json", &log(&calls), Format::Json).expect("valid log").store;
        assert_stream_equals_batch(&plan, &store, lateness * MICROS_PER_SECOND, seed);
    }
}

fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

#[test]
fn the_alarm_packs_fixtures_stream_to_the_batch_findings() {
    let plan = plan();
    for path in
        ["packs/ak/fixtures/alarms.yaml", "packs/ak/fixtures/keys.yaml", "packs/network/fixtures/sg_ingress_calls.yaml"]
    {
        let store = snapshot::load(&plan, &[fixture(path)]).expect("valid fixture").store;
        assert!(!batch(&plan, &store).is_empty() || path.ends_with("keys.yaml"), "{path} raises alarms");
        for seed in 0..4 {
            assert_stream_equals_batch(&plan, &store, 3_600 * MICROS_PER_SECOND, seed);
        }
    }
}

#[test]
fn synthetic_estates_stream_to_the_batch_findings() {
    let plan = plan();
    let mut text = Vec::new();
    rulec_runtime::synth::write(rulec_runtime::synth::Spec::new(300), &mut text).expect("synth");
    let text = String::from_utf8(text).expect("utf-8");
    let store = snapshot::load_str(&plan, "synth.json", &text, Format::Json).expect("valid synth").store;
    assert!(!batch(&plan, &store).is_empty(), "synth raises alarms");
    assert_stream_equals_batch(&plan, &store, 600 * MICROS_PER_SECOND, 7);
}

#[test]
fn a_small_group_cap_evicts_and_counts_but_loses_no_alarm_that_fired() {
    let plan = plan();
    let calls: Vec<(usize, i64, usize, bool, usize)> = (0..30).map(|i| (i % 3, i as i64, i % 5, true, i % 3)).collect();
    let store = snapshot::load_str(&plan, "log.json", &log(&calls), Format::Json).expect("valid log").store;
    let engine = Engine::new(&plan, &store).expect("engine");
    let mut stream = AlarmStream::new(&plan, |_| true, StreamOptions { lateness: 0, max_groups: 2 });
    let mut ids = std::collections::BTreeSet::new();
    for event in events(&plan, &store) {
        ids.extend(stream.push(&engine, event).findings.into_iter().map(|f| f.id));
    }
    ids.extend(stream.flush(&engine).findings.into_iter().map(|f| f.id));
    let stats = stream.stats();
    assert!(stats.evicted > 0, "{stats:?}");
    assert!(!ids.is_empty());
}

#[test]
fn an_event_older_than_the_lateness_is_late_and_joins_no_window() {
    let plan = plan();
    let calls = [(0, 600, 0, true, 0), (0, 0, 3, true, 0), (0, 1, 0, true, 0)];
    let store = snapshot::load_str(&plan, "log.json", &log(&calls), Format::Json).expect("valid log").store;
    let engine = Engine::new(&plan, &store).expect("engine");
    let mut stream =
        AlarmStream::new(&plan, |_| true, StreamOptions { lateness: 60 * MICROS_PER_SECOND, max_groups: 10 });
    let mut order = events(&plan, &store);
    order.rotate_left(2); // 600 first, then 0 and 1: both more than a minute late
    let first = stream.push(&engine, order[0].clone());
    assert!(!first.late);
    let delete = stream.push(&engine, order[1].clone());
    assert!(delete.late);
    // Alarms without grouping need no order: the late delete still raises ST_SINGLE.
    assert!(delete.findings.iter().any(|f| f.finding.rule == "ST_SINGLE"), "{:?}", delete.findings);
    assert!(stream.push(&engine, order[2].clone()).late);
    assert_eq!(stream.stats().late, 2);
}

#[test]
fn a_quiet_source_releases_what_waits_for_the_watermark() {
    let plan = plan();
    // Three calls of one key within a minute: ST_COUNT's threshold, held back by the lateness.
    let calls = [(0, 0, 0, true, 0), (0, 10, 1, true, 0), (0, 20, 2, true, 0)];
    let store = snapshot::load_str(&plan, "log.json", &log(&calls), Format::Json).expect("valid log").store;
    let engine = Engine::new(&plan, &store).expect("engine");
    let mut stream = AlarmStream::new(
        &plan,
        |c| c.id == "ST_COUNT",
        StreamOptions { lateness: 3_600 * MICROS_PER_SECOND, max_groups: 10 },
    );
    for event in events(&plan, &store) {
        assert!(stream.push(&engine, event).findings.is_empty(), "held until the watermark passes it");
    }
    assert_eq!(stream.stats().buffered, 3);
    let released = stream.idle(&engine);
    assert_eq!(released.findings.len(), 1, "the burst is reported when it opens");
    assert_eq!(released.findings[0].finding.evidence["count"], 3);
    // Nothing joined it since: the end of input reports nothing more.
    assert!(stream.flush(&engine).findings.is_empty());
}
