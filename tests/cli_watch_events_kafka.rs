//! End-to-end tests of `rulec watch-events` on Kafka: the real binary as members of a consumer
//! group, against a Kafka-protocol broker on 127.0.0.1. By default the broker is librdkafka's
//! mock cluster, started in this test process (real TCP listeners, consumer groups, commits;
//! no time index, so a rebuilding member scans back instead of asking for offsets by time).
//! With `RULEC_TEST_KAFKA_BROKERS=HOST:PORT` the same tests run against another broker (tansu, a
//! real Kafka; docs/streaming.md says how). Lines are waited for with a deadline, so a
//! regression fails instead of hanging; nothing asserts timing.

#[path = "support/kafka_front.rs"]
mod kafka_front;
#[path = "support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use kafka_front::Front;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, DefaultProducerContext, Producer};
use rdkafka::types::RDKafkaApiKey;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::Value;
use support::watch_events::{CONTEXT, EXTERNAL_CALL, checked_alarms};
use support::{repo, rulec_process, run_in, text};

const PATIENCE: Duration = Duration::from_secs(60);

/// The broker of one test: a mock cluster of its own (behind a TLS/SASL front when secured),
/// or the external one (topics named per test, so tests sharing it do not meet).
struct Broker {
    mock: Option<MockCluster<'static, DefaultProducerContext>>,
    servers: String,
    /// The client settings the secured front requires, and the file of its certificate.
    security: Vec<(&'static str, String)>,
    front: Option<Front>,
    files: tempfile::TempDir,
}

/// The user the secured front admits; the password is given to rulec in its environment.
const USER: &str = "logset-3f2a";
const PASSWORD: &str = "correct horse battery staple";

impl Broker {
    fn start() -> Broker {
        let files = tempfile::tempdir().expect("temp dir");
        if let Ok(servers) = std::env::var("RULEC_TEST_KAFKA_BROKERS") {
            return Broker { mock: None, servers, security: Vec::new(), front: None, files };
        }
        let mock = MockCluster::new(1).expect("start librdkafka's mock cluster");
        let servers = mock.bootstrap_servers();
        Broker { mock: Some(mock), servers, security: Vec::new(), front: None, files }
    }

    /// A mock cluster that takes only SASL/PLAIN over TLS from `USER`, with the front's
    /// certificate in `ca.pem` (always the mock: an external broker's listeners are its own).
    fn secured() -> Broker {
        let files = tempfile::tempdir().expect("temp dir");
        let mock = MockCluster::new(1).expect("start librdkafka's mock cluster");
        // The front rewrites where these answers say the broker is; it reads their
        // non-flexible versions.
        mock.apiversion(RDKafkaApiKey::Metadata, Some(0), Some(kafka_front::METADATA_MAX)).expect("cap Metadata");
        mock.apiversion(RDKafkaApiKey::FindCoordinator, Some(0), Some(kafka_front::FIND_COORDINATOR_MAX))
            .expect("cap FindCoordinator");
        let upstream = mock.bootstrap_servers().parse().expect("the mock's address");
        let front = Front::start(upstream, USER, PASSWORD);
        let ca = files.path().join("ca.pem");
        std::fs::write(&ca, &front.certificate_pem).expect("write the front's certificate");
        let security = vec![
            ("security.protocol", "sasl_ssl".to_owned()),
            ("sasl.mechanism", "PLAIN".to_owned()),
            ("sasl.username", USER.to_owned()),
            ("sasl.password", PASSWORD.to_owned()),
            ("ssl.ca.location", ca.display().to_string()),
        ];
        let servers = front.address.to_string();
        Broker { mock: Some(mock), servers, security, front: Some(front), files }
    }

    /// Settings for the test's own clients.
    fn config(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.servers);
        for (key, value) in &self.security {
            config.set(*key, value);
        }
        config
    }

