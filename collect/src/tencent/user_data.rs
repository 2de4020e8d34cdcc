//! Instance user data: `cvm.DescribeInstancesAttributes` asked with `Attributes ["UserData"]`
//! for each instance `cvm.DescribeInstances` lists (saved as
//! `cvm.DescribeInstancesAttributes@InstanceIds=<id>`). The answer's
//! `InstanceSet[].Attributes.UserData` is base64; an instance whose entry has no `UserData`
//! (api.json documents none for "no user data") has none.

use crate::answers::{Answers, Place};
use crate::node::{FieldError, Node};
use crate::user_data::{UserDataCall, build as build_user_data};

use crate::estate::Estate;

const CALL: UserDataCall = UserDataCall {
    instances: "cvm.DescribeInstances",
    list: &["InstanceSet"],
    call: "cvm.DescribeInstancesAttributes",
    param: "InstanceIds",
    read,
};

/// Normalizes the user data of the instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    build_user_data(answers, out, place, &CALL);
}

/// The user data of `id`: its entry of `InstanceSet[]`, which must be there.
fn read<'a>(pages: &[Node<'a>], id: &str) -> Result<Option<&'a str>, FieldError> {
    for page in pages {
        for entry in page.collection(&["InstanceSet"])? {
            if entry.text("InstanceId")? == id {
                return entry.need("Attributes")?.opt_str("UserData");
            }
        }
    }
    match pages.first() {
        Some(page) => Err(page.error(format!("expected the instance `{id}` in `InstanceSet`"))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn the_instances_entry_is_read() {
        let value =
            json!({"InstanceSet": [{"Attributes": {"UserData": "TXlVc2VyRGF0YQo="}, "InstanceId": "ins-pgklxcq0"}]});
        let pages = [Node::root(&value, Path::new("a.json"))];
        assert_eq!(read(&pages, "ins-pgklxcq0").unwrap(), Some("TXlVc2VyRGF0YQo="));
        assert!(read(&pages, "ins-other").unwrap_err().message.contains("ins-other"));
    }
}
