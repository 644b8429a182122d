//! Search that forgives (issue 16): typos, second spellings of umlauts, offices,
//! on the shipped graph and on real German data.

use std::path::PathBuf;

use ties::graph::NodeIx;
use ties::search::{MatchedField, SearchIndex, Tier};

use crate::common;

use common::ties;

fn all(_: NodeIx) -> bool {
    true
}

fn shipped() -> (ties::Graph, SearchIndex) {
    let g = ties::load::load_builtin().expect("the shipped graph loads");
    let ix = SearchIndex::build(&g);
    (g, ix)
}

/// Ids and how they matched, best first.
fn top(g: &ties::Graph, ix: &SearchIndex, q: &str, n: usize) -> Vec<(String, Tier)> {
    ix.search(g, q, n, &all)
        .iter()
        .map(|h| (g.entity(h.node).id.to_string(), h.tier()))
        .collect()
}

#[test]
fn names_as_people_remember_or_hear_them_find_the_person_first() {
    let (g, ix) = shipped();
    for (q, id) in [
        ("umarov", "rustem-umerov"),
        ("umerow", "rustem-umerov"),
        ("umerof", "rustem-umerov"),
        ("budanow", "kyrylo-budanov"),
        ("kyrilo budanov", "kyrylo-budanov"),
        ("palianitsa", "palianytsia"),
    ] {
        let hits = top(&g, &ix, q, 5);
        let first = hits.first().unwrap_or_else(|| panic!("nothing for {q}"));
        assert_eq!(first.0, id, "{q}: {hits:?}");
        assert_eq!(first.1, Tier::Typo, "{q}: {hits:?}");
    }
}

#[test]
fn minister_of_defence_finds_the_defence_ministers() {
    let (g, ix) = shipped();
    let hits = ix.search(&g, "minister of defence", 3, &all);
    let ids: Vec<&str> = hits.iter().map(|h| g.entity(h.node).id).collect();
    for who in ["rustem-umerov", "laurynas-kasciunas"] {
        assert!(ids.contains(&who), "{who} not in {ids:?}");
    }
    let umerov = hits
        .iter()
        .find(|h| g.entity(h.node).id == "rustem-umerov")
        .unwrap();
    assert!(matches!(umerov.field, MatchedField::Office(_)));
    assert!(
        umerov.text.starts_with("Minister of Defence"),
        "{}",
        umerov.text
    );
    // The ministry itself is not what `minister` names.
    assert!(!ids.contains(&"ministry-of-defence-ua"), "{ids:?}");
}

#[test]
fn quoted_and_anchored_terms_never_match_by_typo() {
    let (g, ix) = shipped();
    for q in [
        "'umerow",
        "^umerow",
        "umerow$",
        "'budanow",
        "'kyrilo budanov",
    ] {
        let hits = top(&g, &ix, q, 10);
        assert!(hits.iter().all(|h| h.1 != Tier::Typo), "{q}: {hits:?}");
    }
}

/// The German donations file (vendored in `tests/data/`).
fn donations() -> PathBuf {
    common::data("ftm/donations.ijson")
}

#[test]
fn umlauts_typed_with_an_e_or_without_find_the_german_names() {
    let path = donations();
    let (g, _) = ties::ftm::load_ftm(&path).expect("the donations load");
    let ix = SearchIndex::build(&g);
    for q in [
        "Nierstenhoefer",
        "Nierstenhofer",
        "Nierstenhöfer",
        "irene nierstenhoefer",
    ] {
        let hits = ix.search(&g, q, 5, &all);
        let h = hits.first().unwrap_or_else(|| panic!("nothing for {q}"));
        assert_eq!(g.entity(h.node).name, "Frau Dr. Irene Nierstenhöfer", "{q}");
        assert_eq!(h.tier(), Tier::WordStart, "{q}");
    }
    for q in ["Wuerttemberg", "Württemberg", "baden-wuerttemberg metall"] {
        let hits = ix.search(&g, q, 5, &all);
        let h = hits.first().unwrap_or_else(|| panic!("nothing for {q}"));
        assert!(g.entity(h.node).name.contains("Baden-Württemberg"), "{q}");
        assert!(!h.tier().is_weak(), "{q}: {:?}", h.tier());
    }
    // `Jürgen Möllemann` as typed on an English keyboard.
    let hits = ix.search(&g, "juergen moellemann", 5, &all);
    assert_eq!(g.entity(hits[0].node).name, "Herr Jürgen W. Möllemann");
    // The same through `ties search`, reading the file in place.
    for q in ["Nierstenhoefer", "Nierstenhofer"] {
        let (code, out, err) = ties()
            .arg("--data")
            .arg(&path)
            .args(["search", "--limit", "3", q])
            .run();
        assert_eq!(code, 0, "{err}");
        let first = out.lines().next().unwrap_or_default();
        assert!(
            first.contains("word start") && first.contains("Frau Dr. Irene Nierstenhöfer"),
            "{q}: {out}"
        );
    }
    // There is no Süddeutscher in the file: whatever is found says it is weak.
    let hits = ix.search(&g, "Sueddeutscher", 20, &all);
    assert!(
        hits.iter().all(|h| h.tier().is_weak()),
        "{:?}",
        hits.iter().map(|h| (&h.text, h.tier())).collect::<Vec<_>>()
    );
}

