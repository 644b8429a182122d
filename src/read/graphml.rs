//! GraphML, as networkx, igraph, yEd, Gephi and `ties export` write it.
//!
//! `<key>`s declare the data: a key's `attr.name` (its id when it has none)
//! names the value, and names that are ties fields (`name`, `label`, `kind`,
//! `date`, `until`, `amount`, `currency`, `aliases`, `sources`, …) fill those
//! fields; the rest become attributes, with a key's `<default>` where a node or
//! edge gives no value. yEd keeps labels in its graphics data
//! (`<y:NodeLabel>`), read as the name. `edgedefault="undirected"` or an edge's
//! `directed="false"` makes an undirected relation; parallel edges are kept.
//! Hyperedges and ports have no place in a ties graph and are skipped (noted).

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

/// Bytes of GraphML per entity with its share of relations (about what
/// `ties export` writes): a first guess at the graph's size, to spare most
/// of its growing.
const PER_ENTITY: u64 = 1000;

/// A GraphML file: its root element is `<graphml>`; `.graphml` is only a hint.
pub fn sniff(path: &Path, head: &[u8]) -> bool {
    super::has_extension(path, "graphml") || super::xml_root_is(head, "graphml")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    Node,
    Edge,
}

/// A declared key.
#[derive(Clone)]
struct Key {
    name: String,
    /// What the name makes a value.
    field: Field,
    /// `node`, `edge`, `all`, `graph`…
    target: String,
    default: Option<String>,
    /// yEd's graphics (`yfiles.type`): markup, not a value.
    graphics: bool,
}

type Keys = HashMap<String, Key, foldhash::fast::RandomState>;

#[derive(Default, Clone)]
struct State {
    keys: Keys,
    /// The keys given a `<default>`, in the order the file declares them:
    /// a record they fill gets their values in that order, whatever the
    /// order of `keys` (a hash map's).
    with_default: Vec<String>,
    /// The key whose `<default>` is being read.
    declaring: Option<String>,
    in_default: bool,
    /// `edgedefault` of each open `<graph>`, innermost last.
    undirected: Vec<bool>,
    /// Open nodes and edges (nodes nest in yEd groups), innermost last.
    open: Vec<(Record, Pos, In, Vec<String>)>,
    /// Inside a `<data>` with a key, and that key.
    in_data: bool,
    data_key: String,
    /// Inside a yEd `NodeLabel` or `EdgeLabel`.
    in_label: bool,
    label_text: String,
    skipped: usize,
    /// Reading a chunk of the file ([`Chunked`]), and whether a key or a
    /// graph began in it.
    chunked: bool,
    changed: bool,
    /// Nodes and edges read whole ([`whole_record`]).
    whole: usize,
    /// Times `keys` changed (a key declared, or given a default): a
    /// [`KeyTable`] made before is made again.
    keys_changed: u32,
}

/// The declared keys of the `<data>` elements read whole, found by their
/// id's print ([`scan::key_print`]) in 64 slots, not hashed and compared
/// in `State::keys` for every value: each id met is kept with a copy of its
/// declaration (or none), in its slot or, when another holds that, the
/// next free one; past 63 ids, an id not kept is looked up in the map.
struct KeyTable {
    /// `State::keys_changed` when the table was filled.
    made: u32,
    /// For each slot, 1 + the index of its id in `ids` (0: none yet).
    slots: [u8; KEY_SLOTS],
    ids: Vec<(u64, Box<str>, Option<Key>)>,
}

const KEY_SLOTS: usize = 64;

impl Default for KeyTable {
    fn default() -> Self {
        KeyTable {
            made: 0,
            slots: [0; KEY_SLOTS],
            ids: Vec::new(),
        }
    }
}

