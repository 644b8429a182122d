//! Opening a graph for a command: the options from the flags and the
//! environment, a progress bar on stderr, the notes printed after `ties: `.
//! The only place, with the explorer, that reads `TIES_*` settings.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::Cli;
use crate::load;
use crate::open::{self, IndexWhen, OpenOptions, Opened, SNAPSHOT_MIN, Snapshots};

/// What `--data`, `--input-format`, `--no-cache` and the environment
/// (`TIES_CACHE_DIR`, `TIES_SNAPSHOT_MIN`, `TIES_LOAD_STATS`, `TIES_THREADS`)
/// ask of an open. Also caps the search's threads.
pub fn open_options(cli: &Cli, index: IndexWhen) -> OpenOptions {
    if let Some(n) = std::env::var("TIES_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        crate::search::set_threads(n);
    }
    // Read (and complained about) whenever there is data, as before --no-cache
    // is looked at.
    let min_bytes = if cli.data.is_some() {
        snapshot_min()
    } else {
        SNAPSHOT_MIN
    };
    let snapshots = if cli.no_cache {
        None
    } else {
        let dir = std::env::var_os("TIES_CACHE_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(crate::snapshot::cache_dir);
        dir.map(|dir| Snapshots { dir, min_bytes })
    };
    OpenOptions {
        format: cli.input_format.map(Into::into),
        snapshots,
        index,
        stats: std::env::var_os("TIES_LOAD_STATS").is_some(),
        strict: matches!(&cli.command, Some(super::args::Command::Check(a)) if a.strict),
        csv_columns: cli.csv_columns.clone(),
    }
}

/// `TIES_SNAPSHOT_MIN`, or [`SNAPSHOT_MIN`] (saying so when it is not a number).
fn snapshot_min() -> u64 {
    match std::env::var("TIES_SNAPSHOT_MIN") {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| {
            eprintln!("ties: TIES_SNAPSHOT_MIN={v} is not a number of bytes; using {SNAPSHOT_MIN}");
            SNAPSHOT_MIN
        }),
        Err(_) => SNAPSHOT_MIN,
    }
}

/// Prints what a load had to say on stderr, each note after `ties: `.
pub fn print_notes(notes: &[String]) {
    for note in notes {
        eprintln!("ties: {}", note.strip_suffix('\n').unwrap_or(note));
    }
}

/// A progress bar on stderr, drawn only once the work has lasted half a second,
/// and only on a terminal; timings printed as they come.
pub struct Bar {
    started: Instant,
    bar: Option<ProgressBar>,
    what: String,
}

impl Bar {
    const DELAY: Duration = Duration::from_millis(500);

    pub fn new(what: String) -> Self {
        Bar {
            started: Instant::now(),
            bar: None,
            what,
        }
    }

    fn update(&mut self, done: u64, total: u64) {
        if self.bar.is_none() && self.started.elapsed() >= Self::DELAY {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "reading {msg} {wide_bar} {binary_bytes}/{binary_total_bytes} ({eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message(self.what.clone());
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

impl open::Progress for Bar {
    /// Shows how far a load has come; when it starts over the careful way, says
    /// so instead.
    fn reading(&mut self, p: load::Progress) {
        if p.careful {
            if let Some(bar) = self.bar.take() {
                bar.finish_and_clear();
            }
            let started = self.started.elapsed() >= Self::DELAY;
            if started && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                eprintln!(
                    "ties: {} has a problem: reading it again, whole, to say where…",
                    self.what
                );
            }
            return;
        }
        self.update(p.done, p.total);
    }

    fn stat(&mut self, line: String) {
        eprintln!("ties: {line}");
    }
}

/// Prints timings as they come (for an open with no bar).
pub struct Stats;

impl open::Progress for Stats {
    fn stat(&mut self, line: String) {
        eprintln!("ties: {line}");
    }
}

/// A spinner on stderr for work of unknown length (only on a terminal).
pub(super) fn spinner(msg: &'static str) -> ProgressBar {
    let s = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    s.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    s.set_message(msg);
    s.enable_steady_tick(Duration::from_millis(120));
    s
}

/// Waits for the index and the snapshot being made, with a spinner on stderr
/// while it lasts. When `interrupted` (asked every 40 ms) gives a signal's
/// number, the work is abandoned and that number returned.
pub fn wait_for_saving(
    mut saving: open::Saving,
    interrupted: impl FnMut() -> Option<i32>,
) -> Result<
    (
        Option<std::sync::Arc<crate::search::SearchIndex>>,
        Option<String>,
    ),
    i32,
> {
    let spin = (!saving.is_finished())
        .then(|| spinner("indexing names and saving a snapshot for the next start"));
    let done = saving.wait_unless(Duration::from_millis(40), interrupted);
    if let Some(s) = spin {
        s.finish_and_clear();
    }
    done
}

/// [`Opened::finish_saving`] with a spinner.
pub fn finish_saving(opened: &mut Opened) {
    let Some(saving) = opened.saving.take() else {
        return;
    };
    let Ok((index, note)) = wait_for_saving(saving, || None) else {
        return;
    };
    if opened.index.is_none() {
        opened.index = index;
    }
    opened.notes.extend(note);
}
