//! The bad-input corpus for imported formats, through the library: each broken
//! CSV, GraphML or GEXF file in tests/bad/ gives a problem naming the file, the
//! line and column, and what is wrong. (`tests/bad_input.rs` runs the same
//! files through the binary: exit code 2, nothing written.)

use std::path::{Path, PathBuf};

use ties::load::LoadError;
use ties::read::{csv, gexf, graphml};

type Reader = fn(&Path) -> Result<(ties::Graph, Vec<String>), LoadError>;

struct Case {
    file: &'static str,
    read: Reader,
    /// Line and column of the first problem.
    at: (usize, usize),
    /// Each must appear in the first problem's message.
    expect: &'static [&'static str],
}

fn bad(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bad")
        .join(file)
}

#[test]
fn every_broken_import_names_file_line_and_column() {
    let cases = [
        Case {
            file: "bad_utf8.csv",
            read: csv::read,
            at: (3, 2),
            expect: &["field 2 (`name`) is not UTF-8"],
        },
        Case {
            file: "ragged_row.csv",
            read: csv::read,
            at: (3, 3),
            expect: &["2 fields, the header 3"],
        },
        Case {
            file: "bad_date_edges.csv",
            read: csv::read,
            at: (2, 1),
            expect: &["edge ua → lt", "date", "2024-13-45"],
        },
        Case {
            file: "no_id_column.csv",
            read: csv::read,
            at: (1, 1),
            expect: &["names no id column", "a, b, c"],
        },
        Case {
            file: "duplicate_id.csv",
            read: csv::read,
            at: (4, 1),
            expect: &["duplicate node id `ua`", "duplicate_id.csv:2:1"],
        },
        Case {
            file: "bad_currency.csv",
            read: csv::read,
            at: (2, 1),
            expect: &["node `fund`", "`EURO` is not an ISO 4217 currency"],
        },
        Case {
            file: "unclosed.graphml",
            read: graphml::read,
            at: (6, 3),
            expect: &["invalid GraphML", "node"],
        },
        Case {
            file: "cut_short.graphml",
            read: graphml::read,
            at: (5, 1),
            expect: &["the file ends before `</graph>`"],
        },
        Case {
            file: "bad_amount.graphml",
            read: graphml::read,
            at: (8, 7),
            expect: &["edge a → b", "negative"],
        },
        Case {
            file: "bad_attribute.gexf",
            read: gexf::read,
            at: (6, 7),
            expect: &["invalid GEXF"],
        },
        Case {
            file: "bad_date.gexf",
            read: gexf::read,
            at: (9, 7),
            expect: &["edge a → b", "2024-02-30"],
        },
        Case {
            file: "empty_id.gexf",
            read: gexf::read,
            at: (5, 7),
            expect: &["node has an empty id"],
        },
    ];
    for c in cases {
        let path = bad(c.file);
        let err = (c.read)(&path).expect_err(c.file);
        let p = &err.problems[0];
        let message = p.to_string();
        eprintln!("{}: {message}", c.file);
        assert!(p.location.file.ends_with(c.file), "{}: {message}", c.file);
        assert_eq!(p.location.line_col, Some(c.at), "{}: {message}", c.file);
        for e in c.expect {
            assert!(message.contains(e), "{}: `{e}` not in {message}", c.file);
        }
    }
}

#[test]
fn a_missing_file_is_not_found_not_a_panic() {
    for read in [csv::read as Reader, graphml::read, gexf::read] {
        let err = read(Path::new("/no/such/file.x")).unwrap_err();
        assert_eq!(err.problems[0].kind, ties::load::ProblemKind::NotFound);
    }
}
