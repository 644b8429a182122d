//! `r`: the top entities of the view by a centrality, with their scores. The
//! ranking is computed on exactly what the filter shows; on large graphs on a
//! thread of its own, with its progress shown and Esc cancelling it. Tab moves
//! to the next measure, Enter goes to an entity, `e` exports the top entities
//! and the relations among them.

use std::sync::{Arc, Mutex, PoisonError};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::export::Given;
use super::{Component, Ctx, Effect, ExportPopup, Popup, centered};
use crate::analysis::ViewGraph;
use crate::analysis::rank::{
    self, Control, Measure, RankError, RankOptions, Ranking, rank_view_with,
};
use crate::analysis::render::score_text;
use crate::graph::{Graph, NodeIx};
use crate::job::{self, Job, JobError};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::text::truncate;
use crate::tui::theme::Role;
use crate::view::Filter;

/// Entities listed (and exported).
pub const SHOWN: usize = 50;

/// Graphs of at most this many entities are ranked at once; larger ones on a
/// thread.
pub const INLINE_UP_TO: usize = 5_000;

/// The measures in the order Tab goes through them.
const MEASURES: [Measure; 4] = [
    Measure::Degree,
    Measure::Pagerank,
    Measure::Betweenness,
    Measure::Closeness,
];

/// What a ranking job gives.
pub type Ranked = Result<Arc<Ranking>, RankError>;

/// Why there is no ranking: the ranking said why, or its job ended without
/// one (a panic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RankFailure {
    Rank(RankError),
    Job(JobError),
}

/// Ranks `filter`'s view of `graph` by `measure`, moving `control`'s progress.
fn rank_job(graph: &Graph, filter: &Filter, measure: Measure, control: &job::Control) -> Ranked {
    let view = ViewGraph::new(graph, filter);
    let opts = RankOptions {
        measure,
        ..RankOptions::default()
    };
    if measure == Measure::Betweenness {
        let k = rank::sources_for(&view, &opts);
        if k < view.len() {
            control.set_total(k);
        }
    }
    let c = Control {
        cancel: Some(control.cancel_flag()),
        progress: Some(control.done_counter()),
    };
    rank_view_with(graph, &view, &opts, c).map(Arc::new)
}

/// The ranking's job, shared by the copies of the popup; the last copy gone
/// cancels it.
#[derive(Debug)]
struct Shared(Mutex<Job<Ranked>>);

#[derive(Debug, Clone)]
pub struct RankPopup {
    pub measure: Measure,
    pub selected: usize,
    /// The filter ranked.
    pub filter: Filter,
    job: Arc<Shared>,
    /// The finished result was drawn: no more redraws needed.
    shown_done: bool,
    /// Rows the last frame showed, for paging.
    page: std::cell::Cell<usize>,
}

impl PartialEq for RankPopup {
    fn eq(&self, other: &Self) -> bool {
        self.measure == other.measure
            && self.selected == other.selected
            && Arc::ptr_eq(&self.job, &other.job)
    }
}

/// What polling the ranking found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Polled {
    /// The screen should be drawn again.
    pub redraw: bool,
    /// The job ended without a ranking: what to say.
    pub failed: Option<String>,
}

impl RankPopup {
    /// Ranks what `ctx` shows by `measure`: at once on small graphs, else on
    /// a thread.
    pub fn new(ctx: &Ctx, measure: Measure) -> RankPopup {
        Self::with_inline_limit(ctx, measure, INLINE_UP_TO)
    }

    /// [`RankPopup::new`], ranking at once when the graph has at most
    /// `inline_up_to` entities.
    pub fn with_inline_limit(ctx: &Ctx, measure: Measure, inline_up_to: usize) -> RankPopup {
        let filter = ctx.filter.clone();
        let job = if ctx.graph.node_count() <= inline_up_to {
            Job::inline("the ranking", |c| rank_job(ctx.graph, &filter, measure, c))
        } else {
            let (g, f) = (Arc::clone(ctx.graph), filter.clone());
            Job::spawn("the ranking", move |c| rank_job(&g, &f, measure, c))
        };
        Self::with_job(ctx, measure, job)
    }

    /// The popup showing what `job` ranks of `ctx`'s view (a test gives one
    /// that fails); the job wakes the event loop when it ends.
    pub fn with_job(ctx: &Ctx, measure: Measure, job: Job<Ranked>) -> RankPopup {
        if let Some(n) = ctx.notify {
            job.on_done(Arc::clone(n));
        }
        RankPopup {
            measure,
            selected: 0,
            filter: ctx.filter.clone(),
            job: Arc::new(Shared(Mutex::new(job))),
            shown_done: false,
            page: std::cell::Cell::new(10),
        }
    }

    fn job(&self) -> std::sync::MutexGuard<'_, Job<Ranked>> {
        self.job.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The finished ranking, if any (why not, when it could not be made).
    pub fn result(&self) -> Option<Result<Arc<Ranking>, RankFailure>> {
        let job = self.job();
        Some(match job.result()? {
            Ok(Ok(r)) => Ok(Arc::clone(r)),
            Ok(Err(e)) => Err(RankFailure::Rank(e.clone())),
            Err(e) => Err(RankFailure::Job(e.clone())),
        })
    }

