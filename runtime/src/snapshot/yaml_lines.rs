//! The lines of a YAML snapshot's `assets` and `events` elements, for SARIF's
//! `physicalLocation` (JSON gets them from [`super::split`]).
//!
//! serde-saphyr gives a deserializer no way to ask where it is, so the text is run once more
//! through the event parser serde-saphyr is built on, keeping only the line of each element's
//! `id` entry (the element's first line when it has no `id`). It is a second pass over the
//! text, but over events only: no value is built, and YAML snapshots are the small ones
//! ([`super::read::MAX_YAML_BYTES`]). A text the parser refuses gives no lines: the
//! deserializer reports the error.

use granit_parser::{Event, Parser};

/// The 1-based line of each element of `assets` and of `events`, by index.
#[derive(Debug, Default)]
pub(crate) struct ElementLines {
    assets: Vec<u64>,
    events: Vec<u64>,
}

impl ElementLines {
    /// The line of element `index` of `assets` (or `events`); 0 when unknown.
    pub(crate) fn line(&self, events: bool, index: u32) -> u64 {
        let lines = if events { &self.events } else { &self.assets };
        lines.get(index as usize).copied().unwrap_or(0)
    }
}

/// A collection being read: a mapping knows whether its next node is a key.
enum Frame {
    Map { expect_key: bool },
    Seq,
}

/// The element lines of a YAML document's top-level `assets` and `events` sequences.
pub(crate) fn element_lines(text: &str) -> ElementLines {
    let mut lines = ElementLines::default();
    let mut stack: Vec<Frame> = Vec::new();
    // The top-level key whose value is being read, while at depth 1.
    let mut top_key: Option<String> = None;
    // Which list the sequence at depth 2 is (`Some(true)`: events), if it is one of ours.
    let mut list: Option<bool> = None;
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { return ElementLines::default() };
        let line = span.start.line() as u64;
        // Whether this node is a key of the mapping it sits in; the mapping then expects a value.
        let is_key = match stack.last_mut() {
            Some(Frame::Map { expect_key }) if is_node(&event) => {
                let key = *expect_key;
                *expect_key = !key;
                key
            }
            _ => false,
        };
        match event {
            Event::Scalar(text, ..) => {
                if is_key && stack.len() == 1 {
                    top_key = Some(text.into_owned());
                } else if is_key && stack.len() == 3 && text == "id" {
                    let target = if list == Some(true) { &mut lines.events } else { &mut lines.assets };
                    if list.is_some()
                        && let Some(last) = target.last_mut()
                    {
                        *last = line;
                    }
                }
            }
            Event::SequenceStart(..) => {
                if stack.len() == 1 && !is_key {
                    list = match top_key.as_deref() {
                        Some("assets") => Some(false),
                        Some("events") => Some(true),
                        _ => None,
                    };
                }
                stack.push(Frame::Seq);
            }
            Event::MappingStart(..) => {
                if stack.len() == 2
                    && let Some(events) = list
                {
                    let target = if events { &mut lines.events } else { &mut lines.assets };
                    target.push(line);
                }
                stack.push(Frame::Map { expect_key: true });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
                if stack.len() == 1 {
                    list = None;
                }
            }
            _ => {}
        }
    }
    lines
}

/// Whether the event is a node (or a node's start) of the document, as opposed to markers
/// and comments.
fn is_node(event: &Event<'_>) -> bool {
    matches!(event, Event::Scalar(..) | Event::Alias(..) | Event::SequenceStart(..) | Event::MappingStart(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_element_is_found_at_its_id_entry() {
        let text = "format: rulec.snapshot/v1\nassets:\n  - type: A\n    tags: {id: x}\n    id: a1\n  - {type: B, id: b1}\n  - type: C\nevents:\n  - id: e1\nid: top\n";
        let lines = element_lines(text);
        assert_eq!([lines.line(false, 0), lines.line(false, 1), lines.line(false, 2)], [5, 6, 7]);
        assert_eq!(lines.line(true, 0), 9);
        assert_eq!(lines.line(false, 3), 0, "no such element");
    }

    #[test]
    fn text_the_parser_refuses_gives_no_lines() {
        let lines = element_lines("assets:\n  - id: a\n  - [unclosed\n");
        assert_eq!(lines.line(false, 0), 0);
    }
}
