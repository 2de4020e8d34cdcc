//! Streaming conversion: `serde` seeds driven by the plan's types turn JSON or YAML straight
//! into typed [`Value`]s, with no intermediate tree of the document.
//!
//! Type mismatches never abort: a visitor accepts whatever the data holds, records an error
//! against the current path and yields [`Value::None`], so one pass lists every problem of a
//! file. Only syntax errors (and YAML's few typed refusals) stop a file early.

use std::fmt;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::coverage::CoverageEntry;
use crate::plan::{Type, TypeIdx, TypeKind};
use crate::value::{ArcStr, Map, Micros, Record, Value, duration_from_seconds, parse_time};

use super::error::{Base, LoadError, LoadWarning, MAX_ERRORS, Seg, format_location, quote};
use super::intern::{ALWAYS, Interner};
use super::schema::{Schema, Table};
use super::store::{Origin, Row, Section};

/// The document formats this engine reads.
pub const FORMATS: &[&str] = &["rulec.snapshot/v1"];

static STRING: Type = Type::String;
static TIME: Type = Type::Time;

/// What a top-level object may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    Asset,
    Event,
    /// A JSONL line: either.
    Either,
}

impl Want {
    fn kinds(self) -> &'static [TypeKind] {
        match self {
            Want::Asset => &[TypeKind::Asset],
            Want::Event => &[TypeKind::Event],
            Want::Either => &[TypeKind::Asset, TypeKind::Event],
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Want::Asset => "asset",
            Want::Event => "event",
            Want::Either => "asset or event",
        }
    }
}

/// Everything one file (or one chunk of a JSONL file) produced.
#[derive(Clone)]
pub(crate) struct Output {
    /// Rows per type index.
    pub(crate) rows: Vec<Vec<Row>>,
    pub(crate) errors: Vec<LoadError>,
    /// Errors found beyond [`MAX_ERRORS`], counted only.
    pub(crate) more_errors: usize,
    pub(crate) warnings: Vec<LoadWarning>,
    /// The document's `taken_at`, if it had a valid one.
    pub(crate) taken_at: Option<Micros>,
    /// The document's `coverage` entries.
    pub(crate) coverage: Vec<CoverageEntry>,
}

impl Output {
    pub(crate) fn new(types: usize) -> Output {
        Output {
            rows: (0..types).map(|_| Vec::new()).collect(),
            errors: Vec::new(),
            more_errors: 0,
            warnings: Vec::new(),
            taken_at: None,
            coverage: Vec::new(),
        }
    }

    /// This output as file `file` of a load: a cached file's rows may sit at another place
    /// among the files of a later load (`Cache`).
    pub(crate) fn placed(mut self, file: u32) -> Output {
        for row in self.rows.iter_mut().flatten() {
            row.origin.file = file;
        }
        self
    }

    pub(crate) fn failed(&self) -> bool {
        !self.errors.is_empty() || self.more_errors > 0
    }

    /// Appends a later part of the same file (JSONL chunks), keeping order.
    pub(crate) fn append(&mut self, other: Output) {
        for (mine, theirs) in self.rows.iter_mut().zip(other.rows) {
            if mine.is_empty() {
                *mine = theirs;
            } else {
                mine.extend(theirs);
            }
        }
        for error in other.errors {
            if self.errors.len() < MAX_ERRORS {
                self.errors.push(error);
            } else {
                self.more_errors += 1;
            }
        }
        self.more_errors += other.more_errors;
        self.warnings.extend(other.warnings);
        self.taken_at = self.taken_at.max(other.taken_at);
        self.coverage.extend(other.coverage);
    }
}

/// The state of one conversion: where we are (for messages), the interner, and the output.
pub(crate) struct Ctx<'s> {
    schema: &'s Schema<'s>,
    file: u32,
    file_name: &'s Path,
    base: Base,
    path: Vec<Seg<'s>>,
    /// YAML: read string-typed scalars with `deserialize_str`, so `no`, `0755` or `1.10` in a
    /// string field stay the text written instead of YAML's bool or number.
    yaml: bool,
    /// YAML: the line of each `assets` / `events` element (JSON finds them as it splits).
    pub(crate) element_lines: super::yaml_lines::ElementLines,
    pub(crate) interner: Interner,
    /// Per type, per slot (and the field count for "none yet"): the slot that followed it last
    /// time. Data from one producer lists fields in one order, whatever order that is.
    follow: Vec<Vec<u32>>,
    /// The global number of the field being read (see [`Schema::field_id`]), for the
    /// interner's statistics; [`ALWAYS`] outside fields.
    field: u32,
    pub(crate) out: Output,
    empty_list: Value,
    empty_map: Value,
    /// (type, field) pairs already warned about as likely misspellings: one warning each, not
    /// one per record.
    misspelt: std::collections::HashSet<(u32, String)>,
}

impl<'s> Ctx<'s> {
    pub(crate) fn new(schema: &'s Schema<'s>, file: u32, file_name: &'s Path, yaml: bool, interner: Interner) -> Self {
        Ctx {
            schema,
            file,
            file_name,
            base: Base::Document,
            path: Vec::with_capacity(16),
            yaml,
            element_lines: super::yaml_lines::ElementLines::default(),
            interner,
            field: ALWAYS,
            follow: vec![Vec::new(); schema.type_count()],
            out: Output::new(schema.type_count()),
            empty_list: Value::list(Vec::new()),
            empty_map: Value::Map(Arc::new(Map::default())),
            misspelt: std::collections::HashSet::new(),
        }
    }

    /// Where the field after `b`'s last one probably is.
    fn hint(&self, b: &Builder) -> usize {
        match self.follow.get(b.ty as usize).and_then(|f| f.get(b.prev)) {
            Some(next) => *next as usize,
            None if b.prev == b.fields.len() => 0,
            None => b.prev + 1,
        }
    }

    /// Remembers that slot `next` followed `b`'s last one.
    fn learn(&mut self, b: &Builder, next: usize) {
        let Some(follow) = self.follow.get_mut(b.ty as usize) else { return };
        if follow.is_empty() {
            let n = b.fields.len() as u32;
            follow.extend((1..=n).chain([0]));
        }
        if let Some(slot) = follow.get_mut(b.prev) {
            *slot = next as u32;
        }
    }

    pub(crate) fn set_line(&mut self, line: u64) {
        self.base = Base::Line(line);
        self.path.clear();
    }

    pub(crate) fn location(&self) -> String {
        format_location(self.base, &self.path)
    }

