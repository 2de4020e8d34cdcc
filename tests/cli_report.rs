//! End-to-end tests of `rulec report` through the real binary: the views' numbers on the
//! example estate, the page parsed as a browser parses it, history over three runs, geography
//! from a `.mmdb`, key masking, IP hiding and notes, and the bad inputs.

#[path = "support/mod.rs"]
mod support;

use std::path::Path;

use scraper::{Html, Selector};
use serde_json::{Value, json};
use support::{repo, rulec, text};

fn example() -> String {
    repo().join("examples/snapshot.json").display().to_string()
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    rulec().current_dir(dir).env("USER", "tester").args(args).output().expect("run rulec")
}

/// `rulec report ARGS --format json`, which must succeed.
fn json_report(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["report", "--no-timing", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

/// `rulec report ARGS` as HTML, which must succeed.
fn page(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["report", "--no-timing"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

fn count(html: &Html, selector: &str) -> usize {
    html.select(&Selector::parse(selector).expect("selector")).count()
}

#[test]
fn the_views_of_the_example_estate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = json_report(dir.path(), &[&example()]);
    let views = json!({
        "window": report["window"],
        "dashboard": report["dashboard"],
        "access_keys": report["access_keys"],
        "source_ips": report["source_ips"],
        "accounts": report["accounts"],
        "attack_paths": report["attack_paths"],
    });
    insta::assert_json_snapshot!("example_views", views);
    // The JSON form carries the check's report too, with the same findings.
    let out = run(dir.path(), &["check", "--no-timing", "--format", "json", &example()]);
    let check: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["findings"], check["findings"]);
}

#[test]
fn the_page_is_valid_self_contained_html_with_every_view_filled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["report", "--no-timing", "--framework", "mlps2.l3", &example(), "-o", "report.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let source = std::fs::read_to_string(dir.path().join("report.html")).expect("written");
    let html = Html::parse_document(&source);
    assert!(html.errors.is_empty(), "HTML parse errors: {:?}", html.errors);
    // Nothing is fetched: no external script, style, image or font.
    assert_eq!(count(&html, "script[src], link, img, iframe, object, embed"), 0);
    assert!(!source.contains("http://") || !source.contains("src=\"http"), "no remote resource");
    assert!(!source.contains("url(http"), "no remote CSS resource");
    for id in ["dashboard", "access-keys", "source-ips", "accounts", "alarms", "risks", "compliance", "attack-paths"] {
        assert_eq!(count(&html, &format!("section#{id}")), 1, "section {id}");
    }
    assert_eq!(count(&html, "#key-table tbody tr"), 11);
    assert_eq!(count(&html, "#ip-table tbody tr"), 14);
    assert_eq!(count(&html, "#account-table tbody tr"), 2);
    assert_eq!(count(&html, "#alarm-table tbody tr"), 14);
    assert_eq!(count(&html, "#risk-table tbody tr"), 143);
    assert!(count(&html, "#compliance-table tbody tr") > 10);
    // Three attack paths, each drawn with its hops and the target highlighted.
    assert_eq!(count(&html, "figure.attack-path svg"), 4);
    assert_eq!(count(&html, "figure.attack-path svg rect.node.target"), 4);
    assert!(count(&html, "figure.attack-path svg g.edge") >= 6);
    assert!(source.contains("open port 8080"), "edge labels say why");
    // Element ids are unique (one arrow marker per drawing).
    let ids: Vec<&str> =
        html.select(&Selector::parse("[id]").expect("selector")).filter_map(|e| e.value().attr("id")).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "duplicate ids");
    // The same input gives the same bytes.
    let again = page(dir.path(), &["--framework", "mlps2.l3", &example()]);
    assert_eq!(source, again);
}

#[test]
fn history_over_three_runs_feeds_trends_status_and_triage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = |name: &str| repo().join("packs/network/fixtures").join(name).display().to_string();
    let (db, lb) = (fixture("db_ports.yaml"), fixture("load_balancers.yaml"));
    let first = json_report(dir.path(), &["--store", "rulec.db", &db]);
    assert!(first["findings"].as_array().expect("findings").iter().all(|f| f["history"]["status"] == "new"));
    // The same snapshot again: the run is shown, not recorded twice.
    let same = json_report(dir.path(), &["--store", "rulec.db", &db]);
    assert_eq!(same["dashboard"]["trends"]["days"][0]["runs"], 1);
    let second = json_report(dir.path(), &["--store", "rulec.db", &db, &lb]);
    let statuses: Vec<&str> = second["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["history"]["status"].as_str())
        .collect();
    assert!(statuses.contains(&"new") && statuses.contains(&"open"), "{statuses:?}");
    let out = run(
        dir.path(),
        &[
            "triage",
            "NET_SG_DB_PORTS_OPEN",
            "sg-mysql-open",
            "--status",
            "accepted",
            "--note",
            "bastion",
            "--store",
            "rulec.db",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let third = json_report(dir.path(), &["--store", "rulec.db", &lb]);
    assert!(!third["resolved"].as_array().expect("resolved").is_empty(), "the db findings are resolved");
    let days = &third["dashboard"]["trends"]["days"];
    assert_eq!(days[0]["runs"], 3);
    let html = page(dir.path(), &["--store", "rulec.db", &db, &lb]);
    let parsed = Html::parse_document(&html);
    assert_eq!(count(&parsed, "svg.trends"), 1);
    // The accepted finding is listed with the decision, not hidden, and is not pending.
    let decided: Vec<String> = parsed
        .select(&Selector::parse("#decided-table tbody tr").expect("selector"))
        .map(|r| r.text().collect::<String>())
        .collect();
    assert!(decided.iter().any(|r| r.contains("sg-mysql-open") && r.contains("accepted: bastion")), "{decided:?}");
    let report = json_report(dir.path(), &["--store", "rulec.db", &db, &lb]);
    assert_eq!(report["dashboard"]["triaged"], 1);
}

/// A small estate: one key called from London, Changchun, a private address and an instance.
fn calls_snapshot(dir: &Path) -> String {
    let call = |ip: &str, key: &str| {
        json!({"type": "ApiCall", "time": "2026-11-20T01:00:00Z", "access_key_id": key, "source_ip": ip,
               "user_agent": "tccli", "service": "cvm", "action": "DescribeInstances", "success": true})
    };
    let snapshot = json!({
        "format": "rulec.snapshot/v1",
        "taken_at": "2026-11-20T08:00:00Z",
        "assets": [
            {"type": "AccessKey", "id": "AKIDvisible0000000000000000000001", "provider": "tencent", "account": "100000000001",
             "tags": {}, "owner_id": "100000000002", "owner_kind": "user", "kind": "permanent", "status": "active",
             "created_at": "2026-10-01T00:00:00Z"},
            {"type": "AccessKey", "id": "AKIDhidden00000000000000000000002", "provider": "tencent", "account": "100000000001",
             "tags": {}, "owner_id": "100000000002", "owner_kind": "user", "kind": "permanent", "status": "active",
             "created_at": "2026-10-01T00:00:00Z"},
        ],
        "events": [
            call("81.2.69.142", "AKIDvisible0000000000000000000001"),
            call("175.16.199.7", "AKIDvisible0000000000000000000001"),
            call("10.0.0.5", "AKIDvisible0000000000000000000001"),
            call("203.0.113.99", "AKIDhidden00000000000000000000002"),
        ],
    });
    let path = dir.join("calls.json");
    std::fs::write(&path, snapshot.to_string()).expect("write snapshot");
    path.display().to_string()
}

fn source(report: &Value, address: &str) -> Value {
    report["source_ips"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["address"] == address)
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn locations_come_from_the_mmdb_given_and_are_unknown_without_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = calls_snapshot(dir.path());
    let mmdb = repo().join("tests/fixtures/geoip/GeoLite2-City-Test.mmdb").display().to_string();
    let report = json_report(dir.path(), &["--geoip", &mmdb, &snapshot]);
    assert_eq!(
        source(&report, "81.2.69.142")["location"],
        json!({"country_code": "GB", "country": "United Kingdom", "region": "England", "city": "London"})
    );
    assert_eq!(source(&report, "175.16.199.7")["location"]["city"], "Changchun");
    assert_eq!(source(&report, "10.0.0.5")["location"], Value::Null, "a private address is not located");
    assert_eq!(source(&report, "10.0.0.5")["basis"], "private");
    let without = json_report(dir.path(), &[&snapshot]);
    assert_eq!(source(&without, "81.2.69.142")["location"], Value::Null);
    let html = page(dir.path(), &[&snapshot]);
    assert!(html.contains("unknown"), "a location without a database reads unknown");
}

#[test]
fn ip_hiding_notes_and_masked_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = calls_snapshot(dir.path());
    std::fs::write(
        dir.path().join("rulec.yaml"),
        "ip_hiding:\n  access_keys: [AKIDhidden00000000000000000000002]\n\
         ip_notes:\n  - ip: 81.2.69.142\n    note: contractor laptop\n  - cidr: 175.16.199.0/24\n    note: branch office\n",
    )
    .expect("write config");
    let report = json_report(dir.path(), &[&snapshot]);
    assert_eq!(source(&report, "81.2.69.142")["note"], "contractor laptop");
    assert_eq!(source(&report, "175.16.199.7")["note"], "branch office");
    // The hidden key's address appears nowhere; its calls are one masked row.
    let text = report.to_string();
    assert!(!text.contains("203.0.113.99"), "hidden address leaked");
    assert_eq!(source(&report, "***")["calls"], 1);
    assert!(!text.contains("AKIDhidden00000000000000000000002"), "a hidden key's id is masked");
    // --mask-keys masks every key, in the views and the findings, HTML and JSON.
    let masked = json_report(dir.path(), &["--mask-keys", &snapshot]).to_string();
    let html = page(dir.path(), &["--mask-keys", &snapshot]);
    for out in [&masked, &html] {
        assert!(!out.contains("AKIDvisible0000000000000000000001"), "key id shown");
        assert!(out.contains("AKID****0001"));
    }
}

#[test]
fn bad_inputs_exit_2_and_say_what() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = calls_snapshot(dir.path());
    let err = |args: &[&str]| {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "no partial report");
        text(&out.stderr).replace(&dir.path().display().to_string(), "[DIR]")
    };
    std::fs::write(dir.path().join("not.mmdb"), "not a database").expect("write");
    let geo = err(&["report", "--geoip", "not.mmdb", &snapshot]);
    std::fs::write(dir.path().join("bad.yaml"), "ip_notes:\n  - ip: 81.2.69.999\n    note: x\n  - cidr: 10.0.0.0/8\n")
        .expect("write");
    let config = err(&["report", "--config", "bad.yaml", &snapshot]);
    let framework = err(&["report", "--framework", "mlps9", &snapshot]);
    insta::assert_snapshot!("report_errors", [geo, config, framework].join("---\n"));
}

