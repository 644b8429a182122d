//! Readers for graphs made by other tools: GraphML, GEXF and CSV tables.
//!
//! Each format is a module with `sniff` (is this file in my format?) and `read`
//! (the graph and its load notes), as the open path expects. The formats differ in
//! syntax only; what a node or an edge says is gathered into a [`Record`] and
//! turned into entities and relations by one [`Builder`], so every format maps
//! names, kinds, dates, amounts, sources and other attributes the same way.

pub mod csv;
pub mod gexf;
pub mod graphml;
mod names;
mod position;
mod xml;

use names::ATTR_PREFIX;
pub use names::attribute_name;
pub(crate) use position::{has_extension, xml_root_is};
use position::{line_cols, resolve};

use std::collections::HashSet;
use std::path::Path;

use crate::graph::{AddError, Graph, NewEntity, NewRelation, Source, SourceSet};
use crate::load::{LoadError, Location, Problem, ProblemKind};
use crate::model::{Amount, AmountRecord, EntityKind, PartialDate, RelationKind, Sym};

/// The kind an entity gets when its file names none.
pub const DEFAULT_ENTITY_KIND: &str = "entity";

/// Where something is: a byte offset in the first file (XML formats, turned into
/// a line and column at the end), or a line and column already known in one of
/// the builder's files (CSV tables, `file` indexing them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    Byte(u64),
    LineCol {
        file: usize,
        line: usize,
        col: usize,
    },
}

/// What one node or edge of a file says, in the file's own words.
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    pub id: String,
    /// An edge's ends.
    pub from: String,
    pub to: String,
    pub name: Option<String>,
    /// A display label, used as the name when there is no name (and as an
    /// edge's kind when it has none).
    pub label: Option<String>,
    pub kind: Option<String>,
    pub role: Option<String>,
    pub aliases: Vec<String>,
    pub date: Option<String>,
    pub until: Option<String>,
    pub note: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub approx: bool,
    pub sources: Vec<String>,
    pub relation_id: Option<String>,
    pub attrs: Vec<(String, String)>,
    pub undirected: bool,
}

impl Record {
    /// Files a value under the ties field its name stands for (`name`, `kind`,
    /// `date`, …), or keeps it as an attribute (`attr_NAME` as `NAME`, see
    /// [`attribute_name`]).
    pub fn set(&mut self, key: &str, value: String) {
        if let Some(name) = key.trim().strip_prefix(ATTR_PREFIX) {
            self.attrs.push((name.to_string(), value));
            return;
        }
        let lower = key.trim().to_ascii_lowercase();
        match lower.as_str() {
            "name" => self.name = Some(value),
            "label" => self.label = Some(value),
            // Gephi's edge table: `Type` says the direction, not the kind.
            "type" if value.trim().eq_ignore_ascii_case("undirected") => self.undirected = true,
            "type" if value.trim().eq_ignore_ascii_case("directed") => {}
            "kind" | "type" | "rel_type" if self.kind.is_none() => self.kind = Some(value),
            "role" => self.role = Some(value),
            "aliases" | "alias" => self.aliases.extend(split_list(&value)),
            "date" => self.date = Some(value),
            "until" => self.until = Some(value),
            "note" => self.note = Some(value),
            "amount" => self.amount = Some(value),
            "currency" => self.currency = Some(value),
            "approx" => self.approx = matches!(value.trim(), "true" | "True" | "TRUE" | "1"),
            "sources" | "source_ids" => self.sources.extend(split_list(&value)),
            "relation_id" => self.relation_id = Some(value),
            "undirected" => {
                self.undirected = matches!(value.trim(), "true" | "True" | "TRUE" | "1")
            }
            _ => self.attrs.push((key.to_string(), value)),
        }
    }
}

/// `a; b;c` → `["a", "b", "c"]`, empty items dropped.
pub(crate) fn split_list(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
}

