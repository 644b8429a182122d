//! The clusters of the view, for the card: found by a job (at once for small
//! graphs, else on a thread of its own) whose result the app keeps.

use crate::analysis::clusters::Clusters;
use crate::job::{Job, JobError};
use crate::view::Filter;

/// Graphs of more entities find their clusters on another thread.
pub const CLUSTERS_INLINE_UP_TO: usize = 50_000;

/// The clusters of one filter's view, being found or found (at once for
/// small graphs, else on a thread of their own).
#[derive(Debug)]
pub struct ClusterJob {
    pub filter: Filter,
    pub job: Job<Clusters>,
}

/// What the card can say of the clusters.
#[derive(Debug)]
pub enum ClusterState<'a> {
    Finding,
    Found(&'a Clusters),
    Failed(&'a JobError),
}
