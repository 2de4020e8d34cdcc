//! The plan's types as the loader needs them: field tables with a name lookup, the slots of
//! the base fields, and how each type reads in a message.

use std::collections::HashMap;

use crate::plan::{Plan, Type, TypeIdx, TypeKind};

use super::error::quote;
use super::intern::Seeded;

/// The plan, indexed for loading.
pub(crate) struct Schema<'s> {
    pub(crate) plan: &'s Plan,
    by_name: HashMap<&'s str, TypeIdx>,
    pub(crate) tables: Vec<Table<'s>>,
    /// Whether a value of the type can hold a reference, directly or in a nested record.
    has_refs: Vec<bool>,
    /// The global number of each type's first field.
    field_base: Vec<u32>,
}

/// One type's fields, in the plan's order.
pub(crate) struct Table<'s> {
    pub(crate) names: Vec<&'s str>,
    pub(crate) types: Vec<&'s Type>,
    lookup: HashMap<&'s str, usize, Seeded>,
    pub(crate) type_slot: Option<usize>,
    pub(crate) id_slot: Option<usize>,
    pub(crate) time_slot: Option<usize>,
}

impl Table<'_> {
    /// The slot of field `name`. `hint` is where the previous field was found plus one: data
    /// usually lists fields in schema order, so that guess saves the hash lookup.
    pub(crate) fn find(&self, name: &str, hint: usize) -> Option<usize> {
        match self.names.get(hint) {
            Some(n) if *n == name => Some(hint),
            _ => self.lookup.get(name).copied(),
        }
    }
}

impl<'s> Schema<'s> {
    pub(crate) fn new(plan: &'s Plan) -> Schema<'s> {
        let mut by_name = HashMap::new();
        for (i, def) in plan.types.iter().enumerate() {
            // The first type of a name wins; the compiler rejects duplicates.
            by_name.entry(def.name.as_str()).or_insert(i as TypeIdx);
        }
        let tables = plan
            .types
            .iter()
            .map(|def| {
                let names: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
                let types = def.fields.iter().map(|f| &f.ty).collect();
                let lookup = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
                let slot = |name: &str| names.iter().position(|n| *n == name);
                Table {
                    type_slot: slot("type"),
                    id_slot: if def.kind == TypeKind::Asset { slot("id") } else { None },
                    time_slot: if def.kind == TypeKind::Event { slot("time") } else { None },
                    names,
                    types,
                    lookup,
                }
            })
            .collect();
        let mut field_base = Vec::with_capacity(plan.types.len());
        let mut next: u32 = 0;
        for def in &plan.types {
            field_base.push(next);
            next = next.saturating_add(def.fields.len() as u32);
        }
        let mut schema = Schema { plan, by_name, tables, has_refs: Vec::new(), field_base };
        schema.has_refs = (0..plan.types.len()).map(|i| schema.named_has_refs(i as TypeIdx, &mut Vec::new())).collect();
        schema
    }

    /// A number for field `slot` of type `ty`, unique in the plan.
    pub(crate) fn field_id(&self, ty: TypeIdx, slot: usize) -> u32 {
        self.field_base.get(ty as usize).map_or(0, |base| base.saturating_add(slot as u32))
    }

    pub(crate) fn type_count(&self) -> usize {
        self.plan.types.len()
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<TypeIdx> {
        self.by_name.get(name).copied()
    }

    pub(crate) fn kind(&self, ty: TypeIdx) -> Option<TypeKind> {
        self.plan.types.get(ty as usize).map(|d| d.kind)
    }

    pub(crate) fn name(&self, ty: TypeIdx) -> &'s str {
        self.plan.types.get(ty as usize).map_or("?", |d| d.name.as_str())
    }

    /// The names of the types of these kinds, in plan order.
    pub(crate) fn names_of(&self, kinds: &[TypeKind]) -> Vec<&'s str> {
        self.plan.types.iter().filter(|d| kinds.contains(&d.kind)).map(|d| d.name.as_str()).collect()
    }

