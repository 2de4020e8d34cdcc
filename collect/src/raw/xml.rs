//! XML answers (COS and OSS bucket settings) read into the same JSON-like tree the JSON answers
//! give, so one set of field readers serves both: the root element is dropped, an element with
//! only text becomes a string, repeated children become an array, attributes become `@name`
//! keys and the text beside attributes or children `#text`.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::{Map, Value};

/// Reads an XML document into `{ "<Root>": tree }`, the root element's name kept so shape
/// detection and error answers (`<Error>`) can tell documents apart.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    // Text is trimmed per element, not per event: `a &amp; b` arrives in three events.
    let mut reader = Reader::from_str(text);
    // The open elements: name, attributes and children so far, text so far.
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<(String, Value)> = None;
    loop {
        let event =
            reader.read_event().map_err(|err| format!("invalid XML at byte {}: {err}", reader.error_position()))?;
        match event {
            Event::Start(start) => stack.push(Element::open(&start)?),
            Event::Empty(start) => {
                let element = Element::open(&start)?;
                close(element, &mut stack, &mut root)?;
            }
            Event::End(_) => {
                let element = stack.pop().ok_or("an end tag without a start tag")?;
                close(element, &mut stack, &mut root)?;
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content()),
            Event::CData(data) => {
                let data = data.xml10_content().into_owned();
                push_text(&mut stack, &data);
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&reference)
                        .ok_or_else(|| format!("unknown entity `&{};`", &*reference))?
                        .to_owned(),
                };
                push_text(&mut stack, &resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("the document ends inside an element".to_owned());
    }
    let (name, tree) = root.ok_or("the document has no element")?;
    let mut document = Map::new();
    document.insert(name, tree);
    Ok(Value::Object(document))
}

struct Element {
    name: String,
    children: Map<String, Value>,
    text: String,
}

impl Element {
    fn open(start: &BytesStart<'_>) -> Result<Element, String> {
        let name = start.name().as_ref().to_owned();
        let mut children = Map::new();
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|err| format!("bad attribute in <{name}>: {err}"))?;
            let key = format!("@{}", attribute.key.as_ref());
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| format!("bad attribute in <{name}>: {err}"))?;
            children.insert(key, Value::String(value.into_owned()));
        }
        Ok(Element { name, children, text: String::new() })
    }

    fn into_value(self) -> Value {
        let text = self.text.trim();
        if self.children.is_empty() {
            return Value::String(text.to_owned());
        }
        let mut children = self.children;
        if !text.is_empty() {
            children.insert("#text".to_owned(), Value::String(text.to_owned()));
        }
        Value::Object(children)
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(open) = stack.last_mut() {
        open.text.push_str(text);
    }
}

/// Adds a finished element to its parent (a repeated name turns into an array) or makes it the
/// root.
fn close(element: Element, stack: &mut [Element], root: &mut Option<(String, Value)>) -> Result<(), String> {
    let name = element.name.clone();
    let value = element.into_value();
    let Some(parent) = stack.last_mut() else {
        if root.is_some() {
            return Err(format!("a second root element <{name}>"));
        }
        *root = Some((name, value));
        return Ok(());
    };
    match parent.children.get_mut(&name) {
        None => {
            parent.children.insert(name, value);
        }
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde_json::json;

    #[test]
    fn elements_attributes_and_repeats_become_a_tree() {
        let xml = r#"<?xml version="1.0"?>
            <AccessControlPolicy>
              <Owner><ID>qcs::cam::uin/1:uin/1</ID></Owner>
              <AccessControlList>
                <Grant><Grantee xmlns:xsi="x" xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>
                <Grant><Grantee xsi:type="CanonicalUser"><ID>a &amp; b</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>
              </AccessControlList>
            </AccessControlPolicy>"#;
        let tree = parse(xml).unwrap();
        assert_eq!(tree["AccessControlPolicy"]["Owner"]["ID"], json!("qcs::cam::uin/1:uin/1"));
        let grants = tree["AccessControlPolicy"]["AccessControlList"]["Grant"].as_array().unwrap();
        assert_eq!(grants.len(), 2);
        assert_eq!(grants[0]["Grantee"]["@xsi:type"], json!("Group"));
        assert_eq!(grants[1]["Grantee"]["ID"], json!("a & b"));
    }

    #[test]
    fn malformed_documents_say_why() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("").unwrap_err().contains("no element"));
        assert!(parse("<a/><b/>").unwrap_err().contains("second root"));
    }
}
