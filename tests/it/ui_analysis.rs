//! The explorer's analysis keys, drawn into ratatui's `TestBackend` on the
//! shipped graph: the ranking panel (`r`), common ties (`C`), stepping the
//! date window (`]` `[` `}` `{`) with its marks, the changes (`c`), and `e`
//! exporting each of them.

use std::collections::HashMap;
use std::sync::Arc;

use crate::common::screen::{run, screen, typed};
use ties::Graph;
use ties::graph::NodeIx;
use ties::search::SearchIndex;
use ties::tui::popup::Popup;
use ties::tui::{Action, App, KeyMap};
use ties::view::Filter;

fn app_on(id: &str) -> App {
    let graph = Arc::new(ties::load::load_builtin().unwrap());
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find(id);
    assert!(focus.is_some(), "{id} is in the shipped graph");
    App::new(graph, index, KeyMap::default_map(), focus).unwrap()
}

fn set_dates(app: &mut App, window: &str) {
    run(app, [Action::DateFilter, Action::ClearInput]);
    run(app, typed(window));
    app.update(Action::Submit);
    assert_eq!(app.filter().window.to_string(), window);
}

fn status(app: &App) -> String {
    app.status()
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

/// Visible relations per entity, counted here from the filter alone.
fn degrees(g: &Graph, filter: &Filter) -> HashMap<NodeIx, usize> {
    let mut d = HashMap::new();
    for e in g.edge_indices() {
        if filter.relation_visible(g, e) {
            let (a, b) = g.ends(e);
            *d.entry(a).or_default() += 1;
            *d.entry(b).or_default() += 1;
        }
    }
    d
}

/// Relations shown under `after` but not `before`, and the other way round.
fn changes(g: &Graph, before: &Filter, after: &Filter) -> (usize, usize) {
    let (mut appeared, mut ended) = (0, 0);
    for e in g.edge_indices() {
        match (before.relation_visible(g, e), after.relation_visible(g, e)) {
            (false, true) => appeared += 1,
            (true, false) => ended += 1,
            _ => {}
        }
    }
    (appeared, ended)
}

fn window_filter(w: &str) -> Filter {
    Filter {
        window: w.parse().unwrap(),
        ..Filter::default()
    }
}

/// Exports what the open panel offers to `path` (JSON), checking that every
/// entity written is one of the shipped graph's.
fn export_to(app: &mut App, path: &std::path::Path) {
    app.update(Action::ExportResult);
    assert!(
        matches!(app.popup(), Popup::Export(_)),
        "e opens the export"
    );
    app.update(Action::ClearInput);
    run(app, typed(path.to_str().unwrap()));
    app.update(Action::Submit);
    assert!(status(app).starts_with("exported"), "{}", status(app));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for n in json["nodes"].as_array().unwrap() {
        let id = n["id"].as_str().unwrap();
        assert!(app.graph().find(id).is_some(), "{id} exported");
    }
}

#[test]
fn r_ranks_the_filtered_view_by_degree_and_enter_goes_there() {
    let mut app = app_on("rustem-umerov");
    set_dates(&mut app, "2025");
    app.update(Action::Rank);
    let s = screen(&mut app, 120, 30);
    let deg = degrees(app.graph(), app.filter());
    let visible = app
        .graph()
        .node_indices()
        .filter(|&n| app.filter().entity_visible(app.graph(), n))
        .count();
    assert!(
        s.contains(&format!("rank by degree · top 50 of {visible} entities")),
        "{s}"
    );
    // The first three rows: the highest degrees, each with its count.
    let mut top: Vec<(usize, String, NodeIx)> = deg
        .iter()
        .map(|(&n, &d)| (d, app.graph().entity_name(n).to_string(), n))
        .collect();
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // Each score is drawn as a bar too, between the score and the name.
    for (i, (d, name, _)) in top.iter().take(3).enumerate() {
        let row = format!("{:>3}. {:>10} ", i + 1, d);
        let line = s.lines().find(|l| l.contains(&row));
        assert!(
            line.is_some_and(|l| l.contains(&format!(" {name}")) && l.contains('█')),
            "no `{row}` … `{name}` in\n{s}"
        );
    }
    // Enter on the second goes there and closes the panel.
    run(&mut app, [Action::Down, Action::Submit]);
    assert_eq!(app.focus(), top[1].2);
    assert_eq!(*app.popup(), Popup::None);
}

#[test]
fn tab_cycles_the_measure_and_each_ranking_exports_its_top() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on("lithuania");
    app.update(Action::Rank);
    for measure in ["pagerank", "betweenness", "closeness", "degree"] {
        app.update(Action::NextMeasure);
        let s = screen(&mut app, 120, 30);
        assert!(s.contains(&format!("rank by {measure} ·")), "{s}");
    }
    let path = dir.path().join("rank.json");
    export_to(&mut app, &path);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // The top 50 entities and the relations among them.
    assert_eq!(json["nodes"].as_array().unwrap().len(), 50);
    let ids: Vec<&str> = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"lithuania") && ids.contains(&"ukraine"));
    for e in json["edges"].as_array().unwrap() {
        for end in ["source", "target", "from", "to"] {
            if let Some(id) = e[end].as_str() {
                assert!(ids.contains(&id), "edge end {id} outside the top 50");
            }
        }
    }
}

