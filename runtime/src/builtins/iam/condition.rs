//! Condition evaluation against a request context (`key → values`).
//!
//! Operators are recognised by spelling, which also fixes the dialect: Tencent's snake_case
//! (`string_equal`, `ip_not_equal`, `for_any_value:`, `_if_exist`) or Alibaba's CamelCase
//! (`StringEquals`, `NotIpAddress`, `ForAnyValue:`, `IfExists`).
//!
//! Combining: several values for one key in the policy are OR-ed — for a negated operator
//! (`string_not_equal`, `StringNotEquals`, `NotIpAddress`, …) that makes "matches none of
//! them" (NOR), as AWS documents and as a deny such as `ip_not_equal [office, idc]` needs;
//! several keys or operators in one statement are AND-ed. Without a qualifier a positive
//! operator holds when some value of the request's key matches, a negated one when none does;
//! `for_any_value` asks that some request value satisfy the operator, `for_all_value` that
//! every one does.
//!
//! **A key the context lacks** ([`ContextKind::Complete`]: absent from the request; a key
//! with no values counts as absent):
//! - Tencent CAM (<https://www.tencentcloud.com/document/product/598/10608>, "Conditions",
//!   evaluation logic) documents that a condition is met when the context's value for the key
//!   matches one of the condition values, and that an operator suffixed `_if_exist` (all but
//!   `null_equal`) is met *even if* the context lacks the key. We read that, as written, for
//!   every operator: without `_if_exist` an absent key does not meet the condition — negated
//!   operators included (`ip_not_equal` with no `qcs:ip` is false); CAM documents no
//!   exception for them. `null_equal` ("条件键为空匹配", product/598/58420) tests presence:
//!   `true` holds when the key is absent, `false` when present.
//! - Alibaba RAM (<https://www.alibabacloud.com/help/en/ram/conditional-operator>, and the
//!   policy elements page, doc-detail/93738) does not document the case. Its grammar is
//!   AWS IAM's, so we apply AWS's documented rule (IAM User Guide, "Condition operators":
//!   "If the key that you specify in a policy condition is not present in the request context,
//!   the values do not match and the condition is false. If the policy condition requires that
//!   the key is not matched, such as StringNotLike …, and the right key is not present, the
//!   condition is true", except `…IfExists` (true when absent) and `Null` (tests presence)).
//! - Qualifiers, both dialects, as AWS documents: `for_all_value` over an absent key holds
//!   (vacuously: there is no value that fails), `for_any_value` does not (there is no value
//!   that matches). Tencent documents the qualifiers without the absent case.
//!
//! With [`ContextKind::Partial`] (the caller knows only some keys: `std.iam.allows` with a
//! context, stdlib-rules/iam.rule) a condition on a key the context lacks is undecided.
//!
//! An unknown operator, or a value the operator cannot read (a malformed IP, date or
//! number), makes the condition undecided and yields a [`ConditionWarning`] — never a panic.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use ipnet::IpNet;
use wildmatch::WildMatch;

use super::{Condition, Dialect, Qualifier};

/// How complete a request context is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContextKind {
    /// The context is the whole request: a key it lacks is absent from the request, judged by
    /// the providers' rules (module documentation); an undecidable condition (unknown
    /// operator, malformed value) does not hold, so neither an allow nor a deny applies.
    Complete,
    /// The context lists what the caller knows: a condition on a key it lacks, or an
    /// undecidable one, is undecided, and an undecided condition lets an allow apply and keeps
    /// a deny from applying — as in the no-context question (stdlib-rules/iam.rule).
    Partial,
}

/// Why a condition could not be decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConditionWarning {
    /// The operator (with its qualifier, as written) is not one CAM or RAM defines.
    UnknownOperator { operator: String },
    /// A policy or context value the operator cannot read.
    MalformedValue { operator: String, key: String, value: String },
}

impl fmt::Display for ConditionWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionWarning::UnknownOperator { operator } => write!(f, "unknown condition operator `{operator}`"),
            ConditionWarning::MalformedValue { operator, key, value } => {
                write!(f, "condition `{operator}` on `{key}` cannot read the value `{value}`")
            }
        }
    }
}

