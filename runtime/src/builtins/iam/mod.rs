//! IAM builtins: Tencent CAM and Alibaba RAM policy evaluation over a plain Rust model (spec:
//! the doc comments of `stdlib-rules/iam.rule` and CATALOGUE.md, "Definitions the rules share").
//!
//! - [`PolicyDocument::from_json`] reads a policy as either provider writes it.
//! - [`pattern`]: action / resource patterns (`*` is the only wildcard) and pattern coverage.
//! - [`Evaluation`] holds one principal's documents (or stands for a root account) and answers
//!   the privilege questions: conservatively without a request context
//!   ([`Evaluation::may_allow`], [`Evaluation::is_admin`], [`Evaluation::grants_any`],
//!   [`Evaluation::may_write_bucket`]), or by evaluating conditions against one
//!   ([`Evaluation::decide`], [`Evaluation::allows_in_context`]; [`condition`] documents
//!   each provider's rules, missing keys included).
//! - [`effective_policies`], [`unused_actions`] and [`least_privilege`] are the pure parts of
//!   the graph walk and of the governance advice; walking the store is the evaluator's job.

mod advice;
pub mod condition;
mod evaluation;
pub mod pattern;

use std::sync::LazyLock;

use pattern::Pattern;
use serde_json::{Map, Value};

pub use advice::{effective_policies, least_privilege, unused_actions};
pub use condition::{ConditionWarning, ContextKind};
pub use evaluation::{Decision, Evaluation, Verdict};

/// The two policy grammars: they share the JSON shape but spell keys and operators differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Tencent Cloud CAM: `statement`, `effect`, `string_equal`, `qcs:ip`, service `cos`.
    Cam,
    /// Alibaba Cloud RAM: `Statement`, `Effect`, `StringEquals`, `acs:SourceIp`, service `oss`.
    Ram,
}

impl Dialect {
    /// The action patterns that write or control a bucket of the dialect's object storage;
    /// `std.iam.storage_write_actions` (stdlib-rules/iam.rule) names the same ones.
    pub fn storage_write_patterns(self) -> [&'static str; 2] {
        match self {
            Dialect::Cam => ["cos:Put*", "cos:Delete*"],
            Dialect::Ram => ["oss:Put*", "oss:Delete*"],
        }
    }

    /// [`storage_write_patterns`](Self::storage_write_patterns), compiled once per run.
    pub fn storage_write_globs(self) -> &'static [Pattern; 2] {
        static CAM: LazyLock<[Pattern; 2]> =
            LazyLock::new(|| Dialect::Cam.storage_write_patterns().map(Pattern::action));
        static RAM: LazyLock<[Pattern; 2]> =
            LazyLock::new(|| Dialect::Ram.storage_write_patterns().map(Pattern::action));
        match self {
            Dialect::Cam => &CAM,
            Dialect::Ram => &RAM,
        }
    }

    /// The request condition key saying whether a request came over TLS: COS's
    /// `cos:secure-transport`, OSS's `acs:SecureTransport` (the providers' condition-key
    /// references).
    fn secure_transport_key(self) -> &'static str {
        match self {
            Dialect::Cam => "cos:secure-transport",
            Dialect::Ram => "acs:SecureTransport",
        }
    }

    /// An object read and an object write of the dialect's object storage: what an
    /// HTTPS-only bucket policy must refuse over plain HTTP.
    fn object_reads_and_writes(self) -> [&'static str; 2] {
        match self {
            Dialect::Cam => ["cos:GetObject", "cos:PutObject"],
            Dialect::Ram => ["oss:GetObject", "oss:PutObject"],
        }
    }
}

/// A statement's effect, read case-insensitively (`allow`, `Allow`, `ALLOW`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// A set qualifier in front of a condition operator (`for_any_value:string_equal`,
/// `ForAllValues:StringEquals`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// `for_any_value` / `ForAnyValue`: some value of the request's key satisfies the operator.
    ForAnyValue,
    /// `for_all_value` / `ForAllValues`: every value of the request's key satisfies it.
    ForAllValues,
}

/// One condition: an operator applied to one key with one or more policy values (OR).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator as written, without its qualifier: `string_equal`, `IpAddress`,
    /// `ip_equal_if_exist`. Unknown operators are kept and reported when evaluated.
    pub operator: String,
    pub qualifier: Option<Qualifier>,
    /// The condition key, e.g. `qcs:ip`, `acs:SourceIp`.
    pub key: String,
    /// The policy's values for the key; numbers and booleans are kept as their JSON text.
    pub values: Vec<String>,
}

