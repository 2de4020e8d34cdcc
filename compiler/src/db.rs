//! The incremental compiler database, shared by `rulec` (compile, check, watch) and the
//! language server.
//!
//! Inputs are file texts. Each derived value is a salsa query: `parse` per file, a span-free
//! `file_summary` per file (so an edit inside a rule body is cut off there), one
//! `global_env` over all summaries, and `check_item` per item. Diagnostics are query results,
//! never side effects.

use std::sync::{Arc, Mutex};

use crate::diagnostics::{self, Diagnostic};
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

#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> Parsed {
    let (ast, diagnostics) = syntax::parse(file.path(db), file.text(db));
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
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CheckedItem {
    pub diagnostics: Vec<Diagnostic>,
    /// Import aliases the item used, for the unused-import warning.
    pub used_imports: Vec<String>,
}

#[salsa::tracked(returns(ref))]
pub fn check_item<'db>(db: &'db dyn Db, workspace: Workspace, item: ItemRef<'db>) -> CheckedItem {
    semantic::check_item(db, workspace, *item.file(db), *item.index(db))
}

/// Functions a `fn` calls directly, resolved by name only (no type checking), so recursion
/// can be found without query cycles.
#[salsa::tracked(returns(ref))]
pub fn fn_callees<'db>(db: &'db dyn Db, workspace: Workspace, item: ItemRef<'db>) -> Vec<semantic::FnKey> {
    semantic::fn_callees(db, workspace, *item.file(db), *item.index(db))
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
