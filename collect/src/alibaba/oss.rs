//! Buckets: `oss.ListBuckets` (in `global/`) lists them with their region; each bucket's
//! settings are the OSS answers saved for it in its region's folder, as the raw API's XML
//! (`<AccessControlPolicy>…`) or as ossutil's JSON (the same tree without the root element).
//! A `NoSuch…` error answer means the setting is not configured, which is data.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::policy;
use crate::snapshot::Asset;

use super::{oss_region, per, setting};

const KIND: &str = "Bucket";
const LIST: &str = "oss.ListBuckets";

/// The OSS error codes that mean "not configured" (OSS error code pages).
const NO_POLICY: &str = "NoSuchBucketPolicy";
const NO_ENCRYPTION: &str = "NoSuchServerSideEncryptionRule";
const NO_REPLICATION: &str = "NoSuchReplicationConfiguration";

/// Normalizes the buckets of one account.
pub(super) fn build(answers: &Answers, out: &mut Estate, global: &Place<'_>) {
    let listed = answers.lookup(global, LIST);
    out.cover(global, KIND, LIST, &listed);
    for bucket in out.items(global, KIND, LIST, &listed, &["ListAllMyBucketsResult", "Buckets", "Bucket"]) {
        let read = |out: &mut Estate| -> Result<(), FieldError> {
            let name = bucket.str("Name")?;
            let region = match bucket.opt_str("Region")? {
                Some(region) => region,
                None => oss_region(bucket.str("Location")?),
            };
            let place = global.with_region(region);
            out.cover(&place, KIND, LIST, &listed);
            bucket_asset(answers, out, &place, &bucket, name)
        };
        if let Err(err) = read(out) {
            out.not_normalized(err);
        }
    }
}

fn bucket_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    bucket: &Node<'_>,
    name: &str,
) -> Result<(), FieldError> {
    let lookup = |action: &str| {
        let call = format!("oss.{action}");
        (per(&call, "Bucket", name), answers.lookup_for(place, &call, "Bucket", name))
    };
    let [acl, versioning, logging, replication, policy, encryption] = [
        "GetBucketAcl",
        "GetBucketVersioning",
        "GetBucketLogging",
        "GetBucketReplication",
        "GetBucketPolicy",
        "GetBucketEncryption",
    ]
    .map(lookup);
    let mut get = |(call, lookup): &(String, _), not_configured: &[&str]| {
        setting(out, place, KIND, bucket, call, lookup, not_configured)
    };
    let Some(Some(acl)) = get(&acl, &[]) else { return Ok(()) };
    let Some(Some(versioning)) = get(&versioning, &[]) else { return Ok(()) };
    let Some(Some(logging)) = get(&logging, &[]) else { return Ok(()) };
    let Some(replication) = get(&replication, &[NO_REPLICATION]) else { return Ok(()) };
    let Some(policy) = get(&policy, &[NO_POLICY]) else { return Ok(()) };
    let Some(encryption) = get(&encryption, &[NO_ENCRYPTION]) else { return Ok(()) };
    let mut asset = Asset::new(KIND, name, place.provider, place.account, place.asset_region());
    asset.name = Some(name.to_owned());
    asset.resource_name = Some(format!("acs:oss:*:{}:{name}", place.account));
    asset.set("acl", acl_of(&acl)?);
    asset.set("versioning", versioning_of(&versioning)?);
    let target = body(&logging, "BucketLoggingStatus").at(&["LoggingEnabled", "TargetBucket"]);
    asset.set("logging", target.is_some());
    asset.set(
        "replication_regions",
        replication.map(|rules| replication_regions(&rules)).transpose()?.unwrap_or_default(),
    );
    asset.set_some("policy", policy.map(|document| policy::document(&document)).transpose()?);
    asset.set_some("encryption", encryption.map(|rule| algorithm(&rule)).transpose()?);
    out.add_asset(asset, bucket);
    Ok(())
}

