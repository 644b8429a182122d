//! The command line as a new user meets it (issue 17): flags that infer what
//! they can, ambiguity that names every candidate, routes that can be steered,
//! and windows that say what undated relations they include.

use crate::common;

use common::ties;

#[test]
fn export_infers_the_format_from_the_output_name() {
    let dir = tempfile::tempdir().unwrap();
    let dot = dir.path().join("u.dot");
    let (code, _, err) = ties()
        .args(["export", "--focus", "umerov", "-o"])
        .arg(&dot)
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&dot).unwrap().contains("digraph"));
    // `.ftm.json` is FollowTheMoney, not JSON.
    let ftm = dir.path().join("u.ftm.json");
    let (code, _, err) = ties()
        .args(["export", "--focus", "umerov", "-o"])
        .arg(&ftm)
        .run();
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&ftm).unwrap();
    assert!(text.lines().all(|l| l.contains("\"schema\"")), "{text}");
    // An extension that names no format, or no file: the format is asked for.
    let (code, _, err) = ties()
        .args(["export", "--focus", "umerov", "-o"])
        .arg(dir.path().join("u.txt"))
        .run();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--format") && err.contains("u.txt"), "{err}");
    assert!(err.contains("mmd") && err.contains("graphml"), "{err}");
    let (code, _, err) = ties().args(["export", "--focus", "umerov"]).run();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--format"), "{err}");
    // A format given wins over the name.
    let odd = dir.path().join("odd.dot");
    let (code, _, err) = ties()
        .args(["export", "--focus", "umerov", "--format", "json", "-o"])
        .arg(&odd)
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(&odd)
            .unwrap()
            .trim_start()
            .starts_with('{')
    );
}

#[test]
fn show_and_money_take_the_focus_of_a_view_file() {
    let dir = tempfile::tempdir().unwrap();
    let view = dir.path().join("v.ron");
    std::fs::write(&view, "View(focus: \"lithuania\")").unwrap();
    let (code, out, err) = ties().args(["show", "--view"]).arg(&view).run();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Lithuania  (country, id lithuania)"),
        "{out}"
    );
    let (code, out, err) = ties().args(["money", "--view"]).arg(&view).run();
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Lithuania: money in and out"), "{out}");
    // A query given wins; no query and no focus is a clear error.
    let (code, out, _) = ties().args(["show", "umerov", "--view"]).arg(&view).run();
    assert_eq!(code, 0);
    assert!(out.starts_with("Rustem Umerov"), "{out}");
    std::fs::write(&view, "View(depth: 2)").unwrap();
    let (code, _, err) = ties().args(["show", "--view"]).arg(&view).run();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("QUERY") && err.contains("focus"), "{err}");
}

#[test]
fn an_ambiguous_query_lists_every_candidate() {
    // Every hit `ties search` ranks in the best tier is a candidate.
    let (_, json, _) = ties().args(["search", "memorandum", "--json"]).run();
    let hits: serde_json::Value = serde_json::from_str(&json).unwrap();
    let hits = hits.as_array().unwrap();
    let tier = &hits[0]["tier"];
    let ids: Vec<&str> = hits
        .iter()
        .filter(|h| &h["tier"] == tier)
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 3, "{ids:?}");
    let (code, _, err) = ties().args(["show", "memorandum"]).run();
    assert_ne!(code, 0);
    assert!(err.contains("ambiguous"), "{err}");
    for id in ids {
        assert!(err.contains(id), "{id} missing: {err}");
    }
}

