//! GEXF, Gephi's format: versions 1.1 to 1.3 and the older 1.0 draft.
//!
//! A node's `label` is its name; `attvalues` are looked up in the declared
//! `<attributes>` and kept under their titles (titles that are ties fields, such
//! as `kind`, `date` or `amount`, fill those fields); an edge's `weight` is kept
//! as an attribute; `type="undirected"` (or the graph's `defaultedgetype`) makes
//! an undirected relation. Dynamics become dates: `start`/`end` on a node or edge
//! (`datestart`/`dateend` in 1.0, `timestamp` in 1.3) and the earliest start and
//! latest end of its `spells`. With a numeric `timeformat` (`double`, `float`,
//! `long`, `integer`: ordinal steps, as networkx writes them), a whole number
//! from 1000 to 2999 is read as a year and every other time is kept as a
//! `start`/`end` attribute (a step is not the year 0001).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::scan::{self, Decline, Ev, Scanner, Whole, local};
use super::xml::{Attribute, Names, OpenElements, attributes, get};
use super::xml_format::Chunked;
use super::{Field, Mode, Pos, Record, Sink, Text};
use crate::graph::Graph;
use crate::load::{LoadError, ProblemKind};

/// Bytes of GEXF per entity with its share of relations (about what
/// `ties export` writes): a first guess at the graph's size, to spare most
/// of its growing.
const PER_ENTITY: u64 = 1200;

/// A GEXF file: its root element is `<gexf>`; the `.gexf` extension is only a hint.
pub fn sniff(path: &Path, head: &[u8]) -> bool {
    super::has_extension(path, "gexf") || super::xml_root_is(head, "gexf")
}

/// What is being read.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
enum In {
    #[default]
    Node,
    Edge,
}

/// How times are written.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum TimeFormat {
    #[default]
    Date,
    Double,
}

/// Titles of declared attributes by id (and what a title makes a value).
#[derive(Default, Clone)]
struct Titles {
    by_id: HashMap<String, (String, Field), foldhash::fast::RandomState>,
    /// The same for ids of up to seven bytes (writers number them: `a0`,
    /// `1`), each id as a word ([`scan::key_print`]), and whether the title
    /// is `label` in any case: looked for in a short list, not hashed, for
    /// every `<attvalue>`. Every short id of `by_id` is here.
    short: Vec<(u64, String, Field, bool)>,
}

/// Short ids [`Titles::get`] looks for in a list; with more, in the map.
const SHORT_TITLES: usize = 32;

impl Titles {
    /// Declares attribute `id` with `title` (a later declaration wins).
    fn insert(&mut self, id: String, title: String) {
        let field = Field::of(&title);
        if id.len() < 8 {
            let print = scan::key_print(id.as_bytes(), 0, id.len());
            let label = title.eq_ignore_ascii_case("label");
            let entry = (print, title.clone(), field, label);
            match self.short.iter_mut().find(|(p, ..)| *p == print) {
                Some(old) => *old = entry,
                None => self.short.push(entry),
            }
        }
        self.by_id.insert(id, (title, field));
    }

    /// The title of attribute `id`, whose print is `print`
    /// ([`scan::key_print`]), what it makes a value, and whether it is
    /// `label` in any case; `None` when `id` was not declared.
    fn get(&self, id: &str, print: u64) -> Option<(&str, Field, bool)> {
        debug_assert_eq!(print, scan::key_print(id.as_bytes(), 0, id.len()));
        if id.len() < 8 && self.short.len() <= SHORT_TITLES {
            let (_, title, field, label) = self.short.iter().find(|(p, ..)| *p == print)?;
            return Some((title, *field, *label));
        }
        let (title, field) = self.by_id.get(id)?;
        Some((title, *field, title.eq_ignore_ascii_case("label")))
    }
}

#[derive(Default, Clone)]
struct State {
    /// Titles of declared attributes by id, nodes' then edges'.
    titles: [Titles; 2],
    /// Defaults of declared attributes, by class: `(title, value)`.
    defaults: Vec<(In, String, String)>,
    class: In,
    /// The attribute being declared: `(id, title)`.
    declaring: Option<(String, String)>,
    in_default: bool,
    default_edge_undirected: bool,
    time: TimeFormat,
    /// The record being read, where it started, and what it is.
    /// Nodes and edges being read (nodes nest in a hierarchy), innermost last.
    current: Vec<Open>,
    /// Times that could not be read as dates, kept as attributes.
    kept_times: usize,
    /// Reading a chunk of the file ([`Chunked`]), and whether a graph or a
    /// declaration began in it.
    chunked: bool,
    changed: bool,
    /// Nodes and edges read whole ([`whole_record`]).
    whole: usize,
}

