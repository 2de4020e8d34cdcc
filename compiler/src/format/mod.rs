//! The canonical formatter of `.rule` files (`rulec fmt`, and the language server's
//! formatting request).
//!
//! Text → syntax tree → document ([`doc`]) → text laid out at [`WIDTH`] columns ([`render`]).
//! Comments are not in the tree: [`trivia`] finds them in the text and the builder
//! ([`context`], [`items`], [`expr`], [`types`], [`data`]) places each one before the node it
//! precedes or at the end of the line it ends, in source order.
//!
//! Safety net: the output is parsed again before it is returned. If it does not parse, parses
//! to a different tree (positions aside, see [`same_syntax`]), or holds different comments,
//! the result is [`FormatError::Internal`] — a formatter bug surfaces as an error and a file
//! is never rewritten with another meaning.

mod context;
mod data;
mod doc;
mod equiv;
mod expr;
mod items;
mod render;
mod trivia;
mod types;

pub use equiv::same_syntax;

use crate::diagnostics::Diagnostic;
use crate::syntax;

/// The line width the formatter breaks at.
pub const WIDTH: usize = 100;

/// Why a text was not formatted.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The text does not parse; formatting it would mean guessing. The diagnostics name no
    /// file (their `file` is empty): the caller knows which file it passed.
    #[error("the text has syntax errors")]
    Syntax(Vec<Diagnostic>),
    /// A formatter bug, caught by re-parsing the output.
    #[error("internal formatter error: {0}")]
    Internal(String),
}

/// The canonical layout of `text`, which must parse without errors.
pub fn format_source(text: &str) -> Result<String, FormatError> {
    let (ast, diagnostics) = syntax::parse("", text);
    let errors: Vec<Diagnostic> = diagnostics.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(FormatError::Syntax(errors));
    }
    let comments = trivia::collect(text, &ast);
    let ctx = context::Ctx::new(text, &comments);
    let doc = ctx.file(&ast);
    if !ctx.all_printed() {
        return Err(FormatError::Internal("a comment was left out".to_owned()));
    }
    let formatted = render::render(&doc, WIDTH);
    verify(text, &ast, &comments, &formatted)?;
    Ok(formatted)
}

