//! `rulec-lsp`: the rulec language server, speaking LSP over stdin and stdout.

use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::args().nth(1).is_some_and(|a| a == "--version" || a == "-V") {
        #[allow(clippy::print_stdout)]
        {
            println!("rulec-lsp {}", env!("CARGO_PKG_VERSION"));
        }
        return ExitCode::SUCCESS;
    }
    let (connection, io_threads) = rulec_lsp::transport::stdio();
    let result = rulec_lsp::run(&connection);
    drop(connection);
    let joined = io_threads.join();
    match (result, joined) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(e), _) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("rulec-lsp: {e}");
            }
            ExitCode::FAILURE
        }
        (_, Err(e)) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("rulec-lsp: {e}");
            }
            ExitCode::FAILURE
        }
    }
}
