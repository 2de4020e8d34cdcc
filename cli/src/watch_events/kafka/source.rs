//! A Kafka topic as the event source: this process is one member of a consumer group, and
//! the group splits the topic's partitions among its members (docs/streaming.md, Kafka).
//!
//! At-least-once, without lost alarms when a member dies:
//! - offsets are committed only up to records whose alarms were delivered and whose window
//!   hits were released (the main loop stores them with [`KafkaHandle::store`]; librdkafka
//!   commits what is stored every second, when partitions are revoked, and at shutdown);
//! - a partition's first record after an assignment is where the previous owner stopped: before
//!   it, the records of the longest alarm window (plus the lateness) before that record's
//!   timestamp are read back with a second, group-less reader and sent as `replay` lines,
//!   which rebuild the windows and whose alarms are not delivered again.
//!
//! A burst the previous owner reported after its last commit is reported again, with the same
//! id: a consumer keeps the last line per id.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use super::super::follow::{At, Input};
use super::{KafkaUrl, REQUEST_TIMEOUT, refusal};

/// How long a poll waits for a record before the loop looks at its stop flag.
const POLL: Duration = Duration::from_millis(100);

/// How long reading back a partition may take before the rebuild gives up (said on stderr).
const REPLAY_LIMIT: Duration = Duration::from_secs(60);

/// The most records read back when the broker cannot say which offset a time starts at.
const SCAN_BACK: i64 = 100_000;

/// What the consumer thread and the main loop share.
pub(in super::super) struct KafkaHandle {
    consumer: Arc<BaseConsumer<GroupContext>>,
    topic: String,
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// The group member's callbacks: partitions assigned are marked to be rebuilt, partitions
/// revoked are told to the main loop (in order with the records, on the same channel).
struct GroupContext {
    to: Sender<Input>,
    fresh: Mutex<HashSet<i32>>,
    errors: Mutex<Quieted>,
}

/// Client errors as notes, each kind at most once per [`REPEAT_NOTE`]: librdkafka reports an
/// unreachable broker every second while it retries, which would drown standard error.
#[derive(Default)]
struct Quieted {
    last: std::collections::HashMap<String, (Instant, u64)>,
}

/// How often one kind of client error is said again while it persists.
const REPEAT_NOTE: Duration = Duration::from_secs(30);

impl ClientContext for GroupContext {
    fn error(&self, error: KafkaError, reason: &str) {
        if let Some(refused) = refusal(&error, reason) {
            self.send(Input::Failed(refused));
            return;
        }
        let kind = error.rdkafka_error_code().map_or_else(|| error.to_string(), |code| format!("{code:?}"));
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let entry = errors.last.entry(kind).or_insert((now - REPEAT_NOTE, 0));
        if now.duration_since(entry.0) < REPEAT_NOTE {
            entry.1 += 1;
            return;
        }
        let repeated = std::mem::take(&mut entry.1);
        entry.0 = now;
        drop(errors);
        let again =
            if repeated > 0 { format!(" ({repeated} more like it since the last note)") } else { String::new() };
        self.send(Input::Note(format!("kafka: {reason}; retrying{again}")));
    }
}

impl ConsumerContext for GroupContext {
    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(list) => {
                let partitions = partitions_of(list);
                self.fresh.lock().unwrap_or_else(|e| e.into_inner()).extend(partitions.iter().copied());
                self.send(Input::Note(format!("kafka: assigned partitions {partitions:?}")));
            }
            Rebalance::Revoke(list) => {
                let partitions = partitions_of(list);
                let mut fresh = self.fresh.lock().unwrap_or_else(|e| e.into_inner());
                fresh.retain(|p| !partitions.contains(p));
                drop(fresh);
                self.send(Input::Note(format!("kafka: partitions {partitions:?} revoked")));
                self.send(Input::Revoked(partitions));
            }
            Rebalance::Error(error) => self.send(Input::Note(format!("kafka: rebalance failed: {error}"))),
        }
    }
}

impl GroupContext {
    fn send(&self, input: Input) {
        // A closed receiver means the command is ending.
        let _ = self.to.send(input);
    }
}

fn partitions_of(list: &TopicPartitionList) -> Vec<i32> {
    let mut partitions: Vec<i32> = list.elements().iter().map(|e| e.partition()).collect();
    partitions.sort_unstable();
    partitions
}

/// A consumer group member ready to read, and what it needs to rebuild windows.
pub(in super::super) struct KafkaSource {
    url: KafkaUrl,
    options: Vec<String>,
    /// How far before a partition's first record to read back: the longest window plus the
    /// lateness, plus a minute for clocks that disagree.
    rebuild: Duration,
}

