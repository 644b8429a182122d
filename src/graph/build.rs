//! Adding to a graph: sources, entities and relations, each checked to fit
//! the tables' 32-bit indices.

use super::*;

impl Graph {
    pub fn with_capacity(nodes: usize, edges: usize) -> Self {
        let mut g = Graph {
            links: Links::with_capacity(nodes, edges),
            entities: Vec::with_capacity(nodes).into(),
            ..Graph::default()
        };
        // An eighth to spare: `nodes` is often a reader's guess, and an id
        // index that grows near the end of a load is rehashed once more.
        g.ids.reserve(nodes + nodes / 8);
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
        self.source_seq.push(id);
        Some(id)
    }

    /// Stores a list of sources (order kept, duplicates removed). A list equal to
    /// the one stored just before is shared; a single source needs no list.
    pub fn source_set(&mut self, ids: &[SourceId]) -> SourceSet {
        // A short list once sharing has stopped paying (a RON file's lists
        // seldom repeat): the same set, without the round trip through the
        // pool.
        if ids.len() <= SMALL && !self.shared.pays(0, self.shared.sources.len()) {
            let mut few = [SourceId(0); SMALL];
            let mut n = 0;
            for id in ids {
                if !few[..n].contains(id) {
                    few[n] = *id;
                    n += 1;
                }
            }
            let list = &few[..n];
            if n == 0 {
                return SourceSet::EMPTY;
            }
            if n == 1
                && let Some(set) = SourceSet::one(list[0])
            {
                return set;
            }
            if let Some(last) = self.last_sources
                && self.last_list == list
            {
                return last;
            }
            return self.new_set_of(list);
        }
        self.source_set_pooled(ids)
    }

    /// Stores `list` (distinct ids, not one a set of one can hold), new to
    /// the graph: two or three ids below 2¹⁶ in the pool of short lists, 16
    /// bits each; any other counted, in the pool of counted lists.
    fn new_set_of(&mut self, list: &[SourceId]) -> SourceSet {
        let fits = list.iter().all(|s| s.0 <= u32::from(u16::MAX));
        let set = match SourceSet::short(self.short_lists.len(), list.len()) {
            Some(set) if fits => {
                let short = self.short_lists.vec();
                short.extend(list.iter().map(|s| s.0 as u16));
                set
            }
            _ => {
                let start = self.source_lists.len();
                // Past 2 billion entries the lists are no longer kept
                // apart: the loader reports the graph as too large before
                // that matters.
                let Some(set) = SourceSet::counted(start) else {
                    return SourceSet::EMPTY;
                };
                let lists = self.source_lists.vec();
                lists.push(SourceId(list.len() as u32));
                lists.extend_from_slice(list);
                set
            }
        };
        self.last_sources = Some(set);
        self.last_list.clear();
        self.last_list.extend_from_slice(list);
        set
    }

    /// [`Self::source_set`], the list put in the pool to be compared.
    pub(crate) fn source_set_pooled(&mut self, ids: &[SourceId]) -> SourceSet {
        let lists = self.source_lists.vec();
        let start = lists.len();
        for id in ids {
            if !lists[start..].contains(id) {
                lists.push(*id);
            }
        }
        let n = lists.len() - start;
        if n == 0 {
            return SourceSet::EMPTY;
        }
        if n == 1
            && let Some(set) = SourceSet::one(lists[start])
        {
            lists.truncate(start);
            return set;
        }
        if let Some(last) = self.last_sources
            && self.last_list == self.source_lists[start..]
        {
            self.source_lists.vec().truncate(start);
            return last;
        }
        // A list stored before (not just before): shared too, while that
        // pays.
        if !self.shared.pays(0, self.shared.sources.len()) {
            return self.new_source_set(start);
        }
        let (h, exact) = list_key(&self.source_lists[start..]);
        if let Some(v) = self.shared.sources.get(h) {
            let set = SourceSet(v as u32);
            // A short list's key is the list itself: a short set found
            // under it is that list (read in the pool only otherwise).
            let same = (exact && matches!(set.decode(), SourceSetIs::Short(..)))
                || *self.source_list(set) == self.source_lists[start..];
            if same {
                self.remember_last(set, start);
                self.source_lists.vec().truncate(start);
                self.shared.hits[0] += 1;
                return set;
            }
        }
        let set = self.new_source_set(start);
        if set != SourceSet::EMPTY && self.shared.sources.len() < Shared::MAX_KEPT {
            self.shared.sources.insert(h, u64::from(set.0));
        }
        set
    }

    /// [`Self::source_set`] of a list whose ids are distinct and whose key
    /// ([`source_list_key`]) its reader worked out already (an FtM parser
    /// thread, with the sources it found): the same set, and the same lists
    /// stored and shared, without the list's round trip through the pool nor
    /// its key made again on the builder's thread.
    pub(crate) fn source_set_keyed(&mut self, list: &[SourceId], key: u64) -> SourceSet {
        debug_assert!((1..list.len()).all(|i| !list[..i].contains(&list[i])));
        debug_assert_eq!(key, list_key(list).0);
        match list {
            [] => return SourceSet::EMPTY,
            [one] => {
                if let Some(set) = SourceSet::one(*one) {
                    return set;
                }
            }
            _ => {}
        }
        if let Some(last) = self.last_sources
            && self.last_list == list
        {
            return last;
        }
        if !self.shared.pays(0, self.shared.sources.len()) {
            return self.new_set_of(list);
        }
        if let Some(v) = self.shared.sources.get(key) {
            let set = SourceSet(v as u32);
            // (As in [`Self::source_set_pooled`]: a short list's key is the
            // list itself.)
            let exact = list_is_short(list);
            let same = (exact && matches!(set.decode(), SourceSetIs::Short(..)))
                || *self.source_list(set) == *list;
            if same {
                self.last_sources = Some(set);
                self.last_list.clear();
                self.last_list.extend_from_slice(list);
                self.shared.hits[0] += 1;
                return set;
            }
        }
        let set = self.new_set_of(list);
        if set != SourceSet::EMPTY && self.shared.sources.len() < Shared::MAX_KEPT {
            self.shared.sources.insert(key, u64::from(set.0));
        }
        set
    }

    /// Brings into the cache what [`Self::source_set_keyed`] of a list of
    /// `n` distinct ids whose key is `key` will look up.
    pub(crate) fn warm_source_key(&self, n: usize, key: u64) {
        if n > 1 && self.shared.pays(0, self.shared.sources.len()) {
            self.shared.sources.prefetch(key);
        }
    }

    /// Marks the list at `start` of the pool, stored as `set`, as the last.
    fn remember_last(&mut self, set: SourceSet, start: usize) {
        self.last_sources = Some(set);
        self.last_list.clear();
        self.last_list
            .extend_from_slice(&self.source_lists[start..]);
    }

    /// [`Self::source_set`] of a list new to the graph, at `start` of the
    /// pool of counted lists (to its end): taken out and stored as
    /// [`Self::new_set_of`] stores any.
    fn new_source_set(&mut self, start: usize) -> SourceSet {
        let list: smallvec::SmallVec<[SourceId; 8]> = self.source_lists[start..].into();
        self.source_lists.vec().truncate(start);
        self.new_set_of(&list)
    }

