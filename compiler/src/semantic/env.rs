//! The global environment: every package's members, every schema type with resolved field
//! types, every function signature, rule id and framework. Built from span-free summaries
//! only, so it is recomputed only when a signature changes.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::signature::SignatureLabel;
use super::ty::{Ty, TypeId};
use crate::db::SourceFile;
use crate::diagnostics::{Code, Diagnostic};
use crate::summary::{FileSummary, Signature};
use crate::syntax::ast::{CheckKind, QName, SchemaKind, TypeExpr, TypeExprKind};

/// The package whose types every file sees without a `use`.
pub const PRELUDE: &str = "std.schema";
/// Record whose fields every `asset` type has.
pub const ASSET_BASE: &str = "std.schema.AssetBase";
/// Record whose fields every `event` type has.
pub const EVENT_BASE: &str = "std.schema.EventBase";

/// The built-in scalar types by name.
pub const SCALARS: &[(&str, Ty)] = &[
    ("bool", Ty::Bool),
    ("int", Ty::Int),
    ("float", Ty::Float),
    ("string", Ty::String),
    ("time", Ty::Time),
    ("duration", Ty::Duration),
    ("ip", Ty::Ip),
    ("cidr", Ty::Cidr),
    ("regex", Ty::Regex),
    ("any", Ty::Any),
];

/// Where an item is declared.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Loc {
    pub file: SourceFile,
    pub index: u32,
}

#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct GlobalEnv {
    pub packages: BTreeMap<String, PackageScope>,
    pub types: BTreeMap<TypeId, TypeDef>,
    /// Rule and alarm ids share one global namespace: findings are reported by id.
    pub checks: BTreeMap<String, Vec<Loc>>,
    pub frameworks: BTreeMap<String, Vec<FrameworkDef>>,
    pub cyclic_aliases: BTreeSet<TypeId>,
}

