//! Answers saved outside the RAW layout (`tccli cvm DescribeInstances > instances.json`) are
//! placed by their shape and the command line, or refused with the flag or file name to use;
//! nothing uncertain is guessed.

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use rulec_collect::raw::Provider;
use rulec_collect::{ImportError, Imported, Options, calls, import};
use support::tree;

const ACCOUNT: &str = "100000000009";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/raw/shape").join(name)
}

fn options(provider: Option<Provider>, region: Option<&str>, account: Option<&str>) -> Options {
    Options {
        account: account.map(str::to_owned),
        provider,
        region: region.map(str::to_owned),
        taken_at: Some("2026-11-20T08:00:00Z".to_owned()),
    }
}

fn all_flags() -> Options {
    options(Some(Provider::Tencent), Some("ap-guangzhou"), Some(ACCOUNT))
}

fn error(inputs: &[PathBuf], options: &Options) -> ImportError {
    match import(inputs, options) {
        Err(err) => err,
        Ok(imported) => panic!("expected an error, imported {:?}", imported.snapshot),
    }
}

/// The error's text with `root` shown as `RAW`.
fn message(err: &ImportError, root: &Path) -> String {
    err.to_string().replace(&root.display().to_string(), "RAW")
}

#[test]
fn a_tccli_answer_gives_the_assets_of_the_same_answer_in_the_layout() {
    let bare = std::fs::read_to_string(fixture("instances.json")).expect("fixture");
    let placed = import(&[fixture("instances.json")], &all_flags()).expect("import");
    let layout = tree(&[(&format!("tencent/{ACCOUNT}/ap-guangzhou/cvm.DescribeInstances.json"), &bare)]);
    let Imported { snapshot: expected, .. } = import(&[layout.path().to_owned()], &all_flags()).expect("import");
    assert_eq!(placed.snapshot.assets, expected.assets);
    assert_eq!(placed.snapshot.coverage, expected.coverage);
    assert_eq!(placed.report.used, vec![fixture("instances.json").display().to_string()]);
    insta::assert_json_snapshot!("instances_assets", placed.snapshot.assets);
}

#[test]
fn the_provider_is_known_from_the_shape_alone() {
    let placed = import(&[fixture("instances.json")], &options(None, Some("ap-guangzhou"), Some(ACCOUNT)));
    assert_eq!(placed.expect("import").snapshot.assets.len(), 1);
}

#[test]
fn a_regional_answer_needs_region_and_account() {
    let root = fixture("instances.json").parent().expect("folder").to_owned();
    let no_region = error(&[fixture("instances.json")], &options(None, None, Some(ACCOUNT)));
    assert!(matches!(no_region, ImportError::Input(_)), "{no_region:?}");
    let global = error(&[fixture("instances.json")], &options(None, Some("global"), Some(ACCOUNT)));
    assert_eq!(message(&global, &root), message(&no_region, &root));
    let no_account = error(&[fixture("instances.json")], &options(None, Some("ap-guangzhou"), None));
    assert!(matches!(no_account, ImportError::Account(_)), "{no_account:?}");
    insta::assert_snapshot!(
        "missing_flags",
        format!("{}\n{}", message(&no_region, &root), message(&no_account, &root))
    );
}

#[test]
fn a_per_resource_answer_is_not_placed() {
    // cam.ListAttachedUserAllPolicies answers `PolicyList` for one user, unnamed in the answer.
    let err = error(&[fixture("user-policies.json")], &all_flags());
    assert!(matches!(err, ImportError::Ambiguous(_)), "{err:?}");
    let root = fixture("user-policies.json").parent().expect("folder").to_owned();
    insta::assert_snapshot!("per_resource", message(&err, &root));
}

#[test]
fn an_answer_of_several_shapes_names_them_and_asks_for_the_provider() {
    // Every key of one Tencent and one Alibaba call's shape: an answer of both.
    let shape = |provider| calls::all().find(|call| call.provider == provider && !call.shape.is_empty());
    let (tencent, alibaba) = (shape(Provider::Tencent).expect("a shape"), shape(Provider::Alibaba).expect("a shape"));
    let keys = tencent.shape.iter().chain(alibaba.shape).map(|key| format!("\"{key}\": []"));
    let text = format!("{{{}}}", keys.collect::<Vec<_>>().join(", "));
    let root = tree(&[("answer.json", &text)]);
    let file = root.path().join("answer.json");
    let err = error(std::slice::from_ref(&file), &options(None, Some("ap-guangzhou"), Some(ACCOUNT)));
    assert!(matches!(err, ImportError::Ambiguous(_)), "{err:?}");
    let text = err.to_string();
    for call in [tencent, alibaba] {
        assert!(text.contains(&format!("{} {}", call.provider.as_str(), call.name())), "{text}");
    }
    assert!(text.contains("pass --provider tencent|alibaba"), "{text}");
    let chosen = options(Some(Provider::Tencent), Some("ap-guangzhou"), Some(ACCOUNT));
    let imported = import(&[file], &chosen).expect("import with --provider");
    let skipped = &imported.report.skipped;
    assert!(skipped.iter().all(|skipped| !skipped.reason.contains("not in the RAW layout")), "{skipped:?}");
}

#[test]
fn unknown_json_and_error_answers_are_skipped() {
    let root = tree(&[
        ("unknown.json", r#"{"Foo": [1, 2]}"#),
        (
            "denied.json",
            r#"{"Response": {"Error": {"Code": "AuthFailure.UnauthorizedOperation", "Message": "no"}, "RequestId": "r"}}"#,
        ),
        ("list.json", "[1, 2]"),
        ("broken.json", r#"{"InstanceSet": ["#),
        ("notes.txt", "InstanceSet"),
    ]);
    let imported = import(&[root.path().to_owned()], &all_flags()).expect("import");
    assert!(imported.snapshot.assets.is_empty() && imported.report.not_collected.is_empty());
    let skipped: Vec<String> = imported
        .report
        .skipped
        .iter()
        .map(|skipped| format!("{} — {}", Path::new(&skipped.file).file_name().unwrap().display(), skipped.reason))
        .collect();
    insta::assert_snapshot!("skipped", skipped.join("\n"));
}
