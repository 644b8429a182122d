//! A one-line text prompt, shared by the date, kind and save-view popups.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::centered;
use crate::tui::action::Action;
use crate::tui::text::{DATE, DIM};

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
    pub fn draw(&self, title: &str, hint: &str, frame: &mut Frame, area: Rect) {
        let rect = centered(area, 60, 0, 30, 7);
        frame.render_widget(Clear, rect);
        let block = Block::bordered()
            .title(title.to_string())
            .border_style(Style::new().fg(Color::Yellow));
        let mut lines = vec![
            Line::from(vec![
                Span::styled("> ", DATE),
                if self.selected {
                    Span::styled(self.input.clone(), Style::new().reversed())
                } else {
                    Span::raw(self.input.clone())
                },
                Span::styled("▏", DIM),
            ]),
            Line::from(Span::styled(hint.to_string(), DIM)),
        ];
        if let Some(e) = &self.error {
            lines.push(Line::from(Span::styled(
                e.clone(),
                Style::new().fg(Color::Red),
            )));
            lines.push(Line::from(Span::styled(
                "typing replaces the text · backspace edits it",
                DIM,
            )));
        }
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            rect,
        );
    }
}
