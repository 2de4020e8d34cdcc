//! The typed, indexed store built from every file of a load.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::coverage::CoverageEntry;
use crate::plan::{Type, TypeIdx, TypeKind};
use crate::value::{ArcStr, Micros, Record, Value, format_time};

use super::error::{Base, LoadError, LoadErrors, LoadWarning, MAX_DANGLING_WARNINGS, Seg, format_location, quote};
use super::intern::Seeded;
use super::schema::Schema;
use super::seed::Output;

/// Where in the inputs a row came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    /// Index into [`Store::files`].
    pub(crate) file: u32,
    pub(crate) section: Section,
    /// The index in `assets` / `events`, or the JSONL line number.
    pub(crate) pos: u32,
    /// The line the row's object starts on (YAML: the line of its `id` entry), 1-based; 0
    /// when the reader cannot tell cheaply (JSON the streaming path re-reads). For SARIF's
    /// `region.startLine`.
    pub(crate) line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Assets,
    Events,
    Line,
}

impl Origin {
    fn base_and_path(self) -> (Base, Vec<Seg<'static>>) {
        match self.section {
            Section::Assets => (Base::Document, vec![Seg::Field("assets"), Seg::Index(self.pos)]),
            Section::Events => (Base::Document, vec![Seg::Field("events"), Seg::Index(self.pos)]),
            Section::Line => (Base::Line(u64::from(self.pos)), Vec::new()),
        }
    }

    /// `$.assets[3]` or `line 12`, followed by `path` inside the row.
    fn location(self, path: &[Seg<'_>]) -> String {
        let (base, mut segs) = self.base_and_path();
        segs.extend(path.iter().cloned());
        format_location(base, &segs)
    }
}

/// One loaded asset or event, before it is placed in the store.
#[derive(Clone)]
pub(crate) struct Row {
    pub(crate) record: Record,
    pub(crate) origin: Origin,
}

/// The rows of one type.
#[derive(Default)]
struct Rows {
    rows: Vec<Record>,
    origins: Vec<Origin>,
    /// Asset types: id to row.
    ids: HashMap<ArcStr, u32, Seeded>,
}

/// Every asset and event of a snapshot, typed and indexed.
///
/// Rows are per type ([`TypeIdx`]). Asset rows keep input order (files in sorted path order,
/// then document order) and are indexed by `id`; event rows are sorted by `time`, ties kept in
/// input order, which is what alarms' windows need.
pub struct Store {
    taken_at: Micros,
    /// The producers' `coverage` entries, in input order.
    coverage: Vec<CoverageEntry>,
    files: Vec<PathBuf>,
    types: Vec<Rows>,
    assets: usize,
    events: usize,
}

impl Store {
    /// The snapshot's "now": the latest `taken_at` of its documents.
    pub fn taken_at(&self) -> Micros {
        self.taken_at
    }

    /// What the snapshot's producers say they collected (empty when no document says).
    pub fn coverage(&self) -> &[CoverageEntry] {
        &self.coverage
    }

    /// The rows of a type: assets in input order, events in time order. Empty for a type with
    /// no data (or an index outside the plan).
    pub fn rows(&self, ty: TypeIdx) -> &[Record] {
        self.types.get(ty as usize).map_or(&[], |t| &t.rows)
    }

    /// The asset of type `ty` with this id.
    pub fn get(&self, ty: TypeIdx, id: &str) -> Option<&Record> {
        let rows = self.types.get(ty as usize)?;
        let row = *rows.ids.get(id)?;
        rows.rows.get(row as usize)
    }

    /// The row of the asset of type `ty` with this id.
    pub fn row_of(&self, ty: TypeIdx, id: &str) -> Option<u32> {
        self.types.get(ty as usize)?.ids.get(id).copied()
    }

    /// Follows a reference: the first of `types` that has an asset with this id.
    pub fn deref(&self, types: &[TypeIdx], id: &str) -> Option<(TypeIdx, &Record)> {
        types.iter().find_map(|ty| self.get(*ty, id).map(|r| (*ty, r)))
    }

    /// How many assets were loaded, over all types.
    pub fn asset_count(&self) -> usize {
        self.assets
    }

    /// How many events were loaded, over all types.
    pub fn event_count(&self) -> usize {
        self.events
    }

    /// The files the snapshot was read from, in load order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Where row `row` of type `ty` was read: its file and `$.assets[3]` / `line 12`.
    pub fn origin(&self, ty: TypeIdx, row: usize) -> Option<(&Path, String)> {
        let origin = *self.types.get(ty as usize)?.origins.get(row)?;
        let file = self.files.get(origin.file as usize)?;
        Some((file.as_path(), origin.location(&[])))
    }

