//! ApsaraDB RDS instances: `rds.DescribeDBInstances` per region, and per instance
//! (`@DBInstanceId=`) its allowlist, TDE, SSL, SQL audit and backup answers, plus the network
//! answer when saved; the SQL audit retention and the running parameters are read when saved
//! (without them those two fields are left out and the type is partial, the asset kept).

use serde_json::{Map, Value};

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::net::add_allowlist;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
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
    let tde_enabled = need_switch(&tde, "TDEStatus")?;
    asset.set("tde_enabled", tde_enabled);
    if tde_enabled {
        asset.set_some("tde_customer_key", customer_key(out, &tde)?);
    }
    asset.set("ssl_enabled", need_switch(&ssl, "SSLEnabled")?);
    let audit_enabled = need_switch(&audit, "SQLCollectorStatus")?;
    asset.set("audit_enabled", audit_enabled);
    let (call, retention) = lookup("DescribeSQLCollectorRetention");
    if let Some(answer) = optional(out, place, &call, &retention, "audit_retention_days")
        && audit_enabled
    {
        asset.set_some("audit_retention_days", audit_days(out, &answer)?);
    }
    let (call, parameters) = lookup("DescribeParameters");
    if let Some(answer) = optional(out, place, &call, &parameters, "parameters") {
        asset.set_some("parameters", running_parameters(out, &answer)?);
    }
    asset.set("ha", high_availability(instance)?);
    out.add_asset(asset, instance);
    Ok(())
}

/// A per-instance answer that fills one optional field: its root, or `None` after marking the
/// type partial (the asset is kept, the field left out: not saved or failed is not "none").
fn optional<'a>(out: &mut Estate, place: &Place<'_>, call: &str, lookup: &Lookup<'a>, field: &str) -> Option<Node<'a>> {
    let why = match lookup {
        Lookup::Found(pages) => return pages.first().cloned(),
        Lookup::Missing => format!("{call} was not saved"),
        Lookup::Failed { error, .. } => format!("{call} failed: {}: {}", error.code, error.message),
    };
    out.partial(place, KIND, format!("{why}: {field} is left out"));
    None
}

/// Whether TDE encrypts with a key the customer created in KMS (`TDEMode`
/// `Customer_Provided_Key`, BYOK) rather than one RDS generated (`Aliyun_Generate_Key`);
/// `None` when the answer does not say (`Unknown`, absent) or says something else (reported).
fn customer_key(out: &mut Estate, tde: &Node<'_>) -> Result<Option<bool>, FieldError> {
    let Some(mode) = tde.opt_str("TDEMode")? else { return Ok(None) };
    Ok(match mode {
        "Customer_Provided_Key" => Some(true),
        "Aliyun_Generate_Key" => Some(false),
        "Unknown" => None,
        other => {
            let at = tde.need("TDEMode")?;
            out.issue(
                IssueKind::NotNormalized,
                &at,
                format!("unknown TDEMode `{other}`: tde_customer_key is left out"),
            );
            None
        }
    })
}

/// How many days SQL audit (SQL Explorer) keeps its logs: `ConfigValue`, a number of days given
/// as text (`30`, `180`, `365`, `1095`, `1825`; PostgreSQL and SQL Server keep 30). Anything
/// else is reported and left out rather than guessed.
fn audit_days(out: &mut Estate, answer: &Node<'_>) -> Result<Option<i64>, FieldError> {
    let Some(value) = answer.get("ConfigValue") else { return Ok(None) };
    match value.as_int() {
        Ok(days) if days > 0 => Ok(Some(days)),
        _ => {
            let text = crate::node::describe(value.value);
            out.issue(
                IssueKind::NotNormalized,
                &value,
                format!("SQL audit retention {text} is not a number of days: audit_retention_days is left out"),
            );
            Ok(None)
        }
    }
}

