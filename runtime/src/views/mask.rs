//! Masking access key ids: every key with `--mask-keys`, else the keys whose source IPs
//! `ip_hiding` hides (a team that hides where a key is used from does not want the key
//! itself printed either).

use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::AhoCorasick;
use serde_json::Value as Json;

use crate::report::Report;

/// Which key ids are shown masked, and whose source IPs are hidden.
#[derive(Clone, Debug, Default)]
pub struct KeyMask {
    all: bool,
    hidden: BTreeSet<String>,
}

impl KeyMask {
    pub fn new(all: bool, hidden: &[&str]) -> Self {
        KeyMask { all, hidden: hidden.iter().map(|k| (*k).to_owned()).collect() }
    }

    /// Whether the source IPs of `key` are hidden (`ip_hiding`).
    pub fn hides_ips_of(&self, key: &str) -> bool {
        self.hidden.contains(key)
    }

    /// `key` as the views show it.
    pub fn key(&self, key: &str) -> String {
        if self.all || self.hidden.contains(key) { masked(key) } else { key.to_owned() }
    }
}

/// The first four and last four characters with `****` between (`AKID****3HHu`): enough
/// to tell a team's keys apart, too little to use one. Ids of eight characters or fewer are
/// masked whole.
fn masked(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "****".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Masks every occurrence of the ids `keys` in the findings of `report` (subjects, messages,
/// evidence, suppressed and resolved findings alike), for `--mask-keys`.
pub fn mask_report(report: &mut Report, keys: &BTreeSet<String>) {
    let keys: Vec<&String> = keys.iter().filter(|k| !k.is_empty()).collect();
    if keys.is_empty() {
        return;
    }
    let replacements: Vec<String> = keys.iter().map(|k| masked(k)).collect();
    // Longest ids first, so an id that contains another is replaced whole.
    let Ok(matcher) = AhoCorasick::builder().match_kind(aho_corasick::MatchKind::LeftmostLongest).build(&keys) else {
        return;
    };
    let replace = |text: &mut String| {
        if matcher.is_match(text.as_str()) {
            *text = matcher.replace_all(text, &replacements);
        }
    };
    let findings = report.findings.iter_mut().chain(report.suppressed.iter_mut().map(|s| &mut s.finding));
    for finding in findings {
        replace(&mut finding.subject.id);
        replace(&mut finding.message);
        mask_json(&mut finding.evidence, &replace);
    }
    for resolved in report.resolved.iter_mut().flatten() {
        replace(&mut resolved.subject.id);
    }
}

fn mask_json(value: &mut Json, replace: &impl Fn(&mut String)) {
    match value {
        Json::String(s) => replace(s),
        Json::Array(items) => items.iter_mut().for_each(|v| mask_json(v, replace)),
        Json::Object(map) => {
            let entries: BTreeMap<String, Json> = std::mem::take(map).into_iter().collect();
            for (mut key, mut v) in entries {
                replace(&mut key);
                mask_json(&mut v, replace);
                map.insert(key, v);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_four_characters_at_each_end() {
        assert_eq!(masked("AKIDhTwK6YzxuySxxaXJLpwoBFdUAxcN3HHu"), "AKID****3HHu");
        assert_eq!(masked("LTAI5tQ1"), "****");
    }

    #[test]
    fn hidden_keys_are_masked_and_others_shown_unless_all() {
        let mask = KeyMask::new(false, &["AKIDhidden000000"]);
        assert_eq!(mask.key("AKIDhidden000000"), "AKID****0000");
        assert_eq!(mask.key("AKIDshown1111111"), "AKIDshown1111111");
        assert!(mask.hides_ips_of("AKIDhidden000000"));
        assert_eq!(KeyMask::new(true, &[]).key("AKIDshown1111111"), "AKID****1111");
    }
}
