//! The import's account of itself: every file used or skipped (with why), every answer the
//! cloud refused, every record left out or value masked or reference left unresolved — the
//! "nothing silently lost" half of IMPORT.md.

use serde::Serialize;

use crate::node::FieldError;

/// The report of one import.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// Files whose content went into the snapshot.
    pub used: Vec<String>,
    /// Files not used, each with the reason.
    pub skipped: Vec<Skipped>,
    /// Error answers: calls the cloud refused or failed, recorded as not collected.
    pub not_collected: Vec<NotCollected>,
    /// Records left out, values masked, references left unresolved.
    pub issues: Vec<Issue>,
    /// Assets and events written.
    pub assets: usize,
    pub events: usize,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotCollected {
    pub file: String,
    pub call: String,
    pub code: String,
    pub message: String,
}

/// What kind of loss an [`Issue`] is.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// A record that could not be turned into an asset or event: left out.
    NotNormalized,
    /// A vendor-masked value (`AKID***`, `10.10.**.**`): the value is left out, the record kept.
    Masked,
    /// A reference (address template, peer group) whose answer is not in RAW: the rule is kept
    /// as unresolved and never read as open to the world.
    Unresolved,
    /// Detail of an asset that is missing or failed: the asset is left out.
    Incomplete,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Issue {
    pub kind: IssueKind,
    pub file: String,
    pub path: String,
    pub message: String,
}

impl Issue {
    pub fn from_field(kind: IssueKind, error: FieldError) -> Issue {
        Issue { kind, file: error.file, path: error.path, message: error.message }
    }
}

impl ImportReport {
    /// Sorts every list so the report is the same bytes on every run.
    pub fn normalize(&mut self) {
        self.used.sort();
        self.used.dedup();
        self.skipped.sort();
        self.not_collected.sort();
        self.issues.sort();
        self.issues.dedup();
    }

    /// Adds another report's lists after this one's.
    pub fn absorb(&mut self, other: ImportReport) {
        self.used.extend(other.used);
        self.skipped.extend(other.skipped);
        self.not_collected.extend(other.not_collected);
        self.issues.extend(other.issues);
    }

    pub fn count(&self, kind: IssueKind) -> usize {
        self.issues.iter().filter(|issue| issue.kind == kind).count()
    }
}