/// One statement. A well-formed statement has `actions` or `not_actions`, not both.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub effect: Effect,
    /// Action patterns (`cos:Get*`, `name/cos:GetObject`, `*`).
    pub actions: Vec<Pattern>,
    /// `NotAction`: the statement covers every action matching none of these.
    pub not_actions: Vec<Pattern>,
    /// Resource patterns as written; `None` when the statement has no `resource` (trust
    /// policies), which covers `*`.
    pub resources: Option<Vec<Pattern>>,
    /// `NotResource`: the statement covers every resource matching none of these.
    pub not_resources: Option<Vec<Pattern>>,
    /// The `principal` of trust and bucket policies, as written.
    pub principal: Option<Value>,
    /// All must hold (AND) for the statement to apply.
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// Whether the statement has a condition (conditional allows still count in the
    /// conservative questions; conditional denies do not).
    pub fn is_conditional(&self) -> bool {
        !self.conditions.is_empty()
    }
}

/// A CAM / RAM policy document, kept as written.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// Reads a policy document as Tencent (`version`, `statement`, `effect`, `action`,
    /// `resource`, `condition`, `principal`) or Alibaba (`Version`, `Statement`, `Effect`,
    /// `Action`, `NotAction`, `Resource`, `NotResource`, `Condition`, `Principal`) writes it.
    /// `action` and `resource` may be one string or a list; `statement` may be one object.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let doc = value.as_object().ok_or("a policy document must be an object")?;
        let version = field(doc, "version", "Version").map(scalar_text).transpose()?;
        let statements = match field(doc, "statement", "Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one @ Value::Object(_)) => vec![one],
            Some(_) => return Err("`statement` must be an object or a list of objects".into()),
            None => return Err("a policy document needs a `statement`".into()),
        };
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(i, s)| parse_statement(s).map_err(|e| format!("statement {i}: {e}")))
            .collect::<Result<_, _>>()?;
        Ok(PolicyDocument { version, statements })
    }

    /// Whether statements naming anyone explicitly deny reading and writing the objects of the
    /// bucket `bucket` (its resource name) to a request made without TLS — the HTTPS-only
    /// policy CIS Alibaba 5.4 and Alibaba Cloud Config's `oss-bucket-only-https-enabled` ask
    /// for. An allow "only if secure" does not count: another allow (or the ACL) still lets
    /// plain HTTP in.
    pub fn refuses_plain_http(&self, dialect: Dialect, bucket: &str) -> bool {
        let anyone = PolicyDocument {
            version: self.version.clone(),
            statements: self
                .statements
                .iter()
                .filter(|s| s.principal.as_ref().is_some_and(names_anyone))
                .cloned()
                .collect(),
        };
        let evaluation = Evaluation::new([&anyone]);
        let object = format!("{bucket}/object");
        let plain =
            std::collections::BTreeMap::from([(dialect.secure_transport_key().to_owned(), vec!["false".to_owned()])]);
        dialect.object_reads_and_writes().iter().all(|action| {
            evaluation.decide(action, &object, &plain, ContextKind::Complete).decision == Decision::ExplicitDeny
        })
    }

    /// Whether some unconditional allow statement names any principal: `*`, a list or map
    /// holding `*` (`{"qcs": ["*"]}`, `{"RAM": ["*"]}`, `{"acs": "*"}`), or Tencent's anonymous
    /// principal `qcs::cam::anyone:anyone`. For trust policies (IAM_ROLE_TRUST_ANYONE) and
    /// bucket policies (STORE_BUCKET_POLICY_PUBLIC).
    pub fn allows_any_principal(&self) -> bool {
        self.statements
            .iter()
            .any(|s| s.effect == Effect::Allow && !s.is_conditional() && s.principal.as_ref().is_some_and(names_anyone))
    }
}

fn names_anyone(principal: &Value) -> bool {
    match principal {
        Value::String(s) => s == "*" || s == "qcs::cam::anyone:anyone",
        Value::Array(items) => items.iter().any(names_anyone),
        Value::Object(map) => map.values().any(names_anyone),
        _ => false,
    }
}

/// The value under the Tencent or the Alibaba spelling of a key.
fn field<'v>(obj: &'v Map<String, Value>, tencent: &str, alibaba: &str) -> Option<&'v Value> {
    obj.get(tencent).or_else(|| obj.get(alibaba))
}