/// The outcome of a condition, or of a statement's conditions together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Truth {
    True,
    False,
    Undecided,
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

/// What an operator compares; the negated operators are their positive test, negated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    StringEquals,
    StringEqualsIgnoreCase,
    /// `*` and `?` wildcards, case-sensitive (RAM documents both; CAM the same operator).
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    /// The request IP lies in one of the policy's CIDRs (a bare IP is a /32 or /128).
    Ip,
    /// Key presence: `true` holds when the key is absent.
    Null,
}

/// (CAM spelling, RAM spelling, test, negated).
const OPERATORS: &[(&str, &str, Test, bool)] = &[
    ("string_equal", "StringEquals", Test::StringEquals, false),
    ("string_not_equal", "StringNotEquals", Test::StringEquals, true),
    ("string_equal_ignore_case", "StringEqualsIgnoreCase", Test::StringEqualsIgnoreCase, false),
    ("string_not_equal_ignore_case", "StringNotEqualsIgnoreCase", Test::StringEqualsIgnoreCase, true),
    ("string_like", "StringLike", Test::StringLike, false),
    ("string_not_like", "StringNotLike", Test::StringLike, true),
    ("numeric_equal", "NumericEquals", Test::Numeric(Cmp::Eq), false),
    ("numeric_not_equal", "NumericNotEquals", Test::Numeric(Cmp::Eq), true),
    ("numeric_less_than", "NumericLessThan", Test::Numeric(Cmp::Lt), false),
    ("numeric_less_than_equal", "NumericLessThanEquals", Test::Numeric(Cmp::Le), false),
    ("numeric_greater_than", "NumericGreaterThan", Test::Numeric(Cmp::Gt), false),
    ("numeric_greater_than_equal", "NumericGreaterThanEquals", Test::Numeric(Cmp::Ge), false),
    ("date_equal", "DateEquals", Test::Date(Cmp::Eq), false),
    ("date_not_equal", "DateNotEquals", Test::Date(Cmp::Eq), true),
    ("date_less_than", "DateLessThan", Test::Date(Cmp::Lt), false),
    ("date_less_than_equal", "DateLessThanEquals", Test::Date(Cmp::Le), false),
    ("date_greater_than", "DateGreaterThan", Test::Date(Cmp::Gt), false),
    ("date_greater_than_equal", "DateGreaterThanEquals", Test::Date(Cmp::Ge), false),
    ("bool_equal", "Bool", Test::Bool, false),
    ("binary_equal", "BinaryEquals", Test::Binary, false),
    ("ip_equal", "IpAddress", Test::Ip, false),
    ("ip_not_equal", "NotIpAddress", Test::Ip, true),
    ("null_equal", "Null", Test::Null, false),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    test: Test,
    negated: bool,
    /// `_if_exist` / `IfExists`: holds when the key is absent.
    if_exists: bool,
    dialect: Dialect,
}

impl Operator {
    fn parse(name: &str) -> Option<Operator> {
        let (cam, cam_if_exists) = name.strip_suffix("_if_exist").map_or((name, false), |base| (base, true));
        let (ram, ram_if_exists) = name.strip_suffix("IfExists").map_or((name, false), |base| (base, true));
        OPERATORS.iter().find_map(|&(cam_name, ram_name, test, negated)| {
            let (dialect, if_exists) = if cam == cam_name {
                (Dialect::Cam, cam_if_exists)
            } else if ram == ram_name {
                (Dialect::Ram, ram_if_exists)
            } else {
                return None;
            };
            (!(if_exists && test == Test::Null)).then_some(Operator { test, negated, if_exists, dialect })
        })
    }
}

/// The operator with its qualifier, as written, for messages.
fn written(condition: &Condition) -> String {
    let prefix = match (condition.qualifier, condition.operator.contains('_')) {
        (None, _) => return condition.operator.clone(),
        (Some(Qualifier::ForAnyValue), true) => "for_any_value",
        (Some(Qualifier::ForAllValues), true) => "for_all_value",
        (Some(Qualifier::ForAnyValue), false) => "ForAnyValue",
        (Some(Qualifier::ForAllValues), false) => "ForAllValues",
    };
    format!("{prefix}:{}", condition.operator)
}

