//! What changed between two runs: findings that appeared or were resolved, tests whose
//! verdict changed. Pure functions of the two runs' results.

use std::collections::{BTreeMap, HashMap};

use rulec_compiler::testing::Verdict;
use rulec_runtime::report::Finding;

/// A finding's identity across runs: rule, subject type, subject id and message. The message
/// is part of it because an alarm or a path can report one subject several times with
/// different messages, and because a message that changes (`accepts [22]` becoming
/// `accepts [22, 3389]`) is worth showing. Evidence (large, and reordered by unrelated data)
/// and severity (moved only by a configuration override) are not.
type Identity<'a> = (&'a str, &'a str, &'a str, &'a str);

fn identity(f: &Finding) -> Identity<'_> {
    (&f.rule, &f.subject.ty, &f.subject.id, &f.message)
}

/// The findings of one run not in the other, each way, in report order.
pub(super) struct FindingChanges<'a> {
    pub(super) new: Vec<&'a Finding>,
    pub(super) resolved: Vec<&'a Finding>,
}

/// Compares two runs' findings as multisets of identities: two equal findings in one run
/// need two in the other.
pub(super) fn findings<'a>(before: &'a [Finding], after: &'a [Finding]) -> FindingChanges<'a> {
    FindingChanges { new: missing_from(after, before), resolved: missing_from(before, after) }
}

/// The findings of `from` that `other` does not have, sorted as reports sort them.
fn missing_from<'a>(from: &'a [Finding], other: &[Finding]) -> Vec<&'a Finding> {
    let mut left: BTreeMap<Identity<'_>, usize> = BTreeMap::new();
    for f in other {
        *left.entry(identity(f)).or_default() += 1;
    }
    let mut missing: Vec<&Finding> = from
        .iter()
        .filter(|f| match left.get_mut(&identity(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect();
    missing.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    missing
}

impl FindingChanges<'_> {
    /// `+ RULE Type/id: message` for each new finding, then `- ...` for each resolved one.
    pub(super) fn render(&self) -> String {
        let line =
            |sign: char, f: &Finding| format!("{sign} {} {}/{}: {}\n", f.rule, f.subject.ty, f.subject.id, f.message);
        let new = self.new.iter().map(|f| line('+', f));
        new.chain(self.resolved.iter().map(|f| line('-', f))).collect()
    }
}

/// The positions in `after` of the tests whose verdict is not what it was in `before` (by
/// `pack: name`), new tests included; with how many of them now pass.
pub(super) fn verdicts(before: &HashMap<String, Verdict>, after: &[(String, Verdict)]) -> (Vec<usize>, usize) {
    let changed: Vec<usize> =
        (0..after.len()).filter(|&i| before.get(&after[i].0).is_none_or(|was| *was != after[i].1)).collect();
    let passing = changed.iter().filter(|&&i| after[i].1 == Verdict::Passed).count();
    (changed, passing)
}

#[cfg(test)]
mod tests {
    use rulec_runtime::plan::Severity;
    use rulec_runtime::report::{FindingKind, Subject};
    use serde_json::json;

    use super::*;

    fn finding(severity: Severity, rule: &str, id: &str, message: &str) -> Finding {
        Finding {
            rule: rule.to_owned(),
            kind: FindingKind::Rule,
            severity,
            title: String::new(),
            subject: Subject::new("SecurityGroup".to_owned(), id.to_owned()),
            message: message.to_owned(),
            evidence: json!({ "ports": [22] }),
            controls: Vec::new(),
            fix: None,
            history: None,
        }
    }

    fn diff(before: &[Finding], after: &[Finding]) -> String {
        findings(before, after).render()
    }

    #[test]
    fn the_same_findings_are_no_change_whatever_their_evidence() {
        let before = [finding(Severity::High, "R", "sg-1", "open")];
        let mut after = before.clone();
        after[0].evidence = json!({ "ports": [22, 3389] });
        assert_eq!(diff(&before, &after), "");
        assert_eq!(diff(&[], &[]), "");
    }

    #[test]
    fn new_and_resolved_findings_are_listed_in_report_order() {
        let before = [finding(Severity::Low, "A", "sg-1", "a"), finding(Severity::High, "B", "sg-2", "b")];
        let after = [
            finding(Severity::High, "B", "sg-2", "b"),
            finding(Severity::Low, "Z", "sg-9", "z"),
            finding(Severity::Critical, "Y", "sg-3", "y"),
        ];
        assert_eq!(
            diff(&before, &after),
            "+ Y SecurityGroup/sg-3: y\n+ Z SecurityGroup/sg-9: z\n- A SecurityGroup/sg-1: a\n"
        );
    }

    #[test]
    fn a_changed_message_is_one_resolved_and_one_new() {
        let before = [finding(Severity::High, "R", "sg-1", "accepts [22]")];
        let after = [finding(Severity::High, "R", "sg-1", "accepts [22, 3389]")];
        assert_eq!(
            diff(&before, &after),
            "+ R SecurityGroup/sg-1: accepts [22, 3389]\n- R SecurityGroup/sg-1: accepts [22]\n"
        );
    }

    #[test]
    fn repeated_findings_count() {
        let one = [finding(Severity::High, "R", "sg-1", "burst")];
        let two = [one[0].clone(), one[0].clone()];
        let changes = findings(&one, &two);
        assert_eq!((changes.new.len(), changes.resolved.len()), (1, 0));
        let changes = findings(&two, &one);
        assert_eq!((changes.new.len(), changes.resolved.len()), (0, 1));
    }

    #[test]
    fn verdicts_that_changed_and_new_tests_are_reported() {
        let before: HashMap<String, Verdict> = [
            ("p: stays".to_owned(), Verdict::Passed),
            ("p: breaks".to_owned(), Verdict::Passed),
            ("p: heals".to_owned(), Verdict::Failed(vec!["x".to_owned()])),
            ("p: fails otherwise".to_owned(), Verdict::Failed(vec!["x".to_owned()])),
        ]
        .into();
        let after = [
            ("p: stays".to_owned(), Verdict::Passed),
            ("p: breaks".to_owned(), Verdict::Error("no fixture".to_owned())),
            ("p: heals".to_owned(), Verdict::Passed),
            ("p: fails otherwise".to_owned(), Verdict::Failed(vec!["y".to_owned()])),
            ("p: new".to_owned(), Verdict::Passed),
        ];
        assert_eq!(verdicts(&before, &after), (vec![1, 2, 3, 4], 2));
    }
}
