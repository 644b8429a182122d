//! The explorer's look comes from one place: colours from the theme
//! (`src/tui/theme.rs` is the only file that names one).

use std::path::{Path, PathBuf};

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
