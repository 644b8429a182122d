#!/usr/bin/env bash
# Installs what the tests need beyond the Rust toolchain, only when missing:
# tmux (end-to-end tests in a real terminal). Idempotent; safe to run again.
set -euo pipefail

need_apt=()
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
command -v pgrep >/dev/null 2>&1 || need_apt+=(procps)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup-tools: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
