//! The dataset filter: a checklist of the graph's datasets, each with how many
//! entities and relations it holds; the ticked ones are shown (the explorer's
//! `--datasets`). All ticked is no filter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Component, Ctx, Effect, centered};
use crate::graph::{DatasetId, Graph};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Role;
use crate::view::Filter;

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetRow {
    pub id: DatasetId,
    pub name: String,
    pub entities: usize,
    pub relations: usize,
    pub ticked: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatasetsPopup {
    pub rows: Vec<DatasetRow>,
    pub cursor: usize,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

/// The dataset filter in words: `kek,donations`; empty when off.
pub fn filter_text(g: &Graph, filter: &Filter) -> String {
    filter
        .datasets
        .iter()
        .map(|d| g.dataset_name(*d))
        .collect::<Vec<_>>()
        .join(",")
}

impl DatasetsPopup {
    /// The graph's datasets, those of the filter in force ticked (all of them
    /// when there is none); `None` when the graph holds fewer than two.
    pub fn new(ctx: &Ctx) -> Option<DatasetsPopup> {
        let g = ctx.graph;
        if g.dataset_names().len() < 2 {
            return None;
        }
        let on = &ctx.filter.datasets;
        let rows = g
            .entities_per_dataset()
            .into_iter()
            .zip(g.relations_per_dataset())
            .enumerate()
            .map(|(i, (entities, relations))| {
                let id = DatasetId(i as u32);
                DatasetRow {
                    id,
                    name: g.dataset_name(id).to_string(),
                    entities,
                    relations,
                    ticked: on.is_empty() || on.contains(&id),
                }
            })
            .collect();
        Some(DatasetsPopup {
            rows,
            cursor: 0,
            error: None,
        })
    }

    fn apply(&self, ctx: &Ctx) -> Effect {
        let ticked: Vec<DatasetId> = self
            .rows
            .iter()
            .filter(|r| r.ticked)
            .map(|r| r.id)
            .collect();
        let all = ticked.len() == self.rows.len();
        let msg = if all {
            "dataset filter cleared: every dataset shown".to_string()
        } else {
            let names: Vec<&str> = self
                .rows
                .iter()
                .filter(|r| r.ticked)
                .map(|r| r.name.as_str())
                .collect();
            format!("showing only {}", names.join(", "))
        };
        Effect::Close
            .and(Effect::SetFilter(Filter {
                datasets: if all { Vec::new() } else { ticked },
                ..ctx.filter.clone()
            }))
            .and(Effect::status(msg, false))
    }
}

impl Component for DatasetsPopup {
    fn mode(&self) -> Mode {
        Mode::Checklist
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        let last = self.rows.len().saturating_sub(1);
        match action {
            Action::Down => self.cursor = (self.cursor + 1).min(last),
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Top => self.cursor = 0,
            Action::Bottom => self.cursor = last,
            Action::Toggle => {
                if let Some(r) = self.rows.get_mut(self.cursor) {
                    r.ticked = !r.ticked;
                }
                self.error = None;
            }
            Action::ToggleAll => {
                let all = self.rows.iter().all(|r| r.ticked);
                for r in &mut self.rows {
                    r.ticked = !all;
                }
                self.error = None;
            }
            Action::Submit => {
                if self.rows.iter().any(|r| r.ticked) {
                    return self.apply(ctx);
                }
                self.error = Some(format!(
                    "tick at least one dataset ({} ticks every one)",
                    ctx.keymap.key(Mode::Checklist, &Action::ToggleAll)
                ));
            }
            Action::Close => return Effect::Close,
            _ => {}
        }
        Effect::None
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = ctx.theme;
        let height = self.rows.len() as u16 + 2 + u16::from(self.error.is_some());
        let rect = centered(area, 60, 0, 40, height.min(area.height));
        frame.render_widget(Clear, rect);
        let hint = ctx.keymap.hints(
            Mode::Checklist,
            &[
                (Action::Toggle, "tick"),
                (Action::ToggleAll, "all/none"),
                (Action::Submit, "show"),
                (Action::Close, "cancel"),
            ],
        );
        let block = Block::bordered()
            .title(" show these datasets ")
            .title_bottom(Line::from(format!(" {hint} ")).right_aligned())
            .border_style(t.style(Role::BorderFocused));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let width = self.rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
        let mut lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mark = if r.ticked { "✓" } else { "·" };
                let text = format!(
                    " {mark} {:width$}  {} · {}",
                    r.name,
                    crate::report::count(r.entities, "entity"),
                    crate::report::count(r.relations, "relation"),
                );
                let style = if i == self.cursor {
                    t.style(Role::Selection)
                } else if r.ticked {
                    ratatui::style::Style::default()
                } else {
                    t.style(Role::Muted)
                };
                Line::from(Span::styled(text, style))
            })
            .collect();
        // More datasets than lines: the window follows the cursor.
        let room = usize::from(inner.height).saturating_sub(usize::from(self.error.is_some()));
        if lines.len() > room && room > 0 {
            let first = (self.cursor + 1).saturating_sub(room);
            lines = lines.into_iter().skip(first).take(room).collect();
        }
        if let Some(e) = &self.error {
            lines.push(Line::from(Span::styled(
                format!(" {e}"),
                t.style(Role::Error),
            )));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
