//! Security advisories of rpm hosts, from the repository metadata dnf keeps in its cache: each
//! repository's `repodata/repomd.xml` names its `updateinfo.xml` (the advisories, as
//! createrepo_c writes them and dnf reads them), kept beside it, usually compressed. Only
//! `<update type="security">` advisories count; bug-fix and enhancement advisories do not.
//!
//! The cache is only as fresh as dnf's last metadata refresh (`dnf makecache`, `dnf
//! check-update`, any install): an advisory published after it is not seen. Nothing is
//! downloaded.

use std::collections::BTreeSet;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::compressed;
use super::evr::Evr;
use super::fs::Tree;

/// dnf 4's cache (RHEL 8 and 9, Fedora before 41) and dnf5's (Fedora 41 on); one folder per
/// repository, `<repo id>-<hash>`.
const CACHES: [&str; 2] = ["/var/cache/dnf", "/var/cache/libdnf5"];

/// Where dnf records the module streams it enabled, one `<module>.module` file each.
const MODULES: &str = "/etc/dnf/modules.d";

/// One package a security advisory ships: an installed package of this name and arch with a
/// lower EVR misses it.
#[derive(Clone, Debug)]
pub(crate) struct Fix {
    pub(crate) name: String,
    pub(crate) arch: String,
    pub(crate) evr: Evr,
}

/// One `<package>` of a security advisory, with the module stream its collection is for.
#[derive(Debug)]
struct Entry {
    fix: Fix,
    /// `name:stream` of a modular collection; such a fix applies only where that stream is
    /// enabled (as dnf decides), since other streams ship other versions of the same names.
    module: Option<String>,
}

/// The security fixes in dnf's cache, from every cached repository that has advisories, for
/// the packages of enabled module streams and non-modular packages; `None`, reported, when no
/// cached repository has any, so that nothing is claimed.
pub(crate) fn cached(tree: &mut Tree) -> Option<Vec<Fix>> {
    let mut repositories = 0;
    let mut entries: Option<Vec<Entry>> = None;
    for cache in CACHES {
        for repo in tree.list(cache) {
            // Beside the repository folders, dnf keeps files of its own (`*.solv`, `last_makecache`).
            if !tree.metadata(&format!("{cache}/{repo}")).is_some_and(|meta| meta.is_dir()) {
                continue;
            }
            let repodata = format!("{cache}/{repo}/repodata");
            let files = match tree.read(&format!("{repodata}/repomd.xml")) {
                Some(repomd) => {
                    repositories += 1;
                    match locations(&repomd) {
                        Ok(files) => files,
                        Err(reason) => {
                            tree.report.not_determined(&format!("{repodata}/repomd.xml"), &reason);
                            continue;
                        }
                    }
                }
                // dnf always keeps repomd.xml; without it, take what the folder holds.
                None => tree
                    .glob(&format!("{repodata}/*updateinfo.xml*"))
                    .into_iter()
                    .filter_map(|path| path.rsplit_once('/').map(|(_, name)| name.to_owned()))
                    .collect(),
            };
            if files.is_empty() {
                continue;
            }
            let Some(name) = files.iter().find(|name| tree.metadata(&format!("{repodata}/{name}")).is_some()) else {
                let reason = "repomd.xml lists advisories (updateinfo) that are not in the cache: this \
                              repository's security updates are not seen";
                tree.report.not_determined(&format!("{cache}/{repo}"), reason);
                continue;
            };
            let path = format!("{repodata}/{name}");
            let Some(bytes) = tree.read_bytes(&path) else { continue };
            let parsed = compressed::decode(name, bytes).and_then(|xml| {
                let xml = String::from_utf8(xml).map_err(|_| "not UTF-8".to_owned())?;
                parse(&xml)
            });
            match parsed {
                Ok(found) => entries.get_or_insert_default().extend(found),
                Err(reason) => tree
                    .report
                    .not_determined(&path, &format!("{reason}: this repository's security updates are not seen")),
            }
        }
    }
    let Some(entries) = entries else {
        let reason = if repositories == 0 {
            "dnf's cache holds no repository metadata (dnf never refreshed it, or `dnf clean all` ran): \
             missing security updates are not determined, every fixed_version is absent"
        } else {
            "no repository in dnf's cache has readable advisories (updateinfo; CentOS Stream and some \
             mirrors publish none): missing security updates are not determined, every fixed_version is absent"
        };
        tree.report.not_determined("fixed_version", reason);
        return None;
    };
    let enabled = enabled_streams(tree);
    Some(
        entries
            .into_iter()
            .filter(|entry| entry.module.as_ref().is_none_or(|module| enabled.contains(module)))
            .map(|entry| entry.fix)
            .collect(),
    )
}

