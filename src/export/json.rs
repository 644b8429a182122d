//! The JSON export: `{"nodes": [...], "edges": [...], "sources": [...]}`.

use serde::Serialize;

use crate::graph::{Graph, NodeIx};
use crate::model::AmountRecord;
use crate::view::Subgraph;

use super::records::to_records;

#[derive(Serialize)]
struct Doc {
    #[serde(skip_serializing_if = "Option::is_none")]
    focus: Option<String>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    sources: Vec<Source>,
}

#[derive(Serialize)]
struct Node {
    id: String,
    kind: String,
    name: String,
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    weak_aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<AmountRecord>,
    sources: Vec<String>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    attrs: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    datasets: Vec<String>,
}

#[derive(Serialize)]
struct Edge {
    source: String,
    target: String,
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<AmountRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    sources: Vec<String>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    attrs: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    datasets: Vec<String>,
}

#[derive(Serialize)]
struct Source {
    id: String,
    outlet: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

fn attr_map(attrs: Vec<(String, String)>) -> serde_json::Map<String, serde_json::Value> {
    let mut map = serde_json::Map::new();
    for (k, v) in attrs {
        match map.get_mut(&k) {
            Some(serde_json::Value::Array(list)) => list.push(v.into()),
            _ => {
                map.insert(k, serde_json::Value::Array(vec![v.into()]));
            }
        }
    }
    map
}

/// The view as pretty JSON.
pub fn to_json(graph: &Graph, sub: &Subgraph) -> String {
    to_json_focused(graph, sub, None)
}

/// The view as pretty JSON, with a leading `"focus": "<entity id>"` naming the
/// entity the view is about (as `ties show --json` writes it); the rest of the
/// shape is that of [`to_json`].
pub fn to_json_focused(graph: &Graph, sub: &Subgraph, focus: Option<NodeIx>) -> String {
    let file = to_records(graph, sub);
    let doc = Doc {
        focus: focus.map(|n| graph.entity(n).id.to_string()),
        nodes: file
            .entities
            .into_iter()
            .map(|e| Node {
                kind: e.kind.label().to_string(),
                id: e.id,
                name: e.name,
                aliases: e.aliases,
                weak_aliases: e.weak_aliases,
                date: e.date,
                until: e.until,
                note: e.note,
                amount: e.amount,
                sources: e.sources,
                attrs: attr_map(e.attrs),
                datasets: e.datasets,
            })
            .collect(),
        edges: file
            .relations
            .into_iter()
            .map(|r| Edge {
                kind: r.kind.label().to_string(),
                source: r.from,
                target: r.to,
                role: r.role,
                date: r.date,
                until: r.until,
                amount: r.amount,
                note: r.note,
                sources: r.sources,
                attrs: attr_map(r.attrs),
                datasets: r.datasets,
            })
            .collect(),
        sources: file
            .sources
            .into_iter()
            .map(|s| Source {
                id: s.id,
                outlet: s.outlet,
                title: s.title,
                published: s.published,
                file: s.file,
                url: s.url,
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("JSON export always serializes");
    out.push('\n');
    out
}
