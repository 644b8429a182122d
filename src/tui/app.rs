//! The explorer's state, and [`App::update`], the only place it changes.

use std::cell::Cell;
use std::sync::Arc;

use petgraph::Direction;

use super::action::Action;
use super::keymap::{KeyMap, Mode};
use crate::export::{self, Format, WriteError};
use crate::graph::{Graph, NodeIx, Tie};
use crate::model::DateWindow;
use crate::search::{Hit, SearchIndex, SearchWorker};
use crate::view::{self, Filter, Reach, Subgraph};

/// Most search results shown at once.
pub const SEARCH_LIMIT: usize = 50;

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

    fn other(self) -> Pane {
        match self {
            Pane::Incoming => Pane::Outgoing,
            Pane::Outgoing => Pane::Incoming,
        }
    }
}

/// The fuzzy-jump popup.
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
}

/// A list of lines, each leading to an entity: the timeline, or a path.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPopup {
    pub title: String,
    /// (text, entity Enter goes to)
    pub rows: Vec<(String, NodeIx)>,
    pub selected: usize,
}

/// A one-line text prompt (the date filter).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prompt {
    pub input: String,
    pub error: Option<String>,
}

/// The export popup: a format, a path, and whether an overwrite was confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPrompt {
    pub format: Format,
    pub path: String,
    /// The user changed the path, so a format change keeps it.
    pub edited: bool,
    /// The file exists and the user was asked to confirm.
    pub confirm: bool,
    pub error: Option<String>,
}

impl Prompt {
    /// Applies a text-editing action (type, delete, clear); false for any other.
    pub fn edit(&mut self, action: &Action) -> bool {
        match action {
            Action::Type(c) => self.input.push(*c),
            Action::DeleteChar => {
                self.input.pop();
            }
            Action::ClearInput => self.input.clear(),
            _ => return false,
        }
        self.error = None;
        true
    }
}

/// What covers the main screen, if anything.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Popup {
    #[default]
    None,
    Search(SearchPopup),
    DateFilter(Prompt),
    Export(ExportPrompt),
    List(ListPopup),
    /// Waiting for the letter of a mark: to set it, or to jump to it.
    Mark {
        jump: bool,
    },
    /// The file name to save the view to.
    SaveView(Prompt),
    /// Kinds to show, comma-separated.
    KindFilter(Prompt),
    Help {
        scroll: usize,
    },
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
    pub selected: usize,
    /// First visible row; kept by the renderer so scrolling is smooth.
    pub offset: Cell<usize>,
    /// Where the rows were drawn last, for mouse clicks.
    pub area: Cell<ratatui::layout::Rect>,
}

/// Entity and relation kinds chosen in the kind filter.
type Kinds = (
    Vec<crate::model::EntityKind<crate::model::Sym>>,
    Vec<crate::model::RelationKind<crate::model::Sym>>,
);

/// The neighbourhood map, when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapState {
    /// 1 or 2 rings.
    pub depth: u8,
    /// The entity picked with the arrow keys; Enter moves there.
    pub selected: NodeIx,
}

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
    /// Size of the map area at the last draw, for picking neighbours by direction.
    pub map_size: Cell<(u16, u16)>,
    /// Entities marked with a letter (`M` + letter), for `'` + letter.
    pub marks: std::collections::BTreeMap<char, NodeIx>,
    /// Rows in a relation list at the last draw, for paging.
    pub page_rows: Cell<usize>,
    /// Searches run here when `None` (small graphs, tests), else on this
    /// worker's thread ([`App::use_search_worker`]).
    pub search_worker: Option<SearchWorker>,
    /// The search index is still being built: search waits for it.
    pub indexing: bool,
    /// The last map layout and what it was made for (focus, depth, size;
    /// filter): moving the map's selection does not lay it out again.
    map_cache: std::cell::RefCell<Option<MapKey>>,
}

