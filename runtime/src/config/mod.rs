//! `rulec.yaml`: which checks run, severity overrides, allowlists, IP hiding and known
//! networks.
//!
//! Suppression is configuration, not rule code (LANGUAGE.md, "What fires, and what is
//! suppressed"): the same rules run everywhere, and each site says in one reviewed file what
//! it accepts and why.
//!
//! # Where it is read from
//!
//! `rulec check` reads `rulec.yaml` from the current directory ([`Config::discover`] looks in
//! that one directory only, never in parents, so a run's configuration is always the file next
//! to it) or the file given with `--config` ([`Config::load`]). No file means no
//! configuration: every loaded pack and rule runs, nothing is suppressed. An empty file (or
//! one holding only comments) is the same as no file.
//!
//! # The file
//!
//! ```yaml
//! packs:                 # optional
//!   enabled: [network, ak]   # only these packs run (default: every loaded pack)
//!   disabled: [host]         # these packs never run
//! rules:
//!   disabled: [AK_NOT_ROTATED_90D]
//!   severity:                # overrides, by rule id
//!     NET_SG_DB_PORTS_OPEN: critical
//! allowlist:
//!   - rule: AK_ALARM_SENSITIVE_API_ABNORMAL_IP   # exact id or glob (AK_ALARM_*)
//!     cidr: 203.0.113.0/24                       # or `ip: 203.0.113.7`
//!     access_key: AKIDxxxx
//!     api: "cam:*"                               # service:action glob
//!     user_agent: "*terraform*"                  # glob, case-insensitive
//!     asset: sg-1a2b3c                           # subject id
//!     reason: office egress for the IAM automation   # required
//!     expires: 2027-01-31                        # optional date or RFC 3339 time
//! ip_hiding:
//!   access_keys: [AKIDyyyy]   # source IPs of these keys are masked in every output
//! networks:                   # known ranges, treated like `Network` assets
//!   - name: hq-office
//!     kind: office            # office | idc | vpc | partner
//!     cidrs: [198.51.100.0/24]
//! store: rulec.db             # findings history (docs/history.md); relative to this file
//! ip_notes:                   # notes on addresses for the report's source-IP view
//!   - ip: 203.0.113.7         # or `cidr:`; each entry needs a `note`
//!     note: pentest vendor
//! limits:                     # evaluation budgets (docs/budgets.md); flags override them
//!   max_steps: 50000000       # per subject of a check
//!   max_value_size: 256MiB    # the largest string or list one evaluation may build
//!   timeout: 10m              # the whole evaluation
//! ```
//!
//! Every section and every key is optional except where said. The file is strict:
//!
//! - An unknown key anywhere is an error naming its line and column and suggesting the closest
//!   known key: `rulec.yaml:7:5: unknown key `reson`, did you mean `reason`?`. A misspelt key
//!   silently ignored would be a suppression (or a hiding) silently not applied.
//! - A malformed CIDR, IP address, date, severity, network kind or glob is an error with its
//!   line. So is a key given twice in one mapping.
//! - Every allowlist entry needs a non-empty `reason`, and at least one field to match on:
//!   an entry with only a `reason` (and perhaps `expires`) would suppress everything.
//! - An entry may give `ip` or `cidr`, not both. `api` must be `service:action`.
//! - `packs.enabled`, when given, must name at least one pack, and no pack may be both enabled
//!   and disabled. Network names must be unique, and each network needs at least one CIDR.
//!
//! Rule ids and pack names that name nothing loaded are not errors (the file may be shared by
//! runs with different packs) but warnings with a did-you-mean, from
//! [`Config::validate_against`].
//!
//! # What runs
//!
//! A check runs when its pack is in `packs.enabled` (or that list is absent), its pack is not
//! in `packs.disabled`, and its id is not in `rules.disabled`. Names and ids are compared
//! exactly. See [`Config::selects`].
//!
//! # What is reported, in order
//!
//! [`Config::apply`] takes the run's findings and:
//!
//! 1. **Severity overrides.** `rules.severity` replaces the severity of every finding of that
//!    rule (exact id). Everything after sees, and every output shows, the overridden severity.
//! 2. **Allowlist.** Each finding is tested against the entries in file order; the first entry
//!    that matches moves it to the suppressed list with that entry's `reason`. Suppressed
//!    findings are never dropped: they are counted and listed with `--show-suppressed`.
//! 3. **IP hiding.** Applied last, to reported and suppressed findings alike, so allowlists
//!    match on the real addresses and no output ever shows a hidden one.
//!
//! The result depends only on the findings, the file and the snapshot's time: applying the
//! same configuration to the same findings twice gives the same result.
//!
//! ## When an allowlist entry matches
//!
//! An entry matches a finding when **every** field it gives matches; fields it leaves out
//! match anything. `reason` and `expires` are not matched on.
//!
//! | field | matches when |
//! |---|---|
//! | `rule` | the finding's rule id equals it, or matches it as a glob (`*`, `?`, `[...]`, `{a,b}`; case-sensitive) |
//! | `asset` | the finding's subject id equals it exactly (an asset id, or an alarm's group key such as an access key id) |
//! | `access_key` | the finding's subject is the `AccessKey` with that id, **or** the finding has calls and every call's `access_key_id` equals it |
//! | `ip` | the finding has calls and every call's `source_ip` is that address |
//! | `cidr` | the finding has calls and every call's `source_ip` lies inside the range |
//! | `api` | the finding has calls and for every call, `service` matches the part before the first `:` (glob, case-sensitive) and `action` the part after it (glob, case-insensitive): `cam:*`, `cvm:Describe*` |
//! | `user_agent` | the finding has calls and every call's `user_agent` matches the glob, case-insensitively: `*terraform*` |
//!
//! A finding's **calls** are the objects listed in its evidence under `calls` (alarms over
//! `ApiCall`) or, failing that, `events` (alarms over other events, e.g. `ConsoleLogin`,
//! whose `source_ip` an `ip`/`cidr` entry can match). A call missing the field an entry tests
//! does not match it. A finding with no calls (a rule finding on an asset) never matches an
//! entry that gives `ip`, `cidr`, `api` or `user_agent`, nor `access_key` unless its subject
//! is that key.
//!
//! "Every call" is deliberate: an alarm is suppressed only when **all** of its triggering
//! calls are accepted. An alarm with nine calls from the office range and one from elsewhere
//! stays reported, because the one is exactly what the alarm is for. An alarm lists at most
//! its first 20 calls while its `count` gives the total; when `count` says calls went
//! unlisted, they cannot be checked, so entries that test calls do not match it (an entry
//! giving only `rule`, `asset`, or an `access_key` equal to the subject still can).
//!
//! ## Expiry
//!
//! `expires` is a date (`2027-01-31`: the entry holds through that whole day, UTC) or an
//! RFC 3339 time (`2027-01-31T18:00:00+08:00`: it holds up to and including that instant).
//! Expiry is judged against the **snapshot's `taken_at`**, not the clock of the machine
//! running `rulec`, so re-running a check on the same snapshot always gives the same result.
//! An expired entry is not applied (its findings are reported again) and produces one warning
//! naming the entry (its number, line and reason), so stale exceptions surface instead of
//! lingering.
//!
//! ## IP hiding
//!
//! For each access key in `ip_hiding.access_keys`, in every finding, reported or suppressed:
//!
//! - the `source_ip` of every object in the evidence (at any depth, e.g. each of `calls`)
//!   whose `access_key_id` is that key is replaced by `***`;
//! - when the finding's subject is that key (an `AccessKey`, or an alarm grouped by that key),
//!   every `source_ip` in its evidence is replaced by `***`;
//! - every other occurrence of an address so hidden, in the message, in any string of the
//!   evidence, or as the subject id, is replaced by `***` too. Occurrences are whole
//!   addresses: hiding `10.0.0.1` leaves `10.0.0.12` alone.
//!
//! `***` is not an address, so it can never be mistaken for one, and it is the same for every
//! hidden address, so outputs do not reveal how many distinct addresses a key used.
//!
//! ## Known networks
//!
//! Each entry of `networks` describes a range the organisation knows (an office, a data
//! centre, a VPC, a partner). [`Config::networks`] exposes them; the CLI adds them to the
//! snapshot as `Network` assets so rules can tell known ranges from the internet.

