//! Type checking of expressions.
//!
//! `infer` gives every expression a type and reports what is wrong with it; a wrong
//! subexpression gets [`Ty::Error`], which fits everywhere, so one mistake yields one
//! diagnostic. Every inferred type is also recorded by span for hover.

use std::collections::BTreeSet;

use super::env::{FileCtx, FnSig, GlobalEnv, MemberKind};
use super::literals;
use super::methods::{self, MethodSig};
use super::signature::SignatureLabel;
use super::ty::Ty;
use crate::diagnostics::{Code, Diagnostic, did_you_mean, suggest};
use crate::syntax::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Name, UnaryOp};

/// What a name in scope stands for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BindingKind {
    /// `for x: T` / `on e: T` / an edge's `source` and `target`.
    Subject,
    Let,
    Param,
    Lambda,
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
    pub kind: BindingKind,
    pub used: bool,
    /// The local slot the value lives in at run time.
    pub slot: u32,
}

/// What a name in an expression turned out to mean; lowering reads these by span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Local(u32),
    Const {
        package: String,
        name: String,
    },
    Function {
        package: String,
        name: String,
        native: bool,
    },
    /// The builtins `now()`, `ip(..)`, `cidr(..)`, `time(..)`, `path(..)`, `reaches(..)`, and
    /// the `Internet` node as a path's start.
    Builtin(&'static str),
    /// An edge named in a path's `via` list.
    Edge {
        package: String,
        name: String,
    },
}

/// What a name written in an item stands for: the editor's go to definition, hover and
/// references read these by the name's span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A subject, `let`, parameter or lambda parameter, by the span of its binding.
    Local { def: Span },
    /// A type, function, constant, rule or edge of a package.
    Member { package: String, name: String },
    /// A field of a record, asset or event type (`owner` may be a union or an optional).
    Field { owner: Ty, field: String },
    /// A named type.
    Type(super::ty::TypeId),
    /// A control of a framework.
    Control { framework: String, id: String },
    /// A package, by its path: written as an import's alias, in a `use` or a `package`.
    Package(String),
}

/// The type `path(..)` returns.
pub const PATH_TYPE: &str = "std.graph.Path";

pub struct ExprChecker<'a> {
    pub env: &'a GlobalEnv,
    pub ctx: &'a FileCtx,
    pub file: &'a str,
    pub scopes: Vec<Binding>,
    pub diagnostics: Vec<Diagnostic>,
    pub used_imports: BTreeSet<String>,
    /// Type of each expression by span, for hover.
    pub types: Vec<(Span, Ty)>,
    /// Functions called, as `package.name`.
    pub calls: BTreeSet<String>,
    /// How each name-bearing expression resolved, by its span.
    pub resolutions: std::collections::HashMap<Span, Resolution>,
    /// The most local slots in use at once.
    pub max_slots: u32,
    /// What each name written in the item refers to, by the name's span.
    pub refs: Vec<(Span, Target)>,
}

/// A global function every file can call.
pub struct Builtin {
    pub name: &'static str,
    pub params: &'static [&'static str],
    pub ret: &'static str,
    /// One line for hover, completion and signature help.
    pub doc: &'static str,
}

impl Builtin {
    pub fn label(&self) -> SignatureLabel {
        SignatureLabel::new(self.name, self.params.iter().map(|p| (*p).to_owned()), self.ret)
    }
}

/// The builtins, which take precedence over a package's own functions of the same name.
pub const BUILTIN_FUNCTIONS: &[Builtin] = &[
    Builtin { name: "now", params: &[], ret: "time", doc: "The snapshot's `taken_at`." },
    Builtin {
        name: "ip",
        params: &["literal: string"],
        ret: "ip",
        doc: "An IPv4 or IPv6 address, checked when the rule compiles.",
    },
    Builtin {
        name: "cidr",
        params: &["literal: string"],
        ret: "cidr",
        doc: "An address range such as `10.0.0.0/8`, checked when the rule compiles.",
    },
    Builtin {
        name: "time",
        params: &["literal: string"],
        ret: "time",
        doc: "An RFC 3339 timestamp, checked when the rule compiles.",
    },
    Builtin {
        name: "path",
        params: &["from", "to", "via: [edge]"],
        ret: "graph.Path?",
        doc: "The shortest path from `from` to `to` over the named edges, or none.",
    },
    Builtin {
        name: "reaches",
        params: &["from", "to", "via: [edge]"],
        ret: "bool",
        doc: "Whether `to` can be reached from `from` over the named edges.",
    },
];

impl<'a> ExprChecker<'a> {
    pub fn new(env: &'a GlobalEnv, ctx: &'a FileCtx, file: &'a str) -> Self {
        ExprChecker {
            env,
            ctx,
            file,
            scopes: Vec::new(),
            diagnostics: Vec::new(),
            used_imports: BTreeSet::new(),
            types: Vec::new(),
            calls: BTreeSet::new(),
            resolutions: std::collections::HashMap::new(),
            max_slots: 0,
            refs: Vec::new(),
        }
    }

    pub fn report(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn error(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic::new(code, self.file, span, message).with_label(label));
        // INVARIANT: just pushed.
        self.diagnostics.last_mut().expect("INVARIANT: just pushed")
    }

    pub fn bind(&mut self, name: &Name, ty: Ty, kind: BindingKind) {
        let slot = self.scopes.len() as u32;
        self.max_slots = self.max_slots.max(slot + 1);
        self.resolutions.insert(name.span, Resolution::Local(slot));
        self.refs.push((name.span, Target::Local { def: name.span }));
        self.scopes.push(Binding { name: name.text.clone(), ty, span: name.span, kind, used: false, slot });
    }

