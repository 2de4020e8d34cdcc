//! Account-wide settings read from one answer per account (a password policy, login
//! settings): one asset each, id the account, so a check can tell a weak setting from one not
//! collected (no asset). Both clouds' normalizers use it.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

/// How a setting's answer is read into its asset; addresses found masked go to the `Vec`.
pub(crate) type ReadSetting = fn(&Node<'_>, &mut Asset, &mut Vec<String>) -> Result<(), FieldError>;

/// Reads the one answer of `call` into an asset of `kind` with `read`, recording coverage.
pub(crate) fn setting_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    kind: &'static str,
    call: &str,
    read: ReadSetting,
) {
    let lookup = answers.lookup(place, call);
    out.cover(place, kind, call, &lookup);
    let Some(answer) = lookup.first() else { return };
    let mut asset = Asset::new(kind, place.account, place.provider, place.account, None);
    let mut masked = Vec::new();
    match read(answer, &mut asset, &mut masked) {
        Ok(()) => {
            for text in masked {
                out.issue(IssueKind::Masked, answer, format!("the address `{text}` is masked: left out"));
            }
            out.add_asset(asset, answer);
        }
        Err(err) => out.not_normalized(err),
    }
}
