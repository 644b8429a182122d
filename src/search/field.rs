//! Which text of an entity a hit matched: its name, an alias, a weak alias, or
//! an office it holds.

use crate::graph::{Graph, NodeIx};

/// Which of an entity's names matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchedField {
    Name,
    /// `aliases[i]`.
    Alias(u32),
    /// `weak_aliases[i]`.
    WeakAlias(u32),
    /// An office the entity holds: the role of its `holds_office` relation
    /// (this edge index) and the name of the body it is held in.
    Office(u32),
}

impl MatchedField {
    /// `name`, `alias`, `weak alias` or `holds office`.
    pub fn label(self) -> &'static str {
        match self {
            MatchedField::Name => "name",
            MatchedField::Alias(_) => "alias",
            MatchedField::WeakAlias(_) => "weak alias",
            MatchedField::Office(_) => "holds office",
        }
    }

    /// The text of this field of `entity`, if it has one (an office is not a
    /// field of the entity itself: see [`Self::text_in`]).
    pub fn text_of<'g>(self, entity: &crate::graph::Entity<'g>) -> Option<&'g str> {
        match self {
            MatchedField::Name => Some(entity.name),
            MatchedField::Alias(i) => entity.aliases.get(i as usize),
            MatchedField::WeakAlias(i) => entity.weak_aliases.get(i as usize),
            MatchedField::Office(_) => None,
        }
    }

    /// The text of this field of `node` in `graph`: for an office, its role and
    /// the body's name (`Minister of Defence, Ministry of Defence of Ukraine`).
    pub fn text_in(self, graph: &Graph, node: NodeIx) -> Option<String> {
        match self {
            MatchedField::Office(e) => {
                let edge = crate::graph::EdgeIx::new(e as usize);
                if e as usize >= graph.edge_count() || graph.ends(edge).0 != node {
                    return None;
                }
                office_text(graph, edge)
            }
            _ => self.text_of(&graph.entity(node)).map(str::to_string),
        }
    }
}

/// Whether a relation is an office its holder is found by: a `holds_office`
/// with a role.
pub(crate) fn office_edge(graph: &Graph, edge: crate::graph::EdgeIx) -> bool {
    let r = graph.relation(edge);
    r.kind == crate::model::RelationKind::HoldsOffice && r.role.is_some()
}

/// What an office is indexed as: `role, body`, or `None` when the relation is
/// not a `holds_office` with a role.
pub(crate) fn office_text(graph: &Graph, edge: crate::graph::EdgeIx) -> Option<String> {
    let r = graph.relation(edge);
    if r.kind != crate::model::RelationKind::HoldsOffice {
        return None;
    }
    let role = graph.sym(r.role?);
    let body = graph.entity_name(graph.ends(edge).1);
    Some(format!("{role}, {body}"))
}

pub(crate) const FIELD_INDEX: u32 = (1 << 30) - 1;
