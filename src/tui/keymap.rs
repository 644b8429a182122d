//! The key map is data: defaults in `assets/keymap.ron`, a user file merged over
//! them, conflicts refused when loading. The help screen is generated from it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use super::action::Action;

/// The built-in key map.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.ron");

/// The explorer's input modes; each has its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Browse,
    Search,
    Prompt,
    Export,
    Map,
    Mark,
    List,
    /// The ranking, common-ties and changes panels.
    Analysis,
    Help,
    /// The note editor: unbound keys edit the text.
    Note,
    /// The review queue.
    Review,
    /// A checklist (the dataset filter).
    Checklist,
}

impl Mode {
    pub const ALL: [Mode; 12] = [
        Mode::Browse,
        Mode::Map,
        Mode::Search,
        Mode::Prompt,
        Mode::Export,
        Mode::Mark,
        Mode::List,
        Mode::Analysis,
        Mode::Help,
        Mode::Note,
        Mode::Review,
        Mode::Checklist,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Browse => "browse",
            Mode::Search => "search",
            Mode::Prompt => "prompt",
            Mode::Export => "export",
            Mode::List => "list",
            Mode::Mark => "mark",
            Mode::Map => "map",
            Mode::Analysis => "analysis",
            Mode::Help => "help",
            Mode::Note => "note",
            Mode::Review => "review",
            Mode::Checklist => "checklist",
        }
    }

    /// Text-entry modes type unbound characters.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Mode::Search | Mode::Prompt | Mode::Export | Mode::Mark
        )
    }
}

/// A key with its modifiers, as written in a key-map file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` subset that can be ordered and named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyCodeOrd {
    Char(char),
    Named(&'static str),
    F(u8),
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("insert", KeyCode::Insert),
];

impl Key {
    /// Parses `q`, `L`, `?`, `enter`, `ctrl-c`, `alt-x`, `f1`, `space`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = if rest == "space" {
            KeyCodeOrd::Char(' ')
        } else if let Some(&(name, _)) = NAMED.iter().find(|(n, _)| *n == rest) {
            KeyCodeOrd::Named(name)
        } else if let Some(n) = rest
            .strip_prefix('f')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=12).contains(n))
        {
            KeyCodeOrd::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCodeOrd::Char(c),
                _ => return None,
            }
        };
        Some(Key { code, ctrl, alt })
    }

    /// The key a terminal event stands for, if it can be bound.
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            other => {
                let &(name, _) = NAMED.iter().find(|(_, k)| *k == other)?;
                KeyCodeOrd::Named(name)
            }
        };
        Some(Key { code, ctrl, alt })
    }
}

impl Key {
    /// The terminal event this key stands for (for widgets that read events,
    /// such as the note editor's text area).
    pub fn event(&self, shift: bool) -> KeyEvent {
        let code = match self.code {
            KeyCodeOrd::Char(c) => KeyCode::Char(c),
            KeyCodeOrd::F(n) => KeyCode::F(n),
            KeyCodeOrd::Named(name) => NAMED
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(KeyCode::Null, |&(_, k)| k),
        };
        let mut mods = KeyModifiers::NONE;
        mods.set(KeyModifiers::CONTROL, self.ctrl);
        mods.set(KeyModifiers::ALT, self.alt);
        mods.set(KeyModifiers::SHIFT, shift);
        KeyEvent::new(code, mods)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::Named(n) => f.write_str(n),
            KeyCodeOrd::F(n) => write!(f, "f{n}"),
        }
    }
}

/// The file shape: for each mode, action → keys.
#[derive(Debug, Default, Deserialize)]
#[serde(rename = "KeyMap", deny_unknown_fields)]
struct KeyMapFile {
    #[serde(default)]
    browse: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    search: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    prompt: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    export: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    list: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    mark: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    map: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    analysis: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    help: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    note: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    review: BTreeMap<Action, Vec<String>>,
    #[serde(default)]
    checklist: BTreeMap<Action, Vec<String>>,
}

