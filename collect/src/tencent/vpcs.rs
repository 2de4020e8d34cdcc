//! VPCs: `vpc.DescribeVpcs` per region, with `vpc.DescribeFlowLogs` for the flow logs that
//! record each VPC's traffic and `cvm.DescribeInstances` for the instances in it. A flow log
//! names its VPC in `VpcId` whatever it is attached to (the VPC, a subnet, a network
//! interface); it records while `Enable` is true and its CLS or CKafka store is not
//! `CloudLogState` `DELETED`.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::net;
use crate::node::{FieldError, Node};
use crate::vpc::{self, Around, FlowLog, KIND};

use super::{resource_name, tags};

/// Normalizes the VPCs of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "vpc.DescribeVpcs");
    out.cover(place, KIND, "vpc.DescribeVpcs", &listed);
    if !listed.is_found() {
        return;
    }
    let vpcs = out.items(place, KIND, "vpc.DescribeVpcs", &listed, &["VpcSet"]);
    let logs = answers.lookup(place, "vpc.DescribeFlowLogs");
    let flow_logs = vpc::flow_logs(out, place, "vpc.DescribeFlowLogs", &logs, &["FlowLog"], flow_log);
    let instances = answers.lookup(place, "cvm.DescribeInstances");
    let instances = vpc::members(&instances, &["InstanceSet"], &["VirtualPrivateCloud", "VpcId"], "InstanceId");
    let around = Around { flow_logs, instances };
    for record in vpcs {
        if let Err(err) = vpc_asset(out, place, &around, &record) {
            out.not_normalized(err);
        }
    }
}

fn vpc_asset(out: &mut Estate, place: &Place<'_>, around: &Around, record: &Node<'_>) -> Result<(), FieldError> {
    let mut asset = vpc::asset(out, place, record, around, net::cidr)?;
    asset.tags = tags(out, record, "TagSet")?;
    asset.resource_name = Some(resource_name(place, "vpc", &format!("vpc/{}", asset.id)));
    out.add_asset(asset, record);
    Ok(())
}

fn flow_log(log: &Node<'_>) -> Result<FlowLog, FieldError> {
    let stored = log.opt_str("CloudLogState")? != Some("DELETED");
    Ok(FlowLog {
        id: log.str("FlowLogId")?.to_owned(),
        vpc_id: log.opt_str("VpcId")?.map(str::to_owned),
        active: log.flag("Enable")? && stored,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn a_flow_log_records_while_enabled_and_stored() {
        let read = |value: serde_json::Value| {
            let node = Node::root(&value, Path::new("vpc.DescribeFlowLogs.json"));
            flow_log(&node).map(|log| (log.vpc_id, log.active)).map_err(|err| err.to_string())
        };
        let on = json!({"FlowLogId": "fl-1", "VpcId": "vpc-a", "ResourceType": "NETWORKINTERFACE", "Enable": true, "CloudLogState": "SUCCESS"});
        assert_eq!(read(on), Ok((Some("vpc-a".to_owned()), true)));
        let off = json!({"FlowLogId": "fl-2", "VpcId": "vpc-a", "Enable": false, "CloudLogState": "SUCCESS"});
        assert_eq!(read(off), Ok((Some("vpc-a".to_owned()), false)));
        let deleted = json!({"FlowLogId": "fl-3", "VpcId": "vpc-a", "Enable": true, "CloudLogState": "DELETED"});
        assert_eq!(read(deleted), Ok((Some("vpc-a".to_owned()), false)));
        let unknown = json!({"FlowLogId": "fl-4", "VpcId": "vpc-a"});
        assert!(read(unknown).unwrap_err().contains("$: expected a field `Enable`"));
    }
}
