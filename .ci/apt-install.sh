#!/usr/bin/env bash
# Sourced by the setup scripts: `apt_install WHO PACKAGE…` installs the given
# Debian packages (nothing when the list is empty), with sudo when not root.
apt_install() {
  local who=$1
  shift
  [ $# -gt 0 ] || return 0
  echo "$who: installing $*"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}
