//! The terminal explorer: terminal setup and restoration, and the event loop that
//! turns keys into [`Action`]s for [`App::update`] and draws with [`ui::draw`].

pub mod action;
pub mod app;
pub mod change;
pub mod chart;
pub mod clusters;
pub mod keymap;
pub mod map;
pub mod popup;
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

/// The thread the explorer draws on: a panic there restores the terminal
/// (one on a job's thread is caught and said on the status bar, the screen
/// left as it is).
static UI_THREAD: std::sync::OnceLock<std::thread::ThreadId> = std::sync::OnceLock::new();

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    let _ = UI_THREAD.set(std::thread::current().id());
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if on_ui_thread() {
            RESTORES.fetch_add(1, Ordering::SeqCst);
            // Tests count the restores and leave their terminal alone.
            #[cfg(not(test))]
            restore_terminal();
        }
        previous(info);
    }));
}

/// How many panics restored the terminal.
static RESTORES: AtomicUsize = AtomicUsize::new(0);

/// True on the thread the explorer draws on.
fn on_ui_thread() -> bool {
    UI_THREAD.get() == Some(&std::thread::current().id())
}

/// What wakes the event loop: a terminal event, or another thread saying that
/// something is ready (a job ended, search hits came, a signal arrived).
#[derive(Debug)]
pub enum Input {
    Term(io::Result<Event>),
    Wake,
}

/// The event loop's one channel: terminal events and wake-ups.
pub struct Inputs {
    tx: mpsc::SyncSender<Input>,
    rx: mpsc::Receiver<Input>,
}

impl Default for Inputs {
    fn default() -> Self {
        let (tx, rx) = mpsc::sync_channel(256);
        Inputs { tx, rx }
    }
}

impl Inputs {
    /// A function that wakes the loop (from any thread).
    pub fn waker(&self) -> crate::job::Notify {
        let tx = self.tx.clone();
        Arc::new(move || {
            let _ = tx.try_send(Input::Wake);
        })
    }

    /// A sender of terminal events (the input thread's, or a test's).
    pub fn sender(&self) -> mpsc::SyncSender<Input> {
        self.tx.clone()
    }

    /// The next input, waiting at most `timeout` (for ever when `None`).
    pub fn next(&self, timeout: Option<Duration>) -> Result<Option<Input>, io::Error> {
        let gone = || io::Error::new(io::ErrorKind::BrokenPipe, "the terminal went away");
        match timeout {
            None => self.rx.recv().map(Some).map_err(|_| gone()),
            Some(t) => match self.rx.recv_timeout(t) {
                Ok(i) => Ok(Some(i)),
                Err(mpsc::RecvTimeoutError::Timeout) => Ok(None),
                Err(mpsc::RecvTimeoutError::Disconnected) => Err(gone()),
            },
        }
    }
}

/// Reads terminal events on a thread of its own and sends them to `inputs`.
/// The thread ends when the loop is gone or reading fails. `spawn` starts the
/// thread (a test gives one that cannot): its failure is returned.
fn spawn_event_reader(
    inputs: &Inputs,
    spawn: impl FnOnce(Box<dyn FnOnce() + Send>) -> io::Result<()>,
) -> io::Result<()> {
    let reader = inputs.sender();
    spawn(Box::new(move || {
        loop {
            let ev = event::read();
            let failed = ev.is_err();
            if reader.send(Input::Term(ev)).is_err() || failed {
                break;
            }
        }
    }))
    .map_err(|e| io::Error::new(e.kind(), format!("cannot start reading keys: {e}")))
}