/// Chromium's own background traffic (updates, sign-in, dictionaries), which is not the page's.
const BROWSER_HOSTS: &[&str] = &["google.com/", "googleapis.com/", "gvt1.com/"];

#[expect(clippy::print_stderr, reason = "a test that cannot run says why")]
/// The headless Chromium command line the browser test runs; `None` when Chromium is not
/// installed and `RULEC_REQUIRE_BROWSER` (set by `.ci/run`, which installs it) is not set.
fn chromium() -> Option<std::process::Command> {
    let path = std::env::var_os("RULEC_CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into());
    if !Path::new(&path).exists() {
        assert!(
            std::env::var_os("RULEC_REQUIRE_BROWSER").is_none(),
            "Chromium is required but {} is missing: `apt-get install chromium` (.ci/run does)",
            Path::new(&path).display()
        );
        eprintln!("skipped: Chromium is not installed (.ci/run installs it)");
        return None;
    }
    let mut command = std::process::Command::new(path);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=3000",
    ]);
    Some(command)
}

#[test]
fn the_page_opens_in_headless_chromium_without_errors_or_requests() {
    let Some(mut browser) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["report", "--no-timing", "--framework", "mlps2.l3", &example(), "-o", "report.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let url = format!("file://{}", dir.path().join("report.html").display());
    let net_log = dir.path().join("net.json");
    let out = browser
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .args(["--dump-dom", &url])
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    // The script ran: filters shown, long tables paged, headers sortable.
    let dom = Html::parse_document(&text(&out.stdout));
    assert_eq!(count(&dom, "input.filter[hidden]"), 0);
    assert!(count(&dom, "input.filter") >= 6);
    assert!(count(&dom, "#risk-table tbody tr.paged-out") > 0, "the 67 risks are paged");
    assert!(count(&dom, "th[tabindex]") > 20);
    assert!(count(&dom, "figure.attack-path svg rect.node") >= 9);
    // No request but the file itself.
    let log = std::fs::read_to_string(&net_log).expect("net log");
    let requests: Vec<&str> = log
        .split("\"url\":\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|u| !u.starts_with("file://") && !BROWSER_HOSTS.iter().any(|h| u.contains(h)))
        .collect();
    assert!(requests.is_empty(), "the page fetched {requests:?}");
}

/// A screenshot of each view, checked to be drawn (not blank); with `UPDATE_SCREENSHOTS=1`
/// they replace docs/report/*.png.
#[test]
fn each_view_renders_in_a_screenshot() {
    let Some(_) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["report", "--no-timing", "--framework", "mlps2.l3", &example(), "-o", "report.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for view in ["dashboard", "access-keys", "source-ips", "accounts", "risks", "attack-paths"] {
        let png = dir.path().join(format!("{view}.png"));
        let url = format!("file://{}#only-{view}", dir.path().join("report.html").display());
        let out = chromium()
            .expect("chromium")
            .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
            .args(["--window-size=1400,900", &format!("--screenshot={}", png.display()), &url])
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium failed: {}", text(&out.stderr));
        let bytes = std::fs::read(&png).expect("screenshot written");
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 8_000, "{view}: a blank or tiny screenshot");
        if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
            let docs = repo().join("docs/report");
            std::fs::create_dir_all(&docs).expect("docs/report");
            std::fs::write(docs.join(format!("{view}.png")), &bytes).expect("write screenshot");
        }
    }
}

/// `rulec report` takes a run's inputs exactly as `rulec check` does: the same snapshots,
/// `--pack`, `--message-format`, `--only-pack` and `--plan`, with the same help.
#[test]
fn report_takes_the_inputs_of_check_with_the_same_help() {
    let help = |command: &str| {
        let out = rulec().args([command, "--help"]).output().expect("run");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    // The help from the SNAPSHOT argument to the end of the last input option's, `--plan`,
    // with whitespace folded: clap lays the two out differently (check has long helps).
    let inputs = |help: &str| -> String {
        let words = help.split_whitespace().collect::<Vec<_>>().join(" ");
        let start = words.find("<SNAPSHOT>...").expect("the SNAPSHOT argument");
        let end = words.find("instead of compiling packs").expect("--plan's help") + "instead of compiling packs".len();
        words[start..end].to_owned()
    };
    let check = inputs(&help("check"));
    assert!(check.contains("--only-pack <NAME>") && check.contains("--message-format"), "{check}");
    assert_eq!(inputs(&help("report")), check);
}
