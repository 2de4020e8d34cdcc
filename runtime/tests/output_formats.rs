//! Every output format on one small, realistic report: a snapshot per format, then the
//! properties each format promises (JSON contract, SARIF schema validity, JUnit counts,
//! escaping, truncation, colours, empty reports, determinism).

use rulec_runtime::output::{Format, RenderOptions, render};
use rulec_runtime::plan::{Check, CheckKind, Severity};
use rulec_runtime::report::{Finding, FindingKind, Report, SnapshotInfo, Subject, Summary, Suppressed, sort_findings};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// The report and catalogue
// ---------------------------------------------------------------------------------------

fn check(id: &str, kind: CheckKind, pack: &str, severity: Severity, title: &str, controls: &[&str]) -> Check {
    Check {
        id: id.into(),
        kind,
        pack: pack.into(),
        title: title.into(),
        severity,
        controls: controls.iter().map(|c| (*c).into()).collect(),
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

fn catalogue() -> Vec<Check> {
    let mut sg = check(
        "TC_SG_ADMIN_PORTS_OPEN",
        CheckKind::Rule,
        "tencent.network",
        Severity::High,
        "Security group opens SSH or RDP to the internet",
        &["mlps2.l3/8.1.3.2-a", "cis.tencent/4.1"],
    );
    sg.fix = Some("Restrict the source to a bastion host or office range.".into());
    sg.doc = Some("Administrative ports reachable from 0.0.0.0/0 are brute-forced within minutes.".into());

    let mut root_ak = check(
        "TC_CAM_ROOT_AK_ACTIVE",
        CheckKind::Rule,
        "tencent.cam",
        Severity::Critical,
        "The root account has an active access key",
        &["mlps2.l3/8.1.4.1-a", "cis.tencent/1.4"],
    );
    root_ak.fix = Some("Delete the root access key; use CAM sub-users with least privilege.".into());

    let mfa = check(
        "TC_CAM_MFA_DISABLED",
        CheckKind::Rule,
        "tencent.cam",
        Severity::Medium,
        "A console user has no MFA device",
        &["cis.tencent/1.2"],
    );

    let mut burst = check(
        "AK_ENUMERATION_BURST",
        CheckKind::Alarm,
        "tencent.cloudaudit",
        Severity::High,
        "An access key enumerated many services in a short window",
        &["mlps2.l3/8.1.4.3-b"],
    );
    burst.doc =
        Some("Fires when one access key calls at least 10 distinct Describe*/List* actions in 5 minutes.".into());
    burst.fix = Some("Confirm the caller; if unknown, disable the key and review CloudAudit.".into());

    let mut cos = check(
        "TC_COS_BUCKET_NO_LOGGING",
        CheckKind::Rule,
        "tencent.storage",
        Severity::Low,
        "COS bucket has access logging & versioning off",
        &[],
    );
    cos.fix = Some("Enable access logging to a separate log bucket.".into());

    let tags = check(
        "TC_CVM_NO_OWNER_TAG",
        CheckKind::Rule,
        "tencent.hygiene",
        Severity::Info,
        "CVM instance has no owner tag",
        &[],
    );

    let clb = check(
        "TC_CLB_HTTP_LISTENER",
        CheckKind::Rule,
        "tencent.network",
        Severity::Medium,
        "Load balancer listens on plain HTTP",
        &["mlps2.l3/8.1.2.2-a"],
    );

    vec![sg, root_ak, mfa, burst, cos, tags, clb]
}

fn finding(
    rule: &str,
    kind: FindingKind,
    severity: Severity,
    title: &str,
    subject: (&str, &str),
    message: &str,
    evidence: Value,
) -> Finding {
    let catalogue = catalogue();
    let check = catalogue.iter().find(|c| c.id == rule);
    Finding {
        rule: rule.into(),
        kind,
        severity,
        title: title.into(),
        subject: Subject::new(subject.0, subject.1),
        message: message.into(),
        evidence,
        controls: check.map(|c| c.controls.clone()).unwrap_or_default(),
        fix: check.and_then(|c| c.fix.clone()),
        history: None,
    }
}

fn findings() -> Vec<Finding> {
    vec![
        finding(
            "TC_SG_ADMIN_PORTS_OPEN",
            FindingKind::Rule,
            Severity::High,
            "Security group opens SSH or RDP to the internet",
            ("SecurityGroup", "sg-1a2b3c"),
            "sg-1a2b3c accepts [22] from any address",
            json!({ "ports": [22] }),
        ),
        finding(
            "TC_SG_ADMIN_PORTS_OPEN",
            FindingKind::Rule,
            Severity::High,
            "Security group opens SSH or RDP to the internet",
            ("SecurityGroup", "sg-0bastion"),
            "sg-0bastion accepts [22, 3389] from any address",
            json!({ "ports": [22, 3389] }),
        ),
        finding(
            "TC_CAM_ROOT_AK_ACTIVE",
            FindingKind::Rule,
            Severity::Critical,
            "The root account has an active access key",
            ("AccessKey", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"),
            "root access key AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE was used 3 days ago",
            json!({ "owner_uin": "100000000001", "last_used": "2026-11-17T02:13:09Z" }),
        ),
        finding(
            "AK_ENUMERATION_BURST",
            FindingKind::Alarm,
            Severity::High,
            "An access key enumerated many services in a short window",
            ("AccessKey", "AKIDq3mNbX7c9vTy0EXAMPLE"),
            "AKIDq3mNbX7c9vTy0EXAMPLE called 12 distinct read actions from 203.0.113.7 in 5 min",
            json!({
                "distinct_actions": 12,
                "window": "2026-11-20T03:10:00Z/2026-11-20T03:15:00Z",
                "calls": [
                    { "time": "2026-11-20T03:10:02Z", "action": "DescribeInstances", "source_ip": "203.0.113.7", "user_agent": "python-requests/2.31" },
                    { "time": "2026-11-20T03:10:04Z", "action": "ListUsers", "source_ip": "203.0.113.7", "user_agent": "python-requests/2.31" },
                    { "time": "2026-11-20T03:10:05Z", "action": "DescribeSecurityGroups", "source_ip": "203.0.113.7", "user_agent": "python-requests/2.31" }
                ]
            }),
        ),
        finding(
            "PATH_INTERNET_TO_DATABASE",
            FindingKind::Path,
            Severity::Critical,
            "A database is reachable from the internet",
            ("CdbInstance", "cdb-9xk2ab"),
            "cdb-9xk2ab is reachable from the internet in 3 hops",
            json!({
                "hops": [
                    { "type": "Internet", "id": "0.0.0.0/0", "edge": null },
                    { "type": "Cvm", "id": "ins-web01", "edge": "sg_allows" },
                    { "type": "CdbInstance", "id": "cdb-9xk2ab", "edge": "same_vpc" }
                ]
            }),
        ),
        finding(
            "TC_COS_BUCKET_NO_LOGGING",
            FindingKind::Rule,
            Severity::Low,
            "COS bucket has access logging & versioning off",
            ("CosBucket", "logs-1250000000"),
            "logs-1250000000: logging | versioning are both off",
            json!({ "logging": false, "versioning": "Suspended" }),
        ),
        finding(
            "TC_CVM_NO_OWNER_TAG",
            FindingKind::Rule,
            Severity::Info,
            "CVM instance has no owner tag",
            ("Cvm", "ins-web01"),
            "ins-web01 has tags [env] but no owner",
            json!({ "tags": { "env": "prod" } }),
        ),
    ]
}

fn report() -> Report {
    let mut findings = findings();
    sort_findings(&mut findings);
    let suppressed = vec![Suppressed {
        finding: Finding {
            rule: "TC_CLB_HTTP_LISTENER".into(),
            kind: FindingKind::Rule,
            severity: Severity::Medium,
            title: "Load balancer listens on plain HTTP".into(),
            subject: Subject::new("Clb", "lb-legacy01"),
            message: "lb-legacy01 listens on HTTP port 80".into(),
            evidence: json!({ "listeners": [{ "port": 80, "protocol": "HTTP" }] }),
            controls: vec!["mlps2.l3/8.1.2.2-a".into()],
            history: None,
            fix: None,
        },
        reason: "legacy health check endpoint, expires 2027-03-31".into(),
    }];
    Report {
        rulec_version: "0.1.0".into(),
        snapshot: SnapshotInfo { taken_at: "2026-11-20T08:00:00Z".into(), assets: 1234, events: 56789 },
        summary: Summary::count(&findings, catalogue().len(), 41),
        resolved: None,
        findings,
        compliance: None,
        suppressed,
    }
}

fn empty_report() -> Report {
    Report {
        rulec_version: "0.1.0".into(),
        snapshot: SnapshotInfo { taken_at: "2026-11-20T08:00:00Z".into(), assets: 3, events: 0 },
        findings: vec![],
        compliance: None,
        suppressed: vec![],
        summary: Summary::count(&[], 7, 2),
        resolved: None,
    }
}

/// The (only) finding of `rule`, to change it.
fn finding_of<'a>(report: &'a mut Report, rule: &str) -> &'a mut Finding {
    report.findings.iter_mut().find(|f| f.rule == rule).expect("a finding of the rule")
}

const PLAIN: RenderOptions = RenderOptions { color: false, width: 0, show_suppressed: false };

fn out(format: Format) -> String {
    render(&report(), &catalogue(), format, &PLAIN)
}

// ---------------------------------------------------------------------------------------
// One snapshot per format
// ---------------------------------------------------------------------------------------

#[test]
fn snapshot_table() {
    let table = render(
        &report(),
        &catalogue(),
        Format::Table,
        &RenderOptions { color: false, width: 120, show_suppressed: false },
    );
    insta::assert_snapshot!("table", table);
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!("json", out(Format::Json));
}

#[test]
fn snapshot_jsonl() {
    insta::assert_snapshot!("jsonl", out(Format::Jsonl));
}

#[test]
fn snapshot_sarif() {
    insta::assert_snapshot!("sarif", out(Format::Sarif));
}

#[test]
fn snapshot_junit() {
    insta::assert_snapshot!("junit", out(Format::Junit));
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!("markdown", out(Format::Markdown));
}

#[test]
fn snapshot_empty_report_in_every_format() {
    let all: String = Format::ALL
        .into_iter()
        .map(|format| {
            let text = render(
                &empty_report(),
                &catalogue()[..2],
                format,
                &RenderOptions { color: true, width: 80, show_suppressed: false },
            );
            format!("===== {format} =====\n{text}")
        })
        .collect();
    insta::assert_snapshot!("empty", all);
}

// ---------------------------------------------------------------------------------------
// json / jsonl: the contract
// ---------------------------------------------------------------------------------------

#[test]
fn json_round_trips_and_has_the_contract_shape() {
    let text = out(Format::Json);
    assert!(text.ends_with("}\n"), "pretty-printed with a trailing newline");
    let parsed: Report = serde_json::from_str(&text).expect("json parses back into a Report");
    assert_eq!(parsed, report());

    let value: Value = serde_json::from_str(&text).expect("json");
    let keys = |v: &Value| -> Vec<String> { v.as_object().expect("object").keys().cloned().collect() };
    let mut top = keys(&value);
    top.sort();
    assert_eq!(top, ["findings", "rulec_version", "snapshot", "summary", "suppressed"]);
    let mut finding = keys(&value["findings"][0]);
    finding.sort();
    assert_eq!(finding, ["controls", "evidence", "fix", "kind", "message", "rule", "severity", "subject", "title"]);
    assert_eq!(value["findings"][0]["rule"], "PATH_INTERNET_TO_DATABASE", "critical first, then by rule");
    assert_eq!(value["findings"][0]["subject"], json!({ "type": "CdbInstance", "id": "cdb-9xk2ab" }));
    assert_eq!(value["findings"][0]["kind"], "path");
    assert_eq!(value["suppressed"][0]["reason"], "legacy health check endpoint, expires 2027-03-31");
    assert_eq!(value["suppressed"][0]["rule"], "TC_CLB_HTTP_LISTENER");
    assert_eq!(value["summary"]["by_severity"], json!({ "critical": 2, "high": 3, "info": 1, "low": 1 }));
    // Field order in the bytes is the structs' order, as CLI.md shows it.
    let order = ["\"rulec_version\"", "\"snapshot\"", "\"findings\"", "\"suppressed\"", "\"summary\""];
    let positions: Vec<usize> = order.iter().map(|k| text.find(k).expect("key present")).collect();
    assert!(positions.is_sorted(), "{positions:?}");
}

#[test]
fn jsonl_is_one_finding_per_line_then_the_suppressed_ones_marked() {
    let text = out(Format::Jsonl);
    let lines: Vec<&str> = text.lines().collect();
    let report = report();
    assert_eq!(lines.len(), report.findings.len() + report.suppressed.len());
    assert!(text.ends_with('\n'));
    for (line, expected) in lines.iter().zip(&report.findings) {
        let parsed: Finding = serde_json::from_str(line).expect("each line is a finding");
        assert_eq!(&parsed, expected);
        assert!(!line.contains("\"suppressed\""), "reported findings carry no mark: {line}");
    }
    for (line, expected) in lines[report.findings.len()..].iter().zip(&report.suppressed) {
        let value: Value = serde_json::from_str(line).expect("each line is JSON");
        assert_eq!(value["suppressed"], true);
        assert_eq!(value["reason"], expected.reason.as_str());
        let parsed: Suppressed = serde_json::from_value(value).expect("the `suppressed` entry of json");
        assert_eq!(&parsed, expected);
    }
    assert_eq!(render(&empty_report(), &[], Format::Jsonl, &PLAIN), "");
}

// ---------------------------------------------------------------------------------------
// sarif
// ---------------------------------------------------------------------------------------

/// The SARIF 2.1.0 JSON schema: the OASIS schema in its draft-07 edition (`$id`
/// `.../oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json`), vendored verbatim
/// (the copy serde-sarif 0.8.0 ships) because tests have no network.
const SARIF_SCHEMA: &str = include_str!("fixtures/sarif-schema-2.1.0.json");

/// The schema with SARIF 2.1.0 erratum oasis-tcs/sarif-spec#488 applied: the `language`
/// pattern `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$` has a stray `]` that jsonschema
/// rightly rejects as a regex; errata01 replaced it with the pattern below. rulec never
/// writes `language`, so this changes nothing it is checked against.
fn sarif_schema() -> Value {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    const ERRATUM: &str = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$";
    assert_eq!(SARIF_SCHEMA.matches(BROKEN).count(), 2, "the vendored schema changed");
    serde_json::from_str(&SARIF_SCHEMA.replace(BROKEN, ERRATUM)).expect("schema parses")
}

fn assert_valid_sarif(text: &str) {
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let instance: Value = serde_json::from_str(text).expect("sarif parses");
    let errors: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF is not valid against the 2.1.0 schema:\n{}", errors.join("\n"));
}

#[test]
fn sarif_is_valid_against_the_schema() {
    assert_valid_sarif(&out(Format::Sarif));
    assert_valid_sarif(&render(&empty_report(), &[], Format::Sarif, &PLAIN));
    assert_valid_sarif(&render(&empty_report(), &catalogue(), Format::Sarif, &PLAIN));
}

#[test]
fn the_schema_check_catches_invalid_sarif() {
    let mut sarif: Value = serde_json::from_str(&out(Format::Sarif)).expect("sarif");
    sarif["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!jsonschema::is_valid(&sarif_schema(), &sarif), "a bad level must fail validation");
}

#[test]
fn sarif_rules_results_and_levels() {
    let sarif: Value = serde_json::from_str(&out(Format::Sarif)).expect("sarif");
    assert_eq!(sarif["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "rulec");
    assert_eq!(driver["version"], "0.1.0");
    let rules = driver["rules"].as_array().expect("rules");
    // The 7 catalogue rules plus one made for the path finding the catalogue lacks.
    assert_eq!(rules.len(), 8);
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 8, "7 findings + 1 suppressed");
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex points at the result's rule");
        let fingerprint = result["partialFingerprints"]["rulecSubjectHash/v1"].as_str().expect("fingerprint");
        assert_eq!(fingerprint.len(), 16);
    }
    let level_of =
        |rule: &str| rules.iter().find(|r| r["id"] == rule).expect("rule")["defaultConfiguration"]["level"].clone();
    assert_eq!(level_of("TC_CAM_ROOT_AK_ACTIVE"), "error"); // critical
    assert_eq!(level_of("TC_SG_ADMIN_PORTS_OPEN"), "error"); // high
    assert_eq!(level_of("TC_CAM_MFA_DISABLED"), "warning"); // medium
    assert_eq!(level_of("TC_COS_BUCKET_NO_LOGGING"), "note"); // low
    assert_eq!(level_of("TC_CVM_NO_OWNER_TAG"), "note"); // info
    let result_levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["properties"]["severity"].as_str().expect("sev"), r["level"].as_str().expect("level")))
        .collect();
    for (severity, level) in result_levels {
        let expected = match severity {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(level, expected, "{severity}");
    }
    // The suppressed finding carries its reason.
    let suppressed = results.iter().find(|r| r["ruleId"] == "TC_CLB_HTTP_LISTENER").expect("suppressed result");
    assert_eq!(suppressed["suppressions"][0]["justification"], "legacy health check endpoint, expires 2027-03-31");
    // The fingerprint depends on rule and subject only.
    let mut moved = report();
    for f in &mut moved.findings {
        f.message.push_str(" (again)");
        f.evidence = json!({});
    }
    let again: Value = serde_json::from_str(&render(&moved, &catalogue(), Format::Sarif, &PLAIN)).expect("sarif");
    for (a, b) in results.iter().zip(again["runs"][0]["results"].as_array().expect("results")) {
        assert_eq!(a["partialFingerprints"], b["partialFingerprints"]);
    }
}

// ---------------------------------------------------------------------------------------
// junit
// ---------------------------------------------------------------------------------------

/// An element's name and its attributes, unescaped.
type Element = (String, Vec<(String, String)>);

/// Every start or empty element, and the text content, read with a real XML parser (which
/// fails on malformed XML).
fn parse_xml(text: &str) -> (Vec<Element>, String) {
    use quick_xml::XmlVersion;
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut elements = Vec::new();
    let mut content = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute");
                        let key = a.key.as_ref().to_owned();
                        let value = a.normalized_value(XmlVersion::Explicit1_0).expect("attribute value").into_owned();
                        (key, value)
                    })
                    .collect();
                elements.push((name, attrs));
            }
            Event::Text(t) => content.push_str(&t.xml_content(XmlVersion::Explicit1_0)),
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref().expect("character reference") {
                    content.push(c);
                    continue;
                }
                let resolved = match r.into_inner().as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                content.push_str(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (elements, content)
}

