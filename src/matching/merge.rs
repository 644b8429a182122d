//! The merged view: the graph rebuilt with the records of each cluster of
//! judgements as one entity — names, aliases, properties, sources and
//! relations united, the records listed ([`MERGED_ATTR`]: "merged from 3
//! records" on the card), their ids kept as FtM `referents`, and a negative
//! judgement between two of them kept as a conflict ([`CONFLICT_ATTR`]).
//!
//! A view transformation at load time: every command and the explorer get the
//! merged graph, so what they show, count and export is the merged picture.

use crate::ftm::mapping::{CONFLICT_ATTR, MERGED_ATTR, REFERENTS_ATTR};
use crate::graph::{AddError, Graph, GraphFull, NewEntity, NodeIx};
use crate::model::Sym;

use super::judgements::Clusters;
use super::record::datasets_of;

/// What merging did.
#[derive(Debug, Default)]
pub struct Merged {
    pub graph: Graph,
    /// Entities made from two records or more.
    pub entities: usize,
    /// Records merged into them.
    pub records: usize,
    /// Negative judgements inside a cluster: `a ≠ b`.
    pub conflicts: Vec<String>,
    /// Relations between two records of one entity, left out.
    pub loops: usize,
}

/// The graph with each cluster (of ids in the graph: two or more) as one
/// entity; `None` when no cluster has two records in the graph.
pub fn merge(graph: &Graph, clusters: &Clusters) -> Result<Option<Merged>, GraphFull> {
    let n = graph.node_count();
    // Each node's head: the first node of its cluster present in the graph.
    let mut head: Vec<u32> = (0..n as u32).collect();
    let mut members: Vec<Vec<NodeIx>> = Vec::new();
    let mut cluster_of_head: std::collections::HashMap<u32, usize> = Default::default();
    for (c, ids) in clusters.members.iter().enumerate() {
        let mut nodes: Vec<NodeIx> = ids.iter().filter_map(|id| graph.find(id)).collect();
        nodes.sort();
        nodes.dedup();
        if nodes.len() < 2 {
            continue;
        }
        let h = nodes[0].index() as u32;
        for m in &nodes {
            head[m.index()] = h;
        }
        cluster_of_head.insert(h, c);
        members.push(nodes);
    }
    if members.is_empty() {
        return Ok(None);
    }
    let mut out = Merged::default();
    let into = &mut out.graph;
    for s in graph.sources() {
        into.add_source(s.clone());
    }
    // The same datasets in the same order: a dataset id means the same in both.
    for name in graph.dataset_names() {
        into.add_dataset(name);
    }
    if let Some(d) = graph.default_dataset() {
        into.set_default_dataset(graph.dataset_name(d));
    }
    into.set_several_inputs(graph.several_inputs());
    let intern = |into: &mut Graph, s: Sym| into.intern(graph.sym(s));
    let mut new_ix: Vec<NodeIx> = vec![NodeIx::end(); n];
    let mut by_head: std::collections::HashMap<u32, &Vec<NodeIx>> = Default::default();
    for m in &members {
        by_head.insert(m[0].index() as u32, m);
    }
    for node in graph.node_indices() {
        let i = node.index();
        if head[i] != i as u32 {
            continue;
        }
        let e = graph.entity(node);
        let kind = e.kind.map_other(|s| intern(into, s));
        let single = [node];
        let group: &[NodeIx] = by_head.get(&(i as u32)).map_or(&single[..], |v| &v[..]);
        let mut aliases: Vec<&str> = Vec::new();
        let mut weak: Vec<&str> = Vec::new();
        let mut attrs: Vec<(Sym, String)> = Vec::new();
        let mut sources = Vec::new();
        let (mut date, mut until, mut note, mut amount) = (e.date, e.until, e.note, e.amount);
        for &m in group {
            let r = graph.entity(m);
            for a in std::iter::once(r.name).chain(r.aliases.iter()) {
                if a != e.name && !aliases.contains(&a) {
                    aliases.push(a);
                }
            }
            for a in r.weak_aliases.iter() {
                if !weak.contains(&a) {
                    weak.push(a);
                }
            }
            for (k, v) in r.attrs.iter() {
                let k = intern(into, k);
                if !attrs.iter().any(|(x, y)| *x == k && y == v) {
                    attrs.push((k, v.to_string()));
                }
            }
            sources.extend_from_slice(&graph.source_list(r.sources));
            date = date.or(r.date);
            until = until.or(r.until);
            note = note.or(r.note);
            amount = amount.or(r.amount);
        }
        if group.len() > 1 {
            let merged = into.intern(MERGED_ATTR);
            let referents = into.intern(REFERENTS_ATTR);
            for &m in group {
                let id = graph.entity(m).id;
                let ds = datasets_of(graph, m).join(", ");
                attrs.push((merged, format!("{id} ({ds})")));
                if m != node {
                    attrs.push((referents, id.to_string()));
                }
            }
            if let Some(&c) = cluster_of_head.get(&(i as u32)) {
                let conflict = into.intern(CONFLICT_ATTR);
                for (k, a, b) in &clusters.conflicts {
                    if *k == c {
                        attrs.push((conflict, format!("{a} ≠ {b}")));
                        out.conflicts
                            .push(format!("{a} ≠ {b} (merged as {})", e.id));
                    }
                }
            }
            out.entities += 1;
            out.records += group.len();
        }
        let set = into.source_set(&sources);
        let attr_refs: Vec<(Sym, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let entity = NewEntity {
            id: e.id,
            kind,
            name: e.name,
            aliases: &aliases,
            weak_aliases: &weak,
            date,
            until,
            note,
            amount,
            sources: set,
            attrs: &attr_refs,
        };
        let ix = match into.add_entity(entity) {
            Ok(ix) | Err(AddError::Duplicate(ix)) => ix,
            Err(AddError::Full(f)) => return Err(f),
        };
        let datasets: Vec<_> = group
            .iter()
            .flat_map(|&m| graph.dataset_list(graph.entity_datasets(m)))
            .collect();
        let set = into.dataset_set(&datasets);
        into.set_entity_datasets(ix, set);
        new_ix[i] = ix;
    }
    for edge in graph.edge_indices() {
        let (a, b) = graph.ends(edge);
        let (a, b) = (
            new_ix[head[a.index()] as usize],
            new_ix[head[b.index()] as usize],
        );
        if a == b && graph.ends(edge).0 != graph.ends(edge).1 {
            out.loops += 1;
            continue;
        }
        let r = graph.relation(edge);
        let attrs: Vec<(Sym, &str)> = r.attrs.iter().map(|(k, v)| (intern(into, k), v)).collect();
        let sources: Vec<_> = graph.source_list(r.sources).to_vec();
        let set = into.source_set(&sources);
        let id = r.id();
        let rel = r.carried(id.as_deref(), |s| intern(into, s), set, &attrs);
        let added = into.add_relation(a, b, rel)?;
        let datasets = graph.dataset_list(graph.relation_datasets(edge));
        let set = into.dataset_set(&datasets);
        into.set_relation_datasets(added, set);
    }
    Ok(Some(out))
}
