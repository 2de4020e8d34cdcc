//! The database is incremental: an edit re-executes only the queries it can affect.
//!
//! Executions are counted through [`Database::with_execution_log`], which records every
//! executed query as `name(Id(..))`. The `Id`s are mapped back to files once, at the start:
//! `parse` and `file_diagnostics` are computed file by file, so each file's `parse` key, its
//! `file_diagnostics` key and the `check_item` keys of its items are known. Every assertion is
//! then about query names and per-file membership, never about raw ids, and every edit is
//! also checked against a from-scratch compilation of the same texts.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use rulec_compiler::bench_support;
use rulec_compiler::compilation::Compilation;
use rulec_compiler::db::{self, Database, EventSink};
use rulec_compiler::diagnostics::{Code, Diagnostic};
use rulec_compiler::packs::{self, Pack};

const SECURITY_GROUPS: &str = "packs/network/security_groups.rule";
const HELPERS: &str = "packs/network/helpers.rule";
const SCHEMA: &str = "stdlib-rules/schema.rule";

/// The query keys that belong to one file.
#[derive(Debug, Default)]
struct FileKeys {
    parse: String,
    file_diagnostics: String,
    check_items: BTreeSet<String>,
}

/// What one step executed.
#[derive(Debug)]
struct Executed {
    entries: Vec<String>,
}

fn query_name(entry: &str) -> &str {
    entry.split('(').next().unwrap_or(entry)
}

impl Executed {
    fn of(&self, query: &str) -> Vec<&str> {
        self.entries.iter().map(String::as_str).filter(|e| query_name(e) == query).collect()
    }

    fn count(&self, query: &str) -> usize {
        self.of(query).len()
    }

    fn names(&self) -> BTreeSet<&str> {
        self.entries.iter().map(|e| query_name(e)).collect()
    }
}

