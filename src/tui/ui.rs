//! Drawing: a pure function of the [`App`] state. Only visible rows are built, so
//! a hub with tens of thousands of relations draws as fast as a leaf.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::action::Action;
use super::app::{App, ExportPrompt, ListPopup, Pane, PaneList, Popup, Prompt, SearchPopup};
use super::keymap::Mode;
use crate::graph::{Graph, Tie};
use crate::model::PartialDate;
use crate::search::MatchedField;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Smallest terminal the explorer draws in.
pub const MIN_WIDTH: u16 = 20;
pub const MIN_HEIGHT: u16 = 5;

const KIND: Style = Style::new().fg(Color::Cyan);
const DATE: Style = Style::new().fg(Color::Yellow);
const MONEY: Style = Style::new().fg(Color::Green);
const DIM: Style = Style::new().fg(Color::DarkGray);
const MATCH: Style = Style::new()
    .fg(Color::Magenta)
    .add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED));

/// Draws the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = Paragraph::new("terminal too small").wrap(Wrap { trim: true });
        frame.render_widget(msg, area);
        return;
    }
    let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    for l in &app.lists {
        l.area.set(Rect::default());
    }
    if app.map.is_some() {
        draw_map(app, frame, main);
    } else {
        draw_main(app, frame, main);
    }
    draw_status(app, frame, status);
    match &app.popup {
        Popup::None => {}
        Popup::Search(s) => draw_search(app, s, frame, main),
        Popup::DateFilter(p) => draw_prompt(
            p,
            " filter by date ",
            "2024 · 2024-11..2025-02 · ..2024-12-31 · 2025.. · empty = all",
            frame,
            main,
        ),
        Popup::Export(p) => draw_export(p, frame, main),
        Popup::List(l) => draw_list_popup(l, frame, main),
        Popup::Mark { jump } => {
            let text = if *jump {
                let marks: Vec<String> = app
                    .marks
                    .iter()
                    .map(|(c, n)| format!("'{c} {}", app.graph.entity(*n).name))
                    .collect();
                format!("jump to mark: {}", marks.join(" · "))
            } else {
                "mark this entity: type a letter".to_string()
            };
            let rect = centered(main, 60, 0, 30, 3);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: true })
                    .block(Block::bordered().title(" marks ")),
                rect,
            );
        }
        Popup::KindFilter(p) => draw_prompt(
            p,
            " show only these kinds ",
            "person,fund,agreement · finances,signed · empty = all",
            frame,
            main,
        ),
        Popup::SaveView(p) => draw_prompt(
            p,
            " save view to ",
            "a RON view file; open it with ties --view FILE",
            frame,
            main,
        ),
        Popup::Help { scroll } => draw_help(app, *scroll, frame, main),
    }
    app.theme.apply(frame.buffer_mut());
}

fn draw_main(app: &App, frame: &mut Frame, area: Rect) {
    if area.width >= 90 {
        // An empty list gets a narrow column; the other takes the room.
        let empty_in = app.list(Pane::Incoming).ties.is_empty();
        let empty_out = app.list(Pane::Outgoing).ties.is_empty();
        let widths = match (empty_in, empty_out) {
            (true, false) => [18, 34, 48],
            (false, true) => [48, 34, 18],
            _ => [34, 32, 34],
        };
        let [left, mid, right] = Layout::horizontal(widths.map(Constraint::Percentage)).areas(area);
        draw_list(app, Pane::Incoming, frame, left);
        draw_card(app, frame, mid);
        draw_list(app, Pane::Outgoing, frame, right);
    } else {
        let card_h = (area.height * 2 / 5).max(3).min(area.height);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(card_h), Constraint::Min(0)]).areas(area);
        draw_card(app, frame, top);
        if bottom.height == 0 {
            return;
        }
        if bottom.width >= 50 {
            let [l, r] = Layout::horizontal([Constraint::Percentage(50); 2]).areas(bottom);
            draw_list(app, Pane::Incoming, frame, l);
            draw_list(app, Pane::Outgoing, frame, r);
        } else {
            draw_list(app, app.pane, frame, bottom);
        }
    }
}

