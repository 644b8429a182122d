//! The streaming FtM reader: one JSON entity per line, read through a `BufReader`
//! one line at a time. Things become entities as they are read; relationships and
//! entity references are kept until the end, since a stream may name an entity
//! before defining it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::graph::{
    AddError, Graph, GraphFull, NewEntity, NewRelation, NodeIx, Source, SourceId, SourceSet,
};
use crate::load::{LoadError, Location, Problem, ProblemKind, short};
use crate::model::{Amount, AmountRecord, EntityKind, PartialDate, RelationKind, Sym};

use super::schema::{self, PropType, SchemaDef};
use super::{SCHEMA_ATTR, kind_for_schema, relation_for_schema, schema_for_kind};

/// The id of the source every FtM record cites: the file it was read from.
pub const FILE_SOURCE: &str = "ftm-file";

/// Problems listed in full; beyond this they are only counted.
const MAX_PROBLEMS: usize = 1000;

/// What a load read and how it was mapped, for the user to check nothing was lost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FtmSummary {
    /// The file name.
    pub file: String,
    /// Entity records read (non-blank lines that parsed).
    pub records: usize,
    /// Records per schema, as written in the file.
    pub by_schema: BTreeMap<String, usize>,
    /// Schemata FtM does not define; their records are entities of that kind with
    /// every property kept as an attribute.
    pub unknown_schemata: BTreeMap<String, usize>,
    /// `Schema.property` pairs the schema does not define, kept as attributes.
    pub unknown_properties: BTreeMap<String, usize>,
    /// Records whose id was already read: merged into the first, as FtM does.
    pub fragments_merged: usize,
    /// Relationship records that linked more than two parties and became nodes.
    pub relationship_nodes: usize,
    /// What the graph holds at the end.
    pub entities: usize,
    pub relations: usize,
    pub sources: usize,
}

impl fmt::Display for FtmSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} FtM records → {} entities, {} relations, {} sources",
            self.file, self.records, self.entities, self.relations, self.sources
        )?;
        let list = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(f, "  by schema: {}", list(&self.by_schema))?;
        if self.relationship_nodes > 0 {
            writeln!(
                f,
                "  {} relationships linked more than two parties and became nodes",
                self.relationship_nodes
            )?;
        }
        if self.fragments_merged > 0 {
            writeln!(
                f,
                "  {} records repeated an id and were merged",
                self.fragments_merged
            )?;
        }
        if !self.unknown_schemata.is_empty() {
            writeln!(
                f,
                "  unknown schemata (kept as entities, properties as attributes): {}",
                list(&self.unknown_schemata)
            )?;
        }
        if !self.unknown_properties.is_empty() {
            writeln!(
                f,
                "  unknown properties (kept as attributes): {}",
                list(&self.unknown_properties)
            )?;
        }
        Ok(())
    }
}

/// Loads the FtM entity stream at `path`.
pub fn load_ftm(path: &Path) -> Result<(Graph, FtmSummary), LoadError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            ProblemKind::NotFound
        } else {
            ProblemKind::Io(e.to_string())
        };
        LoadError::single(&name, kind)
    };
    if std::fs::metadata(path).map_err(io)?.is_dir() {
        return Err(LoadError::single(
            &name,
            ProblemKind::Io("is a folder; an FtM stream is one file".into()),
        ));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    load_ftm_reader(BufReader::with_capacity(1 << 16, file), &name)
}

/// Loads an FtM entity stream from `reader`, naming it `name` in messages.
pub fn load_ftm_reader(
    mut reader: impl BufRead,
    name: &str,
) -> Result<(Graph, FtmSummary), LoadError> {
    let mut loader = Loader::new(name);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {
                loader.line_no += 1;
                loader.line(&buf);
            }
            Err(e) => {
                loader.problem(None, ProblemKind::Io(e.to_string()));
                break;
            }
        }
    }
    loader.finish()
}

// ---- one line -------------------------------------------------------------

