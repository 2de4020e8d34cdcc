//! `rulec fmt`: rewrite `.rule` files in the canonical layout, or check that they are.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rulec_compiler::diagnostics::Diagnostic;
use rulec_compiler::format::{FormatError, format_source};

use super::compile::report;
use super::output::Stream;
use super::{EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, MessageFormat, fail, output};

#[derive(clap::Args, Debug)]
pub(crate) struct FmtArgs {
    /// Write nothing: list the files that would change with a diff, and exit 1 if any would
    #[arg(long)]
    pub check: bool,
    /// `.rule` files, or directories searched recursively for them (hidden directories
    /// skipped); `-` formats standard input to standard output. Default: the current directory
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// The name diagnostics and diffs give standard input.
const STDIN_NAME: &str = "<stdin>";

pub(crate) fn run(args: &FmtArgs) -> u8 {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            return fail("`-` (standard input) cannot be combined with other paths", None);
        }
        return run_stdin(args.check);
    }
    let roots = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let files = match rule_files(&roots) {
        Ok(files) => files,
        Err(message) => return fail(&message, None),
    };
    if files.is_empty() {
        eprintln!("warning: no .rule files under {}", display_list(&roots));
        return EXIT_OK;
    }
    let mut run = Run::default();
    for path in &files {
        run.file(path, args.check);
    }
    run.finish(args.check)
}

/// Formats standard input to standard output (or, with `--check`, diffs it).
fn run_stdin(check: bool) -> u8 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        return fail(&format!("cannot read standard input: {e}"), None);
    }
    let formatted = match format_source(&text) {
        Ok(formatted) => formatted,
        Err(error) => return report_failure(STDIN_NAME, &text, error),
    };
    if check {
        if formatted == text {
            return EXIT_OK;
        }
        return output::print(&diff(STDIN_NAME, &text, &formatted)).err().unwrap_or(EXIT_FINDINGS);
    }
    output::print(&formatted).err().unwrap_or(EXIT_OK)
}

/// What happened to the files of one run.
#[derive(Default)]
struct Run {
    changed: usize,
    unchanged: usize,
    failed: usize,
    /// Files that do not parse, by name, and their diagnostics: reported together at the end.
    sources: BTreeMap<String, String>,
    diagnostics: Vec<Diagnostic>,
}

impl Run {
    fn file(&mut self, path: &Path, check: bool) {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                fail(&format!("cannot read `{name}`: {e}"), None);
                self.failed += 1;
                return;
            }
        };
        let formatted = match format_source(&text) {
            Ok(formatted) => formatted,
            Err(FormatError::Syntax(diagnostics)) => {
                self.diagnostics.extend(diagnostics.into_iter().map(|d| named(d, &name)));
                self.sources.insert(name, text);
                self.failed += 1;
                return;
            }
            Err(error @ FormatError::Internal(_)) => {
                fail(&format!("`{name}` was left as it is: {error}"), Some("please report this with the file"));
                self.failed += 1;
                return;
            }
        };
        if formatted == text {
            self.unchanged += 1;
        } else if check {
            self.print(&format!("Would reformat: {name}\n{}", diff(&name, &text, &formatted)));
            self.changed += 1;
        } else {
            match write_in_place(path, &formatted) {
                Ok(()) => {
                    self.print(&format!("Reformatted: {name}\n"));
                    self.changed += 1;
                }
                Err(e) => {
                    fail(&format!("cannot write `{name}`: {e}"), None);
                    self.failed += 1;
                }
            }
        }
    }

    /// Prints a line of the run; a failed write (not a reader gone away) counts as a failure.
    fn print(&mut self, text: &str) {
        if output::print(text).is_err() {
            self.failed += 1;
        }
    }

    /// Reports the syntax errors and the counts; the exit code.
    fn finish(self, check: bool) -> u8 {
        report(&self.diagnostics, &self.sources, MessageFormat::Human, Stream::Stderr);
        let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
        let (changed, unchanged) =
            if check { ("would be reformatted", "already formatted") } else { ("reformatted", "left unchanged") };
        let mut summary = format!("{} {changed}, {} {unchanged}", files(self.changed), files(self.unchanged));
        if self.failed > 0 {
            summary.push_str(&format!(", {} not formatted because of errors", files(self.failed)));
        }
        summary.push('\n');
        let printed = output::print(&summary);
        if self.failed > 0 || printed.is_err() {
            EXIT_BAD_INPUT
        } else if check && self.changed > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    }
}

/// A diagnostic of `format_source` (which names no file) given the file's name.
fn named(mut diagnostic: Diagnostic, name: &str) -> Diagnostic {
    diagnostic.file = name.to_owned();
    for related in &mut diagnostic.related {
        related.file = name.to_owned();
    }
    diagnostic
}

/// Reports why one text was not formatted; the exit code.
fn report_failure(name: &str, text: &str, error: FormatError) -> u8 {
    match error {
        FormatError::Syntax(diagnostics) => {
            let diagnostics: Vec<Diagnostic> = diagnostics.into_iter().map(|d| named(d, name)).collect();
            report(
                &diagnostics,
                &BTreeMap::from([(name.to_owned(), text.to_owned())]),
                MessageFormat::Human,
                Stream::Stderr,
            );
            EXIT_BAD_INPUT
        }
        FormatError::Internal(_) => fail(&error.to_string(), Some("please report this with the input")),
    }
}

/// The `.rule` files under `roots`, each directory's sorted by path; an error for a path that
/// does not exist.
fn rule_files(roots: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    if let Some(missing) = roots.iter().find(|p| !p.exists()) {
        return Err(format!("no such file or directory: `{}`", missing.display()));
    }
    let mut files = Vec::new();
    for root in roots {
        if root.is_file() {
            files.push(root.clone());
            continue;
        }
        let walk = walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            let entry = entry.map_err(|e| format!("cannot read `{}`: {e}", root.display()))?;
            if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "rule") {
                files.push(entry.into_path());
            }
        }
    }
    Ok(files)
}

fn display_list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(", ")
}

/// A unified diff from `old` to `new`.
fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}

/// Replaces `path`'s contents atomically, keeping its permissions.
fn write_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    let permissions = std::fs::metadata(path)?.permissions();
    output::write_atomically(path, text.as_bytes(), output::Access::Shared)?;
    std::fs::set_permissions(path, permissions)
}
