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

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::xml::{Names, OpenElements, attributes, get};
use super::{Builder, Mode, Pos, Record, Sink};
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
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum In {
    Node,
    Edge,
}

/// How times are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeFormat {
    Date,
    Double,
}

struct State {
    /// Titles of declared attributes by id, nodes' then edges'.
    titles: [HashMap<String, String, foldhash::fast::RandomState>; 2],
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

/// [`read_checked`], built the way `mode` says.
pub fn read_checked_in(path: &Path, mode: Mode) -> Result<super::Checked, LoadError> {
    let file = std::fs::File::open(path).map_err(|e| super::open_error(path, e))?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut reader = Reader::from_reader(BufReader::with_capacity(1 << 16, file));
    reader.config_mut().trim_text(false);
    let mut b = Builder::sized(path, size, PER_ENTITY);
    // An edge end no <node> declares is a node, as networkx, igraph and Gephi read it.
    b.implicit_nodes = true;
    b.implicit_why = "as no <node> declares them (networkx, igraph and Gephi make them too)";
    b.implicit_named = true;
    let mut st = State {
        titles: Default::default(),
        defaults: Vec::new(),
        class: In::Node,
        declaring: None,
        in_default: false,
        default_edge_undirected: false,
        time: TimeFormat::Date,
        current: Vec::new(),
        kept_times: 0,
    };
    let seen_root = super::stream(&mut b, mode, |b| events(&mut reader, b, &mut st));
    if !seen_root && !b.has_problems() {
        b.problem(Pos::Byte(0), not_gexf());
    }
    if b.has_problems() {
        return Err(b.into_error(path));
    }
    if st.kept_times > 0 {
        b.notes.push(format!(
            "{} times that are steps, not years, were kept as `start`/`end` attributes, not dates",
            st.kept_times
        ));
    }
    b.finish_checked(path)
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
                start(b, st, &e, at, false);
            }
            Event::Empty(e) => {
                if !seen_root {
                    b.problem(at, not_gexf());
                    break;
                }
                start(b, st, &e, at, true);
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

fn start(b: &mut Sink<'_>, st: &mut State, e: &BytesStart<'_>, at: Pos, empty: bool) {
    let attrs = match attributes(e, Names::Local) {
        Ok(a) => a,
        Err(m) => {
            b.problem(at, invalid(m));
            return;
        }
    };
    match e.local_name().as_ref() {
        b"graph" => {
            st.default_edge_undirected = matches!(
                get(&attrs, "defaultedgetype"),
                Some("undirected" | "mutual")
            );
            st.time = match get(&attrs, "timeformat") {
                Some("double" | "float" | "integer" | "long") => TimeFormat::Double,
                _ => TimeFormat::Date,
            };
        }
        b"attributes" => {
            st.class = match get(&attrs, "class") {
                Some("edge") => In::Edge,
                _ => In::Node,
            };
        }
        b"attribute" => {
            let id = get(&attrs, "id").unwrap_or_default().to_string();
            let title = get(&attrs, "title").unwrap_or(&id).to_string();
            st.titles[st.class as usize].insert(id.clone(), title.clone());
            if !empty {
                st.declaring = Some((id, title));
            }
        }
        b"default" => st.in_default = st.declaring.is_some(),
        b"node" | b"edge" => {
            let what = if e.local_name().as_ref() == b"node" {
                In::Node
            } else {
                In::Edge
            };
            let mut r = Record {
                id: get(&attrs, "id").unwrap_or_default().to_string(),
                label: get(&attrs, "label").map(str::to_string),
                ..Record::default()
            };
            if what == In::Edge {
                r.from = get(&attrs, "source").unwrap_or_default().to_string();
                r.to = get(&attrs, "target").unwrap_or_default().to_string();
                r.undirected = match get(&attrs, "type") {
                    // `mutual`: both ways, which an undirected relation means.
                    Some("undirected" | "mutual") => true,
                    Some(_) => false,
                    None => st.default_edge_undirected,
                };
                if let Some(w) = get(&attrs, "weight") {
                    r.attrs.push(("weight".to_string(), w.to_string()));
                }
                if let Some(k) = get(&attrs, "kind") {
                    r.kind = Some(k.to_string());
                }
            }
            let start = get(&attrs, "start")
                .or(get(&attrs, "datestart"))
                .or(get(&attrs, "timestamp"));
            let end = get(&attrs, "end").or(get(&attrs, "dateend"));
            // The element's own times count as one more spell.
            let open = Open {
                r,
                at,
                what,
                spells: (start.map(str::to_string), end.map(str::to_string)),
            };
            if empty {
                finish_record(b, st, open);
            } else {
                st.current.push(open);
            }
        }
        b"attvalue" => {
            let Some(Open { r, what, .. }) = st.current.last_mut() else {
                return;
            };
            let id = get(&attrs, "for").or(get(&attrs, "id")).unwrap_or_default();
            let title = st.titles[*what as usize].get(id).map_or(id, String::as_str);
            let value = get(&attrs, "value").unwrap_or_default().to_string();
            if title.eq_ignore_ascii_case("label") && r.label.is_some() {
                r.attrs.push((title.to_string(), value));
            } else {
                r.set(title, value);
            }
        }
        b"spell" => {
            let s = get(&attrs, "start").or(get(&attrs, "timestamp"));
            let e_ = get(&attrs, "end").or(get(&attrs, "timestamp"));
            let time = st.time;
            let Some(Open { spells, .. }) = st.current.last_mut() else {
                return;
            };
            if let Some(s) = s
                && spells.0.as_deref().is_none_or(|x| later(time, x, s))
            {
                spells.0 = Some(s.to_string());
            }
            if let Some(e_) = e_
                && spells.1.as_deref().is_none_or(|x| later(time, e_, x))
            {
                spells.1 = Some(e_.to_string());
            }
        }
        _ => {}
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
/// double that is not a year.
fn set_time(st: &mut State, r: &mut Record, which: &str, value: Option<&str>) {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return;
    };
    let date = match st.time {
        TimeFormat::Date => Some(v.to_string()),
        TimeFormat::Double => match v.parse::<f64>() {
            Ok(x) if x.fract() == 0.0 && (1000.0..=2999.0).contains(&x) => {
                Some(format!("{:04}", x as i32))
            }
            _ => None,
        },
    };
    match date {
        Some(d) => {
            let slot = if which == "start" {
                &mut r.date
            } else {
                &mut r.until
            };
            *slot = Some(d);
        }
        None => {
            st.kept_times += 1;
            r.attrs.push((which.to_string(), v.to_string()));
        }
    }
}

/// A node or edge being read, with the earliest start and latest end of its
/// spells.
struct Open {
    r: Record,
    at: Pos,
    what: In,
    spells: (Option<String>, Option<String>),
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
        set_time(st, &mut r, "start", s.as_deref());
        set_time(st, &mut r, "end", e.as_deref());
    }
    for (class, title, value) in &st.defaults {
        let has = r.attrs.iter().any(|(k, _)| k == title);
        if *class == what && !has {
            r.attrs.push((title.clone(), value.clone()));
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
