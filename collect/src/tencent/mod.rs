//! Tencent Cloud: the calls read (one table) and the normalizers that join their answers into
//! snapshot assets. Answers come as tccli prints them or in the API's `Response` envelope.

mod cvm;
pub(crate) mod events;
mod vpc;

use std::collections::BTreeMap;

use crate::answers::{Answers, Place};
use crate::calls::{Call, Paging, Scope};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::raw::{GLOBAL, Provider};

const fn call(
    service: &'static str,
    action: &'static str,
    scope: Scope,
    per: Option<(&'static str, &'static str)>,
    feeds: &'static [&'static str],
    reads: &'static str,
    paging: Paging,
    shape: &'static [&'static str],
) -> Call {
    Call { provider: Provider::Tencent, service, action, scope, per, feeds, reads, paging, shape }
}

const OFFSET_100: Paging = Paging::Offset { offset: "Offset", limit: "Limit", max: 100 };

/// The Tencent Cloud calls the importer reads.
pub(crate) static CALLS: &[Call] = &[
    call(
        "sts",
        "GetCallerIdentity",
        Scope::Global,
        None,
        &["account id"],
        "AccountId",
        Paging::None,
        &["AccountId", "Arn"],
    ),
    call(
        "cvm",
        "DescribeInstances",
        Scope::Regional,
        None,
        &["Instance"],
        "InstanceSet[]: InstanceId, InstanceName, InstanceState, PublicIpAddresses, PrivateIpAddresses, SecurityGroupIds, CamRoleName, ImageId, OsName, Tags",
        OFFSET_100,
        &["InstanceSet"],
    ),
    call(
        "vpc",
        "DescribeSecurityGroups",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "SecurityGroupSet[]: SecurityGroupId, SecurityGroupName, IsDefault, TagSet",
        OFFSET_100,
        &["SecurityGroupSet"],
    ),
    call(
        "vpc",
        "DescribeSecurityGroupPolicies",
        Scope::Regional,
        Some(("SecurityGroupId", "vpc.DescribeSecurityGroups SecurityGroupSet[].SecurityGroupId")),
        &["SecurityGroup"],
        "SecurityGroupPolicySet.Ingress[] / Egress[]: PolicyIndex, Protocol, Port, CidrBlock, Ipv6CidrBlock, SecurityGroupId, AddressTemplate, ServiceTemplate, Action, PolicyDescription",
        Paging::None,
        &[],
    ),
    call(
        "vpc",
        "DescribeAddressTemplates",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "AddressTemplateSet[]: AddressTemplateId, AddressSet",
        OFFSET_100,
        &["AddressTemplateSet"],
    ),
    call(
        "vpc",
        "DescribeAddressTemplateGroups",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "AddressTemplateGroupSet[]: AddressTemplateGroupId, AddressTemplateIdSet",
        OFFSET_100,
        &["AddressTemplateGroupSet"],
    ),
    call(
        "vpc",
        "DescribeServiceTemplates",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "ServiceTemplateSet[]: ServiceTemplateId, ServiceSet",
        OFFSET_100,
        &["ServiceTemplateSet"],
    ),
    call(
        "vpc",
        "DescribeServiceTemplateGroups",
        Scope::Regional,
        None,
        &["SecurityGroup"],
        "ServiceTemplateGroupSet[]: ServiceTemplateGroupId, ServiceTemplateIdSet",
        OFFSET_100,
        &["ServiceTemplateGroupSet"],
    ),
];

/// Normalizes everything saved for one account.
pub(crate) fn build(answers: &Answers, out: &mut Estate, account: &str) {
    let global = Place { provider: Provider::Tencent, account, region: GLOBAL };
    let _ = global;
    for region in answers.regions(Provider::Tencent, account) {
        let place = Place { provider: Provider::Tencent, account, region: &region };
        cvm::build(answers, out, &place);
        vpc::build(answers, out, &place);
    }
}

/// The CAM resource description policies use: `qcs::<service>:<region>:uin/<account>:<what>`.
fn resource_name(place: &Place<'_>, service: &str, what: &str) -> String {
    let region = if place.region == GLOBAL { "" } else { place.region };
    format!("qcs::{service}:{region}:uin/{}:{what}", place.account)
}

/// Tags as `[{"Key": .., "Value": ..}]` (also `TagKey`/`TagValue`).
fn tags(node: &Node<'_>, key: &str) -> Result<BTreeMap<String, String>, FieldError> {
    let mut tags = BTreeMap::new();
    for tag in node.list(&[key]) {
        let name = tag.opt_str("Key")?.or(tag.opt_str("TagKey")?);
        let Some(name) = name else { return Err(tag.error("expected a tag with `Key`")) };
        let value = tag.opt_str("Value")?.or(tag.opt_str("TagValue")?).unwrap_or_default();
        tags.insert(name.to_owned(), value.to_owned());
    }
    Ok(tags)
}
