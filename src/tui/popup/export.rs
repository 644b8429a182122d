//! Exporting the view on screen: a format, a file (for CSV a folder, which gets
//! nodes.csv and relationships.csv), and a second Enter before an existing file
//! is overwritten. After the graph formats come the focus's dossier in HTML
//! and Markdown (see [`crate::dossier`]).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{Component, Ctx, Effect, centered};
use crate::dossier::DossierFormat;
use crate::export::{self, Format, WriteError};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Role;

/// A format, a path, and whether an overwrite was confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPopup {
    pub format: Format,
    pub path: String,
    /// The user changed the path, so a format change keeps it.
    pub edited: bool,
    /// The file exists and the user was asked to confirm.
    pub confirm: bool,
    pub error: Option<String>,
    /// A result's subgraph to export instead of the view on screen.
    pub given: Option<Given>,
    /// The focus's dossier is chosen (in this shape) rather than `format`.
    pub dossier: Option<DossierFormat>,
}

/// The dossier shapes offered after the graph formats.
const DOSSIERS: [DossierFormat; 2] = [DossierFormat::Html, DossierFormat::Markdown];

/// A subgraph an analysis panel hands to the export popup: what it is (for the
/// title), the file name's stem, and the entities and relations.
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    pub what: String,
    pub stem: String,
    pub sub: crate::view::Subgraph,
}

fn formats() -> &'static [Format] {
    &Format::ALL
}

/// `ties-<focus id>[-<window>].<ext>` in the current folder (for CSV the
/// folder `ties-<focus id>[-<window>]-csv`).
pub fn default_name(ctx: &Ctx, format: Format) -> String {
    let mut name = format!("ties-{}", ctx.graph.entity(ctx.focus).id);
    if !ctx.filter.window.is_all() {
        let w = ctx.filter.window.to_string().replace("..", "_to_");
        name.push('-');
        name.push_str(w.trim_matches('_'));
    }
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if format == Format::Csv {
        format!("{name}-csv")
    } else {
        format!("{name}.{}", format.extension())
    }
}

impl ExportPopup {
    /// The format of the last export (JSON at first), to the default name.
    pub fn new(ctx: &Ctx) -> ExportPopup {
        let format = ctx.export_format;
        ExportPopup {
            format,
            path: default_name(ctx, format),
            edited: false,
            confirm: false,
            error: None,
            given: None,
            dossier: None,
        }
    }

    /// The default name for the choice shown.
    fn default_path(&self, ctx: &Ctx) -> String {
        match (&self.given, self.dossier) {
            (Some(g), _) => format!("{}.{}", g.stem, self.format.extension()),
            (None, Some(d)) => format!(
                "dossier-{}.{}",
                default_name(ctx, Format::Json)
                    .trim_start_matches("ties-")
                    .trim_end_matches(".json"),
                d.extension()
            ),
            (None, None) => default_name(ctx, self.format),
        }
    }

    /// JSON, of `given` rather than the view on screen.
    pub fn of(given: Given) -> ExportPopup {
        let format = Format::Json;
        ExportPopup {
            format,
            path: format!("{}.{}", given.stem, format.extension()),
            edited: false,
            confirm: false,
            error: None,
            given: Some(given),
            dossier: None,
        }
    }

