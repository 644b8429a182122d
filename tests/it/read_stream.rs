//! The streamed readers (GraphML, GEXF, CSV: parsed on one thread, built on
//! another, each edge built as soon as its ends are known) against the
//! careful way they first worked (one thread, every edge held to the end):
//! generated and damaged files must give the same graph, notes and problems.

use std::path::Path;

use proptest::prelude::*;

use ties::Graph;
use ties::load::LoadError;
use ties::read::{Checked, Mode, csv, gexf, graphml};

/// Everything a graph says, resolved to text and sorted (relations read in
/// another order are the same relations).
fn dump(g: &Graph) -> (Vec<String>, Vec<String>) {
    let sources = |set| {
        g.source_list(set)
            .iter()
            .map(|s| g.sources()[s.0 as usize].id.to_string())
            .collect::<Vec<_>>()
    };
    let attrs = |a: ties::graph::Attrs<'_>| {
        a.iter()
            .map(|(k, v)| format!("{}={v}", g.sym(k)))
            .collect::<Vec<_>>()
    };
    let mut entities: Vec<String> = g
        .node_indices()
        .map(|n| {
            let e = g.entity(n);
            format!(
                "{:?} {:?} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                e.id,
                e.name,
                g.entity_kind_label(e.kind),
                e.aliases.to_vec(),
                e.weak_aliases.to_vec(),
                e.date.map(|d| d.to_string()),
                e.until.map(|d| d.to_string()),
                e.note,
                e.amount
                    .map(|a| format!("{} {} {}", a.value, a.currency.code(), a.approx)),
                sources(e.sources),
                attrs(e.attrs),
            )
        })
        .collect();
    let mut relations: Vec<String> = g
        .edge_indices()
        .map(|ix| {
            let r = g.relation(ix);
            let (a, b) = g.ends(ix);
            format!(
                "{:?} {:?} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {}",
                g.entity(a).id,
                g.entity(b).id,
                g.relation_kind_label(r.kind),
                r.role.map(|s| g.sym(s).to_string()),
                r.id(),
                r.date.map(|d| d.to_string()),
                r.until.map(|d| d.to_string()),
                r.note,
                r.amount
                    .map(|a| format!("{} {} {}", a.value, a.currency.code(), a.approx)),
                sources(r.sources),
                attrs(r.attrs),
                r.undirected,
            )
        })
        .collect();
    entities.sort();
    relations.sort();
    (entities, relations)
}

/// What a read gave, as compared.
#[derive(Debug, PartialEq)]
enum Outcome {
    Read {
        graph: (Vec<String>, Vec<String>),
        notes: Vec<String>,
        worked_around: Option<LoadError>,
    },
    Refused(LoadError),
}

fn outcome(r: Result<Checked, LoadError>) -> Outcome {
    match r {
        Ok(c) => Outcome::Read {
            graph: dump(&c.graph),
            notes: c.notes,
            worked_around: c.worked_around,
        },
        Err(e) => Outcome::Refused(e),
    }
}

/// Reads `path` both ways and asserts they agree; gives the streamed outcome.
fn both_ways(path: &Path, read: impl Fn(&Path, Mode) -> Result<Checked, LoadError>) -> Outcome {
    let streamed = outcome(read(path, Mode::Streamed));
    let careful = outcome(read(path, Mode::Careful));
    assert_eq!(streamed, careful, "{}", path.display());
    streamed
}

/// [`both_ways`], and the XML formats' fast tokenizer reading the file in
/// blocks of every size from 1 to 64 bytes (elements, references and
/// comments cut anywhere), and in chunks on several threads cut before the
/// first `<node` or `<edge` at least 1 to 64 bytes on (so before every
/// node and edge, and every few), each giving the careful outcome too:
/// the same graph, and for a damaged file the same problems at the same
/// lines and columns, whichever chunk the damage is in.
fn all_ways(path: &Path, read: impl Fn(&Path, Mode) -> Result<Checked, LoadError>) -> Outcome {
    let careful = both_ways(path, &read);
    for block in 1..=64 {
        let blocks = outcome(read(path, Mode::Blocks(block)));
        assert_eq!(blocks, careful, "{} in blocks of {block}", path.display());
        let chunks = outcome(read(path, Mode::Chunks(block)));
        assert_eq!(chunks, careful, "{} in chunks of {block}", path.display());
    }
    careful
}

/// `text` written to a file named `name` in a new directory, read
/// [`all_ways`].
fn all_ways_of(
    name: &str,
    text: impl AsRef<[u8]>,
    read: impl Fn(&Path, Mode) -> Result<Checked, LoadError>,
) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    all_ways(&path, read)
}

