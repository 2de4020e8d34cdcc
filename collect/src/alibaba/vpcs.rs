//! VPCs: `vpc.DescribeVpcs` per region, with `vpc.DescribeFlowLogs` for the flow logs that
//! record each VPC's traffic and `ecs.DescribeInstances` for the instances in it. A flow log is
//! attached to a VPC, a vSwitch or a network interface (`ResourceType` `VPC` / `VSwitch` /
//! `NetworkInterface`); it belongs to the VPC its `VpcId` names, else, attached to a VPC, to its
//! `ResourceId` (a vSwitch's or interface's flow log without `VpcId` cannot be placed and counts
//! for no VPC). It records while `Status` is `Active` (not `Activating` or `Inactive`).

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::vpc::{self, Around, FlowLog, KIND};

use super::{cidr, resource_name, tags};

/// Normalizes the VPCs of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "vpc.DescribeVpcs");
    out.cover(place, KIND, "vpc.DescribeVpcs", &listed);
    if !listed.is_found() {
        return;
    }
    let vpcs = out.items(place, KIND, "vpc.DescribeVpcs", &listed, &["Vpcs", "Vpc"]);
    let logs = answers.lookup(place, "vpc.DescribeFlowLogs");
    let flow_logs = vpc::flow_logs(out, place, "vpc.DescribeFlowLogs", &logs, &["FlowLogs", "FlowLog"], flow_log);
    let instances = answers.lookup(place, "ecs.DescribeInstances");
    let instances = vpc::members(&instances, &["Instances", "Instance"], &["VpcAttributes", "VpcId"], "InstanceId");
    let around = Around { flow_logs, instances };
    for record in vpcs {
        if let Err(err) = vpc_asset(out, place, &around, &record) {
            out.not_normalized(err);
        }
    }
}

fn vpc_asset(out: &mut Estate, place: &Place<'_>, around: &Around, record: &Node<'_>) -> Result<(), FieldError> {
    let mut asset = vpc::asset(out, place, record, around, cidr)?;
    asset.tags = tags(out, record)?;
    asset.resource_name = Some(resource_name("vpc", place, &format!("vpc/{}", asset.id)));
    out.add_asset(asset, record);
    Ok(())
}

fn flow_log(log: &Node<'_>) -> Result<FlowLog, FieldError> {
    let vpc_id = match log.opt_str("VpcId")? {
        Some(vpc) => Some(vpc),
        None if log.opt_str("ResourceType")? == Some("VPC") => log.opt_str("ResourceId")?,
        None => None,
    };
    Ok(FlowLog {
        id: log.str("FlowLogId")?.to_owned(),
        vpc_id: vpc_id.map(str::to_owned),
        active: log.str("Status")? == "Active",
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn a_flow_log_belongs_to_its_vpc_and_records_while_active() {
        let read = |value: serde_json::Value| {
            let node = Node::root(&value, Path::new("vpc.DescribeFlowLogs.json"));
            flow_log(&node).map(|log| (log.vpc_id, log.active)).map_err(|err| err.to_string())
        };
        let vpc = json!({"FlowLogId": "fl-1", "ResourceType": "VPC", "ResourceId": "vpc-a", "Status": "Active"});
        assert_eq!(read(vpc), Ok((Some("vpc-a".to_owned()), true)));
        let eni = json!({"FlowLogId": "fl-2", "ResourceType": "NetworkInterface", "ResourceId": "eni-1", "VpcId": "vpc-a", "Status": "Inactive"});
        assert_eq!(read(eni), Ok((Some("vpc-a".to_owned()), false)));
        let unplaced =
            json!({"FlowLogId": "fl-3", "ResourceType": "VSwitch", "ResourceId": "vsw-1", "Status": "Active"});
        assert_eq!(read(unplaced), Ok((None, true)));
        let starting =
            json!({"FlowLogId": "fl-4", "ResourceType": "VPC", "ResourceId": "vpc-a", "Status": "Activating"});
        assert_eq!(read(starting), Ok((Some("vpc-a".to_owned()), false)));
    }
}
