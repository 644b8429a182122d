//! `ties export`: the graph, or a view of it, in a format other tools read.

use std::io::Write;

use super::CliError;
use super::args::ExportArgs;
use super::view::view_from;
use crate::graph::Graph;
use crate::view_file::ViewSpec;
use crate::{export, report, view};

pub(super) fn export_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &ExportArgs,
) -> Result<(), CliError> {
    let v = view_from(graph, &args.view, spec)?;
    let sub = view::subgraph(graph, v.focus, v.depth, v.reach, &v.filter);
    let text = export::render(graph, &sub, args.format.into());
    match &args.output {
        Some(path) => {
            export::write_atomic(path, text.as_bytes(), args.force)?;
            eprintln!(
                "ties: wrote {} and {} to {}",
                report::count(sub.nodes.len(), "entity"),
                report::count(sub.edges.len(), "relation"),
                path.display()
            );
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}
