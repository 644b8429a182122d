//! Text and JSON for the analyses, as `ties rank`, `ties common`, `ties diff`
//! and `ties clusters` print them. Text follows [`crate::report`]: a relation
//! is `entity —kind→ entity`, dates as written, amounts as money. JSON names
//! entities by id and carries the numbers unrounded.

use std::fmt::Write;

use serde_json::{Value, json};

use super::clusters::Clusters;
use super::common::Common;
use super::diff::Diff;
use super::rank::{Measure, Ranking};
use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::model::date_span;
use crate::path::Step;
use crate::report::count;

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values serialize");
    s.push('\n');
    s
}

/// `Name  (kind, id)`.
pub fn entity_line(graph: &Graph, node: NodeIx) -> String {
    let e = graph.entity(node);
    format!(
        "{}  ({}, {})",
        e.name,
        graph.entity_kind_label(e.kind),
        e.id
    )
}

fn entity_json(graph: &Graph, node: NodeIx) -> Value {
    let e = graph.entity(node);
    json!({"id": e.id, "name": e.name, "kind": graph.entity_kind_label(e.kind)})
}

/// A relation's role, dates and amount: `  (Minister, 2024-11-23, €10,000,000)`.
fn details(graph: &Graph, edge: EdgeIx) -> String {
    let r = graph.relation(edge);
    let mut parts: Vec<String> = Vec::new();
    parts.extend(r.role.map(|s| graph.sym(s).to_string()));
    parts.extend(date_span(r.date, r.until));
    parts.extend(r.amount.map(|a| a.to_string()));
    if parts.is_empty() {
        String::new()
    } else {
        format!("  ({})", parts.join(", "))
    }
}

/// `—kind→ Name` or `←kind— Name`, then the details.
fn hop(graph: &Graph, edge: EdgeIx, forward: bool, to: NodeIx) -> String {
    let phrase = graph.relation_phrase(graph.relation(edge).kind);
    let arrow = if forward {
        format!("—{phrase}→")
    } else {
        format!("←{phrase}—")
    };
    format!("{arrow} {}{}", graph.entity_name(to), details(graph, edge))
}

fn relation_json(graph: &Graph, edge: EdgeIx) -> Value {
    let r = graph.relation(edge);
    let (a, b) = graph.ends(edge);
    let mut v = json!({
        "source": graph.entity(a).id,
        "target": graph.entity(b).id,
        "kind": graph.relation_kind_label(r.kind),
    });
    if let Some(role) = r.role {
        v["role"] = graph.sym(role).into();
    }
    if let Some(d) = r.date {
        v["date"] = d.to_string().into();
    }
    if let Some(u) = r.until {
        v["until"] = u.to_string().into();
    }
    if let Some(a) = r.amount {
        v["amount"] = serde_json::to_value(a.to_record()).expect("amounts serialize");
    }
    v
}

pub fn score_text(measure: Measure, score: f64) -> String {
    match measure {
        Measure::Degree => format!("{score:.0}"),
        _ => format!("{score:.6}"),
    }
}

/// The first `limit` entities of a ranking as numbered rows.
pub fn rank_text(graph: &Graph, r: &Ranking, limit: usize) -> String {
    let mut out = String::new();
    let shown = r.entities.len().min(limit);
    let _ = writeln!(
        out,
        "top {shown} of {} by {} ({} in the view):",
        count(r.view_entities, "entity"),
        r.measure.label(),
        count(r.view_relations, "relation"),
    );
    if let Some(k) = r.sampled {
        let _ = writeln!(
            out,
            "estimated from {k} sampled sources: every score within ±{:.6} of the exact one \
             with 99% probability; ± is each score's standard error (--exact to compute it)",
            r.error
        );
    }
    out.push('\n');
    for (i, s) in r.entities.iter().take(limit).enumerate() {
        let mut score = score_text(r.measure, s.score);
        if r.sampled.is_some() {
            let _ = write!(score, " ±{:.6}", s.std_error);
        }
        let _ = writeln!(out, "{:>4}  {score}  {}", i + 1, entity_line(graph, s.node));
    }
    out
}