impl Chunked for State {
    fn chunked(&mut self) {
        self.chunked = true;
        self.kept_times = 0;
    }

    fn rest(&self) -> Option<Vec<u8>> {
        let rest = self.current.is_empty()
            && self.declaring.is_none()
            && !self.in_default
            && !self.changed;
        rest.then(|| {
            vec![
                self.class as u8,
                u8::from(self.default_edge_undirected),
                self.time as u8,
            ]
        })
    }

    fn absorb(&mut self, chunk: &Self) {
        self.kept_times += chunk.kept_times;
    }
}

/// Reads a GEXF file.
pub fn read(path: &Path) -> Result<(Graph, Vec<String>), LoadError> {
    read_checked(path).map(|c| (c.graph, c.notes))
}

/// [`read`], with what the load worked around (a duplicate node id) as an
/// error for `--strict`.
pub fn read_checked(path: &Path) -> Result<super::Checked, LoadError> {
    read_checked_in(path, Mode::default())
}

/// How the format is read (see [`super::xml_format::Format`]).
const FORMAT: super::xml_format::Format<State> = super::xml_format::Format {
    per_entity: PER_ENTITY,
    events,
    fast_events,
    not_root: not_gexf,
    note,
};

/// [`read_checked`], built the way `mode` says: the fast tokenizer
/// ([`super::scan`]) first unless `mode` is [`Mode::Careful`], quick-xml when
/// it declines the file.
pub fn read_checked_in(path: &Path, mode: Mode) -> Result<super::Checked, LoadError> {
    FORMAT.read(path, mode)
}

/// What the reader left out, said after the load.
fn note(st: &State) -> Option<String> {
    (st.kept_times > 0).then(|| {
        format!(
            "{} times that are steps, not years, were kept as `start`/`end` attributes, not dates",
            st.kept_times
        )
    })
}

/// The file's events, from the fast tokenizer, into `b`, as [`events`]
/// takes quick-xml's; whether the root element was seen.
fn fast_events(
    scan: &mut Scanner<File>,
    b: &mut Sink<'_>,
    st: &mut State,
    mut seen_root: bool,
) -> Result<bool, Decline> {
    let mut text = String::new();
    let mut store: Vec<Attribute<'static>> = Vec::new();
    let mut spare = Spare::default();
    loop {
        if seen_root && st.plain() && whole_record(scan, b, st, &mut spare)? {
            text.clear();
            continue;
        }
        let Some((at, ev)) = scan.next()? else {
            break;
        };
        let at = Pos::Byte(at);
        match ev {
            Ev::Start(name, raw) | Ev::Empty(name, raw) => {
                let empty = matches!(ev, Ev::Empty(..));
                if !empty {
                    text.clear();
                }
                if !seen_root {
                    if empty || local(name) != b"gexf" {
                        return Err(Decline);
                    }
                    seen_root = true;
                }
                let mut attrs = scan::recycle(std::mem::take(&mut store));
                scan::attributes(raw, Names::Local, &mut attrs)?;
                start(b, st, local(name), &attrs, at, empty);
                store = scan::recycle(attrs);
            }
            Ev::Text(t) => text.push_str(&t),
            Ev::End(name) => {
                end(b, st, local(name), &text);
                text.clear();
            }
        }
    }
    Ok(seen_root)
}

/// Lists kept from one record to the next, emptied (their allocations kept).
#[derive(Default)]
struct Spare {
    attrs: Vec<Attribute<'static>>,
    value_attrs: Vec<Attribute<'static>>,
    values: Vec<Attribute<'static>>,
    found: Vec<Found>,
    /// Where the start tag's attributes lie ([`scan::plain_start_tag`]).
    spans: Vec<scan::Span>,
}

/// Where an `<attvalue>` tag's `for` and `value` lie in the element read
/// whole, or else all its attributes.
#[derive(Clone, Copy)]
enum Found {
    Plain(u32, u32, u32, u32),
    Attrs(usize, usize),
}

impl State {
    /// Between records: no node, edge or declaration open, so that a whole
    /// node or edge is read the same way from here by [`whole_record`] as
    /// by the events.
    fn plain(&self) -> bool {
        self.current.is_empty() && self.declaring.is_none() && !self.in_default
    }
}

