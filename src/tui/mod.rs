//! The terminal explorer: terminal setup and restoration, and the event loop that
//! turns keys into [`Action`]s for [`App::update`] and draws with [`ui::draw`].

pub mod action;
pub mod analysis;
pub mod app;
mod browse;
pub mod keymap;
pub mod map;
mod notes;
pub mod popup;
pub mod remote;
pub mod text;
pub mod theme;
pub mod ui;

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub use action::Action;
pub use app::App;
pub use keymap::KeyMap;

use crate::graph::NodeIx;
use crate::open::{IndexWhen, Opened};
use crate::search::SearchIndex;

/// How the explorer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The user quit.
    Quit,
    /// A signal (SIGTERM, SIGHUP, SIGINT) asked it to stop; the number is given.
    Signal(i32),
}

/// Why the explorer could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(
        "the explorer needs a terminal, and standard output is not one.\n\
         For scripts, try `ties show QUERY`, `ties search QUERY`, `ties export --format json` or `ties check`."
    )]
    NotATerminal,
    #[error("the graph is empty: there is nothing to explore")]
    EmptyGraph,
    #[error("terminal: {0}")]
    Io(#[from] io::Error),
}

/// Puts the terminal back as it was: cooked mode, main screen, visible cursor.
/// Safe to call more than once.
pub fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        event::DisableMouseCapture,
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

/// Restores the terminal when dropped, on every way out of the event loop.
struct TerminalGuard;

impl TerminalGuard {
    /// The alternate screen, cursor hidden; keys still cooked (so that Ctrl-C
    /// during a long load is a signal).
    fn enter_screen() -> io::Result<TerminalGuard> {
        install_panic_hook();
        let guard = TerminalGuard;
        execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
        Ok(guard)
    }

    /// Raw keys, and the mouse if asked for.
    fn raw(&mut self, mouse: bool) -> io::Result<()> {
        terminal::enable_raw_mode()?;
        if mouse {
            execute!(io::stdout(), event::EnableMouseCapture)?;
        }
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

/// What wakes the event loop: a terminal event, or another thread saying that
/// something is ready (search hits).
enum Input {
    Term(io::Result<Event>),
    Wake,
}

/// Reads terminal events on a thread of its own and hands them over a channel,
/// whose sender is returned too so that other threads can wake the loop. The
/// thread ends when the receiver is gone or reading fails.
fn spawn_event_reader() -> (mpsc::SyncSender<Input>, mpsc::Receiver<Input>) {
    let (tx, rx) = mpsc::sync_channel(256);
    let reader = tx.clone();
    std::thread::Builder::new()
        .name("ties-input".into())
        .spawn(move || {
            loop {
                let ev = event::read();
                let failed = ev.is_err();
                if reader.send(Input::Term(ev)).is_err() || failed {
                    break;
                }
            }
        })
        .expect("spawning the input thread");
    (tx, rx)
}

/// Where the explorer starts: what `--focus` and `--view` asked for.
#[derive(Default)]
pub struct Start {
    /// The entity to open on; the best-connected one when `None`.
    pub focus: Option<NodeIx>,
    pub filter: crate::view::Filter,
    pub marks: std::collections::BTreeMap<char, NodeIx>,
    /// A search index already built (to resolve `--focus`), to reuse.
    pub index: Option<Arc<SearchIndex>>,
    /// On a graph database: how the first view was fetched; the explorer
    /// fetches the rest as the user moves.
    pub remote: Option<remote::RemoteStart>,
    /// The notebooks, and who writes the notes saved.
    pub notes: crate::notes::Notes,
    pub author: String,
}

/// How the explorer ended, and what it leaves to finish.
pub struct Outcome {
    pub ending: Ending,
    /// The index and snapshot still being made when the user quit: wait for it
    /// (the terminal is already restored).
    pub saving: Option<crate::open::Saving>,
    /// Set to a signal's number when one arrives (the handlers stay installed):
    /// stop waiting then.
    pub signal: Arc<AtomicUsize>,
    /// What the load had to say (a refused snapshot…), to print once the
    /// terminal is back.
    pub notes: Vec<String>,
}

/// Graphs of fewer entities get their search index before the explorer opens
/// (a blink); larger ones on another thread, the explorer opening at once.
const INDEX_INLINE_BELOW: usize = 200_000;

/// The loading screen: how far reading has come, drawn at most every 100 ms.
struct LoadingScreen<'a> {
    terminal: &'a mut Terminal<CrosstermBackend<io::Stdout>>,
    theme: &'a theme::Theme,
    what: &'a str,
    shown: Option<std::time::Instant>,
}

impl crate::open::Progress for LoadingScreen<'_> {
    fn reading(&mut self, p: crate::load::Progress) {
        if !p.careful
            && self
                .shown
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.shown = Some(std::time::Instant::now());
        let (what, theme) = (self.what, self.theme);
        let _ = self
            .terminal
            .draw(|f| ui::draw_loading(f, theme, what, Some(p)));
    }
}

