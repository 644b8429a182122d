//! The explorer's state, all of it private. It changes in three ways only:
//! [`App::update`] (an action), [`App::apply`] (what a popup asked for) and
//! the results of its jobs ([`App::poll_jobs`], [`App::poll_search`],
//! [`App::poll_remote`]); [`App::after_draw`] keeps what a frame measured.
//! Drawing reads it through the accessors here. The popups (in
//! [`super::popup`]) keep their own state and answer an action with an
//! [`Effect`]; the keys of browsing and of the map are in `browse.rs`, the
//! date window's steps in `step.rs`, the jobs' results in `jobs.rs`, the
//! database session's events in `remote.rs`.

mod browse;
mod jobs;
mod notes;
mod remote;
mod step;

use std::sync::Arc;

use petgraph::Direction;

use super::action::Action;
use super::keymap::{KeyMap, Mode};
use super::map::MapLayout;
use super::popup::{Ctx, Effect};
use crate::graph::{Graph, NodeIx, Tie};
use crate::job::Notify;
use crate::search::{SearchIndex, SearchWorker};
use crate::view::Filter;

pub use super::clusters::{CLUSTERS_INLINE_UP_TO, ClusterState};
pub use super::popup::list::PATH_HOPS;
pub use super::popup::search::SEARCH_LIMIT;
pub use super::popup::{
    DatePopup, ExportPopup, HelpPopup, KindsPopup, ListPopup, MarkPopup, Popup, Prompt,
    SaveViewPopup, SearchPopup,
};

/// What one relation list looked like in a frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListFrame {
    /// Where its rows were drawn (empty when it was not shown), for mouse clicks.
    pub area: ratatui::layout::Rect,
    /// The first row shown, when rows were shown: the next frame scrolls from it.
    pub offset: Option<usize>,
}

/// What a frame hands back to the app: sizes that only drawing knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameInfo {
    /// False when the terminal was too small to lay anything out: the app keeps
    /// what it had.
    pub laid_out: bool,
    /// The incoming and outgoing lists, in [`Pane`] order.
    pub lists: [ListFrame; 2],
    /// Rows of the active list, for paging.
    pub page_rows: Option<usize>,
    /// The map's canvas (columns, rows), when the map was drawn.
    pub map_size: Option<(u16, u16)>,
}

/// The two relation lists around the focused entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// Relations pointing at the focus: `other —kind→ focus`.
    Incoming = 0,
    /// Relations leaving the focus: `focus —kind→ other`.
    Outgoing = 1,
}

impl Pane {
    pub fn direction(self) -> Direction {
        match self {
            Pane::Incoming => Direction::Incoming,
            Pane::Outgoing => Direction::Outgoing,
        }
    }

    pub(super) fn other(self) -> Pane {
        match self {
            Pane::Incoming => Pane::Outgoing,
            Pane::Outgoing => Pane::Incoming,
        }
    }
}

/// A message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// The relations of the focused entity that the filter lets through, per pane.
#[derive(Debug, Clone, Default)]
pub struct PaneList {
    pub ties: Vec<Tie>,
    /// Relations of this direction hidden by the filter.
    pub hidden: usize,
    /// Undated relations among those shown: a date window lets them through
    /// unless undated relations are hidden.
    pub undated: usize,
    pub selected: usize,
    /// First visible row at the last frame, so scrolling is smooth.
    pub offset: usize,
    /// Where the rows were drawn at the last frame, for mouse clicks.
    pub area: ratatui::layout::Rect,
    /// Widths of the date and amount columns, so that they line up.
    pub cols: super::text::Columns,
    /// Undirected relations among those shown (listed with the outgoing ones).
    pub ties_undirected: usize,
}

/// The neighbourhood map, when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapState {
    /// 1 or 2 rings.
    pub depth: u8,
    /// The entity picked with the arrow keys; Enter moves there.
    pub selected: NodeIx,
    /// Which page of the focus's neighbours the first ring shows (they are
    /// ranked: money, weight, relations).
    pub page: usize,
}

