//! The plain lane: a relationship line of the shape most files write (each
//! property one of its schema's, every value kept as written, at most one
//! start and one end date, one amount with its currency, …) cleaned and
//! mapped in one pass over the places of its values in the batch's text,
//! each date read once, nothing built to be walked again. Any other line
//! (a value cleaning drops or notes, a property the schema lacks, several
//! dates, an amount that does not read, more than 64 values, …) is
//! declined before anything is written, and goes the careful way
//! ([`super::clean::clean_values`], then [`super::records::map_edge_runs`]),
//! which the property tests below hold this lane to: the same values, the
//! same marks of the parties, the same mapped fields and the same notes.

use smallvec::SmallVec;

use super::super::schema::{PropKept, PropMemo, PropType, SchemaDef};
use super::clean::{Span, rises, stop_from, valid_id};
use super::props::{Cited, Few, KnownSources, Lookup, cite, number};
use super::records::edge_kind;
use super::{Compact, NO_IX, SpanPair, SparePre, Text, Written, prop_ix};
use crate::graph::relid::{is_made_hash_of_ids, made_id_hash};
use crate::model::date::parse_day;
use crate::model::{Amount, PartialDate, RelationKind, trim};

/// Whether lines are read by this lane where they can (always, but in
/// the tests that compare it with the careful way).
#[cfg(not(test))]
pub(super) fn on() -> bool {
    true
}

#[cfg(test)]
thread_local! {
    static ON: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
    /// How many lines this thread's lane took.
    static TAKEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static DIRECT_ON: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
    /// How many lines this thread's direct lane took.
    static DIRECT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
pub(super) fn on() -> bool {
    ON.get()
}

/// Whether [`write`] makes [`Compact`] records where it can (always, but
/// in the tests that compare them with the box; for every thread, since
/// those tests read streams with parser threads of their own).
#[cfg(not(test))]
#[inline(always)]
fn compact_on() -> bool {
    true
}

/// Whether [`Compact`] records are made, and how many were (in the
/// tests, by every thread).
#[cfg(test)]
static COMPACT: super::Switch = super::Switch::new();

#[cfg(test)]
fn compact_on() -> bool {
    COMPACT.on()
}

#[cfg(not(test))]
struct DirectOn;

#[cfg(not(test))]
impl DirectOn {
    #[inline(always)]
    fn get(&self) -> bool {
        true
    }
}

/// Whether [`direct`] reads lines where it can (always, but in the tests
/// that compare it with the tokenizer's way).
#[cfg(not(test))]
const DIRECT_ON: DirectOn = DirectOn;

/// What the values of a property other than a party become.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    /// A source cited: a URL, or a publisher.
    Url,
    Publisher,
    /// The note (the first such property's first value), else attributes.
    Note,
    /// The relation's date, or its end.
    Start,
    End,
    Amount,
    Currency,
    /// The relation's role (the first value; any other an attribute).
    Role,
    /// Attributes, as written.
    Attr,
}

/// The field property `name` (of schema `def`, not a party) is mapped to,
/// as [`super::props::map_props`] maps a relationship's; `None` for the
/// properties this lane leaves to it (names, several kinds of date, the
/// amounts in euros or dollars).
fn field(def: &SchemaDef, name: &str) -> Option<Field> {
    Some(match name {
        "sourceUrl" => Field::Url,
        "publisher" => Field::Publisher,
        "summary" | "description" | "notes" => Field::Note,
        "startDate" => Field::Start,
        "endDate" => Field::End,
        "role" | "relationship" => Field::Role,
        // (Money only where the schema has a currency; else attributes.)
        "amount" | "currency" if def.prop("currency").is_none() => Field::Attr,
        "amount" => Field::Amount,
        "currency" => Field::Currency,
        "name" | "alias" | "previousName" | "weakAlias" | "date" | "contractDate" | "amountEur"
        | "amountUsd" => return None,
        _ => Field::Attr,
    })
}

/// A relationship line's fields as the lane read them (strings of its
/// batch's text), before anything is written.
#[derive(Default)]
struct Read<'t> {
    /// Which values are parties (as [`super::clean::clean_values`] marks them).
    parties: u64,
    n_parties: u32,
    /// The last value of the source's and of the target's property.
    ends: (Option<&'t str>, Option<&'t str>),
    start: Option<PartialDate>,
    end: Option<PartialDate>,
    amount: Option<&'t str>,
    currency: Option<&'t str>,
    /// The amount with its currency, when both are given.
    money: Option<Amount>,
    role: Option<&'t str>,
    /// The note's property and value.
    note: Option<(&'t str, &'t str)>,
    /// Attributes: name, value, and where the name is in the schema's
    /// properties ([`NO_IX`] if not there).
    attrs: SmallVec<[(&'t str, &'t str, u8); 4]>,
    /// The sources cited: places in the batch's text.
    urls: Few<Span>,
    publishers: Few<Span>,
    /// Where the note's, the amount's, the currency's and the publisher's
    /// properties are among the schema's (as [`Class::Value`] says).
    ix: Ixs,
    /// Whether the first party is the source's.
    source_first: bool,
}

/// [`Read::ix`].
#[derive(Clone, Copy)]
struct Ixs {
    note: u8,
    amount: u8,
    currency: u8,
    publisher: u8,
}

impl Default for Ixs {
    fn default() -> Self {
        Ixs {
            note: NO_IX,
            amount: NO_IX,
            currency: NO_IX,
            publisher: NO_IX,
        }
    }
}

/// Reads a relationship record of schema `def` and id `id` (both checked
/// by the caller to be a relationship's) whose properties `(name, start,
/// end)`, sorted by name, each hold the values `start..end` of `values`,
/// all places in the line that starts at byte `at` of `text`: each value
/// pushed on `spans` with its property's name (places in `text`), and the
/// record mapped, its sources found in `known` or noted in `cited`.
/// Returns which values are parties and the mapped fields; `None` (nothing
/// pushed, noted or taken) for a line of another shape.
pub(super) fn read(
    id: &str,
    def: &'static SchemaDef,
    (text, at): (&str, u32),
    (names, values): (&[(Span, u32, u32)], &[Span]),
    memo: &mut PropMemo,
    spans: &mut Vec<SpanPair>,
    (known, cited): (&KnownSources, &mut Cited),
) -> Option<(u64, Written)> {
    if values.len() > 64 || !valid_id(id) {
        return None;
    }
    let start = spans.len();
    let mut r = Read::default();
    // (Its own lane: [`direct`]'s is held by its chunk's loop.)
    TOKENIZED.with_borrow_mut(|lane| {
        let to = (&mut *spans, &mut *lane);
        if fields(&mut r, id, def, (text, at), (names, values), memo, to).is_none() {
            spans.truncate(start);
            return None;
        }
        let kinds = &mut lane.kinds;
        Some(write(
            &r,
            made_id_hash(id),
            def,
            text,
            (known, cited),
            kinds,
        ))
    })
}

