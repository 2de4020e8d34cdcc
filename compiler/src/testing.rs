//! `test` blocks as runnable cases: each block's snapshot (a pack fixture or inline data) and
//! its expectations, and the verdict of running the packs on that snapshot.
//!
//! Collecting needs the compiler (the blocks are syntax); running needs only the runtime and
//! the compiled plan, so `rulec test` compiles once and runs every case on its own small store.

use std::path::{Path, PathBuf};

use rulec_runtime::eval::Engine;
use rulec_runtime::plan::Plan;
use rulec_runtime::report::Finding;
use rulec_runtime::snapshot::{self, Extra, Format};
use serde_json::Value;

use crate::compilation::Compilation;
use crate::diagnostics::render::line_col;
use crate::packs::{self, Origin, Pack};
use crate::syntax::ast::{Data, DataKind, Given, ItemKind};

/// One `test` block.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub pack: String,
    /// `file:line` of the block.
    pub location: String,
    pub name: String,
    pub given: Snapshot,
    pub expects: Vec<Expectation>,
}

/// Where a test's snapshot comes from.
#[derive(Debug, Clone)]
pub enum Snapshot {
    /// A fixture of a built-in pack (files embedded in the binary), pack-relative.
    Builtin { pack: String, relative: String },
    /// A fixture file or folder on disk.
    Path(PathBuf),
    /// An inline document, as JSON.
    Inline(Value),
}

/// `expect [no] RULE [on "subject"]`, with its `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub negated: bool,
    pub rule: String,
    pub subject: Option<String>,
    pub location: String,
}

/// What running a case found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// Expectations that did not hold, each with what happened instead.
    Failed(Vec<String>),
    /// The case could not run: its snapshot is missing or invalid, or evaluation failed.
    Error(String),
}

/// Every `test` block of the packs, in pack and file order.
pub fn collect(compilation: &Compilation, packs: &[Pack]) -> Vec<TestCase> {
    let mut cases = Vec::new();
    for pack in packs {
        for file in &pack.files {
            let Some(source) = compilation.file(&file.path) else { continue };
            let parsed = crate::db::parse(compilation.db(), source);
            let at = |offset: u32| format!("{}:{}", file.path, line_col(&file.text, offset as usize).line);
            for item in &parsed.ast.items {
                let ItemKind::Test(test) = &item.kind else { continue };
                let given = match test.given.first() {
                    Some(Given::File(path)) => match &pack.origin {
                        Origin::Builtin => {
                            Snapshot::Builtin { pack: pack.manifest.name.clone(), relative: path.value.clone() }
                        }
                        Origin::Dir(dir) => Snapshot::Path(dir.join(&path.value)),
                    },
                    Some(Given::Inline(data)) => Snapshot::Inline(to_json(data)),
                    None => Snapshot::Inline(Value::Null),
                };
                cases.push(TestCase {
                    pack: pack.manifest.name.clone(),
                    location: at(item.span.start),
                    name: test.name.value.clone(),
                    given,
                    expects: test
                        .expects
                        .iter()
                        .map(|e| Expectation {
                            negated: e.negated,
                            rule: e.rule.text.clone(),
                            subject: e.subject.as_ref().map(|s| s.value.clone()),
                            location: at(e.span.start),
                        })
                        .collect(),
                });
            }
        }
    }
    cases
}

