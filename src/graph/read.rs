//! Reading a graph: counts, lookups by id, and [`Entity`] and [`Relation`]
//! views built on the fly from the rows.

use super::*;

impl Graph {
    pub fn node_count(&self) -> usize {
        self.links.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.links.edge_count()
    }

    /// The node with this id.
    pub fn find(&self, id: &str) -> Option<NodeIx> {
        self.ids
            .find(id, &self.entities, &self.arena)
            .map(|n| NodeIx::new(n as usize))
    }

    /// The id of node `ix`, as bytes (nothing else of its row read).
    pub(crate) fn id_bytes(&self, ix: NodeIx) -> &[u8] {
        self.arena.bytes(self.entities[ix.index()].id)
    }

    /// The nodes of `ids`, appended to `out` (`None` where no node has the
    /// id): [`Graph::find`] for a batch, each id hashed once, their cache
    /// misses overlapping ([`IdIndex::find_all`]).
    pub(crate) fn find_all(&self, ids: &[&str], out: &mut Vec<Option<NodeIx>>) {
        let hashes: Vec<u64> = ids.iter().map(|id| id_hash(id.as_bytes())).collect();
        self.find_all_hashed(ids, &hashes, out);
    }

    /// [`Graph::find_all`] of ids already hashed ([`id_hash`]: `hashes[i]`
    /// is that of `ids[i]`), so that the caller's thread need not hash them.
    pub(crate) fn find_all_hashed(
        &self,
        ids: &[&str],
        hashes: &[u64],
        out: &mut Vec<Option<NodeIx>>,
    ) {
        (self.ids).find_all(ids, hashes, &self.entities, &self.arena, out);
    }

    /// Whether a node's id hashes ([`id_hash`]) to one of `hashes`, each
    /// match confirmed by hashing the node's id. (Fastest with `hashes`
    /// grouped by their high bits: the index is then read in order.)
    pub(crate) fn holds_any_id_hash(&self, hashes: &[u64]) -> bool {
        (self.ids).holds_any_hash(hashes, &self.entities, &self.arena)
    }

    /// A table of the graph's ids that other threads may read while the
    /// graph grows (it answers for short ids only, see [`ShortIds`]).
    pub(crate) fn short_ids(&self) -> ShortIds {
        ShortIds::of_rows(&self.entities, &self.arena)
    }

    /// [`Graph::short_ids`] packed closer, the short ids alone
    /// ([`ShortIds::of_rows_packed`]).
    pub(crate) fn short_ids_packed(&self) -> ShortIds {
        ShortIds::of_rows_packed(&self.entities, &self.arena)
    }

