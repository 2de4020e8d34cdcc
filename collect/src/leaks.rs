//! Secret-scanner reports under `leaks/**` (tests/raw/leaks/README.md): a gitleaks JSON report
//! (an array of findings) or trufflehog v3 JSONL output (one result per line), turned into
//! `LeakReport` events for Tencent Cloud and Alibaba Cloud key ids.
//!
//! A key id is recognised by its shape, not by the rule or detector that found it (custom
//! configurations rename rules): `AKID` + 32 alphanumerics, `LTAI` + 12 to 21. A secret key can
//! never take either shape (Alibaba's 30 and Tencent's 32 characters are too long for `LTAI…`
//! and too short for `AKID…`), so whatever passes is an id.
//!
//! Secrets never leave a finding: only its key id, location and time are read. Messages name
//! fields and rule ids, never values (scanners put secrets in `Secret`, `Match`, `Raw`, `RawV2`,
//! `SecretParts`). The `snippet` is left out: the only context a report gives is `Match` or
//! `Raw`, which may hold a secret the report does not flag as one (a multi-line custom rule),
//! so no redaction of known values could be proven complete.
//!
//! Time is the finding's commit date. A finding without one (`gitleaks dir`, trufflehog
//! `filesystem`) is left out and reported: the snapshot's `taken_at` is not known here, the
//! file's modification time differs between copies, and another finding's date says nothing
//! about this one; a made-up time would mislead rules that compare a leak with key use.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::estate::Estate;
use crate::raw::answer;
use crate::report::{Issue, IssueKind, Skipped};
use crate::snapshot::{Event, LeakReport};
use crate::time;

/// One finding, reduced to what may be written.
struct Finding {
    /// The rule or detector, for counts and messages.
    rule: String,
    /// Where it is in the report: `$[2]` (gitleaks) or `line 3` (trufflehog).
    at: String,
    key: Key,
    /// The commit date as the scanner wrote it; `None` when there is none.
    time: Option<String>,
    /// The link, or a `[<repository>@]<commit>:<file>:<line>` location; `None` when neither.
    url: Option<String>,
    source: &'static str,
}

/// What a finding says about cloud keys.
enum Key {
    Id(String),
    /// A cloud finding that gives no key id, and why.
    Missing(&'static str),
    /// Another kind of secret (AWS, a generic password, …).
    Other,
}

/// Reads one report.
pub(crate) fn read_file(out: &mut Estate, file: &Path) {
    match findings(file) {
        Ok(findings) => record(out, file, findings),
        Err(reason) => out.report.skipped.push(Skipped { file: file.display().to_string(), reason }),
    }
}

/// The findings of a report; `Err` is why the whole file is skipped.
fn findings(file: &Path) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(file).map_err(|err| format!("cannot read: {err}"))?;
    let values = json_values(text.strip_prefix('\u{feff}').unwrap_or(&text))?;
    match values.as_slice() {
        [] => Err("the file is empty".to_owned()),
        [(_, Value::Array(items))] => gitleaks(items),
        _ => values.iter().map(|(line, value)| trufflehog(value, *line)).collect(),
    }
}

/// Every JSON value in the text with the line it starts on: one array (gitleaks), or one
/// object per line (trufflehog). Invalid JSON names its line and column, never the text.
fn json_values(text: &str) -> Result<Vec<(usize, Value)>, String> {
    let not_a_report = "not a gitleaks JSON report or trufflehog JSONL output";
    let first = text.trim_start().chars().next();
    if first.is_some_and(|c| c != '[' && c != '{') {
        return Err(format!("{not_a_report} (expected `[` or `{{` first)"));
    }
    let mut values = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let (mut end, mut line, mut counted) = (0, 1, 0);
    while let Some(value) = stream.next() {
        let value = value.map_err(|err| answer::json_error(&err))?;
        let start = end + text[end..].len() - text[end..].trim_start().len();
        line += text[counted..start].matches('\n').count();
        counted = start;
        values.push((line, value));
        end = stream.byte_offset();
    }
    Ok(values)
}

fn gitleaks(items: &[Value]) -> Result<Vec<Finding>, String> {
    items.iter().enumerate().map(|(index, item)| gitleaks_finding(item, format!("$[{index}]"))).collect()
}

