//! Each kind of job (the database worker, the ranking, the clusters, the index
//! build) panicking mid-task: the event loop is woken, the status bar says so
//! within a second, and the explorer still answers keys. Driven through the
//! event loop's own `step` on a `TestBackend`, waiting on its input channel
//! with a deadline.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::popup::{Effect, Popup, RankPopup};
use super::*;
use crate::analysis::rank::Measure;
use crate::graph::Graph;
use crate::job::Job;

fn graph(text: &str) -> Graph {
    crate::load::load_texts(vec![("t.ron".to_string(), text.to_string())]).expect("fixture loads")
}

/// a → b → c.
const CHAIN: &str = r#"Graph(
    entities: [
        Entity(id: "a", kind: person, name: "Alpha"),
        Entity(id: "b", kind: person, name: "Bravo"),
        Entity(id: "c", kind: person, name: "Charlie"),
    ],
    relations: [
        Relation(from: "a", to: "b", kind: met),
        Relation(from: "b", to: "c", kind: met),
    ],
)"#;

/// The explorer in a `TestBackend`, fed through the event loop's channel.
struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
    inputs: Inputs,
    state: LoopState,
}

impl Harness {
    fn new(graph: Graph, focus: &str) -> Harness {
        let graph = Arc::new(graph);
        let focus = graph.find(focus);
        let mut app = App::new(graph, Arc::default(), KeyMap::default_map(), focus).unwrap();
        let inputs = Inputs::default();
        app.set_notify(inputs.waker());
        let mut h = Harness {
            app,
            terminal: Terminal::new(TestBackend::new(140, 24)).unwrap(),
            inputs,
            state: LoopState::default(),
        };
        h.step(None);
        h
    }

    fn step(&mut self, input: Option<Input>) {
        let ending = step(&mut self.app, &mut self.terminal, &mut self.state, input).unwrap();
        assert_eq!(ending, None);
    }

    /// Runs the loop until `done` holds, at most `limit`: false if it never did.
    fn until(&mut self, limit: Duration, done: impl Fn(&App, &str) -> bool) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            if done(&self.app, &self.screen()) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.inputs.next(Some(left)).unwrap() {
                Some(input) => self.step(Some(input)),
                None => return false,
            }
        }
    }

    /// A key pressed, as the input thread would send it.
    fn key(&mut self, code: KeyCode) {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        self.inputs
            .sender()
            .send(Input::Term(Ok(Event::Key(key))))
            .unwrap();
        // Wake-ups queued before the key are taken first.
        while let Some(input) = self.inputs.next(Some(Duration::from_secs(5))).unwrap() {
            let was_key = matches!(input, Input::Term(_));
            self.step(Some(input));
            if was_key {
                return;
            }
        }
        panic!("the key never came through");
    }

    fn screen(&self) -> String {
        let buf = self.terminal.backend().buffer();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The explorer answers keys: Down moves the selection (seen on screen),
    /// Enter follows it.
    fn still_answers(&mut self) {
        let focus = self.app.focus();
        self.key(KeyCode::Enter);
        assert_ne!(self.app.focus(), focus, "Enter followed the relation");
        let name = self.app.graph().entity(self.app.focus()).name.to_string();
        assert!(self.screen().contains(&name), "{}", self.screen());
    }
}

/// A job body that waits for the test's go, then panics with `message`.
fn panics_on(go: mpsc::Receiver<()>, message: &'static str) -> impl FnOnce() + Send {
    move || {
        let _ = go.recv_timeout(Duration::from_secs(30));
        panic!("{message}");
    }
}

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn a_ranking_that_panics_mid_task_is_said_within_a_second() {
    let mut h = Harness::new(graph(CHAIN), "a");
    let (go, wait) = mpsc::channel();
    let body = panics_on(wait, "rank blew up");
    let job = Job::spawn("the ranking", move |_| -> super::popup::rank::Ranked {
        body();
        unreachable!()
    });
    let popup = RankPopup::with_job(&h.app.ctx(), Measure::Degree, job);
    h.app.apply(Effect::open(Popup::Rank(popup)));
    h.step(None);
    assert!(h.screen().contains("ranking by degree…"), "{}", h.screen());
    go.send(()).unwrap();
    assert!(
        h.until(SECOND, |app, _| app.status().as_ref().is_some_and(|s| s
            .error
            && s.text.contains("the ranking failed: rank blew up"))),
        "no status within a second: {}",
        h.screen()
    );
    assert!(h.screen().contains("the ranking failed: rank blew up"));
    h.key(KeyCode::Esc);
    assert_eq!(*h.app.popup(), Popup::None);
    h.still_answers();
}