/// The space and the node or edge next in the scanner's block, read whole
/// when it has the shape writers give it: `<node …>` or `<edge …>`, then
/// only `<attvalues>`, `<attvalue …/>`, `</attvalues>` and space, then its
/// end tag (or `<node …/>`). Filed as the events would file it; whether it
/// was (anything else, or a problem, is left to the events).
///
/// Nothing is filed before the whole element is found and read: its text
/// checked as UTF-8 once, its attributes read as the tokenizer reads them
/// ([`scan::attributes_str`]).
fn whole_record(
    scan: &mut Scanner<File>,
    b: &mut Sink<'_>,
    st: &mut State,
    spare: &mut Spare,
) -> Result<bool, Decline> {
    scan.whole(|s, at| {
        let mut tag = Tag::default();
        let mut values = scan::recycle(std::mem::take(&mut spare.values));
        let shape = record_shape(s, spare, &mut tag, &mut values);
        let shape = match shape {
            Ok(shape) => shape,
            Err(e) => {
                spare.values = scan::recycle(values);
                return Err(e);
            }
        };
        let what = if s[1] == b'n' { In::Node } else { In::Edge };
        let mut open = open_record(b, st, what, &tag, Pos::Byte(at));
        let n = match shape {
            Shape::Plain(n, text) => {
                // Each value read where it lies, not put in a list of
                // (Cow, Cow) first (built on the stack and copied in, its
                // 16-byte loads waiting on the 8-byte stores just made).
                for &f in &spare.found {
                    if let Found::Plain(f0, f1, v0, v1) = f {
                        let id = &text[f0 as usize..f1 as usize];
                        let value = &text[v0 as usize..v1 as usize];
                        // The id's print read where it lies, with the
                        // bytes after it (the same word: `key_print`).
                        let print = scan::key_print(s, f0 as usize, f1 as usize);
                        attvalue(b, &st.titles, &mut open, id, print, value);
                    }
                }
                n
            }
            Shape::Decoded(n) => {
                for (id, value) in values.drain(..) {
                    let print = scan::key_print(id.as_bytes(), 0, id.len());
                    attvalue(b, &st.titles, &mut open, &id, print, &value);
                }
                n
            }
        };
        finish_record(b, st, open);
        spare.values = scan::recycle(values);
        st.whole += 1;
        Ok(n)
    })
}

/// How the values of a node or edge read whole ([`record_shape`]) are
/// found, and its length.
enum Shape<'a> {
    /// In its text, with no reference to decode, where `Spare::found`
    /// says (each `<attvalue>` written as writers write it).
    Plain(usize, &'a str),
    /// In the list of values, read out (and decoded).
    Decoded(usize),
}

