//! Elasticsearch clusters (Alibaba Cloud Elasticsearch, API 2017-06-13, ROA style):
//! `elasticsearch.ListInstance` (`GET /openapi/instances`) per region, with
//! `elasticsearch.DescribeInstance` (`GET /openapi/instances/{InstanceId}`) per cluster for the
//! exposure settings. Both answers put their data under `Result` (a list, an object).
//!
//! From DescribeInstance's field table: `enablePublic` is "whether to enable the public network
//! access feature for the Elasticsearch cluster" with `publicIpWhitelist` "the public endpoint
//! access whitelist of the instance"; `enableKibanaPublicNetwork` is "whether to enable Internet
//! access to Kibana" with `kibanaIPWhitelist` "the list of Kibana public endpoint access
//! whitelists". These four are read from the detail answer only: ListInstance's published answer
//! carries them too, but its page says only the fields of its table (which lists none of them)
//! are guaranteed. The list gives the id (`instanceId`), the name (`description`), `esVersion`
//! and `tags[]` (`tagKey`, `tagValue`).
//!
//! Authentication is not read: no published field says whether the cluster asks for a password
//! (the `elastic` user's password is set at creation), so `authentication` is left out and
//! ES_AUTHENTICATION_DISABLED stays quiet on Alibaba clusters. Allowlist entries are addresses or
//! CIDRs (IPv6 `::/0` in DescribeInstance's example); masked entries (`1.1.XX.XX`) are reported
//! and left out.

use std::collections::BTreeMap;

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::net;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{cidr, listed, masked, per, resource_name};

pub(crate) const KIND: &str = "SearchCluster";

const LIST: &str = "elasticsearch.ListInstance";
const DETAIL: &str = "elasticsearch.DescribeInstance";

/// Normalizes the Elasticsearch clusters of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for cluster in listed(answers, out, place, KIND, LIST, &["Result"]) {
        if let Err(err) = cluster_asset(answers, out, place, &cluster) {
            out.not_normalized(err);
        }
    }
}

fn cluster_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, cluster: &Node<'_>) -> Result<(), FieldError> {
    let id = cluster.str("instanceId")?;
    if masked(id) {
        out.issue(IssueKind::Masked, cluster, format!("the cluster id `{id}` is masked: left out"));
        out.partial(place, KIND, format!("{LIST}: the id `{id}` is masked"));
        return Ok(());
    }
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = cluster.opt_str("description")?.map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned);
    asset.set_some("version", cluster.opt_str("esVersion")?.filter(|version| !version.is_empty()));
    asset.tags = tags(out, cluster)?;
    asset.resource_name = Some(resource_name("elasticsearch", place, &format!("instances/{id}")));

    let lookup = answers.lookup_for(place, DETAIL, "InstanceId", id);
    let name = per(DETAIL, "InstanceId", id);
    let left_out = "public_endpoint, public_allowlist, kibana_public and kibana_allowlist are left out";
    match &lookup {
        Lookup::Found(pages) => {
            if let Some(detail) = pages.first().and_then(|page| page.get("Result")) {
                exposure(out, &mut asset, &detail)?;
            }
        }
        Lookup::Missing => out.partial(place, KIND, format!("{name} was not saved: {left_out}")),
        Lookup::Failed { error, .. } => {
            out.partial(place, KIND, format!("{name}: {}: {}: {left_out}", error.code, error.message))
        }
    }
    out.add_asset(asset, cluster);
    Ok(())
}

/// The public endpoint and Kibana switches and their allowlists from DescribeInstance's `Result`;
/// absent or null fields stay unknown.
fn exposure(out: &mut Estate, asset: &mut Asset, detail: &Node<'_>) -> Result<(), FieldError> {
    asset.set_some("public_endpoint", detail.opt_flag("enablePublic")?);
    asset.set_some("public_allowlist", allowlist(out, detail, "publicIpWhitelist")?);
    asset.set_some("kibana_public", detail.opt_flag("enableKibanaPublicNetwork")?);
    asset.set_some("kibana_allowlist", allowlist(out, detail, "kibanaIPWhitelist")?);
    Ok(())
}

