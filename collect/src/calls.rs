//! The one table of the calls the importer reads: which answers feed which asset types, where
//! per-resource parameters come from and how each call pages. The importer's dispatch, the
//! documentation (docs/import.md), the saving script (scripts/save-raw.sh) and the live
//! collector all read this table, so they cannot drift apart.

use serde::Serialize;

use crate::raw::Provider;

/// Where a call's answers are saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Account-wide: saved under `global/`.
    Global,
    /// Per region: saved under each region's folder.
    Regional,
}

/// How a call's further pages are asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Paging {
    /// One answer holds everything.
    None,
    /// `Offset`/`Limit` style: the parameter names and the largest page.
    Offset { offset: &'static str, limit: &'static str, max: u32 },
    /// `PageNumber`/`PageSize` style (Tencent `Page`/`Rp`).
    PageNumber { number: &'static str, size: &'static str, max: u32 },
    /// A token from the previous answer (`NextToken`, `Marker`).
    Token { request: &'static str, response: &'static str },
}

/// One call the importer understands.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Call {
    pub provider: Provider,
    /// The service as the CLI and the layout spell it (`cvm`, `ecs`, `cos`, `oss`).
    pub service: &'static str,
    /// The action as the API spells it (`DescribeInstances`, `GetBucketAcl`).
    pub action: &'static str,
    pub scope: Scope,
    /// The `@Param` of a call made once per resource, and the call and field its values come
    /// from, e.g. `("SecurityGroupId", "vpc.DescribeSecurityGroups SecurityGroupSet[].SecurityGroupId")`.
    pub per: Option<(&'static str, &'static str)>,
    /// The asset types (or `events`) its answer feeds.
    pub feeds: &'static [&'static str],
    /// The fields read, for the documentation.
    pub reads: &'static str,
    pub paging: Paging,
    /// The top-level keys (envelope removed) that tell this call's answer from every other's,
    /// for files saved outside the layout; empty when the answer cannot be told apart.
    pub shape: &'static [&'static str],
}

impl Call {
    /// A row of a cloud's table: one argument per column, so the tables read as rows.
    #[expect(clippy::too_many_arguments, reason = "one argument per column of the call table")]
    pub(crate) const fn row(
        provider: Provider,
        service: &'static str,
        action: &'static str,
        scope: Scope,
        per: Option<(&'static str, &'static str)>,
        feeds: &'static [&'static str],
        reads: &'static str,
        paging: Paging,
        shape: &'static [&'static str],
    ) -> Call {
        Call { provider, service, action, scope, per, feeds, reads, paging, shape }
    }

    /// `service.Action`, as in file names.
    pub fn name(&self) -> String {
        format!("{}.{}", self.service, self.action)
    }
}

/// Every call, Tencent Cloud's then Alibaba Cloud's.
pub fn all() -> impl Iterator<Item = &'static Call> {
    crate::tencent::CALLS.iter().chain(crate::alibaba::CALLS.iter())
}

/// The call a saved file names, if the importer reads it.
pub fn find(provider: Provider, service: &str, action: &str) -> Option<&'static Call> {
    all().find(|call| call.provider == provider && call.service == service && call.action == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_is_listed_once() {
        let mut names: Vec<(Provider, String)> = all().map(|call| (call.provider, call.name())).collect();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "a call is listed twice");
    }

    #[test]
    fn per_resource_calls_say_where_their_values_come_from() {
        for call in all() {
            if let Some((param, from)) = call.per {
                assert!(!param.is_empty() && from.contains('.'), "{}: {param} from {from}", call.name());
            }
            assert!(!call.feeds.is_empty(), "{} feeds nothing", call.name());
        }
    }
}
