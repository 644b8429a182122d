//! A dossier: one page on one entity for handing on, in Markdown or as one
//! self-contained HTML file. It holds the card (names, aliases, properties,
//! datasets), relations grouped by kind with dates, money with totals by stage
//! and currency ([`crate::money`]), the timeline ([`crate::timeline`]), every
//! source with its link, the investigator's notes and tags ([`crate::notes`]),
//! and a picture of the neighbourhood: a Mermaid block in Markdown, an inline
//! SVG laid out by `layout-rs` in HTML. The view's filter (dates, kinds, tags)
//! applies to all of it.

mod html;
mod markdown;
mod picture;

use std::collections::BTreeMap;

use petgraph::Direction;

use crate::graph::{Graph, NodeIx, SourceId};
use crate::model::date_span;
use crate::money::{MoneyReport, Stage};
use crate::notes::{Note, Notes, Target};
use crate::timeline::TimelineItem;
use crate::view::{self, Filter, Reach, Subgraph};

/// The two shapes a dossier is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierFormat {
    Markdown,
    Html,
}

impl DossierFormat {
    /// The format a file name's extension names: `.md`/`.markdown`, `.html`/`.htm`.
    pub fn from_file_name(name: &str) -> Option<DossierFormat> {
        let lower = name.trim().to_lowercase();
        if lower.ends_with(".md") || lower.ends_with(".markdown") {
            Some(DossierFormat::Markdown)
        } else if lower.ends_with(".html") || lower.ends_with(".htm") {
            Some(DossierFormat::Html)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            DossierFormat::Markdown => "md",
            DossierFormat::Html => "html",
        }
    }
}

/// The section headings, in order: tests and readers find them by these.
pub const SECTIONS: [&str; 7] = [
    "Card",
    "Notes and tags",
    "Relations",
    "Money",
    "Timeline",
    "Sources",
    "Neighbourhood",
];

/// One relation of the entity as the dossier lists it.
struct RelationRow {
    /// `→` the entity is the relation's source, `←` its target, `—` undirected.
    arrow: &'static str,
    other: String,
    when: Option<String>,
    amount: Option<String>,
    role: Option<String>,
    sources: Vec<String>,
    note: Option<String>,
}

/// Everything a dossier says, gathered once, written by either format.
struct Dossier<'a> {
    graph: &'a Graph,
    node: NodeIx,
    filter: &'a Filter,
    sub: Subgraph,
    /// Label, values.
    card: Vec<(String, String)>,
    relations: BTreeMap<String, Vec<RelationRow>>,
    hidden: usize,
    money: MoneyReport,
    timeline: Vec<TimelineItem>,
    sources: Vec<SourceId>,
    notes: Vec<(Target, Vec<&'a Note>, Vec<&'a str>)>,
}

/// The dossier of `node` in `format`: the neighbourhood one step out that
/// `filter` lets through.
pub fn dossier(
    graph: &Graph,
    node: NodeIx,
    filter: &Filter,
    notes: &Notes,
    format: DossierFormat,
) -> String {
    let d = gather(graph, node, filter, notes);
    match format {
        DossierFormat::Markdown => markdown::write(&d),
        DossierFormat::Html => html::write(&d),
    }
}

