//! Types of the rule language and the relations between them.

use std::collections::BTreeSet;
use std::fmt;

/// A schema type's identity: its package-qualified name, e.g. `std.schema.SecurityGroup`.
pub type TypeId = String;

#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Ty {
    Bool,
    Int,
    Float,
    String,
    Time,
    Duration,
    Ip,
    Cidr,
    Regex,
    /// Untyped data (`principal`, extra snapshot fields): accepted anywhere, checked at run time.
    Any,
    /// A string-literal enum such as `"accept" | "drop"`.
    Enum(BTreeSet<String>),
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    /// An asset, event or record type.
    Named(TypeId),
    /// The id of an asset of one of these types; `deref()` follows it.
    Ref(BTreeSet<TypeId>),
    Optional(Box<Ty>),
    /// A value of one of several types, e.g. `string | [string]` or `User | Role`.
    Union(BTreeSet<Ty>),
    /// The built-in `Internet` node of the resource graph.
    Internet,
    /// The type of the `none` literal: fits any optional.
    NoneLit,
    /// The type of an expression that already has an error: compatible with everything so
    /// one mistake yields one diagnostic.
    Error,
}

impl Ty {
    pub fn optional(inner: Ty) -> Ty {
        match inner {
            Ty::Optional(_) | Ty::Error | Ty::Any | Ty::NoneLit => inner,
            other => Ty::Optional(Box::new(other)),
        }
    }

    pub fn list(inner: Ty) -> Ty {
        Ty::List(Box::new(inner))
    }

    /// A union of `members`, flattened; a single member stands for itself.
    pub fn union(members: impl IntoIterator<Item = Ty>) -> Ty {
        let mut set = BTreeSet::new();
        let mut literals = BTreeSet::new();
        let mut optional = false;
        for m in members {
            match m {
                Ty::Union(inner) => set.extend(inner),
                Ty::Enum(values) => literals.extend(values),
                Ty::Optional(inner) => {
                    optional = true;
                    set.insert(*inner);
                }
                Ty::Error => return Ty::Error,
                other => {
                    set.insert(other);
                }
            }
        }
        if !literals.is_empty() && !set.contains(&Ty::String) {
            set.insert(Ty::Enum(literals));
        }
        let ty = if set.len() == 1 { set.into_iter().next().unwrap_or(Ty::Error) } else { Ty::Union(set) };
        if optional { Ty::optional(ty) } else { ty }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    /// `Error` and `Any` are checked at run time or already reported.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Ty::Error | Ty::Any)
    }

    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Optional(_) | Ty::NoneLit)
    }

    /// The type without its outer optional.
    pub fn strip_optional(&self) -> &Ty {
        match self {
            Ty::Optional(inner) => inner,
            other => other,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    pub fn is_stringish(&self) -> bool {
        matches!(self, Ty::String | Ty::Enum(_))
    }

    /// Whether a value of `self` may be used where `expected` is required.
    pub fn fits(&self, expected: &Ty) -> bool {
        if self == expected || self.is_unknown() || expected.is_unknown() {
            return true;
        }
        match (self, expected) {
            (Ty::NoneLit, Ty::Optional(_)) => true,
            (Ty::Optional(a), Ty::Optional(b)) => a.fits(b),
            (_, Ty::Optional(b)) => self.fits(b),
            (Ty::Int, Ty::Float) => true,
            (Ty::Enum(_), Ty::String) => true,
            (Ty::Enum(a), Ty::Enum(b)) => a.is_subset(b),
            (Ty::Ref(a), Ty::Ref(b)) => a.is_subset(b),
            (Ty::Ref(_), Ty::String) | (Ty::String, Ty::Ref(_)) => true,
            (Ty::List(a), Ty::List(b)) => a.fits(b),
            (Ty::Map(ka, va), Ty::Map(kb, vb)) => ka.fits(kb) && va.fits(vb),
            (Ty::Union(members), _) => members.iter().all(|m| m.fits(expected)),
            (_, Ty::Union(members)) => members.iter().any(|m| self.fits(m)),
            _ => false,
        }
    }

    /// Whether `==` between the two makes sense (optionals compare with their values).
    pub fn comparable_eq(&self, other: &Ty) -> bool {
        let (a, b) = (self.strip_optional(), other.strip_optional());
        if matches!(self, Ty::NoneLit) || matches!(other, Ty::NoneLit) {
            return true;
        }
        a.fits(b)
            || b.fits(a)
            || (a.is_numeric() && b.is_numeric())
            || (a.is_stringish() && b.is_stringish())
            || matches!((a, b), (Ty::Ref(_), Ty::String | Ty::Enum(_)) | (Ty::String | Ty::Enum(_), Ty::Ref(_)))
    }

    /// Whether `<`, `<=`, `>`, `>=` apply between the two.
    pub fn comparable_ord(&self, other: &Ty) -> bool {
        if self.is_unknown() || other.is_unknown() {
            return true;
        }
        (self.is_numeric() && other.is_numeric())
            || (self.is_stringish() && other.is_stringish())
            || matches!((self, other), (Ty::Time, Ty::Time) | (Ty::Duration, Ty::Duration) | (Ty::Ip, Ty::Ip))
    }

    /// The element type when iterating (lists; map keys).
    pub fn element(&self) -> Option<&Ty> {
        match self {
            Ty::List(inner) => Some(inner),
            Ty::Map(key, _) => Some(key),
            _ => None,
        }
    }
}

/// Short display: schema types by their last segment, as users write them.
impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Float => f.write_str("float"),
            Ty::String => f.write_str("string"),
            Ty::Time => f.write_str("time"),
            Ty::Duration => f.write_str("duration"),
            Ty::Ip => f.write_str("ip"),
            Ty::Cidr => f.write_str("cidr"),
            Ty::Regex => f.write_str("regex"),
            Ty::Any => f.write_str("any"),
            Ty::Enum(values) => {
                let shown: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                f.write_str(&shown.join(" | "))
            }
            Ty::List(inner) => write!(f, "[{inner}]"),
            Ty::Map(k, v) => write!(f, "{{{k}: {v}}}"),
            Ty::Named(id) => f.write_str(short_name(id)),
            Ty::Ref(ids) => {
                let shown: Vec<&str> = ids.iter().map(|i| short_name(i)).collect();
                write!(f, "ref {}", shown.join(" | "))
            }
            Ty::Optional(inner) => match **inner {
                Ty::Union(_) | Ty::Enum(_) | Ty::Ref(_) => write!(f, "({inner})?"),
                _ => write!(f, "{inner}?"),
            },
            Ty::Union(members) => {
                let shown: Vec<String> = members.iter().map(ToString::to_string).collect();
                f.write_str(&shown.join(" | "))
            }
            Ty::Internet => f.write_str("Internet"),
            Ty::NoneLit => f.write_str("none"),
            Ty::Error => f.write_str("{unknown}"),
        }
    }
}

