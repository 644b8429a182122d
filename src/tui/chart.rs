//! Money over time as a picture, above the `$` and timeline lists: one chart
//! per currency (amounts in different currencies are never added), one line
//! per direction and stage, each the running total of its dated amounts.
//! Promised money is drawn dotted, money that moved as a line. Undated amounts
//! cannot be placed in time: the caption says how many there are and what
//! they come to.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};

use super::text::truncate;
use super::theme::{Role, Theme};
use crate::model::{Amount, PartialDate};
use crate::money::{Stage, Total, format_total};

/// Which way an amount goes, seen from the entity (`None` on a timeline,
/// where amounts pass between others).
pub type Way = Option<bool>;

/// One amount to chart: its date (if any), the amount, its stage, whether it
/// comes in (`Some(true)`), goes out (`Some(false)`) or neither (`None`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flow {
    pub date: Option<PartialDate>,
    pub amount: Amount,
    pub stage: Stage,
    pub incoming: Way,
}

/// One line of a chart: a running total over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub role: Role,
    pub marker: Marker,
    pub graph: GraphType,
    /// (year as a fraction, running total), in date order, as steps.
    pub points: Vec<(f64, f64)>,
}

/// The chart of one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrencyChart {
    pub currency: &'static str,
    pub series: Vec<Series>,
    /// First and last date charted, as fractional years.
    pub x: [f64; 2],
    /// The largest running total.
    pub top: f64,
}

/// The charts of a list, and what they leave out.
#[derive(Debug, Clone, PartialEq)]
pub struct MoneyCharts {
    pub charts: Vec<CurrencyChart>,
    /// `2 undated amounts not charted: €5,000,000 promised in` (empty: none).
    pub undated: String,
}

/// A date as a fractional year, at the start of its period: `2024-07` → 2024.5.
fn year_of(d: PartialDate) -> f64 {
    let text = d.to_string();
    let mut parts = text.split('-').map(|p| p.parse::<f64>().unwrap_or(1.0));
    let y = parts.next().unwrap_or(0.0);
    let m = parts.next().unwrap_or(1.0);
    let day = parts.next().unwrap_or(1.0);
    y + (m - 1.0) / 12.0 + (day - 1.0) / 372.0
}

fn way_text(way: Way) -> &'static str {
    match way {
        Some(true) => "in",
        Some(false) => "out",
        None => "",
    }
}

/// The charts of `flows`; `None` when none of them is dated.
pub fn charts(flows: &[Flow]) -> Option<MoneyCharts> {
    let mut currencies: Vec<&'static str> = flows
        .iter()
        .filter(|f| f.date.is_some())
        .map(|f| f.amount.currency.code())
        .collect();
    if currencies.is_empty() {
        return None;
    }
    // The currency with the most dated amounts first.
    currencies.sort_unstable();
    let mut counted: Vec<(usize, &'static str)> = Vec::new();
    for c in currencies {
        match counted.last_mut() {
            Some((n, last)) if *last == c => *n += 1,
            _ => counted.push((1, c)),
        }
    }
    counted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut charts = Vec::new();
    for (_, currency) in counted {
        let mut dated: Vec<(f64, &Flow)> = flows
            .iter()
            .filter(|f| f.amount.currency.code() == currency)
            .filter_map(|f| Some((year_of(f.date?), f)))
            .collect();
        dated.sort_by(|a, b| a.0.total_cmp(&b.0));
        let x = [dated[0].0, dated[dated.len() - 1].0];
        let mut series = Vec::new();
        let mut top: f64 = 0.0;
        for way in [Some(true), Some(false), None] {
            for stage in Stage::ALL {
                let mut points = Vec::new();
                let mut sum = 0.0;
                for (at, f) in dated
                    .iter()
                    .filter(|(_, f)| f.incoming == way && f.stage == stage)
                {
                    points.push((*at, sum));
                    sum += f.amount.value;
                    points.push((*at, sum));
                }
                if points.is_empty() {
                    continue;
                }
                // The line runs on to the last date charted.
                points.push((x[1], sum));
                top = top.max(sum);
                let role = match (way, stage) {
                    (_, Stage::Stated) => Role::ChartStated,
                    (Some(false), _) => Role::ChartOut,
                    _ => Role::ChartIn,
                };
                let marker = match stage {
                    Stage::Transferred => Marker::Braille,
                    _ => Marker::Dot,
                };
                let graph = GraphType::Line;
                let name = [way_text(way), stage.label()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                series.push(Series {
                    name,
                    role,
                    marker,
                    graph,
                    points,
                });
            }
        }
        charts.push(CurrencyChart {
            currency,
            series,
            x,
            top,
        });
    }
    let undated: Vec<&Flow> = flows.iter().filter(|f| f.date.is_none()).collect();
    let undated = if undated.is_empty() {
        String::new()
    } else {
        let mut sums: Vec<String> = Vec::new();
        for way in [Some(true), Some(false), None] {
            for stage in Stage::ALL {
                let mut by: std::collections::BTreeMap<&'static str, Total> = Default::default();
                for f in undated
                    .iter()
                    .filter(|f| f.incoming == way && f.stage == stage)
                {
                    let t = by.entry(f.amount.currency.code()).or_default();
                    t.value += f.amount.value;
                    t.approx |= f.amount.approx;
                }
                for (code, t) in by {
                    let what = [stage.label(), way_text(way)]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    sums.push(format!("{} {what}", format_total(code, t)));
                }
            }
        }
        format!(
            "{} not charted: {}",
            crate::report::count(undated.len(), "undated amount"),
            sums.join(", ")
        )
    };
    Some(MoneyCharts { charts, undated })
}

/// Rows the charts want: a caption line and at least 7 rows per chart.
pub fn wanted_rows(c: &MoneyCharts) -> u16 {
    1 + 8 * c.charts.len().min(2) as u16
}

/// Draws the charts into `area`: the first two currencies, each with its
/// legend; the caption names the others and the undated amounts.
pub fn draw(c: &MoneyCharts, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.height < 4 {
        return;
    }
    let shown = c
        .charts
        .len()
        .min(usize::from((area.height - 1) / 7).max(1));
    let [caption, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let mut words = vec!["running totals by date".to_string()];
    let others: Vec<&str> = c.charts[shown..].iter().map(|ch| ch.currency).collect();
    if !others.is_empty() {
        words.push(format!("{} in the list only", others.join(", ")));
    }
    if !c.undated.is_empty() {
        words.push(c.undated.clone());
    }
    let text = truncate(&words.join(" · "), usize::from(caption.width));
    let caption_style = theme.style(Role::Muted);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(text, caption_style))),
        caption,
    );
    let areas = Layout::vertical(vec![Constraint::Fill(1); shown]).split(rest);
    for (chart, area) in c.charts.iter().zip(areas.iter()) {
        draw_one(chart, theme, frame, *area);
    }
}

