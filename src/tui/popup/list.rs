//! A list of lines, most leading to an entity: the timeline, a path, the money
//! in and out, the sources. Enter goes to the line's entity; a path stays open
//! to be walked step by step, the other lists close (they were about the old
//! focus). Headers (`in: …`) are not selectable; long lines wrap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::{Component, Ctx, Effect, Popup, centered};
use crate::graph::NodeIx;
use crate::tui::action::Action;
use crate::tui::chart::{Flow, MoneyCharts, charts};
use crate::tui::keymap::Mode;
use crate::tui::text::wrap;
use crate::tui::theme::Role;
use petgraph::Direction;

/// Most hops a path from the explorer may take.
pub const PATH_HOPS: usize = 6;
/// Most routes the path list shows.
pub const PATH_ROUTES: usize = 4;

/// One line: its text, and the entity Enter goes to (`None` for a header).
pub type Row = (String, Option<NodeIx>);

#[derive(Debug, Clone, PartialEq)]
pub struct ListPopup {
    pub title: String,
    pub rows: Vec<Row>,
    /// Always a row with an entity, when there is one.
    pub selected: usize,
    /// Enter keeps the list open (a path, walked step by step).
    pub walk: bool,
    /// Rows the last frame showed, for paging.
    pub page: std::cell::Cell<usize>,
    /// Money over time, drawn above the rows when there is room.
    pub chart: Option<MoneyCharts>,
}

impl ListPopup {
    pub(super) fn open(title: String, rows: Vec<Row>) -> Effect {
        ListPopup::open_as(title, rows, false)
    }

    fn open_as(title: String, rows: Vec<Row>, walk: bool) -> Effect {
        ListPopup::open_with(title, rows, walk, None)
    }

    fn open_with(title: String, rows: Vec<Row>, walk: bool, chart: Option<MoneyCharts>) -> Effect {
        let selected = rows.iter().position(|r| r.1.is_some()).unwrap_or(0);
        Effect::open(Popup::List(ListPopup {
            title,
            rows,
            selected,
            walk,
            page: std::cell::Cell::new(10),
            chart,
        }))
    }

    /// The rows Enter leads from (headers and notes are skipped).
    fn selectable(&self) -> Vec<usize> {
        (0..self.rows.len())
            .filter(|&i| self.rows[i].1.is_some())
            .collect()
    }

    /// Dated relations and events of the view, in date order.
    pub fn timeline(ctx: &Ctx) -> Effect {
        let g = ctx.graph;
        let view = ctx.current_view();
        let items = crate::timeline::timeline(g, &view);
        // In a window, undated relations are in the view but not in its period.
        let undated = if ctx.filter.window.is_all() {
            Vec::new()
        } else {
            crate::timeline::undated(g, &view)
        };
        if items.is_empty() && undated.is_empty() {
            return Effect::status("nothing dated in this view", false);
        }
        let mut rows: Vec<Row> = items
            .iter()
            .map(|i| {
                let text = format!("{}  {}  {}", i.when(g), i.what(g), i.who(g));
                // Going to the focus itself would look like nothing happened:
                // a relation of the focus leads to its other end.
                let target = match i.other {
                    Some(o) if i.node == ctx.focus => o,
                    _ => i.node,
                };
                (text, Some(target))
            })
            .collect();
        let amounts: Vec<Row> = undated
            .iter()
            .filter_map(|&e| {
                let line = crate::timeline::undated_amount_line(g, e)?;
                let (a, b) = g.ends(e);
                Some((
                    format!("  {line}"),
                    Some(if a == ctx.focus { b } else { a }),
                ))
            })
            .collect();
        if !amounts.is_empty() {
            rows.push(("undated, not in the window's total:".into(), None));
            rows.extend(amounts);
        }
        let mut title = format!("timeline: {} dated", items.len());
        if !undated.is_empty() {
            title.push_str(&format!(
                " · {} included",
                crate::report::count(undated.len(), "undated relation")
            ));
        }
        // The amounts on the view's relations, by stage, over time.
        let flows: Vec<Flow> = view
            .edges
            .iter()
            .filter_map(|&e| {
                let r = g.relation(e);
                Some(Flow {
                    date: r.date.or(r.until),
                    amount: r.amount?,
                    stage: crate::money::Stage::of(&r.kind),
                    incoming: None,
                })
            })
            .collect();
        ListPopup::open_with(title, rows, false, charts(&flows))
    }

