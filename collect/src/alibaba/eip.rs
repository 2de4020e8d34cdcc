//! Elastic public addresses: `vpc.DescribeEipAddresses` per region. `Status` is `Associating`,
//! `Unassociating`, `InUse`, `Available` or `Releasing`; `InstanceType` is `EcsInstance`,
//! `SlbInstance`, `Nat`, `HaVip`, `NetworkInterface` (a secondary ENI: `InstanceId` is the
//! interface) or `IpAddress`. `SecurityProtectionTypes.SecurityProtectionType[]` names the
//! Anti-DDoS edition: empty is Anti-DDoS Origin Basic, `AntiDDoS_Enhanced` is Anti-DDoS
//! Pro/Premium (the API reference's response parameters).

use crate::answers::{Answers, Place};
use crate::eip::{self, Address, KIND, Status};
use crate::estate::Estate;
use crate::nat;
use crate::node::{FieldError, Node};

use super::{ip, resource_name, tags};

const LIST: &str = "vpc.DescribeEipAddresses";

/// Normalizes the elastic addresses of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    if !listed.is_found() {
        return;
    }
    for record in out.items(place, KIND, LIST, &listed, &["EipAddresses", "EipAddress"]) {
        if let Err(err) = address_asset(out, place, &record) {
            out.not_normalized(err);
        }
    }
}

fn address_asset(out: &mut Estate, place: &Place<'_>, record: &Node<'_>) -> Result<(), FieldError> {
    let address = address(out, record)?;
    let id = address.id.clone();
    let mut asset = eip::asset(out, place, address);
    asset.tags = tags(out, record)?;
    asset.resource_name = Some(resource_name("vpc", place, &format!("eip/{id}")));
    out.add_asset(asset, record);
    Ok(())
}

fn address(out: &mut Estate, record: &Node<'_>) -> Result<Address, FieldError> {
    let field = record.need("Status")?;
    let status = match field.as_str()? {
        "InUse" => Status::Bound,
        "Available" => Status::Unbound,
        "Associating" | "Unassociating" | "Releasing" => Status::Changing,
        _ => return Err(field.expected("`InUse`, `Available`, `Associating`, `Unassociating` or `Releasing`")),
    };
    let kind = record.opt_str("InstanceType")?;
    let bound_type = kind.map(|kind| match kind {
        "EcsInstance" => "instance",
        "SlbInstance" => "load_balancer",
        "Nat" => "nat_gateway",
        "HaVip" => "havip",
        "NetworkInterface" => "network_interface",
        "IpAddress" => "ip_address",
        _ => "other",
    });
    let bound_id = record.opt_str("InstanceId")?;
    let protection = record.strings(&["SecurityProtectionTypes", "SecurityProtectionType"])?;
    Ok(Address {
        id: record.str("AllocationId")?.to_owned(),
        name: record.opt_str("Name")?.map(str::to_owned),
        address: nat::address(out, record, "IpAddress", ip)?,
        status,
        bound_type,
        bound_id: bound_id.map(str::to_owned),
        instance_id: bound_id.filter(|_| kind == Some("EcsInstance")).map(str::to_owned),
        network_interface_id: bound_id.filter(|_| kind == Some("NetworkInterface")).map(str::to_owned),
        ddos_enhanced: protection.iter().any(|edition| edition == "AntiDDoS_Enhanced"),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn statuses_types_and_anti_ddos_editions_read_from_the_published_vocabulary() {
        let read = |record: serde_json::Value| {
            let node = Node::root(&record, Path::new("a.json"));
            address(&mut Estate::default(), &node).map_err(|err| err.to_string())
        };
        let eni = read(json!({"AllocationId": "eip-1", "IpAddress": "47.75.0.1", "Status": "InUse",
            "InstanceType": "NetworkInterface", "InstanceId": "eni-1",
            "SecurityProtectionTypes": {"SecurityProtectionType": []}}))
        .unwrap();
        assert_eq!((eni.status, eni.bound_type), (Status::Bound, Some("network_interface")));
        assert_eq!((eni.instance_id, eni.network_interface_id.as_deref()), (None, Some("eni-1")));
        assert!(!eni.ddos_enhanced);
        let masked = read(json!({"AllocationId": "eip-2", "IpAddress": "47.75.XX.XX", "Status": "InUse",
            "InstanceType": "EcsInstance", "InstanceId": "i-1",
            "SecurityProtectionTypes": {"SecurityProtectionType": ["AntiDDoS_Enhanced"]}}))
        .unwrap();
        assert_eq!((masked.address, masked.instance_id.as_deref()), (None, Some("i-1")));
        assert!(masked.ddos_enhanced);
        let bad = read(json!({"AllocationId": "eip-3", "IpAddress": "47.75.0.3", "Status": "Lost"}));
        assert!(bad.unwrap_err().contains("$.Status: expected `InUse`"));
    }
}