/// The node or edge at `s[0]` read whole (see [`whole_record`]): its
/// length; what its tag's attributes say into `attrs` (empty), its values
/// (`(id, value)`) into `values` (empty) unless they are read where they
/// lie ([`Shape::Plain`]): filled where they lie, not handed back
/// (hundreds of bytes copied twice).
fn record_shape<'a>(
    s: &'a [u8],
    spare: &mut Spare,
    attrs: &mut Tag<'a>,
    values: &mut Vec<Attribute<'a>>,
) -> Result<Shape<'a>, Whole> {
    const VALUES: &[u8] = b"<attvalues>";
    const VALUES_END: &[u8] = b"</attvalues>";
    let name: &[u8] = match s.get(1..5) {
        Some(b"node") => b"node",
        Some(b"edge") => b"edge",
        Some(_) => return Err(Whole::No),
        None => return Err(Whole::More),
    };
    const FOR: &[u8] = b"<attvalue for=\"";
    const VALUE: &[u8] = b" value=\"";
    let (tag, empty, plain) = scan::record_start_tag(s, name, &mut spare.spans)?;
    let found = &mut spare.found;
    found.clear();
    let mut in_values = false;
    let mut i = tag;
    let len = loop {
        if empty {
            break tag;
        }
        i += scan::spaces(&s[i..]);
        let rest = &s[i..];
        if rest.len() < VALUES_END.len() {
            return Err(Whole::More);
        }
        if rest[0] != b'<' {
            return Err(Whole::No);
        }
        if rest[1] == b'/' {
            if in_values && rest.starts_with(VALUES_END) {
                in_values = false;
                i += VALUES_END.len();
                continue;
            }
            let end = i + 2 + name.len();
            if !in_values && s[i + 2..end] == *name && s[end] == b'>' {
                break end + 1;
            }
            return Err(Whole::No);
        }
        if rest.starts_with(VALUES) {
            if in_values {
                return Err(Whole::No);
            }
            in_values = true;
            i += VALUES.len();
            continue;
        }
        // `<attvalue for="…" value="…"/>`, as writers write it, read here;
        // any other by its attributes below.
        if rest.starts_with(FOR) {
            let f0 = i + FOR.len();
            let f1 = f0 + scan::find_short(b'"', &s[f0..]).ok_or(Whole::More)?;
            let v0 = f1 + 1 + VALUE.len();
            let tail = s.get(f1 + 1..v0).ok_or(Whole::More)?;
            if tail == VALUE {
                let v1 = v0 + scan::find_byte16(b'"', &s[v0..]).ok_or(Whole::More)?;
                match s.get(v1 + 1..v1 + 3) {
                    Some(b"/>") => {
                        found.push(Found::Plain(f0 as u32, f1 as u32, v0 as u32, v1 as u32));
                        i = v1 + 3;
                        continue;
                    }
                    None => return Err(Whole::More),
                    Some(_) => {}
                }
            }
        }
        let (vtag, vempty) = scan::start_tag(rest, b"attvalue")?;
        if !vempty {
            return Err(Whole::No);
        }
        found.push(Found::Attrs(i + 9, i + vtag - 2));
        i += vtag;
    };
    // Values to decode only when the element has a reference.
    let (text, refs) = scan::text_and_refs(&s[..len]).ok_or(Whole::No)?;
    let no = |_| Whole::No;
    let decode = |raw| {
        if refs {
            scan::text_value(raw).map_err(no)
        } else {
            Ok(Cow::Borrowed(raw))
        }
    };
    if plain {
        for &(k0, k1, v0, v1) in &spare.spans {
            // Only the values of attributes read are cut out.
            let Some(slot) = attrs.slot_at(s, k0 as usize, k1 as usize) else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(decode(&text[v0 as usize..v1 as usize])?);
            }
        }
    } else {
        let raw = &text[1 + name.len()..tag - 1 - usize::from(empty)];
        let mut all = scan::recycle(std::mem::take(&mut spare.attrs));
        scan::attributes_str(raw, Names::Local, &mut all).map_err(no)?;
        for (key, value) in all.drain(..) {
            attrs.set(&key, value);
        }
        spare.attrs = scan::recycle(all);
    }
    if !refs && (spare.found.iter()).all(|f| matches!(f, Found::Plain(..))) {
        return Ok(Shape::Plain(len, text));
    }
    for &f in &spare.found {
        let (a, b) = match f {
            Found::Plain(f0, f1, v0, v1) => {
                let id = decode(&text[f0 as usize..f1 as usize])?;
                let value = decode(&text[v0 as usize..v1 as usize])?;
                values.push((id, value));
                continue;
            }
            Found::Attrs(a, b) => (a, b),
        };
        let mut v = scan::recycle(std::mem::take(&mut spare.value_attrs));
        scan::attributes_str(&text[a..b], Names::Local, &mut v).map_err(no)?;
        let first = |v: &[Attribute<'_>], key: &str| v.iter().position(|(k, _)| k == key);
        let id = first(&v, "for").or(first(&v, "id"));
        let id = id.map_or(Cow::Borrowed(""), |at| std::mem::take(&mut v[at].1));
        let value = first(&v, "value").map_or(Cow::Borrowed(""), |at| std::mem::take(&mut v[at].1));
        values.push((id, value));
        spare.value_attrs = scan::recycle(v);
    }
    Ok(Shape::Decoded(len))
}

/// Reads the file's events into `b`; whether the root element was seen.
fn events(reader: &mut Reader<BufReader<File>>, b: &mut Sink<'_>, st: &mut State) -> bool {
    let mut buf = Vec::new();
    let mut text = String::new();
    let mut seen_root = false;
    // Open elements, to tell a cut-short file.
    let mut open = OpenElements::default();
    loop {
        let at = Pos::Byte(reader.buffer_position());
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                b.problem(
                    Pos::Byte(reader.error_position()),
                    ProblemKind::Invalid {
                        format: "GEXF",
                        message: e.to_string(),
                    },
                );
                break;
            }
        };
        match event {
            Event::Start(e) => {
                text.clear();
                open.push(e.name().as_ref());
                if !seen_root {
                    seen_root = true;
                    if e.local_name().as_ref() != b"gexf" {
                        b.problem(at, not_gexf());
                        break;
                    }
                }
                start_tag(b, st, &e, at, false);
            }
            Event::Empty(e) => {
                if !seen_root {
                    b.problem(at, not_gexf());
                    break;
                }
                start_tag(b, st, &e, at, true);
            }
            ev @ (Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) => {
                match super::xml::event_text(&ev) {
                    Some(Ok(s)) => text.push_str(&s),
                    Some(Err(message)) => b.problem(at, invalid(message)),
                    None => {}
                }
            }
            Event::End(e) => {
                open.pop();
                end(b, st, e.local_name().as_ref(), &text);
                text.clear();
            }
            Event::Eof => {
                if let Some(name) = open.last() {
                    b.problem(at, invalid(format!("the file ends before `</{name}>`")));
                }
                break;
            }
            _ => {}
        }
        buf.clear();
    }
    seen_root
}

