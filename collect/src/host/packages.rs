//! Installed packages and the security updates they miss, from the package manager's own data.
//!
//! Debian / Ubuntu: installed versions from `/var/lib/dpkg/status`; a package misses a
//! security update when an index of a security suite under `/var/lib/apt/lists`
//! (`…_dists_<codename>-security_…_Packages`, or Debian 10's `…-security_dists_<codename>_updates_…`)
//! offers a higher version, in dpkg's ordering. That index is only as fresh as the host's last
//! `apt-get update`: an update published after it is not seen.
//!
//! RPM hosts: the rpm database (Berkeley DB, or SQLite from RHEL 9 on) is not read, so the
//! packages of an rpm host are not collected and the report says so; nothing is guessed.

use std::collections::BTreeMap;

use debversion::Version;
use serde_json::{Value, json};

use super::fs::Tree;

const STATUS: &str = "/var/lib/dpkg/status";
const LISTS: &str = "/var/lib/apt/lists";

/// Where rpm keeps its database (RHEL 9 moved it, leaving a link at the old place).
const RPM_DBS: [&str; 2] = ["/var/lib/rpm", "/usr/lib/sysimage/rpm"];

/// The `[HostPackage]` list, sorted by name and version.
pub(crate) fn collect(tree: &mut Tree) -> Value {
    if let Some(status) = tree.read(STATUS) {
        return dpkg(tree, &status);
    }
    if tree.report.is_unreadable(STATUS) {
        tree.report.not_determined("packages", &format!("{STATUS} cannot be read: no package is listed"));
    } else if RPM_DBS.iter().any(|db| tree.metadata(db).is_some_and(|meta| meta.is_dir())) {
        let reason = "an rpm host: rulec does not read the rpm database, so installed packages and missing \
                      security updates are not collected";
        tree.report.not_determined("packages", reason);
    } else {
        tree.report.not_determined("packages", "no package database found (dpkg or rpm): no package is listed");
    }
    json!([])
}

fn dpkg(tree: &mut Tree, status: &str) -> Value {
    let mut installed: Vec<(String, String)> = paragraphs(status)
        .filter(|p| p.get("Status").is_some_and(|status| status.ends_with(" installed")))
        .filter_map(|p| Some(((*p.get("Package")?).to_owned(), (*p.get("Version")?).to_owned())))
        .collect();
    installed.sort();
    installed.dedup();
    let fixes = security_versions(tree);
    let mut unparsed = Vec::new();
    let packages = installed
        .into_iter()
        .map(|(name, version)| {
            let fixed = fixes.as_ref().and_then(|fixes| fixes.get(&name)).and_then(|(text, fixed)| {
                match version.parse::<Version>() {
                    Ok(installed) => (installed < *fixed).then(|| text.clone()),
                    Err(_) => {
                        unparsed.push(name.clone());
                        None
                    }
                }
            });
            json!({"name": name, "version": version, "fixed_version": fixed})
        })
        .collect();
    for name in unparsed {
        tree.report.not_determined(
            &format!("fixed_version of {name}"),
            "the installed version is not a valid Debian version: not compared",
        );
    }
    Value::Array(packages)
}

/// The highest version of each package in the security suites' indexes (the text as written,
/// and parsed); `None`, reported, when the host has no such index.
fn security_versions(tree: &mut Tree) -> Option<BTreeMap<String, (String, Version)>> {
    let mut found = false;
    let mut best: BTreeMap<String, (String, Version)> = BTreeMap::new();
    for name in tree.list(LISTS) {
        if !is_security(&name) {
            continue;
        }
        if !name.ends_with("_Packages") {
            let reason = "a compressed package index (Acquire::GzipIndexes): not read, its updates are not seen";
            tree.report.not_determined(&format!("{LISTS}/{name}"), reason);
            continue;
        }
        let Some(text) = tree.read(&format!("{LISTS}/{name}")) else { continue };
        found = true;
        for paragraph in paragraphs(&text) {
            let (Some(&package), Some(&text)) = (paragraph.get("Package"), paragraph.get("Version")) else { continue };
            let Ok(version) = text.parse::<Version>() else { continue };
            if best.get(package).is_none_or(|(_, known)| *known < version) {
                best.insert(package.to_owned(), (text.to_owned(), version));
            }
        }
    }
    if !found {
        let reason = format!(
            "no security suite index under {LISTS} (apt-get update never ran, or the lists were removed): \
             missing security updates are not determined, every fixed_version is absent"
        );
        tree.report.not_determined("fixed_version", &reason);
        return None;
    }
    Some(best)
}

