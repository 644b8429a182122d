//! The session without a terminal: its worker is played by the test (requests
//! read from its channel, answers written back by hand), or is a real thread
//! over a fake server.

use std::time::Duration;

use super::*;

use super::fixtures::{AROUND_B, FIRST, graph};

fn around_b(first_ring: usize, truncated: bool) -> Neighbourhood {
    Neighbourhood {
        keys: vec!["#0".into(), "#1".into()],
        first_ring,
        truncated,
        graph: graph(AROUND_B),
    }
}

struct Setup {
    session: Session,
    worker: FakeWorker,
    graph: Arc<Graph>,
    a: NodeIx,
    b: NodeIx,
}

fn setup() -> Setup {
    let (mut session, worker) = Session::fake();
    let graph = Arc::new(graph(FIRST));
    let (a, b) = (graph.find("a").unwrap(), graph.find("b").unwrap());
    session.knows(&graph, &["#0".into()], a, 1);
    Setup {
        session,
        worker,
        graph,
        a,
        b,
    }
}

fn want(node: NodeIx, id: &str) -> Want {
    Want {
        node,
        id: id.into(),
        depth: 1,
        filter: DbFilter::default(),
        offset: 0,
    }
}

#[test]
fn ensure_asks_once_and_an_answer_grows_the_graph_in_place() {
    let mut s = setup();
    assert!(!s.session.ensure(want(s.a, "a")), "a is known");
    assert!(s.session.ensure(want(s.b, "b")));
    assert!(!s.session.ensure(want(s.b, "b")), "asked already");
    let (seq, w) = s.worker.asked().expect("b asked for");
    assert!(s.worker.asked().is_none());
    assert_eq!(s.session.loading(), Some(&w));
    // An answer to another request is dropped.
    s.worker
        .reply(Reply::Fetched(seq + 1, w.clone(), Ok(around_b(2, false))));
    assert!(s.session.poll(&mut s.graph, s.b).is_empty());
    let before = Arc::as_ptr(&s.graph);
    s.worker
        .reply(Reply::Fetched(seq, w, Ok(around_b(2, false))));
    let events = s.session.poll(&mut s.graph, s.b);
    assert!(
        matches!(events.as_slice(), [Event::Fetched { node, paging: Paging::Whole }] if *node == s.b),
        "{events:?}"
    );
    assert_eq!(Arc::as_ptr(&s.graph), before, "grown in place, not copied");
    assert_eq!((s.graph.node_count(), s.graph.edge_count()), (3, 2));
    assert_eq!(
        (s.graph.find("a"), s.graph.find("b")),
        (Some(s.a), Some(s.b))
    );
    assert!(s.session.loading().is_none());
    assert!(!s.session.ensure(want(s.b, "b")), "now known");
}

#[test]
fn cancel_drops_the_answer_and_a_failure_is_said_then_back_online() {
    let mut s = setup();
    s.session.ensure(want(s.b, "b"));
    let (seq, w) = s.worker.asked().unwrap();
    assert_eq!(s.session.cancel(), Some(w.clone()));
    assert_eq!(s.session.cancel(), None);
    s.worker
        .reply(Reply::Fetched(seq, w.clone(), Ok(around_b(2, false))));
    assert!(s.session.poll(&mut s.graph, s.b).is_empty());
    assert_eq!(s.graph.node_count(), 2);
    assert!(
        !s.session.ensure(want(s.b, "b")),
        "cancelled: not asked again at once"
    );
    // Another want, then this one again: asked.
    s.session.ensure(want(s.a, "a"));
    assert!(s.session.ensure(want(s.b, "b")));
    let (seq, w) = s.worker.asked().unwrap();
    let gone = DbError::Connect {
        url: "falkor+unix:///x.sock?graph=g".into(),
        message: "No such file or directory".into(),
    };
    s.worker.reply(Reply::Fetched(seq, w, Err(gone.clone())));
    let events = s.session.poll(&mut s.graph, s.b);
    assert!(
        matches!(events.as_slice(), [Event::Failed { error, search: false }] if *error == gone),
        "{events:?}"
    );
    assert!(
        !s.session.ensure(want(s.b, "b")),
        "a failure is not retried in a loop"
    );
    s.session.ensure(want(s.a, "a"));
    assert!(s.session.ensure(want(s.b, "b")));
    let (seq, w) = s.worker.asked().unwrap();
    s.worker
        .reply(Reply::Fetched(seq, w, Ok(around_b(2, false))));
    let events = s.session.poll(&mut s.graph, s.b);
    assert!(
        matches!(
            events.as_slice(),
            [Event::BackOnline, Event::Fetched { .. }]
        ),
        "{events:?}"
    );
}

