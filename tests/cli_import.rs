//! End-to-end tests of `rulec import`: RAW trees saved from both clouds import into snapshots
//! that `rulec check` evaluates; every lossy path is reported; bad input exits 2 with a message
//! naming the problem; the same RAW gives the same bytes.

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use support::{repo, rulec, text};

fn raw(path: &str) -> PathBuf {
    repo().join("examples/raw").join(path)
}

/// Imports `inputs` with a fixed `taken_at`; the snapshot text, the report and stderr.
fn import(inputs: &[&Path], extra: &[&str]) -> (std::process::Output, String, serde_json::Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (snapshot, report) = (dir.path().join("snapshot.json"), dir.path().join("report.json"));
    let out = rulec()
        .arg("import")
        .args(inputs)
        .args(["--taken-at", "2026-11-20T08:00:00Z", "-o"])
        .arg(&snapshot)
        .arg("--report")
        .arg(&report)
        .args(extra)
        .output()
        .expect("run rulec");
    let snapshot = std::fs::read_to_string(&snapshot).unwrap_or_default();
    let report = std::fs::read_to_string(&report).ok().and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default();
    (out, relative(&snapshot), report)
}

/// Paths in outputs relative to the repository, so snapshots do not depend on the checkout.
fn relative(text: &str) -> String {
    let root = repo().canonicalize().expect("repo").display().to_string();
    text.replace(&format!("{root}/"), "").replace(&format!("{}/", repo().display()), "")
}

/// `rulec check` on a snapshot text; the JSON report.
fn check(snapshot: &str, extra: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("snapshot.json");
    std::fs::write(&path, snapshot).expect("write");
    let out =
        rulec().arg("check").arg(&path).args(["--format", "json", "--no-timing"]).args(extra).output().expect("run");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json report")
}

fn findings_of(report: &serde_json::Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            format!("{}/{}", f["subject"]["type"].as_str().unwrap_or(""), f["subject"]["id"].as_str().unwrap_or(""))
        })
        .collect()
}

#[test]
fn a_tencent_estate_imports_and_checks() {
    let (out, snapshot, _) = import(&[&raw("tencent/100000000002")], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = check(&snapshot, &[]);
    assert_eq!(findings_of(&report, "NET_SG_ADMIN_PORTS_OPEN"), ["SecurityGroup/sg-lnkd0001"]);
}

#[test]
fn an_alibaba_estate_imports_and_checks() {
    let (out, snapshot, _) = import(&[&raw("alibaba/5000000000000002")], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = check(&snapshot, &[]);
    assert_eq!(findings_of(&report, "NET_SG_ADMIN_PORTS_OPEN"), ["SecurityGroup/sg-bp1gxw6bznjjvhu30001"]);
    assert_eq!(findings_of(&report, "DB_PUBLIC_WORLD_ALLOWLIST"), ["Database/rm-uf6wjk5000001"]);
    assert_eq!(findings_of(&report, "STORE_BUCKET_PUBLIC_READ"), ["Bucket/oss-example"]);
}

/// The bundled RAW example through the real CLI: every finding, so a normalizer change that
/// alters what `rulec check` reports shows up here.
#[test]
fn the_bundled_raw_example_gives_these_findings() {
    let (out, snapshot, _) = import(&[&repo().join("examples/raw")], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = check(&snapshot, &[]);
    let mut findings: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}/{}",
                f["rule"].as_str().unwrap_or(""),
                f["subject"]["type"].as_str().unwrap_or(""),
                f["subject"]["id"].as_str().unwrap_or("")
            )
        })
        .collect();
    findings.sort();
    insta::assert_snapshot!(findings.join("\n"));
}

#[test]
fn the_same_raw_gives_the_same_bytes() {
    let source = raw("tencent/100000000002");
    let copy = tempfile::tempdir().expect("temp dir");
    copy_tree(&source, &copy.path().join("tencent/100000000002"));
    let (first, a, _) = import(&[&source], &[]);
    let (second, b, _) = import(&[copy.path()], &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert!(!a.is_empty());
    assert_eq!(a, b, "a copy of the same RAW (other paths, other modification times) imports to other bytes");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Writes a small RAW tree: `(path, content)` pairs under a temporary folder.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    dir
}

const INSTANCES: &str = r#"{"Response": {"TotalCount": 1, "InstanceSet": [{"InstanceId": "ins-1", "InstanceState": "RUNNING",
  "PublicIpAddresses": ["203.0.113.9"], "PrivateIpAddresses": ["10.0.0.9"], "SecurityGroupIds": ["sg-1"]}], "RequestId": "r"}}"#;
