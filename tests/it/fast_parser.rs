//! The hand-written record parser (`load::fast`) against serde/RON, on
//! generated records and on damaged text: for every input the fast parser
//! either declines or gives exactly the record serde gives, and it never
//! accepts what serde refuses. Whole files, generated and damaged, load to the
//! same graph or the same problems through the fast loader (which uses the
//! hand-written parser) and through the whole-file serde path.
//!
//! Each test prints its case count (`-- --nocapture`); `TIES_PROPTEST_CASES`
//! sets it.

use std::cell::Cell;
use std::path::Path;

use crate::common::{cases, outcome, runner};
use proptest::prelude::*;
use ron::ser::PrettyConfig;
use serde::Serialize;
use serde::de::DeserializeOwned;
use ties::generate::{self, GenOptions, write_ron};
use ties::load::{fast, load_path, load_path_timed, load_texts, ron_options};
use ties::model::{
    AmountRecord, EntityKind, EntityRecord, RelationKind, RelationRecord, SourceRecord,
};

/// Runs the three parsers on `text` and holds each to serde's answer. Returns
/// how many of them accepted it.
fn agree(text: &str) -> Result<usize, TestCaseError> {
    fn one<T: DeserializeOwned + PartialEq + std::fmt::Debug>(
        text: &str,
        fast: fn(&str) -> Option<T>,
    ) -> Result<usize, TestCaseError> {
        let Some(mine) = fast(text) else {
            return Ok(0);
        };
        match ron_options().from_str::<T>(text) {
            Ok(theirs) => prop_assert_eq!(mine, theirs, "on {:?}", text),
            Err(e) => prop_assert!(
                false,
                "the fast parser accepted what serde refuses ({}): {:?} gave {:?}",
                e,
                text,
                mine
            ),
        }
        Ok(1)
    }
    in_batch(text)?;
    Ok(one(text, fast::entity)? + one(text, fast::relation)? + one(text, fast::source)?)
}

/// `text` parsed as the loader parses it, in a batch after another record
/// whose escaped strings and lists are in the same store: the same answer
/// as alone, and the record before still reads as it did (a record
/// declined half way leaves nothing behind).
fn in_batch(text: &str) -> Result<(), TestCaseError> {
    let before = r#"Entity(id: "p\"1", kind: other("k\n"), name: "P", aliases: ["a\tb", "c"], attrs: [("x", "y\\z")])"#;
    let batch = format!("{before}{text}");
    let at = before.len();
    let mut store = fast::Store::default();
    let first = fast::entity_at(before, 0, &mut store).unwrap();
    let e = fast::entity_at(&batch[at..], at, &mut store).map(|e| e.record(&batch, &store));
    prop_assert_eq!(e, fast::entity(text), "on {:?}", text);
    let r = fast::relation_at(&batch[at..], at, &mut store).map(|r| r.record(&batch, &store));
    prop_assert_eq!(r, fast::relation(text), "on {:?}", text);
    prop_assert_eq!(Some(first.record(&batch, &store)), fast::entity(before));
    Ok(())
}

/// Texts with what makes parsing hard: quotes, backslashes, comment starts,
/// brackets, non-ASCII, control characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ._-]{0,12}",
        2 => "[a-z\"\\\\'\\n\\r\\t\\x00\\x0b é€Ωж/*(),:#{}\\[\\]]{0,12}",
        1 => any::<String>(),
    ]
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(text(), 0..3)
}

fn date() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        "(19|20)[0-9]{2}(-[01][0-9](-[0-3][0-9])?)?",
        text()
    ])
}

fn amount() -> impl Strategy<Value = Option<AmountRecord>> {
    let value = prop_oneof![
        any::<f64>(),
        0.0f64..1e12,
        (0u32..10_000_000).prop_map(f64::from),
        Just(1e300),
        Just(5e-324),
        Just(f64::NAN),
        Just(f64::NEG_INFINITY),
    ];
    proptest::option::of((value, "[A-Z]{3}|[a-z ]{0,4}", any::<bool>()).prop_map(
        |(value, currency, approx)| AmountRecord {
            value,
            currency,
            approx,
        },
    ))
}

fn entity_kind() -> impl Strategy<Value = EntityKind> {
    let known = EntityKind::<String>::KNOWN;
    prop_oneof![
        (0..known.len()).prop_map(move |i| known[i].clone()),
        text().prop_map(EntityKind::Other),
    ]
}

