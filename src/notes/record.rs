//! One line of a notebook, and what a note is on.
//!
//! ```json
//! {"op":"add","note":"ana-18e2…","on":"entity","target":"umerov","text":"…","tags":["mod"],"author":"ana","time":"2026-12-05T18:30:00Z"}
//! {"op":"add","note":"…","on":"relation","from":"umerov","kind":"signed","to":"agr-1","text":"…","author":"ana","time":"…"}
//! {"op":"edit","note":"ana-18e2…","on":"entity","target":"umerov","text":"new text","author":"ana","time":"…"}
//! {"op":"tag","on":"entity","target":"umerov","tags":["follow-up"],"author":"ana","time":"…"}
//! ```
//!
//! A relation is keyed by its ends' ids and its kind (`from`, `kind`, `to`),
//! plus its own id (`target`) when the data gives it one: the key survives
//! reloading, re-importing and reordering the data.

use serde::{Deserialize, Serialize};

use crate::graph::{EdgeIx, Graph, NodeIx};

/// What a record does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A new note (its text), and tags added to its target.
    Add,
    /// A note's new text.
    Edit,
    /// A note deleted.
    Delete,
    /// Tags added to a target.
    Tag,
    /// Tags removed from a target.
    Untag,
}

/// A relation as notes name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationKey {
    /// The relation's own id, when the data gives one.
    pub id: Option<String>,
    pub from: String,
    /// The relation kind's label (`signed`, `funded`…).
    pub kind: String,
    pub to: String,
}

/// What a note or a tag is on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Entity(String),
    Relation(RelationKey),
}

impl Target {
    pub fn of_entity(graph: &Graph, node: NodeIx) -> Target {
        Target::Entity(graph.entity(node).id.to_string())
    }

    pub fn of_relation(graph: &Graph, edge: EdgeIx) -> Target {
        let r = graph.relation(edge);
        let (a, b) = graph.ends(edge);
        Target::Relation(RelationKey {
            id: r.id().map(std::borrow::Cow::into_owned),
            from: graph.entity(a).id.to_string(),
            kind: graph.relation_kind_label(r.kind).to_string(),
            to: graph.entity(b).id.to_string(),
        })
    }

    /// The entity this names, if the data holds it.
    pub fn entity_in(&self, graph: &Graph) -> Option<NodeIx> {
        match self {
            Target::Entity(id) => graph.find(id),
            Target::Relation(_) => None,
        }
    }

    /// The relation this names, if the data holds it: the one with its id,
    /// else the first from `from` to `to` of its kind.
    pub fn relation_in(&self, graph: &Graph) -> Option<EdgeIx> {
        let Target::Relation(k) = self else {
            return None;
        };
        let from = graph.find(&k.from)?;
        let to = graph.find(&k.to)?;
        let same = |e: EdgeIx, with_id: bool| {
            let r = graph.relation(e);
            graph.ends(e) == (from, to)
                && graph.relation_kind_label(r.kind) == k.kind
                && (!with_id || r.id().as_deref() == k.id.as_deref())
        };
        let out = || {
            graph
                .ties_dir(from, petgraph::Direction::Outgoing)
                .map(|t| t.edge)
        };
        out()
            .find(|&e| same(e, true))
            .or_else(|| out().find(|&e| same(e, false)))
    }

    /// The data holds what this names.
    pub fn in_data(&self, graph: &Graph) -> bool {
        match self {
            Target::Entity(_) => self.entity_in(graph).is_some(),
            Target::Relation(_) => self.relation_in(graph).is_some(),
        }
    }

    /// The entity the target is about: the entity, or the relation's `from`.
    pub fn entity_id(&self) -> &str {
        match self {
            Target::Entity(id) => id,
            Target::Relation(k) => &k.from,
        }
    }

    /// How a listing names it: the entity's name, or `A —kind→ B`, with the
    /// ids when the data does not hold them.
    pub fn describe(&self, graph: &Graph) -> String {
        let name = |id: &str| match graph.find(id) {
            Some(n) => graph.entity(n).name.to_string(),
            None => id.to_string(),
        };
        match self {
            Target::Entity(id) => name(id),
            Target::Relation(k) => format!("{} —{}→ {}", name(&k.from), k.kind, name(&k.to)),
        }
    }
}

/// One line of a notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub op: Op,
    /// The note added, edited or deleted (none for tags).
    pub note: Option<String>,
    pub target: Target,
    pub text: String,
    pub tags: Vec<String>,
    pub author: String,
    /// RFC 3339, UTC.
    pub time: String,
}

/// The line's JSON shape: flat, so it reads well in a diff.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Line {
    op: Op,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    on: On,
    /// The entity's id, or the relation's own id if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    author: String,
    time: String,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum On {
    Entity,
    Relation,
}

impl Record {
    /// A record made now by `author`; an `add` gets a fresh note id.
    pub fn new(op: Op, target: Target, author: &str) -> Record {
        let now = time::OffsetDateTime::now_utc();
        let time = now
            .replace_nanosecond(0)
            .unwrap_or(now)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let note = (op == Op::Add).then(|| {
            let slug: String = author
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(16)
                .collect();
            format!(
                "{}-{:x}",
                if slug.is_empty() { "n" } else { &slug },
                now.unix_timestamp_nanos()
            )
        });
        Record {
            op,
            note,
            target,
            text: String::new(),
            tags: Vec::new(),
            author: author.to_string(),
            time,
        }
    }

    pub fn with_text(mut self, text: &str) -> Record {
        self.text = text.to_string();
        self
    }

    pub fn with_tags(mut self, tags: Vec<String>) -> Record {
        self.tags = tags;
        self
    }

    pub fn with_note(mut self, id: &str) -> Record {
        self.note = Some(id.to_string());
        self
    }

    pub(super) fn to_line(&self) -> Line {
        let (on, target, from, kind, to) = match &self.target {
            Target::Entity(id) => (On::Entity, Some(id.clone()), None, None, None),
            Target::Relation(k) => (
                On::Relation,
                k.id.clone(),
                Some(k.from.clone()),
                Some(k.kind.clone()),
                Some(k.to.clone()),
            ),
        };
        Line {
            op: self.op,
            note: self.note.clone(),
            on,
            target,
            from,
            kind,
            to,
            text: self.text.clone(),
            tags: self.tags.clone(),
            author: self.author.clone(),
            time: self.time.clone(),
        }
    }

    pub(super) fn from_line(l: Line) -> Result<Record, String> {
        let target = match l.on {
            On::Entity => Target::Entity(l.target.ok_or("an entity record needs `target`")?),
            On::Relation => Target::Relation(RelationKey {
                id: l.target,
                from: l.from.ok_or("a relation record needs `from`")?,
                kind: l.kind.ok_or("a relation record needs `kind`")?,
                to: l.to.ok_or("a relation record needs `to`")?,
            }),
        };
        if matches!(l.op, Op::Edit | Op::Delete | Op::Add) && l.note.is_none() {
            return Err("an add, edit or delete record needs `note` (the note's id)".into());
        }
        if matches!(l.op, Op::Tag | Op::Untag) && l.tags.is_empty() {
            return Err("a tag or untag record needs `tags`".into());
        }
        Ok(Record {
            op: l.op,
            note: l.note,
            target,
            text: l.text,
            tags: l.tags,
            author: l.author,
            time: l.time,
        })
    }
}
