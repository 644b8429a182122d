//! The neighbourhood map: the focus in the centre, its neighbours on rings around
//! it, grouped by relation kind. The layout is a pure, deterministic function of
//! the graph, the filter, the depth and the size of the area, so the same view
//! always draws the same picture and tests can check it.

use std::collections::BTreeMap;

use crate::graph::{Graph, NodeIx};
use crate::model::{EntityKind, RelationKind, Sym};
use crate::view::Filter;

/// Most neighbours drawn around the focus; the rest are counted.
pub const MAX_RING1: usize = 16;
/// Most second-ring neighbours drawn per first-ring neighbour.
pub const MAX_PER_PARENT: usize = 3;
/// Longest label, in characters, on a map `width` columns wide: a quarter of
/// the width, between 10 and 40.
pub fn label_room(width: u16) -> usize {
    usize::from(width / 4).clamp(10, 40)
}

/// One entity placed on the map, in cell coordinates (column, row from the top).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub node: NodeIx,
    pub col: f64,
    pub row: f64,
    /// 0 for the focus, 1 or 2 for the rings.
    pub ring: u8,
    pub label: String,
    /// Where the label starts (it may be nudged to avoid another). An empty
    /// label is not drawn: there was no room for it.
    pub label_col: u16,
    pub label_row: u16,
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapLayout {
    pub placed: Vec<Placed>,
    /// Lines between placed entities (indices into `placed`), with the relation
    /// kind's label.
    pub edges: Vec<(usize, usize, String)>,
    /// Neighbours left out to keep the picture readable.
    pub more: usize,
    /// The first ring: the rank of its first neighbour drawn (0 on the first
    /// page), and how many neighbours the focus has in the view.
    pub first: usize,
    pub ring: usize,
}

/// `name` in at most `max` characters, ending in `…` when cut.
fn short(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        let cut: String = name.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// How much a neighbour matters, most first: marked by the user, money moved
/// with the entity it hangs from (amounts summed whatever the currency: a
/// ranking, not a total), the relations' weight (as GEXF and GraphML give it),
/// its own number of relations; then by name.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
struct Weight {
    marked: bool,
    money: f64,
    weight: f64,
    degree: usize,
}

/// The visible neighbours of `n` not in `seen`, ranked by what matters
/// ([`Weight`]): `limit` of them from the `skip`th, each with the kind of its
/// first relation, grouped by kind (by phrase) and in rank order within a
/// kind; and how many there are in all.
fn neighbours(
    graph: &Graph,
    n: NodeIx,
    filter: &Filter,
    marked: &dyn Fn(NodeIx) -> bool,
    skip: &dyn Fn(NodeIx) -> bool,
    (from, limit): (usize, usize),
) -> (Vec<(NodeIx, String)>, usize) {
    let mut phrases: Vec<String> = Vec::new();
    let mut kinds: Vec<RelationKind<Sym>> = Vec::new();
    let weight_key = graph.find_sym("weight");
    // neighbour → (kind phrase number of its first relation, its weight)
    let mut all: BTreeMap<NodeIx, (usize, Weight)> = BTreeMap::new();
    for tie in graph.ties(n) {
        if skip(tie.other) || !filter.relation_visible_from(graph, tie.edge, n) {
            continue;
        }
        let r = graph.relation(tie.edge);
        let k = match kinds.iter().position(|&x| x == r.kind) {
            Some(k) => k,
            None => {
                kinds.push(r.kind);
                phrases.push(graph.relation_phrase(r.kind));
                kinds.len() - 1
            }
        };
        let entry = all.entry(tie.other).or_insert((k, Weight::default()));
        if let Some(a) = r.amount {
            entry.1.money += a.value.abs();
        }
        if let Some(key) = weight_key {
            let w = r.attrs.iter().find(|(s, _)| *s == key);
            entry.1.weight += w.and_then(|(_, v)| v.parse::<f64>().ok()).unwrap_or(0.0);
        }
    }
    let total = all.len();
    let mut ranked: Vec<(NodeIx, usize, Weight)> = all
        .into_iter()
        .map(|(node, (k, mut w))| {
            w.marked = marked(node);
            w.degree = graph.degree(node);
            (node, k, w)
        })
        .collect();
    let by_rank = |a: &(NodeIx, usize, Weight), b: &(NodeIx, usize, Weight)| {
        b.2.partial_cmp(&a.2)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| graph.entity_name(a.0).cmp(graph.entity_name(b.0)))
            .then(a.0.cmp(&b.0))
    };
    // Only the ranks up to the page's end are sorted: a hub of 50,000 costs
    // one pass and a selection, not a sort.
    let end = (from + limit).min(ranked.len());
    if end > 0 && end < ranked.len() {
        ranked.select_nth_unstable_by(end - 1, by_rank);
    }
    ranked.truncate(end);
    ranked.sort_by(by_rank);
    let mut shown: Vec<(NodeIx, usize, Weight)> = ranked.into_iter().skip(from).collect();
    shown.sort_by(|a, b| phrases[a.1].cmp(&phrases[b.1]).then_with(|| by_rank(a, b)));
    let v = shown
        .into_iter()
        .map(|(node, k, _)| (node, phrases[k].clone()))
        .collect();
    (v, total)
}