#[test]
fn clusters_that_panic_mid_task_are_said_within_a_second() {
    let mut h = Harness::new(graph(CHAIN), "a");
    let (go, wait) = mpsc::channel();
    let body = panics_on(wait, "clusters blew up");
    h.app
        .find_clusters_with(Job::spawn("finding clusters", move |_| {
            body();
            unreachable!()
        }));
    h.state.dirty = true;
    h.step(None);
    assert!(
        h.screen().contains("cluster: finding clusters…"),
        "{}",
        h.screen()
    );
    go.send(()).unwrap();
    assert!(
        h.until(SECOND, |_, s| s
            .contains("finding clusters failed: clusters blew up")),
        "no status within a second: {}",
        h.screen()
    );
    assert!(h.screen().contains("cluster: could not be found"));
    assert!(!h.screen().contains("finding clusters…"));
    h.still_answers();
}

#[test]
fn an_index_build_that_panics_mid_task_is_said_within_a_second() {
    let mut h = Harness::new(graph(CHAIN), "a");
    let (go, wait) = mpsc::channel();
    let body = panics_on(wait, "index blew up");
    let job = Job::spawn("the search index", move |_| -> crate::open::SavingOutcome {
        body();
        unreachable!()
    });
    h.app.watch_saving(crate::open::Saving::from_job(job, true));
    h.key(KeyCode::Char('/'));
    assert!(h.screen().contains("indexing names"), "{}", h.screen());
    go.send(()).unwrap();
    assert!(
        h.until(SECOND, |app, _| !app.indexing()
            && app.status().as_ref().is_some_and(|s| s
                .text
                .contains("the search index failed: index blew up"))),
        "no status within a second: {}",
        h.screen()
    );
    assert!(!h.screen().contains("indexing names"), "{}", h.screen());
    h.key(KeyCode::Esc);
    h.still_answers();
}

/// A server whose neighbourhood query waits for the test's go, then panics.
struct Stuck(Option<mpsc::Receiver<()>>);

impl crate::db::Backend for Stuck {
    fn push(
        &mut self,
        _: &Graph,
        _: bool,
        _: &mut dyn FnMut(usize, usize),
    ) -> Result<crate::db::PushStats, crate::db::DbError> {
        Err(crate::db::DbError::Data("read-only".into()))
    }
    fn counts(&mut self) -> Result<crate::db::Counts, crate::db::DbError> {
        Err(crate::db::DbError::Data("no counts".into()))
    }
    fn entity(&mut self, _: &str) -> Result<Option<Graph>, crate::db::DbError> {
        Ok(None)
    }
    fn neighbourhood(
        &mut self,
        _: &[&str],
        _: usize,
        _: &crate::db::DbFilter,
        _: crate::db::Page,
    ) -> Result<crate::db::Neighbourhood, crate::db::DbError> {
        if let Some(go) = self.0.take() {
            let _ = go.recv_timeout(Duration::from_secs(30));
        }
        panic!("db worker blew up");
    }
    fn search(&mut self, _: &str, _: usize) -> Result<Vec<crate::db::DbHit>, crate::db::DbError> {
        Ok(Vec::new())
    }
    fn shortest_paths(
        &mut self,
        _: &str,
        _: &str,
        _: usize,
        _: Duration,
    ) -> Result<crate::db::Paths, crate::db::DbError> {
        Err(crate::db::DbError::Data("no paths".into()))
    }
    fn load_all(&mut self) -> Result<Graph, crate::db::DbError> {
        Err(crate::db::DbError::Data("no load".into()))
    }
}

