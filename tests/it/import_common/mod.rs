//! Shared by the reader tests: what "the same graph" means after a round trip.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ties::Graph;

/// An entity as compared: id, name, kind, dates, amount.
pub type EntityFacts = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);
/// A relation as compared: ends, kind, dates, amount, undirected.
pub type RelationFacts = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
);

fn amount(a: Option<ties::model::Amount>) -> Option<String> {
    a.map(|a| {
        format!(
            "{} {}{}",
            a.value,
            a.currency.code(),
            if a.approx { " ~" } else { "" }
        )
    })
}

/// Every entity's facts, sorted.
pub fn entities(g: &Graph) -> Vec<EntityFacts> {
    let mut v: Vec<EntityFacts> = g
        .node_indices()
        .map(|n| {
            let e = g.entity(n);
            (
                e.id.to_string(),
                e.name.to_string(),
                g.entity_kind_label(e.kind).to_string(),
                e.date.map(|d| d.to_string()),
                e.until.map(|d| d.to_string()),
                amount(e.amount),
            )
        })
        .collect();
    v.sort();
    v
}

/// Every relation's facts, sorted (parallel relations stay apart).
pub fn relations(g: &Graph) -> Vec<RelationFacts> {
    let mut v: Vec<RelationFacts> = g
        .edge_indices()
        .map(|ix| {
            let r = g.relation(ix);
            let (a, b) = g.ends(ix);
            (
                g.entity(a).id.to_string(),
                g.entity(b).id.to_string(),
                g.relation_kind_label(r.kind).to_string(),
                r.date.map(|d| d.to_string()),
                r.until.map(|d| d.to_string()),
                amount(r.amount),
                r.undirected,
            )
        })
        .collect();
    v.sort();
    v
}

/// Asserts `b` is `a` again: counts, ids, names, kinds, dates, amounts, directions.
pub fn assert_same_graph(a: &Graph, b: &Graph, what: &str) {
    assert_eq!(
        (a.node_count(), a.edge_count()),
        (b.node_count(), b.edge_count()),
        "{what}: counts"
    );
    assert_eq!(entities(a), entities(b), "{what}: entities");
    assert_eq!(relations(a), relations(b), "{what}: relations");
}

/// True if `program args` runs and succeeds (its output thrown away).
pub fn runs(program: &Path, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The Python that has networkx: `TIES_PYTHON`, else `.venv-tools`, else `python3`.
pub fn python_with_networkx() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-tools/bin/python");
    std::env::var_os("TIES_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv, PathBuf::from("python3")])
        .find(|p| runs(p, &["-c", "import networkx"]))
}

/// Runs a script of tests/tools with `python`; its stdout, or a panic with stderr.
pub fn run_tool(python: &Path, script: &str, args: &[&Path]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools")
        .join(script);
    let out = Command::new(python)
        .arg(&script)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
