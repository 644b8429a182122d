//! The explorer's look and hints come from one place each: colours from the
//! theme (`src/tui/theme.rs` is the only file that names one), key names from
//! the key map (no hint spells a key; a rebound key shows in its hints).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::common::screen::{run, screen, typed};
use ties::search::SearchIndex;
use ties::tui::keymap::Mode;
use ties::tui::{Action, App, KeyMap};

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// What a Rust file holds, lexed just enough: its code (strings blanked) and its
/// string literals, each with its line; comments dropped.
struct Lexed {
    code: String,
    strings: Vec<(usize, String)>,
}

fn lex(text: &str) -> Lexed {
    let chars: Vec<char> = text.chars().collect();
    let (mut code, mut strings) = (String::new(), Vec::new());
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '"' || raw_string_at(&chars, i).is_some() {
            // A string, or a raw string r"…" / r#"…"#.
            let raw = c == 'r';
            let hashes = raw_string_at(&chars, i).unwrap_or(0);
            i += if raw { 2 + hashes } else { 1 }; // to after the opening quote
            let (start_line, mut s) = (line, String::new());
            while i < chars.len() {
                let ch = chars[i];
                if !raw && ch == '\\' {
                    s.push(ch);
                    s.push(chars[i + 1]);
                    line += usize::from(chars[i + 1] == '\n');
                    i += 2;
                    continue;
                }
                if ch == '"' && (0..hashes).all(|k| chars.get(i + 1 + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                line += usize::from(ch == '\n');
                s.push(ch);
                i += 1;
            }
            strings.push((start_line, s));
            code.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\'', '"') is skipped; a lifetime is code.
            let end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&k| chars[k] == '\'')
            } else {
                (chars.get(i + 2) == Some(&'\'')).then_some(i + 2)
            };
            match end {
                Some(e) => i = e + 1,
                None => {
                    code.push(c);
                    i += 1;
                }
            }
        } else {
            line += usize::from(c == '\n');
            code.push(c);
            i += 1;
        }
    }
    Lexed { code, strings }
}

/// The number of `#` of a raw string starting at `i` (`r"`, `r#"`), if one does.
fn raw_string_at(chars: &[char], i: usize) -> Option<usize> {
    if chars[i] != 'r' || (i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')) {
        return None;
    }
    let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
    (chars.get(i + 1 + hashes) == Some(&'"')).then_some(hashes)
}

/// Whether `word` occurs in `text` with no identifier character either side.
fn has_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(is_ident)
            && !text[i + word.len()..].chars().next().is_some_and(is_ident)
    })
}

#[test]
fn the_lexer_sees_code_strings_and_comments_apart() {
    let l = lex(
        "let c = Color::Red; // Color::Blue\n/* Color::Green */ let s = \"Color::X \\\" esc\";\nlet q = '\"'; fn f<'a>() {}\nlet r = r#\"raw \"enter\"\"#;",
    );
    assert!(has_word(&l.code, "Color"));
    assert!(!l.code.contains("Blue") && !l.code.contains("Green"));
    assert!(!l.code.contains("Color::X"), "{}", l.code);
    assert!(l.code.contains("fn f<'a>"), "{}", l.code);
    let strings: Vec<&str> = l.strings.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(strings, ["Color::X \\\" esc", "raw \"enter\""]);
    assert_eq!(l.strings[1].0, 4, "the line of the raw string");
    assert!(!has_word("ParseColorError", "Color"));
}

