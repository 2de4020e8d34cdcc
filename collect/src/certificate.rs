//! The `Certificate` asset (network pack) both clouds' certificate services describe: one
//! builder, so the Tencent (`ssl.DescribeCertificates`) and Alibaba
//! (`cas.DescribeUserCertificateList`) normalizers only say where their answer keeps each field
//! and how it writes times and states, and cannot drift apart in what `in_use`,
//! `subject_alt_names` or an unreadable date mean.

use std::collections::BTreeMap;

use crate::answers::{Answers, Place};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::Asset;

pub(crate) const KIND: &str = "Certificate";

/// One certificate as a cloud's record gives it.
pub(crate) struct Certificate {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) domain: Option<String>,
    pub(crate) subject_alt_names: Vec<String>,
    /// RFC 3339 UTC, already read in the zone the vendor documents.
    pub(crate) not_after: Option<String>,
    pub(crate) not_before: Option<String>,
    /// One of the network pack's `CertificateStatus` words.
    pub(crate) status: Option<&'static str>,
    pub(crate) issuer: Option<String>,
    /// The resources the answer says serve it; `None` when the answer cannot say.
    pub(crate) bound_resources: Option<Vec<String>>,
    pub(crate) tags: BTreeMap<String, String>,
}

/// Normalizes the certificates of one account-wide list answer: `read` turns one record of
/// `collection` into a [`Certificate`] and its resource name, when policies can name one. A
/// certificate whose id `masked` says was masked in a vendor example identifies nothing: it is
/// reported and left out, and the list is partial.
pub(crate) fn build(
    answers: &Answers,
    out: &mut Estate,
    place: &Place<'_>,
    call: &str,
    collection: &[&str],
    masked: fn(&str) -> bool,
    read: impl Fn(&mut Estate, &Node<'_>) -> Result<(Certificate, Option<String>), FieldError>,
) {
    let listed = answers.lookup(place, call);
    out.cover(place, KIND, call, &listed);
    for record in out.items(place, KIND, call, &listed, collection) {
        match read(out, &record) {
            Ok((certificate, _)) if masked(&certificate.id) => {
                let id = certificate.id;
                out.issue(IssueKind::Masked, &record, format!("the certificate id `{id}` is masked: left out"));
                out.partial(place, KIND, format!("{call}: the id `{id}` is masked"));
            }
            Ok((certificate, resource_name)) => {
                let mut asset = asset(place, certificate);
                asset.resource_name = resource_name;
                out.add_asset(asset, &record);
            }
            Err(err) => out.not_normalized(err),
        }
    }
}

/// The `Certificate` asset of one record, without its resource name. A resource list
/// that names something says the certificate is in use; an empty one says nothing (neither
/// cloud documents it as complete), so `in_use` and `bound_resources` are left out.
pub(crate) fn asset(place: &Place<'_>, certificate: Certificate) -> Asset {
    let mut asset = Asset::new(KIND, certificate.id, place.provider, place.account, place.asset_region());
    asset.name = certificate.name;
    asset.tags = certificate.tags;
    asset.set_some("domain", certificate.domain);
    let mut names: Vec<String> = Vec::new();
    for name in certificate.subject_alt_names {
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    asset.set("subject_alt_names", names);
    asset.set_some("not_after", certificate.not_after);
    asset.set_some("not_before", certificate.not_before);
    asset.set_some("status", certificate.status);
    asset.set_some("issuer", certificate.issuer);
    if let Some(bound) = certificate.bound_resources.filter(|bound| !bound.is_empty()) {
        asset.set("in_use", true);
        asset.set("bound_resources", bound);
    }
    asset
}

/// A time field read by `parse` (one cloud's writing): absent, `""` and the zero date
/// `0000-00-00 …` Tencent writes for "never" are `None`; one that does not read is reported and
/// left out rather than losing the whole certificate.
pub(crate) fn time(
    out: &mut Estate,
    record: &Node<'_>,
    key: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, FieldError> {
    let Some(text) = record.opt_str(key)?.filter(|text| !text.starts_with("0000-00-00")) else { return Ok(None) };
    match parse(text) {
        Some(at) => Ok(Some(at)),
        None => {
            let message = format!("`{text}` is not {what}: left out");
            out.issue(IssueKind::NotNormalized, &record.need(key)?, message);
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::Provider;

    fn certificate(bound: Option<Vec<String>>) -> Certificate {
        Certificate {
            id: "c-1".into(),
            name: Some("web".into()),
            domain: Some("a.example.com".into()),
            subject_alt_names: vec![
                "a.example.com".into(),
                String::new(),
                "a.example.com".into(),
                "b.example.com".into(),
            ],
            not_after: Some("2027-01-01T00:00:00Z".into()),
            not_before: None,
            status: Some("issued"),
            issuer: None,
            bound_resources: bound,
            tags: BTreeMap::new(),
        }
    }

    #[test]
    fn named_resources_say_in_use_and_an_empty_list_says_nothing() {
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: crate::raw::GLOBAL };
        let used = asset(&place, certificate(Some(vec!["clb-1".into()])));
        assert_eq!(
            serde_json::to_value(&used.fields).unwrap(),
            serde_json::json!({"domain": "a.example.com", "subject_alt_names": ["a.example.com", "b.example.com"],
                   "not_after": "2027-01-01T00:00:00Z", "status": "issued", "in_use": true,
                   "bound_resources": ["clb-1"]})
        );
        assert_eq!(used.region, None);
        for unknown in [None, Some(Vec::new())] {
            let asset = asset(&place, certificate(unknown));
            assert!(!asset.fields.contains_key("in_use") && !asset.fields.contains_key("bound_resources"));
        }
    }

    #[test]
    fn a_zero_date_is_absent_and_an_unreadable_one_is_reported() {
        let record = serde_json::json!({"End": "0000-00-00 00:00:00", "Begin": "soon", "At": "2025-01-01"});
        let node = Node::root(&record, std::path::Path::new("a.json"));
        let mut out = Estate::default();
        let parse = |text: &str| crate::time::utc_day(text, true).map(crate::time::format);
        assert_eq!(time(&mut out, &node, "End", "a date", parse).unwrap(), None);
        assert_eq!(time(&mut out, &node, "Begin", "a date", parse).unwrap(), None);
        assert_eq!(time(&mut out, &node, "At", "a date", parse).unwrap().as_deref(), Some("2025-01-01T23:59:59Z"));
        assert_eq!(time(&mut out, &node, "Missing", "a date", parse).unwrap(), None);
        let (_, report) = out.finish("2026-11-20T08:00:00Z".to_owned());
        let issues = serde_json::to_string(&report).unwrap();
        assert!(issues.contains("`soon` is not a date: left out") && !issues.contains("0000"), "{issues}");
    }
}
