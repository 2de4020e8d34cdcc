//! The live collector against the mock clouds (tests/mock): what it saves imports to exactly
//! what the fixtures import to, every page is fetched, throttled and slow calls succeed after
//! retries, denied and malformed answers are recorded, and the secret appears nowhere.

mod mock;
mod support;

use std::path::Path;
use std::time::Duration;

use mock::{Cloud, Faults};
use rulec_collect::live::{self, Progress, Settings, Summary};
use rulec_collect::raw::Provider;
use rulec_collect::sign::{Key, Secret};
use serde_json::{Value, json};

struct Quiet;

impl Progress for Quiet {
    fn planned(&self, _: usize) {}
    fn done(&self, _: &str, _: bool) {}
}

fn settings(provider: Provider, url: &str) -> Settings {
    Settings {
        provider,
        regions: None,
        services: None,
        events_since: Some(Duration::from_secs(24 * 3600)),
        endpoint: Some(url.to_owned()),
        timeout: Duration::from_millis(1500),
        attempts: 4,
        backoff: Duration::from_millis(5),
        concurrency: 8,
        rate: Some(1000),
        now: chrono::Utc::now(),
    }
}

fn key(cloud: &Cloud) -> Key {
    Key { id: cloud.key_id.clone(), secret: Secret::new(cloud.secret.clone()), token: None }
}

/// Collects from `cloud` into a temporary RAW folder.
fn collect(
    cloud: Cloud,
    tweak: impl FnOnce(&mut Settings),
) -> (tempfile::TempDir, Summary, Vec<(String, bool)>, String) {
    let provider = cloud.provider;
    let key = key(&cloud);
    let secret = cloud.secret.clone();
    let server = cloud.serve();
    let mut settings = settings(provider, &server.url);
    tweak(&mut settings);
    let raw = tempfile::tempdir().expect("temp dir");
    let summary = live::collect(&settings, key, raw.path(), &Quiet).expect("collect");
    let log = server.log.lock().expect("log").clone();
    (raw, summary, log, secret)
}

/// The assets and events of an import, as text.
fn records(raw: &Path) -> (Vec<Value>, Vec<Value>) {
    let imported = support::run(raw);
    let snapshot = serde_json::to_value(&imported.snapshot).expect("json");
    let list = |key: &str| snapshot[key].as_array().cloned().unwrap_or_default();
    (list("assets"), list("events"))
}

fn fixture(provider: &str, account: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/raw").join(provider).join(account)
}

/// Compares the assets of both imports, less the types of calls the collector does not make.
fn assert_same_records(collected: &Path, fixture: &Path, not_made: &[&str]) {
    let (assets, events) = records(collected);
    let (want_assets, want_events) = records(fixture);
    let want_assets: Vec<Value> =
        want_assets.into_iter().filter(|a| !not_made.contains(&a["type"].as_str().unwrap_or_default())).collect();
    let ids = |list: &[Value]| list.iter().map(|a| a["id"].as_str().unwrap_or_default().to_owned()).collect::<Vec<_>>();
    assert_eq!(ids(&assets), ids(&want_assets));
    assert_eq!(assets, want_assets);
    let api_events = |list: Vec<Value>| list.into_iter().filter(|e| e["type"] == "ApiCall").count();
    assert!(api_events(events) <= api_events(want_events));
}

