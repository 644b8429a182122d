//! `ties export`: the graph, or a view of it, in a format other tools read.

use std::io::Write;

use super::CliError;
use super::args::ExportArgs;
use super::view::view_from;
use crate::export::Format;
use crate::graph::Graph;
use crate::view_file::ViewSpec;
use crate::{export, report, view};

pub(super) fn export_cmd(
    graph: &Graph,
    notes: &crate::notes::Notes,
    spec: Option<&ViewSpec>,
    args: &ExportArgs,
) -> Result<(), CliError> {
    let v = view_from(graph, &args.view, spec)?;
    let sub = view::subgraph(graph, v.focus, v.depth, v.reach, &v.filter);
    // `-o FILE.csv`: one table of relations with names, for a spreadsheet.
    if let Some(file) = args.output.as_deref().filter(|p| is_csv_file(p))
        && matches!(args.format.map(Format::from), None | Some(Format::Csv))
    {
        let text = export::csv::to_edge_table(graph, &sub);
        export::write_atomic(file, text.as_bytes(), args.force)?;
        let alone = sub.nodes.len().saturating_sub(ends_of(graph, &sub.edges));
        eprintln!(
            "ties: wrote {} (one row each, with both ends' names) to {}{}",
            report::count(sub.edges.len(), "relation"),
            file.display(),
            if alone > 0 {
                format!(
                    "; {} with no relation in the view {} no row (-o FOLDER writes nodes.csv too)",
                    report::count(alone, "entity"),
                    if alone == 1 { "has" } else { "have" }
                )
            } else {
                String::new()
            }
        );
        if let Some(note) = report::undated_note(graph, &sub.edges, &v.filter) {
            eprintln!("ties: {note}");
        }
        return Ok(());
    }
    let format = format(args)?;
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
        if let Some(note) = report::undated_note(graph, &sub.edges, &v.filter) {
            eprintln!("ties: {note}");
        }
        return Ok(());
    }
    let text = crate::notes::report::render(notes, graph, &sub, format);
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
    if let Some(note) = report::undated_note(graph, &sub.edges, &v.filter) {
        eprintln!("ties: {note}");
    }
    Ok(())
}

/// Whether `path` names a `.csv` file (not an existing folder).
fn is_csv_file(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        && !path.is_dir()
}

/// How many entities are an end of one of `edges`.
fn ends_of(graph: &Graph, edges: &[crate::graph::EdgeIx]) -> usize {
    let mut ends: Vec<_> = edges
        .iter()
        .flat_map(|&e| {
            let (a, b) = graph.ends(e);
            [a, b]
        })
        .collect();
    ends.sort_unstable();
    ends.dedup();
    ends.len()
}

/// The format asked for, else the one the output file's extension names.
fn format(args: &ExportArgs) -> Result<Format, CliError> {
    if let Some(f) = args.format {
        return Ok(f.into());
    }
    let names = || {
        Format::ALL
            .iter()
            .filter(|f| **f != Format::Csv)
            .map(|f| format!(".{}", f.extension()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &args.output {
        Some(path) => Format::from_file_name(&path.to_string_lossy()).ok_or_else(|| {
            CliError::Usage(format!(
                "{}: the extension names no format ({}, .csv); give --format (--format csv with a folder name writes nodes.csv and relationships.csv there)",
                path.display(),
                names()
            ))
        }),
        None => Err(CliError::Usage(
            "give --format, or -o FILE with a format's extension".into(),
        )),
    }
}
