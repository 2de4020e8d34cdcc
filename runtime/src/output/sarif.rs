//! `sarif`: SARIF 2.1.0 for code-scanning dashboards — one run whose tool is `rulec`.
//!
//! - `tool.driver.rules[]` is the catalogue, sorted by id: `shortDescription` is the title,
//!   `fullDescription` the doc comment (or the title), `help` the fix, `properties.tags` the
//!   controls, `defaultConfiguration.level` from the severity (critical/high → `error`,
//!   medium → `warning`, low/info → `note`). A finding whose rule is not in the catalogue
//!   (an attack-path finding, a stale catalogue) gets a descriptor made from the finding, so
//!   every `ruleIndex` points at its rule.
//! - `results[]`: the findings, then the suppressed findings with a `suppressions` entry
//!   (`kind: external`, the allowlist's reason as `justification`) — SARIF's way of keeping
//!   a result that was accepted. A result's location is logical,
//!   `{ name: id, kind: Type, fullyQualifiedName: "Type/id" }`, and, when the subject is an
//!   asset of the snapshot, physical too (GitHub code scanning shows only results with one):
//!   `artifactLocation.uri` is the snapshot file as given on the command line (relative, with
//!   `uriBaseId: "%SRCROOT%"`, or a `file://` URI for an absolute path) and `region.startLine`
//!   the line the asset's object starts on (for YAML the line of its `id` entry). The
//!   subject's `provider`, `account`, `region` and `name` are in `properties`. `partialFingerprints`
//!   carries a hash of rule and subject that stays the same from run to run, so dashboards
//!   recognise the same problem; evidence is in `properties.evidence`.
//!
//! The model below is the part of the SARIF object model rulec fills in, typed, so field
//! names are checked by the compiler and the tests validate the output against the schema.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use serde::Serialize;

use crate::plan::{Check, Severity};
use crate::report::{Finding, FindingKind, Report, SourceLine};

pub(super) const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub(super) const VERSION: &str = "2.1.0";
/// The project's home page (the workspace's `package.repository`).
pub(super) const INFORMATION_URI: &str = "https://example.invalid/rulec";
/// The `partialFingerprints` key; the `/v1` changes if the hashed input ever does.
pub(super) const FINGERPRINT_KEY: &str = "rulecSubjectHash/v1";

/// SARIF's `level` for a severity: critical/high → `error`, medium → `warning`, low/info →
/// `note`.
pub(super) fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's `security-severity` (a CVSS-like score) so its severity column
/// matches ours: it reads ≥ 9.0 as critical, ≥ 7.0 high, ≥ 4.0 medium, > 0 low. Info has
/// no security severity (GitHub then goes by `level`).
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Info => None,
    }
}

/// A stable hash of rule and subject, as 16 hex digits: FNV-1a 64 of `rule \0 type \0 id`.
/// FNV-1a is fixed by its definition (unlike `std`'s hasher), so the value never changes
/// between builds or versions; the NULs keep (`ab`, `c`) and (`a`, `bc`) apart.
pub(super) fn fingerprint(finding: &Finding) -> String {
    let input = [finding.rule.as_bytes(), &[0], finding.subject.ty.as_bytes(), &[0], finding.subject.id.as_bytes()];
    format!("{:016x}", fnv1a64(input.into_iter().flatten().copied()))
}

fn fnv1a64(bytes: impl IntoIterator<Item = u8>) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.into_iter().fold(OFFSET_BASIS, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Message<'a>,
    full_description: Message<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Message<'a>>,
    default_configuration: ReportingConfiguration,
    properties: RuleProperties<'a>,
}

impl<'a> ReportingDescriptor<'a> {
    /// One rule's entry, from the catalogue or, for rules it lacks, from a finding.
    fn new(
        id: &'a str,
        title: &'a str,
        description: &'a str,
        fix: Option<&'a str>,
        severity: Severity,
        controls: &'a [String],
        pack: Option<&'a str>,
    ) -> Self {
        ReportingDescriptor {
            id,
            name: id,
            short_description: Message { text: title },
            full_description: Message { text: description },
            help: fix.map(|text| Message { text }),
            default_configuration: ReportingConfiguration { level: level(severity) },
            properties: RuleProperties {
                tags: controls,
                severity: severity.as_str(),
                security_severity: security_severity(severity),
                pack,
            },
        }
    }
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct ReportingConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: &'a [String],
    severity: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pack: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message<'a>,
    locations: [Location<'a>; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'a>; 1]>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

/// The base a relative `uri` is resolved against: the checked-out repository, for GitHub.
const SOURCE_ROOT: &str = "%SRCROOT%";

impl PhysicalLocation {
    fn new(source: &SourceLine) -> PhysicalLocation {
        let file = &source.file;
        let artifact_location = if file.is_absolute() {
            let uri = url::Url::from_file_path(file).map_or_else(|()| file.display().to_string(), String::from);
            ArtifactLocation { uri, uri_base_id: None }
        } else {
            let segments: Vec<String> = file
                .components()
                .map(|c| {
                    let text = c.as_os_str().to_string_lossy();
                    percent_encoding::utf8_percent_encode(&text, URI_SEGMENT).to_string()
                })
                .collect();
            ArtifactLocation { uri: segments.join("/"), uri_base_id: Some(SOURCE_ROOT) }
        };
        PhysicalLocation { artifact_location, region: Region { start_line: source.line.unwrap_or(1) } }
    }
}

/// What a path segment of a URI must escape: controls, space, and the characters that end or
/// delimit a segment or have a meaning in a URI.
const URI_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    kind: &'a str,
    fully_qualified_name: String,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    kind: &'static str,
    severity: &'static str,
    title: &'a str,
    controls: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    evidence: &'a serde_json::Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    snapshot_taken_at: &'a str,
    snapshot_assets: usize,
    snapshot_events: usize,
    rules_evaluated: usize,
    duration_ms: u64,
}