#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PackageScope {
    /// Every declaration of each name; more than one is a duplicate (the first wins).
    pub members: BTreeMap<String, Vec<Member>>,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Member {
    pub loc: Loc,
    pub kind: MemberKind,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum MemberKind {
    Type(TypeId),
    Fn(FnSig),
    Const(Ty),
    Check(CheckKind),
    Edge { from: Ty, to: Ty },
}

impl MemberKind {
    pub fn describe(&self) -> &'static str {
        match self {
            MemberKind::Type(_) => "type",
            MemberKind::Fn(_) => "function",
            MemberKind::Const(_) => "constant",
            MemberKind::Check(CheckKind::Rule) => "rule",
            MemberKind::Check(CheckKind::Alarm) => "alarm",
            MemberKind::Edge { .. } => "edge",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FnSig {
    pub params: Vec<ParamSig>,
    pub ret: Ty,
    pub native: bool,
}

impl FnSig {
    pub fn required_params(&self) -> usize {
        self.params.iter().filter(|p| !p.optional).count()
    }

    /// `name(sg: SecurityGroup, port: int) -> bool`, for help text, hover and signature help.
    pub fn label(&self, name: &str) -> SignatureLabel {
        let params = self.params.iter().map(|p| format!("{}{}: {}", p.name, if p.optional { "?" } else { "" }, p.ty));
        SignatureLabel::new(name, params, &self.ret.to_string())
    }
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ParamSig {
    pub name: String,
    pub ty: Ty,
    pub optional: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TypeKind {
    Asset,
    Event,
    Record,
    Alias,
}

impl TypeKind {
    pub fn describe(self) -> &'static str {
        match self {
            TypeKind::Asset => "asset",
            TypeKind::Event => "event",
            TypeKind::Record => "record",
            TypeKind::Alias => "type alias",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TypeDef {
    pub kind: TypeKind,
    pub loc: Loc,
    /// Fields in declaration order, base-record fields first.
    pub fields: Vec<(String, Ty)>,
    /// The target of an alias.
    pub alias_of: Option<Ty>,
}

impl TypeDef {
    pub fn field(&self, name: &str) -> Option<&Ty> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FrameworkDef {
    pub loc: Loc,
    pub controls: BTreeSet<String>,
}

/// A file's view of names: its package and its imports.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct FileCtx {
    pub package: String,
    /// Import alias → package path.
    pub imports: BTreeMap<String, String>,
}

impl FileCtx {
    pub fn new(summary: &FileSummary) -> Self {
        FileCtx {
            package: summary.package.clone().unwrap_or_default(),
            imports: summary.uses.iter().map(|u| (u.alias.clone(), u.path.clone())).collect(),
        }
    }

    pub fn is_std(&self) -> bool {
        self.package == "std" || self.package.starts_with("std.")
    }
}

impl GlobalEnv {
    pub fn type_def(&self, id: &str) -> Option<&TypeDef> {
        self.types.get(id)
    }

    /// The first declaration of `name` in `package`.
    pub fn member(&self, package: &str, name: &str) -> Option<&Member> {
        self.packages.get(package)?.members.get(name)?.first()
    }

    /// The package an expression-level prefix (`net` in `net.world`) names, if any.
    pub fn package_of_prefix(&self, ctx: &FileCtx, prefix: &str) -> Option<String> {
        ctx.imports.get(prefix).cloned()
    }

    /// Fields of a value of type `ty` (records, assets, events, and unions of them).
    pub fn fields_of(&self, ty: &Ty) -> Option<Vec<(String, Ty)>> {
        match ty {
            Ty::Named(id) => self.type_def(id).map(|d| d.fields.clone()),
            Ty::Union(members) => {
                let mut common: Option<Vec<(String, Ty)>> = None;
                for m in members {
                    let fields = self.fields_of(m)?;
                    common = Some(match common {
                        None => fields,
                        Some(prev) => prev.into_iter().filter(|f| fields.contains(f)).collect(),
                    });
                }
                common
            }
            _ => None,
        }
    }

    /// Names declared in `package` whose (first) declaration `keep` accepts: the candidates
    /// of a did-you-mean.
    pub fn member_names(&self, package: &str, keep: impl Fn(&MemberKind) -> bool) -> Vec<&str> {
        self.packages
            .get(package)
            .map(|p| {
                p.members
                    .iter()
                    .filter(|(_, ms)| ms.first().is_some_and(|m| keep(&m.kind)))
                    .map(|(n, _)| n.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn is_asset(&self, id: &str) -> bool {
        self.type_def(id).is_some_and(|d| d.kind == TypeKind::Asset)
    }
}

/// Outcome of looking a type name up in a file.
pub enum TypeLookup {
    Found(Ty),
    /// Names an existing declaration that is not a type (e.g. a function).
    NotAType(&'static str),
    Missing {
        suggestion: Option<String>,
    },
}

/// Resolves written types to [`Ty`]. Shared by the environment builder (which drops the
/// diagnostics: each item reports its own) and the item checker.
pub struct TypeResolver<'a> {
    pub env: &'a GlobalEnv,
    pub ctx: &'a FileCtx,
    pub file: &'a str,
    /// Resolves an alias target on demand (the builder resolves aliases lazily).
    pub alias: &'a dyn Fn(&TypeId) -> Ty,
}

impl TypeResolver<'_> {
    pub fn resolve(&self, te: &TypeExpr, sink: &mut Vec<Diagnostic>) -> Ty {
        match &te.kind {
            TypeExprKind::Named(q) => match self.lookup(q) {
                TypeLookup::Found(ty) => ty,
                TypeLookup::NotAType(what) => {
                    sink.push(
                        Diagnostic::new(
                            Code::UnknownType,
                            self.file,
                            q.span,
                            format!("`{}` is a {what}, not a type", q.dotted()),
                        )
                        .with_label("not a type"),
                    );
                    Ty::Error
                }
                TypeLookup::Missing { suggestion } => {
                    let mut d =
                        Diagnostic::new(Code::UnknownType, self.file, q.span, format!("unknown type `{}`", q.dotted()))
                            .with_label("not declared");
                    if let Some(s) = suggestion {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    sink.push(d);
                    Ty::Error
                }
            },
            TypeExprKind::List(inner) => Ty::list(self.resolve(inner, sink)),
            TypeExprKind::Map(k, v) => {
                let key = self.resolve(k, sink);
                if !key.is_unknown() && !key.is_stringish() {
                    sink.push(
                        Diagnostic::new(
                            Code::InvalidSchemaType,
                            self.file,
                            k.span,
                            format!("map keys must be strings, found `{key}`"),
                        )
                        .with_label("not a string type"),
                    );
                }
                Ty::Map(Box::new(key), Box::new(self.resolve(v, sink)))
            }
            TypeExprKind::Optional(inner) => Ty::optional(self.resolve(inner, sink)),
            TypeExprKind::Union(members) => Ty::union(members.iter().map(|m| self.resolve(m, sink))),
            TypeExprKind::Literal(s) => Ty::Enum([s.value.clone()].into()),
            TypeExprKind::Ref(names) => {
                let mut ids = BTreeSet::new();
                for q in names {
                    match self.lookup(q) {
                        TypeLookup::Found(Ty::Named(id)) if self.env.is_asset(&id) => {
                            ids.insert(id);
                        }
                        TypeLookup::Found(Ty::Error) => return Ty::Error,
                        TypeLookup::Found(other) => {
                            sink.push(
                                Diagnostic::new(
                                    Code::InvalidSchemaType,
                                    self.file,
                                    q.span,
                                    format!("`ref` needs an asset type, `{other}` is {}", self.describe(&other)),
                                )
                                .with_label("not an asset type")
                                .with_help(
                                    "a reference holds the id of an asset; records and events have no id to refer to",
                                ),
                            );
                            return Ty::Error;
                        }
                        _ => {
                            return self
                                .resolve(&TypeExpr { kind: TypeExprKind::Named(q.clone()), span: q.span }, sink);
                        }
                    }
                }
                Ty::Ref(ids)
            }
        }
    }

    fn describe(&self, ty: &Ty) -> String {
        match ty {
            Ty::Named(id) => format!("an {}", self.env.type_def(id).map_or("unknown", |d| d.kind.describe()))
                .replace("an record", "a record"),
            _ => "a scalar type".to_owned(),
        }
    }

    pub fn lookup(&self, q: &QName) -> TypeLookup {
        let parts: Vec<&str> = q.parts.iter().map(|p| p.text.as_str()).collect();
        let (package, name) = match parts.as_slice() {
            [name] => {
                if let Some((_, ty)) = SCALARS.iter().find(|(n, _)| n == name) {
                    return TypeLookup::Found(ty.clone());
                }
                if *name == "Internet" {
                    return TypeLookup::Found(Ty::Internet);
                }
                let own = self.member_type(&self.ctx.package, name);
                if !matches!(own, TypeLookup::Missing { .. }) {
                    return own;
                }
                let prelude = self.member_type(PRELUDE, name);
                if !matches!(prelude, TypeLookup::Missing { .. }) {
                    return prelude;
                }
                let mut candidates: Vec<&str> = SCALARS.iter().map(|(n, _)| *n).collect();
                candidates.extend(self.type_names(&self.ctx.package));
                candidates.extend(self.type_names(PRELUDE));
                return TypeLookup::Missing {
                    suggestion: crate::diagnostics::suggest(name, candidates).map(str::to_owned),
                };
            }
            [prefix @ .., name] => {
                let prefix = prefix.join(".");
                let package = self.ctx.imports.get(&prefix).cloned().unwrap_or(prefix);
                (package, *name)
            }
            [] => return TypeLookup::Missing { suggestion: None },
        };
        match self.member_type(&package, name) {
            TypeLookup::Missing { .. } => TypeLookup::Missing {
                suggestion: crate::diagnostics::suggest(name, self.type_names(&package))
                    .map(|s| format!("{package}.{s}")),
            },
            found => found,
        }
    }

    fn member_type(&self, package: &str, name: &str) -> TypeLookup {
        match self.env.member(package, name).map(|m| &m.kind) {
            Some(MemberKind::Type(id)) => match self.env.type_def(id) {
                Some(def) if def.kind == TypeKind::Alias => TypeLookup::Found((self.alias)(id)),
                _ => TypeLookup::Found(Ty::Named(id.clone())),
            },
            Some(other) => TypeLookup::NotAType(other.describe()),
            None => TypeLookup::Missing { suggestion: None },
        }
    }

    fn type_names(&self, package: &str) -> Vec<&str> {
        self.env.member_names(package, |k| matches!(k, MemberKind::Type(_)))
    }
}

/// Builds the environment from every file's summary.
pub fn build_global_env(files: &[(SourceFile, &FileSummary)]) -> GlobalEnv {
    let mut env = GlobalEnv::default();
    // Pass 1: register names, so any declaration can refer to any other.
    for (file, summary) in files {
        let package = summary.package.clone().unwrap_or_default();
        for (index, item) in summary.items.iter().enumerate() {
            let loc = Loc { file: *file, index: index as u32 };
            let placeholder = |kind: TypeKind| TypeDef { kind, loc, fields: Vec::new(), alias_of: None };
            let kind = match &item.signature {
                Signature::Schema { kind, .. } => {
                    let id = format!("{package}.{}", item.name.clone().unwrap_or_default());
                    let kind = match kind {
                        SchemaKind::Asset => TypeKind::Asset,
                        SchemaKind::Event => TypeKind::Event,
                        SchemaKind::Record => TypeKind::Record,
                    };
                    env.types.entry(id.clone()).or_insert_with(|| placeholder(kind));
                    MemberKind::Type(id)
                }
                Signature::Alias(_) => {
                    let id = format!("{package}.{}", item.name.clone().unwrap_or_default());
                    env.types.entry(id.clone()).or_insert_with(|| placeholder(TypeKind::Alias));
                    MemberKind::Type(id)
                }
                Signature::Fn { native, .. } => {
                    MemberKind::Fn(FnSig { params: Vec::new(), ret: Ty::Error, native: *native })
                }
                Signature::Const(_) => MemberKind::Const(Ty::Error),
                Signature::Check(kind) => {
                    if let Some(name) = &item.name {
                        env.checks.entry(name.clone()).or_default().push(loc);
                    }
                    MemberKind::Check(*kind)
                }
                Signature::Edge { .. } => MemberKind::Edge { from: Ty::Error, to: Ty::Error },
                Signature::Framework { name, controls } => {
                    env.frameworks
                        .entry(name.clone())
                        .or_default()
                        .push(FrameworkDef { loc, controls: controls.iter().cloned().collect() });
                    continue;
                }
                Signature::Test | Signature::Error => continue,
            };
            if let Some(name) = &item.name {
                env.packages
                    .entry(package.clone())
                    .or_default()
                    .members
                    .entry(name.clone())
                    .or_default()
                    .push(Member { loc, kind });
            }
        }
    }
    // Pass 2: aliases, resolved on demand with cycle detection.
    let contexts: HashMap<SourceFile, FileCtx> = files.iter().map(|(f, s)| (*f, FileCtx::new(s))).collect();
    let alias_exprs: BTreeMap<TypeId, (TypeExpr, SourceFile)> = files
        .iter()
        .flat_map(|(file, summary)| {
            let package = summary.package.clone().unwrap_or_default();
            summary.items.iter().filter_map(move |item| match &item.signature {
                Signature::Alias(te) => {
                    Some((format!("{package}.{}", item.name.clone().unwrap_or_default()), (te.clone(), *file)))
                }
                _ => None,
            })
        })
        .collect();
    let resolved: RefCell<BTreeMap<TypeId, Ty>> = RefCell::new(BTreeMap::new());
    let visiting: RefCell<Vec<TypeId>> = RefCell::new(Vec::new());
    let cyclic: RefCell<BTreeSet<TypeId>> = RefCell::new(BTreeSet::new());
    fn resolve_alias(
        id: &TypeId,
        env: &GlobalEnv,
        alias_exprs: &BTreeMap<TypeId, (TypeExpr, SourceFile)>,
        contexts: &HashMap<SourceFile, FileCtx>,
        resolved: &RefCell<BTreeMap<TypeId, Ty>>,
        visiting: &RefCell<Vec<TypeId>>,
        cyclic: &RefCell<BTreeSet<TypeId>>,
    ) -> Ty {
        if let Some(ty) = resolved.borrow().get(id) {
            return ty.clone();
        }
        if let Some(pos) = visiting.borrow().iter().position(|v| v == id) {
            cyclic.borrow_mut().extend(visiting.borrow()[pos..].iter().cloned());
            return Ty::Error;
        }
        let Some((te, file)) = alias_exprs.get(id) else { return Ty::Error };
        let default_ctx = FileCtx::default();
        let ctx = contexts.get(file).unwrap_or(&default_ctx);
        visiting.borrow_mut().push(id.clone());
        let recurse = |next: &TypeId| resolve_alias(next, env, alias_exprs, contexts, resolved, visiting, cyclic);
        let resolver = TypeResolver { env, ctx, file: "", alias: &recurse };
        let ty = resolver.resolve(te, &mut Vec::new());
        visiting.borrow_mut().pop();
        let ty = if cyclic.borrow().contains(id) { Ty::Error } else { ty };
        resolved.borrow_mut().insert(id.clone(), ty.clone());
        ty
    }
    for id in alias_exprs.keys() {
        resolve_alias(id, &env, &alias_exprs, &contexts, &resolved, &visiting, &cyclic);
    }
    let aliases = resolved.into_inner();
    for (id, ty) in &aliases {
        if let Some(def) = env.types.get_mut(id) {
            def.alias_of = Some(ty.clone());
        }
    }
    env.cyclic_aliases = cyclic.into_inner();
    // Pass 3: fields, signatures and constant types.
    let alias_lookup = |id: &TypeId| aliases.get(id).cloned().unwrap_or(Ty::Error);
    let snapshot = env.clone();
    for (file, summary) in files {
        let ctx = &contexts[file];
        let resolver = TypeResolver { env: &snapshot, ctx, file: "", alias: &alias_lookup };
        let package = summary.package.clone().unwrap_or_default();
        for (index, item) in summary.items.iter().enumerate() {
            let loc = Loc { file: *file, index: index as u32 };
            let Some(name) = &item.name else { continue };
            let resolve = |te: &TypeExpr| resolver.resolve(te, &mut Vec::new());
            match &item.signature {
                Signature::Schema { fields, .. } => {
                    let id = format!("{package}.{name}");
                    if let Some(def) = env.types.get_mut(&id)
                        && def.loc == loc
                    {
                        def.fields = fields.iter().map(|(n, te)| (n.clone(), resolve(te))).collect();
                    }
                }
                Signature::Fn { params, ret, native } => {
                    let sig = FnSig {
                        params: params
                            .iter()
                            .map(|(n, optional, te)| ParamSig { name: n.clone(), ty: resolve(te), optional: *optional })
                            .collect(),
                        ret: resolve(ret),
                        native: *native,
                    };
                    set_member(&mut env, &package, name, loc, MemberKind::Fn(sig));
                }
                Signature::Const(te) => set_member(&mut env, &package, name, loc, MemberKind::Const(resolve(te))),
                Signature::Edge { from, to } => {
                    let q = |parts: &[String]| QName {
                        parts: parts
                            .iter()
                            .map(|p| crate::syntax::ast::Name { text: p.clone(), span: Default::default() })
                            .collect(),
                        span: Default::default(),
                    };
                    let endpoint = |parts: &[String]| match resolver.lookup(&q(parts)) {
                        TypeLookup::Found(ty) => ty,
                        _ => Ty::Error,
                    };
                    set_member(
                        &mut env,
                        &package,
                        name,
                        loc,
                        MemberKind::Edge { from: endpoint(from), to: endpoint(to) },
                    );
                }
                _ => {}
            }
        }
    }
    // Pass 4: every asset and event gets the fields of its base record.
    let base_fields = |id: &str| env.types.get(id).map(|d| d.fields.clone()).unwrap_or_default();
    let (asset_base, event_base) = (base_fields(ASSET_BASE), base_fields(EVENT_BASE));
    for def in env.types.values_mut() {
        let base = match def.kind {
            TypeKind::Asset => &asset_base,
            TypeKind::Event => &event_base,
            _ => continue,
        };
        let own = std::mem::take(&mut def.fields);
        let inherited: Vec<(String, Ty)> =
            base.iter().filter(|(n, _)| !own.iter().any(|(o, _)| o == n)).cloned().collect();
        def.fields = inherited.into_iter().chain(own).collect();
    }
    env
}

/// Fills in the resolved kind of the member declared at `loc`.
fn set_member(env: &mut GlobalEnv, package: &str, name: &str, loc: Loc, kind: MemberKind) {
    if let Some(members) = env.packages.get_mut(package).and_then(|p| p.members.get_mut(name))
        && let Some(member) = members.iter_mut().find(|m| m.loc == loc)
    {
        member.kind = kind;
    }
}
