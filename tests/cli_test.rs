//! End-to-end tests of `rulec test`: the built-in packs' own tests pass, and a pack whose
//! expectation fails, whose fixture is missing, or a filter that matches nothing are reported
//! with the right exit code.

#[path = "support/mod.rs"]
mod support;

use std::path::Path;

use support::{rulec_process, run_in, run_with_reader_gone, text};

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

/// Runs a one-rule pack whose single test evaluates `when` over the given `Policy` assets
/// (`(id, provider, name, statements)`) and expects exactly `firing` to fire.
fn policy_rule_test(when: &str, policies: &[(&str, &str, &str, &str)], firing: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let acme = dir.path().join("acme");
    std::fs::create_dir_all(&acme).expect("pack folder");
    std::fs::write(acme.join("pack.yaml"), "name: acme\nversion: 0.1.0\ndescription: test pack\n").expect("manifest");
    let assets: Vec<String> = policies
        .iter()
        .map(|(id, provider, name, statements)| {
            format!(
                "{{type: \"Policy\", id: \"{id}\", provider: \"{provider}\", account: \"1\", name: \"{name}\", \
                 tags: {{}}, kind: \"custom\", document: {{version: \"2.0\", statement: [{statements}]}}}}"
            )
        })
        .collect();
    let expectations: String = policies
        .iter()
        .map(|(id, ..)| {
            let no = if firing.contains(id) { "" } else { "no " };
            format!("  expect {no}ACME_POLICY on \"{id}\"\n")
        })
        .collect();
    std::fs::write(
        acme.join("policies.rule"),
        format!(
            "package acme\n\nuse std.iam\n\nrule ACME_POLICY {{\n  title \"A policy\"\n  severity low\n  \
             for p: Policy\n  when {when}\n}}\n\n\
             test \"policies\" {{\n  given {{\n    format: \"rulec.snapshot/v1\"\n    \
             taken_at: \"2026-11-20T08:00:00Z\"\n    assets: [{}]\n    events: []\n  }}\n{expectations}}}\n",
            assets.join(", ")
        ),
    )
    .expect("rule file");
    let out = run_in(dir.path(), &["test", "--pack", acme.to_str().expect("utf-8"), "--filter", "acme:"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    stdout
}

/// `std.iam.allows` with a context treats it as what the caller knows (stdlib-rules/iam.rule):
/// a condition on a key the context lacks lets an allow apply and keeps a deny from applying;
/// conditions on keys it has are decided.
#[test]
fn iam_allows_with_a_context_judges_missing_keys_conservatively() {
    let allow_all = "{effect: \"allow\", action: \"*\", resource: \"*\"}";
    let deny_unknown_key = format!(
        "{allow_all}, {{effect: \"deny\", action: \"*\", resource: \"*\", condition: {{string_equal: {{\"qcs:secure_transport\": \"false\"}}}}}}"
    );
    let deny_outside = format!(
        "{allow_all}, {{effect: \"deny\", action: \"*\", resource: \"*\", condition: {{ip_not_equal: {{\"qcs:ip\": [\"192.168.0.0/16\"]}}}}}}"
    );
    let policies = [
        (
            "p-ip-inside",
            "tencent",
            "x",
            "{effect: \"allow\", action: \"cos:*\", resource: \"*\", condition: {ip_equal: {\"qcs:ip\": [\"10.0.0.0/8\"]}}}",
        ),
        (
            "p-ip-outside",
            "tencent",
            "x",
            "{effect: \"allow\", action: \"cos:*\", resource: \"*\", condition: {ip_equal: {\"qcs:ip\": [\"192.168.0.0/16\"]}}}",
        ),
        (
            "p-unknown-key-allow",
            "tencent",
            "x",
            "{effect: \"allow\", action: \"cos:*\", resource: \"*\", condition: {string_equal: {\"qcs:secure_transport\": \"true\"}}}",
        ),
        ("p-unknown-key-deny", "tencent", "x", deny_unknown_key.as_str()),
        ("p-ip-deny", "tencent", "x", deny_outside.as_str()),
    ];
    policy_rule_test(
        "iam.allows(p, \"cos:GetObject\", \"r\", {\"qcs:ip\": \"10.1.2.3\"})",
        &policies,
        &["p-ip-inside", "p-unknown-key-allow", "p-unknown-key-deny"],
    );
}

/// The named write verbs of `std.iam` judge an action by its provider's verbs.
#[test]
fn iam_is_write_action_reads_the_verb_of_the_providers_action_name() {
    let policies = [
        ("p-put", "tencent", "cos:PutObject", ""),
        ("p-release", "alibaba", "ecs:ReleaseInstance", ""),
        ("p-release-tencent", "tencent", "cvm:ReleaseAddresses", ""),
        ("p-describe", "tencent", "cvm:DescribeInstances", ""),
        ("p-bare", "alibaba", "DeleteBucket", ""),
        ("p-unknown-provider", "aws", "s3:PutObject", ""),
    ];
    policy_rule_test("iam.is_write_action(p.provider, p.name ?? \"\")", &policies, &["p-put", "p-release", "p-bare"]);
}

/// A constant computed through a function is evaluated after the constants the function
/// reads, whatever their names (plan order is by name: `aa` sorts before `b_on`, `zz` after).
#[test]
fn a_constant_computed_through_a_function_sees_the_constants_it_reads() {
    for list in ["zz", "aa"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let acme = dir.path().join("acme");
        pack(
            &acme,
            &format!(
                "const {list}: [int] = [1, 2, 3]\n\nfn has(x: int) -> bool = x in {list}\n\n\
                 const b_on: bool = has(2)\n\n\
                 rule ACME_CONST {{\n  title \"Through a constant\"\n  severity low\n  for b: Bucket\n  \
                 when b_on and not b.logging\n}}\n\n\
                 test \"the constant is true\" {{\n  given \"fixtures/buckets.yaml\"\n  \
                 expect ACME_CONST on \"b-loud\"\n}}\n"
            ),
        );
        let out = run_in(dir.path(), &["test", "--pack", acme.to_str().expect("utf-8"), "--filter", "acme:"]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{list}: {stdout}{}", text(&out.stderr));
        assert!(stdout.contains("ok     acme: the constant is true"), "{list}: {stdout}");
    }
}

/// `rulec test | head -1`: a reader that goes away before the results are printed ends the
/// run quietly (no panic message) with the exit status of the tests (0: they pass).
#[test]
fn a_reader_that_goes_away_ends_the_run_quietly_with_its_status() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = rulec_process();
    cmd.arg("test").current_dir(dir.path());
    // The reading end closes before rulec writes (it compiles and runs every test first).
    let out = run_with_reader_gone(cmd);
    assert_eq!(text(&out.stderr), "", "no panic, no error message");
    assert_eq!(out.status.code(), Some(0));
}
