//! The input formats `ties` reads, one reader each, told apart by their first
//! bytes and, as a hint, their file name.
//!
//! Every reader follows one contract: `sniff(path, head)` says whether the
//! data at `path`, whose first bytes are `head` (up to [`HEAD`] bytes; empty for
//! a folder), is in its format; `read(path)` turns it into a graph and load
//! notes. A new format is one more [`InputFormat`] variant and one arm in each
//! `match` below.

use std::path::{Path, PathBuf};

use crate::graph::Graph;
use crate::load::{self, LoadError, ProblemKind, Progress};

/// How many first bytes of a file the readers look at to recognise it.
pub const HEAD: usize = 4096;

/// What a reader gives back.
pub struct Read {
    pub graph: Graph,
    /// What the user should know (an import's summary), one line each.
    pub notes: Vec<String>,
    /// Where the time went, when the reader can say (one line).
    pub timing: Option<String>,
    /// Problems the reader worked around instead of refusing the data (bad
    /// values, missing references), as errors naming each line, for `--strict`.
    pub worked_around: Option<LoadError>,
}

/// The formats `ties` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// The `ties` graph format: a `.ron` file, or a folder of them merged.
    Ron,
    /// A FollowTheMoney entity stream: one JSON entity per line.
    Ftm,
    /// GEXF (Gephi), 1.1 to 1.3.
    Gexf,
    /// GraphML (networkx, yEd, Gephi, igraph).
    Graphml,
    /// CSV tables of nodes and edges: a file, or a folder of them.
    Csv,
}

impl InputFormat {
    /// Every format, in the order they are tried when recognising a file: CSV,
    /// whose header is the loosest sign, last.
    pub const ALL: [InputFormat; 5] = [
        InputFormat::Ron,
        InputFormat::Ftm,
        InputFormat::Gexf,
        InputFormat::Graphml,
        InputFormat::Csv,
    ];

