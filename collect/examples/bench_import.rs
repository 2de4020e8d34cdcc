//! Benchmark of `rulec import` on a generated RAW tree: wall time, throughput and peak memory.
//!
//! ```sh
//! cargo build --release --bin rulec
//! cargo run --release -p rulec-collect --example bench_import -- 100000 1000000
//! ```
//!
//! The tree (`target/bench-raw/<assets>-<events>/`) holds one Tencent Cloud account: 60 % of
//! the assets are instances (`cvm.DescribeInstances`, pages of 100), 40 % security groups
//! (`vpc.DescribeSecurityGroups` pages plus one `DescribeSecurityGroupPolicies` answer each),
//! and the events are CloudAudit records as delivered to COS, in JSONL files of 10 000 lines.
//! Peak memory comes from `/usr/bin/time -f %M` on the real binary.
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "a benchmark reports on the terminal")]

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::json;

const ACCOUNT: &str = "100000000009";
const REGION: &str = "ap-guangzhou";
const PAGE: usize = 100;
const EVENTS_PER_FILE: usize = 10_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let binary = std::env::var_os("RULEC_BIN").map_or_else(|| root.join("target/release/rulec"), PathBuf::from);
    if !binary.exists() {
        return Err(format!("{} not found: run `cargo build --release --bin rulec` first", binary.display()).into());
    }
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let (assets, events) = (args.first().copied().unwrap_or(100_000), args.get(1).copied().unwrap_or(1_000_000));
    let dir = root.join(format!("target/bench-raw/{assets}-{events}"));
    if !dir.exists() {
        eprintln!("generating {}", dir.display());
        generate(&dir, assets, events)?;
    }
    let bytes = tree_bytes(&dir)?;
    let out = root.join("target/bench-raw/imported.json");
    let started = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(&binary)
        .args(["import", "--taken-at", "2026-11-20T08:00:00Z", "-o"])
        .arg(&out)
        .arg(&dir)
        .stderr(std::process::Stdio::piped())
        .output()?;
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&status.stderr);
    if !status.status.success() {
        return Err(format!("rulec import failed:\n{stderr}").into());
    }
    let rss_kb: f64 = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0.0);
    println!("{:>9} {:>9} {:>9} {:>8} {:>8} {:>8}", "assets", "events", "RAW MB", "wall s", "MB/s", "RSS MB");
    println!(
        "{:>9} {:>9} {:>9.1} {:>8.2} {:>8.1} {:>8.0}",
        assets,
        events,
        bytes / 1e6,
        wall,
        bytes / 1e6 / wall,
        rss_kb / 1024.0
    );
    Ok(())
}

fn tree_bytes(dir: &Path) -> std::io::Result<f64> {
    let mut total = 0.0;
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry?;
        if entry.file_type().is_file() {
            total += entry.metadata()?.len() as f64;
        }
    }
    Ok(total)
}

