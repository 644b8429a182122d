//! `ties show` and `ties money`: one entity, with its relations or its money.

use std::io::Write;

use super::CliError;
use super::args::ShowArgs;
use super::view::view_from;
use crate::graph::{Graph, NodeIx};
use crate::notes::Notes;
use crate::search::Resolver;
use crate::view::{self, Filter, Reach};
use crate::view_file::ViewSpec;
use crate::{export, report};

/// The entity asked for (the query, else the `--view` file's focus) and the
/// filter of the view and flags.
fn entity_and_filter(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &ShowArgs,
) -> Result<(NodeIx, Filter), CliError> {
    let v = view_from(graph, &args.window.as_view(), spec)?;
    let node = match &args.query {
        Some(q) => super::resolve(&Resolver::new(graph), q)?,
        None => v.focus.ok_or_else(|| {
            CliError::Usage(match spec {
                Some(_) => "the view file has no focus: give a QUERY (an id or a name)".into(),
                None => "give a QUERY (an id or a name), or a --view file with a focus".into(),
            })
        })?,
    };
    let mut filter = v.filter;
    super::view::keep_focus(&mut filter, node);
    Ok((node, filter))
}

pub(super) fn money_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &ShowArgs,
) -> Result<(), CliError> {
    let (node, filter) = entity_and_filter(graph, spec, args)?;
    let report = crate::money::money(graph, node, &filter);
    let text = if args.json {
        crate::money::report_json(graph, node, &report)
    } else {
        crate::money::report_text(graph, node, &filter, &report)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

pub(super) fn show_cmd(
    graph: &Graph,
    notes: &Notes,
    spec: Option<&ViewSpec>,
    args: &ShowArgs,
) -> Result<(), CliError> {
    let (node, filter) = entity_and_filter(graph, spec, args)?;
    let text = if args.json {
        let sub = view::subgraph(graph, Some(node), 1, Reach::Both, &filter);
        let json = export::to_json_focused(graph, &sub, Some(node));
        crate::notes::report::add_to_json(&json, notes)
    } else {
        let mut text = report::entity_text(graph, node, &filter);
        text.push_str(&crate::notes::report::entity_text(notes, graph, node));
        text
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