impl std::fmt::Display for Executed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} queries executed:", self.entries.len())?;
        for e in &self.entries {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// A compilation of the built-in packs whose query executions are logged and attributed.
struct Harness {
    packs: Vec<Pack>,
    compilation: Compilation,
    log: EventSink,
    /// By file path.
    files: BTreeMap<String, FileKeys>,
}

impl Harness {
    /// Compiles std + the built-in packs, attributes every key to its file, checks that the
    /// packs are clean, and clears the log.
    fn new() -> Self {
        let packs = packs::builtin();
        assert!(packs.iter().any(|p| p.manifest.name == "network"), "the network pack is built in");
        Self::with_packs(packs)
    }

    fn with_packs(packs: Vec<Pack>) -> Self {
        let log: EventSink = Arc::new(Mutex::new(Vec::new()));
        let compilation = Compilation::with_database(Database::with_execution_log(log.clone()), &packs);
        let mut harness = Harness { packs, compilation, log, files: BTreeMap::new() };
        harness.attribute_keys();
        let diagnostics = harness.compilation.diagnostics();
        assert!(diagnostics.is_empty(), "the packs compile cleanly: {diagnostics:#?}");
        harness.take();
        harness
    }

    fn paths(&self) -> Vec<String> {
        self.packs.iter().flat_map(|p| &p.files).map(|f| f.path.clone()).collect()
    }

    fn take(&self) -> Executed {
        Executed { entries: std::mem::take(&mut *self.log.lock().expect("log lock")) }
    }

    fn keys(&self, path: &str) -> &FileKeys {
        self.files.get(path).unwrap_or_else(|| panic!("no file {path}"))
    }

    /// The file whose item a `check_item` key checks.
    fn owner_of_check(&self, key: &str) -> Option<&str> {
        self.files.iter().find(|(_, k)| k.check_items.contains(key)).map(|(p, _)| p.as_str())
    }

    fn owner_of_parse(&self, key: &str) -> Option<&str> {
        self.files.iter().find(|(_, k)| k.parse == key).map(|(p, _)| p.as_str())
    }

    /// Computes everything file by file so that each key in the log can be tied to a file.
    fn attribute_keys(&mut self) {
        let paths = self.paths();
        let db = self.compilation.db();
        let workspace = self.compilation.workspace();
        self.take();
        let mut files = BTreeMap::new();
        for path in &paths {
            let file = self.compilation.file(path).expect("file of the workspace");
            db::parse(db, file);
            let ran = self.take();
            assert_eq!(ran.count("parse"), 1, "parsing {path} alone\n{ran}");
            let keys = FileKeys { parse: ran.of("parse")[0].to_owned(), ..FileKeys::default() };
            files.insert(path.clone(), keys);
        }
        for path in &paths {
            let file = self.compilation.file(path).expect("file of the workspace");
            db::file_diagnostics(db, workspace, file);
            let ran = self.take();
            let items = db::parse(db, file).ast.items.len();
            let keys = files.get_mut(path).expect("parsed above");
            assert_eq!(ran.count("file_diagnostics"), 1, "{path}\n{ran}");
            assert_eq!(ran.count("parse"), 0, "parses are memoized\n{ran}");
            keys.file_diagnostics = ran.of("file_diagnostics")[0].to_owned();
            keys.check_items = ran.of("check_item").into_iter().map(str::to_owned).collect();
            assert_eq!(keys.check_items.len(), items, "one check_item per item of {path}\n{ran}");
        }
        let total: usize = files.values().map(|k| k.check_items.len()).sum();
        let distinct: BTreeSet<&String> = files.values().flat_map(|k| &k.check_items).collect();
        assert_eq!(total, distinct.len(), "check_item keys of different files differ");
        self.files = files;
    }

    fn text(&self, path: &str) -> String {
        let file = self.compilation.file(path).expect("file of the workspace");
        file.text(self.compilation.db()).clone()
    }

    /// Replaces `from` (which must occur exactly once) by `to` in `path`.
    fn edit(&mut self, path: &str, from: &str, to: &str) {
        let text = self.text(path);
        assert_eq!(text.matches(from).count(), 1, "`{from}` occurs once in {path}");
        assert!(self.compilation.set_text(path, text.replacen(from, to, 1)));
    }

    /// Recomputes the diagnostics and returns them with what executed; checks them against a
    /// compilation from scratch of the current texts.
    fn recheck(&self) -> (Vec<Diagnostic>, Executed) {
        let (diagnostics, ran) = self.recheck_incrementally();
        let mut packs = self.packs.clone();
        for file in packs.iter_mut().flat_map(|p| &mut p.files) {
            file.text = self.text(&file.path);
        }
        let fresh = Compilation::new(&packs).diagnostics();
        assert_eq!(diagnostics, fresh, "incremental diagnostics differ from a fresh compilation\n{ran}");
        (diagnostics, ran)
    }

    /// Recomputes the diagnostics and returns them with what executed.
    fn recheck_incrementally(&self) -> (Vec<Diagnostic>, Executed) {
        self.take();
        let diagnostics = self.compilation.diagnostics();
        (diagnostics, self.take())
    }

    /// Asserts that `ran` re-checked items of `edited` only, and parsed only `edited`.
    fn assert_confined_to(&self, edited: &str, ran: &Executed) {
        let parsed: Vec<Option<&str>> = ran.of("parse").into_iter().map(|k| self.owner_of_parse(k)).collect();
        assert_eq!(parsed, [Some(edited)], "exactly one parse, of {edited}\n{ran}");
        let keys = self.keys(edited);
        for key in ran.of("check_item") {
            assert!(
                keys.check_items.contains(key),
                "{key} checks an item of {:?}, not of the edited {edited}\n{ran}",
                self.owner_of_check(key)
            );
        }
        assert!(ran.count("check_item") <= keys.check_items.len(), "{ran}");
        for key in ran.of("file_diagnostics") {
            assert_eq!(key, keys.file_diagnostics, "only the edited file's diagnostics are recomputed\n{ran}");
        }
    }
}

/// An edit inside a rule body keeps every signature: `file_summary` is backdated, so
/// `global_env` does not run and no item of another file is re-checked.
#[test]
fn a_rule_body_edit_rechecks_only_that_file() {
    let mut h = Harness::new();
    h.edit(SECURITY_GROUPS, "let ports = admin_ports.filter(", "let ports = [22, 2222].filter(");
    let (diagnostics, ran) = h.recheck();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    h.assert_confined_to(SECURITY_GROUPS, &ran);
    assert_eq!(ran.count("file_summary"), 1, "{ran}");
    assert_eq!(ran.count("global_env"), 0, "the summary is unchanged, so the environment is backdated\n{ran}");
    assert!(ran.count("check_item") >= 1, "the edited rule is re-checked\n{ran}");
    assert_eq!(ran.count("parse_chunk"), 1, "only the edited chunk is re-parsed\n{ran}");
    let allowed: BTreeSet<&str> = [
        "parse",
        "parse_chunk",
        "file_summary",
        "check_item",
        "references",
        "file_diagnostics",
        "workspace_diagnostics",
    ]
    .into();
    assert!(ran.names().is_subset(&allowed), "{ran}");

    // The edit is seen: a type error in the same body is reported at once, in that file only.
    h.edit(SECURITY_GROUPS, "[22, 2222].filter(", "[22, \"ssh\"].filter(");
    let (diagnostics, ran) = h.recheck();
    assert!(!diagnostics.is_empty(), "a list of int and string is an error\n{ran}");
    assert!(diagnostics.iter().all(|d| d.file == SECURITY_GROUPS), "{diagnostics:#?}");
    h.assert_confined_to(SECURITY_GROUPS, &ran);
    assert_eq!(ran.count("global_env"), 0, "{ran}");
}

/// A value change in a file other files use (`const admin_ports`, same type) re-checks only that
/// file: users of the constant depend on its type, not on its value.
#[test]
fn a_const_value_edit_does_not_recheck_its_users() {
    let mut h = Harness::new();
    h.edit(HELPERS, "const admin_ports: [int] = [22, 3389]", "const admin_ports: [int] = [22, 3389, 2222]");
    let (diagnostics, ran) = h.recheck();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    h.assert_confined_to(HELPERS, &ran);
    assert_eq!(ran.count("global_env"), 0, "{ran}");
}

/// Renaming a schema field changes a signature: `global_env` re-runs, the files that use the
/// field are re-checked and report E0203, and reverting the rename clears the error.
#[test]
fn a_signature_edit_reruns_the_environment_and_its_dependents() {
    let mut h = Harness::new();
    // `SgRule.cidr` is read by `is_world_rule` in the network pack's helpers.
    h.edit(SCHEMA, "  cidr: cidr?\n", "  peer_cidr: cidr?\n");
    let (diagnostics, ran) = h.recheck();
    assert_eq!(ran.count("global_env"), 1, "{ran}");
    let parsed: Vec<Option<&str>> = ran.of("parse").into_iter().map(|k| h.owner_of_parse(k)).collect();
    assert_eq!(parsed, [Some(SCHEMA)], "only the edited file is re-parsed\n{ran}");
    let rechecked: BTreeSet<&str> = ran.of("check_item").into_iter().filter_map(|k| h.owner_of_check(k)).collect();
    assert!(rechecked.contains(HELPERS), "the user of the field is re-checked\n{ran}");
    let unknown: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.code == Code::UnknownField).collect();
    assert!(
        unknown.iter().any(|d| d.file == HELPERS && d.message.contains("cidr")),
        "renaming `cidr` makes `r.cidr` an unknown field: {diagnostics:#?}"
    );

    h.edit(SCHEMA, "  peer_cidr: cidr?\n", "  cidr: cidr?\n");
    let (diagnostics, ran) = h.recheck();
    assert!(diagnostics.is_empty(), "reverting clears the error: {diagnostics:#?}");
    assert_eq!(ran.count("global_env"), 1, "{ran}");
}

