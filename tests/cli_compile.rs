//! End-to-end tests of `rulec compile` through the real binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn rulec() -> Command {
    let mut cmd = Command::cargo_bin("rulec").expect("the rulec binary is built for tests");
    cmd.env("NO_COLOR", "1").env("COLUMNS", "100");
    cmd
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A copy of the built-in network pack in a temporary folder, with `edit` applied to one file.
fn network_copy(file: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = repo_root().join("packs/network");
    for entry in std::fs::read_dir(&source).expect("read packs/network") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            let name = path.file_name().expect("file name").to_owned();
            let mut text = std::fs::read_to_string(&path).expect("read");
            if name == file {
                text = edit(text);
            }
            std::fs::write(dir.path().join(name), text).expect("write");
        }
    }
    dir
}

fn stderr_of(output: &std::process::Output, temp: &Path) -> String {
    String::from_utf8_lossy(&output.stderr).replace(&temp.display().to_string(), "[PACK]")
}

#[test]
fn builtin_stdlib_and_packs_compile_cleanly_from_any_directory() {
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let output = rulec().arg("compile").current_dir(elsewhere.path()).output().expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "a clean compile is quiet: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_misspelled_field_in_a_copied_builtin_file_is_an_error_with_a_suggestion() {
    let pack = network_copy("security_groups.rule", |t| t.replacen("sg.ingress", "sg.ingres", 1));
    let output = rulec().args(["compile", "--pack"]).arg(pack.path()).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output, pack.path());
    assert!(stderr.contains("E0203"), "{stderr}");
    assert!(stderr.contains("did you mean `ingress`?"), "{stderr}");
    assert!(stderr.contains("security_groups.rule:"), "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn json_diagnostics_are_one_object_per_line_with_positions() {
    let pack = network_copy("security_groups.rule", |t| t.replacen("sg.ingress", "sg.ingres", 1));
    let output =
        rulec().args(["compile", "--message-format", "json", "--pack"]).arg(pack.path()).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let d = &lines[0];
    assert_eq!(d["code"], "E0203");
    assert_eq!(d["name"], "unknown-field");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["help"], "did you mean `ingress`?");
    assert!(d["file"].as_str().is_some_and(|f| f.ends_with("security_groups.rule")));
    let [start, end] = [d["byte_range"][0].as_u64(), d["byte_range"][1].as_u64()].map(|v| v.expect("offset"));
    assert_eq!(end - start, "ingres".len() as u64);
    assert!(d["start"]["line"].as_u64().is_some_and(|l| l > 1));
    assert!(d["start"]["column"].as_u64().is_some_and(|c| c > 1));
}

#[test]
fn warnings_pass_unless_denied() {
    let pack = network_copy("security_groups.rule", |t| {
        t.replacen("  for sg: SecurityGroup\n", "  for sg: SecurityGroup\n  let spare = 1\n", 1)
    });
    let output = rulec().args(["compile", "--pack"]).arg(pack.path()).output().expect("run");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("W0001"));
    let denied = rulec().args(["compile", "--deny-warnings", "--pack"]).arg(pack.path()).output().expect("run");
    assert_eq!(denied.status.code(), Some(2));
}

#[test]
fn a_folder_without_manifest_is_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = rulec().args(["compile", "--pack"]).arg(dir.path()).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output, dir.path());
    assert!(stderr.contains("`[PACK]` is not a pack folder: it has no `pack.yaml`"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
}

#[test]
fn an_unknown_manifest_key_names_the_line_and_the_expected_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("pack.yaml"), "name: acme\nversion: 1.0.0\ndescriptoin: x\n").expect("write");
    let output = rulec().args(["compile", "--pack"]).arg(dir.path()).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output, dir.path());
    assert!(stderr.contains("descriptoin") && stderr.contains("line 3"), "{stderr}");
}

#[test]
fn a_bad_flag_is_bad_input_and_help_has_examples() {
    assert_eq!(rulec().args(["compile", "--frobnicate"]).output().expect("run").status.code(), Some(2));
    let help = rulec().arg("--help").output().expect("run");
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Examples:"));
    let sub = rulec().args(["compile", "--help"]).output().expect("run");
    assert!(String::from_utf8_lossy(&sub.stdout).contains("Examples:"));
}

/// A diagnostic past column 65 535 (a 70 000-character line with the error at its end) used
/// to panic inside miette: it is rendered from an excerpt of the line, at its true position.
#[test]
fn an_error_at_the_end_of_a_very_long_line_is_reported_not_a_crash() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("pack.yaml"), "name: acme\nversion: 0.1.0\ndescription: test pack\n")
        .expect("manifest");
    let list = "1, ".repeat(23_330);
    std::fs::write(dir.path().join("long.rule"), format!("package acme\n\nconst xs: [int] = [{list}nope]\n"))
        .expect("rule file");
    let output = rulec().args(["compile", "--pack"]).arg(dir.path()).output().expect("run");
    let stderr = stderr_of(&output, dir.path());
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let column = "const xs: [int] = [".len() + list.len() + 1;
    assert!(column > 65_535);
    assert!(stderr.contains(&format!("long.rule:3:{column}]")), "{stderr}");
    assert!(stderr.contains("unknown name `nope`"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