/// No file under `src/` but the theme names a colour: not `Color` (the type,
/// its variants, an import of it), nor a colour shorthand such as `.red()`.
#[test]
fn no_colour_is_named_outside_the_theme() {
    let mut files = Vec::new();
    rs_files(Path::new("src"), &mut files);
    assert!(files.len() > 50, "src/ read from the crate root");
    let theme = Path::new("src/tui/theme.rs");
    assert!(files.iter().any(|f| f == theme));
    let shorthands = [
        "black",
        "red",
        "green",
        "yellow",
        "blue",
        "magenta",
        "cyan",
        "gray",
        "dark_gray",
        "light_red",
        "light_green",
        "light_yellow",
        "light_blue",
        "light_magenta",
        "light_cyan",
        "white",
    ];
    let mut found = Vec::new();
    for f in files.iter().filter(|f| *f != theme) {
        let code = lex(&std::fs::read_to_string(f).unwrap()).code;
        for (n, l) in code.lines().enumerate() {
            let shorthand = shorthands
                .iter()
                .any(|c| l.contains(&format!(".{c}()")) || l.contains(&format!(".on_{c}()")));
            if has_word(l, "Color") || shorthand {
                found.push(format!("{}:{}: {}", f.display(), n + 1, l.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "colours named outside the theme:\n{}",
        found.join("\n")
    );
}

/// Hint text that names a key itself, kept on purpose: while the graph loads
/// no key is read, and Ctrl-C is the terminal's interrupt.
const ALLOWED: [&str; 1] = ["Ctrl-C stops"];

/// No string in the explorer's drawing and messages spells a key: the keys
/// named in hints are looked up in the key map. A key is a name the key map
/// knows (`esc`, `enter`, `tab`, `backspace`, `ctrl-…`, `f1`…) or a one-character
/// key bound while browsing (`d`, `?`, `$`, `]`), standing alone in the text.
#[test]
fn no_hint_spells_a_key() {
    let km = KeyMap::default_map();
    // Key names that are also plain words in sentences are left out.
    let words = ["up", "down", "left", "right", "home", "end", "space"];
    let mut named: Vec<String> = Vec::new();
    let mut single: Vec<String> = Vec::new();
    for mode in Mode::ALL {
        for (keys, _) in km.help(mode) {
            for k in keys.split(' ') {
                let name = k.trim_start_matches("ctrl-").trim_start_matches("alt-");
                if k.chars().count() == 1 {
                    // `/` also separates alternatives in prose (`on / off`).
                    if mode == Mode::Browse && k != "/" {
                        single.push(k.to_string());
                    }
                } else if k != name || !words.contains(&k) {
                    named.push(k.to_string());
                }
            }
        }
    }
    named.extend(["ctrl".into(), "alt".into()]);
    assert!(named.iter().any(|k| k == "esc") && single.iter().any(|k| k == "?"));
    let mut files = Vec::new();
    rs_files(Path::new("src/tui"), &mut files);
    let mut found = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy();
        // The key map's own names, and tests (which say which key they press).
        if name == "keymap.rs" || name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap();
        for (line, s) in lex(text).strings {
            // A one-character string is a suffix or a marker (`"s"`, `"+"`).
            if ALLOWED.contains(&s.as_str()) || s.chars().count() < 2 {
                continue;
            }
            // Format arguments (`{:>3}`, `{name}`) are not text.
            let s = without_arguments(&s);
            let lower = s.to_lowercase();
            let named_hit = named.iter().find(|k| has_word(&lower, k));
            let single_hit = s
                .split(|c: char| c.is_whitespace() || "(),;:".contains(c))
                .find(|t| single.iter().any(|k| k == t));
            if let Some(k) = named_hit.map(String::as_str).or(single_hit) {
                found.push(format!("{}:{line}: `{k}` in {s:?}", f.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "key names spelled in hints:\n{}",
        found.join("\n")
    );
}

/// `s` with each `{…}` of a format string replaced by `_`.
fn without_arguments(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push('_');
                }
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn fixture() -> Arc<ties::Graph> {
    let text = std::fs::read_to_string("tests/fixtures/small.ron").unwrap();
    Arc::new(ties::load::load_texts(vec![("small.ron".into(), text)]).unwrap())
}

/// Every key a hint names, moved to another.
const REBOUND: &str = r#"KeyMap(
    browse: {
        help: ["f2"], rank: ["R"], set_mark: ["b"], toggle_undated: ["U"],
        date_filter: ["y"], money: ["%"], step_forward: [">"], step_back: ["<"],
    },
    map: {
        up: ["w"], submit: ["o"], deeper: ["x"], shallower: ["z"], map: ["v"], help: ["f3"],
    },
    list: { submit: ["o"] },
    analysis: { next_measure: ["n"], export_result: ["x"], close: ["b"] },
    export: { next_format: ["f4"], submit: ["ctrl-s"], close: ["ctrl-g"] },
    prompt: { delete_char: ["ctrl-h"] },
)"#;

fn rebound_app(focus: &str) -> App {
    let graph = fixture();
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find(focus);
    let km = KeyMap::merged(Some(("rebound.ron", REBOUND))).unwrap();
    App::new(graph, index, km, focus).unwrap()
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap()
}

#[test]
fn rebound_keys_show_in_the_status_bar_and_popups() {
    let mut app = rebound_app("lithuania");
    let s = screen(&mut app, 120, 20);
    assert!(last_line(&s).trim_end().ends_with("f2 help"), "{s}");
    assert!(!s.contains("? help"), "{s}");

    // Hints in status messages.
    app.update(Action::JumpToMark);
    let s = screen(&mut app, 120, 20);
    assert!(
        s.contains("no marks yet: b and a letter marks an entity"),
        "{s}"
    );
    app.update(Action::Changes);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("move the date window with > or <"), "{s}");
    app.update(Action::StepForward);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("set one with y (e.g. 2024)"), "{s}");

    // The map: its legend and its own help key.
    app.update(Action::Map);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("w/j/h/l · o · x/z · v"), "{s}");
    assert!(!s.contains("arrows · enter"), "{s}");
    assert!(last_line(&s).trim_end().ends_with("f3 help"), "{s}");
    app.update(Action::Map);

    // A list's border; a popup without a help key shows none.
    app.update(Action::Money);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("· o goes there"), "{s}");
    assert!(
        !s.contains("enter goes there") && !s.contains("help"),
        "{s}"
    );
    app.update(Action::Close);

    // The ranking's border.
    app.update(Action::Rank);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("n measure · x export"), "{s}");
    assert!(!s.contains("tab measure"), "{s}");
    app.update(Action::Close);

    // The export popup's format hint.
    app.update(Action::Export);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("(f4)") && !s.contains("(tab)"), "{s}");
    app.update(Action::Close);

    // A refused date says how to edit it.
    app.update(Action::DateFilter);
    run(&mut app, typed("2024-02-30"));
    app.update(Action::Submit);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("ctrl-h edits it"), "{s}");
    assert!(!s.contains("backspace"), "{s}");
    app.update(Action::Close);

    // The help: section titles and the notes on dates and money.
    app.update(Action::Help);
    let s = screen(&mut app, 200, 200);
    assert!(
        s.contains("Ranking (R), common ties (C) and changes (c)"),
        "{s}"
    );
    assert!(s.contains("After b or '"), "{s}");
    assert!(
        s.contains("A date window (y) keeps undated relations"),
        "{s}"
    );
    assert!(s.contains("U hides them"), "{s}");
    assert!(s.contains("money (%) and the timeline (t)"), "{s}");
}