fn attr<'a>(element: &'a Element, key: &str) -> &'a str {
    element.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).expect("attribute present")
}

#[test]
fn junit_counts_match_the_test_cases() {
    let (elements, _) = parse_xml(&out(Format::Junit));
    let root = &elements[0];
    assert_eq!(root.0, "testsuites");
    let cases = elements.iter().filter(|e| e.0 == "testcase").count();
    assert_eq!(cases, 8, "7 catalogue rules + the uncatalogued path rule");
    assert_eq!(attr(root, "tests"), "8");
    // Failed rules: SG (2 findings), root AK, burst, COS, CVM, path.
    assert_eq!(attr(root, "failures"), "6");
    assert_eq!(elements.iter().filter(|e| e.0 == "failure").count(), 7, "one <failure> per finding");
    assert_eq!(attr(root, "skipped"), "1");
    assert_eq!(attr(root, "time"), "0.041");
    let suites: Vec<_> = elements.iter().filter(|e| e.0 == "testsuite").collect();
    let names: Vec<&str> = suites.iter().map(|s| attr(s, "name")).collect();
    assert_eq!(
        names,
        ["tencent.cam", "tencent.cloudaudit", "tencent.hygiene", "tencent.network", "tencent.storage", "uncatalogued"]
    );
    let sum = |key: &str| suites.iter().map(|s| attr(s, key).parse::<usize>().expect("count")).sum::<usize>();
    assert_eq!(sum("tests"), 8);
    assert_eq!(sum("failures"), 6);
    assert_eq!(sum("skipped"), 1);
    let skipped = elements.iter().find(|e| e.0 == "skipped").expect("skipped");
    assert_eq!(attr(skipped, "message"), "suppressed: legacy health check endpoint, expires 2027-03-31");
}