#[test]
fn tencent_collection_imports_to_what_the_fixtures_import_to() {
    let mut cloud = Cloud::from_raw(Provider::Tencent, &fixture("tencent", "100000000002"));
    cloud.faults = Faults {
        throttle: [("cvm.DescribeInstances".to_owned(), 2)].into(),
        slow: [("vpc.DescribeSecurityGroups".to_owned(), 1)].into(),
        slow_for: Duration::from_secs(3),
        ..Faults::default()
    };
    let (raw, summary, log, secret) = collect(cloud, |_| {});
    assert!(log.iter().all(|(_, good)| *good), "every request is signed right");
    assert!(summary.retries >= 3, "throttled and slow calls were retried: {summary:?}");
    // The mock answers ResourceNotFound where the fixture holds no answer for a resource.
    let unanswered = [
        "ResourceNotFound",
        "NoSuchBucketPolicy",
        "NoSuchEncryptionConfiguration",
        "ReplicationConfigurationNotFoundError",
    ];
    assert!(summary.failures.iter().all(|f| unanswered.contains(&f.code.as_str())), "{:#?}", summary.failures);
    assert!(summary.not_made.is_empty(), "{:?}", summary.not_made);
    assert_same_records(raw.path(), &fixture("tencent", "100000000002"), &[]);
    for file in walkdir::WalkDir::new(raw.path()).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(!text.contains(&secret), "{} holds the secret", file.path().display());
    }
}

#[test]
fn alibaba_collection_imports_to_what_the_fixtures_import_to() {
    let mut cloud = Cloud::from_raw(Provider::Alibaba, &fixture("alibaba", "5000000000000002"));
    cloud.faults = Faults { throttle: [("ram.ListUsers".to_owned(), 2)].into(), ..Faults::default() };
    let (raw, summary, log, secret) = collect(cloud, |_| {});
    assert!(log.iter().all(|(_, good)| *good), "every request is signed right");
    assert!(summary.retries >= 2, "{summary:?}");
    let allowed =
        ["ResourceNotFound", "NoSuchBucketPolicy", "NoSuchServerSideEncryptionRule", "NoSuchReplicationConfiguration"];
    assert!(summary.failures.iter().all(|f| allowed.contains(&f.code.as_str())), "{:#?}", summary.failures);
    assert!(summary.not_made.is_empty(), "{:?}", summary.not_made);
    assert_same_records(raw.path(), &fixture("alibaba", "5000000000000002"), &[]);
    let granted = live::policy::actions(Provider::Alibaba);
    for (call, _) in &log {
        let (service, action) = call.split_once('.').expect("service.Action");
        let name = live::policy::action_name(Provider::Alibaba, service, action);
        assert!(granted.contains(&name), "{name} was called but is not in the printed policy");
    }
    for file in walkdir::WalkDir::new(raw.path()).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        assert!(!std::fs::read_to_string(file.path()).expect("read").contains(&secret));
    }
}

#[test]
fn denied_services_and_malformed_answers_are_recorded_and_the_run_goes_on() {
    let mut cloud = Cloud::from_raw(Provider::Tencent, &fixture("tencent", "100000000002"));
    cloud.faults = Faults {
        deny: ["clb".to_owned()].into(),
        malformed: ["cvm.DescribeInstances".to_owned()].into(),
        ..Faults::default()
    };
    let (raw, summary, _, _) = collect(cloud, |_| {});
    let failed = |call: &str, code: &str| summary.failures.iter().any(|f| f.call == call && f.code == code);
    assert!(failed("clb.DescribeLoadBalancers", "AuthFailure.UnauthorizedOperation"), "{:#?}", summary.failures);
    assert!(failed("cvm.DescribeInstances", "UnreadableAnswer"), "{:#?}", summary.failures);
    let imported = support::run(raw.path());
    let coverage = |kind: &str| {
        imported
            .snapshot
            .coverage
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| format!("{:?}", c.status))
            .collect::<Vec<_>>()
    };
    assert!(coverage("LoadBalancer").iter().any(|s| s.contains("Failed")), "{:?}", coverage("LoadBalancer"));
    assert!(coverage("Instance").iter().any(|s| s.contains("Failed")), "{:?}", coverage("Instance"));
    assert!(!coverage("SecurityGroup").iter().any(|s| s.contains("Failed")), "{:?}", coverage("SecurityGroup"));
}

