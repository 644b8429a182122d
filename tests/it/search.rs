//! Search on the shipped graph, and the `search`, `gen` and `--focus` commands.

use ties::graph::NodeIx;
use ties::search::{MatchedField, SearchIndex, Searcher};

use crate::common;

use common::ties;

fn shipped() -> (ties::Graph, SearchIndex) {
    let g = ties::load::load_builtin().expect("the shipped graph loads");
    let ix = SearchIndex::build(&g);
    (g, ix)
}

fn all(_: NodeIx) -> bool {
    true
}

/// The id of the first hit, and the field that matched.
fn first(q: &str) -> (String, MatchedField) {
    let (g, ix) = shipped();
    let hits = ix.search(&g, q, 10, &all);
    let h = hits
        .first()
        .unwrap_or_else(|| panic!("nothing found for {q:?}"));
    (g.entity(h.node).id.to_string(), h.field)
}

#[test]
fn people_are_found_the_way_they_are_typed() {
    assert_eq!(first("kasciunas").0, "laurynas-kasciunas");
    assert_eq!(first("Kasčiūnas").0, "laurynas-kasciunas");
    assert_eq!(first("umerov").0, "rustem-umerov");
    assert_eq!(first("sakaliene").0, "dovile-sakaliene");
    assert_eq!(first("ŠAKALIENĖ").0, "dovile-sakaliene");
    assert_eq!(first("pal jonson").0, "pal-jonson");
    assert_eq!(first("palianytsia").0, "palianytsia");
}

#[test]
fn transliterations_find_the_entity_through_its_alias() {
    let (id, field) = first("Kaschyunas");
    assert_eq!(id, "laurynas-kasciunas");
    assert_eq!(field, MatchedField::Alias(0));
    for q in ["umyerov", "umierov", "Umierov"] {
        let (id, field) = first(q);
        assert_eq!(id, "rustem-umerov", "{q}");
        assert!(matches!(field, MatchedField::Alias(_)), "{q}: {field:?}");
    }
    let (id, field) = first("palyanytsia");
    assert_eq!(id, "palianytsia");
    assert_eq!(field, MatchedField::Alias(0));
}

#[test]
fn the_person_comes_before_events_named_after_them() {
    let (g, ix) = shipped();
    let hits = ix.search(&g, "kasciunas", 10, &all);
    let ids: Vec<&str> = hits.iter().map(|h| g.entity(h.node).id).collect();
    assert_eq!(ids[0], "laurynas-kasciunas");
    // Events and visits with his name in theirs follow.
    assert!(ids.contains(&"kasciunas-umerov-meeting-kyiv"), "{ids:?}");
    let pos = |id| ids.iter().position(|x| *x == id).unwrap();
    assert!(pos("laurynas-kasciunas") < pos("kasciunas-umerov-meeting-kyiv"));
}

#[test]
fn ministries_by_two_half_words() {
    let (g, ix) = shipped();
    let hits = ix.search(&g, "min def", 10, &all);
    let mut top3: Vec<&str> = hits[..3].iter().map(|h| g.entity(h.node).id).collect();
    top3.sort();
    assert_eq!(
        top3,
        [
            "ministry-of-defence-se",
            "ministry-of-defence-ua",
            "ministry-of-national-defence-lt"
        ]
    );
}

#[test]
fn typing_gives_the_same_as_searching_afresh() {
    let (g, ix) = shipped();
    for q in ["kasciunas", "min def", "umyerov", "'def !ukr"] {
        let mut s = Searcher::new(&ix);
        for k in 1..=q.len() {
            let p = &q[..k];
            assert_eq!(
                s.update(&g, p, 20, &all),
                ix.search(&g, p, 20, &all),
                "{p:?}"
            );
        }
    }
}

#[test]
fn search_command_ranks_and_says_which_alias_matched() {
    let (code, out, _) = ties().args(["search", "kaschyunas"]).run();
    assert_eq!(code, 0);
    let first = out.lines().next().unwrap();
    assert!(first.contains("laurynas-kasciunas"), "{out}");
    assert!(first.contains("alias: Laurinas Kaschyunas"), "{out}");

    let (code, out, _) = ties()
        .args(["search", "min", "def", "--limit", "2", "--json"])
        .run();
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r["kind"], "ministry");
        assert_eq!(r["matched_field"], "name");
        assert!(r["score"].as_i64().unwrap() > 0);
    }

    let (code, out, _) = ties().args(["search", "umierov", "--json"]).run();
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["id"], "rustem-umerov");
    assert_eq!(v[0]["matched_field"], "alias");
    assert_eq!(v[0]["matched_text"], "Umierov");
    assert_eq!(v[0]["tier"], "exact");
}

#[test]
fn search_command_without_a_match_exits_1() {
    // Nothing found is an answer (as grep's 1), not bad input (issue 30).
    let (code, out, err) = ties().args(["search", "qqqzzz"]).run();
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(err, "ties: no entity matches `qqqzzz`\n");
}

#[test]
fn focus_takes_an_id_or_the_best_match_and_refuses_to_guess() {
    let focus = |q: &str| {
        let (code, out, err) = ties()
            .args(["export", "--focus", q, "--depth", "0", "--format", "json"])
            .run();
        let v: Option<serde_json::Value> = serde_json::from_str(&out).ok();
        let id = v.map(|v| v["nodes"][0]["id"].as_str().unwrap_or("").to_string());
        (code, id, err)
    };
    assert_eq!(focus("rustem-umerov").1.as_deref(), Some("rustem-umerov"));
    assert_eq!(focus("umerov").1.as_deref(), Some("rustem-umerov"));
    assert_eq!(focus("Kaschyunas").1.as_deref(), Some("laurynas-kasciunas"));
    assert_eq!(focus("kaunas").1.as_deref(), Some("robertas-kaunas"));
    let (code, id, err) = focus("lithuanian");
    assert_eq!(code, 2);
    assert!(id.is_none());
    assert!(err.contains("ambiguous"), "{err}");
    assert!(err.contains("(lithuanian-citizens)"), "{err}");
    assert!(err.contains("(lithuanian-businesses)"), "{err}");
    let (code, _, err) = focus("qqqzzz");
    assert_eq!(code, 2);
    assert!(err.contains("no entity matches"), "{err}");
}

#[test]
fn gen_writes_a_graph_that_loads_and_will_not_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("synthetic.ron");
    let p = path.to_str().unwrap();
    let (code, _, err) = ties()
        .args(["gen", "--entities", "200", "--seed", "4", "-o", p])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 200 entities"), "{err}");
    let (code, out, err) = ties().args(["--data", p, "check"]).run();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("valid: 200 entities, 400 relations"),
        "{out}"
    );
    let before = std::fs::read(&path).unwrap();
    let (code, _, err) = ties().args(["gen", "--entities", "10", "-o", p]).run();
    assert_eq!(code, 1);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let (code, _, _) = ties()
        .args([
            "gen",
            "--entities",
            "200",
            "--seed",
            "4",
            "-o",
            p,
            "--force",
        ])
        .run();
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "same seed, same bytes"
    );
    let (code, out, _) = ties()
        .args(["--data", p, "search", "umerov", "--limit", "3"])
        .run();
    assert_eq!(code, 0);
    assert!(out.lines().count() >= 1);
}
