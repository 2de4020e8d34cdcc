//! End-to-end tests of the snapshot loader: fixture files under `tests/fixtures/snapshots/`,
//! loaded against a small hand-built plan (the compiler is not involved).

use std::path::PathBuf;

use rulec_runtime::plan::{FieldDef, Plan, Type, TypeDef, TypeIdx, TypeKind};
use rulec_runtime::snapshot::{Format, LoadErrors, Loaded, Store, load, load_str};
use rulec_runtime::value::{Record, Value, parse_time};

const SECURITY_GROUP: TypeIdx = 0;
const SG_RULE: TypeIdx = 1;
const BUCKET: TypeIdx = 2;
const POLICY_DOCUMENT: TypeIdx = 3;
const STATEMENT: TypeIdx = 4;
const ACCESS_KEY: TypeIdx = 5;
const API_CALL: TypeIdx = 6;
const USER: TypeIdx = 7;

fn opt(ty: Type) -> Type {
    Type::Optional(Box::new(ty))
}

fn list(ty: Type) -> Type {
    Type::List(Box::new(ty))
}

fn map(ty: Type) -> Type {
    Type::Map(Box::new(ty))
}

fn one_of(values: &[&str]) -> Type {
    Type::Enum(values.iter().map(|v| (*v).to_owned()).collect())
}

fn def(name: &str, kind: TypeKind, base: Vec<(&str, Type)>, own: Vec<(&str, Type)>) -> TypeDef {
    TypeDef {
        name: name.to_owned(),
        qualified: format!("std.schema.{name}"),
        kind,
        fields: base.into_iter().chain(own).map(|(n, ty)| FieldDef { name: n.to_owned(), ty }).collect(),
    }
}

fn asset(name: &str, own: Vec<(&str, Type)>) -> TypeDef {
    let base = vec![
        ("type", Type::String),
        ("id", Type::String),
        ("provider", Type::String),
        ("account", Type::String),
        ("region", opt(Type::String)),
        ("name", opt(Type::String)),
        ("tags", map(Type::String)),
        ("resource_name", opt(Type::String)),
    ];
    def(name, TypeKind::Asset, base, own)
}

fn event(name: &str, own: Vec<(&str, Type)>) -> TypeDef {
    def(name, TypeKind::Event, vec![("type", Type::String), ("time", Type::Time)], own)
}

fn record(name: &str, own: Vec<(&str, Type)>) -> TypeDef {
    def(name, TypeKind::Record, Vec::new(), own)
}

/// A slice of stdlib-rules/schema.rule, as the compiler will lower it.
fn plan() -> Plan {
    let string_or_list = || Type::Union(vec![Type::String, list(Type::String)]);
    let types = vec![
        asset("SecurityGroup", vec![("ingress", list(Type::Named(SG_RULE))), ("egress", list(Type::Named(SG_RULE)))]),
        record(
            "SgRule",
            vec![
                ("priority", Type::Int),
                ("protocol", one_of(&["tcp", "udp", "icmp", "all"])),
                ("port_from", Type::Int),
                ("port_to", Type::Int),
                ("cidr", opt(Type::Cidr)),
                ("source_group_id", opt(Type::Ref(vec![SECURITY_GROUP]))),
                ("action", one_of(&["accept", "drop"])),
                ("description", opt(Type::String)),
            ],
        ),
        asset(
            "Bucket",
            vec![
                ("acl", one_of(&["private", "public-read", "public-read-write"])),
                ("policy", opt(Type::Named(POLICY_DOCUMENT))),
                ("versioning", Type::Bool),
                ("encryption", opt(Type::String)),
                ("logging", Type::Bool),
                ("replication_regions", list(Type::String)),
            ],
        ),
        record("PolicyDocument", vec![("version", Type::String), ("statement", list(Type::Named(STATEMENT)))]),
        record(
            "Statement",
            vec![
                ("effect", one_of(&["allow", "deny"])),
                ("action", string_or_list()),
                ("resource", opt(string_or_list())),
                ("principal", opt(Type::Any)),
                ("condition", opt(map(map(string_or_list())))),
            ],
        ),
        asset(
            "AccessKey",
            vec![
                ("owner_id", Type::Ref(vec![USER])),
                ("owner_kind", one_of(&["root", "user", "role"])),
                ("kind", one_of(&["permanent", "temporary"])),
                ("status", one_of(&["active", "inactive"])),
                ("created_at", Type::Time),
                ("last_used_at", opt(Type::Time)),
                ("expires_at", opt(Type::Time)),
            ],
        ),
        event(
            "ApiCall",
            vec![
                ("access_key_id", Type::String),
                ("principal_id", opt(Type::String)),
                ("source_ip", Type::Ip),
                ("user_agent", Type::String),
                ("service", Type::String),
                ("action", Type::String),
                ("region", opt(Type::String)),
                ("resource", opt(Type::String)),
                ("success", Type::Bool),
                ("error_code", opt(Type::String)),
            ],
        ),
        asset("User", vec![("kind", one_of(&["sub_user", "collaborator"])), ("mfa_enabled", Type::Bool)]),
    ];
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

fn fixture(name: &str) -> PathBuf {
    // Integration tests run in the package directory: paths in messages stay short.
    PathBuf::from("tests/fixtures/snapshots").join(name)
}

fn load_ok(names: &[&str]) -> Loaded {
    let inputs: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    match load(&plan(), &inputs) {
        Ok(loaded) => loaded,
        Err(e) => panic!("{e}"),
    }
}

fn load_err(names: &[&str]) -> LoadErrors {
    let inputs: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    match load(&plan(), &inputs) {
        Ok(_) => panic!("{names:?} loaded"),
        Err(e) => e,
    }
}

/// The error lines, one per error.
fn check_err(names: &[&str], expected: &[&str]) {
    let errors = load_err(names).to_string();
    let got: Vec<&str> = errors.lines().collect();
    assert_eq!(got, expected);
}

fn field<'r>(store: &Store, record: &'r Record, name: &str) -> &'r Value {
    let _ = store;
    let ty = &plan().types[record.ty() as usize];
    let i = ty.field_index(name).unwrap_or_else(|| panic!("no field {name}"));
    &record.fields()[i]
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

