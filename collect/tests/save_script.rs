//! scripts/save-raw.sh saves exactly the calls the importer reads: its call table is the
//! importer's (`rulec_collect::calls::all()`), line for line, and
//! `UPDATE_SCRIPT=1 cargo test -p rulec-collect --test save_script` rewrites it. The script's
//! logic — regions, pages, per-resource calls, error answers, events — is run offline against
//! fake `tccli`, `aliyun`, `ossutil` and `curl` executables, and what it saves is imported.

use std::path::{Path, PathBuf};
use std::process::Command;

use rulec_collect::calls::{self, Call, Located, Paging, Scope};
use rulec_collect::live;

const BEGIN: &str = "\tcat <<'END_CALLS_TABLE'\n";
const END: &str = "END_CALLS_TABLE\n";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/save-raw.sh")
}

// ------------------------------------------------------------------------------ the call table

/// The script's line for one call: `provider scope service action paging items source each
/// params region bare` (see the script's header).
fn line(call: &Call) -> String {
    let scope = match call.scope {
        Scope::Global => "global",
        Scope::Regional => "regional",
    };
    let paging = match call.paging {
        Paging::None => "none".to_owned(),
        Paging::Offset { offset, limit, max } => format!("offset:{offset}:{limit}:{max}"),
        Paging::PageNumber { number, size, max } => format!("page:{number}:{size}:{max}"),
        Paging::Token { request, response } => format!("token:{request}:{response}"),
    };
    let items = if call.paging == Paging::None { "-".to_owned() } else { call.page_list().join(".") };
    let per = per(call).join(" ");
    let fixed = fixed(call);
    format!("{} {scope} {} {} {paging} {items} {per} {fixed}", call.provider.as_str(), call.service, call.action)
}

/// The `fixed` column: `Name=value&...` of the parameters the collector always sends, or `-`.
fn fixed(call: &Call) -> String {
    let params = live::fixed_params(call.provider, call.service, call.action);
    for (name, value) in params {
        assert!(
            !value.contains(char::is_whitespace) && !value.contains('&') && !name.contains('='),
            "{}: the fixed parameter {name}={value} cannot be written in the table",
            call.name()
        );
    }
    if params.is_empty() {
        return "-".to_owned();
    }
    params.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
}

/// `source each params region bare` of a per-resource call, from the table's `per`.
fn per(call: &Call) -> [String; 5] {
    let none = || "-".to_owned();
    let Some(per) = &call.per else { return [none(), none(), none(), none(), none()] };
    let name = call.name();
    let fed_by = calls::all().position(|c| c.provider == call.provider && c.name() == per.from);
    let fed_by =
        fed_by.unwrap_or_else(|| panic!("{name}: per-resource values from `{}`, not a call of the table", per.from));
    let here = calls::all().position(|c| std::ptr::eq(c, call)).unwrap_or_default();
    assert!(fed_by < here, "{name}: `{}` comes later in the table, so its answers are not saved yet", per.from);
    let fed_by = calls::all().nth(fed_by).expect("the source call");
    // An answer about one thing (`waf-openapi.DescribeInstance`) is its own item: `.`.
    let each = if per.list.is_empty() { ".".to_owned() } else { format!("{}[]", per.list.join(".")) };
    let field = if per.fields.is_empty() { ".".to_owned() } else { per.fields.join("|") };
    let mut params: Vec<String> = per.inherit.iter().map(|name| format!("{name}=@{name}")).collect();
    params.push(format!("{}={field}", per.param));
    params.extend(per.with.iter().map(|(arg, field)| format!("+{arg}={field}")));
    let region = match per.located {
        Located::WithList => None,
        Located::ItemField { field, .. } => Some(field.to_owned()),
    };
    let across = call.scope == Scope::Regional && fed_by.scope == Scope::Global;
    assert_eq!(across, region.is_some(), "{name}: a regional call fed by a global list is located by an item field");
    assert!(
        call.scope == Scope::Regional || fed_by.scope == Scope::Global,
        "{name}: a global call fed by a regional list"
    );
    let bare = match (per.batch, per.bare) {
        (0, true) => "bare".to_owned(),
        (0, false) => "-".to_owned(),
        (size, _) => format!("batch:{size}"),
    };
    [per.from.to_owned(), each, params.join(","), region.unwrap_or_else(none), bare]
}

