//! A view as graph-file records: the RON export, which loads back with `--data`.

use std::collections::BTreeSet;

use crate::graph::{Attrs, DatasetSet, Graph, SourceId, SourceSet};
use crate::load::ron_options;
use crate::model::{EntityRecord, GraphFile, RelationRecord, SourceRecord};
use crate::view::Subgraph;

fn source_ids(graph: &Graph, set: SourceSet) -> Vec<String> {
    graph
        .source_list(set)
        .iter()
        .map(|&s| graph.source(s).id.to_string())
        .collect()
}

fn attrs(graph: &Graph, attrs: &Attrs<'_>) -> Vec<(String, String)> {
    attrs
        .iter()
        .map(|(k, v)| (graph.sym(k).to_string(), v.to_string()))
        .collect()
}

/// The datasets of a row; none when it is only the graph's default dataset
/// (one input read, its records naming none: the file says it) or the graph
/// holds one dataset in all (as a graph fetched from a database of one push
/// does: the same view, the same export), unless several inputs were opened.
fn datasets(graph: &Graph, set: DatasetSet) -> Vec<String> {
    let list = graph.dataset_list(set);
    if list.len() == 1
        && !graph.several_inputs()
        && (Some(list[0]) == graph.default_dataset() || graph.dataset_names().len() == 1)
    {
        return Vec::new();
    }
    list.into_iter()
        .map(|d| graph.dataset_name(d).to_string())
        .collect()
}

/// The sources a view cites (all of them for the whole graph), in graph order.
pub(crate) fn cited_sources(graph: &Graph, sub: &Subgraph) -> Vec<SourceId> {
    if sub.whole {
        return (0..graph.sources().len() as u32).map(SourceId).collect();
    }
    let mut cited = BTreeSet::new();
    for &n in &sub.nodes {
        cited.extend(graph.source_list(graph.entity(n).sources));
    }
    for &e in &sub.edges {
        cited.extend(graph.source_list(graph.relation(e).sources));
    }
    cited.into_iter().collect()
}

/// The view as records, in graph order.
pub fn to_records(graph: &Graph, sub: &Subgraph) -> GraphFile {
    let sources = cited_sources(graph, sub)
        .into_iter()
        .map(|s| {
            let s = graph.source(s);
            SourceRecord {
                id: s.id.to_string(),
                outlet: s.outlet.to_string(),
                title: s.title.to_string(),
                published: s.published.map(|d| d.to_string()),
                file: s.file.to_string(),
                url: s.url.as_deref().map(str::to_string),
            }
        })
        .collect();
    let entities = sub
        .nodes
        .iter()
        .map(|&n| {
            let e = graph.entity(n);
            EntityRecord {
                id: e.id.to_string(),
                kind: e.kind.map_other(|s| graph.sym(s).to_string()),
                name: e.name.to_string(),
                aliases: e.aliases.iter().map(|a| a.to_string()).collect(),
                weak_aliases: e.weak_aliases.iter().map(|a| a.to_string()).collect(),
                date: e.date.map(|d| d.to_string()),
                until: e.until.map(|d| d.to_string()),
                note: e.note.map(str::to_string),
                amount: e.amount.map(|a| a.to_record()),
                sources: source_ids(graph, e.sources),
                attrs: attrs(graph, &e.attrs),
                datasets: datasets(graph, graph.entity_datasets(n)),
            }
        })
        .collect();
    let relations = sub
        .edges
        .iter()
        .map(|&ix| {
            let r = graph.relation(ix);
            let (from, to) = graph.ends(ix);
            RelationRecord {
                id: r.id().map(std::borrow::Cow::into_owned),
                from: graph.entity(from).id.to_string(),
                to: graph.entity(to).id.to_string(),
                kind: r.kind.map_other(|s| graph.sym(s).to_string()),
                role: r.role.map(|s| graph.sym(s).to_string()),
                date: r.date.map(|d| d.to_string()),
                until: r.until.map(|d| d.to_string()),
                amount: r.amount.map(|a| a.to_record()),
                sources: source_ids(graph, r.sources),
                note: r.note.map(str::to_string),
                attrs: attrs(graph, &r.attrs),
                undirected: r.undirected,
                datasets: datasets(graph, graph.relation_datasets(ix)),
            }
        })
        .collect();
    GraphFile {
        sources,
        entities,
        relations,
    }
}

/// The view as a RON graph file.
pub fn to_ron(graph: &Graph, sub: &Subgraph) -> String {
    records_to_ron(&to_records(graph, sub))
}

/// Graph records as a RON graph file (what [`to_ron`] writes).
pub fn records_to_ron(file: &GraphFile) -> String {
    let pretty = ron::ser::PrettyConfig::new()
        .indentor("    ".to_string())
        .struct_names(true);
    let body = ron_options()
        .to_string_pretty(file, pretty)
        .expect("graph records always serialize");
    format!("#![enable(implicit_some)]\n{body}\n")
}
