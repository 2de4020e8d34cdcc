//! The real `rulec-lsp` binary over stdin and stdout, the way an editor starts it.

use std::io::{BufReader, Write};
use std::process::{Command, Stdio};

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::json;

#[test]
fn the_binary_speaks_lsp_over_stdio() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("acme");
    std::fs::create_dir_all(&dir).expect("pack dir");
    std::fs::write(dir.join("pack.yaml"), "name: acme\nversion: 0.1.0\n").expect("manifest");
    let text = "package acme\n\nrule ACME_X {\n  title \"x\"\n  severity low\n  for b: Bucket\n  when b.nope\n}\n";
    std::fs::write(dir.join("x.rule"), text).expect("rule file");
    let file = format!("file://{}", dir.join("x.rule").canonicalize().expect("path").display());
    let root_uri = format!("file://{}", root.path().canonicalize().expect("path").display());

    let mut child = Command::new(env!("CARGO_BIN_EXE_rulec-lsp"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut send = |message: Message| {
        message.write(&mut stdin).expect("write");
        stdin.flush().expect("flush");
    };
    let request =
        |id: i32, method: &str, params| Message::from(Request::new(RequestId::from(id), method.into(), params));
    let notification = |method: &str, params| Message::from(Notification::new(method.into(), params));

    send(request(1, "initialize", json!({"capabilities": {}, "rootUri": root_uri})));
    send(notification("initialized", json!({})));
    send(notification(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "rule", "version": 1, "text": text}}),
    ));
    send(request(2, "shutdown", serde_json::Value::Null));

    let mut initialized = false;
    let mut diagnostics = None;
    loop {
        match Message::read(&mut stdout).expect("read").expect("a message before shutdown") {
            Message::Response(r) if r.id == RequestId::from(1) => {
                let result = r.response_result.expect("initialize succeeds");
                assert_eq!(result["capabilities"]["hoverProvider"], true);
                initialized = true;
            }
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == file => {
                diagnostics = Some(n.params["diagnostics"].clone());
            }
            Message::Response(r) if r.id == RequestId::from(2) => break,
            _ => {}
        }
    }
    send(notification("exit", serde_json::Value::Null));
    let status = child.wait().expect("the server exits");
    assert!(status.success(), "{status}");
    assert!(initialized);
    let diagnostics = diagnostics.expect("diagnostics for the opened file");
    assert_eq!(diagnostics[0]["code"], "E0203", "{diagnostics}");
}
