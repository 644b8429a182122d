//! The layers of `src/` stay as ARCHITECTURE.md draws them, and library code
//! (everything but `cli` and `tui`) neither prints nor reads the environment.
//!
//! Two rules:
//! - **Rows.** A top-level module imports only from its own row of the
//!   ARCHITECTURE.md layer table or the rows above it. The table is read from
//!   ARCHITECTURE.md itself (each backticked `name/` or `name.rs` of a row), so
//!   the document and the code cannot drift apart, and a module missing from
//!   the table fails.
//! - **No circles, at any level.** Inside every module (the crate root, and
//!   every folder such as `graph/`, `search/`, `tui/`, `tui/popup/`, and inline
//!   modules), no two children import each other, directly or round a longer
//!   circle.
//!
//! Only code that ships counts: what only tests compile (`#[cfg(test)]` items,
//! and files declared `#[cfg(test)] mod x;` such as `tests.rs`, also through a
//! `#[path]`) is left out, as
//! a test of `tui::popup` may drive the `App` that uses the popups.
//!
//! How: every `.rs` file under `src/` is read with its comments, strings and
//! character literals blanked, and inline `mod x { … }` blocks tracked by their
//! braces, so that each piece of code knows its module path
//! (`src/tui/popup/rank.rs` → `tui::popup::rank`, its `mod tests` →
//! `tui::popup::rank::tests`). Every path that names crate code is resolved to
//! the module it lands in: `use` trees (groups expanded, `self`/`super`/`crate`
//! and a parent's bare child names), and paths inline in code (`crate::x::f()`,
//! `super::super::y`). A name a module re-exports or imports from one of its
//! children (`pub use self::index::ShortIds`) resolves to that child, and a
//! glob `use super::*` makes each such name the file uses bare a dependency on
//! its child. A dependency of code in module `a::b::…` on module `a::c::…` is
//! an import of `c` by its sibling `b`, inside `a`; each module's children and
//! their imports form a graph whose circles fail. What it cannot see: names
//! brought in by macros, and a glob of a module that itself re-exports a glob.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that may print and read the environment: the program's shells.
const SHELLS: [&str; 2] = ["cli", "tui"];

type ModPath = Vec<String>;

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
/// `[graph, section]`, `src/graph/mod.rs` → `[graph]`, `src/lib.rs` → `[]`.
fn module_path(src: &Path, file: &Path) -> ModPath {
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

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The code with comments removed and the insides of string and character
/// literals blanked (same length, so that positions stay), lifetimes kept.
fn code(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !(i > 0 && is_ident(b[i - 1]))
            && raw_string_end(&b, i).is_some()
        {
            let end = raw_string_end(&b, i).unwrap();
            out.push_str("\"\"");
            i = end;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}', '{') or a lifetime.
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Where a raw string starting at `i` (`r"…"`, `r#"…"#`) ends.
fn raw_string_end(b: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut hashes = 0;
    while b.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if b.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < b.len() {
        if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(b.len())
}

fn ident_at(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// Inline modules (`mod x { … }`) of a file's code: their byte ranges and
/// names, outermost first.
fn inline_modules(code: &str) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    let mut open: Vec<Option<(usize, String)>> = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                // `mod name {` just before?
                let before = code[..i].trim_end();
                let name_start = before.rfind(|c: char| !is_ident(c)).map_or(0, |p| p + 1);
                let name = &before[name_start..];
                let kw = before[..name_start].trim_end();
                let is_mod = !name.is_empty()
                    && kw.ends_with("mod")
                    && !kw[..kw.len() - 3].ends_with(is_ident);
                open.push(is_mod.then(|| (i, name.to_string())));
            }
            b'}' => {
                if let Some(Some((start, name))) = open.pop() {
                    found.push((start, i, name));
                }
            }
            _ => {}
        }
        i += 1;
    }
    found.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
    found
}

/// A path in code that names crate code, relative to where it is written.
#[derive(Debug, Clone, PartialEq)]
struct Ref {
    /// The module path of the code that holds it.
    at: ModPath,
    segments: Vec<String>,
    /// `use …::*`.
    glob: bool,
    /// For a `use`, the name it brings in (`as` respected).
    name: Option<String>,
}

/// Expands a `use` tree (`a::{b, c::{d as e}, f::*}`) into leaf paths, each
/// with its glob flag and the name it brings in.
fn expand_use(tree: &str, prefix: &[String], out: &mut Vec<(Vec<String>, bool, Option<String>)>) {
    let tree = tree.trim();
    let mut segs = prefix.to_vec();
    let mut rest = tree;
    loop {
        rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.rfind('}').unwrap_or(group.len())];
            let mut depth = 0;
            let mut start = 0;
            for (j, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand_use(&inner[start..j], &segs, out);
                        start = j + 1;
                    }
                    _ => {}
                }
            }
            expand_use(&inner[start..], &segs, out);
            return;
        }
        if rest.starts_with('*') {
            out.push((segs, true, None));
            return;
        }
        let id = ident_at(rest);
        if id.is_empty() {
            return;
        }
        rest = rest[id.len()..].trim_start();
        if id == "self" && !segs.is_empty() && !rest.starts_with("::") {
            // `a::{self}`: the module itself, under its own name.
            let name = segs.last().cloned();
            out.push((segs, false, name));
            return;
        }
        segs.push(id.to_string());
        if let Some(r) = rest.strip_prefix("::") {
            rest = r;
            continue;
        }
        let name = match rest.strip_prefix("as") {
            Some(alias) => ident_at(alias.trim_start()).to_string(),
            None => id.to_string(),
        };
        out.push((segs, false, Some(name)));
        return;
    }
}