impl KeyTable {
    /// The declaration of key `id`, whose print is `print`, as
    /// `st.keys.get(id)` finds it.
    #[inline(always)]
    fn get<'a>(&'a mut self, st: &'a State, print: u64, id: &str) -> Option<&'a Key> {
        debug_assert_eq!(print, scan::key_print(id.as_bytes(), 0, id.len()));
        let mut slot = (print.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize % KEY_SLOTS;
        if self.made == st.keys_changed {
            // Ids whose slot another holds are in the slots after it: a
            // slot stays free ([`KeyTable::get_cold`]), which ends the search.
            while let at @ 1.. = usize::from(self.slots[slot]) {
                let (p, known, _) = &self.ids[at - 1];
                // A print is the id itself when it is shorter than 8 bytes.
                if *p == print && (id.len() < 8 || scan::same(known.as_bytes(), id.as_bytes())) {
                    return self.ids[at - 1].2.as_ref();
                }
                slot = (slot + 1) % KEY_SLOTS;
            }
        }
        self.get_cold(st, print, slot, id)
    }

    /// [`KeyTable::get`] of an id not in the table: the table made again
    /// first if the keys changed, the id kept in the free slot its search
    /// ended at (while one slot is left free), else looked up in the map.
    #[cold]
    #[inline(never)]
    fn get_cold<'a>(
        &'a mut self,
        st: &'a State,
        print: u64,
        mut slot: usize,
        id: &str,
    ) -> Option<&'a Key> {
        if self.made != st.keys_changed {
            *self = KeyTable {
                made: st.keys_changed,
                ..KeyTable::default()
            };
            slot = (print.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize % KEY_SLOTS;
        }
        if self.ids.len() + 1 >= KEY_SLOTS {
            return st.keys.get(id);
        }
        debug_assert_eq!(self.slots[slot], 0);
        self.ids.push((print, id.into(), st.keys.get(id).cloned()));
        self.slots[slot] = self.ids.len() as u8;
        self.ids.last().and_then(|(_, _, k)| k.as_ref())
    }
}

impl Chunked for State {
    fn chunked(&mut self) {
        self.chunked = true;
        self.skipped = 0;
    }

    fn rest(&self) -> Option<Vec<u8>> {
        let rest = self.open.is_empty()
            && !self.in_data
            && !self.in_label
            && !self.in_default
            && self.declaring.is_none()
            && !self.changed;
        rest.then(|| self.undirected.iter().map(|&u| u8::from(u)).collect())
    }

    fn absorb(&mut self, chunk: &Self) {
        self.skipped += chunk.skipped;
    }
}

/// Reads a GraphML file.
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
    not_root: not_graphml,
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
    (st.skipped > 0).then(|| {
        format!(
            "{} hyperedges skipped: a ties relation ties two entities",
            st.skipped
        )
    })
}

fn not_graphml() -> ProblemKind {
    invalid("the root element is not `<graphml>`".into())
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
            Ev::Start(name, _) | Ev::Empty(name, _) if !seen_root => {
                seen_root = true;
                if local(name) != b"graphml" {
                    return Err(Decline);
                }
            }
            Ev::Start(name, raw) | Ev::Empty(name, raw) => {
                let empty = matches!(ev, Ev::Empty(..));
                if !empty {
                    text.clear();
                }
                let mut attrs = scan::recycle(std::mem::take(&mut store));
                scan::attributes(raw, Names::AsWritten, &mut attrs)?;
                start(b, st, local(name), &attrs, at, empty);
                store = scan::recycle(attrs);
            }
            Ev::Text(t) => push_text(st, &mut text, &t),
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
    data_attrs: Vec<Attribute<'static>>,
    values: Vec<Value<'static>>,
    found: Vec<DataAt>,
    /// Where the start tag's attributes lie ([`scan::plain_start_tag`]).
    spans: Vec<scan::Span>,
    keys: KeyTable,
}

/// A `<data>` element's key, the key's print ([`scan::key_print`], for
/// [`KeyTable::get`]) and its text (`None`: an empty element).
type Value<'a> = (Cow<'a, str>, u64, Option<Cow<'a, str>>);

impl State {
    /// Between records: no node, edge, value, label or key open, so that a
    /// whole node or edge is read the same way from here by
    /// [`whole_record`] as by the events.
    fn plain(&self) -> bool {
        self.open.is_empty()
            && !self.in_data
            && !self.in_label
            && !self.in_default
            && self.declaring.is_none()
    }
}

