//! Span-free summaries of files: everything other files can see (package, imports,
//! signatures), nothing they cannot (bodies, positions).
//!
//! Types are kept as AST [`TypeExpr`]s with every span zeroed, so a single resolver serves
//! both the global environment (from summaries) and per-item checks (from the AST).

use crate::syntax::ast::*;

#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct FileSummary {
    pub package: Option<String>,
    pub uses: Vec<UseSummary>,
    /// One entry per AST item, same order.
    pub items: Vec<ItemSummary>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct UseSummary {
    pub path: String,
    pub alias: String,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ItemSummary {
    pub name: Option<String>,
    pub signature: Signature,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Signature {
    Schema { kind: SchemaKind, fields: Vec<(String, TypeExpr)> },
    Alias(TypeExpr),
    Fn { params: Vec<(String, bool, TypeExpr)>, ret: TypeExpr, native: bool },
    Const(TypeExpr),
    Check(CheckKind),
    Edge { from: Vec<String>, to: Vec<String> },
    Framework { name: String, controls: Vec<String> },
    Test,
    Error,
}

pub fn summarize(ast: &SourceAst) -> FileSummary {
    FileSummary {
        package: ast.package.as_ref().map(QName::dotted),
        uses: ast
            .uses
            .iter()
            .map(|u| UseSummary { path: u.path.dotted(), alias: u.local_name().text.clone() })
            .collect(),
        items: ast.items.iter().map(summarize_item).collect(),
    }
}

fn summarize_item(item: &Item) -> ItemSummary {
    let signature = match &item.kind {
        ItemKind::Schema(s) => Signature::Schema {
            kind: s.kind,
            fields: s.fields.iter().map(|f| (f.name.text.clone(), strip(&f.ty))).collect(),
        },
        ItemKind::TypeAlias(a) => Signature::Alias(strip(&a.ty)),
        ItemKind::Fn(f) => Signature::Fn {
            params: f.params.iter().map(|p| (p.name.text.clone(), p.optional, strip(&p.ty))).collect(),
            ret: strip(&f.ret),
            native: f.body.is_none(),
        },
        ItemKind::Const(c) => Signature::Const(strip(&c.ty)),
        ItemKind::Check(c) => Signature::Check(c.kind),
        ItemKind::Edge(e) => Signature::Edge { from: parts(&e.from), to: parts(&e.to) },
        ItemKind::Framework(f) => Signature::Framework {
            name: f.name.dotted(),
            controls: f.controls.iter().map(|c| c.id.value.clone()).collect(),
        },
        ItemKind::Test(_) => Signature::Test,
        ItemKind::Error => Signature::Error,
    };
    ItemSummary { name: item.name().map(|n| n.text.clone()), signature }
}

fn parts(q: &QName) -> Vec<String> {
    q.parts.iter().map(|p| p.text.clone()).collect()
}

fn strip_name(n: &Name) -> Name {
    Name { text: n.text.clone(), span: Span::default() }
}

fn strip_qname(q: &QName) -> QName {
    QName { parts: q.parts.iter().map(strip_name).collect(), span: Span::default() }
}

/// A copy of `ty` with every span zeroed.
pub fn strip(ty: &TypeExpr) -> TypeExpr {
    let kind = match &ty.kind {
        TypeExprKind::Named(q) => TypeExprKind::Named(strip_qname(q)),
        TypeExprKind::List(t) => TypeExprKind::List(Box::new(strip(t))),
        TypeExprKind::Map(k, v) => TypeExprKind::Map(Box::new(strip(k)), Box::new(strip(v))),
        TypeExprKind::Ref(names) => TypeExprKind::Ref(names.iter().map(strip_qname).collect()),
        TypeExprKind::Literal(s) => TypeExprKind::Literal(StrLit { value: s.value.clone(), span: Span::default() }),
        TypeExprKind::Optional(t) => TypeExprKind::Optional(Box::new(strip(t))),
        TypeExprKind::Union(ts) => TypeExprKind::Union(ts.iter().map(strip).collect()),
    };
    TypeExpr { kind, span: Span::default() }
}