/// What [`direct`] read of a line: its id (a place in the batch's text),
/// its schema, which values are parties, and its mapped fields.
pub(super) type Direct = (Span, &'static SchemaDef, u64, Written);

/// The head of a line written as exports write it, as [`head`] read it:
/// its schema, its id (a place in the batch's text), and where its
/// properties start (after their opening brace) and close (their closing
/// brace), as places in the line.
pub(super) struct Head {
    pub(super) def: &'static SchemaDef,
    pub(super) id: Span,
    pub(super) props: usize,
    pub(super) close: usize,
}

/// The head of line `bytes` (starting at byte `at` of its batch's text)
/// if it is written as exports write it,
/// `{"id":"…","properties":{…},"schema":"…"}` with nothing between the
/// tokens (but whitespace after the object): the schema's name read from
/// the end (a schema `ties` knows), the id from the start (a string
/// without escapes), read once for both direct lanes ([`direct`]'s and
/// [`super::thing::direct`]'s). `None` for any other line.
pub(super) fn head(bytes: &[u8], at: u32, memo: &mut PropMemo) -> Option<Head> {
    const HEAD: &[u8] = br#"{"id":""#;
    const PROPS: &[u8] = br#","properties":{"#;
    const TAIL: &[u8] = br#"},"schema":""#;
    let b = bytes;
    // The object, without the whitespace after it.
    let mut n = b.len();
    while n > 0 && matches!(b[n - 1], b' ' | b'\t' | b'\n' | b'\r') {
        n -= 1;
    }
    // The schema's name, from the end: `},"schema":"NAME"}`, NAME without
    // a quote, a backslash or a control character.
    if n < HEAD.len() + PROPS.len() + TAIL.len() + 2 || b[n - 1] != b'}' || b[n - 2] != b'"' {
        return None;
    }
    let q = memchr::memrchr(b'"', &b[..n - 2])?;
    let name = &b[q + 1..n - 2];
    if name.iter().any(|&c| c == b'\\' || c < 0x20) || !b[..=q].ends_with(TAIL) {
        return None;
    }
    // SAFETY: `name` lies between two ASCII quotes of `b`, which is a
    // line of its batch's text (a `str`): its ends are character
    // boundaries.
    let name = unsafe { std::str::from_utf8_unchecked(name) };
    if trim(name).is_empty() {
        return None;
    }
    let def = memo.schema(name)?;
    // The id.
    if !b.starts_with(HEAD) {
        return None;
    }
    let id_end = stop_from(b, HEAD.len())?;
    if b[id_end] != b'"' || b.get(id_end + 1..id_end + 1 + PROPS.len()) != Some(PROPS) {
        return None;
    }
    Some(Head {
        def,
        id: Span {
            start: at + HEAD.len() as u32,
            end: at + id_end as u32,
        },
        props: id_end + 1 + PROPS.len(),
        // (Where the properties' closing brace must be.)
        close: q + 1 - TAIL.len(),
    })
}

/// The direct lane: a relationship line written as exports write it (its
/// [`head`] read), its property names in strictly rising order, read and
/// mapped in one pass over its bytes, as [`super::fast::read`] and then
/// [`read`] would read it, with no lists of the names' and values' places
/// made to be walked again. `bytes` is the line, starting at byte `at` of
/// its batch's `text`. `None` (nothing pushed, noted or taken) for any
/// other line, which the tokenizer and [`read`] (or the careful way) then
/// read.
#[allow(clippy::too_many_arguments)]
pub(super) fn direct(
    bytes: &[u8],
    head: &Head,
    (text, at): (&str, u32),
    memo: &mut PropMemo,
    spans: &mut Vec<SpanPair>,
    (known, cited): (&KnownSources, &mut Cited),
    lane: &mut Lane,
) -> Option<Direct> {
    let &Head {
        def,
        id,
        props: i,
        close,
    } = head;
    if !on() || !DIRECT_ON.get() || def.edge.is_none() {
        return None;
    }
    let b = bytes;
    let id_text = of(id, text);
    // (A made id, `ties-rel-` and sixteen hexadecimal digits, is a valid
    // one: not checked again.)
    let made = made_id_hash(id_text);
    debug_assert!(made.is_none() || valid_id(id_text));
    if made.is_none() && !valid_id(id_text) {
        return None;
    }
    let start = spans.len();
    let mut r = Read::default();
    let read = direct_props(
        &mut r,
        id_text,
        def,
        (b, i, close),
        (text, at),
        (memo, &mut lane.classes, &mut lane.names),
        spans,
    );
    if read.and_then(|()| checks(&mut r)).is_none() {
        spans.truncate(start);
        return None;
    }
    let (parties, pre) = write(&r, made, def, text, (known, cited), &mut lane.kinds);
    #[cfg(test)]
    DIRECT.set(DIRECT.get() + 1);
    Some((id, def, parties, pre))
}

/// [`direct`]'s reading of the properties of line `b` (at `at` of
/// `text`), from byte `i` (after the opening brace) to the closing brace
/// at `close`, each property's values pushed on `spans`; `None` (some
/// maybe pushed) for a line of another shape.
#[allow(clippy::too_many_arguments)]
fn direct_props<'t>(
    r: &mut Read<'t>,
    id: &str,
    def: &'static SchemaDef,
    (b, mut i, close): (&[u8], usize, usize),
    (text, at): (&'t str, u32),
    (memo, classes, names): (&mut PropMemo, &mut PropKept<Class>, &mut Vec<Names>),
    spans: &mut Vec<SpanPair>,
) -> Option<()> {
    // The names of this schema's properties met lately, if kept.
    let mut known = match def.index() {
        Some(x) if names_on() => {
            if names.is_empty() {
                names.resize_with(super::super::schema::all().len(), Names::default);
            }
            names.get_mut(x)
        }
        _ => None,
    };
    // (Where in `known` the names after the last one read start.)
    let mut next = 0;
    let place = |s: usize, e: usize| Span {
        start: at + s as u32,
        end: at + e as u32,
    };
    if b.get(i) == Some(&b'}') {
        return (i == close).then_some(());
    }
    let (mut kept, mut total) = (0, 0);
    let mut last: Option<&[u8]> = None;
    loop {
        // The property's name, and its class: a name met lately (after
        // the last one, so in rising order) compared where it is, else
        // read and worked out, and kept.
        let (k, class) = match known.as_deref().and_then(|n| n.find(b, i, next)) {
            Some((j, len)) => {
                let n = known.as_deref().expect("found there");
                next = j + 1;
                last = Some(&b[i + 1..i + 1 + len]);
                let k = place(i + 1, i + 1 + len);
                i += len + 2;
                (k, Some(n.names[j].class))
            }
            None => {
                let name_end = rising_name(b, i, &mut last)?;
                let name = &b[i + 1..name_end];
                let k = place(i + 1, name_end);
                i = name_end + 1;
                let class = known.as_deref_mut().map(|n| {
                    let name_text = of(k, text);
                    let class = classes.get(def, name_text, || {
                        class_of(def, name_text, memo.prop(def, name_text))
                    });
                    next = n.keep(name, class);
                    class
                });
                (k, class)
            }
        };
        if b.get(i..i + 2) != Some(b":[") {
            return None;
        }
        i += 2;
        // (The values pushed as read, then checked where they are.)
        let run = spans.len();
        i = value_list(b, i, |s, e| spans.push((k, place(s, e))))?;
        total += spans.len() - run;
        if total > 64 {
            return None;
        }
        // (A property without values is not looked at by the cleaning.)
        if spans.len() > run {
            let name = of(k, text);
            let class = match class {
                Some(c) => c,
                None => classes.get(def, name, || class_of(def, name, memo.prop(def, name))),
            };
            prop(r, id, name, run, text, class, spans, &mut kept)?;
        }
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => return (i == close).then_some(()),
            _ => return None,
        }
    }
}

/// Where the closing quote is of the string whose opening quote is at
/// byte `i` of line `b`; `None` if there is no quote at `i`, or the string
/// holds an escape or a control character (a line the direct lanes
/// decline).
#[inline(always)]
pub(super) fn string_end(b: &[u8], i: usize) -> Option<usize> {
    (*b.get(i)? == b'"').then_some(())?;
    let end = stop_from(b, i + 1)?;
    (b[end] == b'"').then_some(end)
}

/// The name of a property of line `b`, its opening quote at byte `i`,
/// if it comes strictly after `last` (the line's name before it, if any;
/// then this one): where its closing quote is. (The direct lanes read
/// names only in rising order, as exports write them.)
#[inline(always)]
pub(super) fn rising_name<'b>(b: &'b [u8], i: usize, last: &mut Option<&'b [u8]>) -> Option<usize> {
    let end = string_end(b, i)?;
    let name = &b[i + 1..end];
    if last.is_some_and(|last| !rises(last, name)) {
        return None;
    }
    *last = Some(name);
    Some(end)
}

/// A list of strings of line `b` as exports write it, from byte `i` (after
/// its opening bracket): each string's place in `b` (after its opening
/// quote, at its closing quote) handed to `push` in order, and the byte
/// after the closing bracket answered; `None` (some maybe pushed) for a
/// list of another shape. (The direct lanes' values, [`direct_props`]'
/// and [`super::thing::direct`]'s.)
#[inline(always)]
pub(super) fn value_list(
    b: &[u8],
    mut i: usize,
    mut push: impl FnMut(usize, usize),
) -> Option<usize> {
    if b.get(i) == Some(&b']') {
        return Some(i + 1);
    }
    loop {
        let end = string_end(b, i)?;
        push(i + 1, end);
        i = end + 2;
        match b.get(end + 1) {
            Some(b',') => {}
            Some(b']') => return Some(i),
            _ => return None,
        }
    }
}

