//! `rulec.yaml`: parsing the documented example, every error class, check selection,
//! validation warnings, and applying severity overrides, allowlists, expiry and IP hiding to
//! findings.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rulec_runtime::config::{Applied, Config, ConfigError, ConfigLimits, MASK, NetworkKind, Pos, WarningKind};
use rulec_runtime::plan::{Check, CheckKind, Severity};
use rulec_runtime::report::{Finding, FindingKind, Subject};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config").join(name)
}

fn parse(text: &str) -> Config {
    match Config::from_str(text, "rulec.yaml") {
        Ok(c) => c,
        Err(e) => panic!("expected a valid configuration, got: {e}"),
    }
}

fn error(text: &str) -> String {
    match Config::from_str(text, "rulec.yaml") {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn check(id: &str, pack: &str) -> Check {
    Check {
        id: id.into(),
        kind: CheckKind::Rule,
        pack: pack.into(),
        title: id.into(),
        severity: Severity::Medium,
        controls: vec![],
        fix: None,
        doc: None,
        fix_template: None,
        subject_type: 0,
        filter: None,
        lets: vec![],
        when: None,
        message: None,
        evidence: vec![],
        group: None,
        locals: 0,
        reads: vec![],
    }
}

/// The snapshot's time in these tests.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).single().expect("valid time")
}

fn call(key: &str, ip: &str, api: &str, user_agent: &str) -> Value {
    let (service, action) = api.split_once(':').expect("service:action");
    json!({
        "type": "ApiCall",
        "time": "2025-03-01T10:00:00Z",
        "access_key_id": key,
        "source_ip": ip,
        "user_agent": user_agent,
        "service": service,
        "action": action,
        "success": true,
    })
}

/// A terraform call to `cam:AttachUserPolicy` signed by `key` from `ip`.
fn tf(key: &str, ip: &str) -> Value {
    call(key, ip, "cam:AttachUserPolicy", "Terraform/1.7.5 tencentcloud/1.81")
}

/// An alarm over `calls`, grouped by the key of the first call, as the evaluator shapes it.
fn alarm(rule: &str, calls: Vec<Value>) -> Finding {
    let key = calls[0]["access_key_id"].as_str().expect("key").to_owned();
    let ip = calls[0]["source_ip"].as_str().expect("ip").to_owned();
    let count = calls.len();
    Finding {
        rule: rule.into(),
        kind: FindingKind::Alarm,
        severity: Severity::High,
        title: "Sensitive API called from an unusual address".into(),
        subject: Subject::new("AccessKey", key.clone()),
        message: format!("key {key} called sensitive APIs from {ip}"),
        evidence: json!({
            "ip": ip,
            "calls": calls,
            "count": count,
            "first_seen": "2025-03-01T10:00:00Z",
            "last_seen": "2025-03-01T10:00:00Z",
        }),
        controls: vec![],
        fix: None,
        history: None,
    }
}

/// A rule finding on an asset, with no calls.
fn finding(rule: &str, ty: &str, id: &str) -> Finding {
    Finding {
        rule: rule.into(),
        kind: FindingKind::Rule,
        severity: Severity::Medium,
        title: rule.into(),
        subject: Subject::new(ty, id),
        message: format!("{ty} {id} is misconfigured"),
        evidence: json!({}),
        controls: vec![],
        history: None,
        fix: None,
    }
}

fn apply(config: &str, findings: Vec<Finding>) -> Applied {
    parse(config).apply(findings, now())
}

/// Whether `config`'s allowlist suppresses `f`.
fn suppresses(config: &str, f: Finding) -> bool {
    let applied = apply(config, vec![f]);
    assert_eq!(applied.findings.len() + applied.suppressed.len(), 1, "a finding is never dropped");
    applied.suppressed.len() == 1
}

const AK: &str = "AKIDautomation";
const RULE: &str = "AK_ALARM_SENSITIVE_API_ABNORMAL_IP";

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

#[test]
fn the_documented_example_parses() {
    let config = Config::load(fixture("full.yaml")).expect("valid");
    assert_eq!(config.source(), fixture("full.yaml").display().to_string());
    assert_eq!(config.severity_override("NET_SG_DB_PORTS_OPEN"), Some(Severity::Critical));
    assert_eq!(config.severity_override("OTHER"), None);
    assert_eq!(config.hidden_access_keys().collect::<Vec<_>>(), ["AKIDyyyy"]);

    let entries = config.allowlist();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].index(), 1);
    assert_eq!(entries[0].pos(), Pos { line: 10, column: 5 });
    assert_eq!(entries[0].reason(), "office egress for the IAM automation");
    assert_eq!(entries[0].expires().map(|e| e.to_string()).as_deref(), Some("2027-01-31"));
    assert_eq!(entries[1].reason(), "bastion database, reviewed 2025-01");
    assert_eq!(entries[1].expires(), None);

    let networks = config.networks();
    assert_eq!(networks.len(), 2);
    assert_eq!(networks[0].name, "hq-office");
    assert_eq!(networks[0].kind, NetworkKind::Office);
    assert_eq!(networks[0].cidrs, vec!["198.51.100.0/24".parse::<ipnet::IpNet>().expect("cidr")]);
    assert_eq!(networks[1].kind, NetworkKind::Idc);
    assert_eq!(networks[1].cidrs.len(), 2);
    assert_eq!(
        networks[0].to_asset_json(),
        json!({
            "type": "Network", "id": "hq-office", "provider": "rulec.yaml", "account": "", "name": "hq-office",
            "tags": {}, "cidrs": ["198.51.100.0/24"], "kind": "office",
        })
    );
}