fn parse_statement(value: &Value) -> Result<Statement, String> {
    let obj = value.as_object().ok_or("a statement must be an object")?;
    let effect = match field(obj, "effect", "Effect") {
        Some(Value::String(e)) if e.eq_ignore_ascii_case("allow") => Effect::Allow,
        Some(Value::String(e)) if e.eq_ignore_ascii_case("deny") => Effect::Deny,
        Some(other) => return Err(format!("`effect` must be `allow` or `deny`, found `{other}`")),
        None => return Err("missing `effect`".into()),
    };
    let patterns = |tencent: &str, alibaba: &str, compile: fn(String) -> Pattern| {
        field(obj, tencent, alibaba).map(|v| Ok::<_, String>(strings(v, tencent)?.into_iter().map(compile).collect()))
    };
    let actions: Option<Vec<Pattern>> = patterns("action", "Action", Pattern::action).transpose()?;
    let not_actions = patterns("not_action", "NotAction", Pattern::action).transpose()?;
    let (actions, not_actions) = match (actions, not_actions) {
        (Some(_), Some(_)) => return Err("`action` and `not_action` are exclusive".into()),
        (None, None) => return Err("missing `action`".into()),
        (a, n) => (a.unwrap_or_default(), n.unwrap_or_default()),
    };
    let resources = patterns("resource", "Resource", Pattern::resource).transpose()?;
    let not_resources = patterns("not_resource", "NotResource", Pattern::resource).transpose()?;
    if resources.is_some() && not_resources.is_some() {
        return Err("`resource` and `not_resource` are exclusive".into());
    }
    let conditions = match field(obj, "condition", "Condition") {
        Some(c) => parse_conditions(c)?,
        None => Vec::new(),
    };
    let principal = field(obj, "principal", "Principal").cloned();
    Ok(Statement { effect, actions, not_actions, resources, not_resources, principal, conditions })
}

/// `{ operator: { key: value | [value] } }`, operator optionally qualified
/// (`for_any_value:string_equal`).
fn parse_conditions(value: &Value) -> Result<Vec<Condition>, String> {
    let block = value.as_object().ok_or("`condition` must be an object")?;
    let mut conditions = Vec::new();
    for (written, keys) in block {
        let keys = keys.as_object().ok_or_else(|| format!("condition `{written}` must map keys to values"))?;
        let (qualifier, operator) = split_qualifier(written);
        for (key, values) in keys {
            let values = strings(values, key)?;
            conditions.push(Condition { operator: operator.to_owned(), qualifier, key: key.clone(), values });
        }
    }
    Ok(conditions)
}

/// `for_any_value:string_equal` → (ForAnyValue, `string_equal`). An unknown prefix is left in
/// the operator, which then evaluates as unknown.
fn split_qualifier(operator: &str) -> (Option<Qualifier>, &str) {
    let Some((prefix, rest)) = operator.split_once(':') else { return (None, operator) };
    match prefix {
        "for_any_value" | "ForAnyValue" => (Some(Qualifier::ForAnyValue), rest),
        "for_all_value" | "ForAllValues" => (Some(Qualifier::ForAllValues), rest),
        _ => (None, operator),
    }
}

/// One string (number, boolean) or a list of them.
fn strings(value: &Value, what: &str) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items.iter().map(|v| scalar_text(v).map_err(|_| list_error(what))).collect(),
        other => Ok(vec![scalar_text(other).map_err(|_| list_error(what))?]),
    }
}

fn list_error(what: &str) -> String {
    format!("`{what}` must be a string or a list of strings")
}

