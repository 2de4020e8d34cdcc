//! Tencent COS XML API request signature (`q-sign-algorithm=sha1`), as specified in
//! cloud.tencent.com/document/product/436/7778: the lowercased method, the decoded path, the
//! chosen query parameters and headers (names lowercased, both sides encoded, sorted) are
//! hashed with SHA-1 and signed with HMAC-SHA1 under a key derived from the validity window.

use super::{Key, Signed, compare, decode, encode, encode_path, header, hmac_sha1, join_query, parse_query, sha1_hex};

/// The `Authorization` value for a request: every query parameter and header given is signed.
/// `path` is the object path decoded (`/photos/a b.jpg`); `start`..`end` (Unix seconds) is the
/// window in which COS accepts the signature.
pub fn authorization(
    key: &Key,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    start: i64,
    end: i64,
) -> String {
    let key_time = format!("{start};{end}");
    let (param_list, params) = list(query);
    let (header_list, header_string) = list(headers);
    let string_to_sign = string_to_sign(&key_time, &http_string(method, path, &params, &header_string));
    format!(
        "q-sign-algorithm=sha1&q-ak={}&q-sign-time={key_time}&q-key-time={key_time}&q-header-list={header_list}\
         &q-url-param-list={param_list}&q-signature={}",
        key.id,
        signature(key.secret.expose(), &key_time, &string_to_sign)
    )
}

/// Signs a request to `https://host/path?query` with an empty body: the Host header (and
/// x-cos-security-token for temporary keys) is signed along with every query parameter.
pub fn sign(
    key: &Key,
    method: &'static str,
    host: &str,
    path: &str,
    query: &[(String, String)],
    start: i64,
    end: i64,
) -> Signed {
    let mut headers = vec![("Host".to_owned(), host.to_owned())];
    if let Some(token) = &key.token {
        headers.push(("x-cos-security-token".to_owned(), token.expose().to_owned()));
    }
    let authorization = authorization(key, method, path, query, &headers, start, end);
    headers.push(("Authorization".to_owned(), authorization));
    let mut url = format!("https://{host}{}", encode_path(path));
    if !query.is_empty() {
        url = format!("{url}?{}", join_query(query));
    }
    Signed { method, url, headers, body: Vec::new() }
}

