//! Loading is validation: RON files (one, or a folder of them merged) become a
//! [`Graph`], or a [`LoadError`] that lists every problem found, each naming its
//! file, line and column, and the id it concerns.

use std::fmt;
use std::path::{Path, PathBuf};

use ron::extensions::Extensions;

mod scan;
mod stream;

pub use stream::Progress;

use crate::graph::{
    AddError, Graph, GraphFull, NewEntity, NewRelation, Source, SourceId, SourceSet,
};
use crate::model::{
    Amount, AmountRecord, EntityRecord, GraphFile, PartialDate, RelationRecord, SourceRecord,
};

/// The graph compiled into the binary, built from the seed reports.
pub const BUILTIN_GRAPH: &str = include_str!("../../assets/graph.ron");
/// How the built-in graph is named in messages.
pub const BUILTIN_NAME: &str = "<built-in>/graph.ron";

/// Longest name, alias, id or note accepted, in characters.
pub const MAX_TEXT: usize = 10_000;

/// Where a problem is: a file, and a line and column when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    /// 1-based line and column.
    pub line_col: Option<(usize, usize)>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_col {
            Some((l, c)) => write!(f, "{}:{l}:{c}", self.file),
            None => write!(f, "{}", self.file),
        }
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemKind {
    #[error("cannot read: {0}")]
    Io(String),
    #[error("no such file or folder")]
    NotFound,
    #[error("the folder holds no .ron files")]
    EmptyFolder,
    #[error(
        "the file is empty: expected `Graph(sources: [...], entities: [...], relations: [...])`"
    )]
    Empty,
    #[error("invalid RON: {0}")]
    Syntax(String),
    #[error("duplicate {what} id `{id}` (first defined at {first})")]
    DuplicateId {
        what: &'static str,
        id: String,
        first: Location,
    },
    #[error("{what} has an empty id")]
    EmptyId { what: &'static str },
    #[error("entity `{id}` has an empty name")]
    EmptyName { id: String },
    #[error("{owner}: {field} is {len} characters long; the limit is {MAX_TEXT}")]
    TooLong {
        owner: String,
        field: &'static str,
        len: usize,
    },
    #[error("relation {relation}: unknown entity id `{id}`")]
    UnknownEntity { relation: String, id: String },
    #[error("{owner}: unknown source id `{id}`")]
    UnknownSource { owner: String, id: String },
    #[error("relation {relation} cites no source: every relation needs at least one")]
    NoSource { relation: String },
    #[error("relation {relation} ties `{id}` to itself")]
    SelfLoop { relation: String, id: String },
    #[error("{owner}: {field}: {message}")]
    BadDate {
        owner: String,
        field: &'static str,
        message: String,
    },
    #[error("{owner}: `until` ({until}) is before `date` ({date})")]
    UntilBeforeDate {
        owner: String,
        date: String,
        until: String,
    },
    #[error("{owner}: {message}")]
    BadAmount { owner: String, message: String },
    /// A GraphML, GEXF or CSV file that its format's parser refuses.
    #[error("invalid {format}: {message}")]
    Invalid {
        format: &'static str,
        message: String,
    },
    /// A line of an FtM stream that is not JSON.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// A line of an FtM stream that is JSON but not an FtM entity.
    #[error("{0}")]
    Ftm(String),
    #[error(transparent)]
    TooLarge(#[from] GraphFull),
}

/// One problem found while loading.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub location: Location,
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.kind)
    }
}

/// Every problem found; loading fails if there is at least one.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "the graph did not load: {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    pub(crate) fn single(file: impl Into<String>, kind: ProblemKind) -> Self {
        LoadError {
            problems: vec![Problem {
                location: Location {
                    file: file.into(),
                    line_col: None,
                },
                kind,
            }],
        }
    }
}

/// Whether `TIES_LOAD_STATS` asks loads to say where their time went.
pub(crate) fn stats_wanted() -> bool {
    std::env::var_os("TIES_LOAD_STATS").is_some()
}

/// The RON options every graph file is read with: `Some(..)` may be left out.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// One file's text and its parsed records.
struct Parsed {
    name: String,
    text: String,
    file: GraphFile,
}

/// Loads the built-in graph.
pub fn load_builtin() -> Result<Graph, LoadError> {
    load_texts(vec![(BUILTIN_NAME.to_string(), BUILTIN_GRAPH.to_string())])
}

/// Loads the graph at `path`: a `.ron` file, or a folder whose `.ron` files are merged
/// in name order.
pub fn load_path(path: &Path) -> Result<Graph, LoadError> {
    load_path_with(path, &mut |_| {})
}

