//! Shared by the integration tests: running the binary, graphs, views, and the
//! rule for outside tools.

#![allow(dead_code)]

pub mod falkor;
pub mod screen;
pub mod tmux;

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use ties::Graph;
use ties::view::{Filter, Reach, Subgraph, subgraph};

/// The `ties` binary, to be run as a user runs it:
///
/// ```ignore
/// let o = common::ties().args(["export", "--format", "json", "-o"]).arg(&out).output();
/// assert_eq!(o.status.code(), Some(1));
/// let (code, stdout, stderr) = common::ties().args(["search", "kas"]).run();
/// ```
///
/// Each run gets its own empty snapshot cache (`TIES_CACHE_DIR` in a temporary
/// folder, removed afterwards), its own empty user data folder (where the
/// built-in graph's notebook would be: `XDG_DATA_HOME`) and none of the developer's `TIES_SNAPSHOT_MIN` or
/// `TIES_LOAD_STATS`; [`Ties::env`] sets any of them for one run. Stdin is empty
/// unless [`Ties::stdin`] gives it bytes.
pub fn ties() -> Ties {
    let cache = tempfile::tempdir().expect("a temporary cache folder");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ties"));
    // The built-in graph's notebook lives in the user data folder: each run
    // gets its own, empty (a test names its notebook with --notes).
    cmd.env("TIES_CACHE_DIR", cache.path())
        .env("XDG_DATA_HOME", cache.path().join("data"))
        .env_remove("TIES_SNAPSHOT_MIN")
        .env_remove("TIES_LOAD_STATS");
    Ties {
        cmd,
        stdin: None,
        _cache: cache,
    }
}

/// A run of the binary being set up; see [`ties`].
pub struct Ties {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    _cache: tempfile::TempDir,
}

impl Ties {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Bytes the binary reads on stdin.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Runs the binary to its end: its exit status, stdout and stderr.
    pub fn output(mut self) -> Output {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("the ties binary runs");
        // Written from a thread, so that a binary writing much before it reads
        // cannot block on a full stdout pipe while we block on its stdin.
        let feeder = self.stdin.take().map(|bytes| {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // A binary that exits without reading all of it is not an error here.
            std::thread::spawn(move || drop(pipe.write_all(&bytes)))
        });
        let out = child.wait_with_output().expect("the ties binary runs");
        if let Some(f) = feeder {
            f.join().expect("the stdin writer ends");
        }
        out
    }

    /// [`Ties::output`] as (exit code, or -1 if killed by a signal; stdout; stderr).
    pub fn run(self) -> (i32, String, String) {
        let o = self.output();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }
}

/// The graph shipped in the binary.
pub fn shipped() -> Graph {
    ties::load::load_builtin().expect("the shipped graph loads")
}

/// A small graph whose ids, names, notes and roles hold everything an export
/// format could misread: quotes, backslashes, markup, `#`, braces, arrows, line
/// breaks, a Mermaid keyword (`end`), ids that clash once made safe (`fund-1`,
/// `fund_1`), parallel relations, approximate and fractional amounts.
pub const TRICKY: &str = r#"Graph(
    sources: [Source(id: "s<1>", outlet: "A & B", title: "\"Quoted\" title", file: "f")],
    entities: [
        Entity(id: "end", kind: person, name: "Ann \"The Hammer\" O'Neil", aliases: ["A\\B"], sources: ["s<1>"]),
        Entity(id: "fund-1", kind: fund, name: "Fund <1> & #2", date: "2024-11",
               amount: (value: 1234.5, currency: "EUR", approx: true),
               note: "Line one\nline two ]]> {x} #quot;"),
        Entity(id: "fund_1", kind: other("topic"), name: "Clash; {braces} -> arrow \\ back | pipe"),
        Entity(id: "x", kind: agreement, name: "Šakalienė–Umerov pact", date: "2025-02-03", until: "2025-02-24"),
        Entity(id: "lonely", kind: place, name: "Nowhere"),
    ],
    relations: [
        Relation(from: "end", to: "fund-1", kind: finances, role: "Chair \"acting\"", date: "2024-11-23",
                 amount: (value: 10000000, currency: "USD"), sources: ["s<1>"]),
        Relation(from: "fund-1", to: "fund_1", kind: other("lobbies"), sources: ["s<1>"], note: "a\tb"),
        Relation(from: "end", to: "fund-1", kind: signed, sources: ["s<1>"]),
        Relation(from: "x", to: "end", kind: concerns, date: "2025", until: "2026", sources: ["s<1>"]),
    ],
)"#;

