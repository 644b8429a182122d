//! The fuzzy jump (and the path target picker): a query, the best hits, Enter
//! goes to the selected one. Searches run here for small graphs, on the app's
//! worker for large ones (the hits come back through [`SearchPopup::take_result`]).

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{Component, Ctx, Effect, ListPopup, centered};
use crate::graph::{Graph, NodeIx};
use crate::search::{Hit, MatchedField, SearchIndex, SearchResult, SearchWorker};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::text::highlighted;
use crate::tui::theme::{Role, Theme};
use crate::view::Filter;

/// Most search results shown at once.
pub const SEARCH_LIMIT: usize = 50;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchPopup {
    pub input: String,
    pub hits: Vec<Hit>,
    pub selected: usize,
    /// Picking a target for a path from the focus, rather than jumping.
    pub for_path: bool,
    /// Remembers the last query's matches: a query that extends it re-scores
    /// only those.
    pub session: crate::search::SearchSession,
    /// The hits shown are not for the input yet: a search runs on the worker,
    /// or the index is still being built.
    pub pending: bool,
    /// Entities whose notes hold the input's words, shown after the name hits.
    pub note_hits: Vec<Hit>,
    /// Result rows the last frame showed, for paging.
    pub page: std::cell::Cell<usize>,
}

impl SearchPopup {
    /// Picking the far end of a path from the focus.
    pub fn for_path() -> SearchPopup {
        SearchPopup {
            for_path: true,
            ..SearchPopup::default()
        }
    }

    /// Searches for the input: here and now, or on `worker` (the hits arrive
    /// through [`SearchPopup::take_result`]), or later if the index is not built.
    pub fn run(
        &mut self,
        graph: &Arc<Graph>,
        index: &SearchIndex,
        filter: &Filter,
        indexing: bool,
        worker: Option<&mut SearchWorker>,
        notes: &crate::notes::Notes,
    ) {
        self.selected = 0;
        // `#tag` keeps tagged entities; note words add entities after the names.
        let by_notes = Arc::new(notes.search(graph, &self.input));
        self.note_hits.clear();
        let _ = by_notes.extend(graph, &mut self.note_hits, SEARCH_LIMIT, &|n| {
            filter.entity_visible(graph, n)
        });
        if self.input.trim().is_empty() {
            self.session.reset();
            self.hits.clear();
            self.pending = false;
            return;
        }
        if indexing {
            self.pending = true;
            return;
        }
        if let Some(worker) = worker {
            let filter = filter.clone();
            let graph = Arc::clone(graph);
            let keep: crate::search::Keep =
                Arc::new(move |n: NodeIx| by_notes.allows(n) && filter.entity_visible(&graph, n));
            worker.submit(&self.input, SEARCH_LIMIT, keep);
            self.pending = true;
            return;
        }
        let keep = |n: NodeIx| by_notes.allows(n) && filter.entity_visible(graph, n);
        self.hits = self
            .session
            .update(index, graph, &self.input, SEARCH_LIMIT, &keep);
        self.add_note_hits();
        self.pending = false;
    }

    /// Adds the note hits not already among the name hits.
    fn add_note_hits(&mut self) {
        crate::notes::merge_hits(&mut self.hits, &self.note_hits, SEARCH_LIMIT);
    }

    /// Takes a worker's hits if they answer the input shown (`latest` is the
    /// worker's newest query). True if the popup changed.
    pub fn take_result(&mut self, result: SearchResult, latest: Option<u64>) -> bool {
        if Some(result.id) != latest || result.query != self.input {
            return false;
        }
        self.hits = result.hits;
        self.add_note_hits();
        self.selected = 0;
        self.pending = false;
        true
    }

    /// Before acting on the hits (Enter), waits a little for the search of the
    /// input shown, so that Enter never picks from an older query's hits.
    fn settle(&mut self, ctx: &Ctx) {
        if !self.pending || ctx.indexing {
            return;
        }
        let Some(worker) = ctx.worker else {
            return;
        };
        if let Some(r) = worker.recv_latest(std::time::Duration::from_secs(3)) {
            self.take_result(r, Some(worker.latest()));
        }
    }