#[test]
fn an_empty_file_or_empty_sections_configure_nothing() {
    for text in ["", "\n\n", "# nothing yet\n", "---\n", "allowlist:\nnetworks:\nrules:\n  severity:\npacks:\n"] {
        let config = parse(text);
        assert!(config.allowlist().is_empty(), "{text:?}");
        assert!(config.networks().is_empty());
        assert!(config.selects(&check("ANY", "any")), "{text:?}");
    }
}

#[test]
fn discover_looks_in_the_directory_only() {
    let root = tempfile::tempdir().expect("tempdir");
    let child = root.path().join("child");
    std::fs::create_dir(&child).expect("mkdir");
    assert!(Config::discover(root.path()).expect("ok").is_none());
    std::fs::write(root.path().join("rulec.yaml"), "rules:\n  disabled: [X]\n").expect("write");
    let (path, config) = Config::discover(root.path()).expect("ok").expect("found");
    assert_eq!(path, root.path().join("rulec.yaml"));
    assert!(!config.selects(&check("X", "p")));
    // Not in parents.
    assert!(Config::discover(&child).expect("ok").is_none());
    // Errors carry the path.
    std::fs::write(child.join("rulec.yaml"), "rules:\n  disabld: [X]\n").expect("write");
    let e = Config::discover(&child).expect_err("invalid");
    assert!(e.to_string().starts_with(&format!("{}:2:3: unknown key `disabld`", child.join("rulec.yaml").display())));
}

