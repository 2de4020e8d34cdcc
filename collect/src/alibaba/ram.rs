//! RAM identities, all account-wide (`global/`): the root account, users, groups, roles,
//! policies and access keys. RAM keys every per-resource call by name (`@UserName=`,
//! `@RoleName=`, `@GroupName=`); memberships and attachments come from those answers, and an
//! identity whose answers were not saved is left out rather than shown with none.

use std::collections::BTreeMap;

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::policy;
use crate::report::IssueKind;
use crate::snapshot::Asset;
use crate::snapshot::kind::{ACCESS_KEY, ACCOUNT, GROUP, POLICY, ROLE, USER};

use super::{listed, masked, need_utc, per, resource_name, setting, utc};

/// The errors that say a user has no console password / no MFA device (RAM error codes).
const NO_LOGIN_PROFILE: &str = "EntityNotExist.User.LoginProfile";
const NO_MFA_DEVICE: &str = "EntityNotExist.User.MFADevice";

/// Normalizes the RAM identities of one account.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    account(answers, out, place);
    let users = users(answers, out, place);
    groups(answers, out, place);
    roles(answers, out, place);
    policies(answers, out, place);
    access_keys(answers, out, place, &users);
}

/// The root account. `ims.GetAccountMFAInfo` says whether the root has MFA
/// (`ram.GetSecurityPreference`'s `EnableSaveMFATicket` and `AllowUserToManageMFADevices` are
/// about RAM users, not the root); no Alibaba Cloud API shows the root's console login
/// protection or operation protection (account-centre settings), which the v1 `Account` type
/// requires. So the account is left out, reported, and its coverage partial, never shown with
/// guessed protections.
fn account(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let call = "ims.GetAccountMFAInfo";
    let lookup = answers.lookup(place, call);
    out.cover(place, ACCOUNT, call, &lookup);
    let Some(answer) = lookup.first() else { return };
    match answer.flag("IsMFAEnable") {
        Ok(mfa) => {
            let why = "no Alibaba Cloud API shows the root's login protection or operation protection";
            out.issue(IssueKind::Incomplete, answer, format!("Account left out (IsMFAEnable is {mfa}): {why}"));
            out.partial(place, ACCOUNT, format!("Account left out: {why}"));
        }
        Err(err) => out.not_normalized(err),
    }
}

/// A listed user: what its keys are looked up by and owned by.
struct Listed<'a> {
    id: String,
    name: &'a str,
    item: Node<'a>,
}

/// The users of `ram.ListUsers`; returns every listed user, whose keys are looked up even when
/// the user itself is left out.
fn users<'a>(answers: &'a Answers, out: &mut Estate, place: &Place<'_>) -> Vec<Listed<'a>> {
    let mut users = Vec::new();
    for item in listed(answers, out, place, USER, "ram.ListUsers", &["Users", "User"]) {
        let read = || -> Result<Listed<'a>, FieldError> {
            Ok(Listed { id: item.text("UserId")?, name: item.str("UserName")?, item: item.clone() })
        };
        match read() {
            Ok(user) => {
                if let Err(err) = user_asset(answers, out, place, &user) {
                    out.not_normalized(err);
                }
                users.push(user);
            }
            Err(err) => out.not_normalized(err),
        }
    }
    users
}

