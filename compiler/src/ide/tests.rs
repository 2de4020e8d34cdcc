//! The editor questions against the real stdlib plus a small pack, with the cursor marked
//! `$0` in the pack's text.

use super::*;
use crate::compilation::Compilation;
use crate::packs::{self, Manifest, Origin, Pack, RuleFile};

const PACK: &str = r#"package acme

use std.net

/// Buckets nobody logs.
rule ACME_NO_LOGGING {
  title    "Bucket logging is off"
  severity low
  controls [mlps2.l3."8.1.4.3-a"]
  for b: Bucket
  let name = b.name ?? b.id
  when not b.logging and net.is_world(cidr("0.0.0.0/0")) and limit > 1
  message "{name}"
}

/// How many.
const limit: int = 2
"#;

/// A workspace of the stdlib and `text` (with `$0` removed) as `acme/a.rule`; the offset of `$0`.
fn workspace(text: &str) -> (Compilation, u32) {
    let offset = text.find("$0").expect("a $0 marker") as u32;
    let text = text.replacen("$0", "", 1);
    let mut all: Vec<Pack> = packs::builtin().into_iter().filter(|p| p.manifest.name == packs::STD_PACK).collect();
    all.push(Pack {
        manifest: Manifest { name: "acme".into(), version: "0.1.0".into(), description: None, requires: Vec::new() },
        origin: Origin::Builtin,
        files: vec![RuleFile { path: "acme/a.rule".into(), text }],
    });
    (Compilation::new(&all), offset)
}

fn at(marker_before: &str) -> (Compilation, u32) {
    workspace(&PACK.replacen(marker_before, &format!("$0{marker_before}"), 1))
}

fn hover_text(marker_before: &str) -> String {
    let (c, offset) = at(marker_before);
    let file = c.file("acme/a.rule").expect("file");
    hover(c.db(), c.workspace(), file, offset).expect("a hover").markdown
}

#[test]
fn hover_shows_types_docs_and_rule_metadata() {
    assert_eq!(hover_text("name ?? b.id"), "```rule\nname: string?\n```");
    assert!(hover_text("logging and").starts_with("```rule\nlogging: bool\n```"), "{}", hover_text("logging and"));
    let rule = hover_text("ACME_NO_LOGGING {");
    assert!(rule.contains("rule ACME_NO_LOGGING"), "{rule}");
    assert!(rule.contains("severity: `low`") && rule.contains("`mlps2.l3/8.1.4.3-a`"), "{rule}");
    assert!(rule.contains("Buckets nobody logs."), "{rule}");
    assert!(hover_text("is_world(").starts_with("```rule\nfn std.net.is_world("), "{}", hover_text("is_world("));
    assert!(hover_text("limit > 1").contains("const acme.limit: int"), "{}", hover_text("limit > 1"));
    assert!(hover_text("Bucket\n").contains("asset std.schema.Bucket"), "{}", hover_text("Bucket\n"));
    assert!(hover_text("8.1.4.3-a\"]").contains("**mlps2.l3** `8.1.4.3-a`"), "{}", hover_text("8.1.4.3-a\"]"));
    // A manual control says so, with the audit its doc comment describes.
    let (c, offset) = workspace(&PACK.replace("mlps2.l3.\"8.1.4.3-a\"", "cis.alibaba.\"$01.1\""));
    let file = c.file("acme/a.rule").expect("file");
    let manual = hover(c.db(), c.workspace(), file, offset).expect("a hover").markdown;
    assert!(manual.starts_with("**cis.alibaba** `1.1`: Avoid the use of the root account (manual)"), "{manual}");
    assert!(manual.contains("Audit:"), "{manual}");
    // An expression without a name: its type.
    assert_eq!(hover_text("\"0.0.0.0/0\")"), "```rule\nstring\n```");
}

