//! Checks of whole items: declarations, rule and alarm clauses and metadata, edges,
//! frameworks and tests. Expressions are delegated to [`ExprChecker`].

use std::collections::BTreeSet;

use super::env::{FileCtx, GlobalEnv, Loc, MemberKind, TypeKind, TypeLookup, TypeResolver};
use super::expr::{BindingKind, ExprChecker, Target};
use super::literals;
use super::ty::{Ty, TypeId};
use rulec_runtime::plan;

use super::lower::Lowerer;
use crate::db::{self, CheckedItem, Db, ItemFacts, ItemRef, Lowered, SourceFile, Workspace};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::syntax::Span;
use crate::syntax::ast::*;

/// The severities a rule may declare, lowest first.
pub const SEVERITIES: &[&str] = &["info", "low", "medium", "high", "critical"];

/// A function's or constant's identity in the reference graph: `package.name`.
pub type DefKey = String;

pub fn check_item(db: &dyn Db, workspace: Workspace, file: SourceFile, index: u32) -> CheckedItem {
    let parsed = db::parse(db, file);
    let Some(item) = parsed.ast.items.get(index as usize) else { return CheckedItem::default() };
    let env = db::global_env(db, workspace);
    let ctx = FileCtx::new(db::file_summary(db, file));
    let path = file.path(db);
    let loc = Loc { file, index };
    let mut cx = ItemChecker { db, workspace, env, ctx: &ctx, path, loc, exprs: ExprChecker::new(env, &ctx, path) };
    cx.check_duplicates(item);
    match &item.kind {
        ItemKind::Schema(schema) => cx.check_schema(schema),
        ItemKind::TypeAlias(alias) => cx.check_alias(alias),
        ItemKind::Fn(f) => cx.check_fn(f),
        ItemKind::Const(c) => {
            let ty = cx.resolve(&c.ty);
            cx.exprs.check_against(&c.value, &ty, &format!("the value of `{}`", c.name.text));
            cx.check_cycle(&c.name, false);
        }
        ItemKind::Check(check) => cx.check_check(check),
        ItemKind::Edge(edge) => cx.check_edge(edge),
        ItemKind::Framework(fw) => cx.check_framework(fw),
        ItemKind::Test(test) => cx.check_test(test),
        ItemKind::Error => {}
    }
    let (lowered, reads) = if cx.exprs.diagnostics.iter().any(Diagnostic::is_error) {
        (None, BTreeSet::new())
    } else {
        cx.lower(item, file.pack(db))
    };
    let mut diagnostics = cx.exprs.diagnostics;
    crate::diagnostics::sort(&mut diagnostics);
    let facts = ItemFacts { types: cx.exprs.types, refs: cx.exprs.refs };
    CheckedItem { diagnostics, used_imports: cx.exprs.used_imports.into_iter().collect(), lowered, reads, facts }
}

struct ItemChecker<'a> {
    db: &'a dyn Db,
    workspace: Workspace,
    env: &'a GlobalEnv,
    ctx: &'a FileCtx,
    path: &'a str,
    loc: Loc,
    exprs: ExprChecker<'a>,
}

/// Where an item is declared, as (file path, name span).
fn declaration_site(db: &dyn Db, loc: Loc) -> (String, Span) {
    let parsed = db::parse(db, loc.file);
    let span = parsed
        .ast
        .items
        .get(loc.index as usize)
        .map(|i| match &i.kind {
            ItemKind::Framework(f) => f.name.span,
            _ => i.name().map_or(i.span, |n| n.span),
        })
        .unwrap_or_default();
    (loc.file.path(db).clone(), span)
}

