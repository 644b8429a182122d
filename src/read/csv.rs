//! CSV tables of nodes and edges: one file, or a folder of them.
//!
//! A table is recognised by its header:
//! - the Neo4j import layout: `id:ID` (or `:ID(Space)`) marks a node table,
//!   `:START_ID` and `:END_ID` an edge table; `:LABEL` (`;`-separated) and
//!   `:TYPE` give kinds; other columns are `name:type` (`since:date`,
//!   `aliases:string[]`), `:IGNORE`d columns are skipped;
//! - the ICIJ Offshore Leaks layout: `node_id` in `nodes-*.csv` (the kind from
//!   the file name: `nodes-officers.csv` holds officers), and
//!   `node_id_start,node_id_end,rel_type,…,start_date,end_date` in
//!   `relationships.csv` (`link` is kept as the role, `sourceID` as the source);
//! - a plain layout: `id,name,kind,…` for nodes, `source,target,kind,…` (or
//!   `from,to`) for edges.
//!
//! Columns named like ties fields (`name`, `kind`, `aliases`, `date`, `until`,
//! `amount`, `currency`, `note`, `role`, `sources`) fill them (with `since`,
//! `start_date`, `incorporation_date` as dates and `end_date`,
//! `inactivation_date` as ends); any other column is kept as an attribute. The
//! delimiter (`,` `;` tab `|`) is sniffed from the header line, a UTF-8 byte
//! order mark is skipped, quoted fields may hold line breaks. Node tables are
//! read before edge tables; an edge whose end no node names is skipped and
//! noted, unless there is no node table at all, when its ends become nodes.
//!
//! Two spreadsheet shapes Gephi imports are read as Gephi reads them: an
//! adjacency matrix (the header's first cell empty) and an adjacency list (no
//! header a layout above knows, and rows of different lengths: each row a node
//! then its neighbours). In both a node is made only by an edge, as Gephi
//! makes them; a label with no edge is left out and noted.

use std::path::{Path, PathBuf};

use super::{Builder, Checked, Field, Item, Mode, Pos, Record, Sink, Text};
use crate::graph::Graph;
use crate::load::{LoadError, ProblemKind};

/// Bytes of CSV per entity with its share of relations (about what `ties
/// export` writes): a first guess at the graph's size, to spare most of its
/// growing.
const PER_ENTITY: u64 = 250;

/// A folder holding `.csv` tables, or a file whose header is a layout above (or
/// that is named `.csv`/`.tsv`).
pub fn sniff(path: &Path, head: &[u8]) -> bool {
    if path.is_dir() {
        return tables(path).is_ok_and(|t| !t.is_empty());
    }
    if head.is_empty() {
        return is_table_name(path);
    }
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    if first.trim_start().starts_with(['<', '{', '[', '(']) || first.starts_with("Graph") {
        return false;
    }
    let delimiter = sniff_delimiter(first.as_bytes());
    let header: Vec<String> = first
        .split(delimiter as char)
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect();
    layout(&header, path).is_some() || is_table_name(path)
}

fn is_table_name(path: &Path) -> bool {
    super::has_extension(path, "csv") || super::has_extension(path, "tsv")
}

/// The `.csv` and `.tsv` files of a folder, in name order.
pub fn tables(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_table_name(p))
        .collect();
    v.sort();
    Ok(v)
}

/// The delimiter the header line uses most, outside quotes: `,` `;` tab `|`,
/// else a space between words (a space-delimited table), else `,`.
fn sniff_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; 5];
    let candidates = [b',', b';', b'\t', b'|', b' '];
    let mut quoted = false;
    for &b in line.iter().take_while(|&&b| b != b'\n') {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    // A space counts only when nothing else separates the header's fields.
    let (i, n) = counts[..4]
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i)))
        .unwrap_or((0, &0));
    let line = line.split(|&b| b == b'\n').next().unwrap_or_default();
    let words = line.trim_ascii();
    match (*n, counts[4]) {
        (0, s) if s > 0 && words.contains(&b' ') => b' ',
        (0, _) => b',',
        _ => candidates[i],
    }
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq)]
enum Col {
    Id,
    From,
    To,
    /// Neo4j labels: the first is the kind, the rest an attribute.
    Labels,
    /// A field or attribute, by the name [`Record::set`] files it under.
    Field(String),
    /// A `name:string[]` column: each `;`-separated item is one value.
    List(String),
    Date,
    Until,
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Table {
    Nodes,
    Edges,
    /// An adjacency matrix (Gephi's spreadsheet import): a header whose first
    /// cell is empty and names the columns' nodes, then a row per node, its id
    /// first; a cell other than 0 or empty is an edge, its number the weight.
    Matrix,
    /// An adjacency list (Gephi's spreadsheet import): no header, each row a
    /// node then the nodes it has an edge to.
    List,
}

/// How a table is read: nodes or edges, and what each column is.
fn layout(header: &[String], _path: &Path) -> Option<(Table, Vec<Col>)> {
    if header.len() > 1 && header[0].trim().is_empty() {
        let cols = header[1..].iter().map(|h| Col::Field(h.trim().to_string()));
        return Some((Table::Matrix, cols.collect()));
    }
    let lower: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let has = |n: &str| lower.iter().any(|h| h == n);
    let neo_type = |h: &str| h.split_once(':').map(|(_, t)| t.to_string());
    let neo = lower
        .iter()
        .any(|h| neo_type(h).is_some_and(|t| t.starts_with("id") || t.starts_with("start_id")));
    let table = if neo {
        if lower
            .iter()
            .any(|h| neo_type(h).is_some_and(|t| t.starts_with("start_id")))
        {
            Table::Edges
        } else {
            Table::Nodes
        }
    } else if (has("node_id_start") && has("node_id_end"))
        || (has("source") && has("target"))
        || (has("from") && has("to"))
    {
        Table::Edges
    } else if has("node_id") || has("id") {
        Table::Nodes
    } else {
        return None;
    };
    let icij = has("node_id") || has("node_id_start");
    let cols = lower
        .iter()
        .zip(header)
        .map(|(h, original)| {
            let (name, ty) = match h.split_once(':') {
                Some((n, t)) => (n.to_string(), Some(t.to_string())),
                None => (h.clone(), None),
            };
            let name_as_written = original.trim().split(':').next().unwrap_or("").to_string();
            match ty.as_deref() {
                Some(t) if t.starts_with("start_id") => return Col::From,
                Some(t) if t.starts_with("end_id") => return Col::To,
                Some(t) if t.starts_with("id") => return Col::Id,
                Some("label") => return Col::Labels,
                Some("type") => return Col::Field("kind".into()),
                Some("ignore") => return Col::Skip,
                _ => {}
            }
            match (table, name.as_str()) {
                (Table::Nodes, "id" | "node_id") => Col::Id,
                (Table::Edges, "source" | "from" | "node_id_start") => Col::From,
                (Table::Edges, "target" | "to" | "node_id_end") => Col::To,
                (_, "date" | "since" | "start_date" | "incorporation_date") => Col::Date,
                (_, "until" | "end_date" | "inactivation_date") => Col::Until,
                (_, "sourceid") if icij => Col::Field("sources".into()),
                (Table::Edges, "link") if icij => Col::Field("role".into()),
                (Table::Nodes, "original_name" | "former_name") if icij => {
                    Col::Field("aliases".into())
                }
                (Table::Edges, "relation" | "relationship") => Col::Field("kind".into()),
                _ if ty.as_deref().is_some_and(|t| t.ends_with("[]")) => Col::List(name_as_written),
                _ => Col::Field(name_as_written),
            }
        })
        .collect();
    Some((table, cols))
}

/// The kind an ICIJ node table's name gives its rows: `nodes-officers.csv` →
/// `officer`.
fn icij_kind(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?.to_lowercase();
    let what = stem.strip_prefix("nodes-")?;
    let singular = if let Some(s) = what.strip_suffix("ies") {
        format!("{s}y")
    } else if let Some(s) = what.strip_suffix("sses") {
        format!("{s}ss")
    } else {
        what.strip_suffix('s').unwrap_or(what).to_string()
    };
    Some(singular)
}

/// Columns of other names to read as ties fields: `FIELD=COLUMN` pairs such as
/// `id=person_id,name=full_name,source=from_id,target=to_id` (`--csv-columns`).
/// A renamed column is read as if its header said the field's name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns(Vec<(String, String)>);

/// Fields a column can be mapped to, besides the attributes' own names.
const MAPPABLE: &[&str] = &[
    "id",
    "source",
    "target",
    "name",
    "label",
    "kind",
    "aliases",
    "date",
    "until",
    "note",
    "amount",
    "currency",
    "approx",
    "sources",
    "role",
    "relation_id",
    "undirected",
];

impl std::str::FromStr for Columns {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut pairs = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((field, column)) = part.split_once('=') else {
                return Err(format!("`{part}` is not FIELD=COLUMN"));
            };
            let (field, column) = (field.trim().to_ascii_lowercase(), column.trim());
            let field = match field.as_str() {
                "from" => "source".to_string(),
                "to" => "target".to_string(),
                _ => field,
            };
            if !MAPPABLE.contains(&field.as_str()) {
                return Err(format!(
                    "`{field}` is not a field ties reads; fields: {}",
                    MAPPABLE.join(", ")
                ));
            }
            if column.is_empty() {
                return Err(format!("`{part}` names no column"));
            }
            pairs.push((field, column.to_lowercase()));
        }
        if pairs.is_empty() {
            return Err("no FIELD=COLUMN pairs".into());
        }
        Ok(Columns(pairs))
    }
}

