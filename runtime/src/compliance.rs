//! The compliance section of a report (`rulec check --framework F`): every control of the
//! framework as passed, failed (with the findings that fail it), not evaluated, without
//! resources, manual or not covered.
//!
//! A control is **covered** when some evaluated check cites it; it **fails** when one of
//! those checks has a finding; it is **not evaluated** when, without findings, one of those
//! checks reads data the snapshot's `coverage` section says was not (fully) collected — an
//! absent answer proves nothing; it has **no resources** when the data was collected but its
//! checks had no subject to judge (no asset or event of their types) — nothing was shown to
//! comply; and it **passes** otherwise: some subject was judged and none failed. A control no
//! evaluated check cites is **manual** when the framework marks it so (the standard expects a
//! person to audit it, so the report owes the auditor a reminder, not a gap) and **not
//! covered** otherwise. A manual control that checks do cite is judged by them like any other:
//! their findings are evidence either way. Suppressed findings do not fail a
//! control: an allowlist entry is an accepted risk with a recorded reason, and the report
//! lists it under `suppressed`. Controls keep the framework's declaration order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::coverage::{CoverageEntry, check_gap};
use crate::plan::{Check, Plan};
use crate::report::Finding;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Compliance {
    pub framework: String,
    pub title: String,
    pub controls: Vec<ControlStatus>,
    pub summary: ComplianceSummary,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlStatus {
    pub id: String,
    pub summary: String,
    pub status: Status,
    /// The evaluated checks that cite the control, by id.
    pub rules: Vec<String>,
    /// How many subjects those checks judged (assets of their `for` types, events of their
    /// `on` types, summed): a control passes only when this is not zero.
    pub subjects: usize,
    /// The findings of those checks, as `{rule, subject}`.
    pub findings: Vec<ControlFinding>,
    /// Why a control is not evaluated: the data its checks read that was not collected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_collected: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlFinding {
    pub rule: String,
    pub subject: crate::report::Subject,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    NotEvaluated,
    NoResources,
    Manual,
    NotCovered,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::NotEvaluated => "not evaluated",
            Status::NoResources => "no resources",
            Status::Manual => "manual",
            Status::NotCovered => "not covered",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceSummary {
    pub passed: usize,
    pub failed: usize,
    #[serde(default)]
    pub not_evaluated: usize,
    #[serde(default)]
    pub no_resources: usize,
    /// Controls marked `manual` that no evaluated check cites.
    #[serde(default)]
    pub manual: usize,
    pub not_covered: usize,
}

impl std::fmt::Display for ComplianceSummary {
    /// `3 passed, 2 failed, 40 not covered` (and `1 not evaluated`, `1 no resources`,
    /// `4 manual` when there are such), as every format's heading says it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} passed, {} failed, ", self.passed, self.failed)?;
        if self.not_evaluated > 0 {
            write!(f, "{} not evaluated, ", self.not_evaluated)?;
        }
        if self.no_resources > 0 {
            write!(f, "{} no resources, ", self.no_resources)?;
        }
        if self.manual > 0 {
            write!(f, "{} manual, ", self.manual)?;
        }
        write!(f, "{} not covered", self.not_covered)
    }
}

/// Why a compliance section cannot be made.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown framework `{name}`; the loaded frameworks are: {known}")]
pub struct UnknownFramework {
    pub name: String,
    /// The loaded framework closest to `name`, when it is a plausible typo.
    pub suggestion: Option<String>,
    pub known: String,
}

impl UnknownFramework {
    /// `did you mean `cis.alibaba`?`, for the CLI's `help:` line.
    pub fn help(&self) -> Option<String> {
        self.suggestion.as_ref().map(|s| format!("did you mean `{s}`?"))
    }
}

/// The plan's framework named `name`, or the error suggesting the closest and listing the
/// known ones.
pub fn find_framework<'p>(plan: &'p Plan, name: &str) -> Result<&'p crate::plan::Framework, UnknownFramework> {
    plan.frameworks.iter().find(|f| f.name == name).ok_or_else(|| {
        let names: Vec<&str> = plan.frameworks.iter().map(|f| f.name.as_str()).collect();
        UnknownFramework {
            name: name.to_owned(),
            suggestion: crate::config::closest(name, &names).map(str::to_owned),
            known: names.join(", "),
        }
    })
}

