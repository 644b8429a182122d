//! The explorer drawn into ratatui's `TestBackend`: a fixture graph, a fixed size,
//! a sequence of actions, then the screen checked.

use std::sync::Arc;

use crate::common::screen::{run, screen, terminal, typed};
use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ties::search::SearchIndex;
use ties::tui::{Action, App, KeyMap};

fn fixture() -> Arc<ties::Graph> {
    let text = std::fs::read_to_string("tests/fixtures/small.ron").unwrap();
    Arc::new(ties::load::load_texts(vec![("small.ron".into(), text)]).unwrap())
}

fn app_on(focus: &str) -> App {
    let graph = fixture();
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find(focus);
    App::new(graph, index, KeyMap::default_map(), focus).unwrap()
}

/// The frame's cells with the colours taken off, to compare with
/// `Buffer::with_lines`.
fn plain(app: &mut App, w: u16, h: u16) -> Buffer {
    let mut buf = terminal(app, w, h).backend().buffer().clone();
    buf.set_style(buf.area, Style::reset());
    buf
}

#[test]
fn main_screen_shows_card_and_both_lists() {
    let mut app = app_on("kasciunas");
    let s = screen(&mut app, 120, 20);
    insta::assert_snapshot!("kasciunas_main", s);
    assert!(s.contains("Laurynas Kasčiūnas"));
    assert!(s.contains("also Laurinas Kaschyunas"));
    let wide = screen(&mut app, 180, 20);
    assert!(wide.contains("holds office (Minister of National Defence)  Lithuania"));
    assert!(wide.contains("signed  Memorandum on support"));
    assert!(s.contains("dates: all dates · undated shown"));
}

#[test]
fn jump_move_back_forward() {
    let mut app = app_on("kasciunas");
    // Fuzzy jump by an alias without diacritics.
    app.update(Action::Search);
    run(&mut app, typed("umierov"));
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("Rustem Umerov  alias Rustem Umierov"), "{s}");
    app.update(Action::Submit);
    assert_eq!(app.graph().entity(app.focus()).id, "umerov");
    // Down to the memorandum, follow it.
    run(&mut app, [Action::Down, Action::Follow]);
    assert_eq!(app.graph().entity(app.focus()).id, "mou");
    let s = screen(&mut app, 120, 20);
    insta::assert_snapshot!("memorandum_after_follow", s);
    // Back twice, forward once.
    run(&mut app, [Action::Back, Action::Back]);
    assert_eq!(app.graph().entity(app.focus()).id, "kasciunas");
    app.update(Action::Forward);
    assert_eq!(app.graph().entity(app.focus()).id, "umerov");
    app.update(Action::Forward);
    assert_eq!(app.graph().entity(app.focus()).id, "mou");
    // Going somewhere new drops the forward history.
    app.update(Action::Back);
    run(&mut app, [Action::Top, Action::Follow]);
    assert!(app.forward().is_empty());
}

#[test]
fn date_filter_hides_what_is_outside_and_status_bar_says_so() {
    let mut app = app_on("lithuania");
    let before = screen(&mut app, 120, 20);
    assert!(before.contains("Memorandum on su"), "{before}");
    app.update(Action::DateFilter);
    run(&mut app, typed("2025"));
    app.update(Action::Submit);
    let s = screen(&mut app, 120, 20);
    insta::assert_snapshot!("lithuania_2025", s);
    assert!(s.contains("dates: 2025"));
    assert!(!s.contains("Memorandum on support"), "{s}");
    assert!(s.contains("Radarom! campaign"));
    assert!(s.contains("hidden"));
    // Undated relations can be hidden too; the status bar says which.
    app.update(Action::ToggleUndated);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("undated hidden"));
    assert!(
        !s.contains("Radarom! campaign"),
        "located_in is undated: {s}"
    );
    // D clears the window.
    run(&mut app, [Action::ToggleUndated, Action::ClearDateFilter]);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("Memorandum on su"));
    assert!(s.contains("dates: all dates"));
}