impl Columns {
    /// The header with mapped columns renamed to their fields.
    fn rename(&self, header: &[String]) -> Vec<String> {
        header
            .iter()
            .map(|h| {
                let lower = h.trim().to_lowercase();
                self.0
                    .iter()
                    .find(|(_, column)| *column == lower)
                    .map_or_else(|| h.clone(), |(field, _)| field.clone())
            })
            .collect()
    }
}

/// Reads a CSV file or a folder of them.
pub fn read(path: &Path) -> Result<(Graph, Vec<String>), LoadError> {
    read_with(path, &Columns::default())
}

/// [`read`], with columns of other names read as the fields `columns` maps
/// them to.
pub fn read_with(path: &Path, columns: &Columns) -> Result<(Graph, Vec<String>), LoadError> {
    read_with_checked(path, columns).map(|c| (c.graph, c.notes))
}

/// [`read_with`], with what the load worked around (a duplicate node id, a
/// row not as long as the header) as an error for `--strict`.
pub fn read_with_checked(path: &Path, columns: &Columns) -> Result<Checked, LoadError> {
    read_with_checked_in(path, columns, Mode::default())
}

/// [`read_with_checked`], built the way `mode` says.
pub fn read_with_checked_in(
    path: &Path,
    columns: &Columns,
    mode: Mode,
) -> Result<Checked, LoadError> {
    read_in_batches(path, columns, mode, ROWS)
}

/// [`read_with_checked_in`], node and edge tables read into records
/// `rows_per_batch` rows at a time (on other threads in [`Mode::Streamed`]):
/// tests vary it to put batch ends everywhere.
#[doc(hidden)]
pub fn read_in_batches(
    path: &Path,
    columns: &Columns,
    mode: Mode,
    rows_per_batch: usize,
) -> Result<Checked, LoadError> {
    std::fs::metadata(path).map_err(|e| super::open_error(path, e))?;
    let files = if path.is_dir() {
        let t = tables(path).map_err(|e| super::open_error(path, e))?;
        if t.is_empty() {
            return Err(LoadError::single(
                path.display().to_string(),
                ProblemKind::Invalid {
                    format: "CSV",
                    message: "the folder holds no .csv or .tsv tables".into(),
                },
            ));
        }
        t
    } else {
        vec![path.to_path_buf()]
    };
    let size = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let mut b = Builder::sized(path, size, PER_ENTITY);
    // Headers first: node tables are read before edge tables.
    let mut plan = Vec::new();
    for f in &files {
        let file = b.add_file(f);
        match header_of(f) {
            Ok((delimiter, header)) => match layout(&columns.rename(&header), f) {
                Some((table, cols)) => plan.push((f.clone(), file, delimiter, table, cols)),
                None if *columns == Columns::default() && is_adjacency_list(f, delimiter) => {
                    plan.push((f.clone(), file, delimiter, Table::List, Vec::new()))
                }
                None => b.problem(
                    Pos::LineCol {
                        file,
                        line: 1,
                        col: 1,
                    },
                    ProblemKind::Invalid {
                        format: "CSV",
                        message: format!(
                            "the header ({}) names no id column: expected `id`, `id:ID`, \
                             `node_id`, or `source` and `target` (or `:START_ID` and `:END_ID`); \
                             --csv-columns id=COLUMN reads another column as the id",
                            header.join(", ")
                        ),
                    },
                ),
            },
            Err(kind) => b.problem(
                Pos::LineCol {
                    file,
                    line: 1,
                    col: 1,
                },
                kind,
            ),
        }
    }
    b.implicit_nodes = !plan.iter().any(|p| p.3 != Table::Edges);
    // With no node table, no node can come after an edge names its ends.
    b.implicit_at_once = b.implicit_nodes;
    plan.sort_by_key(|p| p.3 == Table::Edges);
    super::stream(&mut b, mode, |s| {
        for (f, file, delimiter, table, cols) in plan {
            read_table(s, &f, file, delimiter, table, &cols, rows_per_batch);
        }
    });
    if b.has_problems() {
        return Err(b.into_error(path));
    }
    b.finish_checked(path)
}

