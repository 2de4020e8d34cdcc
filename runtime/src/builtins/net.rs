//! Network builtins: private addresses, security-group first-match exposure and internet
//! reachability (spec: the doc comments of `stdlib-rules/net.rule`).
//!
//! They run natively because first-match over port ranges is easy to get subtly wrong in rule
//! code and slow when swept port by port; here every question is answered per port *segment*.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// The ports a question can be about; port 0 is no destination, so it never counts as open.
const PORT_MIN: i64 = 1;
const PORT_MAX: i64 = 65535;

/// One world range per family: world questions are judged per family, so an IPv4 drop never
/// closes an IPv6 accept.
const WORLD_V4: IpNet = IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::UNSPECIFIED, 0));
const WORLD_V6: IpNet = IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 0));
const WORLDS: [IpNet; 2] = [WORLD_V4, WORLD_V6];

/// A rule's protocol, or the protocol a question asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    All,
}

/// Which list of a group a question reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SgAction {
    Accept,
    Drop,
}

/// One security-group rule as in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SgRule {
    pub priority: i64,
    pub protocol: Protocol,
    pub port_from: i64,
    pub port_to: i64,
    pub cidr: Option<IpNet>,
    /// Kept so the model mirrors the snapshot; it never matches an address source, because which
    /// addresses a group stands for is not knowable from the rule.
    pub source_group_id: Option<String>,
    pub action: SgAction,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityGroup {
    pub ingress: Vec<SgRule>,
    pub egress: Vec<SgRule>,
}

impl SecurityGroup {
    /// The functions below take a rule list so the evaluator can pass borrowed lists; this maps
    /// `sg_allows`'s `direction` argument onto one.
    pub fn rules(&self, direction: Direction) -> &[SgRule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// A run of ports `from..=to` open to the world for `protocol` (`Tcp` or `Udp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    pub protocol: Protocol,
    pub from: i64,
    pub to: i64,
}

impl SgRule {
    /// Alibaba writes "every port" as `-1/-1`; read literally it would match no port and make an
    /// `accept all` rule silently inert.
    fn ports(&self) -> (i64, i64) {
        if (self.port_from, self.port_to) == (-1, -1) { (0, PORT_MAX) } else { (self.port_from, self.port_to) }
    }

    /// A rule only speaks for a source it covers entirely: a drop of one address must not close
    /// a port to the whole world. `contains` is false across families.
    fn matches(&self, source: &IpNet, protocol: Protocol, port: i64) -> bool {
        let (from, to) = self.ports();
        self.cidr.is_some_and(|cidr| cidr.contains(source))
            && (self.protocol == protocol || self.protocol == Protocol::All)
            && (from..=to).contains(&port)
    }
}

/// The first-match decision for one source, one concrete protocol (`Tcp`/`Udp`) and one port.
/// Taking the minimum instead of sorting leaves the input untouched and allocates nothing;
/// `min_by_key` keeps the first of equal priorities, which is the list-order tiebreak.
fn accepts(rules: &[SgRule], source: &IpNet, protocol: Protocol, port: i64) -> bool {
    rules
        .iter()
        .filter(|rule| rule.matches(source, protocol, port))
        .min_by_key(|rule| rule.priority)
        .is_some_and(|rule| rule.action == SgAction::Accept)
}

/// Whether `addr` is a non-internet address (net.rule's list: RFC 1918, 100.64.0.0/10,
/// loopback, link-local, IPv6 unique local). A mapped `::ffff:a.b.c.d` is an IPv4 address in
/// IPv6 clothing, so it is judged as that address.
pub fn is_private(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_private_v4(v4),
            None => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
        },
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    let shared = a == 100 && (b & 0xc0) == 64;
    v4.is_private() || v4.is_loopback() || v4.is_link_local() || shared
}

/// Whether `net` is a world range (prefix length 0), whatever its written address bits.
pub fn is_world(net: &IpNet) -> bool {
    net.prefix_len() == 0
}

