//! Moving every span of a subtree by a fixed offset.
//!
//! Chunks are parsed (and cached) with spans relative to the chunk, so the same text parses
//! once wherever it moves in its file; placing a chunk in its file shifts its spans.

use super::ast::*;
use crate::diagnostics::Diagnostic;

pub(crate) trait Shift {
    fn shift(&mut self, by: u32);
}

impl Shift for Span {
    fn shift(&mut self, by: u32) {
        self.start += by;
        self.end += by;
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: u32) {
        self.iter_mut().for_each(|t| t.shift(by));
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: u32) {
        if let Some(t) = self {
            t.shift(by);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, by: u32) {
        (**self).shift(by);
    }
}

impl Shift for Diagnostic {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
        for r in &mut self.related {
            r.span.shift(by);
        }
    }
}

impl Shift for Name {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
    }
}

impl Shift for QName {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
        self.parts.shift(by);
    }
}

impl Shift for StrLit {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
    }
}

impl Shift for IntLit {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
    }
}

impl Shift for Duration {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
    }
}

impl Shift for Use {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
        self.path.shift(by);
        self.alias.shift(by);
    }
}

impl Shift for Item {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
        match &mut self.kind {
            ItemKind::Schema(s) => {
                s.name.shift(by);
                for f in &mut s.fields {
                    f.name.shift(by);
                    f.ty.shift(by);
                }
            }
            ItemKind::TypeAlias(a) => {
                a.name.shift(by);
                a.ty.shift(by);
            }
            ItemKind::Fn(f) => {
                f.name.shift(by);
                for p in &mut f.params {
                    p.name.shift(by);
                    p.ty.shift(by);
                }
                f.ret.shift(by);
                f.body.shift(by);
            }
            ItemKind::Const(c) => {
                c.name.shift(by);
                c.ty.shift(by);
                c.value.shift(by);
            }
            ItemKind::Check(c) => {
                c.name.shift(by);
                c.clauses.shift(by);
            }
            ItemKind::Edge(e) => {
                e.name.shift(by);
                e.from.shift(by);
                e.to.shift(by);
                e.condition.shift(by);
            }
            ItemKind::Framework(f) => {
                f.name.shift(by);
                f.title.shift(by);
                for c in &mut f.controls {
                    c.span.shift(by);
                    c.id.shift(by);
                    c.summary.shift(by);
                }
            }
            ItemKind::Test(t) => {
                t.name.shift(by);
                for g in &mut t.given {
                    match g {
                        Given::File(s) => s.shift(by),
                        Given::Inline(d) => d.shift(by),
                    }
                }
                for e in &mut t.expects {
                    e.span.shift(by);
                    e.rule.shift(by);
                    e.subject.shift(by);
                }
            }
            ItemKind::Error => {}
        }
    }
}

impl Shift for Clause {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
        match &mut self.kind {
            ClauseKind::Title(s) => s.shift(by),
            ClauseKind::Severity(n) => n.shift(by),
            ClauseKind::Controls(refs) => {
                for r in refs {
                    r.span.shift(by);
                    r.framework.shift(by);
                    r.control.shift(by);
                }
            }
            ClauseKind::Subject { binding, ty, filter, .. } => {
                binding.shift(by);
                ty.shift(by);
                filter.shift(by);
            }
            ClauseKind::Let { name, ty, value } => {
                name.shift(by);
                ty.shift(by);
                value.shift(by);
            }
            ClauseKind::When(e) | ClauseKind::Evidence(e) => e.shift(by),
            ClauseKind::Message(t) | ClauseKind::Fix(t) => {
                t.span.shift(by);
                for part in &mut t.parts {
                    if let TemplatePart::Hole(e) = part {
                        e.shift(by);
                    }
                }
            }
            ClauseKind::GroupBy { key, window } => {
                key.shift(by);
                if let Some(window) = window {
                    window.shift(by);
                }
            }
            ClauseKind::Threshold { measure, count, .. } => {
                if let ThresholdMeasure::Distinct(e) = measure {
                    e.shift(by);
                }
                count.shift(by);
            }
        }
    }
}

impl Shift for Data {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
        match &mut self.kind {
            DataKind::Object(entries) => entries.iter_mut().for_each(|(_, d)| d.shift(by)),
            DataKind::Array(items) => items.shift(by),
            DataKind::String(_) | DataKind::Number(_) | DataKind::Bool(_) | DataKind::Null => {}
        }
    }
}

impl Shift for TypeExpr {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
        match &mut self.kind {
            TypeExprKind::Named(q) => q.shift(by),
            TypeExprKind::List(t) | TypeExprKind::Optional(t) => t.shift(by),
            TypeExprKind::Map(k, v) => {
                k.shift(by);
                v.shift(by);
            }
            TypeExprKind::Ref(qs) => qs.shift(by),
            TypeExprKind::Literal(s) => s.shift(by),
            TypeExprKind::Union(ts) => ts.shift(by),
        }
    }
}

impl Shift for Expr {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
        match &mut self.kind {
            ExprKind::List(items) => items.shift(by),
            ExprKind::Record(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.shift(by);
                v.shift(by);
            }),
            ExprKind::Var(n) => n.shift(by),
            ExprKind::Call { callee, args } => {
                callee.shift(by);
                args.shift(by);
            }
            ExprKind::Field { base, name, .. } => {
                base.shift(by);
                name.shift(by);
            }
            ExprKind::Method { base, name, args, .. } => {
                base.shift(by);
                name.shift(by);
                args.shift(by);
            }
            ExprKind::Index { base, index } => {
                base.shift(by);
                index.shift(by);
            }
            ExprKind::Unary { operand, .. } => operand.shift(by),
            ExprKind::Binary { op_span, lhs, rhs, .. } => {
                op_span.shift(by);
                lhs.shift(by);
                rhs.shift(by);
            }
            ExprKind::If { cond, then, otherwise } => {
                cond.shift(by);
                then.shift(by);
                otherwise.shift(by);
            }
            ExprKind::Lambda { params, body } => {
                params.shift(by);
                body.shift(by);
            }
            ExprKind::Labelled { label, value } => {
                label.shift(by);
                value.shift(by);
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Duration(_)
            | ExprKind::Regex { .. } => {}
        }
    }
}
