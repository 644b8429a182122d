#!/usr/bin/env python3
"""Reads a GraphML file with networkx and writes it again with networkx.

Usage: graphml_roundtrip.py IN.graphml OUT.graphml
Run by tests/read_formats.rs to check that what networkx writes reads back
into ties as the same graph.
"""

import sys

import networkx as nx

g = nx.read_graphml(sys.argv[1])
nx.write_graphml(g, sys.argv[2])
print(f"{g.number_of_nodes()} {g.number_of_edges()}")
