//! The Mermaid export: a left-to-right flowchart for Markdown pages.
//!
//! Node ids are safe identifiers made from entity ids (`n_kyrylo_budanov`), so no
//! id can collide with Mermaid keywords such as `end` or with edge syntax. Every
//! label is quoted, with `"`, `#`, `<`, `>`, `&` and `|` written as Mermaid entity
//! codes. Edge labels carry the relation's kind, role, date and amount on one line.

use std::collections::HashSet;
use std::fmt::Write;

use crate::graph::{Graph, NodeIx};
use crate::view::Subgraph;

use super::{entity_label_lines, relation_label_lines};

/// `s` as a quoted Mermaid label: characters Mermaid would read as syntax or HTML
/// become entity codes (`"` is `#quot;`); line breaks become `<br/>`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '\n' => out.push_str("<br/>"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Mermaid node id for an entity id: `n_` then the id with everything but ASCII
/// letters, digits and `_` turned into `_`.
fn safe_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 2);
    out.push_str("n_");
    out.extend(id.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        }
    }));
    out
}

/// Gives each node of the view a distinct safe id (ids that differ only in
/// punctuation get a numeric suffix).
fn node_ids(graph: &Graph, nodes: &[NodeIx]) -> std::collections::HashMap<NodeIx, String> {
    let mut taken = HashSet::with_capacity(nodes.len());
    let mut ids = std::collections::HashMap::with_capacity(nodes.len());
    for &n in nodes {
        let base = safe_id(graph.entity(n).id);
        let mut id = base.clone();
        let mut k = 2;
        while !taken.insert(id.clone()) {
            id = format!("{base}_{k}");
            k += 1;
        }
        ids.insert(n, id);
    }
    ids
}

/// The view as a Mermaid flowchart.
pub fn to_mermaid(graph: &Graph, sub: &Subgraph) -> String {
    let ids = node_ids(graph, &sub.nodes);
    let mut out = String::from("flowchart LR\n");
    // Writing to a String cannot fail; the results are ignored for that reason.
    for &n in &sub.nodes {
        let _ = writeln!(
            out,
            "    {}[{}]",
            ids[&n],
            quote(&entity_label_lines(graph, n).join("\n"))
        );
    }
    for &e in &sub.edges {
        let (from, to) = graph.ends(e);
        let (Some(a), Some(b)) = (ids.get(&from), ids.get(&to)) else {
            continue;
        };
        let arrow = if graph.is_undirected(e) {
            "---"
        } else if graph.relation(e).kind.is_money_flow() {
            "==>"
        } else {
            "-->"
        };
        let _ = writeln!(
            out,
            "    {a} {arrow}|{}| {b}",
            quote(&relation_label_lines(graph, e).join(", "))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_escape_quotes_and_markup() {
        assert_eq!(
            quote("The \"Danish\" model"),
            "\"The #quot;Danish#quot; model\""
        );
        assert_eq!(quote("a<b>&#|"), "\"a#lt;b#gt;#amp;#35;#124;\"");
        assert_eq!(quote("x\ny"), "\"x<br/>y\"");
    }

    #[test]
    fn ids_are_safe_identifiers() {
        assert_eq!(safe_id("end"), "n_end");
        assert_eq!(safe_id("kyrylo-budanov"), "n_kyrylo_budanov");
        assert_eq!(safe_id("ąž x"), "n____x");
    }
}
