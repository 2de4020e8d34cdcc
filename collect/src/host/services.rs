//! Enabled services, from systemd's `*.wants` links under `/etc/systemd/system` (what
//! `systemctl enable` creates) and, for System V hosts, `/etc/rc3.d/S*` links. A copied tree
//! has no running processes, so "enabled" is what the record can say: a service enabled at
//! boot is running unless someone stopped it. auditd, the firewall and time synchronisation are
//! read from the same list, with ufw's own switch (`ENABLED=yes`) on top of its unit.

use std::collections::BTreeSet;

use serde_json::Value;

use super::fs::Tree;

const SYSTEMD: &str = "/etc/systemd/system";

/// Host firewalls: any one enabled is a firewall.
const FIREWALLS: [&str; 5] = ["firewalld", "nftables", "iptables", "ip6tables", "netfilter-persistent"];

/// Time synchronisation daemons.
const TIME_SYNC: [&str; 5] = ["chronyd", "chrony", "ntpd", "ntp", "systemd-timesyncd"];

/// What the services say about the host.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Services {
    /// Enabled services, sorted, without the `.service` suffix.
    pub(crate) enabled: Vec<String>,
    pub(crate) auditd: bool,
    pub(crate) firewall: bool,
    pub(crate) time_sync: bool,
}

impl Services {
    pub(crate) fn names(&self) -> Value {
        Value::from(self.enabled.clone())
    }
}

pub(crate) fn collect(tree: &mut Tree) -> Services {
    let mut enabled = BTreeSet::new();
    for dir in tree.list(SYSTEMD) {
        if !dir.ends_with(".wants") {
            continue;
        }
        for unit in tree.list(&format!("{SYSTEMD}/{dir}")) {
            if let Some(name) = unit.strip_suffix(".service") {
                // `getty@tty1.service` is an instance of `getty@`: the instance is the name.
                enabled.insert(name.to_owned());
            }
        }
    }
    for link in tree.list("/etc/rc3.d") {
        if let Some(name) = link.strip_prefix('S') {
            enabled.insert(name.trim_start_matches(|c: char| c.is_ascii_digit()).to_owned());
        }
    }
    // `systemctl mask` links the unit to /dev/null in /etc/systemd/system: it cannot start.
    let masked: Vec<String> = enabled
        .iter()
        .filter(|name| {
            tree.resolve_parent(&format!("{SYSTEMD}/{name}.service"))
                .and_then(|unit| std::fs::read_link(unit).ok())
                .is_some_and(|target| target.as_os_str() == "/dev/null")
        })
        .cloned()
        .collect();
    for name in &masked {
        enabled.remove(name);
    }
    let on = |names: &[&str]| names.iter().any(|name| enabled.contains(*name));
    let ufw = enabled.contains("ufw")
        && tree
            .read("/etc/ufw/ufw.conf")
            .is_some_and(|conf| conf.lines().any(|line| line.trim().eq_ignore_ascii_case("ENABLED=yes")));
    Services {
        auditd: on(&["auditd"]),
        firewall: on(&FIREWALLS) || ufw,
        time_sync: on(&TIME_SYNC),
        enabled: enabled.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn services(links: &[(&str, &str)], files: &[(&str, &str)]) -> Services {
        let dir = tempfile::tempdir().unwrap();
        for (link, target) in links {
            let path = dir.path().join(link.trim_start_matches('/'));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            symlink(target, path).unwrap();
        }
        crate::host::write_tree(dir.path(), files);
        collect(&mut Tree::new(dir.path()))
    }

    #[test]
    fn wants_links_are_enabled_services() {
        let found = services(
            &[
                ("/etc/systemd/system/multi-user.target.wants/sshd.service", "/usr/lib/systemd/system/sshd.service"),
                (
                    "/etc/systemd/system/multi-user.target.wants/auditd.service",
                    "/usr/lib/systemd/system/auditd.service",
                ),
                (
                    "/etc/systemd/system/multi-user.target.wants/firewalld.service",
                    "/usr/lib/systemd/system/firewalld.service",
                ),
                (
                    "/etc/systemd/system/multi-user.target.wants/remote-fs.target",
                    "/usr/lib/systemd/system/remote-fs.target",
                ),
                (
                    "/etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service",
                    "/lib/systemd/system/systemd-timesyncd.service",
                ),
                ("/etc/systemd/system/getty.target.wants/getty@tty1.service", "/lib/systemd/system/getty@.service"),
            ],
            &[],
        );
        assert_eq!(found.enabled, ["auditd", "firewalld", "getty@tty1", "sshd", "systemd-timesyncd"]);
        assert!(found.auditd && found.firewall && found.time_sync);
    }

    #[test]
    fn masked_units_and_a_switched_off_ufw_do_not_count() {
        let found = services(
            &[
                ("/etc/systemd/system/multi-user.target.wants/auditd.service", "/lib/systemd/system/auditd.service"),
                ("/etc/systemd/system/auditd.service", "/dev/null"),
                ("/etc/systemd/system/multi-user.target.wants/ufw.service", "/lib/systemd/system/ufw.service"),
            ],
            &[("/etc/ufw/ufw.conf", "# comment\nENABLED=no\n")],
        );
        assert_eq!(found.enabled, ["ufw"]);
        assert!(!found.auditd && !found.firewall && !found.time_sync);
    }

    #[test]
    fn an_enabled_ufw_is_a_firewall() {
        let found = services(
            &[("/etc/systemd/system/multi-user.target.wants/ufw.service", "/lib/systemd/system/ufw.service")],
            &[("/etc/ufw/ufw.conf", "ENABLED=yes\n")],
        );
        assert!(found.firewall);
    }

    #[test]
    fn system_v_links_count() {
        let found =
            services(&[("/etc/rc3.d/S55sshd", "../init.d/sshd"), ("/etc/rc3.d/K10auditd", "../init.d/auditd")], &[]);
        assert_eq!(found.enabled, ["sshd"]);
    }
}
