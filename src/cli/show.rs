//! `ties show` and `ties money`: one entity, with its relations or its money.

use std::io::Write;

use super::CliError;
use super::args::ShowArgs;
use super::view::view_from;
use crate::graph::Graph;
use crate::search::Resolver;
use crate::view::{self, Reach};
use crate::view_file::ViewSpec;
use crate::{export, report};

pub(super) fn money_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &ShowArgs,
) -> Result<(), CliError> {
    let filter = view_from(graph, &args.window.as_view(), spec)?.filter;
    let node = Resolver::new(graph).resolve(&args.query)?;
    let report = crate::money::money(graph, node, &filter);
    let text = if args.json {
        crate::money::report_json(graph, node, &report)
    } else {
        crate::money::report_text(graph, node, &report)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

pub(super) fn show_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &ShowArgs,
) -> Result<(), CliError> {
    let filter = view_from(graph, &args.window.as_view(), spec)?.filter;
    let node = Resolver::new(graph).resolve(&args.query)?;
    let text = if args.json {
        let sub = view::subgraph(graph, Some(node), 1, Reach::Both, &filter);
        export::to_json_focused(graph, &sub, Some(node))
    } else {
        report::entity_text(graph, node, &filter)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
