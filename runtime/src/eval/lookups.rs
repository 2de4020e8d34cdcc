//! Cross-collection questions ("the calls made with this key", "is this address one of
//! ours"), answered from indexes built once per run, the first time a check asks.
//!
//! Each index is a `OnceLock`: checks run in parallel and the first to need one builds it
//! while the others wait, so a run never scans every event per asset. Answers are values that
//! share their storage (`Arc`), so asking twice costs a hash lookup and a reference count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use crate::builtins::addresses::AddressBook;
use crate::plan::{Plan, TypeIdx};
use crate::snapshot::{Seeded, Store};
use crate::value::{Micros, Record, Value};

/// One key's first call time per address.
type FirstSeen = HashMap<IpAddr, Micros, Seeded>;

/// A type's index in the plan and the positions of the fields the lookups read.
#[derive(Debug, Default, Clone, Copy)]
struct Table {
    ty: Option<TypeIdx>,
    /// `access_key_id` (events) or `owner_id` (AccessKey).
    key: Option<usize>,
}

pub(crate) struct Lookups<'a> {
    store: &'a Store,
    api_call: Table,
    leak_report: Table,
    access_key: Table,
    audit_trail: Table,
    instance: Option<TypeIdx>,
    network: Option<TypeIdx>,
    instance_ips: [Option<usize>; 2],
    network_cidrs: Option<usize>,
    calls_by_key: OnceLock<HashMap<Arc<str>, Value, Seeded>>,
    /// `ApiCall.source_ip` and `ApiCall.time`, for [`Lookups::first_seen_from`].
    call_address: Option<usize>,
    call_time: Option<usize>,
    /// Per key with calls, its first call time per address: each key's table is built from its
    /// own calls the first time the key is asked about, so the cost is the calls of the keys
    /// asked about, no thread waits while another indexes every call, and asking again takes
    /// no lock (one was taken per event before, and the threads queued on it).
    first_by_key_address: OnceLock<HashMap<Arc<str>, OnceLock<FirstSeen>, Seeded>>,
    leaks_by_key: OnceLock<HashMap<Arc<str>, Value, Seeded>>,
    keys_by_owner: OnceLock<HashMap<Arc<str>, Value, Seeded>>,
    trails_by_account: OnceLock<HashMap<Arc<str>, Value, Seeded>>,
    /// Instance addresses tag `(instance type, row)`, network ranges `(network type, row)`.
    addresses: OnceLock<AddressBook<(TypeIdx, u32)>>,
}

impl<'a> Lookups<'a> {
    pub(crate) fn new(plan: &Plan, store: &'a Store) -> Self {
        let ty = |name: &str| super::natives::schema_type(plan, name);
        let field = |ty: Option<TypeIdx>, name: &str| ty.and_then(|t| plan.types.get(t as usize)?.field_index(name));
        let table = |name: &str, key: &str| {
            let ty = ty(name);
            Table { ty, key: field(ty, key) }
        };
        let (instance, network) = (ty("Instance"), ty("Network"));
        let api_call = ty("ApiCall");
        Lookups {
            store,
            api_call: table("ApiCall", "access_key_id"),
            leak_report: table("LeakReport", "access_key_id"),
            access_key: table("AccessKey", "owner_id"),
            audit_trail: table("AuditTrail", "account"),
            instance,
            network,
            instance_ips: [field(instance, "public_ips"), field(instance, "private_ips")],
            network_cidrs: field(network, "cidrs"),
            calls_by_key: OnceLock::new(),
            call_address: field(api_call, "source_ip"),
            call_time: field(api_call, "time"),
            first_by_key_address: OnceLock::new(),
            leaks_by_key: OnceLock::new(),
            keys_by_owner: OnceLock::new(),
            trails_by_account: OnceLock::new(),
            addresses: OnceLock::new(),
        }
    }

    /// The `ApiCall`s signed with this key, in time order.
    pub(crate) fn calls_of(&self, key_id: &str) -> Value {
        lookup(self.calls_by_key.get_or_init(|| self.group_by(self.api_call)), key_id)
    }

    /// When this key was first used from this address: the time of its earliest `ApiCall`
    /// from it, if any.
    pub(crate) fn first_seen_from(&self, key_id: &str, address: IpAddr) -> Option<Micros> {
        let keys = self.first_by_key_address.get_or_init(|| {
            let calls = self.calls_by_key.get_or_init(|| self.group_by(self.api_call));
            calls.keys().map(|key| (key.clone(), OnceLock::new())).collect()
        });
        // A key without calls was never used from anywhere.
        let firsts = keys.get(key_id)?.get_or_init(|| self.first_calls_by_address(key_id));
        firsts.get(&address).copied()
    }

