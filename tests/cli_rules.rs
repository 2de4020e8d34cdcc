//! End-to-end tests of `rulec rules`: the committed rule reference is in sync, the JSON lists
//! every catalogue field, `--framework` narrows the list or rejects an unknown name, and
//! `--coverage` accounts for every control of every framework.

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

/// The frameworks the built-in packs declare, each with its coverage snapshotted below.
const FRAMEWORKS: [&str; 4] = ["cis.alibaba", "cis.linux", "mlps2.l2", "mlps2.l3"];

/// The coverage listings are committed as snapshots: they document every control of every
/// framework and show in review which controls a change of the packs covers or uncovers.
#[test]
fn coverage_lists_every_control_of_each_framework() {
    for framework in FRAMEWORKS {
        let out = rules(&["--framework", framework, "--coverage"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        insta::assert_snapshot!(format!("coverage_{framework}"), text(&out.stdout));
    }
}

#[test]
fn every_control_is_covered_manual_or_not_covered_and_cis_alibaba_has_all_85() {
    for framework in FRAMEWORKS {
        let out = rules(&["--framework", framework, "--coverage", "--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let coverage = &json["coverage"];
        assert_eq!(coverage["framework"], framework);
        let controls = coverage["controls"].as_array().expect("controls");
        for c in controls {
            let checks = c["checks"].as_array().expect("checks");
            let expected = match (checks.is_empty(), c["manual"].as_bool().expect("manual")) {
                (false, _) => "covered",
                (true, true) => "manual",
                (true, false) => "not_covered",
            };
            assert_eq!(c["status"], expected, "{framework}: {c}");
        }
        let count = |status: &str| controls.iter().filter(|c| c["status"] == status).count() as u64;
        let summary = &coverage["summary"];
        assert_eq!(summary["controls"].as_u64(), Some(controls.len() as u64), "{framework}");
        for status in ["covered", "manual", "not_covered"] {
            assert_eq!(summary[status].as_u64(), Some(count(status)), "{framework}: {status}");
        }
        if framework == "cis.alibaba" {
            assert_eq!(controls.len(), 85, "CIS Alibaba Cloud Foundations Benchmark v2.0.0 has 85 recommendations");
        }
    }
}

#[test]
fn coverage_markdown_is_a_table_and_a_misspelt_framework_gets_a_suggestion() {
    let out = rules(&["--framework", "mlps2.l3", "--coverage", "--format", "markdown"]);
    let markdown = text(&out.stdout);
    assert!(markdown.starts_with("# Coverage of `mlps2.l3`"), "{markdown}");
    assert!(markdown.contains("| `8.1.3.2-a` | covered |"), "{markdown}");
    let out = rules(&["--framework", "cis.alibab", "--coverage"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unknown framework `cis.alibab`"), "{stderr}");
    assert!(stderr.contains("help: did you mean `cis.alibaba`?"), "{stderr}");
    assert!(out.stdout.is_empty());
    // --coverage is about one framework.
    let out = rules(&["--coverage"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--framework"), "{}", text(&out.stderr));
}