#[test]
fn junit_escapes_xml_specials_and_control_characters() {
    let mut report = report();
    let nasty = "a<b>&\"c\" 'd' ]]> \u{1b}[31mred\u{7} line\nbreak\ttab";
    let root_ak = finding_of(&mut report, "TC_CAM_ROOT_AK_ACTIVE");
    root_ak.message = nasty.into();
    root_ak.subject.id = "<id&>".into();
    root_ak.evidence = json!({ "ua": "</failure><x>" });
    let text = render(&report, &catalogue(), Format::Junit, &PLAIN);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "no raw control characters in XML");
    let (elements, content) = parse_xml(&text);
    let failure = elements
        .iter()
        .skip_while(|e| !(e.0 == "testcase" && attr(e, "name") == "TC_CAM_ROOT_AK_ACTIVE"))
        .find(|e| e.0 == "failure")
        .expect("failure");
    // Characters XML cannot carry are shown as escapes; the rest round-trips exactly,
    // newlines and tabs included.
    assert_eq!(attr(failure, "message"), "a<b>&\"c\" 'd' ]]> \\u{1b}[31mred\\u{7} line\nbreak\ttab");
    assert!(content.contains("subject: AccessKey/<id&>"), "{content}");
    assert!(content.contains("\"ua\": \"</failure><x>\""), "{content}");
}