fn read_graphml(p: &Path, m: Mode) -> Result<Checked, LoadError> {
    graphml::read_checked_in(p, m)
}

fn read_gexf(p: &Path, m: Mode) -> Result<Checked, LoadError> {
    gexf::read_checked_in(p, m)
}

fn read_csv(p: &Path, m: Mode) -> Result<Checked, LoadError> {
    csv::read_with_checked_in(p, &csv::Columns::default(), m)
}

/// A node or an edge of a generated file, its fields in the file's words.
#[derive(Debug, Clone)]
struct Rec {
    edge: bool,
    id: String,
    from: String,
    to: String,
    name: String,
    kind: String,
    date: String,
    until: String,
    amount: String,
    currency: String,
    sources: String,
    extra: String,
    /// How the element is written (see [`graphml_text`], [`gexf_text`]):
    /// as writers write it, or in forms the fast path leaves to the events.
    style: usize,
}

/// Ids from a small pool (so that ids repeat, and edges name nodes read
/// later or never), with blanks and spaces around.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0..8u8).prop_map(|i| format!("n{i}")),
        1 => Just(" n1 ".to_string()),
        1 => Just(String::new()),
        1 => Just("zz".to_string()),
    ]
}

/// Text with what files must quote or escape: commas, quotes, line breaks,
/// `<`, `&`, semicolons (list separators), letters beyond ASCII; and text
/// longer than a record holds inline (24 bytes), which the readers keep
/// in allocations they fill again.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("a"),
            Just("Ministry of National Defence of Lithuania"),
            Just("Ann Lee"),
            Just(","),
            Just("\""),
            Just("\n"),
            Just("<b>"),
            Just("&"),
            Just(";"),
            Just("Ü"),
            Just(" "),
        ],
        0..4,
    )
    .prop_map(|v| v.concat())
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        2 => Just("2020".to_string()),
        2 => Just("2021-05-03".to_string()),
        1 => Just("2019-01".to_string()),
        1 => Just("2020-13".to_string()),
        1 => Just("soon".to_string()),
    ]
}

fn rec() -> impl Strategy<Value = Rec> {
    let kind = prop_oneof![
        Just(String::new()),
        Just("person".to_string()),
        Just("Company".to_string()),
        Just("party to".to_string()),
        Just("x-kind".to_string()),
    ];
    let amount = prop_oneof![
        3 => Just((String::new(), String::new())),
        1 => Just(("100".to_string(), "EUR".to_string())),
        1 => Just(("12.5".to_string(), String::new())),
        1 => Just(("abc".to_string(), "USD".to_string())),
        1 => Just(("5".to_string(), "QQQ".to_string())),
    ];
    let sources = prop_oneof![
        Just(String::new()),
        Just("s1".to_string()),
        Just("s1;s2".to_string()),
        Just("https://example.org/a".to_string()),
    ];
    (
        any::<bool>(),
        (id(), id(), id()),
        (text(), kind),
        (date(), date()),
        amount,
        (sources, text(), 0..16usize),
    )
        .prop_map(
            |(
                edge,
                (id, from, to),
                (name, kind),
                (date, until),
                (amount, currency),
                (sources, extra, style),
            )| {
                Rec {
                    edge,
                    id,
                    from,
                    to,
                    name,
                    kind,
                    date,
                    until,
                    amount,
                    currency,
                    sources,
                    extra,
                    style,
                }
            },
        )
}

/// `s` escaped for XML, or as CDATA.
fn xml_text(s: &str, cdata: bool) -> String {
    if cdata && !s.contains("]]>") {
        return format!("<![CDATA[{s}]]>");
    }
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        // Character references, decimal and hexadecimal.
        .replace('Ü', "&#220;")
        .replace(';', "&#x3B;")
}

/// A node's or edge's start tag, its attributes written one of the ways
/// writers and hands write them (`form`): as most writers do, with single
/// quotes, with tabs, line breaks and space before `>`, with space around
/// `=`, with no space between attributes, or with a prefix.
fn start_tag(name: &str, attrs: &[(&str, &str)], end: &str, form: usize) -> String {
    let mut s = format!("<{name}");
    for (i, (k, v)) in attrs.iter().enumerate() {
        let v = xml_text(v, false);
        s += &match (form % 6, i) {
            (1, _) => format!(" {k}='{}'", v.replace('\'', "&apos;")),
            (2, _) => format!("\t\n {k}=\"{v}\""),
            (3, 0) => format!(" {k} = \"{v}\""),
            (4, 0) => format!(" {k}=\"{v}\"\t"),
            (4, _) => format!("{k}=\"{v}\""),
            (5, 0) => format!(" ns:{k}=\"{v}\""),
            _ => format!(" {k}=\"{v}\""),
        };
    }
    if form % 6 == 2 {
        s += " ";
    }
    s + end
}

