//! `ties timeline`: dated relations and entities in date order.

use std::io::Write;

use super::CliError;
use super::args::TimelineArgs;
use super::view::view_from;
use crate::graph::Graph;
use crate::view_file::ViewSpec;
use crate::{report, timeline, view};

pub(super) fn timeline_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &TimelineArgs,
) -> Result<(), CliError> {
    let v = view_from(graph, &args.view, spec)?;
    let sub = view::subgraph(graph, v.focus, v.depth, v.reach, &v.filter);
    let items = timeline::timeline(graph, &sub);
    let mut out = std::io::stdout().lock();
    if items.is_empty() {
        eprintln!("ties: nothing dated in this view");
    } else {
        out.write_all(report::timeline_text(graph, &items).as_bytes())?;
    }
    // Sums with no date have no place on the line, but are said once below
    // it; in a window they are in the view, not in its period.
    let undated = timeline::undated(graph, &sub);
    let heading = match report::undated_note(graph, &sub.edges, &v.filter) {
        Some(note) => {
            writeln!(out, "\n{note}")?;
            "undated, not in the window's total:"
        }
        None => "undated sums (no date given, so not on the line above):",
    };
    out.write_all(report::undated_amounts_text(graph, &undated, heading).as_bytes())?;
    Ok(())
}