    /// Records an error at the current path; `make` gives (expected, found, help) and is only
    /// called while under the cap.
    pub(crate) fn error(&mut self, make: impl FnOnce(&Schema<'s>) -> (String, String, Option<String>)) {
        if self.out.errors.len() >= MAX_ERRORS {
            self.out.more_errors += 1;
            return;
        }
        let (expected, found, help) = make(self.schema);
        let location = self.location();
        self.out.errors.push(LoadError { file: self.file_name.to_path_buf(), location, expected, found, help });
    }

    /// Records a syntax or I/O error that stops the file.
    pub(crate) fn fatal(&mut self, location: String, expected: &str, found: String) {
        if self.out.errors.len() >= MAX_ERRORS {
            self.out.more_errors += 1;
            return;
        }
        self.out.errors.push(LoadError {
            file: self.file_name.to_path_buf(),
            location,
            expected: expected.to_owned(),
            found,
            help: None,
        });
    }

    fn warn(&mut self, message: String) {
        let location = self.location();
        self.out.warnings.push(LoadWarning { file: self.file_name.to_path_buf(), location, message });
    }

    fn mismatch(&mut self, ty: &Type, found: impl FnOnce() -> String) {
        self.error(|schema| (schema.describe(ty), found(), None));
    }

    fn missing(&mut self, ty: &Type) {
        self.error(|schema| (schema.describe(ty), "nothing (the field is missing)".to_owned(), None));
    }

    /// Stores a row read at `pos` of `section`, its object starting on `line` (0: unknown).
    fn push_row(&mut self, ty: TypeIdx, record: Record, section: Section, pos: u64, line: u64) {
        // A failed file is never used: keep nothing from it.
        if self.out.failed() {
            return;
        }
        let narrow = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        let origin = Origin { file: self.file, section, pos: narrow(pos), line: narrow(line) };
        if let Some(rows) = self.out.rows.get_mut(ty as usize) {
            rows.push(Row { record, origin });
        }
    }

    /// A scalar converted to `ty`, or `None` if it does not fit.
    fn convert(&mut self, ty: &'s Type, scalar: Scalar<'_>) -> Option<Value> {
        Some(match (ty, scalar) {
            (Type::Optional(_), Scalar::Null) => Value::None,
            (Type::Optional(inner), s) => return self.convert(inner, s),
            (Type::Any, s) => Value::Json(Arc::new(s.to_json())),
            (Type::List(_), Scalar::Null) => self.empty_list.clone(),
            (Type::Map(_), Scalar::Null) => self.empty_map.clone(),
            (Type::Bool, Scalar::Bool(b)) => Value::Bool(b),
            (Type::Int, Scalar::Int(i)) => Value::Int(i),
            (Type::Float, Scalar::Int(i)) => Value::Float(i as f64),
            (Type::Float, Scalar::Big(u)) => Value::Float(u as f64),
            (Type::Float, Scalar::Float(x)) => Value::Float(x),
            (Type::Duration, Scalar::Int(i)) => Value::Duration(duration_from_seconds(i)?),
            (Type::String | Type::Ref(_), Scalar::Str(text)) => {
                Value::Str(self.interner.intern_field(self.field, text))
            }
            (Type::Enum(allowed), Scalar::Str(text)) => {
                // Exact first; then ASCII case-insensitively (`"Allow"` for `"allow"`), keeping
                // the schema's spelling.
                let canonical = allowed
                    .iter()
                    .find(|a| a.as_str() == text)
                    .or_else(|| allowed.iter().find(|a| a.eq_ignore_ascii_case(text)))?;
                Value::Str(self.interner.intern(canonical))
            }
            (Type::Time, Scalar::Str(text)) => Value::Time(parse_time(text)?),
            (Type::Ip, Scalar::Str(text)) => Value::from_ip(text.parse().ok()?),
            (Type::Cidr, Scalar::Str(text)) => Value::from_cidr(parse_cidr(text)?),
            (Type::Regex, Scalar::Str(text)) => Value::Regex(Arc::new(regex::Regex::new(text).ok()?)),
            (Type::Union(members), s) => return members.iter().find_map(|m| self.convert(m, s)),
            _ => return None,
        })
    }

    fn scalar(&mut self, ty: &'s Type, scalar: Scalar<'_>) -> Value {
        match self.convert(ty, scalar) {
            Some(v) => v,
            None => {
                self.mismatch(ty, || scalar.render());
                Value::None
            }
        }
    }

    fn read_list<'de, A: SeqAccess<'de>>(&mut self, inner: &'s Type, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
        loop {
            self.path.push(Seg::Index(u32::try_from(items.len()).unwrap_or(u32::MAX)));
            let item = seq.next_element_seed(ValueSeed { ctx: self, ty: inner });
            self.path.pop();
            match item? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(if items.is_empty() { self.empty_list.clone() } else { Value::list(items) })
    }

    fn read_map<'de, A: MapAccess<'de>>(&mut self, inner: &'s Type, mut map: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key_seed(MapKeySeed { interner: &mut self.interner })? {
            self.path.push(Seg::Key(key.clone()));
            let value = map.next_value_seed(ValueSeed { ctx: self, ty: inner });
            self.path.pop();
            out.push((key, value?));
        }
        Ok(if out.is_empty() { self.empty_map.clone() } else { Value::Map(Arc::new(out.into_iter().collect())) })
    }

    fn read_record<'de, A: MapAccess<'de>>(&mut self, ty: TypeIdx, mut map: A) -> Result<Value, A::Error> {
        let Some(mut builder) = Builder::new(self.schema, ty) else {
            self.error(|_| ("a type the plan declares".to_owned(), format!("type index {ty}"), None));
            drain_map(map)?;
            return Ok(Value::None);
        };
        self.read_fields(&mut builder, &mut map)?;
        Ok(Value::Record(self.finish(builder)))
    }

    fn read_fields<'de, A: MapAccess<'de>>(&mut self, b: &mut Builder, map: &mut A) -> Result<(), A::Error> {
        let outer = self.field;
        let result = self.read_fields_in(b, map);
        self.field = outer;
        result
    }

    fn read_fields_in<'de, A: MapAccess<'de>>(&mut self, b: &mut Builder, map: &mut A) -> Result<(), A::Error> {
        let schema = self.schema;
        let table = &schema.tables[b.ty as usize];
        while let Some(key) = map.next_key_seed(FieldKeySeed { table, hint: self.hint(b) })? {
            match key {
                FieldKey::Field(i) => {
                    self.learn(b, i);
                    self.field = schema.field_id(b.ty, i);
                    self.path.push(Seg::Field(table.names[i]));
                    if b.seen.get(i) {
                        self.error(|_| ("each field once".to_owned(), "it a second time".to_owned(), None));
                        self.path.pop();
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    let value = map.next_value_seed(ValueSeed { ctx: self, ty: table.types[i] });
                    self.path.pop();
                    b.set(i, value?);
                }
                FieldKey::Extra(name) => {
                    if let Some(meant) = misspelling_of(&name, &table.names)
                        && self.misspelt.insert((b.ty, name.clone()))
                    {
                        self.warn(format!(
                            "unknown field `{name}` of {} kept as extra data, so `{meant}` is not set (did you mean `{meant}`?)",
                            schema.name(b.ty)
                        ));
                    }
                    let value: serde_json::Value = map.next_value()?;
                    b.extra(name, value);
                }
            }
        }
        Ok(())
    }

    /// Fills the fields the data left out, or reports them.
    fn finish(&mut self, mut b: Builder) -> Record {
        let schema = self.schema;
        let table = &schema.tables[b.ty as usize];
        for (i, ty) in table.types.iter().enumerate() {
            if b.seen.get(i) {
                continue;
            }
            match ty {
                // `any` includes null, and the compiler folds `any?` into `any`.
                Type::Optional(_) | Type::Any => {}
                // SNAPSHOT.md: `tags` defaults to empty; every absent map reads as empty. Lists
                // are required like any other field: an importer that knows of none writes `[]`.
                Type::Map(_) => b.fields[i] = self.empty_map.clone(),
                _ => {
                    self.path.push(Seg::Field(table.names[i]));
                    self.missing(ty);
                    self.path.pop();
                }
            }
        }
        Record::new(b.ty, b.fields, b.extra)
    }

    /// A top-level asset or event: its `type` decides how the rest reads.
    fn read_top<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        want: Want,
        known: Option<TypeIdx>,
    ) -> Result<Option<(TypeIdx, Record)>, A::Error> {
        if let Some(ty) = known {
            // `type` is one of the fields: it is read (and stored) with the others.
            let Some(mut builder) = Builder::new(self.schema, ty) else {
                drain_map(map)?;
                return Ok(None);
            };
            self.read_fields(&mut builder, &mut map)?;
            return Ok(Some((ty, self.finish(builder))));
        }
        match map.next_key_seed(FirstKeySeed)? {
            None => {
                self.missing_type(want);
                Ok(None)
            }
            Some(FirstKey::Type) => {
                self.path.push(Seg::Field("type"));
                let name = map.next_value_seed(ValueSeed { ctx: self, ty: &STRING })?;
                let resolved = self.resolve_type(&name, want);
                self.path.pop();
                let Some((ty, mut builder)) = resolved else {
                    drain_map(map)?;
                    return Ok(None);
                };
                if let Some(slot) = self.schema.tables[ty as usize].type_slot {
                    builder.set(slot, name);
                }
                self.read_fields(&mut builder, &mut map)?;
                Ok(Some((ty, self.finish(builder))))
            }
            Some(FirstKey::Other(key)) => {
                // `type` is not first (and no first pass found it: this is a streamed input,
                // or the type is not a plain known name): buffer this object, only this one,
                // and convert it once the type is known.
                let first: serde_json::Value = map.next_value()?;
                let mut entries = vec![(key, first)];
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    entries.push(entry);
                }
                self.replay_top(entries, want).map_err(de::Error::custom)
            }
        }
    }

