//! CAM identities: the root account's protection flags, sub-users and collaborators, groups,
//! roles, policies and access keys, all account-wide (`global/`). Memberships and attachments
//! come from per-resource answers; an identity whose attachments were not saved is left out
//! rather than shown with none.

use std::collections::{BTreeMap, BTreeSet};

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;
use crate::snapshot::kind::{ACCESS_KEY, ACCOUNT, GROUP, POLICY, ROLE, USER};
use crate::time;

use super::{beijing_time, lookup_any, masked, need_beijing_time, per, resource_name, tags};

/// The second factors that are a device (hardware or virtual MFA token, U2F key, passkey), as
/// opposed to a code sent to a phone, WeChat or mail.
const DEVICES: [&str; 4] = ["Token", "Stoken", "U2FToken", "Passkey"];

/// Normalizes the CAM identities of one account.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    account(answers, out, place);
    let owners = users(answers, out, place);
    groups(answers, out, place);
    roles(answers, out, place);
    policies(answers, out, place);
    access_keys(answers, out, place, &owners);
}

/// `qcs::cam::uin/<owner>:<what>`.
fn cam_name(place: &Place<'_>, what: &str) -> Option<String> {
    Some(resource_name(place, "cam", what))
}

/// The root account, from its protection flags.
fn account(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let call = "cam.DescribeSafeAuthFlag";
    let lookup = answers.lookup(place, call);
    out.cover(place, ACCOUNT, call, &lookup);
    let Some(flags) = lookup.first() else { return };
    let read = || -> Result<Asset, FieldError> {
        let mut asset = Asset::new(ACCOUNT, place.account, place.provider, place.account, None);
        asset.resource_name = cam_name(place, &format!("uin/{}", place.account));
        let login = Factors::read(flags, "LoginFlag")?;
        let action = Factors::read(flags, "ActionFlag")?;
        asset.set("mfa_enabled", login.device || action.device);
        asset.set("login_protection", login.any);
        asset.set("operation_protection", action.any);
        Ok(asset)
    };
    match read() {
        Ok(asset) => out.add_asset(asset, flags),
        Err(err) => out.not_normalized(err),
    }
}

/// Which second factors a protection setting (`LoginFlag`, `ActionFlag`) asks for.
struct Factors {
    any: bool,
    device: bool,
}

impl Factors {
    fn read(flags: &Node<'_>, key: &str) -> Result<Factors, FieldError> {
        let setting = flags.need(key)?;
        let serde_json::Value::Object(fields) = setting.value else { return Err(setting.expected("an object")) };
        let mut factors = Factors { any: false, device: false };
        for name in fields.keys() {
            if setting.flag(name)? {
                factors.any = true;
                factors.device |= DEVICES.contains(&name.as_str());
            }
        }
        Ok(factors)
    }
}

/// A listed user: what keys and memberships are looked up by.
struct Listed {
    uin: String,
    uid: Option<String>,
}

/// The sub-users (`cam.ListUsers`) and collaborators (`cam.ListCollaborators`); returns every
/// listed identity (uin and list entry), whose keys are looked up even when the user itself is
/// left out.
fn users<'a>(answers: &'a Answers, out: &mut Estate, place: &Place<'_>) -> Vec<(String, Node<'a>)> {
    let memberships = Memberships::read(answers, place);
    let mut owners = Vec::new();
    for (call, kind) in [("cam.ListUsers", "sub_user"), ("cam.ListCollaborators", "collaborator")] {
        let listed = answers.lookup(place, call);
        // Collaborators are optional: their list counts only when it was saved.
        if kind == "sub_user" || !matches!(listed, Lookup::Missing) {
            out.cover(place, USER, call, &listed);
        }
        let items = match listed.items(&["Data"]) {
            Ok(items) => items,
            Err(err) => {
                out.not_normalized(err);
                continue;
            }
        };
        for item in items {
            let user =
                || -> Result<Listed, FieldError> { Ok(Listed { uin: item.text("Uin")?, uid: item.opt_text("Uid")? }) };
            match user() {
                Ok(user) => {
                    if let Err(err) = user_asset(answers, out, place, &memberships, &user, kind, &item) {
                        out.not_normalized(err);
                    }
                    owners.push((user.uin, item));
                }
                Err(err) => out.not_normalized(err),
            }
        }
    }
    owners
}

