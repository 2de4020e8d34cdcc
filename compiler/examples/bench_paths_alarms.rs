//! Benchmark of the two cross-asset kinds of checks: the `ak` pack's alarms over a large
//! API-call log, and reachability over a large resource graph.
//!
//! ```sh
//! cargo run --release -p rulec-compiler --example bench_paths_alarms -- 1000000 1000000
//! ```
//!
//! The first number is how many API-call events to generate (into
//! `target/bench-snapshots/events-N.jsonl`, with about one key per 100 calls and a slice of
//! hacking-tool, sensitive and enumeration calls); the `ak` pack runs on it after loading,
//! and load and evaluation are timed apart. The second is the node count of a synthetic
//! resource graph (Internet → 40% instances → 30% roles → 30% buckets, about two edges per
//! node) searched from `Internet` the way `path(Internet, x, via: [..])` does: one traversal,
//! then every node's path.
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "a benchmark reports on the terminal")]

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rulec_runtime::graph::{EdgeSet, Node, ResourceGraph};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let events = args.first().copied().unwrap_or(1_000_000);
    let nodes = args.get(1).copied().unwrap_or(1_000_000);
    println!("threads: {}", rayon::current_num_threads());
    alarms(events)?;
    reachability(nodes);
    Ok(())
}

fn alarms(events: usize) -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join("target/bench-snapshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("events-{events}.jsonl"));
    let keys = dir.join(format!("events-{events}-keys.json"));
    if !path.exists() || !keys.exists() {
        eprintln!("generating {}", path.display());
        write_events(events, &path, &keys)?;
    }
    let packs = rulec_compiler::packs::builtin();
    let compilation = rulec_compiler::compilation::Compilation::new(&packs);
    let plan = compilation.plan().ok_or("the built-in packs do not compile")?;
    let started = Instant::now();
    let loaded = rulec_runtime::snapshot::load(&plan, &[keys, path]).map_err(|e| e.to_string())?;
    let load = started.elapsed().as_secs_f64();
    let engine = rulec_runtime::eval::Engine::new(&plan, &loaded.store)?;
    let started = Instant::now();
    let outcome = engine.run(|c| c.pack == "ak");
    let run = started.elapsed().as_secs_f64();
    if let Some(e) = outcome.errors.first() {
        return Err(e.to_string().into());
    }
    println!(
        "ak pack over {} events: load {load:.2} s, evaluate {run:.2} s ({:.0} ns/event), {} findings",
        loaded.store.event_count(),
        run * 1e9 / events as f64,
        outcome.findings.len()
    );
    Ok(())
}

/// `events` API calls over one day, by `events / 100` keys, as JSONL, plus a snapshot of the
/// keys (half of them exist as assets).
fn write_events(events: usize, path: &PathBuf, keys_path: &PathBuf) -> std::io::Result<()> {
    let keys = (events / 100).max(1);
    let mut rng = fastrand::Rng::with_seed(7);
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    let start = 1_795_075_200i64; // 2026-11-19T08:00:00Z
    let actions = [
        ("cvm", "DescribeInstances"),
        ("cvm", "DescribeImages"),
        ("cos", "GetObject"),
        ("cos", "PutObject"),
        ("cam", "ListUsers"),
        ("cam", "CreateAccessKey"),
        ("vpc", "DescribeVpcs"),
        ("cdb", "DescribeDBInstances"),
    ];
    for i in 0..events {
        let t = start + (i as i64 * 86_400) / events as i64;
        let key = rng.usize(0..keys);
        let (service, action) = actions[rng.usize(0..actions.len())];
        let agent = if rng.u32(0..10_000) == 0 { "CloudExplorer/1.0" } else { "tencentcloud-sdk-go/3.0.1" };
        let ip = if rng.u32(0..100) == 0 {
            format!("45.{}.{}.{}", rng.u8(1..250), rng.u8(0..250), rng.u8(1..250))
        } else {
            format!("10.0.{}.{}", key % 250, rng.u8(1..250))
        };
        let time = rulec_runtime::value::format_time(t * rulec_runtime::value::MICROS_PER_SECOND);
        writeln!(
            out,
            r#"{{"type":"ApiCall","time":"{time}","access_key_id":"AKID{key:08}","source_ip":"{ip}","user_agent":"{agent}","service":"{service}","action":"{action}","success":true}}"#
        )?;
    }
    out.flush()?;
    let mut keys_out = BufWriter::new(std::fs::File::create(keys_path)?);
    write!(keys_out, r#"{{"format":"rulec.snapshot/v1","taken_at":"2026-11-20T08:00:00Z","assets":["#)?;
    for k in (0..keys).step_by(2) {
        let sep = if k == 0 { "" } else { "," };
        write!(
            keys_out,
            r#"{sep}{{"type":"AccessKey","id":"AKID{k:08}","provider":"tencent","account":"1","tags":{{}},"owner_id":"u-{k}","owner_kind":"user","kind":"permanent","status":"active","created_at":"2026-10-01T00:00:00Z"}}"#
        )?;
    }
    writeln!(keys_out, r#"],"events":[]}}"#)?;
    keys_out.flush()
}

fn reachability(nodes: usize) {
    let instances = (nodes * 2 / 5) as u32;
    let roles = (nodes * 3 / 10) as u32;
    let buckets = (nodes as u32).saturating_sub(instances + roles);
    let (instance, role, bucket) = (1, 2, 3);
    let mut rng = fastrand::Rng::with_seed(11);
    let started = Instant::now();
    let mut edges = Vec::with_capacity(nodes * 2);
    for i in 0..instances {
        if rng.u32(0..10) == 0 {
            edges.push((Node::INTERNET, Node { ty: Some(instance), row: i }, 0));
        }
        edges.push((Node { ty: Some(instance), row: i }, Node { ty: Some(role), row: rng.u32(0..roles) }, 1));
    }
    for r in 0..roles {
        for _ in 0..2 {
            edges.push((Node { ty: Some(role), row: r }, Node { ty: Some(bucket), row: rng.u32(0..buckets) }, 2));
        }
    }
    let edge_count = edges.len();
    let graph = ResourceGraph::new(&[(instance, instances), (role, roles), (bucket, buckets)], edges);
    let build = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let search = graph.search(Node::INTERNET, &EdgeSet::new([0, 1, 2], 3));
    let traverse = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut found = 0usize;
    for row in 0..buckets {
        found += usize::from(graph.path(&search, Node { ty: Some(bucket), row }).is_some());
    }
    let paths = started.elapsed().as_secs_f64();
    println!(
        "graph of {} nodes and {edge_count} edges: build {build:.2} s, reachability from Internet {traverse:.3} s \
         ({} reached), shortest paths to all {buckets} buckets {paths:.3} s ({found} reachable)",
        graph.node_count(),
        search.reached(),
    );
}