const DENIED: &str = r#"{"Response": {"Error": {"Code": "AuthFailure.UnauthorizedOperation", "Message": "you are not authorized"}, "RequestId": "r"}}"#;

#[test]
fn error_answers_are_not_collected_and_controls_over_them_are_not_evaluated() {
    let raw = tree(&[
        ("tencent/100/ap-guangzhou/cvm.DescribeInstances.json", INSTANCES),
        ("tencent/100/ap-guangzhou/vpc.DescribeSecurityGroups.json", DENIED),
    ]);
    let (out, snapshot, report) = import(&[raw.path()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("not collected (error answers): 1"), "{stderr}");
    assert_eq!(report["not_collected"][0]["code"], "AuthFailure.UnauthorizedOperation");
    let coverage: serde_json::Value = serde_json::from_str(&snapshot).expect("json");
    let failed: Vec<&serde_json::Value> =
        coverage["coverage"].as_array().expect("coverage").iter().filter(|c| c["type"] == "SecurityGroup").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["status"], "failed");
    assert!(failed[0]["reasons"][0].as_str().is_some_and(|r| r.contains("AuthFailure.UnauthorizedOperation")));

    let checked = check(&snapshot, &["--framework", "mlps2.l3"]);
    let controls = checked["compliance"]["controls"].as_array().expect("controls");
    let not_evaluated: Vec<&serde_json::Value> = controls.iter().filter(|c| c["status"] == "not_evaluated").collect();
    assert!(!not_evaluated.is_empty(), "no control is not evaluated: {controls:?}");
    assert!(
        not_evaluated.iter().all(|c| c["not_collected"].as_array().is_some_and(|g| !g.is_empty())),
        "{not_evaluated:?}"
    );
    assert!(
        !controls.iter().any(|c| c["status"] == "passed"
            && c["rules"].as_array().is_some_and(|r| r.iter().any(|r| r == "NET_SG_ADMIN_PORTS_OPEN"))),
        "a control of a security-group check passed without security groups"
    );
    assert_eq!(checked["compliance"]["summary"]["not_evaluated"].as_u64(), Some(not_evaluated.len() as u64));
}

