//! The walk of the host's local file systems for CIS Linux 6.1.10 to 6.1.12: regular files
//! everyone may write, and files and folders whose owner (group) is no account of /etc/passwd
//! (no group of /etc/group).
//!
//! It follows CIS's audit command, `df --local -P | awk '{if (NR!=1) print $6}' | xargs -I '{}'
//! find '{}' -xdev …`: one walk per local file system mounted below the root, none crossing into
//! another device, links never followed. Network file systems (NFS, CIFS, a source with `:`,
//! the other types coreutils' `df --local` leaves out) and pseudo ones (proc, sysfs, cgroup and
//! the rest with no blocks, which `df` hides) are not walked, and neither are /proc, /sys, /dev
//! and /run, which hold the running system's state, not files at rest. The mounts are those of
//! the machine running rulec (`/proc/self/mountinfo`): it is the one that sees where a device
//! starts below the root, whether the root is `/` or a mounted copy of a disk.
//!
//! The walk is bounded: it stops after [`MAX_ENTRIES`] entries, and each list keeps its first
//! [`MAX_LISTED`] paths (in walk order: mounts by path, names sorted) with a count of all. What
//! stops the walk or hides a folder from it is recorded (`truncated`, `unreadable`), so that a
//! partial walk is never read as a clean one.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::fs::Tree;

/// The most entries (files, folders, links, devices) one collection examines. A server's
/// system files are a few hundred thousand; past this the rest is data, and the walk stops
/// and says so rather than take minutes.
pub(crate) const MAX_ENTRIES: u64 = 1_000_000;

/// The most paths each list keeps; the count goes on.
pub(crate) const MAX_LISTED: usize = 100;

/// The host paths never walked: the running kernel's and the boot's state, not files at rest.
const SKIPPED: [&str; 4] = ["/proc", "/sys", "/dev", "/run"];

/// The running machine's mount table.
const MOUNTINFO: &str = "/proc/self/mountinfo";

/// File systems on another machine, as coreutils' `df --local` (gnulib `ME_REMOTE`) tells them:
/// besides these, any whose source has a `:` (`server:/export`) or is `//server/share`.
const REMOTE_TYPES: [&str; 14] = [
    "nfs",
    "nfs4",
    "cifs",
    "smbfs",
    "smb3",
    "acfs",
    "afs",
    "coda",
    "auristorfs",
    "fhgfs",
    "gpfs",
    "ibrix",
    "ocfs2",
    "vxfs",
];

/// File systems with no files at rest: gnulib's `ME_DUMMY` types and the kernel's block-less
/// ones that `df` hides.
const PSEUDO_TYPES: [&str; 26] = [
    "autofs",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "configfs",
    "debugfs",
    "devfs",
    "devpts",
    "efivarfs",
    "fusectl",
    "fuse.portal",
    "hugetlbfs",
    "ignore",
    "kernfs",
    "mqueue",
    "none",
    "nsfs",
    "proc",
    "pstore",
    "ramfs",
    "rpc_pipefs",
    "securityfs",
    "selinuxfs",
    "sysfs",
    "tracefs",
];

/// Paths found, the first [`MAX_LISTED`] of them kept.
#[derive(Debug, Default)]
struct Listed {
    paths: Vec<String>,
    total: u64,
}

impl Listed {
    fn push(&mut self, path: &str) {
        self.total += 1;
        if self.paths.len() < MAX_LISTED {
            self.paths.push(path.to_owned());
        }
    }

    fn value(&self) -> Value {
        json!({ "paths": self.paths, "total": self.total })
    }
}

/// A mount of the running machine.
#[derive(Debug, PartialEq, Eq)]
struct Mount {
    point: PathBuf,
    local: bool,
    /// Whether the whole file system is mounted there, not a folder of it (a bind mount).
    whole: bool,
}

/// What the walk found.
#[derive(Debug, Default)]
struct Walk {
    entries: u64,
    truncated: bool,
    unreadable: Listed,
    world_writable: Listed,
    unowned: Listed,
    ungrouped: Listed,
}

