//! The graph's two sections of a snapshot ([`crate::snapshot`]): the entities
//! with every table they point into, and the relations; read back with every
//! row checked, so that a damaged or crafted snapshot is refused rather than
//! read into a graph that could panic later.

use std::io::{self, Read, Write};

use bytemuck::{Pod, Zeroable};
use petgraph::graph::{DiGraph, NodeIndex};

use super::{
    Arena, AttrRow, EntityRow, Extra, Graph, IdIndex, NONE, RelationRow, Source, SourceId, Text,
};
use crate::codec::{In, Out, SnapshotError};
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
/// sources, symbols.
pub(crate) fn write_names<W: Write>(out: &mut Out<W>, g: &Graph) -> io::Result<()> {
    out.pod(&g.entities)?;
    out.str(&g.arena.text)?;
    out.pod(&g.lists)?;
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
    Ok(())
}

/// The relations: their ends and rows, in order.
pub(crate) fn write_relations<W: Write>(out: &mut Out<W>, g: &Graph) -> io::Result<()> {
    let ends: Vec<[u32; 2]> = g
        .graph
        .raw_edges()
        .iter()
        .map(|e| [e.source().index() as u32, e.target().index() as u32])
        .collect();
    out.pod(&ends)?;
    let rows: Vec<RelationRow> = g.graph.raw_edges().iter().map(|e| e.weight).collect();
    out.pod(&rows)
}

fn corrupt(what: &'static str) -> SnapshotError {
    SnapshotError::Corrupt(what)
}

/// The first section: every table but the relations, as a graph without
/// petgraph's structure or id index yet (see [`finish`]).
pub(crate) fn entities_section<R: Read>(r: &mut In<R>) -> Result<Graph, SnapshotError> {
    let entities: Vec<EntityRow> = r.pod()?;
    let arena = Arena { text: r.string()? };
    let lists: Vec<Text> = r.pod()?;
    let attrs: Vec<AttrRow> = r.pod()?;
    let extras: Vec<Extra> = r.pod()?;
    let amounts = r
        .pod::<AmountRow>()?
        .into_iter()
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
    let source_lists: Vec<SourceId> = r.pod()?;
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
    g.entities = entities;
    g.arena = arena;
    g.lists = lists;
    g.attrs = attrs;
    g.extras = extras;
    g.amounts = amounts;
    g.source_lists = source_lists;
    Ok(g)
}

/// Relation ends and rows.
pub(crate) type Relations = (Vec<[u32; 2]>, Vec<RelationRow>);

pub(crate) fn read_relations<R: Read>(
    r: &mut In<R>,
    nodes: usize,
) -> Result<Relations, SnapshotError> {
    let ends: Vec<[u32; 2]> = r.pod()?;
    let rows: Vec<RelationRow> = r.pod()?;
    if ends.len() != rows.len() {
        return Err(corrupt("relation tables of different lengths"));
    }
    if ends.iter().flatten().any(|&n| n as usize >= nodes) {
        return Err(corrupt("a relation to a missing entity"));
    }
    Ok((ends, rows))
}

/// Checks every row of `g` (and of `relations`), then gives the graph its
/// structure: petgraph's adjacency lists and the id index (with these
/// relations), or only its nodes and no id index (`None`: a name search).
pub(crate) fn finish(mut g: Graph, relations: Option<Relations>) -> Result<Graph, SnapshotError> {
    let check = Check { g: &g };
    check.tables()?;
    for e in &g.entities {
        check.entity(e)?;
    }
    if let Some((_, rows)) = &relations {
        for r in rows {
            check.relation(r)?;
        }
    }
    let nodes = g.entities.len();
    match relations {
        Some((ends, rows)) => {
            // The id index and petgraph's adjacency lists are rebuilt side by
            // side: both are a million random writes, to different tables.
            let (ids, graph) = std::thread::scope(|scope| {
                let ids = scope.spawn(|| id_index(&g.entities, &g.arena));
                let graph = edges(nodes, &ends, rows);
                (ids.join(), graph)
            });
            g.ids = ids.map_err(|_| corrupt("the id index could not be rebuilt"))??;
            g.graph = graph;
        }
        None => g.graph = edges(nodes, &[], Vec::new()),
    }
    Ok(g)
}

