//! Reading `rulec.yaml`: serde-saphyr into span-carrying raw structs, then validation into a
//! [`Config`]. Every value that can be wrong is kept with its position so its error can name
//! the line.

use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;
use std::net::IpAddr;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate};
use ipnet::IpNet;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_saphyr::{Location, Spanned};

use super::apply::Pattern;
use super::{
    AllowEntry, Config, ConfigError, ConfigLimits, Expiry, IpNote, KnownNetwork, Named, NetworkKind, Pos, closest,
    did_you_mean,
};
use crate::limits;
use crate::plan::Severity;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    packs: Option<RawPacks>,
    #[serde(default)]
    rules: Option<RawRules>,
    #[serde(default)]
    allowlist: Option<Vec<Spanned<RawEntry>>>,
    #[serde(default)]
    ip_hiding: Option<RawHiding>,
    #[serde(default)]
    networks: Option<Vec<Spanned<RawNetwork>>>,
    #[serde(default)]
    store: Option<Spanned<String>>,
    #[serde(default)]
    ip_notes: Option<Vec<Spanned<RawIpNote>>>,
    #[serde(default)]
    limits: Option<RawLimits>,
}

/// Every value is read as text (YAML gives numbers as text too) so that a bad one gets this
/// file's own message with its line, not serde's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    #[serde(default)]
    max_steps: Option<Spanned<String>>,
    #[serde(default)]
    max_value_size: Option<Spanned<String>>,
    #[serde(default)]
    timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPacks {
    #[serde(default)]
    enabled: Option<Spanned<Option<Vec<Spanned<String>>>>>,
    #[serde(default)]
    disabled: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    disabled: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    severity: Option<Pairs>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    #[serde(default)]
    rule: Option<Spanned<String>>,
    #[serde(default)]
    ip: Option<Spanned<String>>,
    #[serde(default)]
    cidr: Option<Spanned<String>>,
    #[serde(default)]
    access_key: Option<Spanned<String>>,
    #[serde(default)]
    api: Option<Spanned<String>>,
    #[serde(default)]
    user_agent: Option<Spanned<String>>,
    #[serde(default)]
    asset: Option<Spanned<String>>,
    #[serde(default)]
    reason: Option<Spanned<String>>,
    #[serde(default)]
    expires: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHiding {
    #[serde(default)]
    access_keys: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIpNote {
    #[serde(default)]
    ip: Option<Spanned<String>>,
    #[serde(default)]
    cidr: Option<Spanned<String>>,
    #[serde(default)]
    note: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    #[serde(default)]
    cidrs: Option<Vec<Spanned<String>>>,
}

/// A string-to-string mapping that keeps each key's and value's position, in written order
/// (`rules.severity`: a warning about an unknown rule id points at the key).
struct Pairs(Vec<(Spanned<String>, Spanned<String>)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Pairs, D::Error> {
        struct PairsVisitor(PhantomData<Pairs>);

        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping from rule id to severity")
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Pairs, E> {
                Ok(Pairs(Vec::new()))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let value = map.next_value::<Spanned<String>>()?;
                    out.push((key, value));
                }
                Ok(Pairs(out))
            }
        }

        deserializer.deserialize_map(PairsVisitor(PhantomData))
    }
}

pub(super) fn pos(location: &Location) -> Pos {
    Pos {
        line: u32::try_from(location.line()).unwrap_or(u32::MAX),
        column: u32::try_from(location.column()).unwrap_or(u32::MAX),
    }
}

fn at<T>(s: &Spanned<T>) -> Pos {
    pos(&s.referenced)
}

fn named(s: Spanned<String>) -> Named {
    Named { at: at(&s), name: s.value }
}

/// An error found while validating, before it is given the file name.
pub(super) struct Problem {
    pub(super) at: Pos,
    pub(super) message: String,
}

fn problem(at: Pos, message: impl Into<String>) -> Problem {
    Problem { at, message: message.into() }
}

pub(super) fn parse(text: &str, name: &str) -> Result<Config, ConfigError> {
    let invalid = |p: Problem| ConfigError::Invalid { file: name.to_owned(), pos: p.at, message: p.message };
    let raw = if is_blank(text) {
        None
    } else {
        let mut options = serde_saphyr::options::Options::default();
        options.with_snippet = false;
        serde_saphyr::from_str_with_options::<Option<RawConfig>>(text, options).map_err(|e| invalid(yaml(e)))?
    };
    let mut config = Config { source: name.to_owned(), ..Config::default() };
    if let Some(raw) = raw {
        let mut problems = Vec::new();
        build(raw, &mut config, &mut problems);
        // Report the first problem in the file, whatever section it is in.
        if let Some(first) = problems.into_iter().min_by_key(|p| p.at) {
            return Err(invalid(first));
        }
    }
    Ok(config)
}

