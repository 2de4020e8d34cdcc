//! A local stand-in for the Tencent Cloud and Alibaba Cloud APIs, for tests and the collection
//! benchmark: it checks every request's signature with the documented algorithm (a wrong one
//! gets the vendor's own refusal), serves a RAW fixture folder page by page (a small page size
//! forces paging), and injects throttling, slow answers, denied services and a malformed answer.
//! No machine here reaches a cloud; this is how the collector is proven.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rulec_collect::calls::{self, Paging};
use rulec_collect::raw::{Answer, CallFile, GLOBAL, Placed, Provider, Syntax, answer, layout};
use rulec_collect::sign;
use serde_json::{Value, json};

/// What the mock cloud does besides answering.
#[derive(Clone, Default)]
pub struct Faults {
    /// `service.Action` → how many of its first requests are throttled.
    pub throttle: BTreeMap<String, usize>,
    /// `service.Action` → how many of its first requests answer only after `slow_for`.
    pub slow: BTreeMap<String, usize>,
    pub slow_for: Duration,
    /// Services whose every call is refused for lack of permission.
    pub deny: BTreeSet<String>,
    /// `service.Action` answered with text that is not JSON.
    pub malformed: BTreeSet<String>,
    /// Latency added to every answer.
    pub latency: Duration,
}

/// Where an answer is served: folder, service, action and the parameters naming the resource.
pub type AnswerKey = (String, String, String, Vec<(String, String)>);

/// The mock's view of one account.
pub struct Cloud {
    pub provider: Provider,
    pub account: String,
    pub key_id: String,
    pub secret: String,
    /// The key `sts.AssumeRole` hands out: id, secret, token.
    pub temporary: (String, String, String),
    /// Requests signed with the temporary key.
    pub temporary_requests: Arc<AtomicUsize>,
    /// Items per page of every paged list (the server's own cap).
    pub page_size: usize,
    /// (folder, service, action, named params) → the answer, pages merged.
    pub answers: BTreeMap<AnswerKey, (Value, Syntax, String)>,
    pub regions: Vec<String>,
    pub faults: Faults,
}

