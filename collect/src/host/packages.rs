//! Installed packages and the security updates they miss, from the package manager's own data.
//!
//! Debian / Ubuntu: installed versions from `/var/lib/dpkg/status`; a package misses a
//! security update when an index of a security suite under `/var/lib/apt/lists`
//! (`…_dists_<codename>-security_…_Packages`, or Debian 10's `…-security_dists_<codename>_updates_…`),
//! plain or compressed, offers a higher version, in dpkg's ordering. That index is only as
//! fresh as the host's last `apt-get update`: an update published after it is not seen.
//!
//! RPM hosts: installed packages from the rpm database when it is SQLite (`rpmdb.sqlite`, RHEL
//! 9 and Fedora 33 on, [`rpmdb`]); a package misses a security update when a security advisory
//! in dnf's cache ([`updateinfo`]) ships a higher EVR of the same name and arch. The Berkeley
//! DB of older releases (RHEL / CentOS 7 and 8) is not read, and the report says so; nothing
//! is guessed.

use std::collections::BTreeMap;

use debversion::Version;
use serde_json::{Value, json};

use super::compressed;
use super::evr::Evr;
use super::fs::Tree;
use super::{rpmdb, updateinfo};

const STATUS: &str = "/var/lib/dpkg/status";
const LISTS: &str = "/var/lib/apt/lists";

/// Where rpm keeps its SQLite database: Fedora moved it to `/usr/lib/sysimage` (leaving a link
/// at the old place); RHEL 9 keeps it in `/var/lib/rpm`.
const RPM_SQLITE: [&str; 2] = ["/usr/lib/sysimage/rpm/rpmdb.sqlite", "/var/lib/rpm/rpmdb.sqlite"];

/// The Berkeley DB rpm database of RHEL / CentOS 7 and 8.
const RPM_BDB: [&str; 2] = ["/var/lib/rpm/Packages", "/usr/lib/sysimage/rpm/Packages"];

/// The pseudo-package rpm records for each imported signing key: a key, not software.
const GPG_PUBKEY: &str = "gpg-pubkey";

/// The `[HostPackage]` list, sorted by name and version.
pub(crate) fn collect(tree: &mut Tree) -> Value {
    if let Some(status) = tree.read(STATUS) {
        return dpkg(tree, &status);
    }
    if tree.report.is_unreadable(STATUS) {
        tree.report.not_determined("packages", &format!("{STATUS} cannot be read: no package is listed"));
    } else if let Some(db) = RPM_SQLITE.into_iter().find(|db| tree.metadata(db).is_some_and(|meta| meta.is_file())) {
        return rpm(tree, db);
    } else if let Some(db) = RPM_BDB.into_iter().find(|db| tree.metadata(db).is_some()) {
        let reason = format!(
            "{db} is a Berkeley DB rpm database (RHEL / CentOS 7 and 8), which rulec does not read (no \
             maintained Rust reader of it exists): installed packages and missing security updates are not collected"
        );
        tree.report.not_determined("packages", &reason);
    } else {
        tree.report.not_determined("packages", "no package database found (dpkg or rpm): no package is listed");
    }
    json!([])
}

/// The packages of the rpm database at `db`, each with the highest security fix it misses.
fn rpm(tree: &mut Tree, db: &str) -> Value {
    let read = tree
        .resolve(db)
        .ok_or_else(|| "too many levels of symbolic links".to_owned())
        .and_then(|real| rpmdb::read(&real));
    let database = match read {
        Ok(database) => database,
        Err(reason) => {
            let reason = format!("{db} cannot be read as an rpm database ({reason}): no package is listed");
            tree.report.not_determined("packages", &reason);
            return json!([]);
        }
    };
    let wal = format!("{db}-wal");
    if let Some(meta) = tree.metadata(&wal).filter(|meta| meta.len() > 0) {
        let reason = format!(
            "{wal} holds {} bytes not yet merged into the database (rpm was running, or stopped mid-way): \
             the latest package changes may be missing; the database is read without writing to it",
            meta.len()
        );
        tree.report.not_determined("packages", &reason);
    }
    if let Some((hnum, reason)) = database.malformed.first() {
        let reason = format!(
            "{} of {} headers in {db} cannot be parsed (the first, row {hnum}: {reason}): those packages are not listed",
            database.malformed.len(),
            database.malformed.len() + database.packages.len()
        );
        tree.report.not_determined("packages", &reason);
    }
    let mut installed: Vec<rpmdb::Installed> =
        database.packages.into_iter().filter(|package| package.name != GPG_PUBKEY).collect();
    installed.sort_by(|a, b| {
        (&a.name, &a.evr, &a.arch)
            .cmp(&(&b.name, &b.evr, &b.arch))
            .then_with(|| a.evr.to_string().cmp(&b.evr.to_string()))
    });
    let fixes = updateinfo::cached(tree).map(|fixes| missing(&installed, fixes));
    let mut packages: Vec<Value> = installed
        .iter()
        .map(|package| {
            let fixed = package.arch.as_ref().and_then(|arch| fixes.as_ref()?.get(&(package.name.clone(), arch.clone())));
            json!({"name": package.name, "version": package.evr.to_string(), "fixed_version": fixed.map(Evr::to_string)})
        })
        .collect();
    // A package installed for two arches at one version is one entry.
    packages.dedup();
    Value::Array(packages)
}