fn invalid(message: String) -> ProblemKind {
    ProblemKind::Invalid {
        format: "GEXF",
        message,
    }
}

fn not_gexf() -> ProblemKind {
    invalid("the root element is not `<gexf>`".to_string())
}

/// A start tag quick-xml read.
fn start_tag(b: &mut Sink<'_>, st: &mut State, e: &BytesStart<'_>, at: Pos, empty: bool) {
    match attributes(e, Names::Local) {
        Ok(attrs) => start(b, st, e.local_name().as_ref(), &attrs, at, empty),
        Err(m) => b.problem(at, invalid(m)),
    }
}

/// A start tag: its local name and attributes.
fn start(
    b: &mut Sink<'_>,
    st: &mut State,
    name: &[u8],
    attrs: &[Attribute<'_>],
    at: Pos,
    empty: bool,
) {
    if st.chunked && matches!(name, b"graph" | b"attributes" | b"attribute" | b"default") {
        st.changed = true;
    }
    match name {
        b"graph" => {
            st.default_edge_undirected =
                matches!(get(attrs, "defaultedgetype"), Some("undirected" | "mutual"));
            st.time = match get(attrs, "timeformat") {
                Some("double" | "float" | "integer" | "long") => TimeFormat::Double,
                _ => TimeFormat::Date,
            };
        }
        b"attributes" => {
            st.class = match get(attrs, "class") {
                Some("edge") => In::Edge,
                _ => In::Node,
            };
        }
        b"attribute" => {
            let id = get(attrs, "id").unwrap_or_default().to_string();
            let title = get(attrs, "title").unwrap_or(&id).to_string();
            st.titles[st.class as usize].insert(id.clone(), title.clone());
            if !empty {
                st.declaring = Some((id, title));
            }
        }
        b"default" => st.in_default = st.declaring.is_some(),
        b"node" | b"edge" => {
            let what = if name == b"node" { In::Node } else { In::Edge };
            let open = open_record(b, st, what, &Tag::of(attrs), at);
            if empty {
                finish_record(b, st, open);
            } else {
                st.current.push(open);
            }
        }
        b"attvalue" => {
            if let Some(open) = st.current.last_mut() {
                let value = get(attrs, "value").unwrap_or_default();
                let id = attr_id(attrs);
                let print = scan::key_print(id.as_bytes(), 0, id.len());
                attvalue(b, &st.titles, open, id, print, value);
            }
        }
        b"spell" => {
            let s = get(attrs, "start").or(get(attrs, "timestamp"));
            let e_ = get(attrs, "end").or(get(attrs, "timestamp"));
            let time = st.time;
            let Some(Open { spells, .. }) = st.current.last_mut() else {
                return;
            };
            if let Some(s) = s
                && spells.0.as_deref().is_none_or(|x| later(time, x, s))
            {
                spells.0 = Some(s.into());
            }
            if let Some(e_) = e_
                && spells.1.as_deref().is_none_or(|x| later(time, e_, x))
            {
                spells.1 = Some(e_.into());
            }
        }
        _ => {}
    }
}

/// The id an `<attvalue>` gives its attribute by.
fn attr_id<'a>(attrs: &'a [Attribute<'_>]) -> &'a str {
    get(attrs, "for").or(get(attrs, "id")).unwrap_or_default()
}

/// Files an `<attvalue>`'s value, for attribute `id` (whose print is
/// `print`: [`scan::key_print`]), on the record.
fn attvalue(
    b: &mut Sink<'_>,
    titles: &[Titles; 2],
    open: &mut Open,
    id: &str,
    print: u64,
    value: &str,
) {
    let Open { r, what, .. } = open;
    let (title, field, label) = titles[*what as usize].get(id, print).map_or_else(
        || (id, None, id.eq_ignore_ascii_case("label")),
        |(t, f, l)| (t, Some(f), l),
    );
    if label && r.label.is_some() {
        r.attrs.push((title.into(), b.text(value)));
    } else {
        b.set_field(r, field.unwrap_or_else(|| Field::of(title)), title, value);
    }
}

/// [`scan::key_print`] of `key` (under eight bytes), for a `match`.
const fn short_print(key: &[u8]) -> u64 {
    assert!(key.len() < 8);
    let mut w = 0;
    let mut i = 0;
    while i < key.len() {
        w |= (key[i] as u64) << (8 * i);
        i += 1;
    }
    w | (key.len() as u64) << 56
}

/// What a `<node>` or `<edge>` tag's attributes say: those
/// [`open_record`] reads, found in one pass (the first of each name, as
/// [`get`] finds it).
#[derive(Default)]
struct Tag<'a> {
    id: Option<Cow<'a, str>>,
    label: Option<Cow<'a, str>>,
    source: Option<Cow<'a, str>>,
    target: Option<Cow<'a, str>>,
    r#type: Option<Cow<'a, str>>,
    weight: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    start: Option<Cow<'a, str>>,
    datestart: Option<Cow<'a, str>>,
    timestamp: Option<Cow<'a, str>>,
    end: Option<Cow<'a, str>>,
    dateend: Option<Cow<'a, str>>,
}

impl<'a> Tag<'a> {
    /// Where attribute `key` (a local name) goes; none for one not read.
    #[inline]
    fn slot(&mut self, key: &[u8]) -> Option<&mut Option<Cow<'a, str>>> {
        Some(match key {
            b"id" => &mut self.id,
            b"label" => &mut self.label,
            b"source" => &mut self.source,
            b"target" => &mut self.target,
            b"type" => &mut self.r#type,
            b"weight" => &mut self.weight,
            b"kind" => &mut self.kind,
            b"start" => &mut self.start,
            b"datestart" => &mut self.datestart,
            b"timestamp" => &mut self.timestamp,
            b"end" => &mut self.end,
            b"dateend" => &mut self.dateend,
            _ => return None,
        })
    }

    /// [`Tag::slot`] of the key `s[k0..k1]` as written: one of up to seven
    /// bytes found by its print ([`scan::key_print`], read where it lies),
    /// not cut at a colon ([`local`]) and compared (a call for each of a
    /// record's attributes).
    #[inline]
    fn slot_at(&mut self, s: &[u8], k0: usize, k1: usize) -> Option<&mut Option<Cow<'a, str>>> {
        const ID: u64 = short_print(b"id");
        const LABEL: u64 = short_print(b"label");
        const SOURCE: u64 = short_print(b"source");
        const TARGET: u64 = short_print(b"target");
        const TYPE: u64 = short_print(b"type");
        const WEIGHT: u64 = short_print(b"weight");
        const KIND: u64 = short_print(b"kind");
        const START: u64 = short_print(b"start");
        const END: u64 = short_print(b"end");
        const DATEEND: u64 = short_print(b"dateend");
        if k1 - k0 < 8 {
            // A print of a key under eight bytes is the key: one of these
            // is that name, without a prefix.
            match scan::key_print(s, k0, k1) {
                ID => return Some(&mut self.id),
                LABEL => return Some(&mut self.label),
                SOURCE => return Some(&mut self.source),
                TARGET => return Some(&mut self.target),
                TYPE => return Some(&mut self.r#type),
                WEIGHT => return Some(&mut self.weight),
                KIND => return Some(&mut self.kind),
                START => return Some(&mut self.start),
                END => return Some(&mut self.end),
                DATEEND => return Some(&mut self.dateend),
                _ => {}
            }
        }
        self.slot(local(&s[k0..k1]))
    }

    /// Attribute `key` is `value`, unless it was given before.
    fn set(&mut self, key: &str, value: Cow<'a, str>) {
        if let Some(slot) = self.slot(key.as_bytes())
            && slot.is_none()
        {
            *slot = Some(value);
        }
    }

    /// What `attrs` say.
    fn of(attrs: &'a [Attribute<'_>]) -> Tag<'a> {
        let mut tag = Tag::default();
        for (key, value) in attrs {
            tag.set(key, Cow::Borrowed(value));
        }
        tag
    }
}

