//! What changed between two date windows: the relations (and dated entities)
//! seen in the later window but not the earlier one, and those seen in the
//! earlier but no longer in the later.
//!
//! "Seen" is what the view's [`Filter`] shows with its window set to each
//! window in turn, so undated relations, which every window shows alike, never
//! appear or end. With a focus, only the neighbourhood of the focus (within
//! `depth` hops, in either window) is compared.

use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::model::DateWindow;
use crate::view::{self, Filter, Reach, Subgraph};

/// The result of [`diff`].
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub before: DateWindow,
    pub after: DateWindow,
    /// Relations in the later window only, in graph order.
    pub added: Vec<EdgeIx>,
    /// Relations in the earlier window only.
    pub ended: Vec<EdgeIx>,
    /// Entities in the later window only (dated ones: events, agreements…).
    pub entities_added: Vec<NodeIx>,
    /// Entities in the earlier window only.
    pub entities_ended: Vec<NodeIx>,
}

/// Where a diff looks: the whole view, or around a focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Around {
    pub focus: NodeIx,
    pub depth: usize,
}

fn sorted_minus<T: Ord + Copy>(a: &[T], b: &[T]) -> Vec<T> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_err())
        .collect()
}

/// Compares what `filter` shows in `before` with what it shows in `after`
/// (the filter's own window is replaced by each).
pub fn diff(
    graph: &Graph,
    filter: &Filter,
    before: DateWindow,
    after: DateWindow,
    around: Option<Around>,
) -> Diff {
    let seen = |window: DateWindow| {
        let f = Filter {
            window,
            ..filter.clone()
        };
        let (focus, depth) = around.map_or((None, 1), |a| (Some(a.focus), a.depth));
        view::subgraph(graph, focus, depth, Reach::Both, &f)
    };
    let (old, new) = (seen(before), seen(after));
    Diff {
        before,
        after,
        added: sorted_minus(&new.edges, &old.edges),
        ended: sorted_minus(&old.edges, &new.edges),
        entities_added: sorted_minus(&new.nodes, &old.nodes),
        entities_ended: sorted_minus(&old.nodes, &new.nodes),
    }
}

impl Diff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.ended.is_empty()
            && self.entities_added.is_empty()
            && self.entities_ended.is_empty()
    }

    /// The relations that appeared or ended with their ends, and the entities
    /// that did: the view to export.
    pub fn subgraph(&self, graph: &Graph) -> Subgraph {
        let edges: Vec<EdgeIx> = self.added.iter().chain(&self.ended).copied().collect();
        let nodes: Vec<NodeIx> = self
            .entities_added
            .iter()
            .chain(&self.entities_ended)
            .copied()
            .collect();
        super::from_edges(graph, &edges, &nodes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    fn names(g: &Graph, edges: &[EdgeIx]) -> Vec<String> {
        edges
            .iter()
            .map(|&e| {
                let (a, b) = g.ends(e);
                format!("{}-{}", g.entity(a).id, g.entity(b).id)
            })
            .collect()
    }

    #[test]
    fn relations_appear_and_end_between_windows() {
        let g = fixture::graph();
        let d = diff(
            &g,
            &Filter::default(),
            "2024".parse().unwrap(),
            "2025".parse().unwrap(),
            None,
        );
        assert_eq!(names(&g, &d.added), ["y-leaf"]);
        // The agreement (2024) and its signatures end; its 2020 tie was in neither.
        assert_eq!(names(&g, &d.ended), ["a-c", "b-c"]);
        assert_eq!(d.entities_added, [g.find("leaf").unwrap()]);
        assert_eq!(d.entities_ended, [g.find("c").unwrap()]);
        let sub = d.subgraph(&g);
        assert_eq!(sub.edges.len(), 3);
        assert_eq!(sub.nodes.len(), 5);
    }

    #[test]
    fn a_focus_limits_the_comparison() {
        let g = fixture::graph();
        let a = g.find("a").unwrap();
        let d = diff(
            &g,
            &Filter::default(),
            "2024".parse().unwrap(),
            "2025".parse().unwrap(),
            Some(Around { focus: a, depth: 1 }),
        );
        assert!(d.added.is_empty());
        assert_eq!(names(&g, &d.ended), ["a-c"]);
        let same = diff(
            &g,
            &Filter::default(),
            "2024".parse().unwrap(),
            "2024".parse().unwrap(),
            None,
        );
        assert!(same.is_empty());
    }
}
