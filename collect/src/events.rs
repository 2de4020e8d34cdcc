//! Audit-event files under `<provider>/<account>/events/**`: `LookUpEvents` / `LookupEvents`
//! answers (an `Events` array), delivered log files (a JSON array, an object with `Records`, or
//! one event per line), each possibly gzip-compressed. This module reads the containers; each
//! cloud's `events` module turns one record into a snapshot event.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::Options;
use crate::coverage::Status;
use crate::estate::Estate;
use crate::node::Node;
use crate::raw::{Answer, Provider, Syntax, answer};
use crate::report::{Issue, IssueKind, NotCollected, Skipped};
use crate::{alibaba, tencent};

/// The event types an events folder feeds, for coverage.
pub(crate) const FEEDS: [&str; 2] = ["ApiCall", "ConsoleLogin"];

/// Reads one event file of an account.
pub(crate) fn read_file(out: &mut Estate, file: &Path, provider: Provider, account: &str, _options: &Options) {
    let skip = |out: &mut Estate, reason: String| {
        out.report.skipped.push(Skipped { file: file.display().to_string(), reason })
    };
    let text = match read_text(file) {
        Ok(text) => text,
        Err(reason) => return skip(out, reason),
    };
    let syntax_ok = file.to_string_lossy().ends_with(".json")
        || file.to_string_lossy().ends_with(".jsonl")
        || file.to_string_lossy().ends_with(".json.gz")
        || file.to_string_lossy().ends_with(".jsonl.gz")
        || file.to_string_lossy().ends_with(".log");
    if !syntax_ok {
        return skip(out, "not an event file (.json, .jsonl, .json.gz, .jsonl.gz)".to_owned());
    }
    let values = match answer::parse(&text, Syntax::Json) {
        Ok(Answer::Error(error)) => {
            let reason = format!("{}: {}", error.code, error.message);
            for kind in FEEDS {
                out.coverage.record(provider, account, None, kind, Status::Failed, Some(format!("events: {reason}")));
            }
            out.report.not_collected.push(NotCollected {
                file: file.display().to_string(),
                call: "events".to_owned(),
                code: error.code,
                message: error.message,
            });
            return;
        }
        Ok(Answer::Data(value)) => vec![(value, None)],
        // More than one JSON value: one event per line.
        // One event per line: the first line is a whole JSON value of its own.
        Err(_) if is_json_lines(&text) => json_lines(out, file, &text),
        Err(reason) => return skip(out, reason),
    };
    let mut read = 0usize;
    for (value, line) in &values {
        let root = match line {
            Some(line) => Node { value, file, path: format!("$ (line {line})") },
            None => Node::root(value, file),
        };
        for record in records(&root) {
            let event = match provider {
                Provider::Tencent => tencent::events::record(out, &record, account),
                Provider::Alibaba => alibaba::events::record(out, &record, account),
            };
            match event {
                Ok(Some(event)) => {
                    out.add_event(event);
                    read += 1;
                }
                Ok(None) => {}
                Err(err) => out.not_normalized(err),
            }
        }
    }
    for kind in FEEDS {
        out.coverage.record(provider, account, None, kind, Status::Collected, None);
    }
    if read > 0 {
        out.report.used.push(file.display().to_string());
    }
}

/// One raw audit record as delivered to a stream (CKafka, CLS, SLS): a CloudAudit or an
/// ActionTrail record, told apart by shape, as snapshot event JSON — what `rulec watch-events`
/// reads for a line that is not already a snapshot event. `Ok(None)` when the normalizer left
/// the record out (a masked key or address), with the reason; `Err` when it cannot be read.
/// `account` is the owner when the record does not name it. The same normalizers as `import`.
pub fn normalize_record(value: &Value, account: &str) -> Result<Normalized, String> {
    let file = Path::new("stream");
    let node = Node { value, file, path: "$".to_owned() };
    let mut out = Estate::default();
    let event = match provider_of(value) {
        Provider::Tencent => tencent::events::record(&mut out, &node, account),
        Provider::Alibaba => alibaba::events::record(&mut out, &node, account),
    }
    .map_err(|e| e.message)?;
    match event {
        Some(event) => serde_json::to_value(event).map(Normalized::Event).map_err(|e| e.to_string()),
        None => {
            Ok(Normalized::LeftOut(out.report.issues.into_iter().map(|i| i.message).collect::<Vec<_>>().join("; ")))
        }
    }
}

