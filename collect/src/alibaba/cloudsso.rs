//! CloudSSO directories: `cloudsso.ListDirectories` (in `global/`; a management account holds
//! at most one directory, in the region its `Region` names) and each directory's sign-in MFA
//! setting, `cloudsso.GetMFAAuthenticationSettings@DirectoryId=`. Its
//! `MFAAuthenticationAdvanceSettings` is `Enabled` (every user), `Byuser` (each user's own
//! setting), `OnlyRiskyLogin` (unusual sign-ins only) or `Disabled` (CloudSSO API reference).

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{listed, masked, per};

/// A CloudSSO directory (pack `iam`).
const KIND: &str = "SsoDirectory";

const LIST: &str = "cloudsso.ListDirectories";
const MFA: &str = "cloudsso.GetMFAAuthenticationSettings";

/// Normalizes the CloudSSO directories of one account.
pub(super) fn build(answers: &Answers, out: &mut Estate, global: &Place<'_>) {
    for directory in listed(answers, out, global, KIND, LIST, &["Directories"]) {
        if let Err(err) = directory_asset(answers, out, global, &directory) {
            out.not_normalized(err);
        }
    }
}

fn directory_asset(answers: &Answers, out: &mut Estate, global: &Place<'_>, dir: &Node<'_>) -> Result<(), FieldError> {
    let id = dir.str("DirectoryId")?;
    if masked(id) {
        out.issue(IssueKind::Masked, dir, format!("the directory id `{id}` is masked: left out"));
        out.partial(global, KIND, format!("{LIST}: the id `{id}` is masked"));
        return Ok(());
    }
    let lookup = answers.lookup_for(global, MFA, "DirectoryId", id);
    let Some(settings) = out.detail(global, KIND, dir, &per(MFA, "DirectoryId", id), &lookup) else { return Ok(()) };
    let region = dir.opt_str("Region")?.filter(|region| !region.is_empty());
    let mut asset = Asset::new(KIND, id, global.provider, global.account, region.map(str::to_owned));
    asset.name = dir.opt_str("DirectoryName")?.filter(|name| !name.is_empty()).map(str::to_owned);
    asset.resource_name = Some(format!("acs:cloudsso:{}:{}:directory/{id}", region.unwrap_or("*"), global.account));
    asset.set("mfa", mfa_setting(&settings)?);
    out.add_asset(asset, dir);
    Ok(())
}

/// The directory-wide MFA setting, in the snapshot's words.
fn mfa_setting(settings: &Node<'_>) -> Result<&'static str, FieldError> {
    const KEY: &str = "MFAAuthenticationAdvanceSettings";
    Ok(match settings.str(KEY)? {
        "Enabled" => "enabled",
        "Byuser" => "by_user",
        "OnlyRiskyLogin" => "risky_login_only",
        "Disabled" => "disabled",
        _ => return Err(settings.need(KEY)?.expected("Enabled, Byuser, OnlyRiskyLogin or Disabled")),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn setting(value: serde_json::Value) -> Result<&'static str, String> {
        mfa_setting(&Node::root(&value, Path::new("a.json"))).map_err(|err| err.to_string())
    }

    #[test]
    fn each_documented_mfa_setting_has_a_name() {
        assert_eq!(setting(json!({"MFAAuthenticationAdvanceSettings": "Enabled"})), Ok("enabled"));
        assert_eq!(setting(json!({"MFAAuthenticationAdvanceSettings": "Byuser"})), Ok("by_user"));
        assert_eq!(setting(json!({"MFAAuthenticationAdvanceSettings": "OnlyRiskyLogin"})), Ok("risky_login_only"));
        assert_eq!(setting(json!({"MFAAuthenticationAdvanceSettings": "Disabled"})), Ok("disabled"));
    }

    #[test]
    fn an_unknown_or_missing_setting_is_refused_not_guessed() {
        let unknown = setting(json!({"MFAAuthenticationAdvanceSettings": "Sometimes"})).unwrap_err();
        assert!(unknown.contains("Enabled, Byuser, OnlyRiskyLogin or Disabled"), "{unknown}");
        assert!(setting(json!({"RequestId": "x"})).is_err());
    }
}
