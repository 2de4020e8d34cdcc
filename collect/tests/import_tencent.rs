//! Importing the Tencent Cloud RAW fixtures (tests/raw/tencent/README.md): the verbatim tree of
//! published answers and the linked tree of edited copies, end to end through `import`.

#[path = "support/mod.rs"]
mod support;

use std::path::Path;

use rulec_collect::coverage::Status;
use rulec_collect::report::IssueKind;
use rulec_collect::snapshot::Event;
use support::{asset, copy_of, coverage, issues, report_json, run, snapshot_json};

const VERBATIM: &str = "tests/raw/tencent/100000000001";
const LINKED: &str = "../examples/raw/tencent/100000000002";

#[test]
fn verbatim_tree() {
    let imported = run(Path::new(VERBATIM));
    insta::assert_snapshot!("verbatim_snapshot", snapshot_json(&imported));
    insta::assert_snapshot!("verbatim_report", report_json(&imported));
}

#[test]
fn linked_tree() {
    let imported = run(Path::new(LINKED));
    insta::assert_snapshot!("linked_snapshot", snapshot_json(&imported));
    insta::assert_snapshot!("linked_report", report_json(&imported));
}

#[test]
fn the_same_raw_gives_the_same_bytes() {
    let first = run(Path::new(LINKED));
    let second = run(Path::new(LINKED));
    assert_eq!(snapshot_json(&first), snapshot_json(&second));
    assert_eq!(report_json(&first), report_json(&second));
}

#[test]
fn an_error_answer_is_not_collected_and_its_type_failed() {
    let imported = run(Path::new(LINKED));
    let denied = &imported.report.not_collected;
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(
        (denied[0].call.as_str(), denied[0].code.as_str()),
        ("cdb.DescribeDBInstances", "AuthFailure.UnauthorizedOperation")
    );
    let database = coverage(&imported, Some("ap-guangzhou"), "Database");
    assert_eq!(database.status, Status::Failed);
    assert!(!imported.snapshot.assets.iter().any(|asset| asset.kind == "Database"));
}

#[test]
fn not_configured_bucket_settings_are_data_not_failures() {
    let imported = run(Path::new(LINKED));
    let bucket = asset(&imported, "Bucket", "examplebucket-1250000002");
    assert_eq!(bucket.fields.get("replication_regions"), Some(&serde_json::json!([])));
    assert!(!bucket.fields.contains_key("encryption"), "NoSuchEncryptionConfiguration means no encryption");
    assert!(!bucket.fields.contains_key("policy"));
    let reasons = &coverage(&imported, Some("ap-guangzhou"), "Bucket").reasons;
    assert_eq!(reasons, &["cos.GetBucketPolicy@Bucket=examplebucket-1250000002 was not saved".to_owned()]);
    assert!(!imported.report.not_collected.iter().any(|denied| denied.call.starts_with("cos.")));
}

#[test]
fn a_missing_per_resource_answer_leaves_the_asset_out_and_the_type_partial() {
    let raw = copy_of("tencent", LINKED);
    let root = raw.path().join("tencent/100000000002");
    std::fs::remove_file(root.join("global/cam.DescribeSafeAuthFlagColl@SubUin=100000000021.json")).expect("remove");
    let imported = run(&root);
    assert!(!imported.snapshot.assets.iter().any(|asset| asset.kind == "User"));
    let user = coverage(&imported, None, "User");
    assert_eq!(user.status, Status::Partial);
    assert_eq!(user.reasons, ["cam.DescribeSafeAuthFlagColl@SubUin=100000000021 was not saved".to_owned()]);
    let incomplete = issues(&imported, IssueKind::Incomplete);
    assert!(incomplete.contains(&"User left out: cam.DescribeSafeAuthFlagColl@SubUin=100000000021 was not saved"));
    // The user's keys do not depend on its flags.
    assert!(imported.snapshot.assets.iter().any(|asset| asset.id == "AKIDEXAMPLELINKED0001"));
}

#[test]
fn masked_values_are_reported_and_identify_nothing() {
    let imported = run(Path::new(VERBATIM));
    let masked = issues(&imported, IssueKind::Masked);
    assert!(masked.contains(&"the load balancer id `lb-9vpm****` is masked: left out"), "{masked:?}");
    assert!(masked.contains(&"the key id `XXX` is masked: the event is left out"), "{masked:?}");
    assert!(masked.contains(&"the key id `AKID***` is masked: its last use is left out"), "{masked:?}");
    assert!(!imported.snapshot.assets.iter().any(|asset| asset.id.contains("**")));
    assert_eq!(coverage(&imported, Some("ap-guangzhou"), "LoadBalancer").status, Status::Partial);
}

