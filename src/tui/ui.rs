//! Drawing: a pure function of the [`App`] state. Only visible rows are built, so
//! a hub with tens of thousands of relations draws as fast as a leaf. What a
//! frame hands back (list heights and offsets, hit areas for the mouse, the
//! map's size and layout) is returned in a [`FrameInfo`] for
//! [`App::after_draw`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::action::Action;
use super::app::{App, Pane, PaneList};
use super::change::Change;
use super::keymap::Mode;
use super::popup::{Popup, centered};
pub use super::text::{
    Columns, date_span, fit, highlighted, relation_label, tie_line, tie_line_in, truncate,
};
use super::theme::{Role, Theme};
use crate::graph::Tie;
use crate::notes::Target;

/// Smallest terminal the explorer draws in.
pub const MIN_WIDTH: u16 = 20;
pub const MIN_HEIGHT: u16 = 5;

pub use super::app::{FrameInfo, ListFrame};

/// Draws the whole screen, and says what the app should remember of it.
pub fn draw(app: &App, frame: &mut Frame) -> FrameInfo {
    let mut info = FrameInfo::default();
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = Paragraph::new("terminal too small").wrap(Wrap { trim: true });
        frame.render_widget(msg, area);
        return info;
    }
    info.laid_out = true;
    let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    if app.map().is_some() {
        draw_map(app, frame, main, &mut info);
    } else {
        draw_main(app, frame, main, &mut info);
    }
    draw_status(app, frame, status);
    app.popup().draw(&app.ctx(), frame, main);
    info
}

fn draw_main(app: &App, frame: &mut Frame, area: Rect, info: &mut FrameInfo) {
    if app.undirected_only() {
        // Undirected ties are listed once, beside the card or below it.
        let (split, pc) = if area.width >= 90 {
            (
                Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]),
                0,
            )
        } else {
            let card_h = (area.height * 2 / 5).max(3).min(area.height);
            (
                Layout::vertical([Constraint::Length(card_h), Constraint::Min(0)]),
                card_h,
            )
        };
        let [card, list] = split.areas(area);
        draw_card(app, frame, card);
        if pc < area.height {
            draw_list(app, Pane::Outgoing, frame, list, info);
        }
        return;
    }
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
        draw_list(app, Pane::Incoming, frame, left, info);
        draw_card(app, frame, mid);
        draw_list(app, Pane::Outgoing, frame, right, info);
    } else {
        // Two fifths, in u32: `height * 2` may not fit a u16.
        let two_fifths = u16::try_from(u32::from(area.height) * 2 / 5).unwrap_or(area.height);
        let card_h = two_fifths.max(3).min(area.height);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(card_h), Constraint::Min(0)]).areas(area);
        draw_card(app, frame, top);
        if bottom.height == 0 {
            return;
        }
        if bottom.width >= 50 {
            let [l, r] = Layout::horizontal([Constraint::Percentage(50); 2]).areas(bottom);
            draw_list(app, Pane::Incoming, frame, l, info);
            draw_list(app, Pane::Outgoing, frame, r, info);
        } else {
            draw_list(app, app.pane(), frame, bottom, info);
        }
    }
}

/// Keeps the selected row visible, moving the window as little as possible.
fn scroll_offset(list: &PaneList, rows: usize) -> usize {
    let mut offset = list.offset;
    if list.selected < offset {
        offset = list.selected;
    } else if rows > 0 && list.selected >= offset + rows {
        offset = list.selected + 1 - rows;
    }
    offset.min(list.ties.len().saturating_sub(rows.max(1)))
}