/// The delimiter and header of a table.
fn header_of(path: &Path) -> Result<(u8, Vec<String>), ProblemKind> {
    use std::io::Read;
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| ProblemKind::Io(e.to_string()))?;
    head.truncate(n);
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(ProblemKind::Invalid {
            format: "CSV",
            message: "the file is empty: expected a header line".into(),
        });
    }
    let delimiter = sniff_delimiter(head);
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(head);
    let mut rec = csv::ByteRecord::new();
    let _ = r.read_byte_record(&mut rec);
    let header = rec
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_string())
        .collect();
    Ok((delimiter, header))
}

/// Rows of a node or edge table handed to another thread at a time.
const ROWS: usize = 4096;

/// Rows of a table as the CSV parser split them (so a quoted line break is
/// inside its field, and every row has its line), their fields' bytes one
/// after another: read into records on other threads, in batches.
#[derive(Default)]
struct Rows {
    bytes: Vec<u8>,
    /// Where each field ends in `bytes`.
    ends: Vec<usize>,
    /// Per row: its line, and where its fields end in `ends`.
    rows: Vec<(usize, usize)>,
}

impl Rows {
    fn push(&mut self, rec: &csv::ByteRecord, line: usize) {
        for f in rec {
            self.bytes.extend_from_slice(f);
            self.ends.push(self.bytes.len());
        }
        self.rows.push((line, self.ends.len()));
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.rows.clear();
    }

    /// Each row's line, its fields' bytes one after another, and its
    /// fields, in order.
    fn each<'a>(&'a self, mut f: impl FnMut(usize, &'a [u8], &[&'a [u8]])) {
        let mut fields: Vec<&'a [u8]> = Vec::new();
        let (mut field, mut byte) = (0, 0);
        for &(line, end) in &self.rows {
            fields.clear();
            let first = byte;
            for &e in &self.ends[field..end] {
                fields.push(&self.bytes[byte..e]);
                byte = e;
            }
            field = end;
            f(line, &self.bytes[first..byte], &fields);
        }
    }
}

/// Bytes read from a table's file at a time, in [`Chunker::next`].
const BLOCK: usize = 1 << 18;

/// A node or edge table's rows as they lie in the file, for a row thread to
/// split into fields ([`TableRead::chunk_items`]): the CSV parser, which
/// split every row on the reading thread and copied its fields twice, was a
/// fifth of a large table's load (perf). The chunk begins where the parser
/// would begin a row (just after one it returned) and ends where it would
/// return one (or at the file's end).
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    /// The parser's line at the chunk's start (line breaks so far, plus 1).
    line: usize,
    /// The line the parser gives the next row it reads: the line it was on
    /// when it returned the row before, one less than `line` when that row
    /// ended with a carriage return and the line feed after it is the
    /// chunk's first byte.
    pos: usize,
    /// Whether the file ends with the chunk (its last row may end there).
    last: bool,
}

/// Where [`scan`] is in a chunk, between reads of more of the file.
#[derive(Default, Clone, Copy)]
struct Scan {
    at: usize,
    /// Inside a quoted field.
    quoted: bool,
    /// Line feeds before `at`.
    lines: usize,
    /// Rows ended before `at`.
    rows: usize,
}

/// Finds where the `want`th row of `bytes` (which begins where the CSV
/// parser would begin a row) ends, going on from `s`: the index just after
/// the row's last byte, and whether it ended with a carriage return before
/// that line feed. `None` when `bytes` ends first (`s` then says where to go
/// on from). As the parser reads: a quote opens a quoted field only as a
/// field's first byte; in one, a quote ends it unless another follows (an
/// escaped quote); outside, a line feed or carriage return ends a row unless
/// the row is empty (a blank line, which the parser skips).
fn scan(bytes: &[u8], s: &mut Scan, want: usize, delimiter: u8) -> Option<(usize, bool)> {
    let terminator = |b: u8| b == b'\n' || b == b'\r';
    loop {
        let rest = bytes.get(s.at..).unwrap_or_default();
        if s.quoted {
            let Some(k) = memchr::memchr(b'"', rest) else {
                s.lines += memchr::memchr_iter(b'\n', rest).count();
                s.at = bytes.len();
                return None;
            };
            let q = s.at + k;
            s.lines += memchr::memchr_iter(b'\n', &rest[..k]).count();
            match bytes.get(q + 1) {
                // Whether the quote is escaped is up to the next byte.
                None => {
                    s.at = q;
                    return None;
                }
                Some(b'"') => s.at = q + 2,
                Some(_) => {
                    s.quoted = false;
                    s.at = q + 1;
                }
            }
            continue;
        }
        let Some(k) = memchr::memchr2(b'"', b'\n', rest) else {
            s.at = bytes.len();
            return None;
        };
        let j = s.at + k;
        s.at = j + 1;
        if bytes[j] == b'"' {
            if j == 0 || terminator(bytes[j - 1]) || bytes[j - 1] == delimiter {
                s.quoted = true;
            }
            continue;
        }
        s.lines += 1;
        // The row ended at this line feed, or at the carriage return before
        // it, unless it is empty.
        let ended = if j >= 1 && !terminator(bytes[j - 1]) {
            Some(false)
        } else if j >= 2 && bytes[j - 1] == b'\r' && !terminator(bytes[j - 2]) {
            Some(true)
        } else {
            None
        };
        if let Some(cr) = ended {
            s.rows += 1;
            if s.rows >= want {
                return Some((j + 1, cr));
            }
        }
    }
}

/// Cuts a table's file, from just after its header, into [`Chunk`]s of
/// `rows` rows each.
struct Chunker {
    file: std::fs::File,
    /// Bytes read after the last chunk's end.
    carry: Vec<u8>,
    line: usize,
    pos: usize,
    eof: bool,
    rows: usize,
    delimiter: u8,
}

impl Chunker {
    /// Fills `c` with the next chunk; an empty one when the file has ended.
    fn next(&mut self, c: &mut Chunk) -> std::io::Result<()> {
        use std::io::Read;
        c.bytes.clear();
        std::mem::swap(&mut c.bytes, &mut self.carry);
        (c.line, c.pos, c.last) = (self.line, self.pos, false);
        let mut s = Scan::default();
        loop {
            if let Some((end, cr)) = scan(&c.bytes, &mut s, self.rows, self.delimiter) {
                self.carry.extend_from_slice(&c.bytes[end..]);
                c.bytes.truncate(end);
                self.line += s.lines;
                // After a row ended by a carriage return and line feed, the
                // parser is still on the carriage return's line.
                self.pos = self.line - usize::from(cr);
                return Ok(());
            }
            if self.eof {
                c.last = true;
                return Ok(());
            }
            let got = (&mut self.file)
                .take(BLOCK as u64)
                .read_to_end(&mut c.bytes)?;
            self.eof = got == 0;
        }
    }
}

