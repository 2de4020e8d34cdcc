//! `rulec watch-events`: the alarm rules on a live event stream (docs/streaming.md).
//!
//! One thread reads the source (`follow`), one watches the context snapshot and the
//! configuration, and this loop owns the [`AlarmStream`]: each line becomes one event (a
//! snapshot event as is, a raw CloudAudit / ActionTrail record through the import crate's
//! normalizer), is pushed, and what it raises is printed at once as one JSON line with its id.
//! A changed context is loaded again and the stream goes on with its windows intact.

mod follow;
mod sink;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use rulec_runtime::eval::{AlarmStream, Emitted, Engine, StreamFinding, StreamOptions, StreamStats};
use rulec_runtime::plan::{Plan, TypeKind};
use rulec_runtime::report::{Finding, Suppressed, describe_subjects};
use rulec_runtime::snapshot::{self, Format, TextLoader};
use rulec_runtime::value::{MICROS_PER_SECOND, Record};
use serde::Serialize;

use super::check::{Session, print_warning};
use super::watch::{Target, Wake, Watcher};
use super::{EXIT_BAD_INPUT, EXIT_OK, PackArgs, compile, fail};
use follow::{Input, Source};
use sink::{Alarm, Sink, SinkArgs};

#[derive(clap::Args, Debug)]
pub(crate) struct WatchEventsArgs {
    /// Where events come from: `-` for standard input, or a JSONL file followed as it grows
    #[arg(long, value_name = "SRC")]
    pub source: String,
    /// A snapshot the alarms look things up in: keys and their owners, instances, known
    /// networks (reloaded when it changes)
    #[arg(long, value_name = "SNAPSHOT")]
    pub context: Option<PathBuf>,
    /// Configuration file [default: rulec.yaml in the current directory, if present]
    /// (reloaded when it changes)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub packs: PackArgs,
    /// Evaluate only the alarms of these packs (repeatable)
    #[arg(long = "only-pack", value_name = "NAME")]
    pub only_packs: Vec<String>,
    /// How late (seconds) an event may arrive and still be placed in its windows; grouped
    /// alarms wait this much event time (or a quiet second) before they are emitted
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub lateness: u32,
    /// Groups (alarm and key) held at most; beyond, the oldest is evicted and counted
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_groups: usize,
    /// Print a stats line on standard error every N seconds (0: never)
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub stats_every: u64,
    /// The account a raw audit record belongs to when it does not say
    #[arg(long, value_name = "ID", default_value = "")]
    pub account: String,
    #[command(flatten)]
    pub sink: SinkArgs,
}

/// What the main loop waits on.
enum Message {
    Input(Input),
    /// The context snapshot or the configuration changed.
    Reload,
    /// SIGINT or SIGTERM.
    Stop,
}

