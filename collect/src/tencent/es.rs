//! Elasticsearch clusters (Tencent Cloud Elasticsearch Service): `es.DescribeInstances`
//! (2018-04-16) per region. From api.json: `PublicAccess` is "ES公网访问状态" (`OPEN` / `CLOSE`,
//! may be null) with `EsPublicAcl.WhiteIpList` its allowlist; `KibanaPublicAccess` is Kibana's
//! ("Kibana公网访问状态") with `EsAcl.WhiteIpList` ("Kibana访问控制配置"); `SecurityType` is
//! "6.8（及以上版本）基础版是否开启xpack security认证" (1 off, 2 on, may be null). Allowlist
//! entries are addresses, CIDRs or wildcards (`10.*.*.*`, api.json's own example); the console's
//! default `127.0.0.1` admits nobody (Tencent's ES security guide).

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::net::{self, AddressProblem};
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{masked, resource_name, tags};

pub(crate) const KIND: &str = "SearchCluster";

const LIST: &str = "es.DescribeInstances";

/// Normalizes the Elasticsearch clusters of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    for cluster in out.items(place, KIND, LIST, &listed, &["InstanceList"]) {
        if let Err(err) = cluster_asset(out, place, &cluster) {
            out.not_normalized(err);
        }
    }
}

fn cluster_asset(out: &mut Estate, place: &Place<'_>, cluster: &Node<'_>) -> Result<(), FieldError> {
    let id = cluster.str("InstanceId")?;
    if masked(id) {
        out.issue(IssueKind::Masked, cluster, format!("the cluster id `{id}` is masked: left out"));
        out.partial(place, KIND, format!("{LIST}: the id `{id}` is masked"));
        return Ok(());
    }
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = cluster.opt_str("InstanceName")?.map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned);
    asset.set_some("version", cluster.opt_str("EsVersion")?.filter(|version| !version.is_empty()));
    asset.set_some("public_endpoint", switch(cluster, "PublicAccess")?);
    asset.set_some("public_allowlist", allowlist(out, cluster, "EsPublicAcl")?);
    asset.set_some("kibana_public", switch(cluster, "KibanaPublicAccess")?);
    asset.set_some("kibana_allowlist", allowlist(out, cluster, "EsAcl")?);
    asset.set_some("authentication", authentication(cluster)?);
    asset.tags = tags(out, cluster, "TagList")?;
    asset.resource_name = Some(resource_name(place, "es", &format!("instance/{id}")));
    out.add_asset(asset, cluster);
    Ok(())
}

/// An `OPEN` / `CLOSE` switch; absent or null is unknown.
fn switch(cluster: &Node<'_>, key: &str) -> Result<Option<bool>, FieldError> {
    match cluster.get(key) {
        Some(node) if !node.value.is_null() => match node.as_str()? {
            "OPEN" => Ok(Some(true)),
            "CLOSE" => Ok(Some(false)),
            _ => Err(node.expected("`OPEN` or `CLOSE`")),
        },
        _ => Ok(None),
    }
}

/// `SecurityType`: 2 is xpack security on, 1 off; absent or null is unknown.
fn authentication(cluster: &Node<'_>) -> Result<Option<bool>, FieldError> {
    match cluster.opt_int("SecurityType")? {
        None => Ok(None),
        Some(2) => Ok(Some(true)),
        Some(1) => Ok(Some(false)),
        Some(_) => Err(cluster.need("SecurityType")?.expected("1 or 2")),
    }
}

/// The ranges an access-control object's `WhiteIpList` admits; absent or null is unknown.
/// A masked entry is reported and left out.
fn allowlist(out: &mut Estate, cluster: &Node<'_>, key: &str) -> Result<Option<Vec<String>>, FieldError> {
    let Some(list) = cluster.at(&[key, "WhiteIpList"]).filter(|list| !list.value.is_null()) else {
        return Ok(None);
    };
    net::allowlist_ranges(out, &list, range, "an address, a CIDR or a wildcard `10.*.*.*`").map(Some)
}