impl KafkaSource {
    /// Checks the address and settings now (a group is required), before anything is read.
    pub(in super::super) fn new(url: KafkaUrl, options: Vec<String>, rebuild: Duration) -> Result<KafkaSource, String> {
        if url.group.is_none() {
            return Err(format!(
                "`{}` names no consumer group: add `?group=NAME` (every process of one deployment uses the same)",
                url.shown()
            ));
        }
        url.client_config(&options)?;
        Ok(KafkaSource { url, options, rebuild })
    }

    /// Joins the group and reads on a thread of its own, sending to `to`.
    pub(in super::super) fn spawn(self, to: Sender<Input>) -> Result<Arc<KafkaHandle>, String> {
        let group = self.url.group.clone().unwrap_or_default();
        let mut config = self.url.client_config(&self.options)?;
        config
            .set("group.id", &group)
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "1000")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", &self.url.offset_reset)
            .set("enable.partition.eof", "false");
        // A broker answers a fetch as soon as records arrive, or after this wait: kept short
        // so a broker that does not wake fetches early (librdkafka's mock) still delivers an
        // event within a fraction of a second. The operator's --kafka-option wins.
        if config.get("fetch.wait.max.ms").is_none() {
            config.set("fetch.wait.max.ms", "50");
        }
        let context = GroupContext { to: to.clone(), fresh: Mutex::new(HashSet::new()), errors: Mutex::default() };
        let consumer: BaseConsumer<GroupContext> = config
            .create_with_context(context)
            .map_err(|e| format!("kafka: cannot create a consumer for {}: {e}", self.url.shown()))?;
        consumer
            .subscribe(&[&self.url.topic])
            .map_err(|e| format!("kafka: cannot subscribe to {}: {e}", self.url.shown()))?;
        let consumer = Arc::new(consumer);
        let stop = Arc::new(AtomicBool::new(false));
        let reader = Reader { url: self.url.clone(), options: self.options, rebuild: self.rebuild };
        let thread = {
            let (consumer, stop) = (consumer.clone(), stop.clone());
            std::thread::spawn(move || read(&consumer, &reader, &stop, &to))
        };
        Ok(Arc::new(KafkaHandle { consumer, topic: self.url.topic, stop, thread: Mutex::new(Some(thread)) }))
    }
}

/// The consumer thread: records to the main loop, each partition's first one after an
/// assignment preceded by the records read back to rebuild its windows.
fn read(consumer: &BaseConsumer<GroupContext>, reader: &Reader, stop: &AtomicBool, to: &Sender<Input>) {
    while !stop.load(Ordering::Relaxed) {
        let Some(polled) = consumer.poll(POLL) else { continue };
        let message = match polled {
            Ok(message) => message,
            Err(KafkaError::MessageConsumption(
                RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic,
            )) => {
                let _ = to.send(Input::Failed(format!(
                    "kafka: topic `{}` does not exist on {}",
                    reader.url.topic, reader.url.brokers
                )));
                return;
            }
            // Brokers down or unreachable: librdkafka retries on its own, and the client
            // error callback says so (quieted).
            Err(_) => continue,
        };
        let partition = message.partition();
        let offset = message.offset();
        let fresh = consumer.context().fresh.lock().unwrap_or_else(|e| e.into_inner()).remove(&partition);
        if fresh {
            let timestamp = message.timestamp().to_millis();
            reader.replay(partition, offset, timestamp, to);
        }
        let text = payload(&message);
        if to.send(Input::Line(At::Record { partition, offset, replay: false }, text)).is_err() {
            return;
        }
    }
}

/// A record's value as text; a record without one is an empty line (skipped).
fn payload<M: Message>(message: &M) -> String {
    message.payload().map(|bytes| String::from_utf8_lossy(bytes).into_owned()).unwrap_or_default()
}

/// Reads back the records before a partition's first one with a consumer of its own, which
/// joins no group and commits nothing.
struct Reader {
    url: KafkaUrl,
    options: Vec<String>,
    rebuild: Duration,
}

impl Reader {
    /// Sends, as replay lines, the records of `partition` from `rebuild` before the record at
    /// `first` (timestamp `millis`) up to it; a note says how many, or why none.
    fn replay(&self, partition: i32, first: i64, millis: Option<i64>, to: &Sender<Input>) {
        let note = |text: String| {
            let _ = to.send(Input::Note(format!("kafka: partition {partition}: {text}")));
        };
        let Some(millis) = millis else {
            note("the record has no timestamp: windows start empty".to_owned());
            return;
        };
        match self.read_back(partition, first, millis, to) {
            Ok(0) => {}
            Ok(count) => note(format!("rebuilt its windows from {count} earlier records")),
            Err(error) => note(format!("could not read back earlier records ({error}): windows start empty")),
        }
    }

