//! Cloud Firewall's internet border: `cloudfw.DescribeAssetList` (API 2017-12-07), account-wide,
//! one entry per public address (`InternetAddress`) with its `ProtectStatus` (`open`,
//! `opening`, `closed`, `closing`), the resource holding it (`ResourceType`, `BindInstanceId`
//! else `ResourceInstanceId`, `BindInstanceName` else `Name`) and its `RegionID`. The firewall
//! cannot protect an address whose `RegionStatus` is `disable`, whose `Note` is
//! `REGION_NOT_SUPPORT` or `NETWORK_NOT_SUPPORT`, or whose `SyncStatus` (traffic redirection) is
//! `disable`. Published examples give `Assets` as one object (the XML's single child) or as a
//! list, and `TotalCount` as a number or a string; pages are `CurrentPage` / `PageSize` ≤ 50.

use crate::answers::{Answers, Place};
use crate::border_firewall::{Switch, SwitchCall, build as build_switches, id};
use crate::estate::Estate;
use crate::node::{FieldError, Node};

use super::masked;

const CALL: SwitchCall = SwitchCall { call: "cloudfw.DescribeAssetList", list: &["Assets"], total: None, masked, read };

/// Normalizes the account's internet-border firewall switches.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    build_switches(answers, out, place, &CALL);
}

fn read(record: &Node<'_>) -> Result<Switch, FieldError> {
    let status = record.opt_str("ProtectStatus")?.and_then(|status| match status {
        "open" => Some("open"),
        "opening" => Some("opening"),
        "closed" => Some("closed"),
        "closing" => Some("closing"),
        _ => None,
    });
    let unsupported = record.opt_str("RegionStatus")? == Some("disable")
        || matches!(record.opt_str("Note")?, Some("REGION_NOT_SUPPORT" | "NETWORK_NOT_SUPPORT"))
        || record.opt_str("SyncStatus")? == Some("disable");
    let supported =
        if unsupported { Some(false) } else { (record.opt_str("RegionStatus")? == Some("enable")).then_some(true) };
    let instance = match id(record.opt_str("BindInstanceId")?) {
        Some(id) => Some(id),
        None => id(record.opt_str("ResourceInstanceId")?),
    };
    let name = match record.opt_str("BindInstanceName")? {
        Some(name) => Some(name),
        None => record.opt_str("Name")?,
    };
    Ok(Switch {
        address: record.str("InternetAddress")?.to_owned(),
        region: record.opt_str("RegionID")?.map(str::to_owned),
        status,
        resource_type: record.opt_str("ResourceType")?.map(str::to_owned),
        instance_id: instance,
        name: name.map(str::to_owned),
        supported,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn switch(value: serde_json::Value) -> Switch {
        read(&Node::root(&value, Path::new("cloudfw.DescribeAssetList.json"))).unwrap()
    }

    #[test]
    fn the_status_and_what_the_firewall_cannot_protect_are_read() {
        let published = switch(json!({"BindInstanceId": "i-8vbdrjrxzt78****", "InternetAddress": "1.1.1.1",
            "RegionStatus": "enable", "SyncStatus": "enable", "ResourceType": "EcsPublicIP", "Name": "instance01",
            "Note": "REGION_NOT_SUPPORT", "BindInstanceName": "instance01", "ProtectStatus": "open",
            "RegionID": "cn-hangzhou", "ResourceInstanceId": "i-8vbdrjrxzt78****"}));
        assert_eq!((published.status, published.supported, published.instance_id), (Some("open"), Some(false), None));
        let closed =
            switch(json!({"InternetAddress": "121.40.10.20", "ProtectStatus": "closed", "RegionStatus": "enable",
            "SyncStatus": "enable", "Note": "", "ResourceInstanceId": "i-bp67acfmxazb4p0001"}));
        assert_eq!((closed.status, closed.supported), (Some("closed"), Some(true)));
        assert_eq!(closed.instance_id.as_deref(), Some("i-bp67acfmxazb4p0001"));
        let bare = switch(json!({"InternetAddress": "121.40.10.21", "ProtectStatus": "paused"}));
        assert_eq!((bare.status, bare.supported), (None, None));
        let no_redirect = switch(json!({"InternetAddress": "121.40.10.22", "SyncStatus": "disable"}));
        assert_eq!(no_redirect.supported, Some(false));
    }
}
