//! Binary snapshots of a loaded graph.
