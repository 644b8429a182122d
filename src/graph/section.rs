//! The graph's two sections of a snapshot ([`crate::snapshot`]): the entities
//! with every table they point into and the id index, and the relations with
//! their adjacency lists. Read back in place ([`MapIn`]), then every row checked
//! ([`finish`]), so that a damaged or crafted snapshot is refused rather than
//! used as a graph that could panic later.

use std::io::{self, Write};

use bytemuck::{Pod, Zeroable};

use super::index::{IdIndex, IdSlot, Links};
use super::sparse::Sparse;
use super::{
    Arena, AttrRow, DatasetRun, EntityRare, EntityRow, Extra, Graph, KindDate, NONE, RelationRow,
    Source, SourceId, Text,
};
use crate::codec::{MapIn, Out, SnapshotError, Store};
use crate::model::{Amount, Currency, EntityKind, PartialDate, RelationKind, Sym};

/// An amount as stored: the value's bits, then currency (numeric code) and
/// approximation flag.
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct AmountRow {
    value: u64,
    currency: u32,
    approx: u32,
}

/// The entities and everything they point into: texts, lists, amounts,
/// sources, symbols; then the id index.
pub(crate) fn write_names<W: Write>(out: &mut Out<W>, g: &Graph) -> io::Result<()> {
    out.pod(&g.entities)?;
    out.pod(&g.entity_rare)?;
    out.pod(&g.arena.text)?;
    out.pod(&g.attrs)?;
    out.pod(&g.extras)?;
    let amounts: Vec<AmountRow> = g
        .amounts
        .iter()
        .map(|a| AmountRow {
            value: a.value.to_bits(),
            currency: u32::from(a.currency.numeric()),
            approx: u32::from(a.approx),
        })
        .collect();
    out.pod(&amounts)?;
    out.pod(&g.source_lists)?;
    out.pod(&g.short_lists)?;
    out.u64(g.sources.len() as u64)?;
    for s in &g.sources {
        out.str(&s.id)?;
        out.str(&s.outlet)?;
        out.str(&s.title)?;
        out.str(&s.file)?;
        out.u64(u64::from(PartialDate::option_bits(s.published)))?;
        match &s.url {
            Some(u) => {
                out.u64(1)?;
                out.str(u)?;
            }
            None => out.u64(0)?,
        }
    }
    out.u64(g.symbols.strings.len() as u64)?;
    for s in &g.symbols.strings {
        out.str(s)?;
    }
    out.pod(&g.dataset_lists)?;
    out.u64(g.dataset_names.len() as u64)?;
    for s in &g.dataset_names {
        out.str(s)?;
    }
    out.pod(&g.dataset_runs)?;
    out.pod(&g.big_rows)?;
    out.pod(&g.other_kinds)?;
    out.pod(g.ids.slots())
}

/// The relations: their adjacency lists and rows, in order.
pub(crate) fn write_relations<W: Write>(out: &mut Out<W>, g: &Graph) -> io::Result<()> {
    out.pod(&g.links.first)?;
    out.pod(&g.links.ends)?;
    out.pod(&g.links.next)?;
    out.pod(&g.links.rows)?;
    let l = &g.links;
    out.pod(&l.role.blocks)?;
    out.pod(&l.role.values)?;
    out.pod(&l.until.blocks)?;
    out.pod(&l.until.values)?;
    out.pod(&l.amount.blocks)?;
    out.pod(&l.amount.values)?;
    out.pod(&l.flags.blocks)?;
    out.pod(&l.flags.values)?;
    out.pod(&l.other_kind.blocks)?;
    out.pod(&l.other_kind.values)?;
    out.pod(&l.extra.blocks)?;
    out.pod(&l.extra.values)?;
    out.pod(&l.attrs.blocks)?;
    out.pod(&l.attrs.values)
}

fn corrupt(what: &'static str) -> SnapshotError {
    SnapshotError::Corrupt(what)
}

