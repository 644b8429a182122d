#!/usr/bin/env bash
# Records a short session of the explorer in tmux and renders it into an
# animated SVG for the README (scripts/demo/render.py: CSS keyframes, no extra
# tools). Run it again whenever the screens change:
#
#   scripts/demo/record.sh                    # builds a release ties first
#   TIES=target/debug/ties scripts/demo/record.sh assets/explorer.svg
#
# Needs tmux and python3. The session is the shipped graph, without any user
# key map, theme or cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-assets/explorer.svg}
ties=${TIES:-}
if [ -z "$ties" ]; then
    cargo build --release --quiet
    ties=target/release/ties
fi
ties=$(realpath "$ties")
# FRAMES=dir keeps the captured frames there (render.py --still N shows one).
frames=${FRAMES:-$(mktemp -d)}
mkdir -p "$frames"
rm -f "$frames"/*.ansi
config=$(mktemp -d)
session="ties-demo-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$config"; [ -n "${FRAMES:-}" ] || rm -rf "$frames"' EXIT
tmux new-session -d -s "$session" -x 100 -y 30 \
    env -u NO_COLOR PS1='$ ' TERM=xterm-256color XDG_CONFIG_HOME="$config" bash --norc --noprofile
# run ARGS: ties with ARGS in the session's shell.
run() {
    tmux send-keys -t "$session" -l "clear; '$ties' --no-cache $*"
    tmux send-keys -t "$session" Enter
}
n=0
# shot SECONDS: the screen now, shown for SECONDS in the animation.
shot() {
    sleep 0.3
    n=$((n + 1))
    tmux capture-pane -e -p -t "$session" >"$(printf '%s/%03d-%s.ansi' "$frames" "$n" "$1")"
}
keys() { tmux send-keys -t "$session" "$@"; }
# typed TEXT: typed a character at a time, a frame each.
typed() {
    local s=$1 i
    for ((i = 0; i < ${#s}; i++)); do
        tmux send-keys -l -t "$session" "${s:i:1}"
        shot 0.15
    done
}
wait_for() {
    local i
    for ((i = 0; i < 150; i++)); do
        tmux capture-pane -p -t "$session" | grep -qF -- "$1" && return
        sleep 0.1
    done
    echo "record.sh: timed out waiting for \`$1\`:" >&2
    tmux capture-pane -p -t "$session" >&2
    exit 1
}

run
wait_for "dates: all dates"
shot 2.5
# Jump by a transliterated alias.
keys /
typed umierov
wait_for "alias Umierov"
shot 1.2
keys Enter
wait_for "person · rustem-umerov"
shot 2.5
# Down the list, follow a relation, come back to the same row.
keys j
shot 0.8
keys j
shot 1.2
keys Enter
shot 2.2
keys BSpace
shot 1.5
# Lithuania's map, then a date window: only 2025.
keys /
typed lithuania
keys Enter
wait_for "country · lithuania"
shot 2
keys m
wait_for "map · 1 ring"
shot 3
keys Escape
sleep 0.3
keys d
typed 2025
keys Enter
wait_for "dates: 2025"
shot 3
keys q
# The Aleph donations (FollowTheMoney): CDU's donors, its money over time,
# who is central.
for ((i = 0; i < 50; i++)); do
    tmux capture-pane -p -t "$session" | grep -qx '\$ *' && break
    sleep 0.1
done
run --data tests/data/ftm/donations.ijson --focus c326dd8021ee75fe9608f31ecb4e2e7388144102
wait_for "in · 126"
shot 2.5
keys '$'
wait_for "running totals by date"
shot 4
keys Escape
sleep 0.3
keys r
wait_for "rank by degree"
shot 3
keys Escape
sleep 0.3
keys q
python3 scripts/demo/render.py "$frames" "$out"
