//! The snapshot being assembled: assets by (type, id), events, coverage and the report, with
//! the bookkeeping every normalizer shares (duplicates, lossy paths, coverage from lookups).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::answers::{Lookup, Place};
use crate::coverage::{Coverage, Status};
use crate::node::{FieldError, Node};
use crate::report::{ImportReport, Issue, IssueKind};
use crate::snapshot::{Asset, Event, FORMAT, Snapshot};

/// The output of an import so far.
#[derive(Debug, Default)]
pub struct Estate {
    assets: BTreeMap<(&'static str, String), (Asset, String)>,
    events: Vec<Event>,
    /// Error answers a normalizer read as data (a `NoSuchBucketPolicy` answer: no policy).
    settled: BTreeSet<PathBuf>,
    pub coverage: Coverage,
    pub report: ImportReport,
}

impl Estate {
    /// Adds an asset read at `origin`; a second asset of the same type and id is reported and
    /// left out (the first one read, in path order, stays).
    pub fn add_asset(&mut self, asset: Asset, origin: &Node<'_>) {
        let key = (asset.kind, asset.id.clone());
        let place = format!("{}: {}", origin.file.display(), origin.path);
        if let Some((_, first)) = self.assets.get(&key) {
            let message = format!("a second {} `{}` (the first is at {first}): left out", key.0, key.1);
            self.issue(IssueKind::NotNormalized, origin, message);
            return;
        }
        self.assets.insert(key, (asset, place));
    }

    /// An asset added earlier, to complete from another answer.
    pub fn asset_mut(&mut self, kind: &'static str, id: &str) -> Option<&mut Asset> {
        self.assets.get_mut(&(kind, id.to_owned())).map(|(asset, _)| asset)
    }

    /// The assets of one type in one account, to complete from an account-wide answer.
    pub fn assets_mut<'s>(
        &'s mut self,
        kind: &'static str,
        provider: &'s str,
        account: &'s str,
    ) -> impl Iterator<Item = &'s mut Asset> + 's {
        self.assets
            .values_mut()
            .map(|(asset, _)| asset)
            .filter(move |asset| asset.kind == kind && asset.provider == provider && asset.account == account)
    }

    /// Whether an asset was added.
    pub fn has_asset(&self, kind: &'static str, id: &str) -> bool {
        self.assets.contains_key(&(kind, id.to_owned()))
    }

    pub fn add_event(&mut self, event: Event) {
        self.events.push(event);
    }

    /// A record that could not be normalized: left out, and listed.
    pub fn not_normalized(&mut self, error: FieldError) {
        self.report.issues.push(Issue::from_field(IssueKind::NotNormalized, error));
    }

    /// An error answer that is data, not a failed collection (`NoSuchEncryptionConfiguration`
    /// says the bucket has no default encryption): listed as used, not as not collected.
    pub fn settled(&mut self, file: &Path) {
        self.report.used.push(file.display().to_string());
        self.settled.insert(file.to_owned());
    }

    /// Whether an error answer was read as data.
    pub fn is_settled(&self, file: &Path) -> bool {
        self.settled.contains(file)
    }

    /// Adds what another estate read (one event file, read on another thread) after what this
    /// one holds.
    pub fn absorb(&mut self, other: Estate) {
        for (key, value) in other.assets {
            self.assets.entry(key).or_insert(value);
        }
        self.events.extend(other.events);
        self.settled.extend(other.settled);
        self.coverage.absorb(other.coverage);
        self.report.absorb(other.report);
    }

    /// Any other loss, at a node.
    pub fn issue(&mut self, kind: IssueKind, at: &Node<'_>, message: impl Into<String>) {
        self.report.issues.push(Issue::from_field(kind, at.error(message)));
    }

    /// Records `kind`'s coverage in `place` from the lookup of the call that lists it.
    pub fn cover(&mut self, place: &Place<'_>, kind: &'static str, call: &str, lookup: &Lookup<'_>) {
        let (status, reason) = match lookup {
            Lookup::Missing => (Status::Absent, Some(format!("{call} was not saved"))),
            Lookup::Failed { error, .. } => {
                (Status::Failed, Some(format!("{call}: {}: {}", error.code, error.message)))
            }
            Lookup::Found(_) => (Status::Collected, None),
        };
        self.record(place, kind, status, reason);
    }

    /// Records that some of `kind`'s assets in `place` were left out, and why.
    pub fn partial(&mut self, place: &Place<'_>, kind: &'static str, reason: String) {
        self.record(place, kind, Status::Partial, Some(reason));
    }