fn draw_list(app: &App, pane: Pane, frame: &mut Frame, area: Rect, info: &mut FrameInfo) {
    let theme = app.theme();
    let list = app.list(pane);
    let active = app.pane() == pane && *app.popup() == Popup::None;
    let (arrow_l, name, arrow_r) = match pane {
        Pane::Incoming => ("◀ ", "in", ""),
        Pane::Outgoing => ("", "out", " ▶"),
    };
    // Undirected relations are listed once, with the outgoing ones, as ties.
    let undirected = list.ties_undirected;
    let mut title = match (undirected, list.ties.len() - undirected) {
        (0, n) => format!(" {arrow_l}{name} · {n}"),
        (u, 0) => format!(" ties · {u}"),
        (u, n) => format!(" {name} · {n} + ties · {u}"),
    };
    if list.hidden > 0 {
        title.push_str(&format!(" ({} hidden)", list.hidden));
    }
    title.push_str(&app.pane_changes(pane).unwrap_or_default());
    title.push_str(arrow_r);
    title.push(' ');
    let border = theme.style(if active {
        Role::BorderFocused
    } else {
        Role::Border
    });
    let block = Block::bordered().title(title).border_style(border);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height as usize;
    let frame_info = &mut info.lists[pane as usize];
    frame_info.area = inner;
    if active {
        info.page_rows = Some(rows.max(1));
    }
    let width = inner.width as usize;
    if list.ties.is_empty() {
        let msg = if list.hidden > 0 {
            "nothing within the filter"
        } else {
            "none"
        };
        let mut lines = vec![Line::from(Span::styled(msg, theme.style(Role::Muted)))];
        lines.extend(ended_lines(app, pane, width, rows.saturating_sub(1)));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let offset = scroll_offset(list, rows);
    frame_info.offset = Some(offset);
    let end = (offset + rows).min(list.ties.len());
    let mut lines: Vec<Line> = (offset..end)
        .map(|i| {
            let mut line = noted_tie_line(app, list.ties[i], width, list.cols);
            line.spans.extend(dataset_badges(
                app,
                app.graph().relation_datasets(list.ties[i].edge),
            ));
            if i == list.selected {
                line.patch_style(theme.style(if active {
                    Role::Selection
                } else {
                    Role::SelectionInactive
                }))
            } else {
                line
            }
        })
        .collect();
    // Relations the previous date window showed, below the current ones.
    let room = rows.saturating_sub(lines.len());
    lines.extend(ended_lines(app, pane, width, room));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A badge per dataset of a row, when the graph holds more than one.
fn dataset_badges(app: &App, set: crate::graph::DatasetSet) -> Vec<Span<'static>> {
    let g = app.graph();
    if g.dataset_names().len() < 2 {
        return Vec::new();
    }
    let style = app.theme().style(Role::Badge);
    g.dataset_list(set)
        .into_iter()
        .flat_map(|d| {
            [
                Span::raw(" "),
                Span::styled(format!(" {} ", g.dataset_name(d)), style),
            ]
        })
        .collect()
}

fn draw_card(app: &App, frame: &mut Frame, area: Rect) {
    let g = app.graph();
    let theme = app.theme();
    let dim = theme.style(Role::Muted);
    let (kind, date, money) = (
        theme.style(Role::Kind),
        theme.style(Role::Date),
        theme.style(Role::Money),
    );
    let e = g.entity(app.focus());
    let block = Block::bordered()
        .title(format!(
            " {} ",
            crate::ftm::mapping::kind_text(g, app.focus())
        ))
        .border_style(theme.style(Role::Card));
    // An entity the data only refers to is greyed: kind and id, nothing else.
    let placeholder = crate::ftm::is_placeholder(g, app.focus());
    let name_style = theme.style(if placeholder {
        Role::Placeholder
    } else {
        Role::Title
    });
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(e.name.to_string(), name_style))];
    lines.push(Line::from(vec![
        Span::styled(crate::ftm::mapping::kind_text(g, app.focus()), kind),
        Span::styled(format!(" · {}", e.id), dim),
    ]));
    if let Some(p) = crate::ftm::provenance(g, app.focus()) {
        lines.push(Line::from(Span::styled(p, dim)));
    }
    let badges = crate::ftm::badges(g, app.focus());
    let datasets = dataset_badges(app, g.entity_datasets(app.focus()));
    if !badges.is_empty() || !datasets.is_empty() {
        let mut spans = datasets;
        for b in badges {
            let style = theme.style(if placeholder {
                Role::BadgePlaceholder
            } else {
                Role::Badge
            });
            spans.push(Span::styled(format!(" {b} "), style));
            spans.push(Span::raw(" "));
        }
        lines.push(Line::from(spans));
    }
    if !e.aliases.is_empty() {
        let aliases: Vec<&str> = e.aliases.iter().collect();
        lines.push(Line::from(vec![
            Span::styled("also ", dim),
            Span::raw(aliases.join(", ")),
        ]));
    }
    if let Some(d) = date_span(e.date, e.until) {
        lines.push(Line::from(vec![
            Span::styled("date ", dim),
            Span::styled(d, date),
        ]));
        if !app.filter().entity_visible(g, app.focus()) {
            lines.push(Line::from(Span::styled(
                "outside the date filter",
                theme.style(Role::Error),
            )));
        }
    }
    if let Some(a) = e.amount {
        lines.push(Line::from(vec![
            Span::styled("amount ", dim),
            Span::styled(a.to_string(), money),
        ]));
    }
    for (label, values) in crate::ftm::entity_properties(g, app.focus()) {
        lines.push(Line::from(vec![
            Span::styled(format!("{label} "), dim),
            Span::raw(values),
        ]));
    }
    let (i, o) = (app.list(Pane::Incoming), app.list(Pane::Outgoing));
    let paged = app.remote().and_then(|r| {
        r.paged(
            app.focus(),
            &crate::db::DbFilter::from_filter(app.filter(), g),
        )
    });
    let total = match paged {
        // A hub paged from the server: its total, and what is fetched so far.
        Some((fetched, all)) => {
            format!("{} relations ({} fetched)", grouped(all), grouped(fetched))
        }
        None => crate::report::count(i.ties.len() + o.ties.len(), "relation"),
    };
    let split = if app.undirected_only() {
        "undirected".to_string()
    } else {
        format!("{} in, {} out", i.ties.len(), o.ties.len())
    };
    lines.push(Line::from(Span::styled(format!("{total}: {split}"), dim)));
    if let Some(cluster) = app.cluster_line() {
        lines.push(Line::from(Span::styled(cluster, dim)));
    }
    if let Some(note) = &e.note {
        lines.push(Line::default());
        lines.push(Line::from(note.to_string()));
    }
    lines.extend(note_lines(
        app,
        &Target::of_entity(app.graph(), app.focus()),
    ));
    let sources = g.source_list(e.sources);
    if placeholder {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(crate::ftm::PLACEHOLDER_TEXT, dim)));
    } else if sources.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            crate::report::NO_SOURCE,
            theme.style(Role::Warning),
        )));
    } else {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("sources", dim)));
        for s in sources {
            let s = g.source(s);
            lines.push(Line::from(vec![
                Span::styled(format!("[{}] ", s.id), dim),
                Span::raw(s.title.to_string()),
            ]));
            if let Some(url) = &s.url {
                lines.push(Line::from(Span::styled(format!("    {url}"), dim)));
            }
        }
    }
    if let Some(tie) = app.selected_tie() {
        let r = g.relation(tie.edge);
        lines.push(Line::default());
        let (from, to) = g.ends(tie.edge);
        let mut sel = vec![
            Span::styled("selected  ", dim),
            Span::raw(g.entity(from).name.to_string()),
            Span::styled(
                format!(
                    " —{}{} ",
                    relation_label(g, tie),
                    if r.undirected { "—" } else { "→" }
                ),
                kind,
            ),
            Span::raw(g.entity(to).name.to_string()),
        ];
        if let Some(d) = date_span(r.date, r.until) {
            sel.push(Span::styled(format!("  {d}"), date));
        } else {
            sel.push(Span::styled("  undated", dim));
        }
        if let Some(a) = r.amount {
            sel.push(Span::styled(format!("  {a}"), money));
        }
        lines.push(Line::from(sel));
        let own: Vec<String> = crate::ftm::relation_properties(g, tie.edge)
            .into_iter()
            .map(|(label, values)| format!("{label}: {values}"))
            .collect();
        if !own.is_empty() {
            lines.push(Line::from(Span::raw(own.join(" · "))));
        }
        if let Some(note) = &r.note {
            lines.push(Line::from(note.to_string()));
        }
        lines.extend(note_lines(app, &Target::of_relation(g, tie.edge)));
        let ids: Vec<&str> = g
            .source_list(r.sources)
            .iter()
            .map(|&s| &*g.source(s).id)
            .collect();
        lines.push(Line::from(if ids.is_empty() {
            Span::styled(crate::report::NO_SOURCE, theme.style(Role::Warning))
        } else {
            Span::styled(format!("sources: {}", ids.join(", ")), dim)
        }));
    }
    let para = Paragraph::new(Text::from(lines))
        .block(block)
        .wrap(Wrap { trim: false });
    frame.render_widget(para, area);
}

