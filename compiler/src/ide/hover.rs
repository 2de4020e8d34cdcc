//! Hover: the type of the expression under the cursor, or what a name declares, with its doc
//! comment and, for rules and alarms, their metadata.

use super::{checked_at, innermost, item_of, named_types, target_at};
use crate::db::{self, Db, SourceFile, Workspace};
use crate::semantic::env::{MemberKind, TypeKind};
use crate::semantic::expr::Target;
use crate::syntax::Span;
use crate::syntax::ast::{ClauseKind, ItemKind, doc_text};

/// What to show for a span: Markdown, with code in `rule` fences.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// The hover at `offset`: a name's declaration, else the innermost expression's type.
pub fn hover(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: u32) -> Option<Hover> {
    if let Some((span, target)) = target_at(db, workspace, file, offset)
        && let Some(markdown) = describe(db, workspace, &target, file, offset)
    {
        return Some(Hover { span, markdown });
    }
    let checked = checked_at(db, workspace, file, offset)?;
    let (span, ty) = innermost(&checked.facts.types, offset)?;
    Some(Hover { span: *span, markdown: code(&ty.to_string()) })
}

fn code(text: &str) -> String {
    format!("```rule\n{text}\n```")
}

/// A code block followed by the doc comment, if any.
fn with_docs(head: String, docs: Option<String>) -> String {
    match docs {
        Some(docs) => format!("{head}\n\n{docs}"),
        None => head,
    }
}

fn describe(db: &dyn Db, workspace: Workspace, target: &Target, file: SourceFile, offset: u32) -> Option<String> {
    let env = db::global_env(db, workspace);
    match target {
        Target::Local { def } => {
            let checked = checked_at(db, workspace, file, offset)?;
            let text = &file.text(db)[def.range()];
            // The type recorded where the binding is used (a use is an expression).
            let ty =
                checked.facts.refs.iter().filter(|(_, t)| *t == Target::Local { def: *def }).find_map(|(s, _)| {
                    checked.facts.types.iter().find(|(ts, _)| ts == s).map(|(_, ty)| ty.to_string())
                });
            Some(code(&match ty {
                Some(ty) => format!("{text}: {ty}"),
                None => text.to_owned(),
            }))
        }
        Target::Member { package, name } => {
            let member = env.member(package, name)?;
            let item = item_of(db, member.loc)?;
            let qualified = super::qualified(package, name);
            let head = match &member.kind {
                MemberKind::Fn(sig) => {
                    let native = if sig.native { "native " } else { "" };
                    code(&format!("{native}fn {}", sig.label(&qualified)))
                }
                MemberKind::Const(ty) => code(&format!("const {qualified}: {ty}")),
                MemberKind::Type(id) => code(&format!("type {id}")),
                MemberKind::Edge { from, to } => code(&format!("edge {qualified}: {from} -> {to}")),
                MemberKind::Check(kind) => {
                    let ItemKind::Check(check) = &item.kind else { return None };
                    format!("{}\n\n{}", code(&format!("{} {name}", kind.keyword())), check_metadata(&check.clauses))
                }
            };
            Some(with_docs(head, item.doc_text()))
        }
        Target::Type(id) => {
            let def = env.type_def(id)?;
            let keyword = match def.kind {
                TypeKind::Alias => "type",
                kind => kind.describe(),
            };
            let head = match &def.alias_of {
                Some(target) => code(&format!("{keyword} {id} = {target}")),
                None => code(&format!("{keyword} {id}")),
            };
            Some(with_docs(head, item_of(db, def.loc)?.doc_text()))
        }
        Target::Field { owner, field } => {
            let ty = env.fields_of(owner.strip_optional())?.into_iter().find(|(n, _)| n == field)?.1;
            let docs = named_types(owner).iter().find_map(|id| match &item_of(db, env.type_def(id)?.loc)?.kind {
                ItemKind::Schema(s) => s.fields.iter().find(|f| f.name.text == *field).and_then(|f| doc_text(&f.docs)),
                _ => None,
            });
            Some(with_docs(code(&format!("{field}: {ty}")), docs.map(|d| format!("{d}\n\n(field of `{owner}`)"))))
        }
        Target::Package(path) => {
            let files: Vec<String> = workspace
                .files(db)
                .iter()
                .filter(|f| db::parse(db, **f).ast.package.as_ref().is_some_and(|q| q.dotted() == *path))
                .map(|f| format!("`{}`", f.path(db)))
                .collect();
            Some(format!("{}\n\ndeclared in {}", code(&format!("package {path}")), files.join(", ")))
        }
        Target::Control { framework, id } => {
            let control = env.frameworks.get(framework)?.iter().find_map(|def| match &item_of(db, def.loc)?.kind {
                ItemKind::Framework(fw) => fw.controls.iter().find(|c| c.id.value == *id).cloned(),
                _ => None,
            })?;
            let manual = if control.manual { " (manual)" } else { "" };
            Some(with_docs(
                format!("**{framework}** `{id}`: {}{manual}", control.summary.value),
                doc_text(&control.docs),
            ))
        }
    }
}

/// Severity, title and controls of a rule or alarm, as Markdown lines.
fn check_metadata(clauses: &[crate::syntax::ast::Clause]) -> String {
    let mut lines = Vec::new();
    for clause in clauses {
        match &clause.kind {
            ClauseKind::Title(t) => lines.push(format!("**{}**", t.value)),
            ClauseKind::Severity(s) => lines.push(format!("severity: `{}`", s.text)),
            ClauseKind::Controls(refs) => {
                let ids: Vec<String> =
                    refs.iter().map(|r| format!("`{}/{}`", r.framework.dotted(), r.control.value)).collect();
                lines.push(format!("controls: {}", ids.join(", ")));
            }
            _ => {}
        }
    }
    lines.join("  \n")
}
