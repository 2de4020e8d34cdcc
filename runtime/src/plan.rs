//! The compiled plan: everything needed to evaluate checks on a snapshot, with no syntax.
//!
//! The compiler lowers type-checked rules into a `Plan`; `rulec compile -o plan.json`
//! writes it and `rulec check --plan` runs it without the compiler. Names are resolved to
//! indices (types, fields, functions, constants, local slots), so evaluation never looks a
//! name up. The format is versioned: a plan carries [`PLAN_FORMAT`] and loading refuses any
//! other version.

use serde::{Deserialize, Deserializer, Serialize};

/// The plan format this runtime reads and writes.
pub const PLAN_FORMAT: &str = "rulec.plan/v1";

/// The most local slots a check, function, constant or edge may use, and so the bound on a
/// lambda's slot. Compiled rules use a handful; a plan file claiming more (edited, or not a
/// plan) is refused when read rather than make the evaluator allocate a frame of billions of
/// values and abort.
pub const MAX_LOCALS: u32 = 1 << 16;

/// Reads a count of local slots, or a slot, refusing one past [`MAX_LOCALS`].
fn local_slots<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(deserializer)?;
    if n > MAX_LOCALS {
        return Err(serde::de::Error::custom(format!("{n} local slots, more than the {MAX_LOCALS} a plan may use")));
    }
    Ok(n)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: String,
    /// The `rulec` version that compiled it, for reports.
    pub compiler_version: String,
    pub types: Vec<TypeDef>,
    pub consts: Vec<Const>,
    pub functions: Vec<Function>,
    pub checks: Vec<Check>,
    pub edges: Vec<Edge>,
    pub frameworks: Vec<Framework>,
}

