//! The editor's loop on a workspace of 1,000 rules (the compiler's generated benchmark pack,
//! written to disk as a folder pack), measured in-process over an in-memory connection:
//!
//! - `diagnostics_after_one_char_edit`: a one-character edit inside one rule body, until the
//!   server has re-checked and published (measured as the edit plus a request the server
//!   answers after it, since it handles messages in order);
//! - `hover` on a field access and `completion` after a `.` in the middle of the pack;
//! - `signature_help` just inside a method's `(` (the receiver's type is found by re-checking
//!   the item with the call cut out, as completion does).
//!
//! Run with `cargo bench -p rulec-lsp --bench editor`.

use std::cell::Cell;

use divan::Bencher;
use rulec_compiler::bench_support::{self, RULES_PER_FILE};
use rulec_lsp::client::{Client, position};
use serde_json::json;

fn main() {
    divan::main();
}

/// The pack on disk, a client with the edited file open, its URI and text.
fn workspace() -> (tempfile::TempDir, Client, String, String) {
    let root = tempfile::tempdir().expect("temp dir");
    let pack = bench_support::pack();
    let dir = root.path().join("bench");
    std::fs::create_dir_all(&dir).expect("pack dir");
    std::fs::write(dir.join("pack.yaml"), "name: bench\nversion: 0.0.0\n").expect("manifest");
    for file in &pack.files {
        let name = file.path.rsplit('/').next().expect("a file name");
        std::fs::write(dir.join(name), &file.text).expect("rule file");
    }
    let path = bench_support::rule_file_path(7);
    let text = pack.files.iter().find(|f| f.path == path).expect("the edited file").text.clone();
    let disk = dir.join(path.rsplit('/').next().expect("a file name")).canonicalize().expect("path");
    let uri = format!("file://{}", disk.display());
    let mut client = Client::start(root.path());
    client.open(&uri, &text);
    // The first answer waits for the cold compile of the whole workspace.
    client.ok("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}));
    (root, client, uri, text)
}

/// The line and column just after the first `needle` of the middle rule.
fn after(text: &str, needle: &str) -> (u32, u32) {
    let rule = text.find(&format!("limit_{:02}", RULES_PER_FILE / 2)).expect("the middle rule");
    let at = rule + text[rule..].find(needle).expect("the needle") + needle.len();
    let line = text[..at].matches('\n').count() as u32;
    let column = (at - text[..at].rfind('\n').map_or(0, |n| n + 1)) as u32;
    (line, column)
}

#[divan::bench(sample_count = 30, sample_size = 1)]
fn diagnostics_after_one_char_edit(bencher: Bencher<'_, '_>) {
    let (_root, mut client, uri, text) = workspace();
    // The last digit of the middle rule's `let limit_NN = N` line, toggled between 1 and 2.
    let marker = format!("let limit_{:02} = ", RULES_PER_FILE / 2);
    let line_start = text.find(&marker).expect("the middle rule");
    let digit = line_start + text[line_start..].find('\n').expect("a line end") - 1;
    let line = text[..digit].matches('\n').count() as u32;
    let column = (digit - text[..digit].rfind('\n').map_or(0, |n| n + 1)) as u32;
    let version = Cell::new(1);
    bencher.bench_local(|| {
        let v = version.get() + 1;
        version.set(v);
        let range = json!({"start": position(line, column), "end": position(line, column + 1)});
        client.change(&uri, v, json!([{"range": range, "text": if v % 2 == 0 { "1" } else { "2" }}]));
        client.ok("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}))
    });
}

/// The workspace, a client, and the parameters of a request at `shift` columns after the
/// first `needle` of the middle rule.
fn request_after(needle: &str, shift: u32) -> (tempfile::TempDir, Client, serde_json::Value) {
    let (root, client, uri, text) = workspace();
    let (line, column) = after(&text, needle);
    (root, client, json!({"textDocument": {"uri": uri}, "position": position(line, column + shift)}))
}

#[divan::bench(sample_count = 30, sample_size = 1)]
fn hover(bencher: Bencher<'_, '_>) {
    let (_root, mut client, params) = request_after("sg.", 1);
    bencher.bench_local(|| client.ok("textDocument/hover", params.clone()));
}

#[divan::bench(sample_count = 30, sample_size = 1)]
fn completion(bencher: Bencher<'_, '_>) {
    let (_root, mut client, params) = request_after("sg.", 0);
    bencher.bench_local(|| client.ok("textDocument/completion", params.clone()));
}

#[divan::bench(sample_count = 30, sample_size = 1)]
fn signature_help(bencher: Bencher<'_, '_>) {
    let (_root, mut client, params) = request_after(".filter(", 0);
    let help = client.ok("textDocument/signatureHelp", params.clone());
    assert!(help["signatures"][0]["label"].as_str().is_some_and(|l| l.starts_with(".filter(")), "{help}");
    bencher.bench_local(|| client.ok("textDocument/signatureHelp", params.clone()));
}
