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

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    #[serde(rename = "type")]
    pub ty: String,
    pub id: String,
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
