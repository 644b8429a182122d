//! The analysis commands on the shipped graph (`ties common`, `diff`,
//! `clusters`, `rank`), and a property test of common ties.

use crate::common;

use std::collections::HashSet;
use std::process::Output;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use ties::analysis::common::common as common_ties;
use ties::load::load_texts;
use ties::view::Filter;

fn ties(args: &[&str]) -> Output {
    common::ties().args(args).output()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = ties(args);
    assert!(
        out.status.success(),
        "ties {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn ids(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn umerov_and_kasciunas_share_the_memoranda_and_the_meetings() {
    let doc = json(&["common", "Umerov", "Kasčiūnas", "--json"]);
    let inputs = ids(&doc["inputs"]);
    assert_eq!(inputs, ["rustem-umerov", "laurynas-kasciunas"]);
    let shared = ids(&doc["shared"]);
    // Both signed both memoranda and attended the meetings between them.
    let expected = [
        ("defence-industry-cooperation-memorandum", "signed"),
        ("vilnius-support-mechanism-mou", "signed"),
        ("kasciunas-umerov-meeting-kyiv", "attended"),
        ("umerov-vilnius-visit", "attended"),
    ];
    for (id, kind) in expected {
        let entry = doc["shared"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id} not among {shared:?}"));
        let ties_ = entry["ties"].as_array().unwrap();
        assert_eq!(ties_.len(), 2);
        for (t, input) in ties_.iter().zip(&inputs) {
            assert_eq!(t["input"], input.as_str());
            let way = &t["ways"][0];
            assert_eq!(way.as_array().unwrap().len(), 1, "{id}: a direct tie");
            assert_eq!(way[0]["kind"], kind, "{id}");
            assert_eq!(way[0]["source"], input.as_str());
            assert_eq!(way[0]["target"], id);
        }
    }
    // Two hops out, countries are shared too, but rank below every memorandum.
    let doc = json(&[
        "common",
        "rustem-umerov",
        "laurynas-kasciunas",
        "--depth",
        "2",
        "--json",
        "--limit",
        "1000",
    ]);
    let list = doc["shared"].as_array().unwrap();
    let pos = |pred: &dyn Fn(&serde_json::Value) -> bool| list.iter().position(pred);
    let last_memo = list
        .iter()
        .rposition(|s| s["kind"] == "agreement" && s["hops"] == 1)
        .expect("memoranda listed");
    if let Some(first_country) = pos(&|s| s["kind"] == "country") {
        assert!(first_country > last_memo);
    }
}

#[test]
fn text_output_names_what_was_asked() {
    let out = ties(&["rank", "--by", "betweenness", "--limit", "3"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("top 3 of ") && lines[0].contains(" by betweenness"),
        "{text}"
    );
    // Exact on a small graph: no sampling note; three numbered rows.
    assert!(!text.contains("sampled"));
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.trim_start().starts_with(char::is_numeric))
            .count(),
        3
    );
    let out = ties(&["common", "rustem-umerov", "laurynas-kasciunas"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("tied to both Rustem Umerov and Laurynas Kasčiūnas"),
        "{text}"
    );
    assert!(
        text.contains(
            "Rustem Umerov —signed→ Memorandum of understanding on a mechanism to support Ukraine's Security and Defence Forces  (2024-11-23)"
        ),
        "{text}"
    );
}

#[test]
fn common_refuses_one_entity_and_bad_depth() {
    let out = ties(&["common", "rustem-umerov", "rustem-umerov"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least two different"));
    let out = ties(&[
        "common",
        "rustem-umerov",
        "laurynas-kasciunas",
        "--depth",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_lists_what_appeared_and_ended_and_exports_it() {
    let doc = json(&["diff", "--from", "2024", "--to", "2025", "--json"]);
    let appeared = doc["appeared"].as_array().unwrap();
    let ended = doc["ended"].as_array().unwrap();
    assert!(!appeared.is_empty() && !ended.is_empty());
    // The 23 November signing is a 2024 relation: it ended by 2025.
    assert!(ended.iter().any(|r| r["source"] == "rustem-umerov"
        && r["target"] == "vilnius-support-mechanism-mou"
        && r["kind"] == "signed"));
    // Nothing undated can appear or end.
    for r in appeared.iter().chain(ended) {
        assert!(
            r.get("date").is_some()
                || doc["entities_appeared"]
                    .to_string()
                    .contains(r["source"].as_str().unwrap())
                || doc["entities_appeared"]
                    .to_string()
                    .contains(r["target"].as_str().unwrap())
                || doc["entities_ended"]
                    .to_string()
                    .contains(r["source"].as_str().unwrap())
                || doc["entities_ended"]
                    .to_string()
                    .contains(r["target"].as_str().unwrap()),
            "an undated relation between undated entities changed: {r}"
        );
    }
    // The reverse comparison swaps the two lists.
    let back = json(&["diff", "--from", "2025", "--to", "2024", "--json"]);
    assert_eq!(back["appeared"], doc["ended"]);
    assert_eq!(back["ended"], doc["appeared"]);
    // Around a focus, only its neighbourhood.
    let around = json(&[
        "diff",
        "--from",
        "2024",
        "--to",
        "2025",
        "--focus",
        "rustem-umerov",
        "--json",
    ]);
    for r in around["appeared"]
        .as_array()
        .unwrap()
        .iter()
        .chain(around["ended"].as_array().unwrap())
    {
        assert!(
            r["source"] == "rustem-umerov" || r["target"] == "rustem-umerov",
            "{r}"
        );
    }
    // The answer exports as a view; an existing file is not overwritten.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("diff.json");
    let f = file.to_str().unwrap();
    let out = ties(&["diff", "--from", "2024", "--to", "2025", "--export", f]);
    assert!(out.status.success());
    let exported: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        exported["edges"].as_array().unwrap().len(),
        appeared.len() + ended.len()
    );
    let out = ties(&["diff", "--from", "2024", "--to", "2025", "--export", f]);
    assert!(!out.status.success());
}

#[test]
fn clusters_cover_the_view_and_bridges_split_it() {
    let doc = json(&["clusters", "--json", "--limit", "100000"]);
    let rank = json(&["rank", "--json"]);
    let sizes: u64 = doc["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["size"].as_u64().unwrap())
        .sum();
    assert_eq!(sizes, rank["view"]["entities"].as_u64().unwrap());
    for b in doc["bridges"].as_array().unwrap() {
        assert!(b["pieces"].as_u64().unwrap() >= 2, "{b}");
    }
    // Only people and ministries: the picture falls apart into more clusters.
    let few = json(&[
        "clusters",
        "--json",
        "--kinds",
        "person,ministry",
        "--limit",
        "100000",
    ]);
    assert!(few["clusters_total"].as_u64() > doc["clusters_total"].as_u64());
}

/// A random graph: `n` entities (people, countries, agreements), relations
/// between random pairs, some dated.
fn graph_text(n: usize, rels: &[(usize, usize, Option<u16>)]) -> String {
    let kinds = ["person", "country", "agreement"];
    let mut s = String::from(
        "Graph(sources: [Source(id: \"s\", outlet: \"o\", title: \"t\", file: \"f\")],\nentities: [\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "Entity(id: \"e{i}\", kind: {}, name: \"E{i}\"),\n",
            kinds[i % 3]
        ));
    }
    s.push_str("],\nrelations: [\n");
    // No loops: the analyses are checked on simple graphs.
    for (a, b, year) in rels.iter().filter(|(a, b, _)| a % n != b % n) {
        let date = year.map_or(String::new(), |y| format!(", date: \"{y}\""));
        s.push_str(&format!(
            "Relation(from: \"e{}\", to: \"e{}\", kind: member_of{date}, sources: [\"s\"]),\n",
            a % n,
            b % n
        ));
    }
    s.push_str("],)");
    s
}

#[test]
fn every_listed_common_entity_is_tied_to_every_input() {
    let n_cases = std::env::var("TIES_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    let strategy = (
        3usize..14,
        proptest::collection::vec(
            (0usize..14, 0usize..14, proptest::option::of(2020u16..2026)),
            0..40,
        ),
        proptest::collection::vec(0usize..14, 2..4),
        1usize..3,
        proptest::option::of(2020u16..2026),
    );
    let mut runner = TestRunner::new(Config {
        cases: n_cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(n, rels, picks, depth, year)| {
            let g = load_texts(vec![("p.ron".into(), graph_text(n, &rels))]).unwrap();
            let filter = Filter {
                window: year.map_or(Default::default(), |y| y.to_string().parse().unwrap()),
                ..Filter::default()
            };
            let inputs: Vec<_> = picks
                .iter()
                .map(|&p| g.find(&format!("e{}", p % n)).unwrap())
                .collect();
            let Ok(found) = common_ties(&g, &filter, &inputs, depth) else {
                let distinct: HashSet<_> = inputs.iter().collect();
                prop_assert!(distinct.len() < 2);
                return Ok(());
            };
            for s in &found.shared {
                prop_assert!(!found.inputs.contains(&s.node));
                prop_assert_eq!(s.ways.len(), found.inputs.len());
                for (ways, &input) in s.ways.iter().zip(&found.inputs) {
                    prop_assert!(!ways.is_empty());
                    for way in ways {
                        prop_assert!(!way.is_empty() && way.len() <= depth);
                        prop_assert_eq!(way[0].from, input);
                        prop_assert_eq!(way.last().unwrap().to, s.node);
                        for (i, st) in way.iter().enumerate() {
                            prop_assert!(filter.relation_visible(&g, st.edge));
                            let (a, b) = g.ends(st.edge);
                            let ends = if st.forward {
                                (st.from, st.to)
                            } else {
                                (st.to, st.from)
                            };
                            prop_assert_eq!((a, b), ends);
                            if i > 0 {
                                prop_assert_eq!(way[i - 1].to, st.from);
                            }
                        }
                    }
                }
            }
            // Nothing is missed at depth 1: every entity tied to all inputs is listed.
            if depth == 1 {
                let listed: HashSet<_> = found.shared.iter().map(|s| s.node).collect();
                for node in g.node_indices() {
                    if found.inputs.contains(&node) {
                        continue;
                    }
                    let tied_to_all = found.inputs.iter().all(|&i| {
                        g.ties(i)
                            .any(|t| t.other == node && filter.relation_visible(&g, t.edge))
                    });
                    prop_assert_eq!(tied_to_all, listed.contains(&node));
                }
            }
            Ok(())
        })
        .unwrap();
    println!("every_listed_common_entity_is_tied_to_every_input: {n_cases} cases");
}
