//! Fixtures of the `rulec watch-events` tests: a context and an event that raises an alarm,
//! and the batch answer a stream is compared with.

use std::path::Path;

use serde_json::Value;

use super::{run_in, text};

/// A context with one active key and nothing else.
pub const CONTEXT: &str = r#"{"format":"rulec.snapshot/v1","taken_at":"2026-11-20T08:00:00Z","assets":[
  {"type":"AccessKey","id":"ak-live","provider":"tencent","account":"100000000001","tags":{},"owner_id":"u-a",
   "owner_kind":"user","kind":"permanent","status":"active","created_at":"2026-10-01T00:00:00Z"}],"events":[]}"#;

/// A sensitive call signed with `ak-live` from an address outside the estate.
pub const EXTERNAL_CALL: &str = r#"{"type":"ApiCall","time":"2026-11-20T09:00:00Z","access_key_id":"ak-live","source_ip":"45.2.2.2","user_agent":"tccli/3.0","service":"cam","action":"CreateAccessKey","success":true}"#;

/// The alarm findings of `rulec check --format json` on a snapshot, each as JSON, sorted: what
/// a stream of the snapshot's events must come to.
pub fn checked_alarms(dir: &Path, snapshot: &Path) -> Vec<String> {
    let out = run_in(dir, &["check", "--format", "json", "--fail-on", "none", snapshot.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let mut alarms: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "alarm")
        .map(Value::to_string)
        .collect();
    alarms.sort();
    alarms
}
