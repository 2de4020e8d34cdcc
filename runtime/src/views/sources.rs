//! The source-IP view: per calling address, whether it is ours, who used it, and what the
//! alarms say about it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use serde::Serialize;
use serde_json::Value as Json;

use super::calls::{CallStats, SourceCalls};
use super::geo::Location;
use super::keys::FindingRef;
use super::{KeyMask, ViewOptions};
use crate::config::MASK;
use crate::eval::{Engine, EvalError};
use crate::plan::Plan;
use crate::report::{Finding, FindingKind};
use crate::value::{Value, format_time};

/// How many key ids a row lists (`keys` counts all of them).
const KEYS_LISTED: usize = 10;

#[derive(Clone, Debug, Serialize)]
pub struct SourceIpView {
    /// The address, or `***` for the one row that gathers the calls of keys whose source IPs
    /// `ip_hiding` hides.
    pub address: String,
    pub hidden: bool,
    /// Internal as the alarms judge it (`std.net.is_internal`): private, in a known network,
    /// or an address of one of the snapshot's instances. `None` for the hidden row.
    pub internal: Option<bool>,
    /// Why: `private`, `instance`, `network` or `external`.
    pub basis: Option<String>,
    /// The instance that has the address, else the known network that contains it.
    pub owner: Option<OwnerAsset>,
    /// Distinct keys that called from it, and the first of them (masked as the key view).
    pub keys: usize,
    pub key_ids: Vec<String>,
    pub calls: usize,
    pub failed_calls: usize,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Alarms whose evidence names the address as a call's `source_ip`.
    pub alarms: Vec<FindingRef>,
    /// From the `--geoip` database; `None` when no database was given or it does not know
    /// the address. Never guessed.
    pub location: Option<Location>,
    /// The team's note from `ip_notes` in rulec.yaml.
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OwnerAsset {
    #[serde(rename = "type")]
    pub ty: String,
    pub id: String,
    pub name: Option<String>,
}

pub(super) fn view(
    plan: &Plan,
    engine: &Engine<'_>,
    calls: &CallStats,
    findings: &[Finding],
    mask: &KeyMask,
    options: &ViewOptions<'_>,
) -> Result<Vec<SourceIpView>, EvalError> {
    let alarms = alarms_by_address(findings);
    let names = |ty: &str| {
        plan.types.iter().find(|t| t.qualified == format!("std.schema.{ty}")).and_then(|t| t.field_index("name"))
    };
    let (instance_name, network_name) = (names("Instance"), names("Network"));
    let mut out = Vec::with_capacity(calls.by_source.len());
    for (address, used) in &calls.by_source {
        let mut row = row(used, mask);
        let Some(ip) = address else {
            row.address = MASK.to_owned();
            row.hidden = true;
            out.push(row);
            continue;
        };
        let arg = [Value::from_ip(*ip)];
        let internal = engine.call_native("std.net.is_internal", &arg)?.as_bool() == Some(true);
        let instances = engine.call_native("std.net.instances_with_ip", &arg)?;
        let networks = engine.call_native("std.net.networks_containing", &arg)?;
        let (instance, network) = (first_record(&instances), first_record(&networks));
        let private = engine.call_native("std.net.is_private", &arg)?.as_bool() == Some(true);
        row.address = ip.to_string();
        row.internal = Some(internal);
        row.basis = Some(
            match (instance.is_some(), network.is_some(), private) {
                (true, _, _) => "instance",
                (_, true, _) => "network",
                (_, _, true) => "private",
                _ => "external",
            }
            .to_owned(),
        );
        row.owner =
            instance.map(|r| owner(plan, r, instance_name)).or_else(|| network.map(|r| owner(plan, r, network_name)));
        row.alarms = alarms.get(ip).map(|fs| fs.iter().map(|f| FindingRef::of(f)).collect()).unwrap_or_default();
        row.location = options.geo.and_then(|g| g.locate(*ip));
        row.note = options.config.and_then(|c| c.ip_note(*ip)).map(str::to_owned);
        out.push(row);
    }
    Ok(out)
}

fn row(used: &SourceCalls, mask: &KeyMask) -> SourceIpView {
    SourceIpView {
        address: String::new(),
        hidden: false,
        internal: None,
        basis: None,
        owner: None,
        keys: used.keys.len(),
        key_ids: used.keys.iter().take(KEYS_LISTED).map(|k| mask.key(k)).collect(),
        calls: used.calls,
        failed_calls: used.failed,
        first_seen: used.first.map(format_time),
        last_seen: used.last.map(format_time),
        alarms: Vec::new(),
        location: None,
        note: None,
    }
}

fn first_record(list: &Value) -> Option<&crate::value::Record> {
    match list {
        Value::List(items) => items.iter().find_map(|v| match v {
            Value::Record(r) => Some(r),
            _ => None,
        }),
        _ => None,
    }
}

fn owner(plan: &Plan, record: &crate::value::Record, name_at: Option<usize>) -> OwnerAsset {
    let def = &plan.types[record.ty() as usize];
    let id = def.field_index("id").and_then(|i| record.fields().get(i)).and_then(Value::as_str).unwrap_or_default();
    OwnerAsset {
        ty: def.name.clone(),
        id: id.to_owned(),
        name: name_at.and_then(|i| record.fields().get(i)).and_then(Value::as_str).map(str::to_owned),
    }
}

/// The alarm findings by every address their evidence gives as a `source_ip`.
fn alarms_by_address(findings: &[Finding]) -> BTreeMap<IpAddr, Vec<&Finding>> {
    let mut by_address: BTreeMap<IpAddr, Vec<&Finding>> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.kind == FindingKind::Alarm) {
        let mut addresses = BTreeSet::new();
        source_ips(&finding.evidence, &mut addresses);
        for ip in addresses {
            by_address.entry(ip).or_default().push(finding);
        }
    }
    by_address
}

fn source_ips(value: &Json, into: &mut BTreeSet<IpAddr>) {
    match value {
        Json::Array(items) => items.iter().for_each(|v| source_ips(v, into)),
        Json::Object(map) => {
            for (key, v) in map {
                if key == "source_ip"
                    && let Some(ip) = v.as_str().and_then(|s| s.parse().ok())
                {
                    into.insert(ip);
                }
                source_ips(v, into);
            }
        }
        _ => {}
    }
}
