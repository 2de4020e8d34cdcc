//! Classic load balancers (`LoadBalancer`, the type the network pack declares):
//! `slb.DescribeLoadBalancers` per region, each balancer's listeners and backends from
//! `slb.DescribeLoadBalancerAttribute@LoadBalancerId=`, each listener's access control from the
//! region's `slb.DescribeLoadBalancerListeners` and the entries of its whitelist from
//! `slb.DescribeAccessControlListAttribute@AclId=`.

use serde_json::{Value, json};

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::net::AddressProblem;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{cidr, listed, per, resource_name, tags};

const KIND: &str = "LoadBalancer";
const LISTENERS: &str = "slb.DescribeLoadBalancerListeners";

/// Normalizes the load balancers of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let balancers = listed(answers, out, place, KIND, "slb.DescribeLoadBalancers", &["LoadBalancers", "LoadBalancer"]);
    if balancers.is_empty() {
        return;
    }
    let listeners = answers.lookup(place, LISTENERS);
    for balancer in balancers {
        if let Err(err) = balancer_asset(answers, out, place, &listeners, &balancer) {
            out.not_normalized(err);
        }
    }
}

fn balancer_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    listeners: &Lookup<'_>,
    balancer: &Node<'_>,
) -> Result<(), FieldError> {
    let id = balancer.str("LoadBalancerId")?;
    let call = "slb.DescribeLoadBalancerAttribute";
    let lookup = answers.lookup_for(place, call, "LoadBalancerId", id);
    let Some(attribute) = out.detail(place, KIND, balancer, &per(call, "LoadBalancerId", id), &lookup) else {
        return Ok(());
    };
    let internet_facing = match balancer.str("AddressType")? {
        "internet" => true,
        "intranet" => false,
        _ => return Err(balancer.need("AddressType")?.expected("internet or intranet")),
    };
    let mut front = Vec::new();
    for port in attribute.list(&["ListenerPortsAndProtocol", "ListenerPortAndProtocol"]) {
        match listener(answers, out, place, listeners, balancer, id, &port)? {
            Some(listener) => front.push(listener),
            None => return Ok(()),
        }
    }
    let mut backends = Vec::new();
    for server in attribute.list(&["BackendServers", "BackendServer"]) {
        // `eni` and `eci` backends are network interfaces and containers, not instances.
        if server.opt_str("Type")?.is_none_or(|kind| kind == "ecs") {
            backends.push(server.str("ServerId")?.to_owned());
        }
    }
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = balancer.opt_str("LoadBalancerName")?.map(str::to_owned);
    asset.tags = tags(out, balancer)?;
    asset.resource_name = Some(resource_name("slb", place, &format!("loadbalancer/{id}")));
    asset.set("internet_facing", internet_facing);
    asset.set("listeners", front);
    asset.set("backend_instance_ids", backends);
    out.add_asset(asset, balancer);
    Ok(())
}

/// One listener with the ranges its access control admits; `None` after reporting when its
/// access control is not known (the balancer is left out: a missing whitelist would read as
/// open to everyone).
fn listener(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    listeners: &Lookup<'_>,
    balancer: &Node<'_>,
    id: &str,
    port: &Node<'_>,
) -> Result<Option<Value>, FieldError> {
    let number = port.int("ListenerPort")?;
    let protocol = match port.str("ListenerProtocol")?.to_ascii_lowercase().as_str() {
        protocol @ ("tcp" | "udp" | "http" | "https") => protocol.to_owned(),
        _ => return Err(port.need("ListenerProtocol")?.expected("tcp, udp, http or https")),
    };
    if out.detail(place, KIND, balancer, LISTENERS, listeners).is_none() {
        return Ok(None);
    }
    let mut found = None;
    for entry in listeners.items(&["Listeners"])? {
        if entry.str("LoadBalancerId")? == id && entry.int("ListenerPort")? == number {
            found = Some(entry);
        }
    }
    let Some(entry) = found else {
        let why = format!("{LISTENERS} does not list the listener {protocol}/{number} of {id}");
        out.issue(IssueKind::Incomplete, balancer, format!("{KIND} left out: {why}"));
        out.partial(place, KIND, why);
        return Ok(None);
    };
    let mut listener = json!({"protocol": protocol, "port": number});
    if entry.str("AclStatus")? == "on" && entry.str("AclType")? == "white" {
        let acl = entry.str("AclId")?;
        let call = "slb.DescribeAccessControlListAttribute";
        let lookup = answers.lookup_for(place, call, "AclId", acl);
        let Some(answer) = out.detail(place, KIND, balancer, &per(call, "AclId", acl), &lookup) else {
            return Ok(None);
        };
        let allowlist = whitelist(out, &answer)?;
        // An empty whitelist forwards every request (SLB listener documentation).
        if !allowlist.is_empty() {
            listener["allowlist"] = json!(allowlist);
        }
    }
    // Access control off, or a blacklist (which admits every source it does not name): no
    // allowlist, every source admitted.
    Ok(Some(listener))
}

/// The ranges of a whitelist; masked entries are reported and left out.
fn whitelist(out: &mut Estate, answer: &Node<'_>) -> Result<Vec<String>, FieldError> {
    let mut cidrs = Vec::new();
    for entry in answer.list(&["AclEntrys", "AclEntry"]) {
        let address = entry.need("AclEntryIP")?;
        match cidr(address.as_str()?) {
            Ok(cidr) => cidrs.push(cidr),
            Err(AddressProblem::Masked) => out.issue(IssueKind::Masked, &address, "a masked whitelist entry: left out"),
            Err(AddressProblem::Invalid) => return Err(address.expected("an address or a CIDR")),
        }
    }
    Ok(cidrs)
}
