//! Growing a local graph with what was fetched, without moving what it held.
//!
//! The explorer on a database keeps one local graph: everything fetched so far.
//! Each fetched neighbourhood is added to it append-only: an entity already
//! there (same id) is kept as it is, a relation already there (same database
//! key) is not added twice, and everything new goes after what was there. So
//! the explorer's history and marks, which hold node indices, stay valid, and
//! the local graph is the cache of what was fetched.

use std::collections::HashSet;

use crate::graph::{
    AddError, Attrs, EdgeIx, Graph, GraphFull, NewEntity, NodeIx, SourceId, SourceSet,
};
use crate::model::Sym;

/// What a merge added, and where the fetched entities are now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// For each entity of the fetched graph (by index), its index in the
    /// local graph.
    pub nodes: Vec<NodeIx>,
    pub new_entities: usize,
    pub new_relations: usize,
}

/// The relation keys a local graph holds (see [`super::Neighbourhood::keys`]).
pub type Keys = HashSet<Box<str>>;

/// Adds `from` (whose relations have the database keys `keys`, by index) to
/// `into`, whose relations have the keys `known`; `known` gains the new ones.
/// A relation without a key is compared by its ends, kind and dates.
pub fn merge(
    into: &mut Graph,
    known: &mut Keys,
    from: &Graph,
    keys: &[Box<str>],
) -> Result<Merged, GraphFull> {
    let mut merged = Merged::default();
    let mut sources: Vec<Option<SourceId>> = vec![None; from.sources().len()];
    // A source already there (same id) is cited as it is; a new one is added.
    // No fallback: a source that can be neither found nor added is an error,
    // never another source's id.
    let mut source_set = |into: &mut Graph, set| -> Result<SourceSet, GraphFull> {
        let mut ids = Vec::new();
        for s in from.source_list(set) {
            let id = match sources[s.0 as usize] {
                Some(id) => id,
                None => {
                    let src = from.source(s);
                    let id = match into.find_source(&src.id) {
                        Some(id) => id,
                        None => into.add_source(src.clone()).ok_or(GraphFull)?,
                    };
                    sources[s.0 as usize] = Some(id);
                    id
                }
            };
            ids.push(id);
        }
        Ok(into.source_set(&ids))
    };
    for n in from.node_indices() {
        let e = from.entity(n);
        if let Some(there) = into.find(e.id) {
            merged.nodes.push(there);
            continue;
        }
        let kind = e.kind.map_other(|s| into.intern(from.sym(s)));
        let attrs = interned(into, from, e.attrs);
        let set = source_set(into, e.sources)?;
        let entity = NewEntity {
            id: e.id,
            kind,
            name: e.name,
            aliases: &e.aliases.to_vec(),
            weak_aliases: &e.weak_aliases.to_vec(),
            date: e.date,
            until: e.until,
            note: e.note,
            amount: e.amount,
            sources: set,
            attrs: &attrs,
        };
        let ix = match into.add_entity(entity) {
            Ok(ix) => ix,
            Err(AddError::Duplicate(ix)) => ix,
            Err(AddError::Full(full)) => return Err(full),
        };
        merged.nodes.push(ix);
        merged.new_entities += 1;
    }
    for edge in from.edge_indices() {
        let (a, b) = from.ends(edge);
        let (a, b) = (merged.nodes[a.index()], merged.nodes[b.index()]);
        let r = from.relation(edge);
        let key = relation_key(from, edge, keys.get(edge.index()).map(|k| &**k));
        if known.contains(&key) {
            continue;
        }
        let attrs = interned(into, from, r.attrs);
        let set = source_set(into, r.sources)?;
        let id = r.id();
        let rel = r.carried(id.as_deref(), |s| into.intern(from.sym(s)), set, &attrs);
        into.add_relation(a, b, rel)?;
        known.insert(key);
        merged.new_relations += 1;
    }
    Ok(merged)
}

/// `attrs` of `from`, their names as symbols of `into`.
fn interned<'g>(into: &mut Graph, from: &Graph, attrs: Attrs<'g>) -> Vec<(Sym, &'g str)> {
    attrs
        .iter()
        .map(|(k, v)| (into.intern(from.sym(k)), v))
        .collect()
}