/// All of a statement's conditions together (AND): false if one is false, else undecided if
/// one is undecided. Every condition is evaluated, so every warning is reported.
pub(crate) fn all_hold(
    conditions: &[Condition],
    context: &BTreeMap<String, Vec<String>>,
    kind: ContextKind,
    warnings: &mut Vec<ConditionWarning>,
) -> Truth {
    conditions.iter().map(|c| evaluate(c, context, kind, warnings)).fold(Truth::True, |all, one| match (all, one) {
        (Truth::False, _) | (_, Truth::False) => Truth::False,
        (Truth::Undecided, _) | (_, Truth::Undecided) => Truth::Undecided,
        (Truth::True, Truth::True) => Truth::True,
    })
}

/// One condition against the context.
pub(crate) fn evaluate(
    condition: &Condition,
    context: &BTreeMap<String, Vec<String>>,
    kind: ContextKind,
    warnings: &mut Vec<ConditionWarning>,
) -> Truth {
    let Some(op) = Operator::parse(&condition.operator) else {
        warnings.push(ConditionWarning::UnknownOperator { operator: written(condition) });
        return Truth::Undecided;
    };
    let outcome = match lookup(context, &condition.key, op.dialect) {
        None if kind == ContextKind::Partial => return Truth::Undecided,
        None => absent(op, condition),
        Some(values) => present(op, condition, values),
    };
    outcome.unwrap_or_else(|warning| {
        warnings.push(warning);
        Truth::Undecided
    })
}

/// The request's values for `key`; `None` when absent or empty. CAM documents condition keys
/// as case-sensitive; RAM does not say, and AWS compares key names case-insensitively, so a
/// RAM key falls back to a case-insensitive lookup.
fn lookup<'c>(context: &'c BTreeMap<String, Vec<String>>, key: &str, dialect: Dialect) -> Option<&'c [String]> {
    let values = context.get(key).or_else(|| match dialect {
        Dialect::Cam => None,
        Dialect::Ram => context.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v),
    })?;
    (!values.is_empty()).then_some(values.as_slice())
}

/// A key absent from a complete request (module documentation).
fn absent(op: Operator, condition: &Condition) -> Result<Truth, ConditionWarning> {
    if op.test == Test::Null {
        return null_expectation(condition, true);
    }
    let holds = if op.if_exists {
        true
    } else {
        match condition.qualifier {
            Some(Qualifier::ForAllValues) => true,
            Some(Qualifier::ForAnyValue) => false,
            None => op.dialect == Dialect::Ram && op.negated,
        }
    };
    Ok(Truth::from_bool(holds))
}

fn present(op: Operator, condition: &Condition, request: &[String]) -> Result<Truth, ConditionWarning> {
    if op.test == Test::Null {
        return null_expectation(condition, false);
    }
    let mut each = Vec::with_capacity(request.len());
    for value in request {
        each.push(value_satisfies(op, condition, value)?);
    }
    let holds = match (condition.qualifier, op.negated) {
        (Some(Qualifier::ForAnyValue), _) | (None, false) => each.iter().any(|&b| b),
        (Some(Qualifier::ForAllValues), _) | (None, true) => each.iter().all(|&b| b),
    };
    Ok(Truth::from_bool(holds))
}

/// `null_equal: true` / `Null: true` holds when the key is absent, `false` when present; the
/// policy's values are OR-ed.
fn null_expectation(condition: &Condition, absent: bool) -> Result<Truth, ConditionWarning> {
    let mut holds = false;
    for value in &condition.values {
        holds |= parse_bool(value).ok_or_else(|| malformed(condition, value))? == absent;
    }
    Ok(Truth::from_bool(holds))
}

/// Whether one request value satisfies the operator: it matches some policy value (positive)
/// or none of them (negated).
fn value_satisfies(op: Operator, condition: &Condition, request: &str) -> Result<bool, ConditionWarning> {
    let mut matched = false;
    for policy in &condition.values {
        matched |= value_matches(op.test, request, policy).map_err(|unreadable| malformed(condition, unreadable))?;
    }
    Ok(matched != op.negated)
}