/// A map layout and what it was made for: (focus, depth, columns, rows,
/// page), filter, marked entities.
pub(super) type MapKey = ((NodeIx, u8, u16, u16, usize), Filter, Vec<NodeIx>);

/// The whole explorer state.
pub struct App {
    graph: Arc<Graph>,
    index: Arc<SearchIndex>,
    keymap: KeyMap,
    focus: NodeIx,
    back: Vec<NodeIx>,
    forward: Vec<NodeIx>,
    pane: Pane,
    lists: [PaneList; 2],
    filter: Filter,
    popup: Popup,
    status: Option<Status>,
    should_quit: bool,
    /// Colours (a theme file, or none under NO_COLOR).
    theme: super::theme::Theme,
    /// The map replaces the three panes while it is on.
    map: Option<MapState>,
    /// Size of the map area at the last frame, for picking neighbours by direction.
    map_size: (u16, u16),
    /// Entities marked with a letter (`M` + letter), for `'` + letter.
    marks: std::collections::BTreeMap<char, NodeIx>,
    /// Rows in the active relation list at the last frame, for paging.
    page_rows: usize,
    /// Searches run here when `None` (small graphs, tests), else on this
    /// worker's thread ([`App::use_search_worker`]).
    search_worker: Option<SearchWorker>,
    /// The search index is still being built: search waits for it.
    indexing: bool,
    /// The last map layout and what it was made for: moving the map's
    /// selection does not lay it out again.
    map_cache: Option<(MapKey, MapLayout)>,
    /// The format of the last export: the next starts from it.
    export_format: crate::export::Format,
    /// The last step of the date window (`]` `[` `}` `{`), for the change marks.
    step: Option<super::change::Stepped>,
    /// The clusters of the current filter's view, for the card.
    clusters: Option<super::clusters::ClusterJob>,
    /// The clusters of a large graph are looked for once the first frame is
    /// drawn (their thread would take a core from that frame's work).
    clusters_after_frame: bool,
    /// The search index being built and the snapshot saved.
    saving: Option<crate::open::Saving>,
    /// Wakes the event loop; jobs call it when they end.
    notify: Option<Notify>,
    /// On a graph database (`--db`): what was fetched and what is awaited.
    remote: Option<crate::db::Session>,
    /// The status line said this about a fetch: the next fetch clears it.
    fetch_note: Option<String>,
    /// Where the lists stood when each entity was left: back and forward
    /// return to the row (and scroll) the user left.
    left_at: std::collections::HashMap<NodeIx, Spot>,
    /// The notebooks read (`--notes`, or beside the data); saves go to the first.
    notes: crate::notes::Notes,
    /// Who writes the notes saved.
    author: String,
    /// The resolver file the review queue appends judgements to.
    resolver: Option<std::path::PathBuf>,
    /// The review queue being found (on a large graph, on a thread).
    review_job: Option<crate::job::Job<Result<crate::tui::popup::ReviewPopup, String>>>,
}

/// The active pane, and each list's selected relation and first row shown.
#[derive(Debug, Clone, Copy)]
struct Spot {
    pane: Pane,
    selected: [(usize, Option<crate::graph::EdgeIx>); 2],
    offset: [usize; 2],
}

/// Graphs of at most this many entities find their review queue at once;
/// larger ones on a thread.
const REVIEW_INLINE_UP_TO: usize = 5_000;

/// The entity with the most relations: a sensible place to start.
pub fn default_focus(graph: &Graph) -> Option<NodeIx> {
    graph.busiest()
}

/// A date as a number in its order (`2024` < `2024-01` < `2024-01-01` <
/// `2024-01-02`): its first day, then its precision.
fn date_rank(d: crate::model::PartialDate) -> u64 {
    // `to_bits`: day << 24 | month << 16 | year (0 for an unknown part).
    let bits = d.to_bits();
    let year = (i64::from(bits as u16 as i16) + 32_768) as u64;
    let month = u64::from((bits >> 16) & 0xff).max(1);
    let day = u64::from((bits >> 24) & 0x7f).max(1);
    (((year << 8 | month) << 8 | day) << 2) | d.precision() as u64
}

