//! Shortest connections between two entities.
//!
//! A connection may cross a relation either way (a ministry *employs* a person, the
//! person *signed* an agreement: the ministry and the agreement are connected), but
//! each [`Step`] remembers the relation's real direction so it can be drawn with the
//! arrow the right way round. Only relations the [`Filter`] shows are crossed, so a
//! date window limits connections to what was true in it.

use std::collections::{HashMap, VecDeque};

use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::view::Filter;

/// One hop of a connection: crossing `edge` from the entity `from` to the entity `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The relation crossed.
    pub edge: EdgeIx,
    /// The entity the hop leaves.
    pub from: NodeIx,
    /// The entity the hop reaches.
    pub to: NodeIx,
    /// True when the hop follows the relation's direction (`from` is the relation's
    /// source); false when it walks the relation backwards.
    pub forward: bool,
}

/// Every hop `node` can take that `filter` allows, ordered by the name of the entity
/// reached, then by relation (file order): the order connections are listed in.
fn hops(graph: &Graph, node: NodeIx, filter: &Filter) -> Vec<Step> {
    let mut v: Vec<Step> = graph
        .ties(node)
        .filter(|t| filter.relation_visible(graph, t.edge))
        .map(|t| Step {
            edge: t.edge,
            from: node,
            to: t.other,
            // An undirected relation is crossed forward whichever way it was read.
            forward: t.direction == petgraph::Direction::Outgoing || graph.is_undirected(t.edge),
        })
        .collect();
    v.sort_by(|x, y| {
        graph
            .entity(x.to)
            .name
            .cmp(graph.entity(y.to).name)
            .then(x.edge.cmp(&y.edge))
    });
    v
}

/// Hops from every entity within `max_hops` of `b` to `b` (stopping once `a` is
/// reached), walking relations either way.
fn distances_to(
    graph: &Graph,
    a: NodeIx,
    b: NodeIx,
    max_hops: usize,
    filter: &Filter,
) -> HashMap<NodeIx, usize> {
    let mut dist = HashMap::new();
    dist.insert(b, 0);
    let mut queue = VecDeque::from([b]);
    while let Some(n) = queue.pop_front() {
        let d = dist[&n];
        if d >= max_hops {
            continue;
        }
        for t in graph.ties(n) {
            if dist.contains_key(&t.other) || !filter.relation_visible(graph, t.edge) {
                continue;
            }
            dist.insert(t.other, d + 1);
            if t.other == a {
                // Every entity nearer to `b` than `a` is known by now.
                return dist;
            }
            queue.push_back(t.other);
        }
    }
    dist
}

