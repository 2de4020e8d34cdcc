//! ApsaraDB for MongoDB instances: `dds.DescribeDBInstances` per region, with
//! `dds.DescribeSecurityIps@DBInstanceId=` for the allowlist (every group, hidden ones
//! included). `VpcAuthMode` says whether password-free access over the VPC is on: for MongoDB
//! `Open` means password-free access is **on** ("是否开启了专有网络免密访问功能: Open 开启",
//! DescribeDBInstances; "Close：内网免密访问处于关闭状态，需要使用密码访问",
//! DescribeDBInstanceAttribute), `NotSupport` says nothing. The list answer has no public
//! endpoint, so `public_endpoint` is left out.

use crate::answers::{Answers, Place};
use crate::cache::{self, KIND, Store};
use crate::estate::Estate;
use crate::node::{FieldError, Node};

use super::{cidr, listed, masked, per, resource_name, tags};

const LIST: &str = "dds.DescribeDBInstances";

/// Normalizes the MongoDB instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for instance in listed(answers, out, place, KIND, LIST, &["DBInstances", "DBInstance"]) {
        if let Err(err) = store_asset(answers, out, place, &instance) {
            out.not_normalized(err);
        }
    }
}

fn store_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, instance: &Node<'_>) -> Result<(), FieldError> {
    let id = instance.str("DBInstanceId")?;
    if !cache::identified(out, place, LIST, instance, id, masked) {
        return Ok(());
    }
    let call = "dds.DescribeSecurityIps";
    let lookup = answers.lookup_for(place, call, "DBInstanceId", id);
    let allowlist = match out.optional(place, KIND, &per(call, "DBInstanceId", id), &lookup, "allowlist") {
        Some(answer) => Some(cache::allowlist(out, &answer, cidr)?),
        None => None,
    };
    let store = Store {
        id: id.to_owned(),
        name: instance.opt_str("DBInstanceDescription")?.map(str::to_owned),
        engine: "mongodb",
        version: instance.opt_text("EngineVersion")?,
        public_endpoint: None,
        password_free: password_free(instance)?,
        allowlist,
        port: None,
        security_group_ids: None,
    };
    let mut asset = cache::asset(place, store);
    asset.tags = tags(out, instance)?;
    asset.resource_name = Some(resource_name("dds", place, &format!("dbinstance/{id}")));
    out.add_asset(asset, instance);
    Ok(())
}

/// `VpcAuthMode`: `Open` password-free, `Close` password required, absent or `NotSupport`
/// unknown.
fn password_free(instance: &Node<'_>) -> Result<Option<bool>, FieldError> {
    match instance.opt_str("VpcAuthMode")? {
        None | Some("NotSupport" | "") => Ok(None),
        Some("Open") => Ok(Some(true)),
        Some("Close") => Ok(Some(false)),
        Some(_) => Err(instance.need("VpcAuthMode")?.expected("Open, Close or NotSupport")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn open_means_password_free_for_mongodb() {
        let read = |value: serde_json::Value| {
            password_free(&Node::root(&value, Path::new("a.json"))).map_err(|err| err.to_string())
        };
        assert_eq!(read(json!({"VpcAuthMode": "Open"})), Ok(Some(true)));
        assert_eq!(read(json!({"VpcAuthMode": "Close"})), Ok(Some(false)));
        assert_eq!(read(json!({"VpcAuthMode": "NotSupport"})), Ok(None));
        assert_eq!(read(json!({})), Ok(None));
        assert!(read(json!({"VpcAuthMode": "On"})).is_err());
    }
}
