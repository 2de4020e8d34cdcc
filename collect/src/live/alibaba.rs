//! Alibaba Cloud requests: RPC calls (signature v1, GET with every parameter in the query) to
//! `<product>.aliyuncs.com` or `<product>.<region>.aliyuncs.com`; Container Service for
//! Kubernetes' and Elasticsearch's ROA APIs (`GET` a path at `cs.<region>.aliyuncs.com` and
//! `elasticsearch.<region>.aliyuncs.com`, signature V3); OSS's XML API
//! (`oss-<region>.aliyuncs.com` for the bucket list, `<bucket>.oss-<region>.aliyuncs.com` for
//! each bucket, signature V4); SLS's REST API (`[<project>.]<region>.log.aliyuncs.com`).
//! API versions are those of the products' OpenAPI references; rate limits are the products'
//! documented per-account flow control, 10 requests per second where a product states none.

use serde_json::Value;

use super::{Outgoing, Page};
use crate::raw::Syntax;
use crate::sign::{Key, Signed, acs3, oss, rpc, sls};

/// The API version of each product the collector calls.
pub(crate) fn version(service: &str) -> Option<&'static str> {
    Some(match service {
        "ecs" => "2014-05-26",
        "ram" => "2015-05-01",
        "ims" => "2019-08-15",
        "sts" => "2015-04-01",
        "rds" => "2014-08-15",
        "kms" => "2016-01-20",
        "actiontrail" => "2020-07-06",
        "slb" => "2014-05-15",
        "vpc" => "2016-04-28",
        "cas" => "2018-07-13",
        "r-kvstore" => "2015-01-01",
        "dds" => "2015-12-01",
        "sas" => "2018-12-03",
        "cloudsso" => "2021-05-15",
        "cloudfw" => "2017-12-07",
        "cs" => "2015-12-15",
        "elasticsearch" => "2017-06-13",
        "waf-openapi" => "2021-10-01",
        "oss" => "xml",
        "sls" => "0.6.0",
        _ => return None,
    })
}

/// Error codes that mean "slow down": retried with backoff.
pub(crate) const THROTTLING: &[&str] =
    &["Throttling", "Throttling.User", "Throttling.Api", "Throttling.Resource", "ServiceUnavailable", "SlowDown"];

/// Requests per second each product accepts (per account).
pub(crate) fn rate(service: &str, _action: &str) -> u32 {
    match service {
        "ecs" => 20,
        "oss" => 100,
        _ => 10,
    }
}

/// The call listing the regions, and the region ids in its answer.
pub(crate) const REGIONS: (&str, &str) = ("ecs", "DescribeRegions");

pub(crate) fn regions(answer: &Value) -> Vec<String> {
    let regions = answer.pointer("/Regions/Region").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    regions.iter().filter_map(|region| region.get("RegionId").and_then(Value::as_str).map(str::to_owned)).collect()
}

/// The region account-wide calls that need an endpoint are made in.
pub(crate) const HOME_REGION: &str = "cn-hangzhou";

/// The audit-event call: ActionTrail `LookupEvents`, 50 events a page, per region.
pub(crate) const EVENTS: (&str, &str) = ("actiontrail", "LookupEvents");

pub(crate) fn event_params(start: &str, end: &str) -> Vec<(String, String)> {
    vec![("StartTime".into(), start.to_owned()), ("EndTime".into(), end.to_owned()), ("MaxResults".into(), "50".into())]
}

/// Parameters a call always needs beyond its resource and page.
pub(crate) fn fixed(service: &str, action: &str) -> &'static [(&'static str, &'static str)] {
    match (service, action) {
        // The account's own custom images only: their sharing is what the checks read.
        ("ecs", "DescribeImages") => &[("ImageOwnerAlias", "self")],
        // Servers only, not the cloud products Security Center also lists.
        ("sas", "DescribeCloudCenterInstances") => &[("MachineTypes", "ecs")],
        // WAF 3.0's Chinese mainland site (`ap-southeast-1` is the one abroad); the resources
        // added by their HTTP(S) listeners (`clb7`), the only ones the check judges.
        ("waf-openapi", "DescribeCloudResources") => &[("RegionId", "cn-hangzhou"), ("ResourceProduct", "clb7")],
        ("waf-openapi", _) => &[("RegionId", "cn-hangzhou")],
        _ => &[],
    }
}