#[test]
fn a_missing_file_is_an_io_error() {
    let e = Config::load(fixture("no-such-file.yaml")).expect_err("missing");
    assert!(matches!(e, ConfigError::Io { .. }));
    assert!(e.to_string().contains("no-such-file.yaml: cannot read the file"), "{e}");
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_keys_name_the_line_and_suggest_the_closest() {
    let e = Config::load(fixture("misspelt.yaml")).expect_err("invalid");
    assert_eq!(
        e.to_string(),
        format!("{}:7:5: unknown key `reson`, did you mean `reason`?", fixture("misspelt.yaml").display())
    );
    assert_eq!(e.pos(), Some(Pos { line: 7, column: 5 }));

    assert_eq!(error("alowlist: []\n"), "rulec.yaml:1:1: unknown key `alowlist`, did you mean `allowlist`?");
    assert_eq!(
        error("ip_hiding:\n  access_key: [A]\n"),
        "rulec.yaml:2:3: unknown key `access_key`, did you mean `access_keys`?"
    );
    assert_eq!(
        error("networks:\n  - name: a\n    kind: office\n    cidr: [10.0.0.0/8]\n"),
        "rulec.yaml:4:5: unknown key `cidr`, did you mean `cidrs`?"
    );
    assert_eq!(error("packs:\n  enable: [a]\n"), "rulec.yaml:2:3: unknown key `enable`, did you mean `enabled`?");
    // Nothing close: the known keys are listed.
    assert_eq!(
        error("colour: red\n"),
        "rulec.yaml:1:1: unknown key `colour` (expected one of `packs`, `rules`, `allowlist`, `ip_hiding`, `networks`, `store`, `ip_notes`, `limits`)"
    );
}

#[test]
fn malformed_values_are_errors_with_their_line() {
    let entry = |field: &str| format!("allowlist:\n  - rule: R\n    reason: r\n    {field}\n");
    assert_eq!(
        error(&entry("cidr: 203.0.113.0/33")),
        "rulec.yaml:4:11: `cidr` must be a CIDR like `203.0.113.0/24`, found `203.0.113.0/33`"
    );
    assert_eq!(
        error(&entry("cidr: 203.0.113.7")),
        "rulec.yaml:4:11: `cidr` must be a CIDR like `203.0.113.0/24`, found `203.0.113.7`; for one address write \
         `203.0.113.7/32`"
    );
    assert_eq!(
        error(&entry("ip: 203.0.113.300")),
        "rulec.yaml:4:9: `ip` must be an IP address like `203.0.113.7`, found `203.0.113.300`"
    );
    assert_eq!(
        error(&entry("ip: 203.0.113.0/24")),
        "rulec.yaml:4:9: `ip` must be an IP address like `203.0.113.7`, found `203.0.113.0/24`; for a range use `cidr:`"
    );
    assert!(
        error(&entry("expires: 2027-02-30")).starts_with("rulec.yaml:4:14: `expires` must be a date like `2027-01-31`")
    );
    assert!(error(&entry("expires: next week")).contains("found `next week`"));
    assert_eq!(
        error(&entry("api: DeleteUser")),
        "rulec.yaml:4:10: `api` must be `service:action`, each side a glob (e.g. `cam:*`, `cvm:Describe*`), found \
         `DeleteUser`"
    );
    assert!(
        error(&entry("user_agent: \"[terraform\""))
            .starts_with("rulec.yaml:4:17: `user_agent`: invalid glob `[terraform`")
    );
    assert_eq!(
        error("rules:\n  severity:\n    NET_X: crit\n"),
        "rulec.yaml:3:12: unknown severity `crit` (expected one of info, low, medium, high, critical)"
    );
    assert_eq!(
        error("rules:\n  severity:\n    NET_X: hihg\n"),
        "rulec.yaml:3:12: unknown severity `hihg`, did you mean `high`? (expected one of info, low, medium, high, \
         critical)"
    );
    assert_eq!(
        error("networks:\n  - name: hq\n    kind: ofice\n    cidrs: [10.0.0.0/8]\n"),
        "rulec.yaml:3:11: unknown network kind `ofice`, did you mean `office`? (expected one of office, idc, vpc, \
         partner)"
    );
    assert_eq!(
        error("networks:\n  - name: hq\n    kind: office\n    cidrs: [10.0.0.0/8, 10.1.0.0]\n"),
        "rulec.yaml:4:25: `cidrs` must be a CIDR like `203.0.113.0/24`, found `10.1.0.0`; for one address write \
         `10.1.0.0/32`"
    );
}

#[test]
fn every_allowlist_entry_needs_a_reason() {
    assert_eq!(
        error("allowlist:\n  - rule: R\n    asset: a\n"),
        "rulec.yaml:2:5: allowlist entry 1 has no `reason`: every suppression must say why it is accepted"
    );
    assert_eq!(
        error("allowlist:\n  - rule: R\n    reason: ok\n  - asset: a\n    reason: \"  \"\n"),
        "rulec.yaml:5:13: allowlist entry 2 has an empty `reason`"
    );
}

#[test]
fn an_entry_with_nothing_to_match_would_suppress_everything() {
    for text in [
        "allowlist:\n  - reason: everything is fine\n",
        "allowlist:\n  - reason: everything is fine\n    expires: 2030-01-01\n",
    ] {
        assert_eq!(
            error(text),
            "rulec.yaml:2:5: allowlist entry 1 gives nothing to match (`rule`, `asset`, `access_key`, `ip`, `cidr`, \
             `api`, `user_agent`), so it would suppress everything"
        );
    }
}

#[test]
fn other_structural_errors() {
    assert_eq!(
        error("allowlist:\n  - ip: 10.0.0.1\n    cidr: 10.0.0.0/8\n    reason: r\n"),
        "rulec.yaml:3:11: allowlist entry 1 gives both `ip` and `cidr`; give one"
    );
    assert_eq!(
        error("packs:\n  enabled: []\n"),
        "rulec.yaml:2:12: `packs.enabled` is empty, so no pack would run; remove it to run every loaded pack"
    );
    assert_eq!(
        error("packs:\n  enabled: [a, b]\n  disabled: [b]\n"),
        "rulec.yaml:3:14: pack `b` is both enabled and disabled"
    );
    assert_eq!(
        error(
            "networks:\n  - {name: a, kind: vpc, cidrs: [10.0.0.0/8]}\n  - {name: a, kind: vpc, cidrs: [10.1.0.0/16]}\n"
        ),
        "rulec.yaml:3:12: a network named `a` is already defined"
    );
    assert_eq!(
        error("networks:\n  - name: a\n    kind: vpc\n"),
        "rulec.yaml:2:5: network `a` needs at least one range in `cidrs`"
    );
    assert_eq!(
        error("networks:\n  - name: a\n    cidrs: [10.0.0.0/8]\n"),
        "rulec.yaml:2:5: network `a` needs a `kind` (one of office, idc, vpc, partner)"
    );
    assert!(error("rules:\n  disabled: [A]\n  disabled: [B]\n").starts_with("rulec.yaml:3:3: duplicate mapping key"));
    assert!(error("allowlist: {rule: R}\n").starts_with("rulec.yaml:1:"));
    assert!(error("- just\n- a list\n").starts_with("rulec.yaml:1:"));
}

#[test]
fn the_first_problem_in_the_file_is_reported() {
    let text = "networks:\n  - name: a\n    kind: nope\n    cidrs: [10.0.0.0/8]\nrules:\n  severity:\n    X: nope\n";
    assert!(error(text).starts_with("rulec.yaml:3:11: unknown network kind"));
}

// ---------------------------------------------------------------------------------------
// Selection and validation
// ---------------------------------------------------------------------------------------

#[test]
fn selection_by_pack_and_rule() {
    let config = Config::load(fixture("full.yaml")).expect("valid");
    assert!(config.selects(&check("NET_SG_DB_PORTS_OPEN", "network")));
    assert!(config.selects(&check("AK_ALARM_X", "ak")));
    assert!(!config.selects(&check("AK_NOT_ROTATED_90D", "ak")), "rule disabled");
    assert!(!config.selects(&check("HOST_SSH_ROOT", "host")), "pack disabled");
    assert!(!config.selects(&check("DATA_BUCKET_PUBLIC", "data")), "pack not enabled");

    let only_disabled = parse("packs:\n  disabled: [host]\n");
    assert!(only_disabled.selects(&check("DATA_BUCKET_PUBLIC", "data")), "every pack runs without `enabled`");
    assert!(!only_disabled.selects(&check("HOST_SSH_ROOT", "host")));
    assert!(Config::default().selects(&check("ANY", "any")));
}

#[test]
fn unknown_names_are_warnings_with_suggestions() {
    let config = parse(
        "packs:\n  enabled: [netwrok, ak]\nrules:\n  disabled: [AK_NOT_ROTATED_90D, NET_SG_DB_PORT_OPEN]\n  severity:\n    \
         AK_ALARM_LEAKED: critical\nallowlist:\n  - rule: \"HOST_*\"\n    reason: r\n  - rule: NET_SG_DB_PORTS_OPN\n    \
         reason: r\n  - rule: \"NET_*\"\n    reason: r\n",
    );
    let checks = [check("NET_SG_DB_PORTS_OPEN", "network"), check("AK_NOT_ROTATED_90D", "ak")];
    let warnings: Vec<String> = config.validate_against(&checks).iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "rulec.yaml:2:13: no loaded pack is named `netwrok`, did you mean `network`?",
            "rulec.yaml:4:34: no loaded rule has the id `NET_SG_DB_PORT_OPEN`, did you mean `NET_SG_DB_PORTS_OPEN`?",
            "rulec.yaml:6:5: no loaded rule has the id `AK_ALARM_LEAKED`",
            "rulec.yaml:8:11: allowlist entry 1: `rule: HOST_*` matches no loaded rule",
            "rulec.yaml:10:11: allowlist entry 2: no loaded rule has the id `NET_SG_DB_PORTS_OPN`, did you mean \
             `NET_SG_DB_PORTS_OPEN`?",
        ]
    );
    let kinds: Vec<WarningKind> = config.validate_against(&checks).iter().map(|w| w.kind).collect();
    assert_eq!(kinds[0], WarningKind::UnknownPack);
    assert!(kinds[1..].iter().all(|k| *k == WarningKind::UnknownRule));
    let all_known = parse("packs:\n  enabled: [network]\nrules:\n  disabled: [AK_NOT_ROTATED_90D]\n");
    assert!(all_known.validate_against(&checks).is_empty());
}