#[test]
fn c_lists_the_common_ties_of_a_mark_and_the_focus() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on("laurynas-kasciunas");
    // No mark yet: says how.
    app.update(Action::CommonTies);
    assert!(
        status(&app).contains("mark an entity first"),
        "{}",
        status(&app)
    );
    run(&mut app, [Action::SetMark, Action::Type('a')]);
    app.update(Action::Goto("rustem-umerov".into()));
    app.update(Action::CommonTies);
    let s = screen(&mut app, 160, 40);
    assert!(
        s.contains("tied to both Laurynas Kasčiūnas and Rustem Umerov"),
        "{s}"
    );
    for name in [
        "Memorandum on Cooperation in the Defence Industry",
        "Kasčiūnas–Umerov meeting in Kyiv",
        "Umerov's talks with Kasčiūnas in Vilnius",
    ] {
        assert!(s.contains(name), "{name} missing:\n{s}");
    }
    assert!(s.contains("Laurynas Kasčiūnas —signed→ Memorandum"), "{s}");
    // Every listed entity is tied to both.
    let Popup::Results(p) = &app.popup() else {
        panic!("the common-ties list is open")
    };
    let (a, b) = (
        app.graph().find("laurynas-kasciunas").unwrap(),
        app.graph().find("rustem-umerov").unwrap(),
    );
    for (_, _, n) in &p.rows {
        for input in [a, b] {
            assert!(
                app.graph().ties(input).any(|t| t.other == *n),
                "{} not tied to {}",
                app.graph().entity_name(*n),
                app.graph().entity_name(input)
            );
        }
    }
    let first = p.rows[0].2;
    // e exports the inputs, the shared entities and the relations that tie them.
    let path = dir.path().join("common.json");
    export_to(&mut app, &path);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let ids: Vec<&str> = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    for id in [
        "laurynas-kasciunas",
        "rustem-umerov",
        "defence-industry-cooperation-memorandum",
    ] {
        assert!(ids.contains(&id), "{id} not exported: {ids:?}");
    }
    // Enter goes to the first shared entity.
    app.update(Action::CommonTies);
    app.update(Action::Submit);
    assert_eq!(app.focus(), first);
    // With two marks besides the focus, C asks which one.
    app.update(Action::Goto("lithuania".into()));
    run(&mut app, [Action::SetMark, Action::Type('b')]);
    app.update(Action::Goto("rustem-umerov".into()));
    app.update(Action::CommonTies);
    let s = screen(&mut app, 160, 40);
    assert!(
        s.contains("common ties with mark: 'a Laurynas Kasčiūnas"),
        "{s}"
    );
    app.update(Action::Type('a'));
    let Popup::Results(p) = &app.popup() else {
        panic!("the common-ties list is open after the letter")
    };
    assert_eq!(p.rows[0].2, first);
    // Enter: the entities tied to all three.
    run(&mut app, [Action::Close, Action::CommonTies]);
    app.update(Action::Submit);
    let Popup::Results(p) = &app.popup() else {
        panic!("the common-ties list of all marks is open")
    };
    assert!(p.title.starts_with("tied to all of "), "{}", p.title);
    let b = app.marks()[&'b'];
    for (_, _, n) in &p.rows {
        for input in [app.marks()[&'a'], b, app.focus()] {
            assert!(app.graph().ties(input).any(|t| t.other == *n));
        }
    }
    app.update(Action::Close);
    app.update(Action::CommonTies);
    app.update(Action::Type('z'));
    assert_eq!(status(&app), "no mark 'z'");
}

