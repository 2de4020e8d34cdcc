//! The snapshot fields each `native fn` reads, as `Type.field`.
//!
//! Natives read fields in Rust (`natives.rs`, `lookups.rs`), where the compiler cannot see
//! them; this table declares them, beside the natives it describes, so a check's
//! `Check::reads` includes what the natives it calls depend on. The match is exhaustive: a new
//! native does not build until it says what it reads. `id` and `type` are left out, as in
//! every check's reads.

use super::exec::Native;

/// What turning a security group's rule list into `net::SgRule`s reads.
const SG_RULE: &[&str] = &[
    "SgRule.action",
    "SgRule.cidr",
    "SgRule.port_from",
    "SgRule.port_to",
    "SgRule.priority",
    "SgRule.protocol",
    "SgRule.source_group_id",
];

/// The owner of an access key, whose permissions the key acts with.
const KEY_OWNER: &[&str] = &["AccessKey.owner_id"];

/// The policy ids of a user (its own, then its groups') or a role.
const POLICY_IDS: &[&str] = &["Group.policy_ids", "Role.policy_ids", "User.group_ids", "User.policy_ids"];

/// A policy's document, parsed: the statement fields policy evaluation consults.
const DOCUMENTS: &[&str] = &[
    "Policy.document",
    "PolicyDocument.statement",
    "Statement.action",
    "Statement.condition",
    "Statement.effect",
    "Statement.resource",
];

/// Whether a key is the root account's, which acts as the account (allowed everything).
const ROOT_KEY: &[&str] = &["AccessKey.owner_kind"];

/// The instance and network addresses `is_internal` and its lookups index.
const ADDRESSES: &[&str] = &["Instance.private_ips", "Instance.public_ips", "Network.cidrs"];

/// The successful calls of a key, as `service:action`.
const CALLS: &[&str] = &["ApiCall.access_key_id", "ApiCall.action", "ApiCall.service", "ApiCall.success"];

impl Native {
    fn reads(self) -> Vec<&'static str> {
        let parts: &[&[&str]] = match self {
            Native::IsPrivate | Native::AccessKey => &[],
            Native::SgAllows => &[&["SecurityGroup.egress", "SecurityGroup.ingress"], SG_RULE],
            Native::ExposedPorts | Native::ExposedPortCount => &[&["SecurityGroup.ingress"], SG_RULE],
            Native::ReachableFromInternet => {
                &[&["Instance.public_ips", "Instance.security_group_ids", "SecurityGroup.ingress"], SG_RULE]
            }
            // A principal's permissions: a root key's are the account's, any other key's its
            // owner's, a user's or role's its policies' documents.
            Native::IamAllows | Native::IsAdmin | Native::GrantsAny | Native::MayWriteStorage => {
                &[ROOT_KEY, KEY_OWNER, POLICY_IDS, DOCUMENTS]
            }
            Native::CanWriteBucket => {
                &[&["Bucket.provider", "Bucket.resource_name"], ROOT_KEY, KEY_OWNER, POLICY_IDS, DOCUMENTS]
            }
            Native::EffectivePolicies | Native::KeyPolicies => &[KEY_OWNER, POLICY_IDS],
            Native::UnusedActions => &[KEY_OWNER, POLICY_IDS, DOCUMENTS, CALLS],
            Native::IsInternal | Native::InstancesWithIp | Native::NetworksContaining => &[ADDRESSES],
            Native::CallsOf => &[&["ApiCall.access_key_id"]],
            Native::IsCallTo => &[&["ApiCall.action", "ApiCall.service"]],
            Native::FirstSeenFrom => &[&["ApiCall.access_key_id", "ApiCall.source_ip", "ApiCall.time"]],
            Native::LoginsOf => &[&["ConsoleLogin.user_id"]],
            Native::FirstLoginFrom => {
                &[&["ConsoleLogin.country", "ConsoleLogin.success", "ConsoleLogin.time", "ConsoleLogin.user_id"]]
            }
            Native::LeakReportsOf => &[&["LeakReport.access_key_id"]],
            Native::KeysOf => &[KEY_OWNER],
            Native::TrailsOf => &[&["AuditTrail.account"]],
            Native::AllowsAnyPrincipal => {
                &[&["PolicyDocument.statement", "Statement.condition", "Statement.effect", "Statement.principal"]]
            }
            Native::RefusesPlainHttp => &[&[
                "Bucket.policy",
                "Bucket.provider",
                "Bucket.resource_name",
                "PolicyDocument.statement",
                "Statement.action",
                "Statement.condition",
                "Statement.effect",
                "Statement.principal",
                "Statement.resource",
            ]],
            Native::RecommendedPolicy => &[&["AccessKey.provider"], CALLS],
        };
        parts.concat()
    }
}

/// The fields the native `name` (`std.net.sg_allows`) reads, or `None` for a name this
/// runtime does not implement.
pub fn native_reads(name: &str) -> Option<Vec<&'static str>> {
    Native::from_name(name).map(Native::reads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_native_reads_what_its_helpers_read() {
        let reads = native_reads("std.iam.can_write_bucket").unwrap_or_default();
        for field in ["Bucket.resource_name", "AccessKey.owner_kind", "Group.policy_ids", "Statement.effect"] {
            assert!(reads.contains(&field), "{field} in {reads:?}");
        }
        assert_eq!(native_reads("std.net.is_private"), Some(vec![]));
        assert_eq!(native_reads("std.nope"), None);
    }
}
