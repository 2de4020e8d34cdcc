//! `jsonl`: one finding per line, each the complete finding object of `json`, and nothing
//! else — no header, no summary, and no suppressed findings (they are in `json`, `sarif`
//! and `markdown`). A report without findings renders as empty output.

use std::fmt::{self, Write};

use crate::report::Report;

pub(super) fn render(report: &Report, out: &mut String) -> fmt::Result {
    for finding in &report.findings {
        let line = serde_json::to_string(finding).expect("INVARIANT: a finding serialises");
        out.push_str(&line);
        out.write_char('\n')?;
    }
    Ok(())
}
