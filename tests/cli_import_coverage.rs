//! Every snapshot field a built-in check reads is filled by `rulec import` from real vendor
//! answers.
//!
//! A check that reads a field no importer fills never fires on a real estate, and nothing else
//! would say so: its tests run on hand-written snapshots. So this test takes each built-in
//! check's `reads` (the compiler's static analysis, `Check::reads`) and requires every field
//! to hold a non-null value in at least one object of its type in the snapshots the importers
//! make from the bundled fixtures: the Tencent Cloud and Alibaba Cloud RAW trees of published
//! API answers (assets and their audit events), the leak scanners' reports, and the host
//! fixture trees through `rulec collect host`. Records (`SgRule`, `Statement`, ...) are found
//! where the schema puts them: under the asset or event fields whose type holds them.
//!
//! A field that genuinely cannot be evidenced from a fixture today goes on [`NOT_IMPORTED`]
//! with its reason; an entry that becomes filled must come off.

#[path = "support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use rulec_compiler::compilation::Compilation;
use rulec_compiler::packs;
use rulec_runtime::plan::{Plan, Type, TypeIdx};
use serde_json::{Map, Value};
use support::{repo, rulec, text};

/// Fields checks read that no fixture fills, each with why. Keep it short.
const NOT_IMPORTED: &[(&str, &str)] = &[
    (
        "Account.name",
        "read only where a key's owner is named in a fix (`owner_id.deref()?.name`, owner a \\
         User, Role or Account); no API names a root account, so a root key's fix keeps `<user>`",
    ),
    (
        "AuditTrail.retention_days",
        "read from the trail's own SLS log store (`actiontrail_<trail>`) or CLS topic; the \
         published trail answers deliver to a project or bucket no published store answer describes",
    ),
    (
        "ConsoleLogin.country",
        "read from the `Location` of a listed CloudAudit event (api.json: \"IP 归属地\"; the published \
         DescribeEvents answer has one, on a CreateAuditTrack call); no published answer lists a \
         ConsoleLogin event, so no fixture's login has a location (unit test in tencent/events.rs)",
    ),
    (
        "Network.cidrs",
        "`Network` is what the owner knows (office and data-centre ranges), from rulec.yaml's \
         `networks` or the snapshot's author; no cloud answer holds it",
    ),
    (
        "SgRule.source_group_id",
        "the one published answer with a `SourceGroupId` (the zh DescribeSecurityGroupAttribute \
         example) describes a group no published DescribeSecurityGroups lists, so it is not linked",
    ),
    ("Statement.condition", "no published policy answer of either cloud in the fixtures has a `Condition` block"),
];

/// What `rulec import` reads of each fixture, with the provider when the folder is one
/// provider's: the RAW trees of collect/tests/import_tencent.rs and import_alibaba.rs, and the
/// leak reports of import_leaks.rs.
const IMPORTS: &[(Option<&str>, &str)] = &[
    (Some("tencent"), "collect/tests/raw/tencent"),
    (Some("tencent"), "examples/raw/tencent"),
    (Some("alibaba"), "collect/tests/raw/alibaba"),
    (Some("alibaba"), "examples/raw/alibaba"),
    (None, "collect/tests/raw/leaks"),
];

/// The host fixture trees of collect/tests/collect_host.rs.
const HOSTS: &[&str] = &["debian12", "ubuntu2204", "rocky9", "centos7"];

#[test]
fn every_field_a_builtin_check_reads_is_filled_by_an_import() {
    let filled = filled_fields(plan(), snapshots());
    let unfilled = unfilled_reads(plan(), &filled);
    assert!(
        unfilled.is_empty(),
        "make the importer fill these fields, or put them on NOT_IMPORTED with the reason:\n{}",
        unfilled.join("\n")
    );
    let read: BTreeSet<&String> = plan().checks.iter().flat_map(|c| &c.reads).collect();
    for (field, _) in NOT_IMPORTED {
        assert!(!filled.contains(*field), "{field} is imported now: take it off NOT_IMPORTED");
        assert!(read.contains(&(*field).to_owned()), "no check reads {field}: take it off NOT_IMPORTED");
    }
}

#[test]
fn a_field_the_importers_stop_filling_is_named_with_the_checks_that_read_it() {
    let mut snapshots = snapshots().to_vec();
    for snapshot in &mut snapshots {
        for asset in snapshot["assets"].as_array_mut().into_iter().flatten() {
            if asset["type"] == "Account"
                && let Some(fields) = asset.as_object_mut()
            {
                fields.remove("mfa_enabled");
            }
        }
    }
    let unfilled = unfilled_reads(plan(), &filled_fields(plan(), &snapshots));
    assert!(
        unfilled
            .contains(&"IAM_ROOT_MFA_DISABLED reads Account.mfa_enabled, which no imported fixture fills".to_owned()),
        "{unfilled:?}"
    );
}

