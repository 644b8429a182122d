//! FollowTheMoney data as people look at it: the round trip through
//! `ftm validate`, display names against the library's captions, `ties show`
//! and search, the explorer's card, exports and snapshots. Real files are the
//! vendored copies in `tests/data/ftm/`; the case fixtures are `tests/fixtures/ftm/cases/`. Tests that
//! compare with the library need `.venv-ftm` (see `tests/ftm.rs`).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use ties::Graph;
use ties::ftm::{FtmSummary, load_ftm};
use ties::search::SearchIndex;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn real(name: &str) -> PathBuf {
    common::data(&format!("ftm/{name}"))
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

/// A `followthemoney` tool of `.venv-ftm`; the test fails without it.
fn venv_bin(tool: &str) -> PathBuf {
    let p = root().join(".venv-ftm/bin").join(tool);
    if !p.exists() {
        common::missing("followthemoney (.venv-ftm)", "run bash .ci/setup-ftm.sh");
    }
    p
}

fn load(path: &Path) -> (Graph, FtmSummary) {
    load_ftm(path).unwrap_or_else(|e| panic!("{} did not load: {e}", path.display()))
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
#[ignore = "needs followthemoney (bash .ci/setup-ftm.sh)"]
fn ftm_round_trip_keeps_entities_and_properties() {
    let ftm = venv_bin("ftm");
    let mut files: Vec<PathBuf> = ["donations.ijson", "opensanctions-subset.ftm.json"]
        .into_iter()
        .map(real)
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
#[ignore = "needs followthemoney (bash .ci/setup-ftm.sh)"]
fn display_names_are_the_library_caption() {
    let python = venv_bin("python");
    let mut files = vec![root().join("tests/fixtures/ftm/small.ftm.json")];
    files.extend(CASES.iter().map(|c| case(c)));
    files.extend(
        ["donations.ijson", "opensanctions-subset.ftm.json"]
            .into_iter()
            .map(real),
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
    let path = real("opensanctions-subset.ftm.json");
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
        "  Nationality: Russia (ru)",
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
    use ties::tui::theme::{Role, Theme};
    let theme = Theme::default();
    let path = real("opensanctions-subset.ftm.json");
    let (screen, badge) = explorer(&path, "NK-2PacmNpiLUmoz4XD2mSt7A", " Sanctioned ");
    assert_eq!(badge.bg, theme.style(Role::Badge).bg, "{screen}");
    assert!(badge.bg.is_some());
    assert!(screen.contains("Created at 2012-03-24"), "{screen}");
    assert!(screen.contains("Country Iran (ir)"), "{screen}");
    // The address the data only refers to: greyed in the list…
    let (_, other) = explorer(
        &path,
        "NK-2PacmNpiLUmoz4XD2mSt7A",
        "addr-9bdb8d404e2618cfce08d3b3d400c1433c634849",
    );
    assert_eq!(other.fg, theme.style(Role::Placeholder).fg);
    assert_ne!(other.fg, theme.style(Role::Kind).fg);
    // …and on its own card.
    let (screen, name) = explorer(
        &path,
        "addr-9bdb8d404e2618cfce08d3b3d400c1433c634849",
        "not in the loaded data",
    );
    assert_eq!(name.fg, theme.style(Role::Placeholder).fg, "{screen}");
    assert_ne!(name.fg, theme.style(Role::Title).fg, "{screen}");
}

#[test]
fn exports_carry_properties_as_attributes() {
    let path = real("opensanctions-subset.ftm.json");
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
    let path = real("opensanctions-subset.ftm.json");
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
