//! Text shared by the screens and popups: relation lines fitted to a width,
//! truncation, highlighted matches (styled by the [`Theme`]).

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme::{Role, Theme};
use crate::graph::{Graph, Tie};
use crate::model::PartialDate;
use crate::model::Precision;

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
/// signed` incoming), its amount and date on the right. The kind always shows:
/// the name is what gets cut, and the date, then the amount, go first when even a short
/// name would not fit beside them.
pub fn tie_line(graph: &Graph, theme: &Theme, tie: Tie, width: usize) -> Line<'static> {
    tie_line_in(graph, theme, tie, width, Columns::default())
}

/// The widths of a list's date and amount columns: with them, every line of
/// the list puts its date and amount at the same columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Columns {
    pub date: usize,
    pub amount: usize,
}

impl Columns {
    /// The widest date and amount among `ties`. A date's width follows from
    /// its precision (and its end's, unless they are one date), so each kind
    /// of date is written once;
    /// only the largest amount of each currency (with and without cents,
    /// approximate or not) is written: a hub's 50,000 relations cost a pass,
    /// not 50,000 formatted amounts.
    pub fn of(graph: &Graph, ties: &[Tie]) -> Columns {
        let mut cols = Columns::default();
        // (precision of the date, of its end, whether they are one date).
        let mut shapes: Vec<(Option<Precision>, Option<Precision>, bool)> = Vec::new();
        let mut largest: Vec<crate::model::Amount> = Vec::new();
        let same = |a: &crate::model::Amount, b: &crate::model::Amount| {
            a.currency == b.currency
                && a.approx == b.approx
                && (a.value.fract() == 0.0) == (b.value.fract() == 0.0)
        };
        for t in ties {
            let (_, date, until) = graph.relation_kind_dates(t.edge);
            let shape = (
                date.map(|d| d.precision()),
                until.map(|d| d.precision()),
                date == until,
            );
            if !shapes.contains(&shape) {
                shapes.push(shape);
                if let Some(d) = date_span(date, until) {
                    cols.date = cols.date.max(d.width());
                }
            }
            if let Some(a) = graph.relation(t.edge).amount {
                match largest.iter_mut().find(|b| same(&a, b)) {
                    Some(b) if a.value > b.value => *b = a,
                    Some(_) => {}
                    None => largest.push(a),
                }
            }
        }
        for a in &largest {
            cols.amount = cols.amount.max(a.to_string().width());
        }
        cols
    }
}

/// `s` padded with spaces to `width` columns, on the right or (`right`) the left.
fn pad(s: String, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(s.width()));
    if right { fill + &s } else { s + &fill }
}

/// [`tie_line`] in a list whose dates and amounts line up in `cols`.
pub fn tie_line_in(
    graph: &Graph,
    theme: &Theme,
    tie: Tie,
    width: usize,
    cols: Columns,
) -> Line<'static> {
    let r = graph.relation(tie.edge);
    let other = graph.entity(tie.other).name;
    let phrase = truncate(&graph.relation_phrase(r.kind), width);
    let role = r
        .role
        .map(|s| format!(" ({})", graph.sym(s)))
        .unwrap_or_default();
    // The date is the last column, each starting where the list's others
    // start; the amount is right-aligned before it. A row with neither gives
    // the room to the name.
    let amount = r.amount.map(|a| {
        Span::styled(
            pad(a.to_string(), cols.amount, true),
            theme.style(Role::Money),
        )
    });
    let date = match date_span(r.date, r.until) {
        Some(d) => Some(Span::styled(
            pad(d, cols.date, false),
            theme.style(Role::Date),
        )),
        None if amount.is_some() && cols.date > 0 => Some(Span::raw(" ".repeat(cols.date))),
        None => None,
    };
    // The shortest name worth showing beside the kind.
    let least = other.width().min(8);
    // Amount and date; the amount alone; nothing: the first that leaves room.
    let right = [vec![amount.clone(), date], vec![amount], vec![]]
        .into_iter()
        .map(|spans| {
            spans
                .into_iter()
                .flatten()
                .flat_map(|s| [Span::raw("  "), s])
                .collect::<Vec<_>>()
        })
        .find(|spans| {
            let w: usize = spans.iter().map(Span::width).sum();
            phrase.width() + 2 + least + w <= width
        })
        .unwrap_or_default();
    let right_w: usize = right.iter().map(Span::width).sum();
    let avail = width.saturating_sub(phrase.width() + 2 + right_w);
    // The name is cut down to `least` before the role is cut.
    let role_room = avail.saturating_sub(least.min(other.width()));
    let role = if role.width() <= role_room {
        role
    } else if role_room >= 6 {
        truncate(&role, role_room)
    } else {
        String::new()
    };
    let room = avail.saturating_sub(role.width());
    // An entity the data only refers to is greyed.
    let other_style = theme.style(if crate::ftm::is_placeholder(graph, tie.other) {
        Role::Placeholder
    } else {
        Role::Name
    });
    let name = Span::styled(truncate(other, room), other_style);
    let gap = Span::raw(if room > 0 { "  " } else { "" });
    let label = Span::styled(format!("{phrase}{role}"), theme.style(Role::Kind));
    // An undirected relation reads the same from both ends: `related to  Other`.
    let direction = if graph.is_undirected(tie.edge) {
        petgraph::Direction::Outgoing
    } else {
        tie.direction
    };
    let left = match direction {
        petgraph::Direction::Outgoing => vec![label, gap, name],
        petgraph::Direction::Incoming => vec![name, gap, label],
    };
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

