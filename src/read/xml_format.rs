//! How GraphML and GEXF files are read: the fast tokenizer ([`super::scan`])
//! first, quick-xml when it declines the file; each format gives its own
//! events and state.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use quick_xml::Reader;

use super::scan::{Decline, Scanner};
use super::{Builder, Checked, Mode, Sink};
use crate::load::{LoadError, ProblemKind};

/// How one XML format (GraphML, GEXF) is read: the same steps, its own
/// events and state `S`.
pub(super) struct Format<S> {
    /// Bytes of the file per entity with its relations, to size the tables.
    pub per_entity: u64,
    /// quick-xml's events into the sink; whether the root element was seen.
    pub events: fn(&mut Reader<BufReader<File>>, &mut Sink<'_>, &mut S) -> bool,
    /// The fast tokenizer's events, the same way, or [`Decline`].
    pub fast_events: fn(&mut Scanner<File>, &mut Sink<'_>, &mut S) -> Result<bool, Decline>,
    /// The problem of a file whose root element is not the format's.
    pub not_root: fn() -> ProblemKind,
    /// The reader's note on what it left out, if it left anything.
    pub note: fn(&S) -> Option<String>,
}

impl<S: Default> Format<S> {
    /// The file built the way `mode` says: the fast tokenizer
    /// ([`super::scan`]) first unless `mode` is [`Mode::Careful`], quick-xml
    /// when it declines the file.
    pub fn read(&self, path: &Path, mode: Mode) -> Result<Checked, LoadError> {
        if let Some(block) = mode.block()
            && let Some(done) = self.read_fast(path, mode, block)
        {
            return done;
        }
        let file = File::open(path).map_err(|e| super::open_error(path, e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        let mut reader = Reader::from_reader(BufReader::with_capacity(1 << 16, file));
        reader.config_mut().trim_text(false);
        let mut b = self.builder(path, size);
        let mut st = S::default();
        let seen_root = super::stream_in(&mut b, mode, super::XML_BATCH, |b| {
            (self.events)(&mut reader, b, &mut st)
        });
        self.finish(path, b, &st, seen_root)
    }

    /// The file read by the fast tokenizer; `None` when it declines the file.
    pub fn read_fast(
        &self,
        path: &Path,
        mode: Mode,
        block: usize,
    ) -> Option<Result<Checked, LoadError>> {
        let file = File::open(path).ok()?;
        let size = file.metadata().map_or(0, |m| m.len());
        let mut scan = Scanner::new(file, block);
        let mut b = self.builder(path, size);
        let mut st = S::default();
        let seen_root = super::stream_in(&mut b, mode, super::XML_BATCH, |b| {
            (self.fast_events)(&mut scan, b, &mut st)
        })
        .ok()?;
        Some(self.finish(path, b, &st, seen_root))
    }

    /// The graph, or the problems, once every event is in.
    fn finish(
        &self,
        path: &Path,
        mut b: Builder,
        st: &S,
        seen_root: bool,
    ) -> Result<Checked, LoadError> {
        if !seen_root && !b.has_problems() {
            b.problem(super::Pos::Byte(0), (self.not_root)());
        }
        if b.has_problems() {
            return Err(b.into_error(path));
        }
        b.notes.extend((self.note)(st));
        b.finish_checked(path)
    }

    fn builder(&self, path: &Path, size: u64) -> Builder {
        let mut b = Builder::sized(path, size, self.per_entity);
        b.implicit_nodes = true;
        // An edge end no <node> declares is a node, as networkx, igraph and
        // Gephi read it.
        b.implicit_why = "as no <node> declares them (networkx, igraph and Gephi make them too)";
        b.implicit_named = true;
        b
    }
}
