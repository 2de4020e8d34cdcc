//! A generator of a realistic rule pack, for the `compile` benchmark and the incremental
//! tests at scale. Not part of the compiler's API.
//!
//! The pack `bench` has [`FILES`] files of [`RULES_PER_FILE`] rules over the stdlib schema
//! (security groups, buckets, databases, access keys, hosts, instances, KMS keys), plus a
//! helper file of constants and functions. The rules use lets, lambdas over lists, `?.` and
//! `??`, string enums, duration arithmetic on `now()`, `net.sg_allows`, controls of the
//! built-in frameworks, messages with holes and evidence. Every rule type-checks without a
//! warning.

use std::fmt::Write as _;

use crate::packs::{Manifest, Origin, Pack, RuleFile, STD_PACK};

/// Rule files in the generated pack.
pub const FILES: usize = 20;
/// Rules in each rule file.
pub const RULES_PER_FILE: usize = 50;
/// The helper file: constants and functions the rules use.
pub const HELPERS_PATH: &str = "bench/helpers.rule";

/// Path of the `n`th rule file.
pub fn rule_file_path(n: usize) -> String {
    format!("bench/rules_{n:02}.rule")
}

/// The standard library plus the generated pack.
pub fn packs() -> Vec<Pack> {
    let mut packs: Vec<Pack> = crate::packs::builtin().into_iter().filter(|p| p.manifest.name == STD_PACK).collect();
    packs.push(pack());
    packs
}

/// The generated pack.
pub fn pack() -> Pack {
    let mut files = vec![RuleFile { path: HELPERS_PATH.to_owned(), text: helpers() }];
    for n in 0..FILES {
        files.push(RuleFile { path: rule_file_path(n), text: rule_file(n) });
    }
    Pack {
        manifest: Manifest {
            name: "bench".to_owned(),
            version: "0.0.0".to_owned(),
            description: Some("generated benchmark pack".to_owned()),
            requires: Vec::new(),
        },
        origin: Origin::Builtin,
        files,
    }
}

/// A one-line edit inside one rule body: `text` with the marker line of rule `rule` set to
/// `variant` (each variant type-checks). Alternating variants makes every edit a real one.
pub fn edit_rule_body(text: &str, rule: usize, variant: u32) -> String {
    let marker = format!("  let limit_{rule:02} = ");
    let mut out = String::with_capacity(text.len() + 8);
    let mut found = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with(&marker) {
            found = true;
            let _ = writeln!(out, "{marker}{}", 1000 + variant);
        } else {
            out.push_str(line);
        }
    }
    assert!(found, "rule {rule} has a `limit` line");
    out
}

/// A signature edit of the helper file: `variant` 1 adds a constant at its end, 0 is the
/// original. Every item of the workspace depends on the environment this changes.
pub fn edit_signature(variant: u32) -> String {
    let mut text = helpers();
    if variant % 2 == 1 {
        text.push_str("\n/// Added by the signature-edit benchmark.\nconst bench_extra: int = 1\n");
    }
    text
}

const MLPS: &[&str] = &[
    "8.1.3.2-a",
    "8.1.3.2-c",
    "8.1.4.4-b",
    "8.1.4.4-c",
    "8.1.4.1-a",
    "8.1.4.2-c",
    "8.1.4.3-a",
    "8.1.4.8-b",
    "8.1.4.9-a",
    "8.2.3.1-a",
];
const CIS_ALIBABA: &[&str] = &["1.6", "2.2", "3.2", "4.3", "4.4", "5.1", "5.3", "6.1", "6.2", "6.3", "6.5"];
const CIS_LINUX: &[&str] = &["5.2.4", "5.2.7", "5.2.10", "5.3.2", "5.4.1.1", "6.2.1", "6.2.5"];
const SEVERITIES: &[&str] = &["info", "low", "medium", "high", "critical"];
const PROVIDERS: &[&str] = &["tencent", "alibaba"];

fn helpers() -> String {
    r#"// Shared constants and helpers of the generated benchmark pack.

package bench

use std.net

/// Ports that should never face the internet.
const exposed_ports: [int] = [22, 3389, 1433, 3306, 5432, 6379, 9200, 27017]

/// Engines whose backups are checked.
const backed_up_engines: [string] = ["mysql", "postgresql", "sqlserver"]

/// The protocols a port can be opened over.
type TransportProtocol = "tcp" | "udp"

/// Whether `sg` accepts `protocol` to `port` from the world.
fn world_open(sg: SecurityGroup, protocol: TransportProtocol, port: int) -> bool =
  net.sg_allows(sg, "ingress", net.world, protocol, port)

/// Whether a rule's peer is a world range.
fn is_world_rule(r: SgRule) -> bool = (r.cidr?.prefix_len() ?? 1) == 0

/// The environment tag of an asset, `prod` when untagged.
fn env_of(tags: {string: string}) -> string = tags["env"] ?? "prod"
"#
    .to_owned()
}

