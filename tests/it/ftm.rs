//! FollowTheMoney import and export.
//!
//! The fixture `tests/fixtures/ftm/small.ftm.json` and its GEXF were made by the
//! real `followthemoney` library (`scripts/ftm/make_fixture.py`). The validation
//! test needs `.venv-ftm` (made by `bash .ci/setup-ftm.sh`): it is `#[ignore]`d
//! under a plain `cargo test` and fails without it once run. So is the check that `src/ftm/schema/table.rs` is what `scripts/ftm/gen_schema.sh` makes.

use crate::common;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use ties::Graph;
use ties::export::to_ftm;
use ties::ftm::{load_ftm, load_ftm_reader};
use ties::load::{ProblemKind, load_builtin};
use ties::model::{Amount, EntityKind, Precision, RelationKind};
use ties::search::SearchIndex;
use ties::view::{Filter, Reach, Subgraph, subgraph};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> PathBuf {
    root().join("tests/fixtures/ftm/small.ftm.json")
}

fn whole(g: &Graph) -> Subgraph {
    subgraph(g, None, 1, Reach::Both, &Filter::default())
}

fn node<'g>(g: &'g Graph, name: &str) -> ties::graph::Entity<'g> {
    let n = g
        .node_indices()
        .find(|&n| g.entity(n).name == name)
        .unwrap_or_else(|| panic!("no entity named {name}"));
    g.entity(n)
}

/// `(nodes, edges)` in a GEXF file, by counting its elements.
fn gexf_counts(path: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    (
        text.matches("<node ").count(),
        text.matches("<edge ").count(),
    )
}

#[test]
fn fixture_counts_match_what_ftm_export_gexf_made() {
    let (g, summary) = load_ftm(&fixture()).unwrap();
    let (gexf_nodes, gexf_edges) = gexf_counts(&root().join("tests/fixtures/ftm/small.gexf"));
    assert_eq!((gexf_nodes, gexf_edges), (14, 16), "the committed GEXF");
    // The GEXF draws every relationship as one edge payer→beneficiary. The one
    // Payment that also names a project links three parties: ties makes it a
    // tranche node (one more node) tied to payer, beneficiary and project (three
    // edges instead of one).
    assert_eq!(summary.relationship_nodes, 1);
    assert_eq!(g.node_count(), gexf_nodes + 1);
    assert_eq!(g.edge_count(), gexf_edges - 1 + 3);
    assert_eq!(summary.records, 27);
    assert_eq!(summary.by_schema["Payment"], 2);
    assert_eq!(summary.by_schema["Person"], 4);
    assert!(summary.unknown_schemata.is_empty());
    assert!(summary.unknown_properties.is_empty());
    assert_eq!((summary.entities, summary.relations), (15, 18));
}

