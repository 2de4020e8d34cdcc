//! End-to-end tests of the `ak` and `paths` packs and of `rulec graph`, through the real
//! binary on the packs' fixture snapshots: which keys, roles and buckets fire, which traps stay
//! quiet, and what the evidence holds.

#[path = "support/mod.rs"]
mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{repo, run_in, text};

/// `rulec check --format json` on a fixture: the report.
fn check(fixture: &str) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = repo().join(fixture);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--no-timing",
            "--format",
            "json",
            "--fail-on",
            "none",
            path.to_str().expect("well-formed test data"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json report")
}

/// The subjects `rule` fires on.
fn fired(report: &Value, rule: &str) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["subject"]["id"].as_str().expect("well-formed test data").to_owned())
        .collect()
}

fn finding<'r>(report: &'r Value, rule: &str, subject: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .expect("well-formed test data")
        .iter()
        .find(|f| f["rule"] == rule && f["subject"]["id"] == subject)
        .unwrap_or_else(|| panic!("{rule} on {subject} is missing"))
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn key_rules_fire_on_exactly_the_seeded_keys() {
    let report = check("packs/ak/fixtures/keys.yaml");
    assert_eq!(fired(&report, "AK_ROOT_ACCOUNT_KEY"), set(&["ak-root"]));
    assert_eq!(fired(&report, "AK_UNUSED_90D"), set(&["ak-edge", "ak-idle", "ak-never"]));
    assert_eq!(fired(&report, "AK_NOT_ROTATED_90D"), set(&["ak-edge", "ak-idle", "ak-never", "ak-root"]));
    assert_eq!(fired(&report, "AK_HIGH_PRIVILEGE"), set(&["ak-admin", "ak-cam", "ak-cond", "ak-root"]));
    assert_eq!(fired(&report, "AK_USER_MULTIPLE_ACTIVE"), set(&["u-two"]));
}

#[test]
fn high_privilege_evidence_recommends_the_actions_the_key_called() {
    let report = check("packs/ak/fixtures/keys.yaml");
    let evidence = &finding(&report, "AK_HIGH_PRIVILEGE", "ak-admin")["evidence"];
    assert_eq!(evidence["policies"], serde_json::json!(["AdministratorAccess"]));
    assert_eq!(evidence["unused_grants"], serde_json::json!([]));
    // The failed cam:DeleteUser is not a need; the successful reads are.
    assert_eq!(
        evidence["recommended_policy"],
        serde_json::json!({"version": "2.0", "statement": [
            {"effect": "allow", "action": ["cos:GetObject"], "resource": ["*"]},
            {"effect": "allow", "action": ["cvm:DescribeInstances"], "resource": ["*"]},
        ]})
    );
}

#[test]
fn alarms_fire_once_per_key_and_skip_their_look_alikes() {
    let report = check("packs/ak/fixtures/alarms.yaml");
    assert_eq!(fired(&report, "AK_ALARM_HACKER_TOOL"), set(&["ak-tool", "ak-truffle"]));
    assert_eq!(fired(&report, "AK_ALARM_LEAKED"), set(&["ak-leaked"]));
    assert_eq!(fired(&report, "AK_ALARM_SENSITIVE_API_ABNORMAL_IP"), set(&["ak-newuser", "ak-sens"]));
    assert_eq!(fired(&report, "AK_ALARM_RECON_BURST"), set(&["ak-recon"]));
    for f in report["findings"].as_array().expect("well-formed test data").iter().filter(|f| f["kind"] == "alarm") {
        assert_eq!(f["subject"]["type"], "AccessKey", "{f}");
    }
}

