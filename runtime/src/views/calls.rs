//! One pass over the snapshot's API calls: per key and per source address, how many calls,
//! which APIs, from where, when.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use super::fields::{Fields, rows};
use super::{KeyMask, Window};
use crate::plan::Plan;
use crate::snapshot::Store;
use crate::value::{ArcStr, Micros, Value, format_time};

const KEY: usize = 0;
const IP: usize = 1;
const SERVICE: usize = 2;
const ACTION: usize = 3;
const SUCCESS: usize = 4;
const TIME: usize = 5;

/// The calls of one key.
#[derive(Default)]
pub(super) struct KeyCalls {
    pub calls: usize,
    pub failed: usize,
    pub apis: HashMap<(ArcStr, ArcStr), usize>,
    /// Calls per source address; empty for a key whose addresses are hidden.
    pub ips: BTreeMap<IpAddr, usize>,
    /// Calls whose address is hidden.
    pub hidden_ip_calls: usize,
}

/// The calls from one source address (or from every hidden one, together).
#[derive(Default)]
pub(super) struct SourceCalls {
    pub calls: usize,
    pub failed: usize,
    pub keys: BTreeSet<ArcStr>,
    pub first: Option<Micros>,
    pub last: Option<Micros>,
}

pub(super) struct CallStats {
    pub by_key: HashMap<ArcStr, KeyCalls>,
    /// By source address; `None` collects the calls of keys whose addresses are hidden, so
    /// no row shows where they came from.
    pub by_source: BTreeMap<Option<IpAddr>, SourceCalls>,
    span: Option<(Micros, Micros)>,
}

impl CallStats {
    pub(super) fn gather(plan: &Plan, store: &Store, mask: &KeyMask) -> CallStats {
        let f = Fields::of(plan, "ApiCall", ["access_key_id", "source_ip", "service", "action", "success", "time"]);
        let mut stats = CallStats { by_key: HashMap::new(), by_source: BTreeMap::new(), span: None };
        for call in rows(store, f.ty) {
            let Value::Str(key) = f.get(call, KEY) else { continue };
            let ip = f.ip(call, IP);
            let failed = f.bool(call, SUCCESS) == Some(false);
            let time = f.time(call, TIME);
            let hidden = mask.hides_ips_of(key);
            let per_key = stats.by_key.entry(key.clone()).or_default();
            per_key.calls += 1;
            per_key.failed += usize::from(failed);
            if let (Value::Str(service), Value::Str(action)) = (f.get(call, SERVICE), f.get(call, ACTION)) {
                *per_key.apis.entry((service.clone(), action.clone())).or_insert(0) += 1;
            }
            match ip {
                Some(_) if hidden => per_key.hidden_ip_calls += 1,
                Some(ip) => *per_key.ips.entry(ip).or_insert(0) += 1,
                None => {}
            }
            if let Some(ip) = ip {
                let source = stats.by_source.entry((!hidden).then_some(ip)).or_default();
                source.calls += 1;
                source.failed += usize::from(failed);
                source.keys.insert(key.clone());
                if let Some(t) = time {
                    source.first = Some(source.first.map_or(t, |f| f.min(t)));
                    source.last = Some(source.last.map_or(t, |l| l.max(t)));
                }
            }
            if let Some(t) = time {
                stats.span = Some(stats.span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
            }
        }
        stats
    }

    pub(super) fn window(&self) -> Option<Window> {
        self.span.map(|(from, to)| Window { from: format_time(from), to: format_time(to) })
    }
}
