//! How FtM names map onto `ties`: schemata to kinds and back, and the attribute
//! and source names the reader writes and the writer reads back (defined here
//! once so that both sides agree).

use crate::model::{EntityKind, RelationKind};

use super::schema;

/// Attribute that keeps an entity's or relation's FtM schema when its `ties`
/// kind alone would export as a different one.
pub const SCHEMA_ATTR: &str = "ftm_schema";

/// Attribute the reader puts on a relation made from an entity-valued property
/// of a thing (an Event's `involved`…); the writer puts the relation back into it.
pub const PROPERTY_ATTR: &str = "ftm_property";

/// Attribute that records which FtM property each of an entity's names came
/// from, when that is not simply "the one name": its first character is `N`
/// when the shown name is a `name` value (`-` when it came from elsewhere, a
/// `caption` or an address's `full`), then one character per alias in order:
/// `n` for `name`, `a` for `alias`, `p` for `previousName`. The writer uses it
/// to put every name back where it was.
pub const NAMES_ATTR: &str = "ftm_names";

/// Attribute naming the property an entity's note came from when it was not
/// `description` (`notes`, `summary`).
pub const NOTE_ATTR: &str = "ftm_note";

/// Attribute of an entity of the merged view (records judged one thing, see
/// `crate::matching::merge`): one value per record, `id (dataset)`. The card
/// shows it as "Merged from N records".
pub const MERGED_ATTR: &str = "merged_from";

/// Attribute of an entity of the merged view: the ids of the records merged
/// into it other than its own; FtM writes them as the entity's `referents`
/// (one of the [`PROVENANCE`] attributes).
pub const REFERENTS_ATTR: &str = "referents";

/// Attribute of an entity of the merged view: a negative judgement between two
/// of its records (`a ≠ b`), shown as a conflict.
pub const CONFLICT_ATTR: &str = "merge_conflict";

/// The provenance an FtM entity carries at its top level (beside `datasets`):
/// kept as attributes of these names, written back there.
pub const PROVENANCE: [&str; 4] = ["first_seen", "last_seen", "last_change", "referents"];

/// Is `key` one of the [`PROVENANCE`] attributes?
pub fn is_provenance_attr(key: &str) -> bool {
    PROVENANCE.contains(&key)
}

/// Attributes that only steer a round trip; cards and exports other than FtM
/// may leave them out.
pub fn is_hidden_attr(key: &str) -> bool {
    matches!(key, NAMES_ATTR | NOTE_ATTR | PROPERTY_ATTR | SCHEMA_ATTR)
}

/// Attribute on an entity made for a reference to an entity the data does not
/// hold: kind and id are known, nothing else. Its value is [`PLACEHOLDER_TEXT`].
pub const PLACEHOLDER_ATTR: &str = "ties_placeholder";

/// What [`PLACEHOLDER_ATTR`] says.
pub const PLACEHOLDER_TEXT: &str = "not in the loaded data";

/// Is the entity at `node` a placeholder for an entity not in the loaded data?
pub fn is_placeholder(graph: &crate::graph::Graph, node: crate::graph::NodeIx) -> bool {
    graph
        .entity(node)
        .attrs
        .iter()
        .any(|(k, _)| graph.sym(k) == PLACEHOLDER_ATTR)
}

/// The id of the source every FtM record cites: the file it was read from.
/// The writer leaves it out.
pub const FILE_SOURCE: &str = "ftm-file";

/// An entity's kind as shown to people: `organisation`, or `organisation
/// (PublicBody)` when the entity keeps an FtM schema its kind does not name.
pub fn kind_text(graph: &crate::graph::Graph, node: crate::graph::NodeIx) -> String {
    let e = graph.entity(node);
    let kind = graph.entity_kind_label(e.kind);
    let schema = e
        .attrs
        .iter()
        .find(|(k, _)| graph.sym(*k) == SCHEMA_ATTR)
        .map(|(_, v)| v);
    match schema {
        Some(s) if snake(s) != kind => format!("{kind} ({s})"),
        _ => kind.to_string(),
    }
}

/// `BankAccount` → `bank_account`: an FtM schema name as a `ties` kind label.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The entity kind a thing schema loads as.
pub fn kind_for_schema(schema: &str) -> EntityKind<String> {
    match schema {
        "Person" => EntityKind::Person,
        "Organization" | "LegalEntity" | "PublicBody" => EntityKind::Organisation,
        "Company" => EntityKind::Company,
        "Project" => EntityKind::Programme,
        "Event" => EntityKind::Event,
        "Address" => EntityKind::Place,
        "Contract" => EntityKind::Agreement,
        "Vessel" | "Vehicle" | "Airplane" => EntityKind::Equipment,
        other => EntityKind::Other(snake(other)),
    }
}

/// The thing schema an entity kind exports as, unless [`SCHEMA_ATTR`] says otherwise.
pub fn schema_for_kind<O: AsRef<str>>(kind: &EntityKind<O>) -> &'static str {
    match kind {
        EntityKind::Person => "Person",
        EntityKind::Ministry => "PublicBody",
        EntityKind::Organisation | EntityKind::Fund | EntityKind::Coalition => "Organization",
        EntityKind::Company => "Company",
        // FtM has no schema for a state; a country acts as a legal entity.
        EntityKind::Country => "LegalEntity",
        EntityKind::Place => "Address",
        EntityKind::Programme | EntityKind::Campaign | EntityKind::Tranche => "Project",
        EntityKind::Agreement => "Contract",
        EntityKind::Event => "Event",
        EntityKind::Equipment => "Asset",
        EntityKind::Other(label) => schema::all()
            .iter()
            .find(|s| !s.is_abstract && s.edge.is_none() && snake(s.name) == label.as_ref())
            .map_or("LegalEntity", |s| s.name),
    }
}

/// How a relationship schema loads: the relation kind, and whether the relation
/// runs from the edge's target to its source (an Employment's employer employs).
pub fn relation_for_schema(schema: &str) -> (RelationKind<String>, bool) {
    match schema {
        "Payment" => (RelationKind::Finances, false),
        "Membership" => (RelationKind::MemberOf, false),
        "Directorship" | "Occupancy" => (RelationKind::HoldsOffice, false),
        "Ownership" => (RelationKind::Owns, false),
        "Employment" => (RelationKind::Employs, true),
        "Representation" => (RelationKind::Represents, false),
        "Family" | "Associate" | "UnknownLink" => (RelationKind::RelatedTo, false),
        "ProjectParticipant" => (RelationKind::PartyTo, false),
        "Documentation" => (RelationKind::Concerns, false),
        other => (RelationKind::Other(snake(other)), false),
    }
}

/// The relationship schema a relation kind exports as, unless [`SCHEMA_ATTR`]
/// names another, and whether the edge runs from the relation's target to its
/// source (the inverse of [`relation_for_schema`]). Kinds FtM has no schema for
/// export as an `UnknownLink`.
pub fn schema_for_relation<O>(kind: &RelationKind<O>) -> (&'static str, bool) {
    match kind {
        RelationKind::Finances | RelationKind::ContributesTo => ("Payment", false),
        RelationKind::MemberOf => ("Membership", false),
        RelationKind::HoldsOffice => ("Directorship", false),
        RelationKind::Owns => ("Ownership", false),
        RelationKind::Employs => ("Employment", true),
        RelationKind::Represents => ("Representation", false),
        RelationKind::PartyTo => ("ProjectParticipant", false),
        RelationKind::Concerns => ("Documentation", false),
        _ => ("UnknownLink", false),
    }
}
