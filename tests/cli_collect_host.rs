//! End-to-end tests of `rulec collect host`: the fixture trees of collect/tests/hosts become
//! Host files that `rulec import` reads from a `hosts/` folder and the `host` pack judges
//! beside a cloud snapshot; the real machine is collected without failing; bad input exits 2.

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use support::{repo, rulec, text};

fn fixture(name: &str) -> PathBuf {
    repo().join("collect/tests/hosts").join(name)
}

/// `rulec collect host --root ROOT -o OUT` with extra arguments; the process output.
fn collect(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    rulec().args(["collect", "host", "--root"]).arg(root).arg("-o").arg(out).args(extra).output().expect("run rulec")
}

/// The checks of the file system walk.
const WALK_CHECKS: [&str; 4] =
    ["HOST_WORLD_WRITABLE_FILES", "HOST_UNOWNED_FILES", "HOST_UNGROUPED_FILES", "HOST_FILE_WALK_INCOMPLETE"];

/// The findings on the fixture hosts (the cloud snapshot has hosts of its own).
fn findings(report: &serde_json::Value) -> Vec<String> {
    let fixtures = ["host-deb12-web", "host-ubuntu-app", "host-rocky-db", "host-centos-legacy"];
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| fixtures.contains(&f["subject"]["id"].as_str().unwrap_or("")))
        // The fixture trees' file modes and owners are whatever the checkout's umask and user
        // made them, so the file-permission and file-walk checks are left to the host pack's
        // tests, which give them exactly, and to the collector's, which build them.
        .filter(|f| !f["rule"].as_str().unwrap_or("").ends_with("_PERMISSIONS"))
        .filter(|f| !WALK_CHECKS.contains(&f["rule"].as_str().unwrap_or("")))
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap_or(""), f["subject"]["id"].as_str().unwrap_or("")))
        .collect();
    found.sort();
    found
}