    /// The earliest call time per address among the key's calls.
    fn first_calls_by_address(&self, key_id: &str) -> FirstSeen {
        let mut first = FirstSeen::default();
        let (Some(address), Some(time)) = (self.call_address, self.call_time) else { return first };
        let Value::List(calls) = self.calls_of(key_id) else { return first };
        for call in calls.iter() {
            if let Value::Record(call) = call
                && let (Some(Value::Ip(address)), Some(Value::Time(time))) =
                    (call.fields.get(address), call.fields.get(time))
            {
                let seen = first.entry(*address).or_insert(*time);
                *seen = (*seen).min(*time);
            }
        }
        first
    }

    /// The `LeakReport`s naming this key, in time order.
    pub(crate) fn leak_reports_of(&self, key_id: &str) -> Value {
        lookup(self.leaks_by_key.get_or_init(|| self.group_by(self.leak_report)), key_id)
    }

    /// The `AccessKey`s whose `owner_id` is this identity, in input order.
    pub(crate) fn keys_of(&self, owner_id: &str) -> Value {
        lookup(self.keys_by_owner.get_or_init(|| self.group_by(self.access_key)), owner_id)
    }

    /// The `AuditTrail`s whose `account` is this account id, in input order.
    pub(crate) fn trails_of(&self, account_id: &str) -> Value {
        lookup(self.trails_by_account.get_or_init(|| self.group_by(self.audit_trail)), account_id)
    }

    /// The `AccessKey` with this id.
    pub(crate) fn access_key(&self, id: &str) -> Option<Arc<Record>> {
        self.store.get(self.access_key.ty?, id).cloned()
    }

    /// The instances that have this address, public or private, in input order.
    pub(crate) fn instances_with_ip(&self, addr: IpAddr) -> Value {
        let rows: Vec<(TypeIdx, u32)> = self.addresses().hosts(addr).to_vec();
        self.records(rows)
    }

    /// The networks one of whose ranges contains this address, in input order.
    pub(crate) fn networks_containing(&self, addr: IpAddr) -> Value {
        self.records(self.addresses().ranges_containing(addr))
    }

    /// Whether an instance has this address or a network's range contains it.
    pub(crate) fn is_known_address(&self, addr: IpAddr) -> bool {
        self.addresses().knows(addr)
    }

    fn addresses(&self) -> &AddressBook<(TypeIdx, u32)> {
        self.addresses.get_or_init(|| {
            let mut book = AddressBook::default();
            if let Some(ty) = self.instance {
                for (row, record) in self.store.rows(ty).iter().enumerate() {
                    for ip in self.instance_ips.iter().flat_map(|at| list_at(record, *at)) {
                        if let Value::Ip(ip) = ip {
                            book.add_host(*ip, (ty, row as u32));
                        }
                    }
                }
            }
            if let Some(ty) = self.network {
                for (row, record) in self.store.rows(ty).iter().enumerate() {
                    for cidr in list_at(record, self.network_cidrs) {
                        if let Value::Cidr(net) = cidr {
                            book.add_range(*net, (ty, row as u32));
                        }
                    }
                }
            }
            book
        })
    }

    fn records(&self, mut rows: Vec<(TypeIdx, u32)>) -> Value {
        rows.dedup();
        Value::list(
            rows.into_iter()
                .filter_map(|(ty, row)| self.store.rows(ty).get(row as usize).cloned().map(Value::Record))
                .collect(),
        )
    }

    /// The rows of `table` grouped by their key field, each group in row order (time order
    /// for events).
    fn group_by(&self, table: Table) -> HashMap<Arc<str>, Value, Seeded> {
        let (Some(ty), Some(at)) = (table.ty, table.key) else { return HashMap::default() };
        let mut groups: HashMap<Arc<str>, Vec<Value>, Seeded> = HashMap::default();
        for record in self.store.rows(ty) {
            if let Some(Value::Str(key)) = record.fields.get(at) {
                groups.entry(key.clone()).or_default().push(Value::Record(record.clone()));
            }
        }
        groups.into_iter().map(|(k, v)| (k, Value::list(v))).collect()
    }
}

fn lookup(index: &HashMap<Arc<str>, Value, Seeded>, key: &str) -> Value {
    index.get(key).cloned().unwrap_or_else(|| Value::list(Vec::new()))
}

fn list_at(record: &Record, at: Option<usize>) -> &[Value] {
    match at.and_then(|i| record.fields.get(i)) {
        Some(Value::List(items)) => items,
        _ => &[],
    }
}
