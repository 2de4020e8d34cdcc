//! Completion: fields and methods after `.` from the inferred type (through `let`s, lambdas
//! and optionals), a package's members after `alias.`, control ids in `controls [..]`, and
//! otherwise the names in scope, types, builtins and keywords.
//!
//! Text being typed rarely parses (`b.` has no field name yet), so the type before a `.` is
//! found by checking the text with the `.` and the partial name removed, and any bracket the
//! text after the cursor leaves open closed: the editor's file is patched for the question
//! and restored after it, and salsa re-checks only that item.

use std::collections::BTreeSet;

use super::brackets::Brackets;
use super::{alias_ending, char_boundary, checked_at, item_of, type_ending_at};
use crate::compilation::Compilation;
use crate::db::{self, Db, SourceFile, Workspace};
use crate::semantic::env::{FileCtx, MemberKind, SCALARS};
use crate::semantic::expr::{BUILTIN_FUNCTIONS, Target};
use crate::semantic::methods;
use crate::syntax::ast::ItemKind;
use crate::syntax::is_name_char;

/// What a completion inserts, for the editor's icon.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompletionKind {
    Field,
    Method,
    Function,
    Constant,
    Type,
    Variable,
    Module,
    Keyword,
    Rule,
    Control,
    Edge,
}

/// One completion: the text to insert and what it is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// A type or signature.
    pub detail: Option<String>,
}

impl Completion {
    fn new(label: impl Into<String>, kind: CompletionKind, detail: Option<String>) -> Self {
        Completion { label: label.into(), kind, detail }
    }
}

/// The name standing in for the one being typed.
const HOLE: &str = "rulec_completion_hole";

/// The completions at `offset` of the file named `path`, sorted by label.
pub fn completions(compilation: &mut Compilation, path: &str, offset: u32) -> Vec<Completion> {
    let Some(file) = compilation.file(path) else { return Vec::new() };
    let text = file.text(compilation.db()).clone();
    let offset = char_boundary(&text, offset);
    let before = &text[..offset];
    // What the text after the cursor leaves unclosed, for the patched copies below to parse.
    let closers = || {
        let brackets = Brackets::at(&text, offset);
        brackets.closers_for_cut(brackets.open.len(), offset)
    };
    let head = before.trim_end_matches(is_name_char);
    let mut items = match head.strip_suffix('.') {
        Some(base) => {
            let base = base.strip_suffix('?').unwrap_or(base);
            match alias_ending(compilation.db(), file, base) {
                Some((_, package)) => package_members(compilation.db(), compilation.workspace(), &package),
                None => {
                    let patched = format!("{base}{}{}", closers(), &text[offset..]);
                    let base_end = base.len() as u32;
                    compilation
                        .with_text(path, patched, |c| member_completions(c.db(), c.workspace(), file, base_end))
                        .unwrap_or_default()
                }
            }
        }
        None if line_of(before).trim_start().starts_with("controls") => {
            control_completions(compilation.db(), compilation.workspace())
        }
        None if head.len() == before.len() => {
            // Nothing typed yet: a placeholder name lets the item parse, so its locals are known.
            let patched = format!("{before}{HOLE}{}{}", closers(), &text[offset..]);
            compilation
                .with_text(path, patched, |c| scope_completions(c.db(), c.workspace(), file, offset as u32))
                .unwrap_or_default()
        }
        None => scope_completions(compilation.db(), compilation.workspace(), file, offset as u32),
    };
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items.dedup_by(|a, b| a.label == b.label);
    items
}

fn line_of(before: &str) -> &str {
    before.rsplit('\n').next().unwrap_or(before)
}

