//! Buckets: `cos.GetService` (in `global/`) lists them with their region; each bucket's
//! settings are the COS answers saved for it in its region's folder. A `NoSuch…` error answer
//! means the setting is not configured, which is data, not a failed collection.

use serde_json::Value;

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::per;

const KIND: &str = "Bucket";
const LIST: &str = "cos.GetService";

/// The grantee groups that make a grant public: anyone, and any Tencent Cloud account.
const PUBLIC_GROUPS: [&str; 2] =
    ["http://cam.qcloud.com/groups/global/AllUsers", "http://cam.qcloud.com/groups/global/AuthenticatedUsers"];

/// The error codes that mean "this setting is not configured" (COS error code list; the
/// replication code is matched case-insensitively, as clients spell it both ways).
const NO_POLICY: &str = "NoSuchBucketPolicy";
const NO_ENCRYPTION: &str = "NoSuchEncryptionConfiguration";
const NO_REPLICATION: &str = "ReplicationConfigurationNotFoundError";

/// Normalizes the buckets of one account.
pub(super) fn build(answers: &Answers, out: &mut Estate, global: &Place<'_>) {
    let listed = answers.lookup(global, LIST);
    out.cover(global, KIND, LIST, &listed);
    for bucket in listed_buckets(out, &listed) {
        let read = |out: &mut Estate| -> Result<(), FieldError> {
            let name = bucket.text("Name")?;
            let region = bucket.text("Location")?;
            let place = global.with_region(&region);
            out.cover(&place, KIND, LIST, &listed);
            bucket_asset(answers, out, &place, &bucket, &name)
        };
        if let Err(err) = read(out) {
            out.not_normalized(err);
        }
    }
}

/// The buckets of `cos.GetService`, saved as XML or as JSON.
pub(super) fn listed_buckets<'a>(out: &mut Estate, listed: &Lookup<'a>) -> Vec<Node<'a>> {
    match listed.items(&["ListAllMyBucketsResult", "Buckets", "Bucket"]) {
        Ok(items) => items,
        Err(err) => {
            out.not_normalized(err);
            Vec::new()
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
    let setting = |action: &str| {
        let call = format!("cos.{action}");
        (per(&call, "Bucket", name), answers.lookup_for(place, &call, "Bucket", name))
    };
    let (acl_call, acl) = setting("GetBucketAcl");
    let (versioning_call, versioning) = setting("GetBucketVersioning");
    let (logging_call, logging) = setting("GetBucketLogging");
    let (replication_call, replication) = setting("GetBucketReplication");
    let (policy_call, policy) = setting("GetBucketPolicy");
    let (encryption_call, encryption) = setting("GetBucketEncryption");
    let Some(Some(acl)) = required(out, place, bucket, &acl_call, &acl, None) else { return Ok(()) };
    let Some(Some(versioning)) = required(out, place, bucket, &versioning_call, &versioning, None) else {
        return Ok(());
    };
    let Some(Some(logging)) = required(out, place, bucket, &logging_call, &logging, None) else { return Ok(()) };
    let Some(replication) = required(out, place, bucket, &replication_call, &replication, Some(NO_REPLICATION)) else {
        return Ok(());
    };
    let mut asset = Asset::new(KIND, name, place.provider, place.account, place.asset_region());
    asset.name = Some(name.to_owned());
    asset.resource_name = appid(name).map(|appid| format!("qcs::cos:{}:uid/{appid}:{name}", place.region));
    asset.set("acl", acl_of(&acl)?);
    asset.set("versioning", versioning_of(&versioning)?);
    asset.set("logging", logging.at(&["BucketLoggingStatus", "LoggingEnabled"]).is_some());
    asset.set(
        "replication_regions",
        replication.map(|rules| replication_regions(&rules)).transpose()?.unwrap_or_default(),
    );
    if let Some(policy) = optional(out, place, &policy_call, &policy, NO_POLICY) {
        asset.set("policy", crate::policy::document(&policy)?);
    }
    if let Some(encryption) = optional(out, place, &encryption_call, &encryption, NO_ENCRYPTION) {
        asset.set_some("encryption", algorithm(&encryption)?);
    }
    out.add_asset(asset, bucket);
    Ok(())
}

/// The APPID a bucket name ends with (`examplebucket-1250000000`), the owner part of its
/// resource name.
fn appid(bucket: &str) -> Option<&str> {
    digits(bucket.rsplit_once('-')?.1)
}

fn digits(text: &str) -> Option<&str> {
    (!text.is_empty() && text.chars().all(|c| c.is_ascii_digit())).then_some(text)
}

/// A setting the asset cannot do without: `Some(Some(answer))`, `Some(None)` when the
/// `not_configured` error says there is none, `None` after reporting why the bucket is left out.
fn required<'a>(
    out: &mut Estate,
    place: &Place<'_>,
    bucket: &Node<'_>,
    call: &str,
    lookup: &Lookup<'a>,
    not_configured: Option<&str>,
) -> Option<Option<Node<'a>>> {
    if says_none(out, lookup, not_configured) {
        return Some(None);
    }
    out.detail(place, KIND, bucket, call, lookup).map(Some)
}

