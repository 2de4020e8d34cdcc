//! Network ACLs: `vpc.DescribeNetworkAcls` per region. Each ACL lists the resources it is bound
//! to (`Resources.Resource[]`: `ResourceId`, `ResourceType` `VSwitch`, `Status` `BINDED` /
//! `BINDING` / `UNBINDING`) and its entries in evaluation order (`IngressAclEntries.IngressAclEntry[]`
//! with `SourceCidrIp`, `EgressAclEntries.EgressAclEntry[]` with `DestinationCidrIp`; `Protocol`,
//! `Port` `-1/-1` or `22/22`, `Policy`). The answer numbers no entry: the list's order is the
//! order the cloud evaluates them in. A vSwitch being unbound no longer counts as bound.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::network_acl::{self, KIND, Spelling};
use crate::node::{FieldError, Node};

use super::{cidr, resource_name, tags};

const CALL: &str = "vpc.DescribeNetworkAcls";

const INGRESS: Spelling = Spelling { peers: &["SourceCidrIp"], action: "Policy", priority: None, cidr };
const EGRESS: Spelling = Spelling { peers: &["DestinationCidrIp"], action: "Policy", priority: None, cidr };

/// Normalizes the network ACLs of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, CALL);
    out.cover(place, KIND, CALL, &listed);
    for record in out.items(place, KIND, CALL, &listed, &["NetworkAcls", "NetworkAcl"]) {
        if let Err(err) = acl_asset(out, place, &record) {
            out.not_normalized(err);
        }
    }
}

fn acl_asset(out: &mut Estate, place: &Place<'_>, record: &Node<'_>) -> Result<(), FieldError> {
    let id = record.str("NetworkAclId")?;
    let mut subnets = Vec::new();
    for resource in record.list(&["Resources", "Resource"]) {
        // The XML answer's empty `<Resource/>` is an element without fields: no resource.
        let Some(resource_id) = resource.opt_str("ResourceId")? else { continue };
        let vswitch = resource.opt_str("ResourceType")?.is_none_or(|kind| kind.eq_ignore_ascii_case("VSwitch"));
        let unbinding = resource.opt_str("Status")?.is_some_and(|status| status.eq_ignore_ascii_case("UNBINDING"));
        if vswitch && !unbinding {
            subnets.push(resource_id.to_owned());
        }
    }
    let ingress = network_acl::entries(out, place, record, &["IngressAclEntries", "IngressAclEntry"], &INGRESS);
    let egress = network_acl::entries(out, place, record, &["EgressAclEntries", "EgressAclEntry"], &EGRESS);
    let mut asset = network_acl::asset(place, record, subnets, ingress, egress)?;
    asset.tags = tags(out, record)?;
    asset.resource_name = Some(resource_name("vpc", place, &format!("networkacl/{id}")));
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
    fn bound_vswitches_and_entries_in_list_order() {
        let place = Place { provider: Provider::Alibaba, account: "5000000000000002", region: "cn-hangzhou" };
        let value = json!({
            "NetworkAclId": "nacl-1", "VpcId": "vpc-1",
            "Resources": {"Resource": [
                {"ResourceId": "vsw-bound", "ResourceType": "VSwitch", "Status": "BINDED"},
                {"ResourceId": "vsw-going", "ResourceType": "VSwitch", "Status": "UNBINDING"},
                {"ResourceId": "vsw-coming", "ResourceType": "VSwitch", "Status": "BINDING"}
            ]},
            "IngressAclEntries": {"IngressAclEntry": [
                {"Protocol": "tcp", "Port": "22/22", "SourceCidrIp": "0.0.0.0/0", "Policy": "drop"},
                {"Protocol": "all", "Port": "-1/-1", "SourceCidrIp": "0.0.0.0/0", "Policy": "accept"}
            ]},
            "EgressAclEntries": {"EgressAclEntry": [
                {"Protocol": "all", "Port": "-1/-1", "DestinationCidrIp": "0.0.0.0/0", "Policy": "accept"}
            ]}
        });
        let node = Node::root(&value, Path::new("vpc.DescribeNetworkAcls.json"));
        let mut out = Estate::default();
        acl_asset(&mut out, &place, &node).unwrap();
        let asset = out.asset_mut(KIND, "nacl-1").unwrap();
        assert_eq!(asset.fields["subnet_ids"], json!(["vsw-bound", "vsw-coming"]));
        assert_eq!(asset.fields["ingress"][0]["action"], json!("drop"));
        assert_eq!(asset.fields["ingress"][1]["priority"], json!(2));
        assert_eq!(asset.fields["egress"][0]["cidr"], json!("0.0.0.0/0"));
    }
}