#[test]
fn a_wrong_secret_stops_with_the_vendors_message() {
    let cloud = Cloud::from_raw(Provider::Tencent, &fixture("tencent", "100000000002"));
    let server = cloud.serve();
    let settings = settings(Provider::Tencent, &server.url);
    let key = Key {
        id: "AKIDmockKEY0000000000000000000000000".to_owned(),
        secret: Secret::new("wrong".to_owned()),
        token: None,
    };
    let raw = tempfile::tempdir().expect("temp dir");
    let err = live::collect(&settings, key, raw.path(), &Quiet).expect_err("refused");
    assert!(err.to_string().contains("AuthFailure.SignatureFailure"), "{err}");
    assert!(!err.to_string().contains("wrong"), "{err}");
}

#[test]
fn regions_and_services_narrow_the_collection() {
    let cloud = Cloud::from_raw(Provider::Tencent, &fixture("tencent", "100000000002"));
    let (raw, summary, log, _) = collect(cloud, |s| {
        s.regions = Some(vec!["ap-guangzhou".to_owned()]);
        s.services = Some(vec!["cvm".to_owned(), "vpc".to_owned(), "cos".to_owned()]);
        s.events_since = None;
    });
    let wanted = ["cvm.", "vpc.", "cos.", "sts."];
    assert!(log.iter().all(|(call, _)| wanted.iter().any(|w| call.starts_with(w))), "{log:?}");
    let account = raw.path().join("tencent/100000000002");
    assert!(account.join("ap-guangzhou/cos.GetBucketAcl@Bucket=examplebucket-1250000002.xml").exists());
    assert!(
        !account.join("ap-beijing").exists() && !account.join("eu-frankfurt").exists(),
        "buckets elsewhere are left alone"
    );
    assert!(summary.not_made.iter().any(|(call, why)| call == "cam.ListUsers" && why.contains("--services")));
    let (assets, _) = records(raw.path());
    assert!(assets.iter().any(|a| a["type"] == "Instance") && assets.iter().all(|a| a["type"] != "User"));
}

#[test]
fn every_page_of_a_larger_account_is_fetched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let account = mock::tencent_account(&dir.path().join("tencent"), 23);
    let mut cloud = Cloud::from_raw(Provider::Tencent, &account);
    cloud.page_size = 5;
    let (raw, summary, _, _) = collect(cloud, |_| {});
    let (assets, _) = records(raw.path());
    let count = |kind: &str| assets.iter().filter(|a| a["type"] == kind).count();
    assert_eq!((count("Instance"), count("SecurityGroup"), count("User"), count("AccessKey")), (23, 23, 23, 46));
    assert!(summary.pages > summary.calls, "lists took several pages: {summary:?}");
    assert!(
        raw.path().join("tencent/100000000002/global/cam.GetSecurityLastUsed.5.json").exists(),
        "46 keys, 10 a request"
    );
    assert_same_records(raw.path(), &account, &[]);
}

#[test]
fn an_assumed_role_collects_with_its_temporary_key_and_token() {
    for (provider, account, role) in [
        (Provider::Tencent, "100000000002", "qcs::cam::uin/100000000002:roleName/rulec-audit"),
        (Provider::Alibaba, "5000000000000002", "acs:ram::5000000000000002:role/rulec-audit"),
    ] {
        let folder = if provider == Provider::Tencent { "tencent" } else { "alibaba" };
        let cloud = Cloud::from_raw(provider, &fixture(folder, account));
        let (base, temporary, temporary_secret) =
            (key(&cloud), cloud.temporary_requests.clone(), cloud.temporary.1.clone());
        let server = cloud.serve();
        let settings = settings(provider, &server.url);
        let assumed = live::assume_role(&settings, base, role).expect("assumed");
        assert!(!format!("{assumed:?}").contains(&temporary_secret), "the temporary secret is never printed");
        let raw = tempfile::tempdir().expect("temp dir");
        let summary = live::collect(&settings, assumed, raw.path(), &Quiet).expect("collect");
        assert_eq!(summary.account, account);
        let log = server.log.lock().expect("log").clone();
        assert!(log.iter().all(|(_, good)| *good), "{provider:?}: every request is signed right");
        let after_assume = log.len() - 1;
        assert_eq!(
            temporary.load(std::sync::atomic::Ordering::SeqCst),
            after_assume,
            "{provider:?}: all with the role's key"
        );
    }
}

