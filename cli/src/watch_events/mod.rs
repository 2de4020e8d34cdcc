//! `rulec watch-events`: the alarm rules on a live event stream (docs/streaming.md).
//!
//! One thread reads the source (`follow`, or a Kafka consumer group member in `kafka`), one
//! watches the context snapshot and the configuration, and this loop owns the
//! [`AlarmStream`]s: each line becomes one event (a snapshot event as is, a raw CloudAudit /
//! ActionTrail record through the import crate's normalizer), is pushed, and what it raises is
//! sent at once to the sink as one JSON line with its id. A changed context is loaded again and
//! the streams go on with their windows intact.
//!
//! A file or standard input is one lane (one stream); each Kafka partition is a lane of its
//! own, with its own watermark, so a partition read back after an assignment rebuilds only its
//! windows, and a partition revoked drops only its own.

mod follow;
mod kafka;
mod sink;

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use rulec_runtime::eval::{AlarmStream, Emitted, Engine, StreamFinding, StreamOptions, StreamStats};
use rulec_runtime::plan::{Plan, TypeKind};
use rulec_runtime::report::{Finding, Suppressed, describe_subjects};
use rulec_runtime::snapshot::{self, Format, TextLoader};
use rulec_runtime::value::{MICROS_PER_SECOND, Micros, Record};
use serde::Serialize;

use super::check::{Session, print_warning};
use super::watch::{Target, Wake, Watcher};
use super::{EXIT_BAD_INPUT, EXIT_OK, PackArgs, compile, fail};
use follow::{At, Input, Source};
use kafka::KafkaUrl;
use kafka::source::{KafkaHandle, KafkaSource};
use sink::{Alarm, Sink, SinkArgs};