    fn replay_top(
        &mut self,
        mut entries: Vec<(String, serde_json::Value)>,
        want: Want,
    ) -> Result<Option<(TypeIdx, Record)>, serde_json::Error> {
        let Some(at) = entries.iter().position(|(k, _)| k == "type") else {
            self.missing_type(want);
            return Ok(None);
        };
        let (_, raw_name) = entries.remove(at);
        self.path.push(Seg::Field("type"));
        let name = ValueSeed { ctx: self, ty: &STRING }.deserialize(raw_name)?;
        let resolved = self.resolve_type(&name, want);
        self.path.pop();
        let Some((ty, mut b)) = resolved else {
            return Ok(None);
        };
        let schema = self.schema;
        let table = &schema.tables[ty as usize];
        if let Some(slot) = table.type_slot {
            b.set(slot, name);
        }
        // The buffered values are JSON already: YAML's string rule does not apply to them.
        let yaml = std::mem::replace(&mut self.yaml, false);
        let mut result = Ok(());
        for (key, raw) in entries {
            match table.find(&key, self.hint(&b)) {
                Some(i) => {
                    self.field = schema.field_id(ty, i);
                    self.path.push(Seg::Field(table.names[i]));
                    if b.seen.get(i) {
                        self.error(|_| ("each field once".to_owned(), "it a second time".to_owned(), None));
                    } else {
                        match (ValueSeed { ctx: self, ty: table.types[i] }).deserialize(raw) {
                            Ok(value) => b.set(i, value),
                            Err(e) => result = Err(e),
                        }
                    }
                    self.path.pop();
                }
                None => b.extra(key, raw),
            }
            if result.is_err() {
                break;
            }
        }
        self.yaml = yaml;
        self.field = ALWAYS;
        result?;
        Ok(Some((ty, self.finish(b))))
    }

    fn missing_type(&mut self, want: Want) {
        self.error(|_| {
            (format!("a `type` field naming the {} type", want.noun()), "an object without `type`".to_owned(), None)
        });
    }

    /// The type named by a top-level object's `type`, checked against what may appear here.
    fn resolve_type(&mut self, name: &Value, want: Want) -> Option<(TypeIdx, Builder)> {
        let Value::Str(name) = name else {
            return None; // not a string: already reported
        };
        let schema = self.schema;
        let Some(ty) = schema.lookup(name) else {
            self.error(|schema| {
                let known = schema.names_of(want.kinds()).join(", ");
                let help = match schema.suggest(name, want.kinds()) {
                    Some(s) => format!("did you mean `{s}`? known {} types: {known}", want.noun()),
                    None => format!("known {} types: {known}", want.noun()),
                };
                (format!("a known {} type", want.noun()), quote(name), Some(help))
            });
            return None;
        };
        let kind = schema.kind(ty)?;
        if !want.kinds().contains(&kind) {
            let what = match kind {
                TypeKind::Asset => "an asset type",
                TypeKind::Event => "an event type",
                TypeKind::Record => "a record type, which only appears inside assets and events",
            };
            let help = match (want, kind) {
                (Want::Asset, TypeKind::Event) => Some("events belong in `events`".to_owned()),
                (Want::Event, TypeKind::Asset) => Some("assets belong in `assets`".to_owned()),
                _ => None,
            };
            self.error(|_| (format!("an {} type", want.noun()), format!("{}, {what}", quote(name)), help));
            return None;
        }
        Builder::new(schema, ty).map(|b| (ty, b))
    }