#[test]
fn fixture_hosts_import_and_fire_the_host_pack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hosts = dir.path().join("hosts");
    std::fs::create_dir(&hosts).expect("hosts");
    for name in ["debian12", "ubuntu2204", "rocky9", "centos7"] {
        let out = collect(
            &fixture(name),
            &hosts.join(format!("{name}.json")),
            &["--provider", "tencent", "--account", "100000000001"],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        assert!(text(&out.stderr).starts_with("collected host-"), "{}", text(&out.stderr));
    }
    let snapshot = dir.path().join("hosts.json");
    let out = rulec().arg("import").arg(&hosts).arg("-o").arg(&snapshot).output().expect("import");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The host snapshot is checked together with a cloud snapshot, merged by `rulec check`.
    let out = rulec()
        .arg("check")
        .arg(repo().join("examples/snapshot.json"))
        .arg(&snapshot)
        .args(["--only-pack", "host", "--format", "json", "--no-timing"])
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(
        findings(&report),
        [
            "HOST_AUDITD_DISABLED host-centos-legacy",
            "HOST_AUDITD_DISABLED host-deb12-web",
            "HOST_AUDITD_NOT_INSTALLED host-centos-legacy",
            "HOST_AUDITD_NOT_INSTALLED host-deb12-web",
            "HOST_AUDIT_FULL_NOT_HALTED host-rocky-db",
            "HOST_AUDIT_LOGS_DELETED host-rocky-db",
            "HOST_AUDIT_NOT_AT_BOOT host-deb12-web",
            "HOST_AUDIT_NOT_AT_BOOT host-rocky-db",
            "HOST_DEFAULT_UMASK host-deb12-web",
            "HOST_DEFAULT_UMASK host-rocky-db",
            "HOST_EMPTY_PASSWORD host-deb12-web",
            "HOST_FIREWALL_DISABLED host-centos-legacy",
            "HOST_FIREWALL_DISABLED host-deb12-web",
            "HOST_INACTIVE_LOCK host-centos-legacy",
            "HOST_INACTIVE_LOCK host-deb12-web",
            "HOST_INACTIVE_LOCK host-rocky-db",
            "HOST_LEGACY_PLUS_ENTRIES host-deb12-web",
            "HOST_LOGIN_LOCKOUT_MISSING host-deb12-web",
            "HOST_MISSING_PATCHES host-deb12-web",
            "HOST_MISSING_PATCHES host-rocky-db",
            "HOST_PASSWORD_COMPLEXITY host-centos-legacy",
            "HOST_PASSWORD_COMPLEXITY host-deb12-web",
            "HOST_PASSWORD_COMPLEXITY host-rocky-db",
            "HOST_PASSWORD_MAX_DAYS host-centos-legacy",
            "HOST_PASSWORD_MAX_DAYS host-deb12-web",
            "HOST_PASSWORD_MAX_DAYS host-rocky-db",
            "HOST_PASSWORD_MIN_DAYS host-centos-legacy",
            "HOST_PASSWORD_MIN_DAYS host-deb12-web",
            "HOST_PASSWORD_MIN_DAYS host-rocky-db",
            "HOST_PASSWORD_MIN_LENGTH host-centos-legacy",
            "HOST_PASSWORD_MIN_LENGTH host-deb12-web",
            "HOST_PASSWORD_MIN_LENGTH host-rocky-db",
            "HOST_PASSWORD_REUSE host-centos-legacy",
            "HOST_PASSWORD_REUSE host-deb12-web",
            "HOST_PASSWORD_REUSE host-rocky-db",
            "HOST_SHELL_TIMEOUT host-centos-legacy",
            "HOST_SHELL_TIMEOUT host-deb12-web",
            "HOST_SHELL_TIMEOUT host-rocky-db",
            "HOST_SSH_ACCESS_NOT_LIMITED host-centos-legacy",
            "HOST_SSH_ACCESS_NOT_LIMITED host-deb12-web",
            "HOST_SSH_ACCESS_NOT_LIMITED host-rocky-db",
            "HOST_SSH_IDLE_TIMEOUT host-centos-legacy",
            "HOST_SSH_IDLE_TIMEOUT host-deb12-web",
            "HOST_SSH_IDLE_TIMEOUT host-rocky-db",
            "HOST_SSH_LOGIN_GRACE_TIME host-centos-legacy",
            "HOST_SSH_LOGIN_GRACE_TIME host-deb12-web",
            "HOST_SSH_LOGIN_GRACE_TIME host-rocky-db",
            "HOST_SSH_MAX_AUTH_TRIES host-centos-legacy",
            "HOST_SSH_MAX_AUTH_TRIES host-deb12-web",
            "HOST_SSH_MAX_AUTH_TRIES host-rocky-db",
            "HOST_SSH_MAX_SESSIONS host-centos-legacy",
            "HOST_SSH_MAX_SESSIONS host-deb12-web",
            "HOST_SSH_MAX_SESSIONS host-rocky-db",
            "HOST_SSH_MAX_STARTUPS host-centos-legacy",
            "HOST_SSH_MAX_STARTUPS host-deb12-web",
            "HOST_SSH_MAX_STARTUPS host-rocky-db",
            "HOST_SSH_NO_BANNER host-centos-legacy",
            "HOST_SSH_NO_BANNER host-deb12-web",
            "HOST_SSH_NO_BANNER host-rocky-db",
            "HOST_SSH_PASSWORD_AUTH host-centos-legacy",
            "HOST_SSH_PASSWORD_AUTH host-deb12-web",
            "HOST_SSH_PASSWORD_AUTH host-rocky-db",
            "HOST_SSH_PERMIT_USER_ENVIRONMENT host-deb12-web",
            "HOST_SSH_ROOT_LOGIN host-centos-legacy",
            "HOST_SSH_ROOT_LOGIN host-deb12-web",
            "HOST_SSH_ROOT_LOGIN host-rocky-db",
            "HOST_SSH_TCP_FORWARDING host-centos-legacy",
            "HOST_SSH_TCP_FORWARDING host-deb12-web",
            "HOST_SSH_TCP_FORWARDING host-rocky-db",
            "HOST_SSH_WEAK_CIPHERS host-deb12-web",
            "HOST_SSH_WEAK_KEX host-centos-legacy",
            "HOST_SSH_WEAK_KEX host-deb12-web",
            "HOST_SSH_WEAK_MACS host-centos-legacy",
            "HOST_SSH_WEAK_MACS host-deb12-web",
            "HOST_SSH_WEAK_MACS host-rocky-db",
            "HOST_SSH_X11_FORWARDING host-centos-legacy",
            "HOST_SSH_X11_FORWARDING host-deb12-web",
            "HOST_SSH_X11_FORWARDING host-rocky-db",
            "HOST_SU_NOT_RESTRICTED host-deb12-web",
            "HOST_SU_NOT_RESTRICTED host-rocky-db",
            "HOST_TIME_SYNC_DISABLED host-centos-legacy",
            "HOST_UID0_NON_ROOT host-centos-legacy",
            "HOST_UID0_NON_ROOT host-deb12-web",
            "HOST_WEAK_PASSWORD host-centos-legacy",
            "HOST_WEAK_PASSWORD host-deb12-web",
            "HOST_WEAK_PASSWORD host-rocky-db",
        ]
    );
}

