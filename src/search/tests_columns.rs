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
    let first = [0, 2, 2, 2, 3, 6, 7];
    let want = [0, 0, 3, 4, 4, 4, 5];
    let mut o = Owners {
        first: &first,
        node: 0,
    };
    for (e, &n) in want.iter().enumerate() {
        assert_eq!(o.owner(e as u32), n, "text {e} in order");
    }
    for e in [6, 0, 5, 2, 3, 1, 4, 6, 6, 0] {
        assert_eq!(o.owner(e), want[e as usize], "text {e} out of order");
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
