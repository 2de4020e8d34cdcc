//! Custom images: `cvm.DescribeImages` per region, with `cvm.DescribeImageSharePermission` per
//! custom image. Only the account's own custom images (`ImageType` `PRIVATE_IMAGE`) are
//! imported: a `PUBLIC_IMAGE` is Tencent's, a `SHARED_IMAGE` another account's. A Tencent
//! custom image is shared with named accounts only (`SharePermissionSet[].AccountId`), never
//! with everyone, so `public` stays absent.

use crate::answers::{Answers, Place};
use crate::custom_image::{ImageKeys, KIND, Sharing, set_fields, set_sharing, share_answer};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{per, resource_name, tags};

const SHARES: &str = "cvm.DescribeImageSharePermission";

/// Normalizes the custom images of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let listed = answers.lookup(place, "cvm.DescribeImages");
    out.cover(place, KIND, "cvm.DescribeImages", &listed);
    let estate = answers.accounts(place.provider);
    for image in out.items(place, KIND, "cvm.DescribeImages", &listed, &["ImageSet"]) {
        if let Err(err) = image_asset(answers, out, place, &estate, &image) {
            out.not_normalized(err);
        }
    }
}

/// Tencent Cloud's names for the `CustomImage` fields.
const KEYS: ImageKeys = ImageKeys {
    state: "ImageState",
    size_gb: "ImageSize",
    os_name: "OsName",
    snapshots: &["SnapshotSet"],
    snapshot_id: "SnapshotId",
};

fn image_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    estate: &[String],
    image: &Node<'_>,
) -> Result<(), FieldError> {
    if image.str("ImageType")? != "PRIVATE_IMAGE" {
        return Ok(());
    }
    let id = image.str("ImageId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = image.opt_str("ImageName")?.map(str::to_owned);
    asset.tags = tags(out, image, "Tags")?;
    // Images are CVM resources in CAM: `qcs::cvm:<region>:uin/<account>:image/<id>`.
    asset.resource_name = Some(resource_name(place, "cvm", &format!("image/{id}")));
    set_fields(&mut asset, image, &KEYS)?;
    let lookup = answers.lookup_for(place, SHARES, "ImageId", id);
    if let Some(pages) = share_answer(out, place, &per(SHARES, "ImageId", id), &lookup) {
        match shared_with(&pages) {
            Ok(accounts) => set_sharing(&mut asset, Sharing { public: None, accounts }, estate),
            Err(err) => out.not_normalized(err),
        }
    }
    out.add_asset(asset, image);
    Ok(())
}

/// The accounts an image is shared with, across the answer's pages.
fn shared_with(pages: &[Node<'_>]) -> Result<Vec<String>, FieldError> {
    let mut accounts = Vec::new();
    for page in pages {
        for share in page.collection(&["SharePermissionSet"])? {
            accounts.push(share.text("AccountId")?);
        }
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn only_custom_images_are_imported_with_their_fields() {
        let value = json!({
            "ImageId": "img-qlzp4oea", "ImageName": "test-image", "ImageType": "PRIVATE_IMAGE",
            "ImageState": "NORMAL", "ImageSize": 20, "OsName": "CentOS 7.4 64位",
            "SnapshotSet": [{"SnapshotId": "snap-gqa37j2p", "DiskUsage": "SYSTEM_DISK", "DiskSize": 20}],
            "Tags": [{"Key": "myKey", "Value": "myValue"}]
        });
        let public = json!({"ImageId": "img-9qabwvbn", "ImageType": "PUBLIC_IMAGE", "ImageState": "NORMAL"});
        let answers = Answers::default();
        let mut out = Estate::default();
        let place = crate::answers::Place {
            provider: crate::raw::Provider::Tencent,
            account: "100000000001",
            region: "ap-guangzhou",
        };
        let estate = vec!["100000000001".to_owned()];
        for value in [&value, &public] {
            let node = Node::root(value, Path::new("cvm.DescribeImages.json"));
            image_asset(&answers, &mut out, &place, &estate, &node).unwrap();
        }
        let (snapshot, _) = out.finish("2026-11-20T08:00:00Z".to_owned());
        assert_eq!(snapshot.assets.len(), 1, "the public image is not the account's");
        let image = &snapshot.assets[0];
        assert_eq!(image.resource_name.as_deref(), Some("qcs::cvm:ap-guangzhou:uin/100000000001:image/img-qlzp4oea"));
        assert_eq!(
            serde_json::to_value(&image.fields).unwrap(),
            json!({"state": "NORMAL", "size_gb": 20, "os_name": "CentOS 7.4 64位", "snapshot_ids": ["snap-gqa37j2p"]}),
            "sharing unknown: its answer was not saved"
        );
        let coverage = serde_json::to_value(&snapshot.coverage).unwrap();
        assert!(coverage.to_string().contains("cvm.DescribeImageSharePermission@ImageId=img-qlzp4oea was not saved"));
    }

    #[test]
    fn shared_accounts_are_read_across_pages_and_a_missing_list_is_an_error() {
        let one = json!({"SharePermissionSet": [{"AccountId": "101104350000"}, {"AccountId": 100000000001u64}]});
        let two = json!({"SharePermissionSet": []});
        let pages = [Node::root(&one, Path::new("a.json")), Node::root(&two, Path::new("a.2.json"))];
        assert_eq!(shared_with(&pages).unwrap(), ["101104350000", "100000000001"]);
        let mut asset = Asset::new(KIND, "img-1", crate::raw::Provider::Tencent, "100000000001", None);
        let accounts = shared_with(&pages).unwrap();
        set_sharing(&mut asset, Sharing { public: None, accounts }, &["100000000001".to_owned()]);
        assert_eq!(
            serde_json::to_value(&asset.fields).unwrap(),
            json!({"shared_accounts": ["100000000001", "101104350000"], "external_accounts": ["101104350000"]})
        );
        let none = json!({"RequestId": "x"});
        assert!(
            shared_with(&[Node::root(&none, Path::new("b.json"))]).unwrap_err().message.contains("SharePermissionSet")
        );
    }
}