#[test]
fn the_broken_cloud_audit_event_of_the_tccli_example_is_read_leniently() {
    let imported = run(Path::new(VERBATIM));
    let lenient = issues(&imported, IssueKind::NotNormalized);
    assert!(lenient.iter().any(|message| message.starts_with("`CloudAuditEvent` is not valid JSON")), "{lenient:?}");

    // The same answer with a key id in place of the placeholder `XXX` gives the call.
    let text = std::fs::read_to_string(Path::new(VERBATIM).join("events/cloudaudit.LookUpEvents.json")).expect("read");
    let raw = tempfile::tempdir().expect("temp dir");
    let file = raw.path().join("tencent/100000000003/events/lookup.json");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    std::fs::write(&file, text.replace(r#"\"secretId\":\"XXX\""#, r#"\"secretId\":\"AKIDEXAMPLELENIENT01\""#))
        .expect("write");
    let imported = run(raw.path());
    let [Event::ApiCall(call)] = imported.snapshot.events.as_slice() else { panic!("{:?}", imported.snapshot.events) };
    assert_eq!(call.access_key_id, "AKIDEXAMPLELENIENT01");
    assert_eq!(call.time, "2019-03-20T04:36:27Z");
    assert_eq!((call.service.as_str(), call.action.as_str()), ("cloudaudit", "LookupEvents"));
    assert_eq!((call.source_ip.as_str(), call.principal_id.as_deref()), ("59.37.125.124", Some("1150691759")));
    assert_eq!((call.success, call.region.as_deref()), (true, Some("ap-guangzhou")));
}

#[test]
fn address_and_service_templates_resolve_when_saved_and_stay_unresolved_when_not() {
    let linked = run(Path::new(LINKED));
    let group = asset(&linked, "SecurityGroup", "sg-lnkd0001");
    let ingress = group.fields["ingress"].as_array().expect("ingress");
    assert!(ingress.iter().any(|rule| rule["cidr"] == "192.168.0.0/16" && rule["port_from"] == 8080));
    assert!(ingress.iter().all(|rule| rule.get("unresolved").is_none()));

    let raw = copy_of("tencent", LINKED);
    let root = raw.path().join("tencent/100000000002");
    std::fs::remove_file(root.join("ap-guangzhou/vpc.DescribeAddressTemplateGroups.json")).expect("remove");
    let imported = run(&root);
    let group = asset(&imported, "SecurityGroup", "sg-lnkd0001");
    let ingress = group.fields["ingress"].as_array().expect("ingress");
    let unresolved: Vec<&serde_json::Value> = ingress.iter().filter(|rule| rule.get("unresolved").is_some()).collect();
    assert_eq!(unresolved.len(), 2, "{ingress:?}");
    assert!(
        unresolved
            .iter()
            .all(|rule| rule.get("cidr").is_none() && rule["unresolved"] == "address template ipmg-2uw6ujo6")
    );
    assert_eq!(coverage(&imported, Some("ap-guangzhou"), "SecurityGroup").status, Status::Partial);
    assert!(issues(&imported, IssueKind::Unresolved).iter().any(|message| message.contains("ipmg-2uw6ujo6")));
}

#[test]
fn sql_audit_retention_is_read_in_days_and_zero_is_left_out() {
    let audit = std::fs::read_to_string(
        Path::new(VERBATIM).join("ap-guangzhou/cdb.DescribeAuditConfig@InstanceId=cdbro-6zpy4ei1.json"),
    )
    .expect("read");
    let instances = r#"{"Response": {"TotalCount": 2, "Items": [
        {"InstanceId": "cdb-1", "WanStatus": 0, "InstanceNodes": 2},
        {"InstanceId": "cdb-2", "WanStatus": 0, "InstanceNodes": 2}], "RequestId": "r"}}"#;
    let mut files = vec![("ap-guangzhou/cdb.DescribeDBInstances.json".to_owned(), instances.to_owned())];
    for id in ["cdb-1", "cdb-2"] {
        let answers = [
            ("DescribeDBSecurityGroups", r#"{"Response": {"Groups": [], "RequestId": "r"}}"#.to_owned()),
            ("DescribeBackupConfig", r#"{"Response": {"BackupExpireDays": 7, "RequestId": "r"}}"#.to_owned()),
            ("DescribeDBInstanceInfo", r#"{"Response": {"Encryption": "YES", "RequestId": "r"}}"#.to_owned()),
            ("DescribeSSLStatus", r#"{"Response": {"Status": "ON", "RequestId": "r"}}"#.to_owned()),
            // The tccli example (LogExpireDay 90) for cdb-1; the same with the undocumented 0 for cdb-2.
            (
                "DescribeAuditConfig",
                if id == "cdb-1" {
                    audit.clone()
                } else {
                    audit.replace(r#""LogExpireDay": 90"#, r#""LogExpireDay": 0"#)
                },
            ),
        ];
        for (action, body) in answers {
            files.push((format!("ap-guangzhou/cdb.{action}@InstanceId={id}.json"), body));
        }
    }
    let files: Vec<(String, String)> =
        files.into_iter().map(|(path, body)| (format!("tencent/100000000009/{path}"), body)).collect();
    let raw = support::tree(&files);
    let imported = run(raw.path());
    let first = asset(&imported, "Database", "cdb-1");
    assert_eq!(first.fields["audit_retention_days"], serde_json::json!(90));
    assert_eq!(first.fields["audit_enabled"], serde_json::json!(true));
    let second = asset(&imported, "Database", "cdb-2");
    assert!(!second.fields.contains_key("audit_retention_days"), "0 is unknown, not no days");
    assert_eq!(second.fields["audit_enabled"], serde_json::json!(true), "CreateTime says audit was opened");
    assert!(!first.fields.contains_key("tde_customer_key"), "Tencent's answer does not say whose key");
}