/// Where `s`, a part of `text`, is in it.
#[inline]
pub(super) fn place(s: &str, text: &str) -> Span {
    let start = s.as_ptr() as usize - text.as_ptr() as usize;
    debug_assert!(start + s.len() <= text.len());
    Span {
        start: start as u32,
        end: (start + s.len()) as u32,
    }
}

/// Writes the record [`read`] (or [`direct`]) read into `r`, every check
/// made: its mapped fields (compact where they can be), the sources it
/// cites found in `known` or noted in `cited`, whether its id (`made`:
/// the hash it spells, if a made id, [`made_id_hash`]) is the one made of
/// its values.
fn write(
    r: &Read<'_>,
    made: Option<u64>,
    def: &'static SchemaDef,
    text: &str,
    (known, cited): (&KnownSources, &mut Cited),
    kinds: &mut KindSlots,
) -> (u64, Written) {
    // Every check made: from here on, the record is written.
    #[cfg(test)]
    TAKEN.set(TAKEN.get() + 1);
    let (kind, reversed, role) = kind_of(def, r.role, kinds);
    // (Its parties are valid ids: FtM ids as they are.)
    let made_id = match (r.ends, r.n_parties) {
        ((Some(src), Some(tgt)), 2) => made.is_some_and(|h| {
            let label = match &kind {
                RelationKind::Other(o) => o.as_str(),
                k => k.known_label().unwrap_or("other"),
            };
            is_made_hash_of_ids(h, src, label, tgt, role.unwrap_or(""), r.start)
        }),
        _ => false,
    };
    if compact_on()
        && let Some(c) = compact(r, (&kind, reversed, role), made_id, text, known)
    {
        #[cfg(test)]
        COMPACT.took();
        note_cited((&r.urls, &r.publishers), cited);
        return (r.parties, Written::Compact(c));
    }
    let mut pre = SparePre::take();
    let (m, _) = &mut *pre;
    m.date = r.start;
    m.until = r.end;
    m.attrs
        .extend((r.attrs.iter()).map(|&(k, v, _)| (Text::from(k), Text::from(v))));
    match (r.amount, r.currency) {
        (Some(_), Some(_)) => m.amount = r.money,
        (Some(a), None) => m.attrs.push(("amount".into(), a.into())),
        (None, Some(c)) => m.attrs.push(("currency".into(), c.into())),
        (None, None) => {}
    }
    if let Some((prop, note)) = r.note {
        m.note = Some(note.to_string());
        m.note_prop = Some(prop.to_string());
    }
    cite_places(m, (&r.urls, &r.publishers), text, (known, cited));
    m.made_id = made_id;
    m.role = role.map(Text::from);
    m.edge = Some((kind, reversed));
    (r.parties, Written::Boxed(pre))
}

/// The [`Compact`] of the record read into `r` (its kind, direction and
/// role `kind`, `made_id` whether its id is the one made of it), if it is
/// of the common shape and its sources will be looked up with its chunk's
/// (`known`: [`cite_places`]' test); `None` for the box.
#[inline]
fn compact(
    r: &Read<'_>,
    (kind, reversed, role): (&RelationKind<String>, bool, Option<&str>),
    made_id: bool,
    text: &str,
    known: &KnownSources,
) -> Option<Compact> {
    let noted = if r.urls.is_empty() {
        &r.publishers
    } else {
        &r.urls
    };
    if r.n_parties != 2
        || r.ends.0.is_none()
        || r.ends.1.is_none()
        || matches!(kind, RelationKind::Other(_))
        || !known.has_keys()
        || noted.is_empty()
        || noted.len() > 3
    {
        return None;
    }
    let mut c = Compact {
        found: [0; 4],
        found_key: 0,
        amount: None,
        date: r.start,
        until: r.end,
        role: role.map(|x| place(x, text)),
        note: None,
        note_prop: NO_IX,
        attrs: [Span { start: 0, end: 0 }; Compact::ATTRS],
        names: [NO_IX; Compact::ATTRS],
        n_attrs: 0,
        n_found: 0,
        kind: kind
            .clone()
            .map_other(|_| unreachable!("not an other kind")),
        reversed,
        made_id,
        source_first: r.source_first,
    };
    let mut push = |ix: u8, v: &str| {
        let n = usize::from(c.n_attrs);
        (ix != NO_IX && n < Compact::ATTRS).then(|| {
            c.names[n] = ix;
            c.attrs[n] = place(v, text);
            c.n_attrs += 1;
        })
    };
    for &(_, v, ix) in &r.attrs {
        push(ix, v)?;
    }
    match (r.amount, r.currency) {
        (Some(a), None) => push(r.ix.amount, a)?,
        (None, Some(cur)) => push(r.ix.currency, cur)?,
        _ => {}
    }
    // (The publishers after the first, when URLs are cited.)
    if !r.urls.is_empty() {
        for &p in r.publishers.iter().skip(1) {
            push(r.ix.publisher, of(p, text))?;
        }
    }
    if r.amount.is_some() && r.currency.is_some() {
        c.amount = r.money;
    }
    if let Some((_, note)) = r.note {
        (r.ix.note != NO_IX).then_some(())?;
        c.note = Some(place(note, text));
        c.note_prop = r.ix.note;
    }
    Some(c)
}

/// [`read`]'s reading of the line into `r`, its values pushed on `spans`;
/// `None` (some maybe pushed) for a line of another shape.
fn fields<'t>(
    r: &mut Read<'t>,
    id: &str,
    def: &'static SchemaDef,
    (text, at): (&'t str, u32),
    (names, values): (&[(Span, u32, u32)], &[Span]),
    memo: &mut PropMemo,
    (spans, lane): (&mut Vec<SpanPair>, &mut Lane),
) -> Option<()> {
    read_props(
        r,
        id,
        def,
        (text, at),
        (names, values),
        (memo, &mut lane.classes),
        spans,
    )?;
    checks(r)
}

/// The checks of the fields read into `r` (dates, the amount) that
/// [`read_props`] cannot make property by property; `None` for a line of
/// another shape.
fn checks(r: &mut Read<'_>) -> Option<()> {
    // An end before the start is noted.
    if let (Some(d), Some(u)) = (r.start, r.end)
        && u.last_day() < d.first_day()
    {
        return None;
    }
    // An amount that does not read, or not with its currency, is noted.
    match (r.amount, r.currency) {
        (Some(a), Some(c)) => r.money = Some(Amount::new(number(a).ok()?, c, false).ok()?),
        (Some(a), None) => {
            number(a).ok()?;
        }
        _ => {}
    }
    Some(())
}

/// [`fields`]' reading of the properties, each property's class kept in
/// `classes`; `None` (some maybe pushed) for a line of another shape.
fn read_props<'t>(
    r: &mut Read<'t>,
    id: &str,
    def: &'static SchemaDef,
    (text, at): (&'t str, u32),
    (names, values): (&[(Span, u32, u32)], &[Span]),
    (memo, classes): (&mut PropMemo, &mut PropKept<Class>),
    spans: &mut Vec<SpanPair>,
) -> Option<()> {
    let mut kept = 0;
    for &(k, s, e) in names {
        let run = &values[s as usize..e as usize];
        // (A property without values is not looked at by the cleaning.)
        if run.is_empty() {
            continue;
        }
        let k = k.shifted(at);
        let name = of(k, text);
        let class = classes.get(def, name, || class_of(def, name, memo.prop(def, name)));
        let first = spans.len();
        spans.extend(run.iter().map(|&v| (k, v.shifted(at))));
        prop(r, id, name, first, text, class, spans, &mut kept)?;
    }
    Some(())
}

