#!/usr/bin/env python3
"""Builds tests/fixtures/ftm/small.ftm.json with the followthemoney library, then
the GEXF that `ftm export-gexf` makes of it (tests/fixtures/ftm/small.gexf):

    bash .ci/setup-ftm.sh
    .venv-ftm/bin/python scripts/ftm/make_fixture.py

The stream is written in an order where relationships come before the things
they link, as FtM streams may. tests/ftm.rs loads it and compares counts with
the GEXF.
"""
import subprocess
import sys
from pathlib import Path

from followthemoney import model
from followthemoney.util import make_entity_id

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/fixtures/ftm/small.ftm.json"
GEXF = ROOT / "tests/fixtures/ftm/small.gexf"
WIRE = "https://example.org/wire/2024-11-24-memorandum"


def make(schema, key, **props):
    e = model.make_entity(schema)
    e.id = make_entity_id("ties-fixture", key)
    for prop, values in props.items():
        if not isinstance(values, list):
            values = [values]
        for v in values:
            e.add(prop, v.id if hasattr(v, "id") else v)
    return e


kasciunas = make(
    "Person", "kasciunas",
    name="Laurynas Kasčiūnas", alias="Laurinas Kaschyunas",
    weakAlias="Kasčiūnas", nationality="lt", birthDate="1982-02",
    sourceUrl=WIRE, publisher="Example Wire",
)
umerov = make(
    "Person", "umerov",
    name="Rustem Umerov", alias="Рустем Умєров", nationality="ua",
    sourceUrl=WIRE, publisher="Example Wire",
)
relative = make("Person", "relative", name="Ona Kasčiūnienė")
adviser = make("Person", "adviser", name="Jonas Patarėjas", publisher="Example Wire")
mod_lt = make(
    "PublicBody", "mod-lt",
    name="Ministry of National Defence of Lithuania",
    alias="Krašto apsaugos ministerija", country="lt",
)
mod_ua = make("PublicBody", "mod-ua", name="Ministry of Defence of Ukraine", country="ua")
coalition = make("Organization", "drone-coalition", name="Drone Coalition")
maker = make(
    "Company", "maker",
    name="Ukroboronprom", alias="Укроборонпром", jurisdiction="ua",
    registrationNumber="12345678",
)
holding = make("Company", "holding", name="Baltic Arms Holding UAB", jurisdiction="lt")
palianytsia = make(
    "Project", "palianytsia",
    name="Palianytsia", summary="Ukrainian rocket-drone programme",
)
vilnius = make(
    "Address", "vilnius", full="Totorių g. 25, Vilnius", city="Vilnius", country="lt",
)
post = make(
    "Position", "minister-lt", name="Minister of National Defence of Lithuania",
    country="lt",
)
talks = make(
    "Event", "kyiv-talks",
    name="Kasčiūnas–Umerov talks in Kyiv", date="2024-11-04",
    involved=[kasciunas, umerov], country="ua",
)
memo = make(
    "Document", "memo", title="Memorandum on a support mechanism", fileName="memo.pdf",
)

things = [
    kasciunas, umerov, relative, adviser, mod_lt, mod_ua, coalition, maker,
    holding, palianytsia, vilnius, post, talks, memo,
]
kasciunas.add("addressEntity", vilnius.id)

links = [
    make(
        "Payment", "tranche-1",
        payer=mod_lt, beneficiary=mod_ua, amount="10000000", currency="EUR",
        date="2024-11-23T10:00:00", programme="Ukraine support mechanism",
        purpose="First tranche", sourceUrl=WIRE, publisher="Example Wire",
    ),
    make(
        "Payment", "tranche-2",
        payer=mod_lt, beneficiary=maker, project=palianytsia,
        amount="5737028", currency="EUR", startDate="2025-02",
        endDate="2025-03",
    ),
    make("Membership", "lt-coalition", member=mod_lt, organization=coalition,
         role="member", startDate="2024"),
    make("Directorship", "umerov-mod", director=umerov, organization=mod_ua,
         role="Minister of Defence", startDate="2023-09-06"),
    make("Ownership", "holding-maker", owner=holding, asset=maker, percentage="12"),
    make("Employment", "adviser-mod", employee=adviser, employer=mod_lt,
         role="Adviser to the minister"),
    make("Representation", "mod-rep", agent=holding, client=mod_lt, role="Procurement agent"),
    make("Family", "family", person=kasciunas, relative=relative, relationship="spouse"),
    make("Associate", "associate", person=kasciunas, associate=umerov,
         relationship="counterpart"),
    make("Occupancy", "occupancy", holder=kasciunas, post=post, startDate="2024-05"),
    make("ProjectParticipant", "pp", participant=maker, project=palianytsia,
         role="producer"),
    make("UnknownLink", "link", subject=coalition, object=palianytsia, role="supports"),
    make("Documentation", "doc", document=memo, entity=mod_lt, role="signatory"),
]

# Relationships first: a stream may name entities before defining them.
with OUT.open("w", encoding="utf-8") as fh:
    for e in links + things:
        import json
        fh.write(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")

ftm = Path(sys.executable).with_name("ftm")
with GEXF.open("w", encoding="utf-8") as fh:
    subprocess.run([str(ftm), "export-gexf", "-i", str(OUT)], stdout=fh, check=True)
gexf = GEXF.read_text(encoding="utf-8")
print(f"{OUT.name}: {len(things)} things, {len(links)} relationships")
print(f"{GEXF.name}: {gexf.count('<node ')} nodes, {gexf.count('<edge ')} edges")
