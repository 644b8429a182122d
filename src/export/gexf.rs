//! The GEXF export, for Gephi (and networkx's `read_gexf`).
//!
//! GEXF 1.2: node labels are names; kind, aliases, date, until, note, amount,
//! currency, approx, sources and every other attribute are `attvalues` of
//! declared attributes; a relation's `weight` attribute, when it is a number,
//! is the edge's weight. Dates are also GEXF dynamics (`mode="dynamic"`,
//! `timeformat="date"`): a dated entity or relation lives from the first day of
//! its date to the last day of its `until` (or of its date), so Gephi's
//! timeline plays it. The `date`/`until` values keep the precision the graph
//! has (`2024`, `2024-11`). Undirected relations are `type="undirected"` edges;
//! a graph whose relations are all undirected says so in `defaultedgetype`.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::graphml::escape;
use crate::graph::{Attrs, Graph, SourceSet};
use crate::model::{Amount, PartialDate, date::days_in_month};
use crate::read::attribute_name;
use crate::view::Subgraph;

/// The fixed attributes: `(title, type)`, by class.
const NODE_ATTRS: &[(&str, &str)] = &[
    ("kind", "string"),
    ("aliases", "string"),
    ("date", "string"),
    ("until", "string"),
    ("note", "string"),
    ("amount", "double"),
    ("currency", "string"),
    ("approx", "boolean"),
    ("sources", "string"),
];
const EDGE_ATTRS: &[(&str, &str)] = &[
    ("kind", "string"),
    ("role", "string"),
    ("date", "string"),
    ("until", "string"),
    ("note", "string"),
    ("amount", "double"),
    ("currency", "string"),
    ("approx", "boolean"),
    ("sources", "string"),
    ("relation_id", "string"),
];

/// `2024-11` as the GEXF date of its first (or last) day: `2024-11-01`.
fn gexf_day(d: PartialDate, last: bool) -> String {
    let s = d.to_string();
    let mut parts = s.splitn(3, '-');
    let y = parts.next().unwrap_or("0000");
    let year: i32 = y.parse().unwrap_or(0);
    let month: Option<u32> = parts.next().and_then(|m| m.parse().ok());
    let day: Option<u32> = parts.next().and_then(|m| m.parse().ok());
    let m = month.unwrap_or(if last { 12 } else { 1 });
    let dd = day.unwrap_or(if last { days_in_month(year, m) } else { 1 });
    format!("{y}-{m:02}-{dd:02}")
}

/// ` start="…" end="…"` for a dated record.
fn spell(date: Option<PartialDate>, until: Option<PartialDate>) -> String {
    match (date, until) {
        (None, None) => String::new(),
        (d, u) => {
            let start = d.or(u).map(|d| gexf_day(d, false)).unwrap_or_default();
            let end = u.or(d).map(|d| gexf_day(d, true)).unwrap_or_default();
            format!(" start=\"{start}\" end=\"{end}\"")
        }
    }
}

fn sources(graph: &Graph, set: SourceSet) -> Option<String> {
    let ids: Vec<&str> = graph
        .source_list(set)
        .iter()
        .map(|&s| &*graph.source(s).id)
        .collect();
    (!ids.is_empty()).then(|| ids.join(";"))
}