#[test]
fn unknown_calls_are_skipped_and_unreadable_answers_not_collected() {
    let raw = tree(&[
        ("tencent/100/ap-guangzhou/cvm.DescribeInstances.json", INSTANCES),
        ("tencent/100/ap-guangzhou/cvm.DescribeKeyPairs.json", r#"{"Response": {"KeyPairSet": []}}"#),
        ("tencent/100/ap-guangzhou/vpc.DescribeSecurityGroups.json", "{\"Response\": {\"SecurityGroupSet\": [}"),
        ("tencent/100/ap-guangzhou/notes.txt", "hello"),
    ]);
    let (out, snapshot, report) = import(&[raw.path()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let skipped: Vec<String> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            format!(
                "{} — {}",
                Path::new(s["file"].as_str().unwrap_or("")).file_name().unwrap_or_default().to_string_lossy(),
                s["reason"].as_str().unwrap_or("")
            )
        })
        .collect();
    insta::assert_snapshot!(skipped.join("\n"), @r"
    cvm.DescribeKeyPairs.json — cvm.DescribeKeyPairs is not a call rulec imports (docs/import.md lists the calls it reads)
    notes.txt — not a .json or .xml answer
    ");
    // A call rulec reads whose answer cannot be parsed was not collected: its type fails.
    assert_eq!(report["not_collected"][0]["code"], "UnreadableAnswer");
    assert_eq!(report["not_collected"][0]["message"], "invalid JSON at line 1, column 36: expected value");
    assert!(snapshot.contains(r#""type":"SecurityGroup","status":"failed""#), "{snapshot}");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let missing = import(&[Path::new("no/such/folder")], &[]).0;
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("no/such/folder: no such file or directory"), "{}", text(&missing.stderr));

    let unknown_account = tree(&[("tencent/_/ap-guangzhou/cvm.DescribeInstances.json", INSTANCES)]);
    let out = import(&[unknown_account.path()], &[]).0;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the account of tencent/_/ is unknown"), "{}", text(&out.stderr));
    let (named, snapshot, _) = import(&[unknown_account.path()], &["--account", "100"]);
    assert_eq!(named.status.code(), Some(0), "{}", text(&named.stderr));
    assert!(snapshot.contains(r#""account":"100""#), "{snapshot}");

    let bad_time =
        rulec().arg("import").arg(unknown_account.path()).args(["--taken-at", "yesterday"]).output().expect("run");
    assert_eq!(bad_time.status.code(), Some(2));
    assert!(text(&bad_time.stderr).contains("--taken-at `yesterday` is not an RFC 3339 time"));

    let no_dir = rulec().args(["import", "tencent"]).output().expect("run");
    assert_eq!(no_dir.status.code(), Some(2));
    assert!(text(&no_dir.stderr).contains("needs a folder"), "{}", text(&no_dir.stderr));
}

#[test]
fn the_provider_form_of_cli_md_reads_a_provider_folder() {
    let raw = tree(&[("tencent/100/ap-guangzhou/cvm.DescribeInstances.json", INSTANCES)]);
    let (out, snapshot, _) = import(&[Path::new("tencent"), &raw.path().join("tencent")], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(snapshot.contains(r#""id":"ins-1""#), "{snapshot}");
}

/// A host record as `rulec collect host` writes it (the example estate's, with root login on).
const HOST: &str = r#"{"type": "Host", "id": "host-ins-7kq2m9xa", "provider": "tencent", "account": "100012345678", "region": "ap-guangzhou", "name": "lt-web-01", "tags": {}, "instance_id": "ins-7kq2m9xa", "os": "TencentOS Server 3.1", "kernel": "5.4.241-1-tlinux4-0017.7", "ssh": {"permit_root_login": "yes", "password_authentication": false, "port": 22, "max_auth_tries": 4, "protocol": 2}, "password_policy": {"max_days": 90, "min_days": 7, "min_length": 12, "min_classes": 3, "remember": 5, "lockout_attempts": 5}, "accounts": [{"name": "root", "uid": 0, "shell": "/bin/bash", "empty_password": false, "weak_password": false, "last_change": "2026-09-14T00:00:00Z"}, {"name": "ops", "uid": 1000, "shell": "/bin/bash", "empty_password": false, "weak_password": false, "last_change": "2026-10-20T00:00:00Z"}, {"name": "nginx", "uid": 998, "shell": "/sbin/nologin", "empty_password": false, "weak_password": false}], "packages": [{"name": "openssl", "version": "1.1.1k-12.tl3.1"}, {"name": "openssh-server", "version": "8.0p1-19.tl3"}, {"name": "nginx", "version": "1.22.1-4.tl3"}, {"name": "sudo", "version": "1.9.5p2-10.tl3"}], "services": ["sshd", "nginx", "auditd", "chronyd", "YDService"], "auditd_enabled": true, "firewall_enabled": true, "time_sync": true, "file_modes": {"/etc/passwd": 420, "/etc/shadow": 0, "/etc/group": 420, "/etc/ssh/sshd_config": 384, "/etc/crontab": 384}}"#;

#[test]
fn host_files_pass_through_and_other_files_there_are_skipped() {
    let raw = tree(&[("hosts/web-1.json", HOST), ("hosts/notes.json", r#"{"hello": 1}"#)]);
    let (out, snapshot, report) = import(&[raw.path()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(findings_of(&check(&snapshot, &[]), "HOST_SSH_ROOT_LOGIN"), ["Host/host-ins-7kq2m9xa"]);
    assert!(report["skipped"][0]["reason"].as_str().is_some_and(|r| r.contains("not a Host record")), "{report}");
}
