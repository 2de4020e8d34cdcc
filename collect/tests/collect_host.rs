//! `host::collect` on fixture trees of four distributions (tests/hosts/README.md): the Host
//! record and the report of each, with the file modes a real server has, then the record read
//! back through `rulec import`'s `hosts/` path, and hashes kept out of everything written.

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use rulec_collect::host::{self, HostFacts, HostOptions};
use rulec_collect::{Options, import};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hosts").join(name)
}

/// The modes the distributions give these files (git keeps none of them); others get 0644.
fn mode(os: &str, path: &str) -> u32 {
    let rhel = os == "rocky9" || os == "centos7";
    match path {
        "etc/shadow" | "etc/gshadow" if rhel => 0o000,
        "etc/shadow" | "etc/gshadow" => 0o640,
        "etc/ssh/sshd_config" if rhel => 0o600,
        "etc/ssh/ssh_host_ed25519_key" if rhel => 0o640,
        "etc/ssh/ssh_host_ed25519_key" => 0o600,
        _ => 0o644,
    }
}

/// A copy of a fixture tree with real modes (links kept as links).
fn copy(name: &str) -> tempfile::TempDir {
    let from = fixture(name);
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in walkdir::WalkDir::new(&from).min_depth(1).sort_by_file_name() {
        let entry = entry.expect("walk");
        let relative = entry.path().strip_prefix(&from).expect("inside").to_string_lossy().into_owned();
        let to = dir.path().join(&relative);
        if entry.path_is_symlink() {
            symlink(std::fs::read_link(entry.path()).expect("link"), &to).expect("symlink");
        } else if entry.file_type().is_dir() {
            std::fs::create_dir(&to).expect("dir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(mode(name, &relative))).expect("chmod");
        }
    }
    dir
}

fn collect(name: &str) -> HostFacts {
    let tree = copy(name);
    let mut facts = host::collect(tree.path(), &HostOptions::default()).expect("collect");
    owners_of_the_copy(name, tree.path(), &mut facts.record);
    facts
}

/// The copy belongs to whoever runs the tests, an account of the fixture or not: the walk
/// lists every entry, or none, as unowned (ungrouped). That is checked here and the two lists
/// are replaced by a note, so that the record does not depend on who runs the tests.
fn owners_of_the_copy(name: &str, copy: &Path, record: &mut serde_json::Value) {
    let meta = std::fs::metadata(copy).expect("stat");
    let walk = &mut record["file_walk"];
    let entries = walk["entries"].clone();
    for (list, database, id) in [("unowned", "passwd", meta.uid()), ("ungrouped", "group", meta.gid())] {
        let text = std::fs::read_to_string(fixture(name).join("etc").join(database)).expect("database");
        // The uid of a passwd line and the gid of a group line are both the third field.
        let known = text.lines().any(|line| line.split(':').nth(2) == Some(id.to_string().as_str()));
        let expected = if known { serde_json::json!(0) } else { entries.clone() };
        assert_eq!(walk[list]["total"], expected, "{name}: {list}");
        walk[list] = "every entry or none, by the user running the tests".into();
    }
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("json")
}

#[test]
fn debian12() {
    let facts = collect("debian12");
    insta::assert_snapshot!("debian12_record", pretty(&facts.record));
    assert!(facts.report.is_empty(), "{:?}", facts.report);
}

#[test]
fn ubuntu2204() {
    let facts = collect("ubuntu2204");
    insta::assert_snapshot!("ubuntu2204_record", pretty(&facts.record));
    assert!(facts.report.is_empty(), "{:?}", facts.report);
}

#[test]
fn rocky9() {
    let facts = collect("rocky9");
    insta::assert_snapshot!("rocky9_record", pretty(&facts.record));
    assert!(facts.report.is_empty(), "{:?}", facts.report);
}

/// The rpm database is opened immutable and read-only: nothing is written beside it (no
/// journal, `-shm` or lock file), and it is not changed.
#[test]
fn the_rpm_database_is_not_written() {
    let tree = copy("rocky9");
    let rpm = tree.path().join("var/lib/rpm");
    let before = std::fs::read(rpm.join("rpmdb.sqlite")).expect("rpmdb");
    let facts = host::collect(tree.path(), &HostOptions::default()).expect("collect");
    assert_eq!(facts.record["packages"].as_array().map(Vec::len), Some(13));
    let names: Vec<String> = std::fs::read_dir(&rpm)
        .expect("list")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["rpmdb.sqlite"]);
    assert!(std::fs::read(rpm.join("rpmdb.sqlite")).expect("rpmdb") == before, "rpmdb.sqlite changed");
}

