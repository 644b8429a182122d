//! Money around an entity: every visible relation that carries an amount, in and
//! out, by counterparty, with totals per currency (never summed across currencies).
//!
//! What the totals are honest about:
//! - a total that includes an approximate amount is approximate (`~€80,000,000`);
//! - in a date window, undated amounts are listed apart and left out of the
//!   window's totals (the window cannot say whether they fall in it);
//! - a money relation (`finances`, `contributes to`…) without a figure is listed
//!   as "amount not stated", never dropped;
//! - where the money for the entity comes from is followed back, payer by payer,
//!   to the first payer (the funding chain), with the notes of each relation.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use petgraph::Direction;
use serde::Serialize;

use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::model::{Amount, PartialDate};
use crate::view::Filter;

/// Most payers followed back in a funding chain.
pub const CHAIN_DEPTH: usize = 8;

/// One money relation of the entity.
#[derive(Debug, Clone, PartialEq)]
pub struct MoneyLine {
    pub edge: EdgeIx,
    /// The counterparty.
    pub other: NodeIx,
    /// `Incoming`: money reaches the entity; `Outgoing`: it leaves.
    pub direction: Direction,
    /// `None`: a money relation whose amount is not stated.
    pub amount: Option<Amount>,
    pub date: Option<PartialDate>,
}

/// One payment in a funding chain: `from` pays `to`, `depth` payers back from
/// the entity (1: a direct payer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChainStep {
    pub edge: EdgeIx,
    pub from: NodeIx,
    pub to: NodeIx,
    pub depth: usize,
}

/// The money flowing in and out of one entity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MoneyReport {
    /// Counted in the totals (those without an amount are listed, not counted).
    pub incoming: Vec<MoneyLine>,
    pub outgoing: Vec<MoneyLine>,
    /// With a date window: undated money relations, listed apart and not in the
    /// window's totals. Empty without a window (then they are counted).
    pub undated: Vec<MoneyLine>,
    /// A date window applied.
    pub windowed: bool,
    /// Who pays whom for the entity, back to the first payers, depth first.
    pub chain: Vec<ChainStep>,
}

/// A total in one currency, approximate when any amount in it is.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Total {
    pub value: f64,
    pub approx: bool,
}

/// Totals per ISO currency code, in code order.
pub type Totals = BTreeMap<&'static str, Total>;

/// The totals of the lines with an amount.
pub fn totals(lines: &[MoneyLine]) -> Totals {
    let mut t = Totals::new();
    for a in lines.iter().filter_map(|l| l.amount) {
        let total = t.entry(a.currency.code()).or_default();
        total.value += a.value;
        total.approx |= a.approx;
    }
    t
}

impl MoneyReport {
    pub fn total_in(&self) -> Totals {
        totals(&self.incoming)
    }

    pub fn total_out(&self) -> Totals {
        totals(&self.outgoing)
    }

    pub fn is_empty(&self) -> bool {
        self.incoming.is_empty() && self.outgoing.is_empty() && self.undated.is_empty()
    }

    /// The undated lines of one direction.
    pub fn undated_of(&self, direction: Direction) -> Vec<MoneyLine> {
        self.undated
            .iter()
            .filter(|l| l.direction == direction)
            .cloned()
            .collect()
    }
}

/// Is this relation about money: it carries an amount, or its kind moves money?
fn is_money(graph: &Graph, edge: EdgeIx) -> bool {
    let r = graph.relation(edge);
    r.amount.is_some() || r.kind.is_money_flow()
}

