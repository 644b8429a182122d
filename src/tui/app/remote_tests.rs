//! The explorer's side of fetching, with the session's worker replaced by the
//! test: requests are read from its channel and answers written back by hand.

use super::*;
use crate::db::Neighbourhood;
use crate::db::session::fixtures::{AROUND_B, FIRST, graph};
use crate::db::session::{FakeWorker, PAGE, Reply};
use crate::tui::action::Action;
use crate::tui::keymap::KeyMap;

struct Fake {
    app: App,
    worker: FakeWorker,
}

fn fake() -> Fake {
    let g = Arc::new(graph(FIRST));
    let focus = g.find("a");
    let mut app = App::new(g, Arc::default(), KeyMap::default_map(), focus).unwrap();
    let (mut session, worker) = Session::fake();
    session.knows(&app.graph, &["#0".into()], focus.unwrap(), 2);
    app.remote = Some(session);
    Fake { app, worker }
}

impl Fake {
    /// The fetch the app asked for, if any.
    fn asked(&self) -> Option<(u64, Want)> {
        self.worker.asked()
    }

    fn answer(&mut self, seq: u64, want: Want, text: &str, keys: &[&str]) -> bool {
        let g = graph(text);
        let n = Neighbourhood {
            keys: keys.iter().map(|k| Box::from(*k)).collect(),
            first_ring: 2,
            truncated: false,
            graph: g,
        };
        self.worker.reply(Reply::Fetched(seq, want, Ok(n)));
        self.app.poll_remote()
    }

    fn names(&self) -> Vec<&str> {
        let app = &self.app;
        let mut v: Vec<&str> = app
            .lists
            .iter()
            .flat_map(|l| l.ties.iter().map(|t| app.graph.entity_name(t.other)))
            .collect();
        v.sort();
        v
    }

    fn loading(&self) -> bool {
        self.app.remote.as_ref().unwrap().loading().is_some()
    }
}

#[test]
fn moving_fetches_what_is_not_known_and_the_answer_grows_the_graph_in_place() {
    let mut f = fake();
    let (a, b) = (
        f.app.graph.find("a").unwrap(),
        f.app.graph.find("b").unwrap(),
    );
    f.app.update(Action::Follow);
    assert_eq!(f.app.focus, b);
    let (seq, want) = f.asked().expect("b's relations are asked for");
    assert_eq!((want.id.as_str(), want.depth, want.offset), ("b", 1, 0));
    assert!(f.loading());
    assert_eq!(f.names(), vec!["Alpha"], "what is known shows at once");
    // An answer to another request is dropped.
    assert!(!f.answer(seq + 1, want.clone(), AROUND_B, &["#0", "#1"]));
    assert_eq!(f.app.graph.node_count(), 2);
    assert!(f.answer(seq, want, AROUND_B, &["#0", "#1"]));
    assert!(!f.loading());
    assert_eq!(f.names(), vec!["Alpha", "Charlie"]);
    // a and b keep their indices; the known relation is not doubled.
    assert_eq!(
        (f.app.graph.find("a"), f.app.graph.find("b")),
        (Some(a), Some(b))
    );
    assert_eq!(f.app.graph.edge_count(), 2);
    // Back and forward come from the cache.
    f.app.update(Action::Back);
    assert_eq!(f.app.focus, a);
    f.app.update(Action::Forward);
    assert_eq!(f.app.focus, b);
    assert!(f.asked().is_none(), "the cache answered");
    // A date filter on a neighbourhood fetched whole asks nothing more, and
    // hides the 2024 relation locally.
    f.app.set_filter(crate::view::Filter {
        window: "2025".parse().unwrap(),
        ..Default::default()
    });
    f.app.update(Action::Down);
    assert!(f.asked().is_none());
    assert_eq!(f.names(), vec!["Alpha"]);
    // The map wants two rings: asked for, through the filter.
    f.app.update(Action::Map);
    let (_, want) = f.asked().expect("two rings for the map");
    assert_eq!(want.depth, 2);
    assert!(!want.filter.window.is_all());
}