mod apply;
mod parse;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use ipnet::IpNet;

use crate::plan::{Check, Severity};
use crate::report::{Finding, Suppressed};

pub use apply::MASK;

/// The file name [`Config::discover`] looks for.
pub const FILE_NAME: &str = "rulec.yaml";

/// A parsed, validated `rulec.yaml`. See the [module documentation](self) for its meaning.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The name errors and warnings use for the file (its path as given).
    source: String,
    packs_enabled: Option<Vec<Named>>,
    packs_disabled: Vec<Named>,
    rules_disabled: Vec<Named>,
    severity: Vec<(Named, Severity)>,
    allowlist: Vec<AllowEntry>,
    hidden_keys: BTreeSet<String>,
    networks: Vec<KnownNetwork>,
    /// `store`: the findings history database, as written.
    store: Option<PathBuf>,
    ip_notes: Vec<IpNote>,
    limits: ConfigLimits,
}

/// `limits`: this site's evaluation budgets; each one not given keeps its default (or the
/// command line's flag, which wins over the file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConfigLimits {
    pub max_steps: Option<u64>,
    pub max_value_bytes: Option<u64>,
    pub timeout: Option<std::time::Duration>,
}

/// A note the team keeps for an address or a range (`ip_notes`), shown in the report's
/// source-IP view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpNote {
    pub range: IpNet,
    pub note: String,
}

