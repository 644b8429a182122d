//! The bad-input corpus: each broken graph gives a specific message naming the file
//! and position (or id), exit code 2, and nothing is written.
//!
//! Run with `cargo test --test bad_input -- --nocapture` to see every case and its
//! message.

use std::path::{Path, PathBuf};

use crate::common;

use common::ties;

/// Runs `ties export --format json -o OUT --data PATH` and returns (exit code, stderr);
/// asserts nothing was written.
fn export_fails(path: &Path) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let o = ties()
        .args(["export", "--format", "json", "-o"])
        .arg(&out)
        .arg("--data")
        .arg(path)
        .output();
    assert!(!out.exists(), "{}: an export was written", path.display());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "{}: something was left in the output folder",
        path.display()
    );
    assert!(o.stdout.is_empty());
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

struct Case {
    name: &'static str,
    path: PathBuf,
    /// Every one of these must appear in the message.
    expect: Vec<String>,
}

fn case(name: &'static str, file: &str, expect: &[&str]) -> Case {
    Case {
        name,
        path: PathBuf::from("tests/bad").join(file),
        expect: expect.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn every_bad_input_has_a_specific_message_and_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    // Cases made at run time: too big or too odd to commit.
    let deep = tmp.path().join("deep.ron");
    std::fs::write(
        &deep,
        format!("Graph(entities: {}{})", "[".repeat(5000), "]".repeat(5000)),
    )
    .unwrap();
    let long = tmp.path().join("long_name.ron");
    std::fs::write(
        &long,
        format!(
            "Graph(entities: [Entity(id: \"a\", kind: person, name: \"{}\")])",
            "N".repeat(1_000_000)
        ),
    )
    .unwrap();
    let dangling_link = tmp.path().join("link.ron");
    std::os::unix::fs::symlink(tmp.path().join("gone.ron"), &dangling_link).unwrap();
    let empty_dir = tmp.path().join("empty-folder");
    std::fs::create_dir(&empty_dir).unwrap();

    let mut cases = vec![
        case(
            "empty file",
            "empty.ron",
            &["empty.ron", "the file is empty"],
        ),
        case(
            "unclosed",
            "unclosed.ron",
            &["unclosed.ron:4:7", "end of RON"],
        ),
        case(
            "wrong top-level type",
            "wrong_top_level.ron",
            &["wrong_top_level.ron:1:1", "`Graph`"],
        ),
        case(
            "missing field",
            "missing_field.ron",
            &["missing_field.ron:3:", "missing field named `name`"],
        ),
        case(
            "unknown field",
            "unknown_field.ron",
            &["unknown_field.ron:3:", "`colour`"],
        ),
        case(
            "unknown kind",
            "unknown_kind.ron",
            &["unknown_kind.ron:3:31", "`wizard`", "`person`"],
        ),
        case(
            "dangling id",
            "dangling_id.ron",
            &["dangling_id.ron:7:", "unknown entity id `nobody`"],
        ),
        case(
            "duplicate id",
            "duplicate_id.ron",
            &[
                "duplicate_id.ron:6:",
                "duplicate entity id `a`",
                "first defined at tests/bad/duplicate_id.ron:4:",
            ],
        ),
        case(
            "duplicate source id",
            "duplicate_source.ron",
            &[
                "duplicate_source.ron:4:",
                "duplicate source id `s`",
                "first defined at tests/bad/duplicate_source.ron:3:",
            ],
        ),
        case(
            "bad dates (both listed)",
            "bad_date.ron",
            &[
                "2 problems",
                "bad_date.ron:4:",
                "February 2024 has 29 days",
                "bad_date.ron:5:",
                "no month 13",
            ],
        ),
        case(
            "bad currency",
            "bad_currency.ron",
            &["bad_currency.ron:4:", "`EURO` is not an ISO 4217"],
        ),
        case(
            "negative and NaN amounts",
            "bad_amount.ron",
            &[
                "bad_amount.ron:4:",
                "negative",
                "bad_amount.ron:5:",
                "not a finite",
            ],
        ),
        case(
            "relation with an unknown source",
            "unknown_source.ron",
            &["unknown_source.ron:8:", "unknown source id `nope`"],
        ),
        case(
            "not UTF-8",
            "not_utf8.ron",
            &["not_utf8.ron:1:55", "not UTF-8"],
        ),
        case(
            "one bad file in a folder",
            "folder",
            &[
                "folder/2-bad.ron:3:",
                "February 2023 has 28 days",
                "1 problem",
            ],
        ),
        // Imported formats, told apart by their content and name.
        case(
            "CSV: bytes that are not UTF-8",
            "bad_utf8.csv",
            &["bad_utf8.csv:3:2", "is not UTF-8"],
        ),
        case(
            "CSV: a bad date on an edge",
            "bad_date_edges.csv",
            &["bad_date_edges.csv:2:1", "edge ua → lt", "2024-13-45"],
        ),
        case(
            "CSV: no id column",
            "no_id_column.csv",
            &["no_id_column.csv:1:1", "names no id column"],
        ),
        case(
            "CSV: an unknown currency",
            "bad_currency.csv",
            &["bad_currency.csv:2:1", "`EURO` is not an ISO 4217 currency"],
        ),
        case(
            "GraphML: mismatched tags",
            "unclosed.graphml",
            &["unclosed.graphml:6:3", "invalid GraphML"],
        ),
        case(
            "GraphML: cut short",
            "cut_short.graphml",
            &["cut_short.graphml:5:1", "the file ends before `</graph>`"],
        ),
        case(
            "GraphML: a negative amount",
            "bad_amount.graphml",
            &["bad_amount.graphml:8:7", "edge a → b", "negative"],
        ),
        case(
            "GEXF: a malformed attribute",
            "bad_attribute.gexf",
            &["bad_attribute.gexf:6:7", "invalid GEXF"],
        ),
        case(
            "GEXF: a day February lacks",
            "bad_date.gexf",
            &["bad_date.gexf:9:7", "edge a → b", "2024-02-30"],
        ),
        case(
            "GEXF: an empty node id",
            "empty_id.gexf",
            &["empty_id.gexf:5:7", "node has an empty id"],
        ),
        case(
            "path that does not exist",
            "no/such/file.ron",
            &["no such file"],
        ),
    ];
    cases.push(Case {
        name: "deep nesting",
        path: deep,
        expect: vec!["deep.ron:1:".into()],
    });
    cases.push(Case {
        name: "1 MB single-line name",
        path: long,
        expect: vec![
            "long_name.ron:1:".into(),
            "name is 1000000 characters long".into(),
        ],
    });
    cases.push(Case {
        name: "dangling symlink (unreadable)",
        path: dangling_link,
        expect: vec!["link.ron".into(), "no such file".into()],
    });
    cases.push(Case {
        name: "folder with no .ron files",
        path: empty_dir,
        expect: vec!["holds no .ron files".into()],
    });

    let mut failures = Vec::new();
    for c in &cases {
        let (code, msg) = export_fails(&c.path);
        println!("{:<40} exit {code}\n{}", c.name, indent(&msg));
        assert!(msg.len() < 4096, "{}: message too long", c.name);
        if code != 2 {
            failures.push(format!("{}: exit code {code}, expected 2", c.name));
        }
        for e in &c.expect {
            if !msg.contains(e.as_str()) {
                failures.push(format!("{}: message lacks `{e}`:\n{msg}", c.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{} bad-input cases checked", cases.len());
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

/// A CSV row shorter than its header, or a node id given twice, is left out
/// and noted (as Gephi and networkx read on); `check --strict` refuses it.
#[test]
fn a_ragged_row_or_a_duplicate_csv_id_is_noted_and_only_strict_refuses_it() {
    for (file, expect, left) in [
        (
            "tests/bad/ragged_row.csv",
            ["ragged_row.csv:3:3", "this row has 2 fields, the header 3"],
            "1 row not as long as the header left out",
        ),
        (
            "tests/bad/duplicate_id.csv",
            ["duplicate_id.csv:4:1", "duplicate node id `ua`"],
            "1 node repeating an earlier id left out",
        ),
    ] {
        let (code, out, err) = ties().args(["check", "--data", file]).run();
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with("valid: 2 entities"), "{out}");
        assert!(
            err.contains(left) && err.contains("--strict refuses"),
            "{err}"
        );
        let (code, _, err) = ties().args(["check", "--strict", "--data", file]).run();
        assert_eq!(code, 2, "{err}");
        assert!(expect.iter().all(|e| err.contains(e)), "{err}");
    }
}

#[test]
fn a_relation_without_a_source_loads_and_only_strict_check_refuses_it() {
    let data = "tests/bad/missing_source.ron";
    let (code, out, err) = ties().args(["check", "--data", data]).run();
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("valid: 2 entities, 2 relations"), "{out}");
    let (code, out, err) = ties().args(["show", "a", "--data", data]).run();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("—met→ B  [no source given]"), "{out}");
    assert!(out.contains("←met— B  [s]"), "{out}");
    let (code, out, err) = ties().args(["check", "--strict", "--data", data]).run();
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("1 relation without a source")
            && err.contains("missing_source.ron: relation #1 `a` → `b` cites no source"),
        "{err}"
    );
    // The shipped graph cites a source for every relation.
    let (code, _, err) = ties().args(["check", "--strict"]).run();
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_bom_is_accepted() {
    let o = ties()
        .args(["check", "--data", "tests/fixtures/bom.ron"])
        .output();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("valid: 1 entity, 0 relations, 1 source"));
}

#[test]
fn stdout_that_is_not_a_terminal_gets_a_helpful_error() {
    let o = ties().output();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(err.contains("ties show"), "{err}");
}
