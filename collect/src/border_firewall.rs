//! The `BorderFirewallSwitch` asset (network pack): one public address as the cloud firewall's
//! internet border lists it, with its switch. Tencent Cloud Firewall (`cfw.DescribeFwEdgeIps`)
//! and Alibaba Cloud Firewall (`cloudfw.DescribeAssetList`) are central services that list every
//! public address of the account (instances' public IPs and EIPs, load balancers, NAT gateways,
//! HA VIPs) with whether the firewall filters its traffic. One builder, so the two normalizers
//! only say where each field is and cannot drift apart in what "closed" or "not supported" mean:
//!
//! - no asset at all where the list was not saved or failed (an address is only "unprotected"
//!   when the firewall's own list says so);
//! - an address masked in a vendor example identifies nothing: reported, left out, partial;
//! - a list whose last saved page says more follow is partial (Tencent `Total`, which the shared
//!   paging check does not read, is checked here).

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::net;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "BorderFirewallSwitch";

/// One address of the firewall's list, reduced to what `BorderFirewallSwitch` needs.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Switch {
    /// The public address as the answer gives it.
    pub(crate) address: String,
    /// The region the address is in.
    pub(crate) region: Option<String>,
    /// `open`, `opening`, `closed`, `closing` or `abnormal`; `None` for a value rulec does not
    /// know.
    pub(crate) status: Option<&'static str>,
    /// The kind of resource holding the address, as the answer names it.
    pub(crate) resource_type: Option<String>,
    /// The resource holding it, when not masked.
    pub(crate) instance_id: Option<String>,
    /// That resource's name.
    pub(crate) name: Option<String>,
    /// Whether the firewall can protect it; `None` when the answer does not say.
    pub(crate) supported: Option<bool>,
}

/// Where one cloud keeps its address list, and how to read it.
pub(crate) struct SwitchCall {
    /// The list call, `service.Action`.
    pub(crate) call: &'static str,
    /// Its list of addresses.
    pub(crate) list: &'static [&'static str],
    /// A total beside the list that [`crate::estate::more_pages`] does not read.
    pub(crate) total: Option<&'static str>,
    /// Whether an address is masked (an invalid address that is a vendor example's mask).
    pub(crate) masked: fn(&str) -> bool,
    /// Reads one entry.
    pub(crate) read: fn(&Node<'_>) -> Result<Switch, FieldError>,
}

/// Builds a `BorderFirewallSwitch` for every address of the account-wide list.
pub(crate) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>, call: &SwitchCall) {
    let listed = answers.lookup(place, call.call);
    out.cover(place, KIND, call.call, &listed);
    let records = out.items(place, KIND, call.call, &listed, call.list);
    if let (Some(key), Lookup::Found(pages)) = (call.total, &listed)
        && let Some(total) = pages.last().and_then(|page| page.opt_int(key).ok().flatten())
        && usize::try_from(total).is_ok_and(|total| total > records.len())
    {
        let why = format!("{key} is {total} but {} were saved", records.len());
        out.partial(place, KIND, format!("{}: {why}: the pages after it were not saved", call.call));
    }
    for record in &records {
        match (call.read)(record) {
            Ok(switch) => add(out, place, call, record, switch),
            Err(err) => out.not_normalized(err),
        }
    }
}

fn add(out: &mut Estate, place: &Place<'_>, call: &SwitchCall, record: &Node<'_>, switch: Switch) {
    let address = match net::ip(&switch.address) {
        Ok(address) => address,
        Err(problem) if matches!(problem, net::AddressProblem::Masked) || (call.masked)(&switch.address) => {
            let text = &switch.address;
            out.issue(IssueKind::Masked, record, format!("the address `{text}` is masked: left out"));
            out.partial(place, KIND, format!("{}: the address `{text}` is masked", call.call));
            return;
        }
        Err(_) => {
            let text = &switch.address;
            out.issue(IssueKind::NotNormalized, record, format!("`{text}` is not an IP address: left out"));
            return;
        }
    };
    out.add_asset(asset(place, address, switch), record);
}

/// The asset of one address, its id the address itself.
pub(crate) fn asset(place: &Place<'_>, address: String, switch: Switch) -> Asset {
    let mut asset = Asset::new(KIND, address.clone(), place.provider, place.account, switch.region);
    asset.name = switch.name;
    asset.set("address", address);
    asset.set_some("status", switch.status);
    asset.set_some("resource_type", switch.resource_type);
    asset.set_some("instance_id", switch.instance_id);
    asset.set_some("supported", switch.supported);
    asset
}

/// An id that is not a masked one (`i-8vbdrjrxzt78****` in a published example).
pub(crate) fn id(text: Option<&str>) -> Option<String> {
    text.filter(|id| !id.contains('*')).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::raw::{GLOBAL, Provider};

    fn read(record: &Node<'_>) -> Result<Switch, FieldError> {
        Ok(Switch {
            address: record.str("Ip")?.to_owned(),
            status: Some("closed"),
            instance_id: id(record.opt_str("Id")?),
            ..Switch::default()
        })
    }

    const CALL: SwitchCall = SwitchCall {
        call: "cfw.DescribeFwEdgeIps",
        list: &["Data"],
        total: Some("Total"),
        masked: net::is_masked,
        read,
    };

    #[test]
    fn masked_and_invalid_addresses_are_left_out_and_a_short_list_is_partial() {
        let answer = json!({"Data": [
            {"Ip": "1.14.67.183", "Id": "ins-1"},
            {"Ip": "119.***.***.51", "Id": "lb-****"},
            {"Ip": "not an address"},
            {"Ip": "2402:4e00::1", "Id": "eip-****"}
        ], "Total": 5});
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: GLOBAL };
        let listed = Lookup::Found(vec![Node::root(&answer, Path::new("cfw.DescribeFwEdgeIps.json"))]);
        let mut out = Estate::default();
        out.cover(&place, KIND, CALL.call, &listed);
        let records = out.items(&place, KIND, CALL.call, &listed, CALL.list);
        for record in &records {
            add(&mut out, &place, &CALL, record, read(record).unwrap());
        }
        let (snapshot, report) = out.finish("2026-11-20T08:00:00Z".to_owned());
        let fields: Vec<_> = snapshot.assets.iter().map(|asset| serde_json::to_value(&asset.fields).unwrap()).collect();
        assert_eq!(
            fields,
            vec![
                json!({"address": "1.14.67.183", "status": "closed", "instance_id": "ins-1"}),
                json!({"address": "2402:4e00::1", "status": "closed"}),
            ]
        );
        let issues = serde_json::to_string(&report).unwrap();
        assert!(
            issues.contains("`119.***.***.51` is masked") && issues.contains("`not an address` is not"),
            "{issues}"
        );
    }
}