    fn lookup_binding(&mut self, name: &Name) -> Option<Ty> {
        let b = self.scopes.iter_mut().rev().find(|b| b.name == name.text)?;
        b.used = true;
        let (ty, slot, def) = (b.ty.clone(), b.slot, b.span);
        self.resolutions.insert(name.span, Resolution::Local(slot));
        self.refs.push((name.span, Target::Local { def }));
        Some(ty)
    }

    fn is_import(&self, name: &str) -> bool {
        self.ctx.imports.contains_key(name) && !self.scopes.iter().any(|b| b.name == name)
    }

    /// Infers `expr` and requires a `bool` (conditions: `when`, `where`, `if`, predicates).
    pub fn check_condition(&mut self, expr: &Expr, what: &str) -> Ty {
        let ty = self.infer(expr);
        if !ty.fits(&Ty::Bool) {
            let d = self.error(
                Code::ConditionNotBool,
                expr.span,
                format!("{what} must be a `bool`, found `{ty}`"),
                format!("this is `{ty}`"),
            );
            if ty.strip_optional() == &Ty::Bool {
                d.help = Some("the value may be none: add `?? false`".into());
            } else if matches!(ty, Ty::List(_)) {
                d.help = Some("test the list with `not xs.is_empty()`, `.any(x => ..)` or `.all(x => ..)`".into());
            }
        }
        ty
    }

    /// Infers `expr` and requires it to fit `expected`.
    pub fn check_against(&mut self, expr: &Expr, expected: &Ty, what: &str) -> Ty {
        // A literal where an enum (or an optional one: the default of `??`) is expected is a
        // member, never none.
        if let (ExprKind::Str(value), Some(allowed)) = (&expr.kind, enum_values(expected.strip_optional())) {
            self.record(expr.span, Ty::String);
            if !allowed.contains(value) {
                self.not_in_enum(expr.span, value, allowed);
            }
            return expected.strip_optional().clone();
        }
        let ty = self.infer(expr);
        self.require_fit(expr.span, &ty, expected, what);
        ty
    }

    fn require_fit(&mut self, span: Span, ty: &Ty, expected: &Ty, what: &str) {
        if ty.fits(expected) {
            return;
        }
        if ty.is_optional() && ty.strip_optional().fits(expected) {
            self.error(
                Code::OptionalAsValue,
                span,
                format!("{what} may be none, but `{expected}` is required"),
                format!("this is `{ty}`"),
            )
            .help = Some("supply a default with `?? <value>`, or test it with `!= none` first".into());
        } else {
            self.error(
                Code::TypeMismatch,
                span,
                format!("{what}: expected `{expected}`, found `{ty}`"),
                format!("this is `{ty}`"),
            );
        }
    }

    fn not_in_enum(&mut self, span: Span, value: &str, allowed: &BTreeSet<String>) {
        let shown: Vec<String> = allowed.iter().map(|v| format!("\"{v}\"")).collect();
        let d = self.error(
            Code::NotInEnum,
            span,
            format!("`\"{value}\"` is not one of {}", shown.join(", ")),
            "never equal to any allowed value",
        );
        d.help = suggest(value, allowed.iter().map(String::as_str)).map(|s| format!("did you mean `\"{s}\"`?"));
    }

    fn record(&mut self, span: Span, ty: Ty) {
        self.types.push((span, ty));
    }

    pub fn infer(&mut self, expr: &Expr) -> Ty {
        let ty = self.infer_inner(expr);
        self.record(expr.span, ty.clone());
        ty
    }