/// The ids files may have: the accounts' uids and the groups' gids; `None` when the database
/// could not be read, and then that list is not kept.
struct Known {
    uids: Option<BTreeSet<i64>>,
    gids: Option<BTreeSet<i64>>,
}

/// The `file_walk` record.
pub(crate) fn collect(tree: &mut Tree) -> Value {
    let (uids, gids) = super::accounts::known_ids(tree);
    let known = Known { uids, gids };
    for (ids, database) in [(&known.uids, "unowned (/etc/passwd)"), (&known.gids, "ungrouped (/etc/group)")] {
        if ids.is_none() {
            tree.report.not_determined(
                &format!("file_walk.{database}"),
                "the database cannot be read: files without an owner or group are not listed",
            );
        }
    }
    let mounts = std::fs::read_to_string(MOUNTINFO).ok().map(|text| parse_mountinfo(&text));
    if mounts.is_none() {
        tree.report.not_determined(
            "file_walk",
            &format!("{MOUNTINFO} cannot be read: file systems mounted below the root are not walked"),
        );
    }
    let walk = walk(tree.root(), mounts.as_deref(), &known);
    if walk.truncated {
        tree.report
            .not_determined("file_walk", &format!("stopped after {MAX_ENTRIES} entries: the rest was not examined"));
    }
    if walk.unreadable.total > 0 {
        let reason = format!("{} folders could not be walked (see file_walk.unreadable)", walk.unreadable.total);
        tree.report.not_determined("file_walk", &reason);
    }
    let owners = |listed: &Listed, ids: &Option<BTreeSet<i64>>| ids.as_ref().map(|_| listed.value());
    json!({
        "entries": walk.entries,
        "truncated": walk.truncated,
        "unreadable": walk.unreadable.value(),
        "world_writable": walk.world_writable.value(),
        "unowned": owners(&walk.unowned, &known.uids),
        "ungrouped": owners(&walk.ungrouped, &known.gids),
    })
}

/// Walks `root` and each local file system mounted below it (all of `mounts`; none without).
fn walk(root: &Path, mounts: Option<&[Mount]>, known: &Known) -> Walk {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    let mut starts = vec![root.clone()];
    if let Some(mounts) = mounts {
        let mut below: Vec<&Mount> = mounts
            .iter()
            .filter(|mount| mount.local && mount.point != root && mount.point.starts_with(&root))
            .filter(|mount| !skipped(&host_path(&root, &mount.point)))
            .collect();
        // Whole file systems first, so that a bind mount of one of their folders adds nothing.
        below.sort_by_key(|mount| (!mount.whole, &mount.point));
        starts.extend(below.into_iter().map(|mount| mount.point.clone()));
    }
    let mut walk = Walk::default();
    // Each device once: the walk from the root covers whatever of it lies below the root, a
    // device mounted twice (bind mounts) is walked from its first mount.
    let mut walked = BTreeSet::new();
    for start in starts {
        let Ok(meta) = std::fs::metadata(&start) else { continue };
        if walked.insert(meta.dev()) {
            walk.file_system(&root, &start, meta.dev(), mounts.is_some(), known);
        }
        if walk.truncated {
            break;
        }
    }
    walk
}

