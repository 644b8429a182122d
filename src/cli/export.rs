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
    let format: export::Format = args.format.into();
    if let (export::Format::Csv, Some(dir)) = (format, &args.output) {
        let written = export::write_csv(dir, graph, &sub, args.force)?;
        eprintln!(
            "ties: wrote {} and {} to {}",
            report::count(sub.nodes.len(), "entity"),
            report::count(sub.edges.len(), "relation"),
            written
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        );
        return Ok(());
    }
    let text = export::render(graph, &sub, format);
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
