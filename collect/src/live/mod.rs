//! Live collection: the calls of the importer's table, made against the clouds' APIs and saved
//! in the RAW layout (IMPORT.md), so that importing what was saved is the snapshot. Collecting
//! is fetching, never normalizing: `rulec collect` = these answers + `rulec import`.
//!
//! The table's `per` column orders the work: calls without one come first, then each call once
//! per item of its list call's answers, stage by stage; within a stage every request runs in
//! parallel, each API held to its rate limit. Every page is fetched; an error answer is saved as
//! it came, so the importer records the call as not collected.

mod alibaba;
mod client;
pub mod credentials;
mod pages;
pub mod policy;
mod tencent;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::calls::{self, Call, Located, Per, Scope};
use crate::raw::{Answer, CallFile, GLOBAL, Provider, Syntax, answer};
use crate::sign::{Key, Secret};
use client::{Client, Reply};

/// What to collect and how hard to push.
#[derive(Clone, Debug)]
pub struct Settings {
    pub provider: Provider,
    /// The regions to read; all the account's (DescribeRegions) when `None`.
    pub regions: Option<Vec<String>>,
    /// The services to read (`cvm`, `cam`, `oss`, ...); all when `None`.
    pub services: Option<Vec<String>>,
    /// How far back to read audit events; none when `None`.
    pub events_since: Option<Duration>,
    /// A base URL every request goes to instead of the vendor's host (a gateway, a test server).
    pub endpoint: Option<String>,
    /// The limit on one request, connection to last byte.
    pub timeout: Duration,
    /// Attempts per request before it counts as failed.
    pub attempts: usize,
    /// The first retry's delay; each next one doubles, with jitter.
    pub backoff: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests per second per API instead of the documented limits.
    pub rate: Option<u32>,
    /// The end of the event window.
    pub now: DateTime<Utc>,
}

/// Where progress is shown; the CLI draws a bar.
pub trait Progress: Sync {
    /// More requests are planned.
    fn planned(&self, requests: usize);
    /// One planned request is done (all its pages).
    fn done(&self, call: &str, failed: bool);
}

/// One call that failed, for the summary.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// `service.Action`.
    pub call: String,
    pub code: String,
    pub message: String,
    /// How many requests of this call failed so.
    pub count: usize,
}

/// What one account's collection did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Summary {
    pub provider: Provider,
    pub account: String,
    pub regions: Vec<String>,
    /// Requests planned (one per call, region and resource) and the pages they took.
    pub calls: usize,
    pub pages: usize,
    /// HTTP requests sent, retries included, and the retries among them.
    pub requests: usize,
    pub retries: usize,
    /// Calls that failed, by call and code, in call order.
    pub failures: Vec<Failure>,
    /// Calls not made, with the reason (filtered out by `--services`, no list to fan out from).
    pub not_made: Vec<(String, String)>,
    pub seconds: f64,
}

/// Why collecting could not start.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The cloud refused the key: its own code and message.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    Write(String),
}

/// One page's request, as the signers need it.
pub(crate) struct Page<'a> {
    pub(crate) service: &'a str,
    pub(crate) action: &'a str,
    /// The region of a regional call (or of an account-wide call that needs one).
    pub(crate) region: Option<&'a str>,
    pub(crate) params: &'a [(String, String)],
}

/// What changes on every attempt.
pub(crate) struct Outgoing {
    pub(crate) now: DateTime<Utc>,
    pub(crate) nonce: String,
}

