//! The peers' own importer test files (Gephi, networkx, igraph), vendored under
//! `tests/data/peers/` with `MANIFEST.csv`: what the peer whose suite each file
//! comes from reads of it (`own`), and what networkx and python-igraph read of
//! the other peers' files in their formats. `ties` reads every file through
//! the open path (the format sniffed as the CLI sniffs it) and must count the
//! same nodes and edges for at least 95% of the files their own peer reads,
//! and of all readings; every reading it differs from is in [`KNOWN`] with the
//! reason (README.md, "Other tools' files"), so a file that agrees today and
//! stops agreeing fails the test, and so does a listed one that comes to agree
//! (the list stays true).

use std::collections::{BTreeMap, HashSet};

use crate::common;

use ties::Graph;
use ties::open;

/// Files a peer reads that `ties` reads with other counts: file, peer, why.
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "gephi/spreadsheet/edges_table_opposite_force_undirected_merged.csv",
        "gephi",
        FORCED_UNDIRECTED,
    ),
    (
        "gephi/spreadsheet/edges_table_opposite_force_undirected_issue_1848.csv",
        "gephi",
        FORCED_UNDIRECTED,
    ),
    (
        "networkx/graphml/read_attributes_with_groups.graphml",
        "igraph",
        "yEd groups: nodes declared inside a <node>'s nested <graph>; igraph makes \
         such a node only when an edge names it (7 nodes), networkx and ties read all 9",
    ),
];

/// Why the two `force_undirected` tables differ.
const FORCED_UNDIRECTED: &str = "Gephi's test sets the graph undirected before importing \
    (`setEdgeDefault(UNDIRECTED)`), so `a,b` and `b,a` merge into one edge; the file says no \
    direction, and ties reads an edge table as directed, as Gephi does by default";

struct Row {
    file: String,
    peer: String,
    /// The file comes from this peer's own test suite.
    own: bool,
    read: bool,
    nodes: usize,
    edges: usize,
    /// Gephi merges parallel edges (same ends, same type) on import: its
    /// counts are compared with ties' relations counted the same way.
    merged: bool,
}

fn manifest() -> Vec<Row> {
    let path = common::data("peers/MANIFEST.csv");
    let mut r = csv::Reader::from_path(&path).unwrap();
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (file, peer, own, read, nodes, edges, parallel) = (
        col("file"),
        col("peer"),
        col("own"),
        col("read"),
        col("nodes"),
        col("edges"),
        col("parallel"),
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let num = |i: usize| rec[i].parse().unwrap_or(0);
            Row {
                file: rec[file].to_string(),
                peer: rec[peer].to_string(),
                own: &rec[own] == "yes",
                read: &rec[read] == "yes",
                nodes: num(nodes),
                edges: num(edges),
                merged: &rec[parallel] == "merged",
            }
        })
        .collect()
}

/// What `ties` reads of a vendored file: nodes, relations, and relations with
/// parallel ones (same ends, kind and direction) counted once; or its error.
fn ties_reads(file: &str) -> Result<(usize, usize, usize), String> {
    let path = common::data(&format!("peers/{file}"));
    let format = open::detect(&path).map_err(|e| e.to_string())?;
    let read = format
        .read(&path, "peers", None, &mut |_| {})
        .map_err(|e| e.to_string())?;
    let g: &Graph = &read.graph;
    let distinct: HashSet<_> = g
        .edge_indices()
        .map(|e| {
            let (a, b) = g.ends(e);
            let r = g.relation(e);
            let ends = if r.undirected && b < a {
                (b, a)
            } else {
                (a, b)
            };
            (ends, format!("{:?}", r.kind), r.undirected)
        })
        .collect();
    Ok((g.node_count(), g.edge_count(), distinct.len()))
}

