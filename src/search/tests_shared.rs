//! Texts that fold alike stored once: every text still reads back as its own
//! folded form, and search finds what the naive scan finds, before and after a
//! snapshot.

use proptest::prelude::*;

use super::tests::fixture;
use super::tests_columns::expected;
use super::*;

fn all(_: NodeIx) -> bool {
    true
}

/// Names that fold alike or nearly: case, umlauts and their second spelling,
/// Nordic letters, Cyrillic, combining marks, a long name (a two-byte length).
const NAMES: &[&str] = &[
    "NATO",
    "Nato",
    "nato",
    "Müller",
    "MÜLLER",
    "Mueller",
    "Mu\u{308}ller",
    "Muller",
    "Søren Ødegård",
    "Soren Odegard",
    "Soeren Oedegaard",
    "Умєров",
    "Umierov",
    "Kasčiūnas",
    "KASCIUNAS",
    "Strauß",
    "strauss",
    "Ministry of Defence of Ukraine, Ministry of Defence of Ukraine, Ministry of Defence of Ukraine, Ministry of Defence of Ukraine, Ministry of Defence",
    "ministry of defence of ukraine, ministry of defence of ukraine, ministry of defence of ukraine, ministry of defence of ukraine, ministry of defence",
    "x\u{1}y",
    "x y",
];

fn name() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(NAMES)
}

/// Whether the index reads `name` from the graph instead of storing it: plain
/// ASCII without control characters folds to its own lower case.
fn read_from_graph(name: &str) -> bool {
    name.bytes().all(|b| b.is_ascii() && !b.is_ascii_control())
}