fn generate(dir: &Path, assets: usize, events: usize) -> Result<(), Box<dyn std::error::Error>> {
    let region = dir.join("tencent").join(ACCOUNT).join(REGION);
    std::fs::create_dir_all(&region)?;
    let instances = assets * 6 / 10;
    let groups = assets - instances;
    for (page, start) in (0..instances).step_by(PAGE).enumerate() {
        let set: Vec<_> = (start..(start + PAGE).min(instances)).map(instance).collect();
        let answer = json!({"Response": {"TotalCount": instances, "InstanceSet": set, "RequestId": "bench"}});
        std::fs::write(region.join(page_name("cvm.DescribeInstances", page)), answer.to_string())?;
    }
    for (page, start) in (0..groups).step_by(PAGE).enumerate() {
        let set: Vec<_> = (start..(start + PAGE).min(groups))
            .map(|g| json!({"SecurityGroupId": format!("sg-{g:08}"), "SecurityGroupName": format!("group-{g}"), "IsDefault": false}))
            .collect();
        let answer = json!({"Response": {"TotalCount": groups, "SecurityGroupSet": set, "RequestId": "bench"}});
        std::fs::write(region.join(page_name("vpc.DescribeSecurityGroups", page)), answer.to_string())?;
    }
    for g in 0..groups {
        let rule = |index: usize, port: &str, cidr: &str, action: &str| json!({"PolicyIndex": index, "Protocol": "TCP", "Port": port, "CidrBlock": cidr, "Action": action, "PolicyDescription": ""});
        let answer = json!({"Response": {"SecurityGroupPolicySet": {
            "Version": "1",
            "Ingress": [rule(0, "22", "10.0.0.0/8", "ACCEPT"), rule(1, "80,443", "0.0.0.0/0", "ACCEPT"), rule(2, "ALL", "0.0.0.0/0", "DROP")],
            "Egress": [rule(0, "ALL", "0.0.0.0/0", "ACCEPT")]
        }, "RequestId": "bench"}});
        let name = format!("vpc.DescribeSecurityGroupPolicies@SecurityGroupId=sg-{g:08}.json");
        std::fs::write(region.join(name), answer.to_string())?;
    }
    let events_dir = dir.join("tencent").join(ACCOUNT).join("events");
    std::fs::create_dir_all(&events_dir)?;
    for (file, start) in (0..events).step_by(EVENTS_PER_FILE).enumerate() {
        let mut out = BufWriter::new(std::fs::File::create(events_dir.join(format!("cloudaudit-{file:05}.jsonl")))?);
        for e in start..(start + EVENTS_PER_FILE).min(events) {
            writeln!(out, "{}", event(e))?;
        }
        out.flush()?;
    }
    Ok(())
}

/// `call.json`, then `call.2.json`, ...
fn page_name(call: &str, page: usize) -> String {
    if page == 0 { format!("{call}.json") } else { format!("{call}.{}.json", page + 1) }
}

fn instance(i: usize) -> serde_json::Value {
    json!({
        "InstanceId": format!("ins-{i:08}"),
        "InstanceName": format!("web-{i}"),
        "InstanceState": "RUNNING",
        "PrivateIpAddresses": [format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)],
        "PublicIpAddresses": if i.is_multiple_of(3) { json!([format!("203.0.{}.{}", (i >> 8) & 255, i & 255)]) } else { json!([]) },
        "SecurityGroupIds": [format!("sg-{:08}", i % 1000)],
        "ImageId": "img-8toqc6s3",
        "OsName": "TencentOS Server 3.1",
        "Tags": [{"Key": "env", "Value": "prod"}],
        "Placement": {"Zone": "ap-guangzhou-3"},
        "CreatedTime": "2026-01-01T00:00:00Z"
    })
}

/// A CloudAudit record as delivered to COS (lowercase fields, Beijing-time `eventTime`).
fn event(e: usize) -> serde_json::Value {
    let seconds = e % 86_400;
    json!({
        "userIdentity": {"principalId": "100000000021", "accountId": ACCOUNT, "secretId": format!("AKIDBENCH{:026}", e % 500), "type": "user", "userName": "bench", "sessionContext": ""},
        "eventRegion": REGION,
        "eventVersion": 2,
        "errorCode": if e.is_multiple_of(50) { 4102 } else { 0 },
        "errorMessage": "",
        "requestID": format!("req-{e}"),
        "eventID": format!("evt-{e}"),
        "apiVersion": "3.0",
        "eventType": "ApiCall",
        "actionType": "Read",
        "userAgent": "python-requests/2.31.0",
        "eventTime": format!("2026-11-20 {:02}:{:02}:{:02}", seconds / 3600, (seconds / 60) % 60, seconds % 60),
        "sourceIPAddress": format!("198.51.100.{}", e % 250),
        "resourceType": "cvm",
        "eventName": "DescribeInstances",
        "eventSource": "cvm.ap-guangzhou.api.tencentyun.com",
        "requestParameters": "{}",
        "resources": "[\"*\"]"
    })
}
