//! The one way the explorer's state changes: every key, search result and
//! command-line flag becomes an [`Action`] handed to [`super::app::App::update`].

use serde::{Deserialize, Serialize};

/// A key the note editor's text area reads: the terminal's event, whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EditKey(pub crossterm::event::KeyEvent);

// Actions are ordered (key maps keep them in sorted maps); an editor key is
// never bound, so any order consistent with its fields will do.
impl PartialOrd for EditKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EditKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let key = |k: &EditKey| (format!("{:?}", k.0.code), k.0.modifiers.bits());
        key(self).cmp(&key(other))
    }
}

/// Everything a user can ask the explorer to do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave the explorer.
    Quit,
    /// Select the next line.
    Down,
    /// Select the previous line.
    Up,
    /// Select the first line.
    Top,
    /// Select the last line.
    Bottom,
    /// Move a page down.
    PageDown,
    /// Move a page up.
    PageUp,
    /// Switch between incoming and outgoing relations.
    SwitchPane,
    /// Move to the other end of the selected relation.
    Follow,
    /// Go back to the previous entity.
    Back,
    /// Go forward again after going back.
    Forward,
    /// Open fuzzy search over names and aliases.
    Search,
    /// Filter by date (`2024`, `2024-11..2025-02`, `..2024-12-31`, `2025..`).
    DateFilter,
    /// Clear the date filter.
    ClearDateFilter,
    /// Show or hide relations that have no date.
    ToggleUndated,
    /// Export what is on screen (asks for format and file).
    Export,
    /// Dated relations and events of the view, in date order.
    Timeline,
    /// Shortest connection from the focus to an entity picked by search.
    Path,
    /// Money in and out of the focus, with totals per currency.
    Money,
    /// The sources behind the selected relation and the focus.
    Sources,
    /// Show only chosen entity and relation kinds.
    KindFilter,
    /// Show only chosen datasets.
    DatasetFilter,
    /// Show or hide the neighbourhood map.
    Map,
    /// Pick the neighbour to the left (map).
    Left,
    /// Pick the neighbour to the right (map).
    Right,
    /// Draw one ring more (map).
    Deeper,
    /// Draw one ring fewer (map).
    Shallower,
    /// Mark the focus with the next letter typed.
    SetMark,
    /// Jump to the entity marked with the next letter typed.
    JumpToMark,
    /// Save the view (focus, filter, marks) to a view file.
    SaveView,
    /// Next export format.
    NextFormat,
    /// Previous export format.
    PreviousFormat,
    /// The top entities of the view by a centrality.
    Rank,
    /// Entities tied to both a marked entity and the focus.
    CommonTies,
    /// What appeared and ended since the previous date window.
    Changes,
    /// Move the date window forward by its own length.
    StepForward,
    /// Move the date window back by its own length.
    StepBack,
    /// Widen the date window by one of its units (year, month, day).
    Widen,
    /// Narrow the date window by one of its units.
    Narrow,
    /// Rank by the next centrality.
    NextMeasure,
    /// Export the answer an analysis panel shows.
    ExportResult,
    /// Write a note on the focus, or on the selected relation.
    Note,
    /// Edit your latest note on the focus.
    EditNote,
    /// Add or remove tags of the focus.
    Tags,
    /// Every note and tag, to go to.
    NotesList,
    /// The review queue: candidate pairs of records to judge.
    ReviewQueue,
    /// Judge the two records one thing.
    JudgeSame,
    /// Judge the two records two things.
    JudgeDifferent,
    /// Cannot tell whether the two are one thing.
    JudgeUnsure,
    /// Leave the pair for later.
    Skip,
    /// Take the last judgement back.
    Undo,
    /// Go to the left record.
    GoFirst,
    /// Go to the right record.
    GoSecond,
    /// Tick or untick the line under the cursor (the dataset checklist).
    Toggle,
    /// Tick every line, or none when all are ticked.
    ToggleAll,
    /// Save the note being edited.
    Save,
    /// Show the keys.
    Help,
    /// Close the popup.
    Close,
    /// Accept the input or the selected result.
    Submit,
    /// Delete the character before the cursor.
    DeleteChar,
    /// Clear the input line.
    ClearInput,
    /// Type a character into the input line (unbound keys in a text field).
    #[serde(skip)]
    Type(char),
    /// A mouse click at (column, row): selects the relation under it.
    #[serde(skip)]
    Click(u16, u16),
    /// A double click at (column, row): selects and goes there.
    #[serde(skip)]
    DoubleClick(u16, u16),
    /// Jump straight to an entity by id.
    #[serde(skip)]
    Goto(String),
    /// A key for the note editor, as the terminal gave it.
    #[serde(skip)]
    Edit(EditKey),
}