/// The node or edge a `<node>` or `<edge>` start tag begins.
fn open_record(b: &mut Sink<'_>, st: &State, what: In, attrs: &Tag<'_>, at: Pos) -> Open {
    let mut r = b.record();
    super::put_text(&mut r.id, attrs.id.as_deref().unwrap_or_default());
    if let Some(l) = attrs.label.as_deref() {
        b.put(r.label.insert(Text::default()), l);
    }
    if what == In::Edge {
        super::put_text(&mut r.from, attrs.source.as_deref().unwrap_or_default());
        super::put_text(&mut r.to, attrs.target.as_deref().unwrap_or_default());
        r.undirected = match attrs.r#type.as_deref() {
            // `mutual`: both ways, which an undirected relation means.
            Some("undirected" | "mutual") => true,
            Some(_) => false,
            None => st.default_edge_undirected,
        };
        if let Some(w) = attrs.weight.as_deref() {
            r.attrs.push((b.text("weight"), b.text(w)));
        }
        if let Some(k) = attrs.kind.as_deref() {
            b.put(r.kind.insert(Text::default()), k);
        }
    }
    let start = (attrs.start.as_ref())
        .or(attrs.datestart.as_ref())
        .or(attrs.timestamp.as_ref())
        .map(|s| &**s);
    let end = attrs.end.as_ref().or(attrs.dateend.as_ref()).map(|s| &**s);
    // The element's own times count as one more spell.
    Open {
        r,
        at,
        what,
        spells: (start.map(|s| b.text(s)), end.map(|e| b.text(e))),
    }
}

