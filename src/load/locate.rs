//! Pointing a problem at the line and column where the value is written, found
//! only when there is a problem to report.

use std::fmt;

use crate::model::GraphFile;

use super::{Location, Parsed, short};

/// Finds where a value is written in a file, to point a semantic problem at it.
pub(super) struct Locator<'a> {
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
    pub(super) fn new(name: &'a str, text: &'a str) -> Self {
        Locator {
            name,
            text,
            cursor: 0,
            lines: std::cell::Cell::new((0, 1, 0)),
        }
    }

    pub(super) fn at(&self, offset: usize) -> Location {
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

    pub(super) fn nowhere(&self) -> Location {
        Location {
            file: self.name.to_string(),
            line_col: None,
        }
    }

    /// Moves to the next record introduced by `field` (e.g. `id:` or `from:`) whose
    /// value is `value`; records are met in file order, so each search starts after
    /// the previous record.
    pub(super) fn record(&mut self, field: &str, value: &str) -> Location {
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
    pub(super) fn value(&self, value: &str) -> Location {
        let quoted = ron_quote(value);
        match self.text[self.cursor..].find(&quoted) {
            Some(i) => self.at(self.cursor + i),
            None => self.nowhere(),
        }
    }
}

/// What a problem is about, formatted only when there is a problem.
#[derive(Debug, Clone, Copy)]
pub(super) enum Owner<'a> {
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
    pub(super) fn label(&self) -> String {
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

/// Finds where an id was first defined, only when a duplicate is met (keeping a
/// location for every record would cost memory on large graphs).
pub(super) struct FirstSeen<'p> {
    pub(super) parsed: &'p [Parsed],
}

impl FirstSeen<'_> {
    pub(super) fn locate<R>(
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

pub(super) fn ron_quote(s: &str) -> String {
    ron::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}
