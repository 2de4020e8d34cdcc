//! The access-key view: per key, what it is, how it is used, and what the findings say.

use std::collections::BTreeSet;

use serde::Serialize;

use super::calls::{CallStats, KeyCalls};
use super::fields::{Fields, rows};
use super::{FindingCounts, FindingIndex, KeyMask, is_pending};
use crate::eval::{Engine, EvalError};
use crate::plan::{Plan, Severity};
use crate::report::{Finding, FindingKind};
use crate::snapshot::Store;
use crate::value::{ArcStr, MICROS_PER_SECOND, Value, format_time};

/// How many APIs and addresses a row lists (the counts cover all of them).
const TOP: usize = 5;

#[derive(Clone, Debug, Serialize)]
pub struct AccessKeyView {
    /// The key id, masked where `--mask-keys` or `ip_hiding` says.
    pub id: String,
    /// Whether the snapshot has the key as an `AccessKey` asset (else it was only seen
    /// signing calls, and what the asset would say is unknown).
    pub in_snapshot: bool,
    pub provider: Option<String>,
    pub account: Option<String>,
    pub owner: Option<Owner>,
    /// `permanent` or `temporary`.
    pub kind: Option<String>,
    pub status: Option<String>,
    pub created_at: Option<String>,
    /// Whole days from creation to the snapshot time.
    pub age_days: Option<i64>,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    /// Calls it signed in the snapshot's window, and how many failed.
    pub calls: usize,
    pub failed_calls: usize,
    pub source_ips: SourceSummary,
    pub top_apis: Vec<ApiCount>,
    pub alarms: Vec<FindingRef>,
    pub risks: Vec<FindingRef>,
    pub counts: FindingCounts,
    /// The policies its owner carries (`std.iam.key_policies`), by name.
    pub policies: Vec<String>,
    /// The least-privilege policy built from its successful calls
    /// (`std.iam.recommended_policy`), as the `ak` pack's findings recommend it.
    pub recommended_policy: Option<serde_json::Value>,
    /// What to do: the fixes of its pending findings, most severe first.
    pub advice: Vec<String>,
    /// A pending alarm, or a pending risk of medium severity or above.
    pub needs_attention: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Owner {
    pub kind: Option<String>,
    pub id: String,
    pub name: Option<String>,
}

/// Where a key's calls came from: distinct internal and external addresses, the busiest
/// ones, and how many calls had their address hidden.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceSummary {
    pub internal: usize,
    pub external: usize,
    pub hidden_calls: usize,
    pub top: Vec<SourceCount>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceCount {
    pub address: String,
    pub internal: bool,
    pub calls: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApiCount {
    /// `service:action`.
    pub api: String,
    pub calls: usize,
}

/// A finding as a row of a view refers to it.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRef {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    /// `new` / `open` with `--store`.
    pub status: Option<String>,
    /// The team's decision with `--store` (`accepted`, `false-positive`, `fixed`).
    pub triage: Option<String>,
}

impl FindingRef {
    pub(crate) fn of(f: &Finding) -> Self {
        FindingRef {
            rule: f.rule.clone(),
            severity: f.severity,
            title: f.title.clone(),
            status: f.history.as_ref().map(|h| h.status.as_str().to_owned()),
            triage: f.history.as_ref().and_then(|h| h.triage.as_ref()).map(|t| t.status.as_str().to_owned()),
        }
    }
}

const ID: usize = 0;
const PROVIDER: usize = 1;
const ACCOUNT: usize = 2;
const OWNER_ID: usize = 3;
const OWNER_KIND: usize = 4;
const KIND: usize = 5;
const STATUS: usize = 6;
const CREATED: usize = 7;
const LAST_USED: usize = 8;
const EXPIRES: usize = 9;

/// What every row is computed with.
struct Ctx<'a, 'e> {
    engine: &'a Engine<'e>,
    index: &'a FindingIndex<'a>,
    mask: &'a KeyMask,
    policy: Fields<2>,
}

pub(super) fn view(
    plan: &Plan,
    store: &Store,
    engine: &Engine<'_>,
    calls: &CallStats,
    index: &FindingIndex<'_>,
    mask: &KeyMask,
) -> Result<Vec<AccessKeyView>, EvalError> {
    let f = Fields::of(
        plan,
        "AccessKey",
        [
            "id",
            "provider",
            "account",
            "owner_id",
            "owner_kind",
            "kind",
            "status",
            "created_at",
            "last_used_at",
            "expires_at",
        ],
    );
    let owners = OwnerNames::new(plan, store);
    let ctx = Ctx { engine, index, mask, policy: Fields::of(plan, "Policy", ["id", "name"]) };
    let empty = KeyCalls::default();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    for key in rows(store, f.ty) {
        let Some(id) = f.str(key, ID) else { continue };
        seen.insert(id);
        let used = calls.by_key.get(id).unwrap_or(&empty);
        let created = f.time(key, CREATED);
        let owner_id = f.string(key, OWNER_ID);
        let mut row = base_row(&ctx, id, true, used)?;
        row.provider = f.string(key, PROVIDER);
        row.account = f.string(key, ACCOUNT);
        row.owner = owner_id.map(|id| Owner { kind: f.string(key, OWNER_KIND), name: owners.name(&id), id });
        row.kind = f.string(key, KIND);
        row.status = f.string(key, STATUS);
        row.created_at = created.map(format_time);
        row.age_days = created.map(|c| (store.taken_at() - c).div_euclid(86_400 * MICROS_PER_SECOND));
        row.last_used_at = f.time(key, LAST_USED).map(format_time);
        row.expires_at = f.time(key, EXPIRES).map(format_time);
        out.push(row);
    }
    let mut unknown: Vec<&ArcStr> = calls.by_key.keys().filter(|k| !seen.contains(k.as_str())).collect();
    unknown.sort();
    for id in unknown {
        out.push(base_row(&ctx, id, false, &calls.by_key[id])?);
    }
    Ok(out)
}

/// The row's parts that come from calls and findings, the same for keys in the snapshot and
/// keys only seen in calls.
fn base_row(ctx: &Ctx<'_, '_>, id: &str, in_snapshot: bool, used: &KeyCalls) -> Result<AccessKeyView, EvalError> {
    let engine = ctx.engine;
    let findings = ctx.index.on("AccessKey", id);
    let mut counts = FindingCounts::default();
    findings.iter().for_each(|f| counts.add(f));
    let pending: Vec<&&Finding> = findings.iter().filter(|f| is_pending(f)).collect();
    let needs_attention = pending.iter().any(|f| f.kind == FindingKind::Alarm || f.severity >= Severity::Medium);
    let mut advice: Vec<String> = Vec::new();
    let mut by_severity = pending.clone();
    by_severity.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for fix in by_severity.iter().filter_map(|f| f.fix.as_ref()) {
        if !advice.contains(fix) {
            advice.push(fix.clone());
        }
    }
    let mut sources = SourceSummary { hidden_calls: used.hidden_ip_calls, ..SourceSummary::default() };
    let mut ranked: Vec<SourceCount> = Vec::new();
    for (ip, n) in &used.ips {
        let is_internal = engine.call_native("std.net.is_internal", &[Value::from_ip(*ip)])?.as_bool() == Some(true);
        if is_internal {
            sources.internal += 1;
        } else {
            sources.external += 1;
        }
        ranked.push(SourceCount { address: ip.to_string(), internal: is_internal, calls: *n });
    }
    ranked.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.address.cmp(&b.address)));
    ranked.truncate(TOP);
    sources.top = ranked;
    let mut apis: Vec<ApiCount> =
        used.apis.iter().map(|((s, a), n)| ApiCount { api: format!("{s}:{a}"), calls: *n }).collect();
    apis.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.api.cmp(&b.api)));
    apis.truncate(TOP);
    let key_arg = [Value::str(id)];
    let policies = match engine.call_native("std.iam.key_policies", &key_arg)? {
        Value::List(items) => items.iter().filter_map(|p| policy_name(&ctx.policy, p)).collect(),
        _ => Vec::new(),
    };
    let recommended_policy = match engine.call_native("std.iam.recommended_policy", &key_arg)? {
        Value::Json(doc) => Some((*doc).clone()),
        _ => None,
    };
    let refs =
        |kind: fn(&FindingKind) -> bool| findings.iter().filter(|f| kind(&f.kind)).map(|f| FindingRef::of(f)).collect();
    Ok(AccessKeyView {
        id: ctx.mask.key(id),
        in_snapshot,
        provider: None,
        account: None,
        owner: None,
        kind: None,
        status: None,
        created_at: None,
        age_days: None,
        last_used_at: None,
        expires_at: None,
        calls: used.calls,
        failed_calls: used.failed,
        source_ips: sources,
        top_apis: apis,
        alarms: refs(|k| *k == FindingKind::Alarm),
        risks: refs(|k| *k != FindingKind::Alarm),
        counts,
        policies,
        recommended_policy,
        advice,
        needs_attention,
    })
}

/// A policy record's `name`, else its `id`.
fn policy_name(fields: &Fields<2>, value: &Value) -> Option<String> {
    let Value::Record(record) = value else { return None };
    fields.string(record, 1).or_else(|| fields.string(record, 0))
}

/// The display names of the identities that own keys.
struct OwnerNames<'s> {
    store: &'s Store,
    types: Vec<Fields<1>>,
}

impl<'s> OwnerNames<'s> {
    fn new(plan: &Plan, store: &'s Store) -> Self {
        let types = ["User", "Role", "Account"].map(|t| Fields::of(plan, t, ["name"])).into_iter().collect();
        OwnerNames { store, types }
    }

    fn name(&self, id: &str) -> Option<String> {
        self.types.iter().find_map(|f| f.string(self.store.get(f.ty?, id)?, 0))
    }
}
