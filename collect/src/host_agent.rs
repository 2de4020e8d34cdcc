//! The `HostAgent` asset: the host-security agent of each cloud instance, from the agent
//! inventory of the cloud's host protection (Tencent Cloud Workload Protection's
//! `cwp.DescribeMachines`) joined by instance id with the region's instance answer. One reader
//! for the join, so what "not installed" means cannot drift between clouds:
//!
//! - no asset at all where the inventory was not saved or failed (an instance is only "without
//!   agent" when the inventory was collected);
//! - an instance the inventory lists takes its status from there;
//! - an instance the inventory does not list is `not_installed` when every page of the
//!   inventory was saved, and of unknown status (no `agent_status`, no `listed`) when not;
//! - inventory machines that are not cloud instances of this provider (other clouds, data
//!   centres, edge or lightweight servers) join nothing.

use std::collections::BTreeMap;

use crate::answers::{Answers, Lookup, Place};
use crate::estate::{Estate, more_pages};
use crate::node::{FieldError, Node};
use crate::raw::GLOBAL;
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "HostAgent";

/// One machine of the agent inventory, reduced to what `HostAgent` needs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Agent {
    /// The cloud instance it is.
    pub(crate) instance_id: String,
    /// `online`, `offline`, `paused` or `not_installed`; `None` when the answer does not say
    /// (a powered-off machine, a value rulec does not know).
    pub(crate) status: Option<&'static str>,
    /// The status as the answer gives it.
    pub(crate) state: Option<String>,
    /// The protection edition, normalized (`basic`, `pro`, ...).
    pub(crate) edition: Option<String>,
    /// The machine's id in the agent service.
    pub(crate) uuid: Option<String>,
}

/// Where one cloud keeps its instances and its agent inventory, and how to read them.
pub(crate) struct AgentCall {
    /// The instance list call, `service.Action`.
    pub(crate) instances: &'static str,
    /// Its list of instances.
    pub(crate) instance_list: &'static [&'static str],
    /// The instance record's state field, and the value that means running.
    pub(crate) state: (&'static str, &'static str),
    /// The agent inventory call.
    pub(crate) inventory: &'static str,
    /// Whether it is account-wide (saved under `global/`, every region's machines in one list).
    pub(crate) inventory_global: bool,
    /// Its list of machines.
    pub(crate) inventory_list: &'static [&'static str],
    /// Where its paging fields are (`[]`: beside the list; Alibaba's `PageInfo`).
    pub(crate) paging: &'static [&'static str],
    /// Reads one machine: `Ok(None)` for one that is not a cloud instance of this provider.
    pub(crate) read: fn(&Node<'_>) -> Result<Option<Agent>, FieldError>,
    /// Completes the asset of a listed machine that has an id in the agent service from that
    /// service's per-machine answers (Alibaba's vulnerability-scan switches); `None` where the
    /// cloud's are not read.
    pub(crate) detail: Option<Detail>,
}

/// Completes one agent's asset from the per-machine answers of the agent service, given the
/// machine's id there (`Agent::uuid`).
pub(crate) type Detail = fn(&Answers, &mut Estate, &Place<'_>, &str, &mut Asset) -> Result<(), FieldError>;

/// Builds a `HostAgent` for every instance of the region's instance answer when the region's
/// agent inventory was saved.
pub(crate) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>, call: &AgentCall) {
    let at = if call.inventory_global { place.with_region(GLOBAL) } else { *place };
    let inventory = answers.lookup(&at, call.inventory);
    let instances = answers.lookup(place, call.instances);
    // Not collected without the inventory, nor without the instances it is joined with (an
    // account-wide inventory beside a region folder holding no instance answer).
    let missing = if inventory.is_found() { (call.instances, &instances) } else { (call.inventory, &inventory) };
    out.cover(place, KIND, missing.0, missing.1);
    if !inventory.is_found() || !instances.is_found() {
        return;
    }
    let machines = out.items(place, KIND, call.inventory, &inventory, call.inventory_list);
    let complete = match follows(&inventory, call.paging, machines.len()) {
        Some(why) => {
            if !call.paging.is_empty() {
                // `items` only looks beside the list; here the totals sit elsewhere.
                out.partial(place, KIND, format!("{}: {why}: the pages after it were not saved", call.inventory));
            }
            false
        }
        None => true,
    };
    let mut agents = BTreeMap::new();
    for machine in &machines {
        match (call.read)(machine) {
            Ok(Some(agent)) => {
                agents.insert(agent.instance_id.clone(), agent);
            }
            Ok(None) => {}
            Err(err) => out.not_normalized(err),
        }
    }
    for instance in instances.items(call.instance_list).unwrap_or_default() {
        if let Err(err) = agent_asset(answers, out, place, call, &instance, &agents, complete) {
            out.not_normalized(err);
        }
    }
}