pub(crate) fn run(args: &WatchEventsArgs) -> u8 {
    let sink = match Sink::open(&args.sink) {
        Ok(sink) => sink,
        Err(message) => return fail(&message, None),
    };
    let Some(compilation) = compile::compile(&args.packs) else { return EXIT_BAD_INPUT };
    let Some(plan) = compilation.plan() else { return EXIT_BAD_INPUT };
    let mut session = match open(args, &plan) {
        Ok(session) => session,
        Err(code) => return code,
    };
    if let Some(unknown) = args.only_packs.iter().find(|p| !plan.checks.iter().any(|c| &c.pack == *p)) {
        return fail(&format!("no pack named `{unknown}` has checks"), None);
    }
    let (to, messages) = mpsc::channel();
    if let Err(message) = watch_context(args, to.clone()) {
        return fail(&message, None);
    }
    let config = session.config.clone();
    let selected = |c: &rulec_runtime::plan::Check| {
        (args.only_packs.is_empty() || args.only_packs.contains(&c.pack))
            && config.as_ref().is_none_or(|cfg| cfg.selects(c))
    };
    let options =
        StreamOptions { lateness: i64::from(args.lateness) * MICROS_PER_SECOND, max_groups: args.max_groups.max(1) };
    let mut stream = AlarmStream::new(&plan, selected, options);
    let forward = to.clone();
    let (inputs, from_source) = mpsc::channel();
    Source::parse(&args.source).spawn(inputs);
    std::thread::spawn(move || {
        for input in from_source {
            if forward.send(Message::Input(input)).is_err() {
                return;
            }
        }
    });
    let mut run = Run::new(Duration::from_secs(args.stats_every), sink);
    loop {
        let engine = match Engine::new(&plan, &session.loaded.store) {
            Ok(engine) => engine,
            Err(e) => return fail(&e.to_string(), None),
        };
        match run.serve(args, &plan, &session, &engine, &mut stream, &messages) {
            Served::Reload => {}
            Served::Done(code) => return code,
        }
        drop(engine);
        match open(args, &plan) {
            Ok(fresh) => {
                session = fresh;
                eprintln!("[watch-events] context reloaded");
            }
            Err(_) => eprintln!("[watch-events] the context or configuration is invalid; keeping the previous one"),
        }
    }
}

/// The context snapshot (or an empty one) with the configuration's known networks.
fn open(args: &WatchEventsArgs, plan: &Arc<Plan>) -> Result<Session, u8> {
    let contexts: Vec<PathBuf> = args.context.iter().cloned().collect();
    Session::load(plan.clone(), args.config.as_deref(), &contexts, &mut print_warning, |plan, inputs, extra| {
        if inputs.is_empty() {
            // No context: an empty snapshot taken now, plus the networks.
            let taken_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let empty = snapshot::Extra {
                name: PathBuf::from("(no context)"),
                text: format!(
                    "{{\"format\":\"rulec.snapshot/v1\",\"taken_at\":\"{taken_at}\",\"assets\":[],\"events\":[]}}"
                ),
                format: Format::Json,
            };
            let docs: Vec<snapshot::Extra> = std::iter::once(empty).chain(extra.iter().cloned()).collect();
            snapshot::load_with(plan, &[], &docs)
        } else {
            snapshot::load_with(plan, inputs, extra)
        }
    })
}

/// Watches the context and the configuration, and turns SIGINT / SIGTERM into `Stop`.
fn watch_context(args: &WatchEventsArgs, to: Sender<Message>) -> Result<(), String> {
    let mut targets = Vec::new();
    if let Some(context) = &args.context {
        targets.push(if context.is_dir() { Target::Tree(context.clone()) } else { Target::File(context.clone()) });
    }
    targets.push(Target::File(args.config.clone().unwrap_or_else(|| PathBuf::from("rulec.yaml"))));
    let watcher = Watcher::start(&targets, None)?;
    std::thread::spawn(move || {
        loop {
            let message = match watcher.wait() {
                Wake::Changed(_) | Wake::Anything => Message::Reload,
                Wake::Stop => Message::Stop,
            };
            let stop = matches!(message, Message::Stop);
            if to.send(message).is_err() || stop {
                return;
            }
        }
    });
    Ok(())
}

enum Served {
    Reload,
    Done(u8),
}

/// How long the source must be quiet before the stream stops waiting for late events and
/// releases what it buffered (`AlarmStream::idle`): an alarm never waits for the next event.
const QUIET: Duration = Duration::from_secs(1);

/// Counters of the run that the stream does not keep.
struct Run {
    /// When the last line arrived, until the stream was told the source is quiet.
    last_input: Option<Instant>,
    bad_lines: u64,
    suppressed: u64,
    stats_every: Duration,
    last_stats: Instant,
    events_at_last_stats: u64,
    sink: Sink,
}

impl Run {
    fn new(stats_every: Duration, sink: Sink) -> Run {
        Run {
            last_input: None,
            bad_lines: 0,
            suppressed: 0,
            stats_every,
            last_stats: Instant::now(),
            events_at_last_stats: 0,
            sink,
        }
    }

