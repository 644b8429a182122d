//! FollowTheMoney (FtM): the entity format of OCCRP Aleph and OpenSanctions.
//!
//! [`load_ftm`] reads an FtM entity stream (one JSON entity per line) into a
//! [`Graph`](crate::Graph); [`crate::export::to_ftm`] (`export/ftm.rs`) writes a
//! view back as one.
//!
//! The folder: `read/` is the reader, `mapping.rs` what it and the writer
//! (`export/ftm.rs`) agree on (kinds ↔ schemata, and the attribute and source names a round
//! trip relies on), `schema.rs` the schema model over its table `schema/table.rs`, which
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
pub mod show;

pub use mapping::{
    FILE_SOURCE, PLACEHOLDER_ATTR, PLACEHOLDER_TEXT, PROPERTY_ATTR, SCHEMA_ATTR, is_placeholder,
    kind_for_schema, relation_for_schema, schema_for_kind, snake,
};
pub(crate) use read::host;
pub use read::{
    FtmSummary, Issue, IssueCount, LINES_SHOWN, Noted, load_ftm, load_ftm_files, load_ftm_reader,
    pick_name, valid_id,
};
pub use show::{badges, entity_properties, provenance, relation_properties};

/// File names FtM streams go by (each also gzip-compressed, with `.gz`).
pub const EXTENSIONS: &[&str] = &[".ftm.json", ".ftm.jsonl", ".jsonl", ".ijson", ".json"];

/// Does a path name an FtM stream (`.ftm.json`, `.ftm.jsonl`, `.jsonl`,
/// `.ijson`, `.json`, each possibly with `.gz`)?
pub fn is_ftm_path(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    EXTENSIONS.iter().any(|e| name.ends_with(e))
}

/// Is `head` (the first bytes of a file) the start of a gzip stream?
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Is the file an FtM entity stream? Decided by its content (`head` is its
/// first few KiB, decompressed first if gzip): a JSON object with `schema`
/// and `id` keys. With no content to go by, the name decides.
pub fn sniff(path: &std::path::Path, head: &[u8]) -> bool {
    let mut owned = Vec::new();
    let head = if is_gzip(head) {
        use std::io::Read;
        // A truncated stream ends in an error; what came before is enough.
        let _ = flate2::read::MultiGzDecoder::new(head)
            .take(4096)
            .read_to_end(&mut owned);
        &owned[..]
    } else {
        head
    };
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let text = head.trim_ascii_start();
    if text.is_empty() {
        return is_ftm_path(path);
    }
    if !text.starts_with(b"{") {
        return false;
    }
    let first = text.split(|&b| b == b'\n').next().unwrap_or(text);
    let has = |key: &[u8]| first.windows(key.len()).any(|w| w == key);
    has(b"\"schema\"") && has(b"\"id\"")
}

/// The reader contract: the graph and its load notes (the summary, one line each).
pub fn read(
    path: &std::path::Path,
) -> Result<(crate::graph::Graph, Vec<String>), crate::load::LoadError> {
    let (graph, summary) = load_ftm(path)?;
    Ok((graph, summary.notes()))
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::Path;

    use super::*;

    #[test]
    fn sniffs_ftm_by_content_and_name() {
        let line = br#"{"id": "a", "properties": {"name": ["A"]}, "schema": "Person"}"#;
        assert!(sniff(Path::new("x.txt"), line));
        assert!(!sniff(Path::new("x.ftm.json"), b"Graph(sources: [])"));
        assert!(!sniff(Path::new("x.json"), br#"{"nodes": []}"#));
        assert!(sniff(Path::new("x.ijson"), b""));
        assert!(!sniff(Path::new("x.ron"), b""));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(line).unwrap();
        let gz = gz.finish().unwrap();
        assert!(sniff(Path::new("x.gz"), &gz));
        assert!(is_ftm_path(Path::new("a/B.IJSON.gz")));
    }
}