/// Records and text the builder is done with, filled again by the next rows
/// read (millions of short fields: made and freed each time, they were a
/// fifth of a large table's load).
#[derive(Default)]
struct Pool {
    texts: Vec<Text>,
    /// Items of batches the builder is done with: their records to be
    /// emptied and filled again.
    spent: Vec<Item>,
    /// The CSV parser for rows not split at their delimiters, kept from
    /// chunk to chunk (made, it builds its tables: 270 000 instructions,
    /// once for most chunks of a node table).
    parser: Option<Parser>,
}

impl Pool {
    /// Records and texts kept at most.
    const MAX: usize = 1 << 16;

    /// `value` in a text of the pool's.
    fn text(&mut self, value: &str) -> Text {
        super::reused_text(&mut self.texts, value)
    }

    /// `value` put in `t` (empty, held inline: as [`Pool::empty`] leaves a
    /// record's ids): written where `t` lies when it is short
    /// ([`super::write_inline`]: a text made on the stack and moved into
    /// the record was read back before its bytes were all stored,
    /// `reused_text` 4 % of a large table's load), else in a text of the
    /// pool's.
    fn put(&mut self, t: &mut Text, value: &str) {
        if value.len() <= super::INLINE {
            super::write_inline(t, value);
        } else {
            *t = self.text(value);
        }
    }

    /// [`Pool::put`] into an optional text.
    fn put_in(&mut self, slot: &mut Option<Text>, value: &str) {
        if value.len() <= super::INLINE {
            super::write_inline(slot.insert(Text::default()), value);
        } else {
            *slot = Some(self.text(value));
        }
    }

    /// The items of a list `value` (trimmed, not empty) appended to `list`,
    /// as [`super::split_into`] appends them: split at `;`, trimmed, empty
    /// ones dropped; each written where it lies ([`Pool::put`]), not made
    /// a text, filed by [`RecordData::set_field`](super::RecordData::set_field)
    /// and split again (a tenth of the row threads' instructions, 100k).
    fn put_items(&mut self, list: &mut Vec<Text>, value: &str) {
        super::put_items(list, value, |t, item| self.put(t, item));
    }

    /// An empty record: one the builder is done with emptied now, just
    /// before it is filled (emptied a batch at a time, each record was
    /// brought into the cache twice, and `empty` was 8 % of a large
    /// table's load, perf).
    fn record(&mut self) -> Record {
        // The records next to be emptied, last touched on the builder's
        // thread, most often out of this core's cache: the one after next
        // asked for now, and the lists of the next (its lines asked for
        // one call before), while this one is emptied and filled (their
        // first touch was most of `record`'s time at 1M, perf).
        let n = self.spent.len();
        if let Some(Item::Node(r, _) | Item::Edge(r, _)) = n.checked_sub(3).map(|k| &self.spent[k])
        {
            super::prefetch(&**r);
        }
        if let Some(Item::Node(r, _) | Item::Edge(r, _)) = n.checked_sub(2).map(|k| &self.spent[k])
        {
            prefetch_list(&r.sources);
            prefetch_list(&r.aliases);
        }
        while let Some(item) = self.spent.pop() {
            if let Item::Node(mut r, _) | Item::Edge(mut r, _) = item {
                self.empty(&mut r);
                r.approx = false;
                r.undirected = false;
                r.dates = None;
                r.amount_value = None;
                return r;
            }
        }
        Record::default()
    }

    /// Takes back the records of `items` (emptied when [`Pool::record`]
    /// gives them out), leaving `items` empty.
    fn refill(&mut self, items: &mut Vec<Item>) {
        if self.spent.len() >= Self::MAX {
            items.clear();
        } else if self.spent.is_empty() {
            std::mem::swap(&mut self.spent, items);
        } else {
            self.spent.append(items);
        }
    }

    /// Takes back a record's texts that are held on the heap, leaving it
    /// empty (its ids empty and inline; an inline text has nothing to keep,
    /// and was handed to [`Pool::keep`] one call each).
    fn empty(&mut self, r: &mut Record) {
        let texts = &mut self.texts;
        let mut give = |t: &mut Text| {
            if t.is_heap_allocated() {
                super::keep_text(texts, std::mem::take(t), Self::MAX);
            }
        };
        for t in [&mut r.id, &mut r.from, &mut r.to] {
            give(t);
            *t = Text::default();
        }
        // The lists stay in the record, emptied.
        r.empty_extras(&mut give);
    }
}

/// Asks for the first cache line of `list`'s items, if it has any.
#[inline(always)]
fn prefetch_list(list: &[Text]) {
    if let Some(first) = list.first() {
        super::prefetch(first);
    }
}

/// The problem that ended a table's rows (the CSV parser's error), where it is.
type RowsEnd = (Pos, ProblemKind);

/// What reading a node or edge table's rows needs to know.
struct TableRead<'a> {
    file: usize,
    table: Table,
    cols: &'a [Col],
    /// What each column of `cols` does to a record ([`TableRead::fill`]).
    acts: Vec<Act>,
    header: &'a [String],
    /// The kind of the rows of an ICIJ node table.
    kind: Option<String>,
    delimiter: u8,
    /// What each byte is to [`TableRead::chunk_items`]: [`PLAIN`],
    /// [`DELIMITER`], [`LINE_FEED`], or a quote or carriage return.
    classes: [u8; 256],
}

/// What a row's field in a column does to its record: its [`Col`] worked
/// out once for the table (small, read for every field).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Act {
    Skip,
    Id,
    From,
    To,
    Labels,
    Date,
    Until,
    /// A list of aliases, or of sources, split as [`RecordData::set_field`]
    /// splits them (`split_into`), whether its column is a [`Col::Field`]
    /// or a [`Col::List`] (whose items `list_items` splits).
    ///
    /// [`RecordData::set_field`]: super::RecordData::set_field
    Aliases,
    Sources,
    /// A [`Col::Field`]'s value, filed under the field its name stands for.
    Field(Field),
    /// A [`Col::List`]'s items, each filed under the field its name stands for.
    List(Field),
}

impl Act {
    fn of(col: &Col) -> Act {
        match col {
            Col::Id => Act::Id,
            Col::From => Act::From,
            Col::To => Act::To,
            Col::Labels => Act::Labels,
            Col::Date => Act::Date,
            Col::Until => Act::Until,
            Col::Skip => Act::Skip,
            Col::Field(name) | Col::List(name) => match (Field::of(name), col) {
                (Field::Aliases, _) => Act::Aliases,
                (Field::Sources, _) => Act::Sources,
                (f, Col::Field(_)) => Act::Field(f),
                (f, _) => Act::List(f),
            },
        }
    }
}

const PLAIN: u8 = 0;
const DELIMITER: u8 = 1;
const LINE_FEED: u8 = 2;

/// [`TableRead::classes`] for `delimiter`.
fn classes(delimiter: u8) -> [u8; 256] {
    let mut c = [PLAIN; 256];
    c[usize::from(b'"')] = 3;
    c[usize::from(b'\r')] = 3;
    c[usize::from(b'\n')] = LINE_FEED;
    c[usize::from(delimiter)] = DELIMITER;
    c
}

