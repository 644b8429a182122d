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

/// The id of the source every FtM record cites: the file it was read from.
/// The writer leaves it out.
pub const FILE_SOURCE: &str = "ftm-file";

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