    /// Handles messages with one context until it changes or the run ends.
    fn serve(
        &mut self,
        args: &WatchEventsArgs,
        plan: &Plan,
        session: &Session,
        engine: &Engine<'_>,
        stream: &mut AlarmStream,
        messages: &Receiver<Message>,
    ) -> Served {
        let loader = TextLoader::new(plan);
        loop {
            let stats_due = if self.stats_every.is_zero() {
                Duration::MAX
            } else {
                self.stats_every.saturating_sub(self.last_stats.elapsed())
            };
            let idle_due = match self.last_input {
                Some(at) => QUIET.saturating_sub(at.elapsed()),
                None => Duration::MAX,
            };
            let message = match messages.recv_timeout(stats_due.min(idle_due).min(Duration::from_secs(3600))) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => {
                    if self.last_input.is_some_and(|at| at.elapsed() >= QUIET) {
                        self.last_input = None;
                        let emitted = stream.idle(engine);
                        if let Err(code) = self.deliver(session, emitted) {
                            return Served::Done(code);
                        }
                    }
                    if !self.stats_every.is_zero() && self.last_stats.elapsed() >= self.stats_every {
                        self.print_stats(stream.stats());
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return Served::Done(EXIT_OK),
            };
            match message {
                Message::Reload => return Served::Reload,
                Message::Stop => {
                    let stats = stream.stats();
                    eprintln!(
                        "[watch-events] stopped with {} groups open (each open burst was reported when it opened; \
                         what joined it since is not) and {} events waiting for the watermark",
                        stats.groups, stats.buffered
                    );
                    self.print_stats(stats);
                    return Served::Done(EXIT_OK);
                }
                Message::Input(Input::Line(number, line)) => {
                    self.last_input = Some(Instant::now());
                    match event_of(&loader, plan, &line, &args.account) {
                        Ok(Some(event)) => {
                            let emitted = stream.push(engine, event);
                            if emitted.late {
                                eprintln!(
                                    "[watch-events] line {number}: the event is older than --lateness allows; it joins no window (counted as late)"
                                );
                            }
                            if let Err(code) = self.deliver(session, emitted) {
                                return Served::Done(code);
                            }
                        }
                        Ok(None) => {}
                        Err(message) => {
                            self.bad_lines += 1;
                            eprintln!("[watch-events] line {number}: {message}; skipped");
                        }
                    }
                }
                Message::Input(Input::Note(note)) => eprintln!("[watch-events] {note}"),
                Message::Input(Input::Failed(message)) => return Served::Done(fail(&message, None)),
                Message::Input(Input::End) => {
                    let emitted = stream.flush(engine);
                    if let Err(code) = self.deliver(session, emitted) {
                        return Served::Done(code);
                    }
                    self.print_stats(stream.stats());
                    return Served::Done(EXIT_OK);
                }
            }
        }
    }

    /// Sends findings (after the configuration's allowlists and IP hiding) to the sink and
    /// prints errors; the exit code when the sink cannot take them (standard output closed: 0;
    /// a finding the webhook did not take: 2).
    fn deliver(&mut self, session: &Session, emitted: Emitted) -> Result<(), u8> {
        for error in &emitted.errors {
            eprintln!("[watch-events] {error}");
        }
        let store = &session.loaded.store;
        let mut alarms = Vec::new();
        for StreamFinding { id, finding } in emitted.findings {
            let (mut reported, mut suppressed) = match &session.config {
                Some(config) => {
                    let now = chrono::DateTime::from_timestamp_micros(store.taken_at()).unwrap_or_default();
                    let applied = config.apply(vec![finding], now);
                    (applied.findings, applied.suppressed)
                }
                None => (vec![finding], Vec::new()),
            };
            describe_subjects(&session.plan, store, reported.iter_mut().map(|f| &mut f.subject));
            describe_subjects(&session.plan, store, suppressed.iter_mut().map(|s| &mut s.finding.subject));
            self.suppressed += suppressed.len() as u64;
            alarms.extend(reported.iter().filter_map(|finding| alarm(&id, &Line { id: &id, finding })));
            alarms.extend(
                suppressed.iter().filter_map(|entry| alarm(&id, &SuppressedLine { id: &id, entry, suppressed: true })),
            );
        }
        match self.sink.send(&alarms) {
            Ok(true) => Ok(()),
            Ok(false) => Err(EXIT_OK),
            Err(message) => Err(fail(&message, None)),
        }
    }

    fn print_stats(&mut self, stats: StreamStats) {
        let seconds = self.last_stats.elapsed().as_secs_f64().max(1e-3);
        let rate = (stats.events - self.events_at_last_stats) as f64 / seconds;
        eprintln!(
            "[watch-events] {rate:.0} events/s, {} events, {} groups held, {} alarms emitted, {} suppressed, {} late, {} evicted, {} bad lines{}",
            stats.events,
            stats.groups,
            stats.emitted,
            self.suppressed,
            stats.late,
            stats.evicted,
            self.bad_lines,
            self.sink.stats()
        );
        self.last_stats = Instant::now();
        self.events_at_last_stats = stats.events;
    }
}

/// A reported finding's line: `check --format jsonl`'s object with the burst's id first.
#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    #[serde(flatten)]
    finding: &'a Finding,
}

