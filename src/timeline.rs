//! The timeline of a view: its dated relations and dated entities (events,
//! agreements, campaigns…) in date order.
//!
//! Partial dates sort by the first day of their period, coarser first, so `2024`
//! comes before `2024-11`, which comes before `2024-11-04`; items on the same date
//! are ordered by name. Every item names the entity to jump to.

use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::model::PartialDate;
use crate::model::date_span;
use crate::view::Subgraph;

/// What a timeline item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dated {
    /// A dated entity: an event, agreement, campaign, tranche…
    Entity(NodeIx),
    /// A dated relation.
    Relation(EdgeIx),
}

/// One dated thing in a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineItem {
    /// When it happened or began (for something known only to have ended, when it
    /// ended): the date it is sorted by.
    pub date: PartialDate,
    pub subject: Dated,
    /// The entity to jump to: the dated entity itself, or a relation's source (the
    /// one that signed, attended, financed…).
    pub node: NodeIx,
    /// For a relation, the entity at its other end.
    pub other: Option<NodeIx>,
}

impl TimelineItem {
    /// The date as written: `2024-11-23`, or `2025-02-03..2025-02-24` for a span.
    pub fn when(&self, graph: &Graph) -> String {
        let (date, until) = match self.subject {
            Dated::Entity(n) => (graph.entity(n).date, graph.entity(n).until),
            Dated::Relation(e) => (graph.relation(e).date, graph.relation(e).until),
        };
        date_span(date, until).unwrap_or_else(|| self.date.to_string())
    }

    /// What happened: the entity's kind (`agreement`) or the relation's phrase
    /// (`signed`).
    pub fn what(&self, graph: &Graph) -> String {
        match self.subject {
            Dated::Entity(n) => graph.entity_kind_label(graph.entity(n).kind).to_string(),
            Dated::Relation(e) => graph.relation_phrase(graph.relation(e).kind),
        }
    }

    /// Who or what it concerns: the entity's name, or `from → to` for a relation
    /// (with its role), then any amount.
    pub fn who(&self, graph: &Graph) -> String {
        match self.subject {
            Dated::Entity(n) => {
                let e = graph.entity(n);
                match e.amount {
                    Some(a) => format!("{}  {a}", e.name),
                    None => e.name.to_string(),
                }
            }
            Dated::Relation(ix) => {
                let r = graph.relation(ix);
                let (from, to) = graph.ends(ix);
                let mut s = format!("{} → {}", graph.entity(from).name, graph.entity(to).name);
                if let Some(role) = r.role {
                    s.push_str(&format!(" ({})", graph.sym(role)));
                }
                if let Some(a) = r.amount {
                    s.push_str(&format!("  {a}"));
                }
                s
            }
        }
    }

    /// The name items on the same date are ordered by.
    fn sort_name<'g>(&self, graph: &'g Graph) -> (&'g str, &'g str) {
        (
            graph.entity(self.node).name,
            self.other.map_or("", |o| graph.entity(o).name),
        )
    }
}

/// The dated relations and dated entities of `sub`, in date order, same dates by
/// name (a relation by its source's, then its target's name), then entities before
/// relations, then graph order.
pub fn timeline(graph: &Graph, sub: &Subgraph) -> Vec<TimelineItem> {
    let mut items = Vec::new();
    for &n in &sub.nodes {
        let e = graph.entity(n);
        if let Some(date) = e.date.or(e.until) {
            items.push(TimelineItem {
                date,
                subject: Dated::Entity(n),
                node: n,
                other: None,
            });
        }
    }
    for &ix in &sub.edges {
        let r = graph.relation(ix);
        if let Some(date) = r.date.or(r.until) {
            let (from, to) = graph.ends(ix);
            items.push(TimelineItem {
                date,
                subject: Dated::Relation(ix),
                node: from,
                other: Some(to),
            });
        }
    }
    let rank = |d: &Dated| match *d {
        Dated::Entity(n) => (0, n.index()),
        Dated::Relation(e) => (1, e.index()),
    };
    items.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then_with(|| a.sort_name(graph).cmp(&b.sort_name(graph)))
            .then_with(|| rank(&a.subject).cmp(&rank(&b.subject)))
    });
    items
}

/// The relations of `sub` with neither a date nor an end date, in graph order. A
/// date window lets them through unless undated relations are hidden, so they
/// are in a windowed view without being in its period.
pub fn undated(graph: &Graph, sub: &Subgraph) -> Vec<EdgeIx> {
    sub.edges
        .iter()
        .copied()
        .filter(|&e| {
            let r = graph.relation(e);
            r.date.is_none() && r.until.is_none()
        })
        .collect()
}

/// An undated relation with an amount as a line: `€35,000,000  Lithuania
/// —contributes to→ Czech-proposed …`.
pub fn undated_amount_line(graph: &Graph, e: EdgeIx) -> Option<String> {
    let r = graph.relation(e);
    let a = r.amount?;
    let (from, to) = graph.ends(e);
    Some(format!(
        "{a}  {} —{}→ {}",
        graph.entity(from).name,
        graph.relation_phrase(r.kind),
        graph.entity(to).name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_texts;
    use crate::view::{Filter, Reach, subgraph};

    fn fixture() -> Graph {
        let text = r#"Graph(
            sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
            entities: [
                Entity(id: "p", kind: person, name: "Zed"),
                Entity(id: "q", kind: person, name: "Amy"),
                Entity(id: "m", kind: agreement, name: "Memo", date: "2024-11-04"),
                Entity(id: "y", kind: campaign, name: "Drive", date: "2024", until: "2025"),
                Entity(id: "o", kind: organisation, name: "Org"),
            ],
            relations: [
                Relation(from: "p", to: "m", kind: signed, date: "2024-11-04", sources: ["s"]),
                Relation(from: "q", to: "m", kind: signed, date: "2024-11-04", sources: ["s"]),
                Relation(from: "o", to: "y", kind: finances, date: "2024-11",
                         amount: (value: 5, currency: "EUR"), sources: ["s"]),
                Relation(from: "p", to: "o", kind: leads, sources: ["s"]),
            ],
        )"#;
        load_texts(vec![("f.ron".into(), text.into())]).unwrap()
    }

    fn lines(g: &Graph, items: &[TimelineItem]) -> Vec<String> {
        items
            .iter()
            .map(|i| format!("{} | {} | {}", i.when(g), i.what(g), i.who(g)))
            .collect()
    }

    #[test]
    fn coarse_dates_first_then_names() {
        let g = fixture();
        let sub = subgraph(&g, None, 1, Reach::Both, &Filter::default());
        assert_eq!(
            lines(&g, &timeline(&g, &sub)),
            [
                "2024..2025 | campaign | Drive",
                "2024-11 | finances | Org → Drive  €5",
                "2024-11-04 | signed | Amy → Memo",
                "2024-11-04 | agreement | Memo",
                "2024-11-04 | signed | Zed → Memo",
            ]
        );
    }

    #[test]
    fn items_jump_to_their_entity_and_follow_the_view() {
        let g = fixture();
        let p = g.find("p").unwrap();
        let f = Filter {
            window: "2024-11".parse().unwrap(),
            ..Filter::default()
        };
        let sub = subgraph(&g, Some(p), 1, Reach::Both, &f);
        let items = timeline(&g, &sub);
        assert_eq!(
            lines(&g, &items),
            [
                "2024-11-04 | agreement | Memo",
                "2024-11-04 | signed | Zed → Memo"
            ]
        );
        assert_eq!(items[0].node, g.find("m").unwrap());
        assert_eq!(items[1].node, p);
        assert_eq!(items[1].other, g.find("m"));
    }
}
