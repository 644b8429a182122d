//! The explorer's side of the notebook: saving what the note and tag popups
//! ask for, and the lines the card and the lists show for notes and tags.

use ratatui::text::{Line, Span};

use super::app::App;
use super::popup::{NoteChange, Popup};
use super::theme::{Role, Theme};
use crate::graph::{EdgeIx, Tie};
use crate::notes::{Note, Target};

/// The mark on a list row whose entity or relation has notes or tags.
pub const MARK: &str = "✎ ";

impl App {
    /// Saves a change to the first notebook (appended and synced at once).
    /// The popup closes once saved; if saving fails it stays open with its
    /// text, and the status bar says why.
    pub(super) fn save_note(&mut self, change: NoteChange) {
        let dir = self
            .notes
            .writes_to()
            .and_then(std::path::Path::parent)
            .filter(|d| !d.as_os_str().is_empty())
            .map(std::path::Path::to_path_buf);
        if let Some(dir) = dir
            && let Err(e) = std::fs::create_dir_all(&dir)
        {
            self.set_status(format!("cannot make {}: {e}", dir.display()), true);
            return;
        }
        let who = self.author.clone();
        let done = match &change {
            NoteChange::Add { target, text } => self
                .notes
                .add(target.clone(), text, &[], &who)
                .map(|_| "note saved"),
            NoteChange::Edit { id, text } => self.notes.edit(id, text, &who).map(|()| "note saved"),
            NoteChange::Tags {
                target,
                add,
                remove,
            } => self
                .notes
                .tag(target.clone(), add, &who)
                .and_then(|()| self.notes.untag(target.clone(), remove, &who))
                .map(|()| "tags saved"),
        };
        match done {
            Ok(what) => {
                self.popup = Popup::None;
                let file = self
                    .notes
                    .writes_to()
                    .map_or_else(String::new, |p| p.display().to_string());
                self.set_status(format!("{what} to {file}"), false);
                self.refresh_tag_filter();
            }
            Err(e) => self.set_status(e.to_string(), true),
        }
    }

    /// A tag filter in force follows the tags as they change.
    fn refresh_tag_filter(&mut self) {
        if self.filter.tags.is_empty() {
            return;
        }
        let mut filter = self.filter.clone();
        filter.only = Some(self.notes.tagged(&self.graph, &filter.tags).into());
        self.set_filter(filter);
    }

    /// A relation row, with the notes mark in a gutter once the notebooks hold
    /// anything (the rows are unchanged while they are empty).
    pub(super) fn row_line(&self, tie: Tie, width: usize) -> Line<'static> {
        if self.notes.is_empty() {
            return super::analysis::marked_tie_line(self, tie, width);
        }
        let g = &self.graph;
        let other = Target::of_entity(g, tie.other);
        let relation = Target::of_relation(g, tie.edge);
        let marked = [other, relation]
            .iter()
            .any(|t| !self.notes.tags_of(t).is_empty() || self.notes.notes_on(t).next().is_some());
        let mut line = super::analysis::marked_tie_line(self, tie, width.saturating_sub(2));
        let gutter = if marked { MARK } else { "  " };
        line.spans
            .insert(0, Span::styled(gutter, self.theme.style(Role::Noted)));
        line
    }

    /// The card's lines for the focus: its tags, then its notes.
    pub(super) fn entity_note_lines(&self) -> Vec<Line<'static>> {
        let t = Target::of_entity(&self.graph, self.focus);
        note_lines(
            &self.theme,
            &self.notes.tags_of(&t),
            &self.notes.notes_on(&t).collect::<Vec<_>>(),
        )
    }

    /// The card's lines for the selected relation's tags and notes.
    pub(super) fn relation_note_lines(&self, edge: EdgeIx) -> Vec<Line<'static>> {
        let t = Target::of_relation(&self.graph, edge);
        note_lines(
            &self.theme,
            &self.notes.tags_of(&t),
            &self.notes.notes_on(&t).collect::<Vec<_>>(),
        )
    }
}

fn note_lines(theme: &Theme, tags: &[&str], notes: &[&Note]) -> Vec<Line<'static>> {
    let muted = theme.style(Role::Muted);
    let mut lines = Vec::new();
    if tags.is_empty() && notes.is_empty() {
        return lines;
    }
    lines.push(Line::default());
    if !tags.is_empty() {
        let mut spans = vec![Span::styled("tags ", muted)];
        for t in tags {
            spans.push(Span::styled(format!("#{t}"), theme.style(Role::Noted)));
            spans.push(Span::raw(" "));
        }
        lines.push(Line::from(spans));
    }
    for n in notes {
        let day: String = n.time.chars().take(10).collect();
        lines.push(Line::from(Span::styled(
            format!("{MARK}{} {day}", n.author),
            muted,
        )));
        for l in n.text.lines() {
            lines.push(Line::from(format!("  {l}")));
        }
    }
    lines
}
