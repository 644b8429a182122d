//! Money around an entity: every visible relation that carries an amount, in and
//! out, by counterparty, with totals per currency (never summed across currencies)
//! and per [`Stage`]: money a relation says moved is never added to money that was
//! only promised.
//!
//! What the totals are honest about:
//! - a total that includes an approximate amount is approximate (`~€80,000,000`);
//! - in a date window, undated amounts are listed apart and left out of the
//!   window's totals (the window cannot say whether they fall in it);
//! - a money relation (`finances`, `contributes to`…) without a figure is listed
//!   as "amount not stated", never dropped;
//! - money is what [`MONEY_FLOWS`] (transferred) and [`MONEY_PROMISES`]
//!   (promised) name, and any relation carrying an amount (stated: its kind
//!   says what it is); an announcement without a figure is not money;
//! - an entity's own amount (a fund's size, an aggregate a report gives) is
//!   shown as its own figure, never added to the flows;
//! - totals per counterparty (by stage and currency) come before the dated
//!   lines;
//! - where the money for the entity comes from is followed back, payer by payer,
//!   to the first payer (the funding chain), with the notes of each relation:
//!   only through relations that carry or promise money to the entity asked
//!   about (or a sum that concerns it), never from a whole to its parts.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use petgraph::Direction;
use serde::Serialize;

use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::model::{Amount, PartialDate, RelationKind, Sym};
use crate::view::Filter;

/// The relation kinds whose amounts moved (*transferred*): see
/// [`RelationKind::MONEY_FLOWS`].
pub const MONEY_FLOWS: &[RelationKind<Sym>] = RelationKind::<Sym>::MONEY_FLOWS;

/// The relation kinds that promise money (*promised*): see
/// [`RelationKind::MONEY_PROMISES`].
pub const MONEY_PROMISES: &[RelationKind<Sym>] = RelationKind::<Sym>::MONEY_PROMISES;

/// Most payers followed back in a funding chain.
pub const CHAIN_DEPTH: usize = 8;

/// What the relation says happened to an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The money moved: [`MONEY_FLOWS`] (`finances`, `contributes_to`).
    Transferred,
    /// The money was promised, agreed or allocated, and no source says it was
    /// paid: [`MONEY_PROMISES`] (`pledged`).
    Promised,
    /// An amount on any other kind of relation: the kind says what it is.
    Stated,
}

impl Stage {
    /// Every stage, in the order reports list them.
    pub const ALL: [Stage; 3] = [Stage::Transferred, Stage::Promised, Stage::Stated];

    /// The stage of an amount on a relation of this kind.
    pub fn of<O: 'static>(kind: &RelationKind<O>) -> Stage {
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
    /// Paid or only promised, as the relation's kind says.
    pub stage: Stage,
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
    /// The entity's own stated amount (a fund's size, an aggregate): shown as
    /// such, never added to the totals.
    pub own: Option<Amount>,
}

/// A total in one currency, approximate when any amount in it is.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Total {
    pub value: f64,
    pub approx: bool,
}

/// Totals per ISO currency code, in code order.
pub type Totals = BTreeMap<&'static str, Total>;

/// The totals of the lines at one stage that have an amount.
pub fn totals(lines: &[MoneyLine], stage: Stage) -> Totals {
    let mut t = Totals::new();
    for a in lines
        .iter()
        .filter(|l| l.stage == stage)
        .filter_map(|l| l.amount)
    {
        let total = t.entry(a.currency.code()).or_default();
        total.value += a.value;
        total.approx |= a.approx;
    }
    t
}

