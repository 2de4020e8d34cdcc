//! Recording a run: its findings with their status, and what it resolved.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::status::{self, FindingHistory, Status};
use super::{HistoryError, Store};
use crate::plan::Severity;
use crate::report::{Finding, Subject};

/// A finding of the previous run that this run no longer reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub rule: String,
    pub subject: Subject,
    pub severity: Severity,
    pub title: String,
    /// The snapshot time of the last run that reported it.
    pub last_seen: String,
}

/// What recording a run gives back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The new run's id.
    pub run: i64,
    /// One per finding given, in the same order.
    pub history: Vec<FindingHistory>,
    /// Findings of the previous run not reported by this one, sorted like findings.
    pub resolved: Vec<Resolved>,
}

impl Store {
    /// Records a run over a snapshot taken at `taken_at` (RFC 3339, UTC) and recorded at
    /// `recorded_at` (the wall clock, passed in so tests can fix it). A finding's identity is
    /// (rule, subject id); when a run reports one identity twice, the first (in report order)
    /// is kept. All in one transaction: a failed run leaves no partial record.
    pub fn record(
        &mut self,
        findings: &[Finding],
        taken_at: &str,
        recorded_at: &str,
    ) -> Result<Recorded, HistoryError> {
        let path = self.name();
        let wrap = |source| HistoryError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(wrap)?;
        let previous: Option<i64> =
            tx.query_row("SELECT max(id) FROM runs", [], |r| r.get(0)).optional().map_err(wrap)?.flatten();
        tx.execute("INSERT INTO runs (taken_at, recorded_at) VALUES (?1, ?2)", params![taken_at, recorded_at])
            .map_err(wrap)?;
        let run = tx.last_insert_rowid();
        let mut history = Vec::with_capacity(findings.len());
        for f in findings {
            let h = status::of(&tx, previous, &f.rule, &f.subject.id, taken_at).map_err(wrap)?;
            tx.execute(
                "INSERT OR IGNORE INTO findings
                 (run, rule, subject_type, subject_id, severity, kind, title, message, status, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    run,
                    f.rule,
                    f.subject.ty,
                    f.subject.id,
                    f.severity.as_str(),
                    f.kind.as_str(),
                    f.title,
                    f.message,
                    h.status.as_str(),
                    h.first_seen
                ],
            )
            .map_err(wrap)?;
            history.push(h);
        }
        if let Some(prev) = previous {
            tx.execute(
                "INSERT INTO resolved (run, rule, subject_type, subject_id, severity, title, last_seen)
                 SELECT ?1, p.rule, p.subject_type, p.subject_id, p.severity, p.title, r.taken_at
                 FROM findings p JOIN runs r ON r.id = p.run
                 WHERE p.run = ?2 AND NOT EXISTS (
                     SELECT 1 FROM findings c WHERE c.run = ?1 AND c.rule = p.rule AND c.subject_id = p.subject_id)",
                params![run, prev],
            )
            .map_err(wrap)?;
        }
        let resolved = resolved_in(&tx, run).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(Recorded { run, history, resolved })
    }
}

