//! The `ElasticIp` asset: one elastic public address of a region (Tencent Cloud
//! `vpc.DescribeAddresses`, Alibaba Cloud `vpc.DescribeEipAddresses`), what it is bound to and
//! which Anti-DDoS edition protects it. Each cloud reads its own vocabulary of statuses and
//! bound resource types into the shared [`Address`]; this module writes the asset.
//!
//! Both vendors' published examples list an address as unbound (`UNBIND`, `Available`) that
//! still names an instance: the status decides, and an address that is not bound keeps no
//! bound resource (it leads nowhere).
//!
//! A bound address also completes the instance it reaches, when that instance was built from
//! the same region's instance answer and lists the address among its public IPs: the instance's
//! `elastic_ip_id` names the EIP, so commands that unbind an instance's address can name it.

use serde_json::Value;

use crate::answers::Place;
use crate::estate::Estate;
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "ElasticIp";

/// Whether an address is bound, as the asset's `status` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Bound to a resource that takes its traffic.
    Bound,
    /// Bound to nothing.
    Unbound,
    /// Bound to a network interface that is attached to no instance (Tencent `BIND_ENI`).
    Dangling,
    /// Being created, bound, unbound or released.
    Changing,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Bound => "bound",
            Status::Unbound => "unbound",
            Status::Dangling => "dangling",
            Status::Changing => "changing",
        }
    }
}

/// One elastic address, as each cloud's answer reads into it.
#[derive(Debug)]
pub(crate) struct Address {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    /// `None` when the address was masked.
    pub(crate) address: Option<String>,
    pub(crate) status: Status,
    /// What it is bound to: `instance`, `load_balancer`, `nat_gateway`, `havip`,
    /// `network_interface`, `ip_address` or `other`; `None` when the answer does not say.
    pub(crate) bound_type: Option<&'static str>,
    /// The id of the resource it is bound to, as the answer gives it.
    pub(crate) bound_id: Option<String>,
    /// The instance its traffic reaches, when the answer names one.
    pub(crate) instance_id: Option<String>,
    pub(crate) network_interface_id: Option<String>,
    /// Whether the answer shows Anti-DDoS beyond the free basic protection.
    pub(crate) ddos_enhanced: bool,
}

/// The `ElasticIp` asset of one address, without tags and resource name (each cloud's own);
/// the instance it reaches gets its id (see the module documentation).
pub(crate) fn asset(out: &mut Estate, place: &Place<'_>, address: Address) -> Asset {
    link_instance(out, &address);
    let mut asset = Asset::new(KIND, &address.id, place.provider, place.account, place.asset_region());
    asset.name = address.name.filter(|name| !name.trim().is_empty());
    asset.set_some("address", address.address);
    asset.set("status", address.status.as_str());
    if address.status != Status::Unbound {
        asset.set_some("bound_type", address.bound_type);
        asset.set_some("bound_id", address.bound_id);
        asset.set_some("instance_id", address.instance_id);
        asset.set_some("network_interface_id", address.network_interface_id);
    }
    asset.set("ddos_protection", if address.ddos_enhanced { "enhanced" } else { "basic" });
    asset
}

/// Names the EIP on the instance it is bound to, when that instance was built and lists the
/// address as public; the first such EIP of an instance is kept.
fn link_instance(out: &mut Estate, address: &Address) {
    if address.status != Status::Bound {
        return;
    }
    let (Some(instance), Some(ip)) = (&address.instance_id, &address.address) else { return };
    let Some(asset) = out.asset_mut(INSTANCE, instance) else { return };
    let public_ips = asset.fields.get("public_ips").and_then(Value::as_array);
    let listed = public_ips.is_some_and(|ips| ips.iter().any(|listed| listed.as_str() == Some(ip.as_str())));
    if listed && !asset.fields.contains_key("elastic_ip_id") {
        asset.set("elastic_ip_id", address.id.clone());
    }
}

const INSTANCE: &str = "Instance";

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::node::Node;
    use crate::raw::Provider;

    #[test]
    fn an_unbound_address_keeps_no_bound_resource() {
        let place = Place { provider: Provider::Alibaba, account: "5000000000000002", region: "cn-hangzhou" };
        let address = |status| Address {
            id: "eip-1".into(),
            name: Some(" ".into()),
            address: Some("47.75.0.1".into()),
            status,
            bound_type: Some("instance"),
            bound_id: Some("i-1".into()),
            instance_id: Some("i-1".into()),
            network_interface_id: None,
            ddos_enhanced: false,
        };
        let mut out = Estate::default();
        let unbound = asset(&mut out, &place, address(Status::Unbound));
        assert_eq!(unbound.name, None);
        assert_eq!(
            serde_json::to_value(&unbound.fields).unwrap(),
            json!({"address": "47.75.0.1", "status": "unbound", "ddos_protection": "basic"})
        );
        let bound = asset(&mut out, &place, address(Status::Bound));
        assert_eq!(
            serde_json::to_value(&bound.fields).unwrap(),
            json!({"address": "47.75.0.1", "status": "bound", "bound_type": "instance", "bound_id": "i-1",
                   "instance_id": "i-1", "ddos_protection": "basic"})
        );
    }

    #[test]
    fn a_bound_address_names_itself_on_the_instance_that_lists_it() {
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        let mut out = Estate::default();
        let record = json!({});
        let origin = Node::root(&record, Path::new("cvm.DescribeInstances.json"));
        for (id, ip) in [("ins-a", "1.2.3.4"), ("ins-b", "1.2.3.5")] {
            let mut instance = Asset::new(INSTANCE, id, Provider::Tencent, "100000000001", None);
            instance.set("public_ips", json!([ip]));
            out.add_asset(instance, &origin);
        }
        let address = |id: &str, ip: &str, instance: &str, status| Address {
            id: id.into(),
            name: None,
            address: Some(ip.into()),
            status,
            bound_type: Some("instance"),
            bound_id: Some(instance.into()),
            instance_id: Some(instance.into()),
            network_interface_id: None,
            ddos_enhanced: false,
        };
        asset(&mut out, &place, address("eip-1", "1.2.3.4", "ins-a", Status::Bound));
        asset(&mut out, &place, address("eip-2", "1.2.3.4", "ins-a", Status::Bound));
        asset(&mut out, &place, address("eip-3", "9.9.9.9", "ins-b", Status::Bound));
        asset(&mut out, &place, address("eip-4", "1.2.3.5", "ins-b", Status::Changing));
        let linked =
            |out: &mut Estate, id| out.asset_mut(INSTANCE, id).and_then(|a| a.fields.get("elastic_ip_id").cloned());
        assert_eq!(linked(&mut out, "ins-a"), Some(json!("eip-1")));
        assert_eq!(linked(&mut out, "ins-b"), None, "an address the instance does not list, or not bound");
    }
}