/// A running mock server.
pub struct Server {
    pub url: String,
    /// Every request served: `service.Action`, and whether its signature was good.
    pub log: Arc<Mutex<Vec<(String, bool)>>>,
    /// When each request arrived, by `service.Action`, for rate measurements.
    pub times: Arc<Mutex<Vec<(String, std::time::Instant)>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Cloud {
    /// The cloud an account folder of a RAW tree describes (`<provider>/<account>/...`).
    pub fn from_raw(provider: Provider, account_folder: &Path) -> Cloud {
        let account = account_folder.file_name().unwrap().to_string_lossy().into_owned();
        let mut answers: BTreeMap<_, (Value, Syntax, String)> = BTreeMap::new();
        let mut files: Vec<_> = walkdir::WalkDir::new(account_folder)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        files.sort();
        for file in files {
            let call = match layout::place(&file) {
                Ok(Placed::Call(call)) => call,
                // LookUpEvents / LookupEvents answers saved under events/: served as such.
                Ok(Placed::Events { .. }) => {
                    let name = file.file_name().unwrap().to_string_lossy().into_owned();
                    let Some((service, action)) = name.strip_suffix(".json").and_then(|stem| stem.split_once('.'))
                    else {
                        continue;
                    };
                    CallFile {
                        provider,
                        account: account.clone(),
                        region: "events".to_owned(),
                        service: service.to_owned(),
                        action: action.to_owned(),
                        params: Vec::new(),
                        page: 1,
                        syntax: Syntax::Json,
                    }
                }
                _ => continue,
            };
            let text = std::fs::read_to_string(&file).unwrap();
            let Ok(Answer::Data(value)) = answer::parse(&text, call.syntax) else { continue };
            let key = (call.region.clone(), call.service.clone(), call.action.clone(), call.params.clone());
            match answers.get_mut(&key) {
                Some((merged, _, _)) => merge_pages(provider, &call, merged, value),
                None => {
                    answers.insert(key, (value, call.syntax, text));
                }
            }
        }
        let mut regions: BTreeSet<String> = answers.keys().map(|(folder, ..)| folder.clone()).collect();
        regions.remove(GLOBAL);
        regions.remove("events");
        Cloud {
            provider,
            account,
            key_id: "AKIDmockKEY0000000000000000000000000".to_owned(),
            secret: "mock-secret-never-printed-7f3a9c".to_owned(),
            temporary: (
                "AKIDmockTEMP000000000000000000000000".to_owned(),
                "mock-temporary-secret-2b8e".to_owned(),
                "mock-session-token-91d0".to_owned(),
            ),
            temporary_requests: Arc::new(AtomicUsize::new(0)),
            page_size: 1,
            answers,
            regions: regions.into_iter().collect(),
            faults: Faults::default(),
        }
    }

    /// Starts serving on 127.0.0.1.
    pub fn serve(self) -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let cloud = Arc::new(self);
        let log = Arc::new(Mutex::new(Vec::new()));
        let times = Arc::new(Mutex::new(Vec::new()));
        let counts = Arc::new(Mutex::new(BTreeMap::<String, AtomicUsize>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..64)
            .map(|_| {
                let (server, cloud, log, times, counts, stop) =
                    (server.clone(), cloud.clone(), log.clone(), times.clone(), counts.clone(), stop.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(50)) else { continue };
                        let arrived = std::time::Instant::now();
                        let (status, body, delay) = cloud.answer(&mut request, &log, &counts);
                        if let Some((call, _)) = log.lock().unwrap().last() {
                            times.lock().unwrap().push((call.clone(), arrived));
                        }
                        std::thread::sleep(delay);
                        let _ = request.respond(tiny_http::Response::from_string(body).with_status_code(status));
                    }
                })
            })
            .collect();
        Server { url, log, times, stop, threads }
    }

    /// The answer to one request: status, body, and how long to wait before sending it.
    fn answer(
        &self,
        request: &mut tiny_http::Request,
        log: &Mutex<Vec<(String, bool)>>,
        counts: &Mutex<BTreeMap<String, AtomicUsize>>,
    ) -> (u16, String, Duration) {
        let mut body = Vec::new();
        let _ = request.as_reader().read_to_end(&mut body);
        let headers: Vec<(String, String)> =
            request.headers().iter().map(|h| (h.field.as_str().to_string(), h.value.to_string())).collect();
        let host =
            headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("host")).map(|(_, v)| v.clone()).unwrap_or_default();
        let url = request.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let method = request.method().as_str().to_owned();
        let Some(call) = self.route(&host, path, &headers, query, &body) else {
            return (404, format!("mock: no route for {host}{url}"), Duration::ZERO);
        };
        let verified = self.verify(&call, &method, path, query, &headers, &body);
        log.lock().unwrap().push((format!("{}.{}", call.service, call.action), verified.is_ok()));
        let latency = self.faults.latency;
        if let Err(reason) = verified {
            return (403, self.error(&call, self.signature_code(&call), &reason), latency);
        }
        let name = format!("{}.{}", call.service, call.action);
        let seen = {
            let mut counts = counts.lock().unwrap();
            counts.entry(name.clone()).or_insert_with(|| AtomicUsize::new(0)).fetch_add(1, Ordering::SeqCst)
        };
        if self.faults.throttle.get(&name).is_some_and(|n| seen < *n) {
            let code = match self.provider {
                Provider::Tencent => "RequestLimitExceeded",
                Provider::Alibaba => "Throttling.User",
            };
            return (
                if self.provider == Provider::Alibaba { 400 } else { 200 },
                self.error(&call, code, "slow down"),
                latency,
            );
        }
        let delay = if self.faults.slow.get(&name).is_some_and(|n| seen < *n) { self.faults.slow_for } else { latency };
        if self.faults.deny.contains(&call.service) {
            let code = match self.provider {
                Provider::Tencent => "AuthFailure.UnauthorizedOperation",
                Provider::Alibaba => "Forbidden.RAM",
            };
            return (
                if self.provider == Provider::Alibaba { 403 } else { 200 },
                self.error(&call, code, "the key may not do this"),
                delay,
            );
        }
        if self.faults.malformed.contains(&name) {
            return (200, "{\"Response\": {\"InstanceSet\": [".to_owned(), delay);
        }
        (200, self.data(&call), delay)
    }

    /// Which call a request makes, with its parameters.
    fn route(&self, host: &str, path: &str, headers: &[(String, String)], query: &str, body: &[u8]) -> Option<Request> {
        let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let query: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect();
        let q = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        match self.provider {
            Provider::Tencent => {
                if let Some(rest) = host.strip_suffix(".myqcloud.com") {
                    if rest == "service.cos" {
                        return Some(Request::new("cos", "GetService", None, query));
                    }
                    let (bucket, region) = rest.split_once(".cos.")?;
                    let sub = query.first()?.0.clone();
                    let action = format!("GetBucket{}", capitalize(&sub));
                    return Some(Request::new(
                        "cos",
                        &action,
                        Some(region.to_owned()),
                        vec![("Bucket".into(), bucket.into())],
                    ));
                }
                let service = host.strip_suffix(".tencentcloudapi.com")?.split('.').next()?.to_owned();
                let params: serde_json::Map<String, Value> = serde_json::from_slice(body).ok()?;
                let params = params
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => s,
                            Value::Array(items) => items
                                .iter()
                                .map(|i| i.to_string().trim_matches('"').to_owned())
                                .collect::<Vec<_>>()
                                .join(","),
                            other => other.to_string(),
                        };
                        (k, v)
                    })
                    .collect();
                Some(Request::new(&service, &header("X-TC-Action")?, header("X-TC-Region"), params))
            }
            Provider::Alibaba => {
                let rest = host.strip_suffix(".aliyuncs.com")?;
                if let Some((bucket, region)) = rest.split_once(".oss-") {
                    let sub = query.first()?.0.clone();
                    let action = format!("GetBucket{}", capitalize(&sub));
                    return Some(Request::new(
                        "oss",
                        &action,
                        Some(region.to_owned()),
                        vec![("Bucket".into(), bucket.into())],
                    ));
                }
                if let Some(region) = rest.strip_prefix("oss-") {
                    return Some(Request::new("oss", "ListBuckets", Some(region.to_owned()), query));
                }
                if let Some(sls) = rest.strip_suffix(".log") {
                    let (project, region) = match sls.rsplit_once('.') {
                        Some((project, region)) => (Some(project.to_owned()), region.to_owned()),
                        None => (None, sls.to_owned()),
                    };
                    let mut params = query;
                    params.extend(project.map(|project| ("project".to_owned(), project)));
                    let action = match path.strip_prefix("/logstores") {
                        None => "ListProject",
                        Some("") => "ListLogStores",
                        Some(store) => {
                            params.push(("logstore".to_owned(), decode(store.trim_start_matches('/'))));
                            "GetLogStore"
                        }
                    };
                    return Some(Request::new("sls", action, Some(region), params));
                }
                // Container Service for Kubernetes: ROA paths at `cs.<region>.aliyuncs.com`, the
                // action in `x-acs-action` (signature V3).
                if let Some(region) = rest.strip_prefix("cs.") {
                    let action = header("x-acs-action")?;
                    let params = match path.strip_prefix("/clusters/") {
                        Some(cluster) => vec![("ClusterId".to_owned(), decode(cluster))],
                        None if path == "/api/v1/clusters" => query,
                        None => return None,
                    };
                    return Some(Request::new("cs", &action, Some(region.to_owned()), params));
                }
                // Elasticsearch: ROA paths at `elasticsearch.<region>.aliyuncs.com`, signature V3.
                if let Some(region) = rest.strip_prefix("elasticsearch.") {
                    let action = header("x-acs-action")?;
                    let params = match path.strip_prefix("/openapi/instances/") {
                        Some(instance) => vec![("InstanceId".to_owned(), decode(instance))],
                        None if path == "/openapi/instances" => query,
                        None => return None,
                    };
                    return Some(Request::new("elasticsearch", &action, Some(region.to_owned()), params));
                }
                // ApsaraDB for MongoDB (`dds`) answers at `mongodb.aliyuncs.com`, Security Center
                // (`sas`) at `tds.aliyuncs.com`, WAF 3.0 (`waf-openapi`) at `wafopenapi.<site>`.
                let service = match rest.split('.').next()? {
                    "mongodb" => "dds".to_owned(),
                    "tds" => "sas".to_owned(),
                    "wafopenapi" => "waf-openapi".to_owned(),
                    service => service.to_owned(),
                };
                Some(Request::new(&service, &q("Action")?, q("RegionId"), query))
            }
        }
    }

    /// Checks the signature with the secret of the key the request names: the account's key, or
    /// the temporary key `sts.AssumeRole` handed out, which must come with its token.
    fn verify(
        &self,
        call: &Request,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), String> {
        let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let auth = header("authorization").unwrap_or("");
        let names = |id: &str| auth.contains(id) || query.contains(&format!("AccessKeyId={id}"));
        let (secret, temporary) = if names(&self.key_id) {
            (self.secret.as_str(), false)
        } else if names(&self.temporary.0) {
            (self.temporary.1.as_str(), true)
        } else {
            return Err("unknown access key".to_owned());
        };
        if temporary {
            let token = ["X-TC-Token", "x-cos-security-token", "x-oss-security-token", "x-acs-security-token"]
                .iter()
                .find_map(|name| header(name))
                .map(str::to_owned)
                .or_else(|| query.split('&').find_map(|p| p.strip_prefix("SecurityToken=")).map(decode));
            if token.as_deref() != Some(self.temporary.2.as_str()) {
                return Err("a temporary key without its token".to_owned());
            }
            self.temporary_requests.fetch_add(1, Ordering::SeqCst);
        }
        match (self.provider, call.service.as_str()) {
            (Provider::Tencent, "cos") => sign::cos::verify(secret, method, path, query, headers),
            (Provider::Tencent, _) => sign::tc3::verify(secret, method, path, query, headers, body),
            (Provider::Alibaba, "oss") => {
                let bucket = call.params.iter().find(|(k, _)| k == "Bucket").map(|(_, v)| v.as_str()).unwrap_or("");
                sign::oss::verify(secret, method, bucket, path, query, headers)
            }
            (Provider::Alibaba, "sls") => sign::sls::verify(secret, method, path, query, headers),
            (Provider::Alibaba, "cs" | "elasticsearch") => {
                sign::acs3::verify(secret, method, path, query, headers, body)
            }
            (Provider::Alibaba, _) => sign::rpc::verify(secret, method, query),
        }
    }

    fn signature_code(&self, call: &Request) -> &'static str {
        match (self.provider, call.service.as_str()) {
            (Provider::Tencent, "cos") | (Provider::Alibaba, _) => "SignatureDoesNotMatch",
            (Provider::Tencent, _) => "AuthFailure.SignatureFailure",
        }
    }

    /// An error answer as the vendor writes it.
    fn error(&self, call: &Request, code: &str, message: &str) -> String {
        match (self.provider, call.service.as_str()) {
            (_, "cos" | "oss") => {
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>mock</RequestId></Error>"
                )
            }
            (Provider::Tencent, _) => {
                json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "mock"}}).to_string()
            }
            (Provider::Alibaba, _) => json!({"Code": code, "Message": message, "RequestId": "mock"}).to_string(),
        }
    }

    /// The data answer: the fixture's, one page of it, or an empty list.
    fn data(&self, call: &Request) -> String {
        let name = format!("{}.{}", call.service, call.action);
        if name == "sts.GetCallerIdentity" {
            let value = json!({"AccountId": self.account, "Arn": "mock", "UserId": "mock", "RequestId": "mock"});
            return self.wrap(value);
        }
        if name == "sts.AssumeRole" {
            let (id, secret, token) = &self.temporary;
            return self.wrap(match self.provider {
                Provider::Tencent => json!({
                    "Credentials": {"TmpSecretId": id, "TmpSecretKey": secret, "Token": token},
                    "ExpiredTime": 1_900_000_000, "Expiration": "2030-03-17T17:46:40Z", "RequestId": "mock"
                }),
                Provider::Alibaba => json!({
                    "Credentials": {"AccessKeyId": id, "AccessKeySecret": secret, "SecurityToken": token, "Expiration": "2030-03-17T17:46:40Z"},
                    "RequestId": "mock"
                }),
            });
        }
        if name == "cvm.DescribeRegions" {
            let set: Vec<Value> =
                self.regions.iter().map(|r| json!({"Region": r, "RegionState": "AVAILABLE"})).collect();
            return self.wrap(json!({"TotalCount": set.len(), "RegionSet": set}));
        }
        if name == "ecs.DescribeRegions" {
            let set: Vec<Value> = self.regions.iter().map(|r| json!({"RegionId": r})).collect();
            return self.wrap(json!({"Regions": {"Region": set}}));
        }
        let table = calls::find(self.provider, &call.service, &call.action);
        let folder = match (table.map(|c| c.scope), &call.region) {
            (Some(calls::Scope::Regional), Some(region)) | (None, Some(region)) => region.clone(),
            _ => GLOBAL.to_owned(),
        };
        let named: Vec<(String, String)> = match table.and_then(|c| c.per).filter(|per| per.batch == 0) {
            Some(per) => per
                .inherit
                .iter()
                .chain(std::iter::once(&per.param))
                .filter_map(|name| call.params.iter().find(|(k, _)| k == name).cloned())
                .collect(),
            None => Vec::new(),
        };
        let key = (folder.clone(), call.service.clone(), call.action.clone(), named.clone());
        let events = name == "cloudaudit.LookUpEvents" || name == "actiontrail.LookupEvents";
        let found = if events {
            self.answers.iter().find(|((_, s, a, _), _)| *s == call.service && *a == call.action).map(|(_, v)| v)
        } else {
            // Fixtures may name a log store without its project (`sls.GetLogStore@logstore=...`).
            let own: Vec<(String, String)> = named.iter().rev().take(1).cloned().collect();
            self.answers
                .get(&key)
                .or_else(|| self.answers.get(&(folder.clone(), call.service.clone(), call.action.clone(), own)))
        };
        let Some((value, syntax, text)) = found else {
            if events {
                return self.wrap(json!({"Events": [], "ListOver": true, "RequestId": "mock"}));
            }
            return match table {
                Some(table) if table.per.is_none() && !table.page_list().is_empty() => {
                    let mut empty = json!(self.implied_items(table, &folder));
                    for key in table.page_list().iter().rev() {
                        empty = json!({ *key: empty });
                    }
                    if let Value::Object(map) = &mut empty {
                        map.insert("TotalCount".into(), json!(0));
                        map.insert("RequestId".into(), json!("mock"));
                    }
                    self.wrap(empty)
                }
                _ => match unconfigured(self.provider, &name) {
                    // A bucket without the setting: the vendor's own "not configured" answer.
                    Some(code) => self.error(call, code, "not configured"),
                    None => self.error(call, "ResourceNotFound", &format!("mock: no {name} for {named:?} in {folder}")),
                },
            };
        };
        if *syntax == Syntax::Xml {
            return text.clone();
        }
        if let Some(root) = xml_root(&call.action) {
            // Saved as ossutil prints it; the API itself answers in XML.
            return to_xml(root, value);
        }
        let paging = if events {
            Some((Paging::Token { request: "NextToken", response: "NextToken" }, vec!["Events"]))
        } else {
            table.filter(|t| t.paging != Paging::None).map(|t| (t.paging, t.page_list()))
        };
        match paging {
            Some((paging, list)) => self.wrap(self.page(value.clone(), paging, &list, &call.params)),
            None => self.wrap(value.clone()),
        }
    }

    /// The items a list call must hold for the per-resource answers saved for its resources:
    /// a fixture may keep `cam.GetRole@RoleId=...` without the `cam.DescribeRoleList` that
    /// named the role, and the cloud this mock plays still lists it.
    fn implied_items(&self, list: &calls::Call, folder: &str) -> Vec<Value> {
        let mut items = BTreeMap::new();
        for call in calls::all().filter(|c| c.provider == self.provider) {
            let Some(per) = call.per.filter(|per| per.from == list.name() && !per.fields.is_empty()) else { continue };
            for (saved_folder, service, action, named) in self.answers.keys() {
                if *service != call.service || *action != call.action {
                    continue;
                }
                let Some((_, value)) = named.iter().find(|(name, _)| name == per.param) else { continue };
                let mut item = serde_json::Map::new();
                item.insert(per.fields[0].to_owned(), json!(value));
                match per.located {
                    calls::Located::WithList if saved_folder != folder => continue,
                    calls::Located::WithList => {}
                    calls::Located::ItemField { field, strip } => {
                        item.insert(field.to_owned(), json!(format!("{strip}{saved_folder}")));
                    }
                }
                items.entry(value.clone()).or_insert(Value::Object(item));
            }
        }
        items.into_values().collect()
    }

    /// One page of a list answer, at this server's page size.
    fn page(&self, mut value: Value, paging: Paging, list: &[&str], params: &[(String, String)]) -> Value {
        let param = |name: &str| params.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<usize>().ok());
        let mut node = &mut value;
        for key in list {
            match node.get_mut(*key) {
                Some(next) => node = next,
                None => return value,
            }
        }
        let Value::Array(items) = node else { return value };
        let total = items.len();
        let (start, size) = match paging {
            Paging::Offset { offset, limit, .. } => {
                (param(offset).unwrap_or(0), param(limit).unwrap_or(self.page_size).min(self.page_size))
            }
            Paging::PageNumber { number, size, .. } => {
                let size = param(size).unwrap_or(self.page_size).min(self.page_size);
                ((param(number).unwrap_or(1).max(1) - 1) * size, size)
            }
            Paging::Token { request, .. } => (param(request).unwrap_or(0), self.page_size),
            Paging::None => return value,
        };
        let page: Vec<Value> = items.iter().skip(start).take(size).cloned().collect();
        let next = start + page.len();
        *items = page;
        let Value::Object(map) = &mut value else { return value };
        match paging {
            Paging::Token { response, .. } => {
                let more = next < total;
                map.insert(response.to_owned(), if more { json!(next.to_string()) } else { json!("") });
                if map.contains_key("IsTruncated") || response == "Marker" {
                    map.insert("IsTruncated".into(), json!(more));
                }
                if map.contains_key("ListOver") {
                    map.insert("ListOver".into(), json!(!more));
                }
            }
            _ => {
                let key =
                    ["TotalCount", "TotalNum", "TotalRecordCount", "total"].into_iter().find(|k| map.contains_key(*k));
                map.insert(key.unwrap_or("TotalCount").to_owned(), json!(total));
            }
        }
        value
    }

    fn wrap(&self, value: Value) -> String {
        match self.provider {
            Provider::Tencent => json!({ "Response": value }).to_string(),
            Provider::Alibaba => value.to_string(),
        }
    }
}

