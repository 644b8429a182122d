//! An analysis answer as a list whose lines lead to entities, exportable with
//! `e`: the common ties of a marked entity and the focus (`C`), and what
//! appeared and ended with the last step of the date window (`c`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::export::Given;
use super::{Component, Ctx, Effect, ExportPopup, Popup, centered};
use crate::analysis::common::{self, CommonError};
use crate::analysis::diff;
use crate::analysis::render::{names, relation_line, way_text};
use crate::graph::NodeIx;
use crate::tui::action::Action;
use crate::tui::change::{Change, Stepped};
use crate::tui::keymap::Mode;
use crate::tui::text::truncate;
use crate::tui::theme::Role;

/// Shared entities listed (and exported).
pub const COMMON_SHOWN: usize = 50;

/// Relations (and entities) listed per direction of change; `e` exports all.
pub const CHANGES_SHOWN: usize = 1_000;

/// A line: its text, how it changed (for the marker), the entity Enter goes to.
pub type Row = (String, Option<Change>, NodeIx);

#[derive(Debug, Clone, PartialEq)]
pub struct ResultsPopup {
    pub title: String,
    pub rows: Vec<Row>,
    pub selected: usize,
    /// What `e` exports.
    pub export: Given,
    /// Waiting for the letter of the mark whose common ties with the focus to
    /// show (there are several marks).
    pub asking: bool,
    /// Rows the last frame showed, for paging.
    pub page: std::cell::Cell<usize>,
}

impl ResultsPopup {
    fn open(title: String, rows: Vec<Row>, export: Given) -> Effect {
        Effect::open(Popup::Results(ResultsPopup {
            title,
            rows,
            selected: 0,
            export,
            asking: false,
            page: std::cell::Cell::new(10),
        }))
    }

    /// `C`: common ties of the one marked entity and the focus; with several
    /// marks, asks for the letter first.
    pub fn common_with_mark(ctx: &Ctx) -> Effect {
        let others: Vec<NodeIx> = ctx
            .marks
            .values()
            .copied()
            .filter(|&n| n != ctx.focus)
            .collect();
        match others.as_slice() {
            [] => Effect::status(
                format!(
                    "mark an entity first ({} and a letter), then press {} on another",
                    ctx.keymap.key(Mode::Browse, &Action::SetMark),
                    ctx.keymap.key(Mode::Browse, &Action::CommonTies)
                ),
                false,
            ),
            [one] => Self::common(ctx, &[*one]),
            _ => Effect::open(Popup::Results(ResultsPopup {
                title: String::new(),
                rows: Vec::new(),
                selected: 0,
                export: Given {
                    what: String::new(),
                    stem: String::new(),
                    sub: Default::default(),
                },
                asking: true,
                page: std::cell::Cell::new(10),
            })),
        }
    }

    /// The entities tied to every one of `marked` and the focus, each with
    /// the ways.
    pub fn common(ctx: &Ctx, marked: &[NodeIx]) -> Effect {
        let g = ctx.graph;
        let mut inputs = marked.to_vec();
        inputs.push(ctx.focus);
        let found = match common::common(g, ctx.filter, &inputs, 1) {
            Ok(c) => c,
            Err(CommonError::Hidden(id)) => {
                return Effect::status(format!("{id} is outside the date window or kinds"), true);
            }
            Err(e) => return Effect::status(e.to_string(), true),
        };
        let who = names(g, &inputs);
        if found.shared.is_empty() {
            let both = if inputs.len() == 2 { "both" } else { "all of" };
            return Effect::status(
                format!("nothing in this view is tied to {both} {who}"),
                false,
            );
        }
        let mut rows = Vec::new();
        for (i, s) in found.shared.iter().take(COMMON_SHOWN).enumerate() {
            let e = g.entity(s.node);
            let kind = g.entity_kind_label(e.kind);
            rows.push((format!("{:>2}. {}  ({kind})", i + 1, e.name), None, s.node));
            for way in s.ways.iter().flatten() {
                rows.push((format!("      {}", way_text(g, way)), None, s.node));
            }
        }
        let both = if inputs.len() == 2 { "both" } else { "all of" };
        let title = format!(
            "tied to {both} {who}: {}",
            crate::report::count(found.shared.len(), "entity")
        );
        let ids: Vec<&str> = inputs.iter().map(|&n| g.entity(n).id).collect();
        let stem = format!("ties-common-{}", ids.join("-"));
        let export = Given {
            what: format!("the common ties of {who}"),
            stem: safe(&stem),
            sub: found.subgraph(g, COMMON_SHOWN),
        };
        Self::open(title, rows, export)
    }

