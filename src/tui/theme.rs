//! Colours by role: every draw asks the theme for the style of what it draws
//! (`theme.style(Role::Money)`), and this file is the only place in `src/` that
//! names a colour (`tests/it/style.rs` holds that).
//!
//! The defaults are the `roles!` table below. A theme file
//! (`<config>/ties/theme.ron` or `--theme FILE`) changes them:
//!
//! ```ron
//! Theme(
//!     colors: {"cyan": "#5fafff", "blue": "#00005f"},
//!     roles: {"money": "light-green bold", "selection": "black on light-yellow"},
//! )
//! ```
//!
//! `colors` remaps a default colour wherever a role uses it; `roles` gives a role
//! its whole style: colours (`green`, `light-green`, `#5fafff`, `208`), `on`
//! before a background colour, and `bold`, `dim`, `italic`, `underlined`,
//! `reversed`. `NO_COLOR` (https://no-color.org) drops every colour and shows
//! what had a background (selections, badges) in reverse video instead.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// Declares the roles: variant, name in a theme file, default style.
macro_rules! roles {
    ($($(#[$doc:meta])* $role:ident $name:literal = $style:expr,)*) => {
        /// What a drawn thing is, which decides how it looks.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Role {
            $($(#[$doc])* $role,)*
        }

        impl Role {
            /// Every role, in table order.
            pub const ALL: &[Role] = &[$(Role::$role,)*];

            /// The role's name in a theme file.
            pub fn name(self) -> &'static str {
                match self {
                    $(Role::$role => $name,)*
                }
            }

            /// The built-in style.
            fn default_style(self) -> Style {
                match self {
                    $(Role::$role => $style,)*
                }
            }
        }
    };
}

roles! {
    /// The selected row of the list or popup that has the keys.
    Selection "selection" = Style::new().fg(Color::White).bg(Color::Blue),
    /// The selected row of a list that does not have the keys.
    SelectionInactive "selection_inactive" = Style::new().add_modifier(Modifier::REVERSED),
    /// A pane's border when it does not have the keys.
    Border "border" = Style::new().fg(Color::DarkGray),
    /// The border of what has the keys: the active pane, the map, a popup.
    BorderFocused "border_focused" = Style::new().fg(Color::Cyan),
    /// The border of a text prompt (dates, kinds, a file name).
    BorderPrompt "border_prompt" = Style::new().fg(Color::Yellow),
    /// The border of the export popup.
    BorderExport "border_export" = Style::new().fg(Color::Green),
    /// The entity card's border.
    Card "card" = Style::new().fg(Color::White),
    /// The focus's name on its card.
    Title "title" = Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
    /// A heading inside a popup (the help's sections).
    Heading "heading" = Style::new().add_modifier(Modifier::BOLD),
    /// The other entity's name in a relation line.
    Name "name" = Style::new().add_modifier(Modifier::BOLD),
    /// Entity and relation kinds, relation phrases.
    Kind "kind" = Style::new().fg(Color::Cyan),
    /// Key names in the help.
    Key "key" = Style::new().fg(Color::Cyan),
    /// Dates and date windows.
    Date "date" = Style::new().fg(Color::Yellow),
    /// Amounts of money.
    Money "money" = Style::new().fg(Color::Green),
    /// Labels, counts, ids, hints: what is read second.
    Muted "muted" = Style::new().fg(Color::DarkGray),
    /// An entity the data only refers to (a placeholder).
    Placeholder "placeholder" = Style::new().fg(Color::DarkGray),
    /// A flag on an entity (an FtM topic such as `Sanctioned`, `PEP`).
    Badge "badge" = Style::new().fg(Color::Black).bg(Color::LightYellow).add_modifier(Modifier::BOLD),
    /// The investigator's own: the `✎` mark on noted rows, tags on the card.
    Noted "noted" = Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD),
    /// A flag on a placeholder.
    BadgePlaceholder "badge_placeholder" = Style::new().fg(Color::DarkGray).add_modifier(Modifier::REVERSED),
    /// The characters a search matched.
    Match "match" = Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED)),
    /// Something to heed: no source, a weak search hit, a file about to be
    /// overwritten, a fetch under way.
    Warning "warning" = Style::new().fg(Color::Yellow),
    /// Something wrong: a refused input, an entity outside the filter.
    Error "error" = Style::new().fg(Color::Red),
    /// A message in the status bar.
    Status "status" = Style::new().fg(Color::White),
    /// An error message in the status bar.
    StatusError "status_error" = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    /// What appeared with the last step of the date window (`+`).
    Appeared "appeared" = Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
    /// What ended with the last step of the date window (`−`).
    Ended "ended" = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    /// The review queue: a property both records give alike.
    ReviewSame "review_same" = Style::new().fg(Color::Green),
    /// The review queue: a property the two records give differently.
    ReviewDiffers "review_differs" = Style::new().fg(Color::Red),
    /// The review queue: a property only one record gives.
    ReviewOneSide "review_one_side" = Style::new().fg(Color::DarkGray),
    /// The chosen export format.
    Chosen "chosen" = Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
    /// A text field's marker (`> `) in the search popup.
    SearchInput "search_input" = Style::new().fg(Color::Cyan),
    /// A text field's marker (`> `) in a prompt.
    PromptInput "prompt_input" = Style::new().fg(Color::Yellow),
    /// Text that typing will replace.
    InputSelected "input_selected" = Style::new().add_modifier(Modifier::REVERSED),
    /// The loading screen's progress bar.
    Progress "progress" = Style::new().fg(Color::Cyan),
    /// The map's relation lines.
    MapEdge "map_edge" = Style::new().fg(Color::DarkGray),
    /// Map group: people.
    GroupPeople "group_people" = Style::new().fg(Color::LightYellow),
    /// Map group: ministries, organisations, companies.
    GroupBodies "group_bodies" = Style::new().fg(Color::LightBlue),
    /// Map group: countries and places.
    GroupPlaces "group_places" = Style::new().fg(Color::LightGreen),
    /// Map group: programmes, funds, campaigns, tranches.
    GroupMoney "group_money" = Style::new().fg(Color::LightMagenta),
    /// Map group: agreements, events, coalitions.
    GroupAgreements "group_agreements" = Style::new().fg(Color::LightCyan),
    /// Map group: every other kind.
    GroupOther "group_other" = Style::new().fg(Color::Gray),
    /// A money chart's line of money coming in (promised money is dotted).
    ChartIn "chart_in" = Style::new().fg(Color::Green),
    /// A money chart's line of money going out.
    ChartOut "chart_out" = Style::new().fg(Color::Magenta),
    /// A money chart's line of amounts a relation only states.
    ChartStated "chart_stated" = Style::new().fg(Color::Gray),
    /// A chart's axes and their labels.
    ChartAxis "chart_axis" = Style::new().fg(Color::DarkGray),
    /// A score drawn as a bar (the rank panel).
    Bar "bar" = Style::new().fg(Color::Cyan),
}

