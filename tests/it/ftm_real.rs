//! FollowTheMoney data as investigators have it, loaded: the real files
//! vendored in `tests/data/ftm/` and the case fixtures `tests/fixtures/ftm/cases/`,
//! made with the `followthemoney` library by `scripts/ftm/make_case_fixtures.py`.
//! `tests/ftm_views.rs` looks at them (round trip, captions, show, explorer).

use crate::common;

use std::path::{Path, PathBuf};

use ties::Graph;
use ties::export::to_ftm;
use ties::ftm::{FtmSummary, Issue, is_placeholder, load_ftm};
use ties::model::{EntityKind, RelationKind};
use ties::search::SearchIndex;
use ties::view::{Filter, Reach, subgraph};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn real(name: &str) -> PathBuf {
    common::data(&format!("ftm/{name}"))
}

fn case(name: &str) -> PathBuf {
    root().join("tests/fixtures/ftm/cases").join(name)
}

fn load(path: &Path) -> (Graph, FtmSummary) {
    load_ftm(path).unwrap_or_else(|e| panic!("{} did not load: {e}", path.display()))
}

fn by_name(g: &Graph, name: &str) -> ties::graph::NodeIx {
    g.node_indices()
        .find(|&n| g.entity(n).name == name)
        .unwrap_or_else(|| panic!("no entity named {name}"))
}

#[test]
fn donations_load_with_money_from_amount_eur() {
    let path = real("donations.ijson");
    let (g, s) = load(&path);
    assert_eq!(s.records, 474);
    assert_eq!(s.by_schema["Payment"], 290);
    assert!(s.issues.is_empty(), "{s}");
    assert_eq!((g.node_count(), g.edge_count()), (184, 393));
    let paid: Vec<_> = g
        .edge_indices()
        .filter(|&e| g.relation(e).kind == RelationKind::Finances)
        .collect();
    assert_eq!(paid.len(), 290);
    // Every Payment carries only amountEur: each is money in EUR, the
    // attribute kept too.
    for &e in &paid {
        let r = g.relation(e);
        let a = r.amount.expect("a payment's amount");
        assert_eq!(a.currency.code(), "EUR");
        let eur = r
            .attrs
            .iter()
            .find(|(k, _)| g.sym(*k) == "amountEur")
            .unwrap()
            .1;
        assert_eq!(eur.parse::<f64>().unwrap(), a.value);
    }
    let (code, out, err) = common::ties()
        .arg("--data")
        .arg(&path)
        .args(["money", "MLPD"])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("2005-08-08") && out.contains("€175,000"),
        "{out}"
    );
    assert!(out.contains("from Herr Michael May"), "{out}");
    assert!(
        out.contains("total in EUR, transferred: €3,368,136.15"),
        "{out}"
    );
    let (code, _, err) = common::ties().arg("--data").arg(&path).arg("check").run();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("474 FtM records → 184 entities, 393 relations"),
        "{err}"
    );
    assert!(!err.contains("problems worked around"), "{err}");
    // Gzip-compressed, under a name that says nothing: recognised by content.
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("donations.data");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &std::fs::read(&path).unwrap()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let (code, _, err) = common::ties().arg("--data").arg(&gz).arg("check").run();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("474 FtM records → 184 entities"), "{err}");
}

