//! Rule packs: the built-in ones embedded in the binary, and folders given with `--pack`.
//!
//! A pack is a folder with a `pack.yaml` manifest and `.rule` files (in subfolders too);
//! `fixtures/` holds its test snapshots. The standard library is the pack `std`, which has
//! no manifest.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::Deserialize;

static STDLIB: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../stdlib-rules");
static BUILTIN_PACKS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../packs");

/// The name the standard library goes by among packs.
pub const STD_PACK: &str = "std";

/// `pack.yaml`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Other packs this one uses (`use` of their packages).
    #[serde(default)]
    pub requires: Vec<String>,
}

/// Where a pack came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary at build time.
    Builtin,
    /// A folder on disk.
    Dir(PathBuf),
}

#[derive(Clone, Debug)]
pub struct RuleFile {
    /// How diagnostics name the file: `packs/network/sg.rule` for built-in files, the path on
    /// disk otherwise.
    pub path: String,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Pack {
    pub manifest: Manifest,
    pub origin: Origin,
    pub files: Vec<RuleFile>,
}

/// A pack that cannot be loaded: what and where.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("`{path}` is not a pack folder: it has no `pack.yaml`")]
    NoManifest { path: String },
    #[error("cannot read `{path}`: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("invalid pack manifest `{path}`:\n{message}")]
    Manifest { path: String, message: String },
    #[error("`{path}` is not valid UTF-8")]
    NotUtf8 { path: String },
    #[error("pack `{name}` is loaded twice: from `{first}` and from `{second}`")]
    Duplicate { name: String, first: String, second: String },
    #[error("pack `{pack}` requires pack `{missing}`, which is not loaded")]
    MissingRequirement { pack: String, missing: String },
}

impl PackError {
    /// A line of advice for the user, where one helps.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            PackError::NoManifest { .. } => {
                Some("a pack folder holds `pack.yaml` (name, version, description) and `.rule` files")
            }
            PackError::Manifest { .. } => {
                Some("`pack.yaml` takes `name`, `version`, and optionally `description` and `requires`")
            }
            PackError::MissingRequirement { .. } => Some("add the required pack with another `--pack DIR`"),
            _ => None,
        }
    }
}

/// The standard library and every built-in pack, in a stable order.
pub fn builtin() -> Vec<Pack> {
    let mut packs = vec![Pack {
        manifest: Manifest {
            name: STD_PACK.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: Some("the standard library: snapshot schema, builtins, frameworks".to_owned()),
            requires: Vec::new(),
        },
        origin: Origin::Builtin,
        files: embedded_rule_files(&STDLIB, "stdlib-rules"),
    }];
    let mut dirs: Vec<&Dir<'_>> = BUILTIN_PACKS.dirs().collect();
    dirs.sort_by_key(|d| d.path());
    for dir in dirs {
        let Some(manifest) = dir.get_file(dir.path().join("pack.yaml")).and_then(|f| f.contents_utf8()) else {
            continue;
        };
        // INVARIANT: built-in manifests are checked by this crate's tests.
        let Ok(manifest) = serde_saphyr::from_str::<Manifest>(manifest) else { continue };
        packs.push(Pack { manifest, origin: Origin::Builtin, files: embedded_rule_files(dir, "packs") });
    }
    packs
}

fn embedded_rule_files(dir: &Dir<'_>, root: &str) -> Vec<RuleFile> {
    let mut files = Vec::new();
    collect_embedded(dir, root, &mut files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn collect_embedded(dir: &Dir<'_>, root: &str, out: &mut Vec<RuleFile>) {
    for file in dir.files() {
        if file.path().extension().is_some_and(|e| e == "rule")
            && let Some(text) = file.contents_utf8()
        {
            out.push(RuleFile { path: format!("{root}/{}", file.path().display()), text: text.to_owned() });
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, root, out);
    }
}

/// A built-in pack's fixture by pack-relative path: the file (`fixtures/a.yaml`), or every
/// file under a folder (`fixtures/estate/`), in path order, as (pack-relative path, text).
pub fn builtin_fixtures(pack: &str, relative: &str) -> Vec<(String, &'static str)> {
    let path = Path::new(pack).join(relative);
    let text = |f: &'static include_dir::File<'static>| {
        let name = f.path().strip_prefix(pack).unwrap_or(f.path()).display().to_string();
        f.contents_utf8().map(|t| (name, t))
    };
    if let Some(file) = BUILTIN_PACKS.get_file(&path) {
        return text(file).into_iter().collect();
    }
    let Some(dir) = BUILTIN_PACKS.get_dir(&path) else { return Vec::new() };
    let mut files = Vec::new();
    let mut pending = vec![dir];
    while let Some(d) = pending.pop() {
        files.extend(d.files().filter_map(text));
        pending.extend(d.dirs());
    }
    files.sort();
    files
}

/// Loads a pack folder from disk.
pub fn load_dir(dir: &Path) -> Result<Pack, PackError> {
    let shown = dir.display().to_string();
    let manifest_path = dir.join("pack.yaml");
    if !manifest_path.is_file() {
        return Err(PackError::NoManifest { path: shown });
    }
    let manifest_text = read(&manifest_path)?;
    let manifest = serde_saphyr::from_str::<Manifest>(&manifest_text)
        .map_err(|e| PackError::Manifest { path: manifest_path.display().to_string(), message: e.to_string() })?;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| PackError::Io {
            path: e.path().map_or_else(|| shown.clone(), |p| p.display().to_string()),
            source: e.into(),
        })?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "rule") {
            let text = read(entry.path())?;
            files.push(RuleFile { path: entry.path().display().to_string(), text });
        }
    }
    Ok(Pack { manifest, origin: Origin::Dir(dir.to_owned()), files })
}