/// A date as files write it: `2024`, `2024-11`, `2024-11-23`, a date-time
/// (`2024-11-23T10:00:00`, the time dropped) or `23-NOV-2024`.
pub(crate) fn parse_date(s: &str) -> Result<PartialDate, String> {
    let t = s.trim();
    let t = t.split(['T', ' ']).next().unwrap_or(t);
    if let Ok(d) = t.parse::<PartialDate>() {
        return Ok(d);
    }
    // `18-MAR-2013`, as the Offshore Leaks tables write dates.
    let parts: Vec<&str> = t.split('-').collect();
    if let [d, m, y] = parts[..] {
        const MONTHS: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let month = MONTHS
            .iter()
            .position(|x| x.eq_ignore_ascii_case(m))
            .map(|i| i as u32 + 1);
        if let (Ok(d), Some(m), Ok(y)) = (d.parse::<u32>(), month, y.parse::<i32>())
            && let Some(date) = PartialDate::day(y, m, d)
        {
            return Ok(date);
        }
    }
    Err(format!(
        "`{s}` is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
    ))
}

/// An entity kind named by a file: a ties kind when the name is one (`Person`,
/// `party to`), otherwise a kind of its own.
pub(crate) fn entity_kind(graph: &mut Graph, label: Option<&str>) -> EntityKind<Sym> {
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    let label = label.unwrap_or(DEFAULT_ENTITY_KIND);
    match EntityKind::<Sym>::from_label(&normalise(label)) {
        Some(k) => k,
        None => EntityKind::Other(graph.intern(label)),
    }
}

/// A relation kind named by a file (see [`entity_kind`]); none is `related_to`.
pub(crate) fn relation_kind(graph: &mut Graph, label: Option<&str>) -> RelationKind<Sym> {
    match label.map(str::trim).filter(|l| !l.is_empty()) {
        None => RelationKind::RelatedTo,
        Some(l) => match RelationKind::<Sym>::from_label(&normalise(l)) {
            Some(k) => k,
            None => RelationKind::Other(graph.intern(l)),
        },
    }
}

