//! The GraphML export, for Gephi, networkx, yEd and other graph tools.
//!
//! Every attribute is declared with a `<key>`: nodes carry label (the name, which
//! Gephi shows), kind, name,
//! aliases, date, until, note, amount, currency, approx and sources; edges carry
//! label, kind, role, date, until, amount, currency, approx, note, sources and the
//! relation's own id. Each entity's and relation's own attributes (FtM
//! properties such as `birthDate`, `topics`, `percentage`) follow as string
//! attributes under their own names. Amounts are `double`s; dates are written as in the graph file
//! (`2024`, `2024-11`, `2024-11-23`). A value that is not known is left out, never
//! written empty. Node ids are entity ids; edge ids are `e` and the relation's index
//! in the loaded graph. An undirected relation's edge says `directed="false"`.

use std::fmt::Write;

use crate::graph::{Attrs, Graph, SourceSet};
use crate::model::Amount;
use crate::view::Subgraph;

/// `s` with XML's special characters as entities and the control characters XML 1.0
/// forbids dropped; safe in text and in quoted attributes.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `(key id, for, attr.name, attr.type)` of every declared attribute.
const KEYS: &[(&str, &str, &str, &str)] = &[
    ("n_label", "node", "label", "string"),
    ("n_kind", "node", "kind", "string"),
    ("n_name", "node", "name", "string"),
    ("n_aliases", "node", "aliases", "string"),
    ("n_date", "node", "date", "string"),
    ("n_until", "node", "until", "string"),
    ("n_note", "node", "note", "string"),
    ("n_amount", "node", "amount", "double"),
    ("n_currency", "node", "currency", "string"),
    ("n_approx", "node", "approx", "boolean"),
    ("n_sources", "node", "sources", "string"),
    ("e_label", "edge", "label", "string"),
    ("e_kind", "edge", "kind", "string"),
    ("e_role", "edge", "role", "string"),
    ("e_date", "edge", "date", "string"),
    ("e_until", "edge", "until", "string"),
    ("e_amount", "edge", "amount", "double"),
    ("e_currency", "edge", "currency", "string"),
    ("e_approx", "edge", "approx", "boolean"),
    ("e_note", "edge", "note", "string"),
    ("e_sources", "edge", "sources", "string"),
    ("e_relation_id", "edge", "relation_id", "string"),
];

/// Appends `<data key="…">value</data>` when there is a value.
fn data(out: &mut String, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        let _ = writeln!(out, "      <data key=\"{key}\">{}</data>", escape(v));
    }
}

fn amount_data(out: &mut String, prefix: &str, amount: Option<Amount>) {
    if let Some(a) = amount {
        data(out, &format!("{prefix}_amount"), Some(&a.value.to_string()));
        data(out, &format!("{prefix}_currency"), Some(a.currency.code()));
        if a.approx {
            data(out, &format!("{prefix}_approx"), Some("true"));
        }
    }
}

/// Source ids separated by `;`.
fn sources(graph: &Graph, set: SourceSet) -> Option<String> {
    let ids: Vec<&str> = graph
        .source_list(set)
        .iter()
        .map(|&s| &*graph.source(s).id)
        .collect();
    (!ids.is_empty()).then(|| ids.join(";"))
}

/// The attributes of `attrs` to write, values of one key joined with `; `
/// (round-trip bookkeeping such as `ftm_names` left out).
fn attr_values(graph: &Graph, attrs: &Attrs<'_>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in attrs.iter() {
        let k = graph.sym(k);
        if crate::ftm::mapping::is_hidden_attr(k) {
            continue;
        }
        match out.iter_mut().find(|(key, _)| key == k) {
            Some((_, joined)) => {
                joined.push_str("; ");
                joined.push_str(v);
            }
            None => out.push((k.to_string(), v.to_string())),
        }
    }
    out
}

/// The declared key of each attribute name (`n_a0`, `e_a1`…), in first-seen
/// order; a name that clashes with a fixed attribute gets an `attr_` prefix.
struct AttrKeys {
    prefix: &'static str,
    names: Vec<String>,
}

impl AttrKeys {
    fn new(prefix: &'static str) -> Self {
        AttrKeys {
            prefix,
            names: Vec::new(),
        }
    }

    fn add(&mut self, name: &str) {
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
    }

    fn id(&self, name: &str) -> String {
        let i = self.names.iter().position(|n| n == name).unwrap_or(0);
        format!("{}_a{i}", self.prefix)
    }

