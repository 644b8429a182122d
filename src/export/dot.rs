//! The Graphviz export: a `digraph` that `dot -Tsvg` renders.
//!
//! Nodes are named by entity id and labelled with name and kind; each kind family
//! has its own shape and fill. Edge labels carry the relation's kind, role, date and
//! amount; money flows are drawn bold. Every value is written as a DOT quoted string,
//! so no id or name can break the syntax. The kind, date and amount are also kept as
//! plain attributes (`kind=`, `date=`, …) for tools that read DOT.

use std::fmt::Write;

use crate::graph::Graph;
use crate::model::EntityKind;
use crate::view::Subgraph;

use super::{entity_label_lines, relation_label_lines};
use crate::model::date_span;

/// `s` as a DOT quoted string: `"` and `\` are escaped, line breaks become `\n`
/// (a centred line in labels), other control characters are dropped.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Label lines joined for DOT: each line escaped, lines centred.
fn label(lines: &[String]) -> String {
    quote(&lines.join("\n"))
}

/// Shape and fill colour for an entity kind.
fn style<O>(kind: &EntityKind<O>) -> (&'static str, &'static str) {
    use EntityKind::*;
    match kind {
        Person => ("ellipse", "#fde2c8"),
        Ministry | Organisation | Company | Coalition => ("box", "#d7e7f7"),
        Country | Place => ("box", "#dcefd9"),
        Programme | Fund | Campaign | Tranche => ("box", "#f7f0c6"),
        Agreement => ("note", "#ead9f2"),
        Event => ("box", "#ead9f2"),
        Equipment => ("box", "#e8e8e8"),
        Other(_) => ("box", "#ffffff"),
    }
}

/// The view as a Graphviz `digraph`.
/// Graphviz's own attribute names and those this export writes: a graph's
/// attribute of that name is written as `attr_<name>` so that it does not
/// change the drawing.
const RESERVED: &[&str] = &[
    "label",
    "shape",
    "fillcolor",
    "color",
    "style",
    "kind",
    "date",
    "amount",
    "currency",
    "fontname",
    "fontsize",
    "fontcolor",
    "id",
    "url",
    "href",
    "tooltip",
    "width",
    "height",
    "pos",
    "penwidth",
    "dir",
    "weight",
    "group",
    "rank",
    "image",
];

/// `, "key"="value"` for each of a row's own attributes (values of one key
/// joined with `; `; round-trip bookkeeping left out).
fn write_attrs(out: &mut String, graph: &Graph, attrs: &crate::graph::Attrs<'_>) {
    let mut seen: Vec<(String, String)> = Vec::new();
    for (k, v) in attrs.iter() {
        let k = graph.sym(k);
        if crate::ftm::mapping::is_hidden_attr(k) {
            continue;
        }
        match seen.iter_mut().find(|(key, _)| key == k) {
            Some((_, joined)) => {
                joined.push_str("; ");
                joined.push_str(v);
            }
            None => seen.push((k.to_string(), v.to_string())),
        }
    }
    for (k, v) in seen {
        let name = if RESERVED.contains(&k.to_lowercase().as_str()) {
            format!("attr_{k}")
        } else {
            k
        };
        let _ = write!(out, ", {}={}", quote(&name), quote(&v));
    }
}

pub fn to_dot(graph: &Graph, sub: &Subgraph) -> String {
    let mut out = String::new();
    out.push_str("digraph ties {\n");
    out.push_str("    graph [rankdir=LR, fontname=\"Helvetica\", overlap=false];\n");
    out.push_str(
        "    node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n",
    );
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");
    // Writing to a String cannot fail; the results are ignored for that reason.
    for &n in &sub.nodes {
        let e = graph.entity(n);
        let (shape, fill) = style(&e.kind);
        let _ = write!(
            out,
            "    {} [label={}, shape={shape}, fillcolor=\"{fill}\", kind={}",
            quote(e.id),
            label(&entity_label_lines(graph, n)),
            quote(graph.entity_kind_label(e.kind)),
        );
        if let Some(d) = date_span(e.date, e.until) {
            let _ = write!(out, ", date={}", quote(&d));
        }
        if let Some(a) = e.amount {
            let _ = write!(
                out,
                ", amount=\"{}\", currency=\"{}\"",
                a.value,
                a.currency.code()
            );
        }
        write_attrs(&mut out, graph, &e.attrs);
        out.push_str("];\n");
    }
    for &ix in &sub.edges {
        let r = graph.relation(ix);
        let (from, to) = graph.ends(ix);
        let _ = write!(
            out,
            "    {} -> {} [label={}, kind={}",
            quote(graph.entity(from).id),
            quote(graph.entity(to).id),
            label(&relation_label_lines(graph, ix)),
            quote(graph.relation_kind_label(r.kind)),
        );
        if let Some(d) = date_span(r.date, r.until) {
            let _ = write!(out, ", date={}", quote(&d));
        }
        if let Some(a) = r.amount {
            let _ = write!(
                out,
                ", amount=\"{}\", currency=\"{}\"",
                a.value,
                a.currency.code()
            );
        }
        write_attrs(&mut out, graph, &r.attrs);
        if r.undirected {
            // A digraph cannot hold `--`; an edge without arrowheads is the same.
            out.push_str(", dir=none");
        }
        if r.kind.is_money_flow() {
            out.push_str(", style=bold, color=\"#b5651d\"");
        }
        out.push_str("];\n");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_dot_would_misread() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(quote("a\\b"), "\"a\\\\b\"");
        assert_eq!(quote("two\nlines"), "\"two\\nlines\"");
        assert_eq!(quote("bell\u{7}"), "\"bell\"");
        // Braces, semicolons and arrows are plain text inside quotes.
        assert_eq!(quote("a -> b; }"), "\"a -> b; }\"");
    }
}