fn user_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, user: &Listed<'_>) -> Result<(), FieldError> {
    let name = user.name;
    let lookup = |call: &str| (per(call, "UserName", name), answers.lookup_for(place, call, "UserName", name));
    let (login_call, login) = lookup("ram.GetLoginProfile");
    let (mfa_call, mfa) = lookup("ram.GetUserMFAInfo");
    let (groups_call, groups) = lookup("ram.ListGroupsForUser");
    let (policies_call, policies) = lookup("ram.ListPoliciesForUser");
    let at = &user.item;
    let Some(login) = setting(out, place, USER, at, &login_call, &login, &[NO_LOGIN_PROFILE]) else { return Ok(()) };
    let Some(mfa) = setting(out, place, USER, at, &mfa_call, &mfa, &[NO_MFA_DEVICE]) else { return Ok(()) };
    if setting(out, place, USER, at, &groups_call, &groups, &[]).is_none()
        || setting(out, place, USER, at, &policies_call, &policies, &[]).is_none()
    {
        return Ok(());
    }
    let mut asset = Asset::new(USER, user.id.as_str(), place.provider, place.account, None);
    asset.name = Some(name.to_owned());
    asset.resource_name = Some(resource_name("ram", place, &format!("user/{name}")));
    asset.set("kind", "sub_user");
    asset.set("console_login", login.map(|answer| console_login(&answer)).transpose()?.unwrap_or(false));
    asset.set("mfa_enabled", mfa.map(|answer| mfa_enabled(&answer)).transpose()?.unwrap_or(false));
    asset.set_some("last_login", last_login(answers, out, place, user)?);
    let mut group_ids = Vec::new();
    for group in groups.items(&["Groups", "Group"])? {
        group_ids.push(group.str("GroupName")?);
    }
    asset.set("group_ids", group_ids);
    asset.set("policy_ids", policy_ids(&policies)?);
    out.add_asset(asset, at);
    Ok(())
}

/// A login profile is a console password; IMS answers also say whether it is `Active`.
fn console_login(answer: &Node<'_>) -> Result<bool, FieldError> {
    let profile = answer.need("LoginProfile")?;
    match profile.opt_str("Status")? {
        None | Some("Active") => Ok(true),
        Some("Inactive") => Ok(false),
        Some(_) => Err(profile.need("Status")?.expected("Active or Inactive")),
    }
}

/// `IsMFAEnable` where the answer gives it (IMS), else whether an MFA device is bound.
fn mfa_enabled(answer: &Node<'_>) -> Result<bool, FieldError> {
    match answer.opt_flag("IsMFAEnable")? {
        Some(enabled) => Ok(enabled),
        None => Ok(answer.at(&["MFADevice", "SerialNumber"]).is_some()),
    }
}

/// The last console login (`LastLoginDate`, UTC) from `ram.GetUser`, else from the list entry
/// when it carries the field; `None` (and the type partial) when neither says.
fn last_login(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    user: &Listed<'_>,
) -> Result<Option<String>, FieldError> {
    if let Some(answer) = answers.lookup_for(place, "ram.GetUser", "UserName", user.name).first() {
        return utc(&answer.need("User")?, "LastLoginDate");
    }
    if user.item.value.get("LastLoginDate").is_some() {
        return utc(&user.item, "LastLoginDate");
    }
    let get_user = per("ram.GetUser", "UserName", user.name);
    out.partial(
        place,
        USER,
        format!("last_login unknown: {get_user} was not saved and ram.ListUsers does not give it"),
    );
    Ok(None)
}

/// A policy's id: RAM names a policy by its type and name (a system and a custom policy may
/// share a name), so the id is `<PolicyType>:<PolicyName>`, e.g. `System:ReadOnlyAccess`.
fn policy_id(entry: &Node<'_>) -> Result<String, FieldError> {
    let kind = entry.str("PolicyType")?;
    if kind != "System" && kind != "Custom" {
        return Err(entry.need("PolicyType")?.expected("System or Custom"));
    }
    Ok(format!("{kind}:{}", entry.str("PolicyName")?))
}

/// The policies a `ListPoliciesFor*` answer lists, across its pages.
fn policy_ids(attached: &Lookup<'_>) -> Result<Vec<String>, FieldError> {
    attached.items(&["Policies", "Policy"])?.iter().map(policy_id).collect()
}

/// The groups of `ram.ListGroups` (id = `GroupName`: RAM keys groups by name, and the membership
/// answers give names), with their attached policies.
fn groups(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for group in listed(answers, out, place, GROUP, "ram.ListGroups", &["Groups", "Group"]) {
        let read = |out: &mut Estate| -> Result<(), FieldError> {
            let name = group.str("GroupName")?;
            let call = "ram.ListPoliciesForGroup";
            let lookup = answers.lookup_for(place, call, "GroupName", name);
            if out.detail(place, GROUP, &group, &per(call, "GroupName", name), &lookup).is_none() {
                return Ok(());
            }
            let mut asset = Asset::new(GROUP, name, place.provider, place.account, None);
            asset.name = Some(name.to_owned());
            asset.resource_name = Some(resource_name("ram", place, &format!("group/{name}")));
            asset.set("policy_ids", policy_ids(&lookup)?);
            out.add_asset(asset, &group);
            Ok(())
        };
        if let Err(err) = read(out) {
            out.not_normalized(err);
        }
    }
}

