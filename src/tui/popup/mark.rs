//! After `M` or `'`: the letter that marks the focus, or the mark to jump to.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{Component, Ctx, Effect, centered};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkPopup {
    /// Jumping to a mark, rather than setting one.
    pub jump: bool,
}

impl Component for MarkPopup {
    fn mode(&self) -> Mode {
        Mode::Mark
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            Action::Type(c) if self.jump => Effect::Close.and(match ctx.marks.get(&c) {
                Some(&n) => Effect::GoTo(n),
                None => Effect::status(format!("no mark '{c}'"), true),
            }),
            Action::Type(c) => {
                let name = ctx.graph.entity(ctx.focus).name;
                Effect::Close
                    .and(Effect::Mark(c))
                    .and(Effect::status(format!("marked {name} as '{c}"), false))
            }
            Action::Close => Effect::Close,
            _ => Effect::None,
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let text = if self.jump {
            let marks: Vec<String> = ctx
                .marks
                .iter()
                .map(|(c, n)| format!("'{c} {}", ctx.graph.entity(*n).name))
                .collect();
            format!("jump to mark: {}", marks.join(" · "))
        } else {
            "mark this entity: type a letter".to_string()
        };
        let rect = centered(area, 60, 0, 30, 3);
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title(" marks ")),
            rect,
        );
    }
}
