//! Kafka for `watch-events` (docs/streaming.md, Kafka): where a `kafka://` source or sink
//! points, and the client settings both share. The source (`source`) reads a topic as one
//! member of a consumer group; the sink (`sink`) writes alarm lines to a topic.
//!
//! A URL names brokers, topic and group; secrets never go on the command line (they would show
//! in `ps` and shell history): the SASL password is read from `RULEC_KAFKA_PASSWORD`.

pub(super) mod sink;
pub(super) mod source;

use rdkafka::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

/// The environment variable the SASL password is read from.
pub(super) const PASSWORD_ENV: &str = "RULEC_KAFKA_PASSWORD";

/// How long a request to the brokers (metadata, offsets, a commit) may take before it fails.
pub(super) const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A parsed `kafka://BROKERS/TOPIC?…` address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct KafkaUrl {
    /// `host:port,host:port`, as librdkafka's `bootstrap.servers` takes it.
    pub(super) brokers: String,
    pub(super) topic: String,
    /// The consumer group (`group=`): required to read, refused to write.
    pub(super) group: Option<String>,
    /// `security=`: `plaintext`, `ssl`, `sasl_plaintext` or `sasl_ssl` (librdkafka's
    /// `security.protocol`); `sasl_plaintext` when a `user` is given without it.
    security: Option<String>,
    /// `user=`: the SASL/PLAIN user name (for CLS: the logset id).
    user: Option<String>,
    /// `ca=`: a PEM file of the certificate authorities the brokers' certificates chain to.
    ca: Option<String>,
    /// `offset_reset=`: where a group with no committed offset starts, `earliest` or `latest`.
    pub(super) offset_reset: String,
}

impl KafkaUrl {
    /// Whether the text is meant as a Kafka address (then [`KafkaUrl::parse`] judges it).
    pub(super) fn is_kafka(text: &str) -> bool {
        text.starts_with("kafka://")
    }

    /// Reads `kafka://HOST:PORT[,HOST:PORT…]/TOPIC[?key=value&…]`; the error says what is wrong
    /// and what is expected.
    pub(super) fn parse(text: &str) -> Result<KafkaUrl, String> {
        let shape = "expected kafka://HOST:PORT[,HOST:PORT…]/TOPIC[?group=G&…]";
        let rest =
            text.strip_prefix("kafka://").ok_or_else(|| format!("`{text}` is not a kafka:// address; {shape}"))?;
        let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (brokers, topic) = address.split_once('/').ok_or_else(|| format!("`{text}` names no topic; {shape}"))?;
        if brokers.contains('@') {
            return Err(format!(
                "`{}` puts credentials in the address; give the user as `user=` and the password in {PASSWORD_ENV}",
                shown(text)
            ));
        }
        for broker in brokers.split(',') {
            let port = broker.rsplit_once(':').map(|(host, port)| (host, port.parse::<u16>()));
            if !matches!(port, Some((host, Ok(_))) if !host.is_empty()) {
                return Err(format!("`{}`: broker `{broker}` is not HOST:PORT; {shape}", shown(text)));
            }
        }
        if topic.is_empty() || topic.contains('/') || !topic.chars().all(valid_topic_char) {
            return Err(format!(
                "`{}`: topic `{topic}` is not a Kafka topic name (letters, digits, `.`, `_`, `-`); {shape}",
                shown(text)
            ));
        }
        let mut url = KafkaUrl {
            brokers: brokers.to_owned(),
            topic: topic.to_owned(),
            group: None,
            security: None,
            user: None,
            ca: None,
            offset_reset: "earliest".to_owned(),
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy().into_owned();
            if value.is_empty() {
                return Err(format!("`{}`: `{key}` has no value", shown(text)));
            }
            match key {
                "group" => url.group = Some(value),
                "security" => {
                    let known = ["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"];
                    if !known.contains(&value.as_str()) {
                        return Err(format!(
                            "`{}`: security `{value}` is not one of {}",
                            shown(text),
                            known.join(", ")
                        ));
                    }
                    url.security = Some(value);
                }
                "user" => url.user = Some(value),
                "ca" => url.ca = Some(value),
                "offset_reset" => {
                    if value != "earliest" && value != "latest" {
                        return Err(format!(
                            "`{}`: offset_reset is `earliest` or `latest`, not `{value}`",
                            shown(text)
                        ));
                    }
                    url.offset_reset = value;
                }
                "password" => {
                    return Err(format!(
                        "`{}`: a password does not go in the address; set {PASSWORD_ENV}",
                        shown(text)
                    ));
                }
                other => {
                    return Err(format!(
                        "`{}`: unknown option `{other}` (known: group, security, user, ca, offset_reset; \
                         others go in --kafka-option KEY=VALUE)",
                        shown(text)
                    ));
                }
            }
        }
        if url.user.is_none() && url.security.as_deref().is_some_and(|s| s.starts_with("sasl")) {
            return Err(format!("`{}`: security {} needs `user=`", shown(text), url.security.as_deref().unwrap_or("")));
        }
        Ok(url)
    }