/// The space and the node or edge next in the scanner's block, read whole
/// when it has the shape writers give it: `<node …>` or `<edge …>`, then
/// only `<data key="…">text</data>` (or `<data key="…"/>`) and space, then
/// its end tag (or `<node …/>`). Filed as the events would file it; whether
/// it was (anything else, or a problem, is left to the events).
///
/// Nothing is filed before the whole element is found and read: its text
/// checked as UTF-8 once, its attributes and values read as the tokenizer
/// reads them ([`scan::attributes_str`], [`scan::text_value`]).
fn whole_record(
    scan: &mut Scanner<File>,
    b: &mut Sink<'_>,
    st: &mut State,
    spare: &mut Spare,
) -> Result<bool, Decline> {
    scan.whole(|s, at| {
        let what = match s.get(1) {
            Some(b'n') => In::Node,
            _ => In::Edge,
        };
        let at = Pos::Byte(at);
        let shape = record_shape(s, spare)?;
        let Spare {
            keys, found, spans, ..
        } = spare;
        let n = match shape {
            Shape::Plain(n, text) => {
                // No reference to decode and the writers' forms only: the
                // attributes and values are read where they lie, not put
                // in lists first (each a tuple built on the stack and then
                // copied in, whose 16-byte loads waited for the 8-byte
                // stores just made: the most time of any instruction, perf).
                let get = |name: &str| {
                    (spans.iter())
                        .find(|&&(k0, k1, _, _)| {
                            scan::same(&text.as_bytes()[k0 as usize..k1 as usize], name.as_bytes())
                        })
                        .map(|&(_, _, v0, v1)| &text[v0 as usize..v1 as usize])
                };
                let values = found.iter().map(|d| {
                    let (a0, a1) = (d.attrs.0 as usize, d.attrs.1 as usize);
                    let value = match d.text {
                        (0, 0) => None,
                        (t0, t1) => Some(&text[t0 as usize..t1 as usize]),
                    };
                    (&text[a0..a1], scan::key_print(s, a0, a1), value)
                });
                file_record(b, st, keys, what, get, values, at);
                n
            }
            Shape::Decoded(n, mut attrs, mut values) => {
                let get = |name: &str| get(&attrs, name);
                let read = (values.iter()).map(|(k, p, v)| (&**k, *p, v.as_deref()));
                file_record(b, st, keys, what, get, read, at);
                attrs.clear();
                spare.attrs = scan::recycle(attrs);
                values.clear();
                spare.values = recycle_values(values);
                n
            }
        };
        st.whole += 1;
        Ok(n)
    })
}

/// Files the node or edge read whole: its start tag's attributes as `get`
/// finds them, its `<data>` values (key, key's print, text).
fn file_record<'v>(
    b: &mut Sink<'_>,
    st: &mut State,
    keys: &mut KeyTable,
    what: In,
    get: impl Fn(&str) -> Option<&'v str>,
    values: impl Iterator<Item = (&'v str, u64, Option<&'v str>)>,
    at: Pos,
) {
    let mut r = open_record_by(b, st, what, get);
    let mut given = Vec::new();
    for (key, print, value) in values {
        let declared = keys.get(st, print, key);
        match value {
            None => file_declared(b, declared, &mut r, &mut given, key, ""),
            // A yEd graphics block holds markup, not a value.
            Some(v) if !declared.is_some_and(|k| k.graphics) => {
                file_declared(b, declared, &mut r, &mut given, key, v)
            }
            Some(_) => {}
        }
    }
    finish_record(b, st, r, at, what, given);
}

/// `v` emptied, to be filled with values borrowed for another while.
fn recycle_values<'b>(mut v: Vec<Value<'_>>) -> Vec<Value<'b>> {
    v.clear();
    v.into_iter().map(|_| unreachable!("emptied")).collect()
}

/// Where a `<data>` element's parts lie in the element read whole: its
/// key's value (`key` true) or else all its attributes, and its text
/// (none, `0..0`, for an empty element).
#[derive(Clone, Copy)]
struct DataAt {
    attrs: (u32, u32),
    key: bool,
    text: (u32, u32),
}

/// A node or edge read whole ([`record_shape`]), and its length.
enum Shape<'a> {
    /// Its text, with no reference to decode, its start tag plain and each
    /// `<data>` as writers write it: its attributes and values lie where
    /// `Spare::spans` and `Spare::found` say.
    Plain(usize, &'a str),
    /// Its attributes and values, read out (and decoded).
    Decoded(usize, Vec<Attribute<'a>>, Vec<Value<'a>>),
}

