//! What a lenient load noted instead of refusing the file: each kind of problem
//! with its count and the lines it was on. `--strict` turns them into errors.

use std::fmt;

use crate::load::{LoadError, Location, Problem, ProblemKind};

/// How many line numbers a summary line lists per kind.
pub const LINES_SHOWN: usize = 5;

/// A kind of problem the reader works around, as `followthemoney` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Issue {
    /// A record's own id is not a valid FtM id; the record is kept.
    InvalidId,
    /// A date value that is not a date: dropped.
    BadDate,
    /// An amount that is not a number: dropped.
    BadAmount,
    /// An object or a list where text is expected: dropped.
    BadValue,
    /// An entity reference that is not a valid FtM id: dropped.
    InvalidRef,
    /// A property naming its own record: dropped, as the library does.
    SelfRef,
    /// An entity object as a property value: its id is the value, and it is
    /// read as a record of its own.
    Nested,
    /// An interval with several start or end dates: its span is the earliest
    /// start to the latest end, every value kept.
    SeveralDates,
    /// An end date before the start date: kept as a value, not as a span.
    EndBeforeStart,
    /// A reference to an entity the data does not hold: a placeholder.
    Missing,
    /// A relationship from an entity to itself: a loop relation.
    Loop,
    /// A fragment of a relationship that was already built (its parties were
    /// all read): kept as a record of its own.
    LateFragment,
    /// Two records of one id whose schemata have no common one (neither is a
    /// kind of the other): the first kept, both lines named.
    SchemaConflict,
}

impl Issue {
    /// One problem of this kind, as an error says it.
    pub fn what(self) -> &'static str {
        match self {
            Issue::InvalidId => "not a valid FtM id",
            Issue::BadDate => "not a date",
            Issue::BadAmount => "not an amount",
            Issue::BadValue => "an object or list where text belongs",
            Issue::InvalidRef => "a reference that is not a valid FtM id",
            Issue::SelfRef => "a property naming its own record",
            Issue::Nested => "a nested entity",
            Issue::SeveralDates => "several start or end dates",
            Issue::EndBeforeStart => "an end before the start",
            Issue::Missing => "a reference to an entity not in the data",
            Issue::Loop => "a relationship from an entity to itself",
            Issue::LateFragment => "a fragment of a relationship already read",
            Issue::SchemaConflict => "two records of one id with no common schema",
        }
    }

    /// What the summary says about this kind (after the count).
    pub fn describe(self) -> &'static str {
        match self {
            Issue::InvalidId => "records whose id is not a valid FtM id (kept)",
            Issue::BadDate => "date values that are not dates (dropped)",
            Issue::BadAmount => "amounts that are not numbers (dropped)",
            Issue::BadValue => "objects or lists where text was expected (dropped)",
            Issue::InvalidRef => "references that are not valid FtM ids (dropped)",
            Issue::SelfRef => "properties naming their own record (dropped)",
            Issue::Nested => "nested entities (unwrapped, read as records)",
            Issue::SeveralDates => {
                "intervals with several start or end dates (span from the earliest start to the latest end)"
            }
            Issue::EndBeforeStart => "end dates before the start date (kept as values)",
            Issue::Missing => {
                "references to entities not in the loaded data (shown as placeholders)"
            }
            Issue::Loop => "relationships from an entity to itself (loops)",
            Issue::SchemaConflict => {
                "records of one id whose schemata have no common schema (the first kept)"
            }
            Issue::LateFragment => {
                "fragments of relationships already built (kept as records of their own)"
            }
        }
    }
}

/// What preparing a record noted, in order, to be noted on its line when the
/// record is built.
#[derive(Default)]
pub(super) struct Notes {
    pub(super) list: Vec<(Issue, String)>,
    /// `Schema.property` pairs the schema does not define.
    pub(super) unknown: Vec<String>,
}

impl Notes {
    pub(super) fn note(&mut self, issue: Issue, detail: String) {
        self.list.push((issue, detail));
    }

    /// Makes it what [`Notes::default`] makes, its lists' room kept.
    pub(super) fn clear(&mut self) {
        let Notes { list, unknown } = self;
        list.clear();
        unknown.clear();
    }

    /// The room of its larger list.
    pub(super) fn room(&self) -> usize {
        self.list.capacity().max(self.unknown.capacity())
    }
}

/// How often one kind of problem occurred, and on which lines first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueCount {
    pub count: usize,
    /// The first [`LINES_SHOWN`] lines (1-based), in reading order.
    pub lines: Vec<usize>,
}

impl IssueCount {
    pub(super) fn add(&mut self, line: usize) {
        self.count += 1;
        if self.lines.len() < LINES_SHOWN && !self.lines.contains(&line) {
            self.lines.push(line);
        }
    }
}

impl fmt::Display for IssueCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.lines.iter().map(usize::to_string).collect();
        let word = if self.lines.len() == 1 {
            "line"
        } else {
            "lines"
        };
        write!(f, "{word} {}", lines.join(", "))?;
        if self.count > self.lines.len() {
            write!(f, ", …")?;
        }
        Ok(())
    }
}

/// One noted problem in full, for `--strict` and `ties check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noted {
    pub issue: Issue,
    pub line: usize,
    pub detail: String,
}

/// The noted problems as load errors naming file and line (for `--strict`).
pub fn as_error(file: &str, noted: &[Noted], more: usize) -> Option<LoadError> {
    if noted.is_empty() {
        return None;
    }
    let mut problems: Vec<Problem> = noted
        .iter()
        .map(|n| Problem {
            location: Location {
                file: file.to_string(),
                line_col: Some((n.line, 1)),
            },
            kind: ProblemKind::Ftm(format!("{}: {}", n.issue.what(), n.detail)),
        })
        .collect();
    if more > 0 {
        problems.push(Problem {
            location: Location {
                file: file.to_string(),
                line_col: None,
            },
            kind: ProblemKind::Ftm(format!("… and {more} more problems not listed")),
        });
    }
    Some(LoadError { problems })
}

/// Whose values are mapped (`Payment `p-1``), for a note: written only when
/// one is made.
pub(super) struct Owner<'a>(pub(super) &'a str, pub(super) &'a str);

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`", self.0, crate::load::short(self.1))
    }
}
