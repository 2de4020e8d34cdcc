//! Rendering diagnostics: miette's graphical report for people, JSON for machines.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};
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
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &dyn SourceLookup) -> Report {
        let source = sources.source_text(&d.file).map(|text| Excerpt::around(&d.file, text, d.span));
        let mut labels: Vec<LabeledSpan> = source
            .iter()
            .filter_map(|s| s.span(d.span))
            .map(|span| LabeledSpan::new_primary_with_span(d.label.clone(), span))
            .collect();
        let mut related = Vec::new();
        for r in &d.related {
            let Some(rtext) = sources.source_text(&r.file) else { continue };
            match source.as_ref().filter(|_| r.file == d.file).and_then(|s| s.span(r.span)) {
                Some(span) => labels.push(LabeledSpan::new_with_span(Some(r.message.clone()), span)),
                None => {
                    let excerpt = Excerpt::around(&r.file, rtext, r.span);
                    related.push(Report {
                        message: r.message.clone(),
                        code: String::new(),
                        severity: miette::Severity::Advice,
                        help: None,
                        labels: excerpt
                            .span(r.span)
                            .map(|span| LabeledSpan::new_primary_with_span(None, span))
                            .into_iter()
                            .collect(),
                        source: Some(excerpt),
                        related: Vec::new(),
                    });
                }
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
            source,
            labels,
            related,
        }
    }
}

/// How far into its line (in bytes) a label may start for the whole text to be shown. miette
/// pads underlines with `{:width$}`, which panics past column 65 535, so a label further along
/// a line is shown in an [`Excerpt`] of that line.
const LONG_LINE: usize = 1_000;

/// How much of a long line an excerpt keeps either side of its label, in bytes.
const EXCERPT_MARGIN: usize = 80;

/// The text miette shows for one file: all of it, or, for a label far along a long line, the
/// part of that line around the label, numbered with the whole text's lines and columns.
struct Excerpt {
    name: String,
    text: String,
    /// Where the excerpt starts in the whole text: byte offset, line and column (0-based).
    start: usize,
    line: usize,
    column: usize,
    /// The length of the whole text: spans past it are clamped to its end.
    whole_len: usize,
}

impl Excerpt {
    /// The text to show for a label at `span` of `text`.
    fn around(name: &str, text: &str, span: Span) -> Excerpt {
        let at = (span.start as usize).min(text.len());
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let (start, end) = if at - line_start <= LONG_LINE {
            (0, text.len())
        } else {
            let to = (span.end as usize).clamp(at, text.len());
            let line_end = text[to..].find('\n').map_or(text.len(), |i| to + i);
            (
                text.floor_char_boundary(at - EXCERPT_MARGIN),
                text.ceil_char_boundary((to + EXCERPT_MARGIN).min(line_end)),
            )
        };
        Excerpt {
            name: name.to_owned(),
            text: text[start..end].to_owned(),
            start,
            line: if start == 0 { 0 } else { text[..line_start].bytes().filter(|b| *b == b'\n').count() },
            column: if start == 0 { 0 } else { text[line_start..start].chars().count() },
            whole_len: text.len(),
        }
    }

    /// `span` in the excerpt's offsets (clamped to the whole text), if it starts inside it.
    fn span(&self, span: Span) -> Option<SourceSpan> {
        let start = (span.start as usize).min(self.whole_len).checked_sub(self.start)?;
        if start > self.text.len() {
            return None;
        }
        let end = (span.end as usize).saturating_sub(self.start).clamp(start, self.text.len());
        Some(SourceSpan::new(start.into(), end - start))
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, context_lines_before, context_lines_after)?;
        // Only the excerpt's first line starts part-way along a line of the whole text.
        let column = if inner.line() == 0 { inner.column() + self.column } else { inner.column() };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line,
            column,
            inner.line_count(),
        )))
    }
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
        self.source.as_ref().map(|s| s as &dyn SourceCode)
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
    use std::collections::BTreeMap;

    use super::{HumanStyle, LineCol, human, line_col};
    use crate::diagnostics::{Code, Diagnostic};
    use crate::syntax::Span;

    /// A label past column 65 535 used to panic inside miette; it is shown in an excerpt of
    /// its line, with the whole file's line and column; a related label far before it in the
    /// same file is shown on its own.
    #[test]
    fn a_label_far_along_a_long_line_is_shown_in_an_excerpt() {
        let text = format!("package acme\nconst x: int = {}zz\n", "1 + ".repeat(20_000));
        let at = text.find("zz").expect("the name");
        let sources = BTreeMap::from([("long.rule".to_owned(), text.clone())]);
        let d = Diagnostic::new(Code::UnknownName, "long.rule", Span::new(at, at + 2), "unknown name `zz`")
            .with_label("not declared");
        let style = HumanStyle { color: false, width: 100 };
        let out = human(std::slice::from_ref(&d), &sources, style);
        let column = at - "package acme\n".len() + 1;
        assert!(out.contains(&format!("[long.rule:2:{column}]")) && out.contains("not declared"), "{out}");
        assert!(out.len() < 4_000, "the long line is not printed whole: {} bytes", out.len());
        let out = human(&[d.with_related("long.rule", Span::new(8, 12), "the package")], &sources, style);
        assert!(out.contains(&format!("[long.rule:2:{column}]")) && out.contains("the package"), "{out}");
    }

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(line_col(text, 3), LineCol { line: 2, column: 1 });
        assert_eq!(line_col(text, 7), LineCol { line: 2, column: 4 });
        assert_eq!(line_col(text, 100), LineCol { line: 3, column: 1 });
    }
}
