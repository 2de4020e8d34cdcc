//! Sending one page's request: signed afresh on every attempt (timestamps and nonces must be
//! new), held to each API's rate limit, retried with exponential backoff and jitter when the
//! cloud throttles or the network fails, and given up after a bounded number of attempts.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{BlockingRetryable, ExponentialBuilder};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::{Outgoing, Page, Settings, alibaba, tencent};
use crate::raw::{Answer, Provider, answer};
use crate::sign::{Key, Signed};

/// What came back for one request, after retries.
#[derive(Debug)]
pub(crate) enum Reply {
    /// The answer's text, as the cloud sent it (an error answer included).
    Text(String),
    /// No answer: the network failed or every attempt timed out.
    Unreachable(String),
}

pub(crate) struct Client {
    provider: Provider,
    key: Key,
    agent: ureq::Agent,
    endpoint: Option<String>,
    attempts: usize,
    backoff: Duration,
    rate: Option<u32>,
    limiters: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
    /// Attempts that were throttled or failed and tried again.
    pub(crate) retries: AtomicUsize,
    /// Requests sent, retries included.
    pub(crate) requests: AtomicUsize,
}

impl Client {
    pub(crate) fn new(settings: &Settings, key: Key) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("rulec/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            provider: settings.provider,
            key,
            agent,
            endpoint: settings.endpoint.clone(),
            attempts: settings.attempts.max(1),
            backoff: settings.backoff,
            rate: settings.rate,
            limiters: Mutex::new(HashMap::new()),
            retries: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
        }
    }

    /// Sends `page`, retrying throttling and transient failures.
    pub(crate) fn call(&self, page: &Page<'_>) -> Reply {
        let limiter = self.limiter(page.service, page.action);
        let policy = ExponentialBuilder::default()
            .with_min_delay(self.backoff)
            .with_max_delay(self.backoff * 64)
            .with_max_times(self.attempts - 1)
            .with_jitter();
        // An `Err` is an attempt worth repeating; what it holds is kept if none succeeds.
        let attempt = || -> Result<Reply, Reply> {
            wait_for(&limiter);
            self.requests.fetch_add(1, Ordering::Relaxed);
            let signed = self.sign(page).map_err(Reply::Unreachable)?;
            match self.send(&signed) {
                Err(err) => Err(Reply::Unreachable(err)),
                Ok((status, text)) if status == 429 || status >= 500 || self.throttled(&text, page) => {
                    Err(Reply::Text(text))
                }
                Ok((_, text)) => Ok(Reply::Text(text)),
            }
        };
        let result = attempt
            .retry(policy)
            .sleep(std::thread::sleep)
            .notify(|_, _| {
                self.retries.fetch_add(1, Ordering::Relaxed);
            })
            .call();
        match result {
            Ok(reply) | Err(reply) => reply,
        }
    }

    fn sign(&self, page: &Page<'_>) -> Result<Signed, String> {
        let outgoing = Outgoing { now: chrono::Utc::now(), nonce: format!("{:032x}", fastrand::u128(..)) };
        match self.provider {
            Provider::Tencent => tencent::request(&self.key, page, &outgoing),
            Provider::Alibaba => alibaba::request(&self.key, page, &outgoing),
        }
    }

    /// Sends a signed request, to `--endpoint` when one is set (the vendor's host stays in the
    /// `Host` header, which is signed).
    fn send(&self, signed: &Signed) -> Result<(u16, String), String> {
        let (host, rest) = split_url(&signed.url)?;
        let url = match &self.endpoint {
            Some(endpoint) => format!("{}{rest}", endpoint.trim_end_matches('/')),
            None => signed.url.clone(),
        };
        let has_host = signed.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host"));
        let response = match signed.method {
            "POST" => {
                let mut request = self.agent.post(&url);
                for (name, value) in &signed.headers {
                    request = request.header(name, value);
                }
                if !has_host {
                    request = request.header("Host", host);
                }
                request.send(&signed.body[..])
            }
            _ => {
                let mut request = self.agent.get(&url);
                for (name, value) in &signed.headers {
                    request = request.header(name, value);
                }
                if !has_host {
                    request = request.header("Host", host);
                }
                request.call()
            }
        };
        let mut response = response.map_err(|err| format!("{host}: {err}"))?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().map_err(|err| format!("{host}: reading the answer: {err}"))?;
        Ok((status, text))
    }

    /// Whether an answer is the cloud asking to slow down.
    fn throttled(&self, text: &str, page: &Page<'_>) -> bool {
        let codes = match self.provider {
            Provider::Tencent => tencent::THROTTLING,
            Provider::Alibaba => alibaba::THROTTLING,
        };
        // Every page passes here: only an answer naming a throttling code is parsed (the
        // caller parses each answer once more anyway), in the syntax it came in.
        if !codes.iter().any(|code| text.contains(code)) {
            return false;
        }
        let syntax = super::answer_syntax(self.provider, page.service, page.action, text);
        matches!(answer::parse(text, syntax), Ok(Answer::Error(error)) if codes.contains(&error.code.as_str()))
    }

    /// The limiter of one API: its documented rate, or `--rate`.
    fn limiter(&self, service: &str, action: &str) -> Arc<DefaultDirectRateLimiter> {
        let rate = self.rate.unwrap_or_else(|| super::rate_limit(self.provider, service, action));
        let mut limiters = self.limiters.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let limiter = limiters.entry(format!("{service}.{action}")).or_insert_with(|| {
            let rate = NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN);
            Arc::new(RateLimiter::direct(Quota::per_second(rate).allow_burst(NonZeroU32::MIN)))
        });
        Arc::clone(limiter)
    }
}

fn wait_for(limiter: &DefaultDirectRateLimiter) {
    let clock = DefaultClock::default();
    while let Err(not_until) = limiter.check() {
        std::thread::sleep(not_until.wait_time_from(clock.now()));
    }
}

/// `https://host/path?query` → (`host`, `/path?query`).
fn split_url(url: &str) -> Result<(&str, &str), String> {
    let rest = url.split_once("://").map(|(_, rest)| rest).ok_or_else(|| format!("not a URL: {url}"))?;
    Ok(match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_and_the_rest() {
        assert_eq!(split_url("https://cvm.tencentcloudapi.com/").unwrap(), ("cvm.tencentcloudapi.com", "/"));
        assert_eq!(split_url("https://ecs.aliyuncs.com/?A=1").unwrap(), ("ecs.aliyuncs.com", "/?A=1"));
        assert!(split_url("nope").is_err());
    }
}
