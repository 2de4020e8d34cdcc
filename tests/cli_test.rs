//! End-to-end tests of `rulec test`: the built-in packs' own tests pass, and a pack whose
//! expectation fails, whose fixture is missing, or a filter that matches nothing are reported
//! with the right exit code.

#[path = "support/mod.rs"]
mod support;

use std::path::Path;

use support::{run_in, text};

#[test]
fn the_built_in_packs_pass_their_own_tests() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["test"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.lines().any(|l| l.starts_with("ok     ak: ")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("ok     paths: ")), "{stdout}");
    let summary = stdout.lines().last().expect("a summary line");
    assert!(summary.ends_with(" passed, 0 failed"), "{summary}");
}

/// A pack with one rule, a fixture and the given test blocks.
fn pack(dir: &Path, tests: &str) {
    std::fs::create_dir_all(dir.join("fixtures")).expect("pack folder");
    std::fs::write(dir.join("pack.yaml"), "name: acme\nversion: 0.1.0\ndescription: test pack\n").expect("manifest");
    std::fs::write(
        dir.join("buckets.rule"),
        "package acme\n\nrule ACME_BUCKET_NO_LOGGING {\n  title \"Bucket logging is off\"\n  severity low\n  \
         for b: Bucket\n  when not b.logging\n}\n\n"
            .to_owned()
            + tests,
    )
    .expect("rule file");
    std::fs::write(
        dir.join("fixtures/buckets.yaml"),
        "format: rulec.snapshot/v1\ntaken_at: \"2026-11-20T08:00:00Z\"\nassets:\n  \
         - {type: Bucket, id: b-quiet, provider: tencent, account: \"1\", tags: {}, acl: private, versioning: true, logging: true, replication_regions: []}\n  \
         - {type: Bucket, id: b-loud, provider: tencent, account: \"1\", tags: {}, acl: private, versioning: true, logging: false, replication_regions: []}\n\
         events: []\n",
    )
    .expect("fixture");
}

#[test]
fn a_failing_expectation_says_what_fired_instead_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let acme = dir.path().join("acme");
    pack(
        &acme,
        "test \"the loud bucket fires\" {\n  given \"fixtures/buckets.yaml\"\n  expect ACME_BUCKET_NO_LOGGING on \"b-loud\"\n}\n\n\
         test \"a wrong expectation\" {\n  given \"fixtures/buckets.yaml\"\n  expect ACME_BUCKET_NO_LOGGING on \"b-quiet\"\n  \
         expect no ACME_BUCKET_NO_LOGGING\n}\n",
    );
    let out = run_in(dir.path(), &["test", "--pack", acme.to_str().expect("utf-8"), "--filter", "acme:"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("ok     acme: the loud bucket fires"), "{stdout}");
    assert!(stdout.contains("FAILED acme: a wrong expectation"), "{stdout}");
    assert!(stdout.contains("expected ACME_BUCKET_NO_LOGGING on \"b-quiet\", but it fired on \"b-loud\""), "{stdout}");
    assert!(
        stdout.contains("expected no ACME_BUCKET_NO_LOGGING on some subject, but it fired: \"b-loud\""),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("1 passed, 1 failed"), "{stdout}");
}

#[test]
fn a_missing_fixture_is_an_error_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let acme = dir.path().join("acme");
    pack(&acme, "test \"no such file\" {\n  given \"fixtures/nope.yaml\"\n  expect ACME_BUCKET_NO_LOGGING\n}\n");
    let out = run_in(dir.path(), &["test", "--pack", acme.to_str().expect("utf-8"), "--filter", "acme:"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("ERROR  acme: no such file"), "{stdout}");
    assert!(stdout.contains("nope.yaml"), "{stdout}");
}

#[test]
fn a_filter_that_matches_nothing_is_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["test", "--filter", "no test is called this"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no test matches"), "{}", text(&out.stderr));
}
