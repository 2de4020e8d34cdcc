//! `rulec schema`: the snapshot schema for people who write their own producers.
//!
//! One model, rendered three ways. Types and fields come from the compiled plan — exactly what
//! the snapshot loader validates against — and doc comments from the declarations, so the
//! rule source, the JSON Schema and the Markdown reference cannot disagree with each other or
//! with `rulec check`. The schema is the standard library's plus whatever the built-in and
//! `--pack` packs declare: every asset and event type, and the records nested in them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use clap::ValueEnum;
use rulec_compiler::compilation::Compilation;
use rulec_compiler::db::{self, SourceFile};
use rulec_compiler::semantic::env::{ASSET_BASE, EVENT_BASE};
use rulec_compiler::syntax::ast::{Item, ItemKind, TypeExpr, TypeExprKind};
use rulec_runtime::plan::{Plan, Type, TypeDef, TypeIdx, TypeKind};
use serde_json::{Map, Value, json};

use super::{EXIT_BAD_INPUT, EXIT_OK, PackArgs, compile, fail, output};

/// The snapshot format the schema describes.
const SNAPSHOT_FORMAT: &str = "rulec.snapshot/v1";

/// RFC 3339, as the loader parses times (`T`, `t` or a space between date and time).
const TIME_PATTERN: &str =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";
/// An IPv4 address, or an IPv6 one (anything with a colon; the loader checks the rest).
const IP_PATTERN: &str = "^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)$";
/// A range `address/prefix`, or a bare address (a /32 or /128).
const CIDR_PATTERN: &str = "^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)(/[0-9]{1,3})?$";

#[derive(clap::Args, Debug)]
pub(crate) struct SchemaArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// `rule`: the declarations as written; `json-schema`: a JSON Schema (draft 2020-12) of a
    /// snapshot document; `markdown`: the reference of docs/snapshot.md
    #[arg(long, value_enum, default_value_t = SchemaFormat::Rule)]
    pub format: SchemaFormat,
    /// Write the schema to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum SchemaFormat {
    Rule,
    JsonSchema,
    Markdown,
}

pub(crate) fn run(args: &SchemaArgs) -> u8 {
    let Some(compilation) = compile::compile(&args.packs) else { return EXIT_BAD_INPUT };
    let Some(plan) = compilation.plan() else { return EXIT_BAD_INPUT };
    let schema = Schema::read(&compilation, &plan);
    let text = match args.format {
        SchemaFormat::Rule => schema.rule_source(),
        SchemaFormat::JsonSchema => schema.json_schema(),
        SchemaFormat::Markdown => schema.markdown(),
    };
    match output::emit(args.output.as_deref(), &text) {
        Ok(()) => EXIT_OK,
        Err(message) => fail(&message, None),
    }
}

/// The snapshot types, with their declarations.
struct Schema<'a> {
    compilation: &'a Compilation,
    plan: &'a Plan,
    /// The fields every asset has, and every event.
    asset_base: Option<Shape<'a>>,
    event_base: Option<Shape<'a>>,
    /// Assets, then events, then the records they nest, each in declaration order.
    types: Vec<Shape<'a>>,
}

/// One type: its plan definition, where it is declared, its docs and the fields it adds to its
/// base record.
struct Shape<'a> {
    def: &'a TypeDef,
    file: SourceFile,
    /// The index of its item in the file.
    item: u32,
    /// The file's place in the workspace: standard library first, then the packs in order.
    position: usize,
    doc: Option<String>,
    fields: Vec<Field<'a>>,
}

struct Field<'a> {
    name: &'a str,
    ty: &'a Type,
    doc: Option<String>,
}

impl<'a> Schema<'a> {
    fn read(compilation: &'a Compilation, plan: &'a Plan) -> Self {
        let shape = |qualified: &str, base: usize| {
            let def = plan.types.iter().find(|def| def.qualified == qualified)?;
            Shape::read(compilation, def, base)
        };
        let asset_base = shape(ASSET_BASE, 0);
        let event_base = shape(EVENT_BASE, 0);
        let base_len = |shape: &Option<Shape<'_>>| shape.as_ref().map_or(0, |s| s.def.fields.len());
        let (asset_fields, event_fields) = (base_len(&asset_base), base_len(&event_base));
        let mut types: Vec<Shape<'a>> = snapshot_types(plan)
            .into_iter()
            .filter_map(|index| plan.types.get(index as usize))
            .filter_map(|def| match def.kind {
                TypeKind::Asset => Shape::read(compilation, def, asset_fields),
                TypeKind::Event => Shape::read(compilation, def, event_fields),
                TypeKind::Record => Shape::read(compilation, def, 0),
            })
            .collect();
        types.sort_by_key(|shape| (kind_rank(shape.def.kind), shape.position, shape.item));
        Schema { compilation, plan, asset_base, event_base, types }
    }