fn user_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    memberships: &Memberships,
    user: &Listed,
    kind: &str,
    item: &Node<'_>,
) -> Result<(), FieldError> {
    let uin = user.uin.as_str();
    let name = item.opt_str("Name")?;
    let flags_call = per("cam.DescribeSafeAuthFlagColl", "SubUin", uin);
    let lookup = answers.lookup_for(place, "cam.DescribeSafeAuthFlagColl", "SubUin", uin);
    let Some(flags) = out.detail(place, USER, item, &flags_call, &lookup) else { return Ok(()) };
    let Some(group_ids) = group_ids(answers, out, place, memberships, user, item)? else { return Ok(()) };
    let Some(policy_ids) = user_policies(answers, out, place, uin, item)? else { return Ok(()) };
    let mut asset = Asset::new(USER, uin, place.provider, place.account, None);
    asset.name = name.map(str::to_owned);
    asset.resource_name = cam_name(place, &format!("uin/{uin}"));
    asset.set("kind", kind);
    asset.set("console_login", item.flag("ConsoleLogin")?);
    // MFA as the console asks for it at login (what a password alone cannot pass).
    asset.set("mfa_enabled", Factors::read(&flags, "LoginFlag")?.device);
    asset.set_some("last_login", last_login(answers, out, place, uin, name)?);
    asset.set("group_ids", group_ids);
    asset.set("policy_ids", policy_ids);
    out.add_asset(asset, item);
    Ok(())
}

/// The last console login from `cam.GetUser@Name=` or `cam.DescribeSubAccounts`; `None` (and
/// the type partial) when neither was saved.
fn last_login(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    uin: &str,
    name: Option<&str>,
) -> Result<Option<String>, FieldError> {
    if let Some(name) = name
        && let Some(user) = answers.lookup_for(place, "cam.GetUser", "Name", name).first()
    {
        return beijing_time(user, "RecentlyLoginTime");
    }
    let lookup = answers.lookup_for(place, "cam.DescribeSubAccounts", "FilterSubAccountUin", uin);
    for account in lookup.items(&["SubAccounts"])? {
        if account.text("Uin")? == uin {
            return beijing_time(&account, "LastLoginTime");
        }
    }
    let get_user = per("cam.GetUser", "Name", name.unwrap_or("?"));
    let sub_accounts = per("cam.DescribeSubAccounts", "FilterSubAccountUin", uin);
    out.partial(place, USER, format!("last_login unknown: neither {get_user} nor {sub_accounts} gives it"));
    Ok(None)
}

/// Group memberships as the group answers give them: `cam.ListUsersForGroup` for every group of
/// `cam.ListGroups`, usable only when all of them were saved.
struct Memberships {
    by_user: Option<BTreeMap<String, Vec<String>>>,
}

impl Memberships {
    fn read(answers: &Answers, place: &Place<'_>) -> Memberships {
        let complete = || -> Option<BTreeMap<String, Vec<String>>> {
            let groups = answers.lookup(place, "cam.ListGroups");
            let mut by_user: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for group in groups.items(&["GroupInfo"]).ok().filter(|_| groups.is_found())? {
                let id = group.text("GroupId").ok()?;
                let members = answers.lookup_for(place, "cam.ListUsersForGroup", "GroupId", &id);
                if !members.is_found() {
                    return None;
                }
                for member in members.items(&["UserInfo"]).ok()? {
                    by_user.entry(member.text("Uin").ok()?).or_default().push(id.clone());
                }
            }
            Some(by_user)
        };
        Memberships { by_user: complete() }
    }
}

/// The user's groups: its own `cam.ListGroupsForUser` (`@SubUin=` or `@Uid=`), else the
/// complete group member lists; `None` after reporting when neither is there.
fn group_ids(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    memberships: &Memberships,
    user: &Listed,
    item: &Node<'_>,
) -> Result<Option<Vec<String>>, FieldError> {
    let mut params = vec![("SubUin", user.uin.as_str())];
    params.extend(user.uid.as_deref().map(|uid| ("Uid", uid)));
    let (call, lookup) = lookup_any(answers, place, "cam.ListGroupsForUser", &params);
    if matches!(lookup, Lookup::Missing)
        && let Some(by_user) = &memberships.by_user
    {
        return Ok(Some(by_user.get(&user.uin).cloned().unwrap_or_default()));
    }
    if out.detail(place, USER, item, &call, &lookup).is_none() {
        return Ok(None);
    }
    let mut ids = Vec::new();
    for group in lookup.items(&["GroupInfo"])? {
        ids.push(group.text("GroupId")?);
    }
    Ok(Some(ids))
}

