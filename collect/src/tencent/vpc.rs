//! Security groups: `vpc.DescribeSecurityGroups` lists them, one
//! `vpc.DescribeSecurityGroupPolicies@SecurityGroupId=` answer per group gives the rules in
//! `PolicyIndex` order; address and service templates are resolved from their own answers when
//! saved, else the rule is kept as unresolved (matching no address) and reported.

use std::collections::BTreeMap;

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::net::{self, AddressProblem, SgRule};
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{resource_name, tags};

const KIND: &str = "SecurityGroup";

/// A protocol and its port ranges, as a service template entry gives them.
type Service = (&'static str, Vec<(u16, u16)>);

/// Normalizes the security groups of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "vpc.DescribeSecurityGroups");
    out.cover(place, KIND, "vpc.DescribeSecurityGroups", &listed);
    let groups = out.items(place, KIND, "vpc.DescribeSecurityGroups", &listed, &["SecurityGroupSet"]);
    let templates = Templates::read(answers, place, out);
    for group in groups {
        if let Err(err) = group_asset(answers, out, place, &templates, &group) {
            out.not_normalized(err);
        }
    }
}

fn group_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    templates: &Templates,
    group: &Node<'_>,
) -> Result<(), FieldError> {
    let id = group.str("SecurityGroupId")?;
    let call = format!("vpc.DescribeSecurityGroupPolicies@SecurityGroupId={id}");
    let lookup = answers.lookup_for(place, "vpc.DescribeSecurityGroupPolicies", "SecurityGroupId", id);
    let Some(policies) = out.detail(place, KIND, group, &call, &lookup) else { return Ok(()) };
    let set = policies.need("SecurityGroupPolicySet")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = group.opt_str("SecurityGroupName")?.map(str::to_owned);
    asset.tags = tags(out, group, "TagSet")?;
    asset.resource_name = Some(resource_name(place, "cvm", &format!("sg/{id}")));
    for (field, direction) in [("ingress", "Ingress"), ("egress", "Egress")] {
        let rules = direction_rules(out, place, templates, &set, direction);
        asset.set(field, serde_json::to_value(rules).unwrap_or_default());
    }
    if let Some(default) = group.opt_flag("IsDefault")? {
        asset.set("is_default", default);
    }
    out.add_asset(asset, group);
    Ok(())
}

/// The rules of one direction (`Ingress`, `Egress`) in evaluation order.
fn direction_rules(
    out: &mut Estate,
    place: &Place<'_>,
    templates: &Templates,
    set: &Node<'_>,
    direction: &str,
) -> Vec<SgRule> {
    let mut rules = Vec::new();
    for policy in set.list(&[direction]) {
        match policy_rules(out, place, templates, &policy) {
            Ok(more) => rules.extend(more),
            Err(err) => out.not_normalized(err),
        }
    }
    rules.sort_by_key(|rule| rule.priority);
    rules
}

/// The ingress rules of a security group that filters traffic to another asset (`kind`, e.g. a
/// load balancer's groups), in evaluation order; `None` after reporting when the group's rules
/// were not saved.
pub(super) fn ingress(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    kind: &'static str,
    at: &Node<'_>,
    group_id: &str,
) -> Result<Option<Vec<SgRule>>, FieldError> {
    let call = format!("vpc.DescribeSecurityGroupPolicies@SecurityGroupId={group_id}");
    let lookup = answers.lookup_for(place, "vpc.DescribeSecurityGroupPolicies", "SecurityGroupId", group_id);
    let Some(policies) = out.detail(place, kind, at, &call, &lookup) else { return Ok(None) };
    let set = policies.need("SecurityGroupPolicySet")?;
    let templates = Templates::read(answers, place, out);
    Ok(Some(direction_rules(out, place, &templates, &set, "Ingress")))
}

