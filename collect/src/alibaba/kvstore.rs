//! Tair / ApsaraDB for Redis (and Memcache) instances: `r-kvstore.DescribeInstances` per region,
//! with two answers per instance (`@InstanceId=`): `DescribeSecurityIps` (the allowlist groups,
//! hidden ones included) and `DescribeDBInstanceNetInfo` (a connection of `IPType` `Public` is
//! a public endpoint; `Private` is the VPC's, `Inner` the classic network's). A per-instance
//! answer that was not saved leaves its field out and keeps the instance. The instance list
//! does not say whether password-free access is on (`VpcAuthMode` is only in
//! `DescribeInstanceAttribute`), so `password_free` is left out.

use crate::answers::{Answers, Place};
use crate::cache::{self, KIND, Store};
use crate::estate::Estate;
use crate::node::{FieldError, Node};

use super::{cidr, listed, masked, per, resource_name, tags};

const LIST: &str = "r-kvstore.DescribeInstances";

/// Normalizes the Redis instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for instance in listed(answers, out, place, KIND, LIST, &["Instances", "KVStoreInstance"]) {
        if let Err(err) = store_asset(answers, out, place, &instance) {
            out.not_normalized(err);
        }
    }
}

fn store_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, instance: &Node<'_>) -> Result<(), FieldError> {
    let id = instance.str("InstanceId")?;
    if !cache::identified(out, place, LIST, instance, id, masked) {
        return Ok(());
    }
    let call = "r-kvstore.DescribeSecurityIps";
    let lookup = answers.lookup_for(place, call, "InstanceId", id);
    let allowlist = match out.optional(place, KIND, &per(call, "InstanceId", id), &lookup, "allowlist") {
        Some(answer) => Some(cache::allowlist(out, &answer, cidr)?),
        None => None,
    };
    let call = "r-kvstore.DescribeDBInstanceNetInfo";
    let lookup = answers.lookup_for(place, call, "InstanceId", id);
    let public_endpoint = match out.optional(place, KIND, &per(call, "InstanceId", id), &lookup, "public_endpoint") {
        Some(answer) => Some(public(&answer)?),
        None => None,
    };
    let engine = match instance.opt_str("InstanceType")? {
        Some(kind) if kind.eq_ignore_ascii_case("memcache") => "memcached",
        _ => "redis",
    };
    let store = Store {
        id: id.to_owned(),
        name: instance.opt_str("InstanceName")?.map(str::to_owned),
        engine,
        version: instance.opt_text("EngineVersion")?,
        public_endpoint,
        password_free: None,
        allowlist,
        port: None,
        security_group_ids: None,
    };
    let mut asset = cache::asset(place, store);
    asset.tags = tags(out, instance)?;
    asset.resource_name = Some(resource_name("kvstore", place, &format!("instance/{id}")));
    out.add_asset(asset, instance);
    Ok(())
}

/// Whether a connection of the instance is on the internet (`IPType` `Public`).
fn public(answer: &Node<'_>) -> Result<bool, FieldError> {
    let mut public = false;
    for connection in answer.collection(&["NetInfoItems", "InstanceNetInfo"])? {
        public |= connection.str("IPType")? == "Public";
    }
    Ok(public)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn only_a_public_connection_is_a_public_endpoint() {
        let read =
            |value: serde_json::Value| public(&Node::root(&value, Path::new("a.json"))).map_err(|e| e.to_string());
        let private = json!({"NetInfoItems": {"InstanceNetInfo": [{"IPType": "Private"}, {"IPType": "Inner"}]}});
        assert_eq!(read(private), Ok(false));
        let public = json!({"NetInfoItems": {"InstanceNetInfo": [{"IPType": "Inner"}, {"IPType": "Public"}]}});
        assert_eq!(read(public), Ok(true));
        assert!(read(json!({"RequestId": "x"})).is_err());
    }
}
