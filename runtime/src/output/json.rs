//! `json`: the contract of CLI.md — the [`Report`] as it serialises, pretty-printed.
//!
//! Field names and their order are those of the report structs; evidence objects keep
//! serde_json's key order. The bytes depend only on the report.

use std::fmt::{self, Write};

use crate::report::Report;

pub(super) fn render(report: &Report, out: &mut String) -> fmt::Result {
    let mut text = serde_json::to_string_pretty(report)
        .expect("INVARIANT: a report serialises (string keys, no floats that are not numbers)");
    text.write_char('\n')?;
    // The report of a large estate is hundreds of megabytes: take the text rather than copy it
    // when nothing was written before it.
    if out.is_empty() {
        *out = text;
    } else {
        out.push_str(&text);
    }
    Ok(())
}
