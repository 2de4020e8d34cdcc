//! Secret-scanner reports under `leaks/**` (tests/raw/leaks/README.md): gitleaks and
//! trufflehog findings of Tencent Cloud and Alibaba Cloud key ids become `LeakReport` events,
//! every other finding is counted or listed, and no secret is written anywhere.

use std::path::{Path, PathBuf};

use rulec_collect::{Imported, Options, import};
use serde_json::Value;

/// The fake secrets of the fixtures (and of the copies made here).
const SECRETS: [&str; 2] = ["FakeAlibabaSecretForTests00001", "FakeTencentSecretKeyForTests0000"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/raw/leaks")
}

fn options() -> Options {
    Options { taken_at: Some("2026-11-20T08:00:00Z".to_owned()), ..Options::default() }
}

/// The snapshot and report as written, with `root` shown as `RAW`.
fn written(imported: &Imported, root: &Path) -> (String, String) {
    let relative = |text: String| text.replace(&root.display().to_string(), "RAW");
    let snapshot = serde_json::to_string_pretty(&imported.snapshot).expect("snapshot");
    let report = serde_json::to_string_pretty(&imported.report).expect("report");
    (relative(snapshot), relative(report))
}

fn assert_no_secret(texts: &[&str]) {
    for text in texts {
        for secret in SECRETS {
            assert!(!text.contains(secret), "a secret was written:\n{text}");
        }
    }
}

/// A `leaks/` folder holding the given files.
fn leaks(files: &[(&str, String)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(root.path().join("leaks")).expect("leaks dir");
    for (name, text) in files {
        std::fs::write(root.path().join("leaks").join(name), text).expect("write");
    }
    root
}

/// The gitleaks fixture with each finding changed by `edit`.
fn gitleaks_copy(edit: impl Fn(&mut serde_json::Map<String, Value>)) -> String {
    let text = std::fs::read_to_string(fixtures().join("gitleaks-cloud-keys.json")).expect("fixture");
    let mut findings: Vec<Value> = serde_json::from_str(&text).expect("fixture JSON");
    for finding in &mut findings {
        edit(finding.as_object_mut().expect("finding"));
    }
    serde_json::to_string_pretty(&findings).expect("JSON")
}

/// What gitleaks' `Finding.Redact(percent)` does to `Secret` and `Match`.
fn redact(finding: &mut serde_json::Map<String, Value>, percent: usize) {
    let secret = finding["Secret"].as_str().unwrap_or_default().to_owned();
    let masked = match percent {
        100 => "REDACTED".to_owned(),
        _ => format!("{}...", &secret[..secret.len() * (100 - percent) / 100]),
    };
    let matched = finding["Match"].as_str().unwrap_or_default().replace(&secret, &masked);
    finding.insert("Match".to_owned(), Value::from(matched));
    finding.insert("Secret".to_owned(), Value::from(masked));
}

#[test]
fn gitleaks_and_trufflehog_findings_become_leak_events() {
    let root = fixtures();
    let imported = import(std::slice::from_ref(&root), &options()).expect("import");
    let (snapshot, report) = written(&imported, root.parent().expect("tests/raw"));
    assert_no_secret(&[&snapshot, &report, &format!("{imported:?}")]);
    insta::assert_json_snapshot!("events", imported.snapshot.events);
    insta::assert_snapshot!("report", report);
}

#[test]
fn redacted_gitleaks_findings_are_listed_not_guessed() {
    let root = leaks(&[
        ("redact-100.json", gitleaks_copy(|finding| redact(finding, 100))),
        ("redact-20.json", gitleaks_copy(|finding| redact(finding, 20))),
    ]);
    let imported = import(&[root.path().to_owned()], &options()).expect("import");
    let (snapshot, report) = written(&imported, root.path());
    assert_no_secret(&[&snapshot, &report]);
    assert!(imported.snapshot.events.is_empty());
    insta::assert_snapshot!("redacted_report", report);
}

#[test]
fn findings_without_a_commit_date_are_left_out_and_listed() {
    // `gitleaks dir`: no commit, no date, no link; the file is a path on disk.
    let dir_scan = gitleaks_copy(|finding| {
        finding.insert("Commit".to_owned(), Value::from(""));
        finding.insert("Date".to_owned(), Value::from(""));
        finding.remove("Link");
    });
    let root = leaks(&[("gitleaks-dir.json", dir_scan)]);
    let imported = import(&[root.path().to_owned()], &options()).expect("import");
    let (snapshot, report) = written(&imported, root.path());
    assert_no_secret(&[&snapshot, &report]);
    assert!(imported.snapshot.events.is_empty());
    insta::assert_snapshot!("undated_report", report);
}

#[test]
fn malformed_reports_are_skipped_with_line_and_column() {
    let trufflehog = std::fs::read_to_string(fixtures().join("trufflehog.jsonl")).expect("fixture");
    let mut lines: Vec<&str> = trufflehog.lines().collect();
    let cut = &lines[2][..lines[2].len() / 2];
    lines[2] = cut;
    let root = leaks(&[
        ("invalid.json", "[\n {\n  \"RuleID\": ,\n }\n]\n".to_owned()),
        ("not-findings.json", "[\"LTAI5tFakeKeyForTests001\"]".to_owned()),
        ("truncated.jsonl", lines.join("\n")),
        (
            "sarif.json",
            "{\n \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n \"runs\": []\n}\n".to_owned(),
        ),
        ("empty.json", "\n".to_owned()),
        ("clean.json", "[]\n".to_owned()),
        ("notes.txt", "LTAI5tFakeKeyForTests001 FakeAlibabaSecretForTests00001\n".to_owned()),
    ]);
    let imported = import(&[root.path().to_owned()], &options()).expect("import");
    let (snapshot, report) = written(&imported, root.path());
    assert_no_secret(&[&snapshot, &report]);
    assert!(imported.snapshot.events.is_empty());
    insta::assert_snapshot!("malformed_report", report);
}
