//! Drawing the resource graph (`rulec graph`): DOT for Graphviz, Mermaid for Markdown
//! viewers, JSON for other tools.
//!
//! A [`Drawing`] is a set of nodes and labelled edges, sorted so the same graph always gives
//! the same bytes. It is made either from the whole graph ([`Drawing::from_edges`]) or from the
//! hops of the path findings of a report ([`Drawing::from_paths`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::report::Finding;

/// A node as path hops name it: its type (`Instance`, `Internet`) and id.
pub type NodeName = (String, String);

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drawing {
    pub nodes: BTreeSet<NodeName>,
    /// `(from, to, edge name)`.
    pub edges: BTreeSet<(NodeName, NodeName, String)>,
}

/// The drawing formats of `rulec graph --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

impl Drawing {
    /// Every edge given, with the nodes they touch (nodes without edges are left out).
    pub fn from_edges(edges: impl IntoIterator<Item = (NodeName, NodeName, String)>) -> Self {
        let mut drawing = Drawing::default();
        for (from, to, edge) in edges {
            drawing.add(from, to, edge);
        }
        drawing
    }

    /// The hops of every path in the findings' evidence: any list of `{type, id, edge}`
    /// objects under a `hops` key, consecutive hops joined by the later hop's edge.
    pub fn from_paths<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut drawing = Drawing::default();
        for finding in findings {
            let mut lists = Vec::new();
            hop_lists(&finding.evidence, &mut lists);
            for hops in lists {
                for pair in hops.windows(2) {
                    let (Some(from), Some(to)) = (hop(&pair[0]), hop(&pair[1])) else { continue };
                    let edge = pair[1].get("edge").and_then(Value::as_str).unwrap_or_default().to_owned();
                    drawing.add(from, to, edge);
                }
            }
        }
        drawing
    }

    fn add(&mut self, from: NodeName, to: NodeName, edge: String) {
        self.nodes.insert(from.clone());
        self.nodes.insert(to.clone());
        self.edges.insert((from, to, edge));
    }

    pub fn render(&self, format: GraphFormat) -> String {
        match format {
            GraphFormat::Dot => self.dot(),
            GraphFormat::Mermaid => self.mermaid(),
            GraphFormat::Json => self.json(),
        }
    }

    fn dot(&self) -> String {
        let mut out = String::from("digraph rulec {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
        for (ty, id) in &self.nodes {
            let shape = if ty == "Internet" { ", shape=ellipse" } else { "" };
            let label = if ty == "Internet" { ty.clone() } else { format!("{ty}\\n{}", dot_escape(id)) };
            let _ = writeln!(out, "  \"{}\" [label=\"{label}\"{shape}];", dot_escape(&key(ty, id)));
        }
        for ((fty, fid), (tty, tid), edge) in &self.edges {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\"];",
                dot_escape(&key(fty, fid)),
                dot_escape(&key(tty, tid)),
                dot_escape(edge)
            );
        }
        out.push_str("}\n");
        out
    }

    fn mermaid(&self) -> String {
        let index: Vec<&NodeName> = self.nodes.iter().collect();
        let id_of = |n: &NodeName| index.binary_search(&n).map_or(0, |i| i);
        let mut out = String::from("flowchart LR\n");
        for (i, (ty, id)) in index.iter().enumerate() {
            let label = if ty == "Internet" { ty.clone() } else { format!("{ty}<br/>{}", mermaid_escape(id)) };
            let _ = writeln!(out, "  n{i}[\"{label}\"]");
        }
        for (from, to, edge) in &self.edges {
            let _ = writeln!(out, "  n{} -->|\"{}\"| n{}", id_of(from), mermaid_escape(edge), id_of(to));
        }
        out
    }

    fn json(&self) -> String {
        let node = |(ty, id): &NodeName| json!({"type": ty, "id": id});
        let value = json!({
            "nodes": self.nodes.iter().map(node).collect::<Vec<_>>(),
            "edges": self.edges.iter().map(|(f, t, e)| json!({"from": node(f), "to": node(t), "edge": e})).collect::<Vec<_>>(),
        });
        super::json_document(&value)
    }
}

fn key(ty: &str, id: &str) -> String {
    format!("{ty}/{id}")
}

fn hop(value: &Value) -> Option<NodeName> {
    Some((value.get("type")?.as_str()?.to_owned(), value.get("id")?.as_str()?.to_owned()))
}

fn hop_lists<'v>(value: &'v Value, out: &mut Vec<&'v [Value]>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Array(items) if k == "hops" => out.push(items),
                    other => hop_lists(other, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| hop_lists(v, out)),
        _ => {}
    }
}

/// DOT string escapes: quotes and backslashes.
fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Mermaid labels are quoted; a quote is written as an entity.
fn mermaid_escape(text: &str) -> String {
    text.replace('"', "#quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(ty: &str, id: &str) -> NodeName {
        (ty.to_owned(), id.to_owned())
    }

    fn sample() -> Drawing {
        Drawing::from_edges([
            (n("Instance", "ins-\"1\""), n("Role", "r-1"), "paths.assumes".to_owned()),
            (n("Internet", "Internet"), n("Instance", "ins-\"1\""), "paths.exposes".to_owned()),
        ])
    }

    #[test]
    fn dot_quotes_ids_and_sorts() {
        insta::assert_snapshot!(sample().render(GraphFormat::Dot));
    }

    #[test]
    fn mermaid_and_json_name_every_node_once() {
        insta::assert_snapshot!(sample().render(GraphFormat::Mermaid));
        let json: Value = serde_json::from_str(&sample().render(GraphFormat::Json)).expect("well-formed test data");
        assert_eq!(json["nodes"].as_array().map(Vec::len), Some(3));
        assert_eq!(json["edges"][0]["edge"], "paths.assumes");
    }

    #[test]
    fn paths_are_read_from_hops_in_evidence() {
        let finding = Finding {
            rule: "R".into(),
            kind: crate::report::FindingKind::Rule,
            severity: crate::plan::Severity::High,
            title: String::new(),
            subject: crate::report::Subject::new("Role", "r-1"),
            message: String::new(),
            evidence: json!({"path": {"hops": [
                {"type": "Internet", "id": "Internet", "edge": null},
                {"type": "Instance", "id": "ins-\"1\"", "edge": "paths.exposes"},
                {"type": "Role", "id": "r-1", "edge": "paths.assumes"},
            ]}}),
            controls: Vec::new(),
            fix: None,
            history: None,
        };
        assert_eq!(Drawing::from_paths([&finding]), sample());
    }
}