/// [`load_path`], telling `progress` how far it has come.
///
/// Files are first read record by record on every core ([`stream`]); if that
/// meets any problem, they are read again whole, and every problem is reported
/// with its position.
pub fn load_path_with(path: &Path, progress: &mut dyn FnMut(Progress)) -> Result<Graph, LoadError> {
    let files = graph_files(path)?;
    if let Some(graph) = stream::load_files(&files, progress) {
        return Ok(graph);
    }
    progress(Progress {
        done: 0,
        total: 0,
        careful: true,
    });
    load_files_whole(&files)
}

/// The files a graph path names: itself, or a folder's `.ron` files in name order.
pub fn graph_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            ProblemKind::NotFound
        } else {
            ProblemKind::Io(e.to_string())
        };
        LoadError::single(&name, kind)
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let entries = std::fs::read_dir(path)
        .map_err(|e| LoadError::single(&name, ProblemKind::Io(e.to_string())))?;
    for entry in entries {
        let entry = entry.map_err(|e| LoadError::single(&name, ProblemKind::Io(e.to_string())))?;
        let p = entry.path();
        if p.extension().is_some_and(|x| x == "ron") && p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(LoadError::single(name, ProblemKind::EmptyFolder));
    }
    Ok(files)
}

/// Reads each file whole, then parses and validates them as one graph.
fn load_files_whole(files: &[PathBuf]) -> Result<Graph, LoadError> {
    let mut texts = Vec::with_capacity(files.len());
    let mut problems = Vec::new();
    for f in files {
        let fname = f.display().to_string();
        match std::fs::read(f) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => texts.push((fname, text)),
                Err(e) => problems.push(Problem {
                    location: Location {
                        file: fname,
                        line_col: None,
                    },
                    kind: ProblemKind::Io(format!("not UTF-8 text ({})", e.utf8_error())),
                }),
            },
            Err(e) => problems.push(Problem {
                location: Location {
                    file: fname,
                    line_col: None,
                },
                kind: ProblemKind::Io(e.to_string()),
            }),
        }
    }
    match load_texts(texts) {
        Ok(g) if problems.is_empty() => Ok(g),
        Ok(_) => Err(LoadError { problems }),
        Err(mut e) => {
            problems.append(&mut e.problems);
            Err(LoadError { problems })
        }
    }
}

/// Parses and validates named RON texts as one merged graph.
pub fn load_texts(texts: Vec<(String, String)>) -> Result<Graph, LoadError> {
    let mut problems = Vec::new();
    let mut parsed = Vec::with_capacity(texts.len());
    for (name, text) in texts {
        match parse_text(&text) {
            Ok(file) => parsed.push(Parsed { name, text, file }),
            Err(kind_and_pos) => problems.push(Problem {
                location: Location {
                    file: name,
                    line_col: kind_and_pos.1,
                },
                kind: kind_and_pos.0,
            }),
        }
    }
    let graph = build(&parsed, &mut problems);
    if problems.is_empty() {
        Ok(graph)
    } else {
        Err(LoadError { problems })
    }
}

/// Validates records that were not read from a file (generated ones, for example)
/// as one graph. Problems name `name` as their file, without line numbers.
pub fn load_records(name: &str, file: GraphFile) -> Result<Graph, LoadError> {
    let parsed = [Parsed {
        name: name.to_string(),
        text: String::new(),
        file,
    }];
    let mut problems = Vec::new();
    let graph = build(&parsed, &mut problems);
    if problems.is_empty() {
        Ok(graph)
    } else {
        Err(LoadError { problems })
    }
}

/// Parses one file's text into records.
pub fn parse_text(text: &str) -> Result<GraphFile, (ProblemKind, Option<(usize, usize)>)> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim().is_empty() {
        return Err((ProblemKind::Empty, None));
    }
    ron_options().from_str::<GraphFile>(body).map_err(|e| {
        let pos = e.span.start;
        (
            ProblemKind::Syntax(e.code.to_string()),
            Some((pos.line, pos.col)),
        )
    })
}