/// Starts a named thread.
fn thread(name: &str) -> impl FnOnce(Box<dyn FnOnce() + Send>) -> io::Result<()> {
    let builder = std::thread::Builder::new().name(name.into());
    move |f| builder.spawn(f).map(|_| ())
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
    pub remote: Option<crate::db::session::Start>,
    /// The notebooks, and who writes the notes saved.
    pub notes: crate::notes::Notes,
    pub author: String,
    /// The resolver file judgements go to.
    pub resolver: Option<std::path::PathBuf>,
    /// Open on the review queue with these options (`ties xref --review`).
    pub review: Option<crate::matching::XrefOptions>,
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
    /// Where the time went (`TIES_LOAD_STATS`), said after the explorer ends.
    stats: Vec<String>,
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

    fn stat(&mut self, line: String) {
        self.stats.push(line);
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
    let started = std::time::Instant::now();
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
        stats: Vec::new(),
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
    let mut stats = std::mem::take(&mut screen.stats);
    let loaded = started.elapsed();
    let start = start(&opened)?;
    let started_at = started.elapsed();
    // No index yet (none from a snapshot, none built for --focus): a small
    // graph's is built here, a large graph's on another thread (with the
    // snapshot, if one is being saved).
    if let Some(index) = start.index {
        opened.index.get_or_insert(index);
    }
    // A large graph's index (and its snapshot) is made on threads started
    // once the explorer is made, not before: on two cores they took a third
    // of the CPU the explorer's first frame waited on.
    let index_later = opened.index.is_none()
        && start.remote.is_none()
        && opened.graph.node_count() >= INDEX_INLINE_BELOW;
    let build_index = |opened: &mut Opened| {
        opened.build_index(IndexWhen::Background {
            inline_below: INDEX_INLINE_BELOW,
        });
    };
    if !index_later {
        build_index(&mut opened);
    }
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
    let mut app = App::new(graph, index, keymap, start.focus)
        .ok_or(TuiError::EmptyGraph)?
        .with_filter(start.filter)
        .with_marks(start.marks)
        .with_theme(theme)
        .with_notes(start.notes, start.author)
        .with_resolver(start.resolver);
    if let Some(opts) = &start.review {
        app.open_review(opts);
    }
    let inputs = Inputs::default();
    app.set_notify(inputs.waker());
    if index_later {
        build_index(&mut opened);
    }
    if let Some(saving) = opened.saving.take() {
        app.watch_saving(saving);
    }
    // The first line of the first note (an FtM load's summary, a refused
    // snapshot) goes to the status bar.
    if let Some(line) = opened.notes.first().and_then(|n| n.lines().next()) {
        app.apply(popup::Effect::status(line, false));
    }
    drop(_watch);
    guard.raw(mouse).map_err(TuiError::from)?;
    // Terminal events come from their own thread, and signals wake the loop
    // from theirs, so the loop sleeps until something happens.
    spawn_event_reader(&inputs, thread("ties-input")).map_err(TuiError::from)?;
    let _signals = wake_on_signals(inputs.waker());
    if let Some(remote) = start.remote {
        app.connect_remote(&remote);
    } else if !indexing {
        app.use_search_worker();
    }
    let made = started.elapsed();
    let mut state = LoopState::default();
    let ending = event_loop(&mut app, &mut terminal, &inputs, &signal, &mut state);
    let ending = ending.map_err(TuiError::from)?;
    drop(terminal);
    drop(guard);
    if !stats.is_empty() {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let first = state.first_frame.map_or(0.0, |t| ms(t - started));
        stats.push(format!(
            "explorer: loaded at {:.0} ms, where to start found at {:.0} ms, \
             explorer made at {:.0} ms, first frame at {first:.0} ms",
            ms(loaded),
            ms(started_at),
            ms(made)
        ));
    }
    let mut notes = opened.notes;
    notes.extend(stats);
    Ok(Outcome {
        ending,
        saving: app.take_saving(),
        signal,
        notes,
    })
}

/// Wakes the event loop when a signal arrives (the loop then reads the flag
/// the signal set). The handle closes the watch when dropped.
fn wake_on_signals(wake: crate::job::Notify) -> Option<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT]).ok()?;
    let handle = signals.handle();
    std::thread::Builder::new()
        .name("ties-signal-wake".into())
        .spawn(move || {
            for _ in signals.forever() {
                wake();
            }
        })
        .ok()?;
    Some(handle)
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
/// The loop sleeps until an input comes (a key, a resize, a job's end, a
/// signal); only while a job's progress is drawn does it wake on a tick.
fn event_loop<B: ratatui::backend::Backend>(
    app: &mut App,
    terminal: &mut Terminal<B>,
    inputs: &Inputs,
    signal: &AtomicUsize,
    state: &mut LoopState,
) -> io::Result<Ending> {
    loop {
        let sig = signal.load(Ordering::SeqCst);
        if sig != 0 {
            return Ok(Ending::Signal(sig as i32));
        }
        if let Some(ending) = step(app, terminal, state, None)? {
            return Ok(ending);
        }
        let tick = app.animating().then_some(Duration::from_millis(100));
        let input = inputs.next(tick)?;
        if let Some(ending) = step(app, terminal, state, input)? {
            return Ok(ending);
        }
    }
}

