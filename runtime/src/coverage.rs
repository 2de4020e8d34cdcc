//! What a snapshot's producer could and could not collect (the `coverage` section an import
//! writes), and which checks that leaves without data: the compliance section reports their
//! controls as "not evaluated" rather than "passed".
//!
//! A check reads its subject type, the types its references lead to (`deref`) and the types of
//! the edges its paths may use, through the functions it calls. A type the section does not
//! mention was not the producer's to collect (a hand-written `Network`, say) and leaves no
//! gap; a type with any entry other than `collected` does.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::plan::{Check, Plan, TypeIdx};
use crate::uses::Uses;

/// One line of a snapshot's `coverage` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageEntry {
    pub provider: String,
    pub account: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(rename = "type")]
    pub type_name: String,
    pub status: CoverageStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    Collected,
    Partial,
    Failed,
    Absent,
}

impl CoverageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Collected => "collected",
            CoverageStatus::Partial => "partial",
            CoverageStatus::Failed => "failed",
            CoverageStatus::Absent => "absent",
        }
    }
}

/// Why a type's data is incomplete: one line per entry that is not `collected`, or `None`.
pub fn type_gap(coverage: &[CoverageEntry], type_name: &str) -> Option<String> {
    let gaps: Vec<String> = coverage
        .iter()
        .filter(|entry| entry.type_name == type_name && entry.status != CoverageStatus::Collected)
        .map(|entry| {
            let place = match &entry.region {
                Some(region) => format!("{}/{}/{region}", entry.provider, entry.account),
                None => format!("{}/{}", entry.provider, entry.account),
            };
            let why = if entry.reasons.is_empty() { String::new() } else { format!(" ({})", entry.reasons.join("; ")) };
            format!("{type_name} {} in {place}{why}", entry.status.as_str())
        })
        .collect();
    (!gaps.is_empty()).then(|| gaps.join("; "))
}

/// Why `check` cannot be trusted to have seen all its data, or `None`.
pub fn check_gap(plan: &Plan, coverage: &[CoverageEntry], check: &Check) -> Option<String> {
    let gaps: Vec<String> = data_types(plan, check)
        .into_iter()
        .filter_map(|ty| plan.types.get(ty as usize))
        .filter_map(|def| type_gap(coverage, &def.name))
        .collect();
    (!gaps.is_empty()).then(|| gaps.join("; "))
}

/// The types whose data a check reads, in type order.
pub fn data_types(plan: &Plan, check: &Check) -> BTreeSet<TypeIdx> {
    Uses::of_check(plan, check).types
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(type_name: &str, status: CoverageStatus, region: Option<&str>) -> CoverageEntry {
        CoverageEntry {
            provider: "tencent".into(),
            account: "1".into(),
            region: region.map(str::to_owned),
            type_name: type_name.into(),
            status,
            reasons: vec![],
        }
    }

    #[test]
    fn a_type_has_a_gap_when_any_place_is_not_collected() {
        let coverage = vec![
            entry("Instance", CoverageStatus::Collected, Some("ap-guangzhou")),
            entry("Instance", CoverageStatus::Failed, Some("ap-shanghai")),
            entry("User", CoverageStatus::Collected, None),
        ];
        assert_eq!(type_gap(&coverage, "Instance").as_deref(), Some("Instance failed in tencent/1/ap-shanghai"));
        assert_eq!(type_gap(&coverage, "User"), None);
        assert_eq!(type_gap(&coverage, "Network"), None, "a type the producer does not mention leaves no gap");
    }
}
