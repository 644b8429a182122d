//! The popups over the explorer, one file each. A popup owns its state, turns an
//! [`Action`] into an [`Effect`] that the [`App`](super::App) applies, and draws
//! itself from its state and a [`Ctx`] (the [`Component`] trait). To add one: a
//! file here, a variant of [`Popup`] (and its two lines in `component` and
//! `component_mut`), a [`Mode`] and its keys in `assets/keymap.ron`.

pub mod datasets;
pub mod date;
pub mod export;
pub mod help;
pub mod kinds;
pub mod list;
pub mod mark;
pub mod note;
pub mod notes_list;
pub mod prompt;
pub mod rank;
pub mod results;
pub mod review;
pub mod save_view;
pub mod search;
pub mod tags;

use std::collections::BTreeMap;
use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::Action;
use super::keymap::{KeyMap, Mode};
use super::theme::Theme;
use crate::graph::{Graph, NodeIx, Tie};
use crate::search::{SearchIndex, SearchWorker};
use crate::view::{self, Filter, Reach, Subgraph};

pub use datasets::DatasetsPopup;
pub use date::DatePopup;
pub use export::ExportPopup;
pub use help::HelpPopup;
pub use kinds::KindsPopup;
pub use list::ListPopup;
pub use mark::MarkPopup;
pub use note::{NoteChange, NotePopup};
pub use prompt::Prompt;
pub use rank::RankPopup;
pub use results::ResultsPopup;
pub use review::ReviewPopup;
pub use save_view::SaveViewPopup;
pub use search::SearchPopup;
pub use tags::TagsPopup;

/// What a popup may read of the explorer: the graph and what is on screen.
pub struct Ctx<'a> {
    pub graph: &'a Arc<Graph>,
    pub index: &'a SearchIndex,
    pub filter: &'a Filter,
    pub focus: NodeIx,
    /// The relation under the cursor in the active pane.
    pub selected_tie: Option<Tie>,
    pub marks: &'a BTreeMap<char, NodeIx>,
    pub keymap: &'a KeyMap,
    /// How each role looks.
    pub theme: &'a Theme,
    /// The search index is still being built.
    pub indexing: bool,
    /// The search worker, when searches run on one.
    pub worker: Option<&'a SearchWorker>,
    /// The format of the last export, for the next.
    pub export_format: crate::export::Format,
    /// Wakes the event loop: jobs a popup starts call it when they end.
    pub notify: Option<&'a crate::job::Notify>,
    /// The notebooks' notes and tags.
    pub notes: &'a crate::notes::Notes,
}

impl Ctx<'_> {
    /// What is on screen as a view: the focus, its relations both ways, the filter.
    pub fn current_view(&self) -> Subgraph {
        view::subgraph(self.graph, Some(self.focus), 1, Reach::Both, self.filter)
    }
}

/// What a popup asks the app to do after an action.
#[derive(Debug, Clone, PartialEq, Default)]
#[must_use]
pub enum Effect {
    /// Nothing: the popup changed only itself, or ignored the action.
    #[default]
    None,
    /// Close the popup.
    Close,
    /// A message in the status bar.
    Status { text: String, error: bool },
    /// Move the focus there, recording history.
    GoTo(NodeIx),
    /// Replace the filter.
    SetFilter(Filter),
    /// Mark the focus with this letter.
    Mark(char),
    /// Show this popup instead.
    Open(Box<Popup>),
    /// Search for the search popup's input (the app holds the worker).
    Search,
    /// Remember the format of this export for the next one.
    ExportFormat(crate::export::Format),
    /// Save this to the notebook; the popup closes once it is saved.
    Note(NoteChange),
    /// Several, in order.
    All(Vec<Effect>),
}

impl Effect {
    pub fn status(text: impl Into<String>, error: bool) -> Effect {
        Effect::Status {
            text: text.into(),
            error,
        }
    }

    pub fn open(popup: Popup) -> Effect {
        Effect::Open(Box::new(popup))
    }

    /// This effect, then `next`.
    pub fn and(self, next: Effect) -> Effect {
        match (self, next) {
            (Effect::None, e) | (e, Effect::None) => e,
            (Effect::All(mut v), e) => {
                v.push(e);
                Effect::All(v)
            }
            (a, b) => Effect::All(vec![a, b]),
        }
    }
}

