//! Disk snapshots: `ecs.DescribeSnapshots` per region. `SourceDiskId` is kept after the disk is
//! released; `SourceDiskSize` is documented as a string and published as a number. The
//! published example carries a `KMSKeyId` on a snapshot that says `Encrypted` false:
//! `Encrypted` alone says whether it is encrypted.

use crate::answers::{Answers, Place};
use crate::disk_snapshot::{KIND, SnapshotKeys, set_fields};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{listed, masked, resource_name, tags};

/// Normalizes the disk snapshots of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    for snapshot in listed(answers, out, place, KIND, "ecs.DescribeSnapshots", &["Snapshots", "Snapshot"]) {
        if let Err(err) = snapshot_asset(out, place, &snapshot) {
            out.not_normalized(err);
        }
    }
}

/// Alibaba Cloud's names for the `DiskSnapshot` fields.
const KEYS: SnapshotKeys = SnapshotKeys {
    encrypted: "Encrypted",
    kms_key: Some("KMSKeyId"),
    disk: "SourceDiskId",
    kind: "SourceDiskType",
    system: "system",
    data: "data",
    size_gb: "SourceDiskSize",
    state: "Status",
};

fn snapshot_asset(out: &mut Estate, place: &Place<'_>, snapshot: &Node<'_>) -> Result<(), FieldError> {
    let id = snapshot.str("SnapshotId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = snapshot.opt_str("SnapshotName")?.map(str::to_owned);
    asset.tags = tags(out, snapshot)?;
    asset.resource_name = Some(resource_name("ecs", place, &format!("snapshot/{id}")));
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

    fn import(snapshot: Value) -> (Vec<Asset>, Vec<String>, usize) {
        let node = Node::root(&snapshot, Path::new("ecs.DescribeSnapshots.json"));
        let mut out = Estate::default();
        let place = Place { provider: Provider::Alibaba, account: "5000000000000002", region: "cn-hangzhou" };
        let errors = match snapshot_asset(&mut out, &place, &node) {
            Ok(()) => Vec::new(),
            Err(err) => vec![err.to_string()],
        };
        let (snapshot, report) = out.finish("2026-11-20T08:00:00Z".to_owned());
        (snapshot.assets, errors, report.issues.len())
    }

    #[test]
    fn fields_map_and_a_masked_key_is_left_out() {
        let (assets, errors, issues) = import(json!({
            "SnapshotId": "s-bp67acfmxazb4p0001", "SnapshotName": "testSnapshotName", "Status": "accomplished",
            "Encrypted": false, "KMSKeyId": "0e478b7a-4262-4802-b8cb-00d3fb40****",
            "SourceDiskId": "d-bp18um4r4f2fve240001", "SourceDiskSize": "40", "SourceDiskType": "system",
            "Tags": {"Tag": [{"TagKey": "TestKey", "TagValue": "TestValue"}]}
        }));
        assert!(errors.is_empty(), "{errors:?}");
        let snapshot = &assets[0];
        assert_eq!(
            snapshot.resource_name.as_deref(),
            Some("acs:ecs:cn-hangzhou:5000000000000002:snapshot/s-bp67acfmxazb4p0001")
        );
        assert_eq!(snapshot.tags.get("TestKey").map(String::as_str), Some("TestValue"));
        assert_eq!(
            serde_json::to_value(&snapshot.fields).unwrap(),
            json!({"encrypted": false, "disk_id": "d-bp18um4r4f2fve240001", "disk_kind": "system", "size_gb": 40, "state": "accomplished"})
        );
        assert_eq!(issues, 1, "the masked key id is reported");
        let (assets, _, _) = import(json!({
            "SnapshotId": "s-2", "Status": "progressing", "Encrypted": true,
            "KMSKeyId": "0e478b7a-4262-4802-b8cb-00d3fb408001", "SourceDiskId": "d-2",
            "SourceDiskSize": 200, "SourceDiskType": "Data"
        }));
        assert_eq!(
            serde_json::to_value(&assets[0].fields).unwrap(),
            json!({"encrypted": true, "kms_key_id": "0e478b7a-4262-4802-b8cb-00d3fb408001", "disk_id": "d-2", "disk_kind": "data", "size_gb": 200, "state": "progressing"})
        );
    }

    #[test]
    fn a_malformed_snapshot_is_an_error_with_its_path() {
        let (assets, errors, _) = import(json!({"SnapshotId": "s-3", "Status": "accomplished", "Encrypted": "maybe"}));
        assert!(assets.is_empty());
        assert!(errors[0].contains("$.Encrypted"), "{errors:?}");
        let (_, errors, _) = import(
            json!({"SnapshotId": "s-4", "Status": "accomplished", "Encrypted": false, "SourceDiskType": "boot"}),
        );
        assert!(errors[0].contains("$.SourceDiskType") && errors[0].contains("system or data"), "{errors:?}");
    }
}