#[test]
fn bad_date_stays_in_the_prompt_and_shows_an_error() {
    let mut app = app_on("lithuania");
    app.update(Action::DateFilter);
    run(&mut app, typed("2024-02-30"));
    app.update(Action::Submit);
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("February 2024 has 29 days"), "{s}");
    assert!(app.filter().window.is_all());
    app.update(Action::Close);
    assert_eq!(app.mode(), ties::tui::keymap::Mode::Browse);
}

#[test]
fn search_respects_the_date_filter() {
    let mut app = app_on("lithuania");
    app.update(Action::DateFilter);
    run(&mut app, typed("2025"));
    app.update(Action::Submit);
    app.update(Action::Search);
    run(&mut app, typed("memorandum"));
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("nothing matches"), "{s}");
    app.update(Action::Submit);
    assert!(s.contains("> memorandum"));
}

#[test]
fn help_is_generated_from_the_key_map() {
    let mut app = app_on("lithuania");
    app.update(Action::Help);
    let s = screen(&mut app, 100, 40);
    insta::assert_snapshot!("help", s);
    assert!(s.contains("j down"));
    assert!(s.contains("filter by date"));
    app.update(Action::Close);
    assert!(!screen(&mut app, 100, 40).contains("filter by date"));
}

#[test]
fn any_size_draws_without_panic() {
    let mut app = app_on("lithuania");
    for (w, h) in [
        (1, 1),
        (19, 4),
        (20, 5),
        (30, 8),
        (60, 12),
        (89, 30),
        (200, 60),
    ] {
        for popup in [
            None,
            Some(Action::Search),
            Some(Action::Help),
            Some(Action::DateFilter),
        ] {
            if let Some(p) = popup {
                app.update(p);
            }
            if (w, h) == (19, 4) {
                terminal(&mut app, w, h).backend().assert_buffer_lines([
                    "terminal too small ",
                    "                   ",
                    "                   ",
                    "                   ",
                ]);
            }
            let s = screen(&mut app, w, h);
            if w < 20 || h < 5 {
                assert!(s.starts_with('t') && !s.contains('┌'), "{w}x{h}: {s}");
            } else {
                assert!(s.contains('┌'), "{w}x{h}: {s}");
            }
            app.update(Action::Close);
        }
    }
}

#[test]
fn a_terminal_of_2000_columns_draws_its_popups() {
    // Popups are sized in percent of the screen: 2,000 columns × 70 % once
    // overflowed a u16.
    let mut app = app_on("lithuania");
    for popup in [Action::Help, Action::Search, Action::Money, Action::Export] {
        app.update(popup.clone());
        let s = screen(&mut app, 2000, 1000);
        assert!(s.matches('┌').count() >= 4, "{popup:?}: panes and popup");
        app.update(Action::Close);
    }
}

#[test]
fn long_lists_scroll_to_keep_the_selection_visible() {
    let mut app = app_on("lithuania");
    app.update(Action::Bottom);
    let s = screen(&mut app, 120, 5);
    // Three relations out (undated first, then newest first), only two rows
    // fit: the last one must be on screen.
    assert!(s.contains("First tranche"), "{s}");
    assert!(!s.contains("Radarom! campaign"), "{s}");
    assert_eq!(
        plain(&mut app, 120, 5),
        Buffer::with_lines([
            "┌ ◀ in · 1 ─────────────────────────────┐┌ country ───────────────────────────┐┌ out · 3 ▶ ────────────────────────────┐",
            "│Lauryna…  holds office (Minister of Na…││Lithuania                           ││party to  Memorandum on su…  2024-11-23│",
            "│                                       ││country · lithuania                 ││finances  First tranche     €10,000,000│",
            "└───────────────────────────────────────┘└────────────────────────────────────┘└───────────────────────────────────────┘",
            " dates: all dates · undated shown                                                                                ? help ",
        ])
    );
    // One up: the window stays where it is (the selection moves within it).
    app.update(Action::Up);
    let s = screen(&mut app, 120, 5);
    assert!(
        s.contains("First tranche") && !s.contains("Radarom! campaign"),
        "{s}"
    );
    app.update(Action::Top);
    let s = screen(&mut app, 120, 5);
    assert!(s.contains("Radarom! campaign"), "{s}");
    assert!(!s.contains("First tranche"), "{s}");
}