fn draw_status(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme();
    let dim = theme.style(Role::Muted);
    // In a window, undated relations stay unless hidden: say how many are in.
    let undated = if app.filter().hide_undated {
        "undated hidden".to_string()
    } else if app.filter().window.is_all() {
        "undated shown".to_string()
    } else {
        let n = app.list(Pane::Incoming).undated + app.list(Pane::Outgoing).undated;
        format!("{} included", crate::report::count(n, "undated relation"))
    };
    let mut spans = vec![
        Span::styled(" dates: ", dim),
        Span::styled(app.filter().window.to_string(), theme.style(Role::Date)),
        Span::styled(format!(" · {undated}"), dim),
    ];
    let kinds = super::popup::kinds::filter_text(app.graph(), app.filter());
    if !kinds.is_empty() {
        spans.push(Span::styled(" · only ", dim));
        spans.push(Span::styled(kinds, theme.style(Role::Kind)));
    }
    let datasets = super::popup::datasets::filter_text(app.graph(), app.filter());
    if !datasets.is_empty() {
        spans.push(Span::styled(" · in ", dim));
        spans.push(Span::styled(datasets, theme.style(Role::Badge)));
    }
    // What is going on, and the last message: kept before the filter's
    // details when the bar is short.
    let mut message = Vec::new();
    if let Some(want) = app.remote().and_then(|r| r.loading()) {
        let name = app.graph().entity(want.node).name;
        let more = if want.offset > 0 { "more of " } else { "" };
        let what = format!("⟳ fetching {more}{name}… ({} stops)", stop_key(app));
        message.push(Span::raw("  "));
        message.push(Span::styled(what, theme.style(Role::Warning)));
    }
    if let Some(s) = app.status() {
        let style = theme.style(if s.error {
            Role::StatusError
        } else {
            Role::Status
        });
        message.push(Span::raw("  "));
        message.push(Span::styled(s.text.clone(), style));
    }
    // The help key of the mode the keys go to now (none in a popup without one).
    let mut help = app.keymap().hints(app.mode(), &[(Action::Help, "help")]);
    if !help.is_empty() {
        help.push(' ');
    }
    let help_w = u16::try_from(help.chars().count()).unwrap_or(area.width);
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(help_w)]).areas(area);
    // A space always stands before the help hint; what does not fit is cut
    // with `…`: the filter's details first, so the message stays readable.
    let room = usize::from(left.width).saturating_sub(1);
    let width = |v: &[Span]| v.iter().map(Span::width).sum::<usize>();
    let line = if width(&spans) + width(&message) <= room {
        spans.extend(message);
        Line::from(spans)
    } else if message.is_empty() {
        fit(spans, Vec::new(), room)
    } else {
        let mut short = spans[..2].to_vec();
        short.extend(message);
        fit(short, Vec::new(), room)
    };
    frame.render_widget(Paragraph::new(line), left);
    frame.render_widget(Paragraph::new(Span::styled(help, dim)), right);
}

