//! The fast loader's parsers look relation ends and source ids up in copies of
//! the graph's id tables that the builder shares once a file's relations come.
//! On files large enough for that to happen, the graph and the problems are
//! those of the whole-file loader, with every problem at its line and column.

use std::path::Path;

use crate::common::outcome;
use ties::load::{load_path_timed, load_texts};

/// A generated graph of `n` entities (three relations each) as RON text:
/// large enough (about 30 batches of relations) for the parsers to get the
/// entities' copy long before the last relations.
fn generated(n: usize) -> String {
    crate::common::generated_ron(n, 3, 11)
}

/// Loads `text` both ways: the fast loader's outcome and stage line, and the
/// whole-file loader's outcome.
type Both = (
    Result<String, Vec<String>>,
    Option<String>,
    Result<String, Vec<String>>,
);

fn load_both(dir: &Path, text: &str) -> Both {
    let path = dir.join("g.ron");
    std::fs::write(&path, text).unwrap();
    let (fast, stages) = match load_path_timed(&path, &mut |_| {}) {
        Ok((g, stages)) => (outcome(Ok(g)), stages),
        Err(e) => (outcome(Err(e)), None),
    };
    let whole = outcome(load_texts(vec![(
        path.display().to_string(),
        text.to_string(),
    )]));
    (fast, stages, whole)
}

/// How many ids the parsers found, from the fast loader's stage line.
fn found_ahead(stages: &str) -> u64 {
    let end = stages.find(" ids found by the parsers").expect(stages);
    let start = stages[..end].rfind('(').expect(stages) + 1;
    stages[start..end].parse().expect(stages)
}

/// Line (1-based) of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

#[test]
fn a_large_file_loads_the_same_with_most_ids_found_by_the_parsers() {
    let dir = tempfile::tempdir().unwrap();
    let text = generated(20_000);
    let (fast, stages, whole) = load_both(dir.path(), &text);
    let stages = stages.expect("the fast loader read the file");
    assert!(fast.is_ok(), "{fast:?}");
    assert_eq!(fast, whole);
    // 60,000 relations: their 120,000 ends, but for the few batches parsed
    // before the builder met the first relation.
    let ahead = found_ahead(&stages);
    assert!(ahead > 60_000, "{stages}");
}

/// With ids of a kind too long for a slot of the parsers' copy (a few of those
/// held, the rest missed and found by the builder), the graph is the
/// whole-file loader's, and the parsers still find most ends.
#[test]
fn a_large_file_with_long_ids_of_one_kind_loads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let text = generated(20_000).replace("\"org-", "\"organisation-of-many-bytes-");
    assert!(text.contains("\"organisation-of-many-bytes-"));
    let (fast, stages, whole) = load_both(dir.path(), &text);
    let stages = stages.expect("the fast loader read the file");
    assert!(fast.is_ok(), "{fast:?}");
    assert_eq!(fast, whole);
    assert!(found_ahead(&stages) > 60_000, "{stages}");
}

#[test]
fn an_unknown_end_after_the_copy_is_reported_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let text = generated(20_000);
    // Relations come after every entity: pick ends far into them, one short
    // enough for the parsers' copy and one longer than it holds.
    let tos: Vec<usize> = text.match_indices("to: \"").map(|(i, _)| i).collect();
    for (nth, unknown) in [(50_000, "zz-0000001"), (55_000, "nobody-with-this-long-id")] {
        let at = tos[nth] + "to: \"".len();
        let end = at + text[at..].find('"').unwrap();
        let mut bad = text.clone();
        bad.replace_range(at..end, unknown);
        let (fast, _, whole) = load_both(dir.path(), &bad);
        let problems = fast.unwrap_err();
        assert_eq!(Err(problems.clone()), whole);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains(unknown), "{problems:?}");
        // Located at the id's opening quote.
        let column = at - 1 - bad[..at].rfind('\n').unwrap();
        let place = format!(":{}:{column}:", line_of(&bad, at));
        assert!(problems[0].contains(&place), "{place} in {problems:?}");
    }
}