/// One property of [`read_props`] (or [`direct_props`]): `name` with its
/// values, `spans[run..]` (pushed with the name's place, places in
/// `text`), read into `r` (`kept`: how many values were, before and
/// after); `None` (some maybe pushed) for a line of another shape.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn prop<'t>(
    r: &mut Read<'t>,
    id: &str,
    name: &'t str,
    run: usize,
    text: &'t str,
    class: Class,
    spans: &mut [SpanPair],
    kept: &mut u32,
) -> Option<()> {
    {
        let run = &spans[run..];
        let (ptype, field, ix) = match class {
            Class::Declined => return None,
            Class::Party(end) => {
                // A party: a valid id, not the record's own, written
                // without spaces round it (else noted, or hashed otherwise
                // by made ids).
                for &(_, v) in run {
                    let p = of(v, text);
                    // (A valid id starts and ends with a letter or digit:
                    // no spaces round it.)
                    if !valid_id(p) || p == id {
                        return None;
                    }
                    r.parties |= 1 << *kept;
                    if r.n_parties == 0 {
                        r.source_first = end == End::Source;
                    }
                    r.n_parties += 1;
                    match end {
                        End::Source => r.ends.0 = Some(p),
                        End::Target => r.ends.1 = Some(p),
                        End::Other => {}
                    }
                    *kept += 1;
                }
                return Some(());
            }
            Class::Value(ptype, field, ix) => (ptype, field, ix),
        };
        let mut date = None;
        for &(_, v) in run {
            let value = of(v, text);
            if ptype == PropType::Date {
                // A date read once: kept only if it reads.
                date = Some(parse_day(value).ok()?);
            } else if trim(value).is_empty() {
                return None;
            }
            *kept += 1;
        }
        // (`run` is not empty: a property without values is not looked at.)
        let first_at = run[0].1;
        let first = of(first_at, text);
        let one = run.len() == 1;
        let places = || run.iter().map(|&(_, v)| v);
        let all = || places().map(|v| of(v, text));
        match field {
            Field::Start | Field::End if !one || ptype != PropType::Date => return None,
            Field::Start => r.start = date,
            Field::End => r.end = date,
            Field::Amount | Field::Currency if !one => return None,
            Field::Amount => {
                r.amount = Some(first);
                r.ix.amount = ix;
            }
            Field::Currency => {
                r.currency = Some(first);
                r.ix.currency = ix;
            }
            Field::Url if one => r.urls.push(first_at),
            Field::Url => places().for_each(|v| r.urls.push(v)),
            Field::Publisher if one => {
                r.publishers.push(first_at);
                r.ix.publisher = ix;
            }
            Field::Publisher => {
                places().for_each(|v| r.publishers.push(v));
                r.ix.publisher = ix;
            }
            // (Pushed one by one: `SmallVec::extend` cost about sixty
            // instructions a call, even of nothing.)
            Field::Note if r.note.is_none() => {
                r.note = Some((name, first));
                r.ix.note = ix;
                if !one {
                    all().skip(1).for_each(|v| r.attrs.push((name, v, ix)));
                }
            }
            Field::Role => {
                r.role = Some(first);
                if !one {
                    all().skip(1).for_each(|v| r.attrs.push((name, v, ix)));
                }
            }
            Field::Note | Field::Attr => {
                all().for_each(|v| r.attrs.push((name, v, ix)));
            }
        }
    }
    Some(())
}

/// The sources a lane's record cites, `urls` and `publishers` places in
/// `text`: noted as places for the chunk's lookups (as [`cite`] notes
/// them, without finding the places again) when [`Cited`] can take them,
/// else cited as [`cite`] does.
pub(super) fn cite_places(
    m: &mut super::Mapped,
    (urls, publishers): (&Few<Span>, &Few<Span>),
    text: &str,
    (known, cited): (&KnownSources, &mut Cited),
) {
    let noted = if urls.is_empty() { publishers } else { urls };
    if known.has_keys() && !noted.is_empty() && noted.len() < m.found.len() {
        if !urls.is_empty() {
            for p in publishers.iter().skip(1) {
                m.attrs.push(("publisher".into(), of(*p, text).into()));
            }
        }
        note_cited((urls, publishers), cited);
    } else {
        let strs = |l: &Few<Span>| l.iter().map(|&s| of(s, text)).collect::<Few<&str>>();
        cite(
            m,
            strs(urls),
            strs(publishers),
            Lookup::Later(known, text, cited),
        );
    }
}

/// Notes the sources a record cites for its chunk's lookup
/// ([`Cited::note_places`]): its URLs (their outlet its first
/// publisher), else its publishers; nothing when it cites none.
pub(super) fn note_cited((urls, publishers): (&Few<Span>, &Few<Span>), cited: &mut Cited) {
    let place = |s: &Span| (s.start, s.end);
    if !urls.is_empty() {
        cited.note_places(urls.iter().map(place), true, publishers.first().map(place));
    } else if !publishers.is_empty() {
        cited.note_places(publishers.iter().map(place), false, None);
    }
}

/// `s.of(text)` without its checks, for the lanes (this one, [`direct`]
/// and [`super::thing`]): `s` is a place in `text` of the bytes between a
/// string's opening quote and its closing one, or a part of such a string
/// cut at character boundaries.
#[inline(always)]
pub(super) fn of(s: Span, text: &str) -> &str {
    let (a, b) = (s.start as usize, s.end as usize);
    debug_assert!(a <= b && b <= text.len());
    debug_assert!(text.is_char_boundary(a) && text.is_char_boundary(b));
    // SAFETY: the places the lanes are given (ids, captions, names and
    // values) are those of strings `fast.rs`'s `Cursor::string` read, or
    // [`direct`] read (from an opening quote to the next quote, no
    // backslash between them), in the line that starts at byte `at` of
    // `text` (its bytes those the reader parsed, as it asserts; shifted by
    // `at`): from just after an opening quote to the next quote, both within
    // the line, so `a <= b <= text.len()`, and both ends are next to an
    // ASCII quote, so they are character boundaries. The places the thing
    // lane makes itself (`thing::place`) are of parts of such strings cut by
    // `str::trim`, at character boundaries. The builder reads the places a
    // record keeps in the same batch's text.
    unsafe { text.get_unchecked(a..b) }
}

/// Which end of the relation a party's property names.
#[derive(Clone, Copy, PartialEq)]
enum End {
    Source,
    Target,
    Other,
}

/// What the lane does with a property of a schema.
#[derive(Clone, Copy, PartialEq, Default)]
enum Class {
    /// An entity: a party.
    Party(End),
    /// Values of this type, mapped to this field; where the property is
    /// among the schema's ([`NO_IX`] if past 254).
    Value(PropType, Field, u8),
    /// Not one of the schema's properties, or one this lane leaves.
    #[default]
    Declined,
}

/// The class of property `name` of `def`, of type `ptype` there.
#[inline]
fn class_of(def: &SchemaDef, name: &str, ptype: Option<PropType>) -> Class {
    let Some((src, tgt)) = def.edge else {
        return Class::Declined;
    };
    match ptype {
        None => Class::Declined,
        Some(PropType::Entity) if name == src => Class::Party(End::Source),
        Some(PropType::Entity) if name == tgt => Class::Party(End::Target),
        Some(PropType::Entity) => Class::Party(End::Other),
        Some(t) => {
            field(def, name).map_or(Class::Declined, |f| Class::Value(t, f, prop_ix(def, name)))
        }
    }
}

