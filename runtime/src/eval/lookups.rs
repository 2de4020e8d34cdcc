//! Cross-collection questions ("the calls made with this key", "is this address one of
//! ours"), answered from indexes built once per run, the first time a check asks.
//!
//! Each index is a `OnceLock`: checks run in parallel and the first to need one builds it
//! while the others wait, so a run never scans every event per asset. The indexes over events
//! (a million calls by key) are built before the checks start, on every thread, when a
//! selected check reaches a native that reads them ([`Lookups::prepare`]). Answers are values
//! that share their storage (`Arc`), so asking twice costs a hash lookup and a reference count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;

use rayon::prelude::*;

use super::exec::Native;
use crate::builtins::addresses::AddressBook;
use crate::plan::{Plan, TypeIdx};
use crate::snapshot::{Seeded, Store};
use crate::value::{ArcStr, Micros, Record, Value};

/// The earliest time per attribute (an address, a country) among one key's events, sorted by
/// attribute. A sorted slice rather than a hash table: a key's table is built once and only
/// read, and at a million calls from as many addresses the table was 60 MB, the slice is 32.
struct FirstTimes<A>(Box<[(A, Micros)]>);

impl<A: Ord> FirstTimes<A> {
    /// The earliest time of `attribute`, if a row has it.
    fn get<Q: Ord + ?Sized>(&self, attribute: &Q) -> Option<Micros>
    where
        A: std::borrow::Borrow<Q>,
    {
        let at = self.0.binary_search_by(|(a, _)| a.borrow().cmp(attribute)).ok()?;
        Some(self.0[at].1)
    }
}

/// Per key, a table built from that key's events the first time the key is asked about: the
/// cost is the events of the keys asked about, no thread waits while another indexes every
/// event, and asking again takes no lock.
struct PerKey<T> {
    cells: OnceLock<HashMap<ArcStr, OnceLock<T>, Seeded>>,
}

impl<T> PerKey<T> {
    fn new() -> Self {
        PerKey { cells: OnceLock::new() }
    }