fn time(text: &str) -> i64 {
    parse_time(text).expect("valid time")
}

#[test]
fn valid_json_document_loads_typed_and_indexed() {
    let Loaded { store, warnings } = load_ok(&["valid.json"]);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(store.taken_at(), time("2026-11-20T08:00:00Z"));
    assert_eq!((store.asset_count(), store.event_count()), (5, 3));
    assert_eq!(store.rows(SECURITY_GROUP).len(), 2);

    let sg = store.get(SECURITY_GROUP, "sg-1a2b3c").expect("indexed");
    assert_eq!(str_of(field(&store, sg, "type")), "SecurityGroup");
    assert_eq!(str_of(field(&store, sg, "region")), "ap-guangzhou");
    assert!(field(&store, sg, "resource_name").is_none());
    let Value::Map(tags) = field(&store, sg, "tags") else { panic!("tags") };
    assert_eq!(tags.get("env").and_then(Value::as_str), Some("prod"));
    assert_eq!(sg.extra().as_ref().map(|e| e["importer_note"]["raw"].clone()), Some("kept as written".into()));

    let Value::List(ingress) = field(&store, sg, "ingress") else { panic!("ingress") };
    assert_eq!(ingress.len(), 3);
    let Value::Record(rule) = &ingress[1] else { panic!("rule") };
    assert_eq!(rule.ty(), SG_RULE);
    // A bare ip is a /32; enums keep the schema's spelling.
    assert!(matches!(&rule.fields()[4], Value::Cidr(net) if net.to_string() == "10.1.2.3/32"));
    assert_eq!(str_of(&rule.fields()[1]), "all");
    let Value::Record(rule) = &ingress[2] else { panic!("rule") };
    assert_eq!(str_of(&rule.fields()[5]), "sg-4d5e6f");

    // `type` listed after other fields.
    let other = store.get(SECURITY_GROUP, "sg-4d5e6f").expect("indexed");
    assert_eq!(str_of(field(&store, other, "account")), "100000000001");
    assert!(matches!(field(&store, other, "tags"), Value::Map(m) if m.is_empty()));

    let bucket = store.get(BUCKET, "logs-1250000000").expect("bucket");
    let Value::Record(policy) = field(&store, bucket, "policy") else { panic!("policy") };
    assert_eq!(policy.ty(), POLICY_DOCUMENT);
    let Value::List(statements) = &policy.fields()[1] else { panic!("statements") };
    let Value::Record(first) = &statements[0] else { panic!("statement") };
    assert_eq!(str_of(&first.fields()[0]), "allow", "effect is case-insensitive");
    assert_eq!(str_of(&first.fields()[1]), "cos:GetObject");
    assert!(matches!(&first.fields()[2], Value::List(r) if r.len() == 1));
    assert!(matches!(&first.fields()[3], Value::Json(p) if p["qcs"][0] == "*"));
    let Value::Record(second) = &statements[1] else { panic!("statement") };
    assert!(matches!(&second.fields()[1], Value::List(a) if a.len() == 2));
    assert!(second.fields()[2].is_none());

    let key = store.get(ACCESS_KEY, "AKIDexample1").expect("key");
    assert!(matches!(field(&store, key, "created_at"), Value::Time(t) if *t == time("2024-01-01T19:04:05Z")));
    assert!(field(&store, key, "last_used_at").is_none());
    assert_eq!(store.deref(&[USER, ACCESS_KEY], "100000000002").map(|(ty, _)| ty), Some(USER));
    assert!(store.deref(&[USER], "AKIDexample1").is_none());
    assert!(store.get(SECURITY_GROUP, "nope").is_none());

    // Events sorted by time, ties in input order.
    let calls = store.rows(API_CALL);
    let actions: Vec<&str> = calls.iter().map(|c| str_of(field(&store, c, "action"))).collect();
    assert_eq!(actions, ["ListUsers", "DescribeInstances", "GetObject"]);
    assert!(matches!(field(&store, &calls[2], "source_ip"), Value::Ip6(_)));
    assert_eq!(field(&store, &calls[2], "error_code").as_str(), Some("AccessDenied"));
    let (file, at) = store.origin(API_CALL, 0).expect("origin");
    assert_eq!(
        (file.to_string_lossy().into_owned(), at),
        ("tests/fixtures/snapshots/valid.json".to_owned(), "$.events[1]".to_owned())
    );
}