/// The checks of `plan` that cite `control` of framework `fw`, in plan order.
pub fn citing<'p>(plan: &'p Plan, fw: &str, control: &str) -> impl Iterator<Item = &'p Check> {
    let key = format!("{fw}/{control}");
    plan.checks.iter().filter(move |c| c.controls.contains(&key))
}

/// The status of every control of `framework`, given the checks that ran with the number of
/// subjects each judged ([`crate::eval::Outcome::subjects`]), their findings (sorted,
/// unsuppressed) and the snapshot's coverage section (empty when it has none).
pub fn assess(
    plan: &Plan,
    framework: &str,
    subjects: &BTreeMap<String, usize>,
    findings: &[Finding],
    coverage: &[CoverageEntry],
) -> Result<Compliance, UnknownFramework> {
    let fw = find_framework(plan, framework)?;
    let mut summary = ComplianceSummary::default();
    let controls = fw
        .controls
        .iter()
        .map(|control| {
            let key = format!("{}/{}", fw.name, control.id);
            let rules: Vec<String> = citing(plan, &fw.name, &control.id)
                .filter(|c| subjects.contains_key(&c.id))
                .map(|c| c.id.clone())
                .collect();
            let hits: Vec<ControlFinding> = findings
                .iter()
                .filter(|f| f.controls.contains(&key) && rules.contains(&f.rule))
                .map(|f| ControlFinding { rule: f.rule.clone(), subject: f.subject.clone() })
                .collect();
            let judged: usize = rules.iter().filter_map(|id| subjects.get(id)).sum();
            let mut not_collected = Vec::new();
            let status = if rules.is_empty() && control.manual {
                summary.manual += 1;
                Status::Manual
            } else if rules.is_empty() {
                summary.not_covered += 1;
                Status::NotCovered
            } else if !hits.is_empty() {
                summary.failed += 1;
                Status::Failed
            } else {
                not_collected = plan
                    .checks
                    .iter()
                    .filter(|c| rules.contains(&c.id))
                    .filter_map(|c| check_gap(plan, coverage, c).map(|gap| format!("{}: {gap}", c.id)))
                    .collect();
                if !not_collected.is_empty() {
                    summary.not_evaluated += 1;
                    Status::NotEvaluated
                } else if judged == 0 {
                    summary.no_resources += 1;
                    Status::NoResources
                } else {
                    summary.passed += 1;
                    Status::Passed
                }
            };
            ControlStatus {
                id: control.id.clone(),
                summary: control.summary.clone(),
                status,
                rules,
                subjects: judged,
                findings: hits,
                not_collected,
            }
        })
        .collect();
    Ok(Compliance { framework: fw.name.clone(), title: fw.title.clone(), controls, summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Control, Framework};

    use crate::plan::test_check as check;

    #[test]
    fn plans_without_manual_flags_still_load_and_automated_controls_omit_it() {
        let old: Control = serde_json::from_str(r#"{"id": "1", "summary": "s"}"#).expect("a control");
        assert!(!old.manual);
        assert_eq!(serde_json::to_string(&old).expect("json"), r#"{"id":"1","summary":"s"}"#);
    }

    #[test]
    fn a_manual_control_no_evaluated_check_cites_is_manual_not_uncovered() {
        let control = |id: &str, manual| Control { id: id.into(), summary: id.into(), manual };
        let plan = Plan {
            format: "1".into(),
            compiler_version: "0".into(),
            types: vec![],
            consts: vec![],
            functions: vec![],
            checks: vec![check("CITES_2", &["demo/2"]), check("NOT_RUN", &["demo/3"])],
            edges: vec![],
            frameworks: vec![Framework {
                name: "demo".into(),
                title: "Demo".into(),
                controls: vec![control("1", false), control("2", true), control("3", true)],
            }],
        };
        let subjects = BTreeMap::from([("CITES_2".to_owned(), 4)]);
        let c = assess(&plan, "demo", &subjects, &[], &[]).expect("known");
        let statuses: Vec<Status> = c.controls.iter().map(|k| k.status).collect();
        // A cited manual control is judged by its checks; one whose checks did not run is manual.
        assert_eq!(statuses, [Status::NotCovered, Status::Passed, Status::Manual]);
        assert_eq!(c.summary.to_string(), "1 passed, 0 failed, 1 manual, 1 not covered");
    }
}
