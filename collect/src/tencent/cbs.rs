//! Disks: `cbs.DescribeDisks` per region (Cloud Block Storage). A disk names the instance it is
//! attached to in `InstanceId`; a shared disk lists its instances in `InstanceIdList` instead
//! (the published example leaves `InstanceId` empty and lists one there).

use crate::answers::{Answers, Place};
use crate::disk::{DiskKeys, set_fields};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{masked, resource_name, tags};

const KIND: &str = "Disk";

/// Normalizes the disks of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "cbs.DescribeDisks");
    out.cover(place, KIND, "cbs.DescribeDisks", &listed);
    for disk in out.items(place, KIND, "cbs.DescribeDisks", &listed, &["DiskSet"]) {
        if let Err(err) = disk_asset(out, place, &disk) {
            out.not_normalized(err);
        }
    }
}

/// Tencent Cloud's names for the `Disk` fields.
const KEYS: DiskKeys = DiskKeys {
    kind: "DiskUsage",
    system: "SYSTEM_DISK",
    data: "DATA_DISK",
    encrypted: "Encrypt",
    kms_key: "KmsKeyId",
    size_gb: "DiskSize",
    state: "DiskState",
};

fn disk_asset(out: &mut Estate, place: &Place<'_>, disk: &Node<'_>) -> Result<(), FieldError> {
    let id = disk.str("DiskId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = disk.opt_str("DiskName")?.map(str::to_owned);
    asset.tags = tags(out, disk, "Tags")?;
    // CBS disks are CVM resources in CAM: `qcs::cvm:<region>:uin/<account>:volume/<disk id>`.
    asset.resource_name = Some(resource_name(place, "cvm", &format!("volume/{id}")));
    set_fields(out, &mut asset, disk, &KEYS, instance(disk)?, masked)?;
    out.add_asset(asset, disk);
    Ok(())
}

/// The instance a disk is attached to: `InstanceId`, else the first of a shared disk's
/// `InstanceIdList`; none when `Attached` says it is not attached.
fn instance(disk: &Node<'_>) -> Result<Option<String>, FieldError> {
    if disk.opt_flag("Attached")? == Some(false) {
        return Ok(None);
    }
    if let Some(id) = disk.opt_str("InstanceId")? {
        return Ok(Some(id.to_owned()));
    }
    Ok(disk.strings(&["InstanceIdList"])?.into_iter().next())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;
    use crate::raw::Provider;

    fn import(disk: Value) -> (Vec<Asset>, Vec<String>) {
        let file = Path::new("cbs.DescribeDisks.json");
        let node = Node::root(&disk, file);
        let mut out = Estate::default();
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        let errors = match disk_asset(&mut out, &place, &node) {
            Ok(()) => Vec::new(),
            Err(err) => vec![err.to_string()],
        };
        let (snapshot, _) = out.finish("2026-11-20T08:00:00Z".to_owned());
        (snapshot.assets, errors)
    }

    #[test]
    fn fields_map_and_a_shared_disk_names_its_instance_in_the_list() {
        let (assets, errors) = import(json!({
            "DiskId": "disk-b94t5dzt", "DiskName": "my-data-disk", "DiskUsage": "DATA_DISK",
            "DiskSize": 10, "DiskState": "ATTACHED", "Encrypt": false, "Attached": true,
            "InstanceId": "", "InstanceIdList": ["ins-agp4l0lx"], "Tags": [{"Key": "env", "Value": "prod"}]
        }));
        assert!(errors.is_empty(), "{errors:?}");
        let disk = &assets[0];
        assert_eq!((disk.kind, disk.id.as_str()), ("Disk", "disk-b94t5dzt"));
        assert_eq!(disk.resource_name.as_deref(), Some("qcs::cvm:ap-guangzhou:uin/100000000001:volume/disk-b94t5dzt"));
        assert_eq!(disk.tags.get("env").map(String::as_str), Some("prod"));
        assert_eq!(
            serde_json::to_value(&disk.fields).unwrap(),
            json!({"encrypted": false, "instance_id": "ins-agp4l0lx", "kind": "data", "size_gb": 10, "state": "ATTACHED"})
        );
        let (assets, _) = import(json!({
            "DiskId": "disk-2", "DiskUsage": "SYSTEM_DISK", "DiskSize": 50, "DiskState": "UNATTACHED",
            "Encrypt": true, "KmsKeyId": "23e80852-1e38-11e9-b129-5cb9019b4b01", "Attached": false,
            "InstanceId": "", "InstanceIdList": []
        }));
        assert_eq!(
            serde_json::to_value(&assets[0].fields).unwrap(),
            json!({"encrypted": true, "kms_key_id": "23e80852-1e38-11e9-b129-5cb9019b4b01", "kind": "system", "size_gb": 50, "state": "UNATTACHED"})
        );
    }

    #[test]
    fn a_malformed_disk_is_an_error_with_its_path() {
        let (assets, errors) = import(
            json!({"DiskId": "disk-3", "DiskUsage": "BOOT", "DiskSize": 1, "DiskState": "ATTACHED", "Encrypt": false}),
        );
        assert!(assets.is_empty());
        assert!(errors[0].contains("$.DiskUsage") && errors[0].contains("SYSTEM_DISK or DATA_DISK"), "{errors:?}");
        let (_, errors) = import(
            json!({"DiskId": "disk-4", "DiskUsage": "DATA_DISK", "DiskSize": "ten", "DiskState": "ATTACHED", "Encrypt": false}),
        );
        assert!(errors[0].contains("$.DiskSize"), "{errors:?}");
    }
}
