//! End-to-end tests of `rulec watch-events`: the real binary on a followed file and on
//! standard input. Lines are waited for (30 s at most, so a regression fails instead of
//! hanging); nothing asserts timing.

#[path = "support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::watch_events::{CONTEXT, EXTERNAL_CALL, checked_alarms};
use support::{repo, rulec_process, run_in, text};

const PATIENCE: Duration = Duration::from_secs(30);

/// A raw CloudAudit record (as delivered to CKafka / CLS) of the same kind of call, at 10:30 UTC
/// (CloudAudit writes Beijing time).
const RAW_CLOUDAUDIT_CALL: &str = r#"{"userIdentity":{"principalId":"100000000021","accountId":"100000000002","secretId":"AKIDRAWEXAMPLE0001","type":"user","userName":"jack","sessionContext":""},"eventRegion":"ap-guangzhou","eventVersion":2,"errorCode":0,"errorMessage":"","requestID":"4c1f2f0e-0d6b-4f1e-9a51-000000000001","eventID":"8a3e9d1c-2b7f-4e55-a0c3-000000000001","apiVersion":"3.0","eventType":"ApiCall","actionType":"Read","apiErrorCode":0,"apiErrorMessage":"","userAgent":"python-requests/2.31.0","eventTime":"2026-11-20 18:30:00","sensitiveAction":0,"eventPlatform":0,"sourceIPAddress":"45.2.2.9","resourceType":"cam","eventName":"CreateAccessKey","eventSource":"cam.tencentcloudapi.com","requestParameters":"{\"Limit\":100,\"Offset\":0,\"Region\":\"ap-guangzhou\",\"Version\":\"2017-03-12\"}","responseElements":"","resources":"[\"*\"]","resourceName":"","tags":""}"#;

/// A running `rulec watch-events` and its standard output, line by line.
struct Watching {
    child: Child,
    stdout: Receiver<String>,
}

impl Watching {
    fn start(dir: &Path, args: &[&str]) -> Watching {
        let mut child = rulec_process()
            .current_dir(dir)
            .arg("watch-events")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rulec");
        let (sender, stdout) = mpsc::channel();
        let out = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Watching { child, stdout }
    }

    fn next_line(&self, what: &str) -> String {
        self.stdout.recv_timeout(PATIENCE).unwrap_or_else(|_| panic!("no line {what} within {PATIENCE:?}"))
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn append(path: &Path, line: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).create(true).open(path).expect("open events");
    writeln!(file, "{line}").expect("append");
}

#[test]
fn a_leaked_key_used_from_outside_alarms_while_the_file_is_followed() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("context.json"), CONTEXT).expect("context");
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, "").expect("events");
    let mut watching = Watching::start(
        dir.path(),
        &["--source", "events.jsonl", "--context", "context.json", "--stats-every", "0", "--only-pack", "ak"],
    );
    append(&events, EXTERNAL_CALL);
    let line: Value = serde_json::from_str(&watching.next_line("for the external call")).expect("a JSON line");
    assert_eq!(line["rule"], "AK_ALARM_SENSITIVE_API_ABNORMAL_IP");
    assert_eq!(line["subject"]["id"], "ak-live");
    assert_eq!(line["id"].as_str().map(str::len), Some(32), "{line}");
    assert!(watching.child.try_wait().expect("status").is_none(), "still following the file");
}

/// The external call, signed with `key` at 09:00 plus `minute` minutes.
fn call(key: &str, minute: u32) -> String {
    EXTERNAL_CALL.replace("ak-live", key).replace("09:00:00", &format!("09:{minute:02}:00"))
}

#[test]
fn a_truncated_or_rotated_file_is_read_again_from_its_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("context.json"), CONTEXT).expect("context");
    let events = dir.path().join("events.jsonl");
    // The second file is shorter than what was read of the first: how a truncation is noticed.
    std::fs::write(&events, call("ak-first-of-the-old-file", 0) + "\n").expect("events");
    let watching = Watching::start(
        dir.path(),
        &["--source", "events.jsonl", "--context", "context.json", "--stats-every", "0", "--only-pack", "ak"],
    );
    let subject = |line: String| serde_json::from_str::<Value>(&line).expect("a JSON line")["subject"]["id"].clone();
    assert_eq!(subject(watching.next_line("for the first key")), "ak-first-of-the-old-file");
    std::fs::write(&events, call("ak-truncated", 1) + "\n").expect("truncate");
    assert_eq!(subject(watching.next_line("after the truncation")), "ak-truncated");
    std::fs::rename(&events, dir.path().join("events.jsonl.1")).expect("rotate");
    std::fs::write(&events, call("ak-rotated", 2) + "\n").expect("new file");
    assert_eq!(subject(watching.next_line("after the rotation")), "ak-rotated");
}

