//! `ties rank` agrees with networkx: for each measure and view, networkx reads
//! `ties export --format graphml` of the same view and computes the same
//! centrality; tests/tools/check_rank.py compares the two (same top entities in
//! the same order, up to equal scores, within 1e-6; sampled betweenness within
//! the error bound ties states).
//!
//! They need networkx (`bash .ci/setup-tools.sh`): `#[ignore]`d under a plain
//! `cargo test`, and failing when it is missing once run.

use crate::common;
use crate::import_common::python_with_networkx;

use std::path::Path;
use std::process::Command;

/// Runs `ties` with `args`, returning stdout; fails the test on an error.
fn ties(args: &[&str]) -> Vec<u8> {
    let out = common::ties().args(args).output();
    assert!(
        out.status.success(),
        "ties {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Checks every measure on one view (`data` and `view` flags as `ties` takes
/// them); `extra` are more rank flags (sampling).
fn check(python: &Path, dir: &Path, name: &str, data: &[&str], view: &[&str], extra: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/check_rank.py");
    let graphml = dir.join(format!("{name}.graphml"));
    let mut export = data.to_vec();
    export.extend(["export", "--format", "graphml"]);
    // --kinds lists, it does not narrow what is measured: export the whole view.
    let mut skip = false;
    export.extend(view.iter().filter(|&&a| {
        let drop = skip || a == "--kinds";
        skip = a == "--kinds";
        !drop
    }));
    std::fs::write(&graphml, ties(&export)).unwrap();
    let measures: &[&str] = if extra.is_empty() {
        &["degree", "pagerank", "betweenness", "closeness"]
    } else {
        &["betweenness"]
    };
    for measure in measures {
        let mut rank = data.to_vec();
        rank.extend(["rank", "--by", measure, "--limit", "10", "--json"]);
        rank.extend(view);
        // Exact unless the case samples on purpose.
        rank.extend(if extra.is_empty() {
            &["--exact"][..]
        } else {
            extra
        });
        let json = dir.join(format!("{name}-{measure}.json"));
        std::fs::write(&json, ties(&rank)).unwrap();
        let out = Command::new(python)
            .arg(&script)
            .arg(&graphml)
            .arg(&json)
            .output()
            .expect("python runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{name}, {measure}: networkx disagrees:\n{stderr}"
        );
        eprint!("{name}, {measure}: {stderr}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("ok: {measure}, 10 entities"),
            "{name}"
        );
    }
}

#[test]
#[ignore = "needs Python with networkx (bash .ci/setup-tools.sh)"]
fn rank_matches_networkx_on_the_shipped_graph() {
    let Some(python) = python_with_networkx() else {
        common::missing_tool("Python with networkx");
    };
    let dir = tempfile::tempdir().unwrap();
    check(&python, dir.path(), "whole", &[], &[], &[]);
    // A date window: scores on exactly what is seen; a kind filter: the kinds
    // listed, scores measured on the whole view.
    check(
        &python,
        dir.path(),
        "window",
        &[],
        &["--from", "2024-11", "--to", "2025-03", "--no-undated"],
        &[],
    );
    check(
        &python,
        dir.path(),
        "kinds",
        &[],
        &["--kinds", "person,ministry,agreement,event,country"],
        &[],
    );
}

#[test]
#[ignore = "needs Python with networkx (bash .ci/setup-tools.sh)"]
fn rank_matches_networkx_on_a_generated_graph() {
    let Some(python) = python_with_networkx() else {
        common::missing_tool("Python with networkx");
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gen.ron");
    let f = file.to_str().unwrap();
    ties(&[
        "gen",
        "--entities",
        "1500",
        "--relations-per-entity",
        "3",
        "--seed",
        "7",
        "-o",
        f,
    ]);
    let data = ["--data", f];
    check(&python, dir.path(), "gen", &data, &[], &[]);
    // Betweenness estimated from 150 of the 1,500 entities, against networkx's
    // exact scores.
    check(
        &python,
        dir.path(),
        "gen-sampled",
        &data,
        &[],
        &["--samples", "150", "--seed", "3"],
    );
}
