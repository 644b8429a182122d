//! What changed between two date windows: the relations (and dated entities)
//! seen in the later window but not the earlier one, and those seen in the
//! earlier but no longer in the later.
//!
//! "Seen" is what the view's [`Filter`] shows with its window set to each
//! window in turn, so undated relations, which every window shows alike, never
//! appear or end. With a focus, only the neighbourhood of the focus (within
//! `depth` hops, in either window) is compared.

use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::model::{DateWindow, PartialDate, Precision};
use crate::view::{self, Filter, Reach, Subgraph};

/// The result of [`diff`].
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub before: DateWindow,
    pub after: DateWindow,
    /// Relations in the later window only, in graph order.
    pub added: Vec<EdgeIx>,
    /// Relations in the earlier window only.
    pub ended: Vec<EdgeIx>,
    /// Entities in the later window only (dated ones: events, agreements…).
    pub entities_added: Vec<NodeIx>,
    /// Entities in the earlier window only.
    pub entities_ended: Vec<NodeIx>,
}

/// Where a diff looks: the whole view, or around a focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Around {
    pub focus: NodeIx,
    pub depth: usize,
}

fn sorted_minus<T: Ord + Copy>(a: &[T], b: &[T]) -> Vec<T> {
    a.iter()
        .copied()
        .filter(|x| b.binary_search(x).is_err())
        .collect()
}

/// Compares what `filter` shows in `before` with what it shows in `after`
/// (the filter's own window is replaced by each).
pub fn diff(
    graph: &Graph,
    filter: &Filter,
    before: DateWindow,
    after: DateWindow,
    around: Option<Around>,
) -> Diff {
    let seen = |window: DateWindow| {
        let f = Filter {
            window,
            ..filter.clone()
        };
        let (focus, depth) = around.map_or((None, 1), |a| (Some(a.focus), a.depth));
        view::subgraph(graph, focus, depth, Reach::Both, &f)
    };
    let (old, new) = (seen(before), seen(after));
    Diff {
        before,
        after,
        added: sorted_minus(&new.edges, &old.edges),
        ended: sorted_minus(&old.edges, &new.edges),
        entities_added: sorted_minus(&new.nodes, &old.nodes),
        entities_ended: sorted_minus(&old.nodes, &new.nodes),
    }
}

impl Diff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.ended.is_empty()
            && self.entities_added.is_empty()
            && self.entities_ended.is_empty()
    }

    /// The relations that appeared or ended with their ends, and the entities
    /// that did: the view to export.
    pub fn subgraph(&self, graph: &Graph) -> Subgraph {
        let edges: Vec<EdgeIx> = self.added.iter().chain(&self.ended).copied().collect();
        let nodes: Vec<NodeIx> = self
            .entities_added
            .iter()
            .chain(&self.entities_ended)
            .copied()
            .collect();
        super::from_edges(graph, &edges, &nodes)
    }
}

/// `(year, month, day)` of a date (0 for a part it does not know).
fn parts(d: PartialDate) -> (i32, u32, u32) {
    let text = d.to_string();
    let mut it = text.split('-').map(|p| p.parse::<u32>().unwrap_or(0));
    let y = it.next().unwrap_or(1) as i32;
    (y, it.next().unwrap_or(0), it.next().unwrap_or(0))
}

/// Days since 1970-01-01 of a calendar day (proleptic Gregorian).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The calendar day `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((yoe + era * 400 + i64::from(m <= 2)) as i32, m, d)
}