    /// The client settings for these brokers: security, SASL/PLAIN with the password from the
    /// environment, then the operator's `--kafka-option`s (which win).
    pub(super) fn client_config(&self, options: &[String]) -> Result<ClientConfig, String> {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.brokers);
        config.set("socket.timeout.ms", REQUEST_TIMEOUT.as_millis().to_string());
        let security = match (&self.security, &self.user) {
            (Some(security), _) => security.clone(),
            (None, Some(_)) => "sasl_plaintext".to_owned(),
            (None, None) => "plaintext".to_owned(),
        };
        config.set("security.protocol", &security);
        if let Some(user) = &self.user {
            let password = std::env::var(PASSWORD_ENV).map_err(|_| {
                format!("kafka user `{user}` needs its password in the environment variable {PASSWORD_ENV}")
            })?;
            config.set("sasl.mechanism", "PLAIN");
            config.set("sasl.username", user);
            config.set("sasl.password", password);
        }
        if let Some(ca) = &self.ca {
            if !std::path::Path::new(ca).is_file() {
                return Err(format!("kafka: the CA file `{ca}` (ca=) does not exist"));
            }
            config.set("ssl.ca.location", ca);
        }
        for option in options {
            let (key, value) = option
                .split_once('=')
                .filter(|(key, _)| !key.trim().is_empty())
                .ok_or_else(|| format!("--kafka-option `{option}` is not KEY=VALUE (a librdkafka setting)"))?;
            config.set(key.trim(), value);
        }
        Ok(config)
    }

    /// The address as messages show it: brokers and topic, without the options.
    pub(super) fn shown(&self) -> String {
        format!("kafka://{}/{}", self.brokers, self.topic)
    }
}

/// The client errors retrying cannot mend: the brokers refused the credentials, or TLS with
/// them failed (an untrusted certificate, a name it does not cover, a broker without TLS).
/// Retrying those forever would look like a quiet stream; they end the command (exit 2) with
/// what to check instead. `reason` is librdkafka's text, which never holds the password.
pub(super) fn refusal(error: &KafkaError, reason: &str) -> Option<String> {
    match error.rdkafka_error_code()? {
        RDKafkaErrorCode::Authentication => Some(format!(
            "kafka: the brokers refused the credentials: {reason} (check `user=` in the address and {PASSWORD_ENV})"
        )),
        RDKafkaErrorCode::SSL => Some(format!(
            "kafka: TLS with the brokers failed: {reason} (check `security=`, that `ca=` holds the authority \
             that signed the brokers' certificates, and that they name the address used)"
        )),
        _ => None,
    }
}

fn valid_topic_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// An address as an error shows it: without its query (which may carry a user name).
fn shown(text: &str) -> &str {
    text.split_once('?').map_or(text, |(address, _)| address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_brokers_topic_and_options() {
        let url = KafkaUrl::parse("kafka://a:9092,b:9093/cloudaudit.events?group=rulec&offset_reset=latest").unwrap();
        assert_eq!(url.brokers, "a:9092,b:9093");
        assert_eq!(url.topic, "cloudaudit.events");
        assert_eq!(url.group.as_deref(), Some("rulec"));
        assert_eq!(url.offset_reset, "latest");
        assert_eq!(url.shown(), "kafka://a:9092,b:9093/cloudaudit.events");
    }

    #[test]
    fn a_user_means_sasl_plain_and_needs_the_password_from_the_environment() {
        let url = KafkaUrl::parse("kafka://k:9096/t?group=g&user=logset-1").unwrap();
        // Not set in this test process: the error names the variable.
        if std::env::var(PASSWORD_ENV).is_err() {
            let error = url.client_config(&[]).unwrap_err();
            assert!(error.contains(PASSWORD_ENV), "{error}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        for (text, expected) in [
            ("kafka://k:9092", "names no topic"),
            ("kafka://k/t", "is not HOST:PORT"),
            ("kafka://:9092/t", "is not HOST:PORT"),
            ("kafka://k:9092/", "is not a Kafka topic name"),
            ("kafka://k:9092/a b", "is not a Kafka topic name"),
            ("kafka://u:p@k:9092/t", "credentials in the address"),
            ("kafka://k:9092/t?password=x", "does not go in the address"),
            ("kafka://k:9092/t?security=tls", "is not one of"),
            ("kafka://k:9092/t?security=sasl_ssl", "needs `user=`"),
            ("kafka://k:9092/t?offset_reset=oldest", "earliest` or `latest"),
            ("kafka://k:9092/t?grup=g", "unknown option `grup`"),
            ("kafka://k:9092/t?group=", "has no value"),
        ] {
            let error = KafkaUrl::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn an_error_does_not_echo_the_query() {
        let error = KafkaUrl::parse("kafka://k:9092/t?user=secret-user&bogus=1").unwrap_err();
        assert!(!error.contains("secret-user"), "{error}");
    }

    #[test]
    fn only_refused_credentials_and_failed_tls_end_the_command() {
        let refused = |code| refusal(&KafkaError::Global(code), "why");
        assert!(refused(RDKafkaErrorCode::Authentication).is_some_and(|m| m.contains(PASSWORD_ENV)));
        assert!(refused(RDKafkaErrorCode::SSL).is_some_and(|m| m.contains("`ca=`")));
        // Unreachable or restarting brokers are retried.
        for code in
            [RDKafkaErrorCode::BrokerTransportFailure, RDKafkaErrorCode::AllBrokersDown, RDKafkaErrorCode::Resolve]
        {
            assert_eq!(refused(code), None, "{code:?}");
        }
    }

    #[test]
    fn operator_options_are_key_value() {
        let url = KafkaUrl::parse("kafka://k:9092/t?group=g").unwrap();
        assert!(url.client_config(&["fetch.wait.max.ms=10".to_owned()]).is_ok());
        let error = url.client_config(&["fetch.wait.max.ms".to_owned()]).unwrap_err();
        assert!(error.contains("is not KEY=VALUE"), "{error}");
    }
}