fn gather<'a>(graph: &'a Graph, node: NodeIx, filter: &'a Filter, notes: &'a Notes) -> Dossier<'a> {
    let e = graph.entity(node);
    let sub = view::subgraph(graph, Some(node), 1, Reach::Both, filter);
    let mut card = vec![
        ("Name".to_string(), e.name.to_string()),
        (
            "Kind".to_string(),
            crate::ftm::mapping::kind_text(graph, node),
        ),
        ("Id".to_string(), e.id.to_string()),
    ];
    if !e.aliases.is_empty() {
        card.push(("Also known as".into(), e.aliases.join("; ")));
    }
    if !e.weak_aliases.is_empty() {
        card.push(("Weak aliases".into(), e.weak_aliases.join("; ")));
    }
    if let Some(d) = date_span(e.date, e.until) {
        card.push(("Date".into(), d));
    }
    if let Some(a) = e.amount {
        card.push(("Amount".into(), a.to_string()));
    }
    if let Some(n) = e.note {
        card.push(("Note in the data".into(), n.to_string()));
    }
    let badges = crate::ftm::badges(graph, node);
    if !badges.is_empty() {
        card.push(("Topics".into(), badges.join(", ")));
    }
    card.extend(crate::ftm::entity_properties(graph, node));

    // Relations: the focus's own, those the filter shows, by kind.
    let mut relations: BTreeMap<String, Vec<RelationRow>> = BTreeMap::new();
    let mut hidden = 0;
    let mut sources: Vec<SourceId> = graph.source_list(e.sources).to_vec();
    let ties: Vec<_> = graph
        .ties(node)
        .filter(|t| t.other != node || t.direction == Direction::Outgoing)
        .collect();
    for t in ties {
        if !filter.relation_visible(graph, t.edge) {
            hidden += 1;
            continue;
        }
        let r = graph.relation(t.edge);
        let ids: Vec<SourceId> = graph.source_list(r.sources).to_vec();
        for s in &ids {
            if !sources.contains(s) {
                sources.push(*s);
            }
        }
        let arrow = if r.undirected {
            "—"
        } else if t.direction == Direction::Outgoing {
            "→"
        } else {
            "←"
        };
        relations
            .entry(graph.relation_phrase(r.kind))
            .or_default()
            .push(RelationRow {
                arrow,
                other: graph.entity(t.other).name.to_string(),
                when: date_span(r.date, r.until),
                amount: r.amount.map(|a| a.to_string()),
                role: r.role.map(|s| graph.sym(s).to_string()),
                sources: ids
                    .iter()
                    .map(|&s| graph.source(s).id.to_string())
                    .collect(),
                note: r.note.map(str::to_string),
            });
    }

    let mut gathered = Vec::new();
    let me = Target::of_entity(graph, node);
    let on_me = |t: &Target| match t {
        Target::Entity(_) => *t == me,
        Target::Relation(k) => k.from == e.id || k.to == e.id,
    };
    let mut targets: Vec<&Target> = notes
        .notes()
        .iter()
        .map(|n| &n.target)
        .chain(notes.tags().keys())
        .filter(|t| on_me(t))
        .collect();
    targets.sort();
    targets.dedup();
    // The entity's own first.
    targets.sort_by_key(|t| **t != me);
    for t in targets {
        gathered.push((t.clone(), notes.notes_on(t).collect(), notes.tags_of(t)));
    }

    Dossier {
        graph,
        node,
        filter,
        money: crate::money::money(graph, node, filter),
        timeline: crate::timeline::timeline(graph, &sub),
        sub,
        card,
        relations,
        hidden,
        sources,
        notes: gathered,
    }
}

impl Dossier<'_> {
    fn name(&self) -> &str {
        self.graph.entity(self.node).name
    }

    /// What the filter is, for the header (`None`: the whole neighbourhood).
    fn filter_text(&self) -> Option<String> {
        let f = self.filter;
        let mut parts = Vec::new();
        if !f.window.is_all() {
            parts.push(format!("dates {}", f.window));
        }
        if f.hide_undated {
            parts.push("undated relations left out".into());
        }
        if !f.entity_kinds.is_empty() {
            let kinds: Vec<&str> = f
                .entity_kinds
                .iter()
                .map(|k| self.graph.entity_kind_label(*k))
                .collect();
            parts.push(format!("kinds {}", kinds.join(", ")));
        }
        if f.only.is_some() {
            parts.push("tagged entities only".into());
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The money lines in order: in, then out, then undated ones apart.
    fn money_lines(&self) -> Vec<&crate::money::MoneyLine> {
        self.money
            .incoming
            .iter()
            .chain(&self.money.outgoing)
            .chain(&self.money.undated)
            .collect()
    }

    /// `(direction, stage, total text)` for every total in and out.
    fn money_totals(&self) -> Vec<(&'static str, Stage, String)> {
        let mut out = Vec::new();
        for (way, dir) in [("in", Direction::Incoming), ("out", Direction::Outgoing)] {
            for stage in Stage::ALL {
                let totals = match dir {
                    Direction::Incoming => self.money.total_in(stage),
                    Direction::Outgoing => self.money.total_out(stage),
                };
                for (code, total) in totals {
                    out.push((way, stage, crate::money::format_total(code, total)));
                }
            }
        }
        out
    }

    /// The datasets the entity's facts come from: the files of its sources.
    fn datasets(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for &s in &self.sources {
            let f = self.graph.source(s).file.to_string();
            if !f.is_empty() && !out.contains(&f) {
                out.push(f);
            }
        }
        out
    }
}

/// A relation's details: `2024-11-23, €10,000,000, role: minister`.
fn row_details(r: &RelationRow) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(r.when.clone());
    parts.extend(r.amount.clone());
    parts.extend(r.role.as_ref().map(|x| format!("role: {x}")));
    parts.join(", ")
}

/// A money line's columns: date, direction, counterparty, amount, stage.
fn money_row(graph: &Graph, l: &crate::money::MoneyLine) -> [String; 5] {
    [
        l.date.map_or_else(|| "undated".into(), |d| d.to_string()),
        match l.direction {
            Direction::Incoming => "from".into(),
            Direction::Outgoing => "to".into(),
        },
        graph.entity(l.other).name.to_string(),
        l.amount
            .map_or_else(|| "amount not stated".into(), |a| a.to_string()),
        l.stage.label().to_string(),
    ]
}

#[cfg(test)]
mod tests;
