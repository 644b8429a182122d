#!/usr/bin/env python3
"""Copies the peers' importer test inputs into tests/data/peers/.

Usage: scripts/peers/vendor.py GEPHI_GIT NETWORKX_GIT IGRAPH_GIT PYTHON_IGRAPH_GIT

Each argument is a git directory of that repository (a bare mirror is enough:
files are read with `git show HEAD:path`). What is copied, for the formats
ties reads (GraphML, GEXF, CSV):
  - gephi/gephi: modules/ImportPlugin/src/test/resources/.../file/ (its GraphML,
    GEXF and spreadsheet CSV test inputs; not the `expected/` outputs) and the
    welcome screen's sample graphs;
    (`spreadsheet/expected/`, the tables Gephi's SpreadsheetTest compares its
    imports with, go to gephi-expected/: not inputs, the basis of its counts);
  - networkx/networkx: every GraphML or GEXF document written as a string
    literal in networkx/readwrite/tests/test_graphml.py and test_gexf.py, one
    file each, named after the test (or the `cls.NAME_data` it is kept in);
  - igraph/igraph: the GraphML inputs of tests/unit, tests/regression,
    examples/simple and fuzzing/test_inputs;
  - igraph/python-igraph: GRAPHML_EXAMPLE_FILE of tests/test_foreign.py.
Files are copied byte for byte (strings as Python evaluates them, UTF-8);
a file over 2 MB is skipped and said. Writes tests/data/peers/sources.csv:
file, peer, repository, commit, path, licence. scripts/peers/manifest.py then
adds what each peer reads.
"""
import ast
import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "peers"
MAX = 2_000_000

LICENCES = {
    "gephi/gephi": "CDDL-1.0 OR GPL-3.0-only (Gephi's dual licence)",
    "networkx/networkx": "BSD-3-Clause",
    "igraph/igraph": "GPL-2.0-or-later",
    "igraph/python-igraph": "GPL-2.0-or-later",
}


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True).stdout


def files(repo):
    return git(repo, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()


rows = []
skipped = []


def put(peer, repo_name, repo, path, dest, data):
    if len(data) > MAX:
        skipped.append(f"{repo_name}:{path} ({len(data)} bytes)")
        return
    target = OUT / peer / dest
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    commit = git(repo, "rev-parse", "HEAD").decode().strip()
    rows.append(
        {
            "file": f"{peer}/{dest}",
            "peer": peer,
            "repository": repo_name,
            "commit": commit,
            "path": path,
            "licence": LICENCES[repo_name],
        }
    )


def gephi(repo):
    base = "modules/ImportPlugin/src/test/resources/org/gephi/io/importer/plugin/file/"
    for p in files(repo):
        if p.startswith(base) and "/expected/" not in p:
            rel = p[len(base):]
            if rel.endswith((".graphml", ".gexf", ".csv")):
                put("gephi", "gephi/gephi", repo, p, rel, git(repo, "show", f"HEAD:{p}"))
        elif p.startswith(base + "spreadsheet/expected/"):
            # What SpreadsheetTest compares Gephi's import with: not an input,
            # the basis of Gephi's counts in MANIFEST.csv.
            target = OUT / "gephi-expected" / p.rsplit("/", 1)[-1]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(git(repo, "show", f"HEAD:{p}"))
    samples = "modules/WelcomeScreen/src/main/resources/org/gephi/desktop/welcome/samples/"
    for p in files(repo):
        if p.startswith(samples) and p.endswith((".gexf", ".graphml")):
            name = p[len(samples):].replace(" ", "_")
            put("gephi", "gephi/gephi", repo, p, f"welcome/{name}", git(repo, "show", f"HEAD:{p}"))


def strings_in(source):
    """(name, text) for each GraphML/GEXF string literal of a test module."""
    tree = ast.parse(source)
    found = []

    def visit(node, func):
        for child in ast.iter_child_nodes(node):
            f = func
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                f = child.name
            if isinstance(child, ast.Assign) and isinstance(child.value, ast.Constant):
                t = child.targets[0]
                name = t.attr if isinstance(t, ast.Attribute) else getattr(t, "id", None)
                v = child.value.value
                if isinstance(v, str) and ("<graphml" in v or "<gexf" in v):
                    if name and name.endswith("_data"):
                        label = name
                    elif name in ("s", "data", "fh"):
                        label = f
                    else:
                        label = f"{f}_{name}"
                    found.append((label.removesuffix("_data"), v))
                    continue
            visit(child, f)

    visit(tree, "module")
    return found


def networkx(repo):
    for test, ext in [("test_graphml.py", "graphml"), ("test_gexf.py", "gexf")]:
        p = f"networkx/readwrite/tests/{test}"
        seen = {}
        for name, text in strings_in(git(repo, "show", f"HEAD:{p}").decode()):
            name = name.removeprefix("test_")
            if text in seen.values():
                continue
            n, i = name, 2
            while n in seen:
                n, i = f"{name}_{i}", i + 1
            seen[n] = text
            put("networkx", "networkx/networkx", repo, f"{p} ({n})", f"{ext}/{n}.{ext}", text.encode())


def igraph(repo):
    for p in files(repo):
        top = p.split("/")[0]
        if top in ("tests", "examples", "fuzzing") and (
            p.endswith(".graphml") or (p.startswith("tests/unit/graphml-") and p.endswith(".xml"))
        ):
            put("igraph", "igraph/igraph", repo, p, p, git(repo, "show", f"HEAD:{p}"))


def python_igraph(repo):
    p = "tests/test_foreign.py"
    tree = ast.parse(git(repo, "show", f"HEAD:{p}").decode())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "GRAPHML_EXAMPLE_FILE":
            put("igraph", "igraph/python-igraph", repo, f"{p} (GRAPHML_EXAMPLE_FILE)",
                "python-igraph/test_foreign.graphml", node.value.value.encode())


def main():
    g, nx, ig, pig = sys.argv[1:5]
    gephi(g)
    networkx(nx)
    igraph(ig)
    python_igraph(pig)
    with open(OUT / "sources.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(sorted(rows, key=lambda r: r["file"]))
    print(f"{len(rows)} files in {OUT}")
    for s in skipped:
        print(f"skipped (over 2 MB): {s}")


if __name__ == "__main__":
    main()
