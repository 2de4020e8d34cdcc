//! `rulec collect host`: a Linux server's baseline facts read from its files into one `Host`
//! record (SNAPSHOT.md), the file `rulec import` reads from `hosts/**`. Everything is read
//! below a root folder (`/` on the server itself, or a copy or mount of its disk), never
//! through a link that leaves it; nothing is run. The one exception is the mount table of the
//! machine running rulec, which tells the file system walk (`walk`) where devices start. What could not be read or decided is in the
//! [`HostReport`] beside the record, since the record has no field for "unknown".

mod accounts;
mod audit;
mod compressed;
mod evr;
mod files;
mod fs;
mod os;
mod packages;
mod policy;
mod report;
mod rpmdb;
mod services;
mod shell;
mod sshd;
mod updateinfo;
mod walk;
mod weak;
mod zchunk;

/// A host tree in a temporary folder, for the modules' tests: `files` are (absolute path on the
/// host, content) pairs.
#[cfg(test)]
fn write_tree(dir: &std::path::Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

use std::path::Path;

use serde_json::{Value, json};

pub use report::{HostReport, NotDetermined, Unreadable};

/// What the command line adds to what the host's files say.
#[derive(Clone, Debug, Default)]
pub struct HostOptions {
    /// The record's id; by default `host-<instance id>`, else `host-<hostname>`.
    pub id: Option<String>,
    /// The cloud instance the host runs on (`ins-…`, `i-…`), to link it to its `Instance`.
    pub instance_id: Option<String>,
    /// The cloud that owns it; by default `unknown`.
    pub provider: Option<String>,
    /// The owning account; by default `unknown`.
    pub account: Option<String>,
    /// The region, if known.
    pub region: Option<String>,
}

/// A collected host.
#[derive(Debug)]
pub struct HostFacts {
    /// The `Host` record, ready to be written as a `hosts/` file.
    pub record: Value,
    pub report: HostReport,
}

/// Why nothing was collected.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("`{0}` is not a folder")]
    NotAFolder(String),
}

/// What `provider` and `account` hold when the command line does not say.
const UNKNOWN: &str = "unknown";

/// Reads the host whose filesystem is at `root`.
pub fn collect(root: &Path, options: &HostOptions) -> Result<HostFacts, HostError> {
    if !root.is_dir() {
        return Err(HostError::NotAFolder(root.display().to_string()));
    }
    let mut tree = fs::Tree::new(root);
    let os = os::Os::read(&mut tree);
    let os_name = os.name().unwrap_or_else(|| {
        tree.report.not_determined("os", "no /etc/os-release: recorded as `unknown`");
        UNKNOWN.to_owned()
    });
    let hostname = hostname(&mut tree);
    // The instance id is unique in the cloud and stable across renames; the hostname is what
    // a fleet without one has (the example snapshot's hosts are `host-ins-…`).
    let id = match (&options.id, &options.instance_id, &hostname) {
        (Some(id), _, _) => id.clone(),
        (None, Some(instance), _) => format!("host-{instance}"),
        (None, None, Some(hostname)) => format!("host-{hostname}"),
        (None, None, None) => {
            tree.report.not_determined("id", "no /etc/hostname: the id is `host-unknown`; give one with --id");
            format!("host-{UNKNOWN}")
        }
    };
    let ssh = sshd::collect(&mut tree, &os);
    let password_policy = policy::collect(&mut tree);
    let accounts = accounts::collect(&mut tree);
    let packages = packages::collect(&mut tree);
    let services = services::collect(&mut tree);
    let file_modes = files::collect(&mut tree);
    let (umasks, shell_timeout) = shell::collect(&mut tree);
    let file_walk = walk::collect(&mut tree);
    let record = json!({
        "type": "Host",
        "id": id,
        "provider": options.provider.as_deref().unwrap_or(UNKNOWN),
        "account": options.account.as_deref().unwrap_or(UNKNOWN),
        "region": options.region,
        "name": hostname,
        "tags": {},
        "instance_id": options.instance_id,
        "os": os_name,
        "kernel": os::kernel(&mut tree),
        "ssh": ssh,
        "password_policy": password_policy,
        "accounts": accounts,
        "packages": packages,
        "services": services.names(),
        "auditd_enabled": services.auditd,
        "firewall_enabled": services.firewall,
        "time_sync": services.time_sync,
        "file_modes": file_modes,
        "auditd_installed": audit::auditd_installed(&mut tree, &packages),
        "auditd_config": audit::auditd_config(&mut tree),
        "audit_at_boot": audit::audit_at_boot(&mut tree),
        "su_restricted": policy::su_restricted(&mut tree),
        "legacy_plus_entries": accounts::legacy_plus_entries(&mut tree),
        "umasks": umasks,
        "shell_timeout": shell_timeout,
        "file_walk": file_walk,
    });
    Ok(HostFacts { record, report: tree.report })
}

/// The host's name: `/etc/hostname`, else the live kernel's.
fn hostname(tree: &mut fs::Tree) -> Option<String> {
    ["/etc/hostname", "/proc/sys/kernel/hostname"].into_iter().find_map(|path| {
        let text = tree.read(path)?;
        let name = text.lines().map(str::trim).find(|line| !line.is_empty() && !line.starts_with('#'))?;
        Some(name.to_owned())
    })
}
