//! The dashboard: the counts a team looks at first.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{AccessKeyView, AccountView, SeverityCounts, SourceIpView, is_pending};
use crate::history::Trends;
use crate::report::{FindingKind, Report};

#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    pub access_keys: KeyCounts,
    pub source_ips: SourceCounts,
    pub accounts: usize,
    /// Reported findings by kind (`rule`, `alarm`, `path`) and severity.
    pub findings: BTreeMap<&'static str, SeverityCounts>,
    /// Findings the team has not accepted or marked false positive (all of them without a
    /// store): alarms, and configuration risks (rules and paths).
    pub pending_alarms: usize,
    pub pending_risks: usize,
    /// Findings the team accepted or marked false positive (listed in the report, not
    /// hidden).
    pub triaged: usize,
    pub suppressed: usize,
    /// Per day, from the store (`--store`); absent without one.
    pub trends: Option<Trends>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct KeyCounts {
    pub total: usize,
    pub active: usize,
    pub permanent: usize,
    pub temporary: usize,
    /// Keys seen signing calls that the snapshot has no asset for.
    pub unknown: usize,
    pub called: usize,
    pub needing_attention: usize,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceCounts {
    pub total: usize,
    pub internal: usize,
    pub external: usize,
    pub with_alarms: usize,
}

pub(super) fn view(
    report: &Report,
    keys: &[AccessKeyView],
    sources: &[SourceIpView],
    accounts: &[AccountView],
    trends: Option<Trends>,
) -> Dashboard {
    let is = |v: &Option<String>, s: &str| v.as_deref() == Some(s);
    let access_keys = KeyCounts {
        total: keys.len(),
        active: keys.iter().filter(|k| is(&k.status, "active")).count(),
        permanent: keys.iter().filter(|k| is(&k.kind, "permanent")).count(),
        temporary: keys.iter().filter(|k| is(&k.kind, "temporary")).count(),
        unknown: keys.iter().filter(|k| !k.in_snapshot).count(),
        called: keys.iter().filter(|k| k.calls > 0).count(),
        needing_attention: keys.iter().filter(|k| k.needs_attention).count(),
    };
    let addresses = sources.iter().filter(|s| !s.hidden);
    let source_ips = SourceCounts {
        total: addresses.clone().count(),
        internal: addresses.clone().filter(|s| s.internal == Some(true)).count(),
        external: addresses.clone().filter(|s| s.internal == Some(false)).count(),
        with_alarms: addresses.filter(|s| !s.alarms.is_empty()).count(),
    };
    let mut findings: BTreeMap<&'static str, SeverityCounts> = BTreeMap::new();
    let (mut pending_alarms, mut pending_risks, mut triaged) = (0, 0, 0);
    for f in &report.findings {
        findings.entry(f.kind.as_str()).or_default().add(f.severity);
        match (is_pending(f), f.kind) {
            (true, FindingKind::Alarm) => pending_alarms += 1,
            (true, _) => pending_risks += 1,
            (false, _) => triaged += 1,
        }
    }
    Dashboard {
        access_keys,
        source_ips,
        accounts: accounts.len(),
        findings,
        pending_alarms,
        pending_risks,
        triaged,
        suppressed: report.suppressed.len(),
        trends,
    }
}