/// The highest security fix of each (name, arch) that is newer than every installed package
/// of that name and arch: an older kernel kept beside a patched one is not a missing patch,
/// as dnf judges it.
fn missing(installed: &[rpmdb::Installed], fixes: Vec<updateinfo::Fix>) -> BTreeMap<(String, String), Evr> {
    let mut newest: BTreeMap<(&str, &str), &Evr> = BTreeMap::new();
    for package in installed {
        let Some(arch) = &package.arch else { continue };
        let slot = newest.entry((&package.name, arch)).or_insert(&package.evr);
        if **slot < package.evr {
            *slot = &package.evr;
        }
    }
    let mut highest: BTreeMap<(String, String), Evr> = BTreeMap::new();
    for fix in fixes {
        let Some(current) = newest.get(&(fix.name.as_str(), fix.arch.as_str())) else { continue };
        if **current < fix.evr
            && highest.get(&(fix.name.clone(), fix.arch.clone())).is_none_or(|known| *known < fix.evr)
        {
            highest.insert((fix.name, fix.arch), fix.evr);
        }
    }
    highest
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
        let path = format!("{LISTS}/{name}");
        let Some(bytes) = tree.read_bytes(&path) else { continue };
        // Compressed when apt keeps its lists so (`Acquire::GzipIndexes`, as container images do).
        let text = match compressed::decode(&name, bytes) {
            Ok(text) => String::from_utf8_lossy(&text).into_owned(),
            Err(reason) => {
                tree.report.not_determined(&path, &format!("a package index {reason}: its updates are not seen"));
                continue;
            }
        };
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
        crate::host::write_tree(dir.path(), files);
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
    fn a_compressed_security_index_is_read() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"Package: openssl\nVersion: 3.0.13-1~deb12u1\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let lists = dir.path().join("var/lib/apt/lists");
        std::fs::create_dir_all(&lists).unwrap();
        std::fs::create_dir_all(dir.path().join("var/lib/dpkg")).unwrap();
        std::fs::write(dir.path().join("var/lib/dpkg/status"), STATUS_TEXT).unwrap();
        let name = "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages";
        std::fs::write(lists.join(format!("{name}.gz")), gz.finish().unwrap()).unwrap();
        std::fs::write(lists.join(format!("{name}.lz4")), "not lz4").unwrap();
        let mut tree = Tree::new(dir.path());
        let value = collect(&mut tree);
        assert_eq!(
            value[2],
            json!({"name": "openssl", "version": "3.0.11-1~deb12u1", "fixed_version": "3.0.13-1~deb12u1"})
        );
        assert_eq!(tree.report.not_determined.len(), 1);
        assert_eq!(tree.report.not_determined[0].fact, format!("{LISTS}/{name}.lz4"));
    }

    #[test]
    fn a_berkeley_db_rpm_host_is_reported_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        std::fs::write(dir.path().join("var/lib/rpm/Packages"), "").unwrap();
        let mut tree = Tree::new(dir.path());
        assert_eq!(collect(&mut tree), json!([]));
        assert!(tree.report.not_determined[0].reason.contains("Berkeley DB"));
    }

    /// A tree with an rpmdb.sqlite holding these header blobs, and these files.
    fn rpm_tree(blobs: &[Vec<u8>], files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let rpm = dir.path().join("var/lib/rpm");
        std::fs::create_dir_all(&rpm).unwrap();
        let db = rusqlite::Connection::open(rpm.join("rpmdb.sqlite")).unwrap();
        db.execute_batch("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)").unwrap();
        for blob in blobs {
            db.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob]).unwrap();
        }
        crate::host::write_tree(dir.path(), files);
        dir
    }

    const REPOMD: &str =
        r#"<repomd><data type="updateinfo"><location href="repodata/ab-updateinfo.xml"/></data></repomd>"#;

    const UPDATEINFO: &str = r#"<updates>
        <update type="security"><pkglist><collection>
          <package name="glibc" epoch="0" version="2.34" release="83.el9_3.7" arch="x86_64"/>
          <package name="glibc" epoch="0" version="2.34" release="83.el9_3.7" arch="i686"/>
          <package name="kernel-core" epoch="0" version="5.14.0" release="362.13.1.el9_3" arch="x86_64"/>
        </collection></pkglist></update>
        <update type="security"><pkglist><collection>
          <package name="glibc" epoch="0" version="2.34" release="83.el9_3.12" arch="x86_64"/>
        </collection></pkglist></update>
      </updates>"#;

    #[test]
    fn rpm_packages_miss_the_highest_newer_security_fix() {
        use super::rpmdb::tests::package;
        let blobs = [
            package("glibc", None, "2.34", "83.el9_3", "x86_64"),
            package("glibc", None, "2.34", "83.el9_3", "i686"),
            package("kernel-core", None, "5.14.0", "362.8.1.el9_3", "x86_64"),
            package("kernel-core", None, "5.14.0", "362.13.1.el9_3", "x86_64"),
            package("gpg-pubkey", None, "8e5df684", "6b148abc", "(none)"),
            package("bash", Some(0), "5.1.8", "6.el9_1", "x86_64"),
        ];
        let dir = rpm_tree(
            &blobs,
            &[
                ("/var/cache/dnf/baseos-0123/repodata/repomd.xml", REPOMD),
                ("/var/cache/dnf/baseos-0123/repodata/ab-updateinfo.xml", UPDATEINFO),
                ("/var/cache/dnf/baseos.solv", ""),
            ],
        );
        let mut tree = Tree::new(dir.path());
        assert_eq!(
            collect(&mut tree),
            json!([
                {"name": "bash", "version": "5.1.8-6.el9_1", "fixed_version": null},
                {"name": "glibc", "version": "2.34-83.el9_3", "fixed_version": "2.34-83.el9_3.7"},
                {"name": "glibc", "version": "2.34-83.el9_3", "fixed_version": "2.34-83.el9_3.12"},
                {"name": "kernel-core", "version": "5.14.0-362.8.1.el9_3", "fixed_version": null},
                {"name": "kernel-core", "version": "5.14.0-362.13.1.el9_3", "fixed_version": null},
            ])
        );
        assert!(tree.report.is_empty(), "{:?}", tree.report);
    }

    /// Fedora: the database in /usr/lib/sysimage/rpm (with /var/lib/rpm a link to it), dnf5's
    /// cache, and only the zchunk copy of the advisories cached though repomd.xml lists both.
    #[test]
    fn a_fedora_layout_with_zchunk_advisories() {
        use super::rpmdb::tests::package;
        let repomd = r#"<repomd>
            <data type="updateinfo"><location href="repodata/aa-updateinfo.xml.xz"/></data>
            <data type="updateinfo_zck"><location href="repodata/bb-updateinfo.xml.zck"/></data>
          </repomd>"#;
        let dir = rpm_tree(
            &[package("less", None, "590", "2.el9", "x86_64")],
            &[("/var/cache/libdnf5/updates-5678/repodata/repomd.xml", repomd)],
        );
        let zck = include_bytes!("../../tests/zchunk/dictionary.xml.zck");
        std::fs::write(dir.path().join("var/cache/libdnf5/updates-5678/repodata/bb-updateinfo.xml.zck"), zck).unwrap();
        let sysimage = dir.path().join("usr/lib/sysimage");
        std::fs::create_dir_all(&sysimage).unwrap();
        std::fs::rename(dir.path().join("var/lib/rpm"), sysimage.join("rpm")).unwrap();
        std::os::unix::fs::symlink("../../usr/lib/sysimage/rpm", dir.path().join("var/lib/rpm")).unwrap();
        let mut tree = Tree::new(dir.path());
        assert_eq!(
            collect(&mut tree),
            json!([{"name": "less", "version": "590-2.el9", "fixed_version": "590-2.el9_2"}])
        );
        assert!(tree.report.is_empty(), "{:?}", tree.report);
    }

    #[test]
    fn an_rpm_host_without_cached_advisories_claims_nothing() {
        use super::rpmdb::tests::package;
        let dir = rpm_tree(&[package("bash", None, "5.1.8", "6.el9_1", "x86_64"), vec![0; 8], vec![1]], &[]);
        std::fs::write(dir.path().join("var/lib/rpm/rpmdb.sqlite-wal"), "pending").unwrap();
        let mut tree = Tree::new(dir.path());
        assert_eq!(collect(&mut tree), json!([{"name": "bash", "version": "5.1.8-6.el9_1", "fixed_version": null}]));
        let reasons: Vec<(&str, &str)> =
            tree.report.not_determined.iter().map(|n| (n.fact.as_str(), n.reason.as_str())).collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].1.starts_with("/var/lib/rpm/rpmdb.sqlite-wal holds 7 bytes"));
        assert!(reasons[1].1.starts_with(
            "2 of 3 headers in /var/lib/rpm/rpmdb.sqlite cannot be parsed (the first, row 2: no NAME tag)"
        ));
        assert_eq!(reasons[2].0, "fixed_version");
        assert!(reasons[2].1.starts_with("dnf's cache holds no repository metadata"));
    }

    #[test]
    fn an_unreadable_rpm_database_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
        std::fs::write(dir.path().join("var/lib/rpm/rpmdb.sqlite"), "").unwrap();
        let mut tree = Tree::new(dir.path());
        assert_eq!(collect(&mut tree), json!([]));
        assert_eq!(
            tree.report.not_determined[0].reason,
            "/var/lib/rpm/rpmdb.sqlite cannot be read as an rpm database (no such table: Packages): no package is listed"
        );
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
