//! `rulec explain RULE` without an asset: how one rule fared over the whole snapshot — how
//! many subjects of its type there are, how many its `where` kept, on which it fires — so a
//! user can pick an asset to explain.
//!
//! The subjects are judged exactly as a run judges them ([`Engine::judge`]), not traced:
//! a rule's own verdict, before any allowlist of the configuration.

use super::{CheckError, Engine, ExplainError, Verdict};

/// One rule over every subject of its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Survey {
    pub rule: String,
    /// The name of the rule's subject type.
    pub subject_type: String,
    /// How many assets of that type the snapshot holds.
    pub subjects: usize,
    /// How many of them `where` kept (all of them without a `where`).
    pub passed: usize,
    /// The ids of the subjects it fires on, sorted.
    pub fired: Vec<String>,
    /// The subjects whose evaluation failed, in snapshot order.
    pub errors: Vec<CheckError>,
}

impl Engine<'_> {
    /// Judges rule `rule` on every asset of its subject type.
    pub fn survey(&self, rule: &str) -> Result<Survey, ExplainError> {
        let (index, check) = self.find_rule(rule)?;
        let prepared = self.checks.get(index).ok_or_else(|| ExplainError::Prepare(format!("no prepared `{rule}`")))?;
        let rows = self.store.rows(check.subject_type);
        let mut survey = Survey {
            rule: check.id.clone(),
            subject_type: self.plan.types.get(check.subject_type as usize).map_or_else(String::new, |t| t.name.clone()),
            subjects: rows.len(),
            passed: 0,
            fired: Vec::new(),
            errors: Vec::new(),
        };
        let mut frame = vec![crate::value::Value::None; check.locals.max(1) as usize];
        for row in rows {
            match self.judge(prepared, row, &mut frame) {
                Ok(Verdict::Excluded | Verdict::Error) => {}
                Ok(Verdict::Quiet) => survey.passed += 1,
                Ok(Verdict::Fires) => {
                    survey.passed += 1;
                    survey.fired.push(self.subject_of(row).id);
                }
                Err(e) => survey.errors.push(CheckError {
                    rule: check.id.clone(),
                    subject: self.subject_of(row),
                    message: e.0,
                }),
            }
        }
        survey.fired.sort_unstable();
        Ok(survey)
    }
}