#[test]
fn repeated_strings_share_one_allocation() {
    let Loaded { store, .. } = load_ok(&["valid.json"]);
    let calls = store.rows(API_CALL);
    let (Value::Str(a), Value::Str(b)) =
        (field(&store, &calls[0], "user_agent"), field(&store, &calls[1], "user_agent"))
    else {
        panic!("user agents")
    };
    assert!(rulec_runtime::value::ArcStr::ptr_eq(a, b));
}

#[test]
fn valid_yaml_document_keeps_string_fields_as_written() {
    let Loaded { store, warnings } = load_ok(&["valid.yaml"]);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(store.taken_at(), time("2026-11-20T08:00:00Z"));
    let sg = store.get(SECURITY_GROUP, "sg-yaml").expect("sg");
    assert_eq!(str_of(field(&store, sg, "account")), "5123456789012345");
    let Value::Map(tags) = field(&store, sg, "tags") else { panic!("tags") };
    assert_eq!(tags.get("owner").and_then(Value::as_str), Some("no"));
    let Value::List(ingress) = field(&store, sg, "ingress") else { panic!("ingress") };
    let Value::Record(rule) = &ingress[0] else { panic!("rule") };
    assert!(matches!(&rule.fields()[4], Value::Cidr(net) if net.to_string() == "0.0.0.0/0"));
    let key = store.get(ACCESS_KEY, "LTAIexample").expect("key");
    assert!(matches!(field(&store, key, "created_at"), Value::Time(_)));
    assert!(field(&store, key, "last_used_at").is_none());
    assert!(store.get(USER, "2000001").is_some(), "an unquoted id is a string");
    let call = &store.rows(API_CALL)[0];
    assert!(matches!(field(&store, call, "success"), Value::Bool(true)));
}

#[test]
fn directory_merges_json_yaml_and_jsonl() {
    let Loaded { store, warnings } = load_ok(&["merged"]);
    // sg-a's rule names sg-b, defined in a later file: no dangling-reference warning.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].message.starts_with("documents disagree on `taken_at`"));
    let files: Vec<String> = store.files().iter().map(|f| f.to_string_lossy().into_owned()).collect();
    assert_eq!(
        files,
        [
            "tests/fixtures/snapshots/merged/10-assets.json",
            "tests/fixtures/snapshots/merged/30-events.jsonl",
            "tests/fixtures/snapshots/merged/more/20-assets.yaml",
        ]
    );
    // The JSON says 08:00, the YAML 08:05: the latest wins.
    assert_eq!(store.taken_at(), time("2026-11-20T08:05:00Z"));
    assert_eq!((store.asset_count(), store.event_count()), (4, 2));
    assert!(store.get(SECURITY_GROUP, "sg-a").is_some() && store.get(SECURITY_GROUP, "sg-b").is_some());
    let key = store.get(ACCESS_KEY, "AKID1").expect("key from a JSONL line");
    assert_eq!(str_of(field(&store, key, "owner_id")), "u-1");
    let calls = store.rows(API_CALL);
    assert_eq!(str_of(field(&store, &calls[0], "action")), "AttachUserPolicy");
    assert_eq!(store.origin(API_CALL, 0).map(|(_, at)| at), Some("line 4".to_owned()));
}

