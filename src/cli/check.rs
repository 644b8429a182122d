//! `ties check`: the counts of a graph that loaded.

use std::io::Write;

use super::CliError;
use super::args::CheckArgs;
use crate::graph::Graph;
use crate::report;

/// Counts of each kind, most common first, then by name.
fn counts<'a>(labels: impl Iterator<Item = (&'a str, usize)>) -> Vec<(&'a str, usize)> {
    let mut map: std::collections::BTreeMap<&str, usize> = Default::default();
    for (l, n) in labels {
        *map.entry(l).or_default() += n;
    }
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// How many problems `--strict` lists before summing up the rest.
const SHOWN: usize = 20;

pub(super) fn check(graph: &Graph, data: &str, args: &CheckArgs) -> Result<(), CliError> {
    if args.strict {
        let problems = crate::load::unsourced(graph, data);
        if !problems.is_empty() {
            let mut msg = format!(
                "{data}: {} without a source (--strict requires one for each)",
                report::count(problems.len(), "relation")
            );
            for p in problems.iter().take(SHOWN) {
                msg.push_str(&format!("\n  {p}"));
            }
            if problems.len() > SHOWN {
                msg.push_str(&format!("\n  … and {} more", problems.len() - SHOWN));
            }
            return Err(CliError::Strict(msg));
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "valid: {}, {}, {}",
        report::count(graph.node_count(), "entity"),
        report::count(graph.edge_count(), "relation"),
        report::count(graph.sources().len(), "source")
    )?;
    writeln!(out, "\nentities by kind:")?;
    // Counted by kind from the rows alone, then named (a million entities).
    let kinds = counts(
        (graph.entity_kind_counts().into_iter()).map(|(k, n)| (graph.entity_kind_label(k), n)),
    );
    let custom = |k: &str, known: bool| {
        if known {
            k.to_string()
        } else {
            format!("{k} (other)")
        }
    };
    for (k, n) in kinds {
        let known = crate::model::EntityKind::<String>::from_label(k).is_some();
        writeln!(out, "  {:<24} {n:>8}", custom(k, known))?;
    }
    writeln!(out, "\nrelations by kind:")?;
    let kinds = counts(
        (graph.relation_kind_counts().into_iter()).map(|(k, n)| (graph.relation_kind_label(k), n)),
    );
    for (k, n) in kinds {
        let known = crate::model::RelationKind::<String>::from_label(k).is_some();
        writeln!(out, "  {:<24} {n:>8}", custom(k, known))?;
    }
    Ok(())
}
