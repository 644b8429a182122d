//! FollowTheMoney (FtM): the entity format of OCCRP Aleph and OpenSanctions.
//!
//! [`load_ftm`] reads an FtM entity stream (one JSON entity per line) into a
//! [`Graph`](crate::Graph); [`crate::export::to_ftm`] writes a view back as one.
//!
//! The folder: `read/` is the reader, `write.rs` the writer, `mapping.rs` what
//! both agree on (kinds ↔ schemata, and the attribute and source names a round
//! trip relies on), `schema.rs` the schema model over `schema_table.rs`, which
//! `scripts/ftm/gen_schema.sh` generates from the `followthemoney` library.
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

pub mod mapping;
mod read;
pub mod schema;
mod schema_table;
pub(crate) mod write;

pub use mapping::{
    FILE_SOURCE, PROPERTY_ATTR, SCHEMA_ATTR, kind_for_schema, relation_for_schema, schema_for_kind,
    snake,
};
pub use read::{FtmSummary, load_ftm, load_ftm_reader};

/// Does a path name an FtM stream (`.ftm.json`, `.ftm.jsonl`, `.jsonl`)?
pub fn is_ftm_path(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.ends_with(".ftm.json") || name.ends_with(".ftm.jsonl") || name.ends_with(".jsonl")
}
