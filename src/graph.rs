//! The in-memory knowledge graph: a petgraph `DiGraph` of entities and relations,
//! an id index, the sources, and interned strings.
//!
//! Everything repeated across many records is stored once: kind names from the
//! `other` escape, roles and attribute names are [`Sym`]s; the source list of a
//! record is a [`SourceSet`], an index into a table of distinct lists. Entities and
//! relations are only ever added, so indices stay valid for the graph's life.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::{Amount, EntityKind, PartialDate, RelationKind, Sym};

pub type NodeIx = NodeIndex<u32>;
pub type EdgeIx = EdgeIndex<u32>;
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Index of a source in [`Graph::sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub u32);

/// An interned list of sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceSet(pub u32);

/// A person, body, place, programme, agreement, event…
#[derive(Debug, Clone)]
pub struct Entity {
    pub id: Box<str>,
    pub kind: EntityKind<Sym>,
    pub name: Box<str>,
    pub aliases: Box<[Box<str>]>,
    pub weak_aliases: Box<[Box<str>]>,
    pub date: Option<PartialDate>,
    pub until: Option<PartialDate>,
    pub note: Option<Box<str>>,
    pub amount: Option<Amount>,
    pub sources: SourceSet,
    pub attrs: Box<[(Sym, Box<str>)]>,
}

/// A typed, dated, sourced tie between two entities.
#[derive(Debug, Clone)]
pub struct Relation {
    pub id: Option<Box<str>>,
    pub kind: RelationKind<Sym>,
    pub role: Option<Sym>,
    pub date: Option<PartialDate>,
    pub until: Option<PartialDate>,
    pub amount: Option<Amount>,
    pub sources: SourceSet,
    pub note: Option<Box<str>>,
    pub attrs: Box<[(Sym, Box<str>)]>,
}

/// A document facts come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: Box<str>,
    pub outlet: Box<str>,
    pub title: Box<str>,
    pub published: Option<PartialDate>,
    pub file: Box<str>,
    pub url: Option<Box<str>>,
}

/// Strings stored once and referred to by [`Sym`].
#[derive(Debug, Clone, Default)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: FastMap<Box<str>, Sym>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.index.get(s) {
            return sym;
        }
        let sym = Sym(self.strings.len() as u32);
        self.strings.push(s.into());
        self.index.insert(s.into(), sym);
        sym
    }

    pub fn get(&self, s: &str) -> Option<Sym> {
        self.index.get(s).copied()
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        &self.strings[sym.0 as usize]
    }
}

/// The whole loaded graph.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    graph: DiGraph<Entity, Relation, u32>,
    ids: FastMap<Box<str>, NodeIx>,
    sources: Vec<Source>,
    source_ids: FastMap<Box<str>, SourceId>,
    source_sets: Vec<Box<[SourceId]>>,
    source_set_ids: FastMap<Box<[SourceId]>, SourceSet>,
    symbols: Interner,
}

/// One relation seen from a node: which edge, and the entity at the other end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tie {
    pub edge: EdgeIx,
    pub other: NodeIx,
    /// `Outgoing` when the node is the relation's `from`.
    pub direction: Direction,
}

impl Graph {
    pub fn with_capacity(nodes: usize, edges: usize) -> Self {
        let mut g = Graph {
            graph: DiGraph::with_capacity(nodes, edges),
            ..Graph::default()
        };
        g.ids.reserve(nodes);
        g
    }

    // ---- building -------------------------------------------------------

    pub fn intern(&mut self, s: &str) -> Sym {
        self.symbols.intern(s)
    }

    /// Adds a source; `None` if its id is taken.
    pub fn add_source(&mut self, source: Source) -> Option<SourceId> {
        if self.source_ids.contains_key(&source.id) {
            return None;
        }
        let id = SourceId(self.sources.len() as u32);
        self.source_ids.insert(source.id.clone(), id);
        self.sources.push(source);
        Some(id)
    }

    /// Interns a list of sources (order kept, duplicates removed).
    pub fn source_set(&mut self, ids: &[SourceId]) -> SourceSet {
        let mut list: Vec<SourceId> = Vec::with_capacity(ids.len());
        for id in ids {
            if !list.contains(id) {
                list.push(*id);
            }
        }
        let list = list.into_boxed_slice();
        if let Some(&set) = self.source_set_ids.get(&list) {
            return set;
        }
        let set = SourceSet(self.source_sets.len() as u32);
        self.source_sets.push(list.clone());
        self.source_set_ids.insert(list, set);
        set
    }

    /// Adds an entity; `Err` with the existing node if its id is taken.
    pub fn add_entity(&mut self, entity: Entity) -> Result<NodeIx, NodeIx> {
        if let Some(&existing) = self.ids.get(&entity.id) {
            return Err(existing);
        }
        let id = entity.id.clone();
        let ix = self.graph.add_node(entity);
        self.ids.insert(id, ix);
        Ok(ix)
    }

    /// The entity at `ix`, to complete it while building (e.g. merging the
    /// fragments of one FtM entity). Its id must not change.
    pub fn entity_mut(&mut self, ix: NodeIx) -> &mut Entity {
        &mut self.graph[ix]
    }

    pub fn add_relation(&mut self, from: NodeIx, to: NodeIx, relation: Relation) -> EdgeIx {
        self.graph.add_edge(from, to, relation)
    }

    // ---- reading --------------------------------------------------------

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// The node with this id.
    pub fn find(&self, id: &str) -> Option<NodeIx> {
        self.ids.get(id).copied()
    }

    pub fn entity(&self, ix: NodeIx) -> &Entity {
        &self.graph[ix]
    }

    pub fn relation(&self, ix: EdgeIx) -> &Relation {
        &self.graph[ix]
    }

    /// `(from, to)` of a relation.
    pub fn ends(&self, ix: EdgeIx) -> (NodeIx, NodeIx) {
        self.graph
            .edge_endpoints(ix)
            .expect("edge indices are never removed")
    }

    pub fn node_indices(&self) -> impl ExactSizeIterator<Item = NodeIx> + '_ {
        self.graph.node_indices()
    }

    pub fn edge_indices(&self) -> impl ExactSizeIterator<Item = EdgeIx> + '_ {
        self.graph.edge_indices()
    }

    /// Every relation touching `node`, outgoing first then incoming, each in
    /// insertion order.
    pub fn ties(&self, node: NodeIx) -> impl Iterator<Item = Tie> + '_ {
        self.ties_dir(node, Direction::Outgoing)
            .chain(self.ties_dir(node, Direction::Incoming))
    }

    /// Relations leaving (`Outgoing`) or reaching (`Incoming`) `node`, in insertion order.
    pub fn ties_dir(&self, node: NodeIx, direction: Direction) -> impl Iterator<Item = Tie> + '_ {
        // petgraph walks adjacency lists newest first; collect to give file order.
        let mut v: Vec<Tie> = self
            .graph
            .edges_directed(node, direction)
            .map(|e| Tie {
                edge: e.id(),
                other: if direction == Direction::Outgoing {
                    e.target()
                } else {
                    e.source()
                },
                direction,
            })
            .collect();
        v.reverse();
        v.into_iter()
    }

    /// Number of relations touching `node`.
    pub fn degree(&self, node: NodeIx) -> usize {
        self.graph.edges_directed(node, Direction::Outgoing).count()
            + self.graph.edges_directed(node, Direction::Incoming).count()
    }

    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    pub fn source(&self, id: SourceId) -> &Source {
        &self.sources[id.0 as usize]
    }

    pub fn find_source(&self, id: &str) -> Option<SourceId> {
        self.source_ids.get(id).copied()
    }

    pub fn source_list(&self, set: SourceSet) -> &[SourceId] {
        &self.source_sets[set.0 as usize]
    }

    /// The symbol of an interned string, if the graph holds it.
    pub fn find_sym(&self, s: &str) -> Option<Sym> {
        self.symbols.get(s)
    }

    pub fn sym(&self, sym: Sym) -> &str {
        self.symbols.resolve(sym)
    }

    pub fn entity_kind_label(&self, kind: EntityKind<Sym>) -> &str {
        match kind {
            EntityKind::Other(s) => self.sym(s),
            k => k.known_label().unwrap_or("other"),
        }
    }

    pub fn relation_kind_label(&self, kind: RelationKind<Sym>) -> &str {
        match kind {
            RelationKind::Other(s) => self.sym(s),
            k => k.known_label().unwrap_or("other"),
        }
    }

    /// The relation's kind as a phrase: `holds office`, `party to`.
    pub fn relation_phrase(&self, kind: RelationKind<Sym>) -> String {
        self.relation_kind_label(kind).replace('_', " ")
    }
}