/// The document under its XML root element, or the document itself as ossutil prints it
/// (JSON without the root).
fn body<'a>(answer: &Node<'a>, root: &str) -> Node<'a> {
    answer.get(root).unwrap_or_else(|| answer.clone())
}

/// The bucket's canned ACL.
fn acl_of(answer: &Node<'_>) -> Result<&'static str, FieldError> {
    let grant = body(answer, "AccessControlPolicy")
        .at(&["AccessControlList", "Grant"])
        .ok_or_else(|| answer.error("expected `AccessControlList.Grant`"))?;
    match grant.as_str()? {
        "private" => Ok("private"),
        "public-read" => Ok("public-read"),
        "public-read-write" => Ok("public-read-write"),
        _ => Err(grant.expected("private, public-read or public-read-write")),
    }
}

/// `Enabled` is on; `Suspended` or no status (never enabled) is off.
fn versioning_of(answer: &Node<'_>) -> Result<bool, FieldError> {
    let config = body(answer, "VersioningConfiguration");
    match config.opt_str("Status")? {
        Some("Enabled") => Ok(true),
        Some("Suspended") | None => Ok(false),
        Some(_) => Err(config.need("Status")?.expected("Enabled or Suspended")),
    }
}

/// The regions the replication rules copy to (`Destination.Location` `oss-cn-beijing`),
/// sorted and without repeats. Every rule counts, whatever its progress (`doing`,
/// `closing`): data may already sit in the target region.
fn replication_regions(answer: &Node<'_>) -> Result<Vec<String>, FieldError> {
    let mut regions = Vec::new();
    for rule in body(answer, "ReplicationConfiguration").list(&["Rule"]) {
        let location =
            rule.at(&["Destination", "Location"]).ok_or_else(|| rule.error("expected `Destination.Location`"))?;
        regions.push(oss_region(location.as_str()?).to_owned());
    }
    regions.sort();
    regions.dedup();
    Ok(regions)
}

/// The default encryption algorithm (`AES256`, `KMS`, `SM4`).
fn algorithm(answer: &Node<'_>) -> Result<String, FieldError> {
    let rule = body(answer, "ServerSideEncryptionRule");
    let algorithm = rule
        .at(&["ApplyServerSideEncryptionByDefault", "SSEAlgorithm"])
        .ok_or_else(|| rule.error("expected `ApplyServerSideEncryptionByDefault.SSEAlgorithm`"))?;
    Ok(algorithm.as_str()?.to_owned())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;

    fn root(value: &Value) -> Node<'_> {
        Node::root(value, Path::new("a.xml"))
    }

    #[test]
    fn xml_and_ossutil_json_read_alike() {
        let xml = json!({"AccessControlPolicy": {"Owner": {"ID": "1"}, "AccessControlList": {"Grant": "public-read"}}});
        let ossutil = json!({"AccessControlList": {"Grant": "public-read"}, "Owner": {"ID": "1"}});
        assert_eq!(acl_of(&root(&xml)).unwrap(), "public-read");
        assert_eq!(acl_of(&root(&ossutil)).unwrap(), "public-read");
        assert!(acl_of(&root(&json!({"AccessControlList": {"Grant": "default"}}))).is_err());
    }

    #[test]
    fn versioning_and_replication() {
        assert!(versioning_of(&root(&json!({"VersioningConfiguration": {"Status": "Enabled"}}))).unwrap());
        assert!(!versioning_of(&root(&json!({"VersioningConfiguration": ""}))).unwrap());
        let rules = json!({"ReplicationConfiguration": {"Rule": [
            {"Destination": {"Location": "oss-cn-beijing"}}, {"Destination": {"Location": "oss-cn-beijing"}},
            {"Destination": {"Location": "oss-ap-southeast-1"}}]}});
        assert_eq!(replication_regions(&root(&rules)).unwrap(), ["ap-southeast-1", "cn-beijing"]);
    }
}
