//! WAF 3.0 coverage of classic load balancers (API `waf-openapi` 2021-10-01, cloud native
//! access mode), account-wide, three calls deep:
//!
//! * `waf-openapi.DescribeInstance`: the account's WAF instance of one site (`RegionId`
//!   `cn-hangzhou`: the Chinese mainland, `ap-southeast-1`: outside it; the collector asks the
//!   mainland site). `InstanceId` absent or empty: no WAF 3.0 instance bought there, so no load
//!   balancer of the site is protected, a real answer. `Status` 1 normal, 2 expired, 3 released:
//!   an expired or released instance is read as protecting nothing (the reference gives the
//!   three values and no more).
//! * `waf-openapi.DescribeCloudResources@InstanceId=`: the cloud resources added to that
//!   instance, asked with `ResourceProduct` `clb7` (a CLB's HTTP and HTTPS listeners; `clb4`,
//!   TCP listeners, is not asked: the check judges HTTP(S) listeners only). Each entry names its
//!   load balancer in `ResourceInstanceId`; entries of other products are not read.
//! * `waf-openapi.DescribeResourcePort@InstanceId=@ResourceInstanceId=`: `ResourcePorts`, "the
//!   HTTP and HTTPS listener ports added to WAF" of one resource, as text (`["80"]`).
//!
//! Every load balancer of the site then gets `waf_ports` (empty: none): the site of a region is
//! the one the waf-openapi SDK's endpoint map sends it to (every `cn-` region to
//! `wafopenapi.cn-hangzhou`, but `cn-hongkong`, which goes to `wafopenapi.ap-southeast-1` with
//! every region abroad).
//! None gets it when the instance answer was not saved or failed, or when the resource list was
//! not saved, failed or not whole (`TotalCount` above the entries saved), or names a masked
//! load balancer; a load balancer whose port answer is missing or failed does not get it either.
//! Load balancers of the other site keep it absent: coverage unknown, not missing.

use std::collections::{BTreeMap, BTreeSet};

use crate::answers::{Answers, Lookup, Place};
use crate::estate::{Estate, more_pages};
use crate::node::{FieldError, Node};
use crate::report::IssueKind;

use super::{masked, per};

const KIND: &str = "LoadBalancer";
const INSTANCE: &str = "waf-openapi.DescribeInstance";
const RESOURCES: &str = "waf-openapi.DescribeCloudResources";
const PORTS: &str = "waf-openapi.DescribeResourcePort";
/// The WAF site of the Chinese mainland, the one the collector and save-raw.sh ask.
const MAINLAND: &str = "cn-hangzhou";
/// The WAF site outside the Chinese mainland.
const ABROAD: &str = "ap-southeast-1";

/// Sets `waf_ports` on the load balancers of the account that the saved WAF site covers
/// (`place` is the account's global place; the load balancers of every region are built before).
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let lookup = answers.lookup(place, INSTANCE);
    out.cover(place, KIND, INSTANCE, &lookup);
    let Some(instance) = lookup.first() else { return };
    let coverage = match coverage(answers, out, place, instance) {
        Ok(Some(coverage)) => coverage,
        Ok(None) => return,
        Err(err) => {
            out.not_normalized(err);
            out.partial(place, KIND, format!("{INSTANCE}: the WAF instance could not be read: waf_ports is left out"));
            return;
        }
    };
    for balancer in out.assets_mut(KIND, place.provider.as_str(), place.account) {
        let region = balancer.region.as_deref().unwrap_or_default();
        if site_of(region) != coverage.site || coverage.unknown.contains(&balancer.id) {
            continue;
        }
        let guarded: Vec<i64> =
            coverage.ports.get(&balancer.id).map(|ports| ports.iter().copied().collect()).unwrap_or_default();
        balancer.set("waf_ports", guarded);
    }
}

/// What one WAF site's answers say.
#[derive(Default)]
struct Coverage {
    /// The site: [`MAINLAND`] or [`ABROAD`].
    site: &'static str,
    /// The ports WAF inspects, by load balancer id.
    ports: BTreeMap<String, BTreeSet<i64>>,
    /// Load balancers added to WAF whose ports are not known.
    unknown: BTreeSet<String>,
}

/// The WAF site a load balancer's region belongs to.
fn site_of(region: &str) -> &'static str {
    if region.starts_with("cn-") && region != "cn-hongkong" { MAINLAND } else { ABROAD }
}

/// The coverage the site's answers give; `None` after reporting why it is not known.
fn coverage(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    instance: &Node<'_>,
) -> Result<Option<Coverage>, FieldError> {
    let site = match instance.opt_str("RegionId")? {
        None | Some(MAINLAND) => MAINLAND,
        Some(ABROAD) => ABROAD,
        Some(_) => return Err(instance.need("RegionId")?.expected("cn-hangzhou or ap-southeast-1")),
    };
    let none = Coverage { site, ..Coverage::default() };
    let Some(id) = instance.opt_str("InstanceId")? else { return Ok(Some(none)) };
    match instance.int("Status")? {
        1 => {}
        2 | 3 => return Ok(Some(none)),
        _ => return Err(instance.need("Status")?.expected("1 (normal), 2 (expired) or 3 (released)")),
    }
    let call = per(RESOURCES, "InstanceId", id);
    let listed = answers.lookup_for(place, RESOURCES, "InstanceId", id);
    let Lookup::Found(pages) = &listed else {
        out.optional(place, KIND, &call, &listed, "waf_ports");
        return Ok(None);
    };
    let resources = listed.items(&["CloudResources"])?;
    if let Some(why) = pages.last().and_then(|last| more_pages(last, resources.len())) {
        out.partial(place, KIND, format!("{call}: {why}: no load balancer's WAF coverage is known"));
        return Ok(None);
    }
    let mut coverage = none;
    for resource in &resources {
        if resource.opt_str("ResourceProduct")? != Some("clb7") {
            continue;
        }
        let balancer = resource.str("ResourceInstanceId")?;
        if masked(balancer) {
            out.issue(IssueKind::Masked, resource, format!("the load balancer id `{balancer}` is masked"));
            let why =
                format!("{call}: a load balancer id `{balancer}` is masked: no load balancer's WAF coverage is known");
            out.partial(place, KIND, why);
            return Ok(None);
        }
        let params = [("InstanceId", id), ("ResourceInstanceId", balancer)];
        let lookup = answers.lookup_with(place, PORTS, &params);
        let call = format!("{}@ResourceInstanceId={balancer}", per(PORTS, "InstanceId", id));
        match out.optional(place, KIND, &call, &lookup, "waf_ports") {
            Some(answer) => {
                let ports = coverage.ports.entry(balancer.to_owned()).or_default();
                for port in answer.collection(&["ResourcePorts"])? {
                    ports.insert(port.as_int()?);
                }
            }
            None => {
                coverage.unknown.insert(balancer.to_owned());
            }
        }
    }
    Ok(Some(coverage))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_belongs_to_the_mainland_site_or_the_one_abroad() {
        assert_eq!(site_of("cn-hangzhou"), MAINLAND);
        assert_eq!(site_of("cn-wulanchabu"), MAINLAND);
        assert_eq!(site_of("cn-hongkong"), ABROAD);
        assert_eq!(site_of("ap-southeast-1"), ABROAD);
        assert_eq!(site_of(""), ABROAD);
    }
}