/// A name written in the file, with where, for warnings about it.
#[derive(Clone, Debug)]
pub(super) struct Named {
    pub(super) name: String,
    pub(super) at: Pos,
}

/// A 1-based line and column in the file; `0:0` when unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// One `allowlist` entry.
#[derive(Clone, Debug)]
pub struct AllowEntry {
    /// 1-based position in the list, for messages.
    index: usize,
    at: Pos,
    rule: Option<apply::Pattern>,
    asset: Option<String>,
    access_key: Option<String>,
    /// `ip` (as a host range) or `cidr`.
    net: Option<IpNet>,
    api: Option<(apply::Pattern, apply::Pattern)>,
    user_agent: Option<apply::Pattern>,
    reason: String,
    expires: Option<Expiry>,
}

impl AllowEntry {
    /// 1-based position in `allowlist`.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Where the entry starts in the file.
    pub fn pos(&self) -> Pos {
        self.at
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub fn expires(&self) -> Option<Expiry> {
        self.expires
    }
}

/// When an allowlist entry stops applying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// Holds through this whole day, UTC.
    Date(NaiveDate),
    /// Holds up to and including this instant.
    Time(DateTime<FixedOffset>),
}

impl Expiry {
    /// Whether the entry no longer holds at `now` (the snapshot's `taken_at`).
    pub fn is_expired(self, now: DateTime<Utc>) -> bool {
        match self {
            Expiry::Date(day) => day < now.date_naive(),
            Expiry::Time(t) => t < now,
        }
    }
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expiry::Date(day) => write!(f, "{}", day.format("%Y-%m-%d")),
            Expiry::Time(t) => f.write_str(&t.to_rfc3339()),
        }
    }
}

/// A known network range from `networks`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownNetwork {
    /// Unique within the file; the `Network` asset's id.
    pub name: String,
    pub kind: NetworkKind,
    pub cidrs: Vec<IpNet>,
}

impl KnownNetwork {
    /// The network as a snapshot asset of the standard `Network` type: `id` and `name` are the
    /// network's name, `provider` is `rulec.yaml` (it comes from no cloud), `account` is empty
    /// and there are no tags.
    pub fn to_asset_json(&self) -> serde_json::Value {
        serde_json::json!({
            "type": "Network",
            "id": self.name,
            "provider": FILE_NAME,
            "account": "",
            "name": self.name,
            "tags": {},
            "cidrs": self.cidrs.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "kind": self.kind.as_str(),
        })
    }
}

/// The `kind` of a known network, as the `Network` type spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NetworkKind {
    Office,
    Idc,
    Vpc,
    Partner,
}

impl NetworkKind {
    pub const ALL: [NetworkKind; 4] = [NetworkKind::Office, NetworkKind::Idc, NetworkKind::Vpc, NetworkKind::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            NetworkKind::Office => "office",
            NetworkKind::Idc => "idc",
            NetworkKind::Vpc => "vpc",
            NetworkKind::Partner => "partner",
        }
    }

    pub fn parse(text: &str) -> Option<NetworkKind> {
        NetworkKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// What [`Config::apply`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// Still reported, in the order given.
    pub findings: Vec<Finding>,
    /// Matched by an allowlist entry, in the order given, each with the entry's reason.
    pub suppressed: Vec<Suppressed>,
    /// One per expired allowlist entry, in file order.
    pub warnings: Vec<ConfigWarning>,
}

/// A problem with the file that does not stop the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The file's name as given.
    pub file: String,
    pub pos: Pos,
    pub kind: WarningKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WarningKind {
    /// A rule id (or a `rule` glob) that names no loaded check.
    UnknownRule,
    /// A pack name that names no loaded pack.
    UnknownPack,
    /// An allowlist entry whose `expires` is before the snapshot's time.
    ExpiredEntry,
}