/// Lays out the neighbourhood of `focus` in an area `width` × `height` cells.
/// What a map shows around its focus besides the filter: the marked entities
/// (ranked first) and which page of the first ring (`MAX_RING1` a page).
#[derive(Debug, Clone, Copy, Default)]
pub struct Around<'a> {
    pub marked: &'a [NodeIx],
    pub page: usize,
}

pub fn layout(
    graph: &Graph,
    focus: NodeIx,
    depth: u8,
    filter: &Filter,
    width: u16,
    height: u16,
) -> MapLayout {
    layout_around(
        graph,
        focus,
        depth,
        filter,
        (width, height),
        Around::default(),
    )
}

/// [`layout`] with marks ranked first and a page of the first ring.
pub fn layout_around(
    graph: &Graph,
    focus: NodeIx,
    depth: u8,
    filter: &Filter,
    (width, height): (u16, u16),
    around: Around,
) -> MapLayout {
    let marked = |n: NodeIx| around.marked.contains(&n);
    let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
    let (cx, cy) = (w / 2.0, h / 2.0);
    // Cells are about twice as tall as wide: stretch x so rings look round.
    let r1 = (h / 2.0 - 1.0).min(w / 4.0 - 2.0).max(1.0) * if depth >= 2 { 0.5 } else { 0.85 };
    let r2 = r1 * 1.8;
    let mut out = MapLayout::default();
    let mut index: BTreeMap<NodeIx, usize> = BTreeMap::new();
    let place = |out: &mut MapLayout, index: &mut BTreeMap<NodeIx, usize>, node, col, row, ring| {
        index.insert(node, out.placed.len());
        out.placed.push(Placed {
            node,
            col,
            row,
            ring,
            label: short(graph.entity(node).name, label_room(width)),
            label_col: 0,
            label_row: 0,
        });
    };
    place(&mut out, &mut index, focus, cx, cy, 0);

    let (ring1, total) = neighbours(
        graph,
        focus,
        filter,
        &marked,
        &|n| n == focus,
        (around.page * MAX_RING1, MAX_RING1),
    );
    out.more += total - ring1.len();
    out.first = around.page * MAX_RING1;
    out.ring = total;
    let count = ring1.len().max(1) as f64;
    let mut parents = Vec::new();
    for (i, (n, kind)) in ring1.iter().enumerate() {
        let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / count;
        let (col, row) = (cx + 2.0 * r1 * angle.cos(), cy + r1 * angle.sin());
        place(&mut out, &mut index, *n, col, row, 1);
        out.edges.push((0, index[n], kind.clone()));
        parents.push((*n, angle));
    }
    if depth >= 2 {
        let sector = std::f64::consts::TAU / count;
        for (p, angle) in parents {
            let (kids, total) = neighbours(
                graph,
                p,
                filter,
                &marked,
                &|n| index.contains_key(&n),
                (0, MAX_PER_PARENT),
            );
            out.more += total - kids.len();
            let k = kids.len() as f64;
            for (j, (n, kind)) in kids.iter().enumerate() {
                let a = angle + sector * 0.8 * ((j as f64 + 0.5) / k - 0.5);
                let (col, row) = (cx + 2.0 * r2 * a.cos(), cy + r2 * a.sin());
                place(&mut out, &mut index, *n, col, row, 2);
                out.edges.push((index[&p], index[n], kind.clone()));
            }
        }
    }
    place_labels(&mut out, width, height);
    out
}

