//! End-to-end tests of `rulec check` through the real binary: output formats, bad input,
//! plans, configuration, determinism.

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;

use support::{repo, rulec, run_in, text};

fn fixture() -> PathBuf {
    repo().join("packs/network/fixtures/admin_ports.yaml")
}

#[test]
fn every_output_format_renders_the_fixture() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = fixture();
    for format in ["table", "json", "jsonl", "sarif", "junit", "markdown"] {
        let out =
            run_in(dir.path(), &["check", "--no-timing", "--format", format, snapshot.to_str().expect("utf-8 path")]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{format}: {}", text(&out.stderr));
        let stdout = text(&out.stdout).replace(&repo().display().to_string(), "[REPO]");
        insta::assert_snapshot!(format!("format_{format}"), stdout);
    }
}

#[test]
fn json_output_has_the_contract_shape() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["check", "--format", "json", fixture().to_str().expect("utf-8")]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for key in ["rulec_version", "snapshot", "findings", "suppressed", "summary"] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    let finding = &report["findings"][0];
    for key in ["rule", "kind", "severity", "title", "subject", "message", "evidence", "controls", "fix"] {
        assert!(finding.get(key).is_some(), "finding lacks {key}");
    }
    assert!(finding["subject"]["type"].is_string() && finding["subject"]["id"].is_string());
    assert!(report["summary"]["duration_ms"].is_u64());
}

#[test]
fn output_file_is_written_and_fail_on_sets_the_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = fixture();
    let snapshot = snapshot.to_str().expect("utf-8");
    let out = run_in(dir.path(), &["check", "--format", "sarif", "-o", "out.sarif", snapshot]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).expect("written")).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        run_in(dir.path(), &["check", "--fail-on", "none", "--format", "json", snapshot]).status.code(),
        Some(0)
    );
    assert_eq!(
        run_in(dir.path(), &["check", "--only-pack", "network", "--fail-on", "critical", "--format", "json", snapshot])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn a_compiled_plan_gives_the_same_bytes_as_compiling_in_process() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = fixture();
    let snapshot = snapshot.to_str().expect("utf-8");
    assert_eq!(run_in(dir.path(), &["compile", "-o", "plan.json"]).status.code(), Some(0));
    let direct = run_in(dir.path(), &["check", "--no-timing", "--format", "json", snapshot]);
    let planned = run_in(dir.path(), &["check", "--no-timing", "--format", "json", "--plan", "plan.json", snapshot]);
    assert_eq!(direct.status.code(), Some(1));
    assert_eq!(text(&direct.stdout), text(&planned.stdout));
    assert_eq!(direct.status.code(), planned.status.code());
}

#[test]
fn a_plan_of_another_format_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("plan.json"), r#"{"format": "rulec.plan/v0"}"#).expect("write");
    let out = run_in(dir.path(), &["check", "--plan", "plan.json", fixture().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("rulec.plan/v1"), "{}", text(&out.stderr));
}

/// One bad snapshot per class: exit 2, nothing on stdout, and a message naming the file,
/// the path inside it and what was expected.
#[test]
fn each_class_of_bad_snapshot_is_refused_with_file_and_path() {
    let sg = |extra: &str| {
        format!(
            "format: rulec.snapshot/v1\ntaken_at: 2026-11-20T08:00:00Z\nassets:\n  - type: SecurityGroup\n    id: sg-1\n    provider: tencent\n    account: \"1\"\n    ingress: []\n    egress: []\n{extra}"
        )
    };
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "missing required field",
            "format: rulec.snapshot/v1\ntaken_at: 2026-11-20T08:00:00Z\nassets:\n  - type: SecurityGroup\n    id: sg-1\n    provider: tencent\n    ingress: []\n    egress: []\n".into(),
            &["$.assets[0]", "account"],
        ),
        (
            "wrong type",
            sg("  - type: KmsKey\n    id: k-1\n    provider: tencent\n    account: \"1\"\n    state: enabled\n    rotation_enabled: \"yes\"\n    spec: AES_256\n"),
            &["$.assets[1].rotation_enabled", "bool"],
        ),
        (
            "malformed time",
            sg("  - type: AccessKey\n    id: AKID1\n    provider: tencent\n    account: \"1\"\n    owner_id: u-1\n    owner_kind: user\n    kind: permanent\n    status: active\n    created_at: yesterday\n"),
            &["$.assets[1].created_at", "time"],
        ),
        (
            "malformed ip",
            sg("events:\n  - type: ApiCall\n    time: 2026-11-20T07:00:00Z\n    access_key_id: AKID1\n    source_ip: 10.0.0.300\n    user_agent: sdk\n    service: cvm\n    action: DescribeInstances\n    success: true\n"),
            &["$.events[0].source_ip", "ip"],
        ),
        (
            "malformed cidr",
            sg("  - type: Network\n    id: n-1\n    provider: tencent\n    account: \"1\"\n    kind: office\n    cidrs: [10.0.0.0/33]\n"),
            &["$.assets[1].cidrs[0]", "cidr"],
        ),
        ("duplicate id", sg("  - type: SecurityGroup\n    id: sg-1\n    provider: tencent\n    account: \"1\"\n    ingress: []\n    egress: []\n"), &["sg-1"]),
        (
            "unknown format",
            "format: rulec.snapshot/v9\ntaken_at: 2026-11-20T08:00:00Z\nassets: []\n".into(),
            &["rulec.snapshot/v1"],
        ),
    ];
    for (class, body, needles) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("snap.yaml"), body).expect("write");
        let out = run_in(dir.path(), &["check", "--format", "json", "snap.yaml"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{class}: {stderr}");
        assert!(out.stdout.is_empty(), "{class}: no report may be printed");
        assert!(stderr.contains("snap.yaml"), "{class}: names the file: {stderr}");
        for needle in needles {
            assert!(stderr.contains(needle), "{class}: mentions `{needle}`: {stderr}");
        }
    }
}

