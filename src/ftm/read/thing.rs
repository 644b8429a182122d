//! The thing lane: a thing line (a record of a schema `ties` knows that is
//! not a relationship) of the shape most files write (each property one of
//! its schema's, every value kept as written, at most one date of each
//! kind, one amount with its currency, no entity references, …) mapped in
//! one pass over the places of its values in the batch's text, with
//! nothing copied: its id and its names stay places in the text (its other
//! names pushed on the chunk's spans, as a relationship's values are) until
//! the builder stores them, and its other fields are written into a spare
//! box of the parser thread's ([`SparePre`]), not allocated line by line.
//! Any other line (a value the cleaning drops or notes, a property the
//! schema lacks, several dates, an amount that does not read, a caption
//! picked among several names, …) is declined before anything is written,
//! and goes the careful way ([`super::clean::clean_spans`], then
//! [`super::records::prepare_thing`]), which the property tests below hold
//! this lane to: the same name, other names, mapped fields, notes and
//! sources.

use smallvec::SmallVec;

use super::super::mapping::{
    NAMES_ATTR, NOTE_ATTR, SCHEMA_ATTR, kind_for_schema, schema_for_kind, snake,
};
use super::super::schema::{PropKept, PropMemo, PropType, SchemaDef};
use super::clean::{Span, valid_id};
use super::plain::{cite_places, of, place};
use super::props::{Cited, Few, KnownSources, number};
use super::records::PreThing;
use super::{Loader, Mapped, PreEdge, SpanPair, SparePre, Text};
use crate::model::date::parse_day;
use crate::model::{Amount, EntityKind, PartialDate, trim};

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
}

#[cfg(test)]
pub(super) fn on() -> bool {
    ON.get()
}

/// A thing the lane read: its strings places in its batch's text.
pub(super) struct FastThing {
    pub(super) id: Span,
    pub(super) def: &'static SchemaDef,
    /// Its kind (the name of an `other` kind is its schema's, in snake case).
    pub(super) kind: EntityKind<()>,
    /// The name it is shown by: a value, its line's caption, or its id.
    pub(super) name: Span,
    /// Whether `name` is one of its `name` values.
    pub(super) name_is_value: bool,
    /// Its other names, in order: these of the chunk's spans, each
    /// `(property, value)`.
    pub(super) tagged: (u32, u32),
    /// Its other fields, mapped (`None` once the builder took them).
    pub(super) pre: Option<PreEdge>,
}

impl FastThing {
    /// Its other names, each with the tag of the property it came from
    /// (`n`ame, `a`lias, `p`reviousName), `text` its batch's and `spans`
    /// its chunk's.
    pub(super) fn tagged<'a>(
        &self,
        text: &'a str,
        spans: &'a [SpanPair],
    ) -> impl Iterator<Item = (&'a str, char)> + use<'a> {
        let list = &spans[self.tagged.0 as usize..self.tagged.1 as usize];
        list.iter().map(move |&(k, v)| {
            let tag = match k.of(text) {
                "name" => 'n',
                "previousName" => 'p',
                _ => 'a',
            };
            (v.of(text), tag)
        })
    }
}

/// A thing of the lane as [`super::records::prepare_thing`] makes it (its
/// strings copied out of its batch's `text`, its mapped fields taken), for
/// the careful way to merge it as a fragment.
pub(super) fn pre_thing(t: &mut FastThing, text: &str, spans: &[SpanPair]) -> PreThing {
    let m = (t.pre.as_deref_mut()).map_or_else(Mapped::default, |(m, _)| std::mem::take(m));
    let tagged = (t.tagged(text, spans)).map(|(n, c)| (n.to_string(), c));
    let name = t.name.of(text).to_string();
    PreThing::of_parts(name, t.name_is_value, tagged.collect(), m, t.def.name)
}

