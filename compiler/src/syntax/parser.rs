//! `parse(text) -> (SourceAst, diagnostics)`: the one entry point to the grammar.
//!
//! The rest of the compiler only sees the AST, so the pest grammar can be replaced without
//! touching it. Parsing never fails: each chunk from [`super::split`] that does not parse
//! becomes an [`ItemKind::Error`] node plus one diagnostic.

use std::cell::{Cell, RefCell};
use std::sync::LazyLock;

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::shift::Shift;
use super::split::chunk_starts;
use crate::diagnostics::{Code, Diagnostic};

#[derive(pest_derive::Parser)]
#[grammar = "syntax/grammar.pest"]
struct RuleGrammar;

/// One chunk parsed on its own: spans relative to the chunk, diagnostics without a file
/// name, so the result depends on the chunk's text alone and can be cached by it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ChunkParse {
    pub piece: Piece,
    pub diagnostics: Vec<Diagnostic>,
}

/// What a chunk holds.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Piece {
    /// Only comments and blank lines.
    Trivia,
    Package {
        name: QName,
        span: Span,
    },
    Use(Use),
    Item(Item),
}

/// Parses one file. `file` names it in diagnostics.
pub fn parse(file: &str, text: &str) -> (SourceAst, Vec<Diagnostic>) {
    parse_with(file, text, &mut |chunk| std::sync::Arc::new(parse_chunk(chunk)))
}

/// Parses one file, getting each chunk's parse from `chunk_parse` (which may cache it).
pub fn parse_with(
    file: &str,
    text: &str,
    chunk_parse: &mut dyn FnMut(&str) -> std::sync::Arc<ChunkParse>,
) -> (SourceAst, Vec<Diagnostic>) {
    let mut ast = SourceAst::default();
    let mut diagnostics = Vec::new();
    let starts = chunk_starts(text);
    let mut saw_item = false;
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        let parsed = chunk_parse(&text[start..end]);
        // INVARIANT: files are capped well below 4 GiB by the loader.
        let by = start as u32;
        for d in &parsed.diagnostics {
            let mut d = d.clone();
            d.shift(by);
            d.file = file.to_owned();
            for r in &mut d.related {
                r.file = file.to_owned();
            }
            diagnostics.push(d);
        }
        match &parsed.piece {
            Piece::Trivia => {}
            Piece::Package { name, span } => {
                let (mut name, mut span) = (name.clone(), *span);
                name.shift(by);
                span.shift(by);
                if let Some(previous) = ast.package_span {
                    diagnostics.push(
                        Diagnostic::new(Code::PackageDeclaration, file, span, "a file declares one package")
                            .with_label("second package declaration")
                            .with_related(file, previous, "first declared here"),
                    );
                    continue;
                }
                if saw_item {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::PackageDeclaration,
                            file,
                            span,
                            "the package declaration must come first",
                        )
                        .with_label("declared after an item")
                        .with_help("move `package` to the top of the file"),
                    );
                }
                ast.package = Some(name);
                ast.package_span = Some(span);
            }
            Piece::Use(u) => {
                let mut u = u.clone();
                u.shift(by);
                ast.uses.push(u);
            }
            Piece::Item(item) => {
                let mut item = item.clone();
                item.shift(by);
                ast.items.push(item);
                saw_item = true;
            }
        }
    }
    if ast.package.is_none() {
        diagnostics.push(
            Diagnostic::new(Code::PackageDeclaration, file, Span::new(0, 0), "missing package declaration")
                .with_label("the file must start with `package <name>`")
                .with_help("add a first line such as `package network`"),
        );
    }
    (ast, diagnostics)
}

/// Limits that keep parsing and checking within the stack on any input, whatever thread runs
/// them (a language-server worker has 2 MiB). Real rules stay far below them. Brackets may
/// nest [`MAX_NESTING`] deep, and so may lambdas and `if`s, which nest without brackets.
const MAX_NESTING: usize = 64;
const MAX_OPERATORS: usize = 128;

