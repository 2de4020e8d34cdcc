//! `markdown`: a report for a pull-request comment or a CI job summary (GitHub-flavoured).
//!
//! A title and a line about the snapshot; a summary table with a row per severity and a
//! total; a findings table (Severity | Rule | Subject | Where | Message: the subject with its
//! name when it has one, Where its `provider/account/region`, a column left out when no
//! subject has any) followed by a collapsible `<details>` section per finding with its title,
//! message, subject (id with the name, provider, account and region it has, when it has any),
//! controls, evidence as a ```` ```json ```` block and fix; then, when there are any, the
//! suppressed findings in their own table (the same columns) with the allowlist's reasons.
//!
//! Text from the snapshot cannot break the layout or inject markup: control characters
//! are written as Rust escapes (`\n`, `\u{1b}`), Markdown punctuation is backslash-escaped,
//! `|` is escaped in table cells, rule ids and subjects are code spans fenced with more
//! backticks than they contain, HTML in `<summary>` is entity-escaped, and the evidence
//! fence is longer than any backtick run in the evidence.

use std::fmt::{self, Write};

use super::{counts_by_severity, place, plural, printable, severities_descending, subject_details, subject_name};
use crate::compliance::Compliance;
use crate::report::{Finding, Report};

pub(super) fn render(report: &Report, out: &mut String) -> fmt::Result {
    out.push_str("# rulec report\n\n");
    writeln!(
        out,
        "Snapshot taken at {} ({}, {}). {} evaluated in {} ms by rulec {}.",
        inline(&report.snapshot.taken_at),
        plural(report.snapshot.assets, "asset", "assets"),
        plural(report.snapshot.events, "event", "events"),
        plural(report.summary.rules_evaluated, "rule", "rules"),
        report.summary.duration_ms,
        inline(&report.rulec_version),
    )?;

    out.push_str("\n## Summary\n\n| Severity | Findings |\n|:---|---:|\n");
    let counts = counts_by_severity(&report.findings);
    for severity in severities_descending() {
        let n = counts.iter().find(|(s, _)| *s == severity).map_or(0, |&(_, n)| n);
        writeln!(out, "| {} | {n} |", severity.as_str())?;
    }
    writeln!(out, "| **Total** | **{}** |", report.findings.len())?;
    if !report.suppressed.is_empty() {
        writeln!(
            out,
            "\n{} (listed below).",
            plural(report.suppressed.len(), "finding suppressed", "findings suppressed")
        )?;
    }

    out.push_str("\n## Findings\n\n");
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        let columns = Columns::of(report.findings.iter());
        columns.header(&[], out)?;
        for f in &report.findings {
            columns.row(f, &[], out)?;
        }
        for f in &report.findings {
            out.push('\n');
            details(f, out)?;
        }
    }

    if let Some(c) = &report.compliance {
        compliance(c, out)?;
    }

    if !report.suppressed.is_empty() {
        out.push_str("\n## Suppressed\n\n");
        let columns = Columns::of(report.suppressed.iter().map(|s| &s.finding));
        columns.header(&["Reason"], out)?;
        for s in &report.suppressed {
            columns.row(&s.finding, &[cell(&inline(&s.reason))], out)?;
        }
    }
    Ok(())
}

/// The columns of a table of findings: Where only when some subject says where it is.
struct Columns {
    place: bool,
}

impl Columns {
    fn of<'f>(mut findings: impl Iterator<Item = &'f Finding>) -> Columns {
        Columns { place: findings.any(|f| !place(f).is_empty()) }
    }

    /// The header and alignment rows, with `extra` columns after Message.
    fn header(&self, extra: &[&str], out: &mut String) -> fmt::Result {
        let mut names = vec!["Severity", "Rule", "Subject"];
        if self.place {
            names.push("Where");
        }
        names.push("Message");
        names.extend_from_slice(extra);
        writeln!(out, "| {} |\n|{}", names.join(" | "), ":---|".repeat(names.len()))
    }

    /// One finding's row; `extra` cells are already escaped.
    fn row(&self, f: &Finding, extra: &[String], out: &mut String) -> fmt::Result {
        let mut subject = code(&subject_name(f));
        if let Some(name) = &f.subject.name {
            write!(subject, " ({})", inline(name))?;
        }
        let mut cells = vec![f.severity.as_str().to_owned(), cell(&code(&f.rule)), cell(&subject)];
        if self.place {
            cells.push(cell(&inline(&place(f))));
        }
        cells.push(cell(&inline(&f.message)));
        cells.extend_from_slice(extra);
        writeln!(out, "| {} |", cells.join(" | "))
    }
}

