//! The generated part of docs/import.md: the calls the importer reads, per asset type, rendered
//! from the one table ([`crate::calls`]) so the user guide cannot drift from the code.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::calls::{self, Call, Located, Paging, Per, Scope};
use crate::raw::Provider;

/// The "Calls read, per asset type" section: per provider, one table per type an answer feeds,
/// listing every call that feeds it in table order.
pub fn calls_markdown() -> String {
    let mut out = String::new();
    for provider in Provider::ALL {
        let _ = writeln!(out, "### {}\n", title(provider));
        let by_type = by_type(provider);
        if by_type.is_empty() {
            out.push_str("No calls yet.\n\n");
        }
        for (feed, calls) in by_type {
            let _ = writeln!(out, "#### {feed}\n");
            out.push_str("| call | saved as | once per | paging | fields read |\n|---|---|---|---|---|\n");
            for call in calls {
                out.push_str(&row(call));
            }
            out.push('\n');
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn title(provider: Provider) -> &'static str {
    match provider {
        Provider::Tencent => "Tencent Cloud",
        Provider::Alibaba => "Alibaba Cloud",
    }
}

/// The calls of `provider` under each type (or other use, such as `account id`) they feed,
/// types in alphabetical order.
fn by_type(provider: Provider) -> BTreeMap<&'static str, Vec<&'static Call>> {
    let mut out: BTreeMap<&str, Vec<&Call>> = BTreeMap::new();
    for call in calls::all().filter(|call| call.provider == provider) {
        for feed in call.feeds {
            out.entry(feed).or_default().push(call);
        }
    }
    out
}

fn row(call: &Call) -> String {
    let per = match &call.per {
        Some(per) => cell(&per_text(per)),
        None => "—".to_owned(),
    };
    format!("| `{}` | `{}` | {per} | {} | {} |\n", call.name(), saved_as(call), paging(call.paging), cell(call.reads))
}

/// Where an answer goes under `<provider>/<account>/`, without extension and page.
fn saved_as(call: &Call) -> String {
    let folder = match call.scope {
        Scope::Global => "global",
        Scope::Regional => "<region>",
    };
    let Some(per) = call.per.filter(|per| per.batch == 0) else { return format!("{folder}/{}", call.name()) };
    let inherited: String = per.inherit.iter().map(|param| format!("@{param}=<{param}>")).collect();
    format!("{folder}/{}{inherited}@{}=<value>", call.name(), per.param)
}

/// "`TargetUin` from cam.ListUsers Data[].Uin; …" for the "once per" column.
fn per_text(per: &Per) -> String {
    let mut text = format!("`{}` from {}", per.param, per.source());
    for (param, field) in per.with {
        text.push_str(&format!(", `{param}` from its `{field}`"));
    }
    if let Located::ItemField { field, strip } = per.located {
        match strip {
            "" => text.push_str(&format!(", in its `{field}` region's folder")),
            strip => text.push_str(&format!(", in its `{field}` region's folder (less `{strip}`)")),
        }
    }
    if per.batch > 0 {
        text.push_str(&format!(", {} at a time, each answer a page", per.batch));
    }
    if per.bare {
        text.push_str(&format!("; also once without `{}` for the caller's own", per.param));
    }
    if !per.note.is_empty() {
        text.push_str(&format!(" ({})", per.note));
    }
    text
}

fn paging(paging: Paging) -> String {
    match paging {
        Paging::None => "—".to_owned(),
        Paging::Offset { offset, limit, max } => format!("`{offset}`/`{limit}` ≤ {max}"),
        Paging::PageNumber { number, size, max } => format!("`{number}`/`{size}` ≤ {max}"),
        Paging::Token { request, response } => format!("`{request}` ← `{response}`"),
    }
}

/// Table-cell text: pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}