fn expected_table() -> String {
    calls::all().map(|call| format!("{}\n", line(call))).collect()
}

#[test]
fn the_script_saves_exactly_the_calls_of_the_table() {
    let text = std::fs::read_to_string(script()).expect("scripts/save-raw.sh");
    let (head, rest) = text.split_once(BEGIN).expect("the script's table starts with `cat <<'END_CALLS_TABLE'`");
    let (committed, tail) = rest.split_once(END).expect("the script's table ends with END_CALLS_TABLE");
    let expected = expected_table();
    if committed == expected {
        return;
    }
    if std::env::var_os("UPDATE_SCRIPT").is_some() {
        std::fs::write(script(), format!("{head}{BEGIN}{expected}{END}{tail}")).expect("write the script");
        return;
    }
    panic!(
        "scripts/save-raw.sh's call table differs from rulec_collect::calls::all(): run \
         `UPDATE_SCRIPT=1 cargo test -p rulec-collect --test save_script`\n--- script\n{committed}--- table\n{expected}"
    );
}

#[test]
fn the_script_passes_shellcheck() {
    let Ok(out) = Command::new("shellcheck").arg(script()).output() else {
        return skipped("shellcheck is not installed");
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[expect(clippy::print_stderr, reason = "a test that cannot run says why")]
fn skipped(why: &str) {
    eprintln!("skipped: {why}");
}

// ------------------------------------------------------------------------------ offline runs

/// Fake `tccli`: an account, two regions, 103 instances (two pages of 100), two security
/// groups per region, two users, a refused `cam.ListPolicies`, two pages of events. Every
/// other call answers an empty list.
const TCCLI: &str = r#"#!/bin/sh
echo "tccli $*" >> "$FAKE_LOG"
call="$1.$2"; shift 2
offset=0; region=; token=; target=
while [ $# -gt 0 ]; do
  case "$1" in
    --Offset) offset=$2; shift ;;
    --region) region=$2; shift ;;
    --NextToken) token=$2; shift ;;
    --TargetUin) target=$2; shift ;;
  esac
  shift
done
case "$call" in
  sts.GetCallerIdentity) echo '{"AccountId": "100000000009", "Arn": "qcs::cam::uin/100000000009:uin/100000000009", "Type": "RootAccount", "RequestId": "r"}' ;;
  cvm.DescribeRegions) echo '{"TotalCount": 2, "RegionSet": [{"Region": "ap-guangzhou", "RegionState": "AVAILABLE"}, {"Region": "ap-beijing", "RegionState": "AVAILABLE"}, {"Region": "ap-closed", "RegionState": "UNAVAILABLE"}], "RequestId": "r"}' ;;
  cvm.DescribeInstances)
    n=100; [ "$offset" = 0 ] || n=3
    jq -n --argjson n "$n" --arg r "$region" --argjson o "$offset" '{Response: {TotalCount: 103, InstanceSet: [range($n) | {InstanceId: "ins-\($r)-\(. + $o)"}], RequestId: "r"}}' ;;
  vpc.DescribeSecurityGroups) echo "{\"Response\": {\"TotalCount\": 2, \"SecurityGroupSet\": [{\"SecurityGroupId\": \"sg-$region-1\"}, {\"SecurityGroupId\": \"sg-$region-2\"}], \"RequestId\": \"r\"}}" ;;
  cam.ListUsers) echo '{"Data": [{"Uin": 100000000011, "Name": "alice"}, {"Uin": 100000000012, "Name": "bob"}], "RequestId": "r"}' ;;
  cam.ListAccessKeys) jq -n --arg u "${target:-own}" '{AccessKeys: [range(6) | {AccessKeyId: "AKID\($u)k\(.)", Status: "Active"}], RequestId: "r"}' ;;
  cam.ListPolicies) echo "[TencentCloudSDKException] code:AuthFailure.UnauthorizedOperation message:you are not authorized to perform operation (cam:ListPolicies) requestId:r-1" >&2; exit 1 ;;
  cloudaudit.LookUpEvents)
    if [ -z "$token" ]; then echo '{"Response": {"Events": [], "ListOver": false, "NextToken": "page2", "RequestId": "r"}}'
    else echo '{"Response": {"Events": [], "ListOver": true, "RequestId": "r"}}'; fi ;;
  *) echo '{"Response": {"TotalCount": 0, "RequestId": "r"}}' ;;
