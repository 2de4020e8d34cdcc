//! What every part of the builder shares: the source text and the comments not yet printed.
//!
//! The builder walks the tree in source order and asks, at each node, for the comments before
//! it (printed on lines of their own) and for a comment after it on the same line (kept at the
//! end of that line). A cursor over the comments only moves forward, so every comment is
//! printed exactly once and in its original order.

use std::cell::Cell;

use super::doc::{Doc, concat, group, indent, nil, text};
use super::trivia::{Trivia, blank_line_before};
use crate::syntax::Span;

pub(crate) struct Ctx<'t> {
    pub(crate) text: &'t str,
    trivia: &'t [Trivia],
    /// Index of the first comment not yet printed.
    next: Cell<usize>,
}

/// How a bracketed sequence is printed.
#[derive(Clone, Copy)]
pub(crate) struct Brackets {
    pub(crate) open: &'static str,
    pub(crate) close: &'static str,
    /// Offset of the opening bracket.
    pub(crate) open_at: usize,
    /// `{ a }` rather than `{a}` on one line.
    pub(crate) spaced: bool,
    /// A comma after the last item when broken over lines.
    pub(crate) trailing_comma: bool,
    /// As many items per line as fit, rather than one per line.
    pub(crate) fill: bool,
}

impl<'t> Ctx<'t> {
    pub(crate) fn new(text: &'t str, trivia: &'t [Trivia]) -> Self {
        Ctx { text, trivia, next: Cell::new(0) }
    }

