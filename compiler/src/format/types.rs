//! Type expressions: `[T]`, `{K: V}`, `ref A | B`, `T?`, `"a" | "b"`, with the parentheses the
//! grammar needs (`(A | B)?`, `(ref A) | B`) and no others.

use super::context::Ctx;
use super::doc::{Doc, concat, group, indent, text};
use crate::syntax::ast::{TypeExpr, TypeExprKind};

impl Ctx<'_> {
    /// A type, after the comments before it.
    pub(crate) fn ty(&self, t: &TypeExpr) -> Doc {
        concat(vec![self.leading(t.span.start as usize), self.ty_kind(t)])
    }

    fn ty_kind(&self, t: &TypeExpr) -> Doc {
        match &t.kind {
            TypeExprKind::Named(name) => text(name.dotted()),
            TypeExprKind::List(item) => concat(vec![text("["), self.ty(item), text("]")]),
            TypeExprKind::Map(key, value) => {
                concat(vec![text("{"), self.ty(key), text(": "), self.ty(value), text("}")])
            }
            TypeExprKind::Ref(names) => {
                text(format!("ref {}", names.iter().map(|n| n.dotted()).collect::<Vec<_>>().join(" | ")))
            }
            TypeExprKind::Literal(s) => text(self.raw(s.span)),
            // `T??` does not parse and `A | B?` makes only `B` optional.
            TypeExprKind::Optional(inner) => {
                let parens = matches!(inner.kind, TypeExprKind::Union(_) | TypeExprKind::Optional(_));
                concat(vec![self.parenthesized(inner, parens), text("?")])
            }
            TypeExprKind::Union(members) => {
                // `ref` takes every `| name` after it, so a ref member goes in parentheses
                // unless it is last; a nested union keeps its parentheses.
                let parens = |n: usize, member: &TypeExpr| {
                    matches!(member.kind, TypeExprKind::Union(_))
                        || matches!(member.kind, TypeExprKind::Ref(_)) && n + 1 < members.len()
                };
                let mut docs = Vec::new();
                let mut tail = Vec::new();
                for (n, member) in members.iter().enumerate() {
                    let doc = self.parenthesized(member, parens(n, member));
                    if n == 0 {
                        docs.push(doc);
                    } else {
                        tail.extend([Doc::Line, text("| "), doc]);
                    }
                }
                docs.push(indent(concat(tail)));
                group(concat(docs))
            }
        }
    }

    fn parenthesized(&self, t: &TypeExpr, parens: bool) -> Doc {
        if parens { concat(vec![text("("), self.ty(t), text(")")]) } else { self.ty(t) }
    }
}
