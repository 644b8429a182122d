//! The GraphML, GEXF and CSV readers, through the library: real files, one
//! fixture per layout, and what the date filter, paths and exports make of the
//! imported graphs.

use crate::common;
use crate::import_common;

use std::path::{Path, PathBuf};

use import_common::{assert_same_graph, python_with_networkx, run_tool};
use ties::export::{Format, render};

use ties::Graph;
use ties::model::{DateWindow, EntityKind, RelationKind};
use ties::read::{gexf, graphml};
use ties::view::{Filter, Reach, subgraph};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// The first 4 KiB of a file, as the open path hands them to `sniff`.
fn head(path: &Path) -> Vec<u8> {
    let mut b = std::fs::read(path).unwrap();
    b.truncate(4096);
    b
}

fn attr<'g>(g: &'g Graph, attrs: ties::graph::Attrs<'g>, key: &str) -> Option<&'g str> {
    attrs.iter().find(|(k, _)| g.sym(*k) == key).map(|(_, v)| v)
}

fn node<'g>(g: &'g Graph, id: &str) -> ties::graph::Entity<'g> {
    g.entity(g.find(id).unwrap_or_else(|| panic!("no node {id}")))
}

/// The relation from `a` to `b`.
fn edge(g: &Graph, a: &str, b: &str) -> ties::graph::EdgeIx {
    let (a, b) = (g.find(a).unwrap(), g.find(b).unwrap());
    g.edge_indices()
        .find(|&e| g.ends(e) == (a, b))
        .unwrap_or_else(|| panic!("no edge"))
}

#[test]
fn les_miserables_loads_in_place_undirected_with_weights() {
    let path = common::data("gexf/LesMiserables.gexf");
    assert!(gexf::sniff(&path, &head(&path)));
    assert!(!graphml::sniff(&path, &head(&path)));
    let (g, notes) = gexf::read(&path).unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (77, 254), "{notes:?}");
    assert!(g.edge_indices().all(|e| g.relation(e).undirected));
    let valjean = node(&g, "11.0");
    assert_eq!(valjean.name, "Valjean");
    // Edge 1 is `2.0 — 0.0` with weight 8; weights are attributes.
    let e = edge(&g, "2.0", "0.0");
    assert_eq!(attr(&g, g.relation(e).attrs, "weight"), Some("8.0"));
    assert_eq!(g.relation(e).kind, RelationKind::RelatedTo);
    assert!(g.sources().is_empty(), "Gephi's sample names no source");
}

/// A key's `<default>` fills the nodes that give no value, in the order the
/// file declares the keys: the same file always loads to the same graph (the
/// defaults once came in the order of a hash map, different run to run).
#[test]
fn graphml_defaults_fill_in_declaration_order() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/peers/networkx/graphml/node_attribute_default.graphml");
    let (g, _) = graphml::read(&path).unwrap();
    for id in ["n0", "n1"] {
        let keys: Vec<&str> = node(&g, id).attrs.iter().map(|(k, _)| g.sym(k)).collect();
        assert_eq!(
            keys,
            [
                "boolean_attribute",
                "int_attribute",
                "long_attribute",
                "float_attribute",
                "double_attribute",
                "string_attribute"
            ],
            "{id}"
        );
    }
    assert_eq!(
        attr(&g, node(&g, "n1").attrs, "string_attribute"),
        Some("Foo")
    );
}