    /// Brings the id index's slots for `ids` into the cache, all at once,
    /// before they are looked up or added one by one.
    pub(crate) fn warm_ids<'a>(&self, ids: impl Iterator<Item = &'a str>) {
        self.ids.warm(ids);
    }

    /// The same for the relation lists of `nodes`, before relations are added
    /// to them.
    pub(crate) fn warm_nodes(&self, nodes: impl Iterator<Item = NodeIx>) {
        self.links.warm(nodes.map(|n| n.index() as u32));
    }

    /// The same for the sources' ids (numbers are [`SourceId`]s).
    pub(crate) fn short_source_ids(&self) -> ShortIds {
        let ids = self.sources.iter().enumerate();
        ShortIds::of_pairs(ids.map(|(i, s)| (s.id.as_bytes(), i as u32)))
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

    /// The aliases and the weak aliases of an entity whose name is `name`
    /// and whose row and rare parts say `n_aliases` and `n_weak`: they follow
    /// the name in the arena.
    pub(super) fn alias_texts(
        &self,
        name: Text,
        n_aliases: usize,
        n_weak: usize,
    ) -> [Texts<'_>; 2] {
        let end = (name.start as usize).saturating_add(name.len as usize);
        let aliases = Texts {
            bytes: self.arena.text.get(end..).unwrap_or(&[]),
            n: n_aliases,
        };
        let weak = Texts {
            bytes: if n_weak == 0 {
                &[]
            } else {
                aliases.rest().unwrap_or(&[])
            },
            n: n_weak,
        };
        [aliases, weak]
    }

    pub fn entity(&self, ix: NodeIx) -> Entity<'_> {
        let r = &self.entities[ix.index()];
        let arena = &self.arena.text;
        let (name, n_aliases) = self.name_aliases(ix.index(), r);
        let extra = self.extras.get(r.extra as usize);
        let (kind, date) = self.entity_kind_date(ix.index(), r);
        let rare = self.entity_rare_of(r);
        let [aliases, weak_aliases] =
            self.alias_texts(name, n_aliases as usize, rare.n_weak as usize);
        Entity {
            id: text_at(arena, r.id),
            kind,
            name: text_at(arena, name),
            aliases,
            weak_aliases,
            date,
            until: PartialDate::from_bits(rare.until),
            note: extra.and_then(|x| opt_text(arena, x.note)),
            amount: self.amount(rare.amount),
            sources: SourceSet(r.sources),
            attrs: extra.map_or(self.attrs_of(0, 0), |x| self.attrs_of(x.attrs, x.n_attrs)),
        }
    }

    /// An entity's name (in the arena) and number of aliases.
    pub(super) fn name_aliases(&self, node: usize, r: &EntityRow) -> (Text, u32) {
        let (len, n) = if r.name_aliases == EntityRow::BIG {
            let big: &[[u32; 3]] = &self.big_rows;
            big.binary_search_by_key(&(node as u32), |b| b[0])
                .map_or((0, 0), |i| (big[i][1], big[i][2]))
        } else {
            (
                r.name_aliases & ((1 << EntityRow::NAME_BITS) - 1),
                r.name_aliases >> EntityRow::NAME_BITS,
            )
        };
        (
            Text {
                start: r.name_start(),
                len,
            },
            n,
        )
    }

    /// The kind and start date of entity `node`, whose row is `r` (rows are
    /// checked when made or read, so the fallback is never taken).
    fn entity_kind_date(
        &self,
        node: usize,
        r: &EntityRow,
    ) -> (EntityKind<Sym>, Option<PartialDate>) {
        (self.entity_kind(node, r), r.kind_date.date())
    }

    /// The kind of entity `node`, whose row is `r`.
    #[inline]
    fn entity_kind(&self, node: usize, r: &EntityRow) -> EntityKind<Sym> {
        let code = match r.kind_date.code() {
            KindDate::ESCAPE => self.other_kind_code(node).unwrap_or(NONE),
            code => code,
        };
        EntityKind::from_code(code, |s| Some(Sym(s))).unwrap_or(EntityKind::Organisation)
    }

    /// The code of node `node`'s kind kept in `other_kinds`.
    pub(super) fn other_kind_code(&self, node: usize) -> Option<u32> {
        let kinds: &[[u32; 2]] = &self.other_kinds;
        kinds
            .binary_search_by_key(&(node as u32), |k| k[0])
            .ok()
            .map(|i| kinds[i][1])
    }

    /// The rare parts of an entity's row (none for most).
    fn entity_rare_of(&self, r: &EntityRow) -> EntityRare {
        self.entity_rare
            .get(r.rare as usize)
            .copied()
            .unwrap_or(EntityRare::NONE)
    }

    /// The kind and dates of an entity, without building its whole view (for
    /// filters run over many entities).
    pub fn entity_kind_dates(
        &self,
        ix: NodeIx,
    ) -> (EntityKind<Sym>, Option<PartialDate>, Option<PartialDate>) {
        let r = &self.entities[ix.index()];
        let (kind, date) = self.entity_kind_date(ix.index(), r);
        (
            kind,
            date,
            PartialDate::from_bits(self.entity_rare_of(r).until),
        )
    }

    /// An entity's name alone.
    pub fn entity_name(&self, ix: NodeIx) -> &str {
        let (name, _) = self.name_aliases(ix.index(), &self.entities[ix.index()]);
        text_at(&self.arena.text, name)
    }

    /// An entity's name as bytes, not checked to be UTF-8 (every name is,
    /// when added or read from a snapshot); empty for a node not in the graph.
    #[inline]
    pub(crate) fn entity_name_bytes(&self, node: usize) -> &[u8] {
        match self.entities.get(node) {
            Some(r) => bytes_at(&self.arena.text, self.name_aliases(node, r).0),
            None => &[],
        }
    }

    /// The kind and dates of a relation, without building its whole view.
    pub fn relation_kind_dates(
        &self,
        ix: EdgeIx,
    ) -> (RelationKind<Sym>, Option<PartialDate>, Option<PartialDate>) {
        let (kind, date) = self
            .links
            .kind_date(ix.index(), &self.links.rows[ix.index()]);
        let until = self.links.until.get(ix.index());
        (kind, date, until.and_then(PartialDate::from_bits))
    }

    /// The kind of every entity, in order (read from the rows alone).
    pub fn entity_kinds(&self) -> impl ExactSizeIterator<Item = EntityKind<Sym>> + '_ {
        (self.entities.iter().enumerate()).map(|(n, r)| self.entity_kind(n, r))
    }

    /// How many entities there are of each kind, in no order (counted from
    /// the codes in the rows, then named: no kind built per row).
    pub fn entity_kind_counts(&self) -> Vec<(EntityKind<Sym>, usize)> {
        let others = self.other_kinds.iter().map(|k| k[1]);
        code_counts(self.entities.iter().map(|r| r.kind_date), others)
            .into_iter()
            .map(|(c, n)| {
                let k = EntityKind::from_code(c, |s| Some(Sym(s)));
                (k.unwrap_or(EntityKind::Organisation), n)
            })
            .collect()
    }

    /// How many relations there are of each kind, in no order (see
    /// [`Self::entity_kind_counts`]).
    pub fn relation_kind_counts(&self) -> Vec<(RelationKind<Sym>, usize)> {
        let links = &self.links;
        let others = links.other_kind.values().iter().copied();
        code_counts(links.rows.iter().map(|r| r.kind_date), others)
            .into_iter()
            .map(|(c, n)| {
                let k = RelationKind::from_code(c, |s| Some(Sym(s)));
                (k.unwrap_or(RelationKind::Concerns), n)
            })
            .collect()
    }

    /// The kind of every relation, in order (read from the rows alone).
    pub fn relation_kinds(&self) -> impl ExactSizeIterator<Item = RelationKind<Sym>> + '_ {
        let links = &self.links;
        (links.rows.iter().enumerate()).map(|(e, r)| links.kind_date(e, r).0)
    }

    pub fn relation(&self, ix: EdgeIx) -> Relation<'_> {
        let r = &self.links.rows[ix.index()];
        let arena = &self.arena.text;
        let i = ix.index();
        let extra = (self.links.extra.get(i)).and_then(|x| self.extras.get(x as usize));
        let (kind, date) = self.links.kind_date(i, r);
        let links = &self.links;
        let flags = links.flags.get(i).unwrap_or(0);
        let id = match extra.and_then(|x| opt_text(arena, x.id)) {
            Some(id) => RelId::Kept(id),
            None if flags & (RELATION_MADE_ID | RELATION_MADE_ID_REV) != 0 => RelId::Made(self, ix),
            None => RelId::None,
        };
        Relation {
            id,
            kind,
            role: links.role.get(i).map(Sym),
            date,
            until: links.until.get(i).and_then(PartialDate::from_bits),
            amount: links.amount.get(i).and_then(|a| self.amount(a)),
            sources: SourceSet(r.sources),
            note: extra.and_then(|x| opt_text(arena, x.note)),
            attrs: links
                .attrs
                .get(i)
                .map_or(self.attrs_of(0, 0), |[start, n]| self.attrs_of(start, n)),
            undirected: self.is_undirected(ix),
        }
    }

    /// Whether a relation has no direction (see [`Relation::undirected`]).
    pub fn is_undirected(&self, ix: EdgeIx) -> bool {
        self.links
            .flags
            .get(ix.index())
            .is_some_and(|f| f & RELATION_UNDIRECTED != 0)
    }

    /// The id made of relation `ix` (see `relid.rs`), whether or not it
    /// keeps one of its own.
    pub fn made_relation_id(&self, ix: EdgeIx) -> String {
        let i = ix.index();
        let rev = self.links.flags.get(i).unwrap_or(0) & RELATION_MADE_ID_REV != 0;
        let (from, to) = self.ends(ix);
        let (a, b) = if rev { (to, from) } else { (from, to) };
        let (kind, date) = self.links.kind_date(i, &self.links.rows[i]);
        let role = self.links.role.get(i).map_or("", |s| self.sym(Sym(s)));
        let (a, b) = (self.entity(a).id, self.entity(b).id);
        let label = self.relation_kind_label(kind);
        relid::made_id(relid::made_hash(a, label, b, role, date))
    }

    /// `(from, to)` of a relation.
    pub fn ends(&self, ix: EdgeIx) -> (NodeIx, NodeIx) {
        let [a, b] = self.links.ends[ix.index()];
        (NodeIx::new(a as usize), NodeIx::new(b as usize))
    }

    pub fn node_indices(&self) -> impl ExactSizeIterator<Item = NodeIx> + '_ {
        (0..self.node_count()).map(NodeIx::new)
    }

    pub fn edge_indices(&self) -> impl ExactSizeIterator<Item = EdgeIx> + '_ {
        (0..self.edge_count()).map(EdgeIx::new)
    }

    /// Every relation touching `node`, outgoing first then incoming, each in
    /// insertion order.
    pub fn ties(&self, node: NodeIx) -> impl Iterator<Item = Tie> + '_ {
        self.ties_dir(node, Direction::Outgoing)
            .chain(self.ties_dir(node, Direction::Incoming))
    }

    /// Relations leaving (`Outgoing`) or reaching (`Incoming`) `node`, in insertion order.
    pub fn ties_dir(&self, node: NodeIx, direction: Direction) -> impl Iterator<Item = Tie> + '_ {
        // The lists run newest first; collect to give file order.
        let (dir, other) = match direction {
            Direction::Outgoing => (OUT, IN),
            Direction::Incoming => (IN, OUT),
        };
        let mut v: Vec<Tie> = self
            .links
            .walk(node.index(), dir)
            .map(|e| Tie {
                edge: EdgeIx::new(e),
                other: NodeIx::new(self.links.ends[e][other] as usize),
                direction,
            })
            .collect();
        v.reverse();
        v.into_iter()
    }

    /// The entity with the most relations (the first such): as counted while
    /// the relations were added, or in one pass over them (a graph read from
    /// a snapshot), rather than a walk of every adjacency list.
    pub fn busiest(&self) -> Option<NodeIx> {
        let (nodes, edges) = (self.node_count(), self.edge_count());
        if let Some(n) = self.links.degrees.busiest(nodes, edges) {
            return Some(NodeIx::new(n as usize));
        }
        self.busiest_counted()
    }

    /// [`Self::busiest`], counted now.
    pub(crate) fn busiest_counted(&self) -> Option<NodeIx> {
        let mut degree = vec![0u32; self.node_count()];
        for &[a, b] in self.links.ends.iter() {
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        let (i, _) = degree
            .iter()
            .enumerate()
            .max_by_key(|&(i, d)| (*d, std::cmp::Reverse(i)))?;
        Some(NodeIx::new(i))
    }

    /// Number of relations touching `node`.
    pub fn degree(&self, node: NodeIx) -> usize {
        self.links.walk(node.index(), OUT).count() + self.links.walk(node.index(), IN).count()
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

    pub fn source_list(&self, set: SourceSet) -> SourceList<'_> {
        self.source_range(set).unwrap_or(SourceList::long(&[]))
    }

    /// The sources of `set`; `None` if it points outside the tables (a
    /// snapshot is checked with this).
    pub(super) fn source_range(&self, set: SourceSet) -> Option<SourceList<'_>> {
        let lists: &[SourceId] = &self.source_lists;
        match set.decode() {
            SourceSetIs::Empty => Some(SourceList::long(&[])),
            SourceSetIs::One(id) => {
                let i = id.0 as usize;
                self.source_seq.get(i..i + 1).map(SourceList::long)
            }
            SourceSetIs::Short(start, n) => {
                SourceList::short(self.short_lists.get(start..start + n)?)
            }
            SourceSetIs::Counted(start) => {
                let n = lists.get(start)?.0 as usize;
                lists
                    .get(start + 1..(start + 1).checked_add(n)?)
                    .map(SourceList::long)
            }
        }
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
    /// Every dataset the graph knows, by [`DatasetId`].
    pub fn dataset_names(&self) -> &[Box<str>] {
        &self.dataset_names
    }

    /// The dataset named `name`.
    pub fn find_dataset(&self, name: &str) -> Option<DatasetId> {
        self.dataset_names
            .iter()
            .position(|n| &**n == name)
            .map(|i| DatasetId(i as u32))
    }

    pub fn dataset_name(&self, id: DatasetId) -> &str {
        self.dataset_names.get(id.0 as usize).map_or("", |n| n)
    }

    /// The dataset of rows stored with [`DatasetSet::DEFAULT`].
    pub fn default_dataset(&self) -> Option<DatasetId> {
        self.default_dataset
    }

    /// Several inputs were opened as this graph: a row in the default
    /// dataset is in it as much as in any other, and exports say so.
    pub fn several_inputs(&self) -> bool {
        self.several_inputs
    }

    /// The datasets of a set, in the order they were named.
    pub fn dataset_list(&self, set: DatasetSet) -> Vec<DatasetId> {
        self.dataset_slice(set)
            .iter()
            .map(|&d| DatasetId(d))
            .chain(
                (set == DatasetSet::DEFAULT)
                    .then_some(self.default_dataset)
                    .flatten(),
            )
            .collect()
    }

    /// The stored list of a set (empty for [`DatasetSet::DEFAULT`]).
    fn dataset_slice(&self, set: DatasetSet) -> &[u32] {
        if set == DatasetSet::DEFAULT {
            return &[];
        }
        let start = set.0 as usize;
        let n = self.dataset_lists.get(start).copied().unwrap_or(0) as usize;
        self.dataset_lists
            .get(start + 1..start + 1 + n)
            .unwrap_or(&[])
    }

    /// Whether a set holds a dataset that `wanted` (by [`DatasetId`]) marks.
    pub fn datasets_meet(&self, set: DatasetSet, wanted: &[bool]) -> bool {
        let on = |d: u32| wanted.get(d as usize).copied().unwrap_or(false);
        if set == DatasetSet::DEFAULT {
            return self.default_dataset.is_some_and(|d| on(d.0));
        }
        self.dataset_slice(set).iter().any(|&d| on(d))
    }

    /// The datasets the entity at `ix` was read from.
    pub fn entity_datasets(&self, ix: NodeIx) -> DatasetSet {
        let set = self.extra_datasets(self.entities[ix.index()].extra);
        self.in_run(set, ix.index(), |r| r.entities)
    }

    /// The datasets the relation `ix` was read from.
    pub fn relation_datasets(&self, ix: EdgeIx) -> DatasetSet {
        let set = self.extra_datasets(self.links.extra.get(ix.index()).unwrap_or(NONE));
        self.in_run(set, ix.index(), |r| r.relations)
    }

    /// `set`, or for a row of the default dataset the set of the run of
    /// rows (`rows` of each run) it lies in, if any.
    fn in_run(
        &self,
        set: DatasetSet,
        i: usize,
        rows: impl Fn(&DatasetRun) -> [u32; 2],
    ) -> DatasetSet {
        if set != DatasetSet::DEFAULT {
            return set;
        }
        let i = i as u64;
        self.dataset_runs
            .iter()
            .find(|r| {
                let [start, end] = rows(r);
                u64::from(start) <= i && i < u64::from(end)
            })
            .map_or(set, |r| DatasetSet(r.set))
    }

    /// How many entities each dataset holds, by [`DatasetId`] (an entity in
    /// two datasets counts in both).
    pub fn entities_per_dataset(&self) -> Vec<usize> {
        self.per_dataset(self.node_indices().map(|n| self.entity_datasets(n)))
    }

    /// How many relations each dataset holds, by [`DatasetId`].
    pub fn relations_per_dataset(&self) -> Vec<usize> {
        self.per_dataset(self.edge_indices().map(|e| self.relation_datasets(e)))
    }

    /// Rows counted per set first (rows share a handful of sets), then each
    /// set's count given to its datasets.
    fn per_dataset(&self, sets: impl Iterator<Item = DatasetSet>) -> Vec<usize> {
        let mut per_set: FastMap<DatasetSet, usize> = FastMap::default();
        for set in sets {
            *per_set.entry(set).or_default() += 1;
        }
        let mut out = vec![0; self.dataset_names.len()];
        for (set, n) in per_set {
            for d in self.dataset_list(set) {
                if let Some(c) = out.get_mut(d.0 as usize) {
                    *c += n;
                }
            }
        }
        out
    }

    /// The names of a set's datasets, joined by `, `.
    pub fn dataset_text(&self, set: DatasetSet) -> String {
        self.dataset_list(set)
            .into_iter()
            .map(|d| self.dataset_name(d))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn memory(&self) -> GraphMemory {
        let (nodes, edges) = self.links.bytes();
        GraphMemory {
            entities: self.entities.bytes()
                + self.entity_rare.bytes()
                + self.big_rows.bytes()
                + self.other_kinds.bytes()
                + nodes
                + self.ids.bytes(),
            relations: edges + self.extras.bytes(),
            text: self.arena.text.bytes() + self.attrs.bytes(),
            other: bytes(&self.amounts)
                + self.sources.capacity() * std::mem::size_of::<Source>()
                + self.source_lists.bytes()
                + self.short_lists.bytes()
                + bytes(&self.source_seq)
                + self.dataset_lists.bytes()
                + bytes(&self.dataset_runs)
                + self
                    .symbols
                    .strings
                    .iter()
                    .map(|s| s.len() + 16)
                    .sum::<usize>(),
        }
    }
}

/// How many of `words` hold each kind code, the escaped ones counted from
/// `others` (the codes kept outside the words), as `(code, count)`, each code
/// once, in no order.
fn code_counts(
    words: impl Iterator<Item = KindDate>,
    others: impl Iterator<Item = u32>,
) -> Vec<(u32, usize)> {
    let mut counts = vec![0usize; KindDate::ESCAPE as usize + 1];
    for w in words {
        counts[w.code() as usize] += 1;
    }
    counts[KindDate::ESCAPE as usize] = 0;
    let mut out: Vec<(u32, usize)> = (counts.iter().enumerate())
        .filter(|&(_, &n)| n > 0)
        .map(|(c, &n)| (c as u32, n))
        .collect();
    let mut escaped: Vec<u32> = others.collect();
    escaped.sort_unstable();
    for run in escaped.chunk_by(|a, b| a == b) {
        out.push((run[0], run.len()));
    }
    out
}