/// Elasticsearch tags: `tags[]` of `{tagKey, tagValue}`.
fn tags(out: &mut Estate, cluster: &Node<'_>) -> Result<BTreeMap<String, String>, FieldError> {
    let mut tags = BTreeMap::new();
    for tag in cluster.list(&["tags"]) {
        let key = tag.str("tagKey")?;
        let value = tag.opt_str("tagValue")?.unwrap_or_default();
        if let Some(earlier) = tags.insert(key.to_owned(), value.to_owned()) {
            let message = format!("the tag `{key}` is given twice: `{value}` kept, `{earlier}` left out");
            out.issue(IssueKind::NotNormalized, &tag, message);
        }
    }
    Ok(tags)
}

/// The ranges an allowlist admits; absent or null is unknown. A masked entry is reported and
/// left out.
fn allowlist(out: &mut Estate, detail: &Node<'_>, key: &str) -> Result<Option<Vec<String>>, FieldError> {
    let Some(list) = detail.get(key).filter(|list| !list.value.is_null()) else { return Ok(None) };
    net::allowlist_ranges(out, &list, cidr, "an address or a CIDR").map(Some)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;
    use crate::raw::Provider;

    /// The published DescribeInstance answer (tests/raw/alibaba README).
    const PUBLISHED: &str = include_str!(
        "../../tests/raw/alibaba/1968132000123456/cn-hangzhou/elasticsearch.DescribeInstance@InstanceId=es-cn-3h4k3axh33th9xxxx.json"
    );

    fn place() -> Place<'static> {
        Place { provider: Provider::Alibaba, account: "1968132000123456", region: "cn-hangzhou" }
    }

    #[test]
    fn the_published_detail_answer_is_read() {
        let answer: Value = serde_json::from_str(PUBLISHED).unwrap();
        let root = Node::root(&answer, Path::new("elasticsearch.DescribeInstance.json"));
        let detail = root.get("Result").unwrap();
        let mut out = Estate::default();
        let mut asset = Asset::new(KIND, "es-1", Provider::Alibaba, "1968132000123456", Some("cn-hangzhou".into()));
        exposure(&mut out, &mut asset, &detail).unwrap();
        assert_eq!(
            serde_json::to_value(&asset.fields).unwrap(),
            json!({"public_endpoint": false, "public_allowlist": [], "kibana_public": true,
                "kibana_allowlist": ["0.0.0.0/0", "::/0"]})
        );
        assert!(out.report.issues.is_empty(), "{:?}", out.report.issues);
    }

    #[test]
    fn masked_entries_and_unknowns_are_left_out() {
        let mut out = Estate::default();
        let detail = json!({"enablePublic": true, "publicIpWhitelist": ["1.1.XX.XX", "10.0.0.0/8", "10.0.0.0/8"],
            "enableKibanaPublicNetwork": null});
        let mut asset = Asset::new(KIND, "es-2", Provider::Alibaba, "1", Some("cn-hangzhou".into()));
        exposure(&mut out, &mut asset, &Node::root(&detail, Path::new("a.json"))).unwrap();
        assert_eq!(
            serde_json::to_value(&asset.fields).unwrap(),
            json!({"public_endpoint": true, "public_allowlist": ["10.0.0.0/8"]})
        );
        assert_eq!(out.report.count(IssueKind::Masked), 1);
        let bad = json!({"kibanaIPWhitelist": ["everyone"]});
        let err = exposure(&mut out, &mut asset, &Node::root(&bad, Path::new("a.json"))).unwrap_err();
        assert!(format!("{err:?}").contains("an address or a CIDR"), "{err:?}");
    }

    #[test]
    fn a_cluster_without_its_detail_keeps_its_name_version_and_tags() {
        let record = json!({"instanceId": "es-cn-1", "description": " logs ", "esVersion": "7.10.0_with_X-Pack",
            "tags": [{"tagKey": "env", "tagValue": "prod"}], "enablePublic": true, "publicIpWhitelist": ["0.0.0.0/0"]});
        let mut out = Estate::default();
        let answers = Answers::default();
        cluster_asset(&answers, &mut out, &place(), &Node::root(&record, Path::new("a.json"))).unwrap();
        let asset = out.asset_mut(KIND, "es-cn-1").unwrap();
        assert_eq!(asset.name.as_deref(), Some("logs"));
        assert_eq!(asset.tags["env"], "prod");
        assert_eq!(
            serde_json::to_value(&asset.fields).unwrap(),
            json!({"version": "7.10.0_with_X-Pack"}),
            "the list's exposure fields are not read"
        );
    }
}