/// The bytes `folded` holds when each distinct folded text is stored once,
/// with its length, names read from the graph not at all.
fn distinct_bytes(g: &Graph) -> usize {
    let mut seen = std::collections::HashSet::new();
    let mut bytes = 0;
    for n in g.node_indices() {
        let shared = read_from_graph(g.entity(n).name);
        for (k, (_, text)) in expected(g, n).into_iter().enumerate() {
            // The name comes first.
            if k == 0 && shared {
                continue;
            }
            if seen.insert(text.clone()) {
                let len_bytes = if text.len() < 128 { 1 } else { 2 };
                bytes += len_bytes + text.len();
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn texts_folding_alike_are_stored_once_and_read_back_as_their_own(
        rows in proptest::collection::vec(
            (name(), proptest::collection::vec(name(), 0..3), proptest::collection::vec(name(), 0..2)),
            1..12,
        ),
        queries in proptest::collection::vec(
            prop_oneof![
                name().prop_map(str::to_string),
                Just("muller".to_string()),
                Just("mueller".to_string()),
                Just("^nato$".to_string()),
                Just("soeren".to_string()),
                Just("umerov".to_string()),
                Just("kasciunas".to_string()),
                Just("ministry ukr".to_string()),
                Just("x y".to_string()),
                "[a-z]{1,4}",
            ],
            1..4,
        ),
    ) {
        let ids: Vec<String> = (0..rows.len()).map(|i| format!("e{i}")).collect();
        let fixture_rows: Vec<(&str, &str, &[&str], &[&str])> = rows
            .iter()
            .zip(&ids)
            .map(|((n, a, w), id)| (id.as_str(), *n, a.as_slice(), w.as_slice()))
            .collect();
        let g = fixture(&fixture_rows, &[]);
        let ix = SearchIndex::build(&g);
        for n in g.node_indices() {
            let got: Vec<String> = ix
                .texts_of(n.index() as u32)
                .map(|e| String::from_utf8(ix.text(&g, n.index() as u32, e).to_vec()).unwrap())
                .collect();
            let want: Vec<String> = expected(&g, n).into_iter().map(|(_, t)| t).collect();
            prop_assert_eq!(got, want);
        }
        prop_assert_eq!(ix.folded.len(), distinct_bytes(&g));
        // Through a snapshot too.
        let dir = tempfile::tempdir().unwrap();
        let key = crate::snapshot::Key(3);
        let path = crate::snapshot::write(dir.path(), key, &g, Some(&ix)).unwrap();
        let (g2, back) = crate::snapshot::read(&path, key).unwrap();
        let back = back.unwrap();
        for q in &queries {
            let hits = ix.search(&g, q, 20, &all);
            prop_assert_eq!(&hits, &naive_search(&ix, &g, q, 20, &all), "{}", q);
            prop_assert_eq!(&back.search(&g2, q, 20, &all), &hits, "{} after a snapshot", q);
        }
    }
}

#[test]
fn a_name_many_bear_is_stored_once() {
    let rows: Vec<(String, &str)> = (0..50)
        .map(|i| {
            (
                format!("e{i}"),
                if i % 2 == 0 {
                    "Rustem Umérov"
                } else {
                    "RUSTEM UMÉROV"
                },
            )
        })
        .collect();
    let rows: Vec<(&str, &str, &[&str], &[&str])> = rows
        .iter()
        .map(|(id, n)| (id.as_str(), *n, &[][..], &[][..]))
        .collect();
    let g = fixture(&rows, &[]);
    let ix = SearchIndex::build(&g);
    assert_eq!(ix.len(), 50);
    // One length byte and the 13 bytes of `rustem umerov`.
    assert_eq!(ix.folded.len(), 14);
    let hits = ix.search(&g, "umerov", 100, &all);
    assert_eq!(hits.len(), 50);
    assert_eq!(hits, naive_search(&ix, &g, "umerov", 100, &all));
    assert_eq!(hits[1].text, "RUSTEM UMÉROV");
}

#[test]
fn lengths_of_any_size_read_back() {
    let lens = [0usize, 1, 127, 128, 300, 16_383, 16_384, 70_000, 3_000_000];
    let mut ix = SearchIndex::default();
    let mut seen = Seen::default();
    let mut want = Vec::new();
    // Each length twice, with another text between (the second is shared,
    // met in the same batch), then again in a later batch.
    for round in 0..2 {
        for &len in &lens {
            for text in [vec![b'a'; len], b"zz".to_vec(), vec![b'a'; len]] {
                seen.pending.extend_from_slice(&text);
                seen.ends.push(seen.pending.len());
                ix.starts.vec().push(u32::MAX);
                ix.masks.vec().push(0);
                want.push(text);
            }
        }
        seen.store(&mut ix);
        if round == 0 {
            let distinct: usize = lens.iter().chain(&[2]).map(|&l| l + len_bytes(l)).sum();
            assert_eq!(ix.folded.len(), distinct);
        }
    }
    for (k, text) in want.iter().enumerate() {
        assert_eq!(
            stored_text(&ix.folded, ix.starts[k] as usize),
            &text[..],
            "text {k}"
        );
    }
    // Shared: within a batch and across batches.
    let n = 3 * lens.len();
    for k in (0..n).step_by(3) {
        assert_eq!(ix.starts[k], ix.starts[k + 2]);
        assert_eq!(ix.starts[k], ix.starts[n + k]);
    }
    assert_eq!(len_bytes(0), 1);
    assert_eq!(len_bytes(127), 1);
    assert_eq!(len_bytes(128), 2);
    assert_eq!(len_bytes(16_384), 3);
    // A length cut short, or over 32 bits, is none.
    assert_eq!(text_at(&[0x80, 0x80], 0), None);
    assert_eq!(text_at(&[0xff, 0xff, 0xff, 0xff, 0x7f], 0), None);
    assert_eq!(text_at(&[], 0), None);
}

#[test]
fn plain_ascii_names_are_read_from_the_graph() {
    let rows: &[(&str, &str, &[&str], &[&str])] = &[
        ("a", "Rustem Umerov", &["Rustem Umerov", "RU"], &[]),
        ("b", "NATO", &[], &["nato"]),
        ("c", "Kasčiūnas", &["Kasciunas"], &[]),
        ("d", "x\u{1}y", &[], &[]),
        ("e", "Müller", &[], &[]),
        ("f", "", &[], &[]),
        ("g", "Umerov-Kasciunas Jr. (2)", &[], &[]),
    ];
    let g = fixture(rows, &[]);
    let ix = SearchIndex::build(&g);
    // Only names, only first spellings, only plain ASCII without controls.
    let shared: Vec<(u32, u32)> = (0..ix.len() as u32)
        .filter(|&e| ix.is_shared(e))
        .map(|e| (ix.owner(e), e))
        .collect();
    let want: Vec<(u32, u32)> = [0u32, 1, 5, 6]
        .iter()
        .map(|&n| (n, ix.texts_of(n).start))
        .collect();
    assert_eq!(shared, want);
    for n in g.node_indices() {
        let node = n.index() as u32;
        let got: Vec<String> = ix
            .texts_of(node)
            .map(|e| String::from_utf8(ix.text(&g, node, e).to_vec()).unwrap())
            .collect();
        let want: Vec<String> = expected(&g, n).into_iter().map(|(_, t)| t).collect();
        assert_eq!(got, want);
        for e in ix.texts_of(node) {
            assert_eq!(ix.text_len(&g, node, e), ix.text(&g, node, e).len());
        }
    }
    // The aliases that fold like a shared name are stored: `rustem umerov`
    // once (the alias), `nato` once (the weak alias).
    assert_eq!(ix.folded.len(), distinct_bytes(&g));
    assert!(ix.folded.windows(13).any(|w| w == b"rustem umerov"));
    // The total counts every text, shared or not.
    let total: usize = (0..ix.len() as u32)
        .map(|e| ix.text_len(&g, ix.owner(e), e))
        .sum();
    assert_eq!(ix.total, total as u64);
    let dir = tempfile::tempdir().unwrap();
    let key = crate::snapshot::Key(5);
    let path = crate::snapshot::write(dir.path(), key, &g, Some(&ix)).unwrap();
    let (g2, back) = crate::snapshot::read(&path, key).unwrap();
    let back = back.unwrap();
    for q in [
        "umerov",
        "rustem",
        "^nato$",
        "nato",
        "'ATO",
        "ru",
        "x y",
        "kasciunas",
        "mueller",
        "jr 2",
        "umerov-k",
        "!nato a",
        "umerv",
        "",
    ] {
        let hits = ix.search(&g, q, 20, &all);
        assert_eq!(hits, naive_search(&ix, &g, q, 20, &all), "{q}");
        assert_eq!(back.search(&g2, q, 20, &all), hits, "{q} after a snapshot");
        // Narrowing from every shorter query, as typed.
        let mut s = Searcher::new(&ix);
        for end in (1..=q.len()).filter(|&i| q.is_char_boundary(i)) {
            let typed = &q[..end];
            assert_eq!(
                s.update(&g, typed, 20, &all),
                ix.search(&g, typed, 20, &all),
                "{typed}"
            );
        }
    }
    assert_eq!(ix.search(&g, "umerov", 20, &all)[0].text, "Rustem Umerov");
    // A snapshot marking an alias as read from the graph is refused.
    let mut lying = SearchIndex::build(&g);
    let alias = ix.texts_of(0).start + 1;
    lying.masks.vec()[alias as usize] |= SHARED_BIT;
    let path =
        crate::snapshot::write(dir.path(), crate::snapshot::Key(6), &g, Some(&lying)).unwrap();
    assert!(crate::snapshot::read(&path, crate::snapshot::Key(6)).is_err());
}