/// `2024-11-23`, `2025-02-03 – 2025-02-24`, or nothing.
pub fn date_span(date: Option<PartialDate>, until: Option<PartialDate>) -> Option<String> {
    crate::model::date::format_span(date, until, " – ", "until ")
}

/// The relation phrase with its role: `holds office (Minister of Defence)`.
pub fn relation_label(graph: &Graph, tie: Tie) -> String {
    let r = graph.relation(tie.edge);
    let phrase = graph.relation_phrase(r.kind);
    match r.role {
        Some(role) => format!("{phrase} ({})", graph.sym(role)),
        None => phrase,
    }
}

/// One relation as a line a person reads, fitted to `width` columns: the kind and
/// the other entity on the left (`signed  Memorandum …` outgoing, `Rustem Umerov
/// signed` incoming), its date and amount kept whole on the right.
pub fn tie_line(graph: &Graph, tie: Tie, width: usize) -> Line<'static> {
    let r = graph.relation(tie.edge);
    let other = graph.entity(tie.other).name.to_string();
    let label = relation_label(graph, tie);
    // An undirected relation reads the same from both ends: `related to  Other`.
    let direction = if graph.is_undirected(tie.edge) {
        petgraph::Direction::Outgoing
    } else {
        tie.direction
    };
    let left = match direction {
        petgraph::Direction::Outgoing => vec![
            Span::styled(label, KIND),
            Span::raw("  "),
            Span::styled(other, Style::new().bold()),
        ],
        petgraph::Direction::Incoming => vec![
            Span::styled(other, Style::new().bold()),
            Span::raw("  "),
            Span::styled(label, KIND),
        ],
    };
    let mut right = Vec::new();
    if let Some(d) = date_span(r.date, r.until) {
        right.push(Span::raw("  "));
        right.push(Span::styled(d, DATE));
    }
    if let Some(a) = r.amount {
        right.push(Span::raw("  "));
        right.push(Span::styled(a.to_string(), MONEY));
    }
    fit(left, right, width)
}

/// Truncates `s` to at most `width` columns, ending in `…` when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Lays `left` from the left edge and `right` against the right edge of `width`
/// columns; `left` is cut (with `…`) when both do not fit, then `right`.
pub fn fit(left: Vec<Span<'static>>, right: Vec<Span<'static>>, width: usize) -> Line<'static> {
    let right_w: usize = right.iter().map(Span::width).sum();
    let right_w = if right_w + 8 > width { 0 } else { right_w };
    let room = width - right_w;
    let mut spans = Vec::new();
    let mut used = 0;
    for span in left {
        let w = span.width();
        if used + w <= room {
            used += w;
            spans.push(span);
        } else {
            let cut = truncate(&span.content, room - used);
            used += cut.width();
            spans.push(Span::styled(cut, span.style));
            break;
        }
    }
    if right_w > 0 {
        spans.push(Span::raw(" ".repeat(room - used)));
        spans.extend(right);
    }
    Line::from(spans)
}

/// Keeps the selected row visible, moving the window as little as possible.
fn scroll_offset(list: &PaneList, rows: usize) -> usize {
    let mut offset = list.offset.get();
    if list.selected < offset {
        offset = list.selected;
    } else if rows > 0 && list.selected >= offset + rows {
        offset = list.selected + 1 - rows;
    }
    offset = offset.min(list.ties.len().saturating_sub(rows.max(1)));
    list.offset.set(offset);
    offset
}

