//! The fast path of the reader, run on the parser threads: a line parsed
//! with borrowed strings (serde_json hands out slices of the line for every
//! string without escapes) into a struct of slices, then prepared as far as
//! it can be without the graph ([`super::prepare`], the careful reader's own
//! code), so that the one builder thread mostly appends rows.
//!
//! It declines any line that is not plainly an entity: a value that is not a
//! string, a lone string for a list, a nested entity, a property named twice,
//! a missing id or schema, bad JSON. The careful reader
//! ([`super::values::RawLine`]) reads those and reports every problem with its
//! line and column, exactly as before.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::super::schema;
use super::clean::Prop;
use super::props::KnownSources;
use super::{Ready, prepare, prepare_edge};

/// A JSON string: borrowed from the line unless it had escapes.
struct Text<'a>(Cow<'a, str>);

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(v)))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor(PhantomData))
    }
}

/// `properties`: each a list of strings. Every value is in one list, each
/// property a run of it (two allocations for a record instead of one per
/// property); a name given twice is declined.
#[derive(Default)]
struct Props<'a> {
    /// Per property: its name and where its values are in `values`, sorted
    /// by name as the careful reader's map sorts them.
    names: Vec<(Cow<'a, str>, usize, usize)>,
    values: Vec<Cow<'a, str>>,
}

impl<'a> Props<'a> {
    /// As the careful reader's properties are: one list of values each.
    fn into_props(mut self) -> Vec<Prop<'a>> {
        let values = &mut self.values;
        (self.names.into_iter())
            .map(|(name, start, end)| Prop {
                name,
                values: values[start..end].iter_mut().map(std::mem::take).collect(),
                dropped: 0,
                nested: Vec::new(),
            })
            .collect()
    }
}

struct PropsVisitor<'a>(PhantomData<&'a ()>);

/// One property's list of strings, added to the end of a list.
struct Values<'v, 'a>(&'v mut Vec<Cow<'a, str>>);

impl<'de: 'a, 'a> de::DeserializeSeed<'de> for Values<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Values<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of strings")
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(t) = seq.next_element::<Text<'a>>()? {
            self.0.push(t.0);
        }
        Ok(())
    }
}

impl<'de: 'a, 'a> Visitor<'de> for PropsVisitor<'a> {
    type Value = Props<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of lists of strings")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Props<'a>, A::Error> {
        let mut out = Props {
            names: Vec::with_capacity(map.size_hint().unwrap_or(8)),
            values: Vec::with_capacity(16),
        };
        while let Some(k) = map.next_key::<Text<'a>>()? {
            let start = out.values.len();
            map.next_value_seed(Values(&mut out.values))?;
            out.names.push((k.0, start, out.values.len()));
        }
        out.names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if out.names.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(de::Error::custom("a property named twice"));
        }
        Ok(out)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Props<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PropsVisitor(PhantomData))
    }
}

/// One line as the fast path reads it.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    id: Option<Text<'a>>,
    #[serde(borrow)]
    schema: Option<Text<'a>>,
    #[serde(borrow, default)]
    caption: Option<Text<'a>>,
    #[serde(borrow, default)]
    properties: Option<Props<'a>>,
    #[serde(borrow, default)]
    datasets: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    first_seen: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    last_seen: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    last_change: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    referents: Option<Vec<Text<'a>>>,
}

/// A line the fast path read: its datasets and provenance, and the record.
pub(super) struct FastRecord {
    pub(super) datasets: Vec<String>,
    pub(super) provenance: Vec<(String, String)>,
    pub(super) ready: Ready,
}