/// Role name → role id, for the roles instances name (`RamRoleName`); `None` when
/// `ram.ListRoles` was not saved. Malformed entries are reported once, by [`roles`].
pub(super) fn role_ids(answers: &Answers, place: &Place<'_>) -> Option<BTreeMap<String, String>> {
    let listed = answers.lookup(place, "ram.ListRoles");
    listed.is_found().then(|| {
        let roles = listed.items(&["Roles", "Role"]).unwrap_or_default();
        roles
            .iter()
            .filter_map(|role| Some((role.str("RoleName").ok()?.to_owned(), role.text("RoleId").ok()?)))
            .collect()
    })
}

/// The roles of `ram.ListRoles`, with their trust policies (`ram.GetRole`) and attached policies.
fn roles(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for role in listed(answers, out, place, ROLE, "ram.ListRoles", &["Roles", "Role"]) {
        if let Err(err) = role_asset(answers, out, place, &role) {
            out.not_normalized(err);
        }
    }
}

fn role_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, entry: &Node<'_>) -> Result<(), FieldError> {
    let name = entry.str("RoleName")?;
    let (get, attached) = ("ram.GetRole", "ram.ListPoliciesForRole");
    let role = answers.lookup_for(place, get, "RoleName", name);
    let policies = answers.lookup_for(place, attached, "RoleName", name);
    let Some(role) = out.detail(place, ROLE, entry, &per(get, "RoleName", name), &role) else { return Ok(()) };
    if out.detail(place, ROLE, entry, &per(attached, "RoleName", name), &policies).is_none() {
        return Ok(());
    }
    let role = role.need("Role")?;
    let id = entry.text("RoleId")?;
    let mut asset = Asset::new(ROLE, id.as_str(), place.provider, place.account, None);
    asset.name = Some(name.to_owned());
    asset.resource_name = Some(resource_name("ram", place, &format!("role/{name}")));
    asset.set("trust", policy::document(&role.need("AssumeRolePolicyDocument")?)?);
    asset.set("policy_ids", policy_ids(&policies)?);
    let seconds = match role.opt_int("MaxSessionDuration")? {
        Some(seconds) => Some(seconds),
        None => entry.opt_int("MaxSessionDuration")?,
    };
    asset.set_some("max_session_seconds", seconds);
    out.add_asset(asset, entry);
    Ok(())
}

/// The policies of `ram.ListPolicies` and those a `ram.GetPolicy` answer was saved for, each
/// with the document of its default version.
fn policies(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let mut entries = listed(answers, out, place, POLICY, "ram.ListPolicies", &["Policies", "Policy"]);
    let listed: Vec<String> = entries.iter().filter_map(|entry| policy_id(entry).ok()).collect();
    let mut extra = 0;
    for name in answers.resources(place, "ram.GetPolicy", "PolicyName") {
        let lookup = answers.lookup_for(place, "ram.GetPolicy", "PolicyName", &name);
        let Some(entry) = lookup.first().and_then(|answer| answer.get("Policy")) else { continue };
        if !policy_id(&entry).is_ok_and(|id| listed.contains(&id)) {
            entries.push(entry);
            extra += 1;
        }
    }
    if extra > 0 && !answers.lookup(place, "ram.ListPolicies").is_found() {
        let reason = "ram.ListPolicies was not saved: only the policies of ram.GetPolicy answers".to_owned();
        out.partial(place, POLICY, reason);
    }
    for entry in entries {
        if let Err(err) = policy_asset(answers, out, place, &entry) {
            out.not_normalized(err);
        }
    }
}