#[test]
fn dynamic_gexf_dates_drive_the_date_filter() {
    let path = fixture("dynamic.gexf");
    assert!(gexf::sniff(&path, &head(&path)));
    let (g, _) = gexf::read(&path).unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (3, 3));
    let ua = node(&g, "ua");
    assert_eq!(ua.name, "Ukraine & friends");
    assert_eq!(ua.kind, EntityKind::Country);
    assert_eq!(attr(&g, ua.attrs, "country"), Some("UA"), "default value");
    let fund = node(&g, "fund");
    assert_eq!(fund.kind, EntityKind::Fund);
    assert_eq!(fund.date.unwrap().to_string(), "2022-03-01");
    assert_eq!(fund.until.unwrap().to_string(), "2024-12-31");
    assert_eq!(attr(&g, fund.attrs, "country"), Some("LT"));
    let m = node(&g, "minister");
    assert_eq!(m.kind, EntityKind::Person);
    // Spells: the earliest start and the latest end.
    assert_eq!(m.date.unwrap().to_string(), "2019-05-01");
    assert_eq!(m.until.unwrap().to_string(), "2024-06-30");

    let money = g.relation(edge(&g, "fund", "ua"));
    assert_eq!(money.kind, RelationKind::Finances);
    let amount = money.amount.unwrap();
    assert_eq!((amount.value, amount.currency.code()), (1_500_000.0, "EUR"));
    assert_eq!(attr(&g, money.attrs, "weight"), Some("3"));
    let office = g.relation(edge(&g, "minister", "ua"));
    assert_eq!(office.kind, RelationKind::HoldsOffice);
    let advises = g.relation(edge(&g, "minister", "fund"));
    assert_eq!(advises.kind, RelationKind::Advises);
    assert!(advises.undirected && !office.undirected);
    assert_eq!(advises.date.unwrap().to_string(), "2023-02-01");
    assert_eq!(advises.until.unwrap().to_string(), "2023-10-31");

    // April 2022: only the payment is in the window.
    let filter = Filter {
        window: "2022-04".parse::<DateWindow>().unwrap(),
        ..Filter::default()
    };
    let sub = subgraph(&g, None, 0, Reach::Both, &filter);
    let kinds: Vec<RelationKind<_>> = sub.edges.iter().map(|&e| g.relation(e).kind).collect();
    assert_eq!(kinds, vec![RelationKind::Finances]);
    // 2023: only the advice (the office ended in 2020, the payment in 2022).
    let filter = Filter {
        window: "2023".parse::<DateWindow>().unwrap(),
        ..Filter::default()
    };
    let sub = subgraph(&g, None, 0, Reach::Both, &filter);
    let kinds: Vec<RelationKind<_>> = sub.edges.iter().map(|&e| g.relation(e).kind).collect();
    assert_eq!(kinds, vec![RelationKind::Advises]);
}

#[test]
fn an_undirected_relation_leads_both_ways() {
    let (g, _) = gexf::read(&fixture("dynamic.gexf")).unwrap();
    let fund = g.find("fund").unwrap();
    let minister = g.find("minister").unwrap();
    // `minister — advises — fund` is stored minister → fund; walking only the
    // fund's outgoing ties still reaches the minister.
    let out = subgraph(&g, Some(fund), 1, Reach::Out, &Filter::default());
    assert!(out.nodes.contains(&minister), "{out:?}");
    let inc = subgraph(&g, Some(minister), 1, Reach::In, &Filter::default());
    assert!(inc.nodes.contains(&fund), "{inc:?}");
    // A directed one does not: the fund finances Ukraine, Ukraine does not reach it
    // going out.
    let ua = g.find("ua").unwrap();
    let out = subgraph(&g, Some(ua), 1, Reach::Out, &Filter::default());
    assert_eq!(out.nodes, vec![ua]);
}

#[test]
fn gexf_double_times_whole_numbers_are_years() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.gexf");
    std::fs::write(
        &p,
        r#"<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">
<graph mode="dynamic" timeformat="double" defaultedgetype="undirected">
<nodes><node id="a" label="A" start="1999.0" end="2003"/><node id="b" label="B" start="2.5"/></nodes>
<edges><edge source="a" target="b" start="2001" end="2002"/></edges>
</graph></gexf>"#,
    )
    .unwrap();
    let (g, notes) = gexf::read(&p).unwrap();
    let a = node(&g, "a");
    assert_eq!(
        (a.date.unwrap().to_string(), a.until.unwrap().to_string()),
        ("1999".into(), "2003".into())
    );
    let b = node(&g, "b");
    assert_eq!(b.date, None);
    assert_eq!(attr(&g, b.attrs, "start"), Some("2.5"));
    assert!(notes.iter().any(|n| n.contains("1 times")), "{notes:?}");
    let e = g.edge_indices().next().unwrap();
    assert_eq!(g.relation(e).date.unwrap().to_string(), "2001");
}

