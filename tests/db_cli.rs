//! `--db URL` through the binary: a graph pushed with `ties push` answers
//! `search`, `show`, `path`, `timeline`, `money` and `export` exactly as the
//! same graph in memory does. A real FalkorDB server (see `common::falkor`).

mod common;

use common::falkor::Server;
use common::ties;

/// Runs `args` from memory (`data`, or the built-in graph) and on the database
/// at `url`, and checks both print the same and exit the same.
fn same(data: Option<&std::path::Path>, url: &str, args: &[&str]) {
    let mut mem = ties().args(args);
    if let Some(d) = data {
        mem = mem.arg("--data").arg(d);
    }
    let (mem_code, mem_out, mem_err) = mem.run();
    let (db_code, db_out, db_err) = ties().args(args).args(["--db", url]).run();
    assert_eq!(mem_code, 0, "{args:?} from memory failed: {mem_err}");
    assert_eq!(db_code, 0, "{args:?} on --db failed: {db_err}");
    assert!(!mem_out.is_empty(), "{args:?} printed nothing");
    assert_eq!(db_out, mem_out, "{args:?} differs between --db and memory");
}

fn push(data: Option<&std::path::Path>, url: &str) {
    let mut cmd = ties().args(["push", "--db", url]);
    if let Some(d) = data {
        cmd = cmd.arg("--data").arg(d);
    }
    let (code, _, err) = cmd.run();
    assert_eq!(code, 0, "push failed: {err}");
    assert!(err.contains("pushed "), "push says what it wrote: {err}");
}

#[test]
fn the_shipped_graph_answers_the_same_from_the_database() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url("shipped").to_string();
    push(None, &url);
    // Pushing again changes nothing.
    push(None, &url);
    let cases: &[&[&str]] = &[
        &["search", "kaschyunas"],
        &["search", "umierov", "--json"],
        &["search", "min", "def", "--limit", "2", "--json"],
        &["show", "Palianytsia"],
        &["show", "kasciunas"],
        &["show", "kasciunas", "--json"],
        &["show", "palianytsia", "--from", "2025"],
        &["money", "Palianytsia"],
        &["money", "long-range weapons production"],
        &["path", "Kyrylo Budanov", "palianytsia"],
        &["path", "kyrylo-budanov", "palianytsia", "--limit", "1"],
        &["path", "kyrylo-budanov", "palianytsia", "--to", "2024-10"],
        &["timeline", "--focus", "kasciunas", "--depth", "2"],
        &["timeline"],
        &[
            "export",
            "--format",
            "json",
            "--focus",
            "palianytsia",
            "--depth",
            "2",
        ],
        &[
            "export",
            "--format",
            "json",
            "--focus",
            "kasciunas",
            "--depth",
            "2",
            "--from",
            "2024",
        ],
        &["export", "--format", "json"],
        &["check"],
    ];
    for args in cases {
        same(None, &url, args);
    }
    // A name nobody has is the same clear error.
    let (code, _, err) = ties().args(["show", "qqqzzz", "--db", &url]).run();
    assert_ne!(code, 0);
    assert!(err.contains("qqqzzz"), "{err}");
}

#[test]
fn a_generated_graph_of_10k_answers_the_same_from_the_database() {
    let Some(server) = Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("gen.ron");
    let (code, _, err) = ties()
        .args(["gen", "--entities", "10000", "-o"])
        .arg(&data)
        .run();
    assert_eq!(code, 0, "{err}");
    let opts = ties::generate::GenOptions {
        entities: 10_000,
        ..Default::default()
    };
    let graph = ties::generate::graph(&opts).unwrap();
    let busiest = graph.entity(graph.busiest().unwrap()).id.to_string();
    let some = graph.entity(ties::graph::NodeIx::new(4321)).id.to_string();
    let other = graph.entity(ties::graph::NodeIx::new(977)).id.to_string();
    let url = server.url("gen10k").to_string();
    push(Some(&data), &url);
    let cases: Vec<Vec<&str>> = vec![
        vec!["show", &busiest],
        vec!["show", &some],
        vec!["show", &some, "--json"],
        vec!["money", &some],
        vec!["path", &some, &other],
        vec!["path", &busiest, &other, "--limit", "3"],
        vec![
            "export", "--format", "json", "--focus", &some, "--depth", "2",
        ],
        vec!["timeline", "--focus", &some, "--depth", "2"],
    ];
    for args in &cases {
        same(Some(&data), &url, args);
    }
}

#[test]
fn push_without_db_and_data_with_db_are_usage_errors() {
    let (code, _, err) = ties().args(["push"]).run();
    assert_eq!(code, 2);
    assert!(err.contains("--db"), "{err}");
    let (code, _, err) = ties()
        .args([
            "show",
            "a",
            "--data",
            "x.ron",
            "--db",
            "falkor://localhost:1/g",
        ])
        .run();
    assert_eq!(code, 2);
    assert!(err.contains("--data and --db"), "{err}");
}

#[test]
fn a_password_from_the_environment_is_never_printed() {
    // No server listens on port 1: the error names the URL without the password.
    let (code, out, err) = ties()
        .args(["show", "a", "--db", "falkor://localhost:1/g"])
        .env("TIES_DB_PASSWORD", "sekret-pw")
        .run();
    assert_ne!(code, 0);
    assert!(
        !err.contains("sekret-pw") && !out.contains("sekret-pw"),
        "{err}"
    );
    assert!(err.contains("localhost:1"), "{err}");
}
