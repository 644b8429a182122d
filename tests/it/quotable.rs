//! Every number can be quoted, every command says what it does (issue 30): a
//! query that names several entities equally well lists them and refuses; a
//! typo that stands clearly first is taken and said; money is counted only on
//! relations that move or promise it, totalled per counterparty; search words
//! may match any of an entity's texts; exit codes and refusals say what happened.

use crate::common;

use common::ties;

fn donations() -> std::path::PathBuf {
    common::data("ftm/donations.ijson")
}

// ------------------------------------------------------------------ ambiguity

#[test]
fn tied_best_hits_are_all_listed_and_refused() {
    let (code, out, err) = ties()
        .args(["money", "allianz", "--data"])
        .arg(donations())
        .run();
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("ambiguous"), "{err}");
    for name in [
        "Allianz SE (",
        "Allianz Deutschland AG",
        "Allianz SE, Repräsentanz",
        "Allianz Versicherungs-AG",
    ] {
        assert!(err.contains(name), "{name} missing: {err}");
    }
    let (code, out, err) = ties()
        .args(["show", "quandt", "--data"])
        .arg(donations())
        .run();
    assert_eq!(code, 2, "{out}{err}");
    for name in [
        "Johanna Quandt",
        "Frau Johanna Quandt",
        "Herr Stefan Quandt",
    ] {
        assert!(err.contains(name), "{name} missing: {err}");
    }
}

#[test]
fn a_name_written_out_is_taken_and_totalled_per_counterparty() {
    let (code, out, err) = ties()
        .args(["money", "Allianz SE", "--data"])
        .arg(donations())
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Allianz SE: money in and out"), "{out}");
    // Totals per counterparty come before the dated lines.
    let by = out.find("by counterparty").expect(&out);
    let first_dated = out
        .lines()
        .position(|l| l.trim_start().starts_with("20"))
        .expect("dated lines");
    let by_line = out[..by].lines().count();
    assert!(by_line <= first_dated, "{out}");
    assert!(out.contains("CDU"), "{out}");
}

#[test]
fn a_typo_that_stands_clearly_first_is_taken_and_said() {
    let (code, out, err) = ties().args(["show", "umarov"]).run();
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Rustem Umerov"), "{out}");
    assert!(
        err.contains("taken: Rustem Umerov, typo of umarov"),
        "{err}"
    );
    // --focus takes the same way (export here: the explorer needs a terminal).
    let (code, out, err) = ties()
        .args(["export", "--focus", "umarov", "--format", "json"])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("taken: Rustem Umerov"), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"rustem-umerov"), "{ids:?}");
    // The rule is in --help.
    let (_, help, _) = ties().args(["show", "--help"]).run();
    assert!(
        help.contains("ambiguous") && help.contains("typo"),
        "{help}"
    );
}

// ------------------------------------------------------------------ money

#[test]
fn an_announcement_is_not_a_money_promise() {
    let (code, out, err) = ties().args(["money", "first-tranche-10m"]).run();
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("Umerov"), "{out}");
    let (_, out, _) = ties().args(["money", "lithuania"]).run();
    assert!(!out.contains("Localisation"), "{out}");
    // The kinds that count are named in --help.
    let (_, help, _) = ties().args(["money", "--help"]).run();
    for kind in ["finances", "contributes_to", "pledged", "announced"] {
        assert!(help.contains(kind), "{kind}: {help}");
    }
}

#[test]
fn an_entitys_own_amount_is_shown_as_such_never_added() {
    let (code, out, err) = ties().args(["money", "ukraine-assistance-fund"]).run();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("€5,000,000,000"), "{out}");
    assert!(out.contains("own stated amount"), "{out}");
    assert!(!out.contains("total in EUR"), "{out}");
}

#[test]
fn the_funding_chain_climbs_only_through_money() {
    let (code, out, err) = ties().args(["money", "palianytsia"]).run();
    assert_eq!(code, 0, "{err}");
    for never in ["€20,000,000", "€535,000,000", "Sweden"] {
        assert!(!out.contains(never), "{never}: {out}");
    }
}

// ------------------------------------------------------------------ search

#[test]
fn query_words_may_match_different_texts_and_small_words_are_not_required() {
    for (query, first) in [
        ("kasciunas minister", "laurynas-kasciunas"),
        ("umerov defence", "rustem-umerov"),
        ("president of ukraine", "volodymyr-zelenskyy"),
    ] {
        let (code, out, err) = ties().args(["search", query, "--json"]).run();
        assert_eq!(code, 0, "{query}: {err}");
        let hits: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(hits[0]["id"], first, "{query}: {out}");
    }
}

