//! The `Disk` fields both clouds' disk answers hold under their own names: one reader, so the
//! two normalizers cannot drift apart in what `encrypted`, `kms_key_id`, `kind`, `size_gb` and
//! `state` mean or in how a masked key id is reported.

use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

/// Where one cloud's disk answer keeps each field, and how it spells the disk kinds.
pub(crate) struct DiskKeys {
    pub(crate) kind: &'static str,
    pub(crate) system: &'static str,
    pub(crate) data: &'static str,
    pub(crate) encrypted: &'static str,
    pub(crate) kms_key: &'static str,
    pub(crate) size_gb: &'static str,
    pub(crate) state: &'static str,
}

/// Sets the shared `Disk` fields of `disk` on `asset`, with the instance it is attached to; a
/// key id that `masked` says identifies nothing is reported and left out.
pub(crate) fn set_fields(
    out: &mut Estate,
    asset: &mut Asset,
    disk: &Node<'_>,
    keys: &DiskKeys,
    instance: Option<String>,
    masked: fn(&str) -> bool,
) -> Result<(), FieldError> {
    let kind = match disk.str(keys.kind)? {
        k if k == keys.system => "system",
        k if k == keys.data => "data",
        _ => return Err(disk.need(keys.kind)?.expected(&format!("{} or {}", keys.system, keys.data))),
    };
    asset.set("encrypted", disk.flag(keys.encrypted)?);
    if let Some(key) = disk.opt_str(keys.kms_key)? {
        if masked(key) {
            let message = format!("the KMS key id `{key}` is masked: left out");
            out.issue(IssueKind::Masked, &disk.need(keys.kms_key)?, message);
        } else {
            asset.set("kms_key_id", key);
        }
    }
    asset.set_some("instance_id", instance);
    asset.set("kind", kind);
    asset.set("size_gb", disk.int(keys.size_gb)?);
    asset.set("state", disk.str(keys.state)?);
    Ok(())
}
