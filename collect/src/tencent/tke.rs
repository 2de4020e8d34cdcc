//! Kubernetes clusters (Tencent Kubernetes Engine): `tke.DescribeClusters` (2018-05-25) per
//! region, with `tke.DescribeClusterEndpoints` per cluster for the API server's internet access
//! and `tke.DescribeLogSwitches` (the region's clusters, a batch of ids a request) for its audit
//! log. The API server is on the internet when `ClusterExternalEndpoint` ("集群APIServer的外网访问
//! 地址") names an address; `ClusterExternalACL` ("外网访问ACL列表", may be null) is the ranges
//! it admits there. Audit logs are on while `Audit.Enable` ("开启标识符 true代表开启") is true.
//! A per-cluster answer that was not saved or failed leaves its fields out (the type partial),
//! never "private" or "no audit".

use std::collections::BTreeMap;

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::net::{self, AddressProblem};
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{masked, per, resource_name, tags};

pub(crate) const KIND: &str = "KubernetesCluster";

const LIST: &str = "tke.DescribeClusters";
const ENDPOINTS: &str = "tke.DescribeClusterEndpoints";
const LOGS: &str = "tke.DescribeLogSwitches";

/// Normalizes the TKE clusters of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    if !listed.is_found() {
        return;
    }
    let clusters = out.items(place, KIND, LIST, &listed, &["Clusters"]);
    let audit = audit_switches(out, place, &answers.lookup(place, LOGS));
    for cluster in clusters {
        if let Err(err) = cluster_asset(answers, out, place, audit.as_ref(), &cluster) {
            out.not_normalized(err);
        }
    }
}

/// `Audit.Enable` of each cluster the region's log-switch answers name; `None` after marking
/// the type partial when they were not saved or failed.
fn audit_switches(out: &mut Estate, place: &Place<'_>, lookup: &Lookup<'_>) -> Option<BTreeMap<String, bool>> {
    let why = match lookup {
        Lookup::Found(_) => None,
        Lookup::Missing => Some(format!("{LOGS} was not saved")),
        Lookup::Failed { error, .. } => Some(format!("{LOGS}: {}: {}", error.code, error.message)),
    };
    if let Some(why) = why {
        out.partial(place, KIND, format!("{why}: audit_log_enabled is left out"));
        return None;
    }
    let mut switches = BTreeMap::new();
    match lookup.items(&["SwitchSet"]) {
        Ok(items) => {
            for item in items {
                match audit_switch(&item) {
                    Ok((id, enabled)) => {
                        switches.insert(id.to_owned(), enabled);
                    }
                    Err(err) => out.not_normalized(err),
                }
            }
        }
        Err(err) => out.not_normalized(err),
    }
    Some(switches)
}

fn audit_switch<'a>(item: &Node<'a>) -> Result<(&'a str, bool), FieldError> {
    let id = item.str("ClusterId")?;
    let enabled = item.need("Audit")?.flag("Enable")?;
    Ok((id, enabled))
}