impl ItemChecker<'_> {
    fn report(&mut self, d: Diagnostic) {
        self.exprs.report(d);
    }

    fn resolve(&mut self, te: &TypeExpr) -> Ty {
        let env = self.env;
        let alias = |id: &TypeId| env.type_def(id).and_then(|d| d.alias_of.clone()).unwrap_or(Ty::Error);
        let resolver = TypeResolver { env, ctx: self.ctx, file: self.path, alias: &alias };
        let mut sink = Vec::new();
        let ty = resolver.resolve(te, &mut sink);
        for d in sink {
            self.report(d);
        }
        self.note_type_imports(te);
        self.note_type_refs(&resolver, te);
        ty
    }

    /// Records the named types `te` mentions, for the editor.
    fn note_type_refs(&mut self, resolver: &TypeResolver, te: &TypeExpr) {
        let mut note = |q: &QName| {
            if let TypeLookup::Found(Ty::Named(id)) = resolver.lookup(q)
                && let Some(last) = q.parts.last()
            {
                self.exprs.refs.push((last.span, Target::Type(id)));
            }
        };
        match &te.kind {
            TypeExprKind::Named(q) => note(q),
            TypeExprKind::Ref(qs) => qs.iter().for_each(note),
            TypeExprKind::List(t) | TypeExprKind::Optional(t) => self.note_type_refs(resolver, t),
            TypeExprKind::Map(k, v) => {
                self.note_type_refs(resolver, k);
                self.note_type_refs(resolver, v);
            }
            TypeExprKind::Union(ts) => ts.iter().for_each(|t| self.note_type_refs(resolver, t)),
            _ => {}
        }
    }

    /// Marks imports used by qualified type names (`net.Protocol`).
    fn note_type_imports(&mut self, te: &TypeExpr) {
        match &te.kind {
            TypeExprKind::Named(q) if q.parts.len() > 1 => {
                self.exprs.note_import(&q.parts[0]);
            }
            TypeExprKind::Ref(qs) => {
                for q in qs.iter().filter(|q| q.parts.len() > 1) {
                    self.exprs.note_import(&q.parts[0]);
                }
            }
            TypeExprKind::List(t) | TypeExprKind::Optional(t) => self.note_type_imports(t),
            TypeExprKind::Map(k, v) => {
                self.note_type_imports(k);
                self.note_type_imports(v);
            }
            TypeExprKind::Union(ts) => ts.iter().for_each(|t| self.note_type_imports(t)),
            _ => {}
        }
    }

    fn check_duplicates(&mut self, item: &Item) {
        let (first, what) = match &item.kind {
            ItemKind::Check(c) => {
                let member = self
                    .env
                    .member(&self.ctx.package, &c.name.text)
                    .filter(|m| !matches!(m.kind, MemberKind::Check(_)))
                    .map(|m| m.loc);
                if member.is_some_and(|m| m != self.loc) {
                    // Another kind of item took the name first in this package.
                    (member, "name")
                } else {
                    let Some(locs) = self.env.checks.get(&c.name.text) else { return };
                    (locs.first().copied(), "rule id")
                }
            }
            ItemKind::Framework(f) => {
                let Some(defs) = self.env.frameworks.get(&f.name.dotted()) else { return };
                (defs.first().map(|d| d.loc), "framework")
            }
            _ => {
                let Some(name) = item.name() else { return };
                let members = self.env.packages.get(&self.ctx.package).and_then(|p| p.members.get(&name.text));
                (members.and_then(|m| m.first()).map(|m| m.loc), "name")
            }
        };
        let Some(first) = first else { return };
        if first == self.loc {
            return;
        }
        let (first_file, first_span) = declaration_site(self.db, first);
        let (code, span, message) = match &item.kind {
            ItemKind::Check(c) if what == "rule id" => {
                (Code::DuplicateRuleId, c.name.span, format!("{what} `{}` is already used", c.name.text))
            }
            ItemKind::Framework(f) => {
                (Code::DuplicateItem, f.name.span, format!("framework `{}` is declared twice", f.name.dotted()))
            }
            _ => {
                let name = item.name().map(|n| n.text.clone()).unwrap_or_default();
                let span = item.name().map_or(item.span, |n| n.span);
                (Code::DuplicateItem, span, format!("`{name}` is declared twice in package `{}`", self.ctx.package))
            }
        };
        let help = match &item.kind {
            ItemKind::Check(_) if what == "rule id" => {
                "rule and alarm ids are global: findings are reported by id, so each must be unique"
            }
            _ => "rename one of them",
        };
        self.report(
            Diagnostic::new(code, self.path, span, message)
                .with_label("declared again here")
                .with_related(&first_file, first_span, "first declared here")
                .with_help(help),
        );
    }

    fn check_schema(&mut self, schema: &SchemaItem) {
        let mut seen: Vec<&Name> = Vec::new();
        for field in &schema.fields {
            if let Some(first) = seen.iter().find(|n| n.text == field.name.text) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateMember,
                        self.path,
                        field.name.span,
                        format!("field `{}` is declared twice", field.name.text),
                    )
                    .with_label("declared again here")
                    .with_related(self.path, first.span, "first declared here"),
                );
            }
            seen.push(&field.name);
            self.resolve(&field.ty);
        }
    }

    fn check_alias(&mut self, alias: &TypeAlias) {
        let id = format!("{}.{}", self.ctx.package, alias.name.text);
        if self.env.cyclic_aliases.contains(&id) {
            self.report(
                Diagnostic::new(
                    Code::CyclicTypeAlias,
                    self.path,
                    alias.name.span,
                    format!("type alias `{}` refers to itself", alias.name.text),
                )
                .with_label("cyclic definition")
                .with_help("an alias must end in a concrete type; use a `record` for recursive shapes"),
            );
            return;
        }
        self.resolve(&alias.ty);
    }

    fn check_fn(&mut self, f: &FnItem) {
        if f.body.is_none() && !self.ctx.is_std() {
            self.report(
                Diagnostic::new(Code::NativeOutsideStd, self.path, f.name.span, format!("`native fn {}` outside the standard library", f.name.text))
                    .with_label("no native implementation exists for it")
                    .with_help("native functions are implemented by the runtime and declared only in `std.*`; give the function a body: `fn f(..) -> T = <expr>`"),
            );
        }
        let mut params = Vec::new();
        for p in &f.params {
            let ty = self.resolve(&p.ty);
            let ty = if p.optional { Ty::optional(ty) } else { ty };
            if let Some((_, first)) = params.iter().find(|(n, _): &&(String, Span)| *n == p.name.text) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateBinding,
                        self.path,
                        p.name.span,
                        format!("parameter `{}` is declared twice", p.name.text),
                    )
                    .with_label("declared again here")
                    .with_related(self.path, *first, "first declared here"),
                );
            }
            params.push((p.name.text.clone(), p.name.span));
            self.exprs.bind(&p.name, ty, BindingKind::Param);
        }
        let ret = self.resolve(&f.ret);
        if let Some(body) = &f.body {
            self.exprs.check_against(body, &ret, &format!("the body of `{}`", f.name.text));
            self.check_cycle(&f.name, true);
        }
    }

    /// Finds a path of references from this function or constant back to itself: a
    /// recursive function, or a constant defined in terms of itself, would never finish.
    fn check_cycle(&mut self, name: &Name, is_fn: bool) {
        let me: DefKey = format!("{}.{}", self.ctx.package, name.text);
        let mut stack: Vec<(DefKey, Vec<DefKey>)> = vec![(me.clone(), vec![me.clone()])];
        let mut visited: BTreeSet<DefKey> = BTreeSet::new();
        while let Some((key, path)) = stack.pop() {
            let Some(loc) = self.definition_loc(&key) else { continue };
            for next in db::references(self.db, self.workspace, ItemRef::new(self.db, loc.file, loc.index)) {
                if *next == me {
                    let mut cycle: Vec<&str> = path.iter().map(|k| super::ty::short_name(k)).collect();
                    cycle.push(&name.text);
                    let (code, what, help) = if is_fn {
                        (
                            Code::RecursiveFn,
                            "calls itself",
                            "rules must terminate: functions cannot call themselves, directly or through others; iterate over a list with `.any`, `.map`, … instead",
                        )
                    } else {
                        (
                            Code::CyclicConst,
                            "is defined in terms of itself",
                            "give one of the constants a value that does not depend on the others",
                        )
                    };
                    let message = if path.len() == 1 {
                        format!("`{}` {what}", name.text)
                    } else {
                        format!("`{}` {what}: {}", name.text, cycle.join(" → "))
                    };
                    let label = if is_fn { "recursive function" } else { "cyclic constant" };
                    self.report(Diagnostic::new(code, self.path, name.span, message).with_label(label).with_help(help));
                    return;
                }
                if visited.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }

    fn definition_loc(&self, key: &str) -> Option<Loc> {
        let (package, name) = key.rsplit_once('.')?;
        let member = self.env.member(package, name)?;
        matches!(member.kind, MemberKind::Fn(_) | MemberKind::Const(_)).then_some(member.loc)
    }

    fn check_check(&mut self, check: &CheckItem) {
        let keyword = check.kind.keyword();
        // Clause bookkeeping: duplicates, misplaced, missing.
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        for clause in &check.clauses {
            let kw = clause.kind.keyword();
            let allowed = match (&clause.kind, check.kind) {
                (ClauseKind::Subject { is_event: true, .. }, CheckKind::Rule) => {
                    Some("a rule runs per asset: use `for x: Type`; `on` belongs to alarms")
                }
                (ClauseKind::Subject { is_event: false, .. }, CheckKind::Alarm) => {
                    Some("an alarm runs over events: use `on e: EventType`")
                }
                (ClauseKind::GroupBy { .. } | ClauseKind::Threshold { .. }, CheckKind::Rule) => {
                    Some("grouping and thresholds apply to events: write an `alarm` instead")
                }
                _ => None,
            };
            if let Some(help) = allowed {
                self.report(
                    Diagnostic::new(
                        Code::MisplacedClause,
                        self.path,
                        clause.span,
                        format!("`{kw}` is not allowed in a {keyword}"),
                    )
                    .with_label(format!("not a {keyword} clause"))
                    .with_help(help),
                );
                continue;
            }
            if matches!(clause.kind, ClauseKind::Let { .. }) {
                continue;
            }
            let kw = if matches!(clause.kind, ClauseKind::Subject { .. }) { "subject" } else { kw };
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == kw) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateClause,
                        self.path,
                        clause.span,
                        format!("`{}` appears twice in {keyword} `{}`", clause.kind.keyword(), check.name.text),
                    )
                    .with_label("second occurrence")
                    .with_related(self.path, *first, "first here")
                    .with_help(if kw == "when" {
                        "combine the conditions with `and` / `or`"
                    } else {
                        "keep one of them"
                    }),
                );
            }
            seen.push((kw, clause.span));
        }
        let subject_kw = if check.kind == CheckKind::Rule { "for" } else { "on" };
        let misplaced_subject = check.clauses.iter().any(|c| matches!(c.kind, ClauseKind::Subject { .. }));
        let mut missing: Vec<(&str, String)> = Vec::new();
        for (required, example) in [
            ("title", "title \"Security group opens SSH to the internet\"".to_owned()),
            ("severity", "severity high".to_owned()),
            (
                subject_kw,
                if check.kind == CheckKind::Rule {
                    "for sg: SecurityGroup".to_owned()
                } else {
                    "on e: ApiCall".to_owned()
                },
            ),
            ("when", "when <condition>".to_owned()),
        ] {
            let key = if required == subject_kw { "subject" } else { required };
            let exempt =
                (required == "when" && check.kind == CheckKind::Alarm) || (key == "subject" && misplaced_subject);
            if !exempt && !seen.iter().any(|(k, _)| *k == key) {
                missing.push((required, example));
            }
        }
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|(n, _)| format!("`{n}`")).collect();
            let examples: Vec<String> = missing.iter().map(|(_, e)| format!("`{e}`")).collect();
            self.report(
                Diagnostic::new(
                    Code::MissingClause,
                    self.path,
                    check.name.span,
                    format!("{keyword} `{}` has no {}", check.name.text, names.join(", ")),
                )
                .with_label(format!("missing {}", names.join(", ")))
                .with_help(format!("add {}", examples.join(", "))),
            );
        }
        // Metadata.
        for clause in &check.clauses {
            match &clause.kind {
                ClauseKind::Severity(name) if !SEVERITIES.contains(&name.text.as_str()) => {
                    let mut d = Diagnostic::new(
                        Code::InvalidSeverity,
                        self.path,
                        name.span,
                        format!("unknown severity `{}`", name.text),
                    )
                    .with_label("not a severity");
                    d.help = Some(match did_you_mean(&name.text, SEVERITIES.iter().copied()) {
                        Some(s) => format!("{s} (severities: {})", SEVERITIES.join(", ")),
                        None => format!("use one of {}", SEVERITIES.join(", ")),
                    });
                    self.report(d);
                }
                ClauseKind::Controls(refs) => refs.iter().for_each(|r| self.check_control_ref(r)),
                _ => {}
            }
        }
        // Bindings and expressions: the subject first (its `where` sees only it), then every
        // other clause in source order, so a `let` is visible in the clauses after it.
        let mut bound: Vec<String> = Vec::new();
        for clause in &check.clauses {
            if let ClauseKind::Subject { is_event, binding, ty, filter } = &clause.kind {
                let want = if check.kind == CheckKind::Rule { TypeKind::Asset } else { TypeKind::Event };
                if check.kind == CheckKind::Rule && *is_event || check.kind == CheckKind::Alarm && !*is_event {
                    // Already reported as misplaced; bind the name so its uses do not cascade.
                    self.exprs.bind(binding, Ty::Error, BindingKind::Subject);
                    bound.push(binding.text.clone());
                    break;
                }
                let subject_ty = self.subject_type(ty, want);
                self.exprs.bind(binding, subject_ty, BindingKind::Subject);
                bound.push(binding.text.clone());
                if let Some(filter) = filter {
                    self.exprs.check_condition(filter, "the `where` filter");
                }
                break;
            }
        }
        let mut has_group = false;
        let mut threshold_span = None;
        for clause in &check.clauses {
            match &clause.kind {
                ClauseKind::Let { name, ty, value } => {
                    let value_ty = match ty {
                        Some(te) => {
                            let declared = self.resolve(te);
                            self.exprs.check_against(value, &declared, &format!("the value of `{}`", name.text));
                            declared
                        }
                        None => self.exprs.infer(value),
                    };
                    if let Some(previous) = self.exprs.scopes.iter().find(|b| b.name == name.text) {
                        let first = previous.span;
                        self.report(
                            Diagnostic::new(
                                Code::DuplicateBinding,
                                self.path,
                                name.span,
                                format!("`{}` is already bound", name.text),
                            )
                            .with_label("bound again here")
                            .with_related(self.path, first, "first bound here")
                            .with_help("choose another name: a binding is visible in every clause after it"),
                        );
                    }
                    self.exprs.bind(name, value_ty, BindingKind::Let);
                    bound.push(name.text.clone());
                }
                ClauseKind::When(expr) => {
                    self.exprs.check_condition(expr, "`when`");
                    if !mentions_any(expr, &bound) {
                        self.report(
                            Diagnostic::new(
                                Code::ConstantCondition,
                                self.path,
                                expr.span,
                                "`when` does not depend on the subject",
                            )
                            .with_label("same value for every subject")
                            .with_help(format!(
                                "the {keyword} fires for all or none; refer to the bound variable, or remove `when`"
                            )),
                        );
                    }
                }
                ClauseKind::Message(template) | ClauseKind::Fix(template) => {
                    for part in &template.parts {
                        if let TemplatePart::Hole(e) = part {
                            self.exprs.infer(e);
                        }
                    }
                }
                ClauseKind::Evidence(expr) => {
                    self.exprs.infer(expr);
                }
                ClauseKind::GroupBy { key, window } if check.kind == CheckKind::Alarm => {
                    has_group = true;
                    let ty = self.exprs.infer(key);
                    if matches!(ty, Ty::List(_) | Ty::Map(..)) {
                        self.report(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                self.path,
                                key.span,
                                format!("`group by` needs a scalar key, found `{ty}`"),
                            )
                            .with_label(format!("this is `{ty}`")),
                        );
                    }
                    if let Some(window) = window {
                        self.check_window(window);
                    }
                }
                ClauseKind::Threshold { measure, count, .. } if check.kind == CheckKind::Alarm => {
                    threshold_span = Some(clause.span);
                    if let ThresholdMeasure::Distinct(e) = measure {
                        self.exprs.infer(e);
                    }
                    if let Err(e) = literals::int(&count.text) {
                        self.report(
                            Diagnostic::new(Code::IntegerOverflow, self.path, count.span, e.message)
                                .with_label("out of range"),
                        );
                    }
                }
                _ => {}
            }
        }
        if let (Some(span), false) = (threshold_span, has_group) {
            self.report(
                Diagnostic::new(Code::ThresholdWithoutGroup, self.path, span, "`threshold` needs a `group by`")
                    .with_label("counts events per group")
                    .with_help("add `group by <key> within <duration>`, e.g. `group by e.access_key_id within 10m` for API calls"),
            );
        }
        let unused: Vec<(String, Span)> = self
            .exprs
            .scopes
            .iter()
            .filter(|b| b.kind == BindingKind::Let && !b.used)
            .map(|b| (b.name.clone(), b.span))
            .collect();
        for (name, span) in unused {
            self.report(
                Diagnostic::new(Code::UnusedLet, self.path, span, format!("`let {name}` is never used"))
                    .with_label("unused")
                    .with_help("use it in `when`, `message` or `evidence`, or remove it"),
            );
        }
    }

    fn check_window(&mut self, window: &Duration) {
        if let Err(e) = literals::duration_seconds(&window.text) {
            let mut d = Diagnostic::new(Code::InvalidDuration, self.path, window.span, e.message)
                .with_label("invalid duration");
            d.help = e.help;
            self.report(d);
        }
    }

    /// The type named after `for` / `on`, which must be an asset / event type.
    fn subject_type(&mut self, q: &QName, want: TypeKind) -> Ty {
        let ty = self.resolve(&TypeExpr { kind: TypeExprKind::Named(q.clone()), span: q.span });
        let kind = match &ty {
            Ty::Named(id) => self.env.type_def(id).map(|d| d.kind),
            Ty::Error => return Ty::Error,
            _ => None,
        };
        if kind != Some(want) {
            let found = kind.map_or_else(|| format!("`{ty}`"), |k| format!("{} `{ty}`", k.describe()));
            let (noun, help) = match want {
                TypeKind::Asset => (
                    "an asset type",
                    "`for` iterates over assets such as `SecurityGroup`; to scan events, write an `alarm` with `on`",
                ),
                _ => (
                    "an event type",
                    "`on` iterates over events such as `ApiCall`; to check assets, write a `rule` with `for`",
                ),
            };
            self.report(
                Diagnostic::new(Code::TypeMismatch, self.path, q.span, format!("expected {noun}, found {found}"))
                    .with_label(format!("not {noun}"))
                    .with_help(help),
            );
            return Ty::Error;
        }
        ty
    }

    fn check_control_ref(&mut self, r: &ControlRef) {
        let framework = r.framework.dotted();
        let Some(defs) = self.env.frameworks.get(&framework) else {
            let help = did_you_mean(&framework, self.env.frameworks.keys().map(String::as_str));
            let mut d = Diagnostic::new(
                Code::UnknownFramework,
                self.path,
                r.framework.span,
                format!("unknown framework `{framework}`"),
            )
            .with_label("not declared");
            d.help = help.or_else(|| {
                Some(format!(
                    "declared frameworks: {}",
                    self.env.frameworks.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            });
            self.report(d);
            return;
        };
        let controls = defs.iter().flat_map(|d| d.controls.iter()).collect::<BTreeSet<_>>();
        if controls.contains(&r.control.value) {
            let target = Target::Control { framework: framework.clone(), id: r.control.value.clone() };
            self.exprs.refs.push((r.control.span, target));
        } else {
            let help = did_you_mean(&r.control.value, controls.iter().map(|c| c.as_str()));
            let mut d = Diagnostic::new(
                Code::UnknownControl,
                self.path,
                r.control.span,
                format!("framework `{framework}` has no control `{}`", r.control.value),
            )
            .with_label("unknown control");
            d.help = help.or_else(|| Some(format!("see `rulec rules --framework {framework}` for its controls")));
            self.report(d);
        }
    }

    fn check_edge(&mut self, edge: &EdgeItem) {
        let endpoint = |q: &QName, this: &mut Self| -> Ty {
            let ty = this.resolve(&TypeExpr { kind: TypeExprKind::Named(q.clone()), span: q.span });
            match &ty {
                Ty::Internet | Ty::Error => ty,
                Ty::Named(id) if this.env.is_asset(id) => ty,
                other => {
                    this.report(
                        Diagnostic::new(
                            Code::InvalidEdgeEndpoint,
                            this.path,
                            q.span,
                            format!("an edge connects assets, `{other}` is not an asset type"),
                        )
                        .with_label("not a graph node")
                        .with_help("edge endpoints are asset types or the built-in `Internet` node"),
                    );
                    Ty::Error
                }
            }
        };
        let from = endpoint(&edge.from, self);
        let to = endpoint(&edge.to, self);
        if to == Ty::Internet {
            self.report(
                Diagnostic::new(Code::InvalidEdgeEndpoint, self.path, edge.to.span, "`Internet` can only start a path")
                    .with_label("edges cannot lead into `Internet`"),
            );
        }
        let source = Name { text: "source".into(), span: edge.from.span };
        let target = Name { text: "target".into(), span: edge.to.span };
        self.exprs.bind(&source, from, BindingKind::Subject);
        self.exprs.bind(&target, to, BindingKind::Subject);
        if let Some(condition) = &edge.condition {
            self.exprs.check_condition(condition, "an edge condition");
        }
    }

    fn check_framework(&mut self, fw: &FrameworkItem) {
        let mut seen: Vec<&StrLit> = Vec::new();
        for control in &fw.controls {
            if let Some(first) = seen.iter().find(|c| c.value == control.id.value) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateMember,
                        self.path,
                        control.id.span,
                        format!("control `{}` is declared twice", control.id.value),
                    )
                    .with_label("declared again here")
                    .with_related(self.path, first.span, "first declared here"),
                );
            }
            seen.push(&control.id);
        }
    }

    fn check_test(&mut self, test: &TestItem) {
        let span = test.name.span;
        match test.given.as_slice() {
            [] => self.report(
                Diagnostic::new(
                    Code::InvalidTest,
                    self.path,
                    span,
                    format!("test `{}` has no `given` snapshot", test.name.value),
                )
                .with_label("nothing to evaluate")
                .with_help("add `given \"fixtures/<file>.yaml\"` or an inline `given { taken_at: .., assets: [..] }`"),
            ),
            [given] => match given {
                Given::File(path) if !is_snapshot_path(&path.value) => self.report(
                    Diagnostic::new(
                        Code::InvalidTest,
                        self.path,
                        path.span,
                        format!("`{}` is not a snapshot file", path.value),
                    )
                    .with_label("unsupported extension")
                    .with_help(
                        "fixtures are `.json`, `.yaml`, `.yml` or `.jsonl` files, or folders of them (ending in `/`)",
                    ),
                ),
                Given::Inline(data) if !matches!(data.kind, DataKind::Object(_)) => self.report(
                    Diagnostic::new(Code::InvalidTest, self.path, data.span, "an inline snapshot must be an object")
                        .with_label("not an object")
                        .with_help("write `given { taken_at: \"..\", assets: [..], events: [..] }`"),
                ),
                _ => {}
            },
            [_, second, ..] => {
                let second_span = match second {
                    Given::File(s) => s.span,
                    Given::Inline(d) => d.span,
                };
                self.report(
                    Diagnostic::new(Code::InvalidTest, self.path, second_span, "a test has one `given`")
                        .with_label("second snapshot")
                        .with_help("split it into two tests, or merge the fixtures into one folder"),
                );
            }
        }
        if test.expects.is_empty() {
            self.report(
                Diagnostic::new(
                    Code::InvalidTest,
                    self.path,
                    span,
                    format!("test `{}` expects nothing", test.name.value),
                )
                .with_label("cannot fail")
                .with_help("add `expect RULE_ID on \"<asset id>\"` or `expect no RULE_ID`"),
            );
        }
        for expect in &test.expects {
            if !self.env.checks.contains_key(&expect.rule.text) {
                let help = did_you_mean(&expect.rule.text, self.env.checks.keys().map(String::as_str));
                let mut d = Diagnostic::new(
                    Code::UnknownRule,
                    self.path,
                    expect.rule.span,
                    format!("unknown rule `{}`", expect.rule.text),
                )
                .with_label("no rule or alarm has this id");
                d.help = help;
                self.report(d);
            }
        }
    }
}