/// Recomputes the signature of a request as a server received it (`path` and `query` raw, as on
/// the wire). Stricter than COS, so a test server catches a client that forgets to sign
/// something: every query parameter and the Host header must be signed. Whether q-sign-time
/// covers the present is the caller's to check.
pub fn verify(secret: &str, method: &str, path: &str, query: &str, headers: &[(String, String)]) -> Result<(), String> {
    let authorization = header(headers, "Authorization").ok_or("request has no Authorization header")?;
    let field = |name: &str| {
        authorization
            .split('&')
            .filter_map(|part| part.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
            .ok_or_else(|| format!("Authorization header lacks {name}"))
    };
    if field("q-sign-algorithm")? != "sha1" {
        return Err("Authorization header is not q-sign-algorithm=sha1".to_owned());
    }
    field("q-ak")?;
    field("q-sign-time")?;
    let key_time = field("q-key-time")?;
    let received = field("q-signature")?;
    let names = |list: &str| list.split(';').filter(|name| !name.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    let signed_params = names(field("q-url-param-list")?);
    let signed_headers = names(field("q-header-list")?);
    if !signed_headers.iter().any(|name| name == "host") {
        return Err("q-header-list lacks host".to_owned());
    }
    let params = parse_query(query)?;
    if let Some((name, _)) = params.iter().find(|(name, _)| !signed_params.contains(&lower(name))) {
        return Err(format!("query parameter {name} is not signed"));
    }
    let params = pick(&params, &signed_params, "signed parameter")?;
    let headers = pick(headers, &signed_headers, "signed header")?;
    let (_, params) = list(&params);
    let (_, header_string) = list(&headers);
    let string_to_sign = string_to_sign(key_time, &http_string(method, &decode(path)?, &params, &header_string));
    compare(received, &signature(secret, key_time, &string_to_sign))
}

/// A name as it appears in the lists: encoded, then lowercased.
fn lower(name: &str) -> String {
    encode(name).to_lowercase()
}

/// The pairs named in a signed list, each of which must be present.
fn pick(pairs: &[(String, String)], names: &[String], what: &str) -> Result<Vec<(String, String)>, String> {
    names
        .iter()
        .map(|name| {
            pairs
                .iter()
                .find(|(key, _)| lower(key) == *name)
                .cloned()
                .ok_or_else(|| format!("{what} {name} is not in the request"))
        })
        .collect()
}

/// The `;`-joined name list and the `name=value&…` string of the doc's UrlParamList /
/// HttpParameters and HeaderList / HttpHeaders.
fn list(pairs: &[(String, String)]) -> (String, String) {
    let mut encoded: Vec<(String, String)> = pairs.iter().map(|(name, value)| (lower(name), encode(value))).collect();
    encoded.sort();
    let names: Vec<&str> = encoded.iter().map(|(name, _)| name.as_str()).collect();
    let joined: Vec<String> = encoded.iter().map(|(name, value)| format!("{name}={value}")).collect();
    (names.join(";"), joined.join("&"))
}

fn http_string(method: &str, path: &str, params: &str, headers: &str) -> String {
    format!("{}\n{path}\n{params}\n{headers}\n", method.to_lowercase())
}

fn string_to_sign(key_time: &str, http_string: &str) -> String {
    format!("sha1\n{key_time}\n{}\n", sha1_hex(http_string.as_bytes()))
}

/// HMAC-SHA1 under the hex SignKey, itself HMAC-SHA1(SecretKey, KeyTime).
fn signature(secret: &str, key_time: &str, string_to_sign: &str) -> String {
    let sign_key = hex::encode(hmac_sha1(secret.as_bytes(), key_time.as_bytes()));
    hex::encode(hmac_sha1(sign_key.as_bytes(), string_to_sign.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::test_key;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect()
    }

    // The doc's example key pair (cloud.tencent.com/document/product/436/7778, "Use Case").
    const SECRET_ID: &str = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
    const SECRET_KEY: &str = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";
    const HOST: &str = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";

    fn upload_headers() -> Vec<(String, String)> {
        pairs(&[
            ("Date", "Thu, 16 May 2019 06:45:51 GMT"),
            ("Host", HOST),
            ("Content-Type", "text/plain"),
            ("Content-Length", "13"),
            ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
            ("x-cos-acl", "private"),
            ("x-cos-grant-read", "uin=\"100000000011\""),
        ])
    }

    #[test]
    fn golden_doc_upload_example() {
        // Source: cloud.tencent.com/document/product/436/7778 (English: "Request Signature"),
        // "Uploading an Object": KeyTime 1557989151;1557996351, SignKey eb2519b4…, HttpString,
        // StringToSign and Signature 3b8851a1… as below. The English page prints the path in
        // HttpString as "/exampleobject(tencentcloud)", a translation of the Chinese
        // "/exampleobject(腾讯云)" — the request's decoded path, which is what reproduces its
        // SHA-1 8b2751e7… and the signature.
        let headers = upload_headers();
        let (param_list, params) = list(&[]);
        let (header_list, header_string) = list(&headers);
        assert_eq!((param_list.as_str(), params.as_str()), ("", ""));
        assert_eq!(header_list, "content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read");
        let http = http_string("PUT", "/exampleobject(腾讯云)", &params, &header_string);
        assert_eq!(
            http,
            "put\n/exampleobject(腾讯云)\n\ncontent-length=13&content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D\
             &content-type=text%2Fplain&date=Thu%2C%2016%20May%202019%2006%3A45%3A51%20GMT\
             &host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com&x-cos-acl=private\
             &x-cos-grant-read=uin%3D%22100000000011%22\n"
        );
        let string_to_sign = string_to_sign("1557989151;1557996351", &http);
        assert_eq!(string_to_sign, "sha1\n1557989151;1557996351\n8b2751e77f43a0995d6e9eb9477f4b685cca4172\n");
        assert_eq!(
            signature(SECRET_KEY, "1557989151;1557996351", &string_to_sign),
            "3b8851a11a569213c17ba8fa7dcf2abec6935172"
        );
        let expected = "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q\
             &q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351\
             &q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read\
             &q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172";
        let key = test_key(SECRET_ID, SECRET_KEY, None);
        assert_eq!(
            authorization(&key, "PUT", "/exampleobject(腾讯云)", &[], &headers, 1557989151, 1557996351),
            expected
        );

        let mut received = headers;
        received.push(("Authorization".to_owned(), expected.to_owned()));
        assert_eq!(verify(SECRET_KEY, "PUT", "/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)", "", &received), Ok(()));
    }

    #[test]
    fn golden_doc_download_example() {
        // Source: the same page, "Downloading an Object": KeyTime 1557989753;1557996953, query
        // response-content-type / response-cache-control, StringToSign and Signature 01681b8c….
        let query =
            pairs(&[("response-content-type", "application/octet-stream"), ("response-cache-control", "max-age=600")]);
        let headers = pairs(&[("Date", "Thu, 16 May 2019 06:55:53 GMT"), ("Host", HOST)]);
        let (param_list, params) = list(&query);
        assert_eq!(param_list, "response-cache-control;response-content-type");
        let (_, header_string) = list(&headers);
        let http = http_string("GET", "/exampleobject(腾讯云)", &params, &header_string);
        assert_eq!(
            http,
            "get\n/exampleobject(腾讯云)\nresponse-cache-control=max-age%3D600&response-content-type=application%2Foctet-stream\n\
             date=Thu%2C%2016%20May%202019%2006%3A55%3A53%20GMT&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com\n"
        );
        let string_to_sign = string_to_sign("1557989753;1557996953", &http);
        assert_eq!(string_to_sign, "sha1\n1557989753;1557996953\n54ecfe22f59d3514fdc764b87a32d8133ea611e6\n");
        let expected = "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q\
             &q-sign-time=1557989753;1557996953&q-key-time=1557989753;1557996953&q-header-list=date;host\
             &q-url-param-list=response-cache-control;response-content-type\
             &q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012";
        let key = test_key(SECRET_ID, SECRET_KEY, None);
        assert_eq!(
            authorization(&key, "GET", "/exampleobject(腾讯云)", &query, &headers, 1557989753, 1557996953),
            expected
        );

        let mut received = headers;
        received.push(("Authorization".to_owned(), expected.to_owned()));
        let raw_query = "response-content-type=application%2Foctet-stream&response-cache-control=max-age%3D600";
        assert_eq!(
            verify(SECRET_KEY, "GET", "/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)", raw_query, &received),
            Ok(())
        );
    }

    fn listing() -> (Key, Signed) {
        let key = test_key(SECRET_ID, "Zq9SecretValueThatMustNotLeak", Some("cos-session-token"));
        let query = pairs(&[("prefix", "logs/2024 01"), ("max-keys", "100")]);
        let signed = sign(&key, "GET", HOST, "/", &query, 1700000000, 1700003600);
        (key, signed)
    }

    fn raw(signed: &Signed) -> (String, String) {
        let rest = signed.url.strip_prefix(&format!("https://{HOST}")).unwrap_or_default();
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        (path.to_owned(), query.to_owned())
    }

    #[test]
    fn sign_builds_the_request_and_signs_host_token_and_query() {
        let (_, signed) = listing();
        assert_eq!(signed.method, "GET");
        assert_eq!(signed.url, format!("https://{HOST}/?prefix=logs%2F2024%2001&max-keys=100"));
        assert_eq!(header(&signed.headers, "x-cos-security-token"), Some("cos-session-token"));
        let authorization = header(&signed.headers, "Authorization").unwrap_or_default();
        assert!(authorization.contains("&q-header-list=host;x-cos-security-token&"), "{authorization}");
        assert!(authorization.contains("&q-url-param-list=max-keys;prefix&"), "{authorization}");
        assert!(authorization.contains("&q-sign-time=1700000000;1700003600&"), "{authorization}");
    }

    #[test]
    fn verify_accepts_what_sign_produces_and_rejects_tampering() {
        let (key, signed) = listing();
        let secret = key.secret.expose();
        let (path, query) = raw(&signed);
        assert_eq!(verify(secret, "GET", &path, &query, &signed.headers), Ok(()));

        let mismatch = Err("signature does not match".to_owned());
        assert_eq!(verify("other", "GET", &path, &query, &signed.headers), mismatch);
        assert_eq!(verify(secret, "DELETE", &path, &query, &signed.headers), mismatch);
        assert_eq!(verify(secret, "GET", "/secret.txt", &query, &signed.headers), mismatch);
        assert_eq!(
            verify(secret, "GET", &path, &query.replace("max-keys=100", "max-keys=1000"), &signed.headers),
            mismatch
        );
        let mut headers = signed.headers.clone();
        headers[0].1 = "otherbucket-1250000000.cos.ap-beijing.myqcloud.com".to_owned();
        assert_eq!(verify(secret, "GET", &path, &query, &headers), mismatch);
        assert_eq!(
            verify(secret, "GET", &path, &format!("{query}&marker=x"), &signed.headers),
            Err("query parameter marker is not signed".to_owned())
        );
        assert_eq!(
            verify(secret, "GET", &path, &query.replace("&max-keys=100", ""), &signed.headers),
            Err("signed parameter max-keys is not in the request".to_owned())
        );
        let mut headers = signed.headers.clone();
        headers.retain(|(name, _)| name != "x-cos-security-token");
        assert_eq!(
            verify(secret, "GET", &path, &query, &headers),
            Err("signed header x-cos-security-token is not in the request".to_owned())
        );
    }

    #[test]
    fn verify_explains_malformed_authorization() {
        let (key, signed) = listing();
        let (path, query) = raw(&signed);
        let with = |authorization: &str| {
            let mut headers = signed.headers.clone();
            headers.retain(|(name, _)| name != "Authorization");
            headers.push(("Authorization".to_owned(), authorization.to_owned()));
            verify(key.secret.expose(), "GET", &path, &query, &headers)
        };
        let authorization = header(&signed.headers, "Authorization").unwrap_or_default();
        assert_eq!(
            with(
                &authorization.replace("q-header-list=host;x-cos-security-token", "q-header-list=x-cos-security-token")
            ),
            Err("q-header-list lacks host".to_owned())
        );
        assert_eq!(
            with(&authorization.replace("q-sign-algorithm=sha1", "q-sign-algorithm=md5")),
            Err("Authorization header is not q-sign-algorithm=sha1".to_owned())
        );
        let without_signature = authorization.split("&q-signature=").next().unwrap_or_default();
        assert_eq!(with(without_signature), Err("Authorization header lacks q-signature".to_owned()));
    }

    #[test]
    fn the_secret_appears_nowhere_in_the_signed_request() {
        let (key, signed) = listing();
        let everything = format!("{signed:?}");
        assert!(!everything.contains(key.secret.expose()), "{everything}");
    }
}
