//! Disk snapshots: `cbs.DescribeSnapshots` per region (Cloud Block Storage). `Encrypt` says the
//! snapshot was taken of an encrypted disk (api.json: "是否为加密盘创建的快照"); the answer
//! names no KMS key. `DiskId` stays after the disk is released.

use crate::answers::{Answers, Place};
use crate::disk_snapshot::{KIND, SnapshotKeys, set_fields};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{masked, resource_name, tags};

/// Normalizes the disk snapshots of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "cbs.DescribeSnapshots");
    out.cover(place, KIND, "cbs.DescribeSnapshots", &listed);
    for snapshot in out.items(place, KIND, "cbs.DescribeSnapshots", &listed, &["SnapshotSet"]) {
        if let Err(err) = snapshot_asset(out, place, &snapshot) {
            out.not_normalized(err);
        }
    }
}

/// Tencent Cloud's names for the `DiskSnapshot` fields.
const KEYS: SnapshotKeys = SnapshotKeys {
    encrypted: "Encrypt",
    kms_key: None,
    disk: "DiskId",
    kind: "DiskUsage",
    system: "SYSTEM_DISK",
    data: "DATA_DISK",
    size_gb: "DiskSize",
    state: "SnapshotState",
};

fn snapshot_asset(out: &mut Estate, place: &Place<'_>, snapshot: &Node<'_>) -> Result<(), FieldError> {
    let id = snapshot.str("SnapshotId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = snapshot.opt_str("SnapshotName")?.map(str::to_owned);
    asset.tags = tags(out, snapshot, "Tags")?;
    // CBS snapshots are CVM resources in CAM: `qcs::cvm:<region>:uin/<account>:snapshot/<id>`.
    asset.resource_name = Some(resource_name(place, "cvm", &format!("snapshot/{id}")));
    set_fields(out, &mut asset, snapshot, &KEYS, masked)?;
    out.add_asset(asset, snapshot);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;
    use crate::raw::Provider;

    fn import(snapshot: Value) -> (Vec<Asset>, Vec<String>) {
        let node = Node::root(&snapshot, Path::new("cbs.DescribeSnapshots.json"));
        let mut out = Estate::default();
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: "ap-guangzhou" };
        let errors = match snapshot_asset(&mut out, &place, &node) {
            Ok(()) => Vec::new(),
            Err(err) => vec![err.to_string()],
        };
        let (snapshot, _) = out.finish("2026-11-20T08:00:00Z".to_owned());
        (snapshot.assets, errors)
    }

    #[test]
    fn fields_map() {
        let (assets, errors) = import(json!({
            "SnapshotId": "snap-0jfkjwl1", "SnapshotName": "TEST", "DiskId": "disk-omp7wl2m",
            "DiskUsage": "DATA_DISK", "DiskSize": 70, "Encrypt": false, "SnapshotState": "NORMAL",
            "Tags": [{"Key": "env", "Value": "prod"}]
        }));
        assert!(errors.is_empty(), "{errors:?}");
        let snapshot = &assets[0];
        assert_eq!((snapshot.kind, snapshot.name.as_deref()), ("DiskSnapshot", Some("TEST")));
        assert_eq!(
            snapshot.resource_name.as_deref(),
            Some("qcs::cvm:ap-guangzhou:uin/100000000001:snapshot/snap-0jfkjwl1")
        );
        assert_eq!(snapshot.tags.get("env").map(String::as_str), Some("prod"));
        assert_eq!(
            serde_json::to_value(&snapshot.fields).unwrap(),
            json!({"encrypted": false, "disk_id": "disk-omp7wl2m", "disk_kind": "data", "size_gb": 70, "state": "NORMAL"})
        );
        let (assets, _) = import(json!({
            "SnapshotId": "snap-2", "DiskUsage": "SYSTEM_DISK", "Encrypt": true, "SnapshotState": "CREATING"
        }));
        assert_eq!(
            serde_json::to_value(&assets[0].fields).unwrap(),
            json!({"encrypted": true, "disk_kind": "system", "state": "CREATING"})
        );
    }

    #[test]
    fn a_malformed_snapshot_is_an_error_with_its_path() {
        let (assets, errors) =
            import(json!({"SnapshotId": "snap-3", "DiskUsage": "BOOT", "Encrypt": false, "SnapshotState": "NORMAL"}));
        assert!(assets.is_empty());
        assert!(errors[0].contains("$.DiskUsage") && errors[0].contains("SYSTEM_DISK or DATA_DISK"), "{errors:?}");
        let (_, errors) = import(json!({"SnapshotId": "snap-4", "SnapshotState": "NORMAL"}));
        assert!(errors[0].contains("Encrypt"), "{errors:?}");
    }
}
