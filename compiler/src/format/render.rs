//! Lays a [`Doc`] out at a width: the Wadler/prettier algorithm.
//!
//! Commands (a document, its indentation, flat or broken) are taken from a stack. A group is
//! printed flat when it and everything after it up to the next possible line break fit in the
//! rest of the line, else broken; groups inside a flat group stay flat.

use super::doc::{Doc, RhsLayout};

/// Spaces per indentation level.
const INDENT: usize = 2;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Flat,
    Break,
}

#[derive(Clone, Copy, Debug)]
enum Item<'d> {
    Doc(&'d Doc),
    /// The rest of a fill, from a content.
    Fill(&'d [Doc]),
    /// Text the printer adds itself (the space after `=`).
    Str(&'static str),
}

/// How [`Printer::fits`] measures groups.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Measure {
    /// As the printer would if they fit: flat inside flat, broken when forced.
    AsPrinted,
    /// All flat: a group that cannot be flat does not fit.
    Flat,
    /// Flat except the hug group and forced ones, which break.
    Hug,
}

#[derive(Clone, Copy, Debug)]
struct Cmd<'d> {
    indent: usize,
    mode: Mode,
    item: Item<'d>,
}

/// Prints `doc` with lines of at most `width` columns where it can; always ends the text with
/// one newline.
pub(crate) fn render(doc: &Doc, width: usize) -> String {
    let mut printer = Printer {
        width: isize::try_from(width).unwrap_or(isize::MAX),
        out: String::new(),
        pos: 0,
        at_line_start: true,
        suffixes: Vec::new(),
        stack: vec![Cmd { indent: 0, mode: Mode::Break, item: Item::Doc(doc) }],
    };
    printer.run();
    printer.finish()
}

/// Prints `doc` on one line (only hard lines and comments break it).
pub(crate) fn render_flat(doc: &Doc) -> String {
    let mut out = render(doc, usize::MAX / 4);
    out.truncate(out.trim_end().len());
    out
}

struct Printer<'d> {
    width: isize,
    out: String,
    /// Column of the end of `out`.
    pos: usize,
    /// Nothing but indentation written since the last line break.
    at_line_start: bool,
    /// Trailing comments waiting for the end of the line.
    suffixes: Vec<&'d str>,
    stack: Vec<Cmd<'d>>,
}

fn width_of(s: &str) -> isize {
    isize::try_from(s.chars().count()).unwrap_or(isize::MAX)
}

impl<'d> Printer<'d> {
    fn run(&mut self) {
        while let Some(cmd) = self.stack.pop() {
            match cmd.item {
                Item::Str(s) => self.write(s),
                Item::Fill(parts) => self.fill(cmd, parts),
                Item::Doc(doc) => self.doc(cmd, doc),
            }
        }
    }