impl Action {
    /// One line of help text for the action.
    pub fn describe(&self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Down => "next line",
            Action::Up => "previous line",
            Action::Top => "first line",
            Action::Bottom => "last line",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::SwitchPane => "switch incoming / outgoing",
            Action::Follow => "go to the selected relation's other end",
            Action::Back => "back",
            Action::Forward => "forward",
            Action::Search => "search names and aliases",
            Action::DateFilter => "filter by date",
            Action::ClearDateFilter => "clear the date filter",
            Action::ToggleUndated => "show / hide undated relations",
            Action::Export => "export the current view",
            Action::Timeline => "timeline of this view",
            Action::Path => "path from here to…",
            Action::Money => "money in and out, totals per currency",
            Action::Sources => "sources of the selection and the entity",
            Action::KindFilter => "show only some kinds (person,fund,finances…)",
            Action::DatasetFilter => "show only some datasets (kek,donations…)",
            Action::Map => "neighbourhood map on / off",
            Action::Left => "neighbour to the left",
            Action::Right => "neighbour to the right",
            Action::Deeper => "two rings",
            Action::Shallower => "one ring",
            Action::SetMark => "mark this entity with a letter",
            Action::JumpToMark => "jump to a marked entity",
            Action::SaveView => "save the view and marks to a file",
            Action::NextFormat => "next format",
            Action::PreviousFormat => "previous format",
            Action::Rank => "rank the view: who is central",
            Action::CommonTies => "common ties of a marked entity and this one",
            Action::Changes => "changes since the previous date window",
            Action::StepForward => "date window forward by its length",
            Action::StepBack => "date window back by its length",
            Action::Widen => "widen the date window by a year/month/day",
            Action::Narrow => "narrow the date window by a year/month/day",
            Action::NextMeasure => "next measure (degree, PageRank, betweenness, closeness)",
            Action::ExportResult => "export this answer's entities and relations",
            Action::Note => "write a note on the focus or the selected relation",
            Action::EditNote => "edit your latest note on the focus",
            Action::Tags => "add / remove tags",
            Action::NotesList => "every note and tag",
            Action::ReviewQueue => "review queue: who is who, pair by pair",
            Action::JudgeSame => "the same (merged)",
            Action::JudgeDifferent => "different",
            Action::JudgeUnsure => "unsure",
            Action::Skip => "skip this pair",
            Action::Undo => "take the last judgement back",
            Action::GoFirst => "go to the left record",
            Action::GoSecond => "go to the right record",
            Action::Toggle => "tick or untick",
            Action::ToggleAll => "tick all, or none",
            Action::Save => "save the note",
            Action::Help => "this help",
            Action::Close => "close",
            Action::Submit => "accept",
            Action::DeleteChar => "delete a character",
            Action::ClearInput => "clear the input",
            Action::Type(_) => "type",
            Action::Click(..) => "select with the mouse",
            Action::DoubleClick(..) => "go there with the mouse",
            Action::Goto(_) => "go to an entity",
            Action::Edit(..) => "edit the text",
        }
    }
}
