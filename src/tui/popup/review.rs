//! The review queue (`X`, or `ties xref --review`): the candidates of `ties
//! xref` on the loaded data not judged yet, best first, one pair at a time.
//! The two records side by side, their properties aligned (the same, differing,
//! on one side only), datasets, relations, the score and its explanation. Each
//! judgement is appended to the resolver file and synced at once; undo appends
//! `no_judgement` for the pair (a later line replaces an earlier one).

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{Component, Ctx, Effect, centered};
use crate::graph::{Graph, NodeIx};
use crate::matching::judgements::{self, Edge, Judgement, Judgements};
use crate::matching::record::{Records, datasets_of};
use crate::matching::{XrefOptions, xref};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Role;

/// One candidate pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub a: NodeIx,
    pub b: NodeIx,
    pub score: f64,
    pub explain: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReviewPopup {
    pub pairs: Vec<Pair>,
    /// The pair shown.
    pub at: usize,
    /// The pairs judged here, in order (undo takes the last back).
    pub judged: Vec<(usize, Judgement)>,
    pub resolver: PathBuf,
    pub user: String,
}

/// Who judges: `ties:$USER`, as `ties judge` writes it.
fn user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .map_or_else(|| "ties".into(), |u| format!("ties:{u}"))
}

impl ReviewPopup {
    /// The candidates of `graph` not judged in `resolver`, best first.
    pub fn new(
        graph: &Graph,
        resolver: PathBuf,
        opts: &XrefOptions,
    ) -> Result<ReviewPopup, String> {
        ReviewPopup::with_control(graph, resolver, opts, &crate::job::Control::default())
    }

    /// [`ReviewPopup::new`], moving `control`'s progress (records done).
    pub fn with_control(
        graph: &Graph,
        resolver: PathBuf,
        opts: &XrefOptions,
        control: &crate::job::Control,
    ) -> Result<ReviewPopup, String> {
        let judged = Judgements::read(&resolver).map_err(|e| e.to_string())?;
        let records = Records::new(graph);
        let recs = &records.records;
        let skip = |i: usize, j: usize| {
            judged
                .get(graph.entity(recs[i].node).id, graph.entity(recs[j].node).id)
                .is_some()
        };
        control.set_total(2 * recs.len());
        let done = control.done_counter();
        let (found, _) = xref::xref(&records, opts, &skip, &|n| {
            done.fetch_add(n as usize, std::sync::atomic::Ordering::Relaxed);
        });
        let pairs = found
            .into_iter()
            .map(|c| Pair {
                a: recs[c.a as usize].node,
                b: recs[c.b as usize].node,
                score: f64::from(c.score),
                explain: c.scored(&records).explain(),
            })
            .collect();
        Ok(ReviewPopup {
            pairs,
            at: 0,
            judged: Vec::new(),
            resolver,
            user: user(),
        })
    }

    /// The queue found, as an effect: open it, or say why not.
    pub fn opened(found: Result<ReviewPopup, String>) -> Effect {
        match found {
            Ok(p) if p.pairs.is_empty() => {
                Effect::status("no candidates left to review: every pair is judged", false)
            }
            Ok(p) => Effect::open(super::Popup::Review(Box::new(p))),
            Err(e) => Effect::status(e, true),
        }
    }

    fn write(&self, at: usize, j: Judgement, g: &Graph) -> Result<(), String> {
        let p = &self.pairs[at];
        let edge = Edge::new(g.entity(p.a).id, g.entity(p.b).id, j, None, &self.user);
        judgements::append(&self.resolver, &edge).map_err(|e| e.to_string())
    }

    /// The next pair not judged here after `from`, wrapping; `None` when all are.
    fn next_open(&self, from: usize) -> Option<usize> {
        let n = self.pairs.len();
        (1..=n)
            .map(|k| (from + k) % n)
            .find(|i| !self.judged.iter().any(|(d, _)| d == i))
    }

    fn judge(&mut self, j: Judgement, ctx: &Ctx) -> Effect {
        if self.judged.iter().any(|(d, _)| *d == self.at) {
            return Effect::None;
        }
        if let Err(e) = self.write(self.at, j, ctx.graph) {
            return Effect::status(e, true);
        }
        self.judged.push((self.at, j));
        let said = format!(
            "judged {} in {} (merged on reopen)",
            j.as_str(),
            self.resolver.display()
        );
        match self.next_open(self.at) {
            Some(i) => self.at = i,
            None => {
                return Effect::Close.and(Effect::status(format!("{said}; all reviewed"), false));
            }
        }
        Effect::status(said, false)
    }