/// Finds where a value is written in a file, to point a semantic problem at it.
struct Locator<'a> {
    name: &'a str,
    text: &'a str,
    /// Byte offset where the next search for a record starts.
    cursor: usize,
    /// (offset, line, offset of that line's start) of the last position asked for:
    /// positions are asked for in file order, so counting lines from there keeps
    /// locating every record of a file linear in its size.
    lines: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Locator<'a> {
    fn new(name: &'a str, text: &'a str) -> Self {
        Locator {
            name,
            text,
            cursor: 0,
            lines: std::cell::Cell::new((0, 1, 0)),
        }
    }

    fn at(&self, offset: usize) -> Location {
        let (mut from, mut line, mut line_start) = self.lines.get();
        if offset < from {
            (from, line, line_start) = (0, 1, 0);
        }
        for (i, b) in self.text.as_bytes()[from..offset].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = from + i + 1;
            }
        }
        self.lines.set((offset, line, line_start));
        let col = self.text[line_start..offset].chars().count() + 1;
        Location {
            file: self.name.to_string(),
            line_col: Some((line, col)),
        }
    }

    fn nowhere(&self) -> Location {
        Location {
            file: self.name.to_string(),
            line_col: None,
        }
    }

    /// Moves to the next record introduced by `field` (e.g. `id:` or `from:`) whose
    /// value is `value`; records are met in file order, so each search starts after
    /// the previous record.
    fn record(&mut self, field: &str, value: &str) -> Location {
        let quoted = ron_quote(value);
        let mut from = self.cursor;
        while let Some(i) = self.text[from..].find(field) {
            let at = from + i;
            let rest = self.text[at + field.len()..].trim_start();
            if rest.starts_with(&quoted) {
                self.cursor = at + field.len();
                return self.at(at);
            }
            from = at + field.len();
        }
        self.nowhere()
    }

    /// Where `value` is written inside the current record (after the cursor).
    fn value(&self, value: &str) -> Location {
        let quoted = ron_quote(value);
        match self.text[self.cursor..].find(&quoted) {
            Some(i) => self.at(self.cursor + i),
            None => self.nowhere(),
        }
    }
}

/// What a problem is about, formatted only when there is a problem.
#[derive(Debug, Clone, Copy)]
enum Owner<'a> {
    Source(&'a str),
    Entity(&'a str),
    /// The relation at `index` (0-based) of its file.
    Relation {
        index: usize,
        from: &'a str,
        to: &'a str,
    },
}

impl Owner<'_> {
    /// A relation's label: `#3 `a` → `b``.
    fn label(&self) -> String {
        match self {
            Owner::Relation { index, from, to } => {
                format!("#{} `{}` → `{}`", index + 1, short(from), short(to))
            }
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::Source(id) => write!(f, "source `{id}`"),
            Owner::Entity(id) => write!(f, "entity `{}`", short(id)),
            Owner::Relation { .. } => write!(f, "relation {}", self.label()),
        }
    }
}

/// An id cut to a readable length for messages.
pub(crate) fn short(id: &str) -> String {
    if id.chars().count() <= 60 {
        id.to_string()
    } else {
        let cut: String = id.chars().take(57).collect();
        format!("{cut}…")
    }
}

fn ron_quote(s: &str) -> String {
    ron::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

fn parse_date(
    raw: &Option<String>,
    field: &'static str,
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) -> Option<PartialDate> {
    let s = raw.as_ref()?;
    match s.parse::<PartialDate>() {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(Problem {
                location: loc.value(s),
                kind: ProblemKind::BadDate {
                    owner: owner.to_string(),
                    field,
                    message: e.to_string(),
                },
            });
            None
        }
    }
}

fn check_span(
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) {
    if let (Some(d), Some(u)) = (date, until)
        && u.last_day() < d.first_day()
    {
        problems.push(Problem {
            location: loc.value(&u.to_string()),
            kind: ProblemKind::UntilBeforeDate {
                owner: owner.to_string(),
                date: d.to_string(),
                until: u.to_string(),
            },
        });
    }
}

fn parse_amount(
    raw: &Option<AmountRecord>,
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Amount> {
    let r = raw.as_ref()?;
    match Amount::from_record(r) {
        Ok(a) => Some(a),
        Err(e) => {
            problems.push(Problem {
                location: loc.value(&r.currency),
                kind: ProblemKind::BadAmount {
                    owner: owner.to_string(),
                    message: e.to_string(),
                },
            });
            None
        }
    }
}

fn sources_of(
    graph: &mut Graph,
    ids: &[String],
    owner: &Owner<'_>,
    loc: &Locator<'_>,
    problems: &mut Vec<Problem>,
) -> SourceSet {
    let mut found: Vec<SourceId> = Vec::with_capacity(ids.len());
    for id in ids {
        match graph.find_source(id) {
            Some(s) => found.push(s),
            None => problems.push(Problem {
                location: loc.value(id),
                kind: ProblemKind::UnknownSource {
                    owner: owner.to_string(),
                    id: id.clone(),
                },
            }),
        }
    }
    graph.source_set(&found)
}

fn attrs_of<'a>(
    graph: &mut Graph,
    attrs: &'a [(String, String)],
) -> Vec<(crate::model::Sym, &'a str)> {
    attrs
        .iter()
        .map(|(k, v)| (graph.intern(k), v.as_str()))
        .collect()
}