// ---------------------------------------------------------------------------------------
// markdown
// ---------------------------------------------------------------------------------------

#[test]
fn markdown_escapes_pipes_and_markup_in_table_cells() {
    let mut report = report();
    let root_ak = finding_of(&mut report, "TC_CAM_ROOT_AK_ACTIVE");
    root_ak.message = "a | b `c` *d* <img src=x> \u{1b}[2J\nnext".into();
    root_ak.subject.id = "id|with`tick".into();
    let text = render(&report, &catalogue(), Format::Markdown, &PLAIN);
    let row = text.lines().find(|l| l.starts_with("| critical | `TC_CAM_ROOT_AK_ACTIVE`")).expect("the row");
    // Every unescaped `|` is a cell border: 5 of them for 4 columns.
    let borders = row.char_indices().filter(|&(i, c)| c == '|' && !row[..i].ends_with('\\')).count();
    assert_eq!(borders, 5, "{row}");
    assert!(row.contains("``AccessKey/id\\|with`tick``"), "{row}");
    assert!(row.contains("a \\| b \\`c\\` \\*d\\* \\<img src=x\\> \\\\u{1b}\\[2J\\\\nnext"), "{row}");
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("<summary><b>critical</b> TC_CAM_ROOT_AK_ACTIVE on AccessKey/id|with`tick: "));
}

