//! TencentDB for MongoDB instances: `mongodb.DescribeDBInstances` (2019-07-25) per region. The
//! list answer says the engine version (`MongoVersion`, `MONGO_42_WT` = MongoDB 4.2 with
//! WiredTiger) and the port (`Vport`) but neither a public endpoint, a password setting nor an
//! allowlist: those fields are left out and the pack's rules stay quiet. Access is filtered with
//! security groups, which `mongodb.DescribeSecurityGroup@InstanceId=` lists.

use crate::answers::{Answers, Place};
use crate::cache::{self, KIND, Store};
use crate::estate::Estate;
use crate::node::{FieldError, Node};

use super::{bound_groups, masked, resource_name, tags};

const LIST: &str = "mongodb.DescribeDBInstances";
const GROUPS: &str = "mongodb.DescribeSecurityGroup";

/// Normalizes the MongoDB instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, LIST);
    out.cover(place, KIND, LIST, &listed);
    for instance in out.items(place, KIND, LIST, &listed, &["InstanceDetails"]) {
        if let Err(err) = store_asset(answers, out, place, &instance) {
            out.not_normalized(err);
        }
    }
}

fn store_asset(answers: &Answers, out: &mut Estate, place: &Place<'_>, instance: &Node<'_>) -> Result<(), FieldError> {
    let id = instance.str("InstanceId")?;
    if !cache::identified(out, place, LIST, instance, id, masked) {
        return Ok(());
    }
    let store = Store {
        id: id.to_owned(),
        name: instance.opt_str("InstanceName")?.map(str::to_owned),
        engine: "mongodb",
        version: instance.opt_str("MongoVersion")?.map(version),
        public_endpoint: None,
        password_free: None,
        allowlist: None,
        port: instance.opt_int("Vport")?,
        security_group_ids: bound_groups(answers, out, place, GROUPS, id)?,
    };
    let mut asset = cache::asset(place, store);
    asset.tags = tags(out, instance, "Tags")?;
    asset.resource_name = Some(resource_name(place, "mongodb", &format!("instance/{id}")));
    out.add_asset(asset, instance);
    Ok(())
}

/// `MONGO_42_WT` → `4.2` (api.json: `MONGO_36_WT` to `MONGO_70_WT`); any other spelling is
/// kept as the answer gives it.
fn version(text: &str) -> String {
    let digits = text.strip_prefix("MONGO_").and_then(|rest| rest.split('_').next()).unwrap_or_default();
    match digits.as_bytes() {
        [major, minor] if major.is_ascii_digit() && minor.is_ascii_digit() => {
            format!("{}.{}", *major as char, *minor as char)
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mongo_versions_read_as_major_minor() {
        assert_eq!(version("MONGO_42_WT"), "4.2");
        assert_eq!(version("MONGO_70_WT"), "7.0");
        assert_eq!(version("MONGO_3_ROCKS"), "MONGO_3_ROCKS");
    }
}
