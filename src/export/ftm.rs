//! The FollowTheMoney export: the view as an FtM entity stream (one JSON entity
//! per line) that `ftm validate` accepts and Aleph imports.
//!
//! Entities become things (see [`crate::ftm::schema_for_kind`]); relations become
//! relationship entities (Payment, Membership, Directorship, Ownership,
//! Employment, Representation, Family, Associate, Occupancy…) when both ends fit
//! the schema's ranges, and `UnknownLink` with the relation's phrase as `role`
//! otherwise. Relations that came from an entity-valued property of a thing go
//! back into that property. Ids are kept when FtM accepts them; others get a
//! stable hash-based id.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::graph::relid::{fnv, ftm_entity_id, is_ftm_id};
use crate::graph::{Attrs, DatasetSet, EdgeIx, Graph, NodeIx, SourceSet};
use crate::view::Subgraph;

use crate::ftm::host;
use crate::ftm::mapping::{
    CONFLICT_ATTR, FILE_SOURCE, MERGED_ATTR, NAMES_ATTR, NOTE_ATTR, PROPERTY_ATTR, PROVENANCE,
    SCHEMA_ATTR, is_hidden_attr, is_placeholder, is_provenance_attr, schema_for_kind,
    schema_for_relation,
};
use crate::ftm::schema::{self, SchemaDef};
use crate::model::date::parse_day;

type Props = BTreeMap<&'static str, Vec<String>>;

/// The FtM id of an entity id: itself when valid, else a hash of it.
fn entity_id(id: &str) -> String {
    ftm_entity_id(id).into_owned()
}

fn attr<'g>(graph: &Graph, attrs: &Attrs<'g>, key: &str) -> Option<&'g str> {
    attrs
        .iter()
        .find(|(k, _)| graph.sym(*k) == key)
        .map(|(_, v)| v)
}

/// The schema an entity exports as: a thing's, or a relationship's when the
/// entity is a relationship that linked more than two parties.
fn thing_schema(graph: &Graph, node: NodeIx) -> &'static SchemaDef {
    let e = graph.entity(node);
    let kept = attr(graph, &e.attrs, SCHEMA_ATTR)
        .and_then(schema::get)
        .filter(|s| !s.is_abstract);
    let kind = e.kind.map_other(|s| graph.sym(s));
    kept.or_else(|| schema::get(schema_for_kind(&kind)))
        .expect("schema_for_kind names real schemata")
}

/// Does an entity of schema `s` fit a property whose range is `range`?
fn fits(s: &SchemaDef, range: Option<&str>) -> bool {
    range.is_none_or(|r| s.is_a(r))
}

/// Values FtM's cleaning keeps for a type, as far as we can tell without it.
/// Loose types (names, text, strings, identifiers) take anything; strict ones
/// (countries, dates, URLs…) only values that look right, so nothing is dropped
/// silently by `ftm validate`: what does not fit goes into `notes`.
fn value_fits(type_name: &str, value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return false;
    }
    match type_name {
        "name" | "text" | "string" | "identifier" | "address" | "html" | "json" => true,
        "date" => parse_day(v).is_ok(),
        "number" => v.replace(',', "").parse::<f64>().is_ok(),
        "url" => v.starts_with("http://") || v.starts_with("https://"),
        "country" => v.len() == 2 && v.bytes().all(|b| b.is_ascii_lowercase()),
        "topic" => TOPICS.contains(&v),
        "gender" => matches!(v, "male" | "female" | "other"),
        "language" => v.len() == 3 && v.bytes().all(|b| b.is_ascii_lowercase()),
        "email" => v.contains('@') && !v.contains(' '),
        "ip" => v.parse::<std::net::IpAddr>().is_ok(),
        "mimetype" => v.contains('/'),
        "phone" => {
            let digits = v.bytes().filter(u8::is_ascii_digit).count();
            digits >= 6
                && v.bytes()
                    .all(|b| b.is_ascii_digit() || b" +-()./".contains(&b))
        }
        "iban" | "checksum" => v.bytes().all(|b| b.is_ascii_alphanumeric()),
        _ => false,
    }
}

