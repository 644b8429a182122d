//! What a record says that tells who it is: its names, schema, birth dates,
//! countries, identifiers and addresses, read from the FtM properties an
//! entity keeps as attributes.

use crate::graph::{Graph, NodeIx};
use crate::model::EntityKind;

use super::name::Name;

/// FtM properties holding identifiers: equal counts strongly for, different
/// (in the same property) strongly against.
pub const ID_PROPS: &[&str] = &[
    "idNumber",
    "registrationNumber",
    "taxNumber",
    "wikidataId",
    "leiCode",
    "innCode",
    "ogrnCode",
    "okpoCode",
    "vatCode",
    "dunsCode",
    "swiftBic",
    "bikCode",
    "passportNumber",
    "socialSecurityNumber",
    "imoNumber",
    "mmsi",
    "npiCode",
    "uniqueEntityId",
    "permId",
    "icijId",
];

/// FtM properties naming a country.
pub const COUNTRY_PROPS: &[&str] = &[
    "country",
    "nationality",
    "citizenship",
    "jurisdiction",
    "mainCountry",
];

/// Which kinds of thing can be one thing: a Person is never a Company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Person,
    /// Organisations, companies, public bodies, funds, coalitions.
    Organisation,
    /// Any other thing worth matching (vessels, assets, other FtM things): only
    /// with its own kind.
    Thing(u32),
}

/// One record to match.
#[derive(Debug, Clone)]
pub struct Record {
    pub node: NodeIx,
    pub class: Class,
    pub names: Vec<Name>,
    /// Digits only: `1956-04-09` → `19560409`, `1956` → `1956`.
    pub births: Vec<String>,
    pub countries: Vec<String>,
    /// (index into [`ID_PROPS`], value upper-case alphanumerics).
    pub ids: Vec<(u8, String)>,
    pub addresses: Vec<Name>,
    /// Index of the record's dataset in the [`Records`]' list.
    pub dataset: u32,
}

/// The class of an entity, or `None` when it is not a thing worth matching
/// (places, events, agreements, payments made nodes, placeholders).
pub fn class_of(graph: &Graph, node: NodeIx) -> Option<Class> {
    let e = graph.entity(node);
    match e.kind {
        EntityKind::Person => Some(Class::Person),
        EntityKind::Organisation
        | EntityKind::Company
        | EntityKind::Ministry
        | EntityKind::Fund
        | EntityKind::Coalition => Some(Class::Organisation),
        EntityKind::Equipment | EntityKind::Other(_) => {
            if crate::ftm::is_placeholder(graph, node) {
                None
            } else {
                Some(Class::Thing(e.kind.code()))
            }
        }
        _ => None,
    }
}

/// Can records of these classes be one thing?
pub fn compatible(a: Class, b: Class) -> bool {
    a == b
}

/// Upper-case letters and digits of an identifier (`DE 123-45` → `DE12345`).
pub fn clean_id(value: &str) -> String {
    crate::search::fold(value)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The digits of a date (`1956-04-09` → `19560409`).
pub fn clean_date(value: &str) -> String {
    value.chars().filter(char::is_ascii_digit).collect()
}

/// The datasets an entity was read from (its FtM `datasets`, or the input
/// it came from), else the ids of the sources it cites.
pub fn datasets_of(graph: &Graph, node: NodeIx) -> Vec<String> {
    let names: Vec<String> = graph
        .dataset_list(graph.entity_datasets(node))
        .into_iter()
        .map(|d| graph.dataset_name(d).to_string())
        .collect();
    if !names.is_empty() {
        return names;
    }
    let e = graph.entity(node);
    graph
        .source_list(e.sources)
        .iter()
        .map(|&s| graph.source(s))
        .filter(|s| &*s.id != crate::ftm::FILE_SOURCE)
        .map(|s| s.id.to_string())
        .collect()
}

impl Record {
    /// The record of an entity (with no dataset: see [`Records::new`]).
    pub fn of(graph: &Graph, node: NodeIx, class: Class) -> Record {
        let e = graph.entity(node);
        let mut names = Vec::with_capacity(1 + e.aliases.len());
        for n in std::iter::once(e.name).chain(e.aliases.iter()) {
            let name = Name::new(n);
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
        let mut r = Record {
            node,
            class,
            names,
            births: Vec::new(),
            countries: Vec::new(),
            ids: Vec::new(),
            addresses: Vec::new(),
            dataset: 0,
        };
        for (k, v) in e.attrs.iter() {
            let key = graph.sym(k);
            if key == "birthDate" {
                let d = clean_date(v);
                if d.len() >= 4 {
                    r.births.push(d);
                }
            } else if COUNTRY_PROPS.contains(&key) {
                r.countries.push(v.trim().to_ascii_lowercase());
            } else if key == "address" {
                r.addresses.push(Name::new(v));
            } else if let Some(i) = ID_PROPS.iter().position(|p| *p == key) {
                let id = clean_id(v);
                if id.len() >= 2 {
                    r.ids.push((i as u8, id));
                }
            }
        }
        r
    }
}

/// The records of a graph worth matching, with their datasets.
#[derive(Debug, Default)]
pub struct Records {
    pub records: Vec<Record>,
    /// Dataset names, indexed by [`Record::dataset`].
    pub datasets: Vec<String>,
}

impl Records {
    pub fn new(graph: &Graph) -> Records {
        use rayon::prelude::*;
        let nodes: Vec<(NodeIx, Class)> = graph
            .node_indices()
            .filter_map(|n| class_of(graph, n).map(|c| (n, c)))
            .collect();
        let mut records: Vec<Record> = nodes
            .par_iter()
            .map(|&(n, c)| Record::of(graph, n, c))
            .collect();
        let mut datasets: Vec<String> = Vec::new();
        let mut known: std::collections::HashMap<String, u32> = Default::default();
        for r in &mut records {
            let name = datasets_of(graph, r.node)
                .into_iter()
                .next()
                .unwrap_or_default();
            let next = known.len() as u32;
            r.dataset = *known.entry(name.clone()).or_insert_with(|| {
                datasets.push(name);
                next
            });
        }
        Records { records, datasets }
    }
}
