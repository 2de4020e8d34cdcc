//! Pure helpers around the questions: the merge step of the evaluator's walk from a principal
//! to its policies, and governance advice (unused grants, a least-privilege policy).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::Dialect;
use super::pattern::action_matches;

/// The policies governing a principal, given its policy-id lists in order — a user's direct
/// `policy_ids`, then each of its groups' `policy_ids` in `group_ids` order; a role's
/// `policy_ids` (never its trust document) — without duplicates (the first occurrence is
/// kept) and skipping ids `lookup` does not find (dangling references). A root account has
/// no policies: ask its questions of [`Evaluation::root`](super::Evaluation::root).
pub fn effective_policies<'a, 'id, T: ?Sized>(
    lists: impl IntoIterator<Item = impl IntoIterator<Item = &'id str>>,
    mut lookup: impl FnMut(&str) -> Option<&'a T>,
) -> Vec<&'a T> {
    let mut seen = BTreeSet::new();
    let mut policies = Vec::new();
    for id in lists.into_iter().flatten() {
        if seen.insert(id)
            && let Some(policy) = lookup(id)
        {
            policies.push(policy);
        }
    }
    policies
}

/// The granted action patterns (e.g. [`Evaluation::granted_action_patterns`](super::Evaluation::granted_action_patterns))
/// that match none of the `used` actions (`service:action` of the key's successful calls), as
/// written, without duplicates, in the order given.
pub fn unused_actions(granted: &[&str], used: &[&str]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    granted
        .iter()
        .filter(|pattern| seen.insert(**pattern))
        .filter(|pattern| !used.iter().any(|action| action_matches(pattern, action)))
        .map(|pattern| (*pattern).to_owned())
        .collect()
}

/// A policy document granting exactly the calls seen: one allow statement per service (in
/// name order) listing its distinct actions `service:action` in sorted order, on resource
/// `*` (calls do not say which resources a grant needs). `used` is `(service, action)` as an
/// ApiCall records them (`("cvm", "DescribeInstances")`); empty parts are skipped. Written in
/// the dialect's spelling: CAM `{"version": "2.0", "statement": [{"effect": "allow", …}]}`,
/// RAM `{"Version": "1", "Statement": [{"Effect": "Allow", …}]}`.
pub fn least_privilege(dialect: Dialect, used: &[(&str, &str)]) -> Value {
    let mut by_service: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for &(service, action) in used.iter().filter(|(s, a)| !s.is_empty() && !a.is_empty()) {
        by_service.entry(service).or_default().insert(action);
    }
    let statements: Vec<Value> = by_service
        .iter()
        .map(|(service, actions)| {
            let actions: Vec<String> = actions.iter().map(|action| format!("{service}:{action}")).collect();
            match dialect {
                Dialect::Cam => json!({"effect": "allow", "action": actions, "resource": ["*"]}),
                Dialect::Ram => json!({"Effect": "Allow", "Action": actions, "Resource": ["*"]}),
            }
        })
        .collect();
    match dialect {
        Dialect::Cam => json!({"version": "2.0", "statement": statements}),
        Dialect::Ram => json!({"Version": "1", "Statement": statements}),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::{Evaluation, PolicyDocument};
    use super::*;

    #[test]
    fn effective_policies_merge_in_order_without_duplicates_or_dangling() {
        let store: HashMap<&str, &str> = [("p1", "P1"), ("p2", "P2"), ("p3", "P3")].into();
        let direct = ["p2", "p1"];
        let group_a = ["p1", "gone", "p3"];
        let group_b = ["p2"];
        let lists: [&[&str]; 3] = [&direct, &group_a, &group_b];
        let merged = effective_policies(lists.iter().map(|l| l.iter().copied()), |id| store.get(id));
        assert_eq!(merged, [&"P2", &"P1", &"P3"]);
        let none: Vec<&&str> = effective_policies(Vec::<Vec<&str>>::new(), |id| store.get(id));
        assert!(none.is_empty());
    }

    #[test]
    fn effective_policies_feed_a_principal() {
        let docs: HashMap<&str, PolicyDocument> = [
            ("admin", serde_json::json!({"statement": [{"effect": "allow", "action": "*", "resource": "*"}]})),
            ("fence", serde_json::json!({"statement": [{"effect": "deny", "action": "*", "resource": "*"}]})),
        ]
        .into_iter()
        .map(|(id, v)| (id, PolicyDocument::from_json(&v).unwrap()))
        .collect();
        let user_direct = ["admin"];
        let group = ["fence"];
        let lists: [&[&str]; 2] = [&user_direct, &group];
        let policies = effective_policies(lists.iter().map(|l| l.iter().copied()), |id| docs.get(id));
        assert!(!Evaluation::new(policies).is_admin());
        let policies = effective_policies([user_direct.iter().copied()], |id| docs.get(id));
        assert!(Evaluation::new(policies).is_admin());
    }

    #[test]
    fn unused_actions_keeps_patterns_as_written() {
        let granted = ["cos:Get*", "name/cvm:*", "cam:*", "cos:Get*", "COS:PutObject"];
        let used = ["cos:GetObject", "cos:putobject"];
        assert_eq!(unused_actions(&granted, &used), ["name/cvm:*", "cam:*"]);
        assert_eq!(unused_actions(&granted, &[]), ["cos:Get*", "name/cvm:*", "cam:*", "COS:PutObject"]);
        assert_eq!(unused_actions(&["*"], &["cvm:RunInstances"]), Vec::<String>::new());
        assert_eq!(unused_actions(&[], &["cvm:RunInstances"]), Vec::<String>::new());
    }

    #[test]
    fn unused_actions_of_a_root_key() {
        let granted = Evaluation::root().granted_action_patterns();
        assert_eq!(unused_actions(&granted, &[]), ["*"]);
        assert!(unused_actions(&granted, &["cvm:DescribeInstances"]).is_empty());
    }

    #[test]
    fn least_privilege_is_sorted_distinct_and_per_service() {
        let used = [
            ("cvm", "DescribeInstances"),
            ("cos", "PutObject"),
            ("cos", "GetObject"),
            ("cvm", "DescribeInstances"),
            ("", "Nothing"),
            ("cos", ""),
        ];
        let cam = least_privilege(Dialect::Cam, &used);
        assert_eq!(
            cam,
            serde_json::json!({"version": "2.0", "statement": [
                {"effect": "allow", "action": ["cos:GetObject", "cos:PutObject"], "resource": ["*"]},
                {"effect": "allow", "action": ["cvm:DescribeInstances"], "resource": ["*"]}
            ]})
        );
        let reversed: Vec<_> = used.iter().rev().copied().collect();
        assert_eq!(least_privilege(Dialect::Cam, &reversed), cam, "deterministic");
        let ram = least_privilege(Dialect::Ram, &[("ecs", "DescribeInstances")]);
        assert_eq!(
            ram,
            serde_json::json!({"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": ["ecs:DescribeInstances"], "Resource": ["*"]}
            ]})
        );
        assert_eq!(least_privilege(Dialect::Ram, &[]), serde_json::json!({"Version": "1", "Statement": []}));
    }

    #[test]
    fn least_privilege_round_trips() {
        let doc = PolicyDocument::from_json(&least_privilege(Dialect::Cam, &[("cos", "GetObject")])).unwrap();
        let p = Evaluation::new([&doc]);
        assert!(p.may_allow("cos:GetObject", "qcs::cos:ap-guangzhou:uid/1:b-1/x"));
        assert!(!p.may_allow("cos:PutObject", "x"));
    }
}
