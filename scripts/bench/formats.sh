#!/usr/bin/env bash
# Every input format at 1M entities / 3M relations, first load (`check
# --no-cache`), two builds alternated run by run so that both see the same
# machine, RON measured in the same run as the reference. Used for
# BENCHMARKS.md (issue 29).
#
#   scripts/bench/formats.sh DIR BEFORE AFTER [RUNS] [FORMAT...]
#
# DIR holds the files (made once if missing, with AFTER, about a minute;
# TIES_BENCH_ENTITIES=N makes a smaller graph):
#   g.ron         ties gen --entities 1000000 --relations-per-entity 3
#   g.ftm.json    ties --data g.ron export --format ftm
#   g.graphml     ties --data g.ron export --format graphml
#   g.gexf        ties --data g.ron export --format gexf
#   csv/          ties --data g.ron export --format csv   (nodes.csv, relationships.csv)
# FORMAT is any of ron csv graphml gexf ftm (default: all). Prints one line per
# run, then a table: wall, CPU (user + sys) and peak resident memory, lowest to
# highest over the runs, and the wall time over RON's of the same build.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,18p' "$0" >&2; exit 2; }
dir=$1 before=$2 after=$3 runs=${4:-2}
shift $(( $# >= 4 ? 4 : 3 ))
formats=("$@")
[ ${#formats[@]} -gt 0 ] || formats=(ron csv graphml gexf ftm)
for b in "$before" "$after"; do [ -x "$b" ] || { echo "no binary $b" >&2; exit 1; }; done
mkdir -p "$dir"
file_of() {
    case $1 in
        ron) echo g.ron ;; ftm) echo g.ftm.json ;; graphml) echo g.graphml ;;
        gexf) echo g.gexf ;; csv) echo csv ;; *) echo "unknown format $1" >&2; exit 2 ;;
    esac
}
cd "$dir"
[ -e g.ron ] || "$after" gen --entities "${TIES_BENCH_ENTITIES:-1000000}" --relations-per-entity 3 -o g.ron
for f in ftm graphml gexf csv; do
    [ -e "$(file_of $f)" ] || "$after" --data g.ron --no-cache export --format "$f" -o "$(file_of $f)"
done
log=$(mktemp)
for f in "${formats[@]}"; do
    # The file read once first, so that no run pays for the disk: a first run
    # after the page cache lost the file was up to twice as slow.
    cat "$(file_of "$f")"/* "$(file_of "$f")" >/dev/null 2>&1 || true
    for i in $(seq "$runs"); do
        for side in before after; do
            bin=${!side}
            out=$( { /usr/bin/time -f "wall=%e user=%U sys=%S rss=%M" "$bin" --data "$(file_of "$f")" --no-cache check >/dev/null; } 2>&1 | grep '^wall=' )
            eval "$out"
            cpu=$(awk "BEGIN { print $user + $sys }")
            echo "$f $side run=$i wall=$wall cpu=$cpu peak_mb=$((rss / 1024)) load=$(cut -d' ' -f1 /proc/loadavg)"
            echo "$f $side $wall $cpu $((rss / 1024))" >>"$log"
        done
    done
done
echo
echo "| format | before: wall / CPU / peak | after: wall / CPU / peak | after ÷ RON (wall) |"
echo "|---|---|---|---|"
awk '
function range(a, b) { return a == b ? a : a "–" b }
{
    k = $1 " " $2
    if (!(k in n)) { wmin[k] = wmax[k] = $3; cmin[k] = cmax[k] = $4; pmin[k] = pmax[k] = $5 }
    n[k]++
    if ($3 < wmin[k]) wmin[k] = $3; if ($3 > wmax[k]) wmax[k] = $3
    if ($4 < cmin[k]) cmin[k] = $4; if ($4 > cmax[k]) cmax[k] = $4
    if ($5 < pmin[k]) pmin[k] = $5; if ($5 > pmax[k]) pmax[k] = $5
    if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 }
}
END {
    for (i = 1; i <= m; i++) {
        f = order[i]; b = f " before"; a = f " after"; r = "ron after"
        ratio = "–"
        if (r in n) ratio = sprintf("%.2f–%.2f×", wmin[a] / wmax[r], wmax[a] / wmin[r])
        printf "| %s | %s s / %s s / %s MB | %s s / %s s / %s MB | %s |\n", f,
            range(wmin[b], wmax[b]), range(cmin[b], cmax[b]), range(pmin[b], pmax[b]),
            range(wmin[a], wmax[a]), range(cmin[a], cmax[a]), range(pmin[a], pmax[a]), ratio
    }
}' "$log"
rm -f "$log"
