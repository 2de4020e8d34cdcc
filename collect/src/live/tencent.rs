//! Tencent Cloud requests: API 3.0 calls (TC3-signed JSON POSTs to
//! `<service>.tencentcloudapi.com`) and COS's XML API (`service.cos.myqcloud.com` for the
//! bucket list, `<bucket>.cos.<region>.myqcloud.com` for each bucket).
//! Parameter types, API versions and rate limits are those of tccli's `api.json` files and
//! each action's API page ("请求频率限制", 20 requests per second unless the page says otherwise).

use serde_json::{Map, Value, json};

use super::{Outgoing, Page};
use crate::raw::Syntax;
use crate::sign::{Key, Signed, cos, tc3};

/// The API version of each service the collector calls.
pub(crate) fn version(service: &str) -> Option<&'static str> {
    Some(match service {
        "cam" => "2019-01-16",
        "cvm" | "vpc" | "cbs" => "2017-03-12",
        "cdb" => "2017-03-20",
        "clb" => "2018-03-17",
        "kms" => "2019-01-18",
        "cloudaudit" => "2019-03-19",
        "cls" => "2020-10-16",
        "sts" => "2018-08-13",
        "ssl" => "2019-12-05",
        "redis" => "2018-04-12",
        "es" => "2018-04-16",
        "mongodb" => "2019-07-25",
        "tke" => "2018-05-25",
        "cwp" => "2018-02-28",
        "cfw" => "2019-09-04",
        "waf" => "2018-01-25",
        "cos" => "xml",
        _ => return None,
    })
}

/// Error codes that mean "slow down": retried with backoff.
pub(crate) const THROTTLING: &[&str] = &["RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded", "SlowDown"];

/// Requests per second each action accepts (per account): the API pages' limits.
pub(crate) fn rate(service: &str, action: &str) -> u32 {
    match (service, action) {
        ("cvm", "DescribeInstances") => 40,
        ("cloudaudit", "LookUpEvents") => 5,
        ("cos", _) => 100,
        _ => 20,
    }
}

/// The call listing the regions, and the region ids in its answer.
pub(crate) const REGIONS: (&str, &str) = ("cvm", "DescribeRegions");