/// Markup that says nothing, put between elements: a comment, a processing
/// instruction, or nothing.
fn aside(i: usize) -> &'static str {
    ["", "<!-- a <node> in a comment -->", "<?pi <edge?>", "\n  "][i % 4]
}

const FIELDS: [&str; 9] = [
    "name", "kind", "date", "until", "amount", "currency", "sources", "colour", "note",
];

fn fields(r: &Rec) -> [&str; 9] {
    [
        &r.name,
        &r.kind,
        &r.date,
        &r.until,
        &r.amount,
        &r.currency,
        &r.sources,
        &r.extra,
        &r.extra,
    ]
}

/// The id of key `i` of [`FIELDS`], by `ids`: short (`d0`), or long ones
/// sharing their first eight bytes (the reader's table of keys tells them
/// apart by more than those bytes), or each different in its first eight.
fn key_id(i: usize, ids: usize) -> String {
    match ids % 3 {
        0 => format!("d{i}"),
        1 => format!("shared_prefix_{i}"),
        _ => format!("k{i}_{}", "x".repeat(i)),
    }
}

/// A GraphML file of `recs`; `ids` chooses the keys' ids ([`key_id`]), and
/// whether one is written with a character reference where a value gives it
/// and a key is declared halfway, after values that name it (`ids` ≥ 3).
fn graphml_text(recs: &[Rec], cdata: bool, undirected: bool, ids: usize) -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<graphml>\n");
    for (i, f) in FIELDS.iter().enumerate() {
        let id = key_id(i, ids);
        s += &format!("<key id=\"{id}\" for=\"all\" attr.name=\"{f}\"/>\n");
    }
    // A key with a default, and one no record gives.
    s += "<key id=\"w\" for=\"edge\" attr.name=\"weight\"><default>1</default></key>\n";
    // yEd's graphics: markup, not a value.
    s += "<key id=\"g\" for=\"node\" yfiles.type=\"nodegraphics\"/>\n";
    let dir = if undirected { "undirected" } else { "directed" };
    s += &format!("<graph edgedefault=\"{dir}\">\n");
    for (n, r) in recs.iter().enumerate() {
        if ids >= 3 && n == recs.len() / 2 {
            s += "<key id=\"late\" for=\"all\" attr.name=\"role\"/>\n";
        }
        // Between values: nothing, or a writer's line breaks and indent.
        let gap = ["", "\n      "][r.style % 2];
        if r.edge {
            // Some edges say their direction, or have an id.
            let extra: &[(&str, &str)] = [
                &[][..],
                &[("directed", "false")],
                &[("id", "e")],
                &[("directed", "true")],
            ][r.style / 2 % 4];
            let attrs = [&[("source", &*r.from), ("target", &*r.to)][..], extra].concat();
            s += &start_tag("edge", &attrs, ">", r.name.len() + r.style);
        } else {
            s += &start_tag("node", &[("id", &r.id)], ">", r.name.len() + r.style);
        }
        for (i, v) in fields(r).iter().enumerate() {
            if !v.is_empty() {
                s += gap;
                let id = key_id(i, ids);
                // The key's first character as a reference.
                let id = if ids >= 3 && (n + i) % 4 == 0 {
                    format!("&#{};{}", u32::from(id.as_bytes()[0]), &id[1..])
                } else {
                    id
                };
                // `<data key="…">` as writers write it, or with more
                // attributes or other quotes.
                let tag = match (r.style / 8, i % 3) {
                    (1, 0) => format!("<data key='{id}'>"),
                    (1, 1) => format!("<data id=\"x\" key=\"{id}\" >"),
                    _ => format!("<data key=\"{id}\">"),
                };
                s += &format!("{tag}{}</data>", xml_text(v, cdata));
            }
        }
        // A value of the key declared halfway (undeclared before).
        if ids >= 3 && r.style % 3 == 0 {
            s += "<data key=\"late\">chair</data>";
        }
        // An empty value, the weight's default given, and graphics.
        match r.style % 8 {
            3 => s += "<data key=\"d7\"/>",
            5 => s += "<data key=\"w\">2</data>",
            7 if !r.edge => s += "<data key=\"g\">shape</data>",
            _ => {}
        }
        s += gap;
        s += if r.edge { "</edge>\n" } else { "</node>\n" };
        s += aside(r.name.len() + r.id.len());
        // A line break after a comment, as writers put one: the next
        // record is then read whole, not by the events that read the comment.
        s += ["", "\n"][r.style / 4 % 2];
    }
    s + "</graph>\n</graphml>\n"
}