#[test]
fn sanctions_subset_shows_captions_and_missing_addresses_as_placeholders() {
    let path = real("opensanctions-subset.ftm.json");
    let (g, s) = load(&path);
    assert_eq!(s.records, 7);
    assert_eq!(s.placeholders, 2);
    assert_eq!(s.count(Issue::Missing), 2);
    assert_eq!(s.issues[&Issue::Missing].lines, [1, 7]);
    assert_eq!(s.issues.len(), 1, "{s}");
    assert!(s.to_string().contains(
        "2 references to entities not in the loaded data (shown as placeholders): lines 1, 7"
    ));
    // Display names are the records' captions, not their first names.
    for line in std::fs::read_to_string(&path).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let n = g.find(v["id"].as_str().unwrap()).unwrap();
        assert_eq!(g.entity(n).name, v["caption"].as_str().unwrap());
    }
    let tatiana = g.entity(by_name(&g, "Tatiana Vladimirovna ZJURAVLEVA"));
    assert!(
        tatiana
            .aliases
            .iter()
            .any(|a| a == "Татьяна Владимировна ЖУРАВЛЕВА")
    );
    // The missing addresses: places, known by id, with nothing else.
    for id in [
        "addr-125caec37c3486d3a71de8ae943eec47f420b38a",
        "addr-9bdb8d404e2618cfce08d3b3d400c1433c634849",
    ] {
        let n = g.find(id).unwrap();
        assert!(is_placeholder(&g, n));
        let e = g.entity(n);
        assert_eq!(e.kind, EntityKind::Place);
        assert!(e.date.is_none() && e.aliases.is_empty());
        assert!(g.source_list(e.sources).is_empty());
        assert_eq!(g.degree(n), 1);
    }
    let index = SearchIndex::build(&g);
    let first = |q: &str| {
        let hits = index.search(&g, q, 5, &|_| true);
        hits.first().map(|h| g.entity(h.node).id.to_string())
    };
    // By caption, by an alias in another script, without diacritics.
    assert_eq!(first("IRGC").as_deref(), Some("NK-2PacmNpiLUmoz4XD2mSt7A"));
    assert_eq!(
        first("Iranian Revolutionary Guard").as_deref(),
        Some("NK-2PacmNpiLUmoz4XD2mSt7A")
    );
    assert_eq!(
        first("Интер Тобако").as_deref(),
        Some("NK-2GdmHtZTeNXjNVrBGEXZNj")
    );
    assert_eq!(
        first("pachodavova").as_deref(),
        Some("NK-2Mht2rqBeravCTdyQAWc4o")
    );
    let (code, _, err) = common::ties().arg("--data").arg(&path).arg("check").run();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 problems worked around"), "{err}");
    assert!(
        err.contains(
            "ties: 2 references to entities not in the loaded data (shown as placeholders): lines 1, 7"
        ),
        "{err}"
    );
    let (code, _, err) = common::ties()
        .arg("--data")
        .arg(&path)
        .args(["check", "--strict"])
        .run();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("opensanctions-subset.ftm.json:1:1: a reference to an entity not in the data"),
        "{err}"
    );
    assert!(err.contains("opensanctions-subset.ftm.json:7:1"), "{err}");
}

#[test]
fn bad_values_are_dropped_and_noted() {
    let (g, s) = load(&case("bad_value.ftm.json"));
    assert_eq!(s.issues[&Issue::BadValue].lines, [1]);
    assert_eq!(s.issues[&Issue::BadDate].lines, [1]);
    assert_eq!(s.issues[&Issue::InvalidRef].lines, [3]);
    let saud = g.entity(by_name(&g, "Saud bin Abdulaziz"));
    assert!(saud.note.is_none());
    let attr = |k: &str| {
        saud.attrs
            .iter()
            .find(|(s, _)| g.sym(*s) == k)
            .map(|(_, v)| v)
    };
    assert_eq!(attr("birthDate"), Some("1902-01-15"));
    assert_eq!(attr("deathDate"), None);
    // The occupancy keeps its valid holder; the invalid id is not an entity.
    assert_eq!(g.edge_count(), 1);
    assert!(g.find("Ibn Saud (Q151509)").is_none());
}

#[test]
fn nested_entities_are_unwrapped() {
    let (g, s) = load(&case("nested.ftm.json"));
    assert_eq!(s.issues[&Issue::Nested].lines, [1, 2]);
    assert_eq!(s.placeholders, 0);
    let firm = by_name(&g, "Nested Holdings GmbH");
    let addr = by_name(&g, "Unter den Linden 1, 10117 Berlin");
    let greta = by_name(&g, "Greta Beispiel");
    assert!(g.ties(firm).any(|t| t.other == addr));
    let d = g.ties(greta).find(|t| t.other == firm).unwrap();
    let r = g.relation(d.edge);
    assert_eq!(r.kind, RelationKind::HoldsOffice);
    assert_eq!(g.sym(r.role.unwrap()), "Managing director");
}

#[test]
fn several_dates_make_a_span_with_every_value_kept() {
    let (g, s) = load(&case("multi_dates.ftm.json"));
    assert_eq!(s.issues[&Issue::SeveralDates].lines, [3]);
    assert_eq!(s.issues[&Issue::EndBeforeStart].lines, [3]);
    let e = g.edge_indices().next().unwrap();
    let r = g.relation(e);
    assert_eq!(r.date.unwrap().to_string(), "1970-02");
    assert_eq!(r.until.unwrap().to_string(), "2021");
    let mut kept: Vec<String> = r
        .attrs
        .iter()
        .map(|(k, v)| format!("{}={v}", g.sym(k)))
        .filter(|kv| kv.contains("Date="))
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            "endDate=1975-03-25",
            "endDate=2021",
            "startDate=1970-02",
            "startDate=2019-10-23"
        ]
    );
}

