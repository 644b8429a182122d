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

/// The first `limit` visible neighbours of `n` not in `seen`, grouped by
/// relation kind (by phrase), then by name: one entry per neighbour, with the
/// kind of its first relation; and how many there are in all. Only the `limit`
/// drawn are sorted, so a hub of 50,000 costs one pass over its relations.
fn neighbours(
    graph: &Graph,
    n: NodeIx,
    filter: &Filter,
    skip: &dyn Fn(NodeIx) -> bool,
    limit: usize,
) -> (Vec<(NodeIx, String)>, usize) {
    // (neighbour, position of its first relation, kind phrase number)
    let mut phrases: Vec<String> = Vec::new();
    let mut kinds: Vec<RelationKind<Sym>> = Vec::new();
    let mut all: Vec<(NodeIx, usize, usize)> = Vec::new();
    for (i, tie) in graph.ties(n).enumerate() {
        if skip(tie.other) || !filter.relation_visible(graph, tie.edge) {
            continue;
        }
        let (kind, _, _) = graph.relation_kind_dates(tie.edge);
        let k = match kinds.iter().position(|&x| x == kind) {
            Some(k) => k,
            None => {
                kinds.push(kind);
                phrases.push(graph.relation_phrase(kind));
                kinds.len() - 1
            }
        };
        all.push((tie.other, i, k));
    }
    // One entry per neighbour: the kind of its first relation.
    all.sort_unstable_by_key(|&(node, i, _)| (node, i));
    all.dedup_by_key(|e| e.0);
    let total = all.len();
    let order = |a: &(NodeIx, usize, usize), b: &(NodeIx, usize, usize)| {
        phrases[a.2]
            .cmp(&phrases[b.2])
            .then_with(|| graph.entity_name(a.0).cmp(graph.entity_name(b.0)))
            .then(a.0.cmp(&b.0))
    };
    if all.len() > limit && limit > 0 {
        all.select_nth_unstable_by(limit - 1, order);
    }
    all.truncate(limit);
    all.sort_by(order);
    let v = all
        .into_iter()
        .map(|(node, _, k)| (node, phrases[k].clone()))
        .collect();
    (v, total)
}

/// Lays out the neighbourhood of `focus` in an area `width` × `height` cells.
pub fn layout(
    graph: &Graph,
    focus: NodeIx,
    depth: u8,
    filter: &Filter,
    width: u16,
    height: u16,
) -> MapLayout {
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

    let (ring1, total) = neighbours(graph, focus, filter, &|n| n == focus, MAX_RING1);
    out.more += total - ring1.len();
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
                &|n| index.contains_key(&n),
                MAX_PER_PARENT,
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
