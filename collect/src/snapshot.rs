//! The records an import writes: v1 snapshot assets and events (SNAPSHOT.md), and the
//! document around them. Assets are kept by (type, id) and events in a stable order, so the same
//! RAW folder gives the same bytes.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::coverage::CoverageEntry;
use crate::raw::Provider;

/// The asset type names of SNAPSHOT.md that more than one normalizer writes.
pub mod kind {
    pub const ACCOUNT: &str = "Account";
    pub const USER: &str = "User";
    pub const GROUP: &str = "Group";
    pub const ROLE: &str = "Role";
    pub const POLICY: &str = "Policy";
    pub const ACCESS_KEY: &str = "AccessKey";
    /// An account's CAM / RAM password policy (pack `iam`).
    pub const PASSWORD_POLICY: &str = "IamPasswordPolicy";
}

/// The format string of the snapshots written.
pub const FORMAT: &str = "rulec.snapshot/v1";

/// One asset: the fields every asset has, then its type's own fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Asset {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub provider: String,
    pub account: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub tags: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

impl Asset {
    /// An asset with the common fields set and no own fields yet.
    pub fn new(
        kind: &'static str,
        id: impl Into<String>,
        provider: Provider,
        account: &str,
        region: Option<String>,
    ) -> Asset {
        Asset {
            kind,
            id: id.into(),
            provider: provider.as_str().to_owned(),
            account: account.to_owned(),
            region,
            name: None,
            tags: BTreeMap::new(),
            resource_name: None,
            fields: BTreeMap::new(),
        }
    }

    /// Sets a type-specific field.
    pub fn set(&mut self, field: &'static str, value: impl Into<Value>) -> &mut Asset {
        self.fields.insert(field.to_owned(), value.into());
        self
    }

    /// Sets an optional field when there is a value.
    pub fn set_some(&mut self, field: &'static str, value: Option<impl Into<Value>>) -> &mut Asset {
        if let Some(value) = value {
            self.fields.insert(field.to_owned(), value.into());
        }
        self
    }
}

/// One event record.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Event {
    ApiCall(ApiCall),
    ConsoleLogin(ConsoleLogin),
    LeakReport(LeakReport),
    ServiceCall(ServiceCall),
}

impl Event {
    /// The event's time, RFC 3339 in UTC.
    pub fn time(&self) -> &str {
        match self {
            Event::ApiCall(event) => &event.time,
            Event::ConsoleLogin(event) => &event.time,
            Event::LeakReport(event) => &event.time,
            Event::ServiceCall(event) => &event.time,
        }
    }
}

/// An API request signed with an access key.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApiCall {
    pub time: String,
    pub access_key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    pub source_ip: String,
    pub user_agent: String,
    pub service: String,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// A request a cloud service made on the account's behalf (ActionTrail `sourceIpAddress`
/// `ecs.aliyuncs.com`, `userIdentity.type` `system`): legitimate, and not an AK's doing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceCall {
    pub time: String,
    /// The service that made the call, as the trail names it (e.g. `ecs.aliyuncs.com`).
    pub invoked_by: String,
    pub service: String,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// A console login attempt.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsoleLogin {
    pub time: String,
    pub user_id: String,
    pub source_ip: String,
    pub success: bool,
    pub mfa_used: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A key seen in a public place.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeakReport {
    pub time: String,
    pub access_key_id: String,
    pub url: String,
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

/// The snapshot document an import writes.
#[derive(Debug, Serialize)]
pub struct Snapshot {
    pub format: &'static str,
    pub taken_at: String,
    pub assets: Vec<Asset>,
    pub events: Vec<Event>,
    pub coverage: Vec<CoverageEntry>,
}
