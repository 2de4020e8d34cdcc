//! Which packs the server compiles, and where each compiler path lives on disk.
//!
//! The workspace is the built-in stdlib and packs plus every pack (a folder with `pack.yaml`)
//! under the folders the editor opened; a folder pack replaces the built-in pack of the same
//! name, as `rulec --pack` does. A `.rule` file opened from outside any pack joins the
//! workspace on its own.

use std::path::{Path, PathBuf};

use rulec_compiler::packs::{self, Pack};

/// Folders never searched for packs.
const SKIPPED: &[&str] = &["target", ".git", "node_modules"];

/// The packs for `roots`, and a message when a pack under them could not be loaded (the
/// built-in packs are used alone then).
pub(crate) fn load(roots: &[PathBuf]) -> (Vec<Pack>, Option<String>) {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for root in roots {
        let walker =
            walkdir::WalkDir::new(root).into_iter().filter_entry(|e| !SKIPPED.iter().any(|s| e.file_name() == *s));
        dirs.extend(
            walker
                .filter_map(Result::ok)
                .filter(|e| e.file_name() == "pack.yaml")
                .filter_map(|e| e.path().parent().map(Path::to_path_buf)),
        );
    }
    dirs.sort();
    dirs.dedup();
    match packs::assemble(&dirs) {
        Ok(packs) => (packs, None),
        Err(e) => (packs::builtin(), Some(format!("rulec: {e}; using the built-in packs only"))),
    }
}

/// Where a compiler path is on disk: itself when absolute; a built-in file under a root that
/// holds it (the rulec repository), else a copy written once to a cache folder, so go to
/// definition can open the stdlib.
pub(crate) fn disk_path(path: &str, text: &str, roots: &[PathBuf]) -> Option<PathBuf> {
    let p = Path::new(path);
    if p.is_absolute() {
        return Some(p.to_path_buf());
    }
    if let Some(found) = roots.iter().map(|r| r.join(p)).find(|c| c.is_file()) {
        return Some(found);
    }
    let copy = std::env::temp_dir().join(format!("rulec-{}", env!("CARGO_PKG_VERSION"))).join(p);
    if std::fs::read_to_string(&copy).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(copy.parent()?).ok()?;
        std::fs::write(&copy, text).ok()?;
    }
    Some(copy)
}
