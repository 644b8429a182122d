#!/usr/bin/env python3
"""Writes a resolver file the way nomenklatura does: `nk_judge.py OUT a b positive
[c d negative …]` decides each pair with nomenklatura's Resolver (which links
positives through an NK- canonical id) and dumps it."""
import os
import sys
import tempfile

from nomenklatura.db import make_session
from nomenklatura.judgement import Judgement
from nomenklatura.resolver import Resolver

out, rest = sys.argv[1], sys.argv[2:]
with tempfile.TemporaryDirectory() as d:
    os.environ["NOMENKLATURA_DB_URL"] = f"sqlite:///{d}/nk.db"
    import nomenklatura.settings as settings

    settings.DB_URL = os.environ["NOMENKLATURA_DB_URL"]
    with make_session() as session:
        resolver = Resolver(session, create=True)
        resolver.load_into_memory()
        for i in range(0, len(rest), 3):
            a, b, j = rest[i : i + 3]
            resolver.decide(a, b, Judgement(j), user="nomenklatura-test")
        resolver.dump(out)
