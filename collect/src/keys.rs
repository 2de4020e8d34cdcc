//! Access keys as both clouds list them (`AccessKeyId`, `Status` `Active` / `Inactive`): the
//! part of a key's asset that does not depend on the cloud.

use crate::answers::Place;
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;
use crate::snapshot::kind::ACCESS_KEY;

/// A listed key's asset with its id, owner, kind and status set, or `None` after reporting a
/// key id the vendor masked (`masked` is the cloud's own test for masked values).
pub(crate) fn listed_key(
    out: &mut Estate,
    place: &Place<'_>,
    key: &Node<'_>,
    (owner_kind, owner_id): (&str, &str),
    masked: fn(&str) -> bool,
) -> Result<Option<Asset>, FieldError> {
    let id = key.str("AccessKeyId")?;
    if masked(id) {
        out.issue(IssueKind::Masked, key, format!("the key id `{id}` is masked: the key is left out"));
        out.partial(place, ACCESS_KEY, format!("the key id `{id}` is masked"));
        return Ok(None);
    }
    let status = match key.str("Status")? {
        "Active" => "active",
        "Inactive" => "inactive",
        _ => return Err(key.need("Status")?.expected("Active or Inactive")),
    };
    let mut asset = Asset::new(ACCESS_KEY, id, place.provider, place.account, None);
    asset.set("owner_kind", owner_kind);
    asset.set("owner_id", owner_id);
    asset.set("kind", "permanent");
    asset.set("status", status);
    Ok(Some(asset))
}
