//! Cloud data in: raw Tencent Cloud and Alibaba Cloud API answers (as tccli, aliyun and
//! ossutil print them, or as `rulec collect` saves them), audit-event files and secret-scanner
//! reports, turned into v1 snapshot records with a report of everything that could not be.
//! This crate knows the clouds' APIs and the snapshot format, nothing of rules.

pub mod answers;
mod border_firewall;
mod cache;
pub mod calls;
mod certificate;
pub mod coverage;
mod custom_image;
mod disk;
mod disk_snapshot;
pub mod docs;
pub(crate) mod eip;
pub mod estate;
mod events;
pub mod host;
mod host_agent;
mod hosts;
mod keys;
mod leaks;
pub mod live;
mod nat;
pub mod net;
mod network_acl;
pub mod node;
pub(crate) mod policy;
pub mod raw;
pub mod report;
mod settings;
mod shape;
pub mod sign;
pub mod snapshot;
pub mod time;
mod user_data;
mod vpc;

pub use events::{Normalized, normalize_record};

mod alibaba;
mod tencent;

use std::path::{Path, PathBuf};

use answers::Answers;
use estate::Estate;
use raw::{Answer, CallFile, Placed, Provider, UNKNOWN_ACCOUNT};
use report::{ImportReport, NotCollected, Skipped};
use snapshot::Snapshot;

/// The code an answer file that cannot be read is recorded under, among the error answers.
pub const UNREADABLE: &str = "UnreadableAnswer";

/// What the command line adds to what the files say.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The account of answers whose folder is `_` or that were saved outside the layout.
    pub account: Option<String>,
    /// The provider of answers saved outside the layout.
    pub provider: Option<Provider>,
    /// The region of answers saved outside the layout (`global` for account-wide calls).
    pub region: Option<String>,
    /// The snapshot's `taken_at`; by default the newest modification time of the files read.
    pub taken_at: Option<String>,
}

/// A finished import.
#[derive(Debug)]
pub struct Imported {
    pub snapshot: Snapshot,
    pub report: ImportReport,
}

/// Why an import produced nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Account(String),
    #[error("{0}")]
    Ambiguous(String),
}

/// Imports every file under `inputs`.
pub fn import(inputs: &[PathBuf], options: &Options) -> Result<Imported, ImportError> {
    let files = raw::layout::walk(inputs).map_err(ImportError::Input)?;
    let mut answers = Answers::default();
    let mut estate = Estate::default();
    let mut newest = None;
    let mut event_files = Vec::new();
    for file in &files {
        newest = newest.max(modified(file));
        match raw::layout::place(file) {
            Err(reason) => skip(&mut estate, file, reason),
            Ok(Placed::Call(call)) => read_call(&mut answers, &mut estate, file, call),
            Ok(Placed::Events { provider, account }) => event_files.push((file, provider, account)),
            Ok(Placed::Leaks) => leaks::read_file(&mut estate, file),
            Ok(Placed::Host) => hosts::read_file(&mut estate, file),
            Ok(Placed::Unplaced) => match shape::detect(file, options)? {
                Some(call) => read_call(&mut answers, &mut estate, file, call),
                None => skip(
                    &mut estate,
                    file,
                    "not in the RAW layout, and its content is not an answer rulec recognises".to_owned(),
                ),
            },
        }
    }
    read_events(&mut estate, &event_files, options);
    resolve_unknown_accounts(&mut answers, options)?;
    for provider in Provider::ALL {
        for account in answers.accounts(provider) {
            match provider {
                Provider::Tencent => tencent::build(&answers, &mut estate, &account),
                Provider::Alibaba => alibaba::build(&answers, &mut estate, &account),
            }
        }
    }
    for (key, stored) in answers.unused() {
        let reason = match &stored.answer {
            Answer::Error(_) => continue,
            Answer::Data(_) => {
                format!("{} answer not used: the resource it describes is not listed by a saved list call", key.call)
            }
        };
        skip(&mut estate, &stored.file, reason);
    }
    let skipped: std::collections::HashSet<String> = estate.report.skipped.iter().map(|s| s.file.clone()).collect();
    for (key, stored) in answers.all() {
        let file = stored.file.display().to_string();
        match &stored.answer {
            Answer::Data(_) if !skipped.contains(&file) => estate.report.used.push(file),
            Answer::Data(_) => {}
            Answer::Error(error) if !estate.is_settled(&stored.file) => {
                estate.report.not_collected.push(NotCollected {
                    file,
                    call: key.call.clone(),
                    code: error.code.clone(),
                    message: error.message.clone(),
                })
            }
            Answer::Error(_) => {}
        }
    }
    mark_absent(&answers, &mut estate);
    let taken_at = match &options.taken_at {
        Some(taken_at) => taken_at.clone(),
        None => newest.map(time::format).unwrap_or_else(|| time::format(chrono::DateTime::UNIX_EPOCH)),
    };
    let (snapshot, report) = estate.finish(taken_at);
    Ok(Imported { snapshot, report })
}