/// The shortest connections from `a` to `b` of at most `max_hops` hops, crossing
/// only relations `filter` shows, up to `limit` of them.
///
/// All returned paths have the same, smallest, number of hops; they are listed in a
/// fixed order (by the names of the entities passed, then file order of relations).
/// Two relations between the same pair of entities make two connections. Empty
/// when there is no connection within `max_hops` (or `limit` is 0, or `a` or `b` is
/// hidden by the filter); one empty path when `a == b`.
pub fn shortest_paths(
    graph: &Graph,
    a: NodeIx,
    b: NodeIx,
    max_hops: usize,
    filter: &Filter,
    limit: usize,
) -> Vec<Vec<Step>> {
    if limit == 0 || !filter.entity_visible(graph, a) || !filter.entity_visible(graph, b) {
        return Vec::new();
    }
    if a == b {
        return vec![Vec::new()];
    }
    let dist = distances_to(graph, a, b, max_hops, filter);
    if !dist.contains_key(&a) {
        return Vec::new();
    }
    // Walk forward from `a`, only ever one hop closer to `b`: every such walk is a
    // shortest connection, and none is a dead end. An explicit stack keeps long
    // connections from exhausting the call stack.
    let closer = |n: NodeIx| -> Vec<Step> {
        let want = dist[&n].saturating_sub(1);
        hops(graph, n, filter)
            .into_iter()
            .filter(|s| dist.get(&s.to) == Some(&want))
            .collect()
    };
    let mut paths = Vec::new();
    let mut current: Vec<Step> = Vec::new();
    let mut frames: Vec<(Vec<Step>, usize)> = vec![(closer(a), 0)];
    while let Some((candidates, next)) = frames.last_mut() {
        let Some(&step) = candidates.get(*next) else {
            frames.pop();
            current.pop();
            continue;
        };
        *next += 1;
        current.push(step);
        if step.to == b {
            paths.push(current.clone());
            if paths.len() >= limit {
                break;
            }
            current.pop();
        } else {
            frames.push((closer(step.to), 0));
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_texts;

    /// a → b → d and a → c ← d (a diamond), plus a dated shortcut a → d in 2020 and
    /// a long tail d → e → f.
    fn fixture() -> Graph {
        let text = r#"Graph(
            sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
            entities: [
                Entity(id: "a", kind: person, name: "A"),
                Entity(id: "b", kind: organisation, name: "B"),
                Entity(id: "c", kind: organisation, name: "C"),
                Entity(id: "d", kind: programme, name: "D"),
                Entity(id: "e", kind: fund, name: "E"),
                Entity(id: "f", kind: fund, name: "F"),
            ],
            relations: [
                Relation(from: "a", to: "c", kind: member_of, sources: ["s"]),
                Relation(from: "a", to: "b", kind: member_of, sources: ["s"]),
                Relation(from: "b", to: "d", kind: finances, date: "2024-11", sources: ["s"]),
                Relation(from: "d", to: "c", kind: part_of, sources: ["s"]),
                Relation(from: "a", to: "d", kind: proposed, date: "2020", sources: ["s"]),
                Relation(from: "d", to: "e", kind: finances, sources: ["s"]),
                Relation(from: "e", to: "f", kind: finances, sources: ["s"]),
            ],
        )"#;
        load_texts(vec![("f.ron".into(), text.into())]).unwrap()
    }

    fn names(g: &Graph, path: &[Step]) -> String {
        let mut s = String::new();
        for (i, step) in path.iter().enumerate() {
            if i == 0 {
                s.push_str(g.entity(step.from).name);
            }
            s.push_str(if step.forward { ">" } else { "<" });
            s.push_str(g.entity(step.to).name);
        }
        s
    }

    fn run(g: &Graph, a: &str, b: &str, hops: usize, f: &Filter, limit: usize) -> Vec<String> {
        let (a, b) = (g.find(a).unwrap(), g.find(b).unwrap());
        shortest_paths(g, a, b, hops, f, limit)
            .iter()
            .map(|p| names(g, p))
            .collect()
    }

    #[test]
    fn direct_relation_is_the_shortest() {
        let g = fixture();
        assert_eq!(run(&g, "a", "d", 5, &Filter::default(), 10), ["A>D"]);
        // Walking a relation backwards keeps its real direction.
        assert_eq!(run(&g, "d", "a", 5, &Filter::default(), 10), ["D<A"]);
    }

    #[test]
    fn date_window_removes_the_shortcut_and_lists_every_shortest_path() {
        let g = fixture();
        let f = Filter {
            window: "2024".parse().unwrap(),
            ..Filter::default()
        };
        // Both two-hop ways round the diamond, in name order; never the 2020 edge.
        assert_eq!(run(&g, "a", "d", 5, &f, 10), ["A>B>D", "A>C<D"]);
        assert_eq!(run(&g, "a", "d", 5, &f, 1), ["A>B>D"]);
        assert!(run(&g, "a", "d", 5, &f, 0).is_empty());
    }

    #[test]
    fn max_hops_bounds_the_search() {
        let g = fixture();
        let f = Filter::default();
        assert_eq!(run(&g, "a", "f", 3, &f, 10), ["A>D>E>F"]);
        assert!(run(&g, "a", "f", 2, &f, 10).is_empty());
        assert!(run(&g, "a", "f", 0, &f, 10).is_empty());
    }

    #[test]
    fn hidden_relations_cut_connections() {
        let g = fixture();
        let f = Filter {
            hide_undated: true,
            ..Filter::default()
        };
        assert!(run(&g, "a", "f", 10, &f, 10).is_empty());
    }

    #[test]
    fn an_entity_reaches_itself_in_no_hops() {
        let g = fixture();
        let a = g.find("a").unwrap();
        assert_eq!(
            shortest_paths(&g, a, a, 0, &Filter::default(), 3),
            vec![Vec::<Step>::new()]
        );
    }
}
