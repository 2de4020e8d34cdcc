//! Lowering checked items into the runtime's plan IR.
//!
//! Runs in the same query as checking, after it, and only for items without errors. It
//! reads what the checker recorded — each expression's type and each name's resolution, by
//! span — so names are resolved in exactly one place. Indices of types, constants and
//! functions come from [`PlanLayout`], which depends only on signatures.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rulec_runtime::plan;

use super::env::{GlobalEnv, MemberKind, TypeKind};
use super::expr::{ExprChecker, Resolution};
use super::literals;
use super::ty::{Ty, TypeId};
use crate::syntax::Span;
use crate::syntax::ast::{self, ExprKind};

/// Where every type, constant and function goes in the plan. Derived from the global
/// environment only, so an edit inside a body never changes it.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PlanLayout {
    /// Schema types (no aliases), sorted by qualified name.
    pub types: Vec<TypeId>,
    pub type_index: BTreeMap<TypeId, u32>,
    /// `(package, name)` of constants and of non-native functions, sorted.
    pub consts: Vec<(String, String)>,
    pub functions: Vec<(String, String)>,
}

impl PlanLayout {
    pub fn new(env: &GlobalEnv) -> Self {
        let types: Vec<TypeId> =
            env.types.iter().filter(|(_, d)| d.kind != TypeKind::Alias).map(|(id, _)| id.clone()).collect();
        let type_index = types.iter().enumerate().map(|(i, id)| (id.clone(), i as u32)).collect();
        let mut consts = Vec::new();
        let mut functions = Vec::new();
        for (package, scope) in &env.packages {
            for (name, members) in &scope.members {
                match members.first().map(|m| &m.kind) {
                    Some(MemberKind::Const(_)) => consts.push((package.clone(), name.clone())),
                    Some(MemberKind::Fn(sig)) if !sig.native => functions.push((package.clone(), name.clone())),
                    _ => {}
                }
            }
        }
        PlanLayout { types, type_index, consts, functions }
    }

    fn index_of(list: &[(String, String)], package: &str, name: &str) -> u32 {
        // INVARIANT: lowering runs only on items that resolved without errors, and every
        // resolved constant or function is in the layout.
        list.iter().position(|(p, n)| p == package && n == name).unwrap_or(usize::MAX) as u32
    }

    /// The plan type of a checker type.
    pub fn plan_type(&self, ty: &Ty) -> plan::Type {
        match ty {
            Ty::Bool => plan::Type::Bool,
            Ty::Int => plan::Type::Int,
            Ty::Float => plan::Type::Float,
            Ty::String => plan::Type::String,
            Ty::Time => plan::Type::Time,
            Ty::Duration => plan::Type::Duration,
            Ty::Ip => plan::Type::Ip,
            Ty::Cidr => plan::Type::Cidr,
            Ty::Regex => plan::Type::Regex,
            Ty::Enum(values) => plan::Type::Enum(values.iter().cloned().collect()),
            Ty::List(inner) => plan::Type::List(Box::new(self.plan_type(inner))),
            Ty::Map(_, value) => plan::Type::Map(Box::new(self.plan_type(value))),
            Ty::Named(id) => self.type_index.get(id).map_or(plan::Type::Any, |i| plan::Type::Named(*i)),
            Ty::Ref(ids) => plan::Type::Ref(ids.iter().filter_map(|id| self.type_index.get(id).copied()).collect()),
            Ty::Optional(inner) => plan::Type::Optional(Box::new(self.plan_type(inner))),
            Ty::Union(members) => plan::Type::Union(members.iter().map(|m| self.plan_type(m)).collect()),
            Ty::Any | Ty::Internet | Ty::NoneLit | Ty::Error => plan::Type::Any,
        }
    }

    /// Every schema type, as the plan carries it.
    pub fn plan_types(&self, env: &GlobalEnv) -> Vec<plan::TypeDef> {
        self.types
            .iter()
            .filter_map(|id| {
                let def = env.type_def(id)?;
                let kind = match def.kind {
                    TypeKind::Asset => plan::TypeKind::Asset,
                    TypeKind::Event => plan::TypeKind::Event,
                    _ => plan::TypeKind::Record,
                };
                Some(plan::TypeDef {
                    name: super::ty::short_name(id).to_owned(),
                    qualified: id.clone(),
                    kind,
                    fields: def
                        .fields
                        .iter()
                        .map(|(name, ty)| plan::FieldDef { name: name.clone(), ty: self.plan_type(ty) })
                        .collect(),
                })
            })
            .collect()
    }
}

