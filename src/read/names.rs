//! Attribute names that the readers would take as fields, and how exports keep
//! such attributes attributes.

/// Names the readers take as a ties field (or, in a CSV table, as a column
/// with a meaning), not as an attribute.
const RESERVED: &[&str] = &[
    "id",
    "name",
    "label",
    "kind",
    "type",
    "rel_type",
    "role",
    "aliases",
    "alias",
    "date",
    "until",
    "note",
    "amount",
    "currency",
    "approx",
    "sources",
    "source_ids",
    "relation_id",
    "undirected",
    "weight",
    "node_id",
    "source",
    "target",
    "from",
    "to",
    "node_id_start",
    "node_id_end",
    "since",
    "start_date",
    "incorporation_date",
    "end_date",
    "inactivation_date",
    "relation",
    "relationship",
    "link",
    "sourceid",
    "original_name",
    "former_name",
];

/// Prefix that keeps an attribute named like a field an attribute.
pub(super) const ATTR_PREFIX: &str = "attr_";

/// The name an exporter gives an attribute so that the readers take it back as
/// that attribute: `attr_date` for an attribute named `date` (a field's name),
/// the name itself otherwise.
pub fn attribute_name(name: &str) -> std::borrow::Cow<'_, str> {
    let lower = name.trim().to_ascii_lowercase();
    if RESERVED.contains(&lower.as_str()) || lower.starts_with(ATTR_PREFIX) {
        format!("{ATTR_PREFIX}{name}").into()
    } else {
        name.into()
    }
}
