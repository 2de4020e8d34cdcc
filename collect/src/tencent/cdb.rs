//! Databases: TencentDB for MySQL instances (`cdb.DescribeDBInstances` per region), each
//! completed by five per-instance answers: security groups (the allowlist), backup, audit,
//! encryption at rest (`DescribeDBInstanceInfo.Encryption`) and SSL.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::net::{self, AddressProblem};
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{per, resource_name, switch, tags};

const KIND: &str = "Database";
const LIST: &str = "cdb.DescribeDBInstances";

/// Normalizes the databases of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    let instances = out.items(place, KIND, LIST, &listed, &["Items"]);
    for instance in instances {
        if let Err(err) = database_asset(answers, out, place, &instance) {
            out.not_normalized(err);
        }
    }
}

fn database_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    instance: &Node<'_>,
) -> Result<(), FieldError> {
    let id = instance.str("InstanceId")?;
    let mut details = Vec::new();
    for action in [
        "DescribeDBSecurityGroups",
        "DescribeBackupConfig",
        "DescribeAuditConfig",
        "DescribeDBInstanceInfo",
        "DescribeSSLStatus",
    ] {
        let call = format!("cdb.{action}");
        let lookup = answers.lookup_for(place, &call, "InstanceId", id);
        let Some(answer) = out.detail(place, KIND, instance, &per(&call, "InstanceId", id), &lookup) else {
            return Ok(());
        };
        details.push(answer);
    }
    let [groups, backup, audit, info, ssl] = details.as_slice() else { return Ok(()) };
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = instance.opt_str("InstanceName")?.map(str::to_owned);
    asset.tags = tags(out, instance, "TagList")?;
    asset.resource_name = Some(resource_name(place, "cdb", &format!("instanceId/{id}")));
    asset.set("engine", "mysql");
    asset.set_some("version", instance.opt_str("EngineVersion")?);
    // 0 never opened, 1 open, 2 closed.
    asset.set("public_endpoint", instance.int("WanStatus")? == 1);
    // Two or three nodes fail over to a replica; a one-node (basic) instance cannot.
    asset.set("ha", instance.int("InstanceNodes")? >= 2);
    let (group_ids, allowlist) = allowlist(out, groups)?;
    asset.set("security_group_ids", group_ids);
    asset.set("allowlist", allowlist);
    let backup_days = backup.int("BackupExpireDays")?;
    asset.set("backup_enabled", backup_days > 0);
    asset.set_some("backup_retention_days", (backup_days > 0).then_some(backup_days));
    // api.json lists `LogExpireDay` values 0, 7, 30, 180, 365, 1095, 1825 without saying what 0
    // means: it is left out (unknown), never read as "kept no days".
    let audit_days = audit.opt_int("LogExpireDay")?.filter(|days| *days > 0);
    asset.set("audit_enabled", audit_days.is_some() || audit.opt_str("CreateTime")?.is_some());
    asset.set_some("audit_retention_days", audit_days);
    asset.set("tde_enabled", switch(info, "Encryption")?);
    asset.set("ssl_enabled", switch(ssl, "Status")?);
    out.add_asset(asset, instance);
    Ok(())
}

/// The bound security groups and the ranges their inbound rules accept. A rule that names an
/// address template (no `CidrIp`) is reported and matches no address.
fn allowlist(out: &mut Estate, answer: &Node<'_>) -> Result<(Vec<String>, Vec<String>), FieldError> {
    let (mut group_ids, mut cidrs) = (Vec::new(), Vec::new());
    for group in answer.collection(&["Groups"])? {
        group_ids.push(group.str("SecurityGroupId")?.to_owned());
        for rule in group.list(&["Inbound"]) {
            if net::action(rule.str("Action")?) != Some("accept") {
                continue;
            }
            let Some(text) = rule.opt_str("CidrIp")? else {
                out.issue(
                    IssueKind::Unresolved,
                    &rule,
                    "an inbound rule without `CidrIp` (an address template): it matches no address",
                );
                continue;
            };
            match net::cidr(text) {
                Ok(cidr) => cidrs.push(cidr),
                Err(AddressProblem::Masked) => out.issue(
                    IssueKind::Masked,
                    &rule,
                    format!("the address `{text}` is masked: left out of the allowlist"),
                ),
                Err(AddressProblem::Invalid) => return Err(rule.need("CidrIp")?.expected("a CIDR")),
            }
        }
    }
    cidrs.sort();
    cidrs.dedup();
    Ok((group_ids, cidrs))
}