/// One request value against one policy value; `Err` names a value the test cannot read.
fn value_matches<'v>(test: Test, request: &'v str, policy: &'v str) -> Result<bool, &'v str> {
    Ok(match test {
        Test::StringEquals | Test::Binary => request == policy,
        Test::StringEqualsIgnoreCase => request.to_lowercase() == policy.to_lowercase(),
        Test::StringLike => WildMatch::new(policy).matches(request),
        Test::Numeric(cmp) => cmp.holds(read(parse_number, request)?, read(parse_number, policy)?),
        Test::Date(cmp) => cmp.holds(read(parse_date, request)?, read(parse_date, policy)?),
        Test::Bool => read(parse_bool, request)? == read(parse_bool, policy)?,
        Test::Ip => read(parse_net, policy)?.contains(&read(parse_net, request)?),
        // INVARIANT: presence tests never reach a value comparison (`absent` / `present`).
        Test::Null => false,
    })
}

fn read<T>(parse: fn(&str) -> Option<T>, text: &str) -> Result<T, &str> {
    parse(text).ok_or(text)
}

fn malformed(condition: &Condition, value: &str) -> ConditionWarning {
    ConditionWarning::MalformedValue {
        operator: written(condition),
        key: condition.key.clone(),
        value: value.to_owned(),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// RFC 3339 (`2026-11-20T08:00:00Z`, `2019-08-12T17:00:00+08:00`); without an offset, as
/// CAM writes it (`2022-05-31 00:00:00`, `2022-05-31T00:00:00`) or a bare date, in UTC (CAM:
/// `qcs:current_time` "must use UTC time"); or integer epoch seconds, as AWS accepts.
fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc());
    }
    DateTime::from_timestamp(text.parse::<i64>().ok()?, 0)
}

