//! The explorer's state. It changes in two places only: [`App::update`] (an
//! action) and [`App::after_draw`] (what a frame measured). The popups (in
//! [`super::popup`]) keep their own state and answer an action with an
//! [`Effect`] applied here; the keys of browsing and of the map are in `browse.rs`.

use std::sync::Arc;

use petgraph::Direction;

use super::action::Action;
use super::keymap::{KeyMap, Mode};
use super::map::MapLayout;
use super::popup::{Ctx, Effect};
use super::ui::FrameInfo;
use crate::graph::{Graph, NodeIx, Tie};
use crate::search::{SearchIndex, SearchWorker};
use crate::view::Filter;

pub use super::popup::list::PATH_HOPS;
pub use super::popup::search::SEARCH_LIMIT;
pub use super::popup::{
    DatePopup, ExportPopup, HelpPopup, KindsPopup, ListPopup, MarkPopup, Popup, Prompt,
    SaveViewPopup, SearchPopup,
};

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
}

/// The neighbourhood map, when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapState {
    /// 1 or 2 rings.
    pub depth: u8,
    /// The entity picked with the arrow keys; Enter moves there.
    pub selected: NodeIx,
}

/// A map layout and what it was made for: (focus, depth, columns, rows), filter.
pub(super) type MapKey = ((NodeIx, u8, u16, u16), Filter);

/// The whole explorer state.
pub struct App {
    pub graph: Arc<Graph>,
    pub index: Arc<SearchIndex>,
    pub keymap: KeyMap,
    pub focus: NodeIx,
    pub back: Vec<NodeIx>,
    pub forward: Vec<NodeIx>,
    pub pane: Pane,
    pub lists: [PaneList; 2],
    pub filter: Filter,
    pub popup: Popup,
    pub status: Option<Status>,
    pub should_quit: bool,
    /// Colours (a theme file, or none under NO_COLOR).
    pub theme: super::theme::Theme,
    /// The map replaces the three panes while it is on.
    pub map: Option<MapState>,
    /// Size of the map area at the last frame, for picking neighbours by direction.
    pub map_size: (u16, u16),
    /// Entities marked with a letter (`M` + letter), for `'` + letter.
    pub marks: std::collections::BTreeMap<char, NodeIx>,
    /// Rows in the active relation list at the last frame, for paging.
    pub page_rows: usize,
    /// Searches run here when `None` (small graphs, tests), else on this
    /// worker's thread ([`App::use_search_worker`]).
    pub search_worker: Option<SearchWorker>,
    /// The search index is still being built: search waits for it.
    pub indexing: bool,
    /// The last map layout and what it was made for: moving the map's
    /// selection does not lay it out again.
    pub(super) map_cache: Option<(MapKey, MapLayout)>,
    /// The format of the last export: the next starts from it.
    pub export_format: crate::export::Format,
    /// The last step of the date window (`]` `[` `}` `{`), for the change marks.
    pub step: Option<super::analysis::Stepped>,
    /// The clusters of the current filter's view, for the card.
    pub clusters: super::analysis::ClusterCache,
    /// On a graph database (`--db`): what was fetched and what is awaited.
    pub remote: Option<super::remote::Remote>,
    /// The notebooks read (`--notes`, or beside the data); saves go to the first.
    pub notes: crate::notes::Notes,
    /// Who writes the notes saved.
    pub author: String,
}

/// The entity with the most relations: a sensible place to start.
pub fn default_focus(graph: &Graph) -> Option<NodeIx> {
    graph.busiest()
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
            clusters: Default::default(),
            remote: None,
            notes: crate::notes::Notes::none(),
            author: "someone".into(),
        };
        app.refresh_lists();
        if app.lists[Pane::Outgoing as usize].ties.is_empty()
            && !app.lists[Pane::Incoming as usize].ties.is_empty()
        {
            app.pane = Pane::Incoming;
        }
        Some(app)
    }

    /// Replaces the filter (a saved view's, at start).
    pub fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
        self.refresh_lists();
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
            notes: &self.notes,
        }
    }

    pub fn list(&self, pane: Pane) -> &PaneList {
        &self.lists[pane as usize]
    }

    pub(super) fn list_mut(&mut self) -> &mut PaneList {
        &mut self.lists[self.pane as usize]
    }

    /// The relation under the cursor.
    pub fn selected_tie(&self) -> Option<Tie> {
        let l = self.list(self.pane);
        l.ties.get(l.selected).copied()
    }

    /// Recomputes the visible relations of the focus after a move or filter change.
    pub(super) fn refresh_lists(&mut self) {
        for pane in [Pane::Incoming, Pane::Outgoing] {
            let mut ties = Vec::new();
            let (mut hidden, mut undated) = (0, 0);
            for tie in self.graph.ties_dir(self.focus, pane.direction()) {
                if self.filter.relation_visible(&self.graph, tie.edge) {
                    let (_, date, until) = self.graph.relation_kind_dates(tie.edge);
                    undated += usize::from(date.is_none() && until.is_none());
                    ties.push(tie);
                } else {
                    hidden += 1;
                }
            }
            let l = &mut self.lists[pane as usize];
            l.selected = l.selected.min(ties.len().saturating_sub(1));
            l.ties = ties;
            l.hidden = hidden;
            l.undated = undated;
        }
    }

    pub fn set_status(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(Status {
            text: text.into(),
            error,
        });
    }

    /// Moves the focus to `node`, recording history like a browser.
    pub(super) fn go_to(&mut self, node: NodeIx) {
        if node == self.focus {
            return;
        }
        self.back.push(self.focus);
        self.forward.clear();
        self.focus_on(node);
    }

    pub(super) fn focus_on(&mut self, node: NodeIx) {
        self.focus = node;
        self.lists = Default::default();
        self.refresh_lists();
        if self.list(self.pane).ties.is_empty() && !self.list(self.pane.other()).ties.is_empty() {
            self.pane = self.pane.other();
        }
    }

    /// Keeps what the last frame measured: list offsets and areas, the page
    /// height, the map's size and a layout made for it.
    pub fn after_draw(&mut self, info: FrameInfo) {
        if !info.laid_out {
            return;
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
        if let (Some(layout), Some(key)) = (info.map_layout, self.map_key(self.map_size)) {
            self.map_cache = Some((key, layout));
        }
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
    /// waits for a search). `notify` is called on that thread when hits are ready.
    pub fn use_search_worker(&mut self, notify: impl Fn() + Send + 'static) {
        self.search_worker = Some(SearchWorker::with_notify(
            Arc::clone(&self.index),
            Arc::clone(&self.graph),
            notify,
        ));
    }

    /// The search index is ready (it was built after the explorer opened):
    /// searches run on a worker over it, which calls `notify` with hits.
    pub fn set_index(&mut self, index: Arc<SearchIndex>, notify: impl Fn() + Send + 'static) {
        self.index = index;
        self.indexing = false;
        self.use_search_worker(notify);
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
    pub(super) fn apply(&mut self, effect: Effect) {
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