#[test]
fn brackets_step_the_window_and_mark_what_appeared_and_ended() {
    let mut app = app_on("lithuania");
    // Without a closed window there is nothing to step.
    app.update(Action::StepForward);
    assert!(status(&app).contains("stepping needs a date window"));
    set_dates(&mut app, "2024");
    app.update(Action::StepForward);
    assert_eq!(app.filter().window.to_string(), "2025");
    let (appeared, ended) = changes(app.graph(), &window_filter("2024"), &window_filter("2025"));
    assert!(appeared > 0 && ended > 0);
    assert_eq!(
        status(&app),
        format!("2025 · {appeared} appeared, {ended} ended")
    );
    let s = screen(&mut app, 140, 45);
    assert!(
        s.contains(&format!("2025 · {appeared} appeared, {ended} ended")),
        "{s}"
    );
    // The 2025 campaign appeared; the November 2024 memorandum's funding ended.
    // (The name is cut before the relation kind is.)
    assert!(s.contains("+ Third Radarom! fundrais"), "{s}");
    let minus: Vec<&str> = s.lines().filter(|l| l.contains("│− ")).collect();
    assert!(!minus.is_empty(), "no ended relation marked:\n{s}");
    // Each − line is a relation of the focus the 2024 window showed.
    let lt = app.graph().find("lithuania").unwrap();
    let ended_here: Vec<String> = app
        .graph()
        .ties(lt)
        .filter(|t| {
            window_filter("2024").relation_visible(app.graph(), t.edge)
                && !window_filter("2025").relation_visible(app.graph(), t.edge)
        })
        .map(|t| app.graph().entity_name(t.other).to_string())
        .collect();
    assert_eq!(minus.len(), ended_here.len(), "{s}");
    // Each pane's title counts its own.
    for (dir, title) in [
        (petgraph::Direction::Incoming, "◀ in · "),
        (petgraph::Direction::Outgoing, "out · "),
    ] {
        let (mut a, mut e) = (0, 0);
        for t in app.graph().ties_dir(lt, dir) {
            match (
                window_filter("2024").relation_visible(app.graph(), t.edge),
                window_filter("2025").relation_visible(app.graph(), t.edge),
            ) {
                (false, true) => a += 1,
                (true, false) => e += 1,
                _ => {}
            }
        }
        let line = s.lines().next().unwrap();
        let at = line.find(title).unwrap();
        let rest = &line[at..];
        let count = format!(" +{a} −{e}");
        assert!(
            rest[..rest.find('─').unwrap_or(rest.len())].contains(&count),
            "`{count}` not in the {title} title: {line}"
        );
    }
    // Back again: the same relations, the other way round.
    app.update(Action::StepBack);
    assert_eq!(
        status(&app),
        format!("2024 · {ended} appeared, {appeared} ended")
    );
    let s = screen(&mut app, 140, 45);
    assert!(s.contains("− Third Radarom! fundrais"), "{s}");
    // Widen to two years and narrow back.
    app.update(Action::Widen);
    assert_eq!(app.filter().window.to_string(), "2024..2025");
    app.update(Action::Narrow);
    assert_eq!(app.filter().window.to_string(), "2024");
    app.update(Action::Narrow);
    assert!(status(&app).contains("as narrow as it gets"));
    // A month window steps by months.
    set_dates(&mut app, "2024-11");
    app.update(Action::StepForward);
    assert_eq!(app.filter().window.to_string(), "2024-12");
    // Once the filter changes otherwise, the marks go.
    set_dates(&mut app, "2025");
    let s = screen(&mut app, 140, 45);
    assert!(!s.contains("+ Third Radarom!"), "{s}");
}

#[test]
fn the_map_marks_what_appeared_and_counts_the_focus_changes() {
    let mut app = app_on("lithuania");
    set_dates(&mut app, "2024");
    run(&mut app, [Action::StepForward, Action::Map]);
    let s = screen(&mut app, 140, 45);
    let lt = app.graph().find("lithuania").unwrap();
    let (before, after) = (window_filter("2024"), window_filter("2025"));
    let (mut a, mut e) = (0, 0);
    for t in app.graph().ties(lt) {
        match (
            before.relation_visible(app.graph(), t.edge),
            after.relation_visible(app.graph(), t.edge),
        ) {
            (false, true) => a += 1,
            (true, false) => e += 1,
            _ => {}
        }
    }
    assert!(s.contains(&format!("· +{a} −{e} ")), "{s}");
    assert!(s.contains("+Third Radarom!"), "{s}");
    // Stepping works on the map too.
    app.update(Action::StepBack);
    assert_eq!(app.filter().window.to_string(), "2024");
    assert!(app.map().is_some());
}

#[test]
fn c_lists_the_changes_of_the_last_step_and_exports_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on("lithuania");
    app.update(Action::Changes);
    assert!(status(&app).contains("no step to compare"));
    set_dates(&mut app, "2024");
    app.update(Action::StepForward);
    app.update(Action::Changes);
    let (appeared, ended) = changes(app.graph(), &window_filter("2024"), &window_filter("2025"));
    let s = screen(&mut app, 160, 50);
    assert!(
        s.contains(&format!("2024 → 2025: {appeared} appeared, {ended} ended")),
        "{s}"
    );
    assert!(
        s.contains("+ Third Radarom! fundraising campaign —located in→ Lithuania"),
        "{s}"
    );
    let path = dir.path().join("changes.json");
    export_to(&mut app, &path);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(json["edges"].as_array().unwrap().len(), appeared + ended);
}

#[test]
fn the_card_names_the_cluster_of_the_focus() {
    let mut app = app_on("rustem-umerov");
    let s = screen(&mut app, 160, 40);
    let c = ties::analysis::clusters::clusters(app.graph(), app.filter());
    let i = c.cluster_of(app.focus()).unwrap();
    let line = format!(
        "cluster {} of {}: {} entities around {}",
        i + 1,
        c.clusters.len(),
        c.clusters[i].members.len(),
        app.graph().entity_name(c.clusters[i].central)
    );
    assert!(s.contains(&line), "no `{line}` in\n{s}");
}
