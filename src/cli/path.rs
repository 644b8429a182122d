//! `ties path`: the best connections between two entities (see [`path::routes`]).

use std::io::Write;

use super::CliError;
use super::args::PathArgs;
use super::view::view_from;
use crate::graph::Graph;
use crate::search::Resolver;
use crate::view_file::ViewSpec;
use crate::{path, report};

pub(super) fn path_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &PathArgs,
) -> Result<(), CliError> {
    if args.limit == 0 {
        return Err(CliError::Usage("--limit must be at least 1".into()));
    }
    let filter = view_from(graph, &args.window.as_view(), spec)?.filter;
    let resolver = Resolver::new(graph);
    let a = super::resolve(&resolver, &args.a)?;
    let b = super::resolve(&resolver, &args.b)?;
    if a == b {
        let e = graph.entity(a);
        return Err(CliError::Usage(format!(
            "`{}` and `{}` are one entity, {} ({}): there is no connection to find; give two entities",
            args.a, args.b, e.name, e.id
        )));
    }
    let avoid = args
        .avoid
        .iter()
        .map(|q| super::resolve(&resolver, q))
        .collect::<Result<Vec<_>, _>>()?;
    // One more than asked for tells whether some were left out.
    let query = path::RouteQuery {
        max_hops: args.max_hops,
        longer: args.longer,
        avoid: avoid.clone(),
        limit: args.limit.saturating_add(1),
    };
    let mut paths = path::routes(graph, a, b, &filter, &query);
    if paths.is_empty() {
        let (an, bn) = (&graph.entity(a).name, &graph.entity(b).name);
        let hops = args.max_hops;
        let mut msg = format!(
            "no connection between {an} and {bn} within {}",
            report::count(hops, "hop")
        );
        if !avoid.is_empty() {
            let names: Vec<&str> = avoid.iter().map(|&n| graph.entity(n).name).collect();
            msg.push_str(&format!(" avoiding {}", names.join(", ")));
        }
        if !filter.window.is_all() {
            msg.push_str(&format!(" in {}", filter.window));
        }
        if filter.hide_undated {
            msg.push_str(" without undated relations");
        }
        return Err(CliError::NotFound(msg));
    }
    let more = paths.len() > args.limit;
    paths.truncate(args.limit);
    let mut out = std::io::stdout().lock();
    out.write_all(report::paths_text(graph, a, b, &paths).as_bytes())?;
    if more {
        writeln!(
            out,
            "\n(more connections exist; raise --limit to see them, or --longer for longer ones)"
        )?;
    }
    let crossed: Vec<_> = paths.iter().flatten().map(|s| s.edge).collect();
    if let Some(note) = report::undated_note(graph, &crossed, &filter) {
        writeln!(out, "\n{note}")?;
    }
    Ok(())
}