#[test]
fn gexf_1_0_draft_attvalue_ids_and_datestart() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("old.gexf");
    std::fs::write(
        &p,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://www.gephi.org/gexf" version="1.0">
<graph type="dynamic">
<attributes class="node" type="static"><attribute id="0" title="kind" type="string"/></attributes>
<nodes>
<node id="1" label="One" datestart="2001-02-03"><attvalues><attvalue id="0" value="company"/></attvalues></node>
<node id="2" label="Two"/>
</nodes>
<edges><edge id="0" source="1" target="2" cardinal="1"/></edges>
</graph></gexf>"#,
    )
    .unwrap();
    let (g, _) = gexf::read(&p).unwrap();
    let one = node(&g, "1");
    assert_eq!(one.kind, EntityKind::Company);
    assert_eq!(one.date.unwrap().to_string(), "2001-02-03");
    assert!(!g.relation(g.edge_indices().next().unwrap()).undirected);
}

/// Writes `graph` whole in `format` to `dir/name`.
fn export(graph: &Graph, format: Format, dir: &Path, name: &str) -> PathBuf {
    let sub = subgraph(graph, None, 0, Reach::Both, &Filter::default());
    let p = dir.join(name);
    std::fs::write(&p, render(graph, &sub, format)).unwrap();
    p
}

#[test]
fn our_graphml_export_reads_back_to_the_same_graph() {
    let dir = tempfile::tempdir().unwrap();
    for (name, g) in [("shipped", common::shipped()), ("tricky", common::tricky())] {
        let p = export(&g, Format::Graphml, dir.path(), &format!("{name}.graphml"));
        assert!(graphml::sniff(&p, &head(&p)));
        assert!(!gexf::sniff(&p, &head(&p)));
        let (back, notes) = graphml::read(&p).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_same_graph(&g, &back, name);
        // Aliases, roles, notes and sources come back too.
        let a = g.entity(g.find("end").unwrap_or(g.node_indices().next().unwrap()));
        let b = back.entity(back.find(a.id).unwrap());
        assert_eq!(a.aliases.to_vec(), b.aliases.to_vec(), "{name}");
        assert_eq!(a.note, b.note, "{name}");
        assert_eq!(
            g.source_list(a.sources).len(),
            back.source_list(b.sources).len()
        );
    }
}

#[test]
#[ignore = "needs Python with networkx (bash .ci/setup-tools.sh)"]
fn ties_graphml_through_networkx_and_back() {
    let Some(python) = python_with_networkx() else {
        common::missing_tool("Python with networkx");
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, g) in [("shipped", common::shipped()), ("tricky", common::tricky())] {
        let ours = export(&g, Format::Graphml, dir.path(), &format!("{name}.graphml"));
        let theirs = dir.path().join(format!("{name}.nx.graphml"));
        let counts = run_tool(&python, "graphml_roundtrip.py", &[&ours, &theirs]);
        assert_eq!(
            counts.trim(),
            format!("{} {}", g.node_count(), g.edge_count())
        );
        let (back, _) = graphml::read(&theirs).unwrap();
        assert_same_graph(&g, &back, &format!("{name} via networkx"));
    }
}

