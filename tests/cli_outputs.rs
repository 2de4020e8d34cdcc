//! End-to-end tests of `rulec check`'s outputs: suppressed findings in jsonl, stdout kept
//! parseable, broken pipes, file modes, width, subject details, filters, SARIF locations.

#[path = "support/mod.rs"]
mod support;

use std::io::Write as _;
use std::path::PathBuf;

use support::{repo, rulec, rulec_process, run_in, run_with_reader_gone, text};

fn example() -> PathBuf {
    repo().join("examples/snapshot.json")
}

fn json_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    text(bytes).lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect()
}

#[test]
fn jsonl_lists_suppressed_findings_marked_as_json_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("rulec.yaml");
    std::fs::write(
        &config,
        "allowlist:\n  - rule: NET_SG_ADMIN_PORTS_OPEN\n    asset: sg-9dq6e2lk\n    reason: bastion\n",
    )
    .expect("write config");
    let snapshot = example();
    let args = ["check", "--no-timing", "--format", "jsonl", snapshot.to_str().expect("utf-8")];
    let out = run_in(dir.path(), &args);
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", text(&out.stderr));
    let lines = json_lines(&out.stdout);
    let suppressed: Vec<&serde_json::Value> = lines.iter().filter(|l| l["suppressed"] == true).collect();
    assert_eq!(suppressed.len(), 1, "{lines:?}");
    assert_eq!(suppressed[0]["rule"], "NET_SG_ADMIN_PORTS_OPEN");
    assert_eq!(suppressed[0]["reason"], "bastion");
    assert!(
        lines
            .iter()
            .filter(|l| l["suppressed"] != true)
            .all(|l| l["subject"]["id"] != "sg-9dq6e2lk" || l["rule"] != "NET_SG_ADMIN_PORTS_OPEN")
    );
}

#[test]
fn json_diagnostics_of_check_go_to_stderr_and_stdout_stays_clean() {
    let pack = tempfile::tempdir().expect("temp dir");
    std::fs::write(pack.path().join("pack.yaml"), "name: broken\nversion: 0.1.0\ndescription: d\n").expect("manifest");
    std::fs::write(
        pack.path().join("b.rule"),
        "rule B_TYPO {\n  title \"t\"\n  severity low\n  for sg: SecurityGroup\n  when sg.ingres.len() > 0\n}\n",
    )
    .expect("rule");
    let out = rulec()
        .args(["check", "--no-timing", "--message-format", "json", "--format", "json", "--pack"])
        .arg(pack.path())
        .arg(example())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "", "no report pretends to be complete, no diagnostics mixed in");
    let diagnostics: Vec<serde_json::Value> =
        text(&out.stderr).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(diagnostics.iter().any(|d| d["severity"] == "error"), "{}", text(&out.stderr));
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    let mut cmd = rulec_process();
    cmd.args(["check", "--no-timing", "--format", "jsonl"]).arg(example());
    // The reading end closes before rulec writes (it compiles first).
    let out = run_with_reader_gone(cmd);
    assert_eq!(text(&out.stderr), "", "no error message");
    assert_eq!(out.status.code(), Some(1), "the exit status of the run: findings at or above high");
}

#[cfg(unix)]
#[test]
fn output_files_are_readable_by_others_under_the_usual_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("plain");
    std::fs::File::create(&plain).expect("create").flush().expect("flush");
    let usual = std::fs::metadata(&plain).expect("meta").permissions().mode() & 0o777;
    let out = run_in(dir.path(), &["check", "--format", "json", "-o", "out.json", example().to_str().expect("utf-8")]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", text(&out.stderr));
    let mode = std::fs::metadata(dir.path().join("out.json")).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, usual, "{mode:o}");
}