/// The key that stops waiting for the database in the mode the app is in
/// (`App::update` takes Close there, and on the map the map key too).
fn stop_key(app: &App) -> String {
    let mode = app.mode();
    let km = app.keymap();
    match (km.key_for(mode, &Action::Close), mode) {
        (Some(k), _) => k.to_string(),
        (None, Mode::Map) => km.key(Mode::Map, &Action::Map),
        (None, _) => km.key(Mode::Browse, &Action::Close),
    }
}

fn draw_map(app: &App, frame: &mut Frame, area: Rect, info: &mut FrameInfo) {
    use ratatui::widgets::canvas::{Canvas, Line as CLine};
    let theme = app.theme();
    let Some(state) = app.map() else {
        return;
    };
    let inner = Block::bordered().inner(area);
    if inner.height < 3 || inner.width < 10 {
        frame.render_widget(Block::bordered().title(" map "), area);
        return;
    }
    let [canvas_area, legend_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let size = (canvas_area.width, canvas_area.height);
    info.map_size = Some(size);
    // Laid out by the app (at the size this frame measures, if it is new,
    // before the next frame).
    let Some(layout) = app.map_layout() else {
        frame.render_widget(Block::bordered().title(" map "), area);
        return;
    };
    let mut title = format!(
        " map · {} ring{} ",
        state.depth,
        if state.depth == 1 { "" } else { "s" }
    );
    if layout.ring > super::map::MAX_RING1 {
        // The ring shows neighbours ranked by what matters; the rest are a
        // page away.
        let shown = layout.ring.min(layout.first + super::map::MAX_RING1);
        title.push_str(&format!(
            "· {}–{shown} of {} ",
            layout.first + 1,
            layout.ring
        ));
        let pages: &[(Action, &str)] = if layout.first > 0 {
            &[(Action::PageDown, "more"), (Action::PageUp, "back")]
        } else {
            &[(Action::PageDown, "more")]
        };
        let keys = app.keymap().hints(Mode::Map, pages);
        if !keys.is_empty() {
            title.push_str(&format!("· {keys} "));
        }
    }
    title.push_str(&app.focus_changes().unwrap_or_default());
    frame.render_widget(
        Block::bordered()
            .title(title)
            .border_style(theme.style(Role::BorderFocused)),
        area,
    );
    let edge = theme.fg(Role::MapEdge);
    let (w, h) = (f64::from(canvas_area.width), f64::from(canvas_area.height));
    let g = app.graph();
    let canvas = Canvas::default()
        .x_bounds([0.0, w])
        .y_bounds([0.0, h])
        .marker(ratatui::symbols::Marker::Braille)
        .paint(|ctx| {
            let y = |row: f64| h - row - 0.5;
            for (a, b, _) in &layout.edges {
                let (p, q) = (&layout.placed[*a], &layout.placed[*b]);
                ctx.draw(&CLine::new(p.col, y(p.row), q.col, y(q.row), edge));
            }
            ctx.layer();
            for p in layout.placed.iter().filter(|p| !p.label.is_empty()) {
                let mut style = theme.group(super::map::kind_group(&g.entity(p.node).kind));
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
            // What appeared with the last step of the date window.
            for p in &layout.placed {
                if let Some(c) = app.node_change(p.node) {
                    let (col, row) = (f64::from(p.label_col), y(f64::from(p.label_row)));
                    ctx.print(col, row, Span::styled(c.marker(), theme.style(c.role())));
                }
            }
        });
    frame.render_widget(canvas, canvas_area);
    let dim = theme.style(Role::Muted);
    let mut legend = Vec::new();
    for (i, name) in super::map::GROUPS.iter().enumerate() {
        legend.push(Span::styled("● ", theme.group(i)));
        legend.push(Span::styled(format!("{name}  "), dim));
    }
    let km = app.keymap();
    let keys = format!(
        "{} · {} · {}/{} · {}",
        km.arrows(Mode::Map),
        km.key(Mode::Map, &Action::Submit),
        km.key(Mode::Map, &Action::Deeper),
        km.key(Mode::Map, &Action::Shallower),
        km.key(Mode::Map, &Action::Map),
    );
    legend.push(Span::styled(keys, dim));
    frame.render_widget(Paragraph::new(Line::from(legend)), legend_area);
}

/// The screen shown while the graph loads: what is read, and how far it is.
/// `39890` → `39,890`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn draw_loading(
    frame: &mut Frame,
    theme: &Theme,
    what: &str,
    progress: Option<crate::load::Progress>,
) {
    let dim = theme.style(Role::Muted);
    let area = frame.area();
    let rect = centered(area, 60, 0, 30.min(area.width), 5.min(area.height));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(" ties ")
        .border_style(theme.style(Role::BorderFocused));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [text, bar, hint] = Layout::vertical([Constraint::Length(1); 3]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("reading ", dim),
            Span::raw(what.to_string()),
        ])),
        text,
    );
    // Keys are not read yet while loading: Ctrl-C is the terminal's interrupt
    // (the key map has no say in it).
    frame.render_widget(Paragraph::new(Span::styled("Ctrl-C stops", dim)), hint);
    if progress.is_some_and(|p| p.careful) {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "it has a problem: reading it again, whole, to say where…",
                theme.style(Role::Warning),
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
            .gauge_style(theme.style(Role::Progress)),
        bar,
    );
}

