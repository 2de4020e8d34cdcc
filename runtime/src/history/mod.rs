//! The findings history: an embedded SQLite database (`--store FILE`, or `store:` in
//! `rulec.yaml`) that records each run's findings, so a finding can be told new, still open
//! or resolved relative to the previous run, a team's triage decision outlives the run it was
//! made in, and trends can be counted per day.
//!
//! The schema is versioned with SQLite's `PRAGMA user_version`: [`MIGRATIONS`] holds one
//! numbered SQL step per version, applied in order inside one transaction when a store is
//! opened. A store written by a newer rulec (a version this binary does not know) is refused,
//! never downgraded, and so is a file that is not an SQLite database.

mod record;
mod status;
mod trends;
mod triage;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use record::{Recorded, Resolved};
pub use status::{FindingHistory, Status};
pub use trends::{DayTrend, Trends};
pub use triage::{Triage, TriageStatus};

/// The schema steps; the store's `user_version` is how many have been applied.
const MIGRATIONS: &[&str] = &[
    // 1: runs, the findings of each run, the findings each run resolved, triage decisions.
    "CREATE TABLE runs (
         id INTEGER PRIMARY KEY,
         taken_at TEXT NOT NULL,
         recorded_at TEXT NOT NULL
     );
     CREATE TABLE findings (
         run INTEGER NOT NULL REFERENCES runs(id),
         rule TEXT NOT NULL,
         subject_type TEXT NOT NULL,
         subject_id TEXT NOT NULL,
         severity TEXT NOT NULL,
         kind TEXT NOT NULL,
         title TEXT NOT NULL,
         message TEXT NOT NULL,
         status TEXT NOT NULL,
         first_seen TEXT NOT NULL,
         PRIMARY KEY (run, rule, subject_id)
     );
     CREATE INDEX findings_identity ON findings (rule, subject_id);
     CREATE TABLE resolved (
         run INTEGER NOT NULL REFERENCES runs(id),
         rule TEXT NOT NULL,
         subject_type TEXT NOT NULL,
         subject_id TEXT NOT NULL,
         severity TEXT NOT NULL,
         title TEXT NOT NULL,
         last_seen TEXT NOT NULL,
         PRIMARY KEY (run, rule, subject_id)
     );
     CREATE TABLE triage (
         id INTEGER PRIMARY KEY,
         rule TEXT NOT NULL,
         subject_id TEXT NOT NULL,
         status TEXT NOT NULL,
         note TEXT NOT NULL,
         by TEXT NOT NULL,
         at TEXT NOT NULL,
         after_run INTEGER NOT NULL
     );
     CREATE INDEX triage_identity ON triage (rule, subject_id);",
];

/// The schema version this binary writes and reads.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// An open history store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Why the store could not be used. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("store `{path}`: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("store `{path}` has schema version {found}; this rulec knows versions up to {known}")]
    Newer { path: String, found: u32, known: u32 },
    #[error("store `{path}` has never seen finding `{rule}` on `{subject}`{hint}")]
    UnknownFinding { path: String, rule: String, subject: String, hint: String },
}

impl Store {
    /// Opens (creating when absent) the store at `path` and brings its schema up to
    /// [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Store, HistoryError> {
        let conn = Connection::open(path).map_err(|source| sqlite(path, source))?;
        let mut store = Store { conn, path: path.to_owned() };
        store.migrate()?;
        Ok(store)
    }

    /// Applies the steps the store has not had yet, all in one transaction, so a store is
    /// never left half migrated.
    fn migrate(&mut self) -> Result<(), HistoryError> {
        // Reading the header is where SQLite notices a file that is not a database.
        let found: u32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        if found > SCHEMA_VERSION {
            return Err(HistoryError::Newer { path: self.name(), found, known: SCHEMA_VERSION });
        }
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        let path = self.name();
        let tx = self.conn.transaction().map_err(|source| HistoryError::Sqlite { path: path.clone(), source })?;
        for step in MIGRATIONS.iter().skip(found as usize) {
            tx.execute_batch(step).map_err(|source| HistoryError::Sqlite { path: path.clone(), source })?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .and_then(|()| tx.commit())
            .map_err(|source| HistoryError::Sqlite { path, source })
    }

    /// The schema version of the open store.
    pub fn version(&self) -> Result<u32, HistoryError> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn err(&self, source: rusqlite::Error) -> HistoryError {
        sqlite(&self.path, source)
    }
}

fn sqlite(path: &Path, source: rusqlite::Error) -> HistoryError {
    HistoryError::Sqlite { path: path.display().to_string(), source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_migrated_to_the_current_version() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rulec.db");
        std::fs::write(&path, b"").expect("write");
        let store = Store::open(&path).expect("open");
        assert_eq!(store.version().expect("version"), SCHEMA_VERSION);
        drop(store);
        // Opening again applies nothing and keeps the version.
        assert_eq!(Store::open(&path).expect("reopen").version().expect("version"), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_store_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rulec.db");
        let conn = Connection::open(&path).expect("create");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("set version");
        drop(conn);
        let err = Store::open(&path).expect_err("refused");
        assert!(matches!(err, HistoryError::Newer { found, .. } if found == SCHEMA_VERSION + 1), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rulec.db");
        std::fs::write(&path, "this is not a database, it is a long enough line of text").expect("write");
        let err = Store::open(&path).expect_err("refused");
        assert!(err.to_string().contains("rulec.db"), "{err}");
    }
}
