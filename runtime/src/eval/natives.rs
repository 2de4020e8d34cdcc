//! Adapters from store records to the native builtins' models, and the calls themselves.
//!
//! Field positions are looked up by name once, when the engine starts; policy documents are
//! parsed once per run and shared by every question asked of them.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use super::exec::Native;
use super::interp::{Eval, EvalError};
use super::lookups::Lookups;
use crate::builtins::{iam, net};
use crate::graph::Node;
use crate::plan::{Plan, TypeIdx};
use crate::snapshot::{Seeded, Store};
use crate::value::{Record, Value};

/// Positions of the fields natives read, by type. Absent when the plan's schema lacks the
/// type; a native that needs it then fails with a clear error.
#[derive(Debug, Default)]
struct Schema {
    security_group: Option<TypeIdx>,
    /// Positions in `SgRule`, resolved once: rules are converted on every `sg_allows` call.
    sg_rule: SgRuleFields,
    user: Option<TypeIdx>,
    group: Option<TypeIdx>,
    role: Option<TypeIdx>,
    account: Option<TypeIdx>,
    policy: Option<TypeIdx>,
    bucket: Option<TypeIdx>,
    access_key: Option<TypeIdx>,
}

#[derive(Debug, Default)]
struct SgRuleFields {
    priority: Option<usize>,
    protocol: Option<usize>,
    port_from: Option<usize>,
    port_to: Option<usize>,
    cidr: Option<usize>,
    source_group_id: Option<usize>,
    action: Option<usize>,
}

impl SgRuleFields {
    fn new(plan: &Plan) -> Self {
        let Some(def) = plan.types.iter().find(|t| t.qualified == "std.schema.SgRule") else { return Self::default() };
        let at = |name: &str| def.field_index(name);
        SgRuleFields {
            priority: at("priority"),
            protocol: at("protocol"),
            port_from: at("port_from"),
            port_to: at("port_to"),
            cidr: at("cidr"),
            source_group_id: at("source_group_id"),
            action: at("action"),
        }
    }
}

pub(crate) struct Natives<'a> {
    plan: &'a Plan,
    store: &'a Store,
    schema: Schema,
    /// Per type, each field's position by name: natives read fields by name for every event,
    /// and a scan of the type's field names showed in profiles.
    field_positions: Vec<HashMap<Arc<str>, usize, Seeded>>,
    /// Parsed documents of every `Policy` asset, by id.
    policies: HashMap<Arc<str>, Arc<iam::PolicyDocument>>,
    lookups: Lookups<'a>,
    /// Users' and roles' effective policy documents, by (type, id).
    principal_documents: std::sync::OnceLock<HashMap<TypeIdx, DocumentsById, Seeded>>,
}

/// Principals' documents by id, within one type.
type DocumentsById = HashMap<Arc<str>, Documents, Seeded>;

/// A principal's parsed policy documents.
type Documents = Box<[Arc<iam::PolicyDocument>]>;

fn err<T>(message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError(message.into()))
}

impl<'a> Natives<'a> {
    pub(crate) fn new(plan: &'a Plan, store: &'a Store) -> Self {
        let find = |name: &str| schema_type(plan, name);
        let schema = Schema {
            security_group: find("SecurityGroup"),
            sg_rule: SgRuleFields::new(plan),
            user: find("User"),
            group: find("Group"),
            role: find("Role"),
            account: find("Account"),
            policy: find("Policy"),
            bucket: find("Bucket"),
            access_key: find("AccessKey"),
        };
        let lookups = Lookups::new(plan, store);
        let mut natives = Natives {
            plan,
            store,
            schema,
            field_positions: plan
                .types
                .iter()
                .map(|t| t.fields.iter().enumerate().rev().map(|(i, f)| (Arc::from(f.name.as_str()), i)).collect())
                .collect(),
            policies: HashMap::new(),
            lookups,
            principal_documents: std::sync::OnceLock::new(),
        };
        natives.policies = natives.parse_policies();
        natives
    }

    fn parse_policies(&self) -> HashMap<Arc<str>, Arc<iam::PolicyDocument>> {
        let Some(ty) = self.schema.policy else { return HashMap::new() };
        let mut out = HashMap::new();
        for record in self.store.rows(ty) {
            let (Some(id), Some(doc)) =
                (self.get(record, "id").as_str().map(Arc::from), self.document(self.get(record, "document")))
            else {
                continue;
            };
            out.insert(id, Arc::new(doc));
        }
        out
    }

