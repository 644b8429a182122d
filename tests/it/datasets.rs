//! Several datasets in one picture (issue 26): `--data` given again, each
//! input a dataset kept on every row, FtM ids merged across inputs as
//! followthemoney merges proxies, `--datasets`, self-loops kept by every
//! reader, and the FtM round trip of multi-party relationships.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::common;
use crate::common::screen::screen;
use ties::open::{Input, OpenOptions, Source, open};
use ties::search::SearchIndex;
use ties::tui::{App, KeyMap};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn three() -> [PathBuf; 3] {
    [
        common::data("ftm/donations.ijson"),
        common::data("ftm/opensanctions-subset.ftm.json"),
        common::data("gexf/LesMiserables.gexf"),
    ]
}

/// Runs `ties` with `--data` for each of `data`, then `args`; its output.
fn ties(data: &[&Path], args: &[&str]) -> (i32, String, String) {
    let mut t = common::ties().arg("--no-cache");
    for d in data {
        t = t.arg("--data").arg(d);
    }
    t.args(args).run()
}

/// `(entities, relations)` from `ties check`'s first line.
fn counts(out: &str) -> (usize, usize) {
    let line = out.lines().next().unwrap_or_default();
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(line.starts_with("valid: ") && nums.len() >= 2, "{out}");
    (nums[0], nums[1])
}

/// The merges the load summary reports.
fn merges(err: &str) -> usize {
    let line = err
        .lines()
        .find(|l| l.contains("held by more than one input merged"))
        .unwrap_or_else(|| panic!("no merge count in {err}"));
    let before = line.split(';').nth(1).unwrap_or_default().trim();
    before
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"))
}

