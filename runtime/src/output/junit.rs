//! `junit`: JUnit XML, for CI systems that show test reports.
//!
//! - One `<testsuite>` per pack (`name` = pack), sorted by name; one `<testcase>` per rule of
//!   the catalogue (`classname` = pack, `name` = rule id), sorted by id. A rule that found
//!   nothing is a passing test case.
//! - Each finding of a rule is a `<failure>` of its test case (`message` = the finding's
//!   message, `type` = severity; the body names the subject and its name, provider, account
//!   and region (those it has), then the evidence as JSON and the fix), so a rule with three findings is one failed test with three failures.
//! - A rule with no findings but suppressed ones is `<skipped message="suppressed: reason"/>`
//!   (reasons joined with `; ` when there are several); a rule that has findings is failed
//!   and its suppressed findings are not listed.
//! - Counts are of test cases, as JUnit counts: `tests` = test cases, `failures` = failed
//!   test cases, `skipped` = skipped ones, `errors` = 0. `<testsuites>` sums its suites and
//!   carries the run's duration as `time` (seconds).
//! - Findings of a rule the catalogue lacks (attack paths, a stale catalogue) are test cases
//!   of a suite named [`UNCATALOGUED`].
//!
//! Text is escaped with quick-xml; characters XML 1.0 cannot carry at all (most C0
//! controls) are written as Rust escapes (`\u{1b}`), and newlines and tabs in attributes as
//! character references so parsers do not fold them into spaces.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{self, Write};

use super::{subject_details, subject_name};
use crate::plan::Check;
use crate::report::{Finding, Report, Suppressed};

/// The suite of findings whose rule is not in the catalogue.
pub(super) const UNCATALOGUED: &str = "uncatalogued";

#[derive(Default)]
struct Case<'a> {
    failures: Vec<&'a Finding>,
    suppressed: Vec<&'a Suppressed>,
}

impl Case<'_> {
    fn failed(&self) -> bool {
        !self.failures.is_empty()
    }

    fn skipped(&self) -> bool {
        self.failures.is_empty() && !self.suppressed.is_empty()
    }
}

/// Pack → rule id → its test case.
type Suites<'a> = BTreeMap<&'a str, BTreeMap<&'a str, Case<'a>>>;

pub(super) fn render(report: &Report, catalogue: &[Check], out: &mut String) -> fmt::Result {
    let suites = suites(report, catalogue);
    let cases = || suites.values().flat_map(|cases| cases.values());
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    writeln!(
        out,
        r#"<testsuites name="rulec" tests="{}" failures="{}" errors="0" skipped="{}" time="{}">"#,
        cases().count(),
        cases().filter(|c| c.failed()).count(),
        cases().filter(|c| c.skipped()).count(),
        seconds(report.summary.duration_ms),
    )?;
    for (pack, cases) in &suites {
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{}">"#,
            attr(pack),
            cases.len(),
            cases.values().filter(|c| c.failed()).count(),
            cases.values().filter(|c| c.skipped()).count(),
        )?;
        for (rule, case) in cases {
            write_case(out, pack, rule, case)?;
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    Ok(())
}

fn suites<'a>(report: &'a Report, catalogue: &'a [Check]) -> Suites<'a> {
    let mut suites: Suites<'a> = BTreeMap::new();
    // The first pack to define a rule id owns its findings.
    let mut pack_of: BTreeMap<&str, &str> = BTreeMap::new();
    for check in catalogue {
        suites.entry(&check.pack).or_default().entry(&check.id).or_default();
        pack_of.entry(&check.id).or_insert(&check.pack);
    }
    for finding in &report.findings {
        case_of(&mut suites, &pack_of, &finding.rule).failures.push(finding);
    }
    for suppressed in &report.suppressed {
        case_of(&mut suites, &pack_of, &suppressed.finding.rule).suppressed.push(suppressed);
    }
    suites
}

fn case_of<'s, 'a>(
    suites: &'s mut Suites<'a>,
    pack_of: &BTreeMap<&'a str, &'a str>,
    rule: &'a str,
) -> &'s mut Case<'a> {
    let pack = pack_of.get(rule).copied().unwrap_or(UNCATALOGUED);
    suites.entry(pack).or_default().entry(rule).or_default()
}

fn write_case(out: &mut String, pack: &str, rule: &str, case: &Case<'_>) -> fmt::Result {
    let open = format!(r#"    <testcase classname="{}" name="{}""#, attr(pack), attr(rule));
    if case.failed() {
        writeln!(out, "{open}>")?;
        for finding in &case.failures {
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                attr(&finding.message),
                finding.severity.as_str(),
                text(&failure_body(finding)),
            )?;
        }
        out.push_str("    </testcase>\n");
    } else if case.skipped() {
        let mut reasons: Vec<&str> = Vec::new();
        for suppressed in &case.suppressed {
            if !reasons.contains(&suppressed.reason.as_str()) {
                reasons.push(&suppressed.reason);
            }
        }
        writeln!(out, "{open}>")?;
        writeln!(out, r#"      <skipped message="{}"/>"#, attr(&format!("suppressed: {}", reasons.join("; "))))?;
        out.push_str("    </testcase>\n");
    } else {
        writeln!(out, "{open}/>")?;
    }
    Ok(())
}

fn failure_body(finding: &Finding) -> String {
    let evidence = serde_json::to_string_pretty(&finding.evidence).expect("INVARIANT: a JSON value serialises");
    let mut body = format!("subject: {}\n", subject_name(finding));
    for (label, value) in subject_details(finding) {
        let _ = writeln!(body, "{label}: {value}");
    }
    let _ = write!(body, "evidence: {evidence}");
    if let Some(fix) = &finding.fix {
        body.push_str("\nfix: ");
        body.push_str(fix);
    }
    body
}

/// Milliseconds as JUnit's seconds.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Whether XML 1.0 can carry the character as itself. It cannot carry most C0 controls at
/// all (not even as a character reference), nor U+FFFE/U+FFFF; DEL and C1 controls are
/// legal but invisible, so they are escaped too.
fn is_xml_unsafe(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// `text` with the characters XML cannot carry written as Rust escapes (`\u{1b}`).
fn xml_chars(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_xml_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_xml_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escaped for element content.
pub(super) fn text(raw: &str) -> String {
    quick_xml::escape::partial_escape(xml_chars(raw)).into_owned()
}

/// Escaped for a double-quoted attribute value; newlines and tabs become character
/// references, which attribute-value normalisation leaves alone.
pub(super) fn attr(raw: &str) -> String {
    let escaped = quick_xml::escape::escape(xml_chars(raw));
    if escaped.contains(['\n', '\t']) {
        escaped.replace('\n', "&#10;").replace('\t', "&#9;")
    } else {
        escaped.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_specials_and_controls() {
        assert_eq!(attr(r#"a<b>&"c"'d'"#), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
        assert_eq!(attr("line\nnext\tcol\rx"), "line&#10;next&#9;col&#13;x");
        assert_eq!(text("a<b & c>\n\"q\""), "a&lt;b &amp; c&gt;\n\"q\"");
        assert_eq!(text("bell\u{7}esc\u{1b}nul\u{0}"), "bell\\u{7}esc\\u{1b}nul\\u{0}");
        assert_eq!(attr("\u{fffe}"), "\\u{fffe}");
        assert_eq!(text("ünïcode ✓ 中文"), "ünïcode ✓ 中文");
    }

    #[test]
    fn seconds_have_millisecond_precision() {
        assert_eq!(seconds(0), "0.000");
        assert_eq!(seconds(41), "0.041");
        assert_eq!(seconds(12_345), "12.345");
    }
}
