//! Disks: `ecs.DescribeDisks` per region (cloud disks and local disks). `InstanceId` is set only
//! while a disk is `In_use`; a Shared Block Storage device lists its instances in
//! `MountInstances.MountInstance[]` instead.

use crate::answers::{Answers, Place};
use crate::disk::{DiskKeys, set_fields};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{listed, masked, resource_name, tags};

const KIND: &str = "Disk";

/// Normalizes the disks of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for disk in listed(answers, out, place, KIND, "ecs.DescribeDisks", &["Disks", "Disk"]) {
        if let Err(err) = disk_asset(out, place, &disk) {
            out.not_normalized(err);
        }
    }
}

/// Alibaba Cloud's names for the `Disk` fields.
const KEYS: DiskKeys = DiskKeys {
    kind: "Type",
    system: "system",
    data: "data",
    encrypted: "Encrypted",
    kms_key: "KMSKeyId",
    size_gb: "Size",
    state: "Status",
};

fn disk_asset(out: &mut Estate, place: &Place<'_>, disk: &Node<'_>) -> Result<(), FieldError> {
    let id = disk.str("DiskId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = disk.opt_str("DiskName")?.map(str::to_owned);
    asset.tags = tags(out, disk)?;
    asset.resource_name = Some(resource_name("ecs", place, &format!("disk/{id}")));
    set_fields(out, &mut asset, disk, &KEYS, instance(disk)?, masked)?;
    out.add_asset(asset, disk);
    Ok(())
}

/// The instance a disk is attached to: `InstanceId`, else the first instance a shared disk is
/// mounted on.
fn instance(disk: &Node<'_>) -> Result<Option<String>, FieldError> {
    if let Some(id) = disk.opt_str("InstanceId")? {
        return Ok(Some(id.to_owned()));
    }
    for mount in disk.list(&["MountInstances", "MountInstance"]) {
        if let Some(id) = mount.opt_str("InstanceId")? {
            return Ok(Some(id.to_owned()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;
    use crate::raw::Provider;

    fn import(disk: Value) -> (Vec<Asset>, Vec<String>) {
        let node = Node::root(&disk, Path::new("ecs.DescribeDisks.json"));
        let mut out = Estate::default();
        let place = Place { provider: Provider::Alibaba, account: "5000000000000002", region: "cn-hangzhou" };
        let errors = match disk_asset(&mut out, &place, &node) {
            Ok(()) => Vec::new(),
            Err(err) => vec![err.to_string()],
        };
        let (snapshot, _) = out.finish("2026-11-20T08:00:00Z".to_owned());
        (snapshot.assets, errors)
    }

    #[test]
    fn fields_map_and_a_shared_disk_names_its_first_mount() {
        let (assets, errors) = import(json!({
            "DiskId": "d-bp18um4r4f2fve240001", "Type": "system", "Size": 40, "Status": "In_use",
            "Encrypted": false, "KMSKeyId": "", "InstanceId": "i-bp67acfmxazb4p0001", "DiskName": "",
            "MountInstances": {"MountInstance": []}, "Tags": {"Tag": [{"TagKey": "TestKey", "TagValue": "TestValue"}]}
        }));
        assert!(errors.is_empty(), "{errors:?}");
        let disk = &assets[0];
        assert_eq!(
            disk.resource_name.as_deref(),
            Some("acs:ecs:cn-hangzhou:5000000000000002:disk/d-bp18um4r4f2fve240001")
        );
        assert_eq!((disk.name.as_deref(), disk.tags.get("TestKey").map(String::as_str)), (None, Some("TestValue")));
        assert_eq!(
            serde_json::to_value(&disk.fields).unwrap(),
            json!({"encrypted": false, "instance_id": "i-bp67acfmxazb4p0001", "kind": "system", "size_gb": 40, "state": "In_use"})
        );
        let (assets, _) = import(json!({
            "DiskId": "d-shared", "Type": "data", "Size": 2000, "Status": "In_use", "Encrypted": true,
            "KMSKeyId": "0e478b7a-4262-4802-b8cb-00d3fb408001", "InstanceId": "",
            "MountInstances": {"MountInstance": [{"InstanceId": "i-a"}, {"InstanceId": "i-b"}]}
        }));
        assert_eq!(assets[0].fields["instance_id"], json!("i-a"));
        assert_eq!(assets[0].fields["kms_key_id"], json!("0e478b7a-4262-4802-b8cb-00d3fb408001"));
        let (assets, _) = import(json!({
            "DiskId": "d-loose", "Type": "data", "Size": 20, "Status": "Available", "Encrypted": true,
            "KMSKeyId": "0e478b7a-4262-4802-b8cb-00d3fb408***", "InstanceId": ""
        }));
        assert_eq!(
            serde_json::to_value(&assets[0].fields).unwrap(),
            json!({"encrypted": true, "kind": "data", "size_gb": 20, "state": "Available"}),
            "a masked key id is left out"
        );
    }

    #[test]
    fn a_malformed_disk_is_an_error_with_its_path() {
        let (assets, errors) =
            import(json!({"DiskId": "d-1", "Type": "boot", "Size": 1, "Status": "In_use", "Encrypted": false}));
        assert!(assets.is_empty());
        assert!(errors[0].contains("$.Type") && errors[0].contains("system or data"), "{errors:?}");
        let (_, errors) =
            import(json!({"DiskId": "d-2", "Type": "data", "Size": 1, "Status": "In_use", "Encrypted": "maybe"}));
        assert!(errors[0].contains("$.Encrypted"), "{errors:?}");
    }
}