/// A CIDR or a bare IP (a /32 or /128).
fn parse_net(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>().ok().or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates one condition written as `operator` (qualifier included) against `context`.
    fn check(operator: &str, key: &str, values: &[&str], context: &[(&str, &[&str])], kind: ContextKind) -> Truth {
        let (qualifier, op) = super::super::split_qualifier(operator);
        let condition = Condition {
            operator: op.to_owned(),
            qualifier,
            key: key.to_owned(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        let context =
            context.iter().map(|(k, vs)| ((*k).to_owned(), vs.iter().map(|v| (*v).to_owned()).collect())).collect();
        let mut warnings = Vec::new();
        let truth = evaluate(&condition, &context, kind, &mut warnings);
        assert_eq!(truth == Truth::Undecided && kind == ContextKind::Complete, !warnings.is_empty(), "{warnings:?}");
        truth
    }

    fn holds(operator: &str, key: &str, values: &[&str], context: &[(&str, &[&str])]) -> bool {
        match check(operator, key, values, context, ContextKind::Complete) {
            Truth::True => true,
            Truth::False => false,
            Truth::Undecided => panic!("{operator} undecided"),
        }
    }

    const IP: &str = "qcs:ip";
    const SRC: &str = "acs:SourceIp";

    #[test]
    fn string_operators_both_dialects() {
        for (eq, ne, eq_ic, like, not_like) in [
            ("string_equal", "string_not_equal", "string_equal_ignore_case", "string_like", "string_not_like"),
            ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringLike", "StringNotLike"),
        ] {
            let ctx: &[(&str, &[&str])] = &[("k", &["Dev"])];
            assert!(holds(eq, "k", &["prod", "Dev"], ctx));
            assert!(!holds(eq, "k", &["dev"], ctx));
            assert!(holds(ne, "k", &["dev", "prod"], ctx));
            assert!(!holds(ne, "k", &["prod", "Dev"], ctx), "{ne}: NOR over policy values");
            assert!(holds(eq_ic, "k", &["DEV"], ctx));
            assert!(holds(like, "k", &["D*"], ctx));
            assert!(holds(like, "k", &["D?v"], ctx));
            assert!(!holds(like, "k", &["d*"], ctx));
            assert!(holds(not_like, "k", &["p*"], ctx));
            assert!(!holds(not_like, "k", &["p*", "?ev"], ctx));
        }
        assert!(holds("string_not_equal_ignore_case", "k", &["prod"], &[("k", &["Dev"])]));
        assert!(!holds("StringNotEqualsIgnoreCase", "k", &["DEV"], &[("k", &["Dev"])]));
    }

    #[test]
    fn ip_operators_both_dialects() {
        let office: &[&str] = &["10.217.182.3/24", "111.21.33.72/24"];
        assert!(holds("ip_equal", IP, office, &[(IP, &["10.217.182.77"])]));
        assert!(holds("ip_equal", IP, &["10.0.0.1"], &[(IP, &["10.0.0.1"])]));
        assert!(!holds("ip_equal", IP, office, &[(IP, &["8.8.8.8"])]));
        assert!(holds("ip_not_equal", IP, office, &[(IP, &["8.8.8.8"])]));
        assert!(!holds("ip_not_equal", IP, office, &[(IP, &["111.21.33.1"])]));
        assert!(holds("IpAddress", SRC, &["116.62.0.0/16"], &[(SRC, &["116.62.3.4"])]));
        assert!(holds("NotIpAddress", SRC, &["116.62.0.0/16"], &[(SRC, &["2001:db8::1"])]));
        assert!(holds("IpAddress", SRC, &["2001:db8::/32"], &[(SRC, &["2001:db8::1"])]));
        assert!(!holds("IpAddress", SRC, &["0.0.0.0/0"], &[(SRC, &["2001:db8::1"])]), "families apart");
    }

    #[test]
    fn numeric_operators() {
        let ctx: &[(&str, &[&str])] = &[("n", &["10"])];
        for (cam, ram, expect) in [
            ("numeric_equal", "NumericEquals", true),
            ("numeric_not_equal", "NumericNotEquals", false),
            ("numeric_less_than", "NumericLessThan", false),
            ("numeric_less_than_equal", "NumericLessThanEquals", true),
            ("numeric_greater_than", "NumericGreaterThan", false),
            ("numeric_greater_than_equal", "NumericGreaterThanEquals", true),
        ] {
            assert_eq!(holds(cam, "n", &["10.0"], ctx), expect, "{cam}");
            assert_eq!(holds(ram, "n", &["10"], ctx), expect, "{ram}");
        }
        assert!(holds("numeric_less_than", "n", &["5", "11"], ctx));
        assert!(holds("NumericGreaterThan", "n", &["9.5"], ctx));
    }

    #[test]
    fn date_operators() {
        const T: &str = "qcs:current_time";
        let ctx: &[(&str, &[&str])] = &[(T, &["2022-05-30T23:00:00Z"])];
        assert!(holds("date_less_than", T, &["2022-05-31 00:00:00"], ctx));
        assert!(!holds("date_greater_than", T, &["2022-05-31"], ctx));
        assert!(holds("date_equal", T, &["2022-05-31T07:00:00+08:00"], ctx));
        assert!(!holds("date_not_equal", T, &["2022-05-30 23:00:00"], ctx));
        assert!(holds("date_less_than_equal", T, &["2022-05-30T23:00:00"], ctx));
        assert!(holds("date_greater_than_equal", T, &["1653951600"], ctx));
        const A: &str = "acs:CurrentTime";
        let ctx: &[(&str, &[&str])] = &[(A, &["2019-08-12T17:00:00+08:00"])];
        assert!(holds("DateLessThan", A, &["2019-08-12T10:00:01Z"], ctx));
        assert!(holds("DateEquals", A, &["2019-08-12T09:00:00Z"], ctx));
        assert!(holds("DateNotEquals", A, &["2019-08-12T17:00:00Z"], ctx));
        assert!(!holds("DateGreaterThan", A, &["2019-08-12T09:00:00Z"], ctx));
        assert!(holds("DateGreaterThanEquals", A, &["2019-08-12T09:00:00Z"], ctx));
        assert!(holds("DateLessThanEquals", A, &["2019-08-12"], &[(A, &["2019-08-11T23:59:59Z"])]));
    }

    #[test]
    fn bool_binary_and_null() {
        assert!(holds("bool_equal", "k", &["true"], &[("k", &["TRUE"])]));
        assert!(!holds("Bool", "acs:SecureTransport", &["true"], &[("acs:SecureTransport", &["false"])]));
        assert!(holds("binary_equal", "k", &["QmluYXJ5"], &[("k", &["QmluYXJ5"])]));
        // null_equal / Null test presence.
        assert!(holds("null_equal", "k", &["true"], &[]));
        assert!(!holds("null_equal", "k", &["true"], &[("k", &["v"])]));
        assert!(holds("Null", "k", &["false"], &[("k", &["v"])]));
        assert!(!holds("Null", "k", &["false"], &[]));
        assert!(holds("Null", "k", &["true"], &[("k", &[])]), "no values is absent");
    }

    #[test]
    fn qualifiers_over_multi_valued_keys() {
        const TAG: &str = "qcs:request_tag";
        let both: &[(&str, &[&str])] = &[(TAG, &["env&prod", "team&a"])];
        assert!(holds("for_any_value:string_equal", TAG, &["env&prod"], both));
        assert!(!holds("for_all_value:string_equal", TAG, &["env&prod"], both));
        assert!(holds("for_all_value:string_equal", TAG, &["env&prod", "team&a", "x"], both));
        assert!(holds("for_any_value:string_not_equal", TAG, &["env&prod"], both));
        assert!(!holds("for_all_value:string_not_equal", TAG, &["env&prod"], both));
        assert!(holds("ForAnyValue:StringLike", "acs:TagKeys", &["team*"], &[("acs:TagKeys", &["env", "team"])]));
        assert!(!holds("ForAllValues:StringLike", "acs:TagKeys", &["team*"], &[("acs:TagKeys", &["env", "team"])]));
        // Without a qualifier: positive = some request value matches; negated = none does.
        assert!(holds("string_equal", TAG, &["team&a"], both));
        assert!(!holds("string_not_equal", TAG, &["team&a"], both));
    }

    #[test]
    fn absent_key_positive_operators_do_not_hold() {
        for op in ["string_equal", "ip_equal", "numeric_less_than", "date_less_than", "bool_equal", "string_like"] {
            assert!(!holds(op, "k", &["1"], &[]), "{op}");
        }
        for op in ["StringEquals", "IpAddress", "NumericLessThan", "DateLessThan", "Bool", "StringLike"] {
            assert!(!holds(op, "k", &["1"], &[]), "{op}");
        }
    }

    #[test]
    fn absent_key_negated_operators_follow_each_provider() {
        // CAM: without `_if_exist`, an absent key never meets a condition.
        for op in ["string_not_equal", "string_not_like", "ip_not_equal", "numeric_not_equal", "date_not_equal"] {
            assert!(!holds(op, "k", &["1"], &[]), "{op}");
        }
        // RAM (AWS rule): a negated operator holds when the key is absent.
        for op in ["StringNotEquals", "StringNotLike", "NotIpAddress", "NumericNotEquals", "DateNotEquals"] {
            assert!(holds(op, "k", &["1"], &[]), "{op}");
        }
    }

    #[test]
    fn absent_key_if_exists_and_qualifiers() {
        assert!(holds("ip_equal_if_exist", IP, &["10.0.0.0/8"], &[]));
        assert!(!holds("ip_equal_if_exist", IP, &["10.0.0.0/8"], &[(IP, &["8.8.8.8"])]));
        assert!(holds("ip_not_equal_if_exist", IP, &["10.0.0.0/8"], &[]));
        assert!(holds("StringEqualsIfExists", "k", &["a"], &[]));
        assert!(!holds("StringEqualsIfExists", "k", &["a"], &[("k", &["b"])]));
        assert!(holds("for_all_value:string_equal", "k", &["a"], &[]), "vacuous");
        assert!(holds("ForAllValues:StringEquals", "k", &["a"], &[]), "vacuous");
        assert!(!holds("for_any_value:string_equal", "k", &["a"], &[]));
        assert!(!holds("ForAnyValue:StringNotEquals", "k", &["a"], &[]));
    }

    #[test]
    fn key_case_per_dialect() {
        assert!(!holds("ip_equal", "qcs:ip", &["10.0.0.0/8"], &[("QCS:IP", &["10.0.0.1"])]));
        assert!(holds("IpAddress", "acs:SourceIp", &["10.0.0.0/8"], &[("acs:sourceip", &["10.0.0.1"])]));
    }

    #[test]
    fn partial_context_makes_absent_keys_undecided() {
        let partial = |op: &str, ctx: &[(&str, &[&str])]| check(op, "k", &["true"], ctx, ContextKind::Partial);
        for op in ["string_equal", "string_not_equal", "NotIpAddress", "null_equal", "for_all_value:string_equal"] {
            assert_eq!(partial(op, &[]), Truth::Undecided, "{op}");
        }
        assert_eq!(partial("string_equal", &[("k", &["true"])]), Truth::True);
        assert_eq!(partial("string_not_equal", &[("k", &["true"])]), Truth::False);
    }

    #[test]
    fn unknown_operators_and_malformed_values_are_undecided_with_a_warning() {
        let condition = |op: &str, values: &[&str]| Condition {
            operator: op.to_owned(),
            qualifier: None,
            key: "k".to_owned(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        let ctx: BTreeMap<String, Vec<String>> = [("k".to_owned(), vec!["10.0.0.1".to_owned()])].into();
        let mut warnings = Vec::new();
        for op in ["string_equals", "StringEqual", "ip_equalIfExists", "null_equal_if_exist", "NullIfExists", ""] {
            assert_eq!(evaluate(&condition(op, &["x"]), &ctx, ContextKind::Complete, &mut warnings), Truth::Undecided);
        }
        assert_eq!(
            warnings[0].to_string(),
            "unknown condition operator `string_equals`",
            "operators are recognised by exact spelling"
        );
        assert_eq!(warnings.len(), 6);
        warnings.clear();
        let bad = evaluate(&condition("ip_equal", &["10.0.0.0/33"]), &ctx, ContextKind::Complete, &mut warnings);
        assert_eq!(bad, Truth::Undecided);
        assert_eq!(warnings[0].to_string(), "condition `ip_equal` on `k` cannot read the value `10.0.0.0/33`");
        warnings.clear();
        let bad = evaluate(&condition("numeric_equal", &["1"]), &ctx, ContextKind::Complete, &mut warnings);
        assert_eq!(bad, Truth::Undecided);
        assert_eq!(warnings[0].to_string(), "condition `numeric_equal` on `k` cannot read the value `10.0.0.1`");
        warnings.clear();
        let mut qualified = condition("stringequals", &["x"]);
        qualified.qualifier = Some(Qualifier::ForAnyValue);
        evaluate(&qualified, &ctx, ContextKind::Complete, &mut warnings);
        assert_eq!(warnings[0].to_string(), "unknown condition operator `ForAnyValue:stringequals`");
    }

    #[test]
    fn all_hold_is_and_with_undecided_below_false() {
        let cond = |op: &str, key: &str, value: &str| Condition {
            operator: op.to_owned(),
            qualifier: None,
            key: key.to_owned(),
            values: vec![value.to_owned()],
        };
        let ctx: BTreeMap<String, Vec<String>> =
            [("qcs:ip".to_owned(), vec!["10.0.0.1".to_owned()]), ("k".to_owned(), vec!["a".to_owned()])].into();
        let mut w = Vec::new();
        let ip = cond("ip_equal", "qcs:ip", "10.0.0.0/8");
        let k_a = cond("string_equal", "k", "a");
        let k_b = cond("string_equal", "k", "b");
        let odd = cond("odd", "k", "a");
        assert_eq!(all_hold(&[], &ctx, ContextKind::Complete, &mut w), Truth::True);
        assert_eq!(all_hold(&[ip.clone(), k_a.clone()], &ctx, ContextKind::Complete, &mut w), Truth::True);
        assert_eq!(all_hold(&[ip.clone(), k_b.clone()], &ctx, ContextKind::Complete, &mut w), Truth::False);
        assert_eq!(all_hold(&[odd.clone(), k_a], &ctx, ContextKind::Complete, &mut w), Truth::Undecided);
        assert_eq!(all_hold(&[odd, k_b], &ctx, ContextKind::Complete, &mut w), Truth::False);
        assert_eq!(w.len(), 2, "every condition is evaluated");
    }
}
