#!/usr/bin/env python3
"""Reads a `ties` GraphML export with networkx and checks it against the JSON
export of the same view: same nodes and edges, same kind, name, date, until,
amount and currency on each, amounts read as floats.

Usage: check_graphml.py EXPORT.graphml EXPORT.json
Prints `ok: N nodes, M edges` and exits 0, or lists every mismatch and exits 1.
Run by tests/export_tools.rs; needs networkx (see .ci/setup-tools.sh).
"""

import json
import math
import sys

import networkx as nx


def amount_of(record):
    """(value, currency) of a JSON record's amount, or (None, None)."""
    a = record.get("amount")
    return (float(a["value"]), a["currency"]) if a else (None, None)


def same_amount(x, y):
    if x is None or y is None:
        return x is None and y is None
    return math.isclose(x, y, rel_tol=0, abs_tol=1e-9)


def main(graphml_path, json_path):
    graph = nx.read_graphml(graphml_path, force_multigraph=True)
    with open(json_path, encoding="utf-8") as f:
        doc = json.load(f)
    problems = []

    if not graph.is_directed():
        problems.append("the graph is not directed")
    if graph.number_of_nodes() != len(doc["nodes"]):
        problems.append(
            f"{graph.number_of_nodes()} nodes in GraphML, {len(doc['nodes'])} in JSON"
        )
    if graph.number_of_edges() != len(doc["edges"]):
        problems.append(
            f"{graph.number_of_edges()} edges in GraphML, {len(doc['edges'])} in JSON"
        )

    for node in doc["nodes"]:
        nid = node["id"]
        if nid not in graph.nodes:
            problems.append(f"node {nid!r} missing from GraphML")
            continue
        got = graph.nodes[nid]
        for field in ("kind", "name", "date", "until"):
            if got.get(field) != node.get(field):
                problems.append(
                    f"node {nid!r}: {field} is {got.get(field)!r}, expected {node.get(field)!r}"
                )
        if got.get("label") != node["name"]:
            problems.append(f"node {nid!r}: label {got.get('label')!r} is not its name")
        value, currency = amount_of(node)
        if not same_amount(got.get("amount"), value) or got.get("currency") != currency:
            problems.append(
                f"node {nid!r}: amount {got.get('amount')!r} {got.get('currency')!r}, "
                f"expected {value!r} {currency!r}"
            )
        if "amount" in got and not isinstance(got["amount"], float):
            problems.append(f"node {nid!r}: amount is not read as a number")

    def edge_key(source, target, kind, role, date, until, value, currency):
        return (source, target, kind, role, date, until,
                None if value is None else round(value, 6), currency)

    expected = sorted(
        (edge_key(e["source"], e["target"], e["kind"], e.get("role"), e.get("date"),
                  e.get("until"), *amount_of(e))
         for e in doc["edges"]),
        key=repr,
    )
    found = []
    for source, target, data in graph.edges(data=True):
        if "amount" in data and not isinstance(data["amount"], float):
            problems.append(f"edge {source!r} -> {target!r}: amount is not read as a number")
        found.append(edge_key(source, target, data.get("kind"), data.get("role"),
                              data.get("date"), data.get("until"), data.get("amount"),
                              data.get("currency")))
    found.sort(key=repr)
    if found != expected:
        missing = [e for e in expected if e not in found]
        extra = [e for e in found if e not in expected]
        problems.append(f"edges differ: missing {missing[:5]}, unexpected {extra[:5]}")

    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    print(f"ok: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
