#!/usr/bin/env python3
"""Checks a `ties rank --json` answer against networkx run on the GraphML
export of the same view.

Usage: check_rank.py EXPORT.graphml RANK.json

The view is read as ties documents it (with --kinds, ties measures the whole
view and lists only those kinds; the export is of the whole view): every relation an undirected tie
(networkx MultiGraph) for degree and PageRank, parallel relations merged
(networkx Graph) for betweenness and closeness; networkx's default settings.

Exact rankings: the i-th listed score must equal networkx's i-th highest score
and the listed entity's own networkx score, within 1e-6. So the list is the top
in the right order, and entities may only trade places with equal scores.
Sampled betweenness: every listed score must be within the error bound ties
states of the exact networkx score.

Prints `ok: MEASURE, N entities` and exits 0, or lists mismatches and exits 1.
Run by tests/analysis_networkx.rs.
"""

import json
import sys

import networkx as nx

TOL = 1e-6


def views(graphml_path):
    directed = nx.read_graphml(graphml_path, force_multigraph=True)
    multi = nx.MultiGraph()
    multi.add_nodes_from(directed.nodes)
    for u, v in directed.edges():
        multi.add_edge(u, v)
    return multi, nx.Graph(multi)


def scores(measure, multi, simple):
    if measure == "degree":
        return {n: float(d) for n, d in multi.degree()}
    if measure == "pagerank":
        # networkx's defaults (alpha 0.85, uniform teleport and dangling), run
        # to a tighter tolerance than its default so both sides are converged.
        try:
            return nx.pagerank(multi, tol=1e-13, max_iter=10000)
        except ImportError:
            # Without numpy and scipy: networkx's own pure-Python version.
            from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

            return _pagerank_python(multi, tol=1e-13, max_iter=10000)
    if measure == "betweenness":
        return nx.betweenness_centrality(simple)
    if measure == "closeness":
        return nx.closeness_centrality(simple)
    raise ValueError(measure)


def main(graphml_path, rank_path):
    multi, simple = views(graphml_path)
    with open(rank_path, encoding="utf-8") as f:
        doc = json.load(f)
    measure = doc["measure"]
    exact = scores(measure, multi, simple)
    problems = []
    if doc["view"]["entities"] != multi.number_of_nodes():
        problems.append(
            f"ties ranked {doc['view']['entities']} entities, the export has "
            f"{multi.number_of_nodes()}"
        )
    if doc["view"]["relations"] != multi.number_of_edges():
        problems.append(
            f"ties saw {doc['view']['relations']} relations, the export has "
            f"{multi.number_of_edges()}"
        )
    # With --kinds, ties lists only entities of those kinds, measured on the
    # whole view: compare with networkx's scores of those entities.
    listed = doc.get("listed_kinds") or []
    kind = nx.get_node_attributes(nx.read_graphml(graphml_path), "kind")
    ordered = sorted(
        (v for n, v in exact.items() if not listed or kind.get(n) in listed),
        reverse=True,
    )
    sampled = doc.get("sampled_sources") is not None
    bound = doc["error_bound"] if sampled else TOL
    for i, row in enumerate(doc["entities"]):
        nid, score = row["id"], row["score"]
        if nid not in exact:
            problems.append(f"{nid!r} is not in the export")
            continue
        if abs(exact[nid] - score) > bound:
            problems.append(
                f"#{i + 1} {nid!r}: ties {score!r}, networkx {exact[nid]!r} (bound {bound})"
            )
        if not sampled and abs(ordered[i] - score) > TOL:
            problems.append(
                f"#{i + 1} {nid!r}: score {score!r} but networkx's #{i + 1} is {ordered[i]!r}"
            )
    if sampled:
        # The standard errors ties reports should describe the estimates: most
        # (not necessarily all) within three of them.
        within = sum(
            abs(exact[r["id"]] - r["score"]) <= 3 * r["std_error"] + 1e-12
            for r in doc["entities"]
        )
        if within < 0.8 * len(doc["entities"]):
            problems.append(
                f"only {within} of {len(doc['entities'])} sampled scores are within "
                "3 standard errors of networkx's exact ones"
            )
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    if sampled:
        # How close the estimates are, for the test's log.
        errors = [abs(exact[r["id"]] - r["score"]) for r in doc["entities"]]
        within = sum(
            abs(exact[r["id"]] - r["score"]) <= 3 * r["std_error"] + 1e-12
            for r in doc["entities"]
        )
        print(
            f"sampled: max error {max(errors):.6f}, bound {bound:.6f}, "
            f"{within}/{len(errors)} within 3 standard errors",
            file=sys.stderr,
        )
    print(f"ok: {measure}, {len(doc['entities'])} entities")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