/// The window moved by `steps` times its own length (negative: back): a year
/// window to the next year, `2024-11..2024-12` to `2025-01..2025-02`, a week of
/// days to the next week. Ends of year or month precision move by whole years
/// or months; mixed precisions move by days. `None` for an open window, or
/// one that would leave years 1 to 9999. The explorer's `]` and `[`.
pub fn step_window(window: DateWindow, steps: i32) -> Option<DateWindow> {
    let (from, to) = (window.from?, window.to?);
    let (fy, fm, fd) = parts(from);
    let (ty, tm, td) = parts(to);
    let same = from.precision() == to.precision();
    match from.precision() {
        Precision::Year if same => {
            let by = (ty - fy + 1) * steps;
            DateWindow::new(PartialDate::year(fy + by), PartialDate::year(ty + by)).ok()
        }
        Precision::Month if same => {
            let index = |y: i32, m: u32| i64::from(y) * 12 + i64::from(m) - 1;
            let by = (index(ty, tm) - index(fy, fm) + 1) * i64::from(steps);
            let at = |i: i64| {
                let i = i + by;
                PartialDate::month(i.div_euclid(12) as i32, (i.rem_euclid(12) + 1) as u32)
            };
            DateWindow::new(at(index(fy, fm)), at(index(ty, tm))).ok()
        }
        _ => {
            // By days, from the first day of `from` to the last day of `to`.
            let first = days_from_civil(fy, fm.max(1), fd.max(1));
            let (ly, lm, ld) = match to.precision() {
                Precision::Year => (ty, 12, 31),
                Precision::Month => (ty, tm, crate::model::date::days_in_month(ty, tm)),
                Precision::Day => (ty, tm, td),
            };
            let last = days_from_civil(ly, lm, ld);
            let by = (last - first + 1) * i64::from(steps);
            let day = |n: i64| {
                let (y, m, d) = civil_from_days(n + by);
                PartialDate::day(y, m, d)
            };
            DateWindow::new(day(first), day(last)).ok()
        }
    }
    .filter(|w| w.from.is_some() && w.to.is_some())
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    fn names(g: &Graph, edges: &[EdgeIx]) -> Vec<String> {
        edges
            .iter()
            .map(|&e| {
                let (a, b) = g.ends(e);
                format!("{}-{}", g.entity(a).id, g.entity(b).id)
            })
            .collect()
    }

    #[test]
    fn relations_appear_and_end_between_windows() {
        let g = fixture::graph();
        let d = diff(
            &g,
            &Filter::default(),
            "2024".parse().unwrap(),
            "2025".parse().unwrap(),
            None,
        );
        assert_eq!(names(&g, &d.added), ["y-leaf"]);
        // The agreement (2024) and its signatures end; its 2020 tie was in neither.
        assert_eq!(names(&g, &d.ended), ["a-c", "b-c"]);
        assert_eq!(d.entities_added, [g.find("leaf").unwrap()]);
        assert_eq!(d.entities_ended, [g.find("c").unwrap()]);
        let sub = d.subgraph(&g);
        assert_eq!(sub.edges.len(), 3);
        assert_eq!(sub.nodes.len(), 5);
    }

    #[test]
    fn windows_step_by_their_own_length() {
        let w = |s: &str| s.parse::<DateWindow>().unwrap();
        let step = |s: &str, n: i32| step_window(w(s), n).map(|x| x.to_string());
        assert_eq!(step("2024", 1).as_deref(), Some("2025"));
        assert_eq!(step("2024", -1).as_deref(), Some("2023"));
        assert_eq!(step("2023..2024", 1).as_deref(), Some("2025..2026"));
        assert_eq!(
            step("2024-11..2024-12", 1).as_deref(),
            Some("2025-01..2025-02")
        );
        assert_eq!(step("2024-01", -1).as_deref(), Some("2023-12"));
        // A week, over a month end and a leap day.
        assert_eq!(
            step("2024-02-26..2024-03-03", 1).as_deref(),
            Some("2024-03-04..2024-03-10")
        );
        assert_eq!(
            step("2024-02-26..2024-03-03", -1).as_deref(),
            Some("2024-02-19..2024-02-25")
        );
        // Mixed precision moves by days: 2024-11 to 2024-12-31 is 61 days.
        assert_eq!(
            step("2024-11..2024-12-31", 1).as_deref(),
            Some("2025-01-01..2025-03-02")
        );
        assert_eq!(step("2024..", 1), None);
        assert_eq!(step("9999", 1), None);
        for n in [-1_000_000i64, -1, 0, 59, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(n);
            assert_eq!(days_from_civil(y, m, d), n);
        }
    }

    #[test]
    fn a_focus_limits_the_comparison() {
        let g = fixture::graph();
        let a = g.find("a").unwrap();
        let d = diff(
            &g,
            &Filter::default(),
            "2024".parse().unwrap(),
            "2025".parse().unwrap(),
            Some(Around { focus: a, depth: 1 }),
        );
        assert!(d.added.is_empty());
        assert_eq!(names(&g, &d.ended), ["a-c"]);
        let same = diff(
            &g,
            &Filter::default(),
            "2024".parse().unwrap(),
            "2024".parse().unwrap(),
            None,
        );
        assert!(same.is_empty());
    }
}