#[test]
fn disagreeing_taken_at_is_a_warning_and_the_latest_wins() {
    let Loaded { store, warnings } = load_ok(&["merged/10-assets.json", "merged/more/20-assets.yaml"]);
    assert_eq!(store.taken_at(), time("2026-11-20T08:05:00Z"));
    let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["tests/fixtures/snapshots/merged/10-assets.json: $.taken_at: documents disagree on `taken_at`: \
             2026-11-20T08:00:00Z here, 2026-11-20T08:05:00Z in tests/fixtures/snapshots/merged/more/20-assets.yaml; \
             using the latest"]
    );
}

#[test]
fn a_file_named_twice_is_read_once() {
    let Loaded { store, .. } = load_ok(&["merged", "merged/10-assets.json"]);
    assert_eq!(store.files().len(), 3);
}

#[test]
fn dangling_references_are_warnings() {
    let Loaded { store, warnings } = load_ok(&["dangling.json"]);
    assert_eq!(store.asset_count(), 2);
    let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            r#"tests/fixtures/snapshots/dangling.json: $.assets[0].ingress[0].source_group_id: dangling reference: no SecurityGroup has id "sg-gone""#,
            r#"tests/fixtures/snapshots/dangling.json: $.assets[1].owner_id: dangling reference: no User has id "u-gone""#,
        ]
    );
}

#[test]
fn only_jsonl_has_no_taken_at() {
    check_err(
        &["only_jsonl"],
        &["tests/fixtures/snapshots/only_jsonl: expected a snapshot document (.json, .yaml) with `taken_at`, \
           found only JSONL files, which carry no `taken_at`"],
    );
}

#[test]
fn missing_field() {
    check_err(
        &["bad/missing_field.json"],
        &[
            "tests/fixtures/snapshots/bad/missing_field.json: $.assets[0].account: expected string, found nothing (the field is missing)",
        ],
    );
}

#[test]
fn wrong_type() {
    check_err(
        &["bad/wrong_type.json"],
        &[
            r#"tests/fixtures/snapshots/bad/wrong_type.json: $.assets[0].ingress[0].port_from: expected int, found "22""#,
        ],
    );
}

#[test]
fn bad_time() {
    check_err(
        &["bad/bad_time.json"],
        &[
            r#"tests/fixtures/snapshots/bad/bad_time.json: $.assets[0].created_at: expected time (RFC 3339), found "2024-13-45T00:00:00Z""#,
        ],
    );
}

