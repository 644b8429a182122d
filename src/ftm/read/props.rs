//! One record's properties sorted into the fields of an entity or relation:
//! names, dates, money, sources and the attributes left over.

use std::borrow::Cow;
use std::sync::Arc;

use smallvec::SmallVec;

use crate::graph::{ShortIds, Source, SourceId};
use crate::model::date::parse_day;
use crate::model::{Amount, PartialDate};

use super::super::schema::{PropType, SchemaDef};
use super::issues::{Issue, Notes};
use super::{Loader, Mapped, Text};

/// A source a record cites, to be found or added when the record is built:
/// a publisher alone, or a URL with the outlet it names.
#[derive(Debug)]
pub(super) enum SourceReq {
    Publisher(String),
    /// A URL, its outlet the record's first publisher (`Mapped::outlet`),
    /// else the URL's host.
    Url(String),
}

impl SourceReq {
    /// The text it is known by, and whether that is a URL.
    fn key(&self) -> (&str, bool) {
        match self {
            SourceReq::Publisher(p) => (p, false),
            SourceReq::Url(url) => (url, true),
        }
    }
}

/// The sources the builder had added as of some batch (and the file's own),
/// shared with the parser threads: a record citing only sources among them
/// has them found on its parser's thread, off the builder's.
///
/// It also carries a copy of the graph's ids as of some batch (`nodes`,
/// [`ShortIds`], made by the builder once relationships come whose parties
/// it had to look up itself, and made again as the graph grows by half, as
/// `load::stream`'s `Lookup` is): the parser threads look a relationship's
/// parties up in it ([`super::find_parties`]), so that the builder takes
/// their nodes without hashing or probing. Ids are never taken out of the
/// graph nor renumbered while it is read, so a node found there is the one
/// the builder would find; an id not found there (added since, not read
/// yet, or too long for the copy) is looked up by the builder as before.
pub(super) struct KnownSources {
    keys: SourceKeys,
    file: SourceId,
    pub(super) nodes: Option<Arc<ShortIds>>,
}

impl Default for KnownSources {
    fn default() -> Self {
        KnownSources {
            keys: SourceKeys::default(),
            file: SourceId(0),
            nodes: None,
        }
    }
}

impl KnownSources {
    /// Known sources of these texts (`(text, whether it is a URL)`), the
    /// file's source 1.
    #[cfg(test)]
    pub(super) fn of_texts(texts: &[(&str, bool)]) -> KnownSources {
        let mut keys = SourceKeys::default();
        for (i, &(t, url)) in texts.iter().enumerate() {
            keys.insert(SourceKeys::hash(t, url), t, SourceId(i as u32 + 2));
        }
        KnownSources {
            keys,
            file: SourceId(1),
            nodes: None,
        }
    }

    /// Fills `m.found` with the sources `texts` name (URLs if `url`, else
    /// publishers), then the file's, when every one is known: whether they
    /// were (if not, `m` is left for the builder).
    pub(super) fn find_texts(&self, texts: &[impl AsRef<str>], url: bool, m: &mut Mapped) -> bool {
        let n = texts.len();
        if self.keys.len() == 0 || n >= m.found.len() {
            return false;
        }
        let mut found = [0; 8];
        for (slot, key) in found.iter_mut().zip(texts) {
            let key = key.as_ref();
            match self.keys.get(SourceKeys::hash(key, url), key) {
                Some(s) => *slot = s.0,
                None => return false,
            }
        }
        self.set_found(m, found, n);
        true
    }

    /// Whether it holds any source (else nothing is looked up in it).
    pub(super) fn has_keys(&self) -> bool {
        self.keys.len() > 0
    }

    /// Sets `m.found` to the first `n` of `ids` (every source the record
    /// cites, found), then the file's.
    /// (Each once, and the list's key worked out here, on the parser
    /// thread, for the builder's [`crate::graph::Graph::source_set_keyed`].)
    fn set_found(&self, m: &mut Mapped, ids: [u32; 8], n: usize) {
        let (ids, len, key) = self.found_list(ids, n);
        // (A `Mapped` takes them without its batch's text.)
        Cites::found(m, "", &ids, len, key);
    }

    /// The list of sources of a record that cites none (the file's
    /// alone), as [`Self::find_texts`] sets it: the list, its length and
    /// its key.
    pub(super) fn file_list(&self) -> ([u32; 8], usize, u64) {
        self.found_list([0; 8], 0)
    }

    /// The first `n` of `ids`, then the file's, each once: the list, its
    /// length and its key.
    fn found_list(&self, mut ids: [u32; 8], n: usize) -> ([u32; 8], usize, u64) {
        ids[n] = self.file.0;
        let len = super::distinct(&mut ids, n + 1);
        let key = crate::graph::source_list_key(bytemuck::cast_slice(&ids[..len]));
        (ids, len, key)
    }
}

