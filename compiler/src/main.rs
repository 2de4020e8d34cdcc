//! `rulec`: the command line. Only this binary prints to the terminal.
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "the CLI's job is printing")]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
