//! The `CustomImage` fields both clouds' image answers hold under their own names, and who an
//! image is shared with, read from its share-permission answer. One reader, so the two
//! normalizers cannot drift apart in what `public`, `shared_accounts` and `external_accounts`
//! mean or in how a missing share answer is reported.

use crate::answers::{Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "CustomImage";

/// Where one cloud's image answer keeps each field.
pub(crate) struct ImageKeys {
    pub(crate) state: &'static str,
    pub(crate) size_gb: &'static str,
    pub(crate) os_name: &'static str,
    /// The keys leading to the snapshots the image is made of, and the id field in each.
    pub(crate) snapshots: &'static [&'static str],
    pub(crate) snapshot_id: &'static str,
}

/// Sets the fields the image answer itself holds.
pub(crate) fn set_fields(asset: &mut Asset, image: &Node<'_>, keys: &ImageKeys) -> Result<(), FieldError> {
    asset.set("state", image.str(keys.state)?);
    asset.set_some("size_gb", image.opt_int(keys.size_gb)?);
    asset.set_some("os_name", image.opt_str(keys.os_name)?.map(str::to_owned));
    let mut snapshots = Vec::new();
    for mapping in image.list(keys.snapshots) {
        if let Some(id) = mapping.opt_str(keys.snapshot_id)? {
            snapshots.push(id.to_owned());
        }
    }
    asset.set("snapshot_ids", snapshots);
    Ok(())
}

/// Who an image is shared with, as its share-permission answer says.
pub(crate) struct Sharing {
    /// Whether anyone may use it; `None` when the cloud's answer cannot say (Tencent custom
    /// images are shared with accounts only).
    pub(crate) public: Option<bool>,
    pub(crate) accounts: Vec<String>,
}

/// The pages of an image's share-permission answer, or `None` after marking the type partial
/// (the image stays, its sharing fields absent): an answer not saved or refused says nothing
/// about who may use the image.
pub(crate) fn share_answer<'a>(
    out: &mut Estate,
    place: &Place<'_>,
    call: &str,
    lookup: &Lookup<'a>,
) -> Option<Vec<Node<'a>>> {
    let why = match lookup {
        Lookup::Found(pages) => return Some(pages.clone()),
        Lookup::Missing => format!("{call} was not saved: who it is shared with is unknown"),
        Lookup::Failed { error, .. } => format!("{call} failed: {}: {}", error.code, error.message),
    };
    out.partial(place, KIND, why);
    None
}

/// Sets `public`, `shared_accounts` and `external_accounts` (the accounts it is shared with
/// that the import holds no answers of: outside the estate).
pub(crate) fn set_sharing(asset: &mut Asset, sharing: Sharing, estate: &[String]) {
    let mut accounts = sharing.accounts;
    accounts.sort();
    accounts.dedup();
    let external: Vec<String> = accounts.iter().filter(|account| !estate.contains(account)).cloned().collect();
    asset.set_some("public", sharing.public);
    asset.set("shared_accounts", accounts);
    asset.set("external_accounts", external);
}
