#!/usr/bin/env python3
"""Writes the name and aliases of every entity of a ties RON file, one per line
(the plain list `fzf --filter` is compared with in BENCHMARKS.md).

    python3 scripts/bench/names.py /tmp/g1m.ron > /tmp/g1m-names.txt
"""
import re
import sys

STRING = r'"((?:[^"\\]|\\.)*)"'
ESCAPE = re.compile(r"\\(.)")


def text(s):
    """The string a RON literal stands for (the escapes ties gen writes)."""
    return ESCAPE.sub(lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)

count = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if "Entity(" not in line:
            continue
        name = re.search(r"name: " + STRING, line)
        if name:
            print(text(name.group(1)))
            count += 1
        aliases = re.search(r"aliases: \[(.*?)\]", line)
        if aliases:
            for alias in re.findall(STRING, aliases.group(1)):
                print(text(alias))
                count += 1
print(f"{count} names and aliases", file=sys.stderr)
