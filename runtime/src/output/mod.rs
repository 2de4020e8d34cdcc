//! Rendering a [`Report`] in each of CLI.md's output formats (`--format`).
//!
//! Every format renders the same report and is deterministic: the same report and catalogue
//! give the same bytes. Findings are rendered in CLI.md's order (severity descending, then
//! rule, subject type, subject id; see [`report::sort_findings`]); a report that is not
//! already in that order is sorted first, and suppressed findings are sorted the same way.
//!
//! | format     | what it is                                                                     |
//! |------------|--------------------------------------------------------------------------------|
//! | `table`    | aligned columns for a terminal, then a summary line                            |
//! | `json`     | the contract: the [`Report`] as CLI.md shows it, pretty-printed                |
//! | `jsonl`    | one finding object per line, then the suppressed ones, marked `suppressed`     |
//! | `sarif`    | SARIF 2.1.0, for code-scanning dashboards                                      |
//! | `junit`    | JUnit XML, one test suite per pack and one test case per rule                  |
//! | `markdown` | a report for a pull-request comment or a CI job summary                        |
//!
//! [`render`] returns the whole output; the CLI writes it to stdout or `-o FILE`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::plan::{Check, Severity};
use crate::report::{self, Finding, Report, Suppressed};

pub mod coverage;
pub mod graph;
pub mod html;
mod json;
mod jsonl;
mod junit;
mod markdown;
pub mod rules;
mod sarif;
mod table;

/// An output format, named as `--format` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Table,
    Json,
    Jsonl,
    Sarif,
    Junit,
    Markdown,
}

impl Format {
    pub const ALL: [Format; 6] =
        [Format::Table, Format::Json, Format::Jsonl, Format::Sarif, Format::Junit, Format::Markdown];

    /// The `--format` names, in [`Format::ALL`]'s order (for a CLI's possible values).
    pub const NAMES: [&'static str; 6] = ["table", "json", "jsonl", "sarif", "junit", "markdown"];

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
        }
    }

    /// Whether the format is meant for a person at a terminal (the only one that may be
    /// coloured or truncated to a width).
    pub fn is_for_terminal(self) -> bool {
        self == Format::Table
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `--format` got a name that is not a format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown output format `{given}`; expected one of: table, json, jsonl, sarif, junit, markdown")]
pub struct UnknownFormat {
    pub given: String,
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| UnknownFormat { given: s.to_owned() })
    }
}

/// How to render for a terminal; only `table` uses these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RenderOptions {
    /// Colour severities with ANSI escapes. Never coloured when false; deciding (a terminal,
    /// `NO_COLOR`, `--color`) is the CLI's job.
    pub color: bool,
    /// The terminal width in columns: long messages are truncated with `…` to fit. `0` means
    /// no limit (nothing is truncated), for output going to a file or a pipe.
    pub width: usize,
    /// `table` lists suppressed findings and their reasons after the findings (the other
    /// formats always carry them, or never, as each documents).
    pub show_suppressed: bool,
}

/// Renders `report` in `format`. `catalogue` is the rules that were evaluated (the plan's
/// checks): SARIF lists them as `rules[]` and JUnit makes a test case of each; the other
/// formats only need the report.
///
/// The result ends with a newline, except `jsonl` of a report without findings (reported or
/// suppressed), which is empty.
pub fn render(report: &Report, catalogue: &[Check], format: Format, options: &RenderOptions) -> String {
    let report = in_order(report);
    let mut out = String::new();
    let written = match format {
        Format::Table => table::render(&report, options, &mut out),
        Format::Json => json::render(&report, &mut out),
        Format::Jsonl => jsonl::render(&report, &mut out),
        Format::Sarif => sarif::render(&report, catalogue, &mut out),
        Format::Junit => junit::render(&report, catalogue, &mut out),
        Format::Markdown => markdown::render(&report, &mut out),
    };
    written.expect("INVARIANT: writing to a String cannot fail");
    out
}

/// [`render`], written to `out` as it is produced: the `json` report of a large estate is
/// hundreds of megabytes, which need not be held in memory whole. Other formats are rendered,
/// then written.
pub fn write(
    report: &Report,
    catalogue: &[Check],
    format: Format,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(&in_order(report), out),
        _ => out.write_all(render(report, catalogue, format, options).as_bytes()),
    }
}