pub fn tricky() -> Graph {
    ties::load::load_texts(vec![("tricky.ron".into(), TRICKY.into())]).expect("fixture loads")
}

/// Views worth exporting from `graph`: the whole graph, a neighbourhood, a date
/// window, and a kind filter (the last three only when `focus` is one of its ids).
pub fn views(graph: &Graph, focus: &str) -> Vec<(String, Subgraph)> {
    let all = Filter::default();
    let mut v = vec![(
        "whole graph".to_string(),
        subgraph(graph, None, 1, Reach::Both, &all),
    )];
    let Some(f) = graph.find(focus) else {
        return v;
    };
    v.push((
        format!("{focus}, depth 2"),
        subgraph(graph, Some(f), 2, Reach::Both, &all),
    ));
    let window = Filter {
        window: "2024-11..2024-11".parse().unwrap(),
        hide_undated: true,
        ..Filter::default()
    };
    v.push((
        format!("{focus}, depth 3, November 2024, dated only"),
        subgraph(graph, Some(f), 3, Reach::Both, &window),
    ));
    v.push((
        "whole graph, 2025 on".to_string(),
        subgraph(
            graph,
            None,
            1,
            Reach::Both,
            &Filter {
                window: "2025..".parse().unwrap(),
                ..Filter::default()
            },
        ),
    ));
    v
}

/// A tool a test needs is missing: the test fails, naming it. Tests that need
/// an outside tool are `#[ignore = "needs …"]`, so a plain `cargo test` leaves
/// them out (and counts them as ignored, never as passed); `bash .ci/run`
/// installs the tools and runs them with `--include-ignored`.
pub fn missing_tool(what: &str) -> ! {
    missing(what, "run bash .ci/setup-tools.sh to install it");
}

/// [`missing_tool`] with the hint that says how to install `what`.
pub fn missing(what: &str, hint: &str) -> ! {
    panic!("this test needs {what}, which is missing; {hint}");
}

/// A real public file vendored under `tests/data/` (provenance and licence in
/// `tests/data/README.md`).
pub fn data(rel: &str) -> std::path::PathBuf {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel);
    assert!(
        p.exists(),
        "tests/data/{rel} is missing from the repository"
    );
    p
}

/// Proptest cases: `TIES_PROPTEST_CASES`, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("TIES_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A proptest runner of `n` cases that keeps no regression files.
pub fn runner(n: u32) -> proptest::test_runner::TestRunner {
    proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: n,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })
}

/// The graph a load gave, as records (to compare two loads), or its problems
/// as text.
pub fn outcome(result: Result<Graph, ties::load::LoadError>) -> Result<String, Vec<String>> {
    use ties::view::{Filter, Reach, subgraph};
    match result {
        Ok(g) => {
            let whole = subgraph(&g, None, 1, Reach::Both, &Filter::default());
            Ok(format!("{:?}", ties::export::to_records(&g, &whole)))
        }
        Err(e) => Err(e.problems.iter().map(|p| p.to_string()).collect()),
    }
}

/// `ties gen`'s graph of `entities` entities, `relations_per_entity`
/// relations each, from `seed`, as RON text.
pub fn generated_ron(entities: usize, relations_per_entity: usize, seed: u64) -> String {
    let mut out = Vec::new();
    let opts = ties::generate::GenOptions {
        entities,
        relations_per_entity,
        seed,
    };
    ties::generate::write_ron(&opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}
