//! End-to-end tests of `rulec collect` against the mock clouds (collect/tests/mock): the
//! snapshot equals `rulec import` of the answers it saved, byte for byte; findings and exit codes
//! are `rulec check`'s; a refused key exits 2 with the vendor's message; the secret appears in
//! no output; `--print-policy` grants every call made.

#[path = "support/mod.rs"]
mod support;

#[path = "../collect/tests/mock/mod.rs"]
mod mock;

use std::path::Path;

use mock::Cloud;
use rulec_collect::raw::Provider;
use support::{repo, rulec, text};

fn cloud(provider: Provider, account: &str) -> Cloud {
    let folder = match provider {
        Provider::Tencent => "tencent",
        Provider::Alibaba => "alibaba",
    };
    Cloud::from_raw(provider, &repo().join("examples/raw").join(folder).join(account))
}

/// `rulec collect PROVIDER` against `server` with the mock's key in the environment.
fn collect(provider: &str, key: (&str, &str), url: &str, home: &Path, extra: &[&str]) -> std::process::Output {
    let (id, secret) = match provider {
        "tencent" => ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
        _ => ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
    };
    rulec()
        .args(["collect", provider, "--endpoint", url, "--rate", "1000"])
        .args(extra)
        .env("HOME", home)
        .env(id, key.0)
        .env(secret, key.1)
        .output()
        .expect("run rulec")
}

#[test]
fn collect_writes_what_import_makes_of_the_saved_answers_then_checks_it() {
    for (provider, account) in [(Provider::Tencent, "100000000002"), (Provider::Alibaba, "5000000000000002")] {
        let cloud = cloud(provider, account);
        let name = provider.as_str();
        let (key_id, secret) = (cloud.key_id.clone(), cloud.secret.clone());
        let server = cloud.serve();
        let dir = tempfile::tempdir().expect("temp dir");
        let (raw, collected, imported) =
            (dir.path().join("raw"), dir.path().join("collected.json"), dir.path().join("imported.json"));
        let out = collect(
            name,
            (&key_id, &secret),
            &server.url,
            dir.path(),
            &[
                "--events-since",
                "24h",
                "--save-raw",
                &raw.display().to_string(),
                "-o",
                &collected.display().to_string(),
            ],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "findings make exit 1 as in check:\n{stderr}");
        assert!(stderr.contains(&format!("collected {name} account {account}")), "{stderr}");
        let snapshot = std::fs::read_to_string(&collected).expect("snapshot written");
        let taken_at: serde_json::Value = serde_json::from_str(&snapshot).expect("json");
        let out = rulec()
            .arg("import")
            .arg(&raw)
            .args(["--taken-at", taken_at["taken_at"].as_str().expect("taken_at"), "-o"])
            .arg(&imported)
            .output()
            .expect("run rulec");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(snapshot, std::fs::read_to_string(&imported).expect("imported"), "{name}: collect = import");
        let stdout = text(&out.stdout);
        for file in walkdir::WalkDir::new(dir.path()).into_iter().flatten().filter(|e| e.file_type().is_file()) {
            let bytes = std::fs::read(file.path()).expect("read");
            assert!(!String::from_utf8_lossy(&bytes).contains(&secret), "{} holds the secret", file.path().display());
        }
        assert!(!stderr.contains(&secret) && !stdout.contains(&secret));
    }
}