/// The node or edge at `s[0]` read whole (see [`whole_record`]).
fn record_shape<'a>(s: &'a [u8], spare: &mut Spare) -> Result<Shape<'a>, Whole> {
    const KEY: &[u8] = b"<data key=\"";
    const END: &[u8] = b"</data>";
    let name: &[u8] = match s.get(1..5) {
        Some(b"node") => b"node",
        Some(b"edge") => b"edge",
        Some(_) => return Err(Whole::No),
        None => return Err(Whole::More),
    };
    let (tag, empty, plain) = scan::record_start_tag(s, name, &mut spare.spans)?;
    let found = &mut spare.found;
    found.clear();
    let mut i = tag;
    let len = loop {
        if empty {
            break tag;
        }
        i += scan::spaces(&s[i..]);
        let rest = &s[i..];
        match rest.get(1) {
            None => return Err(Whole::More),
            Some(b'/') => {
                let end = i + 2 + name.len();
                if s.len() <= end {
                    return Err(Whole::More);
                }
                if rest[0] != b'<' || s[i + 2..end] != *name || s[end] != b'>' {
                    return Err(Whole::No);
                }
                break end + 1;
            }
            Some(_) => {}
        }
        // `<data key="…">`, as writers write it, read here; any other
        // `<data …>` by its attributes below.
        let (at, dtag, dempty) = match rest.get(..KEY.len()) {
            Some(k) if k == KEY => {
                let k0 = i + KEY.len();
                let q = scan::find_byte16(b'"', &s[k0..]).ok_or(Whole::More)?;
                let k1 = k0 + q;
                match s.get(k1 + 1..k1 + 3) {
                    Some([b'>', _]) => ((k0, k1, true), k1 + 2 - i, false),
                    Some(b"/>") => ((k0, k1, true), k1 + 3 - i, true),
                    Some(_) => return Err(Whole::No),
                    None => return Err(Whole::More),
                }
            }
            None if KEY.starts_with(rest) => return Err(Whole::More),
            _ => {
                let (dtag, dempty) = scan::start_tag(rest, b"data")?;
                (
                    (i + 5, i + dtag - 1 - usize::from(dempty), false),
                    dtag,
                    dempty,
                )
            }
        };
        i += dtag;
        let text = if dempty {
            (0, 0)
        } else {
            let lt = scan::find_byte16(b'<', &s[i..]).ok_or(Whole::More)?;
            let end = i + lt;
            match s.get(end..end + END.len()) {
                Some(e) if e == END => {}
                Some(_) => return Err(Whole::No),
                None if END.starts_with(&s[end..]) => return Err(Whole::More),
                None => return Err(Whole::No),
            }
            let text = (i as u32, end as u32);
            i = end + END.len();
            text
        };
        found.push(DataAt {
            attrs: (at.0 as u32, at.1 as u32),
            key: at.2,
            text,
        });
    };
    // Values to decode only when the element has a reference.
    let (text, refs) = scan::text_and_refs(&s[..len]).ok_or(Whole::No)?;
    if plain && !refs && spare.found.iter().all(|d| d.key) {
        return Ok(Shape::Plain(len, text));
    }
    let no = |_| Whole::No;
    let mut attrs = scan::recycle(std::mem::take(&mut spare.attrs));
    if plain {
        scan::span_attributes(text, &spare.spans, Names::AsWritten, refs, &mut attrs)
            .map_err(no)?;
    } else {
        let raw = &text[1 + name.len()..tag - 1 - usize::from(empty)];
        scan::attributes_str(raw, Names::AsWritten, &mut attrs).map_err(no)?;
    }
    let decode = |raw| {
        if refs {
            scan::text_value(raw).map_err(no)
        } else {
            Ok(Cow::Borrowed(raw))
        }
    };
    let mut values = recycle_values(std::mem::take(&mut spare.values));
    for d in &spare.found {
        let raw = &text[d.attrs.0 as usize..d.attrs.1 as usize];
        let key = if d.key {
            decode(raw)?
        } else {
            let mut data = scan::recycle(std::mem::take(&mut spare.data_attrs));
            scan::attributes_str(raw, Names::AsWritten, &mut data).map_err(no)?;
            // A `<data>` without a key is the events' to read.
            let Some(at) = data.iter().position(|(k, _)| k == "key") else {
                return Err(Whole::No);
            };
            let key = std::mem::take(&mut data[at].1);
            spare.data_attrs = scan::recycle(data);
            key
        };
        let value = match d.text {
            (0, 0) => None,
            (t0, t1) => Some(decode(&text[t0 as usize..t1 as usize])?),
        };
        // The print of a key as written is read where it lies, with the
        // bytes after it (the same word: `key_print`).
        let print = match &key {
            Cow::Borrowed(k) if d.key && k.len() == raw.len() => {
                scan::key_print(s, d.attrs.0 as usize, d.attrs.1 as usize)
            }
            k => scan::key_print(k.as_bytes(), 0, k.len()),
        };
        values.push((key, print, value));
    }
    Ok(Shape::Decoded(len, attrs, values))
}

