//! The explorer's popups and panes as a user meets them (issue 17): drawn into
//! ratatui's `TestBackend` after a sequence of actions.

use std::sync::Arc;

use crate::common::screen::screen;
use ties::search::SearchIndex;
use ties::tui::app::Popup;
use ties::tui::keymap::Mode;
use ties::tui::{Action, App, KeyMap};
use ties::view::Filter;

/// `tests/fixtures/small.ron` with its text changed by `edit`.
fn graph_with(edit: impl Fn(String) -> String) -> Arc<ties::Graph> {
    let text = edit(std::fs::read_to_string("tests/fixtures/small.ron").unwrap());
    Arc::new(ties::load::load_texts(vec![("small.ron".into(), text)]).unwrap())
}

fn app_in(graph: Arc<ties::Graph>, focus: &str) -> App {
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find(focus);
    App::new(graph, index, KeyMap::default_map(), focus).unwrap()
}

fn app_on(focus: &str) -> App {
    app_in(graph_with(|t| t), focus)
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.update(Action::Type(c));
    }
}

fn focus_id(app: &App) -> &str {
    app.graph().entity(app.focus()).id
}

#[test]
fn enter_in_the_money_sources_and_timeline_popups_closes_them() {
    for (open, to) in [
        (Action::Money, "tranche"),
        // The selected relation's other end: undated relations come first.
        (Action::Sources, "radarom"),
        (Action::Timeline, "tranche"),
    ] {
        let mut app = app_on("lithuania");
        app.update(open.clone());
        assert!(
            matches!(app.popup(), Popup::List(_)),
            "{open:?} opens a list"
        );
        app.update(Action::Submit);
        assert_eq!(focus_id(&app), to, "after {open:?}");
        assert_eq!(app.mode(), Mode::Browse, "{open:?} stays open after Enter");
        let s = screen(&mut app, 120, 20);
        assert!(!s.contains("enter goes there"), "{s}");
    }
    // A path is still walked step by step.
    let mut app = app_on("kasciunas");
    app.update(Action::Path);
    typed(&mut app, "palianytsia");
    app.update(Action::Submit);
    app.update(Action::Down);
    app.update(Action::Submit);
    assert_ne!(focus_id(&app), "kasciunas");
    assert_eq!(app.mode(), Mode::List);
}

#[test]
fn the_money_cursor_starts_on_the_first_amount_not_a_header() {
    let mut app = app_on("palianytsia");
    app.update(Action::Money);
    app.update(Action::Submit);
    assert_eq!(focus_id(&app), "tranche");
    // Moving up and down never lands on a header.
    let mut app = app_on("tranche");
    app.update(Action::Money);
    for a in [
        Action::Up,
        Action::Down,
        Action::Down,
        Action::Up,
        Action::Up,
    ] {
        app.update(a);
        let Popup::List(l) = &app.popup() else {
            panic!("the list closed")
        };
        assert!(
            l.rows[l.selected].1.is_some(),
            "on a header: {}",
            l.rows[l.selected].0
        );
    }
}

#[test]
fn the_incoming_pane_always_shows_the_relation_kind() {
    let long = "First €10 million tranche under the Vilnius memorandum";
    let g = graph_with(|t| t.replace("name: \"First tranche\"", &format!("name: \"{long}\"")));
    let mut app = app_in(g, "palianytsia");
    for (w, h) in [(160, 20), (120, 20), (90, 20), (60, 20), (40, 20)] {
        let s = screen(&mut app, w, h);
        let rows: Vec<&str> = s
            .lines()
            .filter(|l| l.contains("First €10") && !l.contains("selected"))
            .collect();
        assert!(!rows.is_empty(), "at {w} columns:\n{s}");
        for row in rows {
            assert!(row.contains("finances"), "no kind at {w} columns: {row}");
        }
    }
}