/// The per-control section of `--framework`.
fn compliance(c: &Compliance, out: &mut String) -> fmt::Result {
    writeln!(out, "\n## Compliance: {} ({})\n\n{} by any rule.\n", code(&c.framework), inline(&c.title), c.summary)?;
    out.push_str("| Control | Status | Summary | Findings |\n|:---|:---|:---|:---|\n");
    for control in &c.controls {
        let mut findings: Vec<String> = control
            .findings
            .iter()
            .map(|f| format!("{} on {}", code(&f.rule), code(&format!("{}/{}", f.subject.ty, f.subject.id))))
            .collect();
        findings.extend(control.not_collected.iter().map(|gap| format!("not collected: {}", inline(gap))));
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&code(&control.id)),
            control.status.as_str(),
            cell(&inline(&control.summary)),
            cell(&findings.join(", "))
        )?;
    }
    Ok(())
}

/// The collapsible section of one finding.
fn details(f: &Finding, out: &mut String) -> fmt::Result {
    writeln!(
        out,
        "<details>\n<summary><b>{}</b> {} on {}: {}</summary>\n",
        f.severity.as_str(),
        html(&f.rule),
        html(&subject_name(f)),
        html(&f.title),
    )?;
    writeln!(out, "**Message:** {}\n", inline(&f.message))?;
    // The summary line names the subject already; this line is for what else is known.
    let details = subject_details(f);
    if !details.is_empty() {
        write!(out, "**Subject:** {}", code(&subject_name(f)))?;
        for (label, value) in details {
            write!(out, ", {label} {}", inline(value))?;
        }
        out.push_str("\n\n");
    }
    if !f.controls.is_empty() {
        let controls: Vec<String> = f.controls.iter().map(|c| code(c)).collect();
        writeln!(out, "**Controls:** {}\n", controls.join(", "))?;
    }
    let evidence = serde_json::to_string_pretty(&f.evidence).expect("INVARIANT: a JSON value serialises");
    let fence = "`".repeat(3.max(longest_backtick_run(&evidence) + 1));
    writeln!(out, "**Evidence:**\n\n{fence}json\n{evidence}\n{fence}\n")?;
    if let Some(fix) = &f.fix {
        writeln!(out, "**Fix:** {}\n", inline(fix))?;
    }
    out.push_str("</details>\n");
    Ok(())
}

/// Text for a line of Markdown: control characters escaped, then the ASCII punctuation
/// that Markdown (or GitHub: `$` math, `~` strike-through) could read as markup
/// backslash-escaped.
pub(super) fn inline(raw: &str) -> String {
    let text = printable(raw);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' | '#' | '!') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A code span holding `raw` verbatim: fenced with one backtick more than its longest run
/// of backticks, padded with spaces when it starts or ends with one.
pub(super) fn code(raw: &str) -> String {
    let text = printable(raw);
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Content for a table cell: `|` escaped. GitHub applies this before parsing the cell, so
/// it also holds inside code spans; an already-escaped `\|` from [`inline`] stays escaped.
pub(super) fn cell(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    // Whether the previous character is a backslash that escapes the next one.
    let mut escaping = false;
    for c in content.chars() {
        if c == '|' && !escaping {
            out.push('\\');
        }
        escaping = c == '\\' && !escaping;
        out.push(c);
    }
    out
}

/// Text inside raw HTML (`<summary>`): control characters escaped, entities for `<>&"'`.
fn html(raw: &str) -> String {
    quick_xml::escape::escape(printable(raw)).into_owned()
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escapes_markup_and_controls() {
        assert_eq!(inline("a | b"), "a \\| b");
        assert_eq!(inline("*x* _y_ [l](u) <b>"), "\\*x\\* \\_y\\_ \\[l\\](u) \\<b\\>");
        assert_eq!(inline("line\nnext\u{1b}[0m"), "line\\\\nnext\\\\u{1b}\\[0m");
        assert_eq!(inline("plain words, 22/tcp."), "plain words, 22/tcp.");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("sg-1"), "`sg-1`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(cell(&code("a|b")), "`a\\|b`");
        // An escaped pipe from `inline` is not escaped twice.
        assert_eq!(cell(&inline("a|b")), "a\\|b");
        assert_eq!(cell("a\\\\|b"), "a\\\\\\|b");
    }

    #[test]
    fn html_is_entity_escaped() {
        assert_eq!(html("<script>&\"'"), "&lt;script&gt;&amp;&quot;&apos;");
    }

    #[test]
    fn backtick_runs() {
        assert_eq!(longest_backtick_run("none"), 0);
        assert_eq!(longest_backtick_run("a ``` b ` c"), 3);
    }
}
