//! Benchmark of live collection: a generated Tencent Cloud account served by the mock cloud
//! (collect/tests/mock) with a fixed latency per answer, collected under the vendors' documented
//! rate limits. Reports wall time, requests per second overall and, per API, the rate achieved
//! against its limit: the collector should sit at the limits, not below them.
//!
//! ```sh
//! cargo run --release -p rulec-collect --example bench_collect -- 2000 50
//! ```
//! The first argument is the number of copies of the linked example account's instance,
//! security group, user and two keys (five assets each: 2000 makes 10^4 assets), the second
//! the latency of every answer in milliseconds.
#![expect(clippy::print_stdout, reason = "a benchmark reports on the terminal")]

#[path = "../tests/mock/mod.rs"]
mod mock;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rulec_collect::live::{self, Progress, Settings};
use rulec_collect::raw::Provider;
use rulec_collect::sign::{Key, Secret};

struct Quiet;

impl Progress for Quiet {
    fn planned(&self, _: usize) {}
    fn done(&self, _: &str, _: bool) {}
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<u64> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let (copies, latency) = (args.first().copied().unwrap_or(2000), args.get(1).copied().unwrap_or(50));
    let dir = tempfile::tempdir()?;
    let account = mock::tencent_account(&dir.path().join("tencent"), usize::try_from(copies)?);
    let mut cloud = mock::Cloud::from_raw(Provider::Tencent, &account);
    cloud.page_size = 100;
    cloud.faults.latency = Duration::from_millis(latency);
    let key = Key { id: cloud.key_id.clone(), secret: Secret::new(cloud.secret.clone()), token: None };
    let server = cloud.serve();
    let settings = Settings {
        provider: Provider::Tencent,
        regions: None,
        services: None,
        events_since: None,
        endpoint: Some(server.url.clone()),
        timeout: Duration::from_secs(30),
        attempts: 6,
        backoff: Duration::from_millis(200),
        concurrency: 32,
        rate: None,
        now: chrono::Utc::now(),
    };
    let raw = dir.path().join("raw");
    let started = Instant::now();
    let summary = live::collect(&settings, key, &raw, &Quiet)?;
    let wall = started.elapsed().as_secs_f64();
    let imported = rulec_collect::import(&[raw], &rulec_collect::Options::default())?;
    println!(
        "{} assets: {} calls, {} pages, {} requests ({} retried) in {wall:.1} s: {:.0} requests/s; {} failed",
        imported.snapshot.assets.len(),
        summary.calls,
        summary.pages,
        summary.requests,
        summary.retries,
        summary.requests as f64 / wall,
        summary.failures.iter().map(|f| f.count).sum::<usize>()
    );
    let times = server.times.lock().map_err(|_| "poisoned")?.clone();
    let mut by_call: BTreeMap<String, Vec<Instant>> = BTreeMap::new();
    for (call, at) in times {
        by_call.entry(call).or_default().push(at);
    }
    println!("{:<45} {:>8} {:>10} {:>7}", "API", "requests", "achieved/s", "limit/s");
    for (call, mut at) in by_call.into_iter().filter(|(_, at)| at.len() >= 40) {
        at.sort();
        let span = at.last().zip(at.first()).map_or(0.0, |(last, first)| last.duration_since(*first).as_secs_f64());
        let (service, action) = call.split_once('.').unwrap_or_default();
        let limit = live::rate_limit(Provider::Tencent, service, action);
        println!("{call:<45} {:>8} {:>10.1} {limit:>7}", at.len(), (at.len() - 1) as f64 / span.max(f64::EPSILON));
    }
    Ok(())
}
