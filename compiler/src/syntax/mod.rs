//! Text to syntax tree. Knows nothing of salsa, types or the CLI.

pub mod ast;
mod parser;
mod scan;
mod shift;
mod split;

pub use ast::Span;
pub use parser::{ChunkParse, Piece, parse, parse_chunk, parse_with};
pub(crate) use scan::code_bytes;
pub(crate) use split::chunk_starts;

/// The reserved words (grammar.pest's `keyword`): they cannot name a binding, function or
/// constant.
pub const RESERVED_WORDS: &[&str] = &[
    "package",
    "use",
    "as",
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
    "control",
    "test",
    "for",
    "where",
    "let",
    "when",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "in",
    "matches",
    "like",
    "true",
    "false",
    "none",
    "ref",
    "title",
    "severity",
    "controls",
    "fix",
    "message",
    "evidence",
    "threshold",
    "within",
    "given",
    "expect",
];

/// Words with a meaning only where they appear (`on e: T`, `group by`, `count`, `distinct`,
/// `expect no`); they may still name things.
pub const CONTEXTUAL_KEYWORDS: &[&str] = &["on", "group", "by", "count", "distinct", "no"];

/// Every keyword, for completion and the parser's token-soup tests.
pub fn keywords() -> impl Iterator<Item = &'static str> {
    RESERVED_WORDS.iter().chain(CONTEXTUAL_KEYWORDS).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reserved words are exactly the alternatives of grammar.pest's `keyword` rule.
    #[test]
    fn reserved_words_are_the_grammars_keywords() {
        let grammar = include_str!("grammar.pest");
        let start = grammar.find("keyword = @{").expect("the keyword rule");
        let rule = &grammar[start..start + grammar[start..].find('}').expect("its end")];
        let mut listed: Vec<&str> = rule.split('"').skip(1).step_by(2).collect();
        listed.sort_unstable();
        let mut reserved = RESERVED_WORDS.to_vec();
        reserved.sort_unstable();
        assert_eq!(listed, reserved);
        assert!(CONTEXTUAL_KEYWORDS.iter().all(|w| !reserved.contains(w)));
    }
}
