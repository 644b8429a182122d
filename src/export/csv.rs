//! The CSV export: a node table and a relationship table in the Neo4j import
//! header layout, so `neo4j-admin database import`, spreadsheets and `ties`
//! itself (the CSV reader) take them.
//!
//! `nodes.csv`: `id:ID,name,:LABEL,aliases:string[],date,until,note,
//! amount:float,currency,approx:boolean,sources:string[]` then one column per
//! attribute name the entities use. `relationships.csv`: `:START_ID,:END_ID,
//! :TYPE,role,date,until,amount:float,currency,approx:boolean,note,
//! sources:string[],relation_id,undirected:boolean` then the relations'
//! attributes. Lists are `;`-separated (Neo4j's array delimiter); dates keep
//! their precision (`2024-11`), so they are plain strings, not Neo4j `date`s.
//! An attribute whose name is a fixed column's is written as `attr_NAME`; one
//! that a record holds more than once is a `NAME:string[]` column.

use std::path::{Path, PathBuf};

use crate::graph::{Attrs, Graph, SourceSet};
use crate::view::Subgraph;

use super::WriteError;

const NODE_COLUMNS: &[&str] = &[
    "id:ID",
    "name",
    ":LABEL",
    "aliases:string[]",
    "date",
    "until",
    "note",
    "amount:float",
    "currency",
    "approx:boolean",
    "sources:string[]",
];
const EDGE_COLUMNS: &[&str] = &[
    ":START_ID",
    ":END_ID",
    ":TYPE",
    "role",
    "date",
    "until",
    "amount:float",
    "currency",
    "approx:boolean",
    "note",
    "sources:string[]",
    "relation_id",
    "undirected:boolean",
];

/// The two tables of a CSV export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTables {
    pub nodes: String,
    pub relationships: String,
}

/// The file names [`write_csv`] uses inside its folder.
pub const NODES_FILE: &str = "nodes.csv";
pub const RELATIONSHIPS_FILE: &str = "relationships.csv";

/// A date cell: the date as written, or empty.
fn date(d: Option<crate::model::PartialDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn sources(graph: &Graph, set: SourceSet) -> String {
    graph
        .source_list(set)
        .iter()
        .map(|&s| &*graph.source(s).id)
        .collect::<Vec<_>>()
        .join(";")
}

/// Attribute column names in first-use order, renamed away from `fixed`.
fn attr_columns<'g>(
    graph: &'g Graph,
    all: impl Iterator<Item = Attrs<'g>>,
    fixed: &[&str],
) -> Vec<(&'g str, String)> {
    let mut cols: Vec<(&str, String)> = Vec::new();
    let mut lists: Vec<&str> = Vec::new();
    for attrs in all {
        for (i, (k, _)) in attrs.iter().enumerate() {
            let name = graph.sym(k);
            if attrs.iter().take(i).any(|(j, _)| j == k) && !lists.contains(&name) {
                lists.push(name);
            }
            if !cols.iter().any(|(n, _)| *n == name) {
                let clash = name.starts_with(':')
                    || fixed.iter().any(|f| f.split(':').next() == Some(name));
                let header = if clash && !name.starts_with("attr_") {
                    format!("attr_{name}")
                } else {
                    crate::read::attribute_name(name).into_owned()
                };
                cols.push((name, header));
            }
        }
    }
    for (name, header) in &mut cols {
        if lists.contains(name) {
            header.push_str(":string[]");
        }
    }
    cols
}

/// The attribute cells of one record, in `cols` order (repeats joined by `;`).
fn attr_cells(graph: &Graph, attrs: Attrs<'_>, cols: &[(&str, String)]) -> Vec<String> {
    let mut cells = vec![String::new(); cols.len()];
    for (k, v) in attrs.iter() {
        if let Some(i) = cols.iter().position(|(n, _)| *n == graph.sym(k)) {
            if !cells[i].is_empty() {
                cells[i].push(';');
            }
            cells[i].push_str(v);
        }
    }
    cells
}