/// Turns expressions of one checked item into plan IR.
pub struct Lowerer<'a> {
    pub env: &'a GlobalEnv,
    pub layout: &'a PlanLayout,
    resolutions: &'a HashMap<Span, Resolution>,
    types: HashMap<Span, &'a Ty>,
    /// The fields the lowered expressions read, as `Type.field` (see [`super::reads`]).
    reads: RefCell<BTreeSet<String>>,
}

impl<'a> Lowerer<'a> {
    pub fn new(env: &'a GlobalEnv, layout: &'a PlanLayout, checker: &'a ExprChecker<'_>) -> Self {
        Lowerer {
            env,
            layout,
            resolutions: &checker.resolutions,
            types: checker.types.iter().map(|(s, t)| (*s, t)).collect(),
            reads: RefCell::default(),
        }
    }

    /// The fields read by everything lowered so far.
    pub fn into_reads(self) -> BTreeSet<String> {
        self.reads.into_inner()
    }

    fn resolution(&self, span: Span) -> Option<&Resolution> {
        self.resolutions.get(&span)
    }

    pub fn expr(&self, expr: &ast::Expr) -> plan::Expr {
        use plan::Expr as P;
        let lit = |l: plan::Literal| P::Literal(l);
        match &expr.kind {
            ExprKind::Int(text) => lit(plan::Literal::Int(literals::int(text).unwrap_or_default())),
            ExprKind::Float(text) => lit(plan::Literal::Float(text.parse().unwrap_or_default())),
            ExprKind::Str(s) => lit(plan::Literal::String(s.clone())),
            ExprKind::Bool(b) => lit(plan::Literal::Bool(*b)),
            ExprKind::None => lit(plan::Literal::None),
            ExprKind::Duration(text) => {
                lit(plan::Literal::Duration(literals::duration_seconds(text).unwrap_or_default()))
            }
            ExprKind::Regex { pattern, flags } => {
                lit(plan::Literal::Regex { pattern: pattern.clone(), flags: flags.clone() })
            }
            ExprKind::List(items) => P::List(items.iter().map(|e| self.expr(e)).collect()),
            ExprKind::Record(entries) => {
                P::Record(entries.iter().map(|(k, v)| (k.text.clone(), self.expr(v))).collect())
            }
            ExprKind::Var(name) => self.name_ref(name.span),
            ExprKind::Call { callee: _, args } => match self.resolution(expr.span) {
                Some(Resolution::Builtin("now")) => P::Now,
                Some(Resolution::Builtin(kind @ ("path" | "reaches"))) => self.path(args, *kind == "reaches"),
                Some(Resolution::Builtin(kind)) => {
                    let text = match args.first().map(|a| &a.kind) {
                        Some(ExprKind::Str(s)) => s.clone(),
                        _ => String::new(),
                    };
                    lit(match *kind {
                        "ip" => plan::Literal::Ip(text),
                        "cidr" => plan::Literal::Cidr(text),
                        _ => plan::Literal::Time(text),
                    })
                }
                _ => self.call(expr.span, args),
            },
            ExprKind::Field { base, name, optional } => {
                if let Some(Resolution::Const { .. }) = self.resolution(expr.span) {
                    return self.name_ref(expr.span);
                }
                self.note_read(base.span, &name.text);
                let index = self.field_index(base.span, &name.text);
                P::Field { base: Box::new(self.expr(base)), name: name.text.clone(), index, optional: *optional }
            }
            ExprKind::Method { base, name, args, optional } => {
                if let Some(Resolution::Function { .. }) = self.resolution(expr.span) {
                    return self.call(expr.span, args);
                }
                if name.text == "len"
                    && matches!(self.types.get(&base.span).map(|t| t.strip_optional()), Some(Ty::Named(id)) if id == crate::semantic::expr::PATH_TYPE)
                {
                    // A path's length is its number of edges: one less than its hops.
                    let hops =
                        P::Field { base: Box::new(self.expr(base)), name: "hops".into(), index: None, optional: false };
                    let count =
                        P::Method { name: "len".into(), receiver: Box::new(hops), args: Vec::new(), optional: false };
                    return P::Binary {
                        op: plan::BinaryOp::Sub,
                        lhs: Box::new(count),
                        rhs: Box::new(lit(plan::Literal::Int(1))),
                    };
                }
                if name.text == "deref"
                    && let Some(Ty::Ref(ids)) = self.types.get(&base.span).map(|t| t.strip_optional())
                {
                    let types = ids.iter().filter_map(|id| self.layout.type_index.get(id).copied()).collect();
                    return P::Deref { reference: Box::new(self.expr(base)), types };
                }
                P::Method {
                    name: name.text.clone(),
                    receiver: Box::new(self.expr(base)),
                    args: args.iter().map(|a| self.expr(a)).collect(),
                    optional: *optional,
                }
            }
            ExprKind::Index { base, index } => {
                P::Index { base: Box::new(self.expr(base)), index: Box::new(self.expr(index)) }
            }
            ExprKind::Unary { op, operand } => P::Unary { op: *op, operand: Box::new(self.expr(operand)) },
            ExprKind::Binary { op, lhs, rhs, .. } => {
                P::Binary { op: *op, lhs: Box::new(self.expr(lhs)), rhs: Box::new(self.expr(rhs)) }
            }
            ExprKind::If { cond, then, otherwise } => P::If {
                cond: Box::new(self.expr(cond)),
                then: Box::new(self.expr(then)),
                otherwise: Box::new(self.expr(otherwise)),
            },
            ExprKind::Lambda { params, body } => {
                let slot = params.first().map_or(0, |p| self.slot(p.span));
                P::Lambda { slot, body: Box::new(self.expr(body)) }
            }
            ExprKind::Labelled { value, .. } => self.expr(value),
        }
    }

