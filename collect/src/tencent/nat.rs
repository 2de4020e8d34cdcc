//! DNAT (port-forwarding) rules of NAT gateways:
//! `vpc.DescribeNatGatewayDestinationIpPortTranslationNatRules` per region (every gateway's
//! rules, each naming its `NatGatewayId` and `VpcId`), with `cvm.DescribeInstances` for the
//! instance that holds each rule's `PrivateIpAddress` in that VPC. A rule forwards one public
//! port (`PublicPort`) to one private port (`PrivatePort`) over `TCP` or `UDP` (api.json:
//! "可选值：`TCP`、`UDP`"); it has no id of its own, so the asset's id is the gateway, protocol,
//! public address and port, which the API keeps unique.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::nat::{self, Entry, KIND};
use crate::net;
use crate::node::{FieldError, Node};

use super::resource_name;

const LIST: &str = "vpc.DescribeNatGatewayDestinationIpPortTranslationNatRules";

/// Normalizes the DNAT rules of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    if !listed.is_found() {
        return;
    }
    let rules = out.items(place, KIND, LIST, &listed, &["NatGatewayDestinationIpPortTranslationNatRuleSet"]);
    let instances = answers.lookup(place, "cvm.DescribeInstances");
    let owners = nat::owners(
        &instances,
        &["InstanceSet"],
        &["VirtualPrivateCloud", "VpcId"],
        &["PrivateIpAddresses"],
        "InstanceId",
    );
    for record in rules {
        match entry(out, &record) {
            Ok(entry) => {
                let gateway = entry.nat_gateway_id.clone();
                let mut asset = nat::asset(place, entry, owners.as_ref());
                asset.resource_name = Some(resource_name(place, "vpc", &format!("nat/{gateway}")));
                out.add_asset(asset, &record);
            }
            Err(err) => out.not_normalized(err),
        }
    }
}

fn entry(out: &mut Estate, rule: &Node<'_>) -> Result<Entry, FieldError> {
    let gateway = rule.str("NatGatewayId")?;
    let field = rule.need("IpProtocol")?;
    let protocol = nat::protocol(field.as_str()?).ok_or_else(|| field.expected("`TCP` or `UDP`"))?;
    let public_text = rule.str("PublicIpAddress")?;
    let public_ports = nat::ports(rule, "PublicPort")?;
    let port = public_ports.map_or_else(|| "any".to_owned(), |(from, _)| from.to_string());
    Ok(Entry {
        id: format!("{gateway}/{protocol}/{public_text}:{port}"),
        name: rule.opt_str("Description")?.map(str::to_owned),
        nat_gateway_id: gateway.to_owned(),
        forward_table_id: None,
        vpc_id: rule.opt_str("VpcId")?.filter(|vpc| !vpc.is_empty()).map(str::to_owned),
        protocol,
        public_ip: nat::address(out, rule, "PublicIpAddress", net::ip)?,
        public_ports,
        private_ip: nat::address(out, rule, "PrivateIpAddress", net::ip)?,
        private_ports: nat::ports(rule, "PrivatePort")?,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn a_rule_is_named_by_its_gateway_protocol_and_public_port() {
        let record = json!({"IpProtocol": "UDP", "PublicIpAddress": "139.199.232.238", "PublicPort": 8989,
            "PrivateIpAddress": "10.80.80.41", "PrivatePort": 22, "Description": "", "NatGatewayId": "nat-3isn9hr0",
            "VpcId": "vpc-0yi4hekt"});
        let node = Node::root(&record, Path::new("a.json"));
        let read = entry(&mut Estate::default(), &node).unwrap();
        assert_eq!(read.id, "nat-3isn9hr0/udp/139.199.232.238:8989");
        assert_eq!((read.protocol, read.private_ports), ("udp", Some((22, 22))));
        let icmp = json!({"IpProtocol": "ICMP", "PublicIpAddress": "1.2.3.4", "PublicPort": 1,
            "PrivateIpAddress": "10.0.0.1", "PrivatePort": 1, "NatGatewayId": "nat-1"});
        let node = Node::root(&icmp, Path::new("a.json"));
        assert!(entry(&mut Estate::default(), &node).is_err());
    }
}
