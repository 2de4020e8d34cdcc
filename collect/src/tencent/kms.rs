//! KMS keys per region: `kms.ListKeyDetail`, or `kms.ListKeys` with each key's
//! `kms.DescribeKey@KeyId=`. `KeyUsage` names the algorithm of
//! asymmetric keys; a symmetric key's algorithm (AES_256 or SM4) is the region's, which
//! `kms.ListAlgorithms` gives.

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{per, resource_name};

const KIND: &str = "KmsKey";

/// Normalizes the keys of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let keys = match answers.lookup(place, "kms.ListKeyDetail") {
        Lookup::Missing => listed_keys(answers, out, place),
        detail => {
            out.cover(place, KIND, "kms.ListKeyDetail", &detail);
            detail.items(&["KeyMetadatas"])
        }
    };
    let keys = match keys {
        Ok(keys) => keys,
        Err(err) => return out.not_normalized(err),
    };
    if keys.is_empty() {
        return;
    }
    let symmetric = symmetric_spec(answers, place);
    for key in keys {
        if let Err(err) = key_asset(answers, out, place, &symmetric, &key) {
            out.not_normalized(err);
        }
    }
}

/// The metadata of the keys `kms.ListKeys` lists, from each key's own answer.
fn listed_keys<'a>(answers: &'a Answers, out: &mut Estate, place: &Place<'_>) -> Result<Vec<Node<'a>>, FieldError> {
    let listed = answers.lookup(place, "kms.ListKeys");
    let call = if matches!(listed, Lookup::Missing) { "kms.ListKeyDetail or kms.ListKeys" } else { "kms.ListKeys" };
    out.cover(place, KIND, call, &listed);
    let items = listed.items(&["Keys"])?;
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let mut keys = Vec::new();
    for item in items {
        let id = item.text("KeyId")?;
        let lookup = answers.lookup_for(place, "kms.DescribeKey", "KeyId", &id);
        if let Some(answer) = out.detail(place, KIND, &item, &per("kms.DescribeKey", "KeyId", &id), &lookup) {
            keys.push(answer.need("KeyMetadata")?);
        }
    }
    Ok(keys)
}

/// The algorithm of the region's symmetric keys, or why it is unknown.
fn symmetric_spec(answers: &Answers, place: &Place<'_>) -> Result<String, String> {
    let lookup = answers.lookup(place, "kms.ListAlgorithms");
    if !lookup.is_found() {
        return Err("kms.ListAlgorithms was not saved (or failed)".to_owned());
    }
    let mut specs = Vec::new();
    for algorithm in lookup.items(&["SymmetricAlgorithms"]).map_err(|err| err.to_string())? {
        if algorithm.opt_str("KeyUsage").ok().flatten().is_none_or(|usage| usage == "ENCRYPT_DECRYPT")
            && let Ok(name) = algorithm.str("Algorithm")
        {
            specs.push(name.to_owned());
        }
    }
    match specs.as_slice() {
        [spec] => Ok(spec.clone()),
        [] => Err("kms.ListAlgorithms lists no symmetric algorithm".to_owned()),
        _ => Err(format!("kms.ListAlgorithms lists several symmetric algorithms ({})", specs.join(", "))),
    }
}

fn key_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    symmetric: &Result<String, String>,
    key: &Node<'_>,
) -> Result<(), FieldError> {
    let id = key.str("KeyId")?;
    let spec = match spec_of(key.str("KeyUsage")?) {
        Some(spec) => spec.to_owned(),
        None if key.str("KeyUsage")? == "ENCRYPT_DECRYPT" => match symmetric {
            Ok(spec) => spec.clone(),
            Err(why) => {
                out.issue(
                    IssueKind::Incomplete,
                    key,
                    format!("KmsKey left out: its symmetric algorithm is unknown: {why}"),
                );
                out.partial(place, KIND, format!("symmetric key spec unknown: {why}"));
                return Ok(());
            }
        },
        None => return Err(key.need("KeyUsage")?.expected("a KMS key usage such as ENCRYPT_DECRYPT")),
    };
    let Some(rotation) = rotation(answers, out, place, key, id)? else { return Ok(()) };
    let state = match key.str("KeyState")? {
        "Enabled" => "enabled",
        "PendingDelete" => "pending_deletion",
        // Awaiting key material, or archived: the key encrypts nothing.
        "Disabled" | "PendingImport" | "Archived" => "disabled",
        _ => return Err(key.need("KeyState")?.expected("Enabled, Disabled, PendingDelete, PendingImport or Archived")),
    };
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = key.opt_str("Alias")?.map(str::to_owned);
    asset.resource_name = key_path(key, id)?.map(|path| resource_name(place, "kms", &format!("key/{path}")));
    asset.set("state", state);
    asset.set("rotation_enabled", rotation);
    asset.set("spec", spec);
    asset.set_some("origin", key.opt_str("Origin")?);
    out.add_asset(asset, key);
    Ok(())
}

/// The algorithm an asymmetric `KeyUsage` names (`ASYMMETRIC_SIGN_VERIFY_RSA_2048` →
/// `RSA_2048`); `None` for symmetric and unknown usages.
fn spec_of(usage: &str) -> Option<&str> {
    usage
        .strip_prefix("ASYMMETRIC_DECRYPT_")
        .or_else(|| usage.strip_prefix("ASYMMETRIC_SIGN_VERIFY_"))
        .filter(|spec| !spec.is_empty())
}

/// Rotation from `kms.GetKeyRotationStatus@KeyId=` when saved, else from the metadata.
fn rotation(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    key: &Node<'_>,
    id: &str,
) -> Result<Option<bool>, FieldError> {
    let lookup = answers.lookup_for(place, "kms.GetKeyRotationStatus", "KeyId", id);
    if let Some(status) = lookup.first() {
        return status.flag("KeyRotationEnabled").map(Some);
    }
    if let Some(enabled) = key.opt_flag("KeyRotationEnabled")? {
        return Ok(Some(enabled));
    }
    // Not found here, so `detail` reports why the key is left out.
    out.detail(place, KIND, key, &per("kms.GetKeyRotationStatus", "KeyId", id), &lookup);
    Ok(None)
}

/// The key's path in its resource name, `creatorUin/<creator>/<id>` (KMS's CAM resource form,
/// which the metadata's `ResourceId` spells out).
fn key_path(key: &Node<'_>, id: &str) -> Result<Option<String>, FieldError> {
    if let Some(path) = key.opt_str("ResourceId")? {
        return Ok(Some(path.to_owned()));
    }
    Ok(key.opt_text("CreatorUin")?.map(|creator| format!("creatorUin/{creator}/{id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asymmetric_usages_name_their_spec() {
        assert_eq!(spec_of("ASYMMETRIC_DECRYPT_RSA_2048"), Some("RSA_2048"));
        assert_eq!(spec_of("ASYMMETRIC_SIGN_VERIFY_SM2"), Some("SM2"));
        assert_eq!(spec_of("ASYMMETRIC_SIGN_VERIFY_ECC"), Some("ECC"));
        assert_eq!(spec_of("ENCRYPT_DECRYPT"), None);
    }
}
