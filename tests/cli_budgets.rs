//! End-to-end tests of evaluation budgets through the real binary: a rule that would run for
//! hours stops at the step budget, a string doubled past memory stops at the value-size
//! budget, `--timeout` stops what the budgets allow, flags and `limits:` in rulec.yaml raise
//! them, and bad values are bad input. Every failure exits 2 with no report on stdout.

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::{repo, rulec, text};

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/budgets")
}

/// `rulec check` of the fixture pack `pack` alone on a one-account snapshot, from `dir`.
fn check(dir: &Path, pack: &str, extra: &[&str]) -> std::process::Output {
    rulec()
        .current_dir(dir)
        .args(["check", "--no-timing", "--format", "json", "--fail-on", "none", "--pack"])
        .arg(fixtures().join(pack))
        .args(["--only-pack", &format!("budget_{pack}")])
        .args(extra)
        .arg(fixtures().join("account.json"))
        .output()
        .expect("run rulec")
}

/// Asserts bad input with nothing on stdout; the stderr.
fn refused(out: &std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "no report pretends to be complete");
    text(&out.stderr)
}

fn passes(out: &std::process::Output) {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1), "the rule judged its subject");
}

#[test]
fn a_combinatorial_rule_stops_at_the_step_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stderr = refused(&check(dir.path(), "loop", &[]));
    insta::assert_snapshot!("step_budget", stderr);
}

#[test]
fn a_string_doubled_past_memory_stops_at_the_value_size_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stderr = refused(&check(dir.path(), "double", &[]));
    insta::assert_snapshot!("value_size_budget", stderr);
}

#[test]
fn timeout_stops_what_the_budgets_allow_and_writes_no_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let out = check(dir.path(), "loop", &["--max-steps", "1000000000000000", "--timeout", "1s", "-o", "report.json"]);
    let stderr = refused(&out);
    assert!(started.elapsed() < Duration::from_secs(60), "stopped promptly, not after 10^12 steps");
    assert!(!dir.path().join("report.json").exists(), "no partial report is written");
    insta::assert_snapshot!("timeout", stderr);
}

#[test]
fn the_timeout_can_come_from_the_configuration() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("rulec.yaml"), "limits:\n  max_steps: 1000000000000000\n  timeout: 500ms\n")
        .expect("config");
    let stderr = refused(&check(dir.path(), "loop", &[]));
    assert!(stderr.contains("error: evaluation timed out after 500ms\n"), "{stderr}");
}

#[test]
fn flags_and_the_configuration_raise_the_budgets() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The value-size budget, over its default: by flag, then by rulec.yaml.
    refused(&check(dir.path(), "grow", &[]));
    passes(&check(dir.path(), "grow", &["--max-value-size", "256MiB"]));
    std::fs::write(dir.path().join("rulec.yaml"), "limits:\n  max_value_size: 256MiB\n").expect("config");
    passes(&check(dir.path(), "grow", &[]));
    // The step budget: a lowered one in rulec.yaml applies, and the flag wins over it.
    std::fs::write(dir.path().join("rulec.yaml"), "limits:\n  max_steps: 10000\n").expect("config");
    let stderr = refused(&check(dir.path(), "moderate", &[]));
    assert!(stderr.contains("evaluation step budget of 10000 exceeded"), "{stderr}");
    passes(&check(dir.path(), "moderate", &["--max-steps", "1000000"]));
}

#[test]
fn bad_budget_values_are_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, flags) in [
        ("bad_max_steps", ["--max-steps", "abc"]),
        ("bad_max_value_size", ["--max-value-size", "5x"]),
        ("bad_timeout", ["--timeout", "5parsecs"]),
    ] {
        insta::assert_snapshot!(name, refused(&check(dir.path(), "moderate", &flags)));
    }
    std::fs::write(dir.path().join("rulec.yaml"), "limits:\n  max_steps: lots\n  timeout: 5parsecs\n").expect("config");
    insta::assert_snapshot!("bad_limits_config", refused(&check(dir.path(), "moderate", &[])));
    std::fs::write(dir.path().join("rulec.yaml"), "limits:\n  max_step: 10\n").expect("config");
    insta::assert_snapshot!("misspelt_limits_key", refused(&check(dir.path(), "moderate", &[])));
}

#[test]
fn report_takes_the_same_budget_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = rulec()
        .current_dir(dir.path())
        .args(["report", "--no-timing", "--format", "json", "--max-steps", "100", "-o", "report.json"])
        .arg(repo().join("examples/snapshot.json"))
        .output()
        .expect("run rulec");
    let stderr = refused(&out);
    assert!(stderr.contains("evaluation step budget of 100 exceeded"), "{stderr}");
    assert!(!dir.path().join("report.json").exists(), "no partial report is written");
}
