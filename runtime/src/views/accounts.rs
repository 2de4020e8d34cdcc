//! The account view: per root account, its protection and what the findings say about
//! everything it owns.

use std::collections::HashMap;

use serde::Serialize;

use super::fields::{Fields, rows};
use super::keys::FindingRef;
use super::{FindingCounts, FindingIndex, is_pending};
use crate::plan::Plan;
use crate::report::Finding;
use crate::snapshot::Store;
use crate::value::format_time;

#[derive(Clone, Debug, Serialize)]
pub struct AccountView {
    pub provider: Option<String>,
    pub account: String,
    pub name: Option<String>,
    pub mfa_enabled: Option<bool>,
    pub login_protection: Option<bool>,
    pub operation_protection: Option<bool>,
    pub last_login: Option<String>,
    /// Every finding on an asset of the account (keys, instances, buckets, ...), by kind and
    /// severity.
    pub counts: FindingCounts,
    /// The findings on the account itself (root key, root MFA, ...).
    pub on_account: Vec<FindingRef>,
    /// The fixes of its pending findings on the account itself, most severe first.
    pub advice: Vec<String>,
}

const ID: usize = 0;
const PROVIDER: usize = 1;
const NAME: usize = 2;
const MFA: usize = 3;
const LOGIN: usize = 4;
const OPERATION: usize = 5;
const LAST_LOGIN: usize = 6;

pub(super) fn view(plan: &Plan, store: &Store, findings: &[Finding], index: &FindingIndex<'_>) -> Vec<AccountView> {
    let owner_of = AccountOf::new(plan, store);
    let mut counts: HashMap<&str, FindingCounts> = HashMap::new();
    for finding in findings {
        if let Some(account) = owner_of.account(&finding.subject.ty, &finding.subject.id) {
            counts.entry(account).or_default().add(finding);
        }
    }
    let f = Fields::of(
        plan,
        "Account",
        ["id", "provider", "name", "mfa_enabled", "login_protection", "operation_protection", "last_login"],
    );
    rows(store, f.ty)
        .iter()
        .filter_map(|record| {
            let id = f.str(record, ID)?;
            let own = index.on("Account", id);
            let mut pending: Vec<&&Finding> = own.iter().filter(|x| is_pending(x)).collect();
            pending.sort_by_key(|x| std::cmp::Reverse(x.severity));
            let mut advice: Vec<String> = Vec::new();
            for fix in pending.iter().filter_map(|x| x.fix.as_ref()) {
                if !advice.contains(fix) {
                    advice.push(fix.clone());
                }
            }
            Some(AccountView {
                provider: f.string(record, PROVIDER),
                account: id.to_owned(),
                name: f.string(record, NAME),
                mfa_enabled: f.bool(record, MFA),
                login_protection: f.bool(record, LOGIN),
                operation_protection: f.bool(record, OPERATION),
                last_login: f.time(record, LAST_LOGIN).map(format_time),
                counts: counts.get(id).cloned().unwrap_or_default(),
                on_account: own.iter().map(|x| FindingRef::of(x)).collect(),
                advice,
            })
        })
        .collect()
}

/// The `account` of every asset, by (type name, id).
struct AccountOf<'s> {
    store: &'s Store,
    fields: HashMap<&'s str, (crate::plan::TypeIdx, usize)>,
}

impl<'s> AccountOf<'s> {
    fn new(plan: &'s Plan, store: &'s Store) -> Self {
        let fields = plan
            .types
            .iter()
            .enumerate()
            .filter_map(|(i, t)| Some((t.name.as_str(), (i as crate::plan::TypeIdx, t.field_index("account")?))))
            .collect();
        AccountOf { store, fields }
    }

    fn account(&self, ty: &str, id: &str) -> Option<&'s str> {
        let (ty, at) = *self.fields.get(ty)?;
        self.store.get(ty, id)?.fields().get(at)?.as_str()
    }
}