/// `rulec.yaml:12:5: allowlist entry 2 expired on 2024-01-31 ...`
impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_located(f, &self.file, self.pos, &self.message)
    }
}

/// Why a configuration could not be used. The run stops: a configuration half applied would
/// report (or hide) what the user said not to.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read.
    Io { file: String, source: std::io::Error },
    /// The file is not valid YAML, or not a valid configuration.
    Invalid { file: String, pos: Pos, message: String },
}

impl ConfigError {
    /// The position the error is about, when it has one.
    pub fn pos(&self) -> Option<Pos> {
        match self {
            ConfigError::Io { .. } => None,
            ConfigError::Invalid { pos, .. } => Some(*pos).filter(|p| p.line > 0),
        }
    }

    /// The message without the file and position.
    pub fn message(&self) -> String {
        match self {
            ConfigError::Io { source, .. } => format!("cannot read the file: {source}"),
            ConfigError::Invalid { message, .. } => message.clone(),
        }
    }
}

/// `rulec.yaml:7:5: unknown key `reson`, did you mean `reason`?`
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { file, source } => write!(f, "{file}: cannot read the file: {source}"),
            ConfigError::Invalid { file, pos, message } => write_located(f, file, *pos, message),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Io { source, .. } => Some(source),
            ConfigError::Invalid { .. } => None,
        }
    }
}

fn write_located(f: &mut fmt::Formatter<'_>, file: &str, pos: Pos, message: &str) -> fmt::Result {
    if pos.line > 0 {
        write!(f, "{file}:{}:{}: {message}", pos.line, pos.column)
    } else {
        write!(f, "{file}: {message}")
    }
}

impl Config {
    /// Reads and validates the configuration at `path`. Errors name the file as `path` is
    /// written, so they point where the user looks.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Io { file: file.clone(), source })?;
        let text = String::from_utf8(bytes).map_err(|e| ConfigError::Invalid {
            file: file.clone(),
            pos: Pos::default(),
            message: format!("the file is not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()),
        })?;
        Config::from_str(&text, &file)
    }

    /// Parses and validates configuration text; `name` is what errors and warnings call the
    /// file. Separate from [`Config::load`] so tests and embedders need no file.
    pub fn from_str(text: &str, name: &str) -> Result<Config, ConfigError> {
        parse::parse(text, name)
    }