#[test]
fn fixture_maps_names_dates_money_and_sources() {
    let (g, _) = load_ftm(&fixture()).unwrap();
    let k = node(&g, "Laurynas Kasčiūnas");
    assert_eq!(k.kind, EntityKind::Person);
    assert_eq!(k.aliases.to_vec(), ["Laurinas Kaschyunas"]);
    assert_eq!(k.weak_aliases.to_vec(), ["Kasčiūnas"]);
    // A birth date stays an attribute: a person is not hidden by date filters.
    assert!(k.date.is_none());
    let attrs: Vec<(String, String)> = k
        .attrs
        .iter()
        .map(|(s, v)| (g.sym(s).to_string(), v.to_string()))
        .collect();
    assert!(attrs.contains(&("birthDate".into(), "1982-02".into())));
    assert!(attrs.contains(&("nationality".into(), "lt".into())));
    let srcs: Vec<&str> = g
        .source_list(k.sources)
        .iter()
        .map(|&s| &*g.source(s).id)
        .collect();
    assert_eq!(
        srcs,
        ["https://example.org/wire/2024-11-24-memorandum", "ftm-file"]
    );
    assert_eq!(
        &*g.source(g.find_source(srcs[0]).unwrap()).outlet,
        "Example Wire"
    );

    // The first payment: a relation with money and the date part of a timestamp.
    let mod_lt = g
        .find(node(&g, "Ministry of National Defence of Lithuania").id)
        .unwrap();
    let pay = g
        .ties(mod_lt)
        .map(|t| g.relation(t.edge))
        .find(|r| r.kind == RelationKind::Finances && r.id().is_some())
        .expect("payment relation");
    assert_eq!(pay.date.unwrap().to_string(), "2024-11-23");
    assert_eq!(pay.date.unwrap().precision(), Precision::Day);
    let amount: Amount = pay.amount.unwrap();
    assert_eq!(
        (amount.value, amount.currency.code()),
        (10_000_000.0, "EUR")
    );

    // The three-party payment is a tranche node with its month-precision span.
    let t = g
        .node_indices()
        .map(|n| g.entity(n))
        .find(|e| e.kind == EntityKind::Tranche)
        .unwrap();
    assert_eq!(t.date.unwrap().to_string(), "2025-02");
    assert_eq!(t.until.unwrap().to_string(), "2025-03");
    assert_eq!(t.amount.unwrap().value, 5_737_028.0);

    // An employment reads employer → employee; a directorship keeps its role.
    let adviser = g.find(node(&g, "Jonas Patarėjas").id).unwrap();
    let emp = g.ties(adviser).next().unwrap();
    assert_eq!(g.relation(emp.edge).kind, RelationKind::Employs);
    assert_eq!(emp.direction, petgraph::Direction::Incoming);
    let umerov = g.find(node(&g, "Rustem Umerov").id).unwrap();
    let dir = g
        .ties(umerov)
        .map(|t| g.relation(t.edge))
        .find(|r| r.kind == RelationKind::HoldsOffice)
        .unwrap();
    assert_eq!(g.sym(dir.role.unwrap()), "Minister of Defence");
}

#[test]
fn search_finds_ftm_entities_by_alias_and_without_diacritics() {
    let (g, _) = load_ftm(&fixture()).unwrap();
    let index = SearchIndex::build(&g);
    let found = |q: &str, name: &str| {
        let hits = index.search(&g, q, 10, &|_| true);
        assert_eq!(
            hits.first().map(|h| g.entity(h.node).name),
            Some(name),
            "`{q}` should find {name} first"
        );
    };
    found("kasciunas", "Laurynas Kasčiūnas");
    found("Laurinas Kaschyunas", "Laurynas Kasčiūnas");
    found(
        "krasto apsaugos",
        "Ministry of National Defence of Lithuania",
    );
    found("Укроборонпром", "Ukroboronprom");
    found("kasciuniene", "Ona Kasčiūnienė");
}

fn load_str(text: &str) -> Result<(Graph, ties::ftm::FtmSummary), ties::load::LoadError> {
    load_ftm_reader(Cursor::new(text.as_bytes()), "t.ftm.json")
}

#[test]
fn unknown_schemata_and_properties_are_kept_and_counted() {
    let text = r#"{"id":"a","schema":"Person","properties":{"name":["A"],"favouriteColour":["blue"]}}
{"id":"b","schema":"Spaceship","properties":{"name":["B"],"warpFactor":["9"]}}
{"id":"l","schema":"UnknownLink","properties":{"subject":["a"],"object":["b"],"role":["flies"]}}
"#;
    let (g, s) = load_str(text).unwrap();
    assert_eq!(s.unknown_schemata["Spaceship"], 1);
    assert_eq!(s.unknown_properties["Person.favouriteColour"], 1);
    let b = g.entity(g.find("b").unwrap());
    assert_eq!(g.entity_kind_label(b.kind), "spaceship");
    assert_eq!(g.sym(b.attrs.get(0).unwrap().0), "warpFactor");
    let a = g.entity(g.find("a").unwrap());
    assert_eq!(a.attrs.get(0).unwrap().1, "blue");
    assert_eq!(g.edge_count(), 1);
    let shown = s.to_string();
    assert!(shown.contains("Spaceship 1") && shown.contains("Person.favouriteColour 1"));
}