/// The offset of the first bracket nested deeper than [`MAX_NESTING`], outside strings and
/// comments.
fn too_deep(chunk: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut chars = chunk.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '\n' => in_string = false,
            '/' if !in_string && chars.peek().map(|(_, c)| *c) == Some('/') => {
                while chars.next_if(|(_, c)| *c != '\n').is_some() {}
            }
            '(' | '[' | '{' if !in_string => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            ')' | ']' | '}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses one chunk with spans relative to it.
pub fn parse_chunk(chunk: &str) -> ChunkParse {
    if RuleGrammar::parse(Rule::trivia, chunk).is_ok() {
        return ChunkParse { piece: Piece::Trivia, diagnostics: Vec::new() };
    }
    let builder = Builder { file: "", diagnostics: RefCell::new(Vec::new()), nesting: Cell::new(0) };
    let error_item =
        || Piece::Item(Item { docs: leading_docs(chunk), kind: ItemKind::Error, span: builder.trimmed_span(chunk) });
    if let Some(at) = too_deep(chunk) {
        // Deeper nesting than any rule needs would only exhaust the stack.
        let diagnostic = too_deep_diagnostic("", Span::new(at, at + 1), "brackets");
        return ChunkParse { piece: error_item(), diagnostics: vec![diagnostic] };
    }
    let piece = match RuleGrammar::parse(Rule::chunk, chunk) {
        // INVARIANT: a successful `chunk` parse yields its one top-level pair first.
        Ok(mut pairs) => pairs.next().map_or(Piece::Trivia, |pair| builder.top_level(pair)),
        Err(error) => {
            builder.error(syntax_error("", chunk, &error));
            error_item()
        }
    };
    ChunkParse { piece, diagnostics: builder.diagnostics.into_inner() }
}

/// `what` nested deeper than [`MAX_NESTING`] levels, at `span`.
fn too_deep_diagnostic(file: &str, span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(Code::SyntaxError, file, span, format!("{what} nested deeper than {MAX_NESTING} levels"))
        .with_label("too deep")
        .with_help("split the expression into `let`s or helper functions")
}

fn leading_docs(chunk: &str) -> Vec<String> {
    chunk
        .lines()
        .map(str::trim_start)
        .take_while(|l| l.starts_with("///") || l.is_empty())
        .filter_map(|l| l.strip_prefix("///").map(str::to_owned))
        .collect()
}

// ------------------------------------------------------------------------- syntax errors

/// Turns a pest failure into one diagnostic, preferring the specific kinds (unterminated
/// string, unclosed bracket) over a generic `expected ...`.
fn syntax_error(file: &str, chunk: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    let scan = scan_delimiters(chunk);
    if let Some(open) = scan.unterminated_string {
        let at = open;
        return Diagnostic::new(Code::UnterminatedString, file, Span::new(at, at + 1), "unterminated string literal")
            .with_label("this string is never closed")
            .with_help("add the closing `\"`");
    }
    if let Some((open_at, open)) = scan.unclosed.first().copied() {
        let at = open_at;
        let close = closing(open);
        let end = chunk.trim_end().len();
        return Diagnostic::new(Code::UnclosedDelimiter, file, Span::new(at, at + 1), format!("unclosed `{open}`"))
            .with_label(format!("this `{open}` is never closed"))
            .with_related(file, Span::new(end, end), format!("expected `{close}` before here"))
            .with_help(format!("add the matching `{close}`"));
    }
    let pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let trimmed = chunk.trim();
    if trimmed.starts_with("///") && trimmed.lines().all(|l| l.trim_start().starts_with("//")) {
        let at = chunk.len() - chunk.trim_start().len();
        return Diagnostic::new(
            Code::DanglingDocComment,
            file,
            Span::new(at, at + 3),
            "doc comment is not followed by an item",
        )
        .with_label("documents nothing")
        .with_help("put the doc comment right above a declaration, or use `//` for a plain comment");
    }
    let found = found_at(chunk, pos);
    let at = pos;
    let span = Span::new(at, at + found.len());
    let expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => describe_expected(positives),
        // pest's guard against exhausting the stack: input nested deeper than this thread's
        // stack allows. Said as the nesting limit says it, whichever thread got there first.
        ErrorVariant::CustomError { message } if message.contains("limit reached") => {
            return too_deep_diagnostic(file, Span::new(pos, pos + found.len().max(1)), "expressions");
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let found_text = if found.is_empty() { "end of item".to_owned() } else { format!("`{found}`") };
    Diagnostic::new(Code::SyntaxError, file, span, format!("expected {expected}, found {found_text}"))
        .with_label(format!("expected {expected}"))
}

struct DelimiterScan {
    unterminated_string: Option<usize>,
    /// Brackets never closed: (offset, char), innermost first.
    unclosed: Vec<(usize, char)>,
}

fn scan_delimiters(chunk: &str) -> DelimiterScan {
    let mut stack: Vec<(usize, char)> = Vec::new();
    let mut unclosed: Vec<(usize, char)> = Vec::new();
    let mut chars = chunk.char_indices().peekable();
    let mut string_start = None;
    let mut unterminated = None;
    while let Some((i, c)) = chars.next() {
        if string_start.is_some() {
            match c {
                '\\' => {
                    chars.next_if(|(_, c)| *c != '\n');
                }
                '"' => string_start = None,
                '\n' => {
                    unterminated = unterminated.or(string_start);
                    string_start = None;
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => string_start = Some(i),
            '/' if chars.peek().map(|(_, c)| *c) == Some('/') => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '{' | '(' | '[' => stack.push((i, c)),
            '}' | ')' | ']' => {
                // A closer that skips open brackets leaves those unclosed.
                if let Some(depth) = stack.iter().rposition(|(_, open)| closing(*open) == c) {
                    unclosed.extend(stack.drain(depth..).skip(1).rev());
                }
            }
            _ => {}
        }
    }
    unclosed.extend(stack.into_iter().rev());
    DelimiterScan { unterminated_string: unterminated.or(string_start), unclosed }
}

fn closing(open: char) -> char {
    match open {
        '{' => '}',
        '(' => ')',
        _ => ']',
    }
}

/// The token at `pos`, for `found ...`.
fn found_at(chunk: &str, pos: usize) -> &str {
    let rest = &chunk[pos.min(chunk.len())..];
    found_word(rest.trim_end())
}

fn found_word(rest: &str) -> &str {
    let Some(first) = rest.chars().next() else { return "" };
    if rest.starts_with("///") {
        return "///";
    }
    if first.is_alphanumeric() || first == '_' {
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        return &rest[..end];
    }
    for op in ["=>", "->", "==", "!=", "<=", ">=", "?.", "??"] {
        if rest.starts_with(op) {
            return &rest[..op.len()];
        }
    }
    &rest[..first.len_utf8()]
}

fn describe_expected(positives: &[Rule]) -> String {
    let mut names: Vec<&'static str> = Vec::new();
    for rule in positives {
        let name = describe_rule(*rule);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.len() {
        0 => "something else".to_owned(),
        1 => names[0].to_owned(),
        n if n <= 6 => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
        _ => format!("{}, or another {}", names[..5].join(", "), "token"),
    }
}

fn describe_rule(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        ident => "a name",
        name_any => "a field name",
        qname | named_type => "a name",
        doc => "a doc comment",
        int => "an integer",
        float => "a number",
        duration => "a duration such as `90d`",
        string | literal_type => "a string",
        template => "a message string",
        regex => "a regex literal",
        item | schema_item | schema_kind | type_alias | native_fn | fn_item | const_item | rule_item | alarm_item
        | edge_item | framework_item | test_item => "an item (`rule`, `fn`, `const`, ...)",
        package_decl | k_package => "`package`",
        use_decl | k_use => "`use`",
        title_clause | severity_clause | controls_clause | fix_clause | for_clause | on_clause | let_clause
        | when_clause | message_clause | evidence_clause | group_clause => {
            "a clause (`title`, `for`, `let`, `when`, ...)"
        }
        field => "a field declaration",
        type_expr | type_atom | list_type | map_type | ref_type | paren_type => "a type",
        optional_mark => "`?`",
        expr | postfix_expr | if_expr | paren_lambda | lambda_body | paren | list_lit | bool_lit | none_lit
        | name_led | data_object | data_array | data_neg | data_bool | data_null => "an expression",
        record_lit => "`{`",
        record_entry | data_entry => "a `key: value` entry",
        control_ref => "a control such as `mlps2.l3.\"8.1.4.1-a\"`",
        control_decl | k_control => "`control`",
        param | params => "a parameter",
        call_args => "`(`",
        field_access | optional_dot => "`.`",
        index_access => "`[`",
        given_stmt | k_given => "`given`",
        expect_stmt | k_expect => "`expect`",
        expect_no => "`no`",
        threshold_count => "`count`",
        threshold_distinct | k_distinct => "`distinct(..)`",
        threshold_op => "`>=`",
        op_coalesce | op_or | op_and | op_eq | op_ne | op_le | op_ge | op_lt | op_gt | op_not_in | op_in
        | op_matches | op_like | op_add | op_sub | op_mul | op_div | op_rem => "an operator",
        op_not | op_neg => "an expression",
        EOI => "end of item",
        k_as => "`as`",
        k_native => "`native`",
        k_fn => "`fn`",
        k_const => "`const`",
        k_rule => "`rule`",
        k_alarm => "`alarm`",
        k_title => "`title`",
        k_severity => "`severity`",
        k_controls => "`controls`",
        k_fix => "`fix`",
        k_for => "`for`",
        k_where => "`where`",
        k_on => "`on`",
        k_let => "`let`",
        k_when => "`when`",
        k_message => "`message`",
        k_evidence => "`evidence`",
        k_group => "`group`",
        k_by => "`by`",
        k_within => "`within`",
        k_threshold => "`threshold`",
        k_count => "`count`",
        k_edge => "`edge`",
        k_framework => "`framework`",
        k_test => "`test`",
        k_ref => "`ref`",
        k_if => "`if`",
        k_then => "`then`",
        k_else => "`else`",
        k_type => "`type`",
        _ => "a token",
    }
}

// ------------------------------------------------------------------------- pairs → AST

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_coalesce, Assoc::Left))
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left)
            | Op::infix(Rule::op_matches, Assoc::Left)
            | Op::infix(Rule::op_like, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left)
            | Op::infix(Rule::op_div, Assoc::Left)
            | Op::infix(Rule::op_rem, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

/// Converts the pairs of one chunk, with spans relative to the chunk.
struct Builder<'f> {
    file: &'f str,
    diagnostics: RefCell<Vec<Diagnostic>>,
    /// How many lambdas and `if`s enclose the expression being built.
    nesting: Cell<usize>,
}

fn is_keyword_token(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        k_package
            | k_use
            | k_as
            | k_native
            | k_fn
            | k_const
            | k_rule
            | k_alarm
            | k_title
            | k_severity
            | k_controls
            | k_fix
            | k_for
            | k_where
            | k_on
            | k_let
            | k_when
            | k_message
            | k_evidence
            | k_group
            | k_by
            | k_within
            | k_threshold
            | k_count
            | k_distinct
            | k_edge
            | k_framework
            | k_control
            | k_test
            | k_given
            | k_expect
            | k_ref
            | k_if
            | k_then
            | k_else
            | k_type
    )
}