#[test]
fn a_database_worker_that_panics_mid_fetch_is_said_within_a_second() {
    let first = graph(CHAIN);
    let start = crate::db::session::Start {
        url: crate::db::DbUrl::parse("falkor+unix:///x.sock?graph=g").unwrap(),
        keys: Vec::new(),
        focus: "a".into(),
        depth: 1,
        page: crate::db::session::PAGE,
        first_ring: 1,
        truncated: false,
    };
    let (go, wait) = mpsc::channel();
    let wait = std::sync::Mutex::new(Some(wait));
    let connect: crate::db::session::Connect = Box::new(move || {
        let gate = wait.lock().unwrap().take();
        Ok(Box::new(Stuck(gate)) as Box<dyn crate::db::Backend>)
    });
    let mut h = Harness::new(first, "a");
    let waker = h.inputs.waker();
    let session = crate::db::Session::with_connect(&start, h.app.graph(), connect, move || waker());
    h.app.use_session(&start, session);
    // Bravo's relations are not known: following there fetches them.
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("fetching Bravo…"), "{}", h.screen());
    go.send(()).unwrap();
    assert!(
        h.until(SECOND, |_, s| s
            .contains("the database worker failed: db worker blew up")),
        "no status within a second: {}",
        h.screen()
    );
    let s = h.screen();
    assert!(s.contains("while fetching Bravo"), "{s}");
    assert!(!s.contains("fetching Bravo…"), "{s}");
    // Still answers: back to Alpha, from what is known.
    h.key(KeyCode::Backspace);
    assert_eq!(
        h.app.graph().entity(h.app.focus()).id,
        "a",
        "{}",
        h.screen()
    );
    assert!(h.screen().contains("Alpha"));
}

#[test]
fn a_failure_to_start_the_input_thread_is_an_error_not_a_panic() {
    let inputs = Inputs::default();
    let failed = spawn_event_reader(&inputs, |_| {
        Err(io::Error::new(io::ErrorKind::WouldBlock, "no threads left"))
    });
    let e = failed.expect_err("an error");
    assert!(
        e.to_string()
            .contains("cannot start reading keys: no threads left"),
        "{e}"
    );
}

#[test]
fn the_panic_hook_restores_the_terminal_only_for_the_ui_thread() {
    // The UI thread here is one of the test's own.
    let (tx, rx) = mpsc::channel();
    let ui = std::thread::spawn(move || {
        install_panic_hook();
        assert!(on_ui_thread());
        // Wait until the other thread has panicked, then panic here.
        rx.recv().unwrap();
        let before = RESTORES.load(Ordering::SeqCst);
        let _ = std::panic::catch_unwind(|| panic!("on the UI thread"));
        RESTORES.load(Ordering::SeqCst) - before
    });
    let before = RESTORES.load(Ordering::SeqCst);
    let job = std::thread::spawn(|| panic!("on a job's thread"));
    assert!(job.join().is_err());
    assert!(!on_ui_thread());
    assert_eq!(
        RESTORES.load(Ordering::SeqCst),
        before,
        "a job's panic left the terminal alone"
    );
    tx.send(()).unwrap();
    assert_eq!(ui.join().unwrap(), 1, "the UI thread's panic restored it");
}

/// Two people who may be one, for the review queue.
const TWINS: &str = r#"Graph(
    entities: [
        Entity(id: "a", kind: person, name: "Olivia Trigwell"),
        Entity(id: "b", kind: person, name: "Olivia Trigwell"),
        Entity(id: "c", kind: person, name: "Charlie"),
    ],
    relations: [
        Relation(from: "a", to: "c", kind: met),
    ],
)"#;

#[test]
fn a_review_queue_found_on_a_thread_opens_when_found_and_a_panic_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::new(graph(TWINS), "a");
    let g = Arc::clone(h.app.graph());
    let path = dir.path().join("r.resolver");
    let (go, wait) = mpsc::channel::<()>();
    let p = path.clone();
    h.app.review_with(Job::spawn("the review queue", move |c| {
        let _ = wait.recv_timeout(Duration::from_secs(30));
        super::popup::ReviewPopup::with_control(&g, p, &crate::matching::XrefOptions::default(), c)
    }));
    h.step(None);
    assert_eq!(*h.app.popup(), Popup::None, "not found yet");
    go.send(()).unwrap();
    assert!(
        h.until(SECOND, |_, s| s.contains("review: 0 of 1 judged")),
        "the queue never opened: {}",
        h.screen()
    );
    h.key(KeyCode::Char('y'));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(r#"["b","a","positive""#), "{text}");
    // Every pair judged: the queue closes.
    assert_eq!(*h.app.popup(), Popup::None);

    let (go, wait) = mpsc::channel();
    let body = panics_on(wait, "xref blew up");
    h.app.review_with(Job::spawn("the review queue", move |_| {
        body();
        unreachable!()
    }));
    go.send(()).unwrap();
    assert!(
        h.until(SECOND, |_, s| s
            .contains("the review queue failed: xref blew up")),
        "no status within a second: {}",
        h.screen()
    );
    h.still_answers();
}
