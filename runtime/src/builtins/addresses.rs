//! Which known places an address belongs to: the exact addresses of hosts and the ranges of
//! networks, indexed so a lookup never scans every asset.
//!
//! Ranges sit in one hash table per (family, prefix length) that occurs, keyed by the range
//! truncated to that length: an address is looked up by truncating it to each length in
//! turn, at most 33 probes for IPv4 and 129 for IPv6 whatever the number of ranges. An
//! IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is the IPv4 address it maps.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;

/// Addresses and ranges, each tagged with the item (e.g. a row number) it came from.
#[derive(Debug, Clone)]
pub struct AddressBook<T> {
    hosts: HashMap<IpAddr, Vec<T>>,
    /// `(is_ipv6, prefix length)` to truncated range to items, in insertion order.
    ranges: BTreeMap<(bool, u8), HashMap<IpNet, Vec<T>>>,
}

impl<T> Default for AddressBook<T> {
    fn default() -> Self {
        AddressBook { hosts: HashMap::new(), ranges: BTreeMap::new() }
    }
}

impl<T: Copy + Ord> AddressBook<T> {
    /// Records that `item` has the address `addr`.
    pub fn add_host(&mut self, addr: IpAddr, item: T) {
        self.hosts.entry(canonical(addr)).or_default().push(item);
    }

    /// Records that `item` covers the range `net` (host bits ignored).
    pub fn add_range(&mut self, net: IpNet, item: T) {
        let net = canonical_net(net);
        let key = (matches!(net, IpNet::V6(_)), net.prefix_len());
        self.ranges.entry(key).or_default().entry(net.trunc()).or_default().push(item);
    }

    /// The items that have exactly this address, in insertion order.
    pub fn hosts(&self, addr: IpAddr) -> &[T] {
        self.hosts.get(&canonical(addr)).map_or(&[], Vec::as_slice)
    }

    /// The items whose ranges contain `addr`, sorted and without repeats.
    pub fn ranges_containing(&self, addr: IpAddr) -> Vec<T> {
        let addr = canonical(addr);
        let v6 = addr.is_ipv6();
        let mut out: Vec<T> = self
            .ranges
            .range((v6, 0)..=(v6, u8::MAX))
            .filter_map(|(&(_, len), table)| IpNet::new(addr, len).ok().and_then(|net| table.get(&net.trunc())))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether some host has `addr` or some range contains it.
    pub fn knows(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        if self.hosts.contains_key(&addr) {
            return true;
        }
        let v6 = addr.is_ipv6();
        self.ranges
            .range((v6, 0)..=(v6, u8::MAX))
            .any(|(&(_, len), table)| IpNet::new(addr, len).is_ok_and(|net| table.contains_key(&net.trunc())))
    }
}

fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

fn canonical_net(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.addr().to_ipv4_mapped() {
            Some(v4) => IpNet::new(IpAddr::V4(v4), v6.prefix_len() - 96).unwrap_or(net),
            None => net,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("well-formed test data")
    }

    fn book() -> AddressBook<u32> {
        let mut b = AddressBook::default();
        b.add_range("10.0.0.0/8".parse().expect("well-formed test data"), 1);
        b.add_range("10.1.0.0/16".parse().expect("well-formed test data"), 2);
        b.add_range("203.0.113.7/24".parse().expect("well-formed test data"), 3);
        b.add_range("2001:db8::/32".parse().expect("well-formed test data"), 4);
        b.add_host(ip("198.51.100.5"), 7);
        b.add_host(ip("198.51.100.5"), 8);
        b
    }

    #[test]
    fn nested_ranges_all_contain_an_address() {
        assert_eq!(book().ranges_containing(ip("10.1.2.3")), vec![1, 2]);
        assert_eq!(book().ranges_containing(ip("10.2.0.1")), vec![1]);
        assert!(book().ranges_containing(ip("11.0.0.1")).is_empty());
    }

    #[test]
    fn host_bits_of_a_range_are_ignored() {
        assert_eq!(book().ranges_containing(ip("203.0.113.200")), vec![3]);
    }

    #[test]
    fn families_are_separate_but_mapped_addresses_are_ipv4() {
        assert_eq!(book().ranges_containing(ip("2001:db8::1")), vec![4]);
        assert!(book().ranges_containing(ip("::a00:1")).is_empty());
        assert_eq!(book().ranges_containing(ip("::ffff:10.1.0.1")), vec![1, 2]);
        assert_eq!(book().hosts(ip("::ffff:198.51.100.5")), &[7, 8]);
    }

    #[test]
    fn knows_hosts_and_ranges_only() {
        let b = book();
        assert!(b.knows(ip("198.51.100.5")));
        assert!(b.knows(ip("10.9.9.9")));
        assert!(!b.knows(ip("198.51.100.6")));
        assert!(!AddressBook::<u32>::default().knows(ip("10.0.0.1")));
    }
}
