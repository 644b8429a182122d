//! Plain-text reports for the command line: connections (`ties path`), timelines
//! (`ties timeline`) and one entity with its relations (`ties show`).
//!
//! A relation is written `entity —kind→ entity`, the arrow always pointing the way
//! the relation does, even when a connection walks it backwards
//! (`entity ←kind— entity`). Dates print as written (`2024-11`), amounts as money
//! (`€10,000,000`).

use std::fmt::Write;

use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::model::date_span;
use crate::path::Step;
use crate::timeline::TimelineItem;
use crate::view::Filter;

/// A relation's role, date and amount in parentheses (`  (2024-11-23, €10,000,000)`),
/// or nothing when none is known.
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

/// `—kind→` when `forward`, `←kind—` otherwise; `—kind—` for an undirected relation.
fn arrow(graph: &Graph, edge: EdgeIx, forward: bool) -> String {
    let phrase = graph.relation_phrase(graph.relation(edge).kind);
    if graph.is_undirected(edge) {
        format!("—{phrase}—")
    } else if forward {
        format!("—{phrase}→")
    } else {
        format!("←{phrase}—")
    }
}

/// One hop of a connection: `Kyrylo Budanov —attended→ Kaunas–Budanov meeting in
/// Vilnius`, then the relation's details.
pub fn step_line(graph: &Graph, step: &Step) -> String {
    format!(
        "{} {} {}{}",
        graph.entity(step.from).name,
        arrow(graph, step.edge, step.forward),
        graph.entity(step.to).name,
        details(graph, step.edge)
    )
}

/// Connections as numbered blocks of [`step_line`]s, after a heading naming the
/// two ends and the number of hops (each block says its own when they differ).
pub fn paths_text(graph: &Graph, a: NodeIx, b: NodeIx, paths: &[Vec<Step>]) -> String {
    let mut out = String::new();
    let hops = paths.first().map_or(0, Vec::len);
    let same = paths.iter().all(|p| p.len() == hops);
    let (an, bn) = (&graph.entity(a).name, &graph.entity(b).name);
    // Writing to a String cannot fail; the results are ignored for that reason.
    if same {
        let _ = writeln!(
            out,
            "{} shortest connection{} between {an} and {bn} ({}):",
            paths.len(),
            if paths.len() == 1 { "" } else { "s" },
            count(hops, "hop"),
        );
    } else {
        let longest = paths.iter().map(Vec::len).max().unwrap_or(0);
        let _ = writeln!(
            out,
            "{} between {an} and {bn} ({hops} to {longest} hops), shortest first:",
            count(paths.len(), "connection"),
        );
    }
    for (i, path) in paths.iter().enumerate() {
        out.push('\n');
        if paths.len() > 1 && same {
            let _ = writeln!(out, "{}.", i + 1);
        } else if !same {
            let _ = writeln!(out, "{}. ({})", i + 1, count(path.len(), "hop"));
        }
        for step in path {
            let _ = writeln!(out, "  {}", step_line(graph, step));
        }
    }
    out
}

/// A timeline as aligned columns: date, what, who.
pub fn timeline_text(graph: &Graph, items: &[TimelineItem]) -> String {
    let rows: Vec<(String, String, String)> = items
        .iter()
        .map(|i| (i.when(graph), i.what(graph), i.who(graph)))
        .collect();
    let w_when = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let w_what = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (when, what, who) in rows {
        let _ = writeln!(out, "{when:<w_when$}  {what:<w_what$}  {who}");
    }
    out
}

/// What an entity or relation without a source says (sources are optional:
/// imported graphs seldom have them; `ties check --strict` requires them).
pub const NO_SOURCE: &str = "no source given";