    /// The ranking is ready (or failed), as of the last [`RankPopup::poll`].
    pub fn is_done(&self) -> bool {
        !self.job().is_running()
    }

    /// Takes the ranking if it is ready. Redraw while the ranking runs (its
    /// progress moves) and once when it is ready; when its job ended without
    /// a ranking, what to say.
    pub fn poll(&mut self) -> Polled {
        self.job().poll();
        if !self.is_done() {
            return Polled {
                redraw: true,
                failed: None,
            };
        }
        if std::mem::replace(&mut self.shown_done, true) {
            return Polled::default();
        }
        let failed = match self.result() {
            Some(Err(RankFailure::Job(e))) => Some(e.to_string()),
            _ => None,
        };
        Polled {
            redraw: true,
            failed,
        }
    }

    fn top(&self) -> Vec<NodeIx> {
        match self.result() {
            Some(Ok(r)) => r.entities.iter().take(SHOWN).map(|s| s.node).collect(),
            _ => Vec::new(),
        }
    }

    fn export(&self, ctx: &Ctx) -> Effect {
        let Some(Ok(r)) = self.result() else {
            return Effect::status("nothing to export yet: the ranking is not ready", true);
        };
        let shown = r.entities.len().min(SHOWN);
        Effect::open(Popup::Export(ExportPopup::of(Given {
            what: format!("the top {shown} by {}", r.measure.label()),
            stem: format!("ties-rank-{}", r.measure.label()),
            sub: r.subgraph(ctx.graph, &self.filter, SHOWN),
        })))
    }

    fn progress_text(&self) -> String {
        let (done, total) = self.job().progress();
        match self.measure {
            Measure::Pagerank if done > 0 => format!("PageRank: round {done}…"),
            Measure::Betweenness if total > 0 => {
                format!("betweenness: {done} of {total} sampled sources…")
            }
            m => format!("ranking by {}…", m.label()),
        }
    }
}

impl Component for RankPopup {
    fn mode(&self) -> Mode {
        Mode::Analysis
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            a @ (Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom) => {
                let len = self.top().len();
                if let Some(i) = super::moved(&a, self.selected, len, self.page.get()) {
                    self.selected = i;
                }
            }
            Action::Submit => {
                if let Some(&n) = self.top().get(self.selected) {
                    return Effect::Close.and(Effect::GoTo(n));
                }
            }
            Action::NextMeasure => {
                let i = MEASURES
                    .iter()
                    .position(|m| *m == self.measure)
                    .unwrap_or(0);
                let next = MEASURES[(i + 1) % MEASURES.len()];
                let inline = if ctx.graph.node_count() <= INLINE_UP_TO {
                    usize::MAX
                } else {
                    0
                };
                // The old job is cancelled when its guard goes with `self`.
                *self = RankPopup::with_inline_limit(ctx, next, inline);
            }
            Action::ExportResult => return self.export(ctx),
            Action::Close => {
                return if self.is_done() {
                    Effect::Close
                } else {
                    self.job().cancel();
                    Effect::Close.and(Effect::status("ranking cancelled", false))
                };
            }
            _ => {}
        }
        Effect::None
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let rect = centered(area, 80, 80, 30, 5);
        frame.render_widget(Clear, rect);
        let g = ctx.graph;
        let (theme, km) = (ctx.theme, ctx.keymap);
        let dim = theme.style(Role::Muted);
        let mut title = format!(" rank by {} · ", self.measure.label());
        let mut lines: Vec<Line> = Vec::new();
        let mut position = String::new();
        match self.result() {
            None => {
                lines.push(Line::from(self.progress_text()));
                let cancel = km.hints(Mode::Analysis, &[(Action::Close, "cancels")]);
                lines.push(Line::from(Span::styled(cancel, dim)));
            }
            Some(Err(RankFailure::Rank(RankError::TooLarge(n)))) => {
                lines.push(Line::from(Span::styled(
                    format!(
                        "closeness needs a search from each of the view's {n} entities: \
                         narrow the view ({}) first",
                        km.hints(
                            Mode::Browse,
                            &[(Action::DateFilter, "dates"), (Action::KindFilter, "kinds")]
                        )
                        .replace(" · ", ", ")
                    ),
                    theme.style(Role::Error),
                )))
            }
            Some(Err(RankFailure::Rank(e))) => lines.push(Line::from(e.to_string())),
            Some(Err(RankFailure::Job(e))) => lines.push(Line::from(Span::styled(
                e.to_string(),
                theme.style(Role::Error),
            ))),
            Some(Ok(r)) => {
                title.push_str(&format!(
                    "top {} of {} · ",
                    r.entities.len().min(SHOWN),
                    crate::report::count(r.view_entities, "entity")
                ));
                if let Some(k) = r.sampled {
                    title.push_str(&format!("{k} sampled sources, ±{:.4} · ", r.error));
                }
                let width = rect.width.saturating_sub(2) as usize;
                let rows = rect.height.saturating_sub(2) as usize;
                self.page.set(rows.saturating_sub(1).max(1));
                position = super::position(self.selected, r.entities.len().min(SHOWN));
                let offset = self.selected.saturating_sub(rows.saturating_sub(1));
                // Each score as a bar against the first (the highest).
                let top = r.entities.first().map_or(0.0, |s| s.score);
                let bar_w = if width >= 60 { 16 } else { 0 };
                for (i, s) in r.entities.iter().enumerate().take(SHOWN).skip(offset) {
                    let e = g.entity(s.node);
                    let score = format!("{:>3}. {:>10} ", i + 1, score_text(r.measure, s.score));
                    let bar = bar(if top > 0.0 { s.score / top } else { 0.0 }, bar_w);
                    let kind = format!("  {}", g.entity_kind_label(e.kind));
                    let room = width
                        .saturating_sub(kind.chars().count() + score.chars().count() + bar_w + 1);
                    let mut line = Line::from(vec![
                        Span::raw(score),
                        Span::styled(bar, theme.style(Role::Bar)),
                        Span::raw(" "),
                        Span::raw(truncate(e.name, room)),
                        Span::styled(kind, theme.style(Role::Kind)),
                    ]);
                    if i == self.selected {
                        line = line.patch_style(theme.style(Role::Selection));
                    }
                    lines.push(line);
                }
                if r.entities.is_empty() {
                    lines.push(Line::from(Span::styled("nothing in this view", dim)));
                }
            }
        }
        let hints = km.hints(
            Mode::Analysis,
            &[
                (Action::NextMeasure, "measure"),
                (Action::ExportResult, "export"),
            ],
        );
        if hints.is_empty() {
            // Every part so far ends in "· ".
            title.truncate(title.len() - "· ".len());
        } else {
            title.push_str(&hints);
            title.push(' ');
        }
        let block = Block::bordered()
            .title(title)
            .title_bottom(Line::from(position).right_aligned())
            .border_style(theme.style(Role::BorderFocused));
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            rect,
        );
    }
}