/// `s` in lines of at most `width` columns, broken at spaces (a word longer than
/// a line is split); lines after the first are indented 4 more than the first.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    if s.width() <= width {
        return vec![s.to_string()];
    }
    let lead = s.len() - s.trim_start().len();
    let indent = " ".repeat((lead + 4).min(width / 2));
    let mut lines = Vec::new();
    let mut line = s[..lead].to_string();
    let mut w = line.width();
    for word in s[lead..].split(' ') {
        let ww = word.width();
        let start = line.trim().is_empty();
        if !start && w + 1 + ww > width {
            lines.push(std::mem::replace(&mut line, indent.clone()));
            w = indent.width();
        } else if !start {
            line.push(' ');
            w += 1;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if w + cw > width && !line.trim().is_empty() {
                lines.push(std::mem::replace(&mut line, indent.clone()));
                w = indent.width();
            }
            line.push(c);
            w += cw;
        }
    }
    lines.push(line);
    lines
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
pub fn highlighted(
    theme: &Theme,
    text: &str,
    positions: &[usize],
    base: Style,
) -> Vec<Span<'static>> {
    let matched = base.patch(theme.style(Role::Match));
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_hit = false;
    for (i, c) in text.chars().enumerate() {
        let hit = positions.contains(&i);
        if hit != run_hit && !run.is_empty() {
            let style = if run_hit { matched } else { base };
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        run_hit = hit;
        run.push(c);
    }
    if !run.is_empty() {
        let style = if run_hit { matched } else { base };
        spans.push(Span::styled(run, style));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_every_date_and_amount_of_the_list() {
        let text = r#"Graph(
            sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
            entities: [
                Entity(id: "a", kind: person, name: "A"),
                Entity(id: "b", kind: fund, name: "B"),
            ],
            relations: [
                Relation(from: "a", to: "b", kind: finances, date: "2024-11-23", until: "2024-11-23",
                    amount: (value: 5, currency: "EUR"), sources: ["s"]),
                Relation(from: "a", to: "b", kind: finances, date: "2024-11-20", until: "2024-11-23",
                    amount: (value: 10000000, currency: "EUR"), sources: ["s"]),
                Relation(from: "a", to: "b", kind: finances, date: "2024",
                    amount: (value: 1000.5, currency: "USD"), sources: ["s"]),
                Relation(from: "a", to: "b", kind: finances, amount: (value: 999, currency: "USD"),
                    sources: ["s"]),
            ],
        )"#;
        let g = crate::load::load_texts(vec![("f.ron".into(), text.into())]).unwrap();
        let a = g.find("a").unwrap();
        let ties: Vec<Tie> = g.ties(a).collect();
        let cols = Columns::of(&g, &ties);
        let widest = |f: &dyn Fn(&Tie) -> Option<String>| {
            ties.iter().filter_map(f).map(|s| s.width()).max().unwrap()
        };
        let date = widest(&|t| {
            let r = g.relation(t.edge);
            date_span(r.date, r.until)
        });
        let amount = widest(&|t| g.relation(t.edge).amount.map(|a| a.to_string()));
        assert_eq!(cols, Columns { date, amount });
        assert_eq!(
            (date, amount),
            (23, 11),
            "2024-11-20 – 2024-11-23, €10,000,000"
        );
    }

    #[test]
    fn wrap_keeps_every_word_within_the_width() {
        let text = "  [s002] Umerov and Kasčiūnas sign a Vilnius funding memorandum — LRT (2024-11-23) · s002.txt";
        for width in [12, 20, 33, 200] {
            let lines = wrap(text, width);
            assert!(
                lines.iter().all(|l| l.width() <= width),
                "{width}: {lines:?}"
            );
            let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
            if width >= 20 {
                assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
            }
            // Continuation lines are indented under the first.
            assert!(
                lines.iter().skip(1).all(|l| l.starts_with("      ")),
                "{lines:?}"
            );
        }
        // A word longer than a line is split, not lost.
        let lines = wrap("abcdefghij", 6);
        assert!(lines.iter().all(|l| l.width() <= 6), "{lines:?}");
        assert_eq!(
            lines.iter().map(|l| l.trim()).collect::<String>(),
            "abcdefghij"
        );
        assert!(lines.len() > 1);
    }
}
