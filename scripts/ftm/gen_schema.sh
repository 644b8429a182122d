#!/usr/bin/env bash
# Regenerates src/ftm/schema/table.rs from the followthemoney library in
# .venv-ftm (made by .ci/setup-ftm.sh) and formats it with rustfmt.
#
#   scripts/ftm/gen_schema.sh           rewrite src/ftm/schema/table.rs
#   scripts/ftm/gen_schema.sh --stdout  print the fresh table instead
#   scripts/ftm/gen_schema.sh --check   exit 1 (with a diff) if the file is not current
#
# tests/it/ftm.rs runs the --stdout form and compares it with the file.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=src/ftm/schema/table.rs
python=.venv-ftm/bin/python
if [ ! -x "$python" ]; then
  echo "gen_schema: $python is missing; run bash .ci/setup-ftm.sh" >&2
  exit 2
fi
edition=$(sed -n 's/^edition *= *"\([0-9]*\)".*/\1/p' Cargo.toml | head -n1)

tmp=$(mktemp --suffix=.rs)
trap 'rm -f "$tmp"' EXIT
"$python" scripts/ftm/gen_schema.py >"$tmp"
rustfmt --edition "${edition:-2024}" "$tmp"

case "${1:-}" in
  "") cp "$tmp" "$target" && echo "gen_schema: wrote $target" ;;
  --stdout) cat "$tmp" ;;
  --check)
    if diff -u "$target" "$tmp"; then
      echo "gen_schema: $target is current"
    else
      echo "gen_schema: $target is stale; run scripts/ftm/gen_schema.sh" >&2
      exit 1
    fi
    ;;
  *) echo "usage: $0 [--stdout|--check]" >&2; exit 2 ;;
esac