/// The relations of `node` a pane lists, before the filter: those pointing at
/// it (in) or leaving it (out). An undirected relation is listed once, with the
/// outgoing ones, whichever end `node` is.
pub fn pane_ties(graph: &Graph, node: NodeIx, pane: Pane) -> impl Iterator<Item = Tie> + '_ {
    let undirected = move |t: &Tie| graph.is_undirected(t.edge);
    let own = graph
        .ties_dir(node, pane.direction())
        .filter(move |t| pane == Pane::Outgoing || !undirected(t));
    let other = (pane == Pane::Outgoing)
        .then(|| graph.ties_dir(node, Direction::Incoming).filter(undirected))
        .into_iter()
        .flatten();
    // A loop is listed once, among the outgoing relations.
    own.chain(other)
        .filter(move |t| t.other != node || t.direction == Direction::Outgoing)
}

impl App {
    /// An explorer on `graph`, focused on `focus`. `None` only for an empty graph.
    pub fn new(
        graph: Arc<Graph>,
        index: Arc<SearchIndex>,
        keymap: KeyMap,
        focus: Option<NodeIx>,
    ) -> Option<App> {
        let focus = focus.or_else(|| default_focus(&graph))?;
        let mut app = App {
            graph,
            index,
            keymap,
            focus,
            back: Vec::new(),
            forward: Vec::new(),
            pane: Pane::Outgoing,
            lists: Default::default(),
            filter: Filter::default(),
            popup: Popup::None,
            status: None,
            should_quit: false,
            marks: Default::default(),
            map: None,
            theme: Default::default(),
            map_size: (80, 24),
            page_rows: 10,
            search_worker: None,
            indexing: false,
            map_cache: None,
            export_format: crate::export::Format::Json,
            step: None,
            clusters: None,
            clusters_after_frame: false,
            saving: None,
            notify: None,
            remote: None,
            fetch_note: None,
            notes: crate::notes::Notes::none(),
            author: "someone".into(),
            resolver: None,
            review_job: None,
            left_at: Default::default(),
        };
        app.refresh_lists();
        if app.graph.node_count() > super::clusters::CLUSTERS_INLINE_UP_TO {
            app.clusters_after_frame = true;
        } else {
            app.refresh_clusters();
        }
        if app.lists[Pane::Outgoing as usize].ties.is_empty()
            && !app.lists[Pane::Incoming as usize].ties.is_empty()
        {
            app.pane = Pane::Incoming;
        }
        Some(app)
    }

    /// The explorer in these colours.
    pub fn with_theme(mut self, theme: super::theme::Theme) -> App {
        self.theme = theme;
        self
    }

    /// The explorer with these notebooks, saving as `author`; a line of
    /// them that could not be read is said on the status bar.
    pub fn with_notes(mut self, notes: crate::notes::Notes, author: String) -> App {
        if let Some(p) = notes.problems().first() {
            let more = notes.problems().len() - 1;
            let more = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            self.set_status(format!("{p}{more}"), true);
        }
        self.notes = notes;
        self.author = author;
        self
    }

    /// The explorer judging records into this resolver file (`R`).
    pub fn with_resolver(mut self, resolver: Option<std::path::PathBuf>) -> App {
        self.resolver = resolver;
        self
    }

    /// Opens the review queue: candidates at least `opts.min_score` (and
    /// across datasets, if asked), not judged yet, best first. Found at once
    /// on a small graph, on a thread on a large one (the popup opens when
    /// they are found).
    pub fn open_review(&mut self, opts: &crate::matching::XrefOptions) {
        use crate::tui::popup::ReviewPopup;
        let Some(path) = self.resolver.clone() else {
            self.set_status(
                "no resolver file: judgements need --data or --resolver FILE",
                true,
            );
            return;
        };
        if self.remote.is_some() {
            self.set_status("the review queue works on --data, not on --db", true);
            return;
        }
        let opts = opts.clone();
        let job = if self.graph.node_count() <= REVIEW_INLINE_UP_TO {
            crate::job::Job::inline("the review queue", |c| {
                ReviewPopup::with_control(&self.graph, path, &opts, c)
            })
        } else {
            let g = Arc::clone(&self.graph);
            self.set_status("finding candidates to review…", false);
            crate::job::Job::spawn("the review queue", move |c| {
                ReviewPopup::with_control(&g, path, &opts, c)
            })
        };
        self.review_with(job);
    }