#[test]
fn export_writes_the_view_and_asks_before_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on("umerov");
    app.update(Action::DateFilter);
    run(&mut app, typed("2024-11"));
    app.update(Action::Submit);
    app.update(Action::Export);
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("ties-umerov-2024-11.json"), "{s}");
    app.update(Action::NextFormat);
    assert!(screen(&mut app, 100, 20).contains("ties-umerov-2024-11.ron"));
    let path = dir.path().join("view.ron");
    app.update(Action::ClearInput);
    run(&mut app, typed(path.to_str().unwrap()));
    app.update(Action::Submit);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("exported 3 entities, 2 relations"), "{s}");
    // The file is the view: Umerov, the memorandum he signed in November 2024, and
    // (undated relations being shown) his office in Ukraine.
    let text = std::fs::read_to_string(&path).unwrap();
    let back = ties::load::load_texts(vec![("view.ron".into(), text.clone())]).unwrap();
    assert_eq!(back.node_count(), 3);
    for id in ["umerov", "mou", "ukraine"] {
        assert!(back.find(id).is_some(), "{id}");
    }
    // Exporting again to the same file asks first, then overwrites on a second Enter.
    app.update(Action::Export);
    app.update(Action::NextFormat);
    app.update(Action::ClearInput);
    run(&mut app, typed(path.to_str().unwrap()));
    app.update(Action::Submit);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("press enter again to overwrite"), "{s}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    app.update(Action::Submit);
    assert!(screen(&mut app, 160, 20).contains("exported"));
    // Esc cancels without writing.
    app.update(Action::Export);
    app.update(Action::Close);
    assert!(screen(&mut app, 160, 20).contains("export cancelled"));
}

#[test]
fn timeline_lists_dated_things_in_order_and_enter_jumps() {
    let mut app = app_on("lithuania");
    app.update(Action::Timeline);
    let s = screen(&mut app, 120, 20);
    insta::assert_snapshot!("lithuania_timeline", s);
    let first = s.find("2024-11-23").expect("the memorandum date");
    let later = s.find("2025-02").expect("the campaign dates");
    assert!(first < later, "not in date order:\n{s}");
    // Walk down to the campaign and go there; the list closes.
    let target = app.graph().find("radarom").unwrap();
    while let ties::tui::app::Popup::List(l) = &app.popup() {
        if l.rows[l.selected].1 == Some(target) {
            break;
        }
        let before = l.selected;
        app.update(Action::Down);
        if let ties::tui::app::Popup::List(l) = &app.popup() {
            assert!(l.selected > before, "campaign not in the timeline");
        }
    }
    app.update(Action::Submit);
    assert_eq!(app.focus(), target);
    assert_eq!(app.mode(), ties::tui::keymap::Mode::Browse);
}

#[test]
fn path_from_the_focus_can_be_walked() {
    let mut app = app_on("kasciunas");
    app.update(Action::Path);
    run(&mut app, typed("palyanytsia"));
    app.update(Action::Submit);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("path to Palianytsia: 3 hops"), "{s}");
    assert!(
        s.contains("Laurynas Kasčiūnas —holds office→ Lithuania"),
        "{s}"
    );
    assert!(s.contains("First tranche —finances→ Palianytsia"), "{s}");
    // Enter on each step walks the path.
    for _ in 0..3 {
        app.update(Action::Down);
        app.update(Action::Submit);
    }
    assert_eq!(app.graph().entity(app.focus()).id, "palianytsia");
    app.update(Action::Close);
    // No connection within the date window: a clear message, no popup.
    app.update(Action::DateFilter);
    run(&mut app, typed("2025"));
    app.update(Action::Submit);
    app.update(Action::Path);
    run(&mut app, typed("kasciunas"));
    app.update(Action::Submit);
    let s = screen(&mut app, 160, 20);
    assert!(
        s.contains("no connection between Palianytsia and Laurynas Kasčiūnas"),
        "{s}"
    );
}