/// A bar `width` cells long filled to `frac` (0 to 1), in eighths of a cell.
fn bar(frac: f64, width: usize) -> String {
    use ratatui::symbols::block;
    const EIGHTHS: [&str; 8] = [
        "",
        block::ONE_EIGHTH,
        block::ONE_QUARTER,
        block::THREE_EIGHTHS,
        block::HALF,
        block::FIVE_EIGHTHS,
        block::THREE_QUARTERS,
        block::SEVEN_EIGHTHS,
    ];
    if width == 0 {
        return String::new();
    }
    let eighths = (frac.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut s = block::FULL.repeat(eighths / 8);
    s.push_str(EIGHTHS[eighths % 8]);
    let used = eighths.div_ceil(8);
    s.push_str(&" ".repeat(width - used));
    s
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::generate::{GenOptions, graph};
    use crate::search::SearchIndex;
    use crate::tui::{App, KeyMap};

    fn app(entities: usize) -> App {
        let g = Arc::new(
            graph(&GenOptions {
                entities,
                relations_per_entity: 2,
                seed: 7,
            })
            .unwrap(),
        );
        App::new(
            g,
            Arc::new(SearchIndex::default()),
            KeyMap::default_map(),
            None,
        )
        .unwrap()
    }

    fn wait(p: &mut RankPopup) {
        let start = Instant::now();
        loop {
            p.job().poll();
            if p.is_done() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the job never ended"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_ranking_on_a_thread_is_the_ranking_made_at_once() {
        let app = app(2_000);
        let ctx = app.ctx();
        let inline = RankPopup::with_inline_limit(&ctx, Measure::Pagerank, usize::MAX);
        assert!(inline.is_done());
        let mut threaded = RankPopup::with_inline_limit(&ctx, Measure::Pagerank, 0);
        wait(&mut threaded);
        assert_eq!(threaded.result(), inline.result());
        assert!(matches!(threaded.result(), Some(Ok(r)) if r.entities.len() == 2_000));
        // Drawn once more when it is ready, then no more redraws.
        assert!(threaded.poll().redraw);
        assert!(!threaded.poll().redraw);
    }

    #[test]
    fn closing_the_panel_cancels_a_ranking_still_running() {
        // Sampled betweenness on 40,000 entities takes seconds: long enough to
        // be closed while it runs.
        let app = app(40_000);
        let ctx = app.ctx();
        let mut p = RankPopup::with_inline_limit(&ctx, Measure::Betweenness, 0);
        let mut copy = p.clone();
        assert_eq!(
            p.update(Action::Close, &ctx),
            Effect::Close.and(Effect::status("ranking cancelled", false))
        );
        let start = Instant::now();
        drop(p);
        wait(&mut copy);
        assert!(start.elapsed() < Duration::from_secs(20));
        assert_eq!(
            copy.result(),
            Some(Err(RankFailure::Rank(RankError::Cancelled)))
        );
    }
}