/// The policies attached to the user directly: `cam.ListAttachedUserPolicies`, and the
/// entries of `cam.ListAttachedUserAllPolicies` that came with no group.
fn user_policies(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    uin: &str,
    item: &Node<'_>,
) -> Result<Option<Vec<String>>, FieldError> {
    let direct = answers.lookup_for(place, "cam.ListAttachedUserPolicies", "TargetUin", uin);
    let all = answers.lookup_for(place, "cam.ListAttachedUserAllPolicies", "TargetUin", uin);
    let mut ids = BTreeSet::new();
    for policy in direct.items(&["List"])? {
        ids.insert(policy.text("PolicyId")?);
    }
    for policy in all.items(&["PolicyList"])? {
        if policy.list(&["Groups"]).is_empty() {
            ids.insert(policy.text("PolicyId")?);
        }
    }
    if direct.is_found() || all.is_found() {
        return Ok(Some(ids.into_iter().collect()));
    }
    let lookup = if matches!(direct, Lookup::Missing) { all } else { direct };
    let call = per("cam.ListAttachedUserPolicies", "TargetUin", uin);
    out.detail(place, USER, item, &call, &lookup);
    Ok(None)
}

/// The user groups of `cam.ListGroups`, with their attached policies.
fn groups(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "cam.ListGroups");
    out.cover(place, GROUP, "cam.ListGroups", &listed);
    let items = match listed.items(&["GroupInfo"]) {
        Ok(items) => items,
        Err(err) => return out.not_normalized(err),
    };
    for group in items {
        let read = |out: &mut Estate| -> Result<(), FieldError> {
            let id = group.text("GroupId")?;
            let call = per("cam.ListAttachedGroupPolicies", "TargetGroupId", &id);
            let lookup = answers.lookup_for(place, "cam.ListAttachedGroupPolicies", "TargetGroupId", &id);
            if out.detail(place, GROUP, &group, &call, &lookup).is_none() {
                return Ok(());
            }
            let mut asset = Asset::new(GROUP, id.as_str(), place.provider, place.account, None);
            asset.name = group.opt_str("GroupName")?.map(str::to_owned);
            asset.resource_name = cam_name(place, &format!("groupid/{id}"));
            asset.set("policy_ids", policy_ids(&lookup.items(&["List"])?)?);
            out.add_asset(asset, &group);
            Ok(())
        };
        if let Err(err) = read(out) {
            out.not_normalized(err);
        }
    }
}

fn policy_ids(items: &[Node<'_>]) -> Result<Vec<String>, FieldError> {
    items.iter().map(|item| item.text("PolicyId")).collect()
}

/// Every role saved: the `cam.DescribeRoleList` entries and the roles of `cam.GetRole` answers
/// (the per-role answer wins where both describe one role).
fn role_records<'a>(answers: &'a Answers, out: &mut Estate, place: &Place<'_>) -> Vec<Node<'a>> {
    let listed = answers.lookup(place, "cam.DescribeRoleList");
    let mut roles = BTreeMap::new();
    match listed.items(&["List"]) {
        Ok(items) => {
            for item in items {
                match item.text("RoleId") {
                    Ok(id) => {
                        roles.insert(id, item);
                    }
                    Err(err) => out.not_normalized(err),
                }
            }
        }
        Err(err) => out.not_normalized(err),
    }
    for id in answers.resources(place, "cam.GetRole", "RoleId") {
        let lookup = answers.lookup_for(place, "cam.GetRole", "RoleId", &id);
        match lookup.first().map(|answer| answer.need("RoleInfo")) {
            Some(Ok(info)) => {
                roles.insert(id, info);
            }
            Some(Err(err)) => out.not_normalized(err),
            None => {}
        }
    }
    roles.into_values().collect()
}

/// Role name → role id, for the roles instances name (`CamRoleName`); `None` when no role
/// answer was saved.
pub(super) fn role_ids(answers: &Answers, place: &Place<'_>) -> Option<BTreeMap<String, String>> {
    // Malformed role records are reported once, by `roles`.
    let mut scratch = Estate::default();
    let records = role_records(answers, &mut scratch, place);
    let saved = answers.lookup(place, "cam.DescribeRoleList").is_found()
        || !answers.resources(place, "cam.GetRole", "RoleId").is_empty();
    saved.then(|| {
        records
            .iter()
            .filter_map(|role| Some((role.str("RoleName").ok()?.to_owned(), role.text("RoleId").ok()?)))
            .collect()
    })
}

/// The roles, with their trust policies and attached policies.
fn roles(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "cam.DescribeRoleList");
    out.cover(place, ROLE, "cam.DescribeRoleList", &listed);
    let records = role_records(answers, out, place);
    if !listed.is_found() && !records.is_empty() {
        out.partial(
            place,
            ROLE,
            "cam.DescribeRoleList was not saved: only the roles of cam.GetRole answers".to_owned(),
        );
    }
    for role in records {
        if let Err(err) = role_asset(answers, out, place, &role) {
            out.not_normalized(err);
        }
    }
}