fn draw_list(app: &App, pane: Pane, frame: &mut Frame, area: Rect) {
    let list = app.list(pane);
    let active = app.pane == pane && app.popup == Popup::None;
    let (arrow_l, name, arrow_r) = match pane {
        Pane::Incoming => ("◀ ", "in", ""),
        Pane::Outgoing => ("", "out", " ▶"),
    };
    let mut title = format!(" {arrow_l}{name} · {}", list.ties.len());
    if list.hidden > 0 {
        title.push_str(&format!(" ({} hidden)", list.hidden));
    }
    title.push_str(arrow_r);
    title.push(' ');
    let border = if active {
        Style::new().fg(Color::Cyan)
    } else {
        DIM
    };
    let block = Block::bordered().title(title).border_style(border);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height as usize;
    list.area.set(inner);
    if active {
        app.page_rows.set(rows.max(1));
    }
    if list.ties.is_empty() {
        let msg = if list.hidden > 0 {
            "nothing within the filter"
        } else {
            "none"
        };
        frame.render_widget(Paragraph::new(Span::styled(msg, DIM)), inner);
        return;
    }
    let offset = scroll_offset(list, rows);
    let end = (offset + rows).min(list.ties.len());
    let lines: Vec<Line> = (offset..end)
        .map(|i| {
            let line = tie_line(&app.graph, list.ties[i], inner.width as usize);
            if i == list.selected {
                let style = if active {
                    Style::new().bg(Color::Blue).fg(Color::White)
                } else {
                    Style::new().add_modifier(Modifier::REVERSED)
                };
                line.patch_style(style)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_card(app: &App, frame: &mut Frame, area: Rect) {
    let g = &app.graph;
    let e = g.entity(app.focus);
    let block = Block::bordered()
        .title(format!(" {} ", g.entity_kind_label(e.kind)))
        .border_style(Style::new().fg(Color::White));
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        e.name.to_string(),
        Style::new().bold().fg(Color::White),
    ))];
    lines.push(Line::from(vec![
        Span::styled(g.entity_kind_label(e.kind).to_string(), KIND),
        Span::styled(format!(" · {}", e.id), DIM),
    ]));
    if !e.aliases.is_empty() {
        let aliases: Vec<&str> = e.aliases.iter().collect();
        lines.push(Line::from(vec![
            Span::styled("also ", DIM),
            Span::raw(aliases.join(", ")),
        ]));
    }
    if let Some(d) = date_span(e.date, e.until) {
        lines.push(Line::from(vec![
            Span::styled("date ", DIM),
            Span::styled(d, DATE),
        ]));
        if !app.filter.entity_visible(g, app.focus) {
            lines.push(Line::from(Span::styled(
                "outside the date filter",
                Style::new().fg(Color::Red),
            )));
        }
    }
    if let Some(a) = e.amount {
        lines.push(Line::from(vec![
            Span::styled("amount ", DIM),
            Span::styled(a.to_string(), MONEY),
        ]));
    }
    let (i, o) = (app.list(Pane::Incoming), app.list(Pane::Outgoing));
    lines.push(Line::from(Span::styled(
        format!(
            "{}: {} in, {} out",
            crate::report::count(i.ties.len() + o.ties.len(), "relation"),
            i.ties.len(),
            o.ties.len()
        ),
        DIM,
    )));
    if let Some(note) = &e.note {
        lines.push(Line::default());
        lines.push(Line::from(note.to_string()));
    }
    let sources = g.source_list(e.sources);
    if sources.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "⚠ unsourced",
            Style::new().fg(Color::Red),
        )));
    } else {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("sources", DIM)));
        for &s in sources {
            let s = g.source(s);
            lines.push(Line::from(vec![
                Span::styled(format!("[{}] ", s.id), DIM),
                Span::raw(s.title.to_string()),
            ]));
        }
    }
    if let Some(tie) = app.selected_tie() {
        let r = g.relation(tie.edge);
        lines.push(Line::default());
        let (from, to) = g.ends(tie.edge);
        let mut sel = vec![
            Span::styled("selected  ", DIM),
            Span::raw(g.entity(from).name.to_string()),
            Span::styled(
                format!(
                    " —{}{} ",
                    relation_label(g, tie),
                    if r.undirected { "—" } else { "→" }
                ),
                KIND,
            ),
            Span::raw(g.entity(to).name.to_string()),
        ];
        if let Some(d) = date_span(r.date, r.until) {
            sel.push(Span::styled(format!("  {d}"), DATE));
        } else {
            sel.push(Span::styled("  undated", DIM));
        }
        if let Some(a) = r.amount {
            sel.push(Span::styled(format!("  {a}"), MONEY));
        }
        lines.push(Line::from(sel));
        if let Some(note) = &r.note {
            lines.push(Line::from(note.to_string()));
        }
        let ids: Vec<&str> = g
            .source_list(r.sources)
            .iter()
            .map(|&s| &*g.source(s).id)
            .collect();
        lines.push(Line::from(Span::styled(
            format!("sources: {}", ids.join(", ")),
            DIM,
        )));
    }
    let para = Paragraph::new(Text::from(lines))
        .block(block)
        .wrap(Wrap { trim: false });
    frame.render_widget(para, area);
}

fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let undated = if app.filter.hide_undated {
        "undated hidden"
    } else {
        "undated shown"
    };
    let mut spans = vec![
        Span::styled(" dates: ", DIM),
        Span::styled(app.filter.window.to_string(), DATE),
        Span::styled(format!(" · {undated}"), DIM),
    ];
    let kinds = app.kind_filter_text();
    if !kinds.is_empty() {
        spans.push(Span::styled(" · only ", DIM));
        spans.push(Span::styled(kinds, KIND));
    }
    if let Some(s) = &app.status {
        let style = if s.error {
            Style::new().fg(Color::Red).bold()
        } else {
            Style::new().fg(Color::White)
        };
        spans.push(Span::raw("  "));
        spans.push(Span::styled(s.text.clone(), style));
    }
    let help = app
        .keymap
        .key_for(Mode::Browse, &Action::Help)
        .map(|k| format!("{k} help "))
        .unwrap_or_default();
    let help_w = help.chars().count() as u16;
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(help_w)]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    frame.render_widget(Paragraph::new(Span::styled(help, DIM)), right);
}

/// A rectangle `pw`% × `ph`% of `area`, centred, at least `min_w` × `min_h`.
fn centered(area: Rect, pw: u16, ph: u16, min_w: u16, min_h: u16) -> Rect {
    let w = (area.width * pw / 100).max(min_w).min(area.width);
    let h = (area.height * ph / 100).max(min_h).min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// `text` with the characters at `positions` highlighted.
pub fn highlighted(text: &str, positions: &[usize], base: Style) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_hit = false;
    for (i, c) in text.chars().enumerate() {
        let hit = positions.contains(&i);
        if hit != run_hit && !run.is_empty() {
            let style = if run_hit { base.patch(MATCH) } else { base };
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        run_hit = hit;
        run.push(c);
    }
    if !run.is_empty() {
        let style = if run_hit { base.patch(MATCH) } else { base };
        spans.push(Span::styled(run, style));
    }
    spans
}

fn draw_search(app: &App, s: &SearchPopup, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 70, 70, 30, 5);
    frame.render_widget(Clear, rect);
    let verb = if s.for_path {
        "path to…"
    } else {
        "jump to…"
    };
    let title = if app.indexing {
        format!(" {verb} indexing names… ")
    } else if s.input.trim().is_empty() {
        format!(" {verb} ")
    } else if s.pending {
        format!(" {verb} searching… ")
    } else if s.hits.len() >= super::app::SEARCH_LIMIT {
        format!(" {verb} best {} ", s.hits.len())
    } else {
        format!(" {verb} {} found ", s.hits.len())
    };
    let block = Block::bordered()
        .title(title)
        .border_style(Style::new().fg(Color::Cyan));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [input, results] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("> ", KIND),
            Span::raw(s.input.clone()),
            Span::styled("▏", DIM),
        ])),
        input,
    );
    let g = &app.graph;
    let rows = results.height as usize;
    if s.hits.is_empty() {
        let msg = if app.indexing {
            "the names are being indexed; results appear as soon as they are ready"
        } else if s.input.trim().is_empty() {
            "type a name or alias; diacritics optional ('exact ^prefix suffix$ !not)"
        } else if s.pending {
            "searching…"
        } else {
            "nothing matches"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(msg, DIM)).wrap(Wrap { trim: true }),
            results,
        );
        return;
    }
    let offset = s.selected.saturating_sub(rows.saturating_sub(1));
    // Names that several hits share get their ids, to tell them apart.
    let mut names: std::collections::HashMap<&str, usize> = Default::default();
    for hit in &s.hits {
        *names.entry(g.entity_name(hit.node)).or_default() += 1;
    }
    let lines: Vec<Line> = s
        .hits
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, hit)| {
            let e = g.entity(hit.node);
            let base = if i == s.selected {
                Style::new().bg(Color::Blue).fg(Color::White)
            } else {
                Style::new()
            };
            let mut spans = Vec::new();
            match hit.field {
                MatchedField::Name => spans.extend(highlighted(e.name, &hit.positions, base)),
                MatchedField::Alias(_) | MatchedField::WeakAlias(_) => {
                    spans.push(Span::styled(e.name.to_string(), base));
                    spans.push(Span::styled("  alias ", base.patch(DIM)));
                    spans.extend(highlighted(&hit.text, &hit.positions, base));
                }
            }
            spans.push(Span::styled(
                format!("  {}", g.entity_kind_label(e.kind)),
                base.patch(KIND),
            ));
            if names.get(e.name).is_some_and(|&n| n > 1) {
                spans.push(Span::styled(format!("  {}", e.id), base.patch(DIM)));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), results);
}

