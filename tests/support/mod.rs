//! Helpers the end-to-end CLI tests share: the real `rulec` binary, run from a directory.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The built `rulec`, without colour, at a fixed width, with the default thread count.
pub fn rulec() -> Command {
    let mut cmd = Command::cargo_bin("rulec").expect("the rulec binary is built for tests");
    cmd.env("NO_COLOR", "1").env("COLUMNS", "120").env_remove("RAYON_NUM_THREADS");
    cmd
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    rulec().current_dir(dir).args(args).output().expect("run rulec")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
