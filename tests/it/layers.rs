//! The layers of `src/` stay as ARCHITECTURE.md draws them: no two top-level
//! modules import each other, directly or round a longer circle, and library
//! code (everything but `cli` and `tui`) neither prints nor reads the
//! environment.
//!
//! How: every `.rs` file under `src/` is read, comments dropped, and each
//! `crate::x` (also inside `use crate::{x, y::z}`) and each `super::` that
//! climbs to the crate root names a dependency of the file's top-level module
//! on `x`. The dependencies form a graph whose cycles fail the test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that may print and read the environment: the program's shells.
const SHELLS: [&str; 2] = ["cli", "tui"];

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

/// The file's module path below the crate root: `src/graph/section.rs` →
/// `[graph, section]`, `src/graph/mod.rs` → `[graph]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

/// The code of a file without its comments (line comments and doc comments;
/// block comments are not used in `src/`).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            // Not inside a string literal: good enough for this code base,
            // whose strings with `//` are URLs that hold no `crate::`.
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Top-level modules a file's code names.
fn dependencies(code: &str, path: &[String]) -> BTreeSet<String> {
    let mut deps = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        // `ties::crate` cannot occur; skip `$crate::` and identifiers ending in `crate`.
        if code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the names at the group's top level.
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        deps.insert(ident_at(&group[j..]).to_string());
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            deps.insert(ident_at(rest).to_string());
        }
    }
    // `super::x` climbs one module per `super`; at the crate root, `x` is a
    // top-level module.
    for (i, _) in code.match_indices("super::") {
        if code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        {
            continue; // counted with the first `super::` of the chain
        }
        let mut rest = &code[i..];
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            up += 1;
            rest = r;
        }
        // A file's own module is `path`; `super` of it is its parent.
        if up == path.len() {
            deps.insert(ident_at(rest).to_string());
        }
    }
    deps.retain(|d| !d.is_empty());
    deps
}

/// The top-level modules of `src/` and what each imports from the others.
fn layers() -> (
    BTreeMap<String, BTreeSet<String>>,
    BTreeMap<PathBuf, String>,
) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    files.sort();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut code_of = BTreeMap::new();
    for f in files {
        let path = module_path(&src, &f);
        let Some(top) = path.first().cloned() else {
            continue; // lib.rs and main.rs declare the modules
        };
        let code = code(&std::fs::read_to_string(&f).unwrap());
        let mut d = dependencies(&code, &path);
        d.remove(&top);
        deps.entry(top).or_default().extend(d);
        code_of.insert(f, code);
    }
    let known: BTreeSet<String> = deps.keys().cloned().collect();
    for d in deps.values_mut() {
        // `crate::Graph` and other re-exports at the root are not modules.
        d.retain(|m| known.contains(m));
    }
    (deps, code_of)
}

