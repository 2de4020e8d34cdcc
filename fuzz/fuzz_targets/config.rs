//! The `rulec.yaml` parser: any text gives a configuration or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rulec_runtime::config::Config;

fuzz_target!(|text: &str| {
    let _ = Config::from_str(text, "rulec.yaml");
});
