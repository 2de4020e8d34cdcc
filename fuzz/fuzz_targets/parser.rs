//! The rule parser, then the formatter on what parses: any text gives a tree and diagnostics,
//! and formatting either refuses (syntax errors) or returns text that parses to the same tree
//! (the formatter checks that itself; an internal error is a bug).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rulec_compiler::format::{FormatError, format_source};

fuzz_target!(|text: &str| {
    let _ = rulec_compiler::syntax::parse("fuzz.rule", text);
    if let Err(FormatError::Internal(message)) = format_source(text) {
        panic!("formatter bug: {message}");
    }
});
