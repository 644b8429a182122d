#!/usr/bin/env bash
# Installs the outside tools the integration tests check exports with:
#   - Graphviz `dot` (tests/export_tools.rs renders every DOT export with `dot -Tsvg`);
#   - a Python virtual environment `.venv-tools` holding networkx (reads GraphML
#     exports through tests/tools/check_graphml.py).
# Safe to run again: it only installs what is missing. CI runs it, then the tests
# with TIES_REQUIRE_TOOLS=1 so that a missing tool fails them instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq graphviz
    elif command -v brew >/dev/null 2>&1; then
        brew install graphviz
    else
        echo "setup-tools: cannot install Graphviz here; install it so that \`dot\` is on PATH" >&2
        exit 1
    fi
fi

python="${PYTHON:-python3}"
if [ ! -x .venv-tools/bin/python ]; then
    "$python" -m venv .venv-tools
fi
if ! .venv-tools/bin/python -c 'import networkx' >/dev/null 2>&1; then
    .venv-tools/bin/python -m pip install --quiet --disable-pip-version-check 'networkx>=3,<4'
fi

dot -V
.venv-tools/bin/python -c 'import networkx; print("networkx", networkx.__version__)'