#[test]
fn centos7() {
    let facts = collect("centos7");
    insta::assert_snapshot!("centos7_record", pretty(&facts.record));
    insta::assert_snapshot!("centos7_report", pretty(&facts.report));
}

#[test]
fn the_same_tree_gives_the_same_record() {
    assert_eq!(pretty(&collect("debian12").record), pretty(&collect("debian12").record));
}

#[test]
fn options_name_the_host_and_its_cloud() {
    let tree = copy("ubuntu2204");
    let options = HostOptions {
        id: Some("host-web-7".into()),
        instance_id: Some("ins-0001".into()),
        provider: Some("tencent".into()),
        account: Some("100000000001".into()),
        region: Some("ap-guangzhou".into()),
    };
    let record = host::collect(tree.path(), &options.clone()).expect("collect").record;
    assert_eq!(record["id"], "host-web-7");
    let options = HostOptions { id: None, ..options };
    assert_eq!(host::collect(tree.path(), &options).expect("collect").record["id"], "host-ins-0001");
    assert_eq!(record["instance_id"], "ins-0001");
    assert_eq!(
        (&record["provider"], &record["account"], &record["region"]),
        (&"tencent".into(), &"100000000001".into(), &"ap-guangzhou".into())
    );
}

#[test]
fn no_hash_is_written() {
    for name in ["debian12", "ubuntu2204", "rocky9", "centos7"] {
        let facts = collect(name);
        let written = format!("{}{}", pretty(&facts.record), pretty(&facts.report));
        let shadow = std::fs::read_to_string(fixture(name).join("etc/shadow")).expect("shadow");
        for hash in shadow.lines().filter_map(|line| line.split(':').nth(1)).filter(|hash| hash.len() > 3) {
            assert!(!written.contains(hash), "{name}: a hash was written");
        }
    }
}

/// The records are what `rulec import` reads from `hosts/**`: one asset each, nothing skipped.
#[test]
fn import_reads_the_records() {
    let raw = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(raw.path().join("hosts")).expect("hosts");
    for name in ["debian12", "ubuntu2204", "rocky9", "centos7"] {
        let file = raw.path().join("hosts").join(format!("{name}.json"));
        std::fs::write(file, pretty(&collect(name).record)).expect("write");
    }
    let options = Options { taken_at: Some("2026-11-20T08:00:00Z".into()), ..Options::default() };
    let imported = import(&[raw.path().to_owned()], &options).expect("import");
    assert!(imported.report.skipped.is_empty(), "{:?}", imported.report.skipped);
    assert!(imported.report.issues.is_empty(), "{:?}", imported.report.issues);
    let ids: Vec<&str> = imported.snapshot.assets.iter().map(|asset| asset.id.as_str()).collect();
    assert_eq!(ids, ["host-centos-legacy", "host-deb12-web", "host-rocky-db", "host-ubuntu-app"]);
}

/// Without read access (as a user other than root would be), the protected files are listed
/// and the accounts still come from /etc/passwd.
#[test]
fn unreadable_files_are_reported() {
    let tree = copy("rocky9");
    // Root reads any mode, so make /etc/shadow unreadable for everyone by making it a folder.
    let shadow = tree.path().join("etc/shadow");
    std::fs::remove_file(&shadow).expect("rm");
    std::fs::create_dir(&shadow).expect("mkdir");
    let facts = host::collect(tree.path(), &HostOptions::default()).expect("collect");
    assert_eq!(facts.report.unreadable[0].path, "/etc/shadow");
    assert!(facts.report.not_determined.iter().any(|n| n.fact == "empty_password, weak_password"));
    let accounts = facts.record["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 6);
    assert!(accounts.iter().all(|a| a["weak_password"] == false && a["empty_password"] == false));
}

#[test]
fn a_missing_root_is_an_error() {
    let err = host::collect(Path::new("/nonexistent/rulec"), &HostOptions::default()).expect_err("no root");
    assert_eq!(err.to_string(), "`/nonexistent/rulec` is not a folder");
}