/// Loads the graph with `load` while a progress screen shows `what` is being
/// read, finds where to start with `start`, then runs the explorer until the
/// user quits or a signal arrives. The terminal is restored on every exit path,
/// including panics; a signal during the load ends the program at once.
pub fn run<E: From<TuiError>>(
    what: &str,
    load: impl FnOnce(&mut dyn crate::open::Progress) -> Result<Opened, E>,
    start: impl FnOnce(&Opened) -> Result<Start, E>,
    keymap: KeyMap,
    theme: theme::Theme,
    mouse: bool,
) -> Result<Outcome, E> {
    if !io::stdout().is_terminal() {
        return Err(TuiError::NotATerminal.into());
    }
    let signal = Arc::new(AtomicUsize::new(0));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)
            .map_err(TuiError::from)?;
    }
    // Until the explorer's loop runs, a thread watches for signals: the load,
    // the snapshot read, an index for --focus do not look at the flag.
    let _watch = watch_signals(Arc::clone(&signal));
    let mut guard = TerminalGuard::enter_screen().map_err(TuiError::from)?;
    let mut terminal =
        Terminal::new(CrosstermBackend::new(io::stdout())).map_err(TuiError::from)?;
    terminal.clear().map_err(TuiError::from)?;
    let mut screen = LoadingScreen {
        terminal: &mut terminal,
        theme: &theme,
        what,
        shown: None,
    };
    crate::open::Progress::reading(
        &mut screen,
        crate::load::Progress {
            done: 0,
            total: 0,
            careful: false,
        },
    );
    let mut opened = load(&mut screen)?;
    let start = start(&opened)?;
    // No index yet (none from a snapshot, none built for --focus): a small
    // graph's is built here, a large graph's on another thread (with the
    // snapshot, if one is being saved).
    if let Some(index) = start.index {
        opened.index.get_or_insert(index);
    }
    opened.build_index(IndexWhen::Background {
        inline_below: INDEX_INLINE_BELOW,
    });
    let mut saving = opened.saving.take();
    let index = opened.index.take();
    let indexing = index.is_none();
    let index = index.unwrap_or_default();
    // On a database the explorer grows its graph as it fetches: it holds the
    // only reference, so that growing never copies it.
    let graph = if start.remote.is_some() {
        std::mem::take(&mut opened.graph)
    } else {
        Arc::clone(&opened.graph)
    };
    let mut app = App::new(graph, index, keymap, start.focus).ok_or(TuiError::EmptyGraph)?;
    app.set_filter(start.filter);
    app.marks = start.marks;
    app.notes = start.notes;
    app.author = start.author;
    // A notebook line that could not be read is said where it can be seen.
    if let Some(p) = app.notes.problems().first() {
        let more = app.notes.problems().len() - 1;
        let more = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        app.set_status(format!("{p}{more}"), true);
    }
    app.theme = theme;
    app.indexing = indexing;
    // The first line of the first note (an FtM load's summary, a refused
    // snapshot) goes to the status bar.
    if let Some(line) = opened.notes.first().and_then(|n| n.lines().next()) {
        app.set_status(line, false);
    }
    drop(_watch);
    guard.raw(mouse).map_err(TuiError::from)?;
    // Terminal events come from their own thread, so the loop wakes within a
    // tick to see signals even when the terminal hangs up (crossterm's read can
    // spin then).
    let (wake, events) = spawn_event_reader();
    let notify = move || {
        let _ = wake.try_send(Input::Wake);
    };
    if let Some(remote) = start.remote {
        app.connect_remote(remote, notify.clone());
        app.fetch_if_needed();
    } else if !indexing {
        app.use_search_worker(notify.clone());
    }
    let ending = event_loop(
        &mut app,
        &mut terminal,
        &events,
        &signal,
        &mut saving,
        notify,
    )
    .map_err(TuiError::from)?;
    drop(terminal);
    drop(guard);
    Ok(Outcome {
        ending,
        saving,
        signal,
        notes: opened.notes,
    })
}