fn push_text(st: &mut State, text: &mut String, s: &str) {
    if st.in_label {
        st.label_text.push_str(s);
    }
    text.push_str(s);
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
                b.problem(Pos::Byte(reader.error_position()), invalid(e.to_string()));
                break;
            }
        };
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                seen_root = true;
                if is_start {
                    open.push(e.name().as_ref());
                }
                if e.local_name().as_ref() != b"graphml" {
                    b.problem(at, not_graphml());
                    break;
                }
            }
            Event::Start(e) => {
                text.clear();
                open.push(e.name().as_ref());
                start_tag(b, st, &e, at, false);
            }
            Event::Empty(e) => start_tag(b, st, &e, at, true),
            ev @ (Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) => {
                match super::xml::event_text(&ev) {
                    Some(Ok(s)) => push_text(st, &mut text, &s),
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
        format: "GraphML",
        message,
    }
}

/// A start tag quick-xml read.
fn start_tag(b: &mut Sink<'_>, st: &mut State, e: &BytesStart<'_>, at: Pos, empty: bool) {
    match attributes(e, Names::AsWritten) {
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
    if st.chunked && matches!(name, b"key" | b"default" | b"graph") {
        st.changed = true;
    }
    match name {
        b"key" => {
            let id = get(attrs, "id").unwrap_or_default().to_string();
            let name = get(attrs, "attr.name").unwrap_or(&id).to_string();
            let target = get(attrs, "for").unwrap_or("all").to_string();
            st.keys_changed = st.keys_changed.wrapping_add(1);
            st.keys.insert(
                id.clone(),
                Key {
                    field: Field::of(&name),
                    name,
                    target,
                    default: None,
                    graphics: get(attrs, "yfiles.type").is_some(),
                },
            );
            if !empty {
                st.declaring = Some(id);
            }
        }
        b"default" => st.in_default = st.declaring.is_some(),
        b"graph" => {
            let inherited = st.undirected.last().copied().unwrap_or(false);
            let undirected = match get(attrs, "edgedefault") {
                Some("undirected") => true,
                Some(_) => false,
                None => inherited,
            };
            if !empty {
                st.undirected.push(undirected);
            }
        }
        b"node" | b"edge" => {
            let what = if name == b"node" { In::Node } else { In::Edge };
            let r = open_record(b, st, what, attrs);
            if empty {
                finish_record(b, st, r, at, what, Vec::new());
            } else {
                st.open.push((r, at, what, Vec::new()));
            }
        }
        b"hyperedge" => st.skipped += 1,
        b"data" => {
            st.data_key.clear();
            st.data_key.push_str(get(attrs, "key").unwrap_or_default());
            st.in_data = get(attrs, "key").is_some();
            if empty && std::mem::take(&mut st.in_data) {
                set_data(st, Text::default());
            }
        }
        b"NodeLabel" | b"EdgeLabel" => {
            st.in_label = true;
            st.label_text.clear();
        }
        _ => {}
    }
}

/// The record a `<node>` or `<edge>` start tag begins.
fn open_record(b: &mut Sink<'_>, st: &mut State, what: In, attrs: &[Attribute<'_>]) -> Record {
    open_record_by(b, st, what, |name| get(attrs, name))
}

/// [`open_record`], the start tag's attributes as `get` finds them.
fn open_record_by<'v>(
    b: &mut Sink<'_>,
    st: &mut State,
    what: In,
    get: impl Fn(&str) -> Option<&'v str>,
) -> Record {
    let mut r = b.record();
    super::put_text(&mut r.id, get("id").unwrap_or_default());
    if what == In::Edge {
        super::put_text(&mut r.from, get("source").unwrap_or_default());
        super::put_text(&mut r.to, get("target").unwrap_or_default());
        r.undirected = match get("directed") {
            Some("false") => true,
            Some(_) => false,
            None => st.undirected.last().copied().unwrap_or(false),
        };
    }
    st.label_text.clear();
    r
}

/// Files the value of the `<data>` being read on the innermost open node or
/// edge.
fn set_data(st: &mut State, value: Text) {
    let State {
        keys,
        open,
        data_key: key,
        ..
    } = st;
    if let Some((r, _, _, given)) = open.last_mut() {
        file_value(keys, r, given, key, value);
    }
}

