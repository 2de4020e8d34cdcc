//! The `Vpc` asset both clouds' VPC answers describe under the same names (`VpcId`, `VpcName`,
//! `CidrBlock`, `IsDefault`), and the two joins that make a VPC worth checking: the flow logs
//! that record its traffic (the region's flow log answer) and the instances that sit in it (the
//! region's instance answer). One reader, so the Tencent and Alibaba normalizers cannot drift
//! apart in what `flow_log_enabled` or `instance_ids` mean.

use std::collections::BTreeMap;

use crate::answers::{Lookup, Place};
use crate::estate::Estate;
use crate::net::AddressProblem;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "Vpc";

/// One flow log, reduced to what the `Vpc` fields need.
pub(crate) struct FlowLog {
    pub(crate) id: String,
    /// The VPC whose traffic it records (all of it, or one subnet's or interface's), when the
    /// answer says; a flow log on something else (CCN, NAT) has none.
    pub(crate) vpc_id: Option<String>,
    /// Whether it is recording now.
    pub(crate) active: bool,
}

/// The region's flow logs by VPC: `(id, active)` in answer order.
#[derive(Default)]
pub(crate) struct FlowLogs(BTreeMap<String, Vec<(String, bool)>>);

impl FlowLogs {
    pub(crate) fn add(&mut self, log: FlowLog) {
        if let Some(vpc) = log.vpc_id {
            self.0.entry(vpc).or_default().push((log.id, log.active));
        }
    }
}

/// The region's instances by the VPC they sit in.
#[derive(Default)]
pub(crate) struct Members(BTreeMap<String, Vec<String>>);

impl Members {
    pub(crate) fn add(&mut self, vpc: &str, instance: &str) {
        self.0.entry(vpc.to_owned()).or_default().push(instance.to_owned());
    }
}

/// What a region says around its VPCs; `None` where the answer was not saved or failed, so the
/// field it would fill is left out rather than read as "none".
pub(crate) struct Around {
    pub(crate) flow_logs: Option<FlowLogs>,
    pub(crate) instances: Option<Members>,
}

