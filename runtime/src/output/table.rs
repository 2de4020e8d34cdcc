//! `table`: the terminal default. Aligned columns SEVERITY, RULE, SUBJECT (`Type/id`),
//! WHERE (the subject's `provider/account/region`, the parts it has; the column is left out
//! when no finding's subject has any) and MESSAGE, one line per finding, then a blank line
//! and a summary line:
//!
//! ```text
//! SEVERITY  RULE                    SUBJECT                  MESSAGE
//! high      TC_SG_ADMIN_PORTS_OPEN  SecurityGroup/sg-1a2b3c  sg-1a2b3c accepts [22] from any address
//!
//! 1 finding: 1 high; 3 suppressed; 120 rules evaluated in 41 ms
//! ```
//!
//! With a width, only the message column gives way: a message that does not fit is cut and
//! ends with `…` (but the column keeps at least 20 characters, so on a very narrow terminal
//! lines are longer than the width). Text from the snapshot is shown with control characters escaped, so a
//! message cannot move the cursor or change colours. Colour (severity, bold header) only
//! when [`RenderOptions::color`].

use std::fmt::{self, Write};

use anstyle::{AnsiColor, Effects, Style};
use comfy_table::{Cell, ColumnConstraint, ContentArrangement, Row, Table, Width, presets};

use super::{RenderOptions, counts_by_severity, place, plural, printable, subject_name};
use crate::compliance::{Compliance, Status};
use crate::plan::Severity;
use crate::report::Report;

const HEADER: [&str; 5] = ["SEVERITY", "RULE", "SUBJECT", "WHERE", "MESSAGE"];
/// The index of the WHERE column in [`HEADER`].
const WHERE: usize = 3;
/// Spaces between columns.
const GAP: u16 = 2;
/// The message column never gets narrower than this: on a terminal too narrow for the
/// other columns plus this, lines are longer than the width (and the terminal wraps them)
/// rather than messages shrinking to nothing.
const MIN_MESSAGE_WIDTH: u16 = 20;

pub(super) fn render(report: &Report, options: &RenderOptions, out: &mut String) -> fmt::Result {
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        render_table(report, options, out)?;
        out.write_char('\n')?;
    }
    if options.show_suppressed && !report.suppressed.is_empty() {
        writeln!(out, "Suppressed:")?;
        for s in &report.suppressed {
            let f = &s.finding;
            writeln!(
                out,
                "  {:<8}  {}  {}  ({})",
                f.severity.as_str(),
                printable(&f.rule),
                printable(&subject_name(f)),
                printable(&s.reason)
            )?;
        }
        out.write_char('\n')?;
    }
    writeln!(out, "{}", summary_line(report))?;
    if let Some(c) = &report.compliance {
        compliance(c, out)?;
    }
    Ok(())
}

/// How many findings a failed control lists before `+N more`.
const CONTROL_FINDINGS_SHOWN: usize = 3;

/// The per-control section of `--framework`: one line per control, failures first in the
/// framework's order, then those whose data was not collected, then those whose checks had
/// nothing to judge, then passes, then the manual controls no rule covers, then the
/// controls no rule covers.
fn compliance(c: &Compliance, out: &mut String) -> fmt::Result {
    writeln!(out, "\nCompliance with {} ({}): {}", printable(&c.framework), printable(&c.title), c.summary)?;
    let id_width = c.controls.iter().map(|k| k.id.chars().count()).max().unwrap_or(0);
    for status in
        [Status::Failed, Status::NotEvaluated, Status::NoResources, Status::Passed, Status::Manual, Status::NotCovered]
    {
        for control in c.controls.iter().filter(|k| k.status == status) {
            write!(
                out,
                "  {:<11}  {:<id_width$}  {}",
                status.as_str(),
                printable(&control.id),
                printable(&control.summary)
            )?;
            if !control.findings.is_empty() {
                let shown: Vec<String> = control
                    .findings
                    .iter()
                    .take(CONTROL_FINDINGS_SHOWN)
                    .map(|f| format!("{} on {}/{}", f.rule, f.subject.ty, f.subject.id))
                    .collect();
                let more = control.findings.len().saturating_sub(CONTROL_FINDINGS_SHOWN);
                let more = if more > 0 { format!(", +{more} more") } else { String::new() };
                write!(out, " [{}{more}]", printable(&shown.join(", ")))?;
            }
            if !control.not_collected.is_empty() {
                write!(out, " [not collected: {}]", printable(&control.not_collected.join("; ")))?;
            }
            out.write_char('\n')?;
        }
    }
    Ok(())
}

