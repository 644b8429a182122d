//! FollowTheMoney data as investigators have it: the real files in
//! `../shared/data/ftm/` (read in place; a test says so and skips where
//! `../shared` is absent) and the case fixtures `tests/fixtures/ftm/cases/`,
//! made with the `followthemoney` library by `scripts/ftm/make_case_fixtures.py`.
//! Tests that compare with the library need `.venv-ftm` (see `tests/ftm.rs`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use ties::Graph;
use ties::export::to_ftm;
use ties::ftm::{FtmSummary, Issue, is_placeholder, load_ftm};
use ties::model::{EntityKind, RelationKind};
use ties::search::SearchIndex;
use ties::view::{Filter, Reach, subgraph};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A real file, or `None` (and a notice) where `../shared` is absent.
fn real(name: &str) -> Option<PathBuf> {
    let p = root().join("../shared/data/ftm").join(name);
    if p.exists() {
        return Some(p);
    }
    common::missing(
        &format!("../shared/data/ftm/{name}"),
        "the real data lives in ../shared",
    );
    None
}

fn case(name: &str) -> PathBuf {
    root().join("tests/fixtures/ftm/cases").join(name)
}

const CASES: &[&str] = &[
    "bad_value.ftm.json",
    "nested.ftm.json",
    "multi_dates.ftm.json",
    "self_ownership.ftm.json",
    "missing_ref.ftm.json",
];

/// The `followthemoney` tools, or `None` (and a notice) without `.venv-ftm`.
fn venv_bin(tool: &str) -> Option<PathBuf> {
    let p = root().join(".venv-ftm/bin").join(tool);
    if p.exists() {
        return Some(p);
    }
    common::missing("followthemoney (.venv-ftm)", "run bash .ci/setup-ftm.sh");
    None
}

fn load(path: &Path) -> (Graph, FtmSummary) {
    load_ftm(path).unwrap_or_else(|e| panic!("{} did not load: {e}", path.display()))
}

fn by_name<'g>(g: &'g Graph, name: &str) -> ties::graph::NodeIx {
    g.node_indices()
        .find(|&n| g.entity(n).name == name)
        .unwrap_or_else(|| panic!("no entity named {name}"))
}

#[test]
fn donations_load_with_money_from_amount_eur() {
    let Some(path) = real("donations.ijson") else {
        return;
    };
    let (g, s) = load(&path);
    assert_eq!(s.records, 474);
    assert_eq!(s.by_schema["Payment"], 290);
    assert!(s.issues.is_empty(), "{s}");
    assert_eq!((g.node_count(), g.edge_count()), (184, 393));
    let paid: Vec<_> = g
        .edge_indices()
        .filter(|&e| g.relation(e).kind == RelationKind::Finances)
        .collect();
    assert_eq!(paid.len(), 290);
    // Every Payment carries only amountEur: each is money in EUR, the
    // attribute kept too.
    for &e in &paid {
        let r = g.relation(e);
        let a = r.amount.expect("a payment's amount");
        assert_eq!(a.currency.code(), "EUR");
        let eur = r
            .attrs
            .iter()
            .find(|(k, _)| g.sym(*k) == "amountEur")
            .unwrap()
            .1;
        assert_eq!(eur.parse::<f64>().unwrap(), a.value);
    }
    let (code, out, err) = common::ties()
        .arg("--data")
        .arg(&path)
        .args(["money", "MLPD"])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("2005-08-08") && out.contains("€175,000"),
        "{out}"
    );
    assert!(out.contains("from Herr Michael May"), "{out}");
    assert!(
        out.contains("total in EUR, transferred: €3,368,136.15"),
        "{out}"
    );
    let (code, _, err) = common::ties().arg("--data").arg(&path).arg("check").run();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("474 FtM records → 184 entities, 393 relations"),
        "{err}"
    );
    assert!(!err.contains("problems worked around"), "{err}");
    // Gzip-compressed, under a name that says nothing: recognised by content.
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("donations.data");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &std::fs::read(&path).unwrap()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let (code, _, err) = common::ties().arg("--data").arg(&gz).arg("check").run();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("474 FtM records → 184 entities"), "{err}");
}