impl Role {
    /// The map's colour groups, in the order of `map::GROUPS`.
    pub const GROUPS: [Role; 6] = [
        Role::GroupPeople,
        Role::GroupBodies,
        Role::GroupPlaces,
        Role::GroupMoney,
        Role::GroupAgreements,
        Role::GroupOther,
    ];
}

/// How every role looks in this run.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    styles: BTreeMap<Role, Style>,
}

impl Default for Theme {
    /// The built-in look.
    fn default() -> Theme {
        Theme {
            styles: Role::ALL.iter().map(|&r| (r, r.default_style())).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename = "Theme", deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    colors: BTreeMap<String, String>,
    #[serde(default)]
    roles: BTreeMap<String, String>,
}

/// Why a theme file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ThemeError {
    pub file: String,
    pub message: String,
}

impl Theme {
    /// The style of `role`.
    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }

    /// The foreground colour of `role`, for what takes a colour rather than a
    /// style (the map's lines); the terminal's own when the role has none.
    pub fn fg(&self, role: Role) -> Color {
        self.style(role).fg.unwrap_or(Color::Reset)
    }

    /// The style of the map's colour group `i` (`map::kind_group`).
    pub fn group(&self, i: usize) -> Style {
        self.style(Role::GROUPS[i.min(Role::GROUPS.len() - 1)])
    }

    /// No colour at all (`NO_COLOR`): every colour dropped, and what had a
    /// background shown in reverse video so that selections stay visible.
    pub fn monochrome() -> Theme {
        let styles = Role::ALL
            .iter()
            .map(|&r| {
                let s = r.default_style();
                let mut plain = Style::new()
                    .add_modifier(s.add_modifier)
                    .remove_modifier(s.sub_modifier);
                if s.bg.is_some() {
                    plain = plain.add_modifier(Modifier::REVERSED);
                }
                (r, plain)
            })
            .collect();
        Theme { styles }
    }