/// Watches `signal` on a thread until dropped: a signal restores the terminal
/// and ends the program at once (nothing is lost before the explorer runs).
struct SignalWatch(Arc<AtomicBool>);

fn watch_signals(signal: Arc<AtomicUsize>) -> SignalWatch {
    let on = Arc::new(AtomicBool::new(true));
    let watching = Arc::clone(&on);
    let _ = std::thread::Builder::new()
        .name("ties-signals".into())
        .spawn(move || {
            while watching.load(Ordering::SeqCst) {
                let sig = signal.load(Ordering::SeqCst);
                if sig != 0 {
                    restore_terminal();
                    std::process::exit(128 + sig as i32);
                }
                std::thread::sleep(Duration::from_millis(40));
            }
        });
    SignalWatch(on)
}

impl Drop for SignalWatch {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Keys to actions, actions to state, state to frames, until the user quits.
fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<io::Stdout>>,
    events: &mpsc::Receiver<Input>,
    signal: &AtomicUsize,
    saving: &mut Option<crate::open::Saving>,
    notify: impl Fn() + Send + Clone + 'static,
) -> io::Result<Ending> {
    // The last click, to tell a double click (same cell, within 400 ms).
    let mut last_click: Option<(std::time::Instant, u16, u16)> = None;
    let mut dirty = true;
    loop {
        let sig = signal.load(Ordering::SeqCst);
        if sig != 0 {
            return Ok(Ending::Signal(sig as i32));
        }
        if saving.as_ref().is_some_and(|s| s.is_finished()) {
            let (index, note) = saving.take().map(|s| s.wait()).unwrap_or_default();
            if let Some(index) = index {
                app.set_index(index, notify.clone());
            }
            if let Some(note) = note {
                app.set_status(note, true);
            }
            dirty = true;
        }
        if app.poll_search() | app.poll_jobs() | app.poll_remote() {
            dirty = true;
        }
        if dirty {
            let mut info = ui::FrameInfo::default();
            terminal.draw(|f| info = ui::draw(app, f))?;
            app.after_draw(info);
            dirty = false;
        }
        let event = match events.recv_timeout(Duration::from_millis(100)) {
            Ok(Input::Term(event)) => event?,
            Ok(Input::Wake) | Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the terminal went away",
                ));
            }
        };
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                if let Some(action) = app.keymap.action(app.mode(), &key) {
                    app.update(action);
                    dirty = true;
                }
            }
            Event::Mouse(m) if app.mode() == keymap::Mode::Browse => {
                use crossterm::event::{MouseButton, MouseEventKind};
                let action = match m.kind {
                    MouseEventKind::Down(MouseButton::Left) => {
                        let now = std::time::Instant::now();
                        let double = last_click.is_some_and(|(t, c, r)| {
                            c == m.column && r == m.row && now - t < Duration::from_millis(400)
                        });
                        last_click = Some((now, m.column, m.row));
                        Some(if double {
                            Action::DoubleClick(m.column, m.row)
                        } else {
                            Action::Click(m.column, m.row)
                        })
                    }
                    MouseEventKind::ScrollDown => Some(Action::Down),
                    MouseEventKind::ScrollUp => Some(Action::Up),
                    _ => None,
                };
                if let Some(a) = action {
                    app.update(a);
                    dirty = true;
                }
            }
            Event::Resize(..) => {
                terminal.autoresize()?;
                dirty = true;
            }
            _ => {}
        }
        if app.should_quit {
            return Ok(Ending::Quit);
        }
    }
}