/// What the loop keeps between inputs.
#[derive(Debug, Default)]
pub struct LoopState {
    /// The last click, to tell a double click (same cell, within 400 ms).
    last_click: Option<(std::time::Instant, u16, u16)>,
    /// Something changed since the last frame.
    dirty: bool,
    drawn: bool,
    /// When the first frame was drawn.
    first_frame: Option<std::time::Instant>,
}

/// One turn of the event loop: the input (if any) applied, the jobs' results
/// taken, and a frame drawn if anything changed. `Some` when the explorer
/// ends.
pub fn step<B: ratatui::backend::Backend>(
    app: &mut App,
    terminal: &mut Terminal<B>,
    state: &mut LoopState,
    input: Option<Input>,
) -> io::Result<Option<Ending>> {
    match input {
        Some(Input::Term(event)) => {
            if handle_event(app, terminal, state, event?)? {
                state.dirty = true;
            }
        }
        Some(Input::Wake) | None => {}
    }
    if app.should_quit() {
        return Ok(Some(Ending::Quit));
    }
    if app.poll_search() | app.poll_jobs() | app.poll_remote() {
        state.dirty = true;
    }
    if state.dirty || !state.drawn {
        // A second frame when the first measured a new size to lay out for.
        for _ in 0..2 {
            let mut info = ui::FrameInfo::default();
            terminal
                .draw(|f| info = ui::draw(app, f))
                .map_err(backend_error)?;
            if !app.after_draw(info) {
                break;
            }
        }
        state.dirty = false;
        state.drawn = true;
        state
            .first_frame
            .get_or_insert_with(std::time::Instant::now);
    }
    Ok(None)
}

fn backend_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A terminal event made an action and applied. True if the screen changed.
fn handle_event<B: ratatui::backend::Backend>(
    app: &mut App,
    terminal: &mut Terminal<B>,
    state: &mut LoopState,
    event: Event,
) -> io::Result<bool> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            if let Some(action) = app.keymap().action(app.mode(), &key) {
                app.update(action);
                return Ok(true);
            }
        }
        Event::Mouse(m) if app.mode() == keymap::Mode::Browse => {
            use crossterm::event::{MouseButton, MouseEventKind};
            let action = match m.kind {
                MouseEventKind::Down(MouseButton::Left) => {
                    let now = std::time::Instant::now();
                    let double = state.last_click.is_some_and(|(t, c, r)| {
                        c == m.column && r == m.row && now - t < Duration::from_millis(400)
                    });
                    state.last_click = Some((now, m.column, m.row));
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
                return Ok(true);
            }
        }
        Event::Resize(..) => {
            terminal.autoresize().map_err(backend_error)?;
            return Ok(true);
        }
        _ => {}
    }
    Ok(false)
}

#[cfg(test)]
#[path = "jobs_tests.rs"]
mod jobs_tests;