#[test]
fn sanctions_subset_shows_captions_and_missing_addresses_as_placeholders() {
    let Some(path) = real("opensanctions-subset.ftm.json") else {
        return;
    };
    let (g, s) = load(&path);
    assert_eq!(s.records, 7);
    assert_eq!(s.placeholders, 2);
    assert_eq!(s.count(Issue::Missing), 2);
    assert_eq!(s.issues[&Issue::Missing].lines, [1, 7]);
    assert_eq!(s.issues.len(), 1, "{s}");
    assert!(s.to_string().contains(
        "2 references to entities not in the loaded data (shown as placeholders): lines 1, 7"
    ));
    // Display names are the records' captions, not their first names.
    for line in std::fs::read_to_string(&path).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let n = g.find(v["id"].as_str().unwrap()).unwrap();
        assert_eq!(g.entity(n).name, v["caption"].as_str().unwrap());
    }
    let tatiana = g.entity(by_name(&g, "Tatiana Vladimirovna ZJURAVLEVA"));
    assert!(
        tatiana
            .aliases
            .iter()
            .any(|a| a == "Татьяна Владимировна ЖУРАВЛЕВА")
    );
    // The missing addresses: places, known by id, with nothing else.
    for id in [
        "addr-125caec37c3486d3a71de8ae943eec47f420b38a",
        "addr-9bdb8d404e2618cfce08d3b3d400c1433c634849",
    ] {
        let n = g.find(id).unwrap();
        assert!(is_placeholder(&g, n));
        let e = g.entity(n);
        assert_eq!(e.kind, EntityKind::Place);
        assert!(e.date.is_none() && e.aliases.is_empty());
        assert!(g.source_list(e.sources).is_empty());
        assert_eq!(g.degree(n), 1);
    }
    let index = SearchIndex::build(&g);
    let first = |q: &str| {
        let hits = index.search(&g, q, 5, &|_| true);
        hits.first().map(|h| g.entity(h.node).id.to_string())
    };
    // By caption, by an alias in another script, without diacritics.
    assert_eq!(first("IRGC").as_deref(), Some("NK-2PacmNpiLUmoz4XD2mSt7A"));
    assert_eq!(
        first("Iranian Revolutionary Guard").as_deref(),
        Some("NK-2PacmNpiLUmoz4XD2mSt7A")
    );
    assert_eq!(
        first("Интер Тобако").as_deref(),
        Some("NK-2GdmHtZTeNXjNVrBGEXZNj")
    );
    assert_eq!(
        first("pachodavova").as_deref(),
        Some("NK-2Mht2rqBeravCTdyQAWc4o")
    );
    let (code, _, err) = common::ties().arg("--data").arg(&path).arg("check").run();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 problems worked around"), "{err}");
    assert!(
        err.contains(
            "ties: 2 references to entities not in the loaded data (shown as placeholders): lines 1, 7"
        ),
        "{err}"
    );
    let (code, _, err) = common::ties()
        .arg("--data")
        .arg(&path)
        .args(["check", "--strict"])
        .run();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("opensanctions-subset.ftm.json:1:1: a reference to an entity not in the data"),
        "{err}"
    );
    assert!(err.contains("opensanctions-subset.ftm.json:7:1"), "{err}");
}

#[test]
fn bad_values_are_dropped_and_noted() {
    let (g, s) = load(&case("bad_value.ftm.json"));
    assert_eq!(s.issues[&Issue::BadValue].lines, [1]);
    assert_eq!(s.issues[&Issue::BadDate].lines, [1]);
    assert_eq!(s.issues[&Issue::InvalidRef].lines, [3]);
    let saud = g.entity(by_name(&g, "Saud bin Abdulaziz"));
    assert!(saud.note.is_none());
    let attr = |k: &str| {
        saud.attrs
            .iter()
            .find(|(s, _)| g.sym(*s) == k)
            .map(|(_, v)| v)
    };
    assert_eq!(attr("birthDate"), Some("1902-01-15"));
    assert_eq!(attr("deathDate"), None);
    // The occupancy keeps its valid holder; the invalid id is not an entity.
    assert_eq!(g.edge_count(), 1);
    assert!(g.find("Ibn Saud (Q151509)").is_none());
}