    /// Money in and out of the focus: a total per direction, then one line
    /// each (with its note); in a window, undated amounts apart; then who pays
    /// whom for it, back to the first payer.
    pub fn money(ctx: &Ctx) -> Effect {
        let g = ctx.graph;
        let report = crate::money::money(g, ctx.focus, ctx.filter);
        if report.is_empty() && report.chain.is_empty() && report.own.is_none() {
            return Effect::status("no money relations among the visible ones", false);
        }
        let mut rows: Vec<Row> = Vec::new();
        // The entity's own figure first, apart: never in a total or the chart.
        if let Some(own) = report.own {
            rows.push((crate::money::own_text(own), None));
        }
        let push = |rows: &mut Vec<Row>, indent: &str, l: &crate::money::MoneyLine| {
            rows.push((
                format!("{indent}{}", crate::money::line_text(g, l)),
                Some(l.other),
            ));
            if let Some(n) = g.relation(l.edge).note {
                rows.push((format!("{indent}    note: {n}"), None));
            }
        };
        for (title, direction, lines) in [
            ("in", Direction::Incoming, &report.incoming),
            ("out", Direction::Outgoing, &report.outgoing),
        ] {
            let undated = report.undated_of(direction);
            if lines.is_empty() && undated.is_empty() {
                continue;
            }
            let sums = crate::money::totals_summary(lines);
            let head = match (sums.is_empty(), report.windowed) {
                (false, _) => format!("{title}: {sums}"),
                (true, true) => format!("{title}: none in the window"),
                (true, false) => format!("{title}: no amount stated"),
            };
            rows.push((head, None));
            for l in lines {
                push(&mut rows, "  ", l);
            }
            if !undated.is_empty() {
                rows.push(("  undated, not in the window's total:".into(), None));
                for l in &undated {
                    push(&mut rows, "    ", l);
                }
            }
        }
        if crate::money::shows_chain(g, &report) {
            rows.push(("funding chain, back to the first payer:".into(), None));
            for step in &report.chain {
                rows.push((
                    format!(
                        "{}{}",
                        "  ".repeat(step.depth),
                        crate::money::chain_text(g, step)
                    ),
                    Some(step.from),
                ));
            }
        }
        let mut title = format!("money of {}", g.entity(ctx.focus).name);
        let note = crate::money::window_note(ctx.filter, &report);
        if !note.is_empty() {
            title.push_str(&format!(" · {note}"));
        }
        let flows: Vec<Flow> = [&report.incoming, &report.outgoing, &report.undated]
            .into_iter()
            .flatten()
            .filter_map(|l| {
                Some(Flow {
                    date: l.date,
                    amount: l.amount?,
                    stage: l.stage,
                    incoming: Some(l.direction == Direction::Incoming),
                })
            })
            .collect();
        ListPopup::open_with(title, rows, false, charts(&flows))
    }

    /// The sources of the selected relation, then of the focus.
    pub fn sources(ctx: &Ctx) -> Effect {
        let g = ctx.graph;
        let mut rows = Vec::new();
        let source_rows = |rows: &mut Vec<Row>, set, at: NodeIx| {
            let list = g.source_list(set);
            if list.is_empty() {
                rows.push((format!("  {}", crate::report::NO_SOURCE), Some(at)));
            }
            for s in list {
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
                    Some(at),
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
                Some(tie.other),
            ));
            source_rows(&mut rows, r.sources, tie.other);
        }
        let e = g.entity(ctx.focus);
        rows.push((e.name.to_string(), Some(ctx.focus)));
        source_rows(&mut rows, e.sources, ctx.focus);
        ListPopup::open("sources".into(), rows)
    }

    /// The best routes from the focus to `target`, ranked as `ties path` ranks
    /// them (the shortest first; among equals, those through hubs and source
    /// links last), one step a line; or a message when there is none within
    /// [`PATH_HOPS`].
    pub fn path(ctx: &Ctx, target: NodeIx) -> Effect {
        let g = ctx.graph;
        let query = crate::path::RouteQuery {
            max_hops: PATH_HOPS,
            longer: 1,
            avoid: Vec::new(),
            limit: PATH_ROUTES,
        };
        let routes = crate::path::routes(g, ctx.focus, target, ctx.filter, &query);
        let (from, to) = (
            g.entity(ctx.focus).name.to_string(),
            g.entity(target).name.to_string(),
        );
        let Some(best) = routes.first() else {
            return Effect::Close.and(Effect::status(
                format!("no connection between {from} and {to} within {PATH_HOPS} hops"),
                true,
            ));
        };
        let mut rows = Vec::new();
        for (i, steps) in routes.iter().enumerate() {
            if routes.len() > 1 {
                rows.push((
                    format!(
                        "route {} · {}",
                        i + 1,
                        crate::report::count(steps.len(), "hop")
                    ),
                    None,
                ));
            }
            rows.push((from.clone(), Some(ctx.focus)));
            for step in steps {
                rows.push((
                    format!("  {}", crate::report::step_line(g, step)),
                    Some(step.to),
                ));
            }
        }
        let title = format!("path to {to}: {}", crate::report::count(best.len(), "hop"));
        ListPopup::open_as(title, rows, true)
    }
}

