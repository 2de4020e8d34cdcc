//! Action and resource patterns. `*` is the only wildcard and matches any run of characters,
//! `:` and `/` included; every other character matches itself. Actions compare
//! case-insensitively, with Tencent's `name/` prefix ignored; resources compare exactly.
//!
//! **Coverage.** A pattern `p` *covers* a pattern `q` when every string `q` matches, `p`
//! matches too. For `*`-only patterns that is exactly "`p` matches `q` read as a literal
//! string" — which is also how CATALOGUE.md phrases its questions ("an action pattern matching
//! the literal string `cam:*`"), so one matcher answers both:
//! - if `p` matches the literal `q`, each `*` of `q` sits inside the span of some `*` of `p`
//!   (a `*` of `p` is never a literal character, so nothing else in `p` can consume it);
//!   replacing that `*` of `q` by any string keeps the span matched, so `p` matches every
//!   string `q` matches;
//! - conversely, `q` read literally is itself one of the strings `q` matches (each `*`
//!   standing for the one-character string `*`), so if `p` covers `q` it matches it.
//!
//! The exhaustive test at the bottom checks this against brute-force set inclusion.

use wildmatch::WildMatchPattern;

/// wildmatch always has a single-character wildcard; policy patterns have none, so it gets
/// U+FFFF, a Unicode noncharacter no provider puts in an action or resource name.
// INVARIANT: a pattern containing U+FFFF would match any one character there, so the worst
// case is a broader match (a reported privilege), never a missed one.
type Glob = WildMatchPattern<'*', '\u{FFFF}'>;

/// Drops Tencent's `name/` action prefix: `name/cos:GetObject` is `cos:GetObject`.
fn strip_name_prefix(action: &str) -> &str {
    match action.get(..5) {
        Some(prefix) if prefix.eq_ignore_ascii_case("name/") => &action[5..],
        _ => action,
    }
}

/// A policy pattern compiled once, when its document is parsed: an attack-path edge asks the
/// same role's patterns about every bucket, and compiling them per question dominated.
#[derive(Clone, Debug)]
pub struct Pattern {
    text: String,
    kind: Kind,
    glob: Glob,
}

/// Actions compare case-insensitively with `name/` ignored; resources compare exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Action,
    Resource,
}

impl Pattern {
    /// An action pattern (`cos:Put*`, `name/cos:GetObject`).
    pub fn action(text: impl Into<String>) -> Self {
        let text = text.into();
        let glob = Glob::new_case_insensitive(strip_name_prefix(&text));
        Pattern { text, kind: Kind::Action, glob }
    }

    /// A resource pattern (`qcs::cos:*:uid/1:b-1/*`, `acs:oss:*:*:bucket/*`).
    pub fn resource(text: impl Into<String>) -> Self {
        let text = text.into();
        let glob = Glob::new(&text);
        Pattern { text, kind: Kind::Resource, glob }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The pattern as written, without an action's `name/` prefix.
    pub fn bare(&self) -> &str {
        match self.kind {
            Kind::Action => strip_name_prefix(&self.text),
            Kind::Resource => &self.text,
        }
    }

    /// Whether the pattern matches `literal`, read literally: `cos:*` matches `cos:*`,
    /// `cos:Get*` does not. For actions, case and a `name/` prefix on either side are ignored.
    pub fn matches(&self, literal: &str) -> bool {
        match self.kind {
            Kind::Action => self.glob.matches(strip_name_prefix(literal)),
            Kind::Resource => self.glob.matches(literal),
        }
    }

    /// Whether every string the pattern `specific` matches, this pattern matches: `cos:*`
    /// covers `cos:Put*` and `cos:PutObject`, `cos:PutObject` does not cover `cos:Put*`. That
    /// is matching `specific` read literally (module documentation).
    pub fn covers(&self, specific: &str) -> bool {
        self.matches(specific)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.text == other.text
    }
}

impl PartialEq<&str> for Pattern {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

/// Whether the action pattern `pattern` matches `action` (case-insensitive, `name/` ignored
/// on both sides). `action` is read literally: `cos:*` matches `cos:*`, `cos:Get*` does not.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    Pattern::action(pattern).matches(action)
}

/// Whether the resource pattern `pattern` matches `resource` (case-sensitive), `resource`
/// read literally.
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    Pattern::resource(pattern).matches(resource)
}

