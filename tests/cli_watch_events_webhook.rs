//! End-to-end tests of `rulec watch-events --sink URL`: the real binary posting its alarms to a
//! `tiny_http` receiver on 127.0.0.1 that answers from a script. Each run reads standard input
//! to its end, so every delivery is over when the process exits; nothing asserts timing.

#[path = "support/mod.rs"]
mod support;

use std::io::Write;
use std::process::{Output, Stdio};
use std::sync::mpsc::{self, Receiver};

use serde_json::Value;
use support::watch_events::{CONTEXT, EXTERNAL_CALL};
use support::{rulec_process, text};

/// A request as the receiver saw it.
struct Received {
    body: String,
    headers: Vec<(String, String)>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A webhook receiver answering the statuses of `script` in turn, then `then` for ever.
struct Hook {
    /// Its URL as error messages show it: without the query.
    shown: String,
    /// Its URL with a secret in the query.
    url: String,
    requests: Receiver<Received>,
}

fn receiver(script: &'static [u16], then: u16) -> Hook {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("bind a receiver");
    let port = server.server_addr().to_ip().expect("an IP address").port();
    let (to, requests) = mpsc::channel();
    let mut statuses = script.iter().copied();
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let mut body = String::new();
            request.as_reader().read_to_string(&mut body).expect("a text body");
            let headers =
                request.headers().iter().map(|h| (h.field.as_str().to_string(), h.value.as_str().to_owned())).collect();
            let _ = to.send(Received { body, headers });
            let status = statuses.next().unwrap_or(then);
            let _ = request.respond(tiny_http::Response::from_string("").with_status_code(status));
        }
    });
    let shown = format!("http://127.0.0.1:{port}/hooks/alarms");
    Hook { url: format!("{shown}?token=query-secret"), shown, requests }
}

impl Hook {
    /// What arrived; called once the command has exited, so nothing more is coming.
    fn received(&self) -> Vec<Received> {
        self.requests.try_iter().collect()
    }
}

