//! The real `rulec-lsp` binary over stdin and stdout, the way an editor starts it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};

/// A running server and the two ends of its pipes.
struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rulec-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Server { child, stdin, stdout }
    }

    fn send(&mut self, message: Message) {
        message.write(&mut self.stdin).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn request(&mut self, id: i32, method: &str, params: Value) {
        self.send(Request::new(RequestId::from(id), method.into(), params).into());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Notification::new(method.into(), params).into());
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// The next frame's body as JSON (`lsp-server` cannot read an error whose `id` is null).
    fn receive(&mut self) -> Value {
        let mut length = None;
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).expect("read") > 0, "the server ended its output");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = Some(value.parse::<usize>().expect("a length"));
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        self.stdout.read_exact(&mut body).expect("a body");
        serde_json::from_slice(&body).expect("a JSON body")
    }

    /// Frames up to the response to request `id`, which is returned; notifications are kept.
    fn response(&mut self, id: i32, notifications: &mut Vec<Value>) -> Value {
        loop {
            let frame = self.receive();
            if frame["id"] == id && frame.get("method").is_none() {
                return frame;
            }
            notifications.push(frame);
        }
    }

    /// `shutdown` (as request `id`) and `exit`; the process must end successfully.
    fn stop(mut self, id: i32) {
        self.request(id, "shutdown", Value::Null);
        self.response(id, &mut Vec::new());
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("the server exits");
        assert!(status.success(), "{status}");
    }
}

/// A pack `acme` with `x.rule` holding `text`; the temp root and the file's URI.
fn workspace(text: &str) -> (tempfile::TempDir, String, String) {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("acme");
    std::fs::create_dir_all(&dir).expect("pack dir");
    std::fs::write(dir.join("pack.yaml"), "name: acme\nversion: 0.1.0\n").expect("manifest");
    std::fs::write(dir.join("x.rule"), text).expect("rule file");
    let file = format!("file://{}", dir.join("x.rule").canonicalize().expect("path").display());
    let root_uri = format!("file://{}", root.path().canonicalize().expect("path").display());
    (root, root_uri, file)
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn the_binary_speaks_lsp_over_stdio() {
    let text = "package acme\n\nrule ACME_X {\n  title \"x\"\n  severity low\n  for b: Bucket\n  when b.nope\n}\n";
    let (_root, root_uri, file) = workspace(text);
    let mut server = Server::start();
    server.request(1, "initialize", json!({"capabilities": {}, "rootUri": root_uri}));
    server.notify("initialized", json!({}));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "rule", "version": 1, "text": text}}),
    );
    let mut notifications = Vec::new();
    let initialized = server.response(1, &mut notifications);
    assert_eq!(initialized["result"]["capabilities"]["hoverProvider"], true);
    server.request(2, "textDocument/documentSymbol", json!({"textDocument": {"uri": file}}));
    server.response(2, &mut notifications);
    let diagnostics = notifications
        .iter()
        .rev()
        .find(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == file)
        .map(|n| n["params"]["diagnostics"].clone())
        .expect("diagnostics for the opened file");
    assert_eq!(diagnostics[0]["code"], "E0203", "{diagnostics}");
    server.stop(3);
}

/// Malformed frames are answered with JSON-RPC errors and the server goes on: the valid
/// request after them is answered, and so is one on a document nested too deep to check.
#[test]
fn malformed_frames_and_deep_documents_do_not_stop_the_server() {
    let (_root, root_uri, file) = workspace("package acme\n");
    let mut server = Server::start();
    // Before `initialize` too.
    server.send_raw(&frame("{not json"));
    assert_eq!(server.receive()["error"]["code"], -32700);
    server.send_raw(&frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":7}}"#));
    assert_eq!(server.receive()["error"]["code"], -32602);
    server.request(2, "initialize", json!({"capabilities": {}, "rootUri": root_uri}));
    server.response(2, &mut Vec::new());
    server.notify("initialized", json!({}));

    let garbage: [(Vec<u8>, Value, i32); 6] = [
        // After broken headers, input is skipped up to the next `Content-Length:`.
        (b"no header at all\r\n\r\n".to_vec(), Value::Null, -32600),
        (b"Content-Length: abc\r\n\r\n{}".to_vec(), Value::Null, -32600),
        (frame("{not json"), Value::Null, -32700),
        (frame(r#"{"jsonrpc":"2.0","id":5}"#), json!(5), -32600),
        (frame("[]"), Value::Null, -32600),
        // Claims 64 GiB and sends nothing of it: refused without allocating.
        (b"Content-Length: 68719476736\r\n\r\n".to_vec(), Value::Null, -32600),
    ];
    for (bytes, id, code) in &garbage {
        server.send_raw(bytes);
        let answer = server.receive();
        assert_eq!((&answer["id"], &answer["error"]["code"]), (id, &json!(code)), "{answer}");
    }

    // 1,500 nested lambdas: a diagnostic, not a stack overflow (in checking, hover or
    // formatting, whose worker threads have small stacks).
    let deep = format!("package acme\n\nconst d: bool = [1].any({}true)\n", "(x) => ".repeat(1500));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "rule", "version": 1, "text": deep}}),
    );
    let mut notifications = Vec::new();
    server.request(
        3,
        "textDocument/hover",
        json!({"textDocument": {"uri": file}, "position": {"line": 2, "character": 30}}),
    );
    server.response(3, &mut notifications);
    server.request(
        4,
        "textDocument/formatting",
        json!({"textDocument": {"uri": file}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    server.response(4, &mut notifications);
    server.request(5, "textDocument/documentSymbol", json!({"textDocument": {"uri": file}}));
    let symbols = server.response(5, &mut notifications);
    assert!(symbols["result"].is_array(), "{symbols}");
    let diagnostics = notifications
        .iter()
        .find(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == file)
        .map(|n| n["params"]["diagnostics"].clone())
        .expect("diagnostics for the deep file");
    assert!(diagnostics.to_string().contains("nested deeper than"), "{diagnostics}");
    server.stop(6);
}