/// Every crate path a file's code names: its `use` trees and the paths
/// starting with `crate::`, `self::` or `super::` inline.
fn refs(code: &str, file_mod: &ModPath) -> Vec<Ref> {
    let inline = inline_modules(code);
    let at = |pos: usize| -> ModPath {
        let mut m = file_mod.clone();
        for (s, e, name) in &inline {
            if *s < pos && pos < *e {
                m.push(name.clone());
            }
        }
        m
    };
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let boundary = |i: usize| i == 0 || !(is_ident(bytes[i - 1] as char) || bytes[i - 1] == b':');
    // `use` statements.
    for (i, _) in code.match_indices("use ") {
        if !boundary(i) {
            continue;
        }
        let Some(end) = code[i..].find(';') else {
            continue;
        };
        let mut leaves = Vec::new();
        expand_use(&code[i + 4..i + end], &[], &mut leaves);
        for (segments, glob, name) in leaves {
            out.push(Ref {
                at: at(i),
                segments,
                glob,
                name,
            });
        }
    }
    // Inline paths.
    for start in ["crate::", "self::", "super::"] {
        for (i, _) in code.match_indices(start) {
            if !boundary(i) || bytes.get(i.wrapping_sub(1)) == Some(&b'$') {
                continue;
            }
            let mut segments = Vec::new();
            let mut rest = &code[i..];
            loop {
                let id = ident_at(rest);
                if id.is_empty() {
                    break;
                }
                segments.push(id.to_string());
                rest = &rest[id.len()..];
                match rest.strip_prefix("::") {
                    Some(r) => rest = r,
                    None => break,
                }
            }
            out.push(Ref {
                at: at(i),
                segments,
                glob: false,
                name: None,
            });
        }
    }
    out
}

/// The crate as the check sees it: every module, each piece of code's
/// references, and what names each module imports from where.
struct Crate {
    modules: BTreeSet<ModPath>,
    refs: Vec<Ref>,
    /// Per module: each name it imports or re-exports → the module it comes from.
    imports: BTreeMap<ModPath, BTreeMap<String, ModPath>>,
    /// Per module: the code of the files (and inline modules) that are it, for
    /// globs to look for bare names in.
    code_of: BTreeMap<ModPath, String>,
}

impl Crate {
    fn new(files: &[(ModPath, String)]) -> Crate {
        let mut modules: BTreeSet<ModPath> = BTreeSet::new();
        let mut refs = Vec::new();
        let mut code_of: BTreeMap<ModPath, String> = BTreeMap::new();
        for (m, code) in files {
            for i in 0..=m.len() {
                modules.insert(m[..i].to_vec());
            }
            for (s, e, _) in inline_modules(code) {
                let inside = refs_at(code, m, s);
                modules.insert(inside.clone());
                code_of.entry(inside).or_default().push_str(&code[s..e]);
            }
            code_of.entry(m.clone()).or_default().push_str(code);
            refs.extend(self::refs(code, m));
        }
        let mut c = Crate {
            modules,
            refs,
            imports: BTreeMap::new(),
            code_of,
        };
        let mut imports: BTreeMap<ModPath, BTreeMap<String, ModPath>> = BTreeMap::new();
        for r in &c.refs {
            if let (Some(name), false) = (&r.name, r.glob)
                && let Some(target) = c.resolve(r, true)
            {
                imports
                    .entry(r.at.clone())
                    .or_default()
                    .insert(name.clone(), target);
            }
        }
        c.imports = imports;
        c
    }

