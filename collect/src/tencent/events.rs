//! CloudAudit events: an `Events[]` item of a `LookUpEvents` / `DescribeEvents` answer (outer
//! fields `EventName`, `EventTime`, `SecretId`, … and the full event in the `CloudAuditEvent`
//! string), or a delivered log record (the full event itself: `eventName`, `eventTime`,
//! `userIdentity`, …). The full event is preferred; the outer fields fill what it lacks.
//!
//! The tccli `LookUpEvents` example's `CloudAuditEvent` is not valid JSON (an object inside
//! quotes, unescaped): it is read leniently from its simple `"key":value` pairs, and reported.
//! Times: `YYYY-MM-DD HH:MM:SS` strings are Beijing time, numbers (or all-digit strings) Unix
//! seconds (tests/raw/tencent/README.md, "Time fields").

use serde_json::{Map, Value};
use std::borrow::Cow;

use crate::estate::Estate;
use crate::net;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::{ApiCall, ConsoleLogin, Event, ServiceCall};
use crate::time;

use super::masked;

/// The event CloudAudit records for a console sign-in (service `account`, CloudAudit's list of
/// audited account actions).
const CONSOLE_LOGIN: &str = "ConsoleLogin";

/// CloudAudit's `Location` for an address it cannot place.
const UNKNOWN_LOCATION: &str = "未知";

/// Region names of the legacy API (`gz`), from the CAM resource description page.
const LEGACY_REGIONS: [(&str, &str); 8] = [
    ("gz", "ap-guangzhou"),
    ("sh", "ap-shanghai"),
    ("bj", "ap-beijing"),
    ("cd", "ap-chengdu"),
    ("hk", "ap-hongkong"),
    ("sg", "ap-singapore"),
    ("ca", "na-toronto"),
    ("de", "eu-frankfurt"),
];

/// One CloudAudit record as a snapshot event; `Ok(None)` for a record left out after an issue
/// was reported (a masked key or address).
pub(crate) fn record(out: &mut Estate, node: &Node<'_>, account: &str) -> Result<Option<Event>, FieldError> {
    let fields = Fields::read(out, node)?;
    let name = fields.text(&["eventName"], &["EventName"]).ok_or_else(|| node.error("expected an event name"))?;
    let time = fields.time()?;
    let Some(source) = fields.text(&["sourceIPAddress"], &["SourceIPAddress"]) else {
        return Err(node.error("expected a source address (`sourceIPAddress`)"));
    };
    let source = match Source::of(&source) {
        Source::Masked => {
            out.issue(
                IssueKind::Masked,
                node,
                format!("the source address `{source}` is masked: the event is left out"),
            );
            return Ok(None);
        }
        Source::Invalid => return Err(node.error(format!("expected an IP address or a service, found `{source}`"))),
        source => source,
    };
    let (success, error_code) = fields.outcome();
    if name == CONSOLE_LOGIN {
        let Source::Ip(source_ip) = source else {
            return Err(node.error(format!("a console login from `{source:?}`, not an address")));
        };
        let user_id = match fields.principal() {
            Some(principal) if !fields.is_root() => principal,
            _ => fields.text(&["userIdentity", "accountId"], &["AccountID"]).unwrap_or_else(|| account.to_owned()),
        };
        return Ok(Some(Event::ConsoleLogin(ConsoleLogin {
            time,
            user_id,
            source_ip,
            success,
            mfa_used: fields.mfa(),
            country: fields.country(),
        })));
    }
    let service = fields.service().ok_or_else(|| node.error("expected `eventSource` or `resourceType`"))?;
    let key = fields.text(&["userIdentity", "secretId"], &["SecretId"]);
    if let Some(key) = key.as_deref().filter(|key| masked(key)) {
        out.issue(IssueKind::Masked, node, format!("the key id `{key}` is masked: the event is left out"));
        return Ok(None);
    }
    let region = fields.text(&["eventRegion"], &["EventRegion"]).map(|region| {
        LEGACY_REGIONS.iter().find(|(short, _)| *short == region).map_or(region, |(_, long)| (*long).to_owned())
    });
    let resource = fields.text(&["resourceName"], &["Resources", "ResourceName"]);
    let principal_id = fields.principal();
    match source {
        Source::Service(invoked_by) => Ok(Some(Event::ServiceCall(ServiceCall {
            time,
            invoked_by,
            service,
            action: name,
            access_key_id: key,
            principal_id,
            region,
            resource,
            success,
            error_code,
        }))),
        Source::Ip(source_ip) => {
            let Some(access_key_id) = key else {
                return Err(node.error("a call without a key id (`secretId`): an ApiCall needs the key that signed it"));
            };
            let user_agent = match fields.inner(&["userAgent"]) {
                Some(Value::String(agent)) => agent.clone(),
                _ => return Err(node.error("expected the caller's `userAgent`")),
            };
            Ok(Some(Event::ApiCall(ApiCall {
                time,
                access_key_id,
                principal_id,
                source_ip,
                user_agent,
                service,
                action: name,
                region,
                resource,
                success,
                error_code,
            })))
        }
        Source::Masked | Source::Invalid => Ok(None),
    }
}