    /// A whole document: `format`, `taken_at`, `assets`, `events`.
    fn read_document<'de, A: MapAccess<'de>>(&mut self, mut map: A) -> Result<(), A::Error> {
        let mut doc = DocState::new(self);
        while let Some(key) = map.next_key::<String>()? {
            if doc.skip {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            map.next_value_seed(MemberSeed { ctx: self, key: &key, doc: &mut doc })?;
        }
        self.end_document(&doc);
        Ok(())
    }

    /// The `coverage` section an import writes: what was collected, per place and type.
    fn coverage(&mut self, value: &serde_json::Value) {
        let serde_json::Value::Array(entries) = value else {
            let found = match value {
                serde_json::Value::Object(_) => "an object",
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::Bool(_) => "a boolean",
                serde_json::Value::Null => "null",
                serde_json::Value::Array(_) => "an array",
            };
            return self.error(|_| ("a list of coverage entries".to_owned(), found.to_owned(), None));
        };
        for (index, entry) in entries.iter().enumerate() {
            match serde_json::from_value::<CoverageEntry>(entry.clone()) {
                Ok(entry) => self.out.coverage.push(entry),
                Err(err) => {
                    self.path.push(Seg::Index(index as u32));
                    self.error(|_| {
                        (
                            "a coverage entry {provider, account, region?, type, status: collected | partial | failed | absent, reasons?}".to_owned(),
                            err.to_string(),
                            None,
                        )
                    });
                    self.path.pop();
                }
            }
        }
    }

    /// One top-level member of a document, its value read from `d`.
    pub(crate) fn doc_member<'de, D: Deserializer<'de>>(
        &mut self,
        key: &str,
        doc: &mut DocState,
        d: D,
    ) -> Result<(), D::Error> {
        if let Some(index) = TOP_LEVEL.iter().position(|known| *known == key) {
            if doc.seen[index] {
                self.path.push(Seg::Field(TOP_LEVEL[index]));
                self.error(|_| ("each top-level key once".to_owned(), format!("`{key}` a second time"), None));
                self.path.pop();
            }
            doc.seen[index] = true;
        }
        match key {
            "format" => {
                doc.format_seen = true;
                self.path.push(Seg::Field("format"));
                let value = ValueSeed { ctx: self, ty: &STRING }.deserialize(d);
                match &value {
                    Ok(Value::Str(f)) if FORMATS.contains(&&**f) => {}
                    Ok(Value::Str(f)) => {
                        // Another version's data would only add noise: report the format alone.
                        self.out.errors.truncate(doc.errors_before);
                        self.out.more_errors = doc.more_before;
                        self.out.rows.iter_mut().for_each(Vec::clear);
                        self.error(|_| (format!("a format this engine reads: {}", known_formats()), quote(f), None));
                        doc.skip = true;
                        doc.unknown_format = true;
                    }
                    _ => doc.skip = true,
                }
                self.path.pop();
                value.map(drop)
            }
            "taken_at" => {
                self.path.push(Seg::Field("taken_at"));
                let value = ValueSeed { ctx: self, ty: &TIME }.deserialize(d);
                if let Ok(Value::Time(t)) = value {
                    self.out.taken_at = Some(t);
                }
                self.path.pop();
                value.map(drop)
            }
            "coverage" => {
                self.path.push(Seg::Field("coverage"));
                let value = serde_json::Value::deserialize(d);
                if let Ok(value) = &value {
                    self.coverage(value);
                }
                self.path.pop();
                value.map(drop)
            }
            "assets" | "events" => {
                let (name, want) = if key == "assets" { ("assets", Want::Asset) } else { ("events", Want::Event) };
                self.path.push(Seg::Field(name));
                let result = ArraySeed { ctx: self, want }.deserialize(d);
                self.path.pop();
                result
            }
            other => {
                let hint = TOP_LEVEL
                    .iter()
                    .find(|k| strsim::damerau_levenshtein(k, other) <= 2)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                self.warn(format!("unknown top-level key `{other}` ignored{hint}"));
                IgnoredAny::deserialize(d).map(drop)
            }
        }
    }

    /// After the last member: a document must name its format.
    pub(crate) fn end_document(&mut self, doc: &DocState) {
        if !doc.format_seen {
            self.path.push(Seg::Field("format"));
            self.error(|_| {
                (
                    format!("a `format` field naming a version this engine reads: {}", known_formats()),
                    "nothing (the field is missing)".to_owned(),
                    None,
                )
            });
            self.path.pop();
        }
    }

    /// One element of `assets` or `events` (the path ends at `assets`/`events`), stored.
    pub(crate) fn top_element<'de, D: Deserializer<'de>>(
        &mut self,
        want: Want,
        index: u32,
        d: D,
    ) -> Result<(), D::Error> {
        self.path.push(Seg::Index(index));
        let item = TopSeed { ctx: &mut *self, want, known: None }.deserialize(d);
        self.path.pop();
        if let Some((ty, record)) = item? {
            let section = if want == Want::Event { Section::Events } else { Section::Assets };
            let line = self.element_lines.line(want == Want::Event, index);
            self.push_row(ty, record, section, u64::from(index), line);
        }
        Ok(())
    }

    /// An element of `assets` / `events` given as its own text (the path ends at the list),
    /// starting on line `line` of its file.
    pub(crate) fn top_element_text(
        &mut self,
        want: Want,
        index: u32,
        line: u64,
        text: &str,
    ) -> Result<(), serde_json::Error> {
        let known = self.sniff_type(text, want);
        let mut de = serde_json::Deserializer::from_str(text);
        self.path.push(Seg::Index(index));
        let item = TopSeed { ctx: &mut *self, want, known }.deserialize(&mut de);
        self.path.pop();
        let item = item?;
        de.end()?;
        if let Some((ty, record)) = item {
            let section = if want == Want::Event { Section::Events } else { Section::Assets };
            self.push_row(ty, record, section, u64::from(index), line);
        }
        Ok(())
    }

    /// One JSONL line's text.
    pub(crate) fn line_text(&mut self, line: u64, text: &str) -> Result<(), serde_json::Error> {
        self.set_line(line);
        let known = self.sniff_type(text, Want::Either);
        let mut de = serde_json::Deserializer::from_str(text);
        let item = TopSeed { ctx: &mut *self, want: Want::Either, known }.deserialize(&mut de)?;
        de.end()?;
        if let Some((ty, record)) = item {
            self.push_row(ty, record, Section::Line, line, line);
        }
        Ok(())
    }

    /// The type of an object whose `type` is not its first key, by a first pass that skips
    /// every other value (cheaper than buffering the object; generators that sort keys put
    /// `type` late). `None` when `type` is first, or is not a plain known type of the right
    /// kind: the full pass then handles (and reports) it.
    fn sniff_type(&self, text: &str, want: Want) -> Option<TypeIdx> {
        let rest = text.trim_start().strip_prefix('{')?.trim_start();
        if rest.starts_with("\"type\"") {
            return None;
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let name = TypeSniff.deserialize(&mut de).ok()??;
        let ty = self.schema.lookup(&name)?;
        want.kinds().contains(&self.schema.kind(ty)?).then_some(ty)
    }

    /// Starts the path at `assets` or `events`, for elements parsed on their own.
    pub(crate) fn enter_section(&mut self, want: Want) {
        self.base = Base::Document;
        self.path.clear();
        self.path.push(Seg::Field(if want == Want::Event { "events" } else { "assets" }));
    }
}

/// What a document has said so far about its format.
pub(crate) struct DocState {
    pub(crate) format_seen: bool,
    /// The top-level keys read so far (of [`TOP_LEVEL`]): a key given twice is an error, not a
    /// silent choice between two values.
    seen: [bool; TOP_LEVEL.len()],
    /// Nothing more of the document is read (its format is unknown or not a string).
    pub(crate) skip: bool,
    /// The format is one this engine does not read: only that is reported.
    pub(crate) unknown_format: bool,
    errors_before: usize,
    more_before: usize,
}

impl DocState {
    pub(crate) fn new(ctx: &Ctx<'_>) -> DocState {
        DocState {
            format_seen: false,
            seen: [false; TOP_LEVEL.len()],
            skip: false,
            unknown_format: false,
            errors_before: ctx.out.errors.len(),
            more_before: ctx.out.more_errors,
        }
    }
}

/// The declared field an unknown one most likely misspells: the same letters but for case and
/// underscores (`roleId` for `role_id`), or within two edits of a name of five letters or more.
/// Unknown fields are kept (producers may pass through more than the schema says), so only
/// these near misses are worth a word.
fn misspelling_of<'n>(name: &str, declared: &[&'n str]) -> Option<&'n str> {
    let fold = |text: &str| text.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect::<String>();
    let folded = fold(name);
    declared.iter().copied().find(|field| fold(field) == folded).or_else(|| {
        (name.len() >= 5)
            .then(|| declared.iter().copied().find(|field| strsim::damerau_levenshtein(field, name) <= 2))
            .flatten()
    })
}