fn rule_file(n: usize) -> String {
    let mut text = format!("// Generated benchmark rules, file {n}.\n\npackage bench\n\nuse std.net\n\n");
    for r in 0..RULES_PER_FILE {
        let id = n * RULES_PER_FILE + r;
        text.push_str(&rule(id, r));
        text.push('\n');
    }
    text
}

fn controls(id: usize) -> String {
    let mlps = MLPS[id % MLPS.len()];
    let cis = CIS_ALIBABA[id % CIS_ALIBABA.len()];
    let linux = CIS_LINUX[id % CIS_LINUX.len()];
    match id % 3 {
        0 => format!("mlps2.l3.\"{mlps}\", cis.alibaba.\"{cis}\""),
        1 => format!("mlps2.l3.\"{mlps}\""),
        _ => format!("mlps2.l3.\"{mlps}\", cis.linux.\"{linux}\", cis.alibaba.\"{cis}\""),
    }
}

/// Rule `id`, the `r`th of its file. Each has one `let limit_RR = N` line, the target of
/// [`edit_rule_body`].
fn rule(id: usize, r: usize) -> String {
    let severity = SEVERITIES[id % SEVERITIES.len()];
    let provider = PROVIDERS[id % PROVIDERS.len()];
    let controls = controls(id);
    let limit = format!("  let limit_{r:02} = {}\n", 100 + id % 900);
    let port = 1024 + id % 60000;
    let (kind, title, body) = match id % 10 {
        0 => (
            "SG_PORTS",
            format!("Security group opens port {port} or an exposed port to the internet"),
            format!(
                "  for sg: SecurityGroup where sg.provider == \"{provider}\"\n\
                 {limit}\
                 \x20 let ports = exposed_ports.filter(p => world_open(sg, \"tcp\", p))\n\
                 \x20 let extra = [{port}, limit_{r:02}].filter(p => world_open(sg, \"tcp\", p) or world_open(sg, \"udp\", p))\n\
                 \x20 when not ports.is_empty() or not extra.is_empty()\n\
                 \x20 message  \"{{sg.id}} accepts TCP {{ports}} from any internet address\"\n\
                 \x20 evidence {{ ports: ports, extra: extra, env: env_of(sg.tags) }}\n"
            ),
        ),
        1 => (
            "SG_WORLD_RULES",
            format!("Security group has too many world rules around port {port}"),
            format!(
                "  for sg: SecurityGroup\n\
                 {limit}\
                 \x20 let open = sg.ingress.filter(r => r.action == \"accept\" and is_world_rule(r) and r.port_from <= {port} and r.port_to >= {port})\n\
                 \x20 let udp = net.sg_allows(sg, \"ingress\", net.world, \"udp\", {port})\n\
                 \x20 when open.len() > limit_{r:02} % 3 or udp\n\
                 \x20 message  \"{{sg.id}} has {{open.len()}} world rules covering port {port} (udp: {{udp}})\"\n\
                 \x20 evidence {{ rules: open }}\n"
            ),
        ),
        2 => (
            "BUCKET_PUBLIC",
            "Bucket is public without encryption or logging".to_owned(),
            format!(
                "  for b: Bucket where b.acl != \"private\" and b.provider == \"{provider}\"\n\
                 {limit}\
                 \x20 let algorithm = b.encryption ?? \"none\"\n\
                 \x20 let statements = b.policy?.statement ?? []\n\
                 \x20 let open = statements.filter(s => s.effect == \"allow\" and s.principal != none)\n\
                 \x20 when algorithm == \"none\" or not b.logging or open.len() > limit_{r:02}\n\
                 \x20 message  \"{{b.id}} is {{b.acl}} with encryption {{algorithm}} and logging {{b.logging}}\"\n\
                 \x20 evidence {{ acl: b.acl, statements: open.len(), regions: b.replication_regions }}\n"
            ),
        ),
        3 => (
            "DB_EXPOSED",
            "Database is exposed or insufficiently backed up".to_owned(),
            format!(
                "  for db: Database where db.engine in backed_up_engines\n\
                 {limit}\
                 \x20 let retention = db.backup_retention_days ?? 0\n\
                 \x20 let world = db.allowlist.filter(c => net.is_world(c))\n\
                 \x20 when (db.public_endpoint and not db.ssl_enabled) or not world.is_empty() or retention * 10 < limit_{r:02}\n\
                 \x20 message  \"{{db.id}} ({{db.engine}} {{db.version ?? db.engine}}) keeps backups {{retention}} days\"\n\
                 \x20 evidence {{ world: world, retention: retention, ha: db.ha }}\n"
            ),
        ),
        4 => (
            "KEY_OLD",
            "Access key is old or idle".to_owned(),
            format!(
                "  for key: AccessKey where key.status == \"active\" and key.kind == \"permanent\"\n\
                 {limit}\
                 \x20 let age = now() - key.created_at\n\
                 \x20 let idle = now() - (key.last_used_at ?? key.created_at)\n\
                 \x20 when age > {days}d or idle > 90d + 12h or age.days() > limit_{r:02}\n\
                 \x20 message  \"{{key.id}} ({{key.owner_kind}}) is {{age.days()}} days old and idle for {{idle.days()}} days\"\n\
                 \x20 evidence {{ age_days: age.days(), idle_days: idle.days(), owner: key.owner_kind }}\n",
                days = 30 + id % 400
            ),
        ),
        5 => (
            "HOST_ACCOUNTS",
            "Host has weak accounts or a lax password policy".to_owned(),
            format!(
                "  for h: Host where h.os.lower().contains(\"linux\") or h.os.starts_with(\"ubuntu\")\n\
                 {limit}\
                 \x20 let weak = h.accounts.filter(a => a.empty_password or a.weak_password or (a.uid == 0 and a.name != \"root\"))\n\
                 \x20 let max_days = h.password_policy.max_days ?? 99999\n\
                 \x20 when not weak.is_empty() or max_days > limit_{r:02} or h.ssh.permit_root_login == \"yes\"\n\
                 \x20 message  \"{{h.id}}: {{weak.len()}} weak accounts, PASS_MAX_DAYS {{max_days}}\"\n\
                 \x20 evidence {{ accounts: weak.map(a => a.name), root_login: h.ssh.permit_root_login }}\n"
            ),
        ),
        6 => (
            "HOST_PATCHES",
            "Host misses patches or runs risky services".to_owned(),
            format!(
                "  for h: Host\n\
                 {limit}\
                 \x20 let missing = h.packages.filter(p => p.fixed_version != none).map(p => p.name)\n\
                 \x20 let risky = h.services.filter(s => s in [\"telnet\", \"rsh\", \"ftp\"] or s like \"x11*\")\n\
                 \x20 let tries = h.ssh.max_auth_tries ?? 6\n\
                 \x20 when missing.len() * 100 > limit_{r:02} or not risky.is_empty() or tries > 4 or not h.auditd_enabled\n\
                 \x20 message  \"{{h.id}} misses {{missing.len()}} patches and runs {{risky}}\"\n\
                 \x20 evidence {{ missing: missing.distinct().sort(), risky: risky, tries: tries }}\n"
            ),
        ),
        7 => (
            "INSTANCE_EXPOSED",
            "Running instance is reachable from the internet".to_owned(),
            format!(
                "  for inst: Instance where inst.state == \"RUNNING\"\n\
                 {limit}\
                 \x20 let public = inst.public_ips.filter(ip => not net.is_private(ip))\n\
                 \x20 let session = inst.role_id?.deref()?.max_session_seconds ?? 0\n\
                 \x20 let groups = inst.security_group_ids.len()\n\
                 \x20 when not public.is_empty() and (net.reachable_from_internet(inst) or session > limit_{r:02} * 100 or groups > 5)\n\
                 \x20 message  \"{{inst.id}} has public ips {{public}} and sessions of {{session}} seconds\"\n\
                 \x20 evidence {{ public_ips: public, groups: groups, os: inst.os ?? \"unknown\" }}\n"
            ),
        ),
        8 => (
            "KMS_ROTATION",
            "KMS key does not rotate".to_owned(),
            format!(
                "  for k: KmsKey where k.state == \"enabled\"\n\
                 {limit}\
                 \x20 let symmetric = k.spec in [\"AES_256\", \"SM4\"]\n\
                 \x20 let name = k.name ?? k.id\n\
                 \x20 when symmetric and not k.rotation_enabled and name.len() < limit_{r:02}\n\
                 \x20 message  \"{{name}} ({{k.spec}}) does not rotate\"\n\
                 \x20 evidence {{ spec: k.spec, region: k.region ?? \"global\" }}\n"
            ),
        ),
        _ => (
            "SG_ALL_OPEN",
            "Security group opens every port or an SSH range to the world".to_owned(),
            format!(
                "  for sg: SecurityGroup where env_of(sg.tags) == \"prod\"\n\
                 {limit}\
                 \x20 let wide = sg.ingress.filter(r => is_world_rule(r) and r.port_to - r.port_from > limit_{r:02})\n\
                 \x20 let ssh = wide.any(r => r.port_from <= 22 and r.port_to >= 22 and r.protocol != \"udp\")\n\
                 \x20 when net.is_world_open_all(sg) or ssh\n\
                 \x20 message  \"{{sg.id}} has {{wide.len()}} wide world rules (ssh: {{ssh}})\"\n\
                 \x20 evidence {{ rules: wide, ports: net.exposed_ports(sg).len() }}\n"
            ),
        ),
    };
    format!(
        "/// Generated rule {id}.\n\
         rule BENCH_{kind}_{id:04} {{\n\
         \x20 title    \"{title}\"\n\
         \x20 severity {severity}\n\
         \x20 controls [{controls}]\n\
         \x20 fix      \"Fix generated finding {id}.\"\n\
         \n\
         {body}\
         }}\n"
    )
}