/// Where a call came from: an address, or a cloud service acting for the account.
#[derive(Debug)]
enum Source {
    Ip(String),
    Service(String),
    Masked,
    Invalid,
}

impl Source {
    fn of(text: &str) -> Source {
        match net::ip(text) {
            Ok(ip) => Source::Ip(ip),
            Err(net::AddressProblem::Masked) => Source::Masked,
            // A host name such as `cvm.tencentcloudapi.com`: a service calling on the account's behalf.
            Err(net::AddressProblem::Invalid)
                if text.contains('.')
                    && text.chars().any(|c| c.is_ascii_alphabetic())
                    && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-')) =>
            {
                Source::Service(text.to_owned())
            }
            Err(net::AddressProblem::Invalid) => Source::Invalid,
        }
    }
}

/// A record's fields: the full event, and the query answer's outer fields when there are any.
struct Fields<'a> {
    at: Node<'a>,
    /// Borrowed from a delivered record; owned when parsed out of `CloudAuditEvent`.
    inner: Cow<'a, Map<String, Value>>,
    /// The full event was read leniently: its pairs are flat, nested keys at the top.
    flat: bool,
    outer: Option<Node<'a>>,
}

impl<'a> Fields<'a> {
    fn read(out: &mut Estate, node: &Node<'a>) -> Result<Fields<'a>, FieldError> {
        let Some(text) = node.get("CloudAuditEvent") else {
            if node.get("EventName").is_some() {
                return Ok(Fields {
                    at: node.clone(),
                    inner: Cow::Owned(Map::new()),
                    flat: false,
                    outer: Some(node.clone()),
                });
            }
            let Value::Object(inner) = node.value else { return Err(node.expected("an event object")) };
            return Ok(Fields { at: node.clone(), inner: Cow::Borrowed(inner), flat: false, outer: None });
        };
        let text = text.as_str()?;
        let (inner, flat) = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(inner)) => (inner, false),
            Ok(_) => return Err(node.need("CloudAuditEvent")?.expected("an event object in the string")),
            Err(err) => {
                let pairs = lenient_pairs(text);
                let message = format!(
                    "`CloudAuditEvent` is not valid JSON ({err}): read leniently from its {} simple \"key\":value pairs; nested objects (requestParameters, sessionContext) are not read as objects",
                    pairs.len()
                );
                out.issue(IssueKind::NotNormalized, &node.need("CloudAuditEvent")?, message);
                (pairs, true)
            }
        };
        Ok(Fields { at: node.clone(), inner: Cow::Owned(inner), flat, outer: Some(node.clone()) })
    }

    /// A field of the full event (`["userIdentity", "secretId"]`).
    fn inner(&self, path: &[&str]) -> Option<&Value> {
        if self.flat {
            return self.inner.get(*path.last()?);
        }
        let (first, rest) = path.split_first()?;
        rest.iter().try_fold(self.inner.get(*first)?, |value, key| value.get(key))
    }

    /// Text (or a number as text) from the full event, else from the outer fields; `""` is none.
    fn text(&self, inner: &[&str], outer: &[&str]) -> Option<String> {
        let from_outer = || self.outer.as_ref().and_then(|node| node.at(outer)).map(|node| node.value);
        [self.inner(inner), from_outer()].into_iter().flatten().find_map(|value| match value {
            Value::String(text) if !text.is_empty() => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        })
    }

    /// The country of the source address: the first word of the outer `Location` ("IP 归属地",
    /// `中国 广东省 深圳市 中国电信`); none when CloudAudit does not know it (`未知`).
    fn country(&self) -> Option<String> {
        let location = self.outer.as_ref()?.at(&["Location"])?.value.as_str()?;
        location.split_whitespace().next().filter(|country| *country != UNKNOWN_LOCATION).map(str::to_owned)
    }

    /// When the event happened: Unix seconds, or a Beijing `YYYY-MM-DD HH:MM:SS`.
    fn time(&self) -> Result<String, FieldError> {
        let text = self.text(&["eventTime"], &["EventTime"]).ok_or_else(|| self.at.error("expected `eventTime`"))?;
        event_time(&text).ok_or_else(|| {
            self.at.error(format!("expected `eventTime` as Unix seconds or `YYYY-MM-DD HH:MM:SS`, found `{text}`"))
        })
    }

    /// The service called: the first label of `eventSource` (`cvm.tencentcloudapi.com`), else
    /// `resourceType`.
    fn service(&self) -> Option<String> {
        let from_source = self
            .text(&["eventSource"], &["EventSource"])
            .and_then(|source| source.split(['.', '/']).next().filter(|label| !label.is_empty()).map(str::to_owned));
        from_source.or_else(|| self.text(&["resourceType"], &["Resources", "ResourceType"]))
    }

    fn principal(&self) -> Option<String> {
        self.text(&["userIdentity", "principalId"], &[])
    }

    fn is_root(&self) -> bool {
        let kind = self.text(&["userIdentity", "type"], &[]);
        kind.is_some_and(|kind| kind.eq_ignore_ascii_case("root"))
            || self.text(&[], &["Username"]).is_some_and(|user| user == "root")
    }

    /// Success when neither the signature/authentication (`errorCode`) nor the API
    /// (`apiErrorCode`) reported an error; the code is the first error given.
    fn outcome(&self) -> (bool, Option<String>) {
        let error = |inner: &str, outer: &[&str]| self.text(&[inner], outer).filter(|code| code != "0");
        let code = error("errorCode", &["ErrorCode"]).or_else(|| error("apiErrorCode", &[]));
        (code.is_none(), code)
    }

    /// Whether the session used MFA (`sessionContext.mfa`, an object or a JSON string).
    fn mfa(&self) -> bool {
        let session = match self.inner(&["userIdentity", "sessionContext"]) {
            Some(Value::String(text)) => serde_json::from_str::<Value>(text).ok(),
            Some(value) => Some(value.clone()),
            None => None,
        };
        let flag = match (self.flat, session) {
            (true, _) => self.inner.get("mfa").cloned(),
            (false, Some(session)) => session.get("mfa").cloned(),
            (false, None) => None,
        };
        match flag {
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            Some(Value::String(text)) => text == "1",
            _ => false,
        }
    }
}

