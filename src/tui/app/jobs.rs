//! What the app's jobs hand back: the clusters of the view (for the card),
//! the ranking, the search index; a job that ends without its result is said
//! on the status bar.

use std::sync::Arc;

use super::App;
use crate::analysis::clusters::{self, Clusters};
use crate::job::Job;
use crate::tui::clusters::{CLUSTERS_INLINE_UP_TO, ClusterJob, ClusterState};
use crate::tui::popup::Popup;

impl App {
    /// Starts finding the clusters of the filter's view, unless they are
    /// found or being found. None on a database: the clusters of what was
    /// fetched say nothing of the graph's, and finding them again after
    /// every answer would cost the screen its speed.
    pub(super) fn refresh_clusters(&mut self) {
        if self.remote.is_some() {
            self.clusters = None;
            return;
        }
        if self
            .clusters
            .as_ref()
            .is_some_and(|c| c.filter == self.filter)
        {
            return;
        }
        let job = if self.graph.node_count() <= CLUSTERS_INLINE_UP_TO {
            Job::inline("finding clusters", |_| {
                clusters::clusters(&self.graph, &self.filter)
            })
        } else {
            let (g, f) = (Arc::clone(&self.graph), self.filter.clone());
            Job::spawn("finding clusters", move |_| clusters::clusters(&g, &f))
        };
        self.find_clusters_with(job);
    }

    /// The clusters of the filter's view are what `job` finds (a test gives
    /// one that fails); it wakes the event loop when it ends.
    pub(in crate::tui) fn find_clusters_with(&mut self, job: Job<Clusters>) {
        if let Some(n) = &self.notify {
            job.on_done(Arc::clone(n));
        }
        let filter = self.filter.clone();
        self.clusters = Some(ClusterJob { filter, job });
    }

    /// The clusters of the filter's view, as far as they are found.
    pub fn cluster_state(&self) -> Option<ClusterState<'_>> {
        if self.remote.is_some() {
            return None;
        }
        if self.clusters_after_frame {
            return Some(ClusterState::Finding);
        }
        let c = self.clusters.as_ref().filter(|c| c.filter == self.filter)?;
        Some(match c.job.result() {
            None => ClusterState::Finding,
            Some(Ok(found)) => ClusterState::Found(found),
            Some(Err(e)) => ClusterState::Failed(e),
        })
    }

    /// The cluster the focus is in, for the card.
    pub fn cluster_line(&self) -> Option<String> {
        let c = match self.cluster_state()? {
            ClusterState::Finding => return Some("cluster: finding clusters…".into()),
            ClusterState::Failed(_) => return Some("cluster: could not be found".into()),
            ClusterState::Found(c) => c,
        };
        let i = c.cluster_of(self.focus)?;
        let cluster = &c.clusters[i];
        if cluster.members.len() == 1 {
            return Some("cluster: alone, no visible relations".into());
        }
        let mut line = format!(
            "cluster {} of {}: {} around {}",
            i + 1,
            c.clusters.len(),
            crate::report::count(cluster.members.len(), "entity"),
            self.graph.entity_name(cluster.central)
        );
        if let Some(b) = c.bridges.iter().find(|b| b.node == self.focus) {
            line.push_str(&format!(" · bridge ({} pieces)", b.pieces));
        }
        Some(line)
    }

    /// Takes what the jobs finished: the ranking, the clusters, the search
    /// index. A job that ended without its result is said in the status bar.
    /// True when the screen should be drawn again (also while a ranking
    /// runs: its progress moves).
    pub fn poll_jobs(&mut self) -> bool {
        let mut redraw = false;
        if let Popup::Rank(r) = &mut self.popup {
            let p = r.poll();
            redraw |= p.redraw;
            if let Some(text) = p.failed {
                self.set_status(text, true);
            }
        }
        if let Some(c) = &mut self.clusters
            && c.job.poll()
        {
            redraw = true;
            if let Some(Err(e)) = c.job.result() {
                let text = e.to_string();
                self.set_status(text, true);
            }
        }
        redraw |= self.poll_review();
        redraw | self.poll_saving()
    }

    /// True while a job whose progress is drawn runs: the event loop then
    /// redraws on a tick.
    pub fn animating(&self) -> bool {
        matches!(&self.popup, Popup::Rank(r) if !r.is_done())
    }
}
