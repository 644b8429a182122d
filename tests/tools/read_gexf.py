#!/usr/bin/env python3
"""Reads a ties GEXF export with networkx and prints what it found as JSON:
nodes (id, label, kind, date, until, start, end, amount, currency) and edges
(source, target, kind, date, until, amount, currency).

Usage: read_gexf.py EXPORT.gexf
Run by tests/read_formats.rs.
"""

import json
import sys

import networkx as nx

g = nx.read_gexf(sys.argv[1])
keys = ["label", "kind", "date", "until", "start", "end", "amount", "currency"]
nodes = [
    {"id": n, **{k: d[k] for k in keys if k in d}} for n, d in g.nodes(data=True)
]
edges = [
    {"source": u, "target": v, **{k: d[k] for k in keys if k in d}}
    for u, v, d in g.edges(data=True)
]
print(json.dumps({"directed": g.is_directed(), "nodes": nodes, "edges": edges}))
