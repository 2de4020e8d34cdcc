//! A compilation: the database plus the handles of its files. The one API the CLI, the
//! tests, the benchmarks and the language server drive the compiler through.

use std::collections::BTreeMap;

use salsa::Setter;

use crate::db::{self, Database, SourceFile, Workspace};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::render::SourceLookup;
use crate::packs::Pack;

/// Cloning gives a snapshot sharing the database: the language server answers requests on
/// snapshots while its main thread applies edits, which cancels them.
#[derive(Debug, Clone)]
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

    /// Makes the compilation hold exactly the files of `packs`, in their order: changed texts
    /// are set, new files added, files no longer there removed. Unchanged files keep their
    /// handles, so salsa re-checks only what the differences touch (`rulec check --watch`
    /// re-reads the pack folders after every change).
    pub fn sync(&mut self, packs: &[Pack]) {
        let mut files = BTreeMap::new();
        let mut handles = Vec::new();
        for pack in packs {
            for file in &pack.files {
                let handle = match self.files.get(&file.path) {
                    Some(&handle) => {
                        if *handle.text(&self.db) != file.text {
                            handle.set_text(&mut self.db).to(file.text.clone());
                        }
                        if *handle.pack(&self.db) != pack.manifest.name {
                            handle.set_pack(&mut self.db).to(pack.manifest.name.clone());
                        }
                        handle
                    }
                    None => SourceFile::new(&self.db, file.path.clone(), file.text.clone(), pack.manifest.name.clone()),
                };
                files.insert(file.path.clone(), handle);
                handles.push(handle);
            }
        }
        self.files = files;
        if *self.workspace.files(&self.db) != handles {
            self.workspace.set_files(&mut self.db).to(handles);
        }
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

#[cfg(test)]
mod sync_tests {
    use super::*;
    use crate::packs::{Manifest, Origin, RuleFile};

    fn pack(files: &[(&str, &str)]) -> Pack {
        Pack {
            manifest: Manifest {
                name: "acme".to_owned(),
                version: "0.1.0".to_owned(),
                description: None,
                requires: Vec::new(),
            },
            origin: Origin::Builtin,
            files: files
                .iter()
                .map(|(path, text)| RuleFile { path: (*path).to_owned(), text: (*text).to_owned() })
                .collect(),
        }
    }

    fn paths(compilation: &Compilation) -> Vec<String> {
        compilation.workspace().files(compilation.db()).iter().map(|f| f.path(compilation.db()).clone()).collect()
    }

    #[test]
    fn sync_adds_changes_and_removes_files_keeping_unchanged_handles() {
        let mut compilation = Compilation::new(&[pack(&[("a.rule", "package acme\n"), ("b.rule", "package acme\n")])]);
        let a = compilation.file("a.rule").expect("a.rule is compiled");

        compilation.sync(&[pack(&[
            ("a.rule", "package acme\n"),
            ("b.rule", "package acme\nconst X = 1\n"),
            ("c.rule", "package acme\n"),
        ])]);
        assert_eq!(paths(&compilation), ["a.rule", "b.rule", "c.rule"]);
        assert_eq!(compilation.file("a.rule"), Some(a), "an unchanged file keeps its handle");
        assert_eq!(compilation.source_text("b.rule"), Some("package acme\nconst X = 1\n"));

        compilation.sync(&[pack(&[("a.rule", "package acme\n"), ("c.rule", "package acme\nconst Y = \n")])]);
        assert_eq!(paths(&compilation), ["a.rule", "c.rule"]);
        assert_eq!(compilation.file("b.rule"), None, "a deleted file leaves the workspace");
        assert!(compilation.diagnostics().iter().any(|d| d.is_error()), "the broken c.rule is checked");
    }
}