#[test]
fn a_neighbourhood_fetched_whole_serves_any_filter_and_shallower_views() {
    let (mut r, _worker) = Session::fake();
    let dated = DbFilter {
        hide_undated: true,
        ..DbFilter::default()
    };
    let node = NodeIx::new(3);
    r.complete.insert(node, vec![(DbFilter::default(), 2)]);
    assert!(r.is_complete(node, 1, &DbFilter::default()));
    assert!(r.is_complete(node, 2, &dated));
    assert!(!r.is_complete(node, 3, &dated));
    assert!(!r.is_complete(NodeIx::new(4), 1, &DbFilter::default()));
    // A hub paged through no filter: the first page through a filter is
    // another page.
    r.paged
        .insert(node, vec![(DbFilter::default(), PAGE, 3 * PAGE)]);
    assert!(r.is_complete(node, 1, &DbFilter::default()));
    assert!(!r.is_complete(node, 1, &dated));
    r.paged.clear();
    // Fetched through a filter: known for that filter only.
    r.complete.insert(NodeIx::new(5), vec![(dated.clone(), 1)]);
    assert!(r.is_complete(NodeIx::new(5), 1, &dated));
    assert!(!r.is_complete(NodeIx::new(5), 1, &DbFilter::default()));
}

#[test]
fn a_hub_is_paged_and_more_asks_for_the_next_page() {
    let mut s = setup();
    s.session.ensure(want(s.b, "b"));
    let (seq, w) = s.worker.asked().unwrap();
    s.worker
        .reply(Reply::Fetched(seq, w, Ok(around_b(1_200, true))));
    let events = s.session.poll(&mut s.graph, s.b);
    assert!(
        matches!(
            events.as_slice(),
            [Event::Fetched {
                paging: Paging::Paged {
                    fetched: PAGE,
                    total: 1_200
                },
                ..
            }]
        ),
        "{events:?}"
    );
    assert!(s.session.more(want(s.b, "b")));
    let (seq, w) = s.worker.asked().unwrap();
    assert_eq!((w.offset, w.depth), (PAGE, 1));
    assert!(!s.session.more(want(s.b, "b")), "one page at a time");
    s.worker
        .reply(Reply::Fetched(seq, w, Ok(around_b(1_200, true))));
    s.session.poll(&mut s.graph, s.b);
    assert_eq!(
        s.session.paged(s.b, &DbFilter::default()),
        Some((2 * PAGE, 1_200))
    );
    s.session.more(want(s.b, "b"));
    let (seq, w) = s.worker.asked().unwrap();
    s.worker
        .reply(Reply::Fetched(seq, w, Ok(around_b(1_200, true))));
    let events = s.session.poll(&mut s.graph, s.b);
    assert!(
        matches!(
            events.as_slice(),
            [Event::Fetched {
                paging: Paging::Completed { total: 1_200 },
                ..
            }]
        ),
        "{events:?}"
    );
    assert!(!s.session.more(want(s.b, "b")), "all fetched");
}

