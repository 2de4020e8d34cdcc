//! Values during evaluation. Snapshot data is loaded into these once (typed, interned),
//! so evaluation never walks generic JSON.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Deref;
use std::sync::Arc;

pub use arcstr::ArcStr;

use crate::plan::TypeIdx;

/// Microseconds: times are since the Unix epoch, durations are spans. Microseconds (not
/// nanoseconds) so that every RFC 3339 time, years 0000 to 9999, fits: a key that never
/// expires is often written `9999-12-31T23:59:59Z`.
pub type Micros = i64;

pub const MICROS_PER_SECOND: i64 = 1_000_000;

/// The longest duration a value holds, in seconds (106 751 991 days, about 292 000 years). The
/// compiler rejects a longer duration literal and the loader a longer snapshot duration: both
/// go through [`duration_from_seconds`].
pub const MAX_DURATION_SECONDS: i64 = i64::MAX / MICROS_PER_SECOND;

/// A duration of `seconds`, if it is within ±[`MAX_DURATION_SECONDS`].
pub fn duration_from_seconds(seconds: i64) -> Option<Micros> {
    seconds.checked_mul(MICROS_PER_SECOND)
}

/// A value: 16 bytes. Every event field is one, so the size is the store's: strings and lists
/// sit behind thin pointers, IPv4 addresses inline, IPv6 addresses and CIDR blocks (rare: a
/// security group's rules) behind a pointer. Read addresses with [`Value::ip`], make them with
/// [`Value::from_ip`]: the two variants are one `ip` type of the language.
#[derive(Clone, Debug)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(ArcStr),
    Time(Micros),
    Duration(Micros),
    Ip4(Ipv4Addr),
    Ip6(Arc<Ipv6Addr>),
    Cidr(Arc<ipnet::IpNet>),
    Regex(Arc<regex::Regex>),
    List(List),
    Map(Arc<Map>),
    /// An asset, event or record: its type and its fields in the type's order.
    Record(Record),
    /// Untyped data (`any`), kept as written.
    Json(Arc<serde_json::Value>),
}

/// An asset, event or record, shared: its type and its fields in the type's order. The fields
/// live in the allocation of the reference count, behind a thin pointer: a million events are a
/// million allocations rather than two million, and reading a field follows one pointer, not two.
#[derive(Clone)]
pub struct Record(triomphe::ThinArc<RecordHead, Value>);

/// What a record holds besides its fields.
pub struct RecordHead {
    ty: TypeIdx,
    /// Fields the schema does not declare, kept as written (SNAPSHOT.md: never an error).
    extra: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

impl Record {
    pub fn new(
        ty: TypeIdx,
        fields: impl IntoIterator<Item = Value, IntoIter: ExactSizeIterator>,
        extra: Option<Box<serde_json::Map<String, serde_json::Value>>>,
    ) -> Record {
        Record(triomphe::ThinArc::from_header_and_iter(RecordHead { ty, extra }, fields.into_iter()))
    }

    pub fn ty(&self) -> TypeIdx {
        self.0.header.header.ty
    }

    pub fn fields(&self) -> &[Value] {
        &self.0.slice
    }

    /// Fields the schema does not declare, kept as written.
    pub fn extra(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.0.header.header.extra.as_deref()
    }

    /// Whether both are the same record (not merely equal ones): the store holds one record
    /// per asset.
    pub fn ptr_eq(a: &Record, b: &Record) -> bool {
        a.0.ptr() == b.0.ptr()
    }

    /// The record's address, for identity hashing.
    pub fn as_ptr(&self) -> *const std::ffi::c_void {
        self.0.ptr()
    }
}

/// A list value, shared: its items in the allocation of the reference count, behind a thin
/// pointer.
#[derive(Clone)]
pub struct List(triomphe::ThinArc<(), Value>);

impl Deref for List {
    type Target = [Value];

