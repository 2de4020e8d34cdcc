//! The data-driven diagnostics suite.
//!
//! Every `tests/diagnostics/*.rule` file is compiled as its own pack next to the standard
//! library, and its diagnostics — rendered for people and as JSON lines — are one insta
//! snapshot in `tests/snapshots/`. A fixture named after a code (`E0203_unknown_field.rule`)
//! must produce that code. A coverage test keeps `Code::ALL`, the fixtures and
//! `docs/diagnostics.md` in step.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test diagnostics` (or
//! `cargo insta review`), then read every changed one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rulec_compiler::compilation::Compilation;
use rulec_compiler::diagnostics::Code;
use rulec_compiler::diagnostics::render::{self, HumanStyle};
use rulec_compiler::packs::{self, Manifest, Origin, Pack, RuleFile};

/// Codes without a fixture, each with the reason. Keep this list short: a code that can be
/// produced gets a fixture.
const WITHOUT_FIXTURE: &[(&str, &str)] = &[
    // E0106 dangling-doc-comment is only produced for a file holding nothing but `///` lines,
    // which cannot start with the `//` comment every fixture starts with (and also lacks a
    // package). A doc comment after the last item of a real file is reported as E0101 instead.
    ("E0106", "reachable only from a file of nothing but doc comments"),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures_dir() -> PathBuf {
    repo_root().join("tests/diagnostics")
}

/// The code a fixture's file name claims (`E0203` in `E0203_unknown_field.rule`), if the part
/// before the first `_` looks like a code.
fn claimed_code(stem: &str) -> Option<&str> {
    let prefix = stem.split('_').next()?;
    let mut chars = prefix.chars();
    let looks_like_code =
        prefix.len() == 5 && matches!(chars.next(), Some('E' | 'W')) && chars.all(|c| c.is_ascii_digit());
    looks_like_code.then_some(prefix)
}

fn code_named(code: &str) -> Option<Code> {
    Code::ALL.iter().copied().find(|c| c.as_str() == code)
}

/// The standard library plus one pack holding only `text`, under the stable path `path`.
fn compile_fixture(path: &str, text: String) -> Compilation {
    let std_pack = packs::builtin().into_iter().next().expect("the standard library is the first built-in pack");
    assert_eq!(std_pack.manifest.name, packs::STD_PACK);
    let fixture_pack = Pack {
        manifest: Manifest {
            name: "fixtures".to_owned(),
            version: "0.0.0".to_owned(),
            description: None,
            requires: Vec::new(),
        },
        origin: Origin::Dir(fixtures_dir()),
        files: vec![RuleFile { path: path.to_owned(), text }],
    };
    Compilation::new(&[std_pack, fixture_pack])
}

/// The leading `//` comment of a fixture, as one line, for the snapshot header.
fn leading_comment(text: &str) -> String {
    text.lines()
        .map_while(|l| l.strip_prefix("//").filter(|rest| !rest.starts_with('/')))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every fixture: (file name, text), sorted by name.
fn fixtures() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixtures_dir())
        .expect("read tests/diagnostics")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rule"))
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).expect("fixture names are UTF-8").to_owned();
            (name, std::fs::read_to_string(&p).expect("read fixture"))
        })
        .collect();
    out.sort();
    out
}

/// One snapshot per fixture: the human rendering and the JSON lines of its diagnostics.
#[test]
fn fixture() {
    insta::glob!("diagnostics/*.rule", |path| {
        let name = path.file_name().and_then(|n| n.to_str()).expect("fixture names are UTF-8");
        let text = std::fs::read_to_string(path).expect("read fixture");
        let comment = leading_comment(&text);
        let compilation = compile_fixture(&format!("tests/diagnostics/{name}"), text);
        let diagnostics = compilation.diagnostics();
        let human = render::human(&diagnostics, &compilation, HumanStyle { color: false, width: 100 });
        let json = render::json_lines(&diagnostics, &compilation);
        let snapshot =
            format!("=== human ({})\n\n{}\n\n=== json\n\n{}", render::summary(&diagnostics), human.trim_end(), json);
        insta::with_settings!({ description => comment, omit_expression => true }, {
            insta::assert_snapshot!(snapshot);
        });
    });
}