/// An optional setting: its answer, or `None` when it is not configured or unknown (then the
/// type is partial: absent reads as "none", which the answer did not say).
fn optional<'a>(
    out: &mut Estate,
    place: &Place<'_>,
    call: &str,
    lookup: &Lookup<'a>,
    not_configured: &str,
) -> Option<Node<'a>> {
    if says_none(out, lookup, Some(not_configured)) {
        return None;
    }
    let why = match lookup {
        Lookup::Found(pages) => return pages.first().cloned(),
        Lookup::Missing => format!("{call} was not saved"),
        Lookup::Failed { error, .. } => format!("{call} failed: {}: {}", error.code, error.message),
    };
    out.partial(place, KIND, why);
    None
}

/// Whether the answer is the error that means "not configured" (then read as data).
fn says_none(out: &mut Estate, lookup: &Lookup<'_>, not_configured: Option<&str>) -> bool {
    match (lookup, not_configured) {
        (Lookup::Failed { file, error }, Some(code)) if error.code.eq_ignore_ascii_case(code) => {
            out.settled(file);
            true
        }
        _ => false,
    }
}

/// The canned ACL the grants amount to: a public WRITE or FULL_CONTROL grant makes the bucket
/// public-read-write, a public READ public-read.
fn acl_of(acl: &Node<'_>) -> Result<&'static str, FieldError> {
    let (mut read, mut write) = (false, false);
    for grant in acl.list(&["AccessControlPolicy", "AccessControlList", "Grant"]) {
        let public = grant
            .at(&["Grantee", "URI"])
            .and_then(|uri| uri.value.as_str())
            .is_some_and(|uri| PUBLIC_GROUPS.iter().any(|group| group.eq_ignore_ascii_case(uri.trim())));
        if !public {
            continue;
        }
        match grant.str("Permission")? {
            "READ" => read = true,
            "WRITE" | "FULL_CONTROL" => write = true,
            _ => {}
        }
    }
    Ok(if write {
        "public-read-write"
    } else if read {
        "public-read"
    } else {
        "private"
    })
}

/// `Enabled` is on; `Suspended` or an empty configuration (never enabled) is off.
fn versioning_of(answer: &Node<'_>) -> Result<bool, FieldError> {
    let config = answer.need("VersioningConfiguration")?;
    match config.value {
        Value::String(text) if text.is_empty() => Ok(false),
        _ => match config.opt_str("Status")? {
            Some("Enabled") => Ok(true),
            Some("Suspended") | None => Ok(false),
            Some(_) => Err(config.need("Status")?.expected("Enabled or Suspended")),
        },
    }
}

/// The regions of the enabled replication rules' destinations
/// (`qcs::cos:<region>::<bucket>`), sorted and without repeats.
fn replication_regions(answer: &Node<'_>) -> Result<Vec<String>, FieldError> {
    let mut regions = Vec::new();
    for rule in answer.list(&["ReplicationConfiguration", "Rule"]) {
        if rule.opt_str("Status")? != Some("Enabled") {
            continue;
        }
        let destination =
            rule.at(&["Destination", "Bucket"]).ok_or_else(|| rule.error("expected `Destination.Bucket`"))?;
        let text = destination.as_str()?;
        match text.split(':').nth(3).filter(|region| text.starts_with("qcs::cos:") && !region.is_empty()) {
            Some(region) => regions.push(region.to_owned()),
            None => return Err(destination.expected("a bucket `qcs::cos:<region>::<bucket>`")),
        }
    }
    regions.sort();
    regions.dedup();
    Ok(regions)
}

/// The default encryption algorithm (`AES256`, `SM4`, `KMS`), `None` when no rule sets one.
fn algorithm(answer: &Node<'_>) -> Result<Option<String>, FieldError> {
    for rule in answer.list(&["ServerSideEncryptionConfiguration", "Rule"]) {
        if let Some(algorithm) = rule.at(&["ApplyServerSideEncryptionByDefault"]) {
            return Ok(algorithm.opt_str("SSEAlgorithm")?.map(str::to_owned));
        }
    }
    Ok(None)
}

/// The bucket a CloudAudit track delivers to: `StorageName` is the bucket name without its
/// `-APPID` (cloudaudit api.json), joined here with the listed bucket of that name in that
/// region (or with `StorageAppId` when the track gives it).
pub(super) fn bucket_of(
    buckets: &[(String, String)],
    name: &str,
    region: Option<&str>,
    appid: Option<&str>,
) -> Option<String> {
    if let Some(appid) = appid {
        return Some(format!("{name}-{appid}"));
    }
    let mut found = buckets.iter().filter(|(bucket, location)| {
        bucket.strip_prefix(name).and_then(|rest| rest.strip_prefix('-')).and_then(digits).is_some()
            && region.is_none_or(|region| region == location)
    });
    let first = found.next()?;
    found.next().is_none().then(|| first.0.clone())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::raw::{Answer, Syntax, answer};

    fn xml(text: &str) -> Value {
        match answer::parse(text, Syntax::Xml).unwrap() {
            Answer::Data(value) => value,
            Answer::Error(error) => panic!("{error:?}"),
        }
    }

    #[test]
    fn public_grants_decide_the_acl() {
        let grant = |permission: &str| {
            xml(&format!(
                r#"<AccessControlPolicy><AccessControlList><Grant><Grantee xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>{permission}</Permission></Grant>
                <Grant><Grantee xsi:type="CanonicalUser"><ID>qcs::cam::uin/1:uin/1</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>"#
            ))
        };
        let acl = |value: &Value| acl_of(&Node::root(value, Path::new("a.xml"))).unwrap();
        assert_eq!(acl(&grant("READ")), "public-read");
        assert_eq!(acl(&grant("WRITE")), "public-read-write");
        assert_eq!(acl(&grant("FULL_CONTROL")), "public-read-write");
        assert_eq!(acl(&grant("READ_ACP")), "private");
    }

    #[test]
    fn versioning_replication_and_encryption() {
        let read = |text: &str| xml(text);
        let never = read("<VersioningConfiguration/>");
        assert!(!versioning_of(&Node::root(&never, Path::new("a"))).unwrap());
        let suspended = read("<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>");
        assert!(!versioning_of(&Node::root(&suspended, Path::new("a"))).unwrap());
        let rules = read(
            "<ReplicationConfiguration><Rule><Status>Enabled</Status><Destination><Bucket>qcs::cos:eu-frankfurt::b-1250000000</Bucket></Destination></Rule>\
             <Rule><Status>Disabled</Status><Destination><Bucket>qcs::cos:ap-tokyo::c-1250000000</Bucket></Destination></Rule></ReplicationConfiguration>",
        );
        assert_eq!(replication_regions(&Node::root(&rules, Path::new("a"))).unwrap(), vec!["eu-frankfurt".to_owned()]);
        let sse = read(
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>SM4</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
        );
        assert_eq!(algorithm(&Node::root(&sse, Path::new("a"))).unwrap().as_deref(), Some("SM4"));
    }

    #[test]
    fn trail_buckets_are_named_without_their_appid() {
        let buckets = vec![
            ("examplebucket-1250000002".to_owned(), "ap-guangzhou".to_owned()),
            ("examplebucket2-1250000002".to_owned(), "ap-beijing".to_owned()),
        ];
        assert_eq!(
            bucket_of(&buckets, "examplebucket", Some("ap-guangzhou"), None).as_deref(),
            Some("examplebucket-1250000002")
        );
        assert_eq!(bucket_of(&buckets, "examplebucket", Some("ap-beijing"), None), None);
        assert_eq!(bucket_of(&buckets, "logs", None, Some("1250000009")).as_deref(), Some("logs-1250000009"));
        assert_eq!(appid("examplebucket-1250000000"), Some("1250000000"));
        assert_eq!(appid("no-appid"), None);
    }
}
