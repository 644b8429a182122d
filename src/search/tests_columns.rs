//! The per-text columns the index no longer keeps (owner, field) read back
//! from where each text lies, as the build indexed them.

use super::tests::generated;
use super::*;

/// Each text of `node` as the build indexes it: the field and its folded text,
/// then its second spelling if it has one; offices in edge order.
pub(super) fn expected(g: &Graph, node: NodeIx) -> Vec<(MatchedField, String)> {
    let e = g.entity(node);
    let mut out = Vec::new();
    let mut push = |field: MatchedField, text: &str| {
        out.push((field, fold(text)));
        if has_alternative(text) {
            let mut alt = Vec::new();
            fold_alternative_into(text, &mut alt, None);
            out.push((field, String::from_utf8(alt).unwrap()));
        }
    };
    push(MatchedField::Name, e.name);
    for (i, a) in e.aliases.iter().enumerate() {
        push(MatchedField::Alias(i as u32), a);
    }
    for (i, a) in e.weak_aliases.iter().enumerate() {
        push(MatchedField::WeakAlias(i as u32), a);
    }
    let mut offices: Vec<_> = g
        .ties_dir(node, petgraph::Direction::Outgoing)
        .map(|t| t.edge)
        .filter(|&edge| field::office_edge(g, edge))
        .collect();
    offices.sort_unstable();
    for edge in offices {
        push(
            MatchedField::Office(edge.index() as u32),
            &office_text(g, edge).unwrap(),
        );
    }
    out
}

#[test]
fn every_text_reads_back_its_owner_and_field() {
    let (g, ix) = generated();
    let (mut offices, mut second, mut weak) = (0, 0, 0);
    let mut owners = ix.owners();
    for n in g.node_indices() {
        let node = n.index() as u32;
        let got: Vec<(MatchedField, String)> = ix
            .texts_of(node)
            .map(|e| {
                assert_eq!(ix.owner(e), node, "owner of text {e}");
                assert_eq!(owners.owner(e), node, "owner of text {e}, read on");
                let text = String::from_utf8(ix.text(g, node, e).to_vec()).unwrap();
                (ix.field(g, node, e).unwrap(), text)
            })
            .collect();
        let want = expected(g, n);
        offices += want
            .iter()
            .filter(|(f, _)| matches!(f, MatchedField::Office(_)))
            .count();
        weak += want
            .iter()
            .filter(|(f, _)| matches!(f, MatchedField::WeakAlias(_)))
            .count();
        second += want.windows(2).filter(|w| w[0].0 == w[1].0).count();
        assert_eq!(got, want, "texts of {}", g.entity(n).id);
    }
    // The graph has every kind of text, so each was checked.
    assert!(
        offices > 10 && second > 10 && weak > 10,
        "{offices} {second} {weak}"
    );
}

#[test]
fn owners_are_found_in_any_order_and_past_entities_without_texts() {
    // Entities 1 and 2 have no text, 4 has three.
    let mut ranges = TextRanges::default();
    for n in [2, 0, 0, 1, 3, 1] {
        ranges.push(n);
    }
    let want = [0, 0, 3, 4, 4, 4, 5];
    let mut o = ranges.owners();
    for (e, &n) in want.iter().enumerate() {
        assert_eq!(o.owner(e as u32), n, "text {e} in order");
    }
    for e in [6, 0, 5, 2, 3, 1, 4, 6, 6, 0] {
        assert_eq!(o.owner(e), want[e as usize], "text {e} out of order");
    }
    // Past the last text: the last node.
    assert_eq!(o.owner(7), 5);
    assert_eq!(o.owner(u32::MAX), 5);
    assert_eq!(TextRanges::default().owners().owner(3), 0);
}

