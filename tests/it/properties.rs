//! Property tests over the loader and the domain, run with an explicit case count
//! that each test prints (`cargo test --test properties -- --nocapture`). Set
//! `TIES_PROPTEST_CASES` to run more (CI runs a bounded few thousand).

use crate::common::{cases, runner};
use proptest::prelude::*;
use ties::load::{ProblemKind, load_builtin, load_texts};
use ties::model::{DateWindow, PartialDate};
use ties::view::{Filter, Reach, subgraph};

const FIXTURE: &str = include_str!("../fixtures/small.ron");

/// Loads text as a file; asserts the loader's contract: no panic, and every
/// syntax rejection carries a line and column in the named file.
fn load_contract(text: &str) -> Result<(), TestCaseError> {
    match load_texts(vec![("fuzz.ron".into(), text.to_string())]) {
        Ok(g) => {
            prop_assert!(g.node_count() <= text.len());
        }
        Err(e) => {
            prop_assert!(!e.problems.is_empty());
            for p in &e.problems {
                prop_assert_eq!(&p.location.file, "fuzz.ron");
                if matches!(p.kind, ProblemKind::Syntax(_)) {
                    prop_assert!(p.location.line_col.is_some(), "{}", p);
                }
                prop_assert!(!p.to_string().is_empty());
            }
        }
    }
    Ok(())
}

#[test]
fn loader_never_panics_on_arbitrary_bytes() {
    let n = cases(512);
    runner(n)
        .run(&proptest::collection::vec(any::<u8>(), 0..512), |bytes| {
            load_contract(&String::from_utf8_lossy(&bytes))
        })
        .unwrap();
    println!("loader_never_panics_on_arbitrary_bytes: {n} cases");
}

