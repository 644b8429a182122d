//! Text shared by the screens and popups: styles, relation lines fitted to a
//! width, truncation, highlighted matches.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::graph::{Graph, Tie};
use crate::model::PartialDate;

pub const KIND: Style = Style::new().fg(Color::Cyan);
pub const DATE: Style = Style::new().fg(Color::Yellow);
pub const MONEY: Style = Style::new().fg(Color::Green);
pub const DIM: Style = Style::new().fg(Color::DarkGray);
pub const MATCH: Style = Style::new()
    .fg(Color::Magenta)
    .add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED));

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