#[test]
fn definition_finds_locals_members_fields_types_and_controls_across_files() {
    let goto = |marker: &str| {
        let (c, offset) = at(marker);
        let file = c.file("acme/a.rule").expect("file");
        let found = definition(c.db(), c.workspace(), file, offset).expect("a definition");
        let text = found.file.text(c.db());
        (found.file.path(c.db()).clone(), text[found.span.range()].to_owned())
    };
    assert_eq!(goto("name}"), ("acme/a.rule".into(), "name".into()));
    assert_eq!(goto("limit > 1"), ("acme/a.rule".into(), "limit".into()));
    assert_eq!(goto("is_world(").0, "stdlib-rules/net.rule");
    assert_eq!(goto("logging and"), ("stdlib-rules/schema.rule".into(), "logging".into()));
    assert_eq!(goto("Bucket\n"), ("stdlib-rules/schema.rule".into(), "Bucket".into()));
    assert_eq!(goto("8.1.4.3-a\"]"), ("stdlib-rules/frameworks.rule".into(), "\"8.1.4.3-a\"".into()));
    // An edge named in `via`.
    let text = format!(
        "{}\nedge hop: Bucket -> Bucket\n",
        PACK.replace("message \"{name}\"", "when reaches(b, b, via: [$0hop])")
    );
    let (c, offset) = workspace(&text);
    let found = definition(c.db(), c.workspace(), c.file("acme/a.rule").expect("file"), offset).expect("the edge");
    assert_eq!(&found.file.text(c.db())[found.span.range()], "hop");
    assert!(found.span.start > offset, "the declaration after the rule, not the use");
    // A package: from an alias in an expression and from the `use` line.
    assert_eq!(goto("net.is_world"), ("stdlib-rules/net.rule".into(), "std.net".into()));
    assert_eq!(goto("std.net\n"), ("stdlib-rules/net.rule".into(), "std.net".into()));
}

#[test]
fn a_package_has_hover_and_references_in_headers_and_expressions() {
    assert!(hover_text("net.is_world").starts_with("```rule\npackage std.net\n```"), "{}", hover_text("net.is_world"));
    let (c, offset) = at("net.is_world");
    let file = c.file("acme/a.rule").expect("file");
    let found = references(c.db(), c.workspace(), file, offset);
    let shown: Vec<(String, String)> =
        found.iter().map(|f| (f.file.path(c.db()).clone(), f.file.text(c.db())[f.span.range()].to_owned())).collect();
    assert_eq!(shown[0], ("stdlib-rules/net.rule".into(), "std.net".into()), "the declaration first");
    assert!(shown.contains(&("acme/a.rule".into(), "std.net".into())), "the use: {shown:?}");
    assert!(shown.contains(&("acme/a.rule".into(), "net".into())), "the alias: {shown:?}");
    // A package is named outside the workspace too: it is not renamed.
    assert_eq!(rename(c.db(), c.workspace(), file, offset, "network"), Err(RenameError::NotRenamable));
}

#[test]
fn references_list_the_declaration_then_every_use() {
    let (c, offset) = at("limit: int");
    let file = c.file("acme/a.rule").expect("file");
    let found = references(c.db(), c.workspace(), file, offset);
    let text = file.text(c.db());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|f| &text[f.span.range()] == "limit"));
    assert!(found[0].span.start > found[1].span.start, "the declaration comes first");
}

#[test]
fn completion_after_a_dot_offers_fields_and_methods_of_the_inferred_type() {
    let labels = |text: &str| {
        let (mut c, offset) = workspace(text);
        completions(&mut c, "acme/a.rule", offset).into_iter().map(|c| c.label).collect::<Vec<_>>()
    };
    let fields = labels(&PACK.replace("message \"{name}\"", "when b.$0"));
    assert!(fields.contains(&"logging".to_owned()) && fields.contains(&"acl".to_owned()), "{fields:?}");
    // Through a `let` holding an optional, and a partly typed name.
    let methods = labels(&PACK.replace("message \"{name}\"", "when name.lo$0"));
    assert!(methods.contains(&"lower".to_owned()) && !methods.contains(&"logging".to_owned()), "{methods:?}");
    // Through a lambda's parameter.
    let lambda = labels(&PACK.replace("message \"{name}\"", "when [b].any(x => x.$0)"));
    assert!(lambda.contains(&"versioning".to_owned()), "{lambda:?}");
    // The same with the brackets not yet closed.
    let unclosed = labels(&PACK.replace("message \"{name}\"", "when [b].any(x => x.$0"));
    assert!(unclosed.contains(&"versioning".to_owned()), "{unclosed:?}");
    // A package alias offers the package's members.
    let members = labels(&PACK.replace("message \"{name}\"", "when net.$0"));
    assert!(members.contains(&"is_world".to_owned()), "{members:?}");
    // Elsewhere: locals, constants, types, builtins and keywords.
    let scope = labels(&PACK.replace("message \"{name}\"", "when $0"));
    for expected in ["name", "b", "limit", "Bucket", "cidr", "not", "net"] {
        assert!(scope.contains(&expected.to_owned()), "{expected} in {scope:?}");
    }
    let controls = labels(&PACK.replace("controls [mlps2.l3.\"8.1.4.3-a\"]", "controls [$0"));
    assert!(controls.contains(&"mlps2.l3.\"8.1.4.1-a\"".to_owned()), "{controls:?}");
}