/// A pane's line for `tie`, with a change marker column while a step is shown.
pub fn marked_tie_line(app: &App, tie: Tie, width: usize, cols: Columns) -> Line<'static> {
    if app.stepped().is_none() {
        return tie_line_in(app.graph(), app.theme(), tie, width, cols);
    }
    let mut line = tie_line_in(app.graph(), app.theme(), tie, width.saturating_sub(2), cols);
    let marker = match app.change_of(tie.edge) {
        Some(c) => Span::styled(format!("{} ", c.marker()), app.theme().style(c.role())),
        None => Span::raw("  "),
    };
    line.spans.insert(0, marker);
    line
}

/// Up to `rows` dimmed lines for the relations of `pane` that ended with the
/// last step.
pub fn ended_lines(app: &App, pane: Pane, width: usize, rows: usize) -> Vec<Line<'static>> {
    if rows == 0 {
        return Vec::new();
    }
    app.ended_ties(pane)
        .into_iter()
        .take(rows)
        .map(|t| {
            let mut line = tie_line(app.graph(), app.theme(), t, width.saturating_sub(2))
                .patch_style(app.theme().style(Role::Muted));
            let c = Change::Ended;
            line.spans.insert(
                0,
                Span::styled(format!("{} ", c.marker()), app.theme().style(c.role())),
            );
            line
        })
        .collect()
}