fn draw_prompt(p: &Prompt, title: &str, hint: &'static str, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 60, 0, 30, 6);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(title.to_string())
        .border_style(Style::new().fg(Color::Yellow));
    let mut lines = vec![
        Line::from(vec![
            Span::styled("> ", DATE),
            Span::raw(p.input.clone()),
            Span::styled("▏", DIM),
        ]),
        Line::from(Span::styled(hint, DIM)),
    ];
    if let Some(e) = &p.error {
        lines.push(Line::from(Span::styled(
            e.clone(),
            Style::new().fg(Color::Red),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        rect,
    );
}

const GROUP_COLOURS: [Color; 6] = [
    Color::LightYellow,
    Color::LightBlue,
    Color::LightGreen,
    Color::LightMagenta,
    Color::LightCyan,
    Color::Gray,
];

fn draw_map(app: &App, frame: &mut Frame, area: Rect) {
    use ratatui::widgets::canvas::{Canvas, Line as CLine};
    let Some(state) = app.map else {
        return;
    };
    let inner = Block::bordered().inner(area);
    if inner.height < 3 || inner.width < 10 {
        frame.render_widget(Block::bordered().title(" map "), area);
        return;
    }
    let [canvas_area, legend_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    app.map_size.set((canvas_area.width, canvas_area.height));
    let Some(layout) = app.map_layout() else {
        return;
    };
    let mut title = format!(
        " map · {} ring{} ",
        state.depth,
        if state.depth == 1 { "" } else { "s" }
    );
    if layout.more > 0 {
        title.push_str(&format!("· + {} more ", layout.more));
    }
    frame.render_widget(
        Block::bordered()
            .title(title)
            .border_style(Style::new().fg(Color::Cyan)),
        area,
    );
    let (w, h) = (f64::from(canvas_area.width), f64::from(canvas_area.height));
    let g = &app.graph;
    let canvas = Canvas::default()
        .x_bounds([0.0, w])
        .y_bounds([0.0, h])
        .marker(ratatui::symbols::Marker::Braille)
        .paint(|ctx| {
            let y = |row: f64| h - row - 0.5;
            for (a, b, _) in &layout.edges {
                let (p, q) = (&layout.placed[*a], &layout.placed[*b]);
                ctx.draw(&CLine::new(
                    p.col,
                    y(p.row),
                    q.col,
                    y(q.row),
                    Color::DarkGray,
                ));
            }
            ctx.layer();
            for p in &layout.placed {
                let colour = GROUP_COLOURS[super::map::kind_group(&g.entity(p.node).kind)];
                let mut style = Style::new().fg(colour);
                if p.ring == 0 {
                    style = style.add_modifier(Modifier::BOLD);
                }
                if p.node == state.selected {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                ctx.print(
                    f64::from(p.label_col),
                    y(f64::from(p.label_row)),
                    Line::from(Span::styled(format!(" {} ", p.label), style)),
                );
            }
        });
    frame.render_widget(canvas, canvas_area);
    let mut legend = Vec::new();
    for (i, name) in super::map::GROUPS.iter().enumerate() {
        legend.push(Span::styled("● ", Style::new().fg(GROUP_COLOURS[i])));
        legend.push(Span::styled(format!("{name}  "), DIM));
    }
    legend.push(Span::styled("arrows · enter · +/- · m", DIM));
    frame.render_widget(Paragraph::new(Line::from(legend)), legend_area);
}

fn draw_list_popup(l: &ListPopup, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 80, 80, 30, 5);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" {} · enter goes there ", l.title))
        .border_style(Style::new().fg(Color::Cyan));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let rows = inner.height as usize;
    let offset = l.selected.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = l
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, (text, _))| {
            let text = truncate(text, inner.width as usize);
            if i == l.selected {
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

fn draw_export(p: &ExportPrompt, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 60, 0, 30, 7);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(" export this view ")
        .border_style(Style::new().fg(Color::Green));
    let formats = <crate::export::Format as clap::ValueEnum>::value_variants();
    let mut fmt_spans = vec![Span::styled("format ", DIM)];
    for f in formats {
        let name = f.extension();
        if *f == p.format {
            fmt_spans.push(Span::styled(
                format!("[{name}]"),
                Style::new().fg(Color::Green).bold(),
            ));
        } else {
            fmt_spans.push(Span::styled(format!(" {name} "), DIM));
        }
    }
    fmt_spans.push(Span::styled("  (tab)", DIM));
    let mut lines = vec![
        Line::from(fmt_spans),
        Line::from(vec![
            Span::styled("file > ", DIM),
            Span::raw(p.path.clone()),
            Span::styled("▏", DIM),
        ]),
    ];
    if let Some(e) = &p.error {
        let style = if p.confirm {
            Style::new().fg(Color::Yellow)
        } else {
            Style::new().fg(Color::Red)
        };
        lines.push(Line::from(Span::styled(e.clone(), style)));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        rect,
    );
}

fn draw_help(app: &App, scroll: usize, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 70, 90, 30, 5);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(" keys ")
        .border_style(Style::new().fg(Color::Cyan));
    let mut lines = Vec::new();
    for (mode, title) in [
        (Mode::Browse, "Browsing"),
        (Mode::Map, "Map"),
        (Mode::Search, "Search popup"),
        (Mode::Prompt, "Date prompt"),
        (Mode::Export, "Export popup"),
        (Mode::List, "Timeline, path, money and source lists"),
        (Mode::Mark, "After M or '"),
        (Mode::Help, "This help"),
    ] {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(title, Style::new().bold())));
        for (keys, what) in app.keymap.help(mode) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<22}"), KIND),
                Span::raw(what),
            ]));
        }
    }
    let scroll = scroll.min(lines.len().saturating_sub(1)) as u16;
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}