    fn deref(&self) -> &[Value] {
        &self.0.slice
    }
}

impl From<Vec<Value>> for List {
    fn from(items: Vec<Value>) -> List {
        List(triomphe::ThinArc::from_header_and_iter((), items.into_iter()))
    }
}

impl fmt::Debug for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("ty", &self.ty())
            .field("fields", &self.fields())
            .field("extra", &self.extra())
            .finish()
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(ArcStr::from(s))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::from(items))
    }

    pub fn from_ip(ip: IpAddr) -> Value {
        match ip {
            IpAddr::V4(v4) => Value::Ip4(v4),
            IpAddr::V6(v6) => Value::Ip6(Arc::new(v6)),
        }
    }

    /// The address of an `ip` value.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Value::Ip4(v4) => Some(IpAddr::V4(*v4)),
            Value::Ip6(v6) => Some(IpAddr::V6(**v6)),
            _ => None,
        }
    }

    pub fn from_cidr(net: ipnet::IpNet) -> Value {
        Value::Cidr(Arc::new(net))
    }

    /// The block of a `cidr` value.
    pub fn cidr(&self) -> Option<ipnet::IpNet> {
        match self {
            Value::Cidr(net) => Some(**net),
            _ => None,
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as JSON, for evidence and outputs. Times print as RFC 3339 (UTC),
    /// durations as seconds, records as objects named by `field_names`.
    pub fn to_json(&self, field_names: &dyn Fn(TypeIdx) -> Vec<String>) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::None => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.to_string()),
            Value::Time(t) => J::String(format_time(*t)),
            Value::Duration(d) => J::from(d / MICROS_PER_SECOND),
            Value::Ip4(ip) => J::String(ip.to_string()),
            Value::Ip6(ip) => J::String(ip.to_string()),
            Value::Cidr(net) => J::String(net.to_string()),
            Value::Regex(r) => J::String(r.as_str().to_owned()),
            Value::List(items) => J::Array(items.iter().map(|v| v.to_json(field_names)).collect()),
            Value::Map(map) => J::Object(map.iter().map(|(k, v)| (k.to_string(), v.to_json(field_names))).collect()),
            Value::Record(record) => {
                let names = field_names(record.ty());
                J::Object(
                    names
                        .into_iter()
                        .zip(record.fields().iter())
                        .filter(|(_, v)| !v.is_none())
                        .map(|(k, v)| (k, v.to_json(field_names)))
                        .collect(),
                )
            }
            Value::Json(j) => j.as_ref().clone(),
        }
    }
}

/// A map with string keys, in key order (as `BTreeMap` iterates). A sorted slice rather than a
/// `BTreeMap`: almost every map in a snapshot is a resource's tags, one to a few entries, which a
/// `BTreeMap` keeps in a node sized for eleven (about 500 bytes), and a hundred thousand assets
/// each carry one.
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: Box<[(ArcStr, Value)]>,
}

impl Map {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok().map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&ArcStr, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &ArcStr> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }
}

/// Collects entries in any order; of two entries with the same key the later one stays, as
/// inserting both into a `BTreeMap` would leave it.
impl FromIterator<(ArcStr, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (ArcStr, Value)>>(entries: I) -> Map {
        let mut entries: Vec<(ArcStr, Value)> = entries.into_iter().collect();
        // Stable: equal keys keep their order, so the last of each run is the latest.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(ArcStr, Value)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match kept.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => kept.push(entry),
            }
        }
        Map { entries: kept.into_boxed_slice() }
    }
}

/// RFC 3339 in UTC with a `Z`, seconds precision unless there is a fraction.
pub fn format_time(micros: Micros) -> String {
    let secs = micros.div_euclid(MICROS_PER_SECOND);
    let sub = micros.rem_euclid(MICROS_PER_SECOND) as u32 * 1_000;
    match chrono::DateTime::from_timestamp(secs, sub) {
        Some(t) if sub == 0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        None => micros.to_string(),
    }
}

