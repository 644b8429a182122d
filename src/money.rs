//! Money around an entity: every visible relation that carries an amount, in and
//! out, by counterparty, with totals per currency (never summed across currencies)
//! and per [`Stage`]: money a relation says moved is never added to money that was
//! only promised.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use petgraph::Direction;
use serde::Serialize;

use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::model::{Amount, PartialDate, RelationKind};
use crate::view::Filter;

/// What the relation says happened to an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The money moved: `finances`, `contributes_to`.
    Transferred,
    /// The money was promised, agreed, allocated or announced, and no source
    /// says it was paid: `pledged`, `announced`.
    Promised,
    /// An amount on any other kind of relation: the kind says what it is.
    Stated,
}

impl Stage {
    /// Every stage, in the order reports list them.
    pub const ALL: [Stage; 3] = [Stage::Transferred, Stage::Promised, Stage::Stated];

    /// The stage of an amount on a relation of this kind.
    pub fn of<O>(kind: &RelationKind<O>) -> Stage {
        if kind.is_money_flow() {
            Stage::Transferred
        } else if kind.is_promise() {
            Stage::Promised
        } else {
            Stage::Stated
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Transferred => "transferred",
            Stage::Promised => "promised",
            Stage::Stated => "stated",
        }
    }
}

/// One amount on a relation of the entity.
#[derive(Debug, Clone, PartialEq)]
pub struct MoneyLine {
    pub edge: EdgeIx,
    /// The counterparty.
    pub other: NodeIx,
    /// `Incoming`: money reaches the entity; `Outgoing`: it leaves.
    pub direction: Direction,
    pub amount: Amount,
    /// Paid or only promised, as the relation's kind says.
    pub stage: Stage,
    pub date: Option<PartialDate>,
}

/// The money flowing in and out of one entity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MoneyReport {
    pub incoming: Vec<MoneyLine>,
    pub outgoing: Vec<MoneyLine>,
}

/// Sums per ISO currency code, in code order.
pub type Totals = BTreeMap<&'static str, f64>;

/// Sums of the lines at one stage, per currency.
pub fn totals(lines: &[MoneyLine], stage: Stage) -> Totals {
    let mut t = Totals::new();
    for l in lines.iter().filter(|l| l.stage == stage) {
        *t.entry(l.amount.currency.code()).or_default() += l.amount.value;
    }
    t
}

/// `€15,000,000 transferred + €10,000,000 promised`: the lines' totals, each
/// stage and currency apart.
pub fn totals_summary(lines: &[MoneyLine]) -> String {
    let mut parts = Vec::new();
    for stage in Stage::ALL {
        for (code, value) in totals(lines, stage) {
            parts.push(format!("{} {}", format_total(code, value), stage.label()));
        }
    }
    parts.join(" + ")
}

impl MoneyReport {
    /// Money reaching the entity at `stage`, per currency.
    pub fn total_in(&self, stage: Stage) -> Totals {
        totals(&self.incoming, stage)
    }

    /// Money leaving the entity at `stage`, per currency.
    pub fn total_out(&self, stage: Stage) -> Totals {
        totals(&self.outgoing, stage)
    }

    pub fn is_empty(&self) -> bool {
        self.incoming.is_empty() && self.outgoing.is_empty()
    }
}

/// The money of `node` that `filter` lets through, each side in date order
/// (undated last), then by counterparty name.
pub fn money(graph: &Graph, node: NodeIx, filter: &Filter) -> MoneyReport {
    let mut report = MoneyReport::default();
    for tie in graph.ties(node) {
        if !filter.relation_visible(graph, tie.edge) {
            continue;
        }
        let r = graph.relation(tie.edge);
        let Some(amount) = r.amount else {
            continue;
        };
        let line = MoneyLine {
            edge: tie.edge,
            other: tie.other,
            direction: tie.direction,
            amount,
            stage: Stage::of(&r.kind),
            date: r.date,
        };
        match tie.direction {
            Direction::Incoming => report.incoming.push(line),
            Direction::Outgoing => report.outgoing.push(line),
        }
    }
    for side in [&mut report.incoming, &mut report.outgoing] {
        side.sort_by(|a, b| {
            (a.date.is_none(), a.date)
                .cmp(&(b.date.is_none(), b.date))
                .then_with(|| graph.entity(a.other).name.cmp(graph.entity(b.other).name))
        });
    }
    report
}

/// `€10,000,000` style text of a total.
pub fn format_total(code: &str, value: f64) -> String {
    let currency = crate::model::Currency::from_code(code).expect("totals hold ISO codes");
    Amount {
        value,
        currency,
        approx: false,
    }
    .to_string()
}

