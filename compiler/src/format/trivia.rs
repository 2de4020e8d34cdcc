//! Where the comments are: `//` comments and `///` doc comments, read from the source text.
//!
//! The grammar drops `//` comments and the syntax tree keeps doc comments without positions,
//! so both are found here by lexing the text. Lexing is exact because it runs only on text
//! that parsed: the tree says where every regex literal, division sign and message template
//! is, so a `//` inside a regex (`/a\//`) or a template hole (`"{"//"}"`) is never taken for a
//! comment, and `a ///c` is a division followed by the comment `//c`, as the grammar reads it.

use std::collections::{BTreeMap, BTreeSet};

use crate::syntax::ast::{BinaryOp, ClauseKind, ExprKind, ItemKind, SourceAst, Template};

/// One comment or doc comment: `text[start..end]`, trailing whitespace excluded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Trivia {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Every comment and doc comment of `text` (which parsed into `ast`), in source order.
pub(crate) fn collect(text: &str, ast: &SourceAst) -> Vec<Trivia> {
    let mut tokens = BTreeMap::new();
    let mut templates = BTreeSet::new();
    ast.walk_exprs(&mut |e| match &e.kind {
        ExprKind::Regex { pattern, flags } => {
            let start = skip_parens(text, e.span.start as usize);
            tokens.insert(start, start + pattern.len() + flags.len() + 2);
        }
        ExprKind::Binary { op: BinaryOp::Div, op_span, .. } => {
            tokens.insert(op_span.start as usize, op_span.end as usize);
        }
        _ => {}
    });
    each_template(ast, &mut |t| {
        templates.insert(t.span.start as usize);
    });
    Lexer { text, bytes: text.as_bytes(), tokens, templates }.run()
}

/// The text of each comment.
pub(crate) fn texts<'t>(text: &'t str, trivia: &[Trivia]) -> Vec<&'t str> {
    trivia.iter().map(|t| &text[t.start..t.end]).collect()
}

/// Whether `text[..pos]` ends with a blank line: the whitespace before `pos` holds two
/// line breaks.
pub(crate) fn blank_line_before(text: &str, pos: usize) -> bool {
    let before = &text[..pos.min(text.len())];
    let gap = &before[before.trim_end().len()..];
    gap.matches('\n').count() >= 2
}

/// The first offset from `pos` that is not `(`, whitespace or a `//` comment: where a
/// parenthesized literal's own text starts. (A `//` there is always a comment: no token
/// starts with two slashes.)
fn skip_parens(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        match bytes[pos] {
            b'(' | b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'/' if bytes.get(pos + 1) == Some(&b'/') => {
                pos = text[pos..].find('\n').map_or(text.len(), |n| pos + n);
            }
            _ => break,
        }
    }
    pos
}

enum Mode {
    /// Code; inside a template hole, with the depth of `{` opened in it.
    Code { hole: Option<usize> },
    /// The text of a message template.
    Template,
}

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// Start → end of every regex literal and division sign: tokens with slashes.
    tokens: BTreeMap<usize, usize>,
    /// Start of every message template.
    templates: BTreeSet<usize>,
}

impl Lexer<'_> {
    fn run(&self) -> Vec<Trivia> {
        let mut found = Vec::new();
        let mut modes = vec![Mode::Code { hole: None }];
        let mut i = 0;
        // Every byte compared below is ASCII, so `i` only stops on char boundaries.
        while i < self.bytes.len() {
            let b = self.bytes[i];
            match modes.last_mut() {
                Some(Mode::Template) => match b {
                    b'"' | b'\n' => {
                        modes.pop();
                        i += 1;
                    }
                    b'\\' => i += 2,
                    b'{' => {
                        modes.push(Mode::Code { hole: Some(0) });
                        i += 1;
                    }
                    _ => i += 1,
                },
                Some(Mode::Code { hole }) => {
                    if let Some(&end) = self.tokens.get(&i) {
                        i = end;
                        continue;
                    }
                    match b {
                        b'"' if self.templates.contains(&i) => {
                            modes.push(Mode::Template);
                            i += 1;
                        }
                        b'"' => i = self.string_end(i + 1),
                        b'/' if self.bytes.get(i + 1) == Some(&b'/') => {
                            let line_end = self.text[i..].find('\n').map_or(self.text.len(), |n| i + n);
                            let end = i + self.text[i..line_end].trim_end().len();
                            found.push(Trivia { start: i, end });
                            i = line_end;
                        }
                        b'{' => {
                            if let Some(depth) = hole {
                                *depth += 1;
                            }
                            i += 1;
                        }
                        b'}' => {
                            match hole {
                                Some(0) => {
                                    modes.pop();
                                }
                                Some(depth) => *depth -= 1,
                                None => {}
                            }
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
                None => break,
            }
        }
        found
    }

    /// The offset after a plain string whose text starts at `i`.
    fn string_end(&self, mut i: usize) -> usize {
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' => i += 2,
                b'"' => return i + 1,
                b'\n' => return i,
                _ => i += 1,
            }
        }
        self.bytes.len()
    }
}

/// Calls `f` on every template (`message`, `fix`) of the file.
fn each_template(ast: &SourceAst, f: &mut impl FnMut(&Template)) {
    for item in &ast.items {
        if let ItemKind::Check(check) = &item.kind {
            for clause in &check.clauses {
                if let ClauseKind::Message(template) | ClauseKind::Fix(template) = &clause.kind {
                    f(template);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn comments(text: &str) -> Vec<&str> {
        let (ast, diagnostics) = syntax::parse("t.rule", text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        texts(text, &collect(text, &ast))
    }

    #[test]
    fn finds_comments_and_doc_comments_but_not_slashes_in_literals() {
        let text = "// head  \npackage p // pkg\n/// doc\nconst r: regex = /a\\// // after regex\n\
                    const s: string = \"// no\" // after string\nconst d: int = 4 ///2\n2\n";
        assert_eq!(comments(text), ["// head", "// pkg", "/// doc", "// after regex", "// after string", "//2"]);
    }

    #[test]
    fn finds_comments_inside_template_holes_only() {
        let text = "package p\nrule R {\n  message \"// text {\"//\"} {a // in hole\n} end\"\n}\n";
        assert_eq!(comments(text), ["// in hole"]);
    }

    #[test]
    fn a_blank_line_is_two_line_breaks_of_whitespace() {
        assert!(blank_line_before("a\n\n  b", 5));
        assert!(!blank_line_before("a\n  b", 4));
    }
}
