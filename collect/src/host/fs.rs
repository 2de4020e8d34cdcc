//! Reading files of the host's tree. Every path is resolved inside `root`: a symbolic link's
//! absolute target is taken as relative to `root` and `..` stops at it, so a tree copied from a
//! server (or mounted from its disk) is read as that server would read it, never as this one.
//! What cannot be read is recorded, with the reason, instead of failing the collection.

use std::fs::Metadata;
use std::io::{ErrorKind, Read};
use std::path::{Component, Path, PathBuf};

use super::report::HostReport;

/// Links followed while resolving one path (Linux's own limit is 40).
const MAX_LINKS: usize = 40;

/// The largest file read: package indexes run to tens of MiB; anything larger is not a
/// configuration file and is reported instead of filling memory.
pub(crate) const MAX_FILE: u64 = 256 << 20;

/// The host's tree and what could not be read from it.
#[derive(Debug)]
pub(crate) struct Tree {
    root: PathBuf,
    pub(crate) report: HostReport,
}

impl Tree {
    pub(crate) fn new(root: &Path) -> Tree {
        Tree { root: root.to_owned(), report: HostReport::default() }
    }

    /// Where `path` (as the host names it, e.g. `/etc/shadow`) is on this machine: a path
    /// with no link left in it, so the system cannot follow one out of the tree; `None` past
    /// [`MAX_LINKS`] links (a loop).
    pub(crate) fn resolve(&self, path: &str) -> Option<PathBuf> {
        let mut pending: Vec<String> = components(path).into_iter().rev().collect();
        let mut done: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "." => {}
                ".." => {
                    done.pop();
                }
                _ => {
                    let here = self.join(&done).join(&part);
                    let is_link = std::fs::symlink_metadata(&here).is_ok_and(|meta| meta.file_type().is_symlink());
                    if !is_link {
                        done.push(part);
                        continue;
                    }
                    links += 1;
                    let target = std::fs::read_link(&here).ok().filter(|_| links <= MAX_LINKS)?;
                    if target.is_absolute() {
                        done.clear();
                    }
                    pending.extend(components(&target.to_string_lossy()).into_iter().rev());
                }
            }
        }
        Some(self.join(&done))
    }

    /// [`Tree::resolve`], or the reason recorded for `path`.
    fn real(&mut self, path: &str) -> Option<PathBuf> {
        let real = self.resolve(path);
        if real.is_none() {
            self.report.unreadable(path, "too many levels of symbolic links");
        }
        real
    }

    /// Where `path` is on this machine with its folders resolved but not its last part, to
    /// look at a link itself.
    pub(crate) fn resolve_parent(&self, path: &str) -> Option<PathBuf> {
        let (dir, name) = path.rsplit_once('/')?;
        Some(self.resolve(dir)?.join(name))
    }

    /// The folder the host's tree is at on this machine.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    fn join(&self, parts: &[String]) -> PathBuf {
        let mut path = self.root.clone();
        path.extend(parts);
        path
    }

    /// The text of a regular file; `None` when it does not exist (an absent file is a fact
    /// about the host) or cannot be read (recorded in the report).
    pub(crate) fn read(&mut self, path: &str) -> Option<String> {
        let bytes = self.read_bytes(path)?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The bytes of a regular file (a compressed index, a database), as [`Tree::read`].
    pub(crate) fn read_bytes(&mut self, path: &str) -> Option<Vec<u8>> {
        let real = self.real(path)?;
        let meta = match std::fs::metadata(&real) {
            Ok(meta) => meta,
            Err(err) if err.kind() == ErrorKind::NotFound => return None,
            Err(err) => {
                self.report.unreadable(path, &err.to_string());
                return None;
            }
        };
        if !meta.is_file() {
            self.report.unreadable(path, "not a regular file");
            return None;
        }
        if meta.len() > MAX_FILE {
            self.report.unreadable(path, &format!("larger than {} MiB", MAX_FILE >> 20));
            return None;
        }
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&real).and_then(|file| file.take(MAX_FILE).read_to_end(&mut bytes));
        match read {
            Ok(_) => Some(bytes),
            Err(err) if err.kind() == ErrorKind::NotFound => None,
            Err(err) => {
                self.report.unreadable(path, &err.to_string());
                None
            }
        }
    }

    /// The metadata of `path`, following links inside the tree; `None` when it does not exist
    /// or cannot be examined (recorded).
    pub(crate) fn metadata(&mut self, path: &str) -> Option<Metadata> {
        match std::fs::metadata(self.real(path)?) {
            Ok(meta) => Some(meta),
            Err(err) if err.kind() == ErrorKind::NotFound => None,
            Err(err) => {
                self.report.unreadable(path, &err.to_string());
                None
            }
        }
    }

    /// The names in a folder, sorted; empty when it does not exist or cannot be listed
    /// (recorded). Entries are not followed: a link's name is all the callers need.
    pub(crate) fn list(&mut self, dir: &str) -> Vec<String> {
        let Some(real) = self.real(dir) else { return Vec::new() };
        let entries = match std::fs::read_dir(real) {
            Ok(entries) => entries,
            Err(err) if err.kind() == ErrorKind::NotFound => return Vec::new(),
            Err(err) if err.kind() == ErrorKind::NotADirectory => return Vec::new(),
            Err(err) => {
                self.report.unreadable(dir, &err.to_string());
                return Vec::new();
            }
        };
        let mut names: Vec<String> =
            entries.filter_map(Result::ok).map(|entry| entry.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    /// The paths (as the host names them) matching a glob whose wildcards are in its last part,
    /// sorted, as sshd and the shells order them.
    pub(crate) fn glob(&mut self, pattern: &str) -> Vec<String> {
        let (dir, name) = pattern.rsplit_once('/').unwrap_or(("", pattern));
        if !name.contains(['*', '?', '[']) {
            return vec![pattern.to_owned()];
        }
        let Ok(matcher) = globset::GlobBuilder::new(name).literal_separator(true).build() else {
            self.report.not_determined(pattern, "not a valid glob pattern");
            return Vec::new();
        };
        let matcher = matcher.compile_matcher();
        let dir = if dir.is_empty() { "/" } else { dir };
        self.list(dir)
            .into_iter()
            .filter(|entry| !entry.starts_with('.') || name.starts_with('.'))
            .filter(|entry| matcher.is_match(entry))
            .map(|entry| format!("{}/{entry}", dir.trim_end_matches('/')))
            .collect()
    }
}

/// The normal parts of a path, without the root.
fn components(path: &str) -> Vec<String> {
    Path::new(path)
        .components()
        .filter_map(|part| match part {
            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_owned()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn absolute_links_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc/authselect")).unwrap();
        std::fs::create_dir_all(root.join("etc/pam.d")).unwrap();
        std::fs::write(root.join("etc/authselect/system-auth"), "inside").unwrap();
        symlink("/etc/authselect/system-auth", root.join("etc/pam.d/system-auth")).unwrap();
        symlink("/etc/hostname", root.join("etc/escape")).unwrap();
        symlink("../../../../../../etc/hostname", root.join("etc/climb")).unwrap();
        let mut tree = Tree::new(root);
        assert_eq!(tree.read("/etc/pam.d/system-auth").as_deref(), Some("inside"));
        assert_eq!(tree.resolve("/etc/escape"), Some(root.join("etc/hostname")));
        assert_eq!(tree.resolve("/etc/climb"), Some(root.join("etc/hostname")));
        assert_eq!(tree.read("/etc/escape"), None);
        assert!(tree.report.is_empty());
    }

    #[test]
    fn a_link_loop_ends() {
        let dir = tempfile::tempdir().unwrap();
        symlink("/b", dir.path().join("a")).unwrap();
        symlink("/a", dir.path().join("b")).unwrap();
        let mut tree = Tree::new(dir.path());
        assert_eq!(tree.read("/a"), None);
        assert_eq!(tree.report.unreadable[0].reason, "too many levels of symbolic links");
    }

    #[test]
    fn a_folder_is_not_read_as_a_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("etc")).unwrap();
        let mut tree = Tree::new(dir.path());
        assert_eq!(tree.read("/etc"), None);
        assert_eq!(tree.report.unreadable[0].path, "/etc");
    }

    #[test]
    fn globs_match_names_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/ssh/sshd_config.d")).unwrap();
        for name in ["50-cloud.conf", "10-a.conf", "notes.txt", ".hidden.conf"] {
            std::fs::write(dir.path().join("etc/ssh/sshd_config.d").join(name), "").unwrap();
        }
        let mut tree = Tree::new(dir.path());
        assert_eq!(
            tree.glob("/etc/ssh/sshd_config.d/*.conf"),
            ["/etc/ssh/sshd_config.d/10-a.conf", "/etc/ssh/sshd_config.d/50-cloud.conf"]
        );
        assert_eq!(tree.glob("/etc/ssh/missing/*.conf"), Vec::<String>::new());
        assert_eq!(tree.glob("/etc/ssh/plain"), ["/etc/ssh/plain"]);
    }
}
