//! Where `watch-events` sends its alarm lines (docs/streaming.md, Sinks): standard output, or a
//! webhook that receives each line as one HTTP POST, or a Kafka topic (`kafka::sink`). An enum
//! rather than a trait object: the set is small and closed.
//!
//! Delivery is synchronous and in emission order: the loop waits while a finding is retried,
//! so a slow receiver slows the reading of events instead of growing a queue (back-pressure).

use std::time::Duration;

use ureq::http::{HeaderName, HeaderValue, Uri};

use super::kafka::KafkaUrl;
use super::kafka::sink::KafkaSink;
use crate::output;

/// The connect timeout, and the limit on a whole request (connect, send, answer): a receiver
/// slower than this fails the attempt, which is retried.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The longest wait between two attempts at one finding.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

#[derive(clap::Args, Debug)]
pub(crate) struct SinkArgs {
    /// Where alarm lines go: `-` for standard output, an http:// or https:// URL that
    /// receives each one as a JSON POST, retried when it fails, or kafka://BROKERS/TOPIC
    /// (docs/streaming.md, Sinks)
    #[arg(long, value_name = "SINK", default_value = "-")]
    pub sink: String,
    /// A header sent with every webhook request, as `Name: value` (repeatable), e.g. an
    /// authorization token; values are never printed
    #[arg(long = "sink-header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// Attempts after the first before a finding the webhook does not take stops the
    /// command (exit 2)
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub sink_retries: u32,
    /// The wait before the first retry, in milliseconds; doubled at each retry, at most 30 s
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub sink_backoff_ms: u64,
}

/// One alarm line (a JSON object, without its newline) and its id, which errors name.
pub(super) struct Alarm {
    pub(super) id: String,
    pub(super) json: String,
}

pub(super) enum Sink {
    Stdout,
    Webhook(Box<Webhook>),
    Kafka(Box<KafkaSink>),
}

impl Sink {
    /// The sink the options name, checked before any event is read: a mistyped URL or header
    /// must stop the command at once, not at the first alarm.
    pub(super) fn open(args: &SinkArgs, kafka_options: &[String]) -> Result<Sink, String> {
        if KafkaUrl::is_kafka(&args.sink) {
            if !args.headers.is_empty() {
                return Err("--sink-header applies to a webhook sink, not to a Kafka topic".to_owned());
            }
            let url = KafkaUrl::parse(&args.sink)?;
            return KafkaSink::new(url, kafka_options).map(|kafka| Sink::Kafka(Box::new(kafka)));
        }
        if args.sink != "-" {
            return Webhook::new(args).map(|webhook| Sink::Webhook(Box::new(webhook)));
        }
        if !args.headers.is_empty() {
            return Err("--sink-header applies to a webhook sink (--sink http://… or https://…), not to \
                        standard output"
                .to_owned());
        }
        Ok(Sink::Stdout)
    }

    /// Sends the alarms in order. `Ok(false)`: standard output is closed, nobody reads on; an
    /// error says which finding could not be delivered, where and why.
    pub(super) fn send(&mut self, alarms: &[Alarm]) -> Result<bool, String> {
        match self {
            Sink::Stdout if alarms.is_empty() => Ok(true),
            Sink::Stdout => {
                let text: String = alarms.iter().map(|alarm| format!("{}\n", alarm.json)).collect();
                output::print_streaming(&text)
            }
            Sink::Webhook(webhook) => alarms.iter().try_for_each(|alarm| webhook.deliver(alarm)).map(|()| true),
            Sink::Kafka(kafka) => kafka.deliver(alarms).map(|()| true),
        }
    }

    /// The sink's part of the stats line: nothing for standard output, whose lines are the
    /// alarms emitted; what reached a webhook and how many attempts were repeated.
    pub(super) fn stats(&self) -> String {
        match self {
            Sink::Stdout => String::new(),
            Sink::Webhook(webhook) => format!(", {} delivered, {} retries", webhook.delivered, webhook.retried),
            Sink::Kafka(kafka) => format!(", {} delivered", kafka.delivered),
        }
    }
}

/// A webhook: each alarm line POSTed as `application/json`, one finding per request.
pub(super) struct Webhook {
    agent: ureq::Agent,
    url: String,
    /// The URL without credentials or query, for messages.
    shown: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    retries: u32,
    backoff: Duration,
    delivered: u64,
    retried: u64,
}

/// What one attempt came to.
enum Attempt {
    Delivered,
    /// Worth trying again (5xx, 408, 429, no answer); why not this time.
    Retry(String),
    /// Trying again would get the same answer (another 4xx, a 3xx).
    Refused(String),
}

