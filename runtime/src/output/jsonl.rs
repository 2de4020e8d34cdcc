//! `jsonl`: one finding per line, each the complete finding object of `json`, and nothing
//! else — no header, no summary. The findings come first, then the suppressed findings, each
//! the object `json` lists under `suppressed` (the finding with its allowlist `reason`) plus
//! `"suppressed": true`, so `jq 'select(.suppressed | not)'` keeps the reported ones. A report
//! without findings of either kind renders as empty output.

use std::fmt::{self, Write};

use serde::Serialize;

use crate::report::{Report, Suppressed};

/// A suppressed finding's line: `json`'s `suppressed` entry, marked.
#[derive(Serialize)]
struct SuppressedLine<'a> {
    #[serde(flatten)]
    entry: &'a Suppressed,
    suppressed: bool,
}

pub(super) fn render(report: &Report, out: &mut String) -> fmt::Result {
    for finding in &report.findings {
        let line = serde_json::to_string(finding).expect("INVARIANT: a finding serialises");
        out.push_str(&line);
        out.write_char('\n')?;
    }
    for entry in &report.suppressed {
        let line = serde_json::to_string(&SuppressedLine { entry, suppressed: true })
            .expect("INVARIANT: a suppressed finding serialises");
        out.push_str(&line);
        out.write_char('\n')?;
    }
    Ok(())
}
