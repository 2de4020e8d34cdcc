//! ApsaraDB RDS instances: `rds.DescribeDBInstances` per region, and per instance
//! (`@DBInstanceId=`) its allowlist, TDE, SSL, SQL audit and backup answers, plus the network
//! answer when saved.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::net::add_allowlist;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{cidr, listed, need_switch, per, resource_name, setting};

const KIND: &str = "Database";

/// Normalizes the database instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for instance in listed(answers, out, place, KIND, "rds.DescribeDBInstances", &["Items", "DBInstance"]) {
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
    let id = instance.str("DBInstanceId")?;
    let lookup = |action: &str| {
        let call = format!("rds.{action}");
        (per(&call, "DBInstanceId", id), answers.lookup_for(place, &call, "DBInstanceId", id))
    };
    let [allowlist, tde, ssl, audit, backup] = [
        "DescribeDBInstanceIPArrayList",
        "DescribeDBInstanceTDE",
        "DescribeDBInstanceSSL",
        "DescribeSQLCollectorPolicy",
        "DescribeBackupPolicy",
    ]
    .map(lookup);
    let mut get = |(call, lookup): &(String, _)| setting(out, place, KIND, instance, call, lookup, &[]).flatten();
    let Some(allowlist) = get(&allowlist) else { return Ok(()) };
    let Some(tde) = get(&tde) else { return Ok(()) };
    let Some(ssl) = get(&ssl) else { return Ok(()) };
    let Some(audit) = get(&audit) else { return Ok(()) };
    let Some(backup) = get(&backup) else { return Ok(()) };
    let retention = backup.int("BackupRetentionPeriod")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = instance.opt_str("DBInstanceDescription")?.map(|name| name.trim().to_owned());
    asset.resource_name = Some(resource_name("rds", place, &format!("dbinstance/{id}")));
    asset.set("engine", instance.str("Engine")?.to_ascii_lowercase());
    asset.set_some("version", instance.opt_text("EngineVersion")?);
    asset.set("public_endpoint", public_endpoint(answers, place, instance, id)?);
    asset.set("allowlist", allowed(out, &allowlist)?);
    // RDS runs data backups on the `PreferredBackupPeriod` days and keeps them that many days.
    let days = backup.opt_str("PreferredBackupPeriod")?;
    asset.set("backup_enabled", retention > 0 && days.is_some());
    asset.set("backup_retention_days", retention);
    asset.set("tde_enabled", need_switch(&tde, "TDEStatus")?);
    asset.set("ssl_enabled", need_switch(&ssl, "SSLEnabled")?);
    asset.set("audit_enabled", need_switch(&audit, "SQLCollectorStatus")?);
    asset.set("ha", high_availability(instance)?);
    out.add_asset(asset, instance);
    Ok(())
}

/// Whether the instance has an internet endpoint: an `IPType` `Public` connection in
/// `rds.DescribeDBInstanceNetInfo` when saved, else `DBInstanceNetType` `Internet`.
fn public_endpoint(answers: &Answers, place: &Place<'_>, instance: &Node<'_>, id: &str) -> Result<bool, FieldError> {
    let info = answers.lookup_for(place, "rds.DescribeDBInstanceNetInfo", "DBInstanceId", id);
    if info.is_found() {
        let connections = info.items(&["DBInstanceNetInfos", "DBInstanceNetInfo"])?;
        return Ok(connections.iter().any(|connection| connection.opt_str("IPType").ok().flatten() == Some("Public")));
    }
    match instance.str("DBInstanceNetType")? {
        "Internet" => Ok(true),
        "Intranet" => Ok(false),
        _ => Err(instance.need("DBInstanceNetType")?.expected("Internet or Intranet")),
    }
}

/// The ranges the allowlist groups admit, hidden groups included: RDS documents them as
/// admitting Alibaba Cloud services (DTS), so they do admit connections. `0.0.0.0` and `%`
/// are read as any address (`0.0.0.0/0`), as KICS and Checkov read RDS `security_ips`;
/// masked entries are reported and left out.
fn allowed(out: &mut Estate, answer: &Node<'_>) -> Result<Vec<String>, FieldError> {
    let mut cidrs: Vec<String> = Vec::new();
    for group in answer.list(&["Items", "DBInstanceIPArray"]) {
        add_allowlist(out, &group.need("SecurityIPList")?, &["0.0.0.0", "%"], cidr, &mut cidrs)?;
    }
    Ok(cidrs)
}

/// Whether the edition keeps a standby: every RDS `Category` but the single-node ones.
fn high_availability(instance: &Node<'_>) -> Result<bool, FieldError> {
    match instance.str("Category")? {
        "Basic" | "serverless_basic" => Ok(false),
        "HighAvailability" | "AlwaysOn" | "Finance" | "cluster" | "serverless_standard" | "serverless_ha" => Ok(true),
        _ => Err(instance
            .need("Category")?
            .expected("an RDS edition (Basic, HighAvailability, AlwaysOn, Finance, cluster)")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::report::IssueKind;

    use serde_json::{Value, json};

    use super::*;

    fn root(value: &Value) -> Node<'_> {
        Node::root(value, Path::new("a.json"))
    }

    #[test]
    fn allowlists_split_and_read_open_spellings_as_the_world() {
        let answer = json!({"Items": {"DBInstanceIPArray": [
            {"DBInstanceIPArrayName": "default", "SecurityIPList": "10.0.0.1, 192.168.1.0/24,%"},
            {"DBInstanceIPArrayAttribute": "hidden", "SecurityIPList": "0.0.0.0,192.168.XX.XX/24"}]}});
        let mut out = Estate::default();
        assert_eq!(allowed(&mut out, &root(&answer)).unwrap(), ["10.0.0.1/32", "192.168.1.0/24", "0.0.0.0/0"]);
        assert_eq!(out.report.count(IssueKind::Masked), 1);
        let bad = json!({"Items": {"DBInstanceIPArray": [{"SecurityIPList": "10.0.0.300"}]}});
        assert!(allowed(&mut out, &root(&bad)).is_err());
    }

    #[test]
    fn editions_with_a_standby_are_ha() {
        assert!(!high_availability(&root(&json!({"Category": "Basic"}))).unwrap());
        assert!(high_availability(&root(&json!({"Category": "AlwaysOn"}))).unwrap());
        assert!(high_availability(&root(&json!({"Category": "Premium"}))).is_err());
    }
}