/// The report with findings and suppressed findings in CLI.md's order; borrowed when it
/// already is.
fn in_order(report: &Report) -> Cow<'_, Report> {
    let findings_sorted = report.findings.is_sorted_by(|a, b| a.sort_key() <= b.sort_key());
    let suppressed_sorted = report.suppressed.is_sorted_by(|a, b| suppressed_key(a) <= suppressed_key(b));
    if findings_sorted && suppressed_sorted {
        return Cow::Borrowed(report);
    }
    let mut sorted = report.clone();
    report::sort_findings(&mut sorted.findings);
    sorted.suppressed.sort_by(|a, b| suppressed_key(a).cmp(&suppressed_key(b)));
    Cow::Owned(sorted)
}

/// CLI.md's order for suppressed findings: their finding's, then the reason.
fn suppressed_key(s: &Suppressed) -> (impl Ord + '_, &str) {
    (s.finding.sort_key(), s.reason.as_str())
}

/// Severities from the most to the least severe.
fn severities_descending() -> impl Iterator<Item = Severity> {
    Severity::ALL.into_iter().rev()
}

/// How many findings there are of each severity, most severe first, zero counts left out.
fn counts_by_severity(findings: &[Finding]) -> Vec<(Severity, usize)> {
    severities_descending()
        .map(|s| (s, findings.iter().filter(|f| f.severity == s).count()))
        .filter(|&(_, n)| n > 0)
        .collect()
}

/// `Type/id`, the way every human-readable format names a subject.
fn subject_name(finding: &Finding) -> String {
    format!("{}/{}", finding.subject.ty, finding.subject.id)
}

/// `provider/account/region` of the finding's subject, the parts it has: where to look for
/// the asset in the cloud's console (empty for a subject without them, e.g. an attack path).
fn place(finding: &Finding) -> String {
    let s = &finding.subject;
    let parts: Vec<&str> = [&s.provider, &s.account, &s.region].into_iter().flatten().map(String::as_str).collect();
    parts.join("/")
}

/// The subject's descriptive fields the snapshot gave, labelled, in a fixed order: what the
/// JSON carries beside `type` and `id`, for the formats that list them one by one.
fn subject_details(finding: &Finding) -> Vec<(&'static str, &str)> {
    let s = &finding.subject;
    [("name", &s.name), ("provider", &s.provider), ("account", &s.account), ("region", &s.region)]
        .into_iter()
        .filter_map(|(label, value)| value.as_deref().map(|v| (label, v)))
        .collect()
}

/// A JSON value as a pretty-printed document ending in a newline (`rulec rules`, `rulec graph`).
fn json_document(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("INVARIANT: a JSON value serialises");
    text.push('\n');
    text
}

/// `n thing` / `n things`.
fn plural(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// Whether a character must not reach a terminal or a document as itself: control
/// characters (C0, DEL, C1: escape sequences, carriage returns, tabs that break alignment)
/// and the invisible bidirectional-text controls that can make text display as something
/// other than what it is.
fn is_unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with [unprintable](is_unprintable) characters written as Rust escapes (`\n`,
/// `\u{1b}`), so text taken from a snapshot cannot drive the terminal or hide itself.
fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unprintable(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for (format, name) in Format::ALL.into_iter().zip(Format::NAMES) {
            assert_eq!(format.name(), name);
            assert_eq!(format.to_string(), name);
            assert_eq!(name.parse::<Format>(), Ok(format));
        }
        let err = "yaml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown output format `yaml`; expected one of: table, json, jsonl, sarif, junit, markdown"
        );
        assert!("JSON".parse::<Format>().is_err(), "names are exact");
    }

    #[test]
    fn printable_escapes_controls_and_bidi() {
        assert_eq!(printable("plain text, ünïcode ✓"), "plain text, ünïcode ✓");
        assert_eq!(printable("a\nb\tc\r\u{1b}[31m\u{7f}\u{9b}"), "a\\nb\\tc\\r\\u{1b}[31m\\u{7f}\\u{9b}");
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
    }
}