impl TableRead<'_> {
    /// The name of column `i`, a [`Col::Field`] or [`Col::List`].
    fn name(&self, i: usize) -> &str {
        match &self.cols[i] {
            Col::Field(name) | Col::List(name) => name,
            _ => "",
        }
    }

    fn at(&self, line: usize, col: usize) -> Pos {
        Pos::LineCol {
            file: self.file,
            line,
            col,
        }
    }

    /// The items `rows` make, in order.
    fn items(&self, rows: &Rows, out: &mut Vec<Item>, pool: &mut Pool) {
        let mut texts = Vec::with_capacity(self.cols.len());
        rows.each(|line, whole, fields| {
            texts.clear();
            texts.extend(checked(whole, fields.iter().copied()));
            self.row(line, &texts, out, pool);
        });
    }

    /// The items a [`Chunk`]'s rows make, in order: each row as the CSV
    /// parser would return it, with the line it would give it. A row with
    /// no quote and no carriage return (but at its end, before the line
    /// feed) is split here at its delimiters, its fields text when the
    /// chunk is (checked at once); any other the parser reads.
    fn chunk_items(&self, chunk: &Chunk, out: &mut Vec<Item>, pool: &mut Pool) {
        let bytes = &chunk.bytes[..];
        let text = simdutf8::basic::from_utf8(bytes).ok();
        let mut fields: Vec<Option<&str>> = Vec::with_capacity(self.cols.len());
        let mut texts: Vec<&str> = Vec::with_capacity(self.cols.len());
        let mut parser = pool.parser.take();
        if let Some(parser) = &mut parser {
            parser.reset();
        }
        let (mut p, mut line, mut pos) = (0, chunk.line, chunk.pos);
        // The delimiters of a row.
        let mut delims: Vec<usize> = Vec::with_capacity(self.cols.len());
        while p < bytes.len() {
            // Up to the row's line feed (or the chunk's end), unless a quote
            // or a carriage return comes first.
            delims.clear();
            let (mut end, stop) = self.row_end(bytes, p, &mut delims);
            // A carriage return just before the line feed (or the chunk's
            // end) ends the row as one.
            let cr = match stop {
                None => false,
                Some(k) if bytes[k] == b'\r' && matches!(bytes.get(k + 1), None | Some(b'\n')) => {
                    end = (k + 1).min(bytes.len());
                    true
                }
                Some(_) => {
                    let parser = parser.get_or_insert_with(|| Parser::new(self.delimiter));
                    let Some((q, next)) = parser.row(&bytes[p..], chunk.last, line) else {
                        break;
                    };
                    let parsed: Vec<Option<&str>> = parser.fields().collect();
                    self.row(pos, &parsed, out, pool);
                    p += q;
                    line = next;
                    pos = line;
                    continue;
                }
            };
            let len = end - p - usize::from(cr);
            let fed = usize::from(end < bytes.len());
            if len > 0 {
                fields.clear();
                let mut a = p;
                debug_assert!(delims.iter().all(|&d| p <= d && d < p + len));
                match text {
                    // Fields of a text cut at ASCII bytes: text.
                    Some(t) => {
                        texts.clear();
                        for &d in &delims {
                            // SAFETY: `t` is the chunk's text, `a` (`p`, or
                            // just after a delimiter) and `d` (a delimiter)
                            // are at ASCII bytes, or where a row or the
                            // text begins or ends: a character's boundary.
                            texts.push(unsafe { t.get_unchecked(a..d) });
                            a = d + 1;
                        }
                        // SAFETY: as above, `p + len` at the row's line
                        // feed or carriage return, or the text's end.
                        texts.push(unsafe { t.get_unchecked(a..p + len) });
                        self.row(pos, &texts, out, pool);
                    }
                    None => {
                        let row = &bytes[p..p + len];
                        let raw = delims.iter().copied().chain([p + len]).map(|d| {
                            let f = &bytes[a..d];
                            a = d + 1;
                            f
                        });
                        fields.extend(checked(row, raw));
                        self.row(pos, &fields, out, pool);
                    }
                }
                // A row ended by a carriage return leaves the parser on its line.
                pos = if cr { line } else { line + fed };
            }
            line += fed;
            p = end + 1;
        }
        pool.parser = parser;
    }

    /// Where the row at `p` ends: its line feed (or the end of `bytes`), or
    /// the quote or carriage return before it (then `Some`); its delimiters
    /// before that pushed to `delims`. Sixteen bytes at a time with SSE2
    /// ([`marks16`]; eight at a time in the bits of a word was 8 % of the
    /// row threads' instructions, 100k), then eight at a time in the bits of
    /// a word, the last few byte by byte.
    fn row_end(&self, bytes: &[u8], p: usize, delims: &mut Vec<usize>) -> (usize, Option<usize>) {
        use crate::words::marks16;
        let mut i = p;
        while let Some(block) = bytes.get(i..i + 16) {
            let stops = marks16(block, b"\n\"\r", 0, false);
            let mut ds = marks16(block, &[self.delimiter], 0, false);
            if stops != 0 {
                // Only the delimiters before the stop.
                ds &= (1u32 << stops.trailing_zeros()) - 1;
            }
            while ds != 0 {
                delims.push(i + ds.trailing_zeros() as usize);
                ds &= ds - 1;
            }
            if stops != 0 {
                let at = i + stops.trailing_zeros() as usize;
                return if bytes[at] == b'\n' {
                    (at, None)
                } else {
                    (bytes.len(), Some(at))
                };
            }
            i += 16;
        }
        const ONES: u64 = 0x0101_0101_0101_0101;
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        // The top bit of each byte of `x` that is 0, and no other bit.
        let zeros = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
        let [delimiter, feed, quote, cr] =
            [self.delimiter, b'\n', b'"', b'\r'].map(|b| ONES * u64::from(b));
        while let Some(word) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
            let stops = zeros(w ^ feed) | zeros(w ^ quote) | zeros(w ^ cr);
            let mut ds = zeros(w ^ delimiter);
            let first = (stops != 0).then(|| stops.trailing_zeros() / 8);
            if let Some(k) = first {
                // Only the delimiters before the stop.
                ds &= (1u64 << (k * 8)) - 1;
            }
            while ds != 0 {
                delims.push(i + ds.trailing_zeros() as usize / 8);
                ds &= ds - 1;
            }
            if let Some(k) = first {
                let at = i + k as usize;
                return if bytes[at] == b'\n' {
                    (at, None)
                } else {
                    (bytes.len(), Some(at))
                };
            }
            i += 8;
        }
        for (k, &b) in bytes[i..].iter().enumerate() {
            match self.classes[usize::from(b)] {
                PLAIN => {}
                DELIMITER => delims.push(i + k),
                LINE_FEED => return (i + k, None),
                _ => return (bytes.len(), Some(i + k)),
            }
        }
        (bytes.len(), None)
    }

    /// The items one row makes: a node or an edge, or the problems it has.
    /// A field is `None` when it is not UTF-8 text.
    fn row<'f, F>(&self, line: usize, fields: &[F], out: &mut Vec<Item>, pool: &mut Pool)
    where
        F: Copy + Into<Option<&'f str>>,
    {
        let cols = self.cols;
        if let [one] = fields
            && (*one).into() == Some("")
        {
            return;
        }
        if fields.len() != cols.len() {
            out.push(Item::Worked(
                self.at(line, fields.len().min(cols.len()) + 1),
                invalid(format!(
                    "this row has {} fields, the header {}",
                    fields.len(),
                    cols.len()
                )),
            ));
            return;
        }
        if fields.iter().any(|&f| f.into().is_none()) {
            for (i, _) in fields
                .iter()
                .enumerate()
                .filter(|(_, f)| (**f).into().is_none())
            {
                out.push(Item::Problem(
                    self.at(line, i + 1),
                    invalid(format!(
                        "field {} (`{}`) is not UTF-8 text",
                        i + 1,
                        self.header[i]
                    )),
                ));
            }
            return;
        }
        // The record is filled where it lies in `out` (a few hundred bytes
        // not moved).
        let at = self.at(line, 1);
        out.push(match self.table {
            Table::Nodes => Item::Node(pool.record(), at),
            _ => Item::Edge(pool.record(), at),
        });
        if let Some(Item::Node(r, _) | Item::Edge(r, _)) = out.last_mut() {
            self.fill(r, fields, pool);
        }
    }

    /// Fills `r` from a row's fields, all text.
    fn fill<'f, F>(&self, r: &mut Record, fields: &[F], pool: &mut Pool)
    where
        F: Copy + Into<Option<&'f str>>,
    {
        for (i, (&field, &act)) in fields.iter().zip(&self.acts).enumerate() {
            // Most fields of a large table are empty: not trimmed.
            let value = match field.into() {
                Some(v) if !v.is_empty() => super::trim(v),
                _ => continue,
            };
            if value.is_empty() {
                continue;
            }
            match act {
                Act::Id => pool.put(&mut r.id, value),
                Act::From => pool.put(&mut r.from, value),
                Act::To => pool.put(&mut r.to, value),
                Act::Labels => {
                    let mut labels = super::list_items(value);
                    match labels.next() {
                        Some(kind) => pool.put_in(&mut r.kind, kind),
                        None => r.kind = None,
                    }
                    let rest: Vec<&str> = labels.collect();
                    if !rest.is_empty() {
                        r.attrs.push(("labels".into(), rest.join(";").into()));
                    }
                }
                Act::Date => pool.put_in(&mut r.date, value),
                Act::Until => pool.put_in(&mut r.until, value),
                Act::Skip => {}
                // A list's items written where they lie.
                Act::Aliases => pool.put_items(&mut r.aliases, value),
                Act::Sources => pool.put_items(&mut r.sources, value),
                // A field a value simply takes: written where it lies.
                Act::Field(f) => match r.text_slot(f) {
                    Some(slot) => pool.put_in(slot, value),
                    None => r.set_field(f, self.name(i), pool.text(value)),
                },
                Act::List(f) => {
                    // As `list_items` splits.
                    for item in value.split(';').map(str::trim).filter(|x| !x.is_empty()) {
                        r.set_field(f, self.name(i), pool.text(item));
                    }
                }
            }
        }
        if self.table == Table::Nodes {
            if r.kind.is_none() {
                r.kind = self.kind.as_deref().map(Text::from);
            }
            if r.name.is_none()
                && let Some(i) = r.attrs.iter().position(|(k, _)| k == "address")
            {
                r.name = Some(r.attrs[i].1.clone());
            }
        }
        // Dates and amount read here, not on the builder's thread.
        r.read_facts();
    }
}

