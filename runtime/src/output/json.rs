//! `json`: the contract of CLI.md — the [`Report`] as it serialises, pretty-printed.
//!
//! Field names and their order are those of the report structs; evidence objects keep
//! serde_json's key order. The bytes depend only on the report.

use std::fmt;
use std::io::{self, Write};

use crate::report::Report;

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

/// The report as `render` gives it, written to `out` as it is produced (buffered).
pub(super) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")?;
    out.flush()
}
