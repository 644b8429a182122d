//! The date filter prompt: `2024`, `2024-11..2025-02`, `..2024-12-31`, `2025..`.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Component, Ctx, Effect, Prompt};
use crate::model::DateWindow;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::view::Filter;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatePopup {
    pub prompt: Prompt,
}

impl DatePopup {
    /// Starts from the window in force, selected: typing replaces it,
    /// Backspace edits it. Empty when there is none.
    pub fn new(filter: &Filter) -> DatePopup {
        let input = if filter.window.is_all() {
            String::new()
        } else {
            filter.window.to_string()
        };
        DatePopup {
            prompt: Prompt::preset(input),
        }
    }
}

impl Component for DatePopup {
    fn mode(&self) -> Mode {
        Mode::Prompt
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            a if self.prompt.edit(&a) => Effect::None,
            Action::Submit => match self.prompt.input.parse::<DateWindow>() {
                Ok(window) => Effect::Close
                    .and(Effect::SetFilter(Filter {
                        window,
                        ..ctx.filter.clone()
                    }))
                    .and(Effect::status("date filter set", false)),
                Err(e) => self.prompt.fail(e.to_string()),
            },
            Action::Close => Effect::Close,
            _ => Effect::None,
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        self.prompt.draw(
            ctx,
            " filter by date ",
            "2024 · 2024-11..2025-02 · ..2024-12-31 · 2025.. · empty = all",
            frame,
            area,
        );
    }
}
