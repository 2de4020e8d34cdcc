//! The `NetworkAcl` asset: a subnet-level (Tencent subnet, Alibaba vSwitch) stateless filter
//! whose inbound and outbound entries both clouds list in `vpc.DescribeNetworkAcls`. The clouds
//! spell an entry differently (Tencent `Action`/`CidrBlock`/`Ipv6CidrBlock`/`Port` `22` or
//! `10-20`/`Priority`; Alibaba `Policy`/`SourceCidrIp`/`DestinationCidrIp`/`Port` `22/22` and
//! list order), but evaluate it the same way, so one reader turns an entry into the snapshot's
//! `SgRule` record and keeps the evaluation order:
//! - entries are taken in order — Tencent `Priority` ascending (from 1; IPv4 and IPv6 entries are
//!   numbered apart, and their families never meet), Alibaba the list's own order (its
//!   "生效顺序": the answer carries no number) — and the first entry that matches decides;
//! - traffic no entry matches is dropped (Tencent's lowest-priority default entries drop all;
//!   an Alibaba ACL without entries drops all), which is the rules' implicit deny.
//!
//! A direction whose entries cannot all be read is left out (`ingress` / `egress` absent, the
//! type partial): an entry skipped could be the drop that closes a port, so a partial list
//! could read as open when it is not.

use crate::answers::Place;
use crate::estate::Estate;
use crate::net::{self, AddressProblem, SgRule};
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "NetworkAcl";

/// How one cloud spells the entries of one direction.
pub(crate) struct Spelling {
    /// The fields naming the peer range, tried in order (the first present one counts).
    pub(crate) peers: &'static [&'static str],
    /// The field holding `accept`/`drop` (any case; `allow`/`deny` too).
    pub(crate) action: &'static str,
    /// The field holding the evaluation order, when the cloud numbers entries; otherwise the
    /// list's order is the evaluation order.
    pub(crate) priority: Option<&'static str>,
    /// Reads a peer range (each cloud knows its own masking).
    pub(crate) cidr: fn(&str) -> Result<String, AddressProblem>,
}

/// The entries of one direction at `list` of `acl`, in evaluation order; `None` after reporting
/// (and marking the type partial) when the list is absent or one of its entries cannot be read.
pub(crate) fn entries(
    out: &mut Estate,
    place: &Place<'_>,
    acl: &Node<'_>,
    list: &[&str],
    spelling: &Spelling,
) -> Option<Vec<SgRule>> {
    let id = acl.opt_str("NetworkAclId").ok().flatten().unwrap_or("?");
    let Some(node) = acl.at(list) else {
        out.partial(
            place,
            KIND,
            format!("network ACL {id} has no `{}` list: that direction is left out", list.join(".")),
        );
        return None;
    };
    let mut rules = Vec::new();
    for (index, entry) in node.items().into_iter().enumerate() {
        match entry_rules(out, &entry, index, spelling) {
            Ok(more) => rules.extend(more),
            Err(err) => {
                out.not_normalized(err);
                out.partial(
                    place,
                    KIND,
                    format!(
                        "network ACL {id}: an entry of `{}` cannot be read: that direction is left out",
                        list.join(".")
                    ),
                );
                return None;
            }
        }
    }
    // Stable: entries of equal priority keep the answer's order.
    rules.sort_by_key(|rule| rule.priority);
    Some(rules)
}

/// One entry as snapshot rules: one per port range it names (a list `22,3389` gives several of
/// the same priority, in order); none for a protocol that carries no ports and is not ICMP
/// (GRE): it can neither open nor close a TCP or UDP port.
fn entry_rules(
    out: &mut Estate,
    entry: &Node<'_>,
    index: usize,
    spelling: &Spelling,
) -> Result<Vec<SgRule>, FieldError> {
    let protocol_text = entry.opt_str("Protocol")?.unwrap_or("all");
    let Some(protocol) = net::protocol(protocol_text) else {
        out.issue(
            IssueKind::NotNormalized,
            entry,
            format!("protocol `{protocol_text}` carries no ports: the entry is left out (it cannot open or close a TCP or UDP port)"),
        );
        return Ok(Vec::new());
    };
    let ports = if protocol == "tcp" || protocol == "udp" {
        let text = entry.opt_text("Port")?.unwrap_or_else(|| "all".to_owned());
        match net::port_ranges(&text) {
            Some(ports) => ports,
            None => return Err(entry.need("Port")?.expected("a port `22`, a range `10-20` / `1/200`, ALL or -1/-1")),
        }
    } else {
        vec![(0, 65535)]
    };
    let action_text = entry.str(spelling.action)?;
    let Some(action) = net::action(action_text) else {
        return Err(entry.need(spelling.action)?.expected("accept or drop"));
    };
    let priority = match spelling.priority {
        Some(field) => entry.opt_int(field)?,
        None => None,
    };
    let priority = priority.unwrap_or(i64::try_from(index).unwrap_or(i64::MAX - 1) + 1);
    let mut rule = SgRule {
        priority,
        protocol,
        port_from: 0,
        port_to: 65535,
        cidr: None,
        source_group_id: None,
        action,
        description: entry.opt_str("Description")?.map(str::to_owned),
        unresolved: None,
    };
    let peer = spelling.peers.iter().find_map(|field| entry.opt_str(field).transpose().map(|text| (*field, text)));
    let Some((field, text)) = peer else {
        return Err(entry.error(format!("expected a peer range (`{}`)", spelling.peers.join("` or `"))));
    };
    let text = text?;
    match (spelling.cidr)(text) {
        Ok(block) => rule.cidr = Some(block),
        Err(AddressProblem::Masked) => {
            out.issue(
                IssueKind::Masked,
                &entry.need(field)?,
                format!("the range `{text}` is masked: the entry matches no address"),
            );
            rule.unresolved = Some(format!("masked range {text}"));
        }
        Err(AddressProblem::Invalid) => return Err(entry.need(field)?.expected("a CIDR or an address")),
    }
    Ok(ports.into_iter().map(|(port_from, port_to)| SgRule { port_from, port_to, ..rule.clone() }).collect())
}

