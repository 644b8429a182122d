//! The explorer on a graph database (`--db`): a thin adapter over
//! [`crate::db::Session`], which fetches and searches on its worker and grows
//! the explorer's graph with the answers. Here: what the view wants fetched,
//! and what the session's events change on screen (lists, status, the search
//! popup, a cache that started over).

use std::sync::Arc;

use super::App;
use crate::db::session::{Event, Paging, Session, Start, Want};
use crate::db::{DbError, DbFilter};
use crate::graph::NodeIx;
use crate::tui::action::Action;
use crate::tui::popup::Popup;
use crate::tui::popup::search::SEARCH_LIMIT;

/// What the status line says of a hub paged.
fn hub_note(name: &str, fetched: usize, total: usize) -> String {
    format!("{name} has {total} relations; {fetched} fetched, more as you scroll down")
}

impl App {
    /// Explores the database `start` names from now on.
    pub fn connect_remote(&mut self, start: &Start) {
        let notify = self.notify.clone();
        let session = Session::start(start, &self.graph, move || {
            if let Some(n) = &notify {
                n();
            }
        });
        self.use_session(start, session);
    }

    /// Explores the database through `session`, whose first view `start` says.
    pub fn use_session(&mut self, start: &Start, session: Session) {
        let name = self
            .graph
            .find(&start.focus)
            .map_or(start.focus.as_str(), |n| self.graph.entity(n).name);
        let paged = start
            .truncated
            .then(|| hub_note(name, start.page, start.first_ring));
        self.remote = Some(session);
        self.search_worker = None;
        self.indexing = false;
        self.clusters = None;
        if let Some(note) = paged {
            self.note(note);
        }
        self.fetch_if_needed();
    }

    /// Says something about fetching in the status line, until the next fetch.
    fn note(&mut self, text: String) {
        self.set_status(text.clone(), false);
        self.fetch_note = Some(text);
    }

    /// Clears the last note about fetching, if it is still shown.
    fn clear_note(&mut self) {
        let note = self.fetch_note.take();
        if note.is_some() && self.status.as_ref().map(|s| &s.text) == note.as_ref() {
            self.status = None;
        }
    }

    /// What the view needs fetched now: the focus's rings (two with the map)
    /// through the filter.
    fn want(&self) -> Want {
        Want {
            node: self.focus,
            id: self.graph.entity(self.focus).id.to_string(),
            depth: if self.map.is_some() { 2 } else { 1 },
            filter: DbFilter::from_filter(&self.filter, &self.graph),
            offset: 0,
        }
    }

    /// Asks for what the view needs, unless it is known, asked for already,
    /// or was just cancelled or failed.
    pub(super) fn fetch_if_needed(&mut self) {
        let want = self.want();
        if let Some(session) = &mut self.remote {
            session.ensure(want);
        }
    }

    /// The next page of a hub's relations, when the cursor reached the end
    /// of those fetched.
    pub(super) fn fetch_more_if_at_end(&mut self) {
        let l = self.list(self.pane);
        if l.ties.is_empty() || l.selected + 1 < l.ties.len() {
            return;
        }
        let want = self.want();
        if let Some(session) = &mut self.remote {
            session.more(want);
        }
    }

    /// `Esc` while fetching: stop waiting, keep what is known.
    pub(super) fn cancel_fetch(&mut self) -> bool {
        let Some(want) = self.remote.as_mut().and_then(Session::cancel) else {
            return false;
        };
        let name = self.graph.entity(want.node).name.to_string();
        self.set_status(
            format!("stopped fetching {name}: showing what was fetched"),
            false,
        );
        true
    }

    /// Takes the session's answers. True if the screen changed.
    pub fn poll_remote(&mut self) -> bool {
        let Some(session) = &mut self.remote else {
            return false;
        };
        let events = session.poll(&mut self.graph, self.focus);
        let mut changed = false;
        for event in events {
            changed |= self.on_remote(event);
        }
        changed
    }

