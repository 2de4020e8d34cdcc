//! Applying a [`Config`] to findings: severity overrides, allowlist, IP hiding. The rules are
//! described in the [module documentation](super).

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use globset::{GlobBuilder, GlobMatcher};
use serde_json::Value as Json;
use serde_saphyr::Spanned;

use super::parse::{Problem, pos as parse_pos};
use super::{AllowEntry, Applied, Config, ConfigWarning, Pos, WarningKind};
use crate::report::{Finding, Suppressed};

/// What a hidden source IP is replaced with, everywhere. Not an address, so no consumer can
/// mistake it for one; the same for every address, so it reveals nothing about how many there
/// were.
pub const MASK: &str = "***";

/// A `rule`, `api` half or `user_agent` pattern: a literal compared exactly, or a glob.
#[derive(Clone, Debug)]
pub(super) struct Pattern {
    text: String,
    at: Pos,
    case_insensitive: bool,
    /// `None` for a pattern with no glob syntax.
    glob: Option<GlobMatcher>,
}

impl Pattern {
    pub(super) fn new(s: &Spanned<String>, case_insensitive: bool, key: &str) -> Result<Pattern, Problem> {
        let text = s.value.clone();
        let at = parse_pos(&s.referenced);
        if text.is_empty() {
            return Err(Problem { at, message: format!("`{key}` is empty") });
        }
        let glob = if text.contains(['*', '?', '[', '{', '\\']) {
            let built = GlobBuilder::new(&text)
                .case_insensitive(case_insensitive)
                .literal_separator(false)
                .backslash_escape(true)
                .build()
                .map_err(|e| Problem { at, message: format!("`{key}`: invalid glob `{text}`: {}", e.kind()) })?;
            Some(built.compile_matcher())
        } else {
            None
        };
        Ok(Pattern { text, at, case_insensitive, glob })
    }

    pub(super) fn matches(&self, candidate: &str) -> bool {
        match &self.glob {
            Some(glob) => glob.is_match(candidate),
            None if self.case_insensitive => self.text.to_lowercase() == candidate.to_lowercase(),
            None => self.text == candidate,
        }
    }

    pub(super) fn is_glob(&self) -> bool {
        self.glob.is_some()
    }

    pub(super) fn text(&self) -> &str {
        &self.text
    }

    pub(super) fn pos(&self) -> Pos {
        self.at
    }
}

pub(super) fn apply(config: &Config, findings: Vec<Finding>, now: DateTime<Utc>) -> Applied {
    let mut warnings = Vec::new();
    let mut live: Vec<&AllowEntry> = Vec::new();
    for entry in &config.allowlist {
        match entry.expires {
            Some(expiry) if expiry.is_expired(now) => warnings.push(ConfigWarning {
                file: config.source.clone(),
                pos: entry.at,
                kind: WarningKind::ExpiredEntry,
                message: format!(
                    "allowlist entry {} (\"{}\") expired on {expiry}, before the snapshot was taken ({}); it was not \
                     applied",
                    entry.index,
                    entry.reason,
                    crate::value::format_time(now.timestamp_micros()),
                ),
            }),
            _ => live.push(entry),
        }
    }
    let mut reported = Vec::new();
    let mut suppressed = Vec::new();
    for mut finding in findings {
        if let Some(severity) = config.severity_override(&finding.rule) {
            finding.severity = severity;
        }
        let calls = Calls::of(&finding);
        let matched = live.iter().find(|e| e.matches(&finding, &calls)).map(|e| e.reason.clone());
        match matched {
            Some(reason) => suppressed.push(Suppressed { finding, reason }),
            None => reported.push(finding),
        }
    }
    if !config.hidden_keys.is_empty() {
        for f in &mut reported {
            hide(f, &config.hidden_keys);
        }
        for s in &mut suppressed {
            hide(&mut s.finding, &config.hidden_keys);
        }
    }
    Applied { findings: reported, suppressed, warnings }
}

/// The calls (or other events) an alarm lists in its evidence.
struct Calls<'f> {
    list: &'f [Json],
    /// False when the evidence's `count` says more calls happened than are listed: those
    /// cannot be checked, so no "every call" test can pass.
    complete: bool,
}

impl<'f> Calls<'f> {
    fn of(finding: &'f Finding) -> Calls<'f> {
        let list = ["calls", "events"]
            .iter()
            .find_map(|k| finding.evidence.get(*k).and_then(Json::as_array))
            .map_or(&[][..], Vec::as_slice);
        let complete = finding.evidence.get("count").and_then(Json::as_u64).is_none_or(|n| n <= list.len() as u64);
        Calls { list, complete }
    }

    /// There are calls, all listed, and `test` holds for each.
    fn all(&self, test: impl Fn(&Json) -> bool) -> bool {
        self.complete && !self.list.is_empty() && self.list.iter().all(test)
    }
}

fn field<'j>(call: &'j Json, name: &str) -> Option<&'j str> {
    call.get(name).and_then(Json::as_str)
}

impl AllowEntry {
    fn matches(&self, finding: &Finding, calls: &Calls<'_>) -> bool {
        if let Some(rule) = &self.rule
            && !rule.matches(&finding.rule)
        {
            return false;
        }
        if let Some(asset) = &self.asset
            && finding.subject.id != *asset
        {
            return false;
        }
        if let Some(key) = &self.access_key {
            let subject_is_key = finding.subject.ty == "AccessKey" && finding.subject.id == *key;
            if !subject_is_key && !calls.all(|c| field(c, "access_key_id") == Some(key.as_str())) {
                return false;
            }
        }
        if let Some(net) = &self.net
            && !calls.all(|c| {
                field(c, "source_ip").and_then(|ip| IpAddr::from_str(ip).ok()).is_some_and(|ip| net.contains(&ip))
            })
        {
            return false;
        }
        if let Some((service, action)) = &self.api
            && !calls.all(|c| {
                field(c, "service").is_some_and(|s| service.matches(s))
                    && field(c, "action").is_some_and(|a| action.matches(a))
            })
        {
            return false;
        }
        if let Some(ua) = &self.user_agent
            && !calls.all(|c| field(c, "user_agent").is_some_and(|u| ua.matches(u)))
        {
            return false;
        }
        true
    }
}