    /// The next or previous format; a typed name's extension follows it, so
    /// the name never picks another format than the one shown.
    fn step(&mut self, by: isize) {
        // Graph formats, then (for the view on screen) the dossier's shapes.
        let formats = formats();
        let dossiers = if self.given.is_none() {
            DOSSIERS.len()
        } else {
            0
        };
        let n = (formats.len() + dossiers) as isize;
        let i = match self.dossier {
            Some(d) => formats.len() + DOSSIERS.iter().position(|x| *x == d).unwrap_or(0),
            None => formats.iter().position(|f| *f == self.format).unwrap_or(0),
        } as isize;
        let old = self.format;
        let old_dossier = self.dossier;
        let next = (i + by).rem_euclid(n) as usize;
        if next < formats.len() {
            self.format = formats[next];
            self.dossier = None;
        } else {
            self.dossier = Some(DOSSIERS[next - formats.len()]);
        }
        self.confirm = false;
        if !self.edited {
            return;
        }
        // A typed extension follows the choice.
        if let Some(d) = old_dossier {
            let path = self.path.trim_end().to_string();
            if let Some(stem) = path.strip_suffix(&format!(".{}", d.extension())) {
                self.path = match self.dossier {
                    Some(nd) => format!("{stem}.{}", nd.extension()),
                    None if self.format == Format::Csv => stem.to_string(),
                    None => format!("{stem}.{}", self.format.extension()),
                };
            }
            return;
        }
        // CSV goes to a folder: its name has no extension.
        let typed = Format::from_file_name(&self.path);
        if typed == Some(old) {
            let stem_len = self.path.trim_end().len() - old.extension().len() - 1;
            self.path.truncate(stem_len);
        }
        if let Some(d) = self.dossier {
            let path = self.path.trim_end().trim_end_matches('/').to_string();
            self.path = format!("{path}.{}", d.extension());
            return;
        }
        if (typed == Some(old) || old == Format::Csv) && self.format != Format::Csv {
            let path = self.path.trim_end().trim_end_matches('/').to_string();
            self.path = format!("{path}.{}", self.format.extension());
        }
    }

    /// Edits the file name; a typed extension picks the format at once, so
    /// the dialog shows what will be written.
    fn edit_path(&mut self, edit: impl FnOnce(&mut String)) {
        edit(&mut self.path);
        self.edited = true;
        self.confirm = false;
        if self.given.is_none()
            && let Some(d) = DossierFormat::from_file_name(&self.path)
        {
            self.dossier = Some(d);
        } else if self.format != Format::Csv
            && let Some(f) = Format::from_file_name(&self.path)
        {
            self.format = f;
            self.dossier = None;
        }
    }

    fn submit(&mut self, ctx: &Ctx) -> Effect {
        let path = std::path::PathBuf::from(self.path.trim());
        if self.path.trim().is_empty() {
            self.error = Some("type a file name".into());
            return Effect::None;
        }
        if let Some(d) = self.dossier {
            return self.write_dossier(ctx, &path, d);
        }
        // A typed extension picks the format, so `view.dot` is never JSON inside
        // (a CSV export goes to a folder, whatever its name).
        if self.format != Format::Csv
            && let Some(f) = Format::from_file_name(&self.path)
        {
            self.format = f;
        }
        let targets = if self.format == Format::Csv {
            vec![
                path.join(export::csv::NODES_FILE),
                path.join(export::csv::RELATIONSHIPS_FILE),
            ]
        } else {
            vec![path.clone()]
        };
        if let Some(existing) = targets.iter().find(|p| p.exists())
            && !self.confirm
        {
            self.confirm = true;
            self.error = Some(format!(
                "{} exists: press {} again to overwrite it, {} to cancel",
                existing.display(),
                ctx.keymap.key(Mode::Export, &Action::Submit),
                ctx.keymap.key(Mode::Export, &Action::Close)
            ));
            return Effect::None;
        }
        let sub = self
            .given
            .as_ref()
            .map_or_else(|| ctx.current_view(), |g| g.sub.clone());
        let written = if self.format == Format::Csv {
            export::write_csv(&path, ctx.graph, &sub, self.confirm).map(|_| ())
        } else {
            let text = crate::notes::report::render(ctx.notes, ctx.graph, &sub, self.format);
            export::write_atomic(&path, text.as_bytes(), self.confirm)
        };
        match written {
            Ok(()) => Effect::Close
                .and(Effect::ExportFormat(self.format))
                .and(Effect::status(
                    format!(
                        "exported {}, {} to {}{}",
                        crate::report::count(sub.nodes.len(), "entity"),
                        crate::report::count(sub.edges.len(), "relation"),
                        path.display(),
                        crate::report::undated_count(ctx.graph, &sub.edges, ctx.filter)
                            .map(|n| format!(
                                " ({} included; {} hides them)",
                                crate::report::count(n, "undated relation"),
                                ctx.keymap.key(Mode::Browse, &Action::ToggleUndated)
                            ))
                            .unwrap_or_default()
                    ),
                    false,
                )),
            Err(e) => {
                if let WriteError::Exists(_) = &e {
                    self.confirm = true;
                }
                self.error = Some(e.to_string());
                Effect::status(e.to_string(), true)
            }
        }
    }
}