/// The first section: every table but the relations, in place, as a graph
/// without relations, and the id index's slots (see [`finish`]). Only sources
/// and symbols are copied.
pub(crate) fn entities_section(r: &mut MapIn) -> Result<(Graph, Store<IdSlot>), SnapshotError> {
    let entities: Store<EntityRow> = r.pod()?;
    let entity_rare: Store<EntityRare> = r.pod()?;
    let arena = Arena { text: r.pod()? };
    let attrs: Store<AttrRow> = r.pod()?;
    let extras: Store<Extra> = r.pod()?;
    let amounts = r
        .pod::<AmountRow>()?
        .iter()
        .map(|a| {
            let currency = u16::try_from(a.currency)
                .ok()
                .and_then(Currency::from_numeric)
                .ok_or(corrupt("an unknown currency"))?;
            Ok(Amount {
                value: f64::from_bits(a.value),
                currency,
                approx: a.approx != 0,
            })
        })
        .collect::<Result<Vec<Amount>, SnapshotError>>()?;
    let source_lists: Store<SourceId> = r.pod()?;
    let short_lists: Store<u16> = r.pod()?;
    let n_sources = r.u64()?;
    let mut g = Graph::default();
    for _ in 0..n_sources {
        let id = r.string()?;
        let outlet = r.string()?;
        let title = r.string()?;
        let file = r.string()?;
        let published = PartialDate::from_bits(r.u64()? as u32);
        let url = match r.u64()? {
            0 => None,
            _ => Some(r.string()?.into()),
        };
        let source = Source {
            id: id.into(),
            outlet: outlet.into(),
            title: title.into(),
            published,
            file: file.into(),
            url,
        };
        g.add_source(source).ok_or(corrupt("a source id twice"))?;
    }
    let n_symbols = r.u64()?;
    for i in 0..n_symbols {
        let s = r.string()?;
        if g.intern(&s).0 as u64 != i {
            return Err(corrupt("a symbol twice"));
        }
    }
    let dataset_lists: Store<u32> = r.pod()?;
    let n_datasets = r.u64()?;
    for i in 0..n_datasets {
        let s = r.string()?;
        if g.add_dataset(&s).0 as u64 != i {
            return Err(corrupt("a dataset twice"));
        }
    }
    let runs: Store<DatasetRun> = r.pod()?;
    let big_rows: Store<[u32; 3]> = r.pod()?;
    let other_kinds: Store<[u32; 2]> = r.pod()?;
    let ids = r.pod()?;
    g.dataset_runs = runs.to_vec();
    g.dataset_lists = dataset_lists;
    g.entities = entities;
    g.entity_rare = entity_rare;
    g.big_rows = big_rows;
    g.other_kinds = other_kinds;
    g.arena = arena;
    g.attrs = attrs;
    g.extras = extras;
    g.amounts = amounts;
    g.source_lists = source_lists;
    g.short_lists = short_lists;
    Ok((g, ids))
}

/// The second section, in place (checked by [`finish`]).
pub(crate) fn read_relations(r: &mut MapIn) -> Result<Links, SnapshotError> {
    Ok(Links {
        first: r.pod()?,
        ends: r.pod()?,
        next: r.pod()?,
        rows: r.pod()?,
        role: Sparse {
            blocks: r.pod()?,
            values: r.pod()?,
        },
        until: Sparse {
            blocks: r.pod()?,
            values: r.pod()?,
        },
        amount: Sparse {
            blocks: r.pod()?,
            values: r.pod()?,
        },
        flags: Sparse {
            blocks: r.pod()?,
            values: r.pod()?,
        },
        other_kind: Sparse {
            blocks: r.pod()?,
            values: r.pod()?,
        },
        extra: Sparse {
            blocks: r.pod()?,
            values: r.pod()?,
        },
        attrs: Sparse {
            blocks: r.pod()?,
            values: r.pod()?,
        },
        // Not saved: counted again when asked ([`Graph::busiest`]).
        degrees: Default::default(),
    })
}

