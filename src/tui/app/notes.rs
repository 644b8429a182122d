//! The explorer's side of the notebook: saving what the note and tag popups
//! ask for (`Effect::Note`), appended and synced at once.

use super::App;
use crate::tui::popup::{NoteChange, Popup};

impl App {
    /// Saves a change to the first notebook (appended and synced at once).
    /// The popup closes once saved; if saving fails it stays open with its
    /// text, and the status bar says why.
    pub(in crate::tui) fn save_note(&mut self, change: NoteChange) {
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
}
