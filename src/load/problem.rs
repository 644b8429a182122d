//! What can be wrong with an input, and where: the error every reader returns.

use std::fmt;

use crate::graph::GraphFull;

use super::MAX_TEXT;

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
    /// Only with `ties check --strict`: sources are optional at load.
    #[error("relation {relation} cites no source (--strict requires one)")]
    NoSource { relation: String },
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

/// An id cut to a readable length for messages.
pub(crate) fn short(id: &str) -> String {
    if id.chars().count() <= 60 {
        id.to_string()
    } else {
        let cut: String = id.chars().take(57).collect();
        format!("{cut}…")
    }
}
