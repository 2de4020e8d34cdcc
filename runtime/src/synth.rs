//! Realistic synthetic snapshots for benchmarks and determinism tests.
//!
//! Deterministic for a seed; streams one asset or event at a time to any writer, so a
//! snapshot of millions of assets never exists in memory. About 3% of assets are risky in
//! one way or another (open admin ports, public buckets, stale keys, weak hosts, …) and
//! each asset brings about ten API-call events.

use std::io::{self, Write};

use serde_json::{Value, json};

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub assets: usize,
    pub events_per_asset: usize,
    pub seed: u64,
}

impl Spec {
    pub fn new(assets: usize) -> Self {
        Spec { assets, events_per_asset: 10, seed: 0x5eed }
    }
}

const KINDS: &[&str] = &[
    "SecurityGroup",
    "Instance",
    "Bucket",
    "Database",
    "AccessKey",
    "User",
    "Role",
    "Policy",
    "KmsKey",
    "Host",
    "LogStore",
    "AuditTrail",
    "Group",
    "Network",
];

const TAKEN_AT: i64 = 1_795_161_600; // 2026-11-20T08:00:00Z

/// Writes a complete snapshot document (JSON) for `spec`.
pub fn write(spec: Spec, out: &mut impl Write) -> io::Result<()> {
    let mut g = Gen { rng: fastrand::Rng::with_seed(spec.seed), spec };
    writeln!(out, "{{\"format\":\"rulec.snapshot/v1\",\"taken_at\":\"{}\",\"assets\":[", time(TAKEN_AT))?;
    let accounts = [("tencent", "100012345678"), ("alibaba", "5123456789012345")];
    let mut first = true;
    for (provider, account) in accounts {
        let asset = json!({
            "type": "Account", "id": account, "provider": provider, "account": account,
            "mfa_enabled": true, "login_protection": true, "operation_protection": true,
            "last_login": time(TAKEN_AT - 3_600),
        });
        emit(out, &asset, &mut first)?;
    }
    for i in 0..spec.assets {
        let asset = g.asset(i);
        emit(out, &asset, &mut first)?;
    }
    writeln!(out, "],\"events\":[")?;
    let mut first = true;
    for i in 0..spec.assets * spec.events_per_asset {
        let event = g.event(i);
        emit(out, &event, &mut first)?;
    }
    writeln!(out, "]}}")
}

fn emit(out: &mut impl Write, value: &Value, first: &mut bool) -> io::Result<()> {
    if !*first {
        out.write_all(b",\n")?;
    }
    *first = false;
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)
}

fn time(unix: i64) -> String {
    crate::value::format_time(unix * crate::value::MICROS_PER_SECOND)
}

struct Gen {
    rng: fastrand::Rng,
    spec: Spec,
}

impl Gen {
    fn risky(&mut self) -> bool {
        self.rng.u32(0..100) < 3
    }

    fn provider(i: usize) -> (&'static str, &'static str, &'static str) {
        if i.is_multiple_of(2) {
            ("tencent", "100012345678", "ap-guangzhou")
        } else {
            ("alibaba", "5123456789012345", "cn-hangzhou")
        }
    }

    fn id(kind: &str, n: usize) -> String {
        format!("{}-{n:08}", kind.to_lowercase())
    }

