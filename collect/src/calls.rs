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

/// Where a per-resource call's values come from: each item of a list call's answer names one
/// resource. The collector fans the call out over these items; the documentation and the saving
/// script say the same from the same row.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Per {
    /// The request parameter naming the resource, also the `@Param` of the saved file.
    pub param: &'static str,
    /// The list call, `service.Action`.
    pub from: &'static str,
    /// The keys leading to the list's items in its answer (`["Users", "User"]`); a key ending
    /// in `[]` goes through each element of a list on the way, for items nested in each item of
    /// another list (`["NatGateways", "NatGateway[]", "ForwardTableIds", "ForwardTableId"]`).
    /// Empty for an answer about one thing (`waf-openapi.DescribeInstance`): it is the one item.
    pub list: &'static [&'static str],
    /// The item fields holding the value; empty when the items are the values themselves.
    /// Several fields (a rule's source and destination prefix list) give a value each.
    pub fields: &'static [&'static str],
    /// Further request parameters read from the same item: (parameter, field).
    pub with: &'static [(&'static str, &'static str)],
    /// Parameters of the list call's own request that this call repeats (SLS's `project`),
    /// named in the saved file before `param`.
    pub inherit: &'static [&'static str],
    /// Where the call is made and saved.
    pub located: Located,
    /// Whether the call is also made once without the parameter (the caller's own keys).
    pub bare: bool,
    /// Above 0, the values go together as one list parameter, at most this many per request,
    /// and the answers are saved as the pages of one file without the parameter
    /// (`cam.GetSecurityLastUsed` takes up to 10 `SecretIdList` entries).
    pub batch: u32,
    /// A remark for the documentation.
    pub note: &'static str,
}

/// The region a per-resource call is made in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Located {
    /// The list call's region.
    WithList,
    /// The region an item field names, less a prefix (a bucket's `Location`, `oss-cn-hangzhou`).
    ItemField { field: &'static str, strip: &'static str },
}

impl Per {
    /// The resources are `list[].field` of the answers of `from`.
    pub(crate) const fn each(
        param: &'static str,
        from: &'static str,
        list: &'static [&'static str],
        fields: &'static [&'static str],
    ) -> Per {
        Per {
            param,
            from,
            list,
            fields,
            with: &[],
            inherit: &[],
            located: Located::WithList,
            bare: false,
            batch: 0,
            note: "",
        }
    }

    pub(crate) const fn with(self, with: &'static [(&'static str, &'static str)]) -> Per {
        Per { with, ..self }
    }

    pub(crate) const fn inherit(self, inherit: &'static [&'static str]) -> Per {
        Per { inherit, ..self }
    }

    pub(crate) const fn located(self, field: &'static str, strip: &'static str) -> Per {
        Per { located: Located::ItemField { field, strip }, ..self }
    }

    pub(crate) const fn bare(self) -> Per {
        Per { bare: true, ..self }
    }

    pub(crate) const fn batch(self, batch: u32) -> Per {
        Per { batch, ..self }
    }

    pub(crate) const fn note(self, note: &'static str) -> Per {
        Per { note, ..self }
    }

    /// `cam.ListUsers Data[].Uin` (`waf-openapi.DescribeInstance InstanceId` for an answer about
    /// one thing), for the documentation.
    pub fn source(&self) -> String {
        if self.list.is_empty() {
            return format!("{} {}", self.from, self.fields.join(" / "));
        }
        let fields = if self.fields.is_empty() { String::new() } else { format!(".{}", self.fields.join(" / ")) };
        format!("{} {}[]{fields}", self.from, self.list.join("."))
    }
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
    /// For a call made once per resource: where the resources come from.
    pub per: Option<Per>,
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
        per: Option<Per>,
        feeds: &'static [&'static str],
        reads: &'static str,
        paging: Paging,
        shape: &'static [&'static str],
    ) -> Call {
        Call { provider, service, action, scope, per, feeds, reads, paging, shape }
    }

    /// The keys leading to the list a page of a paged call holds, named at the start of its
    /// `reads` (`InstanceSet[]: ...`, `Buckets.Bucket[]: ...`): a full page asks for the next.
    pub fn page_list(&self) -> Vec<&'static str> {
        let list = self.reads.split_once("[]").map(|(list, _)| list).unwrap_or_default();
        list.split('.').filter(|key| !key.is_empty()).collect()
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
    fn paged_calls_name_the_list_a_page_holds() {
        for call in all().filter(|call| call.paging != Paging::None) {
            let list = call.page_list();
            assert!(
                !list.is_empty() && list.iter().all(|key| key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')),
                "{}: a paged call's `reads` must start with the list a page holds, as `InstanceSet[]: ...`",
                call.name()
            );
        }
    }

    #[test]
    fn per_resource_calls_say_where_their_values_come_from() {
        for call in all() {
            if let Some(per) = call.per {
                let from = per.from.split_once('.').and_then(|(service, action)| find(call.provider, service, action));
                assert!(from.is_some(), "{}: {} is not a call of the table", call.name(), per.from);
                // No list: the answer is about one thing, whose field gives the value.
                assert!(!per.param.is_empty(), "{}", call.name());
                assert!(!per.list.is_empty() || !per.fields.is_empty(), "{}", call.name());
            }
            assert!(!call.feeds.is_empty(), "{} feeds nothing", call.name());
        }
    }
}
