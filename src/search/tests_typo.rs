//! The typo tier, second spellings and offices, on small fixture graphs; the
//! shipped graph and the German data are in `tests/it/search.rs`.

use proptest::prelude::*;

use super::tests::{generated, query_strategy};
use super::*;
use crate::graph::{NewEntity, NewRelation};
use crate::model::{EntityKind, RelationKind};

fn all(_: NodeIx) -> bool {
    true
}

/// People, events and things named as in the issue, plus offices.
fn people() -> Graph {
    let mut g = Graph::default();
    let none = g.source_set(&[]);
    let add = |g: &mut Graph, id: &str, kind, name: &str| {
        g.add_entity(NewEntity::<&str>::new(id, kind, name, none))
            .unwrap()
    };
    let umerov = add(&mut g, "umerov", EntityKind::Person, "Rustem Umerov");
    add(
        &mut g,
        "talks",
        EntityKind::Event,
        "Umerov's talks with Kasčiūnas in Vilnius",
    );
    add(
        &mut g,
        "mou",
        EntityKind::Agreement,
        "Memorandum of understanding on Ukraine's forces",
    );
    add(&mut g, "budanov", EntityKind::Person, "Kyrylo Budanov");
    add(&mut g, "kyrylo", EntityKind::Person, "Kyrylo Shevchenko");
    add(&mut g, "palianytsia", EntityKind::Programme, "Palianytsia");
    add(&mut g, "nier", EntityKind::Person, "Karl Nierstenhöfer");
    let kas = add(
        &mut g,
        "kasciunas",
        EntityKind::Person,
        "Laurynas Kasčiūnas",
    );
    let mod_ua = add(
        &mut g,
        "mod-ua",
        EntityKind::Ministry,
        "Ministry of Defence of Ukraine",
    );
    let mod_lt = add(
        &mut g,
        "mod-lt",
        EntityKind::Ministry,
        "Ministry of National Defence of Lithuania",
    );
    for (who, body, role) in [
        (umerov, mod_ua, "Minister of Defence"),
        (kas, mod_lt, "Minister of National Defence"),
    ] {
        let role = g.intern(role);
        g.add_relation(
            who,
            body,
            NewRelation {
                role: Some(role),
                ..NewRelation::new(RelationKind::HoldsOffice, none)
            },
        )
        .unwrap();
    }
    g
}

fn top(g: &Graph, q: &str, n: usize) -> Vec<(String, Tier)> {
    let ix = SearchIndex::build(g);
    ix.search(g, q, n, &all)
        .iter()
        .map(|h| (g.entity(h.node).id.to_string(), h.tier()))
        .collect()
}

#[test]
fn misspelt_and_transliterated_names_find_the_person_first() {
    let g = people();
    for (q, id, edits) in [
        ("umarov", "umerov", 1),
        ("umerow", "umerov", 1),
        ("umerof", "umerov", 1),
        ("umreov", "umerov", 1),
        ("budanow", "budanov", 1),
        ("kyrilo budanov", "budanov", 1),
        ("palianitsa", "palianytsia", 2),
    ] {
        let ix = SearchIndex::build(&g);
        let hits = ix.search(&g, q, 5, &all);
        let h = &hits[0];
        assert_eq!(g.entity(h.node).id, id, "{q}");
        assert_eq!((h.tier(), h.edits()), (Tier::Typo, Some(edits)), "{q}");
    }
    // `umerow` also reaches the talks by typo (`Umerov's`), after the person
    // (a shorter name), and ahead of the scattered memorandum.
    let hits = top(&g, "umerow", 5);
    assert_eq!(hits[1], ("talks".to_string(), Tier::Typo));
    // `kyrilo` alone reaches both Kyrylos.
    let ids: Vec<_> = top(&g, "kyrilo", 5).into_iter().map(|h| h.0).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
}

#[test]
fn stricter_tiers_rank_above_typos_and_typos_above_scattered() {
    let g = people();
    for q in [
        "umer", "umerof", "umerow", "minister", "mnstr", "defence", "kyrylo", "kas",
    ] {
        let hows: Vec<Tier> = top(&g, q, 20).into_iter().map(|h| h.1).collect();
        assert!(hows.windows(2).all(|w| w[0] >= w[1]), "{q}: {hows:?}");
    }
    // The memorandum matches `umerof` only scattered over its words: last.
    let hits = top(&g, "umerof", 5);
    assert_eq!(
        hits.last(),
        Some(&("mou".to_string(), Tier::Scattered)),
        "{hits:?}"
    );
    // `mnstr` lies inside `ministry` and `minister` (in order), and spread
    // over the memorandum's words (scattered).
    let hits = top(&g, "mnstr", 9);
    let in_order: Vec<&str> = hits
        .iter()
        .filter(|h| h.1 == Tier::InOrder)
        .map(|h| h.0.as_str())
        .collect();
    assert_eq!(
        in_order,
        ["mod-ua", "mod-lt", "umerov", "kasciunas"],
        "{hits:?}"
    );
    assert_eq!(hits.last(), Some(&("mou".to_string(), Tier::Scattered)));
}