    /// The module a reference lands in; `None` for other crates. `plain`:
    /// without following re-exports (while they are being collected).
    fn resolve(&self, r: &Ref, plain: bool) -> Option<ModPath> {
        let mut segs = r.segments.iter().peekable();
        let first = segs.peek()?.as_str();
        let mut m: ModPath = match first {
            "crate" => {
                segs.next();
                Vec::new()
            }
            "self" => {
                segs.next();
                r.at.clone()
            }
            "super" => {
                let mut m = r.at.clone();
                while segs.peek().is_some_and(|s| *s == "super") {
                    segs.next();
                    m.pop()?;
                }
                m
            }
            // `use child::x` names a child of the module the code is in.
            child => {
                let mut m = r.at.clone();
                m.push(child.to_string());
                if !self.modules.contains(&m) {
                    return None;
                }
                segs.next();
                m
            }
        };
        let mut hops = 0;
        while let Some(s) = segs.next() {
            let mut sub = m.clone();
            sub.push(s.clone());
            if self.modules.contains(&sub) {
                m = sub;
                continue;
            }
            // A name the module imports from elsewhere: follow it.
            match self.imports.get(&m).and_then(|i| i.get(s)) {
                Some(from) if !plain && hops < 8 && *from != m => {
                    m = from.clone();
                    hops += 1;
                    // The rest names something inside what was imported.
                    let _ = segs.by_ref().count();
                }
                _ => break,
            }
        }
        Some(m)
    }

    /// Every module each piece of code depends on: `(from, to)` module paths.
    fn dependencies(&self) -> BTreeSet<(ModPath, ModPath)> {
        let mut deps = BTreeSet::new();
        for r in &self.refs {
            let Some(target) = self.resolve(r, false) else {
                continue;
            };
            if r.glob {
                // The names the globbed module imports from modules below it,
                // when this code uses them bare.
                let Some(names) = self.imports.get(&target) else {
                    continue;
                };
                let code = self.code_of.get(&r.at).map_or("", |c| c.as_str());
                for (name, from) in names {
                    if from.starts_with(&target) && from != &target && uses_bare(code, name) {
                        deps.insert((r.at.clone(), from.clone()));
                    }
                }
            } else {
                deps.insert((r.at.clone(), target));
            }
        }
        deps
    }

    /// Per module: its children and which import which.
    fn sibling_imports(&self) -> BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>> {
        let mut out: BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        for m in &self.modules {
            if let Some((last, parent)) = m.split_last() {
                out.entry(parent.to_vec())
                    .or_default()
                    .entry(last.clone())
                    .or_default();
            }
        }
        for (from, to) in self.dependencies() {
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                out.entry(from[..common].to_vec())
                    .or_default()
                    .entry(from[common].clone())
                    .or_default()
                    .insert(to[common].clone());
            }
        }
        out
    }
}

/// The module path of code at `pos` of a file of module `m`.
fn refs_at(code: &str, m: &ModPath, pos: usize) -> ModPath {
    let mut out = m.clone();
    for (s, e, name) in inline_modules(code) {
        if s <= pos && pos < e {
            out.push(name);
        }
    }
    out
}

