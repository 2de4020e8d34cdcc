//! TencentDB for Redis (also Valkey, CKV and Memcached) instances: `redis.DescribeInstances`
//! per region. The engine's major version is the documented `Type` enum (`CurrentRedisVersion`
//! is a minor version that the published example shows as `92.0.0` for a Redis 4.0 instance);
//! the public endpoint is `WanAddress` ("外网地址", empty without one: `WanIp` is the VPC
//! address despite its name); password-free access is `NoAuth` ("是否为免密实例"); the port is
//! `Port`. Tencent Redis filters with security groups, not an allowlist: `allowlist` is left
//! out, and the groups come from `redis.DescribeDBSecurityGroups@InstanceId=` (asked with
//! `Product` `redis`).

use crate::answers::{Answers, Place};
use crate::cache::{self, KIND, Store};
use crate::estate::Estate;
use crate::node::{FieldError, Node};

use super::{bound_groups, masked, resource_name, tags};

const LIST: &str = "redis.DescribeInstances";
const GROUPS: &str = "redis.DescribeDBSecurityGroups";

/// Normalizes the Redis instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    for instance in out.items(place, KIND, LIST, &listed, &["InstanceSet"]) {
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
    let kind = instance.opt_int("Type")?;
    let store = Store {
        id: id.to_owned(),
        name: instance.opt_str("InstanceName")?.map(str::to_owned),
        engine: if kind == Some(200) { "memcached" } else { "redis" },
        version: kind.and_then(version).map(str::to_owned),
        public_endpoint: public_endpoint(instance)?,
        password_free: instance.opt_flag("NoAuth")?,
        allowlist: None,
        port: instance.opt_int("Port")?,
        security_group_ids: bound_groups(answers, out, place, GROUPS, id)?,
    };
    let mut asset = cache::asset(place, store);
    asset.tags = tags(out, instance, "InstanceTags")?;
    asset.resource_name = Some(resource_name(place, "redis", &format!("instance/{id}")));
    out.add_asset(asset, instance);
    Ok(())
}

/// Whether `WanAddress` names an address: `""` is an answer (no public endpoint), an absent or
/// null field none.
fn public_endpoint(instance: &Node<'_>) -> Result<Option<bool>, FieldError> {
    match instance.get("WanAddress") {
        Some(address) if !address.value.is_null() => Ok(Some(!address.as_str()?.trim().is_empty())),
        _ => Ok(None),
    }
}

/// The major version of an instance `Type`, as api.json lists them (2.8 memory edition, CKV
/// 3.2, Redis 4.0 to 7.0, Valkey 8.0, Memcached 1.6); `None` for a type it does not list.
fn version(kind: i64) -> Option<&'static str> {
    Some(match kind {
        2 | 5 => "2.8",
        3 | 4 => "3.2",
        6 | 7 => "4.0",
        8 | 9 => "5.0",
        15 | 16 => "6.2",
        17 | 18 => "7.0",
        19..=22 => "8.0",
        200 => "1.6",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::raw::Provider;

    #[test]
    fn wan_address_no_auth_and_type_are_read() {
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        let record = json!({"InstanceId": "crs-1", "InstanceName": "a", "Type": 6, "WanIp": "10.0.1.71",
            "WanAddress": "", "NoAuth": true, "Port": 6380, "InstanceTags": [{"TagKey": "env", "TagValue": "prod"}]});
        let answers = Answers::default();
        let mut out = Estate::default();
        store_asset(&answers, &mut out, &place, &Node::root(&record, Path::new("redis.DescribeInstances.json")))
            .unwrap();
        let asset = out.asset_mut(KIND, "crs-1").unwrap();
        assert_eq!(
            serde_json::to_value(&asset.fields).unwrap(),
            json!({"engine": "redis", "version": "4.0", "public_endpoint": false, "password_free": true, "port": 6380}),
            "security groups unknown: their answer was not saved"
        );
        assert_eq!(asset.tags["env"], "prod");
        let record = json!({"InstanceId": "crs-2", "Type": 200, "WanAddress": "crs-2.sql.tencentcdb.com:6379"});
        store_asset(&answers, &mut out, &place, &Node::root(&record, Path::new("a.json"))).unwrap();
        let asset = out.asset_mut(KIND, "crs-2").unwrap();
        assert_eq!(
            serde_json::to_value(&asset.fields).unwrap(),
            json!({"engine": "memcached", "version": "1.6", "public_endpoint": true})
        );
    }
}