/// `sg_allows` over one rule list (pick it with [`SecurityGroup::rules`]): true when some range
/// of `sources` is accepted for `protocol` on `port` under first-match order.
///
/// `Icmp` is always false (icmp never opens a port). `All` asks "is every protocol open": true
/// when, for one same source, both TCP and UDP are accepted on `port` — an `all` accept that a
/// tcp-only drop narrows is not all-open.
pub fn sg_allows(rules: &[SgRule], sources: &[IpNet], protocol: Protocol, port: i64) -> bool {
    sources.iter().any(|source| match protocol {
        Protocol::Tcp | Protocol::Udp => accepts(rules, source, protocol, port),
        Protocol::All => accepts(rules, source, Protocol::Tcp, port) && accepts(rules, source, Protocol::Udp, port),
        Protocol::Icmp => false,
    })
}

/// The ports `1..=65535` cut where any rule's port test changes (at each `port_from` and
/// `port_to + 1`), as `(from, to)` segments. Every port of a segment gets the same first-match
/// decision, so deciding the segment's first port decides them all — a handful of decisions
/// instead of 65,535.
fn segments(rules: &[SgRule]) -> Vec<(i64, i64)> {
    let mut starts: Vec<i64> = rules
        .iter()
        .flat_map(|rule| {
            let (from, to) = rule.ports();
            [from, to.saturating_add(1)]
        })
        .chain([PORT_MIN])
        .filter(|port| (PORT_MIN..=PORT_MAX).contains(port))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let ends = starts.iter().skip(1).map(|next| next - 1).chain([PORT_MAX]);
    starts.iter().copied().zip(ends).collect()
}

/// The TCP and UDP ports of `rules` (an ingress list) open to the world of either family:
/// sorted by protocol (TCP first) then port, contiguous runs merged. This is the compact form
/// of `exposed_ports`; "everything open" is two entries.
pub fn exposed_port_ranges(rules: &[SgRule]) -> Vec<PortRange> {
    let segments = segments(rules);
    let mut ranges: Vec<PortRange> = Vec::new();
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        for &(from, to) in &segments {
            if !WORLDS.iter().any(|world| accepts(rules, world, protocol, from)) {
                continue;
            }
            match ranges.last_mut() {
                Some(last) if last.protocol == protocol && last.to + 1 == from => last.to = to,
                _ => ranges.push(PortRange { protocol, from, to }),
            }
        }
    }
    ranges
}