pub(crate) fn regions(answer: &Value) -> Vec<String> {
    let regions = answer.get("RegionSet").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    regions
        .iter()
        .filter(|region| region.get("RegionState").and_then(Value::as_str).is_none_or(|state| state == "AVAILABLE"))
        .filter_map(|region| region.get("Region").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// The region account-wide calls that need one are made in.
pub(crate) const HOME_REGION: &str = "ap-guangzhou";

/// The audit-event call: CloudAudit `LookUpEvents`, 50 events a page, over `[start, end]`.
pub(crate) const EVENTS: (&str, &str) = ("cloudaudit", "LookUpEvents");

pub(crate) fn event_params(start: i64, end: i64) -> Vec<(String, String)> {
    vec![
        ("StartTime".into(), start.to_string()),
        ("EndTime".into(), end.to_string()),
        ("MaxResults".into(), "50".into()),
    ]
}

/// Parameters a call always needs beyond its resource and page.
pub(crate) fn fixed(service: &str, action: &str) -> &'static [(&'static str, &'static str)] {
    match (service, action) {
        // 0: policies attached directly and through groups.
        ("cam", "ListAttachedUserAllPolicies") => &[("AttachType", "0")],
        // The account's own custom images only: their sharing is what the checks read.
        ("cvm", "DescribeInstancesAttributes") => &[("Attributes", "UserData")],
        // Log switches of TKE clusters, not of serverless (eks) ones.
        ("tke", "DescribeLogSwitches") => &[("ClusterType", "tke")],
        // api.json: `Product` is required, "本接口取值：redis".
        ("redis", "DescribeDBSecurityGroups") => &[("Product", "redis")],
        ("cvm", "DescribeImages") => &[("Filters", r#"[{"Name":"image-type","Values":["PRIVATE_IMAGE"]}]"#)],
        // Cloud instances only (not bare metal, edge, lightweight or hybrid-cloud machines), of
        // the region asked (api.json: `MachineRegion` is required).
        ("cwp", "DescribeMachines") => &[("MachineType", "CVM"), ("MachineRegion", super::REGION_PLACEHOLDER)],
        _ => &[],
    }
}

/// Whether `service` answers in XML.
pub(crate) fn syntax(service: &str, action: &str) -> Syntax {
    match (service, action) {
        ("cos", "GetBucketPolicy") => Syntax::Json,
        ("cos", _) => Syntax::Xml,
        _ => Syntax::Json,
    }
}

/// Signs one page's request.
pub(crate) fn request(key: &Key, page: &Page<'_>, out: &Outgoing) -> Result<Signed, String> {
    if page.service == "cos" {
        return Ok(cos_request(key, page, out));
    }
    let version =
        version(page.service).ok_or_else(|| format!("rulec does not know the API version of {}", page.service))?;
    let host = format!("{}.tencentcloudapi.com", page.service);
    let payload = Value::Object(payload(page.service, page.action, page.params)).to_string();
    Ok(tc3::sign(
        key,
        &tc3::Tc3Request {
            service: page.service,
            host: &host,
            action: page.action,
            version,
            region: page.region,
            timestamp: out.now.timestamp(),
            payload: &payload,
        },
    ))
}

/// The JSON body: each parameter with the type `api.json` gives it.
fn payload(service: &str, action: &str, params: &[(String, String)]) -> Map<String, Value> {
    let mut body = Map::new();
    for (name, value) in params {
        let typed = match name.as_str() {
            "FilterSubAccountUin" => json!([value.parse::<u64>().map_or_else(|_| json!(value), |n| json!(n))]),
            "SecretIdList" | "ClusterIds" => json!(value.split(',').collect::<Vec<_>>()),
            // DescribeInstancesAttributes takes lists, one value each here.
            "InstanceIds" | "Attributes" if action == "DescribeInstancesAttributes" => json!([value]),
            // Filters are objects; the fixed ones are written as JSON.
            "Filters" => serde_json::from_str(value).unwrap_or_else(|_| json!(value)),
            // VPC's VPC, template and group lists take their offsets as strings; its flow log,
            // network ACL, DNAT rule and address lists take integers.
            "Offset" | "Limit"
                if service == "vpc"
                    && !matches!(
                        action,
                        "DescribeFlowLogs"
                            | "DescribeNetworkAcls"
                            | "DescribeAddresses"
                            | "DescribeNatGatewayDestinationIpPortTranslationNatRules"
                    ) =>
            {
                json!(value)
            }
            "Offset" | "Limit" | "Page" | "Rp" | "PageNumber" | "PageSize" | "MaxResults" | "StartTime" | "EndTime"
            | "TargetUin" | "SubUin" | "Uid" | "TargetGroupId" | "GroupId" | "PolicyId" | "AttachType" | "TrackId"
            | "DurationSeconds" => value.parse::<i64>().map_or_else(|_| json!(value), |n| json!(n)),
            _ => json!(value),
        };
        body.insert(name.clone(), typed);
    }
    body
}

/// A COS request: the bucket list, or one bucket sub-resource (`?acl`, `?policy`, ...).
fn cos_request(key: &Key, page: &Page<'_>, out: &Outgoing) -> Signed {
    let start = out.now.timestamp();
    let end = start + 600;
    let bucket = page.params.iter().find(|(name, _)| name == "Bucket").map(|(_, value)| value.as_str());
    match bucket {
        None => {
            let query: Vec<(String, String)> = page.params.to_vec();
            cos::sign(key, "GET", "service.cos.myqcloud.com", "/", &query, start, end)
        }
        Some(bucket) => {
            let region = page.region.unwrap_or(HOME_REGION);
            let host = format!("{bucket}.cos.{region}.myqcloud.com");
            let resource = page.action.trim_start_matches("GetBucket").to_ascii_lowercase();
            cos::sign(key, "GET", &host, "/", &[(resource, String::new())], start, end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_take_the_types_the_api_declares() {
        let params = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        let body = payload("cam", "ListUsers", &params(&[("TargetUin", "100001"), ("Rp", "200"), ("Name", "007")]));
        assert_eq!(Value::Object(body), json!({"TargetUin": 100001, "Rp": 200, "Name": "007"}));
        let body = payload("vpc", "DescribeVpcs", &params(&[("Offset", "100"), ("Limit", "100")]));
        assert_eq!(Value::Object(body), json!({"Offset": "100", "Limit": "100"}));
        let body = payload("vpc", "DescribeFlowLogs", &params(&[("Offset", "100"), ("Limit", "100")]));
        assert_eq!(Value::Object(body), json!({"Offset": 100, "Limit": 100}));
        let body = payload("vpc", "DescribeNetworkAcls", &params(&[("Offset", "100"), ("Limit", "100")]));
        assert_eq!(Value::Object(body), json!({"Offset": 100, "Limit": 100}));
        let body = payload(
            "vpc",
            "DescribeNatGatewayDestinationIpPortTranslationNatRules",
            &params(&[("Offset", "100"), ("Limit", "100")]),
        );
        assert_eq!(Value::Object(body), json!({"Offset": 100, "Limit": 100}));
        let body = payload("vpc", "DescribeAddresses", &params(&[("Offset", "100"), ("Limit", "100")]));
        assert_eq!(Value::Object(body), json!({"Offset": 100, "Limit": 100}));
        let filters = r#"[{"Name":"image-type","Values":["PRIVATE_IMAGE"]}]"#;
        let body = payload("cvm", "DescribeImages", &params(&[("Filters", filters)]));
        assert_eq!(Value::Object(body), json!({"Filters": [{"Name": "image-type", "Values": ["PRIVATE_IMAGE"]}]}));
        let body = payload(
            "cvm",
            "DescribeInstancesAttributes",
            &params(&[("InstanceIds", "ins-pgklxcq0"), ("Attributes", "UserData")]),
        );
        assert_eq!(Value::Object(body), json!({"InstanceIds": ["ins-pgklxcq0"], "Attributes": ["UserData"]}));
        let body = payload("cam", "DescribeSubAccounts", &params(&[("FilterSubAccountUin", "100028732368")]));
        assert_eq!(Value::Object(body), json!({"FilterSubAccountUin": [100028732368u64]}));
    }

    #[test]
    fn unavailable_regions_are_left_out() {
        let answer = json!({"RegionSet": [
            {"Region": "ap-guangzhou", "RegionState": "AVAILABLE"},
            {"Region": "ap-old", "RegionState": "UNAVAILABLE"},
            {"Region": "ap-beijing"}
        ]});
        assert_eq!(regions(&answer), ["ap-guangzhou", "ap-beijing"]);
    }
}
