//! `rulec rules --framework F --coverage`: what the packs can say about each control of a
//! framework before any snapshot is read — the checks that evidence it, or `manual` (the
//! standard expects a person to audit it), or `not covered` (nothing does: work an auditor
//! must do by hand, and a gap in the catalogue).
//!
//! Unlike the compliance section of `rulec check`, this is about the catalogue, not an
//! estate: a control is covered when any check of the plan cites it, whatever a snapshot
//! holds. A manual control that checks cite counts as covered (the checks automate part of
//! its audit) and keeps `manual: true` in the JSON. Controls keep the framework's order.

use std::fmt::Write as _;

use serde::Serialize;

use super::rules::RulesFormat;
use crate::compliance::{UnknownFramework, citing, find_framework};
use crate::plan::Plan;

/// How the catalogue accounts for one control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    Covered,
    Manual,
    NotCovered,
}

impl CoverageStatus {
    fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Covered => "covered",
            CoverageStatus::Manual => "manual",
            CoverageStatus::NotCovered => "not covered",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ControlCoverage {
    pub id: String,
    pub summary: String,
    pub status: CoverageStatus,
    /// Marked `manual` in the framework, whether or not checks cite it.
    pub manual: bool,
    /// The ids of the checks that cite the control, sorted.
    pub checks: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CoverageSummary {
    pub controls: usize,
    pub covered: usize,
    pub manual: usize,
    pub not_covered: usize,
}

impl std::fmt::Display for CoverageSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} controls: {} covered, {} manual, {} not covered",
            self.controls, self.covered, self.manual, self.not_covered
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameworkCoverage {
    pub framework: String,
    pub title: String,
    pub controls: Vec<ControlCoverage>,
    pub summary: CoverageSummary,
}

/// How the plan's checks account for every control of `framework`.
pub fn coverage(plan: &Plan, framework: &str) -> Result<FrameworkCoverage, UnknownFramework> {
    let fw = find_framework(plan, framework)?;
    let mut summary = CoverageSummary { controls: fw.controls.len(), ..CoverageSummary::default() };
    let controls = fw
        .controls
        .iter()
        .map(|control| {
            let mut checks: Vec<String> = citing(plan, &fw.name, &control.id).map(|c| c.id.clone()).collect();
            checks.sort();
            let status = if !checks.is_empty() {
                summary.covered += 1;
                CoverageStatus::Covered
            } else if control.manual {
                summary.manual += 1;
                CoverageStatus::Manual
            } else {
                summary.not_covered += 1;
                CoverageStatus::NotCovered
            };
            ControlCoverage {
                id: control.id.clone(),
                summary: control.summary.clone(),
                status,
                manual: control.manual,
                checks,
            }
        })
        .collect();
    Ok(FrameworkCoverage { framework: fw.name.clone(), title: fw.title.clone(), controls, summary })
}

/// The coverage of `framework` in one of `rulec rules`'s formats.
pub fn render_coverage(plan: &Plan, framework: &str, format: RulesFormat) -> Result<String, UnknownFramework> {
    let cov = coverage(plan, framework)?;
    Ok(match format {
        RulesFormat::Table => table(&cov),
        RulesFormat::Json => super::json_document(&serde_json::json!({ "coverage": cov })),
        RulesFormat::Markdown => markdown(&cov),
    })
}

/// One line per control: id, status, title, then the checks in brackets (as the compliance
/// section lists findings), and the summary line last.
fn table(cov: &FrameworkCoverage) -> String {
    let id = cov.controls.iter().map(|c| c.id.chars().count()).max().unwrap_or(0).max("CONTROL".len());
    let mut out = format!("{} ({})\n{:<id$}  {:<11}  TITLE\n", cov.framework, cov.title, "CONTROL", "STATUS");
    for c in &cov.controls {
        let _ = write!(out, "{:<id$}  {:<11}  {}", c.id, c.status.as_str(), c.summary);
        if !c.checks.is_empty() {
            let _ = write!(out, " [{}]", c.checks.join(", "));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\n{}", cov.summary);
    out
}

fn markdown(cov: &FrameworkCoverage) -> String {
    let mut out = format!("# Coverage of `{}` ({})\n\n{}.\n\n", cov.framework, cov.title, cov.summary);
    out.push_str("| control | status | title | checks |\n|---|---|---|---|\n");
    for c in &cov.controls {
        let checks: Vec<String> = c.checks.iter().map(|id| format!("`{id}`")).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            c.id,
            c.status.as_str(),
            c.summary.replace('|', "\\|"),
            checks.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Control, Framework};

    use crate::plan::test_check as check;

    fn plan() -> Plan {
        let control = |id: &str, manual| Control { id: id.into(), summary: format!("control {id}"), manual };
        Plan {
            format: "1".into(),
            compiler_version: "0".into(),
            types: vec![],
            consts: vec![],
            functions: vec![],
            checks: vec![check("B_CHECK", &["demo/1", "demo/2"]), check("A_CHECK", &["demo/1", "other/1"])],
            edges: vec![],
            frameworks: vec![Framework {
                name: "demo".into(),
                title: "Demo".into(),
                controls: vec![control("1", false), control("2", true), control("3", true), control("4", false)],
            }],
        }
    }

    #[test]
    fn every_control_is_covered_manual_or_not_covered_in_framework_order() {
        let cov = coverage(&plan(), "demo").expect("known");
        let got: Vec<(&str, CoverageStatus, Vec<String>)> =
            cov.controls.iter().map(|c| (c.id.as_str(), c.status, c.checks.clone())).collect();
        assert_eq!(
            got,
            [
                ("1", CoverageStatus::Covered, vec!["A_CHECK".to_owned(), "B_CHECK".to_owned()]),
                ("2", CoverageStatus::Covered, vec!["B_CHECK".to_owned()]),
                ("3", CoverageStatus::Manual, vec![]),
                ("4", CoverageStatus::NotCovered, vec![]),
            ]
        );
        assert!(cov.controls[1].manual, "a cited manual control stays marked manual");
        assert_eq!(cov.summary.to_string(), "4 controls: 2 covered, 1 manual, 1 not covered");
    }

    #[test]
    fn an_unknown_framework_suggests_the_closest() {
        let err = coverage(&plan(), "dmeo").expect_err("unknown");
        assert_eq!(err.to_string(), "unknown framework `dmeo`; the loaded frameworks are: demo");
        assert_eq!(err.help().as_deref(), Some("did you mean `demo`?"));
    }

    #[test]
    fn the_table_ends_with_the_summary_line() {
        let text = render_coverage(&plan(), "demo", RulesFormat::Table).expect("known");
        assert!(text.contains("1        covered      control 1 [A_CHECK, B_CHECK]\n"), "{text}");
        assert!(text.ends_with("\n4 controls: 2 covered, 1 manual, 1 not covered\n"), "{text}");
    }
}
