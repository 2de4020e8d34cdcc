//! The snapshot loader against the built-in packs' plan: the first byte picks the format
//! (JSON, YAML or JSONL), the rest is the file. Any input loads or is refused with errors.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use rulec_compiler::compilation::Compilation;
use rulec_runtime::plan::Plan;
use rulec_runtime::snapshot::{Format, load_str};

fn plan() -> &'static Plan {
    static PLAN: OnceLock<Arc<Plan>> = OnceLock::new();
    PLAN.get_or_init(|| {
        let packs = rulec_compiler::packs::builtin();
        Compilation::new(&packs).plan().expect("the built-in packs compile")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let (name, format) = match selector % 3 {
        0 => ("fuzz.json", Format::Json),
        1 => ("fuzz.yaml", Format::Yaml),
        _ => ("fuzz.jsonl", Format::Jsonl),
    };
    let _ = load_str(plan(), name, text, format);
});