/// One entity: name, kind and id, badges (an FtM entity's topics), aliases,
/// date, amount, note, its other properties under their labels and sources, then
/// every relation `filter` shows (outgoing first, then incoming, in file order) with
/// its details, sources and note, and how many relations the filter hides.
pub fn entity_text(graph: &Graph, node: NodeIx, filter: &Filter) -> String {
    let e = graph.entity(node);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  ({}, id {})",
        e.name,
        crate::ftm::mapping::kind_text(graph, node),
        e.id
    );
    let badges = crate::ftm::badges(graph, node);
    if !badges.is_empty() {
        let _ = writeln!(out, "  [{}]", badges.join("] ["));
    }
    if let Some(p) = crate::ftm::provenance(graph, node) {
        let _ = writeln!(out, "  {p}");
    }
    if !e.aliases.is_empty() {
        let _ = writeln!(out, "  also known as: {}", e.aliases.join("; "));
    }
    if let Some(d) = date_span(e.date, e.until) {
        let _ = writeln!(out, "  date: {d}");
    }
    if let Some(a) = e.amount {
        let _ = writeln!(out, "  amount: {a}");
    }
    if let Some(n) = &e.note {
        let _ = writeln!(out, "  note: {n}");
    }
    for (label, values) in crate::ftm::entity_properties(graph, node) {
        let _ = writeln!(out, "  {label}: {values}");
    }
    // A loop (an entity owning part of itself) is listed once.
    let all: Vec<_> = graph
        .ties(node)
        .filter(|t| t.other != node || t.direction == petgraph::Direction::Outgoing)
        .collect();
    let shown: Vec<_> = all
        .iter()
        .filter(|t| filter.relation_visible(graph, t.edge))
        .collect();
    // When no relation shown has a source, that is said once, here, not on
    // every line (imported graphs seldom have sources).
    let relations_sourced = shown
        .iter()
        .any(|t| !graph.source_list(graph.relation(t.edge).sources).is_empty());
    let entity_sources = graph.source_list(e.sources);
    if entity_sources.is_empty() && !crate::ftm::is_placeholder(graph, node) {
        if relations_sourced || shown.is_empty() {
            let _ = writeln!(out, "  {NO_SOURCE}");
        } else {
            let _ = writeln!(out, "  {NO_SOURCE}, for it or any relation below");
        }
    } else if !relations_sourced && !shown.is_empty() {
        let _ = writeln!(out, "  {NO_SOURCE} for any relation below");
    }
    for s in entity_sources {
        let s = graph.source(s);
        // An imported source may be only an id (or an address): nothing repeated.
        let said: Vec<&str> = [&*s.outlet, &*s.title]
            .into_iter()
            .filter(|t| !t.is_empty() && *t != &*s.id)
            .collect();
        let _ = write!(out, "  source {}", s.id);
        if !said.is_empty() {
            let _ = write!(out, ": {}", said.join(" — "));
        }
        match s.url.as_deref().filter(|u| *u != &*s.id) {
            Some(url) => {
                let _ = writeln!(out, " <{url}>");
            }
            None => out.push('\n'),
        }
    }
    let shown_edges: Vec<EdgeIx> = shown.iter().map(|t| t.edge).collect();
    if let Some(note) = undated_note(graph, &shown_edges, filter) {
        let _ = writeln!(out, "\n{note}");
    }
    let _ = writeln!(
        out,
        "\nrelations ({}{}):",
        shown.len(),
        if shown.len() < all.len() {
            format!(" shown, {} outside the view", all.len() - shown.len())
        } else {
            String::new()
        }
    );
    for t in shown {
        let r = graph.relation(t.edge);
        let forward = t.direction == petgraph::Direction::Outgoing;
        let sources: Vec<&str> = graph
            .source_list(r.sources)
            .iter()
            .map(|&s| &*graph.source(s).id)
            .collect();
        let own: Vec<String> = crate::ftm::relation_properties(graph, t.edge)
            .into_iter()
            .map(|(label, values)| format!("{label}: {values}"))
            .collect();
        let own = if own.is_empty() {
            String::new()
        } else {
            format!("  {{{}}}", own.join("; "))
        };
        let missing = if crate::ftm::is_placeholder(graph, t.other) {
            format!(" ({})", crate::ftm::PLACEHOLDER_TEXT)
        } else {
            String::new()
        };
        let cited = match (sources.is_empty(), relations_sourced) {
            (false, _) => format!("  [{}]", sources.join(", ")),
            (true, true) => format!("  [{NO_SOURCE}]"),
            (true, false) => String::new(),
        };
        let _ = writeln!(
            out,
            "  {} {}{missing}{}{own}{cited}",
            arrow(graph, t.edge, forward),
            graph.entity(t.other).name,
            details(graph, t.edge),
        );
        if let Some(n) = &r.note {
            let _ = writeln!(out, "      {n}");
        }
    }
    out
}

