//! Certificates: `cas.DescribeUserCertificateList`, account-wide (Certificate Management
//! Service, API 2018-07-13; the one certificate list with a published example answer). `id` is
//! a number; `startDate` / `endDate` are dates without a time (the date in UTC of the
//! certificate's first and last instant: a third-party capture of the newer
//! ListUserCertificateOrder shows `"EndDate": "2025-08-02"` with `CertEndTime` 1754179199000,
//! 2025-08-02T23:59:59Z), read as that day's first and last second; `sans` is one
//! comma-separated string; `expired` is the service's own verdict. The list says nothing about
//! where a certificate is deployed, and RAM authorises certificate actions on `*` only, so
//! there is no resource name.

use std::collections::BTreeMap;

use crate::answers::{Answers, Place};
use crate::certificate::{self, Certificate};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::time;

use super::masked;

/// Normalizes the account's certificates.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    certificate::build(answers, out, place, "cas.DescribeUserCertificateList", &["CertificateList"], masked, read);
}

fn read(out: &mut Estate, record: &Node<'_>) -> Result<(Certificate, Option<String>), FieldError> {
    let day = |last: bool| move |text: &str| time::utc_day(text, last).map(time::format);
    let what = "a date `YYYY-MM-DD`";
    let sans = record.opt_str("sans")?.unwrap_or_default();
    let certificate = Certificate {
        id: record.text("id")?,
        name: record.opt_str("name")?.map(str::to_owned),
        domain: record.opt_str("common")?.map(str::to_owned),
        subject_alt_names: sans.split(',').map(|name| name.trim().to_owned()).collect(),
        not_after: certificate::time(out, record, "endDate", what, day(true))?,
        not_before: certificate::time(out, record, "startDate", what, day(false))?,
        status: Some(if record.flag("expired")? { "expired" } else { "issued" }),
        issuer: record.opt_str("issuer")?.map(str::to_owned),
        bound_resources: None,
        tags: BTreeMap::new(),
    };
    Ok((certificate, None))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    #[test]
    fn dates_cover_whole_utc_days_and_sans_split_on_commas() {
        let record = json!({"id": 763762, "name": "web", "common": "a.example.com", "sans": "a.example.com, b.example.com",
            "startDate": "2017-10-16", "endDate": "2027-10-14", "expired": true, "issuer": "DigiCert"});
        let node = Node::root(&record, Path::new("cas.DescribeUserCertificateList.json"));
        let (certificate, name) = read(&mut Estate::default(), &node).unwrap();
        assert_eq!(certificate.id, "763762");
        assert_eq!(certificate.subject_alt_names, ["a.example.com", "b.example.com"]);
        assert_eq!(certificate.not_after.as_deref(), Some("2027-10-14T23:59:59Z"));
        assert_eq!(certificate.not_before.as_deref(), Some("2017-10-16T00:00:00Z"));
        assert_eq!(certificate.status, Some("expired"));
        assert_eq!(name, None);
    }
}
