//! Ranked routes between two entities: the shortest and, on request, the next
//! longer ones; some entities avoided; distinct routes only.
//!
//! Routes of the same length are ranked so that the telling ones come first:
//! those crossing fewer source links (an outlet *reported on* something: that ties
//! a story to its publisher, not two actors to each other), then those whose
//! busiest intermediate entity has fewer relations (a hub such as a country ties
//! everything to everything), then by the names passed.

use std::collections::{HashMap, HashSet, VecDeque};

use super::{Step, hops};
use crate::graph::{Graph, NodeIx};
use crate::model::RelationKind;
use crate::view::Filter;

/// Most routes looked at before ranking; beyond it the search stops (so a hub of
/// a million relations cannot make it run away). Ranking is exact below it.
pub const ROUTE_BUDGET: usize = 5_000;

/// What routes to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteQuery {
    /// Longest route, in hops.
    pub max_hops: usize,
    /// Also routes up to this many hops longer than the shortest.
    pub longer: usize,
    /// Entities no route passes through.
    pub avoid: Vec<NodeIx>,
    /// Most routes returned.
    pub limit: usize,
}

/// Relation kinds that tie a source (an outlet, a report) to what it reported
/// rather than two actors to each other.
pub fn is_source_link(graph: &Graph, kind: RelationKind<crate::model::Sym>) -> bool {
    matches!(
        graph.relation_kind_label(kind),
        "reported_on" | "reports_on" | "reported" | "mentions" | "cites"
    )
}

/// Source links crossed, the busiest intermediate's relations, all of theirs.
type Rank = (usize, usize, usize);

/// How a route ranks among routes of its length: lower first.
fn rank(graph: &Graph, route: &[Step]) -> Rank {
    let links = route
        .iter()
        .filter(|s| is_source_link(graph, graph.relation(s.edge).kind))
        .count();
    let inner: Vec<usize> = route.iter().skip(1).map(|s| graph.degree(s.from)).collect();
    let biggest = inner.iter().copied().max().unwrap_or(0);
    (links, biggest, inner.iter().sum())
}

/// Hops to `b` from the entities a route may pass, not through `avoid`: a
/// breadth-first walk from `b` that stops as soon as no nearer entity can be
/// on a route, that is once `a` is found at `d` hops, past `d + longer - 1`
/// (and never past `max_hops`).
fn distances(
    graph: &Graph,
    (a, b): (NodeIx, NodeIx),
    max_hops: usize,
    longer: usize,
    filter: &Filter,
    avoid: &HashSet<NodeIx>,
) -> HashMap<NodeIx, usize> {
    let mut dist = HashMap::from([(b, 0)]);
    let mut queue = VecDeque::from([b]);
    let (mut cap, mut found) = (max_hops, false);
    while let Some(n) = queue.pop_front() {
        let d = dist[&n];
        // Levels only grow: nothing further is needed.
        if d + 1 > cap || (found && d + 1 >= cap) {
            break;
        }
        for t in graph.ties(n) {
            if dist.contains_key(&t.other)
                || avoid.contains(&t.other)
                || !filter.relation_visible(graph, t.edge)
            {
                continue;
            }
            dist.insert(t.other, d + 1);
            if t.other == a {
                found = true;
                cap = cap.min(d + 1 + longer);
            }
            queue.push_back(t.other);
        }
    }
    dist
}