    /// Looks for `rulec.yaml` in `dir` itself — not in parents, so which file applies is never
    /// a surprise — and loads it. `Ok(None)` when there is none.
    pub fn discover(dir: impl AsRef<Path>) -> Result<Option<(PathBuf, Config)>, ConfigError> {
        let dir = dir.as_ref();
        // `./rulec.yaml` reads worse in messages than `rulec.yaml` and means the same.
        let path = if dir.as_os_str().is_empty() || dir == Path::new(".") {
            PathBuf::from(FILE_NAME)
        } else {
            dir.join(FILE_NAME)
        };
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => Config::load(&path).map(|c| Some((path, c))),
            Ok(_) => Err(ConfigError::Invalid {
                file: path.display().to_string(),
                pos: Pos::default(),
                message: "is not a file".to_owned(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ConfigError::Io { file: path.display().to_string(), source }),
        }
    }

    /// The name errors and warnings use for the file.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `check` runs: its pack is enabled (every pack is, when `packs.enabled` is
    /// absent) and not disabled, and the check itself is not disabled.
    pub fn selects(&self, check: &Check) -> bool {
        let pack_enabled = self.packs_enabled.as_ref().is_none_or(|list| list.iter().any(|p| p.name == check.pack));
        pack_enabled
            && !self.packs_disabled.iter().any(|p| p.name == check.pack)
            && !self.rules_disabled.iter().any(|r| r.name == check.id)
    }

    /// The severity `rules.severity` gives `rule`, if any.
    pub fn severity_override(&self, rule: &str) -> Option<Severity> {
        self.severity.iter().find(|(r, _)| r.name == rule).map(|(_, s)| *s)
    }

    /// The allowlist entries, in file order.
    pub fn allowlist(&self) -> &[AllowEntry] {
        &self.allowlist
    }

    /// The access keys whose source IPs are hidden.
    pub fn hidden_access_keys(&self) -> impl Iterator<Item = &str> {
        self.hidden_keys.iter().map(String::as_str)
    }

    /// `limits`: the budgets this file sets.
    pub fn limits(&self) -> ConfigLimits {
        self.limits
    }

    /// The findings history database `store:` names ([`crate::history`]). A relative path is
    /// taken from the directory of the configuration file, so the same file finds the same
    /// store from wherever `rulec` runs.
    pub fn store(&self) -> Option<PathBuf> {
        let store = self.store.as_ref()?;
        let dir = Path::new(&self.source).parent().unwrap_or(Path::new(""));
        Some(dir.join(store))
    }

    /// The note for `addr`: the entry with the narrowest range containing it (an `ip` entry
    /// before any `cidr`), the first written on ties.
    pub fn ip_note(&self, addr: std::net::IpAddr) -> Option<&str> {
        let mut best: Option<&IpNote> = None;
        for entry in self.ip_notes.iter().filter(|n| n.range.contains(&addr)) {
            if best.is_none_or(|b| entry.range.prefix_len() > b.range.prefix_len()) {
                best = Some(entry);
            }
        }
        best.map(|n| n.note.as_str())
    }

    /// The known networks, for the CLI to add to the snapshot as `Network` assets (see
    /// [`KnownNetwork::to_asset_json`]).
    pub fn networks(&self) -> &[KnownNetwork] {
        &self.networks
    }

    /// Warnings for names in the file that match nothing in `checks` (every loaded check,
    /// before selection): pack names in `packs`, rule ids in `rules.disabled` and
    /// `rules.severity`, and allowlist `rule`s (an exact id that is no check's, or a glob that
    /// matches none). Each says where it is and suggests the closest known name. Warnings,
    /// not errors, because one file may serve runs with different packs.
    pub fn validate_against(&self, checks: &[Check]) -> Vec<ConfigWarning> {
        let mut packs: Vec<&str> = checks.iter().map(|c| c.pack.as_str()).collect();
        packs.sort_unstable();
        packs.dedup();
        let ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
        let mut out = Vec::new();
        let named_packs = self.packs_enabled.iter().flatten().chain(&self.packs_disabled);
        for p in named_packs {
            if !packs.contains(&p.name.as_str()) {
                out.push(self.warning(
                    p.at,
                    WarningKind::UnknownPack,
                    format!("no loaded pack is named `{}`{}", p.name, did_you_mean(&p.name, &packs)),
                ));
            }
        }
        let named_rules = self.rules_disabled.iter().chain(self.severity.iter().map(|(r, _)| r));
        for r in named_rules {
            if !ids.contains(&r.name.as_str()) {
                out.push(self.warning(
                    r.at,
                    WarningKind::UnknownRule,
                    format!("no loaded rule has the id `{}`{}", r.name, did_you_mean(&r.name, &ids)),
                ));
            }
        }
        for entry in &self.allowlist {
            let Some(rule) = &entry.rule else { continue };
            if ids.iter().any(|id| rule.matches(id)) {
                continue;
            }
            let message = if rule.is_glob() {
                format!("allowlist entry {}: `rule: {}` matches no loaded rule", entry.index, rule.text())
            } else {
                format!(
                    "allowlist entry {}: no loaded rule has the id `{}`{}",
                    entry.index,
                    rule.text(),
                    did_you_mean(rule.text(), &ids)
                )
            };
            out.push(self.warning(rule.pos(), WarningKind::UnknownRule, message));
        }
        out.sort_by_key(|w| w.pos);
        out
    }

    /// Applies the configuration to a run's findings: severity overrides, then the allowlist
    /// (first matching entry wins; matched findings move to `suppressed`, never dropped), then
    /// IP hiding on both lists. `now` is the snapshot's `taken_at`: expiry is judged against
    /// it, never the wall clock, so the same snapshot always gives the same result. See the
    /// [module documentation](self) for the exact matching rules.
    pub fn apply(&self, findings: Vec<Finding>, now: DateTime<Utc>) -> Applied {
        apply::apply(self, findings, now)
    }

    fn warning(&self, pos: Pos, kind: WarningKind, message: String) -> ConfigWarning {
        ConfigWarning { file: self.source.clone(), pos, kind, message }
    }
}

/// `, did you mean `x`?` for the closest of `candidates`, or nothing when none is close.
pub(crate) fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    closest(name, candidates).map(|c| format!(", did you mean `{c}`?")).unwrap_or_default()
}

/// The candidate closest to `name`, when it is close enough to be a plausible typo: case
/// differences are free, and at most a third of the name (at least one edit) may differ.
pub(crate) fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lowered = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&lowered, &c.to_lowercase()), strsim::damerau_levenshtein(name, c), *c))
        .filter(|(folded, _, _)| *folded <= limit)
        .min()
        .map(|(_, _, c)| c)
}
