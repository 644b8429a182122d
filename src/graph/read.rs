//! Reading a graph: counts, lookups by id, and [`Entity`] and [`Relation`]
//! views built on the fly from the rows.

use super::*;

impl Graph {
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// The node with this id.
    pub fn find(&self, id: &str) -> Option<NodeIx> {
        self.ids
            .find(id, &self.entities, &self.arena)
            .map(|n| NodeIx::new(n as usize))
    }

    pub(super) fn amount(&self, i: u32) -> Option<Amount> {
        self.amounts.get(i as usize).copied()
    }

    pub(super) fn attrs_of(&self, start: u32, n: u32) -> Attrs<'_> {
        let start = start as usize;
        Attrs {
            arena: &self.arena.text,
            items: self.attrs.get(start..start + n as usize).unwrap_or(&[]),
        }
    }

    pub(super) fn texts(&self, start: usize, n: usize) -> Texts<'_> {
        Texts {
            arena: &self.arena.text,
            items: self.lists.get(start..start + n).unwrap_or(&[]),
        }
    }

    pub fn entity(&self, ix: NodeIx) -> Entity<'_> {
        let r = &self.entities[ix.index()];
        let arena = &self.arena.text;
        let aliases = r.aliases as usize;
        let n_aliases = r.n_aliases as usize;
        let extra = self.extras.get(r.extra as usize);
        let (kind, date, until) = r.kind_dates();
        Entity {
            id: text_at(arena, r.id),
            kind,
            name: text_at(arena, r.name),
            aliases: self.texts(aliases, n_aliases),
            weak_aliases: self.texts(aliases + n_aliases, r.n_weak as usize),
            date,
            until,
            note: extra.and_then(|x| opt_text(arena, x.note)),
            amount: self.amount(r.amount),
            sources: SourceSet(r.sources),
            attrs: extra.map_or(self.attrs_of(0, 0), |x| self.attrs_of(x.attrs, x.n_attrs)),
        }
    }

    /// The kind and dates of an entity, without building its whole view (for
    /// filters run over many entities).
    pub fn entity_kind_dates(
        &self,
        ix: NodeIx,
    ) -> (EntityKind<Sym>, Option<PartialDate>, Option<PartialDate>) {
        self.entities[ix.index()].kind_dates()
    }

    /// An entity's name alone.
    pub fn entity_name(&self, ix: NodeIx) -> &str {
        text_at(&self.arena.text, self.entities[ix.index()].name)
    }

    /// The kind and dates of a relation, without building its whole view.
    pub fn relation_kind_dates(
        &self,
        ix: EdgeIx,
    ) -> (RelationKind<Sym>, Option<PartialDate>, Option<PartialDate>) {
        self.graph[ix].kind_dates()
    }

    pub fn relation(&self, ix: EdgeIx) -> Relation<'_> {
        let r = &self.graph[ix];
        let arena = &self.arena.text;
        let extra = self.extras.get(r.extra as usize);
        let (kind, date, until) = r.kind_dates();
        Relation {
            id: extra.and_then(|x| opt_text(arena, x.id)),
            kind,
            role: (r.role != NONE).then_some(Sym(r.role)),
            date,
            until,
            amount: self.amount(r.amount),
            sources: SourceSet(r.sources),
            note: extra.and_then(|x| opt_text(arena, x.note)),
            attrs: extra.map_or(self.attrs_of(0, 0), |x| self.attrs_of(x.attrs, x.n_attrs)),
            undirected: r.flags & RELATION_UNDIRECTED != 0,
        }
    }

    /// Whether a relation has no direction (see [`Relation::undirected`]).
    pub fn is_undirected(&self, ix: EdgeIx) -> bool {
        self.graph[ix].flags & RELATION_UNDIRECTED != 0
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

    /// The entity with the most relations (the first such), in one pass over the
    /// relations rather than a walk of every adjacency list.
    pub fn busiest(&self) -> Option<NodeIx> {
        let mut degree = vec![0u32; self.node_count()];
        for e in self.graph.raw_edges() {
            degree[e.source().index()] += 1;
            degree[e.target().index()] += 1;
        }
        let (i, _) = degree
            .iter()
            .enumerate()
            .max_by_key(|&(i, d)| (*d, std::cmp::Reverse(i)))?;
        Some(NodeIx::new(i))
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
        let start = set.0 as usize;
        let Some(n) = self.source_lists.get(start) else {
            return &[];
        };
        self.source_lists
            .get(start + 1..start + 1 + n.0 as usize)
            .unwrap_or(&[])
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

    /// What the graph holds in memory, by part.
    pub fn memory(&self) -> GraphMemory {
        let node = std::mem::size_of::<petgraph::graph::Node<(), u32>>();
        let edge = std::mem::size_of::<petgraph::graph::Edge<RelationRow, u32>>();
        let id_index = self.ids.bytes();
        GraphMemory {
            entities: bytes(&self.entities) + self.graph.capacity().0 * node + id_index,
            relations: self.graph.capacity().1 * edge + bytes(&self.extras),
            text: self.arena.text.capacity() + bytes(&self.lists) + bytes(&self.attrs),
            other: bytes(&self.amounts)
                + self.sources.capacity() * std::mem::size_of::<Source>()
                + bytes(&self.source_lists)
                + self
                    .symbols
                    .strings
                    .iter()
                    .map(|s| s.len() + 16)
                    .sum::<usize>(),
        }
    }
}
