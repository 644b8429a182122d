//! One graph taken into another: several inputs opened as one picture.
//! Entities of the same id become one (names, aliases, attributes, sources and
//! datasets united; the first input's kind, name and dates kept, the other's
//! filling what the first lacks); relations are added with their datasets.

use super::*;

/// What [`Graph::absorb`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Absorbed {
    /// Entities of the other graph whose id this one held: merged into it.
    pub merged: usize,
    pub entities: usize,
    pub relations: usize,
}

impl Graph {
    /// Adds every entity and relation of `other`, its ids behind `prefix` (ids
    /// local to their file, kept apart from another file's). An entity whose
    /// id this graph holds already is merged into it.
    pub fn absorb(&mut self, other: &Graph, prefix: Option<&str>) -> Result<Absorbed, GraphFull> {
        self.absorb_some(other, prefix, None)
    }

    /// A graph of these entities and relations of this one alone (the ends of
    /// each relation among the entities), for counting what a filter shows.
    pub fn part(&self, nodes: &[NodeIx], edges: &[EdgeIx]) -> Graph {
        let mut g = Graph {
            default_dataset: self.default_dataset,
            several_inputs: self.several_inputs,
            dataset_names: self.dataset_names.clone(),
            ..Graph::default()
        };
        // Every row of the part fits where the whole fitted.
        let _ = g.absorb_some(self, None, Some((nodes, edges)));
        g
    }

    fn absorb_some(
        &mut self,
        other: &Graph,
        prefix: Option<&str>,
        only: Option<(&[NodeIx], &[EdgeIx])>,
    ) -> Result<Absorbed, GraphFull> {
        let mut done = Absorbed::default();
        let syms: Vec<Sym> = (0..other.symbols.len() as u32)
            .map(|s| self.intern(other.sym(Sym(s))))
            .collect();
        let sym = |s: Sym| syms.get(s.0 as usize).copied().unwrap_or(s);
        // Sources are taken as rows cite them (a part holds only its own),
        // every one of them when the whole graph is taken.
        let mut source_map: Vec<Option<SourceId>> = vec![None; other.sources().len()];
        let mut take_source = |g: &mut Graph, s: SourceId| -> Option<SourceId> {
            let slot = source_map.get_mut(s.0 as usize)?;
            if slot.is_none() {
                let src = other.source(s);
                *slot = g.find_source(&src.id).or_else(|| g.add_source(src.clone()));
            }
            *slot
        };
        if only.is_none() {
            for i in 0..other.sources().len() {
                take_source(self, SourceId(i as u32));
            }
        }
        // Rows share their lists: each list is mapped once.
        let mut source_sets: FastMap<SourceSet, SourceSet> = FastMap::default();
        let mut sources = |g: &mut Graph, set: SourceSet| -> SourceSet {
            if let Some(&s) = source_sets.get(&set) {
                return s;
            }
            let ids: Vec<SourceId> = other
                .source_list(set)
                .iter()
                .filter_map(|&s| take_source(g, s))
                .collect();
            let mapped = g.source_set(&ids);
            source_sets.insert(set, mapped);
            mapped
        };
        let dataset_map: Vec<DatasetId> = other
            .dataset_names()
            .iter()
            .map(|n| self.add_dataset(n))
            .collect();
        let mut dataset_sets: FastMap<DatasetSet, DatasetSet> = FastMap::default();
        let mut datasets = |g: &mut Graph, set: DatasetSet| -> DatasetSet {
            if let Some(&s) = dataset_sets.get(&set) {
                return s;
            }
            let ids: Vec<DatasetId> = other
                .dataset_list(set)
                .into_iter()
                .filter_map(|d| dataset_map.get(d.0 as usize).copied())
                .collect();
            let mapped = g.dataset_set(&ids);
            dataset_sets.insert(set, mapped);
            mapped
        };
        let mut nodes: Vec<Option<NodeIx>> = vec![None; other.node_count()];
        let mut id = String::new();
        let all_nodes: Vec<NodeIx>;
        let node_list = match only {
            Some((n, _)) => n,
            None => {
                all_nodes = other.node_indices().collect();
                &all_nodes
            }
        };
        for &n in node_list {
            let e = other.entity(n);
            id.clear();
            if let Some(p) = prefix {
                id.push_str(p);
                id.push(':');
            }
            id.push_str(e.id);
            let attrs: Vec<(Sym, &str)> = e.attrs.iter().map(|(k, v)| (sym(k), v)).collect();
            let set = datasets(self, other.entity_datasets(n));
            let srcs = sources(self, e.sources);
            let node = match self.find(&id) {
                Some(existing) => {
                    self.merge_into(existing, &e, &attrs, srcs)?;
                    let union = self.dataset_union(self.entity_datasets(existing), set);
                    self.set_entity_datasets(existing, union);
                    done.merged += 1;
                    existing
                }
                None => {
                    let aliases = e.aliases.to_vec();
                    let weak = e.weak_aliases.to_vec();
                    let node = self
                        .add_entity(NewEntity {
                            id: &id,
                            kind: e.kind.map_other(sym),
                            name: e.name,
                            aliases: &aliases,
                            weak_aliases: &weak,
                            date: e.date,
                            until: e.until,
                            note: e.note,
                            amount: e.amount,
                            sources: srcs,
                            attrs: &attrs,
                        })
                        .map_err(|e| match e {
                            AddError::Full(f) => f,
                            AddError::Duplicate(_) => GraphFull,
                        })?;
                    self.set_entity_datasets(node, set);
                    done.entities += 1;
                    node
                }
            };
            nodes[n.index()] = Some(node);
        }
        let all_edges: Vec<EdgeIx>;
        let edge_list = match only {
            Some((_, e)) => e,
            None => {
                all_edges = other.edge_indices().collect();
                &all_edges
            }
        };
        for &ix in edge_list {
            let r = other.relation(ix);
            let (a, b) = other.ends(ix);
            let (Some(a), Some(b)) = (nodes[a.index()], nodes[b.index()]) else {
                continue;
            };
            let attrs: Vec<(Sym, &str)> = r.attrs.iter().map(|(k, v)| (sym(k), v)).collect();
            let srcs = sources(self, r.sources);
            let set = datasets(self, other.relation_datasets(ix));
            let id = r.id();
            let e = self.add_relation(a, b, r.carried(id.as_deref(), sym, srcs, &attrs))?;
            self.set_relation_datasets(e, set);
            done.relations += 1;
        }
        Ok(done)
    }

