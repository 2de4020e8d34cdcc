//! DNAT (port-forwarding) entries of NAT gateways: `vpc.DescribeNatGateways` per region, then
//! `vpc.DescribeForwardTableEntries` per DNAT table the gateway lists
//! (`ForwardTableIds.ForwardTableId[]`), with `ecs.DescribeInstances` for the instance that
//! holds each entry's `InternalIp` in the gateway's VPC. `IpProtocol` is `TCP`, `UDP` or `Any`
//! ("转发所有协议的报文"); an `Any` entry has `Any` ports too: the "IP mapping" that forwards
//! every port of the public address to the private one (CreateForwardEntry). A DNAT table whose
//! answer was not saved or failed leaves its entries out (the type partial), never "none".

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::nat::{self, Entry, KIND, Owners};
use crate::node::{FieldError, Node};

use super::{ip, per, resource_name};

const GATEWAYS: &str = "vpc.DescribeNatGateways";
const ENTRIES: &str = "vpc.DescribeForwardTableEntries";

/// Normalizes the DNAT entries of one region's NAT gateways.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, GATEWAYS);
    out.cover(place, KIND, GATEWAYS, &listed);
    if !listed.is_found() {
        return;
    }
    let gateways = out.items(place, KIND, GATEWAYS, &listed, &["NatGateways", "NatGateway"]);
    let instances = answers.lookup(place, "ecs.DescribeInstances");
    let owners = nat::owners(
        &instances,
        &["Instances", "Instance"],
        &["VpcAttributes", "VpcId"],
        &["VpcAttributes", "PrivateIpAddress", "IpAddress"],
        "InstanceId",
    );
    for gateway in gateways {
        if let Err(err) = gateway_entries(answers, out, place, owners.as_ref(), &gateway) {
            out.not_normalized(err);
        }
    }
}

fn gateway_entries(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    owners: Option<&Owners>,
    gateway: &Node<'_>,
) -> Result<(), FieldError> {
    let gateway_id = gateway.str("NatGatewayId")?;
    let vpc_id = gateway.opt_str("VpcId")?.filter(|vpc| !vpc.is_empty());
    for table in gateway.list(&["ForwardTableIds", "ForwardTableId"]) {
        let table = table.as_str()?;
        let name = per(ENTRIES, "ForwardTableId", table);
        let lookup = answers.lookup_for(place, ENTRIES, "ForwardTableId", table);
        let why = match &lookup {
            Lookup::Found(_) => None,
            Lookup::Missing => Some(format!("{name} was not saved")),
            Lookup::Failed { error, .. } => Some(format!("{name}: {}: {}", error.code, error.message)),
        };
        if let Some(why) = why {
            out.partial(place, KIND, format!("{why}: the DNAT entries of {gateway_id} are left out"));
            continue;
        }
        for record in out.items(place, KIND, &name, &lookup, &["ForwardTableEntries", "ForwardTableEntry"]) {
            match entry(out, gateway_id, vpc_id, &record) {
                Ok(entry) => {
                    let mut asset = nat::asset(place, entry, owners);
                    asset.resource_name = Some(resource_name("vpc", place, &format!("natgateway/{gateway_id}")));
                    out.add_asset(asset, &record);
                }
                Err(err) => out.not_normalized(err),
            }
        }
    }
    Ok(())
}

fn entry(out: &mut Estate, gateway: &str, vpc: Option<&str>, record: &Node<'_>) -> Result<Entry, FieldError> {
    let field = record.need("IpProtocol")?;
    let protocol = nat::protocol(field.as_str()?).ok_or_else(|| field.expected("`TCP`, `UDP` or `Any`"))?;
    Ok(Entry {
        id: record.str("ForwardEntryId")?.to_owned(),
        name: record.opt_str("ForwardEntryName")?.map(str::to_owned),
        nat_gateway_id: gateway.to_owned(),
        forward_table_id: record.opt_str("ForwardTableId")?.map(str::to_owned),
        vpc_id: vpc.map(str::to_owned),
        protocol,
        public_ip: nat::address(out, record, "ExternalIp", ip)?,
        public_ports: nat::ports(record, "ExternalPort")?,
        private_ip: nat::address(out, record, "InternalIp", ip)?,
        private_ports: nat::ports(record, "InternalPort")?,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn an_ip_mapping_forwards_every_port_and_masked_addresses_are_left_out() {
        let record = json!({"Status": "Available", "IpProtocol": "Any", "ForwardEntryId": "fwd-1",
            "ExternalIp": "47.96.xx.184", "ForwardTableId": "ftb-1", "ExternalPort": "Any", "InternalPort": "Any",
            "InternalIp": "192.168.0.39"});
        let node = Node::root(&record, Path::new("a.json"));
        let mut out = Estate::default();
        let entry = entry(&mut out, "ngw-1", Some("vpc-1"), &node).unwrap();
        assert_eq!((entry.protocol, entry.public_ports, entry.private_ports), ("any", None, None));
        assert_eq!((entry.public_ip, entry.private_ip), (None, Some("192.168.0.39".to_owned())));
        assert_eq!(entry.forward_table_id.as_deref(), Some("ftb-1"));
    }
}
