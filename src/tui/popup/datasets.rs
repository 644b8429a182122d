//! The dataset filter prompt: `kek,donations` shows only what those datasets
//! hold (the explorer's `--datasets`).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::{Component, Ctx, Effect, Prompt};
use crate::graph::{DatasetId, Graph};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::view::Filter;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatasetsPopup {
    pub prompt: Prompt,
}

/// The dataset filter as typed: `kek,donations`; empty when off.
pub fn filter_text(g: &Graph, filter: &Filter) -> String {
    filter
        .datasets
        .iter()
        .map(|d| g.dataset_name(*d))
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses `kek,donations` into the graph's datasets.
fn parse(g: &Graph, text: &str) -> Result<Vec<DatasetId>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            g.find_dataset(w).ok_or_else(|| {
                format!(
                    "`{w}` is not a dataset of this graph ({})",
                    g.dataset_names().join(", ")
                )
            })
        })
        .collect()
}

impl DatasetsPopup {
    /// Starts from the datasets in force, selected (typing replaces them).
    pub fn new(ctx: &Ctx) -> DatasetsPopup {
        DatasetsPopup {
            prompt: Prompt::preset(filter_text(ctx.graph, ctx.filter)),
        }
    }
}

impl Component for DatasetsPopup {
    fn mode(&self) -> Mode {
        Mode::Prompt
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            a if self.prompt.edit(&a) => Effect::None,
            Action::Submit => match parse(ctx.graph, &self.prompt.input) {
                Ok(datasets) => {
                    let msg = if datasets.is_empty() {
                        "dataset filter cleared"
                    } else {
                        "dataset filter set"
                    };
                    Effect::Close
                        .and(Effect::SetFilter(Filter {
                            datasets,
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
            " show only these datasets ",
            "names as `ties check` lists them, comma-separated · empty = all",
            frame,
            area,
        );
    }
}