/// Whether an apt list file (the URI with `/` as `_`) is a security suite's binary index.
fn is_security(file: &str) -> bool {
    let parts: Vec<&str> = file.split('_').collect();
    let Some(dists) = parts.iter().position(|part| *part == "dists") else { return false };
    let suite = parts.get(dists + 1).copied().unwrap_or_default();
    let indexes_packages = parts.last().is_some_and(|last| last.starts_with("Packages"));
    let security = suite.ends_with("-security")
        || (parts.get(dists + 2) == Some(&"updates") && parts[..dists].iter().any(|part| part.contains("security")));
    indexes_packages && security
}

/// The paragraphs of a deb822 file (dpkg status, Packages) as field → value of single-line
/// fields; continuation lines are skipped, since none of the fields read spans lines.
fn paragraphs(text: &str) -> impl Iterator<Item = BTreeMap<&str, &str>> {
    text.split("\n\n").map(|paragraph| {
        paragraph
            .lines()
            .filter(|line| !line.starts_with([' ', '\t']))
            .filter_map(|line| line.split_once(':'))
            .map(|(key, value)| (key.trim(), value.trim()))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packages(files: &[(&str, &str)]) -> (Value, Tree) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path.trim_start_matches('/'));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let mut tree = Tree::new(dir.path());
        (collect(&mut tree), tree)
    }

    const STATUS_TEXT: &str = "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11-1~deb12u1\nDescription: x\n continued\n\n\
        Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n\n\
        Package: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\n\
        Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n";

    const SECURITY: &str =
        "/var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages";

    #[test]
    fn a_higher_security_version_is_a_missing_patch() {
        let index = "Package: openssl\nVersion: 3.0.13-1~deb12u1\n\nPackage: openssl\nVersion: 3.0.11-1~deb12u2\n\n\
                     Package: libc6\nVersion: 2.36-9+deb12u3\n";
        let main = "Package: bash\nVersion: 9.9\n";
        let (value, tree) = packages(&[
            (STATUS, STATUS_TEXT),
            (SECURITY, index),
            ("/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages", main),
        ]);
        assert_eq!(
            value,
            json!([
                {"name": "bash", "version": "5.2.15-2+b2", "fixed_version": null},
                {"name": "libc6", "version": "2.36-9+deb12u4", "fixed_version": null},
                {"name": "openssl", "version": "3.0.11-1~deb12u1", "fixed_version": "3.0.13-1~deb12u1"},
            ])
        );
        assert!(tree.report.is_empty());
    }

    #[test]
    fn without_security_indexes_nothing_is_claimed() {
        let (value, tree) = packages(&[(STATUS, STATUS_TEXT)]);
        assert!(value.as_array().unwrap().iter().all(|p| p["fixed_version"].is_null()));
        assert_eq!(tree.report.not_determined[0].fact, "fixed_version");
    }

    #[test]
    fn rpm_hosts_are_reported_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        let mut tree = Tree::new(dir.path());
        assert_eq!(collect(&mut tree), json!([]));
        assert!(tree.report.not_determined[0].reason.contains("rpm"));
    }

    #[test]
    fn security_suites_by_file_name() {
        assert!(is_security("security.ubuntu.com_ubuntu_dists_jammy-security_main_binary-amd64_Packages"));
        assert!(is_security("archive.ubuntu.com_ubuntu_dists_jammy-security_universe_binary-amd64_Packages"));
        assert!(is_security("security.debian.org_debian-security_dists_buster_updates_main_binary-amd64_Packages"));
        assert!(is_security("deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.lz4"));
        assert!(!is_security("archive.ubuntu.com_ubuntu_dists_jammy-updates_main_binary-amd64_Packages"));
        assert!(!is_security("deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages"));
        assert!(!is_security("deb.debian.org_debian-security_dists_bookworm-security_InRelease"));
        assert!(!is_security("lock"));
    }
}