#[test]
fn map_labels_use_the_room_there_is_and_never_overlap() {
    let g = ties::load::load_builtin().unwrap();
    let lt = g.find("lithuania").unwrap();
    let f = Filter::default();
    let wide = ties::tui::map::layout(&g, lt, 1, &f, 158, 44);
    assert!(
        wide.placed
            .iter()
            .any(|p| p.label.chars().count() > 24 && p.label == g.entity(p.node).name),
        "no long name shown whole at 160 columns: {:?}",
        wide.placed.iter().map(|p| &p.label).collect::<Vec<_>>()
    );
    // A 40 × 10 terminal leaves a 38 × 7 canvas.
    for (focus, depth, w, h) in [
        ("lithuania", 1, 38, 7),
        ("lithuania", 2, 38, 7),
        ("laurynas-kasciunas", 2, 38, 7),
        ("lithuania", 2, 158, 44),
        ("lithuania", 1, 78, 20),
    ] {
        let m = ties::tui::map::layout(&g, g.find(focus).unwrap(), depth, &f, w, h);
        for (i, p) in m.placed.iter().enumerate() {
            let len = p.label.chars().count() as u16 + 2;
            if p.label.is_empty() {
                continue;
            }
            assert!(
                p.label_col + len <= w && p.label_row < h,
                "{} outside",
                p.label
            );
            for q in &m.placed[..i] {
                if q.label.is_empty() {
                    continue;
                }
                let qlen = q.label.chars().count() as u16 + 2;
                let overlap = p.label_row == q.label_row
                    && p.label_col < q.label_col + qlen
                    && q.label_col < p.label_col + len;
                assert!(
                    !overlap,
                    "{focus} {w}×{h}: {} overlaps {}",
                    p.label, q.label
                );
            }
        }
        // The focus is always labelled.
        assert!(!m.placed[0].label.is_empty());
    }
}

#[test]
fn the_sources_popup_wraps_instead_of_cutting() {
    let title = "Ministers sign a memorandum on the joint production of drones, ammunition and \
                 electronic warfare systems in Vilnius";
    let g = graph_with(|t| {
        t.replace(
            "title: \"Ministers sign a memorandum\"",
            &format!("title: \"{title}\""),
        )
    });
    let mut app = app_in(g, "kasciunas");
    app.update(Action::Sources);
    let s = screen(&mut app, 160, 30);
    assert!(s.contains("Test Wire (2024-11-24)"), "{s}");
    assert!(s.contains("a.txt"), "{s}");
    assert!(s.contains("electronic warfare"), "{s}");
    assert!(!s.contains('…'), "{s}");
}

#[test]
fn after_a_bad_kind_filter_the_next_text_starts_afresh() {
    let mut app = app_on("lithuania");
    app.update(Action::KindFilter);
    typed(&mut app, "zzz");
    app.update(Action::Submit);
    assert!(screen(&mut app, 120, 20).contains("`zzz` is not"));
    typed(&mut app, "fund,finances");
    app.update(Action::Submit);
    assert_eq!(app.mode(), Mode::Browse, "{}", screen(&mut app, 160, 20));
    assert_eq!(app.filter().relation_kinds.len(), 1);
}

#[test]
fn the_export_dialog_shows_the_format_the_name_chooses_and_remembers_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on("umerov");
    app.update(Action::Export);
    assert!(screen(&mut app, 120, 20).contains("[json]"));
    app.update(Action::ClearInput);
    let path = dir.path().join("u.mmd");
    typed(&mut app, path.to_str().unwrap());
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("[mmd]") && !s.contains("[json]"), "{s}");
    app.update(Action::Submit);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("flowchart")
    );
    // The next export starts from Mermaid.
    app.update(Action::Export);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("[mmd]") && s.contains("ties-umerov.mmd"), "{s}");
    app.update(Action::Close);
    // `.ftm.json` is FollowTheMoney, not JSON.
    app.update(Action::Export);
    app.update(Action::ClearInput);
    typed(&mut app, "u.ftm.json");
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("[ftm.json]") && !s.contains("[json]"), "{s}");
    // Tab then changes the typed name's extension with the format; CSV is a
    // folder, without one.
    app.update(Action::NextFormat);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("[gexf]") && s.contains("u.gexf"), "{s}");
    app.update(Action::NextFormat);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("[csv]") && s.contains("> u▏"), "{s}");
    // Then the focus's dossier, in HTML and Markdown, then round to JSON.
    app.update(Action::NextFormat);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("[dossier.html]") && s.contains("u.html"), "{s}");
    app.update(Action::NextFormat);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("[dossier.md]") && s.contains("u.md"), "{s}");
    app.update(Action::NextFormat);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("[json]") && s.contains("u.json"), "{s}");
}