#[test]
fn money_panel_lists_amounts_with_dates_and_totals() {
    let mut app = app_on("palianytsia");
    app.update(Action::Money);
    let s = screen(&mut app, 140, 20);
    insta::assert_snapshot!("palianytsia_money", s);
    assert!(s.contains("in: €10,000,000"), "{s}");
    assert!(
        s.contains("2024-11-23") && s.contains("from First tranche"),
        "{s}"
    );
    assert!(s.contains("(finances; a)"), "{s}");
    // Enter on a line goes to the counterparty.
    run(&mut app, [Action::Down, Action::Submit]);
    assert_eq!(app.graph().entity(app.focus()).id, "tranche");
}

#[test]
fn sources_panel_shows_outlet_title_date_and_file() {
    let mut app = app_on("kasciunas");
    app.update(Action::Sources);
    let s = screen(&mut app, 140, 20);
    assert!(
        s.contains("[a] Ministers sign a memorandum — Test Wire (2024-11-24) · a.txt"),
        "{s}"
    );
    assert!(
        s.contains("Laurynas Kasčiūnas —holds office→ Lithuania"),
        "{s}"
    );
}

#[test]
fn marks_jump_back_and_are_saved_in_a_view_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on("kasciunas");
    run(&mut app, [Action::SetMark, Action::Type('k')]);
    assert!(screen(&mut app, 120, 20).contains("marked Laurynas Kasčiūnas as 'k"));
    run(&mut app, [Action::Down, Action::Follow]);
    assert_ne!(app.graph().entity(app.focus()).id, "kasciunas");
    run(&mut app, [Action::JumpToMark, Action::Type('k')]);
    assert_eq!(app.graph().entity(app.focus()).id, "kasciunas");
    run(&mut app, [Action::JumpToMark, Action::Type('z')]);
    assert!(screen(&mut app, 120, 20).contains("no mark 'z'"));
    // Save the view; the file holds the focus and the mark.
    let path = dir.path().join("v.ron");
    app.update(Action::SaveView);
    app.update(Action::ClearInput);
    run(&mut app, typed(path.to_str().unwrap()));
    app.update(Action::Submit);
    let spec = ties::view_file::ViewSpec::load(&path).unwrap();
    assert_eq!(spec.focus.as_deref(), Some("kasciunas"));
    assert_eq!(spec.marks.get(&'k').map(String::as_str), Some("kasciunas"));
    // Saving again to the same name is refused, the file kept.
    app.update(Action::SaveView);
    app.update(Action::ClearInput);
    run(&mut app, typed(path.to_str().unwrap()));
    app.update(Action::Submit);
    assert!(screen(&mut app, 160, 20).contains("exists"));
}

fn shipped_app(focus: &str) -> App {
    let graph = Arc::new(ties::load::load_builtin().unwrap());
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find(focus);
    App::new(graph, index, KeyMap::default_map(), focus).unwrap()
}

