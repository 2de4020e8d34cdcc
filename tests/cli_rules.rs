//! End-to-end tests of `rulec rules`: the committed rule reference is in sync, the JSON lists
//! every catalogue field, and `--framework` narrows the list or rejects an unknown name.

#[path = "support/mod.rs"]
mod support;

use support::{repo, run_in, text};

fn rules(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut all = vec!["rules"];
    all.extend_from_slice(args);
    run_in(dir.path(), &all)
}

#[test]
fn the_committed_rule_reference_is_in_sync() {
    let out = rules(&["--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let committed = std::fs::read_to_string(repo().join("docs/rules.md")).expect("docs/rules.md");
    assert!(
        text(&out.stdout) == committed,
        "docs/rules.md is stale: regenerate it with `cargo run --bin rulec -- rules --format markdown -o docs/rules.md`"
    );
}

#[test]
fn json_lists_every_check_with_its_catalogue_fields() {
    let out = rules(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let list = json["rules"].as_array().expect("rules");
    let leaked = list.iter().find(|r| r["id"] == "AK_ALARM_LEAKED").expect("AK_ALARM_LEAKED is listed");
    assert_eq!(leaked["kind"], "alarm");
    assert_eq!(leaked["severity"], "critical");
    assert_eq!(leaked["pack"], "ak");
    assert!(leaked["controls"].as_array().is_some_and(|c| !c.is_empty()));
    // Every check cites at least one control.
    assert!(list.iter().all(|r| r["controls"].as_array().is_some_and(|c| !c.is_empty())), "{list:?}");
}

#[test]
fn a_framework_narrows_the_list_and_an_unknown_one_is_bad_input() {
    let out = rules(&["--framework", "cis.linux", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let list = json["rules"].as_array().expect("rules");
    assert!(!list.is_empty());
    assert!(list.iter().all(|r| r["pack"] == "host"), "{list:?}");
    let out = rules(&["--framework", "cis.nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown framework `cis.nope`"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}