/// The money of `node` that `filter` lets through, each side in date order
/// (undated last), then by counterparty name; and its funding chain.
pub fn money(graph: &Graph, node: NodeIx, filter: &Filter) -> MoneyReport {
    let windowed = !filter.window.is_all();
    let mut report = MoneyReport {
        windowed,
        ..MoneyReport::default()
    };
    for tie in graph.ties(node) {
        if !filter.relation_visible(graph, tie.edge) || !is_money(graph, tie.edge) {
            continue;
        }
        let r = graph.relation(tie.edge);
        let line = MoneyLine {
            edge: tie.edge,
            other: tie.other,
            direction: tie.direction,
            amount: r.amount,
            date: r.date,
        };
        if windowed && r.date.is_none() && r.until.is_none() {
            report.undated.push(line);
            continue;
        }
        match tie.direction {
            Direction::Incoming => report.incoming.push(line),
            Direction::Outgoing => report.outgoing.push(line),
        }
    }
    for side in [
        &mut report.incoming,
        &mut report.outgoing,
        &mut report.undated,
    ] {
        side.sort_by(|a, b| {
            (a.date.is_none(), a.date)
                .cmp(&(b.date.is_none(), b.date))
                .then_with(|| graph.entity(a.other).name.cmp(graph.entity(b.other).name))
        });
    }
    report.chain = chain(graph, node, filter);
    report
}

/// Who pays whom for `node`: its payers (money relations into it), their payers,
/// and so on to the first payers, at most [`CHAIN_DEPTH`] back; depth first, each
/// entity followed once.
pub fn chain(graph: &Graph, node: NodeIx, filter: &Filter) -> Vec<ChainStep> {
    let mut out = Vec::new();
    let mut seen = HashSet::from([node]);
    let payers = |n: NodeIx| -> Vec<(EdgeIx, NodeIx)> {
        let mut v: Vec<(EdgeIx, NodeIx)> = graph
            .ties_dir(n, Direction::Incoming)
            .filter(|t| is_money(graph, t.edge) && filter.relation_visible(graph, t.edge))
            .map(|t| (t.edge, t.other))
            .collect();
        v.sort_by(|a, b| graph.entity(a.1).name.cmp(graph.entity(b.1).name));
        v
    };
    let mut stack: Vec<(EdgeIx, NodeIx, NodeIx, usize)> = payers(node)
        .into_iter()
        .rev()
        .map(|(e, from)| (e, from, node, 1))
        .collect();
    while let Some((edge, from, to, depth)) = stack.pop() {
        out.push(ChainStep {
            edge,
            from,
            to,
            depth,
        });
        if depth < CHAIN_DEPTH && seen.insert(from) {
            stack.extend(
                payers(from)
                    .into_iter()
                    .rev()
                    .filter(|(_, p)| !seen.contains(p))
                    .map(|(e, p)| (e, p, from, depth + 1)),
            );
        }
    }
    out
}

/// `€10,000,000` style text of a total; `~€80,000,000` when approximate.
pub fn format_total(code: &str, total: Total) -> String {
    let currency = crate::model::Currency::from_code(code).expect("totals hold ISO codes");
    Amount {
        value: total.value,
        currency,
        approx: total.approx,
    }
    .to_string()
}