impl Webhook {
    fn new(args: &SinkArgs) -> Result<Webhook, String> {
        let uri = webhook_url(&args.sink)?;
        let headers = args.headers.iter().map(|header| parse_header(header)).collect::<Result<_, _>>()?;
        // A status is an answer to judge, not an error; a redirect is not followed, since a
        // POST redirected may become a GET that drops the finding.
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(TIMEOUT))
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("rulec/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Webhook {
            agent,
            url: args.sink.clone(),
            shown: shown(&uri),
            headers,
            retries: args.sink_retries,
            backoff: Duration::from_millis(args.sink_backoff_ms).min(MAX_BACKOFF),
            delivered: 0,
            retried: 0,
        })
    }

    /// Posts one alarm, waiting and trying again while the failure may pass.
    fn deliver(&mut self, alarm: &Alarm) -> Result<(), String> {
        let mut wait = self.backoff;
        let mut retries_left = self.retries;
        loop {
            let why = match self.attempt(&alarm.json) {
                Attempt::Delivered => {
                    self.delivered += 1;
                    return Ok(());
                }
                Attempt::Refused(why) => return Err(self.undelivered(alarm, &format!("{why} (not retried)"))),
                Attempt::Retry(why) if retries_left == 0 => {
                    let tries = self.retries.saturating_add(1);
                    return Err(self.undelivered(alarm, &format!("{why} (the last of {tries} attempts)")));
                }
                Attempt::Retry(why) => why,
            };
            eprintln!("[watch-events] webhook {}: {why}; finding {} tried again in {wait:?}", self.shown, alarm.id);
            std::thread::sleep(wait);
            wait = wait.saturating_mul(2).min(MAX_BACKOFF);
            retries_left -= 1;
            self.retried += 1;
        }
    }

    /// One POST. Any failure to get an answer (refused, reset, timed out, a name that did not
    /// resolve, a TLS handshake) is worth another try: it is the network's state, not the
    /// finding's.
    fn attempt(&self, json: &str) -> Attempt {
        let mut request = self.agent.post(&self.url).header("Content-Type", "application/json");
        for (name, value) in &self.headers {
            request = request.header(name.clone(), value.clone());
        }
        match request.send(json) {
            Ok(response) => judge(response.status().as_u16()),
            Err(error) => Attempt::Retry(error.to_string()),
        }
    }

    fn undelivered(&self, alarm: &Alarm, why: &str) -> String {
        format!("cannot deliver finding {} to the webhook {}: {why}", alarm.id, self.shown)
    }
}

/// A status as the retry policy reads it.
fn judge(status: u16) -> Attempt {
    match status {
        200..=299 => Attempt::Delivered,
        408 | 429 | 500..=599 => Attempt::Retry(format!("HTTP {status}")),
        _ => Attempt::Refused(format!("HTTP {status}")),
    }
}

/// `--sink` as a webhook URL: http or https, with a host. The text itself is never repeated,
/// since a webhook URL often carries its secret.
fn webhook_url(text: &str) -> Result<Uri, String> {
    let expected = "--sink expects `-` (standard output), an http:// or https:// URL, or kafka://BROKERS/TOPIC";
    let uri: Uri = text.parse().map_err(|_| format!("{expected}; what was given is not a URL"))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.host().is_some_and(|host| !host.is_empty()) => Ok(uri),
        Some("http" | "https") => Err(format!("{expected}; the URL given has no host")),
        Some(scheme) => Err(format!("{expected}; found a `{scheme}://` URL")),
        None => Err(format!("{expected}; found no scheme (`http://` or `https://`)")),
    }
}

/// The URL for messages: scheme, host, port and path; no user, password or query.
fn shown(uri: &Uri) -> String {
    let port = uri.port_u16().map(|port| format!(":{port}")).unwrap_or_default();
    format!("{}://{}{port}{}", uri.scheme_str().unwrap_or_default(), uri.host().unwrap_or_default(), uri.path())
}

/// A `--sink-header` as `Name: value`; an error names the header, never its value.
fn parse_header(text: &str) -> Result<(HeaderName, HeaderValue), String> {
    let Some((name, value)) = text.split_once(':') else {
        return Err(
            "a --sink-header has no `:`; expected `Name: value` (the text is not shown: it may be a secret)".to_owned()
        );
    };
    let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
        "a --sink-header's name (before the `:`) is not a valid header name (not shown: it may be a secret)".to_owned()
    })?;
    let mut value = HeaderValue::from_str(value.trim())
        .map_err(|_| format!("--sink-header `{name}`: its value is not a valid header value"))?;
    value.set_sensitive(true);
    Ok((name, value))
}