impl ExportPopup {
    /// Writes the focus's dossier, asking before replacing a file.
    fn write_dossier(&mut self, ctx: &Ctx, path: &std::path::Path, d: DossierFormat) -> Effect {
        if path.exists() && !self.confirm {
            self.confirm = true;
            self.error = Some(format!(
                "{} exists: press {} again to overwrite it, {} to cancel",
                path.display(),
                ctx.keymap.key(Mode::Export, &Action::Submit),
                ctx.keymap.key(Mode::Export, &Action::Close)
            ));
            return Effect::None;
        }
        let text = crate::dossier::dossier(ctx.graph, ctx.focus, ctx.filter, ctx.notes, d);
        match export::write_atomic(path, text.as_bytes(), self.confirm) {
            Ok(()) => Effect::Close.and(Effect::status(
                format!(
                    "wrote the dossier of {} to {}",
                    ctx.graph.entity(ctx.focus).name,
                    path.display()
                ),
                false,
            )),
            Err(e) => {
                if let WriteError::Exists(_) = &e {
                    self.confirm = true;
                }
                self.error = Some(e.to_string());
                Effect::status(e.to_string(), true)
            }
        }
    }
}

impl Component for ExportPopup {
    fn mode(&self) -> Mode {
        Mode::Export
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        let effect = match action {
            Action::NextFormat => {
                self.step(1);
                Effect::None
            }
            Action::PreviousFormat => {
                self.step(-1);
                Effect::None
            }
            Action::Type(c) => {
                self.edit_path(|p| p.push(c));
                Effect::None
            }
            Action::DeleteChar => {
                self.edit_path(|p| {
                    p.pop();
                });
                Effect::None
            }
            Action::ClearInput => {
                self.edit_path(String::clear);
                Effect::None
            }
            Action::Submit => self.submit(ctx),
            Action::Close => Effect::Close.and(Effect::status("export cancelled", false)),
            _ => Effect::None,
        };
        if !self.edited {
            self.path = self.default_path(ctx);
        }
        effect
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let theme = ctx.theme;
        let dim = theme.style(Role::Muted);
        let rect = centered(area, 60, 0, 30, 7);
        frame.render_widget(Clear, rect);
        let block = Block::bordered()
            .title(match &self.given {
                Some(g) => format!(" export {} ", g.what),
                None => " export this view ".into(),
            })
            .border_style(theme.style(Role::BorderExport));
        let mut fmt_spans = vec![Span::styled("format ", dim)];
        for f in formats() {
            let name = f.extension();
            if *f == self.format && self.dossier.is_none() {
                fmt_spans.push(Span::styled(format!("[{name}]"), theme.style(Role::Chosen)));
            } else {
                fmt_spans.push(Span::styled(format!(" {name} "), dim));
            }
        }
        if self.given.is_none() {
            for d in DOSSIERS {
                let name = format!("dossier.{}", d.extension());
                if self.dossier == Some(d) {
                    fmt_spans.push(Span::styled(format!("[{name}]"), theme.style(Role::Chosen)));
                } else {
                    fmt_spans.push(Span::styled(format!(" {name} "), dim));
                }
            }
        }
        if let Some(k) = ctx.keymap.key_for(Mode::Export, &Action::NextFormat) {
            fmt_spans.push(Span::styled(format!("  ({k})"), dim));
        }
        let mut lines = vec![
            Line::from(fmt_spans),
            Line::from(vec![
                Span::styled(
                    if self.format == Format::Csv && self.dossier.is_none() {
                        "folder > "
                    } else {
                        "file > "
                    },
                    dim,
                ),
                Span::raw(self.path.clone()),
                Span::styled("▏", dim),
            ]),
        ];
        if let Some(e) = &self.error {
            let style = theme.style(if self.confirm {
                Role::Warning
            } else {
                Role::Error
            });
            lines.push(Line::from(Span::styled(e.clone(), style)));
        }
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            rect,
        );
    }
}