#[test]
fn bad_ip() {
    check_err(
        &["bad/bad_ip.json"],
        &[r#"tests/fixtures/snapshots/bad/bad_ip.json: $.events[0].source_ip: expected ip, found "203.0.113.300""#],
    );
}

#[test]
fn bad_cidr() {
    check_err(
        &["bad/bad_cidr.json"],
        &[
            r#"tests/fixtures/snapshots/bad/bad_cidr.json: $.assets[3].ingress[0].cidr: expected cidr, found "10.0.0.300/24""#,
        ],
    );
}

#[test]
fn enum_outside_its_set() {
    check_err(
        &["bad/enum.json"],
        &[
            r#"tests/fixtures/snapshots/bad/enum.json: $.assets[0].ingress[0].protocol: expected one of "tcp", "udp", "icmp", "all", found "tcpp""#,
        ],
    );
}

#[test]
fn duplicate_id_across_files_names_both() {
    // The Bucket `sg-1` is fine: ids are unique per type.
    check_err(
        &["bad/duplicate"],
        &[
            r#"tests/fixtures/snapshots/bad/duplicate/b.json: $.assets[1].id: expected an id unique among SecurityGroup assets, found "sg-1", already the id of tests/fixtures/snapshots/bad/duplicate/a.json: $.assets[1]"#,
        ],
    );
}

#[test]
fn unknown_type_suggests_the_closest() {
    check_err(
        &["bad/unknown_type.json"],
        &[
            r#"tests/fixtures/snapshots/bad/unknown_type.json: $.assets[0].type: expected a known asset type, found "SecurityGrup"; did you mean `SecurityGroup`? known asset types: SecurityGroup, Bucket, AccessKey, User"#,
        ],
    );
}

#[test]
fn unknown_format_names_the_versions_read() {
    // The v2 document's unknown types are not reported: only the format.
    check_err(
        &["bad/unknown_format.json"],
        &[
            r#"tests/fixtures/snapshots/bad/unknown_format.json: $.format: expected a format this engine reads: `rulec.snapshot/v1`, found "rulec.snapshot/v2""#,
        ],
    );
}

#[test]
fn missing_format() {
    check_err(
        &["bad/missing_format.json"],
        &[
            "tests/fixtures/snapshots/bad/missing_format.json: $.format: expected a `format` field naming a version this engine reads: `rulec.snapshot/v1`, found nothing (the field is missing)",
        ],
    );
}

#[test]
fn jsonl_errors_name_the_line() {
    check_err(
        &["bad/bad_line.jsonl", "valid.json"],
        &[
            "tests/fixtures/snapshots/bad/bad_line.jsonl: line 2, column 78: expected valid JSON, found key must be a string",
            r#"tests/fixtures/snapshots/bad/bad_line.jsonl: line 4: $.source_ip: expected ip, found "203.0.113.x""#,
        ],
    );
}

#[test]
fn several_errors_are_listed_together() {
    check_err(
        &["bad/several.json"],
        &[
            r#"tests/fixtures/snapshots/bad/several.json: $.taken_at: expected time (RFC 3339), found "yesterday""#,
            r#"tests/fixtures/snapshots/bad/several.json: $.assets[0]: expected an object (an asset), found "sg-1""#,
            r#"tests/fixtures/snapshots/bad/several.json: $.assets[1].type: expected an asset type, found "ApiCall", an event type; events belong in `events`"#,
            "tests/fixtures/snapshots/bad/several.json: $.assets[2].account: expected string, found 1",
            "tests/fixtures/snapshots/bad/several.json: $.assets[2].tags.env: expected string, found 1",
            "tests/fixtures/snapshots/bad/several.json: $.assets[2].ingress[0].action: expected each field once, found it a second time",
            "tests/fixtures/snapshots/bad/several.json: $.assets[2].egress: expected [SgRule], found an object",
            r#"tests/fixtures/snapshots/bad/several.json: $.assets[3].versioning: expected bool, found "yes""#,
            "tests/fixtures/snapshots/bad/several.json: $.assets[4]: expected a `type` field naming the asset type, found an object without `type`",
            "tests/fixtures/snapshots/bad/several.json: $.events[0].success: expected bool, found nothing (the field is missing)",
        ],
    );
}

#[test]
fn errors_stop_at_fifty() {
    let assets: Vec<String> = (0..60).map(|i| format!(r#"{{"type": "User", "id": "u-{i}"}}"#)).collect();
    let text = format!(
        r#"{{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": [{}]}}"#,
        assets.join(",")
    );
    let Err(errors) = load_str(&plan(), "many.json", &text, Format::Json) else { panic!("loaded") };
    // Four missing fields per user.
    assert_eq!(errors.errors.len(), 50);
    assert_eq!(errors.total(), 240);
    assert!(errors.to_string().ends_with("and 190 more errors"));
}

#[test]
fn yaml_syntax_error_has_line_and_column() {
    let errors = load_err(&["bad/syntax.yaml"]);
    assert_eq!(errors.errors.len(), 1);
    let e = &errors.errors[0];
    assert_eq!(e.file, fixture("bad/syntax.yaml"));
    assert_eq!(e.expected, "valid YAML");
    assert!(e.location.starts_with("line 5, column "), "{e}");
}

#[test]
fn json_syntax_error_has_line_and_column() {
    check_err(
        &["bad/syntax.json"],
        &["tests/fixtures/snapshots/bad/syntax.json: line 5, column 46: expected valid JSON, found trailing comma"],
    );
}

#[test]
fn inputs_that_are_not_snapshots() {
    let Err(errors) = load(&plan(), &[fixture("merged/notes.txt"), fixture("nowhere")]) else { panic!("loaded") };
    let lines: Vec<String> = errors.errors.iter().map(|e| format!("{}: {}", e.expected, e.found)).collect();
    assert_eq!(lines[0], "a .json, .yaml, .yml or .jsonl file: a `.txt` file");
    assert!(lines[1].starts_with("a snapshot file or directory: an unreadable path ("), "{}", lines[1]);
}

#[test]
fn non_object_documents_and_lists() {
    let cases = [
        (
            "[]",
            "$: expected a snapshot document (an object with `format`, `taken_at`, `assets`, `events`), found a list",
        ),
        (
            r#"{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": {}}"#,
            "$.assets: expected a list of asset objects, found an object",
        ),
        (r#"{"format": 1, "taken_at": "2026-11-20T08:00:00Z"}"#, "$.format: expected string, found 1"),
    ];
    for (text, expected) in cases {
        let Err(errors) = load_str(&plan(), "doc.json", text, Format::Json) else { panic!("{text} loaded") };
        assert_eq!(errors.to_string(), format!("doc.json: {expected}"));
    }
}

#[test]
fn unknown_top_level_keys_warn() {
    let text = r#"{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "asset": [], "importer": "x"}"#;
    let Ok(Loaded { warnings, .. }) = load_str(&plan(), "doc.json", text, Format::Json) else { panic!("failed") };
    let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "doc.json: $: unknown top-level key `asset` ignored (did you mean `assets`?)",
            "doc.json: $: unknown top-level key `importer` ignored",
        ]
    );
}

#[test]
fn a_top_level_key_given_twice_is_an_error() {
    let json = r#"{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "taken_at": "2026-11-21T08:00:00Z", "assets": []}"#;
    let Err(errors) = load_str(&plan(), "twice.json", json, Format::Json) else { panic!("taken_at twice loaded") };
    let errors = errors.to_string();
    assert!(errors.contains("$.taken_at") && errors.contains("`taken_at` a second time"), "{errors}");
}

#[test]
fn a_misspelt_field_is_kept_with_a_warning_once_per_type() {
    let bucket = |id: &str| {
        format!(
            r#"{{"type": "Bucket", "id": "{id}", "provider": "x", "account": "1", "acl": "private", "versioning": true, "logging": true, "replication_regions": [], "Encryption": "AES256", "colour": "red"}}"#
        )
    };
    let json = format!(
        r#"{{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": [{}, {}]}}"#,
        bucket("b-1"),
        bucket("b-2")
    );
    let loaded = match load_str(&plan(), "misspelt.json", &json, Format::Json) {
        Ok(loaded) => loaded,
        Err(errors) => panic!("{errors}"),
    };
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "one warning for the type, none for `colour`: {warnings:?}");
    assert!(
        warnings[0].contains("unknown field `Encryption` of Bucket")
            && warnings[0].contains("did you mean `encryption`?"),
        "{warnings:?}"
    );
}

#[test]
fn load_str_reads_every_format() {
    let yaml = "format: rulec.snapshot/v1\ntaken_at: 2026-11-20T08:00:00Z\nassets:\n  - {type: User, id: u-1, provider: x, account: '1', kind: sub_user, mfa_enabled: true}\n";
    let Ok(loaded) = load_str(&plan(), "inline.yaml", yaml, Format::Yaml) else { panic!("yaml") };
    assert_eq!(loaded.store.asset_count(), 1);
    let jsonl =
        r#"{"type": "User", "id": "u-1", "provider": "x", "account": "1", "kind": "sub_user", "mfa_enabled": true}"#;
    let Err(errors) = load_str(&plan(), "inline.jsonl", jsonl, Format::Jsonl) else { panic!("jsonl has no taken_at") };
    assert!(errors.to_string().contains("only JSONL files"), "{errors}");
}

#[test]
fn large_jsonl_is_split_in_order() {
    // More lines than one parallel part holds: order and line numbers must survive.
    let mut text = String::new();
    for i in 0..5000 {
        let second = 5000 - i; // descending times
        text.push_str(&format!(
            r#"{{"type": "ApiCall", "time": "2026-11-20T06:{:02}:{:02}Z", "access_key_id": "k{i}", "source_ip": "10.0.0.1", "user_agent": "u", "service": "s", "action": "a", "success": true}}"#,
            second / 60 % 60,
            second % 60
        ));
        text.push('\n');
    }
    text.push_str(r#"{"type": "ApiCall", "time": "2026-11-20T06:00:00Z"}"#);
    let Err(errors) = load_str(&plan(), "big.jsonl", &text, Format::Jsonl) else { panic!("loaded") };
    assert_eq!(
        errors.errors[0].to_string(),
        "big.jsonl: line 5001: $.access_key_id: expected string, found nothing (the field is missing)"
    );
}

#[test]
fn yaml_errors_name_json_paths() {
    let yaml = "format: rulec.snapshot/v1\ntaken_at: 2026-11-20T08:00:00Z\nassets:\n  - type: SecurityGroup\n    id: sg-1\n    provider: tencent\n    account: '1'\n    ingress:\n      - {priority: high, protocol: tcp, port_from: 22, port_to: 22, cidr: 10.0.0.300/24, action: accept}\n    egress: []\n";
    let Err(errors) = load_str(&plan(), "snap.yaml", yaml, Format::Yaml) else { panic!("loaded") };
    assert_eq!(
        errors.to_string(),
        "snap.yaml: $.assets[0].ingress[0].priority: expected int, found \"high\"\n\
         snap.yaml: $.assets[0].ingress[0].cidr: expected cidr, found \"10.0.0.300/24\""
    );
}

/// A document and an event log large enough to cross the loader's parallel blocks.
fn write_large_snapshot(dir: &std::path::Path, broken_at: Option<usize>) {
    let mut doc =
        String::from("{\n\"format\": \"rulec.snapshot/v1\",\n\"taken_at\": \"2026-11-20T08:00:00Z\",\n\"assets\": [\n");
    for i in 0..30_000 {
        if i > 0 {
            doc.push_str(",\n");
        }
        let comma = if broken_at == Some(i) { "," } else { "" };
        doc.push_str(&format!(
            r#"{{"type": "SecurityGroup", "id": "sg-{i}", "provider": "tencent", "account": "1", "tags": {{"n": "{i}"}}, "ingress": [{{"priority": 1, "protocol": "tcp", "port_from": 22, "port_to": 22, "source_group_id": "sg-{}", "action": "accept"{comma}}}], "egress": []}}"#,
            (i + 1) % 30_000
        ));
    }
    doc.push_str("\n]}\n");
    std::fs::write(dir.join("assets.json"), doc).expect("write");
    let mut log = String::new();
    for i in 0..50_000u32 {
        // Times go round the hour out of order; equal times keep file order.
        let minute = (i * 7) % 60;
        log.push_str(&format!(
            r#"{{"type": "ApiCall", "time": "2026-11-20T07:{minute:02}:00Z", "access_key_id": "AK{i}", "source_ip": "10.0.{}.{}", "user_agent": "ua", "service": "cvm", "action": "A", "success": true}}"#,
            i / 256 % 256,
            i % 256
        ));
        log.push('\n');
    }
    std::fs::write(dir.join("events.jsonl"), log).expect("write");
}

#[test]
fn large_snapshot_loads_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_large_snapshot(dir.path(), None);
    let Loaded { store, warnings } = match load(&plan(), &[dir.path().to_path_buf()]) {
        Ok(loaded) => loaded,
        Err(e) => panic!("{e}"),
    };
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!((store.asset_count(), store.event_count()), (30_000, 50_000));
    let sg = store.get(SECURITY_GROUP, "sg-29999").expect("last asset indexed");
    assert!(matches!(field(&store, sg, "tags"), Value::Map(m) if m.get("n").and_then(Value::as_str) == Some("29999")));
    assert_eq!(store.origin(SECURITY_GROUP, 29_999).map(|(_, at)| at), Some("$.assets[29999]".to_owned()));
    let calls = store.rows(API_CALL);
    let times: Vec<i64> = calls
        .iter()
        .map(|c| match field(&store, c, "time") {
            Value::Time(t) => *t,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    // Minute 0 is taken by i = 0, 60, 120, ...: in file order.
    let first: Vec<&str> = calls[..3].iter().map(|c| str_of(field(&store, c, "access_key_id"))).collect();
    assert_eq!(first, ["AK0", "AK60", "AK120"]);
    assert_eq!(store.origin(API_CALL, 1).map(|(_, at)| at), Some("line 61".to_owned()));
}

#[test]
fn syntax_error_deep_in_a_large_document_names_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_large_snapshot(dir.path(), Some(25_000));
    let Err(errors) = load(&plan(), &[dir.path().join("assets.json")]) else { panic!("loaded") };
    assert_eq!(errors.errors.len(), 1, "{errors}");
    let e = &errors.errors[0];
    // Line 1 is `{`, 2-4 the header, element i on line 5 + i.
    assert!(e.location.starts_with("line 25005, column "), "{e}");
    assert_eq!(e.expected, "valid JSON");
}

#[test]
fn absent_fields_by_type() {
    // Maps default to empty and optionals to none; lists must be written, `[]` when empty.
    let doc = |bucket: &str| {
        format!(
            r#"{{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": [{{"type": "Bucket", "id": "b", "provider": "p", "account": "1", "acl": "private", "versioning": true, "logging": true{bucket}}}]}}"#
        )
    };
    let Ok(Loaded { store, .. }) =
        load_str(&plan(), "doc.json", &doc(r#", "replication_regions": null"#), Format::Json)
    else {
        panic!("a null list is an empty list")
    };
    let bucket = store.get(BUCKET, "b").expect("bucket");
    assert!(matches!(field(&store, bucket, "tags"), Value::Map(m) if m.is_empty()));
    assert!(matches!(field(&store, bucket, "replication_regions"), Value::List(l) if l.is_empty()));
    assert!(field(&store, bucket, "policy").is_none());
    let Err(errors) = load_str(&plan(), "doc.json", &doc(""), Format::Json) else { panic!("loaded") };
    assert_eq!(
        errors.to_string(),
        "doc.json: $.assets[0].replication_regions: expected [string], found nothing (the field is missing)"
    );
}

#[test]
fn the_coverage_section_is_read_and_checked() {
    let doc = |coverage: &str| {
        format!(
            r#"{{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": [], "coverage": {coverage}}}"#
        )
    };
    let good = r#"[{"provider": "tencent", "account": "1", "region": "ap-guangzhou", "type": "Instance", "status": "failed", "reasons": ["cvm.DescribeInstances: AuthFailure: no"]},
                   {"provider": "tencent", "account": "1", "type": "User", "status": "collected"}]"#;
    for format in [Format::Json, Format::Yaml] {
        let Ok(Loaded { store, warnings }) = load_str(&plan(), "doc.json", &doc(good), format) else {
            panic!("loaded")
        };
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(store.coverage().len(), 2);
        assert_eq!(store.coverage()[0].reasons, ["cvm.DescribeInstances: AuthFailure: no"]);
    }
    let Err(errors) = load_str(
        &plan(),
        "doc.json",
        &doc(r#"[{"provider": "tencent", "account": "1", "type": "User", "status": "done"}]"#),
        Format::Json,
    ) else {
        panic!("an unknown status loaded")
    };
    let text = errors.to_string();
    assert!(text.starts_with("doc.json: $.coverage[0]: expected a coverage entry"), "{text}");
    assert!(text.contains("unknown variant `done`"), "{text}");
    let Err(errors) = load_str(&plan(), "doc.json", &doc("{}"), Format::Json) else { panic!("an object loaded") };
    assert_eq!(errors.to_string(), "doc.json: $.coverage: expected a list of coverage entries, found an object");
}

/// A YAML snapshot of 20,000 buckets: 2.6 MB, 460,000 nodes, past serde-saphyr's default
/// budget of 250,000 nodes, which refused valid snapshots of a few MB.
#[test]
fn a_large_yaml_snapshot_loads() {
    let mut text = String::from("format: rulec.snapshot/v1\ntaken_at: 2026-11-20T08:00:00Z\nassets:\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "  - type: Bucket\n    id: bucket-{i}\n    provider: alibaba\n    account: \"5123456789012345\"\n    \
             region: cn-hangzhou\n    acl: private\n    versioning: true\n    logging: false\n    \
             replication_regions: [cn-shanghai]\n    tags: {{owner: team-{i}}}\n"
        ));
    }
    match load_str(&plan(), "big.yaml", &text, Format::Yaml) {
        Ok(loaded) => assert_eq!(loaded.store.rows(BUCKET).len(), 20_000),
        Err(e) => panic!("{e}"),
    }
}

/// Nine levels of nine aliases ("billion laughs") would expand to 387,420,489 strings from
/// a file of 700 bytes: refused, also when the file carries 8 MiB of padding, as the budget
/// for aliases does not grow with the file.
#[test]
fn a_yaml_alias_bomb_is_refused_whatever_the_size_of_the_file() {
    for padding in [0, 8 << 20] {
        let mut text = format!("# {}\n", "x".repeat(padding));
        text.push_str("format: rulec.snapshot/v1\ntaken_at: 2026-11-20T08:00:00Z\nlaughs:\n");
        text.push_str("  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..9 {
            let previous = format!("*l{}", level - 1);
            text.push_str(&format!("  - &l{level} [{}]\n", vec![previous; 9].join(", ")));
        }
        text.push_str(
            "assets:\n  - {type: Bucket, id: b, provider: alibaba, account: \"1\", acl: private, versioning: true, \
             logging: false, replication_regions: [], bomb: *l8}\n",
        );
        let Err(errors) = load_str(&plan(), "bomb.yaml", &text, Format::Yaml) else { panic!("the bomb loaded") };
        let message = errors.to_string();
        assert!(message.starts_with("bomb.yaml: line "), "{message}");
        assert!(message.contains("budget breached") || message.contains("alias replay limit"), "{message}");
    }
}

#[test]
fn times_far_from_now_load() {
    // A key that never expires, written as the last second of 9999, and one older than 1677:
    // both beyond i64 nanoseconds, both within the runtime's time range.
    let json = r#"{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": [
        {"type": "User", "id": "u-1", "provider": "x", "account": "1", "kind": "sub_user", "mfa_enabled": true},
        {"type": "AccessKey", "id": "AKID1", "provider": "x", "account": "1", "owner_id": "u-1", "owner_kind": "user",
         "kind": "permanent", "status": "active", "created_at": "1600-01-01T00:00:00Z", "expires_at": "9999-12-31T23:59:59Z"}]}"#;
    let loaded = match load_str(&plan(), "never.json", json, Format::Json) {
        Ok(loaded) => loaded,
        Err(errors) => panic!("{errors}"),
    };
    let store = &loaded.store;
    let key = store.rows(ACCESS_KEY).iter().next().expect("the key");
    assert!(matches!(field(store, key, "expires_at"), Value::Time(t) if *t == 253_402_300_799_000_000));
    assert!(matches!(field(store, key, "created_at"), Value::Time(t) if *t == time("1600-01-01T00:00:00Z")));
}