/// The mark on a list row whose entity or relation has notes or tags.
pub const NOTED: &str = "✎ ";

/// A pane's line for `tie`, with the notes mark in a gutter once the
/// notebooks hold anything (rows are unchanged while they are empty).
fn noted_tie_line(app: &App, tie: Tie, width: usize, cols: Columns) -> Line<'static> {
    let notes = app.notes();
    if notes.is_empty() {
        return marked_tie_line(app, tie, width, cols);
    }
    let g = app.graph();
    let targets = [
        Target::of_entity(g, tie.other),
        Target::of_relation(g, tie.edge),
    ];
    let marked = targets
        .iter()
        .any(|t| !notes.tags_of(t).is_empty() || notes.notes_on(t).next().is_some());
    let mut line = marked_tie_line(app, tie, width.saturating_sub(2), cols);
    let gutter = if marked { NOTED } else { "  " };
    line.spans
        .insert(0, Span::styled(gutter, app.theme().style(Role::Noted)));
    line
}

/// The card's lines for the tags and notes on `target`: none without any.
fn note_lines(app: &App, target: &Target) -> Vec<Line<'static>> {
    let (theme, notes) = (app.theme(), app.notes());
    let muted = theme.style(Role::Muted);
    let tags = notes.tags_of(target);
    let mut lines = Vec::new();
    let mut on = notes.notes_on(target).peekable();
    if tags.is_empty() && on.peek().is_none() {
        return lines;
    }
    lines.push(Line::default());
    if !tags.is_empty() {
        let mut spans = vec![Span::styled("tags ", muted)];
        for t in tags {
            spans.push(Span::styled(format!("#{t}"), theme.style(Role::Noted)));
            spans.push(Span::raw(" "));
        }
        lines.push(Line::from(spans));
    }
    for n in on {
        let day: String = n.time.chars().take(10).collect();
        lines.push(Line::from(Span::styled(
            format!("{NOTED}{} {day}", n.author),
            muted,
        )));
        for l in n.text.lines() {
            lines.push(Line::from(format!("  {l}")));
        }
    }
    lines
}
