#!/usr/bin/env bash
# Installs the followthemoney Python library into .venv-ftm, only when missing.
# tests/it/ftm.rs runs `.venv-ftm/bin/ftm validate` on `ties export --format ftm`;
# scripts/ftm/*.py regenerate the schema table and the FtM test fixture.
# Idempotent; safe to run again. Building PyICU (a dependency) needs a C++
# compiler, pkg-config and the ICU headers; they are installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.11.2
if [ -x .venv-ftm/bin/ftm ] \
  && .venv-ftm/bin/python -c "import followthemoney as f, sys; sys.exit(f.__version__ != '$VERSION')" 2>/dev/null; then
  exit 0
fi

need_apt=()
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
pkg-config --exists icu-uc 2>/dev/null || need_apt+=(libicu-dev)
python3 -c "import ensurepip" 2>/dev/null || need_apt+=(python3-venv)
# shellcheck source=.ci/apt-install.sh
. .ci/apt-install.sh
apt_install setup-ftm "${need_apt[@]}"

echo "setup-ftm: installing followthemoney==$VERSION into .venv-ftm"
[ -x .venv-ftm/bin/python ] || python3 -m venv .venv-ftm
.venv-ftm/bin/pip install -q "followthemoney==$VERSION"
