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
    if items.is_empty() {
        eprintln!("ties: nothing dated in this view");
        return Ok(());
    }
    std::io::stdout()
        .lock()
        .write_all(report::timeline_text(graph, &items).as_bytes())?;
    Ok(())
}
