//! The executable form of plan expressions: literals parsed once (regexes compiled once per
//! plan), natives and methods resolved to enums, so the interpreter never parses or looks a
//! name up.

use std::collections::HashMap;
use std::sync::Arc;

use crate::plan::{self, BinaryOp, Expr, Literal, UnaryOp};
use crate::value::{ArcStr, Value, duration_from_seconds, parse_time};

#[derive(Debug)]
pub(crate) enum X {
    Value(Value),
    Local(u32),
    Const(u32),
    List(Vec<X>),
    Record(Vec<(ArcStr, X)>),
    Field {
        base: Box<X>,
        name: Arc<str>,
        index: Option<u32>,
    },
    Index {
        base: Box<X>,
        index: Box<X>,
    },
    Call {
        function: u32,
        args: Vec<X>,
    },
    Native {
        native: Native,
        args: Vec<X>,
    },
    Method {
        method: Method,
        receiver: Box<X>,
        args: Vec<X>,
    },
    Lambda {
        slot: u32,
        body: Box<X>,
    },
    Deref {
        reference: Box<X>,
        types: Vec<crate::plan::TypeIdx>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<X>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<X>,
        rhs: Box<X>,
    },
    If {
        cond: Box<X>,
        then: Box<X>,
        otherwise: Box<X>,
    },
    /// A graph search; `from: None` is the `Internet` node, `via` holds edge indices.
    Path {
        from: Option<Box<X>>,
        to: Box<X>,
        via: Vec<u16>,
        reaches: bool,
    },
    Now,
}

/// The `native fn`s of the standard library this runtime implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Native {
    IsPrivate,
    SgAllows,
    ExposedPorts,
    ExposedPortCount,
    ReachableFromInternet,
    IamAllows,
    EffectivePolicies,
    IsAdmin,
    GrantsAny,
    UnusedActions,
    IsInternal,
    InstancesWithIp,
    NetworksContaining,
    CallsOf,
    IsCallTo,
    FirstSeenFrom,
    LoginsOf,
    FirstLoginFrom,
    LeakReportsOf,
    AccessKey,
    KeysOf,
    KeyPolicies,
    CanWriteBucket,
    MayWriteStorage,
    AllowsAnyPrincipal,
    RefusesPlainHttp,
    TrailsOf,
    RecommendedPolicy,
}

impl Native {
    pub(crate) fn from_name(name: &str) -> Option<Native> {
        Some(match name {
            "std.net.is_private" => Native::IsPrivate,
            "std.net.sg_allows" => Native::SgAllows,
            "std.net.exposed_ports" => Native::ExposedPorts,
            "std.net.exposed_port_count" => Native::ExposedPortCount,
            "std.net.reachable_from_internet" => Native::ReachableFromInternet,
            "std.iam.allows" => Native::IamAllows,
            "std.iam.effective_policies" => Native::EffectivePolicies,
            "std.iam.is_admin" => Native::IsAdmin,
            "std.iam.grants_any" => Native::GrantsAny,
            "std.iam.unused_actions" => Native::UnusedActions,
            "std.net.is_internal" => Native::IsInternal,
            "std.net.instances_with_ip" => Native::InstancesWithIp,
            "std.net.networks_containing" => Native::NetworksContaining,
            "std.events.calls_of" => Native::CallsOf,
            "std.events.is_call_to" => Native::IsCallTo,
            "std.events.first_seen_from" => Native::FirstSeenFrom,
            "std.events.logins_of" => Native::LoginsOf,
            "std.events.first_login_from" => Native::FirstLoginFrom,
            "std.events.leak_reports_of" => Native::LeakReportsOf,
            "std.events.access_key" => Native::AccessKey,
            "std.iam.keys_of" => Native::KeysOf,
            "std.iam.key_policies" => Native::KeyPolicies,
            "std.iam.can_write_bucket" => Native::CanWriteBucket,
            "std.iam.may_write_storage" => Native::MayWriteStorage,
            "std.iam.allows_any_principal" => Native::AllowsAnyPrincipal,
            "std.iam.refuses_plain_http" => Native::RefusesPlainHttp,
            "std.logging.trails_of" => Native::TrailsOf,
            "std.iam.recommended_policy" => Native::RecommendedPolicy,
            _ => return None,
        })
    }
}

/// The built-in methods (compiler: `semantic/methods.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Len,
    IsEmpty,
    Any,
    All,
    Filter,
    Map,
    FlatMap,
    Count,
    Sum,
    Min,
    Max,
    Contains,
    First,
    Take,
    Distinct,
    Sort,
    Keys,
    Values,
    ContainsKey,
    Get,
    Lower,
    Upper,
    Trim,
    StartsWith,
    EndsWith,
    Split,
    PrefixLen,
    IsIpv4,
    Days,
    Hours,
    Minutes,
    Seconds,
}