/// A relation's kind, direction and role, as [`edge_kind`] works them
/// out, the answers for the roles of the lines read lately kept (a file's
/// relationships have few roles: the kind phrases an export writes).
fn kind_of<'r>(
    def: &'static SchemaDef,
    role: Option<&'r str>,
    slots: &mut KindSlots,
) -> (RelationKind<String>, bool, Option<&'r str>) {
    let Some(r) = role.filter(|r| r.len() <= KindSlot::ROOM) else {
        return edge_kind(def, role);
    };
    let b = r.as_bytes();
    let schema = def as *const SchemaDef as usize;
    let n = b.len();
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
    let key = if n >= 8 {
        word(0) ^ word(n - 8).rotate_left(29)
    } else {
        (b.iter().enumerate()).fold(0, |w, (i, &c)| w | u64::from(c) << (8 * i))
    };
    let h = (key ^ n as u64 ^ (schema as u64 >> 4)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let i = (h >> 57) as usize;
    let s = &mut slots[i];
    if s.schema == schema
        && usize::from(s.len) == n
        && same_text(&s.text, b)
        && let Some((kind, reversed, rest)) = &s.answer
    {
        return (
            kind.clone(),
            *reversed,
            rest.map(|at| &r[usize::from(at)..]),
        );
    }
    let (kind, reversed, rest) = edge_kind(def, role);
    // (The role's rest is its end, or all of it.)
    let at = rest.map(|x| n - x.len());
    if rest.is_none_or(|x| std::ptr::eq(x, &r[n - x.len()..])) {
        s.schema = schema;
        s.len = n as u8;
        s.text[..n].copy_from_slice(b);
        s.answer = Some((kind.clone(), reversed, at.map(|at| at as u8)));
    }
    (kind, reversed, rest)
}

/// Whether `kept[..b.len()]` is `b` (at most [`KindSlot::ROOM`] bytes): a
/// word or two from each end compared, not a call of `memcmp`.
#[inline(always)]
fn same_text(kept: &[u8; KindSlot::ROOM], b: &[u8]) -> bool {
    let n = b.len();
    let word =
        |x: &[u8], i: usize| u64::from_le_bytes(x[i..i + 8].try_into().expect("eight bytes"));
    let at = |i: usize| word(kept, i) == word(b, i);
    match n {
        0..8 => b.iter().zip(kept).all(|(x, y)| x == y),
        8..=16 => at(0) && at(n - 8),
        _ => at(0) && at(8) && at(n - 16) && at(n - 8),
    }
}

/// [`kind_of`]'s answers, [`KindSlot`]s by a hash of the role.
type KindSlots = [KindSlot; 128];

/// A role [`kind_of`] worked out: the schema (its address), the role's
/// text, the answer (where the rest of the role starts, if any).
struct KindSlot {
    schema: usize,
    len: u8,
    text: [u8; KindSlot::ROOM],
    answer: Option<(RelationKind<String>, bool, Option<u8>)>,
}

impl KindSlot {
    /// The longest role kept.
    const ROOM: usize = 32;
    const EMPTY: KindSlot = KindSlot {
        schema: 0,
        len: 0,
        text: [0; KindSlot::ROOM],
        answer: None,
    };
}

/// What a parser thread keeps from line to line for this lane (held by
/// its chunk's loop for all its lines, [`with_lane`]).
pub(super) struct Lane {
    /// The classes of the properties of the lines read lately.
    classes: PropKept<Class>,
    /// Per schema (by its place in [`super::super::schema::all`], made
    /// when first needed), the names of its properties met lately.
    names: Vec<Names>,
    /// The kinds of the roles of the lines read lately ([`kind_of`]).
    kinds: Box<KindSlots>,
}

impl Default for Lane {
    fn default() -> Self {
        Lane {
            classes: PropKept::default(),
            names: Vec::new(),
            kinds: Box::new([KindSlot::EMPTY; 128]),
        }
    }
}

/// `f` of this thread's [`Lane`] for [`direct`] (borrowed once for all
/// the lines of a chunk, not once a line).
pub(super) fn with_lane<R>(f: impl FnOnce(&mut Lane) -> R) -> R {
    LANE.with_borrow_mut(f)
}

/// The names of one schema's properties that lines gave lately (at most
/// [`Names::ROOM`], each of at most 16 bytes), in strictly rising order,
/// each with its [`Class`]: a line's properties, in rising order too,
/// are each compared where they are with the next few of these (two
/// words and the quote after), instead of being read to their closing
/// quote, checked to rise, and their class looked up. (A file's lines of
/// one schema name the same few properties, over and over.)
#[derive(Default)]
struct Names {
    n: usize,
    names: [Name; Names::ROOM],
}

/// One of [`Names`]: its text as a number (its bytes in order, zeros
/// after `len`), the mask of its bytes, and its class.
#[derive(Clone, Copy, Default)]
struct Name {
    key: u128,
    mask: u128,
    len: u8,
    class: Class,
}

impl Name {
    /// Its text.
    fn text(&self) -> [u8; 16] {
        self.key.to_le_bytes()
    }
}

impl Names {
    const ROOM: usize = 16;

    /// The name among `names[from..]` of the property whose name starts
    /// at byte `i` of line `b` (its opening quote), as `"NAME"`: its place
    /// in `names` and its length.
    #[inline(always)]
    fn find(&self, b: &[u8], i: usize, from: usize) -> Option<(usize, usize)> {
        // (The quote, sixteen bytes, and the quote after a name of
        // sixteen: a name is followed by more than that on a line.)
        let w: &[u8; 18] = b.get(i..i + 18)?.try_into().ok()?;
        if w[0] != b'"' {
            return None;
        }
        let v = u128::from_le_bytes(w[1..17].try_into().expect("sixteen bytes"));
        let names = self.names.get(from..self.n)?;
        for (j, e) in names.iter().enumerate() {
            if v & e.mask == e.key && w[1 + usize::from(e.len)] == b'"' {
                return Some((from + j, usize::from(e.len)));
            }
        }
        None
    }

    /// Keeps `name` (read from a line, after the names before it there)
    /// with its class `class`, if it is short enough and there is room:
    /// where the names after it are.
    #[cold]
    fn keep(&mut self, name: &[u8], class: Class) -> usize {
        let before = |e: &Name| rises(&e.text()[..usize::from(e.len)], name);
        let at = self.names[..self.n]
            .iter()
            .take_while(|e| before(e))
            .count();
        let same = at < self.n && self.names[at].text()[..usize::from(self.names[at].len)] == *name;
        if same {
            return at + 1;
        }
        if name.len() > 16 || self.n == Self::ROOM {
            return at;
        }
        let mut text = [0; 16];
        text[..name.len()].copy_from_slice(name);
        let e = Name {
            key: u128::from_le_bytes(text),
            mask: match name.len() {
                16 => u128::MAX,
                n => (1 << (8 * n)) - 1,
            },
            len: name.len() as u8,
            class,
        };
        self.names.copy_within(at..self.n, at + 1);
        self.names[at] = e;
        self.n += 1;
        at + 1
    }
}

/// Whether [`direct`] compares names with those of [`Names`] (always, but
/// in the tests that compare it with reading each name).
#[cfg(not(test))]
#[inline(always)]
fn names_on() -> bool {
    true
}

#[cfg(test)]
thread_local! {
    static NAMES_ON: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

#[cfg(test)]
fn names_on() -> bool {
    NAMES_ON.get()
}

thread_local! {
    static LANE: std::cell::RefCell<Lane> = std::cell::RefCell::new(Lane::default());
    /// [`read`]'s (the tokenizer's lane's), apart: [`LANE`] is held while
    /// a chunk is read.
    static TOKENIZED: std::cell::RefCell<Lane> = std::cell::RefCell::new(Lane::default());
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::fast::{self, Fast};
    use super::super::props::KnownSources;
    use super::super::{Loaded, loaded};
    use super::{COMPACT, DIRECT, DIRECT_ON, ON, PropKept, PropMemo, TAKEN, class_of};
    use crate::ftm::schema;
    use crate::graph::relid::{made_hash, made_id};

    /// Everything reading `line` (a batch of its own) gives: the values
    /// kept, the parties' marks, the notes, the mapped fields and what was
    /// noted for the chunk's source lookups; and whether the lane took it.
    fn read(line: &str, known: &KnownSources, lane: bool) -> (Option<String>, bool) {
        let (r, took, _) = read_direct(line, known, lane, true);
        (r, took)
    }

    /// [`read`], the direct lane on or off: and whether it took the line.
    fn read_direct(
        line: &str,
        known: &KnownSources,
        lane: bool,
        direct: bool,
    ) -> (Option<String>, bool, bool) {
        ON.set(lane);
        DIRECT_ON.set(direct);
        let taken = TAKEN.get();
        let direct_taken = DIRECT.get();
        let (r, spans, scratch) = fast::read_alone(line, known);
        ON.set(true);
        DIRECT_ON.set(true);
        let took = TAKEN.get() > taken;
        let direct = DIRECT.get() > direct_taken;
        let Some(r) = r else {
            return (None, took, direct);
        };
        let lists = format!(
            "{:?} {:?}",
            r.datasets(),
            r.lists.as_ref().map(|l| &l.provenance)
        );
        let Fast::Edge(e) = &r.body else {
            return (Some(format!("not an edge {lists}")), took, direct);
        };
        let values: Vec<(u32, u32, &str, &str)> = spans[e.values.0 as usize..e.values.1 as usize]
            .iter()
            .map(|&(k, v)| (k.start, v.start, k.of(line), v.of(line)))
            .collect();
        // (Compact fields as the box they make.)
        let filled;
        let (m, notes) = match (&e.pre, &e.compact) {
            (Some(pre), None) => (&pre.0, &pre.1),
            (None, Some(c)) => {
                let mut m = super::super::Mapped::default();
                c.fill(e.def, line, &mut m);
                filled = (m, super::super::issues::Notes::default());
                (&filled.0, &filled.1)
            }
            _ => panic!("mapped once"),
        };
        let mapped = format!(
            "{:?}",
            (
                (&m.names, &m.aliases, &m.weak_aliases, &m.note, &m.note_prop),
                (m.date, m.until, m.amount, &m.role, &m.edge, &m.outlet),
                (
                    &m.source_reqs,
                    m.found,
                    m.n_found,
                    &m.attrs,
                    &m.refs,
                    m.made_id
                ),
            )
        );
        let all = format!(
            "{values:?}\n{:#x}\n{:?} {:?}\n{mapped}\n{:?} {:?}\n{:?}\n{} {} {lists} {:?}",
            e.parties,
            e.notes.as_ref().map(|n| &n.list),
            e.notes.as_ref().map(|n| &n.unknown),
            notes.list,
            notes.unknown,
            scratch.cited.noted(line),
            r.hash,
            e.def.name,
            (e.id.start, e.id.end, r.found),
        );
        (Some(all), took, direct)
    }

    const SCHEMATA: [&str; 8] = [
        "UnknownLink",
        "Payment",
        "Directorship",
        "Membership",
        "Employment",
        "Ownership",
        "Family",
        "Debt",
    ];
    /// Properties other than the parties (some of no schema, some not of
    /// every schema).
    const PROPS: [&str; 20] = [
        "role",
        "relationship",
        "startDate",
        "endDate",
        "date",
        "amount",
        "currency",
        "publisher",
        "sourceUrl",
        "summary",
        "description",
        "amountEur",
        "recordId",
        "modifiedAt",
        "bogus",
        "name",
        "project",
        "proof",
        "transactionNumber",
        "beneficiaryAccount",
    ];
    const PARTIES: [&str; 8] = [
        "p-1", "a-1", "org-1", "x1.b-c", " p-1", "bad id", "", "SELF",
    ];

    /// The values property `prop` may have: mostly good, some not.
    fn pool(prop: &str) -> &'static [&'static str] {
        match prop {
            "role" | "relationship" => &[
                "signed",
                "party to: chair",
                "located in",
                "holds office",
                "chair",
                "",
                " ",
                "party to:",
            ],
            "startDate" | "endDate" | "date" | "modifiedAt" => &[
                "2019",
                "2019-05",
                "2019-05-09",
                "2019-05-09T10:00",
                "2020-01-01",
                "2018-12",
                " 2019 ",
                "2019-13-01",
                "",
                "x",
            ],
            "amount" | "amountEur" => &["7000", "1,000.50", "-5", "abc", "", " 12 "],
            "currency" => &["NOK", "usd", "EUR", "xx", " ", "eur "],
            "publisher" => &["NRK", "SVT", "ERR", ""],
            "sourceUrl" => &[
                "https://a.example/1",
                "https://b.example/2",
                "https://c.example/3",
            ],
            "project" | "proof" | "beneficiaryAccount" => &PARTIES,
            _ => &["a note", "v2", " ", ""],
        }
    }

    /// A relationship line: its schema, its parties' values, its other
    /// properties' values (indices into their pools), and its id's kind.
    fn line(
        s: usize,
        (src, tgt): (&[usize], &[usize]),
        props: &[(usize, Vec<usize>)],
        id: usize,
    ) -> String {
        line_in(s, (src, tgt), props, id, false)
    }

    /// [`line`], its properties in reverse order if `reversed`.
    fn line_in(
        s: usize,
        (src, tgt): (&[usize], &[usize]),
        props: &[(usize, Vec<usize>)],
        id: usize,
        reversed: bool,
    ) -> String {
        let name = SCHEMATA[s % SCHEMATA.len()];
        let def = schema::get(name).unwrap();
        let (sp, tp) = def.edge.unwrap();
        let mut map: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        let party = |i: &usize| PARTIES[i % PARTIES.len()];
        map.insert(sp, src.iter().map(party).collect());
        map.insert(tp, tgt.iter().map(party).collect());
        for (p, vals) in props {
            let p = PROPS[p % PROPS.len()];
            let pool = pool(p);
            map.insert(p, vals.iter().map(|i| pool[i % pool.len()]).collect());
        }
        // An id the export would make of these values (made again), or not.
        let made = || {
            let one = |p: &str| map.get(p).and_then(|v| v.first().copied());
            let role = one("role").or(one("relationship"));
            let (kind, _, role) = super::edge_kind(def, role);
            let label = match &kind {
                crate::model::RelationKind::Other(o) => o.clone(),
                k => k.known_label().unwrap_or("other").to_string(),
            };
            let date = one("startDate").and_then(|d| crate::model::date::parse_day(d).ok());
            let (a, b) = (one(sp).unwrap_or(""), one(tp).unwrap_or(""));
            made_id(made_hash(a, &label, b, role.unwrap_or(""), date))
        };
        let id = match id % 5 {
            0 | 1 => made(),
            2 => "r-1".to_string(),
            3 => "ties-rel-0123456789abcdef".to_string(),
            _ => "bad id".to_string(),
        };
        let mut props: Vec<String> = (map.iter())
            .map(|(k, vals)| {
                let vals: Vec<String> = vals
                    .iter()
                    .map(|v| format!("{:?}", v.replace("SELF", &id)))
                    .collect();
                format!("{k:?}:[{}]", vals.join(","))
            })
            .collect();
        if reversed {
            props.reverse();
        }
        format!(
            r#"{{"id":"{id}","properties":{{{}}},"schema":"{name}"}}"#,
            props.join(",")
        )
    }

    fn knowns() -> [KnownSources; 3] {
        [
            KnownSources::default(),
            KnownSources::of_texts(&[("https://a.example/1", true), ("NRK", false)]),
            KnownSources::of_texts(&[
                ("https://a.example/1", true),
                ("https://b.example/2", true),
                ("https://c.example/3", true),
                ("NRK", false),
                ("SVT", false),
            ]),
        ]
    }

    #[test]
    fn lines_as_exports_write_them_take_the_lane() {
        let known = &knowns()[1];
        let lines = [
            r#"{"id":"ties-rel-26d77a09ec9b6c8e","properties":{"amount":["7000"],"beneficiary":["p-0017735"],"currency":["NOK"],"payer":["min-0000000"],"publisher":["NRK"],"startDate":["2019-05-09"]},"schema":"Payment"}"#,
            r#"{"id":"ties-rel-9e41b6f09977a29e","properties":{"object":["pl-0000487"],"publisher":["ERR"],"role":["located in"],"sourceUrl":["https://news.example/3013"],"subject":["min-0000000"]},"schema":"UnknownLink"}"#,
            r#"{"id":"r-1","properties":{"director":["p-1"],"endDate":["2021"],"organization":["o-1"],"role":["chair"],"startDate":["2019-05"],"summary":["a","b"]},"schema":"Directorship"}"#,
        ];
        for l in lines {
            let (lane, took) = read(l, known, true);
            assert!(took, "{l}");
            assert_eq!(lane, read(l, known, false).0, "{l}");
        }
        // Several start dates (noted): the careful way.
        let l = r#"{"id":"r-2","properties":{"object":["a-1"],"startDate":["2019","2020"],"subject":["p-1"]},"schema":"UnknownLink"}"#;
        let (lane, took) = read(l, known, true);
        assert!(!took);
        assert_eq!(lane, read(l, known, false).0);
    }

    /// Every edge schema's source and target are entities (the lane
    /// tells a party by its type alone, as the cleaning marks them).
    #[test]
    fn edge_ends_are_entities() {
        for def in schema::all().iter().filter(|d| d.edge.is_some()) {
            let (s, t) = def.edge.unwrap();
            assert_eq!(def.prop(s), Some(schema::PropType::Entity), "{}", def.name);
            assert_eq!(def.prop(t), Some(schema::PropType::Entity), "{}", def.name);
        }
    }

    proptest! {
        /// Kinds of the roles kept answer as worked out afresh, role by
        /// role, in any order (roles of one hash sharing a slot).
        #[test]
        fn kept_kinds_are_those_worked_out(
            asked in prop::collection::vec((0usize..8, 0usize..15), 1..40),
        ) {
            // (The two of 22 bytes differ only inside, the first a kind's
            // phrase and the second not: their kept slot is the same, and
            // only the words between their ends tell them apart.)
            const ROLES: [&str; 15] = [
                "signed", "party to: chair", "located in", "holds office", "chair", "",
                "party to:", "related to", "owns", "a role of more than thirty-two bytes",
                "signed: x", "holds_office", "located in: the board!", "located ix: the board!",
                "party to: a role of 32 bytes ok!",
            ];
            let mut lane = super::Lane::default();
            for (s, r) in asked {
                let def = schema::get(SCHEMATA[s]).unwrap();
                let role = ROLES[r].to_string();
                let got = super::kind_of(def, Some(&role), &mut lane.kinds);
                prop_assert_eq!(got, super::edge_kind(def, Some(&role)));
            }
        }
    }

    /// The classes kept per property (in this thread's slots, shared by
    /// every schema, asked in many orders) are those worked out: for every
    /// property of every schema, and names no schema has.
    #[test]
    fn kept_classes_are_those_worked_out() {
        let mut asked = Vec::new();
        for def in schema::all() {
            for p in def.props {
                asked.push((def, p.0.to_string()));
            }
            for other in ["", "x", "nameX", "startdate", "a name of more than sixteen"] {
                asked.push((def, other.to_string()));
            }
        }
        let mut memo = PropMemo::default();
        let mut classes = PropKept::default();
        // (Three rounds, the last backwards: kept answers found again, and
        // slots taken over by other schemata's names.)
        let n = asked.len();
        for i in (0..n).chain(0..n).chain((0..n).rev()) {
            let (def, name) = (asked[i].0, asked[i].1.as_str());
            let worked = class_of(def, name, def.prop(name));
            let kept = classes.get(def, name, || class_of(def, name, memo.prop(def, name)));
            assert!(kept == worked, "{} {name}", def.name);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// A relationship line, generated or damaged, reads the same by the
        /// lane as the careful way: the values kept and their places, the
        /// parties' marks, the notes, every mapped field (the made id, the
        /// sources found or noted or left for the builder) and the id's hash.
        #[test]
        fn the_lane_reads_as_the_careful_way(
            s in 0usize..8,
            src in prop::collection::vec(0usize..8, 0..3),
            tgt in prop::collection::vec(0usize..8, 0..3),
            props in prop::collection::vec(
                (0usize..20, prop::collection::vec(0usize..12, 0..3)),
                0..7,
            ),
            id in 0usize..5,
            k in 0usize..3,
        ) {
            let known = &knowns()[k];
            let l = line(s, (&src, &tgt), &props, id);
            let (lane, _) = read(&l, known, true);
            let (careful, took) = read(&l, known, false);
            prop_assert!(!took);
            prop_assert_eq!(lane, careful, "{}", l);
        }

        /// Lines of the common shapes (one party of each end, one value
        /// of each property): most are taken by the lane, and read as the
        /// careful way reads them.
        #[test]
        fn common_lines_take_the_lane(
            s in 0usize..8,
            (a, b) in (0usize..4, 0usize..4),
            props in prop::collection::vec((0usize..9, 0usize..6), 0..6),
            id in 0usize..4,
            k in 0usize..3,
        ) {
            let known = &knowns()[k];
            let props: Vec<(usize, Vec<usize>)> = (props.into_iter())
                .map(|(p, v)| (p, vec![v]))
                .collect();
            let l = line(s, (&[a], &[b]), &props, id);
            let (lane, took) = read(&l, known, true);
            prop_assert_eq!(lane, read(&l, known, false).0, "{}", l);
            // Good values of the lane's properties (the first few of each
            // pool) of the schema: taken.
            let def = schema::get(SCHEMATA[s]).unwrap();
            let plain = props.iter().all(|(p, v)| {
                let p = PROPS[p % PROPS.len()];
                !matches!(p, "date" | "amount" | "currency") && def.prop(p).is_some() && v[0] < 3
            });
            if plain && a != b && id < 3 {
                prop_assert!(took, "{}", l);
            }
        }

        /// A relationship line, generated as exports write it or damaged
        /// (a byte put in or taken out anywhere, whitespace after it,
        /// properties out of order, other keys), reads the same with the
        /// direct lane as tokenized first: the same record, or none; and a
        /// line as exports write it that the lane takes, the direct lane
        /// takes too.
        #[test]
        fn the_direct_lane_reads_as_the_tokenizer(
            s in 0usize..8,
            src in prop::collection::vec(0usize..8, 0..3),
            tgt in prop::collection::vec(0usize..8, 0..3),
            props in prop::collection::vec(
                (0usize..20, prop::collection::vec(0usize..12, 0..3)),
                0..7,
            ),
            id in 0usize..5,
            k in 0usize..3,
            damage in 0usize..12,
            (at, junk) in (0usize..400, 0usize..16),
        ) {
            let known = &knowns()[k];
            let plain = line_in(s, (&src, &tgt), &props, id, damage == 4);
            // (4: the properties out of order.)
            let l = fast::damaged_line(&plain, damage, at, junk);
            let (direct, _, took) = read_direct(&l, known, true, true);
            let (tokenized, lane, not) = read_direct(&l, known, true, false);
            prop_assert!(!not);
            prop_assert_eq!(&direct, &tokenized, "{}", l);
            if matches!(damage, 0 | 1 | 5) && lane && junk % 5 != 4 {
                prop_assert!(took, "{}", l);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Streams of relationship lines (several schemata, each line's
        /// properties drawn anew, some lines damaged: a byte put in or
        /// taken out, a name grown or cut, properties out of order), read
        /// one after another by the direct lane comparing names with those
        /// of the lines before ([`super::Names`], kept from line to line),
        /// read the same as with every name read and looked up, and as
        /// tokenized first: line by line, the same record or none.
        #[test]
        fn names_kept_from_line_to_line_read_as_names_read(
            lines in prop::collection::vec(
                (
                    0usize..4,
                    (0usize..8, 0usize..8),
                    prop::collection::vec(
                        (0usize..20, prop::collection::vec(0usize..12, 1..3)),
                        0..6,
                    ),
                    0usize..5,
                    (0usize..8, 0usize..400, 0usize..16),
                ),
                1..40,
            ),
            k in 0usize..3,
        ) {
            const JUNK: [&str; 8] = ["\\", "\"", " ", ",", "}", "x", ":", "\u{1}"];
            let known = &knowns()[k];
            // (Names kept from no line before.)
            super::LANE.with_borrow_mut(|l| l.names.clear());
            let mut read_kept = Vec::new();
            let mut text = Vec::new();
            for (s, (a, b), props, id, (damage, at, junk)) in &lines {
                let plain = line_in(*s, (&[*a], &[*b]), props, *id, *damage == 4);
                let char_at = |l: &str| {
                    let mut p = at % (l.len() + 1);
                    while !l.is_char_boundary(p) {
                        p -= 1;
                    }
                    p
                };
                let l = match damage {
                    2 => {
                        let mut l = plain.clone();
                        l.insert_str(char_at(&l), JUNK[*junk % JUNK.len()]);
                        l
                    }
                    3 => {
                        let mut l = plain.clone();
                        let p = char_at(&l);
                        if p < l.len() {
                            l.remove(p);
                        }
                        l
                    }
                    // A name grown or cut by a byte.
                    5 => plain.replacen("\":[", "x\":[", 1 + junk % 3),
                    6 => plain.replacen("e\":[", "\":[", 1),
                    _ => plain,
                };
                read_kept.push(read_direct(&l, known, true, true));
                text.push(l);
            }
            super::NAMES_ON.set(false);
            let read_each: Vec<_> = (text.iter())
                .map(|l| read_direct(l, known, true, true))
                .collect();
            super::NAMES_ON.set(true);
            for ((l, kept), each) in text.iter().zip(&read_kept).zip(&read_each) {
                prop_assert_eq!(kept, each, "{}", l);
                let (tokenized, _, _) = read_direct(l, known, true, false);
                prop_assert_eq!(&kept.0, &tokenized, "{}", l);
            }
        }
    }

    /// A stream: things of some of the parties first (`things`: which),
    /// then relationship lines (as [`line`] makes them, some damaged as
    /// [`damaged`] does).
    fn stream(things: u8, rels: &[RelLine]) -> String {
        let mut text = String::new();
        for (i, p) in ["p-1", "a-1", "org-1", "x1.b-c"].iter().enumerate() {
            if things & (1 << i) != 0 {
                text.push_str(&format!(
                    r#"{{"id":"{p}","properties":{{"name":["N {p}"]}},"schema":"LegalEntity"}}"#
                ));
                text.push('\n');
            }
        }
        for (s, (src, tgt), props, id, (damage, at, junk)) in rels {
            let l = line(*s, (src, tgt), props, *id);
            text.push_str(&damaged(&l, *damage, *at, *junk));
            text.push('\n');
        }
        text
    }

    /// Properties of the common relationships (of the schemata with a
    /// role), the sources' more often.
    const COMMON: [usize; 10] = [0, 2, 3, 7, 8, 9, 10, 12, 7, 8];

    /// A relationship's schema, source and target parties and properties.
    type Makings = (usize, Vec<usize>, Vec<usize>, Vec<(usize, Vec<usize>)>);

    /// A relationship's makings `(s, src, tgt, props)` as drawn, or if
    /// `common` made of the common shape: a schema with a role, one good
    /// party of each end, properties of [`COMMON`] with good values (one
    /// of a date).
    fn common_shape(common: bool, (s, src, tgt, props): Makings) -> Makings {
        if !common {
            return (s, src, tgt, props);
        }
        let one = |v: &[usize], or: usize| vec![v.first().map_or(or, |p| p % 4)];
        let props = (props.into_iter())
            .map(|(p, v)| {
                let p = COMMON[p % COMMON.len()];
                let n = if matches!(p, 2 | 3) { 1 } else { v.len() };
                (p, v.iter().take(n).map(|i| i % 3).collect())
            })
            .collect();
        ([0, 2, 3, 4, 5][s % 5], one(&src, 0), one(&tgt, 1), props)
    }

    /// A relationship line's makings: schema, parties, properties, id, and
    /// damage.
    type RelLine = (
        usize,
        (Vec<usize>, Vec<usize>),
        Vec<(usize, Vec<usize>)>,
        usize,
        (usize, usize, usize),
    );

    /// `l` as written (most), a byte put in, or one taken out.
    fn damaged(l: &str, damage: usize, at: usize, junk: usize) -> String {
        const JUNK: [&str; 6] = ["\\", "\"", " ", ",", "}", "é"];
        let mut l = l.to_string();
        let mut p = at % (l.len() + 1);
        while !l.is_char_boundary(p) {
            p -= 1;
        }
        match damage {
            0 => l.insert_str(p, JUNK[junk % JUNK.len()]),
            1 if p < l.len() => {
                l.remove(p);
            }
            _ => {}
        }
        l
    }

    /// Reads `text` with compact records on and off, whole and a few lines
    /// a batch: the loads, and how many compact records were made.
    fn read_both(text: &str, piece: usize) -> [(Loaded, Loaded); 2] {
        let load = |on| {
            COMPACT.with(on, || {
                let whole = loaded(super::super::load_reader_with(
                    std::io::Cursor::new(text.as_bytes().to_vec()),
                    "t.ftm.json",
                    true,
                ));
                let pieces =
                    super::super::load_pieces_with(text.as_bytes(), "t.ftm.json", true, piece);
                (whole, loaded(pieces.0))
            })
        };
        let (on, off) = (load(true), load(false));
        [(on.0, off.0), (on.1, off.1)]
    }

    /// A stream of the common relationships, read a few lines a batch (the
    /// sources known to the parsers from the second batch on): most are
    /// compact, and read as boxed.
    #[test]
    fn streams_take_the_compact_lane() {
        let _one = COMPACT.lock();
        let rels: Vec<RelLine> = (0..40)
            .map(|i| {
                let props = vec![
                    (0, vec![i % 3]),
                    (2, vec![i % 4]),
                    (7, vec![i % 2, 1]),
                    (8, vec![i % 3]),
                    (9, vec![0]),
                ];
                // (Schemata with a role.)
                let s = [0, 2, 3, 4, 5][i % 5];
                (s, (vec![0], vec![1 + i % 3]), props, i % 2, (9, 0, 0))
            })
            .collect();
        let text = stream(0b1111, &rels);
        let before = COMPACT.taken();
        let [(whole, whole_off), (pieces, pieces_off)] = read_both(&text, 3);
        assert!(
            COMPACT.taken() - before >= 30,
            "{}",
            COMPACT.taken() - before
        );
        assert!(whole.is_ok());
        assert_eq!(whole, whole_off);
        assert_eq!(pieces, pieces_off);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// A relationship line, generated or damaged, reads the same with
        /// compact records on and off: the values, the notes, every mapped
        /// field (the compact ones as the box they make) and what was
        /// noted for the chunk's source lookups.
        #[test]
        fn compact_records_read_as_the_box(
            s in 0usize..8,
            src in prop::collection::vec(0usize..8, 0..3),
            tgt in prop::collection::vec(0usize..8, 0..3),
            props in prop::collection::vec(
                (0usize..20, prop::collection::vec(0usize..12, 0..4)),
                0..8,
            ),
            id in 0usize..5,
            k in 0usize..3,
            (damage, at, junk) in (0usize..4, 0usize..400, 0usize..6),
            common in prop::bool::weighted(0.7),
        ) {
            let _one = COMPACT.lock();
            let known = &knowns()[k];
            let (s, src, tgt, props) = common_shape(common, (s, src, tgt, props));
            let l = damaged(&line(s, (&src, &tgt), &props, id), damage, at, junk);
            for direct in [true, false] {
                let on = COMPACT.with(true, || read_direct(&l, known, true, direct));
                let off = COMPACT.with(false, || read_direct(&l, known, true, direct));
                prop_assert_eq!(on, off, "{}", l);
            }
        }

        /// Streams of relationship lines, generated or damaged (ids given
        /// again: fragments, duplicates; parties read before, or not, or
        /// the record's own), read whole and a few lines a batch with
        /// compact records on and off: the same graph, summary and problems.
        #[test]
        fn compact_streams_read_as_boxed(
            things in 0u8..16,
            rels in prop::collection::vec(
                (
                    0usize..8,
                    (
                        prop::collection::vec(0usize..8, 0..3),
                        prop::collection::vec(0usize..8, 0..3),
                    ),
                    prop::collection::vec(
                        (0usize..20, prop::collection::vec(0usize..12, 0..4)),
                        0..8,
                    ),
                    0usize..5,
                    (0usize..12, 0usize..400, 0usize..6),
                    prop::bool::weighted(0.7),
                ),
                1..24,
            ),
            piece in 1usize..6,
        ) {
            let _one = COMPACT.lock();
            let rels: Vec<RelLine> = (rels.into_iter())
                .map(|(s, (src, tgt), props, id, damage, common)| {
                    let (s, src, tgt, props) = common_shape(common, (s, src, tgt, props));
                    (s, (src, tgt), props, id, damage)
                })
                .collect();
            let text = stream(things, &rels);
            let [(whole, whole_off), (pieces, pieces_off)] = read_both(&text, piece);
            prop_assert_eq!(whole, whole_off, "{}", text);
            prop_assert_eq!(pieces, pieces_off, "{}", text);
        }
    }
}