impl Store {
    /// The history the latest run gave these findings, when that run was over the same
    /// snapshot (`taken_at`) and reported exactly the same findings: `rulec report` after
    /// `rulec check --store` on one snapshot shows that run rather than recording it twice.
    /// `None` when the findings or the snapshot differ, or the store has no run.
    pub fn recall(&mut self, findings: &[Finding], taken_at: &str) -> Result<Option<Recorded>, HistoryError> {
        let path = self.name();
        let wrap = |source| HistoryError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(wrap)?;
        let latest: Option<(i64, String)> = tx
            .query_row("SELECT id, taken_at FROM runs ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(wrap)?;
        let Some((run, _)) = latest.filter(|(_, at)| at == taken_at) else { return Ok(None) };
        let stored: i64 =
            tx.query_row("SELECT count(*) FROM findings WHERE run = ?1", params![run], |r| r.get(0)).map_err(wrap)?;
        let mut identities: Vec<(&str, &str)> =
            findings.iter().map(|f| (f.rule.as_str(), f.subject.id.as_str())).collect();
        identities.sort_unstable();
        identities.dedup();
        if usize::try_from(stored).ok() != Some(identities.len()) {
            return Ok(None);
        }
        let mut history = Vec::with_capacity(findings.len());
        for f in findings {
            let row: Option<(String, String)> = tx
                .query_row(
                    "SELECT status, first_seen FROM findings WHERE run = ?1 AND rule = ?2 AND subject_id = ?3",
                    params![run, f.rule, f.subject.id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(wrap)?;
            let Some((status, first_seen)) = row else { return Ok(None) };
            let status = if status == Status::New.as_str() { Status::New } else { Status::Open };
            let triage = super::triage::latest(&tx, &f.rule, &f.subject.id).map_err(wrap)?.map(|(t, _)| t);
            history.push(FindingHistory { status, first_seen, triage });
        }
        let resolved = resolved_in(&tx, run).map_err(wrap)?;
        Ok(Some(Recorded { run, history, resolved }))
    }
}

/// The findings run `run` resolved, severity descending, then rule and subject.
fn resolved_in(tx: &rusqlite::Transaction<'_>, run: i64) -> rusqlite::Result<Vec<Resolved>> {
    let mut stmt =
        tx.prepare("SELECT rule, subject_type, subject_id, severity, title, last_seen FROM resolved WHERE run = ?1")?;
    let rows = stmt.query_map(params![run], |r| {
        let severity: String = r.get(3)?;
        Ok(Resolved {
            rule: r.get(0)?,
            subject: Subject::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?),
            severity: Severity::parse(&severity).unwrap_or(Severity::Info),
            title: r.get(4)?,
            last_seen: r.get(5)?,
        })
    })?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    out.sort_by(|a, b| {
        (std::cmp::Reverse(a.severity), &a.rule, &a.subject).cmp(&(std::cmp::Reverse(b.severity), &b.rule, &b.subject))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Status, Triage, TriageStatus};
    use super::*;
    use crate::report::FindingKind;

    fn finding(rule: &str, id: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            kind: FindingKind::Rule,
            severity,
            title: format!("{rule} title"),
            subject: Subject::new("SecurityGroup", id),
            message: format!("{rule} on {id}"),
            evidence: serde_json::Value::Null,
            controls: vec![],
            fix: None,
            history: None,
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("rulec.db")).expect("open");
        (dir, store)
    }

    fn statuses(recorded: &Recorded) -> Vec<(Status, &str)> {
        recorded.history.iter().map(|h| (h.status, h.first_seen.as_str())).collect()
    }

    const DAY1: &str = "2026-11-20T08:00:00Z";
    const DAY2: &str = "2026-11-21T08:00:00Z";
    const DAY3: &str = "2026-11-22T08:00:00Z";

    #[test]
    fn findings_go_new_then_open_then_resolved() {
        let (_dir, mut store) = store();
        let a = finding("A", "sg-1", Severity::High);
        let b = finding("B", "sg-2", Severity::Low);
        let first = store.record(&[a.clone(), b.clone()], DAY1, "w1").expect("run 1");
        assert_eq!(statuses(&first), [(Status::New, DAY1), (Status::New, DAY1)]);
        assert!(first.resolved.is_empty());

        let c = finding("C", "sg-3", Severity::Medium);
        let second = store.record(&[a.clone(), c.clone()], DAY2, "w2").expect("run 2");
        assert_eq!(statuses(&second), [(Status::Open, DAY1), (Status::New, DAY2)]);
        assert_eq!(
            second.resolved,
            [Resolved {
                rule: "B".into(),
                subject: b.subject.clone(),
                severity: Severity::Low,
                title: "B title".into(),
                last_seen: DAY1.into()
            }]
        );

        let third = store.record(&[c], DAY3, "w3").expect("run 3");
        assert_eq!(statuses(&third), [(Status::Open, DAY2)]);
        assert_eq!(third.resolved.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>(), ["A"]);
    }

    fn decision(status: TriageStatus) -> Triage {
        Triage { status, note: "ticket 42".into(), by: "alice".into(), at: "2026-11-20T09:00:00Z".into() }
    }

    #[test]
    fn an_accepted_finding_stays_listed_with_its_triage() {
        let (_dir, mut store) = store();
        let a = finding("A", "sg-1", Severity::High);
        store.record(std::slice::from_ref(&a), DAY1, "w1").expect("run 1");
        store.triage("A", "sg-1", &decision(TriageStatus::Accepted)).expect("triage");
        let second = store.record(std::slice::from_ref(&a), DAY2, "w2").expect("run 2");
        assert_eq!(second.history.len(), 1);
        assert_eq!(second.history[0].status, Status::Open);
        assert_eq!(second.history[0].triage, Some(decision(TriageStatus::Accepted)));
    }

    #[test]
    fn a_fixed_finding_that_comes_back_is_new_again_then_open() {
        let (_dir, mut store) = store();
        let a = finding("A", "sg-1", Severity::High);
        store.record(std::slice::from_ref(&a), DAY1, "w1").expect("run 1");
        store.triage("A", "sg-1", &decision(TriageStatus::Fixed)).expect("triage");
        let second = store.record(std::slice::from_ref(&a), DAY2, "w2").expect("run 2");
        assert_eq!(statuses(&second), [(Status::New, DAY2)]);
        assert_eq!(second.history[0].triage.as_ref().map(|t| t.status), Some(TriageStatus::Fixed));
        let third = store.record(std::slice::from_ref(&a), DAY3, "w3").expect("run 3");
        assert_eq!(statuses(&third), [(Status::Open, DAY2)]);
    }

    #[test]
    fn triage_of_a_finding_never_seen_is_refused_with_a_suggestion() {
        let (_dir, mut store) = store();
        store.record(&[finding("NET_SG_OPEN", "sg-1", Severity::High)], DAY1, "w1").expect("run 1");
        let err = store.triage("NET_SG_OPN", "sg-1", &decision(TriageStatus::Accepted)).expect_err("unknown rule");
        assert!(err.to_string().contains("did you mean `NET_SG_OPEN`?"), "{err}");
        let err = store.triage("NET_SG_OPEN", "sg-9", &decision(TriageStatus::Accepted)).expect_err("unknown subject");
        assert!(err.to_string().contains("knows rule `NET_SG_OPEN`, on other subjects"), "{err}");
    }

    #[test]
    fn trends_count_per_day_by_severity() {
        let (_dir, mut store) = store();
        let a = finding("A", "sg-1", Severity::High);
        let b = finding("B", "sg-2", Severity::Low);
        store.record(&[a.clone(), b], DAY1, "w1").expect("run 1");
        store.record(std::slice::from_ref(&a), DAY2, "w2").expect("run 2");
        let trends = store.trends(None).expect("trends");
        let json = serde_json::to_value(&trends).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"days": [
                {"day": "2026-11-20", "runs": 1, "new": {"high": 1, "low": 1}, "resolved": {}, "open": {"high": 1, "low": 1}},
                {"day": "2026-11-21", "runs": 1, "new": {}, "resolved": {"low": 1}, "open": {"high": 1}},
            ]})
        );
        assert_eq!(store.trends(Some(1)).expect("trends").days.len(), 1);
    }
}
