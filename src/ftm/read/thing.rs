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
//! sources. A line written as exports write it is read by [`direct`] in
//! one pass over its bytes (its head read once with a relationship's,
//! [`super::plain::head`]), not tokenized first; the property tests hold
//! it to the tokenizer's way.

use smallvec::SmallVec;

use super::super::mapping::{
    NAMES_ATTR, NOTE_ATTR, SCHEMA_ATTR, kind_for_schema, schema_for_kind, snake,
};
use super::super::schema::{PropKept, PropMemo, PropType, SchemaDef};
use super::clean::{Span, valid_id};
use super::plain::{Head, cite_places, note_cited, of, place, rising_name, value_list};
use super::props::{Cited, Cites, Few, KnownSources, number};
use super::records::PreThing;
use super::{Loader, Mapped, NO_IX, PreEdge, SpanPair, SparePre, Text, prop_ix};
use crate::graph::NewEntity;
use crate::model::Sym;
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
    static DIRECT_ON: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
    /// How many lines this thread's direct way took.
    static DIRECT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
pub(super) fn on() -> bool {
    ON.get()
}

/// Whether [`direct`] reads lines where it can (always, but in the tests
/// that compare it with the tokenizer's way).
#[cfg(not(test))]
#[inline(always)]
fn direct_on() -> bool {
    true
}

#[cfg(test)]
fn direct_on() -> bool {
    DIRECT_ON.get()
}

/// Whether a thing of the common shape is held as a [`CompactThing`]
/// (always, but in the tests that compare it with the box).
#[cfg(not(test))]
fn compact_on() -> bool {
    true
}

/// Whether [`CompactThing`]s are made, and how many were (in the tests,
/// by every thread).
#[cfg(test)]
static COMPACT: super::Switch = super::Switch::new();

#[cfg(test)]
fn compact_on() -> bool {
    COMPACT.on()
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
    /// Its other fields, mapped (`None` once the builder took them, or
    /// when they are in `compact`).
    pub(super) pre: Option<PreEdge>,
    /// Its other fields, when of the common shape ([`CompactThing`]: held
    /// here, not in a box).
    pub(super) compact: Option<CompactThing>,
}

// (Held in the record without making a batch's list of records longer:
// `Ready` is the larger kind.)
const _: () = assert!(std::mem::size_of::<FastThing>() <= std::mem::size_of::<super::Ready>());

/// A thing's mapped fields of the common shape, held in its record
/// ([`FastThing::compact`]) instead of a [`PreEdge`] box: every source it
/// cites noted for its chunk's lookup (at most three, so that with the
/// file's at most four are found), or none (the file's, found at once); no
/// provenance; at most [`CompactThing::WEAK`] weak aliases; at most
/// [`CompactThing::ATTRS`] attributes of its values, each named by one of
/// its schema's properties; a names code ([`NAMES_ATTR`]) of at most
/// [`CompactThing::CODE`] letters. Its strings are places in its batch's
/// text, its attributes' and note's names places among its schema's
/// properties ([`SchemaDef::props`]), the attributes of fixed names
/// ([`SCHEMA_ATTR`], [`NAMES_ATTR`], [`NOTE_ATTR`]) flags or held
/// inline: nothing on the heap, read in file order on the builder's thread
/// ([`Loader::thing_at`]). [`CompactThing::fill`] makes of it the
/// [`Mapped`] [`read`] would have made.
#[derive(Clone, Debug)]
pub(super) struct CompactThing {
    /// The sources its parser found (each once, then the file's): the
    /// first `n_found` ([`Mapped::found`]), and their list's key.
    found: [u32; 4],
    found_key: u64,
    amount: Option<Amount>,
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    /// The note (when `note_prop` is not [`NO_IX`]).
    note: Span,
    weak: [Span; CompactThing::WEAK],
    /// The attributes of its values in order: their values, their names'
    /// places among the schema's properties.
    attrs: [Span; CompactThing::ATTRS],
    names: [u8; CompactThing::ATTRS],
    /// Its names code ([`NAMES_ATTR`]; none when `n_code` is 0).
    code: [u8; CompactThing::CODE],
    n_code: u8,
    n_attrs: u8,
    n_weak: u8,
    n_found: u8,
    /// Its note's property's place among the schema's.
    note_prop: u8,
    /// Whether its schema is kept ([`SCHEMA_ATTR`]).
    keeps_schema: bool,
    /// Whether its note's property is kept ([`NOTE_ATTR`]).
    note_attr: bool,
}

const _: () = assert!(std::mem::size_of::<CompactThing>() <= 120);

impl CompactThing {
    /// The most attributes of its values held.
    const ATTRS: usize = 3;
    /// The most weak aliases held.
    const WEAK: usize = 2;
    /// The longest names code held.
    const CODE: usize = 6;

