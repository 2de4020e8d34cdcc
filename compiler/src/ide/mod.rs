//! Editor questions about a workspace: what is under the cursor, where it is declared, what
//! may follow a `.`, which items a file declares. Answered from the same salsa queries as
//! `rulec compile`, so the language server never disagrees with the compiler.
//!
//! Positions are byte offsets into a file's text; the language server converts them to and
//! from the editor's line/column.

mod brackets;
mod completion;
mod definition;
mod hover;
mod signature;
mod symbols;

pub use completion::{Completion, CompletionKind, completions};
pub use definition::{RenameError, definition, references, rename};
pub use hover::{Hover, hover};
pub use signature::{SignatureHelp, signature_help};
pub use symbols::{Symbol, SymbolKind, document_symbols};

use crate::db::{self, CheckedItem, Db, ItemRef, SourceFile, Workspace};
use crate::semantic::env::{FileCtx, Loc};
use crate::semantic::expr::Target;
use crate::semantic::ty::Ty;
use crate::syntax::ast::{Item, ItemKind};
use crate::syntax::{Span, is_name_char};

/// A span of a file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FileSpan {
    pub file: SourceFile,
    pub span: Span,
}

/// The index of the item whose text holds `offset`.
fn item_at(db: &dyn Db, file: SourceFile, offset: u32) -> Option<u32> {
    let parsed = db::parse(db, file);
    parsed.ast.items.iter().position(|i| i.span.contains(offset)).map(|i| i as u32)
}

/// The checked item whose text holds `offset`.
fn checked_at(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: u32) -> Option<&CheckedItem> {
    let index = item_at(db, file, offset)?;
    Some(db::check_item(db, workspace, ItemRef::new(db, file, index)))
}

/// The innermost of `entries` whose span holds `offset`.
fn innermost<T>(entries: &[(Span, T)], offset: u32) -> Option<&(Span, T)> {
    entries.iter().filter(|(span, _)| span.contains(offset)).min_by_key(|(span, _)| span.len())
}

/// What the name at `offset` refers to: a reference the checker recorded, or the name of
/// the item declared there.
fn target_at(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: u32) -> Option<(Span, Target)> {
    if let Some(found) = header_target(db, file, offset) {
        return Some(found);
    }
    let checked = checked_at(db, workspace, file, offset)?;
    if let Some((span, target)) = innermost(&checked.facts.refs, offset) {
        return Some((*span, target.clone()));
    }
    let item = &db::parse(db, file).ast.items[item_at(db, file, offset)? as usize];
    let name = item.name().filter(|n| n.span.contains(offset))?;
    let package = db::file_summary(db, file).package.clone().unwrap_or_default();
    let target = match &item.kind {
        ItemKind::Schema(_) | ItemKind::TypeAlias(_) => Target::Type(qualified(&package, &name.text)),
        _ => Target::Member { package, name: name.text.clone() },
    };
    Some((name.span, target))
}

/// The package the file's header names at `offset`: its `package` path, or a `use` path or
/// alias.
fn header_target(db: &dyn Db, file: SourceFile, offset: u32) -> Option<(Span, Target)> {
    let ast = &db::parse(db, file).ast;
    let declared = ast.package.iter().map(|q| (q.span, q));
    let imported =
        ast.uses.iter().flat_map(|u| [Some((u.path.span, &u.path)), u.alias.as_ref().map(|a| (a.span, &u.path))]);
    let (span, path) = declared.chain(imported.flatten()).find(|(span, _)| span.contains(offset))?;
    Some((span, Target::Package(path.dotted())))
}

/// `package.name`, the form type ids and messages use.
fn qualified(package: &str, name: &str) -> String {
    if package.is_empty() { name.to_owned() } else { format!("{package}.{name}") }
}

/// The item a [`Loc`] points at.
fn item_of(db: &dyn Db, loc: Loc) -> Option<&Item> {
    db::parse(db, loc.file).ast.items.get(loc.index as usize)
}

/// Where the item at `loc` declares its name.
fn declaration(db: &dyn Db, loc: Loc) -> FileSpan {
    let span = item_of(db, loc).map_or_else(Span::default, |item| match &item.kind {
        ItemKind::Framework(f) => f.name.span,
        _ => item.name().map_or(item.span, |n| n.span),
    });
    FileSpan { file: loc.file, span }
}

/// The type of the innermost expression of `file` that ends at `end`.
fn type_ending_at(db: &dyn Db, workspace: Workspace, file: SourceFile, end: u32) -> Option<Ty> {
    let checked = checked_at(db, workspace, file, end)?;
    let types = checked.facts.types.iter().filter(|(span, _)| span.end == end);
    types.min_by_key(|(span, _)| span.len()).map(|(_, ty)| ty.clone())
}

/// The import alias `before` ends with and the package it names, when the name is not itself
/// a field (`net` in `net.`, but not in `x.net.`).
fn alias_ending<'t>(db: &dyn Db, file: SourceFile, before: &'t str) -> Option<(&'t str, String)> {
    let start = before.trim_end_matches(is_name_char).len();
    let alias = &before[start..];
    if alias.is_empty() || before[..start].ends_with('.') {
        return None;
    }
    let package = FileCtx::new(db::file_summary(db, file)).imports.get(alias)?.clone();
    Some((alias, package))
}

/// `offset` within `text`, moved back to a character boundary: editors may send any offset.
fn char_boundary(text: &str, offset: u32) -> usize {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The named types a type stands for (through optionals, lists and unions), for fields.
fn named_types(ty: &Ty) -> Vec<String> {
    match ty {
        Ty::Named(id) => vec![id.clone()],
        Ty::Optional(inner) => named_types(inner),
        Ty::Union(members) => members.iter().flat_map(named_types).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
