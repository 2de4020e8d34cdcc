//! Elastic public addresses: `vpc.DescribeAddresses` per region (asked with no filter, it lists
//! every EIP type, `AntiDDoSEIP` included, and no ordinary public IP `WanIP`: api.json
//! `address-type`). `AddressStatus` is `CREATING`, `BINDING`, `BIND`, `UNBINDING`, `UNBIND`,
//! `OFFLINING` or `BIND_ENI` ("绑定悬空弹性网卡": bound to a network interface attached to no
//! instance); `InstanceType` is `CVM`, `NAT`, `HAVIP`, `ENI`, `CLB`, `DHCPIP`, `EKS`, `VPCE`
//! or `WAF`, and may be null (the published example leaves it null for an address whose
//! `InstanceId` is a CVM's `ins-` id). An `AntiDDoSEIP` (高防EIP) or an address naming an
//! `AntiDDoSPackageId` is protected beyond the basic edition.

use crate::answers::{Answers, Place};
use crate::eip::{self, Address, KIND, Status};
use crate::estate::Estate;
use crate::nat;
use crate::net;
use crate::node::{FieldError, Node};

use super::{resource_name, tags};

const LIST: &str = "vpc.DescribeAddresses";

/// Normalizes the elastic addresses of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    if !listed.is_found() {
        return;
    }
    for record in out.items(place, KIND, LIST, &listed, &["AddressSet"]) {
        if let Err(err) = address_asset(out, place, &record) {
            out.not_normalized(err);
        }
    }
}

fn address_asset(out: &mut Estate, place: &Place<'_>, record: &Node<'_>) -> Result<(), FieldError> {
    let address = address(out, record)?;
    let id = address.id.clone();
    let mut asset = eip::asset(out, place, address);
    asset.tags = tags(out, record, "TagSet")?;
    asset.resource_name = Some(resource_name(place, "cvm", &format!("eip/{id}")));
    out.add_asset(asset, record);
    Ok(())
}

fn address(out: &mut Estate, record: &Node<'_>) -> Result<Address, FieldError> {
    let field = record.need("AddressStatus")?;
    let status = match field.as_str()? {
        "BIND" => Status::Bound,
        "BIND_ENI" => Status::Dangling,
        "UNBIND" => Status::Unbound,
        "CREATING" | "BINDING" | "UNBINDING" | "OFFLINING" => Status::Changing,
        _ => {
            return Err(
                field.expected("`BIND`, `BIND_ENI`, `UNBIND`, `CREATING`, `BINDING`, `UNBINDING` or `OFFLINING`")
            );
        }
    };
    let bound_type = record.opt_str("InstanceType")?.map(|kind| match kind {
        "CVM" => "instance",
        "CLB" => "load_balancer",
        "NAT" => "nat_gateway",
        "HAVIP" => "havip",
        "ENI" => "network_interface",
        _ => "other",
    });
    let bound_id = record.opt_str("InstanceId")?;
    let protected = record.opt_str("AddressType")? == Some("AntiDDoSEIP");
    Ok(Address {
        id: record.str("AddressId")?.to_owned(),
        name: record.opt_str("AddressName")?.map(str::to_owned),
        address: nat::address(out, record, "AddressIp", net::ip)?,
        status,
        bound_type,
        bound_id: bound_id.map(str::to_owned),
        instance_id: bound_id.filter(|id| id.starts_with("ins-")).map(str::to_owned),
        network_interface_id: record.opt_str("NetworkInterfaceId")?.map(str::to_owned),
        ddos_enhanced: protected || record.opt_str("AntiDDoSPackageId")?.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn statuses_types_and_anti_ddos_read_from_the_published_vocabulary() {
        let read = |record: serde_json::Value| {
            let node = Node::root(&record, Path::new("a.json"));
            address(&mut Estate::default(), &node).map_err(|err| err.to_string())
        };
        let eni = read(json!({"AddressId": "eip-qhx8udkc", "AddressIp": "1.14.91.34", "AddressStatus": "BIND_ENI",
            "InstanceId": "ins-wf123456", "InstanceType": null, "NetworkInterfaceId": "eni-12345678",
            "AddressType": "EIP"}))
        .unwrap();
        assert_eq!(
            (eni.status, eni.bound_type, eni.instance_id.as_deref()),
            (Status::Dangling, None, Some("ins-wf123456"))
        );
        assert!(!eni.ddos_enhanced);
        let nat = read(json!({"AddressId": "eip-1", "AddressIp": "1.14.91.35", "AddressStatus": "BIND",
            "InstanceId": "nat-1", "InstanceType": "NAT", "AddressType": "AntiDDoSEIP"}))
        .unwrap();
        assert_eq!((nat.bound_type, nat.instance_id), (Some("nat_gateway"), None));
        assert!(nat.ddos_enhanced);
        let package = read(json!({"AddressId": "eip-2", "AddressIp": "1.14.91.36", "AddressStatus": "UNBIND",
            "AntiDDoSPackageId": "bgp-00000001"}))
        .unwrap();
        assert!(package.ddos_enhanced);
        let bad = read(json!({"AddressId": "eip-3", "AddressIp": "1.14.91.37", "AddressStatus": "LOST"}));
        assert!(bad.unwrap_err().contains("$.AddressStatus: expected `BIND`"));
        let bad = read(json!({"AddressId": "eip-4", "AddressIp": "34.3.4.5.6", "AddressStatus": "UNBIND"}));
        assert!(bad.unwrap_err().contains("$.AddressIp: expected an IP address"));
    }
}