    fn name(&self, index: TypeIdx) -> &str {
        self.plan.types.get(index as usize).map_or("?", |def| def.name.as_str())
    }

    fn of_kind(&self, kind: TypeKind) -> impl Iterator<Item = &Shape<'a>> {
        self.types.iter().filter(move |shape| shape.def.kind == kind)
    }

    fn base(&self, kind: TypeKind) -> Option<&Shape<'a>> {
        match kind {
            TypeKind::Asset => self.asset_base.as_ref(),
            TypeKind::Event => self.event_base.as_ref(),
            TypeKind::Record => None,
        }
    }
}

impl<'a> Shape<'a> {
    /// `def` as declared; the first `base` fields are its base record's and are left out.
    fn read(compilation: &'a Compilation, def: &'a TypeDef, base: usize) -> Option<Self> {
        let db = compilation.db();
        let declared = db::global_env(db, compilation.workspace()).types.get(&def.qualified)?;
        let (file, item) = (declared.loc.file, declared.loc.index);
        let position = compilation.workspace().files(db).iter().position(|f| *f == file)?;
        let ast = &db::parse(db, file).ast;
        let declaration = ast.items.get(item as usize)?;
        let field_docs = |name: &str| match &declaration.kind {
            ItemKind::Schema(schema) => schema.fields.iter().find(|f| f.name.text == name).and_then(|f| prose(&f.docs)),
            _ => None,
        };
        let fields = def
            .fields
            .iter()
            .skip(base)
            .map(|field| Field { name: &field.name, ty: &field.ty, doc: field_docs(&field.name) })
            .collect();
        Some(Shape { def, file, item, position, doc: prose(&declaration.docs), fields })
    }
}

/// Every asset and event type, and the records reachable from their fields.
fn snapshot_types(plan: &Plan) -> BTreeSet<TypeIdx> {
    let mut found = BTreeSet::new();
    let mut pending: Vec<TypeIdx> =
        (0..plan.types.len() as TypeIdx).filter(|&index| plan.types[index as usize].kind != TypeKind::Record).collect();
    while let Some(index) = pending.pop() {
        if !found.insert(index) {
            continue;
        }
        for field in plan.types.get(index as usize).map_or(&[][..], |def| &def.fields) {
            named_in(&field.ty, &mut pending);
        }
    }
    found
}

/// The record types `ty` nests.
fn named_in(ty: &Type, out: &mut Vec<TypeIdx>) {
    match ty {
        Type::Named(index) => out.push(*index),
        Type::List(inner) | Type::Map(inner) | Type::Optional(inner) => named_in(inner, out),
        Type::Union(members) => members.iter().for_each(|member| named_in(member, out)),
        _ => {}
    }
}

fn kind_rank(kind: TypeKind) -> u8 {
    match kind {
        TypeKind::Asset => 0,
        TypeKind::Event => 1,
        TypeKind::Record => 2,
    }
}

/// `///` lines as one paragraph: they are wrapped prose.
fn prose(docs: &[String]) -> Option<String> {
    let text = docs.iter().map(|line| line.trim()).filter(|line| !line.is_empty()).collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

// ------------------------------------------------------------------------------ rule source

impl Schema<'_> {
    /// The declarations as written, file by file: a file that declares only types (the
    /// standard library's schema) whole, and from any other file its snapshot types and the
    /// type aliases they name.
    fn rule_source(&self) -> String {
        let mut items: BTreeMap<usize, (SourceFile, BTreeSet<u32>)> = BTreeMap::new();
        for shape in self.types.iter().chain(&self.asset_base).chain(&self.event_base) {
            items.entry(shape.position).or_insert((shape.file, BTreeSet::new())).1.insert(shape.item);
        }
        let sections: Vec<String> = items.values().map(|(file, chosen)| self.file_source(*file, chosen)).collect();
        sections.join("\n")
    }

    fn file_source(&self, file: SourceFile, chosen: &BTreeSet<u32>) -> String {
        let db = self.compilation.db();
        let (path, text) = (file.path(db), file.text(db));
        let ast = &db::parse(db, file).ast;
        let header = format!("// From {path}, pack `{}`.\n\n", file.pack(db));
        if ast.items.iter().all(|item| matches!(item.kind, ItemKind::Schema(_) | ItemKind::TypeAlias(_))) {
            return format!("{header}{text}");
        }
        let chosen = with_aliases(&ast.items, chosen);
        let package = ast.package.as_ref().map(|q| format!("package {}\n\n", q.dotted())).unwrap_or_default();
        let bodies: Vec<&str> = chosen
            .iter()
            .filter_map(|&index| ast.items.get(index as usize))
            .filter_map(|item| text.get(item.span.range()))
            .collect();
        format!("{header}{package}{}\n", bodies.join("\n\n"))
    }
}