impl Walk {
    /// Walks the file system of `start` (device `device`) without leaving it. A folder on
    /// another device is a mount: walked from its own start when it is local, left out when
    /// it is not, and recorded as unreadable when there is no mount table to tell.
    fn file_system(&mut self, root: &Path, start: &Path, device: u64, mounts_known: bool, known: &Known) {
        let mut entries = walkdir::WalkDir::new(start)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| !skipped(&host_path(root, entry.path())));
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    if err.io_error().is_none_or(|io| io.kind() != ErrorKind::NotFound) {
                        let path = err.path().map_or_else(|| host_path(root, start), |path| host_path(root, path));
                        self.unreadable.push(&path);
                    }
                    continue;
                }
            };
            let path = host_path(root, entry.path());
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                // Removed while the walk went by.
                Err(err) if err.io_error().is_some_and(|io| io.kind() == ErrorKind::NotFound) => continue,
                Err(_) => {
                    self.unreadable.push(&path);
                    continue;
                }
            };
            if entry.depth() > 0 && meta.dev() != device {
                if meta.is_dir() {
                    entries.skip_current_dir();
                }
                if !mounts_known {
                    self.unreadable.push(&path);
                }
                continue;
            }
            if self.entries == MAX_ENTRIES {
                self.truncated = true;
                return;
            }
            self.entries += 1;
            if meta.file_type().is_file() && meta.mode() & 0o002 != 0 {
                self.world_writable.push(&path);
            }
            if known.uids.as_ref().is_some_and(|uids| !uids.contains(&i64::from(meta.uid()))) {
                self.unowned.push(&path);
            }
            if known.gids.as_ref().is_some_and(|gids| !gids.contains(&i64::from(meta.gid()))) {
                self.ungrouped.push(&path);
            }
        }
    }
}

/// Whether the host path is one of [`SKIPPED`] or below one.
fn skipped(path: &str) -> bool {
    SKIPPED.iter().any(|skip| path.strip_prefix(skip).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
}

/// `path` (below `root` on this machine) as the host names it: `/etc/passwd`.
fn host_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path).to_string_lossy();
    format!("/{}", relative.trim_start_matches('/'))
}

/// The mounts of a `/proc/<pid>/mountinfo`: `id parent major:minor root point options
/// [optional…] - type source super-options`. Lines in another form are left out.
fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (before, after) = line.split_once(" - ")?;
            let mut before = before.split(' ').skip(3);
            let (subtree, point) = (before.next()?, before.next()?);
            let mut after = after.split(' ');
            let (kind, source) = (after.next()?, after.next().unwrap_or(""));
            Some(Mount { point: PathBuf::from(unescape(point)), local: is_local(kind, source), whole: subtree == "/" })
        })
        .collect()
}

/// Whether `df --local` lists a file system of type `kind` from `source`.
fn is_local(kind: &str, source: &str) -> bool {
    let remote = source.contains(':')
        || (source.starts_with("//") && ["smbfs", "smb3", "cifs"].contains(&kind))
        || REMOTE_TYPES.contains(&kind)
        || source == "-hosts";
    !remote && !PSEUDO_TYPES.contains(&kind)
}