esac
"#;

/// Fake `curl` for COS: two buckets, one in a region not saved; any bucket answer is XML but
/// the policy, which is JSON.
const CURL: &str = r#"#!/bin/sh
for url; do :; done
echo "curl $url" >> "$FAKE_LOG"
case "$url" in
  https://service.cos.myqcloud.com/*) cat <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult><Owner><ID>qcs::cam::uin/100000000009:uin/100000000009</ID></Owner>
<Buckets><Bucket><Name>logs-1250000009</Name><Location>ap-beijing</Location></Bucket>
<Bucket><Name>elsewhere-1250000009</Name><Location>ap-shanghai</Location></Bucket></Buckets></ListAllMyBucketsResult>
XML
  ;;
  *'?policy') echo '{"Statement": [], "version": "2.0"}' ;;
  *) echo '<AccessControlPolicy><AccessControlList></AccessControlList></AccessControlPolicy>' ;;
esac
"#;

/// Fake `aliyun`: an account, a user with keys, a policy with a default version, a security
/// group whose rules name prefix lists, NAT gateways whose DNAT tables are nested in each
/// gateway, a log project with a store, ActionTrail events in two pages. Every other call
/// answers nothing in particular.
const ALIYUN: &str = r#"#!/bin/sh
echo "aliyun $*" >> "$FAKE_LOG"
call="$1.$2"; shift 2
path=${1:-}
token=
while [ $# -gt 0 ]; do
  case "$1" in --NextToken) token=$2; shift ;; esac
  shift
done
case "$call" in
  sts.GetCallerIdentity) echo '{"AccountId": "1968132000123456", "PrincipalId": "1968132000123456", "RequestId": "r"}' ;;
  ram.ListUsers) echo '{"Users": {"User": [{"UserName": "alice"}]}, "IsTruncated": false, "RequestId": "r"}' ;;
  ram.ListAccessKeys) echo '{"AccessKeys": {"AccessKey": [{"AccessKeyId": "LTAI5tFakeFakeFake01", "Status": "Active"}]}, "RequestId": "r"}' ;;
  ram.ListPolicies) echo '{"Policies": {"Policy": [{"PolicyName": "ops", "PolicyType": "Custom", "DefaultVersion": "v3"}]}, "IsTruncated": false, "RequestId": "r"}' ;;
  ecs.DescribeSecurityGroups) echo '{"SecurityGroups": {"SecurityGroup": [{"SecurityGroupId": "sg-1"}]}, "NextToken": "", "RequestId": "r"}' ;;
  ecs.DescribeSecurityGroupAttribute) echo '{"Permissions": {"Permission": [{"SourcePrefixListId": "pl-a", "DestPrefixListId": ""}, {"DestPrefixListId": "pl-b"}]}, "RequestId": "r"}' ;;
  cs.GET)
    case "$path" in
      /api/v1/clusters) echo '{"clusters": [{"cluster_id": "c1", "name": "k8s"}], "page_info": {"page_number": 1, "page_size": 100, "total_count": 1}}' ;;
      /clusters/c1) echo '{"cluster_id": "c1", "master_url": "{\"api_server_endpoint\":\"\"}", "meta_data": ""}' ;;
      *) echo '{"code": "ErrorClusterNotFound", "message": "no such cluster", "requestId": "r"}' ;;
    esac ;;
  elasticsearch.GET)
    case "$path" in
      /openapi/instances) echo '{"Result": [{"instanceId": "es-cn-1", "description": "logs"}], "Headers": {"X-Total-Count": 1}, "RequestId": "r"}' ;;
      /openapi/instances/es-cn-1) echo '{"Result": {"instanceId": "es-cn-1", "enablePublic": false}, "RequestId": "r"}' ;;
      *) echo '{"Code": "InstanceNotFound", "Message": "The instanceId provided does not exist.", "RequestId": "r"}' ;;
    esac ;;
  vpc.DescribeNatGateways) echo '{"NatGateways": {"NatGateway": [{"NatGatewayId": "ngw-1", "ForwardTableIds": {"ForwardTableId": ["ftb-1", "ftb-2"]}}, {"NatGatewayId": "ngw-2", "ForwardTableIds": {"ForwardTableId": []}}]}, "TotalCount": 2, "RequestId": "r"}' ;;
  sls.ListProject) echo '{"projects": [{"projectName": "audit"}], "count": 1, "total": 1}' ;;
  sls.ListLogStores) echo '{"logstores": ["trail"], "count": 1, "total": 1}' ;;
  actiontrail.LookupEvents)
    if [ -z "$token" ]; then echo '{"Events": [], "NextToken": "page2", "RequestId": "r"}'
    else echo '{"Events": [], "NextToken": "", "RequestId": "r"}'; fi ;;
  *) echo '{"RequestId": "r"}' ;;