/// The top-level keys of a snapshot document.
const TOP_LEVEL: [&str; 5] = ["format", "taken_at", "assets", "events", "coverage"];

/// A document member's value.
struct MemberSeed<'c, 's, 'k> {
    ctx: &'c mut Ctx<'s>,
    key: &'k str,
    doc: &'c mut DocState,
}

impl<'de> DeserializeSeed<'de> for MemberSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.ctx.doc_member(self.key, self.doc, d)
    }
}

fn known_formats() -> String {
    FORMATS.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
}

/// `a.b.c.d/n`, an IPv6 CIDR, or a bare address as a /32 (/128).
pub(crate) fn parse_cidr(text: &str) -> Option<ipnet::IpNet> {
    match text.parse::<ipnet::IpNet>() {
        Ok(net) => Some(net),
        Err(_) if !text.contains('/') => text.parse::<IpAddr>().ok().map(ipnet::IpNet::from),
        Err(_) => None,
    }
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// A scalar as the data held it.
#[derive(Clone, Copy, Debug)]
enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// Above `i64::MAX`.
    Big(u64),
    Float(f64),
    Str(&'a str),
}

impl Scalar<'_> {
    fn from_u64(v: u64) -> Scalar<'static> {
        match i64::try_from(v) {
            Ok(i) => Scalar::Int(i),
            Err(_) => Scalar::Big(v),
        }
    }

    fn render(self) -> String {
        match self {
            Scalar::Null => "null".to_owned(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Big(u) => u.to_string(),
            Scalar::Float(x) => serde_json::Number::from_f64(x).map_or_else(|| x.to_string(), |n| n.to_string()),
            Scalar::Str(s) => quote(s),
        }
    }

    fn to_json(self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Scalar::Null => J::Null,
            Scalar::Bool(b) => J::Bool(b),
            Scalar::Int(i) => J::from(i),
            Scalar::Big(u) => J::from(u),
            Scalar::Float(x) => serde_json::Number::from_f64(x).map_or(J::Null, J::Number),
            Scalar::Str(s) => J::String(s.to_owned()),
        }
    }
}