/// A gitleaks finding: the key id is `Secret` of a key-id rule; `Link`, else `Commit`, `File`
/// and `StartLine`, says where; `Date` is the commit's author date.
fn gitleaks_finding(item: &Value, at: String) -> Result<Finding, String> {
    let shape = "not a gitleaks finding (expected an object with `RuleID` and `Secret`)";
    let item = item.as_object().ok_or_else(|| format!("{at}: {shape}"))?;
    let (Some(rule), Some(secret)) = (text(item, "RuleID"), text(item, "Secret")) else {
        return Err(format!("{at}: {shape}"));
    };
    let link = text(item, "Link").filter(|link| !link.is_empty());
    let place = || location(None, text(item, "Commit"), text(item, "File"), item.get("StartLine"));
    Ok(Finding {
        rule: rule.to_owned(),
        at,
        key: gitleaks_key(rule, secret),
        time: text(item, "Date").filter(|date| !date.is_empty()).map(str::to_owned),
        url: link.map(without_userinfo).or_else(place),
        source: link.map_or("other", source_of),
    })
}

fn gitleaks_key(rule: &str, secret: &str) -> Key {
    if is_key_id(secret) {
        return Key::Id(secret.to_owned());
    }
    if !names_cloud(rule) && !looks_like_key_id(secret) {
        return Key::Other;
    }
    if secret == "REDACTED" || secret.ends_with("...") {
        return Key::Missing("its value is redacted (gitleaks --redact), so which key it is about is unknown");
    }
    Key::Missing("its value is not a key id (a secret key, which is never copied)")
}

/// A trufflehog result: the key id is in `SecretParts.id` (v3.95.7+), `Redacted`, `RawV2`
/// after the secret, or at the start of a custom detector's `Raw`; `SourceMetadata.Data.<Kind>`
/// says where and when.
fn trufflehog(value: &Value, line: usize) -> Result<Finding, String> {
    let at = format!("line {line}");
    let shape = "not a trufflehog result (expected an object with `SourceMetadata.Data` and `DetectorName`)";
    let result = value.as_object().ok_or_else(|| format!("{at}: {shape}"))?;
    let data = result.get("SourceMetadata").and_then(|metadata| metadata.get("Data")).and_then(Value::as_object);
    let (Some(data), Some(detector)) = (data, text(result, "DetectorName")) else {
        return Err(format!("{at}: {shape}"));
    };
    let (kind, fields) = match data.iter().next() {
        Some((kind, Value::Object(fields))) => (kind.as_str(), fields),
        _ => return Err(format!("{at}: {shape}")),
    };
    let link = text(fields, "link").filter(|link| !link.is_empty());
    let repository = text(fields, "repository").filter(|repository| !repository.is_empty());
    let place = || location(repository, text(fields, "commit"), text(fields, "file"), fields.get("line"));
    Ok(Finding {
        rule: detector.to_owned(),
        at,
        key: trufflehog_key(detector, result),
        time: text(fields, "timestamp").filter(|time| !time.is_empty()).map(str::to_owned),
        url: link.map(without_userinfo).or_else(place),
        source: match kind {
            "Github" => "github",
            "Gitlab" => "gitlab",
            _ => link.or(repository).map_or("other", source_of),
        },
    })
}

fn trufflehog_key(detector: &str, result: &Map<String, Value>) -> Key {
    let raw = text(result, "Raw").unwrap_or_default();
    let candidates = [
        result.get("SecretParts").and_then(|parts| parts.get("id")).and_then(Value::as_str),
        text(result, "Redacted"),
        text(result, "RawV2").and_then(|raw_v2| raw_v2.strip_prefix(raw)),
        Some(raw),
        raw.get(..TENCENT_ID_LEN),
    ];
    if let Some(id) = candidates.into_iter().flatten().find(|candidate| is_key_id(candidate)) {
        return Key::Id(id.to_owned());
    }
    if names_cloud(detector) || looks_like_key_id(raw) {
        return Key::Missing("no key id can be told apart in SecretParts, Redacted, RawV2 or Raw");
    }
    Key::Other
}

/// What becomes of one finding.
enum Outcome {
    Event(Event),
    LeftOut {
        at: String,
        message: String,
    },
    /// Another kind of secret, by its rule or detector.
    NotCloud(String),
}