    fn doc(&mut self, cmd: Cmd<'d>, doc: &'d Doc) {
        let Cmd { indent, mode, .. } = cmd;
        let push = |stack: &mut Vec<Cmd<'d>>, indent, mode, doc| stack.push(Cmd { indent, mode, item: Item::Doc(doc) });
        match doc {
            Doc::Text(s) => self.write(s),
            Doc::Line if mode == Mode::Flat => self.write(" "),
            Doc::SoftLine if mode == Mode::Flat => {}
            Doc::Line | Doc::SoftLine | Doc::HardLine => self.newline(indent),
            Doc::Concat(docs) => docs.iter().rev().for_each(|d| push(&mut self.stack, indent, mode, d)),
            Doc::Indent(inner) => push(&mut self.stack, indent + INDENT, mode, inner),
            Doc::Group { doc: inner, breaks, .. } => {
                let as_flat = Cmd { indent, mode: Mode::Flat, item: Item::Doc(inner) };
                let flat =
                    mode == Mode::Flat || !breaks && self.fits(vec![as_flat], self.pos, true, Measure::AsPrinted);
                push(&mut self.stack, indent, if flat { Mode::Flat } else { Mode::Break }, inner);
            }
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    self.write(s);
                }
            }
            Doc::LineSuffix(s) => self.suffixes.push(s),
            Doc::Comment(s) => {
                if !self.at_line_start || !self.suffixes.is_empty() {
                    self.newline(indent);
                }
                self.write(s);
            }
            Doc::Fill(parts) => self.fill(cmd, parts),
            Doc::Rhs { value, layout } => self.rhs(cmd, value, *layout),
        }
    }

    /// A fill: each content flat if it fits, each separator broken unless the contents on both
    /// sides of it fit flat on the line. What ends a line after a content (the next separator's
    /// comma, or the list's trailing comma) is measured with it.
    fn fill(&mut self, cmd: Cmd<'d>, parts: &'d [Doc]) {
        let Some(content) = parts.first() else { return };
        let flat = |doc| Cmd { indent: cmd.indent, mode: Mode::Flat, item: Item::Doc(doc) };
        // The commands measured after the content at `index`, and whether the rest follows.
        let line_end = |index: usize| match parts.get(index + 1) {
            Some(separator) => (vec![Cmd { indent: cmd.indent, mode: Mode::Break, item: Item::Doc(separator) }], false),
            None => (Vec::new(), true),
        };
        let fits_with_end = |printer: &Self, index: usize, docs: &[&'d Doc]| {
            let (mut next, with_rest) = line_end(index);
            next.extend(docs.iter().rev().map(|doc| flat(doc)));
            printer.fits(next, printer.pos, with_rest, Measure::Flat)
        };
        let content_fits = cmd.mode == Mode::Flat || !content.forces_break() && fits_with_end(self, 0, &[content]);
        let mode_of = |fits: bool| if fits { Mode::Flat } else { Mode::Break };
        if let [_, separator, next, ..] = parts {
            let pair_fits = cmd.mode == Mode::Flat
                || content_fits
                    && !separator.forces_break()
                    && !next.forces_break()
                    && fits_with_end(self, 2, &[content, separator, next]);
            self.stack.push(Cmd { item: Item::Fill(&parts[2..]), ..cmd });
            self.stack.push(Cmd { indent: cmd.indent, mode: mode_of(pair_fits), item: Item::Doc(separator) });
        }
        self.stack.push(Cmd { indent: cmd.indent, mode: mode_of(content_fits), item: Item::Doc(content) });
    }

    /// The value after `=`: flat on this line, else per `layout`.
    fn rhs(&mut self, cmd: Cmd<'d>, value: &'d Doc, layout: RhsLayout) {
        let Cmd { indent, mode, .. } = cmd;
        let at = |indent, mode| Cmd { indent, mode, item: Item::Doc(value) };
        let space = Cmd { item: Item::Str(" "), ..cmd };
        let breaks = value.forces_break();
        if mode == Mode::Flat
            || !breaks && self.fits(vec![at(indent, Mode::Flat), space], self.pos, true, Measure::AsPrinted)
        {
            self.write(" ");
            self.stack.push(at(indent, Mode::Flat));
            return;
        }
        let next_line = indent + INDENT;
        let hug = || self.fits(vec![at(indent, Mode::Break), space], self.pos, true, Measure::Hug);
        let next = || !breaks && self.fits(vec![at(next_line, Mode::Flat)], next_line, true, Measure::AsPrinted);
        let hugs = match layout {
            RhsLayout::Hug => hug(),
            RhsLayout::NextLineThenHug => !next() && hug(),
            RhsLayout::NextLine => false,
        };
        if hugs {
            self.write(" ");
            self.stack.push(at(indent, Mode::Break));
        } else {
            let fits_next = next();
            self.newline(next_line);
            self.stack.push(at(next_line, if fits_next { Mode::Flat } else { Mode::Break }));
        }
    }

    /// Whether `next` (a stack: last element first), then the commands after it when
    /// `with_rest`, fit in the line from `column` up to the first line break.
    fn fits(&self, mut next: Vec<Cmd<'d>>, column: usize, with_rest: bool, measure: Measure) -> bool {
        let mut remaining = self.width - isize::try_from(column).unwrap_or(isize::MAX);
        let mut rest = if with_rest { self.stack.len() } else { 0 };
        loop {
            if remaining < 0 {
                return false;
            }
            let cmd = match next.pop() {
                Some(cmd) => cmd,
                None if rest > 0 => {
                    rest -= 1;
                    self.stack[rest]
                }
                None => return true,
            };
            let doc = match cmd.item {
                Item::Str(s) => {
                    remaining -= width_of(s);
                    continue;
                }
                Item::Fill(parts) => {
                    next.extend(parts.iter().rev().map(|d| Cmd { item: Item::Doc(d), ..cmd }));
                    continue;
                }
                Item::Doc(doc) => doc,
            };
            let mut push = |mode, doc| next.push(Cmd { indent: cmd.indent, mode, item: Item::Doc(doc) });
            match doc {
                Doc::Text(s) => remaining -= width_of(s),
                Doc::Line | Doc::SoftLine if cmd.mode == Mode::Break => return true,
                Doc::HardLine => return true,
                Doc::Line => remaining -= 1,
                Doc::SoftLine | Doc::LineSuffix(_) => {}
                // A comment is printed on a line of its own.
                Doc::Comment(_) => return true,
                Doc::IfBreak(s) => {
                    if cmd.mode == Mode::Break {
                        remaining -= width_of(s);
                    }
                }
                Doc::Concat(docs) | Doc::Fill(docs) => docs.iter().rev().for_each(|d| push(cmd.mode, d)),
                Doc::Indent(inner) => push(cmd.mode, inner),
                Doc::Group { doc: inner, breaks, hug } => {
                    let mode = match measure {
                        Measure::Flat if *breaks => return false,
                        Measure::Hug if *breaks || *hug => Mode::Break,
                        Measure::Hug => Mode::Flat,
                        _ if *breaks => Mode::Break,
                        _ => cmd.mode,
                    };
                    push(mode, inner);
                }
                Doc::Rhs { value, .. } => {
                    remaining -= 1;
                    push(cmd.mode, value);
                }
            }
        }
    }

    fn write(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.out.push_str(s);
        self.pos += s.chars().count();
        self.at_line_start = false;
    }

    /// Ends the line (after any pending trailing comments) and indents the next one.
    fn newline(&mut self, indent: usize) {
        for suffix in self.suffixes.drain(..) {
            self.out.push_str(suffix);
        }
        self.out.truncate(self.out.trim_end_matches([' ', '\t']).len());
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.pos = indent;
        self.at_line_start = true;
    }

    fn finish(mut self) -> String {
        for suffix in self.suffixes.drain(..) {
            self.out.push_str(suffix);
        }
        let end = self.out.trim_end().len();
        self.out.truncate(end);
        self.out.push('\n');
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::super::doc::*;
    use super::*;

    fn list(items: &[&str]) -> Doc {
        let mut inner = vec![Doc::SoftLine];
        for (n, item) in items.iter().enumerate() {
            if n > 0 {
                inner.extend([text(","), Doc::Line]);
            }
            inner.push(text(*item));
        }
        inner.push(Doc::IfBreak(","));
        group(concat(vec![text("["), indent(concat(inner)), Doc::SoftLine, text("]")]))
    }

    #[test]
    fn a_group_is_flat_when_it_fits_and_broken_otherwise() {
        let doc = list(&["aaa", "bbb"]);
        assert_eq!(render(&doc, 20), "[aaa, bbb]\n");
        assert_eq!(render(&doc, 9), "[\n  aaa,\n  bbb,\n]\n");
    }

    #[test]
    fn a_trailing_comment_ends_its_line_after_the_separator_and_breaks_the_group() {
        let doc = group(concat(vec![
            text("["),
            indent(concat(vec![
                Doc::SoftLine,
                text("a"),
                Doc::LineSuffix(" // first".into()),
                text(","),
                Doc::Line,
                text("b"),
            ])),
            Doc::SoftLine,
            text("]"),
        ]));
        assert_eq!(render(&doc, 100), "[\n  a, // first\n  b\n]\n");
    }

    #[test]
    fn a_comment_starts_its_own_line() {
        let doc = concat(vec![text("when"), Doc::Comment("// why".into()), Doc::HardLine, text("x")]);
        assert_eq!(render(&doc, 100), "when\n// why\nx\n");
    }

    #[test]
    fn fill_packs_items_up_to_the_width_counting_the_comma_that_ends_a_line() {
        let items = || {
            let mut parts = Vec::new();
            for n in 0..6 {
                if n > 0 {
                    parts.push(concat(vec![text(","), Doc::Line]));
                }
                parts.push(text(format!("item{n}")));
            }
            Doc::Fill(parts)
        };
        assert_eq!(render(&items(), 20), "item0, item1, item2,\nitem3, item4, item5\n");
        assert_eq!(render(&items(), 19), "item0, item1,\nitem2, item3,\nitem4, item5\n");
    }

    #[test]
    fn a_right_hand_side_moves_to_the_next_line_before_breaking_inside() {
        let value = || group(concat(vec![text("aaaa"), indent(concat(vec![Doc::Line, text("and bbbb")]))]));
        let doc = |layout| concat(vec![text("let x ="), rhs(value(), layout)]);
        assert_eq!(render(&doc(RhsLayout::NextLine), 30), "let x = aaaa and bbbb\n");
        assert_eq!(render(&doc(RhsLayout::NextLine), 18), "let x =\n  aaaa and bbbb\n");
        assert_eq!(render(&doc(RhsLayout::NextLine), 12), "let x =\n  aaaa\n    and bbbb\n");
        assert_eq!(render(&doc(RhsLayout::Hug), 18), "let x = aaaa\n  and bbbb\n");
    }
}
