#!/usr/bin/env python3
"""Plants duplicates in an FtM stream (for `ties xref` at scale):

    plant.py IN.ftm.json OUT.ftm.json PAIRS.csv [EVERY]

Every Person gets a birth date (seeded, 1940–2000); every EVERY-th Person
(default 100) gets a duplicate with a new id, one typo in its name (a letter
dropped, doubled, swapped with the next, or replaced) and, one time in five, a
digit of the birth date changed. PAIRS.csv lists (original, duplicate).
`score PAIRS.csv XREF.csv` prints the share of planted pairs among the pairs."""
import csv
import json
import random
import sys


def typo(name, rnd):
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 4:
        return name + "a"
    i = rnd.choice(letters[1:-1])
    op = rnd.randrange(4)
    if op == 0:
        return name[:i] + name[i + 1 :]
    if op == 1:
        return name[:i] + name[i] + name[i:]
    if op == 2 and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + rnd.choice("aeioulnrst") + name[i + 1 :]


def plant(src, dst, pairs_path, every):
    rnd = random.Random(7)
    n = 0
    with open(src) as fin, open(dst, "w") as fout, open(pairs_path, "w", newline="") as fp:
        w = csv.writer(fp)
        w.writerow(["id_a", "id_b"])
        for line in fin:
            e = json.loads(line)
            if e.get("schema") != "Person":
                fout.write(line)
                continue
            props = e.setdefault("properties", {})
            d = f"{rnd.randrange(1940, 2000)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
            props["birthDate"] = [d]
            fout.write(json.dumps(e) + "\n")
            n += 1
            if n % every:
                continue
            dup = json.loads(json.dumps(e))
            dup["id"] = e["id"] + "-dup"
            names = dup["properties"].get("name") or []
            if names:
                names[0] = typo(names[0], rnd)
            if rnd.randrange(5) == 0:
                k = rnd.choice([2, 3, 5, 6, 8, 9])
                digits = list(d)
                digits[k] = str((int(digits[k]) + 1) % 10) if k not in (5, 8) else digits[k]
                dup["properties"]["birthDate"] = ["".join(digits)]
            # The duplicate stands alone: no relations point at it.
            fout.write(json.dumps(dup) + "\n")
            w.writerow([e["id"], dup["id"]])


def score(pairs_path, xref_path):
    planted = set()
    with open(pairs_path) as fh:
        for r in csv.DictReader(fh):
            planted.add(frozenset((r["id_a"], r["id_b"])))
    found_any, found_half = set(), set()
    with open(xref_path) as fh:
        for r in csv.DictReader(fh):
            k = frozenset((r["a_id"], r["b_id"]))
            if k in planted:
                found_any.add(k)
                if float(r["score"]) >= 0.5:
                    found_half.add(k)
    print(json.dumps({
        "planted": len(planted),
        "among_candidates": round(len(found_any) / len(planted), 4),
        "at_default_0.5": round(len(found_half) / len(planted), 4),
    }))


if __name__ == "__main__":
    if sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        plant(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 100)
