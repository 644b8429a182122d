#!/usr/bin/env bash
# Loads the same generated graph in ties and in its peers, and prints each
# peer's time as a ratio to ties' (issue 20, "side by side, in one run"):
#
#   - ties: `ties check --no-cache` on the RON (a first load), `ties check` on
#     its snapshot (a second start), and on the same graph as GraphML, GEXF
#     and CSV tables (`ties export`);
#   - networkx: `read_graphml` and node-link JSON (`json.load` + `node_link_graph`);
#   - python-igraph: `Graph.Read_GraphML`, also as a ratio to ties' own GraphML
#     time (issue 29 asks ties to be 5x ahead);
#   - FtM: `ties check --no-cache` on the same graph as an FtM stream against
#     followthemoney's own reader (each line `json.loads` + `model.get_proxy`,
#     in $PEERS_FTM_PYTHON, else .venv-ftm/bin/python; skipped without it);
#   - `ties search QUERY` on the snapshot against `fzf --filter QUERY` on a
#     plain list of the same names and aliases.
#
#   scripts/bench/peers.sh [ENTITIES...]          # default: 100000 1000000
#
# Needs a release build (`cargo build --release`), fzf, and a Python with
# networkx and igraph: $PEERS_PYTHON, else .venv-tools/bin/python, else python3
# (e.g. `python3 -m venv /tmp/peers && /tmp/peers/bin/pip install networkx igraph`).
# Data goes to $PEERS_DIR (default /tmp/ties-peers), never into the repository.
# Each figure is the best of $PEERS_RUNS runs (default 3), wall time of the whole
# process (interpreter start included for Python; it is about 0.1 s).
# PEERS_ONLY=igraph leaves networkx and fzf out (at 1M, where networkx needs
# more memory than a shared machine has).
set -euo pipefail
cd "$(dirname "$0")/../.."

ties=${TIES_BIN:-target/release/ties}
dir=${PEERS_DIR:-/tmp/ties-peers}
runs=${PEERS_RUNS:-3}
python=${PEERS_PYTHON:-}
if [ -z "$python" ]; then
  if [ -x .venv-tools/bin/python ]; then python=.venv-tools/bin/python; else python=python3; fi
fi
only=${PEERS_ONLY:-}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)

[ -x "$ties" ] || { echo "peers.sh: no $ties (cargo build --release)" >&2; exit 1; }
have_igraph=1
"$python" -c 'import networkx' 2>/dev/null || { echo "peers.sh: $python has no networkx" >&2; exit 1; }
"$python" -c 'import igraph' 2>/dev/null || { have_igraph=0; echo "peers.sh: $python has no igraph: skipped" >&2; }
ftm_python=${PEERS_FTM_PYTHON:-.venv-ftm/bin/python}
have_ftm=1
"$ftm_python" -c 'import followthemoney' 2>/dev/null || { have_ftm=0; echo "peers.sh: no followthemoney in $ftm_python: FtM comparison skipped" >&2; }
have_fzf=1
command -v fzf >/dev/null || { have_fzf=0; echo "peers.sh: no fzf: search comparison skipped" >&2; }
mkdir -p "$dir"

# best SECONDS of `runs` runs of a command (its output discarded)
best() {
  local b="" t
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || { echo "failed"; return; }
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  printf '%.3f' "$b"
}

# one line: what, seconds, ratio to ties' seconds
line() {
  local what=$1 secs=$2 base=$3
  if [ "$secs" = failed ]; then
    printf '  %-44s %10s\n' "$what" "failed"
  else
    printf '  %-44s %9ss %8sx\n' "$what" "$secs" "$(echo "scale=2; $secs / $base" | bc -l)"
  fi
}

py_graphml='import sys, networkx as nx; g = nx.read_graphml(sys.argv[1]); print(g.number_of_nodes())'
py_json='import sys, json, networkx as nx; g = nx.node_link_graph(json.load(open(sys.argv[1])), edges="links"); print(g.number_of_nodes())'
py_igraph='import sys, igraph; g = igraph.Graph.Read_GraphML(sys.argv[1]); print(g.vcount())'
py_ftm='import sys, json
from followthemoney import model
n = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if line.strip():
            model.get_proxy(json.loads(line))
            n += 1