/// Finds where an id was first defined, only when a duplicate is met (keeping a
/// location for every record would cost memory on large graphs).
struct FirstSeen<'p> {
    parsed: &'p [Parsed],
}

impl FirstSeen<'_> {
    fn locate<R>(
        &self,
        records: impl Fn(&GraphFile) -> &Vec<R>,
        id_of: impl Fn(&R) -> &String,
        id: &str,
    ) -> Location {
        for p in self.parsed {
            let mut loc = Locator::new(&p.name, &p.text);
            for r in records(&p.file) {
                let here = loc.record("id:", id_of(r));
                if id_of(r) == id {
                    return here;
                }
            }
        }
        Location {
            file: String::new(),
            line_col: None,
        }
    }
}

/// Builds the graph from parsed files, recording every problem.
fn build(parsed: &[Parsed], problems: &mut Vec<Problem>) -> Graph {
    let nodes: usize = parsed.iter().map(|p| p.file.entities.len()).sum();
    let edges: usize = parsed.iter().map(|p| p.file.relations.len()).sum();
    let mut graph = Graph::with_capacity(nodes, edges);
    let first_seen = FirstSeen { parsed };

    // Sources first: entities and relations in any file may cite them.
    for p in parsed {
        let mut loc = Locator::new(&p.name, &p.text);
        for s in &p.file.sources {
            let here = loc.record("id:", &s.id);
            add_source(&mut graph, s, here, &loc, &first_seen, problems);
        }
    }
    // Entities next, so relations may point forward and across files.
    for p in parsed {
        let mut loc = Locator::new(&p.name, &p.text);
        for e in &p.file.entities {
            let here = loc.record("id:", &e.id);
            add_entity(&mut graph, e, here, &loc, &first_seen, problems);
        }
    }
    let mut last_from = LastFrom::default();
    for p in parsed {
        let mut loc = Locator::new(&p.name, &p.text);
        for (i, r) in p.file.relations.iter().enumerate() {
            let here = loc.record("from:", &r.from);
            add_relation(&mut graph, r, i, here, &loc, &mut last_from, problems);
        }
    }
    graph
}

fn add_source(
    graph: &mut Graph,
    s: &SourceRecord,
    here: Location,
    loc: &Locator<'_>,
    first_seen: &FirstSeen<'_>,
    problems: &mut Vec<Problem>,
) {
    if s.id.trim().is_empty() {
        problems.push(Problem {
            location: here,
            kind: ProblemKind::EmptyId { what: "source" },
        });
        return;
    }
    let owner = Owner::Source(&s.id);
    let published = parse_date(&s.published, "published", &owner, loc, problems);
    let source = Source {
        id: s.id.as_str().into(),
        outlet: s.outlet.as_str().into(),
        title: s.title.as_str().into(),
        published,
        file: s.file.as_str().into(),
        url: s.url.as_deref().map(Into::into),
    };
    if graph.add_source(source).is_none() {
        problems.push(Problem {
            location: here,
            kind: ProblemKind::DuplicateId {
                what: "source",
                id: s.id.clone(),
                first: first_seen.locate(|f| &f.sources, |r| &r.id, &s.id),
            },
        });
    }
}

