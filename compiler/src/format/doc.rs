//! The document algebra the printer lays out.
//!
//! Wadler's `text`, `line`, `group` and `nest`, plus the few things comments and lists need
//! that the classic algebra lacks (they are prettier's): a comment deferred to the end of the
//! line (`LineSuffix`), lists that pack as many items per line as fit (`Fill`), text that only
//! appears when its group breaks (`IfBreak`, for trailing commas), and one layout choice for
//! the right-hand side of `=` (`Rhs`). The `pretty` crate has no line suffix or fill, which
//! is why this small algebra is written here.

/// A document: text plus the places where it may break.
#[derive(Debug)]
pub(crate) enum Doc {
    /// Text without line breaks.
    Text(String),
    /// A space, or a line break when the enclosing group breaks.
    Line,
    /// Nothing, or a line break when the enclosing group breaks.
    SoftLine,
    /// Always a line break; the groups around it break too.
    HardLine,
    Concat(Vec<Doc>),
    /// Lines inside start two columns further right.
    Indent(Box<Doc>),
    /// Laid out on one line if it fits, else with its lines broken. `breaks` is precomputed:
    /// a group holding a hard line or a trailing comment can never be flat. `hug`: the group
    /// that ends a right-hand side, which breaks when the value stays after `=`.
    Group {
        doc: Box<Doc>,
        breaks: bool,
        hug: bool,
    },
    /// Text printed only when the enclosing group is broken (a trailing comma).
    IfBreak(&'static str),
    /// Text moved to the end of the current line (a trailing `//` comment); the groups
    /// around it break, since nothing may follow it on its line.
    LineSuffix(String),
    /// A comment on a line of its own: the printer starts a new line first if the current one
    /// has text. The builder follows it with a hard line.
    Comment(String),
    /// Contents at even indexes, separators at odd ones: each separator breaks only when the
    /// content after it does not fit on the line.
    Fill(Vec<Doc>),
    /// The value after `name =`: on the same line if it fits, else as [`RhsLayout`] says.
    Rhs {
        value: Box<Doc>,
        layout: RhsLayout,
    },
}

/// How a right-hand side that does not fit after `=` is laid out. To hug is to stay after `=`
/// and break the group that ends the value (a list's items, a call's arguments, a lambda's
/// body), which is only done when the value's text up to that break fits on the line; a value
/// that neither hugs nor fits on the next line goes there broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RhsLayout {
    /// Hug, else on the next line (lists, records, calls ending in a lambda).
    Hug,
    /// On the next line, else hug (calls with plain arguments).
    NextLineThenHug,
    /// On the next line (operators, chains).
    NextLine,
}

impl Doc {
    /// Whether the document prints nothing.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Doc::Concat(docs) => docs.iter().all(Doc::is_empty),
            Doc::Text(s) => s.is_empty(),
            _ => false,
        }
    }

    /// Whether the first thing the document prints is a comment on its own line.
    fn starts_with_comment(&self) -> bool {
        match self {
            Doc::Comment(_) => true,
            Doc::Concat(docs) => docs.iter().find(|d| !d.is_empty()).is_some_and(Doc::starts_with_comment),
            Doc::Group { doc, .. } | Doc::Indent(doc) => doc.starts_with_comment(),
            _ => false,
        }
    }

    /// Whether the document can never be laid out flat.
    pub(crate) fn forces_break(&self) -> bool {
        match self {
            Doc::HardLine | Doc::LineSuffix(_) => true,
            Doc::Group { breaks, .. } => *breaks,
            Doc::Concat(docs) | Doc::Fill(docs) => docs.iter().any(Doc::forces_break),
            Doc::Indent(doc) => doc.forces_break(),
            Doc::Rhs { value, .. } => value.forces_break(),
            Doc::Text(_) | Doc::Line | Doc::SoftLine | Doc::IfBreak(_) | Doc::Comment(_) => false,
        }
    }
}

pub(crate) fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

pub(crate) fn concat(docs: Vec<Doc>) -> Doc {
    Doc::Concat(docs)
}

pub(crate) fn indent(doc: Doc) -> Doc {
    Doc::Indent(Box::new(doc))
}

pub(crate) fn group(doc: Doc) -> Doc {
    let breaks = doc.forces_break();
    Doc::Group { doc: Box::new(doc), breaks, hug: false }
}

/// The value of `name = value`. A value that starts with a comment goes on the next line; one
/// with no group at its end cannot hug.
pub(crate) fn rhs(mut value: Doc, layout: RhsLayout) -> Doc {
    let hugs = layout != RhsLayout::NextLine && !value.starts_with_comment() && mark_hug(&mut value);
    Doc::Rhs { value: Box::new(value), layout: if hugs { layout } else { RhsLayout::NextLine } }
}

/// Marks the group `doc` ends with as the one to break when hugging; false if there is none.
fn mark_hug(doc: &mut Doc) -> bool {
    match doc {
        Doc::Group { hug, .. } => {
            *hug = true;
            true
        }
        Doc::Concat(docs) => docs.iter_mut().rev().find(|d| !d.is_empty()).is_some_and(mark_hug),
        _ => false,
    }
}

pub(crate) fn nil() -> Doc {
    Doc::Concat(Vec::new())
}
