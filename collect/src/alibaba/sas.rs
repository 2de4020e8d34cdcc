//! Host-security agents: `sas.DescribeCloudCenterInstances` (account-wide, asked with
//! `MachineTypes` `ecs`; every region's servers in one list) joined with each region's
//! `ecs.DescribeInstances`. An asset's agent status is `ClientSubStatus` `uninstalled` (not
//! installed) or `stopped` (the server is stopped: no agent status), else `ClientStatus`
//! `online` / `offline` / `pause`; its edition is `AuthVersion` (1 Free, 6 Anti-virus, 5
//! Advanced, 3 Enterprise, 7 Ultimate, 10 Value-added Plan). Assets whose `Vendor` is not 0
//! (other clouds, data centres, lightweight servers, SAE, PAI) are not ECS instances of the
//! account and join nothing. Each listed server's vulnerability-scan switches are
//! `sas.DescribeVulTargetConfig@Uuid=` (account-wide too).

use serde_json::{Value, json};

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::host_agent::{Agent, AgentCall, KIND, build as build_agents};
use crate::node::{FieldError, Node};
use crate::raw::GLOBAL;
use crate::snapshot::Asset;

use super::per;

const CALL: AgentCall = AgentCall {
    instances: "ecs.DescribeInstances",
    instance_list: &["Instances", "Instance"],
    state: ("Status", "Running"),
    inventory: "sas.DescribeCloudCenterInstances",
    inventory_global: true,
    inventory_list: &["Instances"],
    paging: &["PageInfo"],
    read,
    detail: Some(vul_scan),
};

const VUL_SCAN: &str = "sas.DescribeVulTargetConfig";

/// Normalizes the host-security agents of the instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    build_agents(answers, out, place, &CALL);
}

fn read(asset: &Node<'_>) -> Result<Option<Agent>, FieldError> {
    if asset.opt_int("Vendor")?.is_some_and(|vendor| vendor != 0) {
        return Ok(None);
    }
    let Some(instance_id) = asset.opt_str("InstanceId")?.filter(|id| !id.is_empty()) else { return Ok(None) };
    let client = asset.opt_str("ClientStatus")?;
    let sub = asset.opt_str("ClientSubStatus")?;
    let status = match (sub, client) {
        (Some("uninstalled"), _) => Some("not_installed"),
        (Some("stopped"), _) => None,
        (_, Some("online")) => Some("online"),
        (_, Some("offline")) => Some("offline"),
        (_, Some("pause")) => Some("paused"),
        _ => None,
    };
    let edition = asset.opt_int("AuthVersion")?.map(|version| match version {
        1 => "basic".to_owned(),
        6 => "anti_virus".to_owned(),
        5 => "advanced".to_owned(),
        3 => "enterprise".to_owned(),
        7 => "ultimate".to_owned(),
        10 => "value_added".to_owned(),
        other => other.to_string(),
    });
    Ok(Some(Agent {
        instance_id: instance_id.to_owned(),
        status,
        state: sub.or(client).map(str::to_owned),
        edition,
        // A masked id (`c9107c04-…-f1c1***`) is no id to act on.
        uuid: asset.opt_str("Uuid")?.filter(|uuid| !uuid.is_empty() && !uuid.contains('*')).map(str::to_owned),
    }))
}

/// A server's vulnerability-scan switches: each `TargetConfigs[]` entry's `Type`, its
/// account-wide switch `OverAllConfig` and the server's own `Config` (`on` / `off`). The call is
/// made without `Type` (optional in its parameter table) so that the answer lists every type.
/// An answer not saved or failed leaves `vul_scan` out (HostAgent partial).
fn vul_scan(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    uuid: &str,
    asset: &mut Asset,
) -> Result<(), FieldError> {
    let lookup = answers.lookup_for(&place.with_region(GLOBAL), VUL_SCAN, "Uuid", uuid);
    let Some(answer) = out.optional(place, KIND, &per(VUL_SCAN, "Uuid", uuid), &lookup, "vul_scan") else {
        return Ok(());
    };
    let mut switches = Vec::new();
    for config in answer.collection(&["TargetConfigs"])? {
        switches.push(json!({
            "vul_type": config.str("Type")?,
            "account_on": switch(&config, "OverAllConfig")?,
            "server_on": switch(&config, "Config")?,
        }));
    }
    asset.set("vul_scan", Value::Array(switches));
    Ok(())
}

/// `on` or `off`; any other value is an error naming the field.
fn switch(config: &Node<'_>, key: &str) -> Result<bool, FieldError> {
    match config.str(key)? {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(config.need(key)?.expected("`on` or `off`")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn agent(value: serde_json::Value) -> Option<(Option<&'static str>, Option<String>, Option<String>)> {
        let node = Node::root(&value, Path::new("sas.DescribeCloudCenterInstances.json"));
        read(&node).unwrap().map(|agent| (agent.status, agent.state, agent.edition))
    }

    #[test]
    fn the_sub_status_says_not_installed_and_other_vendors_join_nothing() {
        let online = json!({"InstanceId": "i-1", "ClientStatus": "online", "ClientSubStatus": "online", "AuthVersion": 1, "Vendor": 0});
        assert_eq!(agent(online), Some((Some("online"), Some("online".into()), Some("basic".into()))));
        let uninstalled =
            json!({"InstanceId": "i-2", "ClientStatus": "offline", "ClientSubStatus": "uninstalled", "AuthVersion": 5});
        assert_eq!(
            agent(uninstalled),
            Some((Some("not_installed"), Some("uninstalled".into()), Some("advanced".into())))
        );
        let paused = json!({"InstanceId": "i-3", "ClientStatus": "pause", "AuthVersion": 6});
        assert_eq!(agent(paused), Some((Some("paused"), Some("pause".into()), Some("anti_virus".into()))));
        let stopped = json!({"InstanceId": "i-4", "ClientStatus": "offline", "ClientSubStatus": "stopped"});
        assert_eq!(agent(stopped), Some((None, Some("stopped".into()), None)));
        let idc = json!({"InstanceId": "i-5", "ClientStatus": "offline", "Vendor": 2, "VendorName": "IDC"});
        assert_eq!(agent(idc), None);
    }
}
