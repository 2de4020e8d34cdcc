//! Certificates: `ssl.DescribeCertificates`, account-wide (SSL Certificates, API 2019-12-05).
//! `CertBeginTime` / `CertEndTime` are zone-less Beijing times ("时区为GMT+8:00", api.json);
//! `Status` is a code 0 to 15 (api.json's `Certificates.Status`); `BoundResource` lists the
//! resources a certificate is deployed to, documented as "暂不可用" (not yet available), so only
//! a list that names something is read.

use crate::answers::{Answers, Place};
use crate::certificate::{self, Certificate};
use crate::estate::Estate;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::time;

use super::{masked, resource_name, tags};

/// Normalizes the account's certificates.
pub(super) fn build(answers: &Answers, out: &mut Estate, place: &Place<'_>) {
    certificate::build(answers, out, place, "ssl.DescribeCertificates", &["Certificates"], masked, |out, record| {
        read(out, place, record)
    });
}

fn read(out: &mut Estate, place: &Place<'_>, record: &Node<'_>) -> Result<(Certificate, Option<String>), FieldError> {
    let id = record.str("CertificateId")?.to_owned();
    let beijing = |text: &str| time::local(text, time::BEIJING).map(time::format);
    let what = "a time `YYYY-MM-DD HH:MM:SS` (Beijing time)";
    let code = record.int("Status")?;
    let status = status(code);
    if status.is_none() {
        out.issue(
            IssueKind::NotNormalized,
            &record.need("Status")?,
            format!("unknown certificate status {code}: left out"),
        );
    }
    let certificate = Certificate {
        name: record.opt_str("Alias")?.map(str::to_owned),
        domain: record.opt_str("Domain")?.map(str::to_owned),
        subject_alt_names: record.strings(&["SubjectAltName"])?,
        not_after: certificate::time(out, record, "CertEndTime", what, beijing)?,
        not_before: certificate::time(out, record, "CertBeginTime", what, beijing)?,
        status,
        issuer: record.opt_str("ProductZhName")?.map(str::to_owned),
        bound_resources: Some(record.strings(&["BoundResource"])?),
        tags: tags(out, record, "Tags")?,
        id,
    };
    let name = resource_name(place, "ssl", &format!("certificate/{}", certificate.id));
    Ok((certificate, Some(name)))
}

/// The network pack's word for a `Status` code: 0 under review, 1 approved (issued), 2 review
/// failed, 3 expired, 4 DNS record added, 5 enterprise certificate awaiting documents, 6 order
/// being cancelled, 7 cancelled, 8 documents submitted awaiting the confirmation letter, 9 being
/// revoked, 10 revoked, 11 being reissued, 12 awaiting the revocation letter, 13 free
/// certificate awaiting documents, 14 refunded, 15 being migrated.
fn status(code: i64) -> Option<&'static str> {
    Some(match code {
        0 | 4 | 5 | 8 | 13 => "pending",
        1 => "issued",
        2 => "failed",
        3 => "expired",
        6 | 7 => "cancelled",
        9 | 12 => "revoking",
        10 => "revoked",
        11 => "reissuing",
        14 => "refunded",
        15 => "migrating",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::raw::{GLOBAL, Provider};

    #[test]
    fn times_are_beijing_and_an_unreadable_one_is_left_out() {
        let record = json!({"CertificateId": "c-1", "Status": 10, "Domain": "a.example.com",
            "CertBeginTime": "2024-11-06 08:00:0x", "CertEndTime": "2025-12-02 07:59:59",
            "SubjectAltName": ["a.example.com"], "BoundResource": [""]});
        let node = Node::root(&record, Path::new("ssl.DescribeCertificates.json"));
        let place = Place { provider: Provider::Tencent, account: "100000000001", region: GLOBAL };
        let mut out = Estate::default();
        let (certificate, name) = read(&mut out, &place, &node).unwrap();
        assert_eq!(certificate.not_after.as_deref(), Some("2025-12-01T23:59:59Z"));
        assert_eq!(certificate.not_before, None);
        assert_eq!(certificate.status, Some("revoked"));
        assert_eq!(certificate.bound_resources, Some(Vec::new()));
        assert_eq!(name.as_deref(), Some("qcs::ssl::uin/100000000001:certificate/c-1"));
        assert_eq!(status(16), None);
    }
}