fn table(header: Vec<String>, rows: Vec<Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; a failed row would only be left out.
    let _ = w.write_record(&header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The view as Neo4j-style node and relationship tables.
pub fn to_csv_tables(graph: &Graph, sub: &Subgraph) -> CsvTables {
    let ncols = attr_columns(
        graph,
        sub.nodes.iter().map(|&n| graph.entity(n).attrs),
        NODE_COLUMNS,
    );
    let mut header: Vec<String> = NODE_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(ncols.iter().map(|(_, h)| h.clone()));
    let rows = sub
        .nodes
        .iter()
        .map(|&n| {
            let e = graph.entity(n);
            let mut row = vec![
                e.id.to_string(),
                e.name.to_string(),
                graph.entity_kind_label(e.kind).to_string(),
                e.aliases.join(";"),
                date(e.date),
                date(e.until),
                e.note.unwrap_or_default().to_string(),
                e.amount.map(|a| a.value.to_string()).unwrap_or_default(),
                e.amount
                    .map(|a| a.currency.code().to_string())
                    .unwrap_or_default(),
                e.amount
                    .filter(|a| a.approx)
                    .map_or("", |_| "true")
                    .to_string(),
                sources(graph, e.sources),
            ];
            row.extend(attr_cells(graph, e.attrs, &ncols));
            row
        })
        .collect();
    let nodes = table(header, rows);
    let ecols = attr_columns(
        graph,
        sub.edges.iter().map(|&e| graph.relation(e).attrs),
        EDGE_COLUMNS,
    );
    let mut header: Vec<String> = EDGE_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(ecols.iter().map(|(_, h)| h.clone()));
    let rows = sub
        .edges
        .iter()
        .map(|&ix| {
            let r = graph.relation(ix);
            let (from, to) = graph.ends(ix);
            let mut row = vec![
                graph.entity(from).id.to_string(),
                graph.entity(to).id.to_string(),
                graph.relation_kind_label(r.kind).to_string(),
            ];
            row.extend(relation_cells(graph, &r));
            row.extend([
                r.id().unwrap_or_default().into_owned(),
                if r.undirected { "true" } else { "" }.to_string(),
            ]);
            row.extend(attr_cells(graph, r.attrs, &ecols));
            row
        })
        .collect();
    CsvTables {
        nodes,
        relationships: table(header, rows),
    }
}

/// The columns of [`to_edge_table`].
pub const EDGE_TABLE_COLUMNS: &[&str] = &[
    "from_id",
    "from_name",
    "relation",
    "to_id",
    "to_name",
    "role",
    "date",
    "until",
    "amount",
    "currency",
    "approx",
    "note",
    "sources",
];

/// The view as one table a spreadsheet opens: a row per relation, both ends
/// by id and name, the relation's kind, role, dates, amount (a plain number
/// and its ISO currency), note and sources. Entities with no relation in the
/// view have no row.
pub fn to_edge_table(graph: &Graph, sub: &Subgraph) -> String {
    let header = EDGE_TABLE_COLUMNS.iter().map(|s| s.to_string()).collect();
    let rows = sub
        .edges
        .iter()
        .map(|&ix| {
            let r = graph.relation(ix);
            let (from, to) = graph.ends(ix);
            let (a, b) = (graph.entity(from), graph.entity(to));
            let mut row = vec![
                a.id.to_string(),
                a.name.to_string(),
                graph.relation_kind_label(r.kind).to_string(),
                b.id.to_string(),
                b.name.to_string(),
            ];
            row.extend(relation_cells(graph, &r));
            row
        })
        .collect();
    table(header, rows)
}

/// The two tables one after the other, a blank line between (for a single
/// output such as standard output; [`write_csv`] writes two files).
pub fn to_csv(graph: &Graph, sub: &Subgraph) -> String {
    let t = to_csv_tables(graph, sub);
    format!("{}\n{}", t.nodes, t.relationships)
}

/// Writes the tables as `folder/nodes.csv` and `folder/relationships.csv`,
/// making the folder if needed. Refuses (writing neither) if either file exists,
/// unless `force`. Returns the paths written.
pub fn write_csv(
    folder: &Path,
    graph: &Graph,
    sub: &Subgraph,
    force: bool,
) -> Result<Vec<PathBuf>, WriteError> {
    let paths = [folder.join(NODES_FILE), folder.join(RELATIONSHIPS_FILE)];
    if !force && let Some(p) = paths.iter().find(|p| p.exists()) {
        return Err(WriteError::Exists(p.clone()));
    }
    std::fs::create_dir_all(folder).map_err(|source| WriteError::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    let t = to_csv_tables(graph, sub);
    super::write_atomic(&paths[0], t.nodes.as_bytes(), force)?;
    super::write_atomic(&paths[1], t.relationships.as_bytes(), force)?;
    Ok(paths.to_vec())
}

/// A relation's role, dates, amount (value, currency, approximate), note and
/// sources: the cells both relation tables write in this order.
fn relation_cells(graph: &Graph, r: &crate::graph::Relation<'_>) -> [String; 8] {
    [
        r.role.map(|s| graph.sym(s).to_string()).unwrap_or_default(),
        date(r.date),
        date(r.until),
        r.amount.map(|a| a.value.to_string()).unwrap_or_default(),
        r.amount
            .map(|a| a.currency.code().to_string())
            .unwrap_or_default(),
        r.amount
            .filter(|a| a.approx)
            .map_or("", |_| "true")
            .to_string(),
        r.note.unwrap_or_default().to_string(),
        sources(graph, r.sources),
    ]
}