impl KeyMapFile {
    fn mode(&self, mode: Mode) -> &BTreeMap<Action, Vec<String>> {
        match mode {
            Mode::Browse => &self.browse,
            Mode::Search => &self.search,
            Mode::Prompt => &self.prompt,
            Mode::Export => &self.export,
            Mode::List => &self.list,
            Mode::Mark => &self.mark,
            Mode::Map => &self.map,
            Mode::Analysis => &self.analysis,
            Mode::Help => &self.help,
            Mode::Note => &self.note,
            Mode::Review => &self.review,
            Mode::Checklist => &self.checklist,
        }
    }
}

/// Why a key map was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyMapError {
    #[error("{file}:{line}:{col}: {message}")]
    Syntax {
        file: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error(
        "{file}: {mode} mode: `{key}` is not a key name (try e.g. \"q\", \"enter\", \"ctrl-c\", \"f1\")"
    )]
    BadKey {
        file: String,
        mode: &'static str,
        key: String,
    },
    #[error("{file}: {mode} mode: `{key}` is bound to both `{first}` and `{second}`")]
    Conflict {
        file: String,
        mode: &'static str,
        key: String,
        first: String,
        second: String,
    },
}

/// Resolved bindings for every mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    modes: BTreeMap<Mode, BTreeMap<Key, Action>>,
    /// Per mode, action → keys, in the order written: for the help screen.
    listing: BTreeMap<Mode, Vec<(Action, Vec<Key>)>>,
}

fn parse_file(name: &str, text: &str) -> Result<KeyMapFile, KeyMapError> {
    ron::from_str(text).map_err(|e| KeyMapError::Syntax {
        file: name.to_string(),
        line: e.span.start.line,
        col: e.span.start.col,
        message: e.code.to_string(),
    })
}

fn action_name(a: &Action) -> String {
    ron::to_string(a).unwrap_or_else(|_| format!("{a:?}"))
}

impl KeyMap {
    /// The built-in key map.
    pub fn default_map() -> KeyMap {
        KeyMap::merged(None).expect("the built-in key map is valid")
    }

    /// The defaults with a user file (name, text) merged over them.
    pub fn merged(user: Option<(&str, &str)>) -> Result<KeyMap, KeyMapError> {
        let defaults = parse_file("<built-in>/keymap.ron", DEFAULT_KEYMAP)?;
        let user = match user {
            Some((name, text)) => Some((name, parse_file(name, text)?)),
            None => None,
        };
        let mut modes = BTreeMap::new();
        let mut listing = BTreeMap::new();
        for mode in Mode::ALL {
            let mut actions: BTreeMap<Action, (Vec<String>, String)> = defaults
                .mode(mode)
                .iter()
                .map(|(a, keys)| (a.clone(), (keys.clone(), "<built-in>/keymap.ron".into())))
                .collect();
            if let Some((name, file)) = &user {
                for (a, keys) in file.mode(mode) {
                    actions.insert(a.clone(), (keys.clone(), name.to_string()));
                }
            }
            let mut bound: BTreeMap<Key, Action> = BTreeMap::new();
            // Which file gave each key its action, to blame the user's file (not
            // the defaults) for a conflict it causes.
            let mut from_file: BTreeMap<Key, String> = BTreeMap::new();
            let mut list = Vec::new();
            for (action, (keys, file)) in &actions {
                let mut parsed = Vec::new();
                for k in keys {
                    let key = Key::parse(k).ok_or_else(|| KeyMapError::BadKey {
                        file: file.clone(),
                        mode: mode.name(),
                        key: k.clone(),
                    })?;
                    if let Some(prev) = bound.get(&key)
                        && prev != action
                    {
                        let builtin = "<built-in>/keymap.ron";
                        let blame = if file == builtin {
                            from_file.get(&key).cloned().unwrap_or_else(|| file.clone())
                        } else {
                            file.clone()
                        };
                        return Err(KeyMapError::Conflict {
                            file: blame,
                            mode: mode.name(),
                            key: key.to_string(),
                            first: action_name(prev),
                            second: action_name(action),
                        });
                    }
                    bound.insert(key, action.clone());
                    from_file.insert(key, file.clone());
                    parsed.push(key);
                }
                list.push((action.clone(), parsed));
            }
            modes.insert(mode, bound);
            listing.insert(mode, list);
        }
        Ok(KeyMap { modes, listing })
    }