/// Reads and prepares one line (not blank, without its BOM), or `None` when
/// the careful reader must.
/// The sources it cites are looked up in `known`.
pub(super) fn read(bytes: &[u8], known: &KnownSources) -> Option<FastRecord> {
    let line: Line = serde_json::from_slice(bytes).ok()?;
    let id = line.id?.0;
    let schema = line.schema?.0;
    if id.trim().is_empty() || schema.trim().is_empty() {
        return None;
    }
    let mut provenance = Vec::new();
    for (key, v) in [
        ("first_seen", line.first_seen),
        ("last_seen", line.last_seen),
        ("last_change", line.last_change),
        ("referents", line.referents),
    ] {
        for value in v.unwrap_or_default() {
            if !value.0.trim().is_empty() {
                provenance.push((key.to_string(), value.0.into_owned()));
            }
        }
    }
    let datasets = line.datasets.unwrap_or_default();
    let props = line.properties.unwrap_or_default();
    let edge = schema::get(&schema).filter(|d| d.edge.is_some());
    let mut ready = match edge {
        // A relationship's values go straight into one buffer.
        Some(def) => prepare_edge(
            id.into_owned(),
            schema.into_owned(),
            def,
            &props.names,
            &props.values,
        ),
        None => prepare(
            id.into_owned(),
            schema.into_owned(),
            line.caption.map(|c| c.0.into_owned()),
            props.into_props(),
            &provenance,
        ),
    };
    ready.find_sources(known);
    Some(FastRecord {
        datasets: datasets.into_iter().map(|d| d.0.into_owned()).collect(),
        provenance,
        ready,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use proptest::prelude::*;

    use super::super::{FtmSummary, load_reader_with};
    use crate::graph::Graph;
    use crate::model::GraphFile;

    const IDS: [&str; 6] = ["p1", "p2", "c-1", "org.x", "bad id", "e1"];
    const NAMES: [&str; 5] = [
        "Anna Šimonytė",
        "Quote \\\"Q\\\" Ltd",
        "\\u00c9cole \\u0041",
        "Міністерство",
        "  ",
    ];

    /// One generated line: a template filled with ids and names, maybe damaged.
    fn line(t: u8, a: usize, b: usize, n: usize, cut: Option<usize>) -> String {
        let (a, b, n) = (IDS[a % 6], IDS[b % 6], NAMES[n % 5]);
        let s = match t % 16 {
            0 => format!(
                r#"{{"id":"{a}","schema":"Person","properties":{{"name":["{n}"],"alias":["{n} A"],"birthDate":["1970-01"]}}}}"#
            ),
            1 => format!(
                r#"{{"id":"{a}","schema":"Company","properties":{{"name":["{n}","Other"],"publisher":["P1","P2"],"sourceUrl":["https://x.example/{b}"],"country":["lt"]}},"datasets":["ds1","{b}"],"first_seen":["2020-01-01"]}}"#
            ),
            2 => format!(
                r#"{{"id":"{a}","schema":"Ownership","properties":{{"owner":["{a}"," "],"asset":["{b}"],"percentage":["50"],"startDate":["2020",""],"endDate":["2019","2020-13"],"role":["{n}"," ","{n}"],"summary":["  ","{n}"]}}}}"#
            ),
            3 => format!(
                r#"{{"id":"pay-{a}","schema":"Payment","properties":{{"payer":["{a}","{b}"],"beneficiary":["p2"],"amount":["1,000"],"currency":["EUR"],"date":["2021-02-03","2021"]}}}}"#
            ),
            4 => format!(
                r#"{{"id":"m-{b}","schema":"Membership","properties":{{"member":["{a}"],"organization":["{b}"],"role":["chair","vice"],"summary":["s1","s2"]}}}}"#
            ),
            5 => format!(r#"{{"id":"{a}","schema":"Spaceship","properties":{{"name":["{n}"]}}}}"#),
            6 => format!(r#"{{"schema":"Person","properties":{{"name":["{n}"]}}}}"#),
            7 => format!(r#"{{"id":"{a}","schema":"Person","properties":{{"name":"{n}"}}}}"#),
            8 => format!(
                r#"{{"id":"{a}","schema":"Person","properties":{{"name":[1, null, ["x"]]}}}}"#
            ),
            9 => format!(
                r#"{{"id":"{a}","schema":"Event","properties":{{"name":["{n}"],"involved":[{{"id":"{b}","schema":"Person","properties":{{"name":["N"]}}}}],"startDate":["2020-13"]}}}}"#
            ),
            10 => format!(
                r#"{{"id":"{a}","schema":"Person","properties":{{"name":["{n}"],"name":["dup"]}}}}"#
            ),
            11 => format!(
                r#"{{"id":"{a}","schema":"UnknownLink","properties":{{"subject":["{a}"],"object":["{b}"],"role":["signed"]}},"caption":"{n}"}}"#
            ),
            12 => format!(r#"{{"id":"{a}","schema":"","properties":{{}}}}"#),
            13 => format!(
                r#"{{"id":"{a}","schema":"LegalEntity","properties":{{"name":["{n}"],"nonsense":["x"],"addressEntity":["{b}","bad id"]}},"datasets":"ds2","last_seen":["2024"]}}"#
            ),
            14 => format!(
                r#"{{"id":"{a}","schema":"Directorship","properties":{{"director":["{b}"],"organization":["{a}"]}},"referents":["{b}"]}}"#
            ),
            _ if a == "p1" => r#"{"id":7,"schema":"Person"}"#.to_string(),
            _ => "[1,2]".to_string(),
        };
        match cut {
            Some(c) => {
                let c = c % (s.len() + 1);
                String::from_utf8_lossy(&s.as_bytes()[..c]).into_owned()
            }
            None => s,
        }
    }

    type Loaded = Result<(GraphFile, Vec<Box<str>>, FtmSummary), String>;

    fn load(text: &str, fast: bool) -> Loaded {
        match load_reader_with(Cursor::new(text.to_string()), "t.ftm.json", fast) {
            Ok((g, s)) => Ok((records(&g), g.dataset_names().to_vec(), s)),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    fn records(g: &Graph) -> GraphFile {
        let sub = crate::view::Subgraph {
            nodes: g.node_indices().collect(),
            edges: g.edge_indices().collect(),
            whole: true,
        };
        crate::export::to_records(g, &sub)
    }

    #[test]
    fn plain_lines_take_the_fast_path_and_damaged_ones_do_not() {
        for t in [0, 1, 2, 3, 4, 11, 13, 14] {
            let l = line(t, 0, 1, 0, None);
            let fast = if t == 13 { None } else { Some(()) };
            assert_eq!(
                super::read(l.as_bytes(), &Default::default()).map(|_| ()),
                fast,
                "{l}"
            );
        }
        for t in [6, 7, 8, 9, 10, 12, 15] {
            let l = line(t, 0, 1, 0, None);
            assert!(
                super::read(l.as_bytes(), &Default::default()).is_none(),
                "{l}"
            );
        }
        assert!(super::read(line(0, 0, 1, 0, Some(30)).as_bytes(), &Default::default()).is_none());
    }

    /// A stream of several batches (each over 4 MB), so that parser threads
    /// take lines, free what the builder leaves and batches' buffers are
    /// reused: read to the same graph as by the careful reader.
    #[test]
    fn batches_on_parser_threads_read_as_the_careful_reader() {
        // The parties the relationships name, defined first (those built at
        // once) but for `e1` (held to the end).
        let mut text = String::new();
        for id in ["p1", "p2", "c-1", "org.x"] {
            text.push_str(&format!(
                r#"{{"id":"{id}","schema":"Person","properties":{{"name":["{id}"]}}}}"#
            ));
            text.push('\n');
        }
        let (mut i, mut expected) = (0, 4);
        while text.len() < 9 << 20 {
            const PLAIN: [u8; 10] = [0, 1, 2, 3, 4, 5, 9, 11, 13, 14];
            let (t, a, b, n) = (PLAIN[i % 10], i % 6, (i / 7) % 6, i % 5);
            // Sources enough (and each cited again in later batches) for
            // the parser threads to find them among those already added.
            let l = line(t, a, b, n, None)
                .replace("x.example/", &format!("x.example/{}/", i % 997))
                .replace("\"P2\"", &format!("\"P{}\"", i % 503));
            // A line of template 9 holds a nested entity, a record too.
            expected += if t == 9 { 2 } else { 1 };
            // Every id made distinct, but only for the records that define one.
            text.push_str(&l.replace("\"id\":\"", &format!("\"id\":\"x{i}-")));
            text.push('\n');
            i += 1;
        }
        let fast = load(&text, true);
        assert_eq!(fast, load(&text, false));
        let (g, _, summary) = fast.expect("the stream loads");
        // Every line read once, in several batches.
        assert_eq!(summary.records, expected, "{summary}");
        assert!(text.len() > 2 * super::super::parallel::BATCH && g.relations.len() > 10_000);
        assert!(g.sources.len() > 900, "{}", g.sources.len());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The fast path reads generated and damaged streams to the same
        /// graph, summary and problems as the careful reader alone.
        #[test]
        fn fast_path_reads_as_the_careful_reader(
            lines in prop::collection::vec(
                (0u8..16, 0usize..6, 0usize..6, 0usize..5, prop::option::weighted(0.1, 0usize..400)),
                0..40,
            ),
            blank_every in 0usize..7,
        ) {
            let mut text = String::new();
            for (i, &(t, a, b, n, cut)) in lines.iter().enumerate() {
                if blank_every > 0 && i % blank_every == 0 {
                    text.push('\n');
                }
                text.push_str(&line(t, a, b, n, cut));
                text.push('\n');
            }
            prop_assert_eq!(load(&text, true), load(&text, false));
        }
    }
}
