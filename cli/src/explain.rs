//! `rulec explain RULE --asset ID SNAPSHOT`: the value of each sub-expression of a rule for
//! one asset, to see why it fired or did not.

use std::path::PathBuf;

use rulec_compiler::syntax::ast::{ClauseKind, ItemKind};
use rulec_compiler::syntax::parse;
use rulec_runtime::eval::Engine;

use super::check::Session;
use super::{EXIT_OK, PackArgs, fail, output};

#[derive(clap::Args, Debug)]
pub(crate) struct ExplainArgs {
    /// The rule's id
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// The id of the asset (of the rule's subject type) to explain
    #[arg(long, alias = "subject", value_name = "ID")]
    pub asset: String,
    /// Snapshot files or directories, as for `rulec check`
    #[arg(value_name = "SNAPSHOT", required = true)]
    pub snapshots: Vec<PathBuf>,
    #[command(flatten)]
    pub packs: PackArgs,
    /// Configuration file [default: rulec.yaml in the current directory, if present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub(crate) fn run(args: &ExplainArgs) -> u8 {
    let session = match Session::open(&args.packs, None, args.config.as_deref(), &args.snapshots) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let engine = match Engine::new(&session.plan, &session.loaded.store) {
        Ok(engine) => engine,
        Err(e) => return fail(&e.to_string(), None),
    };
    let names = local_names(&args.packs, &args.rule);
    match engine.explain(&args.rule, &args.asset, &names) {
        Ok(explanation) => match output::emit(None, &explanation.to_string()) {
            Ok(()) => EXIT_OK,
            Err(message) => fail(&message, None),
        },
        Err(e) => fail(&e.to_string(), e.help().as_deref()),
    }
}

/// The names of the rule's local slots as written: the subject binding, then its `let`s
/// (the plan keeps only slot numbers).
fn local_names(packs: &PackArgs, rule: &str) -> Vec<String> {
    let Ok(packs) = rulec_compiler::packs::assemble(&packs.packs) else { return Vec::new() };
    for file in packs.iter().flat_map(|p| &p.files) {
        let (ast, _) = parse(&file.path, &file.text);
        for item in &ast.items {
            let ItemKind::Check(check) = &item.kind else { continue };
            if check.name.text != rule {
                continue;
            }
            let mut names = Vec::new();
            for clause in &check.clauses {
                match &clause.kind {
                    ClauseKind::Subject { binding, .. } => names.insert(0, binding.text.clone()),
                    ClauseKind::Let { name, .. } => names.push(name.text.clone()),
                    _ => {}
                }
            }
            return names;
        }
    }
    Vec::new()
}
