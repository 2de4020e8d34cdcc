//! Account-wide RAM settings: the password policy (`ram.GetPasswordPolicy`) and the login
//! settings (`ram.GetSecurityPreference`), one asset each per account, id the account, so
//! checks can tell "weak policy" from "policy not collected" (no asset).

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::settings::setting_asset;
use crate::snapshot::Asset;
use crate::snapshot::kind::PASSWORD_POLICY;

use super::cidr;

/// The RAM user login settings of an account (pack `iam`).
const LOGIN_SETTINGS: &str = "IamLoginSettings";

/// Normalizes both settings of one account.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    setting_asset(answers, out, place, PASSWORD_POLICY, "ram.GetPasswordPolicy", password_policy);
    setting_asset(answers, out, place, LOGIN_SETTINGS, "ram.GetSecurityPreference", login_settings);
}

/// `PasswordPolicy`: `MaxLoginAttemps` is spelled so by the API; 0 turns the lockout off and a
/// `MaxPasswordAge` of 0 means passwords never expire, as the fields below keep them.
fn password_policy(answer: &Node<'_>, asset: &mut Asset, _: &mut Vec<String>) -> Result<(), FieldError> {
    let policy = answer.need("PasswordPolicy")?;
    asset.set("min_length", policy.int("MinimumPasswordLength")?);
    asset.set("require_uppercase", policy.flag("RequireUppercaseCharacters")?);
    asset.set("require_lowercase", policy.flag("RequireLowercaseCharacters")?);
    asset.set("require_numbers", policy.flag("RequireNumbers")?);
    asset.set("require_symbols", policy.flag("RequireSymbols")?);
    asset.set("reuse_prevention", policy.int("PasswordReusePrevention")?);
    asset.set("max_age_days", policy.int("MaxPasswordAge")?);
    asset.set("max_login_attempts", policy.int("MaxLoginAttemps")?);
    Ok(())
}

/// `SecurityPreference`: `LoginNetworkMasks` is a `;`-separated list of CIDRs (empty: any
/// address may log in), `LoginSessionDuration` is in hours.
fn login_settings(answer: &Node<'_>, asset: &mut Asset, masked: &mut Vec<String>) -> Result<(), FieldError> {
    let preference = answer.need("SecurityPreference")?;
    let login = preference.need("LoginProfilePreference")?;
    let masks = login.opt_str("LoginNetworkMasks")?.unwrap_or_default();
    let mut networks = Vec::new();
    for text in masks.split([';', ',', ' ']).map(str::trim).filter(|t| !t.is_empty()) {
        match cidr(text) {
            Ok(cidr) => networks.push(cidr),
            Err(crate::net::AddressProblem::Masked) => masked.push(text.to_owned()),
            Err(crate::net::AddressProblem::Invalid) => {
                return Err(login.need("LoginNetworkMasks")?.expected("CIDRs separated by `;`"));
            }
        }
    }
    asset.set("login_network_masks", networks);
    asset.set("login_session_hours", login.int("LoginSessionDuration")?);
    asset.set("mfa_ticket_saved", login.flag("EnableSaveMFATicket")?);
    asset.set("users_manage_access_keys", preference.need("AccessKeyPreference")?.flag("AllowUserToManageAccessKeys")?);
    asset.set("users_manage_mfa", preference.need("MFAPreference")?.flag("AllowUserToManageMFADevices")?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn read(f: crate::settings::ReadSetting, value: &serde_json::Value) -> Result<(Asset, Vec<String>), String> {
        let mut asset = Asset::new(LOGIN_SETTINGS, "1", crate::raw::Provider::Alibaba, "1", None);
        let mut masked = Vec::new();
        f(&Node::root(value, Path::new("a.json")), &mut asset, &mut masked).map_err(|e| e.to_string())?;
        Ok((asset, masked))
    }

    fn preference(masks: &str) -> serde_json::Value {
        json!({"SecurityPreference": {
            "LoginProfilePreference": {"LoginSessionDuration": 6, "LoginNetworkMasks": masks, "EnableSaveMFATicket": false},
            "AccessKeyPreference": {"AllowUserToManageAccessKeys": true},
            "MFAPreference": {"AllowUserToManageMFADevices": true},
        }})
    }

    #[test]
    fn login_network_masks_are_split_and_checked() {
        let (asset, masked) = read(login_settings, &preference("10.0.0.0/8;192.168.1.1; 192.168.XX.XX/24")).unwrap();
        assert_eq!(asset.fields["login_network_masks"], json!(["10.0.0.0/8", "192.168.1.1/32"]));
        assert_eq!(masked, ["192.168.XX.XX/24"]);
        let (asset, _) = read(login_settings, &preference("")).unwrap();
        assert_eq!(asset.fields["login_network_masks"], json!([]));
        let err = read(login_settings, &preference("10.0.0.0/33")).unwrap_err();
        assert!(err.contains("LoginNetworkMasks") && err.contains("CIDRs"), "{err}");
    }

    #[test]
    fn a_policy_without_a_field_is_an_error_naming_it() {
        let err = read(password_policy, &json!({"PasswordPolicy": {"MinimumPasswordLength": 8}})).unwrap_err();
        assert!(err.contains("RequireUppercaseCharacters"), "{err}");
    }
}
