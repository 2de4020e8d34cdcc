//! ActionTrail events: an `Events[]` item of a `LookupEvents` answer, a record of a delivered
//! file (the same fields), or a Log Service row whose `event` field holds the record as a JSON
//! string. `eventTime` is UTC (`2021-08-04T06:11:36Z`, per the ActionTrail field reference).
//!
//! A console sign-in (`ConsoleSignin`) becomes a `ConsoleLogin`; a call a cloud service made
//! for the account (`userIdentity.type` `system`, an `invokedBy`, or a `sourceIpAddress` that is
//! a service host such as `ecs.aliyuncs.com`) a `ServiceCall`; any other call signed with an
//! access key an `ApiCall`. Masked values are reported and the record left out: an address or
//! a key is never invented.

use serde_json::Value;

use crate::estate::Estate;
use crate::net;
use crate::node::{FieldError, Node};
use crate::report::IssueKind;
use crate::snapshot::{ApiCall, ConsoleLogin, Event, ServiceCall};
use crate::time;

use super::masked;

/// One ActionTrail record as a snapshot event; `Ok(None)` for a record left out after an issue
/// was reported (a masked key or address).
pub(crate) fn record(out: &mut Estate, node: &Node<'_>, account: &str) -> Result<Option<Event>, FieldError> {
    if let Some(row) = node.get("event") {
        let text = row.as_str()?;
        let event: Value =
            serde_json::from_str(text).map_err(|err| row.error(format!("`event` is not JSON: {err}")))?;
        return record(out, &Node { value: &event, ..row }, account);
    }
    let name = node.str("eventName")?;
    let time = time::rfc3339(node.str("eventTime")?)
        .map(time::format)
        .ok_or_else(|| node.error("expected `eventTime` as an ISO 8601 UTC time"))?;
    let identity = node.need("userIdentity")?;
    let (success, error_code) = outcome(node)?;
    let kind = node.opt_str("eventType")?.unwrap_or(name);
    if kind == "ConsoleSignin" {
        let Some(source_ip) = address(out, node)? else { return Ok(None) };
        let user_id = match identity.opt_str("type")? {
            Some("root-account") => identity.opt_text("accountId")?.unwrap_or_else(|| account.to_owned()),
            _ => identity.text("principalId")?,
        };
        if masked(&user_id) {
            out.issue(
                IssueKind::Masked,
                &identity,
                format!("the signed-in identity `{user_id}` is masked: the event is left out"),
            );
            return Ok(None);
        }
        let mfa_used = mfa(node, &identity)?;
        return Ok(Some(Event::ConsoleLogin(ConsoleLogin {
            time,
            user_id,
            source_ip,
            success,
            mfa_used,
            country: None,
        })));
    }
    let service = node.str("serviceName")?.to_ascii_lowercase();
    let key = identity.opt_str("accessKeyId")?;
    if let Some(key) = key.filter(|key| masked(key)) {
        out.issue(IssueKind::Masked, &identity, format!("the key id `{key}` is masked: the event is left out"));
        return Ok(None);
    }
    let region = node.opt_str("acsRegion")?.map(str::to_owned);
    let resource = resource(out, node)?;
    let principal_id = identity.opt_text("principalId")?;
    if let Some(invoked_by) = invoked_by(node, &identity)? {
        return Ok(Some(Event::ServiceCall(ServiceCall {
            time,
            invoked_by,
            service,
            action: name.to_owned(),
            access_key_id: key.map(str::to_owned),
            principal_id,
            region,
            resource,
            success,
            error_code,
        })));
    }
    let Some(access_key_id) = key else {
        let message = format!(
            "`{kind}` record without `userIdentity.accessKeyId` (a console session): no v1 event holds it, an ApiCall needs the key that signed it"
        );
        return Err(node.error(message));
    };
    let Some(source_ip) = address(out, node)? else { return Ok(None) };
    Ok(Some(Event::ApiCall(ApiCall {
        time,
        access_key_id: access_key_id.to_owned(),
        principal_id,
        source_ip,
        user_agent: node.str("userAgent")?.to_owned(),
        service,
        action: name.to_owned(),
        region,
        resource,
        success,
        error_code,
    })))
}

/// The caller's address; `None` after reporting a masked one (`192.168.XX.XX`). Anything else
/// that is not an address (`Internal`, a host name) is an error naming it.
fn address(out: &mut Estate, node: &Node<'_>) -> Result<Option<String>, FieldError> {
    let text = node.str("sourceIpAddress")?;
    match net::ip(text) {
        Ok(ip) => Ok(Some(ip)),
        Err(_) if masked(text) => {
            out.issue(IssueKind::Masked, node, format!("the source address `{text}` is masked: the event is left out"));
            Ok(None)
        }
        Err(_) => Err(node.need("sourceIpAddress")?.expected("an IP address")),
    }
}

/// The service that made the call, when a service made it: `userIdentity.invokedBy`, a
/// service host in `sourceIpAddress`, or the `userName` of a `system` identity.
fn invoked_by(node: &Node<'_>, identity: &Node<'_>) -> Result<Option<String>, FieldError> {
    if let Some(service) = identity.opt_str("invokedBy")? {
        return Ok(Some(service.to_owned()));
    }
    let source = node.opt_str("sourceIpAddress")?.unwrap_or_default();
    if is_service_host(source) {
        return Ok(Some(source.to_owned()));
    }
    if identity.opt_str("type")? == Some("system") {
        return Ok(Some(identity.opt_str("userName")?.unwrap_or("system").to_owned()));
    }
    Ok(None)
}

