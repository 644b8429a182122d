//! The note editor (`n`): a multi-line text area (ratatui-textarea) on the
//! focus, or (Tab) on the selected relation. Ctrl-S saves, appending to the
//! notebook at once; Esc on a changed text asks first, a second Esc drops it.
//! Both keys are shown on the border.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};
use ratatui_textarea::{Input, TextArea};

use super::{Component, Ctx, Effect, centered};
use crate::notes::Target;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Role;

/// A change to the notebook that a popup asks the app to save.
#[derive(Debug, Clone, PartialEq)]
pub enum NoteChange {
    /// A new note on the target.
    Add { target: Target, text: String },
    /// A note's new text.
    Edit { id: String, text: String },
    /// Tags added to and removed from the target.
    Tags {
        target: Target,
        add: Vec<String>,
        remove: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct NotePopup {
    /// What the note is on: the focus, or the relation selected when opened.
    pub target: Target,
    entity: (Target, String),
    relation: Option<(Target, String)>,
    pub area: TextArea<'static>,
    /// Esc was pressed on a changed text: the next Esc drops it.
    pub confirm_drop: bool,
    /// Editing this note (its id and text as saved); `None`: a new note.
    pub editing: Option<(String, String)>,
}

impl PartialEq for NotePopup {
    fn eq(&self, other: &Self) -> bool {
        self.target == other.target
            && self.area.lines() == other.area.lines()
            && self.confirm_drop == other.confirm_drop
            && self.editing == other.editing
    }
}

impl NotePopup {
    /// A new note on the focus; Tab moves it to the selected relation, if any.
    pub fn new(ctx: &Ctx) -> NotePopup {
        let g = ctx.graph;
        let entity = Target::of_entity(g, ctx.focus);
        let entity_name = g.entity(ctx.focus).name.to_string();
        let relation = ctx.selected_tie.map(|t| {
            let target = Target::of_relation(g, t.edge);
            let about = target.describe(g);
            (target, about)
        });
        let mut area = TextArea::default();
        area.set_placeholder_text("what you found, what to check…");
        area.set_placeholder_style(ctx.theme.style(Role::Muted));
        NotePopup {
            target: entity.clone(),
            entity: (entity, entity_name),
            relation,
            area,
            confirm_drop: false,
            editing: None,
        }
    }

    /// The latest note `author` wrote on the focus, to edit; `None` if there
    /// is none.
    pub fn edit(ctx: &Ctx, author: &str) -> Option<NotePopup> {
        let target = Target::of_entity(ctx.graph, ctx.focus);
        let note = ctx
            .notes
            .notes_on(&target)
            .filter(|n| n.author == author)
            .last()?;
        let mut popup = NotePopup::new(ctx);
        popup.relation = None;
        popup.area = TextArea::new(note.text.lines().map(str::to_string).collect());
        popup.area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        popup.area.move_cursor(ratatui_textarea::CursorMove::End);
        popup.editing = Some((note.id.clone(), note.text.clone()));
        Some(popup)
    }

    /// The text differs from what is saved.
    fn changed(&self) -> bool {
        match &self.editing {
            Some((_, saved)) => self.text() != *saved,
            None => !self.area.is_empty(),
        }
    }

    /// The text as typed, lines joined.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    fn about(&self) -> &str {
        match &self.relation {
            Some((t, about)) if *t == self.target => about,
            _ => &self.entity.1,
        }
    }

    /// Switches between the focus and the selected relation.
    fn switch(&mut self) {
        if let Some((t, _)) = &self.relation {
            self.target = if self.target == self.entity.0 {
                t.clone()
            } else {
                self.entity.0.clone()
            };
        }
    }
}

impl Component for NotePopup {
    fn mode(&self) -> Mode {
        Mode::Note
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            Action::Save => {
                let text = self.text();
                if text.trim().is_empty() {
                    return Effect::status("the note is empty: nothing to save", true);
                }
                match &self.editing {
                    Some((id, _)) => Effect::Note(NoteChange::Edit {
                        id: id.clone(),
                        text,
                    }),
                    None => Effect::Note(NoteChange::Add {
                        target: self.target.clone(),
                        text,
                    }),
                }
            }
            Action::Close if !self.changed() || self.confirm_drop => Effect::Close,
            Action::Close => {
                self.confirm_drop = true;
                let key = |a: Action| ctx.keymap.key(Mode::Note, &a);
                Effect::status(
                    format!(
                        "the note is not saved: {} again drops it, {} saves it",
                        key(Action::Close),
                        key(Action::Save)
                    ),
                    true,
                )
            }
            Action::SwitchPane => {
                self.switch();
                Effect::None
            }
            Action::Edit(key) => {
                self.confirm_drop = false;
                self.area.input(Input::from(key.0));
                Effect::None
            }
            _ => Effect::None,
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let rect = centered(area, 70, 50, 40, 10);
        frame.render_widget(Clear, rect);
        let key = |a: Action| {
            ctx.keymap
                .key_for(Mode::Note, &a)
                .map_or_else(|| "?".into(), |k| k.to_string())
        };
        let (save, esc) = (key(Action::Save), key(Action::Close));
        let mut hints = if self.confirm_drop {
            format!(" {esc} again: drop the edit · {save}: save ")
        } else {
            format!(" {save}: save · {esc}: cancel ")
        };
        if self.relation.is_some() {
            let other = if self.target == self.entity.0 {
                "the selected relation"
            } else {
                "the entity"
            };
            hints.push_str(&format!("· {}: on {other} ", key(Action::SwitchPane)));
        }
        let block = Block::bordered()
            .title(Line::from(vec![
                Span::raw(if self.editing.is_some() {
                    " your note on "
                } else {
                    " note on "
                }),
                Span::styled(self.about().to_string(), ctx.theme.style(Role::Kind)),
                Span::raw(" "),
            ]))
            .title_bottom(Line::from(hints))
            .border_style(ctx.theme.style(Role::BorderFocused));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        frame.render_widget(&self.area, inner);
    }
}
