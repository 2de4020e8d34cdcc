//! The packs' compilation kept across runs: each run re-reads the pack folders and syncs the
//! salsa database with them, so only what an edit touches is parsed and checked again.

use std::collections::HashSet;
use std::sync::Arc;

use rulec_compiler::compilation::Compilation;
use rulec_compiler::diagnostics::{Diagnostic, render};
use rulec_compiler::packs::Pack;
use rulec_runtime::plan::Plan;

use crate::{PackArgs, compile};

#[derive(Default)]
pub(super) struct Compiler {
    /// The compilation, once the packs have been read.
    compilation: Option<Compilation>,
    packs: Vec<Pack>,
    /// The warnings the previous run printed: a warning that stays is not printed again.
    warned: HashSet<Diagnostic>,
    /// Whether the last run stopped at compile errors.
    broken: bool,
    /// Whether the last run compiled after one that did not.
    fixed: bool,
}

/// A run's compiled packs.
pub(super) struct Compiled<'a> {
    pub(super) plan: Arc<Plan>,
    pub(super) compilation: &'a Compilation,
    pub(super) packs: &'a [Pack],
}

impl Compiler {
    /// Re-reads the pack folders and re-checks what changed. Errors are printed on every run
    /// they remain, as `rulec compile` prints them, warnings once; without a plan, the status
    /// line to end the run with.
    pub(super) fn compile(&mut self, args: &PackArgs) -> Result<Compiled<'_>, String> {
        let Some(packs) = compile::assemble(args) else { return Err("the packs cannot be read".to_owned()) };
        let compilation = match self.compilation.take() {
            Some(mut compilation) => {
                compilation.sync(&packs);
                compilation
            }
            None => Compilation::new(&packs),
        };
        let compilation = self.compilation.insert(compilation);
        self.packs = packs;
        let diagnostics = compilation.diagnostics();
        let errors = diagnostics.iter().any(Diagnostic::is_error);
        let shown: Vec<Diagnostic> = if errors {
            diagnostics.clone()
        } else {
            diagnostics.iter().filter(|d| !self.warned.contains(*d)).cloned().collect()
        };
        compile::report(&shown, compilation, args.message_format, crate::output::Stream::Stderr);
        self.warned = if errors { HashSet::new() } else { diagnostics.iter().cloned().collect() };
        self.fixed = std::mem::replace(&mut self.broken, errors) && !errors;
        let plan = match compilation.plan() {
            Some(plan) if !errors => plan,
            _ => return Err(format!("compile failed: {}", render::summary(&diagnostics))),
        };
        Ok(Compiled { plan, compilation, packs: &self.packs })
    }

    /// A run's status line, saying first when the run fixed the previous one's compile errors.
    pub(super) fn status(&self, status: String) -> String {
        if self.fixed { format!("compile errors fixed; {status}") } else { status }
    }
}
