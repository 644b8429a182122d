//! `ties search`: entities by name or alias, best match first.

use std::io::Write;
use std::sync::Arc;

use super::CliError;
use super::args::SearchArgs;
use crate::graph::Graph;
use crate::search::{MatchedField, ResolveError, SearchIndex};

pub(super) fn search_cmd(
    graph: &Graph,
    index: Option<Arc<SearchIndex>>,
    notes: &crate::notes::Notes,
    tags: &[String],
    args: &SearchArgs,
) -> Result<(), CliError> {
    // `--tag T` is the query's `#T`.
    let mut query = args.query.join(" ");
    for t in tags {
        query.push_str(&format!(" #{}", crate::notes::normal_tag(t)));
    }
    let index = index.unwrap_or_else(|| Arc::new(SearchIndex::build(graph)));
    // `#tag` keeps tagged entities; entities whose notes hold the words follow.
    let by_notes = notes.search(graph, &query);
    let mut hits = index.search(graph, &query, args.limit, &|n| by_notes.allows(n));
    let from_notes = by_notes.extend(graph, &mut hits, args.limit, &|_| true);
    let tier = |h: &crate::search::Hit| {
        if from_notes.contains(&h.node) {
            "note"
        } else {
            h.tier().label()
        }
    };
    if hits.is_empty() && args.limit > 0 {
        // Nothing found is an answer, not bad input: exit code 1, as grep's.
        return Err(CliError::NotFound(ResolveError::NoMatch(query).to_string()));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let rows: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                let e = graph.entity(h.node);
                let (field, index) = match h.field {
                    MatchedField::Name => ("name", None),
                    MatchedField::Alias(i) => ("alias", Some(i)),
                    MatchedField::WeakAlias(i) => ("weak_alias", Some(i)),
                    MatchedField::Office(i) => ("office", Some(i)),
                };
                serde_json::json!({
                    "id": e.id,
                    "kind": graph.entity_kind_label(e.kind),
                    "name": e.name,
                    "matched_field": field,
                    "matched_index": index,
                    "matched_text": h.text,
                    "positions": h.positions,
                    "tier": tier(h),
                    "edits": h.edits(),
                    "weak": h.tier().is_weak(),
                    "score": h.score,
                    "badges": crate::ftm::badges(graph, h.node),
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&rows).map_err(std::io::Error::other)?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    let id_width = hits
        .iter()
        .map(|h| graph.entity(h.node).id.chars().count())
        .max()
        .unwrap_or(2);
    for (i, h) in hits.iter().enumerate() {
        let e = graph.entity(h.node);
        let mut line = format!(
            "{:>3}  {:<10}  {:<id_width$}  {:<12}  {}",
            i + 1,
            tier(h),
            e.id,
            crate::ftm::mapping::kind_text(graph, h.node),
            e.name
        );
        match h.field {
            MatchedField::Name => {}
            MatchedField::Office(_) => line.push_str(&format!(" — holds office: {}", h.text)),
            f => line.push_str(&format!("  ({}: {})", f.label(), h.text)),
        }
        let badges = crate::ftm::badges(graph, h.node);
        if !badges.is_empty() {
            line.push_str(&format!("  [{}]", badges.join("] [")));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