    /// The closest type name among `kinds`, if one is close enough to be a typo.
    pub(crate) fn suggest(&self, name: &str, kinds: &[TypeKind]) -> Option<&'s str> {
        let lower = name.to_ascii_lowercase();
        self.names_of(kinds)
            .into_iter()
            .map(|candidate| {
                (strsim::normalized_damerau_levenshtein(&lower, &candidate.to_ascii_lowercase()), candidate)
            })
            .filter(|(score, _)| *score >= 0.6)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, candidate)| candidate)
    }

    pub(crate) fn has_refs(&self, ty: TypeIdx) -> bool {
        self.has_refs.get(ty as usize).copied().unwrap_or(false)
    }

    /// Whether a value of `ty` can hold a reference. Uses the per-type cache once built.
    pub(crate) fn type_has_refs(&self, ty: &Type) -> bool {
        match ty {
            Type::Ref(_) => true,
            Type::List(t) | Type::Map(t) | Type::Optional(t) => self.type_has_refs(t),
            Type::Union(members) => members.iter().any(|m| self.type_has_refs(m)),
            Type::Named(i) => self.has_refs(*i),
            _ => false,
        }
    }

    fn named_has_refs(&self, ty: TypeIdx, visiting: &mut Vec<TypeIdx>) -> bool {
        if visiting.contains(&ty) {
            return false;
        }
        visiting.push(ty);
        let found = self.tables.get(ty as usize).is_some_and(|t| t.types.iter().any(|f| self.walk_refs(f, visiting)));
        visiting.pop();
        found
    }

    fn walk_refs(&self, ty: &Type, visiting: &mut Vec<TypeIdx>) -> bool {
        match ty {
            Type::Ref(_) => true,
            Type::List(t) | Type::Map(t) | Type::Optional(t) => self.walk_refs(t, visiting),
            Type::Union(members) => members.iter().any(|m| self.walk_refs(m, visiting)),
            Type::Named(i) => self.named_has_refs(*i, visiting),
            _ => false,
        }
    }

    /// How a type reads after "expected": `cidr`, `time (RFC 3339)`, `one of "tcp", "udp"`,
    /// `[SgRule]`, `string | [string]`.
    pub(crate) fn describe(&self, ty: &Type) -> String {
        match ty {
            Type::Time => "time (RFC 3339)".to_owned(),
            Type::Duration => "duration (integer seconds)".to_owned(),
            Type::Enum(values) => {
                format!("one of {}", values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", "))
            }
            Type::Named(i) => format!("{} (an object)", self.name(*i)),
            Type::Ref(targets) => format!("string (the id of a {})", self.ref_targets(targets)),
            Type::Optional(inner) => self.describe(inner),
            _ => self.short(ty),
        }
    }

    /// `A | B`: the names of a reference's target types.
    pub(crate) fn ref_targets(&self, targets: &[TypeIdx]) -> String {
        targets.iter().map(|t| self.name(*t)).collect::<Vec<_>>().join(" | ")
    }

    /// A type as the rule language writes it.
    pub(crate) fn short(&self, ty: &Type) -> String {
        match ty {
            Type::Bool => "bool".to_owned(),
            Type::Int => "int".to_owned(),
            Type::Float => "float".to_owned(),
            Type::String => "string".to_owned(),
            Type::Time => "time".to_owned(),
            Type::Duration => "duration".to_owned(),
            Type::Ip => "ip".to_owned(),
            Type::Cidr => "cidr".to_owned(),
            Type::Regex => "regex".to_owned(),
            Type::Any => "any".to_owned(),
            Type::Enum(values) => values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(" | "),
            Type::List(t) => format!("[{}]", self.short(t)),
            Type::Map(t) => format!("{{string: {}}}", self.short(t)),
            Type::Named(i) => self.name(*i).to_owned(),
            Type::Ref(targets) => format!("ref {}", self.ref_targets(targets)),
            Type::Optional(t) => match t.as_ref() {
                Type::Union(_) | Type::Enum(_) | Type::Ref(_) => format!("({})?", self.short(t)),
                _ => format!("{}?", self.short(t)),
            },
            Type::Union(members) => members.iter().map(|m| self.short(m)).collect::<Vec<_>>().join(" | "),
        }
    }
}
