//! End-to-end tests of the findings history through the real binary: `rulec check --store`
//! over three runs, `rulec triage`, `rulec history trends`, and the store errors.

#[path = "support/mod.rs"]
mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{repo, rulec, text};

fn fixture(name: &str) -> String {
    repo().join("packs/network/fixtures").join(name).display().to_string()
}

/// Runs rulec in `dir` as user `tester`.
fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    rulec().current_dir(dir).env("USER", "tester").args(args).output().expect("run rulec")
}

/// `rulec check --store rulec.db` on `snapshots`: the findings' identities and histories and
/// the resolved list, with the wall-clock triage time normalised.
fn check(dir: &Path, snapshots: &[&str]) -> Value {
    let mut args = vec!["check", "--no-timing", "--format", "json", "--fail-on", "none", "--store", "rulec.db"];
    args.extend_from_slice(snapshots);
    let out = run(dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings: Vec<Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let mut history = f["history"].clone();
            if let Some(at) = history.pointer_mut("/triage/at") {
                assert!(at.as_str().is_some_and(|t| t.ends_with('Z')), "{at}");
                *at = json!("[AT]");
            }
            json!({"rule": f["rule"], "subject": f["subject"]["id"], "history": history})
        })
        .collect();
    json!({"findings": findings, "resolved": report["resolved"]})
}

fn triage(dir: &Path, rule: &str, subject: &str, status: &str) {
    let out = run(dir, &["triage", rule, subject, "--status", status, "--note", "ticket 42", "--store", "rulec.db"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn three_runs_new_open_resolved_triaged_and_regressed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, lb) = (fixture("db_ports.yaml"), fixture("load_balancers.yaml"));
    insta::assert_json_snapshot!("run1_all_new", check(dir.path(), &[&db]));
    insta::assert_json_snapshot!("run2_open_and_new", check(dir.path(), &[&db, &lb]));
    triage(dir.path(), "NET_SG_DB_PORTS_OPEN", "sg-mysql-open", "accepted");
    triage(dir.path(), "NET_LB_ADMIN_PORTS_OPEN", "lb-ssh-open", "fixed");
    insta::assert_json_snapshot!("run3_accepted_listed_fixed_back_as_new", check(dir.path(), &[&db, &lb]));
    insta::assert_json_snapshot!("run4_resolved", check(dir.path(), &[&lb]));

    let out = run(dir.path(), &["history", "trends", "--store", "rulec.db", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("trends_json", text(&out.stdout));
    let out = run(dir.path(), &["history", "trends", "--store", "rulec.db"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("trends_table", text(&out.stdout));
}

#[test]
fn the_store_can_come_from_rulec_yaml() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("rulec.yaml"), "store: history/rulec.db\n").expect("write config");
    std::fs::create_dir(dir.path().join("history")).expect("mkdir");
    let out = run(dir.path(), &["check", "--format", "json", "--fail-on", "none", &fixture("db_ports.yaml")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["findings"][0]["history"]["status"], "new");
    assert_eq!(report["resolved"], json!([]));
    assert!(dir.path().join("history/rulec.db").is_file());
    let out = run(dir.path(), &["history", "trends", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn without_a_store_the_json_has_no_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["check", "--format", "json", "--fail-on", "none", &fixture("db_ports.yaml")]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(report.get("resolved").is_none());
    assert!(report["findings"][0].get("history").is_none());
}

/// stderr of a failing command, which must exit 2.
fn error(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    text(&out.stderr)
}

#[test]
fn store_errors_say_what_and_where() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = fixture("db_ports.yaml");
    check(dir.path(), &[&db]);
    let unknown_rule = error(
        dir.path(),
        &["triage", "NET_SG_DB_PORT_OPEN", "sg-mysql-open", "--status", "accepted", "--store", "rulec.db"],
    );
    let unknown_subject =
        error(dir.path(), &["triage", "NET_SG_DB_PORTS_OPEN", "sg-nope", "--status", "fixed", "--store", "rulec.db"]);
    let no_store = error(dir.path(), &["history", "trends"]);
    let missing = error(dir.path(), &["history", "trends", "--store", "missing.db"]);
    std::fs::write(dir.path().join("notes.db"), "these are notes, not a database; long enough to hold a header")
        .expect("write");
    let corrupt = error(dir.path(), &["check", "--store", "notes.db", &db]);
    let conn = rusqlite::Connection::open(dir.path().join("future.db")).expect("create");
    conn.pragma_update(None, "user_version", 99).expect("version");
    drop(conn);
    let future = error(dir.path(), &["check", "--store", "future.db", &db]);
    insta::assert_snapshot!(
        "store_errors",
        [unknown_rule, unknown_subject, no_store, missing, corrupt, future].join("---\n")
    );
}