/// `~€15,000,000 transferred + €10,000,000 promised`: the lines' totals, each
/// stage and currency apart, `~` where an approximate amount is in.
pub fn totals_summary(lines: &[MoneyLine]) -> String {
    let mut parts = Vec::new();
    for stage in Stage::ALL {
        for (code, total) in totals(lines, stage) {
            parts.push(format!("{} {}", format_total(code, total), stage.label()));
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

    /// No money relation in or out (the entity's own amount aside).
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

/// Is this relation about money: it carries an amount, or its kind moves or
/// promises money?
fn is_money(graph: &Graph, edge: EdgeIx) -> bool {
    let r = graph.relation(edge);
    r.amount.is_some() || r.kind.is_money_flow() || r.kind.is_promise()
}

/// The money of `node` that `filter` lets through, each side in date order
/// (undated last), then by counterparty name; and its funding chain.
pub fn money(graph: &Graph, node: NodeIx, filter: &Filter) -> MoneyReport {
    let windowed = !filter.window.is_all();
    let mut report = MoneyReport {
        windowed,
        own: graph.entity(node).amount,
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
            stage: Stage::of(&r.kind),
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
/// entity followed once. Only money relations are followed, and a sum that
/// `concerns` the entity with no share stated (a tranche naming a project),
/// then that sum's payers: money for a whole that `node` is part of is not
/// money for `node` (a report that ties a sum to a part says so with a
/// relation of its own).
pub fn chain(graph: &Graph, node: NodeIx, filter: &Filter) -> Vec<ChainStep> {
    let mut seen = HashSet::from([node]);
    up(graph, node, 1, filter, &mut seen)
}

fn up(
    graph: &Graph,
    n: NodeIx,
    depth: usize,
    filter: &Filter,
    seen: &mut HashSet<NodeIx>,
) -> Vec<ChainStep> {
    let mut out = Vec::new();
    if depth > CHAIN_DEPTH {
        return out;
    }
    let by_name = |v: &mut Vec<crate::graph::Tie>| {
        v.sort_by(|a, b| graph.entity(a.other).name.cmp(graph.entity(b.other).name));
    };
    let visible = |t: &crate::graph::Tie| filter.relation_visible(graph, t.edge);
    let mut payers: Vec<_> = graph
        .ties_dir(n, Direction::Incoming)
        .filter(|t| is_money(graph, t.edge) && visible(t))
        .collect();
    by_name(&mut payers);
    for t in payers {
        out.push(ChainStep {
            edge: t.edge,
            from: t.other,
            to: n,
            depth,
        });
        if seen.insert(t.other) {
            out.extend(up(graph, t.other, depth + 1, filter, seen));
        }
    }
    // Money that is about `n` with no share stated: a paid or pledged sum (a
    // tranche) that `concerns` it. Listed as that step, then the sum's payers.
    let mut about: Vec<_> = graph
        .ties_dir(n, Direction::Incoming)
        .filter(|t| graph.relation(t.edge).kind == RelationKind::Concerns && visible(t))
        .filter(|t| {
            graph
                .ties_dir(t.other, Direction::Incoming)
                .any(|p| is_money(graph, p.edge) && visible(&p))
        })
        .collect();
    by_name(&mut about);
    for t in about {
        if !seen.insert(t.other) {
            continue;
        }
        out.push(ChainStep {
            edge: t.edge,
            from: t.other,
            to: n,
            depth,
        });
        out.extend(up(graph, t.other, depth + 1, filter, seen));
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

/// One line as text:
/// `2024-11-23        €10,000,000  promised     from Lithuania  (pledged; s002, s004)`;
/// `amount not stated` in place of a missing amount.
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
        "{date:<10}  {amount:>17}  {:<11}  {way} {}  ({}; {})",
        l.stage.label(),
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
    details.extend(crate::model::date_span(r.date, r.until));
    if is_money(graph, step.edge) {
        details.push(
            r.amount
                .map_or_else(|| "amount not stated".to_string(), |a| a.to_string()),
        );
    }
    let details = if details.is_empty() {
        String::new()
    } else {
        format!("  ({})", details.join(", "))
    };
    format!(
        "{} —{}→ {}{details}",
        graph.entity(step.from).name,
        graph.relation_phrase(r.kind),
        graph.entity(step.to).name,
    )
}

/// Is the funding chain worth showing: does it say more than the lines in?
pub fn shows_chain(graph: &Graph, report: &MoneyReport) -> bool {
    report
        .chain
        .iter()
        .any(|s| s.depth > 1 || !is_money(graph, s.edge))
}

/// Per counterparty, the totals of `lines` ([`totals_summary`]; `amount not
/// stated` when none has a figure): the largest first (by its largest total in
/// any one currency), then by name.
pub fn by_counterparty(graph: &Graph, lines: &[MoneyLine]) -> Vec<(NodeIx, String)> {
    let mut groups: BTreeMap<NodeIx, Vec<MoneyLine>> = BTreeMap::new();
    for l in lines {
        groups.entry(l.other).or_default().push(l.clone());
    }
    let mut rows: Vec<(f64, NodeIx, String)> = groups
        .into_iter()
        .map(|(n, ls)| {
            let largest = Stage::ALL
                .iter()
                .flat_map(|&st| totals(&ls, st).into_values())
                .map(|t| t.value)
                .fold(0.0, f64::max);
            let sums = totals_summary(&ls);
            let text = if sums.is_empty() {
                "amount not stated".to_string()
            } else {
                sums
            };
            (largest, n, text)
        })
        .collect();
    rows.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| graph.entity(a.1).name.cmp(graph.entity(b.1).name))
    });
    rows.into_iter().map(|(_, n, t)| (n, t)).collect()
}

/// The line saying an entity's own amount: its figure, never a flow.
pub fn own_text(own: Amount) -> String {
    format!(
        "own stated amount: {own} (the entity's own figure as the source gives it: not a flow, in no total)"
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
    if let Some(own) = report.own {
        let _ = writeln!(out, "{}", own_text(own));
    }
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
    for (title, direction, lines) in [
        ("in", Direction::Incoming, &report.incoming),
        ("out", Direction::Outgoing, &report.outgoing),
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
        if !lines.is_empty() {
            let _ = writeln!(out, "  by counterparty:");
            for (n, sums) in by_counterparty(graph, lines) {
                let _ = writeln!(out, "    {}: {sums}", graph.entity(n).name);
            }
            let _ = writeln!(out, "  by date:");
        }
        for l in lines {
            write_line(&mut out, "  ", l);
        }
        for stage in Stage::ALL {
            for (code, total) in totals(lines, stage) {
                let _ = writeln!(
                    out,
                    "  total {title} {code}, {}: {}",
                    stage.label(),
                    format_total(code, total)
                );
            }
        }
        if !undated.is_empty() {
            let _ = writeln!(out, "  undated, not in the window's total:");
            for l in &undated {
                write_line(&mut out, "    ", l);
            }
        }
    }
    if shows_chain(graph, report) {
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
    stage: Stage,
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
    /// Per stage (`transferred`, `promised`, `stated`), per currency; a stage
    /// without lines is left out.
    total_in: BTreeMap<Stage, BTreeMap<&'static str, f64>>,
    total_out: BTreeMap<Stage, BTreeMap<&'static str, f64>>,
    /// The totals above that include an approximate amount: stage → currencies.
    approx_in: BTreeMap<Stage, Vec<&'static str>>,
    approx_out: BTreeMap<Stage, Vec<&'static str>>,
    undated_apart: usize,
    chain: Vec<JsonStep<'a>>,
    /// The entity's own stated amount, apart from the flows (null if none).
    own_amount: Option<JsonAmount>,
    /// Totals per counterparty and direction, per stage and currency, the
    /// largest first (as the text lists them).
    by_counterparty: Vec<JsonCounterparty<'a>>,
}

#[derive(Serialize)]
struct JsonCounterparty<'a> {
    direction: &'static str,
    id: &'a str,
    name: &'a str,
    totals: ByStage<f64>,
}

#[derive(Serialize)]
struct JsonAmount {
    value: f64,
    currency: &'static str,
    approx: bool,
}

type ByStage<T> = BTreeMap<Stage, BTreeMap<&'static str, T>>;

/// Totals per stage and currency, and which of them are approximate.
fn totals_by_stage(lines: &[MoneyLine]) -> (ByStage<f64>, BTreeMap<Stage, Vec<&'static str>>) {
    let (mut values, mut approx) = (BTreeMap::new(), BTreeMap::new());
    for stage in Stage::ALL {
        let t = totals(lines, stage);
        if t.is_empty() {
            continue;
        }
        let rough: Vec<&'static str> = t
            .iter()
            .filter(|(_, x)| x.approx)
            .map(|(c, _)| *c)
            .collect();
        if !rough.is_empty() {
            approx.insert(stage, rough);
        }
        values.insert(stage, t.into_iter().map(|(c, x)| (c, x.value)).collect());
    }
    (values, approx)
}

/// The report as JSON: every line with its stage, totals per stage and
/// currency each way (and which include an approximate amount), how many
/// undated lines a window left out of them, and the funding chain.
pub fn report_json(graph: &Graph, node: NodeIx, report: &MoneyReport) -> String {
    let e = graph.entity(node);
    let (tin, ain) = totals_by_stage(&report.incoming);
    let (tout, aout) = totals_by_stage(&report.outgoing);
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
            stage: l.stage,
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
        total_in: tin,
        total_out: tout,
        approx_in: ain,
        approx_out: aout,
        undated_apart: report.undated.len(),
        chain,
        by_counterparty: [("in", &report.incoming), ("out", &report.outgoing)]
            .into_iter()
            .flat_map(|(direction, lines)| {
                by_counterparty(graph, lines)
                    .into_iter()
                    .map(move |(n, _)| {
                        let own: Vec<MoneyLine> =
                            lines.iter().filter(|l| l.other == n).cloned().collect();
                        let e = graph.entity(n);
                        JsonCounterparty {
                            direction,
                            id: e.id,
                            name: e.name,
                            totals: totals_by_stage(&own).0,
                        }
                    })
            })
            .collect(),
        own_amount: report.own.map(|a| JsonAmount {
            value: a.value,
            currency: a.currency.code(),
            approx: a.approx,
        }),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("money report serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests;