#[test]
fn columns_sets_the_table_width() {
    let out = rulec()
        .env("COLUMNS", "170")
        .args(["check", "--no-timing", "--format", "table"])
        .arg(example())
        .output()
        .expect("run");
    let stdout = text(&out.stdout);
    let table: Vec<&str> = stdout.lines().take_while(|l| !l.is_empty()).collect();
    assert!(table.len() > 2);
    assert!(table.iter().all(|l| l.chars().count() <= 170), "{stdout}");
    assert!(table.iter().any(|l| l.ends_with('…')), "long messages are cut: {stdout}");
    assert!(table[0].contains("WHERE"), "{stdout}");
}

#[test]
fn subjects_carry_provider_account_region_and_name() {
    let out = run_in(&repo(), &["check", "--no-timing", "--format", "json", "examples/snapshot.json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let sg = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "NET_SG_ADMIN_PORTS_OPEN")
        .expect("a security group finding");
    let subject = &sg["subject"];
    for key in ["type", "id", "provider", "account", "region"] {
        assert!(subject[key].is_string(), "{key}: {subject}");
    }
}

#[test]
fn filters_narrow_every_format_and_the_exit_status() {
    let snapshot = example();
    let snapshot = snapshot.to_str().expect("utf-8");
    let all = rulec().args(["check", "--no-timing", "--format", "json", snapshot]).output().expect("run");
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).expect("json");
    let findings = all["findings"].as_array().expect("findings");
    let low = findings.iter().find(|f| f["severity"] == "low" || f["severity"] == "info").expect("a low finding");
    let rule = low["rule"].as_str().expect("rule");

    let only =
        rulec().args(["check", "--no-timing", "--format", "jsonl", "--rule", rule, snapshot]).output().expect("run");
    let lines = json_lines(&only.stdout);
    assert!(!lines.is_empty() && lines.iter().all(|l| l["rule"] == rule));
    assert_eq!(only.status.code(), Some(0), "nothing shown at or above high");

    let out = rulec()
        .args(["check", "--no-timing", "--format", "jsonl", "--rule", "NET_*", "--severity", "high", snapshot])
        .output()
        .expect("run");
    let lines = json_lines(&out.stdout);
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l["rule"].as_str().is_some_and(|r| r.starts_with("NET_"))
        && (l["severity"] == "high" || l["severity"] == "critical")));

    let region = findings.iter().find_map(|f| f["subject"]["region"].as_str()).expect("a region");
    let out = rulec()
        .args(["check", "--no-timing", "--format", "jsonl", "--region", region, snapshot])
        .output()
        .expect("run");
    assert!(json_lines(&out.stdout).iter().all(|l| l["subject"]["region"] == region));

    let bad = rulec().args(["check", "--rule", "NET_SG_ADMIN_PORTS_OPNE", snapshot]).output().expect("run");
    assert_eq!(bad.status.code(), Some(2));
    insta::assert_snapshot!("unknown_rule_filter", text(&bad.stderr));
}

#[test]
fn sarif_results_point_at_the_snapshot_line_of_their_asset() {
    let out = run_in(
        &repo(),
        &["check", "--no-timing", "--format", "sarif", "--rule", "NET_SG_ADMIN_PORTS_OPEN", "examples/snapshot.json"],
    );
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let locations: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| &r["locations"][0]["physicalLocation"])
        .collect();
    insta::assert_json_snapshot!("sarif_physical_locations", locations);
    let snapshot = std::fs::read_to_string(example()).expect("read");
    for location in locations {
        let line = location["region"]["startLine"].as_u64().expect("line") as usize;
        let text = snapshot.lines().nth(line - 1).expect("line exists");
        assert!(text.trim_start().starts_with('{'), "line {line} starts an object: {text}");
    }
}