fn read(path: &Path) -> Result<String, PackError> {
    let bytes = std::fs::read(path).map_err(|source| PackError::Io { path: path.display().to_string(), source })?;
    String::from_utf8(bytes).map_err(|_| PackError::NotUtf8 { path: path.display().to_string() })
}

/// The packs to compile: built-ins, with any folder from `--pack` added, or replacing the
/// built-in pack of the same name.
pub fn assemble(extra_dirs: &[PathBuf]) -> Result<Vec<Pack>, PackError> {
    let mut packs = builtin();
    let mut from_disk: Vec<Pack> = Vec::new();
    for dir in extra_dirs {
        let pack = load_dir(dir)?;
        if let Some(other) = from_disk.iter().find(|p| p.manifest.name == pack.manifest.name) {
            return Err(PackError::Duplicate {
                name: pack.manifest.name.clone(),
                first: origin_name(&other.origin),
                second: dir.display().to_string(),
            });
        }
        from_disk.push(pack);
    }
    for pack in from_disk {
        match packs.iter_mut().find(|p| p.manifest.name == pack.manifest.name) {
            Some(slot) => *slot = pack,
            None => packs.push(pack),
        }
    }
    for pack in &packs {
        for required in &pack.manifest.requires {
            if !packs.iter().any(|p| &p.manifest.name == required) {
                return Err(PackError::MissingRequirement {
                    pack: pack.manifest.name.clone(),
                    missing: required.clone(),
                });
            }
        }
    }
    Ok(packs)
}

fn origin_name(origin: &Origin) -> String {
    match origin {
        Origin::Builtin => "the built-in packs".to_owned(),
        Origin::Dir(d) => d.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_packs_have_valid_manifests_and_rule_files() {
        let names: Vec<String> = BUILTIN_PACKS
            .dirs()
            .filter(|d| d.get_file(d.path().join("pack.yaml")).is_some())
            .map(|d| d.path().display().to_string())
            .collect();
        let loaded = builtin();
        assert_eq!(loaded.len(), names.len() + 1, "every built-in pack.yaml must parse");
        assert!(loaded.iter().all(|p| !p.files.is_empty()));
        assert_eq!(loaded[0].manifest.name, STD_PACK);
        assert!(loaded[0].files.iter().any(|f| f.path == "stdlib-rules/schema.rule"));
    }

    #[test]
    fn a_folder_without_manifest_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(matches!(load_dir(dir.path()), Err(PackError::NoManifest { .. })));
    }

    #[test]
    fn unknown_manifest_keys_are_reported_with_their_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("pack.yaml"), "name: p\nversion: 1.0.0\nreqires: [x]\n").expect("write");
        let err = load_dir(dir.path()).expect_err("must fail");
        let text = err.to_string();
        assert!(text.contains("reqires") && text.contains("3"), "{text}");
    }

    #[test]
    fn a_disk_pack_overrides_the_builtin_of_the_same_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("pack.yaml"), "name: network\nversion: 9.9.9\n").expect("write");
        std::fs::write(dir.path().join("a.rule"), "package network\n").expect("write");
        let packs = assemble(&[dir.path().to_owned()]).expect("assemble");
        let network: Vec<&Pack> = packs.iter().filter(|p| p.manifest.name == "network").collect();
        assert_eq!(network.len(), 1);
        assert_eq!(network[0].manifest.version, "9.9.9");
    }
}