#[test]
fn the_path_popup_ranks_routes_through_hubs_last_and_offers_more() {
    // Lithuania becomes a hub: the route through the memorandum goes first.
    let g = graph_with(|t| {
        t.replace(
            "    ],\n)",
            "        Relation(from: \"umerov\", to: \"lithuania\", kind: met, sources: [\"a\"]),\n\
             \x20       Relation(from: \"ukraine\", to: \"lithuania\", kind: met, sources: [\"a\"]),\n\
             \x20       Relation(from: \"ukraine\", to: \"lithuania\", kind: concerns, sources: [\"a\"]),\n    ],\n)",
        )
    });
    let mut app = app_in(g, "kasciunas");
    app.update(Action::Path);
    typed(&mut app, "palianytsia");
    app.update(Action::Submit);
    let s = screen(&mut app, 140, 30);
    let via_mou = s.find("Laurynas Kasčiūnas —signed→ Memorandum").expect(&s);
    let via_lt = s
        .find("Laurynas Kasčiūnas —holds office→ Lithuania")
        .expect(&s);
    assert!(via_mou < via_lt, "{s}");
    assert!(s.contains("route 2 · 3 hops"), "{s}");
    // The cursor starts on the first route's first entity; Enter walks it.
    app.update(Action::Down);
    app.update(Action::Submit);
    assert_eq!(focus_id(&app), "mou");
}

#[test]
fn the_status_bar_counts_undated_relations_in_a_window_and_help_says_why() {
    let mut app = app_on("lithuania");
    app.update(Action::DateFilter);
    typed(&mut app, "2025");
    app.update(Action::Submit);
    // Lithuania holds office and located in are undated; both stay.
    let s = screen(&mut app, 160, 20);
    assert!(
        s.contains("dates: 2025 · 2 undated relations included"),
        "{s}"
    );
    app.update(Action::ToggleUndated);
    assert!(screen(&mut app, 160, 20).contains("undated hidden"));
    app.update(Action::Help);
    let mut seen = String::new();
    for _ in 0..120 {
        seen.push_str(&screen(&mut app, 120, 40));
        app.update(Action::Down);
    }
    assert!(seen.contains("keeps undated relations"), "{seen}");
    assert!(seen.contains("approximate amount is marked ~"), "{seen}");
}

#[test]
fn in_a_window_the_timeline_lists_undated_amounts_apart() {
    // An undated €35m from Lithuania: in the 2025 view, not in its period.
    let g = graph_with(|t| {
        t.replace(
            "kind: located_in, sources: [\"b\"])",
            "kind: located_in, sources: [\"b\"]),\n        Relation(from: \"lithuania\", to: \"ukraine\", kind: finances, amount: (value: 35000000, currency: \"EUR\"), sources: [\"b\"])",
        )
    });
    let mut app = app_in(g, "lithuania");
    app.update(Action::DateFilter);
    typed(&mut app, "2025");
    app.update(Action::Submit);
    app.update(Action::Timeline);
    let s = screen(&mut app, 140, 30);
    assert!(s.contains("3 undated relations included"), "{s}");
    let apart = s.find("undated, not in the window's total:").expect(&s);
    let line = s
        .find("€35,000,000  Lithuania —finances→ Ukraine")
        .expect(&s);
    assert!(apart < line && s.find("2025-02").unwrap() < apart, "{s}");
}