    /// The source text of `span`.
    pub(crate) fn raw(&self, span: Span) -> &'t str {
        &self.text[span.range()]
    }

    fn trivia_text(&self, t: Trivia) -> &'t str {
        &self.text[t.start..t.end]
    }

    fn peek(&self) -> Option<Trivia> {
        self.trivia.get(self.next.get()).copied()
    }

    fn advance(&self) {
        self.next.set(self.next.get() + 1);
    }

    /// Whether every comment has been printed.
    pub(crate) fn all_printed(&self) -> bool {
        self.next.get() == self.trivia.len()
    }

    /// Marks the comments before `end` as printed: they are inside text copied verbatim.
    pub(crate) fn copied_verbatim(&self, end: usize) {
        self.take_before(end);
    }

    /// Whether a comment starts before `end`.
    pub(crate) fn has_comment_before(&self, end: usize) -> bool {
        self.peek().is_some_and(|t| t.start < end)
    }

    /// The comments not yet printed that start before `pos`, now printed.
    fn take_before(&self, pos: usize) -> Vec<&'t str> {
        let mut taken = Vec::new();
        while let Some(t) = self.peek().filter(|t| t.start < pos) {
            self.advance();
            taken.push(self.trivia_text(t));
        }
        taken
    }

    /// The comments before `pos`, each on a line of its own, before what follows.
    pub(crate) fn leading(&self, pos: usize) -> Doc {
        concat(self.take_before(pos).into_iter().flat_map(|c| [Doc::Comment(c.to_owned()), Doc::HardLine]).collect())
    }

    /// The comments before `close`, a closing bracket, each on a line of its own after what
    /// precedes.
    pub(crate) fn dangling(&self, close: usize) -> Doc {
        concat(self.take_before(close).into_iter().flat_map(|c| [Doc::HardLine, Doc::Comment(c.to_owned())]).collect())
    }

    /// A comment after `end` on the same line, with only spaces and commas between: kept at
    /// the end of the line. (A doc comment there documents what follows: never trailing.)
    pub(crate) fn trailing(&self, end: usize) -> Doc {
        match self.peek() {
            Some(t)
                if t.start >= end
                    && self.text[end..t.start].bytes().all(|b| matches!(b, b' ' | b'\t' | b','))
                    && !self.trivia_text(t).starts_with("///") =>
            {
                self.advance();
                Doc::LineSuffix(format!(" {}", self.trivia_text(t)))
            }
            _ => nil(),
        }
    }

    /// The offset of the first token at or after `pos`: whitespace and comments skipped, and
    /// commas too when `commas`.
    pub(crate) fn next_token(&self, mut pos: usize, commas: bool) -> usize {
        let bytes = self.text.as_bytes();
        let mut trivia = self.trivia[self.trivia.partition_point(|t| t.start < pos)..].iter();
        let mut upcoming = trivia.next();
        while pos < bytes.len() {
            match bytes[pos] {
                b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
                b',' if commas => pos += 1,
                _ => match upcoming {
                    Some(t) if t.start == pos => {
                        pos = t.end;
                        upcoming = trivia.next();
                    }
                    _ => break,
                },
            }
        }
        pos
    }

    /// Lines of a block (a file, or the inside of `{ }`): each element on its own line, the
    /// comments between them kept, one blank line kept where the source has one or more.
    /// Elements start at the first token after the previous one (or after `start`);
    /// `end_of` gives where each ends. Returns nothing printable when the block is empty.
    pub(crate) fn block<T>(
        &self,
        start: usize,
        elements: &[T],
        end_of: impl Fn(&T) -> usize,
        mut build: impl FnMut(&T) -> Doc,
        commas: bool,
    ) -> Option<Doc> {
        let mut lines = Vec::new();
        let mut previous_end = start;
        for element in elements {
            let at = self.next_token(previous_end, commas);
            let after_doc = self.block_comments(&mut lines, at);
            self.line_break(&mut lines, at, after_doc);
            lines.push(build(element));
            previous_end = end_of(element);
            lines.push(self.trailing(previous_end));
        }
        self.block_comments(&mut lines, self.next_token(previous_end, commas));
        (!lines.is_empty()).then(|| concat(lines))
    }

    /// The comments before `pos`, on lines of their own; whether the last was a doc comment.
    fn block_comments(&self, lines: &mut Vec<Doc>, pos: usize) -> bool {
        let mut after_doc = false;
        while let Some(t) = self.peek().filter(|t| t.start < pos) {
            self.advance();
            self.line_break(lines, t.start, after_doc);
            let comment = self.trivia_text(t);
            lines.push(Doc::Comment(comment.to_owned()));
            after_doc = comment.starts_with("///");
        }
        after_doc
    }

    /// Starts the line of a block where the token at `at` goes, after a blank line if the
    /// source has one there; never at the start of the block, nor after a doc comment (which
    /// belongs to what follows it).
    fn line_break(&self, lines: &mut Vec<Doc>, at: usize, after_doc: bool) {
        if lines.is_empty() {
            return;
        }
        lines.push(Doc::HardLine);
        if !after_doc && blank_line_before(self.text, at) {
            lines.push(Doc::HardLine);
        }
    }

    /// A block in braces: `{` lines `}`, or `{}` when empty.
    pub(crate) fn braced(&self, open_at: usize, body: impl FnOnce(usize) -> Option<Doc>) -> Doc {
        let after_open = self.trailing(open_at + 1);
        match body(open_at + 1) {
            Some(lines) => concat(vec![
                text("{"),
                after_open,
                indent(concat(vec![Doc::HardLine, lines])),
                Doc::HardLine,
                text("}"),
            ]),
            None => concat(vec![text("{"), after_open, text("}")]),
        }
    }

    /// A bracketed, comma-separated sequence, flat if it fits. `start_of` gives where each
    /// item starts (for the comments before it) and `end_of` where it ends.
    pub(crate) fn bracketed<T>(
        &self,
        brackets: Brackets,
        items: &[T],
        start_of: impl Fn(&T) -> usize,
        end_of: impl Fn(&T) -> usize,
        mut build: impl FnMut(&T) -> Doc,
    ) -> Doc {
        let after_open = self.trailing(brackets.open_at + 1);
        let mut parts = Vec::new();
        let mut first_comments = nil();
        let mut previous_end = brackets.open_at + 1;
        for (n, item) in items.iter().enumerate() {
            let comments = self.leading(start_of(item));
            if n == 0 {
                first_comments = comments;
            } else {
                parts.push(concat(vec![text(","), Doc::Line, comments]));
            }
            parts.push(concat(vec![build(item), self.trailing(end_of(item))]));
            previous_end = end_of(item);
        }
        let dangling = self.dangling(self.next_token(previous_end, true));
        if parts.is_empty() && dangling.is_empty() {
            return concat(vec![text(brackets.open), after_open, text(brackets.close)]);
        }
        let comma = if brackets.trailing_comma && !parts.is_empty() { Doc::IfBreak(",") } else { nil() };
        let items = if brackets.fill { Doc::Fill(parts) } else { concat(parts) };
        let inner = concat(vec![line(brackets.spaced), first_comments, items, comma, dangling]);
        group(concat(vec![text(brackets.open), after_open, indent(inner), line(brackets.spaced), text(brackets.close)]))
    }
}

/// The line inside brackets: a space when flat for `{ a }`, nothing for `[a]`.
fn line(spaced: bool) -> Doc {
    if spaced { Doc::Line } else { Doc::SoftLine }
}