fn amount_values(a: Option<Amount>) -> [(&'static str, Option<String>); 3] {
    [
        ("amount", a.map(|a| a.value.to_string())),
        ("currency", a.map(|a| a.currency.code().to_string())),
        ("approx", a.filter(|a| a.approx).map(|_| "true".to_string())),
    ]
}

/// Attribute titles → GEXF ids, fixed ones first, then each attribute name the
/// records use (`a0`, `a1`, …).
struct Declared {
    ids: BTreeMap<String, String>,
    order: Vec<(String, String, &'static str)>,
}

impl Declared {
    fn new(fixed: &[(&str, &'static str)]) -> Self {
        let mut d = Declared {
            ids: BTreeMap::new(),
            order: Vec::new(),
        };
        for (title, ty) in fixed {
            d.add(title, ty);
        }
        d
    }

    fn add(&mut self, title: &str, ty: &'static str) {
        if !self.ids.contains_key(title) {
            let id = format!("a{}", self.order.len());
            self.ids.insert(title.to_string(), id.clone());
            self.order.push((id, title.to_string(), ty));
        }
    }

    fn write(&self, out: &mut String, class: &str) {
        let _ = writeln!(out, "    <attributes class=\"{class}\" mode=\"static\">");
        for (id, title, ty) in &self.order {
            let _ = writeln!(
                out,
                "      <attribute id=\"{id}\" title=\"{}\" type=\"{ty}\"/>",
                escape(title)
            );
        }
        out.push_str("    </attributes>\n");
    }
}

/// Appends `<attvalues>` for the values given.
fn attvalues(out: &mut String, declared: &Declared, values: &[(String, String)]) {
    if values.is_empty() {
        return;
    }
    out.push_str("        <attvalues>\n");
    for (title, value) in values {
        if let Some(id) = declared.ids.get(title) {
            let _ = writeln!(
                out,
                "          <attvalue for=\"{id}\" value=\"{}\"/>",
                escape(value)
            );
        }
    }
    out.push_str("        </attvalues>\n");
}

/// A record's attributes, repeated names joined by `;`.
fn other_attrs(graph: &Graph, attrs: Attrs<'_>, skip: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    for (k, value) in attrs.iter() {
        if graph.sym(k) == skip {
            continue;
        }
        let key = attribute_name(graph.sym(k));
        match v.iter_mut().find(|(k2, _)| *k2 == key) {
            Some((_, old)) => {
                old.push(';');
                old.push_str(value);
            }
            None => v.push((key.to_string(), value.to_string())),
        }
    }
    v
}

/// The view as a GEXF 1.2 document.
pub fn to_gexf(graph: &Graph, sub: &Subgraph) -> String {
    let mut nodes = Declared::new(NODE_ATTRS);
    for &n in &sub.nodes {
        for (k, _) in graph.entity(n).attrs.iter() {
            nodes.add(&attribute_name(graph.sym(k)), "string");
        }
    }
    let weight = |ix| {
        let r = graph.relation(ix);
        r.attrs
            .iter()
            .find(|(k, _)| graph.sym(*k) == "weight")
            .and_then(|(_, v)| v.trim().parse::<f64>().ok().map(|_| v.trim().to_string()))
    };
    let mut edges = Declared::new(EDGE_ATTRS);
    for &e in &sub.edges {
        let skip = if weight(e).is_some() { "weight" } else { "" };
        for (k, _) in graph.relation(e).attrs.iter() {
            if graph.sym(k) != skip {
                edges.add(&attribute_name(graph.sym(k)), "string");
            }
        }
    }
    let undirected = sub
        .edges
        .iter()
        .filter(|&&e| graph.is_undirected(e))
        .count();
    let all_undirected = undirected > 0 && undirected == sub.edges.len();
    let dynamic = sub.nodes.iter().any(|&n| {
        let (_, d, u) = graph.entity_kind_dates(n);
        d.is_some() || u.is_some()
    }) || sub.edges.iter().any(|&e| {
        let (_, d, u) = graph.relation_kind_dates(e);
        d.is_some() || u.is_some()
    });
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n\
         \x20 <meta>\n    <creator>ties</creator>\n  </meta>\n",
    );
    // Writing to a String cannot fail; the results are ignored for that reason.
    let _ = writeln!(
        out,
        "  <graph defaultedgetype=\"{}\" mode=\"{}\"{}>",
        if all_undirected {
            "undirected"
        } else {
            "directed"
        },
        if dynamic { "dynamic" } else { "static" },
        if dynamic { " timeformat=\"date\"" } else { "" },
    );
    nodes.write(&mut out, "node");
    edges.write(&mut out, "edge");
    out.push_str("    <nodes>\n");
    for &n in &sub.nodes {
        let e = graph.entity(n);
        let _ = writeln!(
            out,
            "      <node id=\"{}\" label=\"{}\"{}>",
            escape(e.id),
            escape(e.name),
            spell(e.date, e.until)
        );
        let aliases = e.aliases.join("; ");
        let mut values: Vec<(String, String)> = [
            ("kind", Some(graph.entity_kind_label(e.kind).to_string())),
            ("aliases", (!aliases.is_empty()).then_some(aliases)),
            ("date", e.date.map(|d| d.to_string())),
            ("until", e.until.map(|d| d.to_string())),
            ("note", e.note.map(str::to_string)),
        ]
        .into_iter()
        .chain(amount_values(e.amount))
        .chain([("sources", sources(graph, e.sources))])
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
        values.extend(other_attrs(graph, e.attrs, ""));
        attvalues(&mut out, &nodes, &values);
        out.push_str("      </node>\n");
    }
    out.push_str("    </nodes>\n    <edges>\n");
    for &ix in &sub.edges {
        let r = graph.relation(ix);
        let (from, to) = graph.ends(ix);
        let w = weight(ix);
        let _ = writeln!(
            out,
            "      <edge id=\"e{}\" source=\"{}\" target=\"{}\" label=\"{}\"{}{}{}>",
            ix.index(),
            escape(graph.entity(from).id),
            escape(graph.entity(to).id),
            escape(&graph.relation_phrase(r.kind)),
            if r.undirected && !all_undirected {
                " type=\"undirected\""
            } else {
                ""
            },
            w.as_ref()
                .map(|w| format!(" weight=\"{w}\""))
                .unwrap_or_default(),
            spell(r.date, r.until),
        );
        let mut values: Vec<(String, String)> = [
            ("kind", Some(graph.relation_kind_label(r.kind).to_string())),
            ("role", r.role.map(|s| graph.sym(s).to_string())),
            ("date", r.date.map(|d| d.to_string())),
            ("until", r.until.map(|d| d.to_string())),
            ("note", r.note.map(str::to_string)),
        ]
        .into_iter()
        .chain(amount_values(r.amount))
        .chain([
            ("sources", sources(graph, r.sources)),
            ("relation_id", r.id().map(std::borrow::Cow::into_owned)),
        ])
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
        values.extend(other_attrs(
            graph,
            r.attrs,
            if w.is_some() { "weight" } else { "" },
        ));
        attvalues(&mut out, &edges, &values);
        out.push_str("      </edge>\n");
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_become_whole_days() {
        let d = |s: &str| s.parse::<PartialDate>().unwrap();
        assert_eq!(gexf_day(d("2024"), false), "2024-01-01");
        assert_eq!(gexf_day(d("2024-02"), true), "2024-02-29");
        assert_eq!(gexf_day(d("2023-02-03"), true), "2023-02-03");
        assert_eq!(
            spell(Some(d("2024")), None),
            " start=\"2024-01-01\" end=\"2024-12-31\""
        );
    }
}