/// The screen shown while the graph loads: what is read, and how far it is.
pub fn draw_loading(frame: &mut Frame, what: &str, progress: Option<crate::load::Progress>) {
    let area = frame.area();
    let rect = centered(area, 60, 0, 30.min(area.width), 5.min(area.height));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(" ties ")
        .border_style(Style::new().fg(Color::Cyan));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [text, bar, hint] = Layout::vertical([Constraint::Length(1); 3]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("reading ", DIM),
            Span::raw(what.to_string()),
        ])),
        text,
    );
    frame.render_widget(Paragraph::new(Span::styled("Ctrl-C stops", DIM)), hint);
    if progress.is_some_and(|p| p.careful) {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "it has a problem: reading it again, whole, to say where…",
                Style::new().fg(Color::Yellow),
            )),
            bar,
        );
        return;
    }
    let Some(p) = progress.filter(|p| p.total > 0) else {
        return;
    };
    let ratio = (p.done as f64 / p.total as f64).clamp(0.0, 1.0);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let label = format!("{:.0} of {:.0} MiB", mib(p.done.min(p.total)), mib(p.total));
    frame.render_widget(
        ratatui::widgets::Gauge::default()
            .ratio(ratio)
            .label(label)
            .gauge_style(Style::new().fg(Color::Cyan)),
        bar,
    );
}