/// Fields and methods of the expression that ends at `base_end`.
fn member_completions(db: &dyn Db, workspace: Workspace, file: SourceFile, base_end: u32) -> Vec<Completion> {
    let Some(ty) = type_ending_at(db, workspace, file, base_end) else { return Vec::new() };
    let receiver = ty.strip_optional();
    let env = db::global_env(db, workspace);
    let mut out: Vec<Completion> = env
        .fields_of(receiver)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, ty)| Completion::new(name, CompletionKind::Field, Some(ty.to_string())))
        .collect();
    out.extend(methods::names_for(receiver).iter().map(|name| {
        let detail = methods::lookup(receiver, name).map(|sig| sig.label(name).text);
        Completion::new(*name, CompletionKind::Method, detail)
    }));
    out
}

/// The members of `package`, for `alias.`.
fn package_members(db: &dyn Db, workspace: Workspace, package: &str) -> Vec<Completion> {
    let env = db::global_env(db, workspace);
    let Some(scope) = env.packages.get(package) else { return Vec::new() };
    scope
        .members
        .iter()
        .filter_map(|(name, defs)| defs.first().map(|m| (name, m)))
        .map(|(name, member)| match &member.kind {
            MemberKind::Fn(sig) => Completion::new(name, CompletionKind::Function, Some(sig.label(name).text)),
            MemberKind::Const(ty) => Completion::new(name, CompletionKind::Constant, Some(ty.to_string())),
            MemberKind::Type(id) => Completion::new(name, CompletionKind::Type, Some(id.clone())),
            MemberKind::Check(kind) => Completion::new(name, CompletionKind::Rule, Some(kind.keyword().to_owned())),
            MemberKind::Edge { from, to } => {
                Completion::new(name, CompletionKind::Edge, Some(format!("{from} -> {to}")))
            }
        })
        .collect()
}

/// Every control of every framework, as `controls [..]` cites it.
fn control_completions(db: &dyn Db, workspace: Workspace) -> Vec<Completion> {
    let env = db::global_env(db, workspace);
    let mut out = Vec::new();
    for (framework, defs) in &env.frameworks {
        for def in defs {
            let Some(ItemKind::Framework(fw)) = item_of(db, def.loc).map(|i| &i.kind) else { continue };
            out.extend(fw.controls.iter().map(|c| {
                Completion::new(
                    format!("{framework}.\"{}\"", c.id.value),
                    CompletionKind::Control,
                    Some(if c.manual { format!("{} (manual)", c.summary.value) } else { c.summary.value.clone() }),
                )
            }));
        }
    }
    out
}

/// Names that may start an expression or a type here: locals bound before `offset`, the
/// package's members, imports, types, builtins and keywords.
fn scope_completions(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: u32) -> Vec<Completion> {
    let text = file.text(db);
    let mut out = Vec::new();
    if let Some(checked) = checked_at(db, workspace, file, offset) {
        let locals: BTreeSet<&str> = checked
            .facts
            .refs
            .iter()
            .filter_map(|(_, t)| match t {
                Target::Local { def } if def.end <= offset => text.get(def.range()),
                _ => None,
            })
            .collect();
        out.extend(locals.into_iter().map(|l| Completion::new(l, CompletionKind::Variable, None)));
    }
    let ctx = FileCtx::new(db::file_summary(db, file));
    out.extend(package_members(db, workspace, &ctx.package));
    out.extend(
        ctx.imports
            .iter()
            .map(|(alias, package)| Completion::new(alias, CompletionKind::Module, Some(package.clone()))),
    );
    let env = db::global_env(db, workspace);
    out.extend(env.types.keys().map(|id| {
        let short = id.rsplit('.').next().unwrap_or(id);
        Completion::new(short, CompletionKind::Type, Some(id.clone()))
    }));
    out.extend(
        BUILTIN_FUNCTIONS.iter().map(|b| Completion::new(b.name, CompletionKind::Function, Some(b.label().text))),
    );
    out.extend(crate::syntax::keywords().map(|k| Completion::new(k, CompletionKind::Keyword, None)));
    out.extend(SCALARS.iter().map(|(name, _)| Completion::new(*name, CompletionKind::Type, None)));
    out
}