impl Method {
    fn from_name(name: &str) -> Option<Method> {
        use Method::*;
        Some(match name {
            "len" => Len,
            "is_empty" => IsEmpty,
            "any" => Any,
            "all" => All,
            "filter" => Filter,
            "map" => Map,
            "flat_map" => FlatMap,
            "count" => Count,
            "sum" => Sum,
            "min" => Min,
            "max" => Max,
            "contains" => Contains,
            "first" => First,
            "take" => Take,
            "distinct" => Distinct,
            "sort" => Sort,
            "keys" => Keys,
            "values" => Values,
            "contains_key" => ContainsKey,
            "get" => Get,
            "lower" => Lower,
            "upper" => Upper,
            "trim" => Trim,
            "starts_with" => StartsWith,
            "ends_with" => EndsWith,
            "split" => Split,
            "prefix_len" => PrefixLen,
            "is_ipv4" => IsIpv4,
            "days" => Days,
            "hours" => Hours,
            "minutes" => Minutes,
            "seconds" => Seconds,
            _ => return None,
        })
    }
}

/// Why a plan cannot be prepared: it was made by an incompatible compiler or edited.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrepareError {
    #[error("the plan calls native function `{0}`, which this runtime does not implement")]
    UnknownNative(String),
    #[error("the plan calls method `{0}`, which this runtime does not implement")]
    UnknownMethod(String),
    #[error("the plan holds an invalid {kind} literal `{text}`")]
    BadLiteral { kind: &'static str, text: String },
    #[error("the plan searches paths over edge `{0}`, which it does not declare")]
    UnknownEdge(String),
}

/// Converts plan expressions, compiling each distinct regex once.
#[derive(Debug, Default)]
pub(crate) struct Preparer {
    regexes: HashMap<(String, String), Arc<regex::Regex>>,
    /// The plan's edge names, in index order, to resolve `via` lists.
    edges: Vec<String>,
}

impl Preparer {
    pub(crate) fn new(plan: &plan::Plan) -> Self {
        Preparer { regexes: HashMap::new(), edges: plan.edges.iter().map(|e| e.name.clone()).collect() }
    }

    pub(crate) fn expr(&mut self, e: &Expr) -> Result<X, PrepareError> {
        Ok(match e {
            Expr::Literal(l) => X::Value(self.literal(l)?),
            Expr::Local(slot) => X::Local(*slot),
            Expr::Const(i) => X::Const(*i),
            Expr::List(items) => X::List(self.all(items)?),
            Expr::Record(entries) => X::Record(
                entries.iter().map(|(k, v)| Ok((ArcStr::from(k.as_str()), self.expr(v)?))).collect::<Result<_, _>>()?,
            ),
            Expr::Field { base, name, index, optional: _ } => {
                X::Field { base: Box::new(self.expr(base)?), name: Arc::from(name.as_str()), index: *index }
            }
            Expr::Index { base, index } => {
                X::Index { base: Box::new(self.expr(base)?), index: Box::new(self.expr(index)?) }
            }
            Expr::Call { function, args } => X::Call { function: *function, args: self.all(args)? },
            Expr::Native { name, args } => X::Native {
                native: Native::from_name(name).ok_or_else(|| PrepareError::UnknownNative(name.clone()))?,
                args: self.all(args)?,
            },
            Expr::Method { name, receiver, args, optional: _ } => X::Method {
                method: Method::from_name(name).ok_or_else(|| PrepareError::UnknownMethod(name.clone()))?,
                receiver: Box::new(self.expr(receiver)?),
                args: self.all(args)?,
            },
            Expr::Lambda { slot, body } => X::Lambda { slot: *slot, body: Box::new(self.expr(body)?) },
            Expr::Deref { reference, types } => {
                X::Deref { reference: Box::new(self.expr(reference)?), types: types.clone() }
            }
            Expr::Unary { op, operand } => X::Unary { op: *op, operand: Box::new(self.expr(operand)?) },
            Expr::Binary { op, lhs, rhs } => {
                X::Binary { op: *op, lhs: Box::new(self.expr(lhs)?), rhs: Box::new(self.expr(rhs)?) }
            }
            Expr::If { cond, then, otherwise } => X::If {
                cond: Box::new(self.expr(cond)?),
                then: Box::new(self.expr(then)?),
                otherwise: Box::new(self.expr(otherwise)?),
            },
            Expr::Path { from, to, via, reaches } => X::Path {
                from: from.as_ref().map(|f| self.expr(f).map(Box::new)).transpose()?,
                to: Box::new(self.expr(to)?),
                via: via
                    .iter()
                    .map(|name| {
                        self.edges
                            .iter()
                            .position(|e| e == name)
                            .and_then(|i| u16::try_from(i).ok())
                            .ok_or_else(|| PrepareError::UnknownEdge(name.clone()))
                    })
                    .collect::<Result<_, _>>()?,
                reaches: *reaches,
            },
            Expr::Now => X::Now,
        })
    }

