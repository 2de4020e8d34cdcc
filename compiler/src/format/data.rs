//! The JSON-like data of a test's inline `given { .. }`.
//!
//! The document's top-level entries go one per line without commas, like a block; nested
//! objects and arrays are comma-separated, flat when they fit and otherwise packing as many
//! entries per line as fit (snapshot records are wide and shallow). Keys are bare when they
//! are names, quoted otherwise.

use super::context::{Brackets, Ctx};
use super::doc::{Doc, concat, text};
use crate::syntax::ast::{Data, DataKind};

impl Ctx<'_> {
    /// The value of `given`: an object as a block of entries, anything else as a value.
    pub(crate) fn given_data(&self, data: &Data) -> Doc {
        let DataKind::Object(entries) = &data.kind else { return self.data(data) };
        let open_at = data.span.start as usize;
        self.braced(open_at, |start| {
            self.block(start, entries, |(_, value)| value.span.end as usize, |entry| self.entry(entry), true)
        })
    }

    fn entry(&self, (key, value): &(String, Data)) -> Doc {
        concat(vec![text(data_key(key)), text(": "), self.data(value)])
    }

    fn data(&self, data: &Data) -> Doc {
        let doc = match &data.kind {
            DataKind::Object(entries) => self.bracketed(
                self.data_brackets("{", "}", data),
                entries,
                |(_, value)| value.span.start as usize,
                |(_, value)| value.span.end as usize,
                |entry| self.entry(entry),
            ),
            DataKind::Array(items) => self.bracketed(
                self.data_brackets("[", "]", data),
                items,
                |item| item.span.start as usize,
                |item| item.span.end as usize,
                |item| self.data(item),
            ),
            DataKind::String(_) => text(self.raw(data.span)),
            DataKind::Number(n) => text(n.as_str()),
            DataKind::Bool(b) => text(if *b { "true" } else { "false" }),
            DataKind::Null => text("null"),
        };
        concat(vec![self.leading(data.span.start as usize), doc])
    }

    fn data_brackets(&self, open: &'static str, close: &'static str, data: &Data) -> Brackets {
        Brackets { open, close, open_at: data.span.start as usize, spaced: false, trailing_comma: false, fill: true }
    }
}

/// A key as a bare name when it is one, else as a string literal.
fn data_key(key: &str) -> String {
    if crate::syntax::is_name_shaped(key) {
        return key.to_owned();
    }
    let mut quoted = String::from("\"");
    for c in key.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::data_key;

    #[test]
    fn keys_are_bare_names_or_escaped_strings() {
        assert_eq!(data_key("taken_at"), "taken_at");
        assert_eq!(data_key("type"), "type");
        assert_eq!(data_key("a-b"), "\"a-b\"");
        assert_eq!(data_key("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
    }
}