#[test]
fn graphml_undirected_parallel_and_typed_keys() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nx.graphml");
    std::fs::write(
        &p,
        r#"<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="node" attr.name="kind" attr.type="string"><default>company</default></key>
  <key id="d1" for="node" attr.name="founded" attr.type="int"/>
  <key id="d2" for="edge" attr.name="weight" attr.type="double"/>
  <key id="d3" for="edge" attr.name="kind" attr.type="string"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="d0">person</data><data key="d1">1990</data></node>
    <node id="b"/>
    <node id="c"/>
    <edge source="a" target="b"><data key="d2">2.5</data></edge>
    <edge source="a" target="b"><data key="d3">owns</data></edge>
    <edge source="b" target="c" directed="true"/>
    <edge source="c" target="ghost"/>
  </graph>
</graphml>"#,
    )
    .unwrap();
    let (g, notes) = graphml::read(&p).unwrap();
    // `ghost`, which no <node> declares, is made a node, as networkx, igraph
    // and Gephi make it.
    assert_eq!((g.node_count(), g.edge_count()), (4, 4));
    assert_eq!(node(&g, "a").kind, EntityKind::Person);
    assert_eq!(node(&g, "b").kind, EntityKind::Company, "the key's default");
    assert_eq!(node(&g, "b").name, "b", "no name: the id");
    assert_eq!(attr(&g, node(&g, "a").attrs, "founded"), Some("1990"));
    let ab: Vec<_> = g
        .edge_indices()
        .filter(|&e| g.ends(e) == (g.find("a").unwrap(), g.find("b").unwrap()))
        .map(|e| g.relation(e))
        .collect();
    assert_eq!(ab.len(), 2, "parallel edges are kept");
    assert!(ab.iter().all(|r| r.undirected));
    assert_eq!(attr(&g, ab[0].attrs, "weight"), Some("2.5"));
    assert_eq!(ab[1].kind, RelationKind::Owns);
    assert!(!g.relation(edge(&g, "b", "c")).undirected);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("1 node was made")
            && notes[0].contains("`ghost`")
            && notes[0].contains("line 14"),
        "{notes:?}"
    );
    assert!(g.relation(edge(&g, "c", "ghost")).undirected);
    // An undirected relation is exported as one.
    let sub = subgraph(&g, None, 0, Reach::Both, &Filter::default());
    let out = render(&g, &sub, Format::Graphml);
    assert_eq!(out.matches("directed=\"false\"").count(), 3, "{out}");
    let dot = render(&g, &sub, Format::Dot);
    assert_eq!(dot.matches("dir=none").count(), 3, "{dot}");
}

#[test]
fn yed_labels_are_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("yed.graphml");
    std::fs::write(
        &p,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">
  <key for="node" id="d6" yfiles.type="nodegraphics"/>
  <key for="edge" id="d10" yfiles.type="edgegraphics"/>
  <graph edgedefault="directed" id="G">
    <node id="n0"><data key="d6"><y:ShapeNode><y:Geometry height="30.0" width="30.0" x="0" y="0"/><y:NodeLabel alignment="center">Alpha &amp; Co</y:NodeLabel></y:ShapeNode></data></node>
    <node id="n1"><data key="d6"><y:ShapeNode><y:NodeLabel>Beta</y:NodeLabel></y:ShapeNode></data></node>
    <edge id="e0" source="n0" target="n1"><data key="d10"><y:PolyLineEdge><y:EdgeLabel>employs</y:EdgeLabel></y:PolyLineEdge></data></edge>
  </graph>
</graphml>"#,
    )
    .unwrap();
    let (g, _) = graphml::read(&p).unwrap();
    assert_eq!(node(&g, "n0").name, "Alpha & Co");
    assert!(node(&g, "n0").attrs.is_empty());
    assert_eq!(node(&g, "n1").name, "Beta");
    assert_eq!(g.relation(edge(&g, "n0", "n1")).kind, RelationKind::Employs);
}

#[test]
fn our_gexf_export_reads_back_to_the_same_graph() {
    let dir = tempfile::tempdir().unwrap();
    for (name, g) in [("shipped", common::shipped()), ("tricky", common::tricky())] {
        let p = export(&g, Format::Gexf, dir.path(), &format!("{name}.gexf"));
        assert!(gexf::sniff(&p, &head(&p)));
        let (back, notes) = gexf::read(&p).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_same_graph(&g, &back, name);
    }
    // Les Misérables: undirected, weights, and back again.
    let les = common::data("gexf/LesMiserables.gexf");
    let (g, _) = gexf::read(&les).unwrap();
    let p = export(&g, Format::Gexf, dir.path(), "les.gexf");
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains("defaultedgetype=\"undirected\""));
    assert!(text.contains("weight=\"8.0\""));
    let (back, _) = gexf::read(&p).unwrap();
    assert_same_graph(&g, &back, "Les Misérables");
}