#[test]
fn three_inputs_count_the_sum_less_the_merges_and_each_dataset_its_own() {
    let files = three();
    let firsts: Vec<String> = files
        .iter()
        .map(|f| {
            let (code, out, err) = ties(&[f], &["check"]);
            assert_eq!(code, 0, "{err}");
            out.lines().next().unwrap_or_default().to_string()
        })
        .collect();
    let alone: Vec<(usize, usize)> = firsts.iter().map(|l| counts(l)).collect();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (code, out, err) = ties(&refs, &["check"]);
    assert_eq!(code, 0, "{err}");
    let (entities, relations) = counts(&out);
    let merged = merges(&err);
    let sum = |f: fn(&(usize, usize)) -> usize| alone.iter().map(f).sum::<usize>();
    assert_eq!(entities, sum(|c| c.0) - merged, "{err}");
    assert_eq!(relations, sum(|c| c.1), "{err}");
    assert!(
        err.contains(
            "datasets: donations 184 entities, eu_fsf 9 entities, LesMiserables 77 entities"
        ),
        "{err}"
    );
    // One dataset shown: that file's own counts. The OpenSanctions file's
    // records name their dataset, `eu_fsf`; the others are named by file.
    // (Entities, relations and sources: `check`'s whole first line.)
    for (name, own) in ["donations", "eu_fsf", "LesMiserables"].iter().zip(&firsts) {
        let (code, out, err) = ties(&refs, &["--datasets", name, "check"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.lines().next(), Some(own.as_str()), "--datasets {name}");
    }
    let (code, _, err) = ties(&refs, &["--datasets", "kek", "check"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("unknown dataset `kek`") && err.contains("eu_fsf"),
        "{err}"
    );
}

#[test]
fn show_and_the_card_name_the_dataset_and_provenance() {
    let files = three();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    // GEXF ids are local to their file: prefixed with the dataset.
    let (code, out, err) = ties(&refs, &["show", "LesMiserables:0.0"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Myriel"), "{out}");
    assert!(out.contains("  in LesMiserables\n"), "{out}");
    // The OpenSanctions records carry when they were seen and changed.
    let (code, out, err) = ties(&refs, &["show", "NK-2GdmHtZTeNXjNVrBGEXZNj"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "in eu_fsf · first seen 2023-04-20 · last seen 2024-06-01 · changed 2023-07-26 · 9 referents"
        ),
        "{out}"
    );
    // The explorer's card says the same.
    let inputs: Vec<Input> = files
        .iter()
        .map(|f| Input::parse(&f.to_string_lossy()))
        .collect();
    let opened = open(Source::Inputs(inputs), &OpenOptions::default(), &mut ()).unwrap();
    let graph = Arc::clone(&opened.graph);
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find("LesMiserables:0.0");
    let mut app = App::new(graph, index, KeyMap::default_map(), focus).unwrap();
    let s = screen(&mut app, 120, 20);
    assert!(
        s.contains("Myriel") && s.contains("in LesMiserables"),
        "{s}"
    );
}

#[test]
fn local_ids_get_their_dataset_as_prefix_and_a_name_given_names_the_input() {
    let gexf = fixture("import/loops/loop.gexf");
    let a = format!("left={}", gexf.display());
    let b = format!("right={}", gexf.display());
    let (code, out, err) = common::ties()
        .args([
            "--no-cache",
            "--data",
            &a,
            "--data",
            &b,
            "export",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut ids: Vec<&str> = doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["left:a", "left:b", "right:a", "right:b"]);
    assert_eq!(doc["nodes"][0]["datasets"], serde_json::json!(["left"]));
    assert!(
        err.contains("0 entities held by more than one input merged"),
        "{err}"
    );
    // The same file twice without names: both would be `loop`.
    let (code, _, err) = ties(&[&gexf, &gexf], &["check"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("are both named `loop`") && err.contains("NAME=PATH"),
        "{err}"
    );
}

#[test]
fn an_ftm_id_in_two_files_is_one_entity_in_the_common_schema() {
    let (l, r) = (
        fixture("ftm/cases/merge_left.ftm.json"),
        fixture("ftm/cases/merge_right.ftm.json"),
    );
    let (code, out, err) = ties(&[&l, &r], &["export", "--format", "ftm"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("2 entities held by more than one input merged"),
        "{err}"
    );
    let anna: serde_json::Value = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["id"] == "os-anna-berg")
        .unwrap();
    // LegalEntity and Person: Person, the more specific.
    assert_eq!(anna["schema"], "Person");
    assert_eq!(
        anna["datasets"],
        serde_json::json!(["register", "sanctions"])
    );
    assert_eq!(anna["first_seen"], "2021-06-01T00:00:00");
    assert_eq!(anna["last_seen"], "2024-02-11T00:00:00");
    assert_eq!(anna["referents"], serde_json::json!(["reg-17", "san-9"]));
    let p = &anna["properties"];
    assert_eq!(
        p["name"],
        serde_json::json!(["Anna Berg", "Anna Maria Berg"])
    );
    assert_eq!(p["country"], serde_json::json!(["de", "at"]));
    assert_eq!(p["birthDate"], serde_json::json!(["1970-05-04"]));
    // Person and Company have no common schema: the first kept, both lines
    // named (and refused under --strict).
    let (code, _, err) = ties(&[&l, &r], &["check", "--strict"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("`os-clash`: Person (")
            && err.contains("merge_left.ftm.json:3")
            && err.contains("merge_right.ftm.json:2"),
        "{err}"
    );
}

/// A `followthemoney` tool from `.venv-ftm` (the test fails without it: it
/// runs only with `--ignored`).
fn ftm_tool(tool: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".venv-ftm/bin")
        .join(tool);
    if !p.exists() {
        common::missing("followthemoney (.venv-ftm)", "run bash .ci/setup-ftm.sh");
    }
    p
}

/// An FtM entity as compared: schema, sorted values of each property, sorted
/// datasets and referents, and the dates it was seen.
fn comparable(v: &serde_json::Value) -> serde_json::Value {
    let mut props = v["properties"].as_object().cloned().unwrap_or_default();
    for vals in props.values_mut() {
        if let Some(a) = vals.as_array_mut() {
            a.sort_by_key(|x| x.as_str().unwrap_or_default().to_string());
        }
    }
    let sorted = |k: &str| {
        let mut a = v[k].as_array().cloned().unwrap_or_default();
        a.sort_by_key(|x| x.as_str().unwrap_or_default().to_string());
        a
    };
    serde_json::json!({
        "schema": v["schema"],
        "properties": props,
        "datasets": sorted("datasets"),
        "referents": sorted("referents"),
        "first_seen": v["first_seen"],
        "last_seen": v["last_seen"],
        "last_change": v["last_change"],
    })
}

#[test]
#[ignore = "needs followthemoney"]
fn the_merged_entity_equals_followthemoneys_own_merge() {
    let python = ftm_tool("python");
    let (l, r) = (
        fixture("ftm/cases/merge_left.ftm.json"),
        fixture("ftm/cases/merge_right.ftm.json"),
    );
    let script = r#"
import json, sys
from followthemoney import ValueEntity
first = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
second = {d["id"]: d for d in (json.loads(l) for l in open(sys.argv[2]) if l.strip())}
for d in first:
    e = ValueEntity.from_dict(d)
    if d["id"] in second:
        try:
            e.merge(ValueEntity.from_dict(second[d["id"]]))
        except Exception:
            continue
    print(json.dumps(e.to_dict()))
"#;
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&l)
        .arg(&r)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (code, got, err) = ties(&[&l, &r], &["export", "--format", "ftm"]);
    assert_eq!(code, 0, "{err}");
    let got: std::collections::BTreeMap<String, serde_json::Value> = got
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| (v["id"].as_str().unwrap().to_string(), v))
        .collect();
    assert_eq!(want.len(), 2, "the library merged Anna and kept Radio Nord");
    for w in &want {
        let id = w["id"].as_str().unwrap();
        assert_eq!(comparable(w), comparable(&got[id]), "entity {id}");
    }
}

/// `id → comparable entity` as `ftm validate` writes `path`.
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
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| (v["id"].as_str().unwrap().to_string(), comparable(&v)))
        .collect()
}

#[test]
#[ignore = "needs followthemoney"]
fn multi_party_ownerships_round_trip_through_ftm_validate() {
    let ftm = ftm_tool("ftm");
    let input = fixture("ftm/cases/multi_party_ownership.ftm.json");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ftm.json");
    let (code, _, err) = common::ties()
        .arg("--no-cache")
        .arg("--data")
        .arg(&input)
        .args(["export", "--format", "ftm", "-o"])
        .arg(&out)
        .run();
    assert_eq!(code, 0, "{err}");
    let (want, got) = (validated(&ftm, &input), validated(&ftm, &out));
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>()
    );
    for (id, w) in &want {
        assert_eq!(w, &got[id], "entity {id}");
    }
}

#[test]
fn a_multi_party_ownership_goes_back_out_as_an_ownership() {
    let input = fixture("ftm/cases/multi_party_ownership.ftm.json");
    let (code, out, err) = ties(&[&input], &["export", "--format", "ftm"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("1 relationship linked more than two parties"),
        "{err}"
    );
    let own: serde_json::Value = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["id"] == "kek-own-1")
        .unwrap();
    assert_eq!(own["schema"], "Ownership");
    let p = &own["properties"];
    assert_eq!(p["owner"], serde_json::json!(["kek-p-anna", "kek-p-ben"]));
    assert_eq!(p["asset"], serde_json::json!(["kek-c-radio", "kek-c-tv"]));
    assert_eq!(p["percentage"], serde_json::json!(["50"]));
    assert_eq!(p["role"], serde_json::json!(["shareholder"]));
    assert_eq!(own["datasets"], serde_json::json!(["kek"]));
    assert_eq!(own["first_seen"], "2023-04-01T00:00:00");
}

#[test]
fn records_naming_no_dataset_go_back_out_naming_none() {
    // The donations' records carry no `datasets`: the export adds none, read
    // parsed or from a snapshot.
    let input = common::data("ftm/donations.ijson");
    let cache = tempfile::tempdir().unwrap();
    for pass in ["parsed", "from the snapshot"] {
        let (code, out, err) = common::ties()
            .env("TIES_CACHE_DIR", cache.path())
            .env("TIES_SNAPSHOT_MIN", "0")
            .arg("--data")
            .arg(&input)
            .args(["export", "--format", "ftm"])
            .run();
        assert_eq!(code, 0, "{pass}: {err}");
        assert_eq!(out.lines().count(), 474, "{pass}");
        assert!(!out.contains("\"datasets\""), "{pass}: {out}");
    }
    // The dataset is still the file's for filters and the card.
    let (code, out, err) = ties(&[&input], &["--datasets", "donations", "check"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(counts(&out), (184, 393), "{out}");
}

#[test]
fn datasets_the_records_name_go_back_out_even_when_the_file_has_their_name() {
    // `kek.ftm.json`'s records say `datasets: ["kek"]`, the name its file stem
    // gives it too: the export must still write what the records said.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("kek.ftm.json");
    std::fs::copy(fixture("ftm/cases/multi_party_ownership.ftm.json"), &input).unwrap();
    let (code, out, err) = ties(&[&input], &["export", "--format", "ftm"]);
    assert_eq!(code, 0, "{err}");
    let by_id = |text: &str| -> std::collections::BTreeMap<String, serde_json::Value> {
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|v| (v["id"].as_str().unwrap().to_string(), v["datasets"].clone()))
            .collect()
    };
    let want = by_id(&std::fs::read_to_string(&input).unwrap());
    let got = by_id(&out);
    assert!(want.values().any(|d| *d == serde_json::json!(["kek"])));
    assert_eq!(want, got);
}

#[test]
fn self_loops_are_kept_exported_and_read_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    for (input, format, out) in [
        ("import/loops/networkx_loop.graphml", "graphml", "x.graphml"),
        ("import/loops/neo4j", "csv", "xcsv"),
        ("import/loops/loop.gexf", "gexf", "x.gexf"),
        ("import/loops/self_loop.ron", "ron", "x.ron"),
    ] {
        let input = fixture(input);
        let out = dir.path().join(out);
        let (code, check, err) = ties(&[&input], &["check"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            counts(&check).1,
            if format == "ron" { 1 } else { 2 },
            "{err}"
        );
        if format != "ron" {
            assert!(err.contains("1 edge from a node to itself kept"), "{err}");
        }
        let (code, _, err) = ties(
            &[&input],
            &["export", "--format", format, "-o", out.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{err}");
        let json = |p: &Path| {
            let (code, out, err) = ties(&[p], &["export", "--format", "json"]);
            assert_eq!(code, 0, "{}: {err}", p.display());
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let edges = v["edges"].as_array().unwrap().clone();
            assert!(
                edges.iter().any(|e| e["source"] == e["target"]),
                "{}: no loop in {out}",
                p.display()
            );
            v
        };
        assert_eq!(json(&input), json(&out), "{format}");
        if format == "ron" {
            continue;
        }
        // Listed once by `show`.
        let id = if format == "csv" { "c1" } else { "a" };
        let (code, shown, err) = ties(&[&input], &["show", id]);
        assert_eq!(code, 0, "{err}");
        let name = ties(&[&input], &["export", "--format", "json"]).1;
        let v: serde_json::Value = serde_json::from_str(&name).unwrap();
        let own = v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .unwrap()["name"]
            .as_str()
            .unwrap()
            .to_string();
        let loops = shown
            .lines()
            .filter(|l| l.matches(own.as_str()).count() >= 1 && !l.starts_with(own.as_str()))
            .count();
        assert_eq!(loops, 1, "{format}: {shown}");
    }
}

#[test]
fn ron_and_json_exports_carry_datasets_and_read_back() {
    let (l, g) = (
        fixture("ftm/cases/merge_left.ftm.json"),
        fixture("import/loops/loop.gexf"),
    );
    let dir = tempfile::tempdir().unwrap();
    let ron = dir.path().join("both.ron");
    let (code, _, err) = ties(
        &[&l, &g],
        &["export", "--format", "ron", "-o", ron.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    for (name, want) in [("register", (3, 0)), ("loop", (2, 2))] {
        let (code, out, err) = ties(&[&l, &g], &["--datasets", name, "check"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(counts(&out), want, "{name} before");
        let (code, out, err) = ties(&[&ron], &["--datasets", name, "check"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(counts(&out), want, "{name} read back from RON");
    }
    // What `--datasets` leaves out is not exported either.
    let (code, out, err) = ties(
        &[&l, &g],
        &["--datasets", "loop", "export", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["nodes"].as_array().unwrap().len(), 2);
    assert!(
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["datasets"] == serde_json::json!(["loop"]))
    );
}

#[test]
fn the_explorer_filters_by_dataset_and_says_so() {
    use ties::tui::Action;
    let (l, g) = (
        fixture("ftm/cases/merge_left.ftm.json"),
        fixture("import/loops/loop.gexf"),
    );
    let inputs = vec![
        Input::parse(&l.to_string_lossy()),
        Input::parse(&format!("kek={}", g.display())),
    ];
    let opened = open(Source::Inputs(inputs), &OpenOptions::default(), &mut ()).unwrap();
    let graph = Arc::clone(&opened.graph);
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find("kek:a");
    let mut app = App::new(graph, index, KeyMap::default_map(), focus).unwrap();
    let s = screen(&mut app, 120, 20);
    // A badge per dataset on the card and on each row.
    assert!(s.contains(" kek "), "{s}");
    assert!(s.contains("in kek"), "{s}");
    // F: a checklist of the datasets with their counts, all ticked.
    app.update(Action::DatasetFilter);
    let s = screen(&mut app, 120, 20);
    let reg = graph_count(&app, "register");
    assert!(s.contains("show these datasets"), "{s}");
    assert!(s.contains(&format!("✓ register  {reg}")), "{s}");
    assert!(s.contains("✓ kek"), "{s}");
    // Untick kek: only the register is shown, and the screen says so.
    app.update(Action::Down);
    app.update(Action::Toggle);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("· kek"), "{s}");
    app.update(Action::Submit);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("showing only register"), "{s}");
    assert!(s.contains("· in register"), "{s}");
    assert!(s.contains("nothing within the filter"), "{s}");
    assert_eq!(
        app.filter().datasets,
        vec![app.graph().find_dataset("register").unwrap()]
    );
    // It opens on the filter in force; none ticked is refused and says how
    // to tick them all; all ticked is no filter.
    app.update(Action::DatasetFilter);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("✓ register") && s.contains("· kek"), "{s}");
    app.update(Action::ToggleAll);
    app.update(Action::ToggleAll);
    app.update(Action::Submit);
    let s = screen(&mut app, 120, 20);
    assert!(
        s.contains("tick at least one dataset (a ticks every one)"),
        "{s}"
    );
    app.update(Action::Bottom);
    app.update(Action::Toggle);
    app.update(Action::Submit);
    assert_eq!(
        app.filter().datasets,
        vec![app.graph().find_dataset("kek").unwrap()]
    );
    app.update(Action::DatasetFilter);
    app.update(Action::ToggleAll);
    app.update(Action::Submit);
    assert!(app.filter().datasets.is_empty());
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("every dataset shown"), "{s}");
}

/// How many entities the dataset holds, as `--datasets NAME check` counts them.
fn graph_count(app: &App, name: &str) -> usize {
    let g = app.graph();
    let d = g.find_dataset(name).unwrap();
    g.node_indices()
        .filter(|&n| g.dataset_list(g.entity_datasets(n)).contains(&d))
        .count()
}

#[test]
fn a_graph_of_one_dataset_says_there_is_nothing_to_filter() {
    let input = fixture("import/loops/loop.gexf");
    let opened = open(
        Source::Inputs(vec![Input::parse(&input.to_string_lossy())]),
        &OpenOptions::default(),
        &mut (),
    )
    .unwrap();
    let graph = Arc::clone(&opened.graph);
    let index = Arc::new(SearchIndex::build(&graph));
    let mut app = App::new(graph, index, KeyMap::default_map(), None).unwrap();
    app.update(ties::tui::Action::DatasetFilter);
    let s = screen(&mut app, 120, 20);
    assert!(
        s.contains("holds one dataset, loop: nothing to filter"),
        "{s}"
    );
    assert!(!s.contains("show these datasets"), "{s}");
}

#[test]
fn gephis_edge_table_type_is_the_direction_not_the_kind() {
    let (code, out, err) = ties(&[&fixture("import/gephi")], &["export", "--format", "ron"]);
    assert_eq!(code, 0, "{err}");
    let file: ties::model::GraphFile = ties::load::ron_options().from_str(&out).unwrap();
    let kinds: Vec<String> = file
        .relations
        .iter()
        .map(|r| r.kind.label().to_string())
        .collect();
    assert_eq!(kinds, ["related_to", "funds"], "{out}");
    let undirected: Vec<bool> = file.relations.iter().map(|r| r.undirected).collect();
    assert_eq!(undirected, [true, false]);
    let weight = |i: usize| {
        file.relations[i]
            .attrs
            .iter()
            .find(|(k, _)| k == "Weight")
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        (weight(0), weight(1)),
        (Some("2.0".into()), Some("1.5".into()))
    );
}

#[test]
fn a_set_of_inputs_is_snapshotted_as_one_graph() {
    let files = three();
    let cache = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut t = common::ties()
            .env("TIES_CACHE_DIR", cache.path())
            .env("TIES_SNAPSHOT_MIN", "0")
            .env("TIES_LOAD_STATS", "1");
        for f in &files {
            t = t.arg("--data").arg(f);
        }
        t.args(extra).args(["check"]).run()
    };
    let (code, first, err1) = run(&[]);
    assert_eq!(code, 0, "{err1}");
    assert!(!err1.contains("read the snapshot"), "{err1}");
    let (code, second, err2) = run(&[]);
    assert_eq!(code, 0, "{err2}");
    assert!(err2.contains("read the snapshot"), "{err2}");
    assert_eq!(first, second);
    // The load summary is said again, datasets and merges included.
    assert!(err2.contains("datasets: donations 184 entities"), "{err2}");
    assert_eq!(merges(&err1), merges(&err2));
    // A filter works on the snapshot as on the parsed graph.
    let (code, out, err) = run(&["--datasets", "eu_fsf"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(counts(&out), (9, 2));
}

#[test]
fn a_space_delimited_edge_table_is_read() {
    let (code, out, err) = ties(
        &[&fixture("import/spaced.csv")],
        &["export", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let edges: Vec<(String, String, String)> = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap().to_string(),
                e["target"].as_str().unwrap().to_string(),
                e["attrs"]["Weight"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        [
            ("ann".into(), "bob".into(), "2".into()),
            ("bob".into(), "cid".into(), "1".into())
        ]
    );
}

#[test]
fn an_adjacency_matrix_is_read_as_gephi_reads_it() {
    let (code, out, err) = ties(
        &[&fixture("import/matrix.csv")],
        &["export", "--format", "ron"],
    );
    assert_eq!(code, 0, "{err}");
    let file: ties::model::GraphFile = ties::load::ron_options().from_str(&out).unwrap();
    let ids: Vec<&str> = file.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let edges: Vec<(&str, &str, Option<&str>)> = file
        .relations
        .iter()
        .map(|r| {
            let w = r
                .attrs
                .iter()
                .find(|(k, _)| k == "weight")
                .map(|(_, v)| v.as_str());
            (r.from.as_str(), r.to.as_str(), w)
        })
        .collect();
    // A cell other than 0 is an edge (its number the weight, 1 left out); the
    // diagonal is a loop.
    assert_eq!(
        edges,
        [
            ("a", "b", None),
            ("b", "c", Some("2.5")),
            ("c", "a", None),
            ("c", "c", None)
        ]
    );
}

#[test]
fn an_adjacency_list_is_read_as_gephi_reads_it() {
    // No header a layout knows, rows of different lengths: each row a node
    // then its neighbours (cells trimmed, empty ones skipped); `eve`, alone
    // on her row, has no edge and is left out, as Gephi leaves her out.
    let (code, out, err) = ties(
        &[&fixture("import/adjacency.csv")],
        &["export", "--format", "ron"],
    );
    assert_eq!(code, 0, "{err}");
    let file: ties::model::GraphFile = ties::load::ron_options().from_str(&out).unwrap();
    let ids: Vec<&str> = file.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["ann", "bob", "cid", "dan", "fay", "gus"]);
    let edges: Vec<(&str, &str)> = file
        .relations
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(
        edges,
        [
            ("ann", "bob"),
            ("bob", "cid"),
            ("bob", "dan"),
            ("fay", "ann"),
            ("fay", "gus")
        ]
    );
    assert!(err.contains("read as an adjacency list"), "{err}");
    assert!(
        err.contains("1 label with no edge in the adjacency list left out")
            && err.contains("`eve`"),
        "{err}"
    );
    // Rows all as long, under a header naming no column ties knows, are still
    // refused: that is a table whose id column has another name.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("people.csv");
    std::fs::write(&p, "person,full_name\n1,Ann Lee\n2,Bob Ray\n").unwrap();
    let (code, _, err) = ties(&[&p], &["check"]);
    assert_ne!(code, 0);
    assert!(err.contains("names no id column"), "{err}");
}

#[test]
fn one_file_twice_is_one_graph_in_both_datasets() {
    // The same entities and relationships (a multi-party one among them) in two
    // inputs: everything merged, the counts those of one, both datasets kept.
    let f = fixture("ftm/cases/multi_party_ownership.ftm.json");
    let (code, alone, err) = ties(&[&f], &["check"]);
    assert_eq!(code, 0, "{err}");
    let a = format!("a={}", f.display());
    let b = format!("b={}", f.display());
    let (code, out, err) = common::ties()
        .args(["--no-cache", "--data", &a, "--data", &b, "check"])
        .run();
    assert_eq!(code, 0, "{err}");
    assert_eq!(counts(&out), counts(&alone), "{err}");
    let (e, r) = counts(&alone);
    assert!(
        err.contains(&format!(
            "{e} entities held by more than one input merged (and {r} relations)"
        )),
        "{err}"
    );
    let (code, out, err) = common::ties()
        .args([
            "--no-cache",
            "--data",
            &a,
            "--data",
            &b,
            "show",
            "kek-own-1",
        ])
        .run();
    assert_eq!(code, 0, "{err}");
    // The records name their datasets (`kek`, one also `donations`): `a` and `b`
    // name only records that name none, here none.
    assert!(out.contains("in kek"), "{out}");
}

#[test]
fn two_ron_inputs_keep_their_datasets_parsed_and_from_the_snapshot() {
    // The first RON input is taken whole (its rows in the default dataset),
    // the second taken in: every row still names its dataset, in `check`,
    // `--datasets`, the JSON and FtM exports, and after a snapshot.
    let dir = tempfile::tempdir().unwrap();
    let opts = ties::generate::GenOptions {
        entities: 60,
        relations_per_entity: 2,
        seed: 3,
    };
    let write = |name: &str, prefix: &str| {
        let p = dir.path().join(name);
        let mut f = std::fs::File::create(&p).unwrap();
        ties::generate::write_ron_prefixed(&opts, prefix, &mut f).unwrap();
        p
    };
    let (a, b) = (write("a.ron", "a"), write("b.ron", "b"));
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        common::ties()
            .env("TIES_CACHE_DIR", cache.path())
            .env("TIES_SNAPSHOT_MIN", "0")
            .env("TIES_LOAD_STATS", "1")
            .arg("--data")
            .arg(&a)
            .arg("--data")
            .arg(&b)
            .args(args)
            .run()
    };
    for pass in ["parsed", "from the snapshot"] {
        let (code, out, err) = run(&["check"]);
        assert_eq!(code, 0, "{pass}: {err}");
        assert_eq!(counts(&out), (120, 240), "{pass}: {out}");
        assert_eq!(
            err.contains("read the snapshot"),
            pass != "parsed",
            "{pass}: {err}"
        );
        for name in ["a", "b"] {
            let (code, out, err) = run(&["--datasets", name, "check"]);
            assert_eq!(code, 0, "{pass}: {err}");
            assert_eq!(counts(&out), (60, 120), "{pass} {name}: {out}");
        }
        let (code, out, err) = run(&["export", "--format", "json"]);
        assert_eq!(code, 0, "{pass}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        for n in doc["nodes"].as_array().unwrap() {
            let want = &n["id"].as_str().unwrap()[..1];
            assert_eq!(n["datasets"], serde_json::json!([want]), "{pass}: {n}");
        }
        let (code, out, err) = run(&["export", "--format", "ftm"]);
        assert_eq!(code, 0, "{pass}: {err}");
        let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
        assert_eq!(
            first["datasets"],
            serde_json::json!(["a"]),
            "{pass}: {first}"
        );
    }
}