/// Turns the findings into events and issues, and gives the file its place in the report.
fn record(out: &mut Estate, file: &Path, findings: Vec<Finding>) {
    let total = findings.len();
    let mut events = 0;
    let mut others: BTreeMap<String, usize> = BTreeMap::new();
    for finding in findings {
        match outcome(finding) {
            Outcome::Event(event) => {
                out.add_event(event);
                events += 1;
            }
            Outcome::LeftOut { at, message } => issue(out, file, at, message),
            Outcome::NotCloud(rule) => *others.entry(rule).or_default() += 1,
        }
    }
    if !others.is_empty() {
        let count: usize = others.values().sum();
        let rules: Vec<String> = others.iter().map(|(rule, n)| format!("{rule} {n}")).collect();
        let message = format!(
            "not a Tencent Cloud or Alibaba Cloud key id: {count} of {} ({}), no events",
            plural(total, "finding"),
            rules.join(", ")
        );
        issue(out, file, "$".to_owned(), message);
    }
    let file_name = file.display().to_string();
    if events > 0 {
        return out.report.used.push(file_name);
    }
    let reason = match total {
        0 => "a report with no findings".to_owned(),
        _ => format!("no LeakReport event from its {} (see the issues of this file)", plural(total, "finding")),
    };
    out.report.skipped.push(Skipped { file: file_name, reason });
}

fn outcome(finding: Finding) -> Outcome {
    let Finding { rule, at, key, time, url, source } = finding;
    let message = match key {
        Key::Other => return Outcome::NotCloud(rule),
        Key::Missing(why) => format!("`{rule}` finding: {why}: no event"),
        Key::Id(access_key_id) => match leak_event(access_key_id, time.as_deref(), url, source) {
            Ok(event) => return Outcome::Event(event),
            Err(why) => format!("`{rule}` finding: {why}: left out"),
        },
    };
    Outcome::LeftOut { at, message }
}

/// The event of a key id found, or why it cannot be one (no time, no location).
fn leak_event(
    access_key_id: String,
    time: Option<&str>,
    url: Option<String>,
    source: &'static str,
) -> Result<Event, String> {
    let Some(written) = time else {
        return Err(format!("`{access_key_id}` has no commit date (a scan of files, not of git history)"));
    };
    let Some(at) = commit_time(written) else {
        return Err(format!(
            "`{access_key_id}`: the date `{written}` is neither RFC 3339 nor `2006-01-02 15:04:05 -0700` (the forms gitleaks and trufflehog write)"
        ));
    };
    let url = url.ok_or_else(|| format!("`{access_key_id}` has no link and no file"))?;
    Ok(Event::LeakReport(LeakReport { time: time::format(at), access_key_id, url, source, snippet: None }))
}

fn plural(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}

fn issue(out: &mut Estate, file: &Path, path: String, message: String) {
    let file = file.display().to_string();
    out.report.issues.push(Issue { kind: IssueKind::NotNormalized, file, path, message });
}

/// A commit date as the scanners write it: RFC 3339 (gitleaks, UTC), or Go's
/// `2006-01-02 15:04:05 -0700`, possibly followed by the zone's abbreviation (`PDT`, `UTC`,
/// `+08`), which the offset before it makes redundant (trufflehog).
fn commit_time(text: &str) -> Option<DateTime<Utc>> {
    time::rfc3339(text).or_else(|| {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let (numeric, abbreviation) = match parts.as_slice() {
            [date, clock, offset] => ([*date, *clock, *offset], None),
            [date, clock, offset, zone] => ([*date, *clock, *offset], Some(*zone)),
            _ => return None,
        };
        if abbreviation.is_some_and(|zone| !zone.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-')) {
            return None;
        }
        DateTime::parse_from_str(&numeric.join(" "), "%Y-%m-%d %H:%M:%S%.f %z").ok().map(|at| at.with_timezone(&Utc))
    })
}

/// `[<repository>@]<commit>:<file>:<line>` (gitleaks' fingerprint without the rule), the
/// commit and line left out when unknown; `None` without a file.
fn location(
    repository: Option<&str>,
    commit: Option<&str>,
    file: Option<&str>,
    line: Option<&Value>,
) -> Option<String> {
    let file = file.filter(|file| !file.is_empty())?;
    let mut place = String::new();
    if let Some(repository) = repository {
        place.push_str(&without_userinfo(repository));
        place.push('@');
    }
    if let Some(commit) = commit.filter(|commit| !commit.is_empty()) {
        place.push_str(commit);
        place.push(':');
    }
    place.push_str(file);
    if let Some(line) = line.and_then(Value::as_u64).filter(|line| *line > 0) {
        place.push_str(&format!(":{line}"));
    }
    Some(place)
}