    /// Its attributes, `(name, value)`, those of fixed names last, as
    /// [`read`] orders them: `def` its schema, `text` its batch's.
    fn attrs<'a>(
        &'a self,
        def: &'static SchemaDef,
        text: &'a str,
    ) -> impl Iterator<Item = (&'static str, &'a str)> + 'a {
        let n = usize::from(self.n_attrs);
        let values = (self.names[..n].iter().zip(&self.attrs[..n]))
            .map(move |(&ix, &v)| (def.props[usize::from(ix)].0, of(v, text)));
        let schema = self.keeps_schema.then_some((SCHEMA_ATTR, def.name));
        let code = (self.n_code > 0).then(|| (NAMES_ATTR, self.code()));
        let note = (self.note_attr).then(|| (NOTE_ATTR, def.props[usize::from(self.note_prop)].0));
        values.chain(schema).chain(code).chain(note)
    }

    /// Its names code.
    fn code(&self) -> &str {
        let code = &self.code[..usize::from(self.n_code)];
        debug_assert!(code.is_ascii());
        // SAFETY: `compact` writes only ASCII letters there (`N`, `-`,
        // `n`, and the aliases' tags, `a` and `p`), and `n_code` of them.
        unsafe { std::str::from_utf8_unchecked(code) }
    }

    /// Its weak aliases (`text`: its batch's).
    fn weak<'a>(&'a self, text: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let weak = &self.weak[..usize::from(self.n_weak)];
        weak.iter().map(move |&w| of(w, text))
    }

    /// Its note (`text`: its batch's).
    fn note<'a>(&self, text: &'a str) -> Option<&'a str> {
        (self.note_prop != NO_IX).then(|| of(self.note, text))
    }

    /// The sources found, each once, then the file's.
    fn found(&self) -> &[u32] {
        &self.found[..usize::from(self.n_found)]
    }

    /// Fills `m` (emptied) as [`read`] would have: `def` its schema,
    /// `text` its batch's.
    fn fill(&self, def: &'static SchemaDef, text: &str, m: &mut Mapped) {
        m.date = self.date;
        m.until = self.until;
        m.amount = self.amount;
        m.weak_aliases.extend(self.weak(text).map(str::to_string));
        (m.attrs).extend((self.attrs(def, text)).map(|(k, v)| (Text::from(k), Text::from(v))));
        m.note = self.note(text).map(str::to_string);
        super::give_found((&self.found, self.n_found, self.found_key), m);
    }

    /// Sets the sources found for it: `ids[..n]`, their key; whether it
    /// can hold them.
    fn set_found(&mut self, ids: &[u32; 8], n: usize, key: u64) -> bool {
        super::hold_found(
            (&mut self.found, &mut self.n_found, &mut self.found_key),
            ids,
            n,
            key,
        )
    }
}

impl FastThing {
    /// Its mapped fields as a [`Mapped`] of their own, made of its
    /// compact ones if it has them (`text`: its batch's): for the ways
    /// that take a box (sources left for the builder).
    fn boxed(&mut self, text: &str) -> Option<&mut Mapped> {
        if let Some(c) = self.compact.take() {
            let mut pre = SparePre::take();
            c.fill(self.def, text, &mut pre.0);
            self.pre = Some(pre);
        }
        self.pre.as_deref_mut().map(|(m, _)| m)
    }

    /// The key of the list of sources its parser found, and how many it
    /// holds, when it is compact (for the builder to warm that list).
    pub(super) fn compact_found_key(&self) -> Option<(usize, u64)> {
        (self.compact.as_ref()).map(|c| (usize::from(c.n_found), c.found_key))
    }
}

impl Cites for FastThing {
    fn compact_found(&mut self, ids: &[u32; 8], n: usize, key: u64) -> bool {
        (self.compact.as_mut()).is_some_and(|c| c.set_found(ids, n, key))
    }

