//! Built-in methods of lists, maps, strings, ranges, durations and references.
//!
//! They are generic over the receiver's element type, so they live here rather than as
//! `native fn` declarations in stdlib-rules. The runtime implements each by name.

use super::signature::SignatureLabel;
use super::ty::Ty;

/// A method parameter: a value, or a lambda over the receiver's elements.
#[derive(Clone, Debug)]
pub enum Param {
    Value(Ty),
    /// `x => ..` with `x: input`; `output` is the required body type, if fixed.
    Lambda {
        input: Ty,
        output: Option<Ty>,
    },
}

/// How the result type is found.
#[derive(Clone, Debug)]
pub enum Ret {
    Fixed(Ty),
    /// `map`: a list of what the lambda returns.
    ListOfLambda,
    /// `flat_map`: what the lambda returns (a list).
    Lambda,
}

#[derive(Clone, Debug)]
pub struct MethodSig {
    pub params: Vec<Param>,
    pub ret: Ty,
    pub ret_kind: Ret,
}

impl MethodSig {
    fn fixed(params: Vec<Param>, ret: Ty) -> Self {
        MethodSig { params, ret: ret.clone(), ret_kind: Ret::Fixed(ret) }
    }

    /// `.filter(x => bool) -> [int]`, for help, completion and signature help.
    pub fn label(&self, name: &str) -> SignatureLabel {
        let params = self.params.iter().map(|p| match p {
            Param::Value(t) => t.to_string(),
            Param::Lambda { input, output: Some(out) } => format!("{input} => {out}"),
            Param::Lambda { input, output: None } => format!("{input} => T"),
        });
        let ret = match self.ret_kind {
            Ret::Fixed(_) => self.ret.to_string(),
            Ret::ListOfLambda => "[T]".to_owned(),
            Ret::Lambda => "[T]".to_owned(),
        };
        SignatureLabel::new(&format!(".{name}"), params, &ret)
    }
}

const LIST: &[&str] = &[
    "len", "is_empty", "any", "all", "filter", "map", "flat_map", "count", "sum", "min", "max", "contains", "first",
    "take", "distinct", "sort",
];
const MAP: &[&str] = &["len", "is_empty", "keys", "values", "contains_key", "get"];
const STRING: &[&str] = &["len", "lower", "upper", "trim", "starts_with", "ends_with", "contains", "split"];
const CIDR: &[&str] = &["prefix_len", "is_ipv4", "contains"];
const IP: &[&str] = &["is_ipv4"];
const DURATION: &[&str] = &["days", "hours", "minutes", "seconds"];
const REF: &[&str] = &["deref"];
const PATH: &[&str] = &["len"];

/// The method names a receiver of type `recv` has.
pub fn names_for(recv: &Ty) -> &'static [&'static str] {
    match recv {
        Ty::List(_) => LIST,
        Ty::Map(..) => MAP,
        Ty::String | Ty::Enum(_) => STRING,
        Ty::Cidr => CIDR,
        Ty::Ip => IP,
        Ty::Duration => DURATION,
        Ty::Ref(_) => REF,
        Ty::Named(id) if id == super::expr::PATH_TYPE => PATH,
        _ => &[],
    }
}

pub fn lookup(recv: &Ty, name: &str) -> Option<MethodSig> {
    use Param::*;
    let fixed = MethodSig::fixed;
    let pred = |t: &Ty| Lambda { input: t.clone(), output: Some(Ty::Bool) };
    let sig = match recv {
        Ty::Named(id) if id == super::expr::PATH_TYPE && name == "len" => fixed(vec![], Ty::Int),
        Ty::List(elem) => {
            let elem = elem.as_ref();
            match name {
                "len" => fixed(vec![], Ty::Int),
                "is_empty" => fixed(vec![], Ty::Bool),
                "any" | "all" => fixed(vec![pred(elem)], Ty::Bool),
                "filter" => fixed(vec![pred(elem)], recv.clone()),
                "count" => fixed(vec![pred(elem)], Ty::Int),
                "map" => MethodSig {
                    params: vec![Lambda { input: elem.clone(), output: None }],
                    ret: Ty::Error,
                    ret_kind: Ret::ListOfLambda,
                },
                "flat_map" => MethodSig {
                    params: vec![Lambda { input: elem.clone(), output: None }],
                    ret: Ty::Error,
                    ret_kind: Ret::Lambda,
                },
                "sum" if matches!(elem, Ty::Int | Ty::Float | Ty::Duration | Ty::Error | Ty::Any) => {
                    fixed(vec![], elem.clone())
                }
                "min" | "max"
                    if matches!(
                        elem,
                        Ty::Int | Ty::Float | Ty::Duration | Ty::Time | Ty::String | Ty::Enum(_) | Ty::Error | Ty::Any
                    ) =>
                {
                    fixed(vec![], Ty::optional(elem.clone()))
                }
                "contains" => fixed(vec![Value(elem.clone())], Ty::Bool),
                "first" => fixed(vec![], Ty::optional(elem.clone())),
                "take" => fixed(vec![Value(Ty::Int)], recv.clone()),
                "distinct" | "sort" => fixed(vec![], recv.clone()),
                _ => return None,
            }
        }
        Ty::Map(key, value) => match name {
            "len" => fixed(vec![], Ty::Int),
            "is_empty" => fixed(vec![], Ty::Bool),
            "keys" => fixed(vec![], Ty::list(key.as_ref().clone())),
            "values" => fixed(vec![], Ty::list(value.as_ref().clone())),
            "contains_key" => fixed(vec![Value(key.as_ref().clone())], Ty::Bool),
            "get" => fixed(vec![Value(key.as_ref().clone())], Ty::optional(value.as_ref().clone())),
            _ => return None,
        },
        Ty::String | Ty::Enum(_) => match name {
            "len" => fixed(vec![], Ty::Int),
            "lower" | "upper" | "trim" => fixed(vec![], Ty::String),
            "starts_with" | "ends_with" | "contains" => fixed(vec![Value(Ty::String)], Ty::Bool),
            "split" => fixed(vec![Value(Ty::String)], Ty::list(Ty::String)),
            _ => return None,
        },
        Ty::Cidr => match name {
            "prefix_len" => fixed(vec![], Ty::Int),
            "is_ipv4" => fixed(vec![], Ty::Bool),
            "contains" => fixed(vec![Value(Ty::Ip)], Ty::Bool),
            _ => return None,
        },
        Ty::Ip => match name {
            "is_ipv4" => fixed(vec![], Ty::Bool),
            _ => return None,
        },
        Ty::Duration => match name {
            "days" | "hours" | "minutes" | "seconds" => fixed(vec![], Ty::Int),
            _ => return None,
        },
        Ty::Ref(ids) => match name {
            "deref" => fixed(vec![], Ty::optional(Ty::union(ids.iter().map(|id| Ty::Named(id.clone()))))),
            _ => return None,
        },
        _ => return None,
    };
    Some(sig)
}

/// The result type of a call, given what its lambda (if any) returned.
pub fn result(sig: &MethodSig, _recv: &Ty, lambda: &Ty) -> Ty {
    match sig.ret_kind {
        Ret::Fixed(ref t) => t.clone(),
        Ret::ListOfLambda => Ty::list(lambda.clone()),
        Ret::Lambda => match lambda {
            Ty::List(_) | Ty::Error | Ty::Any => lambda.clone(),
            other => Ty::list(other.clone()),
        },
    }
}
