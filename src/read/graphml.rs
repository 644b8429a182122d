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

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::xml::{Names, attributes, get};
use super::{Builder, Pos, Record};
use crate::graph::Graph;
use crate::load::{LoadError, ProblemKind};

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
struct Key {
    name: String,
    /// `node`, `edge`, `all`, `graph`…
    target: String,
    default: Option<String>,
    /// yEd's graphics (`yfiles.type`): markup, not a value.
    graphics: bool,
}

struct State {
    keys: HashMap<String, Key>,
    /// The key whose `<default>` is being read.
    declaring: Option<String>,
    in_default: bool,
    /// `edgedefault` of each open `<graph>`, innermost last.
    undirected: Vec<bool>,
    /// Open nodes and edges (nodes nest in yEd groups), innermost last.
    open: Vec<(Record, Pos, In, Vec<String>)>,
    /// The key of the `<data>` being read.
    data_key: Option<String>,
    /// Inside a yEd `NodeLabel` or `EdgeLabel`.
    in_label: bool,
    label_text: String,
    skipped: usize,
}

/// Reads a GraphML file.
pub fn read(path: &Path) -> Result<(Graph, Vec<String>), LoadError> {
    read_checked(path).map(|c| (c.graph, c.notes))
}

/// [`read`], with what the load worked around (a duplicate node id) as an
/// error for `--strict`.
pub fn read_checked(path: &Path) -> Result<super::Checked, LoadError> {
    let file = std::fs::File::open(path).map_err(|e| super::open_error(path, e))?;
    let mut reader = Reader::from_reader(BufReader::with_capacity(1 << 16, file));
    reader.config_mut().trim_text(false);
    let mut b = Builder::new(path);
    // An edge end no <node> declares is a node, as networkx, igraph and Gephi read it.
    b.implicit_nodes = true;
    b.implicit_why = "as no <node> declares them (networkx, igraph and Gephi make them too)";
    b.implicit_named = true;
    let mut st = State {
        keys: HashMap::new(),
        declaring: None,
        in_default: false,
        undirected: Vec::new(),
        open: Vec::new(),
        data_key: None,
        in_label: false,
        label_text: String::new(),
        skipped: 0,
    };
    let mut buf = Vec::new();
    let mut text = String::new();
    let mut seen_root = false;
    // Open elements, to tell a cut-short file.
    let mut open: Vec<String> = Vec::new();
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
                    open.push(String::from_utf8_lossy(e.name().as_ref()).to_string());
                }
                if e.local_name().as_ref() != b"graphml" {
                    b.problem(at, invalid("the root element is not `<graphml>`".into()));
                    break;
                }
            }
            Event::Start(e) => {
                text.clear();
                open.push(String::from_utf8_lossy(e.name().as_ref()).to_string());
                start(&mut b, &mut st, &e, at, false);
            }
            Event::Empty(e) => start(&mut b, &mut st, &e, at, true),
            ev @ (Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) => {
                match super::xml::event_text(&ev) {
                    Some(Ok(s)) => push_text(&mut st, &mut text, &s),
                    Some(Err(message)) => b.problem(at, invalid(message)),
                    None => {}
                }
            }
            Event::End(e) => {
                open.pop();
                end(&mut b, &mut st, e.local_name().as_ref(), &text);
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
    if !seen_root && !b.has_problems() {
        b.problem(
            Pos::Byte(0),
            invalid("the root element is not `<graphml>`".into()),
        );
    }
    if b.has_problems() {
        return Err(b.into_error(path));
    }
    if st.skipped > 0 {
        b.notes.push(format!(
            "{} hyperedges skipped: a ties relation ties two entities",
            st.skipped
        ));
    }
    b.finish_checked(path)
}

fn push_text(st: &mut State, text: &mut String, s: &str) {
    if st.in_label {
        st.label_text.push_str(s);
    }
    text.push_str(s);
}

fn invalid(message: String) -> ProblemKind {
    ProblemKind::Invalid {
        format: "GraphML",
        message,
    }
}

