//! A client that drives the server over an in-memory connection, as an editor does: for the
//! end-to-end tests and the benchmarks. Not part of the server's API.

use std::path::Path;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

/// How long any one answer may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(60);

pub struct Client {
    connection: Connection,
    server: Option<std::thread::JoinHandle<()>>,
    next_id: i32,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Notification>,
}

impl Client {
    /// Starts a server whose workspace folder is `root` and completes the handshake.
    pub fn start(root: &Path) -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || {
            crate::run(&server_side).expect("the server ends cleanly");
        });
        let mut client =
            Client { connection: client_side, server: Some(server), next_id: 0, notifications: Vec::new() };
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let root_uri = format!("file://{}", root.display());
        client.request(
            "initialize",
            json!({"capabilities": {}, "workspaceFolders": [{"uri": root_uri, "name": "root"}]}),
        );
        client.notify("initialized", json!({}));
        client
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.connection.sender.send(Notification::new(method.into(), params).into()).expect("send");
    }

    /// The error code a request is answered with.
    pub fn error_code(&mut self, method: &str, params: Value) -> i32 {
        match self.request(method, params).response_result {
            Ok(result) => panic!("{method} should fail, gave {result}"),
            Err(e) => e.code,
        }
    }

    /// Sends a request and waits for its response.
    pub fn request(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection.sender.send(Request::new(id.clone(), method.into(), params).into()).expect("send");
        loop {
            match self.connection.receiver.recv_timeout(PATIENCE).expect("an answer in time") {
                Message::Response(r) if r.id == id => return r,
                Message::Notification(n) => self.notifications.push(n),
                _ => {}
            }
        }
    }

    /// The result of a request that must succeed.
    pub fn ok(&mut self, method: &str, params: Value) -> Value {
        match self.request(method, params).response_result {
            Ok(result) => result,
            Err(e) => panic!("{method} failed: {e:?}"),
        }
    }

    /// Waits for the next diagnostics published for `uri`.
    pub fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.notifications.iter().position(|n| is_diagnostics_for(n, uri)) {
            return diagnostics_of(self.notifications.remove(i));
        }
        loop {
            match self.connection.receiver.recv_timeout(PATIENCE).expect("diagnostics in time") {
                Message::Notification(n) if is_diagnostics_for(&n, uri) => return diagnostics_of(n),
                Message::Notification(n) => self.notifications.push(n),
                _ => {}
            }
        }
    }

    pub fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "rule", "version": 1, "text": text}}),
        );
    }

    pub fn change(&self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// `shutdown` then `exit`; the server thread must end.
    pub fn shutdown(mut self) {
        let response = self.request("shutdown", Value::Null);
        assert!(response.response_result.is_ok(), "{response:?}");
        self.notify("exit", Value::Null);
        if let Some(server) = self.server.take() {
            server.join().expect("the server thread ends");
        }
    }
}

impl Drop for Client {
    /// A client dropped without [`Client::shutdown`] (a benchmark, a failed test) still ends
    /// the server politely.
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.next_id += 1;
            let request = Request::new(RequestId::from(self.next_id), "shutdown".into(), Value::Null);
            let _ = self.connection.sender.send(request.into());
            let _ = self.connection.sender.send(Notification::new("exit".into(), Value::Null).into());
            // Drain answers so the server is never blocked writing.
            while self.connection.receiver.recv_timeout(PATIENCE).is_ok() {}
            let _ = server.join();
        }
    }
}

fn is_diagnostics_for(n: &Notification, uri: &str) -> bool {
    n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri
}

fn diagnostics_of(n: Notification) -> Vec<Value> {
    n.params["diagnostics"].as_array().cloned().unwrap_or_default()
}

pub fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}
