//! Triage: a team's decision on a finding, kept across runs. Accepted and false-positive
//! findings stay listed with their decision (a decision is a record, never a filter); a
//! `fixed` finding that comes back is reported new again.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{HistoryError, Store};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TriageStatus {
    Accepted,
    FalsePositive,
    Fixed,
}

impl TriageStatus {
    pub const ALL: [TriageStatus; 3] = [TriageStatus::Accepted, TriageStatus::FalsePositive, TriageStatus::Fixed];

    pub fn as_str(self) -> &'static str {
        match self {
            TriageStatus::Accepted => "accepted",
            TriageStatus::FalsePositive => "false-positive",
            TriageStatus::Fixed => "fixed",
        }
    }

    pub fn parse(text: &str) -> Option<TriageStatus> {
        TriageStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One decision: what, why, who and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    pub status: TriageStatus,
    pub note: String,
    pub by: String,
    pub at: String,
}

impl Store {
    /// Records `triage` on finding (`rule`, `subject_id`), which some recorded run must have
    /// reported: a decision on a finding the store never saw is a typo, refused with the
    /// closest known rule.
    pub fn triage(&mut self, rule: &str, subject_id: &str, triage: &Triage) -> Result<(), HistoryError> {
        let path = self.name();
        let wrap = |source| HistoryError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(wrap)?;
        let seen: Option<i64> = tx
            .query_row(
                "SELECT max(run) FROM findings WHERE rule = ?1 AND subject_id = ?2",
                params![rule, subject_id],
                |r| r.get(0),
            )
            .map_err(wrap)?;
        if seen.is_none() {
            let hint = unknown_hint(&tx, rule).map_err(wrap)?;
            return Err(HistoryError::UnknownFinding {
                path,
                rule: rule.to_owned(),
                subject: subject_id.to_owned(),
                hint,
            });
        }
        let last_run: i64 = tx.query_row("SELECT max(id) FROM runs", [], |r| r.get(0)).map_err(wrap)?;
        tx.execute(
            "INSERT INTO triage (rule, subject_id, status, note, by, at, after_run) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![rule, subject_id, triage.status.as_str(), triage.note, triage.by, triage.at, last_run],
        )
        .map_err(wrap)?;
        tx.commit().map_err(wrap)
    }
}

/// `, did you mean `RULE`?` over the rules the store knows, or, for a known rule, the hint
/// that the subject is what is unknown.
fn unknown_hint(tx: &Transaction<'_>, rule: &str) -> rusqlite::Result<String> {
    let mut stmt = tx.prepare("SELECT DISTINCT rule FROM findings ORDER BY rule")?;
    let rules = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    if rules.iter().any(|r| r == rule) {
        return Ok(format!(" (the store knows rule `{rule}`, on other subjects)"));
    }
    let names: Vec<&str> = rules.iter().map(String::as_str).collect();
    Ok(crate::config::did_you_mean(rule, &names))
}

/// The latest decision on (`rule`, `subject_id`) and the last run recorded before it was made.
pub(super) fn latest(tx: &Transaction<'_>, rule: &str, subject_id: &str) -> rusqlite::Result<Option<(Triage, i64)>> {
    tx.query_row(
        "SELECT status, note, by, at, after_run FROM triage WHERE rule = ?1 AND subject_id = ?2
         ORDER BY id DESC LIMIT 1",
        params![rule, subject_id],
        |r| {
            let status: String = r.get(0)?;
            let triage = Triage {
                status: TriageStatus::parse(&status).unwrap_or(TriageStatus::Accepted),
                note: r.get(1)?,
                by: r.get(2)?,
                at: r.get(3)?,
            };
            Ok((triage, r.get(4)?))
        },
    )
    .optional()
}
