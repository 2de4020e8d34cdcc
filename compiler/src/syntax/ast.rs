//! The syntax tree of one `.rule` file.
//!
//! Every node carries the byte [`Span`] it was parsed from, so diagnostics, hover and go to
//! definition can point back into the text. Literal values are kept as written (numbers as
//! text, strings unescaped but unvalidated): judging them is the checker's job, which keeps
//! the tree `Eq + Hash` for the incremental database.

use std::fmt;

/// A byte range into the file text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        // INVARIANT: files are capped well below 4 GiB by the loader.
        Span { start: start as u32, end: end as u32 }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// An identifier and where it was written.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A dotted name such as `std.net` or `mlps2.l3`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct QName {
    pub parts: Vec<Name>,
    pub span: Span,
}

impl QName {
    pub fn dotted(&self) -> String {
        self.parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(".")
    }

    pub fn last(&self) -> &Name {
        // INVARIANT: the grammar gives a qualified name at least one part.
        &self.parts[self.parts.len() - 1]
    }
}

/// A string literal with escapes already decoded.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// A parsed `.rule` file: header, imports and items in source order.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct SourceAst {
    pub package: Option<QName>,
    /// Span of the whole `package ...` declaration.
    pub package_span: Option<Span>,
    pub uses: Vec<Use>,
    pub items: Vec<Item>,
}