    fn infer_inner(&mut self, expr: &Expr) -> Ty {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Int(text) => match literals::int(text) {
                Ok(_) => Ty::Int,
                Err(e) => {
                    self.error(Code::IntegerOverflow, span, e.message, "out of range");
                    Ty::Error
                }
            },
            ExprKind::Float(_) => Ty::Float,
            ExprKind::Str(_) => Ty::String,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::None => Ty::NoneLit,
            ExprKind::Duration(text) => match literals::duration_seconds(text) {
                Ok(_) => Ty::Duration,
                Err(e) => {
                    let d = self.error(Code::InvalidDuration, span, e.message, "invalid duration");
                    d.help = e.help;
                    Ty::Error
                }
            },
            ExprKind::Regex { pattern, flags } => match literals::regex(pattern, flags) {
                Ok(_) => Ty::Regex,
                Err(e) => {
                    self.error(Code::InvalidRegex, span, e.message, "does not compile");
                    Ty::Error
                }
            },
            ExprKind::List(items) => self.infer_list(items, span),
            ExprKind::Record(entries) => {
                let mut seen: Vec<&Name> = Vec::new();
                for (key, value) in entries {
                    if let Some(first) = seen.iter().find(|k| k.text == key.text) {
                        let d = Diagnostic::new(
                            Code::DuplicateMember,
                            self.file,
                            key.span,
                            format!("key `{}` appears twice", key.text),
                        )
                        .with_label("duplicate key")
                        .with_related(self.file, first.span, "first used here");
                        self.report(d);
                    }
                    seen.push(key);
                    self.infer(value);
                }
                Ty::Any
            }
            ExprKind::Var(name) => self.infer_var(name),
            ExprKind::Call { callee, args } => self.infer_call(callee, args, span),
            ExprKind::Field { base, name, optional } => {
                if let ExprKind::Var(prefix) = &base.kind
                    && self.is_import(&prefix.text)
                {
                    return self.package_const(prefix, name, span);
                }
                let base_ty = self.infer(base);
                self.field_access(&base_ty, name, *optional, base.span)
            }
            ExprKind::Method { base, name, args, optional } => {
                if let ExprKind::Var(prefix) = &base.kind
                    && self.is_import(&prefix.text)
                {
                    return self.package_call(prefix, name, args, span);
                }
                let base_ty = self.infer(base);
                self.method_call(&base_ty, name, args, *optional, base.span, span)
            }
            ExprKind::Index { base, index } => {
                let base_ty = self.infer(base);
                match base_ty.clone() {
                    Ty::List(elem) => {
                        self.check_against(index, &Ty::Int, "a list index");
                        Ty::optional(*elem)
                    }
                    Ty::Map(key, value) => {
                        self.check_against(index, &key, "a map key");
                        Ty::optional(*value)
                    }
                    Ty::Any | Ty::Error => {
                        self.infer(index);
                        base_ty
                    }
                    Ty::Optional(_) => {
                        self.infer(index);
                        self.optional_misuse(base.span, &base_ty, "indexed");
                        Ty::Error
                    }
                    other => {
                        self.infer(index);
                        self.error(
                            Code::InvalidOperands,
                            base.span,
                            format!("`{other}` cannot be indexed"),
                            format!("this is `{other}`"),
                        )
                        .help = Some("only lists (`xs[0]`) and maps (`m[\"key\"]`) can be indexed".into());
                        Ty::Error
                    }
                }
            }
            ExprKind::Unary { op: UnaryOp::Not, operand } => {
                self.check_against(operand, &Ty::Bool, "the operand of `not`");
                Ty::Bool
            }
            ExprKind::Unary { op: UnaryOp::Neg, operand } => {
                let ty = self.infer(operand);
                match ty {
                    Ty::Int | Ty::Float | Ty::Duration | Ty::Error | Ty::Any => ty,
                    other => {
                        self.error(
                            Code::InvalidOperands,
                            operand.span,
                            format!("cannot negate `{other}`"),
                            format!("this is `{other}`"),
                        );
                        Ty::Error
                    }
                }
            }
            ExprKind::Binary { op, op_span, lhs, rhs } => self.infer_binary(*op, *op_span, lhs, rhs),
            ExprKind::If { cond, then, otherwise } => {
                self.check_condition(cond, "the condition of `if`");
                let a = self.infer(then);
                let b = self.infer(otherwise);
                self.unify(&a, &b).unwrap_or_else(|| {
                    self.error(
                        Code::TypeMismatch,
                        otherwise.span,
                        format!("`if` branches differ: `then` is `{a}`, `else` is `{b}`"),
                        format!("this is `{b}`"),
                    );
                    Ty::Error
                })
            }
            ExprKind::Lambda { .. } => {
                self.error(Code::MisplacedLambda, span, "a lambda can only be a method argument", "not allowed here")
                    .help = Some("use it inside a list method, e.g. `xs.filter(x => x > 1)`".into());
                Ty::Error
            }
            ExprKind::Labelled { label, value } => {
                self.error(
                    Code::ArgumentLabel,
                    label.span,
                    format!("`{}:` labels an argument, and only a function's arguments take labels", label.text),
                    "no label expected here",
                )
                .help = Some("remove the label".into());
                self.infer(value)
            }
        }
    }

    /// The common type of two values, if one fits the other.
    fn unify(&self, a: &Ty, b: &Ty) -> Option<Ty> {
        if a.is_error() || b.is_error() {
            return Some(Ty::Error);
        }
        if matches!(a, Ty::NoneLit) {
            return Some(Ty::optional(b.clone()));
        }
        if matches!(b, Ty::NoneLit) {
            return Some(Ty::optional(a.clone()));
        }
        if a.fits(b) {
            Some(b.clone())
        } else if b.fits(a) {
            Some(a.clone())
        } else if a.is_stringish() && b.is_stringish() {
            Some(Ty::String)
        } else {
            None
        }
    }

    fn infer_list(&mut self, items: &[Expr], _span: Span) -> Ty {
        let mut elem: Option<Ty> = None;
        for item in items {
            let ty = self.infer(item);
            elem = Some(match elem {
                None => ty,
                Some(prev) => match self.unify(&prev, &ty) {
                    Some(t) => t,
                    None => {
                        self.error(
                            Code::TypeMismatch,
                            item.span,
                            format!("list elements must share a type: expected `{prev}`, found `{ty}`"),
                            format!("this is `{ty}`"),
                        );
                        prev
                    }
                },
            });
        }
        Ty::list(elem.unwrap_or(Ty::Error))
    }

    fn infer_var(&mut self, name: &Name) -> Ty {
        if let Some(ty) = self.lookup_binding(name) {
            return ty;
        }
        if let Some(member) = self.env.member(&self.ctx.package, &name.text) {
            match &member.kind {
                MemberKind::Const(ty) => {
                    let resolution = Resolution::Const { package: self.ctx.package.clone(), name: name.text.clone() };
                    self.resolutions.insert(name.span, resolution);
                    self.note_member(name, &self.ctx.package.clone());
                    return ty.clone();
                }
                other => {
                    let what = other.describe();
                    self.error(
                        Code::UnknownName,
                        name.span,
                        format!("`{}` is a {what}, not a value", name.text),
                        "not a value",
                    );
                    return Ty::Error;
                }
            }
        }
        if self.ctx.imports.contains_key(&name.text) {
            self.note_import(name);
            self.error(
                Code::UnknownName,
                name.span,
                format!("`{}` is a package, not a value", name.text),
                "a package",
            )
            .help = Some(format!("use one of its members, e.g. `{}.<name>`", name.text));
            return Ty::Error;
        }
        let mut candidates: Vec<String> = self.scopes.iter().map(|b| b.name.clone()).collect();
        candidates.extend(self.package_members(&self.ctx.package.clone(), |k| matches!(k, MemberKind::Const(_))));
        let help = did_you_mean(&name.text, candidates.iter().map(String::as_str));
        let d = self.error(
            Code::UnknownName,
            name.span,
            format!("unknown name `{}`", name.text),
            "not found in this scope",
        );
        d.help = help;
        Ty::Error
    }

    /// Marks the import `alias` used, and records what it names.
    pub fn note_import(&mut self, alias: &Name) {
        self.used_imports.insert(alias.text.clone());
        if let Some(package) = self.ctx.imports.get(&alias.text) {
            self.refs.push((alias.span, Target::Package(package.clone())));
        }
    }

    /// Records that `name` refers to a member of `package`.
    pub fn note_member(&mut self, name: &Name, package: &str) {
        self.refs.push((name.span, Target::Member { package: package.to_owned(), name: name.text.clone() }));
    }

    fn package_members(&self, package: &str, keep: impl Fn(&MemberKind) -> bool) -> Vec<String> {
        self.env.member_names(package, keep).into_iter().map(str::to_owned).collect()
    }

    /// `net.world`: a constant of an imported package.
    fn package_const(&mut self, prefix: &Name, name: &Name, span: Span) -> Ty {
        self.note_import(prefix);
        let package = self.ctx.imports[&prefix.text].clone();
        if !self.env.packages.contains_key(&package) {
            // The `use` is already reported as unknown; one diagnostic is enough.

            return Ty::Error;
        }
        match self.env.member(&package, &name.text).map(|m| m.kind.clone()) {
            Some(MemberKind::Const(ty)) => {
                self.note_member(name, &package);
                self.resolutions.insert(span, Resolution::Const { package, name: name.text.clone() });
                ty
            }
            Some(MemberKind::Fn(_)) => {
                self.error(
                    Code::UnknownName,
                    name.span,
                    format!("`{}.{}` is a function", prefix.text, name.text),
                    "a function",
                )
                .help = Some(format!("call it: `{}.{}(..)`", prefix.text, name.text));
                Ty::Error
            }
            Some(other) => {
                let what = other.describe();
                self.error(
                    Code::UnknownName,
                    name.span,
                    format!("`{}.{}` is a {what}, not a value", prefix.text, name.text),
                    "not a value",
                );
                Ty::Error
            }
            None => {
                let candidates =
                    self.package_members(&package, |k| matches!(k, MemberKind::Const(_) | MemberKind::Fn(_)));
                let help = did_you_mean(&name.text, candidates.iter().map(String::as_str));
                let d = self.error(
                    Code::UnknownName,
                    name.span,
                    format!("package `{package}` has no member `{}`", name.text),
                    "not declared there",
                );
                d.help = help;
                Ty::Error
            }
        }
    }

    /// `net.sg_allows(..)`: a function of an imported package.
    fn package_call(&mut self, prefix: &Name, name: &Name, args: &[Expr], span: Span) -> Ty {
        self.note_import(prefix);
        let package = self.ctx.imports[&prefix.text].clone();
        if !self.env.packages.contains_key(&package) {
            // The `use` is already reported as unknown; one diagnostic is enough.
            self.infer_all(args);
            return Ty::Error;
        }
        match self.env.member(&package, &name.text).map(|m| m.kind.clone()) {
            Some(MemberKind::Fn(sig)) => {
                self.note_member(name, &package);
                self.calls.insert(format!("{package}.{}", name.text));
                let resolution =
                    Resolution::Function { package: package.clone(), name: name.text.clone(), native: sig.native };
                self.resolutions.insert(span, resolution);
                self.apply(&format!("{}.{}", prefix.text, name.text), &sig, args, span)
            }
            Some(other) => {
                let what = other.describe();
                self.error(
                    Code::UnknownFunction,
                    name.span,
                    format!("`{}.{}` is a {what}, not a function", prefix.text, name.text),
                    "not callable",
                );
                self.infer_all(args);
                Ty::Error
            }
            None => {
                let candidates = self.package_members(&package, |k| matches!(k, MemberKind::Fn(_)));
                let help = did_you_mean(&name.text, candidates.iter().map(String::as_str));
                let d = self.error(
                    Code::UnknownFunction,
                    name.span,
                    format!("package `{package}` has no function `{}`", name.text),
                    "not declared there",
                );
                d.help = help;
                self.infer_all(args);
                Ty::Error
            }
        }
    }

    fn infer_all(&mut self, args: &[Expr]) {
        for a in args {
            if !matches!(a.kind, ExprKind::Lambda { .. }) {
                self.infer(a);
            }
        }
    }

    fn infer_call(&mut self, callee: &Name, args: &[Expr], span: Span) -> Ty {
        match callee.text.as_str() {
            "path" | "reaches" => return self.infer_path(callee, args, span),
            "now" => {
                self.resolutions.insert(span, Resolution::Builtin("now"));
                self.arity(span, "now", args.len(), 0, 0);
                self.infer_all(args);
                return Ty::Time;
            }
            "ip" | "cidr" | "time" => {
                self.arity(span, &callee.text, args.len(), 1, 1);
                let (ty, builtin) = match callee.text.as_str() {
                    "ip" => (Ty::Ip, "ip"),
                    "cidr" => (Ty::Cidr, "cidr"),
                    _ => (Ty::Time, "time"),
                };
                self.resolutions.insert(span, Resolution::Builtin(builtin));
                if let Some(arg) = args.first() {
                    self.record(arg.span, Ty::String);
                    match &arg.kind {
                        ExprKind::Str(text) => {
                            let (result, code) = match callee.text.as_str() {
                                "ip" => (literals::ip(text).map(|_| ()), Code::InvalidIp),
                                "cidr" => (literals::cidr(text).map(|_| ()), Code::InvalidCidr),
                                _ => (literals::time(text).map(|_| ()), Code::InvalidTime),
                            };
                            if let Err(e) = result {
                                let d = self.error(code, arg.span, e.message, "invalid literal");
                                d.help = e.help;
                                return Ty::Error;
                            }
                        }
                        _ => {
                            self.infer(arg);
                            self.error(Code::LiteralRequired, arg.span, format!("`{}(..)` takes a string literal", callee.text), "not a literal")
                                .help = Some("literals are validated when the rule compiles; build values from snapshot fields instead".into());
                        }
                    }
                }
                return ty;
            }
            _ => {}
        }
        match self.env.member(&self.ctx.package, &callee.text).map(|m| m.kind.clone()) {
            Some(MemberKind::Fn(sig)) => {
                self.note_member(callee, &self.ctx.package.clone());
                self.calls.insert(format!("{}.{}", self.ctx.package, callee.text));
                let resolution = Resolution::Function {
                    package: self.ctx.package.clone(),
                    name: callee.text.clone(),
                    native: sig.native,
                };
                self.resolutions.insert(span, resolution);
                self.apply(&callee.text, &sig, args, span)
            }
            Some(other) => {
                let what = other.describe();
                self.error(
                    Code::UnknownFunction,
                    callee.span,
                    format!("`{}` is a {what}, not a function", callee.text),
                    "not callable",
                );
                self.infer_all(args);
                Ty::Error
            }
            None => {
                let mut candidates: Vec<String> = BUILTIN_FUNCTIONS.iter().map(|b| b.name.to_owned()).collect();
                candidates.extend(self.package_members(&self.ctx.package.clone(), |k| matches!(k, MemberKind::Fn(_))));
                let help = did_you_mean(&callee.text, candidates.iter().map(String::as_str));
                let d = self.error(
                    Code::UnknownFunction,
                    callee.span,
                    format!("unknown function `{}`", callee.text),
                    "not declared",
                );
                d.help = help;
                self.infer_all(args);
                Ty::Error
            }
        }
    }

    /// The value of an argument for parameter `param`: a label, if written, must name it.
    fn unlabel<'e>(&mut self, arg: &'e Expr, param: &str) -> &'e Expr {
        let ExprKind::Labelled { label, value } = &arg.kind else { return arg };
        if label.text != param {
            self.error(
                Code::ArgumentLabel,
                label.span,
                format!("this argument is `{param}`, not `{}`", label.text),
                "wrong label",
            )
            .help = Some(format!("write `{param}: ..` or leave the label out"));
        }
        value
    }

    /// `path(from, to, via: [edges])` and `reaches(..)`: graph searches over declared edges.
    fn infer_path(&mut self, callee: &Name, args: &[Expr], span: Span) -> Ty {
        let reaches = callee.text == "reaches";
        let result = if reaches { Ty::Bool } else { Ty::optional(Ty::Named(PATH_TYPE.into())) };
        self.resolutions.insert(span, Resolution::Builtin(if reaches { "reaches" } else { "path" }));
        if !self.arity(span, &callee.text, args.len(), 3, 3) {
            if let Some(d) = self.diagnostics.last_mut() {
                d.help = Some(format!("the signature is `{}(from, to, via: [edges])`", callee.text));
            }
            self.infer_all(args);
            return result;
        }
        let from = self.unlabel(&args[0], "from");
        if matches!(&from.kind, ExprKind::Var(n) if n.text == "Internet")
            && !self.scopes.iter().any(|b| b.name == "Internet")
        {
            self.resolutions.insert(from.span, Resolution::Builtin("Internet"));
            self.record(from.span, Ty::Internet);
        } else {
            let ty = self.infer(from);
            self.require_node(from.span, &ty, "the start of a path");
        }
        let to = self.unlabel(&args[1], "to");
        let ty = self.infer(to);
        self.require_node(to.span, &ty, "the end of a path");
        let via = self.unlabel(&args[2], "via");
        match &via.kind {
            ExprKind::List(items) => items.iter().for_each(|item| self.resolve_edge(item)),
            _ => {
                self.infer(via);
                self.error(
                    Code::UnknownEdge,
                    via.span,
                    "`via` lists the edges a path may use",
                    "not a list of edges",
                )
                .help = Some("write the edge names in a list: `via: [exposes, assumes]`".into());
            }
        }
        result
    }

    /// A path endpoint is an asset (or a union of assets).
    fn require_node(&mut self, span: Span, ty: &Ty, what: &str) {
        let ok = match ty {
            Ty::Error | Ty::Any => true,
            Ty::Named(id) => self.env.is_asset(id),
            Ty::Union(members) => members.iter().all(|m| matches!(m, Ty::Named(id) if self.env.is_asset(id))),
            _ => false,
        };
        if !ok {
            self.error(
                Code::TypeMismatch,
                span,
                format!("{what} must be an asset or `Internet`, found `{ty}`"),
                format!("this is `{ty}`"),
            );
        }
    }

    /// One entry of `via`: an edge of this package (`exposes`) or of an import (`paths.exposes`).
    fn resolve_edge(&mut self, item: &Expr) {
        let (package, name) = match &item.kind {
            ExprKind::Var(name) => (self.ctx.package.clone(), name),
            ExprKind::Field { base, name, optional: false } => match &base.kind {
                ExprKind::Var(prefix) if self.is_import(&prefix.text) => {
                    self.note_import(prefix);
                    (self.ctx.imports[&prefix.text].clone(), name)
                }
                _ => return self.not_an_edge(item, None),
            },
            _ => return self.not_an_edge(item, None),
        };
        match self.env.member(&package, &name.text).map(|m| &m.kind) {
            Some(MemberKind::Edge { .. }) => {
                let name = name.clone();
                self.note_member(&name, &package);
                self.resolutions.insert(item.span, Resolution::Edge { package, name: name.text.clone() });
            }
            _ => {
                let edges = self.package_members(&package, |k| matches!(k, MemberKind::Edge { .. }));
                let help = did_you_mean(&name.text, edges.iter().map(String::as_str));
                self.not_an_edge(item, help);
            }
        }
    }

    fn not_an_edge(&mut self, item: &Expr, help: Option<String>) {
        let message = match &item.kind {
            ExprKind::Var(name) => format!("`{}` is not a declared edge", name.text),
            _ => "`via` lists edge names".to_owned(),
        };
        let d = self.error(Code::UnknownEdge, item.span, message, "expected an edge name");
        d.help = help.or_else(|| Some("name an `edge` item: `exposes`, or `pack.exposes` for an imported one".into()));
    }

    fn arity(&mut self, span: Span, name: &str, given: usize, min: usize, max: usize) -> bool {
        if given >= min && given <= max {
            return true;
        }
        let expected = if min == max { format!("{min}") } else { format!("{min} to {max}") };
        let plural = if max == 1 && min == 1 { "argument" } else { "arguments" };
        self.error(
            Code::WrongArity,
            span,
            format!("`{name}` takes {expected} {plural}, {given} given"),
            format!("{given} given"),
        );
        false
    }

    /// Checks a call of a declared function against its signature.
    fn apply(&mut self, shown: &str, sig: &FnSig, args: &[Expr], span: Span) -> Ty {
        if !self.arity(span, shown, args.len(), sig.required_params(), sig.params.len())
            && let Some(d) = self.diagnostics.last_mut()
        {
            d.help = Some(format!("the signature is `{}`", sig.label(shown)));
        }
        for (arg, param) in args.iter().zip(&sig.params) {
            let arg = self.unlabel(arg, &param.name);
            self.check_against(arg, &param.ty, &format!("argument `{}`", param.name));
        }
        for arg in args.iter().skip(sig.params.len()) {
            self.infer(arg);
        }
        sig.ret.clone()
    }

    fn optional_misuse(&mut self, span: Span, ty: &Ty, action: &str) {
        self.error(
            Code::OptionalAsValue,
            span,
            format!("`{ty}` may be none and cannot be {action} directly"),
            format!("this is `{ty}`"),
        )
        .help = Some("use `?.` to propagate none, or `?? <default>` to supply a value".into());
    }

    fn field_access(&mut self, base: &Ty, name: &Name, optional: bool, base_span: Span) -> Ty {
        let (inner, was_optional) = match base {
            Ty::Optional(inner) => (inner.as_ref().clone(), true),
            other => (other.clone(), false),
        };
        if was_optional && !optional {
            self.optional_misuse(base_span, base, &format!("accessed (`.{}`)", name.text));
            return Ty::Error;
        }
        if optional && !was_optional && !inner.is_unknown() {
            self.needless_optional(name.span);
        }
        let field_ty = match &inner {
            Ty::Error | Ty::Any => return inner,
            Ty::Ref(ids) => {
                let targets = Ty::union(ids.iter().map(|id| Ty::Named(id.clone())));
                let reachable = self.env.fields_of(&targets).is_some_and(|f| f.iter().any(|(n, _)| *n == name.text));
                let help = if reachable {
                    format!("follow it first: `.deref()?.{}`", name.text)
                } else {
                    format!(
                        "a reference holds an id; `.deref()` gives the `{targets}` it names, which has no field `{}`",
                        name.text
                    )
                };
                self.error(
                    Code::NoFields,
                    name.span,
                    format!("a reference has no field `{}`", name.text),
                    "a reference is an id",
                )
                .help = Some(help);
                return Ty::Error;
            }
            ty => match self.env.fields_of(ty) {
                Some(fields) => match fields.iter().find(|(n, _)| *n == name.text) {
                    Some((_, t)) => {
                        self.refs.push((name.span, Target::Field { owner: ty.clone(), field: name.text.clone() }));
                        t.clone()
                    }
                    None => {
                        let help = did_you_mean(&name.text, fields.iter().map(|(n, _)| n.as_str()));
                        let d = self.error(
                            Code::UnknownField,
                            name.span,
                            format!("no field `{}` on `{ty}`", name.text),
                            "unknown field",
                        );
                        d.help = help;
                        return Ty::Error;
                    }
                },
                None => {
                    let d = self.error(
                        Code::NoFields,
                        name.span,
                        format!("`{ty}` has no fields"),
                        format!("`.{}` on a `{ty}`", name.text),
                    );
                    if methods::lookup(ty, &name.text).is_some() {
                        d.help = Some(format!("`{}` is a method: call it as `.{}()`", name.text, name.text));
                    } else if matches!(ty, Ty::Map(..)) {
                        d.help = Some(format!(
                            "look a key up with `[\"{}\"]` (gives an optional) or `.get(\"{}\")`",
                            name.text, name.text
                        ));
                    }
                    return Ty::Error;
                }
            },
        };
        if was_optional { Ty::optional(field_ty) } else { field_ty }
    }

    fn needless_optional(&mut self, span: Span) {
        self.report(
            Diagnostic::new(Code::NeedlessOptional, self.file, span, "`?.` on a value that is never none")
                .with_label("never none")
                .with_help("use `.` instead"),
        );
    }

    fn method_call(
        &mut self,
        base: &Ty,
        name: &Name,
        args: &[Expr],
        optional: bool,
        base_span: Span,
        span: Span,
    ) -> Ty {
        let (recv, was_optional) = match base {
            Ty::Optional(inner) => (inner.as_ref().clone(), true),
            other => (other.clone(), false),
        };
        if was_optional && !optional {
            self.optional_misuse(base_span, base, &format!("used with `.{}()`", name.text));
            self.infer_all(args);
            return Ty::Error;
        }
        if optional && !was_optional && !recv.is_unknown() {
            self.needless_optional(name.span);
        }
        if recv.is_unknown() {
            self.infer_all(args);
            return recv;
        }
        let Some(sig) = methods::lookup(&recv, &name.text) else {
            let names = methods::names_for(&recv);
            let fields = self.env.fields_of(&recv).unwrap_or_default();
            let d = self.error(
                Code::UnknownMethod,
                name.span,
                format!("no method `{}` on `{recv}`", name.text),
                "unknown method",
            );
            d.help = if fields.iter().any(|(f, _)| *f == name.text) {
                Some(format!("`{}` is a field: write `.{}` without parentheses", name.text, name.text))
            } else {
                did_you_mean(&name.text, names.iter().copied())
            };
            self.infer_all(args);
            return Ty::Error;
        };
        let result = self.apply_method(&recv, &name.text, &sig, args, span);
        if was_optional { Ty::optional(result) } else { result }
    }

    fn apply_method(&mut self, recv: &Ty, name: &str, sig: &MethodSig, args: &[Expr], span: Span) -> Ty {
        let shown = format!(".{name}");
        if !self.arity(span, &shown, args.len(), sig.params.len(), sig.params.len()) {
            if let Some(d) = self.diagnostics.last_mut() {
                d.help = Some(format!("the signature is `{}`", sig.label(name)));
            }
            self.infer_all(args);
            return sig.ret.clone();
        }
        let mut lambda_result = Ty::Error;
        for (arg, param) in args.iter().zip(&sig.params) {
            match param {
                methods::Param::Value(expected) => {
                    self.check_against(arg, expected, &format!("the argument of `.{name}`"));
                }
                methods::Param::Lambda { input, output } => {
                    lambda_result = self.check_lambda(arg, input, output.as_ref(), name);
                }
            }
        }
        methods::result(sig, recv, &lambda_result)
    }

    /// Checks `x => body` with `x: input`; returns the body type.
    fn check_lambda(&mut self, arg: &Expr, input: &Ty, output: Option<&Ty>, method: &str) -> Ty {
        let ExprKind::Lambda { params, body } = &arg.kind else {
            let ty = self.infer(arg);
            if ty.is_error() {
                return Ty::Error;
            }
            self.error(
                Code::TypeMismatch,
                arg.span,
                format!("`.{method}` takes a lambda such as `x => ..`, found `{ty}`"),
                "not a lambda",
            );
            return Ty::Error;
        };
        if params.len() != 1 {
            self.error(
                Code::WrongArity,
                arg.span,
                format!("the lambda of `.{method}` takes 1 parameter, {} given", params.len()),
                "wrong parameter count",
            );
        }
        let depth = self.scopes.len();
        for p in params {
            self.bind(p, input.clone(), BindingKind::Lambda);
        }
        let ty = match output {
            Some(Ty::Bool) => self.check_condition(body, &format!("the lambda of `.{method}`")),
            Some(expected) => self.check_against(body, expected, &format!("the lambda of `.{method}`")),
            None => self.infer(body),
        };
        self.scopes.truncate(depth);
        ty
    }

    fn infer_binary(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> Ty {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.check_against(lhs, &Ty::Bool, &format!("the left side of `{}`", op.symbol()));
                self.check_against(rhs, &Ty::Bool, &format!("the right side of `{}`", op.symbol()));
                Ty::Bool
            }
            BinaryOp::Coalesce => {
                let left = self.infer(lhs);
                if !left.is_optional() && !left.is_unknown() {
                    self.report(
                        Diagnostic::new(
                            Code::NeedlessOptional,
                            self.file,
                            op_span,
                            format!("`??` on a value that is never none (`{left}`)"),
                        )
                        .with_label("the default is never used")
                        .with_help("remove `?? ..`"),
                    );
                }
                let inner = left.strip_optional().clone();
                let right = self.check_against(rhs, &Ty::optional(inner.clone()), "the default of `??`");
                if right.is_optional() { Ty::optional(inner) } else { inner }
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                if let Some(ty) = self.enum_literal_comparison(lhs, rhs) {
                    return ty;
                }
                let a = self.infer(lhs);
                let b = self.infer(rhs);
                if !a.comparable_eq(&b) {
                    self.incomparable(op, &a, &b, lhs, rhs);
                }
                Ty::Bool
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let a = self.infer(lhs);
                let b = self.infer(rhs);
                if a.is_optional() {
                    self.optional_misuse(lhs.span, &a, "compared");
                } else if b.is_optional() {
                    self.optional_misuse(rhs.span, &b, "compared");
                } else if !a.comparable_ord(&b) {
                    self.incomparable(op, &a, &b, lhs, rhs);
                }
                Ty::Bool
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let container = self.infer(rhs);
                match container.clone() {
                    Ty::List(elem) if *elem == Ty::Cidr => {
                        let item = self.infer(lhs);
                        if !item.fits(&Ty::Ip) && !item.fits(&Ty::Cidr) {
                            self.incomparable(op, &item, &container, lhs, rhs);
                        }
                    }
                    Ty::List(elem) | Ty::Map(elem, _) => {
                        if let (ExprKind::Str(value), Some(allowed)) = (&lhs.kind, enum_values(&elem)) {
                            self.record(lhs.span, Ty::String);
                            if !allowed.contains(value) {
                                self.not_in_enum(lhs.span, value, allowed);
                            }
                        } else {
                            let item = self.infer(lhs);
                            if !item.comparable_eq(&elem) {
                                self.incomparable(op, &item, &container, lhs, rhs);
                            }
                        }
                    }
                    Ty::Cidr => {
                        self.check_against(lhs, &Ty::Ip, &format!("the left side of `{}` a CIDR range", op.symbol()));
                    }
                    Ty::Error | Ty::Any => {
                        self.infer(lhs);
                    }
                    Ty::Optional(_) => {
                        self.infer(lhs);
                        self.optional_misuse(rhs.span, &container, "searched");
                    }
                    other => {
                        self.infer(lhs);
                        self.error(
                            Code::InvalidOperands,
                            rhs.span,
                            format!(
                                "`{}` needs a list, a map or a CIDR range on the right, found `{other}`",
                                op.symbol()
                            ),
                            format!("this is `{other}`"),
                        )
                        .help =
                            if other.is_stringish() { Some("for substrings use `.contains(..)`".into()) } else { None };
                    }
                }
                Ty::Bool
            }
            BinaryOp::Matches => {
                let a = self.infer(lhs);
                self.string_operand(&a, lhs.span, "matches");
                let b = self.infer(rhs);
                if !b.fits(&Ty::Regex) {
                    self.error(
                        Code::TypeMismatch,
                        rhs.span,
                        format!("`matches` takes a regex literal such as `/AKID.*/`, found `{b}`"),
                        format!("this is `{b}`"),
                    )
                    .help = if b.is_stringish() {
                        Some("for glob patterns such as `\"cos:Get*\"` use `like`".into())
                    } else {
                        None
                    };
                }
                Ty::Bool
            }
            BinaryOp::Like => {
                let a = self.infer(lhs);
                self.string_operand(&a, lhs.span, "like");
                let b = self.infer(rhs);
                self.string_operand(&b, rhs.span, "like");
                Ty::Bool
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                let a = self.infer(lhs);
                let b = self.infer(rhs);
                self.arithmetic(op, &a, &b, lhs, rhs)
            }
        }
    }

    fn string_operand(&mut self, ty: &Ty, span: Span, op: &str) {
        if ty.is_optional() {
            self.optional_misuse(span, ty, &format!("used with `{op}`"));
        } else if !ty.is_stringish() && !ty.is_unknown() {
            self.error(
                Code::TypeMismatch,
                span,
                format!("`{op}` works on strings, found `{ty}`"),
                format!("this is `{ty}`"),
            );
        }
    }

    /// `x.protocol == "tcpp"`: a literal compared with an enum must be one of its values.
    fn enum_literal_comparison(&mut self, lhs: &Expr, rhs: &Expr) -> Option<Ty> {
        let (literal, other) = match (&lhs.kind, &rhs.kind) {
            (ExprKind::Str(_), _) => (lhs, rhs),
            (_, ExprKind::Str(_)) => (rhs, lhs),
            _ => return None,
        };
        let ExprKind::Str(value) = &literal.kind else { return None };
        let other_ty = self.infer(other);
        self.record(literal.span, Ty::String);
        match enum_values(other_ty.strip_optional()) {
            Some(allowed) => {
                if !allowed.contains(value) {
                    self.not_in_enum(literal.span, value, allowed);
                }
            }
            None => {
                if !Ty::String.comparable_eq(&other_ty) {
                    let (a, b) =
                        if std::ptr::eq(literal, lhs) { (Ty::String, other_ty) } else { (other_ty, Ty::String) };
                    self.incomparable(BinaryOp::Eq, &a, &b, lhs, rhs);
                }
            }
        }
        Some(Ty::Bool)
    }

    fn incomparable(&mut self, op: BinaryOp, a: &Ty, b: &Ty, lhs: &Expr, rhs: &Expr) {
        let mut d = Diagnostic::new(
            Code::IncomparableTypes,
            self.file,
            lhs.span.cover(rhs.span),
            format!("cannot compare `{a}` with `{b}` using `{}`", op.symbol()),
        )
        .with_label(format!("`{a}` {} `{b}`", op.symbol()));
        if (a.is_numeric() && b.is_stringish()) || (b.is_numeric() && a.is_stringish()) {
            d = d.with_help("numbers and strings are never equal: quote the number or drop the quotes");
        } else if matches!((a, b), (Ty::Time, Ty::Duration) | (Ty::Duration, Ty::Time)) {
            d = d.with_help("compare an age instead: `now() - t > 90d`");
        }
        self.report(d);
    }

    fn arithmetic(&mut self, op: BinaryOp, a: &Ty, b: &Ty, lhs: &Expr, rhs: &Expr) -> Ty {
        use BinaryOp::*;
        use Ty::*;
        if a.is_unknown() || b.is_unknown() {
            return if a.is_unknown() { a.clone() } else { b.clone() };
        }
        if a.is_optional() {
            self.optional_misuse(lhs.span, a, &format!("used with `{}`", op.symbol()));
            return Ty::Error;
        }
        if b.is_optional() {
            self.optional_misuse(rhs.span, b, &format!("used with `{}`", op.symbol()));
            return Ty::Error;
        }
        let result = match (op, a, b) {
            (_, Int, Int) => Some(Int),
            (Add | Sub | Mul | Div, Int | Float, Int | Float) => Some(Float),
            (Add, x, y) if x.is_stringish() && y.is_stringish() => Some(String),
            (Add | Sub, Duration, Duration) => Some(Duration),
            (Add | Sub, Time, Duration) | (Add, Duration, Time) => Some(Time),
            (Sub, Time, Time) => Some(Duration),
            (Mul, Duration, Int) | (Mul, Int, Duration) | (Div, Duration, Int) => Some(Duration),
            (Add, List(x), List(y)) => self.unify(x, y).map(Ty::list),
            _ => None,
        };
        result.unwrap_or_else(|| {
            self.report(
                Diagnostic::new(
                    Code::InvalidOperands,
                    self.file,
                    lhs.span.cover(rhs.span),
                    format!("cannot apply `{}` to `{a}` and `{b}`", op.symbol()),
                )
                .with_label(format!("`{a}` {} `{b}`", op.symbol())),
            );
            Ty::Error
        })
    }
}

/// The allowed values when `ty` is a string enum.
fn enum_values(ty: &Ty) -> Option<&BTreeSet<String>> {
    match ty {
        Ty::Enum(values) => Some(values),
        _ => None,
    }
}