/// One line as text:
/// `2024-11-23       €10,000,000  promised     from Lithuania  (pledged; s002, s004)`.
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
    format!(
        "{date:<10}  {:>16}  {:<11}  {way} {}  ({}; {})",
        l.amount.to_string(),
        l.stage.label(),
        graph.entity(l.other).name,
        graph.relation_phrase(r.kind),
        sources.join(", ")
    )
}

/// The whole report as text for the terminal.
pub fn report_text(graph: &Graph, node: NodeIx, report: &MoneyReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: money in and out", graph.entity(node).name);
    for (title, lines) in [("in", &report.incoming), ("out", &report.outgoing)] {
        let _ = writeln!(out, "\n{title}:");
        if lines.is_empty() {
            let _ = writeln!(out, "  none");
            continue;
        }
        for l in lines.iter() {
            let _ = writeln!(out, "  {}", line_text(graph, l));
        }
        for stage in Stage::ALL {
            for (code, value) in totals(lines, stage) {
                let _ = writeln!(
                    out,
                    "  total {title} {code}, {}: {}",
                    stage.label(),
                    format_total(code, value)
                );
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
    stage: Stage,
    value: f64,
    currency: &'static str,
    approx: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    sources: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    id: &'a str,
    name: &'a str,
    lines: Vec<JsonLine<'a>>,
    /// Per stage (`transferred`, `promised`, `stated`), per currency; a stage
    /// without lines is left out.
    total_in: BTreeMap<Stage, Totals>,
    total_out: BTreeMap<Stage, Totals>,
}

fn totals_by_stage(lines: &[MoneyLine]) -> BTreeMap<Stage, Totals> {
    Stage::ALL
        .into_iter()
        .map(|s| (s, totals(lines, s)))
        .filter(|(_, t)| !t.is_empty())
        .collect()
}

/// The report as JSON: every line with its stage, and totals per stage and
/// currency each way.
pub fn report_json(graph: &Graph, node: NodeIx, report: &MoneyReport) -> String {
    let e = graph.entity(node);
    let lines = report
        .incoming
        .iter()
        .chain(&report.outgoing)
        .map(|l| {
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
                stage: l.stage,
                value: l.amount.value,
                currency: l.amount.currency.code(),
                approx: l.amount.approx,
                date: l.date.map(|d| d.to_string()),
                sources: graph
                    .source_list(r.sources)
                    .iter()
                    .map(|&s| &*graph.source(s).id)
                    .collect(),
            }
        })
        .collect();
    let doc = JsonReport {
        id: e.id,
        name: e.name,
        lines,
        total_in: totals_by_stage(&report.incoming),
        total_out: totals_by_stage(&report.outgoing),
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
        assert_eq!(tin.get("EUR"), Some(&15.0));
        assert_eq!(tin.get("USD"), Some(&7.0));
        assert_eq!(tin.len(), 2);
        assert_eq!(r.total_out(Stage::Transferred).get("EUR"), Some(&3.0));
        // Date order: 2024 (USD) before 2024-11 before 2025-01-02 before 2025-03.
        let dates: Vec<String> = r
            .incoming
            .iter()
            .map(|l| l.date.unwrap().to_string())
            .collect();
        assert_eq!(dates, ["2024", "2024-11", "2025-01-02", "2025-03"]);
        let text = report_text(&g, g.find("fund").unwrap(), &r);
        assert!(text.contains("total in EUR, transferred: €15\n"), "{text}");
        assert!(text.contains("total in USD, transferred: $7\n"), "{text}");
    }

    #[test]
    fn promised_money_is_never_added_to_money_paid() {
        let g = fixture();
        let fund = g.find("fund").unwrap();
        let r = money(&g, fund, &Filter::default());
        assert_eq!(r.total_in(Stage::Promised).get("EUR"), Some(&100.0));
        assert_eq!(r.total_in(Stage::Transferred).get("EUR"), Some(&15.0));
        assert!(r.total_in(Stage::Stated).is_empty());
        let text = report_text(&g, fund, &r);
        assert!(text.contains("total in EUR, promised: €100\n"), "{text}");
        let pledge = text.lines().find(|l| l.contains("€100")).unwrap();
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
        let values: Vec<f64> = r.incoming.iter().map(|l| l.amount.value).collect();
        assert_eq!(values, [5.0, 100.0]);
        assert!(r.outgoing.is_empty());
    }
}
