//! What every export format writes: the RON export loads back as the same graph,
//! Mermaid output is pinned by a snapshot, and a date-window export holds nothing
//! from outside the window.

use crate::common;

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use ties::export::{Format, render, to_mermaid, to_ron};
use ties::load::load_texts;
use ties::model::{DateWindow, PartialDate};
use ties::view::{Filter, Reach, subgraph};

#[test]
fn ron_export_loads_back_as_the_same_view() {
    for (graph, focus) in [
        (common::shipped(), "kyrylo-budanov"),
        (common::shipped(), "first-tranche-10m"),
        (common::tricky(), "end"),
    ] {
        for (view, sub) in common::views(&graph, focus) {
            let first = to_ron(&graph, &sub);
            let again = load_texts(vec![("export.ron".into(), first.clone())])
                .unwrap_or_else(|e| panic!("the RON export of {view} does not load:\n{e}"));
            assert_eq!(again.node_count(), sub.nodes.len(), "{view}");
            assert_eq!(again.edge_count(), sub.edges.len(), "{view}");
            let whole = subgraph(&again, None, 1, Reach::Both, &Filter::default());
            assert!(whole.whole);
            assert_eq!(to_ron(&again, &whole), first, "{view}: RON differs");
            assert_eq!(
                render(&again, &whole, Format::Json),
                render(&graph, &sub, Format::Json),
                "{view}: JSON differs"
            );
        }
    }
}

#[test]
fn mermaid_snapshot() {
    let g = common::tricky();
    let sub = subgraph(&g, None, 1, Reach::Both, &Filter::default());
    insta::assert_snapshot!("tricky_graph", to_mermaid(&g, &sub));
}

/// Every line of a Mermaid export is a node or an edge written with safe ids and
/// quoted labels, for every view of the shipped graph.
#[test]
fn mermaid_lines_are_well_formed() {
    let g = common::shipped();
    let node = |l: &str| -> Option<String> {
        let (id, rest) = l.strip_prefix("    ")?.split_once('[')?;
        let label = rest.strip_prefix('"')?.strip_suffix("\"]")?;
        (!label.contains('"')).then(|| id.to_string())
    };
    for (view, sub) in common::views(&g, "lithuania") {
        let text = to_mermaid(&g, &sub);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("flowchart LR"));
        let mut ids = HashSet::new();
        let mut edges = 0;
        for line in lines {
            if let Some(id) = node(line) {
                assert!(id.starts_with("n_"), "{line}");
                assert!(
                    id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{line}"
                );
                assert!(ids.insert(id), "duplicate id: {line}");
                continue;
            }
            // `    SOURCE -->|"LABEL"| TARGET`, `==>` for money.
            let (source, rest) = line
                .strip_prefix("    ")
                .and_then(|l| l.split_once(' '))
                .unwrap_or_else(|| panic!("{view}: not a node or edge: {line}"));
            let rest = rest
                .strip_prefix("-->|\"")
                .or_else(|| rest.strip_prefix("==>|\""))
                .unwrap_or_else(|| panic!("{view}: not an edge: {line}"));
            let (label, target) = rest.rsplit_once("\"| ").unwrap();
            assert!(ids.contains(source), "{line}");
            assert!(ids.contains(target), "{line}");
            assert!(!label.contains('"') && !label.contains('|'), "{line}");
            edges += 1;
        }
        assert_eq!(ids.len(), sub.nodes.len(), "{view}");
        assert_eq!(edges, sub.edges.len(), "{view}");
    }
}

fn date(v: &serde_json::Value, field: &str) -> Option<PartialDate> {
    v.get(field)
        .and_then(|d| d.as_str())
        .map(|d| d.parse().unwrap())
}

/// Relations outside a date window, and entities only they reached, are in no
/// export of the view, in any format.
#[test]
fn date_window_export_leaks_nothing_from_outside_the_window() {
    let g = common::shipped();
    let focus = g.find("lithuania").unwrap();
    let window: DateWindow = "2024-11..2024-11".parse().unwrap();
    let depth = 2;
    let filter = Filter {
        window,
        ..Filter::default()
    };
    let sub = subgraph(&g, Some(focus), depth, Reach::Both, &filter);
    let full = subgraph(&g, Some(focus), depth, Reach::Both, &Filter::default());

    let doc: serde_json::Value = serde_json::from_str(&render(&g, &sub, Format::Json)).unwrap();
    let nodes: BTreeSet<&str> = doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let edges = doc["edges"].as_array().unwrap();

    // No dated relation or entity outside the window.
    for e in edges {
        if let Some(d) = date(e, "date") {
            assert!(window.overlaps(d, date(e, "until")), "edge outside: {e}");
        }
    }
    for n in doc["nodes"].as_array().unwrap() {
        if let Some(d) = date(n, "date") {
            assert!(window.overlaps(d, date(n, "until")), "node outside: {n}");
        }
    }
    // Every entity is reached from the focus, within the depth, through relations
    // the export holds: none came in only through a relation left out.
    let mut adjacent: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in edges {
        let (s, t) = (e["source"].as_str().unwrap(), e["target"].as_str().unwrap());
        assert!(nodes.contains(s) && nodes.contains(t), "dangling edge {e}");
        adjacent.entry(s).or_default().push(t);
        adjacent.entry(t).or_default().push(s);
    }
    let mut dist = HashMap::from([("lithuania", 0)]);
    let mut queue = VecDeque::from(["lithuania"]);
    while let Some(n) = queue.pop_front() {
        for &m in adjacent.get(n).into_iter().flatten() {
            if !dist.contains_key(m) {
                dist.insert(m, dist[n] + 1);
                queue.push_back(m);
            }
        }
    }
    for n in &nodes {
        assert!(
            dist.get(n).is_some_and(|&d| d <= depth),
            "{n} is not reached within {depth} hops through exported relations"
        );
    }

    // The window did leave things out, and none of them is in any format.
    let left_out: Vec<&str> = full
        .nodes
        .iter()
        .map(|&n| g.entity(n).id)
        .filter(|id| !nodes.contains(id))
        .collect();
    assert!(left_out.len() >= 3, "the window should hide some entities");
    assert!(full.edges.len() > sub.edges.len() + 3);
    for id in &left_out {
        assert!(!g.entity(g.find(id).unwrap()).name.is_empty());
        let dot = render(&g, &sub, Format::Dot);
        assert!(!dot.contains(&format!("\"{id}\"")), "{id} in DOT");
        let graphml = render(&g, &sub, Format::Graphml);
        for attr in ["id", "source", "target"] {
            assert!(
                !graphml.contains(&format!("{attr}=\"{id}\"")),
                "{id} in GraphML"
            );
        }
        let ron = render(&g, &sub, Format::Ron);
        assert!(!ron.contains(&format!("\"{id}\"")), "{id} in RON");
        let mermaid = render(&g, &sub, Format::Mermaid);
        let safe = format!("n_{}", id.replace('-', "_"));
        assert!(
            !mermaid
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| w == safe),
            "{id} in Mermaid"
        );
    }
    // Each format holds exactly the view's relations.
    let dot = render(&g, &sub, Format::Dot);
    assert_eq!(dot.matches(" -> ").count(), sub.edges.len());
    let graphml = render(&g, &sub, Format::Graphml);
    assert_eq!(graphml.matches("<edge ").count(), sub.edges.len());
    assert_eq!(graphml.matches("<node ").count(), sub.nodes.len());
}
