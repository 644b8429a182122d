//! The kind filter prompt: `person,fund,finances` shows only those entity and
//! relation kinds; `#tag` only the entities carrying the tag.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Component, Ctx, Effect, Prompt};
use crate::graph::Graph;
use crate::model::{EntityKind, RelationKind, Sym};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::view::Filter;

/// Entity and relation kinds chosen in the kind filter.
type Kinds = (Vec<EntityKind<Sym>>, Vec<RelationKind<Sym>>);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct KindsPopup {
    pub prompt: Prompt,
}

/// The kind filter as typed: `person,fund,finances`; empty when off.
pub fn filter_text(g: &Graph, filter: &Filter) -> String {
    let mut names: Vec<&str> = filter
        .entity_kinds
        .iter()
        .map(|k| g.entity_kind_label(*k))
        .collect();
    names.extend(
        filter
            .relation_kinds
            .iter()
            .map(|k| g.relation_kind_label(*k)),
    );
    let tags: Vec<String> = filter.tags.iter().map(|t| format!("#{t}")).collect();
    names.extend(tags.iter().map(String::as_str));
    names.join(",")
}

/// Parses `person,fund,finances` into entity and relation kinds.
fn parse_kinds(g: &Graph, text: &str) -> Result<Kinds, String> {
    let (mut ents, mut rels) = (Vec::new(), Vec::new());
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        if word.starts_with('#') {
            continue;
        }
        let word = word.replace(' ', "_");
        if let Some(k) = RelationKind::from_label(&word) {
            rels.push(k);
        } else if let Ok(k) = crate::view_file::resolve_kind(g, &word) {
            ents.push(k);
        } else if let Some(s) = g.find_sym(&word)
            && g.edge_indices()
                .any(|e| g.relation(e).kind == RelationKind::Other(s))
        {
            rels.push(RelationKind::Other(s));
        } else {
            let hint = match did_you_mean(g, &word) {
                Some(k) => format!("did you mean `{k}`?"),
                None => "e.g. person, fund, agreement, finances, signed".into(),
            };
            return Err(format!(
                "`{word}` is not an entity or relation kind: {hint}"
            ));
        }
    }
    Ok((ents, rels))
}

/// The kind nearest to a mistyped `word`: an entity or relation kind the
/// graph holds, or a built-in one, at most two edits away (one for short words).
fn did_you_mean(g: &Graph, word: &str) -> Option<String> {
    let word = word.to_lowercase();
    let mut names: std::collections::BTreeSet<&str> = EntityKind::<Sym>::KNOWN
        .iter()
        .filter_map(|k| k.known_label())
        .chain(
            RelationKind::<Sym>::KNOWN
                .iter()
                .filter_map(|k| k.known_label()),
        )
        .collect();
    names.extend(
        g.node_indices()
            .map(|n| g.entity_kind_label(g.entity_kind_dates(n).0)),
    );
    names.extend(
        g.edge_indices()
            .map(|e| g.relation_kind_label(g.relation_kind_dates(e).0)),
    );
    let most = if word.chars().count() <= 4 { 1 } else { 2 };
    names
        .into_iter()
        .map(|n| (strsim::osa_distance(&word, n), n))
        .filter(|(d, _)| *d <= most)
        .min()
        .map(|(_, n)| n.to_string())
}

impl KindsPopup {
    /// Starts from the kinds in force.
    pub fn new(ctx: &Ctx) -> KindsPopup {
        KindsPopup {
            prompt: Prompt::preset(filter_text(ctx.graph, ctx.filter)),
        }
    }
}

impl Component for KindsPopup {
    fn mode(&self) -> Mode {
        Mode::Prompt
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            a if self.prompt.edit(&a) => Effect::None,
            Action::Submit => match parse_kinds(ctx.graph, &self.prompt.input) {
                Ok((entity_kinds, relation_kinds)) => {
                    let tags: Vec<String> = self
                        .prompt
                        .input
                        .split(',')
                        .filter_map(|w| w.trim().strip_prefix('#'))
                        .map(crate::notes::normal_tag)
                        .filter(|t| !t.is_empty())
                        .collect();
                    let only =
                        (!tags.is_empty()).then(|| ctx.notes.tagged(ctx.graph, &tags).into());
                    let msg = if self.prompt.input.trim().is_empty() {
                        "kind filter cleared"
                    } else {
                        "kind filter set"
                    };
                    Effect::Close
                        .and(Effect::SetFilter(Filter {
                            entity_kinds,
                            relation_kinds,
                            only,
                            tags,
                            ..ctx.filter.clone()
                        }))
                        .and(Effect::status(msg, false))
                }
                Err(msg) => self.prompt.fail(msg),
            },
            Action::Close => Effect::Close,
            _ => Effect::None,
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        self.prompt.draw(
            ctx,
            " show only these kinds ",
            "person,fund,agreement · finances,signed · #tag · empty = all",
            frame,
            area,
        );
    }
}