fn gexf_text(recs: &[Rec], undirected: bool) -> String {
    let dir = if undirected { "undirected" } else { "directed" };
    let mut s = format!(
        "<?xml version=\"1.0\"?>\n<gexf version=\"1.3\">\n<graph defaultedgetype=\"{dir}\">\n"
    );
    for class in ["node", "edge"] {
        s += &format!("<attributes class=\"{class}\">\n");
        for (i, f) in FIELDS.iter().enumerate().skip(1) {
            s += &format!("<attribute id=\"{i}\" title=\"{f}\" type=\"string\"/>\n");
        }
        s += "</attributes>\n";
    }
    // Nodes and edges in the order generated: edges may come first.
    s += "<nodes>\n";
    let mut edges = String::new();
    for r in recs {
        // Between values: nothing, or a writer's line breaks and indent.
        let gap = ["", "\n        "][r.style % 2];
        let values: String = fields(r)
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, v)| !v.is_empty())
            .map(|(i, v)| {
                let v = xml_text(v, false);
                // As writers write it, or in other orders and forms.
                match (r.style / 8, i % 3) {
                    (1, 0) => format!("{gap}<attvalue value=\"{v}\" for=\"{i}\"/>"),
                    (1, 1) => format!("{gap}<attvalue id='{i}' value='{v}' />"),
                    (1, 2) => format!("{gap}<attvalue for=\"{i}\" value=\"{v}\"></attvalue>"),
                    _ => format!("{gap}<attvalue for=\"{i}\" value=\"{v}\"/>"),
                }
            })
            .collect();
        let values = match r.style / 2 % 4 {
            // No values, or an empty list.
            1 if values.is_empty() => String::new(),
            2 if values.is_empty() => "<attvalues/>".to_string(),
            // Dynamics: the element's times, and spells.
            3 => format!(
                "<attvalues>{values}{gap}</attvalues>{gap}<spells><spell start=\"2001\" end=\"2003\"/></spells>"
            ),
            _ => format!("{gap}<attvalues>{values}{gap}</attvalues>"),
        };
        let times: &[(&str, &str)] =
            [&[("start", "2019-05-09"), ("end", "2020")][..], &[]][r.style / 4 % 2];
        let form = r.name.len() + r.style;
        let element = if r.edge {
            let attrs = [
                ("source", &*r.from),
                ("target", &*r.to),
                ("label", &*r.name),
            ];
            let tag = start_tag("edge", &[&attrs[..], times].concat(), ">", form);
            format!("{tag}{values}{gap}</edge>\n")
        } else if values.is_empty() && r.style % 2 == 0 {
            let attrs = [("id", &*r.id), ("label", &*r.name)];
            start_tag("node", &[&attrs[..], times].concat(), "/>\n", form)
        } else {
            let attrs = [("id", &*r.id), ("label", &*r.name)];
            let tag = start_tag("node", &[&attrs[..], times].concat(), ">", form);
            format!("{tag}{values}{gap}</node>\n")
        };
        // An edge among the nodes, or in the edges' list.
        // A line break after a comment, as writers put one: the next
        // record is then read whole, not by the events that read the comment.
        let after = ["", "\n"][r.style / 4 % 2];
        if r.edge && r.id.len() % 2 == 0 {
            edges += &element;
            edges += aside(r.name.len());
            edges += after;
        } else {
            s += &element;
            s += aside(r.name.len());
            s += after;
        }
    }
    s += "</nodes>\n<edges>\n";
    s + &edges + "</edges>\n</graph>\n</gexf>\n"
}

