#!/usr/bin/env python3
"""Writes tests/data/peers/MANIFEST.csv: what each peer reads of the files.

Usage: .venv-tools/bin/python scripts/peers/manifest.py [OUT]

OUT defaults to tests/data/peers/MANIFEST.csv (tests/it/peers.rs writes it
elsewhere and compares, to check the file is what the peers read).

Reads tests/data/peers/sources.csv (written by scripts/peers/vendor.py) and,
for each vendored file, what the peer whose test suite it comes from reads
(`own` yes), and what networkx and python-igraph, which run here, read of the
other peers' files in their formats (`own` no: networkx GraphML and GEXF,
igraph GraphML):
  - networkx (its files): `networkx.read_graphml` / `read_gexf` with default
    arguments, run here; a raised error is the peer refusing the file;
  - igraph (its files and python-igraph's): `igraph.Graph.Read_GraphML`, run here;
  - Gephi (its files): Gephi is Java and does not run here. Its counts are
    taken from its own tests: the ids or labels `GEXFTest`/`GraphMLTest`
    assert; for spreadsheets, the edge or node table `SpreadsheetTest`
    compares its import with (`spreadsheet/expected/*.csv`: the edges are its
    rows, the nodes their distinct ends; vendored in gephi-expected/, as Gephi's spreadsheet processes
    create nodes only through edges; a node table's rows); where a test asserts
    no count (the other GEXF files, the welcome samples), the file's `<node>`
    and `<edge>` elements, parallel edges once (Gephi merges them on import).
Columns: file, peer, own, read (yes/no), nodes, edges, directed, parallel (kept:
every parallel edge counted; merged: Gephi's default, parallel edges of the
same type once), basis, error (the peer's message when it refuses), and the
provenance columns of sources.csv.
"""
import csv
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph
import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "tests" / "data" / "peers"
EXPECTED = PEERS / "gephi-expected"

# Gephi's spreadsheet inputs: the expected table its test compares with, and a note.
GEPHI_SHEETS = {
    "adj_list.csv": ("testAdjacencyList_edges.csv", ""),
    "matrix.csv": ("testMatrix_CSV_edges.csv", ""),
    "complex_matrix.csv": ("testComplexMatrix_edges.csv", ""),
    "edges_table_repeated_with_ids.csv": (
        "testEdgesTableRepeatedWithIds_edges.csv",
        "a second edge with id `a` is left out (reported)",
    ),
    "edges_table_repeated_without_ids.csv": (
        "testEdgesTableRepeatedWithoutIds_Merged_edges.csv",
        "default merge; with merging off (testEdgesTableRepeatedWithoutIds_Merge_Disabled) 5 edges",
    ),
    "edges_table_dynamic_weights.csv": ("testEdgesTableDynamicWeightsMerged_edges.csv", ""),
    "edges_table_types_test.csv": ("testEdgesTableTypesTest_edges.csv", ""),
    "edges_table_with_timeset_intervals.csv": ("testEdgesTableWithTimeset_Interval_edges.csv", ""),
    "edges_table_with_timeset_timestamps.csv": ("testEdgesTableWithTimeset_Timestamp_edges.csv", ""),
    "edges_table_opposite_force_undirected_merged.csv": (
        "testEdgesTableOppositeForceUndirected_Merged_edges.csv",
        "the test forces the graph undirected before merging",
    ),
    "edges_table_opposite_force_undirected_issue_1848.csv": (
        "testEdgesTableOppositeForceUndirected_Issue1848_edges.csv",
        "the test forces the graph undirected before merging",
    ),
    "nodes_table_types_test.csv": ("testNodesTableTypesTest_nodes.csv", ""),
    "test_utf8_chars.csv": ("testUTF8Chars_nodes.csv", ""),
    "test_utf8_chars_with_bom.csv": ("testUTF8CharsWithBOM_nodes.csv", ""),
}

# Counts Gephi's GEXF and GraphML tests assert (assertSameIds / assertSameLabels).
GEPHI_ASSERTED = {
    "gexf/basic.gexf": (2, 1, "GEXFTest.testBasicGraph: assertSameIds nodes 0,1; edges 0"),
    "withdesc.graphml": (2, 1, "GraphMLTest.testWithDescTag: assertSameLabels 2 nodes, 1 edge"),
    "cdata.graphml": (2, 1, "GraphMLTest.testCData: assertSameLabels 2 nodes, 1 edge"),
}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def elements(path):
    """Nodes, edges (parallel ones once) and direction of a GEXF/GraphML file."""
    root = ET.parse(path).getroot()
    graph = next((e for e in root.iter() if local(e.tag) == "graph"), None)
    if graph is None:  # a file of metadata only: an empty graph
        return 0, 0, False, 0
    default = graph.get("defaultedgetype") or graph.get("edgedefault") or "undirected"
    nodes = sum(1 for e in graph.iter() if local(e.tag) == "node")
    pairs = set()
    count = 0
    for e in graph.iter():
        if local(e.tag) != "edge":
            continue
        count += 1
        kind = e.get("type") or e.get("directed") and ("directed" if e.get("directed") == "true" else "undirected") or default
        s, t = e.get("source"), e.get("target")
        key = (s, t) if kind == "directed" else tuple(sorted((s, t)))
        pairs.add((key, e.get("kind") or ""))
    return nodes, len(pairs), default == "directed", count


