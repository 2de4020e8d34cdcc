//! Between the compiler's byte offsets and the editor's UTF-16 line/column, and between
//! file paths and `file:` URIs.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use line_index::{LineCol, LineIndex, TextSize, WideEncoding, WideLineCol};
use lsp_types::{Position, Range, Uri};
use rulec_compiler::syntax::Span;

/// A file's text with its line index, for converting positions.
pub(crate) struct Lines<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Lines { text, index: LineIndex::new(text) }
    }

    /// The byte offset of an editor position, clamped into the text (a position past a line's
    /// end is its end; past the last line, the text's end).
    pub(crate) fn offset(&self, position: Position) -> u32 {
        let Some(line_start) = self.index.offset(LineCol { line: position.line, col: 0 }) else {
            return self.text.len() as u32;
        };
        let line_start = u32::from(line_start) as usize;
        let line_end = self.text[line_start..].find('\n').map_or(self.text.len(), |n| line_start + n);
        let wide = WideLineCol { line: position.line, col: position.character };
        let col = self.index.to_utf8(WideEncoding::Utf16, wide).map_or(usize::MAX, |lc| lc.col as usize);
        let mut offset = line_start.saturating_add(col).min(line_end);
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset as u32
    }

    pub(crate) fn position(&self, offset: u32) -> Position {
        let offset = TextSize::from(offset.min(self.text.len() as u32));
        let utf8 = self.index.line_col(offset);
        let wide =
            self.index.to_wide(WideEncoding::Utf16, utf8).unwrap_or(WideLineCol { line: utf8.line, col: utf8.col });
        Position { line: wide.line, character: wide.col }
    }

    pub(crate) fn range(&self, span: Span) -> Range {
        Range { start: self.position(span.start), end: self.position(span.end) }
    }
}

/// The file a `file:` URI names.
pub(crate) fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The `file:` URI of an absolute path.
pub(crate) fn path_to_uri(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_clamp() {
        let lines = Lines::new("ab\n中文x\n");
        assert_eq!(lines.offset(Position { line: 1, character: 2 }), 9, "two CJK characters are 6 bytes");
        assert_eq!(lines.position(9), Position { line: 1, character: 2 });
        assert_eq!(lines.offset(Position { line: 0, character: 99 }), 2, "past the line's end");
        assert_eq!(lines.offset(Position { line: 9, character: 0 }), 11, "past the last line");
        assert_eq!(lines.position(999), Position { line: 2, character: 0 }, "past the end");
    }

    #[test]
    fn uris_and_paths_round_trip() {
        let path = Path::new("/tmp/a b/x.rule");
        let uri = path_to_uri(path).expect("a uri");
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/x.rule");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
    }
}