#[test]
fn configuration_suppresses_with_a_reason_and_bad_configuration_is_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = fixture();
    let snapshot = snapshot.to_str().expect("utf-8");
    std::fs::write(
        dir.path().join("rulec.yaml"),
        "allowlist:\n  - rule: NET_SG_ADMIN_PORTS_OPEN\n    asset: sg-ssh-open\n    reason: bastion host\n",
    )
    .expect("write");
    let out = run_in(dir.path(), &["check", "--format", "json", snapshot]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let suppressed = report["suppressed"].as_array().expect("array");
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["reason"], "bastion host");
    assert_eq!(suppressed[0]["subject"]["id"], "sg-ssh-open");
    assert!(
        !report["findings"]
            .as_array()
            .expect("array")
            .iter()
            .any(|f| f["subject"]["id"] == "sg-ssh-open" && f["rule"] == "NET_SG_ADMIN_PORTS_OPEN")
    );
    let assets = report["snapshot"]["assets"].as_u64().expect("count");
    std::fs::write(
        dir.path().join("rulec.yaml"),
        "networks:\n  - name: hq-office\n    kind: office\n    cidrs: [198.51.100.0/24]\n",
    )
    .expect("write");
    let with_network = run_in(dir.path(), &["check", "--format", "json", snapshot]);
    let report: serde_json::Value = serde_json::from_slice(&with_network.stdout).expect("json");
    assert_eq!(report["snapshot"]["assets"].as_u64(), Some(assets + 1), "known networks join the snapshot");
    std::fs::write(dir.path().join("rulec.yaml"), "allowlist:\n  - rule: X\n    reson: typo\n").expect("write");
    let bad = run_in(dir.path(), &["check", "--format", "json", snapshot]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("did you mean `reason`"), "{}", text(&bad.stderr));
}

#[test]
fn output_bytes_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("synthetic.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let spec = rulec_runtime::synth::Spec { assets: 10_000, events_per_asset: 2, seed: 7 };
    rulec_runtime::synth::write(spec, &mut file).expect("generate");
    drop(file);
    let run = |threads: &str| {
        rulec()
            .current_dir(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--no-timing", "--format", "json", "synthetic.json"])
            .output()
            .expect("run")
    };
    let one = run("1");
    let four = run("4");
    assert_eq!(one.status.code(), Some(1), "{}", text(&one.stderr));
    let report: serde_json::Value = serde_json::from_slice(&one.stdout).expect("json");
    assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()), "the synthetic estate has risks");
    assert!(one.stdout == four.stdout, "output differs between 1 and 4 threads");
}

