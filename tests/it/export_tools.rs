//! Exports read by the real tools they are for: Graphviz `dot` renders every DOT
//! export, and networkx reads every GraphML export with the same nodes, edges and
//! attributes as the JSON export of the view.
//!
//! `#[ignore]`d under a plain `cargo test`; run (`bash .ci/run`, after
//! `.ci/setup-tools.sh`), a missing tool fails the test.

use crate::common;
use crate::import_common::{python_with_networkx, runs};

use std::path::Path;
use std::process::Command;

use ties::Graph;
use ties::export::{Format, render};

/// Graphs and the views of them to export.
fn cases() -> Vec<(String, Graph, String)> {
    vec![
        ("shipped".into(), common::shipped(), "kyrylo-budanov".into()),
        ("shipped".into(), common::shipped(), "lithuania".into()),
        ("tricky".into(), common::tricky(), "end".into()),
    ]
}

#[test]
#[ignore = "needs Graphviz dot (bash .ci/setup-tools.sh)"]
fn dot_renders_every_export_to_svg() {
    if !runs(Path::new("dot"), &["-V"]) {
        common::missing_tool("Graphviz `dot`");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rendered = 0;
    for (graph_name, graph, focus) in cases() {
        for (view, sub) in common::views(&graph, &focus) {
            let text = render(&graph, &sub, Format::Dot);
            let file = dir.path().join(format!("view{rendered}.dot"));
            std::fs::write(&file, &text).unwrap();
            let out = Command::new("dot")
                .arg("-Tsvg")
                .arg(&file)
                .output()
                .expect("dot runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && stderr.trim().is_empty(),
                "dot refused the {graph_name} graph, {view}:\n{stderr}\n{text}"
            );
            let svg = String::from_utf8_lossy(&out.stdout);
            assert!(svg.contains("<svg"), "no SVG for {graph_name}, {view}");
            // Every entity and relation is drawn: one SVG group per node and edge.
            assert_eq!(
                svg.matches("class=\"node\"").count(),
                sub.nodes.len(),
                "{graph_name}, {view}"
            );
            assert_eq!(
                svg.matches("class=\"edge\"").count(),
                sub.edges.len(),
                "{graph_name}, {view}"
            );
            rendered += 1;
        }
    }
    assert!(rendered >= 9);
}

#[test]
#[ignore = "needs Python with networkx (bash .ci/setup-tools.sh)"]
fn networkx_reads_every_graphml_export() {
    let Some(python) = python_with_networkx() else {
        common::missing_tool("Python with networkx");
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/check_graphml.py");
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (graph_name, graph, focus) in cases() {
        for (view, sub) in common::views(&graph, &focus) {
            let graphml = dir.path().join(format!("view{checked}.graphml"));
            let json = dir.path().join(format!("view{checked}.json"));
            std::fs::write(&graphml, render(&graph, &sub, Format::Graphml)).unwrap();
            std::fs::write(&json, render(&graph, &sub, Format::Json)).unwrap();
            let out = Command::new(&python)
                .arg(&script)
                .arg(&graphml)
                .arg(&json)
                .output()
                .expect("python runs");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "networkx disagrees with the JSON export for the {graph_name} graph, {view}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                stdout.trim(),
                format!("ok: {} nodes, {} edges", sub.nodes.len(), sub.edges.len()),
                "{graph_name}, {view}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 9);
}