fn add_entity(
    graph: &mut Graph,
    e: &EntityRecord,
    here: Location,
    loc: &Locator<'_>,
    first_seen: &FirstSeen<'_>,
    problems: &mut Vec<Problem>,
) {
    if e.id.trim().is_empty() {
        problems.push(Problem {
            location: here,
            kind: ProblemKind::EmptyId { what: "entity" },
        });
        return;
    }
    let owner = Owner::Entity(&e.id);
    if e.name.trim().is_empty() {
        problems.push(Problem {
            location: here.clone(),
            kind: ProblemKind::EmptyName { id: e.id.clone() },
        });
    }
    let texts = [("id", &e.id), ("name", &e.name)]
        .into_iter()
        .chain(e.aliases.iter().map(|a| ("an alias", a)))
        .chain(e.note.iter().map(|n| ("the note", n)));
    // A text of at most MAX_TEXT bytes has at most MAX_TEXT characters.
    for (field, text) in texts.filter(|(_, t)| t.len() > MAX_TEXT) {
        let len = text.chars().count();
        if len > MAX_TEXT {
            problems.push(Problem {
                location: here.clone(),
                kind: ProblemKind::TooLong {
                    owner: owner.to_string(),
                    field,
                    len,
                },
            });
        }
    }
    let date = parse_date(&e.date, "date", &owner, loc, problems);
    let until = parse_date(&e.until, "until", &owner, loc, problems);
    check_span(date, until, &owner, loc, problems);
    let amount = parse_amount(&e.amount, &owner, loc, problems);
    let sources = sources_of(graph, &e.sources, &owner, loc, problems);
    let kind = e.kind.clone().map_other(|o| graph.intern(&o));
    let attrs = attrs_of(graph, &e.attrs);
    let entity = NewEntity {
        id: &e.id,
        kind,
        name: &e.name,
        aliases: &e.aliases,
        weak_aliases: &e.weak_aliases,
        date,
        until,
        note: e.note.as_deref(),
        amount,
        sources,
        attrs: &attrs,
    };
    match graph.add_entity(entity) {
        Ok(_) => {}
        Err(AddError::Duplicate(_)) => problems.push(Problem {
            location: here,
            kind: ProblemKind::DuplicateId {
                what: "entity",
                id: e.id.clone(),
                first: first_seen.locate(|f| &f.entities, |r| &r.id, &e.id),
            },
        }),
        Err(AddError::Full(full)) => problems.push(Problem {
            location: here,
            kind: full.into(),
        }),
    }
}

/// The `from` of the last relation added and its node: files list an entity's
/// relations together, and this spares most `from` lookups.
#[derive(Debug, Default)]
pub(crate) struct LastFrom(Option<(String, crate::graph::NodeIx)>);

impl LastFrom {
    fn find(&mut self, graph: &Graph, id: &str) -> Option<crate::graph::NodeIx> {
        if let Some((last, node)) = &self.0
            && last == id
        {
            return Some(*node);
        }
        let node = graph.find(id)?;
        match &mut self.0 {
            Some((last, n)) => {
                last.clear();
                last.push_str(id);
                *n = node;
            }
            None => self.0 = Some((id.to_string(), node)),
        }
        Some(node)
    }
}

#[allow(clippy::too_many_arguments)]
fn add_relation(
    graph: &mut Graph,
    r: &RelationRecord,
    index: usize,
    here: Location,
    loc: &Locator<'_>,
    last_from: &mut LastFrom,
    problems: &mut Vec<Problem>,
) {
    let owner = Owner::Relation {
        index,
        from: &r.from,
        to: &r.to,
    };
    let mut ok = true;
    let from = last_from.find(graph, &r.from);
    let to = graph.find(&r.to);
    for (end, id, field) in [(from, &r.from, "from"), (to, &r.to, "to")] {
        if end.is_none() {
            ok = false;
            let _ = field;
            problems.push(Problem {
                location: loc.value(id),
                kind: ProblemKind::UnknownEntity {
                    relation: owner.label(),
                    id: id.clone(),
                },
            });
        }
    }
    if r.from == r.to {
        ok = false;
        problems.push(Problem {
            location: here.clone(),
            kind: ProblemKind::SelfLoop {
                relation: owner.label(),
                id: r.from.clone(),
            },
        });
    }
    if r.sources.is_empty() {
        ok = false;
        problems.push(Problem {
            location: here.clone(),
            kind: ProblemKind::NoSource {
                relation: owner.label(),
            },
        });
    }
    let date = parse_date(&r.date, "date", &owner, loc, problems);
    let until = parse_date(&r.until, "until", &owner, loc, problems);
    check_span(date, until, &owner, loc, problems);
    let amount = parse_amount(&r.amount, &owner, loc, problems);
    let sources = sources_of(graph, &r.sources, &owner, loc, problems);
    let (Some(from), Some(to)) = (from, to) else {
        return;
    };
    if !ok {
        return;
    }
    let kind = r.kind.clone().map_other(|o| graph.intern(&o));
    let role = r.role.as_deref().map(|s| graph.intern(s));
    let attrs = attrs_of(graph, &r.attrs);
    let relation = NewRelation {
        id: r.id.as_deref(),
        kind,
        role,
        date,
        until,
        amount,
        sources,
        note: r.note.as_deref(),
        attrs: &attrs,
        undirected: r.undirected,
    };
    if let Err(full) = graph.add_relation(from, to, relation) {
        problems.push(Problem {
            location: here,
            kind: full.into(),
        });
    }
}