    /// Loads the defaults and, if it exists, the user file at `path`.
    pub fn load(path: Option<&Path>) -> Result<KeyMap, KeyMapError> {
        let Some(path) = path else {
            return KeyMap::merged(None);
        };
        match std::fs::read_to_string(path) {
            Ok(text) => KeyMap::merged(Some((&path.display().to_string(), &text))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => KeyMap::merged(None),
            Err(e) => Err(KeyMapError::Syntax {
                file: path.display().to_string(),
                line: 0,
                col: 0,
                message: e.to_string(),
            }),
        }
    }

    /// The action a key event triggers in a mode. In text modes an unbound
    /// printable character is typed; in the note editor every unbound key
    /// edits the text.
    pub fn action(&self, mode: Mode, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev)?;
        if let Some(a) = self.modes.get(&mode).and_then(|m| m.get(&key)) {
            return Some(a.clone());
        }
        if mode == Mode::Note {
            return Some(Action::Edit(super::action::EditKey(*ev)));
        }
        match (mode.is_text(), key.code, key.ctrl || key.alt) {
            (true, KeyCodeOrd::Char(c), false) => Some(Action::Type(c)),
            _ => None,
        }
    }

    /// The first key bound to `action` in `mode`, for hints.
    pub fn key_for(&self, mode: Mode, action: &Action) -> Option<Key> {
        self.listing
            .get(&mode)?
            .iter()
            .find(|(a, _)| a == action)
            .and_then(|(_, keys)| keys.first().copied())
    }

    /// Every key bound to `action` in `mode`, in the order written.
    pub fn keys_for(&self, mode: Mode, action: &Action) -> &[Key] {
        self.listing
            .get(&mode)
            .and_then(|list| list.iter().find(|(a, _)| a == action))
            .map_or(&[], |(_, keys)| keys.as_slice())
    }

    /// The name of the first key bound to `action` in `mode` (`enter`, `?`,
    /// `ctrl-c`), to name it in a hint or a message; when nothing is bound, the
    /// action's name in a key-map file in angle brackets (`<date_filter>`), so
    /// the text still says what to bind.
    pub fn key(&self, mode: Mode, action: &Action) -> String {
        match self.key_for(mode, action) {
            Some(k) => k.to_string(),
            None => format!("<{}>", action_name(action)),
        }
    }