#[test]
fn the_money_popup_is_honest_about_windows_approximations_and_missing_figures() {
    let g = graph_with(|t| {
        t.replace(
            "kind: located_in, sources: [\"b\"])",
            "kind: located_in, sources: [\"b\"]),\n        \
             Relation(from: \"lithuania\", to: \"ukraine\", kind: finances, amount: (value: 15000000, currency: \"EUR\", approx: true), sources: [\"b\"]),\n        \
             Relation(from: \"umerov\", to: \"lithuania\", kind: finances, sources: [\"b\"])",
        )
    });
    let mut app = app_in(g, "lithuania");
    app.update(Action::Money);
    let s = screen(&mut app, 160, 30);
    assert!(s.contains("out: ~€25,000,000 transferred"), "{s}");
    assert!(
        s.contains("amount not stated  transferred  from Rustem Umerov"),
        "{s}"
    );
    app.update(Action::Close);
    app.update(Action::DateFilter);
    typed(&mut app, "2025");
    app.update(Action::Submit);
    app.update(Action::Money);
    let s = screen(&mut app, 160, 30);
    assert!(s.contains("out: none in the window"), "{s}");
    let apart = s.find("undated, not in the window's total:").expect(&s);
    assert!(
        s[apart..].contains("~€15,000,000  transferred  to Ukraine"),
        "{s}"
    );
    assert!(s.contains("2 undated money relations included"), "{s}");
}

#[test]
fn an_export_in_a_window_says_how_many_undated_relations_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on("lithuania");
    app.update(Action::DateFilter);
    typed(&mut app, "2025");
    app.update(Action::Submit);
    app.update(Action::Export);
    app.update(Action::ClearInput);
    typed(&mut app, dir.path().join("lt.json").to_str().unwrap());
    app.update(Action::Submit);
    let s = screen(&mut app, 200, 20);
    assert!(
        s.contains("(2 undated relations included; u hides them)"),
        "{s}"
    );
}

/// An explorer on `focus` with an empty notebook in `dir`.
fn app_with_notes(focus: &str, dir: &std::path::Path) -> App {
    let notes = ties::notes::Notes::open(&[dir.join("n.jsonl")]).unwrap();
    app_on(focus).with_notes(notes, "ana".into())
}

/// A key typed into the note editor, as the key map hands it over.
fn edit_key(app: &mut App, name: &str) {
    let key = ties::tui::keymap::Key::parse(name).unwrap();
    app.update(Action::Edit(ties::tui::action::EditKey(key.event(false))));
}

fn edit_text(app: &mut App, s: &str) {
    for c in s.chars() {
        let name = if c == ' ' {
            "space".to_string()
        } else {
            c.to_string()
        };
        edit_key(app, &name);
    }
}

#[test]
fn a_note_is_written_saved_at_once_and_shown_on_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with_notes("umerov", dir.path());
    app.update(Action::Note);
    assert_eq!(app.mode(), Mode::Note);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("note on Rustem Umerov"), "{s}");
    assert!(
        s.contains("ctrl-s: save") && s.contains("esc: cancel"),
        "{s}"
    );
    edit_text(&mut app, "first line");
    edit_key(&mut app, "enter");
    edit_text(&mut app, "second");
    // Esc asks before dropping the edit; typing on keeps it.
    app.update(Action::Close);
    assert_eq!(app.mode(), Mode::Note, "the first Esc only asks");
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("esc again: drop the edit"), "{s}");
    edit_text(&mut app, "!");
    app.update(Action::Save);
    assert_eq!(app.mode(), Mode::Browse);
    // On disk before anything else happens.
    let again = ties::notes::Notes::open(&[dir.path().join("n.jsonl")]).unwrap();
    assert_eq!(again.notes()[0].text, "first line\nsecond!");
    assert_eq!(again.notes()[0].author, "ana");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("note saved to"), "{s}");
    assert!(s.contains("first line") && s.contains("second!"), "{s}");
    // A second note dropped with two Esc presses saves nothing.
    app.update(Action::Note);
    edit_text(&mut app, "gone");
    app.update(Action::Close);
    app.update(Action::Close);
    assert_eq!(app.mode(), Mode::Browse);
    let again = ties::notes::Notes::open(&[dir.path().join("n.jsonl")]).unwrap();
    assert_eq!(again.notes().len(), 1);
}

#[test]
fn a_note_goes_on_the_selected_relation_with_tab() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with_notes("umerov", dir.path());
    let tie = app.selected_tie().expect("a relation is selected");
    app.update(Action::Note);
    app.update(Action::SwitchPane);
    let s = screen(&mut app, 140, 30);
    assert!(s.contains("note on Rustem Umerov —"), "{s}");
    edit_text(&mut app, "about this relation");
    app.update(Action::Save);
    assert_eq!(app.notes().relation_notes(app.graph(), tie.edge).len(), 1);
    assert!(
        app.notes()
            .entity_notes(app.graph(), app.focus())
            .is_empty()
    );
    // The row is marked.
    let s = screen(&mut app, 140, 30);
    assert!(s.contains("✎"), "{s}");
}

