//! How the date window's last step changed the view: the step itself
//! (`]` `[` `}` `{`), and how a relation changed with it.

use super::action::Action;
use super::theme::Role;
use crate::analysis::diff::step_window;
use crate::model::DateWindow;
use crate::view::Filter;

/// The last step of the date window: the filter before it and after it, and
/// how many relations appeared and ended in the whole view.
#[derive(Debug, Clone, PartialEq)]
pub struct Stepped {
    pub before: Filter,
    pub after: Filter,
    pub appeared: usize,
    pub ended: usize,
}

/// How a relation changed with the last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Appeared,
    Ended,
}

impl Change {
    pub fn marker(self) -> &'static str {
        match self {
            Change::Appeared => "+",
            Change::Ended => "−",
        }
    }

    /// How its marker is drawn.
    pub fn role(self) -> Role {
        match self {
            Change::Appeared => Role::Appeared,
            Change::Ended => Role::Ended,
        }
    }
}

/// One unit of a date's precision later (`steps` 1) or earlier (-1): the
/// window `d..d` stepped.
fn unit_step(d: crate::model::PartialDate, steps: i32) -> Option<DateWindow> {
    step_window(DateWindow::new(Some(d), Some(d)).ok()?, steps)
}

/// The window `action` asks for, or why there is none (`date_key` sets a window).
pub(super) fn stepped_window(
    window: DateWindow,
    action: &Action,
    date_key: &str,
) -> Result<DateWindow, String> {
    let (Some(from), Some(to)) = (window.from, window.to) else {
        return Err(format!(
            "stepping needs a date window with both ends: set one with {date_key} (e.g. 2024)"
        ));
    };
    let out = match action {
        Action::StepForward => step_window(window, 1),
        Action::StepBack => step_window(window, -1),
        Action::Widen => unit_step(to, 1).and_then(|w| DateWindow::new(Some(from), w.to).ok()),
        Action::Narrow => {
            let to = unit_step(to, -1).and_then(|w| w.from);
            match to {
                Some(t) if t >= from => DateWindow::new(Some(from), Some(t)).ok(),
                _ => return Err(format!("{window} is as narrow as it gets")),
            }
        }
        _ => None,
    };
    out.ok_or_else(|| format!("{window} cannot move further"))
}
