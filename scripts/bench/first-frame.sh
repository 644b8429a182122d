#!/usr/bin/env bash
# Time from launching the explorer to its first full frame, as a user sees it:
# starts `ties --data FILE` in a 120x40 tmux session and polls the screen every
# 20 ms until the three panes are drawn, then prints the explorer's peak
# resident memory and the explorer's own clock (TIES_LOAD_STATS=1: when it
# wrote its first frame, counted from its start; no polling in that figure).
# Used for BENCHMARKS.md.
#   scripts/bench/first-frame.sh DATA [ENV=VALUE ...]
#   TIES_FOCUS=QUERY scripts/bench/first-frame.sh falkor+unix:///path/s.sock?graph=G   # a database
# TIES_POLL=SECONDS sets how often the screen is polled (default 0.02). On two
# cores even this poll (a tmux client started each time) takes CPU from the
# load it times: the explorer's own clock ran 0.2-0.4 s later at 0.02 than with
# no poll at all (BENCHMARKS.md, round 18); a slower poll times less exactly.
# TIES_POLL=none does not watch the screen: it waits TIES_WAIT seconds
# (default 10), quits the explorer and prints only its own clock.
set -euo pipefail
data=$1
shift
ties=${TIES_BIN:-./target/release/ties}   # TIES_BIN: another binary
[ -x "$ties" ] || { echo "no $ties: build it (cargo build --release) or set TIES_BIN" >&2; exit 1; }
case $data in
    falkor*) open=(--db "$data" --focus "${TIES_FOCUS:?TIES_FOCUS names where to start in the database}") ;;
    *) [ -e "$data" ] || { echo "no $data" >&2; exit 1; }; open=(--data "$data") ;;
esac
tmux kill-session -t ties-first-frame 2>/dev/null || true
# The poll costs one `tmux capture-pane` per 20 ms and nothing else (bash
# matches the text, reads the clock, and waits on a FIFO rather than starting
# `sleep`): on two cores, a poll that starts a handful of processes each time
# takes CPU from the load it is timing.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/never"
exec 9<>"$tmp/never"
start=$EPOCHREALTIME
if [ "${TIES_POLL:-}" = none ]; then
    tmux new-session -d -x 120 -y 40 -s ties-first-frame \
        "env TIES_LOAD_STATS=1 $* $ties ${open[*]@Q}; sleep 5"
    read -rt "${TIES_WAIT:-10}" -u 9 || true
    tmux send-keys -t ties-first-frame q
    read -rt 1.5 -u 9 || true
    tmux capture-pane -p -J -t ties-first-frame | grep -o 'explorer: loaded at.*' \
        || echo "explorer: no timeline printed"
    tmux kill-session -t ties-first-frame 2>/dev/null || true
    exit 0
fi
tmux new-session -d -x 120 -y 40 -s ties-first-frame \
    "env TIES_LOAD_STATS=1 $* $ties ${open[*]@Q}; sleep 5"
while :; do
    screen=$(tmux capture-pane -p -t ties-first-frame 2>/dev/null || true)
    [[ $screen == *"out ·"* ]] && break
    if [[ $screen =~ (^|$'\n')ties:\ .*(did\ not\ load|error|cannot|needs) ]]; then
        echo "ties stopped:" >&2
        grep -v '^$' <<<"$screen" >&2
        tmux kill-session -t ties-first-frame
        exit 1
    fi
    if (( ${EPOCHREALTIME/./} - ${start/./} > 120000000 )); then
        echo "no frame after 120 s" >&2
        tmux kill-session -t ties-first-frame
        exit 1
    fi
    read -rt "${TIES_POLL:-0.02}" -u 9 || true
done
end=$EPOCHREALTIME
echo "first frame after $(echo "$end - $start" | bc) s"
shell=$(tmux list-panes -t ties-first-frame -F '#{pane_pid}')
pid=$(pgrep -P "$shell" -x ties || true)
[ -n "$pid" ] && grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | tr -s ' \t' ' '

tmux send-keys -t ties-first-frame q
# The explorer prints its own timeline when it ends (TIES_LOAD_STATS=1).
for _ in $(seq 250); do
    own=$(tmux capture-pane -p -J -t ties-first-frame 2>/dev/null | grep -o 'explorer: loaded at.*' || true)
    [ -n "$own" ] && break
    read -rt 0.02 -u 9 || true
done
echo "${own:-explorer: no timeline printed}"
tmux kill-session -t ties-first-frame 2>/dev/null || true