    /// The file row `row` of type `ty` was read from and the line its object starts on
    /// (`None` when the reader did not record it: YAML).
    pub fn source_line(&self, ty: TypeIdx, row: usize) -> Option<(&Path, Option<u32>)> {
        let origin = *self.types.get(ty as usize)?.origins.get(row)?;
        let file = self.files.get(origin.file as usize)?;
        Some((file.as_path(), (origin.line > 0).then_some(origin.line)))
    }
}

/// Merges the outputs of every file into a store, or lists every error.
///
/// `root` names the load in errors that belong to no single file (no `taken_at` anywhere).
pub(crate) fn build(
    schema: &Schema<'_>,
    files: Vec<PathBuf>,
    outputs: Vec<Output>,
    root: &Path,
) -> Result<(Store, Vec<LoadWarning>), LoadErrors> {
    let mut errors = Vec::new();
    let mut more = 0;
    let mut warnings = Vec::new();
    let mut taken: Vec<(u32, Micros)> = Vec::new();
    let mut coverage = Vec::new();
    let mut types: Vec<Rows> = (0..schema.type_count()).map(|_| Rows::default()).collect();
    for (file, out) in outputs.into_iter().enumerate() {
        errors.extend(out.errors);
        more += out.more_errors;
        warnings.extend(out.warnings);
        if let Some(t) = out.taken_at {
            taken.push((file as u32, t));
        }
        coverage.extend(out.coverage);
        for (ty, rows) in out.rows.into_iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let slot = &mut types[ty];
            slot.rows.reserve(rows.len());
            slot.origins.reserve(rows.len());
            for row in rows {
                slot.rows.push(row.record);
                slot.origins.push(row.origin);
            }
        }
    }

    // Ids: unique per asset type, across every input.
    let mut assets = 0;
    let mut events = 0;
    for (ty, slot) in types.iter_mut().enumerate() {
        let table = &schema.tables[ty];
        match schema.kind(ty as TypeIdx) {
            Some(TypeKind::Asset) => assets += slot.rows.len(),
            Some(TypeKind::Event) => events += slot.rows.len(),
            _ => {}
        }
        let Some(id_slot) = table.id_slot else { continue };
        slot.ids.reserve(slot.rows.len());
        for (row, record) in slot.rows.iter().enumerate() {
            let Some(Value::Str(id)) = record.fields().get(id_slot) else { continue };
            if let Some(&first) = slot.ids.get(id) {
                if errors.len() >= super::error::MAX_ERRORS {
                    more += 1;
                    continue;
                }
                let (here, there) = (slot.origins[row], slot.origins[first as usize]);
                errors.push(LoadError {
                    file: files[here.file as usize].clone(),
                    location: here.location(&[Seg::Field("id")]),
                    expected: format!("an id unique among {} assets", schema.name(ty as TypeIdx)),
                    found: format!("{}, already the id of {}", quote(id), render_origin(&files, there)),
                    help: None,
                });
            } else {
                slot.ids.insert(id.clone(), row as u32);
            }
        }
    }

    let Some(&(_, latest)) = taken.iter().max_by_key(|(_, t)| *t) else {
        let found = if files.is_empty() {
            "no .json, .yaml, .yml or .jsonl file".to_owned()
        } else if files.iter().all(|f| f.extension().is_some_and(|e| e == "jsonl")) {
            "only JSONL files, which carry no `taken_at`".to_owned()
        } else {
            "no document with a valid `taken_at`".to_owned()
        };
        // Only worth saying when nothing else is wrong: a broken document may have held it.
        if errors.is_empty() && more == 0 {
            errors.push(LoadError {
                file: root.to_path_buf(),
                location: String::new(),
                expected: "a snapshot document (.json, .yaml) with `taken_at`".to_owned(),
                found,
                help: None,
            });
        }
        return Err(LoadErrors::capped(errors, more));
    };
    if !errors.is_empty() || more > 0 {
        return Err(LoadErrors::capped(errors, more));
    }
    if let Some(&(other, t)) = taken.iter().find(|(_, t)| *t != latest) {
        let (newest, _) = taken.iter().find(|(_, t)| *t == latest).copied().unwrap_or((0, latest));
        warnings.push(LoadWarning {
            file: files[other as usize].clone(),
            location: "$.taken_at".to_owned(),
            message: format!(
                "documents disagree on `taken_at`: {} here, {} in {}; using the latest",
                format_time(t),
                format_time(latest),
                files[newest as usize].display()
            ),
        });
    }