/// `ram.GetPolicy` gives the default version's document (`DefaultPolicyVersion`); a
/// `ram.GetPolicyVersion` answer counts only when it is the default version.
fn policy_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, entry: &Node<'_>) -> Result<(), FieldError> {
    let id = policy_id(entry)?;
    let name = entry.str("PolicyName")?;
    let kind = entry.str("PolicyType")?;
    let get = answers.lookup_for(place, "ram.GetPolicy", "PolicyName", name);
    let version = answers.lookup_for(place, "ram.GetPolicyVersion", "PolicyName", name);
    let document = match (&get, version.first()) {
        (Lookup::Missing, Some(version)) => {
            let version = version.need("PolicyVersion")?;
            let default = entry.str("DefaultVersion")?;
            if version.str("VersionId")? != default {
                let why =
                    format!("the saved ram.GetPolicyVersion@PolicyName={name} is not the default version {default}");
                out.issue(IssueKind::Incomplete, entry, format!("Policy left out: {why}"));
                out.partial(place, POLICY, why);
                return Ok(());
            }
            version.need("PolicyDocument")?
        }
        _ => {
            let Some(answer) = out.detail(place, POLICY, entry, &per("ram.GetPolicy", "PolicyName", name), &get) else {
                return Ok(());
            };
            if answer.at(&["Policy", "PolicyType"]).is_some_and(|saved| saved.value.as_str() != Some(kind)) {
                let why = format!("the saved ram.GetPolicy@PolicyName={name} describes a policy of another type");
                out.issue(IssueKind::Incomplete, entry, format!("Policy `{id}` left out: {why}"));
                out.partial(place, POLICY, why);
                return Ok(());
            }
            answer
                .at(&["DefaultPolicyVersion", "PolicyDocument"])
                .ok_or_else(|| answer.error("expected `DefaultPolicyVersion.PolicyDocument`"))?
        }
    };
    let mut asset = Asset::new(POLICY, id.as_str(), place.provider, place.account, None);
    asset.name = Some(name.to_owned());
    // RAM writes system policies under the owner `system`: `acs:ram:*:system:policy/<name>`.
    let owner = if kind == "System" { "system" } else { place.account };
    asset.resource_name = Some(format!("acs:ram::{owner}:policy/{name}"));
    asset.set("kind", kind.to_ascii_lowercase());
    asset.set("document", policy::document(&document)?);
    out.add_asset(asset, entry);
    Ok(())
}

/// Who owns the keys `ram.ListAccessKeys` lists without `UserName`: the caller, as
/// `sts.GetCallerIdentity` names it (`IdentityType`, else the `Arn`). Without that answer the
/// owner is unknown: a RAM user may have listed its own keys.
fn caller(answers: &Answers, place: &Place<'_>) -> Result<(&'static str, String), String> {
    let lookup = answers.lookup(place, "sts.GetCallerIdentity");
    let Some(identity) = lookup.first() else { return Err("sts.GetCallerIdentity was not saved".to_owned()) };
    let read = |key: &str| identity.opt_str(key).ok().flatten().unwrap_or_default();
    let (kind, arn) = (read("IdentityType"), read("Arn"));
    if kind == "Account" || (kind.is_empty() && arn.ends_with(":root")) {
        return Ok(("root", place.account.to_owned()));
    }
    if kind == "RAMUser" || (kind.is_empty() && arn.contains(":user/")) {
        let user = identity.text("UserId").map_err(|err| err.message)?;
        return if masked(&user) { Err(format!("the caller `{user}` is masked")) } else { Ok(("user", user)) };
    }
    Err(format!("the caller `{arn}` is a role session, whose keys are temporary"))
}

