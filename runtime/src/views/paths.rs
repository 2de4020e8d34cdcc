//! The attack paths of the path findings, as graphs to draw: named nodes, and edges labelled
//! with why they hold (the open ports, the bound role, the granting policies).

use serde::Serialize;
use serde_json::Value as Json;

use super::KeyMask;
use crate::eval::{Engine, EvalError};
use crate::plan::{Plan, Severity};
use crate::report::Finding;
use crate::snapshot::Store;
use crate::value::Value;

/// How many ports or policies an edge label lists before "+N".
const LISTED: usize = 4;

#[derive(Clone, Debug, Default, Serialize)]
pub struct PathsView {
    /// Path findings in the run.
    pub total: usize,
    /// The first `drawn.len()` of them, in report order; the rest are only counted.
    pub drawn: Vec<PathGraph>,
    pub not_drawn: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct PathGraph {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    /// From the internet (first) to the finding's target (last).
    pub nodes: Vec<PathNode>,
    pub edges: Vec<PathEdge>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PathNode {
    #[serde(rename = "type")]
    pub ty: String,
    pub id: String,
    pub name: Option<String>,
    /// The finding's subject: the node the path is about.
    pub target: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct PathEdge {
    /// Indexes into `nodes`.
    pub from: usize,
    pub to: usize,
    /// The edge's name in the packs (`exposes`, `assumes`, `controls`, ...).
    pub edge: String,
    /// Why it holds, for the drawing.
    pub label: String,
}

pub(super) fn view(
    store: &Store,
    engine: &Engine<'_>,
    plan: &Plan,
    findings: &[Finding],
    mask: &KeyMask,
    max: usize,
) -> Result<PathsView, EvalError> {
    let paths: Vec<(&Finding, &Vec<Json>)> = findings
        .iter()
        .filter_map(|f| Some((f, f.evidence.get("hops")?.as_array()?)))
        .filter(|(_, hops)| !hops.is_empty())
        .collect();
    let mut view = PathsView { total: paths.len(), ..PathsView::default() };
    let labels = Labels { store, engine, plan };
    for (finding, hops) in paths.iter().take(max) {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for (i, hop) in hops.iter().enumerate() {
            let text = |k: &str| hop.get(k).and_then(Json::as_str).unwrap_or_default().to_owned();
            let (ty, id) = (text("type"), text("id"));
            let record = labels.record(&ty, &id);
            let shown = if ty == "AccessKey" { mask.key(&id) } else { id.clone() };
            let target = ty == finding.subject.ty && id == finding.subject.id;
            nodes.push(PathNode { name: record.as_ref().and_then(|r| labels.text(r, "name")), ty, id: shown, target });
            if i > 0 {
                let edge = text("edge");
                let label = labels.why(&nodes[i - 1], &nodes[i], &edge, hops, i)?;
                edges.push(PathEdge { from: i - 1, to: i, edge, label });
            }
        }
        view.drawn.push(PathGraph {
            rule: finding.rule.clone(),
            severity: finding.severity,
            title: finding.title.clone(),
            message: finding.message.clone(),
            nodes,
            edges,
        });
    }
    view.not_drawn = view.total - view.drawn.len();
    Ok(view)
}

struct Labels<'a, 'e> {
    store: &'a Store,
    engine: &'a Engine<'e>,
    plan: &'a Plan,
}

impl Labels<'_, '_> {
    fn record(&self, ty: &str, id: &str) -> Option<Value> {
        let t = self.plan.types.iter().position(|t| t.name == ty)?;
        self.store.get(t as u32, id).cloned().map(Value::Record)
    }

    fn field(&self, record: &Value, name: &str) -> Value {
        let Value::Record(r) = record else { return Value::None };
        let at = self.plan.types[r.ty() as usize].field_index(name);
        at.and_then(|i| r.fields().get(i)).cloned().unwrap_or(Value::None)
    }

    fn text(&self, record: &Value, name: &str) -> Option<String> {
        self.field(record, name).as_str().map(str::to_owned)
    }

    /// The label of the edge into hop `i`: what makes it hold, judged by the same natives the
    /// edges use, or the edge's name when there is nothing more to say.
    fn why(&self, from: &PathNode, to: &PathNode, edge: &str, hops: &[Json], i: usize) -> Result<String, EvalError> {
        let raw_id = |j: usize| hops[j].get("id").and_then(Json::as_str).unwrap_or_default().to_owned();
        let detail = match (from.ty.as_str(), to.ty.as_str()) {
            ("Internet", "Instance") => self.open_ports(&raw_id(i))?.map(|p| format!("open {p}")),
            (_, "Role") => Some(format!("role {}", to.name.as_deref().unwrap_or(&to.id))),
            (_, "Bucket") => self.policies(&from.ty, &raw_id(i - 1))?.map(|p| format!("grant in {p}")),
            _ => None,
        };
        // `paths.exposes` reads `exposes` in a drawing.
        let name = edge.rsplit('.').next().unwrap_or(edge);
        Ok(match detail {
            Some(d) => format!("{name}: {d}"),
            None => name.to_owned(),
        })
    }

    /// The world-open ports of an instance's security groups (`std.net.exposed_ports`).
    fn open_ports(&self, instance: &str) -> Result<Option<String>, EvalError> {
        let Some(record) = self.record("Instance", instance) else { return Ok(None) };
        let mut ports: Vec<i64> = Vec::new();
        if let Value::List(groups) = self.field(&record, "security_group_ids") {
            for group in groups.iter().filter_map(Value::as_str) {
                let Some(sg) = self.record("SecurityGroup", group) else { continue };
                if let Value::List(open) = self.engine.call_native("std.net.exposed_ports", &[sg])? {
                    ports.extend(open.iter().filter_map(|p| if let Value::Int(n) = p { Some(*n) } else { None }));
                }
            }
        }
        ports.sort_unstable();
        ports.dedup();
        Ok((!ports.is_empty()).then(|| format!("port{} {}", if ports.len() > 1 { "s" } else { "" }, listed(&ports))))
    }

    /// The effective policies of an identity (`std.iam.effective_policies`), by name.
    fn policies(&self, ty: &str, id: &str) -> Result<Option<String>, EvalError> {
        let Some(record) = self.record(ty, id) else { return Ok(None) };
        let Value::List(policies) = self.engine.call_native("std.iam.effective_policies", &[record])? else {
            return Ok(None);
        };
        let names: Vec<String> =
            policies.iter().filter_map(|p| self.text(p, "name").or_else(|| self.text(p, "id"))).collect();
        Ok((!names.is_empty()).then(|| listed(&names)))
    }
}

fn listed<T: ToString>(items: &[T]) -> String {
    let shown: Vec<String> = items.iter().take(LISTED).map(ToString::to_string).collect();
    match items.len().saturating_sub(LISTED) {
        0 => shown.join(", "),
        more => format!("{} +{more}", shown.join(", ")),
    }
}
