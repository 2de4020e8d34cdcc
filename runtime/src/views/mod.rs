//! The report's views: the access-key, source-IP and account views and the dashboard, as
//! data (`rulec report`, HTML and JSON).
//!
//! A view says what the snapshot holds (keys, calls, addresses, accounts) and what the packs'
//! findings say about it: no risk is judged here. Where a view needs a judgement the rules
//! also make — is this address ours, which policies does this key carry, what would a
//! least-privilege policy be — it calls the same standard-library native the rules call
//! ([`Engine::call_native`]), so the report and the findings never disagree.

mod accounts;
mod calls;
mod dashboard;
mod fields;
pub mod geo;
mod keys;
mod mask;
mod paths;
mod sources;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::eval::{Engine, EvalError};
use crate::history::Trends;
use crate::plan::{Plan, Severity};
use crate::report::{Finding, FindingKind, Report};
use crate::snapshot::Store;

pub use accounts::AccountView;
pub use dashboard::Dashboard;
pub use geo::{GeoDb, GeoError, Location};
pub use keys::{AccessKeyView, ApiCount, FindingRef};
pub use mask::{KeyMask, mask_report};
pub use paths::{PathEdge, PathGraph, PathNode, PathsView};
pub use sources::SourceIpView;

/// What the views are computed with besides the snapshot and the findings.
#[derive(Default)]
pub struct ViewOptions<'a> {
    pub config: Option<&'a Config>,
    /// Mask every access key id (`--mask-keys`), not only the keys `ip_hiding` names.
    pub mask_keys: bool,
    pub geo: Option<&'a GeoDb>,
    /// The stored runs' trends (`--store`).
    pub trends: Option<Trends>,
    /// At most this many attack paths are drawn; the rest are counted.
    pub max_paths: usize,
}

/// What `rulec report` renders: the run's report (CLI.md's JSON shape) and its views, side by
/// side at the top level of `--format json`.
#[derive(Clone, Debug, Serialize)]
pub struct ReportDocument {
    #[serde(flatten)]
    pub report: Report,
    #[serde(flatten)]
    pub views: Views,
}

/// Every view of one run.
#[derive(Clone, Debug, Serialize)]
pub struct Views {
    /// The time span of the snapshot's API calls, the window the call counts cover.
    pub window: Option<Window>,
    pub dashboard: Dashboard,
    pub access_keys: Vec<AccessKeyView>,
    pub source_ips: Vec<SourceIpView>,
    pub accounts: Vec<AccountView>,
    pub attack_paths: PathsView,
}

#[derive(Clone, Debug, Serialize)]
pub struct Window {
    pub from: String,
    pub to: String,
}

/// Computes every view. `report` is the run's findings after configuration (suppression,
/// IP hiding) and history; its findings are not changed.
pub fn compute(
    plan: &Plan,
    store: &Store,
    engine: &Engine<'_>,
    report: &Report,
    options: &ViewOptions<'_>,
) -> Result<Views, EvalError> {
    let hidden: Vec<&str> = options.config.map(|c| c.hidden_access_keys().collect()).unwrap_or_default();
    let mask = KeyMask::new(options.mask_keys, &hidden);
    let index = FindingIndex::new(&report.findings);
    let calls = calls::CallStats::gather(plan, store, &mask);
    let access_keys = keys::view(plan, store, engine, &calls, &index, &mask)?;
    let source_ips = sources::view(plan, engine, &calls, &report.findings, &mask, options)?;
    let accounts = accounts::view(plan, store, &report.findings, &index);
    let attack_paths = paths::view(store, engine, plan, &report.findings, &mask, options.max_paths)?;
    let dashboard = dashboard::view(report, &access_keys, &source_ips, &accounts, options.trends.clone());
    Ok(Views { window: calls.window(), dashboard, access_keys, source_ips, accounts, attack_paths })
}

/// Every access key id the snapshot names: its `AccessKey` assets and the keys of its API calls
/// and leak reports (what `--mask-keys` masks).
pub fn key_ids(plan: &Plan, store: &Store) -> std::collections::BTreeSet<String> {
    let mut ids = std::collections::BTreeSet::new();
    for (ty, field) in [("AccessKey", "id"), ("ApiCall", "access_key_id"), ("LeakReport", "access_key_id")] {
        let f = fields::Fields::of(plan, ty, [field]);
        ids.extend(fields::rows(store, f.ty).iter().filter_map(|r| f.string(r, 0)));
    }
    ids
}

/// The findings by subject, for the rows of the views.
pub(crate) struct FindingIndex<'a> {
    by_subject: BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a Finding>>>,
}

impl<'a> FindingIndex<'a> {
    fn new(findings: &'a [Finding]) -> Self {
        let mut by_subject: BTreeMap<&str, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
        for f in findings {
            by_subject.entry(f.subject.ty.as_str()).or_default().entry(f.subject.id.as_str()).or_default().push(f);
        }
        FindingIndex { by_subject }
    }

    /// The findings on this subject, in report order.
    fn on(&self, ty: &str, id: &str) -> &[&'a Finding] {
        self.by_subject.get(ty).and_then(|ids| ids.get(id)).map_or(&[], Vec::as_slice)
    }
}

/// Whether the team has not yet decided about a finding: no triage, or a triage other than
/// accepted / false positive.
pub fn is_pending(finding: &Finding) -> bool {
    use crate::history::TriageStatus;
    finding
        .history
        .as_ref()
        .and_then(|h| h.triage.as_ref())
        .is_none_or(|t| !matches!(t.status, TriageStatus::Accepted | TriageStatus::FalsePositive))
}

/// Counts per severity, without zero entries, in severity order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts(pub BTreeMap<Severity, usize>);

impl SeverityCounts {
    fn add(&mut self, severity: Severity) {
        *self.0.entry(severity).or_insert(0) += 1;
    }

    pub fn total(&self) -> usize {
        self.0.values().sum()
    }

    /// The count at `severity`, 0 when none.
    pub fn at(&self, severity: Severity) -> usize {
        self.0.get(&severity).copied().unwrap_or(0)
    }
}

/// Alarm and configuration-risk counts of a set of findings (paths count as risks).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FindingCounts {
    pub alarms: SeverityCounts,
    pub risks: SeverityCounts,
}

impl FindingCounts {
    fn add(&mut self, finding: &Finding) {
        match finding.kind {
            FindingKind::Alarm => self.alarms.add(finding.severity),
            FindingKind::Rule | FindingKind::Path => self.risks.add(finding.severity),
        }
    }
}