fn render_table(report: &Report, options: &RenderOptions, out: &mut String) -> fmt::Result {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    if options.width == 0 {
        table.set_content_arrangement(ContentArrangement::Disabled);
    } else {
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.set_width(u16::try_from(options.width).unwrap_or(u16::MAX));
    }
    let places: Vec<String> = report.findings.iter().map(place).collect();
    let show_place = places.iter().any(|p| !p.is_empty());
    let keep = |i: &usize| show_place || *i != WHERE;
    let header: Vec<&str> = HEADER.iter().enumerate().filter(|(i, _)| keep(i)).map(|(_, h)| *h).collect();
    table.set_header(one_line_row(header.iter().copied().map(Cell::new)));
    for (finding, place) in report.findings.iter().zip(&places) {
        let cells = [
            printable(finding.severity.as_str()),
            printable(&finding.rule),
            printable(&subject_name(finding)).into_owned().into(),
            printable(place),
            printable(&finding.message),
        ];
        table.add_row(one_line_row(cells.into_iter().enumerate().filter(|(i, _)| keep(i)).map(|(_, c)| Cell::new(c))));
    }
    let last = header.len() - 1;
    for (i, column) in table.column_iter_mut().enumerate() {
        if i == last {
            column.set_padding((0, 0));
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(MIN_MESSAGE_WIDTH)));
        } else {
            // Only the message gives way to the width.
            column.set_padding((0, GAP));
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }

    // Every row is one line (cells hold no newlines, rows are capped at one line): line 0 is
    // the header, line `1 + i` is finding `i`.
    for (i, line) in table.lines().enumerate() {
        let line = line.trim_end();
        if !options.color {
            writeln!(out, "{line}")?;
        } else if i == 0 {
            let bold = Style::new().bold();
            writeln!(out, "{bold}{line}{bold:#}")?;
        } else {
            let severity = report.findings[i - 1].severity;
            let name = severity.as_str();
            match line.strip_prefix(name) {
                Some(rest) => {
                    let style = severity_style(severity);
                    writeln!(out, "{style}{name}{style:#}{rest}")?;
                }
                None => writeln!(out, "{line}")?,
            }
        }
    }
    Ok(())
}

/// A row that never takes more than one line: what does not fit is truncated with `…`.
fn one_line_row(cells: impl IntoIterator<Item = Cell>) -> Row {
    let mut row = Row::new();
    for cell in cells {
        row.add_cell(cell);
    }
    row.max_height(1);
    row
}

/// critical bold red, high red, medium yellow, low blue, info dim.
fn severity_style(severity: Severity) -> Style {
    let colored = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match severity {
        Severity::Critical => colored(AnsiColor::Red).effects(Effects::BOLD),
        Severity::High => colored(AnsiColor::Red),
        Severity::Medium => colored(AnsiColor::Yellow),
        Severity::Low => colored(AnsiColor::Blue),
        Severity::Info => Style::new().dimmed(),
    }
}

/// `12 findings: 2 critical, 5 high, 5 low; 3 suppressed; 120 rules evaluated in 41 ms`,
/// without the findings part when there are none and without `suppressed` when nothing was.
fn summary_line(report: &Report) -> String {
    let mut parts = Vec::new();
    if !report.findings.is_empty() {
        let counts: Vec<String> =
            counts_by_severity(&report.findings).iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
        parts.push(format!("{}: {}", plural(report.findings.len(), "finding", "findings"), counts.join(", ")));
    }
    if !report.suppressed.is_empty() {
        parts.push(format!("{} suppressed", report.suppressed.len()));
    }
    parts.push(format!(
        "{} evaluated in {} ms",
        plural(report.summary.rules_evaluated, "rule", "rules"),
        report.summary.duration_ms
    ));
    parts.join("; ")
}