/// All the totals of one side: `€80,000,000 + $7`; `~` marks approximate ones.
pub fn totals_text(totals: &Totals) -> String {
    totals
        .iter()
        .map(|(c, t)| format_total(c, *t))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// One line as text: `2024-11-23  €10,000,000  from Lithuania  (finances; s002, s004)`.
pub fn line_text(graph: &Graph, l: &MoneyLine) -> String {
    let r = graph.relation(l.edge);
    let date = l
        .date
        .map_or_else(|| "undated".to_string(), |d| d.to_string());
    let way = match l.direction {
        Direction::Incoming => "from",
        Direction::Outgoing => "to",
    };
    let sources: Vec<&str> = graph
        .source_list(r.sources)
        .iter()
        .map(|&s| &*graph.source(s).id)
        .collect();
    let amount = l
        .amount
        .map_or_else(|| "amount not stated".to_string(), |a| a.to_string());
    format!(
        "{date:<10}  {amount:>17}  {way} {}  ({}; {})",
        graph.entity(l.other).name,
        graph.relation_phrase(r.kind),
        sources.join(", ")
    )
}

/// One payment of a funding chain: `Lithuania —finances→ First tranche
/// (2024-11-23, €10,000,000)`.
pub fn chain_text(graph: &Graph, step: &ChainStep) -> String {
    let r = graph.relation(step.edge);
    let mut details: Vec<String> = Vec::new();
    details.extend(crate::export::date_span(r.date, r.until));
    details.push(
        r.amount
            .map_or_else(|| "amount not stated".to_string(), |a| a.to_string()),
    );
    format!(
        "{} —{}→ {}  ({})",
        graph.entity(step.from).name,
        graph.relation_phrase(r.kind),
        graph.entity(step.to).name,
        details.join(", ")
    )
}

/// How the report counts undated amounts, for its heading; empty without a
/// window.
pub fn window_note(filter: &Filter, report: &MoneyReport) -> String {
    if !report.windowed {
        return String::new();
    }
    format!(
        "dates: {} · {} included, listed apart and not in the window's totals",
        filter.window,
        crate::report::count(report.undated.len(), "undated money relation")
    )
}

/// The whole report as text for the terminal.
pub fn report_text(graph: &Graph, node: NodeIx, filter: &Filter, report: &MoneyReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: money in and out", graph.entity(node).name);
    let note = window_note(filter, report);
    if !note.is_empty() {
        let _ = writeln!(out, "{note}");
    }
    let write_line = |out: &mut String, indent: &str, l: &MoneyLine| {
        let _ = writeln!(out, "{indent}{}", line_text(graph, l));
        if let Some(n) = &graph.relation(l.edge).note {
            let _ = writeln!(out, "{indent}    note: {n}");
        }
    };
    for (title, direction, lines, totals) in [
        (
            "in",
            Direction::Incoming,
            &report.incoming,
            report.total_in(),
        ),
        (
            "out",
            Direction::Outgoing,
            &report.outgoing,
            report.total_out(),
        ),
    ] {
        let _ = writeln!(out, "\n{title}:");
        let undated = report.undated_of(direction);
        if lines.is_empty() {
            let _ = writeln!(
                out,
                "  {}",
                if report.windowed {
                    "none in the window"
                } else {
                    "none"
                }
            );
        }
        for l in lines {
            write_line(&mut out, "  ", l);
        }
        for (code, total) in &totals {
            let _ = writeln!(
                out,
                "  total {title} {code}: {}",
                format_total(code, *total)
            );
        }
        if !undated.is_empty() {
            let _ = writeln!(out, "  undated, not in the window's total:");
            for l in &undated {
                write_line(&mut out, "    ", l);
            }
        }
    }
    if report.chain.iter().any(|s| s.depth > 1) {
        let _ = writeln!(
            out,
            "\nfunding chain (who pays whom for {}, back to the first payer):",
            graph.entity(node).name
        );
        for step in &report.chain {
            let indent = "  ".repeat(step.depth);
            let _ = writeln!(out, "{indent}{}", chain_text(graph, step));
            if let Some(n) = &graph.relation(step.edge).note {
                let _ = writeln!(out, "{indent}    note: {n}");
            }
        }
    }
    out
}

#[derive(Serialize)]
struct JsonLine<'a> {
    direction: &'static str,
    counterparty: &'a str,
    counterparty_name: &'a str,
    kind: &'a str,
    /// `None`: the amount is not stated.
    value: Option<f64>,
    currency: Option<&'static str>,
    approx: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    /// False for an undated amount in a date window: listed, not in the totals.
    in_totals: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    sources: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonStep<'a> {
    from: &'a str,
    to: &'a str,
    kind: &'a str,
    depth: usize,
    value: Option<f64>,
    currency: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    id: &'a str,
    name: &'a str,
    lines: Vec<JsonLine<'a>>,
    total_in: &'a Totals,
    total_out: &'a Totals,
    undated_apart: usize,
    chain: Vec<JsonStep<'a>>,
}

