//! Addresses and security-group rules as both clouds spell them, read into the snapshot's
//! `SgRule` record. Vendor-masked values (`10.10.**.**`) are told apart from malformed ones.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;

/// The snapshot's `SgRule` record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SgRule {
    pub priority: i64,
    pub protocol: &'static str,
    pub port_from: u16,
    pub port_to: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_group_id: Option<String>,
    pub action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the rule refers to that RAW does not resolve (an address or service template, a
    /// prefix list): the rule matches no address, so it never reads as open to the world.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unresolved: Option<String>,
}

/// The addresses of a list field (one-or-many); masked ones are reported and left out.
pub fn ips(out: &mut Estate, node: &Node<'_>, keys: &[&str]) -> Result<Vec<String>, FieldError> {
    let mut found = Vec::new();
    for item in node.list(keys) {
        let text = item.as_str()?;
        match ip(text) {
            Ok(ip) => found.push(ip),
            Err(AddressProblem::Masked) => {
                out.issue(IssueKind::Masked, &item, format!("the address `{text}` is masked: left out"))
            }
            Err(AddressProblem::Invalid) => return Err(item.expected("an IP address")),
        }
    }
    Ok(found)
}

/// The ranges an allowlist's entries admit, each read by `read` (an address, a CIDR, a
/// cloud's wildcard form), once each; masked entries are reported and left out, anything else
/// unreadable fails as not `expected`.
pub fn allowlist_ranges(
    out: &mut Estate,
    list: &Node<'_>,
    read: fn(&str) -> Result<String, AddressProblem>,
    expected: &str,
) -> Result<Vec<String>, FieldError> {
    let mut ranges = Vec::new();
    for entry in list.collection(&[])? {
        let text = entry.as_str()?;
        match read(text) {
            Ok(block) if !ranges.contains(&block) => ranges.push(block),
            Ok(_) => {}
            Err(AddressProblem::Masked) => {
                out.issue(IssueKind::Masked, &entry, format!("the allowlist entry `{text}` is masked: left out"));
            }
            Err(AddressProblem::Invalid) => return Err(entry.expected(expected)),
        }
    }
    Ok(ranges)
}

/// Why an address could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum AddressProblem {
    /// Masked in a vendor example: report, do not fail.
    Masked,
    Invalid,
}

/// Whether a value was masked by the vendor (`AKID***`, `10.10.**.**`, `LTAI****`).
pub fn is_masked(text: &str) -> bool {
    text.contains("**")
}

/// A CIDR or a bare address (a /32 or /128), as the snapshot writes it.
pub fn cidr(text: &str) -> Result<String, AddressProblem> {
    let text = text.trim();
    if is_masked(text) {
        return Err(AddressProblem::Masked);
    }
    if let Ok(net) = text.parse::<IpNet>() {
        // `192.128.8.8/17` (host bits set, as in Tencent's own example) is the network.
        return Ok(net.trunc().to_string());
    }
    match text.parse::<IpAddr>() {
        Ok(ip) => Ok(IpNet::from(ip).to_string()),
        Err(_) => Err(AddressProblem::Invalid),
    }
}

/// A single address.
pub fn ip(text: &str) -> Result<String, AddressProblem> {
    let text = text.trim();
    if is_masked(text) {
        return Err(AddressProblem::Masked);
    }
    text.parse::<IpAddr>().map(|ip| ip.to_string()).map_err(|_| AddressProblem::Invalid)
}

/// An address entry of a template: a CIDR, an address or a range `a-b` (as the fewest CIDRs
/// covering it).
pub fn address_entry(text: &str) -> Result<Vec<String>, AddressProblem> {
    if let Some((start, end)) = text.split_once('-') {
        let (Ok(start), Ok(end)) = (start.trim().parse::<IpAddr>(), end.trim().parse::<IpAddr>()) else {
            return Err(if is_masked(text) { AddressProblem::Masked } else { AddressProblem::Invalid });
        };
        let nets: Vec<String> = match (start, end) {
            (IpAddr::V4(start), IpAddr::V4(end)) if start <= end => {
                ipnet::Ipv4Subnets::new(start, end, 0).map(|net| net.to_string()).collect()
            }
            (IpAddr::V6(start), IpAddr::V6(end)) if start <= end => {
                ipnet::Ipv6Subnets::new(start, end, 0).map(|net| net.to_string()).collect()
            }
            _ => return Err(AddressProblem::Invalid),
        };
        return Ok(nets);
    }
    cidr(text).map(|net| vec![net])
}