#[test]
fn nested_entities_are_unwrapped() {
    let (g, s) = load(&case("nested.ftm.json"));
    assert_eq!(s.issues[&Issue::Nested].lines, [1, 2]);
    assert_eq!(s.placeholders, 0);
    let firm = by_name(&g, "Nested Holdings GmbH");
    let addr = by_name(&g, "Unter den Linden 1, 10117 Berlin");
    let greta = by_name(&g, "Greta Beispiel");
    assert!(g.ties(firm).any(|t| t.other == addr));
    let d = g.ties(greta).find(|t| t.other == firm).unwrap();
    let r = g.relation(d.edge);
    assert_eq!(r.kind, RelationKind::HoldsOffice);
    assert_eq!(g.sym(r.role.unwrap()), "Managing director");
}

#[test]
fn several_dates_make_a_span_with_every_value_kept() {
    let (g, s) = load(&case("multi_dates.ftm.json"));
    assert_eq!(s.issues[&Issue::SeveralDates].lines, [3]);
    assert_eq!(s.issues[&Issue::EndBeforeStart].lines, [3]);
    let e = g.edge_indices().next().unwrap();
    let r = g.relation(e);
    assert_eq!(r.date.unwrap().to_string(), "1970-02");
    assert_eq!(r.until.unwrap().to_string(), "2021");
    let mut kept: Vec<String> = r
        .attrs
        .iter()
        .map(|(k, v)| format!("{}={v}", g.sym(k)))
        .filter(|kv| kv.contains("Date="))
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            "endDate=1975-03-25",
            "endDate=2021",
            "startDate=1970-02",
            "startDate=2019-10-23"
        ]
    );
}

#[test]
fn self_ownership_is_a_loop() {
    let (g, s) = load(&case("self_ownership.ftm.json"));
    assert_eq!(s.issues[&Issue::Loop].lines, [2]);
    assert_eq!((g.node_count(), g.edge_count()), (1, 1));
    let e = g.edge_indices().next().unwrap();
    let (a, b) = g.ends(e);
    assert_eq!(a, b);
    let r = g.relation(e);
    assert_eq!(r.kind, RelationKind::Owns);
    assert!(
        r.attrs
            .iter()
            .any(|(k, v)| g.sym(k) == "percentage" && v == "7.5")
    );
}

#[test]
fn missing_references_are_placeholders_paths_go_through() {
    let (g, s) = load(&case("missing_ref.ftm.json"));
    assert_eq!(s.issues[&Issue::Missing].lines, [1, 2]);
    let piet = by_name(&g, "Piet Lid");
    let others: Vec<_> = g.ties(piet).map(|t| t.other).collect();
    assert_eq!(others.len(), 2);
    let kinds: Vec<EntityKind<_>> = others.iter().map(|&n| g.entity(n).kind).collect();
    assert!(kinds.contains(&EntityKind::Place) && kinds.contains(&EntityKind::Organisation));
    assert!(others.iter().all(|&n| is_placeholder(&g, n)));
    // Exports keep the references but invent no entity for them.
    let sub = subgraph(&g, None, 1, Reach::Both, &Filter::default());
    let text = to_ftm(&g, &sub);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("ddb796c055081993f3c130d85bfbaca55bf43754"));
}

#[test]
fn strict_refuses_every_case_with_line_numbers() {
    for (name, lines) in [
        ("bad_value.ftm.json", &[1, 3][..]),
        ("nested.ftm.json", &[1, 2]),
        ("multi_dates.ftm.json", &[3]),
        ("self_ownership.ftm.json", &[2]),
        ("missing_ref.ftm.json", &[1, 2]),
    ] {
        let path = case(name);
        let (code, _, err) = common::ties().arg("--data").arg(&path).arg("check").run();
        assert_eq!(code, 0, "{name}: {err}");
        assert!(err.contains("problems worked around"), "{err}");
        let (code, _, err) = common::ties()
            .arg("--data")
            .arg(&path)
            .args(["check", "--strict"])
            .run();
        assert_eq!(code, 2, "{name}: {err}");
        for l in lines {
            assert!(err.contains(&format!("{name}:{l}:1: ")), "{err}");
        }
    }
}

