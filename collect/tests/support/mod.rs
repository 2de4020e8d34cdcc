//! Helpers the import tests share: a fixed `taken_at`, the snapshot and report as text, RAW
//! trees written or copied into temporary folders, and lookups into an import.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;

use rulec_collect::coverage::CoverageEntry;
use rulec_collect::report::IssueKind;
use rulec_collect::snapshot::Asset;
use rulec_collect::{Imported, Options, import};

/// Options with a fixed `taken_at`, so snapshots do not depend on file times.
pub fn options() -> Options {
    Options { taken_at: Some("2026-11-20T08:00:00Z".to_owned()), ..Options::default() }
}

pub fn run(input: &Path) -> Imported {
    import(&[input.to_path_buf()], &options()).expect("import")
}

pub fn snapshot_json(imported: &Imported) -> String {
    serde_json::to_string_pretty(&imported.snapshot).expect("json")
}

pub fn report_json(imported: &Imported) -> String {
    serde_json::to_string_pretty(&imported.report).expect("json")
}

/// A temporary folder holding the given files (paths relative to it).
pub fn tree<P: AsRef<Path>, C: AsRef<[u8]>>(files: &[(P, C)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    for (name, content) in files {
        let path = root.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    root
}

/// A copy of a fixture account folder under `<provider>/<account>/` in a temporary folder, to
/// take files out of.
pub fn copy_of(provider: &str, fixture: &str) -> tempfile::TempDir {
    let from = Path::new(fixture);
    let dir = tempfile::tempdir().expect("temp dir");
    let to = dir.path().join(provider).join(from.file_name().expect("account"));
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
    dir
}

pub fn asset<'a>(imported: &'a Imported, kind: &str, id: &str) -> &'a Asset {
    let found = imported.snapshot.assets.iter().find(|asset| asset.kind == kind && asset.id == id);
    found.unwrap_or_else(|| panic!("no {kind} {id}: {:#?}", imported.report.issues))
}

pub fn coverage<'a>(imported: &'a Imported, region: Option<&str>, kind: &str) -> &'a CoverageEntry {
    let found = imported.snapshot.coverage.iter().find(|entry| entry.region.as_deref() == region && entry.kind == kind);
    found.unwrap_or_else(|| panic!("no coverage of {kind} in {region:?}"))
}

pub fn issues(imported: &Imported, kind: IssueKind) -> Vec<&str> {
    imported.report.issues.iter().filter(|issue| issue.kind == kind).map(|issue| issue.message.as_str()).collect()
}