/// Only whitespace and comments: the same as no configuration.
fn is_blank(text: &str) -> bool {
    text.lines().map(str::trim).all(|l| l.is_empty() || l.starts_with('#') || l == "---")
}

/// A serde-saphyr error as a problem: unknown keys get a did-you-mean; other messages lose
/// their trailing position, which the error already carries.
fn yaml(e: serde_saphyr::Error) -> Problem {
    match e {
        serde_saphyr::Error::WithSnippet { error, .. } => yaml(*error),
        serde_saphyr::Error::SerdeUnknownField { field, expected, location } => {
            let message = match closest(&field, &expected) {
                Some(c) => format!("unknown key `{field}`, did you mean `{c}`?"),
                None => {
                    let list = expected.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                    format!("unknown key `{field}` (expected one of {list})")
                }
            };
            problem(pos(&location), message)
        }
        other => {
            let at = other.location().map(|l| pos(&l)).unwrap_or_default();
            let message = other.to_string();
            let message = match message.rfind(" at line ") {
                Some(cut) if at.line > 0 => message[..cut].to_owned(),
                _ => message,
            };
            problem(at, message)
        }
    }
}

fn build(raw: RawConfig, config: &mut Config, problems: &mut Vec<Problem>) {
    if let Some(packs) = raw.packs {
        let disabled: Vec<Named> = packs.disabled.unwrap_or_default().into_iter().map(named).collect();
        if let Some(enabled) = packs.enabled {
            let enabled_at = at(&enabled);
            let list: Vec<Named> = enabled.value.unwrap_or_default().into_iter().map(named).collect();
            if list.is_empty() {
                problems.push(problem(
                    enabled_at,
                    "`packs.enabled` is empty, so no pack would run; remove it to run every loaded pack",
                ));
            }
            for d in &disabled {
                if list.iter().any(|e| e.name == d.name) {
                    problems.push(problem(d.at, format!("pack `{}` is both enabled and disabled", d.name)));
                }
            }
            config.packs_enabled = Some(list);
        }
        config.packs_disabled = disabled;
    }
    if let Some(rules) = raw.rules {
        config.rules_disabled = rules.disabled.unwrap_or_default().into_iter().map(named).collect();
        for (rule, severity) in rules.severity.map(|p| p.0).unwrap_or_default() {
            match Severity::parse(&severity.value) {
                Some(s) => config.severity.push((named(rule), s)),
                None => {
                    let names: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
                    problems.push(problem(at(&severity), unknown_choice("severity", &severity.value, &names)));
                }
            }
        }
    }
    for (i, entry) in raw.allowlist.unwrap_or_default().into_iter().enumerate() {
        if let Some(e) = allow_entry(i + 1, entry, problems) {
            config.allowlist.push(e);
        }
    }
    if let Some(hiding) = raw.ip_hiding {
        for key in hiding.access_keys.unwrap_or_default() {
            match non_empty(&key, "an access key id") {
                Ok(k) => {
                    config.hidden_keys.insert(k);
                }
                Err(p) => problems.push(p),
            }
        }
    }
    if let Some(store) = raw.store {
        match non_empty(&store, "a store file path") {
            Ok(path) => config.store = Some(path.into()),
            Err(p) => problems.push(p),
        }
    }
    for (i, note) in raw.ip_notes.unwrap_or_default().into_iter().enumerate() {
        if let Some(n) = ip_note(i + 1, note, problems) {
            config.ip_notes.push(n);
        }
    }
    if let Some(raw) = raw.limits {
        config.limits = config_limits(raw, problems);
    }
    let mut names = BTreeSet::new();
    for network in raw.networks.unwrap_or_default() {
        if let Some(n) = known_network(network, &mut names, problems) {
            config.networks.push(n);
        }
    }
}

fn config_limits(raw: RawLimits, problems: &mut Vec<Problem>) -> ConfigLimits {
    let max_steps = raw.max_steps.and_then(|s| match s.value.trim().replace('_', "").parse::<u64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            let message = format!("`max_steps` must be a whole number more than 0, found `{}`", s.value);
            problems.push(problem(at(&s), message));
            None
        }
    });
    let max_value_bytes = raw.max_value_size.and_then(|s| {
        limits::parse_size(&s.value).map_err(|e| problems.push(problem(at(&s), format!("`max_value_size`: {e}")))).ok()
    });
    let timeout = raw.timeout.and_then(|s| {
        limits::parse_duration(&s.value).map_err(|e| problems.push(problem(at(&s), format!("`timeout`: {e}")))).ok()
    });
    ConfigLimits { max_steps, max_value_bytes, timeout }
}