#[test]
fn alarm_evidence_lists_the_calls_owner_and_advice() {
    let report = check("packs/ak/fixtures/alarms.yaml");
    let tool = &finding(&report, "AK_ALARM_HACKER_TOOL", "ak-tool")["evidence"];
    assert_eq!(tool["count"], 2);
    let call = &tool["calls"][0];
    for key in ["time", "source_ip", "service", "action", "user_agent"] {
        assert!(call.get(key).is_some(), "a call lacks {key}: {call}");
    }
    assert_eq!(tool["owner"], "u-a");
    assert_eq!(tool["policies"], serde_json::json!(["cos-full"]));
    assert_eq!(
        tool["recommended_policy"]["statement"][0]["action"],
        serde_json::json!(["cos:GetBucket", "cos:GetService"])
    );

    // Only the call after the report from outside counts: not the one before it, nor those
    // from the office network or from one of our instances.
    let leak = &finding(&report, "AK_ALARM_LEAKED", "ak-leaked")["evidence"];
    assert_eq!(leak["url"], "https://github.com/example/repo/blob/main/config.py");
    assert_eq!(leak["external_calls_after_report_count"], 1);
    assert_eq!(leak["external_calls_after_report"][0]["time"], "2026-11-19T11:00:00Z");

    let burst = &finding(&report, "AK_ALARM_RECON_BURST", "ak-recon")["evidence"];
    assert_eq!(burst["count"], 20);
    assert_eq!(burst["calls"].as_array().map(Vec::len), Some(20));
    assert_eq!(burst["first_seen"], "2026-11-19T15:00:00Z");
}

#[test]
fn paths_fire_on_reachable_admin_roles_and_core_buckets_only() {
    let admins = check("packs/paths/fixtures/admin_roles.yaml");
    assert_eq!(
        fired(&admins, "PATH_INTERNET_TO_ADMIN_ROLE"),
        set(&["role-admin", "role-ali", "role-open-qcs", "role-open-ram"])
    );
    let cores = check("packs/paths/fixtures/core_buckets.yaml");
    assert_eq!(fired(&cores, "PATH_INTERNET_TO_CORE_BUCKET"), set(&["core-1"]));
}

#[test]
fn a_path_finding_lists_every_hop_from_the_internet() {
    let report = check("packs/paths/fixtures/core_buckets.yaml");
    let hops = &finding(&report, "PATH_INTERNET_TO_CORE_BUCKET", "core-1")["evidence"]["hops"];
    assert_eq!(
        hops,
        &serde_json::json!([
            {"type": "Internet", "id": "Internet", "edge": null},
            {"type": "Instance", "id": "ins-app", "edge": "paths.exposes"},
            {"type": "Role", "id": "role-writer", "edge": "paths.assumes"},
            {"type": "Bucket", "id": "core-1", "edge": "paths.controls"},
        ])
    );
}

/// A role any principal may assume is one hop from the internet, and the hop says why.
#[test]
fn a_role_any_principal_may_assume_is_reachable_from_the_internet() {
    let report = check("packs/paths/fixtures/admin_roles.yaml");
    let open = finding(&report, "PATH_INTERNET_TO_ADMIN_ROLE", "role-open-ram");
    assert_eq!(
        open["evidence"]["hops"],
        serde_json::json!([
            {"type": "Internet", "id": "Internet", "edge": null},
            {"type": "Role", "id": "role-open-ram", "edge": "paths.any_principal_may_assume"},
        ])
    );
    assert_eq!(
        open["message"],
        "administrator role role-open-ram is reachable from the internet through a trust policy any principal may \
         assume"
    );
}

fn graph(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = repo().join("packs/paths/fixtures/core_buckets.yaml");
    let mut all = vec!["graph"];
    all.extend_from_slice(args);
    all.push(snapshot.to_str().expect("well-formed test data"));
    run_in(dir.path(), &all)
}