/// Does `code` use `name` as a word?
fn uses_bare(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + name.len()..].chars().next();
        !before.is_some_and(|c| is_ident(c) || c == ':') && !after.is_some_and(is_ident)
    })
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every file of `src/`: its path, module path and code.
fn files() -> Vec<(PathBuf, ModPath, String)> {
    let src = src();
    let mut paths = Vec::new();
    rs_files(&src, &mut paths);
    paths.sort();
    let mut test_modules: Vec<ModPath> = Vec::new();
    let mut test_files: Vec<PathBuf> = Vec::new();
    let mut files: Vec<(PathBuf, ModPath, String)> = paths
        .into_iter()
        .filter(|f| !f.ends_with("main.rs"))
        .map(|f| {
            let m = module_path(&src, &f);
            let text = std::fs::read_to_string(&f).unwrap();
            let (code, test_children) = without_tests(&code(&text));
            for child in test_children {
                let mut t = m.clone();
                t.push(child);
                test_modules.push(t);
            }
            // `#[cfg(test)] #[path = "x_tests.rs"] mod tests;`: the file is
            // named by the attribute, relative to this file's folder.
            for (i, _) in text.match_indices("#[cfg(test)]") {
                let after = text[i..].lines().nth(1).unwrap_or("").trim();
                if let Some(p) = after.strip_prefix("#[path = \"") {
                    let name = &p[..p.find('"').unwrap_or(p.len())];
                    test_files.push(f.parent().unwrap().join(name));
                }
            }
            (f, m, code)
        })
        .collect();
    files.retain(|(f, m, _)| {
        !test_modules.iter().any(|t| m.starts_with(t)) && !test_files.contains(f)
    });
    files
}

/// The code without what only tests compile: each `#[cfg(test)]` item blanked
/// (an inline `mod tests { … }`, a `use`, a function), and the names of the
/// child modules declared `#[cfg(test)] mod x;` (files such as `tests.rs`).
fn without_tests(code: &str) -> (String, Vec<String>) {
    const ATTR: &str = "#[cfg(test)]";
    let mut out = code.to_string();
    let mut children = Vec::new();
    for (i, _) in code.match_indices(ATTR) {
        let item = &code[i + ATTR.len()..];
        let mut rest = item.trim_start();
        // Further attributes (`#[path = "…"]`).
        while let Some(r) = rest.strip_prefix("#[") {
            rest = r[r.find(']').map_or(0, |p| p + 1)..].trim_start();
        }
        if let Some(r) = rest.strip_prefix("pub") {
            rest = r.trim_start();
            if let Some(r) = rest.strip_prefix('(') {
                rest = &r[r.find(')').map_or(0, |p| p + 1)..];
            }
            rest = rest.trim_start();
        }
        if let Some(r) = rest.strip_prefix("mod ") {
            let r = r.trim_start();
            let name = ident_at(r);
            if r[name.len()..].trim_start().starts_with(';') {
                children.push(name.to_string());
            }
        }
        // The item ends at its first `;` outside braces, or where its first
        // brace closes.
        let mut depth = 0;
        let mut end = code.len();
        for (j, c) in item.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + ATTR.len() + j + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + ATTR.len() + j + 1;
                    break;
                }
                _ => {}
            }
        }
        let blank: String = code[i..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(i..end, &blank);
    }
    (out, children)
}

fn the_crate() -> Crate {
    let files: Vec<(ModPath, String)> = files().into_iter().map(|(_, m, c)| (m, c)).collect();
    Crate::new(&files)
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

/// The rows of ARCHITECTURE.md's layer table, top first: each row's modules.
fn rows() -> Vec<(String, Vec<String>)> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .unwrap();
    let table = doc
        .split("## Layers")
        .nth(1)
        .expect("ARCHITECTURE.md has a Layers section");
    let mut rows = Vec::new();
    for line in table.lines().skip_while(|l| !l.starts_with('|')) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(layer), Some(mods)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let names: Vec<String> = mods
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|m| m.trim_end_matches('/').trim_end_matches(".rs").to_string())
            .collect();
        if !names.is_empty() {
            rows.push((layer.to_string(), names));
        }
    }
    rows
}