/// One Tencent policy entry as snapshot rules: a port list or several template addresses
/// become several rules of the same priority, in order.
fn policy_rules(
    out: &mut Estate,
    place: &Place<'_>,
    templates: &Templates,
    policy: &Node<'_>,
) -> Result<Vec<SgRule>, FieldError> {
    let priority = policy.int("PolicyIndex")?;
    let action_text = policy.str("Action")?;
    let action = net::action(action_text)
        .ok_or_else(|| policy.need("Action").map(|n| n.expected("ACCEPT or DROP")).unwrap_or_else(|e| e))?;
    let description = policy.opt_str("PolicyDescription")?.map(str::to_owned);
    let mut unresolved = Vec::new();

    // What: protocol and ports, from the rule or its service template.
    let services: Vec<Service> = match service_template(policy)? {
        Some(template) => match templates.services(&template) {
            Some(services) => services,
            None => {
                let what = format!("service template {template}");
                out.issue(IssueKind::Unresolved, policy, format!("{what} is not in a saved vpc.DescribeServiceTemplates / DescribeServiceTemplateGroups answer: the rule matches no address"));
                out.partial(place, KIND, format!("{what} not resolved"));
                unresolved.push(what);
                vec![("all", vec![(0, 65535)])]
            }
        },
        None => {
            let protocol_text = policy.opt_str("Protocol")?.unwrap_or("ALL");
            let Some(protocol) = net::protocol(protocol_text) else {
                out.issue(IssueKind::NotNormalized, policy, format!("protocol `{protocol_text}` carries no ports: the rule is left out (it cannot open a TCP or UDP port)"));
                return Ok(Vec::new());
            };
            let port_text = policy.opt_str("Port")?.unwrap_or("ALL");
            let ports = if protocol == "tcp" || protocol == "udp" {
                net::port_ranges(port_text).ok_or_else(|| {
                    policy
                        .need("Port")
                        .map(|n| n.expected("a port, a list `22,3389`, a range `80-90` or ALL"))
                        .unwrap_or_else(|e| e)
                })?
            } else {
                vec![(0, 65535)]
            };
            vec![(protocol, ports)]
        }
    };

    // Who: a range, a peer group, or an address template.
    let mut peers: Vec<Peer> = Vec::new();
    if let Some(text) = policy.opt_str("CidrBlock")?.or(policy.opt_str("Ipv6CidrBlock")?) {
        match net::cidr(text) {
            Ok(cidr) => peers.push(Peer::Cidr(cidr)),
            Err(AddressProblem::Masked) => {
                out.issue(
                    IssueKind::Masked,
                    policy,
                    format!("the address `{text}` is masked: the rule matches no address"),
                );
                peers.push(Peer::Unresolved);
                unresolved.push(format!("masked address {text}"));
            }
            Err(AddressProblem::Invalid) => return Err(policy.error(format!("expected a CIDR, found `{text}`"))),
        }
    } else if let Some(group) = policy.opt_str("SecurityGroupId")? {
        peers.push(Peer::Group(group.to_owned()));
    } else if let Some(template) = address_template(policy)? {
        match templates.addresses(&template) {
            Some(cidrs) => peers.extend(cidrs.into_iter().map(Peer::Cidr)),
            None => {
                let what = format!("address template {template}");
                out.issue(IssueKind::Unresolved, policy, format!("{what} is not in a saved vpc.DescribeAddressTemplates / DescribeAddressTemplateGroups answer: the rule matches no address"));
                out.partial(place, KIND, format!("{what} not resolved"));
                unresolved.push(what);
                peers.push(Peer::Unresolved);
            }
        }
    } else {
        return Err(policy.error("expected one of CidrBlock, Ipv6CidrBlock, SecurityGroupId or AddressTemplate"));
    }

    let unresolved = (!unresolved.is_empty()).then(|| unresolved.join("; "));
    let mut rules = Vec::new();
    for peer in &peers {
        for (protocol, ports) in &services {
            for &(port_from, port_to) in ports {
                let (cidr, source_group_id) = match peer {
                    Peer::Cidr(cidr) => (Some(cidr.clone()), None),
                    Peer::Group(group) => (None, Some(group.clone())),
                    Peer::Unresolved => (None, None),
                };
                rules.push(SgRule {
                    priority,
                    protocol,
                    port_from,
                    port_to,
                    cidr: if unresolved.is_some() { None } else { cidr },
                    source_group_id,
                    action,
                    description: description.clone(),
                    unresolved: unresolved.clone(),
                });
            }
        }
    }
    Ok(rules)
}

enum Peer {
    Cidr(String),
    Group(String),
    Unresolved,
}

/// The `AddressTemplate` a rule names (an address or a group of them), if any.
fn address_template(policy: &Node<'_>) -> Result<Option<String>, FieldError> {
    let Some(template) = policy.get("AddressTemplate") else { return Ok(None) };
    Ok(template.opt_str("AddressId")?.or(template.opt_str("AddressGroupId")?).map(str::to_owned))
}