    /// The review queue is what `job` finds (a test gives one that fails).
    pub(in crate::tui) fn review_with(
        &mut self,
        job: crate::job::Job<Result<crate::tui::popup::ReviewPopup, String>>,
    ) {
        if let Some(n) = &self.notify {
            job.on_done(Arc::clone(n));
        }
        self.review_job = Some(job);
        self.poll_review();
    }

    /// Opens the review queue once found; true when something changed.
    pub(super) fn poll_review(&mut self) -> bool {
        let Some(job) = &mut self.review_job else {
            return false;
        };
        job.poll();
        let Some(found) = job.take() else {
            return false;
        };
        self.review_job = None;
        let effect = match found {
            Ok(found) => crate::tui::popup::ReviewPopup::opened(found),
            Err(e) => Effect::status(e.to_string(), true),
        };
        if matches!(effect, Effect::Open(_)) {
            self.status = None;
        }
        self.apply(effect);
        true
    }

    /// The notebooks' notes and tags.
    pub fn notes(&self) -> &crate::notes::Notes {
        &self.notes
    }

    /// The explorer with these marks (a saved view's).
    pub fn with_marks(mut self, marks: std::collections::BTreeMap<char, NodeIx>) -> App {
        self.marks = marks;
        self
    }

    /// The explorer through this filter (a saved view's).
    pub fn with_filter(mut self, filter: Filter) -> App {
        if filter != self.filter {
            self.set_filter(filter);
        }
        self
    }

    pub fn graph(&self) -> &Arc<Graph> {
        &self.graph
    }

    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    pub fn keymap(&self) -> &KeyMap {
        &self.keymap
    }

    /// The entity shown.
    pub fn focus(&self) -> NodeIx {
        self.focus
    }

    /// Where Back goes, the last first at the end.
    pub fn back(&self) -> &[NodeIx] {
        &self.back
    }

    /// Where Forward goes, the next at the end.
    pub fn forward(&self) -> &[NodeIx] {
        &self.forward
    }

