//! Security groups: `ecs.DescribeSecurityGroups` lists them, one
//! `ecs.DescribeSecurityGroupAttribute@SecurityGroupId=` answer per group (its pages merged)
//! gives the rules. Alibaba Cloud evaluates rules by `Priority` (1–100, 1 first), and among
//! rules of equal priority a drop prevails over an accept. A prefix list is resolved from its
//! `ecs.DescribePrefixListAttributes@PrefixListId=` answer; one not saved leaves its rule
//! unresolved (matching no address), reported.

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::net::{self, AddressProblem, SgRule};
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{cidr, listed, per, resource_name, tags};
use crate::estate::more_pages;

const KIND: &str = "SecurityGroup";
const RULES: &str = "ecs.DescribeSecurityGroupAttribute";
const PREFIX_LIST: &str = "ecs.DescribePrefixListAttributes";

/// Normalizes the security groups of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for group in listed(answers, out, place, KIND, "ecs.DescribeSecurityGroups", &["SecurityGroups", "SecurityGroup"]) {
        if let Err(err) = group_asset(answers, out, place, &group) {
            out.not_normalized(err);
        }
    }
}

fn group_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, group: &Node<'_>) -> Result<(), FieldError> {
    let id = group.str("SecurityGroupId")?;
    let call = per(RULES, "SecurityGroupId", id);
    let lookup = answers.lookup_for(place, RULES, "SecurityGroupId", id);
    let Some(first) = out.detail(place, KIND, group, &call, &lookup) else { return Ok(()) };
    let permissions = lookup.items(&["Permissions", "Permission"])?;
    if let Lookup::Found(pages) = &lookup
        && let Some(why) = pages.last().and_then(|page| more_pages(page, permissions.len()))
    {
        // Missing rules could hide an accept as well as a drop: no partial rule list is shown.
        let why = format!("{call}: {why}: the pages after it were not saved");
        out.issue(IssueKind::Incomplete, &first, format!("{KIND} left out: {why}"));
        out.partial(place, KIND, why);
        return Ok(());
    }
    let (mut ingress, mut egress) = (Vec::new(), Vec::new());
    for permission in permissions {
        match permission.str("Direction")? {
            "ingress" => ingress.extend(rules(answers, out, place, &permission, "Source")?),
            "egress" => egress.extend(rules(answers, out, place, &permission, "Dest")?),
            _ => return Err(permission.need("Direction")?.expected("ingress or egress")),
        }
    }
    evaluation_order(&mut ingress);
    evaluation_order(&mut egress);
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = group.opt_str("SecurityGroupName")?.map(str::to_owned);
    asset.tags = tags(out, group)?;
    asset.resource_name = Some(resource_name("ecs", place, &format!("securitygroup/{id}")));
    asset.set("ingress", serde_json::to_value(ingress).unwrap_or_default());
    asset.set("egress", serde_json::to_value(egress).unwrap_or_default());
    out.add_asset(asset, group);
    Ok(())
}

/// Priority first (lower first); among equal priorities drops before accepts; otherwise the
/// order of the answer (the sort is stable).
fn evaluation_order(rules: &mut [SgRule]) {
    rules.sort_by_key(|rule| (rule.priority, rule.action != "drop"));
}

/// The peer a rule names.
enum Peer {
    Cidr(String),
    Group(String),
    /// A prefix list or a masked address: matches no address.
    Unresolved(String),
}

/// One permission as snapshot rules: one per peer it names (`SourceCidrIp`, `Ipv6SourceCidrIp`,
/// `SourceGroupId`, `SourcePrefixListId`, or the `Dest…` fields for egress). A real rule names
/// one; vendor examples fill them all, and each is kept.
fn rules(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    permission: &Node<'_>,
    side: &str,
) -> Result<Vec<SgRule>, FieldError> {
    let priority = permission.int("Priority")?;
    let action_text = permission.str("Policy")?;
    let action = net::action(action_text)
        .ok_or_else(|| permission.error(format!("expected Accept or Drop, found `{action_text}`")))?;
    let protocol_text = permission.str("IpProtocol")?;
    let Some(protocol) = net::protocol(protocol_text) else {
        let message = format!(
            "protocol `{protocol_text}` carries no ports: the rule is left out (it cannot open a TCP or UDP port)"
        );
        out.issue(IssueKind::NotNormalized, permission, message);
        return Ok(Vec::new());
    };
    let mut unresolved = Vec::new();
    // ICMP and `ALL` match every port (`-1/-1`).
    let ports = if protocol != "tcp" && protocol != "udp" {
        vec![(0, 65535)]
    } else {
        match (permission.opt_str("PortRange")?, permission.opt_str("PortRangeListId")?) {
            (Some(text), _) => net::port_ranges(text)
                .ok_or_else(|| permission.error(format!("expected a port range `22/22` or `-1/-1`, found `{text}`")))?,
            (None, Some(list)) => {
                unresolved.push(format!("port list {list}"));
                vec![(0, 65535)]
            }
            (None, None) => return Err(permission.error("expected `PortRange` or `PortRangeListId`")),
        }
    };
    let description = permission.opt_str("Description")?.map(str::to_owned);
    let mut rules = Vec::new();
    for peer in peers(answers, out, place, permission, side)? {
        let mut unresolved = unresolved.clone();
        let (cidr, source_group_id) = match peer {
            Peer::Cidr(cidr) => (Some(cidr), None),
            Peer::Group(group) => (None, Some(group)),
            Peer::Unresolved(what) => {
                unresolved.push(what);
                (None, None)
            }
        };
        let unresolved = (!unresolved.is_empty()).then(|| unresolved.join("; "));
        for &(port_from, port_to) in &ports {
            rules.push(SgRule {
                priority,
                protocol,
                port_from,
                port_to,
                cidr: if unresolved.is_some() { None } else { cidr.clone() },
                source_group_id: source_group_id.clone(),
                action,
                description: description.clone(),
                unresolved: unresolved.clone(),
            });
        }
    }
    Ok(rules)
}