/// `ecs.aliyuncs.com`, `oss.aliyuncs.com`: a cloud service's host, not an address.
fn is_service_host(text: &str) -> bool {
    net::ip(text).is_err()
        && !masked(text)
        && text.ends_with(".aliyuncs.com")
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
}

/// Success unless `errorCode` or `errorMessage` says otherwise.
fn outcome(node: &Node<'_>) -> Result<(bool, Option<String>), FieldError> {
    let code = node.opt_text("errorCode")?;
    let failed = code.is_some() || node.opt_str("errorMessage")?.is_some();
    Ok((!failed, code))
}

/// Whether the sign-in used MFA: `additionalEventData.isMFAChecked` (root sign-ins) or
/// `mfaChecked` (RAM user sign-ins), else the session's `mfaAuthenticated`; a record that says
/// none of these is not read as "no MFA".
fn mfa(node: &Node<'_>, identity: &Node<'_>) -> Result<bool, FieldError> {
    let data = node.get("additionalEventData");
    for key in ["isMFAChecked", "mfaChecked"] {
        if let Some(flag) = data.as_ref().map(|data| data.opt_flag(key)).transpose()?.flatten() {
            return Ok(flag);
        }
    }
    match identity.at(&["sessionContext", "attributes", "mfaAuthenticated"]) {
        Some(flag) => flag.as_flag(),
        None => Err(node.error("expected `additionalEventData.isMFAChecked` or `mfaChecked`")),
    }
}

/// The resource the call targeted: `resourceName`, else the one resource `referencedResources`
/// names (several leave it unset: which one the call targeted is not said). A masked id is
/// reported and left unset.
fn resource(out: &mut Estate, node: &Node<'_>) -> Result<Option<String>, FieldError> {
    let mut ids = Vec::new();
    if let Some(name) = node.opt_str("resourceName")? {
        ids.push((name.to_owned(), node.need("resourceName")?));
    } else if let Some(Value::Object(kinds)) = node.get("referencedResources").map(|found| found.value) {
        for kind in kinds.keys() {
            let at = node.at(&["referencedResources", kind.as_str()]).ok_or_else(|| node.error("a resource list"))?;
            for id in at.items() {
                ids.push((id.as_str()?.to_owned(), id));
            }
        }
    }
    match ids.as_slice() {
        [(id, at)] if masked(id) => {
            out.issue(IssueKind::Masked, at, format!("the resource id `{id}` is masked: resource left unset"));
            Ok(None)
        }
        [(id, _)] => Ok(Some(id.clone())),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn read(value: &Value) -> (Result<Option<Event>, FieldError>, Estate) {
        let mut out = Estate::default();
        let result = record(&mut out, &Node::root(value, Path::new("e.json")), "5000000000000002");
        (result, out)
    }

    #[test]
    fn a_service_made_call_is_a_service_call() {
        let event = json!({"eventName": "DeleteDisk", "eventTime": "2022-10-22T21:52:00Z", "eventType": "ApiCall",
            "serviceName": "Ecs", "sourceIpAddress": "ecs.aliyuncs.com", "userAgent": "ecs.aliyuncs.com",
            "acsRegion": "cn-hangzhou", "userIdentity": {"type": "system", "userName": "ecs.aliyuncs.com"}});
        let Ok(Some(Event::ServiceCall(call))) = read(&event).0 else { panic!("not a ServiceCall") };
        assert_eq!((call.invoked_by.as_str(), call.service.as_str(), call.success), ("ecs.aliyuncs.com", "ecs", true));
    }

    #[test]
    fn an_sls_row_carries_the_record_as_a_string() {
        let inner = json!({"eventName": "UpdateTrail", "eventTime": "2016-01-06T03:29:15Z", "eventType": "ApiCall",
            "serviceName": "Actiontrail", "sourceIpAddress": "42.120.74.96", "userAgent": "aliyuncli/2.0.6",
            "errorCode": "Forbidden.RAM",
            "userIdentity": {"type": "ram-user", "principalId": "274180646548292385", "accessKeyId": "f6IzzFZMmzNwEI4d"}});
        let row = json!({"__topic__": "actiontrail_audit_event", "event": inner.to_string()});
        let Ok(Some(Event::ApiCall(call))) = read(&row).0 else { panic!("not an ApiCall") };
        assert_eq!((call.access_key_id.as_str(), call.source_ip.as_str()), ("f6IzzFZMmzNwEI4d", "42.120.74.96"));
        assert_eq!((call.success, call.error_code.as_deref()), (false, Some("Forbidden.RAM")));
    }

    #[test]
    fn sign_ins_name_the_user_or_the_account_and_masked_addresses_are_reported() {
        let ram_user = json!({"eventName": "ConsoleSignin", "eventType": "ConsoleSignin", "eventTime": "2021-01-01T00:00:00Z",
            "sourceIpAddress": "203.0.113.7", "errorCode": "", "errorMessage": "",
            "userIdentity": {"type": "ram-user", "principalId": "238902601002291", "accountId": "1"},
            "additionalEventData": {"mfaChecked": "true"}});
        let Ok(Some(Event::ConsoleLogin(login))) = read(&ram_user).0 else { panic!("not a ConsoleLogin") };
        assert_eq!((login.user_id.as_str(), login.mfa_used, login.success), ("238902601002291", true, true));
        let mut masked = ram_user.clone();
        masked["sourceIpAddress"] = json!("192.168.XX.XX");
        let (result, out) = read(&masked);
        assert!(matches!(result, Ok(None)));
        assert_eq!(out.report.count(IssueKind::Masked), 1);
        let mut internal = ram_user;
        internal["sourceIpAddress"] = json!("Internal");
        assert!(read(&internal).0.unwrap_err().message.contains("expected an IP address"));
    }
}