/// `chosen` and the type aliases of the same file their field types name, transitively.
fn with_aliases(items: &[Item], chosen: &BTreeSet<u32>) -> BTreeSet<u32> {
    let mut all = chosen.clone();
    let mut pending: Vec<u32> = chosen.iter().copied().collect();
    while let Some(index) = pending.pop() {
        let mut names = Vec::new();
        match items.get(index as usize).map(|item| &item.kind) {
            Some(ItemKind::Schema(schema)) => schema.fields.iter().for_each(|f| names_in(&f.ty, &mut names)),
            Some(ItemKind::TypeAlias(alias)) => names_in(&alias.ty, &mut names),
            _ => {}
        }
        for (at, item) in items.iter().enumerate() {
            let ItemKind::TypeAlias(alias) = &item.kind else { continue };
            if names.contains(&alias.name.text) && all.insert(at as u32) {
                pending.push(at as u32);
            }
        }
    }
    all
}

/// The one-part type names a type expression uses.
fn names_in(ty: &TypeExpr, out: &mut Vec<String>) {
    match &ty.kind {
        TypeExprKind::Named(name) if name.parts.len() == 1 => out.push(name.dotted()),
        TypeExprKind::List(inner) | TypeExprKind::Optional(inner) => names_in(inner, out),
        TypeExprKind::Map(key, value) => [key, value].into_iter().for_each(|t| names_in(t, out)),
        TypeExprKind::Union(members) => members.iter().for_each(|member| names_in(member, out)),
        _ => {}
    }
}

// ------------------------------------------------------------------------------ JSON Schema