/// Assumes `role` with `key` (STS AssumeRole) and returns the temporary key.
pub fn assume_role(settings: &Settings, key: Key, role: &str) -> Result<Key, CollectError> {
    let client = Client::new(settings, key);
    let params = vec![
        ("RoleArn".to_owned(), role.to_owned()),
        ("RoleSessionName".to_owned(), "rulec-collect".to_owned()),
        ("DurationSeconds".to_owned(), "3600".to_owned()),
    ];
    let region = home_region(settings.provider);
    let page = Page { service: "sts", action: "AssumeRole", region: Some(region), params: &params };
    let value = data(settings.provider, &client.call(&page), "sts", "AssumeRole")
        .map_err(|err| CollectError::Refused(format!("assuming {role}: {err}")))?;
    let (id, secret, token) = match settings.provider {
        Provider::Tencent => ("/Credentials/TmpSecretId", "/Credentials/TmpSecretKey", "/Credentials/Token"),
        Provider::Alibaba => ("/Credentials/AccessKeyId", "/Credentials/AccessKeySecret", "/Credentials/SecurityToken"),
    };
    let field = |pointer: &str| value.pointer(pointer).and_then(Value::as_str).map(str::to_owned);
    match (field(id), field(secret), field(token)) {
        (Some(id), Some(secret), Some(token)) => {
            Ok(Key { id, secret: Secret::new(secret), token: Some(Secret::new(token)) })
        }
        _ => Err(CollectError::Refused(format!("assuming {role}: the answer has no Credentials"))),
    }
}

/// Collects one account into `raw` (the RAW folder), returning what was done.
pub fn collect(settings: &Settings, key: Key, raw: &Path, progress: &dyn Progress) -> Result<Summary, CollectError> {
    let started = std::time::Instant::now();
    let client = Client::new(settings, key);
    let provider = settings.provider;
    let (account, identity_text) = who_am_i(settings, &client)?;
    let run = Run {
        settings,
        client: &client,
        raw,
        account: account.clone(),
        answers: Mutex::new(BTreeMap::new()),
        failures: Mutex::new(BTreeMap::new()),
        pages: std::sync::atomic::AtomicUsize::new(0),
        progress,
    };
    let identity = Job {
        service: "sts",
        action: "GetCallerIdentity",
        folder: GLOBAL.to_owned(),
        region: None,
        named: Vec::new(),
        extra: Vec::new(),
        first_page: 1,
    };
    run.save_job(&identity, 1, Syntax::Json, &identity_text)?;
    let regions = match &settings.regions {
        Some(regions) => regions.clone(),
        None => run.regions()?,
    };
    let (stages, not_made) = stages(provider, settings.services.as_deref());
    let mut calls = 1;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.concurrency.max(1))
        .build()
        .map_err(|err| CollectError::Write(format!("cannot start the collector's threads: {err}")))?;
    let mut fetch_all = |jobs: Vec<Job>| -> Result<(), CollectError> {
        calls += jobs.len();
        progress.planned(jobs.len());
        let results: Vec<Result<(), CollectError>> =
            pool.install(|| jobs.par_iter().map(|job| run.fetch(job)).collect());
        results.into_iter().collect()
    };
    for stage in &stages {
        fetch_all(run.jobs(stage, &regions))?;
    }
    if let Some(since) = settings.events_since {
        fetch_all(run.event_jobs(since, &regions))?;
    }
    let failures = run.failures.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let order = |call: &str| calls::all().position(|c| c.provider == provider && c.name() == call);
    let mut failures: Vec<Failure> = failures.into_values().collect();
    failures.sort_by(|a, b| (order(&a.call), &a.call, &a.code).cmp(&(order(&b.call), &b.call, &b.code)));
    Ok(Summary {
        provider,
        account,
        regions,
        calls,
        pages: run.pages.into_inner(),
        requests: client.requests.load(std::sync::atomic::Ordering::Relaxed),
        retries: client.retries.load(std::sync::atomic::Ordering::Relaxed),
        failures,
        not_made,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Every API call a collection of `provider` may make, whatever the options: the basis of the
/// least-privilege policy.
pub(crate) fn requests_made(provider: Provider) -> Vec<(&'static str, &'static str)> {
    let (regions, events) = match provider {
        Provider::Tencent => (tencent::REGIONS, tencent::EVENTS),
        Provider::Alibaba => (alibaba::REGIONS, alibaba::EVENTS),
    };
    let staged = stages(provider, None).0.into_iter().flatten().map(|call| (call.service, call.action));
    [("sts", "GetCallerIdentity"), regions, events].into_iter().chain(staged).collect()
}

/// The calls to make, stage by stage (a call after the list it fans out from), and the calls
/// left out with the reason.
fn stages(provider: Provider, services: Option<&[String]>) -> (Vec<Vec<&'static Call>>, Vec<(String, String)>) {
    let wanted = |call: &Call| services.is_none_or(|services| services.iter().any(|s| s == call.service));
    let mut depth: BTreeMap<String, usize> = BTreeMap::new();
    let mut stages: Vec<Vec<&'static Call>> = Vec::new();
    let mut not_made = Vec::new();
    for call in calls::all().filter(|call| call.provider == provider) {
        if call.service == "sts" && call.action == "GetCallerIdentity" {
            continue;
        }
        if !wanted(call) {
            not_made.push((call.name(), "its service is not among --services".to_owned()));
            continue;
        }
        if version(provider, call.service).is_none() {
            not_made.push((
                call.name(),
                format!(
                    "rulec does not sign {} requests yet: save its answers with the vendor's CLI and import them",
                    call.service
                ),
            ));
            continue;
        }
        let level = match &call.per {
            None => 0,
            Some(per) => match depth.get(per.from) {
                Some(level) => level + 1,
                None => {
                    not_made
                        .push((call.name(), format!("its resources come from {}, which is not collected", per.from)));
                    continue;
                }
            },
        };
        depth.insert(call.name(), level);
        if stages.len() <= level {
            stages.resize(level + 1, Vec::new());
        }
        stages[level].push(call);
    }
    (stages, not_made)
}

/// One request to make, with all its pages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Job {
    service: &'static str,
    action: &'static str,
    /// Where the answer is saved: a region or `global`; `events/...` for audit events.
    folder: String,
    /// The region the request names, if any.
    region: Option<String>,
    /// The parameters naming the resource, also in the file name.
    named: Vec<(String, String)>,
    /// Further parameters, not in the file name.
    extra: Vec<(String, String)>,
    /// The page number of the first answer: a batched call's requests are pages of one file.
    first_page: u32,
}

/// One request's named parameters and the data of its pages.
type Saved = (Vec<(String, String)>, Vec<Value>);

/// The state of one account's collection.
struct Run<'a> {
    settings: &'a Settings,
    client: &'a Client,
    raw: &'a Path,
    account: String,
    /// The data answers saved so far, by call and folder: each request's named parameters and pages.
    answers: Mutex<BTreeMap<(String, String), Vec<Saved>>>,
    failures: Mutex<BTreeMap<(String, String), Failure>>,
    pages: std::sync::atomic::AtomicUsize,
    progress: &'a dyn Progress,
}

