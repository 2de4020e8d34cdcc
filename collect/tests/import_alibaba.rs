//! Importing the Alibaba Cloud RAW fixtures (tests/raw/alibaba/README.md): the verbatim tree of
//! published answers and the linked tree of edited copies, end to end through `import`, and
//! small trees written here for the paths the fixtures do not take.

#[path = "support/mod.rs"]
mod support;

use std::io::Write;
use std::path::Path;

use rulec_collect::coverage::Status;
use rulec_collect::report::IssueKind;
use rulec_collect::snapshot::Event;
use serde_json::json;
use support::{asset, copy_of, coverage, issues, report_json, run, snapshot_json};

const VERBATIM: &str = "tests/raw/alibaba/1968132000123456";
const LINKED: &str = "../examples/raw/alibaba/5000000000000002";
const ACCOUNT: &str = "5000000000000009";

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
    for tree in [VERBATIM, LINKED] {
        let (first, second) = (run(Path::new(tree)), run(Path::new(tree)));
        assert_eq!(snapshot_json(&first), snapshot_json(&second));
        assert_eq!(report_json(&first), report_json(&second));
    }
}

#[test]
fn the_linked_estate_joins_across_calls() {
    let imported = run(Path::new(LINKED));
    let instance = asset(&imported, "Instance", "i-bp67acfmxazb4p0001");
    assert_eq!(instance.fields["role_id"], json!("901234567890****"), "ECSAdmin, through DescribeInstanceRamRole");
    assert_eq!(instance.fields["security_group_ids"], json!(["sg-bp1gxw6bznjjvhu30001"]));
    let group = asset(&imported, "SecurityGroup", "sg-bp1gxw6bznjjvhu30001");
    assert_eq!(
        group.fields["ingress"][0],
        json!({"priority": 1, "protocol": "tcp", "port_from": 22, "port_to": 22, "cidr": "0.0.0.0/0", "action": "accept"})
    );
    let key = asset(&imported, "AccessKey", "0wNEpMMlzy7s0001");
    assert_eq!(
        (&key.fields["owner_id"], &key.fields["last_used_at"]),
        (&json!("1227489245380001"), &json!("2020-10-16T01:37:37Z"))
    );
    let user = asset(&imported, "User", "1227489245380001");
    assert_eq!(user.fields["policy_ids"], json!(["Custom:OSS-Administrator", "System:ReadOnlyAccess"]));
    assert_eq!(user.resource_name.as_deref(), Some("acs:ram::5000000000000002:user/Alice"));
    let trail = asset(&imported, "AuditTrail", "test-4");
    assert_eq!(trail.fields["storage_bucket_id"], json!("oss-example"));
    assert_eq!(asset(&imported, "Bucket", "oss-example").fields["acl"], json!("public-read"));
    assert_eq!(asset(&imported, "Database", "rm-uf6wjk5000001").fields["allowlist"], json!(["0.0.0.0/0"]));
    let login = imported.snapshot.events.iter().find_map(|event| match event {
        Event::ConsoleLogin(login) => Some(login),
        _ => None,
    });
    assert_eq!(login.map(|login| (login.user_id.as_str(), login.mfa_used)), Some(("1227489245380001", false)));
}

#[test]
fn forbidden_ram_is_not_collected_and_a_denied_list_fails_its_type() {
    let imported = run(Path::new(LINKED));
    let denied = &imported.report.not_collected;
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!((denied[0].call.as_str(), denied[0].code.as_str()), ("ram.ListPoliciesForUser", "Forbidden.RAM"));

    let raw = tree(&[("global/ram.ListUsers.json", FORBIDDEN)]);
    let imported = run(raw.path());
    assert_eq!(imported.report.not_collected[0].code, "Forbidden.RAM");
    for kind in ["User", "AccessKey"] {
        let entry = coverage(&imported, None, kind);
        assert_eq!(entry.status, Status::Failed, "{kind}");
        assert!(entry.reasons[0].starts_with("ram.ListUsers: Forbidden.RAM"), "{:?}", entry.reasons);
    }
}