/// The values of one property: FtM writes a list of strings; a lone string,
/// numbers and booleans are accepted too, nulls skipped.
#[derive(Debug, Default)]
struct Values(Vec<String>);

struct Scalar(Option<String>);

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar(Some(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ValuesVisitor;

impl<'de> Visitor<'de> for ValuesVisitor {
    type Value = Values;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of strings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Values, A::Error> {
        let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(1));
        while let Some(Scalar(s)) = seq.next_element()? {
            v.extend(s);
        }
        Ok(Values(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Values, E> {
        Ok(Values(vec![v.to_string()]))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Values, E> {
        Ok(Values(vec![v]))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Values, E> {
        Ok(Values(vec![v.to_string()]))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Values, E> {
        Ok(Values(vec![v.to_string()]))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Values, E> {
        Ok(Values(vec![v.to_string()]))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Values, E> {
        Ok(Values(vec![v.to_string()]))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Values, E> {
        Ok(Values(Vec::new()))
    }
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValuesVisitor)
    }
}

/// One line as written. Other top-level keys (`caption`, `datasets`,
/// `first_seen`…) are metadata FtM derives or tracks; they are not properties.
#[derive(Deserialize)]
struct RawLine {
    id: Option<String>,
    schema: Option<String>,
    #[serde(default)]
    properties: Option<BTreeMap<String, Values>>,
}

/// What makes a source distinct: `(publisher, url)`.
type SourceKey = (Option<Box<str>>, Option<Box<str>>);

/// A relationship record waiting for every entity to be read.
struct PendingEdge {
    id: Box<str>,
    schema: &'static SchemaDef,
    props: Vec<(Box<str>, Box<str>)>,
    line: usize,
}

/// An entity-valued property of a thing, resolved at the end.
struct PendingRef {
    from: NodeIx,
    prop: Box<str>,
    target: Box<str>,
    sources: SourceSet,
    line: usize,
}

struct Loader {
    name: String,
    graph: Graph,
    summary: FtmSummary,
    problems: Vec<Problem>,
    more_problems: usize,
    line_no: usize,
    file_source: SourceId,
    /// `(publisher, url)` → source.
    source_ids: HashMap<SourceKey, SourceId>,
    /// Line each node was first defined on, by node index.
    node_lines: Vec<u32>,
    edges: Vec<PendingEdge>,
    edge_ids: HashMap<Box<str>, usize>,
    refs: Vec<PendingRef>,
}

/// The fields of one record once its properties are sorted out.
#[derive(Default)]
struct Mapped {
    names: Vec<String>,
    aliases: Vec<String>,
    weak_aliases: Vec<String>,
    note: Option<String>,
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    amount: Option<Amount>,
    role: Option<String>,
    sources: Vec<SourceId>,
    attrs: Vec<(String, String)>,
    /// Entity-valued properties: `(property, id)`.
    refs: Vec<(String, String)>,
}

/// The date part of an FtM date (`2024-11-23T10:00:00` → `2024-11-23`), with the
/// precision written.
pub(crate) fn parse_ftm_date(raw: &str) -> Result<PartialDate, crate::model::date::DateError> {
    let s = raw.trim();
    let day = s.split(['T', ' ']).next().unwrap_or(s);
    day.parse()
}

impl Loader {
    fn new(name: &str) -> Self {
        let file_name = Path::new(name)
            .file_name()
            .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned());
        let mut graph = Graph::default();
        let file_source = graph
            .add_source(Source {
                id: FILE_SOURCE.into(),
                outlet: "FollowTheMoney file".into(),
                title: file_name.as_str().into(),
                published: None,
                file: file_name.as_str().into(),
                url: None,
            })
            .expect("the first source's id is free");
        Loader {
            name: name.to_string(),
            graph,
            summary: FtmSummary {
                file: file_name,
                ..FtmSummary::default()
            },
            problems: Vec::new(),
            more_problems: 0,
            line_no: 0,
            file_source,
            source_ids: HashMap::new(),
            node_lines: Vec::new(),
            edges: Vec::new(),
            edge_ids: HashMap::new(),
            refs: Vec::new(),
        }
    }

    fn problem(&mut self, at: Option<(usize, usize)>, kind: ProblemKind) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.more_problems += 1;
            return;
        }
        self.problems.push(Problem {
            location: Location {
                file: self.name.clone(),
                line_col: at,
            },
            kind,
        });
    }

    fn here(&self) -> Option<(usize, usize)> {
        Some((self.line_no, 1))
    }

    fn line(&mut self, raw: &[u8]) {
        let mut bytes = raw;
        if self.line_no == 1 {
            bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let line: RawLine = match serde_json::from_slice(bytes) {
            Ok(l) => l,
            Err(e) => {
                let mut msg = e.to_string();
                // serde_json counts lines within this one line: drop its position.
                if let Some(i) = msg.rfind(" at line ") {
                    msg.truncate(i);
                }
                if bytes.trim_ascii_start().starts_with(b"[") {
                    msg.push_str(" (an FtM stream has one JSON entity object per line)");
                }
                let kind = if e.is_data() {
                    ProblemKind::Ftm(format!("not an FtM entity: {msg}"))
                } else {
                    ProblemKind::Json(msg)
                };
                self.problem(Some((self.line_no, e.column().max(1))), kind);
                return;
            }
        };
        let Some(id) = line.id.filter(|i| !i.trim().is_empty()) else {
            self.problem(self.here(), ProblemKind::EmptyId { what: "FtM entity" });
            return;
        };
        let Some(schema_name) = line.schema.filter(|s| !s.trim().is_empty()) else {
            self.problem(
                self.here(),
                ProblemKind::Ftm(format!("entity `{}` has no schema", short(&id))),
            );
            return;
        };
        self.summary.records += 1;
        *self
            .summary
            .by_schema
            .entry(schema_name.clone())
            .or_default() += 1;
        let props = line.properties.unwrap_or_default();
        let def = schema::get(&schema_name);
        match def {
            Some(def) if def.edge.is_some() => self.edge_record(id, def, props),
            Some(def) => self.thing(id, &schema_name, Some(def), props),
            None => {
                *self
                    .summary
                    .unknown_schemata
                    .entry(schema_name.clone())
                    .or_default() += 1;
                self.thing(id, &schema_name, None, props);
            }
        }
    }

    /// Sorts a record's properties into the fields of an entity or relation.
    fn map_props(
        &mut self,
        owner: &str,
        schema_name: &str,
        def: Option<&'static SchemaDef>,
        props: impl IntoIterator<Item = (String, Vec<String>)>,
        dated: bool,
    ) -> Mapped {
        let mut m = Mapped::default();
        let (mut dates, mut starts, mut ends) = (Vec::new(), Vec::new(), Vec::new());
        let (mut amounts, mut currencies) = (Vec::new(), Vec::new());
        let (mut urls, mut publishers) = (Vec::new(), Vec::new());
        let has_value = def.is_some_and(|d| d.prop("currency").is_some());
        for (prop, values) in props {
            let ptype = def.and_then(|d| d.prop(&prop));
            if def.is_some() && ptype.is_none() {
                *self
                    .summary
                    .unknown_properties
                    .entry(format!("{schema_name}.{prop}"))
                    .or_default() += 1;
            }
            match prop.as_str() {
                "name" => m.names.extend(values),
                "alias" | "previousName" => m.aliases.extend(values),
                "weakAlias" => m.weak_aliases.extend(values),
                "sourceUrl" => urls.extend(values),
                "publisher" => publishers.extend(values),
                "summary" | "description" | "notes" if m.note.is_none() && !values.is_empty() => {
                    m.note = Some(values.join("\n"));
                }
                "date" | "contractDate" if dated => dates.extend(values),
                "startDate" if dated => starts.extend(values),
                "endDate" if dated => ends.extend(values),
                "amount" if has_value => amounts.extend(values),
                "currency" if has_value => currencies.extend(values),
                "role" | "relationship" if def.is_some_and(|d| d.edge.is_some()) => {
                    let mut it = values.into_iter();
                    m.role = it.next();
                    m.attrs.extend(it.map(|v| (prop.clone(), v)));
                }
                _ if ptype == Some(PropType::Entity) => {
                    m.refs.extend(values.into_iter().map(|v| (prop.clone(), v)));
                }
                _ => m
                    .attrs
                    .extend(values.into_iter().map(|v| (prop.clone(), v))),
            }
        }
        // Dates: a span from startDate (or date) to endDate; other values stay attributes.
        let mut first_date = |list: Vec<String>, field: &'static str, this: &mut Self| {
            let mut out = None;
            for v in list {
                if out.is_some() {
                    m.attrs.push((field.to_string(), v));
                    continue;
                }
                match parse_ftm_date(&v) {
                    Ok(d) => out = Some(d),
                    Err(e) => this.problem(
                        this.here(),
                        ProblemKind::BadDate {
                            owner: owner.to_string(),
                            field,
                            message: e.to_string(),
                        },
                    ),
                }
            }
            out
        };
        let start = first_date(starts, "startDate", self);
        let date = first_date(dates, "date", self);
        let end = first_date(ends, "endDate", self);
        m.date = start.or(date);
        if let (Some(_), Some(d)) = (start, date) {
            m.attrs.push(("date".into(), d.to_string()));
        }
        m.until = end;
        if let (Some(d), Some(u)) = (m.date, m.until)
            && u.last_day() < d.first_day()
        {
            self.problem(
                self.here(),
                ProblemKind::UntilBeforeDate {
                    owner: owner.to_string(),
                    date: d.to_string(),
                    until: u.to_string(),
                },
            );
            m.until = None;
        }
        // Money: the first amount with the first currency.
        let mut amounts = amounts.into_iter();
        if let Some(value) = amounts.next() {
            let currency = currencies.first().cloned().unwrap_or_default();
            let parsed = value.trim().replace(',', "").parse::<f64>();
            match parsed {
                Ok(v) if !currency.trim().is_empty() => {
                    let rec = AmountRecord {
                        value: v,
                        currency: currency.clone(),
                        approx: false,
                    };
                    match Amount::from_record(&rec) {
                        Ok(a) => m.amount = Some(a),
                        Err(e) => self.problem(
                            self.here(),
                            ProblemKind::BadAmount {
                                owner: owner.to_string(),
                                message: e.to_string(),
                            },
                        ),
                    }
                }
                // An amount without a currency is kept as written.
                Ok(_) => m.attrs.push(("amount".into(), value)),
                Err(_) => self.problem(
                    self.here(),
                    ProblemKind::BadAmount {
                        owner: owner.to_string(),
                        message: format!("`{value}` is not a number"),
                    },
                ),
            }
            m.attrs.extend(amounts.map(|v| ("amount".to_string(), v)));
            let extra = currencies.into_iter().skip(usize::from(m.amount.is_some()));
            m.attrs.extend(extra.map(|v| ("currency".to_string(), v)));
        } else {
            m.attrs
                .extend(currencies.into_iter().map(|v| ("currency".to_string(), v)));
        }
        // Sources: one per URL (its publisher as outlet), else one per publisher.
        let file = self.summary.file.clone();
        if urls.is_empty() {
            for p in publishers {
                let key = (Some(p.as_str().into()), None);
                let id = format!("publisher:{p}");
                m.sources.push(self.source(key, &id, &p, &p, None, &file));
            }
        } else {
            let outlet = publishers.first().cloned();
            for p in publishers.iter().skip(1) {
                m.attrs.push(("publisher".into(), p.clone()));
            }
            for u in urls {
                let key = (None, Some(u.as_str().into()));
                let out = outlet.clone().unwrap_or_else(|| host(&u).to_string());
                m.sources
                    .push(self.source(key, &u, &out, &u, Some(&u), &file));
            }
        }
        m.sources.push(self.file_source);
        m
    }

    fn source(
        &mut self,
        key: SourceKey,
        id: &str,
        outlet: &str,
        title: &str,
        url: Option<&str>,
        file: &str,
    ) -> SourceId {
        if let Some(&s) = self.source_ids.get(&key) {
            return s;
        }
        let mut id = id.to_string();
        // A URL equal to a publisher's id cannot happen, but stay total.
        while self.graph.find_source(&id).is_some() {
            id.push('_');
        }
        let s = self
            .graph
            .add_source(Source {
                id: id.into(),
                outlet: outlet.into(),
                title: title.into(),
                published: None,
                file: file.into(),
                url: url.map(Into::into),
            })
            .expect("the id was checked to be free");
        self.source_ids.insert(key, s);
        s
    }

    fn attrs(&mut self, attrs: Vec<(String, String)>) -> Vec<(Sym, String)> {
        attrs
            .into_iter()
            .map(|(k, v)| (self.graph.intern(&k), v))
            .collect()
    }

    /// Records that the graph is full (it cannot take another string or row).
    fn full(&mut self, full: GraphFull) {
        self.problem(self.here(), full.into());
    }

    /// A thing (or a record of an unknown schema): an entity now, its references later.
    fn thing(
        &mut self,
        id: String,
        schema_name: &str,
        def: Option<&'static SchemaDef>,
        props: BTreeMap<String, Values>,
    ) {
        let owner = format!("{schema_name} `{}`", short(&id));
        let dated = def.is_some_and(|d| d.is_a("Interval") || d.name == "Contract");
        let props: Vec<(String, Vec<String>)> = props.into_iter().map(|(k, v)| (k, v.0)).collect();
        let caption_value = def.and_then(|d| {
            d.caption.iter().find_map(|c| {
                props
                    .iter()
                    .find(|(k, v)| k == c && !v.is_empty())
                    .map(|(_, v)| v[0].clone())
            })
        });
        let mut m = self.map_props(&owner, schema_name, def, props, dated);
        let kind = match def {
            Some(_) => kind_for_schema(schema_name),
            None => EntityKind::Other(super::snake(schema_name)),
        };
        if def.is_some() && schema_for_kind(&kind) != schema_name {
            m.attrs
                .push((SCHEMA_ATTR.to_string(), schema_name.to_string()));
        }
        let mut names = std::mem::take(&mut m.names).into_iter();
        let name = names.next().or(caption_value).unwrap_or_else(|| id.clone());
        let mut aliases: Vec<String> = names.collect();
        aliases.append(&mut m.aliases);
        let sources = self.graph.source_set(&m.sources);

        if let Some(existing) = self.graph.find(&id) {
            // A fragment of an entity already read: merge it in.
            self.summary.fragments_merged += 1;
            let extra_attrs = self.attrs(std::mem::take(&mut m.attrs));
            let old_sources: Vec<SourceId> = self
                .graph
                .source_list(self.graph.entity(existing).sources)
                .to_vec();
            let mut all_sources = old_sources;
            all_sources.extend(m.sources.iter().copied());
            let merged_sources = self.graph.source_set(&all_sources);
            let e = self.graph.entity(existing);
            let current_name = e.name.to_string();
            let mut list = e.aliases.to_vec();
            for a in std::iter::once(name).chain(aliases) {
                if current_name != a && !list.contains(&a) {
                    list.push(a);
                }
            }
            let mut weak = e.weak_aliases.to_vec();
            weak.extend(m.weak_aliases);
            let mut attrs: Vec<(Sym, String)> =
                e.attrs.iter().map(|(k, v)| (k, v.to_string())).collect();
            attrs.extend(extra_attrs);
            let note = e.note.map(str::to_string).or(m.note);
            let merged = NewEntity {
                id: "",
                kind: e.kind,
                name: &current_name,
                aliases: &list,
                weak_aliases: &weak,
                date: e.date.or(m.date),
                until: e.until.or(m.until),
                note: note.as_deref(),
                amount: e.amount.or(m.amount),
                sources: merged_sources,
                attrs: &attr_refs(&attrs),
            };
            if let Err(full) = self.graph.replace_entity(existing, merged) {
                self.full(full);
                return;
            }
            for (prop, target) in m.refs {
                self.refs.push(PendingRef {
                    from: existing,
                    prop: prop.into(),
                    target: target.into(),
                    sources,
                    line: self.line_no,
                });
            }
            return;
        }
        if self.edge_ids.contains_key(id.as_str()) {
            self.duplicate(&id);
            return;
        }
        let attrs = self.attrs(std::mem::take(&mut m.attrs));
        let kind = kind.map_other(|o| self.graph.intern(&o));
        let entity = NewEntity {
            id: &id,
            kind,
            name: &name,
            aliases: &aliases,
            weak_aliases: &m.weak_aliases,
            date: m.date,
            until: m.until,
            note: m.note.as_deref(),
            amount: m.amount,
            sources,
            attrs: &attr_refs(&attrs),
        };
        let node = match self.graph.add_entity(entity) {
            Ok(node) => node,
            Err(AddError::Duplicate(_)) => return,
            Err(AddError::Full(full)) => return self.full(full),
        };
        self.node_lines.push(self.line_no as u32);
        debug_assert_eq!(self.node_lines.len(), node.index() + 1);
        for (prop, target) in m.refs {
            self.refs.push(PendingRef {
                from: node,
                prop: prop.into(),
                target: target.into(),
                sources,
                line: self.line_no,
            });
        }
    }

    fn duplicate(&mut self, id: &str) {
        let first = self
            .graph
            .find(id)
            .map(|n| self.node_lines[n.index()] as usize)
            .or_else(|| self.edge_ids.get(id).map(|&i| self.edges[i].line))
            .unwrap_or(0);
        self.problem(
            self.here(),
            ProblemKind::DuplicateId {
                what: "FtM entity (as a thing and a relationship)",
                id: id.to_string(),
                first: Location {
                    file: self.name.clone(),
                    line_col: Some((first, 1)),
                },
            },
        );
    }

    /// A relationship record: kept until every thing is read.
    fn edge_record(
        &mut self,
        id: String,
        def: &'static SchemaDef,
        props: BTreeMap<String, Values>,
    ) {
        let flat = props.into_iter().flat_map(|(k, v)| {
            let k: Box<str> = k.into();
            v.0.into_iter()
                .map(move |v| (k.clone(), v.into_boxed_str()))
        });
        if let Some(&i) = self.edge_ids.get(id.as_str())
            && self.edges[i].schema.name == def.name
        {
            self.summary.fragments_merged += 1;
            self.edges[i].props.extend(flat);
            return;
        }
        if self.edge_ids.contains_key(id.as_str()) || self.graph.find(&id).is_some() {
            self.duplicate(&id);
            return;
        }
        self.edge_ids.insert(id.as_str().into(), self.edges.len());
        self.edges.push(PendingEdge {
            id: id.into(),
            schema: def,
            props: flat.collect(),
            line: self.line_no,
        });
    }

    fn finish(mut self) -> Result<(Graph, FtmSummary), LoadError> {
        let refs = std::mem::take(&mut self.refs);
        for r in refs {
            self.line_no = r.line;
            let from_id = self.graph.entity(r.from).id.to_string();
            let Some(to) = self.find_party(&r.target, &from_id, &r.prop) else {
                continue;
            };
            if to == r.from {
                continue;
            }
            let (kind, reversed) = ref_kind(&r.prop);
            let kind = kind.map_other(|o| self.graph.intern(&o));
            let (a, b) = if reversed { (to, r.from) } else { (r.from, to) };
            let attrs = self.attrs(vec![("ftm_property".into(), r.prop.to_string())]);
            let relation = NewRelation {
                attrs: &attr_refs(&attrs),
                ..NewRelation::new(kind, r.sources)
            };
            if let Err(full) = self.graph.add_relation(a, b, relation) {
                self.full(full);
            }
        }
        let edges = std::mem::take(&mut self.edges);
        for e in edges {
            self.line_no = e.line;
            self.resolve_edge(e);
        }
        if self.more_problems > 0 {
            let n = self.more_problems;
            self.problems.push(Problem {
                location: Location {
                    file: self.name.clone(),
                    line_col: None,
                },
                kind: ProblemKind::Ftm(format!("… and {n} more problems not listed")),
            });
        }
        if !self.problems.is_empty() {
            return Err(LoadError {
                problems: self.problems,
            });
        }
        self.summary.entities = self.graph.node_count();
        self.summary.relations = self.graph.edge_count();
        self.summary.sources = self.graph.sources().len();
        Ok((self.graph, self.summary))
    }

    /// The node a reference names; a problem naming the line and id if none.
    fn find_party(&mut self, id: &str, owner: &str, prop: &str) -> Option<NodeIx> {
        let found = self.graph.find(id);
        if found.is_none() {
            self.problem(
                self.here(),
                ProblemKind::UnknownEntity {
                    relation: format!("`{}` ({prop})", short(owner)),
                    id: id.to_string(),
                },
            );
        }
        found
    }

    fn resolve_edge(&mut self, e: PendingEdge) {
        let def = e.schema;
        let (src_prop, tgt_prop) = def.edge.expect("only edge schemata are pending");
        let owner = format!("{} `{}`", def.name, short(&e.id));
        let mut sources_ids = Vec::new();
        let mut target_ids = Vec::new();
        let mut others = Vec::new();
        let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in e.props {
            if *k == *src_prop {
                sources_ids.push(v);
            } else if *k == *tgt_prop {
                target_ids.push(v);
            } else if def.prop(&k) == Some(PropType::Entity) {
                others.push((k, v));
            } else {
                grouped.entry(k.into()).or_default().push(v.into());
            }
        }
        let m = self.map_props(&owner, def.name, Some(def), grouped, true);
        let find_all = |ids: &[Box<str>], prop: &str, this: &mut Self| -> Vec<NodeIx> {
            ids.iter()
                .filter_map(|id| this.find_party(id, &e.id, prop))
                .collect()
        };
        let froms = find_all(&sources_ids, src_prop, self);
        let tos = find_all(&target_ids, tgt_prop, self);
        let other_nodes: Vec<(Box<str>, NodeIx)> = others
            .iter()
            .filter_map(|(k, id)| self.find_party(id, &e.id, k).map(|n| (k.clone(), n)))
            .collect();
        let wanted = sources_ids.len() + target_ids.len() + others.len();
        if froms.len() + tos.len() + other_nodes.len() < wanted {
            return; // problems already recorded
        }
        let (mut kind, reversed) = relation_for_schema(def.name);
        let mut m = m;
        // `ties export --format ftm` writes kinds FtM lacks as an UnknownLink whose
        // role is the kind's phrase (`signed`, `party to: role`): read them back.
        if def.name == "UnknownLink"
            && let Some(role) = m.role.clone()
        {
            let (phrase, rest) = match role.split_once(": ") {
                Some((p, r)) => (p, Some(r.to_string())),
                None => (role.as_str(), None),
            };
            if let Some(k) = RelationKind::<String>::from_label(&phrase.replace(' ', "_")) {
                kind = k;
                m.role = rest;
            }
        }
        let mut attrs = m.attrs;
        if matches!(def.name, "Family" | "Associate" | "Occupancy") {
            attrs.push((SCHEMA_ATTR.into(), def.name.into()));
        }
        let sources = self.graph.source_set(&m.sources);
        let role = m.role.as_deref().map(|r| self.graph.intern(r));
        let note = m.note.as_deref();
        let kind_sym = kind.clone().map_other(|o| self.graph.intern(&o));
        let simple =
            froms.len() == 1 && tos.len() == 1 && other_nodes.is_empty() && froms[0] != tos[0];
        if simple {
            let (a, b) = if reversed {
                (tos[0], froms[0])
            } else {
                (froms[0], tos[0])
            };
            let attrs = self.attrs(attrs);
            let relation = NewRelation {
                id: Some(&e.id),
                kind: kind_sym,
                role,
                date: m.date,
                until: m.until,
                amount: m.amount,
                sources,
                note,
                attrs: &attr_refs(&attrs),
                undirected: false,
            };
            if let Err(full) = self.graph.add_relation(a, b, relation) {
                self.full(full);
            }
            return;
        }
        // More than two parties: the relationship becomes a node tied to each.
        self.summary.relationship_nodes += 1;
        let node_kind = if def.name == "Payment" {
            EntityKind::Tranche
        } else {
            EntityKind::Event
        };
        attrs.push((SCHEMA_ATTR.into(), def.name.into()));
        let name = format!(
            "{} {}",
            def.name,
            m.names.first().cloned().unwrap_or_else(|| e.id.to_string())
        );
        let entity_attrs = self.attrs(attrs);
        let entity = NewEntity {
            id: &e.id,
            kind: node_kind,
            name: &name,
            aliases: m.names.get(1..).unwrap_or(&[]),
            weak_aliases: &[],
            date: m.date,
            until: m.until,
            note,
            amount: m.amount,
            sources,
            attrs: &attr_refs(&entity_attrs),
        };
        let node = match self.graph.add_entity(entity) {
            Ok(node) => node,
            Err(AddError::Duplicate(_)) => return self.duplicate(&e.id),
            Err(AddError::Full(full)) => return self.full(full),
        };
        self.node_lines.push(e.line as u32);
        let single_payer = froms.len() == 1;
        let tie = |this: &mut Self, a: NodeIx, b: NodeIx, kind, role, amount, prop: &str| {
            let attrs = this.attrs(vec![("ftm_property".into(), prop.to_string())]);
            let relation = NewRelation {
                role,
                date: m.date,
                until: m.until,
                amount,
                attrs: &attr_refs(&attrs),
                ..NewRelation::new(kind, sources)
            };
            if let Err(full) = this.graph.add_relation(a, b, relation) {
                this.full(full);
            }
        };
        for &f in &froms {
            let (a, b) = if reversed { (node, f) } else { (f, node) };
            let amount = if single_payer { m.amount } else { None };
            tie(self, a, b, kind_sym, role, amount, src_prop);
        }
        for &t in &tos {
            let (a, b) = if reversed { (t, node) } else { (node, t) };
            tie(self, a, b, kind_sym, role, None, tgt_prop);
        }
        for (prop, n) in other_nodes {
            let (k, rev) = ref_kind(&prop);
            let k = k.map_other(|o| self.graph.intern(&o));
            let (a, b) = if rev { (n, node) } else { (node, n) };
            tie(self, a, b, k, None, None, &prop);
        }
    }
}

/// The relation an entity-valued property of a thing (or an extra party of a
/// relationship) becomes, and whether it runs from the value to the record.
fn ref_kind(prop: &str) -> (RelationKind<String>, bool) {
    match prop {
        "addressEntity" | "location" => (RelationKind::LocatedIn, false),
        "involved" | "organizer" => (RelationKind::Attended, true),
        "project" => (RelationKind::Concerns, false),
        "organization" | "parent" => (RelationKind::PartOf, false),
        "owner" => (RelationKind::Owns, true),
        other => (RelationKind::Other(super::snake(other)), false),
    }
}

/// The host of a URL, to name an outlet when no publisher is given.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// Attributes as the graph takes them.
fn attr_refs(attrs: &[(Sym, String)]) -> Vec<(Sym, &str)> {
    attrs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
