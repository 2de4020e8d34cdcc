//! The inputs of a run, shared by `rulec check` and `rulec report` (one struct, flattened into
//! both, so the two commands cannot drift apart in names or help).

use std::path::PathBuf;

use super::PackArgs;

/// What to evaluate on what: the snapshots, and the packs (or a compiled plan).
#[derive(clap::Args, Clone, Debug)]
pub(crate) struct InputArgs {
    /// Snapshot files (.json, .yaml, .yml) or directories (also .jsonl), merged into one snapshot
    #[arg(value_name = "SNAPSHOT", required = true)]
    pub snapshots: Vec<PathBuf>,
    #[command(flatten)]
    pub packs: PackArgs,
    /// Evaluate only the checks of these packs (repeatable)
    #[arg(long = "only-pack", value_name = "NAME")]
    pub only_packs: Vec<String>,
    /// Run a plan written by `rulec compile -o` instead of compiling packs
    #[arg(long, value_name = "FILE", conflicts_with = "packs")]
    pub plan: Option<PathBuf>,
}