pub fn rank_json(graph: &Graph, r: &Ranking, limit: usize) -> String {
    let rows: Vec<Value> = r
        .entities
        .iter()
        .take(limit)
        .enumerate()
        .map(|(i, s)| {
            let mut v = entity_json(graph, s.node);
            v["rank"] = (i + 1).into();
            v["score"] = s.score.into();
            if r.sampled.is_some() {
                v["std_error"] = s.std_error.into();
            }
            v
        })
        .collect();
    pretty(&json!({
        "measure": r.measure.label(),
        "view": {"entities": r.view_entities, "relations": r.view_relations},
        "sampled_sources": r.sampled,
        "error_bound": r.sampled.map(|_| r.error),
        "iterations": r.iterations,
        "entities": rows,
    }))
}

pub fn way_text(graph: &Graph, way: &[Step]) -> String {
    let mut s = String::new();
    if let Some(first) = way.first() {
        s.push_str(graph.entity_name(first.from));
    }
    for step in way {
        s.push(' ');
        s.push_str(&hop(graph, step.edge, step.forward, step.to));
    }
    s
}

pub fn names(graph: &Graph, nodes: &[NodeIx]) -> String {
    let names: Vec<&str> = nodes.iter().map(|&n| graph.entity_name(n)).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Shared entities, most specific first, each with the ways every input is tied
/// to it.
pub fn common_text(graph: &Graph, c: &Common, limit: usize) -> String {
    let mut out = String::new();
    let all = if c.inputs.len() == 2 {
        "both"
    } else {
        "all of"
    };
    let _ = writeln!(
        out,
        "{} tied to {all} {} (within {}):",
        count(c.shared.len(), "entity"),
        names(graph, &c.inputs),
        count(c.depth, "hop"),
    );
    for (i, s) in c.shared.iter().take(limit).enumerate() {
        let _ = writeln!(
            out,
            "\n{:>3}. {}; {} in the view",
            i + 1,
            entity_line(graph, s.node),
            count(s.degree, "relation")
        );
        for ways in &s.ways {
            for way in ways {
                let _ = writeln!(out, "       {}", way_text(graph, way));
            }
        }
    }
    if c.shared.len() > limit {
        let _ = writeln!(out, "\n({} more; raise --limit)", c.shared.len() - limit);
    }
    out
}

pub fn common_json(graph: &Graph, c: &Common, limit: usize) -> String {
    let shared: Vec<Value> = c
        .shared
        .iter()
        .take(limit)
        .map(|s| {
            let mut v = entity_json(graph, s.node);
            v["relations"] = s.degree.into();
            v["hops"] = s.hops.into();
            v["generic"] = s.generic.into();
            v["ties"] = c
                .inputs
                .iter()
                .zip(&s.ways)
                .map(|(&input, ways)| {
                    let ways: Vec<Value> = ways
                        .iter()
                        .map(|w| {
                            w.iter()
                                .map(|st| relation_json(graph, st.edge))
                                .collect::<Vec<_>>()
                                .into()
                        })
                        .collect();
                    json!({"input": graph.entity(input).id, "ways": ways})
                })
                .collect::<Vec<_>>()
                .into();
            v
        })
        .collect();
    pretty(&json!({
        "inputs": c.inputs.iter().map(|&n| entity_json(graph, n)).collect::<Vec<_>>(),
        "depth": c.depth,
        "total": c.shared.len(),
        "shared": shared,
    }))
}

pub fn relation_line(graph: &Graph, edge: EdgeIx) -> String {
    let (a, b) = graph.ends(edge);
    format!("{} {}", graph.entity_name(a), hop(graph, edge, true, b))
}

/// Relations and dated entities that appeared and ended.
pub fn diff_text(graph: &Graph, d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "from {} to {}:", d.before, d.after);
    let sections: [(&str, &[EdgeIx]); 2] = [("appeared", &d.added), ("ended", &d.ended)];
    for (label, edges) in sections {
        let _ = writeln!(out, "\n{label}: {}", count(edges.len(), "relation"));
        for &e in edges {
            let _ = writeln!(out, "  {}", relation_line(graph, e));
        }
    }
    let sections: [(&str, &[NodeIx]); 2] = [
        ("entities appeared", &d.entities_added),
        ("entities ended", &d.entities_ended),
    ];
    for (label, nodes) in sections {
        if nodes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{label}: {}", nodes.len());
        for &n in nodes {
            let e = graph.entity(n);
            let when = date_span(e.date, e.until).unwrap_or_default();
            let _ = writeln!(out, "  {}  {when}", entity_line(graph, n));
        }
    }
    out
}

