//! Tags of the focus (`#`): `suspect follow-up` adds them, `-suspect` removes
//! one; the tags it has are shown above the prompt.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::note::NoteChange;
use super::{Component, Ctx, Effect, Prompt};
use crate::notes::Target;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;

#[derive(Debug, Clone, PartialEq)]
pub struct TagsPopup {
    pub prompt: Prompt,
    pub target: Target,
    /// The entity's name, for the title.
    pub about: String,
    /// The tags it has now.
    pub has: Vec<String>,
}

/// `a b -c` → (added, removed).
pub fn parse(input: &str) -> (Vec<String>, Vec<String>) {
    let (mut add, mut remove) = (Vec::new(), Vec::new());
    for word in input.split([' ', ',']).filter(|w| !w.is_empty()) {
        match word.strip_prefix('-') {
            Some(t) if !t.is_empty() => remove.push(t.to_string()),
            Some(_) => {}
            None => add.push(word.to_string()),
        }
    }
    (add, remove)
}

impl TagsPopup {
    pub fn new(ctx: &Ctx) -> TagsPopup {
        let target = Target::of_entity(ctx.graph, ctx.focus);
        TagsPopup {
            has: ctx
                .notes
                .tags_of(&target)
                .iter()
                .map(|t| t.to_string())
                .collect(),
            about: ctx.graph.entity(ctx.focus).name.to_string(),
            target,
            prompt: Prompt::default(),
        }
    }
}

impl Component for TagsPopup {
    fn mode(&self) -> Mode {
        Mode::Prompt
    }

    fn update(&mut self, action: Action, _ctx: &Ctx) -> Effect {
        match action {
            a if self.prompt.edit(&a) => Effect::None,
            Action::Submit => {
                let (add, remove) = parse(&self.prompt.input);
                if add.is_empty() && remove.is_empty() {
                    return Effect::Close;
                }
                Effect::Note(NoteChange::Tags {
                    target: self.target.clone(),
                    add,
                    remove,
                })
            }
            Action::Close => Effect::Close,
            _ => Effect::None,
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let has = if self.has.is_empty() {
            "no tags yet".to_string()
        } else {
            let tags: Vec<String> = self.has.iter().map(|t| format!("#{t}")).collect();
            format!("has {}", tags.join(" "))
        };
        let hint = format!("{has} · `word` adds a tag, `-word` removes one");
        self.prompt.draw(
            ctx,
            &format!(" tags of {} ", self.about),
            &hint,
            frame,
            area,
        );
    }
}