/// Whether time `a` is after time `b` (dates compare as text once padded the same).
fn later(time: TimeFormat, a: &str, b: &str) -> bool {
    match time {
        TimeFormat::Double => {
            a.trim().parse::<f64>().unwrap_or(f64::NAN) > b.trim().parse::<f64>().unwrap_or(0.0)
        }
        TimeFormat::Date => a.trim() > b.trim(),
    }
}

/// Puts a dynamic time on the record: a date, or an attribute when it is a
/// double that is not a year. Gives back the text when it was not kept
/// (a date with nothing to trim is the text itself).
fn set_time(st: &mut State, r: &mut Record, which: &str, value: Option<Text>) -> Option<Text> {
    let t = value?;
    let v = t.trim();
    if v.is_empty() {
        return Some(t);
    }
    let (date, left) = match st.time {
        TimeFormat::Date if v.len() == t.len() => (t, None),
        TimeFormat::Date => (Text::from(v), Some(t)),
        TimeFormat::Double => match v.parse::<f64>() {
            Ok(x) if x.fract() == 0.0 && (1000.0..=2999.0).contains(&x) => {
                (format!("{:04}", x as i32).into(), Some(t))
            }
            _ => {
                st.kept_times += 1;
                r.attrs.push((which.into(), v.into()));
                return Some(t);
            }
        },
    };
    let slot = if which == "start" {
        &mut r.date
    } else {
        &mut r.until
    };
    *slot = Some(date);
    left
}

/// A node or edge being read, with the earliest start and latest end of its
/// spells.
#[derive(Clone)]
struct Open {
    r: Record,
    at: Pos,
    what: In,
    spells: (Option<Text>, Option<Text>),
}

fn finish_record(b: &mut Sink<'_>, st: &mut State, open: Open) {
    let Open {
        mut r,
        at,
        what,
        spells: (s, e),
    } = open;
    // `date`/`until` attvalues (as ties writes them) keep the precision the
    // dynamics lose; the dynamics only fill in when there are none.
    if r.date.is_none() && r.until.is_none() {
        let s = set_time(st, &mut r, "start", s);
        b.give(s);
        let e = set_time(st, &mut r, "end", e);
        b.give(e);
    } else {
        b.give(s);
        b.give(e);
    }
    for (class, title, value) in &st.defaults {
        let has = r.attrs.iter().any(|(k, _)| k == title);
        if *class == what && !has {
            r.attrs.push((title.as_str().into(), value.as_str().into()));
        }
    }
    match what {
        In::Node => b.node(r, at),
        In::Edge => b.edge(r, at),
    }
}

