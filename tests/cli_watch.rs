//! End-to-end tests of `--watch`: the real `rulec` on a pack and a snapshot in a temporary
//! folder, edited while it runs, the way an author works. Every expected line is waited for
//! (30 s at most, so a regression fails instead of hanging); nothing asserts timing.

#[path = "support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use support::rulec_process;

const PATIENCE: Duration = Duration::from_secs(30);

/// A running `rulec ... --watch` and the lines it printed, from both streams.
struct Watching {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    /// Where the current step's lines start in `seen`.
    step: usize,
}

impl Watching {
    fn start(dir: &Path, args: &[&str]) -> Watching {
        let mut child = rulec_process()
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rulec");
        let (sender, lines) = mpsc::channel();
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("piped stdout")),
            Box::new(child.stderr.take().expect("piped stderr")),
        ];
        for stream in streams {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Watching { child, lines, seen: Vec::new(), step: 0 }
    }

    /// Waits for a line of the current step (since the last [`Watching::next_step`]) for which
    /// `wanted` holds, and returns it.
    fn expect(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut checked = self.step;
        loop {
            if let Some(line) = self.seen[checked..].iter().find(|l| wanted(l)) {
                return line.clone();
            }
            checked = self.seen.len();
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no line {what} within {PATIENCE:?}; rulec printed:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Waits for the status line that ends a run, and starts the next step after it.
    fn expect_status(&mut self, status: &str) {
        let wanted = format!("[watch] {status} — waiting for changes");
        self.expect(&format!("`{wanted}`"), |l| l == wanted);
        self.next_step();
    }

    fn next_step(&mut self) {
        self.step = self.seen.len();
    }

    /// Stops rulec as Ctrl-C would, and returns its exit code.
    #[cfg(unix)]
    fn interrupt(mut self) -> Option<i32> {
        let sent = std::process::Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -INT");
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait for rulec") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("rulec did not stop on SIGINT within {PATIENCE:?}");
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write a test file");
}

const RULE: &str = "package acme\n\nrule ACME_BUCKET_NO_LOGGING {\n  title \"Bucket logging is off\"\n  \
                    severity low\n  for b: Bucket\n  when not b.logging\n}\n";

fn bucket(id: &str, logging: bool) -> String {
    format!(
        "  - {{type: Bucket, id: {id}, provider: tencent, account: \"1\", tags: {{}}, acl: private, \
         versioning: true, logging: {logging}, replication_regions: []}}\n"
    )
}

fn snapshot(buckets: &[String]) -> String {
    format!("format: rulec.snapshot/v1\ntaken_at: \"2026-11-20T08:00:00Z\"\nassets:\n{}", buckets.concat())
}

/// A pack `acme` with one rule, in `dir/acme`.
fn pack(dir: &Path) {
    std::fs::create_dir_all(dir.join("acme/fixtures")).expect("pack folder");
    write(&dir.join("acme/pack.yaml"), "name: acme\nversion: 0.1.0\n");
    write(&dir.join("acme/buckets.rule"), RULE);
}

#[test]
fn check_watch_prints_new_and_resolved_findings_compile_errors_and_bad_snapshots() {
    let dir = tempfile::tempdir().expect("temp dir");
    pack(dir.path());
    let snap = dir.path().join("snap.yaml");
    let rule = dir.path().join("acme/buckets.rule");
    write(&snap, &snapshot(&[bucket("b-quiet", true)]));
    let mut rulec =
        Watching::start(dir.path(), &["check", "--watch", "--pack", "acme", "--only-pack", "acme", "snap.yaml"]);

    // The baseline: the whole report, as without --watch (JSON, since stdout is a pipe).
    rulec.expect("with the report's findings", |l| l == "  \"findings\": [],");
    rulec.expect_status("0 findings");

    write(&snap, &snapshot(&[bucket("b-quiet", true), bucket("b-loud", false)]));
    rulec.expect("with the new finding", |l| l.starts_with("+ ACME_BUCKET_NO_LOGGING Bucket/b-loud: "));
    rulec.expect_status("1 new, 0 resolved, 1 finding");

    write(&rule, &RULE.replace("b.logging", "b.loging"));
    rulec.expect("with the compile error", |l| l.contains("no field `loging` on `Bucket`"));
    rulec.expect("with the file and position", |l| l.contains("acme/buckets.rule:7:14"));
    rulec.expect_status("compile failed: 1 error, 0 warnings");

    write(&rule, RULE);
    rulec.expect_status("compile errors fixed; 0 new, 0 resolved, 1 finding");

    write(&snap, &(snapshot(&[bucket("b-quiet", true)]) + "nonsense: [\n"));
    rulec.expect("with the invalid snapshot", |l| l.starts_with("snap.yaml: line 5, column 11: expected valid YAML"));
    rulec.expect_status("nothing evaluated (see the errors above)");

    write(&snap, &snapshot(&[bucket("b-quiet", true)]));
    rulec.expect("with the resolved finding", |l| l.starts_with("- ACME_BUCKET_NO_LOGGING Bucket/b-loud: "));
    rulec.expect_status("0 new, 1 resolved, 0 findings");

    // A new rule file is compiled, and its rule evaluated.
    write(
        &dir.path().join("acme/more.rule"),
        &RULE.replace("ACME_BUCKET_NO_LOGGING", "ACME_AGAIN").replace("not ", ""),
    );
    rulec.expect("with the new rule's finding", |l| l.starts_with("+ ACME_AGAIN Bucket/b-quiet: "));
    rulec.expect_status("1 new, 0 resolved, 1 finding");

    #[cfg(unix)]
    assert_eq!(rulec.interrupt(), Some(0), "Ctrl-C ends watching with success");
}

#[test]
fn test_watch_prints_the_tests_whose_verdict_changed() {
    let dir = tempfile::tempdir().expect("temp dir");
    pack(dir.path());
    write(&dir.path().join("acme/fixtures/buckets.yaml"), &snapshot(&[bucket("b-loud", false)]));
    let tests = |subject: &str| {
        format!(
            "{RULE}\ntest \"the loud bucket fires\" {{\n  given \"fixtures/buckets.yaml\"\n  expect ACME_BUCKET_NO_LOGGING on \"{subject}\"\n}}\n"
        )
    };
    write(&dir.path().join("acme/buckets.rule"), &tests("b-loud"));
    let mut rulec = Watching::start(dir.path(), &["test", "--watch", "--pack", "acme", "--filter", "acme:"]);
    rulec.expect("with the passing test", |l| l == "ok     acme: the loud bucket fires");
    rulec.expect("with the summary", |l| l == "1 passed, 0 failed");
    rulec.expect_status("1 passed, 0 failed");

    // A fixture edit makes the test fail.
    write(&dir.path().join("acme/fixtures/buckets.yaml"), &snapshot(&[bucket("b-loud", true)]));
    rulec.expect("with the failing test", |l| l.starts_with("FAILED acme: the loud bucket fires"));
    rulec.expect("with the summary", |l| l == "0 passed, 1 failed");
    rulec.expect_status("1 now failing, 0 now passing");

    write(&dir.path().join("acme/fixtures/buckets.yaml"), &snapshot(&[bucket("b-loud", false)]));
    rulec.expect("with the passing test", |l| l == "ok     acme: the loud bucket fires");
    rulec.expect_status("0 now failing, 1 now passing");
}
