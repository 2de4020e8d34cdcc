//! Alibaba Cloud: the calls read (one table) and the normalizers that join their answers into
//! snapshot assets. RPC answers have no envelope and nest collections twice
//! (`Instances.Instance[]`); OSS answers are XML, or JSON as ossutil prints it.

pub(crate) mod events;

use crate::answers::Answers;
use crate::calls::{Call, Paging, Scope};
use crate::estate::Estate;
use crate::raw::Provider;

const fn call(
    service: &'static str,
    action: &'static str,
    scope: Scope,
    per: Option<(&'static str, &'static str)>,
    feeds: &'static [&'static str],
    reads: &'static str,
    paging: Paging,
    shape: &'static [&'static str],
) -> Call {
    Call { provider: Provider::Alibaba, service, action, scope, per, feeds, reads, paging, shape }
}

/// The Alibaba Cloud calls the importer reads.
pub(crate) static CALLS: &[Call] = &[call(
    "sts",
    "GetCallerIdentity",
    Scope::Global,
    None,
    &["account id"],
    "AccountId",
    Paging::None,
    &["AccountId", "PrincipalId"],
)];

/// Normalizes everything saved for one account.
pub(crate) fn build(_answers: &Answers, _out: &mut Estate, _account: &str) {}