/// Puts each label beside its entity (the focus first, then in ring order): on
/// its row or up to two rows away, shifted sideways if need be, and shortened
/// when it fits nowhere whole. A label that fits nowhere even at five
/// characters is left out; labels never overlap.
fn place_labels(out: &mut MapLayout, width: u16, height: u16) {
    let mut taken: Vec<(u16, u16, u16)> = Vec::new(); // row, start, end
    let free = |row: u16, start: u16, len: u16, taken: &[(u16, u16, u16)]| {
        taken
            .iter()
            .all(|&(r, s, e)| r != row || start + len <= s || start >= e)
    };
    for p in &mut out.placed {
        let full = p.label.chars().count();
        let mut lens = vec![full, full * 3 / 4, full / 2, 8, 5];
        lens.retain(|&l| l <= full && l >= full.min(5));
        lens.dedup();
        let base = (p.row.round() as i32).clamp(0, i32::from(height.saturating_sub(1)));
        let spot = lens.iter().find_map(|&chars| {
            let len = chars as u16 + 2;
            if len > width {
                return None;
            }
            let centred = p.col.round() as i32 - i32::from(len) / 2;
            let half = i32::from(len) / 2;
            [0i32, 1, -1, 2, -2].iter().find_map(|dr| {
                let row = base + dr;
                if !(0..i32::from(height)).contains(&row) {
                    return None;
                }
                [0, -half, half].iter().find_map(|dc| {
                    let start = (centred + dc).clamp(0, i32::from(width - len)) as u16;
                    free(row as u16, start, len, &taken).then_some((chars, row as u16, start))
                })
            })
        });
        match spot {
            Some((chars, row, start)) => {
                p.label = short(&p.label, chars);
                taken.push((row, start, start + chars as u16 + 2));
                p.label_col = start;
                p.label_row = row;
            }
            None => {
                p.label.clear();
                p.label_col = 0;
                p.label_row = base as u16;
            }
        }
    }
}

/// The entity placed nearest in a direction from `from` (dx, dy in cells):
/// within 60° of the direction, the closest wins.
pub fn neighbour_towards(layout: &MapLayout, from: NodeIx, dx: f64, dy: f64) -> Option<NodeIx> {
    let here = layout.placed.iter().find(|p| p.node == from)?;
    layout
        .placed
        .iter()
        .filter(|p| p.node != from)
        .filter_map(|p| {
            let (vx, vy) = ((p.col - here.col) / 2.0, p.row - here.row);
            let dist = (vx * vx + vy * vy).sqrt();
            if dist == 0.0 {
                return None;
            }
            let cos = (vx * dx + vy * dy) / dist;
            (cos > 0.5).then_some((dist, p.node))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .map(|(_, n)| n)
}

/// The colour-group of an entity kind, for the legend and the dots.
pub fn kind_group<O>(kind: &EntityKind<O>) -> usize {
    match kind {
        EntityKind::Person => 0,
        EntityKind::Ministry | EntityKind::Organisation | EntityKind::Company => 1,
        EntityKind::Country | EntityKind::Place => 2,
        EntityKind::Programme | EntityKind::Fund | EntityKind::Campaign | EntityKind::Tranche => 3,
        EntityKind::Agreement | EntityKind::Event | EntityKind::Coalition => 4,
        _ => 5,
    }
}

/// Legend names of the colour groups, in group order.
pub const GROUPS: [&str; 6] = [
    "people",
    "bodies",
    "countries, places",
    "money, programmes",
    "agreements, events",
    "other",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_builtin;

    #[test]
    fn layout_is_deterministic_and_labels_do_not_overlap() {
        let g = load_builtin().unwrap();
        let focus = g.find("laurynas-kasciunas").unwrap();
        for depth in [1, 2] {
            let a = layout(&g, focus, depth, &Filter::default(), 120, 36);
            let b = layout(&g, focus, depth, &Filter::default(), 120, 36);
            assert_eq!(a, b);
            for (i, p) in a.placed.iter().enumerate() {
                let len = p.label.chars().count() as u16 + 2;
                for q in &a.placed[..i] {
                    let qlen = q.label.chars().count() as u16 + 2;
                    let overlap = p.label_row == q.label_row
                        && p.label_col < q.label_col + qlen
                        && q.label_col < p.label_col + len;
                    assert!(!overlap, "{} overlaps {}", p.label, q.label);
                }
            }
        }
    }

    #[test]
    fn hubs_are_capped_and_counted() {
        let g = load_builtin().unwrap();
        let lt = g.find("lithuania").unwrap();
        let m = layout(&g, lt, 1, &Filter::default(), 160, 48);
        assert_eq!(m.placed.len(), 1 + MAX_RING1);
        assert_eq!(
            m.more,
            g.ties(lt)
                .map(|t| t.other)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                - MAX_RING1
        );
    }
}