pub(super) fn render(report: &Report, catalogue: &[Check], out: &mut String) -> fmt::Result {
    let rules = Rules::new(report, catalogue);
    let mut results: Vec<SarifResult<'_>> = report.findings.iter().map(|f| result(f, &rules, None)).collect();
    results.extend(report.suppressed.iter().map(|s| result(&s.finding, &rules, Some(&s.reason))));
    let log = Log {
        schema: SCHEMA,
        version: VERSION,
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "rulec",
                    version: &report.rulec_version,
                    information_uri: INFORMATION_URI,
                    rules: rules.descriptors,
                },
            },
            results,
            properties: RunProperties {
                snapshot_taken_at: &report.snapshot.taken_at,
                snapshot_assets: report.snapshot.assets,
                snapshot_events: report.snapshot.events,
                rules_evaluated: report.summary.rules_evaluated,
                duration_ms: report.summary.duration_ms,
            },
        }],
    };
    let text = serde_json::to_string_pretty(&log).expect("INVARIANT: the SARIF model serialises");
    out.push_str(&text);
    out.write_char('\n')
}

fn result<'a>(finding: &'a Finding, rules: &Rules<'a>, suppressed_because: Option<&'a str>) -> SarifResult<'a> {
    SarifResult {
        rule_id: &finding.rule,
        rule_index: rules.index(&finding.rule),
        level: level(finding.severity),
        message: Message { text: &finding.message },
        locations: [Location {
            physical_location: finding.subject.source.as_ref().map(PhysicalLocation::new),
            logical_locations: [LogicalLocation {
                name: &finding.subject.id,
                kind: &finding.subject.ty,
                fully_qualified_name: super::subject_name(finding),
            }],
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint(finding))]),
        suppressions: suppressed_because
            .map(|reason| [Suppression { kind: "external", status: "accepted", justification: reason }]),
        properties: ResultProperties {
            kind: match finding.kind {
                FindingKind::Rule => "rule",
                FindingKind::Alarm => "alarm",
                FindingKind::Path => "path",
            },
            severity: finding.severity.as_str(),
            title: &finding.title,
            controls: &finding.controls,
            provider: finding.subject.provider.as_deref(),
            account: finding.subject.account.as_deref(),
            region: finding.subject.region.as_deref(),
            name: finding.subject.name.as_deref(),
            evidence: &finding.evidence,
        },
    }
}

/// `rules[]` and where each rule id is in it.
struct Rules<'a> {
    descriptors: Vec<ReportingDescriptor<'a>>,
    index: BTreeMap<&'a str, usize>,
}

impl<'a> Rules<'a> {
    /// The catalogue sorted by id (the first of a duplicated id wins), then descriptors for
    /// the rules of findings the catalogue lacks.
    fn new(report: &'a Report, catalogue: &'a [Check]) -> Rules<'a> {
        let mut checks: BTreeMap<&str, &Check> = BTreeMap::new();
        for check in catalogue {
            checks.entry(&check.id).or_insert(check);
        }
        let mut descriptors = Vec::new();
        let mut index = BTreeMap::new();
        for (id, check) in checks {
            index.insert(id, descriptors.len());
            let description = check.doc.as_deref().unwrap_or(&check.title);
            descriptors.push(ReportingDescriptor::new(
                id,
                &check.title,
                description,
                check.fix.as_deref(),
                check.severity,
                &check.controls,
                Some(&check.pack),
            ));
        }
        let all = report.findings.iter().chain(report.suppressed.iter().map(|s| &s.finding));
        for finding in all {
            if index.contains_key(finding.rule.as_str()) {
                continue;
            }
            index.insert(&finding.rule, descriptors.len());
            let f = finding;
            descriptors.push(ReportingDescriptor::new(
                &f.rule,
                &f.title,
                &f.title,
                f.fix.as_deref(),
                f.severity,
                &f.controls,
                None,
            ));
        }
        Rules { descriptors, index }
    }

    fn index(&self, rule: &str) -> usize {
        *self.index.get(rule).expect("INVARIANT: Rules::new made a descriptor for every finding's rule")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        // From the FNV reference test suite (Fowler/Noll/Vo).
        assert_eq!(fnv1a64(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(*b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fingerprint_separates_fields() {
        let finding = |rule: &str, ty: &str, id: &str| Finding {
            rule: rule.into(),
            kind: FindingKind::Rule,
            severity: Severity::Low,
            title: "t".into(),
            subject: crate::report::Subject::new(ty, id),
            message: "m".into(),
            evidence: serde_json::Value::Null,
            controls: vec![],
            fix: None,
            history: None,
        };
        assert_eq!(fingerprint(&finding("R", "T", "i")), format!("{:016x}", fnv1a64(*b"R\0T\0i")));
        assert_ne!(fingerprint(&finding("ab", "c", "d")), fingerprint(&finding("a", "bc", "d")));
        assert_eq!(fingerprint(&finding("R", "T", "i")).len(), 16);
    }
}
