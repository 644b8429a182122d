//! The command line as a user runs it: `ties path`, `timeline`, `show`, `export`
//! and `--view` on the shipped graph.

use std::process::Output;

use ties::model::{DateWindow, PartialDate};

use crate::common;

use common::ties;

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Splits `A —kind→ B  (details)` or `A ←kind— B  (details)` into `(A, B)`.
fn hop(line: &str) -> (String, String) {
    let line = line.trim();
    let line = line.split("  (").next().unwrap();
    let (a, rest) = line
        .split_once(" —")
        .or_else(|| line.split_once(" ←"))
        .unwrap_or_else(|| panic!("not a hop: {line}"));
    let (_, b) = rest
        .split_once("→ ")
        .or_else(|| rest.split_once("— "))
        .unwrap_or_else(|| panic!("not a hop: {line}"));
    (a.to_string(), b.to_string())
}

#[test]
fn path_connects_budanov_to_palianytsia() {
    let out = ties()
        .args(["path", "Kyrylo Budanov", "palianytsia"])
        .output();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    let heading = lines.next().unwrap();
    assert!(
        heading.contains("between Kyrylo Budanov and Palianytsia (5 hops)"),
        "{heading}"
    );
    // Each numbered connection is a chain of hops from Budanov to Palianytsia.
    let blocks: Vec<Vec<&str>> = text
        .split("\n\n")
        .skip(1)
        .map(|b| b.lines().filter(|l| l.starts_with("  ")).collect())
        .collect();
    assert!(!blocks.is_empty());
    for block in &blocks {
        assert_eq!(block.len(), 5, "{block:?}");
        let hops: Vec<(String, String)> = block.iter().map(|l| hop(l)).collect();
        assert_eq!(hops[0].0, "Kyrylo Budanov");
        assert_eq!(hops[4].1, "Palianytsia");
        for w in hops.windows(2) {
            assert_eq!(w[0].1, w[1].0, "broken chain: {block:?}");
        }
    }
    // The arrow follows the relation: the tranche concerns Palianytsia, and its
    // €10m is pledged to long-range production as a whole, not to Palianytsia.
    assert!(
        text.contains(
            "First €10 million tranche under the Vilnius memorandum —concerns→ Palianytsia\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("Lithuania —pledged→ First €10 million tranche under the Vilnius memorandum  (€10,000,000)"),
        "{text}"
    );
}

#[test]
fn path_reports_no_connection_cleanly() {
    let out = ties()
        .args(["path", "kyrylo-budanov", "palianytsia", "--max-hops", "1"])
        .output();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "ties: no connection between Kyrylo Budanov and Palianytsia within 1 hop\n"
    );
    assert!(stdout(&out).is_empty());
    let out = ties()
        .args([
            "path",
            "kyrylo-budanov",
            "palianytsia",
            "--from",
            "2024-11",
            "--to",
            "2024-11",
            "--no-undated",
        ])
        .output();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "ties: no connection between Kyrylo Budanov and Palianytsia within 6 hops \
         in 2024-11 without undated relations\n"
    );
}

#[test]
fn path_respects_the_date_window() {
    // (The tranche is undated since issue 30, so the window is tried on the
    // two ministers, whose shortest ties include dated ones.)
    let all = stdout(
        &ties()
            .args(["path", "laurynas-kasciunas", "rustem-umerov"])
            .output(),
    );
    assert!(all.contains("2024-11"), "{all}");
    let before = ties()
        .args([
            "path",
            "laurynas-kasciunas",
            "rustem-umerov",
            "--to",
            "2024-10",
        ])
        .output();
    assert!(before.status.success());
    let text = stdout(&before);
    assert!(text.contains("(2 hops)"), "{text}");
    assert!(!text.contains("2024-11"), "{text}");
}

#[test]
fn path_limit_and_unknown_entity() {
    let out = ties()
        .args(["path", "kyrylo-budanov", "palianytsia", "--limit", "1"])
        .output();
    let text = stdout(&out);
    assert!(text.starts_with("1 shortest connection between"), "{text}");
    assert!(text.contains("raise --limit"), "{text}");
    let out = ties()
        .args(["path", "nobody-at-all", "palianytsia"])
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "ties: no entity matches `nobody-at-all`\n");
}

/// The date column of timeline lines, as the date each is sorted by (the
/// dated lines come first; in a window, a note on undated relations follows
/// after a blank line).
fn timeline_dates(text: &str) -> Vec<PartialDate> {
    text.lines()
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let when = l.split_whitespace().next().unwrap();
            let first = when.split("..").next().unwrap();
            first.parse().unwrap_or_else(|e| panic!("{l}: {e}"))
        })
        .collect()
}

