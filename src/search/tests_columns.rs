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
