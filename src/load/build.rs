//! Records become graph rows: each is checked (ids, dates, spans, amounts,
//! sources, lengths) and added, or a problem is recorded with its location.

use crate::graph::{AddError, Graph, NewEntity, NewRelation, NodeIx, Source, SourceId, SourceSet};
use crate::model::{
    Amount, AmountRecord, EntityKind, EntityRecord, PartialDate, RelationKind, RelationRecord,
    SourceRecord,
};

use super::locate::{FirstSeen, Locator, Owner};
use super::{Location, MAX_TEXT, Parsed, Problem, ProblemKind};

/// What an entity record says, as the builder reads it: borrowed from an
/// [`EntityRecord`] (lists of `String`s) or from the text a batch of records
/// was parsed from (lists of `&str`, see [`super::fast`]), so that a record
/// need not own its strings.
pub(super) struct EntityIn<'a, S> {
    pub id: &'a str,
    pub kind: EntityKind<&'a str>,
    pub name: &'a str,
    pub aliases: &'a [S],
    pub weak_aliases: &'a [S],
    pub date: Option<&'a str>,
    pub until: Option<&'a str>,
    pub note: Option<&'a str>,
    /// Value, currency, approximate.
    pub amount: RawAmount<'a>,
    pub sources: &'a [S],
    pub attrs: Vec<(&'a str, &'a str)>,
    pub datasets: &'a [S],
    /// Its dates and amount, when a parser thread read them already.
    pub checked: Option<Checked>,
}

/// The dates and amount of a record, read (all of them good) on a parser
/// thread so that the builder does not.
#[derive(Debug, Clone, Copy)]
pub(super) struct Checked {
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    amount: Option<Amount>,
}

impl Checked {
    /// `None` when any of them is bad: the builder then reads them again
    /// and says what is wrong.
    pub(super) fn of(
        date: Option<&str>,
        until: Option<&str>,
        amount: RawAmount<'_>,
    ) -> Option<Checked> {
        let read = |d: Option<&str>| d.map(str::parse::<PartialDate>).transpose().ok();
        Some(Checked {
            date: read(date)?,
            until: read(until)?,
            amount: (amount.map(|(v, c, a)| Amount::new(v, c, a)))
                .transpose()
                .ok()?,
        })
    }
}

/// An amount as written: value, currency, approximate.
pub(super) type RawAmount<'a> = Option<(f64, &'a str, bool)>;

/// A record's dates (its span checked) and amount, as read by a parser
/// thread (`checked`) or read here.
#[inline]
fn dates_and_amount(
    checked: Option<Checked>,
    (date, until, amount): (Option<&str>, Option<&str>, RawAmount<'_>),
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) -> (Option<PartialDate>, Option<PartialDate>, Option<Amount>) {
    let (date, until) = match checked {
        Some(c) => (c.date, c.until),
        None => (
            parse_date(date, "date", owner, loc, problems),
            parse_date(until, "until", owner, loc, problems),
        ),
    };
    check_span(date, until, owner, loc, problems);
    let amount = match checked {
        Some(c) => c.amount,
        None => parse_amount(amount, owner, loc, problems),
    };
    (date, until, amount)
}

impl<'a> EntityIn<'a, String> {
    pub(super) fn of(e: &'a EntityRecord) -> Self {
        EntityIn {
            id: &e.id,
            kind: e.kind.as_deref(),
            name: &e.name,
            aliases: &e.aliases,
            weak_aliases: &e.weak_aliases,
            date: e.date.as_deref(),
            until: e.until.as_deref(),
            note: e.note.as_deref(),
            amount: amount_of(&e.amount),
            sources: &e.sources,
            attrs: pairs_of(&e.attrs),
            datasets: &e.datasets,
            checked: None,
        }
    }
}

/// What a relation record says, as the builder reads it (see [`EntityIn`]).
pub(super) struct RelationIn<'a, S> {
    pub id: Option<&'a str>,
    pub from: &'a str,
    pub to: &'a str,
    pub kind: RelationKind<&'a str>,
    pub role: Option<&'a str>,
    pub date: Option<&'a str>,
    pub until: Option<&'a str>,
    pub amount: RawAmount<'a>,
    pub sources: &'a [S],
    pub note: Option<&'a str>,
    pub attrs: Vec<(&'a str, &'a str)>,
    pub undirected: bool,
    pub datasets: &'a [S],
    /// See [`EntityIn::checked`].
    pub checked: Option<Checked>,
}

