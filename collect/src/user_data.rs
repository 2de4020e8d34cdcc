//! Secrets in instance user data: the decoded script or cloud-config an instance runs at boot
//! is readable by anyone who may describe the instance, and by every process on the instance
//! through the metadata service. The importer looks through it once and keeps only what it
//! found, masked: the snapshot never holds the user data or a secret from it.

use std::io::Read;

use base64::Engine;
use flate2::read::GzDecoder;

use serde_json::{Value, json};

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "InstanceUserData";

/// Names whose assigned value is a secret (compared without case, as the end of a longer name:
/// `DB_PASSWORD`, `mysql_root_password`, `TENCENTCLOUD_SECRET_KEY`).
const SECRET_NAMES: &[&str] =
    &["password", "passwd", "pwd", "secret_key", "secretkey", "access_key_secret", "accesskeysecret"];

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
        let line_no = number + 1;
        for (prefix, kind, min) in [("AKID", "tencent_secret_id", 16), ("LTAI", "alibaba_access_key_id", 12)] {
            let mut from = 0;
            while let Some(at) = line[from..].find(prefix).map(|i| i + from) {
                let before = line[..at].chars().next_back();
                let run: String = line[at..].chars().take_while(char::is_ascii_alphanumeric).collect();
                from = at + run.len().max(prefix.len());
                if before.is_some_and(|c| c.is_ascii_alphanumeric()) || run.len() < prefix.len() + min {
                    continue;
                }
                found.push(Secret { kind, hint: mask_id(&run), line: line_no });
            }
        }
        if let Some(name) = assigned_secret(line) {
            found.push(Secret { kind: "password", hint: format!("{name}=****"), line: line_no });
        }
    }
    found
}

/// `AKID****Xq9Z`: the id's prefix and last four characters.
fn mask_id(id: &str) -> String {
    let tail: String = id.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{}****{tail}", &id[..4])
}

/// The name of a secret assigned a literal value on this line (`name = value`, `name: value`,
/// `export NAME="value"`), if any.
fn assigned_secret(line: &str) -> Option<String> {
    let (left, right) = line.split_once(['=', ':'])?;
    let name: String = left
        .trim_end()
        .trim_end_matches(['"', '\''])
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let lower = name.to_ascii_lowercase();
    if !SECRET_NAMES.iter().any(|secret| lower.ends_with(secret)) {
        return None;
    }
    let value = right.trim().trim_matches(['"', '\'']).trim();
    let literal = !value.is_empty()
        && !value.starts_with(['$', '{', '<', '%', '/'])
        && !NOT_SECRETS.contains(&value.to_ascii_lowercase().as_str());
    literal.then_some(name)
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
