//! Saving the view (focus, filter, marks) to a RON view file.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Component, Ctx, Effect, Prompt};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::view::Reach;
use crate::view_file::ViewSpec;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SaveViewPopup {
    pub prompt: Prompt,
}

/// The view on screen as a view file, with the marks.
pub fn view_spec(ctx: &Ctx) -> ViewSpec {
    let mut spec = ViewSpec::from_view(ctx.graph, Some(ctx.focus), ctx.filter, 1, Reach::Both);
    spec.marks = ctx
        .marks
        .iter()
        .map(|(&c, &n)| (c, ctx.graph.entity(n).id.to_string()))
        .collect();
    spec
}

impl SaveViewPopup {
    /// Proposes `ties-view-<focus id>.ron`.
    pub fn new(ctx: &Ctx) -> SaveViewPopup {
        let input = format!("ties-view-{}.ron", ctx.graph.entity(ctx.focus).id);
        SaveViewPopup {
            prompt: Prompt::new(input),
        }
    }
}

impl Component for SaveViewPopup {
    fn mode(&self) -> Mode {
        Mode::Prompt
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            a if self.prompt.edit(&a) => Effect::None,
            Action::Submit => {
                let path = std::path::PathBuf::from(self.prompt.input.trim());
                match view_spec(ctx).save(&path, false) {
                    Ok(()) => Effect::Close.and(Effect::status(
                        format!(
                            "view saved to {} (open it with ties --view)",
                            path.display()
                        ),
                        false,
                    )),
                    Err(e) => self.prompt.fail(e.to_string()),
                }
            }
            Action::Close => Effect::Close,
            _ => Effect::None,
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        self.prompt.draw(
            ctx,
            " save view to ",
            "a RON view file; open it with ties --view FILE",
            frame,
            area,
        );
    }
}
