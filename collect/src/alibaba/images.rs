//! Custom images: `ecs.DescribeImages` per region, with `ecs.DescribeImageSharePermission` per
//! custom image. Only the account's own custom images (`ImageOwnerAlias` `self`) are imported:
//! `system` and `marketplace` images are Alibaba Cloud's or a vendor's, `others` another
//! account's. An image shared with everyone lists the group `all` in
//! `ShareGroups.ShareGroup[].Group`; named accounts are `Accounts.Account[].AliyunId`.
//! `IsSelfShared` (a string, `"False"` in the published example) is not read: the share answer
//! says who.

use crate::answers::{Answers, Place};
use crate::custom_image::{ImageKeys, KIND, Sharing, set_fields, set_sharing, share_answer};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{listed, per, resource_name, tags};

const SHARES: &str = "ecs.DescribeImageSharePermission";

/// Normalizes the custom images of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let estate = answers.accounts(place.provider);
    for image in listed(answers, out, place, KIND, "ecs.DescribeImages", &["Images", "Image"]) {
        if let Err(err) = image_asset(answers, out, place, &estate, &image) {
            out.not_normalized(err);
        }
    }
}

/// Alibaba Cloud's names for the `CustomImage` fields.
const KEYS: ImageKeys = ImageKeys {
    state: "Status",
    size_gb: "Size",
    os_name: "OSName",
    snapshots: &["DiskDeviceMappings", "DiskDeviceMapping"],
    snapshot_id: "SnapshotId",
};

fn image_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    estate: &[String],
    image: &Node<'_>,
) -> Result<(), FieldError> {
    if image.str("ImageOwnerAlias")? != "self" {
        return Ok(());
    }
    let id = image.str("ImageId")?;
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.name = image.opt_str("ImageName")?.map(str::to_owned);
    asset.tags = tags(out, image)?;
    asset.resource_name = Some(resource_name("ecs", place, &format!("image/{id}")));
    set_fields(&mut asset, image, &KEYS)?;
    let lookup = answers.lookup_for(place, SHARES, "ImageId", id);
    if let Some(pages) = share_answer(out, place, &per(SHARES, "ImageId", id), &lookup) {
        match shared_with(&pages) {
            Ok(sharing) => set_sharing(&mut asset, sharing, estate),
            Err(err) => out.not_normalized(err),
        }
    }
    out.add_asset(asset, image);
    Ok(())
}

/// Who an image is shared with, across the answer's pages: the group `all` makes it public.
fn shared_with(pages: &[Node<'_>]) -> Result<Sharing, FieldError> {
    let mut public = false;
    let mut accounts = Vec::new();
    for page in pages {
        for group in page.collection(&["ShareGroups", "ShareGroup"])? {
            public |= group.str("Group")?.eq_ignore_ascii_case("all");
        }
        for account in page.collection(&["Accounts", "Account"])? {
            accounts.push(account.text("AliyunId")?);
        }
    }
    Ok(Sharing { public: Some(public), accounts })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn the_group_all_is_public_and_accounts_are_listed() {
        let page = json!({
            "ShareGroups": {"ShareGroup": [{"Group": "all"}]},
            "Accounts": {"Account": [{"AliyunId": "1234567890"}]}, "TotalCount": 1
        });
        let sharing = shared_with(&[Node::root(&page, Path::new("a.json"))]).unwrap();
        assert_eq!((sharing.public, sharing.accounts), (Some(true), vec!["1234567890".to_owned()]));
        let private = json!({"ShareGroups": {"ShareGroup": []}, "Accounts": {"Account": []}});
        let sharing = shared_with(&[Node::root(&private, Path::new("b.json"))]).unwrap();
        assert_eq!((sharing.public, sharing.accounts.len()), (Some(false), 0));
        let bare = json!({"RequestId": "x"});
        assert!(shared_with(&[Node::root(&bare, Path::new("c.json"))]).is_err(), "no lists: unknown, not private");
    }

    #[test]
    fn only_the_accounts_own_images_are_imported() {
        let answers = Answers::default();
        let mut out = Estate::default();
        let place =
            Place { provider: crate::raw::Provider::Alibaba, account: "5000000000000002", region: "cn-hangzhou" };
        let own = json!({
            "ImageId": "m-bp1g7004ksh0oeuc0001", "ImageName": "testImageName", "ImageOwnerAlias": "self",
            "Status": "Available", "Size": 60, "OSName": "Windows Server  2016",
            "DiskDeviceMappings": {"DiskDeviceMapping": [{"SnapshotId": "s-bp17ot2q7x72ggtw0001", "Size": "60"}]},
            "Tags": {"Tag": [{"TagKey": "DTS", "TagValue": "Oracle"}]}
        });
        let system = json!({"ImageId": "centos_7", "ImageOwnerAlias": "system", "Status": "Available"});
        for value in [&own, &system] {
            image_asset(&answers, &mut out, &place, &[], &Node::root(value, Path::new("ecs.DescribeImages.json")))
                .unwrap();
        }
        let (snapshot, _) = out.finish("2026-11-20T08:00:00Z".to_owned());
        assert_eq!(snapshot.assets.len(), 1);
        let image = &snapshot.assets[0];
        assert_eq!(
            image.resource_name.as_deref(),
            Some("acs:ecs:cn-hangzhou:5000000000000002:image/m-bp1g7004ksh0oeuc0001")
        );
        assert_eq!(
            serde_json::to_value(&image.fields).unwrap(),
            json!({"state": "Available", "size_gb": 60, "os_name": "Windows Server  2016", "snapshot_ids": ["s-bp17ot2q7x72ggtw0001"]})
        );
    }
}