#[test]
fn map_around_kasciunas_at_depth_one_and_two_and_filtered() {
    let mut app = shipped_app("laurynas-kasciunas");
    app.update(Action::Map);
    let one = screen(&mut app, 120, 36);
    insta::assert_snapshot!("map_kasciunas_depth1", one);
    assert!(one.contains("Laurynas Kasčiūnas") && one.contains("map · 1 ring"));
    // The same view always draws the same picture.
    assert_eq!(screen(&mut app, 120, 36), one);
    app.update(Action::Deeper);
    let two = screen(&mut app, 120, 36);
    insta::assert_snapshot!("map_kasciunas_depth2", two);
    assert!(two.contains("map · 2 rings"));
    assert_ne!(one, two);
    // The date filter applies: in 2025 none of his dated 2024 ties remain (the
    // Vilnius memorandum); undated ones do (the Kyiv memorandum's signing day is
    // not reported).
    app.update(Action::Shallower);
    app.update(Action::DateFilter);
    run(&mut app, typed("2025"));
    app.update(Action::Submit);
    let filtered = screen(&mut app, 120, 36);
    insta::assert_snapshot!("map_kasciunas_2025", filtered);
    assert!(!filtered.contains("Memorandum of und"), "{filtered}");
    assert!(filtered.contains("Memorandum on Coo"), "{filtered}");
    assert!(filtered.contains("dates: 2025"));
}

#[test]
fn map_arrows_pick_a_neighbour_and_enter_moves_there() {
    let mut app = shipped_app("laurynas-kasciunas");
    app.update(Action::Map);
    let _ = screen(&mut app, 120, 36);
    // The top neighbour is straight up from the focus.
    app.update(Action::Up);
    let picked = app.map().unwrap().selected;
    assert_ne!(picked, app.focus());
    app.update(Action::Submit);
    assert_eq!(app.focus(), picked);
    assert_eq!(app.map().unwrap().selected, picked);
    // m closes the map; the three panes are back.
    app.update(Action::Map);
    assert!(screen(&mut app, 120, 36).contains("◀ in"));
}

#[test]
fn kind_filter_shows_only_chosen_kinds_and_says_so() {
    let mut app = app_on("lithuania");
    app.update(Action::KindFilter);
    run(&mut app, typed("country,tranche,person"));
    app.update(Action::Submit);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("only country,tranche,person"), "{s}");
    assert!(s.contains("First tranche"), "{s}");
    assert!(!s.contains("Memorandum on support"), "{s}");
    assert!(!s.contains("Radarom!"), "{s}");
    // Relation kinds work too.
    app.update(Action::KindFilter);
    app.update(Action::ClearInput);
    run(&mut app, typed("finances"));
    app.update(Action::Submit);
    let s = screen(&mut app, 160, 20);
    assert!(
        s.contains("First tranche") && !s.contains("Kasčiūnas  holds"),
        "{s}"
    );
    // A typo is refused in the prompt; empty clears.
    app.update(Action::KindFilter);
    app.update(Action::ClearInput);
    run(&mut app, typed("wizard"));
    app.update(Action::Submit);
    assert!(screen(&mut app, 160, 20).contains("`wizard` is not an entity or relation kind"));
    app.update(Action::ClearInput);
    app.update(Action::Submit);
    let s = screen(&mut app, 160, 20);
    assert!(
        s.contains("kind filter cleared") && s.contains("Memorandum on support"),
        "{s}"
    );
}