/// Changing a constant's type is a signature edit too: its users in other files are re-checked
/// and now fail to type-check.
#[test]
fn a_const_type_edit_rechecks_its_users_in_other_files() {
    let mut h = Harness::new();
    h.edit(HELPERS, "const admin_ports: [int] = [22, 3389]", "const admin_ports: [string] = [\"22\", \"3389\"]");
    let (diagnostics, ran) = h.recheck();
    assert_eq!(ran.count("global_env"), 1, "{ran}");
    let rechecked: BTreeSet<&str> = ran.of("check_item").into_iter().filter_map(|k| h.owner_of_check(k)).collect();
    assert!(rechecked.contains(SECURITY_GROUPS), "{ran}");
    assert!(
        diagnostics.iter().any(|d| d.file == SECURITY_GROUPS && d.is_error()),
        "`world_open(sg, \"tcp\", p)` with a string port is an error: {diagnostics:#?}"
    );
}

/// Nothing changed, nothing runs: asking again executes nothing, and setting a file to the text
/// it already has costs at most a re-parse of that file, whose equal result is backdated so that
/// nothing downstream runs.
#[test]
fn a_no_op_edit_executes_nothing_downstream() {
    let mut h = Harness::new();
    let (_, ran) = h.recheck();
    assert!(ran.entries.is_empty(), "asking twice executes nothing\n{ran}");

    let same = h.text(SECURITY_GROUPS);
    assert!(h.compilation.set_text(SECURITY_GROUPS, same));
    let (diagnostics, ran) = h.recheck();
    assert!(diagnostics.is_empty());
    let keys = h.keys(SECURITY_GROUPS);
    assert!(ran.entries.iter().all(|e| *e == keys.parse), "at most a re-parse of the file\n{ran}");
}