#[derive(clap::Args, Debug)]
pub(crate) struct WatchEventsArgs {
    /// Where events come from: `-` for standard input, a JSONL file followed as it grows, or
    /// kafka://BROKERS/TOPIC?group=G (a consumer group member; docs/streaming.md, Kafka)
    #[arg(long, value_name = "SRC")]
    pub source: String,
    /// A librdkafka setting for the Kafka source and sink, as KEY=VALUE (repeatable), e.g.
    /// `session.timeout.ms=10000`
    #[arg(long = "kafka-option", value_name = "KEY=VALUE")]
    pub kafka_options: Vec<String>,
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
    let sink = match Sink::open(&args.sink, &args.kafka_options) {
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
    let config = session.config.clone();
    let selected = |c: &rulec_runtime::plan::Check| {
        (args.only_packs.is_empty() || args.only_packs.contains(&c.pack))
            && config.as_ref().is_none_or(|cfg| cfg.selects(c))
    };
    let options =
        StreamOptions { lateness: i64::from(args.lateness) * MICROS_PER_SECOND, max_groups: args.max_groups.max(1) };
    let source = match source_of(args, &plan, &selected) {
        Ok(source) => source,
        Err(message) => return fail(&message, None),
    };
    let (to, messages) = mpsc::channel();
    if let Err(message) = watch_context(args, to.clone()) {
        return fail(&message, None);
    }
    let forward = to.clone();
    let (inputs, from_source) = mpsc::channel();
    let kafka = match source {
        Opened::Lines(source) => {
            source.spawn(inputs);
            None
        }
        Opened::Kafka(source) => match source.spawn(inputs) {
            Ok(handle) => Some(handle),
            Err(message) => return fail(&message, None),
        },
    };
    std::thread::spawn(move || {
        for input in from_source {
            if forward.send(Message::Input(input)).is_err() {
                return;
            }
        }
    });
    let mut lanes = Lanes::new(&plan, &selected, options);
    let mut run = Run::new(Duration::from_secs(args.stats_every), sink, kafka);
    loop {
        let engine = match Engine::new(&plan, &session.loaded.store) {
            Ok(engine) => engine,
            Err(e) => return run.finish(fail(&e.to_string(), None)),
        };
        match run.serve(args, &plan, &session, &engine, &mut lanes, &messages) {
            Served::Reload => {}
            Served::Done(code) => return run.finish(code),
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

/// The source as opened at start: lines (standard input or a followed file), or a Kafka
/// consumer group member, checked before anything is read.
enum Opened {
    Lines(Source),
    Kafka(KafkaSource),
}

fn source_of(
    args: &WatchEventsArgs,
    plan: &Plan,
    selected: &dyn Fn(&rulec_runtime::plan::Check) -> bool,
) -> Result<Opened, String> {
    if !KafkaUrl::is_kafka(&args.source) {
        if !args.kafka_options.is_empty() && !KafkaUrl::is_kafka(&args.sink.sink) {
            return Err("--kafka-option applies to a kafka:// source or sink".to_owned());
        }
        return Ok(Opened::Lines(Source::parse(&args.source)));
    }
    let url = KafkaUrl::parse(&args.source)?;
    // What a partition's new owner reads back: the longest window of the alarms it evaluates,
    // the lateness, and a minute for producers' clocks.
    let longest = plan
        .checks
        .iter()
        .filter(|c| selected(c))
        .filter_map(|c| c.group.as_ref().and_then(|g| g.window_seconds))
        .max()
        .unwrap_or(0);
    let seconds = u64::try_from(longest).unwrap_or(0) + u64::from(args.lateness) + 60;
    KafkaSource::new(url, args.kafka_options.clone(), Duration::from_secs(seconds)).map(Opened::Kafka)
}

/// How long the source must be quiet before the stream stops waiting for late events and
/// releases what it buffered (`AlarmStream::idle`): an alarm never waits for the next event.
const QUIET: Duration = Duration::from_secs(1);

/// One stream per lane: `None` for a file or standard input, a partition for Kafka.
struct Lanes {
    streams: BTreeMap<Option<i32>, Lane>,
    plan: Arc<Plan>,
    /// The alarms evaluated, by id.
    selected: std::collections::HashSet<String>,
    options: StreamOptions,
}

/// A lane's stream, and for a Kafka partition the records not yet done: pushed, but with hits
/// still waiting for the watermark. The first of them is where a commit must stop.
struct Lane {
    stream: AlarmStream,
    /// Offsets and event times of live records, in offset order, not yet known to be done.
    pending: VecDeque<(i64, Micros)>,
    /// The next offset to read (after the last live record).
    next: Option<i64>,
    /// The offset last stored for commit.
    stored: Option<i64>,
}

impl Lanes {
    fn new(plan: &Arc<Plan>, selected: &dyn Fn(&rulec_runtime::plan::Check) -> bool, options: StreamOptions) -> Lanes {
        let selected = plan.checks.iter().filter(|c| selected(c)).map(|c| c.id.clone()).collect();
        Lanes { streams: BTreeMap::new(), plan: plan.clone(), selected, options }
    }

    fn lane(&mut self, key: Option<i32>) -> &mut Lane {
        let Lanes { streams, plan, selected, options } = self;
        streams.entry(key).or_insert_with(|| Lane {
            stream: AlarmStream::new(plan, |c| selected.contains(&c.id), *options),
            pending: VecDeque::new(),
            next: None,
            stored: None,
        })
    }

    /// The counters of all lanes together.
    fn stats(&self) -> StreamStats {
        self.streams.values().map(|lane| lane.stream.stats()).fold(StreamStats::default(), |a, b| StreamStats {
            events: a.events + b.events,
            late: a.late + b.late,
            groups: a.groups + b.groups,
            buffered: a.buffered + b.buffered,
            evicted: a.evicted + b.evicted,
            emitted: a.emitted + b.emitted,
        })
    }
}

impl Lane {
    /// The offset a commit may reach now: the first pending record whose hits the watermark
    /// has not released, or the next to read when all are done.
    fn committable(&mut self) -> Option<i64> {
        commit_point(&mut self.pending, self.stream.watermark(), self.next)
    }
}

/// Where a partition's commit may reach: drops the pending records the watermark has passed
/// from the front, then the first one left, else `next`. A record behind one still waiting
/// waits too (offsets are committed as a prefix).
fn commit_point(pending: &mut VecDeque<(i64, Micros)>, watermark: Micros, next: Option<i64>) -> Option<i64> {
    while pending.front().is_some_and(|&(_, time)| time <= watermark) {
        pending.pop_front();
    }
    pending.front().map(|&(offset, _)| offset).or(next)
}

/// Counters of the run that the streams do not keep.
struct Run {
    /// When the last line arrived, until the streams were told the source is quiet.
    last_input: Option<Instant>,
    bad_lines: u64,
    suppressed: u64,
    /// Records read back to rebuild windows after a Kafka assignment.
    replayed: u64,
    stats_every: Duration,
    last_stats: Instant,
    events_at_last_stats: u64,
    sink: Sink,
    kafka: Option<Arc<KafkaHandle>>,
}

impl Run {
    fn new(stats_every: Duration, sink: Sink, kafka: Option<Arc<KafkaHandle>>) -> Run {
        Run {
            last_input: None,
            bad_lines: 0,
            suppressed: 0,
            replayed: 0,
            stats_every,
            last_stats: Instant::now(),
            events_at_last_stats: 0,
            sink,
            kafka,
        }
    }

    /// Ends the run: a Kafka member commits what was delivered and leaves its group.
    fn finish(&mut self, code: u8) -> u8 {
        match self.kafka.take().map(|kafka| kafka.close()) {
            Some(Err(message)) => fail(&message, None).max(code),
            _ => code,
        }
    }

    /// Handles messages with one context until it changes or the run ends.
    fn serve(
        &mut self,
        args: &WatchEventsArgs,
        plan: &Plan,
        session: &Session,
        engine: &Engine<'_>,
        lanes: &mut Lanes,
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
                        let keys: Vec<Option<i32>> = lanes.streams.keys().copied().collect();
                        for key in keys {
                            let emitted = lanes.lane(key).stream.idle(engine);
                            if let Err(code) = self.deliver(session, emitted) {
                                return Served::Done(code);
                            }
                            self.store(key, lanes.lane(key));
                        }
                    }
                    if !self.stats_every.is_zero() && self.last_stats.elapsed() >= self.stats_every {
                        self.print_stats(lanes);
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return Served::Done(EXIT_OK),
            };
            // A source that never pauses must not starve the stats line.
            if !self.stats_every.is_zero() && self.last_stats.elapsed() >= self.stats_every {
                self.print_stats(lanes);
            }
            match message {
                Message::Reload => return Served::Reload,
                Message::Stop => {
                    let stats = lanes.stats();
                    eprintln!(
                        "[watch-events] stopped with {} groups open (each open burst was reported when it opened; \
                         what joined it since is not) and {} events waiting for the watermark{}",
                        stats.groups,
                        stats.buffered,
                        if self.kafka.is_some() {
                            " (not committed: the partitions' next owner reads them)"
                        } else {
                            ""
                        }
                    );
                    self.print_stats(lanes);
                    return Served::Done(EXIT_OK);
                }
                Message::Input(Input::Line(at, line)) => {
                    self.last_input = Some(Instant::now());
                    if let Err(code) = self.line(args, plan, session, engine, lanes, &loader, at, &line) {
                        return Served::Done(code);
                    }
                }
                Message::Input(Input::Revoked(partitions)) => {
                    for partition in partitions {
                        lanes.streams.remove(&Some(partition));
                    }
                }
                Message::Input(Input::Note(note)) => eprintln!("[watch-events] {note}"),
                Message::Input(Input::Failed(message)) => return Served::Done(fail(&message, None)),
                Message::Input(Input::End) => {
                    let keys: Vec<Option<i32>> = lanes.streams.keys().copied().collect();
                    for key in keys {
                        let emitted = lanes.lane(key).stream.flush(engine);
                        if let Err(code) = self.deliver(session, emitted) {
                            return Served::Done(code);
                        }
                    }
                    self.print_stats(lanes);
                    return Served::Done(EXIT_OK);
                }
            }
        }
    }

    /// One line into its lane: judged, its findings delivered (not those of a record read back
    /// to rebuild windows: they were delivered before), and the lane's commit point moved.
    #[expect(clippy::too_many_arguments, reason = "the loop's state, passed down rather than bundled once more")]
    fn line(
        &mut self,
        args: &WatchEventsArgs,
        plan: &Plan,
        session: &Session,
        engine: &Engine<'_>,
        lanes: &mut Lanes,
        loader: &TextLoader<'_>,
        at: At,
        line: &str,
    ) -> Result<(), u8> {
        let (key, record) = match at {
            At::Line(_) => (None, None),
            At::Record { partition, offset, replay } => (Some(partition), Some((offset, replay))),
        };
        let replay = record.is_some_and(|(_, replay)| replay);
        if replay {
            self.replayed += 1;
        }
        let lane = lanes.lane(key);
        match event_of(loader, plan, line, &args.account) {
            Ok(Some(event)) => {
                let time = AlarmStream::time_of(engine, &event);
                let emitted = lane.stream.push(engine, event);
                if emitted.late && !replay {
                    eprintln!(
                        "[watch-events] {at}: the event is older than --lateness allows; it joins no window (counted as late)"
                    );
                }
                if replay {
                    emitted.errors.iter().for_each(|error| eprintln!("[watch-events] {error}"));
                } else {
                    if let Some((offset, _)) = record {
                        lane.pending.push_back((offset, time));
                    }
                    self.deliver(session, emitted)?;
                }
            }
            Ok(None) => {}
            Err(message) => {
                self.bad_lines += 1;
                eprintln!("[watch-events] {at}: {message}; skipped");
            }
        }
        if let Some((offset, false)) = record {
            let lane = lanes.lane(key);
            lane.next = Some(offset + 1);
            self.store(key, lane);
        }
        Ok(())
    }

    /// Stores a Kafka lane's commit point when it moved: everything before it was delivered.
    fn store(&self, key: Option<i32>, lane: &mut Lane) {
        let (Some(kafka), Some(partition)) = (&self.kafka, key) else { return };
        if let Some(next) = lane.committable()
            && lane.stored != Some(next)
        {
            kafka.store(partition, next);
            lane.stored = Some(next);
        }
    }

    /// Sends findings (after the configuration's allowlists and IP hiding) to the sink and
    /// prints errors; the exit code when the sink cannot take them (standard output closed: 0;
    /// a finding the webhook or topic did not take: 2).
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

    fn print_stats(&mut self, lanes: &Lanes) {
        let stats = lanes.stats();
        let seconds = self.last_stats.elapsed().as_secs_f64().max(1e-3);
        let rate = stats.events.saturating_sub(self.events_at_last_stats) as f64 / seconds;
        let kafka = match &self.kafka {
            Some(kafka) => {
                let next = |partition: i32| lanes.streams.get(&Some(partition)).and_then(|lane| lane.next);
                let lag = kafka.lag(&next).map_or_else(|| "unknown".to_owned(), |lag| lag.to_string());
                format!(", {} partitions, lag {lag}, {} records read back", lanes.streams.len(), self.replayed)
            }
            None => String::new(),
        };
        eprintln!(
            "[watch-events] {rate:.0} events/s, {} events, {} groups held, {} alarms emitted, {} suppressed, {} late, {} evicted, {} bad lines{}{kafka}",
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
fn event_of(loader: &TextLoader<'_>, plan: &Plan, line: &str, account: &str) -> Result<Option<Record>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_stops_at_the_first_record_still_waiting_for_the_watermark() {
        // Offsets 7, 8, 9 at times 30, 10, 20; the next to read is 10.
        let mut pending: VecDeque<(i64, Micros)> = [(7, 30), (8, 10), (9, 20)].into();
        // Nothing released yet: not even 7 is done.
        assert_eq!(commit_point(&mut pending, 5, Some(10)), Some(7));
        // 8 and 9 are released, 7 is not: the commit still stops at 7.
        assert_eq!(commit_point(&mut pending, 25, Some(10)), Some(7));
        assert_eq!(pending.len(), 3);
        // All released: everything read is done.
        assert_eq!(commit_point(&mut pending, 30, Some(10)), Some(10));
        assert!(pending.is_empty());
        // Nothing read: nothing to commit.
        assert_eq!(commit_point(&mut VecDeque::new(), 0, None), None);
    }
}