/// The `NetworkAcl` asset of one ACL record, without tags and resource name (each cloud's own).
/// `ingress` / `egress` are left out when `None` (not in the answer, or not all readable).
pub(crate) fn asset(
    place: &Place<'_>,
    acl: &Node<'_>,
    subnet_ids: Vec<String>,
    ingress: Option<Vec<SgRule>>,
    egress: Option<Vec<SgRule>>,
) -> Result<Asset, FieldError> {
    let id = acl.str("NetworkAclId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = acl.opt_str("NetworkAclName")?.map(str::to_owned);
    asset.set_some("vpc_id", acl.opt_str("VpcId")?);
    asset.set("subnet_ids", subnet_ids);
    for (field, rules) in [("ingress", ingress), ("egress", egress)] {
        if let Some(rules) = rules {
            asset.set(field, serde_json::to_value(rules).unwrap_or_default());
        }
    }
    Ok(asset)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::raw::Provider;

    const TENCENT: Spelling = Spelling {
        peers: &["CidrBlock", "Ipv6CidrBlock"],
        action: "Action",
        priority: Some("Priority"),
        cidr: net::cidr,
    };
    const ALIBABA: Spelling = Spelling { peers: &["SourceCidrIp"], action: "Policy", priority: None, cidr: net::cidr };

    fn read(value: serde_json::Value, spelling: &Spelling) -> Option<Vec<SgRule>> {
        let node = Node::root(&value, Path::new("vpc.DescribeNetworkAcls.json"));
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        entries(&mut Estate::default(), &place, &node, &["In"], spelling)
    }

    #[test]
    fn tencent_entries_are_ordered_by_priority_and_keep_ties_in_order() {
        let rules = read(
            json!({"NetworkAclId": "acl-1", "In": [
                {"Protocol": "TCP", "Port": "22", "CidrBlock": "0.0.0.0/0", "Action": "Accept", "Priority": 2},
                {"Protocol": "all", "Ipv6CidrBlock": "::/0", "Action": "Drop", "Priority": 1},
                {"Protocol": "tcp", "Port": "10-20", "CidrBlock": "10.0.0.1", "Action": "DROP", "Priority": 1},
                {"Protocol": "udp", "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT", "Priority": 3},
                {"Protocol": "GRE", "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT", "Priority": 4}
            ]}),
            &TENCENT,
        )
        .unwrap();
        let seen: Vec<_> = rules
            .iter()
            .map(|r| (r.priority, r.protocol, r.port_from, r.port_to, r.cidr.clone().unwrap(), r.action))
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, "all", 0, 65535, "::/0".to_owned(), "drop"),
                (1, "tcp", 10, 20, "10.0.0.1/32".to_owned(), "drop"),
                (2, "tcp", 22, 22, "0.0.0.0/0".to_owned(), "accept"),
                (3, "udp", 0, 65535, "0.0.0.0/0".to_owned(), "accept"),
            ]
        );
    }

    #[test]
    fn alibaba_entries_keep_list_order() {
        let rules = read(
            json!({"NetworkAclId": "nacl-1", "In": [
                {"Protocol": "tcp", "Port": "22/22", "SourceCidrIp": "0.0.0.0/0", "Policy": "drop"},
                {"Protocol": "all", "Port": "-1/-1", "SourceCidrIp": "0.0.0.0/0", "Policy": "accept"}
            ]}),
            &ALIBABA,
        )
        .unwrap();
        let seen: Vec<_> = rules.iter().map(|r| (r.priority, r.port_from, r.port_to, r.action)).collect();
        assert_eq!(seen, vec![(1, 22, 22, "drop"), (2, 0, 65535, "accept")]);
    }

    #[test]
    fn an_unreadable_entry_or_a_missing_list_leaves_the_direction_out() {
        let bad_port = json!({"NetworkAclId": "acl-1", "In": [
            {"Protocol": "tcp", "Port": "ssh", "CidrBlock": "0.0.0.0/0", "Action": "Drop", "Priority": 1},
            {"Protocol": "all", "CidrBlock": "0.0.0.0/0", "Action": "Accept", "Priority": 2}
        ]});
        assert_eq!(read(bad_port, &TENCENT), None);
        let no_peer = json!({"NetworkAclId": "acl-1", "In": [{"Protocol": "all", "Action": "Drop", "Priority": 1}]});
        assert_eq!(read(no_peer, &TENCENT), None);
        assert_eq!(read(json!({"NetworkAclId": "acl-1"}), &TENCENT), None);
        assert_eq!(read(json!({"NetworkAclId": "acl-1", "In": []}), &TENCENT), Some(Vec::new()));
    }
}