/// The parameters the instance runs with (`RunningParameters.DBInstanceParameter[]`), by name,
/// values as the answer writes them; `None` (reported) when the answer has no such list.
fn running_parameters(out: &mut Estate, answer: &Node<'_>) -> Result<Option<Map<String, Value>>, FieldError> {
    let items = match answer.collection(&["RunningParameters", "DBInstanceParameter"]) {
        Ok(items) => items,
        Err(err) => {
            out.not_normalized(err);
            return Ok(None);
        }
    };
    let mut parameters = Map::new();
    for item in items {
        let name = item.str("ParameterName")?;
        let value = item.opt_text("ParameterValue")?.unwrap_or_default();
        parameters.insert(name.to_owned(), Value::String(value));
    }
    Ok(Some(parameters))
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
    fn the_tde_mode_says_whose_key_or_nothing() {
        let mut out = Estate::default();
        let mode = |out: &mut Estate, mode: Value| customer_key(out, &root(&json!({"TDEMode": mode}))).unwrap();
        assert_eq!(mode(&mut out, json!("Customer_Provided_Key")), Some(true));
        assert_eq!(mode(&mut out, json!("Aliyun_Generate_Key")), Some(false));
        assert_eq!(mode(&mut out, json!("Unknown")), None);
        assert_eq!(customer_key(&mut out, &root(&json!({"TDEStatus": "Enabled"}))).unwrap(), None);
        assert_eq!(out.report.count(IssueKind::NotNormalized), 0);
        assert_eq!(mode(&mut out, json!("Hsm_Key")), None);
        assert_eq!(out.report.count(IssueKind::NotNormalized), 1);
    }

    #[test]
    fn audit_retention_is_days_as_text_and_anything_else_is_left_out() {
        let mut out = Estate::default();
        assert_eq!(audit_days(&mut out, &root(&json!({"ConfigValue": "365"}))).unwrap(), Some(365));
        assert_eq!(audit_days(&mut out, &root(&json!({"ConfigValue": 30}))).unwrap(), Some(30));
        assert_eq!(audit_days(&mut out, &root(&json!({"RequestId": "r"}))).unwrap(), None);
        assert_eq!(out.report.count(IssueKind::NotNormalized), 0);
        for odd in [json!("forever"), json!("0"), json!("")] {
            assert_eq!(audit_days(&mut out, &root(&json!({"ConfigValue": odd}))).unwrap(), None);
        }
        assert_eq!(out.report.count(IssueKind::NotNormalized), 3);
    }

    #[test]
    fn running_parameters_by_name_and_no_list_is_unknown() {
        let mut out = Estate::default();
        let answer = json!({
            "ConfigParameters": {"DBInstanceParameter": [{"ParameterName": "log_duration", "ParameterValue": "on"}]},
            "RunningParameters": {"DBInstanceParameter": [
                {"ParameterName": "log_connections", "ParameterValue": "off"},
                {"ParameterName": "max_connections", "ParameterValue": 1000},
                {"ParameterName": "log_line_prefix", "ParameterValue": ""}]}});
        let parameters = running_parameters(&mut out, &root(&answer)).unwrap().unwrap();
        // The running value, not the one waiting to be applied (`ConfigParameters`).
        assert_eq!(
            Value::Object(parameters),
            json!({"log_connections": "off", "max_connections": "1000", "log_line_prefix": ""})
        );
        assert_eq!(running_parameters(&mut out, &root(&json!({"RequestId": "r"}))).unwrap(), None);
        assert_eq!(out.report.count(IssueKind::NotNormalized), 1);
    }

    #[test]
    fn editions_with_a_standby_are_ha() {
        assert!(!high_availability(&root(&json!({"Category": "Basic"}))).unwrap());
        assert!(high_availability(&root(&json!({"Category": "AlwaysOn"}))).unwrap());
        assert!(high_availability(&root(&json!({"Category": "Premium"}))).is_err());
    }
}