/// The strict form: an identical `set_text` executes nothing at all.
#[test]
fn an_identical_set_text_executes_nothing_at_all() {
    let mut h = Harness::new();
    let same = h.text(SECURITY_GROUPS);
    assert!(h.compilation.set_text(SECURITY_GROUPS, same));
    let (_, ran) = h.recheck();
    assert!(ran.entries.is_empty(), "setting a file to its own text executes nothing\n{ran}");
}

/// A whitespace-only edit re-parses the file (its spans moved) but re-checks no other file.
#[test]
fn a_whitespace_edit_reparses_only_that_file() {
    let mut h = Harness::new();
    h.edit(
        SECURITY_GROUPS,
        "  for sg: SecurityGroup\n  let ports = admin_ports",
        "\n\n  for sg:   SecurityGroup\n  let ports =  admin_ports",
    );
    let (diagnostics, ran) = h.recheck();
    assert!(diagnostics.is_empty());
    h.assert_confined_to(SECURITY_GROUPS, &ran);
    assert_eq!(ran.count("global_env"), 0, "{ran}");

    // Whitespace in a file that others depend on does not re-check them either.
    h.edit(SCHEMA, "package std.schema\n", "package std.schema\n\n\n");
    let (_, ran) = h.recheck();
    h.assert_confined_to(SCHEMA, &ran);
    assert_eq!(ran.count("global_env"), 0, "{ran}");
}

