//! Alibaba Cloud signature V3 (ACS3-HMAC-SHA256), as specified in "Request syntax and signature
//! method V3" (help.aliyun.com/en/sdk/product-overview/v3-request-structure-and-signature): one
//! scheme for RPC and ROA APIs. The collector uses it for the ROA-style APIs (Container Service
//! for Kubernetes `GET /api/v1/clusters`, `GET /clusters/{ClusterId}`), whose resource is in the
//! path, not in an `Action` parameter.
//!
//! The canonical request is the method, the encoded path (`/` for RPC), the query sorted by name
//! with names and values RFC 3986-encoded, every signed header as `name:value\n` (lowercase,
//! sorted), the signed header names joined by `;`, and the hex SHA-256 of the body; its hex
//! SHA-256 after `ACS3-HMAC-SHA256\n` is signed with HMAC-SHA256 under the secret itself (no
//! `&`, unlike V2) and written in lowercase hex. Every `x-acs-*` header and `host` are signed.

use super::{
    Key, Signed, authorization_fields, compare, decode, encode, encode_path, header, hmac_sha256, join_query,
    parse_query, sha256_hex,
};

const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// One API call. The body is always empty: the collector only reads.
#[derive(Clone, Copy, Debug)]
pub struct Acs3Request<'a> {
    pub method: &'static str,
    /// e.g. `cs.cn-hangzhou.aliyuncs.com`.
    pub host: &'a str,
    /// Decoded, e.g. `/clusters/c82e6987e2961451182edacd74faf1234`; `/` for RPC APIs.
    pub path: &'a str,
    /// Decoded; all are signed.
    pub query: &'a [(String, String)],
    /// `x-acs-action`, e.g. `DescribeClusterDetail`.
    pub action: &'a str,
    /// `x-acs-version`, e.g. `2015-12-15`.
    pub version: &'a str,
    /// `x-acs-date`: UTC, ISO 8601, `2023-10-26T10:22:32Z`.
    pub date: &'a str,
    /// `x-acs-signature-nonce`: unique per request.
    pub nonce: &'a str,
}

/// Signs `request`: `METHOD https://host/path?query` with the `x-acs-*` headers, Host and
/// Authorization.
pub fn sign(key: &Key, request: &Acs3Request) -> Signed {
    let mut headers = vec![("host".to_owned(), request.host.to_owned())];
    headers.extend(self::headers(key, request));
    let authorization = authorization(key, request.method, request.path, request.query, &headers);
    headers.push(("Authorization".to_owned(), authorization));
    let mut url = format!("https://{}{}", request.host, encode_path(request.path));
    if !request.query.is_empty() {
        url = format!("{url}?{}", join_query(request.query));
    }
    Signed { method: request.method, url, headers, body: Vec::new() }
}

/// The `Authorization` value over `headers` (all of them are signed).
fn authorization(
    key: &Key,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> String {
    let (canonical, signed) = canonical_request(method, path, query, headers);
    format!(
        "{ALGORITHM} Credential={},SignedHeaders={signed},Signature={}",
        key.id,
        signature(key.secret.expose(), &canonical)
    )
}

/// The common headers, Host and Authorization aside, with the empty body's hash.
fn headers(key: &Key, request: &Acs3Request) -> Vec<(String, String)> {
    let mut headers = vec![
        ("x-acs-action".to_owned(), request.action.to_owned()),
        ("x-acs-content-sha256".to_owned(), sha256_hex(b"")),
        ("x-acs-date".to_owned(), request.date.to_owned()),
        ("x-acs-signature-nonce".to_owned(), request.nonce.to_owned()),
        ("x-acs-version".to_owned(), request.version.to_owned()),
    ];
    if let Some(token) = &key.token {
        headers.push(("x-acs-security-token".to_owned(), token.expose().to_owned()));
    }
    headers
}

/// The canonical request over `headers` (each signed) and the `SignedHeaders` list.
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> (String, String) {
    let mut sorted: Vec<&(String, String)> = query.iter().collect();
    sorted.sort();
    let query: Vec<String> = sorted.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect();
    let mut signed: Vec<(String, &str)> =
        headers.iter().map(|(name, value)| (name.trim().to_lowercase(), value.trim())).collect();
    signed.sort();
    let canonical_headers: String = signed.iter().map(|(name, value)| format!("{name}:{value}\n")).collect();
    let names = signed.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(";");
    let payload = header(headers, "x-acs-content-sha256").map_or_else(|| sha256_hex(b""), str::to_owned);
    let canonical =
        format!("{method}\n{}\n{}\n{canonical_headers}\n{names}\n{payload}", encode_path(path), query.join("&"));
    (canonical, names)
}

/// The lowercase hex HMAC-SHA256, under the secret, of `ACS3-HMAC-SHA256\n` + the hex SHA-256
/// of the canonical request.
pub fn signature(secret: &str, canonical_request: &str) -> String {
    let string_to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));
    hex::encode(hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()))
}