    /// Stores a list of attributes: where it starts in the graph's table of
    /// them, and its length. A list equal to one stored before (the same
    /// names, the same values where short values are shared: see
    /// [`Self::attr_value`]) is not stored again (among the first
    /// [`Shared::MAX_KEPT`] distinct lists).
    pub(super) fn push_attrs(&mut self, attrs: &[(Sym, &str)]) -> Result<(u32, u32), GraphFull> {
        let start = index_u32(self.attrs.len())?;
        let n = index_u32(attrs.len())?;
        if attrs.is_empty() {
            return Ok((start, 0));
        }
        // A list of one attribute with a short value stored before: found
        // by the name and the value themselves (a list of the same
        // attribute, its value the same text).
        let single = match attrs {
            [(key, value)] if value.len() <= AttrTexts::MAX_LEN => {
                slots::short_key(value).map(|v| (key.0, v))
            }
            _ => None,
        };
        let sharing = self.shared.pays(1, self.shared.attrs.len());
        if sharing
            && let Some((key, value)) = single
            && let Some((at, len)) = self.recent.single(key, value)
        {
            debug_assert!(at as usize + len as usize <= start as usize);
            debug_assert_eq!(
                self.attr_list_text(at, len),
                [(key, attrs[0].1.to_string())]
            );
            self.shared.hits[1] += 1;
            return Ok((at, len));
        }
        let (at, len) = self.push_attrs_listed(attrs, start, n)?;
        if let Some((key, value)) = single
            && self.shared.pays(1, self.shared.attrs.len())
        {
            self.recent.keep_single(key, value, (at, len));
        }
        Ok((at, len))
    }

    /// The names and values of the attributes `at..at + len` (for checks).
    fn attr_list_text(&self, at: u32, len: u32) -> Vec<(u32, String)> {
        (self
            .attrs
            .get(at as usize..(at + len) as usize)
            .unwrap_or(&[])
            .iter())
        .map(|r| {
            (
                r.key,
                String::from_utf8_lossy(self.arena.bytes(r.value)).into_owned(),
            )
        })
        .collect()
    }

    /// [`Self::push_attrs`] of a list not known as a list of one.
    fn push_attrs_listed(
        &mut self,
        attrs: &[(Sym, &str)],
        start: u32,
        n: u32,
    ) -> Result<(u32, u32), GraphFull> {
        for (key, value) in attrs {
            let value = self.attr_value(value)?;
            self.attrs.vec().push(AttrRow { key: key.0, value });
        }
        if !self.shared.pays(1, self.shared.attrs.len()) {
            return Ok((start, n));
        }
        let rows = &self.attrs[start as usize..];
        let h = xxhash_rust::xxh3::xxh3_64(bytemuck::cast_slice(rows));
        // (A list kept before [`Self::undo`] took its rows back may name
        // these very rows: only a list wholly before them is shared.)
        let end = |at: u32, len: u32| (at as usize).saturating_add(len as usize);
        if let Some((at, len)) = self.recent.list(h, rows)
            && end(at, len) <= start as usize
        {
            self.attrs.vec().truncate(start as usize);
            self.shared.hits[1] += 1;
            return Ok((at, len));
        }
        if let Some(v) = self.shared.attrs.get(h)
            && let (at, len) = ((v >> 32) as u32, v as u32)
            && end(at, len) <= start as usize
            && self.attrs.get(at as usize..end(at, len)) == Some(rows)
        {
            self.recent.keep_list(h, rows, at);
            self.attrs.vec().truncate(start as usize);
            self.shared.hits[1] += 1;
            return Ok((at, len));
        }
        self.recent.keep_list(h, rows, start);
        if self.shared.attrs.len() < Shared::MAX_KEPT {
            self.shared
                .attrs
                .insert(h, u64::from(start) << 32 | u64::from(n));
        }
        Ok((start, n))
    }

    /// An attribute's value in the arena: a short one already there as an
    /// attribute's value shared (a publisher's name repeated on millions
    /// of relations is stored once), any other added.
    fn attr_value(&mut self, value: &str) -> Result<Text, GraphFull> {
        if value.len() > AttrTexts::MAX_LEN {
            return self.arena.push(value);
        }
        let h = xxhash_rust::xxh3::xxh3_64(value.as_bytes());
        if let Some(t) = self.recent.value(h, value) {
            return Ok(t);
        }
        // (A value kept before [`Self::undo`] took the arena's end back may
        // lie past it: an empty one would read as equal there.)
        if let Some(v) = self.attr_texts.0.get(h)
            && let t = (Text {
                start: (v >> 32) as u32,
                len: v as u32,
            })
            && self.arena.holds(t)
            && self.arena.bytes(t) == value.as_bytes()
        {
            self.recent.keep_value(h, value, t);
            return Ok(t);
        }
        let t = self.arena.push(value)?;
        self.recent.keep_value(h, value, t);
        if self.attr_texts.0.len() < AttrTexts::MAX_KEPT {
            self.attr_texts
                .0
                .insert(h, u64::from(t.start) << 32 | u64::from(t.len));
        }
        Ok(t)
    }

    pub(super) fn push_amount(&mut self, amount: Option<Amount>) -> Result<u32, GraphFull> {
        let Some(a) = amount else {
            return Ok(NONE);
        };
        let i = index_u32(self.amounts.len())?;
        self.amounts.push(a);
        Ok(i)
    }

    /// Stores the rare parts (id, note, attributes), if there is any.
    /// (Inlined: most rows have none.)
    #[inline]
    pub(super) fn push_extra(
        &mut self,
        id: Option<&str>,
        note: Option<&str>,
        attrs: &[(Sym, &str)],
    ) -> Result<u32, GraphFull> {
        if id.is_none() && note.is_none() && attrs.is_empty() {
            return Ok(NONE);
        }
        self.push_extra_rows(id, note, attrs)
    }

    /// [`Self::push_extra`] of rare parts there are.
    fn push_extra_rows(
        &mut self,
        id: Option<&str>,
        note: Option<&str>,
        attrs: &[(Sym, &str)],
    ) -> Result<u32, GraphFull> {
        let id = self.arena.push_opt(id)?;
        let note = self.arena.push_opt(note)?;
        let (attrs, n_attrs) = self.push_attrs(attrs)?;
        let i = index_u32(self.extras.len())?;
        self.extras.vec().push(Extra {
            id,
            note,
            attrs,
            n_attrs,
            datasets: DatasetSet::DEFAULT.0,
        });
        Ok(i)
    }

    /// The datasets an extra at `extra` says ([`DatasetSet::DEFAULT`] for none).
    pub(super) fn extra_datasets(&self, extra: u32) -> DatasetSet {
        self.extras
            .get(extra as usize)
            .map_or(DatasetSet::DEFAULT, |x| DatasetSet(x.datasets))
    }

    /// Puts `set` in the extra at `*extra`, making one when the row has none
    /// (a row of the default dataset needs none).
    fn put_datasets(&mut self, extra: &mut u32, set: DatasetSet) {
        if *extra == NONE {
            if set == DatasetSet::DEFAULT {
                return;
            }
            let Ok(i) = index_u32(self.extras.len()) else {
                return;
            };
            self.extras.vec().push(Extra {
                id: Text::NONE,
                note: Text::NONE,
                attrs: 0,
                n_attrs: 0,
                datasets: set.0,
            });
            *extra = i;
        } else if let Some(x) = self.extras.vec().get_mut(*extra as usize) {
            x.datasets = set.0;
        }
    }