#[test]
fn timeline_is_in_date_order_and_windowed() {
    let out = ties().args(["timeline"]).output();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let dates = timeline_dates(&text);
    // Only what the reports date (issue 30: the tranche is not).
    assert!(dates.len() > 12, "{text}");
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{text}");
    // Same date: ordered by name.
    let nov23: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("2024-11-23"))
        .map(|l| {
            l.split("  ")
                .filter(|c| !c.is_empty())
                .nth(2)
                .unwrap()
                .trim()
        })
        .collect();
    assert!(nov23.len() > 3);
    assert!(nov23.is_sorted(), "{nov23:#?}");

    // A partial date as both bounds is its whole month.
    let out = ties()
        .args(["timeline", "--from", "2024-11", "--to", "2024-11"])
        .output();
    let text = stdout(&out);
    let nov: DateWindow = "2024-11".parse().unwrap();
    let dates = timeline_dates(&text);
    assert!(!dates.is_empty());
    assert!(dates.iter().all(|&d| nov.overlaps(d, None)), "{text}");
    assert!(text.contains("2024-11-04") && text.contains("2024-11-23"));
    assert!(!text.contains("2025"));
}

#[test]
fn timeline_around_a_focus() {
    let out = ties()
        .args(["timeline", "--focus", "palianytsia", "--depth", "1"])
        .output();
    assert!(out.status.success());
    // Palianytsia's own tie to the tranche is undated, and so is the tranche
    // (the reports say only that it was agreed): nothing dated in this view.
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("nothing dated"), "{}", stderr(&out));
}

#[test]
fn show_lists_relations_in_the_window() {
    let out = ties().args(["show", "Palianytsia"]).output();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with("Palianytsia  (programme, id palianytsia)\n"),
        "{text}"
    );
    assert!(text.contains("relations (2):"), "{text}");
    assert!(
        text.contains("←concerns— First €10 million tranche"),
        "{text}"
    );

    // Both of Palianytsia's relations are undated: a window keeps them,
    // --no-undated leaves them outside the view.
    let out = ties()
        .args(["show", "palianytsia", "--from", "2025", "--no-undated"])
        .output();
    let text = stdout(&out);
    assert!(
        text.contains("relations (0 shown, 2 outside the view):"),
        "{text}"
    );
    assert!(!text.contains("concerns"), "{text}");

    let out = ties().args(["show", "palianytsia", "--json"]).output();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["focus"], "palianytsia");
    assert_eq!(doc["edges"].as_array().unwrap().len(), 2);
    assert_eq!(doc["nodes"].as_array().unwrap().len(), 3);
}

#[test]
fn export_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.dot");
    let f = file.to_str().unwrap();
    let first = ties()
        .args([
            "export",
            "--format",
            "dot",
            "--focus",
            "palianytsia",
            "-o",
            f,
        ])
        .output();
    assert!(first.status.success(), "{}", stderr(&first));
    let before = std::fs::read_to_string(&file).unwrap();
    assert!(before.starts_with("digraph ties {"));
    let again = ties()
        .args(["export", "--format", "mermaid", "-o", f])
        .output();
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        stderr(&again),
        format!("ties: {f} exists; pass --force to overwrite it\n")
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    let forced = ties()
        .args(["export", "--format", "mermaid", "-o", f, "--force"])
        .output();
    assert!(forced.status.success());
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("flowchart LR")
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn view_file_gives_defaults_that_flags_override() {
    let dir = tempfile::tempdir().unwrap();
    let view = dir.path().join("view.ron");
    std::fs::write(
        &view,
        r#"View(focus: "palianytsia", depth: 2, direction: both, from: "2024-11", to: "2024-11")"#,
    )
    .unwrap();
    let v = view.to_str().unwrap();
    let with_view = ties()
        .args(["--view", v, "export", "--format", "json"])
        .output();
    assert!(with_view.status.success(), "{}", stderr(&with_view));
    let with_flags = ties()
        .args([
            "export",
            "--format",
            "json",
            "--focus",
            "palianytsia",
            "--depth",
            "2",
            "--from",
            "2024-11",
            "--to",
            "2024-11",
        ])
        .output();
    assert_eq!(stdout(&with_view), stdout(&with_flags));
    // A flag overrides the file's setting.
    let deeper = ties()
        .args(["--view", v, "export", "--format", "json", "--depth", "1"])
        .output();
    let depth1 = ties()
        .args([
            "export",
            "--format",
            "json",
            "--focus",
            "palianytsia",
            "--from",
            "2024-11",
            "--to",
            "2024-11",
        ])
        .output();
    assert_eq!(stdout(&deeper), stdout(&depth1));
    assert_ne!(stdout(&deeper), stdout(&with_view));
    // The timeline and path follow the file's window.
    let t = stdout(&ties().args(["--view", v, "timeline"]).output());
    assert!(!t.is_empty() && !t.contains("2025"), "{t}");
}

