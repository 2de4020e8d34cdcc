//! The modes of the files whose permissions baselines check (CIS Linux 5.1, 5.2, 6.1): the
//! account databases, sshd's configuration and host keys (private and public), cron's tables
//! and folders, sudoers.
//! A file that does not exist is left out; one that cannot be examined is reported.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use super::fs::Tree;

/// The paths whose modes are recorded; globs are expanded.
const PATHS: [&str; 18] = [
    "/etc/passwd",
    "/etc/passwd-",
    "/etc/shadow",
    "/etc/shadow-",
    "/etc/group",
    "/etc/group-",
    "/etc/gshadow",
    "/etc/gshadow-",
    "/etc/ssh/sshd_config",
    "/etc/ssh/ssh_host_*_key",
    "/etc/ssh/ssh_host_*_key.pub",
    "/etc/crontab",
    "/etc/cron.hourly",
    "/etc/cron.daily",
    "/etc/cron.weekly",
    "/etc/cron.monthly",
    "/etc/cron.d",
    "/etc/sudoers",
];

/// The `file_modes` map: path → permission bits (with setuid, setgid and sticky) as an
/// integer, e.g. 420 for 0644.
pub(crate) fn collect(tree: &mut Tree) -> Value {
    let mut modes = BTreeMap::new();
    for pattern in PATHS {
        for path in tree.glob(pattern) {
            if let Some(meta) = tree.metadata(&path) {
                modes.insert(path, Value::from(meta.permissions().mode() & 0o7777));
            }
        }
    }
    Value::Object(modes.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_of_the_files_present() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/ssh")).unwrap();
        std::fs::create_dir_all(dir.path().join("etc/cron.d")).unwrap();
        for (path, mode) in [
            ("etc/shadow", 0o640),
            ("etc/ssh/ssh_host_ed25519_key", 0o600),
            ("etc/ssh/ssh_host_ed25519_key.pub", 0o644),
        ] {
            let path = dir.path().join(path);
            std::fs::write(&path, "").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        std::fs::set_permissions(dir.path().join("etc/cron.d"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let value = collect(&mut Tree::new(dir.path()));
        assert_eq!(
            value,
            serde_json::json!({
                "/etc/cron.d": 493, "/etc/shadow": 416, "/etc/ssh/ssh_host_ed25519_key": 384,
                "/etc/ssh/ssh_host_ed25519_key.pub": 420,
            })
        );
    }
}
