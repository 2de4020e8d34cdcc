//! CAM and RAM policy documents as the snapshot's `PolicyDocument` record holds them: the JSON
//! grammar kept as written, only the grammar keys spelt the schema's way. Both clouds write the
//! same grammar (Alibaba RAM capitalised, `"Statement"`; Tencent CAM lower case, `"statement"`),
//! so one reader serves both.

use serde_json::{Map, Value};

use crate::node::{FieldError, Node};

/// The policy grammar keys, as the snapshot spells them.
const GRAMMAR: [&str; 7] = ["version", "statement", "effect", "action", "resource", "principal", "condition"];

/// A policy document: parsed from the JSON string the identity APIs return (or taken as the
/// object a bucket-policy answer is), kept as written except that the grammar keys are lower
/// case (`Statement` → `statement`) and a lone statement object becomes a one-element list.
/// Values, principals and condition keys (`acs:SourceIp`) are never touched.
pub(crate) fn document(node: &Node<'_>) -> Result<Value, FieldError> {
    let parsed;
    let value = match node.value {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|err| node.error(format!("the policy document is not valid JSON: {err}")))?;
            &parsed
        }
        value => value,
    };
    let Value::Object(document) = value else { return Err(node.expected("a policy document object")) };
    let mut document = grammar_keys(document);
    let statement = match document.remove("statement") {
        Some(Value::Array(statements)) => statements,
        Some(Value::Object(single)) => vec![Value::Object(single)],
        _ => return Err(node.error("the policy document has no `statement` list")),
    };
    if !document.get("version").is_some_and(Value::is_string) {
        return Err(node.error("the policy document has no `version` string"));
    }
    let statement = statement
        .into_iter()
        .map(|item| match item {
            Value::Object(fields) => Ok(Value::Object(grammar_keys(&fields))),
            _ => Err(node.error("a policy statement is not an object")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    document.insert("statement".to_owned(), Value::Array(statement));
    Ok(Value::Object(document))
}

/// The object with its grammar keys in lower case, every other key as written.
fn grammar_keys(fields: &Map<String, Value>) -> Map<String, Value> {
    fields
        .iter()
        .map(|(key, value)| {
            let key = GRAMMAR.iter().find(|grammar| grammar.eq_ignore_ascii_case(key)).map_or(key.as_str(), |g| g);
            (key.to_owned(), value.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn read(value: &Value) -> Result<Value, FieldError> {
        document(&Node::root(value, Path::new("a.json")))
    }

    #[test]
    fn ram_documents_get_lower_case_grammar_keys_only() {
        let text = json!(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}]}"#
        );
        assert_eq!(
            read(&text).unwrap(),
            json!({"version": "1", "statement": [{"effect": "Allow", "action": "ecs:*", "resource": "*",
                   "condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}}]})
        );
        let trust = json!({"Statement": {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"RAM": ["acs:ram::1:root"]}}, "Version": "1"});
        assert_eq!(read(&trust).unwrap()["statement"][0]["principal"], json!({"RAM": ["acs:ram::1:root"]}));
    }

    #[test]
    fn cam_documents_keep_their_values() {
        let bucket = json!({
            "Statement": {"Principal": {"qcs": ["qcs::cam::uin/1:uin/1"]}, "Effect": "allow",
                          "Action": ["name/cos:GetBucket"], "Condition": {"IpEqual": {"qcs:ip": "10.0.0.0/8"}}},
            "version": "2.0"
        });
        assert_eq!(
            read(&bucket).unwrap(),
            json!({"version": "2.0", "statement": [{"principal": {"qcs": ["qcs::cam::uin/1:uin/1"]}, "effect": "allow",
                   "action": ["name/cos:GetBucket"], "condition": {"IpEqual": {"qcs:ip": "10.0.0.0/8"}}}]})
        );
        // Tencent escapes the slash of `name/cos:*` in the JSON string.
        let text =
            json!(r#"{"version":"2.0","statement":[{"effect":"allow","action":["name\/cos:*"],"resource":["*"]}]}"#);
        assert_eq!(read(&text).unwrap()["statement"][0]["action"][0], json!("name/cos:*"));
    }

    #[test]
    fn broken_documents_say_why() {
        assert!(read(&json!("{not json")).unwrap_err().message.contains("not valid JSON"));
        assert!(read(&json!({"Statement": []})).unwrap_err().message.contains("version"));
        assert!(read(&json!({"Version": "1"})).unwrap_err().message.contains("statement"));
        assert!(read(&json!({"Version": "1", "Statement": ["x"]})).unwrap_err().message.contains("not an object"));
    }
}
