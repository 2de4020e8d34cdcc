//! Trends: per day (of the snapshots' `taken_at`, UTC), how many findings became new, how
//! many were resolved, and how many were open at the day's last run, by severity.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{HistoryError, Store};

/// One day's counts; each map is severity name → count, without zero entries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTrend {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub runs: usize,
    pub new: BTreeMap<String, usize>,
    pub resolved: BTreeMap<String, usize>,
    pub open: BTreeMap<String, usize>,
}

/// The days, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trends {
    pub days: Vec<DayTrend>,
}

impl Store {
    /// The trends of the last `days` days that have runs (all of them when `None`).
    pub fn trends(&self, days: Option<usize>) -> Result<Trends, HistoryError> {
        let wrap = |e| self.err(e);
        let mut by_day: BTreeMap<String, DayTrend> = BTreeMap::new();
        let mut runs = self.conn.prepare("SELECT id, substr(taken_at, 1, 10) FROM runs ORDER BY id").map_err(wrap)?;
        let runs = runs
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(wrap)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(wrap)?;
        // The last run of each day (runs are in id order, so later ones overwrite).
        let mut last_of_day: BTreeMap<String, i64> = BTreeMap::new();
        for (id, day) in &runs {
            let entry =
                by_day.entry(day.clone()).or_insert_with(|| DayTrend { day: day.clone(), ..DayTrend::default() });
            entry.runs += 1;
            last_of_day.insert(day.clone(), *id);
        }
        let count = |sql: &str, run: i64, into: &mut BTreeMap<String, usize>| -> Result<(), HistoryError> {
            let mut stmt = self.conn.prepare_cached(sql).map_err(wrap)?;
            let rows =
                stmt.query_map(params![run], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(wrap)?;
            for row in rows {
                let (severity, n) = row.map_err(wrap)?;
                *into.entry(severity).or_insert(0) += usize::try_from(n).unwrap_or(0);
            }
            Ok(())
        };
        for (id, day) in &runs {
            let Some(entry) = by_day.get_mut(day) else { continue };
            count(
                "SELECT severity, count(*) FROM findings WHERE run = ?1 AND status = 'new' GROUP BY severity",
                *id,
                &mut entry.new,
            )?;
            count(
                "SELECT severity, count(*) FROM resolved WHERE run = ?1 GROUP BY severity",
                *id,
                &mut entry.resolved,
            )?;
        }
        for (day, id) in &last_of_day {
            let Some(entry) = by_day.get_mut(day) else { continue };
            count("SELECT severity, count(*) FROM findings WHERE run = ?1 GROUP BY severity", *id, &mut entry.open)?;
        }
        let mut days_out: Vec<DayTrend> = by_day.into_values().collect();
        if let Some(n) = days {
            let skip = days_out.len().saturating_sub(n);
            days_out.drain(..skip);
        }
        Ok(Trends { days: days_out })
    }
}
