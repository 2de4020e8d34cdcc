//! Cloud Firewall's internet border: `cfw.DescribeFwEdgeIps` (API 2019-09-04), account-wide, one
//! entry per public address (`PublicIp`) with its switch `Status` (api.json `EdgeIpInfo`: 0
//! closed, 1 open, 2 opening, 3 closing, 4 abnormal), the resource holding it (`AssetType`,
//! `InstanceId`, `InstanceName`), its `Region` and `SwitchSupportType` (0: neither the bypass
//! nor the serial mode can protect it; 1 bypass, 2 serial, 3 both). `DescribeSwitchLists`, the
//! older list, is documented as replaced by this call. The answer's total is `Total`.

use crate::answers::{Answers, Place};
use crate::border_firewall::{Switch, SwitchCall, build as build_switches, id};
use crate::estate::Estate;
use crate::node::{FieldError, Node};

use super::masked;

const CALL: SwitchCall =
    SwitchCall { call: "cfw.DescribeFwEdgeIps", list: &["Data"], total: Some("Total"), masked, read };

/// Normalizes the account's internet-border firewall switches.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    build_switches(answers, out, place, &CALL);
}

fn read(record: &Node<'_>) -> Result<Switch, FieldError> {
    let status = record.opt_int("Status")?.and_then(|status| match status {
        0 => Some("closed"),
        1 => Some("open"),
        2 => Some("opening"),
        3 => Some("closing"),
        4 => Some("abnormal"),
        _ => None,
    });
    let supported = record.opt_int("SwitchSupportType")?.and_then(|support| match support {
        0 => Some(false),
        1..=3 => Some(true),
        _ => None,
    });
    Ok(Switch {
        address: record.str("PublicIp")?.to_owned(),
        region: record.opt_str("Region")?.map(str::to_owned),
        status,
        resource_type: record.opt_str("AssetType")?.map(str::to_owned),
        instance_id: id(record.opt_str("InstanceId")?),
        name: record.opt_str("InstanceName")?.map(str::to_owned),
        supported,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn switch(value: serde_json::Value) -> Switch {
        read(&Node::root(&value, Path::new("cfw.DescribeFwEdgeIps.json"))).unwrap()
    }

    #[test]
    fn the_status_code_and_support_type_are_read() {
        let published = switch(json!({"PublicIp": "43.138.181.57", "InstanceId": "havip-berhzoxi",
            "AssetType": "HAVIP", "Region": "ap-guangzhou", "Status": 1, "SwitchMode": 0}));
        assert_eq!((published.status, published.supported), (Some("open"), None));
        assert_eq!(published.instance_id.as_deref(), Some("havip-berhzoxi"));
        let closed = switch(json!({"PublicIp": "1.14.67.183", "Status": 0, "SwitchSupportType": 0}));
        assert_eq!((closed.status, closed.supported), (Some("closed"), Some(false)));
        let unknown = switch(json!({"PublicIp": "1.14.67.183", "Status": 9, "SwitchSupportType": 3}));
        assert_eq!((unknown.status, unknown.supported), (None, Some(true)));
        assert!(read(&Node::root(&json!({"Status": 0}), Path::new("a.json"))).is_err());
    }
}
