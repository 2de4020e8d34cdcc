//! Helpers the end-to-end CLI tests share: the real `rulec` binary, run from a directory.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub mod watch_events;

/// The built `rulec`, without colour, at a fixed width, with the default thread count.
pub fn rulec() -> Command {
    Command::from(rulec_process())
}

/// [`rulec`] as a plain process, for tests that talk to it while it runs (`--watch`).
pub fn rulec_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rulec"));
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

/// Runs `cmd` with its standard output closed before it writes: a reader that went away
/// (`rulec ... | head` after head exits). The run's output, stderr included.
pub fn run_with_reader_gone(mut cmd: std::process::Command) -> std::process::Output {
    let mut child =
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().expect("spawn rulec");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for rulec")
}