/// The scalar `visit_*` methods of a visitor, all sent to `self.scalar(..)`.
macro_rules! visit_scalars {
    () => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(self.scalar(Scalar::Bool(v)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(self.scalar(Scalar::Int(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(self.scalar(Scalar::from_u64(v)))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(self.scalar(Scalar::Float(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(self.scalar(Scalar::Str(v)))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.scalar(Scalar::Null))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.scalar(Scalar::Null))
        }
    };
}

/// One record being filled: its slots, which were seen, and the undeclared fields.
struct Builder {
    ty: TypeIdx,
    fields: Vec<Value>,
    seen: Seen,
    /// The slot set last (the field count before any): where the next field is guessed from.
    prev: usize,
    extra: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

impl Builder {
    fn new(schema: &Schema<'_>, ty: TypeIdx) -> Option<Builder> {
        let n = schema.tables.get(ty as usize)?.names.len();
        let mut fields = Vec::with_capacity(n);
        fields.resize(n, Value::None);
        Some(Builder { ty, fields, seen: Seen::new(n), prev: n, extra: None })
    }

    fn set(&mut self, i: usize, value: Value) {
        self.fields[i] = value;
        self.seen.set(i);
        self.prev = i;
    }

    fn extra(&mut self, name: String, value: serde_json::Value) {
        self.extra.get_or_insert_with(Default::default).insert(name, value);
    }
}

/// A bit set of slots, allocation-free up to 64 fields.
struct Seen {
    low: u64,
    high: Vec<bool>,
}

impl Seen {
    fn new(n: usize) -> Seen {
        Seen { low: 0, high: if n > 64 { vec![false; n - 64] } else { Vec::new() } }
    }

    fn get(&self, i: usize) -> bool {
        if i < 64 { self.low >> i & 1 == 1 } else { self.high.get(i - 64).copied().unwrap_or(false) }
    }

    fn set(&mut self, i: usize) {
        if i < 64 {
            self.low |= 1 << i;
        } else if let Some(slot) = self.high.get_mut(i - 64) {
            *slot = true;
        }
    }
}

/// A field of type `ty`.
pub(crate) struct ValueSeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    ty: &'s Type,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let ValueSeed { ctx, ty } = self;
        match ty {
            Type::Optional(inner) => d.deserialize_option(OptionVisitor { ctx, inner, required: false }),
            Type::Any => Ok(Value::Json(Arc::new(serde_json::Value::deserialize(d)?))),
            Type::String | Type::Enum(_) | Type::Time | Type::Ip | Type::Cidr | Type::Regex | Type::Ref(_)
                if ctx.yaml =>
            {
                d.deserialize_option(OptionVisitor { ctx, inner: ty, required: true })
            }
            _ => d.deserialize_any(ValueVisitor { ctx, ty }),
        }
    }
}

/// `T?`, and YAML's string-typed scalars (a null there is reported, not a YAML error).
struct OptionVisitor<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    inner: &'s Type,
    /// Null is an error: `inner` is a required string-typed field read from YAML.
    required: bool,
}

impl<'de> Visitor<'de> for OptionVisitor<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an optional value")
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        if self.required {
            self.ctx.mismatch(self.inner, || "null".to_owned());
        }
        Ok(Value::None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let OptionVisitor { ctx, inner, required } = self;
        if required {
            // YAML, string-typed: the scalar's text as written.
            d.deserialize_str(ValueVisitor { ctx, ty: inner })
        } else {
            ValueSeed { ctx, ty: inner }.deserialize(d)
        }
    }
}

/// Accepts any data and converts it to `ty`, reporting what does not fit.
struct ValueVisitor<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    ty: &'s Type,
}

impl ValueVisitor<'_, '_> {
    fn scalar(self, s: Scalar<'_>) -> Value {
        self.ctx.scalar(self.ty, s)
    }
}

/// The member of `ty` a list is read as: a list type or `any`.
fn list_member(ty: &Type) -> Option<&Type> {
    match ty {
        Type::List(_) | Type::Any => Some(ty),
        Type::Optional(t) => list_member(t),
        Type::Union(members) => members.iter().find_map(list_member),
        _ => None,
    }
}

/// The member of `ty` an object is read as: a map, a record or `any`.
fn map_member(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Map(_) | Type::Named(_) | Type::Any => Some(ty),
        Type::Optional(t) => map_member(t),
        Type::Union(members) => members.iter().find_map(map_member),
        _ => None,
    }
}

impl<'de> Visitor<'de> for ValueVisitor<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    visit_scalars!();

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        ValueSeed { ctx: self.ctx, ty: self.ty }.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        let ValueVisitor { ctx, ty } = self;
        match list_member(ty) {
            Some(Type::List(inner)) => ctx.read_list(inner, seq),
            Some(_) => Ok(Value::Json(Arc::new(serde_json::Value::deserialize(SeqAccessDeserializer::new(seq))?))),
            None => {
                ctx.mismatch(ty, || "a list".to_owned());
                drain_seq(seq)?;
                Ok(Value::None)
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        let ValueVisitor { ctx, ty } = self;
        match map_member(ty) {
            Some(Type::Map(inner)) => ctx.read_map(inner, map),
            Some(Type::Named(idx)) => ctx.read_record(*idx, map),
            Some(_) => Ok(Value::Json(Arc::new(serde_json::Value::deserialize(MapAccessDeserializer::new(map))?))),
            None => {
                ctx.mismatch(ty, || "an object".to_owned());
                drain_map(map)?;
                Ok(Value::None)
            }
        }
    }
}

/// A map key, interned (tag keys repeat across assets).
struct MapKeySeed<'c> {
    interner: &'c mut Interner,
}