/// `id → (schema, {property: sorted values})` as `ftm validate` writes `path`.
fn validated(ftm: &Path, path: &Path) -> std::collections::BTreeMap<String, serde_json::Value> {
    let out = Command::new(ftm)
        .arg("validate")
        .arg("-i")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            for vals in v["properties"].as_object_mut().unwrap().values_mut() {
                vals.as_array_mut()
                    .unwrap()
                    .sort_by_key(|x| x.as_str().unwrap_or_default().to_string());
            }
            let id = v["id"].as_str().unwrap().to_string();
            (id, serde_json::json!([v["schema"], v["properties"]]))
        })
        .collect()
}

#[test]
fn ftm_round_trip_keeps_entities_and_properties() {
    let Some(ftm) = venv_bin("ftm") else {
        return;
    };
    let mut files: Vec<PathBuf> = ["donations.ijson", "opensanctions-subset.ftm.json"]
        .into_iter()
        .filter_map(real)
        .collect();
    // Not bad_value (an invalid own id is hashed) nor nested (nested
    // entities become records of their own, which `ftm validate` drops).
    files.extend(
        [
            "multi_dates.ftm.json",
            "self_ownership.ftm.json",
            "missing_ref.ftm.json",
        ]
        .map(case),
    );
    let dir = tempfile::tempdir().unwrap();
    for input in files {
        let out = dir.path().join("out.ftm.json");
        let _ = std::fs::remove_file(&out);
        let (code, _, err) = common::ties()
            .arg("--data")
            .arg(&input)
            .args(["export", "--format", "ftm", "-o"])
            .arg(&out)
            .run();
        assert_eq!(code, 0, "{err}");
        let (want, got) = (validated(&ftm, &input), validated(&ftm, &out));
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            got.keys().collect::<Vec<_>>(),
            "{}",
            input.display()
        );
        for (id, w) in &want {
            assert_eq!(w, &got[id], "{}: entity {id}", input.display());
        }
    }
}

#[test]
fn display_names_are_the_library_caption() {
    let Some(python) = venv_bin("python") else {
        return;
    };
    let mut files = vec![root().join("tests/fixtures/ftm/small.ftm.json")];
    files.extend(CASES.iter().map(|c| case(c)));
    files.extend(
        ["donations.ijson", "opensanctions-subset.ftm.json"]
            .into_iter()
            .filter_map(real),
    );
    // The library's caption of every thing (nested ones too), from its
    // properties alone; records' `caption` fields are left out on both sides.
    let script = r#"
import json, sys
from followthemoney import model
def walk(d):
    for vs in d.get("properties", {}).values():
        for v in vs:
            if isinstance(v, dict) and "id" in v:
                yield from walk(v)
    yield d
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        for d in walk(json.loads(line)):
            p = model.get_proxy(d, cleaned=False)
            if p.schema.edge:
                continue
            shown = any(p.get(c) for c in p.schema.caption)
            print(json.dumps([path, d["id"], p.caption, shown], ensure_ascii=False))
"#;
    let dir = tempfile::tempdir().unwrap();
    let mut args = Vec::new();
    for (i, f) in files.iter().enumerate() {
        // Without the `caption` fields, so that ties applies the caption rule.
        let text: String = std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("caption");
                format!("{v}\n")
            })
            .collect();
        let p = dir.path().join(format!("{i}.ftm.json"));
        std::fs::write(&p, text).unwrap();
        args.push(p);
    }
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut graphs = std::collections::HashMap::new();
    let mut checked = 0;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let row: (String, String, String, bool) = serde_json::from_str(line).unwrap();
        let (path, id, caption, has_value) = row;
        let g = graphs
            .entry(path.clone())
            .or_insert_with(|| load(Path::new(&path)).0);
        let n = g.find(&id).unwrap_or_else(|| panic!("{id} not loaded"));
        let name = g.entity(n).name;
        if has_value {
            assert_eq!(name, caption, "{path}: {id}");
        } else {
            // No caption property has a value: the library shows the schema's
            // label, ties the id.
            assert_eq!(name, id);
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} entities compared");
}

