//! Secrets in instance user data: the decoded script or cloud-config an instance runs at boot
//! is readable by anyone who may describe the instance, and by every process on the instance
//! through the metadata service. The importer looks through it once and keeps only what it
//! found, masked: the snapshot never holds the user data or a secret from it.

use std::io::Read;
use std::sync::LazyLock;

use base64::Engine;
use flate2::read::GzDecoder;
use regex::Regex;

use serde_json::{Value, json};

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "InstanceUserData";

/// Access key ids: Tencent `AKID` + at least 16, Alibaba `LTAI` + at least 12 letters and
/// digits, not inside a longer word.
static KEY_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9])((AKID)[A-Za-z0-9]{16,}|(LTAI)[A-Za-z0-9]{12,})").expect("a valid pattern")
});

/// A value assigned to a name ending in a password or secret-key word (without case:
/// `DB_PASSWORD`, `mysql_root_password`, `TENCENTCLOUD_SECRET_KEY`), as `name = value`,
/// `name: value` or `export NAME="value"`.
static ASSIGNED_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret_key|secretkey|access_key_secret|accesskeysecret))["']?\s*[=:]\s*["']?([^"'\s]*)"#,
    )
    .expect("a valid pattern")
});

/// Values that are no secret: flags and empty placeholders (`lock_passwd: false`).
const NOT_SECRETS: &[&str] = &["true", "false", "yes", "no", "null", "none", "~"];

/// One secret found: its kind, a hint that identifies it without revealing it, and its line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Secret {
    pub(crate) kind: &'static str,
    pub(crate) hint: String,
    pub(crate) line: usize,
}

/// User data as the API gives it (base64, the script possibly gzip-compressed, as cloud-init
/// accepts it), decoded to text; `None` when it does not decode.
pub(crate) fn decode(encoded: &str) -> Option<String> {
    let compact: String = encoded.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD.decode(compact).ok()?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(bytes.as_slice()).read_to_end(&mut out).ok()?;
        out
    } else {
        bytes
    };
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The secrets in decoded user data: access key ids (Tencent `AKID…`, Alibaba `LTAI…`) and
/// values assigned to a password or secret-key name (`password=…`, `DB_PASSWORD: …`). A value
/// taken from elsewhere (`$VAR`, `${VAR}`, `{{ var }}`) is not a secret in the text, nor is a
/// path (`OLDPWD=/tmp`).
pub(crate) fn scan(text: &str) -> Vec<Secret> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        for key in KEY_ID.captures_iter(line) {
            let kind = if key.get(2).is_some() { "tencent_secret_id" } else { "alibaba_access_key_id" };
            found.push(Secret { kind, hint: mask_id(&key[1]), line: number + 1 });
        }
        if let Some(assigned) = ASSIGNED_SECRET.captures(line) {
            let value = &assigned[2];
            let literal = !value.is_empty()
                && !value.starts_with(['$', '{', '<', '%', '/'])
                && !NOT_SECRETS.contains(&value.to_ascii_lowercase().as_str());
            if literal {
                found.push(Secret { kind: "password", hint: format!("{}=****", &assigned[1]), line: number + 1 });
            }
        }
    }
    found
}

/// `AKID****Xq9Z`: the id's prefix and last four characters.
fn mask_id(id: &str) -> String {
    format!("{}****{}", &id[..4], &id[id.len() - 4..])
}

/// Where a cloud keeps the instances of a region and their user data answers.
pub(crate) struct UserDataCall {
    /// The instance list call and the keys to its items.
    pub(crate) instances: &'static str,
    pub(crate) list: &'static [&'static str],
    /// The per-instance call and its parameter.
    pub(crate) call: &'static str,
    pub(crate) param: &'static str,
    /// Reads the base64 user data of `id` from its answer: `Ok(None)` when it has none.
    pub(crate) read: for<'a> fn(&[Node<'a>], &str) -> Result<Option<&'a str>, FieldError>,
}

/// Builds an `InstanceUserData` for every listed instance whose user data answer was saved; an
/// instance without one is left out and the type marked partial (its user data is unknown, not
/// empty).
pub(crate) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>, call: &UserDataCall) {
    let listed = answers.lookup(place, call.instances);
    out.cover(place, KIND, call.instances, &listed);
    let instances = match listed.items(call.list) {
        Ok(instances) => instances,
        Err(_) => return,
    };
    for instance in instances {
        let id = match instance.text("InstanceId") {
            Ok(id) => id,
            Err(err) => {
                out.not_normalized(err);
                continue;
            }
        };
        let lookup = answers.lookup_for(place, call.call, call.param, &id);
        let name = format!("{}@{}={id}", call.call, call.param);
        let Some(root) = out.detail(place, KIND, &instance, &name, &lookup) else { continue };
        let Lookup::Found(pages) = &lookup else { continue };
        if let Err(err) = user_data_asset(out, place, &id, &root, pages, call.read) {
            out.not_normalized(err);
        }
    }
}

fn user_data_asset<'a>(
    out: &mut Estate,
    place: &Place<'_>,
    id: &str,
    root: &Node<'a>,
    pages: &[Node<'a>],
    read: for<'b> fn(&[Node<'b>], &str) -> Result<Option<&'b str>, FieldError>,
) -> Result<(), FieldError> {
    let mut asset = Asset::new(KIND, id, place.provider, place.account, place.asset_region());
    asset.set("instance_id", id);
    match read(pages, id)? {
        None => {
            asset.set("has_user_data", false);
            asset.set("secrets", Vec::<Value>::new());
        }
        Some(encoded) => {
            let Some(text) = decode(encoded) else {
                return Err(root.error("expected base64 user data: left out, not read as \"no secrets\""));
            };
            let secrets: Vec<Value> =
                scan(&text).into_iter().map(|s| json!({"kind": s.kind, "hint": s.hint, "line": s.line})).collect();
            asset.set("has_user_data", true);
            asset.set("secrets", secrets);
        }
    }
    out.add_asset(asset, root);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_passwords_are_found_and_masked() {
        let text = "#!/bin/bash\nexport TENCENTCLOUD_SECRET_ID=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE\n\
            DB_PASSWORD='S3cr3t!'\nlock_passwd: false\npassword: ${DB_PASS}\nkey=LTAI5tExampleKey0001 ok\n\
            id=XAKIDnotakey00000000000000000000 echo AKIDshort\nOLDPWD=/root\n";
        let found = scan(text);
        assert_eq!(
            found,
            vec![
                Secret { kind: "tencent_secret_id", hint: "AKID****MPLE".to_owned(), line: 2 },
                Secret { kind: "password", hint: "DB_PASSWORD=****".to_owned(), line: 3 },
                Secret { kind: "alibaba_access_key_id", hint: "LTAI****0001".to_owned(), line: 6 },
            ]
        );
        assert!(!format!("{found:?}").contains("S3cr3t"), "the value never leaves the scan");
    }

    #[test]
    fn user_data_decodes_plain_or_gzipped_and_bad_base64_is_none() {
        assert_eq!(decode("TXlVc2VyRGF0YQo=").as_deref(), Some("MyUserData\n"));
        assert_eq!(decode("ZWNobyBoZWxsbyBlY321ABC"), None, "the published Alibaba sample is not base64");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, b"password=hunter2\n").unwrap();
        let encoded = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
        assert_eq!(scan(&decode(&encoded).unwrap())[0].hint, "password=****");
    }
}