    // Events in time order, stable: alarms slide windows over them.
    for (ty, slot) in types.iter_mut().enumerate() {
        let Some(time_slot) = schema.tables[ty].time_slot else { continue };
        let key = |r: &Record| match r.fields().get(time_slot) {
            Some(Value::Time(t)) => *t,
            _ => Micros::MIN,
        };
        if slot.rows.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
            continue;
        }
        let mut order: Vec<(Micros, u32)> = slot.rows.iter().enumerate().map(|(i, r)| (key(r), i as u32)).collect();
        order.sort_unstable();
        let rows = std::mem::take(&mut slot.rows);
        let origins = std::mem::take(&mut slot.origins);
        slot.rows = order.iter().map(|(_, i)| rows[*i as usize].clone()).collect();
        slot.origins = order.iter().map(|(_, i)| origins[*i as usize]).collect();
    }

    let store = Store { taken_at: latest, coverage, files, types, assets, events };
    warnings.extend(dangling(schema, &store));
    Ok((store, warnings))
}

fn render_origin(files: &[PathBuf], origin: Origin) -> String {
    format!("{}: {}", files[origin.file as usize].display(), origin.location(&[]))
}

/// Warnings for references naming no loaded asset, resolved once every file is in.
fn dangling(schema: &Schema<'_>, store: &Store) -> Vec<LoadWarning> {
    let mut walk = Dangling { schema, store, path: Vec::new(), origin: None, found: Vec::new(), count: 0 };
    for (ty, slot) in store.types.iter().enumerate() {
        if !schema.has_refs(ty as TypeIdx) {
            continue;
        }
        for (record, origin) in slot.rows.iter().zip(&slot.origins) {
            walk.origin = Some(*origin);
            walk.record(record);
        }
    }
    let mut warnings = walk.found;
    if walk.count > warnings.len() {
        let rest = walk.count - warnings.len();
        let file = store.files.first().cloned().unwrap_or_default();
        warnings.push(LoadWarning {
            file,
            location: String::new(),
            message: format!("and {rest} more dangling reference{}", if rest == 1 { "" } else { "s" }),
        });
    }
    warnings
}

struct Dangling<'a, 's> {
    schema: &'a Schema<'s>,
    store: &'a Store,
    path: Vec<Seg<'s>>,
    origin: Option<Origin>,
    found: Vec<LoadWarning>,
    count: usize,
}

impl<'s> Dangling<'_, 's> {
    fn record(&mut self, record: &Record) {
        let schema = self.schema;
        let Some(table) = schema.tables.get(record.ty() as usize) else { return };
        for (i, value) in record.fields().iter().enumerate() {
            let ty = table.types[i];
            if !schema.type_has_refs(ty) {
                continue;
            }
            self.path.push(Seg::Field(table.names[i]));
            self.value(value, ty);
            self.path.pop();
        }
    }

    fn value(&mut self, value: &Value, ty: &'s Type) {
        match (ty, value) {
            (Type::Optional(inner), _) => self.value(value, inner),
            (Type::Ref(targets), Value::Str(id)) if self.store.deref(targets, id).is_none() => self.report(id, targets),
            (Type::List(inner), Value::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Seg::Index(i as u32));
                    self.value(item, inner);
                    self.path.pop();
                }
            }
            (Type::Map(inner), Value::Map(map)) => {
                for (key, item) in map.iter() {
                    self.path.push(Seg::Key(key.clone()));
                    self.value(item, inner);
                    self.path.pop();
                }
            }
            (Type::Named(_), Value::Record(record)) => self.record(record),
            (Type::Union(members), _) => {
                // The member the loader chose: the first one of the value's shape.
                let member = members.iter().find(|m| shape_fits(m, value));
                if let Some(member) = member {
                    self.value(value, member);
                }
            }
            _ => {}
        }
    }

    fn report(&mut self, id: &str, targets: &[TypeIdx]) {
        self.count += 1;
        if self.found.len() >= MAX_DANGLING_WARNINGS {
            return;
        }
        let Some(origin) = self.origin else { return };
        let file = self.store.files.get(origin.file as usize).cloned().unwrap_or_default();
        self.found.push(LoadWarning {
            file,
            location: origin.location(&self.path),
            message: format!("dangling reference: no {} has id {}", self.schema.ref_targets(targets), quote(id)),
        });
    }
}

/// Whether `value` has the shape `ty` produces (strings for strings, enums and refs, ...).
fn shape_fits(ty: &Type, value: &Value) -> bool {
    match (ty, value) {
        (Type::Optional(inner), _) => shape_fits(inner, value),
        (Type::String | Type::Ref(_), Value::Str(_)) => true,
        (Type::Enum(allowed), Value::Str(s)) => allowed.iter().any(|a| a.as_str() == &**s),
        (Type::List(_), Value::List(_)) | (Type::Map(_), Value::Map(_)) | (Type::Named(_), Value::Record(_)) => true,
        (Type::Union(members), _) => members.iter().any(|m| shape_fits(m, value)),
        _ => false,
    }
}