/// What [`normalize_record`] made of a record.
#[derive(Debug)]
pub enum Normalized {
    /// A snapshot event (`type`, `time`, …).
    Event(Value),
    /// Left out on purpose, and why (a masked key or address).
    LeftOut(String),
}

/// ActionTrail names the key `userIdentity.accessKeyId` and the region `acsRegion`, and a Log
/// Service row carries the record as an `event` string; CloudAudit does none of these.
fn provider_of(value: &Value) -> Provider {
    let alibaba = value.get("acsRegion").is_some()
        || value.get("event").is_some_and(Value::is_string)
        || value.pointer("/userIdentity/accessKeyId").is_some()
        || value.get("serviceName").is_some();
    if alibaba { Provider::Alibaba } else { Provider::Tencent }
}

/// The event records of a document: the `Events` of an answer, the `Records` of a delivered
/// file, the elements of an array, or the document itself.
fn records<'a>(root: &Node<'a>) -> Vec<Node<'a>> {
    for key in ["Events", "Records", "records"] {
        if let Some(list) = root.get(key)
            && list.value.is_array()
        {
            return list.items();
        }
    }
    match root.value {
        Value::Array(_) => root.items(),
        _ => vec![root.clone()],
    }
}

/// The file's text, gunzipped when it is compressed.
fn read_text(file: &Path) -> Result<String, String> {
    let bytes = std::fs::read(file).map_err(|err| format!("cannot read: {err}"))?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .map_err(|err| format!("not a readable gzip file: {err}"))?;
        plain
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|err| format!("not UTF-8 text (byte {})", err.utf8_error().valid_up_to()))
}

/// Whether the text is JSON lines rather than one broken document: it has several lines and
/// the first one is a JSON object by itself.
fn is_json_lines(text: &str) -> bool {
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let first = lines.next().and_then(|line| serde_json::from_str::<Value>(line).ok());
    first.is_some_and(|value| value.is_object()) && lines.next().is_some()
}

/// One JSON value per non-empty line, with its line number; a line that is not JSON is
/// reported and the others kept.
fn json_lines(out: &mut Estate, file: &Path, text: &str) -> Vec<(Value, Option<usize>)> {
    let mut values = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(value) => values.push((value, Some(index + 1))),
            Err(err) => out.report.issues.push(Issue {
                kind: IssueKind::NotNormalized,
                file: file.display().to_string(),
                path: format!("line {}", index + 1),
                message: format!("invalid JSON at column {}: {}", err.column(), answer::json_error_cause(&err)),
            }),
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "../examples/raw";

    fn first_record(path: &str) -> Value {
        let text = std::fs::read_to_string(Path::new(ROOT).join(path)).expect("example record");
        serde_json::from_str(text.lines().next().expect("a line")).expect("a JSON record")
    }

    #[test]
    fn a_stream_record_is_told_apart_and_normalized_as_import_does() {
        let tencent = first_record("tencent/100000000002/events/delivered/cloudaudit-cos-HANDWRITTEN.jsonl");
        let Ok(Normalized::Event(event)) = normalize_record(&tencent, "") else { panic!("a CloudAudit event") };
        assert_eq!((&event["type"], &event["access_key_id"]), (&"ApiCall".into(), &"AKIDEXAMPLELINKED0001".into()));
        assert_eq!(event["time"], "2026-11-20T07:59:01Z", "Beijing time read as such");
        let alibaba = first_record("alibaba/5000000000000002/events/delivered/actiontrail-updatetrail-alice.jsonl");
        let Ok(Normalized::Event(event)) = normalize_record(&alibaba, "") else { panic!("an ActionTrail event") };
        assert_eq!((&event["type"], &event["access_key_id"]), (&"ApiCall".into(), &"0wNEpMMlzy7s0001".into()));
    }

    #[test]
    fn a_masked_address_is_left_out_with_the_reason() {
        let mut tencent = first_record("tencent/100000000002/events/delivered/cloudaudit-cos-HANDWRITTEN.jsonl");
        tencent["sourceIPAddress"] = "203.0.**.**".into();
        match normalize_record(&tencent, "") {
            Ok(Normalized::LeftOut(reason)) => assert!(reason.contains("masked"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert!(normalize_record(&serde_json::json!({"hello": 1}), "").is_err());
    }
}
