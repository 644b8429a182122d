//! The CSV reader through the library: one fixture folder per layout (Neo4j
//! import, plain, ICIJ Offshore Leaks), and the details of real-world tables:
//! delimiters, byte order marks, quoted line breaks, bad bytes, missing ends.

use crate::import_common;

use std::path::{Path, PathBuf};

use ties::Graph;
use ties::model::{EntityKind, RelationKind};
use ties::read::csv;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn attr<'g>(g: &'g Graph, attrs: ties::graph::Attrs<'g>, key: &str) -> Option<&'g str> {
    attrs.iter().find(|(k, _)| g.sym(*k) == key).map(|(_, v)| v)
}

fn node<'g>(g: &'g Graph, id: &str) -> ties::graph::Entity<'g> {
    g.entity(g.find(id).unwrap_or_else(|| panic!("no node {id}")))
}

fn relation<'g>(g: &'g Graph, a: &str, b: &str) -> ties::graph::Relation<'g> {
    let (a, b) = (g.find(a).unwrap(), g.find(b).unwrap());
    let e = g.edge_indices().find(|&e| g.ends(e) == (a, b)).unwrap();
    g.relation(e)
}

#[test]
fn neo4j_import_layout() {
    let dir = fixture("neo4j");
    assert!(csv::sniff(&dir, &[]));
    let (g, notes) = csv::read(&dir).unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (4, 3));
    let ada = node(&g, "p1");
    assert_eq!((ada.name, ada.kind), ("Ada Lovelace", EntityKind::Person));
    assert_eq!(
        ada.aliases.to_vec(),
        vec!["Augusta Ada King", "Countess of Lovelace"]
    );
    assert_eq!(attr(&g, ada.attrs, "born"), Some("1815"));
    let babbage = node(&g, "p2");
    assert_eq!(attr(&g, babbage.attrs, "labels"), Some("Inventor"));
    assert_eq!(node(&g, "o1").kind, EntityKind::Organisation);
    assert_eq!(
        g.entity_kind_label(node(&g, "o2").kind),
        "Foundation",
        "an unknown label is a kind of its own"
    );
    let r = relation(&g, "p1", "p2");
    assert_eq!(r.kind, RelationKind::RelatedTo);
    assert_eq!(r.date.unwrap().to_string(), "1833-06-05");
    let m = relation(&g, "p2", "o1");
    assert_eq!(
        (m.date.unwrap().to_string(), m.until.unwrap().to_string()),
        ("1812".into(), "1813".into())
    );
    let money = relation(&g, "o1", "o2");
    assert_eq!(money.kind, RelationKind::Finances);
    let a = money.amount.unwrap();
    assert_eq!((a.value, a.currency.code()), (1500.5, "GBP"));
    assert!(
        r.sources == ties::graph::SourceSet::EMPTY,
        "no source given"
    );
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("o9") && notes[0].contains("edges.csv:5"),
        "{notes:?}"
    );
}

#[test]
fn plain_layout() {
    let dir = fixture("plain");
    let (g, notes) = csv::read(&dir).unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (3, 2));
    let m = node(&g, "mod");
    assert_eq!(m.kind, EntityKind::Ministry);
    assert_eq!(m.aliases.to_vec(), vec!["MoD", "Minoborony"]);
    assert_eq!(
        m.note,
        Some("A note\nover two lines"),
        "a quoted line break"
    );
    assert_eq!(attr(&g, m.attrs, "country"), Some("UA"));
    assert_eq!(node(&g, "fund").name, "Fund, the first");
    let money = relation(&g, "fund", "mod");
    assert_eq!(money.amount.unwrap().value, 10_000_000.0);
    assert_eq!(attr(&g, money.attrs, "channel"), Some("bank transfer"));
    let sources = g.source_list(money.sources);
    assert_eq!(sources.len(), 1);
    assert_eq!(&*g.source(sources[0]).id, "report-1");
    // The row with the missing end is line 4 of edges.csv.
    assert!(notes[0].contains("nowhere") && notes[0].contains("edges.csv:4"));
}