/// Whether `service` answers in XML.
pub(crate) fn syntax(service: &str, action: &str) -> Syntax {
    match (service, action) {
        ("oss", "GetBucketPolicy") => Syntax::Json,
        ("oss", _) => Syntax::Xml,
        _ => Syntax::Json,
    }
}

/// Signs one page's request.
pub(crate) fn request(key: &Key, page: &Page<'_>, out: &Outgoing) -> Result<Signed, String> {
    if page.service == "oss" {
        return Ok(oss_request(key, page, out));
    }
    if page.service == "sls" {
        return sls_request(key, page, out);
    }
    if page.service == "cs" || page.service == "elasticsearch" {
        return roa_request(key, page, out);
    }
    let version =
        version(page.service).ok_or_else(|| format!("rulec does not know the API version of {}", page.service))?;
    // Account-wide products (certificates: `cas.aliyuncs.com`), and RDS, SLB and VPC (whose API
    // references call the central endpoint with a RegionId), go to `<product>.aliyuncs.com`; ECS,
    // KMS and ActionTrail to the region's.
    // Redis and MongoDB too: `r-kvstore.aliyuncs.com`, and `mongodb.aliyuncs.com` for dds (the
    // hosts of their API pages' request examples).
    let host = match (page.service, page.region) {
        ("ram" | "ims" | "sts" | "rds" | "slb" | "vpc" | "cas" | "r-kvstore", _) => {
            format!("{}.aliyuncs.com", page.service)
        }
        ("dds", _) => "mongodb.aliyuncs.com".to_owned(),
        // Cloud Firewall is one central service: `cloudfw.aliyuncs.com` for the Chinese
        // mainland (its SDK's endpoint map gives it for every mainland region but cn-hangzhou,
        // which also has `cloudfw.cn-hangzhou.aliyuncs.com`; `cloudfw.ap-southeast-1.aliyuncs.com`
        // serves the international site), no RegionId.
        ("cloudfw", _) => "cloudfw.aliyuncs.com".to_owned(),
        // Security Center (sas) answers at `tds.aliyuncs.com` (its SDK's endpoint for the
        // Chinese mainland; one account-wide list).
        ("sas", _) => "tds.aliyuncs.com".to_owned(),
        // CloudSSO answers per region (its SDK's endpoint table); a directory lives in one of
        // them, China (Shanghai) unless chosen otherwise when it was created.
        ("cloudsso", _) => "cloudsso.cn-shanghai.aliyuncs.com".to_owned(),
        // WAF 3.0 answers at `wafopenapi.<site>.aliyuncs.com` (no hyphen), the site being its
        // `RegionId`: the Chinese mainland's, as `fixed` asks.
        ("waf-openapi", _) => "wafopenapi.cn-hangzhou.aliyuncs.com".to_owned(),
        (service, Some(region)) => format!("{service}.{region}.aliyuncs.com"),
        (service, None) => format!("{service}.{HOME_REGION}.aliyuncs.com"),
    };
    let mut params = page.params.to_vec();
    if let Some(region) = page.region {
        params.push(("RegionId".to_owned(), region.to_owned()));
    }
    let timestamp = out.now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    Ok(rpc::sign(
        key,
        &rpc::RpcRequest {
            host: &host,
            action: page.action,
            version,
            params: &params,
            timestamp: &timestamp,
            nonce: &out.nonce,
        },
    ))
}

