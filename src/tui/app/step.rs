//! Stepping the date window (`]` `[` `}` `{`) and what appeared and ended
//! since the previous window, as the panes, the map and the card read it.

use super::{App, Pane};
use crate::analysis::diff;
use crate::graph::{EdgeIx, NodeIx, Tie};
use crate::tui::action::Action;
use crate::tui::change::{Change, Stepped, stepped_window};
use crate::view::Filter;

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
            s.before
                .relation_visible_from(&self.graph, edge, self.focus),
            s.after.relation_visible_from(&self.graph, edge, self.focus),
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
        super::pane_ties(&self.graph, self.focus, pane)
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
}
