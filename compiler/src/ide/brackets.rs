//! The brackets open at the cursor, for questions asked of text being typed: which call the
//! cursor is in, and which closers a patched copy of the text needs to parse.
//!
//! Counted outside strings, comments and regexes from the start of the cursor's item (the
//! parser's chunk), so an unclosed bracket in an earlier item does not matter.

use crate::syntax::{chunk_starts, code_bytes};

/// An open bracket before the cursor.
#[derive(Clone, Copy, Debug)]
pub(super) struct Open {
    pub(super) at: usize,
    pub(super) byte: u8,
    /// Commas directly inside it before the cursor.
    pub(super) commas: usize,
}

/// The cursor's item as code, and the brackets open at the cursor, outermost first.
pub(super) struct Brackets {
    code: Vec<(usize, u8)>,
    /// Index in `code` of the first byte at or after the cursor.
    cursor: usize,
    pub(super) open: Vec<Open>,
}

impl Brackets {
    pub(super) fn at(text: &str, offset: usize) -> Self {
        let starts = chunk_starts(text);
        let chunk = starts.iter().rev().find(|s| **s <= offset).copied().unwrap_or(0);
        let chunk_end = starts.iter().find(|s| **s > offset).copied().unwrap_or(text.len());
        let code: Vec<(usize, u8)> = code_bytes(&text[chunk..chunk_end]).map(|(at, b)| (chunk + at, b)).collect();
        let cursor = code.partition_point(|(at, _)| *at < offset);
        let mut open: Vec<Open> = Vec::new();
        for &(at, byte) in &code[..cursor] {
            match byte {
                b'(' | b'[' | b'{' => open.push(Open { at, byte, commas: 0 }),
                // As after the cursor: down to the matching opener, past unclosed ones.
                b')' | b']' | b'}' => {
                    if let Some(index) = open.iter().rposition(|o| closer(o.byte) == byte) {
                        open.truncate(index);
                    }
                }
                b',' => open.last_mut().into_iter().for_each(|o| o.commas += 1),
                _ => {}
            }
        }
        Brackets { code, cursor, open }
    }

    /// Where `open[depth]` is closed after the cursor; `None` when an outer bracket closes
    /// first, as in `f(a }` being typed.
    pub(super) fn closing(&self, depth: usize) -> Option<usize> {
        let mut stack = self.frames(self.open.len());
        for &(at, byte) in &self.code[self.cursor..] {
            let Some(popped) = apply(&mut stack, byte) else { continue };
            if popped.iter().any(|(_, frame)| frame.is_some_and(|n| n <= depth)) {
                return (popped[0].1 == Some(depth)).then_some(at);
            }
        }
        None
    }

    /// The closers a copy of the text needs when everything from the end of the kept prefix
    /// to `from` is cut out, leaving `open[..depth]` open at the cut: those brackets that the
    /// code from `from` on does not close, innermost first, to be inserted at the cut.
    pub(super) fn closers_for_cut(&self, depth: usize, from: usize) -> String {
        let mut stack = self.frames(depth);
        let mut unclosed = Vec::new();
        for &(_, byte) in self.code.iter().filter(|(at, _)| *at >= from) {
            if let Some(popped) = apply(&mut stack, byte) {
                // Skipped over on the way to the matching opener: left open by the text.
                unclosed.extend(popped[1..].iter().filter_map(|(_, frame)| *frame));
            }
        }
        unclosed.extend(stack.iter().filter_map(|(_, frame)| *frame));
        unclosed.sort_unstable_by(|a, b| b.cmp(a));
        unclosed.into_iter().map(|n| char::from(closer(self.open[n].byte))).collect()
    }

    /// The first `count` open brackets as a stack, each with its index in `open`.
    fn frames(&self, count: usize) -> Vec<(u8, Option<usize>)> {
        self.open[..count].iter().enumerate().map(|(n, o)| (o.byte, Some(n))).collect()
    }
}

/// Applies `byte` to a stack of open brackets (those open at the cursor carry their index
/// in `open`): an opener is pushed; a closer pops down to its matching opener, skipping
/// unclosed ones, and returns what it popped, the matching opener first. A closer that
/// matches nothing is ignored.
fn apply(stack: &mut Vec<(u8, Option<usize>)>, byte: u8) -> Option<Vec<(u8, Option<usize>)>> {
    match byte {
        b'(' | b'[' | b'{' => {
            stack.push((byte, None));
            None
        }
        b')' | b']' | b'}' => {
            let index = stack.iter().rposition(|(open, _)| closer(*open) == byte)?;
            Some(stack.split_off(index))
        }
        _ => None,
    }
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

#[cfg(test)]
mod tests {
    use super::Brackets;

    fn at(marked: &str) -> (String, Brackets) {
        let offset = marked.find('|').expect("a cursor");
        let text = marked.replacen('|', "", 1);
        let brackets = Brackets::at(&text, offset);
        (text, brackets)
    }

    #[test]
    fn open_brackets_and_commas_at_the_cursor() {
        let (_, b) = at("rule R {\n  when f(a, [1, 2], \"(,\", g(|");
        let open: Vec<(u8, usize)> = b.open.iter().map(|o| (o.byte, o.commas)).collect();
        assert_eq!(open, [(b'{', 0), (b'(', 3), (b'(', 0)]);
        // A closer pops down to its opener: the unclosed `[` inside `g(` goes with it.
        let (_, b) = at("fn f() -> int = g(h([1, 2), |");
        let open: Vec<(u8, usize)> = b.open.iter().map(|o| (o.byte, o.commas)).collect();
        assert_eq!(open, [(b'(', 1)]);
    }

    #[test]
    fn closing_finds_the_matching_parenthesis_or_none() {
        let (text, b) = at("fn f() -> int = g(h(|1), 2)");
        assert_eq!(b.closing(1).map(|at| &text[at..]), Some("), 2)"));
        assert_eq!(b.closing(0), Some(text.len() - 1));
        let (_, b) = at("rule R {\n  when g(a|\n}");
        assert_eq!(b.closing(1), None);
    }

    #[test]
    fn closers_for_a_cut_are_those_the_rest_leaves_open() {
        // Typing at the end of a rule: the rule's `}` follows, the `any(` does not.
        let (_, b) = at("rule R {\n  when x.any(k => k.m(|\n}");
        assert_eq!(b.closers_for_cut(2, b.open[2].at), ")");
        // Everything closed after the cursor: nothing to add.
        let (text, b) = at("rule R {\n  when x.any(k => k.m(|))\n}");
        let close = b.closing(2).expect("closed");
        assert_eq!(b.closers_for_cut(2, close + 1), "");
        assert!(text.ends_with("))\n}"));
        // Nothing after the cursor at all.
        let (_, b) = at("fn f() -> bool = [x].any(k => [k.|");
        assert_eq!(b.closers_for_cut(2, usize::MAX), "])");
    }
}