    fn read_back(&self, partition: i32, first: i64, millis: i64, to: &Sender<Input>) -> Result<u64, String> {
        let mut config = self.url.client_config(&self.options)?;
        // A group id librdkafka asks for, though this reader neither joins nor commits (it is
        // assigned its partition by hand).
        let group = format!("{}.rebuild", self.url.group.as_deref().unwrap_or("rulec"));
        config.set("group.id", group).set("enable.auto.commit", "false").set("enable.partition.eof", "true");
        let consumer: BaseConsumer = config.create().map_err(|e| e.to_string())?;
        let since = millis.saturating_sub(i64::try_from(self.rebuild.as_millis()).unwrap_or(i64::MAX));
        let mut wanted = TopicPartitionList::new();
        wanted.add_partition_offset(&self.url.topic, partition, Offset::Offset(since)).map_err(|e| e.to_string())?;
        let found = consumer.offsets_for_times(wanted, REQUEST_TIMEOUT).map_err(|e| e.to_string())?;
        let start = match found.find_partition(&self.url.topic, partition).map(|e| e.offset()) {
            Some(Offset::Offset(start)) if start < first => start,
            Some(Offset::Offset(_)) => return Ok(0),
            // No offset for the time, though the record at `first` is that recent: the broker
            // keeps no time index (librdkafka's mock cluster). Scan back a bounded number of
            // records instead, keeping those recent enough.
            _ => {
                let (low, _) = consumer
                    .fetch_watermarks(&self.url.topic, partition, REQUEST_TIMEOUT)
                    .map_err(|e| e.to_string())?;
                low.max(first.saturating_sub(SCAN_BACK))
            }
        };
        if start >= first {
            return Ok(0);
        }
        let mut assignment = TopicPartitionList::new();
        assignment
            .add_partition_offset(&self.url.topic, partition, Offset::Offset(start))
            .map_err(|e| e.to_string())?;
        consumer.assign(&assignment).map_err(|e| e.to_string())?;
        let began = Instant::now();
        let mut count = 0;
        loop {
            if began.elapsed() >= REPLAY_LIMIT {
                return Err(format!(
                    "stopped after {count} records: reading back took over {} s",
                    REPLAY_LIMIT.as_secs()
                ));
            }
            match consumer.poll(POLL) {
                None => {}
                Some(Err(KafkaError::PartitionEOF(_))) => break,
                Some(Err(error)) => return Err(error.to_string()),
                Some(Ok(message)) => {
                    if message.offset() >= first {
                        break;
                    }
                    if message.timestamp().to_millis().is_some_and(|t| t < since) {
                        continue;
                    }
                    count += 1;
                    let at = At::Record { partition, offset: message.offset(), replay: true };
                    if to.send(Input::Line(at, payload(&message))).is_err() {
                        break;
                    }
                }
            }
        }
        Ok(count)
    }
}

impl KafkaHandle {
    /// Records that everything of `partition` before `next` was delivered: committed with the
    /// next automatic commit. A partition no longer assigned is skipped (its new owner reads
    /// it again).
    pub(in super::super) fn store(&self, partition: i32, next: i64) {
        let mut list = TopicPartitionList::new();
        if list.add_partition_offset(&self.topic, partition, Offset::Offset(next)).is_ok() {
            let _ = self.consumer.store_offsets(&list);
        }
    }

    /// How many records of the assigned partitions wait behind `next` (the next offset to
    /// process, by partition); `None` when the brokers do not answer.
    pub(in super::super) fn lag(&self, next: &dyn Fn(i32) -> Option<i64>) -> Option<i64> {
        let assignment = self.consumer.assignment().ok()?;
        let mut lag = 0;
        for element in assignment.elements() {
            let partition = element.partition();
            let (_, high) = self.consumer.fetch_watermarks(&self.topic, partition, REQUEST_TIMEOUT).ok()?;
            lag += next(partition).map_or(high, |next| (high - next).max(0));
        }
        Some(lag)
    }

    /// Commits what was stored, leaves the group and stops reading: what a graceful shutdown
    /// does, so the partitions move to another member at once and nothing is read twice.
    pub(in super::super) fn close(&self) -> Result<(), String> {
        let committed = match self.consumer.commit_consumer_state(rdkafka::consumer::CommitMode::Sync) {
            // Nothing stored since the last commit.
            Ok(()) | Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => Ok(()),
            Err(error) => Err(format!("kafka: the last commit failed: {error}")),
        };
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = thread.join();
        }
        // Leave the group now rather than when the brokers stop hearing from this member.
        if self.consumer.close_queue().is_ok() {
            let began = Instant::now();
            while !self.consumer.closed() && began.elapsed() < REQUEST_TIMEOUT {
                let _ = self.consumer.poll(POLL);
            }
        }
        committed
    }
}