/// A record whose cited sources [`Cited::find`] looks up (`text`: its
/// batch's).
pub(super) trait Cites {
    /// Every one found: `ids[..n]` (each once, then the file's), whose
    /// list's key is `key`: held in its compact fields where they can
    /// hold them, else in its mapped ones.
    fn found(&mut self, text: &str, ids: &[u32; 8], n: usize, key: u64) {
        if !self.compact_found(ids, n, key)
            && let Some(m) = self.mapped(text)
        {
            m.found(text, ids, n, key);
        }
    }
    /// Holds those in its compact fields; whether it has them and they
    /// can.
    fn compact_found(&mut self, _ids: &[u32; 8], _n: usize, _key: u64) -> bool {
        false
    }
    /// Not every one: its mapped fields, to leave them to the builder in.
    fn mapped(&mut self, text: &str) -> Option<&mut Mapped>;
}

impl Cites for Mapped {
    fn found(&mut self, _: &str, ids: &[u32; 8], n: usize, key: u64) {
        self.found = *ids;
        self.n_found = n as u8;
        self.found_key = key;
    }

    fn mapped(&mut self, _: &str) -> Option<&mut Mapped> {
        Some(self)
    }
}

/// Leaves the sources a record cites for the builder to find or add:
/// `texts`, URLs (their outlet `outlet`) if `url`, else publishers.
fn leave_for_builder(
    m: &mut Mapped,
    texts: impl Iterator<Item = String>,
    url: bool,
    outlet: Option<String>,
) {
    if url {
        m.outlet = outlet;
        m.source_reqs.extend(texts.map(SourceReq::Url));
    } else {
        m.source_reqs.extend(texts.map(SourceReq::Publisher));
    }
}