/// A URL without `user:password@`: a repository cloned with a token must not carry it along.
fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// `github`, `gitlab` or `paste` by the host of a URL (`https://…` or `git@host:…`), else `other`.
fn source_of(url: &str) -> &'static str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = host_port.split(':').next().unwrap_or_default().to_ascii_lowercase();
    let on = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if on("github.com") {
        "github"
    } else if on("gitlab.com") {
        "gitlab"
    } else if on("pastebin.com") {
        "paste"
    } else {
        "other"
    }
}

/// `AKID` + 32 alphanumerics.
const TENCENT_ID_LEN: usize = 36;

/// A Tencent Cloud (`AKID` + 32 alphanumerics) or Alibaba Cloud (`LTAI` + 12 to 21) key id.
fn is_key_id(text: &str) -> bool {
    let alphanumeric = |tail: &str| tail.chars().all(|c| c.is_ascii_alphanumeric());
    match (text.strip_prefix("AKID"), text.strip_prefix("LTAI")) {
        (Some(tail), _) => tail.len() == TENCENT_ID_LEN - 4 && alphanumeric(tail),
        (_, Some(tail)) => (12..=21).contains(&tail.len()) && alphanumeric(tail),
        _ => false,
    }
}

/// Starts like a key id, without being a whole one (redacted, or run into a secret).
fn looks_like_key_id(text: &str) -> bool {
    text.starts_with("AKID") || text.starts_with("LTAI")
}

/// Whether a rule or detector name says it is about one of the two clouds.
fn names_cloud(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["alibaba", "aliyun", "tencent", "qcloud"].iter().any(|cloud| name.contains(cloud))
}

fn text<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_shapes() {
        assert!(is_key_id("AKIDFakeTencentKeyForTests0000000000"));
        assert!(is_key_id("LTAI5tFakeKeyForTests001") && is_key_id("LTAI123456789012"));
        assert!(
            !is_key_id("AKIDFakeTencentKeyForTests000000000") && !is_key_id("AKIDFakeTencentKeyForTests00000000000")
        );
        assert!(!is_key_id("LTAI12345678901") && !is_key_id("LTAI1234567890123456789012"));
        assert!(!is_key_id("LTAI5tFake-KeyForTests") && !is_key_id("FakeAlibabaSecretForTests00001"));
    }

    #[test]
    fn commit_times_in_every_form_the_scanners_write() {
        let utc = |text| commit_time(text).map(time::format);
        assert_eq!(utc("2024-03-05T08:15:42Z").as_deref(), Some("2024-03-05T08:15:42Z"));
        assert_eq!(utc("2024-03-05 08:15:42 +0000").as_deref(), Some("2024-03-05T08:15:42Z"));
        assert_eq!(utc("2022-06-16 10:17:40 -0700 PDT").as_deref(), Some("2022-06-16T17:17:40Z"));
        assert_eq!(utc("2017-05-08 07:05:14 +0000 UTC").as_deref(), Some("2017-05-08T07:05:14Z"));
        assert_eq!(utc("2024-03-05 16:15:42 +0800 +08").as_deref(), Some("2024-03-05T08:15:42Z"));
        assert_eq!(utc("10-19-2003"), None);
        assert_eq!(utc("2024-03-05 08:15:42"), None);
    }

    #[test]
    fn sources_by_host_and_no_userinfo() {
        assert_eq!(source_of("https://github.com/o/r/blob/c/f#L1"), "github");
        assert_eq!(source_of("https://gist.github.com/o/1"), "github");
        assert_eq!(source_of("https://gitlab.com/g/r.git"), "gitlab");
        assert_eq!(source_of("git@gitlab.com:g/r.git"), "gitlab");
        assert_eq!(source_of("https://pastebin.com/abc"), "paste");
        assert_eq!(source_of("https://git.example.com/github.com/r"), "other");
        assert_eq!(without_userinfo("https://user:token@gitlab.com/g/r.git"), "https://gitlab.com/g/r.git");
        assert_eq!(without_userinfo("git@github.com:o/r.git"), "git@github.com:o/r.git");
    }

    #[test]
    fn locations_without_a_link() {
        let line = Value::from(2);
        assert_eq!(location(None, Some("0f1e"), Some("a.env"), Some(&line)).as_deref(), Some("0f1e:a.env:2"));
        assert_eq!(
            location(Some("https://x/r.git"), Some("c"), Some("f"), None).as_deref(),
            Some("https://x/r.git@c:f")
        );
        assert_eq!(location(None, Some(""), Some("/srv/app/.env"), Some(&line)).as_deref(), Some("/srv/app/.env:2"));
        assert_eq!(location(None, Some("c"), None, Some(&line)), None);
    }
}
