//! Helpers the end-to-end tests share: a pack folder on disk and file URIs.

// Each test file uses a part of it.
#![allow(dead_code, unreachable_pub)]

use std::path::Path;

pub use rulec_lsp::client::{Client, position};

/// A pack folder `acme` under a temp root with the given files.
pub fn pack(files: &[(&str, &str)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("acme");
    std::fs::create_dir_all(&dir).expect("pack dir");
    std::fs::write(dir.join("pack.yaml"), "name: acme\nversion: 0.1.0\n").expect("manifest");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("rule file");
    }
    root
}

pub fn uri(path: &Path) -> String {
    let path = path.canonicalize().expect("an existing path");
    format!("file://{}", path.display())
}
