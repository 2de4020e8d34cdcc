//! ActionTrail trails: `actiontrail.DescribeTrails` (in `global/`) and whether each is
//! logging, from `actiontrail.GetTrailStatus@Name=` or, when that was not saved, the trail's
//! own `Status` (the 2020-07-06 API: `Enable`, `Disable`, `Fresh` for never started). A trail
//! delivering to Log Service writes to the log store `actiontrail_<trail name>` of its
//! `SlsProjectArn` project (ActionTrail documentation), whose `ttl` is the trail's retention.

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{listed, per, switch};

const KIND: &str = "AuditTrail";

/// Normalizes the trails of one account.
pub(super) fn build(answers: &Answers, out: &mut Estate, global: &Place<'_>) {
    for trail in listed(answers, out, global, KIND, "actiontrail.DescribeTrails", &["TrailList"]) {
        if let Err(err) = trail_asset(answers, out, global, &trail) {
            out.not_normalized(err);
        }
    }
}

fn trail_asset(answers: &Answers, out: &mut Estate, global: &Place<'_>, trail: &Node<'_>) -> Result<(), FieldError> {
    let name = trail.str("Name")?;
    let Some(enabled) = logging(answers, out, global, trail, name)? else { return Ok(()) };
    let read_write = match trail.str("EventRW")? {
        "All" => "all",
        "Read" => "read",
        "Write" => "write",
        _ => return Err(trail.need("EventRW")?.expected("All, Read or Write")),
    };
    let home = trail.opt_str("HomeRegion")?;
    let mut asset = Asset::new(KIND, name, global.provider, global.account, home.map(str::to_owned));
    asset.name = Some(name.to_owned());
    asset.resource_name = Some(format!("acs:actiontrail:{}:{}:trail/{name}", home.unwrap_or("*"), global.account));
    asset.set("enabled", enabled);
    asset.set("all_regions", trail.str("TrailRegion")? == "All");
    asset.set("read_write", read_write);
    asset.set_some("storage_bucket_id", trail.opt_str("OssBucketName")?);
    asset.set_some("retention_days", retention(answers, global, trail, name)?);
    out.add_asset(asset, trail);
    Ok(())
}

/// The `ttl` of the trail's log store, when the trail delivers to Log Service and that store's
/// `sls.GetLogStore` answer was saved in the project's region; otherwise unknown (absent).
fn retention(answers: &Answers, global: &Place<'_>, trail: &Node<'_>, name: &str) -> Result<Option<i64>, FieldError> {
    let Some(arn) = trail.opt_str("SlsProjectArn")? else { return Ok(None) };
    let (Some(region), Some(project)) =
        (arn.split(':').nth(2), arn.rsplit_once(":project/").map(|(_, project)| project))
    else {
        return Err(trail.need("SlsProjectArn")?.expected("`acs:log:<region>:<account>:project/<project>`"));
    };
    let store = format!("actiontrail_{name}");
    let params = [("project", project), ("logstore", store.as_str())];
    match answers.lookup_with(&global.with_region(region), "sls.GetLogStore", &params).first() {
        Some(answer) => answer.int("ttl").map(Some),
        None => Ok(None),
    }
}

/// Whether the trail is logging; `None` after reporting when neither answer says.
fn logging(
    answers: &Answers,
    out: &mut Estate,
    global: &Place<'_>,
    trail: &Node<'_>,
    name: &str,
) -> Result<Option<bool>, FieldError> {
    let call = "actiontrail.GetTrailStatus";
    let status = answers.lookup_for(global, call, "Name", name);
    if let Some(answer) = status.first() {
        return answer.flag("IsLogging").map(Some);
    }
    match (trail.opt_str("Status")?, &status) {
        (Some("Fresh"), Lookup::Missing) => Ok(Some(false)),
        (Some(text), Lookup::Missing) => switch(text)
            .map(Some)
            .ok_or_else(|| trail.error(format!("expected `Status` Enable, Disable or Fresh, found `{text}`"))),
        _ => {
            out.detail(global, KIND, trail, &per(call, "Name", name), &status);
            Ok(None)
        }
    }
}
