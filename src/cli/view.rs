//! Which part of the graph a command looks at: a `--view` file's settings,
//! overridden by flags.

use super::CliError;
use super::args::ViewArgs;
use std::cell::RefCell;
use std::sync::Arc;

use crate::graph::{Graph, NodeIx};
use crate::model::EntityKind;
use crate::search::Resolver;
use crate::view::Filter;
use crate::view_file::{ResolvedView, ViewSpec};

thread_local! {
    /// The entities `--tag` keeps for the command running on this thread.
    static TAGGED: RefCell<Option<Arc<[NodeIx]>>> = const { RefCell::new(None) };
}

/// Sets the entities `--tag` keeps (`None`: every entity) for the views the
/// command asks for next.
pub(super) fn set_tagged(only: Option<Arc<[NodeIx]>>) {
    TAGGED.with(|t| *t.borrow_mut() = only);
}

/// Lets `node` (a command's focus) through a `--tag` filter that would hide it.
pub(super) fn keep_focus(filter: &mut Filter, node: NodeIx) {
    if let Some(only) = &filter.only
        && let Err(at) = only.binary_search(&node)
    {
        let mut v = only.to_vec();
        v.insert(at, node);
        filter.only = Some(v.into());
    }
}

/// The view a command looks at: the `--view` file's settings, if any, each
/// overridden by the flags given (`--focus` searches; a file's focus is an id).
pub fn view_from(
    graph: &Graph,
    args: &ViewArgs,
    spec: Option<&ViewSpec>,
) -> Result<ResolvedView, CliError> {
    let mut merged = spec.cloned().unwrap_or_default();
    if args.focus.is_some() {
        merged.focus = None;
    }
    if let Some(depth) = args.depth {
        merged.depth = depth;
    }
    if let Some(direction) = args.direction {
        merged.direction = direction.into();
    }
    if args.from.is_some() {
        merged.from = args.from;
    }
    if args.to.is_some() {
        merged.to = args.to;
    }
    if args.no_undated {
        merged.hide_undated = true;
    }
    let kinds: Vec<&str> = args
        .kinds
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
        .collect();
    if !kinds.is_empty() {
        merged.kinds = kinds
            .into_iter()
            .map(|k| EntityKind::from_label(k).unwrap_or_else(|| EntityKind::Other(k.into())))
            .collect();
    }
    let mut view = merged.resolve(graph)?;
    if let Some(q) = &args.focus {
        view.focus = Some(super::resolve(&Resolver::new(graph), q)?);
    }
    // A neighbourhood needs a centre: without one these would silently mean
    // the whole graph.
    if view.focus.is_none() {
        let given: Vec<&str> = [
            (args.depth.is_some(), "--depth"),
            (args.direction.is_some(), "--direction"),
        ]
        .into_iter()
        .filter_map(|(on, flag)| on.then_some(flag))
        .collect();
        if !given.is_empty() {
            return Err(CliError::Usage(format!(
                "{} needs --focus ENTITY (the view's centre); without it the command looks at the whole graph: give --focus, or leave out {}",
                given.join(" and "),
                given.join(" and ")
            )));
        }
    }
    view.filter.only = TAGGED.with(|t| t.borrow().clone());
    if let Some(focus) = view.focus {
        keep_focus(&mut view.filter, focus);
    }
    Ok(view)
}
