//! The outline of a file: its items, and a framework's controls beneath it.

use crate::db::{self, Db, SourceFile};
use crate::syntax::Span;
use crate::syntax::ast::{ClauseKind, ItemKind};

/// What kind of item a symbol is, for the editor's icon.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SymbolKind {
    Type,
    Field,
    Function,
    Constant,
    Rule,
    Edge,
    Framework,
    Control,
    Test,
    Variable,
}

/// One entry of a file's outline.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole item.
    pub span: Span,
    /// The name, selected when the symbol is picked.
    pub selection: Span,
    pub children: Vec<Symbol>,
}

/// The items of `file` in source order.
pub fn document_symbols(db: &dyn Db, file: SourceFile) -> Vec<Symbol> {
    let parsed = db::parse(db, file);
    let leaf = |name: &str, detail: Option<String>, kind, span, selection| Symbol {
        name: name.to_owned(),
        detail,
        kind,
        span,
        selection,
        children: Vec::new(),
    };
    parsed
        .ast
        .items
        .iter()
        .filter_map(|item| {
            let symbol = match &item.kind {
                ItemKind::Schema(s) => {
                    let mut symbol =
                        leaf(&s.name.text, Some(s.kind.keyword().to_owned()), SymbolKind::Type, item.span, s.name.span);
                    symbol.children = s
                        .fields
                        .iter()
                        .map(|f| leaf(&f.name.text, None, SymbolKind::Field, f.name.span.cover(f.ty.span), f.name.span))
                        .collect();
                    symbol
                }
                ItemKind::TypeAlias(t) => {
                    leaf(&t.name.text, Some("type".into()), SymbolKind::Type, item.span, t.name.span)
                }
                ItemKind::Fn(f) => leaf(&f.name.text, Some("fn".into()), SymbolKind::Function, item.span, f.name.span),
                ItemKind::Const(c) => {
                    leaf(&c.name.text, Some("const".into()), SymbolKind::Constant, item.span, c.name.span)
                }
                ItemKind::Check(c) => {
                    let title = c.clauses.iter().find_map(|cl| match &cl.kind {
                        ClauseKind::Title(t) => Some(t.value.clone()),
                        _ => None,
                    });
                    let mut symbol = leaf(&c.name.text, title, SymbolKind::Rule, item.span, c.name.span);
                    symbol.children = c
                        .clauses
                        .iter()
                        .filter_map(|cl| match &cl.kind {
                            ClauseKind::Let { name, .. } => {
                                Some(leaf(&name.text, Some("let".into()), SymbolKind::Variable, cl.span, name.span))
                            }
                            _ => None,
                        })
                        .collect();
                    symbol
                }
                ItemKind::Edge(e) => leaf(&e.name.text, Some("edge".into()), SymbolKind::Edge, item.span, e.name.span),
                ItemKind::Framework(f) => {
                    let mut symbol = leaf(
                        &f.name.dotted(),
                        Some(f.title.value.clone()),
                        SymbolKind::Framework,
                        item.span,
                        f.name.span,
                    );
                    symbol.children = f
                        .controls
                        .iter()
                        .map(|c| {
                            leaf(&c.id.value, Some(c.summary.value.clone()), SymbolKind::Control, c.span, c.id.span)
                        })
                        .collect();
                    symbol
                }
                ItemKind::Test(t) => leaf(&t.name.value, Some("test".into()), SymbolKind::Test, item.span, t.name.span),
                ItemKind::Error => return None,
            };
            Some(symbol)
        })
        .collect()
}