#[test]
fn self_ownership_is_a_loop() {
    let (g, s) = load(&case("self_ownership.ftm.json"));
    assert_eq!(s.issues[&Issue::Loop].lines, [2]);
    assert_eq!((g.node_count(), g.edge_count()), (1, 1));
    let e = g.edge_indices().next().unwrap();
    let (a, b) = g.ends(e);
    assert_eq!(a, b);
    let r = g.relation(e);
    assert_eq!(r.kind, RelationKind::Owns);
    assert!(
        r.attrs
            .iter()
            .any(|(k, v)| g.sym(k) == "percentage" && v == "7.5")
    );
}

#[test]
fn missing_references_are_placeholders_paths_go_through() {
    let (g, s) = load(&case("missing_ref.ftm.json"));
    assert_eq!(s.issues[&Issue::Missing].lines, [1, 2]);
    let piet = by_name(&g, "Piet Lid");
    let others: Vec<_> = g.ties(piet).map(|t| t.other).collect();
    assert_eq!(others.len(), 2);
    let kinds: Vec<EntityKind<_>> = others.iter().map(|&n| g.entity(n).kind).collect();
    assert!(kinds.contains(&EntityKind::Place) && kinds.contains(&EntityKind::Organisation));
    assert!(others.iter().all(|&n| is_placeholder(&g, n)));
    // Exports keep the references but invent no entity for them.
    let sub = subgraph(&g, None, 1, Reach::Both, &Filter::default());
    let text = to_ftm(&g, &sub);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("ddb796c055081993f3c130d85bfbaca55bf43754"));
}

#[test]
fn strict_refuses_every_case_with_line_numbers() {
    for (name, lines) in [
        ("bad_value.ftm.json", &[1, 3][..]),
        ("nested.ftm.json", &[1, 2]),
        ("multi_dates.ftm.json", &[3]),
        ("self_ownership.ftm.json", &[2]),
        ("missing_ref.ftm.json", &[1, 2]),
    ] {
        let path = case(name);
        let (code, _, err) = common::ties().arg("--data").arg(&path).arg("check").run();
        assert_eq!(code, 0, "{name}: {err}");
        assert!(err.contains("problems worked around"), "{err}");
        let (code, _, err) = common::ties()
            .arg("--data")
            .arg(&path)
            .args(["check", "--strict"])
            .run();
        assert_eq!(code, 2, "{name}: {err}");
        for l in lines {
            assert!(err.contains(&format!("{name}:{l}:1: ")), "{err}");
        }
    }
}

#[test]
fn relationship_fragments_merge_until_built_and_are_noted_after() {
    use std::io::Cursor;
    let text = concat!(
        r#"{"id":"m1","schema":"Membership","properties":{"member":["a"],"organization":["o"]}}"#,
        "\n",
        r#"{"id":"a","schema":"Person","properties":{"name":["A"]}}"#,
        "\n",
        r#"{"id":"o","schema":"Organization","properties":{"name":["O"]}}"#,
        "\n",
        r#"{"id":"m1","schema":"Membership","properties":{"role":["chair"]}}"#,
        "\n",
        r#"{"id":"m2","schema":"Membership","properties":{"member":["a"],"organization":["o"]}}"#,
        "\n",
        r#"{"id":"m2","schema":"Membership","properties":{"role":["treasurer"]}}"#,
        "\n",
    );
    let (g, s) = ties::ftm::load_ftm_reader(Cursor::new(text), "t.ftm.json").unwrap();
    // m1 was held (its parties came later) and took its fragment in; m2 was
    // built at once, so its later fragment is kept as a record of its own
    // (a node, since it names no parties), and noted.
    assert_eq!(s.fragments_merged, 1);
    assert_eq!(s.issues[&Issue::LateFragment].lines, [6]);
    assert_eq!(g.edge_count(), 2);
    let m1 = g
        .edge_indices()
        .find(|&e| g.relation(e).id().as_deref() == Some("m1"))
        .unwrap();
    assert_eq!(g.sym(g.relation(m1).role.unwrap()), "chair");
    assert!(g.find("m2").is_some());
}
