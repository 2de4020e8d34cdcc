//! Kubernetes clusters (Container Service for Kubernetes, ACK, API 2015-12-15, ROA style):
//! `cs.DescribeClustersV1` (`GET /api/v1/clusters?region_id=`) per region, with
//! `cs.DescribeClusterDetail` (`GET /clusters/{ClusterId}`) per cluster for what the checks read.
//! Both answers carry two fields that are JSON written into a string:
//! - `master_url` ("The address of the cluster API server. It includes an internal endpoint and a
//!   public endpoint"): the API server is on the internet when its `api_server_endpoint` names an
//!   address (`""` when it has none; `intranet_api_server_endpoint` is the VPC one);
//! - `meta_data` ("The metadata of the cluster"): its `Addons[]` (`name`, `disabled`) are the
//!   components installed. `logtail-ds` (or its successor `loongcollector`) is the Log Service
//!   agent that delivers the cluster's logs, the API server audit log included ("If the log
//!   service is not enabled, the cluster audit function cannot be used"); `flannel`,
//!   `terway-eni` and `terway-eniip` are the network plugins.
//!
//! Only the detail answer's strings are read: the list page's example writes them escaped twice
//! and masks `meta_data` (`***`). A string that is not JSON, or JSON without the key, leaves its
//! fields out; so does a detail answer that was not saved or failed. `audit_log_enabled` is only
//! ever `false` here (no log agent installed: no audit log can be delivered); with the agent
//! installed the audit switch itself is not in these answers, so the field is left out.
//!
//! The trap: `Addons[]` is not always the whole set. A newer answer (seen only in a third-party
//! test, CloudSploit's `plugins/alibaba/ack/networkPolicyEnabled.spec.js`) lists nothing there
//! but `cloud-controller-manager` and names what is installed as `<add-on>Version` keys
//! (`logtail-dsVersion`, `terway-eniipVersion`) beside an `AuditProjectName`. Those keys are
//! never a reason to fire: the agent counts as installed when any of them names it (so the audit
//! field stays absent), and the network plugin is read from `Addons[]` alone, the published
//! shape.

use serde_json::Value;

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{listed, masked, per, resource_name};

pub(crate) const KIND: &str = "KubernetesCluster";

const LIST: &str = "cs.DescribeClustersV1";
const DETAIL: &str = "cs.DescribeClusterDetail";

/// The add-ons that ship a cluster's logs to Log Service.
const LOG_AGENTS: &[&str] = &["logtail-ds", "loongcollector"];
/// The network plugins, by add-on name.
const NETWORK_PLUGINS: &[&str] = &["flannel", "terway-eniip", "terway-eni"];

/// Normalizes the ACK clusters of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for cluster in listed(answers, out, place, KIND, LIST, &["clusters"]) {
        if let Err(err) = cluster_asset(answers, out, place, &cluster) {
            out.not_normalized(err);
        }
    }
}