    fn declare(&self, out: &mut String, target: &str) {
        for name in &self.names {
            let clash = KEYS.iter().any(|(_, t, n, _)| *t == target && n == name);
            let shown = if clash {
                format!("attr_{name}")
            } else {
                name.clone()
            };
            let _ = writeln!(
                out,
                "  <key id=\"{}\" for=\"{target}\" attr.name=\"{}\" attr.type=\"string\"/>",
                self.id(name),
                escape(&shown)
            );
        }
    }
}

/// The view as a GraphML document.
pub fn to_graphml(graph: &Graph, sub: &Subgraph) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    // Writing to a String cannot fail; the results are ignored for that reason.
    for (id, target, name, ty) in KEYS {
        let _ = writeln!(
            out,
            "  <key id=\"{id}\" for=\"{target}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        );
    }
    // Each entity's and relation's own attributes (an FtM entity's birth date,
    // topics; an ownership's percentage) as string attributes of their own.
    let node_attrs: Vec<Vec<(String, String)>> = sub
        .nodes
        .iter()
        .map(|&n| attr_values(graph, &graph.entity(n).attrs))
        .collect();
    let edge_attrs: Vec<Vec<(String, String)>> = sub
        .edges
        .iter()
        .map(|&e| attr_values(graph, &graph.relation(e).attrs))
        .collect();
    let (mut nkeys, mut ekeys) = (AttrKeys::new("n"), AttrKeys::new("e"));
    node_attrs.iter().flatten().for_each(|(k, _)| nkeys.add(k));
    edge_attrs.iter().flatten().for_each(|(k, _)| ekeys.add(k));
    nkeys.declare(&mut out, "node");
    ekeys.declare(&mut out, "edge");
    out.push_str("  <graph id=\"ties\" edgedefault=\"directed\">\n");
    for (&n, attrs) in sub.nodes.iter().zip(&node_attrs) {
        let e = graph.entity(n);
        let _ = writeln!(out, "    <node id=\"{}\">", escape(e.id));
        data(&mut out, "n_label", Some(e.name));
        data(&mut out, "n_kind", Some(graph.entity_kind_label(e.kind)));
        data(&mut out, "n_name", Some(e.name));
        let aliases = e.aliases.join("; ");
        data(
            &mut out,
            "n_aliases",
            (!aliases.is_empty()).then_some(&*aliases),
        );
        data(&mut out, "n_date", e.date.map(|d| d.to_string()).as_deref());
        data(
            &mut out,
            "n_until",
            e.until.map(|d| d.to_string()).as_deref(),
        );
        data(&mut out, "n_note", e.note);
        amount_data(&mut out, "n", e.amount);
        data(&mut out, "n_sources", sources(graph, e.sources).as_deref());
        for (k, v) in attrs {
            data(&mut out, &nkeys.id(k), Some(v));
        }
        out.push_str("    </node>\n");
    }
    for (&ix, attrs) in sub.edges.iter().zip(&edge_attrs) {
        let r = graph.relation(ix);
        let (from, to) = graph.ends(ix);
        let _ = writeln!(
            out,
            "    <edge id=\"e{}\" source=\"{}\" target=\"{}\"{}>",
            ix.index(),
            escape(graph.entity(from).id),
            escape(graph.entity(to).id),
            if r.undirected {
                " directed=\"false\""
            } else {
                ""
            }
        );
        let kind = graph.relation_kind_label(r.kind);
        data(&mut out, "e_label", Some(&graph.relation_phrase(r.kind)));
        data(&mut out, "e_kind", Some(kind));
        data(&mut out, "e_role", r.role.map(|s| graph.sym(s)));
        data(&mut out, "e_date", r.date.map(|d| d.to_string()).as_deref());
        data(
            &mut out,
            "e_until",
            r.until.map(|d| d.to_string()).as_deref(),
        );
        amount_data(&mut out, "e", r.amount);
        data(&mut out, "e_note", r.note);
        data(&mut out, "e_sources", sources(graph, r.sources).as_deref());
        data(&mut out, "e_relation_id", r.id().as_deref());
        for (k, v) in attrs {
            data(&mut out, &ekeys.id(k), Some(v));
        }
        out.push_str("    </edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("R&D <\"x\"> 'y'"),
            "R&amp;D &lt;&quot;x&quot;&gt; &apos;y&apos;"
        );
        assert_eq!(escape("a\u{0}b\tc"), "ab\tc");
    }
}