#[test]
fn icij_offshore_leaks_layout() {
    let dir = fixture("icij");
    assert!(csv::sniff(&dir, &[]));
    let (g, notes) = csv::read(&dir).unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (3, 2));
    let company = node(&g, "10000001");
    assert_eq!(company.name, "ALPHA HOLDINGS LTD.");
    assert_eq!(g.entity_kind_label(company.kind), "entity");
    assert_eq!(company.aliases.to_vec(), vec!["Alpha Holdings"]);
    assert_eq!(company.date.unwrap().to_string(), "2003-03-18");
    assert_eq!(company.until.unwrap().to_string(), "2010-01-05");
    assert_eq!(attr(&g, company.attrs, "jurisdiction"), Some("BVI"));
    assert_eq!(g.entity_kind_label(node(&g, "12000001").kind), "officer");
    let address = node(&g, "14000001");
    assert_eq!(g.entity_kind_label(address.kind), "address");
    assert_eq!(address.name, "1 Main St, Road Town, BVI");
    let r = relation(&g, "12000001", "10000001");
    assert_eq!(g.relation_kind_label(r.kind), "officer_of");
    assert_eq!(g.sym(r.role.unwrap()), "shareholder of");
    assert_eq!(r.date.unwrap().to_string(), "2004-04-01");
    assert_eq!(&*g.source(g.source_list(r.sources)[0]).id, "Panama Papers");
    assert!(notes[0].contains("99999999"), "{notes:?}");
}

#[test]
fn bom_semicolons_and_a_lone_edge_list() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("edges.txt");
    std::fs::write(
        &p,
        "\u{feff}source;target;kind;weight\na;b;owns;\"1,5\"\nb;c;;2\n",
    )
    .unwrap();
    assert!(csv::sniff(&p, &std::fs::read(&p).unwrap()));
    let (g, notes) = csv::read(&p).unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (3, 2));
    assert_eq!(relation(&g, "a", "b").kind, RelationKind::Owns);
    assert_eq!(relation(&g, "b", "c").kind, RelationKind::RelatedTo);
    assert_eq!(
        attr(&g, relation(&g, "a", "b").attrs, "weight"),
        Some("1,5")
    );
    assert!(
        notes.iter().any(|n| n.contains("3 nodes were made")),
        "{notes:?}"
    );
}

/// A row is checked as UTF-8 at once, each field sliced from it: a
/// character split between two fields (each not text, the row's bytes
/// one after another text) is told field by field as before.
#[test]
fn a_character_split_between_two_fields_is_not_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nodes.csv"),
        b"id:ID,name,:LABEL\nn1,Ann,person\nn2,Bob\xc3,\xa9person\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("relationships.csv"),
        ":START_ID,:END_ID,:TYPE\nn1,n2,knows\n",
    )
    .unwrap();
    let problems: Vec<String> = csv::read(dir.path())
        .unwrap_err()
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].ends_with("nodes.csv:3:2: invalid CSV: field 2 (`name`) is not UTF-8 text"),
        "{problems:?}"
    );
    assert!(
        problems[1].ends_with("nodes.csv:3:3: invalid CSV: field 3 (`:LABEL`) is not UTF-8 text"),
        "{problems:?}"
    );
}

#[test]
fn sniff_refuses_other_formats() {
    let p = Path::new("graph.ron");
    assert!(!csv::sniff(p, b"Graph(\n  sources: [],"));
    assert!(!csv::sniff(
        Path::new("x.graphml"),
        b"<?xml version=\"1.0\"?><graphml>"
    ));
    assert!(!csv::sniff(Path::new("x.json"), b"{\"id\": 1}"));
    assert!(csv::sniff(
        Path::new("data.txt"),
        b"id,name,kind\n1,a,person\n"
    ));
}

#[test]
fn ties_to_csv_and_back_is_the_same_graph() {
    use ties::view::{Filter, Reach, subgraph};
    let dir = tempfile::tempdir().unwrap();
    for (name, g) in [
        ("shipped", ties::load::load_builtin().unwrap()),
        ("neo4j fixture", csv::read(&fixture("neo4j")).unwrap().0),
        ("icij fixture", csv::read(&fixture("icij")).unwrap().0),
    ] {
        let sub = subgraph(&g, None, 0, Reach::Both, &Filter::default());
        let out = dir.path().join(name.replace(' ', "_"));
        let written = ties::export::write_csv(&out, &g, &sub, false).unwrap();
        assert_eq!(written.len(), 2);
        // Never overwritten without consent, and nothing half-written.
        assert!(ties::export::write_csv(&out, &g, &sub, false).is_err());
        assert!(csv::sniff(&out, &[]));
        let (back, notes) = csv::read(&out).unwrap();
        assert!(notes.is_empty(), "{name}: {notes:?}");
        import_common::assert_same_graph(&g, &back, name);
        // Aliases, roles, attributes and sources survive too.
        for n in g.node_indices() {
            let a = g.entity(n);
            let b = back.entity(back.find(a.id).unwrap());
            assert_eq!(a.aliases.to_vec(), b.aliases.to_vec(), "{name}: {}", a.id);
            assert_eq!(a.note, b.note);
            assert_eq!(a.attrs.len(), b.attrs.len(), "{name}: {}", a.id);
            assert_eq!(
                g.source_list(a.sources).len(),
                back.source_list(b.sources).len()
            );
        }
    }
}
