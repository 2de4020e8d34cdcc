//! A Kafka topic as the alarm sink: each alarm line is one record, keyed by the finding's id
//! (so every report of one burst lands on one partition, in order), written with `acks=all`
//! and idempotence. A batch of alarms is sent, then waited for: the main loop stores the source
//! offsets only after this returns, so a finding is in the topic before its event is committed.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::{ClientContext, Message};

use super::super::sink::Alarm;
use super::{KafkaUrl, refusal};

/// How long a batch may wait for the brokers' acknowledgements (librdkafka retries within it).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// Collects what the brokers refused, by finding id, and a refusal of the connection itself
/// (credentials, TLS), which no wait would mend.
#[derive(Default)]
struct Deliveries {
    failed: Mutex<Vec<String>>,
    refused: Mutex<Option<String>>,
}

impl ClientContext for Deliveries {
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        if let Some(refused) = refusal(&error, reason) {
            self.refused.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(refused);
        }
    }
}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((error, message)) = result {
            let id = message.key().map(|key| String::from_utf8_lossy(key).into_owned()).unwrap_or_default();
            self.failed.lock().unwrap_or_else(|e| e.into_inner()).push(format!("finding {id}: {error}"));
        }
    }
}

pub(in super::super) struct KafkaSink {
    producer: BaseProducer<Deliveries>,
    url: KafkaUrl,
    pub(in super::super) delivered: u64,
}

impl KafkaSink {
    /// A producer for the address (which must not name a group: a sink writes, it does not
    /// read), checked before any event is read.
    pub(in super::super) fn new(url: KafkaUrl, options: &[String]) -> Result<KafkaSink, String> {
        if url.group.is_some() {
            return Err(format!("`{}`: a sink writes to its topic; `group=` belongs to a --source", url.shown()));
        }
        let mut config = url.client_config(options)?;
        // Each batch is flushed at once (its events wait for it), so lingering to fill a
        // bigger batch would only add latency.
        config
            .set("linger.ms", "0")
            .set("acks", "all")
            .set("enable.idempotence", "true")
            .set("message.timeout.ms", DELIVERY_TIMEOUT.as_millis().to_string());
        let producer = config
            .create_with_context(Deliveries::default())
            .map_err(|e| format!("kafka: cannot create a producer for {}: {e}", url.shown()))?;
        Ok(KafkaSink { producer, url, delivered: 0 })
    }

    /// Writes the alarms and waits until the brokers have them all; an error names the first
    /// finding they did not take and why.
    pub(in super::super) fn deliver(&mut self, alarms: &[Alarm]) -> Result<(), String> {
        if alarms.is_empty() {
            return Ok(());
        }
        for alarm in alarms {
            let mut record = BaseRecord::to(&self.url.topic).key(alarm.id.as_bytes()).payload(alarm.json.as_bytes());
            // A full local queue empties as the brokers acknowledge: wait for room.
            loop {
                match self.producer.send(record) {
                    Ok(()) => break,
                    Err((
                        rdkafka::error::KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull),
                        back,
                    )) => {
                        record = back;
                        self.producer.poll(Duration::from_millis(100));
                    }
                    Err((error, _)) => {
                        return Err(format!(
                            "kafka: finding {} was not sent to {}: {error}",
                            alarm.id,
                            self.url.shown()
                        ));
                    }
                }
            }
        }
        // Waits for the acknowledgements in steps of a millisecond: rdkafka's `flush` polls
        // in steps of 100 ms, which would put 100 ms on every alarm.
        let deadline = Instant::now() + DELIVERY_TIMEOUT;
        while self.producer.in_flight_count() > 0 && Instant::now() < deadline {
            self.producer.poll(Duration::from_millis(1));
            if let Some(refused) = self.producer.context().refused.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Err(refused);
            }
        }
        let failed = std::mem::take(&mut *self.producer.context().failed.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(first) = failed.first() {
            return Err(format!("kafka: {} did not take {first}", self.url.shown()));
        }
        if self.producer.in_flight_count() > 0 {
            return Err(format!(
                "kafka: {} did not acknowledge the findings within {} s",
                self.url.shown(),
                DELIVERY_TIMEOUT.as_secs()
            ));
        }
        self.delivered += alarms.len() as u64;
        Ok(())
    }
}