/// `Party To`, `party-to`, `PARTY_TO` → `party_to`.
fn normalise(label: &str) -> String {
    label
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// An edge waiting for every node to be read.
struct PendingEdge {
    record: Record,
    at: Pos,
}

/// What a reader read: the graph, its notes, and the problems it worked
/// around (a duplicate id, a ragged row) as an error naming each, for
/// `--strict`.
pub struct Checked {
    pub graph: Graph,
    pub notes: Vec<String>,
    pub worked_around: Option<LoadError>,
}

/// Turns records into a graph, gathering problems and notes.
pub(crate) struct Builder {
    pub graph: Graph,
    /// Files read, the current one last.
    files: Vec<String>,
    problems: Vec<(Pos, ProblemKind)>,
    /// Problems worked around (the row left out), refused only under `--strict`.
    worked: Vec<(Pos, ProblemKind)>,
    /// Where each entity was defined, by node number (for duplicate ids).
    node_pos: Vec<Pos>,
    edges: Vec<PendingEdge>,
    /// Notes the reader adds itself.
    pub notes: Vec<String>,
    /// Make a node for an edge end no node names (an edge list without nodes).
    pub implicit_nodes: bool,
    /// Why such nodes were made, for the load note; and whether it names
    /// them (where they are the exception: GraphML, GEXF).
    pub implicit_why: &'static str,
    pub implicit_named: bool,
}

impl Builder {
    pub fn new(path: &Path) -> Self {
        Builder {
            graph: Graph::default(),
            files: vec![path.display().to_string()],
            problems: Vec::new(),
            worked: Vec::new(),
            node_pos: Vec::new(),
            edges: Vec::new(),
            notes: Vec::new(),
            implicit_nodes: false,
            implicit_why: "as no node table names them",
            implicit_named: false,
        }
    }

    /// Starts reading another file of a folder; gives its number for [`Pos`].
    pub fn add_file(&mut self, path: &Path) -> usize {
        self.files.push(path.display().to_string());
        self.files.len() - 1
    }

    fn file_of(&self, at: Pos) -> &str {
        match at {
            Pos::Byte(_) => &self.files[0],
            Pos::LineCol { file, .. } => &self.files[file],
        }
    }

    /// The current file's name.
    fn file(&self) -> &str {
        self.files.last().map_or("", String::as_str)
    }

    pub fn problem(&mut self, at: Pos, kind: ProblemKind) {
        self.problems.push((at, kind));
    }

    /// A problem the load works around by leaving the row out: noted, and
    /// refused only under `--strict`.
    pub fn worked_around(&mut self, at: Pos, kind: ProblemKind) {
        self.worked.push((at, kind));
    }

    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// Problems so far, positions resolved against the current file.
    pub fn into_error(self, path: &Path) -> LoadError {
        errors(self.problems, &self.files, path)
    }
}

/// `problems` as an error, positions resolved against `path` (byte positions)
/// or the file each names.
fn errors(problems: Vec<(Pos, ProblemKind)>, files: &[String], path: &Path) -> LoadError {
    {
        // A duplicate's first definition at byte `b` is held as line 0, column `b`.
        let first_byte = |k: &ProblemKind| match k {
            ProblemKind::DuplicateId { first, .. } => match first.line_col {
                Some((0, b)) => Some(b as u64),
                _ => None,
            },
            _ => None,
        };
        let mut offsets: Vec<u64> = problems
            .iter()
            .flat_map(|(p, k)| {
                let at = match p {
                    Pos::Byte(b) => Some(*b),
                    Pos::LineCol { .. } => None,
                };
                at.into_iter().chain(first_byte(k))
            })
            .collect();
        let table = line_cols(path, &mut offsets);
        LoadError {
            problems: problems
                .into_iter()
                .map(|(at, mut kind)| {
                    let file = match at {
                        Pos::Byte(_) => files[0].clone(),
                        Pos::LineCol { file, .. } => files[file].clone(),
                    };
                    if let Some(b) = first_byte(&kind)
                        && let ProblemKind::DuplicateId { first, .. } = &mut kind
                    {
                        first.line_col = Some(resolve(Pos::Byte(b), &table));
                    }
                    Problem {
                        location: Location {
                            file,
                            line_col: Some(resolve(at, &table)),
                        },
                        kind,
                    }
                })
                .collect(),
        }
    }
}

impl Builder {
    fn sources(&mut self, ids: &[String]) -> SourceSet {
        if ids.is_empty() {
            return SourceSet::EMPTY;
        }
        let mut set = Vec::with_capacity(ids.len());
        for id in ids {
            let sid = match self.graph.find_source(id) {
                Some(s) => s,
                None => match self.graph.add_source(Source {
                    id: id.as_str().into(),
                    outlet: "".into(),
                    title: id.as_str().into(),
                    published: None,
                    file: self.file().into(),
                    // A source cited by its address is a link to follow.
                    url: (id.starts_with("https://") || id.starts_with("http://"))
                        .then(|| id.as_str().into()),
                }) {
                    Some(s) => s,
                    None => continue,
                },
            };
            set.push(sid);
        }
        self.graph.source_set(&set)
    }

    /// The dates and amount of a record, or a problem.
    #[allow(clippy::type_complexity)]
    fn facts(
        &mut self,
        r: &mut Record,
        owner: &str,
        at: Pos,
    ) -> Option<(Option<PartialDate>, Option<PartialDate>, Option<Amount>)> {
        let mut ok = true;
        let mut date_of = |this: &mut Self, s: &Option<String>, field: &'static str| match s
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match parse_date(s) {
                Ok(d) => Some(d),
                Err(message) => {
                    ok = false;
                    this.problem(
                        at,
                        ProblemKind::BadDate {
                            owner: owner.to_string(),
                            field,
                            message,
                        },
                    );
                    None
                }
            },
        };
        let date = date_of(self, &r.date, "date");
        let until = date_of(self, &r.until, "until");
        if let (Some(d), Some(u)) = (date, until)
            && u.last_day() < d.first_day()
        {
            ok = false;
            self.problem(
                at,
                ProblemKind::UntilBeforeDate {
                    owner: owner.to_string(),
                    date: d.to_string(),
                    until: u.to_string(),
                },
            );
        }
        let amount = match (r.amount.take(), r.currency.take()) {
            (Some(v), Some(c)) if !v.trim().is_empty() && !c.trim().is_empty() => {
                let value = v.trim().parse::<f64>();
                let made = value
                    .map_err(|_| format!("`{v}` is not a number"))
                    .and_then(|value| {
                        Amount::from_record(&AmountRecord {
                            value,
                            currency: c.clone(),
                            approx: r.approx,
                        })
                        .map_err(|e| e.to_string())
                    });
                match made {
                    Ok(a) => Some(a),
                    Err(message) => {
                        ok = false;
                        self.problem(
                            at,
                            ProblemKind::BadAmount {
                                owner: owner.to_string(),
                                message,
                            },
                        );
                        None
                    }
                }
            }
            // A figure without a currency (a weight, a count) is kept as it is.
            (v, c) => {
                r.attrs.extend(v.map(|v| ("amount".to_string(), v)));
                r.attrs.extend(c.map(|c| ("currency".to_string(), c)));
                None
            }
        };
        ok.then_some((date, until, amount))
    }

    fn attrs(&mut self, attrs: &[(String, String)]) -> Vec<(Sym, String)> {
        attrs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (self.graph.intern(k), v.clone()))
            .collect()
    }

    /// Adds the entity a node record describes.
    pub fn node(&mut self, mut r: Record, at: Pos) {
        let id = r.id.trim().to_string();
        if id.is_empty() {
            self.problem(at, ProblemKind::EmptyId { what: "node" });
            return;
        }
        let owner = format!("node `{id}`");
        let Some((date, until, amount)) = self.facts(&mut r, &owner, at) else {
            return;
        };
        let name = [r.name.as_deref(), r.label.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|s| !s.is_empty())
            .unwrap_or(&id)
            .to_string();
        if let (Some(n), Some(l)) = (r.name.as_deref(), r.label.as_deref())
            && n.trim() != l.trim()
            && !l.trim().is_empty()
        {
            r.attrs.push(("label".to_string(), l.to_string()));
        }
        let kind = entity_kind(&mut self.graph, r.kind.as_deref());
        let sources = self.sources(&r.sources);
        let attrs = self.attrs(&r.attrs);
        let attr_refs: Vec<(Sym, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let aliases: Vec<&str> = r
            .aliases
            .iter()
            .map(String::as_str)
            .filter(|a| *a != name)
            .collect();
        let entity = NewEntity {
            aliases: &aliases,
            date,
            until,
            note: r.note.as_deref().filter(|n| !n.is_empty()),
            amount,
            attrs: &attr_refs,
            ..NewEntity::new(&id, kind, &name, sources)
        };
        match self.graph.add_entity(entity) {
            Ok(_) => self.node_pos.push(at),
            Err(AddError::Duplicate(first)) => {
                let first = self.node_pos[first.index()];
                self.worked_around(
                    at,
                    ProblemKind::DuplicateId {
                        what: "node",
                        id,
                        // A byte position is resolved in `into_error`.
                        first: Location {
                            file: self.file_of(first).to_string(),
                            line_col: match first {
                                Pos::LineCol { line, col, .. } => Some((line, col)),
                                Pos::Byte(b) => Some((0, b as usize)),
                            },
                        },
                    },
                );
            }
            Err(AddError::Full(full)) => self.problem(at, ProblemKind::TooLarge(full)),
        }
    }

    /// Keeps an edge until every node is read.
    pub fn edge(&mut self, record: Record, at: Pos) {
        self.edges.push(PendingEdge { record, at });
    }

    /// Adds the edges, and gives the graph and its notes or every problem found.
    /// `path` is the file byte positions are counted in.
    /// The problems worked around are noted, and given as an error for
    /// `--strict`.
    pub fn finish_checked(mut self, path: &Path) -> Result<Checked, LoadError> {
        let mut missing: Vec<(Pos, String)> = Vec::new();
        let mut self_loops: Vec<Pos> = Vec::new();
        // Nodes made from edge ends: how many, and the first few.
        let mut implicit = 0usize;
        let mut implicit_first: Vec<(Pos, String)> = Vec::new();
        for PendingEdge { mut record, at } in std::mem::take(&mut self.edges) {
            let r = &mut record;
            let mut ends = [None, None];
            for (slot, id) in ends.iter_mut().zip([r.from.trim(), r.to.trim()]) {
                *slot = self.graph.find(id);
                if slot.is_none() && self.implicit_nodes && !id.is_empty() {
                    let kind = entity_kind(&mut self.graph, None);
                    if let Ok(n) = self.graph.add_entity(NewEntity::<String>::new(
                        id,
                        kind,
                        id,
                        SourceSet::EMPTY,
                    )) {
                        self.node_pos.push(at);
                        implicit += 1;
                        if implicit_first.len() < 10 {
                            implicit_first.push((at, id.to_string()));
                        }
                        *slot = Some(n);
                    }
                }
            }
            let [Some(from), Some(to)] = ends else {
                let id = if ends[0].is_none() { &r.from } else { &r.to };
                missing.push((at, id.clone()));
                continue;
            };
            if from == to {
                self_loops.push(at);
            }
            let owner = format!("edge {} → {}", r.from.trim(), r.to.trim());
            let Some((date, until, amount)) = self.facts(r, &owner, at) else {
                continue;
            };
            let kind = relation_kind(&mut self.graph, r.kind.as_deref().or(r.label.as_deref()));
            // A label that only repeats the kind (`holds office`) says nothing more.
            if r.kind.is_some()
                && let Some(label) = r.label.take()
                && normalise(&label) != normalise(self.graph.relation_kind_label(kind))
            {
                r.attrs.push(("label".to_string(), label));
            }
            let role = r
                .role
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| self.graph.intern(s));
            let sources = self.sources(&r.sources);
            let attrs = self.attrs(&r.attrs);
            let attr_refs: Vec<(Sym, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let relation = NewRelation {
                id: r.relation_id.as_deref().filter(|s| !s.is_empty()),
                role,
                date,
                until,
                amount,
                note: r.note.as_deref().filter(|n| !n.is_empty()),
                attrs: &attr_refs,
                undirected: r.undirected,
                ..NewRelation::new(kind, sources)
            };
            if let Err(full) = self.graph.add_relation(from, to, relation) {
                self.problem(at, ProblemKind::TooLarge(full));
                break;
            }
        }
        if self.has_problems() {
            return Err(self.into_error(path));
        }
        let mut offsets: Vec<u64> = missing
            .iter()
            .chain(&implicit_first)
            .map(|m| m.0)
            .filter_map(|p| match p {
                Pos::Byte(b) => Some(b),
                Pos::LineCol { .. } => None,
            })
            .collect();
        let table = line_cols(path, &mut offsets);
        let files = &self.files;
        let lines = |ps: &mut dyn Iterator<Item = Pos>| -> String {
            let mut v: Vec<String> = ps
                .take(10)
                .map(|p| {
                    let line = resolve(p, &table).0;
                    match p {
                        // A folder's tables: name the file.
                        Pos::LineCol { file, .. } if files.len() > 1 => {
                            let name = Path::new(&files[file])
                                .file_name()
                                .map(|n| n.to_string_lossy().to_string())
                                .unwrap_or_default();
                            format!("{name}:{line}")
                        }
                        _ => line.to_string(),
                    }
                })
                .collect();
            v.dedup();
            v.join(", ")
        };
        let mut notes = std::mem::take(&mut self.notes);
        if !missing.is_empty() {
            let ids: HashSet<&str> = missing.iter().map(|m| m.1.as_str()).collect();
            let mut ids: Vec<&str> = ids.into_iter().collect();
            ids.sort();
            ids.truncate(5);
            notes.push(format!(
                "{} edge{} whose ends are missing {} skipped (no node `{}`…): line{} {}{}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                if missing.len() == 1 { "was" } else { "were" },
                ids.join("`, `"),
                if missing.len() == 1 { "" } else { "s" },
                lines(&mut missing.iter().map(|m| m.0)),
                if missing.len() > 10 { ", …" } else { "" },
            ));
        }
        if !self_loops.is_empty() {
            notes.push(format!(
                "{} from a node to itself kept (a loop, as networkx, Gephi and Neo4j keep it)",
                crate::model::count(self_loops.len(), "edge"),
            ));
        }
        if implicit > 0 && !self.implicit_named {
            notes.push(format!(
                "{implicit} nodes were made from edge ends, {}",
                self.implicit_why
            ));
        } else if implicit > 0 {
            let ids: Vec<&str> = implicit_first
                .iter()
                .take(5)
                .map(|m| m.1.as_str())
                .collect();
            notes.push(format!(
                "{} made from edge ends, {} (`{}`{}): line{} {}{}",
                if implicit == 1 {
                    "1 node was".to_string()
                } else {
                    format!("{implicit} nodes were")
                },
                self.implicit_why,
                ids.join("`, `"),
                if implicit > 5 { ", …" } else { "" },
                if implicit == 1 { "" } else { "s" },
                lines(&mut implicit_first.iter().map(|m| m.0)),
                if implicit > 10 { ", …" } else { "" },
            ));
        }
        let worked = std::mem::take(&mut self.worked);
        let worked_around = (!worked.is_empty()).then(|| errors(worked, &self.files, path));
        if let Some(e) = &worked_around {
            let dups = e
                .problems
                .iter()
                .filter(|p| matches!(p.kind, ProblemKind::DuplicateId { .. }))
                .count();
            let rows = e.problems.len() - dups;
            let at = |dup: bool| {
                e.problems
                    .iter()
                    .filter(|p| matches!(p.kind, ProblemKind::DuplicateId { .. }) == dup)
                    .take(5)
                    .map(|p| p.location.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if dups > 0 {
                notes.push(format!(
                    "{} repeating an earlier id left out (the first kept; --strict refuses): {}",
                    crate::model::count(dups, "node"),
                    at(true)
                ));
            }
            if rows > 0 {
                notes.push(format!(
                    "{} not as long as the header left out (--strict refuses): {}",
                    crate::model::count(rows, "row"),
                    at(false)
                ));
            }
        }
        let mut graph = self.graph;
        graph.shrink_to_fit();
        Ok(Checked {
            graph,
            notes,
            worked_around,
        })
    }
}

/// The error for a file that cannot be opened.
pub(crate) fn open_error(path: &Path, e: std::io::Error) -> LoadError {
    let kind = if e.kind() == std::io::ErrorKind::NotFound {
        ProblemKind::NotFound
    } else {
        ProblemKind::Io(e.to_string())
    };
    LoadError::single(path.display().to_string(), kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_files_use() {
        assert_eq!(parse_date("2024").unwrap().to_string(), "2024");
        assert_eq!(
            parse_date("2024-11-23T10:00:00").unwrap().to_string(),
            "2024-11-23"
        );
        assert_eq!(parse_date("18-MAR-2013").unwrap().to_string(), "2013-03-18");
        assert!(parse_date("soon").is_err());
    }

    #[test]
    fn kinds_map_to_ties_kinds_or_stay_custom() {
        let mut g = Graph::default();
        assert_eq!(entity_kind(&mut g, Some("Person")), EntityKind::Person);
        assert_eq!(
            relation_kind(&mut g, Some("PARTY_TO")),
            RelationKind::PartyTo
        );
        let k = relation_kind(&mut g, Some("officer_of"));
        assert_eq!(g.relation_kind_label(k), "officer_of");
        assert_eq!(relation_kind(&mut g, None), RelationKind::RelatedTo);
    }
}
