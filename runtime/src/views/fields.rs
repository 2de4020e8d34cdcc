//! Reading named fields of one snapshot type, their positions looked up once.

use std::net::IpAddr;

use crate::plan::{Plan, TypeIdx};
use crate::value::{Micros, Record, Value};

/// A standard type's rows and the positions of the fields a view reads.
pub(super) struct Fields<const N: usize> {
    pub ty: Option<TypeIdx>,
    at: [Option<usize>; N],
}

static NONE: Value = Value::None;

impl<const N: usize> Fields<N> {
    /// The standard-library type `name` (`std.schema.<name>`) and its fields `names`; a type
    /// or field the plan lacks reads as `none`.
    pub(super) fn of(plan: &Plan, name: &str, names: [&str; N]) -> Self {
        let ty =
            plan.types.iter().position(|t| t.qualified.strip_prefix("std.schema.") == Some(name)).map(|i| i as TypeIdx);
        let def = ty.and_then(|t| plan.types.get(t as usize));
        Fields { ty, at: names.map(|n| def.and_then(|d| d.field_index(n))) }
    }

    pub(super) fn get<'r>(&self, record: &'r Record, i: usize) -> &'r Value {
        self.at[i].and_then(|at| record.fields().get(at)).unwrap_or(&NONE)
    }

    pub(super) fn str<'r>(&self, record: &'r Record, i: usize) -> Option<&'r str> {
        self.get(record, i).as_str()
    }

    pub(super) fn string(&self, record: &Record, i: usize) -> Option<String> {
        self.str(record, i).map(str::to_owned)
    }

    pub(super) fn time(&self, record: &Record, i: usize) -> Option<Micros> {
        match self.get(record, i) {
            Value::Time(t) => Some(*t),
            _ => None,
        }
    }

    pub(super) fn bool(&self, record: &Record, i: usize) -> Option<bool> {
        self.get(record, i).as_bool()
    }

    pub(super) fn ip(&self, record: &Record, i: usize) -> Option<IpAddr> {
        self.get(record, i).ip()
    }
}

/// The rows of a type the plan may lack.
pub(super) fn rows(store: &crate::snapshot::Store, ty: Option<TypeIdx>) -> &[Record] {
    ty.map_or(&[], |t| store.rows(t))
}
