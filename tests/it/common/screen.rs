//! The explorer drawn into ratatui's `TestBackend`, as the event loop draws it.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ties::tui::{Action, App, ui};

/// Draws a frame of `w` × `h` and hands what it measured back to the app, as
/// the event loop does (drawing once more when the app laid the map out for
/// the size measured).
pub fn terminal(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    for _ in 0..2 {
        let mut info = ui::FrameInfo::default();
        t.draw(|f| info = ui::draw(app, f)).unwrap();
        if !app.after_draw(info) {
            break;
        }
    }
    t
}

/// The screen's text after a frame of `w` × `h`, one line per row (the form
/// the insta snapshots keep).
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    let t = terminal(app, w, h);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Applies the actions in order.
pub fn run(app: &mut App, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        app.update(a);
    }
}

/// The actions of typing `s`.
pub fn typed(s: &str) -> Vec<Action> {
    s.chars().map(Action::Type).collect()
}