/// The keys of every listed user, and the caller's own keys.
fn access_keys(answers: &Answers, out: &mut Estate, place: &Place<'_>, users: &[Listed<'_>]) {
    let owner = caller(answers, place);
    let listed = answers.lookup(place, "ram.ListUsers");
    out.cover(place, ACCESS_KEY, "ram.ListUsers", &listed);
    for user in users {
        let call = "ram.ListAccessKeys";
        let lookup = answers.lookup_for(place, call, "UserName", user.name);
        if out.detail(place, ACCESS_KEY, &user.item, &per(call, "UserName", user.name), &lookup).is_some() {
            keys(answers, out, place, &lookup, ("user", &user.id));
        }
    }
    let own = answers.lookup(place, "ram.ListAccessKeys");
    let Some(answer) = own.first() else {
        let why = match &own {
            Lookup::Failed { error, .. } => format!("failed: {}: {}", error.code, error.message),
            _ => "was not saved".to_owned(),
        };
        return out.partial(place, ACCESS_KEY, format!("the caller's own keys unknown: ram.ListAccessKeys {why}"));
    };
    match owner {
        Ok((kind, owner)) => keys(answers, out, place, &own, (kind, &owner)),
        Err(why) => {
            out.issue(IssueKind::Incomplete, answer, format!("AccessKey left out: their owner is unknown: {why}"));
            out.partial(place, ACCESS_KEY, format!("the owner of ram.ListAccessKeys's keys is unknown: {why}"));
        }
    }
}

fn keys(answers: &Answers, out: &mut Estate, place: &Place<'_>, listed: &Lookup<'_>, owner: (&str, &str)) {
    match listed.items(&["AccessKeys", "AccessKey"]) {
        Ok(keys) => {
            for key in keys {
                if let Err(err) = key_asset(answers, out, place, &key, owner) {
                    out.not_normalized(err);
                }
            }
        }
        Err(err) => out.not_normalized(err),
    }
}

fn key_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    key: &Node<'_>,
    (owner_kind, owner_id): (&str, &str),
) -> Result<(), FieldError> {
    let Some(mut asset) = crate::keys::listed_key(out, place, key, (owner_kind, owner_id), masked)? else {
        return Ok(());
    };
    let id = asset.id.clone();
    asset.set("created_at", need_utc(key, "CreateDate")?);
    match last_used(answers, place, &id) {
        Some(answer) => {
            let used = answer.at(&["AccessKeyLastUsed"]).map(|used| utc(&used, "LastUsedDate")).transpose()?;
            asset.set_some("last_used_at", used.flatten());
        }
        None => {
            out.partial(place, ACCESS_KEY, format!("last_used_at of {id} unknown: GetAccessKeyLastUsed was not saved"))
        }
    }
    out.add_asset(asset, key);
    Ok(())
}

/// The key's `GetAccessKeyLastUsed` answer, saved from RAM or from IMS (the same answer).
fn last_used<'a>(answers: &'a Answers, place: &Place<'_>, id: &str) -> Option<Node<'a>> {
    ["ram.GetAccessKeyLastUsed", "ims.GetAccessKeyLastUsed"]
        .iter()
        .find_map(|call| answers.lookup_for(place, call, "UserAccessKeyId", id).first().cloned())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;

    fn root(value: &Value) -> Node<'_> {
        Node::root(value, Path::new("a.json"))
    }

    #[test]
    fn mfa_is_the_ims_flag_or_a_bound_device() {
        let ram = json!({"MFADevice": {"SerialNumber": "acs:ram::1:mfa/test", "Type": "VMFA"}});
        let ims_off = json!({"MFADevice": {"SerialNumber": "acs:ram::1:mfa/test"}, "IsMFAEnable": false});
        assert!(mfa_enabled(&root(&ram)).unwrap());
        assert!(!mfa_enabled(&root(&ims_off)).unwrap());
        assert!(!mfa_enabled(&root(&json!({"RequestId": "r"}))).unwrap());
    }

    #[test]
    fn policies_are_named_by_type_and_name() {
        let entry = json!({"PolicyType": "System", "PolicyName": "ReadOnlyAccess"});
        assert_eq!(policy_id(&root(&entry)).unwrap(), "System:ReadOnlyAccess");
        let odd = json!({"PolicyType": "Managed", "PolicyName": "x"});
        assert!(policy_id(&root(&odd)).unwrap_err().message.contains("System or Custom"));
    }

    #[test]
    fn login_profiles_may_say_inactive() {
        assert!(console_login(&root(&json!({"LoginProfile": {"UserName": "Alice"}}))).unwrap());
        assert!(!console_login(&root(&json!({"LoginProfile": {"Status": "Inactive"}}))).unwrap());
    }
}