def gephi(row):
    rel = row["file"].removeprefix("gephi/")
    name = rel.rsplit("/", 1)[-1]
    if rel.startswith("spreadsheet/"):
        expected, note = GEPHI_SHEETS[name]
        text = (EXPECTED / expected).read_text(encoding="utf-8")
        table = list(csv.DictReader(text.strip().splitlines()))
        basis = f"SpreadsheetTest: expected/{expected}"
        if expected.endswith("_nodes.csv"):
            return dict(read="yes", nodes=len(table), edges=0, directed="", basis=basis, note=note)
        ends = {r["Source"] for r in table} | {r["Target"] for r in table}
        directed = all(r["Type"] == "Directed" for r in table)
        return dict(read="yes", nodes=len(ends), edges=len(table), directed=str(directed).lower(),
                    basis=basis + " (edges: its rows; nodes: their ends)", note=note)
    nodes, edges, directed, count = elements(PEERS / row["file"])
    if rel in GEPHI_ASSERTED:
        n, e, basis = GEPHI_ASSERTED[rel]
        assert (n, e) == (nodes, edges), (rel, nodes, edges)
    else:
        n, e = nodes, edges
        basis = "no count asserted by Gephi's tests: the file's <node> and <edge> elements"
    note = f"{count - edges} parallel edges merged" if count != edges else ""
    return dict(read="yes", nodes=n, edges=e, directed=str(directed).lower(), basis=basis, note=note)


def networkx(row):
    path = PEERS / row["file"]
    gexf = path.suffix == ".gexf"
    name = "read_gexf" if gexf else "read_graphml"
    basis = f"networkx {nx.__version__} {name}, run by scripts/peers/manifest.py"
    try:
        g = nx.read_gexf(path) if gexf else nx.read_graphml(path)
    except Exception as e:  # the peer refusing the file is what is recorded
        return dict(read="no", basis=basis, error=f"{type(e).__name__}: {e}".strip())
    return dict(read="yes", nodes=g.number_of_nodes(), edges=g.number_of_edges(),
                directed=str(g.is_directed()).lower(), basis=basis)


def igraph_reads(row):
    path = PEERS / row["file"]
    basis = f"python-igraph {igraph.__version__} Graph.Read_GraphML, run by scripts/peers/manifest.py"
    try:
        g = igraph.Graph.Read_GraphML(str(path))
    except Exception as e:
        return dict(read="no", basis=basis, error=f"{type(e).__name__}: {e}".strip())
    return dict(read="yes", nodes=g.vcount(), edges=g.ecount(),
                directed=str(g.is_directed()).lower(), basis=basis)


def reading(row, peer, got):
    """One row of the manifest: `peer`'s reading `got` of the file `row`."""
    return {
        "file": row["file"], "peer": peer, "own": "yes" if peer == row["peer"] else "no",
        "read": got["read"],
        "nodes": got.get("nodes", ""), "edges": got.get("edges", ""),
        "directed": got.get("directed", ""),
        "parallel": "merged" if peer == "gephi" else "kept",
        "basis": got["basis"], "note": got.get("note", ""),
        "error": " ".join(got.get("error", "").split())[:200],
        "repository": row["repository"], "commit": row["commit"], "path": row["path"],
        "licence": row["licence"],
    }


def main():
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PEERS / "MANIFEST.csv"
    with open(PEERS / "sources.csv", newline="") as f:
        sources = list(csv.DictReader(f))
    out = []
    readers = {"gephi": gephi, "networkx": networkx, "igraph": igraph_reads}
    for row in sources:
        peers = [row["peer"]]
        if row["file"].endswith((".graphml", ".xml", ".gexf")):
            peers += [p for p in ("networkx", "igraph") if p != row["peer"]]
        if row["file"].endswith(".gexf") and "igraph" in peers:
            peers.remove("igraph")  # igraph reads no GEXF
        for peer in peers:
            out.append(reading(row, peer, readers[peer](row)))
    with open(target, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(out[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    own = [r for r in out if r["own"] == "yes"]
    print(f"{len(own)} files, {sum(r['read'] == 'yes' for r in own)} read by their peer; "
          f"{len(out) - len(own)} readings by another peer, "
          f"{sum(r['read'] == 'yes' for r in out if r['own'] == 'no')} read")


if __name__ == "__main__":
    main()
