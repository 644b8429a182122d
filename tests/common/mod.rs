//! Shared by the integration tests: graphs, views, and the rule for outside tools.

#![allow(dead_code)]

use ties::Graph;
use ties::view::{Filter, Reach, Subgraph, subgraph};

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

/// True when CI asks for every outside tool: a missing one must fail the test.
pub fn tools_required() -> bool {
    std::env::var("TIES_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Reports a missing tool: a failure when tools are required, else a skip notice.
/// Returns normally only in the second case.
pub fn missing_tool(what: &str) {
    missing(what, "run .ci/setup-tools.sh to install it");
}

/// [`missing_tool`] with the hint that says how to install `what`.
pub fn missing(what: &str, hint: &str) {
    if tools_required() {
        panic!("TIES_REQUIRE_TOOLS=1 but {what} is missing; {hint}");
    }
    eprintln!("skipped: {what} is missing ({hint}; TIES_REQUIRE_TOOLS=1 makes this a failure)");
}