#[test]
fn show_and_search_list_properties_with_labels_and_badges() {
    let Some(path) = real("opensanctions-subset.ftm.json") else {
        return;
    };
    let (code, out, err) = common::ties()
        .arg("--data")
        .arg(&path)
        .args(["show", "Kuzmenko"])
        .run();
    assert_eq!(code, 0, "{err}");
    for want in [
        "Vitaly Yurievich KUZMENKO  (person, id NK-2Ka3UvopqbpZmVDFjWd4LA)",
        "  [Sanctioned]",
        "  Birth date: 1971-01-22",
        "  Nationality: ru",
        "  Position: General Director of JSC 163 Armor Repair Plant",
        "  Gender: male",
    ] {
        assert!(out.lines().any(|l| l == want), "`{want}` in:\n{out}");
    }
    let (code, out, err) = common::ties()
        .arg("--data")
        .arg(&path)
        .args(["show", "IRGC"])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "—located in→ addr-9bdb8d404e2618cfce08d3b3d400c1433c634849 (not in the loaded data)"
        ),
        "{out}"
    );
    let (code, out, err) = common::ties()
        .arg("--data")
        .arg(&path)
        .args(["search", "pachodavova"])
        .run();
    assert_eq!(code, 0, "{err}");
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.contains("Svjatlana Paulauna PACHODAVA") && first.ends_with("[Sanctioned]"),
        "{out}"
    );
    let (code, out, err) = common::ties()
        .arg("--data")
        .arg(case("self_ownership.ftm.json"))
        .args(["show", "Treasury Shares"])
        .run();
    assert_eq!(code, 0, "{err}");
    let owns: Vec<&str> = out.lines().filter(|l| l.contains("—owns→")).collect();
    assert_eq!(owns.len(), 1, "a loop is listed once:\n{out}");
    assert!(owns[0].contains("{Percentage held: 7.5}"), "{out}");
}

/// The explorer's screen on `focus` of an FtM file, as text, and the style of
/// the first cell showing `needle`.
fn explorer(path: &Path, focus: &str, needle: &str) -> (String, ratatui::style::Style) {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use std::sync::Arc;
    use ties::tui::{App, KeyMap, ui};
    let graph = Arc::new(load(path).0);
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find(focus);
    let mut app = App::new(graph, index, KeyMap::default_map(), focus).unwrap();
    let mut t = Terminal::new(TestBackend::new(160, 40)).unwrap();
    let mut info = ui::FrameInfo::default();
    t.draw(|f| info = ui::draw(&app, f)).unwrap();
    app.after_draw(info);
    let buf = t.backend().buffer();
    let mut text = String::new();
    let mut style = None;
    for y in 0..buf.area.height {
        let mut row = String::new();
        for x in 0..buf.area.width {
            row.push_str(buf[(x, y)].symbol());
        }
        if style.is_none()
            && let Some(i) = row.find(needle)
        {
            let x = row[..i].chars().count() as u16;
            style = Some(buf[(x, y)].style());
        }
        text.push_str(&row);
        text.push('\n');
    }
    let style = style.unwrap_or_else(|| panic!("`{needle}` not on screen:\n{text}"));
    (text, style)
}

#[test]
fn explorer_card_shows_properties_badges_and_greys_placeholders() {
    use ratatui::style::Color;
    let Some(path) = real("opensanctions-subset.ftm.json") else {
        return;
    };
    let (screen, badge) = explorer(&path, "NK-2PacmNpiLUmoz4XD2mSt7A", " Sanctioned ");
    assert_eq!(badge.bg, Some(Color::LightYellow), "{screen}");
    assert!(screen.contains("Created at 2012-03-24"), "{screen}");
    assert!(screen.contains("Country ir"), "{screen}");
    // The address the data only refers to: greyed in the list…
    let (_, other) = explorer(
        &path,
        "NK-2PacmNpiLUmoz4XD2mSt7A",
        "addr-9bdb8d404e2618cfce08d3b3d400c1433c634849",
    );
    assert_eq!(other.fg, Some(Color::DarkGray));
    // …and on its own card.
    let (screen, name) = explorer(
        &path,
        "addr-9bdb8d404e2618cfce08d3b3d400c1433c634849",
        "not in the loaded data",
    );
    assert_eq!(name.fg, Some(Color::DarkGray), "{screen}");
}