impl Component for ListPopup {
    fn mode(&self) -> Mode {
        Mode::List
    }

    fn update(&mut self, action: Action, _ctx: &Ctx) -> Effect {
        match action {
            Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom => {
                let rows = self.selectable();
                let at = rows.iter().position(|&i| i == self.selected).unwrap_or(0);
                if let Some(k) = super::moved(&action, at, rows.len(), self.page.get()) {
                    self.selected = rows[k];
                }
            }
            // Walking a path keeps it open; the other lists were about the
            // old focus.
            Action::Submit => {
                if let Some(&(_, Some(node))) = self.rows.get(self.selected) {
                    if self.walk {
                        return Effect::GoTo(node);
                    }
                    return Effect::Close.and(Effect::GoTo(node));
                }
            }
            Action::Close => return Effect::Close,
            _ => {}
        }
        Effect::None
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let rect = centered(area, 80, 80, 30, 5);
        frame.render_widget(Clear, rect);
        let rows = self.selectable();
        let at = rows.iter().position(|&i| i == self.selected).unwrap_or(0);
        let mut title = format!(" {} ", self.title);
        let hint = ctx
            .keymap
            .hints(Mode::List, &[(Action::Submit, "goes there")]);
        if !hint.is_empty() {
            title.push_str(&format!("· {hint} "));
        }
        let selection = ctx.theme.style(Role::Selection);
        let block = Block::bordered()
            .title(title)
            .title_bottom(Line::from(super::position(at, rows.len())).right_aligned())
            .border_style(ctx.theme.style(Role::BorderFocused));
        let mut inner = block.inner(rect);
        frame.render_widget(block, rect);
        // The chart takes the top when the rows keep at least as much room.
        if let Some(c) = &self.chart {
            let want = crate::tui::chart::wanted_rows(c);
            if inner.height >= 2 * want.min(9) {
                let h = want.min(inner.height / 2);
                let [top, rest] = ratatui::layout::Layout::vertical([
                    ratatui::layout::Constraint::Length(h),
                    ratatui::layout::Constraint::Min(0),
                ])
                .areas(inner);
                crate::tui::chart::draw(c, ctx.theme, frame, top);
                inner = rest;
            }
        }
        let width = inner.width as usize;
        let height = inner.height as usize;
        self.page.set(height.saturating_sub(1).max(1));
        // Rows wrap to the width; the window starts at the earliest row that
        // lets the selected one be seen whole. Only rows on screen are wrapped.
        let lines_of = |i: usize| wrap(&self.rows[i].0, width);
        let selected = self.selected.min(self.rows.len().saturating_sub(1));
        let mut first = selected;
        let mut used = if self.rows.is_empty() {
            0
        } else {
            lines_of(selected).len()
        };
        while first > 0 {
            let above = lines_of(first - 1).len();
            if used + above > height {
                break;
            }
            first -= 1;
            used += above;
        }
        let mut lines: Vec<Line> = Vec::new();
        for i in first..self.rows.len() {
            if lines.len() == height {
                break;
            }
            for part in lines_of(i).into_iter().take(height - lines.len()) {
                lines.push(if i == self.selected {
                    Line::from(Span::styled(part, selection))
                } else {
                    Line::from(part)
                });
            }
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
