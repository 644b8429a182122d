//! A list of lines, each leading to an entity: the timeline, a path, the money
//! in and out, the sources. Enter goes to the line's entity and keeps the list
//! open, so a path or a timeline can be walked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Component, Ctx, Effect, Popup, centered};
use crate::graph::NodeIx;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::text::truncate;

/// Most hops a path from the explorer may take.
pub const PATH_HOPS: usize = 6;

#[derive(Debug, Clone, PartialEq)]
pub struct ListPopup {
    pub title: String,
    /// (text, entity Enter goes to)
    pub rows: Vec<(String, NodeIx)>,
    pub selected: usize,
}

impl ListPopup {
    fn open(title: String, rows: Vec<(String, NodeIx)>) -> Effect {
        Effect::open(Popup::List(ListPopup {
            title,
            rows,
            selected: 0,
        }))
    }

    /// Dated relations and events of the view, in date order.
    pub fn timeline(ctx: &Ctx) -> Effect {
        let g = ctx.graph;
        let items = crate::timeline::timeline(g, &ctx.current_view());
        if items.is_empty() {
            return Effect::status("nothing dated in this view", false);
        }
        let rows = items
            .iter()
            .map(|i| {
                let text = format!("{}  {}  {}", i.when(g), i.what(g), i.who(g));
                // Going to the focus itself would look like nothing happened:
                // a relation of the focus leads to its other end.
                let target = match i.other {
                    Some(o) if i.node == ctx.focus => o,
                    _ => i.node,
                };
                (text, target)
            })
            .collect();
        ListPopup::open(format!("timeline: {} dated", items.len()), rows)
    }

    /// Money in and out of the focus: a total per direction, then one line each.
    pub fn money(ctx: &Ctx) -> Effect {
        let g = ctx.graph;
        let report = crate::money::money(g, ctx.focus, ctx.filter);
        if report.is_empty() {
            return Effect::status("no amounts on the visible relations", false);
        }
        let mut rows = Vec::new();
        for (title, lines) in [("in", &report.incoming), ("out", &report.outgoing)] {
            if lines.is_empty() {
                continue;
            }
            let sums = crate::money::totals_summary(lines);
            rows.push((format!("{title}: {sums}"), ctx.focus));
            for l in lines {
                rows.push((format!("  {}", crate::money::line_text(g, l)), l.other));
            }
        }
        ListPopup::open(format!("money of {}", g.entity(ctx.focus).name), rows)
    }

    /// The sources of the selected relation, then of the focus.
    pub fn sources(ctx: &Ctx) -> Effect {
        let g = ctx.graph;
        let mut rows = Vec::new();
        let source_rows = |rows: &mut Vec<(String, NodeIx)>, set, at: NodeIx| {
            let list = g.source_list(set);
            if list.is_empty() {
                rows.push((format!("  {}", crate::report::NO_SOURCE), at));
            }
            for &s in list {
                let s = g.source(s);
                let published = s.published.map_or("date unknown".into(), |d| d.to_string());
                let url = s
                    .url
                    .as_deref()
                    .map_or(String::new(), |u| format!(" · {u}"));
                rows.push((
                    format!(
                        "  [{}] {} — {} ({published}) · {}{url}",
                        s.id, s.title, s.outlet, s.file
                    ),
                    at,
                ));
            }
        };
        if let Some(tie) = ctx.selected_tie {
            let (a, b) = g.ends(tie.edge);
            let r = g.relation(tie.edge);
            rows.push((
                format!(
                    "{} —{}{} {}",
                    g.entity(a).name,
                    g.relation_phrase(r.kind),
                    if r.undirected { "—" } else { "→" },
                    g.entity(b).name
                ),
                tie.other,
            ));
            source_rows(&mut rows, r.sources, tie.other);
        }
        let e = g.entity(ctx.focus);
        rows.push((e.name.to_string(), ctx.focus));
        source_rows(&mut rows, e.sources, ctx.focus);
        ListPopup::open("sources".into(), rows)
    }

    /// The shortest path from the focus to `target`, one step a line; or a
    /// message when there is none within [`PATH_HOPS`].
    pub fn path(ctx: &Ctx, target: NodeIx) -> Effect {
        let g = ctx.graph;
        let paths = crate::path::shortest_paths(g, ctx.focus, target, PATH_HOPS, ctx.filter, 1);
        let (from, to) = (
            g.entity(ctx.focus).name.to_string(),
            g.entity(target).name.to_string(),
        );
        let Some(steps) = paths.first() else {
            return Effect::Close.and(Effect::status(
                format!("no connection between {from} and {to} within {PATH_HOPS} hops"),
                true,
            ));
        };
        let mut rows = vec![(from, ctx.focus)];
        for step in steps {
            rows.push((format!("  {}", crate::report::step_line(g, step)), step.to));
        }
        ListPopup::open(format!("path to {to}: {} hops", steps.len()), rows)
    }
}

impl Component for ListPopup {
    fn mode(&self) -> Mode {
        Mode::List
    }

    fn update(&mut self, action: Action, _ctx: &Ctx) -> Effect {
        match action {
            Action::Down if self.selected + 1 < self.rows.len() => self.selected += 1,
            Action::Up => self.selected = self.selected.saturating_sub(1),
            // Walking a path or a timeline keeps the list open.
            Action::Submit => {
                if let Some(&(_, node)) = self.rows.get(self.selected) {
                    return Effect::GoTo(node);
                }
            }
            Action::Close => return Effect::Close,
            _ => {}
        }
        Effect::None
    }

    fn draw(&self, _ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let rect = centered(area, 80, 80, 30, 5);
        frame.render_widget(Clear, rect);
        let block = Block::bordered()
            .title(format!(" {} · enter goes there ", self.title))
            .border_style(Style::new().fg(Color::Cyan));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let rows = inner.height as usize;
        let offset = self.selected.saturating_sub(rows.saturating_sub(1));
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(offset)
            .take(rows)
            .map(|(i, (text, _))| {
                let text = truncate(text, inner.width as usize);
                if i == self.selected {
                    Line::from(Span::styled(
                        text,
                        Style::new().bg(Color::Blue).fg(Color::White),
                    ))
                } else {
                    Line::from(text)
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