/// The topics `followthemoney` knows (`sanction`, `role.pep`…).
const TOPICS: &[&str] = &[
    "asset.frozen",
    "corp.clone",
    "corp.disqual",
    "corp.offshore",
    "corp.public",
    "corp.shell",
    "crime",
    "crime.boss",
    "crime.cyber",
    "crime.env",
    "crime.fin",
    "crime.fraud",
    "crime.terror",
    "crime.theft",
    "crime.traffick",
    "crime.traffick.drug",
    "crime.traffick.human",
    "crime.war",
    "debarment",
    "export.control",
    "export.control.linked",
    "export.risk",
    "fin",
    "fin.adivsor",
    "fin.bank",
    "fin.fund",
    "forced.labor",
    "geo.risk",
    "gov",
    "gov.admin",
    "gov.executive",
    "gov.financial",
    "gov.head",
    "gov.igo",
    "gov.judicial",
    "gov.legislative",
    "gov.muni",
    "gov.national",
    "gov.religion",
    "gov.security",
    "gov.soe",
    "gov.state",
    "invest.ban",
    "invest.risk",
    "mare.detained",
    "mare.shadow",
    "mare.sts",
    "mil",
    "poi",
    "pol.party",
    "pol.union",
    "reg.action",
    "reg.warn",
    "rel",
    "role.acct",
    "role.act",
    "role.civil",
    "role.diplo",
    "role.journo",
    "role.judge",
    "role.lawyer",
    "role.lobby",
    "role.oligarch",
    "role.pep",
    "role.pep.frmr",
    "role.pep.intl",
    "role.pep.natl",
    "role.pol",
    "role.rca",
    "role.spy",
    "sanction",
    "sanction.control",
    "sanction.counter",
    "sanction.linked",
    "wanted",
];

/// Does `attrs` hold any of `keys`?
fn has_any(graph: &Graph, attrs: &Attrs<'_>, keys: &[&str]) -> bool {
    attrs.iter().any(|(k, _)| keys.contains(&graph.sym(k)))
}

/// Was `amount` read from `amountEur`/`amountUsd` (kept as an attribute), so
/// that writing it as `amount` too would invent a value?
fn amount_from_attr(graph: &Graph, attrs: &Attrs<'_>, amount: crate::model::Amount) -> bool {
    let code = amount.currency.code();
    let prop = match code {
        "EUR" => "amountEur",
        "USD" => "amountUsd",
        _ => return false,
    };
    !has_any(graph, attrs, &["amount"])
        && attrs.iter().any(|(k, v)| {
            graph.sym(k) == prop
                && v.trim().replace(',', "").parse::<f64>().ok() == Some(amount.value)
        })
}

/// The date properties a reader keeps as written when its span alone would
/// not say the same.
const DATE_PROPS: &[&str] = &["date", "startDate", "endDate", "contractDate"];

/// What an FtM line says beside its properties.
struct Meta<'g> {
    datasets: Vec<String>,
    provenance: Vec<(&'static str, &'g str)>,
}

struct Writer<'g> {
    graph: &'g Graph,
    out: String,
    used_ids: HashSet<String>,
}

impl<'g> Writer<'g> {
    fn line(&mut self, id: &str, schema: &str, props: Props, meta: Meta) {
        let props: BTreeMap<&str, Vec<String>> =
            props.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let mut value = serde_json::json!({ "id": id, "schema": schema, "properties": props });
        if let Some(obj) = value.as_object_mut() {
            if !meta.datasets.is_empty() {
                obj.insert("datasets".into(), meta.datasets.into());
            }
            for (k, v) in meta.provenance {
                match k {
                    "referents" => {
                        let list = obj.entry(k).or_insert_with(|| serde_json::json!([]));
                        if let Some(l) = list.as_array_mut() {
                            l.push(v.into());
                        }
                    }
                    _ => {
                        obj.insert(k.into(), v.into());
                    }
                }
            }
        }
        self.out.push_str(&value.to_string());
        self.out.push('\n');
    }