/// Port ranges from Tencent's `Port` (`22`, `22,3389`, `80-90`, `ALL`) or Alibaba's
/// `PortRange` (`22/22`, `-1/-1`, `1/65535`); `None` is malformed.
pub fn port_ranges(text: &str) -> Option<Vec<(u16, u16)>> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("all") || text == "-1/-1" || text == "-1" {
        return Some(vec![(0, 65535)]);
    }
    let mut ranges = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let (from, to) = match part.split_once(['-', '/']) {
            Some((from, to)) => (from.trim().parse().ok()?, to.trim().parse().ok()?),
            None => {
                let port = part.parse().ok()?;
                (port, port)
            }
        };
        if from > to {
            return None;
        }
        ranges.push((from, to));
    }
    Some(ranges)
}

/// The snapshot protocol for a vendor's (`TCP`, `udp`, `ALL`, `ICMP`, `ICMPv6`, `-1`); `None`
/// for protocols that carry no ports and are not ICMP (GRE): such a rule can open no port.
pub fn protocol(text: &str) -> Option<&'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "tcp" => Some("tcp"),
        "udp" => Some("udp"),
        "icmp" | "icmpv6" => Some("icmp"),
        "all" | "-1" | "" => Some("all"),
        _ => None,
    }
}

/// `accept` / `drop` from `ACCEPT`, `Accept`, `allow`, `DROP`, `Drop`, `deny`.
pub fn action(text: &str) -> Option<&'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "accept" | "allow" => Some("accept"),
        "drop" | "deny" | "reject" => Some("drop"),
        _ => None,
    }
}

/// Adds the entries of a comma-separated allowlist (Alibaba RDS `SecurityIPList`, Redis and
/// MongoDB `SecurityIpList`) to `cidrs`, each once: an entry in `any` is any address
/// (`0.0.0.0/0`), a masked entry is reported and left out.
pub(crate) fn add_allowlist(
    out: &mut Estate,
    list: &Node<'_>,
    any: &[&str],
    cidr: fn(&str) -> Result<String, AddressProblem>,
    cidrs: &mut Vec<String>,
) -> Result<(), FieldError> {
    for entry in list.as_str()?.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
        let block = if any.contains(&entry) {
            "0.0.0.0/0".to_owned()
        } else {
            match cidr(entry) {
                Ok(block) => block,
                Err(AddressProblem::Masked) => {
                    out.issue(IssueKind::Masked, list, format!("the allowlist entry `{entry}` is masked: left out"));
                    continue;
                }
                Err(AddressProblem::Invalid) => return Err(list.expected("comma-separated addresses and CIDRs")),
            }
        };
        if !cidrs.contains(&block) {
            cidrs.push(block);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_as_both_clouds_write_them() {
        assert_eq!(port_ranges("22"), Some(vec![(22, 22)]));
        assert_eq!(port_ranges("22,3389"), Some(vec![(22, 22), (3389, 3389)]));
        assert_eq!(port_ranges("80-90"), Some(vec![(80, 90)]));
        assert_eq!(port_ranges("ALL"), Some(vec![(0, 65535)]));
        assert_eq!(port_ranges("22/22"), Some(vec![(22, 22)]));
        assert_eq!(port_ranges("-1/-1"), Some(vec![(0, 65535)]));
        assert_eq!(port_ranges("90-80"), None);
        assert_eq!(port_ranges("ssh"), None);
    }

    #[test]
    fn addresses_masks_and_ranges() {
        assert_eq!(cidr("0.0.0.0/0"), Ok("0.0.0.0/0".to_owned()));
        assert_eq!(cidr("10.0.0.1"), Ok("10.0.0.1/32".to_owned()));
        assert_eq!(cidr("::/0"), Ok("::/0".to_owned()));
        assert_eq!(cidr("192.128.8.8/17"), Ok("192.128.0.0/17".to_owned()));
        assert_eq!(cidr("10.10.**.**"), Err(AddressProblem::Masked));
        assert_eq!(cidr("10.0.0.300"), Err(AddressProblem::Invalid));
        assert_eq!(address_entry("10.0.0.0-10.0.0.3"), Ok(vec!["10.0.0.0/30".to_owned()]));
        assert_eq!(address_entry("10.0.0.1-10.0.0.2").unwrap().len(), 2);
        assert_eq!(protocol("ICMPv6"), Some("icmp"));
        assert_eq!(protocol("GRE"), None);
        assert_eq!(action("Accept"), Some("accept"));
    }
}