fn end(b: &mut Sink<'_>, st: &mut State, name: &[u8], text: &str) {
    match name {
        b"default" => {
            if st.in_default
                && let Some((_, title)) = &st.declaring
            {
                st.defaults
                    .push((st.class, title.clone(), text.trim().to_string()));
            }
            st.in_default = false;
        }
        b"attribute" => st.declaring = None,
        b"node" | b"edge" => {
            if let Some(open) = st.current.pop() {
                finish_record(b, st, open);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(text: &str) -> Option<Result<crate::read::Checked, LoadError>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.gexf");
        std::fs::write(&path, text).unwrap();
        FORMAT.read_fast(&path, Mode::Streamed, 16)
    }

    #[test]
    fn a_tag_s_key_found_by_its_print_is_the_one_its_name_says() {
        let keys = "id label source target type weight kind start end dateend datestart \
                    timestamp x:id viz:label ids i Label end2 dateen dateends xmlns a:b:id";
        for key in keys.split_whitespace().chain([""]) {
            for after in ["", "=\"value\"", "=\""] {
                let s = format!("{key}{after}");
                let mut tag = Tag::default();
                let base = std::ptr::from_ref(&tag) as usize;
                let at = |slot: Option<&mut Option<Cow<'_, str>>>| {
                    slot.map(|p| std::ptr::from_mut(p) as usize - base)
                };
                let by_print = at(tag.slot_at(s.as_bytes(), 0, key.len()));
                let by_name = at(tag.slot(local(key.as_bytes())));
                assert_eq!(by_print, by_name, "{s:?}");
            }
        }
    }

    #[test]
    fn records_as_writers_write_them_are_read_whole() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph defaultedgetype="directed">
    <attributes class="node"><attribute id="a0" title="kind" type="string"/></attributes>
    <nodes>
      <node id="a" label="Ann &amp; Bo">
        <attvalues>
          <attvalue for="a0" value="person"/>
          <attvalue value="x" for="a1"/>
        </attvalues>
      </node>
      <node id="b" label="B"/>
      <node id="c"><spells><spell start="2001"/></spells></node>
    </nodes>
    <edges>
      <edge id="e0" source="a" target="b" start="2019-05-09"><attvalues></attvalues></edge>
    </edges>
  </graph>
</gexf>
"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.gexf");
        std::fs::write(&path, text).unwrap();
        for block in [7, 1 << 20] {
            let mut scan = Scanner::new(File::open(&path).unwrap(), block);
            let mut sink = Sink::collect();
            let mut st = State::default();
            let read = fast_events(&mut scan, &mut sink, &mut st, false);
            assert_eq!(read, Ok(true));
            // Not `c` (spells): the events read it.
            assert_eq!(st.whole, 3, "blocks of {block}");
        }
    }

    fn chunked(text: &str) -> (Option<String>, String) {
        FORMAT.chunked_and_careful(text)
    }

    #[test]
    fn the_fast_tokenizer_reads_a_file_as_writers_write_it() {
        let read = fast(r#"<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <!-- written by hand -->
  <graph defaultedgetype="undirected">
    <attributes class="node"><attribute id="0" title="kind" type="string"/></attributes>
    <nodes>
      <node id="a" label="Ann &amp; Bo &#220;"><attvalues><attvalue for="0" value="person"/></attvalues></node>
      <node id="b" label="B"><spells><spell start="2001" end="2003"/></spells></node>
    </nodes>
    <edges><edge source='a' target="b" weight="2"/></edges>
  </graph>
</gexf>
"#).expect("not declined").expect("read");
        assert_eq!((read.graph.node_count(), read.graph.edge_count()), (2, 1));
    }

    #[test]
    fn the_fast_tokenizer_leaves_what_is_wrong_to_quick_xml() {
        for bad in [
            r#"<gexf><graph><nodes><node id="a" id="b"/></nodes></graph></gexf>"#,
            r#"<gexf><graph><nodes></graph></gexf>"#,
            r#"<gexf><graph>&nbsp;</graph></gexf>"#,
            r#"<gexf/>"#,
        ] {
            assert!(fast(bad).is_none(), "{bad}");
        }
    }
    #[test]
    fn chunks_read_as_one_thread_reads_or_are_declined() {
        let head = r#"<gexf version="1.3"><graph defaultedgetype="undirected" timeformat="double">
<attributes class="node"><attribute id="0" title="kind" type="string"/></attributes>
<nodes>"#;
        let good = format!(
            r#"{head}<node id="a" label="A" start="1.5"><attvalues><attvalue for="0" value="person"/></attvalues></node>
<node id="b"/></nodes><edges><edge source="a" target="b"/><edge source="b" target="c" start="2001"/></edges></graph></gexf>"#
        );
        let (chunks, careful) = chunked(&good);
        assert_eq!(chunks.as_deref(), Some(careful.as_str()));
        assert!(careful.contains("times that are steps"), "{careful}");
        for declined in [
            // A cut inside a comment.
            format!(
                r#"{head}<node id="a"/><!-- <node id="x"/> --><node id="b"/></nodes></graph></gexf>"#
            ),
            // Attributes declared after a node: they change how later chunks read.
            format!(
                r#"{head}<node id="a"/></nodes><attributes class="edge"><attribute id="0" title="role"/></attributes><edges><edge source="a" target="a"><attvalues><attvalue for="0" value="x"/></attvalues></edge></edges></graph></gexf>"#
            ),
            // A hierarchy: nodes nest in nodes.
            format!(
                r#"{head}<node id="g"><nodes><node id="a"/></nodes></node></nodes></graph></gexf>"#
            ),
            // An element left open, or closed without being open.
            format!(r#"{head}<node id="a"/></nodes></graph>"#),
            format!(r#"{head}<node id="a"/></nodes></graph></gexf></x>"#),
            // A damaged node: quick-xml names the problem.
            format!(r#"{head}<node id="a"/><node id="b" id="c"/></nodes></graph></gexf>"#),
        ] {
            let (chunks, careful) = chunked(&declined);
            assert_eq!(chunks, None, "{declined}\n{careful}");
        }
    }
}