esac
"#;

/// Fake `ossutil` 2.0: two buckets as JSON with its elapsed-time line, one in a region not saved.
const OSSUTIL: &str = r#"#!/bin/sh
echo "ossutil $*" >> "$FAKE_LOG"
case "$2" in
  list-buckets) echo '{"Buckets": {"Bucket": [{"Name": "lt-logs", "Location": "oss-cn-hangzhou"}, {"Name": "far", "Location": "oss-us-west-1"}]}}' ;;
  *) echo '{"AccessControlList": {"Grant": "private"}}' ;;
esac
echo
echo "0.409493(s) elapsed"
"#;

struct Run {
    out: PathBuf,
    log: String,
    _dir: tempfile::TempDir,
}

/// Runs the script with the fakes first on PATH.
fn run(provider: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    for (name, text) in [("tccli", TCCLI), ("curl", CURL), ("aliyun", ALIYUN), ("ossutil", OSSUTIL)] {
        write_executable(&bin.join(name), text);
    }
    let out = dir.path().join("raw");
    let log = dir.path().join("calls.log");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let status = Command::new("bash")
        .arg(script())
        .arg(provider)
        .args(args)
        .arg(&out)
        .env("PATH", path)
        .env("FAKE_LOG", &log)
        .env("TENCENTCLOUD_SECRET_ID", "AKIDFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE")
        .env("TENCENTCLOUD_SECRET_KEY", "fake")
        .env_remove("TENCENTCLOUD_SESSION_TOKEN")
        .output()
        .expect("run bash");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    Run { out, log, _dir: dir }
}

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write a fake");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn has_jq() -> bool {
    Command::new("jq").arg("--version").output().is_ok_and(|out| out.status.success())
}