impl<'a> RelationIn<'a, String> {
    pub(super) fn of(r: &'a RelationRecord) -> Self {
        RelationIn {
            id: r.id.as_deref(),
            from: &r.from,
            to: &r.to,
            kind: r.kind.as_deref(),
            role: r.role.as_deref(),
            date: r.date.as_deref(),
            until: r.until.as_deref(),
            amount: amount_of(&r.amount),
            sources: &r.sources,
            note: r.note.as_deref(),
            attrs: pairs_of(&r.attrs),
            undirected: r.undirected,
            datasets: &r.datasets,
            checked: None,
        }
    }
}

fn amount_of(a: &Option<AmountRecord>) -> RawAmount<'_> {
    a.as_ref().map(|a| (a.value, a.currency.as_str(), a.approx))
}

fn pairs_of(attrs: &[(String, String)]) -> Vec<(&str, &str)> {
    attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

pub(super) fn parse_date(
    raw: Option<&str>,
    field: &'static str,
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) -> Option<PartialDate> {
    let s = raw?;
    match s.parse::<PartialDate>() {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(Problem {
                location: loc.value(s),
                kind: ProblemKind::BadDate {
                    owner: owner.to_string(),
                    field,
                    message: e.to_string(),
                },
            });
            None
        }
    }
}

/// Whether `s` is empty or only whitespace (`s.trim().is_empty()`): most
/// ids and names start with a letter or digit, and are not trimmed.
#[inline]
pub(super) fn blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii() && !b.is_ascii_whitespace() => false,
        _ => s.trim().is_empty(),
    }
}

/// Records that `until` is before `date`, if it is. (Inlined: most records
/// have at most one of them; the problem is made apart.)
#[inline]
pub(super) fn check_span(
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) {
    if let (Some(d), Some(u)) = (date, until)
        && u.last_day() < d.first_day()
    {
        span_problem(d, u, owner, loc, problems);
    }
}

#[cold]
#[inline(never)]
fn span_problem(
    d: PartialDate,
    u: PartialDate,
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) {
    problems.push(Problem {
        location: loc.value(&u.to_string()),
        kind: ProblemKind::UntilBeforeDate {
            owner: owner.to_string(),
            date: d.to_string(),
            until: u.to_string(),
        },
    });
}