#[test]
fn esc_stops_a_fetch_and_a_failure_is_said_and_retried_on_the_next_move() {
    let mut f = fake();
    f.app.update(Action::Follow);
    let (seq, want) = f.asked().unwrap();
    f.app.update(Action::Close);
    assert!(!f.loading());
    assert!(
        f.app
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("stopped fetching Bravo")
    );
    // Its answer, arriving late, is dropped; staying put asks nothing again.
    assert!(!f.answer(seq, want, AROUND_B, &["#0", "#1"]));
    assert_eq!(f.app.graph.node_count(), 2);
    f.app.update(Action::Down);
    assert!(f.asked().is_none());
    // Moving away and back asks again; this time the server is gone.
    f.app.update(Action::Back);
    f.app.update(Action::Forward);
    let (seq, want) = f.asked().expect("asked again after moving");
    let gone = DbError::Connect {
        url: "falkor+unix:///x.sock?graph=g".into(),
        message: "No such file or directory".into(),
    };
    f.worker.reply(Reply::Fetched(seq, want, Err(gone)));
    assert!(f.app.poll_remote());
    let status = f.app.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("database unreachable"),
        "{status:?}"
    );
    assert!(!f.loading());
    assert_eq!(f.names(), vec!["Alpha"], "what was fetched stays");
    f.app.update(Action::Down);
    assert!(f.asked().is_none(), "a failure is not retried in a loop");
    f.app.update(Action::Back);
    f.app.update(Action::Forward);
    let (seq, want) = f.asked().expect("the next move retries");
    assert!(f.answer(seq, want, AROUND_B, &["#0", "#1"]));
    assert_eq!(
        f.app.status.as_ref().unwrap().text,
        "the database answers again"
    );
    assert_eq!(f.names(), vec!["Alpha", "Charlie"]);
}

#[test]
fn a_full_cache_starts_over_from_the_focus() {
    let mut f = fake();
    f.app.marks.insert('a', f.app.focus);
    f.app.remote.as_mut().unwrap().set_cache_max(4);
    // A filter holding a graph's own kind: its symbol is the old graph's.
    let g = Arc::make_mut(&mut f.app.graph);
    g.intern("first");
    let vessel = g.intern("vessel");
    f.app.filter.relation_kinds = vec![
        crate::model::RelationKind::Met,
        crate::model::RelationKind::Other(vessel),
    ];
    f.app.update(Action::Follow);
    let (seq, want) = f.asked().unwrap();
    assert!(f.answer(seq, want, AROUND_B, &["#0", "#1"]));
    let app = &f.app;
    assert_eq!(app.graph.node_count(), 3);
    assert_eq!(app.graph.entity(app.focus).id, "b");
    assert!(app.back.is_empty() && app.marks.is_empty());
    assert!(app.status.as_ref().unwrap().text.contains("started over"));
    assert_eq!(f.names(), vec!["Alpha", "Charlie"]);
    // The filter still names `vessel`, now in the new graph's symbols.
    let kinds: Vec<_> = f
        .app
        .filter
        .relation_kinds
        .iter()
        .map(|k| f.app.graph.relation_kind_label(*k))
        .collect();
    assert_eq!(kinds, vec!["met", "vessel"]);
}

