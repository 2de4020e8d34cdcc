//! The file and its items: one item per line group, blocks indented by two spaces, the
//! metadata keywords of rules and alarms padded so their values line up (`title    "..."`).

use super::context::{Brackets, Ctx};
use super::doc::{Doc, concat, group, indent, rhs, text};
use super::expr::rhs_layout;
use crate::syntax::Span;
use crate::syntax::ast::{
    CheckItem, CheckKind, Clause, ClauseKind, ControlDecl, ControlRef, EdgeItem, Expect, ExprKind, FieldDecl, FnItem,
    FrameworkItem, Given, Item, ItemKind, Param, QName, SchemaItem, SourceAst, TestItem, ThresholdMeasure, Use,
};

/// Width the metadata keywords are padded to: `severity`, the longest.
const KEYWORD_WIDTH: usize = 8;

/// What the top level of a file holds, in source order.
enum Top<'a> {
    Package(&'a QName, Span),
    Use(&'a Use),
    Item(&'a Item),
}

impl Top<'_> {
    fn span(&self) -> Span {
        match self {
            Top::Package(_, span) => *span,
            Top::Use(u) => u.span,
            Top::Item(item) => item.span,
        }
    }
}

/// A statement of a test block, in source order.
enum TestStmt<'a> {
    Given(&'a Given),
    Expect(&'a Expect),
}

impl TestStmt<'_> {
    fn span(&self) -> Span {
        match self {
            TestStmt::Given(Given::File(s)) => s.span,
            TestStmt::Given(Given::Inline(data)) => data.span,
            TestStmt::Expect(e) => e.span,
        }
    }
}

/// `keyword` padded so the value after it starts in the metadata column.
fn padded(keyword: &str) -> Doc {
    text(format!("{keyword:<KEYWORD_WIDTH$} "))
}

impl Ctx<'_> {
    /// The whole file.
    pub(crate) fn file(&self, ast: &SourceAst) -> Doc {
        let mut tops: Vec<Top<'_>> = Vec::new();
        if let (Some(name), Some(span)) = (&ast.package, ast.package_span) {
            tops.push(Top::Package(name, span));
        }
        tops.extend(ast.uses.iter().map(Top::Use));
        tops.extend(ast.items.iter().map(Top::Item));
        tops.sort_by_key(|top| top.span().start);
        let end_of = |top: &Top<'_>| top.span().end as usize;
        self.block(0, &tops, end_of, |top| self.top(top), false).unwrap_or_else(|| concat(Vec::new()))
    }

    fn top(&self, top: &Top<'_>) -> Doc {
        match top {
            Top::Package(name, _) => text(format!("package {}", name.dotted())),
            Top::Use(u) => match &u.alias {
                Some(alias) => text(format!("use {} as {}", u.path.dotted(), alias.text)),
                None => text(format!("use {}", u.path.dotted())),
            },
            Top::Item(item) => self.item(item),
        }
    }

    fn item(&self, item: &Item) -> Doc {
        match &item.kind {
            ItemKind::Schema(schema) => self.schema(schema),
            ItemKind::TypeAlias(alias) => {
                concat(vec![text(format!("type {} = ", alias.name.text)), self.ty(&alias.ty)])
            }
            ItemKind::Fn(func) => self.function(func),
            ItemKind::Const(c) => concat(vec![
                text(format!("const {}: ", c.name.text)),
                self.ty(&c.ty),
                text(" ="),
                rhs(self.expr(&c.value), rhs_layout(&c.value)),
            ]),
            ItemKind::Check(check) => self.check(check),
            ItemKind::Edge(edge) => self.edge(edge),
            ItemKind::Framework(framework) => self.framework(framework),
            ItemKind::Test(test) => self.test(test),
            // Refused before building: a file with an error item has a syntax error.
            ItemKind::Error => text(self.raw(item.span)),
        }
    }

    fn schema(&self, schema: &SchemaItem) -> Doc {
        let open_at = self.next_token(schema.name.span.end as usize, false);
        let fields = self.braced(open_at, |start| {
            self.block(start, &schema.fields, |f| f.ty.span.end as usize, |f| self.field(f), true)
        });
        concat(vec![text(format!("{} {} ", schema.kind.keyword(), schema.name.text)), fields])
    }

    fn field(&self, field: &FieldDecl) -> Doc {
        concat(vec![text(format!("{}: ", field.name.text)), self.ty(&field.ty)])
    }

    fn function(&self, func: &FnItem) -> Doc {
        let open_at = self.next_token(func.name.span.end as usize, false);
        let brackets = Brackets { open: "(", close: ")", open_at, spaced: false, trailing_comma: true, fill: false };
        let params = self.bracketed(
            brackets,
            &func.params,
            |p| p.name.span.start as usize,
            |p| p.ty.span.end as usize,
            |p| self.param(p),
        );
        let native = if func.body.is_none() { "native " } else { "" };
        let mut docs = vec![text(format!("{native}fn {}", func.name.text)), params, text(" -> "), self.ty(&func.ret)];
        if let Some(body) = &func.body {
            docs.extend([text(" ="), rhs(self.expr(body), rhs_layout(body))]);
        }
        concat(docs)
    }

    fn param(&self, param: &Param) -> Doc {
        let mark = if param.optional { "?" } else { "" };
        concat(vec![text(format!("{}{mark}: ", param.name.text)), self.ty(&param.ty)])
    }

    fn check(&self, check: &CheckItem) -> Doc {
        let keyword = if check.kind == CheckKind::Rule { "rule" } else { "alarm" };
        let open_at = self.next_token(check.name.span.end as usize, false);
        let clauses = self.braced(open_at, |start| {
            self.block(start, &check.clauses, |c| c.span.end as usize, |c| self.clause(c), false)
        });
        concat(vec![text(format!("{keyword} {} ", check.name.text)), clauses])
    }

    fn clause(&self, clause: &Clause) -> Doc {
        match &clause.kind {
            ClauseKind::Title(s) => concat(vec![padded("title"), text(self.raw(s.span))]),
            ClauseKind::Severity(name) => concat(vec![padded("severity"), text(name.text.as_str())]),
            ClauseKind::Controls(refs) => concat(vec![padded("controls"), self.controls(clause, refs)]),
            ClauseKind::Fix(template) => concat(vec![padded("fix"), self.template(template)]),
            ClauseKind::Subject { is_event, binding, ty, filter } => {
                let keyword = if *is_event { "on" } else { "for" };
                let mut docs = vec![text(format!("{keyword} {}: {}", binding.text, ty.dotted()))];
                if let Some(filter) = filter {
                    docs.extend([text(" where "), self.expr(filter)]);
                }
                concat(docs)
            }
            ClauseKind::Let { name, ty, value } => {
                let mut docs = vec![text(format!("let {}", name.text))];
                if let Some(ty) = ty {
                    docs.extend([text(": "), self.ty(ty)]);
                }
                docs.extend([text(" ="), rhs(self.expr(value), rhs_layout(value))]);
                concat(docs)
            }
            ClauseKind::When(condition) => concat(vec![text("when "), self.expr(condition)]),
            ClauseKind::Message(template) => concat(vec![padded("message"), self.template(template)]),
            ClauseKind::Evidence(e) => {
                let record = match &e.kind {
                    ExprKind::Record(entries) => self.record(e, entries, true),
                    _ => self.expr(e),
                };
                concat(vec![padded("evidence"), record])
            }
            ClauseKind::GroupBy { key, window } => {
                let mut docs = vec![text("group by "), self.expr(key)];
                if let Some(window) = window {
                    docs.push(text(format!(" within {}", window.text)));
                }
                concat(docs)
            }
            ClauseKind::Threshold { measure, strict, count } => {
                let measure = match measure {
                    ThresholdMeasure::Count => text("count"),
                    ThresholdMeasure::Distinct(e) => {
                        concat(vec![text("distinct("), self.expr(e), self.trailing(e.span.end as usize), text(")")])
                    }
                };
                let op = if *strict { ">" } else { ">=" };
                concat(vec![text("threshold "), measure, text(format!(" {op} {}", count.text))])
            }
        }
    }

    /// `[fw."id", ...]`, packing several per line when broken.
    fn controls(&self, clause: &Clause, refs: &[ControlRef]) -> Doc {
        let open_at = self.next_token(clause.span.start as usize + "controls".len(), false);
        let brackets = Brackets { open: "[", close: "]", open_at, spaced: false, trailing_comma: true, fill: true };
        self.bracketed(
            brackets,
            refs,
            |r| r.span.start as usize,
            |r| r.span.end as usize,
            |r| text(format!("{}.{}", r.framework.dotted(), self.raw(r.control.span))),
        )
    }

    /// `edge name: From -> To`, and `when ..` on the next line if the whole does not fit.
    fn edge(&self, edge: &EdgeItem) -> Doc {
        let head = text(format!("edge {}: {} -> {}", edge.name.text, edge.from.dotted(), edge.to.dotted()));
        match &edge.condition {
            Some(condition) => {
                group(concat(vec![head, indent(concat(vec![Doc::Line, text("when "), self.expr(condition)]))]))
            }
            None => head,
        }
    }

    fn framework(&self, framework: &FrameworkItem) -> Doc {
        let open_at = self.next_token(framework.title.span.end as usize, false);
        let controls = self.braced(open_at, |start| {
            self.block(start, &framework.controls, |c| c.span.end as usize, |c| self.control(c), false)
        });
        let head = format!("framework {} {} ", framework.name.dotted(), self.raw(framework.title.span));
        concat(vec![text(head), controls])
    }

    fn control(&self, control: &ControlDecl) -> Doc {
        let manual = if control.manual { " manual" } else { "" };
        text(format!("control {} {}{manual}", self.raw(control.id.span), self.raw(control.summary.span)))
    }

    fn test(&self, test: &TestItem) -> Doc {
        let mut stmts: Vec<TestStmt<'_>> = test.given.iter().map(TestStmt::Given).collect();
        stmts.extend(test.expects.iter().map(TestStmt::Expect));
        stmts.sort_by_key(|s| s.span().start);
        let open_at = self.next_token(test.name.span.end as usize, false);
        let body = self.braced(open_at, |start| {
            self.block(start, &stmts, |s| s.span().end as usize, |s| self.test_stmt(s), false)
        });
        concat(vec![text(format!("test {} ", self.raw(test.name.span))), body])
    }

    fn test_stmt(&self, stmt: &TestStmt<'_>) -> Doc {
        match stmt {
            TestStmt::Given(Given::File(path)) => text(format!("given {}", self.raw(path.span))),
            TestStmt::Given(Given::Inline(data)) => concat(vec![text("given "), self.given_data(data)]),
            TestStmt::Expect(expect) => {
                let mut line = String::from("expect ");
                if expect.negated {
                    line.push_str("no ");
                }
                line.push_str(&expect.rule.text);
                if let Some(subject) = &expect.subject {
                    line.push_str(" on ");
                    line.push_str(self.raw(subject.span));
                }
                text(line)
            }
        }
    }
}
