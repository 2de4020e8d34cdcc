//! The `NatForwardRule` asset: one DNAT (port-forwarding) entry of an internet NAT gateway,
//! which publishes a private address and port on a public address of the gateway. Both clouds
//! spell an entry as protocol, public address and port, private address and port; the port of
//! an Alibaba "IP mapping" entry is `Any` (every port, protocol `Any`). One reader for what the
//! two normalizers share: the ports, the protocol, and the instance that owns the private
//! address, looked up by VPC and address in the region's instance answer (a private address
//! names an instance only within its VPC: two VPCs may both use `10.0.0.8`).

use std::collections::BTreeMap;

use crate::answers::{Lookup, Place};
use crate::estate::Estate;
use crate::net::AddressProblem;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "NatForwardRule";

/// One DNAT entry, as each cloud's answer reads into it.
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) nat_gateway_id: String,
    /// Alibaba's DNAT table (`ForwardTableId`); Tencent has none.
    pub(crate) forward_table_id: Option<String>,
    pub(crate) vpc_id: Option<String>,
    /// `tcp`, `udp` or `any`.
    pub(crate) protocol: &'static str,
    /// `None` when the address was masked.
    pub(crate) public_ip: Option<String>,
    /// `None`: every port.
    pub(crate) public_ports: Option<(u16, u16)>,
    pub(crate) private_ip: Option<String>,
    pub(crate) private_ports: Option<(u16, u16)>,
}

/// The region's instances by (VPC, private address).
#[derive(Default)]
pub(crate) struct Owners(BTreeMap<(String, String), Vec<String>>);

impl Owners {
    pub(crate) fn add(&mut self, vpc: &str, ip: &str, instance: &str) {
        let owners = self.0.entry((vpc.to_owned(), ip.to_owned())).or_default();
        if !owners.iter().any(|known| known == instance) {
            owners.push(instance.to_owned());
        }
    }

    /// The one instance holding `ip` in `vpc`; none when no instance, or more than one, does.
    fn owner(&self, vpc: &str, ip: &str) -> Option<&str> {
        match self.0.get(&(vpc.to_owned(), ip.to_owned())).map(Vec::as_slice) {
            Some([only]) => Some(only),
            _ => None,
        }
    }
}

/// The region's instances by VPC and private address from the instance answer (its own
/// normalizer reports what it cannot read), or `None` when it was not saved or failed.
pub(crate) fn owners(lookup: &Lookup<'_>, collection: &[&str], vpc: &[&str], ips: &[&str], id: &str) -> Option<Owners> {
    if !lookup.is_found() {
        return None;
    }
    let mut owners = Owners::default();
    for instance in lookup.items(collection).unwrap_or_default() {
        let vpc_id = instance.at(vpc).and_then(|node| node.value.as_str().map(str::to_owned));
        let (Some(vpc_id), Ok(id)) = (vpc_id.filter(|v| !v.is_empty()), instance.str(id)) else { continue };
        for ip in instance.list(ips) {
            if let Some(ip) = ip.value.as_str().and_then(|text| text.trim().parse::<std::net::IpAddr>().ok()) {
                owners.add(&vpc_id, &ip.to_string(), id);
            }
        }
    }
    Some(owners)
}

/// The protocol of an entry (`TCP`, `udp`, `Any`); `None` for anything else.
pub(crate) fn protocol(text: &str) -> Option<&'static str> {
    match text.trim().to_ascii_lowercase().as_str() {
        "tcp" => Some("tcp"),
        "udp" => Some("udp"),
        "any" | "all" => Some("any"),
        _ => None,
    }
}

/// A port field: a number (Tencent), a string `80`, a range `10/20` or `10-20`, or `Any`
/// (every port, `Ok(None)`).
pub(crate) fn ports(entry: &Node<'_>, key: &str) -> Result<Option<(u16, u16)>, FieldError> {
    let field = entry.need(key)?;
    let bad = || field.expected("a port 1-65535, a range `from/to` or `Any`");
    let port = |text: &str| text.trim().parse::<u16>().ok().filter(|port| *port > 0);
    if let Some(number) = field.value.as_u64() {
        let port = u16::try_from(number).ok().filter(|port| *port > 0).ok_or_else(bad)?;
        return Ok(Some((port, port)));
    }
    let text = field.as_str()?.trim();
    if text.eq_ignore_ascii_case("any") {
        return Ok(None);
    }
    let (from, to) = match text.split_once(['/', '-']) {
        Some((from, to)) => (port(from).ok_or_else(bad)?, port(to).ok_or_else(bad)?),
        None => {
            let port = port(text).ok_or_else(bad)?;
            (port, port)
        }
    };
    if from > to {
        return Err(bad());
    }
    Ok(Some((from, to)))
}

