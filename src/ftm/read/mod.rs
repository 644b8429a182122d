//! The streaming FtM reader: one JSON entity per line, read through a `BufReader`
//! one line at a time. Things become entities as they are read; relationships and
//! entity references are kept until the end, since a stream may name an entity
//! before defining it.

mod props;
mod records;
mod values;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::graph::{Graph, GraphFull, NewRelation, NodeIx, Source, SourceId, SourceSet};
use crate::load::{LoadError, Location, Problem, ProblemKind, short};
use crate::model::{Amount, PartialDate, Sym};

use super::mapping::{FILE_SOURCE, PROPERTY_ATTR};
use super::schema::{self, SchemaDef};

pub(crate) use props::parse_ftm_date;
use records::ref_kind;
use values::RawLine;

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
            let attrs = self.attrs(vec![(PROPERTY_ATTR.into(), r.prop.to_string())]);
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
}

/// Attributes as the graph takes them.
fn attr_refs(attrs: &[(Sym, String)]) -> Vec<(Sym, &str)> {
    attrs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
