//! The graph's records as database property maps, and back.
//!
//! An entity is an `:Entity` node, a relation a `:REL` edge, a source a
//! `:Source` node (see the property lists in [`super::queries`]). What the
//! database sends back is gathered in a [`Builder`], which makes a local
//! [`Graph`] in the order of the graph that was pushed (`ord`), so views and
//! exports of it list things as they would from memory.

use std::collections::{BTreeMap, HashMap};

use falkordb::FalkorValue;

use crate::graph::{Graph, NewEntity, NewRelation, Source, SourceSet};
use crate::model::date::days_in_month;
use crate::model::{Amount, Currency, EntityKind, PartialDate, RelationKind};
use crate::search::fold;

use super::DbError;

pub(crate) type Props = HashMap<String, FalkorValue>;

fn s(v: &str) -> FalkorValue {
    FalkorValue::String(v.to_string())
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> Option<FalkorValue> {
    let v: Vec<FalkorValue> = items.into_iter().map(s).collect();
    (!v.is_empty()).then_some(FalkorValue::Array(v))
}

fn put(p: &mut Props, key: &str, value: Option<FalkorValue>) {
    if let Some(v) = value {
        p.insert(key.to_string(), v);
    }
}

/// `YYYYMMDD` of a day, the form date windows are compared in on the server.
fn day_number(date: PartialDate, last: bool) -> i64 {
    let text = date.to_string();
    let mut parts = text.split('-').map(|p| p.parse::<i64>().unwrap_or(0));
    let y = parts.next().unwrap_or(0);
    let m = parts.next();
    let d = parts.next();
    let (m, d) = match (m, d, last) {
        (Some(m), Some(d), _) => (m, d),
        (Some(m), None, false) => (m, 1),
        (Some(m), None, true) => (m, i64::from(days_in_month(y as i32, m as u32))),
        (None, _, false) => (1, 1),
        (None, _, true) => (12, 31),
    };
    y * 10_000 + m * 100 + d
}

/// The first and last day a dated thing covers, as [`crate::view::Filter`] reads
/// them: from its date to the later of its date and `until`.
fn span(date: Option<PartialDate>, until: Option<PartialDate>) -> Option<(i64, i64)> {
    match (date, until) {
        (Some(d), u) => {
            let end = day_number(d, true).max(u.map_or(0, |u| day_number(u, true)));
            Some((day_number(d, false), end))
        }
        (None, Some(u)) => Some((day_number(u, false), day_number(u, true))),
        (None, None) => None,
    }
}

/// `YYYYMMDD` bounds of a date window (0 and 99991231 for open ends).
pub(crate) fn window_days(w: &crate::model::DateWindow) -> (i64, i64) {
    (
        w.from.map_or(0, |d| day_number(d, false)),
        w.to.map_or(99_991_231, |d| day_number(d, true)),
    )
}

fn dated(p: &mut Props, date: Option<PartialDate>, until: Option<PartialDate>) {
    put(p, "date", date.map(|d| s(&d.to_string())));
    put(p, "until", until.map(|d| s(&d.to_string())));
    if let Some((lo, hi)) = span(date, until) {
        p.insert("lo".into(), FalkorValue::I64(lo));
        p.insert("hi".into(), FalkorValue::I64(hi));
    }
}

fn money(p: &mut Props, amount: Option<Amount>) {
    if let Some(a) = amount {
        p.insert("amount".into(), FalkorValue::F64(a.value));
        p.insert("currency".into(), s(a.currency.code()));
        p.insert("approx".into(), FalkorValue::Bool(a.approx));
    }
}

fn common(
    p: &mut Props,
    graph: &Graph,
    sources: SourceSet,
    note: Option<&str>,
    attrs: crate::graph::Attrs<'_>,
) {
    let ids = graph
        .source_list(sources)
        .into_iter()
        .map(|i| &*graph.source(i).id);
    put(p, "sources", list(ids));
    put(p, "note", note.map(s));
    put(p, "akeys", list(attrs.iter().map(|(k, _)| graph.sym(k))));
    put(p, "avals", list(attrs.iter().map(|(_, v)| v)));
}

/// The datasets a row was read from, by name (`--datasets` filters on them).
fn datasets(p: &mut Props, graph: &Graph, set: crate::graph::DatasetSet) {
    let names = graph.dataset_list(set);
    put(
        p,
        "datasets",
        list(names.iter().map(|d| graph.dataset_name(*d))),
    );
}

/// The datasets a fetched row names, in the local graph.
fn dataset_set(g: &mut Graph, p: &Props) -> crate::graph::DatasetSet {
    let ids: Vec<_> = get_list(p, "datasets")
        .iter()
        .map(|d| g.add_dataset(d))
        .collect();
    g.dataset_set(&ids)
}

/// The text the full-text index holds for an entity: its folded name and
/// aliases, separated by `; ` (the index splits words there; not at line breaks).
pub(crate) fn search_text(e: &crate::graph::Entity<'_>) -> String {
    let mut out = fold(e.name);
    for a in e.aliases.iter().chain(e.weak_aliases.iter()) {
        out.push_str("; ");
        out.push_str(&fold(a));
    }
    out
}

pub(crate) fn entity_props(graph: &Graph, ix: crate::graph::NodeIx) -> Props {
    let e = graph.entity(ix);
    let mut p = Props::new();
    p.insert("id".into(), s(e.id));
    p.insert("ord".into(), FalkorValue::I64(ix.index() as i64));
    p.insert("name".into(), s(e.name));
    p.insert("kind".into(), s(graph.entity_kind_label(e.kind)));
    if matches!(e.kind, EntityKind::Other(_)) {
        p.insert("other".into(), FalkorValue::Bool(true));
    }
    put(&mut p, "aliases", list(e.aliases.iter()));
    put(&mut p, "weak", list(e.weak_aliases.iter()));
    dated(&mut p, e.date, e.until);
    money(&mut p, e.amount);
    common(&mut p, graph, e.sources, e.note, e.attrs);
    datasets(&mut p, graph, graph.entity_datasets(ix));
    p.insert("search".into(), FalkorValue::String(search_text(&e)));
    p
}

/// A relation's ends (ids) and properties. `key` tells relations between the
/// same two entities apart: the relation's id, or `#` and its position.
pub(crate) fn relation_props(graph: &Graph, ix: crate::graph::EdgeIx) -> (String, String, Props) {
    let r = graph.relation(ix);
    let (a, b) = graph.ends(ix);
    let mut p = Props::new();
    let key = r
        .id()
        .map_or_else(|| format!("#{}", ix.index()), |id| format!("id:{id}"));
    p.insert("key".into(), FalkorValue::String(key));
    p.insert("ord".into(), FalkorValue::I64(ix.index() as i64));
    p.insert("kind".into(), s(graph.relation_kind_label(r.kind)));
    if matches!(r.kind, RelationKind::Other(_)) {
        p.insert("other".into(), FalkorValue::Bool(true));
    }
    if r.undirected {
        p.insert("undirected".into(), FalkorValue::Bool(true));
    }
    put(&mut p, "rid", r.id().map(|id| s(&id)));
    put(&mut p, "role", r.role.map(|sym| s(graph.sym(sym))));
    dated(&mut p, r.date, r.until);
    money(&mut p, r.amount);
    common(&mut p, graph, r.sources, r.note, r.attrs);
    datasets(&mut p, graph, graph.relation_datasets(ix));
    (
        graph.entity(a).id.to_string(),
        graph.entity(b).id.to_string(),
        p,
    )
}

pub(crate) fn source_props(ord: usize, src: &Source) -> Props {
    let mut p = Props::new();
    p.insert("id".into(), s(&src.id));
    p.insert("ord".into(), FalkorValue::I64(ord as i64));
    p.insert("outlet".into(), s(&src.outlet));
    p.insert("title".into(), s(&src.title));
    p.insert("file".into(), s(&src.file));
    put(
        &mut p,
        "published",
        src.published.map(|d| s(&d.to_string())),
    );
    put(&mut p, "url", src.url.as_deref().map(s));
    p
}

// ---- reading back ---------------------------------------------------------

fn bad(what: &str) -> DbError {
    DbError::Data(what.to_string())
}

fn get_str<'p>(p: &'p Props, key: &str) -> Option<&'p str> {
    match p.get(key) {
        Some(FalkorValue::String(v)) => Some(v),
        _ => None,
    }
}