impl Run<'_> {
    /// The regions the account can use, from DescribeRegions.
    fn regions(&self) -> Result<Vec<String>, CollectError> {
        let provider = self.settings.provider;
        let (service, action) = match provider {
            Provider::Tencent => tencent::REGIONS,
            Provider::Alibaba => alibaba::REGIONS,
        };
        let page = Page { service, action, region: Some(home_region(provider)), params: &[] };
        let value = data(provider, &self.client.call(&page), service, action).map_err(|err| {
            CollectError::Refused(format!(
                "cannot list the regions ({service}.{action}): {err}; name them with --regions"
            ))
        })?;
        let regions = match provider {
            Provider::Tencent => tencent::regions(&value),
            Provider::Alibaba => alibaba::regions(&value),
        };
        if regions.is_empty() {
            return Err(CollectError::Refused(format!(
                "{service}.{action} lists no regions; name them with --regions"
            )));
        }
        Ok(regions)
    }

    /// The requests of one stage: list calls per region, per-resource calls per item of the
    /// answers their list call gave.
    fn jobs(&self, stage: &[&'static Call], regions: &[String]) -> Vec<Job> {
        let mut jobs = BTreeSet::new();
        let answers = self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for call in stage {
            let fixed = fixed_params(self.settings.provider, call.service, call.action);
            let job = |folder: &str, named: Vec<(String, String)>, extra: Vec<(String, String)>| Job {
                service: call.service,
                action: call.action,
                folder: folder.to_owned(),
                region: (folder != GLOBAL).then(|| folder.to_owned()),
                named,
                extra: [fixed_in(fixed, folder), extra].concat(),
                first_page: 1,
            };
            let Some(per) = &call.per else {
                match call.scope {
                    Scope::Global => jobs.insert(job(GLOBAL, Vec::new(), Vec::new())),
                    Scope::Regional => {
                        for region in regions {
                            jobs.insert(job(region, Vec::new(), Vec::new()));
                        }
                        true
                    }
                };
                continue;
            };
            if per.bare {
                jobs.insert(job(GLOBAL, Vec::new(), Vec::new()));
            }
            if per.batch > 0 {
                // A regional call takes the values its region's list gave (TKE's log switches).
                let folders: Vec<&str> = match call.scope {
                    Scope::Global => vec![GLOBAL],
                    Scope::Regional => regions.iter().map(String::as_str).collect(),
                };
                for folder in folders {
                    jobs.extend(batches(&answers, per, job(folder, Vec::new(), Vec::new())));
                }
                continue;
            }
            for ((_, folder), saved) in answers.iter().filter(|((from, _), _)| from == per.from) {
                for (list_params, pages) in saved {
                    for item in pages.iter().flat_map(|page| pages::items(page, per.list)) {
                        let folder = match per.located {
                            Located::WithList => Some(folder.clone()),
                            Located::ItemField { field, strip } => text(item.get(field))
                                .map(|region| region.strip_prefix(strip).unwrap_or(&region).to_owned()),
                        };
                        let Some(folder) = folder else { continue };
                        // A bucket of a region left out by --regions is left alone.
                        if per.located != Located::WithList && !regions.contains(&folder) {
                            continue;
                        }
                        let values: Vec<String> = if per.fields.is_empty() {
                            text(Some(item)).into_iter().collect()
                        } else {
                            per.fields.iter().filter_map(|field| text(item.get(*field))).collect()
                        };
                        for value in values.into_iter().filter(|value| !value.is_empty()) {
                            let mut named: Vec<(String, String)> = per
                                .inherit
                                .iter()
                                .filter_map(|name| list_params.iter().find(|(n, _)| n == name).cloned())
                                .collect();
                            named.push((per.param.to_owned(), value));
                            let extra = per
                                .with
                                .iter()
                                .filter_map(|(param, field)| Some(((*param).to_owned(), text(item.get(*field))?)))
                                .collect();
                            jobs.insert(job(&folder, named, extra));
                        }
                    }
                }
            }
        }
        jobs.into_iter().collect()
    }

    /// The audit-event requests over the window ending now.
    fn event_jobs(&self, since: Duration, regions: &[String]) -> Vec<Job> {
        let provider = self.settings.provider;
        let end = self.settings.now;
        let start = end - chrono::Duration::from_std(since).unwrap_or(chrono::Duration::zero());
        let job = |service: &'static str, action: &'static str, folder: String, region: &str, extra| Job {
            service,
            action,
            folder,
            region: Some(region.to_owned()),
            named: Vec::new(),
            extra,
            first_page: 1,
        };
        match provider {
            Provider::Tencent => {
                let (service, action) = tencent::EVENTS;
                let params = tencent::event_params(start.timestamp(), end.timestamp());
                vec![job(service, action, "events".to_owned(), tencent::HOME_REGION, params)]
            }
            Provider::Alibaba => {
                let (service, action) = alibaba::EVENTS;
                let format = |time: DateTime<Utc>| time.format("%Y-%m-%dT%H:%M:%SZ").to_string();
                let params = alibaba::event_params(&format(start), &format(end));
                regions
                    .iter()
                    .map(|region| job(service, action, format!("events/{region}"), region, params.clone()))
                    .collect()
            }
        }
    }

    /// Makes one request, page after page, saving each page; records a failure.
    fn fetch(&self, job: &Job) -> Result<(), CollectError> {
        let provider = self.settings.provider;
        let name = format!("{}.{}", job.service, job.action);
        let paging = calls::find(provider, job.service, job.action).map(|call| (call.paging, call.page_list()));
        let paging = paging.unwrap_or((events_paging(provider), Vec::new()));
        let mut cursor = pages::Cursor::new(paging.0, paging.1);
        let mut saved = Vec::new();
        let mut failed = None;
        while let Some(page_params) = cursor.next_params() {
            let params: Vec<(String, String)> =
                job.named.iter().chain(&job.extra).cloned().chain(page_params).collect();
            let page =
                Page { service: job.service, action: job.action, region: job.region.as_deref(), params: &params };
            let text = match self.client.call(&page) {
                Reply::Text(text) => text,
                Reply::Unreachable(message) => {
                    failed = Some(("Unreachable".to_owned(), message.clone()));
                    // The importer must see the call as failed, not as "no resources".
                    json!({"Code": "Unreachable", "Message": message}).to_string()
                }
            };
            let syntax = answer_syntax(provider, job.service, job.action, &text);
            self.save_job(job, job.first_page + cursor.page() - 1, syntax, &text)?;
            match answer::parse(&text, syntax) {
                Ok(Answer::Data(value)) => {
                    cursor.advance(&value);
                    saved.push(value);
                }
                Ok(Answer::Error(error)) => {
                    failed.get_or_insert((error.code, error.message));
                    break;
                }
                Err(reason) => {
                    failed.get_or_insert((crate::UNREADABLE.to_owned(), reason));
                    break;
                }
            }
        }
        if let Some(problem) = cursor.problem() {
            failed.get_or_insert(("IncompletePaging".to_owned(), problem));
        }
        self.progress.done(&name, failed.is_some());
        if let Some((code, message)) = failed {
            let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            failures.entry((name.clone(), code.clone())).and_modify(|failure| failure.count += 1).or_insert(Failure {
                call: name.clone(),
                code,
                message,
                count: 1,
            });
        }
        if !saved.is_empty() {
            let mut answers = self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            answers.entry((name, job.folder.clone())).or_default().push((job.named.clone(), saved));
        }
        Ok(())
    }

    /// Writes one page where the importer looks for it.
    fn save_job(&self, job: &Job, page: u32, syntax: Syntax, text: &str) -> Result<(), CollectError> {
        self.pages.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file = CallFile {
            provider: self.settings.provider,
            account: self.account.clone(),
            region: job.folder.clone(),
            service: job.service.to_owned(),
            action: job.action.to_owned(),
            params: job.named.clone(),
            page,
            syntax,
        };
        write(&self.raw.join(file.relative_path()), text)
    }
}

