//! `rulec explain RULE SNAPSHOT` (no `--asset`): the rule as its pack declares it and a
//! summary of where it fires in the snapshot, ending with the command that explains one asset.

use std::fmt::Write as _;
use std::path::PathBuf;

use rulec_runtime::eval::Survey;
use rulec_runtime::plan::Plan;

use super::RuleSource;

/// At most this many fired subjects (and evaluation errors) are listed; the rest are counted.
const MAX_LISTED: usize = 20;

/// The overview as printed: the rule's metadata, its source, then the survey.
pub(super) fn render(plan: &Plan, survey: &Survey, source: Option<&RuleSource>, snapshots: &[PathBuf]) -> String {
    let mut out = String::new();
    // INVARIANT: the survey was made from this plan, so the check is in it.
    let Some(check) = plan.checks.iter().find(|c| c.id == survey.rule) else { return out };
    let _ = writeln!(out, "{}: {}", check.id, check.title);
    let _ = writeln!(out, "  severity  {}", check.severity.as_str());
    let _ = writeln!(out, "  for       {}", survey.subject_type);
    if !check.controls.is_empty() {
        let _ = writeln!(out, "  controls  {}", check.controls.join(", "));
    }
    if let Some(fix) = &check.fix {
        let _ = writeln!(out, "  fix       {fix}");
    }
    if let Some(source) = source {
        let _ = writeln!(out, "  source    {}:{}\n", source.path, source.line);
        for line in source.text.lines() {
            // Blank lines stay empty: no trailing spaces.
            let _ = if line.trim().is_empty() { writeln!(out) } else { writeln!(out, "    {line}") };
        }
    }
    out.push('\n');
    write_survey(&mut out, survey, check.filter.is_some());
    let snapshots: Vec<String> = snapshots.iter().map(|p| p.display().to_string()).collect();
    let _ = writeln!(
        out,
        "\nWhy it fires or not on one asset: rulec explain {} --asset ID {}",
        survey.rule,
        snapshots.join(" ")
    );
    out
}

/// How many subjects there are, how many `where` kept, which fired, which failed.
fn write_survey(out: &mut String, survey: &Survey, has_filter: bool) {
    let ty = &survey.subject_type;
    let kept =
        if has_filter { format!("{} pass `where`", survey.passed) } else { "all considered (no `where`)".to_owned() };
    let _ = writeln!(out, "In the snapshot: {} {ty} assets, {kept}, fires on {}", survey.subjects, survey.fired.len());
    for id in survey.fired.iter().take(MAX_LISTED) {
        let _ = writeln!(out, "  {ty}/{id}");
    }
    write_more(out, survey.fired.len());
    if !survey.errors.is_empty() {
        let _ = writeln!(out, "Evaluation errors on {} ({ty} assets a run would stop on):", survey.errors.len());
        for e in survey.errors.iter().take(MAX_LISTED) {
            let _ = writeln!(out, "  {}/{}: {}", e.subject.ty, e.subject.id, e.message);
        }
        write_more(out, survey.errors.len());
    }
}

/// `  and N more` when a list of `total` was cut at [`MAX_LISTED`].
fn write_more(out: &mut String, total: usize) {
    if total > MAX_LISTED {
        let _ = writeln!(out, "  and {} more", total - MAX_LISTED);
    }
}
