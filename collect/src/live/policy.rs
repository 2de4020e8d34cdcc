//! The least-privilege policy for rulec itself: read-only, and exactly the actions of the calls
//! the collector makes (its own call table), so a user grants what is needed and nothing more.
//! Tencent CAM policies name actions `<service>:<Action>` (COS: `name/cos:<Action>`); Alibaba
//! RAM policies name them `<product>:<Action>`, with IMS authorised as `ram:`, SLS as `log:` and
//! certificates (`cas`) as `yundun-cert:`, Security Center (`sas`) as `yundun-sas:`, Cloud
//! Firewall (`cloudfw`) as `yundun-cloudfirewall:`, WAF 3.0 (`waf-openapi`) as `yundun-waf:`
//! and ACK's cluster list
//! (`cs.DescribeClustersV1`) as `cs:GetClusters`.

use serde_json::{Value, json};

use crate::raw::Provider;

/// The policy document to grant the collector's key.
pub fn document(provider: Provider) -> Value {
    let actions = actions(provider);
    match provider {
        Provider::Tencent => json!({
            "version": "2.0",
            "statement": [{"effect": "allow", "action": actions, "resource": ["*"]}]
        }),
        Provider::Alibaba => json!({
            "Version": "1",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
        }),
    }
}

/// The policy actions of every call the collector makes, sorted, each once.
pub fn actions(provider: Provider) -> Vec<String> {
    let mut actions: Vec<String> = super::requests_made(provider)
        .into_iter()
        .map(|(service, action)| action_name(provider, service, action))
        .collect();
    actions.sort();
    actions.dedup();
    actions
}

/// The policy's name for one API call.
pub fn action_name(provider: Provider, service: &str, action: &str) -> String {
    match (provider, service) {
        // COS's CAM action spells the ACL in capitals.
        (Provider::Tencent, "cos") => format!("name/cos:{}", action.replace("Acl", "ACL")),
        (Provider::Alibaba, "ims") => format!("ram:{action}"),
        (Provider::Alibaba, "sls") => format!("log:{action}"),
        // Certificate Management Service authorises as `yundun-cert:` (its API pages'
        // "Authorization information").
        (Provider::Alibaba, "cas") => format!("yundun-cert:{action}"),
        // Redis (`r-kvstore`) authorises as `kvstore:`.
        (Provider::Alibaba, "r-kvstore") => format!("kvstore:{action}"),
        // Security Center authorises as `yundun-sas:` (its API pages' "Authorization
        // information").
        (Provider::Alibaba, "sas") => format!("yundun-sas:{action}"),
        // Cloud Firewall authorises as `yundun-cloudfirewall:`, not `cloudfw:`.
        (Provider::Alibaba, "cloudfw") => format!("yundun-cloudfirewall:{action}"),
        // WAF 3.0 (`waf-openapi`) authorises as `yundun-waf:` (its API pages' "RAM
        // authorization": `yundun-waf:DescribeResourcePort`).
        (Provider::Alibaba, "waf-openapi") => format!("yundun-waf:{action}"),
        // ACK authorises its cluster list as `cs:GetClusters` (DescribeClustersV1's API page,
        // "Authorization information"); the detail keeps its own name.
        (Provider::Alibaba, "cs") if action == "DescribeClustersV1" => "cs:GetClusters".to_owned(),
        (_, service) => format!("{service}:{action}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_the_collector_makes_is_granted() {
        for provider in Provider::ALL {
            let document = document(provider);
            let granted: Vec<&str> = document
                .pointer(match provider {
                    Provider::Tencent => "/statement/0/action",
                    Provider::Alibaba => "/Statement/0/Action",
                })
                .and_then(Value::as_array)
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            for (service, action) in super::super::requests_made(provider) {
                let name = action_name(provider, service, action);
                assert!(granted.contains(&name.as_str()), "{provider:?}: {name} is not granted");
            }
            let writes = granted.iter().filter(|action| {
                let verb = action.rsplit(':').next().unwrap_or_default();
                !["Describe", "List", "Get", "LookUp", "Lookup"].iter().any(|read| verb.starts_with(read))
            });
            assert_eq!(writes.count(), 0, "{provider:?}: the policy grants only reads");
        }
    }

    #[test]
    fn cos_and_ims_take_their_own_action_names() {
        assert_eq!(action_name(Provider::Tencent, "cos", "GetBucketAcl"), "name/cos:GetBucketACL");
        assert_eq!(action_name(Provider::Alibaba, "ims", "GetAccountMFAInfo"), "ram:GetAccountMFAInfo");
        assert_eq!(action_name(Provider::Alibaba, "waf-openapi", "DescribeInstance"), "yundun-waf:DescribeInstance");
        assert_eq!(action_name(Provider::Tencent, "cvm", "DescribeInstances"), "cvm:DescribeInstances");
    }
}