    /// A fresh topic with `partitions` partitions; its name is unique to the run (the mock
    /// cluster does not answer CreateTopics: it is told directly).
    fn topic(&self, name: &str, partitions: i32) -> String {
        let unique = format!("{name}-{}", std::process::id());
        if let Some(mock) = &self.mock {
            mock.create_topic(&unique, partitions, 1).expect("create a topic on the mock cluster");
            return unique;
        }
        let admin: AdminClient<DefaultClientContext> = self.config().create().expect("admin client");
        let topic = NewTopic::new(&unique, partitions, TopicReplication::Fixed(1));
        let created =
            futures_executor::block_on(admin.create_topics([&topic], &AdminOptions::new())).expect("create topics");
        for result in created {
            result.unwrap_or_else(|(topic, error)| panic!("create topic {topic}: {error}"));
        }
        unique
    }

    /// Writes events, keyed as docs/streaming.md asks: the access key, else the user.
    fn produce(&self, topic: &str, events: &[String]) {
        let producer: BaseProducer = self.config().create().expect("producer");
        for event in events {
            let value: Value = serde_json::from_str(event).expect("a JSON event");
            let key = value["access_key_id"].as_str().or(value["user_id"].as_str()).unwrap_or("").to_owned();
            producer.send(BaseRecord::to(topic).key(&key).payload(event)).expect("queue a record");
        }
        producer.flush(Duration::from_secs(30)).expect("the broker takes the records");
    }

    fn url(&self, topic: &str, query: &str) -> String {
        format!("kafka://{}/{topic}{query}", self.servers)
    }

    /// The address options rulec needs for the secured front, after `?`.
    fn secured_query(&self) -> String {
        format!("security=sasl_ssl&user={USER}&ca={}", self.files.path().join("ca.pem").display())
    }

    /// The records of a topic read so far, as text, waiting until `until` holds of them.
    fn read(&self, topic: &str, until: impl Fn(&[String]) -> bool) -> Vec<String> {
        let consumer: BaseConsumer = self
            .config()
            .set("group.id", format!("{topic}-reader"))
            .set("auto.offset.reset", "earliest")
            .create()
            .expect("consumer");
        consumer.subscribe(&[topic]).expect("subscribe");
        let began = Instant::now();
        let mut records = Vec::new();
        while !until(&records) {
            assert!(began.elapsed() < PATIENCE, "{topic}: only {records:?} within {PATIENCE:?}");
            if let Some(Ok(message)) = consumer.poll(Duration::from_millis(200)) {
                let key = message.key().map(|k| String::from_utf8_lossy(k).into_owned()).unwrap_or_default();
                let value = message.payload().map(|p| String::from_utf8_lossy(p).into_owned()).unwrap_or_default();
                records.push(format!("{key}\t{value}"));
            }
        }
        records
    }

    /// The group's committed offset per partition of a topic.
    fn committed(&self, topic: &str, group: &str, partitions: i32) -> Vec<i64> {
        let consumer: BaseConsumer = self.config().set("group.id", group).create().expect("consumer");
        let mut list = TopicPartitionList::new();
        for partition in 0..partitions {
            list.add_partition(topic, partition);
        }
        let committed = consumer.committed_offsets(list, Duration::from_secs(10)).expect("committed offsets");
        committed
            .elements()
            .iter()
            .map(|e| match e.offset() {
                Offset::Offset(offset) => offset,
                _ => -1,
            })
            .collect()
    }
}