    /// The `i`-th asset: kinds rotate so every type is present in proportion.
    fn asset(&mut self, i: usize) -> Value {
        let kind = KINDS[i % KINDS.len()];
        let n = i / KINDS.len();
        let (provider, account, region) = Self::provider(n);
        let id = Self::id(kind, n);
        let mut base = json!({
            "type": kind, "id": id, "provider": provider, "account": account, "region": region,
            "name": format!("{kind} {n}"), "tags": { "env": if n.is_multiple_of(3) { "prod" } else { "test" } },
        });
        let risky = self.risky();
        let extra = match kind {
            "SecurityGroup" => {
                let open = if risky { "0.0.0.0/0" } else { "10.0.0.0/8" };
                json!({
                    "ingress": [
                        { "priority": 1, "protocol": "tcp", "port_from": 22, "port_to": 22, "cidr": open, "action": "accept" },
                        { "priority": 2, "protocol": "tcp", "port_from": 443, "port_to": 443, "cidr": "0.0.0.0/0", "action": "accept" },
                        { "priority": 3, "protocol": "tcp", "port_from": 3306, "port_to": 3306, "cidr": "10.1.0.0/16", "action": "accept" },
                        { "priority": 100, "protocol": "all", "port_from": 0, "port_to": 65535, "cidr": "0.0.0.0/0", "action": "drop" },
                    ],
                    "egress": [{ "priority": 1, "protocol": "all", "port_from": 0, "port_to": 65535, "cidr": "0.0.0.0/0", "action": "accept" }],
                })
            }
            "Instance" => json!({
                "state": "running",
                "public_ips": if risky || n.is_multiple_of(10) { json!([format!("43.{}.{}.{}", n % 200 + 1, n / 200 % 250, n % 250 + 1)]) } else { json!([]) },
                "private_ips": [format!("10.{}.{}.{}", n / 65_000 % 250, n / 250 % 250, n % 250 + 1)],
                "security_group_ids": [Self::id("SecurityGroup", n)],
                "role_id": Self::id("Role", n),
                "image": "img-ubuntu-22.04", "os": "ubuntu",
            }),
            "Bucket" => {
                let name = format!("data-{n}");
                json!({
                    "acl": if risky { "public-read" } else { "private" },
                    "versioning": true,
                    "encryption": if risky { Value::Null } else { json!("AES256") },
                    "logging": true,
                    "replication_regions": [],
                    "resource_name": if provider == "tencent" { format!("qcs::cos:{region}:uid/1250000000:{name}-1250000000") } else { format!("acs:oss:*:{account}:{name}") },
                })
            }
            "Database" => json!({
                "engine": "mysql", "version": "8.0", "public_endpoint": risky,
                "allowlist": if risky { json!(["0.0.0.0/0"]) } else { json!(["10.0.0.0/8"]) },
                "backup_enabled": !risky, "backup_retention_days": 7, "tde_enabled": true,
                "audit_enabled": true, "ssl_enabled": true, "ha": true,
            }),
            "AccessKey" => json!({
                "owner_id": Self::id("User", n), "owner_kind": "user", "kind": "permanent",
                "status": "active",
                "created_at": time(TAKEN_AT - if risky { 200 } else { 30 } * 86_400),
                "last_used_at": time(TAKEN_AT - 3_600),
            }),
            "User" => json!({
                "kind": "sub_user", "console_login": true, "mfa_enabled": !risky,
                "last_login": time(TAKEN_AT - 86_400),
                "policy_ids": [Self::id("Policy", n)], "group_ids": [Self::id("Group", n)],
            }),
            "Role" => json!({
                "trust": { "version": "2.0", "statement": [{ "effect": "allow", "action": "sts:AssumeRole", "principal": { "service": "cvm.qcloud.com" } }] },
                "policy_ids": [Self::id("Policy", n)],
            }),
            "Policy" => json!({
                "kind": "custom",
                "document": { "version": "2.0", "statement": [
                    { "effect": "allow", "action": if risky { json!("*") } else { json!(["cos:GetObject", "cvm:Describe*"]) }, "resource": "*" },
                ] },
            }),
            "KmsKey" => json!({ "state": "enabled", "rotation_enabled": !risky, "spec": "AES_256" }),
            "Host" => json!({
                "instance_id": Self::id("Instance", n), "os": "ubuntu 22.04", "kernel": "5.15.0",
                "ssh": { "permit_root_login": if risky { "yes" } else { "no" }, "password_authentication": risky, "port": 22, "max_auth_tries": 4 },
                "password_policy": { "max_days": 90, "min_days": 1, "min_length": 12, "min_classes": 3, "remember": 5, "lockout_attempts": 5 },
                "accounts": [
                    { "name": "root", "uid": 0, "shell": "/bin/bash", "empty_password": false, "weak_password": false },
                    { "name": "app", "uid": 1000, "shell": "/bin/bash", "empty_password": false, "weak_password": risky },
                ],
                "packages": [{ "name": "openssl", "version": "3.0.2", "fixed_version": if risky { json!("3.0.13") } else { Value::Null } }],
                "services": ["sshd", "auditd"], "auditd_enabled": true, "firewall_enabled": true, "time_sync": true,
                "file_modes": { "/etc/passwd": 420, "/etc/shadow": 384 },
            }),
            "LogStore" => json!({ "retention_days": if risky { 30 } else { 365 }, "encrypted": true }),
            "AuditTrail" => json!({
                "enabled": true, "all_regions": true, "read_write": "all",
                "storage_bucket_id": Self::id("Bucket", n), "retention_days": if risky { 90 } else { 365 },
            }),
            "Group" => json!({ "policy_ids": [Self::id("Policy", n)] }),
            _ => json!({ "cidrs": [format!("10.{}.0.0/16", n % 250)], "kind": "vpc" }),
        };
        if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
            b.extend(e);
        }
        base
    }

    /// The `i`-th event: API calls spread over the day before `taken_at`, keyed to the
    /// generated access keys.
    fn event(&mut self, i: usize) -> Value {
        let keys = (self.spec.assets / KINDS.len()).max(1);
        let key = Self::id("AccessKey", self.rng.usize(0..keys));
        let when =
            TAKEN_AT - 86_400 + (i as i64 * 86_400) / (self.spec.assets * self.spec.events_per_asset).max(1) as i64;
        const ACTIONS: &[(&str, &str)] = &[
            ("cvm", "DescribeInstances"),
            ("cos", "GetObject"),
            ("cos", "PutObject"),
            ("vpc", "DescribeSecurityGroups"),
            ("cam", "ListUsers"),
            ("cdb", "DescribeDBInstances"),
            ("kms", "Decrypt"),
            ("cam", "CreateAccessKey"),
        ];
        let (service, action) = ACTIONS[self.rng.usize(0..ACTIONS.len())];
        let external = self.rng.u32(0..100) < 5;
        let source_ip = if external {
            format!("45.77.{}.{}", self.rng.u8(1..250), self.rng.u8(1..250))
        } else {
            format!("10.{}.{}.{}", self.rng.u8(0..250), self.rng.u8(0..250), self.rng.u8(1..250))
        };
        let agent = if self.rng.u32(0..1000) == 0 { "CloudExplorer/2.1" } else { "tencentcloud-sdk-go/3.0" };
        json!({
            "type": "ApiCall", "time": time(when), "access_key_id": key, "source_ip": source_ip,
            "user_agent": agent, "service": service, "action": action, "region": "ap-guangzhou", "success": true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_valid_json() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write(Spec::new(100), &mut a).unwrap();
        write(Spec::new(100), &mut b).unwrap();
        assert_eq!(a, b);
        let doc: Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(doc["assets"].as_array().unwrap().len(), 102);
        assert_eq!(doc["events"].as_array().unwrap().len(), 1000);
    }
}