/// The `ServiceTemplate` a rule names, if any.
fn service_template(policy: &Node<'_>) -> Result<Option<String>, FieldError> {
    let Some(template) = policy.get("ServiceTemplate") else { return Ok(None) };
    Ok(template.opt_str("ServiceId")?.or(template.opt_str("ServiceGroupId")?).map(str::to_owned))
}

/// The address and service templates (and groups of them) saved for a region.
#[derive(Default)]
struct Templates {
    addresses: BTreeMap<String, Vec<String>>,
    address_groups: BTreeMap<String, Vec<String>>,
    services: BTreeMap<String, Vec<Service>>,
    service_groups: BTreeMap<String, Vec<String>>,
}

impl Templates {
    fn read(answers: &Answers, place: &Place<'_>, out: &mut Estate) -> Templates {
        let mut templates = Templates::default();
        let mut read =
            |call: &str, collection: &str, each: &mut dyn FnMut(&Node<'_>, &mut Estate) -> Result<(), FieldError>| {
                match answers.lookup(place, call).items(&[collection]) {
                    Ok(items) => {
                        for item in items {
                            if let Err(err) = each(&item, out) {
                                out.not_normalized(err);
                            }
                        }
                    }
                    Err(err) => out.not_normalized(err),
                }
            };
        read("vpc.DescribeAddressTemplates", "AddressTemplateSet", &mut |item, out| {
            let mut cidrs = Vec::new();
            for entry in item.list(&["AddressSet"]) {
                let text = entry.as_str()?;
                match net::address_entry(text) {
                    Ok(nets) => cidrs.extend(nets),
                    Err(AddressProblem::Masked) => out.issue(
                        IssueKind::Masked,
                        &entry,
                        format!("the address `{text}` is masked: left out of the template"),
                    ),
                    Err(AddressProblem::Invalid) => return Err(entry.expected("an address, a CIDR or a range a-b")),
                }
            }
            templates.addresses.insert(item.str("AddressTemplateId")?.to_owned(), cidrs);
            Ok(())
        });
        read("vpc.DescribeAddressTemplateGroups", "AddressTemplateGroupSet", &mut |item, _| {
            templates
                .address_groups
                .insert(item.str("AddressTemplateGroupId")?.to_owned(), item.strings(&["AddressTemplateIdSet"])?);
            Ok(())
        });
        read("vpc.DescribeServiceTemplates", "ServiceTemplateSet", &mut |item, _| {
            let mut services = Vec::new();
            for entry in item.list(&["ServiceSet"]) {
                services.push(service_entry(&entry)?);
            }
            templates.services.insert(item.str("ServiceTemplateId")?.to_owned(), services);
            Ok(())
        });
        read("vpc.DescribeServiceTemplateGroups", "ServiceTemplateGroupSet", &mut |item, _| {
            templates
                .service_groups
                .insert(item.str("ServiceTemplateGroupId")?.to_owned(), item.strings(&["ServiceTemplateIdSet"])?);
            Ok(())
        });
        templates
    }

    fn addresses(&self, id: &str) -> Option<Vec<String>> {
        resolve(&self.addresses, &self.address_groups, id)
    }

    fn services(&self, id: &str) -> Option<Vec<Service>> {
        resolve(&self.services, &self.service_groups, id)
    }
}

/// A template's entries, or a template group's (all its members'); `None` when the template or
/// a member was not saved.
fn resolve<T: Clone>(
    templates: &BTreeMap<String, Vec<T>>,
    groups: &BTreeMap<String, Vec<String>>,
    id: &str,
) -> Option<Vec<T>> {
    if let Some(entries) = templates.get(id) {
        return Some(entries.clone());
    }
    let mut entries = Vec::new();
    for member in groups.get(id)? {
        entries.extend(templates.get(member)?.iter().cloned());
    }
    Some(entries)
}

/// A service template entry: `tcp:80`, `udp:53,54`, `tcp:8000-8080`, `icmp`, `ALL`.
fn service_entry(entry: &Node<'_>) -> Result<Service, FieldError> {
    let text = entry.as_str()?;
    let (protocol, ports) = text.split_once(':').unwrap_or((text, "ALL"));
    let protocol =
        net::protocol(protocol).ok_or_else(|| entry.expected("a service `tcp:80`, `udp:53`, `icmp` or `ALL`"))?;
    let ports = if protocol == "tcp" || protocol == "udp" {
        net::port_ranges(ports).ok_or_else(|| entry.expected("a service `tcp:80`, `udp:53`, `icmp` or `ALL`"))?
    } else {
        vec![(0, 65535)]
    };
    Ok((protocol, ports))
}
