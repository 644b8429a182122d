//! Notes and tags as text and JSON, for `ties notes`, `ties show` and exports.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::{Value, json};

use super::{Note, Notes, Target};
use crate::graph::{Graph, NodeIx};

/// Every target with notes or tags, in the order first written; those the data
/// no longer holds last.
fn targets(notes: &Notes, graph: &Graph, keep: &dyn Fn(&Target) -> bool) -> Vec<Target> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let all = notes
        .notes()
        .iter()
        .map(|n| &n.target)
        .chain(notes.tags().keys());
    for t in all {
        if keep(t) && seen.insert(t.clone()) {
            out.push(t.clone());
        }
    }
    out.sort_by_key(|t| !t.in_data(graph));
    out
}

fn note_line(n: &Note) -> String {
    let edited = n
        .edited
        .as_ref()
        .map(|t| format!(" (edited {t})"))
        .unwrap_or_default();
    let mut text = n.text.lines();
    let mut s = format!(
        "  {} {}{}: {}",
        n.time,
        n.author,
        edited,
        text.next().unwrap_or("")
    );
    for l in text {
        let _ = write!(s, "\n      {l}");
    }
    s
}

fn tags_text(tags: &[&str]) -> String {
    tags.iter()
        .map(|t| format!("#{t}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn target_ids(t: &Target) -> String {
    match t {
        Target::Entity(id) => id.clone(),
        Target::Relation(k) => format!("{} {} {}", k.from, k.kind, k.to),
    }
}

/// `ties notes`: each target (name, ids, tags), then its notes with time and
/// author; targets the data no longer holds are listed as such.
pub fn list_text(notes: &Notes, graph: &Graph, keep: &dyn Fn(&Target) -> bool) -> String {
    let mut s = String::new();
    for t in targets(notes, graph, keep) {
        let missing = if t.in_data(graph) {
            ""
        } else {
            "  — not in the data"
        };
        let tags = notes.tags_of(&t);
        let _ = write!(s, "{} ({}){}", t.describe(graph), target_ids(&t), missing);
        if !tags.is_empty() {
            let _ = write!(s, "  {}", tags_text(&tags));
        }
        s.push('\n');
        for n in notes.notes_on(&t) {
            let _ = writeln!(s, "{}", note_line(n));
        }
    }
    if s.is_empty() {
        s.push_str("no notes or tags\n");
    }
    s
}

fn target_json(t: &Target, graph: &Graph) -> Value {
    match t {
        Target::Entity(id) => json!({
            "on": "entity",
            "target": id,
            "name": t.entity_in(graph).map(|n| graph.entity(n).name),
            "in_data": t.in_data(graph),
        }),
        Target::Relation(k) => json!({
            "on": "relation",
            "relation_id": k.id,
            "from": k.from,
            "kind": k.kind,
            "to": k.to,
            "name": t.describe(graph),
            "in_data": t.in_data(graph),
        }),
    }
}

fn note_json(n: &Note) -> Value {
    json!({
        "id": n.id,
        "text": n.text,
        "author": n.author,
        "time": n.time,
        "edited": n.edited,
        "notebook": n.file,
    })
}

/// `ties notes --json`: `{"notebooks": [...], "targets": [{on, target…, tags,
/// notes: [{id, text, author, time, edited}]}]}`.
pub fn list_json(notes: &Notes, graph: &Graph, keep: &dyn Fn(&Target) -> bool) -> Value {
    let targets: Vec<Value> = targets(notes, graph, keep)
        .iter()
        .map(|t| {
            let mut v = target_json(t, graph);
            v["tags"] = json!(notes.tags_of(t));
            v["notes"] = notes.notes_on(t).map(note_json).collect();
            v
        })
        .collect();
    json!({
        "notebooks": notes.files().iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "targets": targets,
    })
}

/// The notes and tags on an entity and on its relations, for `ties show`
/// (empty when there are none).
pub fn entity_text(notes: &Notes, graph: &Graph, node: NodeIx) -> String {
    let me = Target::of_entity(graph, node);
    let id = &me.entity_id().to_string();
    let keep = |t: &Target| match t {
        Target::Entity(_) => *t == me,
        Target::Relation(k) => &k.from == id || &k.to == id,
    };
    let mut s = String::new();
    for t in targets(notes, graph, &keep) {
        let tags = notes.tags_of(&t);
        if t == me {
            s.push_str("  on this entity");
        } else {
            let _ = write!(s, "  on {}", t.describe(graph));
        }
        if !tags.is_empty() {
            let _ = write!(s, "  {}", tags_text(&tags));
        }
        s.push('\n');
        for n in notes.notes_on(&t) {
            let _ = writeln!(s, "  {}", note_line(n));
        }
    }
    if s.is_empty() {
        return s;
    }
    format!("\nNotes and tags:\n{s}")
}

/// Adds the notebooks' notes and tags to a JSON export: `tags` and `notes` on
/// each node that has them, and on each edge. `text` is [`crate::export::to_json`]'s.
pub fn add_to_json(text: &str, notes: &Notes) -> String {
    if notes.is_empty() {
        return text.to_string();
    }
    let Ok(mut doc) = serde_json::from_str::<Value>(text) else {
        return text.to_string();
    };
    if let Some(nodes) = doc.get_mut("nodes").and_then(Value::as_array_mut) {
        for node in nodes {
            let Some(id) = node.get("id").and_then(Value::as_str) else {
                continue;
            };
            let t = Target::Entity(id.to_string());
            add_fields(node, notes, &t);
        }
    }
    if let Some(edges) = doc.get_mut("edges").and_then(Value::as_array_mut) {
        for edge in edges {
            let field = |k: &str| edge.get(k).and_then(Value::as_str).map(str::to_string);
            let (Some(from), Some(kind), Some(to)) =
                (field("source"), field("kind"), field("target"))
            else {
                continue;
            };
            // The export's edges carry no relation id: match ends and kind.
            let like: BTreeSet<&Target> = notes
                .tags()
                .keys()
                .chain(notes.notes().iter().map(|n| &n.target))
                .filter(|t| {
                    matches!(t, Target::Relation(k) if k.from == from && k.kind == kind && k.to == to)
                })
                .collect();
            for t in like {
                add_fields(edge, notes, t);
            }
        }
    }
    serde_json::to_string_pretty(&doc).map_or_else(
        |_| text.to_string(),
        |mut s| {
            s.push('\n');
            s
        },
    )
}

fn add_fields(v: &mut Value, notes: &Notes, t: &Target) {
    let tags = notes.tags_of(t);
    if !tags.is_empty() {
        v["tags"] = json!(tags);
    }
    let list: Vec<Value> = notes.notes_on(t).map(note_json).collect();
    if !list.is_empty() {
        v["notes"] = Value::Array(list);
    }
}

/// The notes and tags about entities of `sub`, as FtM `Note` entities.
pub fn ftm_notes(
    notes: &Notes,
    graph: &Graph,
    sub: &crate::view::Subgraph,
) -> Vec<crate::export::NoteEntity> {
    let view: std::collections::HashSet<NodeIx> = sub.nodes.iter().copied().collect();
    let in_view = |n: NodeIx| view.contains(&n);
    let ends = |t: &Target| -> Vec<NodeIx> {
        match t {
            Target::Entity(_) => t.entity_in(graph).into_iter().collect(),
            Target::Relation(_) => t
                .relation_in(graph)
                .map(|e| {
                    let (a, b) = graph.ends(e);
                    vec![a, b]
                })
                .unwrap_or_default(),
        }
        .into_iter()
        .filter(|&n| in_view(n))
        .collect()
    };
    let mut out: Vec<crate::export::NoteEntity> = notes
        .notes()
        .iter()
        .map(|n| crate::export::NoteEntity {
            id: n.id.clone(),
            on: ends(&n.target),
            text: n.text.clone(),
            author: n.author.clone(),
            time: n.edited.clone().unwrap_or_else(|| n.time.clone()),
            tags: notes
                .tags_of(&n.target)
                .iter()
                .map(|s| s.to_string())
                .collect(),
        })
        .collect();
    // Tags on a target without notes: a note of tags alone.
    for (t, tags) in notes.tags() {
        if notes.notes_on(t).next().is_none() {
            out.push(crate::export::NoteEntity {
                id: format!("tags {t:?}"),
                on: ends(t),
                text: format!(
                    "Tags: {}",
                    tags.iter()
                        .map(|t| format!("#{t}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                author: String::new(),
                time: String::new(),
                tags: tags.iter().cloned().collect(),
            });
        }
    }
    out.retain(|n| !n.on.is_empty());
    out
}

/// `format`'s export of `sub`, carrying the notebooks' notes and tags where
/// the format has room for them (JSON fields, FtM `Note` entities).
pub fn render(
    notes: &Notes,
    graph: &Graph,
    sub: &crate::view::Subgraph,
    format: crate::export::Format,
) -> String {
    use crate::export::Format;
    match format {
        Format::Json => add_to_json(&crate::export::to_json(graph, sub), notes),
        Format::Ron if !notes.is_empty() => ron_with_notes(notes, graph, sub),
        Format::Ftm if !notes.is_empty() => {
            crate::export::to_ftm_with_notes(graph, sub, &ftm_notes(notes, graph, sub))
        }
        _ => crate::export::render(graph, sub, format),
    }
}

/// The attribute a RON export gives each tag.
pub const TAG_ATTR: &str = "tag";
/// The attribute a RON export gives each note (`author, time: text`).
pub const NOTE_ATTR: &str = "investigator note";

/// The RON export with the notes and tags as attributes of their entities
/// and relations (`("tag", "suspect")`, `("investigator note", "ana,
/// 2026-…: text")`): the file still loads with `--data`, and shows them.
fn ron_with_notes(notes: &Notes, graph: &Graph, sub: &crate::view::Subgraph) -> String {
    let mut file = crate::export::to_records(graph, sub);
    let add = |attrs: &mut Vec<(String, String)>, t: &Target| {
        for tag in notes.tags_of(t) {
            attrs.push((TAG_ATTR.into(), tag.to_string()));
        }
        for n in notes.notes_on(t) {
            attrs.push((
                NOTE_ATTR.into(),
                format!("{}, {}: {}", n.author, n.time, n.text),
            ));
        }
    };
    for e in &mut file.entities {
        add(&mut e.attrs, &Target::Entity(e.id.clone()));
    }
    let relation_targets: Vec<&Target> = notes
        .tags()
        .keys()
        .chain(notes.notes().iter().map(|n| &n.target))
        .filter(|t| matches!(t, Target::Relation(_)))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for r in &mut file.relations {
        let kind = r.kind.label().to_string();
        for t in &relation_targets {
            if let Target::Relation(k) = t
                && k.from == r.from
                && k.to == r.to
                && k.kind == kind
                && (k.id.is_none() || k.id == r.id)
            {
                add(&mut r.attrs, t);
            }
        }
    }
    crate::export::records_to_ron(&file)
}