    pub(super) fn entity_row<S: AsRef<str>>(
        &mut self,
        e: &NewEntity<'_, S>,
    ) -> Result<EntityRow, GraphFull> {
        let id = self.arena.push(e.id)?;
        let name = self.arena.push(e.name)?;
        for a in e.aliases.iter().chain(e.weak_aliases) {
            self.arena.push_counted(a.as_ref())?;
        }
        let rare = EntityRare {
            until: PartialDate::option_bits(e.until),
            amount: self.push_amount(e.amount)?,
            n_weak: index_u32(e.weak_aliases.len())?,
        };
        let rare = if rare.until == 0 && rare.amount == NONE && rare.n_weak == 0 {
            NONE
        } else {
            let i = index_u32(self.entity_rare.len())?;
            self.entity_rare.vec().push(rare);
            i
        };
        debug_assert_eq!(name.start, id.start + id.len);
        index_u32(e.aliases.len())?;
        Ok(EntityRow {
            id,
            name_aliases: EntityRow::pack(name.len as usize, e.aliases.len()),
            kind_date: KindDate::new(e.kind.code(), e.date).0,
            sources: e.sources.0,
            extra: self.push_extra(None, e.note, e.attrs)?,
            rare,
        })
    }

    /// Adds an entity; [`AddError::Duplicate`] with the existing node if its id
    /// is taken.
    pub fn add_entity<S: AsRef<str>>(
        &mut self,
        entity: NewEntity<'_, S>,
    ) -> Result<NodeIx, AddError> {
        let n = index_u32(self.entities.len())?;
        let mark = self.mark();
        let row = match self.entity_row(&entity) {
            Ok(row) => row,
            Err(full) => {
                self.undo(mark);
                return Err(full.into());
            }
        };
        self.entities.vec().push(row);
        let Graph {
            ids,
            entities,
            arena,
            ..
        } = self;
        if let Err(existing) = ids.insert(n, entities, arena) {
            self.entities.vec().pop();
            self.undo(mark);
            return Err(AddError::Duplicate(NodeIx::new(existing as usize)));
        }
        self.put_big(n, &row, &entity);
        self.put_other_kind(n, &entity);
        let ix = self.links.add_node();
        debug_assert_eq!(ix, n as usize);
        Ok(NodeIx::new(ix))
    }

    /// How long the tables an entity row points into are.
    /// Keeps the name length and alias count of node `n` in `big_rows` when
    /// its row `row` cannot hold them, or forgets any it had there.
    fn put_big<S: AsRef<str>>(&mut self, n: u32, row: &EntityRow, e: &NewEntity<'_, S>) {
        let found = self.big_rows.binary_search_by_key(&n, |b| b[0]);
        let big = self.big_rows.vec();
        match (row.name_aliases == EntityRow::BIG, found) {
            (true, Ok(i)) => big[i] = [n, e.name.len() as u32, e.aliases.len() as u32],
            (true, Err(i)) => big.insert(i, [n, e.name.len() as u32, e.aliases.len() as u32]),
            (false, Ok(i)) => {
                big.remove(i);
            }
            (false, Err(_)) => {}
        }
    }

    /// Keeps the kind's code of node `n` in `other_kinds` when its row's
    /// [`KindDate`] cannot hold it, or forgets any it had there.
    fn put_other_kind<S: AsRef<str>>(&mut self, n: u32, e: &NewEntity<'_, S>) {
        let found = self.other_kinds.binary_search_by_key(&n, |k| k[0]);
        let kinds = self.other_kinds.vec();
        match (KindDate::new(e.kind.code(), None).1, found) {
            (Some(code), Ok(i)) => kinds[i] = [n, code],
            (Some(code), Err(i)) => kinds.insert(i, [n, code]),
            (None, Ok(i)) => {
                kinds.remove(i);
            }
            (None, Err(_)) => {}
        }
    }

    pub(super) fn mark(&self) -> [usize; 5] {
        [
            self.entity_rare.len(),
            self.arena.text.len(),
            self.attrs.len(),
            self.amounts.len(),
            self.extras.len(),
        ]
    }

    /// Takes back what was added to those tables since `mark`.
    pub(super) fn undo(&mut self, [rare, text, attrs, amounts, extras]: [usize; 5]) {
        self.entity_rare.vec().truncate(rare);
        self.arena.text.vec().truncate(text);
        self.attrs.vec().truncate(attrs);
        self.amounts.truncate(amounts);
        self.extras.vec().truncate(extras);
        // What it knew of the values and lists stored last may be gone.
        self.recent.clear();
    }

    /// Replaces what the entity at `ix` says (to merge the fragments of one FtM
    /// entity, say). Its id stays.
    pub fn replace_entity<S: AsRef<str>>(
        &mut self,
        ix: NodeIx,
        entity: NewEntity<'_, S>,
    ) -> Result<(), GraphFull> {
        let old = self.entities[ix.index()];
        // The id again, so that the new name follows it in the arena.
        let id = String::from_utf8_lossy(self.arena.bytes(old.id)).into_owned();
        let row = self.entity_row(&NewEntity { id: &id, ..entity })?;
        let datasets = self.extra_datasets(old.extra);
        self.entities.vec()[ix.index()] = row;
        self.put_big(ix.index() as u32, &row, &entity);
        self.put_other_kind(ix.index() as u32, &entity);
        self.set_entity_datasets(ix, datasets);
        Ok(())
    }

    pub fn add_relation(
        &mut self,
        from: NodeIx,
        to: NodeIx,
        relation: NewRelation<'_>,
    ) -> Result<EdgeIx, GraphFull> {
        let r = &relation;
        index_u32(self.links.edge_count())?;
        let extra = self.push_extra(r.id, r.note, &[])?;
        let attrs = match r.attrs {
            [] => None,
            attrs => Some(self.push_attrs(attrs)?),
        };
        let amount = self.push_amount(r.amount)?;
        let (kind_date, other_kind) = KindDate::new(r.kind.code(), r.date);
        let row = RelationRow {
            kind_date,
            sources: r.sources.0,
        };
        let rare = RareParts {
            other_kind,
            extra: (extra != NONE).then_some(extra),
            attrs: attrs.map(|(start, n)| [start, n]),
            role: r.role.map(|s| s.0),
            until: r.until.map(PartialDate::to_bits),
            amount: (amount != NONE).then_some(amount),
            flags: {
                let made = match r.made_id.filter(|_| r.id.is_none()) {
                    Some(false) => RELATION_MADE_ID,
                    Some(true) => RELATION_MADE_ID_REV,
                    None => 0,
                };
                let undirected = if r.undirected { RELATION_UNDIRECTED } else { 0 };
                Some(made | undirected).filter(|&f| f != 0)
            },
        };
        let e = self
            .links
            .add_edge(from.index() as u32, to.index() as u32, row, rare);
        Ok(EdgeIx::new(e))
    }

    /// The dataset named `name`, added if new.
    pub fn add_dataset(&mut self, name: &str) -> DatasetId {
        if let Some(i) = self.dataset_names.iter().position(|n| &**n == name) {
            return DatasetId(i as u32);
        }
        self.dataset_names.push(name.into());
        DatasetId(self.dataset_names.len() as u32 - 1)
    }

    /// Rows stored with [`DatasetSet::DEFAULT`] belong to `name` (the input a
    /// reader without datasets of its own read).
    pub fn set_default_dataset(&mut self, name: &str) {
        let id = self.add_dataset(name);
        self.default_dataset = Some(id);
    }

