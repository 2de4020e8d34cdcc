//! End-to-end tests of `rulec explain`: a firing and a quiet rule on the example snapshot,
//! the errors for an unknown rule or asset, and the overview of a rule without `--asset`.

#[path = "support/mod.rs"]
mod support;

use serde_json::json;
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

#[test]
fn without_an_asset_the_rule_and_where_it_fires_are_shown() {
    let (code, stdout, stderr) = explain(&["AK_NOT_ROTATED_90D"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("source    packs/ak/keys.rule:"), "{stdout}");
    insta::assert_snapshot!("overview", stdout);
}

#[test]
fn without_an_asset_an_unknown_rule_is_bad_input_with_a_suggestion() {
    let (code, stdout, stderr) = explain(&["NET_SG_ADMIN_PORTS_OPN"]);
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    insta::assert_snapshot!("unknown_rule", stderr);
}

/// Past 20 fired subjects the list is cut and the rest counted, in id order.
#[test]
fn a_long_list_of_fired_subjects_is_cut() {
    let dir = tempfile::tempdir().expect("tempdir");
    let groups: Vec<_> = (0..30)
        .map(|i| {
            let port = if i % 5 == 0 { 80 } else { 22 };
            json!({
                "type": "SecurityGroup", "id": format!("sg-{:02}", 29 - i), "provider": "tencent",
                "account": "1", "tags": {},
                "ingress": [{ "priority": 1, "protocol": "tcp", "port_from": port, "port_to": port,
                              "cidr": "0.0.0.0/0", "action": "accept" }],
                "egress": [],
            })
        })
        .collect();
    let snapshot = json!({ "format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": groups });
    std::fs::write(dir.path().join("many.json"), snapshot.to_string()).expect("write");
    let out = run_in(dir.path(), &["explain", "NET_SG_ADMIN_PORTS_OPEN", "many.json"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let summary = stdout.split("In the snapshot").nth(1).unwrap_or_default();
    insta::assert_snapshot!("overview_cut", summary);
}
