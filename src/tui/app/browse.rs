//! Browsing: the keys of the three panes and of the map, which open popups,
//! move the focus and change the filter.

use super::{App, MapKey, MapState, Pane};
use crate::analysis::rank::Measure;
use crate::model::DateWindow;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::map::{self, MapLayout};
use crate::tui::popup::{
    DatasetsPopup, DatePopup, Effect, ExportPopup, HelpPopup, KindsPopup, ListPopup, MarkPopup,
    Popup, RankPopup, ResultsPopup, SaveViewPopup, SearchPopup,
};

impl App {
    fn move_selection(&mut self, delta: isize) {
        let l = self.list_mut();
        if l.ties.is_empty() {
            return;
        }
        let last = l.ties.len() - 1;
        l.selected = l.selected.saturating_add_signed(delta).min(last);
    }

    fn open(&mut self, popup: Popup) {
        self.popup = popup;
    }

    pub(super) fn update_browse(&mut self, action: Action) {
        let page = self.page_rows.max(1) as isize;
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
            // Undirected ties are one list: there is no other pane.
            Action::SwitchPane if !self.undirected_only() => self.pane = self.pane.other(),
            Action::Follow => match self.selected_tie() {
                Some(tie) => self.go_to(tie.other),
                None => self.set_status("no relation selected", true),
            },
            Action::Back => match self.back.pop() {
                Some(n) => {
                    self.forward.push(self.focus);
                    self.return_to(n);
                }
                None => self.set_status("nothing to go back to", false),
            },
            Action::Forward => match self.forward.pop() {
                Some(n) => {
                    self.back.push(self.focus);
                    self.return_to(n);
                }
                None => self.set_status("nothing to go forward to", false),
            },
            Action::Search => {
                self.status = None;
                self.open(Popup::Search(SearchPopup::default()));
            }
            Action::Path => {
                self.status = None;
                self.open(Popup::Search(SearchPopup::for_path()));
            }
            Action::DateFilter => self.open(Popup::DateFilter(DatePopup::new(&self.filter))),
            Action::ClearDateFilter => {
                let mut filter = self.filter.clone();
                filter.window = DateWindow::ALL;
                self.set_filter(filter);
                self.set_status("date filter cleared", false);
            }
            Action::ToggleUndated => {
                let mut filter = self.filter.clone();
                filter.hide_undated = !filter.hide_undated;
                self.set_filter(filter);
                let state = if self.filter.hide_undated {
                    "hidden"
                } else {
                    "shown"
                };
                self.set_status(format!("undated relations {state}"), false);
            }
            Action::Export => self.open(Popup::Export(ExportPopup::new(&self.ctx()))),
            Action::KindFilter => self.open(Popup::KindFilter(KindsPopup::new(&self.ctx()))),
            Action::DatasetFilter => match DatasetsPopup::new(&self.ctx()) {
                Some(p) => self.open(Popup::DatasetFilter(p)),
                None => {
                    let g = self.graph();
                    let one = g.dataset_names().first().map_or("", |n| n);
                    let msg = if one.is_empty() {
                        "this graph holds one dataset: nothing to filter".to_string()
                    } else {
                        format!("this graph holds one dataset, {one}: nothing to filter")
                    };
                    self.apply(Effect::status(msg, false))
                }
            },
            Action::SaveView => self.open(Popup::SaveView(SaveViewPopup::new(&self.ctx()))),
            Action::Timeline => self.apply(ListPopup::timeline(&self.ctx())),
            Action::Money => self.apply(ListPopup::money(&self.ctx())),
            Action::Sources => self.apply(ListPopup::sources(&self.ctx())),
            Action::Map => {
                self.map = Some(MapState {
                    depth: 1,
                    selected: self.focus,
                    page: 0,
                });
            }
            Action::SetMark => self.open(Popup::Mark(MarkPopup { jump: false })),
            Action::JumpToMark => {
                if self.marks.is_empty() {
                    let key = self.keymap.key(Mode::Browse, &Action::SetMark);
                    self.set_status(
                        format!("no marks yet: {key} and a letter marks an entity"),
                        false,
                    );
                } else {
                    self.open(Popup::Mark(MarkPopup { jump: true }));
                }
            }
            Action::Rank => self.open(Popup::Rank(RankPopup::new(&self.ctx(), Measure::Degree))),
            Action::CommonTies => self.apply(ResultsPopup::common_with_mark(&self.ctx())),
            Action::Changes => match self.stepped() {
                Some(s) => self.apply(ResultsPopup::changes(&self.ctx(), s)),
                None => {
                    let (km, mode) = (&self.keymap, self.mode());
                    let text = format!(
                        "no step to compare: move the date window with {} or {}",
                        km.key(mode, &Action::StepForward),
                        km.key(mode, &Action::StepBack)
                    );
                    self.set_status(text, false);
                }
            },
            Action::StepForward | Action::StepBack | Action::Widen | Action::Narrow => {
                self.step(&action);
            }
            Action::Note => self.open(Popup::Note(Box::new(crate::tui::popup::NotePopup::new(
                &self.ctx(),
            )))),
            Action::EditNote => match crate::tui::popup::NotePopup::edit(&self.ctx(), &self.author)
            {
                Some(p) => self.open(Popup::Note(Box::new(p))),
                None => {
                    let key = self
                        .keymap()
                        .key(crate::tui::keymap::Mode::Browse, &Action::Note);
                    self.set_status(
                        format!("no note of yours on this entity: {key} writes one"),
                        false,
                    );
                }
            },
            Action::Tags => self.open(Popup::Tags(crate::tui::popup::TagsPopup::new(&self.ctx()))),
            Action::NotesList => self.apply(crate::tui::popup::notes_list::open(&self.ctx())),
            Action::ReviewQueue => self.open_review(&crate::matching::XrefOptions::default()),
            Action::Help => self.open(Popup::Help(HelpPopup::default())),
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

    /// Selects the relation drawn at (col, row) in the last frame; true when
    /// there was one.
    fn click(&mut self, col: u16, row: u16) -> bool {
        let pos = ratatui::layout::Position::new(col, row);
        for pane in [Pane::Incoming, Pane::Outgoing] {
            let l = &mut self.lists[pane as usize];
            if !l.area.contains(pos) {
                continue;
            }
            let i = l.offset + usize::from(row - l.area.y);
            if i < l.ties.len() {
                self.pane = pane;
                l.selected = i;
                return true;
            }
        }
        false
    }

    /// What a map layout of `size` would be made for now; `None` without a map.
    fn map_key(&self, (w, h): (u16, u16)) -> Option<MapKey> {
        let m = self.map?;
        let marked: Vec<_> = self.marks.values().copied().collect();
        Some((
            (self.focus, m.depth, w, h, m.page),
            self.filter.clone(),
            marked,
        ))
    }

    /// The kept map layout, if it was made for this view at `size`.
    pub fn map_layout_at(&self, size: (u16, u16)) -> Option<&MapLayout> {
        let key = self.map_key(size)?;
        let (kept, layout) = self.map_cache.as_ref()?;
        (*kept == key).then_some(layout)
    }

    /// The map's layout for this view (made at the last frame's size, or at
    /// an earlier size while the next frame measures the new one).
    pub fn map_layout(&self) -> Option<&MapLayout> {
        let m = self.map?;
        let (((focus, depth, _, _, page), filter, marked), layout) = self.map_cache.as_ref()?;
        let same_marks = marked.iter().eq(self.marks.values());
        (*focus == self.focus
            && *depth == m.depth
            && *page == m.page
            && *filter == self.filter
            && same_marks)
            .then_some(layout)
    }

    /// A fresh map layout of this view at `size`.
    pub fn new_map_layout(&self, size: (u16, u16)) -> MapLayout {
        let (depth, page) = self.map.map_or((1, 0), |m| (m.depth, m.page));
        let marked: Vec<_> = self.marks.values().copied().collect();
        let around = map::Around {
            marked: &marked,
            page,
        };
        map::layout_around(&self.graph, self.focus, depth, &self.filter, size, around)
    }

    /// Lays the map out for this view at the last frame's size, unless it
    /// is. True if it was laid out now.
    pub(super) fn refresh_map(&mut self) -> bool {
        let size = self.map_size;
        if self.map.is_none() || self.map_layout_at(size).is_some() {
            return false;
        }
        let layout = self.new_map_layout(size);
        self.map_cache = self.map_key(size).map(|key| (key, layout));
        true
    }

    pub(super) fn update_map(&mut self, action: Action) {
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
            self.refresh_map();
            if let Some(layout) = self.map_layout()
                && let Some(n) = map::neighbour_towards(layout, m.selected, dx, dy)
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
                    page: 0,
                    ..m
                });
            }
            // The next or previous neighbours, by rank, on the first ring.
            Action::PageDown | Action::PageUp => {
                self.refresh_map();
                let Some(layout) = self.map_layout() else {
                    return;
                };
                let (first, all) = (layout.first, layout.ring);
                let page = if action == Action::PageDown {
                    if first + map::MAX_RING1 >= all {
                        self.set_status("the last of the neighbours is on the map", false);
                        return;
                    }
                    m.page + 1
                } else if m.page == 0 {
                    self.set_status("the first neighbours are on the map", false);
                    return;
                } else {
                    m.page - 1
                };
                self.map = Some(MapState {
                    page,
                    selected: self.focus,
                    ..m
                });
            }
            Action::Deeper => self.map = Some(MapState { depth: 2, ..m }),
            Action::Shallower => self.map = Some(MapState { depth: 1, ..m }),
            Action::Map | Action::Close => self.map = None,
            other => {
                let before = self.focus;
                self.update_browse(other);
                if let Some(m) = &mut self.map {
                    m.selected = self.focus;
                    if self.focus != before {
                        m.page = 0;
                    }
                }
            }
        }
    }
}