#[test]
fn bad_view_files_are_reported_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let view = dir.path().join("view.ron");
    let v = view.to_str().unwrap();
    std::fs::write(&view, "View(\n    focus: \"no-such-entity\",\n)").unwrap();
    let out = ties()
        .args(["--view", v, "export", "--format", "json"])
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "ties: the view's focus `no-such-entity` is not an entity id in this graph\n"
    );
    std::fs::write(&view, "View(\n    depth: 2,\n    colour: red,\n)").unwrap();
    let out = ties().args(["--view", v, "timeline"]).output();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with(&format!("ties: {v}:3:")), "{err}");
    assert!(err.contains("colour"), "{err}");
}

#[test]
fn focus_queries_are_fuzzy_and_ambiguity_is_reported() {
    let o = ties().args(["show", "kasciunas"]).output();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("Laurynas Kasčiūnas"));
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("twins.ron");
    std::fs::write(
        &f,
        r#"Graph(entities: [
            Entity(id: "a", kind: person, name: "Jonas Jonaitis"),
            Entity(id: "b", kind: person, name: "Jonas Jonaitis"),
        ])"#,
    )
    .unwrap();
    let o = ties().args(["show", "jonaitis", "--data"]).arg(&f).output();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ambiguous") && err.contains("(a)") && err.contains("(b)"),
        "{err}"
    );
}

#[test]
fn money_lists_the_first_tranche_with_its_source() {
    let o = ties()
        .args(["money", "long-range weapons production"])
        .output();
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out
        .lines()
        .find(|l| l.contains("tranche") && l.contains("(pledged;"))
        .unwrap_or_else(|| panic!("no tranche line:\n{out}"));
    assert!(line.contains("s002"), "{line}");
    assert!(line.contains("promised"), "{line}");
    assert!(!out.contains("transferred"), "{out}");
    // The €10m is recorded once, on Lithuania's pledge of the tranche: the
    // funding chain reaches it, with the notes (issues 17, 30).
    let chain = out
        .split_once("funding chain")
        .unwrap_or_else(|| panic!("no funding chain:\n{out}"))
        .1;
    let tranche = chain
        .find("First €10 million tranche under the Vilnius memorandum —pledged→ Ukrainian long-range weapons production")
        .unwrap_or_else(|| panic!("no tranche in the chain:\n{out}"));
    let payer = chain
        .find("Lithuania —pledged→ First €10 million tranche under the Vilnius memorandum  (€10,000,000)")
        .unwrap_or_else(|| panic!("no first payer:\n{out}"));
    assert!(tranche < payer, "{out}");
    assert!(chain[tranche..payer].contains("note: "), "{out}");
    // Palianytsia is a named focus of the tranche, with no share of it: no
    // money of its own; its chain shows the tranche about it and who pledged
    // it, and nothing paid to the industry it is part of (issue 30).
    let o = ties().args(["money", "Palianytsia"]).output();
    assert!(o.status.success());
    let out = stdout(&o);
    let (own, chain) = out
        .split_once("funding chain")
        .unwrap_or_else(|| panic!("no funding chain:\n{out}"));
    assert!(!own.contains('€'), "{out}");
    assert!(
        chain.contains(
            "First €10 million tranche under the Vilnius memorandum —concerns→ Palianytsia"
        ),
        "{out}"
    );
    assert!(
        chain.contains("Lithuania —pledged→ First €10 million tranche under the Vilnius memorandum  (€10,000,000)"),
        "{out}"
    );
    assert!(!chain.contains("part of"), "{out}");
}

#[test]
fn data_in_no_known_format_gets_the_list_of_formats_not_a_parse_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "Ann met Bob, twice.\n").unwrap();
    let o = ties()
        .args(["check", "--data", text.to_str().unwrap()])
        .output();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("notes.txt") && err.contains("not in a format ties reads"),
        "{err}"
    );
    for f in ["ron (", "ftm (", "gexf (", "graphml (", "csv ("] {
        assert!(err.contains(f), "{f}: {err}");
    }
    assert!(!err.contains("invalid RON"), "{err}");
    // RON under another name is still read: the content tells.
    let ron = dir.path().join("graph.txt");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/assets/graph.ron"),
        &ron,
    )
    .unwrap();
    let o = ties()
        .args(["check", "--data", ron.to_str().unwrap()])
        .output();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("valid: "), "{}", stdout(&o));
}
