//! Each request's answer, from the compiler's `ide` questions converted to LSP types.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, DiagnosticRelatedInformation,
    DiagnosticSeverity, DocumentFormattingParams, DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse,
    Documentation, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location,
    MarkupContent, MarkupKind, NumberOrString, ParameterInformation, ParameterLabel, ReferenceParams, RenameParams,
    SignatureHelp, SignatureHelpParams, SignatureInformation, SymbolInformation, SymbolKind as LspSymbolKind,
    TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use rulec_compiler::compilation::Compilation;
use rulec_compiler::db::{self, SourceFile};
use rulec_compiler::diagnostics::Severity;
use rulec_compiler::format::{FormatError, format_source};
use rulec_compiler::ide::{self, CompletionKind, FileSpan, RenameError, Symbol, SymbolKind};

use crate::convert::{self, Lines};
use crate::workspace;

/// A read-only view of the workspace for a worker thread.
pub(crate) struct Snapshot {
    pub(crate) compilation: Compilation,
    pub(crate) roots: Vec<PathBuf>,
}

/// The compiler path of the file `uri` names, if the workspace has it: its own path for a
/// folder pack, or the built-in path of a file under a root (the rulec repository).
pub(crate) fn compiler_path(compilation: &Compilation, roots: &[PathBuf], uri: &Uri) -> Option<String> {
    let disk = convert::uri_to_path(uri)?;
    let disk = disk.canonicalize().unwrap_or(disk);
    let absolute = disk.to_string_lossy().into_owned();
    if compilation.file(&absolute).is_some() {
        return Some(absolute);
    }
    roots.iter().filter_map(|root| disk.strip_prefix(root).ok()).find_map(|relative| {
        let relative = relative.to_string_lossy().into_owned();
        compilation.file(&relative).map(|_| relative)
    })
}

/// The file and byte offset a position request points at.
fn locate(snapshot: &Snapshot, at: &TextDocumentPositionParams) -> Option<(SourceFile, u32)> {
    let (path, offset) = locate_in(&snapshot.compilation, &snapshot.roots, at)?;
    Some((snapshot.compilation.file(&path)?, offset))
}

/// The compiler path of the document `at` names, and the byte offset of its position.
fn locate_in(compilation: &Compilation, roots: &[PathBuf], at: &TextDocumentPositionParams) -> Option<(String, u32)> {
    let path = compiler_path(compilation, roots, &at.text_document.uri)?;
    let offset = Lines::new(compilation.file(&path)?.text(compilation.db())).offset(at.position);
    Some((path, offset))
}

fn location(snapshot: &Snapshot, found: FileSpan) -> Option<Location> {
    location_in(&snapshot.compilation, &snapshot.roots, found)
}

/// Where a span of a workspace file is on disk, as the editor names it.
fn location_in(compilation: &Compilation, roots: &[PathBuf], found: FileSpan) -> Option<Location> {
    let db = compilation.db();
    let text = found.file.text(db);
    let disk = workspace::disk_path(found.file.path(db), text, roots)?;
    Some(Location { uri: convert::path_to_uri(&disk)?, range: Lines::new(text).range(found.span) })
}

/// Every file's diagnostics as LSP diagnostics, by compiler path (files without any left out).
pub(crate) fn diagnostics(compilation: &Compilation, roots: &[PathBuf]) -> HashMap<String, Vec<lsp_types::Diagnostic>> {
    let db = compilation.db();
    let mut out: HashMap<String, Vec<lsp_types::Diagnostic>> = HashMap::new();
    // One line index per file, however many diagnostics it has.
    let mut lines: HashMap<String, Lines> = HashMap::new();
    for diagnostic in compilation.diagnostics() {
        let Some(file) = compilation.file(&diagnostic.file) else { continue };
        let lines = lines.entry(diagnostic.file.clone()).or_insert_with(|| Lines::new(file.text(db)));
        let related: Vec<DiagnosticRelatedInformation> = diagnostic
            .related
            .iter()
            .filter_map(|r| {
                let found = FileSpan { file: compilation.file(&r.file)?, span: r.span };
                let location = location_in(compilation, roots, found)?;
                Some(DiagnosticRelatedInformation { location, message: r.message.clone() })
            })
            .collect();
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.entry(diagnostic.file.clone()).or_default().push(lsp_types::Diagnostic {
            range: lines.range(diagnostic.span),
            severity: Some(match diagnostic.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(diagnostic.code.as_str().to_owned())),
            source: Some("rulec".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..lsp_types::Diagnostic::default()
        });
    }
    out
}

pub(crate) fn hover(snapshot: &Snapshot, params: HoverParams) -> Option<Hover> {
    let (file, offset) = locate(snapshot, &params.text_document_position_params)?;
    let c = &snapshot.compilation;
    let found = ide::hover(c.db(), c.workspace(), file, offset)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: found.markdown }),
        range: Some(Lines::new(file.text(c.db())).range(found.span)),
    })
}

