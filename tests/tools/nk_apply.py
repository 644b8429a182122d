#!/usr/bin/env python3
"""`nk_apply.py RESOLVER ENTITIES`: loads a resolver file into a fresh
nomenklatura database (`nomenklatura load-resolver`), applies it to an FtM
entity stream (`nomenklatura apply`: each entity under its canonical id), and
prints the clusters of two or more input ids, one sorted JSON list a line, sorted."""
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

resolver, entities = sys.argv[1], sys.argv[2]
bin_dir = Path(sys.executable).parent
with tempfile.TemporaryDirectory() as d:
    env = dict(os.environ, NOMENKLATURA_DB_URL=f"sqlite:///{d}/nk.db")
    subprocess.run([bin_dir / "nomenklatura", "load-resolver", resolver], env=env, check=True)
    out = subprocess.run(
        [bin_dir / "nomenklatura", "apply", entities], env=env, check=True, capture_output=True, text=True
    ).stdout
# `apply` writes each entity read, in order, under its canonical id.
ids = [json.loads(line)["id"] for line in open(entities) if line.strip()]
clusters = defaultdict(set)
for rid, line in zip(ids, out.splitlines()):
    clusters[json.loads(line)["id"]].add(rid)
for c in sorted(sorted(c) for c in clusters.values() if len(c) > 1):
    print(json.dumps(c))
