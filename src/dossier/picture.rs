//! The neighbourhood as a picture: an SVG laid out by `layout-rs` (Graphviz's
//! DOT, drawn in pure Rust) for HTML; Markdown uses the Mermaid export.

use std::fmt::Write;

use crate::graph::{Graph, NodeIx};
use crate::view::Subgraph;

/// Most entities drawn: past that a picture is a hairball; the busiest stay.
pub const MOST_DRAWN: usize = 40;

/// The entities drawn: the focus, then its neighbours with the most relations.
fn drawn(graph: &Graph, focus: NodeIx, sub: &Subgraph) -> Vec<NodeIx> {
    let mut nodes: Vec<NodeIx> = sub.nodes.iter().copied().filter(|&n| n != focus).collect();
    nodes.sort_by_key(|&n| std::cmp::Reverse(graph.degree(n)));
    nodes.truncate(MOST_DRAWN - 1);
    nodes.insert(0, focus);
    nodes
}

/// `sub` cut to the entities drawn, for the Mermaid block.
pub fn trimmed(graph: &Graph, focus: NodeIx, sub: &Subgraph) -> Subgraph {
    let mut nodes = drawn(graph, focus, sub);
    nodes.sort_unstable();
    let edges = sub
        .edges
        .iter()
        .copied()
        .filter(|&e| {
            let (a, b) = graph.ends(e);
            nodes.binary_search(&a).is_ok() && nodes.binary_search(&b).is_ok()
        })
        .collect();
    Subgraph {
        nodes,
        edges,
        whole: false,
    }
}

fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `name` quoted for DOT, broken at spaces into lines of about `width`
/// characters (DOT's `\n`), so long names make tall boxes, not a page-wide row.
fn wrapped(name: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    let quoted: Vec<String> = lines
        .iter()
        .map(|l| dot_quote(l).trim_matches('"').to_string())
        .collect();
    format!("\"{}\"", quoted.join("\\n"))
}

/// The neighbourhood as DOT for `layout-rs`: plain boxes and labelled arrows.
fn dot(graph: &Graph, focus: NodeIx, sub: &Subgraph) -> String {
    let sub = trimmed(graph, focus, sub);
    // Left to right: a star of long names stacks its leaves, and fits a page.
    let mut s = String::from("digraph {\n  rankdir=LR;\n");
    for &n in &sub.nodes {
        let style = if n == focus {
            ", fillcolor=\"#fde68a\", style=filled"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  n{} [shape=box, label={}{style}];",
            n.index(),
            wrapped(graph.entity(n).name, 40)
        );
    }
    for &e in &sub.edges {
        let (a, b) = graph.ends(e);
        let phrase = graph.relation_phrase(graph.relation(e).kind);
        let _ = writeln!(
            s,
            "  n{} -> n{} [label={}];",
            a.index(),
            b.index(),
            dot_quote(&phrase)
        );
    }
    s.push_str("}\n");
    s
}

/// The neighbourhood as an inline `<svg>` element, or why it could not be drawn.
pub fn svg(graph: &Graph, focus: NodeIx, sub: &Subgraph) -> Result<String, String> {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};

    let text = dot(graph, focus, sub);
    let drawn = std::panic::catch_unwind(|| {
        let mut parser = DotParser::new(&text);
        let g = parser.process()?;
        let mut builder = GraphBuilder::new();
        builder.visit_graph(&g);
        let mut vg = builder.get();
        let mut svg = SVGWriter::new();
        vg.do_it(false, false, false, &mut svg);
        Ok::<String, String>(svg.finalize())
    });
    let out = match drawn {
        Ok(r) => r?,
        Err(_) => return Err("the layout failed".into()),
    };
    // Inline in HTML: no XML prolog, only the element.
    match out.find("<svg") {
        Some(i) => Ok(out[i..].to_string()),
        None => Err("the layout gave no <svg>".into()),
    }
}