#[test]
fn a_full_cache_starts_over_from_the_focus() {
    let mut s = setup();
    s.session.set_cache_max(4);
    s.session.ensure(want(s.b, "b"));
    let (seq, w) = s.worker.asked().unwrap();
    s.worker
        .reply(Reply::Fetched(seq, w, Ok(around_b(2, false))));
    let events = s.session.poll(&mut s.graph, s.b);
    let [
        Event::StartedOver { focus, before, old },
        Event::Fetched { node, .. },
    ] = events.as_slice()
    else {
        panic!("{events:?}");
    };
    assert_eq!((*before, focus, node), (2, node, node));
    assert!(!Arc::ptr_eq(old, &s.graph));
    assert_eq!((old.node_count(), s.graph.node_count()), (2, 3));
    assert_eq!(s.graph.entity(*focus).id, "b");
    // What was known of the old cache is forgotten; b's answer is known.
    let a = s.graph.find("a").unwrap();
    assert!(!s.session.is_complete(a, 1, &DbFilter::default()));
    assert!(s.session.is_complete(*focus, 1, &DbFilter::default()));
}

#[test]
fn an_answer_waits_while_the_graph_is_shared_rather_than_copying_it() {
    let mut s = setup();
    s.session.ensure(want(s.b, "b"));
    let (seq, w) = s.worker.asked().unwrap();
    s.worker
        .reply(Reply::Fetched(seq, w, Ok(around_b(2, false))));
    // A ranking on another thread holds the graph.
    let ranking = Arc::clone(&s.graph);
    let before = Arc::as_ptr(&s.graph);
    assert!(s.session.poll(&mut s.graph, s.b).is_empty());
    assert!(s.session.has_deferred());
    assert_eq!(Arc::as_ptr(&s.graph), before, "not copied");
    assert_eq!(s.graph.node_count(), 2);
    drop(ranking);
    let events = s.session.poll(&mut s.graph, s.b);
    assert!(
        matches!(events.as_slice(), [Event::Fetched { .. }]),
        "{events:?}"
    );
    assert_eq!(Arc::as_ptr(&s.graph), before, "grown in place");
    assert_eq!(s.graph.node_count(), 3);
}

#[test]
fn a_search_answer_is_merged_and_ranked_and_enter_waits_for_it() {
    let mut s = setup();
    assert!(!s.session.search("  ", 50), "an empty query asks nothing");
    assert!(!s.session.submit_when_found());
    assert!(s.session.search("charl", 50));
    assert!(s.session.searching());
    assert!(s.session.submit_when_found());
    let (seq, q) = s.worker.asked_search().unwrap();
    let n = around_b(2, false);
    let c = n.graph.find("c").unwrap();
    let found = Found {
        ranked: vec![Hit {
            node: c,
            score: 10,
            field: MatchedField::Name,
            text: "Charlie".into(),
            positions: vec![],
        }],
        hits: vec![
            DbHit {
                id: "c".into(),
                name: "Charlie".into(),
                score: 2.0,
            },
            DbHit {
                id: "a".into(),
                name: "Alpha".into(),
                score: 1.0,
            },
        ],
        graph: n.graph,
        keys: n.keys,
    };
    s.worker.reply(Reply::Found(seq, q, Ok(found)));
    let events = s.session.poll(&mut s.graph, s.a);
    let [
        Event::Found {
            query,
            hits,
            submit,
        },
    ] = events.as_slice()
    else {
        panic!("{events:?}");
    };
    assert_eq!((query.as_str(), *submit), ("charl", true));
    let ids: Vec<&str> = hits.iter().map(|h| s.graph.entity(h.node).id).collect();
    assert_eq!(
        ids,
        vec!["c", "a"],
        "the local ranking, then the server's others"
    );
    assert!(!s.session.searching());
}

#[test]
fn a_worker_that_dies_is_said_and_the_next_request_starts_another() {
    let mut s = setup();
    s.session.ensure(want(s.b, "b"));
    let _ = s.worker.asked().unwrap();
    s.worker.die();
    let events = s.session.poll(&mut s.graph, s.b);
    assert!(
        matches!(events.as_slice(), [Event::WorkerGone { fetching: Some(w), .. }] if w.id == "b"),
        "{events:?}"
    );
    assert!(s.session.loading().is_none());
    assert!(s.worker.next_worker(), "a new worker started");
    s.session.ensure(want(s.a, "a"));
    assert!(s.session.ensure(want(s.b, "b")));
    let (seq, w) = s.worker.asked().expect("the new worker is asked");
    s.worker
        .reply(Reply::Fetched(seq, w, Ok(around_b(2, false))));
    let events = s.session.poll(&mut s.graph, s.b);
    assert!(
        matches!(events.as_slice(), [Event::Fetched { .. }]),
        "{events:?}"
    );
}