fn unknown_choice(what: &str, found: &str, names: &[&str]) -> String {
    format!("unknown {what} `{found}`{} (expected one of {})", did_you_mean(found, names), names.join(", "))
}

fn non_empty(s: &Spanned<String>, what: &str) -> Result<String, Problem> {
    if s.value.trim().is_empty() {
        Err(problem(at(s), format!("expected {what}, found an empty string")))
    } else {
        Ok(s.value.clone())
    }
}

fn allow_entry(index: usize, spanned: Spanned<RawEntry>, problems: &mut Vec<Problem>) -> Option<AllowEntry> {
    let entry_at = at(&spanned);
    let raw = spanned.value;
    let before = problems.len();
    let rule = keep(problems, raw.rule.as_ref().map(|r| Pattern::new(r, false, "rule")).transpose());
    let asset = keep(problems, raw.asset.as_ref().map(|a| non_empty(a, "an asset id")).transpose());
    let access_key = keep(problems, raw.access_key.as_ref().map(|k| non_empty(k, "an access key id")).transpose());
    let ip = keep(problems, raw.ip.as_ref().map(parse_ip).transpose());
    let cidr = keep(problems, raw.cidr.as_ref().map(parse_cidr).transpose());
    let api = keep(problems, raw.api.as_ref().map(parse_api).transpose());
    let user_agent = keep(problems, raw.user_agent.as_ref().map(|u| Pattern::new(u, true, "user_agent")).transpose());
    let expires = keep(problems, raw.expires.as_ref().map(parse_expiry).transpose());
    let reason = match &raw.reason {
        None => {
            problems.push(problem(
                entry_at,
                format!("allowlist entry {index} has no `reason`: every suppression must say why it is accepted"),
            ));
            None
        }
        Some(r) if r.value.trim().is_empty() => {
            problems.push(problem(at(r), format!("allowlist entry {index} has an empty `reason`")));
            None
        }
        Some(r) => Some(r.value.clone()),
    };
    if let (Some(_), Some(c)) = (&raw.ip, &raw.cidr) {
        problems.push(problem(at(c), format!("allowlist entry {index} gives both `ip` and `cidr`; give one")));
    }
    let matches_on_something = [&raw.rule, &raw.asset, &raw.access_key, &raw.ip, &raw.cidr, &raw.api, &raw.user_agent]
        .iter()
        .any(|f| f.is_some());
    if !matches_on_something {
        problems.push(problem(
            entry_at,
            format!(
                "allowlist entry {index} gives nothing to match (`rule`, `asset`, `access_key`, `ip`, `cidr`, `api`, \
                 `user_agent`), so it would suppress everything"
            ),
        ));
    }
    if problems.len() > before {
        return None;
    }
    Some(AllowEntry {
        index,
        at: entry_at,
        rule,
        asset,
        access_key,
        net: ip.or(cidr),
        api,
        user_agent,
        reason: reason.unwrap_or_default(),
        expires,
    })
}

/// The value when valid; otherwise records the problem.
fn keep<T>(problems: &mut Vec<Problem>, r: Result<Option<T>, Problem>) -> Option<T> {
    r.unwrap_or_else(|p| {
        problems.push(p);
        None
    })
}

fn parse_ip(s: &Spanned<String>) -> Result<IpNet, Problem> {
    let text = s.value.trim();
    match IpAddr::from_str(text) {
        Ok(addr) => Ok(IpNet::from(addr)),
        Err(_) => {
            let hint = if IpNet::from_str(text).is_ok() { "; for a range use `cidr:`" } else { "" };
            Err(problem(at(s), format!("`ip` must be an IP address like `203.0.113.7`, found `{}`{hint}", s.value)))
        }
    }
}

fn parse_cidr(s: &Spanned<String>) -> Result<IpNet, Problem> {
    cidr(s, "cidr")
}

fn cidr(s: &Spanned<String>, key: &str) -> Result<IpNet, Problem> {
    let text = s.value.trim();
    match IpNet::from_str(text) {
        Ok(net) => Ok(net.trunc()),
        Err(_) => {
            let hint = match IpAddr::from_str(text) {
                Ok(IpAddr::V4(_)) => format!("; for one address write `{text}/32`"),
                Ok(IpAddr::V6(_)) => format!("; for one address write `{text}/128`"),
                Err(_) => String::new(),
            };
            Err(problem(at(s), format!("`{key}` must be a CIDR like `203.0.113.0/24`, found `{}`{hint}", s.value)))
        }
    }
}

