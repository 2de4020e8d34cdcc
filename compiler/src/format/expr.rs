//! Expressions.
//!
//! - Operators get single spaces; a chain of one precedence level breaks before each operator,
//!   indented (`a\n  and b\n  and c`).
//! - Parentheses: the tree drops them, so they are printed where precedence needs them and
//!   where the author wrote them around an operator, `if` or lambda (they often say how a
//!   condition reads); parentheses around a name, literal, call or access are never needed and
//!   are dropped.
//! - A method chain with two or more calls after its head breaks before each `.`.
//! - Calls break their arguments one per line; a call whose last argument is a lambda keeps the
//!   lambda on the call's line and breaks its body (`xs.filter(x =>\n  body\n)`).
//! - Literals are printed as written (escapes, number spelling); lists of literals and names
//!   pack several items per line when broken, other lists one item per line.

use super::context::{Brackets, Ctx};
use super::doc::{Doc, RhsLayout, concat, group, indent, text};
use super::render::render_flat;
use crate::syntax::ast::{Expr, ExprKind, Name, Template, TemplatePart, UnaryOp};

/// Precedence of an expression as an operand: lower binds looser. Mirrors the grammar's
/// operator table (docs/language.md, "Operators").
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::If { .. } | ExprKind::Lambda { .. } | ExprKind::Labelled { .. } => 1,
        ExprKind::Binary { op, .. } => op.binding(),
        ExprKind::Unary { op: UnaryOp::Not, .. } => 5,
        ExprKind::Unary { op: UnaryOp::Neg, .. } => 9,
        _ => 10,
    }
}

/// Where an operator, `if` or lambda ends without its parentheses; `None` for the other
/// kinds, whose parentheses are never kept.
fn content_end(e: &Expr) -> Option<u32> {
    match &e.kind {
        ExprKind::Binary { rhs: last, .. }
        | ExprKind::Unary { operand: last, .. }
        | ExprKind::If { otherwise: last, .. }
        | ExprKind::Lambda { body: last, .. } => Some(last.span.end),
        _ => None,
    }
}

/// Whether the author wrote `e` in parentheses (kept for operators, `if` and lambdas): its
/// span then reaches past its last operand.
fn written_in_parens(e: &Expr) -> bool {
    content_end(e).is_some_and(|end| e.span.end > end)
}

/// Literals and plain names: lists of these pack several per line.
fn is_simple(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::None
        | ExprKind::Duration(_)
        | ExprKind::Regex { .. }
        | ExprKind::Var(_) => true,
        ExprKind::Field { base, .. } => is_simple(base),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => is_simple(operand),
        // `ip("10.0.0.1")`, `cidr("::/0")`
        ExprKind::Call { args, .. } => args.len() == 1 && args.iter().all(|a| matches!(a.kind, ExprKind::Str(_))),
        _ => false,
    }
}

