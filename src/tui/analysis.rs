//! The explorer's analysis state: stepping the date window (`]` `[` `}` `{`)
//! with what appeared and ended since the previous window, and the cluster the
//! focus is in (for the card), computed once per filter.

use std::sync::{Arc, Mutex, OnceLock};

use ratatui::text::{Line, Span};

use super::action::Action;
use super::app::{App, Pane};
use super::text::tie_line;
use super::theme::Role;
use crate::analysis::clusters::{self, Clusters};
use crate::analysis::diff::{self, step_window};
use crate::graph::{EdgeIx, Graph, NodeIx, Tie};
use crate::model::DateWindow;
use crate::view::Filter;

/// Graphs of more entities find their clusters on another thread.
pub const CLUSTERS_INLINE_UP_TO: usize = 50_000;

/// The last step of the date window: the filter before it and after it, and
/// how many relations appeared and ended in the whole view.
#[derive(Debug, Clone, PartialEq)]
pub struct Stepped {
    pub before: Filter,
    pub after: Filter,
    pub appeared: usize,
    pub ended: usize,
}

/// How a relation changed with the last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Appeared,
    Ended,
}

impl Change {
    pub fn marker(self) -> &'static str {
        match self {
            Change::Appeared => "+",
            Change::Ended => "−",
        }
    }

    /// How its marker is drawn.
    pub fn role(self) -> Role {
        match self {
            Change::Appeared => Role::Appeared,
            Change::Ended => Role::Ended,
        }
    }
}

/// The clusters of one filter's view, found once (inline for small graphs,
/// else on a thread of their own).
#[derive(Debug, Default)]
pub struct ClusterCache(Mutex<Option<(Filter, Arc<OnceLock<Clusters>>)>>);

impl ClusterCache {
    /// The clusters of `filter`'s view: `None` while they are being found.
    pub fn get(&self, graph: &Arc<Graph>, filter: &Filter) -> Option<Arc<OnceLock<Clusters>>> {
        let mut slot = self.0.lock().ok()?;
        if let Some((f, cell)) = slot.as_ref()
            && f == filter
        {
            return Some(Arc::clone(cell));
        }
        let cell = Arc::new(OnceLock::new());
        if graph.node_count() <= CLUSTERS_INLINE_UP_TO {
            let _ = cell.set(clusters::clusters(graph, filter));
        } else {
            let (g, f, c) = (Arc::clone(graph), filter.clone(), Arc::clone(&cell));
            let _ = std::thread::Builder::new()
                .name("ties-clusters".into())
                .spawn(move || {
                    let _ = c.set(clusters::clusters(&g, &f));
                });
        }
        *slot = Some((filter.clone(), Arc::clone(&cell)));
        Some(cell)
    }

    /// True while clusters are being found on a thread.
    pub fn pending(&self) -> bool {
        self.0
            .lock()
            .ok()
            .and_then(|s| s.as_ref().map(|(_, c)| c.get().is_none()))
            .unwrap_or(false)
    }
}

/// One unit of a date's precision later (`steps` 1) or earlier (-1): the
/// window `d..d` stepped.
fn unit_step(d: crate::model::PartialDate, steps: i32) -> Option<DateWindow> {
    step_window(DateWindow::new(Some(d), Some(d)).ok()?, steps)
}

/// The window `action` asks for, or why there is none (`date_key` sets a window).
fn stepped_window(
    window: DateWindow,
    action: &Action,
    date_key: &str,
) -> Result<DateWindow, String> {
    let (Some(from), Some(to)) = (window.from, window.to) else {
        return Err(format!(
            "stepping needs a date window with both ends: set one with {date_key} (e.g. 2024)"
        ));
    };
    let out = match action {
        Action::StepForward => step_window(window, 1),
        Action::StepBack => step_window(window, -1),
        Action::Widen => unit_step(to, 1).and_then(|w| DateWindow::new(Some(from), w.to).ok()),
        Action::Narrow => {
            let to = unit_step(to, -1).and_then(|w| w.from);
            match to {
                Some(t) if t >= from => DateWindow::new(Some(from), Some(t)).ok(),
                _ => return Err(format!("{window} is as narrow as it gets")),
            }
        }
        _ => None,
    };
    out.ok_or_else(|| format!("{window} cannot move further"))
}

impl App {
    /// `]` `[` `}` `{`: a new date window, with what appeared and ended since
    /// the previous one counted in the status bar and marked in the panes.
    pub(super) fn step(&mut self, action: &Action) {
        let date_key = self.keymap.key(self.mode(), &Action::DateFilter);
        let window = match stepped_window(self.filter.window, action, &date_key) {
            Ok(w) => w,
            Err(msg) => return self.set_status(msg, true),
        };
        let before = self.filter.clone();
        let after = Filter {
            window,
            ..before.clone()
        };
        let d = diff::diff(&self.graph, &before, before.window, window, None);
        let text = format!(
            "{window} · {} appeared, {} ended",
            d.added.len(),
            d.ended.len()
        );
        self.step = Some(Stepped {
            before,
            after: after.clone(),
            appeared: d.added.len(),
            ended: d.ended.len(),
        });
        self.set_filter(after);
        self.set_status(text, false);
    }