    /// A `PolicyDocument` record as the IAM model.
    fn document(&self, value: &Value) -> Option<iam::PolicyDocument> {
        let json = value.to_json(&|ty| self.field_names(ty));
        iam::PolicyDocument::from_json(&json).ok()
    }

    fn field_names(&self, ty: TypeIdx) -> Vec<String> {
        self.plan.types.get(ty as usize).map(|t| t.fields.iter().map(|f| f.name.clone()).collect()).unwrap_or_default()
    }

    /// The type name and id of a graph node, as path hops and drawings show them.
    pub(crate) fn describe(&self, node: Node) -> (String, String) {
        match node.ty {
            None => ("Internet".to_owned(), "Internet".to_owned()),
            Some(ty) => {
                let name = self.plan.types.get(ty as usize).map_or_else(String::new, |t| t.name.clone());
                let id = self.store.rows(ty).get(node.row as usize).map(|r| self.get(r, "id").to_string());
                (name, id.unwrap_or_default())
            }
        }
    }

    pub(crate) fn field_index(&self, ty: TypeIdx, name: &str) -> Option<usize> {
        self.field_positions.get(ty as usize)?.get(name).copied()
    }

    /// A field of `record` by name, borrowed: `events.is_call_to` reads `service` and `action`
    /// of every call it is asked about, and copying them would write the reference counts of
    /// strings every event shares (from both threads).
    fn get<'r>(&self, record: &'r Record, name: &str) -> &'r Value {
        self.field_index(record.ty(), name).and_then(|i| record.fields().get(i)).unwrap_or(&Value::None)
    }

    /// The asset with this id among `types`.
    pub(crate) fn deref(&self, types: &[TypeIdx], id: &str) -> Option<Record> {
        types.iter().find_map(|ty| self.store.get(*ty, id).cloned())
    }

    pub(crate) fn call(&self, native: Native, args: &[&Value]) -> Eval {
        let arg = |i: usize| args.get(i).copied().unwrap_or(&Value::None);
        match native {
            Native::IsPrivate => Ok(arg(0).ip().map_or(Value::None, |ip| Value::Bool(net::is_private(ip)))),
            Native::SgAllows => {
                let Value::Record(sg) = arg(0) else { return Ok(Value::None) };
                let direction = arg(1).as_str().unwrap_or("ingress");
                let rules = self.sg_rules(sg, if direction == "egress" { "egress" } else { "ingress" })?;
                let sources: Vec<ipnet::IpNet> = match arg(2) {
                    Value::List(items) => items.iter().filter_map(Value::cidr).collect(),
                    Value::Cidr(n) => vec![**n],
                    _ => Vec::new(),
                };
                let protocol = protocol(arg(3).as_str().unwrap_or(""))?;
                let Value::Int(port) = arg(4) else { return Ok(Value::None) };
                Ok(Value::Bool(net::sg_allows(&rules, &sources, protocol, *port)))
            }
            Native::ExposedPorts => {
                let Value::Record(sg) = arg(0) else { return Ok(Value::None) };
                let rules = self.sg_rules(sg, "ingress")?;
                Ok(Value::list(net::exposed_ports(&rules).into_iter().map(Value::Int).collect()))
            }
            Native::ExposedPortCount => {
                let Value::Record(sg) = arg(0) else { return Ok(Value::None) };
                let rules = self.sg_rules(sg, "ingress")?;
                let spans: Vec<(i64, i64)> = list(arg(1))
                    .iter()
                    .filter_map(|span| match list(span) {
                        [Value::Int(from), Value::Int(to)] => Some((*from, *to)),
                        _ => None,
                    })
                    .collect();
                Ok(Value::Int(net::exposed_port_count(&rules, &spans)))
            }
            Native::ReachableFromInternet => {
                let Value::Record(instance) = arg(0) else { return Ok(Value::None) };
                let public_ips: Vec<IpAddr> =
                    list(self.get(instance, "public_ips")).iter().filter_map(Value::ip).collect();
                let sg_type = self.schema.security_group.ok_or_else(|| missing("SecurityGroup"))?;
                let mut groups = Vec::new();
                for id in list(self.get(instance, "security_group_ids")) {
                    if let Some(sg) = id.as_str().and_then(|id| self.store.get(sg_type, id)) {
                        groups.push(self.sg_rules(sg, "ingress")?);
                    }
                }
                let borrowed: Vec<&[net::SgRule]> = groups.iter().map(Vec::as_slice).collect();
                Ok(Value::Bool(net::reachable_from_internet(&public_ips, &borrowed)))
            }
            Native::IamAllows => {
                let action = arg(1).as_str().unwrap_or("");
                let resource = arg(2).as_str().unwrap_or("");
                self.with_evaluation(arg(0), |eval| match arg(3) {
                    Value::Map(context) => {
                        let context: BTreeMap<String, Vec<String>> =
                            context.iter().map(|(k, v)| (k.to_string(), vec![v.to_string()])).collect();
                        eval.allows_in_context(action, resource, &context, iam::ContextKind::Partial)
                    }
                    _ => eval.may_allow(action, resource),
                })
            }
            Native::IsAdmin => self.with_evaluation(arg(0), |eval| eval.is_admin()),
            Native::GrantsAny => {
                let actions: Vec<String> = list(arg(1)).iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
                let refs: Vec<&str> = actions.iter().map(String::as_str).collect();
                self.with_evaluation(arg(0), |eval| eval.grants_any(&refs))
            }
            Native::EffectivePolicies => {
                let Value::Record(principal) = arg(0) else { return Ok(Value::None) };
                let principal = if Some(principal.ty()) == self.schema.access_key {
                    match self.key_owner(principal) {
                        Some(owner) => owner,
                        None => return Ok(Value::list(Vec::new())),
                    }
                } else {
                    principal.clone()
                };
                let policy_type = self.schema.policy.ok_or_else(|| missing("Policy"))?;
                let ids = self.policy_ids(&principal);
                let policies =
                    ids.iter().filter_map(|id| self.store.get(policy_type, id).cloned().map(Value::Record)).collect();
                Ok(Value::list(policies))
            }
            Native::UnusedActions => {
                let Value::Record(key) = arg(0) else { return Ok(Value::None) };
                let owner = self.key_owner(key);
                let docs = owner.as_ref().map(|o| self.documents(o)).unwrap_or_default();
                let evaluation = iam::Evaluation::new(docs.iter().map(Arc::as_ref));
                let granted = evaluation.granted_action_patterns();
                let key_id = self.get(key, "id");
                let used: Vec<String> = self
                    .successful_actions(list(arg(1)), key_id.as_str())
                    .into_iter()
                    .map(|(service, action)| format!("{service}:{action}"))
                    .collect();
                let used_refs: Vec<&str> = used.iter().map(String::as_str).collect();
                Ok(Value::list(iam::unused_actions(&granted, &used_refs).iter().map(|s| Value::str(s)).collect()))
            }
            Native::IsInternal => Ok(arg(0)
                .ip()
                .map_or(Value::None, |ip| Value::Bool(net::is_private(ip) || self.lookups.is_known_address(ip)))),
            Native::InstancesWithIp => {
                Ok(arg(0).ip().map_or_else(|| Value::list(Vec::new()), |ip| self.lookups.instances_with_ip(ip)))
            }
            Native::NetworksContaining => {
                Ok(arg(0).ip().map_or_else(|| Value::list(Vec::new()), |ip| self.lookups.networks_containing(ip)))
            }
            Native::CallsOf => {
                Ok(arg(0).as_str().map_or_else(|| Value::list(Vec::new()), |k| self.lookups.calls_of(k)))
            }
            Native::IsCallTo => {
                let Value::Record(call) = arg(0) else { return Ok(Value::Bool(false)) };
                let (service, action) = (self.get(call, "service"), self.get(call, "action"));
                let (Some(service), Some(action), Value::List(apis)) = (service.as_str(), action.as_str(), arg(1))
                else {
                    return Ok(Value::Bool(false));
                };
                Ok(Value::Bool(apis.iter().any(|api| api.as_str().is_some_and(|api| is_api(api, service, action)))))
            }
            Native::FirstSeenFrom => match (arg(0).as_str(), arg(1).ip()) {
                (Some(key_id), Some(address)) => {
                    Ok(self.lookups.first_seen_from(key_id, address).map_or(Value::None, Value::Time))
                }
                _ => Ok(Value::None),
            },
            Native::LoginsOf => {
                Ok(arg(0).as_str().map_or_else(|| Value::list(Vec::new()), |u| self.lookups.logins_of(u)))
            }
            Native::FirstLoginFrom => match (arg(0).as_str(), arg(1).as_str()) {
                (Some(user_id), Some(country)) => {
                    Ok(self.lookups.first_login_from(user_id, country).map_or(Value::None, Value::Time))
                }
                _ => Ok(Value::None),
            },
            Native::LeakReportsOf => {
                Ok(arg(0).as_str().map_or_else(|| Value::list(Vec::new()), |k| self.lookups.leak_reports_of(k)))
            }
            Native::AccessKey => {
                Ok(arg(0).as_str().and_then(|id| self.lookups.access_key(id)).map_or(Value::None, Value::Record))
            }
            Native::KeysOf => {
                let Value::Record(owner) = arg(0) else { return Ok(Value::list(Vec::new())) };
                Ok(self
                    .get(owner, "id")
                    .as_str()
                    .map_or_else(|| Value::list(Vec::new()), |id| self.lookups.keys_of(id)))
            }
            Native::KeyPolicies => {
                let policy_type = self.schema.policy.ok_or_else(|| missing("Policy"))?;
                let owner = arg(0).as_str().and_then(|id| self.lookups.access_key(id)).and_then(|k| self.key_owner(&k));
                let ids = owner.map(|o| self.policy_ids(&o)).unwrap_or_default();
                let policies =
                    ids.iter().filter_map(|id| self.store.get(policy_type, id).cloned().map(Value::Record)).collect();
                Ok(Value::list(policies))
            }
            Native::CanWriteBucket => {
                let Value::Record(bucket) = arg(1) else { return Ok(Value::None) };
                if Some(bucket.ty()) != self.schema.bucket {
                    return err("`can_write_bucket` needs a Bucket");
                }
                let Some(dialect) = self.get(bucket, "provider").as_str().and_then(dialect) else {
                    return Ok(Value::Bool(false));
                };
                let Some(name) = self.get(bucket, "resource_name").as_str() else {
                    return Ok(Value::Bool(false));
                };
                self.with_evaluation(arg(0), |eval| eval.may_write_bucket(dialect, name))
            }
            Native::MayWriteStorage => {
                let Some(dialect) = arg(1).as_str().and_then(dialect) else {
                    return Ok(Value::Bool(false));
                };
                self.with_evaluation(arg(0), |eval| eval.may_write_storage(dialect))
            }
            Native::TrailsOf => {
                Ok(arg(0).as_str().map_or_else(|| Value::list(Vec::new()), |id| self.lookups.trails_of(id)))
            }
            Native::AllowsAnyPrincipal => {
                Ok(self.document(arg(0)).map_or(Value::Bool(false), |doc| Value::Bool(doc.allows_any_principal())))
            }
            Native::RefusesPlainHttp => {
                let Value::Record(bucket) = arg(0) else { return Ok(Value::None) };
                let refuses = match (
                    self.get(bucket, "provider").as_str().and_then(dialect),
                    self.get(bucket, "resource_name").as_str(),
                    self.document(self.get(bucket, "policy")),
                ) {
                    (Some(dialect), Some(name), Some(policy)) => policy.refuses_plain_http(dialect, name),
                    _ => false,
                };
                Ok(Value::Bool(refuses))
            }
            Native::RecommendedPolicy => {
                let Some(key) = arg(0).as_str().and_then(|id| self.lookups.access_key(id)) else {
                    return Ok(Value::None);
                };
                let Some(dialect) = self.get(&key, "provider").as_str().and_then(dialect) else {
                    return Ok(Value::None);
                };
                let calls = self.lookups.calls_of(arg(0).as_str().unwrap_or_default());
                let used = self.successful_actions(list(&calls), None);
                Ok(Value::Json(Arc::new(iam::least_privilege(dialect, &used))))
            }
        }
    }

    /// Builds the indexes over events that `natives` read, on every thread
    /// ([`Lookups::prepare`]).
    pub(super) fn prepare_lookups(&self, natives: impl IntoIterator<Item = Native>) {
        self.lookups.prepare(natives);
    }

    /// The distinct `(service, action)`s of the successful calls among `calls` (only those
    /// signed with `key`, when given), borrowed from the calls. The fields are located once per
    /// event type, not by name for every call: a key's advice reads all of its calls, and
    /// the advice only asks which actions were used, not how often.
    fn successful_actions<'c>(&self, calls: &'c [Value], key: Option<&str>) -> Vec<(&'c str, &'c str)> {
        let mut located: Option<(TypeIdx, [Option<usize>; 4])> = None;
        let used: BTreeSet<(&str, &str)> = calls
            .iter()
            .filter_map(|call| {
                let Value::Record(c) = call else { return None };
                let at = match located {
                    Some((ty, at)) if ty == c.ty() => at,
                    _ => {
                        let at = ["success", "access_key_id", "service", "action"].map(|n| self.field_index(c.ty(), n));
                        located = Some((c.ty(), at));
                        at
                    }
                };
                let field = |i: Option<usize>| i.and_then(|i| c.fields().get(i)).unwrap_or(&Value::None);
                let signed = key.is_none_or(|k| field(at[1]).as_str() == Some(k));
                if field(at[0]).as_bool() != Some(true) || !signed {
                    return None;
                }
                field(at[2]).as_str().zip(field(at[3]).as_str())
            })
            .collect();
        used.into_iter().collect()
    }

    /// Runs `question` on the principal's (or document's) effective policies.
    fn with_evaluation(&self, subject: &Value, question: impl Fn(&iam::Evaluation<'_>) -> bool) -> Eval {
        let Value::Record(record) = subject else { return Ok(Value::None) };
        if Some(record.ty()) == self.schema.account {
            return Ok(Value::Bool(question(&iam::Evaluation::root())));
        }
        if Some(record.ty()) == self.schema.access_key {
            // A key acts with its owner's permissions; a root key with the account's.
            if self.get(record, "owner_kind").as_str() == Some("root") {
                return Ok(Value::Bool(question(&iam::Evaluation::root())));
            }
            return match self.key_owner(record) {
                Some(owner) => self.with_evaluation(&Value::Record(owner), question),
                None => Ok(Value::Bool(false)),
            };
        }
        let docs: Cow<'_, [Arc<iam::PolicyDocument>]> = if Some(record.ty()) == self.schema.policy {
            self.get(record, "id").as_str().and_then(|id| self.policies.get(id)).cloned().into_iter().collect()
        } else if Some(record.ty()) == self.schema.user || Some(record.ty()) == self.schema.role {
            self.documents(record)
        } else {
            self.document(subject).map(Arc::new).into_iter().collect()
        };
        let evaluation = iam::Evaluation::new(docs.iter().map(Arc::as_ref));
        Ok(Value::Bool(question(&evaluation)))
    }

    /// Parsed documents of a principal's effective policies. Every user's and role's are
    /// gathered once per run, the first time one is asked for, and lent: an edge asks this for
    /// every (role, bucket) pair, from every thread.
    fn documents(&self, principal: &Record) -> Cow<'_, [Arc<iam::PolicyDocument>]> {
        let index = self.principal_documents.get_or_init(|| {
            let mut index: HashMap<TypeIdx, DocumentsById, Seeded> = HashMap::default();
            for ty in [self.schema.user, self.schema.role].into_iter().flatten() {
                for record in self.store.rows(ty) {
                    if let Some(id) = self.get(record, "id").as_str() {
                        index.entry(ty).or_default().insert(Arc::from(id), self.gather_documents(record).into());
                    }
                }
            }
            index
        });
        let id = self.get(principal, "id");
        match id.as_str().and_then(|id| index.get(&principal.ty())?.get(id)) {
            Some(docs) => Cow::Borrowed(docs),
            None => Cow::Owned(self.gather_documents(principal)),
        }
    }

    fn gather_documents(&self, principal: &Record) -> Vec<Arc<iam::PolicyDocument>> {
        self.policy_ids(principal).iter().filter_map(|id| self.policies.get(id.as_str()).cloned()).collect()
    }

    /// Policy ids attached to a user or a role: direct ones first, then each group's, in order,
    /// without repeats (std.iam's `effective_policies` order).
    fn policy_ids(&self, principal: &Record) -> Vec<String> {
        let mut ids: Vec<String> =
            list(self.get(principal, "policy_ids")).iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
        if Some(principal.ty()) == self.schema.user
            && let Some(group_type) = self.schema.group
        {
            for group_id in list(self.get(principal, "group_ids")) {
                if let Some(group) = group_id.as_str().and_then(|id| self.store.get(group_type, id)) {
                    ids.extend(
                        list(self.get(group, "policy_ids")).iter().filter_map(|v| v.as_str().map(str::to_owned)),
                    );
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        ids
    }

    /// The user, role or account that owns an access key.
    fn key_owner(&self, key: &Record) -> Option<Record> {
        let id = self.get(key, "owner_id");
        let id = id.as_str()?;
        [self.schema.user, self.schema.role, self.schema.account]
            .into_iter()
            .flatten()
            .find_map(|ty| self.store.get(ty, id).cloned())
    }

    fn sg_rules(&self, sg: &Record, direction: &str) -> Result<Vec<net::SgRule>, EvalError> {
        list(self.get(sg, direction)).iter().map(|rule| self.sg_rule(rule)).collect()
    }

    fn sg_rule(&self, rule: &Value) -> Result<net::SgRule, EvalError> {
        let Value::Record(r) = rule else { return err("a security-group rule is not a record") };
        let f = &self.schema.sg_rule;
        let field = |at: Option<usize>| at.and_then(|i| r.fields().get(i)).unwrap_or(&Value::None);
        let int = |at: Option<usize>| match field(at) {
            Value::Int(i) => *i,
            _ => 0,
        };
        Ok(net::SgRule {
            priority: int(f.priority),
            protocol: protocol(field(f.protocol).as_str().unwrap_or(""))?,
            port_from: int(f.port_from),
            port_to: int(f.port_to),
            cidr: field(f.cidr).cidr(),
            source_group_id: field(f.source_group_id).as_str().map(str::to_owned),
            action: if field(f.action).as_str() == Some("accept") {
                net::SgAction::Accept
            } else {
                net::SgAction::Drop
            },
        })
    }
}

/// The index of the standard schema's type `name` (`std.schema.<name>`) in the plan.
pub(crate) fn schema_type(plan: &Plan, name: &str) -> Option<TypeIdx> {
    plan.types.iter().position(|t| t.qualified.strip_prefix("std.schema.") == Some(name)).map(|i| i as TypeIdx)
}

fn protocol(text: &str) -> Result<net::Protocol, EvalError> {
    Ok(match text {
        "tcp" => net::Protocol::Tcp,
        "udp" => net::Protocol::Udp,
        "icmp" => net::Protocol::Icmp,
        "all" => net::Protocol::All,
        other => return err(format!("unknown protocol `{other}`")),
    })
}

/// The policy grammar of a provider: `tencent` writes CAM, `alibaba` RAM.
fn dialect(provider: &str) -> Option<iam::Dialect> {
    match provider {
        "tencent" => Some(iam::Dialect::Cam),
        "alibaba" => Some(iam::Dialect::Ram),
        _ => None,
    }
}

fn list(value: &Value) -> &[Value] {
    match value {
        Value::List(items) => items,
        _ => &[],
    }
}

fn missing(ty: &str) -> EvalError {
    EvalError(format!("the plan's schema has no `{ty}` type, which this builtin needs"))
}

/// Whether `api`, written `service:action`, names this call, ignoring ASCII case.
fn is_api(api: &str, service: &str, action: &str) -> bool {
    api.split_once(':').is_some_and(|(s, a)| s.eq_ignore_ascii_case(service) && a.eq_ignore_ascii_case(action))
}

#[cfg(test)]
mod tests {
    use super::is_api;

    #[test]
    fn an_api_matches_service_and_action_ignoring_ascii_case() {
        assert!(is_api("kms:DisableKey", "KMS", "disablekey"));
        assert!(!is_api("kms:DisableKey", "kms", "EnableKey"));
        assert!(!is_api("kms:DisableKey", "ram", "DisableKey"));
        assert!(!is_api("DisableKey", "kms", "DisableKey"), "an entry without a service names nothing");
    }
}