/// net.rule's `exposed_ports`: every port open to the world for TCP or UDP, ascending and
/// distinct. Up to 65,535 entries — prefer [`exposed_port_ranges`] where a range will do.
pub fn exposed_ports(rules: &[SgRule]) -> Vec<i64> {
    let mut ports: Vec<i64> = exposed_port_ranges(rules).iter().flat_map(|range| range.from..=range.to).collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// net.rule's `exposed_port_count`: how many ports of [`exposed_ports`] lie within one of
/// `spans` (inclusive `(from, to)` pairs, overlapping or not), counted over ranges rather than
/// by listing up to 65,535 ports.
pub fn exposed_port_count(rules: &[SgRule], spans: &[(i64, i64)]) -> i64 {
    let open = union(exposed_port_ranges(rules).into_iter().map(|r| (r.from, r.to)).collect());
    let wanted = union(spans.to_vec());
    let (mut count, mut i, mut j) = (0, 0, 0);
    while let (Some(&(a_from, a_to)), Some(&(b_from, b_to))) = (open.get(i), wanted.get(j)) {
        let (from, to) = (a_from.max(b_from), a_to.min(b_to));
        if from <= to {
            count += to - from + 1;
        }
        if a_to < b_to { i += 1 } else { j += 1 }
    }
    count
}

/// Inclusive ranges sorted and merged where they overlap or touch; empty ranges dropped.
fn union(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.retain(|(from, to)| from <= to);
    ranges.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
    for (from, to) in ranges {
        match merged.last_mut() {
            Some(last) if from <= last.1.saturating_add(1) => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// net.rule's `is_world_open_all`: every TCP and every UDP port is open from the whole of one
/// family. The families are not mixed, so IPv4 TCP plus IPv6 UDP is not "all open".
pub fn all_ports_open(rules: &[SgRule]) -> bool {
    let segments = segments(rules);
    WORLDS.iter().any(|world| {
        segments
            .iter()
            .all(|&(from, _)| accepts(rules, world, Protocol::Tcp, from) && accepts(rules, world, Protocol::Udp, from))
    })
}

/// net.rule's `reachable_from_internet` (the `paths` edge Internet → Instance): some public ip
/// has a group (its ingress list; dangling references left out by the caller) that accepts a
/// TCP or UDP port from the world of that ip's family — an IPv6 world accept does not expose an
/// instance with only an IPv4 address. `public_ips` is taken as the snapshot states it.
pub fn reachable_from_internet(public_ips: &[IpAddr], groups: &[&[SgRule]]) -> bool {
    public_ips.iter().any(|ip| {
        let world = if ip.is_ipv4() { WORLD_V4 } else { WORLD_V6 };
        groups.iter().any(|rules| {
            segments(rules).iter().any(|&(from, _)| {
                accepts(rules, &world, Protocol::Tcp, from) || accepts(rules, &world, Protocol::Udp, from)
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn rule(priority: i64, action: SgAction, protocol: Protocol, ports: (i64, i64), cidr: &str) -> SgRule {
        SgRule {
            priority,
            protocol,
            port_from: ports.0,
            port_to: ports.1,
            cidr: Some(net(cidr)),
            source_group_id: None,
            action,
        }
    }

    fn accept(priority: i64, protocol: Protocol, ports: (i64, i64), cidr: &str) -> SgRule {
        rule(priority, SgAction::Accept, protocol, ports, cidr)
    }

    fn drop(priority: i64, protocol: Protocol, ports: (i64, i64), cidr: &str) -> SgRule {
        rule(priority, SgAction::Drop, protocol, ports, cidr)
    }

    use Protocol::{All, Icmp, Tcp, Udp};

    const ALL: (i64, i64) = (0, 65535);
    const V4: &str = "0.0.0.0/0";
    const V6: &str = "::/0";

    fn world_tcp(rules: &[SgRule], port: i64) -> bool {
        sg_allows(rules, &WORLDS, Tcp, port)
    }

    fn range(protocol: Protocol, from: i64, to: i64) -> PortRange {
        PortRange { protocol, from, to }
    }

    #[test]
    fn earlier_drop_closes_only_its_port() {
        let rules = [accept(100, All, ALL, V4), drop(1, Tcp, (22, 22), V4)];
        assert!(!world_tcp(&rules, 22));
        assert!(world_tcp(&rules, 80));
        assert!(sg_allows(&rules, &WORLDS, Udp, 22));
    }

    #[test]
    fn later_drop_is_unreachable() {
        let rules = [accept(1, All, ALL, V4), drop(100, Tcp, (22, 22), V4)];
        assert!(world_tcp(&rules, 22));
        assert!(all_ports_open(&rules));
    }

    #[test]
    fn priority_ties_keep_list_order() {
        let drop_first = [drop(5, Tcp, (22, 22), V4), accept(5, Tcp, (22, 22), V4)];
        let accept_first = [accept(5, Tcp, (22, 22), V4), drop(5, Tcp, (22, 22), V4)];
        assert!(!world_tcp(&drop_first, 22));
        assert!(world_tcp(&accept_first, 22));
    }

    #[test]
    fn priority_beats_list_order() {
        let rules = [accept(10, Tcp, (22, 22), V4), drop(2, Tcp, (22, 22), V4)];
        assert!(!world_tcp(&rules, 22));
    }

    #[test]
    fn ipv6_world_accept_survives_ipv4_world_drop() {
        let rules = [drop(1, All, ALL, V4), accept(2, Tcp, (22, 22), V6)];
        assert!(world_tcp(&rules, 22));
        assert!(!sg_allows(&rules, &[net(V4)], Tcp, 22));
        assert!(sg_allows(&rules, &[net(V6)], Tcp, 22));
    }

    #[test]
    fn udp_accept_is_not_tcp() {
        let rules = [accept(1, Udp, (22, 22), V4)];
        assert!(!world_tcp(&rules, 22));
        assert!(sg_allows(&rules, &WORLDS, Udp, 22));
    }

    #[test]
    fn narrower_sources_are_not_the_world() {
        for cidr in ["8.0.0.0/8", "1.2.3.4/32", "0.0.0.0/1"] {
            assert!(!world_tcp(&[accept(1, Tcp, (22, 22), cidr)], 22), "{cidr}");
        }
        // A drop narrower than the world does not close the world accept behind it.
        let rules = [drop(1, Tcp, (22, 22), "1.2.3.4/32"), accept(2, Tcp, (22, 22), V4)];
        assert!(world_tcp(&rules, 22));
        assert!(!sg_allows(&rules, &[net("1.2.3.4/32")], Tcp, 22));
    }

    #[test]
    fn narrower_queries_are_covered_by_wider_rules() {
        let rules = [accept(1, Tcp, (22, 22), "10.0.0.0/8")];
        assert!(sg_allows(&rules, &[net("10.1.0.0/16")], Tcp, 22));
        assert!(!sg_allows(&rules, &[net("10.0.0.0/7")], Tcp, 22));
        assert!(!sg_allows(&rules, &[net("::ffff:10.0.0.1/128")], Tcp, 22));
        let world = [accept(1, Tcp, (22, 22), V4)];
        assert!(sg_allows(&world, &[net("10.0.0.1/32")], Tcp, 22));
    }

    #[test]
    fn source_group_rules_never_match() {
        let group = SgRule { cidr: None, source_group_id: Some("sg-1".into()), ..accept(1, All, ALL, V4) };
        let neither = SgRule { cidr: None, ..accept(1, All, ALL, V4) };
        for rules in [[group.clone()], [neither]] {
            assert!(!world_tcp(&rules, 22));
            assert!(!sg_allows(&rules, &[net("10.0.0.1/32")], Tcp, 22));
            assert!(exposed_ports(&rules).is_empty());
        }
        let shadowing_drop = SgRule { action: SgAction::Drop, ..group };
        assert!(world_tcp(&[shadowing_drop, accept(2, Tcp, (22, 22), V4)], 22));
    }

    #[test]
    fn port_ranges_are_inclusive() {
        let rules = [accept(1, Tcp, (8000, 8080), V4)];
        assert!(!world_tcp(&rules, 7999));
        assert!(world_tcp(&rules, 8000));
        assert!(world_tcp(&rules, 8080));
        assert!(!world_tcp(&rules, 8081));
    }

    #[test]
    fn protocol_all_rule_opens_tcp_and_udp_but_icmp_never_opens() {
        let rules = [accept(1, All, ALL, V4)];
        assert!(world_tcp(&rules, 443));
        assert!(sg_allows(&rules, &WORLDS, Udp, 53));
        assert!(!sg_allows(&rules, &WORLDS, Icmp, 0));
        let icmp = [accept(1, Icmp, ALL, V4), accept(2, Icmp, (-1, -1), V6)];
        assert!(!world_tcp(&icmp, 22));
        assert!(!sg_allows(&icmp, &WORLDS, Udp, 22));
        assert!(exposed_port_ranges(&icmp).is_empty());
        assert!(!reachable_from_internet(&[ip("1.2.3.4"), ip("2001:db8::1")], &[&icmp]));
    }

    #[test]
    fn querying_protocol_all_needs_tcp_and_udp_from_one_source() {
        assert!(sg_allows(&[accept(1, All, ALL, V4)], &WORLDS, All, 22));
        let narrowed = [drop(1, Tcp, (22, 22), V4), accept(2, All, ALL, V4)];
        assert!(!sg_allows(&narrowed, &WORLDS, All, 22));
        let split = [accept(1, Tcp, (22, 22), V4), accept(1, Udp, (22, 22), V6)];
        assert!(!sg_allows(&split, &WORLDS, All, 22));
        let both = [accept(1, Tcp, (22, 22), V4), accept(1, Udp, (22, 22), V4)];
        assert!(sg_allows(&both, &WORLDS, All, 22));
    }

    #[test]
    fn no_rules_or_no_sources_deny() {
        assert!(!world_tcp(&[], 22));
        assert!(!sg_allows(&[accept(1, All, ALL, V4)], &[], Tcp, 22));
        assert!(exposed_ports(&[]).is_empty());
        assert!(!all_ports_open(&[]));
    }

    #[test]
    fn egress_is_independent_of_ingress() {
        let sg = SecurityGroup { ingress: vec![accept(1, All, ALL, V4)], egress: vec![drop(1, Tcp, (443, 443), V4)] };
        assert!(world_tcp(sg.rules(Direction::Ingress), 443));
        assert!(!world_tcp(sg.rules(Direction::Egress), 443));
        assert!(!world_tcp(sg.rules(Direction::Egress), 80));
    }

    #[test]
    fn minus_one_ports_mean_all_ports() {
        let rules = [accept(1, All, (-1, -1), V4)];
        assert!(world_tcp(&rules, 1));
        assert!(world_tcp(&rules, 65535));
        assert!(all_ports_open(&rules));
    }

    #[test]
    fn input_is_not_reordered() {
        let rules = vec![accept(9, Tcp, (22, 22), V4), drop(1, Tcp, (22, 22), V4)];
        let before = rules.clone();
        assert!(!world_tcp(&rules, 22));
        let _ = exposed_port_ranges(&rules);
        assert_eq!(rules, before);
    }

    #[test]
    fn is_private_edges() {
        for (addr, private) in [
            ("172.15.255.255", false),
            ("172.16.0.0", true),
            ("172.31.255.255", true),
            ("172.32.0.0", false),
            ("10.0.0.0", true),
            ("192.168.1.1", true),
            ("100.64.0.1", true),
            ("100.127.255.255", true),
            ("100.128.0.0", false),
            ("100.63.255.255", false),
            ("127.0.0.1", true),
            ("169.254.169.254", true),
            ("8.8.8.8", false),
            ("0.0.0.0", false),
            ("::ffff:10.0.0.1", true),
            ("::ffff:8.8.8.8", false),
            ("fd00::1", true),
            ("fc00::1", true),
            ("fe80::1", true),
            ("febf::1", true),
            ("fec0::1", false),
            ("::1", true),
            ("::", false),
            ("2001:db8::1", false),
        ] {
            assert_eq!(is_private(ip(addr)), private, "{addr}");
        }
    }

    #[test]
    fn is_world_is_prefix_zero() {
        assert!(is_world(&net(V4)));
        assert!(is_world(&net(V6)));
        assert!(!is_world(&net("0.0.0.0/1")));
        assert!(!is_world(&net("1.2.3.4/32")));
    }

    #[test]
    fn exposed_ports_of_all_open_is_every_port() {
        let rules = [accept(1, All, ALL, V4)];
        assert_eq!(exposed_port_ranges(&rules), [range(Tcp, 1, 65535), range(Udp, 1, 65535)]);
        let ports = exposed_ports(&rules);
        assert_eq!(ports.len(), 65535);
        assert_eq!((ports[0], ports[65534]), (1, 65535));
    }

    #[test]
    fn earlier_tcp_drop_leaves_udp_open() {
        let rules = [drop(1, Tcp, (22, 22), V4), accept(2, All, ALL, V4)];
        assert_eq!(exposed_port_ranges(&rules), [range(Tcp, 1, 21), range(Tcp, 23, 65535), range(Udp, 1, 65535)]);
        // UDP 22 is still open, so the port list stays complete while the group is not all-open.
        assert_eq!(exposed_ports(&rules).len(), 65535);
        assert!(!all_ports_open(&rules));
    }

    #[test]
    fn exposed_ports_merge_and_deduplicate() {
        let rules = [
            accept(3, Tcp, (80, 80), V4),
            accept(1, Tcp, (81, 90), V6),
            accept(2, Udp, (85, 85), V4),
            drop(0, Tcp, (88, 88), V6),
            accept(4, Tcp, (443, 443), "10.0.0.0/8"),
        ];
        assert_eq!(exposed_port_ranges(&rules), [range(Tcp, 80, 87), range(Tcp, 89, 90), range(Udp, 85, 85)]);
        assert_eq!(exposed_ports(&rules), [80, 81, 82, 83, 84, 85, 86, 87, 89, 90]);
    }

    #[test]
    fn segment_sweep_agrees_with_a_port_by_port_sweep() {
        let rules = [
            drop(1, Tcp, (22, 22), V4),
            accept(2, All, (20, 30), V4),
            drop(2, Udp, (25, 40), V6),
            accept(3, Udp, (35, 65535), V6),
            accept(0, Tcp, (65535, 65535), V6),
            accept(1, All, (-1, -1), "10.0.0.0/8"),
            drop(5, All, (0, 100), V4),
            accept(6, Tcp, (0, 0), V4),
        ];
        let brute: Vec<i64> =
            (PORT_MIN..=PORT_MAX).filter(|&p| world_tcp(&rules, p) || sg_allows(&rules, &WORLDS, Udp, p)).collect();
        assert_eq!(exposed_ports(&rules), brute);
    }

    #[test]
    fn exposed_port_count_agrees_with_counting_the_listed_ports() {
        let rules = [
            drop(1, Tcp, (22, 22), V4),
            accept(2, All, (20, 30), V4),
            accept(3, Udp, (35, 65535), V6),
            accept(4, Tcp, (1000, 2000), V4),
            drop(5, All, (0, 100), V4),
        ];
        let listed = exposed_ports(&rules);
        let spans_cases: [&[(i64, i64)]; 5] = [
            &[(0, 65535)],
            &[(10, 25), (24, 40), (1500, 1499)],
            &[(1, 21), (23, 23), (36, 36), (2000, 3000)],
            &[],
            &[(65535, 65535), (-5, 0)],
        ];
        for spans in spans_cases {
            let brute = listed.iter().filter(|p| spans.iter().any(|(from, to)| (from..=to).contains(p))).count();
            assert_eq!(exposed_port_count(&rules, spans), brute as i64, "{spans:?}");
        }
    }

    #[test]
    fn all_ports_open_needs_one_whole_family() {
        let split = [accept(1, Tcp, ALL, V4), accept(1, Udp, ALL, V6)];
        assert!(!all_ports_open(&split));
        let v6_whole = [drop(1, Tcp, (22, 22), V4), accept(2, All, ALL, V4), accept(3, All, ALL, V6)];
        assert!(all_ports_open(&v6_whole));
        let pieces = [accept(1, All, (1, 1000), V4), accept(2, All, (1001, 65535), V4)];
        assert!(all_ports_open(&pieces));
        let gap = [accept(1, All, (1, 1000), V4), accept(2, All, (1002, 65535), V4)];
        assert!(!all_ports_open(&gap));
        assert!(!all_ports_open(&[accept(1, All, (0, 65534), V4)]));
    }

    #[test]
    fn reachability_needs_a_public_ip_and_a_world_accept_of_its_family() {
        let open = [accept(1, Tcp, (443, 443), V4)];
        let closed = [accept(1, Tcp, (22, 22), "10.0.0.0/8")];
        let v6_open = [accept(1, Udp, (53, 53), V6)];
        assert!(reachable_from_internet(&[ip("1.2.3.4")], &[&closed, &open]));
        assert!(!reachable_from_internet(&[], &[&open]));
        assert!(!reachable_from_internet(&[ip("1.2.3.4")], &[&closed]));
        assert!(!reachable_from_internet(&[ip("1.2.3.4")], &[]));
        assert!(!reachable_from_internet(&[ip("1.2.3.4")], &[&v6_open]));
        assert!(reachable_from_internet(&[ip("1.2.3.4"), ip("2001:db8::1")], &[&v6_open]));
        let shadowed = [drop(1, All, ALL, V4), accept(2, Tcp, (443, 443), V4)];
        assert!(!reachable_from_internet(&[ip("1.2.3.4")], &[&shadowed]));
    }
}
