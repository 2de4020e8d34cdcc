//! `rulec compile`: type-check, optionally write the plan.

use std::io::IsTerminal;
use std::path::PathBuf;

use rulec_compiler::compilation::Compilation;
use rulec_compiler::diagnostics::{Diagnostic, render};
use rulec_compiler::packs;

use super::output::Stream;
use super::{EXIT_BAD_INPUT, EXIT_OK, MessageFormat, PackArgs, fail, output};

/// The width diagnostics are laid out in when standard error is not a terminal and `COLUMNS`
/// is not set.
const DEFAULT_WIDTH: usize = 100;

#[derive(clap::Args, Debug)]
pub(crate) struct CompileArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// Treat warnings as errors (exit 2 if any)
    #[arg(long)]
    pub deny_warnings: bool,
    /// Write the compiled plan (JSON) to FILE, to run later with `rulec check --plan`
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub(crate) fn run(args: &CompileArgs) -> u8 {
    // `rulec compile` prints nothing else on standard output: JSON diagnostics go there.
    let Some((_, compilation)) = compile_packs_to(&args.packs, Stream::Stdout) else { return EXIT_BAD_INPUT };
    let diagnostics = compilation.diagnostics();
    if args.deny_warnings && !diagnostics.is_empty() {
        return EXIT_BAD_INPUT;
    }
    if let Some(path) = &args.output {
        let Some(plan) = compilation.plan() else { return EXIT_BAD_INPUT };
        let mut json = match serde_json::to_string_pretty(plan.as_ref()) {
            Ok(json) => json,
            Err(e) => return fail(&format!("cannot serialize the plan: {e}"), None),
        };
        json.push('\n');
        if let Err(e) = output::write_atomically(path, json.as_bytes(), output::Access::Shared) {
            return fail(&format!("cannot write `{}`: {e}", path.display()), None);
        }
    }
    EXIT_OK
}

/// Compiles the packs and reports diagnostics; `None` when there are errors (already
/// printed) or the packs cannot be loaded.
pub(crate) fn compile(args: &PackArgs) -> Option<Compilation> {
    compile_packs(args).map(|(_, compilation)| compilation)
}

/// [`compile`], also returning the packs compiled (the test runner needs their origins).
pub(crate) fn compile_packs(args: &PackArgs) -> Option<(Vec<packs::Pack>, Compilation)> {
    compile_packs_to(args, Stream::Stderr)
}

/// [`compile_packs`] with `--message-format json` diagnostics on `json_to`: standard output
/// only for `rulec compile`, whose standard output holds nothing else; every other command
/// keeps standard output for its own result (a report, a table), so its diagnostics go to
/// standard error.
fn compile_packs_to(args: &PackArgs, json_to: Stream) -> Option<(Vec<packs::Pack>, Compilation)> {
    let packs = assemble(args)?;
    let compilation = Compilation::new(&packs);
    let diagnostics = compilation.diagnostics();
    report(&diagnostics, &compilation, args.message_format, json_to);
    if diagnostics.iter().any(Diagnostic::is_error) { None } else { Some((packs, compilation)) }
}

/// The built-in packs and the `--pack` folders, read from disk; `None` (the error printed)
/// when a folder is not a valid pack.
pub(crate) fn assemble(args: &PackArgs) -> Option<Vec<packs::Pack>> {
    packs::assemble(&args.packs).map_err(|e| fail(&e.to_string(), e.help())).ok()
}

/// Prints diagnostics in the chosen format, with a summary line for people; JSON lines go to
/// `json_to`, the human form always to standard error.
pub(crate) fn report(
    diagnostics: &[Diagnostic],
    sources: &dyn render::SourceLookup,
    format: MessageFormat,
    json_to: Stream,
) {
    match format {
        MessageFormat::Json => match json_to {
            // A write error is reported by `print`; the diagnostics decide the exit code.
            Stream::Stdout => {
                let _ = super::output::print(&render::json_lines(diagnostics, sources));
            }
            Stream::Stderr => eprint!("{}", render::json_lines(diagnostics, sources)),
        },
        MessageFormat::Human => {
            if diagnostics.is_empty() {
                return;
            }
            let style = render::HumanStyle {
                color: output::color(std::io::stderr().is_terminal()),
                width: output::terminal_width(output::Stream::Stderr).unwrap_or(DEFAULT_WIDTH),
            };
            eprint!("{}", render::human(diagnostics, sources, style));
            let failed = diagnostics.iter().any(Diagnostic::is_error);
            eprintln!("{}: {}", if failed { "error" } else { "warning" }, render::summary(diagnostics));
        }
    }
}