#[test]
fn exports_carry_properties_as_attributes() {
    let Some(path) = real("opensanctions-subset.ftm.json") else {
        return;
    };
    let export = |format: &str| {
        let (code, out, err) = common::ties()
            .arg("--data")
            .arg(&path)
            .args(["export", "--format", format])
            .run();
        assert_eq!(code, 0, "{err}");
        out
    };
    let graphml = export("graphml");
    let key = graphml
        .lines()
        .find(|l| l.contains("attr.name=\"birthDate\""))
        .unwrap_or_else(|| panic!("no birthDate key:\n{graphml}"));
    let id = key.split('"').nth(1).unwrap();
    assert!(graphml.contains(&format!("<data key=\"{id}\">1971-01-22</data>")));
    assert!(graphml.contains("attr.name=\"topics\""));
    assert!(graphml.contains("attr.name=\"ties_placeholder\""));
    assert!(!graphml.contains("ftm_names"), "bookkeeping stays out");
    let dot = export("dot");
    assert!(dot.contains("\"birthDate\"=\"1971-01-22\""), "{dot}");
    assert!(dot.contains("\"topics\"=\"sanction\""), "{dot}");
    let json = export("json");
    assert!(json.contains("\"birthDate\""), "{json}");
}

#[test]
fn a_second_open_comes_from_the_snapshot_with_the_same_notes() {
    let Some(path) = real("opensanctions-subset.ftm.json") else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        common::ties()
            .env("TIES_CACHE_DIR", cache.path())
            .env("TIES_SNAPSHOT_MIN", "1")
            .env("TIES_LOAD_STATS", "1")
            .arg("--data")
            .arg(&path)
            .args(args)
            .run()
    };
    let (code, first, err1) = run(&["check"]);
    assert_eq!(code, 0, "{err1}");
    assert!(!err1.contains("read the snapshot"), "{err1}");
    let (code, again, err2) = run(&["check"]);
    assert_eq!(code, 0, "{err2}");
    assert!(err2.contains("read the snapshot"), "{err2}");
    assert_eq!(first, again);
    let notes = |e: &str| -> Vec<String> {
        e.lines()
            .filter(|l| l.contains("FtM records") || l.contains("placeholders"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(notes(&err1).len(), 2, "{err1}");
    assert_eq!(notes(&err1), notes(&err2));
    let (_, show, _) = run(&["show", "IRGC"]);
    assert!(show.contains("(not in the loaded data)") && show.contains("[Sanctioned]"));
    // --strict reads the data itself.
    let (code, _, err) = run(&["check", "--strict"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("opensanctions-subset.ftm.json:7:1"), "{err}");
}

#[test]
fn relationship_fragments_merge_until_built_and_are_noted_after() {
    use std::io::Cursor;
    let text = concat!(
        r#"{"id":"m1","schema":"Membership","properties":{"member":["a"],"organization":["o"]}}"#,
        "\n",
        r#"{"id":"a","schema":"Person","properties":{"name":["A"]}}"#,
        "\n",
        r#"{"id":"o","schema":"Organization","properties":{"name":["O"]}}"#,
        "\n",
        r#"{"id":"m1","schema":"Membership","properties":{"role":["chair"]}}"#,
        "\n",
        r#"{"id":"m2","schema":"Membership","properties":{"member":["a"],"organization":["o"]}}"#,
        "\n",
        r#"{"id":"m2","schema":"Membership","properties":{"role":["treasurer"]}}"#,
        "\n",
    );
    let (g, s) = ties::ftm::load_ftm_reader(Cursor::new(text), "t.ftm.json").unwrap();
    // m1 was held (its parties came later) and took its fragment in; m2 was
    // built at once, so its later fragment is kept as a record of its own
    // (a node, since it names no parties), and noted.
    assert_eq!(s.fragments_merged, 1);
    assert_eq!(s.issues[&Issue::LateFragment].lines, [6]);
    assert_eq!(g.edge_count(), 2);
    let m1 = g
        .edge_indices()
        .find(|&e| g.relation(e).id == Some("m1"))
        .unwrap();
    assert_eq!(g.sym(g.relation(m1).role.unwrap()), "chair");
    assert!(g.find("m2").is_some());
}