/// `rulec watch-events` on `input` (standard input, read to its end) with the one-key context.
fn watch(input: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("context.json"), CONTEXT).expect("context");
    let mut child = rulec_process()
        .current_dir(dir.path())
        .args(["watch-events", "--source", "-", "--context", "context.json", "--only-pack", "ak"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rulec");
    // A command that stops before reading its input closes the pipe: that is not a failure here.
    let _ = child.stdin.take().expect("piped stdin").write_all(input.as_bytes());
    child.wait_with_output().expect("rulec ends")
}

/// Two calls from outside, signed with two keys: two alarms, in this order.
fn two_calls() -> String {
    format!("{EXTERNAL_CALL}\n{}\n", EXTERNAL_CALL.replace("ak-live", "ak-second").replace("09:00:00", "09:01:00"))
}

#[test]
fn each_alarm_is_posted_as_standard_output_prints_it_in_order_with_the_headers() {
    let printed = watch(&two_calls(), &["--sink", "-"]);
    assert_eq!(printed.status.code(), Some(0), "{}", text(&printed.stderr));
    let expected: Vec<Value> =
        text(&printed.stdout).lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect();
    assert_eq!(expected.len(), 2, "{expected:?}");

    let hook = receiver(&[], 200);
    let out = watch(
        &two_calls(),
        &["--sink", &hook.url, "--sink-header", "Authorization: Bearer s3cret", "--sink-header", "X-Team:  secops"],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(text(&out.stdout), "", "the webhook takes the lines instead of standard output");
    let received = hook.received();
    let bodies: Vec<Value> = received.iter().map(Received::json).collect();
    assert_eq!(bodies, expected, "same objects, same ids, same order");
    for request in &received {
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.header("Authorization"), Some("Bearer s3cret"));
        assert_eq!(request.header("X-Team"), Some("secops"));
    }
    assert!(stderr.contains("2 delivered, 0 retries"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[test]
fn a_busy_receiver_gets_the_finding_once_after_two_retries() {
    let hook = receiver(&[503, 503], 200);
    let out = watch(&format!("{EXTERNAL_CALL}\n"), &["--sink", &hook.url, "--sink-backoff-ms", "1"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let received = hook.received();
    assert_eq!(received.len(), 3, "two refusals and the delivery");
    assert!(received.iter().all(|r| r.body == received[0].body), "the same finding each time");
    assert!(stderr.contains("1 delivered, 2 retries"), "{stderr}");
    let id = received[0].json()["id"].as_str().expect("an id").to_owned();
    assert!(stderr.contains(&format!("HTTP 503; finding {id} tried again")), "{stderr}");
}

#[test]
fn a_receiver_that_keeps_failing_stops_the_command_with_exit_2() {
    let hook = receiver(&[], 500);
    let out =
        watch(&format!("{EXTERNAL_CALL}\n"), &["--sink", &hook.url, "--sink-retries", "1", "--sink-backoff-ms", "1"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let received = hook.received();
    assert_eq!(received.len(), 2, "the first attempt and one retry");
    let id = received[0].json()["id"].as_str().expect("an id").to_owned();
    let message =
        format!("error: cannot deliver finding {id} to the webhook {}: HTTP 500 (the last of 2 attempts)", hook.shown);
    assert!(stderr.contains(&message), "{stderr}");
    assert!(!stderr.contains("query-secret"), "the query is not shown: {stderr}");
    assert!(!stderr.contains("delivered,"), "no stats line claims a delivery: {stderr}");
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn a_client_error_is_not_retried() {
    let hook = receiver(&[], 400);
    let out = watch(&format!("{EXTERNAL_CALL}\n"), &["--sink", &hook.url, "--sink-backoff-ms", "1"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(hook.received().len(), 1, "exactly one request");
    assert!(stderr.contains("HTTP 400 (not retried)"), "{stderr}");
}

#[test]
fn a_refused_connection_is_retried_then_reported() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let out = watch(&format!("{EXTERNAL_CALL}\n"), &["--sink", &url, "--sink-retries", "1", "--sink-backoff-ms", "1"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("tried again"), "{stderr}");
    assert!(
        stderr.contains(&format!("to the webhook {url}: ")) && stderr.contains("(the last of 2 attempts)"),
        "{stderr}"
    );
}

#[test]
fn a_bad_sink_stops_the_command_before_any_event_is_read() {
    let cases = [
        (
            "ftp://x",
            "--sink expects `-` (standard output), an http:// or https:// URL, or kafka://BROKERS/TOPIC; found a `ftp://` URL",
        ),
        ("kafka://b/t", "broker `b` is not HOST:PORT"),
        ("kafka://b:9092/t?group=g", "`group=` belongs to a --source"),
        (
            "not a url",
            "--sink expects `-` (standard output), an http:// or https:// URL, or kafka://BROKERS/TOPIC; what was given is not a URL",
        ),
        ("localhost:8080", "found no scheme"),
    ];
    for (sink, message) in cases {
        // A source that does not exist: reading it would be an error of its own.
        let out = rulec_process()
            .args(["watch-events", "--source", "missing.jsonl", "--sink", sink])
            .output()
            .expect("run rulec");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{sink}: {stderr}");
        assert!(stderr.contains(message), "{sink}: {stderr}");
        assert!(!stderr.contains("missing.jsonl"), "{sink}: the source was not opened: {stderr}");
    }
}

#[test]
fn a_bad_header_is_refused_without_showing_it() {
    let hook = receiver(&[], 200);
    let out = watch("", &["--sink", &hook.url, "--sink-header", "token-without-colon"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("expected `Name: value`") && !stderr.contains("token-without-colon"), "{stderr}");
    let out = watch("", &["--sink-header", "Authorization: Bearer s3cret"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--sink-header applies to a webhook sink"));
}