/// Routes from `a` to `b` that `filter` allows and that pass none of
/// `query.avoid`: the shortest, and those up to `query.longer` hops longer
/// (never more than `query.max_hops`). Shorter first; equal lengths ranked as
/// the module says; two routes through the same entities count once (the
/// better ranked). At most `query.limit`.
pub fn routes(
    graph: &Graph,
    a: NodeIx,
    b: NodeIx,
    filter: &Filter,
    query: &RouteQuery,
) -> Vec<Vec<Step>> {
    let avoid: HashSet<NodeIx> = query
        .avoid
        .iter()
        .copied()
        .filter(|&n| n != a && n != b)
        .collect();
    if query.limit == 0 || !filter.entity_visible(graph, a) || !filter.entity_visible(graph, b) {
        return Vec::new();
    }
    if a == b {
        return vec![Vec::new()];
    }
    let dist = distances(graph, (a, b), query.max_hops, query.longer, filter, &avoid);
    let Some(&shortest) = dist.get(&a) else {
        return Vec::new();
    };
    let most = shortest.saturating_add(query.longer).min(query.max_hops);
    // Depth-first from `a`, never where `b` is out of reach in the hops left,
    // never through an entity twice.
    let next = |n: NodeIx, used: usize, path: &[Step]| -> Vec<Step> {
        hops(graph, n, filter)
            .into_iter()
            .filter(|s| {
                !avoid.contains(&s.to)
                    && s.to != a
                    && !path.iter().any(|p| p.to == s.to)
                    && dist.get(&s.to).is_some_and(|d| used + 1 + d <= most)
            })
            .collect()
    };
    let mut found: Vec<Vec<Step>> = Vec::new();
    let mut current: Vec<Step> = Vec::new();
    let mut frames: Vec<(Vec<Step>, usize)> = vec![(next(a, 0, &current), 0)];
    while let Some((candidates, i)) = frames.last_mut() {
        let Some(&step) = candidates.get(*i) else {
            frames.pop();
            current.pop();
            continue;
        };
        *i += 1;
        current.push(step);
        if step.to == b {
            found.push(current.clone());
            if found.len() >= ROUTE_BUDGET {
                break;
            }
            current.pop();
        } else {
            let more = next(step.to, current.len(), &current);
            frames.push((more, 0));
        }
    }
    let mut ranked: Vec<((usize, Rank), Vec<Step>)> = found
        .into_iter()
        .map(|r| ((r.len(), rank(graph, &r)), r))
        .collect();
    // Stable: equal ranks keep the name order the walk found them in.
    ranked.sort_by_key(|(key, _)| *key);
    let mut seen: HashSet<Vec<NodeIx>> = HashSet::new();
    ranked
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| seen.insert(r.iter().map(|s| s.to).collect()))
        .take(query.limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_texts;

    /// From `a` to `z` in two hops three ways: through a hub `h` (with many
    /// other relations), through an outlet `o` that reported on `z`, and through
    /// `m`; and in three hops through `p` and `q`.
    fn fixture() -> Graph {
        let mut entities = String::new();
        let mut relations = String::new();
        for i in 0..6 {
            entities.push_str(&format!(
                "Entity(id: \"x{i}\", kind: person, name: \"X{i}\"),"
            ));
            relations.push_str(&format!(
                "Relation(from: \"x{i}\", to: \"h\", kind: located_in, sources: [\"s\"]),"
            ));
        }
        let text = format!(
            r#"Graph(
            sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
            entities: [
                Entity(id: "a", kind: person, name: "A"),
                Entity(id: "h", kind: country, name: "Hub"),
                Entity(id: "o", kind: organisation, name: "Outlet"),
                Entity(id: "m", kind: organisation, name: "Middle"),
                Entity(id: "p", kind: organisation, name: "P"),
                Entity(id: "q", kind: organisation, name: "Q"),
                Entity(id: "z", kind: programme, name: "Z"),
                {entities}
            ],
            relations: [
                Relation(from: "a", to: "h", kind: located_in, sources: ["s"]),
                Relation(from: "z", to: "h", kind: located_in, sources: ["s"]),
                Relation(from: "o", to: "a", kind: other("reported_on"), sources: ["s"]),
                Relation(from: "o", to: "z", kind: other("reported_on"), sources: ["s"]),
                Relation(from: "a", to: "m", kind: member_of, sources: ["s"]),
                Relation(from: "m", to: "z", kind: finances, sources: ["s"]),
                Relation(from: "m", to: "z", kind: supplies, sources: ["s"]),
                Relation(from: "a", to: "p", kind: leads, sources: ["s"]),
                Relation(from: "p", to: "q", kind: finances, sources: ["s"]),
                Relation(from: "q", to: "z", kind: finances, sources: ["s"]),
                {relations}
            ],
        )"#
        );
        load_texts(vec![("f.ron".into(), text)]).unwrap()
    }

    fn run(g: &Graph, longer: usize, avoid: &[&str], limit: usize) -> Vec<String> {
        let q = RouteQuery {
            max_hops: 6,
            longer,
            avoid: avoid.iter().map(|id| g.find(id).unwrap()).collect(),
            limit,
        };
        let (a, z) = (g.find("a").unwrap(), g.find("z").unwrap());
        routes(g, a, z, &Filter::default(), &q)
            .iter()
            .map(|r| {
                let mut s = g.entity(a).name.to_string();
                for step in r {
                    s.push('>');
                    s.push_str(g.entity(step.to).name);
                }
                s
            })
            .collect()
    }

    #[test]
    fn hubs_and_source_links_come_last_among_equal_lengths() {
        let g = fixture();
        // By name alone Hub would come first; two relations A–Middle–Z make
        // one route.
        assert_eq!(run(&g, 0, &[], 10), ["A>Middle>Z", "A>Hub>Z", "A>Outlet>Z"]);
    }

    #[test]
    fn avoided_entities_are_not_passed_and_longer_routes_follow() {
        let g = fixture();
        assert_eq!(run(&g, 0, &["m", "h"], 10), ["A>Outlet>Z"]);
        assert_eq!(run(&g, 0, &["m", "h", "o"], 10), ["A>P>Q>Z"]);
        assert_eq!(
            run(&g, 1, &[], 10),
            ["A>Middle>Z", "A>Hub>Z", "A>Outlet>Z", "A>P>Q>Z"]
        );
        assert_eq!(run(&g, 1, &[], 2), ["A>Middle>Z", "A>Hub>Z"]);
        // Avoiding an end does nothing; nothing left gives nothing.
        assert_eq!(run(&g, 0, &["a", "m", "h"], 1), ["A>Outlet>Z"]);
        assert!(run(&g, 0, &["m", "h", "o", "p"], 10).is_empty());
    }

    #[test]
    fn the_shortest_routes_are_the_shortest_paths_without_repeats() {
        use std::collections::BTreeSet;
        let g = crate::load::load_builtin().unwrap();
        let ids = ["kyrylo-budanov", "palianytsia", "lithuania", "sweden"];
        for a in ids {
            for b in ids {
                let (a, b) = (g.find(a).unwrap(), g.find(b).unwrap());
                let q = RouteQuery {
                    max_hops: 6,
                    longer: 0,
                    avoid: Vec::new(),
                    limit: 10_000,
                };
                let seq = |p: &Vec<Step>| p.iter().map(|s| s.to).collect::<Vec<_>>();
                let ours: BTreeSet<_> = routes(&g, a, b, &Filter::default(), &q)
                    .iter()
                    .map(seq)
                    .collect();
                let theirs: BTreeSet<_> =
                    super::super::shortest_paths(&g, a, b, 6, &Filter::default(), 10_000)
                        .iter()
                        .map(seq)
                        .collect();
                assert_eq!(ours, theirs);
            }
        }
    }
}
