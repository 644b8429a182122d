//! `ties check`: the counts of a graph that loaded.

use std::io::Write;

use super::CliError;
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

pub(super) fn check(graph: &Graph) -> Result<(), CliError> {
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
        tally(graph.node_indices().map(|n| graph.entity_kind_dates(n).0))
            .into_iter()
            .map(|(k, n)| (graph.entity_kind_label(k), n)),
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
        tally(graph.edge_indices().map(|e| graph.relation_kind_dates(e).0))
            .into_iter()
            .map(|(k, n)| (graph.relation_kind_label(k), n)),
    );
    for (k, n) in kinds {
        let known = crate::model::RelationKind::<String>::from_label(k).is_some();
        writeln!(out, "  {:<24} {n:>8}", custom(k, known))?;
    }
    Ok(())
}

/// How many times each value comes.
fn tally<K: std::hash::Hash + Eq>(items: impl Iterator<Item = K>) -> Vec<(K, usize)> {
    let mut map: std::collections::HashMap<K, usize> = Default::default();
    for k in items {
        *map.entry(k).or_default() += 1;
    }
    map.into_iter().collect()
}
