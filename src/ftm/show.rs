//! What the card, `ties show` and search results show of an entity's or a
//! relation's FtM properties: each attribute under its schema's label
//! (`birthDate` → `Birth date`), and topics as badges (`Sanctioned`, `PEP`).

use crate::graph::{Attrs, EdgeIx, Graph, NodeIx};

use crate::graph::SourceSet;

use super::mapping::{
    CONFLICT_ATTR, FILE_SOURCE, MERGED_ATTR, PLACEHOLDER_ATTR, PLACEHOLDER_TEXT, SCHEMA_ATTR,
    is_hidden_attr, is_provenance_attr,
};
use super::mapping::{schema_for_kind, schema_for_relation};
use super::schema::{self, SchemaDef, topic_label};

/// Was a row with these sources read from an FtM file? Only then do FtM's
/// labels name its attributes; other graphs' attributes show as written.
fn from_ftm(graph: &Graph, sources: SourceSet) -> bool {
    graph
        .source_list(sources)
        .iter()
        .any(|&s| &*graph.source(s).id == FILE_SOURCE)
}

/// The schema whose labels name an entity's attributes.
fn entity_schema(graph: &Graph, node: NodeIx) -> Option<&'static SchemaDef> {
    let e = graph.entity(node);
    if !from_ftm(graph, e.sources) {
        return None;
    }
    kept_schema(graph, &e.attrs).or_else(|| {
        let kind = e.kind.map_other(|s| graph.sym(s));
        schema::get(schema_for_kind(&kind))
    })
}

fn kept_schema(graph: &Graph, attrs: &Attrs<'_>) -> Option<&'static SchemaDef> {
    attrs
        .iter()
        .find(|(k, _)| graph.sym(*k) == SCHEMA_ATTR)
        .and_then(|(_, v)| schema::get(v))
}

/// `(label, value)` for each shown attribute, values of one property joined
/// in the order read; round-trip bookkeeping and topics (shown as badges)
/// left out.
fn labelled(graph: &Graph, attrs: &Attrs<'_>, def: Option<&SchemaDef>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in attrs.iter() {
        let key = graph.sym(k);
        if is_hidden_attr(key)
            || is_provenance_attr(key)
            || key == "topics"
            || key == PLACEHOLDER_ATTR
        {
            continue;
        }
        let label = match key {
            MERGED_ATTR => {
                let n = attrs
                    .iter()
                    .filter(|(k, _)| graph.sym(*k) == MERGED_ATTR)
                    .count();
                format!("Merged from {n} records")
            }
            CONFLICT_ATTR => "Conflict (judged different)".to_string(),
            _ => def
                .and_then(|d| d.label(key))
                .map_or_else(|| key.to_string(), str::to_string),
        };
        // A country as its name, the code kept: `Germany (de)`.
        let value = match (def.and_then(|d| d.type_name(key)), schema::country_name(v)) {
            (Some("country"), Some(name)) => format!("{name} ({v})"),
            _ => v.to_string(),
        };
        match out.iter_mut().find(|(l, _)| *l == label) {
            Some((_, joined)) => {
                joined.push_str("; ");
                joined.push_str(&value);
            }
            None => out.push((label, value)),
        }
    }
    out
}

/// An entity's properties as `(label, values)`: `Birth date: 1971-01-22`,
/// `Nationality: Russia (ru)`, `Position: General Director…`.
pub fn entity_properties(graph: &Graph, node: NodeIx) -> Vec<(String, String)> {
    let def = entity_schema(graph, node);
    labelled(graph, &graph.entity(node).attrs, def)
}

/// A relation's own properties: `Percentage held: 7.5`, `Amount in EUR: 100`.
pub fn relation_properties(graph: &Graph, edge: EdgeIx) -> Vec<(String, String)> {
    let r = graph.relation(edge);
    let def = if from_ftm(graph, r.sources) {
        kept_schema(graph, &r.attrs).or_else(|| {
            let kind = r.kind.map_other(|s| graph.sym(s));
            schema::get(schema_for_relation(&kind).0)
        })
    } else {
        None
    };
    labelled(graph, &r.attrs, def)
}

/// Where an entity comes from and how fresh it is, as FtM tracks it: `in kek,
/// donations · first seen 2023-04-01 · last seen 2024-06-01 · changed
/// 2024-02-11 · 9 referents`; `None` when nothing is known.
pub fn provenance(graph: &Graph, node: NodeIx) -> Option<String> {
    let mut parts = Vec::new();
    // One input of one dataset: nothing to tell apart.
    let datasets = graph.dataset_text(graph.entity_datasets(node));
    if !datasets.is_empty() && graph.dataset_names().len() > 1 {
        parts.push(format!("in {datasets}"));
    }
    let attrs = graph.entity(node).attrs;
    let day = |key: &str| {
        attrs
            .iter()
            .find(|(k, _)| graph.sym(*k) == key)
            .map(|(_, v)| v.get(..10).unwrap_or(v).to_string())
    };
    for (key, label) in [
        ("first_seen", "first seen"),
        ("last_seen", "last seen"),
        ("last_change", "changed"),
    ] {
        if let Some(d) = day(key) {
            parts.push(format!("{label} {d}"));
        }
    }
    let referents = attrs
        .iter()
        .filter(|(k, _)| graph.sym(*k) == "referents")
        .count();
    if referents > 0 {
        parts.push(crate::model::count(referents, "referent"));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// An entity's badges: the label of each of its topics (`Sanctioned`, `PEP`,
/// or the topic itself if FtM does not know it), and `not in the loaded data`
/// for a placeholder.
pub fn badges(graph: &Graph, node: NodeIx) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in graph.entity(node).attrs.iter() {
        match graph.sym(k) {
            "topics" => {
                let b = topic_label(v).map_or_else(|| v.to_string(), str::to_string);
                if !out.contains(&b) {
                    out.push(b);
                }
            }
            PLACEHOLDER_ATTR => out.push(PLACEHOLDER_TEXT.to_string()),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::ftm::load_ftm_reader;

    #[test]
    fn properties_have_labels_and_topics_are_badges() {
        let text = concat!(
            r#"{"id":"p","schema":"Person","properties":{"name":["P"],"birthDate":["1971"],"#,
            r#""topics":["sanction","role.pep"],"addressEntity":["gone"]}}"#,
            "\n",
            r#"{"id":"c","schema":"Company","properties":{"name":["C"]}}"#,
            "\n",
            r#"{"id":"o","schema":"Ownership","properties":{"owner":["p"],"asset":["c"],"percentage":["12"]}}"#,
            "\n"
        );
        let (g, _) = load_ftm_reader(Cursor::new(text), "t.ftm.json").unwrap();
        let p = g.find("p").unwrap();
        assert_eq!(
            entity_properties(&g, p),
            [("Birth date".to_string(), "1971".to_string())]
        );
        assert_eq!(badges(&g, p), ["Sanctioned", "PEP"]);
        assert_eq!(badges(&g, g.find("gone").unwrap()), [PLACEHOLDER_TEXT]);
        let e = g
            .edge_indices()
            .find(|&e| g.relation(e).id().as_deref() == Some("o"))
            .unwrap();
        assert_eq!(
            relation_properties(&g, e),
            [("Percentage held".to_string(), "12".to_string())]
        );
    }
}