impl Loader {
    /// A thing of the lane, its strings places in its batch's `text` (its
    /// other names `spans` of it), built into the graph as
    /// [`Loader::build`] builds a thing the careful way prepared.
    /// (Not inlined: inlined into `Loader::take`, it took
    /// `Loader::take_all` out of its caller, and the relationships' way
    /// there cost more.)
    #[inline(never)]
    pub(super) fn thing_at(&mut self, t: &mut FastThing, text: &str, spans: &[SpanPair]) {
        self.summary.records += 1;
        self.count_schema_def(t.def.name);
        let id = t.id.of(text);
        if self.find_looked_up(0, id).is_some() {
            // A fragment (seldom): merged the careful way, from the record
            // made as that way makes it.
            let mut pre = pre_thing(t, text, spans);
            return self.thing(id, t.def.name, Some(t.def), &mut pre);
        }
        if self.held_already(id) {
            return;
        }
        let Some((m, _)) = t.pre.as_deref() else {
            return;
        };
        // (Its other names' values alone, in a plain loop.)
        let mut aliases: SmallVec<[&str; 4]> = SmallVec::new();
        for &(_, v) in &spans[t.tagged.0 as usize..t.tagged.1 as usize] {
            aliases.push(v.of(text));
        }
        let kind = |l: &mut Self| t.kind.map_other(|()| l.graph.intern(&snake(t.def.name)));
        self.add_thing(id, kind, t.name.of(text), &aliases, m);
    }
}

/// What the values of a property become.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    /// Names: `name`, then the aliases (`a`lias, `p`reviousName), weak ones.
    Name,
    Alias(char),
    Weak,
    /// A source cited: a URL, or a publisher.
    Url,
    Publisher,
    /// The note (the first such property's first value), else attributes.
    Note,
    /// An interval's start, its date (`date`, `contractDate`), its end.
    Start,
    Date,
    End,
    Amount,
    Currency,
    /// Attributes, as written.
    Attr,
}

/// What the lane does with a property of a schema: its type, its field,
/// and its place among the schema's caption properties (`u8::MAX`: not
/// one of them).
#[derive(Clone, Copy, PartialEq, Default)]
enum Class {
    Value(PropType, Field, u8),
    /// Not one of the schema's properties, an entity, or one this lane
    /// leaves to the careful way.
    #[default]
    Declined,
}

/// The class of property `name` of `def` (a thing's schema), of type
/// `ptype` there, as [`super::props::map_props`] maps a thing's.
fn class_of(def: &SchemaDef, name: &str, ptype: Option<PropType>) -> Class {
    let Some(ptype) = ptype else {
        return Class::Declined;
    };
    if def.edge.is_some() || ptype == PropType::Entity {
        return Class::Declined;
    }
    let dated = def.is_a("Interval") || def.name == "Contract";
    let money = def.prop("currency").is_some();
    let field = match name {
        "name" => Field::Name,
        "alias" => Field::Alias('a'),
        "previousName" => Field::Alias('p'),
        "weakAlias" => Field::Weak,
        "sourceUrl" => Field::Url,
        "publisher" => Field::Publisher,
        "summary" | "description" | "notes" => Field::Note,
        "date" | "contractDate" if dated => Field::Date,
        "startDate" if dated => Field::Start,
        "endDate" if dated => Field::End,
        "amount" if money => Field::Amount,
        "currency" if money => Field::Currency,
        // (Read as the amount when there is none: left to the careful way.)
        "amountEur" | "amountUsd" => return Class::Declined,
        _ => Field::Attr,
    };
    let caption = (def.caption.iter().position(|c| *c == name)).map_or(u8::MAX, |i| i as u8);
    Class::Value(ptype, field, caption)
}

/// What the lane needs of a schema, worked out once: its kind, whether
/// that kind exports as another schema (then [`SCHEMA_ATTR`] keeps it),
/// and the attribute a `date` value is kept under.
#[derive(Clone)]
struct Schema {
    def: usize,
    kind: EntityKind<()>,
    keeps_schema: bool,
    date_key: &'static str,
}

