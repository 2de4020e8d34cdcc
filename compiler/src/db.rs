//! The incremental compiler database, shared by `rulec` (compile, check, watch) and the
//! language server.
//!
//! Inputs are file texts. Each derived value is a salsa query: `parse` per file, a span-free
//! `file_summary` per file (so an edit inside a rule body is cut off there), one
//! `global_env` over all summaries, and `check_item` per item. Diagnostics are query results,
//! never side effects.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use rulec_runtime::plan;

use crate::diagnostics::{self, Diagnostic};
use crate::semantic::lower::PlanLayout;
use crate::semantic::reads::ItemReads;
use crate::semantic::{self, GlobalEnv};
use crate::summary::{self, FileSummary};
use crate::syntax::{self, ast::SourceAst};

/// The database trait queries are written against.
#[salsa::db]
pub trait Db: salsa::Database {}

#[salsa::db]
impl Db for Database {}

/// One `.rule` file. `path` is how diagnostics name it (`packs/network/sg.rule`, or the path
/// given on the command line).
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
    /// The pack the file belongs to; findings name it.
    #[returns(ref)]
    pub pack: String,
}

/// The set of files compiled together: the stdlib, the built-in packs and any `--pack`.
#[salsa::input(debug)]
pub struct Workspace {
    #[returns(ref)]
    pub files: Vec<SourceFile>,
}

/// An item of a file, by position. Interned so per-item queries have a key.
#[salsa::interned(debug)]
pub struct ItemRef<'db> {
    pub file: SourceFile,
    pub index: u32,
}

/// The parse of one file: syntax tree and syntax diagnostics.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Parsed {
    pub ast: Arc<SourceAst>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The text of one chunk (an item, a `use`, the `package` line), interned so equal
/// chunks share one parse wherever they sit.
#[salsa::interned(debug)]
pub struct ChunkText<'db> {
    #[returns(ref)]
    pub text: String,
}

/// A chunk's parse, spans relative to the chunk: an edit re-parses only the chunks it
/// touches, and moving a chunk within its file costs no parse at all.
#[salsa::tracked(returns(ref))]
pub fn parse_chunk<'db>(db: &'db dyn Db, chunk: ChunkText<'db>) -> Arc<syntax::ChunkParse> {
    Arc::new(syntax::parse_chunk(chunk.text(db)))
}

#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> Parsed {
    let (ast, diagnostics) = syntax::parse_with(file.path(db), file.text(db), &mut |chunk| {
        parse_chunk(db, ChunkText::new(db, chunk.to_owned())).clone()
    });
    Parsed { ast: Arc::new(ast), diagnostics }
}

/// What other files can see of this one, without positions: an edit that keeps every
/// signature stops here.
#[salsa::tracked(returns(ref))]
pub fn file_summary(db: &dyn Db, file: SourceFile) -> FileSummary {
    summary::summarize(&parse(db, file).ast)
}

/// Every package, type, function, constant, rule id and control of the workspace.
#[salsa::tracked(returns(ref))]
pub fn global_env(db: &dyn Db, workspace: Workspace) -> GlobalEnv {
    let summaries: Vec<(SourceFile, &FileSummary)> =
        workspace.files(db).iter().map(|f| (*f, file_summary(db, *f))).collect();
    semantic::build_global_env(&summaries)
}

/// The result of checking one item.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct CheckedItem {
    pub diagnostics: Vec<Diagnostic>,
    /// Import aliases the item used, for the unused-import warning.
    pub used_imports: Vec<String>,
    /// The item in plan form, when it checked without errors and has a run-time meaning.
    pub lowered: Option<Lowered>,
    /// The snapshot fields the lowered item's own expressions read (`Type.field`), before
    /// following what it calls: [`compiled_plan`] closes them over the plan.
    pub reads: BTreeSet<String>,
    /// What the editor asks about: expression types and name references.
    pub facts: ItemFacts,
}

/// What checking learnt about an item's text, by span: the language server's hover, go to
/// definition and completion read it.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct ItemFacts {
    /// The type of each expression.
    pub types: Vec<(crate::syntax::Span, crate::semantic::ty::Ty)>,
    /// What each name refers to.
    pub refs: Vec<(crate::syntax::Span, crate::semantic::expr::Target)>,
}

/// One item's contribution to the plan.
#[derive(Clone, PartialEq, Debug)]
pub enum Lowered {
    Const(plan::Const),
    Function(plan::Function),
    Check(Box<plan::Check>),
    Edge(plan::Edge),
    Framework(plan::Framework),
}

/// Where types, constants and functions go in the plan.
#[salsa::tracked(returns(ref))]
pub fn plan_layout(db: &dyn Db, workspace: Workspace) -> PlanLayout {
    PlanLayout::new(global_env(db, workspace))
}