/// petgraph's graph of `nodes` nodes and these edges (checked to be in
/// range), in order.
fn edges(nodes: usize, ends: &[[u32; 2]], rows: Vec<RelationRow>) -> DiGraph<(), RelationRow, u32> {
    let mut graph = DiGraph::with_capacity(nodes, rows.len());
    for _ in 0..nodes {
        graph.add_node(());
    }
    for (&[a, b], row) in ends.iter().zip(rows) {
        graph.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), row);
    }
    graph
}

/// The id index of these entities (whose ids [`Check::entity`] found in the
/// text).
fn id_index(entities: &[EntityRow], arena: &Arena) -> Result<IdIndex, SnapshotError> {
    let mut ids = IdIndex::default();
    ids.reserve(entities.len(), entities, arena);
    for n in 0..entities.len() {
        ids.insert(n as u32, entities, arena)
            .map_err(|_| corrupt("an entity id twice"))?;
    }
    Ok(ids)
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

    fn text_or_none(&self, t: Text) -> bool {
        t.is_none() || self.text(t)
    }

    fn range(start: u32, n: u32, len: usize) -> bool {
        (start as usize)
            .checked_add(n as usize)
            .is_some_and(|end| end <= len)
    }

    fn sources(&self, set: u32) -> bool {
        if set == super::SourceSet::EMPTY.0 {
            return true;
        }
        let start = set as usize;
        let Some(n) = self.g.source_lists.get(start) else {
            return false;
        };
        self.g
            .source_lists
            .get(start + 1..start + 1 + n.0 as usize)
            .is_some_and(|ids| ids.iter().all(|s| (s.0 as usize) < self.g.sources.len()))
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
        let ok = self.g.lists.iter().all(|&t| self.text(t))
            && self
                .g
                .attrs
                .iter()
                .all(|a| (a.key as usize) < self.g.symbols.len() && self.text(a.value))
            && self.g.extras.iter().all(|x| {
                self.text_or_none(x.id)
                    && self.text_or_none(x.note)
                    && Self::range(x.attrs, x.n_attrs, self.g.attrs.len())
            });
        if ok {
            Ok(())
        } else {
            Err(corrupt("a side table points outside the snapshot"))
        }
    }

    fn entity(&self, e: &EntityRow) -> Result<(), SnapshotError> {
        let ok = self.text(e.id)
            && self.text(e.name)
            && self.kind(e.kind, |c, f| EntityKind::from_code(c, f))
            && Self::date(e.date)
            && Self::date(e.until)
            && Self::optional(e.amount, self.g.amounts.len())
            && self.sources(e.sources)
            && (e.n_aliases as u64 + e.n_weak as u64) <= u32::MAX as u64
            && Self::range(e.aliases, e.n_aliases + e.n_weak, self.g.lists.len())
            && Self::optional(e.extra, self.g.extras.len());
        if ok {
            Ok(())
        } else {
            Err(corrupt("an entity points outside the snapshot"))
        }
    }

    fn relation(&self, r: &RelationRow) -> Result<(), SnapshotError> {
        let ok = self.kind(r.kind, |c, f| RelationKind::from_code(c, f))
            && Self::optional(r.role, self.g.symbols.len())
            && Self::date(r.date)
            && Self::date(r.until)
            && Self::optional(r.amount, self.g.amounts.len())
            && self.sources(r.sources)
            && Self::optional(r.extra, self.g.extras.len())
            && r.flags & !super::RELATION_UNDIRECTED == 0;
        if ok {
            Ok(())
        } else {
            Err(corrupt("a relation points outside the snapshot"))
        }
    }
}

/// The entities of a graph read by [`entities_section`] (whose petgraph
/// structure, and so `node_count`, comes only with [`finish`]).
pub(crate) fn entity_count(g: &Graph) -> usize {
    g.entities.len()
}