impl Schema<'_> {
    /// A JSON Schema of one snapshot document. Objects admit properties they do not declare
    /// (the loader keeps them as `ext`); enum values must be spelt as declared (the loader
    /// also takes other cases) so producers write the canonical form.
    fn json_schema(&self) -> String {
        let mut defs = Map::new();
        defs.insert("asset".to_owned(), self.one_of(TypeKind::Asset));
        defs.insert("event".to_owned(), self.one_of(TypeKind::Event));
        defs.insert("coverage_entry".to_owned(), coverage_entry());
        defs.extend(scalars());
        for shape in &self.types {
            defs.insert(shape.def.name.clone(), self.object(shape));
        }
        let document = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": format!("rulec snapshot document ({SNAPSHOT_FORMAT})"),
            "description": "One snapshot document: the state of cloud accounts at one moment and the events of a time window. A snapshot may be several documents merged (a directory); a `.jsonl` line holds one object valid against `#/$defs/asset` or `#/$defs/event`. Generated by `rulec schema --format json-schema`; see docs/snapshot.md.",
            "type": "object",
            "required": ["format"],
            "properties": {
                "format": {
                    "const": SNAPSHOT_FORMAT,
                    "description": "The format and its version; every document names it.",
                },
                "taken_at": {
                    "$ref": "#/$defs/time",
                    "description": "The moment the snapshot describes, the `now()` of every rule (RFC 3339). At least one document of a snapshot carries it.",
                },
                "assets": {
                    "type": "array",
                    "items": { "$ref": "#/$defs/asset" },
                    "description": "The assets; `(type, id)` is unique over all the documents of a snapshot.",
                },
                "events": {
                    "type": ["array", "null"],
                    "items": { "$ref": "#/$defs/event" },
                    "description": "The events, in any order.",
                },
                "coverage": {
                    "type": "array",
                    "items": { "$ref": "#/$defs/coverage_entry" },
                    "description": "What the producer collected, per provider, account, region and type: checks over data that was not collected are reported as not evaluated.",
                },
            },
            "$defs": defs,
        });
        pretty(&document)
    }

    /// Any one type of `kind`, told apart by its `type` constant.
    fn one_of(&self, kind: TypeKind) -> Value {
        let refs: Vec<Value> =
            self.of_kind(kind).map(|shape| json!({ "$ref": format!("#/$defs/{}", shape.def.name) })).collect();
        json!({ "oneOf": refs })
    }

    fn object(&self, shape: &Shape<'_>) -> Value {
        let base = self.base(shape.def.kind).map_or(&[][..], |base| &base.fields);
        let mut properties = Map::new();
        let mut required = Vec::new();
        for field in base.iter().chain(&shape.fields) {
            let schema = if shape.def.kind != TypeKind::Record && field.name == "type" {
                described(json!({ "const": shape.def.name }), field.doc.as_deref())
            } else {
                self.field(field)
            };
            properties.insert(field.name.to_owned(), schema);
            if !matches!(field.ty, Type::Optional(_) | Type::Map(_) | Type::Any) {
                required.push(field.name);
            }
        }
        let object = json!({ "type": "object", "properties": properties, "required": required });
        described(object, shape.doc.as_deref())
    }

    /// A field's value schema, described by its docs and, for a reference, what it names.
    fn field(&self, field: &Field<'_>) -> Value {
        let doc = match (field.doc.as_deref(), self.referenced(field.ty)) {
            (Some(doc), Some(names)) => Some(format!("{doc} The id of a {names} asset.")),
            (None, Some(names)) => Some(format!("The id of a {names} asset.")),
            (doc, None) => doc.map(str::to_owned),
        };
        described(self.value(field.ty), doc.as_deref())
    }

    /// The asset types a reference field names (`Role`, `User or Role`), through lists and
    /// optionals.
    fn referenced(&self, ty: &Type) -> Option<String> {
        match ty {
            Type::Ref(types) => {
                Some(types.iter().map(|&t| format!("`{}`", self.name(t))).collect::<Vec<_>>().join(" or "))
            }
            Type::List(inner) | Type::Optional(inner) => self.referenced(inner),
            _ => None,
        }
    }

    fn value(&self, ty: &Type) -> Value {
        match ty {
            Type::Bool => json!({ "type": "boolean" }),
            Type::Int | Type::Duration => json!({ "type": "integer" }),
            Type::Float => json!({ "type": "number" }),
            Type::String | Type::Regex | Type::Ref(_) => json!({ "type": "string" }),
            Type::Time => json!({ "$ref": "#/$defs/time" }),
            Type::Ip => json!({ "$ref": "#/$defs/ip" }),
            Type::Cidr => json!({ "$ref": "#/$defs/cidr" }),
            Type::Any => json!({}),
            Type::Enum(values) => json!({ "type": "string", "enum": values }),
            // The loader reads a list or map written as `null` as empty.
            Type::List(inner) => json!({ "type": ["array", "null"], "items": self.value(inner) }),
            Type::Map(inner) => json!({ "type": ["object", "null"], "additionalProperties": self.value(inner) }),
            Type::Named(index) => json!({ "$ref": format!("#/$defs/{}", self.name(*index)) }),
            Type::Optional(inner) => json!({ "anyOf": [self.value(inner), { "type": "null" }] }),
            Type::Union(members) => json!({ "anyOf": members.iter().map(|m| self.value(m)).collect::<Vec<_>>() }),
        }
    }
}

/// The scalar types written as strings, shared by every field of their type.
fn scalars() -> Map<String, Value> {
    let time = json!({
        "type": "string",
        "format": "date-time",
        "pattern": TIME_PATTERN,
        "description": "An RFC 3339 time, e.g. `2026-11-20T08:00:00Z`.",
    });
    let ip = json!({ "type": "string", "pattern": IP_PATTERN, "description": "An IPv4 or IPv6 address." });
    let cidr = json!({
        "type": "string",
        "pattern": CIDR_PATTERN,
        "description": "An IPv4 or IPv6 range `address/prefix`; a bare address is a /32 (/128).",
    });
    Map::from_iter([("time".to_owned(), time), ("ip".to_owned(), ip), ("cidr".to_owned(), cidr)])
}

/// One entry of the `coverage` section, as the loader reads it (no other keys).
fn coverage_entry() -> Value {
    json!({
        "type": "object",
        "description": "Whether one type was collected in one place.",
        "required": ["provider", "account", "type", "status"],
        "additionalProperties": false,
        "properties": {
            "provider": { "type": "string", "description": "`tencent`, `alibaba`, ..." },
            "account": { "type": "string", "description": "The account the entry is about." },
            "region": { "type": ["string", "null"], "description": "The region; absent for account-wide types." },
            "type": { "type": "string", "description": "An asset or event type." },
            "status": {
                "enum": ["collected", "partial", "failed", "absent"],
                "description": "`collected`: everything feeding the type was read; `partial`: the list was read, some per-resource answers are missing or failed; `failed`: the cloud answered with an error; `absent`: nothing was saved for it.",
            },
            "reasons": { "type": "array", "items": { "type": "string" }, "description": "Why it is not `collected`." },
        },
    })
}