/// With a date window that keeps undated relations: how many of `edges` are
/// undated. `None` without a window, or when undated relations are hidden.
pub fn undated_count(graph: &Graph, edges: &[EdgeIx], filter: &Filter) -> Option<usize> {
    if filter.window.is_all() || filter.hide_undated {
        return None;
    }
    Some(
        edges
            .iter()
            .filter(|&&e| {
                let r = graph.relation(e);
                r.date.is_none() && r.until.is_none()
            })
            .count(),
    )
}

/// [`undated_count`] as a sentence for the command line: `dates 2025..: 12
/// undated relations included (a date window keeps them; --no-undated leaves
/// them out)`.
pub fn undated_note(graph: &Graph, edges: &[EdgeIx], filter: &Filter) -> Option<String> {
    let n = undated_count(graph, edges, filter)?;
    Some(format!(
        "dates {}: {} included (a date window keeps them; --no-undated leaves them out)",
        filter.window,
        count(n, "undated relation")
    ))
}

/// The undated relations of a timeline's view that carry an amount, apart
/// from the dated items, under `heading`: they are in the view, not on its
/// line (nor, in a date window, in its period).
pub fn undated_amounts_text(graph: &Graph, edges: &[EdgeIx], heading: &str) -> String {
    let lines: Vec<String> = edges
        .iter()
        .filter_map(|&e| crate::timeline::undated_amount_line(graph, e))
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{heading}\n");
    for l in lines {
        let _ = writeln!(out, "  {l}");
    }
    out
}

pub use crate::model::count;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_texts;
    use crate::path::shortest_paths;

    fn fixture() -> Graph {
        let text = r#"Graph(
            sources: [Source(id: "s", outlet: "Paper", title: "Story", file: "f")],
            entities: [
                Entity(id: "p", kind: person, name: "Pat", aliases: ["P."], sources: ["s"]),
                Entity(id: "m", kind: ministry, name: "Ministry"),
                Entity(id: "f", kind: fund, name: "Fund", date: "2024-11"),
            ],
            relations: [
                Relation(from: "p", to: "m", kind: holds_office, role: "Minister", sources: ["s"]),
                Relation(from: "m", to: "f", kind: finances, date: "2024-11-23",
                         amount: (value: 10000000, currency: "EUR"), sources: ["s"], note: "First."),
            ],
        )"#;
        load_texts(vec![("f.ron".into(), text.into())]).unwrap()
    }

    #[test]
    fn arrows_follow_the_relation_not_the_walk() {
        let g = fixture();
        let (f, p) = (g.find("f").unwrap(), g.find("p").unwrap());
        let paths = shortest_paths(&g, f, p, 3, &Filter::default(), 5);
        assert_eq!(
            paths_text(&g, f, p, &paths),
            "1 shortest connection between Fund and Pat (2 hops):\n\n\
             \x20 Fund ←finances— Ministry  (2024-11-23, €10,000,000)\n\
             \x20 Ministry ←holds office— Pat  (Minister)\n"
        );
    }

    #[test]
    fn entity_lists_relations_in_the_view() {
        let g = fixture();
        let m = g.find("m").unwrap();
        let text = entity_text(&g, m, &Filter::default());
        assert_eq!(
            text,
            "Ministry  (ministry, id m)\n\
             \x20 no source given\n\
             \nrelations (2):\n\
             \x20 —finances→ Fund  (2024-11-23, €10,000,000)  [s]\n\
             \x20     First.\n\
             \x20 ←holds office— Pat  (Minister)  [s]\n"
        );
        let f = Filter {
            window: "2025".parse().unwrap(),
            ..Filter::default()
        };
        let text = entity_text(&g, m, &f);
        assert!(
            text.contains("relations (1 shown, 1 outside the view):\n  ←holds office— Pat"),
            "{text}"
        );
    }
}
