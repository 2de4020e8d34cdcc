//! "Means the same": two parses are equal once positions are ignored.
//!
//! The syntax tree derives `Debug` and keeps a [`Span`](crate::syntax::Span) in most nodes, and
//! a span prints as `start..end`. Comparing the `Debug` text with every `start..end` outside
//! string literals replaced covers every field of every node, including ones added later,
//! without a hand-written span-erasing walk to keep in step with the tree.

use crate::syntax::ast::{ClauseKind, Item, ItemKind, SourceAst};

/// Whether two parse trees are equal apart from positions, the trailing whitespace of doc
/// comments (which the formatter trims; [`crate::syntax::ast::doc_text`] ignores it too) and
/// the spacing inside template holes (a template's `written` copies its holes' source text,
/// which the formatter re-spaces; the holes themselves are compared).
pub fn same_syntax(a: &SourceAst, b: &SourceAst) -> bool {
    without_positions(a) == without_positions(b)
}

fn without_positions(ast: &SourceAst) -> String {
    let mut ast = ast.clone();
    ast.items.iter_mut().for_each(trim_docs);
    ast.items.iter_mut().for_each(forget_written_templates);
    erase_spans(&format!("{ast:?}"))
}

fn trim_docs(item: &mut Item) {
    let trim = |docs: &mut Vec<String>| docs.iter_mut().for_each(|d| d.truncate(d.trim_end().len()));
    trim(&mut item.docs);
    match &mut item.kind {
        ItemKind::Schema(schema) => schema.fields.iter_mut().for_each(|f| trim(&mut f.docs)),
        ItemKind::Framework(framework) => framework.controls.iter_mut().for_each(|c| trim(&mut c.docs)),
        _ => {}
    }
}

fn forget_written_templates(item: &mut Item) {
    if let ItemKind::Check(check) = &mut item.kind {
        for clause in &mut check.clauses {
            if let ClauseKind::Message(template) | ClauseKind::Fix(template) = &mut clause.kind {
                template.written.clear();
            }
        }
    }
}

/// `debug` with every `digits..digits` outside string literals replaced by `_`.
fn erase_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut chars = debug.char_indices().peekable();
    let mut in_string = false;
    while let Some((i, c)) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next().map(|(_, c)| c)),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
            out.push(c);
            continue;
        }
        if c.is_ascii_digit() {
            let digits = |from: usize| from + debug[from..].bytes().take_while(u8::is_ascii_digit).count();
            let first_end = digits(i);
            let rest = &debug[first_end..];
            if rest.starts_with("..") && rest[2..].starts_with(|c: char| c.is_ascii_digit()) {
                let second_end = digits(first_end + 2);
                out.push('_');
                while chars.next_if(|(j, _)| *j < second_end).is_some() {}
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn parse(text: &str) -> SourceAst {
        syntax::parse("t.rule", text).0
    }

    #[test]
    fn spans_are_erased_but_string_contents_are_not() {
        assert_eq!(erase_spans(r#"Name { text: "3..4", span: 10..12 }"#), r#"Name { text: "3..4", span: _ }"#);
        assert_eq!(erase_spans(r#"Str("a\"1..2"), Some(0..9)"#), r#"Str("a\"1..2"), Some(_)"#);
    }

    #[test]
    fn layout_does_not_matter_but_values_and_names_do() {
        let a = parse("package p\nconst x: int = 1 + 2\n");
        assert!(same_syntax(&a, &parse("package p\n\n\nconst x: int =\n  1\n  + (2)\n")));
        assert!(!same_syntax(&a, &parse("package p\nconst x: int = 1 + 3\n")));
        assert!(!same_syntax(&a, &parse("package p\nconst y: int = 1 + 2\n")));
        assert!(!same_syntax(
            &parse("package p\nconst s: string = \"1..2\"\n"),
            &parse("package p\nconst s: string = \"3..4\"\n")
        ));
    }

    #[test]
    fn doc_comment_trailing_whitespace_does_not_matter() {
        assert!(same_syntax(
            &parse("package p\n/// doc  \nconst x: int = 1\n"),
            &parse("package p\n/// doc\nconst x: int = 1\n")
        ));
    }
}
