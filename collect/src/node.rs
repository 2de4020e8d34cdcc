//! Reading fields out of an answer with the place of every value at hand, so a record that
//! cannot be normalized is reported with its file and JSON path, and the clouds' loose typing
//! (numbers as strings, `0`/`1` flags, `"true"`, one-or-many XML children) is absorbed once.

use std::fmt;
use std::path::Path;

use serde_json::Value;

/// A value inside a saved answer, with where it came from.
#[derive(Clone, Debug)]
pub struct Node<'a> {
    pub value: &'a Value,
    pub file: &'a Path,
    pub path: String,
}

/// A field that does not hold what the normalizer needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub file: String,
    pub path: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

impl std::error::Error for FieldError {}

/// What a JSON value is, for "expected X, found Y" messages.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => format!("a string `{}…`", s.chars().take(40).collect::<String>()),
        Value::String(s) => format!("the string `{s}`"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

impl<'a> Node<'a> {
    /// The root of an answer read from `file`.
    pub fn root(value: &'a Value, file: &'a Path) -> Node<'a> {
        Node { value, file, path: "$".to_owned() }
    }

    /// An error about this value.
    pub fn error(&self, message: impl Into<String>) -> FieldError {
        FieldError { file: self.file.display().to_string(), path: self.path.clone(), message: message.into() }
    }

    /// An "expected X, found Y" error about this value.
    pub fn expected(&self, what: &str) -> FieldError {
        self.error(format!("expected {what}, found {}", describe(self.value)))
    }

    /// A field; absent and `null` are both `None`.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        match self.value.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => Some(Node { value, file: self.file, path: format!("{}.{key}", self.path) }),
        }
    }

    /// A field that must be there.
    pub fn need(&self, key: &str) -> Result<Node<'a>, FieldError> {
        self.get(key).ok_or_else(|| self.error(format!("expected a field `{key}`")))
    }

    /// Follows a path of fields, e.g. `["Instances", "Instance"]`.
    pub fn at(&self, keys: &[&str]) -> Option<Node<'a>> {
        let mut node = self.clone();
        for key in keys {
            node = node.get(key)?;
        }
        Some(node)
    }

    fn index(&self, index: usize, value: &'a Value) -> Node<'a> {
        Node { value, file: self.file, path: format!("{}[{index}]", self.path) }
    }

    /// The elements of an array, or this value alone (XML gives one child without an array).
    pub fn items(&self) -> Vec<Node<'a>> {
        match self.value {
            Value::Array(items) => items.iter().enumerate().map(|(index, value)| self.index(index, value)).collect(),
            Value::Null => Vec::new(),
            _ => vec![self.clone()],
        }
    }

    /// The elements at a field path; absent is empty.
    pub fn list(&self, keys: &[&str]) -> Vec<Node<'a>> {
        self.at(keys).map(|node| node.items()).unwrap_or_default()
    }

    /// The elements at a field path that must be there (the collection of a list answer).
    pub fn collection(&self, keys: &[&str]) -> Result<Vec<Node<'a>>, FieldError> {
        match self.at(keys) {
            Some(node) => Ok(node.items()),
            None => Err(self.error(format!("expected the collection `{}`", keys.join(".")))),
        }
    }

    /// This value as text.
    pub fn as_str(&self) -> Result<&'a str, FieldError> {
        self.value.as_str().ok_or_else(|| self.expected("a string"))
    }

    /// A required text field.
    pub fn str(&self, key: &str) -> Result<&'a str, FieldError> {
        self.need(key)?.as_str()
    }

    /// An optional text field; absent, `null` and `""` are `None`.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(node) => node.as_str().map(|text| (!text.is_empty()).then_some(text)),
        }
    }

    /// Text or a number as text (ids are given either way: `"Uin": 100001`).
    pub fn text(&self, key: &str) -> Result<String, FieldError> {
        let node = self.need(key)?;
        match node.value {
            Value::String(text) => Ok(text.clone()),
            Value::Number(number) => Ok(number.to_string()),
            _ => Err(node.expected("text or a number")),
        }
    }

    /// Like [`Node::text`], absent, `null` and `""` being `None`.
    pub fn opt_text(&self, key: &str) -> Result<Option<String>, FieldError> {
        if self.get(key).is_none() {
            return Ok(None);
        }
        self.text(key).map(|text| (!text.is_empty()).then_some(text))
    }

    /// This value as an integer: a number or a numeric string.
    pub fn as_int(&self) -> Result<i64, FieldError> {
        match self.value {
            Value::Number(number) => number.as_i64().ok_or_else(|| self.expected("an integer")),
            Value::String(text) => text.trim().parse().map_err(|_| self.expected("an integer")),
            _ => Err(self.expected("an integer")),
        }
    }

    /// A required integer field.
    pub fn int(&self, key: &str) -> Result<i64, FieldError> {
        self.need(key)?.as_int()
    }

    /// An optional integer field; `""` is `None`.
    pub fn opt_int(&self, key: &str) -> Result<Option<i64>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(node) if node.value.as_str() == Some("") => Ok(None),
            Some(node) => node.as_int().map(Some),
        }
    }

    /// This value as a flag: a boolean, `0`/`1`, or `"true"`/`"false"`/`"0"`/`"1"`.
    pub fn as_flag(&self) -> Result<bool, FieldError> {
        match self.value {
            Value::Bool(flag) => Ok(*flag),
            Value::Number(number) if number.as_i64() == Some(0) => Ok(false),
            Value::Number(number) if number.as_i64() == Some(1) => Ok(true),
            Value::String(text) => match text.to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(self.expected("a flag (true/false, 0/1)")),
            },
            _ => Err(self.expected("a flag (true/false, 0/1)")),
        }
    }

    /// A required flag field.
    pub fn flag(&self, key: &str) -> Result<bool, FieldError> {
        self.need(key)?.as_flag()
    }

    /// An optional flag field.
    pub fn opt_flag(&self, key: &str) -> Result<Option<bool>, FieldError> {
        self.get(key).map(|node| node.as_flag()).transpose()
    }

    /// A list of strings at a field path (one-or-many, absent is empty); `""` entries dropped.
    pub fn strings(&self, keys: &[&str]) -> Result<Vec<String>, FieldError> {
        let mut out = Vec::new();
        for item in self.list(keys) {
            let text = item.as_str()?;
            if !text.is_empty() {
                out.push(text.to_owned());
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn loose_typing_is_absorbed_and_errors_carry_the_path() {
        let value = json!({"Set": [{"Uin": 100001, "Flag": "1", "Port": "22", "Name": ""}, {"Flag": "maybe"}]});
        let root = Node::root(&value, Path::new("a.json"));
        let items = root.collection(&["Set"]).unwrap();
        assert_eq!(items[0].text("Uin").unwrap(), "100001");
        assert!(items[0].flag("Flag").unwrap());
        assert_eq!(items[0].int("Port").unwrap(), 22);
        assert_eq!(items[0].opt_str("Name").unwrap(), None);
        let err = items[1].flag("Flag").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.json: $.Set[1].Flag: expected a flag (true/false, 0/1), found the string `maybe`"
        );
        let err = items[1].str("Uin").unwrap_err();
        assert_eq!(err.to_string(), "a.json: $.Set[1]: expected a field `Uin`");
        assert!(root.collection(&["Missing"]).is_err());
        assert_eq!(root.list(&["Missing"]).len(), 0);
    }
}