#[test]
fn graph_draws_the_paths_found_in_every_format() {
    let out = graph(&["--paths-only", "--format", "mermaid"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("paths_only_mermaid", text(&out.stdout));
    let out = graph(&["--paths-only", "--format", "json"]);
    let json: Value = serde_json::from_slice(&out.stdout).expect("json drawing");
    // The core bucket's path (4 nodes, 3 edges) and the Alibaba admin role's (2 more of each).
    assert_eq!(json["nodes"].as_array().map(Vec::len), Some(6));
    assert_eq!(json["edges"].as_array().map(Vec::len), Some(5));
}

#[test]
fn the_whole_graph_has_more_than_the_paths() {
    let whole: Value = serde_json::from_slice(&graph(&["--format", "json"]).stdout).expect("json");
    let edges: BTreeSet<String> = whole["edges"]
        .as_array()
        .expect("well-formed test data")
        .iter()
        .map(|e| format!("{}->{}", e["from"]["id"], e["to"]["id"]))
        .collect();
    // An explicit deny removes the denied role's write edges; the Alibaba role reaches no
    // Tencent bucket; every exposed instance is drawn, reported or not.
    assert!(!edges.iter().any(|e| e.starts_with("\"role-denied\"")), "{edges:?}");
    assert!(!edges.iter().any(|e| e.starts_with("\"role-ali\"")), "{edges:?}");
    assert!(edges.contains("\"Internet\"->\"ins-ali\""), "{edges:?}");
    assert!(edges.contains("\"ins-denied\"->\"role-denied\""), "{edges:?}");
}

#[test]
fn dot_output_renders_with_graphviz() {
    let out = graph(&["--format", "dot"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    assert!(dot.starts_with("digraph rulec {"), "{dot}");
    let Ok(mut child) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("graphviz `dot` is not installed: the rendering check is skipped");
        return;
    };
    use std::io::Write;
    child.stdin.take().expect("well-formed test data").write_all(dot.as_bytes()).expect("well-formed test data");
    let rendered = child.wait_with_output().expect("well-formed test data");
    assert!(rendered.status.success(), "dot failed: {}", text(&rendered.stderr));
    assert!(text(&rendered.stdout).contains("<svg"), "no svg");
}

#[test]
fn graph_rejects_a_bad_snapshot_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.json");
    let out = run_in(dir.path(), &["graph", missing.to_str().expect("well-formed test data")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("missing.json"), "{}", text(&out.stderr));
}

/// The resource graph's joins and shortcuts (lookups by id, the hash join on
/// `source.provider == target.provider`, parts judged once per end) give exactly the edges a
/// straightforward judgement of every (source, target) pair gives, on a synthetic estate of
/// both clouds with administrator roles, plain roles and buckets of each provider.
#[test]
fn graph_edges_equal_a_pair_by_pair_judgement() {
    use rulec_runtime::graph::Node;

    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("synthetic.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&snapshot).expect("create"));
    let spec = rulec_runtime::synth::Spec { assets: 2_000, events_per_asset: 1, seed: 11 };
    rulec_runtime::synth::write(spec, &mut file).expect("generate");
    drop(file);
    let compiled = run_in(dir.path(), &["compile", "-o", "plan.json"]);
    assert_eq!(compiled.status.code(), Some(0), "{}", text(&compiled.stderr));
    let plan: rulec_runtime::plan::Plan =
        serde_json::from_slice(&std::fs::read(dir.path().join("plan.json")).expect("plan")).expect("plan json");
    let loaded = rulec_runtime::snapshot::load(&plan, &[snapshot]).expect("load");
    let engine = rulec_runtime::eval::Engine::new(&plan, &loaded.store).expect("engine");
    let (graph, names) = engine.graph().expect("graph");
    let built: BTreeSet<(Node, Node, u16)> = graph.edges().into_iter().collect();

    let mut judged = BTreeSet::new();
    let nodes = |ty: Option<u32>| -> Vec<Node> {
        match ty {
            None => vec![Node::INTERNET],
            Some(ty) => (0..loaded.store.rows(ty).len() as u32).map(|row| Node { ty: Some(ty), row }).collect(),
        }
    };
    for (kind, edge) in plan.edges.iter().enumerate() {
        let kind = kind as u16;
        for source in nodes(edge.from) {
            for target in nodes(Some(edge.to)) {
                if engine.edge_holds(kind, source, target).expect("judge") {
                    judged.insert((source, target, kind));
                }
            }
        }
    }
    for (kind, name) in names.iter().enumerate() {
        let count = |set: &BTreeSet<(Node, Node, u16)>| set.iter().filter(|e| e.2 == kind as u16).count();
        // The generator writes no role that anyone may assume.
        if *name != "paths.any_principal_may_assume" {
            assert!(count(&judged) > 0, "the estate has `{name}` edges");
        }
        assert_eq!(count(&built), count(&judged), "`{name}` edges");
    }
    assert!(built == judged, "the graph's edges differ from a pair-by-pair judgement");
}
