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
    "fix",
    "message",
    "evidence",
    "threshold",
    "within",
    "given",
    "expect",
];

/// Words with a meaning only where they appear (`on e: T`, `group by`, `count`, `distinct`,
/// `expect no`, the `controls [..]` clause, a `manual` control); they may still name things,
/// such as the `controls` edge of the attack-path pack.
pub const CONTEXTUAL_KEYWORDS: &[&str] = &["on", "group", "by", "count", "distinct", "no", "controls", "manual"];

/// Whether `c` may continue a name (grammar.pest's `ident_char`).
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `text` has the shape of a name: a letter or `_`, then name characters. Keywords
/// have it too (grammar.pest's `name_any`, which fields and data keys use).
pub fn is_name_shaped(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && text.chars().all(is_name_char)
}

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
        // PEG choice commits to the first alternative that matches: with `"as"` before
        // `"asset"`, `asset` would fail `!ident_char` after `as` and not be a keyword at all.
        for (n, word) in listed.iter().enumerate() {
            let shadowed = listed[n + 1..].iter().find(|later| later.starts_with(word));
            assert!(shadowed.is_none(), "`{word}` comes before `{}` in the keyword rule", shadowed.unwrap_or(word));
        }
        listed.sort_unstable();
        let mut reserved = RESERVED_WORDS.to_vec();
        reserved.sort_unstable();
        assert_eq!(listed, reserved);
        assert!(CONTEXTUAL_KEYWORDS.iter().all(|w| !reserved.contains(w)));
    }

    /// docs/language.md lists the same reserved and contextual words, in the same order.
    #[test]
    fn the_language_docs_list_the_keywords() {
        let docs = include_str!("../../../docs/language.md");
        let list_after = |heading: &str| -> Vec<&str> {
            let start = docs.find(heading).expect("the paragraph") + heading.len();
            let text = &docs[start..];
            let open = text.find('`').expect("a code span") + 1;
            text[open..open + text[open..].find('`').expect("its end")].split_whitespace().collect()
        };
        assert_eq!(list_after("Reserved words cannot name"), RESERVED_WORDS);
        assert_eq!(list_after("Contextual keywords mean"), CONTEXTUAL_KEYWORDS);
    }
}
