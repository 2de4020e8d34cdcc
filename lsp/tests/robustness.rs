//! Random edit sequences — inserts, deletes, half-typed rules, unbalanced braces, positions
//! inside a multi-byte character or past the end — never crash or hang the server: it keeps
//! answering every request.

mod support;

use serde_json::json;
use support::{Client, pack, position, uri};

const START: &str = "package acme\n\n/// 中文 doc.\nrule ACME_X {\n  title \"x\"\n  severity low\n  for b: Bucket\n  let n = b.name ?? \"\"\n  when not b.logging\n  message \"{n}\"\n}\n";

const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "\"",
    "b.",
    "b?.",
    ".",
    "rule R {\n",
    "when ",
    "let x = ",
    "for y: ",
    "中文",
    "😀",
    "\n",
    "  ",
    "and ",
    "not ",
    "1e999",
    "controls [mlps2.l3.\"",
    "//",
    "///",
    "edge e: A -> B",
    "fn f(",
    "cidr(",
    ", ",
    "b.tags.keys().any(k => k.starts_with(",
    "/(,/ ",
];

const METHODS: &[&str] = &[
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentSymbol",
    "textDocument/signatureHelp",
    "textDocument/rename",
    "textDocument/formatting",
];

/// A position up to a few lines and columns past the text, so some are out of range and some
/// fall inside a multi-byte character.
fn at(rng: &mut fastrand::Rng) -> serde_json::Value {
    position(rng.u32(0..16), rng.u32(0..48))
}

#[test]
fn random_edits_never_stop_the_server_answering() {
    let root = pack(&[("x.rule", START)]);
    let file = uri(&root.path().join("acme/x.rule"));
    let mut client = Client::start(root.path());
    client.open(&file, START);
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    for version in 2..400 {
        let (start, end) = (at(&mut rng), at(&mut rng));
        let text = if rng.bool() { SNIPPETS[rng.usize(0..SNIPPETS.len())] } else { "" };
        client.change(&file, version, json!([{"range": {"start": start, "end": end}, "text": text}]));
        if version % 5 == 0 {
            let method = METHODS[rng.usize(0..METHODS.len())];
            let mut params = json!({"textDocument": {"uri": file}, "position": at(&mut rng)});
            match method {
                "textDocument/references" => params["context"] = json!({"includeDeclaration": true}),
                "textDocument/rename" => params["newName"] = json!("renamed"),
                "textDocument/formatting" => params["options"] = json!({"tabSize": 2, "insertSpaces": true}),
                _ => {}
            }
            let response = client.request(method, params);
            if let Err(e) = response.response_result {
                // Refusals (a name that cannot be renamed, a file with syntax errors) are answers too.
                let expected = [lsp_server::ErrorCode::ContentModified, lsp_server::ErrorCode::RequestFailed];
                assert!(expected.iter().any(|code| *code as i32 == e.code), "{method}: {e:?}");
            }
        }
    }
    // Replacing everything still works, and the server shuts down cleanly.
    client.change(&file, 400, json!([{"text": START}]));
    let symbols = client.ok("textDocument/documentSymbol", json!({"textDocument": {"uri": file}}));
    assert_eq!(symbols[0]["name"], "ACME_X");
    client.shutdown();
}
