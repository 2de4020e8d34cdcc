//! Host-security agents: `cwp.DescribeMachines` per region (asked with `MachineType` `CVM` and
//! `MachineRegion` the region), joined with `cvm.DescribeInstances`. A machine's agent status
//! is `AgentStatus` (`ONLINE` / `OFFLINE` / `UNINStALLED`, api.json's spelling) when the answer
//! has it, else `MachineStatus` (`ONLINE` / `OFFLINE` / `SHUTDOWN` / `UNINSTALLED`, the field
//! the published example carries); `SHUTDOWN` says the machine is off, not how its agent
//! stands, so it gives no status. Machines of the other zones (`MachineType` `BM`, `ECM`, `LH`,
//! `Other`: bare metal, edge, lightweight, hybrid cloud) are not CVM instances and join nothing.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::host_agent::{Agent, AgentCall, build as build_agents};
use crate::node::{FieldError, Node};

const CALL: AgentCall = AgentCall {
    instances: "cvm.DescribeInstances",
    instance_list: &["InstanceSet"],
    state: ("InstanceState", "RUNNING"),
    inventory: "cwp.DescribeMachines",
    inventory_global: false,
    inventory_list: &["Machines"],
    paging: &[],
    read,
    detail: None,
};

/// Normalizes the host-security agents of the instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    build_agents(answers, out, place, &CALL);
}

fn read(machine: &Node<'_>) -> Result<Option<Agent>, FieldError> {
    if machine.opt_str("MachineType")?.is_some_and(|kind| kind != "CVM") {
        return Ok(None);
    }
    let Some(instance_id) = machine.opt_str("InstanceId")?.filter(|id| !id.is_empty()) else { return Ok(None) };
    let state = match machine.opt_str("AgentStatus")? {
        Some(agent) => Some(agent),
        None => machine.opt_str("MachineStatus")?,
    };
    let status = state.and_then(|state| match state.to_ascii_uppercase().as_str() {
        "ONLINE" => Some("online"),
        "OFFLINE" => Some("offline"),
        "UNINSTALLED" => Some("not_installed"),
        _ => None,
    });
    let edition = machine.opt_str("ProtectType")?.map(|edition| match edition {
        "BASIC_VERSION" => "basic".to_owned(),
        "PRO_VERSION" => "pro".to_owned(),
        "Flagship" => "flagship".to_owned(),
        "GENERAL_DISCOUNT" => "lightweight".to_owned(),
        other => other.to_ascii_lowercase(),
    });
    Ok(Some(Agent {
        instance_id: instance_id.to_owned(),
        status,
        state: state.map(str::to_owned),
        edition,
        // A masked id (`3377add2-…-************` in the published example) is no id to act on.
        uuid: machine.opt_str("Quuid")?.filter(|uuid| !uuid.is_empty() && !uuid.contains('*')).map(str::to_owned),
    }))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn agent(value: serde_json::Value) -> Option<(Option<&'static str>, Option<String>)> {
        let node = Node::root(&value, Path::new("cwp.DescribeMachines.json"));
        read(&node).unwrap().map(|agent| (agent.status, agent.edition))
    }

    #[test]
    fn the_agent_status_comes_from_agent_status_else_machine_status() {
        let published = json!({"InstanceId": "ins-111", "MachineStatus": "ONLINE", "MachineType": "CVM", "ProtectType": "BASIC_VERSION"});
        assert_eq!(agent(published), Some((Some("online"), Some("basic".to_owned()))));
        let documented = json!({"InstanceId": "ins-1", "MachineStatus": "OFFLINE", "AgentStatus": "UNINStALLED", "ProtectType": "Flagship"});
        assert_eq!(agent(documented), Some((Some("not_installed"), Some("flagship".to_owned()))));
        let off = json!({"InstanceId": "ins-2", "MachineStatus": "SHUTDOWN", "MachineType": "CVM"});
        assert_eq!(agent(off), Some((None, None)));
        let hybrid = json!({"InstanceId": "", "MachineStatus": "UNINSTALLED", "MachineType": "Other"});
        assert_eq!(agent(hybrid), None);
        let lighthouse = json!({"InstanceId": "lhins-1", "MachineStatus": "UNINSTALLED", "MachineType": "LH"});
        assert_eq!(agent(lighthouse), None);
    }
}