#[test]
fn not_configured_error_codes_are_data() {
    let raw = tree(&[
        (
            "global/ram.ListUsers.json",
            r#"{"Users": {"User": [{"UserId": "1227489245380009", "UserName": "carol"}]}, "IsTruncated": false}"#,
        ),
        ("global/ram.GetUser@UserName=carol.json", r#"{"User": {"UserName": "carol", "LastLoginDate": ""}}"#),
        ("global/ram.GetLoginProfile@UserName=carol.json", &ram_error("EntityNotExist.User.LoginProfile")),
        ("global/ram.GetUserMFAInfo@UserName=carol.json", &ram_error("EntityNotExist.User.MFADevice")),
        ("global/ram.ListGroupsForUser@UserName=carol.json", r#"{"Groups": {"Group": []}}"#),
        ("global/ram.ListPoliciesForUser@UserName=carol.json", r#"{"Policies": {"Policy": []}}"#),
        ("global/oss.ListBuckets.xml", LIST_BUCKETS),
        ("cn-hangzhou/oss.GetBucketAcl@Bucket=logs.xml", ACL_XML),
        ("cn-hangzhou/oss.GetBucketVersioning@Bucket=logs.xml", "<VersioningConfiguration/>"),
        ("cn-hangzhou/oss.GetBucketLogging@Bucket=logs.xml", "<BucketLoggingStatus/>"),
        ("cn-hangzhou/oss.GetBucketPolicy@Bucket=logs.xml", &oss_error("NoSuchBucketPolicy")),
        ("cn-hangzhou/oss.GetBucketEncryption@Bucket=logs.xml", &oss_error("NoSuchServerSideEncryptionRule")),
        ("cn-hangzhou/oss.GetBucketReplication@Bucket=logs.xml", &oss_error("NoSuchReplicationConfiguration")),
    ]);
    let imported = run(raw.path());
    assert!(imported.report.not_collected.is_empty(), "{:?}", imported.report.not_collected);
    let user = asset(&imported, "User", "1227489245380009");
    assert_eq!((&user.fields["console_login"], &user.fields["mfa_enabled"]), (&json!(false), &json!(false)));
    assert!(!user.fields.contains_key("last_login"), "an empty LastLoginDate is a user who never logged in");
    let bucket = asset(&imported, "Bucket", "logs");
    assert_eq!(bucket.fields["replication_regions"], json!([]));
    assert_eq!((&bucket.fields["versioning"], &bucket.fields["logging"]), (&json!(false), &json!(false)));
    assert!(!bucket.fields.contains_key("policy") && !bucket.fields.contains_key("encryption"));
    assert_eq!(coverage(&imported, Some("cn-hangzhou"), "Bucket").status, Status::Collected);
    assert_eq!(coverage(&imported, None, "User").status, Status::Collected);
}

#[test]
fn a_missing_per_resource_answer_leaves_the_asset_out_and_the_type_partial() {
    let raw = copy_of("alibaba", LINKED);
    let root = raw.path().join("alibaba/5000000000000002");
    std::fs::remove_file(root.join("global/ram.GetLoginProfile@UserName=Alice.json")).expect("remove");
    let imported = run(&root);
    assert!(!imported.snapshot.assets.iter().any(|asset| asset.kind == "User"));
    let user = coverage(&imported, None, "User");
    assert_eq!(user.status, Status::Partial);
    assert!(
        user.reasons.contains(&"ram.GetLoginProfile@UserName=Alice was not saved".to_owned()),
        "{:?}",
        user.reasons
    );
    let incomplete = issues(&imported, IssueKind::Incomplete);
    assert!(incomplete.contains(&"User left out: ram.GetLoginProfile@UserName=Alice was not saved"), "{incomplete:?}");
    // Her keys do not depend on her login profile.
    assert!(imported.snapshot.assets.iter().any(|asset| asset.id == "0wNEpMMlzy7s0001"));
}

#[test]
fn a_missing_optional_database_answer_keeps_the_database_and_leaves_its_field_out() {
    let linked = run(Path::new(LINKED));
    let database = asset(&linked, "Database", "rm-uf6wjk5000001");
    assert_eq!(database.fields["audit_retention_days"], json!(30));
    assert_eq!(database.fields["tde_customer_key"], json!(false), "TDEMode Aliyun_Generate_Key");
    assert_eq!(database.fields["parameters"], json!({"fill factor": "0"}), "the running value, not the pending 50");

    let raw = copy_of("alibaba", LINKED);
    let root = raw.path().join("alibaba/5000000000000002");
    for call in ["DescribeSQLCollectorRetention", "DescribeParameters"] {
        std::fs::remove_file(root.join(format!("cn-hangzhou/rds.{call}@DBInstanceId=rm-uf6wjk5000001.json")))
            .expect("remove");
    }
    let imported = run(&root);
    let database = asset(&imported, "Database", "rm-uf6wjk5000001");
    assert!(!database.fields.contains_key("audit_retention_days"), "not saved is not \"no retention\"");
    assert!(!database.fields.contains_key("parameters"));
    assert_eq!(database.fields["audit_enabled"], json!(true));
    let reasons = &coverage(&imported, Some("cn-hangzhou"), "Database").reasons;
    for why in [
        "rds.DescribeSQLCollectorRetention@DBInstanceId=rm-uf6wjk5000001 was not saved: audit_retention_days is left out",
        "rds.DescribeParameters@DBInstanceId=rm-uf6wjk5000001 was not saved: parameters is left out",
    ] {
        assert!(reasons.contains(&why.to_owned()), "{reasons:?}");
    }
}

#[test]
fn masked_values_are_reported_and_identify_nothing() {
    let imported = run(Path::new(VERBATIM));
    let masked = issues(&imported, IssueKind::Masked);
    for expected in [
        "the address `42.112.**.**` is masked: left out",
        "the address `172.17.**.**` is masked: left out",
        "the source address `192.168.XX.XX` is masked: the event is left out",
        "the resource id `i-2zeip56clb391fpf****` is masked: resource left unset",
    ] {
        assert!(masked.contains(&expected), "{expected} not in {masked:?}");
    }
    assert_eq!(asset(&imported, "Instance", "i-bp67acfmxazb4p****").fields["public_ips"], json!([]));
    assert!(!imported.snapshot.events.iter().any(|event| matches!(event, Event::ConsoleLogin(_))));

    let raw = tree(&[
        ("global/ram.ListUsers.json", r#"{"Users": {"User": []}, "IsTruncated": false}"#),
        (
            "global/sts.GetCallerIdentity.json",
            r#"{"AccountId": "5000000000000009", "UserId": "5000000000000009", "Arn": "acs:ram::5000000000000009:root", "IdentityType": "Account"}"#,
        ),
        (
            "global/ram.ListAccessKeys.json",
            r#"{"AccessKeys": {"AccessKey": [{"AccessKeyId": "LTAI****", "Status": "Active", "CreateDate": "2015-01-23T12:33:18Z"}]}}"#,
        ),
    ]);
    let imported = run(raw.path());
    assert!(issues(&imported, IssueKind::Masked).contains(&"the key id `LTAI****` is masked: the key is left out"));
    assert!(!imported.snapshot.assets.iter().any(|asset| asset.kind == "AccessKey"));
}

#[test]
fn the_roots_own_keys_are_the_roots_and_the_root_account_is_left_out_with_why() {
    let raw = tree(&[
        ("global/ram.ListUsers.json", r#"{"Users": {"User": []}, "IsTruncated": false}"#),
        (
            "global/sts.GetCallerIdentity.json",
            r#"{"AccountId": "5000000000000009", "UserId": "5000000000000009", "Arn": "acs:ram::5000000000000009:root", "IdentityType": "Account"}"#,
        ),
        (
            "global/ram.ListAccessKeys.json",
            r#"{"AccessKeys": {"AccessKey": [{"AccessKeyId": "LTAI5tRootKey0001", "Status": "Active", "CreateDate": "2015-01-23T12:33:18Z"}]}}"#,
        ),
        (
            "global/ram.GetAccessKeyLastUsed@UserAccessKeyId=LTAI5tRootKey0001.json",
            r#"{"AccessKeyLastUsed": {"LastUsedDate": "2020-10-16T01:37:37Z"}}"#,
        ),
        ("global/ims.GetAccountMFAInfo.json", r#"{"RequestId": "r", "IsMFAEnable": true}"#),
    ]);
    let imported = run(raw.path());
    let key = asset(&imported, "AccessKey", "LTAI5tRootKey0001");
    assert_eq!((&key.fields["owner_kind"], &key.fields["owner_id"]), (&json!("root"), &json!(ACCOUNT)));
    assert_eq!(key.fields["last_used_at"], json!("2020-10-16T01:37:37Z"));
    assert_eq!(coverage(&imported, None, "AccessKey").status, Status::Collected);
    assert!(!imported.snapshot.assets.iter().any(|asset| asset.kind == "Account"));
    assert_eq!(coverage(&imported, None, "Account").status, Status::Partial);
    assert!(
        issues(&imported, IssueKind::Incomplete)
            .iter()
            .any(|message| message.starts_with("Account left out (IsMFAEnable is true)"))
    );
}

#[test]
fn equal_priorities_put_drops_before_accepts() {
    let rules = json!({"SecurityGroupId": "sg-1", "Permissions": {"Permission": [
        {"Direction": "ingress", "Policy": "Accept", "Priority": "1", "IpProtocol": "TCP", "PortRange": "22/22", "SourceCidrIp": "0.0.0.0/0"},
        {"Direction": "ingress", "Policy": "Accept", "Priority": 2, "IpProtocol": "ALL", "PortRange": "-1/-1", "SourceGroupId": "sg-2"},
        {"Direction": "ingress", "Policy": "Drop", "Priority": 1, "IpProtocol": "TCP", "PortRange": "22/22", "SourceCidrIp": "0.0.0.0/0"},
        {"Direction": "egress", "Policy": "Accept", "Priority": 1, "IpProtocol": "ALL", "PortRange": "-1/-1", "DestPrefixListId": "pl-1"}]}});
    let raw = tree(&[
        (
            "cn-hangzhou/ecs.DescribeSecurityGroups.json",
            r#"{"SecurityGroups": {"SecurityGroup": [{"SecurityGroupId": "sg-1"}]}}"#,
        ),
        ("cn-hangzhou/ecs.DescribeSecurityGroupAttribute@SecurityGroupId=sg-1.json", &rules.to_string()),
    ]);
    let imported = run(raw.path());
    let group = asset(&imported, "SecurityGroup", "sg-1");
    let order: Vec<(i64, &str)> = group.fields["ingress"]
        .as_array()
        .expect("ingress")
        .iter()
        .map(|rule| (rule["priority"].as_i64().unwrap_or_default(), rule["action"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(order, [(1, "drop"), (1, "accept"), (2, "accept")]);
    assert_eq!(group.fields["ingress"][2]["source_group_id"], json!("sg-2"));
    assert_eq!(
        group.fields["egress"][0],
        json!({"priority": 1, "protocol": "all", "port_from": 0, "port_to": 65535, "action": "accept", "unresolved": "prefix list pl-1"})
    );
    assert_eq!(coverage(&imported, Some("cn-hangzhou"), "SecurityGroup").status, Status::Partial);

    // The prefix list's own answer resolves it.
    let prefix_list =
        r#"{"PrefixListId": "pl-1", "Entries": {"Entry": [{"Cidr": "10.1.0.0/16"}, {"Cidr": "10.2.0.0/16"}]}}"#;
    std::fs::write(
        raw.path()
            .join(format!("alibaba/{ACCOUNT}/cn-hangzhou/ecs.DescribePrefixListAttributes@PrefixListId=pl-1.json")),
        prefix_list,
    )
    .expect("write");
    let imported = run(raw.path());
    let egress = &asset(&imported, "SecurityGroup", "sg-1").fields["egress"];
    let cidrs: Vec<&serde_json::Value> = egress.as_array().expect("egress").iter().map(|rule| &rule["cidr"]).collect();
    assert_eq!(cidrs, [&json!("10.1.0.0/16"), &json!("10.2.0.0/16")]);
    assert_eq!(coverage(&imported, Some("cn-hangzhou"), "SecurityGroup").status, Status::Collected);
}

#[test]
fn ossutil_json_with_its_trailer_and_raw_xml_give_the_same_bucket() {
    let ossutil = "{\n  \"AccessControlList\": {\n    \"Grant\": \"public-read-write\"\n  },\n  \"Owner\": {\n    \"DisplayName\": \"1\",\n    \"ID\": \"1\"\n  }\n}\n\n0.409493(s) elapsed\n";
    let xml = ACL_XML.replace("private", "public-read-write");
    let bucket = |acl: (&str, &str)| {
        let raw = tree(&[
            ("global/oss.ListBuckets.xml", LIST_BUCKETS),
            acl,
            (
                "cn-hangzhou/oss.GetBucketVersioning@Bucket=logs.xml",
                "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
            ),
            (
                "cn-hangzhou/oss.GetBucketLogging@Bucket=logs.xml",
                "<BucketLoggingStatus><LoggingEnabled><TargetBucket>audit</TargetBucket></LoggingEnabled></BucketLoggingStatus>",
            ),
            (
                "cn-hangzhou/oss.GetBucketPolicy@Bucket=logs.json",
                r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:GetObject"], "Principal": ["*"], "Resource": ["acs:oss:*:5000000000000009:logs/*"]}]}"#,
            ),
            (
                "cn-hangzhou/oss.GetBucketEncryption@Bucket=logs.xml",
                "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>",
            ),
            (
                "cn-hangzhou/oss.GetBucketReplication@Bucket=logs.xml",
                "<ReplicationConfiguration><Rule><Destination><Bucket>copy</Bucket><Location>oss-ap-southeast-1</Location></Destination><Status>doing</Status></Rule></ReplicationConfiguration>",
            ),
        ]);
        asset(&run(raw.path()), "Bucket", "logs").clone()
    };
    let from_ossutil = bucket(("cn-hangzhou/oss.GetBucketAcl@Bucket=logs.json", ossutil));
    let from_xml = bucket(("cn-hangzhou/oss.GetBucketAcl@Bucket=logs.xml", &xml));
    assert_eq!(from_ossutil, from_xml);
    assert_eq!(from_xml.fields["acl"], json!("public-read-write"));
    assert_eq!(from_xml.fields["replication_regions"], json!(["ap-southeast-1"]));
    assert_eq!(from_xml.fields["policy"]["statement"][0]["principal"], json!(["*"]));
    assert_eq!(from_xml.resource_name.as_deref(), Some("acs:oss:*:5000000000000009:logs"));
}

#[test]
fn delivered_event_files_in_json_jsonl_and_gzip() {
    let call = |key: &str| {
        json!({"eventName": "DescribeInstances", "eventTime": "2026-11-19T02:00:00Z", "eventType": "ApiCall", "serviceName": "Ecs",
            "acsRegion": "cn-hangzhou", "sourceIpAddress": "198.51.100.4", "userAgent": "aliyun-cli/3.0", "errorCode": "",
            "userIdentity": {"type": "ram-user", "principalId": "1227489245380001", "accessKeyId": key}})
    };
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(json!([call("LTAI5tGzip0001")]).to_string().as_bytes()).expect("gzip");
    let gzip = gzip.finish().expect("gzip");
    let raw = tree(&[
        ("events/trail.json", &json!([call("LTAI5tJson0001")]).to_string()),
        ("events/trail.jsonl", &format!("{}\n{}\n", call("LTAI5tLine0001"), call("LTAI5tLine0002"))),
        (
            "events/sls.jsonl",
            &json!({"__topic__": "actiontrail_audit_event", "event": call("LTAI5tSls00001").to_string()}).to_string(),
        ),
    ]);
    std::fs::write(raw.path().join(format!("alibaba/{ACCOUNT}/events/trail.json.gz")), gzip).expect("write");
    let imported = run(raw.path());
    let mut keys: Vec<&str> = imported
        .snapshot
        .events
        .iter()
        .filter_map(|event| match event {
            Event::ApiCall(call) => Some(call.access_key_id.as_str()),
            _ => None,
        })
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["LTAI5tGzip0001", "LTAI5tJson0001", "LTAI5tLine0001", "LTAI5tLine0002", "LTAI5tSls00001"]);
    assert!(imported.report.issues.is_empty(), "{:?}", imported.report.issues);
}

#[test]
fn a_call_a_service_made_is_a_service_call() {
    let imported = run(Path::new(VERBATIM));
    let service = imported.snapshot.events.iter().find_map(|event| match event {
        Event::ServiceCall(call) => Some(call),
        _ => None,
    });
    let service = service.expect("the DeleteDisk the ECS service made");
    assert_eq!((service.invoked_by.as_str(), service.action.as_str()), ("ecs.aliyuncs.com", "DeleteDisk"));
    assert_eq!((service.access_key_id.as_deref(), service.region.as_deref()), (None, Some("cn-hangzhou")));
}

#[test]
fn listeners_carry_their_whitelists() {
    let raw = tree(&[
        (
            "cn-hangzhou/slb.DescribeLoadBalancers.json",
            r#"{"LoadBalancers": {"LoadBalancer": [{"LoadBalancerId": "lb-1", "AddressType": "internet"}]}, "TotalCount": 1}"#,
        ),
        (
            "cn-hangzhou/slb.DescribeLoadBalancerAttribute@LoadBalancerId=lb-1.json",
            r#"{"LoadBalancerId": "lb-1",
            "ListenerPortsAndProtocol": {"ListenerPortAndProtocol": [{"ListenerPort": 22, "ListenerProtocol": "tcp"}, {"ListenerPort": 443, "ListenerProtocol": "https"}]},
            "BackendServers": {"BackendServer": [{"ServerId": "i-1", "Type": "ecs"}, {"ServerId": "eni-1", "Type": "eni"}]}}"#,
        ),
        (
            "cn-hangzhou/slb.DescribeLoadBalancerListeners.json",
            r#"{"MaxResults": 50, "Listeners": [
            {"LoadBalancerId": "lb-1", "ListenerPort": 22, "ListenerProtocol": "tcp", "AclStatus": "on", "AclType": "white", "AclId": "acl-1"},
            {"LoadBalancerId": "lb-1", "ListenerPort": 443, "ListenerProtocol": "https", "AclStatus": "off"}]}"#,
        ),
        (
            "cn-hangzhou/slb.DescribeAccessControlListAttribute@AclId=acl-1.json",
            r#"{"AclId": "acl-1", "AclEntrys": {"AclEntry": [{"AclEntryIP": "198.51.100.0/24"}]}}"#,
        ),
    ]);
    let imported = run(raw.path());
    let balancer = asset(&imported, "LoadBalancer", "lb-1");
    assert_eq!(balancer.fields["internet_facing"], json!(true));
    assert_eq!(
        balancer.fields["listeners"],
        json!([{"protocol": "tcp", "port": 22, "allowlist": ["198.51.100.0/24"]}, {"protocol": "https", "port": 443}])
    );
    assert_eq!(balancer.fields["backend_instance_ids"], json!(["i-1"]));
}

#[test]
fn keys_databases_and_log_stores_from_their_detail_answers() {
    let raw = tree(&[
        (
            "cn-hangzhou/kms.ListKeys.json",
            r#"{"Keys": {"Key": [{"KeyId": "key-1"}]}, "TotalCount": 1, "PageNumber": 1}"#,
        ),
        (
            "cn-hangzhou/kms.DescribeKey@KeyId=key-1.json",
            r#"{"KeyMetadata": {"KeyId": "key-1", "KeyState": "PendingDeletion", "AutomaticRotation": "Suspended", "KeySpec": "Aliyun_SM4"}}"#,
        ),
        ("cn-hangzhou/sls.ListProject.json", r#"{"projects": [{"projectName": "audit"}], "count": 1, "total": 1}"#),
        (
            "cn-hangzhou/sls.ListLogStores@project=audit.json",
            r#"{"logstores": ["actiontrail_main"], "count": 1, "total": 1}"#,
        ),
        (
            "cn-hangzhou/sls.GetLogStore@project=audit@logstore=actiontrail_main.json",
            r#"{"logstoreName": "actiontrail_main", "ttl": 180, "encrypt_conf": {"enable": true, "encrypt_type": "default"}}"#,
        ),
        (
            "global/actiontrail.DescribeTrails.json",
            r#"{"TrailList": [{"Name": "main", "HomeRegion": "cn-hangzhou", "TrailRegion": "All", "EventRW": "Write", "Status": "Enable", "SlsProjectArn": "acs:log:cn-hangzhou:5000000000000009:project/audit"}]}"#,
        ),
        (
            "cn-hangzhou/rds.DescribeDBInstances.json",
            r#"{"Items": {"DBInstance": [{"DBInstanceId": "rm-1", "Engine": "PostgreSQL", "EngineVersion": "14.0", "DBInstanceNetType": "Internet", "Category": "HighAvailability"}]}, "TotalRecordCount": 1}"#,
        ),
        (
            "cn-hangzhou/rds.DescribeDBInstanceNetInfo@DBInstanceId=rm-1.json",
            r#"{"DBInstanceNetInfos": {"DBInstanceNetInfo": [{"IPType": "Private"}]}}"#,
        ),
        (
            "cn-hangzhou/rds.DescribeDBInstanceIPArrayList@DBInstanceId=rm-1.json",
            r#"{"Items": {"DBInstanceIPArray": [{"SecurityIPList": "127.0.0.1"}]}}"#,
        ),
        (
            "cn-hangzhou/rds.DescribeDBInstanceTDE@DBInstanceId=rm-1.json",
            r#"{"TDEStatus": "Disabled", "TDEMode": "Aliyun_Generate_Key"}"#,
        ),
        ("cn-hangzhou/rds.DescribeSQLCollectorRetention@DBInstanceId=rm-1.json", r#"{"ConfigValue": "30"}"#),
        (
            "cn-hangzhou/rds.DescribeParameters@DBInstanceId=rm-1.json",
            r#"{"Engine": "PostgreSQL", "RunningParameters": {"DBInstanceParameter": [{"ParameterName": "log_connections", "ParameterValue": "off"}, {"ParameterName": "log_duration", "ParameterValue": "on"}]}}"#,
        ),
        ("cn-hangzhou/rds.DescribeDBInstanceSSL@DBInstanceId=rm-1.json", r#"{"SSLEnabled": "on"}"#),
        ("cn-hangzhou/rds.DescribeSQLCollectorPolicy@DBInstanceId=rm-1.json", r#"{"SQLCollectorStatus": "Disabled"}"#),
        (
            "cn-hangzhou/rds.DescribeBackupPolicy@DBInstanceId=rm-1.json",
            r#"{"BackupRetentionPeriod": 30, "PreferredBackupPeriod": "Monday"}"#,
        ),
    ]);
    let imported = run(raw.path());
    let key = asset(&imported, "KmsKey", "key-1");
    assert_eq!((&key.fields["state"], &key.fields["rotation_enabled"]), (&json!("pending_deletion"), &json!(false)));
    let store = asset(&imported, "LogStore", "audit/actiontrail_main");
    assert_eq!((&store.fields["retention_days"], &store.fields["encrypted"]), (&json!(180), &json!(true)));
    let trail = asset(&imported, "AuditTrail", "main");
    assert_eq!((&trail.fields["retention_days"], &trail.fields["read_write"]), (&json!(180), &json!("write")));
    let database = asset(&imported, "Database", "rm-1");
    assert_eq!(database.fields["public_endpoint"], json!(false), "the network answer wins over DBInstanceNetType");
    assert_eq!((&database.fields["engine"], &database.fields["ha"]), (&json!("postgresql"), &json!(true)));
    assert_eq!((&database.fields["ssl_enabled"], &database.fields["tde_enabled"]), (&json!(true), &json!(false)));
    assert_eq!(database.fields["allowlist"], json!(["127.0.0.1/32"]));
    // TDE off: whose key is moot; SQL audit off: its retention is moot.
    assert!(!database.fields.contains_key("tde_customer_key"));
    assert!(!database.fields.contains_key("audit_retention_days"));
    assert_eq!(database.fields["parameters"], json!({"log_connections": "off", "log_duration": "on"}));
    assert!(imported.report.issues.is_empty(), "{:?}", imported.report.issues);
}

#[test]
fn waf_3_covers_the_ports_added_per_load_balancer_of_its_site() {
    let resources = r#"{"TotalCount": 2, "CloudResources": [
        {"ResourceProduct": "clb7", "ResourceInstanceId": "lb-1", "ResourceRegionId": "cn-hangzhou"},
        {"ResourceProduct": "alb", "ResourceInstanceId": "alb-1", "ResourceRegionId": "cn-hangzhou"}]}"#;
    let ports = (
        "global/waf-openapi.DescribeResourcePort@InstanceId=waf_v3-1@ResourceInstanceId=lb-1.json",
        r#"{"RequestId": "r", "ResourcePorts": ["80"]}"#,
    );
    let estate = |waf: &[(&str, &str)]| {
        let mut files = balancers();
        files.extend_from_slice(waf);
        run(tree(&files).path())
    };
    let ports_of = |imported: &rulec_collect::Imported, id: &str| {
        asset(imported, "LoadBalancer", id).fields.get("waf_ports").cloned()
    };
    let instance = (
        "global/waf-openapi.DescribeInstance.json",
        r#"{"InstanceId": "waf_v3-1", "RegionId": "cn-hangzhou", "Status": 1}"#,
    );
    let listed = ("global/waf-openapi.DescribeCloudResources@InstanceId=waf_v3-1.json", resources);

    // Port 80 of lb-1 added, 443 not; lb-2 not added at all; lb-3 in Hong Kong belongs to the
    // site abroad, which was not imported: unknown.
    let imported = estate(&[instance, listed, ports]);
    assert_eq!(ports_of(&imported, "lb-1"), Some(json!([80])));
    assert_eq!(ports_of(&imported, "lb-2"), Some(json!([])));
    assert_eq!(ports_of(&imported, "lb-3"), None);
    assert!(imported.report.issues.is_empty(), "{:?}", imported.report.issues);

    // No WAF 3.0 instance, or a released one: no port of the site is inspected.
    for answer in [r#"{"RequestId": "r"}"#, r#"{"InstanceId": "waf_v3-1", "RegionId": "cn-hangzhou", "Status": 3}"#] {
        let imported = estate(&[("global/waf-openapi.DescribeInstance.json", answer)]);
        assert_eq!((ports_of(&imported, "lb-1"), ports_of(&imported, "lb-3")), (Some(json!([])), None));
    }

    // The resource list not saved, or not whole: nothing is known.
    let short = r#"{"TotalCount": 3, "CloudResources": [{"ResourceProduct": "clb7", "ResourceInstanceId": "lb-1"}]}"#;
    for waf in [
        vec![instance],
        vec![instance, ("global/waf-openapi.DescribeCloudResources@InstanceId=waf_v3-1.json", short), ports],
    ] {
        let imported = estate(&waf);
        assert_eq!((ports_of(&imported, "lb-1"), ports_of(&imported, "lb-2")), (None, None));
        assert_eq!(coverage(&imported, None, "LoadBalancer").status, Status::Partial);
    }

    // A load balancer's ports not saved: that one is unknown, the others are known.
    let imported = estate(&[instance, listed]);
    assert_eq!((ports_of(&imported, "lb-1"), ports_of(&imported, "lb-2")), (None, Some(json!([]))));

    // A masked load balancer id could be any of them; a bad status is an error with its path.
    let masked = r#"{"TotalCount": 1, "CloudResources": [{"ResourceProduct": "clb7", "ResourceInstanceId": "lb-uf60ub45fr9b***"}]}"#;
    let imported = estate(&[instance, ("global/waf-openapi.DescribeCloudResources@InstanceId=waf_v3-1.json", masked)]);
    assert_eq!(ports_of(&imported, "lb-2"), None);
    assert_eq!(issues(&imported, IssueKind::Masked).len(), 1);
    let odd = ("global/waf-openapi.DescribeInstance.json", r#"{"InstanceId": "waf_v3-1", "Status": 7}"#);
    let imported = estate(&[odd]);
    assert_eq!(ports_of(&imported, "lb-1"), None);
    let errors = issues(&imported, IssueKind::NotNormalized);
    assert!(errors.iter().any(|error| error.contains("or 3 (released), found the number 7")), "{errors:?}");
}

/// Three internet-facing classic load balancers with web listeners: `lb-1` (HTTP 80, HTTPS
/// 443) and `lb-2` (HTTPS 443) in Hangzhou, `lb-3` (HTTP 80) in Hong Kong.
fn balancers() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "cn-hangzhou/slb.DescribeLoadBalancers.json",
            r#"{"LoadBalancers": {"LoadBalancer": [{"LoadBalancerId": "lb-1", "AddressType": "internet"}, {"LoadBalancerId": "lb-2", "AddressType": "internet"}]}, "TotalCount": 2}"#,
        ),
        (
            "cn-hangzhou/slb.DescribeLoadBalancerAttribute@LoadBalancerId=lb-1.json",
            r#"{"ListenerPortsAndProtocol": {"ListenerPortAndProtocol": [{"ListenerPort": 80, "ListenerProtocol": "http"}, {"ListenerPort": 443, "ListenerProtocol": "https"}]}}"#,
        ),
        (
            "cn-hangzhou/slb.DescribeLoadBalancerAttribute@LoadBalancerId=lb-2.json",
            r#"{"ListenerPortsAndProtocol": {"ListenerPortAndProtocol": [{"ListenerPort": 443, "ListenerProtocol": "https"}]}}"#,
        ),
        (
            "cn-hangzhou/slb.DescribeLoadBalancerListeners.json",
            r#"{"Listeners": [{"LoadBalancerId": "lb-1", "ListenerPort": 80, "AclStatus": "off"}, {"LoadBalancerId": "lb-1", "ListenerPort": 443, "AclStatus": "off"}, {"LoadBalancerId": "lb-2", "ListenerPort": 443, "AclStatus": "off"}]}"#,
        ),
        (
            "cn-hongkong/slb.DescribeLoadBalancers.json",
            r#"{"LoadBalancers": {"LoadBalancer": [{"LoadBalancerId": "lb-3", "AddressType": "internet"}]}, "TotalCount": 1}"#,
        ),
        (
            "cn-hongkong/slb.DescribeLoadBalancerAttribute@LoadBalancerId=lb-3.json",
            r#"{"ListenerPortsAndProtocol": {"ListenerPortAndProtocol": [{"ListenerPort": 80, "ListenerProtocol": "http"}]}}"#,
        ),
        (
            "cn-hongkong/slb.DescribeLoadBalancerListeners.json",
            r#"{"Listeners": [{"LoadBalancerId": "lb-3", "ListenerPort": 80, "AclStatus": "off"}]}"#,
        ),
    ]
}

const FORBIDDEN: &str = r#"{"RequestId": "7463B73D-35CC-4D19-A010-6B8D65D242EF", "HostId": "ram.aliyuncs.com", "Code": "Forbidden.RAM", "Message": "User not authorized to operate on the specified resource, or this API doesn't support RAM."}"#;

const LIST_BUCKETS: &str = "<ListAllMyBucketsResult><Buckets><Bucket><Name>logs</Name><Location>oss-cn-hangzhou</Location></Bucket></Buckets></ListAllMyBucketsResult>";

const ACL_XML: &str = "<?xml version=\"1.0\" ?>\n<AccessControlPolicy><Owner><ID>1</ID><DisplayName>1</DisplayName></Owner><AccessControlList><Grant>private</Grant></AccessControlList></AccessControlPolicy>";

fn ram_error(code: &str) -> String {
    json!({"RequestId": "r", "HostId": "ram.aliyuncs.com", "Code": code, "Message": "The specified entity does not exist."}).to_string()
}

fn oss_error(code: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>not configured</Message><RequestId>r</RequestId></Error>"
    )
}

/// A RAW tree under `alibaba/<ACCOUNT>/`: `(path, content)` pairs.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let files: Vec<(String, &str)> =
        files.iter().map(|(path, content)| (format!("alibaba/{ACCOUNT}/{path}"), *content)).collect();
    support::tree(&files)
}