/// A server that answers every neighbourhood with b's, or panics.
struct FakeServer {
    panic: bool,
}

impl Backend for FakeServer {
    fn push(
        &mut self,
        _: &Graph,
        _: bool,
        _: &mut dyn FnMut(usize, usize),
    ) -> Result<super::super::PushStats, DbError> {
        Err(DbError::Data("read-only".into()))
    }
    fn counts(&mut self) -> Result<super::super::Counts, DbError> {
        Err(DbError::Data("no counts".into()))
    }
    fn entity(&mut self, _: &str) -> Result<Option<Graph>, DbError> {
        Ok(None)
    }
    fn neighbourhood(
        &mut self,
        _: &[&str],
        _: usize,
        _: &DbFilter,
        _: Page,
    ) -> Result<Neighbourhood, DbError> {
        assert!(!self.panic, "the fake server's query panics");
        Ok(around_b(2, false))
    }
    fn search(&mut self, _: &str, _: usize) -> Result<Vec<DbHit>, DbError> {
        Ok(Vec::new())
    }
    fn shortest_paths(
        &mut self,
        _: &str,
        _: &str,
        _: usize,
        _: Duration,
    ) -> Result<super::super::Paths, DbError> {
        Err(DbError::Data("no paths".into()))
    }
    fn load_all(&mut self) -> Result<Graph, DbError> {
        Err(DbError::Data("no load".into()))
    }
}

/// A real worker thread whose query panics: the session wakes its caller and
/// says the worker is gone; the next worker answers.
#[test]
fn a_worker_thread_that_panics_wakes_the_caller_and_is_replaced() {
    let first = graph(FIRST);
    let start = Start {
        url: super::super::DbUrl::parse("falkor+unix:///x.sock?graph=g").unwrap(),
        keys: vec!["#0".into()],
        focus: "a".into(),
        depth: 1,
        page: PAGE,
        first_ring: 1,
        truncated: false,
    };
    let panics = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let p = Arc::clone(&panics);
    let connect: Connect = Box::new(move || {
        Ok(Box::new(FakeServer {
            panic: p.load(Ordering::SeqCst),
        }) as Box<dyn Backend>)
    });
    let (wake, woken) = mpsc::channel();
    let mut session = Session::with_connect(&start, &first, connect, move || {
        let _ = wake.send(());
    });
    let mut graph = Arc::new(first);
    let b = graph.find("b").unwrap();
    assert!(session.ensure(want(b, "b")));
    // (A hang is what this catches: ten seconds, not one, so that a loaded
    // machine does not fail it; a helper saw one second run out under a
    // load of 6-11 on two cores.)
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let gone = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        woken
            .recv_timeout(left)
            .expect("woken within ten seconds of the panic");
        let events = session.poll(&mut graph, b);
        if let Some(e) = events
            .into_iter()
            .find(|e| matches!(e, Event::WorkerGone { .. }))
        {
            break e;
        }
    };
    let Event::WorkerGone {
        fetching: Some(w),
        why,
    } = gone
    else {
        panic!("{gone:?}");
    };
    assert_eq!(w.id, "b");
    assert!(
        why.contains("the database worker failed") && why.contains("panics"),
        "{why}"
    );
    panics.store(false, Ordering::SeqCst);
    session.ensure(want(graph.find("a").unwrap(), "a"));
    assert!(session.ensure(want(b, "b")));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        woken.recv_timeout(left).expect("the new worker answers");
        let events = session.poll(&mut graph, b);
        if events.iter().any(|e| matches!(e, Event::Fetched { .. })) {
            break;
        }
    }
    assert_eq!(graph.node_count(), 3);
}