    /// The short name (as `--input-format` takes it).
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Ron => "ron",
            InputFormat::Ftm => "ftm",
            InputFormat::Gexf => "gexf",
            InputFormat::Graphml => "graphml",
            InputFormat::Csv => "csv",
        }
    }

    /// What the format is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            InputFormat::Ron => "the ties graph format: a .ron file, or a folder of them",
            InputFormat::Ftm => {
                "FollowTheMoney entity streams: .ftm.json, .ftm.jsonl, .jsonl, .ijson, .json, \
                 each also gzip-compressed (.gz)"
            }
            InputFormat::Gexf => "GEXF from Gephi: a .gexf file",
            InputFormat::Graphml => "GraphML from networkx, yEd or Gephi: a .graphml file",
            InputFormat::Csv => {
                "CSV node and edge tables in the Neo4j import, ICIJ Offshore Leaks or \
                 plain id,name,kind and source,target,kind layout: a .csv file or a folder of them"
            }
        }
    }

    /// The files the data at `path` is read from (a folder's tables, or the file
    /// itself), which a snapshot's key covers.
    pub fn files(self, path: &Path) -> Result<Vec<PathBuf>, LoadError> {
        match self {
            InputFormat::Ron => load::graph_files(path),
            InputFormat::Csv if path.is_dir() => crate::read::csv::tables(path).map_err(|e| {
                LoadError::single(path.display().to_string(), ProblemKind::Io(e.to_string()))
            }),
            _ => Ok(vec![path.to_path_buf()]),
        }
    }

    /// Whether the data at `path` (first bytes `head`) is in this format.
    pub fn sniff(self, path: &Path, head: &[u8]) -> bool {
        match self {
            InputFormat::Ron => ron_sniff(path, head),
            InputFormat::Ftm => ftm_sniff(path, head),
            InputFormat::Gexf => crate::read::gexf::sniff(path, head),
            InputFormat::Graphml => crate::read::graphml::sniff(path, head),
            InputFormat::Csv => crate::read::csv::sniff(path, head),
        }
    }

    /// Whether ids of this format name the same thing in any file (FtM and
    /// RON ids), rather than only within their own (GraphML, GEXF and CSV).
    pub fn global_ids(self) -> bool {
        matches!(self, InputFormat::Ron | InputFormat::Ftm)
    }

    /// Reads the data at `path` (its records without datasets of their own in
    /// `dataset`), telling `progress` how it goes when the reader
    /// can say. A reader that follows the plain contract (`read(path) ->
    /// (graph, notes)`) is one arm: `read(path).map(Read::from)`.
    /// `csv_columns` renames CSV columns to fields (other formats ignore it).
    pub fn read(
        self,
        path: &Path,
        dataset: &str,
        csv_columns: Option<&crate::read::csv::Columns>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Read, LoadError> {
        match self {
            InputFormat::Ron => {
                let (graph, timing) = load::load_path_timed(path, progress)?;
                Ok(Read {
                    graph,
                    notes: Vec::new(),
                    timing,
                    worked_around: None,
                })
            }
            InputFormat::Ftm => {
                let files = [(path.to_path_buf(), dataset.to_string())];
                let (graph, summary) = crate::ftm::load_ftm_files(&files)?;
                Ok(Read {
                    worked_around: summary.strict(path).err(),
                    notes: summary.notes(),
                    graph,
                    timing: None,
                })
            }
            InputFormat::Gexf => crate::read::gexf::read_checked(path).map(Read::from),
            InputFormat::Graphml => crate::read::graphml::read_checked(path).map(Read::from),
            InputFormat::Csv => {
                let columns = csv_columns.cloned().unwrap_or_default();
                crate::read::csv::read_with_checked(path, &columns).map(Read::from)
            }
        }
    }

    /// The format of the data at `path`, from its first bytes and its name:
    /// `None` when no reader knows it.
    pub fn detect(path: &Path, head: &[u8]) -> Option<InputFormat> {
        Self::ALL.into_iter().find(|f| f.sniff(path, head))
    }

    /// The formats `ties` reads, for an error message.
    pub fn list() -> String {
        Self::ALL
            .iter()
            .map(|f| format!("{} ({})", f.name(), f.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl From<crate::read::Checked> for Read {
    fn from(c: crate::read::Checked) -> Self {
        Read {
            graph: c.graph,
            notes: c.notes,
            timing: None,
            worked_around: c.worked_around,
        }
    }
}

impl From<(Graph, Vec<String>)> for Read {
    fn from((graph, notes): (Graph, Vec<String>)) -> Self {
        Read {
            graph,
            notes,
            timing: None,
            worked_around: None,
        }
    }
}

impl std::fmt::Display for InputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for InputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown input format `{s}`; ties reads {}", Self::list()))
    }
}

fn has_ext(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case(ext))
}

/// The first bytes past a byte-order mark, white space and comments.
fn skip_blank(mut head: &[u8]) -> &[u8] {
    head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    loop {
        let trimmed = head.trim_ascii_start();
        if let Some(rest) = trimmed.strip_prefix(b"//") {
            head = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(&[][..], |i| &rest[i..]);
        } else if let Some(rest) = trimmed.strip_prefix(b"/*") {
            head = rest
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(&[][..], |i| &rest[i + 2..]);
        } else {
            return trimmed;
        }
    }
}

/// A folder of `.ron` files (or one without CSV tables either, for the RON
/// loader to call empty), a `.ron` name, or text that opens with RON's
/// `Graph(`, `(` or an `#![enable(…)]` attribute.
fn ron_sniff(path: &Path, head: &[u8]) -> bool {
    if path.is_dir() {
        let has_ron = std::fs::read_dir(path).is_ok_and(|mut d| {
            d.any(|e| e.is_ok_and(|e| has_ext(&e.path(), "ron") && e.path().is_file()))
        });
        return has_ron || !crate::read::csv::sniff(path, &[]);
    }
    if has_ext(path, "ron") {
        return true;
    }
    let head = skip_blank(head);
    head.starts_with(b"#![")
        || head.starts_with(b"(")
        || head
            .strip_prefix(b"Graph")
            .is_some_and(|rest| rest.trim_ascii_start().starts_with(b"("))
}

/// FtM by content (a JSON object with `schema` and `id`, gzip decompressed
/// first), or by name when the content says nothing.
fn ftm_sniff(path: &Path, head: &[u8]) -> bool {
    crate::ftm::sniff(path, head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_whatever_the_name() {
        let p = Path::new("data.txt");
        let ftm = br#"{"id": "a", "schema": "Person", "properties": {}}"#;
        assert_eq!(InputFormat::detect(p, ftm), Some(InputFormat::Ftm));
        let ron = b"// a graph\n/* of ties */ Graph(sources: [], entities: [], relations: [])";
        assert_eq!(InputFormat::detect(p, ron), Some(InputFormat::Ron));
        assert_eq!(
            InputFormat::detect(p, b"#![enable(implicit_some)]\n("),
            Some(InputFormat::Ron)
        );
        assert_eq!(
            InputFormat::detect(p, b"id,name\n1,A\n"),
            Some(InputFormat::Csv)
        );
        assert_eq!(
            InputFormat::detect(p, b"<?xml version=\"1.0\"?>\n<gexf version=\"1.3\">"),
            Some(InputFormat::Gexf)
        );
        assert_eq!(
            InputFormat::detect(p, b"<?xml version=\"1.0\"?>\n<graphml>"),
            Some(InputFormat::Graphml)
        );
        assert_eq!(InputFormat::detect(p, b"just some words\n"), None);
        assert_eq!(InputFormat::detect(p, b""), None);
    }

    #[test]
    fn the_name_is_a_hint_when_the_content_says_nothing() {
        assert_eq!(
            InputFormat::detect(Path::new("broken.ron"), b"garbage"),
            Some(InputFormat::Ron)
        );
    }

    #[test]
    fn names_parse_back() {
        for f in InputFormat::ALL {
            assert_eq!(f.name().parse::<InputFormat>(), Ok(f));
        }
        let e = "csvx".parse::<InputFormat>().unwrap_err();
        for f in InputFormat::ALL {
            assert!(e.contains(&format!("{f} (")), "{e}");
        }
    }
}
