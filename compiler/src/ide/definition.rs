//! Go to definition, find references and rename.

use super::{FileSpan, declaration, item_of, named_types, target_at};
use crate::db::{self, Db, ItemRef, SourceFile, Workspace};
use crate::semantic::env::MemberKind;
use crate::semantic::expr::Target;
use crate::syntax::ast::ItemKind;

/// Where the name at `offset` is declared.
pub fn definition(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: u32) -> Option<FileSpan> {
    let (_, target) = target_at(db, workspace, file, offset)?;
    declaration_of(db, workspace, file, &target)
}

/// Where `target` is declared; `file` is where a local was named.
pub(super) fn declaration_of(db: &dyn Db, workspace: Workspace, file: SourceFile, target: &Target) -> Option<FileSpan> {
    let env = db::global_env(db, workspace);
    match target {
        Target::Local { def } => Some(FileSpan { file, span: *def }),
        Target::Member { package, name } => env.member(package, name).map(|m| declaration(db, m.loc)),
        Target::Type(id) => env.type_def(id).map(|d| declaration(db, d.loc)),
        Target::Field { owner, field } => named_types(owner).iter().find_map(|id| {
            let def = env.type_def(id)?;
            match &item_of(db, def.loc)?.kind {
                ItemKind::Schema(schema) => schema
                    .fields
                    .iter()
                    .find(|f| f.name.text == *field)
                    .map(|f| FileSpan { file: def.loc.file, span: f.name.span }),
                _ => None,
            }
        }),
        // The first file declaring the package, in workspace order.
        Target::Package(path) => workspace.files(db).iter().find_map(|f| {
            let declared = db::parse(db, *f).ast.package.as_ref().filter(|q| q.dotted() == *path)?;
            Some(FileSpan { file: *f, span: declared.span })
        }),
        Target::Control { framework, id } => {
            env.frameworks.get(framework)?.iter().find_map(|def| match &item_of(db, def.loc)?.kind {
                ItemKind::Framework(fw) => fw
                    .controls
                    .iter()
                    .find(|c| c.id.value == *id)
                    .map(|c| FileSpan { file: def.loc.file, span: c.id.span }),
                _ => None,
            })
        }
    }
}

/// Every place the name at `offset` is written, its declaration first, then by file and
/// position. Locals are found in their own item; everything else across the workspace.
pub fn references(db: &dyn Db, workspace: Workspace, file: SourceFile, offset: u32) -> Vec<FileSpan> {
    let Some((_, target)) = target_at(db, workspace, file, offset) else { return Vec::new() };
    let declared = declaration_of(db, workspace, file, &target);
    let files: Vec<SourceFile> =
        if matches!(target, Target::Local { .. }) { vec![file] } else { workspace.files(db).clone() };
    let mut found: Vec<FileSpan> = Vec::new();
    for f in files {
        let ast = &db::parse(db, f).ast;
        if let Target::Package(path) = &target {
            // Headers are not items: every `package` and `use` of it.
            let header = ast.package.iter().chain(ast.uses.iter().map(|u| &u.path));
            found.extend(header.filter(|q| q.dotted() == *path).map(|q| FileSpan { file: f, span: q.span }));
        }
        for index in 0..ast.items.len() {
            let checked = db::check_item(db, workspace, ItemRef::new(db, f, index as u32));
            found.extend(
                checked
                    .facts
                    .refs
                    .iter()
                    .filter(|(_, t)| *t == target)
                    .map(|(span, _)| FileSpan { file: f, span: *span }),
            );
        }
    }
    found.sort_by(|a, b| (a.file.path(db), a.span).cmp(&(b.file.path(db), b.span)));
    found.dedup();
    if let Some(declared) = declared {
        found.retain(|s| *s != declared);
        found.insert(0, declared);
    }
    found
}

/// Why a rename is refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RenameError {
    /// The cursor is not on a `let`, parameter, lambda parameter, subject, `fn` or `const`.
    NotRenamable,
    /// The new name is not an identifier, or is a reserved word.
    InvalidName(String),
}

/// Every span to replace to rename what is at `offset` to `new_name`: a local (`let`,
/// parameter, lambda parameter, subject), a function or a constant. Types, fields, rules and
/// controls are named by snapshots, findings and reports outside the workspace, so they are
/// not renamed here.
pub fn rename(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    offset: u32,
    new_name: &str,
) -> Result<Vec<FileSpan>, RenameError> {
    let valid = crate::syntax::is_name_shaped(new_name) && !crate::syntax::RESERVED_WORDS.contains(&new_name);
    if !valid {
        return Err(RenameError::InvalidName(new_name.to_owned()));
    }
    let Some((_, target)) = target_at(db, workspace, file, offset) else { return Err(RenameError::NotRenamable) };
    let renamable = match &target {
        Target::Local { .. } => true,
        Target::Member { package, name } => db::global_env(db, workspace)
            .member(package, name)
            .is_some_and(|m| matches!(m.kind, MemberKind::Fn(_) | MemberKind::Const(_))),
        _ => false,
    };
    if !renamable {
        return Err(RenameError::NotRenamable);
    }
    Ok(references(db, workspace, file, offset))
}
