//! `rulec`: the command line. Only this binary prints to the terminal.
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "the CLI's job is printing")]

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rulec_compiler::compilation::Compilation;
use rulec_compiler::diagnostics::{Diagnostic, render};
use rulec_compiler::packs;

/// Exit codes of CLI.md.
const EXIT_OK: u8 = 0;
const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "rulec",
    version,
    about = "Policy-as-code for cloud security: typed rules checked against asset snapshots",
    long_about = "rulec compiles rule packs written in a small, statically typed rule language and \
                  evaluates them against normalized snapshots of cloud estates.\n\n\
                  The standard library and the built-in packs are embedded in the binary; \
                  `--pack DIR` adds a pack folder or replaces the built-in pack of the same name.",
    after_help = "Examples:\n  rulec compile                       type-check the built-in packs\n  \
                  rulec compile --pack ./my-pack      also check a pack of your own\n  \
                  rulec compile --message-format json  diagnostics as JSON lines\n\n\
                  Exit codes: 0 success, 1 findings at or above --fail-on, 2 bad input (compile error, \
                  invalid snapshot, bad flag)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Type-check the standard library, the built-in packs and any `--pack` folders
    #[command(after_help = "Examples:\n  rulec compile\n  rulec compile --pack ./packs/acme --pack ./packs/shared\n  \
                            rulec compile --message-format json | jq .code\n\n\
                            Exit codes: 0 when there are no errors (warnings allowed), 2 on any error.")]
    Compile(CompileArgs),
}

#[derive(clap::Args, Debug)]
struct CompileArgs {
    /// A pack folder (with pack.yaml) to add, or to use instead of the built-in pack of the same name
    #[arg(long = "pack", value_name = "DIR")]
    packs: Vec<PathBuf>,
    /// How to print diagnostics: `human` (rustc-like, on stderr) or `json` (one object per line, on stdout)
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Treat warnings as errors (exit 2 if any)
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Compile(args) => compile(&args),
    }
}

fn compile(args: &CompileArgs) -> ExitCode {
    let packs = match packs::assemble(&args.packs) {
        Ok(packs) => packs,
        Err(e) => return fail(&e.to_string(), e.help()),
    };
    let compilation = Compilation::new(&packs);
    let diagnostics = compilation.diagnostics();
    report(&diagnostics, &compilation, args.message_format);
    let failed = diagnostics.iter().any(|d| d.is_error() || args.deny_warnings);
    ExitCode::from(if failed { EXIT_BAD_INPUT } else { EXIT_OK })
}

/// Prints diagnostics in the chosen format, with a summary line for people.
fn report(diagnostics: &[Diagnostic], sources: &dyn render::SourceLookup, format: MessageFormat) {
    match format {
        MessageFormat::Json => print!("{}", render::json_lines(diagnostics, sources)),
        MessageFormat::Human => {
            if diagnostics.is_empty() {
                return;
            }
            let style = render::HumanStyle { color: stderr_color(), width: terminal_width() };
            eprint!("{}", render::human(diagnostics, sources, style));
            let failed = diagnostics.iter().any(Diagnostic::is_error);
            eprintln!("{}: {}", if failed { "error" } else { "warning" }, render::summary(diagnostics));
        }
    }
}

fn fail(message: &str, help: Option<&str>) -> ExitCode {
    eprintln!("error: {message}");
    if let Some(help) = help {
        eprintln!("  help: {help}");
    }
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Colour only on a terminal, and never with `NO_COLOR` set.
fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|w| *w >= 40).unwrap_or(100)
}
