//! FollowTheMoney (FtM): the entity format of OCCRP Aleph and OpenSanctions.
//!
//! [`load_ftm`] reads an FtM entity stream (one JSON entity per line) into a
//! [`Graph`](crate::Graph); [`crate::export::to_ftm`] writes a view back as one.
//!
//! How FtM maps onto `ties`:
//!
//! - *Things* (Person, Organization, Company, PublicBody, Project, Event, Address,
//!   Position…) become entities. `name` is the name (further names become
//!   aliases), `alias` and `previousName` are aliases, `weakAlias` weak aliases.
//!   Dates of interval things (Event, Project, Contract…) become the entity's
//!   date span; every other property is kept as an attribute under its FtM name.
//!   Entity-valued properties of things (an Event's `involved`, a Person's
//!   `addressEntity`…) become relations.
//! - *Relationships* (Payment, Membership, Directorship, Ownership, Employment,
//!   Representation, Family, Associate, Occupancy, ProjectParticipant,
//!   UnknownLink, Documentation and any other FtM edge schema) become relations
//!   from the edge's source to its target. One that links more than two
//!   parties (several payers, a Payment with a `project`, an edge from a party to
//!   itself) becomes a node (a tranche for payments, an event otherwise) tied to
//!   every party.
//! - `sourceUrl` and `publisher` become sources; every record also cites the file.
//! - Unknown schemata become entities of that kind with every property as an
//!   attribute; unknown properties become attributes. Both are counted in the
//!   [`FtmSummary`].
//!
//! When the FtM schema cannot be told from the `ties` kind (a PublicBody loads as
//! an organisation), it is kept in the attribute [`SCHEMA_ATTR`] so that an export
//! writes the same schema back.

mod read;
pub mod schema;
mod schema_table;

pub(crate) use read::parse_ftm_date;
pub use read::{FILE_SOURCE, FtmSummary, load_ftm, load_ftm_reader};

use crate::model::{EntityKind, RelationKind};

/// Attribute that keeps an entity's or relation's FtM schema when its `ties`
/// kind alone would export as a different one.
pub const SCHEMA_ATTR: &str = "ftm_schema";

/// Does a path name an FtM stream (`.ftm.json`, `.ftm.jsonl`, `.jsonl`)?
pub fn is_ftm_path(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.ends_with(".ftm.json") || name.ends_with(".ftm.jsonl") || name.ends_with(".jsonl")
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
