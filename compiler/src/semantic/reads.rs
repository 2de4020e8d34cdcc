//! Which snapshot fields each check reads (`Check::reads`).
//!
//! Two steps. Lowering notes every field access of an item with the types that own the field
//! ([`field_owners`]): the checker knows the base's type there, the plan no longer does. Once
//! the whole plan is assembled, [`close`] gives each check its own reads plus those of every
//! function, constant and edge it reaches ([`Uses`]) and those the natives it calls declare in
//! Rust ([`native_reads`]). Reads of values that are no snapshot data (a `Path`'s hops) are
//! dropped, and so are `id` and `type`, which every asset and event has.

use std::collections::{BTreeMap, BTreeSet};

use rulec_runtime::eval::native_reads;
use rulec_runtime::plan::{self, Plan, TypeKind};
use rulec_runtime::uses::Uses;

use super::env::GlobalEnv;
use super::ty::{Ty, TypeId};

/// The fields every asset or event has, which no check's reads list.
const COMMON: &[&str] = &["id", "type"];

/// The types that declare `field` among those a value of type `base` may be: the base's type,
/// or each member of a union (`User | Role`), optional or not.
pub(super) fn field_owners<'t>(env: &GlobalEnv, base: &'t Ty, field: &str) -> Vec<&'t TypeId> {
    let members: Vec<&Ty> = match base.strip_optional() {
        Ty::Union(members) => members.iter().map(Ty::strip_optional).collect(),
        other => vec![other],
    };
    members
        .into_iter()
        .filter_map(|m| match m {
            Ty::Named(id) if env.type_def(id).is_some_and(|d| d.field(field).is_some()) => Some(id),
            _ => None,
        })
        .collect()
}

/// The fields each function, constant and edge of a plan reads itself, as lowering noted them.
#[derive(Debug, Default)]
pub struct ItemReads {
    /// By index into `Plan::functions`.
    pub functions: Vec<BTreeSet<String>>,
    /// By index into `Plan::consts`.
    pub consts: Vec<BTreeSet<String>>,
    /// By qualified edge name.
    pub edges: BTreeMap<String, BTreeSet<String>>,
}

/// Completes each check's `reads`, which holds the fields its own expressions read, with those
/// of everything it uses; then keeps only snapshot data, sorted and without repeats.
pub fn close(plan: &mut Plan, items: &ItemReads) {
    let data = data_fields(plan);
    let closed: Vec<Vec<String>> = plan
        .checks
        .iter()
        .map(|check| {
            let uses = Uses::of_check(plan, check);
            let functions = uses.functions.iter().filter_map(|i| items.functions.get(*i as usize));
            let consts = uses.consts.iter().filter_map(|i| items.consts.get(*i as usize));
            let edges = uses.edges.iter().filter_map(|i| items.edges.get(&plan.edges.get(*i)?.name));
            let mut all: BTreeSet<&str> = check.reads.iter().map(String::as_str).collect();
            all.extend(functions.chain(consts).chain(edges).flatten().map(String::as_str));
            all.extend(uses.natives.iter().flat_map(|name| native_reads(name).unwrap_or_default()));
            all.into_iter().filter(|read| data.contains(*read)).map(str::to_owned).collect()
        })
        .collect();
    for (check, reads) in plan.checks.iter_mut().zip(closed) {
        check.reads = reads;
    }
}

/// Every `Type.field` a snapshot may hold: the fields of asset and event types and of the
/// records reachable from them, less [`COMMON`] on assets and events.
fn data_fields(plan: &Plan) -> BTreeSet<String> {
    let mut pending: Vec<usize> = (0..plan.types.len()).filter(|i| plan.types[*i].kind != TypeKind::Record).collect();
    let mut seen: BTreeSet<usize> = pending.iter().copied().collect();
    let mut out = BTreeSet::new();
    while let Some(i) = pending.pop() {
        let def = &plan.types[i];
        for field in &def.fields {
            if def.kind == TypeKind::Record || !COMMON.contains(&field.name.as_str()) {
                out.insert(format!("{}.{}", def.name, field.name));
            }
            let mut named = Vec::new();
            named_types(&field.ty, &mut named);
            pending.extend(named.into_iter().map(|t| t as usize).filter(|t| seen.insert(*t)));
        }
    }
    out
}

