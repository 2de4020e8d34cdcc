//! Narrowing a report to the findings someone asked about (`rulec check --severity --rule
//! --account --region`).
//!
//! A filter keeps a finding when it passes every criterion given: a severity at or above
//! the minimum, a rule id matching one of the patterns (globs: `*`, `?`, `[..]`), a subject
//! in one of the accounts and in one of the regions. A finding whose subject has no account
//! (or region), such as an alarm grouped by source address, is left out by an account (or
//! region) criterion. Suppressed findings are filtered the same way, so every format shows
//! the same selection.

use globset::{Glob, GlobMatcher};

use crate::plan::{Check, Severity};
use crate::report::Finding;

/// The criteria; the default keeps everything.
#[derive(Clone, Debug, Default)]
pub struct FindingFilter {
    min_severity: Option<Severity>,
    rules: Vec<GlobMatcher>,
    accounts: Vec<String>,
    regions: Vec<String>,
}

/// A criterion that can select nothing, caught before anything is evaluated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("`--rule {pattern}` is not a valid pattern: {reason}")]
    BadPattern { pattern: String, reason: String },
    #[error("`--rule {pattern}` matches no check")]
    NoRule { pattern: String, suggestion: Option<String> },
}

impl FilterError {
    /// A suggested fix, for the CLI's `help:` line.
    pub fn help(&self) -> Option<String> {
        match self {
            FilterError::BadPattern { .. } => Some("patterns are rule ids with `*`, `?` or `[..]`".to_owned()),
            FilterError::NoRule { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            FilterError::NoRule { suggestion: None, .. } => Some("list the checks with `rulec rules`".to_owned()),
        }
    }
}

impl FindingFilter {
    /// A filter from the flags; each rule pattern must match a check of `catalogue` (a
    /// misspelt id would otherwise silently show nothing).
    pub fn new(
        catalogue: &[Check],
        min_severity: Option<Severity>,
        rules: &[String],
        accounts: &[String],
        regions: &[String],
    ) -> Result<FindingFilter, FilterError> {
        let rules = rules
            .iter()
            .map(|pattern| {
                let matcher = Glob::new(pattern)
                    .map_err(|e| FilterError::BadPattern { pattern: pattern.clone(), reason: e.kind().to_string() })?
                    .compile_matcher();
                if !catalogue.iter().any(|c| matcher.is_match(&c.id)) {
                    let suggestion = catalogue
                        .iter()
                        .map(|c| (strsim::jaro_winkler(&c.id.to_lowercase(), &pattern.to_lowercase()), &c.id))
                        .filter(|(score, _)| *score > 0.8)
                        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
                        .map(|(_, id)| id.clone());
                    return Err(FilterError::NoRule { pattern: pattern.clone(), suggestion });
                }
                Ok(matcher)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FindingFilter { min_severity, rules, accounts: accounts.to_vec(), regions: regions.to_vec() })
    }

    /// Whether `finding` passes every criterion.
    pub fn keeps(&self, finding: &Finding) -> bool {
        let among =
            |wanted: &[String], value: Option<&String>| wanted.is_empty() || value.is_some_and(|v| wanted.contains(v));
        self.min_severity.is_none_or(|min| finding.severity >= min)
            && (self.rules.is_empty() || self.rules.iter().any(|m| m.is_match(&finding.rule)))
            && among(&self.accounts, finding.subject.account.as_ref())
            && among(&self.regions, finding.subject.region.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FindingKind, Subject};

    fn check(id: &str) -> Check {
        serde_json::from_value(serde_json::json!({
            "id": id, "kind": "rule", "pack": "p", "title": "t", "severity": "high", "controls": [],
            "fix": null, "doc": null, "subject_type": 0, "filter": null, "lets": [], "when": null,
            "message": null, "evidence": [], "group": null, "locals": 1
        }))
        .expect("a check")
    }

    fn finding(rule: &str, severity: Severity, account: Option<&str>, region: Option<&str>) -> Finding {
        let mut subject = Subject::new("SecurityGroup", "sg-1");
        subject.account = account.map(str::to_owned);
        subject.region = region.map(str::to_owned);
        Finding {
            rule: rule.into(),
            kind: FindingKind::Rule,
            severity,
            title: "t".into(),
            subject,
            message: "m".into(),
            evidence: serde_json::Value::Null,
            controls: vec![],
            fix: None,
            history: None,
        }
    }

    #[test]
    fn every_criterion_must_pass() {
        let catalogue = [check("NET_SG_OPEN"), check("NET_SG_WIDE"), check("IAM_ROOT_MFA")];
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let filter = FindingFilter::new(
            &catalogue,
            Some(Severity::Medium),
            &strings(&["NET_*"]),
            &strings(&["100"]),
            &strings(&["ap-guangzhou", "cn-hangzhou"]),
        )
        .expect("valid");
        assert!(filter.keeps(&finding("NET_SG_OPEN", Severity::High, Some("100"), Some("cn-hangzhou"))));
        assert!(!filter.keeps(&finding("NET_SG_OPEN", Severity::Low, Some("100"), Some("cn-hangzhou"))), "severity");
        assert!(!filter.keeps(&finding("IAM_ROOT_MFA", Severity::High, Some("100"), Some("cn-hangzhou"))), "rule");
        assert!(!filter.keeps(&finding("NET_SG_WIDE", Severity::High, Some("200"), Some("cn-hangzhou"))), "account");
        assert!(!filter.keeps(&finding("NET_SG_WIDE", Severity::High, Some("100"), None)), "no region");
        assert!(FindingFilter::default().keeps(&finding("X", Severity::Info, None, None)));
    }

    #[test]
    fn a_pattern_that_matches_no_check_is_refused_with_a_suggestion() {
        let catalogue = [check("NET_SG_OPEN")];
        let err = FindingFilter::new(&catalogue, None, &["NET_SG_OPNE".to_owned()], &[], &[]).unwrap_err();
        assert_eq!(err.to_string(), "`--rule NET_SG_OPNE` matches no check");
        assert_eq!(err.help().as_deref(), Some("did you mean `NET_SG_OPEN`?"));
        let err = FindingFilter::new(&catalogue, None, &["NET_[".to_owned()], &[], &[]).unwrap_err();
        assert!(matches!(err, FilterError::BadPattern { .. }), "{err:?}");
    }
}
