//! Colours: the screen is drawn with a small named palette, then mapped through the
//! theme. A theme file (`<config>/ties/theme.ron` or `--theme FILE`) maps palette
//! colours to others; `NO_COLOR` (https://no-color.org) turns every colour off and
//! shows selections in reverse video instead.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// Money in a chart: coming in, going out, and amounts a relation only states
/// (promised money is drawn dotted, in the colour of its direction).
pub const CHART_IN: Style = Style::new().fg(Color::Green);
pub const CHART_OUT: Style = Style::new().fg(Color::Magenta);
pub const CHART_STATED: Style = Style::new().fg(Color::Gray);
/// A chart's axes and labels.
pub const CHART_AXIS: Style = Style::new().fg(Color::DarkGray);
/// A score drawn as a bar (the rank panel).
pub const BAR: Style = Style::new().fg(Color::Cyan);

/// How colours are shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Theme {
    /// Palette colour → colour to show instead.
    pub map: BTreeMap<ColorKey, Color>,
    /// No colour at all (`NO_COLOR`).
    pub monochrome: bool,
}

/// A colour as an ordered key (ratatui's `Color` is not `Ord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColorKey(u32);

impl ColorKey {
    fn of(c: Color) -> ColorKey {
        let n = match c {
            Color::Reset => 0,
            Color::Black => 1,
            Color::Red => 2,
            Color::Green => 3,
            Color::Yellow => 4,
            Color::Blue => 5,
            Color::Magenta => 6,
            Color::Cyan => 7,
            Color::Gray => 8,
            Color::DarkGray => 9,
            Color::LightRed => 10,
            Color::LightGreen => 11,
            Color::LightYellow => 12,
            Color::LightBlue => 13,
            Color::LightMagenta => 14,
            Color::LightCyan => 15,
            Color::White => 16,
            Color::Indexed(i) => 0x100 | u32::from(i),
            Color::Rgb(r, g, b) => {
                0x100_0000 | (u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b)
            }
        };
        ColorKey(n)
    }
}

#[derive(Deserialize)]
#[serde(rename = "Theme", deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    colors: BTreeMap<String, String>,
}

/// Why a theme file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ThemeError {
    pub file: String,
    pub message: String,
}

impl Theme {
    /// The theme for this run: monochrome when `no_color`, else the file's map.
    pub fn load(path: Option<&Path>, no_color: bool) -> Result<Theme, ThemeError> {
        if no_color {
            return Ok(Theme {
                map: BTreeMap::new(),
                monochrome: true,
            });
        }
        let Some(path) = path else {
            return Ok(Theme::default());
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Theme::default()),
            Err(e) => {
                return Err(ThemeError {
                    file: path.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        Theme::parse(&path.display().to_string(), &text)
    }

    /// Parses `Theme(colors: { "cyan": "#5fafff", "blue": "navy"… })`.
    pub fn parse(name: &str, text: &str) -> Result<Theme, ThemeError> {
        let err = |message: String| ThemeError {
            file: name.to_string(),
            message,
        };
        let file: ThemeFile = ron::from_str(text).map_err(|e| {
            err(format!(
                "{}:{}: {}",
                e.span.start.line, e.span.start.col, e.code
            ))
        })?;
        let mut map = BTreeMap::new();
        for (from, to) in file.colors {
            let f = Color::from_str(&from).map_err(|_| err(format!("`{from}` is not a colour")))?;
            let t = Color::from_str(&to).map_err(|_| err(format!("`{to}` is not a colour")))?;
            map.insert(ColorKey::of(f), t);
        }
        Ok(Theme {
            map,
            monochrome: false,
        })
    }

    /// Maps every cell of a drawn frame through the theme.
    pub fn apply(&self, buf: &mut Buffer) {
        if self.map.is_empty() && !self.monochrome {
            return;
        }
        for cell in &mut buf.content {
            if self.monochrome {
                if cell.bg != Color::Reset {
                    cell.modifier.insert(Modifier::REVERSED);
                }
                cell.fg = Color::Reset;
                cell.bg = Color::Reset;
            } else {
                if let Some(&c) = self.map.get(&ColorKey::of(cell.fg)) {
                    cell.fg = c;
                }
                if let Some(&c) = self.map.get(&ColorKey::of(cell.bg)) {
                    cell.bg = c;
                }
            }
        }
    }
}

/// Where a user theme is looked for: `<config dir>/ties/theme.ron`.
pub fn user_theme_path() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("", "", "ties").map(|d| d.config_dir().join("theme.ron"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn a_theme_file_maps_colours() {
        let t = Theme::parse(
            "t.ron",
            r##"Theme(colors: {"cyan": "#5fafff", "blue": "red"})"##,
        )
        .unwrap();
        let mut buf = Buffer::empty(Rect::new(0, 0, 2, 1));
        buf.set_string(0, 0, "a", Style::new().fg(Color::Cyan).bg(Color::Blue));
        t.apply(&mut buf);
        assert_eq!(buf[(0, 0)].fg, Color::Rgb(0x5f, 0xaf, 0xff));
        assert_eq!(buf[(0, 0)].bg, Color::Red);
        let e = Theme::parse("t.ron", r#"Theme(colors: {"cyan": "mauve-ish"})"#).unwrap_err();
        assert!(e.to_string().contains("`mauve-ish` is not a colour"), "{e}");
    }

    #[test]
    fn no_color_removes_colours_and_keeps_selection_visible() {
        let t = Theme::load(None, true).unwrap();
        let mut buf = Buffer::empty(Rect::new(0, 0, 2, 1));
        buf.set_string(0, 0, "a", Style::new().fg(Color::White).bg(Color::Blue));
        buf.set_string(1, 0, "b", Style::new().fg(Color::Cyan));
        t.apply(&mut buf);
        assert_eq!(buf[(0, 0)].fg, Color::Reset);
        assert_eq!(buf[(0, 0)].bg, Color::Reset);
        assert!(buf[(0, 0)].modifier.contains(Modifier::REVERSED));
        assert_eq!(buf[(1, 0)].fg, Color::Reset);
        assert!(!buf[(1, 0)].modifier.contains(Modifier::REVERSED));
    }
}
