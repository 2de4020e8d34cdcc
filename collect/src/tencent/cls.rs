//! Log stores: CLS log topics (`cls.DescribeTopics` per region), the unit that has a
//! retention (`Period`, days; 3640 means kept forever) and a KMS key (`KeyId`, empty = not
//! encrypted).

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{resource_name, tags};

const KIND: &str = "LogStore";
const LIST: &str = "cls.DescribeTopics";

/// Normalizes the log topics of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    let topics = out.items(place, KIND, LIST, &listed, &["Topics"]);
    for topic in topics {
        if let Err(err) = topic_asset(out, place, &topic) {
            out.not_normalized(err);
        }
    }
}

fn topic_asset(out: &mut Estate, place: &Place<'_>, topic: &Node<'_>) -> Result<(), FieldError> {
    let id = topic.str("TopicId")?;
    // Older answers have no `KeyId`: whether the topic is encrypted is then unknown.
    let Some(key) = topic.get("KeyId") else {
        out.issue(
            IssueKind::Incomplete,
            topic,
            "LogStore left out: the answer has no `KeyId`, so encryption is unknown",
        );
        out.partial(place, KIND, format!("{LIST}: no `KeyId` for topic {id}: encryption unknown"));
        return Ok(());
    };
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = topic.opt_str("TopicName")?.map(str::to_owned);
    asset.tags = tags(out, topic, "Tags")?;
    asset.resource_name = Some(resource_name(place, "cls", &format!("topic/{id}")));
    asset.set("retention_days", topic.int("Period")?);
    asset.set("encrypted", !key.as_str()?.is_empty());
    out.add_asset(asset, topic);
    Ok(())
}