/// Checks that do not depend on the snapshots: a fixture named after a code produces that
/// code, every fixture says what it shows, and the standard library stays clean.
#[test]
fn every_fixture_produces_the_code_in_its_name() {
    let mut failures: Vec<String> = Vec::new();
    for (name, text) in fixtures() {
        if leading_comment(&text).is_empty() {
            failures.push(format!("{name}: must start with a `//` comment saying what it shows"));
        }
        let shown_path = format!("tests/diagnostics/{name}");
        let diagnostics = compile_fixture(&shown_path, text).diagnostics();
        for d in diagnostics.iter().filter(|d| d.file != shown_path) {
            failures.push(format!("{name}: diagnostic outside the fixture: {} in {}", d.code.as_str(), d.file));
        }
        let produced: BTreeSet<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        if let Some(code) = claimed_code(name.trim_end_matches(".rule")) {
            if code_named(code).is_none() {
                failures.push(format!("{name}: `{code}` is not a diagnostic code"));
            } else if !produced.contains(code) {
                failures.push(format!("{name}: expected {code} among the diagnostics, got {produced:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "fixture problems:\n  {}", failures.join("\n  "));
}

#[test]
fn every_code_has_a_fixture_and_a_documentation_section() {
    let fixtures: Vec<String> = fixtures().into_iter().map(|(name, _)| name).collect();
    let docs = std::fs::read_to_string(repo_root().join("docs/diagnostics.md")).expect("read docs/diagnostics.md");
    let headings: Vec<&str> = docs.lines().filter_map(|l| l.strip_prefix("## ")).collect();

    let mut missing_fixtures = Vec::new();
    let mut missing_docs = Vec::new();
    let mut stale_exemptions = Vec::new();
    for code in Code::ALL {
        let has_fixture = fixtures.iter().any(|f| f.starts_with(&format!("{}_", code.as_str())));
        let exempt = WITHOUT_FIXTURE.iter().any(|(c, _)| *c == code.as_str());
        match (has_fixture, exempt) {
            (false, false) => missing_fixtures.push(format!("{} {}", code.as_str(), code.slug())),
            (true, true) => stale_exemptions.push(code.as_str()),
            _ => {}
        }
        let heading = format!("{} {}", code.as_str(), code.slug());
        if !headings.contains(&heading.as_str()) {
            missing_docs.push(format!("## {heading}"));
        }
    }
    let unknown_exemptions: Vec<&str> =
        WITHOUT_FIXTURE.iter().map(|(c, _)| *c).filter(|c| code_named(c).is_none()).collect();
    // Every heading that names a code must name a real one, with its current slug.
    let stale_headings: Vec<&str> = headings
        .iter()
        .copied()
        .filter(|h| claimed_code(h.split(' ').next().unwrap_or("")).is_some())
        .filter(|h| !Code::ALL.iter().any(|c| *h == format!("{} {}", c.as_str(), c.slug())))
        .collect();

    assert!(
        missing_fixtures.is_empty()
            && missing_docs.is_empty()
            && stale_exemptions.is_empty()
            && unknown_exemptions.is_empty()
            && stale_headings.is_empty(),
        "codes without a fixture in tests/diagnostics/ (name it `<CODE>_<slug>.rule`): {missing_fixtures:?}\n\
         codes without a section in docs/diagnostics.md: {missing_docs:?}\n\
         exempted codes that now have a fixture (drop them from WITHOUT_FIXTURE): {stale_exemptions:?}\n\
         exempted codes that do not exist: {unknown_exemptions:?}\n\
         docs/diagnostics.md headings naming no current code and slug: {stale_headings:?}"
    );
}
