#!/usr/bin/env python3
"""Builds the FtM fixtures for the cases a lenient reader must handle
(tests/fixtures/ftm/cases/*.ftm.json) with the followthemoney library:

    .venv-ftm/bin/python scripts/ftm/make_case_fixtures.py

Every entity is made by the library (`model.make_entity`, `add`, `to_dict`).
Where a case needs a value the library would clean away on `add` (an object
where text belongs, an id that is not a valid FtM id, a date that is not a
date), the value is written into the entity's dict afterwards, as producers
that do not clean their values write it. The script then checks that
`ftm validate` reads every file (exit 0), as it reads the real files.
"""
import json
import subprocess
import sys
from pathlib import Path

from followthemoney import model
from followthemoney.util import make_entity_id

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/fixtures/ftm/cases"


def make(schema, key, **props):
    e = model.make_entity(schema)
    e.id = make_entity_id("ties-case", key)
    for prop, values in props.items():
        if not isinstance(values, list):
            values = [values]
        for v in values:
            e.add(prop, v.id if hasattr(v, "id") else v)
    return e


def write(name, records):
    path = OUT / name
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            d = r.to_dict() if hasattr(r, "to_dict") else r
            fh.write(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n")
    ftm = Path(sys.executable).with_name("ftm")
    subprocess.run([str(ftm), "validate", "-i", str(path), "-o", "/dev/null"], check=True)
    print(f"{name}: {len(records)} records, ftm validate reads it")


OUT.mkdir(parents=True, exist_ok=True)

# Bad values: an object where a string belongs, a reference by an id that is
# not a valid FtM id, a date that is not a date.
saud = make("Person", "saud", name="Saud bin Abdulaziz", birthDate="1902-01-15",
            nationality="sa")
office = make("Position", "king", name="King of Saudi Arabia", country="sa")
occ = make("Occupancy", "saud-king", holder=saud, post=office, startDate="1953-11-09")
saud_d = saud.to_dict()
saud_d["properties"]["notes"] = [{"lang": "en", "text": "an object, not a string"}]
saud_d["properties"]["deathDate"] = ["sometime in 1969"]
occ_d = occ.to_dict()
occ_d["properties"]["holder"].append("Ibn Saud (Q151509)")
write("bad_value.ftm.json", [saud_d, office, occ_d])

# Nested entities: Aleph's API puts the entity object where its id belongs.
addr = make("Address", "hq", full="Unter den Linden 1, 10117 Berlin", city="Berlin",
            country="de")
firm = make("Company", "firm", name="Nested Holdings GmbH", jurisdiction="de")
boss = make("Person", "boss", name="Greta Beispiel")
directorship = make("Directorship", "boss-firm", director=boss, organization=firm,
                    role="Managing director")
firm_d = firm.to_dict()
firm_d["properties"]["addressEntity"] = [addr.to_dict()]
dir_d = directorship.to_dict()
dir_d["properties"]["director"] = [boss.to_dict()]
write("nested.ftm.json", [firm_d, dir_d])

# Several dates on one interval, one end before one start.
minister = make("Person", "minister", name="Ana Ministra", alias="A. Ministra")
post = make("Position", "post", name="Minister of Finance")
tenure = make("Occupancy", "tenure", holder=minister, post=post,
              startDate=["2019-10-23", "1970-02"], endDate=["1975-03-25", "2021"])
write("multi_dates.ftm.json", [minister, post, tenure])

# A company owning part of itself.
selfco = make("Company", "selfco", name="Treasury Shares AG", jurisdiction="ch")
own = make("Ownership", "selfco-own", owner=selfco, asset=selfco, percentage="7.5",
           startDate="2020")
write("self_ownership.ftm.json", [selfco, own])

# References to entities the file does not hold.
gone_addr = make("Address", "gone", full="Nowhere 1")
gone_org = make("Organization", "gone-org", name="Absent Org")
member = make("Person", "member", name="Piet Lid", addressEntity=gone_addr)
membership = make("Membership", "member-org", member=member, organization=gone_org,
                  role="board member")
write("missing_ref.ftm.json", [member, membership])