/// Index into [`Plan::types`].
pub type TypeIdx = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TypeKind {
    Asset,
    Event,
    Record,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypeDef {
    /// The name snapshots use in their `type` field, e.g. `SecurityGroup`.
    pub name: String,
    /// Package-qualified, e.g. `std.schema.SecurityGroup`.
    pub qualified: String,
    pub kind: TypeKind,
    /// Base-record fields first (`AssetBase` / `EventBase`), then the type's own.
    pub fields: Vec<FieldDef>,
}

impl TypeDef {
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: String,
    pub ty: Type,
}

/// A value type, as the snapshot loader validates data against it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Type {
    Bool,
    Int,
    Float,
    String,
    Time,
    Duration,
    Ip,
    Cidr,
    Regex,
    /// Untyped JSON, kept as written.
    Any,
    /// One of these strings.
    Enum(Vec<String>),
    List(Box<Type>),
    /// Keys are strings.
    Map(Box<Type>),
    Named(TypeIdx),
    /// The id of an asset of one of these types.
    Ref(Vec<TypeIdx>),
    Optional(Box<Type>),
    /// A value of any of these types (e.g. `string | [string]`).
    Union(Vec<Type>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Const {
    /// `package.name`.
    pub name: String,
    pub value: Expr,
    /// Local slots its lambdas need.
    #[serde(deserialize_with = "local_slots")]
    pub locals: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    /// Parameters occupy local slots `0..params`.
    pub params: u32,
    /// Local slots the body needs (parameters included).
    #[serde(deserialize_with = "local_slots")]
    pub locals: u32,
    pub body: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What a check is: per asset, or over events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    Rule,
    Alarm,
}

impl CheckKind {
    /// The keyword that declares it.
    pub fn keyword(self) -> &'static str {
        match self {
            CheckKind::Rule => "rule",
            CheckKind::Alarm => "alarm",
        }
    }
}

/// A rule or an alarm, lowered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub id: String,
    pub kind: CheckKind,
    /// The pack it came from.
    pub pack: String,
    pub title: String,
    pub severity: Severity,
    /// `framework/control`, e.g. `mlps2.l3/8.1.3.2-a`.
    pub controls: Vec<String>,
    /// The remediation as written, holes shown as `{expr}`: for `rulec rules` and the docs.
    pub fix: Option<String>,
    /// The remediation as a template, filled in per finding with its own ids. Absent in plans
    /// written before `fix` took holes; `fix` is then used as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_template: Option<Vec<TemplatePart>>,
    /// The doc comment, for SARIF help and `rulec rules`.
    pub doc: Option<String>,
    /// The asset (rule) or event (alarm) type iterated over.
    pub subject_type: TypeIdx,
    /// `where`: subjects for which it is false are not considered.
    pub filter: Option<Expr>,
    /// `let`s in order: slot `1 + i` holds the i-th (slot 0 is the subject).
    pub lets: Vec<Expr>,
    /// `when`; an alarm without one considers every filtered event.
    pub when: Option<Expr>,
    /// The message template; `None` uses the title.
    pub message: Option<Vec<TemplatePart>>,
    /// Evidence entries in written order.
    pub evidence: Vec<(String, Expr)>,
    /// Alarms: grouping and threshold.
    pub group: Option<Grouping>,
    /// Local slots the check's expressions need.
    #[serde(deserialize_with = "local_slots")]
    pub locals: u32,
    /// The snapshot fields the check depends on, as sorted, distinct `Type.field` names
    /// (`SecurityGroup.ingress`, `SgRule.cidr`): those its own expressions read and those of
    /// the functions, natives and edges it uses. `id` and `type`, which every asset has, are
    /// left out. Users and auditors see what data a check needs; a test proves the importers
    /// fill each one. Empty in plans written before it.
    #[serde(default)]
    pub reads: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grouping {
    pub key: Expr,
    /// `None` (no `within`): all of a group's events form one window.
    pub window_seconds: Option<i64>,
    pub threshold: Threshold,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub measure: Measure,
    /// Fires when the measure is `>= at_least`.
    pub at_least: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Count,
    Distinct(Expr),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplatePart {
    Text(String),
    Hole(Expr),
}

/// An edge of the resource graph: `source` is slot 0, `target` slot 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub name: String,
    /// `None` is the built-in `Internet` node.
    pub from: Option<TypeIdx>,
    pub to: TypeIdx,
    pub condition: Option<Expr>,
    #[serde(deserialize_with = "local_slots")]
    pub locals: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    pub name: String,
    pub title: String,
    pub controls: Vec<Control>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Control {
    pub id: String,
    pub summary: String,
    /// Audited by a person (`control "1.1" "..." manual`): reported as `manual`, not
    /// `not covered`, when no evaluated check cites it. Absent in plans written before it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manual: bool,
}

/// A resolved expression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    Literal(Literal),
    Local(u32),
    Const(u32),
    List(Vec<Expr>),
    /// Evidence-style record: named entries in written order.
    Record(Vec<(String, Expr)>),
    /// `base.field` / `base?.field`. `index` is the field's position in the base's type;
    /// `name` is used when the base's type is only known at run time (unions).
    Field {
        base: Box<Expr>,
        name: String,
        index: Option<u32>,
        optional: bool,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    Call {
        function: u32,
        args: Vec<Expr>,
    },
    /// A `native fn` of the standard library, by qualified name (`std.net.sg_allows`).
    Native {
        name: String,
        args: Vec<Expr>,
    },
    /// A built-in method (`len`, `filter`, `deref`, ...). Lambda arguments are `Lambda`.
    Method {
        name: String,
        receiver: Box<Expr>,
        args: Vec<Expr>,
        optional: bool,
    },
    /// `reference.deref()`: the asset among `types` whose id the reference holds, or none.
    Deref {
        reference: Box<Expr>,
        types: Vec<TypeIdx>,
    },
    /// `path(from, to, via: [..])` (`reaches: false`: the shortest path as `{hops: [{type, id,
    /// edge}]}`, or none) and `reaches(..)` (`reaches: true`: a bool). `from: None` is the
    /// `Internet` node; `via` names edges by their qualified [`Edge::name`].
    Path {
        from: Option<Box<Expr>>,
        to: Box<Expr>,
        via: Vec<String>,
        reaches: bool,
    },
    /// `x => body`: binds the element to `slot`.
    Lambda {
        #[serde(deserialize_with = "local_slots")]
        slot: u32,
        body: Box<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `now()`: the snapshot's `taken_at`.
    Now,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Literal {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    /// Seconds.
    Duration(i64),
    /// RFC 3339, validated at compile time.
    Time(String),
    Ip(String),
    Cidr(String),
    Regex {
        pattern: String,
        flags: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOp {
    Coalesce,
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Matches,
    Like,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinaryOp {
    /// How tightly the operator binds, as the parser's operator table orders them (higher:
    /// tighter). The scale leaves room for the other forms a printer places among them: 1 for
    /// `if` and lambdas, 5 for `not`, 9 for negation, 10 for atoms. The formatter and `rulec
    /// explain` both print with it, so neither can disagree with the parser.
    pub fn binding(self) -> u8 {
        match self {
            BinaryOp::Coalesce => 2,
            BinaryOp::Or => 3,
            BinaryOp::And => 4,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn
            | BinaryOp::Matches
            | BinaryOp::Like => 6,
            BinaryOp::Add | BinaryOp::Sub => 7,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 8,
        }
    }

    /// How the operator is written, for messages.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Coalesce => "??",
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Matches => "matches",
            BinaryOp::Like => "like",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }
}

/// A rule check citing `controls`, with nothing else to it: what compliance and coverage tests
/// need of a plan.
#[cfg(test)]
pub(crate) fn test_check(id: &str, controls: &[&str]) -> Check {
    serde_json::from_value(serde_json::json!({
        "id": id, "kind": "rule", "pack": "p", "title": "t", "severity": "high", "controls": controls,
        "fix": null, "doc": null, "subject_type": 0, "filter": null, "lets": [], "when": null,
        "message": null, "evidence": [], "group": null, "locals": 1
    }))
    .expect("a check")
}

/// A plan with these types and nothing else: what the loader's and the evaluator's unit tests
/// need.
#[cfg(test)]
pub(crate) fn test_plan(types: Vec<TypeDef>) -> Plan {
    Plan {
        format: "rulec.plan/v1".to_owned(),
        compiler_version: "test".to_owned(),
        types,
        consts: Vec::new(),
        functions: Vec::new(),
        checks: Vec::new(),
        edges: Vec::new(),
        frameworks: Vec::new(),
    }
}
