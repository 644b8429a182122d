//! The money report on small graphs: stages, currencies, windows, approximate
//! totals, missing figures and funding chains.

use super::*;
use crate::load::load_texts;

fn fixture() -> Graph {
    let text = r#"Graph(
        sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
        entities: [
            Entity(id: "fund", kind: fund, name: "Fund"),
            Entity(id: "lt", kind: country, name: "Lithuania"),
            Entity(id: "us", kind: country, name: "United States"),
            Entity(id: "prog", kind: programme, name: "Programme"),
        ],
        relations: [
            Relation(from: "lt", to: "fund", kind: finances, date: "2024-11", amount: (value: 10, currency: "EUR"), sources: ["s"]),
            Relation(from: "us", to: "fund", kind: finances, date: "2024", amount: (value: 7, currency: "USD"), sources: ["s"]),
            Relation(from: "lt", to: "fund", kind: contributes_to, date: "2025-01-02", amount: (value: 5, currency: "EUR"), sources: ["s"]),
            Relation(from: "fund", to: "prog", kind: finances, amount: (value: 3, currency: "EUR"), sources: ["s"]),
            Relation(from: "prog", to: "fund", kind: part_of, sources: ["s"]),
            Relation(from: "us", to: "fund", kind: pledged, date: "2025-03", amount: (value: 100, currency: "EUR"), sources: ["s"]),
        ],
    )"#;
    load_texts(vec![("f.ron".into(), text.into())]).unwrap()
}

#[test]
fn currencies_are_totalled_separately() {
    let g = fixture();
    let r = money(&g, g.find("fund").unwrap(), &Filter::default());
    assert_eq!(r.incoming.len(), 4);
    assert_eq!(r.outgoing.len(), 1);
    let tin = r.total_in(Stage::Transferred);
    assert_eq!(tin.get("EUR").map(|t| t.value), Some(15.0));
    assert_eq!(tin.get("USD").map(|t| t.value), Some(7.0));
    assert_eq!(tin.len(), 2);
    assert_eq!(
        r.total_out(Stage::Transferred).get("EUR").map(|t| t.value),
        Some(3.0)
    );
    // Date order: 2024 (USD) before 2024-11 before 2025-01-02 before 2025-03.
    let dates: Vec<String> = r
        .incoming
        .iter()
        .map(|l| l.date.unwrap().to_string())
        .collect();
    assert_eq!(dates, ["2024", "2024-11", "2025-01-02", "2025-03"]);
    let text = report_text(&g, g.find("fund").unwrap(), &Filter::default(), &r);
    assert!(text.contains("total in EUR, transferred: €15\n"), "{text}");
    assert!(text.contains("total in USD, transferred: $7\n"), "{text}");
}

#[test]
fn promised_money_is_never_added_to_money_paid() {
    let g = fixture();
    let fund = g.find("fund").unwrap();
    let r = money(&g, fund, &Filter::default());
    assert_eq!(
        r.total_in(Stage::Promised).get("EUR").map(|t| t.value),
        Some(100.0)
    );
    assert_eq!(
        r.total_in(Stage::Transferred).get("EUR").map(|t| t.value),
        Some(15.0)
    );
    assert!(r.total_in(Stage::Stated).is_empty());
    let text = report_text(&g, fund, &Filter::default(), &r);
    assert!(text.contains("total in EUR, promised: €100\n"), "{text}");
    // The dated line (the totals per counterparty come first).
    let pledge = text
        .lines()
        .find(|l| l.contains("€100") && l.contains("2025-03"))
        .unwrap();
    assert!(
        pledge.contains("promised") && pledge.contains("(pledged; s)"),
        "{pledge}"
    );
    assert_eq!(
        totals_summary(&r.incoming),
        "€15 transferred + $7 transferred + €100 promised"
    );
    let doc: serde_json::Value = serde_json::from_str(&report_json(&g, fund, &r)).unwrap();
    assert_eq!(doc["total_in"]["promised"]["EUR"], 100.0);
    assert_eq!(doc["total_in"]["transferred"]["EUR"], 15.0);
    assert!(doc["total_in"].get("stated").is_none());
    let stages: Vec<&str> = doc["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "transferred",
            "transferred",
            "transferred",
            "promised",
            "transferred"
        ]
    );
}

#[test]
fn the_date_window_applies() {
    let g = fixture();
    let f = Filter {
        window: "2025".parse().unwrap(),
        hide_undated: true,
        ..Filter::default()
    };
    let r = money(&g, g.find("fund").unwrap(), &f);
    let values: Vec<f64> = r.incoming.iter().map(|l| l.amount.unwrap().value).collect();
    assert_eq!(values, [5.0, 100.0]);
    assert!(r.outgoing.is_empty());
}