/// A running group member, its standard output and its standard error, line by line.
struct Member {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

/// The lines of a pipe, on a thread of their own.
fn lines_of(pipe: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

impl Member {
    fn start(dir: &Path, source: &str, extra: &[&str]) -> Member {
        Member::start_with(dir, source, extra, None)
    }

    /// A member given the SASL password in its environment.
    fn start_with(dir: &Path, source: &str, extra: &[&str], password: Option<&str>) -> Member {
        let mut command = rulec_process();
        if let Some(password) = password {
            command.env("RULEC_KAFKA_PASSWORD", password);
        }
        let mut child = command
            .current_dir(dir)
            .args(["watch-events", "--source", source, "--stats-every", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rulec");
        let stdout = lines_of(child.stdout.take().expect("piped stdout"));
        let stderr = lines_of(child.stderr.take().expect("piped stderr"));
        Member { child, stdout, stderr }
    }

    /// Waits for a note on standard error that contains `text`.
    fn note(&self, text: &str) -> String {
        let began = Instant::now();
        while began.elapsed() < PATIENCE {
            if let Ok(line) = self.stderr.recv_timeout(Duration::from_millis(100))
                && line.contains(text)
            {
                return line;
            }
        }
        panic!("no note with `{text}` within {PATIENCE:?}")
    }

    /// The exit code, once it ends by itself, and what it said on standard error.
    fn exit(mut self) -> (Option<i32>, String) {
        let began = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let said: Vec<String> = self.stderr.iter().collect();
                return (status.code(), said.join("\n"));
            }
            assert!(began.elapsed() < PATIENCE, "rulec did not stop within {PATIENCE:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then the exit code.
    fn terminate(mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let killed = std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
        assert!(killed.success());
        let began = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(began.elapsed() < PATIENCE, "rulec did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_leaked_key_used_from_outside_alarms_from_a_topic_into_a_topic() {
    let broker = Broker::start();
    let events = broker.topic("events", 2);
    let alarms = broker.topic("alarms", 1);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("context.json"), CONTEXT).expect("context");
    let member = Member::start(
        dir.path(),
        &broker.url(&events, "?group=alarmers"),
        &["--context", "context.json", "--sink", &broker.url(&alarms, "")],
    );
    broker.produce(&events, &[EXTERNAL_CALL.to_owned()]);
    let records = broker.read(&alarms, |records| !records.is_empty());
    let (key, value) = records[0].split_once('\t').expect("key and value");
    let finding: Value = serde_json::from_str(value).expect("a JSON finding");
    assert_eq!(finding["id"], key, "the record is keyed by the finding's id");
    assert_eq!(finding["subject"]["id"], "ak-live");
    assert!(finding["rule"].as_str().is_some_and(|rule| rule.starts_with("AK_ALARM_")), "{finding}");
    // The sink is the topic: nothing on standard output.
    let printed: Vec<String> = member.stdout.try_iter().collect();
    assert!(printed.is_empty(), "{printed:?}");
    // Graceful stop: exit 0, and the event's offset committed on its partition.
    assert_eq!(member.terminate(), Some(0));
    let mut committed = broker.committed(&events, "alarmers", 2);
    committed.sort_unstable();
    assert_eq!(committed, [-1, 1], "one partition got the event and its offset is committed");
}

#[test]
fn unreachable_brokers_are_said_and_retried_until_sigterm() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("address").port();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = rulec_process()
        .current_dir(dir.path())
        .args(["watch-events", "--stats-every", "0", "--source", &format!("kafka://127.0.0.1:{port}/events?group=g")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rulec");
    let stderr = child.stderr.take().expect("piped stderr");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let first = lines.recv_timeout(PATIENCE).expect("a note about the brokers");
    assert!(first.contains(&format!("127.0.0.1:{port}")) && first.ends_with("retrying"), "{first}");
    // Still running: it waits for the brokers rather than giving up.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().expect("wait").is_none(), "rulec gave up on unreachable brokers");
    let member = Member { child, stdout: mpsc::channel().1, stderr: mpsc::channel().1 };
    assert_eq!(member.terminate(), Some(0));
    let notes: Vec<String> = lines.try_iter().collect();
    // Said once per kind of error, not once per librdkafka retry.
    assert!(notes.iter().filter(|n| n.contains("Connection refused")).count() <= 1, "{notes:#?}");
}

#[test]
fn bad_kafka_addresses_stop_before_reading() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (args, expected) in [
        (vec!["--source", "kafka://127.0.0.1:9092/events"], "names no consumer group"),
        (vec!["--source", "kafka://127.0.0.1:9092/events?group=g&colour=red"], "unknown option `colour`"),
        (vec!["--source", "kafka://127.0.0.1:9092/events?group=g&user=logset"], "RULEC_KAFKA_PASSWORD"),
        (vec!["--source", "-", "--sink", "kafka://127.0.0.1:9092/alarms?group=g"], "`group=` belongs to a --source"),
        (vec!["--source", "-", "--kafka-option", "linger.ms=5"], "applies to a kafka:// source or sink"),
        (vec!["--source", "kafka://127.0.0.1:9092/events?group=g", "--kafka-option", "linger.ms"], "is not KEY=VALUE"),
    ] {
        let mut command = vec!["watch-events"];
        command.extend(args);
        let out = run_in(dir.path(), &command);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(expected), "{command:?}: {}", text(&out.stderr));
    }
}

fn time_of(event: &str) -> String {
    let event: Value = serde_json::from_str(event).expect("json");
    event["time"].as_str().unwrap_or_default().to_owned()
}

/// A finding as the burst it reports: rule, subject and first event. A live stream has no end,
/// so a burst without a window (`group by` without `within`) stays open: its last report is the
/// one made when it opened, with the events seen by then, where `rulec check` lists them all
/// (docs/streaming.md, When an alarm is emitted).
fn burst(finding: &str) -> String {
    let finding: Value = serde_json::from_str(finding).expect("json");
    format!("{} {} {}", finding["rule"], finding["subject"]["id"], finding["evidence"]["first_seen"])
}

/// Every line the members printed, by id; each id's last line without its id.
fn by_id(lines: &[String]) -> BTreeMap<String, String> {
    let mut last = BTreeMap::new();
    for line in lines {
        let mut finding: Value = serde_json::from_str(line).expect("a JSON line");
        let id = finding.as_object_mut().and_then(|o| o.remove("id")).expect("an id");
        last.insert(id.to_string(), finding.to_string());
    }
    last
}

#[test]
fn killing_a_member_mid_stream_loses_no_alarm() {
    let broker = Broker::start();
    let topic = broker.topic("estate-events", 2);
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = repo().join("examples/snapshot.json");
    let expected = checked_alarms(dir.path(), &snapshot);
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).expect("example")).expect("json example");
    // In time order, as a producer would send them, so the watermark moves and commits
    // advance during the stream, not only when it pauses.
    let mut events: Vec<&Value> = document["events"].as_array().expect("events").iter().collect();
    events.sort_by_key(|event| event["time"].as_str().unwrap_or_default().to_owned());
    let events: Vec<String> = events.into_iter().map(Value::to_string).collect();
    // Split in the middle of the example's reconnaissance burst (20 distinct enumeration calls
    // within 10 minutes, 18:21–18:29): its first calls are committed before the rebalance, so
    // it is raised only if the partition's next owner rebuilds its window from them.
    let middle = "2026-11-19T18:24:00Z";
    let split = events.iter().position(|e| time_of(e).as_str() >= middle).expect("events after the burst's middle");
    let (first, second) = events.split_at(split);
    let source = broker.url(&topic, "?group=estate");
    let context = snapshot.to_str().expect("utf-8 path");
    // A killed member's partitions move when the group stops hearing from it: 6 s here.
    let args = ["--context", context, "--kafka-option", "session.timeout.ms=6000"];
    let mut lines = Vec::new();
    let drain = |member: &Member, lines: &mut Vec<String>| lines.extend(member.stdout.try_iter());

    // One member takes both partitions and goes through the first half (the quiet second
    // releases what it buffered, and what it delivered is committed).
    let a = Member::start(dir.path(), &source, &args);
    broker.produce(&topic, first);
    let began = Instant::now();
    while broker.committed(&topic, "estate", 2).iter().sum::<i64>() < first.len() as i64 {
        assert!(began.elapsed() < PATIENCE, "the first half was not committed");
        std::thread::sleep(Duration::from_millis(200));
    }
    drain(&a, &mut lines);
    // A second member joins (a rebalance), the second half arrives, and the first member is
    // killed with SIGKILL while it works: nothing committed by it after that moment.
    let b = Member::start(dir.path(), &source, &args);
    b.note("kafka: assigned partitions");
    broker.produce(&topic, second);
    std::thread::sleep(Duration::from_millis(300));
    let mut a = a;
    a.child.kill().expect("SIGKILL");
    let _ = a.child.wait();
    // Everything it wrote before it died, to the end of its output.
    lines.extend(a.stdout.iter());
    drop(a);
    // It comes back; the group settles and every alarm is out.
    let a = Member::start(dir.path(), &source, &args);
    let began = Instant::now();
    loop {
        drain(&a, &mut lines);
        drain(&b, &mut lines);
        let streamed: BTreeSet<String> = by_id(&lines).values().map(|f| burst(f)).collect();
        let expected: BTreeSet<String> = expected.iter().map(|f| burst(f)).collect();
        if streamed == expected {
            break;
        }
        assert!(
            began.elapsed() < PATIENCE,
            "after {PATIENCE:?} the members' alarms still differ from `rulec check`:\nmissing {:#?}\nnot expected {:#?}",
            expected.difference(&streamed).collect::<Vec<_>>(),
            streamed.difference(&expected).collect::<Vec<_>>(),
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Reported twice is fine; reported under two ids is not.
    let last = by_id(&lines);
    assert_eq!(last.len(), expected.len(), "one id per alarm: {last:#?}");
}

#[test]
fn sasl_plain_over_tls_reads_and_writes_with_the_password_from_the_environment() {
    let broker = Broker::secured();
    let events = broker.topic("secured-events", 1);
    let alarms = broker.topic("secured-alarms", 1);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("context.json"), CONTEXT).expect("context");
    let query = broker.secured_query();
    let member = Member::start_with(
        dir.path(),
        &broker.url(&events, &format!("?group=alarmers&{query}")),
        &["--context", "context.json", "--sink", &broker.url(&alarms, &format!("?{query}"))],
        Some(PASSWORD),
    );
    broker.produce(&events, &[EXTERNAL_CALL.to_owned()]);
    // The front passes nothing before TLS and SASL: the alarm in the sink topic means the
    // member's consumer and producer both got through.
    let records = broker.read(&alarms, |records| !records.is_empty());
    let (_, value) = records[0].split_once('\t').expect("key and value");
    let finding: Value = serde_json::from_str(value).expect("a JSON finding");
    assert_eq!(finding["subject"]["id"], "ak-live", "{finding}");
    assert_eq!(member.terminate(), Some(0));
    let front = broker.front.as_ref().expect("the secured front");
    assert_eq!(front.refused.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert!(front.admitted.load(std::sync::atomic::Ordering::Relaxed) >= 2);
}

#[test]
fn refused_credentials_or_an_untrusted_certificate_stop_with_exit_2() {
    let broker = Broker::secured();
    let events = broker.topic("refused-events", 1);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("context.json"), CONTEXT).expect("context");
    let stranger = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("another certificate");
    std::fs::write(dir.path().join("stranger.pem"), stranger.cert.pem()).expect("write it");
    let query = broker.secured_query();
    let wrong = "not the password";

    // A wrong password, on the source: the brokers' refusal ends it, naming what to check.
    let member = Member::start_with(dir.path(), &broker.url(&events, &format!("?group=g&{query}")), &[], Some(wrong));
    let (code, said) = member.exit();
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("refused the credentials") && said.contains("RULEC_KAFKA_PASSWORD"), "{said}");
    assert!(!said.contains(wrong), "the password is not echoed: {said}");

    // A certificate signed by an authority the operator did not give.
    let untrusted = format!("?group=g&security=sasl_ssl&user={USER}&ca=stranger.pem");
    let member = Member::start_with(dir.path(), &broker.url(&events, &untrusted), &[], Some(PASSWORD));
    let (code, said) = member.exit();
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("TLS with the brokers failed") && said.contains("ca="), "{said}");

    // A wrong password on the sink: the alarm is not taken, and the command says why.
    let mut child = support::rulec_process()
        .current_dir(dir.path())
        .env("RULEC_KAFKA_PASSWORD", wrong)
        .args(["watch-events", "--stats-every", "0", "--source", "-", "--context", "context.json", "--sink"])
        .arg(broker.url("alarms", &format!("?{query}")))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rulec");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("piped stdin");
        writeln!(stdin, "{EXTERNAL_CALL}").expect("write an event");
    }
    let stdout = lines_of(child.stdout.take().expect("piped stdout"));
    let stderr = lines_of(child.stderr.take().expect("piped stderr"));
    let (code, said) = Member { child, stdout, stderr }.exit();
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("refused the credentials"), "{said}");
}