#[test]
fn audit_events_of_the_window_are_read_page_by_page() {
    // The vendor's LookUpEvents example, its one event made three (new ids, and a key id in
    // place of the masked `XXX`, which the importer leaves out), the paging fields removed:
    // the mock pages it one event at a time.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/raw/tencent/100000000001");
    let text = std::fs::read_to_string(fixture.join("events/cloudaudit.LookUpEvents.json")).expect("fixture");
    let mut answer: Value = serde_json::from_str(&text).expect("json");
    let answer = answer.get_mut("Response").expect("envelope");
    let event = answer["Events"][0].clone();
    answer["Events"] = (1..=3)
        .map(|n| {
            let mut copy = event.clone();
            copy["EventId"] = Value::from(format!("{}-{n}", event["EventId"].as_str().unwrap_or_default()));
            copy["RequestID"] = Value::from(format!("{}-{n}", event["RequestID"].as_str().unwrap_or_default()));
            let key = format!("AKIDEXAMPLEEVENTKEY{n:04}");
            let inner = event["CloudAuditEvent"].as_str().unwrap_or_default().replace("\"XXX\"", &format!("\"{key}\""));
            copy["CloudAuditEvent"] = Value::from(inner);
            copy["SecretId"] = Value::from(key);
            copy
        })
        .collect();
    for paging in ["NextToken", "ListOver", "TotalCount"] {
        answer.as_object_mut().expect("object").remove(paging);
    }
    let sts = r#"{"AccountId": "100000000001"}"#.to_owned();
    let tree = support::tree(&[
        ("tencent/100000000001/global/sts.GetCallerIdentity.json", sts),
        (
            "tencent/100000000001/ap-guangzhou/cvm.DescribeInstances.json",
            r#"{"TotalCount": 0, "InstanceSet": []}"#.to_owned(),
        ),
        ("tencent/100000000001/events/cloudaudit.LookUpEvents.json", json!({"Response": answer}).to_string()),
    ]);
    let account = tree.path().join("tencent/100000000001");
    let cloud = Cloud::from_raw(Provider::Tencent, &account);
    let (raw, summary, log, _) = collect(cloud, |s| s.services = Some(vec!["cvm".to_owned()]));
    assert_eq!(log.iter().filter(|(call, _)| call == "cloudaudit.LookUpEvents").count(), 3, "one event a page");
    assert!(summary.failures.is_empty(), "{:?}", summary.failures);
    let (_, events) = records(raw.path());
    let (_, want) = records(&account);
    assert_eq!(events.len(), 3);
    assert_eq!(events, want);
}

#[test]
fn a_call_that_keeps_timing_out_is_recorded_as_unreachable() {
    let mut cloud = Cloud::from_raw(Provider::Tencent, &fixture("tencent", "100000000002"));
    cloud.faults = Faults {
        slow: [("cvm.DescribeInstances".to_owned(), 10)].into(),
        slow_for: Duration::from_secs(2),
        ..Faults::default()
    };
    let (raw, summary, _, _) = collect(cloud, |s| {
        s.attempts = 2;
        s.timeout = Duration::from_millis(500);
        s.regions = Some(vec!["ap-guangzhou".to_owned()]);
        s.services = Some(vec!["cvm".to_owned()]);
    });
    let failure = summary.failures.iter().find(|f| f.call == "cvm.DescribeInstances").expect("recorded");
    assert_eq!(failure.code, "Unreachable", "{failure:?}");
    assert!(summary.retries >= 1, "{summary:?}");
    let imported = support::run(raw.path());
    let instances: Vec<_> = imported.snapshot.coverage.iter().filter(|c| c.kind == "Instance").collect();
    assert!(instances.iter().any(|c| format!("{:?}", c.status).contains("Failed")), "{instances:?}");
}
