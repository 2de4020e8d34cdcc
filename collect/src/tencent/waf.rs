//! WAF coverage of load balancers: `waf.DescribeDomains` (API 2018-01-25), account-wide, every
//! domain the account's WAF instances protect (api.json `DomainInfo`). A load-balancer-type WAF
//! (`Edition` `clb-waf`, or `cdc-clb-waf` in a CDC) inspects the traffic of the CLB listeners
//! bound to the domain (`LoadBalancerSet[]`: `LoadBalancerId`, `ListenerId`, `Vport`) while the
//! domain's WAF switch `Status` is 1 (0: off, traffic passes uninspected). A SaaS WAF
//! (`sparta-waf`) sits in front of the origin by DNS (CNAME): its `LoadBalancerSet` holds a
//! placeholder (`"LoadBalancerId": "default.cd"` in the published example), no load balancer of
//! the account, and is not read.
//!
//! Every load balancer of the account then gets `waf_ports`, the frontend ports WAF inspects
//! (empty: none). No load balancer gets it when the list was not saved or failed, when not all its
//! pages were saved (`Total` above the domains saved) or when a binding could not be read: a
//! listener is "without WAF" only when the whole list says so.

use std::collections::{BTreeMap, BTreeSet};

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;

use super::masked;

const KIND: &str = "LoadBalancer";
const CALL: &str = "waf.DescribeDomains";

/// Sets `waf_ports` on every load balancer of the account (`place` is the account's global
/// place; the load balancers of every region are built before).
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, CALL);
    out.cover(place, KIND, CALL, &listed);
    let Lookup::Found(pages) = &listed else { return };
    let domains = out.items(place, KIND, CALL, &listed, &["Domains"]);
    let total = pages.last().and_then(|page| page.opt_int("Total").ok().flatten());
    if let Some(total) = total
        && usize::try_from(total).is_ok_and(|total| total > domains.len())
    {
        let why = format!("Total is {total} but {} were saved", domains.len());
        out.partial(place, KIND, format!("{CALL}: {why}: no load balancer's WAF coverage is known"));
        return;
    }
    let mut ports: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for domain in &domains {
        match bindings(domain) {
            Ok(Bindings::Read(bound)) => {
                for (id, port) in bound {
                    ports.entry(id).or_default().insert(port);
                }
            }
            Ok(Bindings::Masked(id)) => {
                out.issue(IssueKind::Masked, domain, format!("the load balancer id `{id}` is masked"));
                out.partial(
                    place,
                    KIND,
                    format!(
                        "{CALL}: a bound load balancer id `{id}` is masked: no load balancer's WAF coverage is known"
                    ),
                );
                return;
            }
            Err(err) => {
                out.not_normalized(err);
                out.partial(
                    place,
                    KIND,
                    format!("{CALL}: a domain could not be read: no load balancer's WAF coverage is known"),
                );
                return;
            }
        }
    }
    for balancer in out.assets_mut(KIND, place.provider.as_str(), place.account) {
        let guarded: Vec<i64> = ports.get(&balancer.id).map(|set| set.iter().copied().collect()).unwrap_or_default();
        balancer.set("waf_ports", guarded);
    }
}

/// What one domain binds.
#[derive(Debug, PartialEq, Eq)]
enum Bindings {
    /// The (load balancer id, frontend port) pairs WAF inspects: none for a SaaS domain or a
    /// domain whose WAF switch is off.
    Read(Vec<(String, i64)>),
    /// A bound load balancer id masked in a vendor example: it could be any load balancer.
    Masked(String),
}

fn bindings(domain: &Node<'_>) -> Result<Bindings, FieldError> {
    let load_balancer_waf = matches!(domain.opt_str("Edition")?, Some("clb-waf" | "cdc-clb-waf"));
    if !load_balancer_waf || domain.opt_int("Status")? != Some(1) {
        return Ok(Bindings::Read(Vec::new()));
    }
    let mut bound = Vec::new();
    for listener in domain.list(&["LoadBalancerSet"]) {
        let id = listener.str("LoadBalancerId")?;
        if masked(id) {
            return Ok(Bindings::Masked(id.to_owned()));
        }
        bound.push((id.to_owned(), listener.int("Vport")?));
    }
    Ok(Bindings::Read(bound))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;

    fn read(value: &Value) -> Result<Bindings, FieldError> {
        bindings(&Node::root(value, Path::new("waf.DescribeDomains.json")))
    }

    #[test]
    fn only_switched_on_load_balancer_waf_domains_bind_listeners() {
        let listener =
            json!({"ListenerId": "lbl-d823da3", "LoadBalancerId": "lb-nda52sau", "Protocol": "HTTP", "Vport": 80});
        let bound = |edition: &str, status: i64| {
            read(&json!({"Edition": edition, "Status": status, "LoadBalancerSet": [listener.clone()]})).unwrap()
        };
        assert_eq!(bound("clb-waf", 1), Bindings::Read(vec![("lb-nda52sau".to_owned(), 80)]));
        assert_eq!(bound("cdc-clb-waf", 1), Bindings::Read(vec![("lb-nda52sau".to_owned(), 80)]));
        // The switch off, and a SaaS domain's placeholder: nothing inspected.
        assert_eq!(bound("clb-waf", 0), Bindings::Read(Vec::new()));
        assert_eq!(bound("sparta-waf", 1), Bindings::Read(Vec::new()));
        let masked = json!({"Edition": "clb-waf", "Status": 1, "LoadBalancerSet": [{"LoadBalancerId": "lb-****", "Vport": 443}]});
        assert_eq!(read(&masked).unwrap(), Bindings::Masked("lb-****".to_owned()));
        let portless = json!({"Edition": "clb-waf", "Status": 1, "LoadBalancerSet": [{"LoadBalancerId": "lb-1"}]});
        assert!(read(&portless).unwrap_err().message.contains("Vport"));
    }
}