/// One step of a method chain, and where it ends in the source.
enum Segment<'e> {
    Field { name: &'e Name, optional: bool, end: u32 },
    Method { name: &'e Name, optional: bool, args: &'e [Expr], end: u32 },
    Index { index: &'e Expr, end: u32 },
}

/// `e` as a root and the accesses on it, in source order.
fn flatten_chain(mut e: &Expr) -> (&Expr, Vec<Segment<'_>>) {
    let mut segments = Vec::new();
    loop {
        match &e.kind {
            ExprKind::Field { base, name, optional } => {
                segments.push(Segment::Field { name, optional: *optional, end: e.span.end });
                e = base;
            }
            ExprKind::Method { base, name, args, optional } => {
                segments.push(Segment::Method { name, optional: *optional, args, end: e.span.end });
                e = base;
            }
            ExprKind::Index { base, index } => {
                segments.push(Segment::Index { index, end: e.span.end });
                e = base;
            }
            _ => break,
        }
    }
    segments.reverse();
    (e, segments)
}

/// How many segments belong to a chain's head: an index right after the root, and the first
/// access when the root is a name or call (`sg.ingress`, `iam.keys_of(u)`).
fn head_len(root: &Expr, segments: &[Segment<'_>]) -> usize {
    let indexes = segments.iter().take_while(|s| matches!(s, Segment::Index { .. })).count();
    let name_like = matches!(root.kind, ExprKind::Var(_) | ExprKind::Call { .. });
    if !name_like || indexes == segments.len() {
        return indexes;
    }
    let first_access = indexes + 1;
    first_access + segments[first_access..].iter().take_while(|s| matches!(s, Segment::Index { .. })).count()
}

/// Whether a chain breaks one call per line when too long: two or more calls after its head.
fn breaks_as_chain(e: &Expr) -> bool {
    let (root, segments) = flatten_chain(e);
    let head = head_len(root, &segments);
    segments[head..].iter().filter(|s| matches!(s, Segment::Method { .. })).count() >= 2
}

/// How the value of `name = value` is laid out when it does not fit after `=`.
pub(crate) fn rhs_layout(e: &Expr) -> RhsLayout {
    match &e.kind {
        _ if written_in_parens(e) => RhsLayout::NextLine,
        ExprKind::List(_) | ExprKind::Record(_) => RhsLayout::Hug,
        ExprKind::Call { args, .. } | ExprKind::Method { args, .. } if !breaks_as_chain(e) => {
            // A lambda argument breaks well (`xs.filter(x =>` ...); plain arguments do not.
            if args.last().is_some_and(|a| matches!(a.kind, ExprKind::Lambda { .. })) {
                RhsLayout::Hug
            } else {
                RhsLayout::NextLineThenHug
            }
        }
        _ => RhsLayout::NextLine,
    }
}

impl Ctx<'_> {
    /// An expression, after the comments before it.
    pub(crate) fn expr(&self, e: &Expr) -> Doc {
        concat(vec![self.leading(e.span.start as usize), self.expr_kind(e)])
    }

    /// An operand: in parentheses when `needs_parens` or when the author wrote them.
    fn operand(&self, e: &Expr, needs_parens: bool) -> Doc {
        match content_end(e) {
            Some(end) if needs_parens || written_in_parens(e) => concat(vec![
                self.leading(e.span.start as usize),
                text("("),
                self.expr_kind(e),
                self.trailing(end as usize),
                text(")"),
            ]),
            _ => self.expr(e),
        }
    }

    fn expr_kind(&self, e: &Expr) -> Doc {
        match &e.kind {
            ExprKind::Int(t) | ExprKind::Float(t) | ExprKind::Duration(t) => text(t.as_str()),
            ExprKind::Str(_) => text(self.string_literal(e.span.start as usize)),
            ExprKind::Bool(b) => text(if *b { "true" } else { "false" }),
            ExprKind::None => text("none"),
            ExprKind::Regex { pattern, flags } => text(format!("/{pattern}/{flags}")),
            ExprKind::Var(name) => text(name.text.as_str()),
            ExprKind::List(items) => self.list(e, items),
            ExprKind::Record(entries) => self.record(e, entries, false),
            ExprKind::Call { callee, args } => {
                concat(vec![text(callee.text.as_str()), self.args(callee.span.end as usize, args)])
            }
            ExprKind::Field { .. } | ExprKind::Method { .. } | ExprKind::Index { .. } => self.chain(e),
            ExprKind::Unary { op, operand } => {
                let op = if *op == UnaryOp::Not { "not " } else { "-" };
                concat(vec![text(op), self.operand(operand, precedence(operand) < precedence(e))])
            }
            ExprKind::Binary { op, .. } => self.binary(e, op.binding()),
            ExprKind::If { cond, then, otherwise } => group(concat(vec![
                text("if "),
                self.expr(cond),
                self.trailing(cond.span.end as usize),
                indent(concat(vec![
                    Doc::Line,
                    text("then "),
                    self.expr(then),
                    self.trailing(then.span.end as usize),
                    Doc::Line,
                    text("else "),
                    self.expr(otherwise),
                ])),
            ])),
            ExprKind::Lambda { params, body } => group(concat(vec![
                lambda_params(params),
                text(" =>"),
                indent(concat(vec![Doc::Line, self.expr(body)])),
            ])),
            ExprKind::Labelled { label, value } => concat(vec![text(format!("{}: ", label.text)), self.expr(value)]),
        }
    }

    /// A chain of operators of one `level`: `a op b op c`, breaking before each operator.
    fn binary(&self, e: &Expr, level: u8) -> Doc {
        let mut rest = Vec::new();
        let mut first = e;
        while let ExprKind::Binary { op, op_span, lhs, rhs } = &first.kind {
            if !std::ptr::eq(first, e) && (written_in_parens(first) || op.binding() != level) {
                break;
            }
            rest.push((*op, *op_span, rhs.as_ref()));
            first = lhs;
        }
        rest.reverse();
        let head = concat(vec![self.operand(first, precedence(first) < level), self.trailing(first.span.end as usize)]);
        let mut tail = Vec::new();
        for (n, (op, op_span, operand)) in rest.iter().enumerate() {
            tail.extend([
                Doc::Line,
                self.leading(op_span.start as usize),
                text(format!("{} ", op.symbol())),
                self.operand(operand, precedence(operand) <= level),
            ]);
            if n + 1 < rest.len() {
                tail.push(self.trailing(operand.span.end as usize));
            }
        }
        group(concat(vec![head, indent(concat(tail))]))
    }

    /// `root.a(..).b(..)`: one line if it fits, else (with two or more calls after the head)
    /// one access per line.
    fn chain(&self, e: &Expr) -> Doc {
        let (root, segments) = flatten_chain(e);
        let head_len = head_len(root, &segments);
        let mut previous_end = root.span.end as usize;
        let mut head = vec![self.operand(root, precedence(root) < 10)];
        let mut units: Vec<Vec<Doc>> = Vec::new();
        for (n, segment) in segments.iter().enumerate() {
            // A comment after the previous access stays at the end of its line.
            let trailing = self.trailing(previous_end);
            units.last_mut().unwrap_or(&mut head).push(trailing);
            let (doc, end) = self.segment(segment);
            previous_end = end as usize;
            if n < head_len || matches!(segment, Segment::Index { .. }) {
                units.last_mut().unwrap_or(&mut head).push(doc);
            } else {
                units.push(vec![doc]);
            }
        }
        if breaks_as_chain(e) {
            let tail = units.into_iter().flat_map(|unit| std::iter::once(Doc::SoftLine).chain(unit)).collect();
            group(concat(vec![concat(head), indent(concat(tail))]))
        } else {
            concat(head.into_iter().chain(units.into_iter().flatten()).collect())
        }
    }

    /// One access, and where it ends.
    fn segment(&self, segment: &Segment<'_>) -> (Doc, u32) {
        let access = |name: &Name, optional: bool| {
            let dot = if optional { "?." } else { "." };
            concat(vec![self.leading(name.span.start as usize), text(format!("{dot}{}", name.text))])
        };
        match segment {
            Segment::Field { name, optional, end } => (access(name, *optional), *end),
            Segment::Method { name, optional, args, end } => {
                let doc = concat(vec![access(name, *optional), self.args(name.span.end as usize, args)]);
                (doc, *end)
            }
            Segment::Index { index, end } => {
                let close = self.next_token(index.span.end as usize, false);
                let doc = concat(vec![
                    text("["),
                    self.expr(index),
                    self.trailing(index.span.end as usize),
                    self.leading(close),
                    text("]"),
                ]);
                (doc, *end)
            }
        }
    }

    /// Call arguments after the callee ending at `callee_end`.
    fn args(&self, callee_end: usize, args: &[Expr]) -> Doc {
        let open_at = self.next_token(callee_end, false);
        // Hugging keeps the text up to `=>` on one line, so only when no comment is in it.
        if let Some((lambda, others)) = args.split_last()
            && let ExprKind::Lambda { params, body } = &lambda.kind
            && !written_in_parens(lambda)
            && others.iter().all(is_simple)
            && !self.has_comment_before(body.span.start as usize)
        {
            return self.hugged_lambda_args(open_at, others, lambda, params, body);
        }
        let brackets = Brackets { open: "(", close: ")", open_at, spaced: false, trailing_comma: true, fill: false };
        self.bracketed(brackets, args, |a| a.span.start as usize, |a| a.span.end as usize, |a| self.expr(a))
    }

    /// `(a, x =>` body `)`: the lambda stays on the call's line, its body breaks.
    fn hugged_lambda_args(&self, open_at: usize, others: &[Expr], lambda: &Expr, params: &[Name], body: &Expr) -> Doc {
        let mut docs = vec![text("("), self.trailing(open_at + 1)];
        for other in others {
            docs.extend([self.expr(other), self.trailing(other.span.end as usize), text(", ")]);
        }
        docs.extend([
            self.leading(lambda.span.start as usize),
            lambda_params(params),
            text(" =>"),
            indent(concat(vec![Doc::Line, self.expr(body), self.trailing(body.span.end as usize)])),
        ]);
        let close = self.next_token(body.span.end as usize, true);
        docs.extend([indent(self.dangling(close)), Doc::SoftLine, text(")")]);
        group(concat(docs))
    }

    fn list(&self, e: &Expr, items: &[Expr]) -> Doc {
        let brackets = Brackets {
            open: "[",
            close: "]",
            open_at: self.next_token_unparen(e.span.start as usize),
            spaced: false,
            trailing_comma: true,
            fill: items.iter().all(is_simple),
        };
        self.bracketed(brackets, items, |i| i.span.start as usize, |i| i.span.end as usize, |i| self.expr(i))
    }

    /// A record literal; `spaced` for evidence (`{ k: v }`), compact elsewhere (`{k: v}`).
    pub(crate) fn record(&self, e: &Expr, entries: &[(Name, Expr)], spaced: bool) -> Doc {
        let brackets = Brackets {
            open: "{",
            close: "}",
            open_at: self.next_token_unparen(e.span.start as usize),
            spaced,
            trailing_comma: true,
            fill: false,
        };
        self.bracketed(
            brackets,
            entries,
            |(key, _)| key.span.start as usize,
            |(_, value)| value.span.end as usize,
            |(key, value)| concat(vec![self.record_key(key), text(": "), self.expr(value)]),
        )
    }

    /// A record key as written: quoted or bare.
    fn record_key(&self, key: &Name) -> Doc {
        let raw = self.raw(key.span);
        text(if raw.starts_with('"') { raw } else { key.text.as_str() })
    }

    /// The first offset of a literal's own text, past any parentheses around it.
    fn next_token_unparen(&self, mut pos: usize) -> usize {
        while self.text.as_bytes().get(pos) == Some(&b'(') {
            pos = self.next_token(pos + 1, false);
        }
        pos
    }

    /// The string literal starting at `pos` (or inside the parentheses there), as written.
    fn string_literal(&self, pos: usize) -> &str {
        let start = self.next_token_unparen(pos);
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        &self.text[start..(i + 1).min(bytes.len())]
    }

    /// A message template: its text as written, its holes formatted on one line. Copied
    /// verbatim if a hole holds a comment or a line break.
    pub(crate) fn template(&self, template: &Template) -> Doc {
        let span = template.span.range();
        let leading = self.leading(span.start);
        concat(vec![leading, self.template_text(template)])
    }

    fn template_text(&self, template: &Template) -> Doc {
        let span = template.span.range();
        if self.has_comment_before(span.end) {
            self.copied_verbatim(span.end);
            return text(self.raw(template.span));
        }
        let mut out = String::new();
        let mut cursor = span.start;
        for part in &template.parts {
            let TemplatePart::Hole(hole) = part else { continue };
            let (start, end) = (hole.span.start as usize, hole.span.end as usize);
            let before = self.text[cursor..start].trim_end_matches([' ', '\t']);
            let after = &self.text[end..span.end];
            let after_spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
            let printed = render_flat(&self.expr(hole));
            if !before.ends_with('{') || !after[after_spaces..].starts_with('}') || printed.contains('\n') {
                return text(self.raw(template.span));
            }
            out.push_str(before);
            out.push_str(&printed);
            cursor = end + after_spaces;
        }
        out.push_str(&self.text[cursor..span.end]);
        text(out)
    }
}

fn lambda_params(params: &[Name]) -> Doc {
    match params {
        [one] => text(one.text.as_str()),
        _ => text(format!("({})", params.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use rulec_runtime::plan::BinaryOp;

    use crate::syntax::ast::{ExprKind, ItemKind};
    use crate::syntax::parse;

    const OPS: [BinaryOp; 18] = [
        BinaryOp::Coalesce,
        BinaryOp::Or,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::In,
        BinaryOp::NotIn,
        BinaryOp::Matches,
        BinaryOp::Like,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Rem,
    ];

    /// `BinaryOp::binding`, which the formatter and `rulec explain` print with, groups every
    /// pair of operators as the parser does: `x first y second z` is `(x first y) second z`
    /// exactly when `first` binds at least as tightly (every operator is left-associative).
    #[test]
    fn binding_agrees_with_the_parser() {
        for first in OPS {
            for second in OPS {
                let text = format!("package p\nconst k: bool = x {} y {} z\n", first.symbol(), second.symbol());
                let (ast, diagnostics) = parse("t.rule", &text);
                assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
                let Some(ItemKind::Const(c)) = ast.items.first().map(|i| &i.kind) else { panic!("{text}: no const") };
                let ExprKind::Binary { op, .. } = &c.value.kind else { panic!("{text}: not a binary") };
                let left_first = first.binding() >= second.binding();
                assert_eq!(*op == second, left_first, "{text}");
            }
        }
    }
}
