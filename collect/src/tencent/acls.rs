//! Network ACLs: `vpc.DescribeNetworkAcls` per region. Each ACL lists the subnets it is bound
//! to (`SubnetSet[].SubnetId`) and, for a three-tuple ACL, its entries (`IngressEntries`,
//! `EgressEntries`: `Protocol`, `Port`, `CidrBlock` or `Ipv6CidrBlock`, `Action`, `Priority`).
//! A five-tuple ACL (`NetworkAclType` `QUINTUPLE`) keeps its entries behind another call
//! (`DescribeNetworkAclQuintupleEntries`, not read): its directions are left out, not read as
//! empty.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::net;
use crate::network_acl::{self, KIND, Spelling};
use crate::node::{FieldError, Node};

use super::{resource_name, tags};

const CALL: &str = "vpc.DescribeNetworkAcls";

const ENTRY: Spelling =
    Spelling { peers: &["CidrBlock", "Ipv6CidrBlock"], action: "Action", priority: Some("Priority"), cidr: net::cidr };

/// Normalizes the network ACLs of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, CALL);
    out.cover(place, KIND, CALL, &listed);
    for record in out.items(place, KIND, CALL, &listed, &["NetworkAclSet"]) {
        if let Err(err) = acl_asset(out, place, &record) {
            out.not_normalized(err);
        }
    }
}

fn acl_asset(out: &mut Estate, place: &Place<'_>, record: &Node<'_>) -> Result<(), FieldError> {
    let id = record.str("NetworkAclId")?;
    let mut subnets = Vec::new();
    for subnet in record.list(&["SubnetSet"]) {
        subnets.push(subnet.str("SubnetId")?.to_owned());
    }
    let (ingress, egress) = if record.opt_str("NetworkAclType")? == Some("QUINTUPLE") {
        let why = format!(
            "network ACL {id} is a five-tuple ACL, whose entries {CALL} does not list: ingress and egress are left out"
        );
        out.partial(place, KIND, why);
        (None, None)
    } else {
        (
            network_acl::entries(out, place, record, &["IngressEntries"], &ENTRY),
            network_acl::entries(out, place, record, &["EgressEntries"], &ENTRY),
        )
    };
    let mut asset = network_acl::asset(place, record, subnets, ingress, egress)?;
    asset.tags = tags(out, record, "TagSet")?;
    asset.resource_name = Some(resource_name(place, "vpc", &format!("acl/{id}")));
    out.add_asset(asset, record);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::raw::Provider;

    #[test]
    fn a_three_tuple_acl_lists_its_subnets_and_entries_and_a_five_tuple_one_leaves_them_out() {
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        let value = json!({
            "NetworkAclId": "acl-1", "VpcId": "vpc-1", "NetworkAclType": "TRIPLE",
            "SubnetSet": [{"SubnetId": "subnet-1"}],
            "IngressEntries": [{"Protocol": "tcp", "Port": "22", "CidrBlock": "0.0.0.0/0", "Action": "Accept", "Priority": 1}],
            "EgressEntries": []
        });
        let node = Node::root(&value, Path::new("vpc.DescribeNetworkAcls.json"));
        let mut out = Estate::default();
        acl_asset(&mut out, &place, &node).unwrap();
        let asset = out.asset_mut(KIND, "acl-1").unwrap();
        assert_eq!(asset.fields["subnet_ids"], json!(["subnet-1"]));
        assert_eq!(asset.fields["vpc_id"], json!("vpc-1"));
        assert_eq!(asset.fields["ingress"][0]["port_from"], json!(22));
        assert_eq!(asset.fields["egress"], json!([]));

        let value = json!({"NetworkAclId": "acl-2", "NetworkAclType": "QUINTUPLE", "SubnetSet": [],
                           "IngressEntries": [], "EgressEntries": []});
        let node = Node::root(&value, Path::new("vpc.DescribeNetworkAcls.json"));
        acl_asset(&mut out, &place, &node).unwrap();
        let asset = out.asset_mut(KIND, "acl-2").unwrap();
        assert!(!asset.fields.contains_key("ingress") && !asset.fields.contains_key("egress"));
    }
}
