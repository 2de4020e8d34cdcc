//! Compile-time benchmarks over a generated pack of 1,000 rules (20 files of 50, plus a helper
//! file) on top of the standard library; see `rulec_compiler::bench_support`.
//!
//! Run with `cargo bench -p rulec-compiler --bench compile`.
//!
//! - `cold_compile`: a fresh `Compilation` of std + the pack, and all its diagnostics.
//! - `recheck_after_one_line_edit`: a warm compilation; each iteration changes one line inside
//!   one rule body of one file (alternating between two texts, so every iteration is a real
//!   edit) and recomputes the diagnostics.
//! - `recheck_after_signature_edit`: a warm compilation; each iteration adds or removes a
//!   constant in the helper file, which changes the global environment every item depends on.

use std::cell::Cell;

use divan::Bencher;
use rulec_compiler::bench_support::{self, HELPERS_PATH, RULES_PER_FILE};
use rulec_compiler::compilation::Compilation;
use rulec_compiler::packs::Pack;

fn main() {
    divan::main();
}

/// The file and rule the one-line edit goes into: one in the middle of the pack.
const EDITED_FILE: usize = 7;
const EDITED_RULE: usize = RULES_PER_FILE / 2;

fn packs() -> Vec<Pack> {
    let packs = bench_support::packs();
    let diagnostics = Compilation::new(&packs).diagnostics();
    assert!(diagnostics.is_empty(), "every generated rule type-checks without a warning: {diagnostics:#?}");
    packs
}

/// A warm compilation whose diagnostics are computed and clean.
fn warm(packs: &[Pack]) -> Compilation {
    let compilation = Compilation::new(packs);
    assert!(compilation.diagnostics().is_empty());
    compilation
}

fn text_of(packs: &[Pack], path: &str) -> String {
    let file = packs.iter().flat_map(|p| &p.files).find(|f| f.path == path);
    file.expect("a file of the generated pack").text.clone()
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn cold_compile(bencher: Bencher<'_, '_>) {
    let packs = packs();
    bencher.bench_local(|| {
        let compilation = Compilation::new(&packs);
        let diagnostics = compilation.diagnostics();
        // Returned, so that dropping the database is not measured.
        (compilation, diagnostics)
    });
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn recheck_after_one_line_edit(bencher: Bencher<'_, '_>) {
    let packs = packs();
    let mut compilation = warm(&packs);
    let path = bench_support::rule_file_path(EDITED_FILE);
    let original = text_of(&packs, &path);
    let texts = [
        bench_support::edit_rule_body(&original, EDITED_RULE, 0),
        bench_support::edit_rule_body(&original, EDITED_RULE, 1),
    ];
    alternate_edits(bencher, &mut compilation, &path, &texts);
}

/// Measures re-checking after setting `path` to each of `texts` in turn, so every
/// iteration is a real edit.
fn alternate_edits(bencher: Bencher<'_, '_>, compilation: &mut Compilation, path: &str, texts: &[String; 2]) {
    let iteration = Cell::new(0usize);
    bencher
        .with_inputs(|| {
            iteration.set(iteration.get() + 1);
            texts[iteration.get() % 2].clone()
        })
        .bench_local_values(|text| {
            compilation.set_text(path, text);
            compilation.diagnostics()
        });
    assert!(compilation.diagnostics().is_empty(), "the edits type-check");
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn recheck_after_signature_edit(bencher: Bencher<'_, '_>) {
    let packs = packs();
    let mut compilation = warm(&packs);
    let texts = [bench_support::edit_signature(0), bench_support::edit_signature(1)];
    alternate_edits(bencher, &mut compilation, HELPERS_PATH, &texts);
}