fn start(b: &mut Builder, st: &mut State, e: &BytesStart<'_>, at: Pos, empty: bool) {
    let attrs = match attributes(e, Names::AsWritten) {
        Ok(a) => a,
        Err(m) => {
            b.problem(at, invalid(m));
            return;
        }
    };
    match e.local_name().as_ref() {
        b"key" => {
            let id = get(&attrs, "id").unwrap_or_default().to_string();
            let name = get(&attrs, "attr.name").unwrap_or(&id).to_string();
            let target = get(&attrs, "for").unwrap_or("all").to_string();
            st.keys.insert(
                id.clone(),
                Key {
                    name,
                    target,
                    default: None,
                    graphics: get(&attrs, "yfiles.type").is_some(),
                },
            );
            if !empty {
                st.declaring = Some(id);
            }
        }
        b"default" => st.in_default = st.declaring.is_some(),
        b"graph" => {
            let inherited = st.undirected.last().copied().unwrap_or(false);
            let undirected = match get(&attrs, "edgedefault") {
                Some("undirected") => true,
                Some(_) => false,
                None => inherited,
            };
            if !empty {
                st.undirected.push(undirected);
            }
        }
        b"node" | b"edge" => {
            let what = if e.local_name().as_ref() == b"node" {
                In::Node
            } else {
                In::Edge
            };
            let mut r = Record {
                id: get(&attrs, "id").unwrap_or_default().to_string(),
                ..Record::default()
            };
            if what == In::Edge {
                r.from = get(&attrs, "source").unwrap_or_default().to_string();
                r.to = get(&attrs, "target").unwrap_or_default().to_string();
                r.undirected = match get(&attrs, "directed") {
                    Some("false") => true,
                    Some(_) => false,
                    None => st.undirected.last().copied().unwrap_or(false),
                };
            }
            st.label_text.clear();
            if empty {
                finish_record(b, st, r, at, what, Vec::new());
            } else {
                st.open.push((r, at, what, Vec::new()));
            }
        }
        b"hyperedge" => st.skipped += 1,
        b"data" => {
            st.data_key = get(&attrs, "key").map(str::to_string);
            if empty && let Some(k) = st.data_key.take() {
                set_data(st, &k, String::new());
            }
        }
        b"NodeLabel" | b"EdgeLabel" => {
            st.in_label = true;
            st.label_text.clear();
        }
        _ => {}
    }
}

/// Files a `<data>` value on the innermost open node or edge.
fn set_data(st: &mut State, key: &str, value: String) {
    let name = st
        .keys
        .get(key)
        .map_or(key, |k| k.name.as_str())
        .to_string();
    if let Some((r, _, _, given)) = st.open.last_mut() {
        given.push(key.to_string());
        r.set(&name, value);
    }
}

fn finish_record(
    b: &mut Builder,
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
    for (id, key) in &st.keys {
        if let Some(d) = &key.default
            && !key.graphics
            && (key.target == class || key.target == "all")
            && !given.contains(id)
        {
            r.set(&key.name, d.clone());
        }
    }
    match what {
        In::Node => b.node(r, at),
        In::Edge => b.edge(r, at),
    }
}

fn end(b: &mut Builder, st: &mut State, name: &[u8], text: &str) {
    match name {
        b"default" => {
            if st.in_default
                && let Some(id) = &st.declaring
                && let Some(k) = st.keys.get_mut(id)
            {
                k.default = Some(text.to_string());
            }
            st.in_default = false;
        }
        b"key" => st.declaring = None,
        b"graph" => {
            st.undirected.pop();
        }
        b"data" => {
            // A yEd graphics block holds markup, not a value: its label was taken.
            if let Some(k) = st.data_key.take() {
                let graphics = st.keys.get(&k).is_some_and(|k| k.graphics);
                if !graphics {
                    set_data(st, &k, text.to_string());
                }
            }
        }
        b"NodeLabel" | b"EdgeLabel" => {
            st.in_label = false;
            let label = st.label_text.trim().to_string();
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