/// Inline test data as JSON: numbers as integers when they are, else floats.
fn to_json(data: &Data) -> Value {
    match &data.kind {
        DataKind::Object(entries) => Value::Object(entries.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        DataKind::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        DataKind::String(s) => Value::String(s.clone()),
        DataKind::Number(n) => {
            n.parse::<i64>().map(Value::from).or_else(|_| n.parse::<f64>().map(Value::from)).unwrap_or(Value::Null)
        }
        DataKind::Bool(b) => Value::Bool(*b),
        DataKind::Null => Value::Null,
    }
}

/// Runs one case: loads its snapshot, evaluates the rules its expectations name, and judges.
pub fn run(plan: &Plan, case: &TestCase) -> Verdict {
    let loaded = match load(plan, &case.given) {
        Ok(loaded) => loaded,
        Err(message) => return Verdict::Error(message),
    };
    let engine = match Engine::new(plan, &loaded.store) {
        Ok(engine) => engine,
        Err(e) => return Verdict::Error(e.to_string()),
    };
    let outcome = engine.run(|c| case.expects.iter().any(|e| e.rule == c.id));
    if let Some(e) = outcome.errors.first() {
        return Verdict::Error(e.to_string());
    }
    let failures: Vec<String> = case.expects.iter().filter_map(|e| judge(e, &outcome.findings).err()).collect();
    if failures.is_empty() { Verdict::Passed } else { Verdict::Failed(failures) }
}

/// Whether one expectation holds; if not, what was expected and what fired instead.
fn judge(expect: &Expectation, findings: &[Finding]) -> Result<(), String> {
    let mut fired: Vec<&Finding> = findings.iter().filter(|f| f.rule == expect.rule).collect();
    fired.sort_by(|a, b| a.subject.id.cmp(&b.subject.id));
    let matching: Vec<&&Finding> =
        fired.iter().filter(|f| expect.subject.as_ref().is_none_or(|s| &f.subject.id == s)).collect();
    let subjects = || {
        let ids: Vec<String> = fired.iter().map(|f| format!("\"{}\"", f.subject.id)).collect();
        if ids.is_empty() { "no subject".to_owned() } else { ids.join(", ") }
    };
    let target = expect.subject.as_ref().map_or_else(|| "some subject".to_owned(), |s| format!("\"{s}\""));
    match (expect.negated, matching.is_empty()) {
        (false, false) | (true, true) => Ok(()),
        (false, true) => {
            Err(format!("{}: expected {} on {target}, but it fired on {}", expect.location, expect.rule, subjects()))
        }
        (true, false) => Err(format!(
            "{}: expected no {} on {target}, but it fired: {}",
            expect.location,
            expect.rule,
            matching.iter().map(|f| format!("\"{}\": {}", f.subject.id, f.message)).collect::<Vec<_>>().join("; ")
        )),
    }
}

fn load(plan: &Plan, given: &Snapshot) -> Result<snapshot::Loaded, String> {
    let loaded = match given {
        Snapshot::Inline(value) => snapshot::load_str(plan, "inline snapshot", &value.to_string(), Format::Json),
        Snapshot::Path(path) => {
            if !path.exists() {
                return Err(format!("fixture `{}` does not exist", path.display()));
            }
            snapshot::load(plan, std::slice::from_ref(path))
        }
        Snapshot::Builtin { pack, relative } => {
            let files = packs::builtin_fixtures(pack, relative);
            if files.is_empty() {
                return Err(format!("fixture `{relative}` does not exist in pack `{pack}`"));
            }
            let extras: Vec<Extra> = files
                .into_iter()
                .filter_map(|(name, text)| {
                    let path = Path::new("packs").join(pack).join(&name);
                    Format::from_path(&path).map(|format| Extra { name: path, text: text.to_owned(), format })
                })
                .collect();
            snapshot::load_with(plan, &[], &extras)
        }
    };
    loaded.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rulec_runtime::plan::Severity;
    use rulec_runtime::report::{FindingKind, Subject};

    fn finding(rule: &str, id: &str) -> Finding {
        Finding {
            rule: rule.into(),
            kind: FindingKind::Rule,
            severity: Severity::High,
            title: String::new(),
            subject: Subject::new("AccessKey", id),
            message: format!("{id} is bad"),
            evidence: Value::Null,
            controls: Vec::new(),
            fix: None,
            history: None,
        }
    }

    fn expect(negated: bool, subject: Option<&str>) -> Expectation {
        Expectation { negated, rule: "R".into(), subject: subject.map(Into::into), location: "t.rule:3".into() }
    }

    #[test]
    fn expectations_on_a_subject_and_on_any() {
        let findings = [finding("R", "a"), finding("S", "b")];
        assert!(judge(&expect(false, Some("a")), &findings).is_ok());
        assert!(judge(&expect(false, None), &findings).is_ok());
        assert!(judge(&expect(true, Some("b")), &findings).is_ok());
        assert_eq!(
            judge(&expect(false, Some("b")), &findings),
            Err("t.rule:3: expected R on \"b\", but it fired on \"a\"".into())
        );
        assert_eq!(
            judge(&expect(true, None), &findings),
            Err("t.rule:3: expected no R on some subject, but it fired: \"a\": a is bad".into())
        );
        assert_eq!(
            judge(&expect(false, None), &[]),
            Err("t.rule:3: expected R on some subject, but it fired on no subject".into())
        );
    }

    #[test]
    fn inline_numbers_keep_their_kind() {
        let data = |kind| Data { kind, span: crate::syntax::Span::default() };
        assert_eq!(to_json(&data(DataKind::Number("22".into()))), Value::from(22));
        assert_eq!(to_json(&data(DataKind::Number("1.5".into()))), Value::from(1.5));
    }
}