    fn undo(&mut self, ctx: &Ctx) -> Effect {
        let Some(&(at, _)) = self.judged.last() else {
            return Effect::status("nothing to undo", false);
        };
        if let Err(e) = self.write(at, Judgement::NoJudgement, ctx.graph) {
            return Effect::status(e, true);
        }
        self.judged.pop();
        self.at = at;
        Effect::status("judgement taken back", false)
    }
}

/// The entity's properties as (name, value) rows: kind, aliases, attributes.
fn props(g: &Graph, n: NodeIx) -> Vec<(String, String)> {
    let e = g.entity(n);
    let mut out = vec![("name".to_string(), e.name.to_string())];
    for a in e.aliases.iter() {
        out.push(("alias".into(), a.to_string()));
    }
    for (k, v) in e.attrs.iter() {
        out.push((g.sym(k).to_string(), v.to_string()));
    }
    out
}

impl Component for ReviewPopup {
    fn mode(&self) -> Mode {
        Mode::Review
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        match action {
            Action::JudgeSame => self.judge(Judgement::Positive, ctx),
            Action::JudgeDifferent => self.judge(Judgement::Negative, ctx),
            Action::JudgeUnsure => self.judge(Judgement::Unsure, ctx),
            Action::Skip => {
                if let Some(i) = self.next_open(self.at) {
                    self.at = i;
                }
                Effect::None
            }
            Action::Undo => self.undo(ctx),
            Action::GoFirst => Effect::Close.and(Effect::GoTo(self.pairs[self.at].a)),
            Action::GoSecond => Effect::Close.and(Effect::GoTo(self.pairs[self.at].b)),
            Action::Close => Effect::Close,
            _ => Effect::None,
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let rect = centered(area, 90, 85, 40, 10);
        frame.render_widget(Clear, rect);
        let g = &**ctx.graph;
        let p = &self.pairs[self.at];
        let hint = ctx.keymap.hints(
            Mode::Review,
            &[
                (Action::JudgeSame, "same"),
                (Action::JudgeDifferent, "different"),
                (Action::JudgeUnsure, "unsure"),
                (Action::Skip, "skip"),
                (Action::Undo, "undo"),
                (Action::GoFirst, "go to left"),
                (Action::GoSecond, "go to right"),
            ],
        );
        let block = Block::bordered()
            .title(format!(
                " review: {} of {} judged · score {:.3} ",
                self.judged.len(),
                self.pairs.len(),
                p.score
            ))
            .title_bottom(Line::from(format!(" {hint} ")))
            .border_style(ctx.theme.style(Role::BorderFocused));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let muted = ctx.theme.style(Role::Muted);
        let mut lines = vec![Line::from(vec![
            Span::styled("why: ", muted),
            Span::raw(p.explain.clone()),
        ])];
        let (pa, pb) = (props(g, p.a), props(g, p.b));
        let mut keys: Vec<&str> = Vec::new();
        for (k, _) in pa.iter().chain(&pb) {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
        let half = (inner.width.saturating_sub(16) / 2) as usize;
        let cell = |s: &str| crate::tui::text::truncate(s, half.max(4));
        let row = |label: &str, l: String, r: String, role: Role| {
            Line::from(vec![
                Span::styled(format!("{label:<14} "), muted),
                Span::styled(
                    format!("{:<w$} ", cell(&l), w = half),
                    ctx.theme.style(role),
                ),
                Span::styled(cell(&r), ctx.theme.style(role)),
            ])
        };
        let head = |n: NodeIx| format!("{} ({})", g.entity(n).id, datasets_of(g, n).join(", "));
        lines.push(row("record", head(p.a), head(p.b), Role::Heading));
        for k in keys {
            let va: Vec<&str> = pa
                .iter()
                .filter(|(x, _)| x == k)
                .map(|(_, v)| v.as_str())
                .collect();
            let vb: Vec<&str> = pb
                .iter()
                .filter(|(x, _)| x == k)
                .map(|(_, v)| v.as_str())
                .collect();
            let role = if va.is_empty() || vb.is_empty() {
                Role::ReviewOneSide
            } else if va == vb {
                Role::ReviewSame
            } else {
                Role::ReviewDiffers
            };
            lines.push(row(k, va.join("; "), vb.join("; "), role));
        }
        let ties = |n: NodeIx| {
            let names: Vec<String> = g
                .ties(n)
                .take(3)
                .map(|t| g.entity(t.other).name.to_string())
                .collect();
            format!("{} {}", g.degree(n), names.join(", "))
        };
        lines.push(row("relations", ties(p.a), ties(p.b), Role::Muted));
        let [body] = Layout::vertical([Constraint::Min(0)]).areas(inner);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    }
}