/// A mountinfo field with the kernel's octal escapes (`\040` for a space) undone.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).filter(|digits| digits.iter().all(|d| (b'0'..=b'7').contains(d)));
        match (bytes[i], octal) {
            (b'\\', Some(digits)) => {
                let value = digits.iter().fold(0u32, |n, d| n * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    /// The ids of the user running the tests, who owns what the tests create.
    fn own_ids(dir: &Path) -> (i64, i64) {
        let meta = std::fs::metadata(dir).expect("stat");
        (i64::from(meta.uid()), i64::from(meta.gid()))
    }

    /// A tree whose /etc/passwd and /etc/group have an account and a group for the test's user
    /// when `known`, and only ids nobody runs as otherwise.
    fn tree(known: bool) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let (uid, gid) = own_ids(dir.path());
        let (uid, gid) = if known { (uid, gid) } else { (uid + 7001, gid + 7001) };
        crate::host::write_tree(
            dir.path(),
            &[
                ("/etc/passwd", &format!("#{uid}\n+::::::\nme:x:{uid}:{gid}::/home/me:/bin/sh\n")),
                ("/etc/group", &format!("me:x:{gid}:\n")),
            ],
        );
        dir
    }

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    fn collect_at(dir: &Path) -> (Value, Tree) {
        let mut tree = Tree::new(dir);
        (collect(&mut tree), tree)
    }

    #[test]
    fn world_writable_regular_files_are_listed_but_not_folders_or_links() {
        let dir = tree(true);
        let root = dir.path();
        crate::host::write_tree(root, &[("/srv/app/upload.log", ""), ("/srv/app/ok.conf", ""), ("/tmp/.keep", "")]);
        chmod(&root.join("srv/app/upload.log"), 0o666);
        chmod(&root.join("srv/app/ok.conf"), 0o644);
        // CIS 1.1.21 allows world-writable folders with the sticky bit; 6.1.10 is about files.
        chmod(&root.join("tmp"), 0o1777);
        std::fs::create_dir(root.join("srv/drop")).expect("mkdir");
        chmod(&root.join("srv/drop"), 0o777);
        // A link's own mode is 0777 on Linux and means nothing; its target is what is judged.
        symlink("/srv/app/ok.conf", root.join("srv/link")).expect("symlink");
        let (value, tree) = collect_at(root);
        assert_eq!(value["world_writable"], json!({"paths": ["/srv/app/upload.log"], "total": 1}));
        assert_eq!(value["unowned"], json!({"paths": [], "total": 0}));
        assert_eq!(value["ungrouped"], json!({"paths": [], "total": 0}));
        assert_eq!(value["unreadable"], json!({"paths": [], "total": 0}));
        assert_eq!(value["truncated"], false);
        // The root, etc, passwd, group, srv, app, ok.conf, upload.log, drop, link, tmp, .keep.
        assert_eq!(value["entries"], 12);
        assert!(tree.report.is_empty(), "{:?}", tree.report);
    }

    #[test]
    fn files_of_no_account_or_group_are_unowned_and_ungrouped() {
        let dir = tree(false);
        crate::host::write_tree(dir.path(), &[("/home/gone/notes.txt", "")]);
        let (value, _) = collect_at(dir.path());
        let all = ["/", "/etc", "/etc/group", "/etc/passwd", "/home", "/home/gone", "/home/gone/notes.txt"];
        assert_eq!(value["unowned"], json!({"paths": all, "total": 7}));
        assert_eq!(value["ungrouped"], json!({"paths": all, "total": 7}));
    }

    #[test]
    fn without_the_account_databases_owners_are_not_judged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (value, tree) = collect_at(dir.path());
        assert_eq!(value["unowned"], Value::Null);
        assert_eq!(value["ungrouped"], Value::Null);
        let facts: Vec<&str> = tree.report.not_determined.iter().map(|n| n.fact.as_str()).collect();
        assert_eq!(facts, ["file_walk.unowned (/etc/passwd)", "file_walk.ungrouped (/etc/group)"]);
    }

    #[test]
    fn lists_are_capped_and_counted() {
        let dir = tree(true);
        let files: Vec<(String, &str)> = (0..MAX_LISTED + 5).map(|n| (format!("/data/{n:04}"), "")).collect();
        let files: Vec<(&str, &str)> = files.iter().map(|(path, text)| (path.as_str(), *text)).collect();
        crate::host::write_tree(dir.path(), &files);
        for (path, _) in &files {
            chmod(&dir.path().join(path.trim_start_matches('/')), 0o666);
        }
        let (value, _) = collect_at(dir.path());
        let listed = value["world_writable"]["paths"].as_array().expect("paths");
        assert_eq!(
            (listed.len(), &listed[0], &value["world_writable"]["total"]),
            (MAX_LISTED, &json!("/data/0000"), &json!(105))
        );
    }

    #[test]
    fn proc_sys_dev_and_run_are_not_walked() {
        let dir = tree(true);
        let root = dir.path();
        crate::host::write_tree(
            root,
            &[("/proc/1/environ", ""), ("/sys/x", ""), ("/dev/shm/y", ""), ("/run/z", ""), ("/running/w", "")],
        );
        for path in ["proc/1/environ", "sys/x", "dev/shm/y", "run/z", "running/w"] {
            chmod(&root.join(path), 0o666);
        }
        let (value, _) = collect_at(root);
        assert_eq!(value["world_writable"]["paths"], json!(["/running/w"]));
    }

    #[test]
    fn the_walk_stops_at_its_limit() {
        let dir = tree(true);
        let mut walk = Walk { entries: MAX_ENTRIES - 2, ..Walk::default() };
        let known = Known { uids: None, gids: None };
        let device = std::fs::metadata(dir.path()).expect("stat").dev();
        walk.file_system(dir.path(), dir.path(), device, true, &known);
        assert!(walk.truncated);
        assert_eq!(walk.entries, MAX_ENTRIES);
    }

    /// Root reads any folder, so a folder without permissions is only unreadable for others.
    #[test]
    fn a_folder_that_cannot_be_listed_is_recorded() {
        let dir = tree(true);
        crate::host::write_tree(dir.path(), &[("/root/.ssh/id_rsa", "")]);
        let locked = dir.path().join("root");
        chmod(&locked, 0o000);
        let listable = std::fs::read_dir(&locked).is_ok();
        let (value, tree) = collect_at(dir.path());
        chmod(&locked, 0o700);
        if listable {
            assert_eq!(value["unreadable"]["total"], 0);
        } else {
            assert_eq!(value["unreadable"], json!({"paths": ["/root"], "total": 1}));
            assert_eq!(
                tree.report.not_determined[0].reason,
                "1 folders could not be walked (see file_walk.unreadable)"
            );
        }
    }

    /// Mounts need privileges the tests may not have: here the "mounts" are folders of the
    /// root's own device, which the walk from the root already covers, and are not walked again.
    #[test]
    fn a_device_is_walked_once() {
        let dir = tree(true);
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        crate::host::write_tree(&root, &[("/home/a", ""), ("/mnt/nfs/b", ""), ("/srv/c", "")]);
        let mount = |point: &str, local, whole| Mount { point: root.join(point), local, whole };
        let mounts = [mount("srv", true, false), mount("home", true, true), mount("mnt/nfs", false, true)];
        let known = Known { uids: None, gids: None };
        let with = walk(&root, Some(&mounts), &known);
        let without = walk(&root, None, &known);
        // The root, etc, group, passwd, home, a, mnt, nfs, b, srv, c.
        assert_eq!((with.entries, without.entries), (11, 11));
        assert_eq!(with.unreadable.total, 0);
    }

    /// Without a mount table a folder on another device cannot be told local or not: it is
    /// not entered, and is recorded. Here a wrong device number makes every entry "another".
    #[test]
    fn without_a_mount_table_another_device_is_unreadable() {
        let dir = tree(true);
        let mut walk = Walk::default();
        let known = Known { uids: None, gids: None };
        let device = std::fs::metadata(dir.path()).expect("stat").dev();
        walk.file_system(dir.path(), dir.path(), device + 1, false, &known);
        assert_eq!((walk.entries, &walk.unreadable.paths[..]), (1, &["/etc".to_owned()][..]));
    }

    #[test]
    fn mountinfo_lines_say_where_and_what() {
        let text = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n\
            22 27 0:21 / /proc rw,relatime - proc proc rw\n\
            40 27 0:40 / /mnt/my\\040share rw shared:5 - cifs //nas/share rw\n\
            41 27 0:41 / /srv/nfs rw - nfs4 nas:/export rw\n\
            42 27 0:42 / /var/lib/containers rw - overlay overlay rw\n\
            43 27 0:43 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n\
            not a mount line\n";
        let mounts: Vec<(String, bool)> = parse_mountinfo(text)
            .into_iter()
            .map(|mount| (mount.point.to_string_lossy().into_owned(), mount.local))
            .collect();
        assert_eq!(
            mounts,
            [
                ("/".to_owned(), true),
                ("/proc".to_owned(), false),
                ("/mnt/my share".to_owned(), false),
                ("/srv/nfs".to_owned(), false),
                ("/var/lib/containers".to_owned(), true),
                ("/sys/fs/cgroup".to_owned(), false),
            ]
        );
    }
}
