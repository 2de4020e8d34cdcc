//! Throughput of the incremental alarm evaluator (`rulec watch-events`' core): events per
//! second through one `AlarmStream`, which is single-threaded by design, with the built-in
//! packs' alarms over the synthetic estate's API calls, in time order.
//!
//! ```sh
//! cargo run --release -p rulec-compiler --example bench_stream -- 10000 100000
//! ```
//!
//! The argument is the estate's asset count; it brings ten calls per asset. Reading and
//! normalising lines is not measured here: this is the evaluator alone.
#![expect(clippy::print_stdout, reason = "a benchmark reports on the terminal")]

use std::time::Instant;

use rulec_compiler::compilation::Compilation;
use rulec_compiler::packs;
use rulec_runtime::eval::{AlarmStream, Engine, StreamOptions};
use rulec_runtime::plan::{CheckKind, Plan, TypeKind};
use rulec_runtime::snapshot::{self, Format};
use rulec_runtime::value::{Record, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sizes: Vec<usize> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() { vec![10_000] } else { sizes };
    let packs = packs::assemble(&[])?;
    let plan = Compilation::new(&packs).plan().ok_or("the built-in packs do not compile")?;
    println!("{:>9} {:>9} {:>8} {:>12} {:>9}", "assets", "events", "alarms", "events/s", "emitted");
    for n in sizes {
        let mut text = Vec::new();
        rulec_runtime::synth::write(rulec_runtime::synth::Spec::new(n), &mut text)?;
        let store = snapshot::load_str(&plan, "synthetic.json", &String::from_utf8(text)?, Format::Json)
            .map_err(|e| e.to_string())?
            .store;
        let events = in_time_order(&plan, &store);
        let engine = Engine::new(&plan, &store)?;
        let is_alarm = |c: &rulec_runtime::plan::Check| c.kind == CheckKind::Alarm;
        let mut stream = AlarmStream::new(&plan, is_alarm, StreamOptions::default());
        let started = Instant::now();
        let mut findings = 0;
        for event in &events {
            findings += stream.push(&engine, event.clone()).findings.len();
        }
        findings += stream.flush(&engine).findings.len();
        let seconds = started.elapsed().as_secs_f64();
        let alarms = plan.checks.iter().filter(|c| is_alarm(c)).count();
        println!("{:>9} {:>9} {:>8} {:>12.0} {:>9}", n, events.len(), alarms, events.len() as f64 / seconds, findings);
    }
    Ok(())
}

/// Every event of the store, ordered by time (stable: equal times keep their order).
fn in_time_order(plan: &Plan, store: &snapshot::Store) -> Vec<Record> {
    let time = |r: &Record| {
        let at = plan.types[r.ty() as usize].field_index("time");
        match at.and_then(|i| r.fields().get(i)) {
            Some(Value::Time(t)) => *t,
            _ => 0,
        }
    };
    let mut all: Vec<Record> = (0..plan.types.len())
        .filter(|&i| plan.types[i].kind == TypeKind::Event)
        .flat_map(|i| store.rows(i as u32).iter().cloned())
        .collect();
    all.sort_by_key(|r| time(r));
    all
}