fn role_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, role: &Node<'_>) -> Result<(), FieldError> {
    let id = role.text("RoleId")?;
    let name = role.str("RoleName")?;
    let params = [("RoleId", id.as_str()), ("RoleName", name)];
    let (call, lookup) = lookup_any(answers, place, "cam.ListAttachedRolePolicies", &params);
    if out.detail(place, ROLE, role, &call, &lookup).is_none() {
        return Ok(());
    }
    let mut asset = Asset::new(ROLE, id.as_str(), place.provider, place.account, None);
    asset.name = Some(name.to_owned());
    asset.tags = tags(out, role, "Tags")?;
    asset.resource_name = cam_name(place, &format!("roleName/{name}"));
    asset.set("trust", crate::policy::document(&role.need("PolicyDocument")?)?);
    asset.set("policy_ids", policy_ids(&lookup.items(&["List"])?)?);
    asset.set_some("max_session_seconds", role.opt_int("SessionDuration")?);
    asset.set_some("console_login", role.opt_flag("ConsoleLogin")?);
    out.add_asset(asset, role);
    Ok(())
}

/// The policies: those `cam.ListPolicies` lists and those a `cam.GetPolicy` answer was saved
/// for; the document comes from `cam.GetPolicy`.
fn policies(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "cam.ListPolicies");
    out.cover(place, POLICY, "cam.ListPolicies", &listed);
    let mut entries = BTreeMap::new();
    match listed.items(&["List"]) {
        Ok(items) => {
            for item in items {
                match item.text("PolicyId") {
                    Ok(id) => {
                        entries.insert(id, Some(item));
                    }
                    Err(err) => out.not_normalized(err),
                }
            }
        }
        Err(err) => out.not_normalized(err),
    }
    let fetched = answers.resources(place, "cam.GetPolicy", "PolicyId");
    if !listed.is_found() && !fetched.is_empty() {
        let reason = "cam.ListPolicies was not saved: only the policies of cam.GetPolicy answers".to_owned();
        out.partial(place, POLICY, reason);
    }
    for id in fetched {
        entries.entry(id).or_insert(None);
    }
    for (id, entry) in entries {
        if let Err(err) = policy_asset(answers, out, place, &id, entry.as_ref()) {
            out.not_normalized(err);
        }
    }
}

fn policy_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    id: &str,
    entry: Option<&Node<'_>>,
) -> Result<(), FieldError> {
    let lookup = answers.lookup_for(place, "cam.GetPolicy", "PolicyId", id);
    let call = per("cam.GetPolicy", "PolicyId", id);
    let policy = match entry {
        Some(entry) => match out.detail(place, POLICY, entry, &call, &lookup) {
            Some(policy) => policy,
            None => return Ok(()),
        },
        None => match lookup.first() {
            Some(policy) => policy.clone(),
            None => return Ok(()),
        },
    };
    let kind_from = if policy.get("Type").is_some() { &policy } else { entry.unwrap_or(&policy) };
    let kind = match kind_from.int("Type")? {
        1 => "custom",
        2 => "system",
        _ => return Err(kind_from.need("Type")?.expected("1 (custom) or 2 (preset)")),
    };
    let mut asset = Asset::new(POLICY, id, place.provider, place.account, None);
    let name = policy.opt_str("PolicyName")?.or(entry.map(|entry| entry.opt_str("PolicyName")).transpose()?.flatten());
    asset.name = name.map(str::to_owned);
    asset.tags = tags(out, &policy, "Tags")?;
    asset.resource_name = cam_name(place, &format!("policyid/{id}"));
    asset.set("kind", kind);
    asset.set("document", crate::policy::document(&policy.need("PolicyDocument")?)?);
    out.add_asset(asset, &policy);
    Ok(())
}