#[test]
fn markdown_evidence_fence_outlasts_backticks_in_evidence() {
    let mut report = report();
    finding_of(&mut report, "TC_CAM_ROOT_AK_ACTIVE").evidence = json!({ "cmd": "```rm -rf```" });
    let text = render(&report, &catalogue(), Format::Markdown, &PLAIN);
    assert!(text.contains("````json\n{\n  \"cmd\": \"```rm -rf```\"\n}\n````\n"), "{text}");
}

// ---------------------------------------------------------------------------------------
// table
// ---------------------------------------------------------------------------------------

/// Terminal columns: CJK ideographs and full-width forms take two.
fn display_width(line: &str) -> usize {
    line.chars().map(|c| if matches!(c, '\u{3000}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}') { 2 } else { 1 }).sum()
}

#[test]
fn table_truncates_messages_to_the_width() {
    // The fixed columns take 85 of them, leaving 25 for messages.
    let width = 110;
    let text =
        render(&report(), &catalogue(), Format::Table, &RenderOptions { color: false, width, show_suppressed: false });
    let lines: Vec<&str> = text.lines().collect();
    let rows = &lines[..=report().findings.len()];
    for line in rows {
        assert!(display_width(line) <= width, "{} > {width}: {line}", display_width(line));
    }
    assert!(rows.iter().any(|l| l.ends_with('…')), "some message was cut:\n{text}");
    // The other columns are never cut.
    assert!(rows.iter().any(|l| l.contains("AccessKey/AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE")));
    // Without a width nothing is cut.
    let full = render(&report(), &catalogue(), Format::Table, &PLAIN);
    assert!(!full.contains('…'));
    assert!(full.contains("AKIDq3mNbX7c9vTy0EXAMPLE called 12 distinct read actions from 203.0.113.7 in 5 min"));
}