impl Schema {
    fn of(def: &'static SchemaDef) -> Schema {
        let kind = kind_for_schema(def.name);
        Schema {
            def: def as *const SchemaDef as usize,
            keeps_schema: schema_for_kind(&kind) != def.name,
            kind: kind.map_other(|_| ()),
            date_key: if def.prop("date").is_none() {
                "contractDate"
            } else {
                "date"
            },
        }
    }
}

thread_local! {
    /// The classes of the properties of the lines read lately.
    static CLASSES: std::cell::RefCell<PropKept<Class>> =
        std::cell::RefCell::new(PropKept::default());
    /// The schemata of the lines read lately.
    static SCHEMATA: std::cell::RefCell<Vec<Schema>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// [`Schema::of`] `def`, kept.
fn schema_of(def: &'static SchemaDef) -> Schema {
    let at = def as *const SchemaDef as usize;
    SCHEMATA.with_borrow_mut(|kept| {
        if let Some(s) = kept.iter().find(|s| s.def == at) {
            return s.clone();
        }
        let s = Schema::of(def);
        if kept.len() < 32 {
            kept.push(s.clone());
        }
        s
    })
}

/// A thing line's fields as the lane read them (places in its batch's
/// text), before anything is written.
#[derive(Default)]
struct Read<'t> {
    /// The `name` values, and the property's place.
    names: Few<Span>,
    name_key: Option<Span>,
    /// The aliases: `(property, value, tag)`.
    aliases: SmallVec<[(Span, Span, char); 4]>,
    weak: Few<&'t str>,
    urls: Few<Span>,
    publishers: Few<Span>,
    /// The note's property and value.
    note: Option<(&'t str, &'t str)>,
    attrs: SmallVec<[(&'t str, &'t str); 4]>,
    start: Option<(PartialDate, &'t str)>,
    date: Option<(PartialDate, &'t str)>,
    end: Option<(PartialDate, &'t str)>,
    amount: Option<&'t str>,
    currency: Option<&'t str>,
    /// The first caption property with values: its place among the
    /// schema's, its first value, how many it has, its name, whether it is
    /// `name`.
    caption: Option<(u8, Span, usize, &'t str, bool)>,
}

/// Reads a thing record of schema `def` (a thing's, checked by the
/// caller) and id `id`, its caption `caption` if the line has one, whose
/// properties `(name, start, end)`, sorted by name, each hold the values
/// `start..end` of `values`, all places in the line that starts at byte
/// `at` of `text` (`id` and `caption` places in `text`): its other names
/// pushed on `spans`, its other fields mapped, its sources found in
/// `known` or noted in `cited`, its `provenance` kept as attributes.
/// `None` (nothing pushed, noted or taken) for a line of another shape.
#[allow(clippy::too_many_arguments)]
pub(super) fn read(
    id: Span,
    def: &'static SchemaDef,
    caption: Option<Span>,
    (text, at): (&str, u32),
    (names, values): (&[(Span, u32, u32)], &[Span]),
    provenance: &[(String, String)],
    memo: &mut PropMemo,
    spans: &mut Vec<SpanPair>,
    (known, cited): (&KnownSources, &mut Cited),
) -> Option<FastThing> {
    let id_text = of(id, text);
    if def.edge.is_some() || !valid_id(id_text) {
        return None;
    }
    let mut r = Read::default();
    CLASSES.with_borrow_mut(|classes| {
        read_props(&mut r, def, (text, at), (names, values), (memo, classes))
    })?;
    // An end before the start is noted.
    let from = r.start.or(r.date);
    if let (Some((d, _)), Some((u, _))) = (from, r.end)
        && u.last_day() < d.first_day()
    {
        return None;
    }
    // An amount that does not read, or not with its currency, is noted.
    let money = match (r.amount, r.currency) {
        (Some(a), Some(c)) => Some(Amount::new(number(a).ok()?, c, false).ok()?),
        (Some(a), None) => {
            number(a).ok()?;
            None
        }
        _ => None,
    };
    // The name shown: the line's caption, else the library's (the first
    // caption property with values; its first value, but among several
    // names the one picked: the careful way's), else the first name, else
    // the id.
    let line_caption = caption
        .map(|c| of(c, text).trim())
        .filter(|c| !c.is_empty());
    let shown = match (line_caption, r.caption) {
        (Some(c), _) => Some(c),
        (None, Some((_, _, n, prop, _))) if n > 1 && def.type_name(prop) == Some("name") => {
            return None;
        }
        (None, Some((_, _, _, _, true))) => None,
        (None, Some((_, first, ..))) => Some(of(first, text)),
        (None, None) => None,
    };
    let name_of = |s: &Span| of(*s, text);
    // Every check made: from here on, the record is written.
    let tagged_start = spans.len();
    let (name, name_is_value) = match shown {
        Some(c) => {
            let key = r.name_key.unwrap_or(id);
            let is_value = r.names.iter().any(|n| name_of(n) == c);
            let others = r.names.iter().filter(|n| name_of(n) != c);
            spans.extend(others.map(|&n| (key, n)));
            (place(c, text), is_value)
        }
        None => match r.names.split_first() {
            Some((&first, rest)) => {
                let key = r.name_key.unwrap_or(id);
                let f = name_of(&first);
                spans.extend(rest.iter().filter(|n| name_of(n) != f).map(|&n| (key, n)));
                (first, true)
            }
            None => (id, false),
        },
    };
    let others = spans.len() - tagged_start;
    spans.extend(r.aliases.iter().map(|&(k, v, _)| (k, v)));
    let mut pre = SparePre::take();
    let (m, _) = &mut *pre;
    m.date = from.map(|(d, _)| d);
    m.until = r.end.map(|(u, _)| u);
    m.amount = money;
    m.weak_aliases.extend(r.weak.iter().map(|w| w.to_string()));
    let attr = |(k, v): (&str, &str)| (Text::from(k), Text::from(v));
    m.attrs.extend(r.attrs.iter().copied().map(attr));
    let schema = schema_of(def);
    // Dates said exactly by the span are not kept as written; a `date`
    // is (and with it the others).
    if let Some((_, date)) = r.date {
        let dates = [
            r.start.map(|(_, s)| ("startDate", s)),
            Some((schema.date_key, date)),
            r.end.map(|(_, e)| ("endDate", e)),
        ];
        m.attrs.extend(dates.into_iter().flatten().map(attr));
    }
    match (r.amount, r.currency) {
        (Some(a), None) => m.attrs.push(("amount".into(), a.into())),
        (None, Some(c)) => m.attrs.push(("currency".into(), c.into())),
        _ => {}
    }
    if let Some((_, note)) = r.note {
        m.note = Some(note.to_string());
    }
    cite_places(m, (&r.urls, &r.publishers), text, (known, cited));
    if schema.keeps_schema {
        m.attrs.push((SCHEMA_ATTR.into(), def.name.into()));
    }
    let tagged = spans.len() - tagged_start;
    if !name_is_value || tagged > 0 {
        // (Held inline, as most are short: no allocation.)
        let mut code = Text::const_new(if name_is_value { "N" } else { "-" });
        code.extend(std::iter::repeat_n('n', others));
        code.extend(r.aliases.iter().map(|a| a.2));
        m.attrs.push((NAMES_ATTR.into(), code));
    }
    if let Some((prop, _)) = r.note
        && prop != "description"
    {
        m.attrs.push((NOTE_ATTR.into(), prop.into()));
    }
    m.attrs
        .extend((provenance.iter()).map(|(k, v)| (k.as_str().into(), v.as_str().into())));
    #[cfg(test)]
    TAKEN.set(TAKEN.get() + 1);
    Some(FastThing {
        id,
        def,
        kind: schema.kind,
        name,
        name_is_value,
        tagged: (tagged_start as u32, spans.len() as u32),
        pre: Some(pre),
    })
}

/// [`read`]'s reading of the properties into `r`, each property's class
/// kept in `classes`; `None` for a line of another shape.
fn read_props<'t>(
    r: &mut Read<'t>,
    def: &'static SchemaDef,
    (text, at): (&'t str, u32),
    (names, values): (&[(Span, u32, u32)], &[Span]),
    (memo, classes): (&mut PropMemo, &mut PropKept<Class>),
) -> Option<()> {
    let bytes = text.as_bytes();
    for &(k, s, e) in names {
        let run = &values[s as usize..e as usize];
        // (A property without values is not looked at by the cleaning.)
        let Some(&first) = run.first() else {
            continue;
        };
        let k = k.shifted(at);
        let name = of(k, text);
        let class = classes.get(def, name, || class_of(def, name, memo.prop(def, name)));
        let Class::Value(ptype, field, rank) = class else {
            return None;
        };
        // Every value kept by the cleaning: a date that reads, any other
        // value not blank (a printable ASCII byte first, or not all
        // whitespace).
        let mut date = None;
        for &v in run {
            let v = v.shifted(at);
            let value = of(v, text);
            if ptype == PropType::Date {
                date = Some(parse_day(value).ok()?);
                if trim(value).is_empty() {
                    return None;
                }
            } else {
                let plain = (bytes.get(v.start as usize))
                    .is_some_and(|&c| c > b' ' && c < 0x7f && v.end > v.start);
                if !plain && trim(value).is_empty() {
                    return None;
                }
            }
        }
        let first = first.shifted(at);
        let one = run.len() == 1;
        if rank != u8::MAX && r.caption.is_none_or(|c| rank < c.0) {
            r.caption = Some((rank, first, run.len(), name, field == Field::Name));
        }
        let all = || run.iter().map(|&v| of(v.shifted(at), text));
        let once = |slot: &Option<(PartialDate, &'t str)>| {
            (one && slot.is_none() && ptype == PropType::Date).then_some(())
        };
        match field {
            Field::Name => {
                r.names.extend(run.iter().map(|v| v.shifted(at)));
                r.name_key = Some(k);
            }
            Field::Alias(tag) => {
                (r.aliases).extend(run.iter().map(|&v| (k, v.shifted(at), tag)));
            }
            Field::Weak => r.weak.extend(all()),
            Field::Url => r.urls.extend(run.iter().map(|v| v.shifted(at))),
            Field::Publisher => r.publishers.extend(run.iter().map(|v| v.shifted(at))),
            Field::Note if r.note.is_none() => {
                r.note = Some((name, of(first, text)));
                r.attrs.extend(all().skip(1).map(|v| (name, v)));
            }
            // (Several dates of a kind are noted.)
            Field::Start => {
                once(&r.start)?;
                r.start = date.map(|d| (d, of(first, text)));
            }
            Field::Date => {
                once(&r.date)?;
                r.date = date.map(|d| (d, of(first, text)));
            }
            Field::End => {
                once(&r.end)?;
                r.end = date.map(|d| (d, of(first, text)));
            }
            Field::Amount if one && r.amount.is_none() => r.amount = Some(of(first, text)),
            Field::Currency if one && r.currency.is_none() => r.currency = Some(of(first, text)),
            Field::Amount | Field::Currency => return None,
            Field::Note | Field::Attr => r.attrs.extend(all().map(|v| (name, v))),
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use proptest::prelude::*;

    use super::super::fast::{self, Fast, Scratch};
    use super::super::props::KnownSources;
    use super::super::{Body, Ready, load_pieces_with, load_reader_with, loaded, records};
    use super::{ON, TAKEN};
    use crate::ftm::schema;

    /// Everything reading `line` (a batch of its own) gives: the record's
    /// id and schema, its name, other names and mapped fields (as the
    /// careful way makes them), the notes, what was noted for the chunk's
    /// source lookups, the id's hash, the datasets and provenance; and
    /// whether the lane took it.
    fn read(line: &str, known: &KnownSources, lane: bool) -> (Option<String>, bool) {
        ON.set(lane);
        let taken = TAKEN.get();
        let mut scratch = Scratch::default();
        let mut spans = Vec::new();
        let r = fast::read(
            line.as_bytes(),
            Some((line, 0)),
            known,
            &mut scratch,
            &mut spans,
        );
        ON.set(true);
        let took = TAKEN.get() > taken;
        let Some(mut r) = r else { return (None, took) };
        let lists = r
            .lists
            .as_deref()
            .map(|l| (r.datasets().to_vec(), &l.provenance));
        let lists = format!("{lists:?}");
        let hash = r.hash;
        let (head, pre, notes) = match &mut r.body {
            Fast::Thing(t) => {
                let (_, notes) = &**t.pre.as_ref().expect("mapped");
                let notes = format!("{:?} {:?}", notes.list, notes.unknown);
                let head = format!("{} {}", t.id.of(line), t.def.name);
                (head, super::pre_thing(t, line, &spans), notes)
            }
            Fast::Ready(Ready {
                id,
                schema_name,
                notes,
                body: Body::Thing(pre),
                ..
            }) => {
                let pre = std::mem::replace(&mut **pre, records::pre_thing_empty());
                let head = format!("{id} {schema_name}");
                (head, pre, format!("{:?} {:?}", notes.list, notes.unknown))
            }
            _ => return (Some("not a thing".into()), took),
        };
        let all = format!(
            "{head}\n{}\n{notes}\n{:?}\n{hash}\n{lists}",
            pre.describe(),
            scratch.cited.noted(line),
        );
        (Some(all), took)
    }

    const SCHEMATA: [&str; 11] = [
        "Person",
        "Company",
        "Organization",
        "Address",
        "Event",
        "Contract",
        "Project",
        "Asset",
        "PublicBody",
        "Vessel",
        "Thing",
    ];
    /// Properties of every kind the mapping tells apart (some of no
    /// schema, some not of every schema, an entity, an amount in euros).
    const PROPS: [&str; 24] = [
        "name",
        "alias",
        "previousName",
        "weakAlias",
        "publisher",
        "sourceUrl",
        "notes",
        "summary",
        "description",
        "title",
        "full",
        "country",
        "startDate",
        "endDate",
        "date",
        "contractDate",
        "birthDate",
        "amount",
        "currency",
        "amountEur",
        "nonsense",
        "addressEntity",
        "city",
        "projectId",
    ];
    const IDS: [&str; 4] = ["p-1", "c-2.x", "bad id", "a"];
    const CAPTIONS: [&str; 5] = [" Capt ", "Anna Šimonytė", "", "  ", "ACME"];

    /// The values property `prop` may have: the first few good, then not.
    fn pool(prop: &str) -> &'static [&'static str] {
        match prop {
            "name" | "alias" | "previousName" | "weakAlias" => &[
                "Anna Šimonytė",
                "ACME",
                "Anna Simonyte",
                "Ελλάδα",
                " padded ",
                " ",
                "",
            ],
            // (An end before some starts.)
            "endDate" => &[
                "2018-12",
                "2020",
                "2019-05-09",
                "2019-05-09T10:00",
                " 2019 ",
                "2020-13",
                "x",
                "",
            ],
            "startDate" | "date" | "contractDate" | "birthDate" => &[
                "2019",
                "2019-05-09",
                "2018-12",
                "2019-05-09T10:00",
                " 2019 ",
                "2020-13",
                "x",
                "",
            ],
            "amount" | "amountEur" => &["7000", "1,000.50", "-5", "abc", "", " 12 "],
            "currency" => &["EUR", "usd", "NOK", "xx", " "],
            "publisher" => &["NRK", "SVT", "ERR", ""],
            "sourceUrl" => &[
                "https://a.example/1",
                "https://b.example/2",
                "http://c.example/3",
            ],
            "addressEntity" => &["p-2", "bad id", "SELF"],
            _ => &["a note", "v2", "ACME", " ", ""],
        }
    }

    /// A thing line: its schema, id, caption, its properties' values
    /// (indices into their pools), and whether it names datasets and
    /// provenance.
    fn line(
        s: usize,
        id: usize,
        caption: Option<usize>,
        props: &[(usize, Vec<usize>)],
        lists: bool,
    ) -> String {
        let name = SCHEMATA[s % SCHEMATA.len()];
        let id = IDS[id % IDS.len()];
        let mut map: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        for (p, vals) in props {
            let p = PROPS[p % PROPS.len()];
            let pool = pool(p);
            map.insert(p, vals.iter().map(|i| pool[i % pool.len()]).collect());
        }
        let props: Vec<String> = (map.iter())
            .map(|(k, vals)| {
                let vals: Vec<String> = vals
                    .iter()
                    .map(|v| format!("{:?}", v.replace("SELF", id)))
                    .collect();
                format!("{k:?}:[{}]", vals.join(","))
            })
            .collect();
        let caption = caption.map_or(String::new(), |c| {
            format!(r#""caption":{:?},"#, CAPTIONS[c % CAPTIONS.len()])
        });
        let lists = if lists {
            r#","datasets":["ds1"],"first_seen":["2024-01-01"],"referents":["r-1"," "]"#
        } else {
            ""
        };
        format!(
            r#"{{{caption}"id":"{id}","properties":{{{}}},"schema":"{name}"{lists}}}"#,
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
                ("http://c.example/3", true),
                ("NRK", false),
                ("SVT", false),
            ]),
        ]
    }

    #[test]
    fn lines_as_exports_write_them_take_the_lane() {
        let known = &knowns()[1];
        let lines = [
            r#"{"id":"p-0000008","properties":{"name":["Dainius Kasčiūnas"],"publisher":["Reuters"],"sourceUrl":["https://news.example/8004"]},"schema":"Person"}"#,
            r#"{"id":"p-0000021","properties":{"alias":["Оксана Павлюк","Oksana Pavlyuk"],"name":["Oksana Pavliuk"]},"schema":"Person"}"#,
            r#"{"id":"pl-0000010","properties":{"full":["Žvėrynas, Lviv"],"name":["Žvėrynas, Lviv"],"publisher":["Yle"],"sourceUrl":["https://news.example/1155"]},"schema":"Address"}"#,
            r#"{"id":"tr-0000016","properties":{"amount":["75000000"],"currency":["PLN"],"name":["8th PLN 75000000 tranche"],"publisher":["NRK"],"startDate":["2015-06"]},"schema":"Project"}"#,
            r#"{"id":"agr-0000017","properties":{"contractDate":["2015-02"],"name":["United States–Ukraine agreement"],"title":["United States–Ukraine agreement"]},"schema":"Contract"}"#,
            r#"{"id":"eq-0000022","properties":{"name":["Switchblade 600-3"],"publisher":["Reuters"]},"schema":"Asset"}"#,
            r#"{"id":"min-1","properties":{"name":["Ministry"],"notes":["a note"],"weakAlias":["MoD"]},"schema":"PublicBody"}"#,
        ];
        for l in lines {
            let (lane, took) = read(l, known, true);
            assert!(took, "{l}");
            assert_eq!(lane, read(l, known, false).0, "{l}");
        }
        // Several contract dates (noted), an entity, a caption among
        // several names: the careful way.
        for l in [
            r#"{"id":"agr-2","properties":{"contractDate":["2018-05-04","2020"],"name":["A"]},"schema":"Contract"}"#,
            r#"{"id":"p-2","properties":{"addressEntity":["a-1"],"name":["A"]},"schema":"Person"}"#,
            r#"{"id":"p-3","properties":{"name":["Anna","Ann"]},"schema":"Person"}"#,
        ] {
            let (lane, took) = read(l, known, true);
            assert!(!took, "{l}");
            assert_eq!(lane, read(l, known, false).0, "{l}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// A thing line, generated or damaged, reads the same by the lane
        /// as the careful way: the name, the other names and their tags,
        /// the notes, every mapped field (dates, amounts, notes, the
        /// attributes in order, the sources found or noted or left for
        /// the builder), the id's hash, datasets and provenance.
        #[test]
        fn the_lane_reads_as_the_careful_way(
            s in 0usize..11,
            id in 0usize..4,
            caption in prop::option::weighted(0.2, 0usize..5),
            props in prop::collection::vec(
                (0usize..24, prop::collection::vec(0usize..8, 0..3)),
                0..7,
            ),
            dates in prop::collection::vec(
                (12usize..16, prop::collection::vec(0usize..3, 1..3)),
                0..4,
            ),
            lists in any::<bool>(),
            k in 0usize..3,
        ) {
            let known = &knowns()[k];
            // (Good dates of every kind, more often than among the
            // others: ends before starts, several of a kind.)
            let props = [props, dates].concat();
            let l = line(s, id, caption, &props, lists);
            let (lane, _) = read(&l, known, true);
            let (careful, took) = read(&l, known, false);
            prop_assert!(!took);
            prop_assert_eq!(lane, careful, "{}", l);
        }

        /// Lines of the common shapes (one good value of each of its
        /// schema's name, source and text properties, a valid id): taken
        /// by the lane, and read as the careful way reads them.
        #[test]
        fn common_lines_take_the_lane(
            s in 0usize..11,
            id in 0usize..2,
            caption in prop::option::weighted(0.2, 0usize..2),
            props in prop::collection::vec((0usize..12, 0usize..3), 0..6),
            lists in any::<bool>(),
            k in 0usize..3,
        ) {
            let known = &knowns()[k];
            let props: Vec<(usize, Vec<usize>)> = (props.into_iter())
                .map(|(p, v)| (p, vec![v]))
                .collect();
            let l = line(s, id, caption, &props, lists);
            let (lane, took) = read(&l, known, true);
            prop_assert_eq!(lane, read(&l, known, false).0, "{}", l);
            let def = schema::get(SCHEMATA[s]).unwrap();
            if props.iter().all(|(p, _)| def.prop(PROPS[*p]).is_some()) {
                prop_assert!(took, "{}", l);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Streams of thing lines (ids given again: fragments merged, from
        /// the lane and the careful way alike; a relationship naming them)
        /// read whole and a few lines a batch by the fast path: the same
        /// graph, summary and problems as the careful reader.
        #[test]
        fn thing_streams_read_as_the_careful_reader(
            lines in prop::collection::vec(
                (
                    0usize..11,
                    0usize..4,
                    prop::option::weighted(0.1, 0usize..5),
                    prop::collection::vec(
                        (0usize..24, prop::collection::vec(0usize..4, 1..3)),
                        0..5,
                    ),
                    prop::bool::weighted(0.1),
                ),
                1..16,
            ),
            piece in 1usize..6,
        ) {
            let mut text = String::new();
            for (s, id, caption, props, lists) in &lines {
                text.push_str(&line(*s, *id, *caption, props, *lists));
                text.push('\n');
            }
            text.push_str(r#"{"id":"l-1","properties":{"object":["c-2.x"],"subject":["p-1"]},"schema":"UnknownLink"}"#);
            text.push('\n');
            let load = |fast| loaded(load_reader_with(Cursor::new(text.as_bytes().to_vec()), "t.ftm.json", fast));
            let careful = load(false);
            prop_assert_eq!(&load(true), &careful);
            let pieces = loaded(load_pieces_with(text.as_bytes(), "t.ftm.json", true, piece).0);
            prop_assert_eq!(&pieces, &careful);
        }
    }
}
