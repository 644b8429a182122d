//! The keys, generated from the key map, one section per mode.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{Component, Ctx, Effect, centered};
use crate::tui::action::Action;
use crate::tui::keymap::{KeyMap, Mode};
use crate::tui::text::wrap;
use crate::tui::theme::Role;

/// How undated relations and approximate amounts are treated (also in the
/// README and `ties --help`), with the keys bound now.
pub fn dates_and_money(km: &KeyMap) -> [String; 4] {
    let key = |a: Action| km.key(Mode::Browse, &a);
    [
        format!(
            "A date window ({}) keeps undated relations: they stay shown, and the status bar says how many; {} hides them.",
            key(Action::DateFilter),
            key(Action::ToggleUndated)
        ),
        format!(
            "In a window, money ({}) and the timeline ({}) count dated amounts only; undated ones are listed apart, not in the window's total.",
            key(Action::Money),
            key(Action::Timeline)
        ),
        "A total that includes an approximate amount is marked ~ (e.g. ~€80,000,000).".into(),
        "A money relation without a figure is listed as \"amount not stated\", never dropped."
            .into(),
    ]
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpPopup {
    /// Lines scrolled past.
    pub scroll: usize,
    /// The last frame's (lines shown, most lines to scroll past): the end of
    /// the help stays at the bottom of the box.
    pub room: std::cell::Cell<(usize, usize)>,
}

impl Component for HelpPopup {
    fn mode(&self) -> Mode {
        Mode::Help
    }

    fn update(&mut self, action: Action, _ctx: &Ctx) -> Effect {
        let (page, most) = self.room.get();
        if action == Action::Bottom {
            // The end, wherever the box ends it (drawing clamps it).
            self.scroll = usize::MAX;
        } else if let Some(at) = super::moved(&action, self.scroll.min(most), most + 1, page) {
            self.scroll = at;
        } else if matches!(action, Action::Close | Action::Help) {
            return Effect::Close;
        }
        Effect::None
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let rect = centered(area, 70, 90, 30, 5);
        frame.render_widget(Clear, rect);
        let theme = ctx.theme;
        let block = Block::bordered()
            .title(" keys ")
            .border_style(theme.style(Role::BorderFocused));
        let key = |a: Action| ctx.keymap.key(Mode::Browse, &a);
        let mut lines = Vec::new();
        for (mode, title) in [
            (Mode::Browse, "Browsing".to_string()),
            (Mode::Map, "Map".into()),
            (Mode::Search, "Search popup".into()),
            (Mode::Prompt, "Date prompt".into()),
            (Mode::Export, "Export popup".into()),
            (Mode::List, "Timeline, path, money and source lists".into()),
            (
                Mode::Analysis,
                format!(
                    "Ranking ({}), common ties ({}) and changes ({})",
                    key(Action::Rank),
                    key(Action::CommonTies),
                    key(Action::Changes)
                ),
            ),
            (
                Mode::Mark,
                format!(
                    "After {} or {}",
                    key(Action::SetMark),
                    key(Action::JumpToMark)
                ),
            ),
            (
                Mode::Review,
                format!("Review queue ({})", key(Action::ReviewQueue)),
            ),
            (Mode::Help, "This help".into()),
        ] {
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::from(Span::styled(title, theme.style(Role::Heading))));
            for (keys, what) in ctx.keymap.help(mode) {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<22}"), theme.style(Role::Key)),
                    Span::raw(what),
                ]));
            }
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Dates and money",
            theme.style(Role::Heading),
        )));
        for text in dates_and_money(ctx.keymap) {
            lines.push(Line::from(format!("  {text}")));
        }
        // Wrapped here, so that the lines are counted and the last one stops
        // at the bottom of the box.
        let inner = block.inner(rect);
        let width = usize::from(inner.width).max(1);
        let lines: Vec<Line> = lines
            .into_iter()
            .flat_map(|line| {
                let style = line.spans.first().map(|s| s.style).unwrap_or_default();
                let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                if text.width() <= width {
                    vec![line]
                } else {
                    wrap(&text, width)
                        .into_iter()
                        .map(|l| Line::from(Span::styled(l, style)))
                        .collect()
                }
            })
            .collect();
        let height = usize::from(inner.height);
        let most = lines.len().saturating_sub(height);
        self.room.set((height.saturating_sub(1).max(1), most));
        let scroll = self.scroll.min(most);
        let shown = format!(
            " lines {}–{} of {} ",
            scroll + 1,
            (scroll + height).min(lines.len()),
            lines.len()
        );
        let block = block.title_bottom(Line::from(shown).right_aligned());
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .scroll((scroll as u16, 0)),
            rect,
        );
    }
}