    fn mapped(&mut self, text: &str) -> Option<&mut Mapped> {
        self.boxed(text)
    }
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
    let mut m = (t.pre.as_deref_mut()).map_or_else(Mapped::default, |(m, _)| std::mem::take(m));
    if let Some(c) = t.compact.take() {
        c.fill(t.def, text, &mut m);
    }
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
        self.count_schema_def(t.def);
        let id = of(t.id, text);
        if self.find_looked_up(0, id).is_some() {
            // A fragment (seldom): merged the careful way, from the record
            // made as that way makes it.
            let mut pre = pre_thing(t, text, spans);
            return self.thing(id, t.def.name, Some(t.def), &mut pre);
        }
        if self.held_already(id) {
            return;
        }
        // (Its other names' values alone, in a plain loop.)
        let mut aliases: SmallVec<[&str; 4]> = SmallVec::new();
        for &(_, v) in &spans[t.tagged.0 as usize..t.tagged.1 as usize] {
            aliases.push(v.of(text));
        }
        let (def, kind) = (t.def, t.kind);
        let kind = |l: &mut Self| kind.map_other(|()| l.graph.intern(&snake(def.name)));
        if let Some(c) = &t.compact
            && c.n_found > 0
        {
            // Built straight from its compact fields: no `Mapped`.
            let sources = self
                .graph
                .source_set_keyed(bytemuck::cast_slice(c.found()), c.found_key);
            let mut weak: SmallVec<[&str; CompactThing::WEAK]> = SmallVec::new();
            weak.extend(c.weak(text));
            // (In plain loops: an iterator chained of four took ~140
            // instructions a thing.)
            let mut attrs: SmallVec<[(Sym, &str); 8]> = SmallVec::new();
            let n = usize::from(c.n_attrs);
            for (&ix, &v) in c.names[..n].iter().zip(&c.attrs[..n]) {
                let name = def.props[usize::from(ix)].0;
                attrs.push((self.attr_name(name), of(v, text)));
            }
            if c.keeps_schema {
                attrs.push((self.attr_name(SCHEMA_ATTR), def.name));
            }
            if c.n_code > 0 {
                attrs.push((self.attr_name(NAMES_ATTR), c.code()));
            }
            if c.note_attr {
                let prop = def.props[usize::from(c.note_prop)].0;
                attrs.push((self.attr_name(NOTE_ATTR), prop));
            }
            let entity = NewEntity {
                id,
                kind: kind(self),
                name: of(t.name, text),
                aliases: &aliases,
                weak_aliases: &weak,
                date: c.date,
                until: c.until,
                note: c.note(text),
                amount: c.amount,
                sources,
                attrs: &attrs,
            };
            self.add_new_entity(entity);
            return;
        }
        if t.compact.is_some() {
            // (Its sources not found by its parser: never, as its chunk's
            // lookup boxes those; but the box's way would take them.)
            t.boxed(text);
        }
        let Some((m, _)) = t.pre.as_deref() else {
            return;
        };
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
/// its place among the schema's caption properties (`u8::MAX`: not
/// one of them), and its place among the schema's properties
/// ([`SchemaDef::props`]; [`NO_IX`] past 254).
#[derive(Clone, Copy, PartialEq, Default)]
enum Class {
    Value(PropType, Field, u8, u8),
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
    Class::Value(ptype, field, caption, prop_ix(def, name))
}

/// What the lane needs of a schema, worked out once: its kind, whether
/// that kind exports as another schema (then [`SCHEMA_ATTR`] keeps it),
/// the attribute a `date` value is kept under, and the places among its
/// properties of those a [`CompactThing`]'s attributes may be named by
/// besides its own values' ([`NO_IX`]: not one of its).
#[derive(Clone)]
struct Schema {
    def: usize,
    kind: EntityKind<()>,
    keeps_schema: bool,
    date_key: &'static str,
    /// `startDate`, `date_key`, `endDate`, `amount`, `currency`, `publisher`.
    ix: [u8; 6],
}

impl Schema {
    fn of(def: &'static SchemaDef) -> Schema {
        let kind = kind_for_schema(def.name);
        let date_key = if def.prop("date").is_none() {
            "contractDate"
        } else {
            "date"
        };
        let ix = [
            "startDate",
            date_key,
            "endDate",
            "amount",
            "currency",
            "publisher",
        ]
        .map(|name| prop_ix(def, name));
        Schema {
            def: def as *const SchemaDef as usize,
            keeps_schema: schema_for_kind(&kind) != def.name,
            kind: kind.map_other(|_| ()),
            date_key,
            ix,
        }
    }
}

/// What the lane keeps from line to line: held by its parser thread's
/// [`super::fast::Scratch`] (taken as a thread-local on every line, its
/// lookups cost 1.6 % of a load).
#[derive(Default)]
pub(super) struct Kept {
    /// The classes of the properties of the lines read lately.
    classes: PropKept<Class>,
    /// The schemata of the lines read lately.
    schemata: Vec<Schema>,
}

impl Kept {
    /// [`Schema::of`] `def`, kept.
    fn schema(&mut self, def: &'static SchemaDef) -> Schema {
        let at = def as *const SchemaDef as usize;
        if let Some(s) = self.schemata.iter().find(|s| s.def == at) {
            return s.clone();
        }
        let s = Schema::of(def);
        if self.schemata.len() < 32 {
            self.schemata.push(s.clone());
        }
        s
    }
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
    /// The note's property, value, and the property's place among the
    /// schema's.
    note: Option<(&'t str, &'t str, u8)>,
    /// The attributes: `(property, value, the property's place)`.
    attrs: SmallVec<[(&'t str, &'t str, u8); 4]>,
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
    (memo, kept): (&mut PropMemo, &mut Kept),
    spans: &mut Vec<SpanPair>,
    (known, cited): (&KnownSources, &mut Cited),
) -> Option<FastThing> {
    if def.edge.is_some() || !valid_id(of(id, text)) {
        return None;
    }
    let mut r = Read::default();
    for &(k, s, e) in names {
        let run = &values[s as usize..e as usize];
        // (A property without values is not looked at by the cleaning.)
        if !run.is_empty() {
            let classes = &mut kept.classes;
            prop(&mut r, def, k.shifted(at), (run, at), text, (memo, classes))?;
        }
    }
    let thing = (id, def, caption);
    write(&r, thing, text, provenance, kept, spans, (known, cited))
}

/// The thing lane's direct way: a thing line written as exports write it
/// (its [`head`] read: `head.def` a thing's schema), its property names in
/// strictly rising order, read and mapped in one pass over its bytes, as
/// [`super::fast::read`] and then [`read`] would read it, with no lists of
/// the names' and values' places made to be walked again. `bytes` is the
/// line, starting at byte `at` of its batch's `text`; `values` a buffer of
/// the caller's. `None` (nothing pushed, noted or taken) for any other
/// line, which the tokenizer and [`read`] (or the careful way) then read.
pub(super) fn direct(
    bytes: &[u8],
    head: &Head,
    (text, at): (&str, u32),
    (memo, kept): (&mut PropMemo, &mut Kept),
    values: &mut Vec<Span>,
    spans: &mut Vec<SpanPair>,
    (known, cited): (&KnownSources, &mut Cited),
) -> Option<FastThing> {
    let &Head {
        def,
        id,
        props: mut i,
        close,
    } = head;
    debug_assert!(def.edge.is_none());
    if !on() || !direct_on() || !valid_id(of(id, text)) {
        return None;
    }
    let b = bytes;
    let place = |s: usize, e: usize| Span {
        start: at + s as u32,
        end: at + e as u32,
    };
    let mut r = Read::default();
    if b.get(i) != Some(&b'}') {
        let mut last: Option<&[u8]> = None;
        loop {
            let name_end = rising_name(b, i, &mut last)?;
            let k = place(i + 1, name_end);
            if b.get(name_end + 1..name_end + 3) != Some(b":[") {
                return None;
            }
            i = name_end + 3;
            values.clear();
            i = value_list(b, i, |s, e| values.push(place(s, e)))?;
            // (A property without values is not looked at by the cleaning.)
            if !values.is_empty() {
                let classes = &mut kept.classes;
                prop(&mut r, def, k, (values, 0), text, (memo, classes))?;
            }
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'}') => break,
                _ => return None,
            }
        }
    }
    (i == close).then_some(())?;
    let thing = write(&r, (id, def, None), text, &[], kept, spans, (known, cited))?;
    #[cfg(test)]
    DIRECT.set(DIRECT.get() + 1);
    Some(thing)
}