/// `CHECK reads Type.field, which no imported fixture fills` for each read neither `filled` nor
/// on [`NOT_IMPORTED`].
fn unfilled_reads(plan: &Plan, filled: &BTreeSet<String>) -> Vec<String> {
    let excused = |field: &str| NOT_IMPORTED.iter().any(|(f, _)| *f == field);
    plan.checks
        .iter()
        .flat_map(|check| {
            check
                .reads
                .iter()
                .filter(|field| !filled.contains(*field) && !excused(field))
                .map(|field| format!("{} reads {field}, which no imported fixture fills", check.id))
        })
        .collect()
}

/// Every `Type.field` holding a non-null value in some asset or event of `snapshots`, or in a
/// record nested in one.
fn filled_fields(plan: &Plan, snapshots: &[Value]) -> BTreeSet<String> {
    let mut filled = BTreeSet::new();
    let objects = snapshots
        .iter()
        .flat_map(|s| ["assets", "events"].map(|key| &s[key]))
        .flat_map(|list| list.as_array().into_iter().flatten().filter_map(Value::as_object));
    for object in objects {
        let name = object.get("type").and_then(Value::as_str).unwrap_or_default();
        match plan.types.iter().position(|t| t.name == name) {
            Some(ty) => note_fields(plan, ty as TypeIdx, object, &mut filled),
            None => panic!("the snapshot has an object of type `{name}`, which the schema lacks"),
        }
    }
    filled
}

/// Notes the non-null fields of `object`, of type `ty`, and of the records inside them.
fn note_fields(plan: &Plan, ty: TypeIdx, object: &Map<String, Value>, filled: &mut BTreeSet<String>) {
    let def = &plan.types[ty as usize];
    for field in &def.fields {
        let Some(value) = object.get(&field.name).filter(|v| !v.is_null()) else { continue };
        filled.insert(format!("{}.{}", def.name, field.name));
        for_each_record(&field.ty, value, &mut |record, object| note_fields(plan, record, object, filled));
    }
}

/// Calls `f` on each object of `value` that `ty` says is a record, however nested in lists,
/// maps, optionals and unions.
fn for_each_record(ty: &Type, value: &Value, f: &mut dyn FnMut(TypeIdx, &Map<String, Value>)) {
    match (ty, value) {
        (Type::Named(record), Value::Object(object)) => f(*record, object),
        (Type::List(inner), Value::Array(items)) => items.iter().for_each(|item| for_each_record(inner, item, f)),
        (Type::Map(inner), Value::Object(entries)) => entries.values().for_each(|v| for_each_record(inner, v, f)),
        (Type::Optional(inner), _) => for_each_record(inner, value, f),
        (Type::Union(members), _) => members.iter().for_each(|member| for_each_record(member, value, f)),
        _ => {}
    }
}

/// The standard library and the built-in packs, compiled.
fn plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(|| {
        let compilation = Compilation::new(&packs::builtin());
        let plan = compilation.plan().unwrap_or_else(|| panic!("{:?}", compilation.diagnostics()));
        plan.as_ref().clone()
    })
}

/// The snapshots `rulec import` writes from every fixture, hosts last.
fn snapshots() -> &'static [Value] {
    static SNAPSHOTS: OnceLock<Vec<Value>> = OnceLock::new();
    SNAPSHOTS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut snapshots: Vec<Value> =
            IMPORTS.iter().map(|(provider, path)| import(*provider, &repo().join(path), dir.path())).collect();
        let hosts = dir.path().join("hosts");
        std::fs::create_dir(&hosts).expect("hosts dir");
        for name in HOSTS {
            let out = rulec()
                .args(["collect", "host", "--provider", "tencent", "--account", "100000000001", "--root"])
                .arg(repo().join("collect/tests/hosts").join(name))
                .arg("-o")
                .arg(hosts.join(format!("{name}.json")))
                .output()
                .expect("run rulec");
            assert_eq!(out.status.code(), Some(0), "collect host {name}: {}", text(&out.stderr));
        }
        snapshots.push(import(None, &hosts, dir.path()));
        snapshots
    })
}

/// The snapshot `rulec import [PROVIDER] PATH` writes.
fn import(provider: Option<&str>, path: &Path, dir: &Path) -> Value {
    let written = dir.join("snapshot.json");
    let out = rulec()
        .arg("import")
        .args(provider)
        .arg(path)
        .args(["--taken-at", "2026-11-20T08:00:00Z", "-o"])
        .arg(&written)
        .output()
        .expect("run rulec");
    assert_eq!(out.status.code(), Some(0), "import {path:?}: {}", text(&out.stderr));
    serde_json::from_str(&std::fs::read_to_string(&written).expect("snapshot")).expect("snapshot JSON")
}