    /// Unites what `e` (of another graph; `attrs` with this graph's symbols)
    /// says with the entity at `ix`.
    fn merge_into(
        &mut self,
        ix: NodeIx,
        e: &Entity<'_>,
        attrs: &[(Sym, &str)],
        sources: SourceSet,
    ) -> Result<(), GraphFull> {
        let old = self.entity(ix);
        let name = old.name.to_string();
        let mut aliases = old.aliases.to_vec();
        for a in std::iter::once(e.name).chain(e.aliases.iter()) {
            if a != name && !aliases.iter().any(|x| x == a) {
                aliases.push(a.to_string());
            }
        }
        let mut weak = old.weak_aliases.to_vec();
        for a in e.weak_aliases.iter() {
            if !weak.iter().any(|x| x == a) {
                weak.push(a.to_string());
            }
        }
        let mut all: Vec<(Sym, String)> =
            old.attrs.iter().map(|(k, v)| (k, v.to_string())).collect();
        for &(k, v) in attrs {
            if !all.iter().any(|(k2, v2)| *k2 == k && v2 == v) {
                all.push((k, v.to_string()));
            }
        }
        let mut srcs = self.source_list(old.sources).to_vec();
        srcs.extend_from_slice(&self.source_list(sources));
        let note = old.note.or(e.note).map(str::to_string);
        let (kind, date, until, amount) = (
            old.kind,
            old.date.or(e.date),
            old.until.or(e.until),
            old.amount.or(e.amount),
        );
        let sources = self.source_set(&srcs);
        let attrs: Vec<(Sym, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.replace_entity(
            ix,
            NewEntity {
                id: "",
                kind,
                name: &name,
                aliases: &aliases,
                weak_aliases: &weak,
                date,
                until,
                note: note.as_deref(),
                amount,
                sources,
                attrs: &attrs,
            },
        )
    }
}

/// The dataset an input is named by when nothing else names it: its file name
/// without extensions of a data format (`opensanctions-subset.ftm.json.gz` →
/// `opensanctions-subset`), or its folder's name.
pub fn dataset_of_path(path: &std::path::Path) -> String {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    if path.is_dir() {
        return name;
    }
    let mut stem = name.as_str();
    for ext in [".gz", "", ".ftm"] {
        if ext.is_empty() {
            if let Some((s, _)) = stem.rsplit_once('.')
                && !s.is_empty()
            {
                stem = s;
            }
        } else if let Some(s) = stem.strip_suffix(ext) {
            stem = s;
        }
    }
    stem.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntityKind;

    #[test]
    fn a_dataset_is_named_by_the_file_without_its_format() {
        for (path, name) in [
            ("a/opensanctions-subset.ftm.json", "opensanctions-subset"),
            ("donations.ijson", "donations"),
            ("x/LesMiserables.gexf", "LesMiserables"),
            ("kek.ftm.jsonl.gz", "kek"),
        ] {
            assert_eq!(dataset_of_path(std::path::Path::new(path)), name);
        }
    }

    #[test]
    fn absorbing_merges_global_ids_and_prefixes_local_ones() {
        let mut a = Graph::default();
        let p = a
            .add_entity(NewEntity::<String>::new(
                "p1",
                EntityKind::Person,
                "Ann",
                SourceSet::EMPTY,
            ))
            .unwrap();
        a.set_default_dataset("left");
        let mut b = Graph::default();
        let attrs = [(b.intern("country"), "lt")];
        let q = b
            .add_entity(NewEntity::<String> {
                attrs: &attrs,
                ..NewEntity::new("p1", EntityKind::Person, "Anna", SourceSet::EMPTY)
            })
            .unwrap();
        let r = b
            .add_entity(NewEntity::<String>::new(
                "o1",
                EntityKind::Organisation,
                "Org",
                SourceSet::EMPTY,
            ))
            .unwrap();
        b.add_relation(
            q,
            r,
            NewRelation::new(crate::model::RelationKind::MemberOf, SourceSet::EMPTY),
        )
        .unwrap();
        b.set_default_dataset("right");
        let mut merged = a.clone();
        let done = merged.absorb(&b, None).unwrap();
        assert_eq!((done.merged, done.entities, done.relations), (1, 1, 1));
        assert_eq!(merged.node_count(), 2);
        let e = merged.entity(p);
        assert_eq!(
            (e.name, e.aliases.to_vec()),
            ("Ann", vec!["Anna".to_string()])
        );
        assert_eq!(e.attrs.len(), 1);
        assert_eq!(
            merged.dataset_text(merged.entity_datasets(p)),
            "left, right"
        );
        let o = merged.find("o1").unwrap();
        assert_eq!(merged.dataset_text(merged.entity_datasets(o)), "right");
        let edge = merged.edge_indices().next().unwrap();
        assert_eq!(merged.dataset_text(merged.relation_datasets(edge)), "right");

        let mut apart = a.clone();
        let done = apart.absorb(&b, Some("right")).unwrap();
        assert_eq!((done.merged, done.entities), (0, 2));
        assert!(apart.find("right:p1").is_some() && apart.find("p1").is_some());
    }

    #[test]
    fn a_run_of_rows_is_in_its_dataset_unless_a_row_says_otherwise() {
        let mut g = Graph::default();
        g.set_default_dataset("a");
        let mut nodes = Vec::new();
        for i in 0..4 {
            let id = format!("e{i}");
            let e = NewEntity::<String>::new(&id, EntityKind::Person, "X", SourceSet::EMPTY);
            nodes.push(g.add_entity(e).unwrap());
        }
        let rel = |g: &mut Graph, a: NodeIx, b: NodeIx| {
            let r = NewRelation::new(crate::model::RelationKind::MemberOf, SourceSet::EMPTY);
            g.add_relation(a, b, r).unwrap()
        };
        let first = rel(&mut g, nodes[0], nodes[1]);
        let later = rel(&mut g, nodes[2], nodes[3]);
        let b = g.add_dataset("b");
        let c = g.add_dataset("c");
        let (in_b, in_c) = (g.dataset_set(&[b]), g.dataset_set(&[c]));
        g.set_datasets_of_rows(2..4, 1..2, in_b);
        g.set_entity_datasets(nodes[3], in_c);
        let sets: Vec<DatasetSet> = nodes.iter().map(|&n| g.entity_datasets(n)).collect();
        assert_eq!(sets, [DatasetSet::DEFAULT, DatasetSet::DEFAULT, in_b, in_c]);
        assert_eq!(g.relation_datasets(first), DatasetSet::DEFAULT);
        assert_eq!(g.relation_datasets(later), in_b);
        // Counted by dataset, and taken into another graph, alike.
        assert_eq!(g.entities_per_dataset(), [2, 1, 1]);
        let part = g.part(&nodes, &[first, later]);
        assert_eq!(part.entities_per_dataset(), [2, 1, 1]);
        assert_eq!(part.relations_per_dataset(), [1, 1, 0]);
    }
}