    /// Marks the graph as several inputs opened as one ([`Graph::several_inputs`]).
    pub fn set_several_inputs(&mut self, several: bool) {
        self.several_inputs = several;
    }

    /// Stores a set of datasets (sorted, duplicates removed); equal sets are
    /// stored once. The set of the default dataset alone is [`DatasetSet::DEFAULT`].
    pub fn dataset_set(&mut self, ids: &[DatasetId]) -> DatasetSet {
        let mut list: Vec<u32> = ids.iter().map(|d| d.0).collect();
        list.sort_unstable();
        list.dedup();
        if list.is_empty()
            || (list.len() == 1 && self.default_dataset.map(|d| d.0) == Some(list[0]))
        {
            return DatasetSet::DEFAULT;
        }
        if let Some(&set) = self.dataset_sets.get(list.as_slice()) {
            return set;
        }
        let lists = self.dataset_lists.vec();
        let start = lists.len() as u32;
        lists.push(list.len() as u32);
        lists.extend_from_slice(&list);
        let set = DatasetSet(start);
        self.dataset_sets.insert(list.into_boxed_slice(), set);
        set
    }

    /// The union of two sets.
    pub fn dataset_union(&mut self, a: DatasetSet, b: DatasetSet) -> DatasetSet {
        if a == b {
            return a;
        }
        let mut ids = self.dataset_list(a);
        ids.extend(self.dataset_list(b));
        self.dataset_set(&ids)
    }

    /// Says which datasets the entity at `ix` was read from.
    pub fn set_entity_datasets(&mut self, ix: NodeIx, set: DatasetSet) {
        let Some(mut extra) = self.entities.get(ix.index()).map(|r| r.extra) else {
            return;
        };
        self.put_datasets(&mut extra, set);
        self.entities.vec()[ix.index()].extra = extra;
    }

    /// Says that the entities `entities` and the relations `relations`, added
    /// together (one input), were read from `set`, without an extra per row:
    /// a row of them whose datasets are set on their own keeps those.
    pub fn set_datasets_of_rows(
        &mut self,
        entities: std::ops::Range<usize>,
        relations: std::ops::Range<usize>,
        set: DatasetSet,
    ) {
        let (Ok(e0), Ok(e1), Ok(r0), Ok(r1)) = (
            index_u32(entities.start),
            index_u32(entities.end),
            index_u32(relations.start),
            index_u32(relations.end),
        ) else {
            return;
        };
        if set != DatasetSet::DEFAULT && (e0 < e1 || r0 < r1) {
            self.dataset_runs.push(DatasetRun {
                entities: [e0, e1],
                relations: [r0, r1],
                set: set.0,
            });
        }
    }

    /// Says which datasets the relation `ix` was read from.
    pub fn set_relation_datasets(&mut self, ix: EdgeIx, set: DatasetSet) {
        let i = ix.index();
        if i >= self.links.edge_count() {
            return;
        }
        let had = self.links.extra.get(i).unwrap_or(NONE);
        let mut extra = had;
        self.put_datasets(&mut extra, set);
        if extra != had {
            self.links.extra.set(i, extra);
        }
    }

    /// Gives back memory reserved for growth that the graph did not use.
    pub fn shrink_to_fit(&mut self) {
        self.links.shrink_to_fit();
        self.entities.shrink_to_fit();
        self.entity_rare.shrink_to_fit();
        self.big_rows.shrink_to_fit();
        self.other_kinds.shrink_to_fit();
        self.arena.text.shrink_to_fit();
        self.attrs.shrink_to_fit();
        self.amounts.shrink_to_fit();
        self.extras.shrink_to_fit();
        self.source_lists.shrink_to_fit();
        self.short_lists.shrink_to_fit();
        self.dataset_lists.shrink_to_fit();
        self.ids.shrink_to_fit();
    }
}

/// Source lists up to this long are deduplicated on the stack
/// ([`Graph::source_set`]).
const SMALL: usize = 4;

/// Whether a source list's key is the list itself: two or three ids below
/// 2¹⁶ ([`list_key`]).
fn list_is_short(ids: &[SourceId]) -> bool {
    (2..=3).contains(&ids.len()) && ids.iter().all(|s| s.0 <= u32::from(u16::MAX))
}

/// The key [`Graph::source_set_keyed`] takes with a list of distinct
/// sources: worked out where the list is made (on an FtM parser thread).
pub(crate) fn source_list_key(ids: &[SourceId]) -> u64 {
    list_key(ids).0
}

/// The key of a source list among those stored ([`Shared::sources`]): for
/// two or three ids below 2¹⁶, the ids themselves, packed and mixed (a
/// bijection: `true`, the key says the list), for any other its hash.
fn list_key(ids: &[SourceId]) -> (u64, bool) {
    let short = list_is_short(ids);
    if !short {
        return (xxhash_rust::xxh3::xxh3_64(bytemuck::cast_slice(ids)), false);
    }
    let packed = (ids.iter()).fold(ids.len() as u64, |acc, s| acc << 16 | u64::from(s.0));
    // (murmur3's finaliser: each step undoable, so that two lists never
    // share a key; every bit of the list moves the slot.)
    let mut h = packed;
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h, true)
}

#[cfg(test)]
mod tests {
    use crate::graph::{Graph, KindDate, NewEntity, NewRelation, NodeIx, SourceId, SourceSet};
    use crate::model::{EntityKind, PartialDate, RelationKind, Sym};
    use proptest::prelude::*;

    fn a_date() -> impl Strategy<Value = Option<PartialDate>> {
        prop_oneof![
            Just(None),
            (1..=9999i32).prop_map(PartialDate::year),
            (1..=9999i32, 1..=12u32).prop_map(|(y, m)| PartialDate::month(y, m)),
            (1..=9999i32, 1..=12u32, 1..=31u32).prop_map(|(y, m, d)| PartialDate::day(y, m, d)),
        ]
    }