/// An OSS request: the bucket list, or one bucket sub-resource (`?acl`, `?policy`, ...).
fn oss_request(key: &Key, page: &Page<'_>, out: &Outgoing) -> Signed {
    let region = page.region.unwrap_or(HOME_REGION);
    let bucket = page.params.iter().find(|(name, _)| name == "Bucket").map(|(_, value)| value.as_str());
    let (host, query) = match bucket {
        None => (format!("oss-{region}.aliyuncs.com"), page.params.to_vec()),
        Some(bucket) => {
            let resource = page.action.trim_start_matches("GetBucket").to_ascii_lowercase();
            (format!("{bucket}.oss-{region}.aliyuncs.com"), vec![(resource, String::new())])
        }
    };
    oss::sign(
        key,
        &oss::OssRequest {
            method: "GET",
            host: &host,
            bucket: bucket.unwrap_or_default(),
            object: "",
            region,
            query: &query,
            headers: &[],
            timestamp: out.now.timestamp(),
        },
    )
}

/// An SLS request: the projects of a region, the log stores of a project, or one log store.
fn sls_request(key: &Key, page: &Page<'_>, out: &Outgoing) -> Result<Signed, String> {
    let region = page.region.unwrap_or(HOME_REGION);
    let param = |name: &str| page.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let paging: Vec<(String, String)> =
        page.params.iter().filter(|(name, _)| name == "offset" || name == "size").cloned().collect();
    let (host, path) = match (page.action, param("project"), param("logstore")) {
        ("ListProject", _, _) => (format!("{region}.log.aliyuncs.com"), "/".to_owned()),
        ("ListLogStores", Some(project), _) => {
            (format!("{project}.{region}.log.aliyuncs.com"), "/logstores".to_owned())
        }
        ("GetLogStore", Some(project), Some(store)) => {
            (format!("{project}.{region}.log.aliyuncs.com"), format!("/logstores/{store}"))
        }
        (action, ..) => return Err(format!("rulec does not make the SLS call {action} with these parameters")),
    };
    let request =
        sls::SlsRequest { method: "GET", host: &host, path: &path, query: &paging, timestamp: out.now.timestamp() };
    Ok(sls::sign(key, &request))
}