    /// A graph search: the checker has resolved `Internet` and every `via` entry.
    fn path(&self, args: &[ast::Expr], reaches: bool) -> plan::Expr {
        let unlabel = |e: &'_ ast::Expr| match &e.kind {
            ExprKind::Labelled { value, .. } => value.as_ref().clone(),
            _ => e.clone(),
        };
        let arg =
            |i: usize| args.get(i).map(unlabel).unwrap_or(ast::Expr { kind: ExprKind::None, span: Span::default() });
        let (from, to, via) = (arg(0), arg(1), arg(2));
        let from = match self.resolution(from.span) {
            Some(Resolution::Builtin("Internet")) => None,
            _ => Some(Box::new(self.expr(&from))),
        };
        let via = match &via.kind {
            ExprKind::List(items) => items
                .iter()
                .filter_map(|item| match self.resolution(item.span) {
                    Some(Resolution::Edge { package, name }) => Some(format!("{package}.{name}")),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        plan::Expr::Path { from, to: Box::new(self.expr(&to)), via, reaches }
    }

    fn slot(&self, span: Span) -> u32 {
        match self.resolution(span) {
            Some(Resolution::Local(slot)) => *slot,
            _ => 0,
        }
    }

    fn name_ref(&self, span: Span) -> plan::Expr {
        match self.resolution(span) {
            Some(Resolution::Local(slot)) => plan::Expr::Local(*slot),
            Some(Resolution::Const { package, name }) => {
                plan::Expr::Const(PlanLayout::index_of(&self.layout.consts, package, name))
            }
            _ => plan::Expr::Literal(plan::Literal::None),
        }
    }

    fn call(&self, span: Span, args: &[ast::Expr]) -> plan::Expr {
        let args = args.iter().map(|a| self.expr(a)).collect();
        match self.resolution(span) {
            Some(Resolution::Function { package, name, native: true }) => {
                plan::Expr::Native { name: format!("{package}.{name}"), args }
            }
            Some(Resolution::Function { package, name, native: false }) => {
                plan::Expr::Call { function: PlanLayout::index_of(&self.layout.functions, package, name), args }
            }
            _ => plan::Expr::Literal(plan::Literal::None),
        }
    }

    /// Notes a read of `field` on the expression at `base`, for each type it may own it.
    fn note_read(&self, base: Span, field: &str) {
        let Some(ty) = self.types.get(&base) else { return };
        let owners = super::reads::field_owners(self.env, ty, field);
        let mut reads = self.reads.borrow_mut();
        reads.extend(owners.into_iter().map(|id| format!("{}.{field}", super::ty::short_name(id))));
    }

    /// The field's position when the base has one known record type.
    fn field_index(&self, base: Span, field: &str) -> Option<u32> {
        let ty = self.types.get(&base)?;
        let Ty::Named(id) = ty.strip_optional() else { return None };
        let def = self.env.type_def(id)?;
        def.fields.iter().position(|(n, _)| n == field).map(|i| i as u32)
    }

    pub fn template(&self, template: &ast::Template) -> Vec<plan::TemplatePart> {
        template
            .parts
            .iter()
            .map(|p| match p {
                ast::TemplatePart::Text(t) => plan::TemplatePart::Text(t.clone()),
                ast::TemplatePart::Hole(e) => plan::TemplatePart::Hole(self.expr(e)),
            })
            .collect()
    }
}
