//! The `KeyValueStore` asset (the database pack's Redis-class caches and MongoDB instances) both
//! clouds' four services describe: one builder, so what `public_endpoint`, `allowlist` and
//! `password_free` mean cannot drift between Tencent and Alibaba, Redis and MongoDB. The
//! normalizers only say where their answers keep each field. A field the answers do not carry
//! (an answer not saved, or a list answer that does not say) is left out, never defaulted:
//! the pack's rules are quiet on it.

use crate::answers::Place;
use crate::estate::Estate;
use crate::net::{AddressProblem, add_allowlist};
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "KeyValueStore";

/// What one instance's answers say, each cloud's fields read into one form.
pub(crate) struct Store {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    /// `redis`, `memcached` or `mongodb`.
    pub(crate) engine: &'static str,
    pub(crate) version: Option<String>,
    pub(crate) public_endpoint: Option<bool>,
    pub(crate) password_free: Option<bool>,
    /// `None` when the allowlist answer was not saved or failed.
    pub(crate) allowlist: Option<Vec<String>>,
    /// The port clients connect to, when the answer says.
    pub(crate) port: Option<i64>,
    /// The security groups filtering it; `None` when their answer was not saved or failed.
    pub(crate) security_group_ids: Option<Vec<String>>,
}

/// The asset of one instance, without tags and resource name (each cloud's own).
pub(crate) fn asset(place: &Place<'_>, store: Store) -> Asset {
    let mut asset = Asset::new(KIND, &store.id, place.provider, place.account, place.asset_region());
    asset.name = store.name.map(|name| name.trim().to_owned()).filter(|name| !name.is_empty());
    asset.set("engine", store.engine);
    asset.set_some("version", store.version);
    asset.set_some("public_endpoint", store.public_endpoint);
    asset.set_some("allowlist", store.allowlist);
    asset.set_some("password_free", store.password_free);
    asset.set_some("port", store.port);
    asset.set_some("security_group_ids", store.security_group_ids);
    asset
}

/// Whether `id` identifies the instance: an id `masked` says was masked in a vendor example
/// (`cmgo-3vgr****`) identifies nothing, so it is reported, the type partial in `place`, and the
/// instance left out.
pub(crate) fn identified(
    out: &mut Estate,
    place: &Place<'_>,
    call: &str,
    record: &Node<'_>,
    id: &str,
    masked: fn(&str) -> bool,
) -> bool {
    if !masked(id) {
        return true;
    }
    out.issue(IssueKind::Masked, record, format!("the instance id `{id}` is masked: left out"));
    out.partial(place, KIND, format!("{call}: the id `{id}` is masked"));
    false
}

/// The ranges an Alibaba `DescribeSecurityIps` answer admits (Redis and MongoDB share its shape:
/// `SecurityIpGroups.SecurityIpGroup[].SecurityIpList`, comma-separated), every group included:
/// the `hidden` groups DMS, DAS or DTS add admit connections as much as the user's own. `0.0.0.0`
/// is any address (`0.0.0.0/0`); `127.0.0.1`, the default that admits nobody, stays itself. A
/// masked entry (`100.xxx.xxx.xxx/24` in the vendor examples) is reported and left out.
pub(crate) fn allowlist(
    out: &mut Estate,
    answer: &Node<'_>,
    cidr: fn(&str) -> Result<String, AddressProblem>,
) -> Result<Vec<String>, FieldError> {
    let mut cidrs: Vec<String> = Vec::new();
    for group in answer.collection(&["SecurityIpGroups", "SecurityIpGroup"])? {
        add_allowlist(out, &group.need("SecurityIpList")?, &["0.0.0.0"], cidr, &mut cidrs)?;
    }
    Ok(cidrs)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::net;
    use crate::raw::Provider;

    fn masking(text: &str) -> Result<String, AddressProblem> {
        if text.contains("xxx") { Err(AddressProblem::Masked) } else { net::cidr(text) }
    }

    #[test]
    fn every_group_counts_and_the_open_spelling_is_the_world() {
        let answer = json!({"SecurityIpGroups": {"SecurityIpGroup": [
            {"SecurityIpList": "127.0.0.1", "SecurityIpGroupAttribute": "", "SecurityIpGroupName": "default"},
            {"SecurityIpList": "0.0.0.0, 10.0.0.0/8,100.xxx.xxx.xxx/24", "SecurityIpGroupAttribute": "hidden",
             "SecurityIpGroupName": "rds_replica_group"},
            {"SecurityIpList": "0.0.0.0/0", "SecurityIpGroupName": "open"}]}});
        let mut out = Estate::default();
        let node = Node::root(&answer, Path::new("r-kvstore.DescribeSecurityIps.json"));
        assert_eq!(allowlist(&mut out, &node, masking).unwrap(), ["127.0.0.1/32", "0.0.0.0/0", "10.0.0.0/8"]);
        assert_eq!(out.report.count(IssueKind::Masked), 1);
        let bad = json!({"SecurityIpGroups": {"SecurityIpGroup": [{"SecurityIpList": "10.0.0.300"}]}});
        let node = Node::root(&bad, Path::new("a.json"));
        assert!(allowlist(&mut out, &node, masking).is_err());
        let none = json!({"RequestId": "x"});
        assert!(allowlist(&mut out, &Node::root(&none, Path::new("a.json")), masking).is_err());
    }

    #[test]
    fn unknown_fields_are_left_out() {
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        let store = Store {
            id: "cmgo-1".into(),
            name: Some(" ".into()),
            engine: "mongodb",
            version: Some("4.2".into()),
            public_endpoint: None,
            password_free: None,
            allowlist: None,
            port: None,
            security_group_ids: None,
        };
        let a = asset(&place, store);
        assert_eq!(a.name, None);
        assert_eq!(serde_json::to_value(&a.fields).unwrap(), json!({"engine": "mongodb", "version": "4.2"}));
    }
}