type MapKey = ((NodeIx, u8, u16, u16), Filter, super::map::MapLayout);

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
            map_size: Cell::new((80, 24)),
            page_rows: Cell::new(10),
            search_worker: None,
            indexing: false,
            map_cache: Default::default(),
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
        match self.popup {
            Popup::None if self.map.is_some() => Mode::Map,
            Popup::None => Mode::Browse,
            Popup::Search(_) => Mode::Search,
            Popup::DateFilter(_) => Mode::Prompt,
            Popup::Export(_) => Mode::Export,
            Popup::List(_) => Mode::List,
            Popup::Mark { .. } => Mode::Mark,
            Popup::SaveView(_) | Popup::KindFilter(_) => Mode::Prompt,
            Popup::Help { .. } => Mode::Help,
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

    /// Recomputes the visible relations of the focus after a move or filter change.
    fn refresh_lists(&mut self) {
        for pane in [Pane::Incoming, Pane::Outgoing] {
            let mut ties = Vec::new();
            let mut hidden = 0;
            for tie in self.graph.ties_dir(self.focus, pane.direction()) {
                if self.filter.relation_visible(&self.graph, tie.edge) {
                    ties.push(tie);
                } else {
                    hidden += 1;
                }
            }
            let l = &mut self.lists[pane as usize];
            l.selected = l.selected.min(ties.len().saturating_sub(1));
            l.ties = ties;
            l.hidden = hidden;
        }
    }

    pub fn set_status(&mut self, text: impl Into<String>, error: bool) {
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
        self.focus_on(node);
    }

    fn focus_on(&mut self, node: NodeIx) {
        self.focus = node;
        self.lists = Default::default();
        self.refresh_lists();
        if self.list(self.pane).ties.is_empty() && !self.list(self.pane.other()).ties.is_empty() {
            self.pane = self.pane.other();
        }
    }

    fn move_selection(&mut self, delta: isize) {
        let l = self.list_mut();
        if l.ties.is_empty() {
            return;
        }
        let last = l.ties.len() - 1;
        l.selected = l.selected.saturating_add_signed(delta).min(last);
    }

    /// Searches for the popup's input: here and now, or on the worker (the hits
    /// arrive through [`App::poll_search`]), or later if the index is not built.
    fn run_search(&mut self) {
        let Popup::Search(s) = &mut self.popup else {
            return;
        };
        s.selected = 0;
        if s.input.trim().is_empty() {
            s.session.reset();
            s.hits.clear();
            s.pending = false;
            return;
        }
        if self.indexing {
            s.pending = true;
            return;
        }
        if let Some(worker) = &mut self.search_worker {
            let filter = self.filter.clone();
            let graph = Arc::clone(&self.graph);
            let keep: crate::search::Keep =
                Arc::new(move |n: NodeIx| filter.entity_visible(&graph, n));
            worker.submit(&s.input, SEARCH_LIMIT, keep);
            s.pending = true;
            return;
        }
        let filter = &self.filter;
        let graph = &self.graph;
        let keep = |n: NodeIx| filter.entity_visible(graph, n);
        s.hits = s
            .session
            .update(&self.index, graph, &s.input, SEARCH_LIMIT, &keep);
        s.pending = false;
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
        self.take_result(result)
    }

    fn take_result(&mut self, result: crate::search::SearchResult) -> bool {
        let latest = self.search_worker.as_ref().map(SearchWorker::latest);
        let Popup::Search(s) = &mut self.popup else {
            return false;
        };
        if Some(result.id) != latest || result.query != s.input {
            return false;
        }
        s.hits = result.hits;
        s.selected = 0;
        s.pending = false;
        true
    }

    /// Before acting on the hits (Enter), waits a little for the search of the
    /// input shown, so that Enter never picks from an older query's hits.
    fn settle_search(&mut self) {
        let pending = matches!(&self.popup, Popup::Search(s) if s.pending);
        if !pending || self.indexing {
            return;
        }
        let result = self
            .search_worker
            .as_ref()
            .and_then(|w| w.recv_latest(std::time::Duration::from_secs(3)));
        if let Some(r) = result {
            self.take_result(r);
        }
    }

    /// Applies one action.
    pub fn update(&mut self, action: Action) {
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
            Mode::Search => self.update_search(action),
            Mode::Prompt => self.update_prompt(action),
            Mode::Export => self.update_export(action),
            Mode::List => self.update_list(action),
            Mode::Mark => self.update_mark(action),
            Mode::Map => self.update_map(action),
            Mode::Help => self.update_help(action),
        }
    }

    fn update_browse(&mut self, action: Action) {
        let page = self.page_rows.get().max(1) as isize;
        match action {
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::PageDown => self.move_selection(page),
            Action::PageUp => self.move_selection(-page),
            Action::Top => self.list_mut().selected = 0,
            Action::Bottom => {
                let l = self.list_mut();
                l.selected = l.ties.len().saturating_sub(1);
            }
            Action::SwitchPane => self.pane = self.pane.other(),
            Action::Follow => match self.selected_tie() {
                Some(tie) => self.go_to(tie.other),
                None => self.set_status("no relation selected", true),
            },
            Action::Back => match self.back.pop() {
                Some(n) => {
                    self.forward.push(self.focus);
                    self.focus_on(n);
                }
                None => self.set_status("nothing to go back to", false),
            },
            Action::Forward => match self.forward.pop() {
                Some(n) => {
                    self.back.push(self.focus);
                    self.focus_on(n);
                }
                None => self.set_status("nothing to go forward to", false),
            },
            Action::Search => {
                self.status = None;
                self.popup = Popup::Search(SearchPopup::default());
            }
            Action::DateFilter => {
                let input = if self.filter.window.is_all() {
                    String::new()
                } else {
                    self.filter.window.to_string()
                };
                self.popup = Popup::DateFilter(Prompt { input, error: None });
            }
            Action::ClearDateFilter => {
                self.filter.window = DateWindow::ALL;
                self.refresh_lists();
                self.set_status("date filter cleared", false);
            }
            Action::ToggleUndated => {
                self.filter.hide_undated = !self.filter.hide_undated;
                self.refresh_lists();
                let state = if self.filter.hide_undated {
                    "hidden"
                } else {
                    "shown"
                };
                self.set_status(format!("undated relations {state}"), false);
            }
            Action::Export => {
                let format = Format::Json;
                self.popup = Popup::Export(ExportPrompt {
                    format,
                    path: self.default_export_name(format),
                    edited: false,
                    confirm: false,
                    error: None,
                });
            }
            Action::Timeline => {
                let items = crate::timeline::timeline(&self.graph, &self.current_view());
                if items.is_empty() {
                    self.set_status("nothing dated in this view", false);
                } else {
                    let rows = items
                        .iter()
                        .map(|i| {
                            let text = format!(
                                "{}  {}  {}",
                                i.when(&self.graph),
                                i.what(&self.graph),
                                i.who(&self.graph)
                            );
                            // Going to the focus itself would look like nothing
                            // happened: a relation of the focus leads to its other end.
                            let target = match i.other {
                                Some(o) if i.node == self.focus => o,
                                _ => i.node,
                            };
                            (text, target)
                        })
                        .collect();
                    self.popup = Popup::List(ListPopup {
                        title: format!("timeline: {} dated", items.len()),
                        rows,
                        selected: 0,
                    });
                }
            }
            Action::Money => self.show_money(),
            Action::KindFilter => {
                let input = self.kind_filter_text();
                self.popup = Popup::KindFilter(Prompt { input, error: None });
            }
            Action::Map => {
                self.map = Some(MapState {
                    depth: 1,
                    selected: self.focus,
                });
            }
            Action::SetMark => self.popup = Popup::Mark { jump: false },
            Action::JumpToMark => {
                if self.marks.is_empty() {
                    self.set_status("no marks yet: M and a letter marks an entity", false);
                } else {
                    self.popup = Popup::Mark { jump: true };
                }
            }
            Action::SaveView => {
                let input = format!("ties-view-{}.ron", self.graph.entity(self.focus).id);
                self.popup = Popup::SaveView(Prompt { input, error: None });
            }
            Action::Sources => self.show_sources(),
            Action::Path => {
                self.status = None;
                self.popup = Popup::Search(SearchPopup {
                    for_path: true,
                    ..SearchPopup::default()
                });
            }
            Action::Help => self.popup = Popup::Help { scroll: 0 },
            Action::Close => self.status = None,
            Action::Click(col, row) => {
                self.click(col, row);
            }
            Action::DoubleClick(col, row) if self.click(col, row) => {
                self.update_browse(Action::Follow);
            }
            _ => {}
        }
    }

    /// Selects the relation drawn at (col, row); true when there was one.
    fn click(&mut self, col: u16, row: u16) -> bool {
        let pos = ratatui::layout::Position::new(col, row);
        for pane in [Pane::Incoming, Pane::Outgoing] {
            let l = &mut self.lists[pane as usize];
            let area = l.area.get();
            if !area.contains(pos) {
                continue;
            }
            let i = l.offset.get() + usize::from(row - area.y);
            if i < l.ties.len() {
                self.pane = pane;
                l.selected = i;
                return true;
            }
        }
        false
    }

    fn update_search(&mut self, action: Action) {
        if action == Action::Submit {
            self.settle_search();
        }
        let Popup::Search(s) = &mut self.popup else {
            return;
        };
        match action {
            Action::Type(c) => {
                s.input.push(c);
                self.run_search();
            }
            Action::DeleteChar => {
                s.input.pop();
                self.run_search();
            }
            Action::ClearInput => {
                s.input.clear();
                self.run_search();
            }
            Action::Down if s.selected + 1 < s.hits.len() => s.selected += 1,
            Action::Up => s.selected = s.selected.saturating_sub(1),
            Action::Submit => match s.hits.get(s.selected) {
                Some(hit) if s.for_path => {
                    let node = hit.node;
                    self.show_path(node);
                }
                Some(hit) => {
                    let node = hit.node;
                    self.popup = Popup::None;
                    self.go_to(node);
                }
                None if s.input.trim().is_empty() => self.popup = Popup::None,
                None if self.indexing => {
                    self.set_status("still indexing names: try again in a moment", false);
                }
                None => {
                    let q = s.input.clone();
                    self.set_status(format!("nothing matches `{q}`"), true);
                }
            },
            Action::Close => self.popup = Popup::None,
            _ => {}
        }
    }

    /// The map's layout for the last drawn size.
    pub fn map_layout(&self) -> Option<super::map::MapLayout> {
        let m = self.map?;
        let (w, h) = self.map_size.get();
        let key = (self.focus, m.depth, w, h);
        let mut cache = self.map_cache.borrow_mut();
        if let Some((k, f, layout)) = &*cache
            && *k == key
            && *f == self.filter
        {
            return Some(layout.clone());
        }
        let layout = super::map::layout(&self.graph, self.focus, m.depth, &self.filter, w, h);
        *cache = Some((key, self.filter.clone(), layout.clone()));
        Some(layout)
    }

    fn update_map(&mut self, action: Action) {
        let Some(mut m) = self.map else {
            return;
        };
        let dir = match action {
            Action::Up => Some((0.0, -1.0)),
            Action::Down => Some((0.0, 1.0)),
            Action::Left => Some((-1.0, 0.0)),
            Action::Right => Some((1.0, 0.0)),
            _ => None,
        };
        if let Some((dx, dy)) = dir {
            if let Some(layout) = self.map_layout()
                && let Some(n) = super::map::neighbour_towards(&layout, m.selected, dx, dy)
            {
                m.selected = n;
                self.map = Some(m);
            }
            return;
        }
        match action {
            Action::Submit => {
                self.go_to(m.selected);
                self.map = Some(MapState {
                    selected: self.focus,
                    ..m
                });
            }
            Action::Deeper => self.map = Some(MapState { depth: 2, ..m }),
            Action::Shallower => self.map = Some(MapState { depth: 1, ..m }),
            Action::Map | Action::Close => self.map = None,
            other => {
                self.update_browse(other);
                if let Some(m) = &mut self.map {
                    m.selected = self.focus;
                }
            }
        }
    }

    fn update_mark(&mut self, action: Action) {
        let Popup::Mark { jump } = self.popup else {
            return;
        };
        match action {
            Action::Type(c) if jump => {
                self.popup = Popup::None;
                match self.marks.get(&c) {
                    Some(&n) => self.go_to(n),
                    None => self.set_status(format!("no mark '{c}'"), true),
                }
            }
            Action::Type(c) => {
                self.popup = Popup::None;
                self.marks.insert(c, self.focus);
                let name = self.graph.entity(self.focus).name.to_string();
                self.set_status(format!("marked {name} as '{c}"), false);
            }
            Action::Close => self.popup = Popup::None,
            _ => {}
        }
    }

    /// The view on screen as a view file, with the marks.
    pub fn view_spec(&self) -> crate::view_file::ViewSpec {
        let mut spec = crate::view_file::ViewSpec::from_view(
            &self.graph,
            Some(self.focus),
            &self.filter,
            1,
            Reach::Both,
        );
        spec.marks = self
            .marks
            .iter()
            .map(|(&c, &n)| (c, self.graph.entity(n).id.to_string()))
            .collect();
        spec
    }

    fn update_save_view(&mut self, action: Action) {
        let Popup::SaveView(p) = &mut self.popup else {
            return;
        };
        match action {
            a if p.edit(&a) => {}
            Action::Submit => {
                let path = std::path::PathBuf::from(p.input.trim());
                match self.view_spec().save(&path, false) {
                    Ok(()) => {
                        self.popup = Popup::None;
                        self.set_status(
                            format!(
                                "view saved to {} (open it with ties --view)",
                                path.display()
                            ),
                            false,
                        );
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        if let Popup::SaveView(p) = &mut self.popup {
                            p.error = Some(msg.clone());
                        }
                        self.set_status(msg, true);
                    }
                }
            }
            Action::Close => self.popup = Popup::None,
            _ => {}
        }
    }

    /// The kind filter as typed: `person,fund,finances`; empty when off.
    pub fn kind_filter_text(&self) -> String {
        let g = &self.graph;
        let mut names: Vec<&str> = self
            .filter
            .entity_kinds
            .iter()
            .map(|k| g.entity_kind_label(*k))
            .collect();
        names.extend(
            self.filter
                .relation_kinds
                .iter()
                .map(|k| g.relation_kind_label(*k)),
        );
        names.join(",")
    }

    /// Parses `person,fund,finances` into entity and relation kinds.
    fn parse_kinds(&self, text: &str) -> Result<Kinds, String> {
        use crate::model::RelationKind;
        let (mut ents, mut rels) = (Vec::new(), Vec::new());
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let word = word.replace(' ', "_");
            if let Some(k) = RelationKind::from_label(&word) {
                rels.push(k);
            } else if let Ok(k) = crate::view_file::resolve_kind(&self.graph, &word) {
                ents.push(k);
            } else if let Some(s) = self.graph.find_sym(&word)
                && self
                    .graph
                    .edge_indices()
                    .any(|e| self.graph.relation(e).kind == RelationKind::Other(s))
            {
                rels.push(RelationKind::Other(s));
            } else {
                return Err(format!(
                    "`{word}` is not an entity or relation kind (e.g. person, fund, agreement, finances, signed)"
                ));
            }
        }
        Ok((ents, rels))
    }

    fn update_prompt(&mut self, action: Action) {
        if matches!(self.popup, Popup::SaveView(_)) {
            return self.update_save_view(action);
        }
        if let Popup::KindFilter(p) = &mut self.popup {
            match action {
                a if p.edit(&a) => {}
                Action::Submit => {
                    let input = p.input.clone();
                    match self.parse_kinds(&input) {
                        Ok((ents, rels)) => {
                            self.popup = Popup::None;
                            self.filter.entity_kinds = ents;
                            self.filter.relation_kinds = rels;
                            self.refresh_lists();
                            let msg = if input.trim().is_empty() {
                                "kind filter cleared".to_string()
                            } else {
                                "kind filter set".to_string()
                            };
                            self.set_status(msg, false);
                        }
                        Err(msg) => {
                            if let Popup::KindFilter(p) = &mut self.popup {
                                p.error = Some(msg.clone());
                            }
                            self.set_status(msg, true);
                        }
                    }
                }
                Action::Close => self.popup = Popup::None,
                _ => {}
            }
            return;
        }
        let Popup::DateFilter(p) = &mut self.popup else {
            return;
        };
        match action {
            a if p.edit(&a) => {}
            Action::Submit => match p.input.parse::<DateWindow>() {
                Ok(window) => {
                    self.popup = Popup::None;
                    self.filter.window = window;
                    self.refresh_lists();
                    self.set_status("date filter set", false);
                }
                Err(e) => {
                    let msg = e.to_string();
                    p.error = Some(msg.clone());
                    self.set_status(msg, true);
                }
            },
            Action::Close => self.popup = Popup::None,
            _ => {}
        }
    }

    /// What is on screen as a view: the focus, its relations both ways, the filter.
    pub fn current_view(&self) -> Subgraph {
        view::subgraph(&self.graph, Some(self.focus), 1, Reach::Both, &self.filter)
    }

    /// `ties-<focus id>[-<window>].<ext>` in the current folder.
    pub fn default_export_name(&self, format: Format) -> String {
        let mut name = format!("ties-{}", self.graph.entity(self.focus).id);
        if !self.filter.window.is_all() {
            let w = self.filter.window.to_string().replace("..", "_to_");
            name.push('-');
            name.push_str(w.trim_matches('_'));
        }
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{name}.{}", format.extension())
    }

    fn update_export(&mut self, action: Action) {
        let Popup::Export(p) = &mut self.popup else {
            return;
        };
        let formats = &Format::ALL;
        let step = |p: &mut ExportPrompt, by: isize| {
            let i = formats.iter().position(|f| *f == p.format).unwrap_or(0) as isize;
            p.format = formats[(i + by).rem_euclid(formats.len() as isize) as usize];
            p.confirm = false;
        };
        match action {
            Action::NextFormat => step(p, 1),
            Action::PreviousFormat => step(p, -1),
            Action::Type(c) => {
                p.path.push(c);
                p.edited = true;
                p.confirm = false;
            }
            Action::DeleteChar => {
                p.path.pop();
                p.edited = true;
                p.confirm = false;
            }
            Action::ClearInput => {
                p.path.clear();
                p.edited = true;
                p.confirm = false;
            }
            Action::Submit => self.submit_export(),
            Action::Close => {
                self.popup = Popup::None;
                self.set_status("export cancelled", false);
            }
            _ => {}
        }
        let fresh = match &self.popup {
            Popup::Export(p) if !p.edited => Some(self.default_export_name(p.format)),
            _ => None,
        };
        if let (Popup::Export(p), Some(name)) = (&mut self.popup, fresh) {
            p.path = name;
        }
    }

    fn submit_export(&mut self) {
        let Popup::Export(p) = &mut self.popup else {
            return;
        };
        let path = std::path::PathBuf::from(p.path.trim());
        if p.path.trim().is_empty() {
            p.error = Some("type a file name".into());
            return;
        }
        if path.exists() && !p.confirm {
            p.confirm = true;
            p.error = Some(format!(
                "{} exists: Enter again to overwrite it, Esc to cancel",
                path.display()
            ));
            return;
        }
        // A typed extension picks the format, so `view.dot` is never JSON inside.
        let typed = p.path.trim().to_lowercase();
        if let Some(f) = Format::ALL
            .iter()
            .find(|f| typed.ends_with(&format!(".{}", f.extension())))
        {
            p.format = *f;
        }
        let (format, force) = (p.format, p.confirm);
        let sub = self.current_view();
        let text = export::render(&self.graph, &sub, format);
        match export::write_atomic(&path, text.as_bytes(), force) {
            Ok(()) => {
                self.popup = Popup::None;
                self.set_status(
                    format!(
                        "exported {}, {} to {}",
                        crate::report::count(sub.nodes.len(), "entity"),
                        crate::report::count(sub.edges.len(), "relation"),
                        path.display()
                    ),
                    false,
                );
            }
            Err(e) => {
                let msg = e.to_string();
                if let (Popup::Export(p), WriteError::Exists(_)) = (&mut self.popup, &e) {
                    p.confirm = true;
                }
                if let Popup::Export(p) = &mut self.popup {
                    p.error = Some(msg.clone());
                }
                self.set_status(msg, true);
            }
        }
    }

    fn show_money(&mut self) {
        let g = &self.graph;
        let report = crate::money::money(g, self.focus, &self.filter);
        if report.is_empty() {
            self.set_status("no amounts on the visible relations", false);
            return;
        }
        let mut rows = Vec::new();
        for (title, lines, totals) in [
            ("in", &report.incoming, report.total_in()),
            ("out", &report.outgoing, report.total_out()),
        ] {
            if lines.is_empty() {
                continue;
            }
            let sums: Vec<String> = totals
                .iter()
                .map(|(c, v)| crate::money::format_total(c, *v))
                .collect();
            rows.push((format!("{title}: {}", sums.join(" + ")), self.focus));
            for l in lines {
                rows.push((format!("  {}", crate::money::line_text(g, l)), l.other));
            }
        }
        self.popup = Popup::List(ListPopup {
            title: format!("money of {}", g.entity(self.focus).name),
            rows,
            selected: 0,
        });
    }

    fn show_sources(&mut self) {
        let g = &self.graph;
        let mut rows = Vec::new();
        let source_rows = |rows: &mut Vec<(String, NodeIx)>, set, at: NodeIx| {
            let list = g.source_list(set);
            if list.is_empty() {
                rows.push(("  ⚠ unsourced".to_string(), at));
            }
            for &s in list {
                let s = g.source(s);
                let published = s.published.map_or("date unknown".into(), |d| d.to_string());
                rows.push((
                    format!(
                        "  [{}] {} — {} ({published}) · {}",
                        s.id, s.title, s.outlet, s.file
                    ),
                    at,
                ));
            }
        };
        if let Some(tie) = self.selected_tie() {
            let (a, b) = g.ends(tie.edge);
            let r = g.relation(tie.edge);
            rows.push((
                format!(
                    "{} —{}→ {}",
                    g.entity(a).name,
                    g.relation_phrase(r.kind),
                    g.entity(b).name
                ),
                tie.other,
            ));
            source_rows(&mut rows, r.sources, tie.other);
        }
        let e = g.entity(self.focus);
        rows.push((e.name.to_string(), self.focus));
        source_rows(&mut rows, e.sources, self.focus);
        self.popup = Popup::List(ListPopup {
            title: "sources".into(),
            rows,
            selected: 0,
        });
    }

    /// Most hops a path from the explorer may take.
    pub const PATH_HOPS: usize = 6;

    fn show_path(&mut self, target: NodeIx) {
        let g = &self.graph;
        let paths =
            crate::path::shortest_paths(g, self.focus, target, Self::PATH_HOPS, &self.filter, 1);
        let (from, to) = (
            g.entity(self.focus).name.to_string(),
            g.entity(target).name.to_string(),
        );
        match paths.first() {
            None => {
                self.popup = Popup::None;
                self.set_status(
                    format!(
                        "no connection between {from} and {to} within {} hops",
                        Self::PATH_HOPS
                    ),
                    true,
                );
            }
            Some(steps) => {
                let mut rows = vec![(from.to_string(), self.focus)];
                for step in steps {
                    rows.push((format!("  {}", crate::report::step_line(g, step)), step.to));
                }
                self.popup = Popup::List(ListPopup {
                    title: format!("path to {to}: {} hops", steps.len()),
                    rows,
                    selected: 0,
                });
            }
        }
    }

    fn update_list(&mut self, action: Action) {
        let Popup::List(l) = &mut self.popup else {
            return;
        };
        match action {
            Action::Down if l.selected + 1 < l.rows.len() => l.selected += 1,
            Action::Up => l.selected = l.selected.saturating_sub(1),
            Action::Submit => {
                if let Some(&(_, node)) = l.rows.get(l.selected) {
                    // Walking a path or a timeline keeps the list open.
                    self.go_to(node);
                }
            }
            Action::Close => self.popup = Popup::None,
            _ => {}
        }
    }

    fn update_help(&mut self, action: Action) {
        let Popup::Help { scroll } = &mut self.popup else {
            return;
        };
        match action {
            Action::Down => *scroll += 1,
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Close | Action::Help => self.popup = Popup::None,
            _ => {}
        }
    }
}
