//! A one-line text prompt, shared by the date, kind and save-view popups.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{Ctx, centered};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Role;

/// The typed text, and what was wrong with it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prompt {
    pub input: String,
    pub error: Option<String>,
    /// The text was refused: it is shown selected, the next character typed
    /// replaces it (Backspace edits it instead).
    pub selected: bool,
}

impl Prompt {
    pub fn new(input: String) -> Prompt {
        Prompt {
            input,
            error: None,
            selected: false,
        }
    }

    /// A prompt holding what is in force, selected: the first character typed
    /// replaces it, Backspace edits it.
    pub fn preset(input: String) -> Prompt {
        let selected = !input.is_empty();
        Prompt {
            input,
            error: None,
            selected,
        }
    }

    /// Applies a text-editing action (type, delete, clear); false for any other.
    pub fn edit(&mut self, action: &Action) -> bool {
        match action {
            Action::Type(c) => {
                if self.selected {
                    self.input.clear();
                }
                self.input.push(*c);
            }
            Action::DeleteChar => {
                self.input.pop();
            }
            Action::ClearInput => self.input.clear(),
            _ => return false,
        }
        self.error = None;
        self.selected = false;
        true
    }

    /// Keeps `msg` as the prompt's error (the status bar shows it too), and
    /// selects the refused text so that typing starts afresh.
    pub fn fail(&mut self, msg: String) -> super::Effect {
        self.error = Some(msg.clone());
        self.selected = true;
        super::Effect::status(msg, true)
    }

    /// The prompt box: title, input line, a hint, the error if any.
    pub fn draw(&self, ctx: &Ctx, title: &str, hint: &str, frame: &mut Frame, area: Rect) {
        let theme = ctx.theme;
        let dim = theme.style(Role::Muted);
        let rect = centered(area, 60, 0, 30, 7);
        frame.render_widget(Clear, rect);
        let block = Block::bordered()
            .title(title.to_string())
            .border_style(theme.style(Role::BorderPrompt));
        let mut lines = vec![
            Line::from(vec![
                Span::styled("> ", theme.style(Role::PromptInput)),
                if self.selected {
                    Span::styled(self.input.clone(), theme.style(Role::InputSelected))
                } else {
                    Span::raw(self.input.clone())
                },
                Span::styled("▏", dim),
            ]),
            Line::from(Span::styled(hint.to_string(), dim)),
        ];
        if let Some(e) = &self.error {
            lines.push(Line::from(Span::styled(
                e.clone(),
                theme.style(Role::Error),
            )));
        }
        if self.selected {
            let mut edit = "typing replaces the text".to_string();
            let delete = ctx
                .keymap
                .hints(Mode::Prompt, &[(Action::DeleteChar, "edits it")]);
            if !delete.is_empty() {
                edit.push_str(&format!(" · {delete}"));
            }
            lines.push(Line::from(Span::styled(edit, dim)));
        }
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            rect,
        );
    }
}