/// Lithuania pays a tranche (dated), a programme (undated, approximate) and
/// finances a fund without a figure; the tranche pays a drone, the fund pays
/// the tranche.
fn honest() -> Graph {
    let text = r#"Graph(
        sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
        entities: [
            Entity(id: "lt", kind: country, name: "Lithuania"),
            Entity(id: "se", kind: country, name: "Sweden"),
            Entity(id: "tr", kind: tranche, name: "Tranche"),
            Entity(id: "pr", kind: programme, name: "Rehab"),
            Entity(id: "am", kind: programme, name: "Ammo"),
            Entity(id: "dr", kind: equipment, name: "Drone"),
        ],
        relations: [
            Relation(from: "lt", to: "tr", kind: finances, date: "2024-11-23", amount: (value: 10, currency: "EUR"), sources: ["s"]),
            Relation(from: "lt", to: "pr", kind: contributes_to, amount: (value: 15, currency: "EUR", approx: true), sources: ["s"]),
            Relation(from: "lt", to: "am", kind: contributes_to, amount: (value: 35, currency: "EUR"), sources: ["s"]),
            Relation(from: "se", to: "lt", kind: finances, sources: ["s"]),
            Relation(from: "tr", to: "dr", kind: finances, date: "2024-11-23", amount: (value: 10, currency: "EUR"), sources: ["s"], note: "Shared with another drone."),
        ],
    )"#;
    load_texts(vec![("f.ron".into(), text.into())]).unwrap()
}

#[test]
fn a_total_with_an_approximate_amount_says_so() {
    let g = honest();
    let lt = g.find("lt").unwrap();
    let r = money(&g, lt, &Filter::default());
    let out = r.total_out(Stage::Transferred)["EUR"];
    assert_eq!((out.value, out.approx), (60.0, true));
    let text = report_text(&g, lt, &Filter::default(), &r);
    assert!(text.contains("total out EUR, transferred: ~€60"), "{text}");
    let json = report_json(&g, lt, &r);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["approx_out"]["transferred"][0], "EUR", "{json}");
    // Without the approximate one, the total is exact.
    let tr = money(&g, g.find("tr").unwrap(), &Filter::default());
    assert!(!tr.total_in(Stage::Transferred)["EUR"].approx);
}

#[test]
fn in_a_window_undated_amounts_are_apart_and_not_in_the_total() {
    let g = honest();
    let lt = g.find("lt").unwrap();
    let f = Filter {
        window: "2025".parse().unwrap(),
        ..Filter::default()
    };
    let r = money(&g, lt, &f);
    assert!(r.outgoing.is_empty(), "{:?}", r.outgoing);
    assert!(r.total_out(Stage::Transferred).is_empty());
    assert_eq!(r.undated.len(), 3);
    let text = report_text(&g, lt, &f, &r);
    assert!(
        text.contains("3 undated money relations included"),
        "{text}"
    );
    let apart = text
        .find("undated, not in the window's total:")
        .expect(&text);
    assert!(text[apart..].contains("€35"), "{text}");
    assert!(!text.contains("total out"), "{text}");
    let json = report_json(&g, lt, &r);
    assert!(json.contains("\"undated_apart\": 3"), "{json}");
    assert!(json.contains("\"in_totals\": false"), "{json}");
}

#[test]
fn money_relations_without_an_amount_are_listed() {
    let g = honest();
    let se = g.find("se").unwrap();
    let r = money(&g, se, &Filter::default());
    assert_eq!(r.outgoing.len(), 1);
    assert!(r.total_out(Stage::Transferred).is_empty());
    let text = report_text(&g, se, &Filter::default(), &r);
    assert!(
        text.contains("amount not stated  transferred  to Lithuania"),
        "{text}"
    );
    assert!(!text.contains("out:\n  none"), "{text}");
}

#[test]
fn the_funding_chain_goes_back_to_the_first_payer_with_notes() {
    let g = honest();
    let dr = g.find("dr").unwrap();
    let r = money(&g, dr, &Filter::default());
    let steps: Vec<(usize, &str, &str)> = r
        .chain
        .iter()
        .map(|s| (s.depth, g.entity(s.from).id, g.entity(s.to).id))
        .collect();
    assert_eq!(steps, [(1, "tr", "dr"), (2, "lt", "tr"), (3, "se", "lt")]);
    let text = report_text(&g, dr, &Filter::default(), &r);
    assert!(text.contains("funding chain"), "{text}");
    assert!(
        text.contains("      Sweden —finances→ Lithuania  (amount not stated)"),
        "{text}"
    );
    assert!(text.contains("note: Shared with another drone."), "{text}");
}

