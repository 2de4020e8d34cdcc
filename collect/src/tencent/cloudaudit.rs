//! Audit trails: CloudAudit tracking sets (`cloudaudit.DescribeAuditTracks`, account-wide).
//! A track records every region (CreateAuditTrack takes no region), so `all_regions` is true;
//! what it records is `ActionType`, `ResourceType` and `EventNames`. Its storage is joined with
//! the bucket list (COS) or the topic list (CLS, for the retention).

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::cos;

const KIND: &str = "AuditTrail";
const LIST: &str = "cloudaudit.DescribeAuditTracks";

/// Normalizes the tracks of one account.
pub(super) fn build(answers: &Answers, out: &mut Estate, global: &Place<'_>) {
    let listed = answers.lookup(global, LIST);
    out.cover(global, KIND, LIST, &listed);
    let tracks = match listed.items(&["Tracks"]) {
        Ok(tracks) => tracks,
        Err(err) => return out.not_normalized(err),
    };
    for track in tracks {
        if let Err(err) = track_asset(answers, out, global, &track) {
            out.not_normalized(err);
        }
    }
}

fn track_asset(answers: &Answers, out: &mut Estate, global: &Place<'_>, track: &Node<'_>) -> Result<(), FieldError> {
    let id = track.text("TrackId")?;
    let mut asset = Asset::new(KIND, id, global.provider, global.account, None);
    asset.name = track.opt_str("Name")?.map(str::to_owned);
    asset.set("enabled", track.int("Status")? == 1);
    asset.set("all_regions", true);
    let read_write = match track.str("ActionType")? {
        "*" => "all",
        "Read" => "read",
        "Write" => "write",
        _ => return Err(track.need("ActionType")?.expected("`*`, Read or Write")),
    };
    asset.set("read_write", read_write);
    let every_event = track.strings(&["EventNames"])?.iter().any(|name| name == "*");
    asset.set("all_events", track.str("ResourceType")? == "*" && every_event);
    if let Some(storage) = track.get("Storage") {
        storage_fields(answers, out, global, &storage, &mut asset)?;
    }
    out.add_asset(asset, track);
    Ok(())
}

/// `storage_type`, and the delivery bucket (COS) or the retention of the delivery topic (CLS).
fn storage_fields(
    answers: &Answers,
    out: &mut Estate,
    global: &Place<'_>,
    storage: &Node<'_>,
    asset: &mut Asset,
) -> Result<(), FieldError> {
    let kind = storage.str("StorageType")?;
    asset.set("storage_type", kind);
    let name = storage.str("StorageName")?;
    let region = storage.opt_str("StorageRegion")?;
    match kind {
        "cos" => {
            let listed = answers.lookup(global, "cos.GetService");
            let mut buckets = Vec::new();
            for bucket in cos::listed_buckets(out, &listed) {
                buckets.push((bucket.text("Name")?, bucket.text("Location")?));
            }
            match cos::bucket_of(&buckets, name, region, storage.opt_str("StorageAppId")?) {
                Some(bucket) => {
                    asset.set("storage_bucket_id", bucket);
                }
                None => {
                    unresolved(out, global, storage, format!("the bucket `{name}` is not one cos.GetService lists"))
                }
            }
        }
        "cls" => match region {
            Some(region) => {
                let topics = answers.lookup(&global.with_region(region), "cls.DescribeTopics").items(&["Topics"])?;
                match topics.iter().find(|topic| topic.opt_str("TopicId").ok().flatten() == Some(name)) {
                    Some(topic) => {
                        asset.set("retention_days", topic.int("Period")?);
                    }
                    None => unresolved(
                        out,
                        global,
                        storage,
                        format!("the topic `{name}` is not in {region}'s cls.DescribeTopics"),
                    ),
                }
            }
            None => unresolved(out, global, storage, format!("the topic `{name}` has no StorageRegion")),
        },
        _ => {}
    }
    Ok(())
}

fn unresolved(out: &mut Estate, global: &Place<'_>, storage: &Node<'_>, why: String) {
    out.issue(IssueKind::Unresolved, storage, format!("{why}: the trail's storage is left unresolved"));
    out.partial(global, KIND, format!("trail storage unresolved: {why}"));
}