pub(crate) fn definition(snapshot: &Snapshot, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let (file, offset) = locate(snapshot, &params.text_document_position_params)?;
    let c = &snapshot.compilation;
    let found = ide::definition(c.db(), c.workspace(), file, offset)?;
    location(snapshot, found).map(GotoDefinitionResponse::Scalar)
}

pub(crate) fn references(snapshot: &Snapshot, params: ReferenceParams) -> Option<Vec<Location>> {
    let (file, offset) = locate(snapshot, &params.text_document_position)?;
    let c = &snapshot.compilation;
    let mut found = ide::references(c.db(), c.workspace(), file, offset);
    if !params.context.include_declaration && !found.is_empty() {
        found.remove(0);
    }
    Some(found.into_iter().filter_map(|f| location(snapshot, f)).collect())
}

fn symbol_kind(kind: SymbolKind) -> LspSymbolKind {
    match kind {
        SymbolKind::Type => LspSymbolKind::STRUCT,
        SymbolKind::Field => LspSymbolKind::FIELD,
        SymbolKind::Function => LspSymbolKind::FUNCTION,
        SymbolKind::Constant => LspSymbolKind::CONSTANT,
        SymbolKind::Rule => LspSymbolKind::CLASS,
        SymbolKind::Edge => LspSymbolKind::INTERFACE,
        SymbolKind::Framework => LspSymbolKind::NAMESPACE,
        SymbolKind::Control => LspSymbolKind::ENUM_MEMBER,
        SymbolKind::Test => LspSymbolKind::METHOD,
        SymbolKind::Variable => LspSymbolKind::VARIABLE,
    }
}

