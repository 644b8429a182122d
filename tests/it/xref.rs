//! Who is who: `ties xref`, `ties judge`, `ties split`, `ties screen`, the
//! merged view every command shows, and resolver files moving both ways with
//! nomenklatura (those tests need `.venv-er`, made by `.ci/setup-er.sh`).
//!
//! The data: `tests/data/ftm/febrl-small.ftm.json`, 50 FEBRL4 originals and
//! their 50 duplicates with typos (provenance in tests/data/README.md).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::{self, ties};

/// The fixture copied into a fresh folder (judgements go beside it).
fn febrl() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("febrl.ftm.json");
    std::fs::copy(common::data("ftm/febrl-small.ftm.json"), &p).unwrap();
    (dir, p)
}

fn run(data: &Path, args: &[&str]) -> (i32, String, String) {
    ties().arg("--data").arg(data).args(args).run()
}

fn pairs(json: &str) -> Vec<(String, String, f64)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["a"]["id"].as_str().unwrap().to_string(),
                p["b"]["id"].as_str().unwrap().to_string(),
                p["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn is_link(a: &str, b: &str) -> bool {
    let n = |s: &str| s.split('-').nth(1).map(str::to_string);
    n(a) == n(b) && a != b
}

#[test]
fn xref_finds_the_true_links_best_first_and_explains_each() {
    let (_d, data) = febrl();
    let (code, out, err) = run(&data, &["xref", "--json"]);
    assert_eq!(code, 0, "{err}");
    let found = pairs(&out);
    let links: Vec<_> = found.iter().filter(|(a, b, _)| is_link(a, b)).collect();
    assert!(
        links.len() >= 48,
        "{} of 50 links found: {found:?}",
        links.len()
    );
    assert!(
        found.len() <= links.len() + 2,
        "too many false pairs: {found:?}"
    );
    assert!(found.windows(2).all(|w| w[0].2 >= w[1].2), "best first");
    assert!(
        found.iter().all(|(_, _, s)| (0.5..=1.0).contains(s)),
        "default --min-score 0.5"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let features = v[0]["features"].as_array().unwrap();
    let names: Vec<&str> = features
        .iter()
        .map(|f| f["feature"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"name") && names.contains(&"birth date"),
        "{names:?}"
    );
    assert!(err.contains("pairs scored"), "{err}");
}

#[test]
fn xref_writes_csv_and_a_higher_min_score_keeps_fewer() {
    let (_d, data) = febrl();
    let (code, out, err) = run(&data, &["xref", "--csv", "--min-score", "0.999"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("score,a_id,a_name,b_id,b_name,explanation")
    );
    let high = lines.count();
    let (_, all, _) = run(&data, &["xref", "--csv"]);
    assert!(high > 0 && high < all.lines().count() - 1, "{high}");
    let (code, _, err) = run(&data, &["xref", "--min-score", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--min-score 2"), "{err}");
}

#[test]
fn judgements_merge_records_transitively_and_split_undoes() {
    let (dir, data) = febrl();
    let resolver = dir.path().join("febrl.ftm.json.resolver");
    for (a, b) in [("rec-3-org", "rec-3-dup-0"), ("rec-3-dup-0", "rec-4-org")] {
        let (code, _, err) = run(&data, &["judge", a, b, "same"]);
        assert_eq!(code, 0, "{err}");
    }
    // Each line is nomenklatura's: [target, source, judgement, score, user, created_at].
    let text = std::fs::read_to_string(&resolver).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first.as_array().unwrap().len(), 6);
    assert_eq!(first[0], "rec-3-org");
    assert_eq!(first[1], "rec-3-dup-0");
    assert_eq!(first[2], "positive");

    let (code, out, err) = run(&data, &["show", "rec-3-org"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Merged from 3 records"), "{out}");
    for id in ["rec-3-org (febrl_a", "rec-3-dup-0", "rec-4-org"] {
        assert!(out.contains(id), "{id} missing from {out}");
    }
    assert!(err.contains("3 records shown as 1 entities"), "{err}");
    let (_, check, _) = run(&data, &["check"]);
    assert!(check.contains("98 entities"), "{check}");
    // A merged-away record's id finds the entity it was merged into.
    let (code, by_old, err) = run(&data, &["show", "rec-4-org"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(by_old, out);
    assert!(err.contains("`rec-4-org` is a record merged into"), "{err}");

    // The FtM export writes the merged entity once, with its referents.
    let (code, ftm, err) = run(&data, &["export", "--format", "ftm"]);
    assert_eq!(code, 0, "{err}");
    let merged: Vec<serde_json::Value> = ftm
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &serde_json::Value| e.get("referents").is_some())
        .collect();
    assert_eq!(merged.len(), 1, "{ftm}");
    assert_eq!(merged[0]["id"], "rec-3-org");
    let refs: BTreeSet<&str> = merged[0]["referents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(refs, BTreeSet::from(["rec-3-dup-0", "rec-4-org"]));

    // A negative judgement inside the cluster is a conflict, shown, not dropped.
    run(&data, &["judge", "rec-4-org", "rec-3-org", "different"]);
    let (_, out, err) = run(&data, &["show", "rec-3-org"]);
    assert!(err.contains("conflict: rec-4-org ≠ rec-3-org"), "{err}");
    assert!(out.contains("rec-4-org ≠ rec-3-org"), "{out}");

    // Split takes rec-4-org out again.
    let (code, _, err) = run(&data, &["split", "rec-4-org"]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(&data, &["show", "rec-3-org"]);
    assert!(out.contains("Merged from 2 records"), "{out}");
    let (code, _, err) = run(&data, &["split", "rec-40-org"]);
    assert_eq!(code, 1);
    assert!(err.contains("rec-40-org` is not merged"), "{err}");
}

#[test]
fn xref_leaves_out_pairs_judged_already() {
    let (_d, data) = febrl();
    let (_, before, _) = run(&data, &["xref", "--json"]);
    let before = pairs(&before);
    let (a, b, _) = &before[0];
    run(&data, &["judge", a, b, "different"]);
    let (_, after, _) = run(&data, &["xref", "--json"]);
    let after = pairs(&after);
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after.iter().any(|(x, y, _)| (x, y) == (a, b)));
}

#[test]
fn a_bad_resolver_line_is_named_and_a_bad_id_refused() {
    let (dir, data) = febrl();
    std::fs::write(
        dir.path().join("febrl.ftm.json.resolver"),
        "[\"rec-1-org\", \"rec-1-dup-0\", \"positive\", null, \"u\", \"2024\"]\n[\"a\", \"b\", \"perhaps\"]\n",
    )
    .unwrap();
    let (code, _, err) = run(&data, &["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("febrl.ftm.json.resolver:2: unknown judgement \"perhaps\""),
        "{err}"
    );
    let (code, _, err) = run(
        &data,
        &[
            "--resolver",
            "/dev/null",
            "judge",
            "rec-1-org",
            "nobody",
            "same",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("`nobody` is not an entity id"), "{err}");
}

#[test]
fn screen_finds_the_original_of_each_duplicate_by_name_and_birth_date() {
    let (dir, all) = febrl();
    // Names and birth dates of the duplicates against the originals.
    let text = std::fs::read_to_string(&all).unwrap();
    let data = dir.path().join("originals.ftm.json");
    let originals: String = text
        .lines()
        .filter(|l| l.contains("-org\""))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&data, originals).unwrap();
    let mut csv = String::from("name,birth_date\n");
    let mut expect = Vec::new();
    for line in text.lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = e["id"].as_str().unwrap();
        if id.contains("-dup-") {
            let p = &e["properties"];
            let name = p["name"][0].as_str().unwrap_or("");
            let birth = p["birthDate"][0].as_str().unwrap_or("");
            csv.push_str(&format!("{name},{birth}\n"));
            expect.push(id.replace("-dup-0", "-org"));
        }
    }
    let (code, out, err) = ties()
        .arg("--data")
        .arg(&data)
        .args(["screen", "-", "--limit", "1", "--min-score", "0"])
        .stdin(csv.into_bytes())
        .run();
    assert_eq!(code, 0, "{err}");
    let mut rows = csv::Reader::from_reader(out.as_bytes());
    let top: Vec<(usize, String)> = rows
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse::<usize>().unwrap(), r[4].to_string())
        })
        .collect();
    // Duplicates hold typos, even in names and dates: nearly all, not all.
    let right = top
        .iter()
        .filter(|(row, id)| expect[row - 1] == *id)
        .count();
    assert!(right >= 45, "{right} of {} found first", expect.len());
    let (code, _, err) = ties()
        .arg("--data")
        .arg(&data)
        .args(["screen", "-"])
        .stdin(b"who,when\nx,y\n".to_vec())
        .run();
    assert_eq!(code, 2);
    assert!(err.contains("stdin:1: no `name` column"), "{err}");
}

/// `.venv-er`'s Python (with nomenklatura); a missing one fails the test.
fn nomenklatura_python() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-er/bin/python");
    if !p.exists() {
        common::missing("nomenklatura", "run bash .ci/setup-er.sh to install it");
    }
    p
}

fn tool(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools")
        .join(name)
}

/// The clusters of ties' merged view: each FtM export entity with referents.
fn ties_clusters(data: &Path) -> Vec<Vec<String>> {
    let (code, ftm, err) = run(data, &["export", "--format", "ftm"]);
    assert_eq!(code, 0, "{err}");
    let mut out: Vec<Vec<String>> = ftm
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter_map(|e| {
            let refs = e.get("referents")?.as_array()?.clone();
            let mut c: Vec<String> = refs
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            c.push(e["id"].as_str().unwrap().to_string());
            c.sort();
            Some(c)
        })
        .collect();
    out.sort();
    out
}

#[test]
#[ignore = "needs nomenklatura"]
fn ties_judgements_applied_by_nomenklatura_give_the_same_clusters() {
    let python = nomenklatura_python();
    let (dir, data) = febrl();
    for (a, b, v) in [
        ("rec-0-org", "rec-0-dup-0", "same"),
        ("rec-0-dup-0", "rec-9-org", "same"),
        ("rec-1-org", "rec-1-dup-0", "same"),
        ("rec-2-org", "rec-2-dup-0", "different"),
        ("rec-5-org", "rec-5-dup-0", "unsure"),
    ] {
        let (code, _, err) = run(&data, &["judge", a, b, v]);
        assert_eq!(code, 0, "{err}");
    }
    run(&data, &["split", "rec-9-org"]);
    run(&data, &["judge", "rec-7-org", "rec-7-dup-0", "same"]);
    let ours = ties_clusters(&data);
    assert_eq!(ours.len(), 3, "{ours:?}");
    let o = std::process::Command::new(&python)
        .arg(tool("nk_apply.py"))
        .arg(dir.path().join("febrl.ftm.json.resolver"))
        .arg(&data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let theirs: Vec<Vec<String>> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
#[ignore = "needs nomenklatura"]
fn a_resolver_written_by_nomenklatura_is_read_by_ties() {
    let python = nomenklatura_python();
    let (dir, data) = febrl();
    let resolver = dir.path().join("nk.resolver");
    let o = std::process::Command::new(&python)
        .arg(tool("nk_judge.py"))
        .arg(&resolver)
        .args(["rec-0-org", "rec-0-dup-0", "positive"])
        .args(["rec-0-dup-0", "rec-9-org", "positive"])
        .args(["rec-1-org", "rec-1-dup-0", "positive"])
        .args(["rec-2-org", "rec-2-dup-0", "negative"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // nomenklatura links positives through an NK- id, not in the data.
    assert!(
        std::fs::read_to_string(&resolver)
            .unwrap()
            .contains("\"NK-")
    );
    let (code, ftm, err) = ties()
        .arg("--data")
        .arg(&data)
        .arg("--resolver")
        .arg(&resolver)
        .args(["export", "--format", "ftm"])
        .run();
    assert_eq!(code, 0, "{err}");
    let _ = ftm;
    let std_resolver = dir.path().join("febrl.ftm.json.resolver");
    std::fs::copy(&resolver, &std_resolver).unwrap();
    let ours = ties_clusters(&data);
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        ours,
        vec![
            ids(&["rec-0-dup-0", "rec-0-org", "rec-9-org"]),
            ids(&["rec-1-dup-0", "rec-1-org"])
        ]
    );
    let (_, out, _) = run(&data, &["xref", "--json"]);
    assert!(
        !pairs(&out)
            .iter()
            .any(|(a, b, _)| (a.as_str(), b.as_str()) == ("rec-2-org", "rec-2-dup-0"))
    );
}

/// An explorer on the fixture, judging into `resolver`.
fn review_app(resolver: &Path) -> ties::tui::App {
    let (g, _) = ties::ftm::load_ftm(&common::data("ftm/febrl-small.ftm.json")).unwrap();
    let g = std::sync::Arc::new(g);
    let index = std::sync::Arc::new(ties::search::SearchIndex::build(&g));
    ties::tui::App::new(g, index, ties::tui::KeyMap::default_map(), None)
        .unwrap()
        .with_resolver(Some(resolver.to_path_buf()))
}

#[test]
fn the_review_queue_judges_undoes_and_appends_each_judgement_at_once() {
    use ties::matching::{Judgement, Judgements};
    use ties::tui::Action;
    use ties::tui::keymap::Mode;
    let dir = tempfile::tempdir().unwrap();
    let resolver = dir.path().join("r.resolver");
    let mut app = review_app(&resolver);
    app.update(Action::ReviewQueue);
    assert_eq!(app.mode(), Mode::Review);
    let s = common::screen::screen(&mut app, 140, 40);
    assert!(s.contains("review: 0 of "), "{s}");
    assert!(s.contains("y same") && s.contains("z undo"), "{s}");
    assert!(s.contains("why:") && s.contains("record"), "{s}");
    let lines = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .lines()
            .count()
    };
    app.update(Action::JudgeSame);
    assert_eq!(lines(&resolver), 1, "written at once");
    app.update(Action::JudgeDifferent);
    app.update(Action::JudgeUnsure);
    assert_eq!(lines(&resolver), 3);
    let s = common::screen::screen(&mut app, 140, 40);
    assert!(s.contains("review: 3 of "), "{s}");
    app.update(Action::Undo);
    let s = common::screen::screen(&mut app, 140, 40);
    assert!(s.contains("review: 2 of "), "{s}");
    app.update(Action::JudgeSame);
    let j = Judgements::read(&resolver).unwrap();
    let standing: Vec<Judgement> = j.edges().map(|e| e.judgement).collect();
    assert_eq!(
        standing,
        [
            Judgement::Positive,
            Judgement::Negative,
            Judgement::Positive
        ],
        "{}",
        std::fs::read_to_string(&resolver).unwrap()
    );
    // Five lines: three judgements, the undo, the new one.
    assert_eq!(lines(&resolver), 5);
    // Reopened, the judged pairs are not proposed again; `b` goes to the
    // right record.
    app.update(Action::Close);
    app.update(Action::ReviewQueue);
    let ties::tui::app::Popup::Review(r) = app.popup() else {
        panic!("the queue is open again");
    };
    let g = app.graph();
    for p in &r.pairs {
        let (a, b) = (g.entity(p.a).id, g.entity(p.b).id);
        assert!(j.get(a, b).is_none(), "{a} ~ {b} proposed again");
    }
    let right = r.pairs[r.at].b;
    app.update(Action::GoSecond);
    assert_eq!(app.mode(), Mode::Browse);
    assert_eq!(app.focus(), right);
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn judgements_made_in_the_review_queue_survive_kill_9_and_merge_on_reopen() {
    use crate::common::tmux::{Tmux, require_tmux};
    use ties::matching::{Judgement, Judgements};
    require_tmux();
    let (dir, data) = febrl();
    let resolver = dir.path().join("febrl.ftm.json.resolver");
    let bin = env!("CARGO_BIN_EXE_ties");
    let t = Tmux::start("review-kill");
    t.type_text(&format!("{bin} --data {} xref --review", data.display()));
    t.keys(&["Enter"]);
    let s = t.wait_for("review: 0 of");
    assert!(s.contains("why:"), "{s}");
    // The first pair, best first: the record on the left is merged below.
    let first = s
        .lines()
        .find_map(|l| l.split("record  ").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .expect("the records' ids")
        .to_string();
    for (key, after) in [
        ("y", "review: 1 of"),
        ("n", "review: 2 of"),
        ("u", "review: 3 of"),
        ("z", "review: 2 of"),
        ("y", "review: 3 of"),
    ] {
        t.type_text(key);
        t.wait_for(after);
    }
    let pid = t.ties_pid().expect("ties is running");
    let st = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let start = std::time::Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists() {
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    t.type_text("stty sane; clear; echo ready-$((40+2))");
    t.keys(&["Enter"]);
    t.wait_for("ready-42");
    let j = Judgements::read(&resolver).unwrap();
    let standing: Vec<Judgement> = j.edges().map(|e| e.judgement).collect();
    assert_eq!(
        standing,
        [
            Judgement::Positive,
            Judgement::Negative,
            Judgement::Positive
        ],
        "{}",
        std::fs::read_to_string(&resolver).unwrap()
    );
    // Reopened: the first pair is one entity, its card lists its records.
    t.type_text(&format!("{bin} --data {} --focus {first}", data.display()));
    t.keys(&["Enter"]);
    let s = t.wait_for("Merged from");
    assert!(s.contains("Merged from 2 records"), "{s}");
    t.type_text("q");
    t.assert_shell_usable();
}
