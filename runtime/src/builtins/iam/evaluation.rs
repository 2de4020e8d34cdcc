//! The privilege questions, over the documents of one principal's effective policies.
//!
//! Without a request context they are answered conservatively (CATALOGUE.md, "Privilege
//! questions"): an allow with a condition counts as granting, a deny with a condition does not
//! count as denying. The action and resource asked about are read literally, so "allows `X` on
//! `*`" is [`Evaluation::may_allow`]`(X, "*")`: the pattern `cam:*` matches X = `cam:*`, the
//! pattern `cam:Get*` does not, and admin plus `deny cam:*` is still admin for X = `*`.
//!
//! A `NotAction` (`NotResource`) statement names what matches none of its exceptions.

use std::collections::BTreeMap;

use smallvec::SmallVec;

use super::condition::{self, ConditionWarning, ContextKind, Truth};
use super::pattern::{Pattern, has_wildcard};
use super::{Dialect, Effect, PolicyDocument, Statement};

/// The questions about one principal: a root account (allowed everything: its permissions are
/// not policy-based), or the documents of a user's or role's effective policies, or of a single
/// policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation<'a> {
    root: bool,
    /// Inline for the usual handful: a graph edge makes one evaluation per (principal,
    /// bucket) pair.
    documents: SmallVec<[&'a PolicyDocument; 4]>,
}

/// The outcome of evaluating a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Allow,
    /// A deny statement applies: it wins over every allow.
    ExplicitDeny,
    /// No allow statement applies.
    ImplicitDeny,
}

/// A decision and the conditions that could not be decided on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    pub warnings: Vec<ConditionWarning>,
}

impl<'a> Evaluation<'a> {
    /// A root (main) account: every question answers yes.
    pub fn root() -> Self {
        Evaluation { root: true, documents: SmallVec::new() }
    }

    /// A principal governed by `documents`, e.g. the documents of `effective_policies`.
    pub fn new(documents: impl IntoIterator<Item = &'a PolicyDocument>) -> Self {
        Evaluation { root: false, documents: documents.into_iter().collect() }
    }

    pub fn is_root(&self) -> bool {
        self.root
    }