/// The CSV parser (`csv_core`, as the `csv` crate configures it) for the
/// rows of a [`Chunk`] that are not split at their delimiters.
struct Parser {
    core: csv_core::Reader,
    /// Whether it has read: before, it would skip a byte order mark.
    primed: bool,
    out: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
}

impl Parser {
    fn new(delimiter: u8) -> Parser {
        Parser {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            primed: false,
            out: vec![0; 1024],
            ends: vec![0; 64],
            len: 0,
        }
    }

    /// The parser as [`Parser::new`] makes it (its buffers kept).
    fn reset(&mut self) {
        self.core.reset();
        self.primed = false;
        self.len = 0;
    }

    /// Reads the row `input` begins with (where a row begins), the parser
    /// on `line`: the bytes it took and the line it is on after, or `None`
    /// when `input` holds no row (only blank lines up to the file's end).
    fn row(&mut self, input: &[u8], last: bool, line: usize) -> Option<(usize, usize)> {
        use csv_core::ReadRecordResult::*;
        self.core.set_line(line as u64);
        let (mut at, mut out, mut ends) = (0, 0, 0);
        loop {
            // Its first read one byte long: never a byte order mark to skip.
            let end = if self.primed {
                input.len()
            } else {
                1.min(input.len())
            };
            if at == input.len() && !last {
                // A chunk that does not end the file ends with a row.
                debug_assert!(false, "a chunk ends inside a row");
                return None;
            }
            let (res, nin, nout, nend) = self.core.read_record(
                &input[at..end],
                &mut self.out[out..],
                &mut self.ends[ends..],
            );
            self.primed = true;
            (at, out, ends) = (at + nin, out + nout, ends + nend);
            match res {
                InputEmpty => {}
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record => {
                    self.len = ends;
                    return Some((at, self.core.line() as usize));
                }
                End => return None,
            }
        }
    }

    /// The fields of the row [`Parser::row`] read, as text.
    fn fields(&self) -> impl Iterator<Item = Option<&str>> {
        let ends = &self.ends[..self.len];
        let whole = &self.out[..ends.last().copied().unwrap_or(0)];
        let starts = std::iter::once(0).chain(ends.iter().copied());
        checked(whole, starts.zip(ends).map(|(a, &b)| &whole[a..b]))
    }
}

/// A row's fields as text, `None` for one that is not UTF-8; `whole` is
/// the row's bytes, its fields in it in order (delimiters between them or
/// not): checked as UTF-8 at once, a field is text when it begins and ends
/// on a character's boundary (`str::get`); one that does not, or a row
/// that is not text, is checked field by field.
fn checked<'a>(
    whole: &'a [u8],
    fields: impl Iterator<Item = &'a [u8]>,
) -> impl Iterator<Item = Option<&'a str>> {
    let text = std::str::from_utf8(whole).ok();
    let base = whole.as_ptr() as usize;
    fields.map(move |raw| {
        let start = raw.as_ptr() as usize - base;
        text.and_then(|t| t.get(start..start + raw.len()))
            .or_else(|| std::str::from_utf8(raw).ok())
    })
}

