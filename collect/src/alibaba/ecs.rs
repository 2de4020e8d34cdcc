//! Instances: `ecs.DescribeInstances` per region. The RAM role bound to an instance is not in
//! that answer but in `ecs.DescribeInstanceRamRole` (by role name); the snapshot references the
//! role's id, found in `ram.ListRoles`.

use std::collections::BTreeMap;

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::net;
use crate::node::{FieldError, Node};
use crate::raw::GLOBAL;
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{listed, resource_name, tags};

const KIND: &str = "Instance";

/// Normalizes the instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let instances = listed(answers, out, place, KIND, "ecs.DescribeInstances", &["Instances", "Instance"]);
    if instances.is_empty() {
        return;
    }
    let roles = Roles::read(answers, out, place);
    for instance in instances {
        if let Err(err) = instance_asset(out, place, &roles, &instance) {
            out.not_normalized(err);
        }
    }
}

fn instance_asset(out: &mut Estate, place: &Place<'_>, roles: &Roles, instance: &Node<'_>) -> Result<(), FieldError> {
    let id = instance.str("InstanceId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = instance.opt_str("InstanceName")?.map(str::to_owned);
    asset.tags = tags(out, instance)?;
    asset.resource_name = Some(resource_name("ecs", place, &format!("instance/{id}")));
    asset.set("state", instance.str("Status")?);
    let mut public_ips = net::ips(out, instance, &["PublicIpAddress", "IpAddress"])?;
    public_ips.extend(net::ips(out, instance, &["EipAddress", "IpAddress"])?);
    let mut private_ips = net::ips(out, instance, &["VpcAttributes", "PrivateIpAddress", "IpAddress"])?;
    // Classic-network instances have their private address here instead.
    private_ips.extend(net::ips(out, instance, &["InnerIpAddress", "IpAddress"])?);
    asset.set("public_ips", public_ips);
    asset.set("private_ips", private_ips);
    asset.set("security_group_ids", instance.strings(&["SecurityGroupIds", "SecurityGroupId"])?);
    asset.set_some("image", instance.opt_str("ImageId")?);
    asset.set_some("os", instance.opt_str("OSName")?);
    asset.set_some("role_id", roles.of(out, place, instance, id));
    out.add_asset(asset, instance);
    Ok(())
}

/// The roles bound to the region's instances, and the role ids of the account.
struct Roles {
    /// Instance id → role name; `Err` says why no binding is known.
    bound: Result<BTreeMap<String, String>, String>,
    /// Role name → role id; `None` when `ram.ListRoles` was not saved.
    ids: Option<BTreeMap<String, String>>,
}

impl Roles {
    fn read(answers: &Answers, out: &mut Estate, place: &Place<'_>) -> Roles {
        let call = "ecs.DescribeInstanceRamRole";
        let lookup = answers.lookup(place, call);
        let bound = match &lookup {
            Lookup::Missing => Err(format!("{call} was not saved")),
            Lookup::Failed { error, .. } => Err(format!("{call} failed: {}: {}", error.code, error.message)),
            Lookup::Found(_) => {
                let sets = out.items(place, KIND, call, &lookup, &["InstanceRamRoleSets", "InstanceRamRoleSet"]);
                let mut bound = BTreeMap::new();
                for set in sets {
                    match set.str("InstanceId").and_then(|id| Ok((id, set.str("RamRoleName")?))) {
                        Ok((id, role)) => {
                            bound.insert(id.to_owned(), role.to_owned());
                        }
                        Err(err) => out.not_normalized(err),
                    }
                }
                Ok(bound)
            }
        };
        Roles { bound, ids: super::ram::role_ids(answers, &place.with_region(GLOBAL)) }
    }

    /// The id of the role bound to an instance; unknown or unresolved roles are reported, never
    /// guessed.
    fn of(&self, out: &mut Estate, place: &Place<'_>, instance: &Node<'_>, id: &str) -> Option<String> {
        let bound = match &self.bound {
            Ok(bound) => bound,
            Err(why) => {
                out.partial(place, KIND, format!("instance roles unknown: {why}"));
                return None;
            }
        };
        let name = bound.get(id)?;
        match self.ids.as_ref().map(|ids| ids.get(name)) {
            Some(Some(role_id)) => Some(role_id.clone()),
            Some(None) => {
                let message = format!("the role `{name}` is not in ram.ListRoles: role_id left unset");
                out.issue(IssueKind::Unresolved, instance, message);
                None
            }
            None => {
                let why = "ram.ListRoles was not saved";
                out.issue(IssueKind::Unresolved, instance, format!("the role `{name}` cannot be resolved: {why}"));
                out.partial(place, KIND, format!("instance roles not resolved: {why}"));
                None
            }
        }
    }
}