impl<'de> DeserializeSeed<'de> for MapKeySeed<'_> {
    type Value = ArcStr;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ArcStr, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for MapKeySeed<'_> {
    type Value = ArcStr;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ArcStr, E> {
        Ok(self.interner.intern(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ArcStr, E> {
        Ok(self.interner.intern(&v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ArcStr, E> {
        Ok(self.interner.intern(&v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ArcStr, E> {
        Ok(self.interner.intern(if v { "true" } else { "false" }))
    }
}

enum FieldKey {
    Field(usize),
    Extra(String),
}

/// A record's key: a declared field's slot, or an extra field's name.
struct FieldKeySeed<'t, 's> {
    table: &'t Table<'s>,
    hint: usize,
}

impl<'de> DeserializeSeed<'de> for FieldKeySeed<'_, '_> {
    type Value = FieldKey;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FieldKey, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldKeySeed<'_, '_> {
    type Value = FieldKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldKey, E> {
        Ok(match self.table.find(v, self.hint) {
            Some(i) => FieldKey::Field(i),
            None => FieldKey::Extra(v.to_owned()),
        })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FieldKey, E> {
        Ok(FieldKey::Extra(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FieldKey, E> {
        Ok(FieldKey::Extra(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<FieldKey, E> {
        Ok(FieldKey::Extra(v.to_string()))
    }
}

enum FirstKey {
    Type,
    Other(String),
}

/// The first key of a top-level object: `type` (the fast path) or anything else.
struct FirstKeySeed;

impl<'de> DeserializeSeed<'de> for FirstKeySeed {
    type Value = FirstKey;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FirstKey, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FirstKeySeed {
    type Value = FirstKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FirstKey, E> {
        Ok(if v == "type" { FirstKey::Type } else { FirstKey::Other(v.to_owned()) })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FirstKey, E> {
        Ok(FirstKey::Other(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FirstKey, E> {
        Ok(FirstKey::Other(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<FirstKey, E> {
        Ok(FirstKey::Other(v.to_string()))
    }
}

/// The first pass over an object whose `type` is not first: the value of its first `type`
/// key if that is a string.
struct TypeSniff;

impl<'de> DeserializeSeed<'de> for TypeSniff {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TypeSniff {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        let mut found = None;
        while let Some(is_type) = map.next_key_seed(IsTypeKey)? {
            if is_type && found.is_none() {
                found = Some(map.next_value::<String>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Whether a key is `type`.
struct IsTypeKey;

impl<'de> DeserializeSeed<'de> for IsTypeKey {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for IsTypeKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == "type")
    }
}

/// A top-level asset or event object.
pub(crate) struct TopSeed<'c, 's> {
    pub(crate) ctx: &'c mut Ctx<'s>,
    pub(crate) want: Want,
    /// The object's type when a first pass found it (its `type` is not the first key).
    pub(crate) known: Option<TypeIdx>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = Option<(TypeIdx, Record)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl TopSeed<'_, '_> {
    fn not_object(self, found: String) {
        let want = self.want;
        self.ctx.error(|_| (format!("an object (an {})", want.noun()), found, None));
    }

    fn scalar(self, s: Scalar<'_>) -> Option<(TypeIdx, Record)> {
        self.not_object(s.render());
        None
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = Option<(TypeIdx, Record)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an asset or event object")
    }

    visit_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.not_object("a list".to_owned());
        drain_seq(seq)?;
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.ctx.read_top(map, self.want, self.known)
    }
}

/// The JSONL entry point: one line's object, stored as a row.
pub(crate) fn read_line<'de, D: Deserializer<'de>>(ctx: &mut Ctx<'_>, line: u64, d: D) -> Result<(), D::Error> {
    ctx.set_line(line);
    if let Some((ty, record)) = (TopSeed { ctx: &mut *ctx, want: Want::Either, known: None }).deserialize(d)? {
        ctx.push_row(ty, record, Section::Line, line, line);
    }
    Ok(())
}

/// The `assets` or `events` list of a document.
struct ArraySeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    want: Want,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl ArraySeed<'_, '_> {
    fn scalar(self, s: Scalar<'_>) {
        // `"events": null` reads as no events.
        if !matches!(s, Scalar::Null) {
            self.not_list(s.render());
        }
    }

    fn not_list(self, found: String) {
        let want = self.want;
        self.ctx.error(|_| (format!("a list of {} objects", want.noun()), found, None));
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    visit_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ArraySeed { ctx, want } = self;
        let mut i: u32 = 0;
        while seq.next_element_seed(ElementSeed { ctx: &mut *ctx, want, index: i })?.is_some() {
            i = i.saturating_add(1);
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.not_list("an object".to_owned());
        drain_map(map)
    }
}

/// One element of `assets` or `events`.
struct ElementSeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    want: Want,
    index: u32,
}

impl<'de> DeserializeSeed<'de> for ElementSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.ctx.top_element(self.want, self.index, d)
    }
}

/// A whole snapshot document.
pub(crate) struct DocSeed<'c, 's> {
    pub(crate) ctx: &'c mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl DocSeed<'_, '_> {
    fn scalar(self, s: Scalar<'_>) {
        self.not_document(s.render());
    }

    fn not_document(self, found: String) {
        self.ctx.error(|_| {
            ("a snapshot document (an object with `format`, `taken_at`, `assets`, `events`)".to_owned(), found, None)
        });
    }
}

impl<'de> Visitor<'de> for DocSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a snapshot document")
    }

    visit_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.not_document("a list".to_owned());
        drain_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.ctx.read_document(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{FieldDef, Plan, TypeDef};

    fn plan() -> Plan {
        let record = |name: &str, fields: Vec<(&str, Type)>| TypeDef {
            name: name.to_owned(),
            qualified: format!("t.{name}"),
            kind: TypeKind::Record,
            fields: fields.into_iter().map(|(n, ty)| FieldDef { name: n.to_owned(), ty }).collect(),
        };
        crate::plan::test_plan(vec![record("R", vec![("n", Type::Int), ("s", Type::String)])])
    }

    /// Converts `json` to `ty`; returns the value and the errors as `location: expected / found`.
    fn convert(ty: Type, json: &str) -> (Value, Vec<String>) {
        convert_as(ty, json, false)
    }

    fn convert_as(ty: Type, text: &str, yaml: bool) -> (Value, Vec<String>) {
        let plan = plan();
        let schema = Schema::new(&plan);
        let mut ctx = Ctx::new(&schema, 0, Path::new("t"), yaml, Interner::default());
        ctx.path.push(Seg::Field("f"));
        let value = if yaml {
            serde_saphyr::with_deserializer_from_str(text, |d| ValueSeed { ctx: &mut ctx, ty: &ty }.deserialize(d))
                .map_err(|e| e.to_string())
        } else {
            let mut d = serde_json::Deserializer::from_str(text);
            ValueSeed { ctx: &mut ctx, ty: &ty }.deserialize(&mut d).map_err(|e| e.to_string())
        };
        let value = match value {
            Ok(v) => v,
            Err(e) => panic!("syntax error: {e}"),
        };
        let errors = ctx.out.errors.iter().map(|e| format!("{}: {} / {}", e.location, e.expected, e.found)).collect();
        (value, errors)
    }

    fn ok(ty: Type, json: &str) -> Value {
        let (v, errors) = convert(ty, json);
        assert!(errors.is_empty(), "{errors:?}");
        v
    }

    fn err(ty: Type, json: &str) -> String {
        let (_, errors) = convert(ty, json);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0].clone()
    }

    #[test]
    fn scalars_convert_to_their_types() {
        assert!(matches!(ok(Type::Bool, "true"), Value::Bool(true)));
        assert!(matches!(ok(Type::Int, "-3"), Value::Int(-3)));
        assert!(matches!(ok(Type::Float, "3"), Value::Float(x) if x == 3.0));
        assert!(matches!(ok(Type::Float, "2.5"), Value::Float(x) if x == 2.5));
        assert!(matches!(ok(Type::Duration, "90"), Value::Duration(d) if d == 90 * crate::value::MICROS_PER_SECOND));
        assert_eq!(ok(Type::String, r#""abc""#).as_str(), Some("abc"));
        assert_eq!(ok(Type::Ref(vec![0]), r#""sg-1""#).as_str(), Some("sg-1"));
        let t = ok(Type::Time, r#""2026-11-20T08:00:00Z""#);
        assert!(matches!(t, Value::Time(n) if Some(n) == parse_time("2026-11-20T08:00:00Z")));
        assert!(matches!(ok(Type::Ip, r#""10.0.0.1""#), Value::Ip4(_)));
        assert!(matches!(ok(Type::Ip, r#""::1""#), Value::Ip6(_)));
        assert!(matches!(ok(Type::Regex, r#""^a+$""#), Value::Regex(r) if r.is_match("aa")));
        assert!(matches!(ok(Type::Any, r#"{"a": [1]}"#), Value::Json(j) if j["a"][0] == 1));
    }

    #[test]
    fn cidrs_accept_bare_addresses() {
        assert!(matches!(ok(Type::Cidr, r#""10.0.0.0/8""#), Value::Cidr(n) if n.prefix_len() == 8));
        assert!(matches!(ok(Type::Cidr, r#""10.1.2.3""#), Value::Cidr(n) if n.prefix_len() == 32));
        assert!(matches!(ok(Type::Cidr, r#""2001:db8::1""#), Value::Cidr(n) if n.prefix_len() == 128));
        assert!(matches!(ok(Type::Cidr, r#""2001:db8::/32""#), Value::Cidr(n) if n.prefix_len() == 32));
        assert_eq!(err(Type::Cidr, r#""10.0.0.300/24""#), r#"$.f: cidr / "10.0.0.300/24""#);
        assert_eq!(err(Type::Cidr, r#""10.0.0.1/33""#), r#"$.f: cidr / "10.0.0.1/33""#);
    }

    #[test]
    fn mismatches_name_the_expected_type() {
        assert_eq!(err(Type::Int, r#""22""#), r#"$.f: int / "22""#);
        assert_eq!(err(Type::Int, "1.5"), "$.f: int / 1.5");
        assert_eq!(err(Type::Int, "18446744073709551615"), "$.f: int / 18446744073709551615");
        assert_eq!(err(Type::Bool, "null"), "$.f: bool / null");
        assert_eq!(err(Type::Time, r#""yesterday""#), r#"$.f: time (RFC 3339) / "yesterday""#);
        assert_eq!(err(Type::Ip, r#""10.0.0.256""#), r#"$.f: ip / "10.0.0.256""#);
        assert_eq!(err(Type::String, "[1]"), "$.f: string / a list");
        assert_eq!(err(Type::List(Box::new(Type::Int)), "{}"), "$.f: [int] / an object");
        assert_eq!(err(Type::Regex, r#""(""#), r#"$.f: regex / "(""#);
    }

    #[test]
    fn enums_list_their_values_and_ignore_case() {
        let protocol = || Type::Enum(vec!["tcp".into(), "udp".into(), "icmp".into(), "all".into()]);
        assert_eq!(ok(protocol(), r#""tcp""#).as_str(), Some("tcp"));
        assert_eq!(ok(protocol(), r#""TCP""#).as_str(), Some("tcp"));
        assert_eq!(err(protocol(), r#""tcpp""#), r#"$.f: one of "tcp", "udp", "icmp", "all" / "tcpp""#);
    }

    #[test]
    fn lists_maps_and_records_nest_with_paths() {
        let v = ok(Type::List(Box::new(Type::Ip)), r#"["10.0.0.1", "10.0.0.2"]"#);
        assert!(matches!(&v, Value::List(items) if items.len() == 2));
        let v = ok(Type::Map(Box::new(Type::String)), r#"{"env": "prod"}"#);
        assert!(matches!(&v, Value::Map(m) if m.get("env").and_then(|v| v.as_str()) == Some("prod")));
        assert_eq!(
            err(Type::List(Box::new(Type::Map(Box::new(Type::Int)))), r#"[{}, {"a b": "x"}]"#),
            r#"$.f[1]["a b"]: int / "x""#
        );
        let v = ok(Type::Named(0), r#"{"n": 1, "s": "x", "zz": {"k": true}}"#);
        let Value::Record(r) = v else { panic!("not a record") };
        assert!(matches!(r.fields()[0], Value::Int(1)));
        assert!(r.extra().is_some_and(|e| e["zz"]["k"] == true));
        assert_eq!(err(Type::Named(0), r#"{"s": "x"}"#), "$.f.n: int / nothing (the field is missing)");
        assert_eq!(err(Type::Named(0), r#"{"n": 1, "n": 2, "s": ""}"#), "$.f.n: each field once / it a second time");
    }

    #[test]
    fn optionals_and_absent_collections() {
        assert!(ok(Type::Optional(Box::new(Type::Cidr)), "null").is_none());
        assert!(matches!(ok(Type::Optional(Box::new(Type::Cidr)), r#""1.2.3.4""#), Value::Cidr(_)));
        assert!(matches!(ok(Type::List(Box::new(Type::Int)), "null"), Value::List(l) if l.is_empty()));
        assert!(matches!(ok(Type::Map(Box::new(Type::Int)), "null"), Value::Map(m) if m.is_empty()));
        assert_eq!(err(Type::Optional(Box::new(Type::Cidr)), r#""x""#), r#"$.f: cidr / "x""#);
    }

    #[test]
    fn unions_take_the_first_member_that_fits() {
        let action = || Type::Union(vec![Type::String, Type::List(Box::new(Type::String))]);
        assert_eq!(ok(action(), r#""cos:*""#).as_str(), Some("cos:*"));
        assert!(matches!(ok(action(), r#"["a", "b"]"#), Value::List(l) if l.len() == 2));
        assert_eq!(err(action(), "3"), "$.f: string | [string] / 3");
        let ip_or_string = Type::Union(vec![Type::Ip, Type::String]);
        assert!(matches!(ok(ip_or_string.clone(), r#""1.2.3.4""#), Value::Ip4(_)));
        assert!(matches!(ok(ip_or_string, r#""host""#), Value::Str(_)));
    }

    #[test]
    fn strings_are_interned() {
        let (v, _) = convert(Type::List(Box::new(Type::String)), r#"["same", "same"]"#);
        let Value::List(items) = v else { panic!("not a list") };
        let (Value::Str(a), Value::Str(b)) = (&items[0], &items[1]) else { panic!("not strings") };
        assert!(ArcStr::ptr_eq(a, b));
    }

    #[test]
    fn yaml_string_fields_keep_the_text_written() {
        let (v, errors) = convert_as(Type::String, "no", true);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(v.as_str(), Some("no"));
        let (v, _) = convert_as(Type::String, "1250000000", true);
        assert_eq!(v.as_str(), Some("1250000000"));
        let (v, errors) = convert_as(Type::String, "~", true);
        assert!(v.is_none());
        assert_eq!(errors, vec!["$.f: string / null".to_owned()]);
        let (v, _) = convert_as(Type::Bool, "true", true);
        assert!(matches!(v, Value::Bool(true)));
    }
}