    /// `g` written to a snapshot and read back.
    fn through_snapshot(g: &Graph) -> Graph {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("g.ron");
        std::fs::write(&data, "()").unwrap();
        let key = crate::snapshot::Key::of_files(std::slice::from_ref(&data)).unwrap();
        let snap = crate::snapshot::write(dir.path(), key, g, None).unwrap();
        crate::snapshot::read(&snap, key).unwrap().0
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Once sharing source lists stops paying, a short list (repeats,
        /// ids above 2¹⁶ or too large for a set of one, the list just
        /// before again) is given the set, and leaves the pools, that the
        /// way through the pool gives and leaves.
        #[test]
        fn a_short_source_list_is_stored_as_through_the_pool(
            lists in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof![
                        4 => 0u32..6,
                        1 => 65_530u32..65_540,
                        1 => Just((1u32 << 30) - 1),
                    ],
                    0..6,
                ),
                1..120,
            ),
        ) {
            let (mut fast, mut pooled) = (Graph::default(), Graph::default());
            // Distinct lists, none met again: sharing stops paying.
            for i in 0..=crate::graph::Shared::TRIAL as u32 {
                let list = [SourceId(i), SourceId(i + 1), SourceId(i + 2)];
                prop_assert_eq!(fast.source_set(&list), pooled.source_set_pooled(&list));
            }
            prop_assert!(!fast.shared.pays(0, fast.shared.sources.len()));
            for list in &lists {
                let ids: Vec<SourceId> = list.iter().map(|&i| SourceId(i)).collect();
                prop_assert_eq!(fast.source_set(&ids), pooled.source_set_pooled(&ids));
                prop_assert_eq!(&fast.last_list, &pooled.last_list);
                prop_assert_eq!(fast.last_sources, pooled.last_sources);
            }
            prop_assert_eq!(&fast.source_lists[..], &pooled.source_lists[..]);
            prop_assert_eq!(&fast.short_lists[..], &pooled.short_lists[..]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// A list of distinct sources given with its key is given the set,
        /// and leaves the pools, the shared lists and the last list, that
        /// [`Graph::source_set`] of the list as cited (repeats and all)
        /// gives and leaves: while sharing pays, and after it stopped.
        #[test]
        fn a_keyed_source_list_is_stored_as_the_list_cited(
            lists in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof![
                        6 => 0u32..6,
                        1 => 65_530u32..65_540,
                        1 => Just((1u32 << 30) - 1),
                    ],
                    0..10,
                ),
                1..150,
            ),
            stop_paying in any::<bool>(),
        ) {
            let (mut keyed, mut cited) = (Graph::default(), Graph::default());
            if stop_paying {
                // Distinct lists, none met again: sharing stops paying.
                for i in 0..=crate::graph::Shared::TRIAL as u32 {
                    let list = [SourceId(i), SourceId(i + 1), SourceId(i + 2)];
                    let key = super::source_list_key(&list);
                    prop_assert_eq!(keyed.source_set_keyed(&list, key), cited.source_set(&list));
                }
                prop_assert!(!keyed.shared.pays(0, keyed.shared.sources.len()));
            }
            for list in &lists {
                let ids: Vec<SourceId> = list.iter().map(|&i| SourceId(i)).collect();
                let mut distinct: Vec<SourceId> = Vec::new();
                for id in &ids {
                    if !distinct.contains(id) {
                        distinct.push(*id);
                    }
                }
                let key = super::source_list_key(&distinct);
                keyed.warm_source_key(distinct.len(), key);
                let set = keyed.source_set_keyed(&distinct, key);
                prop_assert_eq!(set, cited.source_set(&ids));
                prop_assert_eq!(&keyed.last_list, &cited.last_list);
                prop_assert_eq!(keyed.last_sources, cited.last_sources);
                prop_assert_eq!(keyed.shared.hits, cited.shared.hits);
                prop_assert_eq!(keyed.shared.sources.len(), cited.shared.sources.len());
            }
            prop_assert_eq!(&keyed.source_lists[..], &cited.source_lists[..]);
            prop_assert_eq!(&keyed.short_lists[..], &cited.short_lists[..]);
        }
    }

    proptest! {
        /// The busiest entity counted as the relations are added is the one
        /// a pass over them finds (the most relations, the first such; a
        /// loop counts at both ends), and so is the one found for a graph
        /// read from a snapshot (counted again), or given relations after
        /// its counts were let go ([`Graph::shrink_to_fit`]).
        #[test]
        fn the_busiest_counted_while_building_is_the_busiest(
            nodes in 0usize..30,
            edges in proptest::collection::vec((0usize..30, 0usize..30), 0..120),
            later in proptest::collection::vec((0usize..30, 0usize..30), 0..20),
        ) {
            let mut g = Graph::default();
            for i in 0..nodes {
                let id = format!("n{i}");
                g.add_entity(NewEntity::<String>::new(&id, EntityKind::Person, "N", SourceSet::EMPTY))
                    .unwrap();
            }
            let add = |g: &mut Graph, (a, b): (usize, usize)| {
                if nodes > 0 {
                    let (a, b) = (NodeIx::new(a % nodes), NodeIx::new(b % nodes));
                    g.add_relation(a, b, NewRelation::new(RelationKind::Met, SourceSet::EMPTY))
                        .unwrap();
                }
            };
            for &e in &edges {
                add(&mut g, e);
                prop_assert_eq!(g.busiest(), g.busiest_counted());
            }
            prop_assert_eq!(g.busiest().is_some(), nodes > 0);
            prop_assert_eq!(through_snapshot(&g).busiest(), g.busiest_counted());
            g.shrink_to_fit();
            prop_assert_eq!(g.busiest(), g.busiest_counted());
            for &e in &later {
                add(&mut g, e);
                prop_assert_eq!(g.busiest(), g.busiest_counted());
            }
        }
    }

    proptest! {
        /// Any kind (known, or from the escape, with any symbol) and any
        /// date (of every precision, or none) read back from one word.
        #[test]
        fn kind_and_date_read_back_from_one_word(
            known in 0..RelationKind::<Sym>::KNOWN.len(),
            sym in any::<u32>(),
            other in any::<bool>(),
            date in a_date(),
        ) {
            let kind = if other {
                RelationKind::Other(Sym(sym & !(1 << 31)))
            } else {
                RelationKind::<Sym>::KNOWN[known]
            };
            let (word, kept) = KindDate::new(kind.code(), date);
            prop_assert_eq!(word.date(), date);
            prop_assert_eq!(word.date_bits(), PartialDate::option_bits(date));
            let code = kept.unwrap_or(word.code());
            prop_assert_eq!(kept.is_some(), other);
            prop_assert_eq!(RelationKind::from_code(code, |s| Some(Sym(s))), Some(kind));
        }
    }

    /// A graph with `n` sources, `s0`, `s1`, …
    fn with_sources(n: u32) -> Graph {
        let mut g = Graph::default();
        for i in 0..n {
            g.add_source(crate::graph::Source {
                id: format!("s{i}").into(),
                outlet: "".into(),
                title: "".into(),
                published: None,
                file: "".into(),
                url: None,
            })
            .unwrap();
        }
        g
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Source lists of every shape read back as given (order kept,
        /// repeats dropped), and again through a snapshot: none, one, two and
        /// three ids below 2¹⁶ (the 16-bit pool), two or three with one
        /// above (the counted pool), four and more, a list equal to the one
        /// before (shared).
        #[test]
        fn source_lists_of_every_shape_read_back_through_a_snapshot(
            lists in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof![0..6u32, 65_533..65_539u32, 0..70_000u32],
                    0..6,
                ),
                1..40,
            ),
            again in proptest::collection::vec(any::<bool>(), 40),
        ) {
            use crate::graph::{SourceId, SourceSetIs};
            let mut g = with_sources(70_000);
            let mut want: Vec<Vec<SourceId>> = Vec::new();
            for (i, list) in lists.iter().enumerate() {
                let ids: Vec<SourceId> = list.iter().map(|&s| SourceId(s)).collect();
                let mut distinct: Vec<SourceId> = Vec::new();
                for &id in &ids {
                    if !distinct.contains(&id) {
                        distinct.push(id);
                    }
                }
                let times = if again[i] { 2 } else { 1 };
                for _ in 0..times {
                    let set = g.source_set(&ids);
                    prop_assert_eq!(&*g.source_list(set), &distinct[..]);
                    let short = (2..=3).contains(&distinct.len())
                        && distinct.iter().all(|s| s.0 <= u32::from(u16::MAX));
                    prop_assert_eq!(matches!(set.decode(), SourceSetIs::Short(..)), short);
                    let id = format!("e{}", want.len());
                    g.add_entity(NewEntity::<String>::new(&id, EntityKind::Person, "E", set))
                        .unwrap();
                    want.push(distinct.clone());
                }
            }
            let back = through_snapshot(&g);
            for (n, w) in g.node_indices().zip(&want) {
                prop_assert_eq!(&*g.source_list(g.entity(n).sources), &w[..]);
                prop_assert_eq!(&*back.source_list(back.entity(n).sources), &w[..]);
                prop_assert_eq!(
                    back.source_list(back.entity(n).sources).into_iter().collect::<Vec<_>>(),
                    w.clone()
                );
            }
        }
    }

    /// Attributes as said: names and values.
    type AttrList = Vec<(Sym, String)>;

    /// An attribute list: names from a few, values short (shared in the
    /// arena) or long (stored each time), none empty or repeated.
    fn an_attr_list() -> impl Strategy<Value = Vec<(u8, String)>> {
        proptest::collection::vec(
            (
                0..3u8,
                prop_oneof![
                    4 => "[ab]{0,2}",
                    1 => "[xy]{41,44}",
                ],
            ),
            0..4,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Attribute lists on entities and relations, drawn from a few (so
        /// that most repeat, in and out of turn) or new, read back as
        /// given, and again through a snapshot: also when an entity refused
        /// as a duplicate took its rows back in between, and when an entity
        /// is replaced. A list met before whose values are all short takes
        /// no row of the table of attributes again, nor does a repeated
        /// source list a place in the pools.
        #[test]
        fn repeated_attribute_and_source_lists_are_shared_and_read_back(
            pool in proptest::collection::vec(an_attr_list(), 1..5),
            steps in proptest::collection::vec(
                (0..6usize, an_attr_list(), 0..4u8, proptest::collection::vec(0..5u32, 0..4)),
                1..40,
            ),
        ) {
            let mut g = with_sources(5);
            let names: Vec<Sym> = ["a", "b", "c"].iter().map(|n| g.intern(n)).collect();
            let hub = g
                .add_entity(NewEntity::<String>::new("hub", EntityKind::Person, "H", SourceSet::EMPTY))
                .unwrap();
            // (node or relation, attributes, sources) as said.
            let mut nodes: Vec<(String, AttrList, Vec<u32>)> =
                vec![("hub".into(), vec![], vec![])];
            let mut rels: Vec<(AttrList, Vec<u32>)> = Vec::new();
            let mut lists_seen: Vec<AttrList> = Vec::new();
            let mut sources_seen: Vec<Vec<u32>> = Vec::new();
            for (i, (pick, fresh, what, srcs)) in steps.iter().enumerate() {
                let list = pool.get(*pick).unwrap_or(fresh);
                let list: AttrList = list
                    .iter()
                    .map(|(k, v)| (names[*k as usize], v.clone()))
                    .collect();
                let attrs: Vec<(Sym, &str)> = list.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let mut distinct: Vec<u32> = Vec::new();
                for &s in srcs {
                    if !distinct.contains(&s) {
                        distinct.push(s);
                    }
                }
                let ids: Vec<crate::graph::SourceId> =
                    srcs.iter().map(|&s| crate::graph::SourceId(s)).collect();
                let pools = (g.short_lists.len(), g.source_lists.len());
                // (Brought into the cache first, as the FtM builder does;
                // every other list by its key, as the FtM builder takes the
                // lists its parsers found.)
                let listed: Vec<crate::graph::SourceId> =
                    distinct.iter().map(|&s| crate::graph::SourceId(s)).collect();
                let key = super::source_list_key(&listed);
                g.warm_source_key(listed.len(), key);
                let sources = if i % 2 == 0 {
                    g.source_set(&ids)
                } else {
                    g.source_set_keyed(&listed, key)
                };
                if sources_seen.contains(&distinct) && distinct.len() > 1 {
                    prop_assert_eq!((g.short_lists.len(), g.source_lists.len()), pools);
                }
                sources_seen.push(distinct.clone());
                prop_assert_eq!(
                    g.source_list(sources).iter().map(|s| s.0).collect::<Vec<_>>(),
                    distinct.clone()
                );
                let rows = g.attrs.len();
                let all_short = list.iter().all(|(_, v)| v.len() <= 40);
                let seen = lists_seen.contains(&list);
                match what {
                    0 => {
                        let id = format!("n{i}");
                        g.add_entity(NewEntity::<String> {
                            attrs: &attrs,
                            ..NewEntity::new(&id, EntityKind::Person, "N", sources)
                        })
                        .unwrap();
                        nodes.push((id, list.clone(), distinct));
                    }
                    1 => {
                        // A duplicate: refused, its rows taken back.
                        let refused = g.add_entity(NewEntity::<String> {
                            attrs: &attrs,
                            ..NewEntity::new("hub", EntityKind::Person, "N", sources)
                        });
                        prop_assert!(refused.is_err());
                        prop_assert_eq!(g.attrs.len(), rows);
                        continue;
                    }
                    2 => {
                        let r = NewRelation {
                            attrs: &attrs,
                            note: (i % 3 == 0).then_some("a note"),
                            ..NewRelation::new(RelationKind::Met, sources)
                        };
                        g.add_relation(hub, hub, r).unwrap();
                        rels.push((list.clone(), distinct));
                    }
                    _ => {
                        // The last entity said again with these.
                        let last = nodes.len() - 1;
                        let n = crate::graph::NodeIx::new(last);
                        let id = nodes[last].0.clone();
                        g.replace_entity(
                            n,
                            NewEntity::<String> {
                                attrs: &attrs,
                                ..NewEntity::new(&id, EntityKind::Person, "N", sources)
                            },
                        )
                        .unwrap();
                        nodes[last] = (id, list.clone(), distinct);
                    }
                }
                if seen && all_short {
                    prop_assert_eq!(g.attrs.len(), rows);
                }
                lists_seen.push(list);
            }
            let each = |g: &Graph| -> Result<(), TestCaseError> {
                let said = |a: crate::graph::Attrs<'_>| -> AttrList {
                    a.iter().map(|(k, v)| (k, v.to_string())).collect()
                };
                for (n, (id, attrs, srcs)) in g.node_indices().zip(&nodes) {
                    let e = g.entity(n);
                    prop_assert_eq!(e.id, id.as_str());
                    prop_assert_eq!(&said(e.attrs), attrs);
                    let got: Vec<u32> = g.source_list(e.sources).iter().map(|s| s.0).collect();
                    prop_assert_eq!(&got, srcs);
                }
                for (e, (attrs, srcs)) in g.edge_indices().zip(&rels) {
                    let r = g.relation(e);
                    prop_assert_eq!(&said(r.attrs), attrs);
                    let got: Vec<u32> = g.source_list(r.sources).iter().map(|s| s.0).collect();
                    prop_assert_eq!(&got, srcs);
                }
                Ok(())
            };
            each(&g)?;
            each(&through_snapshot(&g))?;
        }
    }

    /// Relations with and without an extra (an id, a note), some given
    /// datasets later in a scrambled order (those without an extra then
    /// get one among the rows before the last): ids, notes and datasets read
    /// back as said, and again through a snapshot.
    #[test]
    fn relation_extras_set_late_read_back_through_a_snapshot() {
        let mut g = Graph::default();
        let a = g
            .add_entity(NewEntity::<String>::new(
                "a",
                EntityKind::Person,
                "A",
                SourceSet::EMPTY,
            ))
            .unwrap();
        let ids: Vec<String> = (0..400).map(|i| format!("r{i}")).collect();
        for (i, id) in ids.iter().enumerate() {
            let r = NewRelation {
                id: (i % 3 == 0).then_some(id.as_str()),
                note: (i % 5 == 0).then_some("a note"),
                ..NewRelation::new(RelationKind::Met, SourceSet::EMPTY)
            };
            g.add_relation(a, a, r).unwrap();
        }
        let d1 = g.add_dataset("one");
        let d2 = g.add_dataset("two");
        let one = g.dataset_set(&[d1]);
        let both = g.dataset_set(&[d1, d2]);
        let mut want = vec![crate::graph::DatasetSet::DEFAULT; ids.len()];
        for k in 0..150usize {
            let e = (k * 211 + 7) % ids.len();
            let set = if k % 2 == 0 { one } else { both };
            g.set_relation_datasets(crate::graph::EdgeIx::new(e), set);
            want[e] = set;
        }
        let check = |g: &Graph| {
            for (e, id) in g.edge_indices().zip(&ids) {
                let i = e.index();
                let r = g.relation(e);
                assert_eq!(
                    r.id().as_deref(),
                    (i % 3 == 0).then_some(id.as_str()),
                    "{i}"
                );
                assert_eq!(r.note, (i % 5 == 0).then_some("a note"), "{i}");
                assert_eq!(g.relation_datasets(e), want[i], "{i}");
            }
        };
        check(&g);
        let back = through_snapshot(&g);
        check(&back);
    }

    /// Relations of known kinds and of kinds from the escape, dated or not,
    /// read back as added, and again through a snapshot.
    #[test]
    fn relation_kinds_and_dates_read_back_through_a_snapshot() {
        let mut g = Graph::default();
        let a = g
            .add_entity(NewEntity::<String>::new(
                "a",
                EntityKind::Person,
                "A",
                SourceSet::EMPTY,
            ))
            .unwrap();
        let b = g
            .add_entity(NewEntity::<String>::new(
                "b",
                EntityKind::Person,
                "B",
                SourceSet::EMPTY,
            ))
            .unwrap();
        let mut said = Vec::new();
        for i in 0..300u32 {
            let kind = match i % 5 {
                0 => RelationKind::Other(g.intern(&format!("kind {}", i % 7))),
                k => {
                    RelationKind::<Sym>::KNOWN
                        [(i as usize * 3 + k as usize) % RelationKind::<Sym>::KNOWN.len()]
                }
            };
            let date = match i % 4 {
                0 => None,
                1 => PartialDate::year(1 + (i as i32 * 37) % 9999),
                2 => PartialDate::month(2020, 1 + i % 12),
                _ => PartialDate::day(9999, 12, 31),
            };
            let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
            g.add_relation(
                from,
                to,
                NewRelation {
                    date,
                    ..NewRelation::new(kind, SourceSet::EMPTY)
                },
            )
            .unwrap();
            said.push((kind, date));
        }
        let check = |g: &Graph| {
            let kinds: Vec<_> = g.relation_kinds().collect();
            for (e, (kind, date)) in g.edge_indices().zip(&said) {
                let r = g.relation(e);
                assert_eq!((r.kind, r.date), (*kind, *date), "relation {}", e.index());
                assert_eq!(g.relation_kind_dates(e), (*kind, *date, None));
                assert_eq!(kinds[e.index()], *kind);
            }
            let mut want: std::collections::HashMap<RelationKind<Sym>, usize> = Default::default();
            for (kind, _) in &said {
                *want.entry(*kind).or_default() += 1;
            }
            let got: std::collections::HashMap<_, _> =
                g.relation_kind_counts().into_iter().collect();
            assert_eq!(got, want);
        };
        check(&g);
        let back = through_snapshot(&g);
        check(&back);
    }

    /// Entities of known and other kinds (some replaced by one of the other
    /// sort, as merging FtM fragments does), with dates of every precision:
    /// their kinds and dates read back as said, the kind counts are the
    /// rows' kinds counted, and all again through a snapshot.
    #[test]
    fn entity_kinds_and_dates_read_back_through_a_snapshot() {
        let mut g = Graph::default();
        let mut said = Vec::new();
        let kind_of = |g: &mut Graph, i: u32| match i % 3 {
            0 => EntityKind::Other(g.intern(&format!("kind {}", i % 7))),
            k => {
                EntityKind::<Sym>::KNOWN
                    [(i as usize * 5 + k as usize) % EntityKind::<Sym>::KNOWN.len()]
            }
        };
        for i in 0..300u32 {
            let kind = kind_of(&mut g, i);
            let date = match i % 4 {
                0 => None,
                1 => PartialDate::year(1 + (i as i32 * 37) % 9999),
                2 => PartialDate::month(2020, 1 + i % 12),
                _ => PartialDate::day(9999, 12, 31),
            };
            let id = format!("e{i}");
            g.add_entity(NewEntity::<String> {
                date,
                ..NewEntity::new(&id, kind, "E", SourceSet::EMPTY)
            })
            .unwrap();
            said.push((kind, date));
        }
        // Known to other, other to known, other to another other.
        for i in (0..300u32).step_by(4) {
            let n = crate::graph::NodeIx::new(i as usize);
            let kind = kind_of(&mut g, i + 1);
            g.replace_entity(
                n,
                NewEntity::<String> {
                    date: said[i as usize].1,
                    ..NewEntity::new("", kind, "E2", SourceSet::EMPTY)
                },
            )
            .unwrap();
            said[i as usize].0 = kind;
        }
        let check = |g: &Graph| {
            let kinds: Vec<_> = g.entity_kinds().collect();
            let mut want: std::collections::HashMap<EntityKind<Sym>, usize> = Default::default();
            for (n, (kind, date)) in g.node_indices().zip(&said) {
                let e = g.entity(n);
                assert_eq!((e.kind, e.date), (*kind, *date), "entity {}", n.index());
                assert_eq!(g.entity_kind_dates(n), (*kind, *date, None));
                assert_eq!(kinds[n.index()], *kind);
                *want.entry(*kind).or_default() += 1;
            }
            let got: std::collections::HashMap<_, _> = g.entity_kind_counts().into_iter().collect();
            assert_eq!(got, want);
            assert!(got.keys().any(|k| matches!(k, EntityKind::Other(_))));
        };
        check(&g);
        let back = through_snapshot(&g);
        check(&back);
    }

    /// One entity's name and aliases as added.
    type Said = (String, String, Vec<String>, Vec<String>);

    fn add(g: &mut Graph, (id, name, aliases, weak): &Said) {
        g.add_entity(NewEntity {
            aliases,
            weak_aliases: weak,
            ..NewEntity::new(id, EntityKind::Person, name, SourceSet::EMPTY)
        })
        .unwrap();
    }

    fn check(g: &Graph, said: &[Said]) {
        assert_eq!(g.node_count(), said.len());
        for (n, (id, name, aliases, weak)) in g.node_indices().zip(said) {
            let e = g.entity(n);
            assert_eq!(e.id, id);
            assert_eq!(e.name.len(), name.len());
            assert!(e.name == name, "name of {id}");
            assert!(g.entity_name(n) == name, "entity_name of {id}");
            assert_eq!(e.aliases.to_vec(), *aliases, "aliases of {id}");
            assert_eq!(e.weak_aliases.to_vec(), *weak, "weak aliases of {id}");
            assert_eq!(g.find(id), Some(n));
        }
    }

    /// Rows whose name or alias count is too large to pack in the row are
    /// kept in the table of large rows: added, replaced by a small row and
    /// back, and through a snapshot, every entity reads back as it was said,
    /// and a small row's name follows its id in the arena.
    #[test]
    fn names_and_alias_counts_too_large_for_a_row_read_back() {
        let long_name = "N".repeat((1 << 24) + 3);
        let many: Vec<String> = (0..300).map(|i| format!("alias {i}")).collect();
        let mut said: Vec<Said> = vec![
            (
                "a".into(),
                "Small".into(),
                vec!["A1".into()],
                vec!["w".into()],
            ),
            ("b".into(), long_name.clone(), vec![], vec![]),
            ("c".into(), "Many".into(), many.clone(), vec!["weak".into()]),
            ("d".into(), String::new(), vec![], vec![]),
            (
                "e".into(),
                "x".repeat((1 << 24) - 2),
                many[..254].to_vec(),
                vec![],
            ),
        ];
        let mut g = Graph::default();
        for s in &said {
            add(&mut g, s);
        }
        check(&g, &said);
        assert_eq!(g.big_rows.len(), 2);
        // Small again, then large again, in another order.
        let c = g.find("c").unwrap();
        g.replace_entity(
            c,
            NewEntity::<String>::new("c", EntityKind::Person, "Few", SourceSet::EMPTY),
        )
        .unwrap();
        said[2] = ("c".into(), "Few".into(), vec![], vec![]);
        let a = g.find("a").unwrap();
        g.replace_entity(
            a,
            NewEntity {
                aliases: &many,
                ..NewEntity::new("a", EntityKind::Person, "Large", SourceSet::EMPTY)
            },
        )
        .unwrap();
        said[0] = ("a".into(), "Large".into(), many.clone(), vec![]);
        check(&g, &said);
        let big: Vec<u32> = g.big_rows.iter().map(|b| b[0]).collect();
        assert_eq!(big, vec![0, 1]);
        for (n, r) in g.entities.iter().enumerate() {
            let (name, _) = g.name_aliases(n, r);
            assert_eq!(name.start, r.id.start + r.id.len);
        }

        let back = through_snapshot(&g);
        check(&back, &said);
        assert_eq!(back.find("zz"), None);
    }

    /// A string of `len` bytes for an alias: multi-byte characters when
    /// `wide`, and a length needing one, two or three bytes of LEB128.
    fn an_alias() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-zé Ж-]{0,12}",
            1 => (120usize..140, any::<bool>()).prop_map(|(n, wide)| {
                if wide { "ж".repeat(n / 2) } else { "a".repeat(n) }
            }),
            1 => Just("x".repeat(16_384)),
            1 => Just(String::new()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Aliases and weak aliases are kept after the name in the arena,
        /// each after its length: every list reads back as added (in order,
        /// by index, from the back), after replacing an entity, and through
        /// a snapshot; an entity that has none takes no byte for them.
        #[test]
        fn aliases_after_the_name_read_back(
            lists in proptest::collection::vec(
                (
                    "[A-Za-z]{0,6}",
                    proptest::collection::vec(an_alias(), 0..4),
                    proptest::collection::vec(an_alias(), 0..3),
                ),
                1..12,
            ),
            replace in any::<proptest::sample::Index>(),
        ) {
            let mut said: Vec<Said> = lists
                .into_iter()
                .enumerate()
                .map(|(i, (name, aliases, weak))| (format!("id{i}"), name, aliases, weak))
                .collect();
            let mut g = Graph::default();
            for s in &said {
                let before = g.arena.text.len();
                add(&mut g, s);
                if s.2.is_empty() && s.3.is_empty() {
                    prop_assert_eq!(g.arena.text.len(), before + s.0.len() + s.1.len());
                }
            }
            // The last entity's lists again, on another one.
            let r = replace.index(said.len());
            let last = said.last().unwrap().clone();
            let (id, name) = (said[r].0.clone(), format!("{} again", last.1));
            g.replace_entity(
                g.find(&id).unwrap(),
                NewEntity {
                    aliases: &last.2,
                    weak_aliases: &last.3,
                    ..NewEntity::new(&id, EntityKind::Person, &name, SourceSet::EMPTY)
                },
            )
            .unwrap();
            said[r] = (id, name, last.2, last.3);
            let each = |g: &Graph| -> Result<(), TestCaseError> {
                check(g, &said);
                for (n, (_, _, aliases, weak)) in g.node_indices().zip(&said) {
                    let e = g.entity(n);
                    for (texts, want) in [(e.aliases, aliases), (e.weak_aliases, weak)] {
                        prop_assert_eq!(texts.len(), want.len());
                        prop_assert_eq!(texts.is_empty(), want.is_empty());
                        prop_assert_eq!(texts.first(), want.first().map(String::as_str));
                        for (i, w) in want.iter().enumerate() {
                            prop_assert_eq!(texts.get(i), Some(w.as_str()));
                        }
                        prop_assert_eq!(texts.get(want.len()), None);
                        let back: Vec<&str> = texts.iter().rev().collect();
                        let want_back: Vec<&str> = want.iter().rev().map(String::as_str).collect();
                        prop_assert_eq!(back, want_back);
                        prop_assert_eq!(texts.iter().len(), want.len());
                    }
                }
                Ok(())
            };
            each(&g)?;
            each(&through_snapshot(&g))?;
        }
    }

    /// A snapshot whose alias lengths run past the arena, or do not end,
    /// is refused (its checksums being right), and an entity whose lengths
    /// are damaged in memory reads its aliases as empty strings, never
    /// panicking.
    #[test]
    fn alias_lengths_that_do_not_fit_are_refused() {
        let write = |g: &Graph| {
            let dir = tempfile::tempdir().unwrap();
            let data = dir.path().join("g.ron");
            std::fs::write(&data, "()").unwrap();
            let key = crate::snapshot::Key::of_files(std::slice::from_ref(&data)).unwrap();
            let snap = crate::snapshot::write(dir.path(), key, g, None).unwrap();
            crate::snapshot::read(&snap, key).map(|_| ())
        };
        let aliases = vec!["xy".to_string(), "z".to_string()];
        let weak = vec!["w".to_string()];
        let mut g = Graph::default();
        add(
            &mut g,
            &("a".into(), "N".into(), aliases.clone(), weak.clone()),
        );
        assert!(write(&g).is_ok());
        // Arena: "a", "N", 2 "xy", 1 "z", 1 "w".
        assert_eq!(&g.arena.text[..], b"aN\x02xy\x01z\x01w");
        for (at, byte) in [(2, 0x7f), (5, 3), (7, 2), (7, 0x80), (2, 0xff)] {
            let mut bad = g.clone();
            bad.arena.text.vec()[at] = byte;
            assert!(write(&bad).is_err(), "length {byte:#x} at {at}");
            let e = bad.entity(crate::graph::NodeIx::new(0));
            assert_eq!(e.aliases.len() + e.weak_aliases.len(), 3);
            assert!(
                e.aliases
                    .iter()
                    .chain(e.weak_aliases.iter())
                    .all(|a| a.len() <= 3)
            );
        }
        // A length of five bytes that ends is too long for LEB128 here too.
        let mut bad = g.clone();
        let text = bad.arena.text.vec();
        text.truncate(2);
        text.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
        assert!(write(&bad).is_err());
    }
}