/// The safety net: `formatted` parses to the same tree as the input and has the same comments.
fn verify(
    text: &str,
    ast: &syntax::ast::SourceAst,
    comments: &[trivia::Trivia],
    formatted: &str,
) -> Result<(), FormatError> {
    let (new_ast, diagnostics) = syntax::parse("", formatted);
    if let Some(error) = diagnostics.iter().find(|d| d.is_error()) {
        return Err(FormatError::Internal(format!("the output does not parse: {}", error.message)));
    }
    if !same_syntax(ast, &new_ast) {
        return Err(FormatError::Internal("the output parses to a different syntax tree".to_owned()));
    }
    let new_comments = trivia::collect(formatted, &new_ast);
    if trivia::texts(text, comments) != trivia::texts(formatted, &new_comments) {
        return Err(FormatError::Internal("the output's comments differ from the input's".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Formats `input`, checks the result is `expected`, and that formatting it again
    /// changes nothing.
    #[track_caller]
    fn check(input: &str, expected: &str) {
        let formatted = format_source(input).unwrap_or_else(|e| panic!("{e}: {e:?}\n{input}"));
        assert_eq!(formatted, expected, "\n--- got ---\n{formatted}\n--- expected ---\n{expected}");
        let again = format_source(&formatted).expect("the output formats");
        assert_eq!(again, formatted, "not idempotent");
    }

    /// `check` for a file that is already canonical.
    #[track_caller]
    fn unchanged(input: &str) {
        check(input, input);
    }

    #[test]
    fn normalizes_spacing_and_blank_lines() {
        check(
            "package   p\n\n\n\nuse std.net\nconst  x :int=1+2*3\nconst y: [int] = [ 1,2 ]\n\n\n",
            "package p\n\nuse std.net\nconst x: int = 1 + 2 * 3\nconst y: [int] = [1, 2]\n",
        );
    }

    #[test]
    fn keeps_comments_in_every_position() {
        unchanged(
            "// file header\n\npackage p // the package\n\n// before the item\n/// Doc.\nfn f(\n  a: int, // first\n  // own line\n  b: int,\n) -> bool =\n  a > 1 // after a\n    // before and\n    and b < 2\n\nconst xs: [int] = [\n  1, // one\n  2,\n  // dangling\n]\n// the end\n",
        );
    }

    #[test]
    fn keeps_comments_in_blocks_and_records() {
        unchanged(
            "package p\n\nrule R { // opening\n  title    \"t\" // after title\n  severity low\n\n  // before for\n  for s: SecurityGroup\n  when s.id == \"x\"\n  evidence {\n    a: 1, // trailing\n    // own line\n    b: 2,\n  }\n  // last\n}\n",
        );
    }

    #[test]
    fn comment_after_a_keyword_moves_to_its_own_line() {
        check(
            "package p\nrule R {\n  title \"t\"\n  severity low\n  for s: SecurityGroup\n  when // why\n    s.id == \"x\"\n}\n",
            "package p\nrule R {\n  title    \"t\"\n  severity low\n  for s: SecurityGroup\n  when\n  // why\n  s.id == \"x\"\n}\n",
        );
    }

    #[test]
    fn breaks_long_operator_chains_before_the_operator() {
        check(
            "package p\nfn f(a: int, b: int) -> bool = a > 1000000000 and b > 1000000000 and a + b > 1000000000 and a * b > 10000000000\n",
            "package p\nfn f(a: int, b: int) -> bool =\n  a > 1000000000 and b > 1000000000 and a + b > 1000000000 and a * b > 10000000000\n",
        );
        check(
            "package p\nfn f(a: int, b: int) -> bool = a > 1000000000 and b > 1000000000 and a + b > 1000000000 and a * b > 10000000000 and a - b > 100000\n",
            "package p\nfn f(a: int, b: int) -> bool =\n  a > 1000000000\n    and b > 1000000000\n    and a + b > 1000000000\n    and a * b > 10000000000\n    and a - b > 100000\n",
        );
    }

    #[test]
    fn parenthesizes_where_precedence_needs_and_keeps_author_parentheses_on_operators() {
        check(
            "package p\nconst a: int = ((1)) + (2 * 3)\nconst b: int = (1 + 2) * 3\nconst c: bool = not (true and false)\nconst d: int = -(1 + 2)\nconst e: int = (1 + 2).abs()\nconst f: int = 1 - (2 - 3)\n",
            "package p\nconst a: int = 1 + (2 * 3)\nconst b: int = (1 + 2) * 3\nconst c: bool = not (true and false)\nconst d: int = -(1 + 2)\nconst e: int = (1 + 2).abs()\nconst f: int = 1 - (2 - 3)\n",
        );
    }

    #[test]
    fn breaks_lists_records_calls_and_chains_at_the_width() {
        check(
            "package p\nconst names: [string] = [\"aaaaaaaaaa\", \"bbbbbbbbbb\", \"cccccccccc\", \"dddddddddd\", \"eeeeeeeeee\", \"ffffffffff\", \"gggggggggg\", \"hh\"]\n",
            "package p\nconst names: [string] = [\n  \"aaaaaaaaaa\", \"bbbbbbbbbb\", \"cccccccccc\", \"dddddddddd\", \"eeeeeeeeee\", \"ffffffffff\", \"gggggggggg\",\n  \"hh\",\n]\n",
        );
        check(
            "package p\nfn f(xs: [int]) -> [int] = xs.filter(x => x > 100000000000000000000).map(x => x * 100000000000000).distinct().sort().take(1000000)\n",
            "package p\nfn f(xs: [int]) -> [int] =\n  xs.filter(x => x > 100000000000000000000)\n    .map(x => x * 100000000000000)\n    .distinct()\n    .sort()\n    .take(1000000)\n",
        );
        check(
            "package p\nrule R {\n  title \"t\"\n  severity low\n  for s: SecurityGroup\n  let open = s.ingress.filter(r => r.action == \"accept\" and r.protocol != \"icmp\" and r.port_from <= 22)\n  when true\n}\n",
            "package p\nrule R {\n  title    \"t\"\n  severity low\n  for s: SecurityGroup\n  let open = s.ingress.filter(r =>\n    r.action == \"accept\" and r.protocol != \"icmp\" and r.port_from <= 22\n  )\n  when true\n}\n",
        );
    }

    #[test]
    fn keeps_literals_and_templates_as_written() {
        unchanged(
            "package p\n\nconst s: string = \"a\\u{4e2d}\\\"\\n\"\nconst r: regex = /^(name\\/)?\\*+$/i\nconst d: duration = 1h30m\n\nrule R {\n  title    \"t\"\n  severity low\n  for s: SecurityGroup\n  message  \"{s.id} has {if s.ingress.is_empty() then \"no\" else \"some\"} rules \\{x\\}\"\n}\n",
        );
        check(
            "package p\nrule R {\n  title \"t\"\n  severity low\n  for s: SecurityGroup\n  message \"{ s.id+1 } x\"\n}\n",
            "package p\nrule R {\n  title    \"t\"\n  severity low\n  for s: SecurityGroup\n  message  \"{s.id + 1} x\"\n}\n",
        );
    }

    #[test]
    fn a_division_sign_before_a_comment_is_not_a_doc_comment() {
        check(
            "package p\nconst x: int = 4 /// half\n  2\n",
            "package p\nconst x: int =\n  4\n    /\n    // half\n    2\n",
        );
    }

    #[test]
    fn types_keep_the_parentheses_they_need() {
        unchanged(
            "package p\n\nrecord R {\n  a: (string | [string])?\n  b: (ref A) | B\n  c: ref A | B?\n  d: {string: [int]}\n}\n",
        );
        check(
            "package p\nrecord R { a: (int), b: int\n c: \"x\"|\"y\" }\n",
            "package p\nrecord R {\n  a: int\n  b: int\n  c: \"x\" | \"y\"\n}\n",
        );
    }

    #[test]
    fn formats_tests_with_inline_data() {
        check(
            "package p\ntest \"t\" {\n  given { format: \"v1\", \"taken_at\": \"x\", assets: [ {type: \"A\", id: \"1\"} ] }\n  expect   no X on \"1\"\n}\n",
            "package p\ntest \"t\" {\n  given {\n    format: \"v1\"\n    taken_at: \"x\"\n    assets: [{type: \"A\", id: \"1\"}]\n  }\n  expect no X on \"1\"\n}\n",
        );
    }

    /// Inputs at the parser's nesting and length limits format on the 2 MiB stack of a spawned
    /// thread (what a language-server worker gets).
    #[test]
    fn deep_inputs_format_on_a_small_stack() {
        let n = 60;
        let inputs = [
            format!("package p\nconst x: [int] = {}1{}\n", "[".repeat(n), "]".repeat(n)),
            format!("package p\nconst x: bool = {}true\n", "not ".repeat(120)),
            format!(
                "package p\nconst x: int = {}\n",
                (0..60).map(|i| i.to_string()).collect::<Vec<_>>().join(" + 2 * ")
            ),
            format!("package p\nconst x: int = {}1{}\n", "if true then 1 else (".repeat(n), ")".repeat(n)),
            format!("package p\nconst x: bool = {}true{}\n", "[1].any(x => ".repeat(n), ")".repeat(n)),
            format!("package p\nconst x: int = y{}\n", ".a".repeat(120)),
            format!("package p\nconst x: int = {}1{}\n", "(1 + ".repeat(n), ")".repeat(n)),
        ];
        let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(move || {
            for input in inputs {
                let formatted = format_source(&input).unwrap_or_else(|e| panic!("{e}: {input}"));
                assert_eq!(format_source(&formatted).expect("formats again"), formatted);
            }
        });
        worker.expect("spawn").join().expect("no stack overflow");
    }

    #[test]
    fn refuses_text_that_does_not_parse() {
        let Err(FormatError::Syntax(diagnostics)) = format_source("package p\nconst x: int = (1\n") else {
            panic!("a syntax error is refused");
        };
        assert!(!diagnostics.is_empty());
    }
}