/// Markdown and JUnit name each subject's provider, account, region and name as the JSON
/// does: a reader of a CI summary can find the asset without the JSON.
#[test]
fn markdown_and_junit_show_where_each_subject_is() {
    for format in ["markdown", "junit"] {
        let out = run_in(
            &repo(),
            &[
                "check",
                "--no-timing",
                "--format",
                format,
                "--rule",
                "NET_SG_ADMIN_PORTS_OPEN",
                "examples/snapshot.json",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        for expected in ["lt-dev-legacy", "tencent", "100012345678", "ap-shanghai"] {
            assert!(stdout.contains(expected), "{format} lacks {expected}: {stdout}");
        }
        insta::assert_snapshot!(format!("subject_fields_{format}"), stdout);
    }
}

/// A YAML snapshot's results point at the line of their asset's `id` entry, as JSON ones
/// point at their object: not line 1 for every result.
#[test]
fn sarif_results_of_a_yaml_snapshot_point_at_the_id_line_of_their_asset() {
    let fixture = "packs/network/fixtures/admin_ports.yaml";
    let out =
        run_in(&repo(), &["check", "--no-timing", "--format", "sarif", "--rule", "NET_SG_ADMIN_PORTS_OPEN", fixture]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() > 1, "{sarif}");
    let yaml = std::fs::read_to_string(repo().join(fixture)).expect("read");
    let mut seen = Vec::new();
    for result in results {
        let id = result["locations"][0]["logicalLocations"][0]["name"].as_str().expect("subject id");
        let line = result["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().expect("line") as usize;
        let text = yaml.lines().nth(line - 1).expect("line exists");
        let entry = text.trim_start().trim_start_matches("- ");
        assert!(entry.starts_with("id:") && entry.contains(id), "{id}: line {line} is `{text}`");
        seen.push((id.to_owned(), line));
    }
    insta::assert_json_snapshot!("sarif_yaml_lines", seen);
}

/// The json report is written as it is serialised rather than rendered whole first; every
/// format must still give the same bytes to `-o FILE` as to standard output.
#[test]
fn every_format_writes_the_same_bytes_to_a_file_as_to_stdout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = example();
    let snapshot = snapshot.to_str().expect("utf-8");
    // Without `COLUMNS` a table on a pipe is as wide as in a file.
    let run = |args: &[&str]| rulec().current_dir(dir.path()).env_remove("COLUMNS").args(args).output().expect("run");
    for format in ["table", "json", "jsonl", "sarif", "junit", "markdown"] {
        let printed = run(&["check", "--no-timing", "--format", format, snapshot]);
        assert!(printed.status.code().is_some_and(|c| c < 2), "{format}: {}", text(&printed.stderr));
        let file = format!("out.{format}");
        let written = run(&["check", "--no-timing", "--format", format, "-o", &file, snapshot]);
        assert_eq!(written.status.code(), printed.status.code(), "{format}: {}", text(&written.stderr));
        assert!(written.stdout.is_empty(), "{format}: nothing on stdout with -o");
        let bytes = std::fs::read(dir.path().join(&file)).expect("the report file");
        assert!(!bytes.is_empty(), "{format}");
        assert!(bytes == printed.stdout, "{format}: -o and stdout differ");
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.json")).expect("json")).expect("one JSON document");
    assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()), "{report}");
}

/// A report that cannot be written while it is streamed out is an error (exit 2, naming the
/// file), never a silently short file.
#[test]
fn a_report_that_cannot_be_written_exits_2_naming_the_file() {
    let snapshot = example();
    let snapshot = snapshot.to_str().expect("utf-8");
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-such-dir/out.json");
    let mut targets = vec![missing.to_str().expect("utf-8").to_owned()];
    if cfg!(target_os = "linux") {
        // Every write fails with ENOSPC, part way through the stream.
        targets.push("/dev/full".to_owned());
    }
    for target in targets {
        for format in ["json", "sarif"] {
            let out = rulec()
                .args(["check", "--no-timing", "--format", format, "-o", &target, snapshot])
                .output()
                .expect("run");
            assert_eq!(out.status.code(), Some(2), "{format} to {target}: {}", text(&out.stderr));
            assert!(text(&out.stderr).contains(&format!("cannot write `{target}`")), "{}", text(&out.stderr));
        }
    }
    assert!(!missing.exists());
}
