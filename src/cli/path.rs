//! `ties path`: the shortest connections between two entities.

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
    let a = resolver.resolve(&args.a)?;
    let b = resolver.resolve(&args.b)?;
    // One more than asked for tells whether some were left out.
    let mut paths = path::shortest_paths(
        graph,
        a,
        b,
        args.max_hops,
        &filter,
        args.limit.saturating_add(1),
    );
    if paths.is_empty() {
        let (an, bn) = (&graph.entity(a).name, &graph.entity(b).name);
        let hops = args.max_hops;
        let mut msg = format!(
            "no connection between {an} and {bn} within {hops} hop{}",
            if hops == 1 { "" } else { "s" }
        );
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
            "\n(more connections of this length exist; raise --limit to see them)"
        )?;
    }
    Ok(())
}