/// Checks every row of `g`, of its id index and of `links` (on two threads),
/// then gives the graph its id index and relations (`None`: the entities alone,
/// for a name search).
pub(crate) fn finish(
    mut g: Graph,
    ids: Store<IdSlot>,
    links: Option<Links>,
) -> Result<Graph, SnapshotError> {
    let nodes = g.entities.len();
    let check = Check { g: &g };
    check.tables()?;
    let n_rows = links.as_ref().map_or(0, |l| l.rows.len());
    let within = |[start, end]: [u32; 2], len: usize| start <= end && end as usize <= len;
    let runs_ok = g.dataset_runs.iter().all(|r| {
        within(r.entities, nodes)
            && within(r.relations, n_rows)
            && r.set != super::DatasetSet::DEFAULT.0
            && check.datasets(r.set)
    });
    if !runs_ok {
        return Err(corrupt("a run of rows points outside the snapshot"));
    }
    // Entities, the id index and the later half of the relation rows on one
    // thread; the adjacency lists and the first half of the rows on this one.
    let rows: &[RelationRow] = links.as_ref().map_or(&[], |l| &l.rows);
    let (early, late) = rows.split_at(rows.len() / 2);
    let other_kind = links.as_ref().map(|l| &l.other_kind);
    let (ids, checked) = std::thread::scope(|scope| {
        let entities = scope.spawn(|| {
            check.big_rows(nodes)?;
            check.other_kinds(nodes)?;
            for (n, e) in check.g.entities.iter().enumerate() {
                check.entity(n, e)?;
            }
            check.relations(early.len(), late, other_kind)?;
            IdIndex::from_slots(ids, nodes).ok_or(corrupt("the id index does not fit the graph"))
        });
        let relations = match &links {
            Some(l) => check.links(l, early),
            None => Ok(()),
        };
        let ids = entities.join().unwrap_or(Err(corrupt("a check stopped")));
        (ids, relations)
    });
    g.ids = ids?;
    checked?;
    g.links = links.unwrap_or_else(|| Links {
        first: vec![[NONE; 2]; nodes].into(),
        ..Links::default()
    });
    Ok(g)
}

/// Checks that every number a snapshot's rows hold points inside the tables it
/// refers to, so that a snapshot whose checksums pass but whose contents are
/// wrong (a bug, a crafted file) is refused rather than read into a graph that
/// could panic later.
struct Check<'a> {
    g: &'a Graph,
}