#[test]
fn an_unknown_source_after_the_copy_is_reported_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let text = generated(20_000);
    let first_relation = text.find("Relation(").unwrap();
    let cited: Vec<usize> = text
        .match_indices("sources: [\"")
        .map(|(i, _)| i + "sources: [\"".len())
        .filter(|&i| i > first_relation)
        .collect();
    assert!(cited.len() > 1_000);
    let at = cited[cited.len() * 3 / 4];
    let end = at + text[at..].find('"').unwrap();
    let mut bad = text.clone();
    bad.replace_range(at..end, "s-missing");
    let (fast, _, whole) = load_both(dir.path(), &bad);
    let problems = fast.unwrap_err();
    assert_eq!(Err(problems.clone()), whole);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("s-missing"), "{problems:?}");
    assert!(
        problems[0].contains(&format!(":{}:", line_of(&bad, at))),
        "{problems:?}"
    );
}

#[test]
fn a_duplicate_id_deep_in_the_entities_is_reported_as_by_the_whole_file_loader() {
    let dir = tempfile::tempdir().unwrap();
    let text = generated(20_000);
    let ids: Vec<usize> = text
        .match_indices("Entity(id: \"")
        .map(|(i, _)| i + "Entity(id: \"".len())
        .collect();
    let id_at = |i: usize| &text[ids[i]..ids[i] + text[ids[i]..].find('"').unwrap()];
    let (first, late) = (id_at(3).to_string(), ids[19_000]);
    let end = late + text[late..].find('"').unwrap();
    let mut bad = text.clone();
    bad.replace_range(late..end, &first);
    let (fast, _, whole) = load_both(dir.path(), &bad);
    let problems = fast.unwrap_err();
    assert_eq!(Err(problems.clone()), whole);
    assert!(problems.iter().any(|p| p.contains(&first)), "{problems:?}");
}

#[test]
fn a_later_file_of_a_folder_is_read_with_the_earlier_files_ids() {
    let dir = tempfile::tempdir().unwrap();
    let big = generated(20_000);
    std::fs::write(dir.path().join("a.ron"), &big).unwrap();
    // The second file's relations cite the first file's entities and
    // sources (its parsers start with the copies made for the first file).
    let cited: Vec<&str> = big
        .match_indices("Entity(id: \"")
        .step_by(500)
        .map(|(i, m)| {
            let start = i + m.len();
            &big[start..start + big[start..].find('"').unwrap()]
        })
        .collect();
    let relations = |to: &[&str]| -> String {
        to.iter()
            .map(|id| {
                format!(
                    "        Relation(from: \"b-1\", to: \"{id}\", kind: attended, sources: [\"s000001\"]),\n"
                )
            })
            .collect()
    };
    let small = |to: &[&str]| {
        format!(
            "Graph(\n    entities: [\n        Entity(id: \"b-1\", kind: person, name: \"B One\"),\n    ],\n    relations: [\n{}    ],\n)\n",
            relations(to)
        )
    };
    let texts = |b: &str| {
        vec![
            (dir.path().join("a.ron").display().to_string(), big.clone()),
            (
                dir.path().join("b.ron").display().to_string(),
                b.to_string(),
            ),
        ]
    };
    let good = small(&cited);
    std::fs::write(dir.path().join("b.ron"), &good).unwrap();
    let (fast, stages) = load_path_timed(dir.path(), &mut |_| {}).unwrap();
    assert!(stages.is_some(), "read by the fast loader");
    assert_eq!(fast.edge_count(), 60_000 + cited.len());
    assert_eq!(outcome(Ok(fast)), outcome(load_texts(texts(&good))));
    // An unknown end in the second file is reported there.
    let mut ends = cited.clone();
    ends[7] = "zz-0000009";
    let bad = small(&ends);
    std::fs::write(dir.path().join("b.ron"), &bad).unwrap();
    let fast = outcome(load_path_timed(dir.path(), &mut |_| {}).map(|(g, _)| g));
    let problems = fast.clone().unwrap_err();
    assert_eq!(fast, outcome(load_texts(texts(&bad))));
    assert_eq!(problems.len(), 1, "{problems:?}");
    let at = bad.find("zz-0000009").unwrap();
    assert!(
        problems[0].contains(&format!("b.ron:{}:", line_of(&bad, at))),
        "{problems:?}"
    );
}