#[test]
fn table_truncates_by_display_width() {
    let mut report = report();
    finding_of(&mut report, "TC_CAM_ROOT_AK_ACTIVE").message =
        "根账号访问密钥 AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE 三天前被使用过，请立即删除该密钥".into();
    let text = render(
        &report,
        &catalogue(),
        Format::Table,
        &RenderOptions { color: false, width: 110, show_suppressed: false },
    );
    let row = text.lines().find(|l| l.contains("TC_CAM_ROOT_AK_ACTIVE")).expect("row");
    assert!(display_width(row) <= 110, "{} > 110: {row}", display_width(row));
    assert!(row.ends_with('…'), "{row}");
}

#[test]
fn table_keeps_messages_readable_on_a_very_narrow_terminal() {
    let text = render(
        &report(),
        &catalogue(),
        Format::Table,
        &RenderOptions { color: false, width: 10, show_suppressed: false },
    );
    let lines: Vec<&str> = text.lines().collect();
    // The fixed columns are whole and the message keeps 20 columns; lines overflow instead.
    assert!(lines[0].ends_with("MESSAGE"), "{text}");
    let row = lines.iter().find(|l| l.contains("TC_SG_ADMIN_PORTS_OPEN")).expect("row");
    assert!(row.contains("SecurityGroup/sg-0bastion "), "{text}");
    assert!(row.ends_with("  sg-0bastion accepts…"), "{text}");
}