/// The other way docs/collect.md gives: hosts imported together with saved cloud answers.
#[test]
fn hosts_import_with_cloud_answers_into_one_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hosts = dir.path().join("hosts");
    std::fs::create_dir(&hosts).expect("hosts");
    let out =
        collect(&fixture("debian12"), &hosts.join("web.json"), &["--provider", "tencent", "--account", "100000000002"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let snapshot = dir.path().join("snapshot.json");
    let out = rulec()
        .arg("import")
        .arg(repo().join("examples/raw/tencent/100000000002"))
        .arg(&hosts)
        .arg("-o")
        .arg(&snapshot)
        .output()
        .expect("import");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = rulec().arg("check").arg(&snapshot).args(["--format", "json", "--no-timing"]).output().expect("check");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let subjects: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "HOST_SSH_ROOT_LOGIN" || f["rule"] == "NET_SG_ADMIN_PORTS_OPEN")
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap_or(""), f["subject"]["id"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(subjects, ["HOST_SSH_ROOT_LOGIN host-deb12-web", "NET_SG_ADMIN_PORTS_OPEN sg-lnkd0001"]);
}

#[test]
fn the_report_lists_what_was_not_determined() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (out_file, report_file) = (dir.path().join("host.json"), dir.path().join("report.json"));
    let out = collect(&fixture("centos7"), &out_file, &["--report", report_file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expected = "not determined: 1\n  packages: /var/lib/rpm/Packages is a Berkeley DB rpm database";
    assert!(text(&out.stderr).contains(expected), "{}", text(&out.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_file).expect("report")).expect("json");
    assert_eq!(report["not_determined"][0]["fact"], "packages");
}

#[test]
fn dash_writes_to_standard_output() {
    let out = rulec()
        .args(["collect", "host", "--root"])
        .arg(fixture("ubuntu2204"))
        .args(["-o", "-", "--id", "host-app-1"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a Host record");
    assert_eq!((&record["type"], &record["id"]), (&"Host".into(), &"host-app-1".into()));
}

/// The machine running the tests: whatever it lets rulec read, the record is valid and what
/// it could not read is listed, not fatal.
#[test]
fn the_real_machine_is_collected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (out_file, report_file) = (dir.path().join("hosts/this.json"), dir.path().join("report.json"));
    std::fs::create_dir(dir.path().join("hosts")).expect("hosts");
    let out = collect(Path::new("/"), &out_file, &["--report", report_file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).expect("record")).expect("json");
    assert_eq!(record["type"], "Host");
    assert!(record["accounts"].as_array().is_some_and(|accounts| !accounts.is_empty()));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_file).expect("report")).expect("json");
    assert!(report["unreadable"].is_array() && report["not_determined"].is_array());
    let out = rulec()
        .arg("import")
        .arg(dir.path().join("hosts"))
        .arg("-o")
        .arg(dir.path().join("s.json"))
        .output()
        .expect("import");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_missing_root_is_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = collect(Path::new("/nonexistent/rulec-root"), &dir.path().join("host.json"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: --root `/nonexistent/rulec-root` does not exist\n  help: give the folder the host's filesystem is at: `/` on the host itself\n"
    );
    assert!(!dir.path().join("host.json").exists());
}