#[test]
fn path_avoids_entities_and_shows_longer_routes() {
    let (code, out, err) = ties().args(["path", "budanov", "danish model"]).run();
    assert_eq!(code, 0, "{err}");
    let first = out.clone();
    // Without Ukraine there is still a way, or a clear message.
    let (code, out, err) = ties()
        .args(["path", "budanov", "danish model", "--avoid", "ukraine"])
        .run();
    if code == 0 {
        assert!(!out.contains(" Ukraine "), "{out}");
        assert!(!out.contains(" Ukraine\n"), "{out}");
    } else {
        assert!(err.contains("avoiding Ukraine"), "{err}");
    }
    // Several --avoid, each a query; an unknown one is an error.
    let (code, _, err) = ties()
        .args(["path", "budanov", "danish model", "--avoid", "ukraine"])
        .args(["--avoid", "zzzqqq"])
        .run();
    assert_ne!(code, 0);
    assert!(err.contains("zzzqqq"), "{err}");
    // --longer lists more routes, the shortest first.
    let (code, out, err) = ties()
        .args(["path", "budanov", "danish model", "--longer", "1"])
        .run();
    assert_eq!(code, 0, "{err}");
    let routes = out.lines().filter(|l| l.ends_with("hops)")).count();
    assert!(routes >= 2, "{out}");
    let shortest_hops = first
        .lines()
        .next()
        .and_then(|l| l.split('(').nth(1))
        .and_then(|l| l.split(')').next())
        .unwrap()
        .to_string();
    assert!(out.contains(&shortest_hops), "{first}\n{out}");
}

#[test]
fn counts_agree_with_their_number() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("one.json");
    // A view with one relation: Palianytsia's incoming part-of link only.
    let (code, _, err) = ties()
        .args([
            "export",
            "--focus",
            "palianytsia",
            "--direction",
            "out",
            "-o",
        ])
        .arg(&out)
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains("1 relations") && !err.contains("1 entities"),
        "{err}"
    );
    let (_, text, _) = ties().args(["show", "palianytsia"]).run();
    assert!(!text.contains("(1 relations"), "{text}");
    let (_, text, _) = ties().args(["check"]).run();
    assert!(!text.contains(" 1 relations"), "{text}");
    // The FtM fixture has one relationship that became a node.
    let (code, _, err) = ties()
        .args(["--data", "tests/fixtures/ftm/small.ftm.json", "check"])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 relationship linked"), "{err}");
    assert!(!err.contains("1 relationships"), "{err}");
}

#[test]
fn an_ftm_schema_kept_on_an_entity_is_shown_with_its_kind() {
    let data = "tests/fixtures/ftm/small.ftm.json";
    let (code, out, err) = ties()
        .args(["--data", data, "show", "Ministry of Defence of Ukraine"])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(organisation (PublicBody), id "), "{out}");
    let (_, out, _) = ties().args(["--data", data, "search", "ministry"]).run();
    assert!(out.contains("organisation (PublicBody)"), "{out}");
    // A kind the schema already names gets no suffix.
    let (_, out, _) = ties()
        .args(["--data", data, "search", "--limit", "50", "a"])
        .run();
    assert!(!out.contains("person (Person)"), "{out}");
}

#[test]
fn every_command_with_a_window_says_how_many_undated_relations_it_includes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lt.json");
    let (code, _, err) = ties()
        .args(["export", "--focus", "lithuania", "--from", "2025", "-o"])
        .arg(&out)
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("undated relations included"), "{err}");
    let (_, text, _) = ties().args(["show", "lithuania", "--from", "2025"]).run();
    assert!(text.contains("undated relations included"), "{text}");
    let (_, text, _) = ties()
        .args(["timeline", "--focus", "lithuania", "--from", "2025"])
        .run();
    assert!(text.contains("undated relations included"), "{text}");
    assert!(
        text.contains("undated, not in the window's total:"),
        "{text}"
    );
    let (_, text, _) = ties().args(["money", "lithuania", "--from", "2025"]).run();
    assert!(text.contains("undated money relations included"), "{text}");
    assert!(!text.contains("total out EUR"), "{text}");
    // Without undated relations, nothing to say.
    let (_, text, _) = ties()
        .args(["show", "lithuania", "--from", "2025", "--no-undated"])
        .run();
    assert!(!text.contains("undated relations included"), "{text}");
    // The default is documented.
    let (_, help, _) = ties().args(["show", "--help"]).run();
    assert!(
        help.contains("a date window keeps undated relations"),
        "{help}"
    );
    let (_, help, _) = ties().args(["--help"]).run();
    assert!(help.contains("approximate"), "{help}");
}