    /// The last step, while the filter is still the one it made.
    pub fn stepped(&self) -> Option<&Stepped> {
        self.step.as_ref().filter(|s| s.after == self.filter)
    }

    /// How `edge` changed with the last step, if it did.
    pub fn change_of(&self, edge: EdgeIx) -> Option<Change> {
        let s = self.stepped()?;
        let (was, is) = (
            s.before.relation_visible(&self.graph, edge),
            s.after.relation_visible(&self.graph, edge),
        );
        match (was, is) {
            (false, true) => Some(Change::Appeared),
            (true, false) => Some(Change::Ended),
            _ => None,
        }
    }

    /// Relations of the focus in `pane` that the previous window showed and
    /// this one does not.
    pub fn ended_ties(&self, pane: Pane) -> Vec<Tie> {
        if self.stepped().is_none() {
            return Vec::new();
        }
        self.graph
            .ties_dir(self.focus, pane.direction())
            .filter(|t| self.change_of(t.edge) == Some(Change::Ended))
            .collect()
    }

    /// How the tie between the focus and `node` changed (the map's marks):
    /// appeared when a relation between them did, or the entity itself did.
    pub fn node_change(&self, node: NodeIx) -> Option<Change> {
        let s = self.stepped()?;
        if node == self.focus {
            return None;
        }
        let (was, is) = (
            s.before.entity_visible(&self.graph, node),
            s.after.entity_visible(&self.graph, node),
        );
        if !was && is {
            return Some(Change::Appeared);
        }
        self.graph
            .ties(self.focus)
            .filter(|t| t.other == node)
            .find_map(|t| self.change_of(t.edge).filter(|c| *c == Change::Appeared))
    }

    /// A pane title's count of its relations that appeared and ended with the
    /// last step (` +1 −2`), when any did.
    pub fn pane_changes(&self, pane: Pane) -> Option<String> {
        self.stepped()?;
        let appeared = self
            .list(pane)
            .ties
            .iter()
            .filter(|t| self.change_of(t.edge) == Some(Change::Appeared))
            .count();
        let ended = self.ended_ties(pane).len();
        (appeared + ended > 0).then(|| format!(" +{appeared} −{ended}"))
    }

    /// The map title's count of the focus's relations that appeared and ended.
    pub fn focus_changes(&self) -> Option<String> {
        self.stepped()?;
        let (mut a, mut e) = (0, 0);
        for t in self.graph.ties(self.focus) {
            match self.change_of(t.edge) {
                Some(Change::Appeared) => a += 1,
                Some(Change::Ended) => e += 1,
                None => {}
            }
        }
        Some(format!("· +{a} −{e} "))
    }

    /// The cluster the focus is in, for the card. None on a database: the
    /// clusters of what was fetched say nothing of the graph's, and finding
    /// them again after every answer would cost the screen its speed.
    pub fn cluster_line(&self) -> Option<String> {
        if self.remote.is_some() {
            return None;
        }
        let cell = self.clusters.get(&self.graph, &self.filter)?;
        let Some(c) = cell.get() else {
            return Some("cluster: finding clusters…".into());
        };
        let i = c.cluster_of(self.focus)?;
        let cluster = &c.clusters[i];
        if cluster.members.len() == 1 {
            return Some("cluster: alone, no visible relations".into());
        }
        let mut line = format!(
            "cluster {} of {}: {} around {}",
            i + 1,
            c.clusters.len(),
            crate::report::count(cluster.members.len(), "entity"),
            self.graph.entity_name(cluster.central)
        );
        if let Some(b) = c.bridges.iter().find(|b| b.node == self.focus) {
            line.push_str(&format!(" · bridge ({} pieces)", b.pieces));
        }
        Some(line)
    }

    /// True while something is computed on another thread whose result the
    /// screen shows: the event loop redraws then.
    pub fn poll_jobs(&mut self) -> bool {
        let rank = match &mut self.popup {
            super::popup::Popup::Rank(r) => r.poll(),
            _ => false,
        };
        rank || self.clusters.pending()
    }
}

/// A pane's line for `tie`, with a change marker column while a step is shown.
pub fn marked_tie_line(app: &App, tie: Tie, width: usize) -> Line<'static> {
    if app.stepped().is_none() {
        return tie_line(&app.graph, &app.theme, tie, width);
    }
    let mut line = tie_line(&app.graph, &app.theme, tie, width.saturating_sub(2));
    let marker = match app.change_of(tie.edge) {
        Some(c) => Span::styled(format!("{} ", c.marker()), app.theme.style(c.role())),
        None => Span::raw("  "),
    };
    line.spans.insert(0, marker);
    line
}

/// Up to `rows` dimmed lines for the relations of `pane` that ended with the
/// last step.
pub fn ended_lines(app: &App, pane: Pane, width: usize, rows: usize) -> Vec<Line<'static>> {
    if rows == 0 {
        return Vec::new();
    }
    app.ended_ties(pane)
        .into_iter()
        .take(rows)
        .map(|t| {
            let mut line = tie_line(&app.graph, &app.theme, t, width.saturating_sub(2))
                .patch_style(app.theme.style(Role::Muted));
            let c = Change::Ended;
            line.spans.insert(
                0,
                Span::styled(format!("{} ", c.marker()), app.theme.style(c.role())),
            );
            line
        })
        .collect()
}
