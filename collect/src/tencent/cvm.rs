//! Instances: `cvm.DescribeInstances` per region. The instance names its CAM role
//! (`CamRoleName`); the snapshot references the role's id, found in `cam.DescribeRoleList` or
//! `cam.GetRole`.

use std::collections::BTreeMap;

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::net;
use crate::node::{FieldError, Node};
use crate::raw::GLOBAL;
use crate::report::IssueKind;
use crate::snapshot::Asset;

use super::{resource_name, tags};

const KIND: &str = "Instance";

/// Normalizes the instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "cvm.DescribeInstances");
    out.cover(place, KIND, "cvm.DescribeInstances", &listed);
    let instances = out.items(place, KIND, "cvm.DescribeInstances", &listed, &["InstanceSet"]);
    if instances.is_empty() {
        return;
    }
    let roles = super::cam::role_ids(answers, &place.with_region(GLOBAL));
    for instance in instances {
        if let Err(err) = instance_asset(out, place, &roles, &instance) {
            out.not_normalized(err);
        }
    }
}

fn instance_asset(
    out: &mut Estate,
    place: &Place<'_>,
    roles: &Option<BTreeMap<String, String>>,
    instance: &Node<'_>,
) -> Result<(), FieldError> {
    let id = instance.str("InstanceId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = instance.opt_str("InstanceName")?.map(str::to_owned);
    asset.tags = tags(out, instance, "Tags")?;
    asset.resource_name = Some(resource_name(place, "cvm", &format!("instance/{id}")));
    asset.set("state", instance.str("InstanceState")?);
    asset.set("public_ips", net::ips(out, instance, &["PublicIpAddresses"])?);
    asset.set("private_ips", net::ips(out, instance, &["PrivateIpAddresses"])?);
    asset.set("security_group_ids", instance.strings(&["SecurityGroupIds"])?);
    asset.set_some("image", instance.opt_str("ImageId")?);
    asset.set_some("os", instance.opt_str("OsName")?);
    if let Some(role_name) = instance.opt_str("CamRoleName")? {
        match roles.as_ref().map(|roles| roles.get(role_name)) {
            Some(Some(role_id)) => {
                asset.set("role_id", role_id.as_str());
            }
            Some(None) => out.issue(
                IssueKind::Unresolved,
                instance,
                format!(
                    "the role `{role_name}` is not in cam.DescribeRoleList or a cam.GetRole answer: role_id left unset"
                ),
            ),
            None => {
                out.issue(
                    IssueKind::Unresolved,
                    instance,
                    format!("the role `{role_name}` cannot be resolved: neither cam.DescribeRoleList nor cam.GetRole was saved; role_id left unset"),
                );
                out.partial(
                    place,
                    KIND,
                    "instance roles not resolved: neither cam.DescribeRoleList nor cam.GetRole was saved".to_owned(),
                );
            }
        }
    }
    out.add_asset(asset, instance);
    Ok(())
}