/// `schema` with a `description` when there is one.
fn described(mut schema: Value, doc: Option<&str>) -> Value {
    if let (Some(doc), Value::Object(map)) = (doc, &mut schema) {
        map.insert("description".to_owned(), Value::String(doc.to_owned()));
    }
    schema
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

// ------------------------------------------------------------------------------ Markdown

impl Schema<'_> {
    /// The reference section of docs/snapshot.md: the base fields, then each type with a
    /// table of its fields.
    fn markdown(&self) -> String {
        let mut out = String::new();
        let bases = [
            (&self.asset_base, "Fields every asset has", "Every asset type has these fields besides its own."),
            (&self.event_base, "Fields every event has", "Every event type has these fields besides its own."),
        ];
        for (base, title, intro) in bases {
            if let Some(base) = base {
                out.push_str(&format!("### {title}\n\n{intro}\n\n{}\n", self.field_table(&base.fields)));
            }
        }
        let kinds = [
            (TypeKind::Asset, "Asset types", "The objects of `assets`, told apart by `type`."),
            (TypeKind::Event, "Event types", "The objects of `events`, told apart by `type`."),
            (TypeKind::Record, "Records", "Shapes nested in assets and events; they have no `type` field."),
        ];
        for (kind, title, intro) in kinds {
            out.push_str(&format!("### {title}\n\n{intro}\n\n"));
            for shape in self.of_kind(kind) {
                out.push_str(&self.type_section(shape));
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    fn type_section(&self, shape: &Shape<'_>) -> String {
        let db = self.compilation.db();
        let mut out = format!("#### `{}`\n\n", shape.def.name);
        if let Some(doc) = &shape.doc {
            out.push_str(&format!("{doc}\n\n"));
        }
        let pack = shape.file.pack(db);
        if pack != rulec_compiler::packs::STD_PACK {
            out.push_str(&format!("Declared by the pack `{pack}` (`{}`).\n\n", shape.def.qualified));
        }
        if shape.fields.is_empty() {
            out.push_str("No fields of its own.\n\n");
        } else {
            out.push_str(&format!("{}\n", self.field_table(&shape.fields)));
        }
        out
    }

    fn field_table(&self, fields: &[Field<'_>]) -> String {
        let mut out = String::from("| field | type | description |\n|---|---|---|\n");
        for field in fields {
            let ty = self.type_text(field.ty).replace('|', "\\|");
            let doc = field.doc.as_deref().unwrap_or("").replace('|', "\\|");
            out.push_str(&format!("| `{}` | `{ty}` | {doc} |\n", field.name));
        }
        out
    }

    /// A type as the rule language writes it: `[ref SecurityGroup]`, `string?`, `"a" | "b"`.
    fn type_text(&self, ty: &Type) -> String {
        match ty {
            Type::Bool => "bool".to_owned(),
            Type::Int => "int".to_owned(),
            Type::Float => "float".to_owned(),
            Type::String => "string".to_owned(),
            Type::Time => "time".to_owned(),
            Type::Duration => "duration".to_owned(),
            Type::Ip => "ip".to_owned(),
            Type::Cidr => "cidr".to_owned(),
            Type::Regex => "regex".to_owned(),
            Type::Any => "any".to_owned(),
            Type::Enum(values) => values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(" | "),
            Type::List(inner) => format!("[{}]", self.type_text(inner)),
            Type::Map(inner) => format!("{{string: {}}}", self.type_text(inner)),
            Type::Named(index) => self.name(*index).to_owned(),
            Type::Ref(types) => {
                format!("ref {}", types.iter().map(|&t| self.name(t)).collect::<Vec<_>>().join(" | "))
            }
            Type::Optional(inner) => match inner.as_ref() {
                Type::Union(_) => format!("({})?", self.type_text(inner)),
                Type::Enum(values) if values.len() > 1 => format!("({})?", self.type_text(inner)),
                Type::Ref(types) if types.len() > 1 => format!("({})?", self.type_text(inner)),
                _ => format!("{}?", self.type_text(inner)),
            },
            Type::Union(members) => members.iter().map(|m| self.type_text(m)).collect::<Vec<_>>().join(" | "),
        }
    }
}