/// A relationship of more than 64 values, where the parser's marks of its
/// parties stop: its parties are found by the schema instead, before and
/// after the entities they name.
#[test]
fn parties_of_a_relationship_of_many_values_are_found_by_the_schema() {
    let notes: Vec<String> = (0..70).map(|i| format!("\"note {i}\"")).collect();
    let link = |id: &str| {
        format!(
            r#"{{"id":"{id}","schema":"UnknownLink","properties":{{"description":[{}],"subject":["a"],"role":["flies"],"object":["b"]}}}}"#,
            notes.join(",")
        )
    };
    let a = r#"{"id":"a","schema":"Person","properties":{"name":["A"]}}"#;
    let b = r#"{"id":"b","schema":"Person","properties":{"name":["B"]}}"#;
    // Held until its parties come, then built when they have.
    for text in [
        format!("{}\n{a}\n{b}\n", link("l")),
        format!("{a}\n{b}\n{}\n", link("l")),
    ] {
        let (g, _) = load_str(&text).unwrap();
        assert_eq!(g.edge_count(), 1, "{text}");
        let e = g.edge_indices().next().unwrap();
        let (from, to) = g.ends(e);
        assert_eq!((g.entity(from).name, g.entity(to).name), ("A", "B"));
    }
}

#[test]
fn broken_lines_are_problems_with_their_line_numbers() {
    let text = concat!(
        "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"]}}\n",
        "{not json\n",
        "\n",
        "{\"id\":5,\"schema\":\"Person\"}\n",
        "{\"schema\":\"Person\"}\n",
        "[1,2]\n",
    );
    let err = load_str(text).unwrap_err();
    let lines: Vec<usize> = err
        .problems
        .iter()
        .map(|p| p.location.line_col.map_or(0, |(l, _)| l))
        .collect();
    let msg = err.to_string();
    assert_eq!(lines, [2, 4, 5, 6], "{msg}");
    assert!(
        err.problems
            .iter()
            .any(|p| matches!(p.kind, ProblemKind::Json(_)))
    );
}

#[test]
fn bad_values_are_noted_with_their_line_numbers_and_strict_refuses_them() {
    use ties::ftm::Issue;
    let text = concat!(
        "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"]}}\n",
        "{\"id\":\"p\",\"schema\":\"Payment\",\"properties\":{\"payer\":[\"a\"],\"beneficiary\":[\"ghost\"],\"amount\":[\"1\"],\"currency\":[\"XXQ\"]}}\n",
        "{\"id\":\"e\",\"schema\":\"Event\",\"properties\":{\"name\":[\"E\"],\"date\":[\"2024-02-30\"]}}\n",
        "{\"id\":\"q\",\"schema\":\"Person\",\"properties\":{\"name\":[{\"x\":1}, \"Q\"]}}\n",
    );
    let (g, s) = load_str(text).unwrap();
    assert_eq!(s.count(Issue::Missing), 1);
    assert_eq!(s.count(Issue::BadAmount), 1);
    assert_eq!(s.count(Issue::BadDate), 1);
    assert_eq!(s.count(Issue::BadValue), 1);
    assert_eq!(s.issues[&Issue::Missing].lines, [2]);
    assert_eq!(s.issues[&Issue::BadDate].lines, [3]);
    assert_eq!(s.issues[&Issue::BadValue].lines, [4]);
    // The missing beneficiary is a placeholder; the event has no date.
    let ghost = g.find("ghost").unwrap();
    assert!(ties::ftm::is_placeholder(&g, ghost));
    assert_eq!(g.entity(g.find("e").unwrap()).date, None);
    assert_eq!(g.entity(g.find("q").unwrap()).name, "Q");
    let shown = s.to_string();
    assert!(
        shown.contains("1 date values that are not dates (dropped): line 3"),
        "{shown}"
    );
    let err = s.strict(Path::new("t.ftm.json")).unwrap_err();
    let msg = err.to_string();
    for at in ["t.ftm.json:2:", "t.ftm.json:3:", "t.ftm.json:4:"] {
        assert!(msg.contains(at), "{msg}");
    }
    assert!(msg.contains("`ghost`") && msg.contains("XXQ"), "{msg}");
}