/// The peers a permission names on its `side` (`Source` for ingress, `Dest` for egress).
fn peers(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    permission: &Node<'_>,
    side: &str,
) -> Result<Vec<Peer>, FieldError> {
    let mut peers = Vec::new();
    for key in [format!("{side}CidrIp"), format!("Ipv6{side}CidrIp")] {
        let Some(text) = permission.opt_str(&key)? else { continue };
        match cidr(text) {
            Ok(cidr) => peers.push(Peer::Cidr(cidr)),
            Err(AddressProblem::Masked) => {
                let message = format!("the address `{text}` is masked: the rule matches no address");
                out.issue(IssueKind::Masked, permission, message);
                peers.push(Peer::Unresolved(format!("masked address {text}")));
            }
            Err(AddressProblem::Invalid) => return Err(permission.need(&key)?.expected("a CIDR or an address")),
        }
    }
    if let Some(group) = permission.opt_str(&format!("{side}GroupId"))? {
        peers.push(Peer::Group(group.to_owned()));
    }
    if let Some(list) = permission.opt_str(&format!("{side}PrefixListId"))? {
        if let Some(cidrs) = prefix_list(answers, out, place, list)? {
            peers.extend(cidrs.into_iter().map(Peer::Cidr));
            return Ok(peers);
        }
        let what = format!("prefix list {list}");
        let message = format!("{what} is not resolved from the saved answers: the rule matches no address");
        out.issue(IssueKind::Unresolved, permission, message);
        out.partial(place, KIND, format!("{what} not resolved"));
        peers.push(Peer::Unresolved(what));
    }
    if peers.is_empty() {
        return Err(permission
            .error(format!("expected one of {side}CidrIp, Ipv6{side}CidrIp, {side}GroupId or {side}PrefixListId")));
    }
    Ok(peers)
}

/// The ranges of a prefix list, from its saved answer; `None` when it was not saved or one of
/// its entries is masked (reported): the rule then matches no address.
fn prefix_list(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    id: &str,
) -> Result<Option<Vec<String>>, FieldError> {
    let lookup = answers.lookup_for(place, PREFIX_LIST, "PrefixListId", id);
    let Some(answer) = lookup.first() else { return Ok(None) };
    let mut cidrs = Vec::new();
    for entry in answer.list(&["Entries", "Entry"]) {
        let range = entry.need("Cidr")?;
        match cidr(range.as_str()?) {
            Ok(range) => cidrs.push(range),
            Err(AddressProblem::Masked) => {
                out.issue(
                    IssueKind::Masked,
                    &range,
                    format!("a masked entry of prefix list {id}: the list is left unresolved"),
                );
                return Ok(None);
            }
            Err(AddressProblem::Invalid) => return Err(range.expected("a CIDR")),
        }
    }
    Ok(Some(cidrs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(priority: i64, action: &'static str, port: u16) -> SgRule {
        SgRule {
            priority,
            protocol: "tcp",
            port_from: port,
            port_to: port,
            cidr: Some("0.0.0.0/0".to_owned()),
            source_group_id: None,
            action,
            description: None,
            unresolved: None,
        }
    }

    #[test]
    fn lower_priority_first_and_drops_first_among_equals() {
        let mut rules = vec![
            rule(2, "accept", 1),
            rule(1, "accept", 2),
            rule(1, "drop", 3),
            rule(1, "accept", 4),
            rule(1, "drop", 5),
        ];
        evaluation_order(&mut rules);
        let order: Vec<(i64, &str, u16)> = rules.iter().map(|r| (r.priority, r.action, r.port_from)).collect();
        assert_eq!(order, [(1, "drop", 3), (1, "drop", 5), (1, "accept", 2), (1, "accept", 4), (2, "accept", 1)]);
    }
}