/// The report as JSON: every line, totals per currency each way (`approx` when
/// an approximate amount is in), how many undated lines a window left out of
/// them, and the funding chain.
pub fn report_json(graph: &Graph, node: NodeIx, report: &MoneyReport) -> String {
    let e = graph.entity(node);
    let (tin, tout) = (report.total_in(), report.total_out());
    let json_line = |l: &MoneyLine, in_totals: bool| {
        let r = graph.relation(l.edge);
        let o = graph.entity(l.other);
        JsonLine {
            direction: match l.direction {
                Direction::Incoming => "in",
                Direction::Outgoing => "out",
            },
            counterparty: o.id,
            counterparty_name: o.name,
            kind: graph.relation_kind_label(r.kind),
            value: l.amount.map(|a| a.value),
            currency: l.amount.map(|a| a.currency.code()),
            approx: l.amount.is_some_and(|a| a.approx),
            date: l.date.map(|d| d.to_string()),
            in_totals: in_totals && l.amount.is_some(),
            note: r.note,
            sources: graph
                .source_list(r.sources)
                .iter()
                .map(|&s| &*graph.source(s).id)
                .collect(),
        }
    };
    let lines = report
        .incoming
        .iter()
        .chain(&report.outgoing)
        .map(|l| json_line(l, true))
        .chain(report.undated.iter().map(|l| json_line(l, false)))
        .collect();
    let chain = report
        .chain
        .iter()
        .map(|s| {
            let r = graph.relation(s.edge);
            JsonStep {
                from: graph.entity(s.from).id,
                to: graph.entity(s.to).id,
                kind: graph.relation_kind_label(r.kind),
                depth: s.depth,
                value: r.amount.map(|a| a.value),
                currency: r.amount.map(|a| a.currency.code()),
                date: r.date.map(|d| d.to_string()),
                note: r.note,
            }
        })
        .collect();
    let doc = JsonReport {
        id: e.id,
        name: e.name,
        lines,
        total_in: &tin,
        total_out: &tout,
        undated_apart: report.undated.len(),
        chain,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("money report serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
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
            ],
        )"#;
        load_texts(vec![("f.ron".into(), text.into())]).unwrap()
    }

    #[test]
    fn currencies_are_totalled_separately() {
        let g = fixture();
        let r = money(&g, g.find("fund").unwrap(), &Filter::default());
        assert_eq!(r.incoming.len(), 3);
        assert_eq!(r.outgoing.len(), 1);
        let tin = r.total_in();
        assert_eq!(tin.get("EUR").map(|t| t.value), Some(15.0));
        assert_eq!(tin.get("USD").map(|t| t.value), Some(7.0));
        assert_eq!(tin.len(), 2);
        assert_eq!(r.total_out().get("EUR").map(|t| t.value), Some(3.0));
        // Date order: 2024 (USD) before 2024-11 before 2025-01-02.
        let dates: Vec<String> = r
            .incoming
            .iter()
            .map(|l| l.date.unwrap().to_string())
            .collect();
        assert_eq!(dates, ["2024", "2024-11", "2025-01-02"]);
        let text = report_text(&g, g.find("fund").unwrap(), &Filter::default(), &r);
        assert!(text.contains("total in EUR: €15"), "{text}");
        assert!(text.contains("total in USD: $7"), "{text}");
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
        assert_eq!(r.incoming.len(), 1);
        assert_eq!(r.incoming[0].amount.unwrap().value, 5.0);
        assert!(r.outgoing.is_empty());
        assert!(r.undated.is_empty());
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
        let out = r.total_out()["EUR"];
        assert_eq!((out.value, out.approx), (60.0, true));
        let text = report_text(&g, lt, &Filter::default(), &r);
        assert!(text.contains("total out EUR: ~€60"), "{text}");
        // Without the approximate one, the total is exact.
        let tr = money(&g, g.find("tr").unwrap(), &Filter::default());
        assert!(!tr.total_in()["EUR"].approx);
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
        assert!(r.total_out().is_empty());
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
        assert!(r.total_out().is_empty());
        let text = report_text(&g, se, &Filter::default(), &r);
        assert!(text.contains("amount not stated  to Lithuania"), "{text}");
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
}