fn draw_one(c: &CurrencyChart, theme: &Theme, frame: &mut Frame, area: Rect) {
    let [x0, x1] = if c.x[1] - c.x[0] < 0.1 {
        [c.x[0] - 0.5, c.x[1] + 0.5]
    } else {
        [c.x[0], c.x[1]]
    };
    let top = if c.top > 0.0 { c.top * 1.05 } else { 1.0 };
    let label = |x: f64| {
        let year = x.floor();
        let month = ((x - year) * 12.0).floor() as u32 + 1;
        format!("{year:.0}-{month:02}")
    };
    let money = |v: f64| {
        format_total(
            c.currency,
            Total {
                value: v,
                approx: false,
            },
        )
    };
    let datasets: Vec<Dataset> = c
        .series
        .iter()
        .map(|s| {
            Dataset::default()
                .name(s.name.clone())
                .marker(s.marker)
                .graph_type(s.graph)
                .style(theme.style(s.role))
                .data(&s.points)
        })
        .collect();
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .style(theme.style(Role::ChartAxis))
                .bounds([x0, x1])
                .labels([label(x0), label(x1)]),
        )
        .y_axis(
            Axis::default()
                .title(c.currency)
                .style(theme.style(Role::ChartAxis))
                .bounds([0.0, top])
                .labels(["0".to_string(), money(c.top)]),
        )
        .legend_position(Some(ratatui::widgets::LegendPosition::TopLeft))
        .hidden_legend_constraints((Constraint::Ratio(1, 2), Constraint::Ratio(1, 1)));
    frame.render_widget(chart, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(date: &str, value: f64, code: &str, stage: Stage, incoming: Way) -> Flow {
        Flow {
            date: (!date.is_empty()).then(|| date.parse().unwrap()),
            amount: Amount {
                value,
                currency: crate::model::Currency::from_code(code).unwrap(),
                approx: false,
            },
            stage,
            incoming,
        }
    }

    #[test]
    fn currencies_and_stages_are_kept_apart_and_undated_said() {
        let flows = [
            flow("2024-11-23", 10.0, "EUR", Stage::Promised, Some(true)),
            flow("2025-01", 5.0, "EUR", Stage::Transferred, Some(true)),
            flow("2025-02", 7.0, "EUR", Stage::Transferred, Some(true)),
            flow("2025-03", 3.0, "USD", Stage::Transferred, Some(false)),
            flow("", 4.0, "EUR", Stage::Promised, Some(true)),
        ];
        let c = charts(&flows).unwrap();
        let codes: Vec<&str> = c.charts.iter().map(|c| c.currency).collect();
        assert_eq!(codes, ["EUR", "USD"]);
        let eur = &c.charts[0];
        let names: Vec<&str> = eur.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["in transferred", "in promised"]);
        // Running totals: 5 then 12 transferred; the promise alone is 10.
        assert_eq!(eur.series[0].points.last().unwrap().1, 12.0);
        assert_eq!(eur.series[1].points.last().unwrap().1, 10.0);
        assert_eq!(eur.top, 12.0);
        assert!(
            c.undated.starts_with("1 undated amount not charted: "),
            "{}",
            c.undated
        );
        assert!(c.undated.contains("promised in"), "{}", c.undated);
        assert!(charts(&flows[4..]).is_none());
    }
}