/// The region's flow log answer read by `read` (one cloud's record shape), or `None` after
/// marking the VPCs partial: without it, or when it has no list of flow logs at all, no VPC can
/// be said to have or lack a flow log (an answer without the list is not read as "none").
pub(crate) fn flow_logs(
    out: &mut Estate,
    place: &Place<'_>,
    call: &str,
    lookup: &Lookup<'_>,
    collection: &[&str],
    read: impl Fn(&Node<'_>) -> Result<FlowLog, FieldError>,
) -> Option<FlowLogs> {
    let why = match lookup {
        Lookup::Found(_) => None,
        Lookup::Missing => Some(format!("{call} was not saved")),
        Lookup::Failed { error, .. } => Some(format!("{call}: {}: {}", error.code, error.message)),
    };
    let why = why.or_else(|| {
        let err = lookup.items(collection).err()?;
        let why = format!("{call} has no `{}` list", collection.join("."));
        out.not_normalized(err);
        Some(why)
    });
    if let Some(why) = why {
        out.partial(place, KIND, format!("{why}: flow_log_enabled and flow_log_ids are left out"));
        return None;
    }
    let mut logs = FlowLogs::default();
    for item in out.items(place, KIND, call, lookup, collection) {
        match read(&item) {
            Ok(log) => logs.add(log),
            Err(err) => out.not_normalized(err),
        }
    }
    Some(logs)
}

/// The region's instances by VPC from the instance answer (its own normalizer reports what it
/// cannot read), or `None` when it was not saved or failed.
pub(crate) fn members(lookup: &Lookup<'_>, collection: &[&str], vpc: &[&str], id: &str) -> Option<Members> {
    if !lookup.is_found() {
        return None;
    }
    let mut members = Members::default();
    for instance in lookup.items(collection).unwrap_or_default() {
        let vpc_id = instance.at(vpc).and_then(|node| node.value.as_str().map(str::to_owned));
        if let (Some(vpc_id), Ok(id)) = (vpc_id.filter(|v| !v.is_empty()), instance.str(id)) {
            members.add(&vpc_id, id);
        }
    }
    Some(members)
}

/// The `Vpc` asset of one VPC record, without tags and resource name (each cloud's own). A CIDR
/// `cidr` says is masked is reported and left out.
pub(crate) fn asset(
    out: &mut Estate,
    place: &Place<'_>,
    vpc: &Node<'_>,
    around: &Around,
    cidr: fn(&str) -> Result<String, AddressProblem>,
) -> Result<Asset, FieldError> {
    let id = vpc.str("VpcId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = vpc.opt_str("VpcName")?.map(str::to_owned);
    if let Some(text) = vpc.opt_str("CidrBlock")? {
        match cidr(text) {
            Ok(block) => {
                asset.set("cidr", block);
            }
            Err(AddressProblem::Masked) => {
                out.issue(IssueKind::Masked, &vpc.need("CidrBlock")?, format!("the CIDR `{text}` is masked: left out"))
            }
            Err(AddressProblem::Invalid) => return Err(vpc.need("CidrBlock")?.expected("a CIDR")),
        }
    }
    asset.set("is_default", vpc.flag("IsDefault")?);
    if let Some(logs) = &around.flow_logs {
        let mine = logs.0.get(id).map(Vec::as_slice).unwrap_or_default();
        asset.set("flow_log_enabled", mine.iter().any(|(_, active)| *active));
        asset.set("flow_log_ids", mine.iter().map(|(log, _)| log.clone()).collect::<Vec<_>>());
    }
    if let Some(members) = &around.instances {
        asset.set("instance_ids", members.0.get(id).cloned().unwrap_or_default());
    }
    Ok(asset)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::net;
    use crate::raw::Provider;

    fn vpc(around: &Around, record: serde_json::Value) -> Result<Asset, FieldError> {
        let node = Node::root(&record, Path::new("vpc.DescribeVpcs.json"));
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        asset(&mut Estate::default(), &place, &node, around, net::cidr)
    }

    #[test]
    fn an_active_flow_log_of_the_vpc_enables_it_and_others_do_not() {
        let mut logs = FlowLogs::default();
        logs.add(FlowLog { id: "fl-off".into(), vpc_id: Some("vpc-a".into()), active: false });
        logs.add(FlowLog { id: "fl-other".into(), vpc_id: Some("vpc-b".into()), active: true });
        logs.add(FlowLog { id: "fl-ccn".into(), vpc_id: None, active: true });
        let mut members = Members::default();
        members.add("vpc-a", "ins-1");
        let around = Around { flow_logs: Some(logs), instances: Some(members) };
        let a = vpc(&around, json!({"VpcId": "vpc-a", "VpcName": "a", "CidrBlock": "10.0.0.0/16", "IsDefault": true}))
            .unwrap();
        assert_eq!(
            serde_json::to_value(&a.fields).unwrap(),
            json!({"cidr": "10.0.0.0/16", "is_default": true, "flow_log_enabled": false,
                   "flow_log_ids": ["fl-off"], "instance_ids": ["ins-1"]})
        );
        let b = vpc(&around, json!({"VpcId": "vpc-b", "CidrBlock": "10.1.0.0/16", "IsDefault": false})).unwrap();
        assert_eq!(b.fields["flow_log_enabled"], json!(true));
        assert_eq!(b.fields["instance_ids"], json!([]));
    }

    #[test]
    fn unsaved_answers_leave_their_fields_out() {
        let around = Around { flow_logs: None, instances: None };
        let a = vpc(&around, json!({"VpcId": "vpc-a", "CidrBlock": "10.0.0.0/16", "IsDefault": "false"})).unwrap();
        assert_eq!(serde_json::to_value(&a.fields).unwrap(), json!({"cidr": "10.0.0.0/16", "is_default": false}));
        let err = vpc(&around, json!({"VpcId": "vpc-a", "CidrBlock": "ten", "IsDefault": false})).unwrap_err();
        assert!(err.to_string().contains("$.CidrBlock"), "{err}");
    }
}