/// The card of a hub paged from the server counts what the server reported,
/// and says how much of it is fetched; through another filter it counts only
/// what is fetched.
#[test]
fn card_of_a_paged_hub_says_its_total() {
    use ratatui::{Terminal, backend::TestBackend};
    let mut f = fake();
    let focus = f.app.focus;
    let card = |app: &App| {
        let mut t = Terminal::new(TestBackend::new(200, 20)).unwrap();
        t.draw(|frame| {
            crate::tui::ui::draw(app, frame);
        })
        .unwrap();
        let buf = t.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let s = card(&f.app);
    assert!(s.contains("1 relation: 0 in, 1 out"), "{s}");
    // No cluster line: the clusters of a cache are not the graph's.
    assert!(!s.contains("cluster"), "{s}");
    let r = f.app.remote.as_mut().unwrap();
    r.set_paged(focus, DbFilter::default(), 500, 39_890);
    let s = card(&f.app);
    assert!(
        s.contains("39,890 relations (500 fetched): 0 in, 1 out"),
        "{s}"
    );
    // Paged through a date window; the view shows all dates.
    let dated = DbFilter {
        window: "2020".parse().unwrap(),
        ..DbFilter::default()
    };
    let r = f.app.remote.as_mut().unwrap();
    r.set_paged(focus, dated, 500, 1_234);
    let s = card(&f.app);
    assert!(s.contains("1 relation: 0 in, 1 out"), "{s}");
    assert!(!s.contains("1,234"), "{s}");
}

#[test]
fn a_hub_paged_through_no_filter_stays_paged_after_a_filtered_fetch() {
    let mut f = fake();
    let b = f.app.graph.find("b").unwrap();
    f.app.update(Action::Follow);
    let (seq, want) = f.asked().unwrap();
    let hub = Neighbourhood {
        keys: vec!["#0".into(), "#1".into()],
        first_ring: 1_000,
        truncated: true,
        graph: graph(AROUND_B),
    };
    f.worker.reply(Reply::Fetched(seq, want, Ok(hub)));
    assert!(f.app.poll_remote());
    let all = DbFilter::default();
    assert_eq!(
        f.app.remote.as_ref().unwrap().paged(b, &all),
        Some((PAGE, 1_000))
    );
    // A date window: the hub's relations in it come whole, in one answer.
    for a in [Action::DateFilter, Action::ClearInput]
        .into_iter()
        .chain("2024".chars().map(Action::Type))
        .chain([Action::Submit])
    {
        f.app.update(a);
    }
    let (seq, want) = f.asked().expect("the filter is asked of the server");
    assert_ne!(want.filter, all);
    assert!(f.answer(seq, want.clone(), AROUND_B, &["#0", "#1"]));
    let r = f.app.remote.as_ref().unwrap();
    assert_eq!(
        r.paged(b, &want.filter),
        None,
        "the window's relations are all here"
    );
    assert_eq!(
        r.paged(b, &all),
        Some((PAGE, 1_000)),
        "the unfiltered list is still one page of a hub"
    );
    assert!(
        !r.is_complete(
            b,
            1,
            &DbFilter {
                hide_undated: true,
                ..DbFilter::default()
            }
        ),
        "a page through no filter does not serve another filter"
    );
}

/// An answer to a search that cannot be added to the graph: the popup stops
/// saying "searching" and the status bar says why.
#[test]
fn a_search_answer_that_does_not_fit_settles_the_popup() {
    let mut f = fake();
    f.app.update(Action::Search);
    for c in "brav".chars() {
        f.app.update(Action::Type(c));
    }
    let Popup::Search(p) = &f.app.popup else {
        panic!("no search popup");
    };
    assert!(p.pending, "searching the server");
    f.app.on_remote(crate::db::session::Event::NotMerged {
        error: "the graph is too large".into(),
        search: true,
    });
    let Popup::Search(p) = &f.app.popup else {
        panic!("no search popup");
    };
    assert!(!p.pending, "no longer searching");
    let status = f.app.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("does not fit"),
        "{status:?}"
    );
}

/// A full cache and an answer that does not hold the entity asked for (gone
/// from the server): no start-over onto an entity that is not there; the
/// answer is merged and the focus stays where it is.
#[test]
fn a_full_cache_does_not_start_over_without_the_focus() {
    let mut f = fake();
    f.app.remote.as_mut().unwrap().set_cache_max(2);
    f.app.update(Action::Follow);
    let (seq, want) = f.asked().unwrap();
    const WITHOUT_B: &str = r#"Graph(
        entities: [Entity(id: "d", kind: person, name: "Delta")],
        relations: [],
    )"#;
    assert!(f.answer(seq, want, WITHOUT_B, &[]));
    let app = &f.app;
    assert_eq!(app.graph.entity(app.focus).id, "b");
    assert!(app.graph.find("a").is_some() && app.graph.find("d").is_some());
    assert!(!app.back.is_empty(), "history kept");
}