impl SourceAst {
    /// Calls `f` on every expression of the file (function bodies, constants, edge conditions,
    /// clauses, message holes), each with its subexpressions, parents first.
    pub fn walk_exprs(&self, f: &mut impl FnMut(&Expr)) {
        let mut visit = |e: &Expr| e.walk(f);
        for item in &self.items {
            match &item.kind {
                ItemKind::Fn(func) => func.body.iter().for_each(&mut visit),
                ItemKind::Const(c) => visit(&c.value),
                ItemKind::Edge(edge) => edge.condition.iter().for_each(&mut visit),
                ItemKind::Check(check) => {
                    for clause in &check.clauses {
                        match &clause.kind {
                            ClauseKind::Subject { filter, .. } => filter.iter().for_each(&mut visit),
                            ClauseKind::Let { value: e, .. } | ClauseKind::When(e) | ClauseKind::Evidence(e) => {
                                visit(e)
                            }
                            ClauseKind::GroupBy { key, .. } => visit(key),
                            ClauseKind::Threshold { measure: ThresholdMeasure::Distinct(e), .. } => visit(e),
                            ClauseKind::Message(template) | ClauseKind::Fix(template) => {
                                template.parts.iter().for_each(|part| {
                                    if let TemplatePart::Hole(e) = part {
                                        visit(e);
                                    }
                                })
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Use {
    pub path: QName,
    pub alias: Option<Name>,
    pub span: Span,
}

impl Use {
    /// The name the import is reachable by: the alias, else the last segment.
    pub fn local_name(&self) -> &Name {
        self.alias.as_ref().unwrap_or_else(|| self.path.last())
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Item {
    pub docs: Vec<String>,
    pub kind: ItemKind,
    pub span: Span,
}

impl Item {
    /// The declared name, if the item has one (errors and tests have none).
    pub fn name(&self) -> Option<&Name> {
        match &self.kind {
            ItemKind::Schema(s) => Some(&s.name),
            ItemKind::TypeAlias(t) => Some(&t.name),
            ItemKind::Fn(f) => Some(&f.name),
            ItemKind::Const(c) => Some(&c.name),
            ItemKind::Check(c) => Some(&c.name),
            ItemKind::Edge(e) => Some(&e.name),
            ItemKind::Framework(_) | ItemKind::Test(_) | ItemKind::Error => None,
        }
    }

    pub fn doc_text(&self) -> Option<String> {
        doc_text(&self.docs)
    }
}

/// Joins `///` lines into one doc string.
pub fn doc_text(docs: &[String]) -> Option<String> {
    if docs.is_empty() {
        return None;
    }
    Some(docs.iter().map(|d| d.trim()).collect::<Vec<_>>().join("\n"))
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ItemKind {
    Schema(SchemaItem),
    TypeAlias(TypeAlias),
    Fn(FnItem),
    Const(ConstItem),
    /// `rule` and `alarm`: one shape, the checker enforces which clauses each takes.
    Check(CheckItem),
    Edge(EdgeItem),
    Framework(FrameworkItem),
    Test(TestItem),
    /// An item that failed to parse; its diagnostic was reported by the parser.
    Error,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SchemaKind {
    Asset,
    Event,
    Record,
}

impl SchemaKind {
    pub fn keyword(self) -> &'static str {
        match self {
            SchemaKind::Asset => "asset",
            SchemaKind::Event => "event",
            SchemaKind::Record => "record",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct SchemaItem {
    pub kind: SchemaKind,
    pub name: Name,
    pub fields: Vec<FieldDecl>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FieldDecl {
    pub docs: Vec<String>,
    pub name: Name,
    pub ty: TypeExpr,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TypeAlias {
    pub name: Name,
    pub ty: TypeExpr,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FnItem {
    pub name: Name,
    pub params: Vec<Param>,
    pub ret: TypeExpr,
    /// `None` for a `native fn`, implemented by the runtime.
    pub body: Option<Expr>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Param {
    pub name: Name,
    /// `name?: T` — the argument may be left out.
    pub optional: bool,
    pub ty: TypeExpr,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ConstItem {
    pub name: Name,
    pub ty: TypeExpr,
    pub value: Expr,
}

/// `rule` or `alarm`: the plan's distinction, shared so the two never drift.
pub use rulec_runtime::plan::CheckKind;

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct CheckItem {
    pub kind: CheckKind,
    pub name: Name,
    pub clauses: Vec<Clause>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Clause {
    pub kind: ClauseKind,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ClauseKind {
    Title(StrLit),
    Severity(Name),
    Controls(Vec<ControlRef>),
    /// `fix "..."`: a template like `message`, so a remediation names the finding's own ids.
    Fix(Template),
    /// `for x: T where ..` (rules) and `on e: T where ..` (alarms).
    Subject {
        is_event: bool,
        binding: Name,
        ty: QName,
        filter: Option<Expr>,
    },
    Let {
        name: Name,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    When(Expr),
    Message(Template),
    Evidence(Expr),
    GroupBy {
        key: Expr,
        /// `within D`; absent: the whole snapshot is one window.
        window: Option<Duration>,
    },
    Threshold {
        measure: ThresholdMeasure,
        strict: bool,
        count: IntLit,
    },
}

impl ClauseKind {
    /// The keyword that starts the clause, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::Title(_) => "title",
            ClauseKind::Severity(_) => "severity",
            ClauseKind::Controls(_) => "controls",
            ClauseKind::Fix(_) => "fix",
            ClauseKind::Subject { is_event: false, .. } => "for",
            ClauseKind::Subject { is_event: true, .. } => "on",
            ClauseKind::Let { .. } => "let",
            ClauseKind::When(_) => "when",
            ClauseKind::Message(_) => "message",
            ClauseKind::Evidence(_) => "evidence",
            ClauseKind::GroupBy { .. } => "group by",
            ClauseKind::Threshold { .. } => "threshold",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ThresholdMeasure {
    Count,
    Distinct(Expr),
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ControlRef {
    pub framework: QName,
    pub control: StrLit,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    /// The text with escapes decoded and each hole as its source between braces, e.g.
    /// `close {sg.id}`: how `rulec rules` and the docs show a `fix` before it is filled in.
    pub written: String,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum TemplatePart {
    Text(String),
    Hole(Expr),
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct EdgeItem {
    pub name: Name,
    pub from: QName,
    pub to: QName,
    pub condition: Option<Expr>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FrameworkItem {
    pub name: QName,
    pub title: StrLit,
    pub controls: Vec<ControlDecl>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ControlDecl {
    pub docs: Vec<String>,
    pub id: StrLit,
    pub summary: StrLit,
    /// `manual`: the standard expects a person to audit this control; a compliance report
    /// says `manual` rather than `not covered` when no check cites it.
    pub manual: bool,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TestItem {
    pub name: StrLit,
    pub given: Vec<Given>,
    pub expects: Vec<Expect>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Given {
    /// A fixture path, relative to the pack folder.
    File(StrLit),
    /// An inline snapshot document.
    Inline(Data),
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Expect {
    pub negated: bool,
    pub rule: Name,
    pub subject: Option<StrLit>,
    pub span: Span,
}

/// JSON-like data written inline in a `test` block.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Data {
    pub kind: DataKind,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum DataKind {
    Object(Vec<(String, Data)>),
    Array(Vec<Data>),
    String(String),
    /// Numbers as written; the test runner converts them.
    Number(String),
    Bool(bool),
    Null,
}

// ------------------------------------------------------------------------------- types

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum TypeExprKind {
    Named(QName),
    List(Box<TypeExpr>),
    Map(Box<TypeExpr>, Box<TypeExpr>),
    Ref(Vec<QName>),
    Literal(StrLit),
    Optional(Box<TypeExpr>),
    Union(Vec<TypeExpr>),
}

// ------------------------------------------------------------------------------- expressions

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// Calls `f` on this expression and every subexpression, parents first.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::List(items) => items.iter().for_each(|e| e.walk(f)),
            ExprKind::Record(entries) => entries.iter().for_each(|(_, e)| e.walk(f)),
            ExprKind::Call { args, .. } => args.iter().for_each(|e| e.walk(f)),
            ExprKind::Field { base, .. } => base.walk(f),
            ExprKind::Method { base, args, .. } => {
                base.walk(f);
                args.iter().for_each(|e| e.walk(f));
            }
            ExprKind::Index { base, index } => {
                base.walk(f);
                index.walk(f);
            }
            ExprKind::Unary { operand, .. } => operand.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::If { cond, then, otherwise } => {
                cond.walk(f);
                then.walk(f);
                otherwise.walk(f);
            }
            ExprKind::Lambda { body, .. } => body.walk(f),
            ExprKind::Labelled { value, .. } => value.walk(f),
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Duration(_)
            | ExprKind::Regex { .. }
            | ExprKind::Var(_) => {}
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct IntLit {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Duration {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ExprKind {
    Int(String),
    Float(String),
    Str(String),
    Bool(bool),
    None,
    Duration(String),
    Regex {
        pattern: String,
        flags: String,
    },
    List(Vec<Expr>),
    Record(Vec<(Name, Expr)>),
    Var(Name),
    /// `f(args)`: a function of the current package, an import or a builtin such as `ip(..)`.
    Call {
        callee: Name,
        args: Vec<Expr>,
    },
    /// `a.b` / `a?.b` — a field, or a package member when `a` names an import.
    Field {
        base: Box<Expr>,
        name: Name,
        optional: bool,
    },
    /// `a.m(args)` / `a?.m(args)` — a method, or a function of the package `a` names.
    Method {
        base: Box<Expr>,
        name: Name,
        args: Vec<Expr>,
        optional: bool,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Lambda {
        params: Vec<Name>,
        body: Box<Expr>,
    },
    /// `label: value`, only as a call argument: the label names the parameter.
    Labelled {
        label: Name,
        value: Box<Expr>,
    },
}

/// The operators are the plan's: the language and the runtime share one definition.
pub use rulec_runtime::plan::{BinaryOp, UnaryOp};