#[test]
fn tencent_every_region_page_and_resource_is_saved_in_the_layout() {
    if !has_jq() {
        return skipped("jq is not installed");
    }
    let run = run("tencent", &["--since", "2h"]);
    let account = run.out.join("tencent/100000000009");
    let exists = |path: &str| account.join(path).is_file();
    assert!(exists("global/sts.GetCallerIdentity.json"));
    for region in ["ap-guangzhou", "ap-beijing"] {
        // Two pages of instances, the second asked for at offset 100, and no third.
        assert!(exists(&format!("{region}/cvm.DescribeInstances.json")));
        assert!(exists(&format!("{region}/cvm.DescribeInstances.2.json")));
        assert!(!exists(&format!("{region}/cvm.DescribeInstances.3.json")));
        assert!(run.log.contains(&format!(
            "tccli cvm DescribeInstances --cli-unfold-argument --region {region} --Offset 100 --Limit 100"
        )));
        // The parameters the collector always sends, a JSON one unfolded for tccli.
        for expected in [
            format!(
                "tccli cwp DescribeMachines --cli-unfold-argument --region {region} --MachineType CVM --MachineRegion {region}"
            ),
            format!(
                "tccli cvm DescribeImages --cli-unfold-argument --region {region} --Filters.0.Name image-type --Filters.0.Values PRIVATE_IMAGE"
            ),
        ] {
            assert!(run.log.contains(&expected), "{expected}\n{}", run.log);
        }
        for group in 1..=2 {
            let file = format!("{region}/vpc.DescribeSecurityGroupPolicies@SecurityGroupId=sg-{region}-{group}.json");
            assert!(exists(&file), "{file}");
        }
    }
    assert!(!account.join("ap-closed").exists(), "an unavailable region is not saved");
    for user in ["alice", "bob"] {
        assert!(exists(&format!("global/cam.GetUser@Name={user}.json")));
    }
    assert!(exists("global/cam.ListAccessKeys@TargetUin=100000000011.json"));
    assert!(exists("global/cam.ListAccessKeys.json"), "the caller's own keys: the call without TargetUin");
    // 18 keys, 10 per request: two pages of one file.
    assert!(exists("global/cam.GetSecurityLastUsed.json") && exists("global/cam.GetSecurityLastUsed.2.json"));
    assert!(!exists("global/cam.GetSecurityLastUsed.3.json"));
    assert!(run.log.contains(r#"--SecretIdList ["AKID100000000011k0","AKID100000000011k1","#), "{}", run.log);
    let refused = std::fs::read_to_string(account.join("global/cam.ListPolicies.json")).expect("the refused answer");
    let refused: serde_json::Value = serde_json::from_str(&refused).expect("json");
    assert_eq!(refused["Response"]["Error"]["Code"], "AuthFailure.UnauthorizedOperation");
    assert!(!exists("global/cam.GetPolicy.json"), "no policy was listed");
    // Buckets go to their region's folder; a bucket of a region not saved is left alone.
    assert!(exists("global/cos.GetService.xml"));
    assert!(exists("ap-beijing/cos.GetBucketAcl@Bucket=logs-1250000009.xml"));
    assert!(exists("ap-beijing/cos.GetBucketPolicy@Bucket=logs-1250000009.json"));
    assert!(!run.log.contains("elsewhere-1250000009.cos"), "{}", run.log);
    // Events in two pages, the second asked for with the first's token.
    assert!(exists("events/cloudaudit.LookUpEvents.json") && exists("events/cloudaudit.LookUpEvents.2.json"));
    assert!(run.log.contains("--NextToken page2"));
    every_list_call_is_saved(&account, "tencent", &["ap-guangzhou", "ap-beijing"]);
    the_importer_places_every_file(&run.out);
}

#[test]
fn alibaba_items_give_every_parameter_and_buckets_go_to_their_region() {
    if !has_jq() {
        return skipped("jq is not installed");
    }
    let run = run("alibaba", &["--regions", "cn-hangzhou", "--since", "90m"]);
    let account = run.out.join("alibaba/1968132000123456");
    let exists = |path: &str| account.join(path).is_file();
    assert!(exists("global/sts.GetCallerIdentity.json"));
    assert!(!run.log.contains("DescribeRegions"), "--regions is used as given");
    assert!(
        run.log.contains("aliyun ecs DescribeSecurityGroups --region cn-hangzhou --RegionId cn-hangzhou"),
        "{}",
        run.log
    );
    // Keys: the caller's own, each user's, and each key's last use, from either listing.
    assert!(exists("global/ram.ListAccessKeys.json") && exists("global/ram.ListAccessKeys@UserName=alice.json"));
    assert!(exists("global/ram.GetAccessKeyLastUsed@UserAccessKeyId=LTAI5tFakeFakeFake01.json"));
    // A second argument from the same item, not named in the file.
    assert!(exists("global/ram.GetPolicyVersion@PolicyName=ops.json"));
    assert!(run.log.contains("aliyun ram GetPolicyVersion --PolicyName ops --VersionId v3"), "{}", run.log);
    // Values from either of two fields, from per-resource answers.
    assert!(exists("cn-hangzhou/ecs.DescribeSecurityGroupAttribute@SecurityGroupId=sg-1.json"));
    assert!(exists("cn-hangzhou/ecs.DescribePrefixListAttributes@PrefixListId=pl-a.json"));
    assert!(exists("cn-hangzhou/ecs.DescribePrefixListAttributes@PrefixListId=pl-b.json"));
    // ACK's ROA calls: a path, the region as a query flag, the cluster id in the path.
    assert!(
        run.log.contains("aliyun cs GET /api/v1/clusters --region cn-hangzhou --region_id cn-hangzhou --page_number 1 --page_size 100"),
        "{}",
        run.log
    );
    assert!(run.log.contains("aliyun cs GET /clusters/c1 --region cn-hangzhou"), "{}", run.log);
    // The parameters the collector always sends: the account's own images only; CloudSSO in
    // its default region.
    assert!(
        run.log
            .contains("aliyun ecs DescribeImages --region cn-hangzhou --RegionId cn-hangzhou --ImageOwnerAlias self"),
        "{}",
        run.log
    );
    assert!(run.log.contains("aliyun cloudsso ListDirectories --region cn-shanghai"), "{}", run.log);
    assert!(exists("cn-hangzhou/cs.DescribeClustersV1.json"));
    assert!(exists("cn-hangzhou/cs.DescribeClusterDetail@ClusterId=c1.json"));
    // Elasticsearch's ROA calls: a path, the region as a flag, the instance id in the path.
    assert!(
        run.log.contains("aliyun elasticsearch GET /openapi/instances --region cn-hangzhou --page 1 --size 100"),
        "{}",
        run.log
    );
    assert!(
        run.log.contains("aliyun elasticsearch GET /openapi/instances/es-cn-1 --region cn-hangzhou"),
        "{}",
        run.log
    );
    assert!(exists("cn-hangzhou/elasticsearch.ListInstance.json"));
    assert!(exists("cn-hangzhou/elasticsearch.DescribeInstance@InstanceId=es-cn-1.json"));
    // A parameter taken from the source answer's own file name.
    // A DNAT table id sits in a list inside each gateway: one call per table of every gateway.
    assert!(exists("cn-hangzhou/vpc.DescribeForwardTableEntries@ForwardTableId=ftb-1.json"));
    assert!(exists("cn-hangzhou/vpc.DescribeForwardTableEntries@ForwardTableId=ftb-2.json"));
    assert!(exists("cn-hangzhou/sls.ListLogStores@project=audit.json"));
    assert!(exists("cn-hangzhou/sls.GetLogStore@project=audit@logstore=trail.json"));
    // Buckets listed by ossutil go to their region's folder; a region not saved is left alone.
    assert!(exists("global/oss.ListBuckets.json"));
    assert!(exists("cn-hangzhou/oss.GetBucketAcl@Bucket=lt-logs.json"));
    assert!(run.log.contains("ossutil api get-bucket-acl --bucket lt-logs --output-format json --region cn-hangzhou"));
    assert!(!run.log.contains("--bucket far"));
    // Events per region, every page.
    assert!(
        exists("events/cn-hangzhou/actiontrail.LookupEvents.json")
            && exists("events/cn-hangzhou/actiontrail.LookupEvents.2.json")
    );
    every_list_call_is_saved(&account, "alibaba", &["cn-hangzhou"]);
    the_importer_places_every_file(&run.out);
}

/// Every call of the table that is not made per resource has an answer in each folder it
/// belongs to.
fn every_list_call_is_saved(account: &Path, provider: &str, regions: &[&str]) {
    for call in calls::all().filter(|c| c.provider.as_str() == provider && c.per.is_none()) {
        let folders: Vec<&str> = match call.scope {
            Scope::Global => vec!["global"],
            Scope::Regional => regions.to_vec(),
        };
        for folder in folders {
            let saved =
                ["json", "xml"].iter().any(|ext| account.join(folder).join(format!("{}.{ext}", call.name())).is_file());
            assert!(saved, "{provider} {} not saved in {folder}", call.name());
        }
    }
}

/// What the script writes sits in the layout: no file is skipped as misplaced or unknown.
fn the_importer_places_every_file(raw: &Path) {
    let imported = rulec_collect::import(&[raw.to_owned()], &rulec_collect::Options::default()).expect("imports");
    let misplaced: Vec<_> = imported
        .report
        .skipped
        .iter()
        .filter(|s| s.reason.contains("not a call rulec imports") || s.reason.contains("RAW layout"))
        .collect();
    assert!(misplaced.is_empty(), "{misplaced:#?}");
}