fn cluster_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    audit: Option<&BTreeMap<String, bool>>,
    cluster: &Node<'_>,
) -> Result<(), FieldError> {
    let id = cluster.str("ClusterId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = cluster.opt_str("ClusterName")?.map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned);
    for spec in cluster.list(&["TagSpecification"]) {
        asset.tags.extend(tags(out, &spec, "Tags")?);
    }
    asset.resource_name = Some(resource_name(place, "tke", &format!("cluster/{id}")));
    asset.set_some("version", cluster.opt_str("ClusterVersion")?.filter(|v| !v.is_empty()));
    let vpc = cluster.at(&["ClusterNetworkSettings", "VpcId"]).filter(|node| !node.value.is_null());
    asset.set_some("vpc_id", vpc.map(|node| node.as_str()).transpose()?.filter(|v| !v.is_empty()));

    let lookup = answers.lookup_for(place, ENDPOINTS, "ClusterId", id);
    let name = per(ENDPOINTS, "ClusterId", id);
    match &lookup {
        Lookup::Found(pages) => {
            if let Some(answer) = pages.first() {
                asset.set_some("public_endpoint", public_endpoint(answer)?);
                asset.set_some("public_acl", public_acl(out, answer)?);
            }
        }
        Lookup::Missing => {
            out.partial(place, KIND, format!("{name} was not saved: public_endpoint and public_acl are left out"))
        }
        Lookup::Failed { error, .. } => out.partial(
            place,
            KIND,
            format!("{name}: {}: {}: public_endpoint and public_acl are left out", error.code, error.message),
        ),
    }
    match audit.map(|switches| switches.get(id)) {
        Some(Some(enabled)) => {
            asset.set("audit_log_enabled", *enabled);
        }
        Some(None) => out.partial(place, KIND, format!("{LOGS} does not name {id}: audit_log_enabled is left out")),
        None => {}
    }
    out.add_asset(asset, cluster);
    Ok(())
}

/// Whether `ClusterExternalEndpoint` names an address (`""` when internet access is off);
/// `None` when the answer lacks the field or gives null.
fn public_endpoint(answer: &Node<'_>) -> Result<Option<bool>, FieldError> {
    match answer.get("ClusterExternalEndpoint") {
        Some(address) => Ok(Some(!address.as_str()?.trim().is_empty())),
        _ => Ok(None),
    }
}

/// The ranges `ClusterExternalACL` admits; `None` when it is null or absent ("取不到有效值"). A
/// masked entry is reported and left out.
fn public_acl(out: &mut Estate, answer: &Node<'_>) -> Result<Option<Vec<String>>, FieldError> {
    let Some(list) = answer.get("ClusterExternalACL") else { return Ok(None) };
    let mut cidrs: Vec<String> = Vec::new();
    for entry in list.items() {
        let text = entry.as_str()?;
        match net::cidr(text) {
            Ok(block) if !cidrs.contains(&block) => cidrs.push(block),
            Ok(_) => {}
            Err(AddressProblem::Masked) => {
                out.issue(IssueKind::Masked, &entry, format!("the ACL entry `{text}` is masked: left out"))
            }
            Err(AddressProblem::Invalid) if masked(text) => {
                out.issue(IssueKind::Masked, &entry, format!("the ACL entry `{text}` is masked: left out"))
            }
            Err(AddressProblem::Invalid) => return Err(entry.expected("an address or CIDR")),
        }
    }
    Ok(Some(cidrs))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn the_external_endpoint_and_its_acl_are_read() {
        let mut out = Estate::default();
        let open = json!({"ClusterExternalEndpoint": "12.34.56.78", "ClusterExternalACL": ["10.0.0.0/24", "0.0.0.0/0", "1.2.**.**"]});
        let node = Node::root(&open, Path::new("tke.DescribeClusterEndpoints.json"));
        assert_eq!(public_endpoint(&node).unwrap(), Some(true));
        assert_eq!(public_acl(&mut out, &node).unwrap(), Some(vec!["10.0.0.0/24".to_owned(), "0.0.0.0/0".to_owned()]));
        assert_eq!(out.report.count(IssueKind::Masked), 1);
        let private = json!({"ClusterExternalEndpoint": "", "ClusterExternalACL": null});
        let node = Node::root(&private, Path::new("a.json"));
        assert_eq!(public_endpoint(&node).unwrap(), Some(false));
        let bare = json!({"RequestId": "x"});
        assert_eq!(public_endpoint(&Node::root(&bare, Path::new("a.json"))).unwrap(), None);
        assert_eq!(public_acl(&mut out, &node).unwrap(), None);
        let bad = json!({"ClusterExternalEndpoint": "1.2.3.4", "ClusterExternalACL": ["anywhere"]});
        assert!(public_acl(&mut out, &Node::root(&bad, Path::new("a.json"))).is_err());
    }

    #[test]
    fn the_audit_switch_is_read_per_cluster() {
        let item = json!({"ClusterId": "cls-1", "Audit": {"Enable": true}, "Log": {"Enable": false}});
        assert_eq!(audit_switch(&Node::root(&item, Path::new("a.json"))).unwrap(), ("cls-1", true));
        let bare = json!({"ClusterId": "cls-2"});
        assert!(audit_switch(&Node::root(&bare, Path::new("a.json"))).is_err());
    }
}