/// Who owns the keys `cam.ListAccessKeys` lists without `TargetUin`: the caller, named by
/// `sts.GetCallerIdentity` (the root when it was not saved, as collecting them means calling
/// as root).
fn caller(answers: &Answers, place: &Place<'_>) -> Result<(&'static str, String), String> {
    let lookup = answers.lookup(place, "sts.GetCallerIdentity");
    let Some(identity) = lookup.first() else { return Ok(("root", place.account.to_owned())) };
    let user = identity.text("UserId").map_err(|err| err.message)?;
    if masked(&user) {
        return Err(format!("sts.GetCallerIdentity names the caller `{user}`, which is masked"));
    }
    if user == place.account {
        Ok(("root", user))
    } else if user.contains(':') {
        Err(format!("the caller `{user}` is a role session or a federated user, whose keys are temporary"))
    } else {
        Ok(("user", user))
    }
}

/// The access keys of every listed user, and the caller's own keys.
fn access_keys(answers: &Answers, out: &mut Estate, place: &Place<'_>, users: &[(String, Node<'_>)]) {
    let listed = answers.lookup(place, "cam.ListUsers");
    out.cover(place, ACCESS_KEY, "cam.ListUsers", &listed);
    let last_used = LastUsed::read(answers, out, place);
    for (uin, user) in users {
        let call = per("cam.ListAccessKeys", "TargetUin", uin);
        let lookup = answers.lookup_for(place, "cam.ListAccessKeys", "TargetUin", uin);
        if let Some(answer) = out.detail(place, ACCESS_KEY, user, &call, &lookup) {
            keys(out, place, &answer, ("user", uin), &last_used);
        }
    }
    let own = answers.lookup(place, "cam.ListAccessKeys");
    let Some(answer) = own.first() else {
        let why = match &own {
            Lookup::Failed { error, .. } => format!("failed: {}: {}", error.code, error.message),
            _ => "was not saved".to_owned(),
        };
        return out.partial(place, ACCESS_KEY, format!("the caller's own keys unknown: cam.ListAccessKeys {why}"));
    };
    match caller(answers, place) {
        Ok((kind, owner)) => keys(out, place, answer, (kind, &owner), &last_used),
        Err(why) => {
            out.issue(IssueKind::Incomplete, answer, format!("AccessKey left out: their owner is unknown: {why}"));
            out.partial(place, ACCESS_KEY, format!("the owner of cam.ListAccessKeys's keys is unknown: {why}"));
        }
    }
}

fn keys(out: &mut Estate, place: &Place<'_>, answer: &Node<'_>, owner: (&str, &str), last_used: &LastUsed) {
    let items = match answer.collection(&["AccessKeys"]) {
        Ok(items) => items,
        Err(err) => return out.not_normalized(err),
    };
    for key in items {
        if let Err(err) = key_asset(out, place, &key, owner, last_used) {
            out.not_normalized(err);
        }
    }
}

fn key_asset(
    out: &mut Estate,
    place: &Place<'_>,
    key: &Node<'_>,
    (owner_kind, owner_id): (&str, &str),
    last_used: &LastUsed,
) -> Result<(), FieldError> {
    let Some(mut asset) = crate::keys::listed_key(out, place, key, (owner_kind, owner_id), masked)? else {
        return Ok(());
    };
    let id = asset.id.clone();
    asset.set("created_at", need_beijing_time(key, "CreateTime")?);
    match last_used.of(&id) {
        Some(at) => {
            asset.set_some("last_used_at", at.clone());
        }
        None => out.partial(
            place,
            ACCESS_KEY,
            last_used
                .unknown
                .clone()
                .unwrap_or_else(|| format!("last_used_at of {id} unknown: it is not in cam.GetSecurityLastUsed")),
        ),
    }
    out.add_asset(asset, key);
    Ok(())
}

