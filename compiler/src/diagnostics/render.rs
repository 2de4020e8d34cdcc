//! Rendering diagnostics: miette's graphical report for people, JSON for machines.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::syntax::Span;

/// Looks up the text of a file by the path diagnostics name it with.
pub trait SourceLookup {
    fn source_text(&self, file: &str) -> Option<&str>;
}

impl SourceLookup for std::collections::BTreeMap<String, String> {
    fn source_text(&self, file: &str) -> Option<&str> {
        self.get(file).map(String::as_str)
    }
}

/// Options for the human-readable form.
#[derive(Clone, Copy, Debug)]
pub struct HumanStyle {
    pub color: bool,
    pub width: usize,
}

/// Renders each diagnostic like rustc: code, message, `file:line:col`, excerpt, underline,
/// help. Related locations in the same file become secondary labels; in another file, a
/// note pointing there.
pub fn human(diagnostics: &[Diagnostic], sources: &dyn SourceLookup, style: HumanStyle) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_context_lines(1);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic, sources);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    out
}

/// The closing line: `2 errors, 1 warning`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

/// A miette view of one of our diagnostics.
struct Report {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &dyn SourceLookup) -> Report {
        let text = sources.source_text(&d.file);
        let mut labels = Vec::new();
        let mut related = Vec::new();
        if let Some(text) = text {
            labels.push(LabeledSpan::new_primary_with_span(d.label.clone(), clamp(d.span, text)));
        }
        for r in &d.related {
            match sources.source_text(&r.file) {
                Some(rtext) if r.file == d.file => {
                    labels.push(LabeledSpan::new_with_span(Some(r.message.clone()), clamp(r.span, rtext)));
                }
                Some(rtext) => related.push(Report {
                    message: r.message.clone(),
                    code: String::new(),
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(NamedSource::new(&r.file, rtext.to_owned())),
                    labels: vec![LabeledSpan::new_primary_with_span(None, clamp(r.span, rtext))],
                    related: Vec::new(),
                }),
                None => {}
            }
        }
        Report {
            message: d.message.clone(),
            code: format!("{}({})", d.code.as_str(), d.code.slug()),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help: d.help.clone(),
            source: text.map(|t| NamedSource::new(&d.file, t.to_owned())),
            labels,
            related,
        }
    }
}

fn clamp(span: Span, text: &str) -> SourceSpan {
    let start = (span.start as usize).min(text.len());
    let end = (span.end as usize).clamp(start, text.len());
    SourceSpan::new(start.into(), end - start)
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty())
            .then(|| Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)) as Box<dyn Iterator<Item = _>>)
    }
}

// ------------------------------------------------------------------------------- JSON

/// A 1-based line and column (columns count characters).
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Where a byte offset falls in `text`.
pub fn line_col(text: &str, offset: usize) -> LineCol {
    let offset = offset.min(text.len());
    let offset = (0..=offset).rev().find(|o| text.is_char_boundary(*o)).unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    LineCol { line, column: before[line_start..].chars().count() + 1 }
}

#[derive(Serialize, Debug)]
struct JsonLocation<'a> {
    file: &'a str,
    byte_range: [u32; 2],
    start: Option<LineCol>,
    end: Option<LineCol>,
}

impl<'a> JsonLocation<'a> {
    fn new(file: &'a str, span: Span, sources: &dyn SourceLookup) -> Self {
        let text = sources.source_text(file);
        JsonLocation {
            file,
            byte_range: [span.start, span.end],
            start: text.map(|t| line_col(t, span.start as usize)),
            end: text.map(|t| line_col(t, span.end as usize)),
        }
    }
}

#[derive(Serialize, Debug)]
struct JsonRelated<'a> {
    message: &'a str,
    #[serde(flatten)]
    location: JsonLocation<'a>,
}

#[derive(Serialize, Debug)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    location: JsonLocation<'a>,
    label: Option<&'a str>,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

/// One JSON object per line, in order (`--message-format json`).
pub fn json_lines(diagnostics: &[Diagnostic], sources: &dyn SourceLookup) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let value = JsonDiagnostic {
            code: d.code.as_str(),
            name: d.code.slug(),
            severity: d.severity,
            message: &d.message,
            location: JsonLocation::new(&d.file, d.span, sources),
            label: d.label.as_deref(),
            help: d.help.as_deref(),
            related: d
                .related
                .iter()
                .map(|r| JsonRelated { message: &r.message, location: JsonLocation::new(&r.file, r.span, sources) })
                .collect(),
        };
        // Serializing plain structs of strings and numbers cannot fail.
        out.push_str(&serde_json::to_string(&value).unwrap_or_default());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{LineCol, line_col};

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(line_col(text, 3), LineCol { line: 2, column: 1 });
        assert_eq!(line_col(text, 7), LineCol { line: 2, column: 4 });
        assert_eq!(line_col(text, 100), LineCol { line: 3, column: 1 });
    }
}
