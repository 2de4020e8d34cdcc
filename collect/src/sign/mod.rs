//! Request signing for the live collector: Tencent Cloud API 3.0 (TC3-HMAC-SHA256), Alibaba
//! Cloud RPC (signature v1, HMAC-SHA1) and V3 (ACS3-HMAC-SHA256, for the ROA-style APIs), COS
//! (q-sign-algorithm=sha1), OSS (V4, OSS4-HMAC-SHA256) and Simple Log Service (`LOG` HMAC-SHA1,
//! API 0.6.0). Each signer is tested on the vendor's own published example, and each has a
//! verifier that recomputes the signature from a request as received, so a test server can check
//! what the collector sends without a cloud account.
//!
//! The object-storage signers are our own code rather than `reqsign`: that crate is async,
//! brings its own HTTP types and credential loaders, and each algorithm is a few dozen lines on
//! `hmac`/`sha1`/`sha2`, pinned here to the vendors' vectors.

pub mod acs3;
pub mod cos;
pub mod oss;
pub mod rpc;
pub mod sls;
pub mod tc3;

use std::fmt;

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// An access key: the secret is only ever used to sign, never printed (Debug redacts it).
#[derive(Clone, Debug)]
pub struct Key {
    pub id: String,
    pub secret: Secret,
    /// The security token of temporary (STS) credentials.
    pub token: Option<Secret>,
}

/// A secret string that prints as `***`, so keys can sit in structs that are logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: String) -> Self {
        Secret(secret)
    }

    /// The secret itself, for signing and for sending a token in its header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A request ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// RFC 3986: everything but the unreserved characters `A-Z a-z 0-9 - . _ ~` is encoded. Alibaba
/// RPC, COS and OSS all specify this set (space is `%20`, `*` is `%2A`, `~` stays).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The same set with `/` kept, for object paths.
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

pub(crate) fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

pub(crate) fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

pub(crate) fn decode(text: &str) -> Result<String, String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| format!("{text:?} does not decode to UTF-8"))
}

/// A raw query string as received, split into decoded name/value pairs (`a` alone is `a=`).
pub(crate) fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// `name=value&…` with both sides encoded, in the order given.
pub(crate) fn join_query(params: &[(String, String)]) -> String {
    params.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
}

/// The first header of that name, compared case-insensitively as HTTP does.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
}

/// The `name=value` fields of an `Authorization: <ALGORITHM> a=1, b=2` header, for the
/// verifiers of the schemes that write it so (TC3, OSS V4).
pub(crate) fn authorization_fields<'a>(
    headers: &'a [(String, String)],
    algorithm: &str,
) -> Result<Vec<(&'a str, &'a str)>, String> {
    let authorization = header(headers, "Authorization").ok_or("request has no Authorization header")?;
    let fields = authorization
        .strip_prefix(algorithm)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| format!("Authorization header is not {algorithm}"))?;
    Ok(fields.split(',').filter_map(|part| part.trim().split_once('=')).collect())
}

pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

pub(crate) fn hmac_sha1(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub(crate) fn sha1_hex(data: &[u8]) -> String {
    hex::encode(Sha1::digest(data))
}

/// Compares signatures without stopping at the first difference, so a verifier's timing does
/// not tell a caller how much of a forged signature was right.
pub(crate) fn same(left: &str, right: &str) -> bool {
    left.len() == right.len() && left.bytes().zip(right.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// The check every verifier ends with.
pub(crate) fn compare(received: &str, expected: &str) -> Result<(), String> {
    if same(received, expected) { Ok(()) } else { Err("signature does not match".to_owned()) }
}

/// The UTC calendar date of a Unix timestamp, as the credential scopes spell it.
pub(crate) fn utc(timestamp: i64, format: &str) -> Option<String> {
    chrono::DateTime::from_timestamp(timestamp, 0).map(|time| time.format(format).to_string())
}

/// A key for the tests of every signer.
#[cfg(test)]
pub(crate) fn test_key(id: &str, secret: &str, token: Option<&str>) -> Key {
    Key { id: id.to_owned(), secret: Secret::new(secret.to_owned()), token: token.map(|t| Secret::new(t.to_owned())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact_the_secret_and_token() {
        let key = test_key("AKIDexample", "very-secret-value", Some("very-secret-token"));
        let printed =
            format!("{key:?} {} {}", key.secret, key.token.as_ref().map(ToString::to_string).unwrap_or_default());
        assert!(printed.contains("AKIDexample"), "{printed}");
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(printed.contains("***"), "{printed}");
    }

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        // The Alibaba RPC rules: space %20, * %2A, ~ kept, / encoded; UTF-8 bytes in upper hex.
        assert_eq!(encode("a b*c~d/e+f:g"), "a%20b%2Ac~d%2Fe%2Bf%3Ag");
        assert_eq!(encode("未命名"), "%E6%9C%AA%E5%91%BD%E5%90%8D");
        assert_eq!(encode_path("/a b/c(d)"), "/a%20b/c%28d%29");
        assert_eq!(decode("%E6%9C%AA"), Ok("未".to_owned()));
        assert!(decode("%FF").is_err());
    }

    #[test]
    fn query_parsing_decodes_and_keeps_bare_names() {
        let parsed = parse_query("acl&a=1%202&&b=%2A").expect("parses");
        let pairs =
            |list: &[(&str, &str)]| list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        assert_eq!(parsed, pairs(&[("acl", ""), ("a", "1 2"), ("b", "*")]));
    }

    #[test]
    fn comparison_needs_equal_strings() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
        assert_eq!(compare("a", "b"), Err("signature does not match".to_owned()));
    }

    #[test]
    fn utc_dates_ignore_the_local_zone() {
        // The Tencent doc's warning: 1551113065 is 2019-02-26 in UTC+8 but 2019-02-25 in UTC.
        assert_eq!(utc(1551113065, "%Y-%m-%d").as_deref(), Some("2019-02-25"));
    }
}