/// The keys of `graph`'s relations, as [`merge`] records them: what a graph
/// fetched first (not merged into anything) is known by.
pub fn keys_of(graph: &Graph, keys: &[Box<str>]) -> Keys {
    graph
        .edge_indices()
        .map(|e| relation_key(graph, e, keys.get(e.index()).map(|k| &**k)))
        .collect()
}

/// How a relation is told apart from the others fetched: its database key with
/// the ids of its ends (the key, `MERGE`'s, is unique only between the same
/// two entities), or without one its ends, kind, dates and id.
fn relation_key(g: &Graph, edge: EdgeIx, db_key: Option<&str>) -> Box<str> {
    let (a, b) = g.ends(edge);
    let (a, b) = (g.entity(a).id, g.entity(b).id);
    match db_key.filter(|k| !k.is_empty()) {
        Some(k) => format!("{a}\u{1f}{b}\u{1f}{k}").into(),
        None => {
            let r = g.relation(edge);
            format!(
                "{a}\u{1f}{b}\u{1f}{}\u{1f}{:?}\u{1f}{:?}\u{1f}{}",
                g.relation_kind_label(r.kind),
                r.date,
                r.until,
                r.id().unwrap_or_default()
            )
            .into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_texts;

    fn graph(text: &str) -> Graph {
        load_texts(vec![("t.ron".to_string(), text.to_string())]).expect("fixture loads")
    }

    fn keys(g: &Graph, names: &[&str]) -> Vec<Box<str>> {
        assert_eq!(g.edge_count(), names.len());
        names.iter().map(|k| Box::from(*k)).collect()
    }

    #[test]
    fn fetched_sources_cite_the_same_source_there_or_a_new_one_never_another() {
        // The local graph holds sources x and y; the answer cites y and a new z.
        let mut local = graph(
            r#"Graph(sources: [Source(id: "x", outlet: "o", title: "X", file: "x"), Source(id: "y", outlet: "o", title: "Y", file: "y")],
            entities: [Entity(id: "a", kind: person, name: "A", sources: ["x"])], relations: [])"#,
        );
        let fetched = graph(
            r#"Graph(sources: [Source(id: "z", outlet: "o", title: "Z", file: "z"), Source(id: "y", outlet: "o", title: "Y", file: "y")],
            entities: [Entity(id: "b", kind: person, name: "B", sources: ["y", "z"]), Entity(id: "c", kind: person, name: "C", sources: ["y"])],
            relations: [Relation(from: "b", to: "c", kind: met, sources: ["z"])])"#,
        );
        let mut known = keys_of(&local, &[]);
        merge(&mut local, &mut known, &fetched, &keys(&fetched, &["#0"])).unwrap();
        let cited = |g: &Graph, set| -> Vec<String> {
            g.source_list(set)
                .iter()
                .map(|&s| g.source(s).id.to_string())
                .collect()
        };
        let b = local.entity(local.find("b").unwrap()).sources;
        let c = local.entity(local.find("c").unwrap()).sources;
        assert_eq!(cited(&local, b), vec!["y", "z"]);
        assert_eq!(cited(&local, c), vec!["y"]);
        let r = local.relation(local.edge_indices().next().unwrap()).sources;
        assert_eq!(cited(&local, r), vec!["z"]);
        assert_eq!(local.sources().len(), 3, "y not added twice");
    }

    #[test]
    fn the_same_database_key_between_other_entities_is_another_relation() {
        // Two graphs pushed one after the other each have a relation `#0`:
        // the key is unique only between the same two entities.
        let first = graph(
            r#"Graph(entities: [Entity(id: "a", kind: person, name: "A"), Entity(id: "b", kind: person, name: "B")],
            relations: [Relation(from: "a", to: "b", kind: met)])"#,
        );
        let second = graph(
            r#"Graph(entities: [Entity(id: "c", kind: person, name: "C"), Entity(id: "d", kind: person, name: "D")],
            relations: [Relation(from: "c", to: "d", kind: met)])"#,
        );
        let mut local = Graph::default();
        let mut known = keys_of(&local, &[]);
        merge(&mut local, &mut known, &first, &keys(&first, &["#0"])).unwrap();
        let m = merge(&mut local, &mut known, &second, &keys(&second, &["#0"])).unwrap();
        assert_eq!(m.new_relations, 1);
        assert_eq!(local.edge_count(), 2);
        // A first view's keys are recorded the same way: merging it again adds nothing.
        let mut known = keys_of(&first, &keys(&first, &["#0"]));
        let mut again = first.clone();
        let m = merge(&mut again, &mut known, &first, &keys(&first, &["#0"])).unwrap();
        assert_eq!((m.new_entities, m.new_relations), (0, 0));
    }

    #[test]
    fn merging_keeps_indices_and_adds_only_what_is_new() {
        let first = graph(
            r#"Graph(
            sources: [Source(id: "s1", outlet: "o", title: "t", file: "f")],
            entities: [
                Entity(id: "a", kind: person, name: "A", sources: ["s1"]),
                Entity(id: "b", kind: other("vessel"), name: "B", aliases: ["Bee"]),
            ],
            relations: [Relation(from: "a", to: "b", kind: owns, date: "2024", sources: ["s1"])],
        )"#,
        );
        let second = graph(
            r#"Graph(
            sources: [Source(id: "s2", outlet: "o2", title: "t2", file: "f2"),
                      Source(id: "s1", outlet: "o", title: "t", file: "f")],
            entities: [
                Entity(id: "c", kind: other("trust"), name: "C", sources: ["s2"]),
                Entity(id: "b", kind: other("vessel"), name: "B", aliases: ["Bee"]),
                Entity(id: "a", kind: person, name: "A", sources: ["s1"]),
            ],
            relations: [
                Relation(from: "a", to: "b", kind: owns, date: "2024", sources: ["s1"]),
                Relation(from: "c", to: "b", kind: other("charters"), role: "lessee", sources: ["s2"]),
            ],
        )"#,
        );
        let mut local = Graph::default();
        let mut known = Keys::default();
        let m = merge(&mut local, &mut known, &first, &keys(&first, &["#0"])).unwrap();
        assert_eq!((m.new_entities, m.new_relations), (2, 1));
        let (a, b) = (local.find("a").unwrap(), local.find("b").unwrap());
        let m = merge(
            &mut local,
            &mut known,
            &second,
            &keys(&second, &["#0", "#1"]),
        )
        .unwrap();
        assert_eq!((m.new_entities, m.new_relations), (1, 1));
        // What was there keeps its index; the new entity comes after.
        assert_eq!(local.find("a"), Some(a));
        assert_eq!(local.find("b"), Some(b));
        let c = local.find("c").unwrap();
        assert_eq!(c.index(), 2);
        assert_eq!(m.nodes, vec![c, b, a]);
        assert_eq!((local.node_count(), local.edge_count()), (3, 2));
        // Kinds, roles, aliases and sources come across under the local symbols.
        assert_eq!(local.entity_kind_label(local.entity(c).kind), "trust");
        assert_eq!(local.entity(b).aliases.to_vec(), vec!["Bee".to_string()]);
        let tie = local.ties(c).next().unwrap();
        let r = local.relation(tie.edge);
        assert_eq!(local.relation_kind_label(r.kind), "charters");
        assert_eq!(r.role.map(|s| local.sym(s)), Some("lessee"));
        let cited: Vec<&str> = local
            .source_list(r.sources)
            .iter()
            .map(|&s| &*local.source(s).id)
            .collect();
        assert_eq!(cited, vec!["s2"]);
        assert_eq!(local.sources().len(), 2);
        // Merging the same again adds nothing.
        let m = merge(
            &mut local,
            &mut known,
            &second,
            &keys(&second, &["#0", "#1"]),
        )
        .unwrap();
        assert_eq!((m.new_entities, m.new_relations), (0, 0));
        assert_eq!((local.node_count(), local.edge_count()), (3, 2));
    }

    #[test]
    fn two_relations_between_the_same_entities_stay_two() {
        let g = graph(
            r#"Graph(
            entities: [
                Entity(id: "a", kind: person, name: "A"),
                Entity(id: "b", kind: person, name: "B"),
            ],
            relations: [
                Relation(from: "a", to: "b", kind: met),
                Relation(from: "a", to: "b", kind: met),
            ],
        )"#,
        );
        let mut local = Graph::default();
        let mut known = Keys::default();
        merge(&mut local, &mut known, &g, &keys(&g, &["#0", "#1"])).unwrap();
        merge(&mut local, &mut known, &g, &keys(&g, &["#0", "#1"])).unwrap();
        assert_eq!(local.edge_count(), 2);
    }
}