// ---------------------------------------------------------------------------------------
// Severity overrides
// ---------------------------------------------------------------------------------------

#[test]
fn severity_overrides_apply_to_reported_and_suppressed_findings() {
    let config = "rules:\n  severity:\n    NET_SG_DB_PORTS_OPEN: critical\nallowlist:\n  - asset: sg-allowed\n    \
                  reason: accepted\n";
    let applied = apply(
        config,
        vec![
            finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1"),
            finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-allowed"),
            finding("NET_OTHER", "SecurityGroup", "sg-1"),
        ],
    );
    assert_eq!(applied.findings[0].severity, Severity::Critical);
    assert_eq!(applied.findings[1].severity, Severity::Medium, "other rules keep theirs");
    assert_eq!(applied.suppressed[0].finding.severity, Severity::Critical);
    assert_eq!(applied.suppressed[0].reason, "accepted");
}

// ---------------------------------------------------------------------------------------
// Allowlist fields
// ---------------------------------------------------------------------------------------

#[test]
fn rule_matches_exactly_or_by_glob() {
    let f = || alarm(RULE, vec![tf(AK, "203.0.113.7")]);
    assert!(suppresses(&format!("allowlist:\n  - rule: {RULE}\n    reason: r\n"), f()));
    assert!(suppresses("allowlist:\n  - rule: AK_ALARM_*\n    reason: r\n", f()));
    assert!(suppresses("allowlist:\n  - rule: \"*_ABNORMAL_IP\"\n    reason: r\n", f()));
    assert!(!suppresses("allowlist:\n  - rule: AK_ALARM_SENSITIVE_API\n    reason: r\n", f()), "no prefix match");
    assert!(!suppresses("allowlist:\n  - rule: ak_alarm_*\n    reason: r\n", f()), "case-sensitive");
    assert!(!suppresses("allowlist:\n  - rule: NET_*\n    reason: r\n", f()));
}

