//! One saved API answer, in any of the shapes the tools print: tccli's bare object, the raw API's
//! `{"Response": {...}}` envelope, aliyun's object, ossutil's JSON followed by a
//! `0.409493(s) elapsed` line, or an object-storage XML document. Error answers are told apart
//! from data here, once, for every call.

use serde_json::{Map, Value};

use super::xml;

/// What a saved answer holds.
#[derive(Debug)]
pub enum Answer {
    /// The call's data, envelope removed.
    Data(Value),
    /// The cloud refused or failed the call: nothing about the resources can be concluded.
    Error(ApiError),
}

/// An error answer: the vendor's code and message, as the vendor wrote them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// How a file's bytes are to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Xml,
}

/// Reads one answer; the error says where the text stopped making sense.
pub fn parse(text: &str, syntax: Syntax) -> Result<Answer, String> {
    match syntax {
        Syntax::Json => parse_json(text),
        Syntax::Xml => parse_xml(text),
    }
}

fn parse_json(text: &str) -> Result<Answer, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let value = match values.next() {
        Some(Ok(value)) => value,
        Some(Err(err)) => return Err(json_error(&err)),
        None => return Err("the file is empty".to_owned()),
    };
    let rest = &text[values.byte_offset()..];
    if !is_trailer(rest) {
        let line = text[..values.byte_offset()].lines().count().max(1);
        return Err(format!("unexpected text after the JSON answer, after line {line}: `{}`", first_line(rest)));
    }
    Ok(classify_json(value))
}

/// `invalid JSON at line L, column C: what`, the position said once.
pub fn json_error(err: &serde_json::Error) -> String {
    format!("invalid JSON at line {}, column {}: {}", err.line(), err.column(), json_error_cause(err))
}

/// What serde_json found wrong, without its position.
pub fn json_error_cause(err: &serde_json::Error) -> String {
    let message = err.to_string();
    message.rsplit_once(" at line ").map_or(message.clone(), |(what, _)| what.to_owned())
}

/// Whitespace, or ossutil's timing line.
fn is_trailer(rest: &str) -> bool {
    let rest = rest.trim();
    rest.is_empty()
        || rest
            .strip_suffix("(s) elapsed")
            .is_some_and(|seconds| !seconds.is_empty() && seconds.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn first_line(text: &str) -> String {
    let line = text.trim_start().lines().next().unwrap_or_default();
    line.chars().take(60).collect()
}

fn classify_json(value: Value) -> Answer {
    let Value::Object(mut object) = value else { return Answer::Data(value) };
    if object.len() == 1
        && let Some(Value::Object(_)) = object.get("Response")
        && let Some(Value::Object(inner)) = object.remove("Response")
    {
        object = inner;
    }
    if let Some(error) = tencent_error(&object).or_else(|| alibaba_error(&object)) {
        return Answer::Error(error);
    }
    Answer::Data(Value::Object(object))
}

/// `{"Error": {"Code": ..., "Message": ...}, "RequestId": ...}` inside the envelope.
fn tencent_error(object: &Map<String, Value>) -> Option<ApiError> {
    let error = object.get("Error")?.as_object()?;
    Some(ApiError {
        code: text_of(error.get("Code")?)?,
        message: error.get("Message").and_then(text_of).unwrap_or_default(),
    })
}

/// Alibaba RPC errors are flat: `Code` and `Message` beside `RequestId`, `HostId`,
/// `Recommend`; a data answer never consists of those keys only.
fn alibaba_error(object: &Map<String, Value>) -> Option<ApiError> {
    const ERROR_KEYS: [&str; 7] =
        ["Code", "Message", "RequestId", "HostId", "Recommend", "AccessDeniedDetail", "Success"];
    let code = text_of(object.get("Code")?)?;
    if !object.contains_key("Message") || !object.keys().all(|key| ERROR_KEYS.contains(&key.as_str())) {
        return None;
    }
    if object.get("Success") == Some(&Value::Bool(true)) {
        return None;
    }
    Some(ApiError { code, message: object.get("Message").and_then(text_of).unwrap_or_default() })
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn parse_xml(text: &str) -> Result<Answer, String> {
    let document = xml::parse(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    if let Some(error) = document.get("Error") {
        let field = |name: &str| error.get(name).and_then(text_of).unwrap_or_default();
        return Ok(Answer::Error(ApiError { code: field("Code"), message: field("Message") }));
    }
    Ok(Answer::Data(document))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(text: &str, syntax: Syntax) -> Value {
        match parse(text, syntax).unwrap() {
            Answer::Data(value) => value,
            Answer::Error(error) => panic!("unexpected error answer {error:?}"),
        }
    }

    fn error(text: &str, syntax: Syntax) -> ApiError {
        match parse(text, syntax).unwrap() {
            Answer::Error(error) => error,
            Answer::Data(value) => panic!("unexpected data {value}"),
        }
    }

    #[test]
    fn the_envelope_is_optional() {
        let bare = data(r#"{"TotalCount": 1, "InstanceSet": []}"#, Syntax::Json);
        let wrapped = data(r#"{"Response": {"TotalCount": 1, "InstanceSet": []}}"#, Syntax::Json);
        assert_eq!(bare, wrapped);
    }

    #[test]
    fn ossutil_timing_line_is_not_data() {
        let value = data("{\"AccessControlList\":{\"Grant\":\"public-read\"}}\n0.409493(s) elapsed\n", Syntax::Json);
        assert_eq!(value["AccessControlList"]["Grant"], json!("public-read"));
        let err = parse("{}\nsomething else\n", Syntax::Json).unwrap_err();
        assert!(err.contains("unexpected text after the JSON answer"), "{err}");
    }

    #[test]
    fn error_answers_of_both_clouds() {
        let tencent = error(
            r#"{"Response":{"Error":{"Code":"AuthFailure.UnauthorizedOperation","Message":"no"},"RequestId":"r"}}"#,
            Syntax::Json,
        );
        assert_eq!(tencent.code, "AuthFailure.UnauthorizedOperation");
        let alibaba = error(
            r#"{"RequestId":"r","HostId":"ram.aliyuncs.com","Code":"Forbidden.RAM","Message":"denied"}"#,
            Syntax::Json,
        );
        assert_eq!(alibaba, ApiError { code: "Forbidden.RAM".into(), message: "denied".into() });
        let oss = error("<Error><Code>NoSuchBucketPolicy</Code><Message>none</Message></Error>", Syntax::Xml);
        assert_eq!(oss.code, "NoSuchBucketPolicy");
    }

    #[test]
    fn a_data_answer_carrying_a_code_is_data() {
        let value = data(r#"{"RequestId":"r","Code":"200","Message":"ok","Items":[]}"#, Syntax::Json);
        assert!(value.get("Items").is_some());
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let err = parse("{\n  \"a\": ,\n}", Syntax::Json).unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert_eq!(parse("  ", Syntax::Json).unwrap_err(), "the file is empty");
    }
}