    /// Hints such as `tab measure · e export`: each action's first key in
    /// `mode` and what it does, joined by ` · `; an action with no key there
    /// is left out.
    pub fn hints(&self, mode: Mode, hints: &[(Action, &str)]) -> String {
        hints
            .iter()
            .filter_map(|(a, what)| self.key_for(mode, a).map(|k| format!("{k} {what}")))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// The keys that move in `mode`: `arrows` when the four arrow keys do,
    /// else the first keys of up, down, left and right (`k/j/h/l`).
    pub fn arrows(&self, mode: Mode) -> String {
        let moves = [
            (Action::Up, "up"),
            (Action::Down, "down"),
            (Action::Left, "left"),
            (Action::Right, "right"),
        ];
        let arrows = moves.iter().all(|(a, name)| {
            Key::parse(name).is_some_and(|arrow| self.keys_for(mode, a).contains(&arrow))
        });
        if arrows {
            return "arrows".into();
        }
        moves
            .iter()
            .map(|(a, _)| self.key(mode, a))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Every binding of a mode: (keys joined, description), for the help screen.
    pub fn help(&self, mode: Mode) -> Vec<(String, &'static str)> {
        self.listing
            .get(&mode)
            .map(|list| {
                list.iter()
                    .filter(|(_, keys)| !keys.is_empty())
                    .map(|(a, keys)| {
                        let ks: Vec<String> = keys.iter().map(Key::to_string).collect();
                        (ks.join(" "), a.describe())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Where a user key map is looked for: `<config dir>/ties/keymap.ron`.
pub fn user_keymap_path() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("", "", "ties").map(|d| d.config_dir().join("keymap.ron"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyEventKind, KeyEventState};

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    #[test]
    fn defaults_bind_the_documented_keys() {
        let km = KeyMap::default_map();
        let b = |c| km.action(Mode::Browse, &ev(KeyCode::Char(c), KeyModifiers::NONE));
        assert_eq!(b('j'), Some(Action::Down));
        assert_eq!(b('L'), Some(Action::Forward));
        assert_eq!(b('/'), Some(Action::Search));
        assert_eq!(b('x'), None);
        assert_eq!(
            km.action(Mode::Browse, &ev(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Follow)
        );
        assert_eq!(
            km.action(Mode::Browse, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn text_modes_type_unbound_characters() {
        let km = KeyMap::default_map();
        let s = |c| km.action(Mode::Search, &ev(KeyCode::Char(c), KeyModifiers::NONE));
        assert_eq!(s('q'), Some(Action::Type('q')));
        assert_eq!(s('ū'), Some(Action::Type('ū')));
        assert_eq!(
            km.action(Mode::Search, &ev(KeyCode::Char('L'), KeyModifiers::SHIFT)),
            Some(Action::Type('L'))
        );
    }

    #[test]
    fn user_file_overrides_one_action() {
        let user = "KeyMap(browse: { quit: [\"x\"] })";
        let km = KeyMap::merged(Some(("user.ron", user))).unwrap();
        let b = |c| km.action(Mode::Browse, &ev(KeyCode::Char(c), KeyModifiers::NONE));
        assert_eq!(b('x'), Some(Action::Quit));
        assert_eq!(b('q'), None);
        assert_eq!(b('j'), Some(Action::Down));
    }

    #[test]
    fn conflicts_are_refused_with_the_key_and_both_actions() {
        let user = "KeyMap(browse: { quit: [\"j\"] })";
        let err = KeyMap::merged(Some(("user.ron", user))).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("user.ron:"),
            "blames the user's file: {msg}"
        );
        assert!(msg.contains("`j`"), "{msg}");
        assert!(msg.contains("down") && msg.contains("quit"), "{msg}");
    }

    #[test]
    fn bad_key_names_and_syntax_are_reported_with_position() {
        let err =
            KeyMap::merged(Some(("u.ron", "KeyMap(browse: { quit: [\"hyper-q\"] })"))).unwrap_err();
        assert!(matches!(err, KeyMapError::BadKey { .. }), "{err}");
        let err = KeyMap::merged(Some(("u.ron", "KeyMap(browse: { quit: [\"q\" }"))).unwrap_err();
        assert!(err.to_string().starts_with("u.ron:1:"), "{err}");
        let err = KeyMap::merged(Some(("u.ron", "KeyMap(browse: { fly: [\"q\"] })"))).unwrap_err();
        assert!(matches!(err, KeyMapError::Syntax { .. }), "{err}");
    }

    #[test]
    fn hints_name_the_keys_bound_now() {
        let km = KeyMap::default_map();
        assert_eq!(km.key(Mode::Browse, &Action::Help), "?");
        assert_eq!(
            km.hints(
                Mode::Analysis,
                &[
                    (Action::NextMeasure, "measure"),
                    (Action::ExportResult, "export")
                ]
            ),
            "tab measure · e export"
        );
        assert_eq!(km.arrows(Mode::Map), "arrows");
        let user = "KeyMap(analysis: { next_measure: [\"n\"], export_result: [] }, \
                    map: { up: [\"w\"], left: [\"a\", \"left\"] }, browse: { date_filter: [] })";
        let km = KeyMap::merged(Some(("user.ron", user))).unwrap();
        assert_eq!(
            km.hints(
                Mode::Analysis,
                &[
                    (Action::NextMeasure, "measure"),
                    (Action::ExportResult, "export")
                ]
            ),
            "n measure",
            "an unbound action is left out"
        );
        assert_eq!(km.arrows(Mode::Map), "w/j/a/l");
        assert_eq!(km.key(Mode::Browse, &Action::DateFilter), "<date_filter>");
    }

    #[test]
    fn help_lists_every_bound_action() {
        let km = KeyMap::default_map();
        let help = km.help(Mode::Browse);
        assert!(help.iter().any(|(k, d)| k == "j down" && *d == "next line"));
        assert!(help.iter().any(|(k, _)| k == "L"));
    }
}