/// A ROA request (Container Service for Kubernetes, Elasticsearch): `GET` a path at
/// `<product>.<region>.aliyuncs.com`, signed with V3, the action and version in its headers. A
/// list's paging parameters go to the query, a per-resource call's id into the path: ACK's
/// `GET /api/v1/clusters?region_id=` and `GET /clusters/{ClusterId}`, Elasticsearch's
/// `GET /openapi/instances` (paged by `page`/`size`) and `GET /openapi/instances/{InstanceId}`.
fn roa_request(key: &Key, page: &Page<'_>, out: &Outgoing) -> Result<Signed, String> {
    let region = page.region.unwrap_or(HOME_REGION);
    let id = |name: &str| {
        page.params
            .iter()
            .find(|(param, _)| param == name)
            .map(|(_, value)| value.as_str())
            .ok_or_else(|| format!("rulec does not make the {} call {} without {name}", page.service, page.action))
    };
    let paging = |names: [&str; 2]| -> Vec<(String, String)> {
        page.params.iter().filter(|(name, _)| names.contains(&name.as_str())).cloned().collect()
    };
    let (path, query) = match (page.service, page.action) {
        ("cs", "DescribeClustersV1") => {
            let mut query = paging(["page_number", "page_size"]);
            query.push(("region_id".to_owned(), region.to_owned()));
            ("/api/v1/clusters".to_owned(), query)
        }
        ("cs", "DescribeClusterDetail") => (format!("/clusters/{}", id("ClusterId")?), Vec::new()),
        ("elasticsearch", "ListInstance") => ("/openapi/instances".to_owned(), paging(["page", "size"])),
        ("elasticsearch", "DescribeInstance") => (format!("/openapi/instances/{}", id("InstanceId")?), Vec::new()),
        (service, action) => return Err(format!("rulec does not make the {service} call {action}")),
    };
    let date = out.now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let request = acs3::Acs3Request {
        method: "GET",
        host: &format!("{}.{region}.aliyuncs.com", page.service),
        path: &path,
        query: &query,
        action: page.action,
        version: version(page.service).unwrap_or_default(),
        date: &date,
        nonce: &out.nonce,
    };
    Ok(acs3::sign(key, &request))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn regions_from_describe_regions() {
        let answer = json!({"Regions": {"Region": [{"RegionId": "cn-hangzhou"}, {"RegionId": "ap-southeast-1"}]}});
        assert_eq!(regions(&answer), ["cn-hangzhou", "ap-southeast-1"]);
    }

    #[test]
    fn ack_calls_are_roa_paths_signed_with_v3() {
        let key = crate::sign::test_key("LTAIexample", "secret", None);
        let out =
            Outgoing { now: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(), nonce: "n".into() };
        let paging = vec![("page_number".to_owned(), "2".to_owned()), ("page_size".to_owned(), "100".to_owned())];
        let page = Page { service: "cs", action: "DescribeClustersV1", region: Some("cn-beijing"), params: &paging };
        let signed = request(&key, &page, &out).unwrap();
        assert_eq!(
            signed.url,
            "https://cs.cn-beijing.aliyuncs.com/api/v1/clusters?page_number=2&page_size=100&region_id=cn-beijing"
        );
        assert_eq!(signed.method, "GET");
        let (path, query) = ("/api/v1/clusters", "page_number=2&page_size=100&region_id=cn-beijing");
        assert_eq!(acs3::verify("secret", "GET", path, query, &signed.headers, b""), Ok(()));
        let one = vec![("ClusterId".to_owned(), "c82e6987e2961451182edacd74faf1234".to_owned())];
        let page = Page { service: "cs", action: "DescribeClusterDetail", region: Some("cn-beijing"), params: &one };
        let signed = request(&key, &page, &out).unwrap();
        assert_eq!(signed.url, "https://cs.cn-beijing.aliyuncs.com/clusters/c82e6987e2961451182edacd74faf1234");
        assert!(crate::sign::header(&signed.headers, "x-acs-action") == Some("DescribeClusterDetail"));
        let page = Page { service: "cs", action: "DescribeClusterDetail", region: Some("cn-beijing"), params: &[] };
        assert!(request(&key, &page, &out).is_err());
    }

    #[test]
    fn elasticsearch_calls_are_roa_paths_signed_with_v3() {
        let key = crate::sign::test_key("LTAIexample", "secret", None);
        let out =
            Outgoing { now: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(), nonce: "n".into() };
        let paging = vec![("page".to_owned(), "2".to_owned()), ("size".to_owned(), "100".to_owned())];
        let page =
            Page { service: "elasticsearch", action: "ListInstance", region: Some("cn-hangzhou"), params: &paging };
        let signed = request(&key, &page, &out).unwrap();
        assert_eq!(signed.url, "https://elasticsearch.cn-hangzhou.aliyuncs.com/openapi/instances?page=2&size=100");
        assert_eq!(
            acs3::verify("secret", "GET", "/openapi/instances", "page=2&size=100", &signed.headers, b""),
            Ok(())
        );
        assert!(crate::sign::header(&signed.headers, "x-acs-version") == Some("2017-06-13"));
        let one = vec![("InstanceId".to_owned(), "es-cn-3h4k3axh33th91234".to_owned())];
        let page =
            Page { service: "elasticsearch", action: "DescribeInstance", region: Some("cn-hangzhou"), params: &one };
        let signed = request(&key, &page, &out).unwrap();
        assert_eq!(
            signed.url,
            "https://elasticsearch.cn-hangzhou.aliyuncs.com/openapi/instances/es-cn-3h4k3axh33th91234"
        );
        assert!(crate::sign::header(&signed.headers, "x-acs-action") == Some("DescribeInstance"));
        let page =
            Page { service: "elasticsearch", action: "DescribeInstance", region: Some("cn-hangzhou"), params: &[] };
        assert!(request(&key, &page, &out).is_err());
    }
}
