//! The bad-input corpus for imported formats, through the library: each broken
//! CSV, GraphML or GEXF file in tests/bad/ gives a problem naming the file, the
//! line and column, and what is wrong. (`tests/bad_input.rs` runs the same
//! files through the binary: exit code 2, nothing written.)

use std::path::{Path, PathBuf};

use ties::load::LoadError;
use ties::read::{csv, gexf, graphml};

type Reader = fn(&Path) -> Result<(ties::Graph, Vec<String>), LoadError>;

/// CSV as `check --strict` reads it: what a lenient load works around (a
/// ragged row, a duplicate id) refused.
fn csv_strict(path: &Path) -> Result<(ties::Graph, Vec<String>), LoadError> {
    let c = csv::read_with_checked(path, &Default::default())?;
    match c.worked_around {
        Some(e) => Err(e),
        None => Ok((c.graph, c.notes)),
    }
}

struct Case {
    file: &'static str,
    read: Reader,
    /// Line and column of the first problem.
    at: (usize, usize),
    /// Each must appear in the first problem's message.
    expect: &'static [&'static str],
}

fn case(
    file: &'static str,
    read: Reader,
    at: (usize, usize),
    expect: &'static [&'static str],
) -> Case {
    Case {
        file,
        read,
        at,
        expect,
    }
}

fn bad(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bad")
        .join(file)
}

#[test]
fn every_broken_import_names_file_line_and_column() {
    let cases = [
        case(
            "bad_utf8.csv",
            csv::read,
            (3, 2),
            &["field 2 (`name`) is not UTF-8"],
        ),
        case(
            "ragged_row.csv",
            csv_strict,
            (3, 3),
            &["2 fields, the header 3"],
        ),
        case(
            "bad_date_edges.csv",
            csv::read,
            (2, 1),
            &["edge ua → lt", "date", "2024-13-45"],
        ),
        case(
            "no_id_column.csv",
            csv::read,
            (1, 1),
            &["names no id column", "a, b, c"],
        ),
        case(
            "duplicate_id.csv",
            csv_strict,
            (4, 1),
            &["duplicate node id `ua`", "duplicate_id.csv:2:1"],
        ),
        case(
            "bad_currency.csv",
            csv::read,
            (2, 1),
            &["node `fund`", "`EURO` is not an ISO 4217 currency"],
        ),
        case(
            "unclosed.graphml",
            graphml::read,
            (6, 3),
            &["invalid GraphML", "node"],
        ),
        case(
            "cut_short.graphml",
            graphml::read,
            (5, 1),
            &["the file ends before `</graph>`"],
        ),
        case(
            "bad_amount.graphml",
            graphml::read,
            (8, 7),
            &["edge a → b", "negative"],
        ),
        case("bad_attribute.gexf", gexf::read, (6, 7), &["invalid GEXF"]),
        case(
            "bad_date.gexf",
            gexf::read,
            (9, 7),
            &["edge a → b", "2024-02-30"],
        ),
        case(
            "empty_id.gexf",
            gexf::read,
            (5, 7),
            &["node has an empty id"],
        ),
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
