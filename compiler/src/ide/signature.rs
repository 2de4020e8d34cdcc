//! Signature help: the signature of the call whose argument list holds the cursor, and which
//! argument the cursor is in.
//!
//! The call is found in the text rather than the syntax tree, since an argument list being
//! typed (`f(a, `) rarely parses: see [`Brackets`]. A method's receiver type is found as
//! completion finds it, by checking the text with the call cut out (and any bracket the cut
//! leaves unclosed closed).

use super::brackets::Brackets;
use super::{alias_ending, char_boundary, item_of, type_ending_at};
use crate::compilation::Compilation;
use crate::db::{self, SourceFile};
use crate::semantic::env::MemberKind;
use crate::semantic::expr::BUILTIN_FUNCTIONS;
use crate::semantic::methods;
use crate::semantic::signature::SignatureLabel;
use crate::syntax::{RESERVED_WORDS, is_name_char};

/// A signature and where the cursor is in it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignatureHelp {
    pub label: SignatureLabel,
    /// The parameter the cursor's argument fills, when the call has that many parameters.
    pub active_param: Option<u32>,
    pub docs: Option<String>,
}

/// The signature help at `offset` of the file named `path`, if the cursor is inside the
/// argument list of a call whose callee is known.
pub fn signature_help(compilation: &mut Compilation, path: &str, offset: u32) -> Option<SignatureHelp> {
    let file = compilation.file(path)?;
    let text = file.text(compilation.db()).clone();
    let offset = char_boundary(&text, offset);
    let call = call_at(&text, offset)?;
    let (label, docs) = match call.callee {
        Callee::Function { name } => function(compilation, file, name)?,
        Callee::Method { receiver_end, name } => {
            let receiver = &text[..receiver_end];
            match alias_ending(compilation.db(), file, receiver) {
                Some((alias, package)) => member_fn(compilation, &package, name, &format!("{alias}.{name}"))?,
                None => {
                    let patched = format!("{receiver}{}{}", call.closers(), &text[call.after..]);
                    let ty = compilation
                        .with_text(path, patched, |c| type_ending_at(c.db(), c.workspace(), file, receiver_end as u32))
                        .flatten()?;
                    (methods::lookup(ty.strip_optional(), name)?.label(name), None)
                }
            }
        }
    };
    let active_param = (call.active < label.params.len()).then_some(call.active as u32);
    Some(SignatureHelp { label, active_param, docs })
}

/// A builtin, else a function of the file's own package (builtins win, as in the checker).
fn function(compilation: &Compilation, file: SourceFile, name: &str) -> Option<(SignatureLabel, Option<String>)> {
    if let Some(builtin) = BUILTIN_FUNCTIONS.iter().find(|b| b.name == name) {
        return Some((builtin.label(), Some(builtin.doc.to_owned())));
    }
    let package = db::file_summary(compilation.db(), file).package.clone().unwrap_or_default();
    member_fn(compilation, &package, name, name)
}

/// The function `name` of `package`, shown as `shown`.
fn member_fn(
    compilation: &Compilation,
    package: &str,
    name: &str,
    shown: &str,
) -> Option<(SignatureLabel, Option<String>)> {
    let db = compilation.db();
    let member = db::global_env(db, compilation.workspace()).member(package, name)?;
    let MemberKind::Fn(sig) = &member.kind else { return None };
    Some((sig.label(shown), item_of(db, member.loc).and_then(|item| item.doc_text())))
}

/// A call around the cursor, as found in the text.
struct Call<'a> {
    callee: Callee<'a>,
    /// Commas before the cursor in the argument list: the argument being typed.
    active: usize,
    /// Where the text after the call starts: past its `)`, or the cursor when unclosed.
    after: usize,
    brackets: Brackets,
    /// The index of the call's `(` in `brackets.open`.
    depth: usize,
}

impl Call<'_> {
    /// The closers the text after the call leaves missing, should the call be cut out.
    fn closers(&self) -> String {
        self.brackets.closers_for_cut(self.depth, self.after)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Callee<'a> {
    /// `name(..)`.
    Function { name: &'a str },
    /// `receiver.name(..)` or `receiver?.name(..)`; the receiver is the text before `receiver_end`.
    Method { receiver_end: usize, name: &'a str },
}

/// The innermost call whose argument list holds `offset`.
fn call_at(text: &str, offset: usize) -> Option<Call<'_>> {
    let brackets = Brackets::at(text, offset);
    // The innermost `(` that follows a callee: parentheses around an expression are not calls.
    let (depth, callee, active) = brackets
        .open
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, o)| o.byte == b'(')
        .find_map(|(depth, o)| Some((depth, callee_before(text, o.at)?, o.commas)))?;
    let after = brackets.closing(depth).map_or(offset, |close| close + 1);
    Some(Call { callee, active, after, brackets, depth })
}