/// Recomputes the signature of a request as a server received it (`path` and `query` raw, as on
/// the wire) over the headers its `SignedHeaders` names. Stricter than the cloud, so a test
/// server catches a client that drifts: `host` and every `x-acs-*` header sent must be signed,
/// `x-acs-action`, `x-acs-version`, `x-acs-date` and `x-acs-signature-nonce` must be there, and
/// `x-acs-content-sha256` must be the body's hash. The date's freshness and the nonce's
/// uniqueness are the caller's to check.
pub fn verify(
    secret: &str,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(), String> {
    let fields = authorization_fields(headers, ALGORITHM)?;
    let field = |name: &str| fields.iter().find(|(key, _)| *key == name).map(|(_, value)| *value);
    let (Some(_credential), Some(signed), Some(received)) =
        (field("Credential"), field("SignedHeaders"), field("Signature"))
    else {
        return Err("Authorization header lacks Credential, SignedHeaders or Signature".to_owned());
    };
    let names: Vec<&str> = signed.split(';').collect();
    for (name, _) in headers {
        let name = name.to_lowercase();
        if (name == "host" || name.starts_with("x-acs-")) && !names.contains(&name.as_str()) {
            return Err(format!("the header {name} is not signed"));
        }
    }
    for required in ["x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"] {
        if header(headers, required).is_none() {
            return Err(format!("request has no {required} header"));
        }
    }
    if header(headers, "x-acs-content-sha256") != Some(sha256_hex(body).as_str()) {
        return Err("x-acs-content-sha256 is not the body's hash".to_owned());
    }
    let mut chosen = Vec::new();
    for name in &names {
        let value = header(headers, name).ok_or_else(|| format!("the signed header {name} was not sent"))?;
        chosen.push(((*name).to_owned(), value.to_owned()));
    }
    let (canonical, _) = canonical_request(method, &decode(path)?, &parse_query(query)?, &chosen);
    compare(received, &signature(secret, &canonical))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::test_key;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect()
    }

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn doc_headers(date: &str, nonce: &str) -> Vec<(String, String)> {
        pairs(&[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-content-sha256", EMPTY),
            ("x-acs-date", date),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-version", "2014-05-26"),
        ])
    }

    fn doc_query() -> Vec<(String, String)> {
        pairs(&[("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"), ("RegionId", "cn-shanghai")])
    }

    #[test]
    fn golden_doc_example() {
        // Source: "Request syntax and signature method V3"
        // (help.aliyun.com/en/sdk/product-overview/v3-request-structure-and-signature, code index
        // id 59238443053), Steps 1-3: POST RunInstances on ecs.cn-shanghai.aliyuncs.com with
        // ImageId and RegionId in the query, an empty body, x-acs-date 2023-10-26T10:22:32Z,
        // nonce 3156853299f313e23d1673dc12e1703d, key YourAccessKeyId / YourAccessKeySecret:
        // HashedCanonicalRequest 7ea06492…e259 and Signature 06563a9e…83c0.
        let headers = doc_headers("2023-10-26T10:22:32Z", "3156853299f313e23d1673dc12e1703d");
        let (canonical, signed) = canonical_request("POST", "/", &doc_query(), &headers);
        assert_eq!(
            canonical,
            format!(
                "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
                 host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\nx-acs-content-sha256:{EMPTY}\n\
                 x-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
                 x-acs-version:2014-05-26\n\n\
                 host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n{EMPTY}"
            )
        );
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(signed, "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version");
        assert_eq!(
            signature("YourAccessKeySecret", &canonical),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );

        let mut received = headers;
        received.push((
            "Authorization".to_owned(),
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;\
             x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
                .to_owned(),
        ));
        let query = "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai";
        assert_eq!(verify("YourAccessKeySecret", "POST", "/", query, &received, b""), Ok(()));
    }

    #[test]
    fn golden_doc_header_table_example() {
        // Source: the same method as documented for ROA APIs ("ROA风格请求体&签名机制",
        // help.aliyun.com/zh/model-studio/roa-style-request-body-signature-mechanism): its header
        // table gives x-acs-date 2023-10-26T09:01:01Z, nonce d410180a5abf7fe235dd9b74aca91fc0 and
        // Authorization "…Signature=e521358f…4804" for the same RunInstances request.
        let headers = doc_headers("2023-10-26T09:01:01Z", "d410180a5abf7fe235dd9b74aca91fc0");
        let (canonical, _) = canonical_request("POST", "/", &doc_query(), &headers);
        assert_eq!(
            signature("YourAccessKeySecret", &canonical),
            "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
        );
    }

    fn detail(query: &[(String, String)]) -> Acs3Request<'_> {
        Acs3Request {
            method: "GET",
            host: "cs.cn-hangzhou.aliyuncs.com",
            path: "/api/v1/clusters",
            query,
            action: "DescribeClustersV1",
            version: "2015-12-15",
            date: "2024-01-02T03:04:05Z",
            nonce: "n-1",
        }
    }

    fn raw(signed: &Signed) -> (String, String) {
        let rest = signed.url.split_once(".com").map(|(_, rest)| rest).unwrap_or_default();
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        (path.to_owned(), query.to_owned())
    }

    #[test]
    fn a_roa_call_signs_its_path_and_query_and_verifies() {
        let key = test_key("STS.NUexample", "Zq9SecretValueThatMustNotLeak", Some("sts-token/+="));
        let query =
            pairs(&[("page_size", "100"), ("page_number", "1"), ("region_id", "cn-hangzhou"), ("name", "a b*")]);
        let signed = sign(&key, &detail(&query));
        assert_eq!(signed.method, "GET");
        assert_eq!(
            signed.url,
            "https://cs.cn-hangzhou.aliyuncs.com/api/v1/clusters?page_size=100&page_number=1&region_id=cn-hangzhou&name=a%20b%2A"
        );
        assert_eq!(header(&signed.headers, "x-acs-security-token"), Some("sts-token/+="));
        assert_eq!(header(&signed.headers, "x-acs-content-sha256"), Some(EMPTY));
        let authorization = header(&signed.headers, "Authorization").unwrap_or_default();
        assert!(
            authorization.starts_with(
                "ACS3-HMAC-SHA256 Credential=STS.NUexample,SignedHeaders=host;x-acs-action;x-acs-content-sha256;\
                 x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,Signature="
            ),
            "{authorization}"
        );
        // The canonical query is sorted and encoded whatever the order on the wire.
        let (canonical, _) = canonical_request("GET", "/api/v1/clusters", &query, &[]);
        assert!(
            canonical.starts_with(
                "GET\n/api/v1/clusters\nname=a%20b%2A&page_number=1&page_size=100&region_id=cn-hangzhou\n"
            ),
            "{canonical}"
        );
        let (path, query) = raw(&signed);
        assert_eq!(verify(key.secret.expose(), "GET", &path, &query, &signed.headers, b""), Ok(()));

        // A path parameter is part of what is signed.
        let none: Vec<(String, String)> = Vec::new();
        let request = Acs3Request { path: "/clusters/c82e6987e2961451182edacd74faf1234", ..detail(&none) };
        let key = test_key("LTAIexample", "Zq9SecretValueThatMustNotLeak", None);
        let signed = sign(&key, &request);
        assert_eq!(signed.url, "https://cs.cn-hangzhou.aliyuncs.com/clusters/c82e6987e2961451182edacd74faf1234");
        assert_eq!(header(&signed.headers, "x-acs-security-token"), None);
        let secret = key.secret.expose();
        assert_eq!(
            verify(secret, "GET", "/clusters/c82e6987e2961451182edacd74faf1234", "", &signed.headers, b""),
            Ok(())
        );
        let mismatch = Err("signature does not match".to_owned());
        assert_eq!(
            verify(secret, "GET", "/clusters/c82e6987e2961451182edacd74faf9999", "", &signed.headers, b""),
            mismatch
        );
    }

    #[test]
    fn verify_rejects_tampering_and_unsigned_headers() {
        let key = test_key("LTAIexample", "Zq9SecretValueThatMustNotLeak", None);
        let query = pairs(&[("page_number", "1"), ("page_size", "100")]);
        let signed = sign(&key, &detail(&query));
        let (path, query) = raw(&signed);
        let secret = key.secret.expose();
        let mismatch = Err("signature does not match".to_owned());
        assert_eq!(verify("other", "GET", &path, &query, &signed.headers, b""), mismatch);
        assert_eq!(verify(secret, "POST", &path, &query, &signed.headers, b""), mismatch);
        assert_eq!(verify(secret, "GET", "/clusters", &query, &signed.headers, b""), mismatch);
        assert_eq!(verify(secret, "GET", &path, "page_number=2&page_size=100", &signed.headers, b""), mismatch);
        assert_eq!(verify(secret, "GET", &path, &format!("{query}&region_id=x"), &signed.headers, b""), mismatch);
        assert_eq!(
            verify(secret, "GET", &path, &query, &signed.headers, b"{}"),
            Err("x-acs-content-sha256 is not the body's hash".to_owned())
        );
        let with = |name: &str, value: Option<&str>| {
            let mut headers = signed.headers.clone();
            headers.retain(|(header_name, _)| header_name != name);
            headers.extend(value.map(|value| (name.to_owned(), value.to_owned())));
            verify(secret, "GET", &path, &query, &headers, b"")
        };
        assert_eq!(with("x-acs-date", Some("2024-01-02T03:04:06Z")), mismatch);
        assert_eq!(with("x-acs-action", Some("DescribeClusterDetail")), mismatch);
        assert_eq!(with("x-acs-extra", Some("1")), Err("the header x-acs-extra is not signed".to_owned()));
        assert_eq!(with("x-acs-signature-nonce", None), Err("request has no x-acs-signature-nonce header".to_owned()));
        assert_eq!(with("Authorization", None), Err("request has no Authorization header".to_owned()));
        assert_eq!(
            with("Authorization", Some("acs LTAIexample:abc=")),
            Err("Authorization header is not ACS3-HMAC-SHA256".to_owned())
        );
        // Unsigned headers that are not the cloud's may change.
        assert_eq!(with("User-Agent", Some("rulec")), Ok(()));
    }

    #[test]
    fn the_secret_appears_nowhere_in_the_signed_request() {
        let key = test_key("LTAIexample", "Zq9SecretValueThatMustNotLeak", Some("token"));
        let signed = sign(&key, &detail(&[]));
        let everything = format!("{signed:?} {key:?}");
        assert!(!everything.contains(key.secret.expose()), "{everything}");
    }
}