/// Whether `pattern` has a wildcard, i.e. stands for more than one string.
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains('*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action_covers(general: &str, specific: &str) -> bool {
        Pattern::action(general).covers(specific)
    }

    fn resource_covers(general: &str, specific: &str) -> bool {
        Pattern::resource(general).covers(specific)
    }

    #[test]
    fn star_matches_any_run_including_separators() {
        assert!(action_matches("*", "cos:GetObject"));
        assert!(action_matches("*", ""));
        assert!(resource_matches("*", "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/a/b.txt"));
        assert!(resource_matches(
            "qcs::cos:*:uid/1250000000:b-1250000000/*",
            "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/x/y"
        ));
        assert!(resource_matches("acs:oss:*:*:bucket/*", "acs:oss:*:5123456789012345:bucket/*"));
        assert!(resource_matches("a*b*c", "a:/b//c"));
        assert!(!resource_matches("a*b*c", "a:/b//c/"));
    }

    #[test]
    fn prefix_and_service_wildcards() {
        assert!(action_matches("cos:*", "cos:PutObject"));
        assert!(action_matches("cos:Get*", "cos:GetObject"));
        assert!(action_matches("cos:Get*", "cos:Get"));
        assert!(!action_matches("cos:Get*", "cos:PutObject"));
        assert!(!action_matches("cos:*", "cvm:DescribeInstances"));
        assert!(!action_matches("cos:GetObject", "cos:GetObjectAcl"));
        assert!(action_matches("*:Describe*", "cvm:DescribeInstances"));
    }

    #[test]
    fn actions_are_case_insensitive_resources_are_not() {
        assert!(action_matches("cos:GetObject", "COS:getobject"));
        assert!(action_matches("COS:GET*", "cos:GetObject"));
        assert!(resource_matches("acs:oss:*:*:Bucket", "acs:oss:*:*:Bucket"));
        assert!(!resource_matches("acs:oss:*:*:Bucket", "acs:oss:*:*:bucket"));
        assert!(!resource_matches("qcs::cos:*:uid/1:B-1/*", "qcs::cos:ap-guangzhou:uid/1:b-1/x"));
    }

    #[test]
    fn question_mark_is_literal_in_policy_patterns() {
        assert!(!action_matches("cos:Get?bject", "cos:GetObject"));
        assert!(action_matches("cos:Get?bject", "cos:Get?bject"));
        assert!(!resource_matches("b/?", "b/x"));
    }

    #[test]
    fn name_prefix_is_ignored() {
        assert!(action_matches("name/cos:*", "cos:GetObject"));
        assert!(action_matches("name/cos:GetObject", "cos:GetObject"));
        assert!(action_matches("cos:GetObject", "name/cos:GetObject"));
        assert!(action_matches("NAME/cos:GetObject", "cos:getobject"));
        assert_eq!(strip_name_prefix("name/"), "");
        assert_eq!(strip_name_prefix("nam"), "nam");
        assert_eq!(strip_name_prefix("cos:name/x"), "cos:name/x");
        assert_eq!(strip_name_prefix("名字/x"), "名字/x");
    }

    #[test]
    fn literal_questions() {
        // "allows X on *" compares X literally.
        assert!(action_matches("*", "*"));
        assert!(action_matches("cam:*", "cam:*"));
        assert!(!action_matches("cam:Get*", "cam:*"));
        assert!(!action_matches("cam:*", "*"));
        assert!(resource_matches("*", "*"));
        assert!(!resource_matches("qcs::*", "*"));
    }

    #[test]
    fn covers_catalogue_cases() {
        for general in ["*", "cos:*", "cos:Put*", "COS:put*", "name/cos:*", "c*", "*Put*"] {
            assert!(action_covers(general, "cos:Put*"), "{general} covers cos:Put*");
        }
        for general in ["cos:PutObject", "cos:PutBucketAcl", "cos:Get*", "cos:Put*Acl", "cos:Delete*"] {
            assert!(!action_covers(general, "cos:Put*"), "{general} does not cover cos:Put*");
        }
        assert!(action_covers("cos:Put*", "cos:PutObject"));
        assert!(action_covers("cos:*", "cos:PutObject"));
        assert!(!action_covers("cos:PutObject", "cos:Put*"));
        assert!(!action_covers("cos:*", "*"));
        assert!(action_covers("cos:*Object", "cos:Put*Object"));
        assert!(!action_covers("cos:*Object", "cos:Put*"));
        assert!(resource_covers("b/*", "b/*"));
        assert!(resource_covers("*", "b/*"));
        assert!(!resource_covers("b/*.txt", "b/*"));
        assert!(!resource_covers("b/a*", "b/*"));
    }

    /// All strings over `alphabet` of length at most `max`.
    fn words(alphabet: &[char], max: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..max {
            layer = layer.iter().flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}"))).collect();
            all.extend(layer.iter().cloned());
        }
        all
    }

    #[test]
    fn covers_equals_set_inclusion_exhaustively() {
        // Patterns over {a, b, *} up to length 4. If `q` is not covered by `p`, then `q` with
        // each `*` replaced by the fresh letter `c` is a witness (module doc), of length ≤ 4,
        // so inclusion over strings in {a, b, c}^≤4 is exact.
        let patterns = words(&['a', 'b', '*'], 4);
        let strings = words(&['a', 'b', 'c'], 4);
        assert_eq!(strings.len(), 121);
        let language = |p: &str| -> u128 {
            strings.iter().enumerate().filter(|(_, s)| resource_matches(p, s)).fold(0, |set, (i, _)| set | 1 << i)
        };
        let languages: Vec<u128> = patterns.iter().map(|p| language(p)).collect();
        for (p, lp) in patterns.iter().zip(&languages) {
            for (q, lq) in patterns.iter().zip(&languages) {
                let included = lq & !lp == 0;
                assert_eq!(resource_covers(p, q), included, "{p:?} covers {q:?}");
                assert_eq!(action_covers(p, q), included, "{p:?} covers {q:?} (actions)");
            }
        }
    }

    #[test]
    fn covers_is_case_insensitive_for_actions_only() {
        assert!(action_covers("COS:*", "cos:put*"));
        assert!(!resource_covers("B/*", "b/*"));
    }
}
