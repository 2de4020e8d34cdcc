//! The rulec language server.
//!
//! One thread owns the compiler's salsa database ([`Compilation`]) and applies edits in the
//! order they arrive. Read-only requests (hover, definition, references, symbols) run on
//! snapshots of the database on worker threads; an edit arriving meanwhile cancels them and
//! they are answered `ContentModified`, so the client asks again. Completion patches the text
//! it is asked about and therefore runs on the owning thread, like every edit.
//!
//! Built on `lsp-server` (rust-analyzer's synchronous scaffold) and `lsp-types`.

#[doc(hidden)]
pub mod client;
mod convert;
mod handlers;
mod server;
mod workspace;

use std::error::Error;

use lsp_server::Connection;

pub use server::capabilities;

/// Runs the server on `connection` until the client sends `shutdown` and `exit`.
pub fn run(connection: &Connection) -> Result<(), Box<dyn Error + Send + Sync>> {
    let capabilities = serde_json::to_value(capabilities())?;
    let params = connection.initialize(capabilities)?;
    let params: lsp_types::InitializeParams = serde_json::from_value(params)?;
    server::Server::new(connection, &params).run()
}