    /// The key's table, built by `build` on first use; `None` for a key `groups` lacks.
    fn get(&self, groups: &Index, key: &str, build: impl FnOnce(&Value) -> T) -> Option<&T> {
        let cells = self.cells.get_or_init(|| groups.keys().map(|key| (key.clone(), OnceLock::new())).collect());
        let rows = groups.get(key)?;
        Some(cells.get(key)?.get_or_init(|| build(rows)))
    }
}

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
    calls_by_key: OnceLock<Index>,
    /// `ApiCall.source_ip` and `ApiCall.time`, for [`Lookups::first_seen_from`].
    call_address: Option<usize>,
    call_time: Option<usize>,
    /// Per key with calls, its first call time per address.
    first_by_key_address: PerKey<FirstTimes<IpAddr>>,
    console_login: Table,
    logins_by_user: OnceLock<Index>,
    /// `ConsoleLogin.country`, `.success` and `.time`, for [`Lookups::first_login_from`].
    login_country: Option<usize>,
    login_success: Option<usize>,
    login_time: Option<usize>,
    /// Per identity with logins, its first successful login time per country.
    first_by_user_country: PerKey<FirstTimes<ArcStr>>,
    leaks_by_key: OnceLock<Index>,
    keys_by_owner: OnceLock<Index>,
    trails_by_account: OnceLock<Index>,
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
        let (api_call, console_login) = (ty("ApiCall"), ty("ConsoleLogin"));
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
            first_by_key_address: PerKey::new(),
            console_login: table("ConsoleLogin", "user_id"),
            logins_by_user: OnceLock::new(),
            login_country: field(console_login, "country"),
            login_success: field(console_login, "success"),
            login_time: field(console_login, "time"),
            first_by_user_country: PerKey::new(),
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
        let calls = self.calls_by_key.get_or_init(|| self.group_by(self.api_call));
        // A key without calls was never used from anywhere.
        let firsts = self.first_by_key_address.get(calls, key_id, |calls| {
            first_times(calls, self.call_time, |call| call.fields().get(self.call_address?)?.ip())
        })?;
        firsts.get(&address)
    }

    /// The `ConsoleLogin`s of this identity, in time order.
    pub(crate) fn logins_of(&self, user_id: &str) -> Value {
        lookup(self.logins_by_user.get_or_init(|| self.group_by(self.console_login)), user_id)
    }

    /// When this identity first logged in successfully from this country, if it has.
    pub(crate) fn first_login_from(&self, user_id: &str, country: &str) -> Option<Micros> {
        let logins = self.logins_by_user.get_or_init(|| self.group_by(self.console_login));
        let firsts = self.first_by_user_country.get(logins, user_id, |logins| {
            first_times(logins, self.login_time, |login| {
                let succeeded = matches!(login.fields().get(self.login_success?), Some(Value::Bool(true)));
                match login.fields().get(self.login_country?) {
                    Some(Value::Str(country)) if succeeded => Some(country.clone()),
                    _ => None,
                }
            })
        })?;
        firsts.get(country)
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
    pub(crate) fn access_key(&self, id: &str) -> Option<Record> {
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
                        if let Some(ip) = ip.ip() {
                            book.add_host(ip, (ty, row as u32));
                        }
                    }
                }
            }
            if let Some(ty) = self.network {
                for (row, record) in self.store.rows(ty).iter().enumerate() {
                    for cidr in list_at(record, self.network_cidrs) {
                        if let Some(net) = cidr.cidr() {
                            book.add_range(net, (ty, row as u32));
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
    /// for events). Serial: it runs inside `OnceLock::get_or_init` on a rayon worker, which
    /// must not wait on parallel work (the worker could pick up a check that asks for the very
    /// index being built); [`Lookups::prepare`] builds the large ones in parallel beforehand.
    fn group_by(&self, table: Table) -> Index {
        Grouping::of(self.store, table).map_or_else(Index::default, |g| g.index())
    }

    /// Builds, on every thread, the indexes over events that `natives` will ask for. Called
    /// before checks run in parallel (`Engine::run`); afterwards the first check to ask would
    /// build them on one thread while the others wait.
    pub(crate) fn prepare(&self, natives: impl IntoIterator<Item = Native>) {
        for native in natives {
            match native {
                Native::CallsOf | Native::FirstSeenFrom | Native::RecommendedPolicy => {
                    self.calls_by_key.get_or_init(|| {
                        Grouping::of(self.store, self.api_call).map_or_else(Index::default, |g| g.index_in_parallel())
                    });
                }
                Native::LoginsOf | Native::FirstLoginFrom => {
                    self.logins_by_user.get_or_init(|| {
                        Grouping::of(self.store, self.console_login)
                            .map_or_else(Index::default, |g| g.index_in_parallel())
                    });
                }
                _ => {}
            }
        }
    }
}

/// Rows by key value, as row numbers in row order; the key borrowed from the rows.
type RowsByKey<'s> = HashMap<&'s str, Vec<u32>, Seeded>;

/// An index from key to the list of its rows.
type Index = HashMap<ArcStr, Value, Seeded>;

/// The rows of a table and the position of the field they are grouped by.
struct Grouping<'s> {
    rows: &'s [Record],
    key: usize,
}

impl<'s> Grouping<'s> {
    fn of(store: &'s Store, table: Table) -> Option<Grouping<'s>> {
        Some(Grouping { rows: store.rows(table.ty?), key: table.key? })
    }

    /// Each key's rows, as [`Lookups::group_by`] wants them.
    fn index(&self) -> Index {
        let rows = self.rows.iter().enumerate().fold(RowsByKey::default(), |acc, row| self.add(acc, row));
        rows.into_values().map(|rows| self.group(&rows)).collect()
    }

    /// The same index built on every thread.
    fn index_in_parallel(&self) -> Index {
        let rows = self
            .rows
            .par_iter()
            .enumerate()
            .fold(RowsByKey::default, |acc, row| self.add(acc, row))
            .reduce(RowsByKey::default, append);
        rows.into_par_iter().map(|(_, rows)| self.group(&rows)).collect()
    }

    fn add(&self, mut acc: RowsByKey<'s>, (row, record): (usize, &'s Record)) -> RowsByKey<'s> {
        if let Some(Value::Str(key)) = record.fields().get(self.key) {
            acc.entry(key.as_str()).or_default().push(row as u32);
        }
        acc
    }

    /// One key's entry: its text (shared with its first row) and its rows as a list.
    fn group(&self, rows: &[u32]) -> (ArcStr, Value) {
        let record = |row: u32| &self.rows[row as usize];
        let key = match rows.first().and_then(|&row| record(row).fields().get(self.key)) {
            Some(Value::Str(key)) => key.clone(),
            _ => ArcStr::new(),
        };
        (key, Value::list(rows.iter().map(|&row| Value::Record(record(row).clone())).collect()))
    }
}

/// `earlier` then `later`, key by key: rayon reduces adjacent parts in order, so each key's
/// rows stay in row order.
fn append<'s>(mut earlier: RowsByKey<'s>, later: RowsByKey<'s>) -> RowsByKey<'s> {
    for (key, rows) in later {
        earlier.entry(key).or_default().extend(rows);
    }
    earlier
}

/// The earliest `time` per attribute among `rows` (a list of records); rows without the
/// attribute or a time are skipped.
fn first_times<A: Ord>(rows: &Value, time: Option<usize>, attribute: impl Fn(&Record) -> Option<A>) -> FirstTimes<A> {
    let (Value::List(rows), Some(time)) = (rows, time) else { return FirstTimes(Box::default()) };
    let mut seen: Vec<(A, Micros)> = rows
        .iter()
        .filter_map(|row| match row {
            Value::Record(row) => match row.fields().get(time) {
                Some(Value::Time(at)) => Some((attribute(row)?, *at)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    // By attribute, then time: the first of each run is its earliest.
    seen.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    seen.dedup_by(|later, first| later.0 == first.0);
    FirstTimes(seen.into_boxed_slice())
}

fn lookup(index: &Index, key: &str) -> Value {
    index.get(key).cloned().unwrap_or_else(|| Value::list(Vec::new()))
}

fn list_at(record: &Record, at: Option<usize>) -> &[Value] {
    match at.and_then(|i| record.fields().get(i)) {
        Some(Value::List(items)) => items,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn row(time: Micros, attribute: &str) -> Value {
        let fields = [Value::Time(time), Value::str(attribute)];
        Value::Record(Record::new(0, fields, None))
    }

    #[test]
    fn the_index_built_in_parallel_is_the_serial_one() {
        let keys = ["ak-1", "ak-2", "ak-3", "ak-10", "ak-2"];
        let rows: Vec<Record> = (0..20_000)
            .map(|i| {
                let key = if i % 997 == 0 { Value::None } else { Value::str(keys[i % keys.len()]) };
                Record::new(0, [key, Value::Int(i as i64)], None)
            })
            .collect();
        // Each key's rows by their number (the second field).
        let numbers = |index: &Index| -> BTreeMap<String, Vec<i64>> {
            let numbers = |rows: &Value| match rows {
                Value::List(rows) => rows
                    .iter()
                    .filter_map(|r| match r {
                        Value::Record(r) => match r.fields()[1] {
                            Value::Int(n) => Some(n),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            index.iter().map(|(key, rows)| (key.to_string(), numbers(rows))).collect()
        };
        let grouping = Grouping { rows: &rows, key: 0 };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().expect("a pool");
        let parallel = numbers(&pool.install(|| grouping.index_in_parallel()));
        let serial = numbers(&grouping.index());
        assert_eq!(parallel, serial);
        assert_eq!(
            serial.keys().collect::<Vec<_>>(),
            ["ak-1", "ak-10", "ak-2", "ak-3"],
            "rows without a key are left out"
        );
        assert!(serial.values().all(|rows| rows.is_sorted()), "each key's rows stay in row order");
        assert_eq!(serial["ak-2"].len(), 7_992);
    }

    #[test]
    fn first_times_are_the_earliest_per_attribute_whatever_the_row_order() {
        let rows = Value::list(vec![row(50, "b"), row(30, "a"), row(10, "b"), row(40, "a"), row(20, "c")]);
        let firsts = first_times(&rows, Some(0), |r| r.fields()[1].as_str().map(str::to_owned));
        assert_eq!(firsts.get("a"), Some(30));
        assert_eq!(firsts.get("b"), Some(10));
        assert_eq!(firsts.get("c"), Some(20));
        assert_eq!(firsts.get("d"), None);
    }
}