/// The file names of a repository's advisories as its `repomd.xml` lists them: the plain or
/// compressed `updateinfo` first, then the zchunk `updateinfo_zck` dnf fetches instead where
/// it can (Fedora).
fn locations(repomd: &str) -> Result<Vec<String>, String> {
    let mut reader = Reader::from_str(repomd);
    let mut data_type: Option<String> = None;
    let mut found: Vec<(bool, String)> = Vec::new();
    loop {
        match reader.read_event().map_err(|err| format!("invalid XML at byte {}: {err}", reader.error_position()))? {
            Event::Start(start) if start.name().as_ref() == "data" => data_type = attribute(&start, "type")?,
            Event::End(end) if end.name().as_ref() == "data" => data_type = None,
            Event::Start(start) | Event::Empty(start) if start.name().as_ref() == "location" => {
                let (Some(kind), Some(href)) = (data_type.as_deref(), attribute(&start, "href")?) else { continue };
                if kind == "updateinfo" || kind == "updateinfo_zck" {
                    let name = href.rsplit_once('/').map_or(href.as_str(), |(_, name)| name).to_owned();
                    found.push((kind == "updateinfo_zck", name));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, name)| name).collect())
}

/// The packages of the security advisories of an `updateinfo.xml`:
/// `<updates><update type="security"><pkglist><collection>[<module name= stream=/>]<package
/// name= epoch= version= release= arch=>`. Source packages (`arch="src"`) are never installed
/// and are left out.
fn parse(xml: &str) -> Result<Vec<Entry>, String> {
    let mut reader = Reader::from_str(xml);
    let mut security = false;
    let mut module: Option<String> = None;
    let mut entries = Vec::new();
    loop {
        let event =
            reader.read_event().map_err(|err| format!("invalid XML at byte {}: {err}", reader.error_position()))?;
        match event {
            Event::Start(start) if start.name().as_ref() == "update" => {
                security = attribute(&start, "type")?.as_deref() == Some("security");
            }
            Event::End(end) if end.name().as_ref() == "update" => security = false,
            Event::End(end) if end.name().as_ref() == "collection" => module = None,
            Event::Start(start) | Event::Empty(start) if security => match start.name().as_ref() {
                "module" => {
                    let (name, stream) = (attribute(&start, "name")?, attribute(&start, "stream")?);
                    module = Some(format!("{}:{}", name.unwrap_or_default(), stream.unwrap_or_default()));
                }
                "package" => {
                    if let Some(fix) = package(&start)? {
                        entries.push(Entry { fix, module: module.clone() });
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(entries)
}

/// A `<package>` as a fix; `None` for a source package.
fn package(start: &BytesStart<'_>) -> Result<Option<Fix>, String> {
    let field = |key: &str| -> Result<String, String> {
        attribute(start, key)?.ok_or_else(|| format!("a <package> without `{key}`"))
    };
    let arch = field("arch")?;
    if arch == "src" {
        return Ok(None);
    }
    let epoch = match attribute(start, "epoch")? {
        None => 0,
        Some(epoch) => epoch.parse().map_err(|_| format!("a <package> with epoch `{epoch}`"))?,
    };
    let evr = Evr { epoch, version: field("version")?, release: field("release")? };
    Ok(Some(Fix { name: field("name")?, arch, evr }))
}

/// The value of an element's attribute, if it has it.
fn attribute(start: &BytesStart<'_>, key: &str) -> Result<Option<String>, String> {
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|err| format!("bad attribute: {err}"))?;
        if attribute.key.as_ref() == key {
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| format!("bad attribute `{key}`: {err}"))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// The module streams dnf enabled, as `name:stream`: the `[name]` sections of
/// `/etc/dnf/modules.d/*.module` with `state=enabled`.
fn enabled_streams(tree: &mut Tree) -> BTreeSet<String> {
    let mut enabled = BTreeSet::new();
    for path in tree.glob(&format!("{MODULES}/*.module")) {
        let Some(text) = tree.read(&path) else { continue };
        let (mut name, mut stream, mut state) = (String::new(), String::new(), String::new());
        for line in text.lines().chain(["[end]"]) {
            let line = line.trim();
            if line.starts_with('[') {
                if state == "enabled" && !name.is_empty() {
                    enabled.insert(format!("{name}:{stream}"));
                }
                (name, stream, state) = (line.trim_matches(['[', ']']).to_owned(), String::new(), String::new());
            } else if let Some((key, value)) = line.split_once('=') {
                let value = value.trim().to_owned();
                match key.trim() {
                    "name" => name = value,
                    "stream" => stream = value,
                    "state" => state = value,
                    _ => {}
                }
            }
        }
    }
    enabled
}

#[cfg(test)]
mod tests {
    use super::*;

    const UPDATEINFO: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="releng@rockylinux.org" status="final" type="security" version="2">
    <id>RLSA-2024:0310</id>
    <title>Moderate: openssl security update</title>
    <pkglist>
      <collection short="rocky-linux-9-x86-64-baseos-rpms">
        <name>rocky-linux-9-x86-64-baseos-rpms</name>
        <package name="openssl" version="3.0.7" release="25.el9_3" epoch="1" arch="x86_64" src="openssl-3.0.7-25.el9_3.src.rpm">
          <filename>openssl-3.0.7-25.el9_3.x86_64.rpm</filename>
        </package>
        <package name="openssl" version="3.0.7" release="25.el9_3" epoch="1" arch="src"/>
      </collection>
    </pkglist>
  </update>
  <update from="releng@rockylinux.org" status="final" type="bugfix" version="2">
    <id>RLBA-2024:0001</id>
    <pkglist><collection><package name="sudo" version="1.9.5p2" release="10.el9_3" epoch="0" arch="x86_64"/></collection></pkglist>
  </update>
  <update from="releng@rockylinux.org" status="final" type="security" version="2">
    <id>RLSA-2024:0100</id>
    <pkglist>
      <collection short="a">
        <module name="nodejs" stream="18" version="9030020231120082734" context="rhel9" arch="x86_64"/>
        <package name="nodejs" version="18.18.2" release="2.module+el9.3.0+16" epoch="1" arch="x86_64"/>
      </collection>
      <collection short="b">
        <package name="less" version="590" release="2.el9_2" arch="x86_64"/>
      </collection>
    </pkglist>
  </update>
</updates>
"#;

    fn summary(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .map(|entry| {
                let fix = &entry.fix;
                format!("{} {}.{} {:?}", fix.name, fix.evr, fix.arch, entry.module)
            })
            .collect()
    }

    #[test]
    fn security_advisories_only_and_their_modules() {
        assert_eq!(
            summary(&parse(UPDATEINFO).unwrap()),
            [
                "openssl 1:3.0.7-25.el9_3.x86_64 None",
                "nodejs 1:18.18.2-2.module+el9.3.0+16.x86_64 Some(\"nodejs:18\")",
                "less 590-2.el9_2.x86_64 None",
            ]
        );
    }

    #[test]
    fn bad_advisories_are_errors() {
        let bad = r#"<updates><update type="security"><package name="a" version="1" release="1" epoch="x" arch="noarch"/></update></updates>"#;
        assert_eq!(parse(bad).unwrap_err(), "a <package> with epoch `x`");
        let bad = r#"<updates><update type="security"><package name="a" arch="noarch"/></update></updates>"#;
        assert_eq!(parse(bad).unwrap_err(), "a <package> without `version`");
        assert!(parse("<updates><update type=\"security\">").is_ok());
        assert!(parse("<updates></pkglist>").is_err());
    }

    #[test]
    fn repomd_names_the_advisories() {
        let repomd = r#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
  <data type="primary"><location href="repodata/aa-primary.xml.gz"/></data>
  <data type="updateinfo_zck"><location href="repodata/bb-updateinfo.xml.zck"/></data>
  <data type="updateinfo"><location href="repodata/cc-updateinfo.xml.zst"/></data>
</repomd>"#;
        assert_eq!(locations(repomd).unwrap(), ["cc-updateinfo.xml.zst", "bb-updateinfo.xml.zck"]);
    }

    #[test]
    fn enabled_module_streams() {
        let dir = tempfile::tempdir().unwrap();
        let modules = dir.path().join("etc/dnf/modules.d");
        std::fs::create_dir_all(&modules).unwrap();
        std::fs::write(modules.join("nodejs.module"), "[nodejs]\nname=nodejs\nstream=18\nprofiles=\nstate=enabled\n")
            .unwrap();
        std::fs::write(modules.join("php.module"), "[php]\nname=php\nstream=8.1\nprofiles=\nstate=disabled\n").unwrap();
        let mut tree = Tree::new(dir.path());
        assert_eq!(enabled_streams(&mut tree).into_iter().collect::<Vec<_>>(), ["nodejs:18"]);
    }
}