/// `cam.GetSecurityLastUsed` by key id: `Some(None)` is a key never used.
struct LastUsed {
    by_key: BTreeMap<String, Option<String>>,
    /// Why no key's last use is known, when the call was not saved or failed.
    unknown: Option<String>,
}

impl LastUsed {
    fn read(answers: &Answers, out: &mut Estate, place: &Place<'_>) -> LastUsed {
        let lookup = answers.lookup(place, "cam.GetSecurityLastUsed");
        let unknown = match &lookup {
            Lookup::Found(_) => None,
            Lookup::Missing => Some("last_used_at unknown: cam.GetSecurityLastUsed was not saved".to_owned()),
            Lookup::Failed { error, .. } => {
                Some(format!("last_used_at unknown: cam.GetSecurityLastUsed failed: {}: {}", error.code, error.message))
            }
        };
        let mut by_key = BTreeMap::new();
        match lookup.items(&["SecretIdLastUsedRows"]) {
            Ok(rows) => {
                for row in rows {
                    match row.str("SecretId").and_then(|id| Ok((id, last_use(&row)?))) {
                        Ok((id, _)) if masked(id) => out.issue(
                            IssueKind::Masked,
                            &row,
                            format!("the key id `{id}` is masked: its last use is left out"),
                        ),
                        Ok((id, at)) => {
                            by_key.insert(id.to_owned(), at);
                        }
                        Err(err) => out.not_normalized(err),
                    }
                }
            }
            Err(err) => out.not_normalized(err),
        }
        LastUsed { by_key, unknown }
    }

    /// The key's last use: `Some(None)` never used, `None` unknown.
    fn of(&self, id: &str) -> Option<&Option<String>> {
        self.by_key.get(id)
    }
}

/// A key's last use: `LastSecretUsedDate` (epoch milliseconds, UTC by definition), else the
/// day of `LastUsedDate` (a Beijing date, documented as a day late) at its start; `None` when
/// both say never (0 / empty).
fn last_use(row: &Node<'_>) -> Result<Option<String>, FieldError> {
    if let Some(millis) = row.opt_int("LastSecretUsedDate")?.filter(|millis| *millis > 0) {
        let at = time::unix_millis(millis).ok_or_else(|| row.error("`LastSecretUsedDate` is out of range"))?;
        return Ok(Some(time::format(at)));
    }
    let Some(day) = row.opt_str("LastUsedDate")? else { return Ok(None) };
    match time::local(&format!("{day} 00:00:00"), time::BEIJING) {
        Some(at) => Ok(Some(time::format(at))),
        None => Err(row.need("LastUsedDate")?.expected("a date `YYYY-MM-DD`")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn last_use_prefers_the_millisecond_epoch_over_the_late_date() {
        let rows = json!([
            {"SecretId": "a", "LastUsedDate": "2022-12-19", "LastSecretUsedDate": 1671681023555u64},
            {"SecretId": "b", "LastUsedDate": "2022-12-19", "LastSecretUsedDate": 0},
            {"SecretId": "c", "LastUsedDate": "", "LastSecretUsedDate": 0},
            {"SecretId": "d", "LastUsedDate": "19/12/2022"}
        ]);
        let root = Node::root(&rows, Path::new("a.json"));
        let rows = root.items();
        assert_eq!(last_use(&rows[0]).unwrap().as_deref(), Some("2022-12-22T03:50:23.555Z"));
        assert_eq!(last_use(&rows[1]).unwrap().as_deref(), Some("2022-12-18T16:00:00Z"));
        assert_eq!(last_use(&rows[2]).unwrap(), None);
        assert!(last_use(&rows[3]).is_err());
    }

    #[test]
    fn device_factors_are_mfa_phone_codes_are_not() {
        let flags =
            json!({"LoginFlag": {"Phone": 1, "Token": 0, "Stoken": 0}, "ActionFlag": {"Phone": 0, "Stoken": 1}});
        let root = Node::root(&flags, Path::new("a.json"));
        let login = Factors::read(&root, "LoginFlag").unwrap();
        assert!(login.any && !login.device);
        let action = Factors::read(&root, "ActionFlag").unwrap();
        assert!(action.any && action.device);
        assert!(Factors::read(&root, "OffsiteFlag").is_err());
    }
}
