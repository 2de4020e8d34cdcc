//! KMS keys: `kms.ListKeys` per region gives the ids, one `kms.DescribeKey@KeyId=` answer per
//! key its state, rotation and spec.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{listed, need_switch, per, resource_name};

const KIND: &str = "KmsKey";

/// Normalizes the keys of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for key in listed(answers, out, place, KIND, "kms.ListKeys", &["Keys", "Key"]) {
        if let Err(err) = key_asset(answers, out, place, &key) {
            out.not_normalized(err);
        }
    }
}

fn key_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, key: &Node<'_>) -> Result<(), FieldError> {
    let id = key.str("KeyId")?;
    let call = "kms.DescribeKey";
    let lookup = answers.lookup_for(place, call, "KeyId", id);
    let Some(answer) = out.detail(place, KIND, key, &per(call, "KeyId", id), &lookup) else { return Ok(()) };
    let metadata = answer.need("KeyMetadata")?;
    // `PendingImport` (external key material not imported yet) has no v1 state: reported.
    let state = match metadata.str("KeyState")? {
        "Enabled" => "enabled",
        "Disabled" => "disabled",
        "PendingDeletion" => "pending_deletion",
        _ => return Err(metadata.need("KeyState")?.expected("Enabled, Disabled or PendingDeletion")),
    };
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.resource_name = Some(resource_name("kms", place, &format!("key/{id}")));
    asset.set("state", state);
    // `Suspended` (rotation paused) rotates nothing: off.
    asset.set("rotation_enabled", need_switch(&metadata, "AutomaticRotation")?);
    asset.set("spec", metadata.str("KeySpec")?);
    out.add_asset(asset, key);
    Ok(())
}
