//! A compilation: the database plus the handles of its files. The one API the CLI, the
//! tests, the benchmarks and the language server drive the compiler through.

use std::collections::BTreeMap;

use salsa::Setter;

use crate::db::{self, Database, SourceFile, Workspace};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::render::SourceLookup;
use crate::packs::Pack;

#[derive(Debug)]
pub struct Compilation {
    db: Database,
    workspace: Workspace,
    files: BTreeMap<String, SourceFile>,
}

impl Compilation {
    pub fn new(packs: &[Pack]) -> Self {
        Self::with_database(Database::default(), packs)
    }

    /// Uses a given database, e.g. one that logs query executions.
    pub fn with_database(db: Database, packs: &[Pack]) -> Self {
        let mut files = BTreeMap::new();
        let mut handles = Vec::new();
        for pack in packs {
            for file in &pack.files {
                let handle = SourceFile::new(&db, file.path.clone(), file.text.clone(), pack.manifest.name.clone());
                files.insert(file.path.clone(), handle);
                handles.push(handle);
            }
        }
        let workspace = Workspace::new(&db, handles);
        Compilation { db, workspace, files }
    }

    pub fn db(&self) -> &Database {
        &self.db
    }

    pub fn workspace(&self) -> Workspace {
        self.workspace
    }

    pub fn file(&self, path: &str) -> Option<SourceFile> {
        self.files.get(path).copied()
    }

    /// Replaces a file's text (an editor change, a watched file). Returns false when no file
    /// has that path.
    pub fn set_text(&mut self, path: &str, text: String) -> bool {
        match self.files.get(path) {
            Some(file) => {
                // Setting an input always starts a new revision; an identical text need not.
                if *file.text(&self.db) != text {
                    file.set_text(&mut self.db).to(text);
                }
                true
            }
            None => false,
        }
    }

    /// Adds a file to `pack`, or replaces its text if it exists.
    pub fn upsert(&mut self, pack: &str, path: &str, text: String) {
        if self.set_text(path, text.clone()) {
            return;
        }
        let handle = SourceFile::new(&self.db, path.to_owned(), text, pack.to_owned());
        self.files.insert(path.to_owned(), handle);
        let mut all = self.workspace.files(&self.db).clone();
        all.push(handle);
        self.workspace.set_files(&mut self.db).to(all);
    }

    /// Runs `f` with `path`'s text replaced by `text`, then puts the old text back: the
    /// language server asks questions of text being typed this way. `None` when no file has
    /// that path.
    pub fn with_text<R>(&mut self, path: &str, text: String, f: impl FnOnce(&Self) -> R) -> Option<R> {
        let old = self.files.get(path)?.text(&self.db).clone();
        self.set_text(path, text);
        let result = f(self);
        self.set_text(path, old);
        Some(result)
    }

    /// The compiled plan, or `None` when there are errors.
    pub fn plan(&self) -> Option<std::sync::Arc<rulec_runtime::plan::Plan>> {
        db::compiled_plan(&self.db, self.workspace).clone()
    }

    /// Every diagnostic of the workspace, in file order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        db::workspace_diagnostics(&self.db, self.workspace).clone()
    }
}

impl SourceLookup for Compilation {
    fn source_text(&self, file: &str) -> Option<&str> {
        self.files.get(file).map(|f| f.text(&self.db).as_str())
    }
}