/// An event time: all digits are Unix seconds, else a Beijing `YYYY-MM-DD HH:MM:SS`.
fn event_time(text: &str) -> Option<String> {
    let at = if text.chars().all(|c| c.is_ascii_digit()) {
        time::unix_seconds(text.parse().ok()?)
    } else {
        time::local(text, time::BEIJING)
    };
    at.map(time::format)
}

/// The `"key":"text"` and `"key":number` pairs of broken JSON, first occurrence of a key
/// winning; objects, arrays and literals are skipped. The scan resynchronises on every quote,
/// so a stray unescaped object costs its own pairs only.
fn lenient_pairs(text: &str) -> Map<String, Value> {
    let bytes = text.as_bytes();
    let mut pairs = Map::new();
    let mut at = 0;
    while let Some(offset) = text[at..].find('"') {
        let start = at + offset;
        let Some((key, after_key)) = json_string(text, start) else { break };
        let value_at = skip_spaces(bytes, after_key);
        if bytes.get(value_at) != Some(&b':') {
            at = start + 1;
            continue;
        }
        let value_at = skip_spaces(bytes, value_at + 1);
        let (value, next) = match bytes.get(value_at) {
            Some(b'"') => match json_string(text, value_at) {
                Some((value, next)) => (Some(Value::String(value)), next),
                None => break,
            },
            Some(c) if c.is_ascii_digit() || *c == b'-' => {
                let end = text[value_at..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.')))
                    .map_or(text.len(), |len| value_at + len);
                (serde_json::from_str::<Value>(&text[value_at..end]).ok(), end)
            }
            _ => (None, value_at),
        };
        if let Some(value) = value {
            pairs.entry(key).or_insert(value);
        }
        at = next.max(start + 1);
    }
    pairs
}

/// The JSON string starting at the quote at `start`, unescaped, and the index after it.
fn json_string(text: &str, start: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut end = start + 1;
    while end < bytes.len() {
        match bytes[end] {
            b'\\' => end += 2,
            b'"' => {
                let value = serde_json::from_str::<String>(&text[start..=end]).ok()?;
                return Some((value, end + 1));
            }
            _ => end += 1,
        }
    }
    None
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn event_times_in_each_format() {
        // LookUpEvents `EventTime` and delivered `eventTime`: Beijing time.
        assert_eq!(event_time("2019-03-20 12:36:27").as_deref(), Some("2019-03-20T04:36:27Z"));
        // DescribeEvents `EventTime` (a string) and `eventTime` (a number): Unix seconds.
        assert_eq!(event_time("1680513809").as_deref(), Some("2023-04-03T09:23:29Z"));
        assert_eq!(event_time("yesterday"), None);
    }

    #[test]
    fn broken_cloud_audit_events_give_their_simple_pairs() {
        let text = r#"{"errorCode":0,"eventName":"LookupEvents","requestParameters":"{"Action":"LookupEvents","Region":"gz"}","sourceIPAddress":"59.37.125.124","userAgent":"","userIdentity":{"type":"Root","secretId":"XXX","principalId":1150691759,"sessionContext":{"mfa":0,"uin":1150691759}}}"#;
        assert!(serde_json::from_str::<Value>(text).is_err());
        let pairs = lenient_pairs(text);
        assert_eq!(pairs["eventName"], json!("LookupEvents"));
        assert_eq!(pairs["sourceIPAddress"], json!("59.37.125.124"));
        assert_eq!(pairs["userAgent"], json!(""));
        assert_eq!(pairs["secretId"], json!("XXX"));
        assert_eq!(pairs["principalId"], json!(1150691759));
        assert_eq!(pairs["errorCode"], json!(0));
        assert_eq!(pairs["mfa"], json!(0));
        assert_eq!(pairs["Region"], json!("gz"));
    }

    fn event(value: Value) -> (Option<Event>, Estate) {
        let mut out = Estate::default();
        let event = record(&mut out, &Node::root(&value, Path::new("e.json")), "100000000002").unwrap();
        (event, out)
    }

    #[test]
    fn delivered_records_become_calls_logins_and_service_calls() {
        let call = json!({"userIdentity": {"principalId": "100000000021", "secretId": "AKIDEXAMPLE1", "type": "user"},
            "eventTime": "2026-11-20 15:59:01", "eventName": "DescribeInstances", "sourceIPAddress": "203.0.113.45",
            "userAgent": "python-requests/2.31.0", "eventSource": "cvm.ap-guangzhou.api.tencentyun.com",
            "eventRegion": "gz", "errorCode": 0, "apiErrorCode": "InvalidParameter"});
        let Some(Event::ApiCall(call)) = event(call).0 else { panic!("not an ApiCall") };
        assert_eq!((call.service.as_str(), call.region.as_deref()), ("cvm", Some("ap-guangzhou")));
        assert_eq!((call.success, call.error_code.as_deref()), (false, Some("InvalidParameter")));
        assert_eq!(call.time, "2026-11-20T07:59:01Z");

        let login = json!({"userIdentity": {"type": "Root", "principalId": "100000000002", "accountId": "100000000002",
            "sessionContext": "{\"mfa\": 1}"}, "eventTime": 1680513809, "eventName": "ConsoleLogin",
            "sourceIPAddress": "198.51.100.7", "eventSource": "account.api.tencentyun.com", "errorCode": 0});
        let Some(Event::ConsoleLogin(login)) = event(login).0 else { panic!("not a ConsoleLogin") };
        assert_eq!((login.user_id.as_str(), login.mfa_used, login.success), ("100000000002", true, true));

        let service = json!({"userIdentity": {"principalId": "1"}, "eventTime": 1680513809, "eventName": "AssumeRole",
            "sourceIPAddress": "cvm.tencentcloudapi.com", "eventSource": "sts.tencentcloudapi.com", "errorCode": 0});
        let Some(Event::ServiceCall(service)) = event(service).0 else { panic!("not a ServiceCall") };
        assert_eq!((service.invoked_by.as_str(), service.service.as_str()), ("cvm.tencentcloudapi.com", "sts"));
    }

    #[test]
    fn a_listed_login_takes_its_country_from_the_location() {
        let listed = |location: &str| {
            let inner = json!({"userIdentity": {"type": "Root", "principalId": "100000000002", "accountId": "100000000002"},
                "eventTime": 1680513809, "eventName": "ConsoleLogin", "sourceIPAddress": "198.51.100.7",
                "eventSource": "account.api.tencentyun.com", "errorCode": 0});
            let item = json!({"EventName": "ConsoleLogin", "EventTime": "1680513809", "Location": location,
                "CloudAuditEvent": inner.to_string()});
            let Some(Event::ConsoleLogin(login)) = event(item).0 else { panic!("not a ConsoleLogin") };
            login.country
        };
        assert_eq!(listed("美国 加利福尼亚州 圣何塞").as_deref(), Some("美国"));
        assert_eq!(listed("未知"), None);
        assert_eq!(listed(""), None);
    }

    #[test]
    fn masked_keys_and_addresses_leave_the_event_out() {
        let masked_ip = json!({"eventTime": 1680513809, "eventName": "X", "sourceIPAddress": "10.10.**.**",
            "userIdentity": {"secretId": "AKIDEXAMPLE1"}, "userAgent": "", "eventSource": "cvm.tencentcloudapi.com"});
        let (event_out, out) = event(masked_ip);
        assert!(event_out.is_none());
        assert_eq!(out.report.count(IssueKind::Masked), 1);
        let masked_key = json!({"EventName": "X", "EventTime": "1680513809", "SourceIPAddress": "1.2.3.4", "SecretId": "AKID***",
            "EventSource": "cvm.tencentcloudapi.com"});
        let (event_out, out) = event(masked_key);
        assert!(event_out.is_none());
        assert_eq!(out.report.count(IssueKind::Masked), 1);
    }
}
