//! The account's CAM password rules (`cam.GetPasswordRules`), one asset per account.
//!
//! `MustContain` (which character classes a password needs) and `ForcePasswordChange` (a
//! validity period whose unit the API reference does not give) have no published meaning
//! precise enough to judge, so the complexity and expiry fields stay absent, not guessed.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::settings::setting_asset;
use crate::snapshot::Asset;
use crate::snapshot::kind::PASSWORD_POLICY;

/// Normalizes the password rules of one account.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    setting_asset(answers, out, place, PASSWORD_POLICY, "cam.GetPasswordRules", password_rules);
}

fn password_rules(answer: &Node<'_>, asset: &mut Asset, _: &mut Vec<String>) -> Result<(), FieldError> {
    let rules = answer.need("Rules")?;
    asset.set("min_length", rules.int("MinimumLength")?);
    asset.set("reuse_prevention", rules.int("ReusePasswordLimit")?);
    asset.set("max_login_attempts", rules.int("RetryPasswordLimit")?);
    Ok(())
}