    /// What one event of the session changes. True if the screen changed.
    pub(super) fn on_remote(&mut self, event: Event) -> bool {
        match event {
            Event::Fetched { node, paging } => {
                self.clear_note();
                let name = self.graph.entity(node).name.to_string();
                match paging {
                    Paging::Whole => {}
                    Paging::Paged { fetched, total } => self.note(hub_note(&name, fetched, total)),
                    Paging::Completed { total } => {
                        self.note(format!("all {total} relations of {name} fetched"));
                    }
                }
                self.grown();
            }
            Event::StartedOver { focus, before, old } => self.started_over(focus, before, &old),
            Event::Failed { error, search } => {
                if search {
                    self.search_settled();
                }
                self.unreachable(&error);
            }
            Event::BackOnline => self.set_status("the database answers again", false),
            Event::NotMerged { error, search } => {
                if search {
                    self.search_settled();
                }
                self.set_status(format!("the fetched answer does not fit: {error}"), true);
            }
            Event::Found {
                query,
                hits,
                submit,
            } => return self.found(query, hits, submit),
            Event::WorkerGone { fetching, why } => {
                self.search_settled();
                let what = fetching.map_or("searching".to_string(), |w| {
                    format!("fetching {}", self.graph.entity(w.node).name)
                });
                self.set_status(format!("{why} while {what}; moving retries"), true);
            }
        }
        true
    }

    /// The search popup waits no more.
    fn search_settled(&mut self) {
        if let Popup::Search(p) = &mut self.popup {
            p.pending = false;
        }
    }

    fn unreachable(&mut self, e: &DbError) {
        self.set_status(
            format!("database unreachable, showing what was fetched (moving retries): {e}"),
            true,
        );
    }

    /// The graph grew: views made of it are made again; the lists keep their
    /// selected relation.
    fn grown(&mut self) {
        self.map_cache = None;
        let selected = [0, 1].map(|i| {
            let l = &self.lists[i];
            l.ties.get(l.selected).map(|t| t.edge)
        });
        self.refresh_lists();
        for (l, edge) in self.lists.iter_mut().zip(selected) {
            if let Some(i) = edge.and_then(|e| l.ties.iter().position(|t| t.edge == e)) {
                l.selected = i;
            }
        }
    }

    /// The cache started over with the focus's neighbourhood: history and
    /// marks are cleared (their entities are gone), the filter's own kinds
    /// kept by label.
    fn started_over(&mut self, focus: NodeIx, before: usize, old: &crate::graph::Graph) {
        let entity_kinds: Vec<_> = self
            .filter
            .entity_kinds
            .iter()
            .map(|k| k.map_other(|s| old.sym(s).to_string()))
            .collect();
        let relation_kinds: Vec<_> = self
            .filter
            .relation_kinds
            .iter()
            .map(|k| k.map_other(|s| old.sym(s).to_string()))
            .collect();
        // The session's new graph is held here alone: interning adds to it.
        let graph = Arc::make_mut(&mut self.graph);
        self.filter.entity_kinds = entity_kinds
            .into_iter()
            .map(|k| k.map_other(|s| graph.intern(&s)))
            .collect();
        self.filter.relation_kinds = relation_kinds
            .into_iter()
            .map(|k| k.map_other(|s| graph.intern(&s)))
            .collect();
        self.index = Arc::default();
        self.back.clear();
        self.forward.clear();
        self.left_at.clear();
        self.marks.clear();
        // Whatever held entities of the old cache goes with it.
        self.popup = Popup::None;
        self.step = None;
        self.focus = focus;
        self.lists = Default::default();
        if let Some(m) = &mut self.map {
            m.selected = focus;
        }
        self.set_status(
            format!(
                "{before} entities fetched: the cache started over from here (history and marks cleared)"
            ),
            false,
        );
    }

    /// Sends the search popup's input to the server.
    pub(super) fn remote_search(&mut self) {
        let Some(session) = &mut self.remote else {
            return;
        };
        let Popup::Search(popup) = &mut self.popup else {
            return;
        };
        popup.selected = 0;
        popup.pending = session.search(&popup.input, SEARCH_LIMIT);
        if !popup.pending {
            popup.hits.clear();
        }
    }

    /// Enter in the search popup while the server searches: wait for it.
    pub(super) fn submit_when_found(&mut self) -> bool {
        self.remote.as_mut().is_some_and(Session::submit_when_found)
    }

    fn found(&mut self, query: String, mut hits: Vec<crate::search::Hit>, submit: bool) -> bool {
        hits.retain(|h| self.filter.entity_visible(&self.graph, h.node));
        hits.truncate(SEARCH_LIMIT);
        let Popup::Search(popup) = &mut self.popup else {
            return false;
        };
        if popup.input != query {
            return false;
        }
        popup.hits = hits;
        popup.selected = 0;
        popup.pending = false;
        if submit {
            self.update(Action::Submit);
        }
        true
    }
}

#[cfg(test)]
#[path = "remote_tests.rs"]
mod tests;