/// Files `value`, given with key `key`, on `r`; a key with a default is
/// noted in `given`.
fn file_value(keys: &Keys, r: &mut Record, given: &mut Vec<String>, key: &str, value: Text) {
    let declared = keys.get(key);
    let name = declared.map_or(key, |k| k.name.as_str());
    // Only a key with a default asks which records gave it.
    if declared.is_some_and(|k| k.default.is_some()) {
        given.push(key.to_string());
    }
    match declared {
        Some(k) => r.set_field(k.field, name, value),
        None => r.set(name, value),
    }
}

/// [`file_value`] of text borrowed from the block, the key's declaration
/// found already: copied into strings the builder is done with.
fn file_declared(
    b: &mut Sink<'_>,
    declared: Option<&Key>,
    r: &mut Record,
    given: &mut Vec<String>,
    key: &str,
    value: &str,
) {
    let name = declared.map_or(key, |k| k.name.as_str());
    if declared.is_some_and(|k| k.default.is_some()) {
        given.push(key.to_string());
    }
    let field = declared.map_or_else(|| Field::of(name), |k| k.field);
    b.set_field(r, field, name, value);
}

fn finish_record(
    b: &mut Sink<'_>,
    st: &State,
    mut r: Record,
    at: Pos,
    what: In,
    given: Vec<String>,
) {
    let class = match what {
        In::Node => "node",
        In::Edge => "edge",
    };
    for (id, key) in st
        .with_default
        .iter()
        .filter_map(|id| Some((id, st.keys.get(id)?)))
    {
        if let Some(d) = &key.default
            && !key.graphics
            && (key.target == class || key.target == "all")
            && !given.contains(id)
        {
            r.set(&key.name, d.as_str().into());
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
                && let Some(id) = &st.declaring
                && let Some(k) = st.keys.get_mut(id)
            {
                st.keys_changed = st.keys_changed.wrapping_add(1);
                k.default = Some(text.to_string());
                if !st.with_default.contains(id) {
                    st.with_default.push(id.clone());
                }
            }
            st.in_default = false;
        }
        b"key" => st.declaring = None,
        b"graph" => {
            st.undirected.pop();
        }
        // A yEd graphics block holds markup, not a value: its label was taken.
        b"data" if std::mem::take(&mut st.in_data) => {
            let graphics = st.keys.get(&st.data_key).is_some_and(|k| k.graphics);
            if !graphics {
                set_data(st, b.text(text));
            }
        }
        b"NodeLabel" | b"EdgeLabel" => {
            st.in_label = false;
            let label = Text::from(st.label_text.trim());
            if let Some((r, ..)) = st.open.last_mut()
                && r.label.is_none()
                && !label.is_empty()
            {
                r.label = Some(label);
            }
        }
        b"node" | b"edge" => {
            if let Some((r, at, what, given)) = st.open.pop() {
                finish_record(b, st, r, at, what, given);
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
        let path = dir.path().join("g.graphml");
        std::fs::write(&path, text).unwrap();
        FORMAT.read_fast(&path, Mode::Streamed, 16)
    }

    #[test]
    fn records_as_writers_write_them_are_read_whole() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="n" for="node" attr.name="name"/>
  <key id="k" for="edge" attr.name="kind"/>
  <graph edgedefault="directed">
    <node id="a">
      <data key="n">Ann &amp; Bo</data>
      <data key="x"/>
    </node>
    <node id="b"/>
    <edge id="e0" source="a" target="b">
      <data key="k">pays</data>
    </edge>
    <node id="c"><data key="n">C</data><!-- a comment --></node>
    <node id="d"><data key="n"><![CDATA[D]]></data></node>
  </graph>
</graphml>
"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.graphml");
        std::fs::write(&path, text).unwrap();
        for block in [7, 1 << 20] {
            let mut scan = Scanner::new(File::open(&path).unwrap(), block);
            let mut sink = Sink::collect();
            let mut st = State::default();
            let read = fast_events(&mut scan, &mut sink, &mut st, false);
            assert_eq!(read, Ok(true));
            // Not `c` (a comment) nor `d` (CDATA): the events read those.
            assert_eq!(st.whole, 3, "blocks of {block}");
        }
    }

    fn chunked(text: &str) -> (Option<String>, String) {
        FORMAT.chunked_and_careful(text)
    }

    #[test]
    fn more_keys_than_the_key_table_holds_read_as_one_thread_reads() {
        // 100 keys, more than `KeyTable` keeps (63), some sharing their
        // first eight bytes (one print, one slot, the next ones taken).
        let ids: Vec<String> = (0..100)
            .map(|i| match i % 3 {
                0 => format!("k{i}"),
                1 => format!("same_prefix_{i}"),
                _ => format!("a_long_key_id_{i}"),
            })
            .collect();
        let mut text = String::from("<graphml>\n");
        for (i, id) in ids.iter().enumerate() {
            text += &format!("<key id=\"{id}\" for=\"node\" attr.name=\"attr_f{i}\"/>\n");
        }
        text += "<graph edgedefault=\"directed\">\n";
        for n in 0..3 {
            text += &format!("<node id=\"n{n}\">");
            for (i, id) in ids.iter().enumerate().skip(n * 7) {
                text += &format!("<data key=\"{id}\">v{n}.{i}</data>");
            }
            // An undeclared key, as another writer might leave it.
            text += "<data key=\"same_prefix_undeclared\">u</data></node>\n";
        }
        text += "</graph></graphml>\n";
        let (chunks, careful) = chunked(&text);
        assert_eq!(chunks.as_deref(), Some(careful.as_str()));
        assert!(careful.contains("v2.99"), "{careful}");
    }

    #[test]
    fn the_fast_tokenizer_reads_a_file_as_writers_write_it() {
        let read = fast(r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand -->
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">
  <key id="d0" for="node" attr.name="name"/>
  <key id="d1" for="edge" attr.name="date"/>
  <key id="d2" for="node" yfiles.type="nodegraphics"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="d0">Ann &amp; Bo &#220;</data></node>
    <node id="b"><data key="d0"><![CDATA[<b>]]></data><data key="d2"><y:ShapeNode><y:NodeLabel>B</y:NodeLabel></y:ShapeNode></data></node>
    <?pi here?>
    <edge source='a' target="b"><data key="d1">2020</data></edge>
  </graph>
</graphml>
"#).expect("not declined").expect("read");
        assert_eq!((read.graph.node_count(), read.graph.edge_count()), (2, 1));
    }

    #[test]
    fn the_fast_tokenizer_leaves_what_is_wrong_to_quick_xml() {
        for bad in [
            r#"<graphml><graph><node id="a" id="b"/></graph></graphml>"#,
            r#"<graphml><graph><node id="a"></graph></graphml>"#,
            r#"<graphml><graph>&nbsp;</graph></graphml>"#,
            r#"<graphml><graph><node id="a"/>"#,
        ] {
            assert!(fast(bad).is_none(), "{bad}");
        }
    }
    #[test]
    fn chunks_read_as_one_thread_reads_or_are_declined() {
        let head = r#"<graphml><key id="d0" for="node" attr.name="name"/>
<graph edgedefault="undirected">"#;
        let good = format!(
            r#"{head}<node id="a"><data key="d0">A</data></node><node id="b"/>
<!-- a note --><hyperedge/><edge source="a" target="b"/><edge source="b" target="c"/></graph></graphml>"#
        );
        let (chunks, careful) = chunked(&good);
        assert_eq!(chunks.as_deref(), Some(careful.as_str()));
        assert!(careful.contains("hyperedges skipped"), "{careful}");
        for declined in [
            // A cut inside a comment.
            format!(
                r#"{head}<node id="a"/><!-- <node id="x"/> --><node id="b"/></graph></graphml>"#
            ),
            // A key declared after a node: it changes how later chunks read.
            format!(
                r#"{head}<node id="a"/><key id="d1" for="node" attr.name="kind"/><node id="b"><data key="d1">person</data></node></graph></graphml>"#
            ),
            // A group: its nodes nest in it.
            format!(r#"{head}<node id="g"><graph><node id="a"/></graph></node></graph></graphml>"#),
            // An element left open, or closed without being open.
            format!(r#"{head}<node id="a"/></graph>"#),
            format!(r#"{head}<node id="a"/></graph></graphml></x>"#),
            // A damaged node: quick-xml names the problem.
            format!(r#"{head}<node id="a"/><node id="b" id="c"/></graph></graphml>"#),
        ] {
            let (chunks, careful) = chunked(&declined);
            assert_eq!(chunks, None, "{declined}\n{careful}");
        }
    }
}