#[test]
fn table_colours_only_when_asked() {
    let plain = render(
        &report(),
        &catalogue(),
        Format::Table,
        &RenderOptions { color: false, width: 200, show_suppressed: false },
    );
    assert!(!plain.contains('\u{1b}'), "never colour when color is false");
    let coloured = render(
        &report(),
        &catalogue(),
        Format::Table,
        &RenderOptions { color: true, width: 200, show_suppressed: false },
    );
    assert!(coloured.contains("\u{1b}[1m\u{1b}[31mcritical\u{1b}[0m"), "{coloured:?}");
    assert!(coloured.contains("\u{1b}[31mhigh\u{1b}[0m"));
    assert!(coloured.contains("\u{1b}[34mlow\u{1b}[0m"));
    assert!(coloured.contains("\u{1b}[2minfo\u{1b}[0m"));
    // Stripping the escapes gives the plain table back.
    let stripped = regex::Regex::new("\u{1b}\\[[0-9;]*m").expect("regex").replace_all(&coloured, "").into_owned();
    assert_eq!(stripped, plain);
}

#[test]
fn table_escapes_control_characters_from_the_snapshot() {
    let mut report = report();
    finding_of(&mut report, "TC_CAM_ROOT_AK_ACTIVE").message = "evil\u{1b}]0;pwned\u{7}\r\nmsg".into();
    let text = render(&report, &catalogue(), Format::Table, &PLAIN);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\r'));
    assert!(text.contains("evil\\u{1b}]0;pwned\\u{7}\\r\\nmsg"), "{text}");
}

#[test]
fn table_summary_line() {
    let text = out(Format::Table);
    assert!(
        text.ends_with("\n\n7 findings: 2 critical, 3 high, 1 low, 1 info; 1 suppressed; 7 rules evaluated in 41 ms\n"),
        "{text}"
    );
    let empty = render(&empty_report(), &[], Format::Table, &PLAIN);
    assert_eq!(empty, "No findings.\n7 rules evaluated in 2 ms\n");
}

// ---------------------------------------------------------------------------------------
// every format
// ---------------------------------------------------------------------------------------

#[test]
fn output_does_not_depend_on_the_order_of_the_input() {
    let mut shuffled = report();
    shuffled.findings.reverse();
    let mut catalogue_reversed = catalogue();
    catalogue_reversed.reverse();
    for format in Format::ALL {
        assert_eq!(
            render(&shuffled, &catalogue_reversed, format, &PLAIN),
            render(&report(), &catalogue(), format, &PLAIN),
            "{format}"
        );
    }
}