proptest::proptest! {
    /// Texts counted per node (a byte each, an escape past 254, a sample
    /// every 64 nodes) give every node's first text, its range and the owner
    /// of every text, asked in order, out of order and walked on, as a table
    /// of first texts would; the parts read back, and damaged parts are
    /// refused.
    #[test]
    fn text_ranges_agree_with_a_table_of_first_texts(
        counts in proptest::collection::vec(
            proptest::prop_oneof![
                8 => 0u32..4,
                1 => 250u32..260,
                1 => proptest::strategy::Just(0u32),
                1 => 300u32..70_000,
            ],
            0..300,
        ),
        asks in proptest::collection::vec(proptest::num::u32::ANY, 0..40),
        damage in 0usize..4,
    ) {
        let mut ranges = TextRanges::default();
        let mut first = vec![0u32];
        for &c in &counts {
            ranges.push(c);
            first.push(first.last().unwrap() + c);
        }
        let total = *first.last().unwrap();
        let owner_of = |e: u32| -> u32 {
            if counts.is_empty() {
                0
            } else if e >= total {
                counts.len() as u32 - 1
            } else {
                (first.partition_point(|&f| f <= e) - 1) as u32
            }
        };
        let check = |ranges: &TextRanges| -> Result<(), proptest::test_runner::TestCaseError> {
            for (n, &c) in counts.iter().enumerate() {
                proptest::prop_assert_eq!(ranges.count(n), c);
                proptest::prop_assert_eq!(ranges.first(n), first[n]);
                proptest::prop_assert_eq!(ranges.range(n), first[n]..first[n + 1]);
            }
            proptest::prop_assert_eq!(ranges.first(counts.len()), total);
            let mut o = ranges.owners();
            let mut walk = None;
            for e in 0..total.min(3000) {
                proptest::prop_assert_eq!(o.owner(e), owner_of(e), "text {}", e);
                // Walked on from the first text's owner.
                let at = walk.get_or_insert_with(|| o.at());
                proptest::prop_assert_eq!(ranges.walk(at, e), owner_of(e), "text {} walked", e);
            }
            for &a in &asks {
                let e = if total == 0 { a } else { a % (total + 2) };
                proptest::prop_assert_eq!(o.owner(e), owner_of(e), "text {} out of order", e);
            }
            Ok(())
        };
        check(&ranges)?;
        let (c, b, s) = ranges.parts();
        let (c, b, s) = (c.to_vec(), b.to_vec(), s.to_vec());
        let back = TextRanges::from_parts(
            c.clone().into(), b.clone().into(), s.clone().into(), counts.len(), total as usize,
        );
        proptest::prop_assert!(back.is_some());
        check(&back.unwrap())?;
        // Damaged: another total, a sample off by one, an escape without its
        // count, a count without its escape.
        let (mut c, mut b, mut s, mut texts) = (c, b, s, total as usize);
        let damaged = match damage {
            0 => { texts += 1; true }
            1 => s.last_mut().map(|x| *x = x.wrapping_add(1)).is_some(),
            2 => b.pop().is_some(),
            _ => c.iter_mut().find(|x| **x == 255).map(|x| *x = 254).is_some(),
        };
        let refused = TextRanges::from_parts(c.into(), b.into(), s.into(), counts.len(), texts);
        proptest::prop_assert_eq!(refused.is_none(), damaged);
    }
}

#[test]
fn a_text_costs_twelve_bytes_beside_its_folded_bytes() {
    let (_, ix) = generated();
    let m = ix.memory();
    // Where it starts (4 bytes) and its mask word (8): no owner, field or
    // second mask.
    assert!(
        m.text_columns <= 12 * m.texts + 4,
        "{} bytes for {} texts",
        m.text_columns,
        m.texts
    );
}

#[test]
fn degrees_past_sixteen_bits_read_back() {
    // `hub` has 70,000 relations (past the 16-bit column), `busy` 65,535 (its
    // escape value), `few` 65,534, the rest one or none.
    let mut rows: Vec<(String, String)> = ["hub", "busy", "few"]
        .iter()
        .map(|s| (s.to_string(), format!("Name {s}")))
        .collect();
    rows.extend((0..70_000).map(|i| (format!("e{i}"), format!("Leaf {i}"))));
    let entities: Vec<(&str, &str, &[&str], &[&str])> = rows
        .iter()
        .map(|(id, n)| (id.as_str(), n.as_str(), &[][..], &[][..]))
        .collect();
    let mut relations: Vec<(String, String)> = Vec::new();
    for (from, n) in [("hub", 70_000), ("busy", 65_535), ("few", 65_534)] {
        relations.extend((0..n).map(|i| (from.to_string(), format!("e{i}"))));
    }
    let relations: Vec<(&str, &str)> = relations
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let g = super::tests::fixture(&entities, &relations);
    let ix = SearchIndex::build(&g);
    assert_eq!(ix.big_degrees.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let key = crate::snapshot::Key(7);
    let path = crate::snapshot::write(dir.path(), key, &g, Some(&ix)).unwrap();
    let (g2, back) = crate::snapshot::read(&path, key).unwrap();
    let back = back.unwrap();
    for n in g.node_indices() {
        let node = n.index() as u32;
        assert_eq!(ix.degree(node) as usize, g.degree(n), "node {node}");
        assert_eq!(back.degree(node), ix.degree(node), "node {node}, read back");
    }
    let all = |_: NodeIx| true;
    let names: Vec<String> = ix
        .search(&g, "", 4, &all)
        .into_iter()
        .map(|h| h.text)
        .collect();
    assert_eq!(names, ["Name hub", "Name busy", "Name few", "Leaf 0"]);
    assert_eq!(
        back.search(&g2, "name", 3, &all),
        ix.search(&g, "name", 3, &all)
    );
}