/// Writes the thing [`read`] (or [`direct`]) read into `r` (of id `id`,
/// schema `def`, its line's caption `caption`, its `provenance`), as
/// [`read`] says; `None` (nothing pushed, noted or taken) if a check of
/// its fields together declines it.
#[allow(clippy::too_many_arguments)]
fn write(
    r: &Read<'_>,
    (id, def, caption): (Span, &'static SchemaDef, Option<Span>),
    text: &str,
    provenance: &[(String, String)],
    kept: &mut Kept,
    spans: &mut Vec<SpanPair>,
    (known, cited): (&KnownSources, &mut Cited),
) -> Option<FastThing> {
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
    let schema = kept.schema(def);
    let tagged = spans.len() - tagged_start;
    #[cfg(test)]
    TAKEN.set(TAKEN.get() + 1);
    let thing = |pre, compact| FastThing {
        id,
        def,
        kind: schema.kind,
        name,
        name_is_value,
        tagged: (tagged_start as u32, spans.len() as u32),
        pre,
        compact,
    };
    if compact_on()
        && provenance.is_empty()
        && let Some(c) = compact(
            r,
            &schema,
            (from, money),
            (name_is_value, others),
            text,
            known,
        )
    {
        #[cfg(test)]
        COMPACT.took();
        note_cited((&r.urls, &r.publishers), cited);
        return Some(thing(None, Some(c)));
    }
    let mut pre = SparePre::take();
    let (m, _) = &mut *pre;
    m.date = from.map(|(d, _)| d);
    m.until = r.end.map(|(u, _)| u);
    m.amount = money;
    m.weak_aliases.extend(r.weak.iter().map(|w| w.to_string()));
    let attr = |(k, v): (&str, &str)| (Text::from(k), Text::from(v));
    m.attrs
        .extend(r.attrs.iter().map(|&(k, v, _)| attr((k, v))));
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
    if let Some((_, note, _)) = r.note {
        m.note = Some(note.to_string());
    }
    cite_places(m, (&r.urls, &r.publishers), text, (known, cited));
    if schema.keeps_schema {
        m.attrs.push((SCHEMA_ATTR.into(), def.name.into()));
    }
    if !name_is_value || tagged > 0 {
        // (Held inline, as most are short: no allocation.)
        let mut code = Text::const_new(if name_is_value { "N" } else { "-" });
        code.extend(std::iter::repeat_n('n', others));
        code.extend(r.aliases.iter().map(|a| a.2));
        m.attrs.push((NAMES_ATTR.into(), code));
    }
    if let Some((prop, _, _)) = r.note
        && prop != "description"
    {
        m.attrs.push((NOTE_ATTR.into(), prop.into()));
    }
    m.attrs
        .extend((provenance.iter()).map(|(k, v)| (k.as_str().into(), v.as_str().into())));
    Some(thing(Some(pre), None))
}

/// The [`CompactThing`] of the thing read into `r` (of schema `schema`;
/// `from` its first date, `money` its amount with its currency;
/// `name_is_value` whether its name is one of its `name` values, `others`
/// how many other `name` values it has), if it is of the common shape and
/// its sources are found on its parser thread (`known`: [`cite_places`]'
/// test); `None` for the box. What it holds is what [`read`] writes into
/// the box, as [`CompactThing::fill`] writes it.
#[inline]
fn compact(
    r: &Read<'_>,
    schema: &Schema,
    (from, money): (Option<(PartialDate, &str)>, Option<Amount>),
    (name_is_value, others): (bool, usize),
    text: &str,
    known: &KnownSources,
) -> Option<CompactThing> {
    let noted = if r.urls.is_empty() {
        &r.publishers
    } else {
        &r.urls
    };
    let n_code = 1 + others + r.aliases.len();
    if !known.has_keys()
        || noted.len() > 3
        || r.weak.len() > CompactThing::WEAK
        || n_code > CompactThing::CODE
    {
        return None;
    }
    let none = Span { start: 0, end: 0 };
    let mut c = CompactThing {
        found: [0; 4],
        found_key: 0,
        amount: money,
        date: from.map(|(d, _)| d),
        until: r.end.map(|(u, _)| u),
        note: none,
        weak: [none; CompactThing::WEAK],
        attrs: [none; CompactThing::ATTRS],
        names: [NO_IX; CompactThing::ATTRS],
        code: [0; CompactThing::CODE],
        n_code: 0,
        n_attrs: 0,
        n_weak: r.weak.len() as u8,
        n_found: 0,
        note_prop: NO_IX,
        keeps_schema: schema.keeps_schema,
        note_attr: false,
    };
    for (to, &w) in c.weak.iter_mut().zip(&r.weak) {
        *to = place(w, text);
    }
    let mut push = |ix: u8, v: &str| {
        let n = usize::from(c.n_attrs);
        (ix != NO_IX && n < CompactThing::ATTRS).then(|| {
            c.names[n] = ix;
            c.attrs[n] = place(v, text);
            c.n_attrs += 1;
        })
    };
    for &(_, v, ix) in &r.attrs {
        push(ix, v)?;
    }
    let [
        start_ix,
        date_ix,
        end_ix,
        amount_ix,
        currency_ix,
        publisher_ix,
    ] = schema.ix;
    if let Some((_, date)) = r.date {
        if let Some((_, s)) = r.start {
            push(start_ix, s)?;
        }
        push(date_ix, date)?;
        if let Some((_, e)) = r.end {
            push(end_ix, e)?;
        }
    }
    match (r.amount, r.currency) {
        (Some(a), None) => push(amount_ix, a)?,
        (None, Some(cur)) => push(currency_ix, cur)?,
        _ => {}
    }
    // (The publishers after the first, when URLs are cited.)
    if !r.urls.is_empty() {
        for &p in r.publishers.iter().skip(1) {
            push(publisher_ix, of(p, text))?;
        }
    }
    if let Some((prop, note, ix)) = r.note {
        (ix != NO_IX).then_some(())?;
        c.note = place(note, text);
        c.note_prop = ix;
        c.note_attr = prop != "description";
    }
    let tagged = others + r.aliases.len();
    if !name_is_value || tagged > 0 {
        c.code[0] = if name_is_value { b'N' } else { b'-' };
        c.code[1..1 + others].fill(b'n');
        for (to, a) in c.code[1 + others..].iter_mut().zip(&r.aliases) {
            *to = a.2 as u8;
        }
        c.n_code = n_code as u8;
    }
    if noted.is_empty() {
        // (None cited: the file's alone, found at once.)
        let (ids, n, key) = known.file_list();
        c.set_found(&ids, n, key).then_some(())?;
    }
    Some(c)
}

/// One property of [`read`] or [`direct`]: its name at `k` in `text`, its
/// values `run`, each a place `at` bytes before its place in `text` (not
/// empty), read into `r`, its class kept in `classes`; `None` for a line
/// of another shape.
#[inline(always)]
fn prop<'t>(
    r: &mut Read<'t>,
    def: &'static SchemaDef,
    k: Span,
    (run, at): (&[Span], u32),
    text: &'t str,
    (memo, classes): (&mut PropMemo, &mut PropKept<Class>),
) -> Option<()> {
    let bytes = text.as_bytes();
    let first = run[0];
    let name = of(k, text);
    let class = classes.get(def, name, || class_of(def, name, memo.prop(def, name)));
    let Class::Value(ptype, field, rank, ix) = class else {
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
    let places = || run.iter().map(|&v| v.shifted(at));
    let all = || places().map(|v| of(v, text));
    let once = |slot: &Option<(PartialDate, &'t str)>| {
        (one && slot.is_none() && ptype == PropType::Date).then_some(())
    };
    // (Pushed one by one: `SmallVec::extend` cost about sixty instructions
    // a call, even of one.)
    match field {
        Field::Name => {
            places().for_each(|v| r.names.push(v));
            r.name_key = Some(k);
        }
        Field::Alias(tag) => places().for_each(|v| r.aliases.push((k, v, tag))),
        Field::Weak => all().for_each(|v| r.weak.push(v)),
        Field::Url => places().for_each(|v| r.urls.push(v)),
        Field::Publisher => places().for_each(|v| r.publishers.push(v)),
        Field::Note if r.note.is_none() => {
            r.note = Some((name, of(first, text), ix));
            all().skip(1).for_each(|v| r.attrs.push((name, v, ix)));
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
        Field::Note | Field::Attr => all().for_each(|v| r.attrs.push((name, v, ix))),
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use proptest::prelude::*;

    use super::super::fast::{self, Fast};
    use super::super::props::KnownSources;
    use super::super::{Body, Ready, load_pieces_with, load_reader_with, loaded, records};
    use super::{COMPACT, DIRECT, DIRECT_ON, ON, TAKEN};
    use crate::ftm::schema;

    /// Everything reading `line` (a batch of its own) gives: the record's
    /// id and schema, its name, other names and mapped fields (as the
    /// careful way makes them), the notes, what was noted for the chunk's
    /// source lookups, the id's hash, the datasets and provenance; and
    /// whether the lane took it.
    fn read(line: &str, known: &KnownSources, lane: bool) -> (Option<String>, bool) {
        let (r, took, _) = read_with(line, known, (lane, true));
        (r, took)
    }

    /// [`read`] with the lane and its direct way each on or off: and
    /// whether each took the line.
    fn read_with(
        line: &str,
        known: &KnownSources,
        (lane, direct): (bool, bool),
    ) -> (Option<String>, bool, bool) {
        ON.set(lane);
        DIRECT_ON.set(direct);
        let (taken, direct_taken) = (TAKEN.get(), DIRECT.get());
        let (r, spans, scratch) = fast::read_alone(line, known);
        ON.set(true);
        DIRECT_ON.set(true);
        let took = TAKEN.get() > taken;
        let direct = DIRECT.get() > direct_taken;
        let Some(mut r) = r else {
            return (None, took, direct);
        };
        let lists = r
            .lists
            .as_deref()
            .map(|l| (r.datasets().to_vec(), &l.provenance));
        let lists = format!("{lists:?}");
        let hash = r.hash;
        let (head, pre, notes) = match &mut r.body {
            Fast::Thing(t) => {
                // (A compact thing notes nothing: nothing the lane takes
                // is noted.)
                let empty = super::super::issues::Notes::default();
                let notes = t.pre.as_deref().map_or(&empty, |(_, n)| n);
                assert!(t.pre.is_some() != t.compact.is_some(), "{line}");
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
            _ => return (Some("not a thing".into()), took, direct),
        };
        let all = format!(
            "{head}\n{}\n{notes}\n{:?}\n{hash}\n{lists}",
            pre.describe(),
            scratch.cited.noted(line),
        );
        (Some(all), took, direct)
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

    /// Properties drawn for a line (indices into [`PROPS`] and their pools).
    fn drawn_props() -> impl Strategy<Value = Vec<(usize, Vec<usize>)>> {
        prop::collection::vec((0usize..24, prop::collection::vec(0usize..8, 0..3)), 0..7)
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
            let (lane, took, direct) = read_with(l, known, (true, true));
            assert!(took && direct, "{l}");
            assert_eq!(lane, read(l, known, false).0, "{l}");
            assert_eq!(lane, read_with(l, known, (true, false)).0, "{l}");
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
            props in drawn_props(),
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

        /// A thing line, generated as exports write it or damaged (a byte
        /// put in or taken out anywhere, whitespace after it or between
        /// its tokens, properties out of order or named twice, other keys,
        /// an escape), reads the same by the direct way as tokenized
        /// first: the same record, or none; and a line as exports write it
        /// that the lane takes, the direct way takes too.
        #[test]
        fn the_direct_way_reads_as_the_tokenizer(
            s in 0usize..11,
            id in 0usize..4,
            caption in prop::option::weighted(0.1, 0usize..5),
            props in drawn_props(),
            lists in prop::bool::weighted(0.1),
            common in prop::bool::weighted(0.5),
            pick in prop::collection::vec((0usize..17, 0usize..4), 0..6),
            k in 0usize..3,
            damage in 0usize..16,
            (at, junk) in (0usize..400, 0usize..16),
        ) {
            let known = &knowns()[k];
            let props = common_props(common, &pick, props);
            let plain = line(s, id, caption, &props, lists);
            let l = match damage {
                // The first two properties swapped, or the first given
                // twice. (No value has a `]`: each ends at the first.)
                4 | 13 => {
                    let Some(p) = plain.find(r#""properties":{"#) else {
                        return Ok(());
                    };
                    let (start, mut i) = (p + 14, p + 14);
                    let mut entries = Vec::new();
                    while plain[i..].starts_with('"') {
                        let e = i + plain[i..].find(']').expect("a list") + 1;
                        entries.push(&plain[i..e]);
                        i = e + usize::from(plain[e..].starts_with(','));
                    }
                    if damage == 4 && entries.len() > 1 {
                        entries.swap(0, 1);
                    } else if let Some(&first) = entries.first() {
                        entries.insert(0, first);
                    }
                    format!("{}{}{}", &plain[..start], entries.join(","), &plain[i..])
                }
                11 => plain.replacen("A", r#"\u0041"#, 1),
                // The properties closed early, or given twice.
                14 => plain.replacen(r#"]},"schema":"#, r#"]}},"schema":"#, 1),
                15 => plain.replacen(
                    r#"},"schema":"#,
                    r#"},"properties":{"name":["B"]},"schema":"#,
                    1,
                ),
                _ => fast::damaged_line(&plain, damage, at, junk),
            };
            let (direct, _, took) = read_with(&l, known, (true, true));
            let (tokenized, lane, not) = read_with(&l, known, (true, false));
            prop_assert!(!not);
            prop_assert_eq!(&direct, &tokenized, "{}", l);
            let plain_shape = caption.is_none() && !lists;
            if matches!(damage, 0 | 1 | 5) && plain_shape && lane && junk % 5 != 4 {
                prop_assert!(took, "{}", l);
            }
            // And as the careful way.
            prop_assert_eq!(&direct, &read(&l, known, false).0, "{}", l);
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

    /// Whether the lane reads `line` (a batch of its own, sources looked
    /// up in `known`) into a compact thing.
    fn is_compact(line: &str, known: &KnownSources) -> bool {
        let (r, ..) = fast::read_alone(line, known);
        matches!(r, Some(r) if matches!(&r.body, Fast::Thing(t) if t.compact.is_some()))
    }

    /// The properties a thing of the common shape has (indices into
    /// [`PROPS`]: names, sources, notes, text, dates, money) and their
    /// values (the pools' first, good ones), drawn from `pick`: most
    /// picks of the common shape, the rest as `props`.
    fn common_props(
        common: bool,
        pick: &[(usize, usize)],
        props: Vec<(usize, Vec<usize>)>,
    ) -> Vec<(usize, Vec<usize>)> {
        const COMMON: [usize; 17] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 17, 18];
        if !common {
            return props;
        }
        let mut out = vec![(0, vec![0])];
        for &(p, v) in pick {
            let p = COMMON[p % COMMON.len()];
            // (Sources and aliases, weak ones too, once in a while two.)
            let vals = match p {
                1 | 3 | 4 | 5 if v >= 2 => vec![v % 3, (v + 1) % 3],
                _ => vec![v % 3],
            };
            out.push((p, vals));
        }
        out
    }

    /// `line` damaged (`how`: 0 not, 1 cut at byte `at`, 2 `junk` put
    /// there, 3 a value made empty), at a character boundary.
    fn damaged(line: &str, how: usize, at: usize, junk: usize) -> String {
        let mut at = at % (line.len() + 1);
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        match how {
            1 => line[..at].to_string(),
            2 => {
                let junk = [r#"""#, ",", "]", "x", "\\", "{", " "][junk % 7];
                format!("{}{junk}{}", &line[..at], &line[at..])
            }
            3 => line
                .replacen(r#"["ACME"]"#, r#"[""]"#, 1)
                .replacen("NRK", " ", 1),
            _ => line.to_string(),
        }
    }

    #[test]
    fn common_things_take_the_compact_lane() {
        let _one = COMPACT.lock();
        let known = &knowns()[2];
        let lines = [
            r#"{"id":"p-0000008","properties":{"name":["Dainius Kasčiūnas"],"publisher":["NRK"],"sourceUrl":["https://a.example/1"]},"schema":"Person"}"#,
            r#"{"id":"p-0000021","properties":{"alias":["Оксана Павлюк","Oksana Pavlyuk"],"name":["Oksana Pavliuk"]},"schema":"Person"}"#,
            r#"{"id":"pl-0000010","properties":{"full":["Žvėrynas, Lviv"],"name":["Žvėrynas, Lviv"],"publisher":["SVT"]},"schema":"Address"}"#,
            r#"{"id":"tr-0000016","properties":{"amount":["75000000"],"currency":["PLN"],"name":["8th PLN 75000000 tranche"],"publisher":["NRK"],"startDate":["2015-06"]},"schema":"Project"}"#,
            r#"{"id":"agr-0000017","properties":{"contractDate":["2015-02"],"name":["United States–Ukraine agreement"],"title":["United States–Ukraine agreement"]},"schema":"Contract"}"#,
            r#"{"id":"min-1","properties":{"name":["Ministry"],"notes":["a note"],"weakAlias":["MoD"]},"schema":"PublicBody"}"#,
            r#"{"id":"c-4","properties":{"alias":["Україна"],"name":["Ukraine"],"publisher":["NRK"],"sourceUrl":["https://b.example/2"]},"schema":"LegalEntity"}"#,
        ];
        for l in lines {
            assert!(is_compact(l, known), "{l}");
            let boxed = COMPACT.with(false, || read(l, known, true));
            assert_eq!(read(l, known, true), boxed, "{l}");
        }
        // No sources known yet, provenance, four attributes: the box.
        assert!(!is_compact(lines[0], &knowns()[0]));
        for l in [
            r#"{"id":"p-1","properties":{"name":["A"]},"schema":"Person","first_seen":["2024-01-01"]}"#,
            r#"{"id":"p-2","properties":{"country":["no"],"name":["A"],"notes":["a","b","c","d"]},"schema":"Person"}"#,
        ] {
            assert!(!is_compact(l, known), "{l}");
        }
        // A stream of them (known sources after the first pieces): most
        // things compact, read as with none.
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&lines[i % lines.len()].replacen(
                r#""id":""#,
                &format!(r#""id":"{i}-"#),
                1,
            ));
            text.push('\n');
        }
        let before = COMPACT.taken();
        let on = loaded(load_pieces_with(text.as_bytes(), "t.ftm.json", true, 3).0);
        assert!(
            COMPACT.taken() - before >= 30,
            "{}",
            COMPACT.taken() - before
        );
        let off = COMPACT.with(false, || {
            loaded(load_pieces_with(text.as_bytes(), "t.ftm.json", true, 3).0)
        });
        assert_eq!(on, off);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// A thing line, generated (most of the common shape) or damaged,
        /// reads the same with compact things on and off: the name, the
        /// other names, the notes, every mapped field (a compact thing
        /// as the box its `fill` makes), the sources found or noted, the
        /// id's hash, datasets and provenance.
        #[test]
        fn compact_things_read_as_the_box(
            s in 0usize..11,
            id in 0usize..4,
            caption in prop::option::weighted(0.1, 0usize..5),
            common in prop::bool::weighted(0.7),
            pick in prop::collection::vec((0usize..17, 0usize..4), 0..6),
            props in drawn_props(),
            lists in prop::bool::weighted(0.1),
            (how, at, junk) in (prop::sample::select(vec![0usize, 0, 0, 1, 2, 3]), 0usize..400, 0usize..7),
            k in 0usize..3,
        ) {
            let _one = COMPACT.lock();
            let known = &knowns()[k];
            let props = common_props(common, &pick, props);
            let l = damaged(&line(s, id, caption, &props, lists), how, at, junk);
            let on = read(&l, known, true);
            let off = COMPACT.with(false, || read(&l, known, true));
            prop_assert_eq!(on, off, "{}", l);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Streams of thing lines (most of the common shape, some damaged,
        /// ids given again: fragments merged; a relationship naming them)
        /// read whole and a few lines a batch with compact things on and
        /// off: the same graph, summary and problems.
        #[test]
        fn compact_thing_streams_read_as_boxed(
            lines in prop::collection::vec(
                (
                    (0usize..11, 0usize..6),
                    prop::option::weighted(0.05, 0usize..5),
                    prop::bool::weighted(0.8),
                    prop::collection::vec((0usize..17, 0usize..4), 0..5),
                    prop::collection::vec(
                        (0usize..24, prop::collection::vec(0usize..4, 1..3)),
                        0..5,
                    ),
                    prop::bool::weighted(0.05),
                    (prop::sample::select(vec![0usize, 0, 0, 0, 0, 1, 2, 3]), 0usize..400, 0usize..7),
                ),
                1..20,
            ),
            piece in 1usize..6,
        ) {
            let _one = COMPACT.lock();
            let mut text = String::new();
            for ((s, id), caption, common, pick, props, lists, (how, at, junk)) in lines {
                let props = common_props(common, &pick, props);
                let l = line(s, id, caption, &props, lists);
                // (Ids of their own mostly; some given again.)
                let l = if id < 4 { l } else { l.replacen(r#""id":""#, &format!(r#""id":"{}-"#, text.len()), 1) };
                text.push_str(&damaged(&l, how, at, junk));
                text.push('\n');
            }
            text.push_str(r#"{"id":"l-1","properties":{"object":["c-2.x"],"subject":["p-1"]},"schema":"UnknownLink"}"#);
            text.push('\n');
            let whole = |on| COMPACT.with(on, || loaded(load_reader_with(Cursor::new(text.as_bytes().to_vec()), "t.ftm.json", true)));
            let pieces = |on| COMPACT.with(on, || loaded(load_pieces_with(text.as_bytes(), "t.ftm.json", true, piece).0));
            prop_assert_eq!(whole(true), whole(false), "{}", text);
            prop_assert_eq!(pieces(true), pieces(false), "{}", text);
        }
    }
}
