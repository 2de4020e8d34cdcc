//! The audit daemon's log settings (`/etc/audit/auditd.conf`) and whether the kernel audits
//! from boot (`audit=1` on its command line, so processes that start before auditd are
//! audited too). The command lines are those the boot loader has: GRUB's `linux` lines, Boot
//! Loader Specification entries (`options`, with `$kernelopts` from grubenv as RHEL 8 writes
//! them), else what `/etc/default/grub` makes the next `grub-mkconfig` write.

use serde_json::{Value, json};

use super::fs::Tree;

const AUDITD_CONF: &str = "/etc/audit/auditd.conf";

/// GRUB's generated configurations (Red Hat, then Debian / Ubuntu).
const GRUB_CFGS: [&str; 2] = ["/boot/grub2/grub.cfg", "/boot/grub/grub.cfg"];

/// Where the audit daemon's program is (Red Hat, Debian and Ubuntu install it in /usr/sbin;
/// /sbin is the same folder on merged-/usr systems and the older place on others).
const AUDITD_PROGRAMS: [&str; 2] = ["/usr/sbin/auditd", "/sbin/auditd"];

/// The package names of the audit daemon: `audit` (Red Hat family), `auditd` (Debian, Ubuntu).
const AUDIT_PACKAGES: [&str; 2] = ["audit", "auditd"];

/// Whether the audit daemon is installed: its program or its configuration file is there, or
/// the package database lists its package.
pub(crate) fn auditd_installed(tree: &mut Tree, packages: &Value) -> bool {
    let listed = packages.as_array().is_some_and(|packages| {
        packages.iter().any(|package| package["name"].as_str().is_some_and(|name| AUDIT_PACKAGES.contains(&name)))
    });
    listed || AUDITD_PROGRAMS.into_iter().chain([AUDITD_CONF]).any(|path| tree.metadata(path).is_some())
}

/// The `AuditdConfig` record; null without auditd.conf (auditd is not installed). A key the
/// file does not set has auditd's built-in value (auditd-config.c `clear_config`): no size
/// limit, and `ignore` for every action.
pub(crate) fn auditd_config(tree: &mut Tree) -> Value {
    let Some(text) = tree.read(AUDITD_CONF) else { return Value::Null };
    let mut settings = std::collections::BTreeMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        if let Some((key, value)) = line.split_once('=') {
            settings.insert(key.trim().to_lowercase(), value.trim().to_owned());
        }
    }
    // An action may carry an argument (`exec /path/to/script`): the action is its first word.
    let action = |key: &str| {
        settings
            .get(key)
            .and_then(|value| value.split_whitespace().next())
            .map_or("ignore".to_owned(), str::to_lowercase)
    };
    let max_log_file = match settings.get("max_log_file") {
        None => 0,
        Some(value) => value.parse::<i64>().unwrap_or_else(|_| {
            let reason =
                format!("`max_log_file = {value}` is not a number of megabytes: auditd refuses it; recorded as 0");
            tree.report.not_determined("auditd_config.max_log_file", &reason);
            0
        }),
    };
    json!({
        "max_log_file": max_log_file,
        "max_log_file_action": action("max_log_file_action"),
        "space_left_action": action("space_left_action"),
        "admin_space_left_action": action("admin_space_left_action"),
        "action_mail_acct": settings.get("action_mail_acct").filter(|value| !value.is_empty()),
    })
}

