//! `--db URL` through the binary: a graph pushed with `ties push` answers
//! `search`, `show`, `path`, `timeline`, `money` and `export` exactly as the
//! same graph in memory does. A real FalkorDB server (see `common::falkor`).

use crate::common;

use common::falkor::Server;
use common::ties;

/// Runs `args` from memory (`data`, or the built-in graph) and on the database
/// at `url`: (exit code, stdout, stderr) of each, memory first.
fn run_both(
    data: Option<&std::path::Path>,
    url: &str,
    args: &[&str],
) -> [(i32, String, String); 2] {
    let mut mem = ties().args(args);
    if let Some(d) = data {
        mem = mem.arg("--data").arg(d);
    }
    [mem.run(), ties().args(args).args(["--db", url]).run()]
}

/// [`run_both`], checking both exit 0 and memory prints something; the two
/// outputs, memory first.
fn both_ok(data: Option<&std::path::Path>, url: &str, args: &[&str]) -> (String, String) {
    let [(mem_code, mem_out, mem_err), (db_code, db_out, db_err)] = run_both(data, url, args);
    assert_eq!(mem_code, 0, "{args:?} from memory failed: {mem_err}");
    assert_eq!(db_code, 0, "{args:?} on --db failed: {db_err}");
    assert!(!mem_out.is_empty(), "{args:?} printed nothing");
    (mem_out, db_out)
}

/// Runs `args` from memory and on the database at `url`, and checks both
/// print the same and exit the same.
fn same(data: Option<&std::path::Path>, url: &str, args: &[&str]) {
    let (mem_out, db_out) = both_ok(data, url, args);
    assert_eq!(db_out, mem_out, "{args:?} differs between --db and memory");
}

/// As [`same`], for answers where the server may differ past the first `n`
/// lines: the typo tier searches the names the server's full-text index
/// returns (a typo it does not know is not among them), and routes of one
/// length are ranked by how many relations their entities have, which a
/// fetched neighbourhood knows only in part. The first lines (the best hit;
/// the shortest length and how many routes have it) must agree.
fn same_head(data: Option<&std::path::Path>, url: &str, args: &[&str], n: usize) {
    let (mem_out, db_out) = both_ok(data, url, args);
    // Columns are as wide as the longest id listed, so spacing is not compared.
    let head = |s: &str| {
        s.lines()
            .take(n)
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        head(&db_out),
        head(&mem_out),
        "{args:?} differs between --db and memory"
    );
}

/// Paths: the same routes, each once, in any order (routes of one length are
/// ranked by how many relations their entities have, which a fetched
/// neighbourhood knows only in part).
fn same_routes(data: Option<&std::path::Path>, url: &str, args: &[&str]) {
    let [(_, mem_out, mem_err), (_, db_out, db_err)] = run_both(data, url, args);
    let routes = |s: &str| {
        let mut r: Vec<String> = s
            .split("\n\n")
            .filter(|b| b.contains('—'))
            .map(|b| {
                b.lines()
                    .filter(|l| !l.trim_end().ends_with('.'))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect();
        r.sort();
        r
    };
    assert!(!routes(&mem_out).is_empty(), "{args:?}: {mem_out}{mem_err}");
    assert_eq!(
        mem_out.lines().next(),
        db_out.lines().next(),
        "{args:?}: {db_err}"
    );
    assert_eq!(routes(&db_out), routes(&mem_out), "{args:?} routes differ");
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
#[ignore = "needs FalkorDB (bash .ci/setup-falkordb.sh)"]
fn the_shipped_graph_answers_the_same_from_the_database() {
    let server = Server::start();
    let url = server.url("shipped").to_string();
    push(None, &url);
    // Pushing again changes nothing.
    push(None, &url);
    // The best hit agrees; typo hits past it come from what the server returns.
    same_head(None, &url, &["search", "kaschyunas"], 1);
    same_routes(None, &url, &["path", "Kyrylo Budanov", "palianytsia"]);
    same_head(
        None,
        &url,
        &["path", "kyrylo-budanov", "palianytsia", "--limit", "1"],
        1,
    );
    let cases: &[&[&str]] = &[
        &["search", "umierov", "--json"],
        &["search", "min", "def", "--limit", "2", "--json"],
        &["show", "Palianytsia"],
        &["show", "kasciunas"],
        &["show", "kasciunas", "--json"],
        &["show", "palianytsia", "--from", "2025"],
        &["money", "Palianytsia"],
        &["money", "long-range weapons production"],
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
#[ignore = "needs FalkorDB (bash .ci/setup-falkordb.sh)"]
fn a_generated_graph_of_10k_answers_the_same_from_the_database() {
    let server = Server::start();
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
        vec![
            "export", "--format", "json", "--focus", &some, "--depth", "2",
        ],
        vec!["timeline", "--focus", &some, "--depth", "2"],
    ];
    for args in &cases {
        same(Some(&data), &url, args);
    }
    // Through a hub, routes of one length may come in another order: the
    // shortest length and how many routes have it agree.
    same_head(
        Some(&data),
        &url,
        &["path", &busiest, &other, "--limit", "3"],
        1,
    );
    same_routes(Some(&data), &url, &["path", &some, &other]);
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