    pub(crate) fn all(&mut self, exprs: &[Expr]) -> Result<Vec<X>, PrepareError> {
        exprs.iter().map(|e| self.expr(e)).collect()
    }

    pub(crate) fn template(&mut self, parts: &[plan::TemplatePart]) -> Result<Vec<TemplatePart>, PrepareError> {
        parts
            .iter()
            .map(|p| {
                Ok(match p {
                    plan::TemplatePart::Text(t) => TemplatePart::Text(t.clone()),
                    plan::TemplatePart::Hole(e) => TemplatePart::Hole(self.expr(e)?),
                })
            })
            .collect()
    }

    fn literal(&mut self, l: &Literal) -> Result<Value, PrepareError> {
        let bad = |kind: &'static str, text: &str| PrepareError::BadLiteral { kind, text: text.to_owned() };
        Ok(match l {
            Literal::None => Value::None,
            Literal::Bool(b) => Value::Bool(*b),
            Literal::Int(i) => Value::Int(*i),
            Literal::Float(f) => Value::Float(*f),
            Literal::String(s) => Value::str(s),
            Literal::Duration(secs) => {
                Value::Duration(duration_from_seconds(*secs).ok_or_else(|| bad("duration", &secs.to_string()))?)
            }
            Literal::Time(t) => Value::Time(parse_time(t).ok_or_else(|| bad("time", t))?),
            Literal::Ip(t) => Value::from_ip(t.parse().map_err(|_| bad("ip", t))?),
            Literal::Cidr(t) => Value::from_cidr(parse_cidr(t).ok_or_else(|| bad("cidr", t))?),
            Literal::Regex { pattern, flags } => {
                let key = (pattern.clone(), flags.clone());
                if let Some(r) = self.regexes.get(&key) {
                    return Ok(Value::Regex(r.clone()));
                }
                let regex = regex::RegexBuilder::new(pattern)
                    .case_insensitive(flags.contains('i'))
                    .dot_matches_new_line(flags.contains('s'))
                    .multi_line(flags.contains('m'))
                    .ignore_whitespace(flags.contains('x'))
                    .build()
                    .map_err(|_| bad("regex", pattern))?;
                let regex = Arc::new(regex);
                self.regexes.insert(key, regex.clone());
                Value::Regex(regex)
            }
        })
    }
}

/// A CIDR range; a bare address is a single host.
pub(crate) fn parse_cidr(text: &str) -> Option<ipnet::IpNet> {
    text.parse::<ipnet::IpNet>().ok().or_else(|| text.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

#[derive(Debug)]
pub(crate) enum TemplatePart {
    Text(String),
    Hole(X),
}

/// Whether `x` reads local slot `slot`.
pub(crate) fn reads_local(x: &X, slot: u32) -> bool {
    let mut found = false;
    visit(x, &mut |node| found |= matches!(node, X::Local(s) if *s == slot));
    found
}

/// Calls `f` on `x` and every node below it.
pub(crate) fn visit(x: &X, f: &mut impl FnMut(&X)) {
    f(x);
    match x {
        X::List(items) => items.iter().for_each(|i| visit(i, f)),
        X::Record(entries) => entries.iter().for_each(|(_, v)| visit(v, f)),
        X::Field { base, .. } => visit(base, f),
        X::Index { base, index } => {
            visit(base, f);
            visit(index, f);
        }
        X::Call { args, .. } | X::Native { args, .. } => args.iter().for_each(|a| visit(a, f)),
        X::Method { receiver, args, .. } => {
            visit(receiver, f);
            args.iter().for_each(|a| visit(a, f));
        }
        X::Lambda { body, .. } => visit(body, f),
        X::Deref { reference, .. } => visit(reference, f),
        X::Unary { operand, .. } => visit(operand, f),
        X::Binary { lhs, rhs, .. } => {
            visit(lhs, f);
            visit(rhs, f);
        }
        X::If { cond, then, otherwise } => {
            visit(cond, f);
            visit(then, f);
            visit(otherwise, f);
        }
        X::Path { from, to, .. } => {
            if let Some(from) = from {
                visit(from, f);
            }
            visit(to, f);
        }
        X::Value(_) | X::Local(_) | X::Const(_) | X::Now => {}
    }
}