fn table(deps: &BTreeMap<String, BTreeSet<String>>) -> String {
    deps.iter()
        .map(|(m, d)| {
            format!(
                "  {m} → {}",
                d.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn modules_import_only_from_their_row_or_above() {
    let c = the_crate();
    let siblings = c.sibling_imports();
    let top = &siblings[&Vec::new()];
    assert!(top.len() > 10, "too few modules found: {top:?}");
    assert!(
        top["open"].contains("snapshot") && top["snapshot"].contains("graph"),
        "the scan misses imports: {top:?}"
    );
    println!("{}", table(top));
    let rows = rows();
    let row_of: BTreeMap<&str, usize> = rows
        .iter()
        .enumerate()
        .flat_map(|(i, (_, ms))| ms.iter().map(move |m| (m.as_str(), i)))
        .collect();
    let missing: Vec<&String> = top
        .keys()
        .filter(|m| !row_of.contains_key(m.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "modules not in ARCHITECTURE.md's layer table: {missing:?}"
    );
    let mut wrong = Vec::new();
    for (m, deps) in top {
        for d in deps {
            let (rm, rd) = (row_of[m.as_str()], row_of[d.as_str()]);
            if rd > rm {
                wrong.push(format!(
                    "{m} ({}) imports {d} ({}), a row below it",
                    rows[rm].0, rows[rd].0
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_import_circle_at_any_level() {
    let c = the_crate();
    let mut circles = Vec::new();
    let mut modules_checked = 0;
    for (parent, children) in c.sibling_imports() {
        modules_checked += 1;
        let Some(cycle) = find_cycle(&children) else {
            continue;
        };
        let name = if parent.is_empty() {
            "the crate root".to_string()
        } else {
            parent.join("::")
        };
        circles.push(format!(
            "inside {name}: {}\nits modules' imports:\n{}",
            cycle.join(" → "),
            table(&children)
        ));
    }
    assert!(modules_checked > 20, "too few modules: {modules_checked}");
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_scan_finds_imports_and_circles() {
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

    // A small crate: `p/mod.rs` re-exports `x::X`; `p/y.rs` uses it through a
    // glob of its parent and `p/z.rs` through `super::X`; `p/x.rs` calls
    // `crate::p::y::f()` inline (a circle x → y → x); `q.rs` imports
    // `crate::{p::X, r}` and its tests module reaches `super::super::r`.
    let file = |m: &str, text: &str| {
        let path: ModPath = m
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        (path, code(text))
    };
    let krate = Crate::new(&[
        file("", "pub mod p; pub mod q; pub mod r;"),
        file(
            "p",
            "mod x; mod y; mod z;\npub use self::x::X; // use y::Nothing;\nconst S: &str = \"use z::Z;\";",
        ),
        file("p::x", "pub struct X;\nfn g() { crate::p::y::f() }"),
        file("p::y", "use super::*;\npub fn f() -> X { X }"),
        file("p::z", "use super::X;"),
        file(
            "q",
            "use crate::{p::X, r};\n#[cfg(test)]\nmod tests {\n    use super::super::r::R;\n    fn s() -> char { '{' }\n}",
        ),
        file("r", "pub struct R;"),
    ]);
    let siblings = krate.sibling_imports();
    let p = &siblings[&vec!["p".to_string()]];
    assert_eq!(p["x"], ["y".to_string()].into());
    assert_eq!(p["y"], ["x".to_string()].into(), "the glob's X is x's");
    assert_eq!(p["z"], ["x".to_string()].into(), "super::X is x's");
    assert!(find_cycle(p).is_some());
    let top = &siblings[&Vec::new()];
    assert_eq!(top["q"], ["p".to_string(), "r".to_string()].into());
    assert!(top["p"].is_empty() && top["r"].is_empty(), "{top:?}");
    // Comments and strings name nothing: p imports none of its children
    // beyond x (parent → child is no sibling import anyway).
    assert!(
        krate
            .modules
            .contains(&vec!["q".to_string(), "tests".to_string()])
    );
    let q = &siblings[&vec!["q".to_string()]];
    assert!(q["tests"].is_empty(), "{q:?}");

    // What only tests compile is left out.
    let (kept, test_children) = without_tests(&code(
        "use crate::a;\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\n#[path = \"t.rs\"]\nmod more;\n\
         #[cfg(test)]\nmod inline {\n    use crate::x::{y, z};\n}\nfn f() {}",
    ));
    assert_eq!(test_children, ["tests", "more"]);
    assert!(
        kept.contains("crate::a") && kept.contains("fn f()"),
        "{kept}"
    );
    assert!(
        !kept.contains("crate::x") && !kept.contains("mod"),
        "{kept}"
    );
}

#[test]
fn library_code_neither_prints_nor_reads_the_environment() {
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
    for (file, m, code) in files() {
        if m.first().is_none_or(|top| SHELLS.contains(&top.as_str())) {
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