#[allow(clippy::too_many_arguments)]
fn read_table(
    b: &mut Sink<'_>,
    path: &Path,
    file: usize,
    delimiter: u8,
    table: Table,
    cols: &[Col],
    rows_per_batch: usize,
) {
    let at = |line: usize, col: usize| Pos::LineCol { file, line, col };
    match table {
        Table::Matrix => return read_matrix(b, path, file, delimiter, cols),
        Table::List => return read_list(b, path, file, delimiter),
        Table::Nodes | Table::Edges => {}
    }
    let Some(mut reader) = open_table(b, path, file, delimiter, true) else {
        return;
    };
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|f| {
                String::from_utf8_lossy(f)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_string()
            })
            .collect(),
        Err(e) => {
            b.problem(at(1, 1), invalid(e.to_string()));
            return;
        }
    };
    let read = TableRead {
        file,
        table,
        cols,
        acts: cols.iter().map(Act::of).collect(),
        header: &header,
        kind: icij_kind(path),
        delimiter,
        classes: classes(delimiter),
    };
    // Where the rows begin: the parser's byte and line after the header.
    let start = reader.position().clone();
    let rows_per_batch = rows_per_batch.max(1);
    // The rows, split by the CSV parser here, in batches; a batch of rows
    // read into records here (one thread, as the careful reader reads), or
    // on other threads, their items then taken in file order.
    let mut next = |rows: &mut Rows| -> Result<(), RowsEnd> {
        rows.clear();
        let mut rec = csv::ByteRecord::new();
        while rows.len() < rows_per_batch {
            match reader.read_byte_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {
                    let line = rec.position().map_or(0, |p| p.line() as usize);
                    rows.push(&rec, line);
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    return Err((at(line, 1), invalid(e.to_string())));
                }
            }
        }
        Ok(())
    };
    let threads = super::threads();
    if careful(b) || threads < 2 {
        let mut rows = Rows::default();
        let mut pool = Pool::default();
        let mut items = Vec::new();
        loop {
            let got = next(&mut rows);
            read.items(&rows, &mut items, &mut pool);
            if let Some(mut spent) = b.batch(std::mem::take(&mut items)) {
                pool.refill(&mut spent);
                items = spent;
            }
            match got {
                Ok(()) if rows.len() == rows_per_batch => {}
                Ok(()) => return,
                Err((at, kind)) => return b.problem(at, kind),
            }
        }
    }
    let chunker = std::fs::File::open(path).and_then(|mut f| {
        use std::io::Seek;
        f.seek(std::io::SeekFrom::Start(start.byte()))?;
        let line = start.line() as usize;
        Ok(Chunker {
            file: f,
            carry: Vec::new(),
            line,
            pos: line,
            eof: false,
            rows: rows_per_batch,
            delimiter,
        })
    });
    match chunker {
        Ok(mut chunker) => read_in_parallel(b, &read, threads, &mut chunker),
        Err(e) => b.problem(at(1, 1), ProblemKind::Io(e.to_string())),
    }
}

/// Whether `b` builds on this thread ([`Mode::Careful`]): rows are then read
/// into records here too.
fn careful(b: &Sink<'_>) -> bool {
    matches!(b.to, super::To::Builder(_))
}

/// Reads the chunks `chunker` cuts into records on `threads` threads,
/// handing their items to `b` in file order (then the problem that ended
/// the file's reading, if one did).
fn read_in_parallel(b: &mut Sink<'_>, read: &TableRead<'_>, threads: usize, chunker: &mut Chunker) {
    let mut end = None;
    super::in_order(
        b,
        threads,
        &mut |chunk: &mut Chunk| match chunker.next(chunk) {
            Ok(()) => (!chunk.bytes.is_empty(), !chunk.last),
            Err(e) => {
                // As the `csv` crate says it, at no line.
                let e = csv::Error::from(e);
                end = Some((read.at(0, 1), invalid(e.to_string())));
                (false, false)
            }
        },
        &|chunk: &mut Chunk, items: &mut Vec<Item>, pool: &mut Pool| {
            pool.refill(items);
            read.chunk_items(chunk, items, pool);
        },
        &mut |_: &mut Chunk| {},
    );
    if let Some((at, kind)) = end {
        b.problem(at, kind);
    }
}

