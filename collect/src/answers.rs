//! Every call answer of an import, indexed by (provider, account, region, call, resource,
//! page), so a normalizer joins a list call with the per-resource calls of each listed
//! resource. Lookups mark answers used: an answer nothing read is reported, not dropped.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::node::{FieldError, Node};
use crate::raw::{Answer, ApiError, CallFile, GLOBAL, Provider};

/// Which answers: one call, in one place, for one resource (or none).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub provider: Provider,
    pub account: String,
    pub region: String,
    /// `service.Action`, as in the file name.
    pub call: String,
    pub params: Vec<(String, String)>,
}

/// One saved page.
#[derive(Debug)]
pub struct Stored {
    pub file: PathBuf,
    pub answer: Answer,
    used: Cell<bool>,
}

/// The saved answers of an import.
#[derive(Debug, Default)]
pub struct Answers {
    pages: BTreeMap<Key, BTreeMap<u32, Stored>>,
}

/// What the folder holds for a call.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// Nothing saved: the data was not collected.
    Missing,
    /// The cloud answered with an error: not collected, and why.
    Failed { file: &'a Path, error: &'a ApiError },
    /// The data, one root per page in page order.
    Found(Vec<Node<'a>>),
}

impl<'a> Lookup<'a> {
    /// The elements of the collection at `keys` across every page.
    pub fn items(&self, keys: &[&str]) -> Result<Vec<Node<'a>>, FieldError> {
        let Lookup::Found(pages) = self else { return Ok(Vec::new()) };
        let mut items = Vec::new();
        for page in pages {
            items.extend(page.collection(keys)?);
        }
        Ok(items)
    }

    /// The first page's root (for answers about one thing).
    pub fn first(&self) -> Option<&Node<'a>> {
        match self {
            Lookup::Found(pages) => pages.first(),
            _ => None,
        }
    }

    pub fn is_found(&self) -> bool {
        matches!(self, Lookup::Found(_))
    }
}

impl Answers {
    /// Adds a page; `Err` names the file already holding that page.
    pub fn insert(&mut self, call: &CallFile, file: PathBuf, answer: Answer) -> Result<(), PathBuf> {
        let key = Key {
            provider: call.provider,
            account: call.account.clone(),
            region: call.region.clone(),
            call: format!("{}.{}", call.service, call.action),
            params: call.params.clone(),
        };
        let pages = self.pages.entry(key).or_default();
        if let Some(existing) = pages.get(&call.page) {
            return Err(existing.file.clone());
        }
        pages.insert(call.page, Stored { file, answer, used: Cell::new(false) });
        Ok(())
    }

    /// Moves the answers saved under one account folder to another (the `_` folder, once the
    /// account is known).
    pub fn rename_account(&mut self, provider: Provider, from: &str, to: &str) {
        let moved: Vec<Key> =
            self.pages.keys().filter(|key| key.provider == provider && key.account == from).cloned().collect();
        for key in moved {
            if let Some(pages) = self.pages.remove(&key) {
                let renamed = Key { account: to.to_owned(), ..key };
                self.pages.entry(renamed).or_default().extend(pages);
            }
        }
    }

    /// The accounts holding answers of a provider, sorted.
    pub fn accounts(&self, provider: Provider) -> Vec<String> {
        let mut accounts: Vec<String> =
            self.pages.keys().filter(|key| key.provider == provider).map(|key| key.account.clone()).collect();
        accounts.dedup();
        accounts
    }

    /// The region folders of an account (without `global`), sorted.
    pub fn regions(&self, provider: Provider, account: &str) -> Vec<String> {
        let mut regions: Vec<String> = self
            .pages
            .keys()
            .filter(|key| key.provider == provider && key.account == account && key.region != GLOBAL)
            .map(|key| key.region.clone())
            .collect();
        regions.sort();
        regions.dedup();
        regions
    }

    /// The answers of a call made without a resource parameter.
    pub fn lookup(&self, place: &Place<'_>, call: &str) -> Lookup<'_> {
        self.lookup_with(place, call, &[])
    }

    /// The answers of a call made for one resource (`@param=value`).
    pub fn lookup_for(&self, place: &Place<'_>, call: &str, param: &str, value: &str) -> Lookup<'_> {
        self.lookup_with(place, call, &[(param, value)])
    }

    /// The answers of a call made for one resource named by several parameters, in file-name
    /// order (`sls.GetLogStore@project=p@logstore=l`: a log store is named within its project).
    pub fn lookup_with(&self, place: &Place<'_>, call: &str, params: &[(&str, &str)]) -> Lookup<'_> {
        let key = Key {
            provider: place.provider,
            account: place.account.to_owned(),
            region: place.region.to_owned(),
            call: call.to_owned(),
            params: params.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect(),
        };
        let Some(pages) = self.pages.get(&key) else { return Lookup::Missing };
        for stored in pages.values() {
            stored.used.set(true);
        }
        if let Some(failed) = pages.values().find_map(|stored| match &stored.answer {
            Answer::Error(error) => Some(Lookup::Failed { file: &stored.file, error }),
            Answer::Data(_) => None,
        }) {
            return failed;
        }
        Lookup::Found(
            pages
                .values()
                .filter_map(|stored| match &stored.answer {
                    Answer::Data(value) => Some(Node::root(value, &stored.file)),
                    Answer::Error(_) => None,
                })
                .collect(),
        )
    }

    /// Every resource value a per-resource call was saved for in a place, e.g. each
    /// `SecurityGroupId` of `vpc.DescribeSecurityGroupPolicies`.
    pub fn resources(&self, place: &Place<'_>, call: &str, param: &str) -> Vec<String> {
        self.pages
            .keys()
            .filter(|key| {
                key.provider == place.provider
                    && key.account == place.account
                    && key.region == place.region
                    && key.call == call
                    && key.params.len() == 1
                    && key.params[0].0 == param
            })
            .map(|key| key.params[0].1.clone())
            .collect()
    }

    /// The answers nothing read, with their files.
    pub fn unused(&self) -> impl Iterator<Item = (&Key, &Stored)> {
        self.pages
            .iter()
            .flat_map(|(key, pages)| pages.values().map(move |stored| (key, stored)))
            .filter(|(_, stored)| !stored.used.get())
    }

    /// Every stored page, for shape checks and reports.
    pub fn all(&self) -> impl Iterator<Item = (&Key, &Stored)> {
        self.pages.iter().flat_map(|(key, pages)| pages.values().map(move |stored| (key, stored)))
    }
}

impl Stored {
    pub fn data(&self) -> Option<&Value> {
        match &self.answer {
            Answer::Data(value) => Some(value),
            Answer::Error(_) => None,
        }
    }
}

/// Where assets are normalized: one provider, account and region folder (or `global`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place<'a> {
    pub provider: Provider,
    pub account: &'a str,
    pub region: &'a str,
}

impl<'a> Place<'a> {
    /// The region an asset found here carries: none for account-wide answers.
    pub fn asset_region(&self) -> Option<String> {
        (self.region != GLOBAL).then(|| self.region.to_owned())
    }

    /// The same account, another region folder.
    pub fn with_region(&self, region: &'a str) -> Place<'a> {
        Place { region, ..*self }
    }
}
