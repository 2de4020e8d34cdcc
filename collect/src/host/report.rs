//! What a host collection could not see. The `Host` record has no place for "unknown", so
//! every fact that was defaulted or left out for want of data is listed here, beside it.

use serde::Serialize;

/// The report of one host collection (`rulec collect host --report FILE`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HostReport {
    /// Files that exist but could not be read (permissions, not a regular file, too large).
    pub unreadable: Vec<Unreadable>,
    /// Facts that could not be determined, and what the record holds instead.
    pub not_determined: Vec<NotDetermined>,
}

/// A file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// The path as the host names it, e.g. `/etc/shadow`.
    pub path: String,
    pub reason: String,
}

/// A fact that could not be determined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotDetermined {
    /// The fact, e.g. `weak_password of root` or `packages`.
    pub fact: String,
    pub reason: String,
}

impl HostReport {
    pub(crate) fn unreadable(&mut self, path: &str, reason: &str) {
        let entry = Unreadable { path: path.to_owned(), reason: reason.to_owned() };
        if !self.unreadable.contains(&entry) {
            self.unreadable.push(entry);
        }
    }

    pub(crate) fn not_determined(&mut self, fact: &str, reason: &str) {
        self.not_determined.push(NotDetermined { fact: fact.to_owned(), reason: reason.to_owned() });
    }

    /// Whether `path` was found unreadable.
    pub(crate) fn is_unreadable(&self, path: &str) -> bool {
        self.unreadable.iter().any(|entry| entry.path == path)
    }

    pub fn is_empty(&self) -> bool {
        self.unreadable.is_empty() && self.not_determined.is_empty()
    }
}
