//! The fast loader on files large enough for its threads to run ahead: a
//! problem deep in the file is reported (the pipeline never waits for ever),
//! and files the whole-file parser refuses are refused too.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use ties::load::{LoadError, load_path, load_texts};

/// A generated graph of `n` entities as RON text.
fn generated(n: usize) -> String {
    crate::common::generated_ron(n, 2, 3)
}

/// `load_path` on `text` written to a file, on a thread, with a deadline: a
/// hang fails the test instead of stopping CI.
fn load_with_deadline(dir: &Path, text: &str) -> Result<usize, LoadError> {
    let path = dir.join("g.ron");
    std::fs::write(&path, text).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(load_path(&path).map(|g| g.node_count()));
    });
    rx.recv_timeout(Duration::from_secs(120))
        .expect("the load finished (it must never hang)")
}

#[test]
fn a_problem_deep_in_a_large_file_is_reported_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let text = generated(60_000);
    assert_eq!(load_with_deadline(dir.path(), &text).unwrap(), 60_000);
    // Break one date a third of the way in: the reader is well ahead by then.
    let at = text.match_indices("date: \"").nth(20_000).unwrap().0;
    let mut bad = text.clone();
    bad.replace_range(at..at + 11, "date: \"2024-13");
    for _ in 0..3 {
        let e = load_with_deadline(dir.path(), &bad).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        let p = &e.problems[0];
        assert!(p.to_string().contains("2024-13"), "{p}");
        let line = bad[..at].matches('\n').count() + 1;
        assert_eq!(p.location.line_col.map(|(l, _)| l), Some(line), "{p}");
    }
}

#[test]
fn what_the_whole_file_parser_refuses_the_fast_loader_refuses() {
    let dir = tempfile::tempdir().unwrap();
    for text in [
        // No comma between two lists.
        "Graph(sources: [] entities: [])",
        // A byte-order mark anywhere but at the start.
        " \u{feff}Graph()",
        "#![enable(implicit_some)]\n\u{feff}Graph()",
    ] {
        let whole = load_texts(vec![(
            dir.path().join("g.ron").display().to_string(),
            text.into(),
        )]);
        let fast = load_with_deadline(dir.path(), text);
        assert!(whole.is_err(), "{text:?}");
        assert_eq!(
            fast.unwrap_err().problems,
            whole.unwrap_err().problems,
            "{text:?}"
        );
    }
    assert_eq!(
        load_with_deadline(dir.path(), "\u{feff}Graph(sources: [],)").unwrap(),
        0
    );
}