#[test]
fn a_refused_key_exits_2_with_the_vendors_message() {
    let cloud = cloud(Provider::Tencent, "100000000002");
    let key_id = cloud.key_id.clone();
    let server = cloud.serve();
    let home = tempfile::tempdir().expect("temp dir");
    let wrong = "not-the-secret-the-mock-expects";
    let out = collect("tencent", (&key_id, wrong), &server.url, home.path(), &["-o", "/dev/null"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("AuthFailure.SignatureFailure") && stderr.contains("nothing collected"), "{stderr}");
    assert!(!stderr.contains(wrong), "{stderr}");
}

#[test]
fn missing_credentials_and_bad_options_exit_2_saying_what_to_do() {
    let home = tempfile::tempdir().expect("temp dir");
    let out = rulec()
        .args(["collect", "alibaba", "-o", "x.json"])
        .env("HOME", home.path())
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .env_remove("ALIBABA_CLOUD_PROFILE")
        .output()
        .expect("run rulec");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("ALIBABA_CLOUD_ACCESS_KEY_ID") && stderr.contains("aliyun configure"), "{stderr}");
    let out =
        rulec().args(["collect", "tencent", "--services", "cvm,nope"]).env("HOME", home.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`nope` is not a tencent service"), "{}", text(&out.stderr));
    let out = rulec()
        .args(["collect", "tencent", "--format", "yaml", "-o", "x.json"])
        .env("HOME", home.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "a bad --format fails before anything is collected");
    assert!(text(&out.stderr).contains("yaml") && !text(&out.stderr).contains("collecting"), "{}", text(&out.stderr));
    let out = rulec()
        .args(["collect", "tencent", "--events-since", "yesterday"])
        .env("HOME", home.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("24h"), "{}", text(&out.stderr));
}

#[test]
fn print_policy_is_read_only_and_covers_the_call_table() {
    for (provider, pointer) in [("tencent", "/statement/0/action"), ("alibaba", "/Statement/0/Action")] {
        let out = rulec().args(["collect", provider, "--print-policy"]).output().expect("run rulec");
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!(format!("policy_{provider}"), text(&out.stdout));
        let policy: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON policy");
        let actions: Vec<&str> = policy
            .pointer(pointer)
            .and_then(|a| a.as_array())
            .expect("actions")
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        let provider = Provider::parse(provider).expect("provider");
        for call in rulec_collect::calls::all().filter(|c| c.provider == provider && c.service != "sls") {
            let name = rulec_collect::live::policy::action_name(provider, call.service, call.action);
            assert!(actions.contains(&name.as_str()), "{name} missing from the printed policy");
        }
    }
}

#[test]
fn assume_role_collects_the_roles_account_with_its_temporary_key() {
    let cloud = cloud(Provider::Alibaba, "5000000000000002");
    let (key_id, secret, temporary) = (cloud.key_id.clone(), cloud.secret.clone(), cloud.temporary_requests.clone());
    let server = cloud.serve();
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("org.json");
    let role = "acs:ram::5000000000000002:role/rulec-audit";
    let out = collect(
        "alibaba",
        (&key_id, &secret),
        &server.url,
        dir.path(),
        &["--assume-role", role, "--no-check", "-o", &snapshot.display().to_string()],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "--no-check: the snapshot is written, nothing judged\n{stderr}");
    assert!(stderr.contains("collected alibaba account 5000000000000002"), "{stderr}");
    let requests = server.log.lock().expect("log").len();
    assert_eq!(
        temporary.load(std::sync::atomic::Ordering::SeqCst),
        requests - 1,
        "all but AssumeRole use the role's key"
    );
}

#[test]
fn a_denied_service_is_named_in_the_summary_and_fails_its_coverage() {
    let mut cloud = cloud(Provider::Tencent, "100000000002");
    cloud.faults.deny = ["clb".to_owned()].into();
    let (key_id, secret) = (cloud.key_id.clone(), cloud.secret.clone());
    let server = cloud.serve();
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("snapshot.json");
    let out = collect("tencent", (&key_id, &secret), &server.url, dir.path(), &["-o", &snapshot.display().to_string()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "the run goes on and checks what it has\n{stderr}");
    assert!(
        stderr.contains("not collected: clb.DescribeLoadBalancers ×1: AuthFailure.UnauthorizedOperation"),
        "{stderr}"
    );
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).expect("written")).expect("json");
    let failed = snapshot["coverage"]
        .as_array()
        .expect("coverage")
        .iter()
        .any(|entry| entry["type"] == "LoadBalancer" && entry["status"] == "failed");
    assert!(failed, "{}", snapshot["coverage"]);
}