#[test]
fn a_changed_context_is_loaded_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let context = dir.path().join("context.json");
    std::fs::write(&context, CONTEXT).expect("context");
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, "").expect("events");
    let watching = Watching::start(
        dir.path(),
        &[
            "--source",
            "events.jsonl",
            "--context",
            "context.json",
            "--stats-every",
            "0",
            "--only-pack",
            "ak",
            "--lateness",
            "0",
        ],
    );
    // A leak report alarms only for a key the context knows as active: `ak-new` arrives with
    // the new context. Reports are appended until one alarms (the reload takes a moment).
    std::fs::write(&context, CONTEXT.replace("ak-live", "ak-new")).expect("new context");
    let report = r#"{"type":"LeakReport","time":"2026-11-20T09:00:00Z","access_key_id":"ak-new","url":"https://github.com/x/y","source":"github"}"#;
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(Instant::now() < deadline, "no alarm for the key of the new context");
        append(&events, report);
        if let Ok(line) = watching.stdout.recv_timeout(Duration::from_millis(500)) {
            let line: Value = serde_json::from_str(&line).expect("a JSON line");
            assert_eq!(line["rule"], "AK_ALARM_LEAKED");
            assert_eq!(line["subject"]["id"], "ak-new");
            break;
        }
    }
}

#[test]
fn standard_input_bad_lines_and_late_events() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("context.json"), CONTEXT).expect("context");
    let later = EXTERNAL_CALL.replace("09:00:00", "10:00:00");
    let late = EXTERNAL_CALL.replace("09:00:00", "08:00:00").replace("45.2.2.2", "45.2.2.3");
    let input = format!("{later}\nnot json\n{{\"type\":\"SecurityGroup\"}}\n\n{late}\n{RAW_CLOUDAUDIT_CALL}\n");
    let mut child = rulec_process()
        .current_dir(dir.path())
        .args(["watch-events", "--source", "-", "--context", "context.json", "--lateness", "60", "--only-pack", "ak"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rulec");
    child.stdin.take().expect("piped stdin").write_all(input.as_bytes()).expect("write events");
    let out = child.wait_with_output().expect("rulec ends with its input");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("line 2: not JSON"), "{stderr}");
    assert!(stderr.contains("line 3: a `SecurityGroup` is not an event"), "{stderr}");
    assert!(stderr.contains("older than --lateness allows"), "{stderr}");
    assert!(stderr.contains("2 bad lines") && stderr.contains("1 late"), "{stderr}");
    let lines: Vec<Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    // One burst for the key (no window): opened by the first call; the late one joins nothing.
    // The raw record, normalized as `rulec import` does, raises the alarm for its own key.
    let keys: Vec<&str> = lines.iter().filter_map(|l| l["subject"]["id"].as_str()).collect();
    assert_eq!(keys, ["ak-live", "AKIDRAWEXAMPLE0001"], "{lines:?}");
    assert_eq!(lines[0]["evidence"]["count"], 1);
}

#[test]
fn a_bad_context_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("context.json"), "{\"format\":\"rulec.snapshot/v1\"}").expect("context");
    let out = run_in(dir.path(), &["watch-events", "--source", "-", "--context", "context.json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn streamed_alarms_are_the_alarms_check_finds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = repo().join("examples/snapshot.json");
    let expected = checked_alarms(dir.path(), &snapshot);
    assert!(!expected.is_empty(), "the example raises alarms");
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).expect("example")).expect("json example");
    let events: String = document["events"].as_array().expect("events").iter().map(|e| e.to_string() + "\n").collect();
    let input = dir.path().join("events.jsonl");
    std::fs::write(&input, events).expect("events");
    // The example's events are not in time order: a day of lateness places every one.
    let started = Instant::now();
    let out = rulec_process()
        .current_dir(dir.path())
        .args(["watch-events", "--source", "-", "--context", snapshot.to_str().expect("utf-8 path")])
        .args(["--lateness", "86400", "--stats-every", "0"])
        .stdin(std::fs::File::open(&input).expect("events file"))
        .output()
        .expect("run rulec");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(started.elapsed() < PATIENCE);
    let mut last: BTreeMap<String, Value> = BTreeMap::new();
    for line in text(&out.stdout).lines() {
        let mut finding: Value = serde_json::from_str(line).expect("a JSON line");
        let id = finding.as_object_mut().and_then(|o| o.remove("id")).expect("an id");
        last.insert(id.to_string(), finding);
    }
    let mut streamed: Vec<String> = last.values().map(Value::to_string).collect();
    streamed.sort();
    assert_eq!(streamed, expected);
}