    /// The theme for this run: monochrome when `no_color`, else the defaults
    /// changed by the file at `path` (if there is one).
    pub fn load(path: Option<&Path>, no_color: bool) -> Result<Theme, ThemeError> {
        if no_color {
            return Ok(Theme::monochrome());
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

    /// Parses a theme file (the shape is in this module's documentation).
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
        let colour =
            |s: &str| Color::from_str(s).map_err(|_| err(format!("`{s}` is not a colour")));
        let mut remap = Vec::new();
        for (from, to) in &file.colors {
            remap.push((colour(from)?, colour(to)?));
        }
        let mapped = |c: Option<Color>| {
            c.map(|c| {
                remap
                    .iter()
                    .find(|(from, _)| *from == c)
                    .map_or(c, |&(_, to)| to)
            })
        };
        let mut theme = Theme::default();
        for style in theme.styles.values_mut() {
            style.fg = mapped(style.fg);
            style.bg = mapped(style.bg);
        }
        for (role_name, spec) in &file.roles {
            let Some(&role) = Role::ALL.iter().find(|r| r.name() == role_name) else {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
                return Err(err(format!(
                    "`{role_name}` is not a role (roles: {})",
                    names.join(", ")
                )));
            };
            let style = parse_style(spec).map_err(|m| err(format!("{role_name}: {m}")))?;
            theme.styles.insert(role, style);
        }
        Ok(theme)
    }
}

/// `black on light-yellow bold` → a style.
fn parse_style(spec: &str) -> Result<Style, String> {
    let mut style = Style::new();
    let mut words = spec.split_whitespace();
    let mut any = false;
    while let Some(word) = words.next() {
        any = true;
        let modifier = match word {
            "bold" => Some(Modifier::BOLD),
            "dim" => Some(Modifier::DIM),
            "italic" => Some(Modifier::ITALIC),
            "underlined" => Some(Modifier::UNDERLINED),
            "reversed" => Some(Modifier::REVERSED),
            _ => None,
        };
        if let Some(m) = modifier {
            style = style.add_modifier(m);
        } else if word == "on" {
            let Some(bg) = words.next() else {
                return Err(format!("`{spec}`: `on` needs a colour after it"));
            };
            let c = Color::from_str(bg).map_err(|_| format!("`{bg}` is not a colour"))?;
            style = style.bg(c);
        } else {
            let c = Color::from_str(word).map_err(|_| {
                format!(
                    "`{word}` is not a colour or one of bold, dim, italic, underlined, reversed"
                )
            })?;
            style = style.fg(c);
        }
    }
    if !any {
        return Err("an empty style (give e.g. \"green\" or \"bold\")".into());
    }
    Ok(style)
}

/// Where a user theme is looked for: `<config dir>/ties/theme.ron`.
pub fn user_theme_path() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("", "", "ties").map(|d| d.config_dir().join("theme.ron"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_file_remaps_colours_and_sets_roles() {
        let t = Theme::parse(
            "t.ron",
            r##"Theme(colors: {"cyan": "#5fafff", "blue": "red"}, roles: {"money": "black on light-yellow bold"})"##,
        )
        .unwrap();
        // Every role drawn in cyan now is drawn in the new colour, and only those.
        assert_eq!(t.fg(Role::Kind), Color::Rgb(0x5f, 0xaf, 0xff));
        assert_eq!(t.fg(Role::BorderFocused), Color::Rgb(0x5f, 0xaf, 0xff));
        assert_eq!(t.style(Role::Selection).bg, Some(Color::Red));
        assert_eq!(t.style(Role::Selection).fg, Some(Color::White));
        assert_eq!(t.style(Role::Date), Theme::default().style(Role::Date));
        // A role given whole.
        assert_eq!(
            t.style(Role::Money),
            Style::new()
                .fg(Color::Black)
                .bg(Color::LightYellow)
                .add_modifier(Modifier::BOLD)
        );
    }

    #[test]
    fn a_bad_theme_file_is_refused_with_what_is_wrong() {
        let e = Theme::parse("t.ron", r#"Theme(colors: {"cyan": "mauve-ish"})"#).unwrap_err();
        assert!(e.to_string().contains("`mauve-ish` is not a colour"), "{e}");
        let e = Theme::parse("t.ron", r#"Theme(roles: {"monay": "green"})"#).unwrap_err();
        assert!(
            e.to_string().starts_with("t.ron: `monay` is not a role"),
            "{e}"
        );
        assert!(e.to_string().contains("money"), "names the roles: {e}");
        let e = Theme::parse("t.ron", r#"Theme(roles: {"money": "green on"})"#).unwrap_err();
        assert!(e.to_string().contains("money: "), "{e}");
        let e = Theme::parse("t.ron", r#"Theme(roles: {"money": "blinking"})"#).unwrap_err();
        assert!(e.to_string().contains("`blinking` is not a colour"), "{e}");
        let e = Theme::parse("t.ron", "Theme(colours: {})").unwrap_err();
        assert!(e.to_string().starts_with("t.ron: 1:"), "{e}");
    }

    #[test]
    fn every_role_has_a_unique_name_and_a_look() {
        let t = Theme::default();
        let mut names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Role::ALL.len());
        for &r in Role::ALL {
            assert_ne!(
                t.style(r),
                Style::new(),
                "{} looks like plain text",
                r.name()
            );
        }
    }

    #[test]
    fn no_color_removes_colours_and_keeps_selection_visible() {
        let t = Theme::load(None, true).unwrap();
        for &r in Role::ALL {
            let s = t.style(r);
            assert_eq!((s.fg, s.bg), (None, None), "{}", r.name());
        }
        assert!(
            t.style(Role::Selection)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            t.style(Role::Badge)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            t.style(Role::Appeared)
                .add_modifier
                .contains(Modifier::BOLD)
        );
        assert!(
            !t.style(Role::Kind)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert_eq!(t.fg(Role::MapEdge), Color::Reset);
    }
}