#[test]
fn asset_matches_the_subject_id() {
    let config = "allowlist:\n  - asset: sg-1a2b3c\n    reason: r\n";
    assert!(suppresses(config, finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1a2b3c")));
    assert!(!suppresses(config, finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1a2b3c0")));
    assert!(!suppresses(config, finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "SG-1A2B3C")));
    // An alarm's subject is its group key.
    assert!(suppresses(&format!("allowlist:\n  - asset: {AK}\n    reason: r\n"), alarm(RULE, vec![tf(AK, "1.2.3.4")])));
}

#[test]
fn access_key_matches_the_subject_key_or_every_call() {
    let config = format!("allowlist:\n  - access_key: {AK}\n    reason: r\n");
    // The subject is the key (a rule on the AccessKey asset: no calls).
    assert!(suppresses(&config, finding("AK_NOT_ROTATED_90D", "AccessKey", AK)));
    assert!(!suppresses(&config, finding("AK_NOT_ROTATED_90D", "AccessKey", "AKIDother")));
    assert!(!suppresses(&config, finding("USER_NO_MFA", "User", AK)), "only an AccessKey subject counts");
    // Every call signed by the key, under another subject.
    let mut by_ip = alarm(RULE, vec![tf(AK, "1.2.3.4"), tf(AK, "1.2.3.5")]);
    by_ip.subject = Subject::new("group", "1.2.3.4");
    assert!(suppresses(&config, by_ip.clone()));
    let mut mixed = by_ip;
    mixed.evidence["calls"][1]["access_key_id"] = json!("AKIDother");
    assert!(!suppresses(&config, mixed));
}

#[test]
fn cidr_suppresses_an_alarm_only_when_every_call_is_inside() {
    let config = "allowlist:\n  - rule: AK_ALARM_*\n    cidr: 198.51.100.0/24\n    reason: office egress\n";
    let office = alarm(RULE, vec![tf(AK, "198.51.100.7"), tf(AK, "198.51.100.200"), tf(AK, "198.51.100.7")]);
    let applied = apply(config, vec![office]);
    assert!(applied.findings.is_empty());
    assert_eq!(applied.suppressed.len(), 1);
    assert_eq!(applied.suppressed[0].reason, "office egress");

    // One call from elsewhere: the alarm stays reported, untouched.
    let partial = alarm(RULE, vec![tf(AK, "198.51.100.7"), tf(AK, "203.0.113.9"), tf(AK, "198.51.100.8")]);
    let applied = apply(config, vec![partial.clone()]);
    assert_eq!(applied.findings, vec![partial]);
    assert!(applied.suppressed.is_empty());

    // A call whose address is missing or malformed is not inside.
    let mut missing = alarm(RULE, vec![tf(AK, "198.51.100.7"), tf(AK, "198.51.100.8")]);
    missing.evidence["calls"][1].as_object_mut().expect("object").remove("source_ip");
    assert!(!suppresses(config, missing));
    assert!(!suppresses(config, alarm(RULE, vec![tf(AK, "198.51.100.7/32")])));
    // IPv6 ranges work the same way.
    let v6 = "allowlist:\n  - cidr: 2001:db8::/32\n    reason: r\n";
    assert!(suppresses(v6, alarm(RULE, vec![tf(AK, "2001:db8::1"), tf(AK, "2001:db8:ffff::2")])));
    assert!(!suppresses(v6, alarm(RULE, vec![tf(AK, "2001:db8::1"), tf(AK, "2001:db9::2")])));
}

#[test]
fn ip_matches_one_address_only() {
    let config = "allowlist:\n  - ip: 203.0.113.7\n    reason: r\n";
    assert!(suppresses(config, alarm(RULE, vec![tf(AK, "203.0.113.7"), tf(AK, "203.0.113.7")])));
    assert!(!suppresses(config, alarm(RULE, vec![tf(AK, "203.0.113.7"), tf(AK, "203.0.113.8")])));
    assert!(!suppresses(config, alarm(RULE, vec![tf(AK, "203.0.113.70")])));
}

#[test]
fn call_fields_never_match_a_finding_without_calls() {
    for field in ["ip: 203.0.113.7", "cidr: 0.0.0.0/0", "api: \"*:*\"", "user_agent: \"*\""] {
        let config = format!("allowlist:\n  - {field}\n    reason: r\n");
        assert!(!suppresses(&config, finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1")), "{field}");
        let mut empty = alarm(RULE, vec![tf(AK, "203.0.113.7")]);
        empty.evidence["calls"] = json!([]);
        empty.evidence["count"] = json!(0);
        assert!(!suppresses(&config, empty), "{field}");
    }
}

#[test]
fn unlisted_calls_cannot_be_vouched_for() {
    // The evaluator lists at most 20 calls; `count` is the total.
    let config = "allowlist:\n  - cidr: 198.51.100.0/24\n    reason: r\n";
    let mut truncated = alarm(RULE, vec![tf(AK, "198.51.100.7"); 20]);
    assert!(suppresses(config, truncated.clone()));
    truncated.evidence["count"] = json!(21);
    assert!(!suppresses(config, truncated.clone()));
    // Entries that test no call still match.
    assert!(suppresses(&format!("allowlist:\n  - rule: {RULE}\n    reason: r\n"), truncated.clone()));
    assert!(suppresses(&format!("allowlist:\n  - access_key: {AK}\n    reason: r\n"), truncated));
}

#[test]
fn api_matches_service_and_action_globs() {
    let f = |calls: Vec<Value>| alarm(RULE, calls);
    let cam = |action: &str| call(AK, "1.2.3.4", &format!("cam:{action}"), "ua");
    let config = "allowlist:\n  - api: \"cam:*\"\n    reason: r\n";
    assert!(suppresses(config, f(vec![cam("AttachUserPolicy"), cam("CreateAccessKey")])));
    assert!(!suppresses(config, f(vec![cam("AttachUserPolicy"), call(AK, "1.2.3.4", "cvm:RunInstances", "ua")])));
    assert!(
        !suppresses(config, f(vec![call(AK, "1.2.3.4", "CAM:AttachUserPolicy", "ua")])),
        "service is case-sensitive"
    );

    let attach = "allowlist:\n  - api: cam:Attach*Policy\n    reason: r\n";
    assert!(
        suppresses(attach, f(vec![cam("AttachUserPolicy"), cam("attachrolepolicy")])),
        "action is case-insensitive"
    );
    assert!(!suppresses(attach, f(vec![cam("DetachUserPolicy")])));
    let exact = "allowlist:\n  - api: cam:CreateAccessKey\n    reason: r\n";
    assert!(suppresses(exact, f(vec![cam("createaccesskey")])));
    assert!(!suppresses(exact, f(vec![cam("CreateAccessKeys")])));
}

#[test]
fn user_agent_matches_a_case_insensitive_glob() {
    let config = "allowlist:\n  - user_agent: \"*terraform*\"\n    reason: r\n";
    let ua = |agent: &str| call(AK, "1.2.3.4", "cam:AttachUserPolicy", agent);
    assert!(suppresses(config, alarm(RULE, vec![ua("Terraform/1.7.5"), ua("go-sdk terraform-provider")])));
    assert!(!suppresses(config, alarm(RULE, vec![ua("Terraform/1.7.5"), ua("console.cloud.tencent.com")])));
    let exact = "allowlist:\n  - user_agent: console\n    reason: r\n";
    assert!(suppresses(exact, alarm(RULE, vec![ua("CONSOLE")])));
    assert!(!suppresses(exact, alarm(RULE, vec![ua("console.cloud.tencent.com")])));
}

#[test]
fn every_field_an_entry_gives_must_match() {
    let config = format!(
        "allowlist:\n  - rule: AK_ALARM_*\n    cidr: 198.51.100.0/24\n    access_key: {AK}\n    api: \"cam:*\"\n    \
         user_agent: \"*terraform*\"\n    asset: {AK}\n    reason: r\n"
    );
    let good = || alarm(RULE, vec![tf(AK, "198.51.100.7"), tf(AK, "198.51.100.8")]);
    assert!(suppresses(&config, good()));
    let mut wrong_rule = good();
    wrong_rule.rule = "NET_X".into();
    let mut wrong_subject = good();
    wrong_subject.subject.id = "AKIDother".into();
    let mut wrong_ip = good();
    wrong_ip.evidence["calls"][0]["source_ip"] = json!("10.0.0.1");
    let mut wrong_api = good();
    wrong_api.evidence["calls"][0]["service"] = json!("cvm");
    let mut wrong_agent = good();
    wrong_agent.evidence["calls"][1]["user_agent"] = json!("curl/8.0");
    for (what, f) in
        [("rule", wrong_rule), ("asset", wrong_subject), ("cidr", wrong_ip), ("api", wrong_api), ("agent", wrong_agent)]
    {
        assert!(!suppresses(&config, f), "{what}");
    }
}

#[test]
fn other_event_alarms_are_matched_on_their_events() {
    // Alarms over events other than ApiCall list them under `events`.
    let mut login = finding("ACCOUNT_ROOT_LOGIN", "Account", "100000001");
    login.kind = FindingKind::Alarm;
    login.evidence = json!({
        "events": [{"type": "ConsoleLogin", "source_ip": "198.51.100.9", "success": true}],
        "count": 1,
    });
    assert!(suppresses("allowlist:\n  - cidr: 198.51.100.0/24\n    reason: r\n", login.clone()));
    assert!(!suppresses("allowlist:\n  - api: \"*:*\"\n    reason: r\n", login), "events without service/action");
}

#[test]
fn the_first_matching_entry_wins_and_order_is_kept() {
    let config = format!(
        "allowlist:\n  - rule: NET_*\n    reason: first\n  - access_key: {AK}\n    reason: second\n  - rule: \
         AK_ALARM_*\n    reason: third\n"
    );
    let applied = apply(
        &config,
        vec![
            alarm(RULE, vec![tf(AK, "1.2.3.4")]),
            finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1"),
            alarm(RULE, vec![tf("AKIDother", "1.2.3.4")]),
            finding("HOST_SSH_ROOT", "Host", "h-1"),
        ],
    );
    let reasons: Vec<(&str, &str)> =
        applied.suppressed.iter().map(|s| (s.finding.subject.id.as_str(), s.reason.as_str())).collect();
    assert_eq!(reasons, [(AK, "second"), ("sg-1", "first"), ("AKIDother", "third")]);
    assert_eq!(applied.findings.len(), 1);
    assert_eq!(applied.findings[0].rule, "HOST_SSH_ROOT");
}

// ---------------------------------------------------------------------------------------
// Expiry
// ---------------------------------------------------------------------------------------

#[test]
fn expired_entries_are_not_applied_and_warn() {
    let config = "allowlist:\n  - rule: NET_*\n    reason: temporary exception\n    expires: 2025-02-28\n  - rule: \
                  NET_*\n    reason: until the migration\n    expires: 2025-03-01T11:59:59Z\n";
    let applied = apply(config, vec![finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1")]);
    assert_eq!(applied.findings.len(), 1, "both entries expired: reported again");
    assert!(applied.suppressed.is_empty());
    let warnings: Vec<String> = applied.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "rulec.yaml:2:5: allowlist entry 1 (\"temporary exception\") expired on 2025-02-28, before the snapshot \
             was taken (2025-03-01T12:00:00Z); it was not applied",
            "rulec.yaml:5:5: allowlist entry 2 (\"until the migration\") expired on 2025-03-01T11:59:59+00:00, \
             before the snapshot was taken (2025-03-01T12:00:00Z); it was not applied",
        ]
    );
    assert!(applied.warnings.iter().all(|w| w.kind == WarningKind::ExpiredEntry));
}

#[test]
fn entries_hold_until_they_expire() {
    let f = || finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1");
    for expires in [
        "2027-01-31",
        // A date holds through its whole day (UTC): the snapshot is taken at noon that day.
        "2025-03-01",
        // A time holds up to and including that instant.
        "2025-03-01T12:00:00Z",
        "2025-03-01T20:00:00+08:00",
    ] {
        let config = format!("allowlist:\n  - rule: NET_*\n    reason: r\n    expires: {expires}\n");
        let applied = apply(&config, vec![f()]);
        assert_eq!(applied.suppressed.len(), 1, "{expires}");
        assert!(applied.warnings.is_empty(), "{expires}");
    }
    // 2025-03-01T19:59:59+08:00 is 11:59:59Z: expired.
    let config = "allowlist:\n  - rule: NET_*\n    reason: r\n    expires: 2025-03-01T19:59:59+08:00\n";
    assert_eq!(apply(config, vec![f()]).findings.len(), 1);
}

#[test]
fn an_expired_entry_lets_a_later_one_match() {
    let config = "allowlist:\n  - rule: NET_*\n    reason: old\n    expires: 2024-12-31\n  - asset: sg-1\n    \
                  reason: current\n";
    let applied = apply(config, vec![finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1")]);
    assert_eq!(applied.suppressed[0].reason, "current");
    assert_eq!(applied.warnings.len(), 1);
}

#[test]
fn expiry_is_judged_against_the_snapshot_time() {
    let config = parse("allowlist:\n  - rule: NET_*\n    reason: r\n    expires: 2025-06-30\n");
    let f = || vec![finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1")];
    let before = Utc.with_ymd_and_hms(2025, 6, 30, 23, 59, 59).single().expect("time");
    let after = Utc.with_ymd_and_hms(2025, 7, 1, 0, 0, 0).single().expect("time");
    assert_eq!(config.apply(f(), before).suppressed.len(), 1);
    assert_eq!(config.apply(f(), after).findings.len(), 1);
}

// ---------------------------------------------------------------------------------------
// IP hiding
// ---------------------------------------------------------------------------------------

const HIDDEN: &str = "AKIDhidden";

fn hiding(extra: &str) -> String {
    format!("ip_hiding:\n  access_keys: [{HIDDEN}]\n{extra}")
}

#[test]
fn hidden_keys_have_their_source_ips_masked_in_findings() {
    let mut f = alarm(RULE, vec![tf(HIDDEN, "203.0.113.7"), tf(HIDDEN, "203.0.113.8"), tf("AKIDvisible", "192.0.2.1")]);
    f.subject = Subject::new("group", "cam");
    f.evidence["note"] = json!("first seen from 203.0.113.7:51234, then 203.0.113.8; not 203.0.113.77");
    let applied = apply(&hiding(""), vec![f]);
    let out = &applied.findings[0];
    assert_eq!(out.message, format!("key {HIDDEN} called sensitive APIs from {MASK}"));
    assert_eq!(out.evidence["ip"], json!(MASK));
    assert_eq!(out.evidence["calls"][0]["source_ip"], json!(MASK));
    assert_eq!(out.evidence["calls"][1]["source_ip"], json!(MASK));
    assert_eq!(out.evidence["calls"][2]["source_ip"], json!("192.0.2.1"), "other keys are untouched");
    assert_eq!(out.evidence["calls"][0]["access_key_id"], json!(HIDDEN), "the key itself is not hidden");
    assert_eq!(out.evidence["note"], json!("first seen from ***:51234, then ***; not 203.0.113.77"));
    assert_eq!(MASK, "***");
}

#[test]
fn hidden_keys_are_masked_in_suppressed_findings_after_matching() {
    // The allowlist matches on the real address; the output never shows it.
    let config = hiding("allowlist:\n  - ip: 203.0.113.7\n    reason: known\n");
    let applied = apply(&config, vec![alarm(RULE, vec![tf(HIDDEN, "203.0.113.7")])]);
    assert_eq!(applied.suppressed.len(), 1);
    let s = &applied.suppressed[0];
    assert_eq!(s.finding.evidence["calls"][0]["source_ip"], json!(MASK));
    assert!(!s.finding.message.contains("203.0.113.7"));
    assert!(
        !serde_json::to_string(&(&applied.findings, &applied.suppressed)).unwrap_or_default().contains("203.0.113.7")
    );
}

#[test]
fn a_finding_about_a_hidden_key_hides_every_source_ip() {
    let mut f = finding("AK_USED_FROM_NEW_PLACE", "AccessKey", HIDDEN);
    f.message = "key last used from 198.51.100.4".into();
    f.evidence = json!({"last_call": {"source_ip": "198.51.100.4", "service": "cvm"}});
    let applied = apply(&hiding(""), vec![f]);
    assert_eq!(applied.findings[0].message, "key last used from ***");
    assert_eq!(applied.findings[0].evidence["last_call"]["source_ip"], json!(MASK));

    // An alarm grouped by source IP: the group key is hidden too.
    let mut by_ip = alarm(RULE, vec![tf(HIDDEN, "203.0.113.7")]);
    by_ip.subject = Subject::new("group", "203.0.113.7");
    assert_eq!(apply(&hiding(""), vec![by_ip]).findings[0].subject.id, MASK);
}

#[test]
fn findings_without_hidden_keys_are_untouched() {
    let fs = vec![alarm(RULE, vec![tf(AK, "203.0.113.7")]), finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1")];
    assert_eq!(apply(&hiding(""), fs.clone()).findings, fs);
}

// ---------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------

#[test]
fn applying_twice_gives_equal_results() {
    let config = Config::load(fixture("full.yaml")).expect("valid");
    let findings = || {
        vec![
            alarm("AK_ALARM_SENSITIVE_API_ABNORMAL_IP", vec![tf("AKIDxxxx", "203.0.113.7")]),
            alarm("AK_ALARM_SENSITIVE_API_ABNORMAL_IP", vec![tf("AKIDyyyy", "203.0.113.7")]),
            finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-1a2b3c"),
            finding("NET_SG_DB_PORTS_OPEN", "SecurityGroup", "sg-other"),
        ]
    };
    let first = config.apply(findings(), now());
    let second = config.apply(findings(), now());
    assert_eq!(first, second);
    assert_eq!(first.suppressed.len(), 2);
    assert_eq!(first.findings.len(), 2);
    assert_eq!(first.findings[0].evidence["calls"][0]["source_ip"], json!(MASK));
    assert_eq!(first.findings[1].severity, Severity::Critical);
    // Applying to already-applied output changes nothing further.
    let again = config.apply(first.findings.clone(), now());
    assert_eq!(again.findings, first.findings);
}

#[test]
fn store_is_taken_from_the_configuration_files_directory() {
    let config = Config::from_str("store: history/rulec.db\n", "conf/rulec.yaml").expect("valid");
    assert_eq!(config.store(), Some(PathBuf::from("conf/history/rulec.db")));
    let config = Config::from_str("store: rulec.db\n", "rulec.yaml").expect("valid");
    assert_eq!(config.store(), Some(PathBuf::from("rulec.db")));
    assert_eq!(Config::from_str("packs: {}\n", "rulec.yaml").expect("valid").store(), None);
    assert_eq!(error("stor: rulec.db\n"), "rulec.yaml:1:1: unknown key `stor`, did you mean `store`?");
    assert_eq!(error("store: ''\n"), "rulec.yaml:1:8: expected a store file path, found an empty string");
}

#[test]
fn ip_notes_pick_the_narrowest_range_and_need_a_note_and_one_address() {
    let config = parse(
        "ip_notes:\n  - cidr: 203.0.113.0/24\n    note: partner range\n  - ip: 203.0.113.7\n    note: partner scanner\n",
    );
    let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("address");
    assert_eq!(config.ip_note(ip("203.0.113.7")), Some("partner scanner"));
    assert_eq!(config.ip_note(ip("203.0.113.8")), Some("partner range"));
    assert_eq!(config.ip_note(ip("198.51.100.1")), None);
    assert_eq!(error("ip_notes:\n  - ip: 10.0.0.1\n"), "rulec.yaml:2:5: ip note 1 has no `note`");
    assert_eq!(
        error("ip_notes:\n  - ip: 10.0.0.1\n    cidr: 10.0.0.0/8\n    note: x\n"),
        "rulec.yaml:2:5: ip note 1 gives both `ip` and `cidr`: give one"
    );
    assert_eq!(error("ip_notes:\n  - note: x\n"), "rulec.yaml:2:5: ip note 1 needs an `ip` or a `cidr`");
}

#[test]
fn limits_are_read_with_units_and_bad_ones_name_their_line() {
    let config = parse("limits:\n  max_steps: 50_000_000\n  max_value_size: 256MiB\n  timeout: 1h30m\n");
    assert_eq!(
        config.limits(),
        ConfigLimits {
            max_steps: Some(50_000_000),
            max_value_bytes: Some(256 << 20),
            timeout: Some(std::time::Duration::from_secs(5400)),
        }
    );
    assert_eq!(parse("limits:\n  max_steps: 10\n").limits().max_value_bytes, None, "absent keys keep the default");
    assert_eq!(
        error("limits:\n  max_steps: lots\n"),
        "rulec.yaml:2:14: `max_steps` must be a whole number more than 0, found `lots`"
    );
    assert_eq!(
        error("limits:\n  max_value_size: 5 parsecs\n"),
        "rulec.yaml:2:19: `max_value_size`: invalid size `5 parsecs`: unknown unit `parsecs` (use B, KB, MB, GB, KiB, \
         MiB or GiB)"
    );
    assert_eq!(
        error("limits:\n  timeout: 0s\n"),
        "rulec.yaml:2:12: `timeout`: invalid duration `0s`: it must be more than 0"
    );
    assert_eq!(error("limits:\n  max_step: 10\n"), "rulec.yaml:2:3: unknown key `max_step`, did you mean `max_steps`?");
}