/// Masks the source IPs of hidden keys in one finding (see the module documentation).
fn hide(finding: &mut Finding, keys: &BTreeSet<String>) {
    let subject_is_key =
        matches!(finding.subject.ty.as_str(), "AccessKey" | "group") && keys.contains(&finding.subject.id);
    let mut hidden = BTreeSet::new();
    mask_source_ips(&mut finding.evidence, keys, subject_is_key, &mut hidden);
    if hidden.is_empty() {
        return;
    }
    // The canonical spelling too, in case the message wrote the address differently.
    let canonical: Vec<String> =
        hidden.iter().filter_map(|ip| IpAddr::from_str(ip).ok()).map(|ip| ip.to_string()).collect();
    hidden.extend(canonical);
    let needles: Vec<&str> = hidden.iter().map(String::as_str).collect();
    if let Some(masked) = mask_occurrences(&finding.message, &needles) {
        finding.message = masked;
    }
    mask_strings(&mut finding.evidence, &needles);
    if needles.contains(&finding.subject.id.as_str()) {
        finding.subject.id = MASK.to_owned();
    }
}

/// Replaces `source_ip` with [`MASK`] in every object (at any depth) whose `access_key_id`
/// is hidden, or in every object when `all`; collects the addresses replaced.
fn mask_source_ips(value: &mut Json, keys: &BTreeSet<String>, all: bool, hidden: &mut BTreeSet<String>) {
    match value {
        Json::Object(map) => {
            let hidden_key = all || map.get("access_key_id").and_then(Json::as_str).is_some_and(|k| keys.contains(k));
            if hidden_key
                && let Some(Json::String(ip)) = map.get_mut("source_ip")
                && ip != MASK
            {
                hidden.insert(std::mem::replace(ip, MASK.to_owned()));
            }
            for v in map.values_mut() {
                mask_source_ips(v, keys, all, hidden);
            }
        }
        Json::Array(items) => {
            for v in items {
                mask_source_ips(v, keys, all, hidden);
            }
        }
        _ => {}
    }
}

fn mask_strings(value: &mut Json, needles: &[&str]) {
    match value {
        Json::String(s) => {
            if let Some(masked) = mask_occurrences(s, needles) {
                *s = masked;
            }
        }
        Json::Object(map) => map.values_mut().for_each(|v| mask_strings(v, needles)),
        Json::Array(items) => items.iter_mut().for_each(|v| mask_strings(v, needles)),
        _ => {}
    }
}

/// `text` with every whole occurrence of each address in `needles` replaced by [`MASK`], or
/// `None` when there is none. Whole: the characters around it do not continue an address
/// (`10.0.0.1` is not hidden inside `10.0.0.12` or `110.0.0.1`; it is in `10.0.0.1:443`).
pub(super) fn mask_occurrences(text: &str, needles: &[&str]) -> Option<String> {
    let mut current: Option<String> = None;
    for needle in needles {
        if needle.is_empty() || *needle == MASK {
            continue;
        }
        let source = current.as_deref().unwrap_or(text);
        let v6 = needle.contains(':');
        let mut out = String::with_capacity(source.len());
        let mut last = 0;
        let mut changed = false;
        for (start, _) in source.match_indices(needle) {
            let end = start + needle.len();
            if start < last || continues(&source[..start], true, v6) || continues(&source[end..], false, v6) {
                continue;
            }
            out.push_str(&source[last..start]);
            out.push_str(MASK);
            last = end;
            changed = true;
        }
        if changed {
            out.push_str(&source[last..]);
            current = Some(out);
        }
    }
    current
}

/// Whether the text beside an occurrence continues the address: a digit (a hex digit for
/// IPv6), or a separator followed by one.
fn continues(side: &str, before: bool, v6: bool) -> bool {
    let digit = |c: char| if v6 { c.is_ascii_hexdigit() } else { c.is_ascii_digit() };
    let separator = |c: char| c == '.' || (v6 && c == ':');
    let mut chars: Box<dyn Iterator<Item = char>> =
        if before { Box::new(side.chars().rev()) } else { Box::new(side.chars()) };
    match chars.next() {
        Some(c) if digit(c) => true,
        Some(c) if separator(c) => chars.next().is_some_and(digit),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_addresses_are_masked() {
        let m = |t: &str| mask_occurrences(t, &["10.0.0.1"]);
        assert_eq!(m("from 10.0.0.1."), Some("from ***.".to_owned()));
        assert_eq!(m("10.0.0.1:443 and 10.0.0.1"), Some("***:443 and ***".to_owned()));
        assert_eq!(m("10.0.0.12"), None);
        assert_eq!(m("110.0.0.1"), None);
        assert_eq!(m("10.0.0.1.5"), None);
        assert_eq!(m("ip=10.0.0.1,"), Some("ip=***,".to_owned()));
        let v6 = |t: &str| mask_occurrences(t, &["2001:db8::1"]);
        assert_eq!(v6("[2001:db8::1]:22"), Some("[***]:22".to_owned()));
        assert_eq!(v6("2001:db8::1f"), None);
    }
}