    /// The visible hits, the selected one highlighted.
    fn lines(&self, g: &Graph, theme: &Theme, results: Rect) -> Vec<Line<'static>> {
        let (dim, kind) = (theme.style(Role::Muted), theme.style(Role::Kind));
        let rows = results.height as usize;
        let offset = self.selected.saturating_sub(rows.saturating_sub(1));
        // Names that several hits share get their ids, to tell them apart.
        let mut names: std::collections::HashMap<&str, usize> = Default::default();
        for hit in &self.hits {
            *names.entry(g.entity_name(hit.node)).or_default() += 1;
        }
        self.hits
            .iter()
            .enumerate()
            .skip(offset)
            .take(rows)
            .map(|(i, hit)| {
                let e = g.entity(hit.node);
                let base = if i == self.selected {
                    theme.style(Role::Selection)
                } else {
                    Style::new()
                };
                let mut spans = Vec::new();
                match hit.field {
                    MatchedField::Name => {
                        spans.extend(highlighted(theme, e.name, &hit.positions, base));
                    }
                    MatchedField::Alias(_) | MatchedField::WeakAlias(_) => {
                        spans.push(Span::styled(e.name.to_string(), base));
                        spans.push(Span::styled("  alias ", base.patch(dim)));
                        spans.extend(highlighted(theme, &hit.text, &hit.positions, base));
                    }
                    MatchedField::Office(_) => {
                        spans.push(Span::styled(e.name.to_string(), base));
                        spans.push(Span::styled(" — holds office: ", base.patch(dim)));
                        spans.extend(highlighted(theme, &hit.text, &hit.positions, base));
                    }
                }
                // A typo or a scattered match may name another entity than the
                // one meant: say so, in the warning colour.
                let how = hit.tier();
                if how.is_weak() {
                    spans.push(Span::styled(
                        format!("  ~{}", how.label()),
                        base.patch(theme.style(Role::Warning)),
                    ));
                }
                spans.push(Span::styled(
                    format!("  {}", crate::ftm::mapping::kind_text(g, hit.node)),
                    base.patch(kind),
                ));

                if names.get(e.name).is_some_and(|&n| n > 1) {
                    spans.push(Span::styled(format!("  {}", e.id), base.patch(dim)));
                }
                Line::from(spans)
            })
            .collect()
    }
}

impl Component for SearchPopup {
    fn mode(&self) -> Mode {
        Mode::Search
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            Action::Type(c) => {
                self.input.push(c);
                Effect::Search
            }
            Action::DeleteChar => {
                self.input.pop();
                Effect::Search
            }
            Action::ClearInput => {
                self.input.clear();
                Effect::Search
            }
            a @ (Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom) => {
                if let Some(i) = super::moved(&a, self.selected, self.hits.len(), self.page.get()) {
                    self.selected = i;
                }
                Effect::None
            }
            Action::Submit => {
                self.settle(ctx);
                match self.hits.get(self.selected) {
                    Some(hit) if self.for_path => ListPopup::path(ctx, hit.node),
                    Some(hit) => Effect::Close.and(Effect::GoTo(hit.node)),
                    None if self.input.trim().is_empty() => Effect::Close,
                    None if ctx.indexing => {
                        Effect::status("still indexing names: try again in a moment", false)
                    }
                    None => Effect::status(format!("nothing matches `{}`", self.input), true),
                }
            }
            Action::Close => Effect::Close,
            _ => Effect::None,
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let rect = centered(area, 70, 70, 30, 5);
        frame.render_widget(Clear, rect);
        let verb = if self.for_path {
            "path to…"
        } else {
            "jump to…"
        };
        let title = if ctx.indexing {
            format!(" {verb} indexing names… ")
        } else if self.input.trim().is_empty() {
            format!(" {verb} ")
        } else if self.pending {
            format!(" {verb} searching… ")
        } else if self.hits.len() >= SEARCH_LIMIT {
            format!(" {verb} best {} ", self.hits.len())
        } else {
            format!(" {verb} {} found ", self.hits.len())
        };
        let theme = ctx.theme;
        let block = Block::bordered()
            .title(title)
            .title_bottom(
                Line::from(super::position(self.selected, self.hits.len())).right_aligned(),
            )
            .border_style(theme.style(Role::BorderFocused));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let [input, results] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        self.page
            .set(usize::from(results.height).saturating_sub(1).max(1));
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("> ", theme.style(Role::SearchInput)),
                Span::raw(self.input.clone()),
                Span::styled("▏", theme.style(Role::Muted)),
            ])),
            input,
        );
        if self.hits.is_empty() {
            let msg = if ctx.indexing {
                "the names are being indexed; results appear as soon as they are ready"
            } else if self.input.trim().is_empty() {
                "type a name or alias; diacritics optional ('exact ^prefix suffix$ !not)"
            } else if self.pending {
                "searching…"
            } else {
                "nothing matches"
            };
            frame.render_widget(
                Paragraph::new(Span::styled(msg, theme.style(Role::Muted)))
                    .wrap(Wrap { trim: true }),
                results,
            );
            return;
        }
        frame.render_widget(
            Paragraph::new(self.lines(ctx.graph, theme, results)),
            results,
        );
    }
}