/// The requests of a call that takes its resources as one list: every value its list call gave
/// in the job's folder, `per.batch` at a time, each request a page of the same file.
fn batches(answers: &BTreeMap<(String, String), Vec<Saved>>, per: &Per, base: Job) -> Vec<Job> {
    let mut values = BTreeSet::new();
    for ((_, folder), saved) in answers.iter().filter(|((from, _), _)| from == per.from) {
        let wanted = *folder == base.folder;
        for (_, pages) in saved.iter().filter(|_| wanted) {
            for item in pages.iter().flat_map(|page| pages::items(page, per.list)) {
                values.extend(per.fields.iter().filter_map(|field| text(item.get(*field))).filter(|v| !v.is_empty()));
            }
        }
    }
    let values: Vec<String> = values.into_iter().collect();
    values
        .chunks(per.batch as usize)
        .zip(1..)
        .map(|(chunk, page)| Job {
            extra: [base.extra.clone(), vec![(per.param.to_owned(), chunk.join(","))]].concat(),
            first_page: page,
            ..base.clone()
        })
        .collect()
}

/// The account the key belongs to (sts.GetCallerIdentity), and the answer's text to save.
fn who_am_i(settings: &Settings, client: &Client) -> Result<(String, String), CollectError> {
    let page =
        Page { service: "sts", action: "GetCallerIdentity", region: Some(home_region(settings.provider)), params: &[] };
    let reply = client.call(&page);
    let value = data(settings.provider, &reply, "sts", "GetCallerIdentity").map_err(CollectError::Refused)?;
    let account = match value.get("AccountId") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => return Err(CollectError::Refused("sts.GetCallerIdentity names no AccountId".to_owned())),
    };
    let Reply::Text(text) = reply else { return Err(CollectError::Unreachable("no answer".to_owned())) };
    Ok((account, text))
}

