//! Every note and tag (`N`): one line per noted entity or relation with its
//! tags, then its notes with author and time. Enter goes to the entity (a
//! relation's: its end other than the focus). Targets the data no longer
//! holds are listed, not selectable.

use super::list::{ListPopup, Row};
use super::{Ctx, Effect};
use crate::notes::{Notes, Target};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;

/// The rows of the notebooks, for [`ListPopup`].
pub fn rows(ctx: &Ctx, notes: &Notes) -> Vec<Row> {
    let g = ctx.graph;
    let mut targets: Vec<&Target> = notes
        .notes()
        .iter()
        .map(|n| &n.target)
        .chain(notes.tags().keys())
        .collect();
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| seen.insert(*t));
    targets.sort_by_key(|t| !t.in_data(g));
    let mut rows = Vec::new();
    for t in targets {
        let goes = match t {
            Target::Entity(_) => t.entity_in(g),
            Target::Relation(_) => t.relation_in(g).map(|e| {
                let (a, b) = g.ends(e);
                if a == ctx.focus { b } else { a }
            }),
        };
        let mut head = t.describe(g);
        let tags: Vec<String> = notes.tags_of(t).iter().map(|t| format!("#{t}")).collect();
        if !tags.is_empty() {
            head.push_str(&format!("  {}", tags.join(" ")));
        }
        if goes.is_none() {
            head.push_str("  (not in the data)");
        }
        rows.push((head, goes));
        for n in notes.notes_on(t) {
            let first = n.text.lines().next().unwrap_or("");
            let more = if n.text.lines().nth(1).is_some() {
                " …"
            } else {
                ""
            };
            rows.push((format!("    {} {}: {first}{more}", n.author, n.time), goes));
        }
    }
    rows
}

/// Opens the list, or says there is nothing in it.
pub fn open(ctx: &Ctx) -> Effect {
    let notes = ctx.notes;
    if notes.is_empty() {
        let key = |a: Action| ctx.keymap.key(Mode::Browse, &a);
        return Effect::status(
            format!(
                "no notes or tags yet: {} writes a note, {} tags the entity",
                key(Action::Note),
                key(Action::Tags)
            ),
            false,
        );
    }
    let title = format!(
        "notes and tags: {} · {}",
        crate::report::count(notes.notes().len(), "note"),
        notes
            .writes_to()
            .map_or_else(String::new, |p| p.display().to_string())
    );
    ListPopup::open(title, rows(ctx, notes))
}