/// What covers the main screen, if anything.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Popup {
    #[default]
    None,
    Search(SearchPopup),
    DateFilter(DatePopup),
    Export(ExportPopup),
    List(ListPopup),
    /// Waiting for the letter of a mark: to set it, or to jump to it.
    Mark(MarkPopup),
    /// The file name to save the view to.
    SaveView(SaveViewPopup),
    /// Kinds to show, comma-separated.
    KindFilter(KindsPopup),
    /// Datasets to show, comma-separated.
    DatasetFilter(DatasetsPopup),
    /// The top entities of the view (`r`).
    Rank(RankPopup),
    /// Common ties or changes, exportable.
    Results(ResultsPopup),
    Help(HelpPopup),
    /// The note editor (boxed: a text area is large).
    Note(Box<NotePopup>),
    /// Tags of the focus.
    Tags(TagsPopup),
    /// The review queue (boxed: it holds the candidates).
    Review(Box<ReviewPopup>),
}

/// What every popup does: say which keys apply, answer an action, draw itself.
pub trait Component {
    /// The key-map mode while it is shown.
    fn mode(&self) -> Mode;
    /// Changes its own state, and says what the app should do.
    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect;
    /// Draws it over `area` (the screen above the status bar).
    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect);
}

impl Popup {
    fn component(&self) -> Option<&dyn Component> {
        Some(match self {
            Popup::None => return None,
            Popup::Search(p) => p,
            Popup::DateFilter(p) => p,
            Popup::Export(p) => p,
            Popup::List(p) => p,
            Popup::Mark(p) => p,
            Popup::SaveView(p) => p,
            Popup::KindFilter(p) => p,
            Popup::DatasetFilter(p) => p,
            Popup::Rank(p) => p,
            Popup::Results(p) => p,
            Popup::Help(p) => p,
            Popup::Note(p) => p.as_ref(),
            Popup::Tags(p) => p,
            Popup::Review(p) => p.as_ref(),
        })
    }

    fn component_mut(&mut self) -> Option<&mut dyn Component> {
        Some(match self {
            Popup::None => return None,
            Popup::Search(p) => p,
            Popup::DateFilter(p) => p,
            Popup::Export(p) => p,
            Popup::List(p) => p,
            Popup::Mark(p) => p,
            Popup::SaveView(p) => p,
            Popup::KindFilter(p) => p,
            Popup::DatasetFilter(p) => p,
            Popup::Rank(p) => p,
            Popup::Results(p) => p,
            Popup::Help(p) => p,
            Popup::Note(p) => p.as_mut(),
            Popup::Tags(p) => p,
            Popup::Review(p) => p.as_mut(),
        })
    }

    /// The key-map mode of the popup; `None` when there is none.
    pub fn mode(&self) -> Option<Mode> {
        self.component().map(Component::mode)
    }

    /// Hands the action to the popup shown.
    pub fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        self.component_mut()
            .map_or(Effect::None, |p| p.update(action, ctx))
    }

    /// Draws the popup shown over `area`.
    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        if let Some(p) = self.component() {
            p.draw(ctx, frame, area);
        }
    }
}

/// The row a moving action takes a cursor at `at` to, among `len` rows shown
/// `page` at a time (down, up, page down, page up, first, last); `None` for
/// any other action, or when there are no rows.
pub fn moved(action: &Action, at: usize, len: usize, page: usize) -> Option<usize> {
    let last = len.checked_sub(1)?;
    let page = page.max(1);
    Some(match action {
        Action::Down => (at + 1).min(last),
        Action::Up => at.saturating_sub(1),
        Action::PageDown => (at + page).min(last),
        Action::PageUp => at.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return None,
    })
}

/// ` 3 of 12 `, for a list popup's lower border.
pub fn position(at: usize, len: usize) -> String {
    if len == 0 {
        return String::new();
    }
    format!(" {} of {len} ", at.min(len - 1) + 1)
}

/// A rectangle `pw`% × `ph`% of `area`, centred, at least `min_w` × `min_h`.
pub fn centered(area: Rect, pw: u16, ph: u16, min_w: u16, min_h: u16) -> Rect {
    // In u32: a terminal of 2,000 columns times 70 % is more than a u16 holds.
    let percent =
        |of: u16, p: u16| u16::try_from(u32::from(of) * u32::from(p.min(100)) / 100).unwrap_or(of);
    let w = percent(area.width, pw).max(min_w).min(area.width);
    let h = percent(area.height, ph).max(min_h).min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests;
