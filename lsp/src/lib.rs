//! The rulec language server.
//!
//! One thread owns the compiler's salsa database ([`Compilation`]) and applies edits in the
//! order they arrive. Read-only requests (hover, definition, references, symbols) run on
//! snapshots of the database on worker threads; an edit arriving meanwhile cancels them and
//! they are answered `ContentModified`, so the client asks again. Completion patches the text
//! it is asked about and therefore runs on the owning thread, like every edit.
//!
//! Built on `lsp-server` (rust-analyzer's synchronous scaffold) and `lsp-types`; frames are
//! read and written by [`transport`], which survives malformed input.

#[doc(hidden)]
pub mod client;
mod convert;
mod handlers;
mod server;
pub mod transport;
mod workspace;

use std::error::Error;

use lsp_server::{Connection, ErrorCode, Response};

pub use server::capabilities;

/// Runs the server on `connection` until the client sends `shutdown` and `exit`.
pub fn run(connection: &Connection) -> Result<(), Box<dyn Error + Send + Sync>> {
    let params = loop {
        let (id, params) = connection.initialize_start()?;
        // Unreadable parameters are refused; the client may try again.
        match serde_json::from_value::<lsp_types::InitializeParams>(params) {
            Ok(params) => {
                let result = serde_json::json!({"capabilities": capabilities()});
                connection.initialize_finish(id, result)?;
                break params;
            }
            Err(e) => {
                let message = format!("invalid initialize parameters: {e}");
                connection.sender.send(Response::new_err(id, ErrorCode::InvalidParams as i32, message).into())?;
            }
        }
    };
    server::Server::new(connection, &params).run()
}