/// Reads the event files in parallel (they are independent and the bulk of large imports),
/// merging their results in path order so the output does not depend on the thread count.
fn read_events(estate: &mut Estate, files: &[(&PathBuf, Provider, String)], options: &Options) {
    use rayon::prelude::*;
    // Pages in their own order (`X.json`, `X.2.json`, `X.10.json`), not the names' order, so
    // events of equal time keep the order the cloud listed them in, however they were paged.
    let mut files = files.to_vec();
    files.sort_by_cached_key(|(file, ..)| raw::layout::page_order(file));
    let parts: Vec<Estate> = files
        .par_iter()
        .map(|(file, provider, account)| {
            let mut part = Estate::default();
            events::read_file(&mut part, file, *provider, account, options);
            part
        })
        .collect();
    for part in parts {
        estate.absorb(part);
    }
}

/// Every type a provider's calls feed gets a coverage entry for each account imported: a type
/// nothing was saved for is `absent`, so checks over it are "not evaluated", never "passed".
fn mark_absent(answers: &Answers, estate: &mut Estate) {
    for provider in Provider::ALL {
        for account in answers.accounts(provider) {
            let kinds = calls::all()
                .filter(|call| call.provider == provider)
                .flat_map(|call| call.feeds.iter().copied())
                .filter(|kind| kind.starts_with(|c: char| c.is_ascii_uppercase()))
                .chain(events::FEEDS);
            for kind in kinds {
                if !estate.coverage.mentions(provider, &account, kind) {
                    let reason = format!("nothing feeding {kind} was saved for this account");
                    estate.coverage.record(provider, &account, None, kind, coverage::Status::Absent, Some(reason));
                }
            }
        }
    }
}

fn modified(file: &Path) -> Option<chrono::DateTime<chrono::Utc>> {
    std::fs::metadata(file).and_then(|meta| meta.modified()).ok().map(chrono::DateTime::<chrono::Utc>::from)
}

fn skip(estate: &mut Estate, file: &Path, reason: String) {
    estate.report.skipped.push(Skipped { file: file.display().to_string(), reason });
}

/// Reads one call answer into the store, or lists the file as skipped with the reason.
fn read_call(answers: &mut Answers, estate: &mut Estate, file: &Path, call: CallFile) {
    if calls::find(call.provider, &call.service, &call.action).is_none() {
        let reason = format!(
            "{}.{} is not a call rulec imports (docs/import.md lists the calls it reads)",
            call.service, call.action
        );
        return skip(estate, file, reason);
    }
    let text = match std::fs::read(file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(err) => return skip(estate, file, format!("cannot read: {err}")),
    };
    // An answer that cannot be read is a call whose data was not collected: its types become
    // `failed` in coverage, never "no resources".
    let answer = raw::answer::parse(&text, call.syntax)
        .unwrap_or_else(|reason| Answer::Error(raw::ApiError { code: UNREADABLE.to_owned(), message: reason }));
    if let Err(first) = answers.insert(&call, file.to_owned(), answer) {
        skip(estate, file, format!("the same call, resource and page as {}", first.display()));
    }
}

/// Gives the `_` account folders their account: `sts.GetCallerIdentity` saved there, else
/// `--account`, else an error (assets must carry their account).
fn resolve_unknown_accounts(answers: &mut Answers, options: &Options) -> Result<(), ImportError> {
    for provider in Provider::ALL {
        if !answers.accounts(provider).iter().any(|account| account == UNKNOWN_ACCOUNT) {
            continue;
        }
        let place = answers::Place { provider, account: UNKNOWN_ACCOUNT, region: raw::GLOBAL };
        let from_identity = answers
            .lookup(&place, "sts.GetCallerIdentity")
            .first()
            .and_then(|root| root.opt_text("AccountId").ok().flatten());
        let Some(account) = from_identity.or_else(|| options.account.clone()) else {
            return Err(ImportError::Account(format!(
                "the account of {}/{UNKNOWN_ACCOUNT}/ is unknown: save sts.GetCallerIdentity.json in that folder or pass --account ID",
                provider.as_str()
            )));
        };
        answers.rename_account(provider, UNKNOWN_ACCOUNT, &account);
    }
    Ok(())
}