#[test]
fn framework_adds_a_compliance_section_with_every_control() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = fixture();
    let args =
        ["check", "--no-timing", "--format", "json", "--framework", "cis.alibaba", snapshot.to_str().expect("utf-8")];
    let out = run_in(dir.path(), &args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let compliance = &report["compliance"];
    assert_eq!(compliance["framework"], "cis.alibaba");
    let controls = compliance["controls"].as_array().expect("controls");
    let status = |id: &str| controls.iter().find(|c| c["id"] == id).map(|c| c["status"].clone());
    // SSH open to the world fails 4.3 (with its findings); the access-key rules cover 1.2 but
    // this snapshot has no access key, so nothing passed, nor any bucket for the HTTPS-only
    // rule (5.4); no rule covers legacy networks (3.1), which the benchmark audits by hand.
    assert_eq!(status("4.3"), Some(serde_json::json!("failed")));
    let ssh = controls.iter().find(|c| c["id"] == "4.3").expect("4.3");
    assert!(ssh["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["subject"]["id"] == "sg-ssh-open")), "{ssh}");
    assert_eq!(status("1.2"), Some(serde_json::json!("no_resources")));
    assert_eq!(status("3.1"), Some(serde_json::json!("manual")));
    assert_eq!(status("5.4"), Some(serde_json::json!("no_resources")));
    // The controls no check evidences, as `rulec rules --coverage` lists them, are not covered.
    let coverage = rulec().args(["rules", "--framework", "cis.alibaba", "--coverage"]).output().expect("run rulec");
    for line in String::from_utf8_lossy(&coverage.stdout).lines().filter(|l| l.contains(" not covered ")) {
        let id = line.split_whitespace().next().unwrap_or_default();
        assert_eq!(status(id), Some(serde_json::json!("not_covered")), "{line}");
    }
    let summary = &compliance["summary"];
    let total = ["passed", "failed", "not_evaluated", "no_resources", "manual", "not_covered"]
        .iter()
        .map(|k| summary[k].as_u64().expect("count"))
        .sum::<u64>();
    assert_eq!(total as usize, controls.len());

    let table = run_in(
        dir.path(),
        &["check", "--format", "table", "--framework", "cis.alibaba", snapshot.to_str().expect("utf-8")],
    );
    let table = text(&table.stdout);
    assert!(table.contains("Compliance with cis.alibaba"), "{table}");
    assert!(table.contains("manual       3.1"), "{table}");
    assert!(table.contains("no resources  5.4"), "{table}");
    let markdown = run_in(
        dir.path(),
        &["check", "--format", "markdown", "--framework", "cis.alibaba", snapshot.to_str().expect("utf-8")],
    );
    assert!(text(&markdown.stdout).contains("## Compliance: `cis.alibaba`"), "{}", text(&markdown.stdout));
}

/// A control passes only when its checks judged some subject: with the data collected but no
/// asset of the checks' types it has "no resources"; with the data not collected it is "not
/// evaluated"; neither counts as passed.
#[test]
fn a_control_passes_only_when_its_checks_judged_something() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("estate.yaml"),
        "format: rulec.snapshot/v1\ntaken_at: \"2026-11-20T08:00:00Z\"\ncoverage:\n  \
         - {provider: alibaba, account: \"1\", type: SecurityGroup, status: collected}\n  \
         - {provider: alibaba, account: \"1\", type: AccessKey, status: collected}\n  \
         - {provider: alibaba, account: \"1\", type: Bucket, status: failed, reasons: [Forbidden.RAM]}\n\
         assets:\n  \
         - {type: SecurityGroup, id: sg-ssh, provider: alibaba, account: \"1\", tags: {}, egress: [],\n     \
         ingress: [{priority: 1, protocol: tcp, port_from: 22, port_to: 22, cidr: 0.0.0.0/0, action: accept}]}\n\
         events: []\n",
    )
    .expect("snapshot");
    let args = ["check", "--no-timing", "--fail-on", "none", "--framework", "cis.alibaba", "estate.yaml"];
    let out = run_in(dir.path(), &[&args[..], &["--format", "json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let controls = report["compliance"]["controls"].as_array().expect("controls");
    let control = |id: &str| controls.iter().find(|c| c["id"] == id).expect("a control of cis.alibaba");
    // The world-open SSH port fails 4.3; the database, all-ports and per-service checks judged
    // the group and found nothing: 3.5 passes, on the one group judged by each of the 25
    // security-group checks that cite it.
    assert_eq!(control("4.3")["status"], "failed");
    assert_eq!((control("3.5")["status"].as_str(), control("3.5")["subjects"].as_u64()), (Some("passed"), Some(25)));
    // Access keys were collected and there are none: nothing was judged.
    assert_eq!(
        (control("1.2")["status"].as_str(), control("1.2")["subjects"].as_u64()),
        (Some("no_resources"), Some(0))
    );
    assert!(controls.iter().all(|c| c["status"] != "passed" || c["subjects"].as_u64() > Some(0)), "{controls:?}");
    let out = run_in(dir.path(), &[&args[..], &["--format", "table"]].concat());
    let table = text(&out.stdout);
    let section = table.split_once("\nCompliance with").map(|(_, s)| s).expect("a compliance section");
    insta::assert_snapshot!("compliance_statuses_table", section);
}

#[test]
fn without_framework_the_report_has_no_compliance_key_and_an_unknown_one_is_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = fixture();
    let out = run_in(dir.path(), &["check", "--format", "json", snapshot.to_str().expect("utf-8")]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(report.get("compliance").is_none());
    let out = run_in(dir.path(), &["check", "--framework", "iso27001", snapshot.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("unknown framework `iso27001`"), "{}", text(&out.stderr));
}

/// A plan claiming billions of local slots (an edited file) aborted the evaluator on a
/// 96 GB allocation; it is refused when read, naming the count and the limit.
#[test]
fn a_plan_with_huge_locals_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(run_in(dir.path(), &["compile", "-o", "plan.json"]).status.code(), Some(0));
    let compiled = std::fs::read_to_string(dir.path().join("plan.json")).expect("plan");
    let mut plan: serde_json::Value = serde_json::from_str(&compiled).expect("JSON");
    plan["checks"][0]["locals"] = 4_000_000_000u64.into();
    std::fs::write(dir.path().join("huge.json"), plan.to_string()).expect("write");
    let mut plan: serde_json::Value = serde_json::from_str(&compiled).expect("JSON");
    *first_lambda_slot(&mut plan).expect("the plan has a lambda") = 4_000_000_000u64.into();
    std::fs::write(dir.path().join("slot.json"), plan.to_string()).expect("write");
    for file in ["huge.json", "slot.json"] {
        let out = run_in(dir.path(), &["check", "--plan", file, fixture().to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("4000000000 local slots, more than the 65536 a plan may use"), "{file}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

/// The `slot` of the first lambda in a plan's JSON.
fn first_lambda_slot(value: &mut serde_json::Value) -> Option<&mut serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("lambda").is_some_and(|l| l.get("slot").is_some()) {
                return map.get_mut("lambda").and_then(|l| l.get_mut("slot"));
            }
            map.values_mut().find_map(first_lambda_slot)
        }
        serde_json::Value::Array(items) => items.iter_mut().find_map(first_lambda_slot),
        _ => None,
    }
}

/// A `fix` is a template like `message`: each finding's remediation names its own ids, an
/// escaped brace stays a brace, and `rulec rules` shows the template as written.
#[test]
fn a_fix_names_the_findings_own_ids() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join("fixes");
    std::fs::create_dir(&pack).expect("pack dir");
    std::fs::write(pack.join("pack.yaml"), "name: fixes\nversion: 0.1.0\n").expect("pack.yaml");
    std::fs::write(
        pack.join("fix.rule"),
        "package fixes\n\nrule FIX_TEMPLATE {\n  title    \"t\"\n  severity high\n  fix      \"tccli vpc DescribeSecurityGroupPolicies --region {sg.region ?? \"ap-guangzhou\"} --SecurityGroupId {sg.id} --Set '\\{}'\"\n  for sg: SecurityGroup\n  when true\n}\n",
    )
    .expect("rule");
    let out = rulec()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--fail-on", "none", "--only-pack", "fixes", "--pack"])
        .arg(&pack)
        .arg(fixture())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.len() > 1, "one finding per security group");
    for finding in findings {
        let id = finding["subject"]["id"].as_str().expect("id");
        let fix = finding["fix"].as_str().expect("fix");
        assert!(fix.contains(&format!("--SecurityGroupId {id} --Set '{{}}'")), "{fix}");
        assert!(!fix.contains("sg.id"), "{fix}");
    }
    let rules = rulec().args(["rules", "--format", "json", "--pack"]).arg(&pack).output().expect("run");
    assert_eq!(rules.status.code(), Some(0), "{}", text(&rules.stderr));
    let listed: serde_json::Value = serde_json::from_slice(&rules.stdout).expect("json");
    let rule = listed["rules"].as_array().and_then(|r| r.iter().find(|r| r["id"] == "FIX_TEMPLATE")).expect("listed");
    assert_eq!(
        rule["fix"],
        "tccli vpc DescribeSecurityGroupPolicies --region {sg.region ?? \"ap-guangzhou\"} --SecurityGroupId {sg.id} --Set '{}'"
    );
}

/// The placeholders that stand for a finding's own subject, by subject type: a built-in fix
/// fills them from the finding instead (issue 16: "the exact command with the finding's own
/// ids filled in").
const OWN_ID_PLACEHOLDERS: &[(&str, &[&str])] = &[
    ("SecurityGroup", &["<sg-id>", "<region>"]),
    ("Instance", &["<instance-id>", "<region>"]),
    ("Database", &["<instance-id>", "<region>"]),
    ("Bucket", &["<bucket>"]),
    ("AccessKey", &["<key-id>", "<uin>", "<user>"]),
    ("KmsKey", &["<region>"]),
    ("User", &["<user>", "<uin>"]),
    ("Role", &["<role>"]),
    ("Policy", &["<policy-id>", "<name>"]),
    ("Host", &["<host>"]),
    ("AuditTrail", &["<name>"]),
    ("LogStore", &["<logstore>", "<project>"]),
    ("LoadBalancer", &["<lb-id>", "<region>"]),
];

#[test]
fn builtin_fixes_on_the_example_estate_name_their_own_subjects() {
    let out = rulec()
        .args(["check", "--format", "json", "--fail-on", "none", "--no-timing"])
        .arg(repo().join("examples/snapshot.json"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut placeholders = Vec::new();
    for finding in report["findings"].as_array().expect("findings") {
        let ty = finding["subject"]["type"].as_str().unwrap_or_default();
        let fix = finding["fix"].as_str().unwrap_or_default();
        let own = OWN_ID_PLACEHOLDERS.iter().find(|(t, _)| *t == ty).map_or(&[][..], |(_, p)| *p);
        for placeholder in own.iter().filter(|p| fix.contains(**p)) {
            placeholders.push(format!("{} on {ty} {}: {placeholder}", finding["rule"], finding["subject"]["id"]));
        }
    }
    placeholders.sort();
    placeholders.dedup();
    assert!(placeholders.is_empty(), "fixes with placeholders for their own subject:\n{}", placeholders.join("\n"));
}

/// `--profile` lists every check that ran with its steps on standard error and leaves the
/// report alone; steps are the same whatever the thread count.
#[test]
fn profile_lists_each_check_with_steps_that_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = repo().join("examples/snapshot.json");
    let snapshot = snapshot.to_str().expect("utf-8 path");
    let plain = run_in(dir.path(), &["check", "--no-timing", "--format", "json", snapshot]);
    let profiled = |threads: &str| {
        support::rulec_process()
            .current_dir(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--no-timing", "--format", "json", "--profile", "--profile-limit", "0", snapshot])
            .output()
            .expect("rulec runs")
    };
    let (one, two) = (profiled("1"), profiled("2"));
    assert_eq!(one.status.code(), plain.status.code());
    assert_eq!(one.stdout, plain.stdout, "--profile changes nothing on standard output");
    let report: serde_json::Value = serde_json::from_slice(&plain.stdout).expect("json");
    let checks = report["summary"]["rules_evaluated"].as_u64().expect("summary.rules_evaluated") as usize;
    // Row: time, unit, share, steps, kind, subjects, findings, id.
    let rows = |out: &std::process::Output| -> Vec<(String, String, String, String)> {
        text(&out.stderr)
            .lines()
            .skip(2)
            .map(|line| {
                let cells: Vec<&str> = line.split_whitespace().collect();
                assert_eq!(cells.len(), 8, "{line}");
                (cells[7].to_owned(), cells[3].to_owned(), cells[5].to_owned(), cells[6].to_owned())
            })
            .collect()
    };
    let (mut rows_one, mut rows_two) = (rows(&one), rows(&two));
    assert_eq!(rows_one.len(), checks, "{}", text(&one.stderr));
    rows_one.sort();
    rows_two.sort();
    assert_eq!(rows_one, rows_two, "steps, subjects and findings per check do not depend on threads");
    let hacker = rows_one.iter().find(|r| r.0 == "AK_ALARM_HACKER_TOOL").expect("an alarm row");
    assert!(hacker.1.parse::<u64>().expect("steps") > 0, "an alarm's judging is counted: {hacker:?}");
    let findings = report["findings"].as_array().expect("findings");
    let hacker_findings = findings.iter().filter(|f| f["rule"] == "AK_ALARM_HACKER_TOOL").count();
    assert_eq!(hacker.3, hacker_findings.to_string());
}

#[test]
fn profile_limit_needs_profile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["check", "--profile-limit", "3", fixture().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--profile"), "{}", text(&out.stderr));
}