/// A suppressed finding's line, as `check --format jsonl` marks it, with the id.
#[derive(Serialize)]
struct SuppressedLine<'a> {
    id: &'a str,
    #[serde(flatten)]
    entry: &'a Suppressed,
    suppressed: bool,
}

/// A line as the sink takes it, with its id.
fn alarm(id: &str, line: &impl Serialize) -> Option<Alarm> {
    // A finding is plain data: serialising it cannot fail.
    serde_json::to_string(line).ok().map(|json| Alarm { id: id.to_owned(), json })
}

/// One line as an event of the plan: a snapshot event (`"type"` names an event type) read by
/// the snapshot loader, or a raw audit record normalized first; `None` for a blank line.
fn event_of(loader: &TextLoader<'_>, plan: &Plan, line: &str, account: &str) -> Result<Option<Arc<Record>>, String> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let is_event = |name: &str| plan.types.iter().any(|t| t.kind == TypeKind::Event && t.name == name);
    let text = match value.get("type").and_then(|t| t.as_str()) {
        Some(name) if is_event(name) => line.to_owned(),
        Some(name) if plan.types.iter().any(|t| t.name == name) => {
            return Err(format!("a `{name}` is not an event"));
        }
        _ => match rulec_collect::normalize_record(&value, account) {
            Ok(rulec_collect::Normalized::Event(event)) => event.to_string(),
            Ok(rulec_collect::Normalized::LeftOut(reason)) => return Err(format!("left out: {reason}")),
            Err(reason) => {
                return Err(format!("neither a snapshot event nor a CloudAudit / ActionTrail record: {reason}"));
            }
        },
    };
    // The loader validates a document, not a lone line: the event goes in an empty one.
    let document = format!(
        "{{\"format\":\"rulec.snapshot/v1\",\"taken_at\":\"1970-01-01T00:00:00Z\",\"assets\":[],\"events\":[{text}]}}"
    );
    let loaded = loader
        .load("event", &document, Format::Json)
        .map_err(|errors| errors.to_string().trim().replace('\n', "; "))?;
    let store = loaded.store;
    (0..plan.types.len())
        .filter(|&i| plan.types[i].kind == TypeKind::Event)
        .find_map(|i| store.rows(i as u32).first().cloned())
        .map(Some)
        .ok_or_else(|| "no event in the line".to_owned())
}