/// A cycle in `deps`, if there is one, as the modules round it.
fn find_cycle(deps: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        deps: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for d in deps.get(m).into_iter().flatten() {
            match state.get(d.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|s| s == d).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(d.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(d, deps, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in deps.keys() {
        if state.get(m.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(m, deps, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_two_modules_import_each_other() {
    let (deps, _) = layers();
    assert!(deps.len() > 10, "too few modules found: {deps:?}");
    assert!(
        deps["open"].contains("snapshot") && deps["snapshot"].contains("graph"),
        "the scan misses imports: {deps:?}"
    );
    let table: Vec<String> = deps
        .iter()
        .map(|(m, d)| {
            format!(
                "  {m} → {}",
                d.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    // Shown with `--nocapture`: the layer table as the code has it.
    println!("{}", table.join("\n"));
    if let Some(cycle) = find_cycle(&deps) {
        panic!(
            "import circle: {}\nevery module's imports:\n{}",
            cycle.join(" → "),
            table.join("\n")
        );
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let deps = |pairs: &[(&str, &str)]| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in pairs {
            m.entry(a.to_string()).or_default().insert(b.to_string());
            m.entry(b.to_string()).or_default();
        }
        m
    };
    assert_eq!(
        find_cycle(&deps(&[("a", "b"), ("b", "c"), ("a", "c")])),
        None
    );
    let c = find_cycle(&deps(&[("a", "b"), ("b", "c"), ("c", "a")])).unwrap();
    assert_eq!(c.len(), 4, "{c:?}");
    let code =
        "use crate::{graph::Graph, search::{Hit, Tier}, model};\nlet x = super::super::load::f();";
    let found = dependencies(code, &["open".into(), "formats".into()]);
    let want: BTreeSet<String> = ["graph", "search", "model", "load"]
        .map(String::from)
        .into();
    assert_eq!(found, want);
}

#[test]
fn library_code_neither_prints_nor_reads_the_environment() {
    let (_, code_of) = layers();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let banned = [
        "println!",
        "print!",
        "eprintln!",
        "eprint!",
        "dbg!",
        "env::var",
        "env::vars",
        "env::args",
        "std::io::stdout",
        "std::io::stderr",
        "io::stdout()",
        "io::stderr()",
    ];
    let mut found = Vec::new();
    for (file, code) in &code_of {
        let top = module_path(&src, file)[0].clone();
        if SHELLS.contains(&top.as_str()) {
            continue;
        }
        for (n, line) in code.lines().enumerate() {
            if banned.iter().any(|b| line.contains(b)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "library code prints or reads the environment:\n{}",
        found.join("\n")
    );
}

/// Module paths below the crate root of every file of `src/`, with the file's
/// code without its tests (files named `tests.rs` or `*_tests.rs` are left
/// out, and a file's code ends at its first `#[cfg(test)]`: test modules sit
/// at the end of a file).
fn modules_without_tests() -> BTreeMap<Vec<String>, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let end = text.find("#[cfg(test)]").unwrap_or(text.len());
        out.insert(module_path(&src, &f), code(&text[..end]));
    }
    out
}

/// The paths a file's code names, as module paths from the crate root:
/// `crate::a::b::C`, `super::x::Y` (from the file's module `path`) and the
/// names of a `use crate::{…}` or `use super::{…}` group.
fn named_paths(code: &str, path: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let idents = |s: &str| -> Vec<String> {
        let mut v = Vec::new();
        let mut rest = s;
        loop {
            let id = ident_at(rest);
            if id.is_empty() {
                break;
            }
            v.push(id.to_string());
            rest = &rest[id.len()..];
            match rest.strip_prefix("::") {
                Some(r) if !r.starts_with('{') => rest = r,
                _ => break,
            }
        }
        v
    };
    let mut push_from = |base: Vec<String>, rest: &str| {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        let mut p = base.clone();
                        p.extend(idents(&group[j..]));
                        out.push(p);
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let mut p = base;
            p.extend(idents(rest));
            out.push(p);
        }
    };
    for (i, _) in code.match_indices("crate::") {
        if code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            continue;
        }
        push_from(Vec::new(), &code[i + "crate::".len()..]);
    }
    for (i, _) in code.match_indices("super::") {
        if code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        {
            continue;
        }
        let mut rest = &code[i..];
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            up += 1;
            rest = r;
        }
        if up <= path.len() {
            push_from(path[..path.len() - up].to_vec(), rest);
        }
    }
    out
}

/// Circles among the children of `parent`, at every level below it: a child
/// depends on a sibling when code in the child's subtree names a path into
/// the sibling's subtree. Naming the parent (its re-exports) does not count,
/// as `crate::Graph` does not at the top.
fn circles_below(parent: &[String]) -> Vec<String> {
    let modules = modules_without_tests();
    let inside: Vec<&Vec<String>> = modules
        .keys()
        .filter(|m| m.starts_with(parent) && m.len() > parent.len())
        .collect();
    let mut found = Vec::new();
    // Every module with children inside `parent` (itself included) is a level.
    let mut levels: BTreeSet<Vec<String>> = BTreeSet::new();
    levels.insert(parent.to_vec());
    for m in &inside {
        levels.insert(m[..m.len() - 1].to_vec());
    }
    for level in levels {
        let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (m, code) in modules
            .iter()
            .filter(|(m, _)| m.starts_with(&level) && m.len() > level.len())
        {
            let child = m[level.len()].clone();
            let entry = deps.entry(child.clone()).or_default();
            for p in named_paths(code, m) {
                if p.len() > level.len() && p.starts_with(&level) && p[level.len()] != child {
                    entry.insert(p[level.len()].clone());
                }
            }
        }
        let known: BTreeSet<String> = deps.keys().cloned().collect();
        for d in deps.values_mut() {
            d.retain(|m| known.contains(m));
        }
        if let Some(c) = find_cycle(&deps) {
            found.push(format!("in {}: {}", level.join("::"), c.join(" → ")));
        }
    }
    found
}

#[test]
fn the_explorer_has_no_import_circle_at_any_level() {
    let tui = ["tui".to_string()];
    let modules = modules_without_tests();
    assert!(
        modules.keys().filter(|m| m.starts_with(&tui)).count() > 10,
        "too few explorer modules found"
    );
    let circles = circles_below(&tui);
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_level_circle_finder_sees_siblings_through_super_and_crate_paths() {
    let code = "use super::{App, popup::Popup};\nuse crate::tui::text::DIM;\nlet x = super::super::db::Session::start();";
    let path = ["tui".to_string(), "app".to_string(), "jobs".to_string()];
    let found = named_paths(code, &path);
    let want: Vec<Vec<String>> = [
        vec!["tui", "text", "DIM"],
        vec!["tui", "app", "App"],
        vec!["tui", "app", "popup", "Popup"],
        vec!["tui", "db", "Session", "start"],
    ]
    .iter()
    .map(|v| v.iter().map(|s| s.to_string()).collect())
    .collect();
    assert_eq!(found, want);
}