/// A node table and an edge table, quoted as the csv crate quotes; `ragged`
/// rows lose their last field.
fn csv_tables(recs: &[Rec], ragged: &[bool]) -> (String, String) {
    let table = |edge: bool| {
        let mut w = ::csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        let mut header: Vec<&str> = if edge {
            vec!["source", "target"]
        } else {
            vec!["id"]
        };
        header.extend(FIELDS);
        w.write_record(&header).unwrap();
        for (i, r) in recs.iter().enumerate().filter(|(_, r)| r.edge == edge) {
            let mut row: Vec<&str> = if edge {
                vec![&r.from, &r.to]
            } else {
                vec![&r.id]
            };
            row.extend(fields(r));
            if ragged.get(i).copied().unwrap_or(false) {
                row.pop();
            }
            w.write_record(&row).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    };
    (table(false), table(true))
}

/// `text` with the character near `at` (a fraction of its length) replaced
/// by one that XML gives a meaning, or by a byte that is not UTF-8.
fn damaged(text: &str, (at, with): (f64, usize)) -> Vec<u8> {
    let mut i = (text.len() as f64 * at) as usize;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    let mut out = text.as_bytes()[..i].to_vec();
    out.push(b"<>&\"/=!?\xff"[with % 9]);
    let rest = &text[i..];
    let next = rest.chars().next().map_or(0, char::len_utf8);
    out.extend_from_slice(&rest.as_bytes()[next..]);
    out
}

/// `text` cut at a character boundary near `at` (a fraction of its length).
fn cut(text: &str, at: f64) -> &str {
    let mut i = (text.len() as f64 * at) as usize;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    &text[..i]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn graphml_streamed_reads_as_the_careful_reader(
        recs in prop::collection::vec(rec(), 0..14),
        cdata in any::<bool>(),
        undirected in any::<bool>(),
        truncate in prop::option::weighted(0.15, 0.0..1.0f64),
        damage in prop::option::weighted(0.15, (0.0..1.0f64, 0..9usize)),
        ids in 0..6usize,
    ) {
        let text = graphml_text(&recs, cdata, undirected, ids);
        let text = truncate.map_or(text.as_str(), |at| cut(&text, at));
        let bytes = damage.map_or_else(|| text.as_bytes().to_vec(), |d| damaged(text, d));
        all_ways_of("g.graphml", bytes, read_graphml);
    }

    #[test]
    fn gexf_streamed_reads_as_the_careful_reader(
        recs in prop::collection::vec(rec(), 0..14),
        undirected in any::<bool>(),
        truncate in prop::option::weighted(0.15, 0.0..1.0f64),
        damage in prop::option::weighted(0.15, (0.0..1.0f64, 0..9usize)),
    ) {
        let text = gexf_text(&recs, undirected);
        let text = truncate.map_or(text.as_str(), |at| cut(&text, at));
        let bytes = damage.map_or_else(|| text.as_bytes().to_vec(), |d| damaged(text, d));
        all_ways_of("g.gexf", bytes, read_gexf);
    }

    #[test]
    fn csv_streamed_reads_as_the_careful_reader(
        recs in prop::collection::vec(rec(), 0..14),
        ragged in prop::collection::vec(prop::bool::weighted(0.1), 14),
        without_nodes in prop::bool::weighted(0.2),
        truncate in prop::option::weighted(0.15, 0.0..1.0f64),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (nodes, edges) = csv_tables(&recs, &ragged);
        if !without_nodes {
            std::fs::write(dir.path().join("nodes.csv"), nodes).unwrap();
        }
        let edges = truncate.map_or(edges.as_str(), |at| cut(&edges, at));
        std::fs::write(dir.path().join("relationships.csv"), edges).unwrap();
        both_ways(dir.path(), read_csv);
    }

    /// The CSV reader's rows read into records in batches on other threads
    /// (batch ends at every row of these small tables, whose quoted fields
    /// hold line breaks, quotes and delimiters): the careful reader's graph,
    /// notes and problems, whatever the batch size.
    #[test]
    fn csv_read_in_batches_of_any_size_reads_as_the_careful_reader(
        recs in prop::collection::vec(rec(), 0..14),
        ragged in prop::collection::vec(prop::bool::weighted(0.1), 14),
        truncate in prop::option::weighted(0.15, 0.0..1.0f64),
        not_utf8 in prop::option::weighted(0.1, 0.0..1.0f64),
        split_char in prop::option::weighted(0.15, 0.0..1.0f64),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (nodes, edges) = csv_tables(&recs, &ragged);
        std::fs::write(dir.path().join("nodes.csv"), nodes).unwrap();
        let mut edges = truncate.map_or(edges.as_str(), |at| cut(&edges, at)).as_bytes().to_vec();
        let header = edges.iter().position(|&b| b == b'\n').map_or(edges.len(), |i| i + 1);
        if let Some(at) = not_utf8 {
            // A byte no UTF-8 text has, somewhere after the header.
            let i = header + ((edges.len() - header) as f64 * at) as usize;
            edges.insert(i.min(edges.len()), 0xff);
        }
        if let Some(at) = split_char {
            // `é` split between two fields at a comma after the header: the
            // row's fields one after another are UTF-8 text, neither field is.
            let commas: Vec<usize> = (header..edges.len()).filter(|&i| edges[i] == b',').collect();
            if !commas.is_empty() {
                let i = commas[((commas.len() as f64 * at) as usize).min(commas.len() - 1)];
                edges.splice(i..=i, [0xc3, b',', 0xa9]);
            }
        }
        std::fs::write(dir.path().join("relationships.csv"), edges).unwrap();
        let careful = outcome(read_csv(dir.path(), Mode::Careful));
        for rows in 1..=5 {
            let batched = csv::read_in_batches(dir.path(), &csv::Columns::default(), Mode::Streamed, rows);
            prop_assert_eq!(&outcome(batched), &careful, "batches of {} rows", rows);
        }
    }
}

/// Pieces of a CSV table's rows that its parser treats apart: quotes (alone,
/// doubled, as a field's first byte or not), delimiters, line feeds,
/// carriage returns (alone, and before a line feed), spaces, a byte order
/// mark, a character of two bytes, a byte no UTF-8 text has.
const CSV_PIECES: &[&[u8]] = &[
    b"a",
    b"b",
    b"c1",
    b"c1",
    b",",
    b",",
    b",",
    b"\"",
    b"\"\"",
    b"\n",
    b"\n",
    b"\n",
    b"\r",
    b"\r\n",
    b"\r\n",
    b" ",
    "é".as_bytes(),
    b"\xef\xbb\xbf",
    b"\xff",
    b"x,y,z\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A node table of any rows of [`CSV_PIECES`], after a header ended by
    /// a line feed, a carriage return and line feed, or a carriage return:
    /// cut into chunks of every few rows (at line feeds, carriage returns,
    /// in and around quoted fields), its rows split on other threads, it
    /// reads as the careful reader reads it: the same graph, and the same
    /// problems (rows of other lengths, duplicate ids, fields not text) at
    /// the same lines.
    #[test]
    fn csv_chunks_of_any_rows_read_as_the_careful_reader(
        end in prop::sample::select(vec!["\n", "\r\n", "\r"]),
        pieces in prop::collection::vec(prop::sample::select(CSV_PIECES.to_vec()), 0..60),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut text = format!("id,name,kind{end}").into_bytes();
        for p in &pieces {
            text.extend_from_slice(p);
        }
        std::fs::write(&path, &text).unwrap();
        let careful = outcome(read_csv(&path, Mode::Careful));
        for rows in [1, 2, 3, 5, 4096] {
            let chunked = csv::read_in_batches(&path, &csv::Columns::default(), Mode::Streamed, rows);
            prop_assert_eq!(&outcome(chunked), &careful, "chunks of {} rows: {:?}", rows, String::from_utf8_lossy(&text));
        }
    }
}

/// A generated graph of `n` entities, written in each format by `ties export`
/// code, large enough for many batches to go between the threads.
fn generated(n: usize) -> Graph {
    let text = crate::common::generated_ron(n, 3, 11);
    ties::load::load_texts(vec![("g.ron".into(), text)]).unwrap()
}

#[test]
fn large_files_stream_to_the_careful_readers_graph_and_problems() {
    use ties::export::{Format, render};
    use ties::view::{Filter, Reach, subgraph};
    let g = generated(3_000);
    let sub = subgraph(&g, None, 0, Reach::Both, &Filter::default());
    let dir = tempfile::tempdir().unwrap();
    for (format, name) in [(Format::Graphml, "g.graphml"), (Format::Gexf, "g.gexf")] {
        let text = render(&g, &sub, format);
        let path = dir.path().join(name);
        std::fs::write(&path, &text).unwrap();
        let read = if name.ends_with("graphml") {
            read_graphml
        } else {
            read_gexf
        };
        let Outcome::Read { graph, .. } = both_ways(&path, read) else {
            panic!("{name} read");
        };
        // In chunks of every few records, on several threads.
        for chunk in [1, 5_000, 100_000] {
            let chunks = outcome(read(&path, Mode::Chunks(chunk)));
            assert!(
                matches!(&chunks, Outcome::Read { graph: g, .. } if *g == graph),
                "{name} in chunks of {chunk}"
            );
        }
        assert_eq!(graph.0.len(), 3_000);
        assert_eq!(graph.1.len(), g.edge_count());
        // A bad date well into the file: the same problem, and only it.
        let date = if name.ends_with("graphml") {
            ">2019-"
        } else {
            "value=\"2019-"
        };
        let at = text.match_indices(date).nth(200).expect("dates").0 + date.len();
        let mut bad = text.clone();
        bad.insert_str(at, "13-");
        std::fs::write(&path, &bad).unwrap();
        let Outcome::Refused(e) = both_ways(&path, read) else {
            panic!("{name}: a bad date refused");
        };
        for chunk in [1, 5_000, 100_000] {
            let chunks = outcome(read(&path, Mode::Chunks(chunk)));
            assert_eq!(
                chunks,
                Outcome::Refused(e.clone()),
                "{name} in chunks of {chunk}"
            );
        }
        assert!(e.to_string().contains("2019-13"), "{e}");
    }
}

/// A large CSV folder (`ties export` tables) read in batches of several sizes,
/// on other threads: the careful reader's graph; a bad date far into the
/// relationships is the same problem, and the only one; a row with a line
/// break in a quoted field, split from the row before by a batch end, reads
/// the same.
#[test]
fn large_csv_tables_read_in_batches_as_the_careful_reader() {
    use ties::export::csv::to_csv_tables;
    use ties::view::{Filter, Reach, subgraph};
    let g = generated(3_000);
    let sub = subgraph(&g, None, 0, Reach::Both, &Filter::default());
    let t = to_csv_tables(&g, &sub);
    let dir = tempfile::tempdir().unwrap();
    let write = |nodes: &str, rels: &str| {
        std::fs::write(dir.path().join("nodes.csv"), nodes).unwrap();
        std::fs::write(dir.path().join("relationships.csv"), rels).unwrap();
    };
    let agree = |what: &str| {
        let careful = outcome(read_csv(dir.path(), Mode::Careful));
        for rows in [1, 7, 100, 4096] {
            let batched =
                csv::read_in_batches(dir.path(), &csv::Columns::default(), Mode::Streamed, rows);
            assert_eq!(outcome(batched), careful, "{what}: batches of {rows} rows");
        }
        careful
    };
    write(&t.nodes, &t.relationships);
    let Outcome::Read { graph, .. } = agree("as written") else {
        panic!("the tables read");
    };
    assert_eq!(graph.0.len(), 3_000);
    assert_eq!(graph.1.len(), g.edge_count());
    // A name with a line break and the delimiter in quotes, on every row
    // from the 50th on (so in every batch, and across batch ends).
    let mut quoted = ::csv::Writer::from_writer(Vec::new());
    let mut rows = ::csv::Reader::from_reader(t.nodes.as_bytes());
    quoted.write_record(rows.headers().unwrap()).unwrap();
    for (i, row) in rows.records().enumerate() {
        let mut row: Vec<String> = row.unwrap().iter().map(str::to_string).collect();
        if i >= 50 {
            row[1] = "two\nlines, \"quoted\"".to_string();
        }
        quoted.write_record(&row).unwrap();
    }
    let quoted = String::from_utf8(quoted.into_inner().unwrap()).unwrap();
    assert!(quoted.contains("\"two\nlines, \"\"quoted\"\"\""));
    write(&quoted, &t.relationships);
    let Outcome::Read { graph, .. } = agree("quoted line breaks") else {
        panic!("the tables read");
    };
    assert_eq!(graph.0.len(), 3_000);
    let named = graph
        .0
        .iter()
        .filter(|e| e.contains(r#""two\nlines, \"quoted\"""#));
    assert_eq!(named.count(), 3_000 - 50);
    // A bad date well into the relationships.
    let at = t
        .relationships
        .match_indices(",2019-")
        .nth(200)
        .expect("dates")
        .0
        + 6;
    let mut bad = t.relationships.clone();
    bad.insert_str(at, "13-");
    write(&t.nodes, &bad);
    let Outcome::Refused(e) = agree("a bad date") else {
        panic!("a bad date refused");
    };
    assert_eq!(e.problems.len(), 1, "{e}");
    assert!(e.to_string().contains("2019-13"), "{e}");
}

#[test]
fn edges_before_their_nodes_wait_and_are_built() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.graphml");
    let mut s = String::from("<graphml><graph edgedefault=\"directed\">\n");
    // 5,000 edges (several batches) before the nodes they join, one to a node
    // that never comes, and a loop.
    for i in 0..5_000 {
        s += &format!(
            "<edge source=\"a{}\" target=\"a{}\"/>\n",
            i % 700,
            (i * 7) % 700
        );
    }
    s += "<edge source=\"a1\" target=\"nowhere\"/>\n";
    for i in 0..700 {
        s += &format!("<node id=\"a{i}\"/>\n");
    }
    s += "</graph></graphml>\n";
    std::fs::write(&path, s).unwrap();
    let Outcome::Read { graph, notes, .. } = both_ways(&path, read_graphml) else {
        panic!("read");
    };
    // The end no node declares is made a node, at the end, as networkx does.
    assert_eq!((graph.0.len(), graph.1.len()), (701, 5_001));
    assert!(
        notes
            .iter()
            .any(|n| n.contains("1 node was made from edge ends") && n.contains("`nowhere`")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("from a node to itself")),
        "{notes:?}"
    );
}

#[test]
fn problems_of_edges_are_told_in_file_order_whichever_waited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.graphml");
    // The first edge waits for its nodes, the second is built at once: both
    // dates are wrong, and the first is told first.
    let s = "<graphml><key id=\"d\" for=\"edge\" attr.name=\"date\"/><graph>\n\
             <edge source=\"a\" target=\"b\"><data key=\"d\">2020-13</data></edge>\n\
             <node id=\"a\"/><node id=\"b\"/>\n\
             <edge source=\"b\" target=\"a\"><data key=\"d\">soon</data></edge>\n\
             </graph></graphml>\n";
    std::fs::write(&path, s).unwrap();
    let Outcome::Refused(e) = both_ways(&path, read_graphml) else {
        panic!("refused");
    };
    let lines: Vec<_> = e.problems.iter().map(|p| p.location.line_col).collect();
    assert_eq!(lines, [Some((2, 1)), Some((4, 1))], "{e}");
}

/// `r` with no text a file writes with a reference (`&`, `<`, `>`, a
/// quote, `;`, `Ü`): read whole, its record is filed from where its
/// attributes and values lie in the block (`Shape::Plain` of the GraphML
/// and GEXF readers), not from lists of them decoded first.
fn without_references(r: Rec) -> Rec {
    let plain = |s: &str| -> String {
        (s.chars())
            .filter(|c| !matches!(c, '&' | '<' | '>' | '"' | '\'' | ';' | 'Ü'))
            .collect()
    };
    Rec {
        name: plain(&r.name),
        extra: plain(&r.extra),
        sources: plain(&r.sources),
        ..r
    }
}

// Every record of these goes the fast way, so a few cases already compare
// each value the fast path files: 64 cases, not the 200 of the others.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Files written only the way writers write them (no CDATA, no
    /// comment without a line break after it, the usual attribute forms),
    /// so that every record goes the fast way (`whole_record`) and each of
    /// its values is compared with what the careful reader makes of it.
    #[test]
    fn graphml_as_writers_write_it_reads_as_the_careful_reader(
        recs in prop::collection::vec(rec(), 1..30),
        undirected in any::<bool>(),
        ids in 0..6usize,
    ) {
        let recs: Vec<Rec> = recs.into_iter().map(|r| Rec { style: 4 + r.style % 4, ..r }).collect();
        all_ways_of("g.graphml", graphml_text(&recs, false, undirected, ids), read_graphml);
    }

    /// [`graphml_as_writers_write_it_reads_as_the_careful_reader`], with
    /// no reference anywhere (a key's id neither): each record is filed
    /// from where its values lie, none decoded.
    #[test]
    fn graphml_without_references_reads_as_the_careful_reader(
        recs in prop::collection::vec(rec(), 1..30),
        undirected in any::<bool>(),
        ids in 0..3usize,
    ) {
        let recs: Vec<Rec> = (recs.into_iter())
            .map(|r| without_references(Rec { style: 4 + r.style % 4, ..r }))
            .collect();
        all_ways_of("g.graphml", graphml_text(&recs, false, undirected, ids), read_graphml);
    }

    /// [`graphml_without_references_reads_as_the_careful_reader`], GEXF.
    #[test]
    fn gexf_without_references_reads_as_the_careful_reader(
        recs in prop::collection::vec(rec(), 1..30),
        undirected in any::<bool>(),
    ) {
        let recs: Vec<Rec> = (recs.into_iter())
            .map(|r| without_references(Rec { style: 4 + r.style % 2, ..r }))
            .collect();
        all_ways_of("g.gexf", gexf_text(&recs, undirected), read_gexf);
    }

    /// [`graphml_as_writers_write_it_reads_as_the_careful_reader`], GEXF.
    #[test]
    fn gexf_as_writers_write_it_reads_as_the_careful_reader(
        recs in prop::collection::vec(rec(), 1..30),
        undirected in any::<bool>(),
    ) {
        let recs: Vec<Rec> = recs.into_iter().map(|r| Rec { style: 4 + r.style % 2, ..r }).collect();
        all_ways_of("g.gexf", gexf_text(&recs, undirected), read_gexf);
    }
}