/// An address field read by `read` (each cloud's masking); a masked one is reported and `None`.
pub(crate) fn address(
    out: &mut Estate,
    entry: &Node<'_>,
    key: &str,
    read: fn(&str) -> Result<String, AddressProblem>,
) -> Result<Option<String>, FieldError> {
    let field = entry.need(key)?;
    let text = field.as_str()?;
    match read(text) {
        Ok(ip) => Ok(Some(ip)),
        Err(AddressProblem::Masked) => {
            out.issue(IssueKind::Masked, &field, format!("the address `{text}` is masked: left out"));
            Ok(None)
        }
        Err(AddressProblem::Invalid) => Err(field.expected("an IP address")),
    }
}

/// The `NatForwardRule` asset of one entry, without tags and resource name (each cloud's own);
/// `instance_id` names the instance holding the private address in the entry's VPC when the
/// instance answer was read (`owners`) and one instance does.
pub(crate) fn asset(place: &Place<'_>, entry: Entry, owners: Option<&Owners>) -> Asset {
    let mut asset = Asset::new(KIND, &entry.id, place.provider, place.account, place.asset_region());
    asset.name = entry.name.filter(|name| !name.trim().is_empty());
    asset.set("nat_gateway_id", entry.nat_gateway_id);
    asset.set_some("forward_table_id", entry.forward_table_id);
    asset.set("protocol", entry.protocol);
    asset.set_some("public_ip", entry.public_ip);
    if let Some((from, to)) = entry.public_ports {
        asset.set("public_port_from", from);
        asset.set("public_port_to", to);
    }
    if let Some((from, to)) = entry.private_ports {
        asset.set("private_port_from", from);
        asset.set("private_port_to", to);
    }
    let owner = match (owners, &entry.vpc_id, &entry.private_ip) {
        (Some(owners), Some(vpc), Some(ip)) => owners.owner(vpc, ip).map(str::to_owned),
        _ => None,
    };
    asset.set_some("vpc_id", entry.vpc_id);
    asset.set_some("private_ip", entry.private_ip);
    asset.set_some("instance_id", owner);
    asset
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::raw::Provider;

    #[test]
    fn ports_read_numbers_strings_ranges_and_any() {
        let read = |value: serde_json::Value| {
            let record = json!({ "Port": value });
            let node = Node::root(&record, Path::new("a.json"));
            ports(&node, "Port").map_err(|err| err.to_string())
        };
        assert_eq!(read(json!(8989)), Ok(Some((8989, 8989))));
        assert_eq!(read(json!("80")), Ok(Some((80, 80))));
        assert_eq!(read(json!("10/20")), Ok(Some((10, 20))));
        assert_eq!(read(json!("Any")), Ok(None));
        assert_eq!(read(json!("any")), Ok(None));
        assert!(read(json!("20/10")).is_err());
        assert!(read(json!(0)).is_err());
        assert!(read(json!("http")).is_err());
        assert_eq!(protocol("TCP"), Some("tcp"));
        assert_eq!(protocol("Any"), Some("any"));
        assert_eq!(protocol("icmp"), None);
    }

    #[test]
    fn the_private_address_names_an_instance_only_in_the_entry_vpc() {
        let mut owners = Owners::default();
        owners.add("vpc-a", "10.0.0.8", "ins-a");
        owners.add("vpc-b", "10.0.0.8", "ins-b");
        owners.add("vpc-a", "10.0.0.9", "ins-c");
        owners.add("vpc-a", "10.0.0.9", "ins-d");
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        let entry = |vpc: &str, ip: &str| Entry {
            id: format!("nat-1/tcp/1.2.3.4:{ip}"),
            name: None,
            nat_gateway_id: "nat-1".into(),
            forward_table_id: None,
            vpc_id: Some(vpc.into()),
            protocol: "tcp",
            public_ip: Some("1.2.3.4".into()),
            public_ports: Some((2222, 2222)),
            private_ip: Some(ip.into()),
            private_ports: Some((22, 22)),
        };
        let owner = |asset: Asset| asset.fields.get("instance_id").cloned();
        assert_eq!(owner(asset(&place, entry("vpc-a", "10.0.0.8"), Some(&owners))), Some(json!("ins-a")));
        assert_eq!(owner(asset(&place, entry("vpc-b", "10.0.0.8"), Some(&owners))), Some(json!("ins-b")));
        assert_eq!(owner(asset(&place, entry("vpc-c", "10.0.0.8"), Some(&owners))), None);
        assert_eq!(owner(asset(&place, entry("vpc-a", "10.0.0.9"), Some(&owners))), None, "two owners: none");
        let a = asset(&place, entry("vpc-a", "10.0.0.8"), None);
        assert_eq!(
            serde_json::to_value(&a.fields).unwrap(),
            json!({"nat_gateway_id": "nat-1", "protocol": "tcp", "public_ip": "1.2.3.4", "public_port_from": 2222,
                   "public_port_to": 2222, "private_port_from": 22, "private_port_to": 22, "vpc_id": "vpc-a",
                   "private_ip": "10.0.0.8"})
        );
    }
}