#[test]
fn ties_reads_what_the_peers_read_of_their_own_test_files() {
    let rows = manifest();
    assert!(rows.len() >= 150, "{} rows in MANIFEST.csv", rows.len());
    let known: BTreeMap<(&str, &str), &str> =
        KNOWN.iter().map(|(f, p, why)| ((*f, *p), *why)).collect();
    // Per peer: (same, read) over its own files, then over every reading.
    let mut own: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut all: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut differ: Vec<((&str, &str), String)> = Vec::new();
    let mut read = BTreeMap::new();
    // Files their own peer refuses: how many ties reads, how many it refuses.
    let mut refused_own = (0, 0);
    for row in &rows {
        // Every file is read without a panic, whatever its peers made of it.
        let got = read
            .entry(row.file.as_str())
            .or_insert_with(|| ties_reads(&row.file))
            .clone();
        if !row.read {
            if row.own {
                match got {
                    Ok(_) => refused_own.0 += 1,
                    Err(_) => refused_own.1 += 1,
                }
            }
            continue;
        }
        if let Ok((_, e, distinct)) = &got
            && row.merged
            && e != distinct
        {
            eprintln!(
                "{}: ties keeps {e} relations, {distinct} counted as Gephi merges them",
                row.file
            );
        }
        let same = match &got {
            Ok((n, e, distinct)) => {
                *n == row.nodes && (if row.merged { *distinct } else { *e }) == row.edges
            }
            Err(_) => false,
        };
        for (tally, counted) in [(&mut own, row.own), (&mut all, true)] {
            if counted {
                let t = tally.entry(&row.peer).or_default();
                t.0 += usize::from(same);
                t.1 += 1;
            }
        }
        if !same {
            let said = match &got {
                Ok((n, e, d)) => format!("{n} nodes, {e} edges ({d} distinct)"),
                Err(e) => format!("refused: {}", e.lines().next().unwrap_or("")),
            };
            differ.push((
                (row.file.as_str(), row.peer.as_str()),
                format!(
                    "{}: {} reads {} nodes, {} edges; ties {said}",
                    row.file, row.peer, row.nodes, row.edges
                ),
            ));
        }
    }
    let sum = |t: &BTreeMap<&str, (usize, usize)>| {
        t.values().fold((0, 0), |(a, n), (x, y)| (a + x, n + y))
    };
    for (what, tally) in [("own files", &own), ("all readings", &all)] {
        for (peer, (a, t)) in tally {
            eprintln!("{what}: {peer} {a} of {t} read the same way");
        }
        let (a, t) = sum(tally);
        eprintln!("{what}: every peer {a} of {t}");
    }
    let unexplained: Vec<&str> = differ
        .iter()
        .filter(|(k, _)| !known.contains_key(k))
        .map(|(_, d)| d.as_str())
        .collect();
    assert!(
        unexplained.is_empty(),
        "read differently and not in KNOWN:\n{}",
        unexplained.join("\n")
    );
    let differing: HashSet<(&str, &str)> = differ.iter().map(|(k, _)| *k).collect();
    let stale: Vec<_> = known.keys().filter(|k| !differing.contains(*k)).collect();
    assert!(
        stale.is_empty(),
        "in KNOWN but read the same way now: {stale:?}"
    );
    for (what, tally) in [("own files", &own), ("all readings", &all)] {
        let (a, t) = sum(tally);
        assert!(a * 100 >= t * 95, "{what}: {a} of {t} the same: under 95%");
    }
    // The peers' own files: all three peers are there.
    assert_eq!(own.len(), 3, "{own:?}");
    // As README.md says: of the 19 files their own peer refuses, ties reads 14
    // and refuses the 5 that are not well-formed XML.
    assert_eq!(refused_own, (14, 5));
}

/// The forced-undirected tables differ by direction only: their rows, read
/// as undirected pairs (what Gephi's test asks for), count what Gephi counts.
#[test]
fn the_forced_undirected_tables_differ_only_by_direction() {
    let rows = manifest();
    let forced: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            KNOWN
                .iter()
                .any(|(f, p, why)| *f == r.file && *p == r.peer && *why == FORCED_UNDIRECTED)
        })
        .collect();
    assert_eq!(forced.len(), 2);
    for row in forced {
        let path = common::data(&format!("peers/{}", row.file));
        let format = open::detect(&path).unwrap();
        let g = format
            .read(&path, "peers", None, &mut |_| {})
            .unwrap()
            .graph;
        let pairs: HashSet<_> = g
            .edge_indices()
            .map(|e| {
                let (a, b) = g.ends(e);
                (a.min(b), a.max(b))
            })
            .collect();
        assert_eq!(
            (g.node_count(), pairs.len()),
            (row.nodes, row.edges),
            "{}",
            row.file
        );
        assert!(g.edge_indices().all(|e| !g.relation(e).undirected));
    }
}

/// MANIFEST.csv is what the peers read today: `scripts/peers/manifest.py`,
/// run again with networkx and python-igraph, writes it byte for byte.
#[test]
#[ignore = "needs Python tools (networkx, igraph: .ci/setup-tools.sh)"]
fn the_manifest_is_what_networkx_and_igraph_read() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = [
        root.join(".venv-tools/bin/python"),
        std::path::PathBuf::from("python3"),
    ]
    .into_iter()
    .find(|p| {
        std::process::Command::new(p)
            .args(["-c", "import networkx, igraph"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
    .unwrap_or_else(|| common::missing_tool("networkx and python-igraph"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("MANIFEST.csv");
    let run = std::process::Command::new(&python)
        .args(["-W", "ignore"])
        .arg(root.join("scripts/peers/manifest.py"))
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Every column but `basis`, which names the peer's version.
    let rows = |p: &std::path::Path| -> Vec<Vec<String>> {
        let mut r = csv::Reader::from_path(p).unwrap();
        let basis = r.headers().unwrap().iter().position(|h| h == "basis");
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                rec.iter()
                    .enumerate()
                    .filter(|(i, _)| Some(*i) != basis)
                    .map(|(_, v)| v.to_string())
                    .collect()
            })
            .collect()
    };
    let (written, kept) = (rows(&out), rows(&common::data("peers/MANIFEST.csv")));
    assert_eq!(written.len(), kept.len());
    let differ: Vec<_> = written.iter().zip(&kept).filter(|(a, b)| a != b).collect();
    assert!(
        differ.is_empty(),
        "MANIFEST.csv differs from what the peers read now:\n{differ:#?}"
    );
}