/// Whether a table whose header names no layout is an adjacency list: its
/// first rows (those whole in the first 4 KiB) are not all as long.
fn is_adjacency_list(path: &Path, delimiter: u8) -> bool {
    use std::io::Read;
    let mut head = vec![0u8; 4096];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    head.truncate(n);
    if n == 4096 {
        // Only whole lines.
        let last = head.iter().rposition(|&b| b == b'\n').unwrap_or(0);
        head.truncate(last);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(head.as_slice());
    let lengths: std::collections::HashSet<usize> = reader
        .byte_records()
        .map_while(Result::ok)
        .map(|r| r.iter().filter(|f| !f.trim_ascii().is_empty()).count())
        .filter(|&n| n > 0)
        .collect();
    lengths.len() > 1
}

/// Makes the nodes `ids` name that an edge of `edges` has as an end, in the
/// order of `ids`, then the edges; notes the labels left out for having no
/// edge (Gephi makes a spreadsheet's nodes only through its edges).
fn nodes_then_edges(
    b: &mut Sink<'_>,
    ids: Vec<(String, Pos)>,
    edges: Vec<(Record, Pos)>,
    shape: &str,
) {
    use std::collections::HashSet;
    let ends: HashSet<&str> = edges
        .iter()
        .flat_map(|(r, _)| [r.from.as_str(), r.to.as_str()])
        .collect();
    let mut made = HashSet::new();
    let mut alone = Vec::new();
    for (id, at) in ids {
        if !made.insert(id.clone()) {
            continue;
        }
        if ends.contains(id.as_str()) {
            let r = Record::new(super::RecordData {
                id: id.into(),
                ..Default::default()
            });
            b.node(r, at);
        } else {
            alone.push(id);
        }
    }
    if !alone.is_empty() {
        let n = alone.len();
        alone.truncate(5);
        b.note(format!(
            "{} with no edge in the {shape} left out, as Gephi leaves them out: `{}`{}",
            crate::model::count(n, "label"),
            alone.join("`, `"),
            if n > 5 { ", …" } else { "" }
        ));
    }
    for (r, pos) in edges {
        b.edge(r, pos);
    }
}

/// The table at `path` as a CSV reader that takes rows of any length (a
/// ragged row is the reader's business, not the parser's); a file that cannot
/// be opened is a problem at its first line.
fn open_table(
    b: &mut Sink<'_>,
    path: &Path,
    file: usize,
    delimiter: u8,
    headers: bool,
) -> Option<csv::Reader<std::io::BufReader<std::fs::File>>> {
    match std::fs::File::open(path) {
        Ok(f) => Some(
            csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(headers)
                .flexible(true)
                .from_reader(std::io::BufReader::with_capacity(1 << 16, f)),
        ),
        Err(e) => {
            b.problem(
                Pos::LineCol {
                    file,
                    line: 1,
                    col: 1,
                },
                ProblemKind::Io(e.to_string()),
            );
            None
        }
    }
}

/// An adjacency list (see [`Table::List`]): an edge from each row's first
/// cell to each other non-empty cell.
fn read_list(b: &mut Sink<'_>, path: &Path, file: usize, delimiter: u8) {
    let at = |line: usize, col: usize| Pos::LineCol { file, line, col };
    let Some(mut reader) = open_table(b, path, file, delimiter, false) else {
        return;
    };
    b.note(
        "read as an adjacency list (each row a node, then the nodes it has an edge to), \
         as Gephi reads a table with no header it knows"
            .into(),
    );
    let mut ids = Vec::new();
    let mut edges = Vec::new();
    for row in reader.records() {
        let (row, line) = match numbered(row) {
            Ok(r) => r,
            Err((line, message)) => return b.problem(at(line, 1), invalid(message)),
        };
        let mut cells = row.iter().enumerate().map(|(i, c)| (i, c.trim()));
        let Some((_, from)) = cells.next().filter(|(_, c)| !c.is_empty()) else {
            continue;
        };
        ids.push((from.to_string(), at(line, 1)));
        for (i, to) in cells.filter(|(_, c)| !c.is_empty()) {
            ids.push((to.to_string(), at(line, i + 1)));
            let r = Record::new(super::RecordData {
                from: from.into(),
                to: to.into(),
                ..Default::default()
            });
            edges.push((r, at(line, i + 1)));
        }
    }
    nodes_then_edges(b, ids, edges, "adjacency list");
}

/// A row the parser read with its line, or its error with the line.
fn numbered(
    row: csv::Result<csv::StringRecord>,
) -> Result<(csv::StringRecord, usize), (usize, String)> {
    let line = |p: Option<&csv::Position>| p.map_or(0, |p| p.line() as usize);
    match row {
        Ok(r) => {
            let at = line(r.position());
            Ok((r, at))
        }
        Err(e) => Err((line(e.position()), e.to_string())),
    }
}

/// An adjacency matrix (see [`Table::Matrix`]): an edge for each cell that is
/// a number other than 0 (a decimal comma read as a point), between the row's
/// label and the column's; a row or column with an empty label is skipped
/// and noted, as Gephi does.
fn read_matrix(b: &mut Sink<'_>, path: &Path, file: usize, delimiter: u8, cols: &[Col]) {
    let at = |line: usize, col: usize| Pos::LineCol { file, line, col };
    let labels: Vec<String> = cols
        .iter()
        .map(|c| match c {
            Col::Field(id) => id.clone(),
            _ => String::new(),
        })
        .collect();
    let Some(mut reader) = open_table(b, path, file, delimiter, true) else {
        return;
    };
    let mut ids: Vec<(String, Pos)> = Vec::new();
    // Columns and rows without a label, by their number and line.
    let mut unlabelled: (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for (i, id) in labels.iter().enumerate() {
        if id.is_empty() {
            unlabelled.0.push((i + 2).to_string());
        } else {
            ids.push((id.clone(), at(1, i + 2)));
        }
    }
    let mut edges = Vec::new();
    for row in reader.records() {
        let (row, line) = match numbered(row) {
            Ok(r) => r,
            Err((line, message)) => return b.problem(at(line, 1), invalid(message)),
        };
        let Some(from) = row.get(0).map(str::trim).filter(|s| !s.is_empty()) else {
            if row.iter().any(|c| !c.trim().is_empty()) {
                unlabelled.1.push(line.to_string());
            }
            continue;
        };
        ids.push((from.to_string(), at(line, 1)));
        for (i, cell) in row.iter().skip(1).enumerate() {
            let cell = cell.trim();
            let Some(to) = labels.get(i) else {
                break;
            };
            if to.is_empty() {
                continue;
            }
            let number = if delimiter == b',' {
                cell.parse::<f64>()
            } else {
                cell.replace(',', ".").parse::<f64>()
            };
            match number {
                Ok(0.0) => {}
                Ok(w) => {
                    let mut r = Record::new(super::RecordData {
                        from: from.into(),
                        to: to.as_str().into(),
                        ..Default::default()
                    });
                    if w != 1.0 {
                        r.attrs.push(("weight".into(), cell.into()));
                    }
                    edges.push((r, at(line, i + 2)));
                }
                Err(_) if cell.is_empty() => {}
                Err(_) => b.problem(
                    at(line, i + 2),
                    invalid(format!("`{cell}` in an adjacency matrix is not a number")),
                ),
            }
        }
    }
    let (columns, rows) = unlabelled;
    if !columns.is_empty() || !rows.is_empty() {
        let mut said = Vec::new();
        if !columns.is_empty() {
            said.push(format!("column {}", columns.join(", ")));
        }
        if !rows.is_empty() {
            said.push(format!("line {}", rows.join(", ")));
        }
        b.note(format!(
            "{} of the adjacency matrix with no label skipped, as Gephi skips them",
            said.join(" and ")
        ));
    }
    nodes_then_edges(b, ids, edges, "adjacency matrix");
}

fn invalid(message: String) -> ProblemKind {
    ProblemKind::Invalid {
        format: "CSV",
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter(b"id;name;\"a,b,c\"\n1;2;3"), b';');
        assert_eq!(sniff_delimiter(b"id\tname\n"), b'\t');
        assert_eq!(sniff_delimiter(b"Source Target Weight\na b 1"), b' ');
        assert_eq!(sniff_delimiter(b"id,full name\n1,Ann Lee"), b',');
        assert_eq!(sniff_delimiter(b"id\n1"), b',');
        assert_eq!(sniff_delimiter(b"id\n"), b',');
    }

    #[test]
    fn layouts_from_headers() {
        let h = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        let p = Path::new("x.csv");
        assert_eq!(layout(&h("id:ID,name,:LABEL"), p).unwrap().0, Table::Nodes);
        assert_eq!(
            layout(&h(":START_ID,:END_ID,:TYPE,since:date"), p)
                .unwrap()
                .1,
            vec![Col::From, Col::To, Col::Field("kind".into()), Col::Date]
        );
        assert_eq!(
            layout(&h("node_id_start,node_id_end,rel_type"), p)
                .unwrap()
                .0,
            Table::Edges
        );
        assert_eq!(layout(&h("node_id,name"), p).unwrap().0, Table::Nodes);
        assert_eq!(layout(&h("source,target,kind"), p).unwrap().0, Table::Edges);
        assert!(layout(&h("a,b,c"), p).is_none());
        assert_eq!(
            icij_kind(Path::new("nodes-intermediaries.csv")).as_deref(),
            Some("intermediary")
        );
        assert_eq!(
            icij_kind(Path::new("nodes-addresses.csv")).as_deref(),
            Some("address")
        );
        assert_eq!(
            icij_kind(Path::new("nodes-officers.csv")).as_deref(),
            Some("officer")
        );
    }
}
