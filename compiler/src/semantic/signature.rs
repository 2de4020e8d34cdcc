//! How a callable is shown to authors — `name(p: T, q: U) -> R` — with where each parameter
//! sits in that text, so an editor can highlight the argument being typed.

use std::fmt;
use std::ops::Range;

/// A signature's text and its parameters' byte ranges in it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignatureLabel {
    pub text: String,
    pub params: Vec<Range<usize>>,
}

impl SignatureLabel {
    /// `{name}({params, …}) -> {ret}`.
    pub fn new(name: &str, params: impl IntoIterator<Item = String>, ret: &str) -> Self {
        let mut text = format!("{name}(");
        let mut ranges = Vec::new();
        for (n, param) in params.into_iter().enumerate() {
            if n > 0 {
                text.push_str(", ");
            }
            ranges.push(text.len()..text.len() + param.len());
            text.push_str(&param);
        }
        text.push_str(") -> ");
        text.push_str(ret);
        SignatureLabel { text, params: ranges }
    }
}

impl fmt::Display for SignatureLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::SignatureLabel;

    #[test]
    fn parameter_ranges_point_into_the_text() {
        let label = SignatureLabel::new("f", ["a: int".to_owned(), "b: [string]".to_owned()], "bool");
        assert_eq!(label.text, "f(a: int, b: [string]) -> bool");
        let params: Vec<&str> = label.params.iter().map(|r| &label.text[r.clone()]).collect();
        assert_eq!(params, ["a: int", "b: [string]"]);
        assert_eq!(SignatureLabel::new("now", [], "time").text, "now() -> time");
    }
}