#[test]
fn quoted_and_anchored_terms_never_match_by_typo() {
    let g = people();
    for q in [
        "'umerow",
        "^umerow",
        "umerow$",
        "^umerow$",
        "'kyrilo budanov",
    ] {
        let hits = top(&g, q, 5);
        assert!(hits.iter().all(|h| h.1 != Tier::Typo), "{q}: {hits:?}");
        assert!(hits.iter().all(|h| h.0 != "umerov"), "{q}: {hits:?}");
    }
    // The same words unquoted do reach him.
    assert_eq!(top(&g, "umerow", 1)[0].0, "umerov");
}

#[test]
fn umlauts_match_with_and_without_the_e() {
    let g = people();
    let ix = SearchIndex::build(&g);
    for q in [
        "Nierstenhoefer",
        "nierstenhofer",
        "Nierstenhöfer",
        "karl nierstenhoe",
    ] {
        let hits = ix.search(&g, q, 3, &all);
        assert_eq!(g.entity(hits[0].node).id, "nier", "{q}");
        assert_ne!(hits[0].tier(), Tier::Scattered, "{q}");
        assert_eq!(hits[0].text, "Karl Nierstenhöfer");
    }
    // The highlight is on the original letters, `ö` included.
    let h = &ix.search(&g, "nierstenhoefer", 1, &all)[0];
    assert_eq!(h.positions, (5..18).collect::<Vec<_>>());
    assert_eq!(h.tier(), Tier::WordStart);
}

#[test]
fn offices_find_the_people_who_hold_them() {
    let g = people();
    let ix = SearchIndex::build(&g);
    let hits = ix.search(&g, "minister of defence", 5, &all);
    let ids: Vec<&str> = hits.iter().map(|h| g.entity(h.node).id).collect();
    assert_eq!(&ids[..2], ["umerov", "kasciunas"], "{ids:?}");
    assert_eq!(hits[0].field, MatchedField::Office(0));
    assert_eq!(
        hits[0].text,
        "Minister of Defence, Ministry of Defence of Ukraine"
    );
    assert_eq!(
        hits[0].how(),
        "word start, holds office: Minister of Defence, Ministry of Defence of Ukraine"
    );
    // The body's name reaches the holder too, after the body itself.
    let ids: Vec<String> = top(&g, "ministry of defence of ukraine", 3)
        .into_iter()
        .map(|h| h.0)
        .collect();
    assert_eq!(ids[..2], ["mod-ua", "umerov"]);
    // An exclusion looks at names, not offices.
    let ids: Vec<String> = top(&g, "umerov !minister", 3)
        .into_iter()
        .map(|h| h.0)
        .collect();
    assert!(ids.contains(&"umerov".to_string()), "{ids:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Typos only add hits below the stricter tiers: every exact, word-start and
    /// in-order hit of the ranking without typos keeps its order, ahead of every
    /// typo hit; and a typo hit's terms are each at a word start or within the
    /// stated edits of a word of the text.
    #[test]
    fn the_typo_tier_hides_no_stricter_match(q in query_strategy()) {
        let (g, ix) = generated();
        let limit = 40;
        let old = naive_search_without_typos(ix, g, &q, limit, &all);
        let new = ix.search(g, &q, limit, &all);
        let strict = |h: &&Hit| h.tier() >= Tier::InOrder;
        let old_strict: Vec<&Hit> = old.iter().filter(strict).collect();
        let new_strict: Vec<&Hit> = new.iter().filter(strict).collect();
        prop_assert_eq!(&old_strict, &new_strict[..old_strict.len().min(new_strict.len())]);
        prop_assert_eq!(old_strict.len(), new_strict.len());
        if let Some(first_typo) = new.iter().position(|h| h.tier() == Tier::Typo) {
            prop_assert!(new[first_typo..].iter().all(|h| !strict(&h)));
        }
        let parsed = query::Query::parse(&q);
        for h in new.iter().filter(|h| h.tier() == Tier::Typo) {
            let mut total = 0;
            let mut folded = fold(&h.text).into_bytes();
            let mut alt = Vec::new();
            fold_alternative_into(&h.text, &mut alt, None);
            for t in &parsed.positive {
                // Quoted and anchored terms never match by typo: they hold as
                // written (a suffix at the text's end, an exact run inside it).
                if t.kind != query::Kind::Fuzzy {
                    let found = [&folded, &alt]
                        .iter()
                        .any(|f| f.windows(t.text.len().max(1)).any(|w| w == t.text.as_slice()));
                    prop_assert!(found, "{:?} not in {:?}", t, h.text);
                    continue;
                }
                let k = max_edits(&t.text);
                let best = [&folded, &alt].iter().filter_map(|f| {
                    if score::word_occurrence(f, &t.text).is_some() {
                        return Some(0);
                    }
                    typo::words(f).filter_map(|w| typo_edits(&t.text, w, k)).min().map(u32::from)
                }).min();
                prop_assert!(best.is_some(), "{:?} in {:?}", t, h.text);
                let best = best.unwrap_or(0);
                prop_assert!(best <= u32::from(k));
                total += best;
            }
            prop_assert!(total >= 1);
            folded.clear();
        }
    }
}