/// Where [`map_props`] finds the sources a record cites.
pub(super) enum Lookup<'k> {
    /// At once, in these (if any): [`KnownSources::find_texts`].
    Now(Option<&'k KnownSources>),
    /// In these, later, with the other records of its chunk
    /// ([`Cited::find`]), where every text it cites is a place in `text`
    /// (its batch's): they are noted in `cited`. (Else at once.)
    Later(&'k KnownSources, &'k str, &'k mut Cited),
}

/// The sources the records of a chunk cite, looked up together once the
/// chunk is read, each slot and then the text of the key it holds
/// prefetched some lookups ahead ([`SourceKeys::get_all`]), so that their
/// cache misses overlap. (Looked up one at a time as each record was
/// mapped, each lookup waited for its slot, then for its text: a tenth of
/// a 1M FtM load's samples.)
#[derive(Default)]
pub(super) struct Cited {
    /// The record being read: its place in its chunk.
    pub(super) record: u32,
    by: Vec<CitedBy>,
    /// The texts cited, places in the batch's text (`start..end`).
    texts: Vec<Place>,
}

/// Where a text is in a batch's text: `start..end`.
type Place = (u32, u32);

/// The text at `at` of `text`.
fn at(text: &str, (start, end): Place) -> &str {
    &text[start as usize..end as usize]
}

/// The sources one record cites: `texts` of [`Cited::texts`].
struct CitedBy {
    record: u32,
    url: bool,
    texts: (u32, u32),
    /// URLs' outlet: the record's first publisher.
    outlet: Option<Place>,
}

/// Where `s` is in `text`, if it is part of it (compared by address).
fn place_in(text: &str, s: &str) -> Option<Place> {
    let start = (s.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let end = start + s.len();
    (end <= text.len() && u32::try_from(end).is_ok()).then_some((start as u32, end as u32))
}

impl Cited {
    /// Notes that the current record cites `texts` (URLs if `url`, their
    /// outlet `outlet`), all places in `text`: whether they were (else
    /// nothing is noted).
    fn note(
        &mut self,
        text: &str,
        texts: &[impl AsRef<str>],
        url: bool,
        outlet: Option<&str>,
    ) -> bool {
        let start = self.texts.len();
        let outlet = match outlet.map(|o| place_in(text, o)) {
            Some(None) => return false,
            Some(at) => at,
            None => None,
        };
        for t in texts {
            match place_in(text, t.as_ref()) {
                Some(at) => self.texts.push(at),
                None => {
                    self.texts.truncate(start);
                    return false;
                }
            }
        }
        self.by.push(CitedBy {
            record: self.record,
            url,
            texts: (start as u32, self.texts.len() as u32),
            outlet,
        });
        true
    }

    /// [`Self::note`] of texts known by their places in the batch's text
    /// (as `note` would find them), the outlet's too.
    pub(super) fn note_places(
        &mut self,
        texts: impl Iterator<Item = Place>,
        url: bool,
        outlet: Option<Place>,
    ) {
        let start = self.texts.len();
        self.texts.extend(texts);
        self.by.push(CitedBy {
            record: self.record,
            url,
            texts: (start as u32, self.texts.len() as u32),
            outlet,
        });
    }

    /// What was noted, as text (`text`: the batch's).
    #[cfg(test)]
    pub(super) fn noted(&self, text: &str) -> Vec<String> {
        (self.by.iter())
            .map(|b| {
                let texts = &self.texts[b.texts.0 as usize..b.texts.1 as usize];
                let texts: Vec<&str> = texts.iter().map(|&t| at(text, t)).collect();
                let outlet = b.outlet.map(|o| at(text, o));
                format!("{} {} {texts:?} {outlet:?}", b.record, b.url)
            })
            .collect()
    }

    /// Forgets what was noted (a chunk given up half way).
    pub(super) fn clear(&mut self) {
        self.by.clear();
        self.texts.clear();
    }

    /// Finds the sources noted in `known`, the records `records` of the
    /// chunk, whose batch's text is `text`: a record's [`Mapped::found`]
    /// filled where every source it cites is there, else its
    /// [`Mapped::source_reqs`] (and outlet) for the builder, as
    /// [`map_props`] does at once. Then forgets them.
    pub(super) fn find<R>(
        &mut self,
        known: &KnownSources,
        text: &str,
        records: &mut [R],
        mapped: impl Fn(&mut R) -> Option<&mut dyn Cites>,
    ) {
        if self.by.is_empty() {
            return;
        }
        // Each text hashed as a URL or a publisher, as its record cites it.
        let mut keys: Vec<(u64, &[u8])> = Vec::with_capacity(self.texts.len());
        let bytes = text.as_bytes();
        for b in &self.by {
            for &(start, end) in &self.texts[b.texts.0 as usize..b.texts.1 as usize] {
                let key = &bytes[start as usize..end as usize];
                keys.push((SourceKeys::hash_bytes(key, b.url), key));
            }
        }
        let mut found = Vec::with_capacity(keys.len());
        known.keys.get_all(&keys, &mut found);
        for by in self.by.drain(..) {
            let Some(m) = records.get_mut(by.record as usize).and_then(&mapped) else {
                continue;
            };
            let (start, end) = (by.texts.0 as usize, by.texts.1 as usize);
            let answers = &found[start..end];
            if answers.iter().all(Option::is_some) {
                let mut ids = [0; 8];
                for (slot, s) in ids.iter_mut().zip(answers.iter().flatten()) {
                    *slot = s.0;
                }
                let (ids, len, key) = known.found_list(ids, end - start);
                m.found(text, &ids, len, key);
            } else if let Some(m) = m.mapped(text) {
                let texts = self.texts[start..end].iter();
                leave_for_builder(
                    m,
                    texts.map(|&t| at(text, t).to_string()),
                    by.url,
                    by.outlet.map(|o| at(text, o).to_string()),
                );
            }
        }
        self.texts.clear();
    }
}

/// An amount as FtM writes it (`1,000.50`).
pub(super) fn number(value: &str) -> Result<f64, std::num::ParseFloatError> {
    let value = value.trim();
    if value.contains(',') {
        value.replace(',', "").parse()
    } else {
        value.parse()
    }
}

/// Sorts a record's properties, each with its type in `def` (`None`: not
/// one of its properties), into the fields of an entity or relation, in
/// `m` (new: [`Mapped::default`]; the sources it cites as [`SourceReq`]s,
/// in `m.source_reqs`).
#[allow(clippy::too_many_arguments)]
pub(super) fn map_props<'a, S: Value, V: ExactSizeIterator<Item = S>>(
    notes: &mut Notes,
    owner: &super::issues::Owner<'_>,
    schema_name: &str,
    def: Option<&'static SchemaDef>,
    props: impl IntoIterator<Item = (Cow<'a, str>, Option<PropType>, V)>,
    dated: bool,
    known: Lookup<'_>,
    m: &mut Mapped,
) {
    {
        // A record has few values of each: kept without allocating.
        let (mut dates, mut starts, mut ends) = (Few::new(), Few::new(), Few::new());
        let (mut amounts, mut currencies) = (Few::new(), Few::new());
        let (mut urls, mut publishers) = (Few::new(), Few::new());
        // (Asked only of a record with an amount or a currency.)
        let has_value = || def.is_some_and(|d| d.prop("currency").is_some());
        for (prop, ptype, values) in props {
            if def.is_some() && ptype.is_none() {
                notes.unknown.push(format!("{schema_name}.{prop}"));
            }
            let prop = prop.as_ref();
            // Values stay borrowed until kept (a date or an amount that the
            // fields say exactly is not).
            let owned = |values: V| values.map(Into::into);
            // An attribute's name and values, or a role, held inline up to
            // 24 bytes (no allocation for most).
            let texts = |values: V| values.map(Into::<Text>::into);
            match prop {
                "name" => m.names.extend(owned(values)),
                "alias" => m.aliases.extend(owned(values).map(|v| (v, 'a'))),
                "previousName" => m.aliases.extend(owned(values).map(|v| (v, 'p'))),
                "weakAlias" => m.weak_aliases.extend(owned(values)),
                "sourceUrl" => urls.extend(values),
                "publisher" => publishers.extend(values),
                "summary" | "description" | "notes" if m.note.is_none() && values.len() > 0 => {
                    let mut it = owned(values);
                    m.note = it.next();
                    m.attrs.extend(it.map(|v| (prop.into(), v.into())));
                    m.note_prop = Some(prop.to_string());
                }
                "date" | "contractDate" if dated => dates.extend(values),
                "startDate" if dated => starts.extend(values),
                "endDate" if dated => ends.extend(values),
                "amount" if has_value() => amounts.extend(values),
                "currency" if has_value() => currencies.extend(values),
                "role" | "relationship" if def.is_some_and(|d| d.edge.is_some()) => {
                    let mut it = texts(values);
                    m.role = it.next();
                    m.attrs.extend(it.map(|v| (prop.into(), v)));
                }
                _ if ptype == Some(PropType::Entity) => {
                    m.refs.extend(owned(values).map(|v| (prop.to_string(), v)));
                }
                _ => m.attrs.extend(texts(values).map(|v| (prop.into(), v))),
            }
        }
        // Dates: a span from the earliest start (startDate, else date) to the
        // latest end. The values as written stay attributes too unless the span
        // says exactly what they say, so that nothing is lost and an export
        // writes the same properties back.
        // (The earliest and the latest of each list found as they are
        // parsed, none collected.)
        let from = extremes(&starts, PartialDate::first_day)
            .or_else(|| extremes(&dates, PartialDate::first_day));
        let to = extremes(&ends, PartialDate::last_day);
        m.date = from.map(|(first, _)| first);
        m.until = to.map(|(_, last)| last);
        let several = starts.len() > 1 || dates.len() > 1 || ends.len() > 1;
        if several {
            notes.note(
                Issue::SeveralDates,
                format!(
                    "{owner}: {} start and {} end dates",
                    starts.len() + dates.len(),
                    ends.len()
                ),
            );
        }
        // An end before a start: with several values, any end before the
        // latest start; the span only drops an end before its own start.
        let latest_start = from.map(|(_, last)| last);
        let earliest_end = to.map(|(first, _)| first);
        let mut backwards = false;
        if let (Some(d), Some(u)) = (latest_start, earliest_end)
            && u.last_day() < d.first_day()
        {
            notes.note(
                Issue::EndBeforeStart,
                format!("{owner}: end {u} is before start {d}"),
            );
            backwards = true;
        }
        if let (Some(d), Some(u)) = (m.date, m.until)
            && u.last_day() < d.first_day()
        {
            m.until = None;
        }
        let exact = !several && !backwards && dates.is_empty();
        if !exact {
            for (field, list) in [("startDate", starts), ("date", dates), ("endDate", ends)] {
                let field = if field == "date" && def.is_some_and(|d| d.prop("date").is_none()) {
                    "contractDate"
                } else {
                    field
                };
                m.attrs
                    .extend(list.into_iter().map(|v| (field.into(), v.into())));
            }
        }
        // Money: the first amount with the first currency, else amountEur,
        // else amountUsd; every other value stays an attribute.
        let mut amounts = amounts.into_iter();
        if let Some(value) = amounts.next() {
            let currency = currencies.first().map_or("", |c| c.as_ref());
            let parsed = number(value.as_ref());
            match parsed {
                Ok(v) if !currency.trim().is_empty() => match Amount::new(v, currency, false) {
                    Ok(a) => m.amount = Some(a),
                    Err(e) => {
                        notes.note(Issue::BadAmount, format!("{owner}: {e}"));
                        m.attrs.push(("amount".into(), value.into()));
                    }
                },
                // An amount without a currency is kept as written.
                Ok(_) => m.attrs.push(("amount".into(), value.into())),
                Err(_) => notes.note(
                    Issue::BadAmount,
                    format!("{owner}: amount `{}` is not a number", value.as_ref()),
                ),
            }
            m.attrs.extend(amounts.map(|v| ("amount".into(), v.into())));
            let extra = currencies.into_iter().skip(usize::from(m.amount.is_some()));
            m.attrs.extend(extra.map(|v| ("currency".into(), v.into())));
        } else {
            m.attrs.extend(
                currencies
                    .into_iter()
                    .map(|v| ("currency".into(), v.into())),
            );
        }
        if m.amount.is_none() {
            m.amount = [("amountEur", "EUR"), ("amountUsd", "USD")]
                .into_iter()
                .find_map(|(prop, currency)| {
                    let value = &m.attrs.iter().find(|(k, _)| k == prop)?.1;
                    Amount::new(number(value).ok()?, currency, false).ok()
                });
        }
        cite(m, urls, publishers, known);
    }
}

/// The sources a record cites, `urls` and `publishers`: one per URL (its
/// first publisher as outlet, the others attributes), else one per
/// publisher; found in `known` if every one is there (then nothing is kept
/// for the builder to find them), or noted to be looked up with its chunk's.
pub(super) fn cite<S: Value>(m: &mut Mapped, urls: Few<S>, publishers: Few<S>, known: Lookup<'_>) {
    let (texts, url, outlet) = if urls.is_empty() {
        (publishers, false, None)
    } else {
        let mut publishers = publishers.into_iter();
        let outlet = publishers.next();
        for p in publishers {
            m.attrs.push(("publisher".into(), p.into()));
        }
        (urls, true, outlet)
    };
    let known = match known {
        // (None cited: the file's alone, found at once.)
        Lookup::Later(k, text, cited)
            if !texts.is_empty() && texts.len() < m.found.len() && k.keys.len() > 0 =>
        {
            if cited.note(text, &texts, url, outlet.as_ref().map(AsRef::as_ref)) {
                return;
            }
            Some(k)
        }
        Lookup::Later(k, ..) => Some(k),
        Lookup::Now(k) => k,
    };
    if !known.is_some_and(|k| k.find_texts(&texts, url, m)) {
        leave_for_builder(
            m,
            texts.into_iter().map(Into::into),
            url,
            outlet.map(Into::into),
        );
    }
}

/// The dates of `list` that parse, the one of least `key` and the one of
/// greatest, as `min_by_key` and `max_by_key` pick them (of equal keys, the
/// first least and the last greatest); `None` if none parses.
fn extremes<K: Ord>(
    list: &[impl AsRef<str>],
    key: impl Fn(PartialDate) -> K,
) -> Option<(PartialDate, PartialDate)> {
    let dates = list.iter().filter_map(|v| parse_day(v.as_ref()).ok());
    dates.fold(None, |out, d| match out {
        None => Some((d, d)),
        Some((least, most)) => Some((
            if key(d) < key(least) { d } else { least },
            if key(d) >= key(most) { d } else { most },
        )),
    })
}

/// A short list of a record's values (most have one or two of each kind).
pub(super) type Few<S> = SmallVec<[S; 4]>;

/// A value as [`map_props`] takes it: a relationship's are places in its
/// batch's text (`&str`: nothing to drop, half the room), a thing's or the
/// careful reader's maybe its own.
pub(super) trait Value: AsRef<str> + Into<String> + Into<Text> {}

impl Value for &str {}

impl Value for Cow<'_, str> {}

impl Loader {
    /// The sources `reqs` cite, found or added in order, then the file.
    /// (A parser thread may have found them all already: [`Mapped::found`].)
    pub(super) fn sources<'m>(&mut self, m: &'m Mapped) -> Cow<'m, [SourceId]> {
        if let Some(found) = m.found.get(..m.n_found as usize).filter(|f| !f.is_empty()) {
            return Cow::Borrowed(bytemuck::cast_slice(found));
        }
        self.source_misses += 1;
        let mut out = Vec::with_capacity(m.source_reqs.len() + 1);
        for r in &m.source_reqs {
            let s = self.source(r, m.outlet.as_deref());
            out.push(s);
        }
        out.push(self.file_source);
        Cow::Owned(out)
    }

    /// The sources added so far, for the parser threads to find a record's
    /// sources in: a copy made anew only once a good many were added since
    /// the last, or once the builder found the sources of a good many
    /// records itself since then, some added since (a source added after
    /// the copy is found by the builder; without the second rule up to an
    /// eighth of them for the rest of the file).
    ///
    /// The graph's ids ([`KnownSources::nodes`]) are copied once the builder
    /// found a good many parties in the graph that the copy did not hold
    /// (none yet: the first batch of relationships after the things), and
    /// the graph has grown by half since the last copy (so that the copies
    /// of a stream that mixes things and relationships cost at most about
    /// three times one of the whole graph).
    pub(super) fn known_sources(&mut self) -> Arc<KnownSources> {
        let (now, then) = (self.source_ids.len(), self.known.keys.len());
        let missed = now > then && self.source_misses >= (now / 64).max(64);
        // (Tests reading a stream in pieces, `copy_after_misses` `None`:
        // a copy as soon as any was added, so that the parser threads find
        // sources in small inputs too.)
        let every = self.copy_after_misses.is_none() && now > then;
        let sources = now > then + (then / 8).max(256)
            || missed
            || every
            || self.known.file != self.file_source;
        let nodes = self.graph.node_count();
        let grown = self.nodes_copied.is_none_or(|had| nodes > had + had / 2);
        let ids = match self.copy_after_misses {
            Some(misses) => grown && nodes > 0 && self.node_misses >= misses,
            None => nodes > self.nodes_copied.unwrap_or(0),
        };
        if sources || ids {
            let nodes_copy = if ids {
                self.node_misses = 0;
                self.nodes_copied = Some(nodes);
                Some(Arc::new(self.graph.short_ids_packed()))
            } else {
                self.known.nodes.clone()
            };
            let keys = if sources {
                self.source_misses = 0;
                self.source_ids.clone()
            } else {
                self.known.keys.clone()
            };
            self.known = Arc::new(KnownSources {
                keys,
                file: self.file_source,
                nodes: nodes_copy,
            });
        }
        Arc::clone(&self.known)
    }

    fn source(&mut self, r: &SourceReq, outlet: Option<&str>) -> SourceId {
        let (key, is_url) = r.key();
        let hash = SourceKeys::hash(key, is_url);
        if let Some(s) = self.source_ids.get(hash, key) {
            return s;
        }
        let (mut id, outlet, title, url) = match r {
            SourceReq::Publisher(p) => (format!("publisher:{p}"), p.clone(), p.clone(), None),
            SourceReq::Url(url) => {
                let outlet = outlet.unwrap_or_else(|| host(url)).to_string();
                (url.clone(), outlet, url.clone(), Some(url.clone()))
            }
        };
        let file = self.summary.file.as_str();
        // A URL equal to a publisher's id cannot happen, but stay total.
        while self.graph.find_source(&id).is_some() {
            id.push('_');
        }
        let s = self
            .graph
            .add_source(Source {
                id: id.into(),
                outlet: outlet.into(),
                title: title.into(),
                published: None,
                file: file.into(),
                url: url.map(Into::into),
            })
            .expect("the id was checked to be free");
        self.source_ids.insert(hash, key, s);
        s
    }
}