pub(crate) fn document_symbols(snapshot: &Snapshot, params: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let path = compiler_path(&snapshot.compilation, &snapshot.roots, &params.text_document.uri)?;
    let c = &snapshot.compilation;
    let file = c.file(&path)?;
    let lines = Lines::new(file.text(c.db()));
    #[allow(deprecated)] // `deprecated` is a required field of the type.
    fn convert(lines: &Lines, s: Symbol) -> DocumentSymbol {
        DocumentSymbol {
            name: s.name,
            detail: s.detail,
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            range: lines.range(s.span),
            selection_range: lines.range(s.selection),
            children: Some(s.children.into_iter().map(|c| convert(lines, c)).collect()),
        }
    }
    let symbols = ide::document_symbols(c.db(), file).into_iter().map(|s| convert(&lines, s)).collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

/// The items of every file whose name contains the query (case-insensitively), sorted.
pub(crate) fn workspace_symbols(snapshot: &Snapshot, params: WorkspaceSymbolParams) -> Option<WorkspaceSymbolResponse> {
    let c = &snapshot.compilation;
    let query = params.query.to_lowercase();
    let mut out = Vec::new();
    for file in c.workspace().files(c.db()) {
        for symbol in ide::document_symbols(c.db(), *file) {
            if symbol.name.to_lowercase().contains(&query)
                && let Some(location) = location(snapshot, FileSpan { file: *file, span: symbol.selection })
            {
                #[allow(deprecated)] // `deprecated` is a required field of the type.
                out.push(SymbolInformation {
                    name: symbol.name,
                    kind: symbol_kind(symbol.kind),
                    tags: None,
                    deprecated: None,
                    location,
                    container_name: db::file_summary(c.db(), *file).package.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Some(WorkspaceSymbolResponse::Flat(out))
}

pub(crate) fn completion(
    compilation: &mut Compilation,
    roots: &[PathBuf],
    params: CompletionParams,
) -> Option<CompletionResponse> {
    let (path, offset) = locate_in(compilation, roots, &params.text_document_position)?;
    let items = ide::completions(compilation, &path, offset)
        .into_iter()
        .map(|c| CompletionItem {
            label: c.label,
            kind: Some(match c.kind {
                CompletionKind::Field => CompletionItemKind::FIELD,
                CompletionKind::Method => CompletionItemKind::METHOD,
                CompletionKind::Function => CompletionItemKind::FUNCTION,
                CompletionKind::Constant => CompletionItemKind::CONSTANT,
                CompletionKind::Type => CompletionItemKind::STRUCT,
                CompletionKind::Variable => CompletionItemKind::VARIABLE,
                CompletionKind::Module => CompletionItemKind::MODULE,
                CompletionKind::Keyword => CompletionItemKind::KEYWORD,
                CompletionKind::Rule => CompletionItemKind::CLASS,
                CompletionKind::Control => CompletionItemKind::ENUM_MEMBER,
                CompletionKind::Edge => CompletionItemKind::INTERFACE,
            }),
            detail: c.detail,
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

/// The signature of the call around the cursor, with the argument being typed highlighted.
pub(crate) fn signature_help(
    compilation: &mut Compilation,
    roots: &[PathBuf],
    params: SignatureHelpParams,
) -> Option<SignatureHelp> {
    let (path, offset) = locate_in(compilation, roots, &params.text_document_position_params)?;
    let help = ide::signature_help(compilation, &path, offset)?;
    let label = &help.label.text;
    let utf16 = |byte: usize| label[..byte].encode_utf16().count() as u32;
    let parameters = help
        .label
        .params
        .iter()
        .map(|range| ParameterInformation {
            label: ParameterLabel::LabelOffsets([utf16(range.start), utf16(range.end)]),
            documentation: None,
        })
        .collect();
    let documentation =
        help.docs.map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value }));
    let signature = SignatureInformation {
        label: label.clone(),
        documentation,
        parameters: Some(parameters),
        active_parameter: None,
    };
    Some(SignatureHelp { signatures: vec![signature], active_signature: Some(0), active_parameter: help.active_param })
}

/// Renames a local, function or constant everywhere it is written; anything else is refused
/// with a message the editor shows.
pub(crate) fn rename(snapshot: &Snapshot, params: RenameParams) -> Result<WorkspaceEdit, String> {
    let Some((file, offset)) = locate(snapshot, &params.text_document_position) else {
        return Err("this file is not part of the workspace".into());
    };
    let c = &snapshot.compilation;
    let spans = ide::rename(c.db(), c.workspace(), file, offset, &params.new_name).map_err(|e| match e {
        RenameError::NotRenamable => "only a `let`, parameter, `fn` or `const` can be renamed".to_owned(),
        RenameError::InvalidName(name) => format!("`{name}` is not a name that can be declared"),
    })?;
    // lsp-types keys `WorkspaceEdit::changes` by `Uri`; the URIs are never mutated.
    #[allow(clippy::mutable_key_type)]
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for found in spans {
        let Some(location) = location(snapshot, found) else { continue };
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit { range: location.range, new_text: params.new_name.clone() });
    }
    Ok(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() })
}

/// The whole document in the canonical layout of `rulec fmt`, as one edit; no edit when it is
/// already formatted. A document with syntax errors is refused: formatting it would mean
/// guessing, and its diagnostics already say what is wrong.
pub(crate) fn formatting(snapshot: &Snapshot, params: DocumentFormattingParams) -> Result<Vec<TextEdit>, String> {
    let c = &snapshot.compilation;
    let file = compiler_path(c, &snapshot.roots, &params.text_document.uri)
        .and_then(|path| c.file(&path))
        .ok_or_else(|| "this file is not part of the workspace".to_owned())?;
    let text = file.text(c.db());
    let formatted = format_source(text).map_err(|e| match e {
        FormatError::Syntax(_) => "the file has syntax errors; fix them to format it".to_owned(),
        other => other.to_string(),
    })?;
    if formatted == *text {
        return Ok(Vec::new());
    }
    let whole = Lines::new(text).range(rulec_compiler::syntax::Span::new(0, text.len()));
    Ok(vec![TextEdit { range: whole, new_text: formatted }])
}
