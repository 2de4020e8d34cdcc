//! Which system the tree holds (`/etc/os-release`), and its kernel when the tree is live.
//! Defaults that differ between distributions (sshd's PermitRootLogin) are chosen from it.

use super::fs::Tree;

/// The distribution, as `/etc/os-release` names it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Os {
    /// `ID`, e.g. `debian`, `ubuntu`, `rocky`, `centos`.
    pub(crate) id: String,
    /// `ID_LIKE`, e.g. `rhel centos fedora`.
    pub(crate) like: Vec<String>,
    /// `VERSION_ID`, e.g. `12`, `22.04`, `9.3`, `7`.
    pub(crate) version: String,
    /// `PRETTY_NAME`, for a system without the two above.
    pub(crate) pretty: String,
}

impl Os {
    pub(crate) fn read(tree: &mut Tree) -> Os {
        let text = tree.read("/etc/os-release").or_else(|| tree.read("/usr/lib/os-release")).unwrap_or_default();
        let mut os = Os::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else { continue };
            let value = value.trim().trim_matches(['"', '\'']).to_owned();
            match key.trim() {
                "ID" => os.id = value.to_lowercase(),
                "ID_LIKE" => os.like = value.split_whitespace().map(str::to_lowercase).collect(),
                "VERSION_ID" => os.version = value,
                "PRETTY_NAME" => os.pretty = value,
                _ => {}
            }
        }
        // CentOS 7's os-release says only `7`; its release file has the point release the
        // advisories are written against (`CentOS Linux release 7.9.2009 (Core)`).
        if os.id == "centos"
            && !os.version.contains('.')
            && let Some(release) = tree.read("/etc/centos-release")
            && let Some(version) =
                release.split_whitespace().find(|word| word.starts_with(|c: char| c.is_ascii_digit()))
        {
            os.version = version.to_owned();
        }
        os
    }

    /// `id version`, e.g. `ubuntu 22.04`; `None` when the tree does not say.
    pub(crate) fn name(&self) -> Option<String> {
        match (self.id.is_empty(), self.version.is_empty()) {
            (false, false) => Some(format!("{} {}", self.id, self.version)),
            (false, true) => Some(self.id.clone()),
            _ if !self.pretty.is_empty() => Some(self.pretty.clone()),
            _ => None,
        }
    }

    /// Whether it is Red Hat Enterprise Linux or a rebuild of it.
    pub(crate) fn is_rhel_like(&self) -> bool {
        ["rhel", "centos", "rocky", "almalinux", "ol"].contains(&self.id.as_str())
            || self.like.iter().any(|like| like == "rhel")
    }

    /// The major version number, e.g. 22 for `22.04`.
    pub(crate) fn major(&self) -> Option<u32> {
        self.version.split('.').next().and_then(|major| major.parse().ok())
    }
}

/// The kernel release, from `/proc` of a live tree; `None` for a copied tree.
pub(crate) fn kernel(tree: &mut Tree) -> Option<String> {
    let release = tree.read("/proc/sys/kernel/osrelease")?;
    Some(release.trim().to_owned()).filter(|release| !release.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(files: &[(&str, &str)]) -> Os {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc")).unwrap();
        for (path, text) in files {
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        Os::read(&mut Tree::new(dir.path()))
    }

    #[test]
    fn names_come_from_os_release() {
        let ubuntu = os(&[("etc/os-release", "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n")]);
        assert_eq!(ubuntu.name().as_deref(), Some("ubuntu 22.04"));
        assert_eq!(ubuntu.major(), Some(22));
        assert!(!ubuntu.is_rhel_like());
        let rocky = os(&[("etc/os-release", "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n")]);
        assert!(rocky.is_rhel_like());
        assert_eq!(rocky.major(), Some(9));
    }

    #[test]
    fn centos_7_takes_its_point_release() {
        let centos = os(&[
            ("etc/os-release", "ID=\"centos\"\nVERSION_ID=\"7\"\n"),
            ("etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n"),
        ]);
        assert_eq!(centos.name().as_deref(), Some("centos 7.9.2009"));
        assert_eq!(centos.major(), Some(7));
    }

    #[test]
    fn an_unknown_system_has_no_name() {
        assert_eq!(os(&[]).name(), None);
        assert_eq!(os(&[("etc/os-release", "PRETTY_NAME=\"Some Linux\"\n")]).name().as_deref(), Some("Some Linux"));
    }
}