impl ItemChecker<'_> {
    /// The item in plan form and the fields its expressions read (only called when it checked
    /// without errors).
    fn lower(&self, item: &Item, pack: &str) -> (Option<Lowered>, BTreeSet<String>) {
        let layout = db::plan_layout(self.db, self.workspace);
        let lw = Lowerer::new(self.env, layout, &self.exprs);
        let lowered = self.lower_with(item, pack, &lw);
        (lowered, lw.into_reads())
    }

    fn lower_with(&self, item: &Item, pack: &str, lw: &Lowerer<'_>) -> Option<Lowered> {
        let layout = lw.layout;
        let qualified = |name: &Name| format!("{}.{}", self.ctx.package, name.text);
        let locals = self.exprs.max_slots;
        let type_of_binding = |name: &str| {
            self.exprs.scopes.iter().find(|b| b.kind == BindingKind::Subject && b.name == name).map(|b| b.ty.clone())
        };
        let type_index = |ty: Option<Ty>| match ty {
            Some(Ty::Named(id)) => layout.type_index.get(&id).copied(),
            _ => None,
        };
        Some(match &item.kind {
            ItemKind::Const(c) => {
                Lowered::Const(plan::Const { name: qualified(&c.name), value: lw.expr(&c.value), locals })
            }
            ItemKind::Fn(f) => Lowered::Function(plan::Function {
                name: qualified(&f.name),
                params: f.params.len() as u32,
                locals,
                body: lw.expr(f.body.as_ref()?),
            }),
            ItemKind::Edge(e) => Lowered::Edge(plan::Edge {
                name: qualified(&e.name),
                from: type_index(type_of_binding("source")),
                to: type_index(type_of_binding("target"))?,
                condition: e.condition.as_ref().map(|c| lw.expr(c)),
                locals,
            }),
            ItemKind::Framework(fw) => Lowered::Framework(plan::Framework {
                name: fw.name.dotted(),
                title: fw.title.value.clone(),
                controls: fw
                    .controls
                    .iter()
                    .map(|c| plan::Control {
                        id: c.id.value.clone(),
                        summary: c.summary.value.clone(),
                        manual: c.manual,
                    })
                    .collect(),
            }),
            ItemKind::Check(check) => Lowered::Check(Box::new(self.lower_check(check, item, pack, lw)?)),
            _ => return None,
        })
    }

    fn lower_check(&self, check: &CheckItem, item: &Item, pack: &str, lw: &Lowerer<'_>) -> Option<plan::Check> {
        let layout = lw.layout;
        let subject = self.exprs.scopes.iter().find(|b| b.kind == BindingKind::Subject)?;
        let Ty::Named(subject_id) = &subject.ty else { return None };
        let mut lowered = plan::Check {
            id: check.name.text.clone(),
            kind: check.kind,
            pack: pack.to_owned(),
            title: String::new(),
            severity: plan::Severity::Info,
            controls: Vec::new(),
            fix: None,
            fix_template: None,
            doc: item.doc_text(),
            subject_type: *layout.type_index.get(subject_id)?,
            filter: None,
            lets: Vec::new(),
            when: None,
            message: None,
            evidence: Vec::new(),
            group: None,
            locals: self.exprs.max_slots,
            // Completed once the plan is whole (`reads::close`).
            reads: Vec::new(),
        };
        let mut threshold = plan::Threshold { measure: plan::Measure::Count, at_least: 1 };
        let mut grouping: Option<(plan::Expr, Option<i64>)> = None;
        for clause in &check.clauses {
            match &clause.kind {
                ClauseKind::Title(t) => lowered.title = t.value.clone(),
                ClauseKind::Severity(s) => lowered.severity = plan::Severity::parse(&s.text)?,
                ClauseKind::Controls(refs) => lowered
                    .controls
                    .extend(refs.iter().map(|r| format!("{}/{}", r.framework.dotted(), r.control.value))),
                ClauseKind::Fix(t) => {
                    lowered.fix = Some(t.written.clone());
                    lowered.fix_template = Some(lw.template(t));
                }
                ClauseKind::Subject { filter, .. } => lowered.filter = filter.as_ref().map(|f| lw.expr(f)),
                ClauseKind::Let { value, .. } => lowered.lets.push(lw.expr(value)),
                ClauseKind::When(e) => lowered.when = Some(lw.expr(e)),
                ClauseKind::Message(t) => lowered.message = Some(lw.template(t)),
                ClauseKind::Evidence(e) => {
                    if let ExprKind::Record(entries) = &e.kind {
                        lowered.evidence = entries.iter().map(|(k, v)| (k.text.clone(), lw.expr(v))).collect();
                    }
                }
                ClauseKind::GroupBy { key, window } => {
                    let window = match window {
                        Some(w) => Some(literals::duration_seconds(&w.text).ok()?),
                        None => None,
                    };
                    grouping = Some((lw.expr(key), window));
                }
                ClauseKind::Threshold { measure, strict, count } => {
                    threshold = plan::Threshold {
                        measure: match measure {
                            ThresholdMeasure::Count => plan::Measure::Count,
                            ThresholdMeasure::Distinct(e) => plan::Measure::Distinct(lw.expr(e)),
                        },
                        at_least: literals::int(&count.text).ok()? + i64::from(*strict),
                    };
                }
            }
        }
        lowered.group = grouping.map(|(key, window_seconds)| plan::Grouping { key, window_seconds, threshold });
        Some(lowered)
    }
}