#[test]
fn tags_are_added_removed_listed_and_filtered_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with_notes("umerov", dir.path());
    app.update(Action::Tags);
    typed(&mut app, "suspect follow-up");
    app.update(Action::Submit);
    assert_eq!(app.mode(), Mode::Browse);
    assert_eq!(
        app.notes().entity_tags(app.graph(), app.focus()),
        ["follow-up", "suspect"]
    );
    app.update(Action::Tags);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("has #follow-up #suspect"), "{s}");
    typed(&mut app, "-follow-up");
    app.update(Action::Submit);
    assert_eq!(
        app.notes().entity_tags(app.graph(), app.focus()),
        ["suspect"]
    );
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("#suspect") && !s.contains("#follow-up"), "{s}");
    // `N` lists it; Enter goes there from elsewhere.
    let umerov = app.focus();
    app.update(Action::Goto("lithuania".into()));
    app.update(Action::NotesList);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Rustem Umerov  #suspect"), "{s}");
    app.update(Action::Submit);
    assert_eq!(app.focus(), umerov);
    // `#suspect` in the kind filter keeps tagged entities only.
    app.update(Action::Goto("lithuania".into()));
    app.update(Action::KindFilter);
    app.update(Action::ClearInput);
    typed(&mut app, "#suspect");
    app.update(Action::Submit);
    assert_eq!(app.filter().tags, ["suspect"]);
    assert!(app.filter().entity_visible(app.graph(), umerov));
    let other = app.graph().find("kasciunas").unwrap();
    assert!(!app.filter().entity_visible(app.graph(), other));
    // And search finds him by the tag.
    app.update(Action::Search);
    typed(&mut app, "#suspect");
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Rustem Umerov"), "{s}");
}

#[test]
fn the_export_dialog_writes_the_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with_notes("umerov", dir.path());
    app.update(Action::Export);
    app.update(Action::ClearInput);
    let path = dir.path().join("u.html");
    typed(&mut app, path.to_str().unwrap());
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("[dossier.html]"), "{s}");
    app.update(Action::Submit);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("<h1>Rustem Umerov</h1>") && html.contains("<svg"));
    // Never overwritten without a second Enter.
    std::fs::write(&path, "mine").unwrap();
    app.update(Action::Export);
    app.update(Action::ClearInput);
    typed(&mut app, path.to_str().unwrap());
    app.update(Action::Submit);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    app.update(Action::Submit);
    assert!(std::fs::read_to_string(&path).unwrap().contains("<svg"));
}

#[test]
fn your_latest_note_is_edited_in_place_and_its_history_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with_notes("umerov", dir.path());
    app.update(Action::EditNote);
    assert_eq!(app.mode(), Mode::Browse);
    let s = screen(&mut app, 120, 30);
    assert!(
        s.contains("no note of yours on this entity: n writes one"),
        "{s}"
    );
    app.update(Action::Note);
    edit_text(&mut app, "first");
    app.update(Action::Save);
    app.update(Action::EditNote);
    let s = screen(&mut app, 120, 30);
    assert!(
        s.contains("your note on Rustem Umerov") && s.contains("first"),
        "{s}"
    );
    // Unchanged, Esc closes at once.
    app.update(Action::Close);
    assert_eq!(app.mode(), Mode::Browse);
    app.update(Action::EditNote);
    edit_text(&mut app, " draft");
    app.update(Action::Save);
    let book = dir.path().join("n.jsonl");
    let again = ties::notes::Notes::open(std::slice::from_ref(&book)).unwrap();
    assert_eq!(again.notes().len(), 1);
    assert_eq!(again.notes()[0].text, "first draft");
    assert!(again.notes()[0].edited.is_some());
    let text = std::fs::read_to_string(&book).unwrap();
    assert_eq!(
        text.lines().count(),
        2,
        "the edit is a second line:\n{text}"
    );
}
