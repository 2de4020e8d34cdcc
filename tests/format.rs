//! The formatter on real and generated files.
//!
//! - every fixture in `tests/format/` (written in a non-canonical layout on purpose) has its
//!   formatted text as an insta snapshot in `tests/snapshots/`;
//! - every file of `stdlib-rules/` and `packs/`, and the generated benchmark pack, formats to
//!   text that parses to the same tree and formats to itself;
//! - the same files with a comment added at the end of every line, before every expression,
//!   or between every two tokens, keep every comment.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test format` (or
//! `cargo insta review`), then read every changed one.

use std::path::{Path, PathBuf};

use rulec_compiler::bench_support;
use rulec_compiler::format::{format_source, same_syntax};
use rulec_compiler::syntax;
use rulec_compiler::syntax::ast::SourceAst;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Formats `text`, checks that the result parses to the same tree and is a fixed point, and
/// returns it.
#[track_caller]
fn round_trip(name: &str, text: &str) -> String {
    let formatted = format_source(text).unwrap_or_else(|e| panic!("{name}: {e} {e:?}"));
    let (before, _) = syntax::parse(name, text);
    let (after, diagnostics) = syntax::parse(name, &formatted);
    assert!(diagnostics.is_empty(), "{name}: the output has diagnostics: {diagnostics:?}\n{formatted}");
    assert!(same_syntax(&before, &after), "{name}: the output means something else:\n{formatted}");
    let again = format_source(&formatted).unwrap_or_else(|e| panic!("{name}, formatted again: {e}"));
    assert_eq!(again, formatted, "{name}: formatting is not idempotent");
    formatted
}

/// Every `.rule` file under `dir`, recursively, sorted.
fn rule_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk the directory").into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rule"))
        .collect();
    files.sort();
    files
}

/// The built-in `.rule` files, read from disk: name and text.
fn builtin_files() -> Vec<(String, String)> {
    let root = repo_root();
    let files: Vec<(String, String)> = ["stdlib-rules", "packs"]
        .iter()
        .flat_map(|dir| rule_files(&root.join(dir)))
        .map(|path| {
            let name = path.strip_prefix(&root).expect("under the repository").display().to_string();
            (name, std::fs::read_to_string(&path).expect("read a built-in file"))
        })
        .collect();
    assert!(files.len() > 20, "the built-in files are found");
    files
}

#[test]
fn formats() {
    insta::glob!("format/*.rule", |path| {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let formatted = round_trip(&path.display().to_string(), &text);
        insta::with_settings!({ omit_expression => true }, {
            insta::assert_snapshot!(formatted);
        });
    });
}

#[test]
fn every_builtin_file_round_trips() {
    for (name, text) in builtin_files() {
        round_trip(&name, &text);
    }
}

/// The helper file and a few rule files: the rule files are generated from the same
/// templates, and parsing in a debug build is slow enough to make all of them cost seconds.
#[test]
fn the_generated_benchmark_pack_round_trips() {
    for file in bench_support::pack().files.iter().take(3) {
        round_trip(&file.path, &file.text);
    }
}

#[test]
fn a_comment_at_the_end_of_every_line_is_kept() {
    for (name, text) in builtin_files() {
        let commented: String = text
            .lines()
            .enumerate()
            .map(|(n, line)| if line.trim().is_empty() { "\n".to_owned() } else { format!("{line} // end {n}\n") })
            .collect();
        round_trip(&name, &commented);
    }
}

#[test]
fn a_comment_before_every_expression_is_kept() {
    for (name, text) in builtin_files() {
        let (ast, _) = syntax::parse(&name, &text);
        let mut starts = expression_starts(&ast);
        starts.sort_unstable();
        starts.dedup();
        let mut commented = text.clone();
        for (n, at) in starts.into_iter().enumerate().rev() {
            commented.insert_str(at, &format!("// before {n}\n"));
        }
        round_trip(&name, &commented);
    }
}

#[test]
fn a_comment_between_every_two_tokens_is_kept() {
    let files = builtin_files();
    let mut formatted = 0;
    for (name, text) in &files {
        let commented = comment_between_tokens(text);
        // A template whose holes hold strings is split wrongly by the simple scan below;
        // such a file no longer parses and is left out.
        if syntax::parse(name, &commented).1.iter().any(|d| d.is_error()) {
            continue;
        }
        round_trip(name, &commented);
        formatted += 1;
    }
    assert!(formatted * 4 >= files.len() * 3, "most files are exercised: {formatted} of {}", files.len());
}

/// `text` with a comment and a line break in place of every space that follows a token,
/// outside strings and comments (and not inside `not in` or `native fn`, which a line break
/// would split).
fn comment_between_tokens(text: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    for line in text.lines() {
        let mut in_string = false;
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if in_string => {
                    out.push(c);
                    out.extend(chars.next().map(|(_, c)| c));
                    continue;
                }
                '"' => in_string = !in_string,
                '/' if !in_string && line[i..].starts_with("//") => {
                    out.push_str(&line[i..]);
                    break;
                }
                ' ' if !in_string => {
                    let (before, after) = (&line[..i], &line[i + 1..]);
                    let splits = before.ends_with("not") && after.starts_with("in ") || before.ends_with("native");
                    if !before.trim().is_empty() && !before.ends_with(' ') && !splits {
                        n += 1;
                        out.push_str(&format!(" // between {n}\n  "));
                        continue;
                    }
                }
                _ => {}
            }
            out.push(c);
        }
        out.push('\n');
    }
    out
}

/// Where every expression of the file starts.
fn expression_starts(ast: &SourceAst) -> Vec<usize> {
    let mut starts = Vec::new();
    ast.walk_exprs(&mut |e| starts.push(e.span.start as usize));
    starts
}
