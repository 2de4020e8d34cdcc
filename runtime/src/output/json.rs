//! `json`: the contract of CLI.md — the [`Report`] as it serialises, pretty-printed.
//!
//! Field names and their order are those of the report structs; evidence objects keep
//! serde_json's key order. The bytes depend only on the report.

use std::fmt;
use std::io::{self, Write};

use rayon::prelude::*;

use crate::report::{Finding, Report};

pub(super) fn render(report: &Report, out: &mut String) -> fmt::Result {
    let mut bytes = Vec::new();
    write(report, &mut bytes).expect("INVARIANT: a report serialises (string keys, no floats that are not numbers)");
    let text = String::from_utf8(bytes).expect("INVARIANT: serde_json writes UTF-8");
    // Take the text rather than copy it when nothing was written before it.
    if out.is_empty() {
        *out = text;
    } else {
        out.push_str(&text);
    }
    Ok(())
}

/// The report as `render` gives it, written to `out` as it is produced (buffered). Findings
/// are serialised in parallel, a window at a time, and written in order: at 10^5 assets the
/// report is 93 MB and serialising it on one core left the other idle for a third of a second.
/// The bytes are those of `serde_json::to_writer_pretty` on the whole report.
pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    // The report without its findings, which go where the empty list is.
    let frame = Report {
        rulec_version: report.rulec_version.clone(),
        snapshot: report.snapshot.clone(),
        findings: Vec::new(),
        compliance: report.compliance.clone(),
        suppressed: report.suppressed.clone(),
        summary: report.summary.clone(),
        resolved: report.resolved.clone(),
    };
    let frame = serde_json::to_vec_pretty(&frame)?;
    // A raw newline is always the pretty printer's (strings escape theirs), and two spaces of
    // indent mark a key of the top-level object.
    let at = frame
        .windows(EMPTY_FINDINGS.len())
        .position(|w| w == EMPTY_FINDINGS)
        .expect("INVARIANT: a report serialises its findings as a top-level key")
        + EMPTY_FINDINGS.len();
    if report.findings.is_empty() {
        out.write_all(&frame)?;
    } else {
        out.write_all(&frame[..at - 1])?;
        for (i, window) in report.findings.chunks(WINDOW).enumerate() {
            let pieces: Vec<Vec<u8>> =
                window.par_chunks(PIECE).map(findings_text).collect::<serde_json::Result<_>>()?;
            for (j, piece) in pieces.iter().enumerate() {
                if i > 0 || j > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(piece)?;
            }
        }
        out.write_all(b"\n  ]")?;
        out.write_all(&frame[at..])?;
    }
    out.write_all(b"\n")?;
    out.flush()
}

/// How the pretty printer writes an empty `findings` list.
const EMPTY_FINDINGS: &[u8] = b"\n  \"findings\": []";
/// Findings serialised by one task.
const PIECE: usize = 256;
/// Findings serialised before their text is written: bounds the memory the text takes.
const WINDOW: usize = 64 * PIECE;

/// Findings as items of the top-level `findings` list, comma-separated: each line of each
/// on a new line, indented two levels (the pretty printer's own newlines; strings escape theirs).
fn findings_text(findings: &[Finding]) -> serde_json::Result<Vec<u8>> {
    let mut text = Vec::new();
    // One finding's text, the buffer reused from finding to finding.
    let mut one = Vec::new();
    for (i, finding) in findings.iter().enumerate() {
        if i > 0 {
            text.push(b',');
        }
        one.clear();
        serde_json::to_writer_pretty(&mut one, finding)?;
        for line in one.split(|&byte| byte == b'\n') {
            text.extend_from_slice(b"\n    ");
            text.extend_from_slice(line);
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FindingKind, SnapshotInfo, Subject, Summary, Suppressed};

    fn finding(i: usize) -> Finding {
        Finding {
            rule: format!("RULE_{}", i % 7),
            kind: FindingKind::Rule,
            severity: crate::plan::Severity::High,
            title: "a title with \"quotes\"\nand a newline".to_owned(),
            subject: Subject::new("Bucket".to_owned(), format!("bucket-{i}")),
            message: format!("message {i}"),
            evidence: serde_json::json!({ "list": [1, [2, {}]], "empty": [], "nested": { "a": { "b": i } } }),
            controls: vec!["cis/1.1".to_owned()],
            fix: i.is_multiple_of(2).then(|| "fix it".to_owned()),
            history: None,
        }
    }

    fn report(findings: usize) -> Report {
        Report {
            rulec_version: "0.1.0".to_owned(),
            snapshot: SnapshotInfo { taken_at: "2026-12-08T00:00:00Z".to_owned(), assets: 3, events: 0 },
            findings: (0..findings).map(finding).collect(),
            compliance: None,
            suppressed: vec![Suppressed { finding: finding(findings + 1), reason: "accepted".to_owned() }],
            summary: Summary { by_severity: Default::default(), rules_evaluated: 1, duration_ms: 0 },
            resolved: None,
        }
    }

    #[test]
    fn the_bytes_are_serde_jsons_whatever_the_number_of_findings() {
        // Empty, within one piece, and across pieces and windows.
        for n in [0, 1, 2, PIECE + 3, WINDOW + PIECE + 1] {
            let report = report(n);
            let mut ours = Vec::new();
            write(&report, &mut ours).expect("write");
            let mut theirs = serde_json::to_vec_pretty(&report).expect("serialise");
            theirs.push(b'\n');
            assert!(ours == theirs, "{n} findings: the text differs from serde_json's");
        }
    }
}
