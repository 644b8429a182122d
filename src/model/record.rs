//! The records a graph file is made of, exactly as written in RON.
//!
//! A file is one `Graph(sources: [...], entities: [...], relations: [...])`; a folder
//! of such files is merged. Records keep dates and amounts as written so that the
//! loader can report every bad value in a file, not just the first; the loader turns
//! records into the compact in-memory [`crate::graph::Graph`].

use serde::{Deserialize, Serialize};

use super::amount::AmountRecord;
use super::kinds::{EntityKind, RelationKind};

/// One graph file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Graph", deny_unknown_fields)]
pub struct GraphFile {
    #[serde(default)]
    pub sources: Vec<SourceRecord>,
    #[serde(default)]
    pub entities: Vec<EntityRecord>,
    #[serde(default)]
    pub relations: Vec<RelationRecord>,
}

/// A document the facts come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Source", deny_unknown_fields)]
pub struct SourceRecord {
    pub id: String,
    /// Who published it, as far as the document says.
    pub outlet: String,
    pub title: String,
    /// Publication date, as precise as known (`YYYY[-MM[-DD]]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The file the document was read from.
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A person, body, place, programme, agreement, event…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Entity", deny_unknown_fields)]
pub struct EntityRecord {
    /// Stable slug, unique across all loaded files.
    pub id: String,
    pub kind: EntityKind,
    pub name: String,
    /// Other spellings and transliterations; searched like the name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Loose or partial names; searchable but ranked below aliases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weak_aliases: Vec<String>,
    /// When it happened or began (`YYYY[-MM[-DD]]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// When it ended, for things that run over time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The size of a fund, tranche, campaign or agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<AmountRecord>,
    /// Source ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Other facts as name/value pairs (kept from imports, never dropped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<(String, String)>,
    /// The datasets it was read from (several inputs opened as one); none:
    /// the file's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<String>,
}

/// A typed, dated, sourced tie: `from —kind→ to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Relation", deny_unknown_fields)]
pub struct RelationRecord {
    /// Optional stable id (imports keep theirs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub from: String,
    pub to: String,
    pub kind: RelationKind,
    /// The office or capacity, e.g. "Minister of National Defence".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<AmountRecord>,
    /// Source ids; at least one.
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<(String, String)>,
    /// The relation has no direction (`from` and `to` are only the order it
    /// was read in): an undirected edge of an imported graph.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub undirected: bool,
    /// See [`EntityRecord::datasets`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<String>,
}