    /// The active relation list.
    pub fn pane(&self) -> Pane {
        self.pane
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    pub fn popup(&self) -> &Popup {
        &self.popup
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// The user asked to leave.
    pub fn should_quit(&self) -> bool {
        self.should_quit
    }

    pub fn theme(&self) -> &super::theme::Theme {
        &self.theme
    }

    /// The map, when shown.
    pub fn map(&self) -> Option<MapState> {
        self.map
    }

    pub fn marks(&self) -> &std::collections::BTreeMap<char, NodeIx> {
        &self.marks
    }

    /// Rows of the active list at the last frame.
    pub fn page_rows(&self) -> usize {
        self.page_rows
    }

    /// The search index is still being built.
    pub fn indexing(&self) -> bool {
        self.indexing
    }

    /// The database session, on `--db`.
    pub fn remote(&self) -> Option<&crate::db::Session> {
        self.remote.as_ref()
    }

    /// Replaces the filter.
    fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
        self.refresh_lists();
        self.refresh_clusters();
    }

    /// Wakes the event loop: the jobs the app starts call `notify` when they
    /// end, and so do searches on a worker and a database session's answers.
    pub fn set_notify(&mut self, notify: Notify) {
        if let Some(s) = &self.saving {
            s.on_done(Arc::clone(&notify));
        }
        self.notify = Some(notify);
    }

    /// The search index and snapshot being made on another thread: search
    /// waits for the index, which comes as the job's result.
    pub fn watch_saving(&mut self, saving: crate::open::Saving) {
        self.indexing = saving.is_indexing();
        if let Some(n) = &self.notify {
            saving.on_done(Arc::clone(n));
        }
        self.saving = Some(saving);
    }

    /// The saving still under way (the explorer is closing: the caller
    /// waits for it).
    pub fn take_saving(&mut self) -> Option<crate::open::Saving> {
        self.saving.take()
    }

    /// Takes the index when the saving job ended; says how it failed if it
    /// did. True if something changed.
    pub(super) fn poll_saving(&mut self) -> bool {
        if !self
            .saving
            .as_mut()
            .is_some_and(crate::open::Saving::is_finished)
        {
            return false;
        }
        let Some(saving) = self.saving.take() else {
            return false;
        };
        match saving.finish() {
            Ok((index, note)) => {
                if let Some(index) = index {
                    self.set_index(index);
                } else if self.indexing {
                    self.indexing = false;
                    self.search_unavailable();
                }
                if let Some(note) = note {
                    self.set_status(note, true);
                }
            }
            Err(e) => {
                self.indexing = false;
                self.search_unavailable();
                self.set_status(format!("{e}: searching names is not available"), true);
            }
        }
        true
    }

    /// The index will not come: a search popup waits no more.
    fn search_unavailable(&mut self) {
        if let Popup::Search(s) = &mut self.popup {
            s.pending = false;
        }
    }

    /// The key-map mode the app is in.
    pub fn mode(&self) -> Mode {
        match self.popup.mode() {
            Some(mode) => mode,
            None if self.map.is_some() => Mode::Map,
            None => Mode::Browse,
        }
    }

    /// What the popups may read.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            graph: &self.graph,
            index: &self.index,
            filter: &self.filter,
            focus: self.focus,
            selected_tie: self.selected_tie(),
            marks: &self.marks,
            keymap: &self.keymap,
            theme: &self.theme,
            indexing: self.indexing,
            worker: self.search_worker.as_ref(),
            export_format: self.export_format,
            notify: self.notify.as_ref(),
            notes: &self.notes,
        }
    }

    pub fn list(&self, pane: Pane) -> &PaneList {
        &self.lists[pane as usize]
    }

    fn list_mut(&mut self) -> &mut PaneList {
        &mut self.lists[self.pane as usize]
    }

    /// The relation under the cursor.
    pub fn selected_tie(&self) -> Option<Tie> {
        let l = self.list(self.pane);
        l.ties.get(l.selected).copied()
    }

    /// Recomputes the visible relations of the focus after a move or filter
    /// change. Each list runs undated relations first (offices, memberships),
    /// then the dated ones newest first; equals the heavier first.
    fn refresh_lists(&mut self) {
        for pane in [Pane::Incoming, Pane::Outgoing] {
            // Among equals (undated, or on one date) the heavier relation
            // first, when the data gives weights (GEXF, GraphML).
            let weight_key = self.graph.find_sym("weight");
            let weight = |e| {
                let w = weight_key.and_then(|k| {
                    let r = self.graph.relation(e);
                    let v = r.attrs.iter().find(|(s, _)| *s == k)?.1;
                    v.parse::<f64>().ok()
                });
                // Ordered as integers: thousandths are enough to rank by.
                (w.unwrap_or(0.0) * 1000.0) as i64
            };
            // Each relation's row is read once, its order kept beside it as
            // two integers: a hub's 50,000 rows lie all over the graph, and
            // every extra pass over them is 50,000 cache misses.
            let mut keyed = Vec::new();
            let (mut hidden, mut undated) = (0, 0);
            for tie in pane_ties(&self.graph, self.focus, pane) {
                if self
                    .filter
                    .relation_visible_from(&self.graph, tie.edge, self.focus)
                {
                    let (_, date, until) = self.graph.relation_kind_dates(tie.edge);
                    undated += usize::from(date.is_none() && until.is_none());
                    let newest_first = date.or(until).map_or(0, |d| u64::MAX - date_rank(d));
                    keyed.push(((newest_first, std::cmp::Reverse(weight(tie.edge))), tie));
                } else {
                    hidden += 1;
                }
            }
            keyed.sort_by_key(|&(key, _)| key);
            let ties: Vec<Tie> = keyed.into_iter().map(|(_, t)| t).collect();
            let l = &mut self.lists[pane as usize];
            l.cols = super::text::Columns::of(&self.graph, &ties);
            l.ties_undirected = ties
                .iter()
                .filter(|t| self.graph.is_undirected(t.edge))
                .count();
            l.selected = l.selected.min(ties.len().saturating_sub(1));
            l.ties = ties;
            l.hidden = hidden;
            l.undated = undated;
        }
    }

    /// True when every relation of the focus, shown or hidden, is undirected:
    /// they are listed once, as ties, with no incoming list beside them.
    pub fn undirected_only(&self) -> bool {
        let (i, o) = (self.list(Pane::Incoming), self.list(Pane::Outgoing));
        i.ties.is_empty()
            && i.hidden == 0
            && !o.ties.is_empty()
            && o.ties_undirected == o.ties.len()
    }

    fn set_status(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status {
            text: text.into(),
            error,
        });
    }

    /// Moves the focus to `node`, recording history like a browser.
    fn go_to(&mut self, node: NodeIx) {
        if node == self.focus {
            return;
        }
        self.back.push(self.focus);
        self.forward.clear();
        self.leave();
        self.focus_on(node);
    }

    /// Keeps where the lists of the focus stand, for back and forward.
    fn leave(&mut self) {
        let spot = Spot {
            pane: self.pane,
            selected: [0, 1].map(|i| {
                let l = &self.lists[i];
                (l.selected, l.ties.get(l.selected).map(|t| t.edge))
            }),
            offset: [0, 1].map(|i| self.lists[i].offset),
        };
        self.left_at.insert(self.focus, spot);
    }

    /// Back or forward to `node`: its lists as they were left (the same
    /// relation selected, if the filter still shows it).
    fn return_to(&mut self, node: NodeIx) {
        self.leave();
        self.focus_on(node);
        let Some(spot) = self.left_at.get(&node).copied() else {
            return;
        };
        for (i, l) in self.lists.iter_mut().enumerate() {
            let (index, edge) = spot.selected[i];
            let found = edge.and_then(|e| l.ties.iter().position(|t| t.edge == e));
            l.selected = found.unwrap_or(index).min(l.ties.len().saturating_sub(1));
            l.offset = spot.offset[i].min(l.selected);
        }
        if !self.lists[spot.pane as usize].ties.is_empty() {
            self.pane = spot.pane;
        }
    }

    fn focus_on(&mut self, node: NodeIx) {
        self.focus = node;
        self.lists = Default::default();
        self.refresh_lists();
        if self.list(self.pane).ties.is_empty() && !self.list(self.pane.other()).ties.is_empty() {
            self.pane = self.pane.other();
        }
    }

    /// Keeps what the last frame measured: list offsets and areas, the page
    /// height, the map's size. True when the frame needs drawing again (the
    /// map was laid out for a new size).
    pub fn after_draw(&mut self, info: FrameInfo) -> bool {
        if std::mem::take(&mut self.clusters_after_frame) {
            self.refresh_clusters();
        }
        if !info.laid_out {
            return false;
        }
        for (list, drawn) in self.lists.iter_mut().zip(info.lists) {
            list.area = drawn.area;
            if let Some(offset) = drawn.offset {
                list.offset = offset;
            }
        }
        if let Some(rows) = info.page_rows {
            self.page_rows = rows;
        }
        if let Some(size) = info.map_size {
            self.map_size = size;
        }
        self.refresh_map()
    }

    /// Searches for the search popup's input (see [`SearchPopup::run`]).
    fn run_search(&mut self) {
        if self.remote.is_some() {
            self.remote_search();
            return;
        }
        if let Popup::Search(s) = &mut self.popup {
            s.run(
                &self.graph,
                &self.index,
                &self.filter,
                self.indexing,
                self.search_worker.as_mut(),
                &self.notes,
            );
        }
    }

    /// Searches on a worker thread from now on (for large graphs: typing never
    /// waits for a search). The app's notify is called on that thread when
    /// hits are ready.
    pub fn use_search_worker(&mut self) {
        let notify = self.notify.clone();
        self.search_worker = Some(SearchWorker::with_notify(
            Arc::clone(&self.index),
            Arc::clone(&self.graph),
            move || {
                if let Some(n) = &notify {
                    n();
                }
            },
        ));
    }

    /// The search index is ready (it was built after the explorer opened):
    /// searches run on a worker over it.
    fn set_index(&mut self, index: Arc<SearchIndex>) {
        self.index = index;
        self.indexing = false;
        self.use_search_worker();
        if let Popup::Search(s) = &mut self.popup {
            s.session.reset();
        }
        self.run_search();
    }

    /// Takes the worker's newest hits, if they answer the input shown. True if
    /// the popup changed.
    pub fn poll_search(&mut self) -> bool {
        let Some(worker) = &self.search_worker else {
            return false;
        };
        let Some(result) = worker.try_recv() else {
            return false;
        };
        let latest = worker.latest();
        match &mut self.popup {
            Popup::Search(s) => s.take_result(result, Some(latest)),
            _ => false,
        }
    }

    /// Applies one action; on a database, then fetches what the view needs.
    pub fn update(&mut self, action: Action) {
        if self.remote.is_some() {
            let mode = self.mode();
            // Esc while fetching stops waiting; Enter while the server
            // searches picks once the hits are in.
            let esc = match mode {
                Mode::Browse => action == Action::Close,
                Mode::Map => matches!(action, Action::Close | Action::Map),
                _ => false,
            };
            if esc && self.cancel_fetch() {
                return;
            }
            if action == Action::Submit && mode == Mode::Search && self.submit_when_found() {
                return;
            }
        }
        let scrolled = matches!(action, Action::Down | Action::PageDown | Action::Bottom)
            && self.mode() == Mode::Browse;
        self.update_local(action);
        if self.remote.is_some() && !self.should_quit {
            self.fetch_if_needed();
            if scrolled {
                self.fetch_more_if_at_end();
            }
        }
        self.refresh_map();
    }

    fn update_local(&mut self, action: Action) {
        if action == Action::Quit {
            self.should_quit = true;
            return;
        }
        if let Action::Goto(id) = &action {
            match self.graph.find(id) {
                Some(n) => self.go_to(n),
                None => self.set_status(format!("no entity with id `{id}`"), true),
            }
            return;
        }
        match self.mode() {
            Mode::Browse => self.update_browse(action),
            Mode::Map => self.update_map(action),
            _ => {
                let mut popup = std::mem::take(&mut self.popup);
                let effect = popup.update(action, &self.ctx());
                self.popup = popup;
                self.apply(effect);
            }
        }
    }

    /// Does what a popup asked for.
    pub fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::None => {}
            Effect::Close => self.popup = Popup::None,
            Effect::Status { text, error } => self.set_status(text, error),
            Effect::GoTo(node) => self.go_to(node),
            Effect::SetFilter(filter) => self.set_filter(filter),
            Effect::Mark(c) => {
                self.marks.insert(c, self.focus);
            }
            Effect::Open(popup) => self.popup = *popup,
            Effect::Search => self.run_search(),
            Effect::ExportFormat(f) => self.export_format = f,
            Effect::Note(change) => self.save_note(change),
            Effect::All(effects) => {
                for e in effects {
                    self.apply(e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::date_rank;
    use crate::model::PartialDate;

    #[test]
    fn date_rank_orders_as_dates_do() {
        let dates: Vec<PartialDate> = [
            "0001",
            "0999-12",
            "2010-08-05",
            "2010-08-13",
            "2024",
            "2024-01",
            "2024-01-01",
            "2024-01-02",
            "2024-02",
            "2024-12-31",
            "2025",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        for a in &dates {
            for b in &dates {
                assert_eq!(date_rank(*a).cmp(&date_rank(*b)), a.cmp(b), "{a} {b}");
            }
        }
    }
}
