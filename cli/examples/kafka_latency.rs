//! Event-to-alarm latency through a Kafka broker (docs/streaming.md, Sizing): the release
//! `rulec watch-events` reads an events topic and writes its alarms to another; this program
//! sends events that each raise an alarm of their own (a hacker tool's user agent on a key of
//! the context), at a steady rate with the current time, and times each from its send to the
//! arrival of its alarm.
//!
//! ```sh
//! cargo build --release --bin rulec
//! cargo run --release -p rulec-cli --example kafka_latency -- 3000 500
//! ```
//!
//! Arguments: events (default 2000) and events per second (default 200). The broker is
//! librdkafka's mock cluster in this process, or the one `RULEC_TEST_KAFKA_BROKERS` names (the
//! run's two topics are created there). `--lateness 0`: a grouped alarm is
//! released as soon as its event is read (with lateness L it would wait up to L).
#![expect(clippy::print_stdout, reason = "a benchmark reports on the terminal")]

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let events = args.next().transpose()?.unwrap_or(2000);
    let rate = args.next().transpose()?.unwrap_or(200).max(1);
    // Names of this run's own, so an external broker's older records are not read.
    let (events_topic, alarms_topic) =
        (format!("events-{}", std::process::id()), format!("alarms-{}", std::process::id()));
    let mock;
    let servers = match std::env::var("RULEC_TEST_KAFKA_BROKERS") {
        Ok(servers) => {
            let admin: AdminClient<DefaultClientContext> =
                ClientConfig::new().set("bootstrap.servers", &servers).create()?;
            let topics = [
                NewTopic::new(&events_topic, 4, TopicReplication::Fixed(1)),
                NewTopic::new(&alarms_topic, 1, TopicReplication::Fixed(1)),
            ];
            for created in futures_executor::block_on(admin.create_topics(&topics, &AdminOptions::new()))? {
                created.map_err(|(topic, error)| format!("cannot create {topic}: {error}"))?;
            }
            servers
        }
        Err(_) => {
            mock = MockCluster::new(1)?;
            mock.create_topic(&events_topic, 4, 1)?;
            mock.create_topic(&alarms_topic, 1, 1)?;
            mock.bootstrap_servers()
        }
    };
    let dir = tempfile::tempdir()?;
    let context = dir.path().join("context.json");
    std::fs::write(&context, context_with_keys(events))?;
    let rulec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/rulec");
    let mut child = Command::new(&rulec)
        .args(["watch-events", "--context"])
        .arg(&context)
        .args(["--source", &format!("kafka://{servers}/{events_topic}?group={events_topic}")])
        .args(["--sink", &format!("kafka://{servers}/{alarms_topic}"), "--lateness", "0", "--stats-every", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {} (build it with --release first): {e}", rulec.display()))?;
    let alarms: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &servers)
        .set("group.id", &alarms_topic)
        .set("auto.offset.reset", "earliest")
        .set("fetch.wait.max.ms", "10")
        .create()?;
    alarms.subscribe(&[&alarms_topic])?;
    let producer: BaseProducer =
        ClientConfig::new().set("bootstrap.servers", &servers).set("linger.ms", "0").create()?;
    // Let both group members settle: a warm-up event whose alarm must come back.
    let warm_up = Instant::now();
    send(&producer, &events_topic, events)?;
    wait_for(&alarms, |_| true, Duration::from_secs(60))?;
    println!("settled in {:.1} s", warm_up.elapsed().as_secs_f64());

    let mut sent = HashMap::new();
    let gap = Duration::from_secs(1) / u32::try_from(rate)?;
    let began = Instant::now();
    let mut latencies = Vec::new();
    for i in 0..events {
        let due = began + gap * u32::try_from(i)?;
        while Instant::now() < due {
            collect(&alarms, &mut sent, &mut latencies, Duration::from_millis(1));
        }
        sent.insert(format!("ak-{i}"), Instant::now());
        send(&producer, &events_topic, i)?;
        producer.poll(Duration::ZERO);
    }
    producer.flush(Duration::from_secs(30))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while latencies.len() < events && Instant::now() < deadline {
        collect(&alarms, &mut sent, &mut latencies, Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    if latencies.is_empty() {
        return Err("no alarm came back".into());
    }
    println!(
        "{} events at {rate}/s: {} alarms back; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        events,
        latencies.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    std::io::stdout().flush()?;
    Ok(())
}

/// A context with `n + 1` active keys `ak-0` … `ak-n`.
fn context_with_keys(n: usize) -> String {
    let keys: Vec<String> = (0..=n)
        .map(|i| {
            format!(
                r#"{{"type":"AccessKey","id":"ak-{i}","provider":"tencent","account":"100000000001","tags":{{}},"owner_id":"u-a","owner_kind":"user","kind":"permanent","status":"active","created_at":"2026-10-01T00:00:00Z"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"format":"rulec.snapshot/v1","taken_at":"2026-11-20T08:00:00Z","assets":[{}],"events":[]}}"#,
        keys.join(",")
    )
}

/// One call by a hacker tool with key `ak-i`, timed now, keyed by its access key.
fn send(producer: &BaseProducer, topic: &str, i: usize) -> Result<(), Box<dyn std::error::Error>> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let event = format!(
        r#"{{"type":"ApiCall","time":"{now}","access_key_id":"ak-{i}","source_ip":"45.2.2.2","user_agent":"CloudExplorer/1.0","service":"cvm","action":"DescribeInstances","success":true}}"#
    );
    let key = format!("ak-{i}");
    producer.send(BaseRecord::to(topic).key(&key).payload(&event)).map_err(|(e, _)| e)?;
    Ok(())
}

/// Reads alarms for up to `wait`, timing those whose key was sent.
fn collect(alarms: &BaseConsumer, sent: &mut HashMap<String, Instant>, latencies: &mut Vec<Duration>, wait: Duration) {
    if let Some(Ok(message)) = alarms.poll(wait) {
        let Some(payload) = message.payload() else { return };
        let Ok(finding) = serde_json::from_slice::<serde_json::Value>(payload) else { return };
        if let Some(at) = finding["subject"]["id"].as_str().and_then(|key| sent.remove(key)) {
            latencies.push(at.elapsed());
        }
    }
}

fn wait_for(
    alarms: &BaseConsumer,
    matches: impl Fn(&[u8]) -> bool,
    limit: Duration,
) -> Result<(), Box<dyn std::error::Error>> {
    let began = Instant::now();
    while began.elapsed() < limit {
        if let Some(Ok(message)) = alarms.poll(Duration::from_millis(100))
            && message.payload().is_some_and(&matches)
        {
            return Ok(());
        }
    }
    Err("the warm-up alarm did not come back within a minute".into())
}