fn scalar_text(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("expected a string, found `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> PolicyDocument {
        PolicyDocument::from_json(&value).unwrap()
    }

    /// The stdlib documents the bucket-write patterns for rule authors; they must stay the ones
    /// `can_write_bucket` judges with.
    #[test]
    fn the_stdlib_names_the_bucket_write_patterns_judged_here() {
        let stdlib = include_str!("../../../../stdlib-rules/iam.rule");
        let start = stdlib.find("const storage_write_actions").expect("std.iam.storage_write_actions");
        let end = start + stdlib[start..].find("\n}").expect("the end of the constant");
        // Whitespace removed, so the test does not depend on the constant's layout.
        let line: String = stdlib[start..end].chars().filter(|c| !c.is_whitespace()).collect();
        for (provider, dialect) in [("tencent", Dialect::Cam), ("alibaba", Dialect::Ram)] {
            let [put, delete] = dialect.storage_write_patterns();
            let listed = format!("\"{provider}\":[\"{put}\",\"{delete}\"]");
            assert!(line.contains(&listed), "{line} should list {listed}");
        }
    }

    #[test]
    fn an_https_only_policy_denies_plain_http_to_anyone_for_reads_and_writes() {
        let oss = "acs:oss:*:1234:logs";
        let deny = |principal: Value, action: Value, condition: Value| {
            parse(json!({"Version": "1", "Statement": [{"Effect": "Deny", "Principal": principal, "Action": action,
                "Resource": ["acs:oss:*:*:logs", "acs:oss:*:*:logs/*"], "Condition": condition}]}))
        };
        let insecure = json!({"Bool": {"acs:SecureTransport": ["false"]}});
        assert!(deny(json!(["*"]), json!("oss:*"), insecure.clone()).refuses_plain_http(Dialect::Ram, oss));
        // Trap: a deny for one user only leaves everyone else on HTTP.
        assert!(
            !deny(json!(["20214760404935xxxx"]), json!("oss:*"), insecure.clone())
                .refuses_plain_http(Dialect::Ram, oss)
        );
        // Reads refused, writes not.
        assert!(!deny(json!("*"), json!("oss:GetObject"), insecure).refuses_plain_http(Dialect::Ram, oss));
        // Trap: denying when the request *is* secure is the opposite policy.
        let backwards = deny(json!("*"), json!("oss:*"), json!({"Bool": {"acs:SecureTransport": "true"}}));
        assert!(!backwards.refuses_plain_http(Dialect::Ram, oss));
        // An allow that needs TLS refuses nothing: another grant still admits HTTP.
        let allow_secure = parse(json!({"Version": "1", "Statement": [{"Effect": "Allow", "Principal": ["*"],
            "Action": ["oss:GetObject"], "Resource": ["acs:oss:*:*:logs/*"],
            "Condition": {"Bool": {"acs:SecureTransport": ["true"]}}}]}));
        assert!(!allow_secure.refuses_plain_http(Dialect::Ram, oss));
        // COS: its own key and operator, `name/` actions.
        let cos = parse(json!({"version": "2.0", "statement": [{"effect": "deny", "principal": {"qcs": ["*"]},
            "action": ["name/cos:*"], "resource": ["qcs::cos:ap-guangzhou:uid/1250000000:logs-1250000000/*"],
            "condition": {"bool_equal": {"cos:secure-transport": "false"}}}]}));
        assert!(cos.refuses_plain_http(Dialect::Cam, "qcs::cos:ap-guangzhou:uid/1250000000:logs-1250000000"));
        assert!(!cos.refuses_plain_http(Dialect::Cam, "qcs::cos:ap-guangzhou:uid/1250000000:other-1250000000"));
    }

    #[test]
    fn tencent_spelling_with_single_strings() {
        let doc = parse(json!({
            "version": "2.0",
            "statement": [{"effect": "allow", "action": "name/cos:GetObject", "resource": "*"}]
        }));
        assert_eq!(doc.version.as_deref(), Some("2.0"));
        let s = &doc.statements[0];
        assert_eq!(s.effect, Effect::Allow);
        assert_eq!(s.actions, ["name/cos:GetObject"]);
        assert_eq!(s.resources.as_deref(), Some(&[Pattern::resource("*")][..]));
    }

    #[test]
    fn alibaba_spelling_with_lists_and_not_action() {
        let doc = parse(json!({
            "Version": "1",
            "Statement": [
                {"Effect": "Allow", "NotAction": ["ram:*"], "Resource": ["acs:oss:*:*:b", "acs:oss:*:*:b/*"]},
                {"Effect": "Deny", "Action": ["oss:Delete*", "oss:Put*"], "Resource": "*"}
            ]
        }));
        assert_eq!(doc.statements.len(), 2);
        assert_eq!(doc.statements[0].not_actions, ["ram:*"]);
        assert!(doc.statements[0].actions.is_empty());
        assert_eq!(doc.statements[0].resources.as_ref().map(Vec::len), Some(2));
        assert_eq!(doc.statements[1].effect, Effect::Deny);
    }

    #[test]
    fn effect_in_any_case() {
        for (written, effect) in [("allow", Effect::Allow), ("Allow", Effect::Allow), ("ALLOW", Effect::Allow)]
            .into_iter()
            .chain([("deny", Effect::Deny), ("Deny", Effect::Deny), ("DeNy", Effect::Deny)])
        {
            let doc = parse(json!({"statement": [{"effect": written, "action": "*", "resource": "*"}]}));
            assert_eq!(doc.statements[0].effect, effect, "{written}");
        }
        let bad = PolicyDocument::from_json(&json!({"statement": [{"effect": "permit", "action": "*"}]}));
        assert_eq!(bad.unwrap_err(), "statement 0: `effect` must be `allow` or `deny`, found `\"permit\"`");
    }

    #[test]
    fn trust_policy_without_resource() {
        let doc = parse(json!({
            "version": "2.0",
            "statement": [{"effect": "allow", "action": "name/sts:AssumeRole", "principal": {"qcs": ["*"]}}]
        }));
        let s = &doc.statements[0];
        assert_eq!(s.resources, None);
        assert_eq!(s.principal, Some(json!({"qcs": ["*"]})));
        assert!(doc.allows_any_principal());
    }

    #[test]
    fn any_principal_forms() {
        let trust = |principal: Value, condition: Option<Value>| {
            let mut s = json!({"effect": "allow", "action": "sts:AssumeRole", "principal": principal});
            if let Some(c) = condition {
                s["condition"] = c;
            }
            parse(json!({"statement": [s]})).allows_any_principal()
        };
        assert!(trust(json!("*"), None));
        assert!(trust(json!({"RAM": ["*"]}), None));
        assert!(trust(json!({"acs": "*"}), None));
        assert!(trust(json!({"qcs": ["qcs::cam::anyone:anyone"]}), None));
        assert!(trust(json!(["*"]), None));
        assert!(!trust(json!({"qcs": ["qcs::cam::uin/100000000001:root"]}), None));
        assert!(!trust(json!({"RAM": ["*"]}), Some(json!({"ip_equal": {"qcs:ip": "10.0.0.0/8"}}))));
        let deny = parse(json!({"statement": [{"effect": "deny", "action": "*", "principal": "*"}]}));
        assert!(!deny.allows_any_principal());
    }

    #[test]
    fn conditions_with_qualifiers_and_scalars() {
        let doc = parse(json!({"statement": [{
            "effect": "allow", "action": "*", "resource": "*",
            "condition": {
                "for_any_value:string_equal": {"qcs:resource_tag": ["env&prod", "env&test"]},
                "ForAllValues:StringLike": {"acs:TagKeys": "team*"},
                "Bool": {"acs:SecureTransport": true},
                "NumericLessThan": {"acs:Age": 10},
                "something:odd": {"k": "v"}
            }
        }]}));
        let conds = &doc.statements[0].conditions;
        let find = |op: &str| conds.iter().find(|c| c.operator == op).unwrap();
        assert_eq!(find("string_equal").qualifier, Some(Qualifier::ForAnyValue));
        assert_eq!(find("string_equal").values, ["env&prod", "env&test"]);
        assert_eq!(find("StringLike").qualifier, Some(Qualifier::ForAllValues));
        assert_eq!(find("Bool").values, ["true"]);
        assert_eq!(find("NumericLessThan").values, ["10"]);
        assert_eq!(find("something:odd").qualifier, None);
    }

    #[test]
    fn single_statement_object_is_accepted() {
        let doc = parse(json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}));
        assert_eq!(doc.statements.len(), 1);
    }

    #[test]
    fn malformed_documents_are_errors() {
        let err = |v: Value| PolicyDocument::from_json(&v).unwrap_err();
        assert_eq!(err(json!([])), "a policy document must be an object");
        assert_eq!(err(json!({"version": "2.0"})), "a policy document needs a `statement`");
        assert_eq!(err(json!({"statement": [{"effect": "allow"}]})), "statement 0: missing `action`");
        assert_eq!(
            err(json!({"statement": [{"effect": "allow", "action": [1, {}]}]})),
            "statement 0: `action` must be a string or a list of strings"
        );
        assert_eq!(
            err(json!({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "ram:*"}]})),
            "statement 0: `action` and `not_action` are exclusive"
        );
        assert_eq!(
            err(json!({"statement": [{"effect": "allow", "action": "*", "condition": {"ip_equal": "x"}}]})),
            "statement 0: condition `ip_equal` must map keys to values"
        );
    }
}