#[test]
fn completion_leaves_the_text_as_it_was() {
    let (mut c, offset) = workspace(&PACK.replace("message \"{name}\"", "when b.$0"));
    let before = c.diagnostics();
    completions(&mut c, "acme/a.rule", offset);
    assert_eq!(c.diagnostics(), before);
}

/// The signature help at `$0` of PACK with `message "{name}"` replaced by `when`: the label
/// with the active parameter in brackets, and the docs.
fn signature(when: &str) -> Option<(String, Option<String>)> {
    let (mut c, offset) = workspace(&PACK.replace("message \"{name}\"", when));
    let before = c.diagnostics();
    let help = signature_help(&mut c, "acme/a.rule", offset);
    assert_eq!(c.diagnostics(), before, "signature help changed the text");
    help.map(|help| {
        let mut label = help.label.text.clone();
        if let Some(range) = help.active_param.map(|n| help.label.params[n as usize].clone()) {
            label.insert(range.end, ']');
            label.insert(range.start, '[');
        }
        (label, help.docs)
    })
}

#[test]
fn signature_help_shows_builtins_functions_and_methods_with_the_active_argument() {
    let (label, docs) = signature("when cidr($0").expect("a builtin");
    assert_eq!(label, "cidr([literal: string]) -> cidr");
    assert!(docs.is_some_and(|d| d.contains("checked when the rule compiles")));
    // A package's function through its alias, with its doc comment.
    let (label, docs) = signature("when net.is_world($0)").expect("a package function");
    assert_eq!(label, "net.is_world([c: cidr]) -> bool");
    assert!(docs.is_some_and(|d| d.contains("world range")));
    // A method of an inferred type, while the list is still unclosed.
    let (label, _) = signature("when name.starts_with($0").expect("a method");
    assert_eq!(label, ".starts_with([string]) -> bool");
    // The third argument, inside a list.
    let (label, _) = signature("when reaches(b, b, via: [$0])").expect("a builtin");
    assert_eq!(label, "reaches(from, to, [via: [edge]]) -> bool");
    let (label, _) = signature("when [b].any(x => x.logging and cidr(\"0.0.0.0/0\") != $0)").expect("a lambda");
    assert_eq!(label, ".any([Bucket => bool]) -> bool");
    // More arguments than parameters: no parameter is active.
    assert_eq!(signature("when now(1, $0)").map(|s| s.0), Some("now() -> time".into()));
    assert_eq!(signature("when not ($0)"), None);
    assert_eq!(signature("when b.nothing($0)"), None);
}

#[test]
fn document_symbols_outline_items_lets_and_controls() {
    let (c, _) = workspace(&format!("$0{PACK}"));
    let file = c.file("acme/a.rule").expect("file");
    let symbols = document_symbols(c.db(), file);
    let names: Vec<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ACME_NO_LOGGING", "limit"]);
    assert_eq!(symbols[0].detail.as_deref(), Some("Bucket logging is off"));
    assert_eq!(symbols[0].children[0].name, "name");
    let frameworks = c.file("stdlib-rules/frameworks.rule").expect("frameworks");
    let outline = document_symbols(c.db(), frameworks);
    assert!(outline.iter().any(|s| s.name == "mlps2.l3" && s.children.iter().any(|c| c.name == "8.2.1.1")));
}

#[test]
fn rename_covers_lets_and_constants_and_refuses_the_rest() {
    let edits = |marker: &str, new_name: &str| {
        let (c, offset) = at(marker);
        let file = c.file("acme/a.rule").expect("file");
        rename(c.db(), c.workspace(), file, offset, new_name)
            .map(|spans| spans.iter().map(|s| s.span.start).collect::<Vec<_>>())
    };
    assert_eq!(edits("name}", "label").map(|s| s.len()), Ok(2), "the let and its use in the message");
    assert_eq!(edits("limit > 1", "cap").map(|s| s.len()), Ok(2));
    assert_eq!(edits("Bucket\n", "Pail"), Err(RenameError::NotRenamable));
    assert_eq!(edits("ACME_NO_LOGGING {", "X"), Err(RenameError::NotRenamable));
    assert_eq!(edits("name}", "when"), Err(RenameError::InvalidName("when".into())));
    assert_eq!(edits("name}", "9lives"), Err(RenameError::InvalidName("9lives".into())));
}