#[test]
fn an_unbound_hint_is_left_out() {
    let graph = fixture();
    let index = Arc::new(SearchIndex::build(&graph));
    let focus = graph.find("lithuania");
    let user = r#"KeyMap(browse: { help: [] }, list: { submit: [] })"#;
    let km = KeyMap::merged(Some(("unbound.ron", user))).unwrap();
    let mut app = App::new(graph, index, km, focus).unwrap();
    let s = screen(&mut app, 120, 20);
    assert!(!s.contains("help"), "{s}");
    app.update(Action::Money);
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("money of Lithuania"), "{s}");
    assert!(!s.contains("goes there"), "{s}");
}

/// `--theme`: a file that restyles roles is taken; one naming an unknown role
/// is refused before anything is read, naming the file and the role.
#[test]
fn a_theme_file_is_checked_when_the_explorer_starts() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.ron");
    std::fs::write(
        &good,
        r##"Theme(colors: {"cyan": "#5fafff"}, roles: {"money": "light-green bold", "selection": "black on light-yellow"})"##,
    )
    .unwrap();
    let (code, _, err) = crate::common::ties()
        .env("NO_COLOR", "")
        .arg("--theme")
        .arg(&good)
        .run();
    // Accepted: the explorer gets as far as wanting a terminal.
    assert_ne!(code, 0);
    assert!(err.contains("terminal") && !err.contains("theme"), "{err}");
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, r#"Theme(roles: {"monay": "green"})"#).unwrap();
    let (code, _, err) = crate::common::ties()
        .env("NO_COLOR", "")
        .arg("--theme")
        .arg(&bad)
        .run();
    assert_ne!(code, 0);
    assert!(
        err.contains("bad.ron") && err.contains("`monay` is not a role"),
        "{err}"
    );
}