fn is_snapshot_path(path: &str) -> bool {
    [".json", ".yaml", ".yml", ".jsonl", "/"].iter().any(|ext| path.ends_with(ext))
}

/// Whether `expr` refers to any of `names` (a `when` that does not is constant).
fn mentions_any(expr: &Expr, names: &[String]) -> bool {
    let mut found = false;
    expr.walk(&mut |e| {
        if let ExprKind::Var(n) = &e.kind
            && names.contains(&n.text)
        {
            found = true;
        }
    });
    found
}

/// The functions and constants a `fn` body or a `const` value refers to, resolved by name
/// only (no type checking), so cycles can be found without query cycles.
pub fn references(db: &dyn Db, workspace: Workspace, file: SourceFile, index: u32) -> Vec<DefKey> {
    let parsed = db::parse(db, file);
    let body = match parsed.ast.items.get(index as usize).map(|i| &i.kind) {
        Some(ItemKind::Fn(FnItem { body: Some(body), .. })) => body,
        Some(ItemKind::Const(c)) => &c.value,
        _ => return Vec::new(),
    };
    let env = db::global_env(db, workspace);
    let ctx = FileCtx::new(db::file_summary(db, file));
    let is_fn =
        |package: &str, name: &str| env.member(package, name).is_some_and(|m| matches!(m.kind, MemberKind::Fn(_)));
    let is_const =
        |package: &str, name: &str| env.member(package, name).is_some_and(|m| matches!(m.kind, MemberKind::Const(_)));
    let mut out = BTreeSet::new();
    body.walk(&mut |e| match &e.kind {
        ExprKind::Call { callee, .. } if is_fn(&ctx.package, &callee.text) => {
            out.insert(format!("{}.{}", ctx.package, callee.text));
        }
        ExprKind::Var(name) if is_const(&ctx.package, &name.text) => {
            out.insert(format!("{}.{}", ctx.package, name.text));
        }
        ExprKind::Method { base, name, .. } | ExprKind::Field { base, name, .. } => {
            if let ExprKind::Var(prefix) = &base.kind
                && let Some(package) = ctx.imports.get(&prefix.text)
                && (is_fn(package, &name.text) || is_const(package, &name.text))
            {
                out.insert(format!("{package}.{}", name.text));
            }
        }
        _ => {}
    });
    out.into_iter().collect()
}