#[test]
fn search_says_how_each_hit_matched() {
    let out = ties().args(["search", "--limit", "3", "umerow"]).output();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.contains("typo") && first.contains("Rustem Umerov"),
        "{text}"
    );
    let out = ties()
        .args(["search", "--limit", "3", "minister", "of", "defence"])
        .output();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Rustem Umerov — holds office: Minister of Defence"),
        "{text}"
    );
    let out = ties()
        .args(["search", "--json", "--limit", "1", "umerow"])
        .output();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["id"], "rustem-umerov");
    assert_eq!(rows[0]["tier"], "typo");
    assert_eq!(rows[0]["edits"], 1);
    assert_eq!(rows[0]["weak"], true);
}

#[test]
fn commands_given_only_a_typo_say_so_and_list_the_candidates() {
    // A typo that stands clearly first is taken, and stderr says so (issue 30).
    for (args, taken) in [
        (vec!["show", "umerow"], "Rustem Umerov, typo of umerow"),
        (vec!["money", "umerow"], "Rustem Umerov, typo of umerow"),
        (vec!["path", "umerow", "kasciunas"], "Rustem Umerov"),
        (vec!["path", "kasciunas", "budanow"], "Kyrylo Budanov"),
        (
            vec!["export", "--focus", "umerof", "--format", "dot"],
            "Rustem Umerov",
        ),
        (vec!["timeline", "--focus", "palianitsa"], "Palianytsia"),
        (vec!["show", "kyrilo budanov"], "Kyrylo Budanov"),
    ] {
        let (code, out, err) = ties().args(&args).run();
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(err.contains(&format!("taken: {taken}")), "{args:?}: {err}");
        assert!(!out.is_empty() || args[0] == "timeline", "{args:?}");
    }
    // Typos that tie are refused, every candidate listed with how it matched.
    let (code, out, err) = ties().args(["show", "ministri"]).run();
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("nothing matches") && err.contains("as written"),
        "{err}"
    );
    assert!(
        err.contains("Ministry of Defence of Ukraine (ministry-of-defence-ua, typo)"),
        "{err}"
    );
    assert!(err.contains("(ministry-of-defence-se, typo)"), "{err}");
    assert!(out.is_empty(), "{out}");
    // Spelt as written, or by id, it opens.
    let (code, out, _) = ties().args(["show", "umerov"]).run();
    assert_eq!(code, 0);
    assert!(out.contains("Rustem Umerov"), "{out}");
    let (code, _, _) = ties().args(["show", "rustem-umerov"]).run();
    assert_eq!(code, 0);
}

#[test]
fn the_typo_index_survives_a_snapshot_round_trip() {
    let (g, ix) = shipped();
    let dir = tempfile::tempdir().unwrap();
    let key = ties::snapshot::Key(7);
    let path = ties::snapshot::write(dir.path(), key, &g, Some(&ix)).unwrap();
    let (g2, back) = ties::snapshot::read(&path, key).unwrap();
    let back = back.expect("the snapshot has the index");
    assert_eq!(back.memory().typo_bytes, ix.memory().typo_bytes);
    for q in [
        "umerow",
        "minister of defence",
        "kyrilo budanov",
        "palianitsa",
    ] {
        assert_eq!(
            back.search(&g2, q, 5, &all),
            ix.search(&g, q, 5, &all),
            "{q}"
        );
    }
}