    fn statements(&self) -> impl Iterator<Item = &'a Statement> {
        self.documents.iter().copied().flat_map(|d| &d.statements)
    }

    /// "May it be allowed?": some allow statement (conditional or not) names `action` and
    /// `resource`, and no unconditional deny statement names both.
    pub fn may_allow(&self, action: &str, resource: &str) -> bool {
        if self.root {
            return true;
        }
        let names = |s: &Statement| s.names_action(action) && s.names_resource(resource);
        self.statements().any(|s| s.effect == Effect::Allow && names(s))
            && !self.statements().any(|s| s.effect == Effect::Deny && !s.is_conditional() && names(s))
    }

    /// "Allows `x` on `*`" (CATALOGUE.md): `x` and `*` compared literally.
    pub fn allows_literal_on_star(&self, x: &str) -> bool {
        self.may_allow(x, "*")
    }

    /// An administrator: allows `*` on `*`.
    pub fn is_admin(&self) -> bool {
        self.allows_literal_on_star("*")
    }

    /// Allows some X of `actions` on `*` (e.g. `["*", "cam:*", "ram:*"]`); false when empty.
    pub fn grants_any(&self, actions: &[&str]) -> bool {
        actions.iter().any(|x| self.allows_literal_on_star(x))
    }

    /// Write or control on a bucket (CATALOGUE.md): some allow statement's action pattern and
    /// `cos:Put*` / `cos:Delete*` (RAM: `oss:…`) overlap by one covering the other, its
    /// resource pattern matches `resource_name` or `<resource_name>/*`, and no unconditional
    /// deny covers that grant — the narrower of the two patterns — on that resource (so allow
    /// `*` with deny `cos:*` cannot write, allow `cos:Put*` with deny `cos:PutObject` can).
    ///
    /// A deny with `NotAction` (`NotResource`) covers a grant only when the grant is a single
    /// action (resource) outside its exceptions: whether its exceptions miss every action of a
    /// wildcard grant is not decided, and the conservative answer is "may write".
    pub fn may_write_bucket(&self, dialect: Dialect, resource_name: &str) -> bool {
        if self.root {
            return true;
        }
        let targets = dialect.storage_write_globs();
        let objects = format!("{resource_name}/*");
        let resources = [resource_name, objects.as_str()];
        // Asked for every (principal, bucket) pair of a graph edge: nothing is collected.
        let denied = |grant: &str, resource: &str| {
            self.statements()
                .any(|s| s.effect == Effect::Deny && !s.is_conditional() && s.denies_all_of(grant, resource))
        };
        self.statements().filter(|s| s.effect == Effect::Allow).any(|allow| {
            resources.iter().filter(|r| allow.names_resource(r)).any(|resource| {
                targets.iter().flat_map(|target| allow.grants_within(target)).any(|grant| !denied(grant, resource))
            })
        })
    }

    /// Whether some allow statement grants part of a bucket write (`Put*` / `Delete*` of the
    /// dialect's storage service) on any resource: a necessary condition of
    /// [`may_write_bucket`](Self::may_write_bucket) that needs no bucket, so a graph edge can
    /// rule a principal out once instead of once per bucket.
    pub fn may_write_storage(&self, dialect: Dialect) -> bool {
        if self.root {
            return true;
        }
        let targets = dialect.storage_write_globs();
        self.statements()
            .filter(|s| s.effect == Effect::Allow)
            .any(|allow| targets.iter().any(|t| allow.grants_within(t).next().is_some()))
    }

    /// Evaluates a request with its context (`key → values`): a statement applies when it
    /// names `action` and `resource` and its conditions hold ([`ContextKind`] says what a key
    /// the context lacks means); an applying deny wins, else an applying allow allows, else
    /// the request is implicitly denied.
    pub fn decide(
        &self,
        action: &str,
        resource: &str,
        context: &BTreeMap<String, Vec<String>>,
        kind: ContextKind,
    ) -> Verdict {
        let mut warnings = Vec::new();
        if self.root {
            return Verdict { decision: Decision::Allow, warnings };
        }
        let (mut allowed, mut denied) = (false, false);
        for s in self.statements().filter(|s| s.names_action(action) && s.names_resource(resource)) {
            let applies = match condition::all_hold(&s.conditions, context, kind, &mut warnings) {
                Truth::True => true,
                Truth::False => false,
                Truth::Undecided => kind == ContextKind::Partial && s.effect == Effect::Allow,
            };
            match s.effect {
                Effect::Allow => allowed |= applies,
                Effect::Deny => denied |= applies,
            }
        }
        let decision = match (denied, allowed) {
            (true, _) => Decision::ExplicitDeny,
            (false, true) => Decision::Allow,
            (false, false) => Decision::ImplicitDeny,
        };
        Verdict { decision, warnings }
    }

    /// Whether the request with `context` is allowed; `kind` says whether the context is the
    /// whole request or what the caller knows of it. Use [`Evaluation::decide`] for the warnings.
    pub fn allows_in_context(
        &self,
        action: &str,
        resource: &str,
        context: &BTreeMap<String, Vec<String>>,
        kind: ContextKind,
    ) -> bool {
        self.decide(action, resource, context, kind).decision == Decision::Allow
    }

    /// The action patterns of the allow statements (conditional ones included), as written,
    /// without duplicates, in policy order; `["*"]` for a root account. `NotAction` statements
    /// have no pattern to list. The input of [`unused_actions`](super::unused_actions).
    pub fn granted_action_patterns(&self) -> Vec<&'a str> {
        if self.root {
            return vec!["*"];
        }
        let mut patterns: Vec<&'a str> = Vec::new();
        for pattern in self.statements().filter(|s| s.effect == Effect::Allow).flat_map(|s| &s.actions) {
            if !patterns.contains(&pattern.as_str()) {
                patterns.push(pattern.as_str());
            }
        }
        patterns
    }
}

impl Statement {
    /// Whether the statement names `action`, read literally.
    fn names_action(&self, action: &str) -> bool {
        if self.not_actions.is_empty() {
            self.actions.iter().any(|p| p.matches(action))
        } else {
            !self.not_actions.iter().any(|p| p.matches(action))
        }
    }