    /// The datasets and provenance of a row, as FtM keeps them at the top
    /// level. A row stored in the graph's default dataset (one input read, its
    /// records naming none) writes none: the records did not say it. A row
    /// whose record named its dataset writes it, even when the file's name
    /// gives the same one; in a graph of several inputs every row names its.
    fn meta(&self, set: DatasetSet, attrs: &Attrs<'g>) -> Meta<'g> {
        let datasets = if set == DatasetSet::DEFAULT && !self.graph.several_inputs() {
            Vec::new()
        } else {
            self.graph
                .dataset_list(set)
                .iter()
                .map(|d| self.graph.dataset_name(*d).to_string())
                .collect()
        };
        let provenance = attrs
            .iter()
            .filter_map(|(k, v)| {
                let k = self.graph.sym(k);
                PROVENANCE.iter().find(|p| **p == k).map(|p| (*p, v))
            })
            .collect();
        Meta {
            datasets,
            provenance,
        }
    }

    /// Adds `value` to `prop` if the schema has it and the value fits its type;
    /// otherwise notes it as `prop: value`.
    fn put(&self, props: &mut Props, def: &SchemaDef, prop: &str, value: String) {
        match def.props.iter().find(|(p, ..)| *p == prop) {
            Some((p, t, _)) if *t != "entity" && value_fits(t, &value) => {
                props.entry(p).or_default().push(value);
            }
            _ => {
                // Things have `notes`; relationships only `summary`.
                let note = ["notes", "summary", "description"]
                    .into_iter()
                    .find(|p| def.prop(p).is_some())
                    .unwrap_or("description");
                props
                    .entry(note)
                    .or_default()
                    .push(format!("{prop}: {value}"));
            }
        }
    }

    fn sources(&self, props: &mut Props, set: SourceSet) {
        for s in self.graph.source_list(set) {
            let s = self.graph.source(s);
            if &*s.id == FILE_SOURCE {
                continue;
            }
            let url = s.url.as_deref().filter(|u| value_fits("url", u));
            if let Some(u) = url {
                push_unique(props, "sourceUrl", u);
            }
            // A reader names an outlet after the URL's host when no publisher
            // was given: that is not a publisher to write back.
            let from_host = s.url.as_deref().is_some_and(|u| host(u) == &*s.outlet);
            if !s.outlet.trim().is_empty() && !from_host {
                push_unique(props, "publisher", &s.outlet);
            }
        }
    }

    fn unique_id(&mut self, wanted: String) -> String {
        let mut id = wanted.clone();
        let mut n = 1;
        while !self.used_ids.insert(id.clone()) {
            n += 1;
            id = format!("{wanted}-{n}");
        }
        id
    }
}

fn push_unique(props: &mut Props, prop: &'static str, value: &str) {
    let list = props.entry(prop).or_default();
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// The relationship schema a relation exports as, its (source, target) ends in
/// FtM order, and whether it fell back to `UnknownLink`.
fn edge_schema(
    graph: &Graph,
    edge: EdgeIx,
    schemata: &HashMap<NodeIx, &'static SchemaDef>,
) -> (&'static SchemaDef, NodeIx, NodeIx, bool) {
    let r = graph.relation(edge);
    let (from, to) = graph.ends(edge);
    let kept = attr(graph, &r.attrs, SCHEMA_ATTR);
    let (name, reversed) = match kept {
        Some(s) if schema::get(s).is_some_and(|d| d.edge.is_some()) => (s, false),
        _ => schema_for_relation(&r.kind),
    };
    let (src, tgt) = if reversed { (to, from) } else { (from, to) };
    let def = schema::get(name).expect("relationship schemata exist");
    let (sp, tp) = def.edge.expect("relationship schemata are edges");
    if fits(schemata[&src], def.range(sp)) && fits(schemata[&tgt], def.range(tp)) {
        (def, src, tgt, false)
    } else {
        let link = schema::get("UnknownLink").expect("UnknownLink exists");
        (link, from, to, true)
    }
}

/// An investigator's note (or tags) to export as an FtM `Note` entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteEntity {
    /// The note's own id in the notebook (the FtM id is made from it).
    pub id: String,
    /// The entities it is about (a relation's note: both ends).
    pub on: Vec<NodeIx>,
    pub text: String,
    pub author: String,
    /// RFC 3339.
    pub time: String,
    pub tags: Vec<String>,
}

/// The view as an FtM entity stream.
pub fn to_ftm(graph: &Graph, sub: &Subgraph) -> String {
    to_ftm_with_notes(graph, sub, &[])
}

/// The view as an FtM entity stream, followed by a `Note` entity for each of
/// `notes` about an entity of the view, its `entity` property naming it.
pub fn to_ftm_with_notes(graph: &Graph, sub: &Subgraph, notes: &[NoteEntity]) -> String {
    let mut w = Writer {
        graph,
        out: String::new(),
        used_ids: HashSet::new(),
    };
    let schemata: HashMap<NodeIx, &'static SchemaDef> = sub
        .nodes
        .iter()
        .map(|&n| (n, thing_schema(graph, n)))
        .collect();
    let ids: HashMap<NodeIx, String> = sub
        .nodes
        .iter()
        .map(|&n| (n, w.unique_id(entity_id(graph.entity(n).id))))
        .collect();

    // Relations read from a thing's entity property go back into it.
    let mut back_refs: HashMap<NodeIx, Vec<(&'static str, NodeIx)>> = HashMap::new();
    // The roles of a relationship node's parties (the reader puts the
    // relationship's role on each tie).
    let mut roles: HashMap<NodeIx, Vec<String>> = HashMap::new();
    let mut as_edges: Vec<EdgeIx> = Vec::new();
    for &e in &sub.edges {
        let r = graph.relation(e);
        let (from, to) = graph.ends(e);
        let prop = attr(graph, &r.attrs, PROPERTY_ATTR);
        let placed = prop.and_then(|p| {
            // The property is on whichever end's schema has it with a fitting range.
            [(from, to), (to, from)].into_iter().find_map(|(a, b)| {
                let def = schemata[&a];
                let (name, t, range) = def.props.iter().find(|(n, ..)| *n == p)?;
                (*t == "entity" && fits(schemata[&b], (!range.is_empty()).then_some(range))).then(
                    || {
                        back_refs.entry(a).or_default().push((name, b));
                        if def.edge.is_some()
                            && let Some(role) = r.role.map(|s| graph.sym(s).to_string())
                        {
                            let list = roles.entry(a).or_default();
                            if !list.contains(&role) {
                                list.push(role);
                            }
                        }
                    },
                )
            })
        });
        if placed.is_none() {
            as_edges.push(e);
        }
    }

    for &n in &sub.nodes {
        // A placeholder stands for an entity the data did not hold: references
        // to it are written, it is not.
        if is_placeholder(graph, n) {
            continue;
        }
        let e = graph.entity(n);
        let def = schemata[&n];
        let mut props = Props::new();
        let name_prop = if def.prop("name").is_some() {
            "name"
        } else {
            "title"
        };
        let code = attr(graph, &e.attrs, NAMES_ATTR)
            .filter(|c| c.chars().count() == e.aliases.len() + 1 && def.prop("name").is_some());
        if def.edge.is_some() {
            // A relationship of more than two parties: its name was made from
            // the schema and its first name, or its id.
            let named = e
                .name
                .strip_prefix(def.name)
                .and_then(|n| n.strip_prefix(' '))
                .filter(|n| *n != e.id);
            for n in named.into_iter().chain(e.aliases.iter()) {
                w.put(&mut props, def, "name", n.to_string());
            }
            for role in roles.remove(&n).unwrap_or_default() {
                w.put(&mut props, def, "role", role);
            }
        } else if let Some(code) = code {
            // Read from FtM: every name goes back to the property it came from.
            let mut tags = code.chars();
            if tags.next() == Some('N') {
                props.entry("name").or_default().push(e.name.to_string());
            }
            for (a, t) in e.aliases.iter().zip(tags) {
                let p = match t {
                    'n' => "name",
                    'p' => "previousName",
                    _ => "alias",
                };
                props.entry(p).or_default().push(a.to_string());
            }
        } else {
            props.entry(name_prop).or_default().push(e.name.to_string());
            // Contracts need a title; an address is captioned by its full form.
            for extra in ["title", "full"] {
                if extra != name_prop
                    && def.prop(extra).is_some()
                    && def.caption.first() == Some(&extra)
                {
                    props.entry(extra).or_default().push(e.name.to_string());
                }
            }
            for a in e.aliases.iter() {
                props.entry("alias").or_default().push(a.to_string());
            }
        }
        for a in e.weak_aliases.iter() {
            props.entry("weakAlias").or_default().push(a.to_string());
        }
        if let Some(note) = &e.note {
            let p = attr(graph, &e.attrs, NOTE_ATTR)
                .and_then(|p| def.props.iter().find(|(n, ..)| *n == p))
                .map_or("description", |(n, ..)| *n);
            props.entry(p).or_default().push(note.to_string());
        }
        let span_as_written = has_any(graph, &e.attrs, DATE_PROPS);
        let date_props = if def.prop("startDate").is_some() {
            Some(("startDate", "endDate"))
        } else if def.prop("contractDate").is_some() {
            Some(("contractDate", "contractDate"))
        } else {
            None
        };
        for (d, which) in [(e.date, 0), (e.until, 1)] {
            let Some(d) = d.filter(|_| !span_as_written) else {
                continue;
            };
            match date_props {
                Some((start, end)) => {
                    let p = if which == 0 { start } else { end };
                    w.put(&mut props, def, p, d.to_string());
                }
                None => {
                    let label = if which == 0 { "date" } else { "until" };
                    w.put(&mut props, def, label, d.to_string());
                }
            }
        }
        if let Some(a) = e.amount.filter(|&a| !amount_from_attr(graph, &e.attrs, a)) {
            if def.prop("amount").is_some() {
                w.put(&mut props, def, "amount", a.value.to_string());
                w.put(&mut props, def, "currency", a.currency.code().to_string());
            } else {
                w.put(&mut props, def, "amount", a.to_string());
            }
        }
        w.sources(&mut props, e.sources);
        for (k, v) in e.attrs.iter() {
            let k = graph.sym(k);
            if !is_hidden_attr(k)
                && !is_provenance_attr(k)
                && k != MERGED_ATTR
                && k != CONFLICT_ATTR
            {
                w.put(&mut props, def, k, v.to_string());
            }
        }
        for (prop, target) in back_refs.remove(&n).unwrap_or_default() {
            props.entry(prop).or_default().push(ids[&target].clone());
        }
        let meta = w.meta(graph.entity_datasets(n), &e.attrs);
        w.line(&ids[&n], def.name, props, meta);
    }

    for e in as_edges {
        let r = graph.relation(e);
        let (def, src, tgt, fallback) = edge_schema(graph, e, &schemata);
        let (sp, tp) = def.edge.expect("relationship schemata are edges");
        let phrase = graph.relation_phrase(r.kind);
        let wanted = match r.id().filter(|i| is_ftm_id(i)) {
            Some(id) => id.into_owned(),
            None => {
                let date = r.date.map(|d| d.to_string()).unwrap_or_default();
                let role = r.role.map(|s| graph.sym(s)).unwrap_or_default();
                let h = fnv(&[&ids[&src], &phrase, &ids[&tgt], role, &date]);
                crate::graph::relid::made_id(h)
            }
        };
        let id = w.unique_id(wanted);
        let mut props = Props::new();
        props.insert(sp, vec![ids[&src].clone()]);
        props.insert(tp, vec![ids[&tgt].clone()]);
        let role = r.role.map(|s| graph.sym(s).to_string());
        let role = match (fallback || def.name == "UnknownLink", role) {
            (true, Some(role)) => Some(format!("{phrase}: {role}")),
            (true, None) => Some(phrase.clone()),
            (false, role) => role,
        };
        if let Some(role) = role {
            let p = if def.prop("role").is_some() {
                "role"
            } else {
                "relationship"
            };
            w.put(&mut props, def, p, role);
        }
        if !has_any(graph, &r.attrs, DATE_PROPS) {
            if let Some(d) = r.date {
                w.put(&mut props, def, "startDate", d.to_string());
            }
            if let Some(d) = r.until {
                w.put(&mut props, def, "endDate", d.to_string());
            }
        }
        if let Some(a) = r.amount.filter(|&a| !amount_from_attr(graph, &r.attrs, a)) {
            if def.prop("amount").is_some() {
                w.put(&mut props, def, "amount", a.value.to_string());
                w.put(&mut props, def, "currency", a.currency.code().to_string());
            } else {
                w.put(&mut props, def, "amount", a.to_string());
            }
        }
        if let Some(note) = &r.note {
            let p = attr(graph, &r.attrs, NOTE_ATTR).unwrap_or("description");
            w.put(&mut props, def, p, note.to_string());
        }
        w.sources(&mut props, r.sources);
        for (k, v) in r.attrs.iter() {
            let k = graph.sym(k);
            if !is_hidden_attr(k) && !is_provenance_attr(k) {
                w.put(&mut props, def, k, v.to_string());
            }
        }
        let meta = w.meta(graph.relation_datasets(e), &r.attrs);
        w.line(&id, def.name, props, meta);
    }
    let note_def = schema::get("Note").expect("the Note schema exists");
    for n in notes {
        let on: Vec<String> =
            n.on.iter()
                .filter(|&&x| !is_placeholder(graph, x))
                .filter_map(|x| ids.get(x))
                .cloned()
                .collect();
        if on.is_empty() {
            continue;
        }
        let id = w.unique_id(format!("ties-note-{:016x}", fnv(&[&n.id, &on.join(" ")])));
        let mut props = Props::new();
        props.insert("entity", on);
        if !n.text.is_empty() {
            props.insert("description", vec![n.text.clone()]);
        }
        if !n.tags.is_empty() {
            props.insert("keywords", n.tags.clone());
        }
        if !n.author.is_empty() {
            props.insert("publisher", vec![n.author.clone()]);
        }
        // FtM dates stop at seconds and carry no zone.
        let created: String = n.time.chars().take(19).collect();
        w.put(&mut props, note_def, "createdAt", created);
        let meta = Meta {
            datasets: Vec::new(),
            provenance: Vec::new(),
        };
        w.line(&id, note_def.name, props, meta);
    }
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kept_or_hashed_stably() {
        assert_eq!(entity_id("laurynas-kasciunas"), "laurynas-kasciunas");
        let a = entity_id("a b/c");
        assert!(a.starts_with("ties-") && is_ftm_id(&a));
        assert_eq!(a, entity_id("a b/c"));
        assert_ne!(a, entity_id("a b/d"));
    }

    #[test]
    fn strict_types_only_take_fitting_values() {
        assert!(value_fits("country", "lt"));
        assert!(!value_fits("country", "Lithuania"));
        assert!(value_fits("date", "2024-11-23T10:00:00"));
        assert!(!value_fits("date", "Saturday"));
        assert!(value_fits("name", "anything"));
        assert!(!value_fits("email", "x"));
    }
}
