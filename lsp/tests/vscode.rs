//! The VS Code extension (`lsp/editors/vscode`), checked without VS Code: its manifest names
//! files that exist and declares every setting and command `extension.js` uses; its TextMate
//! grammar compiles, scopes every keyword, scalar type, builtin and severity of the language,
//! and highlights a sample as the snapshot shows (read by the small TextMate interpreter
//! below); and, where Node.js is installed, `extension.js`'s own tests run against a fake
//! VS Code API.

use std::path::{Path, PathBuf};
use std::process::Command;

use regex::{Captures, Regex};
use rulec_compiler::semantic::SEVERITIES;
use rulec_compiler::semantic::env::SCALARS;
use rulec_compiler::semantic::expr::BUILTIN_FUNCTIONS;
use serde_json::Value;

fn extension_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode")
}

fn read(relative: &str) -> String {
    let path = extension_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_json(relative: &str) -> Value {
    serde_json::from_str(&read(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Every capture of group 1 of `pattern` in `text`.
fn all(pattern: &str, text: &str) -> Vec<String> {
    let regex = Regex::new(pattern).expect("a test regex");
    regex.captures_iter(text).map(|c| c[1].to_owned()).collect()
}

#[test]
fn the_manifest_names_existing_files_and_declares_what_extension_js_uses() {
    let manifest = read_json("package.json");
    let contributes = &manifest["contributes"];
    let language = &contributes["languages"][0];
    assert_eq!(language["id"], "rule");
    assert_eq!(language["extensions"], serde_json::json!([".rule"]));
    read_json(language["configuration"].as_str().expect("a language configuration"));
    let grammar = &contributes["grammars"][0];
    assert_eq!(grammar["language"], "rule");
    let grammar_json = read_json(grammar["path"].as_str().expect("a grammar path"));
    assert_eq!(grammar["scopeName"], grammar_json["scopeName"]);
    let main = read(manifest["main"].as_str().expect("a main file"));

    let properties = contributes["configuration"]["properties"].as_object().expect("settings");
    let section = all(r#"getConfiguration\("([^"]+)"\)"#, &main);
    assert_eq!(section, ["rulec"]);
    for key in all(r#"\.get\("([^"]+)"\)"#, &main) {
        assert!(properties.contains_key(&format!("rulec.{key}")), "rulec.{key} is read but not declared");
    }
    for key in all(r#"affectsConfiguration\("([^"]+)"\)"#, &main) {
        assert!(properties.contains_key(&key), "{key} is watched but not declared");
    }
    // vscode-languageclient reads `<client id>.trace.server`.
    for id in all(r#"new LanguageClient\(\s*"([^"]+)""#, &main) {
        assert!(properties.contains_key(&format!("{id}.trace.server")), "{id}.trace.server is not declared");
    }
    let commands: Vec<&str> =
        contributes["commands"].as_array().expect("commands").iter().filter_map(|c| c["command"].as_str()).collect();
    for command in all(r#"registerCommand\("([^"]+)""#, &main) {
        assert!(commands.contains(&command.as_str()), "{command} is registered but not contributed");
    }

    // `npm ci` installs exactly what the manifest asks for.
    let lock = read_json("package-lock.json");
    assert_eq!(lock["packages"][""]["dependencies"], manifest["dependencies"], "package-lock.json is stale");
    assert_eq!(lock["packages"][""]["devDependencies"], manifest["devDependencies"], "package-lock.json is stale");
}

#[test]
fn the_grammar_scopes_every_keyword_type_builtin_and_severity() {
    let grammar = Grammar::load(&read_json("syntaxes/rule.tmLanguage.json"));
    let scope_of = |text: &str, token: &str| -> String {
        let tokens = grammar.tokenize(text);
        let found = tokens.iter().find(|t| t.text == token);
        found.and_then(|t| t.scopes.last()).cloned().unwrap_or_else(|| format!("nothing, in {tokens:?}"))
    };
    for keyword in rulec_compiler::syntax::keywords() {
        let scope = scope_of(keyword, keyword);
        let scoped = ["storage.type.", "keyword.", "constant.language."].iter().any(|s| scope.starts_with(s));
        assert!(scoped, "keyword `{keyword}` is scoped {scope}");
    }
    for (name, _) in SCALARS {
        assert_eq!(scope_of(&format!("x: {name}"), name), "support.type.primitive.rule", "type `{name}`");
    }
    for builtin in BUILTIN_FUNCTIONS {
        let call = format!("{}(", builtin.name);
        assert_eq!(scope_of(&call, builtin.name), "support.function.builtin.rule", "builtin `{}`", builtin.name);
    }
    for severity in SEVERITIES {
        assert_eq!(scope_of(&format!("severity {severity}"), severity), "constant.language.severity.rule");
    }
    // A name after `.`, or before `:`, is a member or a binding even when spelled like a
    // keyword or type.
    assert_eq!(scope_of("x.count()", "count"), "entity.name.function.member.rule");
    assert_eq!(scope_of("x.type", "type"), "variable.other.member.rule");
    assert_eq!(scope_of("{ ip: ip(\"10.0.0.1\") }", "ip"), "variable.other.declaration.rule");
    // `controls` is the clause at the start of a line, and may name an edge elsewhere.
    assert_eq!(scope_of("  controls [x]", "controls"), "keyword.other.clause.rule");
    let named = scope_of("via: [exposes, controls]", "controls");
    assert!(!named.starts_with("keyword."), "the edge `controls` is scoped {named}");
    // `/` divides after a value and starts a regex where a value starts.
    assert_eq!(scope_of("a / b / c", "/"), "keyword.operator.rule");
    assert_eq!(scope_of("s matches /a\\/b/i", "/a\\/b/i"), "string.regexp.rule");
}

#[test]
fn the_grammar_highlights_the_sample() {
    let grammar = Grammar::load(&read_json("syntaxes/rule.tmLanguage.json"));
    let sample = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vscode/sample.rule"))
        .expect("the sample");
    let lines: Vec<String> = grammar
        .tokenize(&sample)
        .into_iter()
        .map(|t| format!("{:<28} {}", format!("{:?}", t.text), t.scopes.join(" ")).trim_end().to_owned())
        .collect();
    insta::assert_snapshot!("vscode_sample_tokens", lines.join("\n"));
}

#[test]
fn extension_js_passes_its_tests_where_node_is_installed() {
    let Ok(version) = Command::new("node").arg("--version").output() else {
        eprintln!("node is not installed: extension.js's tests (lsp/editors/vscode/test) were not run");
        return;
    };
    assert!(version.status.success(), "node --version failed");
    let run = Command::new("node").args(["--test", "test/"]).current_dir(extension_dir()).output().expect("node");
    assert!(
        run.status.success(),
        "node --test failed:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

// ------------------------------------------------------------------ a TextMate interpreter

/// A grammar rule with its `include`s resolved. Enough of TextMate for this grammar: `match`
/// and `begin`/`end` rules, names, captures (with nested patterns) and repository includes;
/// lines are matched one at a time, the leftmost match wins and ties go to the earlier rule,
/// a region's `end` before its patterns.
enum Rule {
    Match {
        regex: Regex,
        name: Option<String>,
        captures: Vec<(usize, Capture)>,
    },
    Region {
        begin: Regex,
        end: Regex,
        name: Option<String>,
        begin_captures: Vec<(usize, Capture)>,
        end_captures: Vec<(usize, Capture)>,
        patterns: Vec<Rule>,
    },
}

struct Capture {
    name: Option<String>,
    patterns: Vec<Rule>,
}

/// A stretch of text and its scopes, outermost first.
#[derive(Debug)]
struct Token {
    text: String,
    scopes: Vec<String>,
}

struct Grammar {
    patterns: Vec<Rule>,
}

impl Grammar {
    fn load(json: &Value) -> Self {
        Grammar { patterns: rules(&json["patterns"], &json["repository"]) }
    }

    /// The tokens of `text`, whitespace left out.
    fn tokenize(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut regions: Vec<&Rule> = Vec::new();
        for line in text.lines() {
            tokenize_line(line, &self.patterns, &mut regions, &[], &mut out);
        }
        out
    }
}

fn rules(list: &Value, repository: &Value) -> Vec<Rule> {
    list.as_array().expect("a pattern list").iter().flat_map(|p| rule(p, repository)).collect()
}

fn rule(pattern: &Value, repository: &Value) -> Vec<Rule> {
    let name = pattern["name"].as_str().map(str::to_owned);
    if let Some(include) = pattern["include"].as_str() {
        let key = include.strip_prefix('#').unwrap_or_else(|| panic!("only repository includes: {include}"));
        let target = &repository[key];
        assert!(target.is_object(), "no repository entry `{key}`");
        rule(target, repository)
    } else if let Some(regex) = pattern["match"].as_str() {
        vec![Rule::Match { regex: compile(regex), name, captures: captures(&pattern["captures"], repository) }]
    } else if let Some(begin) = pattern["begin"].as_str() {
        let end = pattern["end"].as_str().unwrap_or_else(|| panic!("a `begin` without `end`: {pattern}"));
        let patterns =
            if pattern["patterns"].is_array() { rules(&pattern["patterns"], repository) } else { Vec::new() };
        vec![Rule::Region {
            begin: compile(begin),
            end: compile(end),
            name,
            begin_captures: captures(&pattern["beginCaptures"], repository),
            end_captures: captures(&pattern["endCaptures"], repository),
            patterns,
        }]
    } else {
        rules(&pattern["patterns"], repository)
    }
}

/// Oniguruma (VS Code's engine) and the `regex` crate share the syntax this grammar keeps to:
/// no lookaround, no backreferences.
fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("the grammar's regex `{pattern}` does not compile: {e}"))
}

fn captures(json: &Value, repository: &Value) -> Vec<(usize, Capture)> {
    let Some(map) = json.as_object() else { return Vec::new() };
    let mut out: Vec<(usize, Capture)> = map
        .iter()
        .map(|(index, capture)| {
            let patterns =
                if capture["patterns"].is_array() { rules(&capture["patterns"], repository) } else { Vec::new() };
            let name = capture["name"].as_str().map(str::to_owned);
            (index.parse().expect("a capture index"), Capture { name, patterns })
        })
        .collect();
    out.sort_by_key(|(index, _)| *index);
    out
}

fn scopes_with(scopes: &[String], name: &Option<String>) -> Vec<String> {
    scopes.iter().cloned().chain(name.clone()).collect()
}

fn emit(out: &mut Vec<Token>, text: &str, scopes: Vec<String>) {
    let text = text.trim();
    if !text.is_empty() {
        out.push(Token { text: text.to_owned(), scopes });
    }
}

/// Tokenizes one line; `regions` are the `begin`/`end` rules open at its start (and at its end
/// after), inside `outer` scopes.
fn tokenize_line<'g>(
    line: &str,
    root: &'g [Rule],
    regions: &mut Vec<&'g Rule>,
    outer: &[String],
    out: &mut Vec<Token>,
) {
    let mut at = 0;
    while at <= line.len() {
        let scopes: Vec<String> = outer
            .iter()
            .cloned()
            .chain(regions.iter().filter_map(|r| match r {
                Rule::Region { name, .. } => name.clone(),
                Rule::Match { .. } => None,
            }))
            .collect();
        let (patterns, end, end_captures) = match regions.last() {
            Some(Rule::Region { patterns, end, end_captures, .. }) => {
                (patterns.as_slice(), Some(end), end_captures.as_slice())
            }
            _ => (root, None, [].as_slice()),
        };
        let end_match = end.and_then(|end| end.captures_at(line, at));
        let first = patterns
            .iter()
            .filter_map(|rule| {
                let regex = match rule {
                    Rule::Match { regex, .. } => regex,
                    Rule::Region { begin, .. } => begin,
                };
                regex.captures_at(line, at).map(|c| (rule, c))
            })
            .reduce(|best, next| if start(&next.1) < start(&best.1) { next } else { best });
        match (end_match, first) {
            (Some(end), first) if first.as_ref().is_none_or(|(_, c)| start(&end) <= start(c)) => {
                emit(out, &line[at..start(&end)], scopes.clone());
                emit_captures(out, line, &end, end_captures, scopes);
                regions.pop();
                at = end_of(&end, at);
            }
            (_, Some((rule, caps))) => {
                emit(out, &line[at..start(&caps)], scopes.clone());
                match rule {
                    Rule::Match { name, captures, .. } => {
                        emit_captures(out, line, &caps, captures, scopes_with(&scopes, name))
                    }
                    Rule::Region { name, begin_captures, .. } => {
                        emit_captures(out, line, &caps, begin_captures, scopes_with(&scopes, name));
                        regions.push(rule);
                    }
                }
                at = end_of(&caps, at);
            }
            _ => {
                emit(out, &line[at..], scopes);
                return;
            }
        }
    }
}

fn start(captures: &Captures<'_>) -> usize {
    captures.get(0).map_or(usize::MAX, |m| m.start())
}

/// Past a match; an empty match moves on one character so the loop ends.
fn end_of(captures: &Captures<'_>, at: usize) -> usize {
    let whole = captures.get(0).expect("group 0");
    if whole.end() > at { whole.end() } else { at + whole.as_str().chars().next().map_or(1, char::len_utf8) }
}

/// A match's text, split by its captures (groups that do not nest, as in this grammar).
fn emit_captures(
    out: &mut Vec<Token>,
    line: &str,
    caps: &Captures<'_>,
    captures: &[(usize, Capture)],
    scopes: Vec<String>,
) {
    let whole = caps.get(0).expect("group 0");
    let mut scopes = scopes;
    let mut at = whole.start();
    for (index, capture) in captures {
        if *index == 0 {
            scopes.extend(capture.name.clone());
            continue;
        }
        let Some(group) = caps.get(*index) else { continue };
        emit(out, &line[at..group.start()], scopes.clone());
        let inner = scopes_with(&scopes, &capture.name);
        if capture.patterns.is_empty() {
            emit(out, group.as_str(), inner);
        } else {
            tokenize_line(group.as_str(), &capture.patterns, &mut Vec::new(), &inner, out);
        }
        at = group.end();
    }
    emit(out, &line[at..whole.end()], scopes);
}
