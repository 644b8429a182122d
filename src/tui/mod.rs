//! The terminal explorer: terminal setup and restoration, and the event loop that
//! turns keys into [`Action`]s for [`App::update`] and draws with [`ui::draw`].

pub mod action;
pub mod app;
pub mod keymap;
pub mod map;
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

use crate::graph::{Graph, NodeIx};
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
    fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        install_panic_hook();
        terminal::enable_raw_mode()?;
        let guard = TerminalGuard;
        execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
        if mouse {
            execute!(io::stdout(), event::EnableMouseCapture)?;
        }
        Ok(guard)
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

/// Reads terminal events on a thread of its own and hands them over a channel.
/// The thread ends when the receiver is gone or reading fails.
fn spawn_event_reader() -> mpsc::Receiver<io::Result<Event>> {
    let (tx, rx) = mpsc::sync_channel(256);
    std::thread::Builder::new()
        .name("ties-input".into())
        .spawn(move || {
            loop {
                let ev = event::read();
                let failed = ev.is_err();
                if tx.send(ev).is_err() || failed {
                    break;
                }
            }
        })
        .expect("spawning the input thread");
    rx
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
}

/// Runs the explorer on `graph` until the user quits or a signal arrives. The
/// terminal is restored on every exit path, including panics.
pub fn run(
    graph: Graph,
    start: Start,
    keymap: KeyMap,
    theme: theme::Theme,
    mouse: bool,
) -> Result<Ending, TuiError> {
    if !io::stdout().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    let graph = Arc::new(graph);
    let index = start
        .index
        .unwrap_or_else(|| Arc::new(SearchIndex::build(&graph)));
    let mut app = App::new(graph, index, keymap, start.focus).ok_or(TuiError::EmptyGraph)?;
    app.set_filter(start.filter);
    app.marks = start.marks;
    app.theme = theme;

    let signal = Arc::new(AtomicUsize::new(0));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)?;
    }

    let _guard = TerminalGuard::enter(mouse)?;
    // The last click, to tell a double click (same cell, within 400 ms).
    let mut last_click: Option<(std::time::Instant, u16, u16)> = None;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    // Terminal events are read on their own thread, so the loop below always wakes
    // within a tick to see signals: when the terminal hangs up, crossterm's read can
    // spin without returning, and the SIGHUP must still end the program.
    let events = spawn_event_reader();
    let mut dirty = true;
    loop {
        let sig = signal.load(Ordering::SeqCst);
        if sig != 0 {
            return Ok(Ending::Signal(sig as i32));
        }
        if dirty {
            terminal.draw(|f| ui::draw(&app, f))?;
            dirty = false;
        }
        let event = match events.recv_timeout(Duration::from_millis(100)) {
            Ok(event) => event?,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(TuiError::Io(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the terminal went away",
                )));
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
