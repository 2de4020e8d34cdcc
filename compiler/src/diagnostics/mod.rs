//! Diagnostics as plain values.
//!
//! Parsing and checking return diagnostics rather than failing, and the incremental
//! database memoizes them, so a [`Diagnostic`] is `Eq + Hash` data — spans included, so a
//! dependent query never keeps stale positions. Rendering (miette, JSON) happens at the
//! edge, in [`render`].

mod codes;
pub mod render;

pub use codes::Code;

use crate::syntax::Span;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary location, e.g. where a duplicate was first declared.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Related {
    pub file: String,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// One line, lowercase, user input in backticks, no final period.
    pub message: String,
    pub file: String,
    pub span: Span,
    /// Text under the primary underline.
    pub label: Option<String>,
    pub related: Vec<Related>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error of `code`; its severity comes from the code.
    pub fn new(code: Code, file: &str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            file: file.to_owned(),
            span,
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, file: &str, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related { file: file.to_owned(), span, message: message.into() });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file and position so output is stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.span.start, a.span.end, a.code.as_str(), &a.message).cmp(&(
            &b.file,
            b.span.start,
            b.span.end,
            b.code.as_str(),
            &b.message,
        ))
    });
}

/// The closest candidates to `name` by edit distance, for `did you mean` help.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = match name.chars().count() {
        0..=2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    let lowered = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let folded = strsim::damerau_levenshtein(&lowered, &c.to_lowercase());
            (folded, strsim::damerau_levenshtein(name, c), c)
        })
        .filter(|(d, _, _)| *d <= limit)
        .min()
        .map(|(_, _, c)| c)
}

/// `help` text for a did-you-mean, or `None` when nothing is close.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    suggest(name, candidates).map(|s| format!("did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["ingress", "egress", "provider", "account"];
        assert_eq!(suggest("ingres", fields), Some("ingress"));
        assert_eq!(suggest("provdier", fields), Some("provider"));
        assert_eq!(suggest("Provider", fields), Some("provider"));
        assert_eq!(suggest("zzz", fields), None);
    }
}