#[test]
#[ignore = "needs Python with networkx (bash .ci/setup-tools.sh)"]
fn ties_gexf_read_by_networkx() {
    let Some(python) = python_with_networkx() else {
        common::missing_tool("Python with networkx");
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, g) in [("shipped", common::shipped()), ("tricky", common::tricky())] {
        let p = export(&g, Format::Gexf, dir.path(), &format!("{name}.gexf"));
        let out = run_tool(&python, "read_gexf.py", &[&p]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["directed"], true, "{name}");
        let nodes = v["nodes"].as_array().unwrap();
        let edges = v["edges"].as_array().unwrap();
        assert_eq!(
            (nodes.len(), edges.len()),
            (g.node_count(), g.edge_count()),
            "{name}"
        );
        let s = |x: &serde_json::Value| x.as_str().map(str::to_string);
        let amount = |x: &serde_json::Value| {
            x["amount"]
                .as_f64()
                .map(|a| format!("{a} {}", x["currency"].as_str().unwrap_or("")))
        };
        let mut theirs: Vec<_> = nodes
            .iter()
            .map(|n| {
                (
                    s(&n["id"]),
                    s(&n["label"]),
                    s(&n["kind"]),
                    s(&n["date"]),
                    s(&n["until"]),
                    amount(n),
                )
            })
            .collect();
        let mut ours: Vec<_> = g
            .node_indices()
            .map(|n| {
                let e = g.entity(n);
                (
                    Some(e.id.to_string()),
                    Some(e.name.to_string()),
                    Some(g.entity_kind_label(e.kind).to_string()),
                    e.date.map(|d| d.to_string()),
                    e.until.map(|d| d.to_string()),
                    e.amount
                        .map(|a| format!("{} {}", a.value, a.currency.code())),
                )
            })
            .collect();
        theirs.sort();
        ours.sort();
        assert_eq!(theirs, ours, "{name}: nodes");
        let mut theirs: Vec<_> = edges
            .iter()
            .map(|e| {
                (
                    s(&e["source"]),
                    s(&e["target"]),
                    s(&e["kind"]),
                    s(&e["date"]),
                    s(&e["until"]),
                    amount(e),
                )
            })
            .collect();
        let mut ours: Vec<_> = g
            .edge_indices()
            .map(|ix| {
                let r = g.relation(ix);
                let (a, b) = g.ends(ix);
                (
                    Some(g.entity(a).id.to_string()),
                    Some(g.entity(b).id.to_string()),
                    Some(g.relation_kind_label(r.kind).to_string()),
                    r.date.map(|d| d.to_string()),
                    r.until.map(|d| d.to_string()),
                    r.amount
                        .map(|a| format!("{} {}", a.value, a.currency.code())),
                )
            })
            .collect();
        theirs.sort();
        ours.sort();
        assert_eq!(theirs, ours, "{name}: edges");
        // Dates are dynamics too: a dated node has a start networkx reads.
        assert!(
            nodes.iter().any(|n| n["start"].is_string()) || name == "tricky",
            "{name}: no dynamics"
        );
    }
}

#[test]
fn undirected_survives_ron_and_is_drawn_without_arrows() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("u.graphml");
    std::fs::write(
        &p,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="s" for="all" attr.name="sources" attr.type="string"/>
  <key id="k" for="node" attr.name="kind" attr.type="string"/>
  <graph edgedefault="undirected">
    <node id="a"><data key="k">person</data></node>
    <node id="b"><data key="k">person</data></node>
    <node id="c"><data key="k">person</data></node>
    <edge source="a" target="b"><data key="s">report-1</data></edge>
    <edge source="b" target="c" directed="true"><data key="s">report-1</data></edge>
  </graph>
</graphml>"#,
    )
    .unwrap();
    let (g, _) = graphml::read(&p).unwrap();
    let sub = subgraph(&g, None, 0, Reach::Both, &Filter::default());
    let ron = render(&g, &sub, Format::Ron);
    assert_eq!(ron.matches("undirected: true").count(), 1, "{ron}");
    let back = ties::load::load_texts(vec![("u.ron".into(), ron)]).unwrap();
    assert_same_graph(&g, &back, "through RON");
    let mermaid = render(&g, &sub, Format::Mermaid);
    assert_eq!(mermaid.matches(" ---|").count(), 1, "{mermaid}");
    assert_eq!(mermaid.matches(" -->|").count(), 1, "{mermaid}");
    // A connection across the undirected relation reads `—related to—`.
    let (a, b) = (g.find("a").unwrap(), g.find("b").unwrap());
    let paths = ties::path::shortest_paths(&g, b, a, 3, &Filter::default(), 1);
    let line = ties::report::step_line(&g, &paths[0][0]);
    assert!(line.contains("—related to—"), "{line}");
}

