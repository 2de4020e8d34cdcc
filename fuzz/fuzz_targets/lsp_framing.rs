//! The language server's frame reader: any bytes give messages and refusals until the input
//! ends, never an error (in-memory input cannot fail) or a panic, and never more memory than
//! the input holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rulec_lsp::transport::FrameReader;

fuzz_target!(|data: &[u8]| {
    let mut frames = FrameReader::new(data);
    while let Some(_frame) = frames.next_frame().expect("in-memory input") {}
});