    fn record(&mut self, place: &Place<'_>, kind: &'static str, status: Status, reason: Option<String>) {
        let region = place.asset_region();
        self.coverage.record(place.provider, place.account, region.as_deref(), kind, status, reason);
    }

    /// A per-resource detail an asset needs: its answer's root, or `None` after reporting why
    /// the asset is left out (and marking the type partial).
    pub fn detail<'a>(
        &mut self,
        place: &Place<'_>,
        kind: &'static str,
        at: &Node<'_>,
        call: &str,
        lookup: &Lookup<'a>,
    ) -> Option<Node<'a>> {
        let why = match lookup {
            Lookup::Found(pages) => return pages.first().cloned(),
            Lookup::Missing => format!("{call} was not saved"),
            Lookup::Failed { error, .. } => format!("{call} failed: {}: {}", error.code, error.message),
        };
        self.issue(IssueKind::Incomplete, at, format!("{kind} left out: {why}"));
        self.partial(place, kind, why);
        None
    }

    /// A per-resource answer that fills one field of an asset: its first page, or `None` after
    /// marking `kind` partial in `place` (the field is left out of that asset, the asset is
    /// kept).
    pub fn optional<'a>(
        &mut self,
        place: &Place<'_>,
        kind: &'static str,
        call: &str,
        lookup: &Lookup<'a>,
        field: &str,
    ) -> Option<Node<'a>> {
        let why = match lookup {
            Lookup::Found(pages) => return pages.first().cloned(),
            Lookup::Missing => format!("{call} was not saved"),
            Lookup::Failed { error, .. } => format!("{call}: {}: {}", error.code, error.message),
        };
        self.partial(place, kind, format!("{why}: {field} is left out"));
        None
    }

    /// The items of a list answer across its pages (a collection the answer lacks is reported);
    /// when the last page saved says more pages follow, `kind` is partial in `place`: those
    /// resources were never seen.
    pub fn items<'a>(
        &mut self,
        place: &Place<'_>,
        kind: &'static str,
        call: &str,
        lookup: &Lookup<'a>,
        collection: &[&str],
    ) -> Vec<Node<'a>> {
        let items = match lookup.items(collection) {
            Ok(items) => items,
            Err(err) => {
                self.not_normalized(err);
                return Vec::new();
            }
        };
        // Paging fields sit beside the collection: at the root of `InstanceSet[]`, beside the
        // wrapper of Alibaba's doubly nested `Users.User[]`.
        let wrapper = &collection[..collection.len().saturating_sub(2)];
        if let Lookup::Found(pages) = lookup
            && let Some(why) =
                pages.last().and_then(|page| page.at(wrapper)).and_then(|page| more_pages(&page, items.len()))
        {
            self.partial(place, kind, format!("{call}: {why}: the pages after it were not saved"));
        }
        items
    }

    /// The finished snapshot and report.
    pub fn finish(mut self, taken_at: String) -> (Snapshot, ImportReport) {
        let assets: Vec<Asset> = self.assets.into_values().map(|(asset, _)| asset).collect();
        let mut events = self.events;
        // Stable: events of the same time keep the order their files were read in.
        events.sort_by_cached_key(|event| crate::time::sort_key(event.time()));
        self.report.assets = assets.len();
        self.report.events = events.len();
        self.report.normalize();
        let snapshot = Snapshot { format: FORMAT, taken_at, assets, events, coverage: self.coverage.into_entries() };
        (snapshot, self.report)
    }
}

/// Why a saved page is not the last one: `IsTruncated`, a `NextToken`, or a total above the
/// items saved (`TotalCount`, Tencent CAM's `TotalNum`, RDS `TotalRecordCount`, SLS `total`).
pub(crate) fn more_pages(page: &Node<'_>, saved: usize) -> Option<String> {
    if page.opt_flag("IsTruncated").ok().flatten() == Some(true) {
        return Some("the last page saved says IsTruncated".to_owned());
    }
    if page.opt_str("NextToken").ok().flatten().is_some() {
        return Some("the last page saved has a NextToken".to_owned());
    }
    ["TotalCount", "TotalNum", "TotalRecordCount", "total"].iter().find_map(|key| {
        let total = page.opt_int(key).ok().flatten()?;
        (usize::try_from(total).ok()? > saved).then(|| format!("{key} is {total} but {saved} were saved"))
    })
}
