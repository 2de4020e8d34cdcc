//! What an import could and could not see, per (provider, account, region, asset type): the
//! part of the snapshot that lets `rulec check` say "not evaluated" instead of "passed" when
//! the data behind a check was never collected.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::raw::Provider;

/// How much of one asset type's data the snapshot holds for one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every call feeding the type was answered.
    Collected,
    /// The listing was answered but some per-resource answers are missing or failed: the
    /// assets those would describe are left out.
    Partial,
    /// The call answered with an error (no permission, service not enabled).
    Failed,
    /// No answer was saved.
    Absent,
}

/// One line of the snapshot's `coverage` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageEntry {
    pub provider: Provider,
    pub account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: Status,
    /// Why it is not `collected`: the calls missing or failed, with the vendor's error.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

type Where = (Provider, String, Option<String>, &'static str);

/// Coverage being gathered: the worst status seen for each place and type wins.
#[derive(Debug, Default)]
pub struct Coverage {
    entries: BTreeMap<Where, (Status, BTreeSet<String>)>,
}

impl Coverage {
    /// Records what was seen of `kind` in one place; `reason` explains a status other than
    /// collected.
    pub fn record(
        &mut self,
        provider: Provider,
        account: &str,
        region: Option<&str>,
        kind: &'static str,
        status: Status,
        reason: Option<String>,
    ) {
        let entry = self
            .entries
            .entry((provider, account.to_owned(), region.map(str::to_owned), kind))
            .or_insert((status, BTreeSet::new()));
        entry.0 = merge(entry.0, status);
        entry.1.extend(reason);
    }

    /// Adds another coverage's entries, the worst status winning.
    pub fn absorb(&mut self, other: Coverage) {
        for ((provider, account, region, kind), (status, reasons)) in other.entries {
            let entry = self.entries.entry((provider, account, region, kind)).or_insert((status, BTreeSet::new()));
            entry.0 = merge(entry.0, status);
            entry.1.extend(reasons);
        }
    }

    /// Whether any entry names `kind` for the account, in any region.
    pub fn mentions(&self, provider: Provider, account: &str, kind: &str) -> bool {
        self.entries.keys().any(|(p, a, _, k)| *p == provider && a == account && *k == kind)
    }

    /// The entries in a stable order.
    pub fn into_entries(self) -> Vec<CoverageEntry> {
        self.entries
            .into_iter()
            .map(|((provider, account, region, kind), (status, reasons))| CoverageEntry {
                provider,
                account,
                region,
                kind,
                status,
                reasons: reasons.into_iter().collect(),
            })
            .collect()
    }
}

/// Failed beats partial beats collected; absent only stands alone.
fn merge(old: Status, new: Status) -> Status {
    use Status::*;
    match (old, new) {
        (Absent, other) | (other, Absent) => other,
        (Failed, _) | (_, Failed) => Failed,
        (Partial, _) | (_, Partial) => Partial,
        (Collected, Collected) => Collected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_status_wins_and_reasons_gather() {
        let mut coverage = Coverage::default();
        coverage.record(Provider::Tencent, "1", Some("ap-guangzhou"), "SecurityGroup", Status::Collected, None);
        coverage.record(
            Provider::Tencent,
            "1",
            Some("ap-guangzhou"),
            "SecurityGroup",
            Status::Partial,
            Some("b".into()),
        );
        coverage.record(
            Provider::Tencent,
            "1",
            Some("ap-guangzhou"),
            "SecurityGroup",
            Status::Partial,
            Some("a".into()),
        );
        coverage.record(Provider::Tencent, "1", None, "User", Status::Absent, Some("no cam.ListUsers".into()));
        coverage.record(Provider::Tencent, "1", None, "User", Status::Collected, None);
        let entries = coverage.into_entries();
        assert_eq!(entries[0].kind, "User");
        assert_eq!(entries[0].status, Status::Collected);
        assert_eq!(entries[1].status, Status::Partial);
        assert_eq!(entries[1].reasons, vec!["a".to_owned(), "b".to_owned()]);
    }
}
