//! The `DiskSnapshot` fields both clouds' snapshot answers hold under their own names: one
//! reader, so the two normalizers cannot drift apart in what `encrypted`, `kms_key_id`,
//! `disk_id`, `disk_kind`, `size_gb` and `state` mean or in how a masked key id is reported.

use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "DiskSnapshot";

/// Where one cloud's snapshot answer keeps each field, and how it spells the disk kinds
/// (compared without regard to case: Alibaba's reference spells them `System` / `Data` in
/// requests and `system` / `data` in answers).
pub(crate) struct SnapshotKeys {
    pub(crate) encrypted: &'static str,
    /// `None` when the cloud's answer names no key.
    pub(crate) kms_key: Option<&'static str>,
    pub(crate) disk: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) system: &'static str,
    pub(crate) data: &'static str,
    pub(crate) size_gb: &'static str,
    pub(crate) state: &'static str,
}

/// Sets the shared `DiskSnapshot` fields of `snapshot` on `asset`; a key id that `masked` says
/// identifies nothing is reported and left out, and a disk kind neither system nor data is an
/// error (it would otherwise read as a kind rules do not know).
pub(crate) fn set_fields(
    out: &mut Estate,
    asset: &mut Asset,
    snapshot: &Node<'_>,
    keys: &SnapshotKeys,
    masked: fn(&str) -> bool,
) -> Result<(), FieldError> {
    asset.set("encrypted", snapshot.flag(keys.encrypted)?);
    if let Some(field) = keys.kms_key
        && let Some(key) = snapshot.opt_str(field)?
    {
        if masked(key) {
            let message = format!("the KMS key id `{key}` is masked: left out");
            out.issue(IssueKind::Masked, &snapshot.need(field)?, message);
        } else {
            asset.set("kms_key_id", key);
        }
    }
    asset.set_some("disk_id", snapshot.opt_str(keys.disk)?.map(str::to_owned));
    let kind = match snapshot.opt_str(keys.kind)? {
        None => None,
        Some(k) if k.eq_ignore_ascii_case(keys.system) => Some("system"),
        Some(k) if k.eq_ignore_ascii_case(keys.data) => Some("data"),
        Some(_) => {
            let expected = format!("{} or {}", keys.system, keys.data);
            return Err(snapshot.need(keys.kind)?.expected(&expected));
        }
    };
    asset.set_some("disk_kind", kind);
    asset.set_some("size_gb", snapshot.opt_int(keys.size_gb)?);
    asset.set("state", snapshot.str(keys.state)?);
    Ok(())
}
