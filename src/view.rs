//! A view: what the user is looking at. The same view drives the screen and every
//! export, so what is exported is exactly what is seen. [`FilteredGraph`] is a
//! view as petgraph's algorithms take it (`view/filtered.rs`).

mod filtered;

use std::collections::VecDeque;

use petgraph::Direction;
use serde::{Deserialize, Serialize};

pub use self::filtered::{
    FilteredGraph, VisibleNeighboursOf, VisibleNodes, VisibleRelations, VisibleRelationsOf,
};
use crate::graph::{DatasetId, DatasetSet, EdgeIx, Graph, NodeIx};
use crate::model::{DateWindow, EntityKind, PartialDate, RelationKind, Sym};

/// Which relations a neighbourhood follows from the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// Relations pointing at the focus.
    In,
    /// Relations leaving the focus.
    Out,
    #[default]
    Both,
}

impl Reach {
    /// Every direction.
    pub const ALL: [Reach; 3] = [Reach::In, Reach::Out, Reach::Both];

    /// The direction's name, as `--direction` and view files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Reach::In => "in",
            Reach::Out => "out",
            Reach::Both => "both",
        }
    }
}

impl std::str::FromStr for Reach {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reach::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown direction `{s}`; directions: in, out, both"))
    }
}

/// What is shown: which relations and entities pass. Undated relations are shown
/// unless `show_undated` is off; undated entities (people, places) always pass the
/// date window, dated ones (events, agreements) only when they overlap it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub window: DateWindow,
    pub hide_undated: bool,
    /// Empty: every kind.
    pub entity_kinds: Vec<EntityKind<Sym>>,
    /// Empty: every kind.
    pub relation_kinds: Vec<RelationKind<Sym>>,
    /// Only what these datasets hold; empty: every dataset.
    pub datasets: Vec<DatasetId>,
    /// Only these entities (sorted), e.g. those a tag names (`--tag`); `None`: all.
    pub only: Option<std::sync::Arc<[NodeIx]>>,
    /// The tags `only` was made from, as given (for showing and refreshing).
    pub tags: Vec<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.window.is_all()
            && !self.hide_undated
            && self.entity_kinds.is_empty()
            && self.relation_kinds.is_empty()
            && self.datasets.is_empty()
            && self.only.is_none()
    }

    /// A row of `set` is in one of the datasets shown.
    fn in_datasets(&self, graph: &Graph, set: DatasetSet) -> bool {
        self.datasets.is_empty()
            || graph
                .dataset_list(set)
                .iter()
                .any(|d| self.datasets.contains(d))
    }

    fn dated_passes(&self, date: Option<PartialDate>, until: Option<PartialDate>) -> Option<bool> {
        match (date, until) {
            (Some(d), u) => Some(self.window.overlaps(d, u)),
            (None, Some(u)) => Some(self.window.overlaps(u, None)),
            (None, None) => None,
        }
    }

    pub fn entity_visible(&self, graph: &Graph, node: NodeIx) -> bool {
        if !self.in_datasets(graph, graph.entity_datasets(node)) {
            return false;
        }
        if let Some(only) = &self.only
            && only.binary_search(&node).is_err()
        {
            return false;
        }
        if self.entity_kinds.is_empty() && self.window.is_all() {
            return true;
        }
        let (kind, date, until) = graph.entity_kind_dates(node);
        (self.entity_kinds.is_empty() || self.entity_kinds.contains(&kind))
            && self.dated_passes(date, until).unwrap_or(true)
    }

    /// The relation passes on its own (kind and date), whatever its ends.
    pub fn relation_passes(&self, graph: &Graph, edge: EdgeIx) -> bool {
        if self.is_empty() {
            return true;
        }
        let (kind, date, until) = graph.relation_kind_dates(edge);
        self.in_datasets(graph, graph.relation_datasets(edge))
            && (self.relation_kinds.is_empty() || self.relation_kinds.contains(&kind))
            && self.dated_passes(date, until).unwrap_or(!self.hide_undated)
    }

    /// The relation passes and both its ends are visible.
    pub fn relation_visible(&self, graph: &Graph, edge: EdgeIx) -> bool {
        if self.is_empty() {
            return true;
        }
        let (a, b) = graph.ends(edge);
        self.relation_passes(graph, edge)
            && self.entity_visible(graph, a)
            && self.entity_visible(graph, b)
    }

    /// The relation as seen from `focus`: it passes, its other end is visible,
    /// and the focus passes the date window. Kinds filter the neighbours, not
    /// the focus: `f agreement` on a person lists the agreements it is tied to.
    pub fn relation_visible_from(&self, graph: &Graph, edge: EdgeIx, focus: NodeIx) -> bool {
        if self.is_empty() {
            return true;
        }
        let (a, b) = graph.ends(edge);
        let end_visible = |n: NodeIx| {
            if n == focus {
                let (_, date, until) = graph.entity_kind_dates(n);
                self.dated_passes(date, until).unwrap_or(true)
            } else {
                self.entity_visible(graph, n)
            }
        };
        self.relation_passes(graph, edge) && end_visible(a) && end_visible(b)
    }
}

