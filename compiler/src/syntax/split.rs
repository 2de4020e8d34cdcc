//! Cuts a file into item-sized chunks before parsing.
//!
//! pest has no error recovery, so the parser never runs over a whole file: it parses each
//! chunk on its own and a syntax error costs only the chunk it is in. A chunk starts at a
//! line whose first word is an item keyword (or a `///` doc comment leading to one) when
//! the line is outside any brackets — or at column 0 whatever the bracket depth, so an
//! unclosed `{` in one rule does not swallow the rest of the file.

use super::is_name_char;
use super::scan::code_bytes;

/// Words that start a top-level declaration.
const ITEM_KEYWORDS: &[&str] = &[
    "package",
    "use",
    "asset",
    "event",
    "record",
    "type",
    "native",
    "fn",
    "const",
    "rule",
    "alarm",
    "edge",
    "framework",
    "test",
];

/// Byte offsets where chunks start; the first is always 0.
pub(crate) fn chunk_starts(text: &str) -> Vec<usize> {
    let mut chunks = Chunks { text, starts: vec![0], depth: 0, doc_block: None };
    chunks.line(0);
    for (at, byte) in code_bytes(text) {
        match byte {
            b'\n' => chunks.line(at + 1),
            b'{' | b'(' | b'[' => chunks.depth += 1,
            b'}' | b')' | b']' => chunks.depth -= 1,
            _ => {}
        }
    }
    let Chunks { mut starts, doc_block, .. } = chunks;
    // A doc comment with no item after it is a chunk of its own, reported as dangling.
    if let Some(start) = doc_block
        && start > 0
    {
        starts.push(start);
    }
    starts.dedup();
    starts
}

/// The chunking state between lines.
struct Chunks<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// Bracket depth of the code so far (strings, comments and regexes left out).
    depth: i32,
    /// Start of a pending doc-comment block at depth 0 / column 0, if any.
    doc_block: Option<usize>,
}

impl Chunks<'_> {
    /// Looks at the line starting at `start` (always outside literals and comments, as none
    /// spans lines): an item keyword there starts a chunk.
    fn line(&mut self, start: usize) {
        let line = &self.text[start..];
        let indent = line.bytes().take_while(|c| *c == b' ' || *c == b'\t').count();
        let code = &line[indent..];
        if code.is_empty() || !(self.depth <= 0 || indent == 0) {
            return;
        }
        if code.starts_with("///") {
            self.doc_block.get_or_insert(start);
        } else if starts_with_item_keyword(code) {
            let chunk = self.doc_block.take().unwrap_or(start);
            if chunk > 0 {
                self.starts.push(chunk);
            }
            self.depth = 0;
        } else if !code.starts_with("//") && !rest_of_line_blank(code) {
            self.doc_block = None;
        }
    }
}

fn starts_with_item_keyword(line: &str) -> bool {
    ITEM_KEYWORDS.iter().any(|kw| line.starts_with(kw) && !line[kw.len()..].starts_with(is_name_char))
}

fn rest_of_line_blank(s: &str) -> bool {
    s.split('\n').next().is_none_or(|l| l.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::chunk_starts;

    fn chunks(text: &str) -> Vec<&str> {
        let starts = chunk_starts(text);
        let mut out = Vec::new();
        for (n, s) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(text.len());
            out.push(text[*s..end].trim());
        }
        out
    }

    #[test]
    fn splits_at_item_keywords_outside_braces() {
        let text = "package a\nuse std.net\n\nrule X {\n  for s: T\n  test x\n}\n/// doc\nfn f() -> int = 1\n";
        assert_eq!(
            chunks(text),
            ["package a", "use std.net", "rule X {\n  for s: T\n  test x\n}", "/// doc\nfn f() -> int = 1"]
        );
    }

    #[test]
    fn column_zero_keyword_recovers_from_unclosed_brace() {
        let text = "rule A {\n  when (\nrule B {\n}\n";
        assert_eq!(chunks(text), ["rule A {\n  when (", "rule B {\n}"]);
    }

    #[test]
    fn keywords_in_strings_and_comments_do_not_split() {
        let text = "rule A {\n  title \"x { rule y\"\n// rule z\n  // test\n}\n";
        assert_eq!(chunks(text).len(), 1);
    }

    #[test]
    fn an_unterminated_string_ends_at_its_line() {
        let text = "rule A {\n  title \"x\n}\nrule B {\n}\n";
        assert_eq!(chunks(text), ["rule A {\n  title \"x\n}", "rule B {\n}"]);
    }

    #[test]
    fn a_trailing_doc_comment_is_its_own_chunk() {
        let text = "rule A {\n}\n/// orphan\n";
        assert_eq!(chunks(text), ["rule A {\n}", "/// orphan"]);
    }

    #[test]
    fn identifier_prefixed_by_keyword_does_not_split() {
        let text = "const a: int = 1\nconstant\n";
        assert_eq!(chunks(text).len(), 1);
    }
}