/// Why the last saved page of the inventory says more pages follow it, if it does.
fn follows(lookup: &Lookup<'_>, paging: &[&str], saved: usize) -> Option<String> {
    match lookup {
        Lookup::Found(pages) => pages.last().and_then(|page| page.at(paging)).and_then(|page| more_pages(&page, saved)),
        _ => Some("not saved".to_owned()),
    }
}

fn agent_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    call: &AgentCall,
    instance: &Node<'_>,
    agents: &BTreeMap<String, Agent>,
    complete: bool,
) -> Result<(), FieldError> {
    let id = instance.str("InstanceId")?;
    let (field, running) = call.state;
    let state = instance.str(field)?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.set("instance_id", id);
    asset.set("instance_running", state == running);
    match agents.get(id) {
        Some(agent) => {
            asset.set("listed", true);
            asset.set_some("agent_status", agent.status);
            asset.set_some("agent_state", agent.state.clone());
            asset.set_some("edition", agent.edition.clone());
            asset.set_some("agent_uuid", agent.uuid.clone());
            if let (Some(detail), Some(uuid)) = (call.detail, &agent.uuid) {
                detail(answers, out, place, uuid, &mut asset)?;
            }
        }
        None if complete => {
            asset.set("listed", false);
            asset.set("agent_status", "not_installed");
        }
        None => {}
    }
    out.add_asset(asset, instance);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;
    use crate::raw::Provider;

    fn read(machine: &Node<'_>) -> Result<Option<Agent>, FieldError> {
        if machine.opt_str("MachineType")? != Some("CVM") {
            return Ok(None);
        }
        Ok(Some(Agent {
            instance_id: machine.str("InstanceId")?.to_owned(),
            status: Some("online"),
            state: Some("ONLINE".to_owned()),
            edition: None,
            uuid: None,
        }))
    }

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

    fn fields(instances: &Value, inventory: &Value) -> Vec<Value> {
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        let instances = Node::root(instances, Path::new("cvm.DescribeInstances.json"));
        let inventory = Node::root(inventory, Path::new("cwp.DescribeMachines.json"));
        let machines = inventory.collection(&["Machines"]).unwrap();
        let complete = follows(&Lookup::Found(vec![inventory.clone()]), &[], machines.len()).is_none();
        let agents: BTreeMap<String, Agent> =
            machines.iter().filter_map(|m| read(m).unwrap()).map(|agent| (agent.instance_id.clone(), agent)).collect();
        let mut out = Estate::default();
        for instance in instances.collection(&["InstanceSet"]).unwrap() {
            agent_asset(&Answers::default(), &mut out, &place, &CALL, &instance, &agents, complete).unwrap();
        }
        let (snapshot, _) = out.finish("2026-11-20T08:00:00Z".to_owned());
        snapshot.assets.iter().map(|asset| serde_json::to_value(&asset.fields).unwrap()).collect()
    }

    #[test]
    fn listed_instances_take_their_status_and_unlisted_ones_depend_on_completeness() {
        let instances = json!({"InstanceSet": [
            {"InstanceId": "ins-a", "InstanceState": "RUNNING"},
            {"InstanceId": "ins-b", "InstanceState": "STOPPED"}
        ]});
        let complete = json!({"Machines": [
            {"InstanceId": "ins-a", "MachineType": "CVM"},
            {"InstanceId": "ins-b", "MachineType": "Other"}
        ], "TotalCount": 2});
        assert_eq!(
            fields(&instances, &complete),
            vec![
                json!({"instance_id": "ins-a", "instance_running": true, "listed": true,
                       "agent_status": "online", "agent_state": "ONLINE"}),
                json!({"instance_id": "ins-b", "instance_running": false, "listed": false,
                       "agent_status": "not_installed"}),
            ]
        );
        let partial = json!({"Machines": [{"InstanceId": "ins-a", "MachineType": "CVM"}], "TotalCount": 192});
        assert_eq!(fields(&instances, &partial)[1], json!({"instance_id": "ins-b", "instance_running": false}));
    }
}