/// The data of a reply, or the vendor's code and message.
fn data(provider: Provider, reply: &Reply, service: &str, action: &str) -> Result<Value, String> {
    match reply {
        Reply::Unreachable(message) => Err(message.clone()),
        Reply::Text(text) => match answer::parse(text, syntax(provider, service, action)) {
            Ok(Answer::Data(value)) => Ok(value),
            Ok(Answer::Error(error)) => Err(format!("{}: {}", error.code, error.message)),
            Err(reason) => Err(format!("an answer rulec cannot read: {reason}")),
        },
    }
}

fn write(path: &Path, text: &str) -> Result<(), CollectError> {
    let fail = |err: std::io::Error| CollectError::Write(format!("{}: {err}", path.display()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    std::fs::write(path, text).map_err(fail)
}

/// A JSON scalar as text (ids come as numbers or strings).
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn version(provider: Provider, service: &str) -> Option<&'static str> {
    match provider {
        Provider::Tencent => tencent::version(service),
        Provider::Alibaba => alibaba::version(service),
    }
}

fn syntax(provider: Provider, service: &str, action: &str) -> Syntax {
    match provider {
        Provider::Tencent => tencent::syntax(service, action),
        Provider::Alibaba => alibaba::syntax(service, action),
    }
}

/// The syntax of an answer as it came: object storage answers errors in XML even for calls
/// whose data is JSON (`GetBucketPolicy`'s `NoSuchBucketPolicy`).
fn answer_syntax(provider: Provider, service: &str, action: &str, text: &str) -> Syntax {
    match text.trim_start().starts_with('<') {
        true => Syntax::Xml,
        false => syntax(provider, service, action),
    }
}

/// Stands, in a value of [`fixed_params`], for the region the call is made in.
pub const REGION_PLACEHOLDER: &str = "{region}";

/// The parameters a call is always made with beyond its resource and page (`MachineType=CVM`),
/// a value [`REGION_PLACEHOLDER`] meaning the call's region. Public so that
/// scripts/save-raw.sh's table carries them too: an answer saved without them is another answer.
pub fn fixed_params(provider: Provider, service: &str, action: &str) -> &'static [(&'static str, &'static str)] {
    match provider {
        Provider::Tencent => tencent::fixed(service, action),
        Provider::Alibaba => alibaba::fixed(service, action),
    }
}

/// `fixed` as sent from `folder`: the region placeholder replaced by the region.
fn fixed_in(fixed: &[(&str, &str)], folder: &str) -> Vec<(String, String)> {
    let region = if folder == GLOBAL { "" } else { folder };
    fixed.iter().map(|(name, value)| ((*name).to_owned(), value.replace(REGION_PLACEHOLDER, region))).collect()
}

/// The documented requests per second of one API, as the collector holds to it.
pub fn rate_limit(provider: Provider, service: &str, action: &str) -> u32 {
    match provider {
        Provider::Tencent => tencent::rate(service, action),
        Provider::Alibaba => alibaba::rate(service, action),
    }
}

fn home_region(provider: Provider) -> &'static str {
    match provider {
        Provider::Tencent => tencent::HOME_REGION,
        Provider::Alibaba => alibaba::HOME_REGION,
    }
}

/// The event calls page by `NextToken`.
fn events_paging(_provider: Provider) -> calls::Paging {
    calls::Paging::Token { request: "NextToken", response: "NextToken" }
}
