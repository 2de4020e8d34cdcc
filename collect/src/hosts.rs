//! Host facts (`hosts/**`): one `Host` asset per file, as `rulec collect host` writes it. The
//! record is passed through; the snapshot's validation checks its fields.

use std::path::Path;

use serde_json::Value;

use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::raw::{Answer, Syntax, answer};
use crate::report::Skipped;
use crate::snapshot::Asset;

/// Reads one host file.
pub(crate) fn read_file(out: &mut Estate, file: &Path) {
    let skip = |out: &mut Estate, reason: String| {
        out.report.skipped.push(Skipped { file: file.display().to_string(), reason })
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) => return skip(out, format!("cannot read: {err}")),
    };
    let value = match answer::parse(&text, Syntax::Json) {
        Ok(Answer::Data(value)) => value,
        Ok(Answer::Error(error)) => return skip(out, format!("an error answer ({}: {})", error.code, error.message)),
        Err(reason) => return skip(out, reason),
    };
    if value.get("type").and_then(Value::as_str) != Some("Host") {
        return skip(out, "not a Host record (expected an object with \"type\": \"Host\")".to_owned());
    }
    let root = Node::root(&value, file);
    match host_asset(&root) {
        Ok(asset) => out.add_asset(asset, &root),
        Err(err) => out.not_normalized(err),
    }
}

fn host_asset(root: &Node<'_>) -> Result<Asset, FieldError> {
    let Value::Object(fields) = root.value else { return Err(root.expected("an object")) };
    let mut asset = Asset {
        kind: "Host",
        id: root.str("id")?.to_owned(),
        provider: root.str("provider")?.to_owned(),
        account: root.str("account")?.to_owned(),
        region: root.opt_str("region")?.map(str::to_owned),
        name: root.opt_str("name")?.map(str::to_owned),
        tags: Default::default(),
        resource_name: root.opt_str("resource_name")?.map(str::to_owned),
        fields: Default::default(),
    };
    if let Some(tags) = root.get("tags") {
        asset.tags = serde_json::from_value(tags.value.clone()).map_err(|_| tags.expected("an object of strings"))?;
    }
    const COMMON: [&str; 8] = ["type", "id", "provider", "account", "region", "name", "tags", "resource_name"];
    for (key, value) in fields {
        if !COMMON.contains(&key.as_str()) {
            asset.fields.insert(key.clone(), value.clone());
        }
    }
    Ok(asset)
}