/// Checks of the file header: the package declaration and `use` imports.
pub fn check_file_header(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    used_imports: &[String],
) -> Vec<Diagnostic> {
    let parsed = db::parse(db, file);
    let env = db::global_env(db, workspace);
    let path = file.path(db);
    let mut out = Vec::new();
    let mut seen: Vec<&Use> = Vec::new();
    for u in &parsed.ast.uses {
        let target = u.path.dotted();
        let local = u.local_name();
        if let Some(first) = seen.iter().find(|s| s.local_name().text == local.text) {
            out.push(
                Diagnostic::new(Code::DuplicateMember, path, local.span, format!("`{}` is imported twice", local.text))
                    .with_label("imported again here")
                    .with_related(path, first.span, "first imported here")
                    .with_help("give one import another name with `as`"),
            );
        }
        seen.push(u);
        if !env.packages.contains_key(&target) {
            let help = did_you_mean(&target, env.packages.keys().map(String::as_str));
            let mut d = Diagnostic::new(Code::UnknownPackage, path, u.path.span, format!("unknown package `{target}`"))
                .with_label("no file declares this package");
            d.help = help;
            out.push(d);
        } else if !used_imports.contains(&local.text) {
            out.push(
                Diagnostic::new(Code::UnusedImport, path, u.span, format!("unused import `{target}`"))
                    .with_label("never used")
                    .with_help("remove the `use`"),
            );
        }
    }
    out
}