/// Edits that keep most of a valid file and break it in the ways people do.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, &'static str),
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let tokens = prop_oneof![
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just(","),
        Just("\""),
        Just("\"2024-02-30\""),
        Just("-1"),
        Just("NaN"),
        Just("inf"),
        Just("Entity(id: \"kasciunas\", kind: person, name: \"X\"),"),
        Just("Relation(from: \"a\", to: \"nobody\", kind: met, sources: [\"a\"]),"),
        Just("kind: wizard,"),
        Just("\u{0301}\u{202e}🦀"),
        Just("r#\"raw\"#"),
        Just("/*"),
    ];
    prop_oneof![
        (any::<usize>(), 0usize..64).prop_map(|(a, l)| Mutation::Delete(a, l)),
        (any::<usize>(), 0usize..64).prop_map(|(a, l)| Mutation::Duplicate(a, l)),
        (any::<usize>(), tokens).prop_map(|(a, t)| Mutation::Insert(a, t)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in muts {
        let len = chars.len().max(1);
        match *m {
            Mutation::Delete(a, l) => {
                let a = a % len;
                let b = (a + l).min(chars.len());
                chars.drain(a.min(chars.len())..b);
            }
            Mutation::Duplicate(a, l) => {
                let a = (a % len).min(chars.len());
                let b = (a + l).min(chars.len());
                let piece: Vec<char> = chars[a..b].to_vec();
                chars.splice(b..b, piece);
            }
            Mutation::Insert(a, t) => {
                let a = (a % len).min(chars.len());
                chars.splice(a..a, t.chars());
            }
            Mutation::Swap(a, b) => {
                if !chars.is_empty() {
                    let (a, b) = (a % chars.len(), b % chars.len());
                    chars.swap(a, b);
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn loader_never_panics_on_mutated_valid_files() {
    let n = cases(1024);
    runner(n)
        .run(&proptest::collection::vec(mutation(), 1..6), |muts| {
            load_contract(&apply(FIXTURE, &muts))
        })
        .unwrap();
    println!("loader_never_panics_on_mutated_valid_files: {n} cases");
}

fn partial_date() -> impl Strategy<Value = PartialDate> {
    prop_oneof![
        (2020i32..2027).prop_map(|y| PartialDate::year(y).unwrap()),
        (2020i32..2027, 1u32..=12).prop_map(|(y, m)| PartialDate::month(y, m).unwrap()),
        (2020i32..2027, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| PartialDate::day(y, m, d).unwrap()),
    ]
}

fn window() -> impl Strategy<Value = DateWindow> {
    (
        proptest::option::of(partial_date()),
        proptest::option::of(partial_date()),
    )
        .prop_filter_map("reversed", |(a, b)| DateWindow::new(a, b).ok())
}

/// (first, last) day of a partial date as (y, m, d), computed independently of
/// the library from its text.
fn bounds(d: PartialDate) -> ((i32, u32, u32), (i32, u32, u32)) {
    let s = d.to_string();
    let parts: Vec<u32> = s.split('-').map(|p| p.parse().unwrap()).collect();
    let y = parts[0] as i32;
    match parts.len() {
        1 => ((y, 1, 1), (y, 12, 31)),
        2 => {
            let m = parts[1];
            let last = (28..=31)
                .rev()
                .find(|&d| PartialDate::day(y, m, d).is_some())
                .unwrap();
            ((y, m, 1), (y, m, last))
        }
        _ => ((y, parts[1], parts[2]), (y, parts[1], parts[2])),
    }
}

#[test]
fn date_filter_never_keeps_anything_outside_the_window() {
    let g = load_builtin().unwrap();
    let n = cases(512);
    runner(n)
        .run(&(window(), any::<bool>()), |(w, hide_undated)| {
            let filter = Filter {
                window: w,
                hide_undated,
                ..Filter::default()
            };
            let sub = subgraph(&g, None, 1, Reach::Both, &filter);
            let inside = |date: Option<PartialDate>, until: Option<PartialDate>| {
                let d = date.or(until)?;
                let start = bounds(d).0;
                let end = bounds(until.unwrap_or(d)).1.max(bounds(d).1);
                let after = w.from.is_none_or(|f| end >= bounds(f).0);
                let before = w.to.is_none_or(|t| start <= bounds(t).1);
                Some(after && before)
            };
            for &e in &sub.edges {
                let r = g.relation(e);
                match inside(r.date, r.until) {
                    Some(ok) => prop_assert!(ok, "edge dated {:?} kept in {w}", r.date),
                    None => prop_assert!(!hide_undated, "undated edge kept"),
                }
                let (a, b) = g.ends(e);
                prop_assert!(sub.nodes.binary_search(&a).is_ok());
                prop_assert!(sub.nodes.binary_search(&b).is_ok());
            }
            for &node in &sub.nodes {
                let ent = g.entity(node);
                if let Some(ok) = inside(ent.date, ent.until) {
                    prop_assert!(ok, "entity {} dated {:?} kept in {w}", ent.id, ent.date);
                }
            }
            Ok(())
        })
        .unwrap();
    println!("date_filter_never_keeps_anything_outside_the_window: {n} cases");
}

#[test]
fn a_view_exported_to_ron_reloads_as_the_same_view() {
    let g = load_builtin().unwrap();
    let count = g.node_count();
    let n = cases(256);
    runner(n)
        .run(
            &(0..count, 1usize..4, window(), any::<bool>(), 0u8..3),
            |(focus, depth, w, hide_undated, reach)| {
                let reach = [Reach::In, Reach::Out, Reach::Both][reach as usize];
                let filter = Filter {
                    window: w,
                    hide_undated,
                    ..Filter::default()
                };
                let focus = g.node_indices().nth(focus);
                let sub = subgraph(&g, focus, depth, reach, &filter);
                let ron = ties::export::to_ron(&g, &sub);
                let back = load_texts(vec![("view.ron".into(), ron.clone())])
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let all = subgraph(&back, None, 1, Reach::Both, &Filter::default());
                prop_assert_eq!(all.nodes.len(), sub.nodes.len());
                prop_assert_eq!(all.edges.len(), sub.edges.len());
                prop_assert_eq!(ties::export::to_ron(&back, &all), ron);
                Ok(())
            },
        )
        .unwrap();
    println!("a_view_exported_to_ron_reloads_as_the_same_view: {n} cases");
}

#[test]
fn search_never_panics_on_any_unicode() {
    let g = load_builtin().unwrap();
    let index = ties::search::SearchIndex::build(&g);
    let check = |q: &str| -> Result<(), TestCaseError> {
        let hits = index.search(&g, q, 50, &|_| true);
        prop_assert!(hits.len() <= 50);
        for h in &hits {
            let len = h.text.chars().count();
            prop_assert!(h.positions.iter().all(|&p| p < len));
        }
        Ok(())
    };
    // Huge queries are the same every time: each is searched once, not in a
    // share of the generated cases (that had them take most of the run).
    for q in [
        "a".repeat(10_000),
        "ū\u{0301}".repeat(3_000),
        "🦀 !^'$".repeat(2_000),
    ] {
        check(&q).unwrap();
    }
    let n = cases(512);
    let query = prop_oneof![
        any::<String>(),
        "[\\PC\u{0300}-\u{036f}\u{202e}\u{200f}!'^$ ]{0,40}",
    ];
    runner(n).run(&query, |q| check(&q)).unwrap();
    println!("search_never_panics_on_any_unicode: {n} cases");
}

#[test]
fn paths_are_real_paths_in_the_graph() {
    let g = load_builtin().unwrap();
    let count = g.node_count();
    let n = cases(256);
    runner(n)
        .run(
            &(0..count, 0..count, 1usize..6, window()),
            |(a, b, hops, w)| {
                let a = g.node_indices().nth(a).unwrap();
                let b = g.node_indices().nth(b).unwrap();
                let filter = Filter {
                    window: w,
                    ..Filter::default()
                };
                for path in ties::path::shortest_paths(&g, a, b, hops, &filter, 3) {
                    prop_assert!(path.len() <= hops);
                    let mut at = a;
                    for step in &path {
                        // Each hop leaves where the walk is, along a real, visible relation.
                        let (source, target) = g.ends(step.edge);
                        prop_assert_eq!(step.from, at);
                        // `forward` tells which way the relation points.
                        let expected = if step.forward {
                            (source, target)
                        } else {
                            (target, source)
                        };
                        prop_assert_eq!((step.from, step.to), expected);
                        prop_assert!(filter.relation_visible(&g, step.edge));
                        at = step.to;
                    }
                    prop_assert_eq!(at, b);
                }
                Ok(())
            },
        )
        .unwrap();
    println!("paths_are_real_paths_in_the_graph: {n} cases");
}

/// The whole graph as JSON: equal JSON, equal graphs.
fn json(g: &ties::Graph) -> String {
    let whole = subgraph(g, None, 1, Reach::Both, &Filter::default());
    ties::export::render(g, &whole, ties::export::Format::Json)
}

/// The fast loader (records split, parsed on every core, built as they come)
/// and the whole-file loader agree on any file: the same graph, or the same
/// problems at the same places.
#[test]
fn fast_and_whole_file_loaders_agree_on_mutated_files() {
    let n = cases(256);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.ron");
    let fast_ok = std::cell::Cell::new(0);
    runner(n)
        .run(&proptest::collection::vec(mutation(), 0..4), |muts| {
            let text = apply(FIXTURE, &muts);
            std::fs::write(&path, &text).unwrap();
            let fast = ties::load::load_path(&path);
            let whole = load_texts(vec![(path.display().to_string(), text)]);
            match (fast, whole) {
                (Ok(a), Ok(b)) => {
                    fast_ok.set(fast_ok.get() + 1);
                    prop_assert_eq!(json(&a), json(&b));
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.problems, b.problems),
                (a, b) => prop_assert!(
                    false,
                    "fast: {:?}\nwhole: {:?}",
                    a.map(|g| g.node_count()),
                    b.map(|g| g.node_count())
                ),
            }
            Ok(())
        })
        .unwrap();
    println!(
        "fast_and_whole_file_loaders_agree_on_mutated_files: {n} cases, {} valid",
        fast_ok.get()
    );
}

/// The fixture graph, saved as a snapshot in a temporary folder (kept alive by
/// the first value): the graph, the snapshot's key and its path.
fn snapshot_of_fixture() -> (
    tempfile::TempDir,
    ties::Graph,
    ties::snapshot::Key,
    std::path::PathBuf,
) {
    use ties::snapshot;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("small.ron");
    std::fs::write(&data, FIXTURE).unwrap();
    let graph = ties::load::load_path(&data).unwrap();
    let index = ties::search::SearchIndex::build(&graph);
    let key = snapshot::Key::of_files(std::slice::from_ref(&data)).unwrap();
    let snap = snapshot::write(dir.path(), key, &graph, Some(&index)).unwrap();
    (dir, graph, key, snap)
}

/// Damage of any kind to a snapshot is refused or, if the checksums still
/// pass, gives the very same graph; reading never panics.
#[test]
fn damaged_snapshots_never_panic_or_lie() {
    use ties::snapshot;
    let n = cases(256);
    let (_dir, graph, key, snap) = snapshot_of_fixture();
    let good = std::fs::read(&snap).unwrap();
    let expected = json(&graph);
    let damage = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, x)| (0u8, at, u64::from(x.max(1)))),
        (any::<usize>(), any::<u64>()).prop_map(|(at, v)| (1u8, at, v)),
        any::<usize>().prop_map(|at| (2u8, at, 0)),
    ];
    let refused = std::cell::Cell::new(0);
    runner(n)
        .run(&proptest::collection::vec(damage, 1..4), |damages| {
            let mut bytes = good.clone();
            for (what, at, v) in damages {
                if bytes.is_empty() {
                    break;
                }
                let at = at % bytes.len();
                match what {
                    0 => bytes[at] ^= v as u8,
                    1 => {
                        let end = (at + 8).min(bytes.len());
                        bytes[at..end].copy_from_slice(&v.to_le_bytes()[..end - at]);
                    }
                    _ => bytes.truncate(at),
                }
            }
            std::fs::write(&snap, &bytes).unwrap();
            match snapshot::read(&snap, key) {
                Ok((g, _)) => prop_assert_eq!(json(&g), expected.clone()),
                Err(e) => {
                    refused.set(refused.get() + 1);
                    prop_assert!(!e.to_string().is_empty());
                }
            }
            let _ = snapshot::read_for_search(&snap, key);
            Ok(())
        })
        .unwrap();
    println!(
        "damaged_snapshots_never_panic_or_lie: {n} cases, {} refused",
        refused.get()
    );
}

/// A snapshot damaged inside its sections and then given matching checksums
/// (as a buggy writer or a hand-crafted file could) is read without panicking:
/// refused, or read as some graph whose every view and search works.
#[test]
fn crafted_snapshots_with_valid_checksums_never_panic() {
    use ties::snapshot;
    let n = cases(256);
    let (_dir, _, key, snap) = snapshot_of_fixture();
    let good = std::fs::read(&snap).unwrap();
    // Sections: [len u64][payload][xxh3 u64], after a 32-byte header.
    let mut sections = Vec::new();
    let mut at = 32;
    while at < good.len() {
        let len = u64::from_le_bytes(good[at..at + 8].try_into().unwrap()) as usize;
        sections.push((at + 8, len));
        at += 8 + len + 8;
    }
    let accepted = std::cell::Cell::new(0);
    let damage = (any::<usize>(), any::<u64>(), any::<bool>());
    runner(n)
        .run(&proptest::collection::vec(damage, 1..4), |damages| {
            let mut bytes = good.clone();
            for (at, v, word) in damages {
                let (start, len) = sections[at % sections.len()];
                if len == 0 {
                    continue;
                }
                let i = start + (at / sections.len()) % len;
                if word {
                    let end = (i + 8).min(start + len);
                    bytes[i..end].copy_from_slice(&v.to_le_bytes()[..end - i]);
                } else {
                    bytes[i] ^= (v as u8).max(1);
                }
            }
            for &(start, len) in &sections {
                let h = xxhash_rust::xxh3::xxh3_64(&bytes[start..start + len]);
                bytes[start + len..start + len + 8].copy_from_slice(&h.to_le_bytes());
            }
            std::fs::write(&snap, &bytes).unwrap();
            if let Ok((g, ix)) = snapshot::read(&snap, key) {
                accepted.set(accepted.get() + 1);
                // Use everything: views, exports, search, the explorer's lists.
                let _ = json(&g);
                for n in g.node_indices() {
                    let _ = ties::report::entity_text(&g, n, &Filter::default());
                }
                let ix = ix.expect("saved with its index");
                let _ = ix.search(&g, "a", 20, &|_| true);
                let _ = ix.search(&g, "", 20, &|_| true);
            }
            if let Ok((g, Some(ix))) = snapshot::read_for_search(&snap, key) {
                let _ = ix.search(&g, "ka", 20, &|_| true);
            }
            Ok(())
        })
        .unwrap();
    println!(
        "crafted_snapshots_with_valid_checksums_never_panic: {n} cases, {} read as a graph",
        accepted.get()
    );
}

/// Relations with and without their rare parts (role, end date, amount, no
/// direction: kept in side tables), and entities and relations citing none,
/// one, a few or many sources (short lists stored without a table or a
/// length), read back as they were given, and again through a snapshot.
#[test]
fn rare_parts_and_source_lists_read_back_equal_and_through_a_snapshot() {
    use ties::graph::{NewEntity, NewRelation, Source, SourceId};
    use ties::model::{Amount, Currency, EntityKind, RelationKind};
    let n = cases(48);
    let relation = (
        0usize..40,
        0usize..40,
        proptest::option::weighted(0.15, 0u8..4),
        proptest::option::weighted(0.7, 1990i32..2030),
        proptest::option::weighted(0.1, 1990i32..2030),
        proptest::option::weighted(0.1, 1u32..1_000_000),
        proptest::bool::weighted(0.1),
        proptest::collection::vec(0usize..12, 0..6),
    );
    let entities = proptest::collection::vec(proptest::collection::vec(0usize..12, 0..6), 1..40);
    let relations = proptest::collection::vec(relation, 0..300);
    runner(n)
        .run(&(entities, relations), |(entities, relations)| {
            let dir = tempfile::tempdir().unwrap();
            let mut g = ties::Graph::default();
            let sources: Vec<SourceId> = (0..12)
                .map(|i| {
                    g.add_source(Source {
                        id: format!("s{i}").into(),
                        outlet: "o".into(),
                        title: "t".into(),
                        published: None,
                        file: "f".into(),
                        url: None,
                    })
                    .unwrap()
                })
                .collect();
            let cite = |list: &[usize]| -> Vec<SourceId> {
                let mut ids: Vec<SourceId> = Vec::new();
                for &i in list {
                    if !ids.contains(&sources[i]) {
                        ids.push(sources[i]);
                    }
                }
                ids
            };
            let roles: Vec<_> = (0..4).map(|i| g.intern(&format!("role{i}"))).collect();
            let mut nodes = Vec::new();
            for (i, list) in entities.iter().enumerate() {
                let set = g.source_set(&cite(list));
                let id = format!("e{i}");
                let e = NewEntity::<String>::new(&id, EntityKind::Person, "N", set);
                nodes.push(g.add_entity(e).unwrap());
            }
            let amount = |v: u32| Amount {
                value: f64::from(v),
                currency: Currency::from_code("EUR").unwrap(),
                approx: v.is_multiple_of(2),
            };
            for (a, b, role, date, until, value, undirected, list) in &relations {
                let set = g.source_set(&cite(list));
                let r = NewRelation {
                    role: role.map(|r| roles[r as usize]),
                    date: date.and_then(PartialDate::year),
                    until: until.and_then(PartialDate::year),
                    amount: value.map(amount),
                    undirected: *undirected,
                    ..NewRelation::new(RelationKind::MemberOf, set)
                };
                g.add_relation(nodes[a % nodes.len()], nodes[b % nodes.len()], r)
                    .unwrap();
            }
            let check = |g: &ties::Graph| -> Result<(), TestCaseError> {
                for (i, list) in entities.iter().enumerate() {
                    let e = g.entity(nodes[i]);
                    prop_assert_eq!(g.source_list(e.sources).to_vec(), cite(list));
                }
                prop_assert_eq!(g.edge_count(), relations.len());
                for (e, (a, b, role, date, until, value, undirected, list)) in
                    g.edge_indices().zip(&relations)
                {
                    let r = g.relation(e);
                    prop_assert_eq!(g.ends(e), (nodes[a % nodes.len()], nodes[b % nodes.len()]));
                    prop_assert_eq!(r.role, role.map(|x| roles[x as usize]));
                    prop_assert_eq!(r.date, date.and_then(PartialDate::year));
                    prop_assert_eq!(r.until, until.and_then(PartialDate::year));
                    prop_assert_eq!(g.relation_kind_dates(e).2, r.until);
                    prop_assert_eq!(r.amount, value.map(amount));
                    prop_assert_eq!(r.undirected, *undirected);
                    prop_assert_eq!(g.is_undirected(e), *undirected);
                    prop_assert_eq!(g.source_list(r.sources).to_vec(), cite(list));
                }
                Ok(())
            };
            check(&g)?;
            let data = dir.path().join("g.ron");
            std::fs::write(&data, "made in memory").unwrap();
            let key = ties::snapshot::Key::of_files(std::slice::from_ref(&data)).unwrap();
            let snap = ties::snapshot::write(dir.path(), key, &g, None).unwrap();
            let (back, _) = ties::snapshot::read(&snap, key).unwrap();
            check(&back)?;
            prop_assert_eq!(json(&back), json(&g));
            Ok(())
        })
        .unwrap();
    println!("rare_parts_and_source_lists_read_back_equal_and_through_a_snapshot: {n} cases");
}