    /// Whether the statement names `resource`, read literally; no `resource` covers `*`.
    fn names_resource(&self, resource: &str) -> bool {
        match (&self.resources, &self.not_resources) {
            (Some(patterns), _) => patterns.iter().any(|p| p.matches(resource)),
            (None, Some(exceptions)) => !exceptions.iter().any(|p| p.matches(resource)),
            (None, None) => true,
        }
    }

    /// What an allow statement grants of the action pattern `target`: for each of its patterns
    /// that overlaps `target` by one covering the other, the narrower of the two; for a
    /// `NotAction` statement, `target` itself unless an exception covers all of it.
    fn grants_within<'s>(&'s self, target: &'s Pattern) -> impl Iterator<Item = &'s str> {
        let not_actions = !self.not_actions.is_empty();
        let whole =
            (not_actions && !self.not_actions.iter().any(|n| n.covers(target.as_str()))).then(|| target.as_str());
        let actions = if not_actions { &[][..] } else { &self.actions[..] };
        whole.into_iter().chain(actions.iter().filter_map(|a| {
            if a.covers(target.as_str()) {
                Some(target.as_str())
            } else if target.covers(a.bare()) {
                Some(a.bare())
            } else {
                None
            }
        }))
    }

    /// Whether this (unconditional deny) statement denies every action of the pattern `grant`
    /// on every resource of the pattern `resource`.
    fn denies_all_of(&self, grant: &str, resource: &str) -> bool {
        let actions = if self.not_actions.is_empty() {
            self.actions.iter().any(|p| p.covers(grant))
        } else {
            !has_wildcard(grant) && self.names_action(grant)
        };
        let resources = match (&self.resources, &self.not_resources) {
            (Some(patterns), _) => patterns.iter().any(|p| p.covers(resource)),
            (None, Some(_)) => !has_wildcard(resource) && self.names_resource(resource),
            (None, None) => true,
        };
        actions && resources
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn doc(value: Value) -> PolicyDocument {
        PolicyDocument::from_json(&value).unwrap()
    }

    /// A CAM document with the given statements.
    fn cam(statements: Value) -> PolicyDocument {
        doc(json!({"version": "2.0", "statement": statements}))
    }

    fn allow(action: Value, resource: Value) -> Value {
        json!({"effect": "allow", "action": action, "resource": resource})
    }

    fn deny(action: Value, resource: Value) -> Value {
        json!({"effect": "deny", "action": action, "resource": resource})
    }

    fn with_condition(mut statement: Value, condition: Value) -> Value {
        statement["condition"] = condition;
        statement
    }

    fn context(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()])).collect()
    }

    const BUCKET: &str = "qcs::cos:ap-guangzhou:uid/1250000000:bucket-1250000000";

    #[test]
    fn wildcards_and_case() {
        let d = cam(json!([allow(json!(["cos:Get*", "cvm:DescribeInstances"]), json!(BUCKET.to_owned() + "/*"))]));
        let p = Evaluation::new([&d]);
        let object = format!("{BUCKET}/a/b.txt");
        assert!(p.may_allow("cos:GetObject", &object));
        assert!(p.may_allow("COS:getobject", &object), "actions are case-insensitive");
        assert!(!p.may_allow("cos:GetObject", &object.to_uppercase()), "resources are case-sensitive");
        assert!(!p.may_allow("cos:PutObject", &object));
        assert!(!p.may_allow("cos:GetObject", BUCKET), "`/*` needs a `/`");
        assert!(p.may_allow("cvm:describeinstances", &object));
        let any = cam(json!([allow(json!("cos:*"), json!("*"))]));
        assert!(Evaluation::new([&any]).may_allow("cos:PutBucketAcl", "anything:at/all"));
        assert!(!Evaluation::new([&any]).may_allow("cvm:RunInstances", "*"));
    }

    #[test]
    fn name_prefix_in_policy() {
        let d = cam(json!([allow(json!("name/cos:*"), json!("*"))]));
        assert!(Evaluation::new([&d]).may_allow("cos:GetObject", "r"));
        assert!(Evaluation::new([&d]).allows_literal_on_star("cos:*"));
    }

    #[test]
    fn statement_without_resource_covers_star() {
        let d = cam(json!([{"effect": "allow", "action": "name/sts:AssumeRole", "principal": {"qcs": ["*"]}}]));
        let p = Evaluation::new([&d]);
        assert!(p.may_allow("sts:AssumeRole", "*"));
        assert!(p.may_allow("sts:AssumeRole", "qcs::cam::uin/1:roleName/r"));
        assert!(!p.is_admin());
    }

    #[test]
    fn explicit_deny_beats_allow() {
        let d = cam(json!([allow(json!("*"), json!("*")), deny(json!("cos:Delete*"), json!("*"))]));
        let p = Evaluation::new([&d]);
        assert!(p.may_allow("cos:PutObject", "x"));
        assert!(!p.may_allow("cos:DeleteObject", "x"));
        assert!(!p.may_allow("cos:deletebucket", "x"));
    }

    #[test]
    fn deny_across_documents() {
        let grant = cam(json!([allow(json!("*"), json!("*"))]));
        let fence = doc(json!({"Statement": [{"Effect": "DENY", "Action": "*", "Resource": "*"}]}));
        assert!(Evaluation::new([&grant]).is_admin());
        assert!(!Evaluation::new([&grant, &fence]).is_admin());
        assert!(!Evaluation::new([&grant, &fence]).may_allow("cos:GetObject", "x"));
    }

    #[test]
    fn conservative_mode_conditional_allow_counts_conditional_deny_does_not() {
        let ip = json!({"ip_equal": {"qcs:ip": "10.0.0.0/8"}});
        let d = cam(json!([with_condition(allow(json!("cos:*"), json!("*")), ip.clone())]));
        assert!(Evaluation::new([&d]).may_allow("cos:GetObject", "x"));
        let d = cam(json!([allow(json!("cos:*"), json!("*")), with_condition(deny(json!("cos:*"), json!("*")), ip)]));
        assert!(Evaluation::new([&d]).may_allow("cos:GetObject", "x"));
        let d = cam(json!([allow(json!("cos:*"), json!("*")), deny(json!("cos:*"), json!("*"))]));
        assert!(!Evaluation::new([&d]).may_allow("cos:GetObject", "x"));
    }

    #[test]
    fn not_action_statements() {
        let d = doc(json!({"Statement": [{"Effect": "Allow", "NotAction": "ram:*", "Resource": "*"}]}));
        let p = Evaluation::new([&d]);
        assert!(p.may_allow("ecs:RunInstances", "*"));
        assert!(!p.may_allow("ram:CreateUser", "*"));
        assert!(!p.may_allow("RAM:createuser", "*"));
        let d = doc(json!({"Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": ["oss:Get*", "oss:List*"], "Resource": "*"}
        ]}));
        let p = Evaluation::new([&d]);
        assert!(p.may_allow("oss:GetObject", "*"));
        assert!(!p.may_allow("oss:PutObject", "*"));
        assert!(!p.is_admin(), "the literal `*` is outside the deny's exceptions");
    }

    #[test]
    fn admin_and_iam_admin() {
        let admin = cam(json!([allow(json!("*"), json!("*"))]));
        let deny_cam = cam(json!([deny(json!("cam:*"), json!("*"))]));
        let deny_all = cam(json!([deny(json!("*"), json!("*"))]));
        let deny_all_conditional = cam(json!([with_condition(
            deny(json!("*"), json!("*")),
            json!({"ip_not_equal": {"qcs:ip": "10.0.0.0/8"}})
        )]));
        assert!(Evaluation::new([&admin]).is_admin());
        assert!(Evaluation::new([&admin, &deny_cam]).is_admin(), "admin + deny cam:* is still admin");
        assert!(!Evaluation::new([&admin, &deny_cam]).grants_any(&["cam:*"]));
        assert!(!Evaluation::new([&admin, &deny_all]).is_admin(), "admin + deny * is not");
        assert!(Evaluation::new([&admin, &deny_all_conditional]).is_admin());
        let partial = cam(json!([allow(json!("*"), json!("qcs::cos:*"))]));
        assert!(!Evaluation::new([&partial]).is_admin(), "`*` on some resources only");
        let cam_admin = cam(json!([allow(json!(["cam:*"]), json!(["*"]))]));
        let p = Evaluation::new([&cam_admin]);
        assert!(!p.is_admin());
        assert!(p.grants_any(&["*", "cam:*", "ram:*"]));
        assert!(!p.grants_any(&["ram:*"]));
        assert!(!p.grants_any(&[]));
        let cam_reader = cam(json!([allow(json!("cam:Get*"), json!("*"))]));
        assert!(!Evaluation::new([&cam_reader]).grants_any(&["cam:*"]), "`cam:Get*` does not match `cam:*`");
        let ram_admin = doc(json!({"Statement": [{"Effect": "Allow", "Action": "ram:*", "Resource": "*"}]}));
        assert!(Evaluation::new([&ram_admin]).grants_any(&["ram:*"]));
    }

    #[test]
    fn root_is_allowed_everything() {
        let root = Evaluation::root();
        assert!(root.is_root());
        assert!(root.is_admin());
        assert!(root.grants_any(&["cam:*"]));
        assert!(root.may_allow("anything:At", "all"));
        assert!(root.may_write_bucket(Dialect::Cam, BUCKET));
        assert!(root.allows_in_context("cos:PutObject", "x", &BTreeMap::new(), ContextKind::Complete));
        assert_eq!(root.granted_action_patterns(), ["*"]);
        assert!(!Evaluation::new([]).is_admin());
        assert!(!Evaluation::new([]).may_allow("cos:GetObject", "x"));
    }

    fn writes(statements: Value) -> bool {
        Evaluation::new([&cam(statements)]).may_write_bucket(Dialect::Cam, BUCKET)
    }

    #[test]
    fn write_on_bucket_actions() {
        let all = json!("*");
        for action in
            ["*", "cos:*", "cos:Put*", "cos:PutObject", "cos:PutBucketAcl", "cos:Delete*", "name/cos:PutObject"]
        {
            assert!(writes(json!([allow(json!(action), all.clone())])), "{action}");
        }
        for action in ["cos:Get*", "cos:GetObject", "cvm:*", "cos:*Object", "oss:PutObject"] {
            assert!(!writes(json!([allow(json!(action), all.clone())])), "{action}");
        }
    }

    #[test]
    fn write_on_bucket_denies() {
        let all = json!("*");
        let a = |action: &str| allow(json!(action), json!("*"));
        let d = |action: Value| deny(action, json!("*"));
        assert!(writes(json!([a("cos:Put*"), d(json!("cos:PutObject"))])), "deny PutObject does not cover Put*");
        assert!(!writes(json!([a("cos:PutObject"), d(json!("cos:*"))])), "deny cos:* covers PutObject");
        assert!(!writes(json!([a("cos:Put*"), d(json!("cos:*"))])), "deny cos:* covers Put*");
        assert!(!writes(json!([a("*"), d(json!("cos:*"))])), "the grant is the narrower pattern");
        assert!(writes(json!([a("*"), d(json!("cos:Put*"))])), "Delete* remains");
        assert!(!writes(json!([a("*"), d(json!(["cos:Put*", "cos:Delete*"]))])));
        assert!(!writes(json!([a("cos:*"), d(json!("*"))])));
        let conditional = with_condition(deny(json!("cos:*"), all), json!({"ip_not_equal": {"qcs:ip": "10.0.0.0/8"}}));
        assert!(writes(json!([a("cos:*"), conditional])), "a conditional deny does not count");
        let conditional = with_condition(a("cos:PutObject"), json!({"ip_equal": {"qcs:ip": "10.0.0.0/8"}}));
        assert!(writes(json!([conditional])), "a conditional allow counts");
    }

    #[test]
    fn write_on_bucket_resources() {
        let put = |resource: &str| allow(json!("cos:PutObject"), json!(resource));
        assert!(writes(json!([put(&format!("{BUCKET}/*"))])), "all objects: `<resource_name>/*`");
        assert!(writes(json!([put(BUCKET)])));
        assert!(writes(json!([put("qcs::cos:*:uid/1250000000:bucket-1250000000/*")])));
        assert!(writes(json!([put("qcs::cos:ap-guangzhou:uid/1250000000:*")])));
        assert!(!writes(json!([put(&format!("{BUCKET}/logs/*"))])), "some objects only");
        assert!(!writes(json!([put("qcs::cos:ap-guangzhou:uid/1250000000:other-1250000000/*")])));
        assert!(!writes(json!([put(&BUCKET.to_uppercase())])));
        let objects_denied = deny(json!("cos:*"), json!(format!("{BUCKET}/*")));
        assert!(
            writes(json!([allow(json!("cos:*"), json!("*")), objects_denied.clone()])),
            "the bucket itself remains"
        );
        assert!(!writes(json!([put(&format!("{BUCKET}/*")), objects_denied])));
        let narrow_deny = deny(json!("cos:*"), json!(format!("{BUCKET}/secret/*")));
        assert!(writes(json!([put(&format!("{BUCKET}/*")), narrow_deny])));
    }

    #[test]
    fn write_on_bucket_alibaba() {
        let bucket = "acs:oss:*:5123456789012345:bucket";
        let ram = |statements: Value| {
            let d = doc(json!({"Version": "1", "Statement": statements}));
            Evaluation::new([&d]).may_write_bucket(Dialect::Ram, bucket)
        };
        let put = json!({"Effect": "Allow", "Action": "oss:PutObject", "Resource": "acs:oss:*:*:bucket/*"});
        assert!(ram(json!([put.clone()])));
        assert!(!ram(json!([{"Effect": "Allow", "Action": "oss:PutObject", "Resource": "acs:oss:*:*:other/*"}])));
        assert!(!ram(json!([{"Effect": "Allow", "Action": "cos:*", "Resource": "*"}])));
        assert!(!ram(json!([{"Effect": "Allow", "Action": "oss:Get*", "Resource": "*"}])));
        assert!(!ram(json!([put.clone(), {"Effect": "Deny", "Action": "oss:*", "Resource": "*"}])));
        assert!(ram(json!([{"Effect": "Allow", "NotAction": "ram:*", "Resource": "*"}])));
        assert!(!ram(json!([{"Effect": "Allow", "NotAction": "oss:*", "Resource": "*"}])));
        assert!(ram(json!([{"Effect": "Allow", "NotAction": "oss:PutObject", "Resource": "*"}])), "Put* minus one");
        let deny_not_get = json!({"Effect": "Deny", "NotAction": "oss:Get*", "Resource": "*"});
        let put_any = json!({"Effect": "Allow", "Action": "oss:Put*", "Resource": "*"});
        assert!(ram(json!([put_any, deny_not_get])), "a NotAction deny does not cover a wildcard grant");
        let deny_not_get = json!({"Effect": "Deny", "NotAction": "oss:Get*", "Resource": "*"});
        let put_one = json!({"Effect": "Allow", "Action": "oss:PutObject", "Resource": "*"});
        assert!(!ram(json!([put_one, deny_not_get])), "but covers a single action outside its exceptions");
    }

    #[test]
    fn context_mode_explicit_deny_implicit_deny_and_conditions() {
        let d = cam(json!([
            with_condition(allow(json!("cos:*"), json!("*")), json!({"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}})),
            with_condition(deny(json!("cos:Delete*"), json!("*")), json!({"ip_not_equal": {"qcs:ip": "10.1.0.0/16"}}))
        ]));
        let p = Evaluation::new([&d]);
        let office = context(&[("qcs:ip", "10.2.3.4")]);
        let admin_net = context(&[("qcs:ip", "10.1.3.4")]);
        let outside = context(&[("qcs:ip", "8.8.8.8")]);
        assert!(p.allows_in_context("cos:GetObject", "x", &office, ContextKind::Complete));
        assert!(!p.allows_in_context("cos:GetObject", "x", &outside, ContextKind::Complete), "no allow applies");
        assert_eq!(p.decide("cos:GetObject", "x", &outside, ContextKind::Complete).decision, Decision::ImplicitDeny);
        assert_eq!(p.decide("cos:DeleteObject", "x", &office, ContextKind::Complete).decision, Decision::ExplicitDeny);
        assert!(p.allows_in_context("cos:DeleteObject", "x", &admin_net, ContextKind::Complete));
        assert!(!p.allows_in_context("cvm:RunInstances", "x", &office, ContextKind::Complete));
        // Absent `qcs:ip` (CAM): neither the allow's `ip_equal` nor the deny's `ip_not_equal` holds.
        let none = BTreeMap::new();
        assert_eq!(p.decide("cos:DeleteObject", "x", &none, ContextKind::Complete).decision, Decision::ImplicitDeny);
        // A partial context leaves them undecided: the allow applies, the deny does not.
        assert_eq!(p.decide("cos:DeleteObject", "x", &none, ContextKind::Partial).decision, Decision::Allow);
    }

    #[test]
    fn context_mode_alibaba_negated_operator_on_absent_key_applies() {
        let d = doc(json!({"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "oss:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "oss:*", "Resource": "*",
             "Condition": {"NotIpAddress": {"acs:SourceIp": ["192.168.0.0/16"]}}}
        ]}));
        let p = Evaluation::new([&d]);
        assert!(p.allows_in_context(
            "oss:GetObject",
            "r",
            &context(&[("acs:SourceIp", "192.168.1.1")]),
            ContextKind::Complete
        ));
        assert!(!p.allows_in_context(
            "oss:GetObject",
            "r",
            &context(&[("acs:SourceIp", "1.2.3.4")]),
            ContextKind::Complete
        ));
        assert!(
            !p.allows_in_context("oss:GetObject", "r", &BTreeMap::new(), ContextKind::Complete),
            "RAM: NotIpAddress holds when absent"
        );
    }

    #[test]
    fn context_mode_multiple_conditions_are_and() {
        let d = cam(json!([with_condition(
            allow(json!("cos:*"), json!("*")),
            json!({"ip_equal": {"qcs:ip": "10.0.0.0/8"}, "date_less_than": {"qcs:current_time": "2022-05-31 00:00:00"}})
        )]));
        let p = Evaluation::new([&d]);
        let both = context(&[("qcs:ip", "10.0.0.1"), ("qcs:current_time", "2022-05-01T00:00:00Z")]);
        let late = context(&[("qcs:ip", "10.0.0.1"), ("qcs:current_time", "2022-06-01T00:00:00Z")]);
        assert!(p.allows_in_context("cos:GetObject", "r", &both, ContextKind::Complete));
        assert!(!p.allows_in_context("cos:GetObject", "r", &late, ContextKind::Complete));
    }

    #[test]
    fn context_mode_unknown_operator_warns() {
        let d = cam(json!([
            with_condition(allow(json!("*"), json!("*")), json!({"ip_equals": {"qcs:ip": "10.0.0.0/8"}})),
            with_condition(deny(json!("*"), json!("*")), json!({"string_equal_x": {"k": "v"}}))
        ]));
        let p = Evaluation::new([&d]);
        let ctx = context(&[("qcs:ip", "10.0.0.1"), ("k", "v")]);
        let complete = p.decide("cos:GetObject", "r", &ctx, ContextKind::Complete);
        assert_eq!(complete.decision, Decision::ImplicitDeny, "an unknown operator does not hold");
        assert_eq!(complete.warnings.len(), 2);
        assert_eq!(complete.warnings[0].to_string(), "unknown condition operator `ip_equals`");
        let partial = p.decide("cos:GetObject", "r", &ctx, ContextKind::Partial);
        assert_eq!(partial.decision, Decision::Allow, "undecided: the allow applies, the deny does not");
    }

    #[test]
    fn context_mode_unconditional_statements_apply() {
        let d = cam(json!([allow(json!("cos:Get*"), json!("*"))]));
        assert!(Evaluation::new([&d]).allows_in_context("cos:GetObject", "r", &BTreeMap::new(), ContextKind::Complete));
    }

    #[test]
    fn granted_patterns_as_written_in_order() {
        let a = cam(json!([allow(json!(["cos:Get*", "name/cvm:*"]), json!("*")), deny(json!("cam:*"), json!("*"))]));
        let b = cam(json!([with_condition(
            allow(json!(["cos:Get*", "cam:List*"]), json!("*")),
            json!({"ip_equal": {"qcs:ip": "1.1.1.1"}})
        ),]));
        assert_eq!(Evaluation::new([&a, &b]).granted_action_patterns(), ["cos:Get*", "name/cvm:*", "cam:List*"]);
    }
}
