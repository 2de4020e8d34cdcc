//! Log Service (SLS) log stores: the projects of `sls.ListProject` (or, when it was not saved,
//! those a `sls.ListLogStores@project=` answer was saved for), their log stores, and each
//! store's `sls.GetLogStore` answer. A log store is named within its project, so its answer is
//! saved as `@project=<project>@logstore=<name>`; `@logstore=<name>` alone is read when no other
//! saved project has a store of that name.

use crate::answers::{Answers, Lookup, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::snapshot::Asset;

use super::{listed, resource_name};

const KIND: &str = "LogStore";
const STORES: &str = "sls.ListLogStores";
const STORE: &str = "sls.GetLogStore";

/// Normalizes the log stores of one region.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    let saved = answers.resources(place, STORES, "project");
    let projects = if answers.lookup(place, "sls.ListProject").is_found() || saved.is_empty() {
        let mut projects = Vec::new();
        for project in listed(answers, out, place, KIND, "sls.ListProject", &["projects"]) {
            match project.str("projectName") {
                Ok(name) => projects.push(name.to_owned()),
                Err(err) => out.not_normalized(err),
            }
        }
        projects
    } else {
        let reason = "sls.ListProject was not saved: only the projects of saved sls.ListLogStores answers".to_owned();
        out.partial(place, KIND, reason);
        saved
    };
    let stores: Vec<(String, Vec<Node<'_>>)> = projects
        .into_iter()
        .map(|project| {
            let lookup = answers.lookup_for(place, STORES, "project", &project);
            let names = match &lookup {
                Lookup::Found(_) => out.items(place, KIND, STORES, &lookup, &["logstores"]),
                _ => {
                    let at = format!("{STORES}@project={project}");
                    let why = match &lookup {
                        Lookup::Failed { error, .. } => format!("{at} failed: {}: {}", error.code, error.message),
                        _ => format!("{at} was not saved"),
                    };
                    out.partial(place, KIND, why);
                    Vec::new()
                }
            };
            (project, names)
        })
        .collect();
    for (project, names) in &stores {
        for name in names {
            let shared =
                stores.iter().filter(|(_, names)| names.iter().any(|other| other.value == name.value)).count() > 1;
            if let Err(err) = store_asset(answers, out, place, project, name, shared) {
                out.not_normalized(err);
            }
        }
    }
}

fn store_asset(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    project: &str,
    entry: &Node<'_>,
    shared: bool,
) -> Result<(), FieldError> {
    let name = entry.as_str()?;
    let call = format!("{STORE}@project={project}@logstore={name}");
    let mut lookup = answers.lookup_with(place, STORE, &[("project", project), ("logstore", name)]);
    if matches!(lookup, Lookup::Missing) && !shared {
        lookup = answers.lookup_for(place, STORE, "logstore", name);
    }
    let Some(store) = out.detail(place, KIND, entry, &call, &lookup) else { return Ok(()) };
    let id = format!("{project}/{name}");
    let mut asset = Asset::new(KIND, id.as_str(), place.provider, place.account, place.asset_region());
    asset.name = Some(name.to_owned());
    asset.resource_name = Some(resource_name("log", place, &format!("project/{project}/logstore/{name}")));
    asset.set("retention_days", store.int("ttl")?);
    // No `encrypt_conf` is a store created without encryption.
    let encrypted = store.get("encrypt_conf").map(|conf| conf.flag("enable")).transpose()?;
    asset.set("encrypted", encrypted.unwrap_or(false));
    out.add_asset(asset, entry);
    Ok(())
}
