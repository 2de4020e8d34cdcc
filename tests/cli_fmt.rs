//! End-to-end tests of `rulec fmt` through the real binary.

mod support;

use std::path::Path;

use support::{rulec, rulec_process, run_in, run_with_reader_gone, text};

const CANONICAL: &str = "package demo\n\n/// Two ports.\nconst ports: [int] = [22, 3389]\n";
const UNFORMATTED: &str = "package   demo\n\n\n/// Two ports.\nconst ports : [int]=[ 22,3389 ]\n";

fn write(dir: &Path, relative: &str, contents: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
    std::fs::write(path, contents).expect("write a file");
}

fn read(dir: &Path, relative: &str) -> String {
    std::fs::read_to_string(dir.join(relative)).expect("read a file")
}

#[test]
fn check_passes_on_a_canonical_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.rule", CANONICAL);
    let output = run_in(dir.path(), &["fmt", "--check", "a.rule"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "0 files would be reformatted, 1 file already formatted\n");
}

#[test]
fn check_lists_and_diffs_a_file_that_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "pack/a.rule", UNFORMATTED);
    write(dir.path(), "pack/b.rule", CANONICAL);
    let output = run_in(dir.path(), &["fmt", "--check", "pack"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Would reformat: pack/a.rule"), "{stdout}");
    assert!(!stdout.contains("pack/b.rule"), "{stdout}");
    assert!(stdout.contains("-const ports : [int]=[ 22,3389 ]\n+const ports: [int] = [22, 3389]\n"), "{stdout}");
    assert!(stdout.ends_with("1 file would be reformatted, 1 file already formatted\n"), "{stdout}");
    assert_eq!(read(dir.path(), "pack/a.rule"), UNFORMATTED, "--check writes nothing");
}

#[test]
fn rewrites_changed_files_in_place_searching_directories_recursively() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "pack/a.rule", UNFORMATTED);
    write(dir.path(), "pack/nested/b.rule", UNFORMATTED);
    write(dir.path(), "pack/c.rule", CANONICAL);
    write(dir.path(), "pack/notes.txt", UNFORMATTED);
    write(dir.path(), "pack/.hidden/d.rule", UNFORMATTED);
    let output = run_in(dir.path(), &["fmt", "pack"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "Reformatted: pack/a.rule\nReformatted: pack/nested/b.rule\n2 files reformatted, 1 file left unchanged\n"
    );
    assert_eq!(read(dir.path(), "pack/a.rule"), CANONICAL);
    assert_eq!(read(dir.path(), "pack/nested/b.rule"), CANONICAL);
    assert_eq!(read(dir.path(), "pack/notes.txt"), UNFORMATTED, "only .rule files");
    assert_eq!(read(dir.path(), "pack/.hidden/d.rule"), UNFORMATTED, "hidden directories are skipped");

    let again = run_in(dir.path(), &["fmt", "pack"]);
    assert_eq!(text(&again.stdout), "0 files reformatted, 3 files left unchanged\n");
}

#[test]
fn without_paths_formats_the_current_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "sub/a.rule", UNFORMATTED);
    let output = run_in(dir.path(), &["fmt"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(read(dir.path(), "sub/a.rule"), CANONICAL);
}

#[test]
fn a_dash_formats_standard_input_to_standard_output() {
    let output = rulec().args(["fmt", "-"]).write_stdin(UNFORMATTED).output().expect("run rulec");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), CANONICAL);

    let check = rulec().args(["fmt", "--check", "-"]).write_stdin(UNFORMATTED).output().expect("run rulec");
    assert_eq!(check.status.code(), Some(1));
    assert!(text(&check.stdout).contains("+++ <stdin> (formatted)"), "{}", text(&check.stdout));

    let canonical = rulec().args(["fmt", "--check", "-"]).write_stdin(CANONICAL).output().expect("run rulec");
    assert_eq!(canonical.status.code(), Some(0));
    assert!(canonical.stdout.is_empty());
}

#[test]
fn a_file_that_does_not_parse_is_reported_like_compile_and_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = "package demo\nconst ports: [int] = [22,\n";
    write(dir.path(), "broken.rule", broken);
    write(dir.path(), "ok.rule", UNFORMATTED);
    let output = run_in(dir.path(), &["fmt", "."]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("E0103"), "{stderr}");
    assert!(stderr.contains("broken.rule:2:22"), "{stderr}");
    assert!(stderr.contains("error: 1 error, 0 warnings"), "{stderr}");
    assert!(text(&output.stdout).contains("1 file not formatted because of errors"));
    assert_eq!(read(dir.path(), "broken.rule"), broken);
    assert_eq!(read(dir.path(), "ok.rule"), CANONICAL, "the other files are still formatted");

    let stdin = rulec().args(["fmt", "-"]).write_stdin(broken).output().expect("run rulec");
    assert_eq!(stdin.status.code(), Some(2));
    assert!(text(&stdin.stderr).contains("<stdin>:2:22"), "{}", text(&stdin.stderr));
    assert!(stdin.stdout.is_empty());
}

#[test]
fn a_missing_path_is_an_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.rule", UNFORMATTED);
    let output = run_in(dir.path(), &["fmt", "a.rule", "missing.rule"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stderr), "error: no such file or directory: `missing.rule`\n");
    assert_eq!(read(dir.path(), "a.rule"), UNFORMATTED);
}

/// Formatting stays linear in the input: each level of nesting indents its lines further, so
/// unbounded nesting made the output quadratic (2,000 nested lambdas printed 4 MB and took
/// seconds, 30,000 took minutes). Nesting stops at the compiler's limit of 64 levels.
#[test]
fn nesting_past_the_limit_is_refused_so_the_output_stays_linear() {
    let ladder = |n: usize| format!("package demo\n\nconst x: int? = {}0\n", "if true then 1 else ".repeat(n));
    let at_limit = rulec().args(["fmt", "-"]).write_stdin(ladder(64)).output().expect("run rulec");
    assert_eq!(at_limit.status.code(), Some(0), "{}", text(&at_limit.stderr));
    let formatted = text(&at_limit.stdout);
    let deepest = formatted.lines().map(|l| l.len() - l.trim_start().len()).max().unwrap_or(0);
    assert!(deepest <= 2 * 64 + 4, "indented {deepest} columns");

    for deep in [ladder(2000), format!("package demo\n\nconst x: bool = [1].any({}true)\n", "x => ".repeat(2000))] {
        let output = rulec().args(["fmt", "-"]).write_stdin(deep).output().expect("run rulec");
        assert_eq!(output.status.code(), Some(2));
        assert!(text(&output.stderr).contains("nested deeper than 64 levels"), "{}", text(&output.stderr));
        assert!(output.stdout.is_empty());
    }
}

/// `rulec fmt --check | head -1`: a reader that goes away ends the run quietly (no panic
/// message) with the status of the check (1: a file would change).
#[test]
fn a_reader_that_goes_away_ends_the_check_quietly_with_its_status() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.rule", UNFORMATTED);
    let mut cmd = rulec_process();
    cmd.args(["fmt", "--check", "a.rule"]).current_dir(dir.path());
    let out = run_with_reader_gone(cmd);
    assert_eq!(text(&out.stderr), "", "no panic, no error message");
    assert_eq!(out.status.code(), Some(1));
}