/// `std.schema.Bucket` → `Bucket`.
pub fn short_name(id: &str) -> &str {
    id.rsplit('.').next().unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::Ty;

    fn set(v: &[&str]) -> std::collections::BTreeSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fits_follows_subtyping() {
        assert!(Ty::Int.fits(&Ty::Float));
        assert!(!Ty::Float.fits(&Ty::Int));
        assert!(Ty::Int.fits(&Ty::optional(Ty::Int)));
        assert!(!Ty::optional(Ty::Int).fits(&Ty::Int));
        assert!(Ty::Enum(set(&["tcp"])).fits(&Ty::Enum(set(&["tcp", "udp"]))));
        assert!(!Ty::Enum(set(&["tcp", "sctp"])).fits(&Ty::Enum(set(&["tcp", "udp"]))));
        let action = Ty::union([Ty::String, Ty::list(Ty::String)]);
        assert!(Ty::String.fits(&action));
        assert!(!Ty::Int.fits(&action));
        assert!(Ty::NoneLit.fits(&Ty::optional(Ty::String)));
    }

    #[test]
    fn comparisons() {
        assert!(Ty::Int.comparable_eq(&Ty::Float));
        assert!(!Ty::Int.comparable_eq(&Ty::String));
        assert!(Ty::optional(Ty::String).comparable_eq(&Ty::String));
        assert!(Ty::Time.comparable_ord(&Ty::Time));
        assert!(!Ty::Time.comparable_ord(&Ty::Duration));
    }

    #[test]
    fn display_is_what_users_write() {
        assert_eq!(Ty::optional(Ty::Named("std.schema.Role".into())).to_string(), "Role?");
        assert_eq!(Ty::union([Ty::String, Ty::list(Ty::String)]).to_string(), "string | [string]");
        assert_eq!(Ty::Enum(set(&["accept", "drop"])).to_string(), "\"accept\" | \"drop\"");
    }
}
