#!/usr/bin/env bash
# FEBRL4 as FtM Persons, cross-referenced by `ties xref --across` and by
# nomenklatura's `xref` (default algorithm), with and without id numbers:
# precision, recall, F1 at each tool's default threshold and at its best, and
# both times. Needs .venv-er (.ci/setup-er.sh) and a release build.
#
#   scripts/bench/xref-febrl.sh [WORK_DIR]        (default: a temporary folder)
#
# nomenklatura runs with `-l 20000` (it stops after limit × 10 = 200,000
# blocked pairs or 20,000 suggestions; its default, 5,000 suggestions, cannot
# hold the 5,000 true links and the false ones found before them).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
py="$root/.venv-er/bin/python"
nk="$root/.venv-er/bin/nomenklatura"
ties="${TIES:-$root/target/release/ties}"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"
"$py" "$root/scripts/bench/febrl.py" make .

secs() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" "$@"; }

for s in "" "-noid"; do
  label=${s:-"-ids"}
  # ties: the two files as two datasets.
  t0=$(date +%s.%N)
  "$ties" --no-cache --data "febrl4_a$s.ftm.json" --data "febrl4_b$s.ftm.json" \
    --resolver /dev/null xref --across --csv --min-score 0.01 > "ties$s.csv"
  t1=$(date +%s.%N)
  python3 - "ties$s.csv" "ties-pairs$s.csv" <<'PY'
import csv, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w", newline="") as o:
    w = csv.writer(o); w.writerow(["id_a", "id_b", "score"])
    for r in csv.DictReader(f):
        w.writerow([r["a_id"], r["b_id"], r["score"]])
PY
  echo "ties$label: $(secs "$t0" "$t1") s $("$py" "$root/scripts/bench/febrl.py" score links.csv "ties-pairs$s.csv" 0.5)"

  # nomenklatura: one file, the datasets in each entity's `datasets`.
  rm -rf "nk$s.db" "nkdata$s"
  export NOMENKLATURA_DB_URL="sqlite:///$work/nk$s.db"
  t0=$(date +%s.%N)
  "$nk" xref -l 20000 -p "nkdata$s" "febrl4$s.ftm.json" 2> "nk$s.log"
  t1=$(date +%s.%N)
  # Suggestions (scored, unjudged) stay in its database; dump-resolver writes judgements only.
  python3 - "nk$s.db" "nk-pairs$s.csv" <<'PY'
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], "w", newline="") as o:
    w = csv.writer(o); w.writerow(["id_a", "id_b", "score"])
    for t, s, score in db.execute(
        "select target, source, score from resolver where deleted_at is null and score is not null"
    ):
        w.writerow([t, s, score])
PY
  echo "nomenklatura$label: $(secs "$t0" "$t1") s $("$py" "$root/scripts/bench/febrl.py" score links.csv "nk-pairs$s.csv" 0.5)"
done

# Screening: file B's names and birth dates against file A; top-1 accuracy.
t0=$(date +%s.%N)
"$ties" --no-cache --data febrl4_a-noid.ftm.json --resolver /dev/null \
  screen screen-b.csv --limit 1 --min-score 0 > screen.csv
t1=$(date +%s.%N)
python3 - screen-b.csv screen.csv "$(secs "$t0" "$t1")" <<'PY'
import csv, sys
ids = [r["id"] for r in csv.DictReader(open(sys.argv[1]))]
right = sum(1 for r in csv.DictReader(open(sys.argv[2]))
            if r["rank"] == "1" and r["id"].split("-")[1] == ids[int(r["row"]) - 1].split("-")[1])
print(f"screen: {len(ids)} rows in {sys.argv[3]} s, top-1 accuracy {right / len(ids):.4f}")
PY