fn cluster_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, cluster: &Node<'_>) -> Result<(), FieldError> {
    let id = cluster.str("cluster_id")?;
    if masked(id) {
        out.issue(IssueKind::Masked, cluster, format!("the cluster id `{id}` is masked: left out"));
        out.partial(place, KIND, format!("{LIST}: the id `{id}` is masked"));
        return Ok(());
    }
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = cluster.opt_str("name")?.map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned);
    asset.tags = tags(out, cluster)?;
    asset.resource_name = Some(resource_name("cs", place, &format!("cluster/{id}")));
    asset.set_some("version", cluster.opt_str("current_version")?.filter(|v| !v.is_empty()));
    asset.set_some("vpc_id", cluster.opt_str("vpc_id")?.filter(|v| !v.is_empty()));

    let lookup = answers.lookup_for(place, DETAIL, "ClusterId", id);
    let name = per(DETAIL, "ClusterId", id);
    let left_out = "public_endpoint, audit_log_enabled and network_plugin are left out";
    match &lookup {
        Lookup::Found(pages) => {
            if let Some(detail) = pages.first() {
                asset.set_some("public_endpoint", public_endpoint(out, detail)?);
                if let Some(found) = components(out, detail)? {
                    if !log_agent(&found.addons) && !found.log_agent_elsewhere {
                        asset.set("audit_log_enabled", false);
                    }
                    asset.set_some("network_plugin", network_plugin(&found.addons));
                }
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

/// ACK tags: `tags[]` of `{key, value}` (null when the cluster has none).
fn tags(out: &mut Estate, cluster: &Node<'_>) -> Result<std::collections::BTreeMap<String, String>, FieldError> {
    let mut tags = std::collections::BTreeMap::new();
    for tag in cluster.list(&["tags"]) {
        let key = tag.str("key")?;
        let value = tag.opt_str("value")?.unwrap_or_default();
        if let Some(earlier) = tags.insert(key.to_owned(), value.to_owned()) {
            let message = format!("the tag `{key}` is given twice: `{value}` kept, `{earlier}` left out");
            out.issue(IssueKind::NotNormalized, &tag, message);
        }
    }
    Ok(tags)
}

/// A field holding JSON written as a string, parsed; `None` (reported) when it is absent, empty
/// or not JSON.
fn embedded(out: &mut Estate, answer: &Node<'_>, key: &str) -> Result<Option<Value>, FieldError> {
    let Some(field) = answer.get(key) else { return Ok(None) };
    if field.value.is_null() {
        return Ok(None);
    }
    let text = field.as_str()?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value) => Ok(Some(value)),
        Err(err) => {
            out.issue(
                IssueKind::NotNormalized,
                &field,
                format!("`{key}` is not JSON ({err}): what it holds is left out"),
            );
            Ok(None)
        }
    }
}

/// Whether `master_url`'s `api_server_endpoint` names an address; `None` when the answer does
/// not say.
fn public_endpoint(out: &mut Estate, detail: &Node<'_>) -> Result<Option<bool>, FieldError> {
    let Some(urls) = embedded(out, detail, "master_url")? else { return Ok(None) };
    let field = detail.need("master_url")?;
    let urls = Node { value: &urls, ..field };
    match urls.get("api_server_endpoint") {
        Some(endpoint) if endpoint.value.is_null() => Ok(None),
        Some(endpoint) => Ok(Some(!endpoint.as_str()?.trim().is_empty())),
        None => Ok(None),
    }
}

/// What `meta_data` says about a cluster's components.
struct Components {
    /// The add-ons `Addons[]` lists as installed (`disabled` not true).
    addons: Vec<String>,
    /// Whether the metadata names a Log Service agent outside `Addons[]`: a non-empty
    /// `<agent>Version` or `AuditProjectName` (module doc).
    log_agent_elsewhere: bool,
}

/// The components `meta_data` names; `None` when it has no `Addons` list at all.
fn components(out: &mut Estate, detail: &Node<'_>) -> Result<Option<Components>, FieldError> {
    let Some(meta) = embedded(out, detail, "meta_data")? else { return Ok(None) };
    let field = detail.need("meta_data")?;
    let meta = Node { value: &meta, ..field };
    let Some(list) = meta.get("Addons").filter(|list| list.value.is_array()) else { return Ok(None) };
    let mut addons = Vec::new();
    for addon in list.items() {
        if addon.opt_flag("disabled")? == Some(true) {
            continue;
        }
        addons.push(addon.str("name")?.to_owned());
    }
    let named = |key: &str| meta.get(key).and_then(|value| value.value.as_str()).is_some_and(|v| !v.trim().is_empty());
    let log_agent_elsewhere =
        named("AuditProjectName") || LOG_AGENTS.iter().any(|agent| named(&format!("{agent}Version")));
    Ok(Some(Components { addons, log_agent_elsewhere }))
}

/// Whether a Log Service agent is among the add-ons.
fn log_agent(addons: &[String]) -> bool {
    addons.iter().any(|name| LOG_AGENTS.contains(&name.as_str()))
}

/// The network plugin among the add-ons, if one is named.
fn network_plugin(addons: &[String]) -> Option<String> {
    addons.iter().find(|name| NETWORK_PLUGINS.contains(&name.as_str())).cloned()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    /// The published `aliyun cs GET /clusters/<cluster_id>` answer (tests/raw/alibaba README).
    const PUBLISHED: &str = include_str!(
        "../../tests/raw/alibaba/1968132000123456/cn-hangzhou/cs.DescribeClusterDetail@ClusterId=cdde1f21ae22e483ebcb068a6eb7fxxxx.json"
    );

    #[test]
    fn the_published_detail_answer_is_read() {
        let answer: Value = serde_json::from_str(PUBLISHED).unwrap();
        let node = Node::root(&answer, Path::new("cs.DescribeClusterDetail.json"));
        let mut out = Estate::default();
        assert_eq!(public_endpoint(&mut out, &node).unwrap(), Some(true));
        let found = components(&mut out, &node).unwrap().unwrap();
        assert!(!found.log_agent_elsewhere);
        let addons = found.addons;
        assert_eq!(
            addons,
            [
                "flannel",
                "flexvolume",
                "alicloud-disk-controller",
                "logtail-ds",
                "nginx-ingress-controller",
                "kube-flannel-ds"
            ]
        );
        assert!(log_agent(&addons));
        assert_eq!(network_plugin(&addons).as_deref(), Some("flannel"));
        assert!(out.report.issues.is_empty(), "{:?}", out.report.issues);
    }

    #[test]
    fn private_clusters_disabled_addons_and_unreadable_strings() {
        let mut out = Estate::default();
        let private = json!({
            "master_url": "{\"api_server_endpoint\":\"\",\"intranet_api_server_endpoint\":\"https://192.168.0.251:6443\"}",
            "meta_data": "{\"Addons\":[{\"name\":\"terway-eniip\",\"disabled\":false},{\"name\":\"logtail-ds\",\"disabled\":true}]}"
        });
        let node = Node::root(&private, Path::new("a.json"));
        assert_eq!(public_endpoint(&mut out, &node).unwrap(), Some(false));
        let found = components(&mut out, &node).unwrap().unwrap();
        let names = found.addons;
        assert!(!log_agent(&names) && !found.log_agent_elsewhere, "a disabled agent ships nothing");
        assert_eq!(network_plugin(&names).as_deref(), Some("terway-eniip"));
        assert!(out.report.issues.is_empty());

        // The list page's example: escaped twice, and `***`: reported, left out.
        let doc = json!({
            "master_url": "{\\\"api_server_endpoint\\\":\\\"\\\"}",
            "meta_data": "{\\\"Addons\\\":[{\\\"config\\\":***}"
        });
        let node = Node::root(&doc, Path::new("a.json"));
        assert_eq!(public_endpoint(&mut out, &node).unwrap(), None);
        assert!(components(&mut out, &node).unwrap().is_none());
        assert_eq!(out.report.count(IssueKind::NotNormalized), 2);

        // Metadata without add-ons, an empty or absent address: nothing is claimed.
        let bare = json!({"master_url": "", "meta_data": "{\"DockerVersion\":\"17.06.2-ce-3\"}"});
        let node = Node::root(&bare, Path::new("a.json"));
        assert_eq!(public_endpoint(&mut out, &node).unwrap(), None);
        assert!(components(&mut out, &node).unwrap().is_none());
        let other = json!({"master_url": "{\"intranet_api_server_endpoint\":\"https://10.0.0.1:6443\"}"});
        assert_eq!(public_endpoint(&mut out, &Node::root(&other, Path::new("a.json"))).unwrap(), None);
    }

    #[test]
    fn an_agent_named_outside_the_addons_list_is_not_missing() {
        // The newer shape (module doc): `Addons[]` holds only cloud-controller-manager, the
        // installed components are `<add-on>Version` keys, the audit project is named.
        let mut out = Estate::default();
        let newer = json!({
            "meta_data": "{\"Addons\":[{\"name\":\"cloud-controller-manager\",\"version\":\"v2.7.0-mgk\"}],\"AuditProjectName\":\"k8s-log-c7b90baff792e40558a01e6c0a536e1d3\",\"logtail-dsVersion\":\"v1.5.1.0-aliyun\",\"terway-eniipVersion\":\"v1.5.5\"}"
        });
        let found = components(&mut out, &Node::root(&newer, Path::new("a.json"))).unwrap().unwrap();
        assert!(!log_agent(&found.addons));
        assert!(found.log_agent_elsewhere, "logtail-dsVersion and AuditProjectName name the agent");
        assert_eq!(network_plugin(&found.addons), None, "the plugin is read from Addons[] alone");
        // Either key alone is enough; an empty one is not.
        let project = json!({"meta_data": "{\"Addons\":[],\"AuditProjectName\":\"k8s-log-c1\"}"});
        assert!(components(&mut out, &Node::root(&project, Path::new("a.json"))).unwrap().unwrap().log_agent_elsewhere);
        let version = json!({"meta_data": "{\"Addons\":[],\"loongcollectorVersion\":\"v3.0.0\"}"});
        assert!(components(&mut out, &Node::root(&version, Path::new("a.json"))).unwrap().unwrap().log_agent_elsewhere);
        let empty = json!({"meta_data": "{\"Addons\":[],\"AuditProjectName\":\"\",\"logtail-dsVersion\":\"\"}"});
        assert!(!components(&mut out, &Node::root(&empty, Path::new("a.json"))).unwrap().unwrap().log_agent_elsewhere);
        assert!(out.report.issues.is_empty(), "{:?}", out.report.issues);
    }
}