pub fn diff_json(graph: &Graph, d: &Diff) -> String {
    let rel = |v: &[EdgeIx]| {
        v.iter()
            .map(|&e| relation_json(graph, e))
            .collect::<Vec<_>>()
    };
    let ent = |v: &[NodeIx]| v.iter().map(|&n| entity_json(graph, n)).collect::<Vec<_>>();
    pretty(&json!({
        "before": d.before.to_string(),
        "after": d.after.to_string(),
        "appeared": rel(&d.added),
        "ended": rel(&d.ended),
        "entities_appeared": ent(&d.entities_added),
        "entities_ended": ent(&d.entities_ended),
    }))
}

/// Clusters (largest first, single entities counted, not listed) and bridges.
pub fn clusters_text(graph: &Graph, c: &Clusters, limit: usize) -> String {
    let mut out = String::new();
    let singles = c.singletons();
    let _ = writeln!(
        out,
        "{} ({} of a single entity):\n",
        count(c.clusters.len(), "cluster"),
        singles
    );
    let listed: Vec<_> = c
        .clusters
        .iter()
        .enumerate()
        .filter(|(_, cl)| cl.members.len() > 1)
        .take(limit)
        .collect();
    for (i, cl) in &listed {
        let _ = writeln!(
            out,
            "{:>4}  {}, {}; most central: {}",
            i + 1,
            count(cl.members.len(), "entity"),
            count(cl.relations, "relation"),
            entity_line(graph, cl.central)
        );
    }
    let multi = c.clusters.len() - singles;
    if multi > listed.len() {
        let _ = writeln!(out, "  ({} more; raise --limit)", multi - listed.len());
    }
    let _ = writeln!(
        out,
        "\n{} (removing one splits its cluster):",
        count(c.bridges.len(), "bridge entity")
    );
    for b in c.bridges.iter().take(limit) {
        let _ = writeln!(
            out,
            "  {}  splits cluster {} into {} pieces",
            entity_line(graph, b.node),
            b.cluster + 1,
            b.pieces
        );
    }
    if c.bridges.len() > limit {
        let _ = writeln!(out, "  ({} more; raise --limit)", c.bridges.len() - limit);
    }
    out
}

pub fn clusters_json(graph: &Graph, c: &Clusters, limit: usize) -> String {
    let clusters: Vec<Value> = c
        .clusters
        .iter()
        .take(limit)
        .enumerate()
        .map(|(i, cl)| {
            json!({
                "cluster": i + 1,
                "size": cl.members.len(),
                "relations": cl.relations,
                "central": entity_json(graph, cl.central),
                "members": cl.members.iter().map(|&n| graph.entity(n).id).collect::<Vec<_>>(),
            })
        })
        .collect();
    let bridges: Vec<Value> = c
        .bridges
        .iter()
        .take(limit)
        .map(|b| {
            let mut v = entity_json(graph, b.node);
            v["cluster"] = (b.cluster + 1).into();
            v["pieces"] = b.pieces.into();
            v
        })
        .collect();
    pretty(&json!({
        "clusters_total": c.clusters.len(),
        "single_entity_clusters": c.singletons(),
        "bridges_total": c.bridges.len(),
        "clusters": clusters,
        "bridges": bridges,
    }))
}