fn parse_api(s: &Spanned<String>) -> Result<(Pattern, Pattern), Problem> {
    let bad = || {
        problem(
            at(s),
            format!(
                "`api` must be `service:action`, each side a glob (e.g. `cam:*`, `cvm:Describe*`), found `{}`",
                s.value
            ),
        )
    };
    let (service, action) = s.value.split_once(':').ok_or_else(bad)?;
    if service.trim().is_empty() || action.trim().is_empty() {
        return Err(bad());
    }
    let part = |text: &str| Spanned { value: text.to_owned(), referenced: s.referenced, defined: s.defined };
    Ok((Pattern::new(&part(service), false, "api")?, Pattern::new(&part(action), true, "api")?))
}

fn parse_expiry(s: &Spanned<String>) -> Result<Expiry, Problem> {
    let text = s.value.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Expiry::Date(day));
    }
    DateTime::parse_from_rfc3339(text).map(Expiry::Time).map_err(|_| {
        problem(
            at(s),
            format!(
                "`expires` must be a date like `2027-01-31` or an RFC 3339 time like `2027-01-31T18:00:00Z`, found `{}`",
                s.value
            ),
        )
    })
}

fn ip_note(index: usize, spanned: Spanned<RawIpNote>, problems: &mut Vec<Problem>) -> Option<IpNote> {
    let note_at = at(&spanned);
    let raw = spanned.value;
    let before = problems.len();
    let ip = keep(problems, raw.ip.as_ref().map(parse_ip).transpose());
    let cidr = keep(problems, raw.cidr.as_ref().map(parse_cidr).transpose());
    let note = keep(problems, raw.note.as_ref().map(|n| non_empty(n, "a note")).transpose());
    if raw.note.is_none() {
        problems.push(problem(note_at, format!("ip note {index} has no `note`")));
    }
    match (raw.ip.is_some(), raw.cidr.is_some()) {
        (true, true) => {
            problems.push(problem(note_at, format!("ip note {index} gives both `ip` and `cidr`: give one")))
        }
        (false, false) => problems.push(problem(note_at, format!("ip note {index} needs an `ip` or a `cidr`"))),
        _ => {}
    }
    if problems.len() > before {
        return None;
    }
    Some(IpNote { range: ip.or(cidr)?, note: note? })
}

fn known_network(
    spanned: Spanned<RawNetwork>,
    names: &mut BTreeSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<KnownNetwork> {
    let network_at = at(&spanned);
    let raw = spanned.value;
    let before = problems.len();
    let name = match &raw.name {
        None => {
            problems.push(problem(network_at, "a network needs a `name`"));
            None
        }
        Some(n) => match non_empty(n, "a network name") {
            Ok(name) if !names.insert(name.clone()) => {
                problems.push(problem(at(n), format!("a network named `{name}` is already defined")));
                None
            }
            Ok(name) => Some(name),
            Err(p) => {
                problems.push(p);
                None
            }
        },
    };
    let shown = name.as_deref().map(|n| format!("network `{n}`")).unwrap_or_else(|| "a network".to_owned());
    let kind = match &raw.kind {
        None => {
            let kinds: Vec<&str> = NetworkKind::ALL.iter().map(|k| k.as_str()).collect();
            problems.push(problem(network_at, format!("{shown} needs a `kind` (one of {})", kinds.join(", "))));
            None
        }
        Some(k) => match NetworkKind::parse(&k.value) {
            Some(kind) => Some(kind),
            None => {
                let kinds: Vec<&str> = NetworkKind::ALL.iter().map(|k| k.as_str()).collect();
                problems.push(problem(at(k), unknown_choice("network kind", &k.value, &kinds)));
                None
            }
        },
    };
    let mut cidrs = Vec::new();
    match &raw.cidrs {
        Some(list) if !list.is_empty() => {
            for c in list {
                match cidr(c, "cidrs") {
                    Ok(net) => cidrs.push(net),
                    Err(p) => problems.push(p),
                }
            }
        }
        _ => problems.push(problem(network_at, format!("{shown} needs at least one range in `cidrs`"))),
    }
    if problems.len() > before {
        return None;
    }
    Some(KnownNetwork { name: name?, kind: kind?, cidrs })
}