    /// `c`: the relations and dated entities that appeared and ended with the
    /// last step of the date window.
    pub fn changes(ctx: &Ctx, step: &Stepped) -> Effect {
        let g = ctx.graph;
        let d = diff::diff(g, &step.after, step.before.window, step.after.window, None);
        if d.is_empty() {
            return Effect::status(
                format!("nothing changed from {} to {}", d.before, d.after),
                false,
            );
        }
        let mut rows = Vec::new();
        let lead = |e| {
            let (a, b) = g.ends(e);
            if a == ctx.focus { b } else { a }
        };
        for (edges, nodes, c) in [
            (&d.added, &d.entities_added, Change::Appeared),
            (&d.ended, &d.entities_ended, Change::Ended),
        ] {
            for &e in edges.iter().take(CHANGES_SHOWN) {
                rows.push((relation_line(g, e), Some(c), lead(e)));
            }
            for &n in nodes.iter().take(CHANGES_SHOWN) {
                let e = g.entity(n);
                let text = format!("{}  ({})", e.name, g.entity_kind_label(e.kind));
                rows.push((text, Some(c), n));
            }
            let more = edges.len().saturating_sub(CHANGES_SHOWN)
                + nodes.len().saturating_sub(CHANGES_SHOWN);
            if more > 0 {
                rows.push((
                    format!(
                        "… and {more} more: {} exports them all",
                        ctx.keymap.key(Mode::Analysis, &Action::ExportResult)
                    ),
                    Some(c),
                    ctx.focus,
                ));
            }
        }
        let title = format!(
            "{} → {}: {} appeared, {} ended",
            d.before,
            d.after,
            d.added.len(),
            d.ended.len()
        );
        let stem = format!("ties-changes-{}-{}", d.before, d.after).replace("..", "_to_");
        let export = Given {
            what: format!("the changes from {} to {}", d.before, d.after),
            stem: safe(&stem),
            sub: d.subgraph(g),
        };
        Self::open(title, rows, export)
    }
}

/// A file name stem of letters, digits, `-`, `_` and `.` only.
fn safe(stem: &str) -> String {
    stem.chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Component for ResultsPopup {
    fn mode(&self) -> Mode {
        if self.asking {
            Mode::Mark
        } else {
            Mode::Analysis
        }
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        if self.asking {
            return match action {
                // Enter: all the marks at once.
                Action::Submit => {
                    let marked: Vec<NodeIx> = ctx
                        .marks
                        .values()
                        .copied()
                        .filter(|&n| n != ctx.focus)
                        .collect();
                    Effect::Close.and(Self::common(ctx, &marked))
                }
                Action::Type(c) => match ctx.marks.get(&c) {
                    Some(&n) => Effect::Close.and(Self::common(ctx, &[n])),
                    None => Effect::Close.and(Effect::status(format!("no mark '{c}'"), true)),
                },
                Action::Close => Effect::Close,
                _ => Effect::None,
            };
        }
        match action {
            a @ (Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom) => {
                if let Some(i) = super::moved(&a, self.selected, self.rows.len(), self.page.get()) {
                    self.selected = i;
                }
            }
            Action::Submit => {
                if let Some(&(_, _, node)) = self.rows.get(self.selected) {
                    return Effect::Close.and(Effect::GoTo(node));
                }
            }
            Action::ExportResult => {
                return Effect::open(Popup::Export(ExportPopup::of(self.export.clone())));
            }
            Action::Close => return Effect::Close,
            _ => {}
        }
        Effect::None
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        if self.asking {
            let marks: Vec<String> = ctx
                .marks
                .iter()
                .filter(|(_, n)| **n != ctx.focus)
                .map(|(c, n)| format!("'{c} {}", ctx.graph.entity(*n).name))
                .collect();
            let rect = centered(area, 60, 0, 30, 3);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(format!(
                    "common ties with mark: {} · {}: all of them",
                    marks.join(" · "),
                    ctx.keymap.key(Mode::Mark, &Action::Submit)
                ))
                .block(Block::bordered().title(" common ties ")),
                rect,
            );
            return;
        }
        let rect = centered(area, 80, 80, 30, 5);
        frame.render_widget(Clear, rect);
        let theme = ctx.theme;
        let mut title = format!(" {} ", self.title);
        let hints = ctx.keymap.hints(
            Mode::Analysis,
            &[
                (Action::Submit, "goes there"),
                (Action::ExportResult, "export"),
            ],
        );
        if !hints.is_empty() {
            title.push_str(&format!("· {hints} "));
        }
        let block = Block::bordered()
            .title(title)
            .title_bottom(
                Line::from(super::position(self.selected, self.rows.len())).right_aligned(),
            )
            .border_style(theme.style(Role::BorderFocused));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let rows = inner.height as usize;
        self.page.set(rows.saturating_sub(1).max(1));
        let offset = self.selected.saturating_sub(rows.saturating_sub(1));
        let width = inner.width as usize;
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(offset)
            .take(rows)
            .map(|(i, (text, change, _))| {
                let mut spans = Vec::new();
                let mut w = width;
                if let Some(c) = change {
                    spans.push(Span::styled(
                        format!("{} ", c.marker()),
                        theme.style(c.role()),
                    ));
                    w = w.saturating_sub(2);
                }
                spans.push(Span::raw(truncate(text, w)));
                let line = Line::from(spans);
                if i == self.selected {
                    line.patch_style(theme.style(Role::Selection))
                } else {
                    line
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