/// Whether every kernel command line the boot loader has carries `audit=1`; null when the
/// tree has no boot loader configuration.
pub(crate) fn audit_at_boot(tree: &mut Tree) -> Value {
    let mut lines = Vec::new();
    for cfg in GRUB_CFGS {
        let text = tree.read(cfg).unwrap_or_default();
        lines.extend(text.lines().filter_map(|line| {
            let mut words = line.split_whitespace();
            matches!(words.next(), Some("linux" | "linux16" | "linuxefi")).then(|| words.collect::<Vec<_>>().join(" "))
        }));
    }
    let kernelopts = ["/boot/grub2/grubenv", "/boot/grub/grubenv"].into_iter().find_map(|env| {
        let text = tree.read(env)?;
        text.lines().find_map(|line| line.strip_prefix("kernelopts=").map(str::to_owned))
    });
    for entry in tree.glob("/boot/loader/entries/*.conf") {
        let text = tree.read(&entry).unwrap_or_default();
        lines.extend(text.lines().filter_map(|line| {
            let options = line.strip_prefix("options")?.trim();
            Some(options.replace("$kernelopts", kernelopts.as_deref().unwrap_or_default()))
        }));
    }
    if lines.is_empty() {
        let text = tree.read("/etc/default/grub").unwrap_or_default();
        let values: Vec<String> = text
            .lines()
            .filter_map(|line| {
                let (key, value) = line.trim().split_once('=')?;
                matches!(key, "GRUB_CMDLINE_LINUX" | "GRUB_CMDLINE_LINUX_DEFAULT")
                    .then(|| value.trim().trim_matches(['"', '\'']).to_owned())
            })
            .collect();
        if !values.is_empty() {
            lines.push(values.join(" "));
        }
    }
    if lines.is_empty() {
        return Value::Null;
    }
    json!(lines.iter().all(|line| line.split_whitespace().any(|word| word == "audit=1")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, Tree) {
        let dir = tempfile::tempdir().unwrap();
        crate::host::write_tree(dir.path(), files);
        let tree = Tree::new(dir.path());
        (dir, tree)
    }

    #[test]
    fn auditd_conf_as_shipped_and_unset() {
        let conf = "#\n# This file controls the configuration of the audit daemon\n#\n\nmax_log_file = 8\nnum_logs = 5\n\
            max_log_file_action = ROTATE\nspace_left_action = SYSLOG\naction_mail_acct = root\n\
            admin_space_left_action = exec /usr/local/sbin/audit-full\n";
        let (_dir, mut t) = tree(&[(AUDITD_CONF, conf)]);
        assert_eq!(
            auditd_config(&mut t),
            json!({"max_log_file": 8, "max_log_file_action": "rotate", "space_left_action": "syslog", "admin_space_left_action": "exec", "action_mail_acct": "root"})
        );
        let (_dir, mut t) = tree(&[(AUDITD_CONF, "max_log_file = big\n")]);
        assert_eq!(
            auditd_config(&mut t),
            json!({"max_log_file": 0, "max_log_file_action": "ignore", "space_left_action": "ignore", "admin_space_left_action": "ignore", "action_mail_acct": null})
        );
        assert_eq!(t.report.not_determined[0].fact, "auditd_config.max_log_file");
        let (_dir, mut t) = tree(&[]);
        assert_eq!(auditd_config(&mut t), Value::Null);
    }

    #[test]
    fn auditd_is_installed_by_program_configuration_or_package() {
        let (_dir, mut t) = tree(&[("/usr/sbin/auditd", "")]);
        assert!(auditd_installed(&mut t, &json!([])));
        let (_dir, mut t) = tree(&[(AUDITD_CONF, "")]);
        assert!(auditd_installed(&mut t, &json!([])));
        let (_dir, mut t) = tree(&[("/usr/sbin/sshd", "")]);
        assert!(auditd_installed(&mut t, &json!([{"name": "auditd", "version": "1:3.0.7-1build1"}])));
        assert!(!auditd_installed(&mut t, &json!([{"name": "audit-libs", "version": "3.0.7-104.el9"}])));
    }

    #[test]
    fn every_boot_entry_needs_audit_1() {
        let grub = "menuentry 'Debian' {\n\tlinux\t/vmlinuz-6.1.0-13-amd64 root=UUID=1 ro quiet audit=1\n}\n\
            menuentry 'Debian (recovery)' {\n\tlinux\t/vmlinuz-6.1.0-13-amd64 root=UUID=1 ro single\n}\n";
        let (_dir, mut t) =
            tree(&[("/boot/grub/grub.cfg", grub), ("/etc/default/grub", "GRUB_CMDLINE_LINUX=\"audit=1\"\n")]);
        assert_eq!(audit_at_boot(&mut t), json!(false), "the boot loader's entries win over /etc/default/grub");
        let (_dir, mut t) = tree(&[
            ("/boot/loader/entries/abc-5.14.0.conf", "title Rocky\nlinux /vmlinuz-5.14.0\noptions $kernelopts\n"),
            ("/boot/grub2/grubenv", "# GRUB Environment Block\nkernelopts=root=/dev/vda1 ro audit=1\n"),
        ]);
        assert_eq!(audit_at_boot(&mut t), json!(true));
    }

    #[test]
    fn etc_default_grub_when_no_boot_entries() {
        let default = "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"audit=1 audit_backlog_limit=8192\"\n";
        let (_dir, mut t) = tree(&[("/etc/default/grub", default)]);
        assert_eq!(audit_at_boot(&mut t), json!(true));
        let (_dir, mut t) = tree(&[("/etc/default/grub", "GRUB_CMDLINE_LINUX=\"crashkernel=auto rhgb quiet\"\n")]);
        assert_eq!(audit_at_boot(&mut t), json!(false));
        let (_dir, mut t) = tree(&[]);
        assert_eq!(audit_at_boot(&mut t), Value::Null);
    }
}
