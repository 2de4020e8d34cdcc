//! Instance user data: `ecs.DescribeUserData` for each instance `ecs.DescribeInstances` lists.
//! `UserData` is base64, and `""` when the instance has none (the reference: "If the instance
//! does not have any user data, an empty string is returned"), so an answer without the key is
//! an error, not "none": the published JSON sample spells its keys `" UserData "` and
//! `" InstanceId "`, with spaces.

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::user_data::{UserDataCall, build as build_user_data};

const CALL: UserDataCall = UserDataCall {
    instances: "ecs.DescribeInstances",
    list: &["Instances", "Instance"],
    call: "ecs.DescribeUserData",
    param: "InstanceId",
    read,
};

/// Normalizes the user data of the instances of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    build_user_data(answers, out, place, &CALL);
}

/// The user data of the answer's instance: `UserData`, which must be there.
fn read<'a>(pages: &[Node<'a>], _id: &str) -> Result<Option<&'a str>, FieldError> {
    match pages.first() {
        Some(page) => {
            page.need("UserData")?;
            page.opt_str("UserData")
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn an_empty_string_is_none_and_a_missing_key_an_error() {
        let none = json!({"UserData": "", "InstanceId": "i-1"});
        assert_eq!(read(&[Node::root(&none, Path::new("a.json"))], "i-1").unwrap(), None);
        let spaced = json!({" UserData ": "ZWNobyBoZWxsbyBlY321ABC", " InstanceId ": "i-1"});
        assert!(read(&[Node::root(&spaced, Path::new("b.json"))], "i-1").is_err());
    }
}