print(n)'

for n in "${sizes[@]}"; do
  ron=$dir/g$n.ron graphml=$dir/g$n.graphml json=$dir/g$n.json names=$dir/g$n-names.txt
  ftm=$dir/g$n.ftm.json
  gexf=$dir/g$n.gexf csv=$dir/csv$n
  cache=$dir/cache$n
  [ -s "$ron" ] || "$ties" gen --entities "$n" --relations-per-entity 3 -o "$ron" >/dev/null
  [ -s "$graphml" ] || "$ties" export --no-cache --data "$ron" --format graphml -o "$graphml" >/dev/null
  [ -s "$gexf" ] || "$ties" export --no-cache --data "$ron" --format gexf -o "$gexf" >/dev/null
  [ -s "$csv/nodes.csv" ] || { mkdir -p "$csv" && "$ties" export --no-cache --data "$ron" --format csv -o "$csv" >/dev/null; }
  [ -n "$only" ] || [ -s "$json" ] || "$python" -c 'import sys, json, networkx as nx
g = nx.read_graphml(sys.argv[1]); json.dump(nx.node_link_data(g, edges="links"), open(sys.argv[2], "w"))' "$graphml" "$json"
  [ -n "$only" ] || [ -s "$names" ] || python3 scripts/bench/names.py "$ron" >"$names"
  # A snapshot for the second starts and the search.
  TIES_CACHE_DIR=$cache "$ties" search --data "$ron" kasciunas >/dev/null

  echo "== $n entities, $((n * 3)) relations (best of $runs; ratio = seconds / ties' seconds)"
  base=$(best "$ties" check --no-cache --data "$ron")
  line "ties check --no-cache (RON, first load)" "$base" "$base"
  line "ties check (RON, second start: snapshot)" \
    "$(TIES_CACHE_DIR=$cache best "$ties" check --data "$ron")" "$base"
  ties_graphml=$(best "$ties" check --no-cache --data "$graphml")
  line "ties check --no-cache (GraphML)" "$ties_graphml" "$base"
  line "ties check --no-cache (GEXF)" "$(best "$ties" check --no-cache --data "$gexf")" "$base"
  line "ties check --no-cache (CSV tables)" "$(best "$ties" check --no-cache --data "$csv")" "$base"
  if [ -z "$only" ]; then
    line "networkx read_graphml" "$(best "$python" -c "$py_graphml" "$graphml")" "$base"
    line "networkx node-link JSON" "$(best "$python" -c "$py_json" "$json")" "$base"
  fi
  if [ "$have_igraph" = 1 ]; then
    igraph=$(best "$python" -c "$py_igraph" "$graphml")
    line "python-igraph Read_GraphML" "$igraph" "$base"
    line "python-igraph Read_GraphML / ties GraphML" "$igraph" "$ties_graphml"
  fi
  if [ -z "$only" ] && [ "$have_ftm" = 1 ]; then
    [ -s "$ftm" ] || "$ties" export --no-cache --data "$ron" --format ftm -o "$ftm" >/dev/null
    line "ties check --no-cache (FtM)" "$(best "$ties" check --no-cache --data "$ftm")" "$base"
    line "followthemoney get_proxy per line (FtM)" "$(best "$ftm_python" -c "$py_ftm" "$ftm")" "$base"
  fi
  if [ -z "$only" ] && [ "$have_fzf" = 1 ]; then
    for q in kasciunas "min def"; do
      s=$(TIES_CACHE_DIR=$cache best "$ties" search --data "$ron" "$q")
      line "ties search '$q' (snapshot)" "$s" "$s"
      line "fzf --filter '$q' (names list)" "$(best sh -c "fzf --filter '$q' < '$names'")" "$s"
    done
  fi
done