#[test]
fn fragments_of_one_entity_are_merged() {
    let text = r#"{"id":"a","schema":"Person","properties":{"name":["Ann"]}}
{"id":"a","schema":"Person","properties":{"name":["Anna"],"alias":["A."]}}
"#;
    let (g, s) = load_str(text).unwrap();
    assert_eq!(g.node_count(), 1);
    assert_eq!(s.fragments_merged, 1);
    let a = g.entity(g.find("a").unwrap());
    assert_eq!(a.name, "Ann");
    assert_eq!(a.aliases.len(), 2);
}

#[test]
fn shipped_graph_round_trips_through_ftm() {
    let g = load_builtin().unwrap();
    let text = to_ftm(&g, &whole(&g));
    let (again, summary) = load_str(&text).unwrap();
    assert_eq!(again.node_count(), g.node_count());
    assert_eq!(again.edge_count(), g.edge_count());
    assert!(summary.unknown_properties.is_empty(), "{summary}");
    // Stable: the same view exports the same bytes.
    assert_eq!(to_ftm(&g, &whole(&g)), text);
    // Known kinds come back (those FtM lacks travel as UnknownLink roles); kinds
    // outside the closed set come back as related_to with their name as role.
    let kinds = |g: &Graph| {
        let mut v: Vec<String> = g
            .edge_indices()
            .map(|e| {
                let r = g.relation(e);
                match r.kind {
                    RelationKind::Other(s) => format!("related_to {}", g.sym(s).replace('_', " ")),
                    RelationKind::RelatedTo if r.role.is_some() => {
                        format!("related_to {}", g.sym(r.role.unwrap()))
                    }
                    k => g.relation_kind_label(k).to_string(),
                }
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(kinds(&again), kinds(&g));
}

#[test]
#[ignore = "needs followthemoney (bash .ci/setup-ftm.sh)"]
fn ftm_validate_accepts_the_shipped_graph_export() {
    let ftm = root().join(".venv-ftm/bin/ftm");
    if !ftm.exists() {
        common::missing("followthemoney (.venv-ftm)", "run bash .ci/setup-ftm.sh");
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("shipped.ftm.json");
    let output = dir.path().join("validated.ftm.json");
    let status = common::ties()
        .args(["export", "--format", "ftm", "-o"])
        .arg(&input)
        .output()
        .status;
    assert!(status.success());
    let out = Command::new(&ftm)
        .arg("validate")
        .arg("-i")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ftm validate refused the export:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Validation cleans every value: nothing may have been dropped or changed.
    let read = |p: &Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (before, after) = (read(&input), read(&output));
    assert_eq!(before.len(), after.len());
    let g = load_builtin().unwrap();
    assert_eq!(before.len(), g.node_count() + g.edge_count());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b["id"], a["id"]);
        assert_eq!(b["schema"], a["schema"]);
        for (prop, values) in b["properties"].as_object().unwrap() {
            let mut want: Vec<&str> = values
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            want.sort();
            want.dedup();
            let mut got: Vec<&str> = a["properties"][prop]
                .as_array()
                .map(|l| l.iter().map(|v| v.as_str().unwrap()).collect())
                .unwrap_or_default();
            got.sort();
            assert_eq!(got, want, "{} {prop}", b["id"]);
        }
    }
}

/// The schema table is what the generator makes from followthemoney now.
#[test]
#[ignore = "needs followthemoney (bash .ci/setup-ftm.sh)"]
fn schema_table_is_current() {
    if !root().join(".venv-ftm/bin/python").exists() {
        common::missing(
            "followthemoney (.venv-ftm)",
            "run bash .ci/setup-ftm.sh to install it",
        );
    }
    let out = Command::new("bash")
        .arg(root().join("scripts/ftm/gen_schema.sh"))
        .arg("--stdout")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scripts/ftm/gen_schema.sh failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = String::from_utf8(out.stdout).unwrap();
    assert!(fresh.starts_with("// @generated"), "{}", &fresh[..80]);
    let file = std::fs::read_to_string(root().join("src/ftm/schema/table.rs")).unwrap();
    assert!(
        fresh == file,
        "src/ftm/schema/table.rs is not what scripts/ftm/gen_schema.sh makes now; run it"
    );
}