fn parts() -> Graph {
    let text = r#"Graph(
        sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
        entities: [
            Entity(id: "whole", kind: programme, name: "Whole", amount: (value: 500, currency: "EUR")),
            Entity(id: "part", kind: programme, name: "Part"),
            Entity(id: "donor", kind: country, name: "Donor"),
            Entity(id: "minister", kind: person, name: "Minister"),
        ],
        relations: [
            Relation(from: "donor", to: "whole", kind: pledged, amount: (value: 10, currency: "EUR"), sources: ["s"]),
            Relation(from: "donor", to: "whole", kind: finances, date: "2024", amount: (value: 4, currency: "EUR"), sources: ["s"]),
            Relation(from: "donor", to: "whole", kind: finances, date: "2025", amount: (value: 2, currency: "USD"), sources: ["s"]),
            Relation(from: "part", to: "whole", kind: part_of, sources: ["s"]),
            Relation(from: "minister", to: "whole", kind: announced, sources: ["s"]),
        ],
    )"#;
    load_texts(vec![("f.ron".into(), text.into())]).unwrap()
}

#[test]
fn the_money_kinds_are_named_in_one_place() {
    assert_eq!(
        MONEY_FLOWS,
        [RelationKind::Finances, RelationKind::ContributesTo]
    );
    assert_eq!(MONEY_PROMISES, [RelationKind::Pledged]);
    let announced: RelationKind<crate::model::Sym> = RelationKind::Announced;
    assert_eq!(Stage::of(&announced), Stage::Stated);
}

#[test]
fn an_announcement_without_a_figure_is_not_money() {
    let g = parts();
    let w = g.find("whole").unwrap();
    let r = money(&g, w, &Filter::default());
    assert!(
        r.incoming
            .iter()
            .all(|l| g.entity(l.other).id != "minister")
    );
    assert_eq!(r.incoming.len(), 3);
}

#[test]
fn a_part_is_not_paid_by_its_wholes_payers() {
    let g = parts();
    let p = g.find("part").unwrap();
    let r = money(&g, p, &Filter::default());
    assert!(r.chain.is_empty(), "{:?}", r.chain);
    assert!(!report_text(&g, p, &Filter::default(), &r).contains("Donor"));
}

#[test]
fn a_sum_that_concerns_an_entity_is_in_its_chain() {
    let text = r#"Graph(
        sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
        entities: [
            Entity(id: "whole", kind: programme, name: "Whole"),
            Entity(id: "part", kind: programme, name: "Part"),
            Entity(id: "tranche", kind: tranche, name: "Tranche"),
            Entity(id: "donor", kind: country, name: "Donor"),
            Entity(id: "other", kind: country, name: "Other"),
            Entity(id: "meeting", kind: event, name: "Meeting"),
        ],
        relations: [
            Relation(from: "donor", to: "tranche", kind: pledged, amount: (value: 10, currency: "EUR"), sources: ["s"]),
            Relation(from: "tranche", to: "whole", kind: pledged, sources: ["s"]),
            Relation(from: "tranche", to: "part", kind: concerns, sources: ["s"]),
            Relation(from: "meeting", to: "part", kind: concerns, sources: ["s"]),
            Relation(from: "part", to: "whole", kind: part_of, sources: ["s"]),
            Relation(from: "other", to: "whole", kind: pledged, amount: (value: 99, currency: "EUR"), sources: ["s"]),
        ],
    )"#;
    let g = load_texts(vec![("f.ron".into(), text.into())]).unwrap();
    let p = g.find("part").unwrap();
    let r = money(&g, p, &Filter::default());
    let steps: Vec<(usize, &str, &str)> = r
        .chain
        .iter()
        .map(|s| (s.depth, g.entity(s.from).id, g.entity(s.to).id))
        .collect();
    // The tranche about it and its payer; not the whole's other payer, not
    // the meeting (no money).
    assert_eq!(steps, [(1, "tranche", "part"), (2, "donor", "tranche")]);
}

#[test]
fn an_own_amount_is_shown_apart_and_never_added() {
    let g = parts();
    let w = g.find("whole").unwrap();
    let r = money(&g, w, &Filter::default());
    assert_eq!(r.own.map(|a| a.value), Some(500.0));
    assert_eq!(r.total_in(Stage::Promised)["EUR"].value, 10.0);
    let text = report_text(&g, w, &Filter::default(), &r);
    assert!(text.contains("own stated amount: €500"), "{text}");
    let json = report_json(&g, w, &r);
    assert!(json.contains("\"own_amount\""), "{json}");
}

#[test]
fn totals_per_counterparty_come_first() {
    let g = parts();
    let w = g.find("whole").unwrap();
    let r = money(&g, w, &Filter::default());
    let text = report_text(&g, w, &Filter::default(), &r);
    let by = text.find("by counterparty").expect(&text);
    let dated = text.find("2024").expect(&text);
    assert!(by < dated, "{text}");
    assert!(
        text.contains("Donor: €4 transferred + $2 transferred + €10 promised"),
        "{text}"
    );
    let doc: serde_json::Value = serde_json::from_str(&report_json(&g, w, &r)).unwrap();
    let donor = &doc["by_counterparty"][0];
    assert_eq!(donor["id"], "donor");
    assert_eq!(donor["direction"], "in");
    assert_eq!(donor["totals"]["transferred"]["USD"], 2.0);
    assert_eq!(donor["totals"]["promised"]["EUR"], 10.0);
}
