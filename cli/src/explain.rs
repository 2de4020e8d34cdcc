//! `rulec explain RULE [--asset ID] SNAPSHOT`: the value of each sub-expression of a rule for
//! one asset, to see why it fired or did not; without `--asset`, the rule itself and where
//! it fires in the snapshot ([`overview`]), to pick an asset to explain.

mod overview;

use std::path::PathBuf;

use rulec_compiler::diagnostics::render::line_col;
use rulec_compiler::syntax::ast::{CheckItem, ClauseKind, ItemKind};
use rulec_compiler::syntax::parse;
use rulec_runtime::eval::Engine;

use super::check::Session;
use super::{EXIT_OK, PackArgs, fail, output};

#[derive(clap::Args, Debug)]
pub(crate) struct ExplainArgs {
    /// The rule's id
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// The id of the asset (of the rule's subject type) to explain; without it, show the rule
    /// and the assets it fires on
    #[arg(long, alias = "subject", value_name = "ID")]
    pub asset: Option<String>,
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
    let source = RuleSource::find(&args.packs, &args.rule);
    let text = match &args.asset {
        Some(asset) => engine
            .explain(&args.rule, asset, &source.as_ref().map(RuleSource::local_names).unwrap_or_default())
            .map(|e| e.to_string()),
        None => engine
            .survey(&args.rule)
            .map(|survey| overview::render(&session.plan, &survey, source.as_ref(), &args.snapshots)),
    };
    match text {
        Ok(text) => match output::emit(None, &text) {
            Ok(()) => EXIT_OK,
            Err(message) => fail(&message, None),
        },
        Err(e) => fail(&e.to_string(), e.help().as_deref()),
    }
}

/// A check as written in its pack: the plan keeps neither its text nor its local names.
struct RuleSource {
    /// The file as diagnostics name it (`packs/network/security_groups.rule`).
    path: String,
    /// The 1-based line the check starts on.
    line: usize,
    /// The check's text, from its keyword to its closing brace.
    text: String,
    check: CheckItem,
}

impl RuleSource {
    /// The check named `rule` in the packs, if they load and one is.
    fn find(packs: &PackArgs, rule: &str) -> Option<RuleSource> {
        let packs = rulec_compiler::packs::assemble(&packs.packs).ok()?;
        for file in packs.iter().flat_map(|p| &p.files) {
            let (ast, _) = parse(&file.path, &file.text);
            for item in ast.items {
                let ItemKind::Check(check) = item.kind else { continue };
                if check.name.text != rule {
                    continue;
                }
                let (start, end) = (item.span.start as usize, item.span.end as usize);
                return Some(RuleSource {
                    path: file.path.clone(),
                    line: line_col(&file.text, start).line,
                    text: file.text.get(start..end).unwrap_or_default().to_owned(),
                    check,
                });
            }
        }
        None
    }

    /// The names of the rule's local slots as written: the subject binding, then its `let`s
    /// (the plan keeps only slot numbers).
    fn local_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for clause in &self.check.clauses {
            match &clause.kind {
                ClauseKind::Subject { binding, .. } => names.insert(0, binding.text.clone()),
                ClauseKind::Let { name, .. } => names.push(name.text.clone()),
                _ => {}
            }
        }
        names
    }
}
