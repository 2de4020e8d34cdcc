//! Shared by the compiler's integration tests.

use std::sync::Arc;

use rulec_compiler::compilation::Compilation;
use rulec_compiler::packs;
use rulec_runtime::plan::Plan;

/// The plan of the built-in packs plus a pack `name` holding one file of `source`; panics on a
/// compile error, naming it.
pub(crate) fn plan_with_pack(name: &str, source: &str) -> Arc<Plan> {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join(name);
    std::fs::create_dir_all(&pack).expect("pack dir");
    std::fs::write(pack.join("pack.yaml"), format!("name: {name}\nversion: 0.1.0\ndescription: {name}\n"))
        .expect("pack.yaml");
    std::fs::write(pack.join("checks.rule"), source).expect("rule file");
    let packs = packs::assemble(&[pack]).expect("packs");
    let compilation = Compilation::new(&packs);
    let errors: Vec<_> = compilation.diagnostics().into_iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    compilation.plan().expect("a plan")
}
