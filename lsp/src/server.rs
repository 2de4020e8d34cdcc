//! The main loop: messages in order, edits on the owning thread, reads on snapshots.

use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, LogMessage, Notification as _,
    PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, References, Rename, Request as _,
    SignatureHelpRequest, WorkspaceSymbolRequest,
};
use lsp_types::{
    CompletionOptions, InitializeParams, LogMessageParams, MessageType, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, ShowMessageParams, SignatureHelpOptions, TextDocumentContentChangeEvent,
    TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use rulec_compiler::compilation::Compilation;

use crate::convert::{self, Lines};
use crate::{handlers, workspace};

/// What the server offers; the client learns it at `initialize`.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "[".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            retrigger_characters: Some(vec![")".into()]),
            ..SignatureHelpOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

pub(crate) struct Server<'c> {
    connection: &'c Connection,
    compilation: Compilation,
    roots: Vec<PathBuf>,
    /// The diagnostics last published, by compiler path, so only changes are sent.
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
    /// Answers computed on snapshots.
    done_tx: Sender<Response>,
    done_rx: Receiver<Response>,
}

impl<'c> Server<'c> {
    pub(crate) fn new(connection: &'c Connection, params: &InitializeParams) -> Self {
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| convert::uri_to_path(&f.uri))
            .filter_map(|p| p.canonicalize().ok())
            .collect();
        #[allow(deprecated)] // Older clients send only `rootUri`.
        if roots.is_empty()
            && let Some(root) =
                params.root_uri.as_ref().and_then(convert::uri_to_path).and_then(|p| p.canonicalize().ok())
        {
            roots.push(root);
        }
        let (packs, problem) = workspace::load(&roots);
        if let Some(message) = problem {
            let params = ShowMessageParams { typ: MessageType::WARNING, message };
            let _ = connection.sender.send(Notification::new(ShowMessage::METHOD.into(), params).into());
        }
        let (done_tx, done_rx) = crossbeam_channel::unbounded();
        Server { connection, compilation: Compilation::new(&packs), roots, published: HashMap::new(), done_tx, done_rx }
    }

    pub(crate) fn run(mut self) -> Result<()> {
        self.publish_diagnostics()?;
        loop {
            select! {
                recv(self.connection.receiver) -> message => match message? {
                    Message::Request(request) => {
                        if self.connection.handle_shutdown(&request)? {
                            return Ok(());
                        }
                        self.on_request(request)?;
                    }
                    Message::Notification(notification) => self.on_notification(notification)?,
                    Message::Response(_) => {}
                },
                recv(self.done_rx) -> response => self.connection.sender.send(response?.into())?,
            }
        }
    }

    fn on_request(&mut self, request: Request) -> Result<()> {
        let id = request.id.clone();
        match request.method.as_str() {
            HoverRequest::METHOD => self.on_snapshot(request, handlers::hover),
            GotoDefinition::METHOD => self.on_snapshot(request, handlers::definition),
            References::METHOD => self.on_snapshot(request, handlers::references),
            DocumentSymbolRequest::METHOD => self.on_snapshot(request, handlers::document_symbols),
            WorkspaceSymbolRequest::METHOD => self.on_snapshot(request, handlers::workspace_symbols),
            Rename::METHOD => self.on_snapshot(request, handlers::rename),
            Formatting::METHOD => self.on_snapshot(request, handlers::formatting),
            Completion::METHOD => self.on_owner(request, handlers::completion),
            SignatureHelpRequest::METHOD => self.on_owner(request, handlers::signature_help),
            method => {
                let message = format!("rulec-lsp does not handle `{method}`");
                self.connection.sender.send(Response::new_err(id, ErrorCode::MethodNotFound as i32, message).into())?;
                Ok(())
            }
        }
    }

    /// Answers `request` here, before the next message: completion and signature help check
    /// the text with the half-typed part patched, which only the owner of the database may do.
    fn on_owner<P, R>(&mut self, request: Request, handler: fn(&mut Compilation, &[PathBuf], P) -> R) -> Result<()>
    where
        P: serde::de::DeserializeOwned,
        R: serde::Serialize,
    {
        let response = match serde_json::from_value(request.params) {
            Ok(params) => Response::new_ok(request.id, handler(&mut self.compilation, &self.roots, params)),
            Err(e) => invalid_params(request.id, &e),
        };
        Ok(self.connection.sender.send(response.into())?)
    }

    /// Answers `request` on a worker with a snapshot of the database; an edit cancels it.
    fn on_snapshot<P, R>(&self, request: Request, handler: fn(&handlers::Snapshot, P) -> R) -> Result<()>
    where
        P: serde::de::DeserializeOwned + Send + 'static,
        R: IntoResponse + 'static,
    {
        let id = request.id.clone();
        let params: P = match serde_json::from_value(request.params) {
            Ok(params) => params,
            Err(e) => return Ok(self.connection.sender.send(invalid_params(id, &e).into())?),
        };
        let snapshot = handlers::Snapshot { compilation: self.compilation.clone(), roots: self.roots.clone() };
        let done = self.done_tx.clone();
        std::thread::spawn(move || {
            // The snapshot is dropped after a cancellation, so no broken state is observed.
            let answer = std::panic::AssertUnwindSafe(|| handler(&snapshot, params));
            let response = match salsa::Cancelled::catch(answer) {
                Ok(result) => result.into_response(id),
                Err(_) => Response::new_err(
                    id,
                    ErrorCode::ContentModified as i32,
                    "the document changed while the request ran; ask again".into(),
                ),
            };
            drop(snapshot);
            let _ = done.send(response);
        });
        Ok(())
    }

    fn on_notification(&mut self, notification: Notification) -> Result<()> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(params) = self.notification_params::<lsp_types::DidOpenTextDocumentParams>(notification)?
                else {
                    return Ok(());
                };
                self.set_document(&params.text_document.uri, params.text_document.text);
            }
            DidChangeTextDocument::METHOD => {
                let Some(params) = self.notification_params::<lsp_types::DidChangeTextDocumentParams>(notification)?
                else {
                    return Ok(());
                };
                let Some(path) = handlers::compiler_path(&self.compilation, &self.roots, &params.text_document.uri)
                else {
                    return Ok(());
                };
                let Some(file) = self.compilation.file(&path) else { return Ok(()) };
                let mut text = file.text(self.compilation.db()).clone();
                for change in params.content_changes {
                    apply_change(&mut text, change);
                }
                self.compilation.set_text(&path, text);
            }
            DidCloseTextDocument::METHOD => {
                // The file keeps its last text: an unsaved edit the editor discards is
                // re-read from disk.
                let Some(params) = self.notification_params::<lsp_types::DidCloseTextDocumentParams>(notification)?
                else {
                    return Ok(());
                };
                if let Some(disk) = convert::uri_to_path(&params.text_document.uri)
                    && let Ok(text) = std::fs::read_to_string(&disk)
                {
                    self.set_document(&params.text_document.uri, text);
                }
            }
            _ => return Ok(()),
        }
        self.publish_diagnostics()
    }

    /// A notification's parameters; unreadable ones are logged to the editor and the
    /// notification dropped (it has no response to carry an error), never ending the server.
    fn notification_params<P: serde::de::DeserializeOwned>(&self, notification: Notification) -> Result<Option<P>> {
        match serde_json::from_value(notification.params) {
            Ok(params) => Ok(Some(params)),
            Err(e) => {
                let message = format!("rulec-lsp ignored `{}`: invalid parameters: {e}", notification.method);
                let params = LogMessageParams { typ: MessageType::WARNING, message };
                self.connection.sender.send(Notification::new(LogMessage::METHOD.into(), params).into())?;
                Ok(None)
            }
        }
    }

    /// Gives the workspace `uri`'s text, adding the file when no pack has it.
    fn set_document(&mut self, uri: &Uri, text: String) {
        match handlers::compiler_path(&self.compilation, &self.roots, uri) {
            Some(path) => {
                self.compilation.set_text(&path, text);
            }
            None => {
                if let Some(disk) = convert::uri_to_path(uri) {
                    self.compilation.upsert("workspace", &disk.to_string_lossy(), text);
                }
            }
        }
    }

    /// Publishes the diagnostics of every file whose diagnostics changed since last time
    /// (an edit in one file can break another).
    fn publish_diagnostics(&mut self) -> Result<()> {
        let by_file = handlers::diagnostics(&self.compilation, &self.roots);
        let mut paths: Vec<&String> = by_file.keys().chain(self.published.keys()).collect();
        paths.sort();
        paths.dedup();
        let mut sends = Vec::new();
        for path in paths {
            let now = by_file.get(path).cloned().unwrap_or_default();
            if self.published.get(path).map_or(now.is_empty(), |before| *before == now) {
                continue;
            }
            let Some(file) = self.compilation.file(path) else { continue };
            let text = file.text(self.compilation.db());
            let Some(uri) = workspace::disk_path(path, text, &self.roots).and_then(|p| convert::path_to_uri(&p)) else {
                continue;
            };
            sends.push((path.clone(), PublishDiagnosticsParams { uri, diagnostics: now, version: None }));
        }
        for (path, params) in sends {
            self.published.insert(path, params.diagnostics.clone());
            self.connection.sender.send(Notification::new(PublishDiagnostics::METHOD.into(), params).into())?;
        }
        Ok(())
    }
}