fn need_str<'p>(p: &'p Props, key: &str, what: &str) -> Result<&'p str, DbError> {
    get_str(p, key).ok_or_else(|| bad(&format!("{what} has no `{key}` text")))
}

fn get_int(p: &Props, key: &str) -> Option<i64> {
    match p.get(key) {
        Some(FalkorValue::I64(v)) => Some(*v),
        _ => None,
    }
}

fn get_list(p: &Props, key: &str) -> Vec<String> {
    match p.get(key) {
        Some(FalkorValue::Array(v)) => v
            .iter()
            .filter_map(|x| match x {
                FalkorValue::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn get_date(p: &Props, key: &str, what: &str) -> Result<Option<PartialDate>, DbError> {
    get_str(p, key)
        .map(|t| {
            t.parse()
                .map_err(|e| bad(&format!("{what}: `{key}` is not a date ({e})")))
        })
        .transpose()
}

fn get_amount(p: &Props, what: &str) -> Result<Option<Amount>, DbError> {
    let value = match p.get("amount") {
        Some(FalkorValue::F64(v)) => *v,
        Some(FalkorValue::I64(v)) => *v as f64,
        _ => return Ok(None),
    };
    let code = need_str(p, "currency", what)?;
    let currency =
        Currency::from_code(code).ok_or_else(|| bad(&format!("{what}: currency `{code}`")))?;
    let approx = matches!(p.get("approx"), Some(FalkorValue::Bool(true)));
    Ok(Some(Amount {
        value,
        currency,
        approx,
    }))
}

/// Entities, relations and sources fetched from the database, made into a
/// local graph by [`Builder::build`].
#[derive(Default)]
pub(crate) struct Builder {
    /// By `ord`, then id (two pushed graphs may share positions).
    entities: BTreeMap<(i64, String), Props>,
    /// By `ord`, then the database's own edge id; with the ends' ids.
    relations: BTreeMap<(i64, i64), (String, String, Props)>,
    sources: BTreeMap<(i64, String), Props>,
}

impl Builder {
    pub(crate) fn add_entity(&mut self, p: Props) -> Result<(), DbError> {
        let id = need_str(&p, "id", "an entity")?.to_string();
        let ord = get_int(&p, "ord").unwrap_or(i64::MAX);
        self.entities.insert((ord, id), p);
        Ok(())
    }

    pub(crate) fn has_entity(&self, id: &str) -> bool {
        self.entities.keys().any(|(_, i)| i == id)
    }

    pub(crate) fn add_relation(&mut self, edge_id: i64, from: String, to: String, p: Props) {
        let ord = get_int(&p, "ord").unwrap_or(i64::MAX);
        self.relations.insert((ord, edge_id), (from, to, p));
    }

    pub(crate) fn add_source(&mut self, p: Props) -> Result<(), DbError> {
        let id = need_str(&p, "id", "a source")?.to_string();
        let ord = get_int(&p, "ord").unwrap_or(i64::MAX);
        self.sources.insert((ord, id), p);
        Ok(())
    }

    /// Source ids cited by what was gathered.
    pub(crate) fn cited_sources(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .entities
            .values()
            .chain(self.relations.values().map(|(_, _, p)| p))
            .flat_map(|p| get_list(p, "sources"))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    pub(crate) fn entity_count(&self) -> usize {
        self.entities.len()
    }

    /// The local graph. Relations whose ends were not fetched are left out.
    pub(crate) fn build(self) -> Result<Graph, DbError> {
        Ok(self.build_keyed()?.0)
    }

    /// The local graph and each relation's database `key` (by relation
    /// index), which tells relations fetched twice apart from new ones.
    pub(crate) fn build_keyed(self) -> Result<(Graph, Vec<Box<str>>), DbError> {
        let mut keys = Vec::with_capacity(self.relations.len());
        let mut g = Graph::with_capacity(self.entities.len(), self.relations.len());
        for p in self.sources.values() {
            let what = "a source";
            g.add_source(Source {
                id: need_str(p, "id", what)?.into(),
                outlet: get_str(p, "outlet").unwrap_or("").into(),
                title: get_str(p, "title").unwrap_or("").into(),
                published: get_date(p, "published", what)?,
                file: get_str(p, "file").unwrap_or("").into(),
                url: get_str(p, "url").map(Into::into),
            });
        }
        for p in self.entities.values() {
            let id = need_str(p, "id", "an entity")?;
            let what = format!("entity `{id}`");
            let label = need_str(p, "kind", &what)?;
            let other = matches!(p.get("other"), Some(FalkorValue::Bool(true)));
            let kind = match EntityKind::from_label(label) {
                Some(k) if !other => k,
                _ => EntityKind::Other(g.intern(label)),
            };
            let sources = source_set(&mut g, p);
            let attrs = attrs(&mut g, p);
            let attrs: Vec<(crate::model::Sym, &str)> =
                attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let entity = NewEntity {
                id,
                kind,
                name: need_str(p, "name", &what)?,
                aliases: &get_list(p, "aliases"),
                weak_aliases: &get_list(p, "weak"),
                date: get_date(p, "date", &what)?,
                until: get_date(p, "until", &what)?,
                note: get_str(p, "note"),
                amount: get_amount(p, &what)?,
                sources,
                attrs: &attrs,
            };
            let node = g
                .add_entity(entity)
                .map_err(|e| bad(&format!("{what} could not be added: {e}")))?;
            let set = dataset_set(&mut g, p);
            g.set_entity_datasets(node, set);
        }
        for (from, to, p) in self.relations.values() {
            let (Some(a), Some(b)) = (g.find(from), g.find(to)) else {
                continue;
            };
            let what = format!("the relation from `{from}` to `{to}`");
            let label = need_str(p, "kind", &what)?;
            let other = matches!(p.get("other"), Some(FalkorValue::Bool(true)));
            let kind = match RelationKind::from_label(label) {
                Some(k) if !other => k,
                _ => RelationKind::Other(g.intern(label)),
            };
            let role = get_str(p, "role").map(|r| g.intern(r));
            let sources = source_set(&mut g, p);
            let attrs = attrs(&mut g, p);
            let attrs: Vec<(crate::model::Sym, &str)> =
                attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let rel = NewRelation {
                id: get_str(p, "rid"),
                made_id: None,
                kind,
                role,
                date: get_date(p, "date", &what)?,
                until: get_date(p, "until", &what)?,
                amount: get_amount(p, &what)?,
                sources,
                note: get_str(p, "note"),
                attrs: &attrs,
                undirected: matches!(p.get("undirected"), Some(FalkorValue::Bool(true))),
            };
            let edge = g
                .add_relation(a, b, rel)
                .map_err(|e| bad(&format!("{what} could not be added: {e}")))?;
            let set = dataset_set(&mut g, p);
            g.set_relation_datasets(edge, set);
            keys.push(get_str(p, "key").unwrap_or_default().into());
        }
        Ok((g, keys))
    }
}

fn source_set(g: &mut Graph, p: &Props) -> SourceSet {
    let ids: Vec<_> = get_list(p, "sources")
        .iter()
        .filter_map(|id| g.find_source(id))
        .collect();
    g.source_set(&ids)
}

fn attrs(g: &mut Graph, p: &Props) -> Vec<(crate::model::Sym, String)> {
    get_list(p, "akeys")
        .iter()
        .zip(get_list(p, "avals"))
        .map(|(k, v)| (g.intern(k), v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(t: &str) -> PartialDate {
        t.parse().unwrap()
    }

    #[test]
    fn pushed_rows_carry_their_datasets_back() {
        use crate::graph::{NewEntity, NewRelation, SourceSet};
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
        let r = g
            .add_relation(a, b, NewRelation::new(RelationKind::Met, SourceSet::EMPTY))
            .unwrap();
        let (kek, dons) = (g.add_dataset("kek"), g.add_dataset("donations"));
        let both = g.dataset_set(&[kek, dons]);
        g.set_entity_datasets(a, both);
        let one = g.dataset_set(&[dons]);
        g.set_relation_datasets(r, one);
        let mut rows = Builder::default();
        for n in [a, b] {
            rows.add_entity(entity_props(&g, n)).unwrap();
        }
        let (from, to, p) = relation_props(&g, r);
        rows.add_relation(0, from, to, p);
        let back = rows.build().unwrap();
        let (a2, b2) = (back.find("a").unwrap(), back.find("b").unwrap());
        assert_eq!(
            back.dataset_text(back.entity_datasets(a2)),
            "kek, donations"
        );
        assert_eq!(back.dataset_text(back.entity_datasets(b2)), "");
        let r2 = back.edge_indices().next().unwrap();
        assert_eq!(back.dataset_text(back.relation_datasets(r2)), "donations");
    }

    #[test]
    fn spans_cover_whole_periods_like_the_view_filter() {
        assert_eq!(span(Some(d("2024")), None), Some((20240101, 20241231)));
        assert_eq!(span(Some(d("2024-02")), None), Some((20240201, 20240229)));
        assert_eq!(
            span(Some(d("2024-11-23")), Some(d("2025-02"))),
            Some((20241123, 20250228))
        );
        // An `until` before the date does not shorten the span.
        assert_eq!(
            span(Some(d("2025-03")), Some(d("2025-01"))),
            Some((20250301, 20250331))
        );
        assert_eq!(span(None, Some(d("2023"))), Some((20230101, 20231231)));
        assert_eq!(span(None, None), None);
        let w: crate::model::DateWindow = "2024-11..2025".parse().unwrap();
        assert_eq!(window_days(&w), (20241101, 20251231));
        assert_eq!(window_days(&crate::model::DateWindow::ALL), (0, 99_991_231));
    }
}
