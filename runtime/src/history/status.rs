//! A finding's place in the history: new or still open relative to the previous run, since
//! when, and the team's latest triage decision on it.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::triage::{self, Triage, TriageStatus};

/// New: not in the previous run (or back after the team marked it fixed). Open: in the
/// previous run too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Open,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
        }
    }
}

/// The `history` of a finding in the JSON report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingHistory {
    pub status: Status,
    /// The snapshot time of the run this finding (last) became new in.
    pub first_seen: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<Triage>,
}

/// The history of finding (`rule`, `subject_id`) in a run whose snapshot was `taken_at`,
/// given the run before it (`previous`). A finding the team marked `fixed` after the previous
/// run was recorded is new again: a regression, shown with that triage.
pub(super) fn of(
    tx: &Transaction<'_>,
    previous: Option<i64>,
    rule: &str,
    subject_id: &str,
    taken_at: &str,
) -> rusqlite::Result<FindingHistory> {
    let before: Option<String> = match previous {
        Some(run) => tx
            .query_row(
                "SELECT first_seen FROM findings WHERE run = ?1 AND rule = ?2 AND subject_id = ?3",
                params![run, rule, subject_id],
                |r| r.get(0),
            )
            .optional()?,
        None => None,
    };
    let latest = triage::latest(tx, rule, subject_id)?;
    let regressed = latest.as_ref().is_some_and(|(t, after_run)| {
        t.status == TriageStatus::Fixed && previous.is_none_or(|prev| *after_run >= prev)
    });
    let (status, first_seen) = match before {
        Some(first_seen) if !regressed => (Status::Open, first_seen),
        _ => (Status::New, taken_at.to_owned()),
    };
    Ok(FindingHistory { status, first_seen, triage: latest.map(|(t, _)| t) })
}
