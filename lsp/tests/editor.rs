//! The server as an editor drives it: open a file with an error, see its diagnostics, fix
//! it, see them cleared, hover, complete after `.`, jump to a definition in another file.

mod support;

use serde_json::json;
use support::{Client, pack, position, uri};

const HELPERS: &str =
    "package acme\n\n/// Whether a bucket keeps no access log.\nfn unlogged(b: Bucket) -> bool = not b.logging\n";

const RULES: &str = "package acme\n\nrule ACME_UNLOGGED {\n  title \"Bucket logging is off\"\n  severity low\n  for b: Bucket\n  when unlogged(b)\n}\n";

#[test]
fn diagnostics_hover_completion_definition_and_symbols() {
    let root = pack(&[("helpers.rule", HELPERS), ("rules.rule", RULES)]);
    let rules = uri(&root.path().join("acme/rules.rule"));
    let helpers = uri(&root.path().join("acme/helpers.rule"));
    let mut client = Client::start(root.path());

    // A type error while typing: `logging` misspelt.
    let broken = RULES.replace("when unlogged(b)", "when unlogged(b) and b.loging");
    client.open(&rules, &broken);
    let diagnostics = client.diagnostics_for(&rules);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    insta::assert_json_snapshot!("unknown_field_diagnostic", diagnostics[0]);

    // Fixed with an incremental edit: the diagnostics are cleared.
    client.change(&rules, 2, json!([{"range": {"start": position(6, 25), "end": position(6, 31)}, "text": "logging"}]));
    assert_eq!(client.diagnostics_for(&rules), Vec::<serde_json::Value>::new());

    // Hover over the call: the function's signature and doc comment.
    let hover = client.ok("textDocument/hover", json!({"textDocument": {"uri": rules}, "position": position(6, 9)}));
    insta::assert_json_snapshot!("hover_function", hover);

    // Go to the definition in the other file.
    let definition =
        client.ok("textDocument/definition", json!({"textDocument": {"uri": rules}, "position": position(6, 9)}));
    assert_eq!(definition["uri"], helpers.as_str());
    assert_eq!(definition["range"]["start"], position(3, 3));

    // Format: the canonical layout as one edit, none when already formatted.
    let edits = client.ok(
        "textDocument/formatting",
        json!({"textDocument": {"uri": helpers}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]), "the helpers file is already canonical");
    client.open(&helpers, &HELPERS.replace("fn unlogged(b: Bucket) -> bool =", "fn   unlogged( b : Bucket )->bool="));
    let edits = client.ok(
        "textDocument/formatting",
        json!({"textDocument": {"uri": helpers}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"], HELPERS, "{edits}");
    client.open(&helpers, HELPERS);

    // Rename the function: its declaration and its call, in two files.
    let edit = client.ok(
        "textDocument/rename",
        json!({"textDocument": {"uri": rules}, "position": position(6, 9), "newName": "not_logged"}),
    );
    assert_eq!(edit["changes"][helpers.as_str()][0]["newText"], "not_logged", "{edit}");
    assert_eq!(edit["changes"][rules.as_str()].as_array().map(Vec::len), Some(1), "{edit}");
    let code = client.error_code(
        "textDocument/rename",
        json!({"textDocument": {"uri": rules}, "position": position(2, 6), "newName": "X"}),
    );
    assert_eq!(code, lsp_server::ErrorCode::RequestFailed as i32);

    // Complete after `.`: the fields of the subject's type.
    client.change(&rules, 3, json!([{"range": {"start": position(6, 18), "end": position(6, 18)}, "text": " and b."}]));
    let completion =
        client.ok("textDocument/completion", json!({"textDocument": {"uri": rules}, "position": position(6, 25)}));
    let labels: Vec<&str> = completion.as_array().expect("items").iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"logging") && labels.contains(&"acl"), "{labels:?}");

    // The outline of the file.
    let symbols = client.ok("textDocument/documentSymbol", json!({"textDocument": {"uri": helpers}}));
    assert_eq!(symbols[0]["name"], "unlogged");

    // Workspace symbols search every file, the stdlib included.
    let found = client.ok("workspace/symbol", json!({"query": "UNLOG"}));
    assert_eq!(found[0]["name"], "unlogged", "{found}");
    assert_eq!(found[0]["location"]["uri"], helpers.as_str());

    client.shutdown();
}

#[test]
fn signature_help_follows_the_argument_being_typed() {
    let root = pack(&[("helpers.rule", HELPERS), ("rules.rule", RULES)]);
    let rules = uri(&root.path().join("acme/rules.rule"));
    let mut client = Client::start(root.path());
    let help_at = |client: &mut Client, character| {
        client.ok(
            "textDocument/signatureHelp",
            json!({"textDocument": {"uri": rules}, "position": position(6, character)}),
        )
    };

    // `(` just typed: the function's signature, its doc, the first parameter active.
    client.open(&rules, &RULES.replace("when unlogged(b)", "when unlogged("));
    insta::assert_json_snapshot!("signature_help_function", help_at(&mut client, 16));

    // Inside a method's lambda, the list still unclosed: the method of the inferred type.
    client.open(&rules, &RULES.replace("when unlogged(b)", "when b.tags.keys().any(k => k.starts_with(\"x\", "));
    let help = help_at(&mut client, 49);
    assert_eq!(help["signatures"][0]["label"], ".starts_with(string) -> bool", "{help}");
    assert_eq!(help["activeParameter"], serde_json::Value::Null, "a second argument has no parameter: {help}");

    // After the call: nothing.
    client.open(&rules, RULES);
    assert_eq!(help_at(&mut client, 20), serde_json::Value::Null);
    client.shutdown();
}

#[test]
fn unknown_requests_get_method_not_found_and_bad_params_invalid_params() {
    let root = pack(&[("rules.rule", RULES)]);
    let mut client = Client::start(root.path());
    let code = client.error_code("textDocument/codeLens", json!({"textDocument": {"uri": "file:///x.rule"}}));
    assert_eq!(code, lsp_server::ErrorCode::MethodNotFound as i32);
    let code = client.error_code("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(code, lsp_server::ErrorCode::InvalidParams as i32);
    // Unreadable notifications are logged and dropped; the server goes on answering.
    for method in ["textDocument/didOpen", "textDocument/didChange", "textDocument/didClose"] {
        client.notify(method, json!({"nonsense": true}));
    }
    let symbols = client.ok("workspace/symbol", json!({"query": "ACME"}));
    assert!(symbols.as_array().is_some_and(|s| !s.is_empty()), "{symbols}");
    let logged = client.notifications.iter().filter(|n| n.method == "window/logMessage").count();
    assert_eq!(logged, 3, "{:?}", client.notifications);
    // A file the workspace does not have gets no hover rather than an error.
    let hover = client
        .ok("textDocument/hover", json!({"textDocument": {"uri": "file:///nowhere.rule"}, "position": position(0, 0)}));
    assert_eq!(hover, serde_json::Value::Null);
    client.shutdown();
}
