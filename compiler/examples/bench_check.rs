//! Benchmark of `rulec check` on synthetic snapshots: wall time, peak memory, and the ratio
//! to the floor — a tokenize-only `serde_json` pass over the same file.
//!
//! ```sh
//! cargo build --release --bin rulec
//! cargo run --release -p rulec-compiler --example bench_check -- 10000 100000
//! ```
//!
//! Snapshots are generated once into `target/bench-snapshots/` (about 3.7 KB per asset with
//! its ten events). Peak memory comes from `/usr/bin/time -f %M` on the real binary.
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "a benchmark reports on the terminal")]

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::de::{Deserialize, IgnoredAny};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let binary = std::env::var_os("RULEC_BIN").map_or_else(|| root.join("target/release/rulec"), PathBuf::from);
    if !binary.exists() {
        return Err(format!("{} not found: run `cargo build --release --bin rulec` first", binary.display()).into());
    }
    let sizes: Vec<usize> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    let dir = root.join("target/bench-snapshots");
    std::fs::create_dir_all(&dir)?;
    println!(
        "{:>9} {:>9} {:>9} {:>9} {:>7} {:>9} {:>8} {:>9}",
        "assets", "events", "file MB", "floor s", "check s", "× floor", "RSS MB", "RSS/file"
    );
    for n in sizes {
        let path = dir.join(format!("synthetic-{n}.json"));
        if !path.exists() {
            eprintln!("generating {}", path.display());
            let mut out = BufWriter::new(std::fs::File::create(&path)?);
            rulec_runtime::synth::write(rulec_runtime::synth::Spec::new(n), &mut out)?;
        }
        let bytes = std::fs::metadata(&path)?.len() as f64;
        let floor = floor_seconds(&path)?;
        let (wall, rss_kb) = run_check(&binary, &path)?;
        println!(
            "{:>9} {:>9} {:>9.1} {:>9.2} {:>7.2} {:>9.2} {:>8.0} {:>9.2}",
            n,
            n * 10,
            bytes / 1e6,
            floor,
            wall,
            wall / floor,
            rss_kb / 1024.0,
            rss_kb * 1024.0 / bytes
        );
    }
    Ok(())
}

/// Tokenizes the whole file without building anything: the least any JSON reader must do.
fn floor_seconds(path: &Path) -> Result<f64, Box<dyn std::error::Error>> {
    let start = Instant::now();
    let bytes = std::fs::read(path)?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    IgnoredAny::deserialize(&mut de)?;
    Ok(start.elapsed().as_secs_f64())
}

/// Runs `rulec check` and returns (wall seconds, peak RSS in KB).
fn run_check(binary: &Path, snapshot: &Path) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(binary)
        .args(["check", "--no-timing", "--fail-on", "none", "--format", "json", "-o"])
        .arg(snapshot.with_extension("report.json"))
        .arg(snapshot)
        .output()?;
    let wall = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("rulec check failed: {stderr}").into());
    }
    let rss = stderr.lines().last().and_then(|l| l.trim().parse::<f64>().ok()).unwrap_or(f64::NAN);
    Ok((wall, rss))
}
