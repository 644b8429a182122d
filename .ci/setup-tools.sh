#!/usr/bin/env bash
# Installs what the tests need beyond the Rust toolchain, only when missing:
#   - tmux (end-to-end tests in a real terminal) and pgrep;
#   - Graphviz `dot` (tests/it/export_tools.rs renders every DOT export with `dot -Tsvg`);
#   - a headless Chromium and poppler's pdftotext (tests/it/notes.rs prints a
#     dossier to PDF and reads its text back);
#   - a Python virtual environment `.venv-tools` holding networkx (reads GraphML
#     exports through tests/tools/check_graphml.py) and python-igraph (with
#     networkx, what scripts/peers/manifest.py records of the peers' files).
# Idempotent; safe to run again. .ci/run then runs the tests that need these
# (`#[ignore = "needs …"]`) with --include-ignored; a missing tool fails them.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
command -v pgrep >/dev/null 2>&1 || need_apt+=(procps)
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
command -v chromium-headless-shell >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1 \
  || need_apt+=(chromium-headless-shell)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
python="${PYTHON:-python3}"
if [ ! -x .venv-tools/bin/python ] && ! "$python" -m venv --help >/dev/null 2>&1; then
  need_apt+=(python3-venv)
fi

# shellcheck source=.ci/apt-install.sh
. .ci/apt-install.sh
apt_install setup-tools "${need_apt[@]}"

if [ ! -x .venv-tools/bin/python ]; then
  echo "setup-tools: creating .venv-tools"
  "$python" -m venv .venv-tools
fi
if ! .venv-tools/bin/python -c 'import networkx' >/dev/null 2>&1; then
  echo "setup-tools: installing networkx into .venv-tools"
  .venv-tools/bin/python -m pip install --quiet --disable-pip-version-check 'networkx>=3,<4'
fi
if ! .venv-tools/bin/python -c 'import igraph' >/dev/null 2>&1; then
  echo "setup-tools: installing python-igraph into .venv-tools"
  .venv-tools/bin/python -m pip install --quiet --disable-pip-version-check 'igraph>=0.11,<2'
fi
