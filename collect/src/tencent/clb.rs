//! Load balancers (the network pack's `LoadBalancer` type): `clb.DescribeLoadBalancers` per
//! region, each completed by its listeners (`clb.DescribeListeners`) and backends
//! (`clb.DescribeTargets`). A CLB filters sources with the security groups bound to it
//! (`SecureGroups`); without any, every source reaches its listeners.

use ipnet::IpNet;
use serde_json::{Value, json};

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::net::SgRule;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{masked, per, resource_name, tags, vpc};

const KIND: &str = "LoadBalancer";
const LIST: &str = "clb.DescribeLoadBalancers";

/// Normalizes the load balancers of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    let balancers = out.items(place, KIND, LIST, &listed, &["LoadBalancerSet"]);
    for balancer in balancers {
        if let Err(err) = balancer_asset(answers, out, place, &balancer) {
            out.not_normalized(err);
        }
    }
}

fn balancer_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    balancer: &Node<'_>,
) -> Result<(), FieldError> {
    let id = balancer.str("LoadBalancerId")?;
    if masked(id) {
        out.issue(IssueKind::Masked, balancer, format!("the load balancer id `{id}` is masked: left out"));
        out.partial(place, KIND, format!("{LIST}: the id `{id}` is masked"));
        return Ok(());
    }
    let mut answers_of = |action: &str| {
        let call = format!("clb.{action}");
        let lookup = answers.lookup_for(place, &call, "LoadBalancerId", id);
        out.detail(place, KIND, balancer, &per(&call, "LoadBalancerId", id), &lookup)
    };
    let Some(listeners) = answers_of("DescribeListeners") else { return Ok(()) };
    let Some(targets) = answers_of("DescribeTargets") else { return Ok(()) };
    let group_ids = balancer.strings(&["SecureGroups"])?;
    let mut rules = Vec::new();
    for group in &group_ids {
        let Some(ingress) = vpc::ingress(answers, out, place, KIND, balancer, group)? else { return Ok(()) };
        rules.extend(ingress);
    }
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = balancer.opt_str("LoadBalancerName")?.map(str::to_owned);
    asset.tags = tags(out, balancer, "Tags")?;
    asset.resource_name = Some(resource_name(place, "clb", &format!("clb/{id}")));
    asset.set("internet_facing", balancer.str("LoadBalancerType")? == "OPEN");
    let filter = (!group_ids.is_empty()).then_some(rules.as_slice());
    asset.set("listeners", listener_records(&listeners, filter)?);
    asset.set("backend_instance_ids", backends(&targets)?);
    asset.set("security_group_ids", group_ids);
    let logged = balancer.opt_str("LogSetId")?.is_some() && balancer.opt_str("LogTopicId")?.is_some();
    asset.set("access_logging", logged);
    out.add_asset(asset, balancer);
    Ok(())
}

/// The listeners as the pack's `Listener` record; `filter` is the bound groups' ingress rules
/// (`None`: no group bound, every source admitted).
fn listener_records(answer: &Node<'_>, filter: Option<&[SgRule]>) -> Result<Vec<Value>, FieldError> {
    let mut records = Vec::new();
    for listener in answer.collection(&["Listeners"])? {
        let protocol = match listener.str("Protocol")? {
            "TCP" => "tcp",
            "UDP" => "udp",
            "HTTP" => "http",
            "HTTPS" => "https",
            // TLS over TCP, and QUIC over UDP: what reaches the backend is the transport's.
            "TCP_SSL" => "tcp",
            "QUIC" => "udp",
            _ => return Err(listener.need("Protocol")?.expected("TCP, UDP, HTTP, HTTPS, TCP_SSL or QUIC")),
        };
        let port = listener.int("Port")?;
        let mut record = json!({"protocol": protocol, "port": port});
        // A port range listener (`EndPort` > 0) listens on `port..=end_port`.
        if let Some(end) = listener.opt_int("EndPort")?.filter(|end| *end > port) {
            record["end_port"] = json!(end);
        }
        if let Some(rules) = filter {
            let transport = if protocol == "udp" { "udp" } else { "tcp" };
            let Ok(port) = u16::try_from(port) else { return Err(listener.need("Port")?.expected("a port")) };
            record["allowlist"] = json!(admitted(rules, transport, port));
        }
        records.push(record);
    }
    Ok(records)
}

/// The ranges whose traffic to `transport`/`port` the rules accept, first match wins: an
/// accepted range already covered by an earlier matching drop is not admitted. Rules naming a
/// peer group or an unresolved template admit no internet range.
fn admitted(rules: &[SgRule], transport: &str, port: u16) -> Vec<String> {
    let mut dropped: Vec<IpNet> = Vec::new();
    let mut accepted = Vec::new();
    for rule in rules {
        let matches =
            (rule.protocol == "all" || rule.protocol == transport) && (rule.port_from..=rule.port_to).contains(&port);
        let Some(net) = rule.cidr.as_deref().and_then(|cidr| cidr.parse::<IpNet>().ok()).filter(|_| matches) else {
            continue;
        };
        if rule.action == "drop" {
            dropped.push(net);
        } else if !dropped.iter().any(|drop| drop.contains(&net)) && !accepted.contains(&net.to_string()) {
            accepted.push(net.to_string());
        }
    }
    accepted
}

/// The instances behind any listener or forwarding rule, sorted and without repeats.
fn backends(answer: &Node<'_>) -> Result<Vec<String>, FieldError> {
    let mut ids = Vec::new();
    for listener in answer.collection(&["Listeners"])? {
        let rule_targets = listener.list(&["Rules"]).into_iter().flat_map(|rule| rule.list(&["Targets"]));
        for target in listener.list(&["Targets"]).into_iter().chain(rule_targets) {
            // CVM instances only: ENI, CCN and other targets are not `Instance` assets.
            if target.opt_str("Type")?.is_some_and(|kind| kind.eq_ignore_ascii_case("cvm"))
                && let Some(id) = target.opt_str("InstanceId")?
            {
                ids.push(id.to_owned());
            }
        }
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(priority: i64, protocol: &'static str, ports: (u16, u16), cidr: &str, action: &'static str) -> SgRule {
        SgRule {
            priority,
            protocol,
            port_from: ports.0,
            port_to: ports.1,
            cidr: Some(cidr.to_owned()),
            source_group_id: None,
            action,
            description: None,
            unresolved: None,
        }
    }

    #[test]
    fn the_first_matching_rule_decides_what_a_listener_admits() {
        let rules = [
            rule(0, "tcp", (22, 22), "0.0.0.0/0", "drop"),
            rule(1, "all", (0, 65535), "0.0.0.0/0", "accept"),
            rule(2, "tcp", (22, 22), "198.51.100.0/24", "accept"),
        ];
        assert!(admitted(&rules, "tcp", 22).is_empty());
        assert_eq!(admitted(&rules, "tcp", 443), vec!["0.0.0.0/0".to_owned()]);
        let office = [rule(0, "tcp", (22, 22), "198.51.100.0/24", "accept")];
        assert_eq!(admitted(&office, "tcp", 22), vec!["198.51.100.0/24".to_owned()]);
        assert!(admitted(&office, "udp", 22).is_empty());
    }
}