/// The sources added so far by the text that names them (a publisher, or a
/// URL), the texts in one buffer: a record's lookups read one table and
/// that buffer, instead of a string allocated on its own each (a cache
/// miss per lookup, a tenth of the builder's time). The table is probed in
/// place (each slot says where its text is), so that a lookup reads one
/// slot and one text: two cache misses, where a map to a list of keys took
/// four (looked up for every record, on the parser threads and the builder).
#[derive(Clone, Default)]
pub(super) struct SourceKeys {
    text: String,
    /// A power of two of slots, at most three quarters full (linear probing).
    slots: Vec<KeySlot>,
    len: usize,
}

/// A key of [`SourceKeys`]: its hash, where its text is, its source.
#[derive(Clone, Copy)]
struct KeySlot {
    hash: u64,
    start: u32,
    end: u32,
    source: SourceId,
    used: bool,
}

impl KeySlot {
    const FREE: KeySlot = KeySlot {
        hash: 0,
        start: 0,
        end: 0,
        source: SourceId(0),
        used: false,
    };
}

impl SourceKeys {
    /// The hash of a publisher's name (`url` false) or a URL.
    pub(super) fn hash(key: &str, url: bool) -> u64 {
        Self::hash_bytes(key.as_bytes(), url)
    }

    /// [`Self::hash`] of a key's bytes.
    fn hash_bytes(key: &[u8], url: bool) -> u64 {
        xxhash_rust::xxh3::xxh3_64_with_seed(key, u64::from(url))
    }