/// An allowlist entry as a CIDR: wildcard octets end the prefix (`10.*.*.*` is `10.0.0.0/8`,
/// `*.*.*.*` every IPv4 address); anything else is an address or a CIDR.
fn range(text: &str) -> Result<String, AddressProblem> {
    let text = text.trim();
    if !text.contains('*') || net::is_masked(text) {
        return net::cidr(text);
    }
    let octets: Vec<&str> = text.split('.').collect();
    let fixed = octets.iter().take_while(|octet| **octet != "*").count();
    if octets.len() != 4 || octets[fixed..].iter().any(|octet| *octet != "*") {
        return Err(AddressProblem::Invalid);
    }
    let prefix: Vec<&str> = octets[..fixed].iter().copied().chain(std::iter::repeat_n("0", 4 - fixed)).collect();
    net::cidr(&format!("{}/{}", prefix.join("."), fixed * 8))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::raw::Provider;

    #[test]
    fn wildcards_addresses_and_cidrs_become_ranges() {
        assert_eq!(range("10.*.*.*").unwrap(), "10.0.0.0/8");
        assert_eq!(range("192.168.*.*").unwrap(), "192.168.0.0/16");
        assert_eq!(range("*.*.*.*").unwrap(), "0.0.0.0/0");
        assert_eq!(range("127.0.0.1").unwrap(), "127.0.0.1/32");
        assert_eq!(range("0.0.0.0/0").unwrap(), "0.0.0.0/0");
        assert!(matches!(range("10.*.1.*"), Err(AddressProblem::Invalid)));
        assert!(matches!(range("10.*.*"), Err(AddressProblem::Invalid)));
        assert!(matches!(range("10.10.**.**"), Err(AddressProblem::Masked)));
    }

    #[test]
    fn switches_allowlists_and_security_are_read_and_unknowns_left_out() {
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        let record = json!({"InstanceId": "es-1", "InstanceName": " logs ", "EsVersion": "7.14.2",
            "PublicAccess": "OPEN", "EsPublicAcl": {"WhiteIpList": ["*.*.*.*", "10.*.*.*"], "BlackIpList": []},
            "KibanaPublicAccess": "CLOSE", "EsAcl": {"WhiteIpList": ["127.0.0.1"], "BlackIpList": []},
            "SecurityType": 1, "TagList": [{"TagKey": "env", "TagValue": "prod"}]});
        let mut out = Estate::default();
        cluster_asset(&mut out, &place, &Node::root(&record, Path::new("es.DescribeInstances.json"))).unwrap();
        let asset = out.asset_mut(KIND, "es-1").unwrap();
        assert_eq!(asset.name.as_deref(), Some("logs"));
        assert_eq!(
            serde_json::to_value(&asset.fields).unwrap(),
            json!({"version": "7.14.2", "public_endpoint": true, "public_allowlist": ["0.0.0.0/0", "10.0.0.0/8"],
                "kibana_public": false, "kibana_allowlist": ["127.0.0.1/32"], "authentication": false})
        );
        assert_eq!(asset.tags["env"], "prod");

        let record =
            json!({"InstanceId": "es-2", "PublicAccess": null, "KibanaPublicAccess": null, "SecurityType": null});
        cluster_asset(&mut out, &place, &Node::root(&record, Path::new("a.json"))).unwrap();
        assert_eq!(serde_json::to_value(&out.asset_mut(KIND, "es-2").unwrap().fields).unwrap(), json!({}));

        let record = json!({"InstanceId": "es-3", "PublicAccess": "MAYBE"});
        let err = cluster_asset(&mut out, &place, &Node::root(&record, Path::new("a.json"))).unwrap_err();
        assert!(format!("{err:?}").contains("`OPEN` or `CLOSE`"), "{err:?}");
    }
}