impl Check<'_> {
    fn text(&self, t: Text) -> bool {
        let (start, len) = (t.start as usize, t.len as usize);
        self.g
            .arena
            .text
            .get(start..start.saturating_add(len))
            .is_some()
    }

    /// Whether the `n_aliases + n_weak` strings after the name `name` (in
    /// the arena, as [`super::Texts`] reads them) each fit in the arena.
    fn aliases(&self, name: Text, n_aliases: u32, n_weak: u32) -> bool {
        let [aliases, weak] = self
            .g
            .alias_texts(name, n_aliases as usize, n_weak as usize);
        aliases.rest().is_some() && weak.rest().is_some()
    }

    fn text_or_none(&self, t: Text) -> bool {
        t.is_none() || self.text(t)
    }

    fn range(start: u32, n: u32, len: usize) -> bool {
        (start as usize)
            .checked_add(n as usize)
            .is_some_and(|end| end <= len)
    }

    fn sources(&self, set: u32) -> bool {
        self.g
            .source_range(super::SourceSet(set))
            .is_some_and(|ids| ids.iter().all(|s| (s.0 as usize) < self.g.sources.len()))
    }

    fn datasets(&self, set: u32) -> bool {
        if set == super::DatasetSet::DEFAULT.0 {
            return true;
        }
        let start = set as usize;
        let Some(&n) = self.g.dataset_lists.get(start) else {
            return false;
        };
        self.g
            .dataset_lists
            .get(start + 1..(start + 1).saturating_add(n as usize))
            .is_some_and(|ids| {
                ids.iter()
                    .all(|&d| (d as usize) < self.g.dataset_names.len())
            })
    }

    fn date(bits: u32) -> bool {
        bits == 0 || PartialDate::from_bits(bits).is_some()
    }

    fn kind<K>(
        &self,
        code: u32,
        from: impl Fn(u32, &dyn Fn(u32) -> Option<Sym>) -> Option<K>,
    ) -> bool {
        from(code, &|s| {
            ((s as usize) < self.g.symbols.len()).then_some(Sym(s))
        })
        .is_some()
    }

    fn optional(i: u32, len: usize) -> bool {
        i == NONE || (i as usize) < len
    }

    /// The side tables: texts in the arena, attribute names among the symbols.
    fn tables(&self) -> Result<(), SnapshotError> {
        let ok = self
            .g
            .attrs
            .iter()
            .all(|a| (a.key as usize) < self.g.symbols.len() && self.text(a.value))
            && self.g.extras.iter().all(|x| {
                self.text_or_none(x.id)
                    && self.text_or_none(x.note)
                    && Self::range(x.attrs, x.n_attrs, self.g.attrs.len())
                    && self.datasets(x.datasets)
            });
        if ok {
            Ok(())
        } else {
            Err(corrupt("a side table points outside the snapshot"))
        }
    }

    /// The table of rows too large to pack: by node, each node once, and
    /// each row it names marked so.
    fn big_rows(&self, nodes: usize) -> Result<(), SnapshotError> {
        let big: &[[u32; 3]] = &self.g.big_rows;
        let ok = big.windows(2).all(|w| w[0][0] < w[1][0])
            && big.iter().all(|b| {
                self.g
                    .entities
                    .get(b[0] as usize)
                    .is_some_and(|e| e.name_aliases == EntityRow::BIG)
            })
            && big.last().is_none_or(|b| (b[0] as usize) < nodes);
        if ok {
            Ok(())
        } else {
            Err(corrupt("the table of large rows does not fit the graph"))
        }
    }

    /// The table of kinds too large for their rows: by node, each node once,
    /// each row it names marked so (and every row so marked is in it: see
    /// [`Self::entity`]).
    fn other_kinds(&self, nodes: usize) -> Result<(), SnapshotError> {
        let kinds: &[[u32; 2]] = &self.g.other_kinds;
        let ok = kinds.windows(2).all(|w| w[0][0] < w[1][0])
            && kinds.iter().all(|k| {
                self.g
                    .entities
                    .get(k[0] as usize)
                    .is_some_and(|e| e.kind_date.code() == KindDate::ESCAPE)
            })
            && kinds.last().is_none_or(|k| (k[0] as usize) < nodes);
        if ok {
            Ok(())
        } else {
            Err(corrupt("the table of other kinds does not fit the graph"))
        }
    }

    fn entity(&self, node: usize, e: &EntityRow) -> Result<(), SnapshotError> {
        let rare = match e.rare {
            NONE => Some(EntityRare::NONE),
            i => self.g.entity_rare.get(i as usize).copied(),
        };
        let big = e.name_aliases == EntityRow::BIG;
        let listed = self
            .g
            .big_rows
            .binary_search_by_key(&(node as u32), |b| b[0])
            .is_ok();
        let (name, n_aliases) = self.g.name_aliases(node, e);
        let ok = rare.is_some_and(|rare| {
            Self::date(rare.until)
                && Self::optional(rare.amount, self.g.amounts.len())
                && self.text(name)
                && self.aliases(name, n_aliases, rare.n_weak)
        }) && big == listed
            && self.text(e.id)
            && self.entity_kind(node, e)
            && Self::date(e.kind_date.date_bits())
            && self.sources(e.sources)
            && Self::optional(e.extra, self.g.extras.len());
        if ok {
            Ok(())
        } else {
            Err(corrupt("an entity points outside the snapshot"))
        }
    }

    /// Relation rows, and adjacency lists safe to walk.
    /// (`rows`: those of `links.rows` to check here.)
    fn links(&self, links: &Links, rows: &[RelationRow]) -> Result<(), SnapshotError> {
        if !links.well_formed(self.g.entities.len()) {
            return Err(corrupt("the relations' lists do not fit the graph"));
        }
        let rare = links
            .role
            .values()
            .iter()
            .all(|&s| (s as usize) < self.g.symbols.len())
            && links.until.values().iter().all(|&d| Self::date(d))
            && links
                .amount
                .values()
                .iter()
                .all(|&a| (a as usize) < self.g.amounts.len())
            && links.flags.values().iter().all(|&f| {
                let made = super::RELATION_MADE_ID | super::RELATION_MADE_ID_REV;
                f & !(super::RELATION_UNDIRECTED | made) == 0 && f & made != made
            })
            && links
                .extra
                .values()
                .iter()
                .all(|&x| (x as usize) < self.g.extras.len())
            && links
                .attrs
                .values()
                .iter()
                .all(|&[start, n]| Self::range(start, n, self.g.attrs.len()));
        if !rare {
            return Err(corrupt("a relation points outside the snapshot"));
        }
        self.relations(0, rows, Some(&links.other_kind))
    }

    /// Relation rows; a source list checked for the row before is not checked
    /// again (rows citing the same list often follow each other).
    /// (`first`: the number of the first of `rows`; `other_kind`: the
    /// relations' column of kinds their rows cannot hold.)
    fn relations(
        &self,
        first: usize,
        rows: &[RelationRow],
        other_kind: Option<&Sparse<u32>>,
    ) -> Result<(), SnapshotError> {
        let mut last = None;
        for (i, r) in rows.iter().enumerate() {
            let other = other_kind.and_then(|o| o.get(first + i));
            if last == Some(r.sources) {
                let r = RelationRow {
                    sources: super::SourceSet::EMPTY.0,
                    ..*r
                };
                self.relation(r, other)?;
            } else {
                self.relation(*r, other)?;
                last = Some(r.sources);
            }
        }
        Ok(())
    }

    /// An entity's kind: in its row, or in `other_kinds` when (and only
    /// when) its row says so, and a kind this graph knows.
    fn entity_kind(&self, node: usize, e: &EntityRow) -> bool {
        let code = match e.kind_date.code() {
            KindDate::ESCAPE => self
                .g
                .other_kind_code(node)
                .filter(|&c| c >= KindDate::ESCAPE),
            code => Some(code),
        };
        code.is_some_and(|c| self.kind(c, |c, f| EntityKind::from_code(c, f)))
    }

    /// A relation's row, and the kind kept outside it (`other`), which it
    /// has if and only if its row says so.
    fn relation(&self, r: RelationRow, other: Option<u32>) -> Result<(), SnapshotError> {
        let code = match (r.kind_date.code(), other) {
            (KindDate::ESCAPE, Some(code)) if code >= KindDate::ESCAPE => Some(code),
            (KindDate::ESCAPE, _) | (_, Some(_)) => None,
            (code, None) => Some(code),
        };
        let ok = code.is_some_and(|c| self.kind(c, |c, f| RelationKind::from_code(c, f)))
            && Self::date(r.kind_date.date_bits())
            && self.sources(r.sources);
        if ok {
            Ok(())
        } else {
            Err(corrupt("a relation points outside the snapshot"))
        }
    }
}

/// The entities of a graph read by [`entities_section`].
pub(crate) fn entity_count(g: &Graph) -> usize {
    g.entities.len()
}