/// Spans are never stale: after a whitespace edit above an error, the diagnostic moves with
/// its text (checked against a fresh compilation by `recheck`).
#[test]
fn diagnostics_follow_whitespace_edits() {
    let mut h = Harness::new();
    h.edit(
        SECURITY_GROUPS,
        "when net.is_world_open_all(sg)",
        "when net.is_world_open_all(sg) and sg.ingres.is_empty()",
    );
    let (before, _) = h.recheck();
    let before: Vec<&Diagnostic> = before.iter().filter(|d| d.code == Code::UnknownField).collect();
    assert_eq!(before.len(), 1, "{before:#?}");
    let (start, end) = (before[0].span.start, before[0].span.end);
    let text = h.text(SECURITY_GROUPS);
    assert_eq!(&text[start as usize..end as usize], "ingres", "the span covers the misspelt field");

    h.edit(SECURITY_GROUPS, "package network\n", "package network\n\n\n\n");
    let (after, ran) = h.recheck();
    h.assert_confined_to(SECURITY_GROUPS, &ran);
    let after: Vec<&Diagnostic> = after.iter().filter(|d| d.code == Code::UnknownField).collect();
    assert_eq!(after.len(), 1, "{after:#?}");
    assert_eq!((after[0].span.start, after[0].span.end), (start + 3, end + 3), "the span moved with the text");
}

/// A related span pointing into another file follows edits of that file: a duplicate rule id
/// reported in one file names the first declaration in another.
#[test]
fn related_spans_into_other_files_follow_edits() {
    let mut h = Harness::new();
    // A second `NET_SG_ALL_OPEN` in the load-balancer file duplicates the security-group one.
    let load_balancers = "packs/network/load_balancers.rule";
    let duplicate = "\nrule NET_SG_ALL_OPEN {\n  title \"dup\"\n  severity low\n  for sg: SecurityGroup\n  when sg.ingress.is_empty()\n}\n";
    let text = h.text(load_balancers) + duplicate;
    assert!(h.compilation.set_text(load_balancers, text));
    let (first, _) = h.recheck();
    assert!(first.iter().any(|d| d.code == Code::DuplicateRuleId), "{first:#?}");

    // The first declaration is the one in the load-balancer file (files are in path order):
    // blank lines above it move the related span of the diagnostic reported in the other file.
    h.edit(load_balancers, "package network\n", "package network\n\n\n\n\n");
    let (second, ran) = h.recheck();
    let parsed: Vec<Option<&str>> = ran.of("parse").into_iter().map(|k| h.owner_of_parse(k)).collect();
    assert_eq!(parsed, [Some(load_balancers)], "{ran}");
    let related = |ds: &[Diagnostic]| -> Vec<(String, u32)> {
        ds.iter().flat_map(|d| &d.related).map(|r| (r.file.clone(), r.span.start)).collect()
    };
    let moved: Vec<(String, u32)> = related(&first).into_iter().map(|(f, s)| (f, s + 4)).collect();
    assert_eq!(related(&second), moved, "the related span moved with the text: {second:#?}");
}

/// At scale: in the generated 1,000-rule pack of the `compile` benchmark, a one-line edit in one
/// rule body re-checks at most the 50 items of its file, and a signature edit re-runs the
/// environment once.
#[test]
fn at_scale_a_body_edit_rechecks_one_file_of_twenty() {
    let mut h = Harness::with_packs(bench_support::packs());
    let path = bench_support::rule_file_path(7);
    let total: usize = h.files.values().map(|k| k.check_items.len()).sum();
    assert!(total > 1000, "{total} items");

    let edited = bench_support::edit_rule_body(&h.text(&path), 25, 1);
    assert!(h.compilation.set_text(&path, edited));
    let (diagnostics, ran) = h.recheck();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    h.assert_confined_to(&path, &ran);
    assert_eq!(ran.count("global_env"), 0, "{ran}");
    assert!(ran.count("check_item") <= bench_support::RULES_PER_FILE, "{ran}");

    assert!(h.compilation.set_text(bench_support::HELPERS_PATH, bench_support::edit_signature(1)));
    let (diagnostics, ran) = h.recheck_incrementally();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(ran.count("global_env"), 1, "{ran}");
    assert_eq!(ran.count("parse"), 1, "{ran}");
}