/// The next child; the grammar guarantees it exists wherever this is called.
fn next<'i>(children: &mut impl Iterator<Item = Pair<'i, Rule>>) -> Pair<'i, Rule> {
    children.next().expect("INVARIANT: the grammar guarantees this child")
}

/// The first non-keyword child.
fn first(pair: Pair<'_, Rule>) -> Pair<'_, Rule> {
    next(&mut children(pair))
}

/// The children of `pair` minus keyword tokens.
fn children<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|p| !is_keyword_token(p.as_rule()))
}

impl Builder<'_> {
    /// The pair's span without trailing whitespace and comments, which pest includes when a
    /// rule ends in an optional or repeated part.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let len = trim_trivia_end(pair.as_str()).len();
        Span::new(s.start(), s.start() + len)
    }

    fn trimmed_span(&self, chunk: &str) -> Span {
        let lead = chunk.len() - chunk.trim_start().len();
        let end = chunk.trim_end().len();
        Span::new(lead, end.max(lead))
    }

    fn error(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    fn top_level(&self, pair: Pair<'_, Rule>) -> Piece {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::package_decl => {
                let name = self.qname(next(&mut children(pair).filter(|p| p.as_rule() != Rule::doc)));
                Piece::Package { name, span }
            }
            Rule::use_decl => {
                let mut inner = children(pair).filter(|p| p.as_rule() != Rule::doc);
                let path = self.qname(next(&mut inner));
                let alias = inner.next().map(|p| self.name(&p));
                Piece::Use(Use { path, alias, span })
            }
            _ => Piece::Item(self.item(pair)),
        }
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Item {
        let span = self.span(&pair);
        let mut docs = Vec::new();
        let mut kind = ItemKind::Error;
        for child in children(pair) {
            match child.as_rule() {
                Rule::doc => docs.push(doc_line(child.as_str())),
                _ => kind = self.item_kind(child),
            }
        }
        Item { docs, kind, span }
    }

    fn item_kind(&self, pair: Pair<'_, Rule>) -> ItemKind {
        match pair.as_rule() {
            Rule::schema_item => {
                let mut inner = children(pair);
                let kind = match inner.next().map(|p| p.as_str().to_owned()).as_deref() {
                    Some("asset") => SchemaKind::Asset,
                    Some("event") => SchemaKind::Event,
                    _ => SchemaKind::Record,
                };
                let name = self.name(&next(&mut inner));
                let fields = inner.map(|f| self.field(f)).collect();
                ItemKind::Schema(SchemaItem { kind, name, fields })
            }
            Rule::type_alias => {
                let mut inner = children(pair);
                let name = self.name(&next(&mut inner));
                let ty = self.type_expr(next(&mut inner));
                ItemKind::TypeAlias(TypeAlias { name, ty })
            }
            Rule::native_fn | Rule::fn_item => {
                let native = pair.as_rule() == Rule::native_fn;
                let mut inner = children(pair);
                let name = self.name(&next(&mut inner));
                let params = children(next(&mut inner)).map(|p| self.param(p)).collect();
                let ret = self.type_expr(next(&mut inner));
                let body = if native { None } else { inner.next().map(|e| self.expr(e)) };
                ItemKind::Fn(FnItem { name, params, ret, body })
            }
            Rule::const_item => {
                let mut inner = children(pair);
                let name = self.name(&next(&mut inner));
                let ty = self.type_expr(next(&mut inner));
                let value = self.expr(next(&mut inner));
                ItemKind::Const(ConstItem { name, ty, value })
            }
            Rule::rule_item | Rule::alarm_item => {
                let kind = if pair.as_rule() == Rule::rule_item { CheckKind::Rule } else { CheckKind::Alarm };
                let mut inner = children(pair);
                let name = self.name(&next(&mut inner));
                let clauses = inner.map(|c| self.clause(c)).collect();
                ItemKind::Check(CheckItem { kind, name, clauses })
            }
            Rule::edge_item => {
                let mut inner = children(pair);
                let name = self.name(&next(&mut inner));
                let from = self.qname(next(&mut inner));
                let to = self.qname(next(&mut inner));
                let condition = inner.next().map(|e| self.expr(e));
                ItemKind::Edge(EdgeItem { name, from, to, condition })
            }
            Rule::framework_item => {
                let mut inner = children(pair);
                let name = self.qname(next(&mut inner));
                let title = self.string(next(&mut inner));
                let controls = inner.map(|c| self.control_decl(c)).collect();
                ItemKind::Framework(FrameworkItem { name, title, controls })
            }
            Rule::test_item => {
                let mut inner = children(pair);
                let name = self.string(next(&mut inner));
                let mut test = TestItem { name, given: Vec::new(), expects: Vec::new() };
                for stmt in inner {
                    let span = self.span(&stmt);
                    if stmt.as_rule() == Rule::given_stmt {
                        let value = first(stmt);
                        if value.as_rule() == Rule::string {
                            test.given.push(Given::File(self.string(value)));
                        } else {
                            test.given.push(Given::Inline(self.data(value)));
                        }
                    } else {
                        let mut negated = false;
                        let mut rule = None;
                        let mut subject = None;
                        for part in children(stmt) {
                            match part.as_rule() {
                                Rule::expect_no => negated = true,
                                Rule::ident => rule = Some(self.name(&part)),
                                _ => subject = Some(self.string(part)),
                            }
                        }
                        if let Some(rule) = rule {
                            test.expects.push(Expect { negated, rule, subject, span });
                        }
                    }
                }
                ItemKind::Test(test)
            }
            _ => ItemKind::Error,
        }
    }

    fn field(&self, pair: Pair<'_, Rule>) -> FieldDecl {
        let mut docs = Vec::new();
        let mut name = None;
        let mut ty = None;
        for child in children(pair) {
            match child.as_rule() {
                Rule::doc => docs.push(doc_line(child.as_str())),
                Rule::name_any => name = Some(self.name(&child)),
                _ => ty = Some(self.type_expr(child)),
            }
        }
        // INVARIANT: the grammar requires a name and a type in a field.
        FieldDecl {
            docs,
            name: name.unwrap_or_else(|| self.missing_name()),
            ty: ty.unwrap_or_else(|| self.missing_type()),
        }
    }

    fn param(&self, pair: Pair<'_, Rule>) -> Param {
        let mut name = None;
        let mut optional = false;
        let mut ty = None;
        for child in children(pair) {
            match child.as_rule() {
                Rule::ident => name = Some(self.name(&child)),
                Rule::optional_mark => optional = true,
                _ => ty = Some(self.type_expr(child)),
            }
        }
        Param {
            name: name.unwrap_or_else(|| self.missing_name()),
            optional,
            ty: ty.unwrap_or_else(|| self.missing_type()),
        }
    }

    fn missing_name(&self) -> Name {
        Name { text: String::new(), span: Span::default() }
    }

    fn missing_type(&self) -> TypeExpr {
        TypeExpr {
            kind: TypeExprKind::Named(QName { parts: vec![self.missing_name()], span: Span::default() }),
            span: Span::default(),
        }
    }

    fn control_decl(&self, pair: Pair<'_, Rule>) -> ControlDecl {
        let span = self.span(&pair);
        let mut docs = Vec::new();
        let mut strings = Vec::new();
        let mut manual = false;
        for child in children(pair) {
            match child.as_rule() {
                Rule::doc => docs.push(doc_line(child.as_str())),
                Rule::k_manual => manual = true,
                _ => strings.push(self.string(child)),
            }
        }
        let summary = strings.pop();
        let id = strings.pop();
        let empty = || StrLit { value: String::new(), span };
        ControlDecl { docs, id: id.unwrap_or_else(empty), summary: summary.unwrap_or_else(empty), manual, span }
    }

    fn clause(&self, pair: Pair<'_, Rule>) -> Clause {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = children(pair);
        let kind = match rule {
            Rule::title_clause => ClauseKind::Title(self.string(next(&mut inner))),
            Rule::severity_clause => ClauseKind::Severity(self.name(&next(&mut inner))),
            Rule::controls_clause => ClauseKind::Controls(
                inner
                    .map(|c| {
                        let span = self.span(&c);
                        let mut parts = children(c);
                        let framework = self.qname(next(&mut parts));
                        let control = self.string(next(&mut parts));
                        ControlRef { framework, control, span }
                    })
                    .collect(),
            ),
            Rule::fix_clause => ClauseKind::Fix(self.template(next(&mut inner))),
            Rule::for_clause | Rule::on_clause => {
                let binding = self.name(&next(&mut inner));
                let ty = self.qname(next(&mut inner));
                let filter = inner.next().map(|e| self.expr(e));
                ClauseKind::Subject { is_event: rule == Rule::on_clause, binding, ty, filter }
            }
            Rule::let_clause => {
                let name = self.name(&next(&mut inner));
                let mut rest: Vec<_> = inner.collect();
                let value = rest.pop().map(|e| self.expr(e));
                let ty = rest.pop().map(|t| self.type_expr(t));
                ClauseKind::Let { name, ty, value: value.unwrap_or_else(|| self.none_expr(span)) }
            }
            Rule::when_clause => ClauseKind::When(self.expr(next(&mut inner))),
            Rule::message_clause => ClauseKind::Message(self.template(next(&mut inner))),
            Rule::evidence_clause => ClauseKind::Evidence(self.expr_primary(next(&mut inner))),
            Rule::group_clause => {
                let key = self.expr(next(&mut inner));
                let window = inner.find(|p| p.as_rule() == Rule::duration);
                let window = window.map(|d| Duration { text: d.as_str().to_owned(), span: self.span(&d) });
                ClauseKind::GroupBy { key, window }
            }
            _ => {
                let measure_pair = next(&mut inner);
                let measure = if measure_pair.as_rule() == Rule::threshold_distinct {
                    ThresholdMeasure::Distinct(self.expr(first(measure_pair)))
                } else {
                    ThresholdMeasure::Count
                };
                let strict = next(&mut inner).as_str() == ">";
                let n = next(&mut inner);
                ClauseKind::Threshold {
                    measure,
                    strict,
                    count: IntLit { text: n.as_str().to_owned(), span: self.span(&n) },
                }
            }
        };
        Clause { kind, span }
    }

    /// Reports an expression too long to check safely; it becomes `none`.
    fn too_long(&self, pair: &Pair<'_, Rule>, what: &str) -> Expr {
        let span = self.span(pair);
        self.error(
            Diagnostic::new(
                Code::SyntaxError,
                self.file,
                span,
                format!("expression with more than {MAX_OPERATORS} {what}"),
            )
            .with_label("too long")
            .with_help("split it into `let`s or helper functions"),
        );
        self.none_expr(span)
    }

    /// Builds a lambda or an `if` one level deeper. They nest without brackets, which
    /// [`too_deep`] counts; past [`MAX_NESTING`] levels the construct is reported and becomes
    /// `none`, so no later pass recurses deeper.
    fn nested(&self, span: Span, build: impl FnOnce() -> ExprKind) -> ExprKind {
        let depth = self.nesting.get();
        if depth >= MAX_NESTING {
            let at = span.start as usize;
            self.error(too_deep_diagnostic(self.file, Span::new(at, at + 1), "lambdas and `if`s"));
            return ExprKind::None;
        }
        self.nesting.set(depth + 1);
        let kind = build();
        self.nesting.set(depth);
        kind
    }

    fn none_expr(&self, span: Span) -> Expr {
        Expr { kind: ExprKind::None, span }
    }

    // ------------------------------------------------------------------ names, strings

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name { text: pair.as_str().to_owned(), span: self.span(pair) }
    }

    fn qname(&self, pair: Pair<'_, Rule>) -> QName {
        let span = self.span(&pair);
        QName { parts: children(pair).map(|p| self.name(&p)).collect(), span }
    }

    fn string(&self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        let mut value = String::new();
        for part in pair.into_inner() {
            self.string_part(&part, &mut value);
        }
        StrLit { value, span }
    }

    fn string_part(&self, part: &Pair<'_, Rule>, out: &mut String) {
        match part.as_rule() {
            Rule::string_text | Rule::template_text => out.push_str(part.as_str()),
            Rule::escape => match decode_escape(part.as_str()) {
                Some(decoded) => out.push_str(&decoded),
                None => self.error(
                    Diagnostic::new(
                        Code::InvalidEscape,
                        self.file,
                        self.span(part),
                        format!("`{}` is not a Unicode scalar value", part.as_str()),
                    )
                    .with_label("invalid code point")
                    .with_help("code points go up to `10FFFF`, excluding the surrogates `D800`-`DFFF`"),
                ),
            },
            _ => {
                // Rule::bad_escape
                let span = self.span(part);
                self.error(
                    Diagnostic::new(
                        Code::InvalidEscape,
                        self.file,
                        span,
                        format!("invalid escape `{}`", part.as_str().trim_end()),
                    )
                    .with_label("unknown escape sequence")
                    .with_help(r#"the escapes are `\"`, `\\`, `\n`, `\t`, `\r`, `\{`, `\}` and `\u{..}`"#),
                );
                out.push_str(part.as_str());
            }
        }
    }

    fn template(&self, pair: Pair<'_, Rule>) -> Template {
        let span = self.span(&pair);
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut written = String::new();
        for part in pair.into_inner() {
            if part.as_rule() == Rule::template_hole {
                if !text.is_empty() {
                    written.push_str(&text);
                    parts.push(TemplatePart::Text(std::mem::take(&mut text)));
                }
                let source = part.as_str();
                written.push('{');
                written.push_str(source[1..source.len() - 1].trim());
                written.push('}');
                parts.push(TemplatePart::Hole(self.expr(first(part))));
            } else {
                self.string_part(&part, &mut text);
            }
        }
        if !text.is_empty() {
            written.push_str(&text);
            parts.push(TemplatePart::Text(text));
        }
        Template { parts, written, span }
    }

    fn data(&self, pair: Pair<'_, Rule>) -> Data {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::data_object => DataKind::Object(
                children(pair)
                    .map(|entry| {
                        let mut parts = children(entry);
                        let key = next(&mut parts);
                        let key = if key.as_rule() == Rule::string {
                            self.string(key).value
                        } else {
                            key.as_str().to_owned()
                        };
                        (key, self.data(next(&mut parts)))
                    })
                    .collect(),
            ),
            Rule::data_array => DataKind::Array(children(pair).map(|v| self.data(v)).collect()),
            Rule::string => DataKind::String(self.string(pair).value),
            Rule::data_bool => DataKind::Bool(pair.as_str() == "true"),
            Rule::data_null => DataKind::Null,
            _ => DataKind::Number(pair.as_str().to_owned()),
        };
        Data { kind, span }
    }

    // ------------------------------------------------------------------ types

    fn type_expr(&self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut atoms: Vec<TypeExpr> = children(pair).map(|a| self.type_atom(a)).collect();
        if atoms.len() == 1 {
            atoms.pop().unwrap_or_else(|| self.missing_type())
        } else {
            TypeExpr { kind: TypeExprKind::Union(atoms), span }
        }
    }

    fn type_atom(&self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let base = next(&mut inner);
        let base_span = self.span(&base);
        let kind = match base.as_rule() {
            Rule::list_type => TypeExprKind::List(Box::new(self.type_expr(first(base)))),
            Rule::map_type => {
                let mut parts = children(base);
                let key = self.type_expr(next(&mut parts));
                let value = self.type_expr(next(&mut parts));
                TypeExprKind::Map(Box::new(key), Box::new(value))
            }
            Rule::ref_type => TypeExprKind::Ref(children(base).map(|q| self.qname(q)).collect()),
            Rule::literal_type => TypeExprKind::Literal(self.string(first(base))),
            Rule::paren_type => self.type_expr(first(base)).kind,
            _ => TypeExprKind::Named(self.qname(first(base))),
        };
        let base = TypeExpr { kind, span: base_span };
        if inner.next().is_some() { TypeExpr { kind: TypeExprKind::Optional(Box::new(base)), span } } else { base }
    }

    // ------------------------------------------------------------------ expressions

    fn expr(&self, pair: Pair<'_, Rule>) -> Expr {
        let operators = pair.clone().into_inner().filter(|p| p.as_rule() != Rule::postfix_expr).count();
        if operators > MAX_OPERATORS {
            return self.too_long(&pair, "operators");
        }
        PRATT
            .map_primary(|p| self.postfix_expr(p))
            .map_prefix(|op, operand| {
                let span = self.span(&op).cover(operand.span);
                let op = if op.as_rule() == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
                Expr { kind: ExprKind::Unary { op, operand: Box::new(operand) }, span }
            })
            .map_infix(|lhs, op, rhs| {
                let span = lhs.span.cover(rhs.span);
                let op_span = self.span(&op);
                let op = binary_op(op.as_rule());
                Expr { kind: ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
            })
            .parse(pair.into_inner())
    }

    fn postfix_expr(&self, pair: Pair<'_, Rule>) -> Expr {
        if pair.clone().into_inner().count() > MAX_OPERATORS {
            return self.too_long(&pair, "`.` accesses");
        }
        let mut inner = pair.into_inner();
        let mut expr = self.expr_primary(next(&mut inner));
        for post in inner {
            let span = expr.span.cover(self.span(&post));
            let kind = if post.as_rule() == Rule::index_access {
                ExprKind::Index { base: Box::new(expr), index: Box::new(self.expr(first(post))) }
            } else {
                let mut parts = post.into_inner();
                let optional = next(&mut parts).as_str() == "?.";
                let name = self.name(&next(&mut parts));
                match parts.next() {
                    Some(args) => ExprKind::Method { base: Box::new(expr), name, args: self.args(args), optional },
                    None => ExprKind::Field { base: Box::new(expr), name, optional },
                }
            };
            expr = Expr { kind, span };
        }
        expr
    }

    fn args(&self, pair: Pair<'_, Rule>) -> Vec<Expr> {
        pair.into_inner()
            .map(|a| {
                if a.as_rule() != Rule::labelled_arg {
                    return self.expr_primary(a);
                }
                let span = self.span(&a);
                let mut inner = a.into_inner();
                let label = self.name(&next(&mut inner));
                let value = Box::new(self.expr(next(&mut inner)));
                Expr { kind: ExprKind::Labelled { label, value }, span }
            })
            .collect()
    }

    /// A primary expression, or an `expr` / `lambda` pair wherever the grammar nests one.
    fn expr_primary(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::postfix_expr => return self.postfix_expr(pair),
            Rule::paren => {
                let inner = self.expr(first(pair));
                return Expr { kind: inner.kind, span };
            }
            Rule::if_expr => self.nested(span, || {
                let mut parts = children(pair);
                let cond = self.expr(next(&mut parts));
                let then = self.expr(next(&mut parts));
                let otherwise = self.expr(next(&mut parts));
                ExprKind::If { cond: Box::new(cond), then: Box::new(then), otherwise: Box::new(otherwise) }
            }),
            Rule::paren_lambda => self.nested(span, || {
                let mut params: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
                let body = params.pop().map(|b| self.expr(b));
                ExprKind::Lambda {
                    params: params.iter().map(|p| self.name(p)).collect(),
                    body: Box::new(body.unwrap_or_else(|| self.none_expr(span))),
                }
            }),
            Rule::list_lit => ExprKind::List(pair.into_inner().map(|e| self.expr(e)).collect()),
            Rule::record_lit => ExprKind::Record(
                pair.into_inner()
                    .map(|entry| {
                        let mut parts = entry.into_inner();
                        let key = next(&mut parts);
                        let key = if key.as_rule() == Rule::string {
                            let s = self.string(key);
                            Name { text: s.value, span: s.span }
                        } else {
                            self.name(&key)
                        };
                        (key, self.expr(next(&mut parts)))
                    })
                    .collect(),
            ),
            Rule::regex => {
                let mut parts = pair.into_inner();
                let pattern = next(&mut parts).as_str().to_owned();
                let flags = parts.next().map(|f| f.as_str().to_owned()).unwrap_or_default();
                ExprKind::Regex { pattern, flags }
            }
            Rule::duration => ExprKind::Duration(pair.as_str().to_owned()),
            Rule::float => ExprKind::Float(pair.as_str().to_owned()),
            Rule::int => ExprKind::Int(pair.as_str().to_owned()),
            Rule::string => ExprKind::Str(self.string(pair).value),
            Rule::bool_lit => ExprKind::Bool(pair.as_str() == "true"),
            Rule::none_lit => ExprKind::None,
            Rule::name_led => {
                let mut parts = pair.into_inner();
                let name = self.name(&next(&mut parts));
                match parts.next() {
                    None => ExprKind::Var(name),
                    Some(tail) if tail.as_rule() == Rule::lambda_body => self.nested(span, || ExprKind::Lambda {
                        params: vec![name],
                        body: Box::new(self.expr(first(tail))),
                    }),
                    Some(args) => ExprKind::Call { callee: name, args: self.args(args) },
                }
            }
            // INVARIANT: the grammar has no other primary; an error node keeps the tree whole.
            _ => ExprKind::None,
        };
        Expr { kind, span }
    }
}

fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::op_coalesce => BinaryOp::Coalesce,
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_in => BinaryOp::In,
        Rule::op_not_in => BinaryOp::NotIn,
        Rule::op_matches => BinaryOp::Matches,
        Rule::op_like => BinaryOp::Like,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        _ => BinaryOp::Rem,
    }
}

/// `text` without trailing whitespace and `//` comments.
fn trim_trivia_end(text: &str) -> &str {
    let comments = comment_ranges(text);
    let mut text = text.trim_end();
    while let Some(&(start, _)) = comments.iter().rev().find(|(start, end)| *start < text.len() && *end >= text.len()) {
        text = text[..start].trim_end();
    }
    text
}

/// Where each `//` comment of `text` starts and ends (at its line break), outside string
/// literals. A message template may span lines when a hole holds a comment
/// (`"see cos://{// note` ⏎ `b.id}//"`), so strings and holes are followed from the start of
/// the text, not line by line: the `//` after such a hole is template text, not a comment.
fn comment_ranges(text: &str) -> Vec<(usize, usize)> {
    enum Mode {
        /// Code, inside `depth` template holes (0: not in a template).
        Code { hole_braces: usize },
        /// A string or template's text.
        Text,
    }
    let bytes = text.as_bytes();
    let mut modes = vec![Mode::Code { hole_braces: 0 }];
    let mut comments = Vec::new();
    let mut i = 0;
    // Every byte compared below is ASCII, so `i` only stops on char boundaries.
    while i < bytes.len() {
        match (modes.last_mut(), bytes[i]) {
            (Some(Mode::Text), b'\\') => i += 2,
            (Some(Mode::Text), b'"' | b'\n') => {
                modes.pop();
                i += 1;
            }
            (Some(Mode::Text), b'{') => {
                modes.push(Mode::Code { hole_braces: 0 });
                i += 1;
            }
            (Some(Mode::Code { .. }), b'"') => {
                modes.push(Mode::Text);
                i += 1;
            }
            (Some(Mode::Code { .. }), b'/') if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                comments.push((i, end));
                i = end;
            }
            (Some(Mode::Code { hole_braces }), b'{') => {
                *hole_braces += 1;
                i += 1;
            }
            (Some(Mode::Code { hole_braces }), b'}') => {
                if *hole_braces == 0 && modes.len() > 1 {
                    modes.pop();
                } else if let Some(Mode::Code { hole_braces }) = modes.last_mut() {
                    *hole_braces = hole_braces.saturating_sub(1);
                }
                i += 1;
            }
            (None, _) => break,
            _ => i += 1,
        }
    }
    comments
}

fn doc_line(raw: &str) -> String {
    raw.strip_prefix("///").unwrap_or(raw).to_owned()
}

fn decode_escape(escape: &str) -> Option<String> {
    Some(match escape {
        "\\n" => "\n".to_owned(),
        "\\t" => "\t".to_owned(),
        "\\r" => "\r".to_owned(),
        _ if escape.starts_with("\\u{") => {
            let hex = escape.trim_start_matches("\\u{").trim_end_matches('}');
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?.to_string()
        }
        _ => escape[1..].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_comments_and_whitespace_are_trimmed() {
        assert_eq!(trim_trivia_end("a + b // why\n  // and more\n"), "a + b");
        assert_eq!(trim_trivia_end("f(\"// not a comment\")  "), "f(\"// not a comment\")");
    }

    #[test]
    fn slashes_after_a_hole_that_holds_a_comment_are_template_text() {
        let template = "\"see cos://{// the bucket\nb.id}//x\"";
        assert_eq!(trim_trivia_end(template), template);
        assert_eq!(trim_trivia_end(&format!("{template} // after")), template);
    }
}
