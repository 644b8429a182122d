//! Who is who: finding the records that are one person or company, keeping
//! judgements of them, and the merged view.
//!
//! - [`name`]: the name matcher (folded, token sets, phonetic keys, typos);
//! - [`record`]: what an entity says about who it is (FtM properties);
//! - [`score`]: a pair's score in [0, 1] with its explanation;
//! - [`xref`]: candidate pairs through a blocking index;
//! - [`judgements`]: the resolver file (nomenklatura's format) and its clusters;
//! - [`merge`]: the graph with each cluster as one entity;
//! - [`screen`]: rows of names against the loaded data.

pub mod judgements;
pub mod merge;
pub mod name;
pub mod record;
pub mod score;
pub mod screen;
pub mod xref;

pub use judgements::{Clusters, Edge, Judgement, Judgements};
pub use name::{Name, name_similarity};
pub use xref::{Candidate, DEFAULT_MIN_SCORE, XrefOptions, xref};