/// The record types a value of `ty` may hold, however nested in lists, maps and unions.
fn named_types(ty: &plan::Type, out: &mut Vec<plan::TypeIdx>) {
    match ty {
        plan::Type::Named(i) => out.push(*i),
        plan::Type::List(inner) | plan::Type::Map(inner) | plan::Type::Optional(inner) => named_types(inner, out),
        plan::Type::Union(members) => members.iter().for_each(|m| named_types(m, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compilation::Compilation;
    use crate::db;
    use crate::packs::{self, Manifest, Origin, Pack, RuleFile};
    use crate::semantic::env::MemberKind;

    #[test]
    fn every_native_of_the_standard_library_declares_snapshot_fields() {
        let compilation = Compilation::new(&[packs::builtin().swap_remove(0)]);
        let Some(plan) = compilation.plan() else { panic!("{:?}", compilation.diagnostics()) };
        let data = data_fields(&plan);
        let env = db::global_env(compilation.db(), compilation.workspace());
        let mut natives = 0;
        for (package, scope) in &env.packages {
            for (name, members) in &scope.members {
                let Some(MemberKind::Fn(sig)) = members.first().map(|m| &m.kind) else { continue };
                if !sig.native {
                    continue;
                }
                natives += 1;
                let reads = native_reads(&format!("{package}.{name}"))
                    .unwrap_or_else(|| panic!("`{package}.{name}` has no entry in the runtime's native reads"));
                for field in reads {
                    assert!(data.contains(field), "`{package}.{name}` declares {field}, which no snapshot holds");
                }
            }
        }
        assert!(natives > 20, "{natives} natives found");
    }

    /// The reads of each check of `text`, compiled in a pack beside the standard library.
    fn reads(text: &str) -> Vec<(String, Vec<String>)> {
        let mut all = vec![packs::builtin().swap_remove(0)];
        all.push(Pack {
            manifest: Manifest { name: "t".into(), version: "0.1.0".into(), description: None, requires: vec![] },
            origin: Origin::Builtin,
            files: vec![RuleFile { path: "t/t.rule".into(), text: text.into() }],
        });
        let compilation = Compilation::new(&all);
        let Some(plan) = compilation.plan() else { panic!("{:?}", compilation.diagnostics()) };
        plan.checks.iter().map(|c| (c.id.clone(), c.reads.clone())).collect()
    }

    #[test]
    fn a_rule_reads_its_clauses_lambdas_and_functions_fields() {
        let text = r#"package t

fn world_rules(sg: SecurityGroup) -> int = sg.ingress.count(r => r.cidr == cidr("0.0.0.0/0"))

rule T_SG {
  title "t"
  severity low
  for sg: SecurityGroup where sg.region != none
  let n = world_rules(sg)
  when n > 0 and sg.id != ""
  message "{sg.name ?? sg.id}"
}

rule T_NONE {
  title "t"
  severity low
  for i: Instance
  when true
}
"#;
        assert_eq!(
            reads(text),
            [
                ("T_NONE".into(), vec![]),
                (
                    "T_SG".into(),
                    ["SecurityGroup.ingress", "SecurityGroup.name", "SecurityGroup.region", "SgRule.cidr"]
                        .map(String::from)
                        .to_vec()
                ),
            ]
        );
    }

    #[test]
    fn a_union_base_names_every_member_with_the_field() {
        let text = r#"package t

rule T_OWNER {
  title "t"
  severity low
  for k: AccessKey
  let owner = k.owner_id.deref()
  when owner?.name == "x"
}
"#;
        assert_eq!(
            reads(text),
            [(
                "T_OWNER".into(),
                ["AccessKey.owner_id", "Account.name", "Role.name", "User.name"].map(String::from).to_vec()
            )]
        );
    }

    #[test]
    fn paths_read_their_edges_conditions_and_natives_their_declared_fields() {
        let text = r#"package t

use std.net

edge open: Internet -> Instance when target.public_ips.len() > 0
edge bound: Instance -> Role when source.role_id == target.id
edge unused: Instance -> Role when source.os == "x"

rule T_PATH {
  title "t"
  severity low
  for r: Role
  when reaches(Internet, r, via: [open, bound])
}

rule T_NATIVE {
  title "t"
  severity low
  for sg: SecurityGroup
  when net.exposed_ports(sg).len() > 0
}
"#;
        let reads = reads(text);
        assert_eq!(reads[1], ("T_PATH".into(), vec!["Instance.public_ips".into(), "Instance.role_id".into()]));
        assert_eq!(reads[0].0, "T_NATIVE");
        assert!(reads[0].1.contains(&"SecurityGroup.ingress".into()) && reads[0].1.contains(&"SgRule.cidr".into()));
    }
}