// ------------------------------------------------------------------ commands say what they do

#[test]
fn nothing_found_exits_1_and_bad_input_2() {
    let (code, _, err) = ties().args(["search", "zzzzqqq"]).run();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("zzzzqqq"), "{err}");
    let (code, _, err) = ties()
        .args(["search", "kas", "--data", "/no/such/file.ron"])
        .run();
    assert_eq!(code, 2, "{err}");
    let (_, help, _) = ties().arg("--help").run();
    assert!(help.contains("Exit codes"), "{help}");
}

#[test]
fn depth_without_a_focus_is_refused() {
    let (code, out, err) = ties()
        .args(["export", "--depth", "2", "--format", "json"])
        .run();
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("--focus"), "{err}");
}

#[test]
fn a_path_from_an_entity_to_itself_says_so() {
    let (code, out, err) = ties().args(["path", "umerov", "umerov"]).run();
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("one entity") && err.contains("Rustem Umerov"),
        "{err}"
    );
}

#[test]
fn a_misspelt_kind_gets_a_suggestion() {
    let (code, _, err) = ties().args(["rank", "--kinds", "persn"]).run();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean `person`"), "{err}");
}

#[test]
fn ranking_one_kind_measures_the_whole_view() {
    let (code, out, err) = ties().args(["rank", "--kinds", "person", "--json"]).run();
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = doc["entities"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["kind"] == "person"), "{out}");
    // Umerov signed, attended, holds office…: far more than one tie.
    let umerov = rows.iter().find(|r| r["id"] == "rustem-umerov").unwrap();
    assert!(umerov["score"].as_f64().unwrap() >= 8.0, "{out}");
    let (_, text, _) = ties().args(["rank", "--kinds", "person"]).run();
    assert!(text.contains("person"), "{text}");
}

// ------------------------------------------------------------------ cards and files

#[test]
fn country_codes_read_as_names_and_a_missing_source_is_said_once() {
    let (code, out, err) = ties()
        .args(["show", "Frau Lina Dachner", "--data"])
        .arg(donations())
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Germany (de)"), "{out}");
    let (code, out, err) = ties()
        .args(["show", "Allianz SE", "--data"])
        .arg(donations())
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(out.matches("no source given").count() <= 1, "{out}");
    // A graph without sources says so once, not on each of Valjean's 36 lines.
    let (code, out, err) = ties()
        .args(["show", "Valjean", "--data"])
        .arg(common::data("gexf/LesMiserables.gexf"))
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().count() > 30, "{out}");
    assert_eq!(out.matches("no source given").count(), 1, "{out}");
}

#[test]
fn a_derived_year_does_not_read_like_a_second_date() {
    let (_, out, _) = ties().args(["show", "vilnius-support-mechanism-mou"]).run();
    assert!(!out.contains("date: year derived"), "{out}");
    assert!(out.contains("year: derived"), "{out}");
}

#[test]
fn csv_to_one_file_is_one_edge_table_with_names() {
    let dir = tempfile::tempdir().unwrap();
    for extra in [&[][..], &["--format", "csv"][..]] {
        let file = dir.path().join(format!("a{}.csv", extra.len()));
        let (code, _, err) = ties()
            .args(["export", "--focus", "palianytsia", "-o"])
            .arg(&file)
            .args(extra)
            .run();
        assert_eq!(code, 0, "{extra:?}: {err}");
        assert!(file.is_file(), "{extra:?}: not a file");
        let text = std::fs::read_to_string(&file).unwrap();
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let head = rows.headers().unwrap().clone();
        for col in ["from_name", "relation", "to_name", "date", "amount"] {
            assert!(head.iter().any(|h| h == col), "{col}: {text}");
        }
        assert!(text.contains("Palianytsia"), "{text}");
        // Never overwritten silently.
        let (code, _, err) = ties()
            .args(["export", "--focus", "palianytsia", "-o"])
            .arg(&file)
            .args(extra)
            .run();
        assert_eq!(code, 1, "{err}");
    }
}

// ------------------------------------------------------------------ completions and manual

#[test]
fn completions_and_a_manual_page_are_generated() {
    let (code, out, err) = ties().args(["completions", "bash"]).run();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ties") && out.contains("complete"), "{out}");
    let (code, out, _) = ties().args(["completions", "zsh"]).run();
    assert_eq!(code, 0);
    assert!(out.contains("#compdef ties"), "{out}");
    let (code, out, err) = ties().arg("man").run();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(".TH ties") || out.contains(".TH TIES"),
        "{out}"
    );
    assert!(out.contains("money"), "{out}");
}