fn relation_kind() -> impl Strategy<Value = RelationKind> {
    let known = RelationKind::<String>::KNOWN;
    prop_oneof![
        (0..known.len()).prop_map(move |i| known[i].clone()),
        text().prop_map(RelationKind::Other),
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((text(), text()), 0..3)
}

fn entity() -> impl Strategy<Value = EntityRecord> {
    (
        (text(), entity_kind(), text(), texts(), texts()),
        (date(), date(), proptest::option::of(text()), amount()),
        (texts(), pairs()),
    )
        .prop_map(
            |(
                (id, kind, name, aliases, weak_aliases),
                (date, until, note, amount),
                (sources, attrs),
            )| EntityRecord {
                id,
                kind,
                name,
                aliases,
                weak_aliases,
                date,
                until,
                note,
                amount,
                sources,
                attrs,
                datasets: Vec::new(),
            },
        )
}

fn relation() -> impl Strategy<Value = RelationRecord> {
    (
        (
            proptest::option::of(text()),
            text(),
            text(),
            relation_kind(),
        ),
        (proptest::option::of(text()), date(), date(), amount()),
        (
            texts(),
            proptest::option::of(text()),
            pairs(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (id, from, to, kind),
                (role, date, until, amount),
                (sources, note, attrs, undirected),
            )| RelationRecord {
                id,
                from,
                to,
                kind,
                role,
                date,
                until,
                amount,
                sources,
                note,
                attrs,
                undirected,
                datasets: Vec::new(),
            },
        )
}

fn source() -> impl Strategy<Value = SourceRecord> {
    (
        (text(), text(), text(), date()),
        (text(), proptest::option::of(text())),
    )
        .prop_map(
            |((id, outlet, title, published), (file, url))| SourceRecord {
                id,
                outlet,
                title,
                published,
                file,
                url,
            },
        )
}

/// A record as RON in one of the ways it gets written: as `ties gen` writes
/// it (compact, struct names), pretty over many lines, without struct names,
/// with raw strings.
fn written<T: Serialize>(record: &T, style: u8) -> String {
    let pretty = match style % 4 {
        0 => PrettyConfig::new()
            .struct_names(true)
            .compact_structs(true)
            .compact_arrays(true),
        1 => PrettyConfig::new().struct_names(true),
        2 => PrettyConfig::new().struct_names(true).escape_strings(false),
        _ => PrettyConfig::new(),
    };
    ron_options()
        .to_string_pretty(record, pretty)
        .expect("records serialise")
}

#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte with a bit pattern.
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, &'static str),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let tokens = prop_oneof![
        Just(" "),
        Just("\n"),
        Just("// note\n"),
        Just("/* c /* d */ */"),
        Just("/"),
        Just(","),
        Just(",,"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("\""),
        Just("\\"),
        Just("\\u{41}"),
        Just(":"),
        Just("Some("),
        Just("None"),
        Just("r#"),
        Just("_"),
        Just("1"),
        Just("."),
        Just("e"),
        Just("-"),
        Just("+"),
        Just("f64"),
        Just("é"),
        Just("\u{a0}"),
        Just("\u{2028}"),
        Just("\u{b}"),
        Just("\u{c}"),
        Just("\u{feff}"),
        Just("id: \"x\","),
        Just("kind: person,"),
        Just("name: \"n\","),
        Just("date: \"2024\","),
        Just("sources: [],"),
        Just("undirected: true,"),
    ];
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(a, b)| Mutation::Flip(a, b)),
        (any::<usize>(), 1usize..16).prop_map(|(a, l)| Mutation::Delete(a, l)),
        (any::<usize>(), tokens).prop_map(|(a, t)| Mutation::Insert(a, t)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// `text` with the mutations applied, as bytes, read back as (lossy) UTF-8.
fn damaged(text: &str, muts: &[Mutation]) -> String {
    let mut b = text.as_bytes().to_vec();
    for m in muts {
        let len = b.len().max(1);
        match *m {
            Mutation::Flip(a, x) => {
                if !b.is_empty() {
                    b[a % len] ^= x;
                }
            }
            Mutation::Delete(a, l) => {
                let a = (a % len).min(b.len());
                let e = (a + l).min(b.len());
                b.drain(a..e);
            }
            Mutation::Insert(a, t) => {
                let a = (a % len).min(b.len());
                b.splice(a..a, t.bytes());
            }
            Mutation::Truncate(a) => b.truncate(a % len),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

#[test]
fn records_ties_generates_are_read_by_the_fast_parser_as_serde_reads_them() {
    let n = cases(256);
    let accepted = Cell::new(0);
    runner(n)
        .run(
            &(1usize..5000, 1usize..4, any::<u64>()),
            |(count, r, seed)| {
                let opts = GenOptions {
                    entities: count,
                    relations_per_entity: r,
                    seed,
                };
                let i = seed as usize % count;
                let e = generate::entity(&opts, i);
                let text = written(&e, 0);
                prop_assert_eq!(fast::entity(&text), Some(e.clone()), "{}", text);
                let j = seed as usize % generate::relation_count(&opts).max(1);
                let rel = generate::relation(&opts, j);
                let text = written(&rel, 0);
                prop_assert_eq!(fast::relation(&text), Some(rel.clone()), "{}", text);
                let s = generate::source(&opts, i % generate::source_count(&opts).max(1));
                let text = written(&s, 1);
                prop_assert_eq!(fast::source(&text), Some(s), "{}", text);
                // Parsed as the loader parses, several records of one batch's
                // text into one store (the records borrowing from both): each
                // the record serde reads.
                let other = written(&generate::entity(&opts, (i + 1) % count), 0);
                let k = (j + 1) % generate::relation_count(&opts).max(1);
                let other_rel = generate::relation(&opts, k);
                let texts = [other, written(&e, 0)];
                let batch = texts.concat();
                let mut store = fast::Store::default();
                let mut at = 0;
                let mut got = Vec::new();
                for t in &texts {
                    got.push(fast::entity_at(&batch[at..at + t.len()], at, &mut store));
                    at += t.len();
                }
                let got: Vec<_> = got
                    .iter()
                    .map(|e| e.map(|e| e.record(&batch, &store)))
                    .collect();
                prop_assert_eq!(got[1].as_ref(), Some(&e));
                prop_assert_eq!(got[0].clone(), fast::entity(&texts[0]));
                let texts = [written(&other_rel, 0), written(&rel, 0)];
                let batch = texts.concat();
                store.clear();
                let mut at = 0;
                let mut got = Vec::new();
                for t in &texts {
                    got.push(fast::relation_at(&batch[at..at + t.len()], at, &mut store));
                    at += t.len();
                }
                let got: Vec<_> = got
                    .iter()
                    .map(|r| r.map(|r| r.record(&batch, &store)))
                    .collect();
                prop_assert_eq!(got[0].as_ref(), Some(&other_rel));
                prop_assert_eq!(got[1].as_ref(), Some(&rel));
                accepted.set(accepted.get() + 3);
                Ok(())
            },
        )
        .unwrap();
    println!(
        "generated records: {n} cases, {} records read by the fast parser",
        accepted.get()
    );
}

/// Generated records of every field, written in several styles, whole and
/// damaged.
fn records_agree<T: Serialize + std::fmt::Debug>(name: &str, records: impl Strategy<Value = T>) {
    let n = cases(1024);
    let (whole, kept, damaged_accepted) = (Cell::new(0), Cell::new(0), Cell::new(0));
    runner(n)
        .run(
            &(
                records,
                any::<u8>(),
                proptest::collection::vec(mutation(), 0..4),
            ),
            |(record, style, muts)| {
                let text = written(&record, style);
                let took = agree(&text)?;
                // Styles 0 and 1 are the shapes it is written for.
                if style % 4 < 2 {
                    whole.set(whole.get() + 1);
                    kept.set(kept.get() + usize::from(took > 0));
                }
                let bad = damaged(&text, &muts);
                damaged_accepted.set(damaged_accepted.get() + agree(&bad)?);
                Ok(())
            },
        )
        .unwrap();
    let (whole, kept, damaged_accepted) = (whole.get(), kept.get(), damaged_accepted.get());
    println!(
        "{name}: {n} cases; fast parser read {kept} of {whole} records written with names, \
         and {damaged_accepted} damaged ones (each as serde reads it)"
    );
    assert!(
        kept * 2 >= whole,
        "the fast parser read too few records ({kept} of {whole})"
    );
}

#[test]
fn entities_fast_and_serde_agree_on_written_and_damaged_text() {
    records_agree("entities", entity());
}

#[test]
fn relations_fast_and_serde_agree_on_written_and_damaged_text() {
    records_agree("relations", relation());
}

#[test]
fn sources_fast_and_serde_agree_on_written_and_damaged_text() {
    records_agree("sources", source());
}

fn load_both(dir: &Path, text: &str) -> (Result<String, Vec<String>>, Result<String, Vec<String>>) {
    let path = dir.join("g.ron");
    std::fs::write(&path, text).unwrap();
    let fast = outcome(load_path(&path));
    let slow = outcome(load_texts(vec![(
        path.display().to_string(),
        text.to_string(),
    )]));
    (fast, slow)
}

#[test]
fn whole_files_load_to_the_same_graph_or_problems_both_ways() {
    let n = cases(128);
    let dir = tempfile::tempdir().unwrap();
    let (same_graph, same_problems) = (Cell::new(0), Cell::new(0));
    runner(n)
        .run(
            &(
                1usize..60,
                1usize..4,
                any::<u64>(),
                proptest::collection::vec(mutation(), 0..3),
            ),
            |(count, r, seed, muts)| {
                let opts = GenOptions {
                    entities: count,
                    relations_per_entity: r,
                    seed,
                };
                let mut out = Vec::new();
                write_ron(&opts, &mut out).unwrap();
                let text = damaged(&String::from_utf8(out).unwrap(), &muts);
                let (fast, slow) = load_both(dir.path(), &text);
                let count = if fast.is_ok() {
                    &same_graph
                } else {
                    &same_problems
                };
                count.set(count.get() + 1);
                prop_assert_eq!(fast, slow, "on {:?}", muts);
                Ok(())
            },
        )
        .unwrap();
    let (same_graph, same_problems) = (same_graph.get(), same_problems.get());
    println!("whole files: {n} cases, {same_graph} same graph, {same_problems} same problems");
    assert!(same_graph > 0 && (n < 16 || same_problems > 0));
}

#[test]
fn hand_written_files_load_the_same_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let text = include_str!("../../assets/graph.ron");
    let (fast, slow) = load_both(dir.path(), text);
    assert!(fast.is_ok());
    assert_eq!(fast, slow);
    // Every record of the shipped graph, as written there (comments, one
    // field a line), is read by the fast parser: serde parses none.
    let (_, stages) = load_path_timed(&dir.path().join("g.ron"), &mut |_| {}).unwrap();
    let stages = stages.expect("the fast loader read the file");
    let file: ties::model::GraphFile = ron_options().from_str(text).unwrap();
    let records = file.sources.len() + file.entities.len() + file.relations.len();
    assert!(
        stages.ends_with(&format!("{records} records, 0 parsed by serde")),
        "{stages}"
    );
}

/// Bytes that make the record scan careful, put anywhere in a file: quotes,
/// escapes, raw strings, comments, brackets, char literals, non-ASCII, CRLF.
fn scan_noise() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("\""),
        Just("\\"),
        Just("\\\\"),
        Just("\\\""),
        Just("r\""),
        Just("r#\""),
        Just("\"#"),
        Just("br\""),
        Just("r\"\\\""),
        Just("(r\"\\\", )\")"),
        Just("[\"\\\\\", r\"\\\"]"),
        Just("b\""),
        Just("'"),
        Just("'a'"),
        Just("//"),
        Just("// ) ] \" note\n"),
        Just("/*"),
        Just("*/"),
        Just("/* ( /* \" */ */"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("{"),
        Just("}"),
        Just(","),
        Just("#"),
        Just("r"),
        Just("\r\n"),
        Just("\n"),
        Just("\u{b}"),
        Just("\u{c}"),
        Just(" "),
        Just("é"),
        Just("\u{feff}"),
        Just("Entity("),
        Just("Relation("),
    ]
}

/// A whole file of generated records in `style`s (written as `ties gen`
/// writes them, pretty, without names, raw strings), the separators between
/// them varied: blank lines, CRLF, comments, none, a trailing comma or not.
fn scan_file(
    (sources, entities, relations): (Vec<SourceRecord>, Vec<EntityRecord>, Vec<RelationRecord>),
    styles: &[u8],
) -> String {
    let seps = [
        ",\n        ",
        ",",
        ", ",
        ",\r\n\t",
        "\n,\n",
        ", // c\n",
        ",/*x*/",
    ];
    let mut out = String::from("#![enable(implicit_some)]\n// a file\nGraph(\n");
    let mut k = 0;
    let mut list = |out: &mut String, name: &str, items: Vec<String>| {
        out.push_str(&format!("    {name}: [\n        "));
        for (i, item) in items.iter().enumerate() {
            out.push_str(item);
            k += 1;
            if i + 1 < items.len() || styles.get(k).is_some_and(|s| s & 8 == 0) {
                out.push_str(
                    seps[usize::from(styles.get(k).copied().unwrap_or(0) >> 4) % seps.len()],
                );
            }
        }
        out.push_str("\n    ],\n");
    };
    // Styles 4 to 7 are `ties gen`'s, as 0: most records are written so.
    let style = |i: usize| match styles.get(i).copied().unwrap_or(0) & 7 {
        s if s > 3 => 0,
        s => s,
    };
    let sources = sources
        .iter()
        .enumerate()
        .map(|(i, r)| written(r, style(i)));
    list(&mut out, "sources", sources.collect());
    let entities = entities
        .iter()
        .enumerate()
        .map(|(i, r)| written(r, style(i + 1)));
    list(&mut out, "entities", entities.collect());
    let relations = relations
        .iter()
        .enumerate()
        .map(|(i, r)| written(r, style(i + 2)));
    list(&mut out, "relations", relations.collect());
    out.push_str(")\n");
    out
}

/// `text` with `noise` put in at the given places (fractions of its length),
/// and cut there if `cut` is below 1.
fn noisy(text: &str, noise: &[(f64, &str)], cut: f64) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    for &(at, n) in noise {
        let at = ((at * b.len() as f64) as usize).min(b.len());
        b.splice(at..at, n.bytes());
    }
    if cut < 1.0 {
        b.truncate((cut * b.len() as f64) as usize);
    }
    b
}

/// The scan the loader splits a RON file with, looking at 64 bytes at a
/// time, against the careful one-step-at-a-time scan: on generated files
/// (records whose strings hold quotes, escapes, brackets, comment starts,
/// non-ASCII; written as `ties gen` writes them and in other styles, raw
/// strings included), and on those files with noise put in, cut, or
/// damaged by the mutations above, fed in blocks of random sizes: the same
/// records (section and byte range), the same bytes consumed by each call,
/// the same `More` or `Bail`.
#[test]
fn the_block_scan_finds_the_records_the_careful_scan_finds() {
    let n = cases(512);
    let (by_fast, records) = (Cell::new(0), Cell::new(0));
    let blocks = prop_oneof![
        proptest::collection::vec(1usize..40, 1..8),
        proptest::collection::vec(1usize..400, 1..8),
        Just(vec![usize::MAX / 2]),
    ];
    runner(n)
        .run(
            &(
                (
                    proptest::collection::vec(source(), 0..3),
                    proptest::collection::vec(entity(), 0..6),
                    proptest::collection::vec(relation(), 0..6),
                ),
                proptest::collection::vec(any::<u8>(), 0..16),
                prop_oneof![
                    2 => Just(vec![]),
                    3 => proptest::collection::vec((0.0f64..1.0, scan_noise()), 1..4),
                ],
                prop_oneof![3 => Just(1.0f64), 1 => 0.0f64..1.0],
                proptest::collection::vec(mutation(), 0..2),
                blocks,
            ),
            |(recs, styles, noise, cut, muts, blocks)| {
                let text = scan_file(recs, &styles);
                let text = damaged(&text, &muts);
                let bytes = noisy(&text, &noise, cut);
                let (fast, careful) = both_scans(&bytes, &blocks, (&by_fast, &records));
                prop_assert_eq!(
                    &fast,
                    &careful,
                    "on {:?} in blocks {:?}",
                    String::from_utf8_lossy(&bytes),
                    blocks
                );
                Ok(())
            },
        )
        .unwrap();
    let (by_fast, records) = (by_fast.get(), records.get());
    println!("block scan: {n} cases, {records} records found, {by_fast} by the block path");
    assert!(
        by_fast * 4 >= records,
        "the block path found too few ({by_fast} of {records})"
    );
}

/// What the block scan and the careful scan find in `bytes` fed in
/// `blocks`, counting the records found (`tally.1`) and those found by the
/// block path (`tally.0`).
fn both_scans(
    bytes: &[u8],
    blocks: &[usize],
    tally: (&Cell<usize>, &Cell<usize>),
) -> (Vec<String>, Vec<String>) {
    let (fast, found) = ties::load::scan_trace(bytes, blocks, false);
    let (careful, _) = ties::load::scan_trace(bytes, blocks, true);
    let (by_fast, records) = tally;
    by_fast.set(by_fast.get() + found);
    records.set(records.get() + fast.iter().filter(|l| l.contains("..")).count());
    (fast, careful)
}

/// The same on files as `ties gen` writes them, whole and damaged, in
/// blocks of random sizes.
#[test]
fn the_block_scan_finds_what_the_careful_scan_finds_in_generated_files() {
    let n = cases(128);
    let (by_fast, records) = (Cell::new(0), Cell::new(0));
    runner(n)
        .run(
            &(
                1usize..80,
                1usize..4,
                any::<u64>(),
                proptest::collection::vec(mutation(), 0..3),
                proptest::collection::vec((0.0f64..1.0, scan_noise()), 0..2),
                proptest::collection::vec(1usize..5000, 1..6),
            ),
            |(count, r, seed, muts, noise, blocks)| {
                let opts = GenOptions {
                    entities: count,
                    relations_per_entity: r,
                    seed,
                };
                let mut out = Vec::new();
                write_ron(&opts, &mut out).unwrap();
                let text = damaged(&String::from_utf8(out).unwrap(), &muts);
                let bytes = noisy(&text, &noise, 1.0);
                let (fast, careful) = both_scans(&bytes, &blocks, (&by_fast, &records));
                prop_assert_eq!(&fast, &careful, "on {:?} in blocks {:?}", muts, blocks);
                Ok(())
            },
        )
        .unwrap();
    let (by_fast, records) = (by_fast.get(), records.get());
    println!("generated files: {n} cases, {records} records found, {by_fast} by the block path");
    assert!(
        by_fast * 10 >= records * 8,
        "the block path found too few ({by_fast} of {records})"
    );
}

/// Bytes that are UTF-8 or not put anywhere in a generated file: the
/// reader thread's check of each block (simdutf8) answers as
/// `std::str::from_utf8` does for the whole file. A file that is UTF-8
/// loads as the careful loader loads its text; one that is not is refused
/// as not UTF-8.
#[test]
fn bytes_that_are_not_utf8_are_found_wherever_they_lie() {
    let n = cases(64);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.ron");
    let bytes_put: [&[u8]; 8] = [
        b"\xff",
        b"\xc3",
        b"\xc3\xa9",
        b"\xe2\x82",
        b"\xe2\x82\xac",
        b"\xed\xa0\x80",
        b"\xf0\x9f\x98\x80",
        b"\x80",
    ];
    let (utf8, not_utf8) = (Cell::new(0), Cell::new(0));
    runner(n)
        .run(
            &(
                1usize..40,
                any::<u64>(),
                proptest::collection::vec((0.0f64..1.0, 0usize..bytes_put.len()), 1..3),
            ),
            |(count, seed, puts)| {
                let opts = GenOptions {
                    entities: count,
                    relations_per_entity: 2,
                    seed,
                };
                let mut bytes = Vec::new();
                write_ron(&opts, &mut bytes).unwrap();
                for &(at, which) in &puts {
                    let at = (at * bytes.len() as f64) as usize;
                    bytes.splice(at..at, bytes_put[which].iter().copied());
                }
                std::fs::write(&path, &bytes).unwrap();
                let fast = outcome(load_path(&path));
                match std::str::from_utf8(&bytes) {
                    Ok(text) => {
                        utf8.set(utf8.get() + 1);
                        let careful = outcome(load_texts(vec![(
                            path.display().to_string(),
                            text.to_string(),
                        )]));
                        prop_assert_eq!(fast, careful, "with {:?}", puts);
                    }
                    Err(_) => {
                        not_utf8.set(not_utf8.get() + 1);
                        let problems = fast.expect_err("a file that is not UTF-8 loaded");
                        prop_assert!(
                            problems.iter().any(|p| p.contains("not UTF-8")),
                            "{:?} with {:?}",
                            problems,
                            puts
                        );
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    let (utf8, not_utf8) = (utf8.get(), not_utf8.get());
    println!("UTF-8 checks: {n} cases, {utf8} UTF-8, {not_utf8} not");
    assert!(not_utf8 > 0 && (n < 16 || utf8 > 0));
}