/// The entities and relations in a view, in graph order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subgraph {
    pub nodes: Vec<NodeIx>,
    pub edges: Vec<EdgeIx>,
    /// True when nothing was filtered out: the whole graph.
    pub whole: bool,
}

/// The subgraph around `focus` (or the whole graph when `None`) that `filter` lets
/// through, following `reach` up to `depth` hops.
pub fn subgraph(
    graph: &Graph,
    focus: Option<NodeIx>,
    depth: usize,
    reach: Reach,
    filter: &Filter,
) -> Subgraph {
    let Some(focus) = focus else {
        let nodes: Vec<NodeIx> = graph
            .node_indices()
            .filter(|&n| filter.entity_visible(graph, n))
            .collect();
        let edges: Vec<EdgeIx> = graph
            .edge_indices()
            .filter(|&e| filter.relation_visible(graph, e))
            .collect();
        let whole = nodes.len() == graph.node_count() && edges.len() == graph.edge_count();
        return Subgraph {
            nodes,
            edges,
            whole,
        };
    };
    let mut dist: std::collections::HashMap<NodeIx, usize> = Default::default();
    let mut edges: Vec<EdgeIx> = Vec::new();
    let mut queue = VecDeque::new();
    dist.insert(focus, 0);
    queue.push_back(focus);
    let dirs: &[Direction] = match reach {
        Reach::In => &[Direction::Incoming],
        Reach::Out => &[Direction::Outgoing],
        Reach::Both => &[Direction::Outgoing, Direction::Incoming],
    };
    while let Some(n) = queue.pop_front() {
        let d = dist[&n];
        if d >= depth {
            continue;
        }
        // An undirected relation leads both ways, whatever the reach.
        for dir in [Direction::Outgoing, Direction::Incoming] {
            let wanted = dirs.contains(&dir);
            for tie in graph.ties_dir(n, dir) {
                if !wanted && !graph.is_undirected(tie.edge) {
                    continue;
                }
                if !filter.relation_visible_from(graph, tie.edge, focus) {
                    continue;
                }
                edges.push(tie.edge);
                if let std::collections::hash_map::Entry::Vacant(v) = dist.entry(tie.other) {
                    v.insert(d + 1);
                    queue.push_back(tie.other);
                }
            }
        }
    }
    let mut nodes: Vec<NodeIx> = dist.into_keys().collect();
    nodes.sort();
    edges.sort();
    edges.dedup();
    Subgraph {
        nodes,
        edges,
        whole: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_texts;

    fn fixture() -> Graph {
        let text = r#"Graph(
            sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
            entities: [
                Entity(id: "a", kind: person, name: "A"),
                Entity(id: "b", kind: agreement, name: "B", date: "2024-11-23"),
                Entity(id: "c", kind: country, name: "C"),
                Entity(id: "d", kind: campaign, name: "D", date: "2025-02-03", until: "2025-02-24"),
            ],
            relations: [
                Relation(from: "a", to: "b", kind: signed, date: "2024-11-23", sources: ["s"]),
                Relation(from: "c", to: "b", kind: party_to, sources: ["s"]),
                Relation(from: "c", to: "d", kind: contributes_to, date: "2025-02", sources: ["s"]),
                Relation(from: "a", to: "c", kind: holds_office, sources: ["s"]),
            ],
        )"#;
        load_texts(vec![("f.ron".into(), text.into())]).unwrap()
    }

    fn ids(g: &Graph, s: &Subgraph) -> Vec<String> {
        s.nodes
            .iter()
            .map(|&n| g.entity(n).id.to_string())
            .collect()
    }

    #[test]
    fn depth_one_is_the_neighbourhood() {
        let g = fixture();
        let a = g.find("a").unwrap();
        let s = subgraph(&g, Some(a), 1, Reach::Both, &Filter::default());
        assert_eq!(ids(&g, &s), ["a", "b", "c"]);
        assert_eq!(s.edges.len(), 2);
        let s = subgraph(&g, Some(a), 2, Reach::Both, &Filter::default());
        assert_eq!(ids(&g, &s), ["a", "b", "c", "d"]);
    }

    #[test]
    fn direction_limits_the_walk() {
        let g = fixture();
        let b = g.find("b").unwrap();
        let s = subgraph(&g, Some(b), 1, Reach::Out, &Filter::default());
        assert_eq!(ids(&g, &s), ["b"]);
        let s = subgraph(&g, Some(b), 1, Reach::In, &Filter::default());
        assert_eq!(ids(&g, &s), ["a", "b", "c"]);
    }

    #[test]
    fn date_window_hides_dated_things_outside_it() {
        let g = fixture();
        let f = Filter {
            window: "2025".parse().unwrap(),
            ..Filter::default()
        };
        let s = subgraph(&g, None, 1, Reach::Both, &f);
        // The 2024 agreement and its signing are gone; undated ties stay.
        assert_eq!(ids(&g, &s), ["a", "c", "d"]);
        assert_eq!(s.edges.len(), 2);
        let f = Filter {
            hide_undated: true,
            ..f
        };
        let s = subgraph(&g, None, 1, Reach::Both, &f);
        assert_eq!(s.edges.len(), 1);
    }
}