/// The whole plan, or `None` when any file has an error.
#[salsa::tracked(returns(ref))]
pub fn compiled_plan(db: &dyn Db, workspace: Workspace) -> Option<Arc<plan::Plan>> {
    if workspace_diagnostics(db, workspace).iter().any(Diagnostic::is_error) {
        return None;
    }
    let layout = plan_layout(db, workspace);
    let env = global_env(db, workspace);
    let mut consts: Vec<Option<plan::Const>> = vec![None; layout.consts.len()];
    let mut functions: Vec<Option<plan::Function>> = vec![None; layout.functions.len()];
    let mut checks = Vec::new();
    let mut edges = Vec::new();
    let mut frameworks = Vec::new();
    let mut reads = ItemReads {
        functions: vec![BTreeSet::new(); layout.functions.len()],
        consts: vec![BTreeSet::new(); layout.consts.len()],
        edges: BTreeMap::new(),
    };
    for file in workspace.files(db) {
        let package = file_summary(db, *file).package.clone().unwrap_or_default();
        for index in 0..parse(db, *file).ast.items.len() {
            let checked = check_item(db, workspace, ItemRef::new(db, *file, index as u32));
            match checked.lowered.clone() {
                Some(Lowered::Const(c)) => {
                    let name = c.name.rsplit('.').next().unwrap_or_default().to_owned();
                    if let Some(i) = layout.consts.iter().position(|k| k.0 == package && k.1 == name) {
                        consts[i] = Some(c);
                        reads.consts[i].clone_from(&checked.reads);
                    }
                }
                Some(Lowered::Function(f)) => {
                    let name = f.name.rsplit('.').next().unwrap_or_default().to_owned();
                    if let Some(i) = layout.functions.iter().position(|k| k.0 == package && k.1 == name) {
                        functions[i] = Some(f);
                        reads.functions[i].clone_from(&checked.reads);
                    }
                }
                Some(Lowered::Check(mut c)) => {
                    c.reads = checked.reads.iter().cloned().collect();
                    checks.push(*c);
                }
                Some(Lowered::Edge(e)) => {
                    reads.edges.insert(e.name.clone(), checked.reads.clone());
                    edges.push(e);
                }
                Some(Lowered::Framework(f)) => frameworks.push(f),
                None => {}
            }
        }
    }
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    edges.sort_by(|a, b| a.name.cmp(&b.name));
    frameworks.sort_by(|a, b| a.name.cmp(&b.name));
    let mut plan = plan::Plan {
        format: plan::PLAN_FORMAT.to_owned(),
        compiler_version: env!("CARGO_PKG_VERSION").to_owned(),
        types: layout.plan_types(env),
        // INVARIANT: without errors, every laid-out constant and function was lowered.
        consts: consts.into_iter().flatten().collect(),
        functions: functions.into_iter().flatten().collect(),
        checks,
        edges,
        frameworks,
    };
    semantic::reads::close(&mut plan, &reads);
    Some(Arc::new(plan))
}

#[salsa::tracked(returns(ref))]
pub fn check_item<'db>(db: &'db dyn Db, workspace: Workspace, item: ItemRef<'db>) -> CheckedItem {
    semantic::check_item(db, workspace, *item.file(db), *item.index(db))
}

/// Functions and constants a `fn` or `const` refers to, resolved by name only (no type
/// checking), so recursion and cyclic constants are found without query cycles.
#[salsa::tracked(returns(ref))]
pub fn references<'db>(db: &'db dyn Db, workspace: Workspace, item: ItemRef<'db>) -> Vec<semantic::DefKey> {
    semantic::references(db, workspace, *item.file(db), *item.index(db))
}

/// All diagnostics of one file, sorted.
#[salsa::tracked(returns(ref))]
pub fn file_diagnostics(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Diagnostic> {
    let parsed = parse(db, file);
    let mut out = parsed.diagnostics.clone();
    let mut used_imports = Vec::new();
    for index in 0..parsed.ast.items.len() {
        let item = ItemRef::new(db, file, index as u32);
        let checked = check_item(db, workspace, item);
        out.extend(checked.diagnostics.iter().cloned());
        used_imports.extend(checked.used_imports.iter().cloned());
    }
    out.extend(semantic::check_file_header(db, workspace, file, &used_imports));
    diagnostics::sort(&mut out);
    out
}

/// All diagnostics of the workspace, in file order.
#[salsa::tracked(returns(ref))]
pub fn workspace_diagnostics(db: &dyn Db, workspace: Workspace) -> Vec<Diagnostic> {
    workspace.files(db).iter().flat_map(|f| file_diagnostics(db, workspace, *f).iter().cloned()).collect()
}

/// Receives salsa events; tests use it to count query executions.
pub type EventSink = Arc<Mutex<Vec<String>>>;

/// The concrete database.
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Database")
    }
}

#[salsa::db]
impl salsa::Database for Database {}

impl Database {
    /// A database that records the name and key of every query it executes, as
    /// `query_name(Id(..))`.
    pub fn with_execution_log(log: EventSink) -> Self {
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut log) = log.lock()
            {
                log.push(format!("{database_key:?}"));
            }
        })));
        Database { storage }
    }
}
