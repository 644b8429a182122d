//! The seam between the popups and the app: what each answers, and what a
//! frame hands back.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::model::DateWindow;
use crate::tui::App;
use crate::tui::ui::{self, FrameInfo};

fn app() -> App {
    let graph = Arc::new(crate::load::load_builtin().unwrap());
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find("laurynas-kasciunas");
    App::new(graph, index, KeyMap::default_map(), focus).unwrap()
}

fn typed(p: &mut Prompt, text: &str) {
    for c in text.chars() {
        assert!(p.edit(&Action::Type(c)));
    }
}

#[test]
fn effects_chain_in_order_and_none_disappears() {
    let a = Effect::Close;
    let b = Effect::status("x", false);
    let c = Effect::Mark('k');
    assert_eq!(Effect::None.and(a.clone()), a);
    assert_eq!(a.clone().and(Effect::None), a);
    assert_eq!(
        a.clone().and(b.clone()).and(c.clone()),
        Effect::All(vec![a, b, c])
    );
}

#[test]
fn a_date_closes_the_prompt_sets_the_window_and_says_so() {
    let app = app();
    let ctx = app.ctx();
    let mut p = DatePopup::new(ctx.filter);
    typed(&mut p.prompt, "2025");
    let window: DateWindow = "2025".parse().unwrap();
    assert_eq!(
        p.update(Action::Submit, &ctx),
        Effect::All(vec![
            Effect::Close,
            Effect::SetFilter(Filter {
                window,
                ..Filter::default()
            }),
            Effect::status("date filter set", false),
        ])
    );
}

#[test]
fn a_bad_date_keeps_the_prompt_open_with_its_error() {
    let app = app();
    let ctx = app.ctx();
    let mut p = DatePopup::new(ctx.filter);
    typed(&mut p.prompt, "2024-02-30");
    let Effect::Status { text, error: true } = p.update(Action::Submit, &ctx) else {
        panic!("an error in the status bar, and no Close");
    };
    assert!(text.contains("29 days"), "{text}");
    assert_eq!(p.prompt.error.as_deref(), Some(text.as_str()));
    // Typing clears the error.
    assert_eq!(p.update(Action::DeleteChar, &ctx), Effect::None);
    assert_eq!(p.prompt.error, None);
}

#[test]
fn a_mark_is_set_on_the_focus_and_an_unknown_one_is_refused() {
    let mut app = app();
    let mut set = MarkPopup { jump: false };
    let effect = set.update(Action::Type('k'), &app.ctx());
    assert_eq!(
        effect,
        Effect::All(vec![
            Effect::Close,
            Effect::Mark('k'),
            Effect::status("marked Laurynas Kasčiūnas as 'k", false),
        ])
    );
    app.apply(effect);
    assert_eq!(app.marks().get(&'k'), Some(&app.focus()));
    let mut jump = MarkPopup { jump: true };
    assert_eq!(
        jump.update(Action::Type('z'), &app.ctx()),
        Effect::Close.and(Effect::status("no mark 'z'", true))
    );
    assert_eq!(
        jump.update(Action::Type('k'), &app.ctx()),
        Effect::Close.and(Effect::GoTo(app.focus()))
    );
}

#[test]
fn enter_on_a_list_line_goes_there_and_closes_the_list() {
    let app = app();
    let Effect::Open(popup) = ListPopup::sources(&app.ctx()) else {
        panic!("the shipped entity has sources");
    };
    let Popup::List(mut list) = *popup else {
        panic!("a list");
    };
    let target = list.rows[0].1.expect("a line with an entity");
    assert_eq!(
        list.update(Action::Submit, &app.ctx()),
        Effect::Close.and(Effect::GoTo(target))
    );
    assert_eq!(list.update(Action::Close, &app.ctx()), Effect::Close);
}

fn frame(app: &App, w: u16, h: u16) -> (FrameInfo, ratatui::buffer::Buffer) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut info = FrameInfo::default();
    t.draw(|f| info = ui::draw(app, f)).unwrap();
    (info, t.backend().buffer().clone())
}

#[test]
fn a_frame_hands_back_list_areas_and_page_rows() {
    let mut app = app();
    // Too small to lay out: nothing measured, nothing changed.
    let (info, _) = frame(&app, 10, 3);
    assert!(!info.laid_out);
    app.after_draw(info);
    assert_eq!(app.page_rows(), 10);
    // Drawing reads state only: the same app draws the same frame twice.
    let (info, buf) = frame(&app, 120, 20);
    assert_eq!(frame(&app, 120, 20), (info.clone(), buf));
    assert!(info.laid_out && info.map_size.is_none());
    let active = info.lists[app.pane() as usize];
    assert_eq!(info.page_rows, Some(usize::from(active.area.height)));
    assert_eq!(active.offset, Some(0));
    app.after_draw(info.clone());
    assert_eq!(app.page_rows(), usize::from(active.area.height));
    assert_eq!(app.list(app.pane()).area, active.area);
}

#[test]
fn the_map_is_laid_out_once_for_a_view_and_size() {
    let mut app = app();
    app.update(Action::Map);
    let (info, _) = frame(&app, 120, 36);
    let size = info.map_size.expect("the map was drawn");
    // A new size: the app lays the map out after the frame, for the next.
    assert!(app.after_draw(info));
    let layout = app.map_layout_at(size).cloned().expect("laid out");
    assert_eq!(layout, app.new_map_layout(size));
    // The next frame at that size needs nothing new.
    let (info, _) = frame(&app, 120, 36);
    assert!(!app.after_draw(info));
    assert_eq!(app.map_layout_at(size), Some(&layout));
    // Another size needs another.
    let (info, _) = frame(&app, 100, 30);
    assert!(app.after_draw(info));
    assert_ne!(app.map_layout_at(size), Some(&layout));
}

#[test]
fn centered_holds_on_a_terminal_of_2000_columns() {
    // 2,000 × 70 does not fit a u16: the sum is done wider.
    let area = Rect::new(0, 0, 2000, 1000);
    assert_eq!(centered(area, 70, 90, 30, 5), Rect::new(300, 50, 1400, 900));
    assert_eq!(centered(area, 60, 0, 30, 7), Rect::new(400, 496, 1200, 7));
    let widest = Rect::new(0, 0, u16::MAX, u16::MAX);
    assert_eq!(centered(widest, 100, 100, 0, 0), widest);
    // Small terminals keep their minimum, clipped to the screen.
    let small = Rect::new(2, 1, 20, 6);
    assert_eq!(centered(small, 70, 90, 30, 5), Rect::new(2, 1, 20, 5));
}