#[test]
fn undirected_survives_a_snapshot() {
    use ties::open::{OpenOptions, Origin, Snapshots, Source, open};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("g.ron");
    std::fs::write(
        &data,
        r#"Graph(
    sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
    entities: [
        Entity(id: "a", kind: person, name: "A"),
        Entity(id: "b", kind: person, name: "B"),
    ],
    relations: [
        Relation(from: "a", to: "b", kind: related_to, sources: ["s"], undirected: true),
        Relation(from: "b", to: "a", kind: advises, sources: ["s"]),
    ],
)"#,
    )
    .unwrap();
    let opts = OpenOptions {
        snapshots: Some(Snapshots {
            dir: dir.path().join("cache"),
            min_bytes: 0,
        }),
        ..OpenOptions::default()
    };
    let mut first = open(Source::Path(data.clone()), &opts, &mut ()).unwrap();
    first.finish_saving();
    let second = open(Source::Path(data), &opts, &mut ()).unwrap();
    assert!(matches!(second.origin, Origin::Snapshot(_)));
    let flags = |g: &Graph| -> Vec<bool> { g.edge_indices().map(|e| g.is_undirected(e)).collect() };
    assert_eq!(flags(&first.graph), vec![true, false]);
    assert_eq!(flags(&second.graph), vec![true, false]);
}

#[test]
fn gexf_hierarchy_mutual_edges_and_self_loops() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h.gexf");
    std::fs::write(
        &p,
        r#"<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="directed">
<nodes>
  <node id="group" label="Group"><nodes>
    <node id="x" label="X"/>
    <node id="y" label="Y"><spells><spell start="2020-01-01" end="2020-12-31"/></spells></node>
  </nodes></node>
</nodes>
<edges>
  <edge source="x" target="y" type="mutual"/>
  <edge source="x" target="x"/>
</edges>
</graph></gexf>"#,
    )
    .unwrap();
    let (g, notes) = gexf::read(&p).unwrap();
    // The loop is kept, as Gephi keeps it.
    assert_eq!((g.node_count(), g.edge_count()), (3, 2));
    assert_eq!(node(&g, "group").date, None);
    assert_eq!(node(&g, "y").date.unwrap().to_string(), "2020-01-01");
    assert!(g.relation(edge(&g, "x", "y")).undirected);
    edge(&g, "x", "x");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("to itself kept"), "{notes:?}");
}

#[test]
fn gexf_integer_time_steps_are_steps_not_years() {
    // networkx writes dynamic graphs with `timeformat="long"` and steps 0, 1, 2…
    let dir = tempfile::tempdir().unwrap();
    for format in ["long", "integer", "double"] {
        let p = dir.path().join(format!("{format}.gexf"));
        std::fs::write(
            &p,
            format!(
                r#"<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">
<graph mode="dynamic" timeformat="{format}" defaultedgetype="directed">
<nodes><node id="a" label="A" start="0" end="3"/><node id="b" label="B"><spells><spell start="2" end="4"/><spell start="1" end="5"/></spells></node></nodes>
<edges><edge source="a" target="b" start="1"/></edges>
</graph></gexf>"#
            ),
        )
        .unwrap();
        let (g, notes) = gexf::read(&p).unwrap_or_else(|e| panic!("{format}: {e}"));
        let a = node(&g, "a");
        assert_eq!((a.date, a.until), (None, None), "{format}");
        assert_eq!(attr(&g, a.attrs, "start"), Some("0"), "{format}");
        assert_eq!(attr(&g, a.attrs, "end"), Some("3"), "{format}");
        let b = node(&g, "b");
        // The spells' earliest start and latest end.
        assert_eq!(attr(&g, b.attrs, "start"), Some("1"), "{format}");
        assert_eq!(attr(&g, b.attrs, "end"), Some("5"), "{format}");
        let e = g.edge_indices().next().unwrap();
        assert_eq!(g.relation(e).date, None, "{format}");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("5 times that are steps, not years")),
            "{format}: {notes:?}"
        );
    }
}
