//! `rulec check --profile`: which checks the evaluation spent its time on, printed on standard
//! error after the run so the report itself is unchanged (docs/performance.md, "Finding slow
//! checks").

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use rulec_runtime::eval::Profile;
use rulec_runtime::plan::CheckKind;
use rulec_runtime::report::Finding;

#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct ProfileArgs {
    /// After the report, print on standard error what each check cost: evaluation steps (the
    /// same on every machine) and time summed over threads, slowest first
    #[arg(long)]
    pub profile: bool,
    /// How many checks --profile lists (0: all)
    #[arg(long, value_name = "N", default_value_t = 20, requires = "profile")]
    pub profile_limit: usize,
}

/// The phases of a run around the per-check costs.
pub(crate) struct Phases {
    /// From the start of the command to the start of evaluation: compiling, loading.
    pub before: Duration,
    /// Evaluating every selected check, wall time.
    pub evaluation: Duration,
}

/// The profile as text: a line of phases, then one row per check, by time (then steps, then
/// id), at most `limit` rows (0: all).
pub(crate) fn render(
    profile: &Profile,
    phases: &Phases,
    subjects: &BTreeMap<String, usize>,
    findings: &[Finding],
    limit: usize,
) -> String {
    let mut found: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        *found.entry(finding.rule.as_str()).or_default() += 1;
    }
    let mut checks: Vec<_> = profile.checks.iter().collect();
    checks.sort_by(|a, b| b.time.cmp(&a.time).then(b.steps.cmp(&a.steps)).then(a.id.cmp(&b.id)));
    let total: Duration = checks.iter().map(|c| c.time).sum();
    let shown = if limit == 0 { checks.len() } else { limit.min(checks.len()) };
    let mut out = format!(
        "profile: compile and load {}, evaluation {} (wall), of which resource graph {}, event indexes {}; {} checks took {} summed over threads\n",
        ms(phases.before),
        ms(phases.evaluation),
        ms(profile.graph),
        ms(profile.indexes),
        checks.len(),
        ms(total),
    );
    let _ = writeln!(
        out,
        "{:>10}  {:>6}  {:>14}  {:<5}  {:>9}  {:>8}  check",
        "time", "share", "steps", "kind", "subjects", "findings"
    );
    for cost in &checks[..shown] {
        let share = if total.is_zero() { 0.0 } else { 100.0 * cost.time.as_secs_f64() / total.as_secs_f64() };
        let kind = match cost.kind {
            CheckKind::Rule => "rule",
            CheckKind::Alarm => "alarm",
        };
        let _ = writeln!(
            out,
            "{:>10}  {:>5.1}%  {:>14}  {:<5}  {:>9}  {:>8}  {}",
            ms(cost.time),
            share,
            cost.steps,
            kind,
            subjects.get(&cost.id).copied().unwrap_or(0),
            found.get(cost.id.as_str()).copied().unwrap_or(0),
            cost.id,
        );
    }
    if shown < checks.len() {
        let _ = writeln!(out, "... {} more (--profile-limit 0 lists all)", checks.len() - shown);
    }
    out
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rulec_runtime::eval::CheckCost;

    fn cost(id: &str, kind: CheckKind, steps: u64, ms: u64) -> CheckCost {
        CheckCost { id: id.to_owned(), kind, steps, time: Duration::from_millis(ms) }
    }

    #[test]
    fn checks_are_listed_slowest_first_with_their_share_and_the_rest_counted() {
        let profile = Profile {
            checks: vec![
                cost("FAST", CheckKind::Rule, 10, 1),
                cost("SLOW", CheckKind::Alarm, 5_000, 30),
                cost("MIDDLE", CheckKind::Rule, 700, 9),
            ],
            graph: Duration::from_millis(4),
            indexes: Duration::from_millis(3),
        };
        let phases = Phases { before: Duration::from_millis(120), evaluation: Duration::from_millis(25) };
        let subjects = BTreeMap::from([("SLOW".to_owned(), 1000), ("MIDDLE".to_owned(), 10), ("FAST".to_owned(), 10)]);
        insta::assert_snapshot!(render(&profile, &phases, &subjects, &[], 2));
    }
}
