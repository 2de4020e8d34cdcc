//! End-to-end tests of `rulec explain`: a firing and a quiet rule on the example snapshot,
//! and the errors for an unknown rule or asset.

#[path = "support/mod.rs"]
mod support;

use support::{repo, run_in, text};

fn explain(args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    all.push("examples/snapshot.json");
    let out = run_in(&repo(), &all);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_firing_rule_shows_each_sub_expression() {
    let (code, stdout, stderr) = explain(&["NET_SG_ADMIN_PORTS_OPEN", "--asset", "sg-9dq6e2lk"]);
    assert_eq!(code, Some(0), "{stderr}");
    insta::assert_snapshot!("fires", stdout);
}

#[test]
fn a_quiet_rule_shows_what_was_false() {
    let (code, stdout, stderr) = explain(&["NET_SG_ADMIN_PORTS_OPEN", "--subject", "sg-5xk2a9pd"]);
    assert_eq!(code, Some(0), "{stderr}");
    insta::assert_snapshot!("quiet", stdout);
}

#[test]
fn unknown_rules_and_assets_are_bad_input_with_a_suggestion() {
    let (code, stdout, stderr) = explain(&["NET_SG_ADMIN_PORTS_OPN", "--asset", "sg-9dq6e2lk"]);
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    insta::assert_snapshot!("unknown_rule", stderr);
    let (code, stdout, stderr) = explain(&["NET_SG_ADMIN_PORTS_OPEN", "--asset", "sg-9dq6e2l"]);
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    insta::assert_snapshot!("unknown_asset", stderr);
}
