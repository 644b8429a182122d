//! `ties dossier`: one entity's page, in Markdown or HTML, never overwriting a
//! file silently.

use super::CliError;
use super::args::DossierArgs;
use super::view::{keep_focus, view_from};
use crate::dossier::{DossierFormat, dossier};
use crate::graph::Graph;
use crate::notes::Notes;
use crate::search::Resolver;
use crate::view_file::ViewSpec;

pub(super) fn dossier_cmd(
    graph: &Graph,
    notes: &Notes,
    spec: Option<&ViewSpec>,
    args: &DossierArgs,
) -> Result<(), CliError> {
    let format =
        DossierFormat::from_file_name(&args.output.to_string_lossy()).ok_or_else(|| {
            CliError::Usage(format!(
                "{}: a dossier is written as .md (Markdown) or .html (HTML)",
                args.output.display()
            ))
        })?;
    let node = Resolver::new(graph).resolve(&args.query)?;
    let mut filter = view_from(graph, &args.filter.as_view(), spec)?.filter;
    keep_focus(&mut filter, node);
    let text = dossier(graph, node, &filter, notes, format);
    crate::export::write_atomic(&args.output, text.as_bytes(), args.force)?;
    eprintln!(
        "ties: wrote the dossier of {} to {}",
        graph.entity(node).name,
        args.output.display()
    );
    Ok(())
}