/// One request as the mock understands it.
struct Request {
    service: String,
    action: String,
    region: Option<String>,
    params: Vec<(String, String)>,
}

impl Request {
    fn new(service: &str, action: &str, region: Option<String>, params: Vec<(String, String)>) -> Request {
        Request { service: service.to_owned(), action: action.to_owned(), region, params }
    }
}

/// Saved pages of one call, merged into one answer the mock pages again.
fn merge_pages(provider: Provider, call: &CallFile, merged: &mut Value, page: Value) {
    let Some(table) = calls::find(provider, &call.service, &call.action) else { return };
    let list = table.page_list();
    let take = |value: &Value| -> Vec<Value> {
        let mut node = Some(value);
        for key in &list {
            node = node.and_then(|v| v.get(*key));
        }
        node.and_then(Value::as_array).cloned().unwrap_or_default()
    };
    let more = take(&page);
    let mut node = Some(merged);
    for key in &list {
        node = node.and_then(|v| v.get_mut(*key));
    }
    if let Some(Value::Array(items)) = node {
        items.extend(more);
    }
}

/// The error a bucket setting that is not configured is answered with.
fn unconfigured(provider: Provider, call: &str) -> Option<&'static str> {
    Some(match (provider, call.split_once('.')?.1) {
        (_, "GetBucketPolicy") => "NoSuchBucketPolicy",
        (Provider::Tencent, "GetBucketEncryption") => "NoSuchEncryptionConfiguration",
        (Provider::Tencent, "GetBucketReplication") => "ReplicationConfigurationNotFoundError",
        (Provider::Alibaba, "GetBucketEncryption") => "NoSuchServerSideEncryptionRule",
        (Provider::Alibaba, "GetBucketReplication") => "NoSuchReplicationConfiguration",
        _ => return None,
    })
}