    /// How many keys it holds.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The slot of `key` (of `hash`), or the free one where it would go.
    fn slot(&self, hash: u64, key: &[u8]) -> usize {
        self.slot_from(hash as usize & (self.slots.len() - 1), hash, key)
    }

    /// [`Self::slot`], probing from slot `i` on.
    fn slot_from(&self, mut i: usize, hash: u64, key: &[u8]) -> usize {
        let mask = self.slots.len() - 1;
        loop {
            let s = &self.slots[i];
            if !s.used || (s.hash == hash && self.key(s) == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// [`Self::get`] of each of `keys`, `(hash, key)`, the answers pushed on
    /// `out` in order, pipelined so that their cache misses overlap: the
    /// slot of the key `2 * AHEAD` on prefetched, the text of the key in
    /// the slot of the one `AHEAD` on (read by then) prefetched, and this
    /// key compared with the text (read by now). (Done a group of 32 keys
    /// at a time, each step over the group, the first slot and the first
    /// text of each group were waited for; at 1M these waits were most of
    /// a parser thread's lookups of sources: BENCHMARKS.md, round 26.)
    pub(super) fn get_all(&self, keys: &[(u64, &[u8])], out: &mut Vec<Option<SourceId>>) {
        const AHEAD: usize = 16;
        if self.slots.is_empty() {
            out.extend(keys.iter().map(|_| None));
            return;
        }
        let mask = self.slots.len() - 1;
        let home = |hash: u64| &self.slots[hash as usize & mask];
        // The first slot of a hash (or the free one ending its probe), the
        // first and last lines of its key's text fetched.
        let first = |hash: u64| {
            let mut j = hash as usize & mask;
            while self.slots[j].used && self.slots[j].hash != hash {
                j = (j + 1) & mask;
            }
            let s = &self.slots[j];
            let text = self.text.as_bytes();
            if s.used && s.end > s.start {
                crate::graph::prefetch(&text[s.start as usize]);
                crate::graph::prefetch(&text[s.end as usize - 1]);
            }
            j
        };
        // Those first slots, of keys `i..i + AHEAD` at `i % RING` on.
        const RING: usize = 2 * AHEAD;
        let mut at = [0usize; RING];
        keys.iter()
            .take(2 * AHEAD)
            .for_each(|&(hash, _)| crate::graph::prefetch(home(hash)));
        for (i, &(hash, _)) in keys.iter().enumerate().take(AHEAD) {
            at[i] = first(hash);
        }
        for (i, &(hash, key)) in keys.iter().enumerate() {
            if let Some(&(ahead, _)) = keys.get(i + 2 * AHEAD) {
                crate::graph::prefetch(home(ahead));
            }
            if let Some(&(ahead, _)) = keys.get(i + AHEAD) {
                at[(i + AHEAD) % RING] = first(ahead);
            }
            let j = at[i % RING];
            let s = &self.slots[j];
            let s = if !s.used || self.key(s) == key {
                s
            } else {
                // Another key of this hash: probed on, as `slot` does.
                &self.slots[self.slot_from((j + 1) & mask, hash, key)]
            };
            out.push(s.used.then_some(s.source));
        }
    }

    /// The text of the key in slot `s`.
    fn key(&self, s: &KeySlot) -> &[u8] {
        // Bytes: slicing them checks no char boundaries.
        &self.text.as_bytes()[s.start as usize..s.end as usize]
    }

    pub(super) fn get(&self, hash: u64, key: &str) -> Option<SourceId> {
        if self.slots.is_empty() {
            return None;
        }
        let s = &self.slots[self.slot(hash, key.as_bytes())];
        s.used.then_some(s.source)
    }

    /// Adds `key` (not there yet) of `hash`.
    pub(super) fn insert(&mut self, hash: u64, key: &str, s: SourceId) {
        if 4 * (self.len + 1) > 3 * self.slots.len() {
            let size = (2 * self.slots.len()).max(64);
            let old = std::mem::replace(&mut self.slots, vec![KeySlot::FREE; size]);
            let mask = size - 1;
            for k in old.into_iter().filter(|k| k.used) {
                let mut i = k.hash as usize & mask;
                while self.slots[i].used {
                    i = (i + 1) & mask;
                }
                self.slots[i] = k;
            }
        }
        let i = self.slot(hash, key.as_bytes());
        if self.slots[i].used {
            return;
        }
        let start = self.text.len() as u32;
        self.text.push_str(key);
        self.slots[i] = KeySlot {
            hash,
            start,
            end: self.text.len() as u32,
            source: s,
            used: true,
        };
        self.len += 1;
    }
}

/// The host of a URL, to name an outlet when no publisher is given.
pub(crate) fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{KnownSources, SourceKeys};
    use crate::graph::SourceId;

    proptest::proptest! {
        /// The earliest and latest dates of a list, found in one pass, are
        /// the ones `min_by_key` and `max_by_key` pick of the dates parsed
        /// (dates of one first or last day but of other precisions among
        /// them, and values that do not parse).
        #[test]
        fn extremes_are_those_min_and_max_by_key_pick(
            list in proptest::collection::vec(
                proptest::sample::select(vec![
                    "2020", "2020-01", "2020-01-01", "2020-12", "2020-12-31", "2019",
                    "2021-02-03", "bad", "", "2020-13", "2020-01-01T00:00",
                ]),
                0..7,
            )
        ) {
            let list: Vec<Cow<str>> = list.into_iter().map(Cow::Borrowed).collect();
            let parsed: Vec<_> = list.iter().filter_map(|v| crate::model::date::parse_day(v).ok()).collect();
            for key in [crate::model::PartialDate::first_day, crate::model::PartialDate::last_day] {
                let least = parsed.iter().copied().min_by_key(|&d| key(d));
                let most = parsed.iter().copied().max_by_key(|&d| key(d));
                let found = super::extremes(&list, key);
                proptest::prop_assert_eq!(found.map(|e| e.0), least);
                proptest::prop_assert_eq!(found.map(|e| e.1), most);
            }
        }
    }

    #[test]
    fn known_sources_are_found_only_when_every_one_is_known() {
        let mut keys = SourceKeys::default();
        let url = "https://a.example/1";
        keys.insert(SourceKeys::hash(url, true), url, SourceId(3));
        keys.insert(SourceKeys::hash("Reuters", false), "Reuters", SourceId(4));
        let known = KnownSources {
            keys,
            file: SourceId(1),
            nodes: None,
        };
        let found = |texts: &[&str], is_url: bool| {
            let texts: Vec<Cow<str>> = texts.iter().map(|&t| Cow::Borrowed(t)).collect();
            let mut m = super::super::Mapped::default();
            let all = known.find_texts(&texts, is_url, &mut m);
            assert_eq!(all, m.n_found > 0);
            m.found[..m.n_found as usize].to_vec()
        };
        // (Each once.)
        assert_eq!(found(&[url, url], true), [3, 1]);
        assert_eq!(found(&["Reuters"], false), [4, 1]);
        // None cited: the file's alone.
        assert_eq!(found(&[], true), [1]);
        // One unknown (a publisher's name is not a URL): none found, the
        // builder finds or adds them all.
        assert!(found(&[url, "Reuters"], true).is_empty());
        assert!(found(&[url], false).is_empty());
        // More than a record's list holds: left to the builder.
        assert!(found(&[url; 8], true).is_empty());
        // Nothing known yet: left to the builder.
        let none = KnownSources::default();
        let mut m = super::super::Mapped::default();
        assert!(!none.find_texts(&[""; 0], true, &mut m) && m.n_found == 0);
    }

    proptest::proptest! {
        /// Many keys looked up at once answer as each looked up alone:
        /// keys there and not, of hashes shared by several keys (chained
        /// past one another), in tables of every size.
        #[test]
        fn source_keys_found_together_as_one_by_one(
            added in proptest::collection::vec((0u8..40, 0u8..4), 0..200),
            asked in proptest::collection::vec((0u8..48, 0u8..4), 0..120),
        ) {
            let key = |k: u8| format!("https://k.example/{k}");
            // A key's own hash, or one of three that many keys share.
            let hash = |k: u8, h: u8| match h {
                0 => SourceKeys::hash(&key(k), true),
                h => u64::from(h).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            };
            let mut keys = SourceKeys::default();
            for (i, &(k, h)) in added.iter().enumerate() {
                keys.insert(hash(k, h), &key(k), SourceId(i as u32));
            }
            let texts: Vec<String> = asked.iter().map(|&(k, _)| key(k)).collect();
            let pairs: Vec<(u64, &[u8])> = (asked.iter().zip(&texts))
                .map(|(&(k, h), t)| (hash(k, h), t.as_bytes()))
                .collect();
            let mut all = Vec::new();
            keys.get_all(&pairs, &mut all);
            let one: Vec<Option<SourceId>> = (asked.iter().zip(&texts))
                .map(|(&(k, h), t)| keys.get(hash(k, h), t))
                .collect();
            proptest::prop_assert_eq!(all, one);
        }
    }

    proptest::proptest! {
        /// Keys looked up together ([`SourceKeys::get_all`]) and alone
        /// answer as a `HashMap` of `(hash, text)` to the first source
        /// added of each: texts of a shared head, of differing lengths,
        /// differing anywhere, and hashes of their own or forced onto a few
        /// that many texts share (keys of one hash chained past one
        /// another, probes past keys of other hashes).
        #[test]
        fn source_keys_answer_as_a_hash_map(
            added in proptest::collection::vec((0usize..4, "[ab]{0,19}", 0u8..4), 0..150),
            asked in proptest::collection::vec((0usize..4, "[ab]{0,19}", 0u8..4), 0..100),
        ) {
            let heads = ["", "https://k.example/", "https://k.example/aaaaaaaa", "a"];
            let text = |&(head, ref tail, _): &(usize, String, u8)| format!("{}{tail}", heads[head]);
            let hash = |t: &str, h: u8| match h {
                0 => SourceKeys::hash(t, true),
                h => u64::from(h).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            };
            let mut keys = SourceKeys::default();
            let mut map = std::collections::HashMap::new();
            for (i, k) in added.iter().enumerate() {
                let (t, h) = (text(k), hash(&text(k), k.2));
                keys.insert(h, &t, SourceId(i as u32));
                map.entry((h, t)).or_insert(SourceId(i as u32));
            }
            let texts: Vec<String> = asked.iter().map(text).collect();
            let pairs: Vec<(u64, &[u8])> = (asked.iter().zip(&texts))
                .map(|(k, t)| (hash(t, k.2), t.as_bytes()))
                .collect();
            let mut all = Vec::new();
            keys.get_all(&pairs, &mut all);
            let expected: Vec<Option<SourceId>> = (pairs.iter().zip(&texts))
                .map(|(&(h, _), t)| map.get(&(h, t.clone())).copied())
                .collect();
            proptest::prop_assert_eq!(&all, &expected);
            for (&(h, _), (t, want)) in pairs.iter().zip(texts.iter().zip(&expected)) {
                proptest::prop_assert_eq!(keys.get(h, t), *want);
            }
            proptest::prop_assert_eq!(keys.len(), map.len());
        }
    }

    #[test]
    fn source_keys_tell_texts_of_one_hash_apart() {
        let mut keys = SourceKeys::default();
        let (a, b, c) = (SourceId(0), SourceId(1), SourceId(2));
        let h = SourceKeys::hash("https://a.example/1", true);
        keys.insert(h, "https://a.example/1", a);
        // Two more texts forced onto the same hash are chained, not confused.
        keys.insert(h, "https://a.example/2", b);
        keys.insert(h, "Reuters", c);
        assert_eq!(keys.get(h, "https://a.example/1"), Some(a));
        assert_eq!(keys.get(h, "https://a.example/2"), Some(b));
        assert_eq!(keys.get(h, "Reuters"), Some(c));
        assert_eq!(keys.get(h, "https://a.example/3"), None);
        assert_eq!(keys.get(h ^ 1, "Reuters"), None);
        // A publisher and a URL of one text hash apart.
        assert_ne!(SourceKeys::hash("x", false), SourceKeys::hash("x", true));
    }

    #[test]
    fn source_keys_hold_every_key_through_growth() {
        let mut keys = SourceKeys::default();
        let key = |i: u32| format!("https://n.example/{i}");
        for i in 0..5000 {
            let k = key(i);
            assert_eq!(keys.get(SourceKeys::hash(&k, true), &k), None);
            keys.insert(SourceKeys::hash(&k, true), &k, SourceId(i));
        }
        assert_eq!(keys.len(), 5000);
        // Every key found after the table grew; a publisher of the same
        // text is another key.
        for i in 0..5000 {
            let k = key(i);
            assert_eq!(keys.get(SourceKeys::hash(&k, true), &k), Some(SourceId(i)));
            assert_eq!(keys.get(SourceKeys::hash(&k, false), &k), None);
        }
        // A key added again keeps its first source.
        let k = key(7);
        keys.insert(SourceKeys::hash(&k, true), &k, SourceId(9999));
        assert_eq!(keys.get(SourceKeys::hash(&k, true), &k), Some(SourceId(7)));
        assert_eq!(keys.len(), 5000);
        // Copies (the parser threads' known sources) find the same.
        let copy = keys.clone();
        assert_eq!(
            copy.get(SourceKeys::hash(&key(4321), true), &key(4321)),
            Some(SourceId(4321))
        );
    }
}