/// A handler's answer as a response: a value, or a refusal the editor shows.
pub(crate) trait IntoResponse {
    fn into_response(self, id: RequestId) -> Response;
}

impl<T: serde::Serialize> IntoResponse for Option<T> {
    fn into_response(self, id: RequestId) -> Response {
        Response::new_ok(id, self)
    }
}

impl<T: serde::Serialize> IntoResponse for std::result::Result<T, String> {
    fn into_response(self, id: RequestId) -> Response {
        match self {
            Ok(value) => Response::new_ok(id, value),
            Err(message) => Response::new_err(id, ErrorCode::RequestFailed as i32, message),
        }
    }
}

fn invalid_params(id: RequestId, e: &serde_json::Error) -> Response {
    Response::new_err(id, ErrorCode::InvalidParams as i32, format!("invalid parameters: {e}"))
}

/// Applies one edit of `textDocument/didChange`: a range replaced, or the whole text.
fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        Some(range) => {
            let lines = Lines::new(text);
            let (start, end) = (lines.offset(range.start) as usize, lines.offset(range.end) as usize);
            let (start, end) = (start.min(end), start.max(end));
            text.replace_range(start..end, &change.text);
        }
        None => *text = change.text,
    }
}

#[cfg(test)]
mod tests {
    use lsp_types::{Position, Range};

    use super::*;

    #[test]
    fn incremental_changes_replace_ranges_and_tolerate_bad_ones() {
        let mut text = "rule A {\n}\n".to_owned();
        let at = |line, character| Position { line, character };
        let change = |start, end, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range { start, end }),
            range_length: None,
            text: text.to_owned(),
        };
        apply_change(&mut text, change(at(0, 5), at(0, 6), "B"));
        assert_eq!(text, "rule B {\n}\n");
        // Reversed and out-of-range positions are clamped, never a panic.
        apply_change(&mut text, change(at(9, 9), at(0, 8), ""));
        assert_eq!(text, "rule B {");
        apply_change(&mut text, TextDocumentContentChangeEvent { range: None, range_length: None, text: "x".into() });
        assert_eq!(text, "x");
    }
}