/// Parses an RFC 3339 time into microseconds since the epoch (a finer fraction is dropped).
/// The one definition of a valid time: the compiler checks `time("…")` literals with it.
pub fn parse_time(text: &str) -> Option<Micros> {
    let t = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    Some(t.timestamp_micros())
}

/// How a value reads inside a message: strings bare, lists as `[a, b]`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("none"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Str(s) => f.write_str(s),
            Value::Time(t) => f.write_str(&format_time(*t)),
            Value::Duration(d) => write!(f, "{}", format_duration(*d)),
            Value::Ip4(ip) => write!(f, "{ip}"),
            Value::Ip6(ip) => write!(f, "{ip}"),
            Value::Cidr(net) => write!(f, "{net}"),
            Value::Regex(r) => write!(f, "/{}/", r.as_str()),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            Value::Record(_) => f.write_str("{..}"),
            Value::Json(j) => write!(f, "{j}"),
        }
    }
}

/// `90d`, `1h30m`, `45s`: the way rules write durations.
pub fn format_duration(micros: Micros) -> String {
    let mut secs = micros / MICROS_PER_SECOND;
    if secs == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    if secs < 0 {
        out.push('-');
        secs = -secs;
    }
    for (unit, size) in [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, value: i64) -> (ArcStr, Value) {
        (ArcStr::from(key), Value::Int(value))
    }

    #[test]
    fn maps_are_in_key_order_and_the_later_of_equal_keys_stays() {
        let map: Map =
            [entry("b", 1), entry("a", 2), entry("b", 3), entry("c", 4), entry("b", 5)].into_iter().collect();
        let keys: Vec<&str> = map.keys().map(|k| k.as_ref()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert!(matches!(map.get("b"), Some(Value::Int(5))));
        assert!(matches!(map.get("a"), Some(Value::Int(2))));
        assert!(map.get("d").is_none() && !map.contains_key("") && map.len() == 3);
        assert!(Map::default().is_empty() && Map::default().get("a").is_none());
    }

    #[test]
    fn times_round_trip_in_utc() {
        let t = parse_time("2026-11-20T08:00:00+08:00").unwrap();
        assert_eq!(format_time(t), "2026-11-20T00:00:00Z");
        assert_eq!(format_time(parse_time("2026-11-20T08:00:00.5Z").unwrap()), "2026-11-20T08:00:00.500Z");
        assert!(parse_time("2026-13-01T00:00:00Z").is_none());
        // Beyond the nanosecond range (1677-2262) a time still fits.
        assert_eq!(format_time(parse_time("9999-12-31T23:59:59Z").unwrap()), "9999-12-31T23:59:59Z");
        assert_eq!(format_time(parse_time("0001-01-01T00:00:00Z").unwrap()), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn durations_have_one_range() {
        assert!(duration_from_seconds(MAX_DURATION_SECONDS).is_some());
        assert!(duration_from_seconds(MAX_DURATION_SECONDS + 1).is_none());
        assert!(duration_from_seconds(106_752 * 86_400).is_some());
    }

    #[test]
    fn durations_read_like_literals() {
        assert_eq!(format_duration(90 * 86_400 * MICROS_PER_SECOND), "90d");
        assert_eq!(format_duration(5_400 * MICROS_PER_SECOND), "1h30m");
        assert_eq!(format_duration(0), "0s");
    }

    #[test]
    fn a_value_is_two_words() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn addresses_of_both_families_read_back() {
        for text in ["10.1.2.3", "2001:db8::1"] {
            let ip: IpAddr = text.parse().unwrap();
            let value = Value::from_ip(ip);
            assert_eq!(value.ip(), Some(ip));
            assert_eq!(value.to_string(), text);
        }
        assert_eq!(Value::Int(1).ip(), None);
    }

    #[test]
    fn lists_display_like_the_language() {
        let v = Value::list(vec![Value::Int(22), Value::Int(3389)]);
        assert_eq!(v.to_string(), "[22, 3389]");
    }
}