#[test]
fn export_offers_csv_tables_to_a_folder_and_gexf() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on("umerov");
    app.update(Action::Export);
    // CSV is the last graph format, before the dossier's two shapes.
    for _ in 0..3 {
        app.update(Action::PreviousFormat);
    }
    let s = screen(&mut app, 160, 20);
    assert!(
        s.contains("[csv]") && s.contains("folder > ties-umerov-csv"),
        "{s}"
    );
    let out = dir.path().join("tables");
    app.update(Action::ClearInput);
    run(&mut app, typed(out.to_str().unwrap()));
    app.update(Action::Submit);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("exported"), "{s}");
    let (back, _) = ties::read::csv::read(&out).unwrap();
    assert!(back.find("umerov").is_some() && back.node_count() > 1);
    let nodes = std::fs::read_to_string(out.join("nodes.csv")).unwrap();
    // A second export starts from CSV, the last format, and asks before
    // replacing the tables in the same folder.
    app.update(Action::Export);
    assert!(screen(&mut app, 160, 20).contains("[csv]"));
    app.update(Action::ClearInput);
    run(&mut app, typed(out.to_str().unwrap()));
    app.update(Action::Submit);
    let s = screen(&mut app, 160, 20);
    assert!(s.contains("nodes.csv exists"), "{s}");
    assert_eq!(
        std::fs::read_to_string(out.join("nodes.csv")).unwrap(),
        nodes
    );
    app.update(Action::Close);
    // GEXF, one back from CSV.
    app.update(Action::Export);
    app.update(Action::PreviousFormat);
    let s = screen(&mut app, 160, 20);
    assert!(
        s.contains("[gexf]") && s.contains("ties-umerov.gexf"),
        "{s}"
    );
    let path = dir.path().join("view.gexf");
    app.update(Action::ClearInput);
    run(&mut app, typed(path.to_str().unwrap()));
    app.update(Action::Submit);
    let (back, _) = ties::read::gexf::read(&path).unwrap();
    assert!(back.find("umerov").is_some());
}

#[test]
fn a_typed_extension_picks_the_export_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on("umerov");
    app.update(Action::Export);
    app.update(Action::ClearInput);
    let path = dir.path().join("view.dot");
    run(&mut app, typed(path.to_str().unwrap()));
    app.update(Action::Submit);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("digraph") || text.contains("digraph"),
        "{text}"
    );
}

#[test]
fn mouse_click_selects_and_double_click_moves() {
    let mut app = app_on("lithuania");
    let s = screen(&mut app, 120, 20);
    let (row, line) = s
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Radarom! campaign"))
        .expect("campaign on screen");
    let x = line
        .find("Radarom!")
        .map(|b| line[..b].chars().count())
        .unwrap() as u16;
    app.update(Action::Click(x, row as u16));
    let tie = app.selected_tie().expect("a relation is selected");
    assert_eq!(app.graph().entity(tie.other).id, "radarom");
    // A click outside any list changes nothing.
    app.update(Action::Click(0, 19));
    assert_eq!(app.selected_tie(), Some(tie));
    app.update(Action::DoubleClick(x, row as u16));
    assert_eq!(app.graph().entity(app.focus()).id, "radarom");
}

#[test]
fn search_popup_marks_weak_hits() {
    let mut app = app_on("kasciunas");
    app.update(Action::Search);
    run(&mut app, typed("umarov"));
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("Rustem Umerov  ~typo"), "{s}");
    // A word-start match carries no mark.
    run(&mut app, [Action::ClearInput]);
    run(&mut app, typed("umer"));
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("Rustem Umerov"), "{s}");
    assert!(!s.contains("Rustem Umerov  ~"), "{s}");
}

#[test]
fn an_imported_graph_without_sources_says_so_and_shows_undirected_ties_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("g.graphml");
    std::fs::write(
        &p,
        r#"<graphml><graph edgedefault="undirected">
<node id="a"/><node id="b"/>
<edge source="a" target="b"/>
</graph></graphml>"#,
    )
    .unwrap();
    let graph = Arc::new(ties::read::graphml::read(&p).unwrap().0);
    for (focus, other) in [("a", "b"), ("b", "a")] {
        let index = Arc::new(SearchIndex::build(&graph));
        let mut app = App::new(
            Arc::clone(&graph),
            index,
            KeyMap::default_map(),
            graph.find(focus),
        )
        .unwrap();
        let s = screen(&mut app, 120, 20);
        assert!(s.contains("no source given"), "{s}");
        // The relation reads `related to  other` from either end, and the card's
        // selected line (ends in file order) has no arrow head.
        assert!(s.contains(&format!("related to  {other}")), "{s}");
        assert!(s.contains("selected  a —related to— b"), "{s}");
    }
}