/// What is called by the `(` at `open`, if it opens an argument list.
fn callee_before(text: &str, open: usize) -> Option<Callee<'_>> {
    let before = text[..open].trim_end();
    let start = before.trim_end_matches(is_name_char).len();
    let name = &before[start..];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let prefix = &before[..start];
    // `fn name(..)` declares the parameters rather than passing arguments.
    if prefix.trim_end().strip_suffix("fn").is_some_and(|p| !p.ends_with(is_name_char)) {
        return None;
    }
    match prefix.strip_suffix('.') {
        Some(receiver) => {
            let receiver = receiver.strip_suffix('?').unwrap_or(receiver).trim_end();
            (!receiver.is_empty()).then_some(Callee::Method { receiver_end: receiver.len(), name })
        }
        // `if (..)`, `not (..)`: a keyword, not a function (method names may be keywords).
        None if RESERVED_WORDS.contains(&name) => None,
        None => Some(Callee::Function { name }),
    }
}

#[cfg(test)]
mod tests {
    use super::{Callee, call_at};

    /// The call at the `|` of `marked`.
    fn call(marked: &str) -> Option<(String, usize, String)> {
        let offset = marked.find('|').expect("a cursor");
        let text = marked.replacen('|', "", 1);
        call_at(&text, offset).map(|call| {
            let shown = match call.callee {
                Callee::Function { name } => name.to_owned(),
                Callee::Method { receiver_end, name } => format!("{}.{name}", &text[..receiver_end]),
            };
            (shown, call.active, format!("{}{}", call.closers(), &text[call.after..]))
        })
    }

    #[test]
    fn finds_the_innermost_call_and_the_argument() {
        assert_eq!(call("fn f() -> bool = g(1, |)"), Some(("g".into(), 1, "".into())));
        assert_eq!(call("fn f() -> bool = g(h(|), 2)"), Some(("h".into(), 0, ", 2)".into())));
        assert_eq!(call("fn f() -> bool = g(h(1), |2) + 1"), Some(("g".into(), 1, " + 1".into())));
    }

    #[test]
    fn finds_methods_and_what_follows_them() {
        let unclosed = call("fn f() -> bool = a.b?.any(x => x > |");
        assert_eq!(unclosed, Some(("fn f() -> bool = a.b.any".into(), 0, "".into())));
        assert_eq!(call("fn f() -> bool = a.b .any(|) and c").map(|c| c.2), Some(" and c".into()));
        // Unclosed inside another call, with the item's `}` after it: the outer call is closed.
        let nested = call("rule R {\n  when a.all(x => x.b(y|\n}");
        assert_eq!(nested, Some(("rule R {\n  when a.all(x => x.b".into(), 0, ")\n}".into())));
    }

    #[test]
    fn counts_commas_outside_nested_brackets_strings_and_regexes() {
        assert_eq!(call("fn f() -> bool = g([1, 2], {a: 1, b: 2}, \",\", /,/, |").map(|c| c.1), Some(4));
        let via = call("fn f() -> bool = reaches(a, b, via: [x, |])").map(|c| (c.0, c.1));
        assert_eq!(via, Some(("reaches".into(), 2)));
    }

    #[test]
    fn parentheses_that_are_not_calls_are_skipped() {
        assert_eq!(call("fn f() -> bool = g(1, (2 + |))").map(|c| (c.0, c.1)), Some(("g".into(), 1)));
        assert_eq!(call("fn f() -> bool = if (|"), None);
        assert_eq!(call("fn f() -> bool = (|)"), None);
        assert_eq!(call("fn f(|) -> bool = true"), None);
    }

    #[test]
    fn outside_any_argument_list_there_is_no_call() {
        assert_eq!(call("fn f() -> bool = g(1)|"), None);
        assert_eq!(call("fn f() -> bool = |g(1)"), None);
        assert_eq!(call("fn f() -> bool = g(1)\nfn h() -> int = |1"), None);
    }

    /// Every built-in file, at many offsets: never a panic, and what follows a call is text
    /// after the cursor.
    #[test]
    fn built_in_files_at_any_offset() {
        for pack in crate::packs::builtin() {
            for file in &pack.files {
                let text = &file.text;
                for offset in (0..=text.len()).step_by(89).filter(|o| text.is_char_boundary(*o)) {
                    if let Some(found) = call_at(text, offset) {
                        assert!(found.after >= offset, "{}:{offset}", file.path);
                    }
                }
            }
        }
    }
}
