//! The result of a run, in the shape of CLI.md's JSON contract. Every output format renders
//! a [`Report`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plan::Severity;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub rulec_version: String,
    pub snapshot: SnapshotInfo,
    pub findings: Vec<Finding>,
    /// Present with `--framework`: every control's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<crate::compliance::Compliance>,
    pub suppressed: Vec<Suppressed>,
    pub summary: Summary,
    /// Present with `--store`: findings of the previous recorded run this run no longer
    /// reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Vec<crate::history::Resolved>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    pub taken_at: String,
    pub assets: usize,
    pub events: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    Rule,
    Alarm,
    Path,
}

impl FindingKind {
    /// The name the JSON output uses.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Rule => "rule",
            FindingKind::Alarm => "alarm",
            FindingKind::Path => "path",
        }
    }
}

/// What a finding is about: an asset (rules, paths), an access key or grouping key (alarms).
///
/// `type` and `id` name it. When it is an asset of the snapshot, [`describe_subjects`] adds
/// the asset's `provider`, `account`, `region` and `name` (each left out when the asset has
/// none), so a reader can tell where it is without opening the snapshot, and the place it
/// was read from, for SARIF.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    #[serde(rename = "type")]
    pub ty: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the asset was read; not part of the JSON contract (SARIF's physical location).
    #[serde(skip)]
    pub source: Option<SourceLine>,
}

/// The snapshot file an asset was read from and the line its object starts on (YAML: the
/// line of its `id` entry; `None` when the reader did not record it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceLine {
    pub file: std::path::PathBuf,
    pub line: Option<u32>,
}

impl Subject {
    /// A subject named by type and id, with nothing known about it yet.
    pub fn new(ty: impl Into<String>, id: impl Into<String>) -> Subject {
        Subject { ty: ty.into(), id: id.into(), ..Subject::default() }
    }
}

/// Fills in each subject that is an asset of `store` with its provider, account, region,
/// name and source line (see [`Subject`]); other subjects are left as they are.
pub fn describe_subjects<'f>(
    plan: &crate::plan::Plan,
    store: &crate::snapshot::Store,
    subjects: impl IntoIterator<Item = &'f mut Subject>,
) {
    use crate::plan::TypeKind;
    let types: BTreeMap<&str, u32> = plan
        .types
        .iter()
        .zip(0u32..)
        .filter(|(t, _)| t.kind == TypeKind::Asset)
        .map(|(t, i)| (t.name.as_str(), i))
        .collect();
    for subject in subjects {
        let Some(&ty) = types.get(subject.ty.as_str()) else { continue };
        let Some(row) = store.row_of(ty, &subject.id) else { continue };
        let Some(record) = store.rows(ty).get(row as usize) else { continue };
        let fields = &plan.types[ty as usize].fields;
        let text = |name: &str| {
            let i = fields.iter().position(|f| f.name == name)?;
            match record.fields().get(i)? {
                crate::value::Value::None => None,
                value => Some(value.to_string()),
            }
        };
        subject.provider = text("provider");
        subject.account = text("account");
        subject.region = text("region");
        subject.name = text("name");
        subject.source =
            store.source_line(ty, row as usize).map(|(file, line)| SourceLine { file: file.to_path_buf(), line });
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub kind: FindingKind,
    pub severity: Severity,
    pub title: String,
    pub subject: Subject,
    pub message: String,
    pub evidence: serde_json::Value,
    /// `framework/control`.
    pub controls: Vec<String>,
    pub fix: Option<String>,
    /// Present with `--store`: new or open relative to the previous run, since when, and the
    /// team's triage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::history::FindingHistory>,
}

/// A finding an allowlist entry matched: kept, with the entry's reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Counts of reported (not suppressed) findings, by severity name.
    pub by_severity: BTreeMap<String, usize>,
    pub rules_evaluated: usize,
    pub duration_ms: u64,
}

impl Finding {
    /// CLI.md's order: severity descending, then rule, subject type, subject id; message and
    /// evidence break the remaining ties so output never depends on evaluation order.
    pub fn sort_key(&self) -> (std::cmp::Reverse<Severity>, &str, &str, &str, &str, String) {
        (
            std::cmp::Reverse(self.severity),
            &self.rule,
            &self.subject.ty,
            &self.subject.id,
            &self.message,
            self.evidence.to_string(),
        )
    }
}

/// Sorts findings into the order every output uses.
pub fn sort_findings(findings: &mut [Finding]) {
    // The evidence text breaks ties only: rendering it for every comparison dominated the
    // sort of a large report.
    fn key(f: &Finding) -> (std::cmp::Reverse<Severity>, &str, &str, &str, &str) {
        (std::cmp::Reverse(f.severity), &f.rule, &f.subject.ty, &f.subject.id, &f.message)
    }
    findings.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.evidence.to_string().cmp(&b.evidence.to_string())));
}

impl Summary {
    pub fn count(findings: &[Finding], rules_evaluated: usize, duration_ms: u64) -> Summary {
        let mut by_severity = BTreeMap::new();
        for f in findings {
            *by_severity.entry(f.severity.as_str().to_owned()).or_insert(0) += 1;
        }
        Summary { by_severity, rules_evaluated, duration_ms }
    }
}
