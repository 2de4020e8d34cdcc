//! The code of a text with its string literals, comments and regex literals left out, for
//! the scanners that must work on text that does not parse: cutting a file into chunks, and
//! finding the call around an editor's cursor.

use super::{RESERVED_WORDS, is_name_char};

/// Yields `(offset, byte)` for every byte of `text` outside string literals, `//` comments and
/// regex literals (delimiters and regex flags included in what is left out). None of those
/// spans lines, so every `\n` is yielded: an unterminated string ends at its line.
pub(crate) fn code_bytes(text: &str) -> CodeBytes<'_> {
    CodeBytes { text, at: 0, value_before: false }
}

pub(crate) struct CodeBytes<'a> {
    text: &'a str,
    at: usize,
    /// Whether the last code before `at` ends a value, so a `/` there divides rather than
    /// starting a regex.
    value_before: bool,
}

/// What a skipped stretch of text is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skipped {
    Comment,
    String,
    Regex,
}

impl CodeBytes<'_> {
    /// The offset just past the literal or comment that opens at `self.at`.
    fn end_of(&self, what: Skipped) -> usize {
        let bytes = self.text.as_bytes();
        let mut i = self.at + if what == Skipped::Comment { 2 } else { 1 };
        while let Some(&b) = bytes.get(i) {
            match (b, what) {
                (b'\n', _) => return i,
                (b'\\', Skipped::String | Skipped::Regex) if bytes.get(i + 1).is_some_and(|n| *n != b'\n') => i += 1,
                (b'"', Skipped::String) => return i + 1,
                (b'/', Skipped::Regex) => {
                    let flags = bytes[i + 1..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
                    return i + 1 + flags;
                }
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// Whether the word ending at `end` is one after which a value may follow (`matches`,
    /// `when`, …) rather than a value itself (a name, `true`, `none`).
    fn word_expects_value(&self, end: usize) -> bool {
        let before = &self.text[..end];
        let word = &before[before.trim_end_matches(is_name_char).len()..];
        RESERVED_WORDS.contains(&word) && !matches!(word, "true" | "false" | "none")
    }
}

impl Iterator for CodeBytes<'_> {
    type Item = (usize, u8);

    fn next(&mut self) -> Option<(usize, u8)> {
        let bytes = self.text.as_bytes();
        loop {
            let b = *bytes.get(self.at)?;
            let skipped = match b {
                b'/' if bytes.get(self.at + 1) == Some(&b'/') => Some(Skipped::Comment),
                b'/' if !self.value_before => Some(Skipped::Regex),
                b'"' => Some(Skipped::String),
                _ => None,
            };
            if let Some(what) = skipped {
                self.at = self.end_of(what);
                // A comment is not code; a string or a regex is a value.
                self.value_before |= what != Skipped::Comment;
                continue;
            }
            let at = self.at;
            self.at += 1;
            if !b.is_ascii_whitespace() {
                self.value_before = match b {
                    b')' | b']' | b'}' => true,
                    _ if is_name_char(char::from(b)) => {
                        let word_end = at + 1;
                        let continues = bytes.get(word_end).is_some_and(|n| is_name_char(char::from(*n)));
                        continues || !self.word_expects_value(word_end)
                    }
                    _ => false,
                };
            }
            return Some((at, b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::code_bytes;

    fn code(text: &str) -> String {
        code_bytes(text).map(|(_, b)| b as char).collect()
    }

    #[test]
    fn strings_comments_and_regexes_are_left_out() {
        assert_eq!(code("f(\"a(,\", x) // g(\n"), "f(, x) \n");
        assert_eq!(code("x matches /a(b,c/i and y"), "x matches  and y");
        assert_eq!(code("s.any(t => t =~ 1)"), "s.any(t => t =~ 1)");
    }

    #[test]
    fn a_slash_after_a_value_divides() {
        assert_eq!(code("a / b"), "a / b");
        assert_eq!(code("f(x) / 2"), "f(x) / 2");
        assert_eq!(code("when /x/"), "when ");
    }

    #[test]
    fn escapes_and_unterminated_literals_end_at_the_line() {
        assert_eq!(code("\"a\\\"(\" ("), " (");
        assert_eq!(code("\"open (\n)"), "\n)");
        assert_eq!(code("x in /open (\n)"), "x in \n)");
    }

    #[test]
    fn offsets_are_those_of_the_text() {
        let offsets: Vec<usize> = code_bytes("\"é\" (").map(|(i, _)| i).collect();
        assert_eq!(offsets, [4, 5]);
    }
}