pub(super) fn parse_amount(
    raw: RawAmount<'_>,
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Amount> {
    let (value, currency, approx) = raw?;
    match Amount::new(value, currency, approx) {
        Ok(a) => Some(a),
        Err(e) => {
            problems.push(Problem {
                location: loc.value(currency),
                kind: ProblemKind::BadAmount {
                    owner: owner.to_string(),
                    message: e.to_string(),
                },
            });
            None
        }
    }
}

/// The sources `ids` name; `found[i]` is `ids[i]`'s source if another thread
/// already looked it up, or [`NOT_FOUND`] (then the graph is asked).
pub(super) fn sources_of<S: AsRef<str>>(
    graph: &mut Graph,
    ids: &[S],
    found: &[u32],
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) -> SourceSet {
    // Most records cite a source or two: those need no allocation.
    let mut few = [SourceId(0); 4];
    let mut many = Vec::new();
    let mut n = 0;
    for (i, id) in ids.iter().enumerate() {
        let id = id.as_ref();
        let known = found
            .get(i)
            .filter(|&&s| s != NOT_FOUND)
            .map(|&s| SourceId(s));
        match known.or_else(|| graph.find_source(id)) {
            Some(s) if n < few.len() => {
                few[n] = s;
                n += 1;
            }
            Some(s) => {
                if many.is_empty() {
                    many.extend_from_slice(&few);
                }
                many.push(s);
            }
            None => problems.push(Problem {
                location: loc.value(id),
                kind: ProblemKind::UnknownSource {
                    owner: owner.to_string(),
                    id: id.to_string(),
                },
            }),
        }
    }
    if many.is_empty() {
        graph.source_set(&few[..n])
    } else {
        graph.source_set(&many)
    }
}

/// In a list of ids looked up ahead: "not found there, ask the graph".
pub(super) const NOT_FOUND: u32 = u32::MAX;

pub(super) fn attrs_of<'a>(
    graph: &mut Graph,
    attrs: &[(&str, &'a str)],
) -> Vec<(crate::model::Sym, &'a str)> {
    // (Most records have none: no collecting then.)
    if attrs.is_empty() {
        return Vec::new();
    }
    attrs.iter().map(|&(k, v)| (graph.intern(k), v)).collect()
}

/// Builds the graph from parsed files, recording every problem.
pub(super) fn build(parsed: &[Parsed], problems: &mut Vec<Problem>) -> Graph {
    let nodes: usize = parsed.iter().map(|p| p.file.entities.len()).sum();
    let edges: usize = parsed.iter().map(|p| p.file.relations.len()).sum();
    let mut graph = Graph::with_capacity(nodes, edges);
    let first_seen = FirstSeen { parsed };

    // Sources first: entities and relations in any file may cite them.
    for p in parsed {
        let mut loc = Locator::new(&p.name, &p.text);
        for s in &p.file.sources {
            let here = loc.record("id:", &s.id);
            add_source(&mut graph, s, here, &loc, &first_seen, problems);
        }
    }
    // Entities next, so relations may point forward and across files.
    for p in parsed {
        let mut loc = Locator::new(&p.name, &p.text);
        for e in &p.file.entities {
            let here = loc.record("id:", &e.id);
            add_entity(
                &mut graph,
                &EntityIn::of(e),
                &[],
                here,
                &loc,
                &first_seen,
                problems,
            );
        }
    }
    let mut last_from = LastFrom::default();
    for p in parsed {
        let mut loc = Locator::new(&p.name, &p.text);
        for (i, r) in p.file.relations.iter().enumerate() {
            let here = loc.record("from:", &r.from);
            let ends = (last_from.find(&graph, &r.from), graph.find(&r.to));
            let r = RelationIn::of(r);
            add_relation(&mut graph, &r, i, ends, &[], here, &loc, problems);
        }
    }
    graph
}

pub(super) fn add_source(
    graph: &mut Graph,
    s: &SourceRecord,
    here: Location,
    loc: &Locator<'_>,
    first_seen: &FirstSeen<'_>,
    problems: &mut Vec<Problem>,
) {
    if blank(&s.id) {
        problems.push(Problem {
            location: here,
            kind: ProblemKind::EmptyId { what: "source" },
        });
        return;
    }
    let owner = Owner::Source(&s.id);
    let published = parse_date(s.published.as_deref(), "published", &owner, loc, problems);
    let source = Source {
        id: s.id.as_str().into(),
        outlet: s.outlet.as_str().into(),
        title: s.title.as_str().into(),
        published,
        file: s.file.as_str().into(),
        url: s.url.as_deref().map(Into::into),
    };
    if graph.add_source(source).is_none() {
        problems.push(Problem {
            location: here,
            kind: ProblemKind::DuplicateId {
                what: "source",
                id: s.id.clone(),
                first: first_seen.locate(|f| &f.sources, |r| &r.id, &s.id),
            },
        });
    }
}

/// Adds entity `e`; `sources` as in [`sources_of`].
pub(super) fn add_entity<S: AsRef<str>>(
    graph: &mut Graph,
    e: &EntityIn<'_, S>,
    sources: &[u32],
    here: Location,
    loc: &Locator<'_>,
    first_seen: &FirstSeen<'_>,
    problems: &mut Vec<Problem>,
) {
    if blank(e.id) {
        problems.push(Problem {
            location: here,
            kind: ProblemKind::EmptyId { what: "entity" },
        });
        return;
    }
    let owner = Owner::Entity(e.id);
    if blank(e.name) {
        problems.push(Problem {
            location: here.clone(),
            kind: ProblemKind::EmptyName {
                id: e.id.to_string(),
            },
        });
    }
    let texts = [("id", e.id), ("name", e.name)]
        .into_iter()
        .chain(e.aliases.iter().map(|a| ("an alias", a.as_ref())))
        .chain(e.note.map(|n| ("the note", n)));
    // A text of at most MAX_TEXT bytes has at most MAX_TEXT characters.
    for (field, text) in texts.filter(|(_, t)| t.len() > MAX_TEXT) {
        let len = text.chars().count();
        if len > MAX_TEXT {
            problems.push(Problem {
                location: here.clone(),
                kind: ProblemKind::TooLong {
                    owner: owner.to_string(),
                    field,
                    len,
                },
            });
        }
    }
    let raw = (e.date, e.until, e.amount);
    let (date, until, amount) = dates_and_amount(e.checked, raw, &owner, loc, problems);
    let sources = sources_of(graph, e.sources, sources, &owner, loc, problems);
    let kind = e.kind.map_other(|o| graph.intern(o));
    let attrs = attrs_of(graph, &e.attrs);
    let entity = NewEntity {
        id: e.id,
        kind,
        name: e.name,
        aliases: e.aliases,
        weak_aliases: e.weak_aliases,
        date,
        until,
        note: e.note,
        amount,
        sources,
        attrs: &attrs,
    };
    match graph.add_entity(entity) {
        Ok(n) => {
            if !e.datasets.is_empty() {
                let ids: Vec<_> = (e.datasets.iter())
                    .map(|d| graph.add_dataset(d.as_ref()))
                    .collect();
                let set = graph.dataset_set(&ids);
                graph.set_entity_datasets(n, set);
            }
        }
        Err(AddError::Duplicate(_)) => problems.push(Problem {
            location: here,
            kind: ProblemKind::DuplicateId {
                what: "entity",
                id: e.id.to_string(),
                first: first_seen.locate(|f| &f.entities, |r| &r.id, e.id),
            },
        }),
        Err(AddError::Full(full)) => problems.push(Problem {
            location: here,
            kind: full.into(),
        }),
    }
}

/// The `from` of the last relation added and its node: files list an entity's
/// relations together, and this spares most `from` lookups.
#[derive(Debug, Default)]
pub(crate) struct LastFrom(Option<(String, crate::graph::NodeIx)>);

impl LastFrom {
    pub(super) fn find(&mut self, graph: &Graph, id: &str) -> Option<crate::graph::NodeIx> {
        if let Some((last, node)) = &self.0
            && last == id
        {
            return Some(*node);
        }
        let node = graph.find(id)?;
        match &mut self.0 {
            Some((last, n)) => {
                last.clear();
                last.push_str(id);
                *n = node;
            }
            None => self.0 = Some((id.to_string(), node)),
        }
        Some(node)
    }
}

/// Adds relation `r`, whose ends `from` and `to` the caller looked up (the
/// fast loader looks up a whole batch's ends at once); `sources` as in
/// [`sources_of`].
#[allow(clippy::too_many_arguments)]
pub(super) fn add_relation<S: AsRef<str>>(
    graph: &mut Graph,
    r: &RelationIn<'_, S>,
    index: usize,
    (from, to): (Option<NodeIx>, Option<NodeIx>),
    sources: &[u32],
    here: Location,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) {
    let owner = Owner::Relation {
        index,
        from: r.from,
        to: r.to,
    };
    let mut ok = true;
    for (end, id, field) in [(from, r.from, "from"), (to, r.to, "to")] {
        if end.is_none() {
            ok = false;
            let _ = field;
            problems.push(Problem {
                location: loc.value(id),
                kind: ProblemKind::UnknownEntity {
                    relation: owner.label(),
                    id: id.to_string(),
                },
            });
        }
    }
    let raw = (r.date, r.until, r.amount);
    let (date, until, amount) = dates_and_amount(r.checked, raw, &owner, loc, problems);
    let sources = sources_of(graph, r.sources, sources, &owner, loc, problems);
    let (Some(from), Some(to)) = (from, to) else {
        return;
    };
    if !ok {
        return;
    }
    let kind = r.kind.map_other(|o| graph.intern(o));
    let role = r.role.map(|s| graph.intern(s));
    let attrs = attrs_of(graph, &r.attrs);
    let relation = NewRelation {
        id: r.id,
        made_id: None,
        kind,
        role,
        date,
        until,
        amount,
        sources,
        note: r.note,
        attrs: &attrs,
        undirected: r.undirected,
    };
    match graph.add_relation(from, to, relation) {
        Ok(ix) => {
            if !r.datasets.is_empty() {
                let ids: Vec<_> = (r.datasets.iter())
                    .map(|d| graph.add_dataset(d.as_ref()))
                    .collect();
                let set = graph.dataset_set(&ids);
                graph.set_relation_datasets(ix, set);
            }
        }
        Err(full) => problems.push(Problem {
            location: here,
            kind: full.into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// Blank is what trimming says: empty, ASCII or other whitespace
        /// only, text after whitespace or after a character not ASCII.
        #[test]
        fn blank_is_empty_once_trimmed(
            s in "[ \t\n\u{a0}\u{2003}\u{3000}a-zé1-]{0,6}",
        ) {
            prop_assert_eq!(super::blank(&s), s.trim().is_empty());
        }
    }
}