/// The root element of an object-storage answer that is XML on the wire.
fn xml_root(action: &str) -> Option<&'static str> {
    Some(match action {
        "GetBucketAcl" => "AccessControlPolicy",
        "GetBucketEncryption" => "ServerSideEncryptionRule",
        "GetBucketVersioning" => "VersioningConfiguration",
        "GetBucketLogging" => "BucketLoggingStatus",
        "GetBucketReplication" => "ReplicationConfiguration",
        "ListBuckets" | "GetService" => "ListAllMyBucketsResult",
        _ => return None,
    })
}

/// JSON as the XML it was printed from: objects are elements, arrays repeated elements.
fn to_xml(root: &str, value: &Value) -> String {
    fn element(out: &mut String, name: &str, value: &Value) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| element(out, name, item)),
            Value::Object(map) => {
                out.push_str(&format!("<{name}>"));
                map.iter().for_each(|(key, value)| element(out, key, value));
                out.push_str(&format!("</{name}>"));
            }
            Value::Null => out.push_str(&format!("<{name}/>")),
            Value::String(text) => out.push_str(&format!("<{name}>{text}</{name}>")),
            other => out.push_str(&format!("<{name}>{other}</{name}>")),
        }
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let inner = value.get(root).unwrap_or(value);
    element(&mut out, root, inner);
    out
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// A larger account made from a fixture account: every list item and per-resource answer that
/// names one of `tokens` is repeated `copies` times, each copy with the tokens replaced by
/// `(token, copy) -> value`. Lists keep their shape, so the mock pages them, and ids stay
/// consistent across answers (an instance's security group is its copy's group).
pub fn multiply(
    provider: Provider,
    template: &Path,
    out: &Path,
    copies: usize,
    tokens: &[&str],
    rename: &dyn Fn(&str, usize) -> String,
) -> std::path::PathBuf {
    let substitute = |text: &str, copy: usize| {
        tokens.iter().fold(text.to_owned(), |text, token| text.replace(token, &rename(token, copy)))
    };
    let account = out.join(template.file_name().unwrap());
    for entry in walkdir::WalkDir::new(template).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let relative = entry.path().strip_prefix(template).unwrap();
        let name = relative.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let write = |name: &str, text: &str| {
            let path = account.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        if tokens.iter().any(|token| name.contains(token)) {
            for copy in 0..copies {
                write(&substitute(&name, copy), &substitute(&text, copy));
            }
            continue;
        }
        let listed = match layout::place(entry.path()) {
            Ok(Placed::Call(call)) => {
                calls::find(provider, &call.service, &call.action).map(|c| (c.page_list(), call.syntax))
            }
            _ => None,
        };
        let Some((list, Syntax::Json)) = listed.filter(|(list, _)| !list.is_empty()) else {
            write(&name, &text);
            continue;
        };
        let mut value: Value = serde_json::from_str(&text).unwrap();
        let root = if value.get("Response").is_some() { value.get_mut("Response").unwrap() } else { &mut value };
        let mut node = Some(root);
        for key in &list {
            node = node.and_then(|v| v.get_mut(*key));
        }
        if let Some(Value::Array(items)) = node {
            let template_items = std::mem::take(items);
            for item in &template_items {
                let item_text = item.to_string();
                if tokens.iter().any(|token| item_text.contains(token)) {
                    items.extend((0..copies).map(|copy| serde_json::from_str(&substitute(&item_text, copy)).unwrap()));
                } else {
                    items.push(item.clone());
                }
            }
        }
        write(&name, &serde_json::to_string_pretty(&value).unwrap());
    }
    account
}

/// `multiply` for the linked Tencent example account (examples/raw/tencent/100000000002): each
/// copy is an instance, its security group, a user and the user's two keys (five assets).
pub fn tencent_account(out: &Path, copies: usize) -> std::path::PathBuf {
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/raw/tencent/100000000002");
    let template = if template.exists() {
        template
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/raw/tencent/100000000002")
    };
    let tokens =
        ["ins-lnkd0001", "sg-lnkd0001", "100000000021", "1001774", "\"jack\"", "Name=jack", "AKIDEXAMPLELINKED000"];
    multiply(Provider::Tencent, &template, out, copies, &tokens, &|token, copy| match token {
        "ins-lnkd0001" => format!("ins-g{copy:07}"),
        "sg-lnkd0001" => format!("sg-g{copy:07}"),
        "100000000021" => (300_000_000_000u64 + copy as u64).to_string(),
        "1001774" => (5_000_000 + copy).to_string(),
        "\"jack\"" => format!("\"jack{copy}\""),
        "Name=jack" => format!("Name=jack{copy}"),
        _ => format!("AKIDGEN{copy:07}K"),
    })
}
